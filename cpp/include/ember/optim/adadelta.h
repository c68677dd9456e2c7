#pragma once
// Adadelta (Zeiler 2012), as torch.optim.Adadelta:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   v = rho * v + (1 - rho) * g^2
//   delta = sqrt(u + eps) / sqrt(v + eps) * g;  u = rho * u + (1 - rho) * delta^2
//   p -= lr * delta
// v is the state's "square_avg", u its "acc_delta"; lr (default 1) scales the update, as PyTorch.
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_ADADELTA_FIELDS(X)                                                           \
  X(Arg, double, lr, 1.0, valid::at_least(0, "Invalid learning rate: "))                   \
  X(Arg, double, rho, 0.9, valid::between(0, 1, "Invalid rho value: "))                    \
  X(Arg, double, eps, 1e-6, valid::at_least(0, "Invalid epsilon value: "))                 \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, Switch, foreach, std::nullopt, valid::any)                                       \
  X(Kw, Switch, capturable, false, valid::unsupported(kNotCapturable))                     \
  X(Kw, bool, maximize, false, valid::any)                                                \
  X(Kw, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))

struct EMBER_API AdadeltaOptions : Options {
  EMBER_OPTIONS(EMBER_ADADELTA_FIELDS)
};

class EMBER_API Adadelta : public OptimizerOf<AdadeltaOptions> {
 public:
  Adadelta(const std::vector<Tensor>& params, const AdadeltaOptions& options = {});

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const AdadeltaOptions& o) override;
};

}  // namespace ember::optim
