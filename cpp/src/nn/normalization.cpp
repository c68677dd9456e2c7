// BatchNorm1d, BatchNorm2d, LayerNorm and GroupNorm, and their functional forms: batch and layer norm
// through fused CPU kernels (their ops forms the reference and the double backward), the rest composites.
#include "ember/nn/normalization.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "autograd/record.h"
#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember::nn {

namespace {
/// A per-channel (C,) tensor shaped to broadcast along dim 1 of an input with ndim dims.
Tensor per_channel(const Tensor& t, int64_t ndim) {
  Shape shape(static_cast<size_t>(ndim - 1), 1);
  shape[0] = t.numel();
  return reshape(t, shape);
}
/// "4" or "2, 3": a normalized_shape as the tail of an input shape.
std::string trailing_dims(const Shape& shape) {
  const std::string s = shape_str(shape);
  return s.substr(1, s.size() - (shape.size() == 1 ? 3 : 2));
}

/// batch_norm's normalization written with ember ops: the reference the fused kernels follow,
/// and what their backward differentiates when a graph of the gradient is asked for. Training:
/// the batch's statistics; otherwise the running ones.
Tensor batch_norm_ops(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                      const Tensor& bias, bool training, double eps) {
  Dims dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  const Tensor mean = training ? ember::mean(x, dims) : running_mean;
  const Tensor var = training ? ember::var(x, dims, /*correction=*/0) : running_var;
  Tensor y = mul(sub(x, per_channel(mean, x.dim())), per_channel(rsqrt(add(var, scalar_tensor(eps))), x.dim()));
  if (weight.defined()) y = mul(y, per_channel(weight, x.dim()));
  if (bias.defined()) y = add(y, per_channel(bias, x.dim()));
  return y;
}

/// layer_norm over the last k dims written with ember ops: the reference its kernels follow, and
/// what their backward differentiates when a graph of the gradient is asked for.
Tensor layer_norm_ops(const Tensor& x, int64_t k, const Tensor& weight, const Tensor& bias, double eps) {
  Dims dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  const Tensor mean = ember::mean(x, dims, /*keepdim=*/true);
  const Tensor var = ember::var(x, dims, /*correction=*/0, /*keepdim=*/true);
  Tensor y = mul(sub(x, mean), rsqrt(add(var, scalar_tensor(eps))));
  if (weight.defined()) y = mul(y, weight);
  if (bias.defined()) y = add(y, bias);
  return y;
}

/// A tensor's values as host doubles.
std::vector<double> host(const Tensor& t) {
  const Tensor d = contiguous(to_dtype(autograd::detach(t), DType::Float64));
  const double* p = d.data<double>();
  return std::vector<double>(p, p + d.numel());
}
Tensor from_host(const std::vector<double>& v, DType dtype) {
  Tensor t = Tensor::empty({static_cast<int64_t>(v.size())}, DType::Float64);
  std::copy(v.begin(), v.end(), t.data<double>());
  return to_dtype(t, dtype);
}
/// batch_norm's per-channel host values, written by its forward kernel and read by its backward's.
struct ChannelStats {
  std::vector<double> mean, var, invstd, w;
};
/// t in float32 where it is a 16-bit float (undefined stays undefined): the norms compute their
/// statistics there and round once, as PyTorch's kernels do.
Tensor widened_or_none(const Tensor& t) { return t.defined() ? to_dtype(t, widened(t.dtype())) : t; }
}  // namespace

Tensor functional::batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                              const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  EMBER_CHECK(x.dim() >= 2, "batch_norm: expected an input of at least 2 dims (N, C, ...), got ",
              shape_str(x.sizes()));
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "batch_norm: expected a floating input, got ", dtype_name(x.dtype()));
  EMBER_CHECK(eps >= 0, "batch_norm: eps must be non-negative, got ", eps);
  for (const Tensor* t : {&running_mean, &running_var})
    EMBER_CHECK_TYPE(!t->defined() || is_floating(t->dtype()), "batch_norm: running statistics must be floating "
                     "point, got ", dtype_name(t->dtype()));
  // No promotion (as torch): a float64 input into float32 statistics or parameters is refused.
  for (const auto& [t, what] : {std::pair{&running_mean, "running_mean"}, std::pair{&running_var, "running_var"},
                                std::pair{&weight, "weight"}, std::pair{&bias, "bias"}})
    EMBER_CHECK_TYPE(!t->defined() || t->dtype() == x.dtype(), "batch_norm: expected input and ", what,
                     " to have the same dtype, but got ", dtype_name(x.dtype()), " and ", dtype_name(t->dtype()));
  const int64_t channels = x.sizes()[1];
  for (const Tensor* t : {&running_mean, &running_var, &weight, &bias})
    if (t->defined())
      EMBER_CHECK(t->numel() == channels, "batch_norm: expected per-channel tensors of ", channels,
                  " elements for input ", shape_str(x.sizes()), ", got ", shape_str(t->sizes()));
  for (const Tensor* t : {&running_mean, &running_var})  // torch's kernel indexes them as vectors
    EMBER_CHECK_RUNTIME(!t->defined() || t->dim() == 1, "batch_norm: expected running statistics of shape (",
                        channels, ",), got ", shape_str(t->sizes()));
  if (training) EMBER_CHECK(eps > 0, "batch_norm: eps must be positive during training, but got ", eps);
  const int64_t N = x.sizes()[0], per_channel_count = x.numel() / std::max<int64_t>(channels, 1);
  const int64_t S = N > 0 ? per_channel_count / N : 0;
  if (training)
    EMBER_CHECK(per_channel_count != 1, "batch_norm: expected more than 1 value per channel when training, got input "
                "of shape ", shape_str(x.sizes()));
  else
    EMBER_CHECK(running_mean.defined() && running_var.defined(),
                "batch_norm: running_mean and running_var are needed when not training");
  // One pass for the statistics and one for y = x * scale + shift, per channel, in C++ kernels.
  // The host math between them runs inside the same kernel call, on values the backward's call
  // shares, so a captured graph (ember/graph.h) recomputes them at every replay.
  const bool rec = autograd::any_requires_grad({&x, &weight, &bias});
  auto stats = std::make_shared<ChannelStats>();
  Tensor x3, y;
  {
    autograd::RecordingOff off(rec);
    x3 = reshape(contiguous(x), {N, channels, S});
    // y is not a view: an in-place op on it (ReLU(inplace=True)) must find this op's history.
    y = Tensor::empty(x.sizes(), x.dtype(), x.device());
    call_kernel(x.device(), "batch_norm", [stats, training, momentum, eps, channels, per_channel_count](
        const Tensor& y3, const Tensor& x3, const Tensor& running_mean, const Tensor& running_var,
        const Tensor& weight, const Tensor& bias) {
      ChannelStats& st = *stats;
      if (training) {
        cpu::channel_moments(st.mean, st.var, x3);
        if (running_mean.defined() && running_var.defined() && per_channel_count > 0) {  // an empty batch changes nothing
          autograd::NoGradGuard no_grad;
          const double unbias = static_cast<double>(per_channel_count) / static_cast<double>(per_channel_count - 1);
          Tensor rm = running_mean, rv = running_var;
          copy_(rm, add(mul(rm, scalar_tensor(1 - momentum)), mul(from_host(st.mean, rm.dtype()), scalar_tensor(momentum))));
          copy_(rv, add(mul(rv, scalar_tensor(1 - momentum)),
                        mul(from_host(st.var, rv.dtype()), scalar_tensor(momentum * unbias))));
        }
      } else {
        st.mean = host(running_mean), st.var = host(running_var);
      }
      st.w = weight.defined() ? host(weight) : std::vector<double>(channels, 1.0);
      const std::vector<double> b = bias.defined() ? host(bias) : std::vector<double>(channels, 0.0);
      st.invstd.resize(channels);
      std::vector<double> scale(channels), shift(channels);
      for (int64_t c = 0; c < channels; ++c) {
        st.invstd[c] = 1 / std::sqrt(st.var[c] + eps);
        scale[c] = st.w[c] * st.invstd[c], shift[c] = b[c] - st.mean[c] * scale[c];
      }
      cpu::channel_affine(y3, x3, scale, Tensor(), {}, shift);
    }, reshape(y, x3.sizes()), x3, running_mean, running_var, weight, bias);
  }
  if (!rec) return y;
  const Tensor rm = training ? Tensor() : running_mean, rv = training ? Tensor() : running_var;
  // Which inputs want a gradient (saved non-leaves come back without history, so ask now).
  const std::array<bool, 3> need{autograd::requires_grad(x), weight.defined() && autograd::requires_grad(weight),
                                 bias.defined() && autograd::requires_grad(bias)};
  autograd::record("NativeBatchNormBackward0", {y}, {x, weight, bias}, {x, weight, bias, rm, rv},
                   [=](const Tensors& g, const Tensors& s) {
    const Tensor &sx = s[0], &sw = s[1], &sb = s[2];
    if (autograd::is_grad_enabled()) {  // a graph of the gradient: differentiate the ops' form
      Tensors inputs, out(3);
      for (size_t k = 0; k < 3; ++k)
        if (need[k]) inputs.push_back(s[k]);
      Tensors grads = autograd::grad({batch_norm_ops(sx, s[3], s[4], sw, sb, training, eps)}, inputs, {g[0]},
                                     true, true, true);
      for (size_t k = 0, i = 0; k < 3; ++k)
        if (need[k]) out[k] = grads[i++];
      return out;
    }
    // dx = w invstd (g - mean(g) - xhat mean(g xhat)) when training (the statistics depend on x),
    // w invstd g otherwise; dweight = sum(g xhat), dbias = sum(g).
    const int64_t n = sx.sizes()[0], c = sx.sizes()[1], m = n > 0 ? sx.numel() / c : 0;
    const Tensor g3 = reshape(contiguous(g[0]), {n, c, m / std::max<int64_t>(n, 1)});
    const Tensor xs = reshape(contiguous(sx), g3.sizes());
    Tensors out(3);
    if (need[0]) out[0] = Tensor::empty(g3.sizes(), sx.dtype(), sx.device());
    if (need[1]) out[1] = Tensor::empty({c}, sw.dtype(), sw.device());
    if (need[2]) out[2] = Tensor::empty({c}, sb.dtype(), sb.device());
    call_kernel(sx.device(), "batch_norm_backward", [stats, training, m, c](
        const Tensor& dx, const Tensor& dweight, const Tensor& dbias, const Tensor& g3, const Tensor& xs) {
      const ChannelStats& st = *stats;
      std::vector<double> sum_g, sum_gx;
      cpu::channel_sums(sum_g, sum_gx, g3, xs, st.mean);
      std::vector<double> k1(c), k2(c, 0.0), k3(c, 0.0), dw(c);
      for (int64_t i = 0; i < c; ++i) {
        k1[i] = st.w[i] * st.invstd[i];
        dw[i] = sum_gx[i] * st.invstd[i];
        if (training && m > 0) {
          k2[i] = -st.w[i] * st.invstd[i] * st.invstd[i] * st.invstd[i] * sum_gx[i] / static_cast<double>(m);
          k3[i] = -k1[i] * sum_g[i] / static_cast<double>(m) - k2[i] * st.mean[i];
        }
      }
      if (dx.defined()) cpu::channel_affine(dx, g3, k1, training ? xs : Tensor(), k2, k3);
      if (dweight.defined()) cpu::copy(dweight, from_host(dw, dweight.dtype()));
      if (dbias.defined()) cpu::copy(dbias, from_host(sum_g, dbias.dtype()));
    }, out[0], out[1], out[2], g3, xs);
    if (need[0]) out[0] = reshape(out[0], sx.sizes());
    return out;
  });
  return y;
}

Tensor functional::layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                              double eps) {
  const auto k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(k >= 1, "layer_norm: normalized_shape must not be empty");
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "layer_norm: expected a floating input, got ", dtype_name(x.dtype()));
  if (is_narrow(x.dtype()))
    return to_dtype(layer_norm(widened_or_none(x), normalized_shape, widened_or_none(weight), widened_or_none(bias), eps),
                    x.dtype());
  const bool fits = x.dim() >= k && Shape(x.sizes().end() - k, x.sizes().end()) == normalized_shape;
  EMBER_CHECK(fits, "layer_norm: expected input (..., ", trailing_dims(normalized_shape), ") for normalized_shape ",
              shape_str(normalized_shape), ", got ", shape_str(x.sizes()));
  for (const Tensor* t : {&weight, &bias})
    if (t->defined())
      EMBER_CHECK(t->sizes() == normalized_shape, "layer_norm: weight and bias must have shape ",
                  shape_str(normalized_shape), ", got ", shape_str(t->sizes()));
  for (const auto& [t, what] : {std::pair{&weight, "weight"}, std::pair{&bias, "bias"}})  // no promotion, as torch
    EMBER_CHECK_TYPE(!t->defined() || t->dtype() == x.dtype(), "layer_norm: expected input and ", what,
                     " to have the same dtype, but got ", dtype_name(x.dtype()), " and ", dtype_name(t->dtype()));
  // One kernel call each way (cpu/layer_norm.cpp) where the composite took a temporary per op.
  const bool rec = autograd::any_requires_grad({&x, &weight, &bias});
  const int64_t rows = numel_of(Shape(x.sizes().begin(), x.sizes().end() - k));
  Tensor y, mean, rstd;
  {
    autograd::RecordingOff off(rec);
    y = Tensor::empty(x.sizes(), x.dtype(), x.device());
    mean = Tensor::empty({rows}, x.dtype(), x.device());
    rstd = Tensor::empty({rows}, x.dtype(), x.device());
    const auto dense = [](const Tensor& t) { return t.defined() ? contiguous(t) : t; };
    call_kernel(x.device(), "layer_norm", cpu::layer_norm, y, mean, rstd, contiguous(x), dense(weight), dense(bias),
                eps);
  }
  if (!rec) return y;
  const std::array<bool, 3> need{autograd::requires_grad(x), weight.defined() && autograd::requires_grad(weight),
                                 bias.defined() && autograd::requires_grad(bias)};
  autograd::record("NativeLayerNormBackward0", {y}, {x, weight, bias}, {x, weight, bias, mean, rstd},
                   [=](const Tensors& g, const Tensors& s) {
    Tensors out(3);
    if (autograd::is_grad_enabled()) {  // a graph of the gradient: differentiate the ops' form
      Tensors inputs;
      for (size_t i = 0; i < 3; ++i)
        if (need[i]) inputs.push_back(s[i]);
      Tensors grads = autograd::grad({layer_norm_ops(s[0], k, s[1], s[2], eps)}, inputs, {g[0]}, true, true, true);
      for (size_t i = 0, j = 0; i < 3; ++i)
        if (need[i]) out[i] = grads[j++];
      return out;
    }
    for (size_t i = 0; i < 3; ++i)
      if (need[i]) out[i] = Tensor::empty(s[i].sizes(), s[i].dtype(), s[i].device());
    call_kernel(s[0].device(), "layer_norm_backward", cpu::layer_norm_backward, out[0], out[1], out[2],
                contiguous(g[0]), contiguous(s[0]), s[3], s[4], s[1].defined() ? contiguous(s[1]) : s[1]);
    return out;
  });
  return y;
}

// ---- BatchNorm1d, BatchNorm2d -------------------------------------------------------------

namespace {
/// The per-channel state BatchNorm and InstanceNorm keep: weight and bias (affine; bias: PyTorch
/// 2.13's keyword) and the running statistics with their count (track_running_stats).
template <class Options>
void register_channel_state(Module& layer, const Options& o) {
  const int64_t n = o.num_features;
  EMBER_CHECK(n >= 1, layer.type_name(), ": num_features must be at least 1, got ", n);
  const DType dtype = o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), layer.type_name(), ": dtype must be floating point, got ", dtype_name(dtype));
  layer.register_parameter("weight", o.affine ? empty({n}, dtype) : Tensor());
  layer.register_parameter("bias", o.affine && o.bias ? empty({n}, dtype) : Tensor());
  const bool track = o.track_running_stats;
  layer.register_buffer("running_mean", track ? empty({n}, dtype) : Tensor());
  layer.register_buffer("running_var", track ? empty({n}, dtype) : Tensor());
  layer.register_buffer("num_batches_tracked", track ? zeros({}, DType::Int64) : Tensor());
}

void reset_statistics(Tensor mean, Tensor var, Tensor count) {
  autograd::NoGradGuard no_grad;
  zero_(mean);
  fill_(var, 1);
  zero_(count);
}

void reset_affine(Tensor weight, Tensor bias) {
  autograd::NoGradGuard no_grad;
  fill_(weight, 1);
  if (bias.defined()) zero_(bias);
}
}  // namespace

BatchNorm::BatchNorm(std::string type_name, BatchNormOptions options, int64_t min_dim, int64_t max_dim,
                     const char* shapes)
    : Layer(std::move(type_name), std::move(options)), min_dim_(min_dim), max_dim_(max_dim), shapes_(shapes) {
  register_channel_state(*this, this->options);
  EMBER_CHECK(this->options.eps > 0, this->type_name(), ": eps must be positive, got ", this->options.eps);
  reset_parameters();
}

void BatchNorm::reset_running_stats() {
  if (options.track_running_stats) reset_statistics(running_mean(), running_var(), num_batches_tracked());
}

void BatchNorm::reset_parameters() {
  reset_running_stats();
  if (options.affine) reset_affine(weight(), bias());
}

Tensor BatchNorm::forward(const Tensor& input) {
  const int64_t num_features = options.num_features;
  const std::optional<double> momentum = options.momentum;
  const bool track_running_stats = options.track_running_stats;
  EMBER_CHECK(input.dim() >= min_dim_ && input.dim() <= max_dim_ && input.sizes()[1] == num_features, describe(),
              ": expected input ", shapes_, " with C = ", num_features, ", got ", shape_str(input.sizes()));
  double factor = momentum.value_or(0.0);
  Tensor count = track_running_stats ? num_batches_tracked() : Tensor();
  if (is_training() && count.defined()) {  // PyTorch skips the counter once it is set to None
    autograd::NoGradGuard no_grad;
    copy_(count, add(count, scalar_tensor(int64_t{1})));
    if (!momentum) factor = 1.0 / to_dtype(count, DType::Float64).item<double>();
  }
  // Batch statistics when training, or when there are no running ones to use.
  const bool use_batch_stats = is_training() || !track_running_stats;
  const bool update = is_training() && track_running_stats;
  const int64_t values = input.numel() / num_features;
  EMBER_CHECK(!use_batch_stats || values != 1, describe(), ": expected more than 1 value per channel when training, "
              "got input of shape ", shape_str(input.sizes()));
  const bool pass_running = update || !use_batch_stats;
  return functional::batch_norm(input, pass_running ? running_mean() : Tensor(),
                                pass_running ? running_var() : Tensor(), weight(), bias(), use_batch_stats, factor,
                                options.eps);
}

std::string BatchNorm::extra_repr() const {
  // PyTorch shows whether there is a bias before track_running_stats, out of the rows' order.
  std::string s = Layer::extra_repr();
  return s.insert(s.rfind(", track_running_stats="), ", bias=" + repr_value(bias().defined()));
}

// ---- LayerNorm ------------------------------------------------------------------------------

namespace {
/// LayerNorm's and RMSNorm's constructor checks: a non-empty normalized_shape of positive sizes
/// (kept as a tuple, as PyTorch does, whatever it was given) and a floating dtype, returned.
template <class Options>
DType check_normalized_layer(const char* layer, Options& o) {
  o.normalized_shape.spelling = Sizes::Spelling::Tuple;
  const Shape& normalized_shape = o.normalized_shape;
  EMBER_CHECK(!normalized_shape.empty(), layer, ": normalized_shape must not be empty");
  for (int64_t d : normalized_shape)
    EMBER_CHECK(d >= 1, layer, ": normalized_shape must be positive sizes, got ", shape_str(normalized_shape));
  const DType dtype = o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), layer, ": dtype must be floating point, got ", dtype_name(dtype));
  return dtype;
}
}  // namespace

LayerNorm::LayerNorm(LayerNormOptions options) : Layer("LayerNorm", std::move(options)) {
  const DType dtype = check_normalized_layer("LayerNorm", this->options);
  const Shape& normalized_shape = this->options.normalized_shape;
  const bool affine = this->options.elementwise_affine;
  register_parameter("weight", affine ? empty(normalized_shape, dtype) : Tensor());
  register_parameter("bias", affine && this->options.bias ? empty(normalized_shape, dtype) : Tensor());
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  autograd::NoGradGuard no_grad;
  Tensor w = weight(), b = bias();
  if (w.defined()) fill_(w, 1);
  if (b.defined()) zero_(b);
}

Tensor LayerNorm::forward(const Tensor& input) {
  const Shape& normalized_shape = options.normalized_shape;
  const auto k = static_cast<int64_t>(normalized_shape.size());
  const bool fits = input.dim() >= k && Shape(input.sizes().end() - k, input.sizes().end()) == normalized_shape;
  EMBER_CHECK(fits, describe(), ": expected input (..., ", trailing_dims(normalized_shape), "), got ",
              shape_str(input.sizes()));
  return functional::layer_norm(input, normalized_shape, weight(), bias(), options.eps);
}

// ---- GroupNorm ------------------------------------------------------------------------------

Tensor functional::group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                              double eps) {
  EMBER_CHECK(x.dim() >= 2, "group_norm: expected an input of at least 2 dims (N, C, ...), got ",
              shape_str(x.sizes()));
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "group_norm: expected a floating input, got ", dtype_name(x.dtype()));
  if (is_narrow(x.dtype()))
    return to_dtype(group_norm(widened_or_none(x), num_groups, widened_or_none(weight), widened_or_none(bias), eps),
                    x.dtype());
  EMBER_CHECK(num_groups > 0, "group_norm: num_groups must be positive, got ", num_groups);
  const int64_t n = x.sizes()[0], channels = x.sizes()[1];
  int64_t values = n * channels / num_groups;  // torch's count: N * C // num_groups times the spatial sizes
  for (int64_t d = 2; d < x.dim(); ++d) values *= x.sizes()[d];
  EMBER_CHECK(values != 1, "group_norm: expected more than 1 value per channel when training, got input size ",
              shape_str(x.sizes()));
  EMBER_CHECK(channels % num_groups == 0, "group_norm: expected the number of channels of input ",
              shape_str(x.sizes()), " to be divisible by num_groups=", num_groups);
  for (const auto& [t, what] : {std::pair{&weight, "weight"}, std::pair{&bias, "bias"}}) {
    if (!t->defined()) continue;
    EMBER_CHECK(t->dim() == 1 && t->numel() == channels, "group_norm: expected ", what, " of shape (", channels,
                ",) for input ", shape_str(x.sizes()), ", got ", shape_str(t->sizes()));
    EMBER_CHECK_TYPE(t->dtype() == x.dtype(), "group_norm: expected input and ", what,
                     " to have the same dtype, but got ", dtype_name(x.dtype()), " and ", dtype_name(t->dtype()));
  }
  const int64_t group_size = n == 0 ? 0 : x.numel() / n / num_groups;
  Tensor g = reshape(x, {n, num_groups, group_size});
  Tensor mean = ember::mean(g, Dims{2}, /*keepdim=*/true);
  Tensor var = ember::var(g, Dims{2}, /*correction=*/0, /*keepdim=*/true);
  Tensor rstd = rsqrt(add(var, scalar_tensor(eps)));
  if (!weight.defined() && !bias.defined()) return reshape(mul(sub(g, mean), rstd), x.sizes());
  // PyTorch's kernel with an affine part: per channel, scale = rstd * weight and
  // shift = bias - scale * mean (bias 0 when absent), y = scale * x + shift.
  const int64_t per_group = channels / num_groups, spatial = per_group == 0 ? 0 : group_size / per_group;
  const Shape by_channel{n, num_groups, per_group, spatial}, channel_shape{1, num_groups, per_group, 1};
  Tensor scale = unsqueeze(rstd, 3);
  if (weight.defined()) scale = mul(scale, reshape(weight, channel_shape));
  Tensor shift = neg(mul(scale, unsqueeze(mean, 3)));
  shift = add(shift, bias.defined() ? reshape(bias, channel_shape) : zeros({}, shift.dtype()));
  return reshape(add(mul(scale, reshape(x, by_channel)), shift), x.sizes());
}

void GroupNormOptions::cross_checks() const {
  EMBER_CHECK(num_groups > 0, "GroupNorm: num_groups must be positive, got ", num_groups);
  EMBER_CHECK(num_channels % num_groups == 0, "GroupNorm: num_channels (", num_channels,
              ") must be divisible by num_groups (", num_groups, ")");
}

GroupNorm::GroupNorm(GroupNormOptions options) : Layer("GroupNorm", std::move(options)) {
  const GroupNormOptions& o = this->options;
  const DType dtype = o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), "GroupNorm: dtype must be floating point, got ", dtype_name(dtype));
  register_parameter("weight", o.affine ? empty({o.num_channels}, dtype) : Tensor());
  register_parameter("bias", o.affine && o.bias ? empty({o.num_channels}, dtype) : Tensor());
  reset_parameters();
}

void GroupNorm::reset_parameters() {
  autograd::NoGradGuard no_grad;
  Tensor w = weight(), b = bias();
  if (w.defined()) fill_(w, 1);
  if (b.defined()) zero_(b);
}

Tensor GroupNorm::forward(const Tensor& input) {
  return functional::group_norm(input, options.num_groups, weight(), bias(), options.eps);
}

// ---- RMSNorm ---------------------------------------------------------------------------------

namespace {
/// torch.finfo(dtype).eps: RMSNorm's eps when none is given.
double machine_epsilon(DType dtype) {
  switch (dtype) {
    case DType::Float64: return 2.220446049250313e-16;
    case DType::Float16: return 0.0009765625;
    case DType::BFloat16: return 0.0078125;
    default: return 1.1920928955078125e-07;
  }
}
}  // namespace

Tensor functional::rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                            std::optional<double> eps) {
  const auto k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(k >= 1, "rms_norm: normalized_shape must not be empty");
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "rms_norm: expected a floating input, got ", dtype_name(x.dtype()));
  const bool fits = x.dim() >= k && Shape(x.sizes().end() - k, x.sizes().end()) == normalized_shape;
  EMBER_CHECK(fits, "rms_norm: expected input (..., ", trailing_dims(normalized_shape), ") for normalized_shape ",
              shape_str(normalized_shape), ", got ", shape_str(x.sizes()));
  EMBER_CHECK(!weight.defined() || weight.sizes() == normalized_shape, "rms_norm: weight must have shape ",
              shape_str(normalized_shape), ", got ", shape_str(weight.sizes()));
  // As torch's: the default eps is that of the compute type (float32 for the 16-bit floats), the
  // weight multiplies in the compute type, and the result keeps the input's dtype.
  const double e = eps.value_or(machine_epsilon(widened(x.dtype())));
  if (is_narrow(x.dtype())) {
    const Tensor y = rms_norm(widened_or_none(x), normalized_shape, {}, e);
    return to_dtype(weight.defined() ? mul(y, to_dtype(weight, y.dtype())) : y, x.dtype());
  }
  Dims dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  Tensor y = mul(x, rsqrt(add(mean(mul(x, x), dims, /*keepdim=*/true), scalar_tensor(e, x.dtype()))));
  if (weight.defined()) y = to_dtype(mul(y, weight), x.dtype());
  return autograd::name_grad_fn(y, "rms_norm");
}

RMSNorm::RMSNorm(RMSNormOptions options) : Layer("RMSNorm", std::move(options)) {
  const DType dtype = check_normalized_layer("RMSNorm", this->options);
  const bool affine = this->options.elementwise_affine;
  register_parameter("weight", affine ? empty(this->options.normalized_shape, dtype) : Tensor());
  reset_parameters();
}

void RMSNorm::reset_parameters() {
  Tensor w = weight();
  if (!w.defined()) return;
  autograd::NoGradGuard no_grad;
  fill_(w, 1);
}

Tensor RMSNorm::forward(const Tensor& input) {
  const Shape& shape = options.normalized_shape;
  const auto k = static_cast<int64_t>(shape.size());
  EMBER_CHECK(input.dim() >= k && Shape(input.sizes().end() - k, input.sizes().end()) == shape, describe(),
              ": expected input (..., ", trailing_dims(shape), "), got ", shape_str(input.sizes()));
  return functional::rms_norm(input, shape, weight(), options.eps);
}

// ---- LocalResponseNorm -----------------------------------------------------------------------

Tensor functional::local_response_norm(const Tensor& x, int64_t size, double alpha, double beta, double k) {
  EMBER_CHECK(x.dim() >= 3, "local_response_norm: expected an input of 3 or more dims (N, C, *), got ",
              shape_str(x.sizes()));
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "local_response_norm: expected a floating input, got ",
                   dtype_name(x.dtype()));
  EMBER_CHECK(size >= 1, "local_response_norm: size must be positive, got ", size);
  if (x.numel() == 0) return x;
  // the squares zero-padded along the channels by size / 2 before and (size - 1) / 2 after, then
  // summed over each window of `size` channels (PyTorch's average pool, counting the padding)
  const Tensor sq = mul(x, x);
  Shape before = x.sizes(), after = x.sizes();
  before[1] = size / 2;
  after[1] = (size - 1) / 2;
  const Tensor padded = cat({zeros(before, x.dtype()), sq, zeros(after, x.dtype())}, 1);
  const int64_t channels = x.sizes()[1];
  Tensor window = narrow(padded, 1, 0, channels);
  for (int64_t i = 1; i < size; ++i) window = add(window, narrow(padded, 1, i, channels));
  const DType dt = x.dtype();  // the constants in x's dtype: a float32 beta would round float64's gradient
  const Tensor div = pow(add(mul(window, scalar_tensor(alpha / static_cast<double>(size), dt)), scalar_tensor(k, dt)),
                         scalar_tensor(beta, dt));
  return autograd::name_grad_fn(ember::div(x, div), "local_response_norm");
}

Tensor LocalResponseNorm::forward(const Tensor& input) {
  const LocalResponseNormOptions& o = options;
  return functional::local_response_norm(input, o.size, o.alpha, o.beta, o.k);
}

// ---- InstanceNorm ----------------------------------------------------------------------------

Tensor functional::instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                                 const Tensor& weight, const Tensor& bias, bool use_input_stats, double momentum,
                                 double eps) {
  EMBER_CHECK(x.dim() >= 3, "instance_norm: expected an input (N, C, *) of 3 or more dims, got ",
              shape_str(x.sizes()));
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "instance_norm: expected a floating input, got ", dtype_name(x.dtype()));
  EMBER_CHECK(running_mean.defined() == running_var.defined(),
              "instance_norm: running_mean and running_var must either both be None or neither be None");
  if (is_narrow(x.dtype()))  // statistics in float32, rounded once (running statistics updated in place)
    return to_dtype(instance_norm(widened_or_none(x), running_mean, running_var, widened_or_none(weight),
                                  widened_or_none(bias), use_input_stats, momentum, eps),
                    x.dtype());
  const int64_t channels = x.sizes()[1];
  for (const auto& [t, what] : {std::pair{&weight, "weight"}, std::pair{&bias, "bias"},
                                std::pair{&running_mean, "running_mean"}, std::pair{&running_var, "running_var"}})
    EMBER_CHECK(!t->defined() || (t->dim() == 1 && t->numel() == channels), "instance_norm: expected ", what,
                " of shape (", channels, ",) for input ", shape_str(x.sizes()), ", got ", shape_str(t->sizes()));
  EMBER_CHECK(use_input_stats || (running_mean.defined() && running_var.defined()),
              "instance_norm: expected running_mean and running_var when use_input_stats is False");
  Dims spatial;
  int64_t count = 1;
  for (int64_t d = 2; d < x.dim(); ++d) spatial.push_back(d), count *= x.sizes()[d];
  Shape channel_shape(static_cast<size_t>(x.dim() - 1), 1);  // (C, 1, ...): broadcasts along dim 1
  channel_shape[0] = channels;
  // PyTorch's batch_norm kernel (which its instance_norm calls): y = x * alpha + beta per
  // (sample, channel), alpha = invstd * weight and beta = bias - mean * alpha (bias 0 when absent).
  Tensor mu, invstd;
  if (use_input_stats) {
    EMBER_CHECK(count != 1, "instance_norm: expected more than 1 spatial element when training, "
                "got input ", shape_str(x.sizes()));
    mu = mean(x, spatial, /*keepdim=*/true);
    const Tensor v = var(x, spatial, /*correction=*/0, /*keepdim=*/true);
    invstd = div(scalar_tensor(1.0), sqrt(add(v, scalar_tensor(eps, x.dtype()))));
    if (eps == 0) invstd = where(eq(v, scalar_tensor(0.0)), zeros({}, x.dtype()), invstd);  // torch's: 0, not inf
    if (running_mean.defined() && x.sizes()[0] > 0) {
      autograd::NoGradGuard no_grad;  // PyTorch's: the mean over the samples of each one's statistics
      const Tensor batch_mean = mean(reshape(mu, {x.sizes()[0], channels}), Dims{0});
      const Tensor batch_var = mean(reshape(mul(v, scalar_tensor(static_cast<double>(count) / (count - 1))),
                                            {x.sizes()[0], channels}), Dims{0});
      Tensor rm = running_mean, rv = running_var;
      copy_(rm, add(mul(rm, scalar_tensor(1 - momentum)), mul(batch_mean, scalar_tensor(momentum))));
      if (rv.defined())
        copy_(rv, add(mul(rv, scalar_tensor(1 - momentum)), mul(batch_var, scalar_tensor(momentum))));
    }
  } else {
    mu = reshape(running_mean, channel_shape);
    invstd = div(scalar_tensor(1.0), sqrt(add(reshape(running_var, channel_shape), scalar_tensor(eps, x.dtype()))));
  }
  const Tensor alpha = weight.defined() ? mul(invstd, reshape(weight, channel_shape)) : invstd;
  const Tensor beta = sub(bias.defined() ? reshape(bias, channel_shape) : zeros({}, alpha.dtype()), mul(mu, alpha));
  const Tensor y = add(mul(x, alpha), beta);
  return autograd::name_grad_fn(y, "instance_norm");
}

InstanceNorm::InstanceNorm(std::string type_name, InstanceNormOptions options, int64_t dims)
    : Layer(std::move(type_name), std::move(options)), dims_(dims) {
  register_channel_state(*this, this->options);
  reset_parameters();
}

void InstanceNorm::reset_running_stats() {
  if (options.track_running_stats) reset_statistics(running_mean(), running_var(), buffer("num_batches_tracked"));
}

void InstanceNorm::reset_parameters() {
  reset_running_stats();
  if (options.affine) reset_affine(weight(), bias());
}

std::string InstanceNorm::extra_repr() const {
  // PyTorch shows whether there is a bias before track_running_stats, out of the rows' order.
  std::string s = Layer::extra_repr();
  return s.insert(s.rfind(", track_running_stats="), ", bias=" + repr_value(bias().defined()));
}

Tensor InstanceNorm::forward(const Tensor& input) {
  const InstanceNormOptions& o = options;
  const int64_t n = o.num_features;
  EMBER_CHECK(input.dim() == dims_ || input.dim() == dims_ - 1, describe(), ": expected input ",
              dims_ == 3 ? "(N, C, L) or (C, L)" : "(N, C, H, W) or (C, H, W)", ", got ", shape_str(input.sizes()));
  const bool batched = input.dim() == dims_;
  const Tensor x = batched ? input : unsqueeze(input, 0);
  // Without affine PyTorch only warns when the channels differ from num_features (they are unused).
  EMBER_CHECK(!o.affine || x.sizes()[1] == n, describe(), ": expected input's size at dim=", batched ? 1 : 0,
              " to match num_features (", n, "), got ", shape_str(input.sizes()));
  const bool input_stats = is_training() || !o.track_running_stats;
  const Tensor y = functional::instance_norm(x, running_mean(), running_var(), weight(), bias(), input_stats,
                                             o.momentum.value_or(0.0), o.eps);
  return batched ? y : squeeze(y, Dims{0});
}

}  // namespace ember::nn
