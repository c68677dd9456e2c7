// torch's random transforms, bit for bit. Its float32 AVX2 normal kernel takes log, sin and cos
// from the cephes single-precision approximations (as sse_mathfun/avx_mathfun evaluate them) with
// the multiply-adds its compiler fuses, so libm's results would differ in the last bit: the same
// operations here, one lane at a time, with the fused ones spelled std::fma. The FMA copies
// (picked per CPU at load time) make std::fma one instruction; every copy rounds alike, and the
// file is compiled without contraction, so no other multiply-add is fused.
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "ember/random.h"
#include "kernels.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EMBER_FMA_CLONES __attribute__((target_clones("fma", "default")))
#else
#define EMBER_FMA_CLONES
#endif

namespace ember::cpu {

namespace {
float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint32_t to_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

/// log(x) for x in (0, 1], NaN for x <= 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then a
/// degree-8 polynomial in m - 1 (cephes' logf).
inline __attribute__((always_inline)) float cephes_log(float x) {
  if (!(x > 0)) return NAN;
  x = std::fmax(x, 1.17549435e-38f);  // below the normal range, as the smallest normal
  const uint32_t bits = to_bits(x);
  float e = static_cast<float>(static_cast<int32_t>(bits >> 23) - 0x7f) + 1.0f;
  float m = from_bits((bits & ~0x7f800000u) | to_bits(0.5f));  // in [0.5, 1)
  const bool low = m < 0.707106781186547524f;
  const float extra = low ? m : 0.0f;
  m = m - 1.0f;
  if (low) e = e - 1.0f;
  m = m + extra;
  const float z = m * m;
  float y = 7.0376836292e-2f;
  for (const float c : {-1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f, 1.4249322787e-1f,
                        -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f})
    y = std::fma(y, m, c);
  y = y * m;
  y = std::fma(y, z, e * -2.12194440e-4f);
  y = std::fma(-z, 0.5f, y);
  return std::fma(e, 0.693359375f, m + y);
}

/// sin(x) and cos(x): x reduced by multiples of pi/4 in three parts (cephes' extended precision),
/// then each from the sine or the cosine polynomial as the octant says.
inline __attribute__((always_inline)) void cephes_sincos(float x, float* s, float* c) {
  bool sin_negative = std::signbit(x);
  x = std::fabs(x);
  int32_t j = static_cast<int32_t>(x * 1.27323954473516f);  // 4 / pi, truncated
  j = (j + 1) & ~1;
  const float y = static_cast<float>(j);
  sin_negative ^= (j & 4) != 0;
  const bool cos_negative = (~(j - 2) & 4) != 0;
  const bool sine_first = (j & 2) == 0;
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const float z = x * x;
  float yc = std::fma(std::fma(2.443315711809948e-5f, z, -1.388731625493765e-3f), z, 4.166664568298827e-2f);
  yc = yc * z;
  yc = std::fma(yc, z, -(z * 0.5f)) + 1.0f;
  float ys = std::fma(std::fma(-1.9515295891e-4f, z, 8.3321608736e-3f), z, -1.6666654611e-1f);
  ys = std::fma(ys * z, x, x);
  const float sine = sine_first ? ys : yc, cosine = sine_first ? yc : ys;
  *s = sin_negative ? -sine : sine;
  *c = cos_negative ? -cosine : cosine;
}


#if defined(__x86_64__) && defined(__GNUC__)
// The same steps on 8 lanes (AVX2 + FMA, as torch's kernel computes them), for CPUs that have them.
#define EMBER_AVX2_FMA __attribute__((target("avx2,fma")))

EMBER_AVX2_FMA __m256 splat(float v) { return _mm256_set1_ps(v); }

EMBER_AVX2_FMA __m256 cephes_log8(__m256 x) {
  const __m256 one = splat(1.0f), invalid = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LE_OS);
  x = _mm256_max_ps(x, splat(1.17549435e-38f));
  __m256i exponent = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(x), 23), _mm256_set1_epi32(0x7f));
  __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(exponent), one);
  x = _mm256_or_ps(_mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(~0x7f800000))), splat(0.5f));
  const __m256 low = _mm256_cmp_ps(x, splat(0.707106781186547524f), _CMP_LT_OS);
  const __m256 extra = _mm256_and_ps(x, low);
  x = _mm256_sub_ps(x, one);
  e = _mm256_sub_ps(e, _mm256_and_ps(one, low));
  x = _mm256_add_ps(x, extra);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 y = splat(7.0376836292e-2f);
  for (const float c : {-1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f, 1.4249322787e-1f,
                        -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f})
    y = _mm256_fmadd_ps(y, x, splat(c));
  y = _mm256_mul_ps(y, x);
  y = _mm256_fmadd_ps(y, z, _mm256_mul_ps(e, splat(-2.12194440e-4f)));
  y = _mm256_fnmadd_ps(z, splat(0.5f), y);
  x = _mm256_fmadd_ps(e, splat(0.693359375f), _mm256_add_ps(x, y));
  return _mm256_or_ps(x, invalid);
}

EMBER_AVX2_FMA void cephes_sincos8(__m256 x, __m256* s, __m256* c) {
  const __m256 sign_bit = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u)));
  const __m256 sign_in = _mm256_and_ps(x, sign_bit);
  x = _mm256_andnot_ps(sign_bit, x);
  __m256i j = _mm256_cvttps_epi32(_mm256_mul_ps(x, splat(1.27323954473516f)));
  j = _mm256_and_si256(_mm256_add_epi32(j, _mm256_set1_epi32(1)), _mm256_set1_epi32(~1));
  const __m256 y = _mm256_cvtepi32_ps(j);
  const __m256 sin_sign = _mm256_xor_ps(sign_in, _mm256_castsi256_ps(_mm256_slli_epi32(
      _mm256_and_si256(j, _mm256_set1_epi32(4)), 29)));
  const __m256 cos_sign = _mm256_castsi256_ps(_mm256_slli_epi32(
      _mm256_andnot_si256(_mm256_sub_epi32(j, _mm256_set1_epi32(2)), _mm256_set1_epi32(4)), 29));
  const __m256 sine_first = _mm256_castsi256_ps(
      _mm256_cmpeq_epi32(_mm256_and_si256(j, _mm256_set1_epi32(2)), _mm256_setzero_si256()));
  x = _mm256_fmadd_ps(y, splat(-0.78515625f), x);
  x = _mm256_fmadd_ps(y, splat(-2.4187564849853515625e-4f), x);
  x = _mm256_fmadd_ps(y, splat(-3.77489497744594108e-8f), x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 yc = _mm256_fmadd_ps(_mm256_fmadd_ps(splat(2.443315711809948e-5f), z, splat(-1.388731625493765e-3f)), z,
                              splat(4.166664568298827e-2f));
  yc = _mm256_mul_ps(yc, z);
  yc = _mm256_add_ps(_mm256_fmsub_ps(yc, z, _mm256_mul_ps(z, splat(0.5f))), splat(1.0f));
  __m256 ys = _mm256_fmadd_ps(_mm256_fmadd_ps(splat(-1.9515295891e-4f), z, splat(8.3321608736e-3f)), z,
                              splat(-1.6666654611e-1f));
  ys = _mm256_fmadd_ps(_mm256_mul_ps(ys, z), x, x);
  *s = _mm256_xor_ps(_mm256_blendv_ps(yc, ys, sine_first), sin_sign);
  *c = _mm256_xor_ps(_mm256_blendv_ps(ys, yc, sine_first), cos_sign);
}

EMBER_AVX2_FMA void normal_blocks16_avx2(float* b, int64_t blocks, float mean, float std) {
  const __m256 two_pi = splat(static_cast<float>(2.0 * M_PI)), m = splat(mean), sd = splat(std);
  for (int64_t k = 0; k < blocks; ++k, b += 16) {
    const __m256 radius = _mm256_sqrt_ps(_mm256_mul_ps(splat(-2.0f), cephes_log8(_mm256_sub_ps(splat(1.0f),
                                                                                              _mm256_loadu_ps(b)))));
    __m256 s, c;
    cephes_sincos8(_mm256_mul_ps(two_pi, _mm256_loadu_ps(b + 8)), &s, &c);
    _mm256_storeu_ps(b, _mm256_fmadd_ps(_mm256_mul_ps(radius, c), sd, m));
    _mm256_storeu_ps(b + 8, _mm256_fmadd_ps(_mm256_mul_ps(radius, s), sd, m));
  }
}

bool have_avx2_fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif
}  // namespace

void normal_blocks16(float* b, int64_t blocks, float mean, float std) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (have_avx2_fma()) return normal_blocks16_avx2(b, blocks, mean, std);
#endif
  const float two_pi = static_cast<float>(2.0 * M_PI);
  for (int64_t k = 0; k < blocks; ++k, b += 16)
    for (int j = 0; j < 8; ++j) {
      const float radius = std::sqrt(-2.0f * cephes_log(1.0f - b[j]));
      float s, c;
      cephes_sincos(two_pi * b[j + 8], &s, &c);
      b[j] = std::fma(radius * c, std, mean);
      b[j + 8] = std::fma(radius * s, std, mean);
    }
}

EMBER_FMA_CLONES void normal_blocks16(double* b, int64_t blocks, double mean, double std) {
  for (int64_t k = 0; k < blocks; ++k, b += 16)
    for (int j = 0; j < 8; ++j) {
      const double radius = std::sqrt(-2 * std::log(1 - b[j])), theta = 2 * M_PI * b[j + 8];
      b[j] = std::fma(radius * std::cos(theta), std, mean);
      b[j + 8] = std::fma(radius * std::sin(theta), std, mean);
    }
}

EMBER_FMA_CLONES void uniform_floats(float* out, int64_t n, float from, float to, Generator& g) {
  const float width = to - from;
  for (int64_t i = 0; i < n; ++i) {
    const float v = std::fma(g.next_float(), width, from);
    out[i] = v == to ? from : v;
  }
}

}  // namespace ember::cpu
