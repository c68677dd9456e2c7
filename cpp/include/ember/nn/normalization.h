#pragma once
// Normalization layers, as torch.nn's: BatchNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm,
// LocalResponseNorm, InstanceNorm1d/2d/3d.
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
using BatchNorm3dOptions = BatchNormOptions;

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

/// Over an (N, C, D, H, W) input.
class EMBER_API BatchNorm3d : public BatchNorm {
 public:
  explicit BatchNorm3d(BatchNormOptions options = {})
      : BatchNorm("BatchNorm3d", std::move(options), 5, 5, "(N, C, D, H, W)") {}
  EMBER_LAYER_SHORT_FORM(BatchNorm3d)
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

// ---- RMSNorm, LocalResponseNorm, InstanceNorm ------------------------------------------------

/// x / sqrt(mean(x^2) + eps) over the trailing dims normalized_shape, times an elementwise weight
/// (elementwise_affine); eps unset: the machine epsilon of the input's dtype, as PyTorch's.
#define EMBER_RMS_NORM_FIELDS(X)                                        \
  X(Required, Sizes, normalized_shape, {}, valid::any, Bare | Fixed)    \
  X(Arg, std::optional<double>, eps, std::nullopt, valid::any, Named)   \
  X(Arg, bool, elementwise_affine, true, valid::any, Named | Fixed)     \
  EMBER_FACTORY_FIELDS(X)
struct RMSNormOptions {
  EMBER_LAYER_OPTIONS(EMBER_RMS_NORM_FIELDS)
};
class EMBER_API RMSNorm : public Layer<RMSNormOptions> {
 public:
  explicit RMSNorm(RMSNormOptions options = {});
  EMBER_LAYER_SHORT_FORM(RMSNorm)
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
};

/// Each channel (dim 1) divided by (k + alpha / size * sum of x^2 over the `size` neighbouring
/// channels)^beta, as AlexNet's; inputs (N, C, *) of 3 or more dims.
#define EMBER_LOCAL_RESPONSE_NORM_FIELDS(X)                  \
  X(Required, int64_t, size, 0, valid::any, Bare)            \
  X(Arg, double, alpha, 1e-4, valid::any, Named)             \
  X(Arg, double, beta, 0.75, valid::any, Named)              \
  X(Arg, double, k, 1.0, valid::any, Named)
struct LocalResponseNormOptions {
  EMBER_LAYER_OPTIONS(EMBER_LOCAL_RESPONSE_NORM_FIELDS)
};
class EMBER_API LocalResponseNorm : public Layer<LocalResponseNormOptions> {
 public:
  explicit LocalResponseNorm(LocalResponseNormOptions options = {}) : Layer("LocalResponseNorm", options) {}
  EMBER_LAYER_SHORT_FORM(LocalResponseNorm)
  Tensor forward(const Tensor& input) override;
};

/// Normalizes each channel of each sample over its spatial dims (biased variance); affine: a
/// learned scale and shift per channel (bias: PyTorch 2.13's keyword); track_running_stats: running
/// averages (unbiased variance) kept in training and used in evaluation.
#define EMBER_INSTANCE_NORM_FIELDS(X)                                                                      \
  X(Required, int64_t, num_features, 0, valid::any, Bare | Fixed)                                          \
  X(Arg, double, eps, 1e-5, valid::any, Named)                                                             \
  X(Arg, std::optional<double>, momentum, 0.1, valid::any, Named)                                          \
  X(Arg, bool, affine, false, valid::any, Named | Fixed)                                                   \
  X(Arg, bool, track_running_stats, false, valid::any, Named | Fixed)                                      \
  EMBER_FACTORY_FIELDS(X)                                                                                  \
  X(Kw, bool, bias, true, valid::any, Ctor)
struct InstanceNormOptions {
  EMBER_LAYER_OPTIONS(EMBER_INSTANCE_NORM_FIELDS)
};
using InstanceNorm1dOptions = InstanceNormOptions;
using InstanceNorm2dOptions = InstanceNormOptions;
using InstanceNorm3dOptions = InstanceNormOptions;

/// What InstanceNorm1d and InstanceNorm2d share: all but the input shapes they take.
class EMBER_API InstanceNorm : public Layer<InstanceNormOptions> {
 public:
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  void reset_running_stats();
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }
  Tensor running_mean() const { return buffer("running_mean"); }
  Tensor running_var() const { return buffer("running_var"); }

 protected:
  /// Batched inputs have `dims` dims (unbatched ones one fewer).
  InstanceNorm(std::string type_name, InstanceNormOptions options, int64_t dims);

 private:
  int64_t dims_;
};

/// Over an (N, C, L) or (C, L) input.
class EMBER_API InstanceNorm1d : public InstanceNorm {
 public:
  explicit InstanceNorm1d(InstanceNormOptions options = {}) : InstanceNorm("InstanceNorm1d", std::move(options), 3) {}
  EMBER_LAYER_SHORT_FORM(InstanceNorm1d)
};

/// Over an (N, C, H, W) or (C, H, W) input.
class EMBER_API InstanceNorm2d : public InstanceNorm {
 public:
  explicit InstanceNorm2d(InstanceNormOptions options = {}) : InstanceNorm("InstanceNorm2d", std::move(options), 4) {}
  EMBER_LAYER_SHORT_FORM(InstanceNorm2d)
};

/// Over an (N, C, D, H, W) or (C, D, H, W) input.
class EMBER_API InstanceNorm3d : public InstanceNorm {
 public:
  explicit InstanceNorm3d(InstanceNormOptions options = {}) : InstanceNorm("InstanceNorm3d", std::move(options), 5) {}
  EMBER_LAYER_SHORT_FORM(InstanceNorm3d)
};

}  // namespace ember::nn
