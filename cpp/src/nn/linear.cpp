// Linear (and its functional form) and the Perceptron.
#include "ember/nn/linear.h"

#include <cmath>

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {

Tensor functional::linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return ember::linear(x, weight, bias);
}

// ---- Linear ---------------------------------------------------------------------------------

Linear::Linear(LinearOptions options) : Layer("Linear", std::move(options)) {
  const LinearOptions& o = this->options;
  const DType dtype = o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), "Linear: dtype must be floating point, got ", dtype_name(dtype));
  register_parameter("weight", empty({o.out_features, o.in_features}, dtype));
  register_parameter("bias", o.bias ? empty({o.out_features}, dtype) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() {
  // PyTorch's: kaiming_uniform_(a=sqrt(5)) gives +-1/sqrt(fan_in), and the bias the same bound.
  const int64_t in_features = options.in_features;
  const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
  Tensor w = weight(), b = bias();
  init::uniform_(w, -bound, bound);
  if (b.defined()) init::uniform_(b, -bound, bound);
}

Tensor Linear::forward(const Tensor& input) {
  const int64_t in_features = options.in_features, out_features = options.out_features;
  EMBER_CHECK(input.dim() >= 1 && input.sizes().back() == in_features, "Linear(in_features=", in_features,
              ", out_features=", out_features, "): expected input (..., ", in_features, "), got ",
              shape_str(input.sizes()));
  return functional::linear(input, required_parameter("weight"), bias());
}

// ---- Perceptron -----------------------------------------------------------------------------

Perceptron::Perceptron(PerceptronOptions options) : Layer("Perceptron", std::move(options)) {
  const int64_t in_features = this->options.in_features;
  const DType dtype = this->options.dtype.value_or(DType::Float64);
  EMBER_CHECK_TYPE(is_floating(dtype), "Perceptron: dtype must be floating point, got ", dtype_name(dtype));
  register_parameter("weight", zeros({in_features}, dtype), false);
  register_parameter("bias", zeros({}, dtype), false);
}

std::pair<Tensor, Tensor> Perceptron::checked_parameters() const {
  const Tensor& w = required_parameter("weight");
  const Tensor& b = required_parameter("bias");
  EMBER_CHECK(w.sizes() == Shape{options.in_features} && b.numel() == 1, describe(), ": expected weight of shape (",
              options.in_features, ",) and a one-element bias, got ", shape_str(w.sizes()), " and ", shape_str(b.sizes()));
  EMBER_CHECK_TYPE(is_floating(w.dtype()) && is_floating(b.dtype()), describe(),
                   ": weight and bias must be floating point, got ", dtype_name(w.dtype()), " and ",
                   dtype_name(b.dtype()));
  return {w, b};
}

Tensor Perceptron::decision_function(const Tensor& x) {
  EMBER_CHECK((x.dim() == 1 || x.dim() == 2) && x.sizes().back() == options.in_features, describe(),
              ": expected input (N, ", options.in_features, ") or (", options.in_features, ",), got ", shape_str(x.sizes()));
  auto [w, b] = checked_parameters();
  // Any input dtype, as fit takes: the data meets the model in the model's dtype.
  return add(matmul(to_dtype(x, w.dtype()), w), reshape(b, {}));
}

Tensor Perceptron::forward(const Tensor& x) {
  Tensor z = decision_function(x);
  return where(ge(z, scalar_tensor(0.0)), scalar_tensor(1.0, z.dtype()), scalar_tensor(-1.0, z.dtype()));
}

Perceptron::FitResult Perceptron::fit(const Tensor& x, const Tensor& y, double lr, int64_t max_epochs) {
  EMBER_CHECK(x.dim() == 2 && x.sizes()[1] == options.in_features, describe(), ".fit: expected x of shape (N, ", options.in_features,
              "), got ", shape_str(x.sizes()));
  const int64_t n = x.sizes()[0];
  EMBER_CHECK(y.dim() == 1 && y.sizes()[0] == n, describe(), ".fit: expected y of shape (", n, ",), got ",
              shape_str(y.sizes()));
  EMBER_CHECK(lr > 0 && std::isfinite(lr), describe(), ".fit: lr must be positive, got ", lr);
  EMBER_CHECK(max_epochs >= 1, describe(), ".fit: max_epochs must be at least 1, got ", max_epochs);
  autograd::NoGradGuard no_grad;
  Tensor xs = contiguous(to_dtype(x, DType::Float64));
  Tensor ys = contiguous(to_dtype(y, DType::Float64));
  const double* xd = xs.data<double>();
  std::vector<double> labels(ys.data<double>(), ys.data<double>() + n);
  for (int64_t i = 0; i < n * options.in_features; ++i)
    EMBER_CHECK(std::isfinite(xd[i]), describe(), ".fit: x holds a non-finite value");
  bool zero_one = true;
  for (double l : labels) {
    EMBER_CHECK(l == -1 || l == 0 || l == 1, describe(), ".fit: labels must be -1/+1 (or 0/1), got ", l);
    zero_one = zero_one && l != -1;
  }
  if (zero_one)
    for (double& l : labels) l = 2 * l - 1;

  auto [weight, bias] = checked_parameters();
  Tensor w64 = contiguous(to_dtype(weight, DType::Float64, true));
  double* w = w64.data<double>();
  double b = to_dtype(bias, DType::Float64).item<double>();
  FitResult result;
  while (result.epochs < max_epochs && !result.converged) {
    int64_t mistakes = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double* xi = xd + i * options.in_features;
      double z = b;
      for (int64_t j = 0; j < options.in_features; ++j) z += w[j] * xi[j];
      if (labels[i] * z > 0) continue;
      ++mistakes;
      for (int64_t j = 0; j < options.in_features; ++j) w[j] += lr * labels[i] * xi[j];
      b += lr * labels[i];
    }
    ++result.epochs;
    result.mistakes.push_back(mistakes);
    result.converged = mistakes == 0;
  }
  copy_(weight, w64);
  fill_(bias, b);
  return result;
}


}  // namespace ember::nn
