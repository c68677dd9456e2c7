#pragma once
// RMSprop, as torch.optim.RMSprop:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   v = alpha * v + (1 - alpha) * g^2
//   centered: m = lerp(m, g, 1 - alpha), avg = sqrt(v - m^2) + eps;  else avg = sqrt(v) + eps
//   momentum > 0: b = momentum * b + g / avg, p -= lr * b;  else p -= lr * g / avg
// eps is added outside the square root (as PyTorch; some texts put it inside).
#include "ember/optim/optimizer.h"

namespace ember::optim {

struct EMBER_API RMSpropOptions {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0;
  bool centered = false, maximize = false;
  void validate() const;
};

class EMBER_API RMSprop : public OptimizerOf<RMSpropOptions> {
 public:
  RMSprop(const std::vector<Tensor>& params, const RMSpropOptions& options = {});

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const RMSpropOptions& o) override;
};

}  // namespace ember::optim
