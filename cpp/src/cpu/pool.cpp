// CPU kernels of pooling: each (n, c) plane is independent, so planes are split across threads;
// within a plane the windows are walked row by row, the inner loop over contiguous memory. A
// float32 max pool takes the middle of each output row 16 windows at a time where the CPU has
// AVX-512 (max_span_avx512).
#if defined(__x86_64__)
#include <immintrin.h>
#define EMBER_POOL_AVX512 1  // max_span_avx512, used where the CPU has AVX-512
#endif

#include <algorithm>
#include <limits>
#include <type_traits>

#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu {

namespace {
struct Plane {
  int64_t count, in_size, out_size;  // planes, H * W, OH * OW
};
Plane plane_of(const Tensor& in, const Tensor& out) {
  return {in.sizes()[0], in.sizes()[1] * in.sizes()[2], out.sizes()[1] * out.sizes()[2]};
}

/// body(p) for each plane p, in parallel when the planes are many and large enough.
template <class F>
void for_planes(const Plane& pl, F body) {
  parallel_range(pl.count, pl.in_size + pl.out_size, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) body(p);
  });
}
}  // namespace

namespace {
/// The output columns [lo, hi) whose windows are whole (the most taps) and evenly spaced, `stride`
/// apart, in a row of W columns.
struct EvenSpan {
  int64_t lo = 0, hi = 0, stride = 1, taps = 0;
};
EvenSpan even_span(const PoolWindows& w) {
  EvenSpan e;
  const auto n = static_cast<int64_t>(w.taps.size());
  for (int64_t o = 0; o < n; ++o) e.taps = std::max(e.taps, w.taps[o]);
  while (e.lo < n && w.taps[e.lo] != e.taps) ++e.lo;
  e.hi = e.lo;
  while (e.hi < n && w.taps[e.hi] == e.taps) ++e.hi;
  if (e.hi - e.lo >= 2) e.stride = w.first[e.lo + 1] - w.first[e.lo];
  for (int64_t o = e.lo; o < e.hi; ++o)
    if (w.first[o] != w.first[e.lo] + (o - e.lo) * e.stride) return EvenSpan{};
  return e;
}

#ifdef EMBER_POOL_AVX512
/// Max pool of float32 over an even span of one output row, 16 windows at a time with AVX-512
/// (where the CPU has it): n windows, window q's first place first + q * stride, `rows` rows hs
/// apart of `taps` places ws apart. The same rule and tap order as the scalar walk. Places are
/// int32 within the plane (planes under 2^31 elements).
__attribute__((target("avx512f"))) void max_span_avx512(const float* xp, int64_t first, int64_t n, const EvenSpan& e,
                                                       int64_t rows, int64_t hs, int64_t ws, float* y, int64_t* at) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t q = 0; q < n; q += 16) {
    const __mmask16 live = static_cast<__mmask16>((1u << std::min<int64_t>(16, n - q)) - 1);
    const __m512i start = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first + q * e.stride)),
                                           _mm512_mullo_epi32(lane, _mm512_set1_epi32(static_cast<int>(e.stride))));
    __m512 best = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    __m512i where = start;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < e.taps; ++j) {
        const __m512i place = _mm512_add_epi32(start, _mm512_set1_epi32(static_cast<int>(i * hs + j * ws)));
        const __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, place, xp, 4);
        const __mmask16 take = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        best = _mm512_mask_mov_ps(best, take, v);
        where = _mm512_mask_mov_epi32(where, take, place);
      }
    _mm512_mask_storeu_ps(y + q, live, best);
    _mm512_mask_storeu_epi64(at + q, static_cast<__mmask8>(live), _mm512_cvtepi32_epi64(_mm512_castsi512_si256(where)));
    _mm512_mask_storeu_epi64(at + q + 8, static_cast<__mmask8>(live >> 8),
                             _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(where, 1)));
  }
}
#endif

template <class T>
void max_pool2d_typed(const Tensor& values, const Tensor& indices, const Tensor& in, const PoolWindows& h,
                      const PoolWindows& w) {
  const Plane pl = plane_of(in, values);
  const int64_t W = in.sizes()[2], OH = values.sizes()[1], OW = values.sizes()[2];
  const T* x = static_cast<const T*>(in.raw_data());
  T* y = static_cast<T*>(values.raw_data());
  int64_t* idx = static_cast<int64_t*>(indices.raw_data());
  constexpr T lowest = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                            : std::numeric_limits<T>::lowest();
  const int64_t* wfirst = w.first.data();
  const int64_t* wtaps = w.taps.data();
  const int64_t hs = h.step * W, ws = w.step;
#ifdef EMBER_POOL_AVX512
  static const bool avx512 = __builtin_cpu_supports("avx512f");
#else
  constexpr bool avx512 = false;
#endif
  // The windows' middle of each row 16 at a time (a branch per value, on random data, costs more
  // than the comparisons), the rest one by one.
  const EvenSpan span = std::is_same_v<T, float> && avx512 && pl.in_size < (int64_t{1} << 31) ? even_span(w)
                                                                                              : EvenSpan{};
  for_planes(pl, [&](int64_t p) {
    const T* xp = x + p * pl.in_size;
    T* yp = y + p * pl.out_size;
    int64_t* ip = idx + p * pl.out_size;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const int64_t rows = h.taps[oh], top = h.first[oh] * W;
      auto one_window = [&](int64_t ow) {
        const int64_t start = top + wfirst[ow], cols = wtaps[ow];
        T best = lowest;
        int64_t at = start;
        for (int64_t i = 0, row = start; i < rows; ++i, row += hs)
          for (int64_t j = 0, k = row; j < cols; ++j, k += ws) {
            const T v = xp[k];
            if (v > best || v != v) best = v, at = k;  // PyTorch's rule: the last NaN wins
          }
        yp[oh * OW + ow] = best;
        ip[oh * OW + ow] = at;
      };
      for (int64_t ow = 0; ow < span.lo; ++ow) one_window(ow);
#ifdef EMBER_POOL_AVX512
      if constexpr (std::is_same_v<T, float>)
        if (span.hi > span.lo)
          max_span_avx512(xp, top + wfirst[span.lo], span.hi - span.lo, span, rows, hs, ws, yp + oh * OW + span.lo,
                          ip + oh * OW + span.lo);
#endif
      for (int64_t ow = std::max(span.lo, span.hi); ow < OW; ++ow) one_window(ow);
    }
  });
}
}  // namespace

void max_pool2d(const Tensor& values, const Tensor& indices, const Tensor& in, const PoolWindows& h,
                const PoolWindows& w) {
  visit_dtype(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) max_pool2d_typed<T>(values, indices, in, h, w);  // the op refuses bool
  });
}

void max_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& indices) {
  const Plane pl = plane_of(grad_in, grad_out);
  visit_floating(grad_in.dtype(), "max_pool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    T* gx = static_cast<T*>(grad_in.raw_data());
    const T* gy = static_cast<const T*>(grad_out.raw_data());
    const int64_t* idx = static_cast<const int64_t*>(indices.raw_data());
    for_planes(pl, [&](int64_t p) {
      for (int64_t o = 0; o < pl.out_size; ++o) gx[p * pl.in_size + idx[p * pl.out_size + o]] += gy[p * pl.out_size + o];
    });
  });
}

namespace {
/// Walks each window of an average pool: f(plane, output place, window start, rows, cols, divisor).
template <class T, class F>
void for_avg_windows(const Plane& pl, int64_t W, int64_t OW, const PoolWindows& h, const PoolWindows& w,
                     int64_t divisor_override, F f) {
  const auto OH = static_cast<int64_t>(h.first.size());
  for_planes(pl, [&](int64_t p) {
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        // 0 stands for no override (the op refuses a 0 given); a negative one divides, as torch's.
        const int64_t divisor = divisor_override != 0 ? divisor_override : h.divisor[oh] * w.divisor[ow];
        f(p, oh * OW + ow, h.first[oh] * W + w.first[ow], h.taps[oh], w.taps[ow], T(divisor));
      }
  });
}
}  // namespace

void avg_pool2d(const Tensor& out, const Tensor& in, const PoolWindows& h, const PoolWindows& w,
                int64_t divisor_override) {
  const Plane pl = plane_of(in, out);
  const int64_t W = in.sizes()[2], OW = out.sizes()[2];
  visit_dtype(in.dtype(), [&](auto tag) {  // int64 too, its means truncated as PyTorch's; the op refuses bool
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T* x = static_cast<const T*>(in.raw_data());
      T* y = static_cast<T*>(out.raw_data());
      for_avg_windows<T>(pl, W, OW, h, w, divisor_override,
                         [&](int64_t p, int64_t o, int64_t start, int64_t rows, int64_t cols, T divisor) {
                           const T* xp = x + p * pl.in_size + start;
                           T sum = 0;
                           for (int64_t i = 0; i < rows; ++i)
                             for (int64_t j = 0; j < cols; ++j) sum += xp[i * W + j];
                           y[p * pl.out_size + o] = sum / divisor;
                         });
    }
  });
}

void avg_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const PoolWindows& h, const PoolWindows& w,
                         int64_t divisor_override) {
  const Plane pl = plane_of(grad_in, grad_out);
  const int64_t W = grad_in.sizes()[2], OW = grad_out.sizes()[2];
  visit_floating(grad_in.dtype(), "avg_pool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    T* gx = static_cast<T*>(grad_in.raw_data());
    const T* gy = static_cast<const T*>(grad_out.raw_data());
    for_avg_windows<T>(pl, W, OW, h, w, divisor_override,
                       [&](int64_t p, int64_t o, int64_t start, int64_t rows, int64_t cols, T divisor) {
                         T* gp = gx + p * pl.in_size + start;
                         const T g = gy[p * pl.out_size + o] / divisor;
                         for (int64_t i = 0; i < rows; ++i)
                           for (int64_t j = 0; j < cols; ++j) gp[i * W + j] += g;
                       });
  });
}

}  // namespace ember::cpu
