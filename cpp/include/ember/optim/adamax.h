#pragma once
// Adamax (Kingma & Ba 2015, sec. 7.1: Adam with the infinity norm), as torch.optim.Adamax:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   m = lerp(m, g, 1 - beta1);  u = max(beta2 * u, |g| + eps)
//   p -= lr / (1 - beta1^t) * m / u
// u is the state's "exp_inf"; eps sits inside the max, as PyTorch (a NaN propagates).
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_ADAMAX_FIELDS(X)                                                             \
  X(Arg, double, lr, 2e-3, valid::at_least(0, "Invalid learning rate: "))                  \
  X(Arg, Betas, betas, (Betas{0.9, 0.999}), valid::betas)                                  \
  X(Arg, double, eps, 1e-8, valid::at_least(0, "Invalid epsilon value: "))                 \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, Switch, foreach, std::nullopt, valid::any)                                       \
  X(Kw, bool, maximize, false, valid::any)                                                \
  X(Kw, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))             \
  X(Kw, Switch, capturable, false, valid::unsupported(kNotCapturable))

struct EMBER_API AdamaxOptions : Options {
  EMBER_OPTIONS(EMBER_ADAMAX_FIELDS)
};

class EMBER_API Adamax : public OptimizerOf<AdamaxOptions> {
 public:
  Adamax(const std::vector<Tensor>& params, const AdamaxOptions& options = {});

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const AdamaxOptions& o) override;
};

}  // namespace ember::optim
