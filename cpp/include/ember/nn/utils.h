#pragma once
// Regularization helpers over parameters and activations, and the max-norm constraint.
#include <vector>

#include "ember/tensor.h"

namespace ember::nn::utils {

/// weight * sum over the tensors of sum(|p|) (a differentiable 0-d tensor to add to the loss).
EMBER_API Tensor l1_penalty(const std::vector<Tensor>& params, double weight = 1.0);
/// weight * sum over the tensors of sum(p^2) (no factor 1/2: SGD's weight_decay=wd equals
/// l2_penalty with weight wd / 2).
EMBER_API Tensor l2_penalty(const std::vector<Tensor>& params, double weight = 1.0);
/// l1 * sum(|p|) + l2 * sum(p^2).
EMBER_API Tensor elastic_net_penalty(const std::vector<Tensor>& params, double l1 = 0.0, double l2 = 0.0);
/// Activity regularization of an activation: l1 * sum(|x|) + l2 * sum(x^2) (averaged over the
/// batch dim 0 when batch_mean).
EMBER_API Tensor activity_penalty(const Tensor& activation, double l1 = 0.0, double l2 = 0.0, bool batch_mean = true);
/// In place, without history: every slice of each tensor along `dim` (a Linear weight's rows for
/// dim 0: one unit's incoming weights) whose p-norm exceeds max_norm is scaled down to it.
EMBER_API void max_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0, int64_t dim = 0);

}  // namespace ember::nn::utils
