// pdist's kernels: one pass per pair over its two rows (d values each), the rows split between
// threads. The norms are PyTorch's: p = 0 counts the nonzero differences, p = inf takes the
// largest, p = 1 and 2 have their own loops, any other p sums |diff|^p.
#include "cpu/distance.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "cpu/threads.h"

namespace ember::cpu {
namespace {

enum class Norm { Zero, One, Two, Inf, General };
Norm norm_of(double p) {
  if (p == 0) return Norm::Zero;
  if (p == 1) return Norm::One;
  if (p == 2) return Norm::Two;
  if (std::isinf(p)) return Norm::Inf;
  return Norm::General;
}

/// The position of pair (i, j), i < j, among the pairs of n rows in row-major order.
inline int64_t pair_index(int64_t i, int64_t j, int64_t n) { return i * (2 * n - i - 1) / 2 + (j - i - 1); }

template <class T, Norm kNorm>
T distance(const T* a, const T* b, int64_t d, T p) {
  T acc = 0;
  if constexpr (kNorm == Norm::Inf) {
    for (int64_t c = 0; c < d; ++c) {
      const T diff = std::abs(a[c] - b[c]);
      acc = diff > acc || diff != diff ? diff : acc;  // a NaN stays (fmax would drop it)
    }
    return acc;
  } else if constexpr (kNorm == Norm::General) {
    // libm's pow on each element, rounding as NumPy's and SciPy's (torch's vector pow can differ
    // by an ulp: sqrt(FLT_MAX) rounds up to 2^64 there, and p = 0.5 overflows to inf).
    for (int64_t c = 0; c < d; ++c) acc += std::pow(std::abs(a[c] - b[c]), p);
    return std::pow(acc, T(1) / p);
  } else {
#pragma omp simd reduction(+ : acc)
    for (int64_t c = 0; c < d; ++c) {
      const T diff = std::abs(a[c] - b[c]);
      if constexpr (kNorm == Norm::Zero) acc += std::min(std::ceil(diff), T(1));  // 0 or 1; NaN stays, as torch's
      else if constexpr (kNorm == Norm::One) acc += diff;
      else acc += diff * diff;
    }
    return kNorm == Norm::Two ? std::sqrt(acc) : acc;
  }
}

template <class T, Norm kNorm>
void forward(const T* x, int64_t n, int64_t d, T p, T* out) {
  const int threads = n * n * d >= (int64_t{1} << 16) ? num_threads() : 1;
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < n; ++i) {
    T* row = out + pair_index(i, i + 1, n);
    for (int64_t j = i + 1; j < n; ++j) row[j - i - 1] = distance<T, kNorm>(x + i * d, x + j * d, d, p);
  }
}

/// d dist / d x_i's c-th value, times the pair's gradient g, for diff = x_i[c] - x_j[c]: PyTorch's
/// _pdist_backward (zero where the distance is, and for p < 1 where diff is).
template <class T, Norm kNorm>
inline T term(T diff, T g, T dist, T p) {
  if constexpr (kNorm == Norm::One) return g * ((diff > 0) - (diff < 0));
  else if constexpr (kNorm == Norm::Two) return dist == 0 ? T(0) : g * diff / dist;
  else if constexpr (kNorm == Norm::Inf) return g * ((diff > 0) - (diff < 0)) * (std::abs(diff) == dist);
  else if (dist == 0 || (diff == 0 && p < 1)) return T(0);
  else return g * ((diff > 0) - (diff < 0)) * std::pow(std::abs(diff), p - 1) / std::pow(dist, p - 1);
}

template <class T, Norm kNorm>
void backward(const T* g, const T* x, const T* dist, int64_t n, int64_t d, T p, T* dx) {
  const int threads = n * n * d >= (int64_t{1} << 16) ? num_threads() : 1;
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < n; ++i) {
    T* out = dx + i * d;
    for (int64_t c = 0; c < d; ++c) out[c] = 0;
    const T* xi = x + i * d;
    for (int64_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const int64_t k = i < j ? pair_index(i, j, n) : pair_index(j, i, n);
      const T gk = g[k], dk = dist[k];
      if (gk == 0) continue;  // nothing to add (also spares pow on pairs with no gradient)
      const T* xj = x + j * d;
#pragma omp simd
      for (int64_t c = 0; c < d; ++c) out[c] += term<T, kNorm>(xi[c] - xj[c], gk, dk, p);
    }
  }
}

template <class T, class F>
void by_norm(double p, F&& f) {
  switch (norm_of(p)) {
    case Norm::Zero: return f(std::integral_constant<Norm, Norm::Zero>{});
    case Norm::One: return f(std::integral_constant<Norm, Norm::One>{});
    case Norm::Two: return f(std::integral_constant<Norm, Norm::Two>{});
    case Norm::Inf: return f(std::integral_constant<Norm, Norm::Inf>{});
    default: return f(std::integral_constant<Norm, Norm::General>{});
  }
}

template <class T>
void forward_typed(const Tensor& x, double p, const Tensor& out) {
  by_norm<T>(p, [&](auto norm) {
    forward<T, decltype(norm)::value>(x.data<T>(), x.sizes()[0], x.sizes()[1], static_cast<T>(p), out.data<T>());
  });
}

template <class T>
void backward_typed(const Tensor& g, const Tensor& x, double p, const Tensor& dist, const Tensor& dx) {
  const int64_t n = x.sizes()[0], d = x.sizes()[1];
  if (norm_of(p) == Norm::Zero) {  // the count of nonzero differences is flat
    T* out = dx.data<T>();
    for (int64_t k = 0; k < n * d; ++k) out[k] = 0;
    return;
  }
  by_norm<T>(p, [&](auto norm) {
    if constexpr (decltype(norm)::value != Norm::Zero)
      backward<T, decltype(norm)::value>(g.data<T>(), x.data<T>(), dist.data<T>(), n, d, static_cast<T>(p),
                                         dx.data<T>());
  });
}

}  // namespace

void pdist_forward(const Tensor& x, double p, const Tensor& out) {
  if (x.dtype() == DType::Float32) forward_typed<float>(x, p, out);
  else forward_typed<double>(x, p, out);
}

void pdist_backward(const Tensor& g, const Tensor& x, double p, const Tensor& dist, const Tensor& dx) {
  if (x.dtype() == DType::Float32) backward_typed<float>(g, x, p, dist, dx);
  else backward_typed<double>(g, x, p, dist, dx);
}

}  // namespace ember::cpu
