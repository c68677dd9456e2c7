#pragma once
// pdist's kernels (cpu/distance.cpp): the p-norm distances between the rows of one matrix, and
// their gradient, for float32/float64. ops/join.cpp checks the input and records the node.
#include "ember/tensor.h"

namespace ember::cpu {

/// out (n (n - 1) / 2) = ||x_i - x_j||_p for the pairs i < j in row-major order; x (n, d) contiguous.
void pdist_forward(const Tensor& x, double p, const Tensor& out);

/// dx (n, d) = the gradient of pdist_forward's out given its gradient g: each row gathers the terms
/// of its own pairs, so rows run in parallel without shared writes. PyTorch's formulas, a zero
/// distance giving a zero gradient.
void pdist_backward(const Tensor& g, const Tensor& x, double p, const Tensor& dist, const Tensor& dx);

}  // namespace ember::cpu
