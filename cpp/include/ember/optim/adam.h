#pragma once
// Adam and AdamW, as torch.optim.Adam / AdamW:
//   g = -grad if maximize else grad
//   Adam: g += weight_decay * p (L2);  AdamW: p *= 1 - lr * weight_decay (decoupled)
//   m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g^2;  (amsgrad: vmax = max(vmax, v))
//   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// Each moment is corrected by its own beta: the second by 1 - beta2^t, not beta1 (a slip some
// course notes make), and eps is added after the correction, as PyTorch does.
#include "ember/optim/optimizer.h"

namespace ember::optim {

#define EMBER_ADAM_FIELDS(X)                                                               \
  X(Arg, double, lr, 1e-3, valid::at_least(0, "Invalid learning rate: "))                  \
  X(Arg, Betas, betas, (Betas{0.9, 0.999}), valid::betas)                                  \
  X(Arg, double, eps, 1e-8, valid::at_least(0, "Invalid epsilon value: "))                 \
  X(Arg, double, weight_decay, 0, valid::at_least(0, "Invalid weight_decay value: "))      \
  X(Arg, bool, amsgrad, false, valid::any)                                                \
  X(Kw, Switch, foreach, std::nullopt, valid::any)                                        \
  X(Kw, bool, maximize, false, valid::any)                                                \
  X(Kw, Switch, capturable, false, valid::unsupported(kNotCapturable))                     \
  X(Kw, Switch, differentiable, false, valid::unsupported(kNotDifferentiable))             \
  X(Kw, Switch, fused, std::nullopt, valid::any)                                          \
  /* AdamW's decoupled weight decay instead of Adam's L2 term */                           \
  X(KwLate, bool, decoupled_weight_decay, false, valid::any)

struct EMBER_API AdamOptions : Options {
  EMBER_OPTIONS(EMBER_ADAM_FIELDS)
};

class EMBER_API Adam : public OptimizerOf<AdamOptions> {
 public:
  Adam(const std::vector<Tensor>& params, const AdamOptions& options = {});

 protected:
  Adam(std::string name, const std::vector<Tensor>& params, const AdamOptions& options);
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const AdamOptions& o) override;
};

/// Adam with decoupled weight decay (default 1e-2), as torch.optim.AdamW.
struct EMBER_API AdamWOptions : AdamOptions {
  AdamWOptions() {
    weight_decay = 1e-2;
    decoupled_weight_decay = true;
  }
  /// Always decoupled: kept in the groups as PyTorch does, but no argument of AdamW.
  static constexpr ArgKind kind_of(std::string_view name, ArgKind declared) {
    return name == "decoupled_weight_decay" ? ArgKind::Kept : declared;
  }
};

class EMBER_API AdamW : public Adam {
 public:
  AdamW(const std::vector<Tensor>& params, const AdamWOptions& options = {});
};

}  // namespace ember::optim
