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
/// Cody-Waite reduction xc = k ln2 + r, |r| <= ln2 / 2, ln2 in two parts (the first exact in a
/// product with k): returns k (an integer-valued float), sets r. Shared by ember_exp and ember_expm1.
EMBER_INLINE float ln2_reduce(float xc, float& r) {
  const float k = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(xc / ln2)
  r = (xc - k * 0.693359375f) + k * 2.12194440e-4f;
  return k;
}
EMBER_INLINE float ember_exp(float x) {
  const float xc = std::min(std::max(x, -87.33654f), 88.72283f);
  float r;
  const float k = ln2_reduce(xc, r);
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

/// tanh. float: below |x| = 0.625 an odd polynomial x + x^3 P(x^2) (P fitted for relative error,
/// < 1 ulp), above it 1 - 2 / (e^2|x| + 1) through the exp above (< 2 ulp) with x's sign; both
/// computed and one picked, so loops vectorize (libm's tanhf is a call per element, 6x slower).
/// NaN stays NaN, -0 stays -0, and from |x| = 9 the result is +-1. Other types: libm.
EMBER_INLINE float ember_tanh(float x) {
  const float a = std::fabs(x), u = x * x;
  float p = -5.704974289983511e-3f;
  p = p * u + 2.0639074966311455e-2f;
  p = p * u - 5.373971164226532e-2f;
  p = p * u + 1.3331441581249237e-1f;
  p = p * u - 3.333328068256378e-1f;
  // Both on |x|, the sign put back last: x + x u P(u) would turn -0 into +0.
  const float small = a + a * u * p, large = 1.0f - 2.0f / (ember_exp(2.0f * a) + 1.0f);
  return std::copysign(a < 0.625f ? small : large, x);
}
template <class T>
EMBER_INLINE T ember_tanh(T x) { return std::tanh(x); }

/// e^x - 1. float: x = k ln2 + r with |r| <= ln2 / 2 (Cody-Waite, as ember_exp), e^r - 1 by a
/// fitted polynomial r + r^2 Q(r), then 2^k (e^r - 1) + (2^k - 1), one rounding (< 1.5 ulp);
/// past 10 it is e^x - 1, below -17.5 it is -1. Branch-free so loops vectorize (libm's expm1f
/// is a call per element, 15x slower); +-0 and NaN are kept. Other types: libm.
EMBER_INLINE float ember_expm1(float x) {
  const float xc = std::min(std::max(x, -17.5f), 10.0f);
  float r;
  const float k = ln2_reduce(xc, r);
  float q = 1.9845877250190824e-4f;
  q = q * r + 1.3940625358372927e-3f;
  q = q * r + 8.333389647305012e-3f;
  q = q * r + 4.1666362434625626e-2f;
  q = q * r + 1.666666567325592e-1f;
  q = q * r + 0.5f;
  const float p = r + r * r * q;
  // 2^k, k in [-25, 14]; shifted as unsigned, as ember_exp's (a NaN x's integer is negative).
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(k) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, 4);
  const float y = scale * p + (scale - 1.0f);
  return x > 10.0f ? ember_exp(x) - 1.0f : (x < -17.5f ? -1.0f : (x == 0.0f ? x : y));
}
template <class T>
EMBER_INLINE T ember_expm1(T x) { return std::expm1(x); }

/// Natural log. float: x = 2^e m with m in [sqrt(1/2), sqrt(2)) read from the bits (subnormals
/// scaled by 2^23 first), log m = f - f^2/2 + f^3 P(f) with f = m - 1 (P fitted), plus e ln2 in
/// two parts (< 1.5 ulp). Branch-free so loops vectorize; log 0 is -inf, log of a negative NaN,
/// log inf inf. Other types: libm.
EMBER_INLINE float ember_log(float x) {
  const bool tiny = x < 1.17549435e-38f;  // below FLT_MIN (0 and negatives too, replaced below)
  const float xs = tiny ? x * 8388608.0f : x;
  uint32_t bits;
  std::memcpy(&bits, &xs, 4);
  const uint32_t off = bits - 0x3f3504f3u;  // relative to sqrt(1/2)'s bits
  const uint32_t mbits = (off & 0x007fffffu) + 0x3f3504f3u;
  float m;
  std::memcpy(&m, &mbits, 4);
  const float e = static_cast<float>(static_cast<int32_t>(off) >> 23) - (tiny ? 23.0f : 0.0f);
  const float f = m - 1.0f;
  float p = -7.634482532739639e-2f;
  p = p * f + 1.276158094406128e-1f;
  p = p * f - 1.3160189986228943e-1f;
  p = p * f + 1.4201757311820984e-1f;
  p = p * f - 1.6623356938362122e-1f;
  p = p * f + 2.0001226663589478e-1f;
  p = p * f - 2.50008225440979e-1f;
  p = p * f + 3.333333134651184e-1f;
  const float y = e * 0.693359375f + ((f - 0.5f * f * f + f * f * f * p) - e * 2.12194440e-4f);
  constexpr float inf = std::numeric_limits<float>::infinity();
  return x > 0.0f ? (x == inf ? x : y) : (x == 0.0f ? -inf : std::numeric_limits<float>::quiet_NaN());
}
template <class T>
EMBER_INLINE T ember_log(T x) { return std::log(x); }

/// log(1 + x). float: log(u) x / (u - 1) with u = 1 + x rounded, which cancels u's rounding
/// error (Goldberg, "What Every Computer Scientist Should Know About Floating-Point", thm. 4);
/// x itself where u is 1 (so -0 stays -0). < 3 ulp, vectorizes. Other types: libm.
EMBER_INLINE float ember_log1p(float x) {
  const float u = 1.0f + x, d = u - 1.0f;
  return d == 0.0f || x == std::numeric_limits<float>::infinity() ? x : ember_log(u) * (x / d);
}
template <class T>
EMBER_INLINE T ember_log1p(T x) { return std::log1p(x); }

/// erf. float: below |x| = 1 x P(x^2), above it 1 - e^-x^2 R(|x|) (R on [1, 4], where erf reaches
/// 1 in float; both polynomials fitted, < 3 ulp) with x's sign; branch-free, as ember_tanh, and
/// 9x faster than libm's erff. Other types: libm.
EMBER_INLINE float ember_erf(float x) {
  const float a = std::fabs(x), u = x * x;
  float p = -9.641627002565656e-6f;
  p = p * u + 1.1256989819230512e-4f;
  p = p * u - 8.482835255563259e-4f;
  p = p * u + 5.2209459245204926e-3f;
  p = p * u - 2.68654003739357e-2f;
  p = p * u + 1.1283782124519348e-1f;
  p = p * u - 3.7612637877464294e-1f;
  p = p * u + 1.128379225730896f;
  const float b = std::min(a, 4.0f);  // past 4 the result is 1 (and R would overflow)
  float r = 1.0684377048164606e-4f;
  r = r * b - 1.91180978436023e-3f;
  r = r * b + 1.530233584344387e-2f;
  r = r * b - 7.275942713022232e-2f;
  r = r * b + 2.3057135939598083e-1f;
  r = r * b - 5.188611149787903e-1f;
  r = r * b + 8.627214431762695e-1f;
  r = r * b - 1.0798449516296387f;
  r = r * b + 9.922589063644409e-1f;
  return std::copysign(a < 1.0f ? a * p : 1.0f - ember_exp(-(b * b)) * r, x);
}
template <class T>
EMBER_INLINE T ember_erf(T x) { return std::erf(x); }

/// GELU, x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, and its slope Phi(x) + x phi(x): torch's
/// formulas, in one pass each.
template <class T>
EMBER_INLINE T ember_gelu(T x) {
  return x * T(0.5) * (T(1) + ember_erf(x * T(M_SQRT1_2)));
}
template <class T>
EMBER_INLINE T ember_gelu_slope(T x) {
  return T(0.5) * (T(1) + ember_erf(x * T(M_SQRT1_2))) + x * ember_exp(T(-0.5) * x * x) * T(0.5 * M_2_SQRTPI * M_SQRT1_2);
}

/// SiLU's and Mish's gradients g f'(x), with torch's kernels' roundings (their products and sums
/// contracted to fused multiply-adds, as its compiler does): SiLU's g s (1 + x (1 - s)) with s the
/// sigmoid of x; Mish's g (t + x s (1 - t^2)) with t = tanh(softplus(x)).
template <class T>
EMBER_INLINE T ember_silu_backward(T g, T x) {
  const T s = T(1) / (T(1) + ember_exp(-x));
  return g * s * std::fma(x, T(1) - s, T(1));
}
template <class T>
EMBER_INLINE T ember_mish_backward(T g, T x) {
  const T s = T(1) / (T(1) + ember_exp(-x));
  const T t = ember_tanh(ember_log1p(ember_exp(x)));
  return g * std::fma(x * s, std::fma(-t, t, T(1)), t);
}

// Integer sums, differences and products wrap on overflow as two's complement, as torch's do.
// They are computed in the unsigned type (at least as wide as int, to which narrower types would
// be promoted back), since signed overflow is undefined behaviour (UBSan found it in integer
// add, prod and cumprod). Floats add and multiply as usual.
template <class A, bool = std::is_integral_v<A> && std::is_signed_v<A>>
struct Wrapping {
  using type = A;
};
template <class A>
struct Wrapping<A, true> {
  using type = std::make_unsigned_t<std::common_type_t<A, int>>;
};
/// a + b in a's type.
template <class A, class B>
EMBER_INLINE A wrapping_add(A a, B b) {
  using W = typename Wrapping<A>::type;
  return A(W(a) + W(A(b)));
}
/// a - b in a's type.
template <class A, class B>
EMBER_INLINE A wrapping_sub(A a, B b) {
  using W = typename Wrapping<A>::type;
  return A(W(a) - W(A(b)));
}
/// a * b in a's type.
template <class A, class B>
EMBER_INLINE A wrapping_mul(A a, B b) {
  using W = typename Wrapping<A>::type;
  return A(W(a) * W(A(b)));
}

template <class T>
EMBER_INLINE T ember_add(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) return x || y;
  else return wrapping_add(x, y);
}
template <class T>
EMBER_INLINE T ember_mul(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) return x && y;
  else return wrapping_mul(x, y);
}
/// -x (the minimum of a signed integer type is its own negation, as in torch).
template <class T>
EMBER_INLINE T ember_neg(T x) {
  if constexpr (std::is_integral_v<T>) return wrapping_sub(T(0), x);
  else return -x;
}
template <class T>
EMBER_INLINE T ember_bitwise_not(T x) {
  if constexpr (std::is_same_v<T, bool>) return !x;
  else return ~x;
}
// Equal x and y (+0 and -0) give x: clamp(x, min=0) keeps a -0.0 x, as torch's clamp with a
// number bound (torch's maximum of two tensors gives either, by its loop).
template <class T>
EMBER_INLINE T ember_maximum(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return x < y ? y : x;
}
template <class T>
EMBER_INLINE T ember_minimum(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return y < x ? y : x;
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
    // Squaring wraps past the dtype, as torch's (in unsigned arithmetic: no signed overflow).
    T result = 1;
    while (y > 0) {
      if (y & 1) result = wrapping_mul(result, x);
      x = wrapping_mul(x, x);
      y >>= 1;
    }
    return result;
  }
}

// ---- special functions (computed in double; ports of Cephes as PyTorch's kernels are) --------
/// sin(pi x) / (pi x), 1 at 0, the product rounded in T as PyTorch's.
template <class T>
EMBER_INLINE T ember_sinc(T x) {
  if (x == T(0)) return T(1);
  const T px = T(M_PI) * x;
  return std::sin(px) / px;
}
/// erf^-1: Giles' approximation, then two Newton steps in double (near-exact rounding in float32).
inline double ember_erfinv(double x) {
  if (!(std::fabs(x) <= 1)) return std::numeric_limits<double>::quiet_NaN();
  if (std::fabs(x) == 1) return std::copysign(std::numeric_limits<double>::infinity(), x);
  double w = -std::log((1 - x) * (1 + x)), p;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
                     0.246640727, 1.50140941})
      p = c + p * w;
  } else {
    w = std::sqrt(w) - 3;
    p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                     1.00167406, 2.83297682})
      p = c + p * w;
  }
  double y = p * x;
  for (int i = 0; i < 2; ++i) y -= (std::erf(y) - x) / (M_2_SQRTPI * std::exp(-y * y));
  return y;
}
/// d/dx log gamma(x): reflection below 0, recurrence up to 10, then the asymptotic series.
inline double ember_digamma(double x) {
  if (x == 0) return std::copysign(std::numeric_limits<double>::infinity(), -x);
  if (x < 0) {
    if (x == std::trunc(x)) return std::numeric_limits<double>::quiet_NaN();
    double ipart;
    const double r = std::modf(x, &ipart);
    return ember_digamma(1 - x) - M_PI / std::tan(M_PI * r);
  }
  double result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  if (x == 10) return result + 2.25175258906672110764;
  double y = 0;
  if (x < 1.0e17) {
    const double z = 1 / (x * x);
    double p = 0;
    for (double c : {8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                     -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
                     8.33333333333333333333E-2})
      p = p * z + c;
    y = z * p;
  }
  return result + std::log(x) - 0.5 / x - y;
}
/// Hurwitz zeta(x, q) = sum_k (q + k)^-x: Euler-Maclaurin summation (Cephes' zeta).
inline double ember_zeta(double x, double q) {
  constexpr double kMachEp = 1.11022302462515654042E-16;
  constexpr double A[] = {12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
                          -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
                          1.8152105401943546773e17, -7.1661652561756670113e18};
  if (x == 1) return std::numeric_limits<double>::infinity();
  if (x < 1) return std::numeric_limits<double>::quiet_NaN();
  if (q <= 0) {
    if (q == std::floor(q)) return std::numeric_limits<double>::infinity();
    if (x != std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
  }
  double s = std::pow(q, -x), a = q, b = 0;
  int i = 0;
  while (i < 9 || a <= 9) {
    i += 1;
    a += 1;
    b = std::pow(a, -x);
    s += b;
    if (-kMachEp * s < b && b < kMachEp * s) return s;
  }
  const double w = a;
  s += b * w / (x - 1);
  s -= 0.5 * b;
  a = 1;
  double k = 0;
  for (int j = 0; j < 12; ++j) {
    a *= x + k;
    b /= w;
    double t = a * b / A[j];
    s += t;
    if (std::fabs(t / s) < kMachEp) return s;
    k += 1;
    a *= x + k;
    b /= w;
    k += 1;
  }
  return s;
}
/// The modified Bessel functions I0 (even) and I1 (odd), through libstdc++'s, guarded as
/// PyTorch's Cephes kernels behave: beyond exp's range +-inf, at +-inf NaN (and no exception
/// from libstdc++ for huge arguments).
inline double ember_bessel_i(double order, double x) {
  const double ax = std::fabs(x);
  if (ax != ax || std::isinf(ax)) return std::numeric_limits<double>::quiet_NaN();
  // Below 1e-8 the series' x^2 term is under half an ulp (libstdc++'s is NaN at 5e-324).
  if (ax < 1e-8) return order == 0 ? 1.0 : x * 0.5;
  const double v = ax > 709.78 ? std::numeric_limits<double>::infinity() : std::cyl_bessel_i(order, ax);
  return order == 0 ? v : std::copysign(v, x);
}
inline double ember_i1(double x) { return ember_bessel_i(1.0, x); }
/// trigamma (polygamma(1, x)) as PyTorch's kernel: reflection below 0.5, six steps up, then
/// the asymptotic series; in float for float32 and the 16-bit floats, in double for float64.
template <class T>
EMBER_INLINE T ember_trigamma(T in) {
  using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
  C x = C(in), sign = 1, result = 0;
  if (x < C(0.5)) {
    sign = -1;
    const C s = std::sin(C(M_PI) * x);
    result -= C(M_PI) * C(M_PI) / (s * s);
    x = 1 - x;
  }
  for (int i = 0; i < 6; ++i) {
    result += 1 / (x * x);
    x += 1;
  }
  const C ixx = 1 / (x * x);
  result += (1 + 1 / (2 * x) + ixx * (C(1) / 6 - ixx * (C(1) / 30 - ixx * (C(1) / 42)))) / x;
  return T(sign * result);
}
template <class T>
EMBER_INLINE T ember_logaddexp(T x, T y) {
  if (std::isinf(x) && x == y) return x;
  const T m = std::max(x, y);
  return m + std::log1p(std::exp(-std::fabs(x - y)));
}
template <class T>
EMBER_INLINE T ember_logaddexp2(T x, T y) {
  if (std::isinf(x) && x == y) return x;
  const T m = std::max(x, y);
  return m + std::log1p(std::exp2(-std::fabs(x - y))) * T(1 / M_LN2);
}
template <class T>
EMBER_INLINE T ember_xlogy(T x, T y) {
  if (y != y) return y;
  if (x == T(0)) return T(0);
  return x * std::log(y);
}
template <class T>
EMBER_INLINE T ember_fmax(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) return std::fmax(x, y);
  else return x > y ? x : y;
}
template <class T>
EMBER_INLINE T ember_fmin(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) return std::fmin(x, y);
  else return x < y ? x : y;
}
/// Shifts as torch's: by a count outside [0, bits), left gives 0 and right the sign (0 or -1);
/// the left shift in unsigned arithmetic, wrapping as torch's.
template <class T>
EMBER_INLINE T ember_shift_left(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    constexpr T bits = static_cast<T>(sizeof(T) * 8);
    return y < 0 || y >= bits ? T(0) : T(std::make_unsigned_t<T>(x) << y);
  } else {
    return x;  // integer kinds only: never called
  }
}
template <class T>
EMBER_INLINE T ember_shift_right(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    constexpr T bits = static_cast<T>(sizeof(T) * 8);
    return y < 0 || y >= bits ? T(x < 0 ? -1 : 0) : T(x >> y);
  } else {
    return x;
  }
}
/// gcd of the magnitudes, in unsigned arithmetic so that INT64_MIN has one.
template <class T>
EMBER_INLINE T ember_gcd(T x, T y) {
  using U = std::make_unsigned_t<T>;
  U a = x < 0 ? U(0) - U(x) : U(x), b = y < 0 ? U(0) - U(y) : U(y);
  while (a != 0) {
    const U c = a;
    a = b % a;
    b = c;
  }
  return T(b);
}
template <class T>
EMBER_INLINE T ember_lcm(T x, T y) {
  const T g = ember_gcd(x, y);
  if (g == 0) return 0;
  const T r = wrapping_mul(T(x / g), y);  // wraps past the dtype, as torch's (no signed overflow)
  return r < 0 ? wrapping_sub(T(0), r) : r;
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
