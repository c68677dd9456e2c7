// CPU kernels of the scan table (compiled once per instruction set, see cpu/isa.h). A scan is
// serial along its dim, but the lines along it are independent: they are split across threads,
// and neighbouring lines (a scan over dim 0 of a row-major matrix) are stepped together, a row
// at a time, so that the inner loop runs over contiguous memory and vectorizes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "cpu/loops.h"
#include "elementwise_fn.h"
#include "kernels.h"

namespace ember::cpu::scan::EMBER_ISA {
namespace {

/// float16 and bfloat16: results only, read as float32 (the op widens their input) and run in float.
template <class O>
constexpr bool is_16bit = std::is_same_v<O, Half> || std::is_same_v<O, BFloat16>;

// Which result types each kind of the table is instantiated for (the op rejects the others),
// and which input types: a SUM scan converts bool and integer inputs as it reads them.
struct SUM {
  template <class O>
  static constexpr bool ok = std::is_same_v<O, int64_t> || std::is_floating_point_v<O> || is_16bit<O>;
  template <class T, class O>
  static constexpr bool reads = std::is_same_v<T, O> || !std::is_floating_point_v<T> ||
                                (is_16bit<O> && std::is_same_v<T, float>);
};
struct FLOAT {
  template <class O> static constexpr bool ok = std::is_floating_point_v<O> || is_16bit<O>;
  template <class T, class O>
  static constexpr bool reads = std::is_same_v<T, O> || (is_16bit<O> && std::is_same_v<T, float>);
};

// The running type of a row (see scan.def); a 16-bit float result runs in float, as PyTorch's
// (so a bfloat16 product that overflows stays inf, where a double would come back).
template <class O>
using Acc = std::conditional_t<is_16bit<O>, float, O>;
struct SAME { template <class O> using type = Acc<O>; };
struct WIDE { template <class O> using type = std::conditional_t<std::is_same_v<O, float>, double, Acc<O>>; };

/// log(e^a + e^b) without overflow. NaN stays NaN; two equal infinities stay themselves
/// (the shifted form would give inf - inf).
template <class A>
A log_add_exp(A a, A b) {
  if (a != a || b != b) return a + b;
  const A lo = std::min(a, b), hi = std::max(a, b);
  if (lo == hi && !std::isfinite(lo)) return a;
  return hi + std::log1p(std::exp(lo - hi));
}

/// How many neighbouring lines are stepped together (their running values live on the stack).
constexpr int64_t kRow = 256;

/// Calls lines(p, s, n) for runs of n lines of the N operands, in parallel when there are many:
/// p[k] points at the first element of the run's first line of operand k, s[k] is the byte
/// stride from one line to the next. `len` is the scan's length (the cost of a line).
template <size_t N, class F>
void for_each_lines(const std::array<const Tensor*, N>& ts, int64_t dim, int64_t len, F lines) {
  std::array<Tensor, N> dropped;
  std::array<const Tensor*, N> ptrs;
  for (size_t k = 0; k < N; ++k) {
    dropped[k] = drop_dim(*ts[k], dim);
    ptrs[k] = &dropped[k];
  }
  Geometry<N> g(ptrs);
  parallel_range(g.numel, std::max<int64_t>(1, len), [&](int64_t b, int64_t e) {
    F local = lines;
    g.for_range(b, e, local);
  });
}

/// A value scan: out[.., j, ..] = step(out[.., j - 1, ..], in[.., j, ..]), in read as T, the
/// running value of type A, out written as O.
template <class T, class O, class A, class Step>
void value_lines(const Tensor& out, const Tensor& in, int64_t dim, A first, Step step) {
  const int64_t len = in.sizes()[dim], os = out.strides()[dim], xs = in.strides()[dim];
  for_each_lines<2>({&out, &in}, dim, len, [&](char* const* p, const int64_t* s, int64_t n) {
    O* o = reinterpret_cast<O*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    if (n > 1 && s[0] == int64_t(sizeof(O)) && s[1] == int64_t(sizeof(T))) {
      for (int64_t c = 0; c < n; c += kRow) {
        const int64_t w = std::min(kRow, n - c);
        A acc[kRow];
        std::fill(acc, acc + w, first);
        for (int64_t j = 0; j < len; ++j) {
          const T* xr = x + j * xs + c;
          O* orow = o + j * os + c;
          for (int64_t i = 0; i < w; ++i) {
            acc[i] = step(acc[i], A(xr[i]));
            orow[i] = O(acc[i]);
          }
        }
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      O* oi = reinterpret_cast<O*>(p[0] + i * s[0]);
      const T* xi = reinterpret_cast<const T*>(p[1] + i * s[1]);
      A acc = first;
      for (int64_t j = 0; j < len; ++j) {
        acc = step(acc, A(xi[j * xs]));
        oi[j * os] = O(acc);
      }
    }
  });
}

template <class Kind, class Running, class Init, class Step>
void value_scan(const Tensor& out, const Tensor& in, int64_t dim, Init init, Step step) {
  if (out.numel() == 0) return;
  visit_all_dtypes(out.dtype(), [&](auto otag) {
    using O = decltype(otag);
    visit_dtype(in.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (Kind::template ok<O> && Kind::template reads<T, O>) {
        using A = typename Running::template type<O>;
        value_lines<T, O, A>(out, in, dim, init(A{}), step);
      } else {
        throw TypeError(detail::cat("kernel: dtypes ", dtype_name(in.dtype()), " -> ", dtype_name(out.dtype()),
                                    " not supported"));
      }
    });
  });
}

/// An indexed scan: the kept value and its index along dim, replaced where keeps(x, best) or x
/// is NaN; once NaN is kept only a later NaN replaces it.
template <class Keeps>
void indexed_scan(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, Keeps keeps) {
  const int64_t len = in.sizes()[dim], vs = values.strides()[dim], is = indices.strides()[dim],
                xs = in.strides()[dim];
  if (values.numel() == 0) return;
  visit_dtype(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto replaces = [keeps](T x, T best) { return x != x || (best == best && keeps(x, best)); };
    for_each_lines<3>({&values, &indices, &in}, dim, len, [&](char* const* p, const int64_t* s, int64_t n) {
      T* v = reinterpret_cast<T*>(p[0]);
      int64_t* ix = reinterpret_cast<int64_t*>(p[1]);
      const T* x = reinterpret_cast<const T*>(p[2]);
      if (n > 1 && s[0] == int64_t(sizeof(T)) && s[1] == int64_t(sizeof(int64_t)) && s[2] == int64_t(sizeof(T))) {
        for (int64_t c = 0; c < n; c += kRow) {
          const int64_t w = std::min(kRow, n - c);
          T best[kRow];
          int64_t at[kRow] = {};
          std::copy(x + c, x + c + w, best);
          for (int64_t j = 0; j < len; ++j) {
            const T* xr = x + j * xs + c;
            for (int64_t i = 0; i < w; ++i) {
              const bool r = replaces(xr[i], best[i]);
              best[i] = r ? xr[i] : best[i];
              at[i] = r ? j : at[i];
            }
            std::copy(best, best + w, v + j * vs + c);
            std::copy(at, at + w, ix + j * is + c);
          }
        }
        return;
      }
      for (int64_t i = 0; i < n; ++i) {
        T* vi = reinterpret_cast<T*>(p[0] + i * s[0]);
        int64_t* ii = reinterpret_cast<int64_t*>(p[1] + i * s[1]);
        const T* xi = reinterpret_cast<const T*>(p[2] + i * s[2]);
        T best = xi[0];
        int64_t at = 0;
        for (int64_t j = 0; j < len; ++j) {
          if (replaces(xi[j * xs], best)) {
            best = xi[j * xs];
            at = j;
          }
          vi[j * vs] = best;
          ii[j * is] = at;
        }
      }
    });
  });
}

}  // namespace

#define EMBER_SCAN(name, kind, running, init, step, saves)                       \
  void name(const Tensor& out, const Tensor& in, int64_t dim) {                  \
    value_scan<kind, running>(                                                   \
        out, in, dim, [](auto tag) { using A = decltype(tag); return A(init); }, \
        [](auto acc, auto x) { return decltype(acc)(step); });                   \
  }
#define EMBER_SCAN_INDEXED(name, keeps)                                                    \
  void name(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {  \
    indexed_scan(values, indices, in, dim, [](auto x, auto best) { return bool(keeps); }); \
  }
#include "ember/scan.def"

}  // namespace ember::cpu::scan::EMBER_ISA
