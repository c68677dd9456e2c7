// Reductions over any set of dims, with keepdim. The kernel reduces trailing dims, so the op
// permutes the reduced dims to the end (a view) and reshapes the result. var, std, logsumexp
// and norm are composites.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/ops.h"
#include "kernels.h"

namespace ember {

namespace {
/// Which dims are reduced (all when dims is absent or empty).
std::vector<bool> reduced_mask(const Tensor& t, const OptDims& dims, const char* op) {
  std::vector<bool> mask(t.dim(), !dims || dims->empty());
  if (dims) {
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

Tensor reduce_op(const char* op, cpu::ReduceOp rop, const Tensor& t, const OptDims& dims, bool keepdim, DType out_dtype,
                 DType in_dtype) {
  const std::vector<bool> mask = reduced_mask(t, dims, op);
  Dims order;
  int64_t n_reduced = 0;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (!mask[d]) order.push_back(d);
  for (int64_t d = 0; d < t.dim(); ++d)
    if (mask[d]) {
      order.push_back(d);
      ++n_reduced;
    }
  if (rop == cpu::ReduceOp::Max || rop == cpu::ReduceOp::Min) {
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK_INDEX(!mask[d] || t.sizes()[d] > 0, op, ": cannot reduce over dim ", d,
                        " of size 0 (shape ", shape_str(t.sizes()), "): the operation has no identity");
  }
  Tensor in = permute(to_dtype(t, in_dtype), order);
  Shape kept(in.sizes().begin(), in.sizes().begin() + (in.dim() - n_reduced));
  Tensor out = Tensor::empty(kept, out_dtype, t.device());
  call_kernel(t.device(), op, cpu::reduce, rop, out, in, n_reduced);
  Shape shape = reduced_shape(t, mask, keepdim);
  Shape strides = contiguous_strides(shape);
  return Tensor::make_view(out, std::move(shape), std::move(strides), 0);
}

DType sum_dtype(const Tensor& t, OptDType dtype) {
  if (dtype) return *dtype;
  return is_floating(t.dtype()) ? t.dtype() : DType::Int64;
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
  return reduce_op("sum", cpu::ReduceOp::Sum, t, dims, keepdim, dt, dt);
}

Tensor prod(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) {
  const DType dt = sum_dtype(t, dtype);
  return reduce_op("prod", cpu::ReduceOp::Prod, t, dims, keepdim, dt, dt);
}

Tensor mean(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) {
  const DType dt = dtype.value_or(t.dtype());
  EMBER_CHECK_TYPE(is_floating(dt), "mean: could not infer output dtype: input dtype ", dtype_name(t.dtype()),
                   " is not floating; pass a floating dtype or convert the input");
  const int64_t n = count_reduced(t, dims, "mean");
  Tensor s = reduce_op("mean", cpu::ReduceOp::Sum, t, dims, keepdim, dt, dt);
  return div(s, scalar_tensor(static_cast<double>(n)));
}

Tensor amax(const Tensor& t, const OptDims& dims, bool keepdim) {
  return reduce_op("amax", cpu::ReduceOp::Max, t, dims, keepdim, t.dtype(), t.dtype());
}

Tensor amin(const Tensor& t, const OptDims& dims, bool keepdim) {
  return reduce_op("amin", cpu::ReduceOp::Min, t, dims, keepdim, t.dtype(), t.dtype());
}

Tensor all(const Tensor& t, const OptDims& dims, bool keepdim) {
  if (dims && dims->empty()) return to_dtype(t, DType::Bool, true);  // dim=(): nothing reduced
  return reduce_op("all", cpu::ReduceOp::All, t, dims, keepdim, DType::Bool, DType::Bool);
}

Tensor any(const Tensor& t, const OptDims& dims, bool keepdim) {
  if (dims && dims->empty()) return to_dtype(t, DType::Bool, true);
  return reduce_op("any", cpu::ReduceOp::Any, t, dims, keepdim, DType::Bool, DType::Bool);
}

namespace {
std::pair<Tensor, Tensor> arg_reduce(const char* op, bool is_max, const Tensor& t, int64_t dim, bool keepdim) {
  dim = wrap_dim(dim, t.dim(), op);
  if (op[0] == 'a') EMBER_CHECK_TYPE(t.dtype() != DType::Bool, op, ": does not support bool input");
  Tensor in = t.dim() == 0 ? reshape(t, {1}) : t;
  EMBER_CHECK_INDEX(in.sizes()[dim] > 0, op, ": expected reduction dim ", dim, " to have non-zero size (shape ",
                    shape_str(t.sizes()), ")");
  Shape out_shape = in.sizes();
  out_shape.erase(out_shape.begin() + dim);
  Tensor values = Tensor::empty(out_shape, t.dtype(), t.device());
  Tensor indices = Tensor::empty(out_shape, DType::Int64, t.device());
  call_kernel(t.device(), op, cpu::arg_reduce, is_max, values, indices, in, dim);
  if (keepdim && t.dim() > 0) {
    values = unsqueeze(values, dim);
    indices = unsqueeze(indices, dim);
  }
  return {values, indices};
}
}  // namespace

std::pair<Tensor, Tensor> max_dim(const Tensor& t, int64_t dim, bool keepdim) {
  return arg_reduce("max", true, t, dim, keepdim);
}

std::pair<Tensor, Tensor> min_dim(const Tensor& t, int64_t dim, bool keepdim) {
  return arg_reduce("min", false, t, dim, keepdim);
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
Tensor var_impl(const char* op, const Tensor& t, const OptDims& dims, double correction, bool keepdim) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), op, ": expected a floating tensor, got ", dtype_name(t.dtype()));
  const int64_t n = count_reduced(t, dims, op);  // validates dims under this op's name
  Tensor centered = sub(t, mean(t, dims, true));
  Tensor ss = sum(mul(centered, centered), dims, keepdim);
  // N - correction <= 0 gives inf or NaN, as PyTorch (with its warning left out).
  return div(ss, scalar_tensor(std::max(0.0, static_cast<double>(n) - correction)));
}
}  // namespace

Tensor var(const Tensor& t, const OptDims& dims, double correction, bool keepdim) {
  return var_impl("var", t, dims, correction, keepdim);
}

Tensor std(const Tensor& t, const OptDims& dims, double correction, bool keepdim) {
  return sqrt(var_impl("std", t, dims, correction, keepdim));
}

Tensor logsumexp(const Tensor& t, const Dims& dims, bool keepdim) {
  reduced_mask(t, dims, "logsumexp");
  Tensor x = is_floating(t.dtype()) ? t : to_dtype(t, DType::Float32);
  if (x.numel() == 0) return log(sum(exp(x), dims, keepdim));
  Tensor m = amax(x, dims, true);
  // An all -inf (or +inf) slice would give inf - inf: shift by 0 there instead.
  m = where(isinf(m), zeros({}, m.dtype()), m);
  Tensor out = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? out : squeeze(out, dims.empty() ? OptDims{} : OptDims{dims});
}

Tensor norm(const Tensor& t, double p, const OptDims& dims, bool keepdim) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), "norm: expected a floating tensor, got ", dtype_name(t.dtype()));
  const std::vector<bool> mask = reduced_mask(t, dims, "norm");
  if (std::isinf(p))
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK_INDEX(!mask[d] || t.sizes()[d] > 0, "norm: cannot compute the ", p > 0 ? "" : "-",
                        "inf norm over dim ", d, " of size 0 (shape ", shape_str(t.sizes()), ")");
  Tensor a = abs(t);
  if (std::isinf(p)) return p > 0 ? amax(a, dims, keepdim) : amin(a, dims, keepdim);
  if (p == 0) return sum(to_dtype(ne(t, zeros({}, t.dtype())), t.dtype()), dims, keepdim);
  if (p == 1) return sum(a, dims, keepdim);
  if (p == 2) return sqrt(sum(mul(a, a), dims, keepdim));
  return pow(sum(pow(a, scalar_tensor(p)), dims, keepdim), scalar_tensor(1.0 / p));
}

Tensor cumsum(const Tensor& t, int64_t dim, OptDType dtype) {
  dim = wrap_dim(dim, t.dim(), "cumsum");
  const DType dt = sum_dtype(t, dtype);
  Tensor in = t.dim() == 0 ? reshape(t, {1}) : t;
  Tensor out = Tensor::empty(in.sizes(), dt, t.device());
  call_kernel(t.device(), "cumsum", cpu::cumsum, out, in, dim);
  return t.dim() == 0 ? reshape(out, {}) : out;
}

}  // namespace ember
