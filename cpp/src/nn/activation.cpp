// Activation modules: each forwards to its functional form.
#include "ember/nn/activation.h"

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn {

namespace F = functional;

int64_t legacy_softmax_dim(int64_t ndim) { return ndim == 0 || ndim == 1 || ndim == 3 ? 0 : 1; }

Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }
Tensor Tanh::forward(const Tensor& input) { return tanh(input); }

Tensor ReLU::forward(const Tensor& input) {
  if (!options.inplace) return relu(input);
  Tensor out = input;
  return relu_(out);
}

Tensor LeakyReLU::forward(const Tensor& input) {
  Tensor x = input;
  const double slope = options.negative_slope;
  return options.inplace ? F::leaky_relu_(x, slope) : F::leaky_relu(input, slope);
}

PReLU::PReLU(PReLUOptions options) : Layer("PReLU", std::move(options)) {
  const DType dtype = this->options.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), "PReLU: dtype must be floating point, got ", dtype_name(dtype));
  register_parameter("weight", empty({this->options.num_parameters}, dtype));
  reset_parameters();
}
void PReLU::reset_parameters() {
  autograd::NoGradGuard no_grad;
  Tensor w = weight();
  fill_(w, options.init);
}
Tensor PReLU::forward(const Tensor& input) { return F::prelu(input, required_parameter("weight")); }

Tensor ELU::forward(const Tensor& input) {
  Tensor x = input;
  return options.inplace ? F::elu_(x, options.alpha) : F::elu(input, options.alpha);
}

Tensor GELU::forward(const Tensor& input) { return F::gelu(input, options.approximate); }

Tensor SiLU::forward(const Tensor& input) {
  Tensor x = input;
  return options.inplace ? F::silu_(x) : F::silu(input);
}

Tensor LogSigmoid::forward(const Tensor& input) { return F::logsigmoid(input); }

Tensor Softplus::forward(const Tensor& input) { return F::softplus(input, options.beta, options.threshold); }

Tensor Softmax::forward(const Tensor& input) { return softmax(input, options.dim.value_or(legacy_softmax_dim(input.dim()))); }

Tensor LogSoftmax::forward(const Tensor& input) {
  return log_softmax(input, options.dim.value_or(legacy_softmax_dim(input.dim())));
}

Tensor Sign::forward(const Tensor& input) { return options.straight_through ? F::sign_straight_through(input) : sign(input); }

}  // namespace ember::nn
