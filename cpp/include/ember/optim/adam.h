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

struct EMBER_API AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool amsgrad = false, maximize = false;
  /// AdamW's decoupled weight decay instead of Adam's L2 term.
  bool decoupled_weight_decay = false;
  void validate() const;
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
};

class EMBER_API AdamW : public Adam {
 public:
  AdamW(const std::vector<Tensor>& params, const AdamWOptions& options = {});
};

}  // namespace ember::optim
