// Winograd F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks") in
// float32. Each 2x2 block of outputs is Y = A^T [(G g G^T) . (B^T d B)] A over the 4x4 input
// tile d under it: over a block of tiles, the 16 elementwise products become 16 matrix products
// U[k] (O x C) V[k] (C x tiles), 2.25x fewer multiplications than im2col's gemm, and each input
// is read 4x instead of 9x. Each thread takes blocks of tile rows and runs the whole formula on a
// block while it sits in its L2 cache (input transform, the 16 products by a register-blocked
// kernel, output transform), with no barrier between blocks and no BLAS call. The input gradient
// is the same formula on the flipped, transposed weight; the weight gradient is its adjoint,
// dU[k] = sum over tiles of dM[k] V[k]^T with dM = A dy A^T, then dw = G^T dU G.
//
// Compiled once per instruction set (CMakeLists.txt: AVX2+FMA and AVX-512, never baseline);
// cpu/dispatch.cpp picks the copy for the CPU. The algorithm is written once, on the few vector
// operations of `Simd` below, which each instruction set defines.
#include "cpu/winograd.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "cpu/isa.h"
#include "cpu/loops.h"
#include "cpu/workspace.h"

namespace ember::cpu::winograd::EMBER_ISA {
namespace {

#if defined(__AVX512F__)
/// 16 float lanes; masks are AVX-512's mask registers.
struct Simd {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int64_t L = 16;
  /// The gemm kernel's register block: kRows rows of A by kVecs vectors of B's columns (8 x 32:
  /// 16 accumulators of the 32 registers). The weight gradient's: kNtRows x 4 dot products.
  static constexpr int64_t kRows = 8, kVecs = 2, kNtRows = 4;

  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float a) { return _mm512_set1_ps(a); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  /// The first `count` lanes (count clamped to 0..L).
  static Mask lanes(int64_t count) { return static_cast<Mask>((1u << std::clamp<int64_t>(count, 0, L)) - 1); }
  /// Lanes [lo, hi) of p, zeros elsewhere (lanes outside are not read).
  static V load_between(const float* p, int64_t lo, int64_t hi) {
    const Mask m = lanes(hi) & static_cast<Mask>(~lanes(lo));
    return m ? _mm512_maskz_loadu_ps(m, p) : zero();
  }
  static V load(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static V load_first(const float* p, int64_t count) { return load(lanes(count), p); }
  static V loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Mask m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  static void store_first(float* p, int64_t count, V v) { store(p, lanes(count), v); }
  static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
  /// a, b are 2L consecutive values: even gets those at even positions, odd the others.
  static void deinterleave(V a, V b, V& even, V& odd) {
    // (Constants here, not at namespace scope: their initializers would run on CPUs without AVX-512.)
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    even = _mm512_permutex2var_ps(a, evens, b);
    odd = _mm512_permutex2var_ps(a, _mm512_add_epi32(evens, _mm512_set1_epi32(1)), b);
  }
  /// The inverse: even and odd interleaved, the first L values in lo, the next in hi.
  static void interleave(V even, V odd, V& lo, V& hi) {
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    lo = _mm512_permutex2var_ps(even, low, odd);
    hi = _mm512_permutex2var_ps(even, _mm512_add_epi32(low, _mm512_set1_epi32(8)), odd);
  }
  /// dU (kNtRows x 4, rows ldu apart) += the sums of acc's lanes, all 16 at once by a tree of
  /// shuffles and adds (one reduction each would cost about half as much as the products).
  static void add_sums(const V (&acc)[kNtRows][4], float* dU, int64_t ldu) {
    __m512 u[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {  // within 128-bit lanes: lane L of u[i] holds acc[i][0..3]'s partials
      const __m512 s01 = _mm512_add_ps(_mm512_unpacklo_ps(acc[i][0], acc[i][1]), _mm512_unpackhi_ps(acc[i][0], acc[i][1]));
      const __m512 s23 = _mm512_add_ps(_mm512_unpacklo_ps(acc[i][2], acc[i][3]), _mm512_unpackhi_ps(acc[i][2], acc[i][3]));
      const __m512d a = _mm512_castps_pd(s01), b = _mm512_castps_pd(s23);
      u[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
    }
    // Across the 128-bit lanes: 0x88 takes lanes (0, 2) of each operand, 0xDD lanes (1, 3).
    const __m512 v01 = _mm512_add_ps(_mm512_shuffle_f32x4(u[0], u[1], 0x88), _mm512_shuffle_f32x4(u[0], u[1], 0xDD));
    const __m512 v23 = _mm512_add_ps(_mm512_shuffle_f32x4(u[2], u[3], 0x88), _mm512_shuffle_f32x4(u[2], u[3], 0xDD));
    const __m512 r = _mm512_add_ps(_mm512_shuffle_f32x4(v01, v23, 0x88), _mm512_shuffle_f32x4(v01, v23, 0xDD));
    _mm_storeu_ps(dU, _mm_add_ps(_mm_loadu_ps(dU), _mm512_castps512_ps128(r)));
    _mm_storeu_ps(dU + ldu, _mm_add_ps(_mm_loadu_ps(dU + ldu), _mm512_extractf32x4_ps(r, 1)));
    _mm_storeu_ps(dU + 2 * ldu, _mm_add_ps(_mm_loadu_ps(dU + 2 * ldu), _mm512_extractf32x4_ps(r, 2)));
    _mm_storeu_ps(dU + 3 * ldu, _mm_add_ps(_mm_loadu_ps(dU + 3 * ldu), _mm512_extractf32x4_ps(r, 3)));
  }
};
#elif defined(__AVX2__) && defined(__FMA__)
/// 8 float lanes; masks are vectors of 32-bit lanes, all ones where set. Full vectors are loaded
/// and stored without a mask: AMD's masked stores are microcoded.
struct Simd {
  using V = __m256;
  using Mask = __m256i;
  static constexpr int64_t L = 8;
  /// The gemm kernel's register block: 4 rows by 24 columns (12 accumulators of the 16
  /// registers); the weight gradient's, 2 x 4 dot products.
  static constexpr int64_t kRows = 4, kVecs = 3, kNtRows = 2;

  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float a) { return _mm256_set1_ps(a); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static Mask lanes(int64_t count) {
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::clamp<int64_t>(count, 0, L))), iota);
  }
  static V load_between(const float* p, int64_t lo, int64_t hi) {
    if (lo <= 0 && hi >= L) return loadu(p);
    if (lo >= hi || hi <= 0 || lo >= L) return zero();
    return _mm256_maskload_ps(p, _mm256_andnot_si256(lanes(lo), lanes(hi)));
  }
  static V load(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static V load_first(const float* p, int64_t count) { return count >= L ? loadu(p) : load(lanes(count), p); }
  static V loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Mask m, V v) { _mm256_maskstore_ps(p, m, v); }
  static void store_first(float* p, int64_t count, V v) {
    if (count >= L) storeu(p, v);
    else if (count > 0) store(p, lanes(count), v);
  }
  static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void deinterleave(V a, V b, V& even, V& odd) {
    // Within 128-bit halves, then the halves' 64-bit pairs put in order (0, 2, 1, 3).
    even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
    odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
  }
  static void interleave(V even, V odd, V& lo, V& hi) {
    const V l = _mm256_unpacklo_ps(even, odd), h = _mm256_unpackhi_ps(even, odd);
    lo = _mm256_permute2f128_ps(l, h, 0x20);
    hi = _mm256_permute2f128_ps(l, h, 0x31);
  }
  static void add_sums(const V (&acc)[kNtRows][4], float* dU, int64_t ldu) {
#pragma GCC unroll 2
    for (int i = 0; i < kNtRows; ++i) {  // lane j of the 128-bit halves: acc[i][j]'s partial sums
      const V h = _mm256_hadd_ps(_mm256_hadd_ps(acc[i][0], acc[i][1]), _mm256_hadd_ps(acc[i][2], acc[i][3]));
      const __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
      _mm_storeu_ps(dU + i * ldu, _mm_add_ps(_mm_loadu_ps(dU + i * ldu), s));
    }
  }
};
#else
#error "cpu/winograd.cpp needs AVX2 with FMA, or AVX-512"
#endif

using Vec = Simd::V;
constexpr int64_t L = Simd::L;

// The transforms work on one tile row at a time, L tiles per vector: tile row r of a block,
// tile j's value k goes to v[k * stride + r * TW + j]. A row's even and odd columns come out of
// two loads and a deinterleave, the loads leaving out (and zeroing) the padding.

/// Where a block's tile row r lies: the image and the tile row within it.
struct Place {
  int64_t img, th;
};
inline Place place(int64_t r, int64_t TH) { return {r / TH, r % TH}; }

/// Columns c0 + 2k (even) and c0 + 2k + 1 (odd), k < L, of a row (zeros outside [0, W)).
inline void split(const float* row, int64_t W, int64_t c0, Vec& even, Vec& odd) {
  Simd::deinterleave(Simd::load_between(row + c0, -c0, W - c0), Simd::load_between(row + c0 + L, -c0 - L, W - c0 - L),
                     even, odd);
}

/// B^T d B for the tiles of tile rows [r0, r0 + nr) of channel c of x: writes v[k * stride + q].
void input_block(const float* x, const Shape& s, int64_t c, int64_t r0, int64_t nr, int64_t TH, int64_t TW, float* v,
                 int64_t stride) {
  for (int64_t r = 0; r < nr; ++r) {
    const Place p = place(r0 + r, TH);
    const float* plane = x + (p.img * s.C + c) * s.H * s.W;
    // The next channel's rows of this tile row (the two not read for the row before): its plane
    // is a new stream the hardware prefetcher would find only after missing (8% measured).
    const int64_t top = 2 * p.th - s.pad_h;
    if (c + 1 < s.C)
      for (int64_t h = std::max<int64_t>(top + (r == 0 ? 0 : 2), 0); h < std::min<int64_t>(top + 4, s.H); ++h)
        for (int64_t k = 0; k < s.W; k += 16)
          _mm_prefetch(reinterpret_cast<const char*>(plane + (s.H + h) * s.W + k), _MM_HINT_T0);
    for (int64_t j0 = 0; j0 < TW; j0 += L) {
      // Row i of the tiles' 4x4 windows as 4 vectors of columns 2j + (0, 1, 2, 3) - pad_w.
      Vec d[4][4];
      for (int i = 0; i < 4; ++i) {
        const int64_t h = top + i, c0 = 2 * j0 - s.pad_w;
        if (h < 0 || h >= s.H) {
          d[i][0] = d[i][1] = d[i][2] = d[i][3] = Simd::zero();
          continue;
        }
        split(plane + h * s.W, s.W, c0, d[i][0], d[i][1]);
        split(plane + h * s.W, s.W, c0 + 2, d[i][2], d[i][3]);
      }
      const int64_t count = TW - j0;
      float* out = v + r * TW + j0;
      for (int q = 0; q < 4; ++q) {  // B^T d over rows, column q
        const Vec d0 = d[0][q], d1 = d[1][q], d2 = d[2][q], d3 = d[3][q];
        d[0][q] = Simd::sub(d0, d2), d[1][q] = Simd::add(d1, d2);
        d[2][q] = Simd::sub(d2, d1), d[3][q] = Simd::sub(d1, d3);
      }
      for (int i = 0; i < 4; ++i) {  // (.) B over columns
        const Vec d0 = d[i][0], d1 = d[i][1], d2 = d[i][2], d3 = d[i][3];
        Simd::store_first(out + (4 * i) * stride, count, Simd::sub(d0, d2));
        Simd::store_first(out + (4 * i + 1) * stride, count, Simd::add(d1, d2));
        Simd::store_first(out + (4 * i + 2) * stride, count, Simd::sub(d2, d1));
        Simd::store_first(out + (4 * i + 3) * stride, count, Simd::sub(d1, d3));
      }
    }
  }
}

/// A^T m A for the tiles of tile rows [r0, r0 + nr), output channel o: m[k * stride + q] -> y
/// (rows past OH and columns past OW dropped).
void output_block(const float* m, int64_t stride, const Shape& s, int64_t o, int64_t r0, int64_t nr, int64_t TH,
                  int64_t TW, float* y) {
  for (int64_t r = 0; r < nr; ++r) {
    const Place p = place(r0 + r, TH);
    float* plane = y + (p.img * s.O + o) * s.OH * s.OW;
    for (int64_t j0 = 0; j0 < TW; j0 += L) {
      const int64_t count = TW - j0;
      const float* in = m + r * TW + j0;
      Vec t[2][4];  // A^T m: rows 0 and 1 of the tiles' 2 x 4
      for (int q = 0; q < 4; ++q) {
        const Vec m0 = Simd::load_first(in + q * stride, count), m1 = Simd::load_first(in + (4 + q) * stride, count);
        const Vec m2 = Simd::load_first(in + (8 + q) * stride, count), m3 = Simd::load_first(in + (12 + q) * stride, count);
        t[0][q] = Simd::add(Simd::add(m0, m1), m2);
        t[1][q] = Simd::sub(Simd::sub(m1, m2), m3);
      }
      for (int i = 0; i < 2 && 2 * p.th + i < s.OH; ++i) {  // (.) A, interleaved into the row
        const Vec even = Simd::add(Simd::add(t[i][0], t[i][1]), t[i][2]);
        const Vec odd = Simd::sub(Simd::sub(t[i][1], t[i][2]), t[i][3]);
        float* row = plane + (2 * p.th + i) * s.OW + 2 * j0;
        const int64_t left = s.OW - 2 * j0;  // columns from 2 * j0 to the row's end
        Vec lo, hi;
        Simd::interleave(even, odd, lo, hi);
        Simd::store_first(row, left, lo);
        if (left > L) Simd::store_first(row + L, left - L, hi);
      }
    }
  }
}

/// A dy A^T for the tiles of tile rows [r0, r0 + nr), output channel o of dy (zeros past OH and
/// OW) -> m[k * stride + q] (the adjoint of output_block).
void output_grad_block(const float* dy, const Shape& s, int64_t o, int64_t r0, int64_t nr, int64_t TH, int64_t TW,
                       float* m, int64_t stride) {
  for (int64_t r = 0; r < nr; ++r) {
    const Place p = place(r0 + r, TH);
    const float* plane = dy + (p.img * s.O + o) * s.OH * s.OW;
    for (int64_t j0 = 0; j0 < TW; j0 += L) {
      Vec g[2][2];  // the tiles' 2 x 2 output gradients
      for (int i = 0; i < 2; ++i) {
        const int64_t h = 2 * p.th + i;
        if (h < s.OH) split(plane + h * s.OW, s.OW, 2 * j0, g[i][0], g[i][1]);
        else g[i][0] = g[i][1] = Simd::zero();
      }
      const Vec t[4][2] = {{g[0][0], g[0][1]},
                         {Simd::add(g[0][0], g[1][0]), Simd::add(g[0][1], g[1][1])},
                         {Simd::sub(g[0][0], g[1][0]), Simd::sub(g[0][1], g[1][1])},
                         {Simd::sub(Simd::zero(), g[1][0]), Simd::sub(Simd::zero(), g[1][1])}};
      const int64_t count = TW - j0;
      float* out = m + r * TW + j0;
      for (int i = 0; i < 4; ++i) {
        Simd::store_first(out + 4 * i * stride, count, t[i][0]);
        Simd::store_first(out + (4 * i + 1) * stride, count, Simd::add(t[i][0], t[i][1]));
        Simd::store_first(out + (4 * i + 2) * stride, count, Simd::sub(t[i][0], t[i][1]));
        Simd::store_first(out + (4 * i + 3) * stride, count, Simd::sub(Simd::zero(), t[i][1]));
      }
    }
  }
}

/// dw (O, C, 3, 3) = G^T dU[o][c] G for each kernel, dU being 16 matrices O x C, row-major (the
/// adjoint of weight_transform's formula).
void weight_grad_transform(const float* dU, int64_t O, int64_t C, float* dw) {
  for (int64_t i = 0; i < O * C; ++i) {
    float d[4][4];
    for (int k = 0; k < 16; ++k) d[k / 4][k % 4] = dU[k * O * C + i];
    float gd[3][4];  // G^T d
    for (int q = 0; q < 4; ++q) {
      gd[0][q] = d[0][q] + (d[1][q] + d[2][q]) / 2;
      gd[1][q] = (d[1][q] - d[2][q]) / 2;
      gd[2][q] = (d[1][q] + d[2][q]) / 2 + d[3][q];
    }
    float* out = dw + i * 9;
    for (int r = 0; r < 3; ++r) {  // (G^T d) G
      out[r * 3] = gd[r][0] + (gd[r][1] + gd[r][2]) / 2;
      out[r * 3 + 1] = (gd[r][1] - gd[r][2]) / 2;
      out[r * 3 + 2] = (gd[r][1] + gd[r][2]) / 2 + gd[r][3];
    }
  }
}

/// The transformed weights U[k] = (G g G^T)[k] for each 3x3 kernel g of w (in the thread's
/// workspace): 16 matrices of O rows (rounded up to Simd::kRows, the extra rows zero) by C, each
/// stored as groups of kRows rows, C x kRows (the group's values for one column side by side: the
/// kernel's broadcasts read them in order). `transposed`: w is (C, O, 3, 3) and g its kernel (c, o)
/// flipped.
const float* weight_transform(const float* w, bool transposed, int64_t O, int64_t C) {
  const int64_t group = Simd::kRows, rows = (O + group - 1) / group * group, size = rows * C;
  float* U = workspace<float>(Scratch::WinogradWeights, 16 * size);
  // A group at a time, kCols columns at a time: each kernel's 16 values go to a small buffer,
  // copied out as 16 runs, since U's matrices lie a power of two apart when O and C are and
  // sixteen stores that far apart contend for the same cache sets.
  constexpr int64_t kCols = 64;
  parallel_range(rows / group, 64 * group * C, [&](int64_t b, int64_t e) {
    std::vector<float> runs(static_cast<size_t>(16 * kCols * group));  // rows past O stay zero
    for (int64_t o0 = b * group; o0 < e * group; o0 += group)
      for (int64_t c0 = 0; c0 < C; c0 += kCols) {
        const int64_t cols = std::min(kCols, C - c0), run = cols * group;
        for (int64_t c = c0; c < c0 + cols; ++c)
          for (int64_t o = o0; o < std::min(o0 + group, O); ++o) {
            float g[3][3];
            if (!transposed) {
              std::memcpy(g, w + (o * C + c) * 9, sizeof g);
            } else {
              const float* k = w + (c * O + o) * 9;
              for (int r = 0; r < 3; ++r)
                for (int q = 0; q < 3; ++q) g[r][q] = k[(2 - r) * 3 + 2 - q];
            }
            float gg[4][3];  // G g
            for (int q = 0; q < 3; ++q) {
              gg[0][q] = g[0][q];
              gg[1][q] = (g[0][q] + g[1][q] + g[2][q]) / 2;
              gg[2][q] = (g[0][q] - g[1][q] + g[2][q]) / 2;
              gg[3][q] = g[2][q];
            }
            float* u = runs.data() + (c - c0) * group + o - o0;
            for (int r = 0; r < 4; ++r, u += 4 * run) {  // (G g) G^T
              u[0] = gg[r][0];
              u[run] = (gg[r][0] + gg[r][1] + gg[r][2]) / 2;
              u[2 * run] = (gg[r][0] - gg[r][1] + gg[r][2]) / 2;
              u[3 * run] = gg[r][2];
            }
          }
        for (int k = 0; k < 16; ++k)
          std::copy(runs.data() + k * run, runs.data() + (k + 1) * run, U + k * size + o0 * C + c0 * group);
      }
  });
  return U;
}

/// Tiles per block (at least one tile row): the block's transformed input and output stay in L2.
constexpr int64_t kBlockTiles = 64;

/// Tiles per block of the weight gradient, whose dot products run along the tiles: longer runs
/// than the forward's blocks, so that summing each dot product's lanes at the end pays.
constexpr int64_t kGradBlockTiles = 256;

/// Inner products per pass over a block of B: kKc rows of a panel of B (at most 32 columns) fill
/// at most 32 KB, in L1.
constexpr int64_t kKc = 256;

/// Columns of B per kernel call.
constexpr int64_t kCols = Simd::kVecs * L;

/// C (kRows x n) = A B, or C += A B when `accumulate`, for n <= kCols: A packed as K x kRows (the
/// rows' values for each k side by side), B rows ldb apart, C rows ldc apart; kRows x kCols
/// accumulators in registers. `full`: n is kCols, and no load or store needs a mask.
template <bool full>
void kernel(int64_t K, const float* A, const float* B, int64_t ldb, float* C, int64_t ldc, int64_t n,
            bool accumulate) {
  constexpr int64_t R = Simd::kRows, NV = Simd::kVecs;
  Simd::Mask m[NV];
  for (int v = 0; v < NV; ++v) m[v] = Simd::lanes(full ? L : n - v * L);
  Vec acc[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      acc[r][v] = !accumulate ? Simd::zero()
                  : full      ? Simd::loadu(C + r * ldc + v * L)
                              : Simd::load(m[v], C + r * ldc + v * L);
  for (int64_t k = 0; k < K; ++k) {
    Vec b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = full ? Simd::loadu(B + k * ldb + v * L) : Simd::load(m[v], B + k * ldb + v * L);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const Vec a = Simd::set1(A[k * R + r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = Simd::fmadd(a, b[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (full) Simd::storeu(C + r * ldc + v * L, acc[r][v]);
      else Simd::store(C + r * ldc + v * L, m[v], acc[r][v]);
    }
}

/// C (Og x n) = A B with A in groups of kRows rows (Og / kRows of them, each K x kRows) and B
/// (K x n) dense.
void gemm(int64_t Og, int64_t n, int64_t K, const float* A, const float* B, float* C) {
  constexpr int64_t R = Simd::kRows;
  for (int64_t k0 = 0; k0 < K; k0 += kKc) {
    const int64_t kc = std::min(kKc, K - k0);
    for (int64_t j = 0; j < n; j += kCols)
      for (int64_t g = 0; g < Og / R; ++g) {
        const float* a = A + (g * K + k0) * R;
        if (n - j >= kCols) kernel<true>(kc, a, B + k0 * n + j, n, C + g * R * n + j, n, kCols, k0 > 0);
        else kernel<false>(kc, a, B + k0 * n + j, n, C + g * R * n + j, n, n - j, k0 > 0);
      }
  }
}

/// dU (kNtRows x 4 at rows ldu apart) += A (kNtRows x n) B (4 x n)^T, rows of A and B n apart:
/// the dot products accumulate L lanes at a time, summed across lanes at the end.
void kernel_nt(int64_t n, const float* A, const float* B, float* dU, int64_t ldu) {
  constexpr int64_t R = Simd::kNtRows;
  Vec acc[R][4];
#pragma GCC unroll 4
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) acc[i][j] = Simd::zero();
  for (int64_t t = 0; t < n; t += L) {
    Vec a[R], b[4];
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i) a[i] = Simd::load_first(A + i * n + t, n - t);
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) b[j] = Simd::load_first(B + j * n + t, n - t);
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) acc[i][j] = Simd::fmadd(a[i], b[j], acc[i][j]);
  }
  Simd::add_sums(acc, dU, ldu);
}

}  // namespace

void conv3x3(const float* x, const float* w, bool transposed, float* y, const Shape& s) {
  const int64_t TH = (s.OH + 1) / 2, TW = (s.OW + 1) / 2, rows = s.N * TH;
  const int64_t threads = num_threads();
  // Tile rows per block: about kBlockTiles tiles, but blocks enough for every thread.
  const int64_t per_block =
      std::clamp<int64_t>(kBlockTiles / TW, 1, std::max<int64_t>(1, (rows + threads - 1) / threads));
  const int64_t blocks = (rows + per_block - 1) / per_block, most = per_block * TW;
  const int64_t Og = (s.O + Simd::kRows - 1) / Simd::kRows * Simd::kRows;
  const float* U = weight_transform(w, transposed, s.O, s.C);
  // Each thread's block buffers, taken before the parallel region (which must not throw): the
  // transformed input V and output M, whose 16 matrices lie one cache line further apart than
  // they need (the transforms touch all 16 at once, and a power-of-two distance would put them
  // in the same cache sets).
  const int64_t team = threads > 1 && blocks > 1 ? threads : 1;
  const int64_t v_size = 16 * (s.C * most + 16), m_size = 16 * (Og * most + 16);
  const int64_t per_thread = (v_size + m_size + 15) / 16 * 16;
  float* buffers = workspace<float>(Scratch::WinogradTiles, team * per_thread);
#pragma omp parallel num_threads(team)
  {
    float* V = buffers + omp_get_thread_num() * per_thread;
    float* M = V + v_size;
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t r0 = b * per_block, nr = std::min(per_block, rows - r0), n = nr * TW;
      const int64_t vk = s.C * n + 16, mk = Og * n + 16;  // the matrices' distances in this block
      for (int64_t c = 0; c < s.C; ++c) input_block(x, s, c, r0, nr, TH, TW, V + c * n, vk);
      for (int k = 0; k < 16; ++k) gemm(Og, n, s.C, U + k * Og * s.C, V + k * vk, M + k * mk);
      for (int64_t o = 0; o < s.O; ++o) output_block(M + o * n, mk, s, o, r0, nr, TH, TW, y);
    }
  }
}

void conv3x3_weight_grad(const float* x, const float* dy, float* dw, const Shape& s) {
  const int64_t TH = (s.OH + 1) / 2, TW = (s.OW + 1) / 2, rows = s.N * TH;
  const int64_t threads = num_threads();
  const int64_t per_block =
      std::clamp<int64_t>(kGradBlockTiles / TW, 1, std::max<int64_t>(1, (rows + threads - 1) / threads));
  const int64_t blocks = (rows + per_block - 1) / per_block, most = per_block * TW;
  // Channels rounded up to 4 (kernel_nt's blocks divide it): the extra rows of V and dM stay zero.
  const int64_t C4 = (s.C + 3) / 4 * 4, O4 = (s.O + 3) / 4 * 4;
  // Each thread's buffers (as conv3x3's), and its own sums dU, added up after the parallel region.
  const int64_t team = threads > 1 && blocks > 1 ? threads : 1;
  const int64_t v_size = 16 * (C4 * most + 16), m_size = 16 * (O4 * most + 16), u_size = 16 * O4 * C4;
  const int64_t per_thread = (v_size + m_size + u_size + 15) / 16 * 16;
  float* buffers = workspace<float>(Scratch::WinogradTiles, team * per_thread);
  for (int64_t t = 0; t < team; ++t) {
    float* dU = buffers + t * per_thread + v_size + m_size;
    std::fill(dU, dU + u_size, 0.0f);
  }
#pragma omp parallel num_threads(team)
  {
    float* V = buffers + omp_get_thread_num() * per_thread;
    float* dM = V + v_size;
    float* dU = dM + m_size;
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t r0 = b * per_block, nr = std::min(per_block, rows - r0), n = nr * TW;
      const int64_t vk = C4 * n + 16, mk = O4 * n + 16;
      for (int64_t c = 0; c < s.C; ++c) input_block(x, s, c, r0, nr, TH, TW, V + c * n, vk);
      for (int64_t o = 0; o < s.O; ++o) output_grad_block(dy, s, o, r0, nr, TH, TW, dM + o * n, mk);
      if (C4 != s.C || O4 != s.O)  // the padding rows, zero at this block's length
        for (int k = 0; k < 16; ++k) {
          std::fill(V + k * vk + s.C * n, V + k * vk + C4 * n, 0.0f);
          std::fill(dM + k * mk + s.O * n, dM + k * mk + O4 * n, 0.0f);
        }
      for (int k = 0; k < 16; ++k)
        for (int64_t o = 0; o < O4; o += Simd::kNtRows)
          for (int64_t c = 0; c < C4; c += 4)
            kernel_nt(n, dM + k * mk + o * n, V + k * vk + c * n, dU + (k * O4 + o) * C4 + c, C4);
    }
  }
  float* total = buffers + v_size + m_size;  // thread 0's dU
  for (int64_t t = 1; t < team; ++t) {
    const float* part = buffers + t * per_thread + v_size + m_size;
    for (int64_t i = 0; i < u_size; ++i) total[i] += part[i];
  }
  // Drop the padding columns and rows: dU as 16 matrices O x C.
  std::vector<float> dense(static_cast<size_t>(16 * s.O * s.C));
  for (int k = 0; k < 16; ++k)
    for (int64_t o = 0; o < s.O; ++o)
      std::copy(total + (k * O4 + o) * C4, total + (k * O4 + o) * C4 + s.C, dense.data() + (k * s.O + o) * s.C);
  weight_grad_transform(dense.data(), s.O, s.C, dw);
}

}  // namespace ember::cpu::winograd::EMBER_ISA
