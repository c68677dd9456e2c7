// Activations as composites. Where a where() picks between branches, the branch it drops is
// clamped first: its gradient is multiplied by 0, and 0 * inf would be NaN.
#include "ember/nn/functional.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "autograd/record.h"
#include "ember/autograd.h"
#include "ember/ops.h"
#include "ops/widen.h"

namespace ember::nn::functional {

namespace {
void check_floating(const Tensor& x, const char* op) {
  EMBER_CHECK_TYPE(is_floating(x.dtype()), op, ": expected a floating tensor, got ", dtype_name(x.dtype()));
}
Tensor number(double v) { return scalar_tensor(v); }
/// A number argument as PyTorch's kernels read it, in x's compute type (float32 for the 16-bit
/// floats): one that does not fit is an error, as torch's.
void check_arg(double v, const Tensor& x, const char* op) {
  check_fits(Scalar(v), is_floating(x.dtype()) ? widened(x.dtype()) : x.dtype(), op);
}
}  // namespace

Tensor relu(const Tensor& x) { return ember::relu(x); }

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  check_floating(x, "leaky_relu");
  check_arg(negative_slope, x, "leaky_relu");
  return autograd::name_grad_fn(where(x > 0, x, mul(x, number(negative_slope))), "leaky_relu");
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  check_floating(x, "prelu");
  EMBER_CHECK_TYPE(weight.dtype() == x.dtype(), "prelu: expected input and weight to have the same dtype, but got ",
                   dtype_name(x.dtype()), " and ", dtype_name(weight.dtype()));  // as torch: no promotion
  EMBER_CHECK(weight.dim() <= 1, "prelu: expected weight to be a scalar or 1-D tensor, got ", shape_str(weight.sizes()));
  const int64_t channels = x.dim() >= 2 ? x.sizes()[1] : 1;
  EMBER_CHECK(weight.numel() == 1 || weight.numel() == channels, "prelu: mismatch of parameter numbers and input "
              "channel size: weight has ", weight.numel(), " elements, input of shape ", shape_str(x.sizes()), " has ",
              channels, " channels");
  Tensor w = weight;
  if (weight.numel() != 1 || x.dim() >= 2) {  // one slope per channel, broadcast along dim 1
    Shape shape(static_cast<size_t>(std::max<int64_t>(x.dim() - 1, 0)), 1);
    if (!shape.empty()) shape[0] = weight.numel();
    w = reshape(weight, shape);
  } else {
    w = reshape(weight, {});
  }
  return where(x > 0, x, mul(w, x));
}

Tensor elu(const Tensor& x, double alpha) {
  check_floating(x, "elu");
  check_arg(alpha, x, "elu");
  if (is_narrow(x.dtype())) return autograd::name_grad_fn(via_widened(x, [&](const Tensor& w) { return elu(w, alpha); }), "elu");
  // x < 0 takes alpha * (e^x - 1): ±0 stay themselves whatever alpha (inf too), as torch's. The
  // gradient is PyTorch's formula, alpha * e^x for x <= 0 (alpha at 0), 1 above: one node.
  Tensor out;
  {
    autograd::NoGradGuard no_grad;
    out = where(x < 0, mul(expm1(x), number(alpha)), x);
  }
  if (autograd::any_requires_grad({&x}))
    autograd::record("EluBackward0", {out}, {x}, {x}, [alpha](const Tensors& g, const Tensors& s) {
      const Tensor& x = s[0];
      const Tensor slope = mul(exp(clamp(x, std::nullopt, number(0.0))), number(alpha));
      return Tensors{mul(g[0], where(x > 0, number(1.0), slope))};
    });
  return out;
}

Tensor gelu(const Tensor& x, const std::string& approximate) {
  check_floating(x, "gelu");
  if (is_narrow(x.dtype()))
    return autograd::name_grad_fn(via_widened(x, [&](const Tensor& w) { return gelu(w, approximate); }), "gelu");
  if (approximate == "none") return autograd::name_grad_fn(_gelu(x), "gelu");  // one kernel each way
  EMBER_CHECK(approximate == "tanh", "gelu: approximate must be 'none' or 'tanh', got '", approximate, "'");
  const double k = std::sqrt(2.0 / M_PI);
  Tensor inner = mul(number(k), add(x, mul(number(0.044715), mul(mul(x, x), x))));
  return autograd::name_grad_fn(mul(mul(x, number(0.5)), add(number(1.0), tanh(inner))), "gelu");
}

Tensor silu(const Tensor& x) {
  check_floating(x, "silu");
  return autograd::name_grad_fn(_silu(x), "silu");  // one kernel each way, float16/bfloat16 computed in float32
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  check_floating(x, "softplus");
  check_arg(beta, x, "softplus");
  check_arg(threshold, x, "softplus");
  if (is_narrow(x.dtype()))
    return autograd::name_grad_fn(via_widened(x, [&](const Tensor& w) { return softplus(w, beta, threshold); }), "softplus");
  Tensor bx = mul(x, number(beta));
  // A NaN threshold is never exceeded: every element takes the smooth branch, as torch's.
  const Tensor clamped = std::isnan(threshold) ? bx : clamp(bx, std::nullopt, number(threshold));
  Tensor smooth = div(log1p(exp(clamped)), number(beta));
  return autograd::name_grad_fn(where(bx > threshold, x, smooth), "softplus");
}

// min_val > max_val clamps everything to max_val, as torch's hardtanh_ (F.hardtanh refuses it, in Python as torch's).
Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  EMBER_CHECK_TYPE(x.dtype() != DType::Bool, "hardtanh: expected a numeric tensor, got bool");
  // checked on the bounds truncated to integers, as torch's (-0.1 is 0 for uint8)
  EMBER_CHECK_RUNTIME(x.dtype() != DType::UInt8 || (std::trunc(min_val) >= 0 && std::trunc(max_val) >= 0),
                      "hardtanh: cannot do hardtanh on an unsigned type with negative limits (min_val ", min_val,
                      ", max_val ", max_val, ")");
  for (double bound : {min_val, max_val})  // torch's kernel reads them in x's dtype (truncated for integers)
    check_fits(Scalar(is_floating(x.dtype()) ? bound : std::trunc(bound)), x.dtype(), "hardtanh");
  // The clamped value carries no gradient: PyTorch's is 0 at the bounds too (clamp's is 1 there).
  Tensor clamped;
  {
    autograd::NoGradGuard no_grad;
    clamped = to_dtype(clamp(x, number(min_val), number(max_val)), x.dtype());
  }
  return autograd::name_grad_fn(where(logical_and(x > min_val, x < max_val), x, clamped), "hardtanh");
}
Tensor relu6(const Tensor& x) { return autograd::name_grad_fn(hardtanh(x, 0, 6), "relu6"); }
Tensor hardsigmoid(const Tensor& x) {
  check_floating(x, "hardsigmoid");
  if (is_narrow(x.dtype()))
    return autograd::name_grad_fn(via_widened(x, [](const Tensor& w) { return hardsigmoid(w); }), "hardsigmoid");
  return autograd::name_grad_fn(div(hardtanh(add(x, number(3.0)), 0, 6), number(6.0)), "hardsigmoid");
}
Tensor hardswish(const Tensor& x) {
  check_floating(x, "hardswish");
  if (is_narrow(x.dtype()))
    return autograd::name_grad_fn(via_widened(x, [](const Tensor& w) { return hardswish(w); }), "hardswish");
  // (x * relu6(x + 3)) / 6 in that order: x * 6 overflows near the top of the range, as torch's.
  return autograd::name_grad_fn(div(mul(x, hardtanh(add(x, number(3.0)), 0, 6)), number(6.0)), "hardswish");
}
Tensor selu(const Tensor& x) {
  check_floating(x, "selu");
  return autograd::name_grad_fn(mul(elu(x, 1.6732632423543772848170429916717), number(1.0507009873554804934193349852946)),
                                "selu");
}
Tensor celu(const Tensor& x, double alpha) {
  check_floating(x, "celu");
  EMBER_CHECK(alpha != 0, "celu: ZeroDivisionError: alpha cannot be 0 for CELU");
  check_arg(alpha, x, "celu");
  check_arg(1.0 / alpha, x, "celu");  // torch's elu takes it as input_scale (alpha = 1e-300 overflows float32)
  if (is_narrow(x.dtype()))
    return autograd::name_grad_fn(via_widened(x, [&](const Tensor& w) { return celu(w, alpha); }), "celu");
  const Tensor negative = mul(expm1(div(clamp(x, std::nullopt, number(0.0)), number(alpha))), number(alpha));
  return autograd::name_grad_fn(where(x < 0, negative, x), "celu");  // ±0 stay themselves, as elu's
}
Tensor mish(const Tensor& x) {
  check_floating(x, "mish");
  return autograd::name_grad_fn(_mish(x), "mish");  // one kernel each way, float16/bfloat16 computed in float32
}
// softsign and tanhshrink of integers are floats, as torch's (its Python composites divide and subtract).
// softsign adds an integer 1: |x| + 1 of an integer x wraps in x's dtype (127 + 1 in int8), as torch's.
Tensor softsign(const Tensor& x) {
  return autograd::name_grad_fn(div(x, add(abs(x), scalar_tensor(1))), "softsign");
}
Tensor tanhshrink(const Tensor& x) {
  return autograd::name_grad_fn(sub(x, tanh(x)), "tanhshrink");
}
Tensor threshold(const Tensor& x, Scalar threshold, Scalar value) {
  EMBER_CHECK_TYPE(x.dtype() != DType::Bool, "threshold: expected a numeric tensor, got bool");
  // As torch's kernel reads them: threshold in x's compute type (an integer x truncates it, a
  // 16-bit float compares in float32), value in x's dtype; both must fit.
  const DType ct = is_floating(x.dtype()) ? widened(x.dtype()) : x.dtype();
  check_fits(threshold, ct, "threshold");
  check_fits(value, x.dtype(), "threshold");
  const Tensor bound = full({}, is_floating(ct) ? threshold : Scalar(threshold.to<int64_t>()), ct);
  const Tensor fill = full({}, is_floating(ct) ? value : Scalar(value.to<int64_t>()), x.dtype());
  // x <= threshold picks value, so NaN stays NaN, as torch's.
  return autograd::name_grad_fn(where(le(to_dtype(x, ct), bound), fill, x), "threshold");
}

Tensor hardshrink(const Tensor& x, double lambd) {
  check_floating(x, "hardshrink");
  check_fits(Scalar(lambd), x.dtype(), "hardshrink");
  // x in [-lambd, lambd] picks 0, so NaN stays NaN, as torch's
  return autograd::name_grad_fn(where(logical_and(x >= -lambd, x <= lambd), full({}, 0.0, x.dtype()), x), "hardshrink");
}
Tensor softshrink(const Tensor& x, double lambd) {
  check_floating(x, "softshrink");
  const DType dt = x.dtype();
  const double max = dt == DType::Float64   ? std::numeric_limits<double>::max()
                     : dt == DType::Float16 ? 65504.0
                     : dt == DType::BFloat16 ? 3.3895313892515355e38 : std::numeric_limits<float>::max();
  EMBER_CHECK(lambd >= 0 && lambd <= max, "softshrink: lambd must be in range [0, ", max, "] for input dtype ",
              dtype_name(x.dtype()), ", but found ", lambd);
  if (is_narrow(dt))  // in float32 with lambd unrounded, as torch's kernel for the 16-bit floats
    return via_widened(x, [lambd](const Tensor& w) { return softshrink(w, lambd); });
  // x * 0 between the bounds: NaN stays NaN, as torch's
  const Tensor inner = where(x < -lambd, add(x, number(lambd)), mul(x, number(0.0)));
  return autograd::name_grad_fn(where(x > lambd, sub(x, number(lambd)), inner), "softshrink");
}
Tensor glu(const Tensor& x, int64_t dim) {
  check_floating(x, "glu");
  EMBER_CHECK(x.dim() > 0, "glu: does not support scalars (0-d input) because the halved size must be even");
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  EMBER_CHECK_INDEX(d >= 0 && d < x.dim(), "glu: dim ", dim, " is out of range for an input of shape ",
                    shape_str(x.sizes()));
  const int64_t size = x.sizes()[d];
  EMBER_CHECK(size % 2 == 0, "glu: halving dimension must be even, but dim ", d, " of ", shape_str(x.sizes()),
              " has size ", size);
  return autograd::name_grad_fn(mul(narrow(x, d, 0, size / 2), sigmoid(narrow(x, d, size / 2, size / 2))), "glu");
}
namespace {
/// Infinite bounds: torch's rrelu refuses them, its rrelu_ only where it draws slopes (training).
void check_rrelu_finite(double lower, double upper) {
  EMBER_CHECK_RUNTIME(std::isfinite(lower), "rrelu: lower bound must be finite, got ", lower);
  EMBER_CHECK_RUNTIME(std::isfinite(upper), "rrelu: upper bound must be finite, got ", upper);
}
Tensor rrelu_any_bounds(const Tensor& x, double lower, double upper, bool training, Generator* gen) {
  check_floating(x, "rrelu");
  if (training) check_rrelu_finite(lower, upper);
  EMBER_CHECK_RUNTIME(lower <= upper, "rrelu: lower bound should be less than or equal to the upper bound, got lower=",
                      lower, ", upper=", upper);
  for (double bound : {lower, upper})  // torch's kernel reads them in x's compute type
    check_fits(Scalar(bound), widened(x.dtype()), "rrelu");
  if (!training) return autograd::name_grad_fn(leaky_relu(x, (lower + upper) / 2), "rrelu");
  Tensor slopes = Tensor::empty(x.sizes(), x.dtype(), x.device());
  uniform_(slopes, lower, upper, gen);
  // x <= 0 takes the drawn slope (its gradient too), as torch's
  return autograd::name_grad_fn(where(x > 0, x, mul(x, slopes)), "rrelu");
}
}  // namespace
Tensor rrelu(const Tensor& x, double lower, double upper, bool training, Generator* gen) {
  check_rrelu_finite(lower, upper);
  return rrelu_any_bounds(x, lower, upper, training, gen);
}

Tensor normalize(const Tensor& x, double p, int64_t dim, double eps) {
  check_floating(x, "normalize");
  const Tensor n = norm(x, p, Dims{dim}, true);
  return autograd::name_grad_fn(div(x, clamp(n, number(eps), std::nullopt)), "normalize");
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  broadcast_shapes(x1.sizes(), x2.sizes(), "pairwise_distance");  // the error names this op, not sub
  // Integer inputs are floats once eps (a Python float) is added, as torch's.
  const Tensor d = add(sub(x1, x2), number(eps));
  // torch's norm over dim -1 of a 0-d d takes norm's general path (d^2 may overflow for p = 2, a
  // NaN p gives NaN); over a last dim of size 1 it is |d| whatever p, d != 0 for p = 0.
  if (d.dim() == 0) return autograd::name_grad_fn(norm(d, p, Dims{-1}), "pairwise_distance");
  if (d.sizes().back() == 1) {
    Tensor r = p == 0 ? to_dtype(ne(d, number(0.0)), d.dtype()) : abs(d);
    return autograd::name_grad_fn(keepdim ? r : squeeze(r, Dims{-1}), "pairwise_distance");
  }
  return autograd::name_grad_fn(norm(d, p, Dims{-1}, keepdim), "pairwise_distance");
}

namespace {
/// x = f(x) in place. Under autograd the out-of-place f runs on a copy of the old value (its
/// backward reads it) and x takes over the result's history.
Tensor& inplace(Tensor& x, const char* op, const std::function<Tensor(const Tensor&)>& f) {
  if (autograd::inplace_requires_grad(x, {}, op)) return autograd::apply_inplace(x, op, f, /*keeps_old=*/true);
  Tensor result;
  {
    autograd::NoGradGuard no_grad;
    result = f(x);
  }
  return copy_(x, result);
}
}  // namespace

Tensor& leaky_relu_(Tensor& x, double negative_slope) {
  return inplace(x, "leaky_relu_", [negative_slope](const Tensor& t) { return leaky_relu(t, negative_slope); });
}
Tensor& elu_(Tensor& x, double alpha) {
  return inplace(x, "elu_", [alpha](const Tensor& t) { return elu(t, alpha); });
}
Tensor& silu_(Tensor& x) { return inplace(x, "silu_", [](const Tensor& t) { return silu(t); }); }
Tensor& hardtanh_(Tensor& x, double min_val, double max_val) {
  return inplace(x, "hardtanh_", [=](const Tensor& t) { return hardtanh(t, min_val, max_val); });
}
Tensor& relu6_(Tensor& x) { return inplace(x, "relu6_", [](const Tensor& t) { return relu6(t); }); }
Tensor& hardswish_(Tensor& x) { return inplace(x, "hardswish_", [](const Tensor& t) { return hardswish(t); }); }
Tensor& hardsigmoid_(Tensor& x) { return inplace(x, "hardsigmoid_", [](const Tensor& t) { return hardsigmoid(t); }); }
Tensor& selu_(Tensor& x) { return inplace(x, "selu_", [](const Tensor& t) { return selu(t); }); }
Tensor& celu_(Tensor& x, double alpha) { return inplace(x, "celu_", [alpha](const Tensor& t) { return celu(t, alpha); }); }
Tensor& rrelu_(Tensor& x, double lower, double upper, bool training, Generator* gen) {
  return inplace(x, "rrelu_", [=](const Tensor& t) { return rrelu_any_bounds(t, lower, upper, training, gen); });
}
Tensor& mish_(Tensor& x) { return inplace(x, "mish_", [](const Tensor& t) { return mish(t); }); }
Tensor& threshold_(Tensor& x, Scalar threshold_value, Scalar value) {
  return inplace(x, "threshold_", [=](const Tensor& t) { return threshold(t, threshold_value, value); });
}

Tensor logsigmoid(const Tensor& x) {
  check_floating(x, "logsigmoid");
  // float16/bfloat16 in float32, rounded once, as torch's kernels (a loss subtracting it cancels)
  if (is_narrow(x.dtype()))
    return autograd::name_grad_fn(via_widened(x, [](const Tensor& w) { return logsigmoid(w); }), "log_sigmoid");
  // min(x, 0) - log(1 + e^-|x|): the exponent is at most 0. One node with PyTorch's closed-form
  // gradient, so a NaN input gets a NaN gradient (the composite's branches would drop it).
  Tensor out;
  {
    autograd::NoGradGuard no_grad;
    out = sub(where(x < 0, x, number(0.0)), log1p(exp(neg(abs(x)))));
  }
  if (autograd::any_requires_grad({&x}))
    autograd::record("LogSigmoidBackward0", {out}, {x}, {x}, [](const Tensors& g, const Tensors& s) {
      // d/dx = 1 / (1 + e^x): z / (1 + z) with z = e^-|x| for x >= 0, 1 - that below 0.
      const Tensor& x = s[0];
      Tensor z = exp(neg(abs(x)));
      Tensor frac = div(z, add(z, number(1.0)));
      return Tensors{mul(g[0], where(x < 0, sub(number(1.0), frac), frac))};
    });
  return out;
}

Tensor pad(const Tensor& x, const Shape& pad, const std::string& mode, std::optional<double> value) {
  const int64_t n = static_cast<int64_t>(pad.size()) / 2;
  EMBER_CHECK(pad.size() % 2 == 0, "pad: padding length must be divisible by 2, got ", shape_str(pad));
  EMBER_CHECK(n <= x.dim(), "pad: padding length ", pad.size(), " is too large for an input of ", x.dim(), " dims ",
              shape_str(x.sizes()));
  const bool constant = mode == "constant";
  EMBER_CHECK(constant || mode == "reflect" || mode == "replicate" || mode == "circular",
              "pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '", mode, "'");
  // A value of 0 is the default, so PyTorch lets the other modes take it.
  EMBER_CHECK(constant || !value || *value == 0, "pad: padding mode '", mode, "' doesn't take in value argument");
  EMBER_CHECK(constant || (n >= 1 && n <= 3 && (x.dim() == n + 1 || x.dim() == n + 2)), "pad: '", mode,
              "' padding of ", n, " dims takes a ", n + 1, "-d or ", n + 2, "-d input, got ", shape_str(x.sizes()));
  if (mode == "circular") {
    // PyTorch bounds each amount by the whole dim's size (before cropping); an empty result needs
    // no wrapping, whatever is left after cropping.
    Shape out_shape = x.sizes();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t dim = x.dim() - 1 - i, size = x.sizes()[dim];
      EMBER_CHECK(pad[2 * i] <= size && pad[2 * i + 1] <= size, "pad: circular padding ", shape_str(pad),
                  " wraps around more than once for dim ", dim, " of input ", shape_str(x.sizes()));
      out_shape[dim] = size + pad[2 * i] + pad[2 * i + 1];
      EMBER_CHECK(out_shape[dim] >= 0, "pad: padding ", shape_str(pad), " leaves a negative size of dim ", dim,
                  " of input ", shape_str(x.sizes()));
      // PyTorch copies the kept part of the input into the output's middle, as two Python-style
      // slices (a negative end counts from the back); a crop beyond the dim makes them disagree.
      auto slice_len = [](int64_t start, int64_t end, int64_t len) {
        if (end < 0) end += len;
        start = std::min(start, len);
        return std::max<int64_t>(std::min(end, len) - start, 0);
      };
      const int64_t kept = slice_len(std::max<int64_t>(-pad[2 * i], 0), size - std::max<int64_t>(-pad[2 * i + 1], 0), size);
      const int64_t middle = slice_len(std::max<int64_t>(pad[2 * i], 0),
                                       out_shape[dim] - std::max<int64_t>(pad[2 * i + 1], 0), out_shape[dim]);
      EMBER_CHECK(kept == middle || kept == 1, "pad: circular padding ", shape_str(pad),
                  " crops more than the size of dim ", dim, " of input ", shape_str(x.sizes()));
    }
    if (std::count(out_shape.begin(), out_shape.end(), 0) > 0) return reshape(narrow(x, x.dim() - 1, 0, 0), out_shape);
  }
  if (mode == "reflect" || mode == "replicate") {
    // PyTorch's kernels: no bools, no empty dim but the batch, and not every padded dim cropped away.
    EMBER_CHECK_TYPE(x.dtype() != DType::Bool, "pad: '", mode, "' padding is not implemented for bool");
    bool some_left = false;
    for (int64_t d = x.dim() == n + 2 ? 1 : 0; d < x.dim(); ++d) {
      EMBER_CHECK(x.sizes()[d] > 0, "pad: '", mode, "' padding of input ", shape_str(x.sizes()),
                  " with an empty dim ", d, " (only the batch dim may be empty)");
      const int64_t i = x.dim() - 1 - d;
      if (i < n) some_left = some_left || x.sizes()[d] + pad[2 * i] + pad[2 * i + 1] >= 1;
    }
    EMBER_CHECK(some_left, "pad: '", mode, "' padding ", shape_str(pad), " leaves every padded dim of input ",
                shape_str(x.sizes()), " empty");
  }
  Tensor y = x;
  for (int64_t i = 0; i < n; ++i) {  // pairs from the last dim backwards, as PyTorch's
    const int64_t dim = x.dim() - 1 - i;
    int64_t before = pad[2 * i], after = pad[2 * i + 1], size = y.sizes()[dim];
    EMBER_CHECK(size + before + after >= 0, "pad: padding ", shape_str(pad), " leaves a negative size of dim ", dim,
                " of input ", shape_str(x.sizes()));
    if (constant || mode == "circular") {
      // Negative amounts crop first: the circular mode then wraps around what is left, as PyTorch's
      // (reflect and replicate take their values from the whole input, below).
      const int64_t lo = std::max<int64_t>(-before, 0), hi = std::max<int64_t>(-after, 0);
      y = narrow(y, dim, lo, size - lo - hi);
      size -= lo + hi;
      before = std::max<int64_t>(before, 0);
      after = std::max<int64_t>(after, 0);
    }
    if (constant) {
      auto block = [&](int64_t len) {
        Shape s = y.sizes();
        s[dim] = len;
        return full(s, value.value_or(0.0), y.dtype());
      };
      std::vector<Tensor> parts;
      if (before > 0) parts.push_back(block(before));
      parts.push_back(y);
      if (after > 0) parts.push_back(block(after));
      if (parts.size() > 1) y = cat(parts, dim);
      continue;
    }
    if (mode == "circular" && before == 0 && after == 0) continue;  // all cropped (an empty dim stays so)
    // The other modes pick each output position's source along dim (a gather, so it has a gradient).
    if (mode == "reflect")
      EMBER_CHECK(before < size && after < size, "pad: reflect padding ", shape_str(pad),
                  " must be less than the size of dim ", dim, " of input ", shape_str(x.sizes()));
    if (mode == "circular")
      EMBER_CHECK(before <= size && after <= size, "pad: circular padding ", shape_str(pad),
                  " wraps around more than once for dim ", dim, " of input ", shape_str(x.sizes()));
    EMBER_CHECK(size > 0, "pad: '", mode, "' padding of an empty dim ", dim, " of input ", shape_str(x.sizes()));
    Tensor index = Tensor::empty({size + before + after}, DType::Int64);
    int64_t* at = index.data<int64_t>();
    for (int64_t j = -before; j < size + after; ++j) {
      int64_t k = j;
      if (mode == "reflect") k = j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j;
      else if (mode == "replicate") k = std::clamp<int64_t>(j, 0, size - 1);
      else k = ((j % size) + size) % size;
      at[j + before] = k;
    }
    y = index_select(y, dim, index);
  }
  return y;
}

Tensor sign_straight_through(const Tensor& x) {
  check_floating(x, "sign_straight_through");
  Tensor out;
  {
    autograd::NoGradGuard no_grad;
    out = sign(x);
  }
  if (autograd::any_requires_grad({&x}))
    autograd::record("SignStraightThroughBackward0", {out}, {x}, {},
                     [](const Tensors& g, const Tensors&) { return Tensors{g[0]}; });
  return out;
}

}  // namespace ember::nn::functional
