#pragma once
// Activations, as torch.nn.functional: composites of ember ops (their gradients come from the
// ops), written so that no branch where() drops can overflow into a NaN gradient.
#include <string>

#include "ember/tensor.h"

namespace ember::nn::functional {

/// max(x, 0).
EMBER_API Tensor relu(const Tensor& x);
/// x for x > 0, negative_slope * x otherwise.
EMBER_API Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
/// x for x > 0, weight * x otherwise; weight has 1 element or one per channel (dim 1).
EMBER_API Tensor prelu(const Tensor& x, const Tensor& weight);
/// x for x > 0, alpha * (e^x - 1) otherwise.
EMBER_API Tensor elu(const Tensor& x, double alpha = 1);
/// x * Phi(x) ("none", with erf) or its tanh approximation ("tanh").
EMBER_API Tensor gelu(const Tensor& x, const std::string& approximate = "none");
/// x * sigmoid(x).
EMBER_API Tensor silu(const Tensor& x);
/// log(1 + e^(beta x)) / beta, and x itself where beta x > threshold.
EMBER_API Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);
/// log(sigmoid(x)), computed stably (no exponent above 0).
EMBER_API Tensor logsigmoid(const Tensor& x);

}  // namespace ember::nn::functional
