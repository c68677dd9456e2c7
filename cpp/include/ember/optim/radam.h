#pragma once
// RAdam (Liu et al. 2020: Adam with a rectified adaptive rate), as torch.optim.RAdam:
//   g = -grad if maximize else grad;  g += weight_decay * p (or p *= 1 - lr * weight_decay, decoupled)
//   m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g^2
//   rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
//   rho_t > 5: r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
//              p -= lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
//   else (the variance is not yet tractable): p -= lr * m / (1 - beta1^t)
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_RADAM_FIELDS(X)                                                              \
  X(Arg, double, lr, 1e-3, valid::at_least(0, "Invalid learning rate: "))                  \
  X(Arg, Betas, betas, (Betas{0.9, 0.999}), valid::betas)                                  \
  X(Arg, double, eps, 1e-8, valid::at_least(0, "Invalid epsilon value: "))                 \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, bool, decoupled_weight_decay, false, valid::any)                                 \
  X(Kw, Switch, foreach, std::nullopt, valid::any)                                        \
  X(Kw, bool, maximize, false, valid::any)                                                \
  X(Kw, Switch, capturable, false, valid::unsupported(kNotCapturable))                     \
  X(Kw, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))

struct EMBER_API RAdamOptions : Options {
  EMBER_OPTIONS(EMBER_RADAM_FIELDS)
};

class EMBER_API RAdam : public OptimizerOf<RAdamOptions> {
 public:
  RAdam(const std::vector<Tensor>& params, const RAdamOptions& options = {});

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const RAdamOptions& o) override;
};

}  // namespace ember::optim
