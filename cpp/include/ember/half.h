#pragma once
// The two 16-bit floating types, stored as bits and computed with as float: every conversion
// from float rounds to nearest-even (as PyTorch's c10::Half and c10::BFloat16), and other
// arithmetic types convert through float, as theirs do.
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ember {

namespace half_bits {
inline uint32_t of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
/// Drops the low `shift` bits of v, rounding to nearest-even.
inline uint32_t round_shift(uint32_t v, int shift) {
  const uint32_t kept = v >> shift, rest = v & ((1u << shift) - 1), half = 1u << (shift - 1);
  return kept + (rest > half || (rest == half && (kept & 1)));
}
}  // namespace half_bits

/// IEEE binary16: 1 sign, 5 exponent, 10 mantissa bits.
inline uint16_t float_to_half(float f) {
  const uint32_t x = half_bits::of(f), sign = (x >> 16) & 0x8000, ax = x & 0x7fffffff;
  if (ax >= 0x7f800000) return static_cast<uint16_t>(sign | (ax > 0x7f800000 ? 0x7e00 : 0x7c00));
  if (ax >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // 65520 and up round to inf
  if (ax >= 0x38800000)                                                // normal: rebias 127 -> 15
    return static_cast<uint16_t>(sign | half_bits::round_shift(ax - 0x38000000, 13));
  if (ax <= 0x33000000) return static_cast<uint16_t>(sign);  // up to 2^-25 (a tie) rounds to 0
  const uint32_t mantissa = (ax & 0x7fffff) | 0x800000;     // subnormal: units of 2^-24
  return static_cast<uint16_t>(sign | half_bits::round_shift(mantissa, 126 - static_cast<int>(ax >> 23)));
}
inline float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0x1f) return half_bits::to_float(sign | 0x7f800000 | m << 13);
  if (e == 0) {
    const float v = static_cast<float>(m) * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return sign ? -v : v;
  }
  return half_bits::to_float(sign | (e + 112) << 23 | m << 13);
}
/// bfloat16: float's upper 16 bits, rounded to nearest-even; NaN stays a quiet NaN.
inline uint16_t float_to_bfloat16(float f) {
  const uint32_t u = half_bits::of(f);
  if ((u & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((u >> 16) | 0x40);
  return static_cast<uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}
inline float bfloat16_to_float(uint16_t b) { return half_bits::to_float(static_cast<uint32_t>(b) << 16); }

/// A 16-bit float of the given encoding: converts from anything that converts to float, and
/// reads as float, so kernels written for float or int compile for it unchanged.
template <uint16_t (*Encode)(float), float (*Decode)(uint16_t)>
struct Float16Of {
  uint16_t bits;
  Float16Of() = default;
  template <class T, std::enable_if_t<std::is_convertible_v<T, float>, int> = 0>
  Float16Of(T v) : bits(Encode(static_cast<float>(v))) {}
  operator float() const { return Decode(bits); }
};
using Half = Float16Of<float_to_half, half_to_float>;
using BFloat16 = Float16Of<float_to_bfloat16, bfloat16_to_float>;

}  // namespace ember
