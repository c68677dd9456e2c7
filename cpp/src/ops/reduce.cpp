// Reductions over any set of dims, with keepdim. The kernel reduces trailing dims, so the op
// permutes the reduced dims to the end (a view) and reshapes the result. var, std, logsumexp
// and norm are composites.
#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/widen.h"

namespace ember {

namespace {
/// Which dims are reduced (all when dims is absent or empty).
std::vector<bool> reduced_mask(const Tensor& t, const OptDims& dims, const char* op) {
  std::vector<bool> mask(t.dim(), !dims || dims->empty());
  if (dims) {
    for (int64_t d : *dims) wrap_dim(d, t.dim(), op);  // every dim in range first, as torch checks
    for (int64_t d : *dims) {
      const int64_t w = wrap_dim(d, t.dim(), op);
      if (t.dim() == 0) continue;
      EMBER_CHECK(!mask[w] || dims->empty(), op, ": dim ", w, " appears multiple times in the list of dims");
      mask[w] = true;
    }
  }
  return mask;
}

Shape reduced_shape(const Tensor& t, const std::vector<bool>& mask, bool keepdim) {
  Shape out;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!mask[d]) out.push_back(t.sizes()[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

/// The dims order that puts the reduced dims (mask) last, as the reduce kernels take them.
Dims reduced_last(const std::vector<bool>& mask) {
  Dims order;
  for (int64_t d = 0; d < static_cast<int64_t>(mask.size()); ++d)
    if (!mask[d]) order.push_back(d);
  for (int64_t d = 0; d < static_cast<int64_t>(mask.size()); ++d)
    if (mask[d]) order.push_back(d);
  return order;
}

Tensor reduce_op(const char* op, cpu::ReduceOp rop, const Tensor& t, const OptDims& dims, bool keepdim, DType out_dtype,
                 DType in_dtype) {
  const std::vector<bool> mask = reduced_mask(t, dims, op);
  const int64_t n_reduced = std::count(mask.begin(), mask.end(), true);
  if (rop == cpu::ReduceOp::Max || rop == cpu::ReduceOp::Min) {
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK_INDEX(!mask[d] || t.sizes()[d] > 0, op, ": cannot reduce over dim ", d,
                        " of size 0 (shape ", shape_str(t.sizes()), "): the operation has no identity");
  }
  Tensor in = permute(kernel_input(t, in_dtype), reduced_last(mask));
  Shape kept(in.sizes().begin(), in.sizes().begin() + (in.dim() - n_reduced));
  Tensor out = Tensor::empty(kept, out_dtype, t.device());
  const Tensor result = kernel_output(out);
  call_kernel(t.device(), op, cpu::reduce, rop, result, in, n_reduced);
  finish_output(out, result);
  Shape shape = reduced_shape(t, mask, keepdim);
  Shape strides = contiguous_strides(shape);
  return Tensor::make_view(out, std::move(shape), std::move(strides), 0);
}

DType sum_dtype(const Tensor& t, OptDType dtype) {
  if (dtype) return *dtype;
  return is_floating(t.dtype()) ? t.dtype() : DType::Int64;
}

/// The result's shape with the reduced dims kept as 1: a gradient reshaped to it broadcasts back
/// over the input.
Shape kept_shape(const Tensor& t, const OptDims& dims, const char* op) {
  return reduced_shape(t, reduced_mask(t, dims, op), true);
}

/// sum and mean: every input element gets the gradient of its slice, times scale.
void record_sum(const char* name, const Tensor& out, const Tensor& t, const OptDims& dims, double scale) {
  autograd::record(name, {out}, {t}, {},
                   [kshape = kept_shape(t, dims, "sum"), in_sizes = t.sizes(), scale](const Tensors& g, const Tensors&) {
                     Tensor gk = expand(reshape(g[0], kshape), in_sizes);
                     return Tensors{scale == 1 ? gk : mul(gk, scalar_tensor(scale))};
                   });
}

int64_t count_reduced(const Tensor& t, const OptDims& dims, const char* op) {
  const std::vector<bool> mask = reduced_mask(t, dims, op);
  int64_t n = 1;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (mask[d]) n *= t.sizes()[d];
  return n;
}
}  // namespace

Tensor sum(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) {
  const DType dt = sum_dtype(t, dtype);
  const bool rec = autograd::needs_grad(t) && is_floating(dt);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = reduce_op("sum", cpu::ReduceOp::Sum, t, dims, keepdim, dt, dt);
  }
  if (rec) record_sum("SumBackward0", out, t, dims, 1);
  return out;
}

Tensor prod(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) {
  const DType dt = sum_dtype(t, dtype);
  const bool rec = autograd::needs_grad(t) && is_floating(dt);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = reduce_op("prod", cpu::ReduceOp::Prod, t, dims, keepdim, dt, dt);
  }
  if (rec) {
    // d prod / d x_i is the product of the others. Zeros are handled apart so that the formula
    // stays differentiable (double backward): with z zeros in a slice, nz the product of the
    // nonzeros and zsum the sum of the zero entries (0, but it carries their gradient),
    //   z = 0: nz / x_i;   z = 1: nz at the zero, zsum * nz / x_i elsewhere;
    //   z = 2: (zsum - x_i) * nz at a zero (the other zero times nz), 0 elsewhere;  z > 2: 0.
    autograd::record("ProdBackward0", {out}, {t}, {t}, [kshape = kept_shape(t, dims, "prod"), dims](
                                                             const Tensors& g, const Tensors& s) {
      const Tensor& x = s[0];
      const Tensor zero = scalar_tensor(0.0);
      Tensor is_zero = x == 0;
      Tensor zeros_in_slice = sum(to_dtype(is_zero, DType::Int64), dims, true);
      Tensor safe_x = where(is_zero, scalar_tensor(1.0), x);
      Tensor nz = prod(safe_x, dims, true), zsum = sum(where(is_zero, x, zero), dims, true);
      Tensor others = where(zeros_in_slice == 0, div(nz, safe_x),
                            where(zeros_in_slice == 1, where(is_zero, nz, div(mul(zsum, nz), safe_x)),
                                  where(logical_and(zeros_in_slice == 2, is_zero), mul(sub(zsum, x), nz), zero)));
      return Tensors{mul(reshape(g[0], kshape), others)};
    });
  }
  return out;
}

Tensor mean(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) {
  const DType dt = dtype.value_or(t.dtype());
  EMBER_CHECK_TYPE(is_floating(dt), "mean: could not infer output dtype: input dtype ", dtype_name(t.dtype()),
                   " is not floating; pass a floating dtype or convert the input");
  const int64_t n = count_reduced(t, dims, "mean");
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    // 16-bit floats sum and divide in float32 and round once, as PyTorch's.
    const DType acc = widened(dt);
    out = to_dtype(div(reduce_op("mean", cpu::ReduceOp::Sum, t, dims, keepdim, acc, acc),
                       scalar_tensor(static_cast<double>(n))), dt);
  }
  if (rec) record_sum("MeanBackward0", out, t, dims, 1.0 / static_cast<double>(n));
  return out;
}

namespace {
/// amax and amin: the gradient is shared evenly by the elements equal to the result.
Tensor extreme(const char* op, cpu::ReduceOp rop, const char* node, const Tensor& t, const OptDims& dims, bool keepdim) {
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = reduce_op(op, rop, t, dims, keepdim, t.dtype(), t.dtype());
  }
  if (rec)
    autograd::record(node, {out}, {t}, {t, out}, [kshape = kept_shape(t, dims, op), dims](const Tensors& g,
                                                                                         const Tensors& s) {
      Tensor hit = to_dtype(eq(s[0], reshape(s[1], kshape)), g[0].dtype());
      return Tensors{div(mul(reshape(g[0], kshape), hit), sum(hit, dims, true))};
    });
  return out;
}
}  // namespace

Tensor amax(const Tensor& t, const OptDims& dims, bool keepdim) {
  return extreme("amax", cpu::ReduceOp::Max, "AmaxBackward0", t, dims, keepdim);
}

Tensor amin(const Tensor& t, const OptDims& dims, bool keepdim) {
  return extreme("amin", cpu::ReduceOp::Min, "AminBackward0", t, dims, keepdim);
}

namespace {
/// all and any give bool, but uint8 for uint8 input (PyTorch keeps that older convention).
Tensor logical_reduction(const char* op, cpu::ReduceOp rop, const Tensor& t, const OptDims& dims, bool keepdim) {
  Tensor r = dims && dims->empty() ? to_dtype(t, DType::Bool, true)  // dim=(): nothing reduced
                                   : reduce_op(op, rop, t, dims, keepdim, DType::Bool, DType::Bool);
  return t.dtype() == DType::UInt8 ? to_dtype(r, DType::UInt8) : r;
}

/// max() and min() of all elements: the gradient is shared evenly by the elements equal to the
/// result, or by the NaNs when the result is NaN (PyTorch's evenly_distribute_backward; amax's
/// gradient at a NaN result is NaN instead).
Tensor extreme_all(const char* op, cpu::ReduceOp rop, const char* node, const Tensor& t) {
  EMBER_CHECK_RUNTIME(t.numel() > 0, op, ": expected reduction dim to be specified for input.numel() == 0 (shape ",
                      shape_str(t.sizes()), ")");
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = reduce_op(op, rop, t, {}, false, t.dtype(), t.dtype());
  }
  if (rec)
    autograd::record(node, {out}, {t}, {t, out}, [](const Tensors& g, const Tensors& s) {
      const Tensor &x = s[0], &v = s[1];
      Tensor hit = logical_or(eq(x, v), logical_and(isnan(x), isnan(v)));
      Tensor share = div(g[0], sum(hit));
      return Tensors{where(hit, share, zeros({}, g[0].dtype()))};
    });
  return out;
}
}  // namespace

Tensor max(const Tensor& t) { return extreme_all("max", cpu::ReduceOp::Max, "MaxBackward1", t); }

Tensor min(const Tensor& t) { return extreme_all("min", cpu::ReduceOp::Min, "MinBackward1", t); }

Tensor count_nonzero(const Tensor& t, const OptDims& dims) {
  reduced_mask(t, dims, "count_nonzero");  // validates dims under this op's name
  return sum(ne(t, zeros({}, t.dtype())), dims, false, DType::Int64);
}

Tensor all(const Tensor& t, const OptDims& dims, bool keepdim) {
  return logical_reduction("all", cpu::ReduceOp::All, t, dims, keepdim);
}

Tensor any(const Tensor& t, const OptDims& dims, bool keepdim) {
  return logical_reduction("any", cpu::ReduceOp::Any, t, dims, keepdim);
}

namespace {
std::pair<Tensor, Tensor> arg_reduce(const char* op, bool is_max, const Tensor& t, int64_t dim, bool keepdim) {
  autograd::RecordingOff off(autograd::needs_grad(t));  // max_dim records the values' history
  dim = wrap_dim(dim, t.dim(), op);
  if (op[0] == 'a') EMBER_CHECK_TYPE(t.dtype() != DType::Bool, op, ": does not support bool input");
  Tensor in = t.dim() == 0 ? reshape(t, {1}) : t;
  EMBER_CHECK_INDEX(in.sizes()[dim] > 0, op, ": expected reduction dim ", dim, " to have non-zero size (shape ",
                    shape_str(t.sizes()), ")");
  Shape out_shape = in.sizes();
  out_shape.erase(out_shape.begin() + dim);
  Tensor values = Tensor::empty(out_shape, t.dtype(), t.device());
  Tensor indices = Tensor::empty(out_shape, DType::Int64, t.device());
  const Tensor picked = kernel_output(values);
  call_kernel(t.device(), op, cpu::arg_reduce, is_max, picked, indices, kernel_input(in, in.dtype()), dim);
  finish_output(values, picked);
  if (keepdim && t.dim() > 0) {
    values = unsqueeze(values, dim);
    indices = unsqueeze(indices, dim);
  }
  return {values, indices};
}

/// max(dim) / min(dim): the gradient goes to the index that was picked.
void record_picked(const char* name, const Tensor& values, const Tensor& indices, const Tensor& t, int64_t dim,
                   bool keepdim) {
  dim = wrap_dim(dim, t.dim(), name);
  autograd::record(name, {values}, {t}, {indices}, [in_sizes = t.sizes(), dim, keepdim](const Tensors& g,
                                                                                         const Tensors& s) {
    if (in_sizes.empty()) return Tensors{reshape(g[0], {})};
    Tensor gv = keepdim ? g[0] : unsqueeze(g[0], dim), idx = keepdim ? s[0] : unsqueeze(s[0], dim);
    return Tensors{scatter(zeros(in_sizes, g[0].dtype()), dim, idx, gv)};
  });
}
}  // namespace

std::pair<Tensor, Tensor> max_dim(const Tensor& t, int64_t dim, bool keepdim) {
  auto r = arg_reduce("max", true, t, dim, keepdim);
  if (autograd::needs_grad(t)) record_picked("MaxBackward0", r.first, r.second, t, dim, keepdim);
  return r;
}

std::pair<Tensor, Tensor> min_dim(const Tensor& t, int64_t dim, bool keepdim) {
  auto r = arg_reduce("min", false, t, dim, keepdim);
  if (autograd::needs_grad(t)) record_picked("MinBackward0", r.first, r.second, t, dim, keepdim);
  return r;
}

Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  if (dim) return arg_reduce("argmax", true, t, *dim, keepdim).second;
  EMBER_CHECK_INDEX(t.numel() > 0, "argmax: expected a non-empty tensor (shape ", shape_str(t.sizes()), ")");
  Tensor idx = arg_reduce("argmax", true, reshape(t, {-1}), 0, false).second;
  return keepdim ? reshape(idx, Shape(t.dim(), 1)) : idx;
}

Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  if (dim) return arg_reduce("argmin", false, t, *dim, keepdim).second;
  EMBER_CHECK_INDEX(t.numel() > 0, "argmin: expected a non-empty tensor (shape ", shape_str(t.sizes()), ")");
  Tensor idx = arg_reduce("argmin", false, reshape(t, {-1}), 0, false).second;
  return keepdim ? reshape(idx, Shape(t.dim(), 1)) : idx;
}

namespace {
/// The divisor of var and std, N - correction (N - correction <= 0 gives inf or NaN, as
/// PyTorch, with its warning left out); NaN for N = 0, so an empty slice's variance is NaN
/// whatever the correction (0 / (0 - correction) would be 0 for a negative one). Validates dims
/// under op's name.
double var_divisor(const char* op, const Tensor& t, const OptDims& dims, double correction) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), op, ": expected a floating tensor, got ", dtype_name(t.dtype()));
  const int64_t n = count_reduced(t, dims, op);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  return std::max(0.0, static_cast<double>(n) - correction);
}

/// var's value. As PyTorch's CPU kernels, the mean is taken in float32 for float32 (and the 16-bit
/// floats) and the squares summed in double (so the std of [1e20, -1e20] is finite, though 1e40
/// is not a float32, and that of [3e38, 3e38] is inf, its float32 mean being inf).
Tensor var_value(const Tensor& t, const OptDims& dims, double divisor, bool keepdim) {
  const Tensor x = is_narrow(t.dtype()) ? to_dtype(t, widened(t.dtype())) : t;
  const std::vector<bool> mask = reduced_mask(t, dims, "var");
  const int64_t n_reduced = std::count(mask.begin(), mask.end(), true);
  Tensor in = permute(x, reduced_last(mask));
  Shape kept(in.sizes().begin(), in.sizes().begin() + (in.dim() - n_reduced));
  Tensor out = Tensor::empty(kept, DType::Float64, t.device());
  call_kernel(t.device(), "var", cpu::sum_sq_dev, out, in, reshape(mean(x, dims, true), kept), n_reduced);
  return div(reshape(out, reduced_shape(t, mask, keepdim)), scalar_tensor(divisor));
}

/// d var / dx = 2 (x - mean) / (N - correction), times g (of the result's shape).
Tensor var_grad(const Tensor& g, const Tensor& x, const OptDims& dims, double divisor, const Shape& kshape) {
  Tensor centered = sub(x, mean(x, dims, true));
  return mul(reshape(g, kshape), mul(centered, scalar_tensor(2.0 / divisor)));
}
}  // namespace

Tensor var(const Tensor& t, const OptDims& dims, double correction, bool keepdim) {
  const double divisor = var_divisor("var", t, dims, correction);
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = to_dtype(var_value(t, dims, divisor, keepdim), t.dtype());
  }
  if (rec)
    autograd::record("VarBackward0", {out}, {t}, {t}, [kshape = kept_shape(t, dims, "var"), dims, divisor](
                                                           const Tensors& g, const Tensors& s) {
      return Tensors{var_grad(g[0], s[0], dims, divisor, kshape)};
    });
  return out;
}

Tensor std(const Tensor& t, const OptDims& dims, double correction, bool keepdim) {
  const double divisor = var_divisor("std", t, dims, correction);
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = to_dtype(sqrt(var_value(t, dims, divisor, keepdim)), t.dtype());
  }
  if (rec)  // var's, times sqrt's g / (2 std); 0 where the spread is 0 (PyTorch's rule) instead of inf * 0
    autograd::record("StdBackward0", {out}, {t}, {t, out}, [kshape = kept_shape(t, dims, "std"), dims, divisor](
                                                                const Tensors& g, const Tensors& s) {
      const Tensor& r = s[1];
      Tensor gv = where(r == 0, scalar_tensor(0.0), div(g[0], mul(r, scalar_tensor(2.0))));
      return Tensors{var_grad(gv, s[0], dims, divisor, kshape)};
    });
  return out;
}

Tensor logsumexp(const Tensor& t, const Dims& dims, bool keepdim) {
  reduced_mask(t, dims, "logsumexp");
  if (is_narrow(t.dtype()) && is_floating(t.dtype()))  // in float32, rounded once
    return via_widened(t, [&](const Tensor& w) { return logsumexp(w, dims, keepdim); });
  Tensor x = is_floating(t.dtype()) ? t : to_dtype(t, default_dtype());
  if (x.numel() == 0) return log(sum(exp(x), dims, keepdim));
  Tensor m;
  {
    // The shift cancels out of the value, so it is a constant for the gradient.
    autograd::NoGradGuard no_grad;
    m = amax(x, dims, true);
    // An all -inf (or +inf) slice would give inf - inf: shift by 0 there instead.
    m = where(isinf(m), zeros({}, m.dtype()), m);
  }
  Tensor out = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? out : squeeze(out, dims.empty() ? OptDims{} : OptDims{dims});
}

Tensor norm(const Tensor& t, double p, const OptDims& dims, bool keepdim) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), "norm: expected a floating tensor, got ", dtype_name(t.dtype()));
  if (is_narrow(t.dtype()))  // in float32, rounded once
    return via_widened(t, [&](const Tensor& w) { return norm(w, p, dims, keepdim); });
  const std::vector<bool> mask = reduced_mask(t, dims, "norm");
  if (std::isinf(p) || p < 0)  // no identity: max, min and 1 / sum of negative powers
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK_INDEX(!mask[d] || t.sizes()[d] > 0, "norm: cannot compute the ", p, " norm over dim ", d,
                        " of size 0 (shape ", shape_str(t.sizes()), ")");
  // As PyTorch's shortcuts: a norm over slices of one element is |x| whatever p (NaN included),
  // so the square of a float32 near FLT_MAX does not overflow (a 0-d tensor with a dim given
  // takes the general path, as in PyTorch); over empty slices it is 0, for a NaN p too.
  int64_t count = 1;
  for (int64_t d = 0; d < t.dim(); ++d) count *= mask[d] ? t.sizes()[d] : 1;
  const Shape out_shape = reduced_shape(t, mask, keepdim);
  if (count == 1 && p != 0 && (t.dim() > 0 || !dims || dims->empty())) return reshape(abs(t), out_shape);
  if (count == 0 && std::isnan(p)) return zeros(out_shape, t.dtype());
  Tensor a = abs(t);
  if (std::isinf(p)) return p > 0 ? amax(a, dims, keepdim) : amin(a, dims, keepdim);
  if (p == 0) {  // a count: it requires grad, as PyTorch's, but passes no gradient on
    const bool rec = autograd::needs_grad(t);
    Tensor out;
    {
      autograd::RecordingOff off(rec);
      out = sum(to_dtype(ne(t, zeros({}, t.dtype())), t.dtype()), dims, keepdim);
    }
    if (rec) autograd::record("NormBackward1", {out}, {t}, {}, [](const Tensors&, const Tensors&) { return Tensors(1); });
    return out;
  }
  if (p == 1) return sum(a, dims, keepdim);
  const bool rec = autograd::needs_grad(t);
  // As PyTorch's kernel, the power and its inverse in t's dtype: a float32 norm of p = 1e39 is one
  // with p = inf there (not the max), so (sum |x|^inf)^(1 / inf) = 1.
  const double p_t = t.dtype() == DType::Float32 ? static_cast<double>(static_cast<float>(p)) : p;
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = p == 2 ? sqrt(sum(mul(a, a), dims, keepdim))
                 : pow(sum(pow(a, scalar_tensor(p_t)), dims, keepdim), scalar_tensor(1.0 / p_t));
  }
  if (rec) {
    // d|x|_p / dx = sign(x) |x|^(p-1) / |x|_p^(p-1), and 0 where the norm is 0 (as PyTorch).
    autograd::record("NormBackward1", {out}, {t}, {t, out}, [kshape = kept_shape(t, dims, "norm"), p](
                                                                const Tensors& g, const Tensors& s) {
      const Tensor& x = s[0];
      Tensor n = reshape(s[1], kshape);
      Tensor scale = p == 2 ? div(x, n) : div(mul(sign(x), pow(abs(x), scalar_tensor(p - 1))), pow(n, scalar_tensor(p - 1)));
      return Tensors{where(n == 0, scalar_tensor(0.0), mul(reshape(g[0], kshape), scale))};
    });
  }
  return out;
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  if (t.sizes() == shape) return t;
  const int64_t lead = t.dim() - static_cast<int64_t>(shape.size());
  EMBER_CHECK(lead >= 0, "sum_to: shape ", shape_str(t.sizes()), " cannot be summed to ", shape_str(shape));
  Dims dims;
  for (int64_t d = 0; d < lead; ++d) dims.push_back(d);
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t have = t.sizes()[lead + static_cast<int64_t>(i)];
    EMBER_CHECK(shape[i] == have || shape[i] == 1, "sum_to: shape ", shape_str(t.sizes()), " cannot be summed to ",
                shape_str(shape));
    if (shape[i] == 1 && have != 1) dims.push_back(lead + static_cast<int64_t>(i));
  }
  return reshape(dims.empty() ? t : sum(t, dims, true), shape);
}

// ---- softmax family ---------------------------------------------------------------------------
namespace {
Tensor softmax_input(const char* op, const Tensor& t, int64_t& dim, OptDType dtype) {
  Tensor x = dtype ? to_dtype(t, *dtype) : t;
  EMBER_CHECK_TYPE(is_floating(x.dtype()), op, ": expected a floating tensor (or a floating dtype=), got ",
                   dtype_name(x.dtype()));
  dim = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), op);
  return x;
}

/// softmax (log_softmax when log) of a floating x along dim, by the kernels of cpu/softmax.cpp,
/// recording one node whose backward is PyTorch's closed form: a kernel, or ember ops when a
/// graph of the gradient is asked for (create_graph).
Tensor softmax_rows(const Tensor& x, int64_t dim, bool log) {
  const bool rec = autograd::needs_grad(x);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = Tensor::empty(x.sizes(), x.dtype(), x.device());
    call_kernel(x.device(), log ? "log_softmax" : "softmax", cpu::softmax, out, contiguous(x), dim, log);
  }
  if (rec)
    autograd::record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", {out}, {x}, {out},
                     [dim, log](const Tensors& g, const Tensors& s) {
      const Tensor& y = s[0];
      if (autograd::is_grad_enabled())  // log: dx = g - exp(y) sum(g); else dx = y (g - sum(g y))
        return Tensors{log ? sub(g[0], mul(exp(y), sum(g[0], Dims{dim}, true)))
                           : mul(y, sub(g[0], sum(mul(g[0], y), Dims{dim}, true)))};
      Tensor dx = Tensor::empty(y.sizes(), y.dtype(), y.device());
      call_kernel(y.device(), log ? "log_softmax_backward" : "softmax_backward", cpu::softmax_backward, dx,
                  contiguous(g[0]), contiguous(y), dim, log);
      return Tensors{dx};
    });
  return out;
}
}  // namespace

Tensor softmax(const Tensor& t, int64_t dim, OptDType dtype) {
  Tensor x = softmax_input("softmax", t, dim, dtype);
  if (is_narrow(x.dtype())) return via_widened(x, [&](const Tensor& w) { return softmax(w, dim, {}); });
  if (x.dim() == 0 || x.numel() == 0) return exp(sub(x, x));
  return softmax_rows(x, dim, /*log=*/false);
}

Tensor log_softmax(const Tensor& t, int64_t dim, OptDType dtype) {
  Tensor x = softmax_input("log_softmax", t, dim, dtype);
  if (is_narrow(x.dtype())) return via_widened(x, [&](const Tensor& w) { return log_softmax(w, dim, {}); });
  if (x.dim() == 0 || x.numel() == 0) return sub(x, x);
  return softmax_rows(x, dim, /*log=*/true);
}

}  // namespace ember
