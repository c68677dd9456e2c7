#pragma once
// Normalization layers, as torch.nn's: BatchNorm1d, BatchNorm2d and LayerNorm.
#include <optional>

#include "ember/nn/layer.h"

namespace ember::nn {

/// Normalizes each of num_features channels (dim 1) with the batch's mean and biased variance
/// when training, updating running_mean and running_var (unbiased) by momentum (unset: a
/// cumulative average); in eval mode with the running statistics. bias: with affine, whether
/// to learn the shift (PyTorch 2.13's keyword). num_features >= 1 and eps > 0 are checked by
/// the layer, whose messages name it.
#define EMBER_BATCH_NORM_FIELDS(X)                                                                         \
  X(Required, int64_t, num_features, 0, valid::any, Bare | Fixed)                                          \
  X(Arg, double, eps, 1e-5, valid::any, Named)                                                             \
  X(Arg, std::optional<double>, momentum, 0.1, valid::any, Named)                                          \
  X(Arg, bool, affine, true, valid::any, Named | Fixed)                                                    \
  X(Arg, bool, track_running_stats, true, valid::any, Named | Fixed)                                       \
  EMBER_FACTORY_FIELDS(X)                                                                                  \
  X(Kw, bool, bias, true, valid::any, Ctor)
struct BatchNormOptions {
  EMBER_LAYER_OPTIONS(EMBER_BATCH_NORM_FIELDS)
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;

/// What BatchNorm1d and BatchNorm2d share: all but the input shapes they take.
class EMBER_API BatchNorm : public Layer<BatchNormOptions> {
 public:
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

 protected:
  /// Inputs of min_dim to max_dim dims; `shapes` names them in errors ("(N, C) or (N, C, L)").
  BatchNorm(std::string type_name, BatchNormOptions options, int64_t min_dim, int64_t max_dim, const char* shapes);

 private:
  int64_t min_dim_, max_dim_;
  const char* shapes_;
};

/// Over an (N, C) or (N, C, L) input.
class EMBER_API BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(BatchNormOptions options = {})
      : BatchNorm("BatchNorm1d", std::move(options), 2, 3, "(N, C) or (N, C, L)") {}
  EMBER_LAYER_SHORT_FORM(BatchNorm1d)
};

/// Over an (N, C, H, W) input.
class EMBER_API BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(BatchNormOptions options = {})
      : BatchNorm("BatchNorm2d", std::move(options), 4, 4, "(N, C, H, W)") {}
  EMBER_LAYER_SHORT_FORM(BatchNorm2d)
};

/// Normalizes over the trailing dims normalized_shape (biased variance), then scales and
/// shifts by elementwise weight and bias.
#define EMBER_LAYER_NORM_FIELDS(X)                                      \
  X(Required, Sizes, normalized_shape, {}, valid::any, Bare | Fixed)    \
  X(Arg, double, eps, 1e-5, valid::any, Named)                          \
  X(Arg, bool, elementwise_affine, true, valid::any, Named | Fixed)     \
  X(Arg, bool, bias, true, valid::any, Named | NoAttr)                  \
  EMBER_FACTORY_FIELDS(X)
struct LayerNormOptions {
  EMBER_LAYER_OPTIONS(EMBER_LAYER_NORM_FIELDS)
};
class EMBER_API LayerNorm : public Layer<LayerNormOptions> {
 public:
  explicit LayerNorm(LayerNormOptions options = {});
  EMBER_LAYER_SHORT_FORM(LayerNorm)
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }
};

// ---- GroupNorm ------------------------------------------------------------------------------

/// Splits the num_channels channels (dim 1) into num_groups groups and normalizes each group of
/// each sample (biased variance), then scales and shifts each channel (affine; bias: PyTorch
/// 2.13's keyword). num_channels must be divisible by num_groups, as PyTorch's ValueError says.
#define EMBER_GROUP_NORM_FIELDS(X)                                      \
  X(Required, int64_t, num_groups, 0, valid::any, Bare | Fixed)         \
  X(Required, int64_t, num_channels, 0, valid::any, Bare | Fixed)       \
  X(Arg, double, eps, 1e-5, valid::any, Named)                          \
  X(Arg, bool, affine, true, valid::any, Named | Fixed)                 \
  EMBER_FACTORY_FIELDS(X)                                               \
  X(Kw, bool, bias, true, valid::any, Named | NoAttr)
struct EMBER_API GroupNormOptions {
  EMBER_LAYER_OPTIONS(EMBER_GROUP_NORM_FIELDS)
  void cross_checks() const;
};
class EMBER_API GroupNorm : public Layer<GroupNormOptions> {
 public:
  explicit GroupNorm(GroupNormOptions options = {});
  EMBER_LAYER_SHORT_FORM(GroupNorm)
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }
};

}  // namespace ember::nn
