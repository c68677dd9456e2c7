#pragma once
// What every image transform of ember.transforms shares (torchvision.transforms.v2's names and
// argument conventions). A transform is a module (nn::Layer) made from option rows, so its Python
// signature, attributes and repr follow from the rows, as a layer's do. It takes one image
// (C, H, W) or images (..., C, H, W), any leading dims, as one batch of N images; uint8 (0..255)
// or floating inputs, the output in the input's dtype. Each image draws its own parameters
// (torchvision v2 draws one set per call), serially from the generator before the kernel runs in
// parallel over the images, so a seeded run repeats exactly whatever the thread count.
#include <cmath>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/layer.h"
#include "ember/random.h"
#include "ember/tensor.h"

namespace ember::transforms {

/// Numbers as torchvision's transforms take them: one number, or a tuple or list of numbers
/// (a fill colour, degrees, a scale range). Kept as given, for the attribute and the repr.
struct Numbers {
  enum class Spelling { Number, Tuple, List };
  std::vector<double> values;
  Spelling spelling = Spelling::Number;
  bool integral = true;  // every value was a Python int: shown without ".0"
  Numbers(double v = 0) : values{v}, integral(v == std::trunc(v)) {}  // NOLINT: one number
  Numbers(std::vector<double> vs, Spelling s = Spelling::Tuple, bool ints = false)
      : values(std::move(vs)), spelling(s), integral(ints) {}
  bool is_number() const { return spelling == Spelling::Number; }
  size_t size() const { return values.size(); }
  double operator[](size_t i) const { return values.at(i); }
  friend bool operator==(const Numbers& a, const Numbers& b) {
    return a.values == b.values && a.spelling == b.spelling && a.integral == b.integral;
  }
};
/// "0", "0.5", "(0.08, 1.0)" or "[-30.0, 30.0]": as Python shows the value.
EMBER_API std::string repr_value(const Numbers& v);

/// How a resampling transform interpolates (torchvision's InterpolationMode; ember implements
/// NEAREST, NEAREST_EXACT and BILINEAR).
enum class InterpolationMode { Nearest, NearestExact, Bilinear, Bicubic, Box, Hamming, Lanczos };
/// "bilinear": the mode's value in torchvision's enum.
EMBER_API const char* interpolation_value(InterpolationMode mode);
/// "InterpolationMode.BILINEAR", as torchvision's repr shows the mode.
EMBER_API std::string repr_value(InterpolationMode mode);
/// ValueError unless the mode is one of `allowed` (op names the transform).
EMBER_API void check_interpolation(InterpolationMode mode, std::initializer_list<InterpolationMode> allowed,
                                   const char* op);

/// A transform: a module made from option rows O, drawing its random parameters from `generator`.
template <class O>
class Transform : public nn::Layer<O> {
 public:
  using nn::Layer<O>::Layer;
  /// Where per-image parameters come from; the default generator when null.
  Generator* generator = nullptr;
};

/// An input of images (..., C, H, W) seen as one batch (N, C, H, W), N the product of the
/// leading dims (1 for a single image).
struct EMBER_API ImageBatch {
  Tensor images;  // (N, C, H, W), contiguous
  Shape lead;     // the input's dims before (C, H, W)
  bool channels = true;  // false: an (H, W) input, seen as one channel and given back without it
  int64_t n = 0, c = 0, h = 0, w = 0;
  /// A new (N, C, height, width) batch of the input's dtype.
  Tensor empty(int64_t height, int64_t width) const;
  /// An (N, C, h, w) result shaped back as the input's leading dims (..., C, h, w).
  Tensor restore(const Tensor& out) const;
};
/// The batch behind `input`: ValueError for fewer than 3 dims (2 when `plain_2d`: an (H, W)
/// image of one channel, as torchvision's geometric transforms take it), RuntimeError when the
/// input requires grad (the kernels have no gradient: transforms act on data, not on a graph).
EMBER_API ImageBatch image_batch(const Tensor& input, const char* op, bool plain_2d = true);

/// Each of n images' parameters, drawn in order by draw(Generator&) from gen (the default
/// generator when null) under its lock: the stream does not depend on the thread count.
template <class P, class Draw>
std::vector<P> draw_per_image(int64_t n, Generator* gen, Draw draw) {
  Generator& g = gen ? *gen : default_generator();
  std::lock_guard<std::mutex> lock(g.mutex());
  std::vector<P> params;
  params.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) params.push_back(draw(g));
  return params;
}
/// Uniform in [lo, hi), as torch's uniform_.
inline double uniform(Generator& g, double lo, double hi) { return lo + (hi - lo) * g.next_double(); }
/// Uniform integer in [lo, hi), as torch's randint.
inline int64_t randint(Generator& g, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(g.next_below(static_cast<uint64_t>(hi - lo)));
}

/// An image's height and width from a size row: one size for both, or (h, w).
inline std::pair<int64_t, int64_t> size_hw(const Sizes& s) {
  return {s.dims.at(0), s.dims.size() == 1 ? s.dims[0] : s.dims.at(1)};
}
/// torchvision's _setup_size, as the transform keeps it: an int or a one-element sequence s gives
/// (s, s); two sizes stay as given.
EMBER_API Sizes setup_size(const Sizes& s);
/// torchvision's _setup_angle: a number d gives the range [-d, d]; a sequence stays, as floats.
EMBER_API Numbers setup_angle(const Numbers& v);
/// The fill colour for images of `channels` channels: one value for every channel, or one each
/// (ValueError for another count, with torchvision's message).
EMBER_API std::vector<double> fill_values(const Numbers& fill, int64_t channels, const char* op);

/// The rules of transforms' rows, with torchvision's messages; `op` starts each message.
namespace rule {
/// torchvision's sequence check: a sequence (TypeError for one number) of one of `lengths`.
EMBER_API void sequence(const Numbers& v, const char* op, const char* name, std::initializer_list<size_t> lengths);
/// One or two sizes, each positive.
inline auto size(const char* op) {
  return [=](const Sizes& s) {
    EMBER_CHECK(s.dims.size() == 1 || s.dims.size() == 2, op, ": Please provide only two dimensions (h, w) for size.");
    for (int64_t d : s.dims) EMBER_CHECK(d > 0, op, ": size should be positive, got ", nn::repr_value(s));
  };
}
/// An angle range: a non-negative number d (for [-d, d]), or a sequence of `lengths` numbers
/// whose (min, max) pairs increase.
inline auto angle(const char* op, const char* name, std::initializer_list<size_t> lengths) {
  return [=](const Numbers& v) {
    if (v.is_number()) {
      EMBER_CHECK(v[0] >= 0, op, ": If ", name, " is a single number, it must be positive.");
      return;
    }
    sequence(v, op, name, lengths);
    for (size_t i = 0; i + 1 < v.size(); i += 2)
      EMBER_CHECK(v[i] <= v[i + 1], op, ": ", name, " should be of kind (min, max), got ", repr_value(v));
  };
}
/// A (min, max) pair of numbers, min <= max, each positive (or non-negative).
inline auto range(const char* op, const char* name, bool positive) {
  return [=](const Numbers& v) {
    sequence(v, op, name, {2});
    EMBER_CHECK(v[0] <= v[1], op, ": ", name, " should be of kind (min, max), got ", repr_value(v));
    EMBER_CHECK(positive ? v[0] > 0 : v[0] >= 0, op, ": ", name, " values should be ",
                positive ? "positive" : "non-negative", ", got ", repr_value(v));
  };
}
}  // namespace rule

/// torchvision's `p`, the probability that a random transform acts on an image; `op` starts the
/// message ("RandomHorizontalFlip: ").
#define EMBER_TRANSFORM_P_FIELD(X, op)                                                                \
  X(Arg, double, p, 0.5,                                                                              \
    valid::that([](double p) { return 0.0 <= p && p <= 1.0; },                                        \
                op "`p` should be a floating point value in the interval [0.0, 1.0]."),               \
    Named)

}  // namespace ember::transforms
