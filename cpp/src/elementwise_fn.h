#pragma once
// Scalar helpers used by the formulas in ember/elementwise.def, and one functor per row.
// Written once, shared by every device's kernels.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace ember {

/// e^x. float: Cody-Waite reduction and a degree-7 polynomial, branch-free so loops vectorize
/// (within 2 ulp; subnormal results, inf and NaN handled). double: the C library.
inline float ember_exp(float x) {
  const float kf = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(x / ln2)
  const float xc = x > 88.8f ? 88.8f : (x < -104.0f ? -104.0f : x);
  const float k = kf > 128.0f ? 128.0f : (kf < -150.0f ? -150.0f : kf);
  const float r = (xc - k * 0.693359375f) + k * 2.12194440e-4f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // 2^k as two factors so that k down to -150 (subnormal results) stays representable.
  const int32_t ki = static_cast<int32_t>(k);
  const int32_t k1 = ki / 2, k2 = ki - k1;
  const int32_t b1 = (k1 + 127) << 23, b2 = (k2 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, 4);
  std::memcpy(&s2, &b2, 4);
  float y = p * s1 * s2;
  y = x > 88.72283935546875f ? std::numeric_limits<float>::infinity() : y;
  y = x < -103.97208f ? 0.0f : y;
  return x != x ? x : y;
}
inline double ember_exp(double x) { return std::exp(x); }
template <class T>
T ember_exp(T x) { return static_cast<T>(std::exp(static_cast<double>(x))); }

template <class T>
T ember_add(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) return x || y;
  else return x + y;
}
template <class T>
T ember_mul(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) return x && y;
  else return x * y;
}
template <class T>
T ember_bitwise_not(T x) {
  if constexpr (std::is_same_v<T, bool>) return !x;
  else return ~x;
}
template <class T>
T ember_maximum(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return x > y ? x : y;
}
template <class T>
T ember_minimum(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return x < y ? x : y;
}
// Integer division: the op checks y != 0 before the kernel runs; y == -1 avoids INT64_MIN / -1.
template <class T>
T ember_floor_divide(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::floor(x / y);
  } else if constexpr (std::is_same_v<T, bool>) {
    return x;
  } else {
    if (y == -1) return static_cast<T>(0 - static_cast<uint64_t>(x));
    T q = x / y;
    return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
  }
}
template <class T>
T ember_fmod(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) return std::fmod(x, y);
  else if constexpr (std::is_same_v<T, bool>) return false;
  else return y == -1 ? 0 : x % y;
}
template <class T>
T ember_remainder(T x, T y) {
  T r = ember_fmod(x, y);
  if constexpr (std::is_same_v<T, bool>) return r;
  else return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}
template <class T>
T ember_pow(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(x, y);
  } else if constexpr (std::is_same_v<T, bool>) {
    return x || !y;
  } else {  // y >= 0, checked by the op
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
#define EMBER_UNARY(name, kind, formula, doc) \
  struct name##_fn {                          \
    template <class T>                        \
    auto operator()(T x) const {              \
      return formula;                         \
    }                                         \
  };
#define EMBER_BINARY(name, kind, formula, doc) \
  struct name##_fn {                           \
    template <class T>                         \
    auto operator()(T x, T y) const {          \
      return formula;                          \
    }                                          \
  };
#include "ember/elementwise.def"

}  // namespace ember
