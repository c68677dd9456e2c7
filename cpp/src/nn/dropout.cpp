// Dropout and GaussianNoise, and their functional forms.
#include "ember/nn/dropout.h"

#include <cmath>

#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {
void check_probability(double p, const char* op) {
  EMBER_CHECK(p >= 0 && p <= 1, op, ": dropout probability has to be between 0 and 1, but got ", p);
}
void check_std(double std, const char* op) {
  EMBER_CHECK(std >= 0 && std::isfinite(std), op, ": std must be a non-negative number, got ", std);
}
}  // namespace

Tensor functional::dropout(const Tensor& x, double p, bool training, Generator* gen) {
  check_probability(p, "dropout");
  if (!training || p == 0) return x;
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "dropout: expected a floating input, got ", dtype_name(x.dtype()));
  if (p == 1) return mul(x, scalar_tensor(0.0));
  Tensor keep = Tensor::empty(x.sizes(), x.dtype(), x.device());
  bernoulli_(keep, 1 - p, gen);
  return mul(x, mul(keep, scalar_tensor(1 / (1 - p))));
}

Tensor functional::gaussian_noise(const Tensor& x, double std, bool training, Generator* gen) {
  check_std(std, "gaussian_noise");
  if (!training || std == 0) return x;
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "gaussian_noise: expected a floating input, got ", dtype_name(x.dtype()));
  Tensor noise = Tensor::empty(x.sizes(), x.dtype(), x.device());
  normal_(noise, 0, std, gen);
  return add(x, noise);
}

Tensor Dropout::forward(const Tensor& input) {
  Tensor out = functional::dropout(input, options.p, is_training());
  if (!options.inplace || out.is_same(input)) return out;
  Tensor target = input;
  return copy_(target, out);
}

Tensor GaussianNoise::forward(const Tensor& input) { return functional::gaussian_noise(input, options.std, is_training()); }

}  // namespace ember::nn
