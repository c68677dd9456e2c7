// CRC-32C (Castagnoli), the checksum ember writes for each tensor of a safetensors file. A CRC
// catches every error burst of up to 32 bits, so any single flipped byte.
// Slicing-by-8 tables for any CPU; on x86-64 with SSE4.2, the crc32 instruction run as
// three independent streams over consecutive blocks (it has a 3-cycle latency and a 1-cycle
// throughput), the three partial CRCs joined with a table that skips a block of zeros. A large
// buffer is split across threads and the parts' CRCs joined as zlib's crc32_combine does.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/serialize.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace ember {

namespace {
constexpr uint32_t kPoly = 0x82F63B78u;  // Castagnoli's polynomial, bit-reversed
constexpr size_t kBlock = 4096;          // bytes per stream in the three-stream loop

struct Tables {
  uint32_t slice[8][256];  // slice[k][v]: v followed by k zero bytes
  uint32_t skip[4][256];   // skip[k][v]: the register v << 8k after kBlock zero bytes
  Tables() {
    for (uint32_t v = 0; v < 256; ++v) {
      uint32_t c = v;
      for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      slice[0][v] = c;
    }
    for (int k = 1; k < 8; ++k)
      for (int v = 0; v < 256; ++v) slice[k][v] = (slice[k - 1][v] >> 8) ^ slice[0][slice[k - 1][v] & 0xFF];
    // The register after zeros is linear in the register before: tabulate it per byte from the
    // images of the 32 single bits.
    static const unsigned char zeros[kBlock] = {};
    uint32_t bit_image[32];
    for (int j = 0; j < 32; ++j) bit_image[j] = portable(uint32_t{1} << j, zeros, kBlock);
    for (int k = 0; k < 4; ++k)
      for (uint32_t v = 0; v < 256; ++v) {
        uint32_t r = 0;
        for (int b = 0; b < 8; ++b)
          if (v >> b & 1) r ^= bit_image[8 * k + b];
        skip[k][v] = r;
      }
  }

  // The register (not inverted) after the bytes.
  uint32_t portable(uint32_t r, const unsigned char* p, size_t n) const {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; n >= 8; p += 8, n -= 8) {
      uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + 4, 4);
      lo ^= r;
      r = slice[7][lo & 0xFF] ^ slice[6][lo >> 8 & 0xFF] ^ slice[5][lo >> 16 & 0xFF] ^ slice[4][lo >> 24] ^
          slice[3][hi & 0xFF] ^ slice[2][hi >> 8 & 0xFF] ^ slice[1][hi >> 16 & 0xFF] ^ slice[0][hi >> 24];
    }
#endif
    for (; n > 0; ++p, --n) r = (r >> 8) ^ slice[0][(r ^ *p) & 0xFF];
    return r;
  }

  uint32_t skip_block(uint32_t r) const {
    return skip[0][r & 0xFF] ^ skip[1][r >> 8 & 0xFF] ^ skip[2][r >> 16 & 0xFF] ^ skip[3][r >> 24];
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t hardware(uint32_t r, const unsigned char* p, size_t n) {
  const Tables& t = tables();
  auto word = [](const unsigned char* q) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
  };
  for (; n >= 3 * kBlock; p += 3 * kBlock, n -= 3 * kBlock) {
    uint64_t a = r, b = 0, c = 0;
    for (size_t i = 0; i < kBlock; i += 8) {
      a = _mm_crc32_u64(a, word(p + i));
      b = _mm_crc32_u64(b, word(p + kBlock + i));
      c = _mm_crc32_u64(c, word(p + 2 * kBlock + i));
    }
    r = t.skip_block(t.skip_block(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^ static_cast<uint32_t>(c);
  }
  uint64_t r64 = r;
  for (; n >= 8; p += 8, n -= 8) r64 = _mm_crc32_u64(r64, word(p));
  r = static_cast<uint32_t>(r64);
  for (; n > 0; ++p, --n) r = _mm_crc32_u8(r, *p);
  return r;
}
#endif

uint32_t one_thread(uint32_t crc, const unsigned char* p, size_t n, bool portable) {
#if defined(__x86_64__)
  static const bool sse42 = __builtin_cpu_supports("sse4.2");
  if (sse42 && !portable) return ~hardware(~crc, p, n);
#endif
  return ~tables().portable(~crc, p, n);
}

// a * b modulo the polynomial, bit-reversed (bit 31 is x^0): zlib's multmodp.
uint32_t multiply(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;
  }
  return product;
}

/// The CRC of A followed by B from crc_a, crc_b and B's length: crc_a times x^(8 len_b), plus crc_b.
uint32_t combine(uint32_t crc_a, uint32_t crc_b, size_t len_b) {
  uint32_t power = 1u << 30;   // x^1, then x^2, x^4, ... (squaring)
  uint32_t shift = 1u << 31;   // x^0
  for (uint64_t bits = uint64_t{len_b} * 8; bits != 0; bits >>= 1) {
    if (bits & 1) shift = multiply(shift, power);
    power = multiply(power, power);
  }
  return multiply(shift, crc_a) ^ crc_b;
}
}  // namespace

uint32_t crc32c(uint32_t crc, const void* data, size_t n, bool portable) {
  const auto* p = static_cast<const unsigned char*>(data);
  constexpr size_t kPerThread = size_t{1} << 20;  // below this a thread is not worth its start
  const size_t parts = std::min<size_t>(static_cast<size_t>(omp_get_max_threads()), n / kPerThread);
  if (parts < 2 || omp_in_parallel()) return one_thread(crc, p, n, portable);
  const size_t len = n / parts;
  std::vector<uint32_t> part(parts);
#pragma omp parallel for num_threads(static_cast<int>(parts))
  for (size_t i = 0; i < parts; ++i)
    part[i] = one_thread(0, p + i * len, i + 1 == parts ? n - i * len : len, portable);
  for (size_t i = 0; i < parts; ++i) crc = combine(crc, part[i], i + 1 == parts ? n - i * len : len);
  return crc;
}

}  // namespace ember
