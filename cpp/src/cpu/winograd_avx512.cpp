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

// The transforms work on a block of tile rows at once, nr rows of TW tiles, tile q = r * TW + j's
// value k at v[k * stride + q]: their inner loops run over the whole block rather than one short
// row, except where a tile reads its neighbour's columns (input_cols). Every pointer of an inner
// loop is __restrict so that it vectorizes.

/// Where a block's tile row r lies: the image and the tile row within it.
struct Place {
  int64_t img, th;
};
inline Place place(int64_t r, int64_t TH) { return {r / TH, r % TH}; }

/// The even and odd columns of `src`'s row shifted left by pad (zeros outside [0, W)):
/// even[k] = src[2k - pad], odd[k] = src[2k + 1 - pad], k < n.
void deinterleave(const float* __restrict src, int64_t W, int64_t pad, int64_t n, float* __restrict even,
                  float* __restrict odd) {
  auto edge = [&](int64_t k) {
    const int64_t c = 2 * k - pad;
    even[k] = c >= 0 && c < W ? src[c] : 0.0f;
    odd[k] = c + 1 >= 0 && c + 1 < W ? src[c + 1] : 0.0f;
  };
  // [lo, hi): the k whose two columns are both inside the row.
  const int64_t lo = std::clamp<int64_t>((pad + 1) / 2, 0, n);
  const int64_t hi = W - 2 + pad < 0 ? lo : std::clamp<int64_t>((W - 2 + pad) / 2 + 1, lo, n);
  for (int64_t k = 0; k < lo; ++k) edge(k);
  const float* from = src - pad;
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1));
  const auto bits = [](int64_t count) {  // the first `count` lanes (0 to 16)
    return static_cast<__mmask16>((1u << std::clamp<int64_t>(count, 0, 16)) - 1);
  };
  for (int64_t k = lo; k < hi; k += 16) {  // the last pass masked to the pairs left
    const int64_t pairs = std::min<int64_t>(16, hi - k);
    const __m512 a = _mm512_maskz_loadu_ps(bits(2 * pairs), from + 2 * k);
    const __m512 b = _mm512_maskz_loadu_ps(bits(2 * pairs - 16), from + 2 * k + 16);
    _mm512_mask_storeu_ps(even + k, bits(pairs), _mm512_permutex2var_ps(a, evens, b));
    _mm512_mask_storeu_ps(odd + k, bits(pairs), _mm512_permutex2var_ps(a, odds, b));
  }
  for (int64_t k = hi; k < n; ++k) edge(k);
}

/// Row h of a plane H x W (zeros when outside [0, H)) as n even and n odd columns (deinterleave).
void split_row(const float* plane, int64_t H, int64_t W, int64_t h, int64_t pad, int64_t n, float* even, float* odd) {
  if (h < 0 || h >= H) std::fill(even, even + n, 0.0f), std::fill(odd, odd + n, 0.0f);
  else deinterleave(plane + h * W, W, pad, n, even, odd);
}

/// B^T d over rows: out's 4 rows from in's rows d0..d3 (each n long, rows `stride` apart):
/// (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
void input_rows(const float* __restrict in, int64_t stride, int64_t n, float* __restrict out) {
  for (int64_t q = 0; q < n; ++q) {
    const float d0 = in[q], d1 = in[q + stride], d2 = in[q + 2 * stride], d3 = in[q + 3 * stride];
    out[q] = d0 - d2, out[q + stride] = d1 + d2, out[q + 2 * stride] = d2 - d1, out[q + 3 * stride] = d1 - d3;
  }
}

/// (.) B over columns for n tiles, tile q's being (even[q], odd[q], even[q + 1], odd[q + 1]):
/// writes v[k * stride + q], k < 4.
void input_cols(const float* __restrict even, const float* __restrict odd, int64_t n, float* __restrict v,
                int64_t stride) {
  for (int64_t q = 0; q < n; ++q) {
    const float d0 = even[q], d1 = odd[q], d2 = even[q + 1], d3 = odd[q + 1];
    v[q] = d0 - d2, v[stride + q] = d1 + d2, v[2 * stride + q] = d2 - d1, v[3 * stride + q] = d1 - d3;
  }
}

/// B^T d B for the tiles of tile rows [r0, r0 + nr) of channel c of x: writes v[k * stride + q].
/// scratch holds 16 * nr * (TW + 1).
void input_block(const float* x, const Shape& s, int64_t c, int64_t r0, int64_t nr, int64_t TH, int64_t TW, float* v,
                 int64_t stride, float* scratch) {
  const int64_t w = TW + 1, step = nr * w;  // tile row r's TW + 1 even (or odd) columns at r * w
  float* rows = scratch;  // 4 input rows per tile row: row i's even columns at 2i * step, odd at (2i + 1) * step
  for (int64_t r = 0; r < nr; ++r) {
    const Place p = place(r0 + r, TH);
    const float* plane = x + (p.img * s.C + c) * s.H * s.W;
    for (int i = 0; i < 4; ++i) {
      float* even = rows + 2 * i * step + r * w;
      split_row(plane, s.H, s.W, 2 * p.th - s.pad_h + i, s.pad_w, w, even, even + step);
    }
  }
  float* t = scratch + 8 * step;
  input_rows(static_cast<const float*>(rows), 2 * step, step, t);  // even halves, then odd ones
  input_rows(static_cast<const float*>(rows + step), 2 * step, step, t + step);
  for (int i = 0; i < 4; ++i)
    for (int64_t r = 0; r < nr; ++r)
      input_cols(t + 2 * i * step + r * w, t + (2 * i + 1) * step + r * w, TW, v + 4 * i * stride + r * TW, stride);
}

/// A^T m A for n tiles (m[k * stride + q]): the 2x2 outputs as y00, y01, y10, y11 (each n).
void output_tiles(const float* __restrict m, int64_t stride, int64_t n, float* __restrict y) {
  for (int64_t q = 0; q < n; ++q) {
    float p[2][4];
    for (int c = 0; c < 4; ++c) {
      const float m0 = m[c * stride + q], m1 = m[(4 + c) * stride + q], m2 = m[(8 + c) * stride + q],
                  m3 = m[(12 + c) * stride + q];
      p[0][c] = m0 + m1 + m2;
      p[1][c] = m1 - m2 - m3;
    }
    for (int r = 0; r < 2; ++r) {
      y[2 * r * n + q] = p[r][0] + p[r][1] + p[r][2];
      y[(2 * r + 1) * n + q] = p[r][1] - p[r][2] - p[r][3];
    }
  }
}

/// A^T m A for the tiles of tile rows [r0, r0 + nr), output channel o: m[k * stride + q] -> y
/// (rows past OH and columns past OW dropped). scratch holds 4 * nr * TW.
void output_block(const float* m, int64_t stride, const Shape& s, int64_t o, int64_t r0, int64_t nr, int64_t TH,
                  int64_t TW, float* y, float* scratch) {
  const int64_t len = nr * TW, pairs = s.OW / 2;
  output_tiles(m, stride, len, scratch);
  for (int64_t r = 0; r < nr; ++r) {
    const Place p = place(r0 + r, TH);
    float* plane = y + (p.img * s.O + o) * s.OH * s.OW;
    for (int i = 0; i < 2 && 2 * p.th + i < s.OH; ++i) {
      float* __restrict row = plane + (2 * p.th + i) * s.OW;
      const float* __restrict even = scratch + 2 * i * len + r * TW;
      const float* __restrict odd = even + len;
      for (int64_t j = 0; j < pairs; ++j) row[2 * j] = even[j], row[2 * j + 1] = odd[j];
      if (s.OW % 2) row[s.OW - 1] = even[pairs];
    }
  }
}

/// A g A^T for n tiles whose 2x2 output gradients are g00, g01, g10, g11 (each n): writes
/// m[k * stride + q] (the adjoint of output_tiles).
void output_grad_tiles(const float* __restrict g, int64_t n, float* __restrict m, int64_t stride) {
  for (int64_t q = 0; q < n; ++q) {
    const float g00 = g[q], g01 = g[n + q], g10 = g[2 * n + q], g11 = g[3 * n + q];
    const float t[4][2] = {{g00, g01}, {g00 + g10, g01 + g11}, {g00 - g10, g01 - g11}, {-g10, -g11}};
    for (int r = 0; r < 4; ++r) {
      m[4 * r * stride + q] = t[r][0];
      m[(4 * r + 1) * stride + q] = t[r][0] + t[r][1];
      m[(4 * r + 2) * stride + q] = t[r][0] - t[r][1];
      m[(4 * r + 3) * stride + q] = -t[r][1];
    }
  }
}

/// A dy A^T for the tiles of tile rows [r0, r0 + nr), output channel o of dy (zeros past OH and
/// OW) -> m[k * stride + q]. scratch holds 4 * nr * TW.
void output_grad_block(const float* dy, const Shape& s, int64_t o, int64_t r0, int64_t nr, int64_t TH, int64_t TW,
                       float* m, int64_t stride, float* scratch) {
  const int64_t len = nr * TW;
  for (int64_t r = 0; r < nr; ++r) {
    const Place p = place(r0 + r, TH);
    const float* plane = dy + (p.img * s.O + o) * s.OH * s.OW;
    for (int i = 0; i < 2; ++i) {
      float* even = scratch + 2 * i * len + r * TW;
      split_row(plane, s.OH, s.OW, 2 * p.th + i, 0, TW, even, even + len);
    }
  }
  output_grad_tiles(scratch, len, m, stride);
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
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) dU[i * ldu + j] += _mm512_reduce_add_ps(acc[i][j]);
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
  // in the same cache sets), and the transforms' scratch rows.
  const int64_t team = threads > 1 && blocks > 1 ? threads : 1;
  const int64_t v_size = 16 * (s.C * most + 16), m_size = 16 * (O8 * most + 16);
  const int64_t per_thread = (v_size + m_size + 16 * per_block * (TW + 1) + 15) / 16 * 16;
  float* buffers = workspace<float>(Scratch::WinogradTiles, team * per_thread);
#pragma omp parallel num_threads(team)
  {
    float* V = buffers + omp_get_thread_num() * per_thread;
    float* M = V + v_size;
    float* scratch = M + m_size;
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t r0 = b * per_block, nr = std::min(per_block, rows - r0), n = nr * TW;
      const int64_t vk = s.C * n + 16, mk = O8 * n + 16;  // the matrices' distances in this block
      for (int64_t c = 0; c < s.C; ++c) input_block(x, s, c, r0, nr, TH, TW, V + c * n, vk, scratch);
      for (int k = 0; k < 16; ++k) gemm(O8, n, s.C, U + k * O8 * s.C, V + k * vk, M + k * mk);
      for (int64_t o = 0; o < s.O; ++o) output_block(M + o * n, mk, s, o, r0, nr, TH, TW, y, scratch);
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
  const int64_t per_thread = (v_size + m_size + u_size + 16 * per_block * (TW + 1) + 15) / 16 * 16;
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
    float* scratch = dU + u_size;
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t r0 = b * per_block, nr = std::min(per_block, rows - r0), n = nr * TW;
      const int64_t vk = C4 * n + 16, mk = O4 * n + 16;
      for (int64_t c = 0; c < s.C; ++c) input_block(x, s, c, r0, nr, TH, TW, V + c * n, vk, scratch);
      for (int64_t o = 0; o < s.O; ++o) output_grad_block(dy, s, o, r0, nr, TH, TW, dM + o * n, mk, scratch);
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
