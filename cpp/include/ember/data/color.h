#pragma once
// Photometric transforms of torchvision.transforms.v2, on an image (C, H, W) or a batch
// (..., C, H, W), float or uint8: ColorJitter, Normalize, GaussianNoise and RandomErasing. Each
// image draws its own parameters (torchvision's draw once per call), serially from the generator
// before the images are processed in parallel, so a seeded run repeats at any thread count.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ember/nn/layer.h"

namespace ember::transforms {

using nn::repr_float;

/// A ColorJitter amount: one number v (the range [center - v, center + v]) or (min, max).
struct Jitter {
  std::vector<double> values;  // one number, or two
  Jitter(double v = 0) : values{v} {}  // NOLINT: a number is the usual spelling
  Jitter(double lo, double hi) : values{lo, hi} {}
  friend bool operator==(const Jitter& a, const Jitter& b) { return a.values == b.values; }
};
inline std::string repr_value(const Jitter& j) {
  if (j.values.size() == 1) return repr_float(j.values[0]);
  return "(" + repr_float(j.values.at(0)) + ", " + repr_float(j.values.at(1)) + ")";
}

/// RandomErasing's fill: numbers (one, or one per channel), or 'random' (N(0, 1) per pixel).
struct EraseValue {
  std::vector<double> values{0.0};
  bool random = false;
  EraseValue(double v = 0) : values{v} {}  // NOLINT: a number is the usual spelling
  EraseValue(std::vector<double> vs) : values(std::move(vs)) {}  // NOLINT
  static EraseValue random_values() {
    EraseValue v;
    v.values.clear(), v.random = true;
    return v;
  }
  friend bool operator==(const EraseValue& a, const EraseValue& b) {
    return a.random == b.random && a.values == b.values;
  }
};

/// [0.0] or [0.5, 0.5, 0.5] as torchvision keeps it; None for 'random'.
inline std::string repr_value(const EraseValue& v) {
  if (v.random) return "None";
  std::string s = "[";
  for (size_t i = 0; i < v.values.size(); ++i) s += (i ? ", " : "") + repr_float(v.values[i]);
  return s + "]";
}

namespace detail {
void check_jitter(const std::optional<Jitter>& j, const char* name, bool hue);
void check_pair(const Factors& f, const char* op, const char* name, double lo, double hi);
void check_std(const std::vector<double>& std, const char* op);
}  // namespace detail

/// Randomly changes each image's brightness, contrast, saturation and hue, in a random order per
/// image, with torchvision's formulas: brightness blends with black, contrast with the mean of
/// the grayscale image (0.2989 R + 0.587 G + 0.114 B), saturation with the grayscale image, hue
/// shifts H in HSV. Factors are uniform in [max(0, 1 - v), 1 + v] (hue: [-v, v]) or the given
/// (min, max). Float images are taken to lie in [0, 1]; results are clamped there (uint8: 0..255).
#define EMBER_COLOR_JITTER_FIELDS(X)                                                                     \
  X(Arg, std::optional<Jitter>, brightness, std::nullopt,                                              \
    [](const auto& j) { detail::check_jitter(j, "brightness", false); }, Unless)                         \
  X(Arg, std::optional<Jitter>, contrast, std::nullopt,                                                \
    [](const auto& j) { detail::check_jitter(j, "contrast", false); }, Unless)                           \
  X(Arg, std::optional<Jitter>, saturation, std::nullopt,                                              \
    [](const auto& j) { detail::check_jitter(j, "saturation", false); }, Unless)                         \
  X(Arg, std::optional<Jitter>, hue, std::nullopt, [](const auto& j) { detail::check_jitter(j, "hue", true); }, \
    Unless)
struct ColorJitterOptions {
  EMBER_LAYER_OPTIONS(EMBER_COLOR_JITTER_FIELDS)
};
class EMBER_API ColorJitter : public nn::Layer<ColorJitterOptions> {
 public:
  /// The given amounts become torchvision's (min, max) ranges (None where the range is the identity).
  explicit ColorJitter(ColorJitterOptions options = {});
  EMBER_LAYER_SHORT_FORM(ColorJitter)
  Tensor forward(const Tensor& input) override;
};

/// (input - mean) / std per channel, written with ember ops (differentiable).
#define EMBER_NORMALIZE_FIELDS(X)                                                                       \
  X(Required, std::vector<double>, mean, {}, valid::any, Named)                                        \
  X(Required, std::vector<double>, std, {}, [](const auto& s) { detail::check_std(s, "Normalize"); }, Named) \
  X(Arg, bool, inplace, false, valid::any, Named)
struct NormalizeOptions {
  EMBER_LAYER_OPTIONS(EMBER_NORMALIZE_FIELDS)
};
class EMBER_API Normalize : public nn::Layer<NormalizeOptions> {
 public:
  explicit Normalize(NormalizeOptions options = {}) : Layer("Normalize", std::move(options)) {}
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
class EMBER_API GaussianNoise : public nn::Layer<GaussianNoiseOptions> {
 public:
  explicit GaussianNoise(GaussianNoiseOptions options = {}) : Layer("GaussianNoise", options) {}
  EMBER_LAYER_SHORT_FORM(GaussianNoise)
  Tensor forward(const Tensor& input) override;
};

/// With probability p per image, fills a random rectangle (area a fraction in `scale` of the
/// image, aspect ratio log-uniform in `ratio`; torchvision's 10 attempts, else no change) with
/// `value`: one number, one per channel, or 'random' (N(0, 1) per pixel).
#define EMBER_RANDOM_ERASING_FIELDS(X)                                                                  \
  X(Arg, double, p, 0.5,                                                                               \
    valid::holds([](double p) { return 0 <= p && p <= 1; },                                            \
                 "RandomErasing: `p` should be a floating point value in the interval [0.0, 1.0], got "), \
    Named)                                                                                             \
  X(Arg, Factors, scale, (Factors(std::vector<double>{0.02, 0.33})),                                   \
    [](const Factors& f) { detail::check_pair(f, "RandomErasing", "scale", 0, 1); }, Named)             \
  X(Arg, Factors, ratio, (Factors(std::vector<double>{0.3, 3.3})),                                     \
    [](const Factors& f) { detail::check_pair(f, "RandomErasing", "ratio", 0, INFINITY); }, Named)      \
  X(Arg, EraseValue, value, 0.0, valid::any, Named)                                                    \
  X(Arg, bool, inplace, false, valid::any, Named)
struct RandomErasingOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_ERASING_FIELDS)
};
class EMBER_API RandomErasing : public nn::Layer<RandomErasingOptions> {
 public:
  explicit RandomErasing(RandomErasingOptions options = {}) : Layer("RandomErasing", std::move(options)) {}
  EMBER_LAYER_SHORT_FORM(RandomErasing)
  Tensor forward(const Tensor& input) override;
  /// torchvision's, which leaves out value=None ('random').
  std::string extra_repr() const override;
};

}  // namespace ember::transforms
