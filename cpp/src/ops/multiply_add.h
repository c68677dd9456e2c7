#pragma once
// One rounding for a * b + c, where PyTorch's kernels fuse (add with alpha, addcmul, lerp, cross).
#include "ember/tensor.h"

namespace ember {

/// a * b + c rounded once, computed in widened(dt) (float32 for the 16-bit floats) and cast to dt
/// (floating), broadcast. No history: the caller records its op's node.
Tensor multiply_add(const Tensor& a, const Tensor& b, const Tensor& c, DType dt);

}  // namespace ember
