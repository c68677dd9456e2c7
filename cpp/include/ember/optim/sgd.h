#pragma once
// Stochastic gradient descent with momentum, as torch.optim.SGD:
//   g = -grad if maximize else grad;  g += weight_decay * p
//   b = g on the first step, else momentum * b + (1 - dampening) * g
//   g = g + momentum * b (nesterov) or b;  p -= lr * g
// The buffer is the velocity of the "heavy ball" form; with dampening 0 this equals the
// v = momentum * v + lr * g form only while lr stays constant (PyTorch's form is the one kept).
#include "ember/optim/optimizer.h"

namespace ember::optim {

struct EMBER_API SGDOptions {
  double lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
  /// ValueError naming the bad hyperparameter, with PyTorch's messages.
  void validate() const;
};

class EMBER_API SGD : public OptimizerOf<SGDOptions> {
 public:
  SGD(const std::vector<Tensor>& params, const SGDOptions& options = {});

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const SGDOptions& o) override;
};

}  // namespace ember::optim
