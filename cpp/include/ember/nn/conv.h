#pragma once
// Convolution layers, as torch.nn's: Conv1d, Conv2d, Conv3d (cross-correlations: ember::conv1d/2d/3d),
// ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, and Unfold / Fold (the column matrices convolutions use). Their sizes are kept as tuples of one entry per spatial
// dim, as PyTorch's; padding_mode other than 'zeros' pads the input with functional::pad first.
#include <optional>
#include <string>

#include "ember/nn/layer.h"
#include "ember/ops.h"

namespace ember::nn {

/// The rows every convolution starts with.
#define EMBER_CONV_SHAPE_FIELDS(X)                                                                             \
  X(Required, int64_t, in_channels, 0, valid::at_least(0, "in_channels must be non-negative, got "), Bare | Fixed) \
  X(Required, int64_t, out_channels, 0, valid::at_least(0, "out_channels must be non-negative, got "),          \
    Bare | Fixed)                                                                                              \
  X(Required, Sizes, kernel_size, {}, valid::any, Named | Fixed)                                               \
  X(Arg, Sizes, stride, 1, valid::any, Named)

/// Conv1d and Conv2d: weight (out_channels, in_channels / groups, *kernel_size), bias
/// (out_channels), both uniform in +-1/sqrt(fan_in) as PyTorch's default initialization.
/// padding: sizes or 'same' / 'valid'; padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
#define EMBER_CONV_FIELDS(X)                                                                                   \
  EMBER_CONV_SHAPE_FIELDS(X)                                                                                   \
  X(Arg, Padding, padding, 0, valid::any, Unless)                                                              \
  X(Arg, Sizes, dilation, 1, valid::any, Unless)                                                               \
  X(Arg, int64_t, groups, 1, valid::any, Unless | Fixed)                                                       \
  X(Arg, bool, bias, true, valid::any, Unless | NoAttr)                                                        \
  X(Arg, std::string, padding_mode, "zeros", valid::any, Unless | Plain)                                       \
  EMBER_FACTORY_FIELDS(X)
/// The rules that tie the fields together, with PyTorch's messages.
struct EMBER_API ConvOptions {
  EMBER_LAYER_OPTIONS(EMBER_CONV_FIELDS)
  void cross_checks() const;
};
using Conv1dOptions = ConvOptions;
using Conv2dOptions = ConvOptions;
using Conv3dOptions = ConvOptions;

/// What the convolution layers share: their weight and bias, made and initialized from the
/// options, whose sizes become tuples of `dims` entries.
template <class O>
class EMBER_API ConvLayer : public Layer<O> {
 public:
  void reset_parameters();
  /// PyTorch's order, in which a transposed convolution's dilation comes before output_padding.
  std::string extra_repr() const override;
  Tensor weight() const { return this->parameter("weight"); }
  Tensor bias() const { return this->parameter("bias"); }

 protected:
  /// weight_shape's leading two sizes: (out, in / groups), or (in, out / groups) when transposed.
  ConvLayer(std::string type_name, O options, size_t dims, bool transposed);
};

class EMBER_API Conv1d : public ConvLayer<ConvOptions> {
 public:
  explicit Conv1d(ConvOptions options = {}) : ConvLayer("Conv1d", std::move(options), 1, false) {}
  EMBER_LAYER_SHORT_FORM(Conv1d)
  Tensor forward(const Tensor& input) override;
};

class EMBER_API Conv2d : public ConvLayer<ConvOptions> {
 public:
  explicit Conv2d(ConvOptions options = {}) : ConvLayer("Conv2d", std::move(options), 2, false) {}
  EMBER_LAYER_SHORT_FORM(Conv2d)
  Tensor forward(const Tensor& input) override;
};

class EMBER_API Conv3d : public ConvLayer<ConvOptions> {
 public:
  explicit Conv3d(ConvOptions options = {}) : ConvLayer("Conv3d", std::move(options), 3, false) {}
  EMBER_LAYER_SHORT_FORM(Conv3d)
  Tensor forward(const Tensor& input) override;
};

/// ConvTranspose1d and ConvTranspose2d: the gradient of a convolution wrt its input; weight
/// (in_channels, out_channels / groups, *kernel_size). output_padding adds to one side of the
/// output (less than the stride or the dilation); padding_mode must be 'zeros'.
#define EMBER_CONV_TRANSPOSE_FIELDS(X)                                                                         \
  EMBER_CONV_SHAPE_FIELDS(X)                                                                                   \
  X(Arg, Sizes, padding, 0, valid::any, Unless)                                                                \
  X(Arg, Sizes, output_padding, 0, valid::any, Unless)                                                         \
  X(Arg, int64_t, groups, 1, valid::any, Unless | Fixed)                                                       \
  X(Arg, bool, bias, true, valid::any, Unless | NoAttr)                                                        \
  X(Arg, Sizes, dilation, 1, valid::any, Unless)                                                               \
  X(Arg, std::string, padding_mode, "zeros", valid::any, Unless | Plain)                                       \
  EMBER_FACTORY_FIELDS(X)
struct EMBER_API ConvTransposeOptions {
  EMBER_LAYER_OPTIONS(EMBER_CONV_TRANSPOSE_FIELDS)
  void cross_checks() const;
};
using ConvTranspose1dOptions = ConvTransposeOptions;
using ConvTranspose2dOptions = ConvTransposeOptions;
using ConvTranspose3dOptions = ConvTransposeOptions;

/// output_size (forward's second argument): the spatial size wanted (N and C may lead), which
/// picks the output_padding, as PyTorch's.
class EMBER_API ConvTranspose1d : public ConvLayer<ConvTransposeOptions> {
 public:
  explicit ConvTranspose1d(ConvTransposeOptions options = {})
      : ConvLayer("ConvTranspose1d", std::move(options), 1, true) {}
  EMBER_LAYER_SHORT_FORM(ConvTranspose1d)
  Tensor forward(const Tensor& input) override { return forward(input, std::nullopt); }
  Tensor forward(const Tensor& input, const std::optional<Shape>& output_size);
};

class EMBER_API ConvTranspose2d : public ConvLayer<ConvTransposeOptions> {
 public:
  explicit ConvTranspose2d(ConvTransposeOptions options = {})
      : ConvLayer("ConvTranspose2d", std::move(options), 2, true) {}
  EMBER_LAYER_SHORT_FORM(ConvTranspose2d)
  Tensor forward(const Tensor& input) override { return forward(input, std::nullopt); }
  Tensor forward(const Tensor& input, const std::optional<Shape>& output_size);
};

class EMBER_API ConvTranspose3d : public ConvLayer<ConvTransposeOptions> {
 public:
  explicit ConvTranspose3d(ConvTransposeOptions options = {})
      : ConvLayer("ConvTranspose3d", std::move(options), 3, true) {}
  EMBER_LAYER_SHORT_FORM(ConvTranspose3d)
  Tensor forward(const Tensor& input) override { return forward(input, std::nullopt); }
  Tensor forward(const Tensor& input, const std::optional<Shape>& output_size);
};

/// Unfold: the sliding blocks of an image as columns (functional::unfold); sizes kept as given.
#define EMBER_UNFOLD_FIELDS(X)                              \
  X(Required, Sizes, kernel_size, {}, valid::any, Named)    \
  X(Arg, Sizes, dilation, 1, valid::any, Named)             \
  X(Arg, Sizes, padding, 0, valid::any, Named)              \
  X(Arg, Sizes, stride, 1, valid::any, Named)
struct UnfoldOptions {
  EMBER_LAYER_OPTIONS(EMBER_UNFOLD_FIELDS)
};
class EMBER_API Unfold : public Layer<UnfoldOptions> {
 public:
  explicit Unfold(UnfoldOptions options = {}) : Layer("Unfold", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(Unfold)
  Tensor forward(const Tensor& input) override;
};

/// Fold: columns summed back into an image of output_size (functional::fold).
#define EMBER_FOLD_FIELDS(X)                                \
  X(Required, Sizes, output_size, {}, valid::any, Named)    \
  EMBER_UNFOLD_FIELDS(X)
struct FoldOptions {
  EMBER_LAYER_OPTIONS(EMBER_FOLD_FIELDS)
};
class EMBER_API Fold : public Layer<FoldOptions> {
 public:
  explicit Fold(FoldOptions options = {}) : Layer("Fold", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(Fold)
  Tensor forward(const Tensor& input) override;
};

}  // namespace ember::nn
