#pragma once
// Geometric transforms of ember.transforms (torchvision.transforms.v2's): flips, crops, resizing
// and affine warps, each a batched kernel over (..., C, H, W) images (ember/data/transform.h).
#include <optional>
#include <string>
#include <vector>

#include "ember/data/transform.h"
#include "ember/ops.h"

namespace ember::transforms {

namespace rule {
/// torchvision's padding: an int, or a sequence of 1, 2 or 4 non-negative ints.
inline auto padding(const char* op) {
  return [=](const Sizes& p) {
    const size_t n = p.dims.size();
    EMBER_CHECK(n == 1 || n == 2 || n == 4, op, ": Padding must be an int or a 1, 2, or 4 element tuple, not a ", n,
                " element tuple");
    for (int64_t d : p.dims) EMBER_CHECK(d >= 0, op, ": padding should be non-negative, got ", nn::repr_value(p));
  };
}
inline auto padding_mode(const char* op) {
  return [=](const std::string& mode) {
    EMBER_CHECK(mode == "constant" || mode == "edge" || mode == "reflect" || mode == "symmetric", op,
                ": Padding mode should be either constant, edge, reflect or symmetric, got '", mode, "'");
  };
}
/// Resize's size: one or two positive sizes (None is the row's other value).
inline void resize_size(const Sizes& s) {
  EMBER_CHECK(s.dims.size() == 1 || s.dims.size() == 2,
              "Resize: size can be an integer, a sequence of one or two integers, or None, but got ", nn::repr_value(s),
              " instead.");
  for (int64_t d : s.dims) EMBER_CHECK(d > 0, "Resize: size should be positive, got ", nn::repr_value(s));
}
/// The modes Resize and RandomResizedCrop resample with (through nn.functional.interpolate).
inline auto resampling(const char* op) {
  return [=](InterpolationMode m) {
    check_interpolation(m, {InterpolationMode::Nearest, InterpolationMode::NearestExact, InterpolationMode::Bilinear,
                            InterpolationMode::Bicubic}, op);
  };
}
/// The modes of the affine warps (torchvision's grid transform: NEAREST and BILINEAR).
inline auto warping(const char* op) {
  return [=](InterpolationMode m) { check_interpolation(m, {InterpolationMode::Nearest, InterpolationMode::Bilinear}, op); };
}
inline void translate(const Numbers& v) {
  sequence(v, "RandomAffine", "translate", {2});
  for (double t : v.values) EMBER_CHECK(0.0 <= t && t <= 1.0, "RandomAffine: translation values should be between 0 and 1");
}
inline void affine_scale(const Numbers& v) {
  sequence(v, "RandomAffine", "scale", {2});
  for (double s : v.values) EMBER_CHECK(s > 0, "RandomAffine: scale values should be positive");
  EMBER_CHECK(v[0] <= v[1], "RandomAffine: scale should be of kind (min, max), got ", repr_value(v));
}
inline auto center(const char* op) {
  return [=](const Numbers& v) { sequence(v, op, "center", {2}); };
}
}  // namespace rule

/// Flips each image left to right with probability p, each image drawing its own coin.
#define EMBER_RANDOM_HORIZONTAL_FLIP_FIELDS(X) EMBER_TRANSFORM_P_FIELD(X, "RandomHorizontalFlip: ")
struct RandomHorizontalFlipOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_HORIZONTAL_FLIP_FIELDS)
};
class EMBER_API RandomHorizontalFlip : public Transform<RandomHorizontalFlipOptions> {
 public:
  explicit RandomHorizontalFlip(RandomHorizontalFlipOptions options = {})
      : Transform("RandomHorizontalFlip", options) {}
  EMBER_LAYER_SHORT_FORM(RandomHorizontalFlip)
  Tensor forward(const Tensor& input) override;
};

/// Flips each image top to bottom with probability p, each image drawing its own coin.
#define EMBER_RANDOM_VERTICAL_FLIP_FIELDS(X) EMBER_TRANSFORM_P_FIELD(X, "RandomVerticalFlip: ")
struct RandomVerticalFlipOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_VERTICAL_FLIP_FIELDS)
};
class EMBER_API RandomVerticalFlip : public Transform<RandomVerticalFlipOptions> {
 public:
  explicit RandomVerticalFlip(RandomVerticalFlipOptions options = {}) : Transform("RandomVerticalFlip", options) {}
  EMBER_LAYER_SHORT_FORM(RandomVerticalFlip)
  Tensor forward(const Tensor& input) override;
};

/// Crops each image at a random place, (h, w) = size, after padding it (padding: left/right and
/// top/bottom, or left, top, right, bottom; pad_if_needed pads an image smaller than the crop by
/// the difference on both sides), with fill or the image's own pixels (padding_mode). The padding
/// is kept as torchvision keeps it, [left, right, top, bottom].
#define EMBER_RANDOM_CROP_FIELDS(X)                                                                       \
  X(Required, Sizes, size, Sizes{}, rule::size("RandomCrop"), Named)                                      \
  X(Arg, std::optional<Sizes>, padding, std::nullopt, valid::none_or(rule::padding("RandomCrop")), Unless) \
  X(Arg, bool, pad_if_needed, false, valid::any, Named)                                                   \
  X(Arg, Numbers, fill, 0, valid::any, Named)                                                             \
  X(Arg, std::string, padding_mode, "constant", rule::padding_mode("RandomCrop"), Named | Plain)           \
  X(Kept, bool, padding_kept, false, valid::any, Ctor) /* padding already in its kept order (a copy's) */
struct RandomCropOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_CROP_FIELDS)
};
class EMBER_API RandomCrop : public Transform<RandomCropOptions> {
 public:
  explicit RandomCrop(RandomCropOptions options);
  EMBER_LAYER_SHORT_FORM(RandomCrop)
  Tensor forward(const Tensor& input) override;
};

/// Crops the center (h, w) = size of every image, padding with zeros where the crop is larger.
/// A view of the input where no padding is needed (differentiable either way).
#define EMBER_CENTER_CROP_FIELDS(X) X(Required, Sizes, size, Sizes{}, rule::size("CenterCrop"), Named)
struct CenterCropOptions {
  EMBER_LAYER_OPTIONS(EMBER_CENTER_CROP_FIELDS)
};
class EMBER_API CenterCrop : public Transform<CenterCropOptions> {
 public:
  explicit CenterCrop(CenterCropOptions options);
  EMBER_LAYER_SHORT_FORM(CenterCrop)
  Tensor forward(const Tensor& input) override;
};

/// A transform giving several crops of each image (views of it): crops(); Python's forward
/// returns them as a tuple, C++'s stacks them on a new first dim (k, ..., C, h, w).
template <class O>
class MultiCrop : public Transform<O> {
 public:
  MultiCrop(std::string type_name, O o) : Transform<O>(std::move(type_name), std::move(o)) {
    this->options.size = setup_size(this->options.size);
  }
  virtual std::vector<Tensor> crops(const Tensor& input) const = 0;
  Tensor forward(const Tensor& input) override { return stack(crops(input), 0); }
};

/// The four corner crops and the center crop of size (h, w), in that order.
#define EMBER_FIVE_CROP_FIELDS(X) X(Required, Sizes, size, Sizes{}, rule::size("FiveCrop"), Named)
struct FiveCropOptions {
  EMBER_LAYER_OPTIONS(EMBER_FIVE_CROP_FIELDS)
};
class EMBER_API FiveCrop : public MultiCrop<FiveCropOptions> {
 public:
  explicit FiveCrop(FiveCropOptions options) : MultiCrop("FiveCrop", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(FiveCrop)
  std::vector<Tensor> crops(const Tensor& input) const override;
};

/// FiveCrop's five crops, then the five of the image flipped left-right (top-bottom with
/// vertical_flip).
#define EMBER_TEN_CROP_FIELDS(X)                                   \
  X(Required, Sizes, size, Sizes{}, rule::size("TenCrop"), Named) \
  X(Arg, bool, vertical_flip, false, valid::any, Named)
struct TenCropOptions {
  EMBER_LAYER_OPTIONS(EMBER_TEN_CROP_FIELDS)
};
class EMBER_API TenCrop : public MultiCrop<TenCropOptions> {
 public:
  explicit TenCrop(TenCropOptions options) : MultiCrop("TenCrop", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(TenCrop)
  std::vector<Tensor> crops(const Tensor& input) const override;
};

/// Resizes every image to size (h, w), or its smaller edge to size (int or [s]), the longer one
/// then capped at max_size; size None: the longer edge becomes max_size. Bilinear with antialias
/// filters as torch's interpolate(antialias=True) does when shrinking.
#define EMBER_RESIZE_FIELDS(X)                                                                            \
  X(Required, std::optional<Sizes>, size, std::nullopt, valid::none_or(rule::resize_size), Named)         \
  X(Arg, InterpolationMode, interpolation, InterpolationMode::Bilinear, rule::resampling("Resize"), Named) \
  X(Arg, std::optional<int64_t>, max_size, std::nullopt, valid::any, Unless)                              \
  X(Arg, std::optional<bool>, antialias, true, valid::any, Named)
struct ResizeOptions {
  EMBER_LAYER_OPTIONS(EMBER_RESIZE_FIELDS)
  void cross_checks() const;
};
class EMBER_API Resize : public Transform<ResizeOptions> {
 public:
  explicit Resize(ResizeOptions options);
  EMBER_LAYER_SHORT_FORM(Resize)
  /// The input itself when the size does not change (as torchvision).
  Tensor forward(const Tensor& input) override;
};

/// Crops a random part of each image (its area a fraction `scale` of the image's, its aspect
/// ratio w / h log-uniform in `ratio`; after 10 tries that do not fit, the largest center crop of
/// a ratio in range) and resizes it to size.
#define EMBER_RANDOM_RESIZED_CROP_FIELDS(X)                                                              \
  X(Required, Sizes, size, Sizes{}, rule::size("RandomResizedCrop"), Named)                             \
  X(Arg, Numbers, scale, (Numbers({0.08, 1.0})), rule::range("RandomResizedCrop", "scale", false), Named)   \
  X(Arg, Numbers, ratio, (Numbers({3.0 / 4.0, 4.0 / 3.0})),                                             \
    rule::range("RandomResizedCrop", "ratio", true), Named)              \
  X(Arg, InterpolationMode, interpolation, InterpolationMode::Bilinear,                                  \
    rule::resampling("RandomResizedCrop"), Named)                                                        \
  X(Arg, std::optional<bool>, antialias, true, valid::any, Named)
struct RandomResizedCropOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_RESIZED_CROP_FIELDS)
};
class EMBER_API RandomResizedCrop : public Transform<RandomResizedCropOptions> {
 public:
  explicit RandomResizedCrop(RandomResizedCropOptions options);
  EMBER_LAYER_SHORT_FORM(RandomResizedCrop)
  Tensor forward(const Tensor& input) override;
};

/// A random affine warp of each image about its center (or `center`): a rotation in degrees, a
/// translation up to translate * (W, H) pixels, a scale and shears, drawn as torchvision's
/// get_params; pixels come from torchvision's inverse matrix and grid (align_corners=False), the
/// outside filled with fill (blended by the in-image weight, as torchvision, for BILINEAR).
#define EMBER_RANDOM_AFFINE_FIELDS(X)                                                                    \
  X(Required, Numbers, degrees, 0, rule::angle("RandomAffine", "degrees", {2}), Named)                  \
  X(Arg, std::optional<Numbers>, translate, std::nullopt, valid::none_or(rule::translate), Unless)      \
  X(Arg, std::optional<Numbers>, scale, std::nullopt, valid::none_or(rule::affine_scale), Unless)       \
  X(Arg, std::optional<Numbers>, shear, std::nullopt,                                                   \
    valid::none_or(rule::angle("RandomAffine", "shear", {2, 4})), Unless)                               \
  X(Arg, InterpolationMode, interpolation, InterpolationMode::Nearest, rule::warping("RandomAffine"), Named) \
  X(Arg, Numbers, fill, 0, valid::any, Named)                                                           \
  X(Arg, std::optional<Numbers>, center, std::nullopt, valid::none_or(rule::center("RandomAffine")), Unless)
struct RandomAffineOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_AFFINE_FIELDS)
};
class EMBER_API RandomAffine : public Transform<RandomAffineOptions> {
 public:
  explicit RandomAffine(RandomAffineOptions options);
  EMBER_LAYER_SHORT_FORM(RandomAffine)
  Tensor forward(const Tensor& input) override;
};

/// Rotates each image by an angle drawn from degrees (counter-clockwise), about its center or
/// `center`; expand makes the output large enough for the whole rotated image (on a batch, the
/// largest such size of its images, each image centered on it).
#define EMBER_RANDOM_ROTATION_FIELDS(X)                                                                  \
  X(Required, Numbers, degrees, 0, rule::angle("RandomRotation", "degrees", {2}), Named)                \
  X(Arg, InterpolationMode, interpolation, InterpolationMode::Nearest, rule::warping("RandomRotation"), Named) \
  X(Arg, bool, expand, false, valid::any, Named)                                                        \
  X(Arg, std::optional<Numbers>, center, std::nullopt, valid::none_or(rule::center("RandomRotation")), Unless) \
  X(Arg, Numbers, fill, 0, valid::any, Named)
struct RandomRotationOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_ROTATION_FIELDS)
};
class EMBER_API RandomRotation : public Transform<RandomRotationOptions> {
 public:
  explicit RandomRotation(RandomRotationOptions options);
  EMBER_LAYER_SHORT_FORM(RandomRotation)
  Tensor forward(const Tensor& input) override;
  /// torchvision lists fill before center.
  std::string extra_repr() const override {
    return nn::fields_repr(options, {"degrees", "interpolation", "expand", "fill", "center"});
  }
};

}  // namespace ember::transforms
