// ColorJitter, Normalize, GaussianNoise and RandomErasing: each image's parameters drawn serially,
// then the images processed in parallel.
#include "ember/data/color.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>

#include "data/images.h"
#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/ops.h"
#include "ember/random.h"

namespace ember::transforms {



// ---- argument checks ------------------------------------------------------------------------

namespace detail {

/// torchvision's _check_input: the (min, max) range an amount stands for, None for the identity.
std::optional<Numbers> jitter_range(const std::optional<Numbers>& j, const char* name, bool hue) {
  if (!j) return std::nullopt;
  const double center = hue ? 0 : 1, lo_bound = hue ? -0.5 : 0, hi_bound = hue ? 0.5 : INFINITY;
  std::vector<double> v = j->values;
  EMBER_CHECK_TYPE(j->is_number() || v.size() == 2, "ColorJitter: ", name, "=", repr_value(*j),
                   " should be a single number or a sequence with length 2.");
  if (j->is_number()) {
    EMBER_CHECK(v[0] >= 0, "ColorJitter: If ", name, " is a single number, it must be non negative.");
    v = {center - v[0], center + v[0]};
    if (!hue) v[0] = std::max(v[0], 0.0);
  }
  EMBER_CHECK(lo_bound <= v[0] && v[0] <= v[1] && v[1] <= hi_bound, "ColorJitter: ", name,
              " values should be between (", hue ? "-0.5, 0.5" : "0, inf", "), but got ",
              repr_value(Numbers(v, Numbers::Spelling::List)), ".");
  if (v[0] == center && v[1] == center) return std::nullopt;
  return Numbers(v);
}

void check_jitter(const std::optional<Numbers>& j, const char* name, bool hue) { (void)jitter_range(j, name, hue); }

void check_normalize(const Numbers& v, const char* name) {
  EMBER_CHECK_TYPE(!v.is_number(), "Normalize: ", name, " should be a sequence of numbers (one per channel), got ",
                   repr_value(v));
  if (std::string(name) == "std")
    for (double s : v.values) EMBER_CHECK(s != 0, "Normalize: std evaluated to zero, leading to division by zero.");
}

void check_erase_range(const Numbers& v, const char* name) {
  const bool scale = std::string(name) == "scale";
  EMBER_CHECK_TYPE(!v.is_number(), "RandomErasing: ", scale ? "Scale" : "Ratio", " should be a sequence");
  EMBER_CHECK(v.size() == 2 && v[0] <= v[1], "RandomErasing: ", name, " should be a (min, max) pair, got ", repr_value(v));
  if (scale) EMBER_CHECK(v[0] >= 0 && v[1] <= 1, "RandomErasing: Scale should be between 0 and 1, got ", repr_value(v));
  else EMBER_CHECK(v[0] > 0 && v[1] > 0, "RandomErasing: ratio values should be positive, got ", repr_value(v));
}

/// Floats in a list, as torchvision's list(...) / [float(v) ...] keep them.
Numbers float_list(Numbers v) {
  v.spelling = Numbers::Spelling::List;
  v.integral = false;
  return v;
}

}  // namespace detail

// ---- ColorJitter ----------------------------------------------------------------------------

ColorJitter::ColorJitter(ColorJitterOptions o) : Transform("ColorJitter", std::move(o)) {
  options.brightness = detail::jitter_range(options.brightness, "brightness", false);
  options.contrast = detail::jitter_range(options.contrast, "contrast", false);
  options.saturation = detail::jitter_range(options.saturation, "saturation", false);
  options.hue = detail::jitter_range(options.hue, "hue", true);
}

namespace {

/// One image's draw: the order of the four adjustments and each factor (NaN: that one is off).
struct JitterDraw {
  std::array<int, 4> order;
  std::array<double, 4> factor;
};

// The arithmetic runs in float32 for uint8 and float32 images, as torchvision's, and in float64
// for float64 images.
template <class T>
using Math = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <class F>
inline F gray_of(F r, F g, F b) {
  return r * F(0.2989) + g * F(0.587) + b * F(0.114);
}

/// The hue shift of torchvision's adjust_hue on one pixel in [0, 1] (its RGB -> HSV -> RGB).
template <class F>
inline void shift_hue(F& r, F& g, F& b, F shift) {
  const F maxc = std::max(r, std::max(g, b)), minc = std::min(r, std::min(g, b));
  const bool eqc = maxc == minc;
  const F range = maxc - minc;
  const F s = range / (eqc ? F(1) : maxc);
  const F div = eqc ? F(1) : range;
  const F rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div;
  F h = maxc == r ? bc - gc : maxc == g ? F(2) + rc - bc : F(4) + gc - rc;
  h = std::fmod(h * F(1.0 / 6.0) + F(1), F(1));
  h += shift;
  h -= std::floor(h);
  const F v = maxc, h6 = h * F(6), i = std::floor(h6), f = h6 - i;
  const F p = std::clamp(v * (F(1) - s), F(0), F(1));
  const F q = std::clamp(v * (F(1) - s * f), F(0), F(1));
  const F t = std::clamp(v * (s * f + (F(1) - s)), F(0), F(1));
  switch (static_cast<int>(i) % 6) {
    case 0: r = v, g = t, b = p; break;
    case 1: r = q, g = v, b = p; break;
    case 2: r = p, g = v, b = t; break;
    case 3: r = p, g = q, b = v; break;
    case 4: r = t, g = p, b = v; break;
    default: r = v, g = p, b = q; break;
  }
}

/// clamp to [0, bound] and, for uint8's values, truncate (torchvision's conversion back to uint8).
template <bool Integer, class F>
inline F finish(F v) {
  v = std::min(std::max(v, F(0)), Integer ? F(255) : F(1));
  return Integer ? std::trunc(v) : v;
}

/// Each plane of x (hw values) blended as x keep + other mix: `other` one value per pixel, or
/// (other_n == 1) one value for the image.
template <bool Integer, class F>
void blend(F* x, int64_t planes, int64_t hw, const F* other, bool per_pixel, F keep) {
  const F mix = F(1.0 - double(keep));
  for (int64_t p = 0; p < planes; ++p) {
    F* xp = x + p * hw;
    if (per_pixel) {
      for (int64_t k = 0; k < hw; ++k) xp[k] = finish<Integer>(xp[k] * keep + other[k] * mix);
    } else {
      const F m = other[0] * mix;
      for (int64_t k = 0; k < hw; ++k) xp[k] = finish<Integer>(xp[k] * keep + m);
    }
  }
}

/// One image (C = 1 or 3 planes of hw values) adjusted in place; Integer: the values are uint8's
/// 0..255, truncated after each adjustment as torchvision's.
template <bool Integer, class F>
void jitter_image(F* x, int64_t c, int64_t hw, const JitterDraw& d, std::vector<F>& gray) {
  auto make_gray = [&] {
    gray.resize(hw);
    const F *r = x, *g = x + hw, *b = x + 2 * hw;
    for (int64_t k = 0; k < hw; ++k) {
      const F l = gray_of(r[k], g[k], b[k]);
      gray[k] = Integer ? std::floor(l) : l;
    }
  };
  for (int which : d.order) {
    const double factor = d.factor[which];
    if (std::isnan(factor)) continue;
    const F f = static_cast<F>(factor);
    switch (which) {
      case 0:  // brightness: blend with black
        for (int64_t k = 0; k < c * hw; ++k) x[k] = finish<Integer>(x[k] * f);
        break;
      case 1: {  // contrast: blend with the grayscale image's mean
        double sum = 0;
        if (c == 3) make_gray();
        const F* l = c == 3 ? gray.data() : x;
        for (int64_t k = 0; k < hw; ++k) sum += l[k];
        const F mean = static_cast<F>(sum / double(hw));
        blend<Integer>(x, c, hw, &mean, false, f);
        break;
      }
      case 2:  // saturation: blend with the grayscale image
        if (c == 1) break;
        make_gray();
        blend<Integer>(x, c, hw, gray.data(), true, f);
        break;
      default:  // hue
        if (c == 1) break;
        for (int64_t k = 0; k < hw; ++k) {
          F r = x[k], g = x[hw + k], b = x[2 * hw + k];
          if (Integer) r *= F(1.0 / 255), g *= F(1.0 / 255), b *= F(1.0 / 255);
          shift_hue(r, g, b, f);
          if (Integer) {
            // torchvision's float -> uint8: times 255 + 1 - 1e-3, truncated.
            const F up = F(255.0 + 1.0 - 1e-3);
            r = std::trunc(r * up), g = std::trunc(g * up), b = std::trunc(b * up);
          }
          x[k] = r, x[hw + k] = g, x[2 * hw + k] = b;
        }
    }
  }
}

}  // namespace

Tensor ColorJitter::forward(const Tensor& input) {
  const ImageBatch batch = image_batch(input, "ColorJitter", false);  // its channels are colors
  EMBER_CHECK_TYPE(batch.c == 1 || batch.c == 3, "ColorJitter: input image tensor permitted channel values are 1 or 3, but found ",
                   batch.c, " (input of shape ", shape_str(input.sizes()), ")");
  const std::array<const std::optional<Numbers>*, 4> ranges = {&options.brightness, &options.contrast,
                                                              &options.saturation, &options.hue};
  // torchvision's draws per image: a permutation of the four, then each factor that is on.
  const std::vector<JitterDraw> draws = draw_per_image<JitterDraw>(batch.n, generator, [&](Generator& gen) {
    JitterDraw d;
    for (int i = 0; i < 4; ++i) d.order[i] = i;
    for (int i = 3; i > 0; --i) std::swap(d.order[i], d.order[gen.next_below(i + 1)]);
    for (int i = 0; i < 4; ++i) {
      const auto& r = *ranges[i];
      d.factor[i] = r ? uniform(gen, (*r)[0], (*r)[1]) : NAN;
    }
    return d;
  });
  Tensor out = clone(batch.images);
  if (out.numel() == 0) return batch.restore(out);
  const int64_t c = batch.c, hw = batch.h * batch.w, per = c * hw;
  visit_image_dtype(out.dtype(), "ColorJitter", [&](auto tag) {
    using T = decltype(tag);
    using F = Math<T>;
    T* data = out.data<T>();
    for_each_image(batch.n, per * 8, [&](int64_t i) {
        T* img = data + i * per;
        std::vector<F> gray;
        if constexpr (std::is_same_v<T, F>) {
          jitter_image<false>(img, c, hw, draws[i], gray);
        } else {
          std::vector<F> buf(img, img + per);
          jitter_image<true>(buf.data(), c, hw, draws[i], gray);
          for (int64_t k = 0; k < per; ++k) img[k] = static_cast<T>(buf[k]);
        }
    });
  });
  return batch.restore(out);
}

// ---- Normalize ------------------------------------------------------------------------------

Normalize::Normalize(NormalizeOptions o) : Transform("Normalize", std::move(o)) {
  options.mean = detail::float_list(options.mean);
  options.std = detail::float_list(options.std);
}

Tensor Normalize::forward(const Tensor& input) {
  EMBER_CHECK_TYPE(is_floating(input.dtype()), "Normalize: input tensor should be a float tensor. Got ",
                   dtype_name(input.dtype()), ".");
  EMBER_CHECK(input.dim() >= 3, "Normalize: expected tensor to be a tensor image of size (..., C, H, W). Got ",
              shape_str(input.sizes()), ".");
  detail::check_normalize(options.std, "std");
  const int64_t c = input.size(-3);
  auto channels = [&](const Numbers& numbers, const char* name) {
    const std::vector<double>& v = numbers.values;
    EMBER_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == c, "Normalize: ", name, " has ", v.size(),
                " values for an input with ", c, " channels (shape ", shape_str(input.sizes()), ")");
    Tensor t = Tensor::empty({static_cast<int64_t>(v.size()), 1, 1}, input.dtype());
    visit_floating(input.dtype(), "Normalize", [&](auto tag) {
      using T = decltype(tag);
      for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = static_cast<T>(v[i]);
    });
    return t;
  };
  const Tensor mean = channels(options.mean, "mean"), std = channels(options.std, "std");
  if (!options.inplace) return div(sub(input, mean), std);
  Tensor x = input;
  sub_(x, mean);
  return div_(x, std);
}

// ---- GaussianNoise --------------------------------------------------------------------------

Tensor GaussianNoise::forward(const Tensor& input) {
  const DType dt = input.dtype();
  // The batch of the input's values: a float input may require grad (the sum below carries it).
  const ImageBatch batch = image_batch(is_floating(dt) ? input.detach() : input, "GaussianNoise");
  EMBER_CHECK(is_floating(dt) || dt == DType::UInt8, "GaussianNoise: input tensor is expected to be in uint8 or float dtype, got dtype=",
              dtype_name(dt));
  // Each image's noise comes from a generator seeded from the main one, in image order.
  const std::vector<uint64_t> seeds =
      draw_per_image<uint64_t>(batch.n, generator, [](Generator& g) { return g.next_u64(); });
  const int64_t per = batch.c * batch.h * batch.w;
  const double mean = options.mean, sigma = options.sigma;
  if (dt == DType::UInt8) {
    Tensor out = clone(batch.images);
    uint8_t* data = out.data<uint8_t>();
    const bool clip = options.clip;
    for_each_image(batch.n, per * 8, [&](int64_t i) {
      Generator gen(seeds[i]);
      uint8_t* img = data + i * per;
      for (int64_t k = 0; k < per; ++k) {
        // torchvision: (mean 255 + N(0,1) sigma 255) in float32, truncated to int16, added.
        const auto z = static_cast<float>(gen.next_normal());
        const auto noise = static_cast<int16_t>(static_cast<float>(mean * 255) + z * static_cast<float>(sigma * 255));
        const int v = img[k] + noise;
        img[k] = static_cast<uint8_t>(clip ? std::clamp(v, 0, 255) : (v & 0xff));
      }
    });
    return batch.restore(out);
  }
  Tensor noise = batch.empty(batch.h, batch.w);
  visit_floating(dt, "GaussianNoise", [&](auto tag) {
    using T = decltype(tag);
    T* data = noise.data<T>();
    for_each_image(batch.n, per * 8, [&](int64_t i) {
      Generator gen(seeds[i]);
      for (int64_t k = 0; k < per; ++k) data[i * per + k] = static_cast<T>(mean + gen.next_normal() * sigma);
    });
  });
  // The sum in ember ops: the gradient reaches the input (1 inside [0, 1] when clipped).
  Tensor out = add(input, batch.restore(noise));
  if (options.clip) out = clamp(out, scalar_tensor(0.0, dt), scalar_tensor(1.0, dt));
  return out;
}

// ---- RandomErasing --------------------------------------------------------------------------

RandomErasing::RandomErasing(RandomErasingOptions o) : Transform("RandomErasing", std::move(o)) {
  if (!options.value.random) options.value.numbers = detail::float_list(options.value.numbers);
}

std::string RandomErasing::extra_repr() const {
  std::string s = nn::fields_repr(options);
  if (options.value.random) {
    const std::string gone = ", value=None";
    s.erase(s.find(gone), gone.size());
  }
  return s;
}

namespace {
/// One image's erased box (h = 0: none) and the seed of its 'random' values.
struct EraseDraw {
  int64_t i = 0, j = 0, h = 0, w = 0;
  uint64_t seed = 0;
};
/// A fill as a pixel: truncated for uint8 (torchvision's assignment of a float tensor), clamped
/// so that 'random' values stay in range.
template <class T>
T erase_pixel(double v) {
  if constexpr (std::is_same_v<T, uint8_t>) return static_cast<T>(std::clamp(std::trunc(v), 0.0, 255.0));
  else return static_cast<T>(v);
}
}  // namespace

Tensor RandomErasing::forward(const Tensor& input) {
  const ImageBatch batch = image_batch(input, "RandomErasing");
  const EraseValue& value = options.value;
  const std::vector<double>& fills = value.numbers.values;
  EMBER_CHECK(value.random || fills.size() == 1 || static_cast<int64_t>(fills.size()) == batch.c,
              "RandomErasing: if value is a sequence, it should have either a single value or ", batch.c,
              " (number of inpt channels), got ", fills.size(), " values for an input of shape ",
              shape_str(input.sizes()));
  const int64_t H = batch.h, W = batch.w;
  const double area = static_cast<double>(H * W);
  const double s0 = options.scale[0], s1 = options.scale[1];
  const double r0 = std::log(options.ratio[0]), r1 = std::log(options.ratio[1]);
  const double p = options.p;
  const std::vector<EraseDraw> draws = draw_per_image<EraseDraw>(batch.n, generator, [&](Generator& gen) {
    EraseDraw d;
    if (gen.next_double() >= p) return d;
    for (int attempt = 0; attempt < 10; ++attempt) {  // torchvision's rule: 10 tries, else no erasing
      const double erase_area = area * uniform(gen, s0, s1);
      const double aspect = std::exp(uniform(gen, r0, r1));
      const auto h = static_cast<int64_t>(std::nearbyint(std::sqrt(erase_area * aspect)));
      const auto w = static_cast<int64_t>(std::nearbyint(std::sqrt(erase_area / aspect)));
      if (!(h < H && w < W)) continue;
      if (value.random) d.seed = gen.next_u64();
      d.i = randint(gen, 0, H - h + 1);
      d.j = randint(gen, 0, W - w + 1);
      d.h = h, d.w = w;
      break;
    }
    return d;
  });
  Tensor out = clone(batch.images);
  const int64_t c = batch.c, hw = H * W;
  visit_image_dtype(out.dtype(), "RandomErasing", [&](auto tag) {
    using T = decltype(tag);
    T* data = out.data<T>();
    for_each_image(batch.n, c * hw, [&](int64_t n) {
      const EraseDraw& d = draws[n];
      if (d.h == 0 || d.w == 0) return;
      Generator gen(d.seed);
      for (int64_t ch = 0; ch < c; ++ch) {
        const double fill = value.random ? 0 : fills[fills.size() == 1 ? 0 : ch];
        for (int64_t y = d.i; y < d.i + d.h; ++y)
          for (int64_t x = d.j; x < d.j + d.w; ++x)
            data[n * c * hw + ch * hw + y * W + x] = erase_pixel<T>(value.random ? float(gen.next_normal()) : fill);
      }
    });
  });
  out = batch.restore(out);
  if (!options.inplace) return out;
  Tensor target = input;  // torchvision's inplace=True: the result written into the input
  return copy_(target, out);
}

}  // namespace ember::transforms
