#pragma once
// Adagrad, as torch.optim.Adagrad:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   clr = lr / (1 + (step - 1) * lr_decay);  sum += g^2;  p -= clr * g / (sqrt(sum) + eps)
// The accumulator starts at initial_accumulator_value for every parameter.
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_ADAGRAD_FIELDS(X)                                                                        \
  X(Arg, double, lr, 1e-2, valid::at_least(0, "Invalid learning rate: "))                              \
  X(Arg, double, lr_decay, 0, valid::at_least(0, "Invalid lr_decay value: "))                          \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))                  \
  X(Arg, double, initial_accumulator_value, 0, valid::at_least(0, "Invalid initial_accumulator_value value: ")) \
  X(Arg, double, eps, 1e-10, valid::at_least(0, "Invalid epsilon value: "))                            \
  X(Arg, Switch, foreach, std::nullopt, valid::any)                                                   \
  X(Kw, bool, maximize, false, valid::any)                                                            \
  X(Kw, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))                         \
  X(Kw, Switch, fused, std::nullopt, valid::any)

struct EMBER_API AdagradOptions : Options {
  EMBER_OPTIONS(EMBER_ADAGRAD_FIELDS)
};

class EMBER_API Adagrad : public OptimizerOf<AdagradOptions> {
 public:
  Adagrad(const std::vector<Tensor>& params, const AdagradOptions& options = {});

 protected:
  void init_state(size_t i, ParamState& s) override;
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const AdagradOptions& o) override;
};

}  // namespace ember::optim
