// Activation modules: each forwards to its functional form.
#include "ember/nn/activation.h"

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn {

namespace F = functional;

namespace {
std::string inplace_repr(bool inplace) { return inplace ? "inplace=True" : ""; }
}  // namespace

int64_t legacy_softmax_dim(int64_t ndim) { return ndim == 0 || ndim == 1 || ndim == 3 ? 0 : 1; }

Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }
Tensor Tanh::forward(const Tensor& input) { return tanh(input); }

Tensor ReLU::forward(const Tensor& input) {
  if (!inplace) return relu(input);
  Tensor out = input;
  return relu_(out);
}
std::string ReLU::extra_repr() const { return inplace_repr(inplace); }

Tensor LeakyReLU::forward(const Tensor& input) {
  Tensor x = input;
  return inplace ? F::leaky_relu_(x, negative_slope) : F::leaky_relu(input, negative_slope);
}
std::string LeakyReLU::extra_repr() const {
  return "negative_slope=" + repr_float(negative_slope) + (inplace ? ", inplace=True" : "");
}

PReLU::PReLU(int64_t num_parameters, double init) : Module("PReLU"), num_parameters(num_parameters), init(init) {
  EMBER_CHECK(num_parameters >= 1, "PReLU: num_parameters must be at least 1, got ", num_parameters);
  register_parameter("weight", empty({num_parameters}));
  reset_parameters();
}
void PReLU::reset_parameters() {
  autograd::NoGradGuard no_grad;
  Tensor w = weight();
  fill_(w, init);
}
Tensor PReLU::forward(const Tensor& input) { return F::prelu(input, required_parameter("weight")); }
std::string PReLU::extra_repr() const { return "num_parameters=" + std::to_string(num_parameters); }

Tensor ELU::forward(const Tensor& input) {
  Tensor x = input;
  return inplace ? F::elu_(x, alpha) : F::elu(input, alpha);
}
std::string ELU::extra_repr() const { return "alpha=" + repr_float(alpha) + (inplace ? ", inplace=True" : ""); }

GELU::GELU(std::string approximate) : Module("GELU"), approximate(std::move(approximate)) {
  EMBER_CHECK(this->approximate == "none" || this->approximate == "tanh",
              "GELU: approximate must be 'none' or 'tanh', got '", this->approximate, "'");
}
Tensor GELU::forward(const Tensor& input) { return F::gelu(input, approximate); }
std::string GELU::extra_repr() const { return "approximate='" + approximate + "'"; }

Tensor SiLU::forward(const Tensor& input) {
  Tensor x = input;
  return inplace ? F::silu_(x) : F::silu(input);
}
std::string SiLU::extra_repr() const { return inplace_repr(inplace); }

Tensor LogSigmoid::forward(const Tensor& input) { return F::logsigmoid(input); }

Tensor Softplus::forward(const Tensor& input) { return F::softplus(input, beta, threshold); }
std::string Softplus::extra_repr() const {
  return "beta=" + repr_float(beta) + ", threshold=" + repr_float(threshold);
}

Tensor Softmax::forward(const Tensor& input) { return softmax(input, dim.value_or(legacy_softmax_dim(input.dim()))); }
std::string Softmax::extra_repr() const { return "dim=" + (dim ? std::to_string(*dim) : std::string("None")); }

Tensor LogSoftmax::forward(const Tensor& input) {
  return log_softmax(input, dim.value_or(legacy_softmax_dim(input.dim())));
}
std::string LogSoftmax::extra_repr() const { return "dim=" + (dim ? std::to_string(*dim) : std::string("None")); }

Tensor Sign::forward(const Tensor& input) { return straight_through ? F::sign_straight_through(input) : sign(input); }
std::string Sign::extra_repr() const { return straight_through ? "straight_through=True" : ""; }

}  // namespace ember::nn
