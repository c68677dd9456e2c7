#pragma once
// Winograd F(2x2, 3x3) convolutions in float32 (cpu/winograd.cpp), for CPUs with AVX2+FMA or
// AVX-512 (available()): cpu/conv.cpp routes 3x3 convolutions with stride 1, dilation 1 and one
// group here, forward, input gradient and weight gradient. cpu/dispatch.cpp picks the copy built
// for this CPU.
#include <cstdint>

namespace ember::cpu::winograd {

/// One convolution's sizes: x (N, C, H, W) -> y (N, O, OH, OW), the window's top-left at
/// (2 * tile_row - pad_h, 2 * tile_col - pad_w); pads may be negative (windows start inside).
struct Shape {
  int64_t N, C, H, W, O, OH, OW, pad_h, pad_w;
};

/// Whether this CPU runs the kernels below: it has AVX2 with FMA, or AVX-512.
bool available();

/// y = conv(x, w). w is (O, C, 3, 3); or, when `transposed`, a transposed convolution's weight
/// (C, O, 3, 3), which the convolution applies flipped: then y is the input gradient of the
/// convolution by w, given x as its output gradient (padded by 2 - pad).
void conv3x3(const float* x, const float* w, bool transposed, float* y, const Shape& s);

/// dw (O, C, 3, 3) = the weight gradient of y = conv(x, w), given dy: the adjoint of the same
/// formula, dU[k] = dM[k] V[k]^T summed over the tiles (dM = A dy A^T), then dw = G^T dU G.
void conv3x3_weight_grad(const float* x, const float* dy, float* dw, const Shape& s);

}  // namespace ember::cpu::winograd
