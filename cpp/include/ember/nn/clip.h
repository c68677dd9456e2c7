#pragma once
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (Python finds them
// in ember.nn.utils).
#include <vector>

#include "ember/tensor.h"

namespace ember::nn::utils {

/// Scales the gradients of params in place so that their norm_type norm, taken over all of them
/// together, is at most max_norm; returns that norm before clipping (a 0-d tensor). Parameters
/// without a gradient are skipped. error_if_nonfinite: RuntimeError when the norm is NaN or inf.
EMBER_API Tensor clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                                 bool error_if_nonfinite = false);
/// The norm_type norm of the tensors taken together (the norm of their norms, in the widest dtype
/// among them; 0 for none). error_if_nonfinite: RuntimeError when it is NaN or inf.
EMBER_API Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type = 2.0,
                                bool error_if_nonfinite = false);
/// Scales the gradients of params in place by min(1, max_norm / (total_norm + 1e-6)): the second
/// half of clip_grad_norm_, for a total norm computed elsewhere (over several groups, say).
EMBER_API void clip_grads_with_norm_(const std::vector<Tensor>& params, double max_norm, const Tensor& total_norm);
/// Clamps every gradient element of params into [-clip_value, clip_value], in place.
EMBER_API void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace ember::nn::utils
