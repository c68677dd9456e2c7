#pragma once
// Adagrad, as torch.optim.Adagrad:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   clr = lr / (1 + (step - 1) * lr_decay);  sum += g^2;  p -= clr * g / (sqrt(sum) + eps)
// The accumulator starts at initial_accumulator_value for every parameter.
#include "ember/optim/optimizer.h"

namespace ember::optim {

struct EMBER_API AdagradOptions {
  double lr = 1e-2, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10;
  bool maximize = false;
  void validate() const;
};

class EMBER_API Adagrad : public OptimizerOf<AdagradOptions> {
 public:
  Adagrad(const std::vector<Tensor>& params, const AdagradOptions& options = {});

 protected:
  void init_state(size_t i, ParamState& s) override;
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const AdagradOptions& o) override;
};

}  // namespace ember::optim
