#pragma once
// NAdam (Dozat 2016: Adam with Nesterov momentum), as torch.optim.NAdam:
//   g = -grad if maximize else grad;  g += weight_decay * p (or p *= 1 - lr * weight_decay, decoupled)
//   mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  prod_t = prod_{i<=t} mu_i
//   m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g^2;  d = sqrt(v / (1 - beta2^t)) + eps
//   p -= lr * (1 - mu_t) / (1 - prod_t) * g / d + lr * mu_{t+1} / (1 - prod_t * mu_{t+1}) * m / d
// The product is the state's "mu_product", a 0-d float32 tensor as PyTorch's (rounded alike).
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_NADAM_FIELDS(X)                                                              \
  X(Arg, double, lr, 2e-3, valid::at_least(0, "Invalid learning rate: "))                  \
  X(Arg, Betas, betas, (Betas{0.9, 0.999}), valid::betas)                                  \
  X(Arg, double, eps, 1e-8, valid::at_least(0, "Invalid epsilon value: "))                 \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, double, momentum_decay, 4e-3, valid::at_least(0, "Invalid momentum_decay value: ")) \
  X(Arg, bool, decoupled_weight_decay, false, valid::any)                                 \
  X(Kw, Switch, foreach, std::nullopt, valid::any)                                        \
  X(Kw, bool, maximize, false, valid::any)                                                \
  X(Kw, Switch, capturable, false, valid::unsupported(kNotCapturable))                     \
  X(Kw, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))

struct EMBER_API NAdamOptions : Options {
  EMBER_OPTIONS(EMBER_NADAM_FIELDS)
};

class EMBER_API NAdam : public OptimizerOf<NAdamOptions> {
 public:
  NAdam(const std::vector<Tensor>& params, const NAdamOptions& options = {});

 protected:
  bool is_scalar_state(const std::string& key) const override { return key == "mu_product"; }
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const NAdamOptions& o) override;
};

}  // namespace ember::optim
