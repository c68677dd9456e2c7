// CPU convolutions over two spatial dims (1-D ones arrive with H of 1): im2col into BLAS gemm.
// The work is tiled so the column buffer stays under kColBudget bytes: several whole images
// while they fit, else one image's output rows in chunks. im2col and col2im run across threads
// (over images x channels), the gemm calls outside any OpenMP region (OpenBLAS threads itself).
// A 1x1 kernel with stride 1 and no padding reads the input as its own column matrix: one gemm
// per image and group, no copy. 3x3 kernels with stride 1 in float32 go to Winograd where the CPU
// has AVX2+FMA or AVX-512 (cpu/winograd.h): forward, input gradient, and weight gradient while input and
// output channels total 256 or fewer.
#include <climits>
#include <cstring>
#include <type_traits>

#include "cpu/blas.h"
#include "cpu/threads.h"
#include "cpu/loops.h"
#include "cpu/winograd.h"
#include "cpu/workspace.h"
#include "kernels.h"

namespace ember::cpu {
namespace {

/// Bytes of column buffer per call (but at least one output row of one image), about an L2
/// cache: the gemm reads the columns while they are there. Measured on ResNet-20's stride-2 3x3
/// convolutions (16 -> 32 channels, 32x32, batch 64, one thread): 1 MB 1.6x faster than 8 MB.
constexpr int64_t kColBudget = int64_t{1} << 20;

/// Widest rows for Winograd: the transforms of one row of tiles (16 values per tile and
/// channel, in and out) within these bytes.
constexpr int64_t kWinogradRowBudget = int64_t{8} << 20;

/// Fewest output tiles for which Winograd beats im2col (measured: a batch of one 7x7 image, 16
/// tiles, with 512 channels in and out is 2.3x faster by im2col; at 8 images, 1.1x slower).
constexpr int64_t kWinogradTiles = 64;

/// Fewest input and output channels for Winograd: with fewer its products are too short to pay
/// for the transforms (measured, a forward and backward: 1 -> 32 channels on 28x28, 2.9x slower
/// than im2col; 3 -> 16 on 32x32, even; 8 -> 16, 1.6x faster).
constexpr int64_t kWinogradChannels = 4;

/// Most input plus output channels for which Winograd's weight gradient beats im2col's (its dot
/// products run over blocks of tiles that stop fitting L2 beyond; measured: 64 + 64 channels on
/// 56x56 1.10x faster, 128 + 128 even, 256 + 256 1.08x slower).
constexpr int64_t kWinogradGradChannels = 256;

/// C = A B (beta 0) or C += A B (beta 1), row-major, with transpose flags; empty sums handled.
template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb,
          T beta, T* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (beta == T(0))
      for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, T(0));
    return;
  }
  EMBER_CHECK_RUNTIME(M <= INT_MAX && N <= INT_MAX && K <= INT_MAX, "conv: gemm dimensions (", M, ", ", N, ", ", K,
                      ") exceed what the 32-bit BLAS can address");
  const CBLAS_TRANSPOSE a = ta ? CblasTrans : CblasNoTrans, b = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    BlasScope scope;
    EMBER_CBLAS(sgemm)(CblasRowMajor, a, b, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
  } else if constexpr (std::is_same_v<T, double>) {
    BlasScope scope;
    EMBER_CBLAS(dgemm)(CblasRowMajor, a, b, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc);
  } else {  // int64 (PyTorch convolves integers too): no BLAS, exact sums
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        T sum = 0;
        for (int64_t k = 0; k < K; ++k) sum += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
        C[i * ldc + j] = beta == T(0) ? sum : C[i * ldc + j] + sum;
      }
  }
}

/// The sizes of one convolution: x (N, C, H, W), w (O, C / groups, KH, KW), y (N, O, OH, OW).
struct Dims4 {
  int64_t N, C, H, W, O, KH, KW, OH, OW;
  int64_t Cg() const { return C / g.groups; }
  int64_t Og() const { return O / g.groups; }
  int64_t kk() const { return KH * KW; }
  int64_t P() const { return OH * OW; }
  int64_t K() const { return Cg() * kk(); }  // the gemm's inner size per group
  ConvGeom g;
  bool direct() const {  // the input is its own column matrix
    return KH == 1 && KW == 1 && g.stride[0] == 1 && g.stride[1] == 1 && g.pad[0] == 0 && g.pad[1] == 0 && OH == H &&
           OW == W;
  }
};

/// Whether a convolution of d's shape in T goes to Winograd (cpu/winograd.h): float32 on a CPU
/// with AVX2+FMA or AVX-512, 3x3, stride 1, dilation 1, one group, tiles enough (a 2x2 block of
/// outputs each) to pay for transforming the weights, channels enough, and rows narrow enough
/// (kWinogradRowBudget).
template <class T>
bool winograd_pays(const Dims4& d) {
  static const bool available = winograd::available();
  const ConvGeom& g = d.g;
  return std::is_same_v<T, float> && available && d.KH == 3 && d.KW == 3 && g.groups == 1 && g.stride[0] == 1 &&
         g.stride[1] == 1 && g.dilation[0] == 1 && g.dilation[1] == 1 && d.OH == d.H + 2 * g.pad[0] - 2 &&
         d.OW == d.W + 2 * g.pad[1] - 2 && d.N * ((d.OH + 1) / 2) * ((d.OW + 1) / 2) >= kWinogradTiles &&
         std::min(d.C, d.O) >= kWinogradChannels &&
         16 * (d.C + d.O) * ((std::max(d.W, d.OW) + 1) / 2) * int64_t{sizeof(float)} <= kWinogradRowBudget;
}

/// Work sharing one column buffer: output rows [r0, r1) of images [n0, n0 + m).
struct Tile {
  int64_t n0, m, r0, r1;
};

/// How a convolution is tiled: whole images, as many as fit the buffer budget, or when one
/// image does not fit, one image's output rows in chunks that fit (at least one row).
struct Tiling {
  int64_t images, rows, elements /* of the column buffer */;
};

Tiling tiling(const Dims4& d, size_t elem) {
  const int64_t row = std::max<int64_t>(1, d.C * d.kk() * d.OW), budget = kColBudget / static_cast<int64_t>(elem);
  const int64_t rows = std::clamp<int64_t>(budget / row, 1, std::max<int64_t>(d.OH, 1));
  const int64_t images = rows < d.OH ? 1 : std::clamp<int64_t>(budget / (row * d.OH), 1, std::max<int64_t>(d.N, 1));
  return {images, rows, images * rows * row};
}

Dims4 dims_of(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeom& g) {
  const auto &xs = x.sizes(), &ws = w.sizes(), &ys = y.sizes();
  return {xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], ys[2], ys[3], g};
}

/// The range [lo, hi) of output columns whose input column o * stride - pad + k * dilation is
/// inside [0, size).
inline void valid_range(int64_t size, int64_t out, int64_t stride, int64_t offset, int64_t& lo, int64_t& hi) {
  // o * stride + offset >= 0 and < size, offset = k * dilation - pad (the op keeps the sums in
  // int64: none exceeds the padded size).
  lo = offset >= 0 ? 0 : -offset / stride + (-offset % stride != 0);
  hi = size - offset <= 0 ? 0 : (size - offset - 1) / stride + 1;
  lo = std::min(lo, out);
  hi = std::clamp(hi, lo, out);
}

/// dst[i] = src[2 * i], i < n: a stride-2 convolution's im2col rows. Four floats at a time from
/// two vector loads and a shuffle (the compiler leaves the strided loop scalar); the loads stop
/// short of src[2 * n - 1], which may lie past the row's end.
template <class T>
void every_other(const T* src, int64_t n, T* dst) {
  int64_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    typedef float v4 __attribute__((vector_size(16)));
    for (; i + 5 <= n; i += 4) {
      v4 a, b;
      std::memcpy(&a, src + 2 * i, sizeof a);
      std::memcpy(&b, src + 2 * i + 4, sizeof b);
      const v4 even = __builtin_shufflevector(a, b, 0, 2, 4, 6);
      std::memcpy(dst + i, &even, sizeof even);
    }
  }
  for (; i < n; ++i) dst[i] = src[2 * i];
}

/// Between one channel plane x of one image and its rows of the column matrix col (rows
/// (ki, kj), columns (oh, ow) for output rows oh in [r0, r1)): kToCol copies the windows into col
/// (im2col, zeros where a window overlaps the padding); otherwise x += col, summed where windows
/// overlap (col2im, the adjoint).
template <bool kToCol, class T>
void im2col_or_col2im(std::conditional_t<kToCol, const T*, T*> x, std::conditional_t<kToCol, T*, const T*> col,
                      const Dims4& d, int64_t r0, int64_t r1, int64_t row_stride) {
  const ConvGeom& g = d.g;
  const int64_t sw = g.stride[1], cols = (r1 - r0) * d.OW;
  for (int64_t ki = 0; ki < d.KH; ++ki) {
    int64_t oh_lo, oh_hi;
    valid_range(d.H, d.OH, g.stride[0], ki * g.dilation[0] - g.pad[0], oh_lo, oh_hi);
    oh_lo = std::clamp(oh_lo, r0, r1);
    oh_hi = std::clamp(oh_hi, oh_lo, r1);
    for (int64_t kj = 0; kj < d.KW; ++kj, col += row_stride) {
      const int64_t off_w = kj * g.dilation[1] - g.pad[1];
      int64_t ow_lo, ow_hi;
      valid_range(d.W, d.OW, sw, off_w, ow_lo, ow_hi);
      if constexpr (kToCol) std::fill(col, col + (oh_lo - r0) * d.OW, T(0));
      for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
        auto c = col + (oh - r0) * d.OW;
        auto row = x + (oh * g.stride[0] + ki * g.dilation[0] - g.pad[0]) * d.W + off_w;
        if constexpr (kToCol) {
          std::fill(c, c + ow_lo, T(0));
          if (sw == 1) std::memcpy(c + ow_lo, row + ow_lo, static_cast<size_t>(ow_hi - ow_lo) * sizeof(T));
          else if (sw == 2) every_other(row + 2 * ow_lo, ow_hi - ow_lo, c + ow_lo);
          else
            for (int64_t ow = ow_lo; ow < ow_hi; ++ow) c[ow] = row[ow * sw];
          std::fill(c + ow_hi, c + d.OW, T(0));
        } else {
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) row[ow * sw] += c[ow];
        }
      }
      if constexpr (kToCol) std::fill(col + (oh_hi - r0) * d.OW, col + cols, T(0));
    }
  }
}

/// Runs kToCol's walk for every channel plane of a tile's images, across threads. col is the
/// tile's column matrix for all its images at once: C * kk rows (channel c's kernel taps are
/// rows c * kk ...), each of m * Pc columns, image i's Pc = (r1 - r0) * OW of them at i * Pc.
template <bool kToCol, class T>
void walk_tile(std::conditional_t<kToCol, const T*, T*> x, std::conditional_t<kToCol, T*, const T*> col, const Tile& t,
               const Dims4& d) {
  const int64_t plane = d.H * d.W, pc = (t.r1 - t.r0) * d.OW, width = t.m * pc;
  parallel_range(t.m * d.C, d.kk() * pc, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const int64_t i = k / d.C, c = k % d.C;
      im2col_or_col2im<kToCol, T>(x + ((t.n0 + i) * d.C + c) * plane, col + c * d.kk() * width + i * pc, d, t.r0,
                                  t.r1, width);
    }
  });
}

/// Between a tile's rows of y (N, O, P) and a matrix (O x m * Pc) whose image i has columns
/// [i * Pc, (i + 1) * Pc): kToMatrix gathers, otherwise scatters.
template <bool kToMatrix, class T>
void tile_rows(std::conditional_t<kToMatrix, const T*, T*> y, std::conditional_t<kToMatrix, T*, const T*> m,
               const Tile& t, const Dims4& d) {
  const int64_t pc = (t.r1 - t.r0) * d.OW, width = t.m * pc, P = d.P();
  parallel_range(t.m * d.O, pc, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const int64_t i = k / d.O, o = k % d.O;
      auto row = y + ((t.n0 + i) * d.O + o) * P + t.r0 * d.OW;
      auto cols = m + o * width + i * pc;
      if constexpr (kToMatrix) std::memcpy(cols, row, static_cast<size_t>(pc) * sizeof(T));
      else std::memcpy(row, cols, static_cast<size_t>(pc) * sizeof(T));
    }
  });
}

/// body(tile, col) for the tiles in order, with col the tile's column matrix: im2col of x into a
/// buffer of tiling's size (reused), or x itself (all images in one tile) when d is direct.
template <class T, class F>
void with_columns(const Dims4& d, const T* x, F body) {
  if (d.direct()) return body(Tile{0, d.N, 0, d.OH}, x);
  const Tiling t = tiling(d, sizeof(T));
  T* col = workspace<T>(Scratch::Columns, t.elements);
  for (int64_t n0 = 0; n0 < d.N; n0 += t.images)
    for (int64_t r0 = 0; r0 < d.OH; r0 += t.rows) {
      const Tile tile{n0, std::min(t.images, d.N - n0), r0, std::min(r0 + t.rows, d.OH)};
      walk_tile<true, T>(x, col, tile, d);
      body(tile, static_cast<const T*>(col));
    }
}

/// The adjoint: body(tile, col) writes each tile's column matrix, which col2im sums into dx
/// (zeroed first); when d is direct, body writes dx itself.
template <class T, class F>
void into_columns(const Dims4& d, T* dx, const Tensor& dx_tensor, F body) {
  if (d.direct()) return body(Tile{0, d.N, 0, d.OH}, dx);
  cpu::fill(dx_tensor, 0);
  const Tiling t = tiling(d, sizeof(T));
  T* col = workspace<T>(Scratch::Columns, t.elements);
  for (int64_t n0 = 0; n0 < d.N; n0 += t.images)
    for (int64_t r0 = 0; r0 < d.OH; r0 += t.rows) {
      const Tile tile{n0, std::min(t.images, d.N - n0), r0, std::min(r0 + t.rows, d.OH)};
      body(tile, col);
      walk_tile<false, T>(dx, col, tile, d);
    }
}

// Below, a tile's gemm per group gi multiplies the weights w + gi * Og * K (Og x K) with the
// group's rows of the column matrix, col + gi * K * width (K x width, width = m * Pc: every
// image of the tile at once). Its outputs (or their gradients) are y's rows, gathered into an
// O x width matrix when the tile has several images; with one, y itself (rows P apart). A
// direct convolution (1x1, no stride or padding) reads x as its own per-image column matrix.

/// The tile's outputs (or output gradients) as an O x width matrix and its row stride: y itself
/// for one image, else a workspace buffer (gathered from y first when `gather`).
template <class T>
std::pair<T*, int64_t> tile_matrix(T* y, const Tile& t, const Dims4& d, bool gather) {
  if (t.m == 1) return {y + t.n0 * d.O * d.P() + t.r0 * d.OW, d.P()};
  const int64_t width = t.m * (t.r1 - t.r0) * d.OW;
  T* buffer = workspace<T>(Scratch::Gathered, d.O * width);
  if (gather) tile_rows<true, T>(static_cast<const T*>(y), buffer, t, d);
  return {buffer, width};
}

template <class T>
void forward(const Tensor& out, const Tensor& xt, const Tensor& wt, const ConvGeom& g) {
  const Dims4 d = dims_of(xt, wt, out, g);
  const T* w = static_cast<const T*>(wt.raw_data());
  T* y = static_cast<T*>(out.raw_data());
  if constexpr (std::is_same_v<T, float>)
    if (winograd_pays<T>(d))
      return winograd::conv3x3(static_cast<const T*>(xt.raw_data()), w, false, y,
                               {d.N, d.C, d.H, d.W, d.O, d.OH, d.OW, g.pad[0], g.pad[1]});
  const int64_t G = g.groups, Og = d.Og(), K = d.K(), P = d.P();
  with_columns(d, static_cast<const T*>(xt.raw_data()), [&](const Tile& t, const T* col) {
    const int64_t Pc = (t.r1 - t.r0) * d.OW, width = t.m * Pc;
    if (d.direct()) {
      for (int64_t i = 0; i < t.m; ++i)
        for (int64_t gi = 0; gi < G; ++gi)
          gemm<T>(false, false, Og, Pc, K, w + gi * Og * K, K, col + (i * G + gi) * K * Pc, Pc, T(0),
                  y + ((t.n0 + i) * d.O + gi * Og) * P + t.r0 * d.OW, P);
      return;
    }
    auto [m, ld] = tile_matrix(y, t, d, false);
    for (int64_t gi = 0; gi < G; ++gi)
      gemm<T>(false, false, Og, width, K, w + gi * Og * K, K, col + gi * K * width, width, T(0), m + gi * Og * ld, ld);
    if (t.m > 1) tile_rows<false, T>(y, static_cast<const T*>(m), t, d);
  });
}

template <class T>
void backward_input(const Tensor& dxt, const Tensor& dyt, const Tensor& wt, const ConvGeom& g) {
  const Dims4 d = dims_of(dxt, wt, dyt, g);
  const T* w = static_cast<const T*>(wt.raw_data());
  T* dy = static_cast<T*>(dyt.raw_data());  // only read
  if constexpr (std::is_same_v<T, float>)
    if (winograd_pays<T>(d))  // the convolution of dy by w transposed and flipped, padded by 2 - pad
      return winograd::conv3x3(dy, w, true, static_cast<T*>(dxt.raw_data()),
                               {d.N, d.O, d.OH, d.OW, d.C, d.H, d.W, 2 - g.pad[0], 2 - g.pad[1]});
  const int64_t G = g.groups, Og = d.Og(), K = d.K(), P = d.P();
  into_columns(d, static_cast<T*>(dxt.raw_data()), dxt, [&](const Tile& t, T* col) {
    const int64_t Pc = (t.r1 - t.r0) * d.OW, width = t.m * Pc;
    if (d.direct()) {
      for (int64_t i = 0; i < t.m; ++i)
        for (int64_t gi = 0; gi < G; ++gi)
          gemm<T>(true, false, K, Pc, Og, w + gi * Og * K, K, dy + ((t.n0 + i) * d.O + gi * Og) * P + t.r0 * d.OW, P,
                  T(0), col + (i * G + gi) * K * Pc, Pc);
      return;
    }
    auto [m, ld] = tile_matrix(dy, t, d, true);
    for (int64_t gi = 0; gi < G; ++gi)
      gemm<T>(true, false, K, width, Og, w + gi * Og * K, K, m + gi * Og * ld, ld, T(0), col + gi * K * width, width);
  });
}

template <class T>
void backward_weight(const Tensor& dwt, const Tensor& xt, const Tensor& dyt, const ConvGeom& g) {
  const Dims4 d = dims_of(xt, dwt, dyt, g);
  T* dw = static_cast<T*>(dwt.raw_data());
  T* dy = static_cast<T*>(dyt.raw_data());  // only read
  if constexpr (std::is_same_v<T, float>)
    if (winograd_pays<T>(d) && d.C + d.O <= kWinogradGradChannels)
      return winograd::conv3x3_weight_grad(static_cast<const T*>(xt.raw_data()), dy, dw,
                                           {d.N, d.C, d.H, d.W, d.O, d.OH, d.OW, g.pad[0], g.pad[1]});
  const int64_t G = g.groups, Og = d.Og(), K = d.K(), P = d.P();
  cpu::fill(dwt, 0);
  with_columns(d, static_cast<const T*>(xt.raw_data()), [&](const Tile& t, const T* col) {
    const int64_t Pc = (t.r1 - t.r0) * d.OW, width = t.m * Pc;
    if (d.direct()) {
      for (int64_t i = 0; i < t.m; ++i)
        for (int64_t gi = 0; gi < G; ++gi)
          gemm<T>(false, true, Og, K, Pc, dy + ((t.n0 + i) * d.O + gi * Og) * P + t.r0 * d.OW, P,
                  col + (i * G + gi) * K * Pc, Pc, T(1), dw + gi * Og * K, K);
      return;
    }
    // One gemm per image, reading its rows of dy in place (no gathering into one matrix).
    for (int64_t i = 0; i < t.m; ++i)
      for (int64_t gi = 0; gi < G; ++gi)
        gemm<T>(false, true, Og, K, Pc, dy + ((t.n0 + i) * d.O + gi * Og) * P + t.r0 * d.OW, P,
                col + gi * K * width + i * Pc, width, T(1), dw + gi * Og * K, K);
  });
}

}  // namespace

void unfold(const Tensor& cols, const Tensor& x, int64_t kh, int64_t kw, int64_t oh, int64_t ow, const ConvGeom& g) {
  const auto& xs = x.sizes();
  const Dims4 d{xs[0], xs[1], xs[2], xs[3], 0, kh, kw, oh, ow, g};
  if (cols.numel() == 0) return;
  visit_floating(x.dtype(), "unfold", [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < d.N; ++i)
      walk_tile<true, T>(static_cast<const T*>(x.raw_data()),
                         static_cast<T*>(cols.raw_data()) + i * d.C * d.kk() * d.P(), Tile{i, 1, 0, oh}, d);
  });
}

void fold(const Tensor& x, const Tensor& cols, int64_t kh, int64_t kw, int64_t oh, int64_t ow, const ConvGeom& g) {
  const auto& xs = x.sizes();
  const Dims4 d{xs[0], xs[1], xs[2], xs[3], 0, kh, kw, oh, ow, g};
  cpu::fill(x, 0);
  if (cols.numel() == 0) return;
  visit_floating(x.dtype(), "fold", [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < d.N; ++i)
      walk_tile<false, T>(static_cast<T*>(x.raw_data()),
                          static_cast<const T*>(cols.raw_data()) + i * d.C * d.kk() * d.P(), Tile{i, 1, 0, oh}, d);
  });
}

void conv2d(const Tensor& out, const Tensor& x, const Tensor& w, const ConvGeom& g) {
  if (out.numel() == 0) return;
  if (out.dtype() == DType::Float32) forward<float>(out, x, w, g);
  else if (out.dtype() == DType::Float64) forward<double>(out, x, w, g);
  else forward<int64_t>(out, x, w, g);
}

void conv2d_backward_input(const Tensor& dx, const Tensor& dy, const Tensor& w, const ConvGeom& g) {
  if (dx.numel() == 0) return;
  if (dx.dtype() == DType::Float32) backward_input<float>(dx, dy, w, g);
  else if (dx.dtype() == DType::Float64) backward_input<double>(dx, dy, w, g);
  else backward_input<int64_t>(dx, dy, w, g);  // conv_transpose of integers
}

void conv2d_backward_weight(const Tensor& dw, const Tensor& x, const Tensor& dy, const ConvGeom& g) {
  if (dw.numel() == 0) return;
  if (dw.dtype() == DType::Float32) backward_weight<float>(dw, x, dy, g);
  else backward_weight<double>(dw, x, dy, g);
}

}  // namespace ember::cpu
