// CPU kernels of the pointwise table (compiled once per instruction set, see cpu/isa.h).
#include <cmath>
#include <type_traits>

#include "cpu/isa.h"
#include "cpu/loops.h"
#include "elementwise_fn.h"
#include "kernels.h"

namespace ember::cpu::pointwise::EMBER_ISA {
namespace {

// Which C++ types each kind of the table is instantiated for.
struct AllTypes { template <class T> static constexpr bool ok = true; };
struct FloatTypes { template <class T> static constexpr bool ok = std::is_floating_point_v<T>; };
struct NumericTypes { template <class T> static constexpr bool ok = !std::is_same_v<T, bool>; };
struct IntegralTypes { template <class T> static constexpr bool ok = std::is_integral_v<T>; };
struct IntegerTypes { template <class T> static constexpr bool ok = std::is_integral_v<T> && !std::is_same_v<T, bool>; };
struct BoolTypes { template <class T> static constexpr bool ok = std::is_same_v<T, bool>; };
using FLOAT = FloatTypes;
using NUMERIC = NumericTypes;
using ANY = AllTypes;
using SQUARE = NumericTypes;
using ROUND = FloatTypes;
using PREDICATE = AllTypes;
using INTEGRAL = IntegralTypes;
using ARITH = AllTypes;
using NONBOOL = AllTypes;  // bool reaches the kernel only for bool ** Python bool
using DIVIDE = FloatTypes;
using COMPARE = AllTypes;
using LOGICAL = BoolTypes;
using BITWISE = IntegralTypes;
using FLOATING = FloatTypes;
using INTEGER = IntegerTypes;

template <class Kind, class F>
void unary_kernel(const Tensor& out, const Tensor& x, F f) {
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (Kind::template ok<T>) {
      using R = decltype(f(T{}));
      map<R, T>(out, x, f);
    } else {
      throw TypeError(detail::cat("kernel: dtype ", dtype_name(x.dtype()), " not supported"));
    }
  });
}

/// out = f(x, y) over one run of n elements (pointers and byte strides, out first), with plain
/// loops for contiguous operands and for a broadcast scalar x or y.
template <class R, class T, class F>
void binary_run(F f, char* const* p, const int64_t* s, int64_t n) {
  R* o = reinterpret_cast<R*>(p[0]);
  const T* a = reinterpret_cast<const T*>(p[1]);
  const T* b = reinterpret_cast<const T*>(p[2]);
  constexpr int64_t sr = sizeof(R), st = sizeof(T);
  if (s[0] == sr && s[1] == st && s[2] == st) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  } else if (s[0] == sr && s[1] == st && s[2] == 0) {
    const T bv = *b;
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else if (s[0] == sr && s[1] == 0 && s[2] == st) {
    const T av = *a;
    for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                                                 *reinterpret_cast<const T*>(p[2] + i * s[2]));
  }
}

template <class Kind, class F>
void binary_kernel(const Tensor& out, const Tensor& x, const Tensor& y, F f) {
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (Kind::template ok<T>) {
      using R = decltype(f(T{}, T{}));
      for_each<3>({&out, &x, &y}, [f](char* const* p, const int64_t* st, int64_t n) { binary_run<R, T>(f, p, st, n); });
    } else {
      throw TypeError(detail::cat("kernel: dtype ", dtype_name(x.dtype()), " not supported"));
    }
  });
}

// A row over one run for a fused graph replay (kernels.h's PointwiseSpan): the same loops as
// the row's kernel, so each element gets the same operations.
template <class Kind, class F>
void unary_span(DType t, char* const* p, const int64_t* s, int64_t n, F f) {
  visit_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (Kind::template ok<T>) map_run<decltype(f(T{})), T>(f, p, s, n);
  });
}
template <class Kind, class F>
void binary_span(DType t, char* const* p, const int64_t* s, int64_t n, F f) {
  visit_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (Kind::template ok<T>) binary_run<decltype(f(T{}, T{})), T>(f, p, s, n);
  });
}

}  // namespace

#define EMBER_UNARY(name, kind, formula, doc, ...) \
  void name(const Tensor& out, const Tensor& x) { unary_kernel<kind>(out, x, name##_fn{}); }
#define EMBER_BINARY(name, kind, formula, doc, ...)                        \
  void name(const Tensor& out, const Tensor& x, const Tensor& y) { \
    binary_kernel<kind>(out, x, y, name##_fn{});                   \
  }
#include "ember/elementwise.def"

/// out = f(a, b, c) over one run (pointers and byte strides, out first), with plain loops for
/// contiguous operands, one of a and b possibly a broadcast scalar: they vectorize.
template <class T, class F>
void ternary_run(F f, char* const* p, const int64_t* s, int64_t n) {
  T* o = reinterpret_cast<T*>(p[0]);
  const T* x = reinterpret_cast<const T*>(p[1]);
  const T* y = reinterpret_cast<const T*>(p[2]);
  const T* z = reinterpret_cast<const T*>(p[3]);
  constexpr int64_t st = sizeof(T);
  if (s[0] == st && s[3] == st && s[1] == st && s[2] == st) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i], z[i]);
  } else if (s[0] == st && s[3] == st && s[1] == st && s[2] == 0) {
    const T yv = *y;
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv, z[i]);
  } else if (s[0] == st && s[3] == st && s[1] == 0 && s[2] == st) {
    const T xv = *x;
    for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i], z[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<T*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                                                 *reinterpret_cast<const T*>(p[2] + i * s[2]),
                                                 *reinterpret_cast<const T*>(p[3] + i * s[3]));
  }
}

template <class Fn>
void ternary_kernel(const char* op, const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, Fn f) {
  visit_floating(out.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    for_each<4>({&out, &a, &b, &c}, [f](char* const* p, const int64_t* s, int64_t n) { ternary_run<T>(f, p, s, n); });
  });
}

// One rounding per element: std::fma is one instruction in the AVX2+FMA copy, and libm's
// correctly rounded fma in the baseline one, so both copies give the same bits.
void multiply_add(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c) {
  ternary_kernel("multiply_add", out, a, b, c, [](auto x, auto y, auto z) { return std::fma(x, y, z); });
}

// Branch-free selects, so the loops vectorize (a NaN weight takes the second form: NaN).
void lerp(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& w) {
  ternary_kernel("lerp", out, w, a, b, [](auto wv, auto av, auto bv) {
    using T = decltype(wv);
    const bool low = std::fabs(wv) < T(0.5);
    return std::fma(low ? wv : wv - T(1), bv - av, low ? av : bv);
  });
}

// The span of every row, in the table's order (the fused replay's rows, kernels.h).
extern const PointwiseSpan spans[];
const PointwiseSpan spans[] = {
#define EMBER_UNARY(name, kind, ...) \
  [](DType t, char* const* p, const int64_t* s, int64_t n) { unary_span<kind>(t, p, s, n, name##_fn{}); },
#define EMBER_BINARY(name, kind, ...) \
  [](DType t, char* const* p, const int64_t* s, int64_t n) { binary_span<kind>(t, p, s, n, name##_fn{}); },
#include "ember/elementwise.def"
};

}  // namespace ember::cpu::pointwise::EMBER_ISA
