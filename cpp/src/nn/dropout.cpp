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

Tensor functional::feature_dropout(const Tensor& x, double p, bool training, Generator* gen, const char* op) {
  // torch's order: what draws no mask takes any input.
  check_probability(p, op);
  if (!training || p == 0 || x.numel() == 0) return x;
  if (p == 1) return mul(x, zeros({}, x.dtype()));  // x's dtype kept, as torch's
  EMBER_CHECK(x.dim() >= 2, op, ": expected an input of at least 2 dims (N, C, ...), got ", shape_str(x.sizes()));
  EMBER_CHECK_TYPE(is_floating(x.dtype()), op, ": expected a floating input, got ", dtype_name(x.dtype()));
  Shape mask_shape(static_cast<size_t>(x.dim()), 1);  // one draw per (sample, channel)
  mask_shape[0] = x.sizes()[0];
  mask_shape[1] = x.sizes()[1];
  Tensor keep = Tensor::empty(mask_shape, x.dtype(), x.device());
  bernoulli_(keep, 1 - p, gen);
  return mul(x, mul(keep, scalar_tensor(1 / (1 - p))));
}

Tensor functional::dropout1d(const Tensor& x, double p, bool training, Generator* gen) {
  check_probability(p, "dropout1d");
  EMBER_CHECK(x.dim() == 2 || x.dim() == 3, "dropout1d: Expected 2D or 3D input, but received a ", x.dim(),
              "D input ", shape_str(x.sizes()), ". Note that dropout1d exists to provide channel-wise dropout on "
              "inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
              "inputs).");
  if (x.dim() == 3) return feature_dropout(x, p, training, gen, "dropout1d");
  return squeeze(feature_dropout(unsqueeze(x, 0), p, training, gen, "dropout1d"), Dims{0});
}

Tensor functional::dropout2d(const Tensor& x, double p, bool training, Generator* gen) {
  return feature_dropout(x, p, training, gen, "dropout2d");
}

Tensor functional::dropout3d(const Tensor& x, double p, bool training, Generator* gen) {
  // As torch's: only a 5-d input is batched; any other is one sample (its dim 0 the channels).
  check_probability(p, "dropout3d");
  if (x.dim() == 5) return feature_dropout(x, p, training, gen, "dropout3d");
  return squeeze(feature_dropout(unsqueeze(x, 0), p, training, gen, "dropout3d"), Dims{0});
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

namespace {
/// inplace=True: the result written into the input, as Dropout's.
Tensor maybe_inplace(const Tensor& input, const Tensor& out, bool inplace) {
  if (!inplace || out.is_same(input)) return out;
  Tensor target = input;
  return copy_(target, out);
}
}  // namespace

Tensor Dropout1d::forward(const Tensor& input) {
  return maybe_inplace(input, functional::dropout1d(input, options.p, is_training()), options.inplace);
}
Tensor Dropout2d::forward(const Tensor& input) {
  return maybe_inplace(input, functional::dropout2d(input, options.p, is_training()), options.inplace);
}
Tensor Dropout3d::forward(const Tensor& input) {
  return maybe_inplace(input, functional::dropout3d(input, options.p, is_training()), options.inplace);
}

Tensor GaussianNoise::forward(const Tensor& input) { return functional::gaussian_noise(input, options.std, is_training()); }

}  // namespace ember::nn
