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

// ---- Bilinear -------------------------------------------------------------------------------

// A composite of two matmuls: x1 (n, in1) @ A as (in1, out * in2), then each row's (out, in2)
// block times x2's row.
Tensor functional::bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(weight.dim() == 3, "bilinear: weight must be 3-D (out_features, in1_features, in2_features), got ",
              shape_str(weight.sizes()));
  EMBER_CHECK(x1.dim() >= 1 && x1.dim() == x2.dim(), "bilinear: input dimensions do not match: input1 ",
              shape_str(x1.sizes()), ", input2 ", shape_str(x2.sizes()));
  for (int64_t d = 0; d + 1 < x1.dim(); ++d)
    EMBER_CHECK(x1.sizes()[d] == x2.sizes()[d], "bilinear: input batch dimensions do not match at dim ", d,
                ": input1 ", shape_str(x1.sizes()), ", input2 ", shape_str(x2.sizes()));
  const int64_t out = weight.sizes()[0], in1 = weight.sizes()[1], in2 = weight.sizes()[2];
  EMBER_CHECK(x1.sizes().back() == in1, "bilinear: input1 ", shape_str(x1.sizes()), " does not match weight ",
              shape_str(weight.sizes()), " (expected ", in1, " features)");
  EMBER_CHECK(x2.sizes().back() == in2, "bilinear: input2 ", shape_str(x2.sizes()), " does not match weight ",
              shape_str(weight.sizes()), " (expected ", in2, " features)");
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.sizes()[0] == out), "bilinear: bias ",
              shape_str(bias.defined() ? bias.sizes() : Shape{}), " does not match weight ", shape_str(weight.sizes()),
              " (expected (", out, ",))");
  const DType dtype = x1.dtype();
  EMBER_CHECK_TYPE(x2.dtype() == dtype && weight.dtype() == dtype && (!bias.defined() || bias.dtype() == dtype),
                   "bilinear: all tensors must have the same dtype, got input1 ", dtype_name(dtype), ", input2 ",
                   dtype_name(x2.dtype()), ", weight ", dtype_name(weight.dtype()));
  EMBER_CHECK_TYPE(is_floating(dtype), "bilinear: expected floating tensors, got ", dtype_name(dtype));
  Shape lead(x1.sizes().begin(), x1.sizes().end() - 1);
  int64_t rows = 1;
  for (int64_t s : lead) rows *= s;
  const Tensor a = reshape(x1, {rows, in1}), b = reshape(x2, {rows, in2, 1});
  const Tensor w = reshape(permute(weight, {1, 0, 2}), {in1, out * in2});
  Tensor y = reshape(matmul(reshape(matmul(a, w), {rows, out, in2}), b), {rows, out});
  if (bias.defined()) y = add(y, bias);
  lead.push_back(out);
  return reshape(y, lead);
}

Bilinear::Bilinear(BilinearOptions options) : Layer("Bilinear", std::move(options)) {
  const BilinearOptions& o = this->options;
  const DType dtype = o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), "Bilinear: dtype must be floating point, got ", dtype_name(dtype));
  register_parameter("weight", empty({o.out_features, o.in1_features, o.in2_features}, dtype));
  register_parameter("bias", o.bias ? empty({o.out_features}, dtype) : Tensor());
  reset_parameters();
}

void Bilinear::reset_parameters() {
  // PyTorch's: weight and bias uniform in +-1/sqrt(in1_features)
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.in1_features));
  Tensor w = weight(), b = bias();
  init::uniform_(w, -bound, bound);
  if (b.defined()) init::uniform_(b, -bound, bound);
}

Tensor Bilinear::forward(const Tensor&) {
  throw TypeError("Bilinear.forward: takes two tensors, input1 and input2");
}

Tensor Bilinear::forward(const Tensor& input1, const Tensor& input2) {
  const BilinearOptions& o = options;
  EMBER_CHECK(input1.dim() >= 1 && input1.sizes().back() == o.in1_features && input2.dim() >= 1 &&
                  input2.sizes().back() == o.in2_features,
              describe(), ": expected input1 (..., ", o.in1_features, ") and input2 (..., ", o.in2_features, "), got ",
              shape_str(input1.sizes()), " and ", shape_str(input2.sizes()));
  return functional::bilinear(input1, input2, required_parameter("weight"), bias());
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
  const Tensor w = required_parameter("weight");
  const Tensor b = required_parameter("bias");
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
