#pragma once
// RMSprop, as torch.optim.RMSprop:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   v = alpha * v + (1 - alpha) * g^2
//   centered: m = lerp(m, g, 1 - alpha), avg = sqrt(v - m^2) + eps;  else avg = sqrt(v) + eps
//   momentum > 0: b = momentum * b + g / avg, p -= lr * b;  else p -= lr * g / avg
// eps is added outside the square root (as PyTorch; some texts put it inside).
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_RMSPROP_FIELDS(X)                                                            \
  X(Arg, double, lr, 1e-2, valid::at_least(0, "Invalid learning rate: "))                  \
  X(Arg, double, alpha, 0.99, valid::at_least(0, "Invalid alpha value: "))                 \
  X(Arg, double, eps, 1e-8, valid::at_least(0, "Invalid epsilon value: "))                 \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, double, momentum, 0, valid::at_least(0, "Invalid momentum value: "))              \
  X(Arg, bool, centered, false, valid::any)                                               \
  X(Arg, Switch, capturable, false, valid::unsupported(kNotCapturable))                    \
  X(Arg, Switch, foreach, std::nullopt, valid::any)                                       \
  X(Arg, bool, maximize, false, valid::any)                                               \
  X(Arg, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))

struct EMBER_API RMSpropOptions : Options {
  EMBER_OPTIONS(EMBER_RMSPROP_FIELDS)
};

class EMBER_API RMSprop : public OptimizerOf<RMSpropOptions> {
 public:
  RMSprop(const std::vector<Tensor>& params, const RMSpropOptions& options = {});

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const RMSpropOptions& o) override;
};

}  // namespace ember::optim
