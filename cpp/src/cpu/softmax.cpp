// CPU kernels of softmax and log_softmax, and their backward, along one dim of a contiguous
// tensor seen as (outer, n, inner) around it: a pass for the maximum, one for the exponentials
// and their sum, one to scale, where the composite they replace took a temporary per op. Threads
// split the rows (or, for inner > 1, blocks of columns). Compiled once per instruction set
// (cpu/isa.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/lane_sum.h"
#include "cpu/loops.h"
#include "elementwise_fn.h"
#include "kernels.h"

namespace ember::cpu::softmax_rows::EMBER_ISA {

namespace {
/// x as (outer, n, inner) around dim (a 0-d x is one row of one).
struct Split {
  int64_t outer = 1, n = 1, inner = 1;
};
Split split_at(const Tensor& x, int64_t dim) {
  Split s;
  for (int64_t d = 0; d < x.dim(); ++d)
    (d < dim ? s.outer : d == dim ? s.n : s.inner) *= x.sizes()[d];
  return s;
}

/// Columns per work item where the reduced dim is not the last: wide enough to vectorize, few
/// enough that the per-column accumulators stay in cache.
constexpr int64_t kColumns = 256;

/// Lanes of the row reductions: one AVX2 vector of float. The tail and the lanes meet in scalars
/// (a vector load of lanes just stored one by one would stall on store forwarding).
constexpr int kLanes = 8;

/// The largest of p[0, n). A NaN is not carried, but exp(NaN - max) makes its row NaN anyway.
template <class T>
T row_max(const T* p, int64_t n) {
  T lanes[kLanes];
  std::fill_n(lanes, kLanes, -std::numeric_limits<T>::infinity());
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] = std::max(lanes[j], p[k + j]);
  T m = -std::numeric_limits<T>::infinity();
  for (; k < n; ++k) m = std::max(m, p[k]);
  for (T v : lanes) m = std::max(m, v);
  return m;
}

/// The sum of term(k) for k in [0, n): in T's lanes over a row of up to kShortRow terms (float's
/// rounding grows with the count, as in torch's vectorized sums), else a LaneSum (exact to double
/// however long the row).
constexpr int64_t kShortRow = 1024;
template <class T, class F>
double row_sum(int64_t n, F term) {
  if (n > kShortRow) {
    LaneSum<T> sum;
    sum.add(n, term);
    return sum.total();
  }
  T lanes[kLanes] = {};
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] += term(k + j);
  T total = 0;
  for (; k < n; ++k) total += term(k);
  for (T v : lanes) total += v;
  return total;
}

/// f(o, i0, width, base offset) for every block of up to kColumns columns of every outer slice.
template <class F>
void for_column_blocks(const Split& s, F f) {
  const int64_t blocks = (s.inner + kColumns - 1) / kColumns;
  parallel_range(s.outer * blocks, s.n * kColumns, [&](int64_t b, int64_t e) {
    for (int64_t item = b; item < e; ++item) {
      const int64_t o = item / blocks, i0 = item % blocks * kColumns;
      f(std::min(kColumns, s.inner - i0), o * s.n * s.inner + i0);
    }
  });
}
}  // namespace

void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  const Split s = split_at(x, dim);
  visit_floating(x.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* px = static_cast<const T*>(x.raw_data());
    T* po = static_cast<T*>(out.raw_data());
    if (s.inner == 1) {
      parallel_range(s.outer, s.n, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          const T* xr = px + r * s.n;
          T* yr = po + r * s.n;
          const T m = row_max(xr, s.n);
          for (int64_t k = 0; k < s.n; ++k) yr[k] = ember_exp(xr[k] - m);
          const double sum = row_sum<T>(s.n, [=](int64_t k) { return yr[k]; });
          if (log) {
            const T lse = static_cast<T>(std::log(sum));
            for (int64_t k = 0; k < s.n; ++k) yr[k] = (xr[k] - m) - lse;
          } else {
            const T inv = static_cast<T>(1 / sum);
            for (int64_t k = 0; k < s.n; ++k) yr[k] *= inv;
          }
        }
      });
      return;
    }
    for_column_blocks(s, [&](int64_t w, int64_t at) {
      T m[kColumns], last[kColumns];
      double sum[kColumns];
      std::fill_n(m, w, -std::numeric_limits<T>::infinity());
      std::fill_n(sum, w, 0.0);
      for (int64_t k = 0; k < s.n; ++k) {
        const T* xr = px + at + k * s.inner;
        for (int64_t i = 0; i < w; ++i) m[i] = std::max(m[i], xr[i]);
      }
      for (int64_t k = 0; k < s.n; ++k) {
        const T* xr = px + at + k * s.inner;
        T* yr = po + at + k * s.inner;
        for (int64_t i = 0; i < w; ++i) sum[i] += yr[i] = ember_exp(xr[i] - m[i]);
      }
      for (int64_t i = 0; i < w; ++i) last[i] = static_cast<T>(log ? std::log(sum[i]) : 1 / sum[i]);
      for (int64_t k = 0; k < s.n; ++k) {
        const T* xr = px + at + k * s.inner;
        T* yr = po + at + k * s.inner;
        if (log)
          for (int64_t i = 0; i < w; ++i) yr[i] = (xr[i] - m[i]) - last[i];
        else
          for (int64_t i = 0; i < w; ++i) yr[i] *= last[i];
      }
    });
  });
}

// softmax: dx = y (g - sum(g y)); log_softmax: dx = g - exp(y) sum(g).
void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t dim, bool log) {
  const Split s = split_at(y, dim);
  visit_floating(y.dtype(), log ? "log_softmax_backward" : "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* pg = static_cast<const T*>(g.raw_data());
    const T* py = static_cast<const T*>(y.raw_data());
    T* pd = static_cast<T*>(dx.raw_data());
    if (s.inner == 1) {
      parallel_range(s.outer, s.n, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          const T *gr = pg + r * s.n, *yr = py + r * s.n;
          T* dr = pd + r * s.n;
          if (log) {
            const T t = static_cast<T>(row_sum<T>(s.n, [=](int64_t k) { return gr[k]; }));
            for (int64_t k = 0; k < s.n; ++k) dr[k] = gr[k] - ember_exp(yr[k]) * t;
          } else {
            const T t = static_cast<T>(row_sum<T>(s.n, [=](int64_t k) { return gr[k] * yr[k]; }));
            for (int64_t k = 0; k < s.n; ++k) dr[k] = yr[k] * (gr[k] - t);
          }
        }
      });
      return;
    }
    for_column_blocks(s, [&](int64_t w, int64_t at) {
      double sum[kColumns];
      T t[kColumns];
      std::fill_n(sum, w, 0.0);
      for (int64_t k = 0; k < s.n; ++k) {
        const T *gr = pg + at + k * s.inner, *yr = py + at + k * s.inner;
        for (int64_t i = 0; i < w; ++i) sum[i] += log ? gr[i] : gr[i] * yr[i];
      }
      for (int64_t i = 0; i < w; ++i) t[i] = static_cast<T>(sum[i]);
      for (int64_t k = 0; k < s.n; ++k) {
        const T *gr = pg + at + k * s.inner, *yr = py + at + k * s.inner;
        T* dr = pd + at + k * s.inner;
        if (log)
          for (int64_t i = 0; i < w; ++i) dr[i] = gr[i] - ember_exp(yr[i]) * t[i];
        else
          for (int64_t i = 0; i < w; ++i) dr[i] = yr[i] * (gr[i] - t[i]);
      }
    });
  });
}

}  // namespace ember::cpu::softmax_rows::EMBER_ISA
