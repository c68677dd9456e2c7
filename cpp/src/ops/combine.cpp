// Composite ops written with other ember ops (views, products, joins): their gradients and
// their devices come from those ops (but float cross's, which rounds as torch's fused kernel and
// records torch's node). trace, kron, cross, diff, vander, meshgrid, cartesian_prod,
// broadcast_tensors, atleast_nd, take_along_dim, argwhere.
#include <algorithm>

#include "autograd/record.h"
#include "ember/autograd.h"
#include "ember/ops.h"
#include "ops/multiply_add.h"

namespace ember {

Tensor trace(const Tensor& t) {
  EMBER_CHECK_RUNTIME(t.dim() == 2, "trace: expected a matrix, got shape ", shape_str(t.sizes()));
  EMBER_CHECK_TYPE(t.dtype() != DType::Bool, "trace: not implemented for bool");
  return sum(diagonal(t));
}

Tensor kron(const Tensor& a, const Tensor& b) {
  // a as (a0, 1, a1, 1, ...) times b as (1, b0, 1, b1, ...), then dims merged in pairs.
  const int64_t nd = std::max(a.dim(), b.dim());
  Shape as, bs, out;
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t ai = i < nd - a.dim() ? 1 : a.sizes()[i - (nd - a.dim())];
    const int64_t bi = i < nd - b.dim() ? 1 : b.sizes()[i - (nd - b.dim())];
    as.insert(as.end(), {ai, 1});
    bs.insert(bs.end(), {1, bi});
    out.push_back(ai * bi);
  }
  return reshape(mul(reshape(a, as), reshape(b, bs)), out);
}

Tensor cross(const Tensor& a, const Tensor& b, std::optional<int64_t> dim) {
  EMBER_CHECK_RUNTIME(a.dim() == b.dim(), "cross: inputs must have the same number of dims, got shapes ",
                      shape_str(a.sizes()), " and ", shape_str(b.sizes()));
  EMBER_CHECK_TYPE(a.dtype() == b.dtype(), "cross: expected both inputs to have the same dtype, got ",
                   dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  EMBER_CHECK_INDEX(!dim || a.dim() > 0, "cross: dim ", dim.value_or(0), " specified but the inputs have no dims");
  const Shape shape = broadcast_shapes(a.sizes(), b.sizes(), "cross");
  int64_t d = -1;
  if (dim) {
    d = wrap_dim(*dim, static_cast<int64_t>(shape.size()), "cross");
  } else {  // PyTorch's legacy default: the first dim of size 3
    for (size_t i = 0; i < shape.size() && d < 0; ++i)
      if (shape[i] == 3) d = static_cast<int64_t>(i);
    EMBER_CHECK_RUNTIME(d >= 0, "cross: no dim of size 3 in inputs of shapes ", shape_str(a.sizes()), " and ",
                        shape_str(b.sizes()));
  }
  EMBER_CHECK_RUNTIME(!shape.empty() && a.sizes()[d] == 3 && b.sizes()[d] == 3, "cross: inputs dim ", d,
                      " must have length 3, got shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()));
  EMBER_CHECK_TYPE(a.dtype() != DType::Bool && b.dtype() != DType::Bool, "cross: does not support bool inputs");
  const Tensor x = expand(a, shape), y = expand(b, shape);
  auto at = [d](const Tensor& t, int64_t i) { return select(t, d, i); };
  const DType dt = a.dtype();
  if (dt != DType::Float32 && dt != DType::Float64)  // integers exact; 16-bit: each step rounded, as torch's
    return stack({sub(mul(at(x, 1), at(y, 2)), mul(at(x, 2), at(y, 1))),
                  sub(mul(at(x, 2), at(y, 0)), mul(at(x, 0), at(y, 2))),
                  sub(mul(at(x, 0), at(y, 1)), mul(at(x, 1), at(y, 0)))},
                 d);
  // torch's kernel computes a_i b_j - a_j b_i with the first product fused (its compiler's
  // contraction): under cancellation (near-parallel vectors) the roundings decide the result.
  const bool rec = autograd::needs_grad(a, b);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    auto term = [&](int64_t i, int64_t j) { return multiply_add(at(x, i), at(y, j), neg(mul(at(x, j), at(y, i))), dt); };
    out = stack({term(1, 2), term(2, 0), term(0, 1)}, d);
  }
  if (rec)  // torch's: cross(other, grad), cross(grad, self)
    autograd::record("LinalgCrossBackward0", {out}, {a, b}, {a, b}, [d](const Tensors& g, const Tensors& s) {
      return Tensors{cross(s[1], g[0], d), cross(g[0], s[0], d)};
    });
  return out;
}

Tensor diff(const Tensor& t, int64_t n, int64_t dim, const Tensor& prepend, const Tensor& append) {
  EMBER_CHECK_RUNTIME(t.dim() >= 1, "diff: expects input to be at least one-dimensional, got shape ",
                      shape_str(t.sizes()));
  EMBER_CHECK_RUNTIME(n >= 0, "diff: order must be non-negative, got ", n);
  dim = wrap_dim(dim, t.dim(), "diff");
  std::vector<Tensor> parts;
  for (const Tensor* p : {&prepend, &t, &append}) {
    if (!p->defined()) continue;
    EMBER_CHECK_RUNTIME(p->dim() == t.dim(), "diff: prepend and append must have as many dims as input, got shapes ",
                        shape_str(p->sizes()), " and ", shape_str(t.sizes()));
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK_RUNTIME(d == dim || p->sizes()[d] == t.sizes()[d], "diff: prepend and append must match input's shape ",
                          "except along dim ", dim, ", got shapes ", shape_str(p->sizes()), " and ", shape_str(t.sizes()));
    parts.push_back(*p);
  }
  if (n == 0) return t;  // prepend and append are checked but not joined, as PyTorch's
  Tensor x = parts.size() == 1 ? t : cat(parts, dim);
  for (int64_t i = 0; i < n && x.sizes()[dim] > 0; ++i) {
    const int64_t len = x.sizes()[dim] - 1;
    const Tensor later = narrow(x, dim, 1, len), earlier = narrow(x, dim, 0, len);
    x = x.dtype() == DType::Bool ? ne(later, earlier) : sub(later, earlier);  // bool: logical_xor, as PyTorch
  }
  return x;
}

Tensor vander(const Tensor& x, std::optional<int64_t> N, bool increasing) {
  EMBER_CHECK_RUNTIME(x.dim() == 1, "vander: x must be a one-dimensional tensor, got shape ", shape_str(x.sizes()));
  const int64_t n = N.value_or(x.sizes()[0]);
  EMBER_CHECK_RUNTIME(n >= 0, "vander: N must be non-negative, got ", n);
  // Powers by a running product (as PyTorch's): bool and integers give int64.
  const DType dt = is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  if (n <= 1) return n == 0 ? empty({x.sizes()[0], 0}, dt) : ones({x.sizes()[0], 1}, dt);  // constants, no grad
  const Tensor col = unsqueeze(x, 1);
  Tensor powers = cumprod(cat({ones({x.sizes()[0], 1}, dt), expand(col, {x.sizes()[0], n - 1})}, 1), 1);
  return increasing ? powers : flip(powers, {1});
}

std::vector<Tensor> meshgrid(const std::vector<Tensor>& tensors, const std::string& indexing) {
  EMBER_CHECK(indexing == "ij" || indexing == "xy", "meshgrid: indexing must be 'ij' or 'xy', got '", indexing, "'");
  EMBER_CHECK_RUNTIME(!tensors.empty(), "meshgrid: expects a non-empty list of tensors");
  Shape shape;
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK_RUNTIME(tensors[i].dim() <= 1, "meshgrid: expects all tensors to be 0-d or 1-d, got shape ",
                        shape_str(tensors[i].sizes()), " for tensor ", i);
    EMBER_CHECK_TYPE(tensors[i].dtype() == tensors[0].dtype(), "meshgrid: expects all tensors to have the same dtype, got ",
                     dtype_name(tensors[0].dtype()), " and ", dtype_name(tensors[i].dtype()));
    shape.push_back(tensors[i].numel());
  }
  // "xy" swaps the first two output dims: the first tensor varies along columns.
  const bool xy = indexing == "xy" && tensors.size() >= 2;
  if (xy) std::swap(shape[0], shape[1]);
  std::vector<Tensor> out;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const size_t at = xy && i < 2 ? 1 - i : i;
    Shape one(shape.size(), 1);
    one[at] = shape[at];
    out.push_back(expand(reshape(tensors[i], one), shape));
  }
  return out;
}

Tensor cartesian_prod(const std::vector<Tensor>& tensors) {
  for (const Tensor& t : tensors)
    EMBER_CHECK_RUNTIME(t.dim() == 1, "cartesian_prod: expects 1-d tensors, got shape ", shape_str(t.sizes()));
  EMBER_CHECK_RUNTIME(!tensors.empty(), "cartesian_prod: expects a non-empty list of tensors");
  if (tensors.size() == 1) return tensors[0];
  std::vector<Tensor> columns;
  for (const Tensor& g : meshgrid(tensors, "ij")) columns.push_back(reshape(g, {-1}));
  return stack(columns, 1);
}

std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors) {
  Shape shape;
  for (const Tensor& t : tensors) shape = broadcast_shapes(shape, t.sizes(), "broadcast_tensors");
  std::vector<Tensor> out;
  for (const Tensor& t : tensors) out.push_back(expand(t, shape));
  return out;
}

Tensor atleast_nd(const Tensor& t, int64_t n) {
  EMBER_CHECK(n >= 1 && n <= 3, "atleast_nd: n must be 1, 2 or 3, got ", n);
  if (t.dim() >= n) return t;
  switch (t.dim()) {
    case 0: return reshape(t, Shape(n, 1));
    case 1: return n == 2 ? unsqueeze(t, 0) : reshape(t, {1, t.sizes()[0], 1});  // NumPy's (1, N, 1)
    default: return unsqueeze(t, -1);
  }
}

Tensor take_along_dim(const Tensor& t, const Tensor& indices, std::optional<int64_t> dim) {
  EMBER_CHECK_TYPE(indices.dtype() == DType::Int64, "take_along_dim: dtype of indices should be int64, got ",
                   dtype_name(indices.dtype()));
  if (!dim) return gather(reshape(t, {-1}), 0, reshape(indices, {-1}));
  EMBER_CHECK_RUNTIME(t.dim() == indices.dim(), "take_along_dim: input and indices should have the same number of dims, got shapes ",
                      shape_str(t.sizes()), " and ", shape_str(indices.sizes()));
  const int64_t d = wrap_dim(*dim, t.dim(), "take_along_dim");
  if (t.dim() == 0) return gather(t, 0, indices);
  // Both broadcast against each other in every dim but d.
  Shape t_shape = t.sizes(), i_shape = indices.sizes();
  t_shape[d] = i_shape[d] = 1;
  Shape shape = broadcast_shapes(t_shape, i_shape, "take_along_dim");
  t_shape = i_shape = shape;
  t_shape[d] = t.sizes()[d];
  i_shape[d] = indices.sizes()[d];
  return gather(expand(t, t_shape), d, expand(indices, i_shape));
}

Tensor argwhere(const Tensor& t) { return nonzero(t); }

}  // namespace ember
