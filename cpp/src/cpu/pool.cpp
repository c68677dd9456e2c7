// CPU kernels of pooling: each (n, c) plane is independent, so planes are split across threads;
// within a plane the windows are walked row by row, the inner loop over contiguous memory.
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
  for_planes(pl, [&](int64_t p) {
    const T* xp = x + p * pl.in_size;
    T* yp = y + p * pl.out_size;
    int64_t* ip = idx + p * pl.out_size;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const int64_t rows = h.taps[oh], top = h.first[oh] * W;
      for (int64_t ow = 0; ow < OW; ++ow) {
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
      }
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
        const int64_t divisor = divisor_override > 0 ? divisor_override : h.divisor[oh] * w.divisor[ow];
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
