#pragma once
// How ops run the narrow dtypes (uint8, int8, int16, int32, float16, bfloat16) on kernels that
// exist only for the widened ones (int64, float32): see widened() in dtype.h.
#include "ember/ops.h"
#include "kernels.h"

namespace ember {

/// An input as a kernel reads it: cast to the op's compute dtype ct (so a narrow ct rounds or
/// wraps it as PyTorch's would), then to widened(ct).
inline Tensor kernel_input(const Tensor& t, DType ct) { return to_dtype(to_dtype(t, ct), widened(ct)); }

/// Where a kernel writes a result meant for out: out itself, or a widened temporary when out's
/// dtype is a narrow one; finish_output casts it into out.
inline Tensor kernel_output(const Tensor& out) {
  const DType wide = widened(out.dtype());
  return wide == out.dtype() ? out : Tensor::empty(out.sizes(), wide, out.device());
}
inline void finish_output(const Tensor& out, const Tensor& result) {
  // Through call_kernel, so that a graph capture records it (a direct call reads on the host).
  if (!result.is_same(out)) call_kernel(out.device(), "to", cpu::copy, out, result);
}

/// f(x) computed on x widened (16-bit floats in float32) and cast back to x's dtype: composites
/// round once, as PyTorch's kernels, and gradients flow through the casts.
template <class F>
Tensor via_widened(const Tensor& x, F&& f) {
  return to_dtype(f(to_dtype(x, widened(x.dtype()))), x.dtype());
}

}  // namespace ember
