// pdist's and cdist's kernels: one pass per pair over its two rows (d values each), the rows split
// between threads. The norms are PyTorch's: p = 0 counts the nonzero differences, p = inf takes the
// largest, p = 1 and 2 have their own loops, any other p sums |diff|^p.
#include "cpu/distance.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>

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

/// Threads for `work` multiply-adds: one below 2^16, where starting a team costs more.
int threads_for(int64_t work) { return work >= (int64_t{1} << 16) ? num_threads() : 1; }

/// The position of pair (i, j), i < j, among the pairs of n rows in row-major order.
inline int64_t pair_index(int64_t i, int64_t j, int64_t n) { return i * (2 * n - i - 1) / 2 + (j - i - 1); }

/// ||a - b||_p over d values. kKeepNaN: the inf norm of a NaN difference is NaN (torch's pdist);
/// without it a NaN is skipped, as torch's cdist does.
template <class T, Norm kNorm, bool kKeepNaN = true>
T distance(const T* a, const T* b, int64_t d, T p) {
  T acc = 0;
  if constexpr (kNorm == Norm::Inf) {
    for (int64_t c = 0; c < d; ++c) {
      const T diff = std::abs(a[c] - b[c]);
      acc = diff > acc || (kKeepNaN && diff != diff) ? diff : acc;
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
  const int threads = threads_for(n * n * d);
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
  if constexpr (kNorm == Norm::Zero) return T(0);  // the count of nonzero differences is flat
  else if constexpr (kNorm == Norm::One) return g * ((diff > 0) - (diff < 0));
  else if constexpr (kNorm == Norm::Two) return dist == 0 ? T(0) : g * diff / dist;
  else if constexpr (kNorm == Norm::Inf) return g * ((diff > 0) - (diff < 0)) * (std::abs(diff) == dist);
  else if (dist == 0 || (diff == 0 && p < 1)) return T(0);
  else return g * ((diff > 0) - (diff < 0)) * std::pow(std::abs(diff), p - 1) / std::pow(dist, p - 1);
}

/// out (d values) = the sum over m other rows of the gradient's terms for row xi; pair(j) gives row
/// j's (values, gradient, distance), values null for no pair (xi itself).
template <class T, Norm kNorm, class Pair>
void gather_row(const T* xi, int64_t m, int64_t d, T p, Pair&& pair, T* out) {
  for (int64_t c = 0; c < d; ++c) out[c] = 0;
  for (int64_t j = 0; j < m; ++j) {
    const auto [yj, gk, dk] = pair(j);
    if (yj == nullptr || gk == 0) continue;  // nothing to add (also spares pow on pairs with no gradient)
#pragma omp simd
    for (int64_t c = 0; c < d; ++c) out[c] += term<T, kNorm>(xi[c] - yj[c], gk, dk, p);
  }
}

template <class T, Norm kNorm>
void backward(const T* g, const T* x, const T* dist, int64_t n, int64_t d, T p, T* dx) {
  const int threads = threads_for(n * n * d);
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < n; ++i)
    gather_row<T, kNorm>(x + i * d, n, d, p, [&](int64_t j) {
      // No pair of a row with itself: its k would be before the first pair (ASan found g[-1]).
      if (j == i) return std::make_tuple(static_cast<const T*>(nullptr), T(0), T(0));
      const int64_t k = i < j ? pair_index(i, j, n) : pair_index(j, i, n);
      return std::make_tuple(x + j * d, g[k], dist[k]);
    }, dx + i * d);
}

template <class T, Norm kNorm>
void cdist_forward(const T* x1, const T* x2, int64_t B, int64_t P, int64_t R, int64_t d, T p, T* out) {
  const int threads = threads_for(B * P * R * d);
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < P; ++i) {
      const T* a = x1 + (b * P + i) * d;
      T* row = out + (b * P + i) * R;
      for (int64_t j = 0; j < R; ++j) row[j] = distance<T, kNorm, false>(a, x2 + (b * R + j) * d, d, p);
    }
}

/// dx (rows of x, n of them per batch) = the sum over the other input's m rows of the gradient's
/// terms; `transposed`: g and dist are (m, n) per batch instead of (n, m) (x is x2: the term of
/// x2_i - x1_j is the gradient of ||x1_j - x2_i|| by x2_i).
template <class T, Norm kNorm>
void cdist_backward_side(const T* g, const T* x, const T* y, const T* dist, int64_t B, int64_t n, int64_t m, int64_t d,
                         T p, bool transposed, T* dx) {
  const int threads = threads_for(B * n * m * d);
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < n; ++i)
      gather_row<T, kNorm>(x + (b * n + i) * d, m, d, p, [&](int64_t j) {
        const int64_t k = transposed ? (b * m + j) * n + i : (b * n + i) * m + j;
        return std::make_tuple(y + (b * m + j) * d, g[k], dist[k]);
      }, dx + (b * n + i) * d);
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
  by_norm<T>(p, [&](auto norm) {
    backward<T, decltype(norm)::value>(g.data<T>(), x.data<T>(), dist.data<T>(), x.sizes()[0], x.sizes()[1],
                                       static_cast<T>(p), dx.data<T>());
  });
}

template <class T>
void cdist_forward_typed(const Tensor& x1, const Tensor& x2, double p, const Tensor& out) {
  by_norm<T>(p, [&](auto norm) {
    cdist_forward<T, decltype(norm)::value>(x1.data<T>(), x2.data<T>(), x1.sizes()[0], x1.sizes()[1], x2.sizes()[1],
                                            x1.sizes()[2], static_cast<T>(p), out.data<T>());
  });
}

template <class T>
void cdist_backward_typed(const Tensor& g, const Tensor& x1, const Tensor& x2, double p, const Tensor& dist,
                          const Tensor& dx1, const Tensor& dx2) {
  const int64_t B = x1.sizes()[0], P = x1.sizes()[1], R = x2.sizes()[1], d = x1.sizes()[2];
  by_norm<T>(p, [&](auto norm) {
    for (const auto& [dx, x, y, n, m, transposed] :
         {std::make_tuple(dx1, x1, x2, P, R, false), std::make_tuple(dx2, x2, x1, R, P, true)})
      if (dx.defined())
        cdist_backward_side<T, decltype(norm)::value>(g.data<T>(), x.template data<T>(), y.template data<T>(),
                                                      dist.data<T>(), B, n, m, d, static_cast<T>(p), transposed,
                                                      dx.template data<T>());
  });
}

}  // namespace

void cdist_forward(const Tensor& x1, const Tensor& x2, double p, const Tensor& out) {
  if (x1.dtype() == DType::Float32) cdist_forward_typed<float>(x1, x2, p, out);
  else cdist_forward_typed<double>(x1, x2, p, out);
}

void cdist_backward(const Tensor& g, const Tensor& x1, const Tensor& x2, double p, const Tensor& dist,
                    const Tensor& dx1, const Tensor& dx2) {
  if (x1.dtype() == DType::Float32) cdist_backward_typed<float>(g, x1, x2, p, dist, dx1, dx2);
  else cdist_backward_typed<double>(g, x1, x2, p, dist, dx1, dx2);
}

void pdist_forward(const Tensor& x, double p, const Tensor& out) {
  if (x.dtype() == DType::Float32) forward_typed<float>(x, p, out);
  else forward_typed<double>(x, p, out);
}

void pdist_backward(const Tensor& g, const Tensor& x, double p, const Tensor& dist, const Tensor& dx) {
  if (x.dtype() == DType::Float32) backward_typed<float>(g, x, p, dist, dx);
  else backward_typed<double>(g, x, p, dist, dx);
}

}  // namespace ember::cpu
