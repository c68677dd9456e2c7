#pragma once
// Losses, as torch.nn.functional's: composites of ember ops (gradients come from the ops),
// computed stably (log-sigmoid, log-softmax). reduction: "mean" (default), "sum" or "none".
#include <string>

#include "ember/nn/module.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

EMBER_API Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
EMBER_API Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
/// 0.5 d^2 where |d| < delta, else delta * (|d| - 0.5 delta).
EMBER_API Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                            double delta = 1.0);
/// 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0: L1).
EMBER_API Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                                double beta = 1.0);
/// -w (y log p + (1 - y) log(1 - p)), the logs clamped at -100 (as PyTorch); p in [0, 1].
EMBER_API Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                      const std::string& reduction = "mean");
/// -w (pos_weight y log sigmoid(x) + (1 - y) log sigmoid(-x)), from logits, stably.
EMBER_API Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                                  const std::string& reduction = "mean", const Tensor& pos_weight = {});
/// -weight[t] * input[t] over the class dim (1, or 0 for unbatched input); targets equal to
/// ignore_index count for nothing; "mean" divides by the summed weights of the counted targets.
EMBER_API Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                          int64_t ignore_index = -100, const std::string& reduction = "mean");
/// log_softmax + nll_loss for class-index targets (int64), or -sum(target * log_softmax) for
/// class-probability targets (float, input's shape); label_smoothing mixes in the uniform
/// distribution.
EMBER_API Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                               int64_t ignore_index = -100, const std::string& reduction = "mean",
                               double label_smoothing = 0.0);

}  // namespace ember::nn::functional

namespace ember::nn {

/// A loss as a module: forward(input, target) calls the functional form with the module's
/// settings. Weights (class weights, pos_weight) are buffers, so state_dict holds them.
class EMBER_API Loss : public Module {
 public:
  Loss(std::string type_name, std::string reduction);
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  /// A loss needs a target: forward(input) alone raises.
  Tensor forward(const Tensor& input) override;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  std::string reduction;
};

class EMBER_API MSELoss : public Loss {
 public:
  explicit MSELoss(std::string reduction = "mean") : Loss("MSELoss", std::move(reduction)) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

class EMBER_API L1Loss : public Loss {
 public:
  explicit L1Loss(std::string reduction = "mean") : Loss("L1Loss", std::move(reduction)) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

class EMBER_API HuberLoss : public Loss {
 public:
  explicit HuberLoss(std::string reduction = "mean", double delta = 1.0);
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  double delta;
};

class EMBER_API SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(std::string reduction = "mean", double beta = 1.0);
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  double beta;
};

class EMBER_API BCELoss : public Loss {
 public:
  explicit BCELoss(const Tensor& weight = {}, std::string reduction = "mean");
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

class EMBER_API BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(const Tensor& weight = {}, std::string reduction = "mean", const Tensor& pos_weight = {});
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

class EMBER_API NLLLoss : public Loss {
 public:
  explicit NLLLoss(const Tensor& weight = {}, int64_t ignore_index = -100, std::string reduction = "mean");
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  int64_t ignore_index;
};

class EMBER_API CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(const Tensor& weight = {}, int64_t ignore_index = -100, std::string reduction = "mean",
                            double label_smoothing = 0.0);
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  int64_t ignore_index;
  double label_smoothing;
};

}  // namespace ember::nn
