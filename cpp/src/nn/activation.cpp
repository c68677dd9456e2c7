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

namespace {
HardtanhOptions with_deprecated_bounds(HardtanhOptions o) {
  if (o.min_value) o.min_val = *o.min_value;
  if (o.max_value) o.max_val = *o.max_value;
  return o;
}
}  // namespace
Hardtanh::Hardtanh(HardtanhOptions options) : Layer("Hardtanh", with_deprecated_bounds(std::move(options))) {}
void HardtanhOptions::cross_checks() const {
  EMBER_CHECK(max_val > min_val, "Hardtanh: max_val (", repr_value(max_val), ") must be greater than min_val (",
              repr_value(min_val), ")");
}
Tensor Hardtanh::forward(const Tensor& input) {
  Tensor x = input;
  return options.inplace ? F::hardtanh_(x, options.min_val, options.max_val)
                         : F::hardtanh(input, options.min_val, options.max_val);
}
// The one-argument activations: f, or f_ in place.
#define EMBER_FORWARD_INPLACE(Name, f)                          \
  Tensor Name::forward(const Tensor& input) {                   \
    Tensor x = input;                                           \
    return options.inplace ? F::f##_(x) : F::f(input);          \
  }
EMBER_FORWARD_INPLACE(ReLU6, relu6)
EMBER_FORWARD_INPLACE(Hardswish, hardswish)
EMBER_FORWARD_INPLACE(Hardsigmoid, hardsigmoid)
EMBER_FORWARD_INPLACE(SELU, selu)
EMBER_FORWARD_INPLACE(Mish, mish)
#undef EMBER_FORWARD_INPLACE
Tensor CELU::forward(const Tensor& input) {
  Tensor x = input;
  return options.inplace ? F::celu_(x, options.alpha) : F::celu(input, options.alpha);
}
Tensor Threshold::forward(const Tensor& input) {
  Tensor x = input;
  return options.inplace ? F::threshold_(x, options.threshold, options.value)
                         : F::threshold(input, options.threshold, options.value);
}
Tensor Softsign::forward(const Tensor& input) { return F::softsign(input); }
Tensor Tanhshrink::forward(const Tensor& input) { return F::tanhshrink(input); }

Tensor Softmax::forward(const Tensor& input) { return softmax(input, options.dim.value_or(legacy_softmax_dim(input.dim()))); }

Tensor LogSoftmax::forward(const Tensor& input) {
  return log_softmax(input, options.dim.value_or(legacy_softmax_dim(input.dim())));
}

Tensor Softmin::forward(const Tensor& input) {
  return softmax(neg(input), options.dim.value_or(legacy_softmax_dim(input.dim())));
}

Tensor GLU::forward(const Tensor& input) { return F::glu(input, options.dim); }
Tensor Hardshrink::forward(const Tensor& input) { return F::hardshrink(input, options.lambd); }
Tensor Softshrink::forward(const Tensor& input) { return F::softshrink(input, options.lambd); }
Tensor Softmax2d::forward(const Tensor& input) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "Softmax2d: expected input to be 3D or 4D, got ", input.dim(),
              "D instead: ", shape_str(input.sizes()));
  return softmax(input, -3);
}
Tensor RReLU::forward(const Tensor& input) {
  Tensor x = input;
  const RReLUOptions& o = options;
  return o.inplace ? F::rrelu_(x, o.lower, o.upper, is_training()) : F::rrelu(input, o.lower, o.upper, is_training());
}

Tensor Sign::forward(const Tensor& input) { return options.straight_through ? F::sign_straight_through(input) : sign(input); }

}  // namespace ember::nn
