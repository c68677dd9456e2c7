#pragma once
// Normalization layers, as torch.nn's: BatchNorm1d and LayerNorm.
#include <optional>

#include "ember/nn/module.h"

namespace ember::nn {

/// Normalizes each of num_features channels of an (N, C) or (N, C, L) input with the batch's
/// mean and biased variance when training, updating running_mean and running_var (unbiased)
/// by momentum (unset: a cumulative average); in eval mode with the running statistics.
class EMBER_API BatchNorm1d : public Module {
 public:
  /// bias: with affine, whether to learn the shift (PyTorch 2.13's keyword).
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true, DType dtype = DType::Float32,
                       bool bias = true);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  void reset_running_stats();
  void reset_parameters();
  int64_t num_features;
  double eps;
  std::optional<double> momentum;
  bool affine, track_running_stats;
  // (C,) when affine; the running statistics when tracking.
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }
  Tensor running_mean() const { return buffer("running_mean"); }
  Tensor running_var() const { return buffer("running_var"); }
  Tensor num_batches_tracked() const { return buffer("num_batches_tracked"); }
};

/// Normalizes over the trailing dims normalized_shape (biased variance), then scales and
/// shifts by elementwise weight and bias.
class EMBER_API LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true,
                     DType dtype = DType::Float32);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  void reset_parameters();
  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }
};

}  // namespace ember::nn
