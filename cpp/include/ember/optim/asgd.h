#pragma once
// Averaged SGD (Polyak & Juditsky 1992; the schedule of Bottou 2012), as torch.optim.ASGD:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   p = p * (1 - lambd * eta) - eta * g
//   ax = p while mu == 1, else ax += mu * (p - ax)          (the running average of the iterates)
//   eta = lr / (1 + lambd * lr * t)^alpha;  mu = 1 / max(1, t - t0)   (for the next step)
// eta and mu are the state's 0-d float32 tensors, as PyTorch's (rounded alike); ax is "ax".
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_ASGD_FIELDS(X)                                                               \
  X(Arg, double, lr, 1e-2, valid::at_least(0, "Invalid learning rate: "))                  \
  X(Arg, double, lambd, 1e-4, valid::any)                                                 \
  X(Arg, double, alpha, 0.75, valid::any)                                                 \
  X(Arg, double, t0, 1e6, valid::any)                                                     \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, Switch, foreach, std::nullopt, valid::any)                                       \
  X(Arg, bool, maximize, false, valid::any)                                               \
  X(Arg, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))            \
  X(Arg, Switch, capturable, false, valid::unsupported(kNotCapturable))

struct EMBER_API ASGDOptions : Options {
  EMBER_OPTIONS(EMBER_ASGD_FIELDS)
};

class EMBER_API ASGD : public OptimizerOf<ASGDOptions> {
 public:
  ASGD(const std::vector<Tensor>& params, const ASGDOptions& options = {});

 protected:
  bool is_scalar_state(const std::string& key) const override { return key == "eta" || key == "mu"; }
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const ASGDOptions& o) override;
};

}  // namespace ember::optim
