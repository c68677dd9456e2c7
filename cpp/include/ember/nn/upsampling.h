#pragma once
// Resampling layers, as torch.nn's: Upsample, UpsamplingNearest2d, UpsamplingBilinear2d (over
// functional::interpolate) and PixelShuffle, PixelUnshuffle (reshapes and a permute).
#include <string>

#include "ember/nn/layer.h"

namespace ember::nn {

/// size or scale_factor (one of them) sets the output's spatial size; mode 'nearest',
/// 'nearest-exact', 'area' (adaptive average pooling), 'linear' (3-d input), 'bilinear' or
/// 'bicubic' (4-d), 'trilinear' (5-d); align_corners only with the interpolating modes. A scale_factor of 0 is None,
/// as PyTorch's `float(scale_factor) if scale_factor else None`.
#define EMBER_UPSAMPLE_FIELDS(X)                                                          \
  X(Arg, std::optional<Sizes>, size, std::nullopt, valid::any, Named)                     \
  X(Arg, std::optional<Factors>, scale_factor, std::nullopt, valid::any, Named)           \
  X(Arg, std::string, mode, "nearest", valid::any, Named)                                 \
  X(Arg, std::optional<bool>, align_corners, std::nullopt, valid::any, Quiet)             \
  X(Arg, std::optional<bool>, recompute_scale_factor, std::nullopt, valid::any, Quiet)
struct UpsampleOptions {
  EMBER_LAYER_OPTIONS(EMBER_UPSAMPLE_FIELDS)
};
class EMBER_API Upsample : public Layer<UpsampleOptions> {
 public:
  explicit Upsample(UpsampleOptions options = {});
  EMBER_LAYER_SHORT_FORM(Upsample)
  Tensor forward(const Tensor& input) override;
  /// PyTorch's: scale_factor=... when given, else size=...; then mode=...
  std::string extra_repr() const override;
};

/// UpsamplingNearest2d (mode 'nearest') and UpsamplingBilinear2d (mode 'bilinear' with
/// align_corners=True): Upsample with the mode fixed, kept as read-only attributes (Kept rows:
/// no arguments of these classes).
#define EMBER_UPSAMPLING_2D_FIELDS(X)                                                     \
  X(Arg, std::optional<Sizes>, size, std::nullopt, valid::any, Named)                     \
  X(Arg, std::optional<Factors>, scale_factor, std::nullopt, valid::any, Named)
#define EMBER_UPSAMPLING_NEAREST_2D_FIELDS(X)                                             \
  EMBER_UPSAMPLING_2D_FIELDS(X)                                                           \
  X(Kept, std::string, mode, "nearest", valid::any, Quiet | Fixed)                        \
  X(Kept, std::optional<bool>, align_corners, std::nullopt, valid::any, Quiet | Fixed)
#define EMBER_UPSAMPLING_BILINEAR_2D_FIELDS(X)                                            \
  EMBER_UPSAMPLING_2D_FIELDS(X)                                                           \
  X(Kept, std::string, mode, "bilinear", valid::any, Quiet | Fixed)                       \
  X(Kept, std::optional<bool>, align_corners, true, valid::any, Quiet | Fixed)
struct UpsamplingNearest2dOptions {
  EMBER_LAYER_OPTIONS(EMBER_UPSAMPLING_NEAREST_2D_FIELDS)
};
struct UpsamplingBilinear2dOptions {
  EMBER_LAYER_OPTIONS(EMBER_UPSAMPLING_BILINEAR_2D_FIELDS)
};
class EMBER_API UpsamplingNearest2d : public Layer<UpsamplingNearest2dOptions> {
 public:
  explicit UpsamplingNearest2d(UpsamplingNearest2dOptions options = {});
  EMBER_LAYER_SHORT_FORM(UpsamplingNearest2d)
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
};
class EMBER_API UpsamplingBilinear2d : public Layer<UpsamplingBilinear2dOptions> {
 public:
  explicit UpsamplingBilinear2d(UpsamplingBilinear2dOptions options = {});
  EMBER_LAYER_SHORT_FORM(UpsamplingBilinear2d)
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
};

/// (*, C r^2, H, W) -> (*, C, H r, W r).
#define EMBER_PIXEL_SHUFFLE_FIELDS(X) X(Required, int64_t, upscale_factor, 0, valid::any, Named)
struct PixelShuffleOptions {
  EMBER_LAYER_OPTIONS(EMBER_PIXEL_SHUFFLE_FIELDS)
};
class EMBER_API PixelShuffle : public Layer<PixelShuffleOptions> {
 public:
  explicit PixelShuffle(PixelShuffleOptions options = {}) : Layer("PixelShuffle", options) {}
  EMBER_LAYER_SHORT_FORM(PixelShuffle)
  Tensor forward(const Tensor& input) override;
};

/// (N, C, *) with C = g m -> the channels reordered as a (m, g) grid read from a (g, m) one.
#define EMBER_CHANNEL_SHUFFLE_FIELDS(X) X(Required, int64_t, groups, 0, valid::any, Named)
struct ChannelShuffleOptions {
  EMBER_LAYER_OPTIONS(EMBER_CHANNEL_SHUFFLE_FIELDS)
};
class EMBER_API ChannelShuffle : public Layer<ChannelShuffleOptions> {
 public:
  explicit ChannelShuffle(ChannelShuffleOptions options = {}) : Layer("ChannelShuffle", options) {}
  EMBER_LAYER_SHORT_FORM(ChannelShuffle)
  Tensor forward(const Tensor& input) override;
};

/// (*, C, H r, W r) -> (*, C r^2, H, W), the inverse of PixelShuffle.
#define EMBER_PIXEL_UNSHUFFLE_FIELDS(X) X(Required, int64_t, downscale_factor, 0, valid::any, Named)
struct PixelUnshuffleOptions {
  EMBER_LAYER_OPTIONS(EMBER_PIXEL_UNSHUFFLE_FIELDS)
};
class EMBER_API PixelUnshuffle : public Layer<PixelUnshuffleOptions> {
 public:
  explicit PixelUnshuffle(PixelUnshuffleOptions options = {}) : Layer("PixelUnshuffle", options) {}
  EMBER_LAYER_SHORT_FORM(PixelUnshuffle)
  Tensor forward(const Tensor& input) override;
};

}  // namespace ember::nn
