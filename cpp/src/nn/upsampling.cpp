// interpolate, pixel_shuffle and pixel_unshuffle as composites (index_select, reshape, permute),
// and the layers over them. interpolate follows PyTorch's CPU kernels' index and weight rules
// (aten/src/ATen/native/UpSample.h): the same float arithmetic picks the same sources.
#include "ember/nn/upsampling.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/record.h"
#include "cpu/loops.h"
#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/half.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember::nn {

namespace {

Tensor index_tensor(const std::vector<int64_t>& v) {
  Tensor t = Tensor::empty({static_cast<int64_t>(v.size())}, DType::Int64);
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

/// Output o of a dim of size `in` resized to `out` reads input floor(o * scale) (PyTorch's
/// nearest_idx, in float whatever the dtype, with its exact cases for out = in and out = 2 in,
/// which torch's 1-d kernel does not take: `shortcuts`); `exact` ('nearest-exact'):
/// floor((o + 0.5) * scale), the pixel centers' rule.
Tensor nearest_along(const Tensor& x, int64_t dim, int64_t out, std::optional<double> scale_factor, bool exact,
                     bool shortcuts) {
  const int64_t in = x.sizes()[dim];
  std::vector<int64_t> index(static_cast<size_t>(out));
  const float scale = scale_factor && *scale_factor > 0 ? static_cast<float>(1.0 / *scale_factor)
                                                        : static_cast<float>(in) / static_cast<float>(out);
  for (int64_t o = 0; o < out; ++o) {
    if (exact) index[o] = std::min(static_cast<int64_t>(std::floor((static_cast<float>(o) + 0.5f) * scale)), in - 1);
    else if (shortcuts && out == in) index[o] = o;
    else if (shortcuts && out == 2 * in) index[o] = o >> 1;
    else index[o] = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * scale)), in - 1);
  }
  return index_select(x, dim, index_tensor(index));
}

/// Linear interpolation along one dim: PyTorch's area_pixel_compute_scale,
/// area_pixel_compute_source_index and guard_index_and_lambda, in T (its opmath type).
/// PyTorch's area_pixel_compute_scale: in / out, (in - 1) / (out - 1) with align_corners, or
/// 1 / scale_factor when given.
template <class T>
T source_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale_factor) {
  if (align_corners) return out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  return scale_factor && *scale_factor > 0 ? static_cast<T>(1.0 / *scale_factor)
                                           : static_cast<T>(in) / static_cast<T>(out);
}

/// A weight per output along dim, shaped to broadcast over the dims after it.
Tensor along_weights(const Tensor& x, int64_t dim, int64_t out) {
  Shape shape(static_cast<size_t>(x.dim() - dim), 1);
  shape[0] = out;
  return Tensor::empty(shape, x.dtype());
}

/// v rounded to a 16-bit dtype (other dtypes keep it).
template <class T>
T rounded_to(DType dtype, T v) {
  if (dtype == DType::Float16) return half_to_float(float_to_half(static_cast<float>(v)));
  if (dtype == DType::BFloat16) return bfloat16_to_float(float_to_bfloat16(static_cast<float>(v)));
  return v;
}

/// `weights_in`: torch's 1-d and 3-d linear kernels keep a 16-bit input's weights in its dtype
/// (lambda rounded, then 1 - lambda rounded) and interpolate in float32.
template <class T>
Tensor linear_along(const Tensor& x, int64_t dim, int64_t out, bool align_corners, std::optional<double> scale_factor,
                    DType weights_in) {
  const int64_t in = x.sizes()[dim];
  const T scale = source_scale<T>(in, out, align_corners, scale_factor);
  std::vector<int64_t> lo(static_cast<size_t>(out)), hi(static_cast<size_t>(out));
  Tensor w0 = along_weights(x, dim, out), w1 = along_weights(x, dim, out);
  T* a = w0.data<T>();
  T* b = w1.data<T>();
  for (int64_t o = 0; o < out; ++o) {
    T real = align_corners ? scale * static_cast<T>(o) : scale * (static_cast<T>(o) + T(0.5)) - T(0.5);
    if (!align_corners && real < 0) real = 0;
    const int64_t i = std::min(static_cast<int64_t>(std::floor(real)), in - 1);
    T lambda = std::min(std::max(real - static_cast<T>(i), T(0)), T(1));
    lambda = rounded_to(weights_in, lambda);
    lo[o] = i;
    hi[o] = i + (i < in - 1 ? 1 : 0);
    a[o] = rounded_to(weights_in, T(1) - lambda);
    b[o] = lambda;
  }
  return add(mul(index_select(x, dim, index_tensor(lo)), w0), mul(index_select(x, dim, index_tensor(hi)), w1));
}

/// Keys' cubic convolution at a distance t, for |t| <= 1 (near) and 1 < |t| < 2 (far); A is -0.75
/// in bicubic (torch's) and -0.5 in antialiasing (Pillow's).
template <class T>
T keys_near(T t, T A) { return ((A + 2) * t - (A + 3)) * t * t + 1; }
template <class T>
T keys_far(T t, T A) { return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A; }
/// Bicubic's weights of the taps floor(x) - 1 ... floor(x) + 2, t being x's fraction.
template <class T>
std::array<T, 4> bicubic_weights(T t) {
  const T A = T(-0.75);
  return {keys_far(t + 1, A), keys_near(t, A), keys_near(1 - t, A), keys_far(2 - t, A)};
}

/// Bicubic interpolation along one dim: PyTorch's upsample_bicubic2d (the source index unclamped,
/// Keys' cubic convolution with A = -0.75 over the four taps around it, indices clamped to the
/// edge), in T.
template <class T>
Tensor cubic_along(const Tensor& x, int64_t dim, int64_t out, bool align_corners, std::optional<double> scale_factor,
                   DType weights_in) {
  const int64_t in = x.sizes()[dim];
  const T scale = source_scale<T>(in, out, align_corners, scale_factor);
  std::vector<std::vector<int64_t>> taps(4, std::vector<int64_t>(static_cast<size_t>(out)));
  std::vector<Tensor> weights;
  for (int k = 0; k < 4; ++k) weights.push_back(along_weights(x, dim, out));
  for (int64_t o = 0; o < out; ++o) {
    const T real = align_corners ? scale * static_cast<T>(o) : scale * (static_cast<T>(o) + T(0.5)) - T(0.5);
    const int64_t i = static_cast<int64_t>(std::floor(real));
    const std::array<T, 4> w = bicubic_weights(real - static_cast<T>(i));
    for (int k = 0; k < 4; ++k) {
      taps[k][o] = std::clamp<int64_t>(i - 1 + k, 0, in - 1);
      weights[k].data<T>()[o] = rounded_to(weights_in, w[k]);
    }
  }
  Tensor y;
  for (int k = 0; k < 4; ++k) {
    Tensor term = mul(index_select(x, dim, index_tensor(taps[k])), weights[k]);
    y = k == 0 ? term : add(y, term);
  }
  return y;
}

/// The filters of PyTorch's separable anti-aliasing kernels (UpSampleKernel.cpp's aa_filter), over
/// |t| in input pixels, with the number of taps each spans at a scale of 1.
enum class AAFilter { Linear, Cubic, Lanczos };
int aa_taps(AAFilter f) { return f == AAFilter::Linear ? 2 : f == AAFilter::Cubic ? 4 : 6; }
template <class T>
T aa_weight(AAFilter f, T t) {
  t = std::abs(t);
  if (f == AAFilter::Linear) return t < 1 ? T(1) - t : T(0);
  if (f == AAFilter::Cubic) return t < 1 ? keys_near(t, T(-0.5)) : t < 2 ? keys_far(t, T(-0.5)) : T(0);
  // Lanczos-3: sinc(t) sinc(t / 3) over |t| < 3
  const auto sinc = [](double u) { return u == 0.0 ? 1.0 : std::sin(u * M_PI) / (u * M_PI); };
  return t < 3 ? static_cast<T>(sinc(static_cast<double>(t)) * sinc(static_cast<double>(t) / 3.0)) : T(0);
}

/// Which inputs each output reads along a dim, and with what weights: output o is the sum over
/// j < count[o] of weights[o * width + j] * input[first[o] + j], in that order.
template <class T>
struct Taps {
  std::vector<int64_t> first, count;
  std::vector<T> weights;
  int64_t width = 0;  // the room each output has for weights
};

/// PyTorch's _compute_weights_aa in T (its scalar type; float64 for uint8): with antialias the
/// filter is widened by the scale when shrinking; the weights within an output's support are
/// normalized to sum 1. Without antialias (uint8 bilinear), align_corners moves the centers back
/// by half a pixel, as torch's.
template <class T>
Taps<T> filter_taps(int64_t in, int64_t out, bool align_corners, std::optional<double> scale_factor, AAFilter filter,
                    bool antialias) {
  const T scale = source_scale<T>(in, out, align_corners, scale_factor);
  const bool widen = antialias && scale >= 1;
  const double half_taps = aa_taps(filter) * 0.5, delta = align_corners && !antialias ? 0.5 : 0.0;
  const T support = static_cast<T>(widen ? half_taps * static_cast<double>(scale) : half_taps);
  const T invscale = static_cast<T>(widen ? 1.0 / static_cast<double>(scale) : 1.0);
  Taps<T> taps;
  taps.width = antialias ? static_cast<int64_t>(std::ceil(static_cast<double>(support))) * 2 + 1 : aa_taps(filter);
  taps.first.resize(static_cast<size_t>(out)), taps.count.resize(static_cast<size_t>(out));
  taps.weights.assign(static_cast<size_t>(out * taps.width), T(0));
  for (int64_t o = 0; o < out; ++o) {
    const T center = static_cast<T>(static_cast<double>(scale) * (static_cast<double>(o) + 0.5 - delta));
    const int64_t lo = std::max<int64_t>(static_cast<int64_t>(static_cast<double>(center - support) + 0.5 + delta), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int64_t>(static_cast<double>(center + support) + 0.5 + delta), in);
    const int64_t n = std::clamp<int64_t>(hi - lo, 0, taps.width);
    T* w = taps.weights.data() + o * taps.width;
    T total = 0;
    for (int64_t j = 0; j < n; ++j) {
      const T offset = static_cast<T>(j + lo) - center;
      w[j] = aa_weight(filter, static_cast<T>((static_cast<double>(offset) + 0.5 - delta) *
                                              static_cast<double>(invscale)));
      total += w[j];
    }
    if (total != 0)
      for (int64_t j = 0; j < n; ++j) w[j] /= total;
    taps.first[o] = lo, taps.count[o] = n;
  }
  return taps;
}

/// uint8 bicubic without antialias, as PyTorch's integer kernel: the four taps of bicubic (A =
/// -0.75, clamped to the edge) in float64, those that land on the same edge input added together.
Taps<double> clamped_cubic_taps(int64_t in, int64_t out, bool align_corners, std::optional<double> scale_factor) {
  const double scale = source_scale<double>(in, out, align_corners, scale_factor);
  Taps<double> taps;
  taps.width = 4;
  taps.first.resize(static_cast<size_t>(out)), taps.count.resize(static_cast<size_t>(out));
  taps.weights.assign(static_cast<size_t>(out * 4), 0.0);
  for (int64_t o = 0; o < out; ++o) {
    const double real = align_corners ? scale * static_cast<double>(o) : scale * (static_cast<double>(o) + 0.5) - 0.5;
    const int64_t i = static_cast<int64_t>(std::floor(real));
    const std::array<double, 4> w = bicubic_weights(real - static_cast<double>(i));
    const int64_t lo = std::clamp<int64_t>(i - 1, 0, in - 1);
    for (int k = 0; k < 4; ++k) taps.weights[o * 4 + std::clamp<int64_t>(i - 1 + k, 0, in - 1) - lo] += w[k];
    taps.first[o] = lo, taps.count[o] = std::clamp<int64_t>(i + 2, 0, in - 1) - lo + 1;
  }
  return taps;
}

/// x viewed as (outer, size along dim, inner), contiguous.
struct Lanes {
  int64_t outer = 1, inner = 1;
  Lanes(const Tensor& x, int64_t dim) {
    for (int64_t d = 0; d < dim; ++d) outer *= x.sizes()[d];
    for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.sizes()[d];
  }
};

/// The kernel of resample_taps: y (contiguous) from src (contiguous), forward or transposed.
template <class T>
void resample_kernel(const Tensor& y, const Tensor& src, int64_t dim, const std::shared_ptr<const Taps<T>>& taps,
                     int64_t in, bool transposed) {
  const Taps<T>& t = *taps;
  const int64_t out = static_cast<int64_t>(t.first.size());
  const Lanes lanes(src, dim);
  const int64_t inner = lanes.inner;
  const T* a = src.data<T>();
  T* b = y.data<T>();
  cpu::parallel_range(lanes.outer, out * inner * 4, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t o = 0; o < out; ++o) {
        const T* w = t.weights.data() + o * t.width;
        if (transposed) {  // b (p, in, inner) += w * a (p, o, inner)
          const T* g = a + (p * out + o) * inner;
          for (int64_t j = 0; j < t.count[o]; ++j) {
            T* dst = b + (p * in + t.first[o] + j) * inner;
            for (int64_t q = 0; q < inner; ++q) dst[q] += w[j] * g[q];
          }
          continue;
        }
        const T* row = a + (p * in + t.first[o]) * inner;
        T* dst = b + (p * out + o) * inner;
        if (inner == 1) {  // along the last dim: one dot product per output
          T sum = t.count[o] > 0 ? w[0] * row[0] : T(0);
          for (int64_t j = 1; j < t.count[o]; ++j) sum += w[j] * row[j];
          dst[0] = sum;
          continue;
        }
        for (int64_t q = 0; q < inner; ++q) dst[q] = t.count[o] > 0 ? w[0] * row[q] : T(0);
        for (int64_t j = 1; j < t.count[o]; ++j)
          for (int64_t q = 0; q < inner; ++q) dst[q] += w[j] * row[j * inner + q];
      }
  });
}

/// Floating resampling along dim by taps (in: the size they read from), in x's dtype T and in
/// each output's tap order, as torch's kernel; `transposed`: the adjoint map (each output's
/// weighted sum scattered back onto its inputs), which is the gradient. Each direction's gradient
/// is the other one, so gradients of every order follow. A kernel call, so graphs capture it.
template <class T>
Tensor resample_taps(const Tensor& x, int64_t dim, const std::shared_ptr<const Taps<T>>& taps, int64_t in,
                     bool transposed) {
  const bool rec = autograd::needs_grad(x);
  Shape shape = x.sizes();
  shape[dim] = transposed ? in : static_cast<int64_t>(taps->first.size());
  Tensor y;
  {
    autograd::RecordingOff off(rec);
    const Tensor src = contiguous(x);
    y = transposed ? zeros(shape, x.dtype()) : Tensor::empty(shape, x.dtype());
    call_kernel(x.device(), "interpolate", [](const Tensor& y, const Tensor& src, int64_t dim,
                                              const std::shared_ptr<const Taps<T>>& taps, int64_t in,
                                              bool transposed) { resample_kernel<T>(y, src, dim, taps, in, transposed); },
                y, src, dim, taps, in, transposed);
  }
  if (rec)
    autograd::record("UpsampleAaBackward0", {y}, {x}, {}, [dim, taps, in, transposed](const Tensors& g, const Tensors&) {
      return Tensors{resample_taps<T>(g[0], dim, taps, in, !transposed)};
    });
  return y;
}

template <class T>
Tensor taps_along(const Tensor& x, int64_t dim, Taps<T> taps) {
  return resample_taps<T>(x, dim, std::make_shared<const Taps<T>>(std::move(taps)), x.sizes()[dim], false);
}

/// The kernel of uint8_along: y (contiguous) from src (contiguous), with weights in fixed point of
/// `bits` fractional bits.
void uint8_kernel(const Tensor& y, const Tensor& src, int64_t dim, const std::shared_ptr<const Taps<int32_t>>& taps,
                  int bits) {
  const Taps<int32_t>& t = *taps;
  const Lanes lanes(src, dim);
  const int64_t in = src.sizes()[dim], out = static_cast<int64_t>(t.first.size()), inner = lanes.inner;
  const uint8_t* a = src.data<uint8_t>();
  uint8_t* b = y.data<uint8_t>();
  const auto pixel = [bits](int32_t sum) { return static_cast<uint8_t>(std::clamp(sum >> bits, 0, 255)); };
  cpu::parallel_range(lanes.outer, out * inner * 4, [&](int64_t p0, int64_t p1) {
    std::vector<int32_t> acc(static_cast<size_t>(inner));
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t o = 0; o < out; ++o) {
        const int32_t* w = t.weights.data() + o * t.width;
        const uint8_t* row = a + (p * in + t.first[o]) * inner;
        uint8_t* dst = b + (p * out + o) * inner;
        if (inner == 1) {  // along the last dim: one dot product per output
          int32_t sum = int32_t{1} << (bits - 1);
          for (int64_t j = 0; j < t.count[o]; ++j) sum += w[j] * row[j];
          dst[0] = pixel(sum);
          continue;
        }
        std::fill(acc.begin(), acc.end(), int32_t{1} << (bits - 1));
        for (int64_t j = 0; j < t.count[o]; ++j)
          for (int64_t q = 0; q < inner; ++q) acc[q] += w[j] * row[j * inner + q];
        for (int64_t q = 0; q < inner; ++q) dst[q] = pixel(acc[q]);
      }
  });
}

/// uint8 resampling along dim, as PyTorch's (and Pillow's) integer kernels: the weights in fixed
/// point with as many fractional bits as the largest lets an int16 hold, int32 sums rounded half
/// up and clamped to [0, 255].
Tensor uint8_along(const Tensor& x, int64_t dim, const Taps<double>& taps) {
  const double top = std::max(0.0, *std::max_element(taps.weights.begin(), taps.weights.end()));
  int bits = 0;
  while (bits < 22 && static_cast<int>(0.5 + top * static_cast<double>(1 << (bits + 1))) < (1 << 15)) ++bits;
  auto fixed = std::make_shared<Taps<int32_t>>();
  fixed->first = taps.first, fixed->count = taps.count, fixed->width = taps.width;
  fixed->weights.resize(taps.weights.size());
  for (size_t i = 0; i < taps.weights.size(); ++i) {
    const double v = taps.weights[i] * static_cast<double>(1 << bits);
    fixed->weights[i] = static_cast<int16_t>(v < 0 ? static_cast<int>(-0.5 + v) : static_cast<int>(0.5 + v));
  }
  const Tensor src = contiguous(x);
  Shape shape = x.sizes();
  shape[dim] = static_cast<int64_t>(taps.first.size());
  Tensor y = Tensor::empty(shape, DType::UInt8);
  call_kernel(x.device(), "interpolate", [](const Tensor& y, const Tensor& src, int64_t dim,
                                            const std::shared_ptr<const Taps<int32_t>>& taps,
                                            int bits) { uint8_kernel(y, src, dim, taps, bits); },
              y, src, dim, std::shared_ptr<const Taps<int32_t>>(fixed), bits);
  return y;
}

}  // namespace

Tensor functional::interpolate(const Tensor& x, const std::optional<Shape>& size,
                               const std::optional<std::vector<double>>& scale_factor, const std::string& mode,
                               std::optional<bool> align_corners, std::optional<bool> recompute_scale_factor,
                               bool antialias) {
  const bool exact = mode == "nearest-exact", nearest = mode == "nearest" || exact, area = mode == "area";
  const bool cubic = mode == "bicubic", lanczos = mode == "lanczos";
  // the interpolating modes and the rank each needs
  const int64_t linear_rank =
      mode == "linear" ? 3 : mode == "bilinear" || cubic || lanczos ? 4 : mode == "trilinear" ? 5 : 0;
  EMBER_CHECK(nearest || area || linear_rank, "interpolate: mode must be 'nearest', 'nearest-exact', 'area', "
              "'linear', 'bilinear', 'bicubic', 'lanczos' or 'trilinear', got '", mode, "'");
  EMBER_CHECK(!(nearest || area) || !align_corners, "interpolate: align_corners option can only be set with the "
              "interpolating modes: linear | bilinear | bicubic | trilinear | lanczos");
  EMBER_CHECK(!antialias || ((mode == "bilinear" || cubic || lanczos) && x.dim() == 4), "interpolate: Anti-alias "
              "option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input");
  EMBER_CHECK(x.dim() >= 3 && x.dim() <= 5, "interpolate: expected a 3-d (N, C, L), 4-d (N, C, H, W) or 5-d "
              "(N, C, D, H, W) input for mode '", mode, "', got ", shape_str(x.sizes()));
  EMBER_CHECK(!linear_rank || x.dim() == linear_rank, "interpolate: Got ", x.dim(), "D input ", shape_str(x.sizes()),
              ", but ", mode, " mode needs ", linear_rank, "D input");
  EMBER_CHECK(size.has_value() != scale_factor.has_value(), size ? "interpolate: only one of size or scale_factor "
              "should be defined" : "interpolate: either size or scale_factor should be defined");
  const int64_t spatial = x.dim() - 2;
  Shape out_size(static_cast<size_t>(spatial));
  std::vector<std::optional<double>> scales(static_cast<size_t>(spatial));
  if (size) {
    EMBER_CHECK(!recompute_scale_factor || !*recompute_scale_factor, "interpolate: recompute_scale_factor is not "
                "meaningful with an explicit size.");
    EMBER_CHECK(size->size() == 1 || static_cast<int64_t>(size->size()) == spatial, "interpolate: Input and output "
                "must have the same number of spatial dimensions, but got input ", shape_str(x.sizes()),
                " and output size ", shape_str(*size));
    for (int64_t d = 0; d < spatial; ++d) out_size[d] = size->size() == 1 ? (*size)[0] : (*size)[d];
  } else {
    const std::vector<double>& s = *scale_factor;
    EMBER_CHECK(s.size() == 1 || static_cast<int64_t>(s.size()) == spatial, "interpolate: Input and scale_factor "
                "must have the same number of spatial dimensions, but got input ", shape_str(x.sizes()), " and ",
                s.size(), " scale factors");
    for (int64_t d = 0; d < spatial; ++d) {
      const double f = s.size() == 1 ? s[0] : s[d];
      out_size[d] = static_cast<int64_t>(std::floor(static_cast<double>(x.sizes()[d + 2]) * f));
      if (!recompute_scale_factor || !*recompute_scale_factor) scales[d] = f;
    }
  }
  if (area)  // PyTorch's, an empty output size and the pools' dtype checks included
    return spatial == 1 ? adaptive_avg_pool1d(x, out_size)
                        : spatial == 2 ? adaptive_avg_pool2d(x, out_size) : adaptive_avg_pool3d(x, out_size);
  for (int64_t d = 0; d < spatial; ++d)
    EMBER_CHECK(x.sizes()[d + 2] > 0 && out_size[d] > 0, "interpolate: Input and output sizes should be greater "
                "than 0, but got input ", shape_str(x.sizes()), " and output size ", shape_str(out_size));
  // torch's upsampling kernels take an empty batch, not zero channels
  EMBER_CHECK_RUNTIME(x.sizes()[1] > 0 || x.numel() > 0, "interpolate: Non-empty ", x.dim(), "D data tensor "
                      "expected but got a tensor with sizes ", shape_str(x.sizes()));
  EMBER_CHECK(!lanczos || !align_corners.value_or(false), "interpolate: Lanczos mode does not support "
              "align_corners=True");
  EMBER_CHECK(!lanczos || antialias, "interpolate: Lanczos mode requires antialias=True");
  // the dtypes torch's kernels take
  const bool takes_uint8 = nearest || linear_rank == 4;
  EMBER_CHECK_TYPE(is_floating(x.dtype()) || (takes_uint8 && x.dtype() == DType::UInt8), "interpolate: mode '", mode,
                   "' takes floating", takes_uint8 ? " or uint8" : "", " inputs, got ", dtype_name(x.dtype()));
  const bool f64 = x.dtype() == DType::Float64, wide = f64 || x.dtype() == DType::Float32;
  const bool uint8 = x.dtype() == DType::UInt8;
  EMBER_CHECK_TYPE(!antialias || wide || uint8, "interpolate: antialias=True takes float32, float64 or uint8 inputs "
                   "(as PyTorch's), got ", dtype_name(x.dtype()));
  const AAFilter filter = lanczos ? AAFilter::Lanczos : cubic ? AAFilter::Cubic : AAFilter::Linear;
  // a 16-bit input is interpolated in float32 with weights rounded to its dtype, as torch's kernels,
  // but for its bilinear one (float32 weights)
  const DType weights_in = mode == "bilinear" ? DType::Float32 : x.dtype();
  Tensor y = nearest || wide || uint8 ? x : to_dtype(x, DType::Float32);
  bool resampled = false;
  for (int64_t d = spatial - 1; d >= 0; --d) {  // separable: the last dim first
    const int64_t dim = d + 2;
    const bool corners = align_corners.value_or(false);
    const int64_t in = y.sizes()[dim];
    // torch's (bi/tri)linear, anti-aliasing and uint8 kernels copy a dim that keeps its size,
    // whatever the scale_factor
    if (linear_rank && (!cubic || antialias || uint8) && out_size[d] == in) continue;
    resampled = true;
    if (uint8 && !nearest)
      y = uint8_along(y, dim, cubic && !antialias ? clamped_cubic_taps(in, out_size[d], corners, scales[d])
                                                  : filter_taps<double>(in, out_size[d], corners, scales[d], filter,
                                                                        antialias));
    else if (antialias && f64)
      y = taps_along(y, dim, filter_taps<double>(in, out_size[d], corners, scales[d], filter, true));
    else if (antialias)
      y = taps_along(y, dim, filter_taps<float>(in, out_size[d], corners, scales[d], filter, true));
    else if (nearest) y = nearest_along(y, dim, out_size[d], scales[d], exact, spatial == 2);
    else if (cubic && f64) y = cubic_along<double>(y, dim, out_size[d], corners, scales[d], weights_in);
    else if (cubic) y = cubic_along<float>(y, dim, out_size[d], corners, scales[d], weights_in);
    else if (f64) y = linear_along<double>(y, dim, out_size[d], corners, scales[d], weights_in);
    else y = linear_along<float>(y, dim, out_size[d], corners, scales[d], weights_in);
  }
  if (!resampled) return clone(x);
  return y.dtype() == x.dtype() ? y : to_dtype(y, x.dtype());
}

Tensor functional::pixel_shuffle(const Tensor& x, int64_t r) {
  EMBER_CHECK(x.dim() >= 3, "pixel_shuffle: expects input to have at least 3 dimensions, but got input ",
              shape_str(x.sizes()));
  EMBER_CHECK(r > 0, "pixel_shuffle: expects a positive upscale_factor, but got ", r);
  const Shape& s = x.sizes();
  const int64_t nb = x.dim() - 3, c = s[nb], h = s[nb + 1], w = s[nb + 2];
  const __int128 r2 = static_cast<__int128>(r) * r;  // r * r may not fit in int64; c / r2 then does
  EMBER_CHECK(c % r2 == 0, "pixel_shuffle: expects its input's 'channel' dimension to be divisible by the "
              "square of upscale_factor ", r, ", but input ", shape_str(s), " has ", c, " channels");
  EMBER_CHECK(static_cast<__int128>(h) * r <= INT64_MAX && static_cast<__int128>(w) * r <= INT64_MAX,
              "pixel_shuffle: upscale_factor ", r, " makes sizes past int64 for input ", shape_str(s));
  Shape split(s.begin(), s.begin() + nb), out(s.begin(), s.begin() + nb);
  split.insert(split.end(), {static_cast<int64_t>(c / r2), r, r, h, w});
  out.insert(out.end(), {static_cast<int64_t>(c / r2), h * r, w * r});
  Dims perm;
  for (int64_t i = 0; i < nb; ++i) perm.push_back(i);
  perm.insert(perm.end(), {nb, nb + 3, nb + 1, nb + 4, nb + 2});  // (c, h, r, w, r)
  return reshape(permute(reshape(x, split), perm), out);
}

Tensor functional::pixel_unshuffle(const Tensor& x, int64_t r) {
  EMBER_CHECK(x.dim() >= 3, "pixel_unshuffle: expects input to have at least 3 dimensions, but got input ",
              shape_str(x.sizes()));
  EMBER_CHECK(r > 0, "pixel_unshuffle: expects a positive downscale_factor, but got ", r);
  const Shape& s = x.sizes();
  const int64_t nb = x.dim() - 3, c = s[nb], h = s[nb + 1], w = s[nb + 2];
  EMBER_CHECK(h % r == 0 && w % r == 0, "pixel_unshuffle: expects height and width of input ", shape_str(s),
              " to be divisible by downscale_factor ", r);
  EMBER_CHECK(static_cast<__int128>(c) * r * r <= INT64_MAX, "pixel_unshuffle: downscale_factor ", r,
              " makes sizes past int64 for input ", shape_str(s));
  Shape split(s.begin(), s.begin() + nb), out(s.begin(), s.begin() + nb);
  split.insert(split.end(), {c, h / r, r, w / r, r});
  out.insert(out.end(), {c * r * r, h / r, w / r});
  Dims perm;
  for (int64_t i = 0; i < nb; ++i) perm.push_back(i);
  perm.insert(perm.end(), {nb, nb + 2, nb + 4, nb + 1, nb + 3});  // (c, r, r, h, w)
  return reshape(permute(reshape(x, split), perm), out);
}

// ---- layers -----------------------------------------------------------------------------------

namespace {
/// PyTorch keeps a scale factor of 0 as None.
template <class O>
O zero_scale_is_none(O o) {
  if (o.scale_factor && !o.scale_factor->tuple && o.scale_factor->values.at(0) == 0) o.scale_factor.reset();
  return o;
}
std::optional<std::vector<double>> scales_of(const std::optional<Factors>& f) {
  if (!f) return std::nullopt;
  return f->values;
}
std::optional<Shape> size_of(const std::optional<Sizes>& s) {
  if (!s) return std::nullopt;
  return s->dims;
}
std::string upsample_repr(const std::optional<Sizes>& size, const std::optional<Factors>& scale_factor,
                          const std::string& mode) {
  const std::string info = scale_factor ? "scale_factor=" + repr_value(*scale_factor) : "size=" + repr_value(size);
  return info + ", mode=" + repr_value(mode);
}
}  // namespace

Upsample::Upsample(UpsampleOptions options) : Layer("Upsample", zero_scale_is_none(std::move(options))) {}
Tensor Upsample::forward(const Tensor& input) {
  const UpsampleOptions& o = options;
  return functional::interpolate(input, size_of(o.size), scales_of(o.scale_factor), o.mode, o.align_corners,
                                 o.recompute_scale_factor);
}
std::string Upsample::extra_repr() const { return upsample_repr(options.size, options.scale_factor, options.mode); }

UpsamplingNearest2d::UpsamplingNearest2d(UpsamplingNearest2dOptions options)
    : Layer("UpsamplingNearest2d", zero_scale_is_none(std::move(options))) {}
Tensor UpsamplingNearest2d::forward(const Tensor& input) {
  return functional::interpolate(input, size_of(options.size), scales_of(options.scale_factor), options.mode,
                                 options.align_corners);
}
std::string UpsamplingNearest2d::extra_repr() const {
  return upsample_repr(options.size, options.scale_factor, options.mode);
}

UpsamplingBilinear2d::UpsamplingBilinear2d(UpsamplingBilinear2dOptions options)
    : Layer("UpsamplingBilinear2d", zero_scale_is_none(std::move(options))) {}
Tensor UpsamplingBilinear2d::forward(const Tensor& input) {
  return functional::interpolate(input, size_of(options.size), scales_of(options.scale_factor), options.mode,
                                 options.align_corners);
}
std::string UpsamplingBilinear2d::extra_repr() const {
  return upsample_repr(options.size, options.scale_factor, options.mode);
}

Tensor PixelShuffle::forward(const Tensor& input) { return functional::pixel_shuffle(input, options.upscale_factor); }
Tensor PixelUnshuffle::forward(const Tensor& input) {
  return functional::pixel_unshuffle(input, options.downscale_factor);
}

// ---- ChannelShuffle --------------------------------------------------------------------------

Tensor functional::channel_shuffle(const Tensor& x, int64_t groups) {
  EMBER_CHECK(x.dim() > 2, "channel_shuffle: expected an input (N, C, *) of more than 2 dims, got ",
              shape_str(x.sizes()));
  EMBER_CHECK(groups > 0, "channel_shuffle: groups must be positive, got ", groups);
  const int64_t channels = x.sizes()[1];
  EMBER_CHECK(channels % groups == 0, "channel_shuffle: the channels of input ", shape_str(x.sizes()),
              " must be divisible by groups, got ", groups, " groups");
  Shape grid = x.sizes();
  grid[1] = channels / groups;
  grid.insert(grid.begin() + 1, groups);
  return reshape(contiguous(transpose(reshape(x, grid), 1, 2)), x.sizes());
}

Tensor ChannelShuffle::forward(const Tensor& input) { return functional::channel_shuffle(input, options.groups); }

}  // namespace ember::nn
