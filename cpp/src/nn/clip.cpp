// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
#include "ember/nn/clip.h"

#include <cmath>

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/ops.h"

namespace ember::nn::utils {

namespace {
std::vector<Tensor> grads_of(const std::vector<Tensor>& params) {
  std::vector<Tensor> out;
  for (const Tensor& p : params) {
    EMBER_CHECK_TYPE(p.defined(), "clip_grad: a parameter is None");
    Tensor g = autograd::grad(p);
    if (g.defined()) out.push_back(g);
  }
  return out;
}
}  // namespace

Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type, bool error_if_nonfinite) {
  EMBER_CHECK(!std::isnan(norm_type), "get_total_norm: norm_type is NaN");
  autograd::NoGradGuard no_grad;
  if (tensors.empty()) return scalar_tensor(0.0, DType::Float32);
  // The norm of the per-tensor norms (in the widest dtype among them), as PyTorch's.
  DType wide = DType::Float32;
  for (const Tensor& t : tensors) {
    EMBER_CHECK_TYPE(t.defined(), "get_total_norm: a tensor is None");
    if (t.dtype() == DType::Float64) wide = DType::Float64;
  }
  std::vector<Tensor> norms;
  for (const Tensor& t : tensors) norms.push_back(to_dtype(norm(t, norm_type), wide));
  Tensor total = norm(stack(norms), norm_type);
  if (error_if_nonfinite) {
    const double v = to_dtype(total, DType::Float64).item<double>();
    EMBER_CHECK_RUNTIME(std::isfinite(v), "The total norm of order ", norm_type, " for gradients from `parameters` is "
                        "non-finite, so it cannot be clipped. To disable this error and scale the gradients by the "
                        "non-finite norm anyway, set `error_if_nonfinite=False`");
  }
  return total;
}

void clip_grads_with_norm_(const std::vector<Tensor>& params, double max_norm, const Tensor& total_norm) {
  autograd::NoGradGuard no_grad;
  std::vector<Tensor> grads = grads_of(params);
  if (grads.empty()) return;
  // Always multiplied (by at most 1), so gradients under the limit stay bit for bit.
  const DType dt = total_norm.dtype();
  Tensor coef = clamp(div(scalar_tensor(max_norm, dt), add(total_norm, scalar_tensor(1e-6, dt))), std::nullopt,
                      scalar_tensor(1.0, dt));
  for (Tensor& g : grads) mul_(g, coef);
}

Tensor clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  EMBER_CHECK(!std::isnan(norm_type), "clip_grad_norm_: norm_type is NaN");
  const Tensor total = get_total_norm(grads_of(params), norm_type, error_if_nonfinite);
  clip_grads_with_norm_(params, max_norm, total);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  EMBER_CHECK(!std::isnan(clip_value), "clip_grad_value_: clip_value is NaN");
  autograd::NoGradGuard no_grad;
  for (Tensor& g : grads_of(params)) {
    clamp_(g, scalar_tensor(-clip_value, g.dtype()), scalar_tensor(clip_value, g.dtype()));
  }
}

}  // namespace ember::nn::utils
