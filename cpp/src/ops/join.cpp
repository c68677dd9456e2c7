// Joining, splitting and indexing composites as PyTorch spells them: hstack, vstack, dstack,
// column_stack, tensor_split, take, index_add / index_copy / index_fill, the view scatters
// (select/slice/diagonal_scatter), masked_scatter, block_diag, cdist, dist, pdist,
// combinations, unravel_index. Written with cat, narrow, index_put and the reductions (their gradients too),
// but pdist and cdist, which run their own kernels (cpu/distance.cpp) and keep the ops' form for
// 16-bit floats and for a graph of their gradients.
#include <algorithm>

#include "autograd/record.h"
#include "cpu/distance.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/inplace.h"

namespace ember {

namespace {
/// t with leading size-1 dims up to n dims (0-d -> (1,), 1-D (k) -> (1, k), 2-D -> (.., .., 1) for n = 3).
Tensor at_least(const Tensor& t, int64_t n) {
  if (t.dim() >= n) return t;
  if (t.dim() == 0) return reshape(t, Shape(n, 1));
  if (n == 2) return unsqueeze(t, 0);
  // atleast_3d: (k) -> (1, k, 1), (a, b) -> (a, b, 1), as NumPy's.
  return t.dim() == 1 ? reshape(t, {1, t.sizes()[0], 1}) : unsqueeze(t, 2);
}
std::vector<Tensor> each_at_least(const std::vector<Tensor>& ts, int64_t n, const char* op) {
  EMBER_CHECK(!ts.empty(), op, ": expects a non-empty TensorList");
  std::vector<Tensor> out;
  for (const Tensor& t : ts) out.push_back(at_least(t, n));
  return out;
}
}  // namespace

Tensor hstack(const std::vector<Tensor>& tensors) {
  const auto ts = each_at_least(tensors, 1, "hstack");
  return cat(ts, ts[0].dim() == 1 ? 0 : 1);
}
Tensor vstack(const std::vector<Tensor>& tensors) { return cat(each_at_least(tensors, 2, "vstack"), 0); }
Tensor dstack(const std::vector<Tensor>& tensors) { return cat(each_at_least(tensors, 3, "dstack"), 2); }
Tensor column_stack(const std::vector<Tensor>& tensors) {
  EMBER_CHECK(!tensors.empty(), "column_stack: expects a non-empty TensorList");
  std::vector<Tensor> cols;
  for (const Tensor& t : tensors) cols.push_back(t.dim() <= 1 ? reshape(t, {t.numel(), 1}) : t);
  return cat(cols, 1);
}

std::vector<Tensor> tensor_split(const Tensor& t, int64_t sections, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, "tensor_split: expected at least a 1-dimensional tensor, got shape ", shape_str(t.sizes()));
  EMBER_CHECK_RUNTIME(sections > 0, "tensor_split: number of sections must be larger than 0, got ", sections);
  // Beyond the dim's size the extra sections are empty views; a list of billions is no use.
  EMBER_CHECK_RUNTIME(sections <= std::max<int64_t>(t.sizes()[wrap_dim(dim, t.dim(), "tensor_split")], 1 << 20),
                      "tensor_split: ", sections, " sections of a dim of size ",
                      t.sizes()[wrap_dim(dim, t.dim(), "tensor_split")], " would be mostly empty tensors");
  dim = wrap_dim(dim, t.dim(), "tensor_split");
  const int64_t n = t.sizes()[dim], base = n / sections, extra = n % sections;
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t i = 0; i < sections; ++i) {
    const int64_t len = base + (i < extra ? 1 : 0);
    out.push_back(narrow(t, dim, start, len));
    start += len;
  }
  return out;
}

std::vector<Tensor> tensor_split(const Tensor& t, const Dims& indices, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, "tensor_split: expected at least a 1-dimensional tensor, got shape ", shape_str(t.sizes()));
  dim = wrap_dim(dim, t.dim(), "tensor_split");
  const int64_t n = t.sizes()[dim];
  // Piece k is t[indices[k-1]:indices[k]] along dim, each a Python slice on its own: negative
  // from the end, clamped to [0, n], empty when it runs backwards ([3, 1] gives [:3], [3:1], [1:]).
  auto clamp_index = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  std::vector<Tensor> out;
  int64_t start = 0;
  for (size_t k = 0; k <= indices.size(); ++k) {
    const int64_t stop = k < indices.size() ? clamp_index(indices[k]) : n;
    out.push_back(narrow(t, dim, start, std::max<int64_t>(stop - start, 0)));
    start = stop;
  }
  return out;
}

Tensor take(const Tensor& t, const Tensor& index) {
  EMBER_CHECK_TYPE(index.dtype() == DType::Int64, "take(): expected a long tensor for index, but got ",
                   dtype_name(index.dtype()));
  const int64_t n = t.numel();
  if (index.numel() > 0) {
    const int64_t hi = amax(index).item<int64_t>(), lo = amin(index).item<int64_t>();
    EMBER_CHECK_INDEX(hi < n && lo >= -n, "take(): index ", hi >= n ? hi : lo, " out of range for tensor of size ",
                      shape_str(t.sizes()));
  }
  const Tensor flat = reshape(index, {index.numel()});
  const Tensor wrapped = where(lt(flat, scalar_tensor(int64_t{0})), add(flat, scalar_tensor(n)), flat);
  return reshape(index_select(reshape(t, {n}), 0, wrapped), index.sizes());
}

namespace {
/// The subscript that addresses `index` along dim: [:, :, index] for dim 2.
std::vector<TensorIndex> along(const Tensor& t, int64_t dim, const Tensor& index, const char* op) {
  EMBER_CHECK(index.dim() <= 1, op, "(): index should have dimension 1 or 0, got shape ", shape_str(index.sizes()));
  EMBER_CHECK_TYPE(index.dtype() == DType::Int64 || index.dtype() == DType::Int32, op,
                   "(): expected a long or int tensor for index, got ", dtype_name(index.dtype()));
  std::vector<TensorIndex> ix(dim, Slice{});
  ix.emplace_back(reshape(index, {index.numel()}));
  return ix;
}
int64_t wrapped_dim(const Tensor& t, int64_t dim, const char* op) { return wrap_dim(dim, std::max<int64_t>(t.dim(), 1), op); }
/// source with its index dim sized as the index's (0-d tensors and sources read as 1-element).
Tensor source_for(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source, const char* op) {
  // before source's shape, which a bad index would make look wrong too (torch's IndexError)
  EMBER_CHECK_INDEX(index.dim() <= 1, op, "(): index should have dimension 1 or 0, got shape ",
                    shape_str(index.sizes()));
  // torch's index_add and index_copy take no negative index (index_fill wraps one); checked in a
  // kernel call of its own, so a replayed graph checks it too
  if (index.numel() > 0 && (index.dtype() == DType::Int64 || index.dtype() == DType::Int32))
    call_check(index.device(), op, check_index_bounds, to_dtype(index, DType::Int64),
               t.dim() == 0 ? int64_t{1} : t.sizes()[dim], false, dim);
  Shape want = t.dim() == 0 ? Shape{1} : t.sizes();
  want[dim] = index.numel();
  const Tensor s = source.dim() == 0 ? reshape(source, Shape(std::max<int64_t>(t.dim(), 1), 1)) : source;
  EMBER_CHECK(s.numel() == numel_of(want) && (s.sizes() == want || t.dim() == 0), op, "(): source of shape ",
              shape_str(source.sizes()), " does not match the ", index.numel(), " indexed slices of self ",
              shape_str(t.sizes()), " along dim ", dim, " (expected ", shape_str(want), ")");
  return reshape(s, want);
}
}  // namespace

Tensor index_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha) {
  dim = wrapped_dim(t, dim, "index_add");
  const Tensor src = source_for(t, dim, index, source, "index_add");
  const Tensor base = t.dim() == 0 ? reshape(t, {1}) : t;
  // An integer self takes alpha in its own type, as torch's: a fractional alpha truncates (0.5 adds nothing).
  if (alpha.is_floating() && !is_floating(t.dtype())) alpha = Scalar(static_cast<int64_t>(alpha.to_double()));
  const Tensor scaled = alpha.to_double() == 1 ? src : mul(src, scalar_tensor(alpha));
  return reshape(index_put(base, along(base, dim, index, "index_add"), to_dtype(scaled, t.dtype()), true), t.sizes());
}
Tensor index_copy(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source) {
  dim = wrapped_dim(t, dim, "index_copy");
  EMBER_CHECK_TYPE(source.dtype() == t.dtype(), "index_copy(): self and source expected to have the same dtype, got ",
                   dtype_name(t.dtype()), " and ", dtype_name(source.dtype()));
  const Tensor src = source_for(t, dim, index, source, "index_copy");
  const Tensor base = t.dim() == 0 ? reshape(t, {1}) : t;
  return reshape(index_put(base, along(base, dim, index, "index_copy"), src, false), t.sizes());
}
Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& value) {
  EMBER_CHECK(value.dim() == 0, "index_fill(): only supports a 0-dimensional value tensor, got shape ",
              shape_str(value.sizes()));
  dim = wrapped_dim(t, dim, "index_fill");
  // torch's checks of the index, even where nothing is filled: its rank, then its dtype (int64 only)
  EMBER_CHECK_RUNTIME(index.dim() <= 1, "index_fill(): index has to be a vector or a scalar, got shape ",
                      shape_str(index.sizes()));
  EMBER_CHECK_INDEX(index.dtype() == DType::Int64, "index_fill(): expected dtype int64 for index, got ",
                    dtype_name(index.dtype()));
  if (t.numel() == 0) return clone(t);  // fills nothing, its indices unchecked, as torch's
  const Tensor base = t.dim() == 0 ? reshape(t, {1}) : t;
  return reshape(index_put(base, along(base, dim, index, "index_fill"), to_dtype(value, t.dtype()), false), t.sizes());
}
Tensor& index_add_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha) {
  return assign_composite(t, "index_add_", {&source}, [&](const Tensor& old) { return index_add(old, dim, index, source, alpha); });
}
Tensor& index_copy_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& source) {
  return assign_composite(t, "index_copy_", {&source}, [&](const Tensor& old) { return index_copy(old, dim, index, source); });
}
Tensor& index_fill_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& value) {
  return assign_composite(t, "index_fill_", {&value}, [&](const Tensor& old) { return index_fill(old, dim, index, value); });
}

namespace {
/// A copy of t with src written into the view `region` picks out of it. The write goes through
/// the view, so autograd's in-place-on-view rule gives both gradients (t's with the region zeroed,
/// src's the region of the incoming one).
template <class Region>
Tensor scatter_into_view(const Tensor& t, const Tensor& src, const char* op, Region&& region) {
  Tensor out = clone(t);
  Tensor part = region(out);
  EMBER_CHECK(src.sizes() == part.sizes(), op, ": expected src to have a size equal to the slice of self. ",
              "src size = ", shape_str(src.sizes()), ", slice size = ", shape_str(part.sizes()));
  copy_(part, src);
  return out;
}
}  // namespace

Tensor select_scatter(const Tensor& t, const Tensor& src, int64_t dim, int64_t index) {
  EMBER_CHECK_INDEX(t.dim() > 0, "select_scatter: cannot be applied to a 0-dim tensor");
  dim = wrap_dim(dim, t.dim(), "select_scatter");
  const int64_t size = t.sizes()[dim];
  EMBER_CHECK_INDEX(index >= -size && index < size, "select_scatter: index ", index, " out of range for tensor of size ",
                    shape_str(t.sizes()), " at dimension ", dim);
  return scatter_into_view(t, src, "select_scatter", [&](const Tensor& o) { return select(o, dim, index); });
}

Tensor slice_scatter(const Tensor& t, const Tensor& src, int64_t dim, std::optional<int64_t> start,
                     std::optional<int64_t> end, int64_t step) {
  EMBER_CHECK(step > 0, "slice_scatter: slice step must be positive, got ", step);
  dim = wrap_dim(dim, std::max<int64_t>(t.dim(), 1), "slice_scatter");
  return scatter_into_view(t, src, "slice_scatter", [&](const Tensor& o) { return slice(o, dim, start, end, step); });
}

Tensor diagonal_scatter(const Tensor& t, const Tensor& src, int64_t offset, int64_t dim1, int64_t dim2) {
  return scatter_into_view(t, src, "diagonal_scatter", [&](const Tensor& o) { return diagonal(o, offset, dim1, dim2); });
}

Tensor masked_scatter(const Tensor& t, const Tensor& mask, const Tensor& source) {
  EMBER_CHECK_TYPE(mask.dtype() == DType::Bool, "masked_scatter: only supports boolean masks, but got mask with dtype ",
                   dtype_name(mask.dtype()));
  EMBER_CHECK_TYPE(source.dtype() == t.dtype(), "masked_scatter: expected self and source to have same dtypes but got ",
                   dtype_name(t.dtype()), " and ", dtype_name(source.dtype()));
  const Shape shape = broadcast_shapes(t.sizes(), mask.sizes(), "masked_scatter");
  const Tensor m = expand(mask, shape);
  const int64_t n = sum(m).item<int64_t>();
  EMBER_CHECK(source.numel() >= n, "masked_scatter: number of elements of source (", source.numel(), ", shape ",
              shape_str(source.sizes()), ") < number of ones in mask (", n, ")");
  // The first n elements of source, in row-major order, fill the masked places in row-major order.
  return index_put(expand(t, shape), {m}, narrow(reshape(source, {source.numel()}), 0, 0, n));
}

Tensor& masked_scatter_(Tensor& t, const Tensor& mask, const Tensor& source) {
  EMBER_CHECK(broadcast_shapes(t.sizes(), mask.sizes(), "masked_scatter_") == t.sizes(), "masked_scatter_: mask of shape ",
              shape_str(mask.sizes()), " cannot be broadcast to the tensor's shape ", shape_str(t.sizes()));
  return assign_composite(t, "masked_scatter_", {&source}, [&](const Tensor& old) {
    return masked_scatter(old, mask, source);
  });
}

Tensor block_diag(const std::vector<Tensor>& tensors) {
  std::vector<Tensor> mats;
  DType dt = DType::Bool;
  int64_t cols = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.dim() <= 2, "block_diag: input tensors must have 2 or fewer dimensions, input ", i, " has shape ",
                shape_str(t.sizes()));
    mats.push_back(t.dim() == 2 ? t : reshape(t, {1, t.numel()}));
    dt = i == 0 ? t.dtype() : promote_types(dt, t.dtype());
    cols += mats.back().sizes()[1];
  }
  if (mats.empty()) return zeros({1, 0}, DType::Float32);
  // Each block's rows: zeros left of it, the block, zeros right of it.
  std::vector<Tensor> rows;
  int64_t left = 0;
  for (const Tensor& m : mats) {
    const int64_t r = m.sizes()[0], c = m.sizes()[1];
    rows.push_back(cat({zeros({r, left}, dt), to_dtype(m, dt), zeros({r, cols - left - c}, dt)}, 1));
    left += c;
  }
  return cat(rows, 0);
}

namespace {
/// cdist written with ember ops: every pair's difference, then its norm. For 16-bit floats, and to
/// differentiate the kernels' gradient (create_graph=True).
Tensor cdist_ops(const Tensor& x1, const Tensor& x2, double p) {
  return norm(sub(unsqueeze(x1, -2), unsqueeze(x2, -3)), p, Dims{-1});
}
}  // namespace

Tensor cdist(const Tensor& x1, const Tensor& x2, double p) {
  EMBER_CHECK(x1.dim() >= 2 && x2.dim() >= 2, "cdist only supports at least 2D tensors, got shapes ",
              shape_str(x1.sizes()), " and ", shape_str(x2.sizes()));
  EMBER_CHECK(x1.sizes().back() == x2.sizes().back(), "cdist: X1 and X2 must have the same number of columns, got ",
              shape_str(x1.sizes()), " and ", shape_str(x2.sizes()));
  EMBER_CHECK(p >= 0, "cdist only supports non-negative p values, got ", p);
  EMBER_CHECK_TYPE(is_floating(x1.dtype()) && is_floating(x2.dtype()), "cdist only supports floating-point dtypes, X1 got: ",
                   dtype_name(x1.dtype()), ", X2 got: ", dtype_name(x2.dtype()));
  EMBER_CHECK_RUNTIME(x1.dtype() == x2.dtype(), "cdist: expected both inputs to have the same dtype, got ",
                      dtype_name(x1.dtype()), " and ", dtype_name(x2.dtype()));
  const bool kernel = x1.dtype() == DType::Float32 || x1.dtype() == DType::Float64;
  if (!kernel) return cdist_ops(x1, x2, p);
  // The kernels, on the batch dims broadcast together and flattened: (B, P, M) and (B, R, M).
  const Shape s1 = x1.sizes(), s2 = x2.sizes();
  const Shape batch = broadcast_shapes(Shape(s1.begin(), s1.end() - 2), Shape(s2.begin(), s2.end() - 2), "cdist");
  const int64_t P = s1[s1.size() - 2], R = s2[s2.size() - 2], M = s1.back();
  int64_t B = 1;
  for (int64_t n : batch) B *= n;
  auto flat = [batch, B, M](const Tensor& x, int64_t rows) {  // by value: the backward keeps a copy
    Shape full = batch;
    full.push_back(rows);
    full.push_back(M);
    return reshape(contiguous(expand(x, full)), {B, rows, M});
  };
  Shape out_shape = batch;
  out_shape.push_back(P);
  out_shape.push_back(R);
  static const std::string node = autograd::backward_name("cdist");
  const bool rec = autograd::needs_grad(x1, x2);
  Tensor out = Tensor::empty(out_shape, x1.dtype(), x1.device());
  {
    autograd::RecordingOff off(rec);
    call_kernel(x1.device(), "cdist", cpu::cdist_forward, flat(x1, P), flat(x2, R), p, reshape(out, {B, P, R}));
  }
  if (rec) {
    const bool need1 = autograd::requires_grad(x1), need2 = autograd::requires_grad(x2);
    autograd::record(node.c_str(), {out}, {x1, x2}, {x1, x2, out}, [=](const Tensors& g, const Tensors& s) {
      if (autograd::is_grad_enabled()) {  // a graph of the gradient: differentiate the ops' form
        Tensors wanted, grads(2);
        if (need1) wanted.push_back(s[0]);
        if (need2) wanted.push_back(s[1]);
        const Tensors gs = autograd::grad({cdist_ops(s[0], s[1], p)}, wanted, {g[0]}, true, true, true);
        if (need1) grads[0] = gs[0];
        if (need2) grads[1] = gs[need1 ? 1 : 0];
        return grads;
      }
      const Tensor a = flat(s[0], P), b = flat(s[1], R);
      const Tensor d1 = need1 ? Tensor::empty(a.sizes(), a.dtype(), a.device()) : Tensor();
      const Tensor d2 = need2 ? Tensor::empty(b.sizes(), b.dtype(), b.device()) : Tensor();
      call_kernel(a.device(), "cdist_backward", cpu::cdist_backward, reshape(contiguous(g[0]), {B, P, R}), a, b, p,
                  reshape(s[2], {B, P, R}), d1, d2);
      auto back = [&](const Tensor& d, const Tensor& x, int64_t rows) {
        Shape full = batch;
        full.push_back(rows);
        full.push_back(M);
        return d.defined() ? sum_to(reshape(d, full), x.sizes()) : Tensor();
      };
      return Tensors{back(d1, s[0], P), back(d2, s[1], R)};
    });
  }
  return out;
}

Tensor dist(const Tensor& x, const Tensor& y, double p) { return norm(sub(x, y), p); }

namespace {
/// pdist written with ember ops: every pair's difference, then its norm. For 16-bit floats, and
/// to differentiate the kernels' gradient (create_graph=True).
Tensor pdist_ops(const Tensor& x, double p) {
  const int64_t n = x.sizes()[0];
  // The pairs i < j in row-major order: the upper triangle above the diagonal (none for n < 2).
  const Tensor pairs = triu_indices(n, n, 1);
  const Tensor diff = sub(index_select(x, 0, select(pairs, 0, 0)), index_select(x, 0, select(pairs, 0, 1)));
  // p = 0 counts the nonzero differences: through sign, whose gradient is 0 (torch's pdist gives
  // zeros there, where norm's p = 0 gives no gradient at all).
  if (p == 0) return sum(abs(sign(diff)), Dims{-1});
  return norm(diff, p, Dims{-1});
}
}  // namespace

Tensor pdist(const Tensor& x, double p) {
  EMBER_CHECK(x.dim() == 2, "pdist only supports 2D tensors, got: ", x.dim(), "D (shape ", shape_str(x.sizes()), ")");
  EMBER_CHECK(p >= 0, "pdist only supports non-negative p values, got ", p);
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "pdist only supports floating-point dtypes, got ", dtype_name(x.dtype()));
  if (x.dtype() != DType::Float32 && x.dtype() != DType::Float64)
    return autograd::name_grad_fn(pdist_ops(x, p), "pdist");
  // The kernels: one pass per pair, and a gradient that each row gathers for itself.
  static const std::string node = autograd::backward_name("pdist");
  const bool rec = autograd::needs_grad(x);
  const int64_t n = x.sizes()[0];
  Tensor out = Tensor::empty({n * (n - 1) / 2}, x.dtype(), x.device());
  {
    autograd::RecordingOff off(rec);
    call_kernel(x.device(), "pdist", cpu::pdist_forward, contiguous(x), p, out);
  }
  if (rec)
    autograd::record(node.c_str(), {out}, {x}, {x, out}, [p](const Tensors& g, const Tensors& s) {
      if (autograd::is_grad_enabled())  // a graph of the gradient: differentiate the ops' form
        return autograd::grad({pdist_ops(s[0], p)}, {s[0]}, {g[0]}, true, true, true);
      Tensor dx = Tensor::empty(s[0].sizes(), s[0].dtype(), s[0].device());
      call_kernel(s[0].device(), "pdist_backward", cpu::pdist_backward, contiguous(g[0]), contiguous(s[0]), p, s[1],
                  dx);
      return Tensors{dx};
    });
  return out;
}

Tensor combinations(const Tensor& t, int64_t r, bool with_replacement) {
  EMBER_CHECK(t.dim() == 1, "combinations: expect a 1D vector, but got shape ", shape_str(t.sizes()));
  EMBER_CHECK(r >= 0, "combinations: expect a non-negative number, but got ", r);
  if (r == 0) return empty({0}, t.dtype());
  // The index tuples in lexicographic order, increasing (non-decreasing with replacement).
  const int64_t n = t.sizes()[0];
  std::vector<int64_t> flat, tuple(r, 0);
  for (int64_t k = 0; k < r; ++k) tuple[k] = with_replacement ? 0 : k;
  while (n > 0 && tuple[r - 1] < n) {
    flat.insert(flat.end(), tuple.begin(), tuple.end());
    int64_t k = r - 1;  // the last entry that can still grow
    while (k >= 0 && tuple[k] == (with_replacement ? n - 1 : n - r + k)) --k;
    if (k < 0) break;
    ++tuple[k];
    for (int64_t j = k + 1; j < r; ++j) tuple[j] = with_replacement ? tuple[k] : tuple[j - 1] + 1;
  }
  const int64_t count = static_cast<int64_t>(flat.size()) / r;
  Tensor index = empty({count * r}, DType::Int64);
  std::copy(flat.begin(), flat.end(), index.data<int64_t>());
  return reshape(index_select(t, 0, index), {count, r});
}

std::vector<Tensor> unravel_index(const Tensor& indices, const Shape& shape) {
  EMBER_CHECK_TYPE(is_integral(indices.dtype(), false), "unravel_index: expected 'indices' to be integer dtype, but got ",
                   dtype_name(indices.dtype()));
  int64_t total = 1;
  for (int64_t s : shape) {
    EMBER_CHECK(s >= 0, "unravel_index: 'shape' cannot have negative values, but got ", shape_str(shape));
    total *= s;
  }
  EMBER_CHECK(shape.empty() || total > 0 || indices.numel() == 0, "unravel_index: cannot unravel into shape ",
              shape_str(shape), ", which has no elements");
  // Python's floor arithmetic from the last dim: out-of-range and negative indices wrap, as torch's.
  std::vector<Tensor> out(shape.size());
  Tensor rest = to_dtype(indices, DType::Int64);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    const Tensor size = scalar_tensor(shape[d], DType::Int64);
    out[d] = remainder(rest, size);
    rest = floor_divide(rest, size);
  }
  return out;
}

}  // namespace ember
