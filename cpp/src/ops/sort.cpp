// Sorting and selection along one dim: sort, argsort, topk. The checks, shapes and 0-d inputs are
// here; the kernels (cpu/sort.cpp) order NaN above every number and keep equal values in index
// order, so every sort is stable whatever `stable` says (PyTorch leaves the order of ties open
// without it). The values' gradient goes back to the index each value came from, as max(dim)'s.
#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/widen.h"

namespace ember {

namespace {
/// A 0-d tensor is sorted as a 1-element one.
Tensor as_line(const Tensor& t) { return t.dim() == 0 ? reshape(t, {1}) : t; }

/// The gradient of values picked from t (of in_sizes) at indices along dim: scattered back into
/// zeros (the indices along a line are distinct). Written with ember ops, so it has its own.
Tensor picked_backward(const Tensor& g, const Tensor& indices, const Shape& in_sizes, int64_t dim) {
  if (in_sizes.empty()) return reshape(g, {});
  return scatter(zeros(in_sizes, g.dtype(), g.device()), dim, indices, g);
}

/// Records the node of sort / topk: values (of t's dtype) were picked from t at indices.
void record_picked(const std::string& node, const Tensor& values, const Tensor& indices, const Tensor& t,
                   int64_t dim) {
  autograd::record(node.c_str(), {values}, {t}, {indices}, [in_sizes = t.sizes(), dim](const Tensors& g,
                                                                                      const Tensors& s) {
    return Tensors{picked_backward(g[0], s[0], in_sizes, dim)};
  });
}

/// (values, indices) of t sorted along dim (already wrapped), recording nothing.
std::pair<Tensor, Tensor> sorted_along(const char* op, const Tensor& t, int64_t dim, bool descending) {
  const Tensor in = as_line(t);
  Tensor values = Tensor::empty(in.sizes(), t.dtype(), t.device());
  Tensor indices = Tensor::empty(in.sizes(), DType::Int64, t.device());
  const Tensor picked = kernel_output(values);
  call_kernel(t.device(), op, cpu::sort, picked, indices, kernel_input(in, in.dtype()), dim, descending);
  finish_output(values, picked);
  if (t.dim() == 0) return {reshape(values, {}), reshape(indices, {})};
  return {values, indices};
}
}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& t, int64_t dim, bool descending, bool /*stable: always*/) {
  static const std::string node = autograd::backward_name("sort");
  dim = wrap_dim(dim, t.dim(), "sort");
  const bool rec = autograd::needs_grad(t);
  std::pair<Tensor, Tensor> r;
  {
    autograd::RecordingOff off(rec);
    r = sorted_along("sort", t, dim, descending);
  }
  if (rec) record_picked(node, r.first, r.second, t, dim);
  return r;
}

Tensor argsort(const Tensor& t, int64_t dim, bool descending, bool /*stable: always*/) {
  dim = wrap_dim(dim, t.dim(), "argsort");
  autograd::RecordingOff off(autograd::needs_grad(t));  // indices have no gradient
  return sorted_along("argsort", t, dim, descending).second;
}

std::pair<Tensor, Tensor> topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
  static const std::string node = autograd::backward_name("topk");
  dim = wrap_dim(dim, t.dim(), "topk");
  EMBER_CHECK_TYPE(t.dtype() != DType::Bool, "topk: does not support bool input");
  const Tensor in = as_line(t);
  const int64_t n = in.sizes()[dim];
  EMBER_CHECK_RUNTIME(k >= 0 && k <= n, "topk: selected index k out of range: k=", k, " for dim ", dim, " of size ",
                      n, " (shape ", shape_str(t.sizes()), ")");
  // A 0-d input gives itself for k = 0 as for k = 1, as PyTorch's.
  if (t.dim() == 0) k = 1;
  const bool rec = autograd::needs_grad(t);
  Tensor values, indices;
  {
    autograd::RecordingOff off(rec);
    Shape out_shape = in.sizes();
    out_shape[dim] = k;
    values = Tensor::empty(out_shape, t.dtype(), t.device());
    indices = Tensor::empty(out_shape, DType::Int64, t.device());
    const Tensor picked = kernel_output(values);
    call_kernel(t.device(), "topk", cpu::topk, picked, indices, kernel_input(in, in.dtype()), k, dim, largest, sorted);
    finish_output(values, picked);
    if (t.dim() == 0) {
      values = reshape(values, {});
      indices = reshape(indices, {});
    }
  }
  if (rec) record_picked(node, values, indices, t, dim);
  return {values, indices};
}

}  // namespace ember
