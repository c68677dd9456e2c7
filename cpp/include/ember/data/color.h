#pragma once
// Photometric transforms of torchvision.transforms.v2, on an image (C, H, W) or a batch
// (..., C, H, W), float or uint8: ColorJitter, Normalize, GaussianNoise and RandomErasing. Each
// image draws its own parameters (torchvision's draw once per call), serially from the generator
// before the images are processed in parallel, so a seeded run repeats at any thread count.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ember/data/transform.h"

namespace ember::transforms {

/// RandomErasing's fill: numbers (one, or one per channel), or 'random' (N(0, 1) per pixel).
struct EraseValue {
  Numbers numbers;  // kept as torchvision keeps them: a list of floats
  bool random = false;
  EraseValue(double v = 0) : numbers(v) { numbers.integral = false; }  // NOLINT: a number is the usual spelling
  EraseValue(Numbers n) : numbers(std::move(n)) {}  // NOLINT
  static EraseValue random_values() {
    EraseValue v;
    v.random = true;
    return v;
  }
  friend bool operator==(const EraseValue& a, const EraseValue& b) {
    return a.random == b.random && (a.random || a.numbers == b.numbers);
  }
};
/// [0.0] or [0.5, 0.5, 0.5]; None for 'random'.
inline std::string repr_value(const EraseValue& v) { return v.random ? "None" : repr_value(v.numbers); }

namespace detail {
EMBER_API void check_jitter(const std::optional<Numbers>& j, const char* name, bool hue);
EMBER_API void check_normalize(const Numbers& v, const char* name);
EMBER_API void check_erase_range(const Numbers& v, const char* name);
}  // namespace detail

/// Randomly changes each image's brightness, contrast, saturation and hue, in a random order per
/// image, with torchvision's formulas: brightness blends with black, contrast with the mean of
/// the grayscale image (0.2989 R + 0.587 G + 0.114 B), saturation with the grayscale image, hue
/// shifts H in HSV. Factors are uniform in [max(0, 1 - v), 1 + v] (hue: [-v, v]) or the given
/// (min, max). Float images are taken to lie in [0, 1]; results are clamped there (uint8: 0..255).
#define EMBER_COLOR_JITTER_FIELDS(X)                                                                     \
  X(Arg, std::optional<Numbers>, brightness, std::nullopt,                                              \
    [](const auto& j) { detail::check_jitter(j, "brightness", false); }, Unless)                         \
  X(Arg, std::optional<Numbers>, contrast, std::nullopt,                                                \
    [](const auto& j) { detail::check_jitter(j, "contrast", false); }, Unless)                           \
  X(Arg, std::optional<Numbers>, saturation, std::nullopt,                                              \
    [](const auto& j) { detail::check_jitter(j, "saturation", false); }, Unless)                         \
  X(Arg, std::optional<Numbers>, hue, std::nullopt, [](const auto& j) { detail::check_jitter(j, "hue", true); }, \
    Unless)
struct ColorJitterOptions {
  EMBER_LAYER_OPTIONS(EMBER_COLOR_JITTER_FIELDS)
};
class EMBER_API ColorJitter : public Transform<ColorJitterOptions> {
 public:
  /// The given amounts become torchvision's (min, max) ranges (None where the range is the identity).
  explicit ColorJitter(ColorJitterOptions options = {});
  EMBER_LAYER_SHORT_FORM(ColorJitter)
  Tensor forward(const Tensor& input) override;
};

/// (input - mean) / std per channel, written with ember ops (differentiable).
#define EMBER_NORMALIZE_FIELDS(X)                                                                       \
  X(Required, Numbers, mean, 0.0, [](const Numbers& v) { detail::check_normalize(v, "mean"); }, Named)   \
  X(Required, Numbers, std, 1.0, [](const Numbers& v) { detail::check_normalize(v, "std"); }, Named)     \
  X(Arg, bool, inplace, false, valid::any, Named)
struct NormalizeOptions {
  EMBER_LAYER_OPTIONS(EMBER_NORMALIZE_FIELDS)
};
class EMBER_API Normalize : public Transform<NormalizeOptions> {
 public:
  /// mean and std kept as torchvision keeps them: lists of floats.
  explicit Normalize(NormalizeOptions options);
  EMBER_LAYER_SHORT_FORM(Normalize)
  Tensor forward(const Tensor& input) override;
};

/// Adds N(mean, sigma^2) noise to each pixel (uint8: mean and sigma scaled by 255, the noise
/// truncated to an integer as torchvision's), clamped to [0, 1] (0..255) when clip.
#define EMBER_GAUSSIAN_NOISE_T_FIELDS(X)                                                                \
  X(Arg, double, mean, 0.0, valid::any, Named)                                                         \
  X(Arg, double, sigma, 0.1, valid::holds([](double s) { return s >= 0; }, "GaussianNoise: sigma shouldn't be negative. Got "), \
    Named)                                                                                             \
  X(Arg, bool, clip, true, valid::any, Named)
struct GaussianNoiseOptions {
  EMBER_LAYER_OPTIONS(EMBER_GAUSSIAN_NOISE_T_FIELDS)
};
class EMBER_API GaussianNoise : public Transform<GaussianNoiseOptions> {
 public:
  explicit GaussianNoise(GaussianNoiseOptions options = {}) : Transform("GaussianNoise", options) {}
  EMBER_LAYER_SHORT_FORM(GaussianNoise)
  Tensor forward(const Tensor& input) override;
};

/// With probability p per image, fills a random rectangle (area a fraction in `scale` of the
/// image, aspect ratio log-uniform in `ratio`; torchvision's 10 attempts, else no change) with
/// `value`: one number, one per channel, or 'random' (N(0, 1) per pixel).
#define EMBER_RANDOM_ERASING_FIELDS(X)                                                                  \
  EMBER_TRANSFORM_P_FIELD(X, "RandomErasing: ")                                                       \
  X(Arg, Numbers, scale, (Numbers(std::vector<double>{0.02, 0.33})), [](const Numbers& v) { detail::check_erase_range(v, "scale"); }, \
    Named)                                                                                             \
  X(Arg, Numbers, ratio, (Numbers(std::vector<double>{0.3, 3.3})), [](const Numbers& v) { detail::check_erase_range(v, "ratio"); }, \
    Named)                                                                                             \
  X(Arg, EraseValue, value, 0.0, valid::any, Named)                                                    \
  X(Arg, bool, inplace, false, valid::any, Named)
struct RandomErasingOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_ERASING_FIELDS)
};
class EMBER_API RandomErasing : public Transform<RandomErasingOptions> {
 public:
  /// value kept as torchvision keeps it: a list of floats (or 'random').
  explicit RandomErasing(RandomErasingOptions options = {});
  EMBER_LAYER_SHORT_FORM(RandomErasing)
  Tensor forward(const Tensor& input) override;
  /// torchvision's, which leaves out value=None ('random').
  std::string extra_repr() const override;
};

}  // namespace ember::transforms
