#pragma once
// Scalar helpers used by the formulas in ember/elementwise.def, and one functor per row.
// Written once, shared by every device's kernels.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

// Forced inline: in a translation unit instantiating every kernel, GCC's inlining budget runs
// out, and one call per element would stop the loops from vectorizing.
#define EMBER_INLINE inline __attribute__((always_inline))

namespace ember {
// Internal linkage: each translation unit that includes this header has its own copy, so copies
// compiled with different flags (a CPU instruction set, a GPU compiler) never mix at link time.
namespace {

/// e^x. float: Cody-Waite reduction and Cephes' degree-5 polynomial (< 1 ulp), branch-free so
/// loops vectorize; results below FLT_MIN flush to 0, NaN and +-inf are kept. double: libm.
EMBER_INLINE float ember_exp(float x) {
  const float xc = std::min(std::max(x, -87.33654f), 88.72283f);
  const float k = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(xc / ln2)
  const float r = (xc - k * 0.693359375f) + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^k as two factors: k reaches 128 at the top of the range.
  // The exponent bits shift as unsigned: for a NaN x, k's integer is negative (UBSan found it).
  const int32_t ki = static_cast<int32_t>(k), k1 = ki >> 1;
  const uint32_t b1 = static_cast<uint32_t>(k1 + 127) << 23, b2 = static_cast<uint32_t>(ki - k1 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, 4);
  std::memcpy(&s2, &b2, 4);
  const float y = p * s1 * s2;
  return x > 88.72283f ? std::numeric_limits<float>::infinity() : (x < -87.33654f ? 0.0f : y);
}
EMBER_INLINE double ember_exp(double x) { return std::exp(x); }
template <class T>
EMBER_INLINE T ember_exp(T x) { return static_cast<T>(std::exp(static_cast<double>(x))); }

template <class T>
EMBER_INLINE T ember_add(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) return x || y;
  else return x + y;
}
template <class T>
EMBER_INLINE T ember_mul(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) return x && y;
  else return x * y;
}
template <class T>
EMBER_INLINE T ember_bitwise_not(T x) {
  if constexpr (std::is_same_v<T, bool>) return !x;
  else return ~x;
}
template <class T>
EMBER_INLINE T ember_maximum(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return x > y ? x : y;
}
template <class T>
EMBER_INLINE T ember_minimum(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return x < y ? x : y;
}
// Integer division: the op checks y != 0 before the kernel runs; y == -1 avoids INT64_MIN / -1.
template <class T>
EMBER_INLINE T ember_floor_divide(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    // Python's float floor division: exact through fmod, and NaN for an infinite x.
    if (y == 0) return x / y;
    const T mod = std::fmod(x, y);
    T div = (x - mod) / y;
    if (mod != 0 && ((y < 0) != (mod < 0))) div -= 1;
    if (div == 0) return std::copysign(T(0), x / y);
    T floordiv = std::floor(div);
    if (div - floordiv > T(0.5)) floordiv += 1;
    return floordiv;
  } else if constexpr (std::is_same_v<T, bool>) {
    return x;
  } else {
    if (y == -1) return static_cast<T>(0 - static_cast<uint64_t>(x));
    T q = x / y;
    return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
  }
}
template <class T>
EMBER_INLINE T ember_fmod(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) return std::fmod(x, y);
  else if constexpr (std::is_same_v<T, bool>) return false;
  else return y == -1 ? 0 : x % y;
}
template <class T>
EMBER_INLINE T ember_remainder(T x, T y) {
  T r = ember_fmod(x, y);
  if constexpr (std::is_same_v<T, bool>) return r;
  else return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}
template <class T>
EMBER_INLINE T ember_pow(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(x, y);
  } else if constexpr (std::is_same_v<T, bool>) {
    return x || !y;
  } else {
    if (y < 0) return x == 1 ? 1 : (x == -1 ? ((y & 1) ? -1 : 1) : 0);  // as PyTorch's integer pow
    T result = 1;
    while (y > 0) {
      if (y & 1) result *= x;
      x *= x;
      y >>= 1;
    }
    return result;
  }
}

// One functor per table row: name##_fn{}(x) / (x, y) computes the formula in type T.
#define EMBER_UNARY(name, kind, formula, doc, ...) \
  struct name##_fn {                          \
    template <class T>                        \
    EMBER_INLINE auto operator()(T x) const {              \
      return formula;                         \
    }                                         \
  };
#define EMBER_BINARY(name, kind, formula, doc, ...) \
  struct name##_fn {                           \
    template <class T>                         \
    EMBER_INLINE auto operator()(T x, T y) const {          \
      return formula;                          \
    }                                          \
  };
#include "ember/elementwise.def"

}  // namespace
}  // namespace ember
