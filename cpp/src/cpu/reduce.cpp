// CPU reductions: the outer (kept) dims are walked with the strided-loop helper, the inner
// (reduced) dims by a small nested counter, with a vectorized path for contiguous float sums.
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu/loops.h"
#include "elementwise_fn.h"
#include "kernels.h"

namespace ember::cpu {
namespace {

/// The reduced dims of a tensor collapsed where contiguous: sizes and strides in elements.
struct Inner {
  int nd = 0;
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxDims];
  int64_t numel = 1;
  Inner(const Tensor& in, int64_t first) {
    // As Geometry: an empty input has no elements to visit (its result is empty or all identity);
    // any other keeps at most 62 dims of size > 1.
    if (in.numel() == 0) {
      numel = 0;
      return;
    }
    for (int64_t d = first; d < in.dim(); ++d) {
      int64_t sz = in.sizes()[d], st = in.strides()[d];
      numel *= sz;
      if (sz == 1) continue;
      if (nd > 0 && strides[nd - 1] == st * sz) {
        sizes[nd - 1] *= sz;
        strides[nd - 1] = st;
      } else {
        sizes[nd] = sz;
        strides[nd] = st;
        ++nd;
      }
    }
  }
  bool contiguous() const { return nd == 0 || (nd == 1 && strides[0] == 1); }
  /// Calls f(offset) with the element offset of every inner element, in order.
  template <class F>
  void for_each_offset(F&& f) const {
    int64_t idx[kMaxDims] = {};
    for (int64_t k = 0; k < numel; ++k) {
      int64_t off = 0;
      for (int d = 0; d < nd; ++d) off += idx[d] * strides[d];
      f(off);
      for (int d = nd - 1; d >= 0 && ++idx[d] == sizes[d]; --d) idx[d] = 0;
    }
  }
  /// Calls f(value) for inner elements [begin, end) of the block starting at p.
  template <class T, class F>
  void visit(const T* p, int64_t begin, int64_t end, F&& f) const {
    if (begin >= end) return;
    if (nd == 0) {
      if (begin < end) f(p[0]);
      return;
    }
    int64_t idx[kMaxDims];
    int64_t rem = begin;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rem % sizes[d];
      rem /= sizes[d];
    }
    while (begin < end) {
      const T* q = p;
      for (int d = 0; d < nd - 1; ++d) q += idx[d] * strides[d];
      const int64_t s = strides[nd - 1];
      int64_t n = std::min(sizes[nd - 1] - idx[nd - 1], end - begin);
      q += idx[nd - 1] * s;
      for (int64_t i = 0; i < n; ++i) f(q[i * s]);
      begin += n;
      idx[nd - 1] += n;
      for (int d = nd - 1; d > 0 && idx[d] == sizes[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }
};

/// Calls f(std::integral_constant<ReduceOp, op>{}): the op becomes a compile-time constant.
template <class F>
void visit_reduce_op(ReduceOp op, F&& f) {
  switch (op) {
    case ReduceOp::Sum: return f(std::integral_constant<ReduceOp, ReduceOp::Sum>{});
    case ReduceOp::Prod: return f(std::integral_constant<ReduceOp, ReduceOp::Prod>{});
    case ReduceOp::Max: return f(std::integral_constant<ReduceOp, ReduceOp::Max>{});
    case ReduceOp::Min: return f(std::integral_constant<ReduceOp, ReduceOp::Min>{});
    case ReduceOp::All: return f(std::integral_constant<ReduceOp, ReduceOp::All>{});
    case ReduceOp::Any: return f(std::integral_constant<ReduceOp, ReduceOp::Any>{});
  }
}

template <class T>
using acc_t = std::conditional_t<std::is_same_v<T, float>, double,
                                 std::conditional_t<std::is_same_v<T, bool>, int64_t, T>>;

/// Sum of a contiguous run: 32 independent lanes (vectorized, not latency-bound) within blocks,
/// blocks added in double so float32 sums stay accurate.
template <class T>
inline double sum_lanes(const T* p, int64_t n) {
  constexpr int64_t kLanes = 32, kBlock = 4096;
  double total = 0;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    T lanes[kLanes] = {};
    int64_t i = b;
    for (; i + kLanes <= e; i += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) lanes[j] += p[i + j];
    T s = 0;
    for (; i < e; ++i) s += p[i];
    for (int64_t j = 0; j < kLanes; ++j) s += lanes[j];
    total += s;
  }
  return total;
}
/// acc[i] += src[i]: the vertical step of a sum over strided elements.
template <class T>
inline void add_row(double* acc, const T* src, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += src[i];
}

// The vertical sum step again for AVX2 (chosen per CPU by GCC's ifunc resolver): a leaf
// function, so unlike the OpenMP kernels it can simply be cloned.
#if defined(__x86_64__)
#define EMBER_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define EMBER_AVX2_CLONES
#endif
// (sum_lanes itself stays baseline: an AVX2 clone of it measured no faster for 1M floats.)
template <class T>
double sum_contiguous(const T* p, int64_t n) { return sum_lanes(p, n); }
EMBER_AVX2_CLONES void accumulate_row(double* acc, const float* src, int64_t n) { add_row(acc, src, n); }
EMBER_AVX2_CLONES void accumulate_row(double* acc, const double* src, int64_t n) { add_row(acc, src, n); }

template <ReduceOp op, class T, class A>
struct Reducer {
  static constexpr A identity() {
    switch (op) {
      case ReduceOp::Sum: return A(0);
      case ReduceOp::Prod: return A(1);
      case ReduceOp::Max:
        return std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity()
                                                    : std::numeric_limits<A>::lowest();
      case ReduceOp::Min:
        return std::numeric_limits<A>::has_infinity ? std::numeric_limits<A>::infinity()
                                                    : std::numeric_limits<A>::max();
      case ReduceOp::All: return A(1);
      case ReduceOp::Any: return A(0);
    }
    return A(0);
  }
  static A combine(A a, A v) {
    switch (op) {
      case ReduceOp::Sum: return wrapping_add(a, v);
      case ReduceOp::Prod: return wrapping_mul(a, v);
      case ReduceOp::Max: return (v != v || v > a) ? v : a;  // NaN sticks
      case ReduceOp::Min: return (v != v || v < a) ? v : a;
      case ReduceOp::All: return A(a && v);
      case ReduceOp::Any: return A(a || v);
    }
    return a;
  }
  /// Reduction of inner elements [begin, end) of the block at p.
  static A run(const Inner& in, const T* p, int64_t begin, int64_t end) {
    if constexpr (std::is_floating_point_v<T> && op == ReduceOp::Sum) {
      if (in.contiguous()) return A(sum_contiguous(p + begin, end - begin));
    }
    A acc = identity();
    in.visit(p, begin, end, [&](T v) { acc = combine(acc, A(v)); });
    return acc;
  }
};

}  // namespace

void reduce(ReduceOp op, const Tensor& out, const Tensor& in, int64_t n_reduced) {
  const int64_t n_outer_dims = in.dim() - n_reduced;
  Inner inner(in, n_outer_dims);
  Shape outer_sizes(in.sizes().begin(), in.sizes().begin() + n_outer_dims);
  Shape outer_strides(in.strides().begin(), in.strides().begin() + n_outer_dims);
  Tensor in_outer = Tensor::make_view(in, outer_sizes, outer_strides, in.offset());
  // out may have a different dtype (sum of bool -> int64): read in's, write out's.
  visit_reduce_op(op, [&](auto op_tag) {
   visit_dtype(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using A = acc_t<T>;
    visit_dtype(out.dtype(), [&](auto otag) {
      using O = decltype(otag);
      using R = Reducer<decltype(op_tag)::value, T, A>;
      const R r{};
      const int64_t n_out = out.numel();
      if (n_out == 1 && inner.numel >= kParallelGrain && num_threads() > 1) {
        // One result from many elements: split the inner range, then combine the partials.
        const T* p = static_cast<const T*>(in.raw_data());
        std::vector<A> partial(num_threads(), r.identity());
#pragma omp parallel
        {
          int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
          int64_t chunk = (inner.numel + nt - 1) / nt;
          int64_t b = std::min(inner.numel, t * chunk), e = std::min(inner.numel, b + chunk);
          partial[t] = r.run(inner, p, b, e);
        }
        A acc = r.identity();
        for (A v : partial) acc = r.combine(acc, v);
        *static_cast<O*>(out.raw_data()) = static_cast<O>(acc);
        return;
      }
      const int64_t outer_nd = in_outer.dim();
      if (!inner.contiguous() && n_out >= 256 && outer_nd > 0 && in_outer.strides()[outer_nd - 1] == 1) {
        // Reducing strided elements (sum over dim 0 of a row-major matrix): add whole contiguous
        // slices into an accumulator row instead, so the loads stay sequential and vectorize.
        std::vector<A> acc(n_out, r.identity());
        Geometry<1> slices({&in_outer});
        parallel_range(n_out, inner.numel, [&](int64_t b, int64_t e) {
          inner.for_each_offset([&](int64_t off) {
            int64_t k = b;
            auto run = [&](char* const* p, const int64_t* s, int64_t n) {
              const T* src = reinterpret_cast<const T*>(p[0]) + off;
              A* a = acc.data() + k;
              if constexpr (std::is_floating_point_v<T> && decltype(op_tag)::value == ReduceOp::Sum) {
                if (s[0] == sizeof(T)) {
                  accumulate_row(a, src, n);
                  k += n;
                  return;
                }
              }
              if (s[0] == sizeof(T)) {
                for (int64_t i = 0; i < n; ++i) a[i] = r.combine(a[i], A(src[i]));
              } else {
                for (int64_t i = 0; i < n; ++i) a[i] = r.combine(a[i], A(src[i * s[0] / int64_t(sizeof(T))]));
              }
              k += n;
            };
            slices.for_range(b, e, run);
          });
        });
        O* o = static_cast<O*>(out.raw_data());
        for (int64_t i = 0; i < n_out; ++i) o[i] = static_cast<O>(acc[i]);
        return;
      }
      Geometry<2> g({&out, &in_outer});
      auto body = [&](int64_t b, int64_t e) {
        auto run = [&](char* const* p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const T* src = reinterpret_cast<const T*>(p[1] + i * s[1]);
            *reinterpret_cast<O*>(p[0] + i * s[0]) = static_cast<O>(r.run(inner, src, 0, inner.numel));
          }
        };
        g.for_range(b, e, run);
      };
      parallel_range(g.numel, std::max<int64_t>(1, inner.numel), body);
    });
   });
  });
}

namespace {
/// Sum of (x - m)^2 in double over inner elements [b, e) of the block at p; four running sums
/// over a contiguous block so the loop pipelines.
template <class T>
double sum_sq_dev_range(const Inner& inner, const T* p, double m, int64_t b, int64_t e) {
  if (inner.contiguous()) {
    double acc[4] = {0, 0, 0, 0};
    int64_t i = b;
    for (; i + 4 <= e; i += 4)
      for (int k = 0; k < 4; ++k) {
        const double d = static_cast<double>(p[i + k]) - m;
        acc[k] += d * d;
      }
    for (; i < e; ++i) {
      const double d = static_cast<double>(p[i]) - m;
      acc[0] += d * d;
    }
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
  }
  double acc = 0;
  inner.visit(p, b, e, [&](T v) {
    const double d = static_cast<double>(v) - m;
    acc += d * d;
  });
  return acc;
}
}  // namespace

void sum_sq_dev(const Tensor& out, const Tensor& in, const Tensor& mean, int64_t n_reduced) {
  const int64_t n_outer_dims = in.dim() - n_reduced;
  Inner inner(in, n_outer_dims);
  Tensor in_outer = Tensor::make_view(in, Shape(in.sizes().begin(), in.sizes().begin() + n_outer_dims),
                                      Shape(in.strides().begin(), in.strides().begin() + n_outer_dims), in.offset());
  visit_dtype(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      if (out.numel() == 1 && inner.numel >= kParallelGrain && num_threads() > 1) {  // split one long row
        const T* p = static_cast<const T*>(in.raw_data());
        const double m = static_cast<double>(*static_cast<const T*>(mean.raw_data()));
        std::vector<double> partial(num_threads(), 0.0);
#pragma omp parallel
        {
          const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
          const int64_t chunk = (inner.numel + nt - 1) / nt;
          const int64_t b = std::min(inner.numel, t * chunk), e = std::min(inner.numel, b + chunk);
          partial[t] = sum_sq_dev_range(inner, p, m, b, e);
        }
        double acc = 0;
        for (double v : partial) acc += v;
        *static_cast<double*>(out.raw_data()) = acc;
        return;
      }
      Geometry<3> g({&out, &in_outer, &mean});
      parallel_range(g.numel, std::max<int64_t>(1, inner.numel), [&](int64_t b, int64_t e) {
        auto run = [&](char* const* p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const double m = static_cast<double>(*reinterpret_cast<const T*>(p[2] + i * s[2]));
            *reinterpret_cast<double*>(p[0] + i * s[0]) =
                sum_sq_dev_range(inner, reinterpret_cast<const T*>(p[1] + i * s[1]), m, 0, inner.numel);
          }
        };
        g.for_range(b, e, run);
      });
    } else {
      EMBER_CHECK_TYPE(false, "sum_sq_dev: expected a float32 or float64 input, got ", dtype_name(in.dtype()));
    }
  });
}

void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  const int64_t len = in.sizes()[dim], step = in.strides()[dim];
  Tensor in0 = drop_dim(in, dim);
  visit_dtype(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Geometry<3> g({&values, &indices, &in0});
    auto body = [&](int64_t b, int64_t e) {
      auto run = [&](char* const* p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          const T* src = reinterpret_cast<const T*>(p[2] + i * s[2]);
          T best = src[0];
          int64_t best_i = 0;
          for (int64_t j = 1; j < len && best == best; ++j) {
            const T v = src[j * step];
            if (v != v || (is_max ? v > best : v < best)) {
              best = v;
              best_i = j;
            }
          }
          *reinterpret_cast<T*>(p[0] + i * s[0]) = best;
          *reinterpret_cast<int64_t*>(p[1] + i * s[1]) = best_i;
        }
      };
      g.for_range(b, e, run);
    };
    parallel_range(g.numel, std::max<int64_t>(1, len), body);
  });
}

}  // namespace ember::cpu
