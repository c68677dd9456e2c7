#pragma once
// Normalization layers, as torch.nn's: BatchNorm1d and LayerNorm.
#include <optional>

#include "ember/nn/layer.h"

namespace ember::nn {

/// Normalizes each of num_features channels of an (N, C) or (N, C, L) input with the batch's
/// mean and biased variance when training, updating running_mean and running_var (unbiased)
/// by momentum (unset: a cumulative average); in eval mode with the running statistics.
/// bias: with affine, whether to learn the shift (PyTorch 2.13's keyword).
#define EMBER_BATCH_NORM_FIELDS(X)                                                                         \
  X(Required, int64_t, num_features, 0,                                                                    \
    valid::at_least(1, "BatchNorm1d: num_features must be at least 1, got "), Bare | Fixed)               \
  X(Arg, double, eps, 1e-5, valid::holds([](double e) { return e > 0; }, "BatchNorm1d: eps must be positive, got "), \
    Named)                                                                                                 \
  X(Arg, std::optional<double>, momentum, 0.1, valid::any, Named)                                          \
  X(Arg, bool, affine, true, valid::any, Named | Fixed)                                                    \
  X(Arg, bool, track_running_stats, true, valid::any, Named | Fixed)                                       \
  EMBER_FACTORY_FIELDS(X)                                                                                  \
  X(Kw, bool, bias, true, valid::any, Ctor)
struct BatchNorm1dOptions {
  EMBER_LAYER_OPTIONS(EMBER_BATCH_NORM_FIELDS)
};
class EMBER_API BatchNorm1d : public Layer<BatchNorm1dOptions> {
 public:
  explicit BatchNorm1d(BatchNorm1dOptions options = {});
  EMBER_LAYER_SHORT_FORM(BatchNorm1d)
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  void reset_running_stats();
  void reset_parameters();
  // (C,) when affine; the running statistics when tracking.
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }
  Tensor running_mean() const { return buffer("running_mean"); }
  Tensor running_var() const { return buffer("running_var"); }
  Tensor num_batches_tracked() const { return buffer("num_batches_tracked"); }
};

/// Normalizes over the trailing dims normalized_shape (biased variance), then scales and
/// shifts by elementwise weight and bias.
#define EMBER_LAYER_NORM_FIELDS(X)                                      \
  X(Required, Sizes, normalized_shape, {}, valid::any, Bare | Fixed)    \
  X(Arg, double, eps, 1e-5, valid::any, Named)                          \
  X(Arg, bool, elementwise_affine, true, valid::any, Named | Fixed)     \
  X(Arg, bool, bias, true, valid::any, Ctor)                            \
  EMBER_FACTORY_FIELDS(X)
struct LayerNormOptions {
  EMBER_LAYER_OPTIONS(EMBER_LAYER_NORM_FIELDS)
};
class EMBER_API LayerNorm : public Layer<LayerNormOptions> {
 public:
  explicit LayerNorm(LayerNormOptions options = {});
  EMBER_LAYER_SHORT_FORM(LayerNorm)
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }
};

}  // namespace ember::nn
