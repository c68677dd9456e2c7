#pragma once
// Pooling layers, as torch.nn's: max, average and adaptive pools over the last one, two or three dims
// (their ops are in functional.h). Sizes are kept as given (an int or a tuple), as PyTorch's.
#include <utility>

#include "ember/nn/layer.h"

namespace ember::nn {

/// stride unset: the kernel's. return_indices: Python's forward also returns each max's place.
#define EMBER_MAX_POOL_FIELDS(X)                                           \
  X(Required, Sizes, kernel_size, {}, valid::any, Named)                   \
  X(Arg, std::optional<Sizes>, stride, std::nullopt, valid::any, Named)    \
  X(Arg, Sizes, padding, 0, valid::any, Named)                             \
  X(Arg, Sizes, dilation, 1, valid::any, Named)                            \
  X(Arg, bool, return_indices, false, valid::any, Quiet)                   \
  X(Arg, bool, ceil_mode, false, valid::any, Named)
struct MaxPoolOptions {
  EMBER_LAYER_OPTIONS(EMBER_MAX_POOL_FIELDS)
};
using MaxPool1dOptions = MaxPoolOptions;
using MaxPool2dOptions = MaxPoolOptions;
using MaxPool3dOptions = MaxPoolOptions;

class EMBER_API MaxPool1d : public Layer<MaxPoolOptions> {
 public:
  explicit MaxPool1d(MaxPoolOptions options = {});
  EMBER_LAYER_SHORT_FORM(MaxPool1d)
  Tensor forward(const Tensor& input) override;
  /// The maxima and their places along L.
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

class EMBER_API MaxPool2d : public Layer<MaxPoolOptions> {
 public:
  explicit MaxPool2d(MaxPoolOptions options = {});
  EMBER_LAYER_SHORT_FORM(MaxPool2d)
  Tensor forward(const Tensor& input) override;
  /// The maxima and their places in each (H, W) plane.
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

class EMBER_API MaxPool3d : public Layer<MaxPoolOptions> {
 public:
  explicit MaxPool3d(MaxPoolOptions options = {});
  EMBER_LAYER_SHORT_FORM(MaxPool3d)
  Tensor forward(const Tensor& input) override;
  /// The maxima and their places in each (D, H, W) volume.
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

/// stride unset: the kernel's. Kept as tuples, as PyTorch's AvgPool1d keeps them.
#define EMBER_AVG_POOL1D_FIELDS(X)                                         \
  X(Required, Sizes, kernel_size, {}, valid::any, Named)                   \
  X(Arg, std::optional<Sizes>, stride, std::nullopt, valid::any, Named)    \
  X(Arg, Sizes, padding, 0, valid::any, Named)                             \
  X(Arg, bool, ceil_mode, false, valid::any, Quiet)                        \
  X(Arg, bool, count_include_pad, true, valid::any, Quiet)
struct AvgPool1dOptions {
  EMBER_LAYER_OPTIONS(EMBER_AVG_POOL1D_FIELDS)
};
class EMBER_API AvgPool1d : public Layer<AvgPool1dOptions> {
 public:
  explicit AvgPool1d(AvgPool1dOptions options = {});
  EMBER_LAYER_SHORT_FORM(AvgPool1d)
  Tensor forward(const Tensor& input) override;
};

#define EMBER_AVG_POOL2D_FIELDS(X)                                              \
  EMBER_AVG_POOL1D_FIELDS(X)                                                    \
  X(Arg, std::optional<int64_t>, divisor_override, std::nullopt, valid::any, Quiet)
struct AvgPool2dOptions {
  EMBER_LAYER_OPTIONS(EMBER_AVG_POOL2D_FIELDS)
};
class EMBER_API AvgPool2d : public Layer<AvgPool2dOptions> {
 public:
  explicit AvgPool2d(AvgPool2dOptions options = {});
  EMBER_LAYER_SHORT_FORM(AvgPool2d)
  Tensor forward(const Tensor& input) override;
};

using AvgPool3dOptions = AvgPool2dOptions;
class EMBER_API AvgPool3d : public Layer<AvgPool2dOptions> {
 public:
  explicit AvgPool3d(AvgPool2dOptions options = {});
  EMBER_LAYER_SHORT_FORM(AvgPool3d)
  Tensor forward(const Tensor& input) override;
};

#define EMBER_ADAPTIVE_AVG_POOL_FIELDS(X) X(Required, Sizes, output_size, {}, valid::any, Named)
struct AdaptiveAvgPoolOptions {
  EMBER_LAYER_OPTIONS(EMBER_ADAPTIVE_AVG_POOL_FIELDS)
};
using AdaptiveAvgPool1dOptions = AdaptiveAvgPoolOptions;
using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions;
using AdaptiveAvgPool3dOptions = AdaptiveAvgPoolOptions;

class EMBER_API AdaptiveAvgPool1d : public Layer<AdaptiveAvgPoolOptions> {
 public:
  explicit AdaptiveAvgPool1d(AdaptiveAvgPoolOptions options = {}) : Layer("AdaptiveAvgPool1d", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(AdaptiveAvgPool1d)
  Tensor forward(const Tensor& input) override;
};

class EMBER_API AdaptiveAvgPool2d : public Layer<AdaptiveAvgPoolOptions> {
 public:
  explicit AdaptiveAvgPool2d(AdaptiveAvgPoolOptions options = {}) : Layer("AdaptiveAvgPool2d", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(AdaptiveAvgPool2d)
  Tensor forward(const Tensor& input) override;
};

class EMBER_API AdaptiveAvgPool3d : public Layer<AdaptiveAvgPoolOptions> {
 public:
  explicit AdaptiveAvgPool3d(AdaptiveAvgPoolOptions options = {}) : Layer("AdaptiveAvgPool3d", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(AdaptiveAvgPool3d)
  Tensor forward(const Tensor& input) override;
};

#define EMBER_ADAPTIVE_MAX_POOL_FIELDS(X)                        \
  X(Required, Sizes, output_size, {}, valid::any, Named)         \
  X(Arg, bool, return_indices, false, valid::any, Quiet)
struct AdaptiveMaxPoolOptions {
  EMBER_LAYER_OPTIONS(EMBER_ADAPTIVE_MAX_POOL_FIELDS)
};
using AdaptiveMaxPool1dOptions = AdaptiveMaxPoolOptions;
using AdaptiveMaxPool2dOptions = AdaptiveMaxPoolOptions;
using AdaptiveMaxPool3dOptions = AdaptiveMaxPoolOptions;

class EMBER_API AdaptiveMaxPool1d : public Layer<AdaptiveMaxPoolOptions> {
 public:
  explicit AdaptiveMaxPool1d(AdaptiveMaxPoolOptions options = {}) : Layer("AdaptiveMaxPool1d", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(AdaptiveMaxPool1d)
  Tensor forward(const Tensor& input) override;
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

class EMBER_API AdaptiveMaxPool2d : public Layer<AdaptiveMaxPoolOptions> {
 public:
  explicit AdaptiveMaxPool2d(AdaptiveMaxPoolOptions options = {}) : Layer("AdaptiveMaxPool2d", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(AdaptiveMaxPool2d)
  Tensor forward(const Tensor& input) override;
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

class EMBER_API AdaptiveMaxPool3d : public Layer<AdaptiveMaxPoolOptions> {
 public:
  explicit AdaptiveMaxPool3d(AdaptiveMaxPoolOptions options = {}) : Layer("AdaptiveMaxPool3d", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(AdaptiveMaxPool3d)
  Tensor forward(const Tensor& input) override;
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

}  // namespace ember::nn
