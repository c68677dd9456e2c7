#pragma once
// Stochastic gradient descent with momentum, as torch.optim.SGD:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   b = g on the first step, else momentum * b + (1 - dampening) * g
//   g = g + momentum * b (nesterov) or b;  p -= lr * g
// The buffer is the velocity of the "heavy ball" form; with dampening 0 this equals the
// v = momentum * v + lr * g form only while lr stays constant (PyTorch's form is the one kept).
#include "ember/optim/optimizer.h"

namespace ember::optim {

// One row per argument, in torch.optim.SGD's order (see ember/options.h).
#define EMBER_SGD_FIELDS(X)                                                                \
  X(Arg, double, lr, 1e-3, valid::at_least(0, "Invalid learning rate: "))                  \
  X(Arg, double, momentum, 0, valid::at_least(0, "Invalid momentum value: "))              \
  X(Arg, double, dampening, 0, valid::any)                                                \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, bool, nesterov, false, valid::any)                                               \
  X(Kw, bool, maximize, false, valid::any)                                                \
  X(Kw, Switch, foreach, std::nullopt, valid::any)                                        \
  X(Kw, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))             \
  X(Kw, Switch, fused, std::nullopt, valid::any)

struct EMBER_API SGDOptions : Options {
  EMBER_OPTIONS(EMBER_SGD_FIELDS)
  void cross_checks() const;
};

class EMBER_API SGD : public OptimizerOf<SGDOptions> {
 public:
  SGD(const std::vector<Tensor>& params, const SGDOptions& options = {});

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const SGDOptions& o) override;
};

}  // namespace ember::optim
