// Winograd F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks") in
// float32, for CPUs with AVX-512 (this file is compiled with -mavx512f; cpu/conv.cpp calls it
// where the CPU has it). Each 2x2 block of outputs is Y = A^T [(G g G^T) . (B^T d B)] A over the
// 4x4 input tile d under it: over a block of tiles, the 16 elementwise products become 16 matrix
// products U[k] (O x C) V[k] (C x tiles), 2.25x fewer multiplications than im2col's gemm, and
// each input is read 4x instead of 9x. Each thread takes blocks of tile rows and runs the whole
// formula on a block while it sits in its L2 cache (input transform, the 16 products by a
// register-blocked kernel, output transform), with no barrier between blocks and no BLAS call.
// The input gradient is the same formula on the flipped, transposed weight; the weight gradient
// is its adjoint, dU[k] = sum over tiles of dM[k] V[k]^T with dM = A dy A^T, then dw = G^T dU G.
#include "cpu/winograd.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "cpu/loops.h"
#include "cpu/workspace.h"

namespace ember::cpu::winograd {
namespace {

// The transforms work on one tile row at a time, 16 tiles per vector: tile row r of a block,
// tile j's value k goes to v[k * stride + r * TW + j]. A row's even and odd columns come out of
// two masked loads and a permute, the masks zeroing the padding (masked-off lanes are not read).

/// Where a block's tile row r lies: the image and the tile row within it.
struct Place {
  int64_t img, th;
};
inline Place place(int64_t r, int64_t TH) { return {r / TH, r % TH}; }

/// The first `count` lanes (count clamped to 0..16).
inline __mmask16 lanes(int64_t count) {
  return static_cast<__mmask16>((1u << std::clamp<int64_t>(count, 0, 16)) - 1);
}

/// Columns [c0, c0 + 16) of a row W long, zeros outside [0, W).
inline __m512 load_row(const float* row, int64_t W, int64_t c0) {
  const __mmask16 m = lanes(W - c0) & static_cast<__mmask16>(~lanes(-c0));
  return m ? _mm512_maskz_loadu_ps(m, row + c0) : _mm512_setzero_ps();
}

/// Columns c0 + 2k (even) and c0 + 2k + 1 (odd), k < 16, of a row (zeros outside [0, W)).
inline void split(const float* row, int64_t W, int64_t c0, __m512& even, __m512& odd) {
  // (Constants here, not at namespace scope: their initializers would run on CPUs without AVX-512.)
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1));
  const __m512 a = load_row(row, W, c0), b = load_row(row, W, c0 + 16);
  even = _mm512_permutex2var_ps(a, evens, b);
  odd = _mm512_permutex2var_ps(a, odds, b);
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
    for (int64_t j0 = 0; j0 < TW; j0 += 16) {
      // Row i of the tiles' 4x4 windows as 4 vectors of columns 2j + (0, 1, 2, 3) - pad_w.
      __m512 d[4][4];
      for (int i = 0; i < 4; ++i) {
        const int64_t h = top + i, c0 = 2 * j0 - s.pad_w;
        if (h < 0 || h >= s.H) {
          d[i][0] = d[i][1] = d[i][2] = d[i][3] = _mm512_setzero_ps();
          continue;
        }
        split(plane + h * s.W, s.W, c0, d[i][0], d[i][1]);
        split(plane + h * s.W, s.W, c0 + 2, d[i][2], d[i][3]);
      }
      const __mmask16 m = lanes(TW - j0);
      float* out = v + r * TW + j0;
      for (int q = 0; q < 4; ++q) {  // B^T d over rows, column q
        const __m512 d0 = d[0][q], d1 = d[1][q], d2 = d[2][q], d3 = d[3][q];
        d[0][q] = _mm512_sub_ps(d0, d2), d[1][q] = _mm512_add_ps(d1, d2);
        d[2][q] = _mm512_sub_ps(d2, d1), d[3][q] = _mm512_sub_ps(d1, d3);
      }
      for (int i = 0; i < 4; ++i) {  // (.) B over columns
        const __m512 d0 = d[i][0], d1 = d[i][1], d2 = d[i][2], d3 = d[i][3];
        _mm512_mask_storeu_ps(out + (4 * i) * stride, m, _mm512_sub_ps(d0, d2));
        _mm512_mask_storeu_ps(out + (4 * i + 1) * stride, m, _mm512_add_ps(d1, d2));
        _mm512_mask_storeu_ps(out + (4 * i + 2) * stride, m, _mm512_sub_ps(d2, d1));
        _mm512_mask_storeu_ps(out + (4 * i + 3) * stride, m, _mm512_sub_ps(d1, d3));
      }
    }
  }
}

/// A^T m A for the tiles of tile rows [r0, r0 + nr), output channel o: m[k * stride + q] -> y
/// (rows past OH and columns past OW dropped).
void output_block(const float* m, int64_t stride, const Shape& s, int64_t o, int64_t r0, int64_t nr, int64_t TH,
                  int64_t TW, float* y) {
  const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(8));
  for (int64_t r = 0; r < nr; ++r) {
    const Place p = place(r0 + r, TH);
    float* plane = y + (p.img * s.O + o) * s.OH * s.OW;
    for (int64_t j0 = 0; j0 < TW; j0 += 16) {
      const __mmask16 mask = lanes(TW - j0);
      const float* in = m + r * TW + j0;
      __m512 t[2][4];  // A^T m: rows 0 and 1 of the tiles' 2 x 4
      for (int q = 0; q < 4; ++q) {
        const __m512 m0 = _mm512_maskz_loadu_ps(mask, in + q * stride), m1 = _mm512_maskz_loadu_ps(mask, in + (4 + q) * stride);
        const __m512 m2 = _mm512_maskz_loadu_ps(mask, in + (8 + q) * stride), m3 = _mm512_maskz_loadu_ps(mask, in + (12 + q) * stride);
        t[0][q] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
        t[1][q] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
      }
      for (int i = 0; i < 2 && 2 * p.th + i < s.OH; ++i) {  // (.) A, interleaved into the row
        const __m512 even = _mm512_add_ps(_mm512_add_ps(t[i][0], t[i][1]), t[i][2]);
        const __m512 odd = _mm512_sub_ps(_mm512_sub_ps(t[i][1], t[i][2]), t[i][3]);
        float* row = plane + (2 * p.th + i) * s.OW + 2 * j0;
        const int64_t left = s.OW - 2 * j0;  // columns from 2 * j0 to the row's end
        _mm512_mask_storeu_ps(row, lanes(left), _mm512_permutex2var_ps(even, low, odd));
        if (left > 16) _mm512_mask_storeu_ps(row + 16, lanes(left - 16), _mm512_permutex2var_ps(even, high, odd));
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
    for (int64_t j0 = 0; j0 < TW; j0 += 16) {
      __m512 g[2][2];  // the tiles' 2 x 2 output gradients
      for (int i = 0; i < 2; ++i) {
        const int64_t h = 2 * p.th + i;
        if (h < s.OH) split(plane + h * s.OW, s.OW, 2 * j0, g[i][0], g[i][1]);
        else g[i][0] = g[i][1] = _mm512_setzero_ps();
      }
      const __m512 t[4][2] = {{g[0][0], g[0][1]},
                              {_mm512_add_ps(g[0][0], g[1][0]), _mm512_add_ps(g[0][1], g[1][1])},
                              {_mm512_sub_ps(g[0][0], g[1][0]), _mm512_sub_ps(g[0][1], g[1][1])},
                              {_mm512_sub_ps(_mm512_setzero_ps(), g[1][0]), _mm512_sub_ps(_mm512_setzero_ps(), g[1][1])}};
      const __mmask16 mask = lanes(TW - j0);
      float* out = m + r * TW + j0;
      for (int i = 0; i < 4; ++i) {
        _mm512_mask_storeu_ps(out + 4 * i * stride, mask, t[i][0]);
        _mm512_mask_storeu_ps(out + (4 * i + 1) * stride, mask, _mm512_add_ps(t[i][0], t[i][1]));
        _mm512_mask_storeu_ps(out + (4 * i + 2) * stride, mask, _mm512_sub_ps(t[i][0], t[i][1]));
        _mm512_mask_storeu_ps(out + (4 * i + 3) * stride, mask, _mm512_sub_ps(_mm512_setzero_ps(), t[i][1]));
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
/// workspace): 16 matrices of O rows (rounded up to 8, the extra rows zero) by C, each stored as
/// groups of 8 rows, C x 8 (the 8 rows' values for one column side by side: the kernel's
/// broadcasts read them in order). `transposed`: w is (C, O, 3, 3) and g its kernel (c, o)
/// flipped.
const float* weight_transform(const float* w, bool transposed, int64_t O, int64_t C) {
  const int64_t group = 8, rows = (O + group - 1) / group * group, size = rows * C;
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
/// than the forward's blocks, so that summing each dot product's 16 lanes at the end pays.
constexpr int64_t kGradBlockTiles = 256;

/// Inner products per pass over a block of B: kKc rows of a 32-column panel of B fill 32 KB, in L1.
constexpr int64_t kKc = 256;

/// C (8 x n) = A B, or C += A B when `accumulate`, for n <= 32: A packed as K x 8 (the 8 rows'
/// values for each k side by side), B rows ldb apart, C rows ldc apart; 8 x 32 accumulators in
/// registers.
void kernel(int64_t K, const float* A, const float* B, int64_t ldb, float* C, int64_t ldc, int64_t n,
            bool accumulate) {
  const __mmask16 m0 = n >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << n) - 1);
  const __mmask16 m1 = n >= 32 ? 0xFFFF : n <= 16 ? 0 : static_cast<__mmask16>((1u << (n - 16)) - 1);
  __m512 acc0[8], acc1[8];
#pragma GCC unroll 8
  for (int r = 0; r < 8; ++r) {
    acc0[r] = accumulate ? _mm512_maskz_loadu_ps(m0, C + r * ldc) : _mm512_setzero_ps();
    acc1[r] = accumulate ? _mm512_maskz_loadu_ps(m1, C + r * ldc + 16) : _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < K; ++k) {
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, B + k * ldb), b1 = _mm512_maskz_loadu_ps(m1, B + k * ldb + 16);
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
      const __m512 a = _mm512_set1_ps(A[k * 8 + r]);
      acc0[r] = _mm512_fmadd_ps(a, b0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(a, b1, acc1[r]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < 8; ++r) {
    _mm512_mask_storeu_ps(C + r * ldc, m0, acc0[r]);
    _mm512_mask_storeu_ps(C + r * ldc + 16, m1, acc1[r]);
  }
}

/// C (O8 x n) = A B with A in groups of 8 rows (O8 / 8 of them, each K x 8) and B (K x n) dense.
void gemm(int64_t O8, int64_t n, int64_t K, const float* A, const float* B, float* C) {
  for (int64_t k0 = 0; k0 < K; k0 += kKc) {
    const int64_t kc = std::min(kKc, K - k0);
    for (int64_t j = 0; j < n; j += 32)
      for (int64_t g = 0; g < O8 / 8; ++g)
        kernel(kc, A + (g * K + k0) * 8, B + k0 * n + j, n, C + g * 8 * n + j, n, std::min<int64_t>(32, n - j),
               k0 > 0);
  }
}

/// dU (4 x 4 at rows ldu apart) += A (4 x n) B (4 x n)^T, rows of A and B n apart: the 16 dot
/// products accumulate 16 lanes at a time, summed across lanes at the end.
void kernel_nt(int64_t n, const float* A, const float* B, float* dU, int64_t ldu) {
  __m512 acc[4][4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) acc[i][j] = _mm512_setzero_ps();
  for (int64_t t = 0; t < n; t += 16) {
    const __mmask16 m = n - t >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - t)) - 1);
    __m512 a[4], b[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
      a[i] = _mm512_maskz_loadu_ps(m, A + i * n + t);
      b[i] = _mm512_maskz_loadu_ps(m, B + i * n + t);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) acc[i][j] = _mm512_fmadd_ps(a[i], b[j], acc[i][j]);
  }
  // The 16 sums across lanes at once, by a tree of shuffles and adds (one reduction each would
  // cost about half as much as the products): r's lane 4i + j ends as acc[i][j]'s sum.
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

}  // namespace

void conv3x3(const float* x, const float* w, bool transposed, float* y, const Shape& s) {
  const int64_t TH = (s.OH + 1) / 2, TW = (s.OW + 1) / 2, rows = s.N * TH;
  const int64_t threads = num_threads();
  // Tile rows per block: about kBlockTiles tiles, but blocks enough for every thread.
  const int64_t per_block =
      std::clamp<int64_t>(kBlockTiles / TW, 1, std::max<int64_t>(1, (rows + threads - 1) / threads));
  const int64_t blocks = (rows + per_block - 1) / per_block, most = per_block * TW, O8 = (s.O + 7) / 8 * 8;
  const float* U = weight_transform(w, transposed, s.O, s.C);
  // Each thread's block buffers, taken before the parallel region (which must not throw): the
  // transformed input V and output M, whose 16 matrices lie one cache line further apart than
  // they need (the transforms touch all 16 at once, and a power-of-two distance would put them
  // in the same cache sets).
  const int64_t team = threads > 1 && blocks > 1 ? threads : 1;
  const int64_t v_size = 16 * (s.C * most + 16), m_size = 16 * (O8 * most + 16);
  const int64_t per_thread = (v_size + m_size + 15) / 16 * 16;
  float* buffers = workspace<float>(Scratch::WinogradTiles, team * per_thread);
#pragma omp parallel num_threads(team)
  {
    float* V = buffers + omp_get_thread_num() * per_thread;
    float* M = V + v_size;
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t r0 = b * per_block, nr = std::min(per_block, rows - r0), n = nr * TW;
      const int64_t vk = s.C * n + 16, mk = O8 * n + 16;  // the matrices' distances in this block
      for (int64_t c = 0; c < s.C; ++c) input_block(x, s, c, r0, nr, TH, TW, V + c * n, vk);
      for (int k = 0; k < 16; ++k) gemm(O8, n, s.C, U + k * O8 * s.C, V + k * vk, M + k * mk);
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
  // Channels rounded up to the kernel's 4 x 4: the extra rows of V and dM stay zero.
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
        for (int64_t o = 0; o < O4; o += 4)
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

}  // namespace ember::cpu::winograd
