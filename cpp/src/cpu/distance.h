#pragma once
// pdist's and cdist's kernels (cpu/distance.cpp): the p-norm distances between the rows of one
// matrix, or between those of two, and their gradients, for float32/float64. ops/join.cpp checks
// the inputs and records the nodes.
#include "ember/tensor.h"

namespace ember::cpu {

/// out (n (n - 1) / 2) = ||x_i - x_j||_p for the pairs i < j in row-major order; x (n, d) contiguous.
void pdist_forward(const Tensor& x, double p, const Tensor& out);

/// dx (n, d) = the gradient of pdist_forward's out given its gradient g: each row gathers the terms
/// of its own pairs, so rows run in parallel without shared writes. PyTorch's formulas, a zero
/// distance giving a zero gradient.
void pdist_backward(const Tensor& g, const Tensor& x, double p, const Tensor& dist, const Tensor& dx);

/// out (B, P, R) = ||x1_bi - x2_bj||_p; x1 (B, P, M) and x2 (B, R, M) contiguous, of one dtype.
void cdist_forward(const Tensor& x1, const Tensor& x2, double p, const Tensor& out);

/// dx1 (B, P, M) and dx2 (B, R, M) (either may be undefined) = the gradients of cdist_forward's out
/// given its gradient g (B, P, R): each row of x1 gathers its terms over x2's rows and the reverse,
/// so rows run in parallel without shared writes.
void cdist_backward(const Tensor& g, const Tensor& x1, const Tensor& x2, double p, const Tensor& dist,
                    const Tensor& dx1, const Tensor& dx2);

}  // namespace ember::cpu
