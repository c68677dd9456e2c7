// torch's float32 normal_ kernel, bit for bit: its AVX2 kernel takes log, sin and cos from the
// cephes single-precision approximations (as sse_mathfun/avx_mathfun evaluate them) with the
// multiply-adds its compiler fuses, so libm's results would differ in the last bit. The same
// operations here, one lane at a time, with the fused ones spelled as std::fma.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.h"

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
float cephes_log(float x) {
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
void cephes_sincos(float x, float* s, float* c) {
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
}  // namespace

void normal_block16(float* b, float mean, float std) {
  const float two_pi = static_cast<float>(2.0 * M_PI);
  for (int j = 0; j < 8; ++j) {
    const float radius = std::sqrt(-2.0f * cephes_log(1.0f - b[j]));
    float s, c;
    cephes_sincos(two_pi * b[j + 8], &s, &c);
    b[j] = std::fma(radius * c, std, mean);
    b[j + 8] = std::fma(radius * s, std, mean);
  }
}

}  // namespace ember::cpu
