// Indexing: where, gather/scatter, index_select, masks, one_hot and Python subscripts.
#include <algorithm>

#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {

void check_index_bounds(const Tensor& index, int64_t size, bool allow_negative, int64_t dim) {
  const int64_t lo = amin(index).item<int64_t>(), hi = amax(index).item<int64_t>();
  const int64_t bad = hi >= size ? hi : lo;
  EMBER_CHECK_INDEX(hi < size && lo >= (allow_negative ? -size : 0), KernelScope::current(), ": index ", bad,
                    " is out of bounds for dim ", dim, " with size ", size);
}

namespace {
/// Every entry of an int64 index tensor must lie in [lo, size); lo is -size where negative
/// indices are allowed. Checked before the op's kernel, in a kernel call of its own, so a
/// replayed graph (ember/graph.h) checks the indices it is given.
void check_index_range(const Tensor& index, int64_t size, bool allow_negative, const char* op, int64_t dim) {
  if (index.numel() == 0) return;
  call_check(index.device(), op, check_index_bounds, index, size, allow_negative, dim);
}

/// An index tensor as the kernels read it: int64, or int32 converted (PyTorch takes both).
Tensor as_index(const Tensor& index, const char* op) {
  EMBER_CHECK_TYPE(index.dtype() == DType::Int64 || index.dtype() == DType::Int32, op,
                   ": expected an int64 or int32 index tensor, got ", dtype_name(index.dtype()));
  return to_dtype(index, DType::Int64);
}

/// t's geometry stretched to index's shape with stride 0 along dim (gather/scatter layout).
Tensor along_dim_view(const Tensor& t, const Tensor& index, int64_t dim) {
  Shape strides = t.strides();
  strides[dim] = 0;
  return Tensor::make_view(t, index.sizes(), std::move(strides), t.offset());
}

/// gather/scatter, as PyTorch's: index has t's number of dims (a 0-d tensor counts as 1-D) and
/// is no larger than t (and src) outside dim. An empty index is not checked: nothing is read or
/// written.
void check_gather_shapes(const char* op, const Tensor& t, int64_t dim, const Tensor& index, const Tensor* src) {
  if (index.numel() == 0) return;
  auto dims = [](const Tensor& x) { return std::max<int64_t>(x.dim(), 1); };
  auto size = [](const Tensor& x, int64_t d) { return x.dim() == 0 ? int64_t{1} : x.sizes()[d]; };
  if (src)
    EMBER_CHECK(dims(*src) == dims(index), op, ": src must have the same number of dims as index (src shape ",
                shape_str(src->sizes()), ", index shape ", shape_str(index.sizes()), ")");
  EMBER_CHECK(dims(index) == dims(t), op, ": index tensor must have the same number of dims as input (index shape ",
              shape_str(index.sizes()), ", input shape ", shape_str(t.sizes()), ")");
  for (int64_t d = 0; d < dims(t); ++d) {
    if (d != dim)
      EMBER_CHECK(size(index, d) <= size(t, d), op, ": size of index ", shape_str(index.sizes()),
                  " exceeds the input's ", shape_str(t.sizes()), " at dim ", d);
    if (src)
      EMBER_CHECK(size(index, d) <= size(*src, d), op, ": size of index ", shape_str(index.sizes()),
                  " exceeds the source's ", shape_str(src->sizes()), " at dim ", d);
  }
}
}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  EMBER_CHECK_TYPE(cond.dtype() == DType::Bool, "where: expected a bool condition, got ", dtype_name(cond.dtype()));
  const DType dt = result_type(a, b);
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.sizes(), a.sizes(), "where"), b.sizes(), "where");
  const bool rec = autograd::needs_grad(a, b);
  Tensor out = Tensor::empty(shape, dt, a.device());
  {
    autograd::RecordingOff off(rec);
    call_kernel(a.device(), "where", cpu::where, out, expand(cond, shape), expand(to_dtype(a, dt), shape),
                expand(to_dtype(b, dt), shape));
  }
  if (rec && is_floating(dt))
    autograd::record("WhereBackward0", {out}, {a, b}, {cond}, [](const Tensors& g, const Tensors& s) {
      const Tensor zero = scalar_tensor(0.0);
      return Tensors{where(s[0], g[0], zero), where(s[0], zero, g[0])};
    });
  return out;
}

namespace {
Tensor as_1d(const Tensor& t) { return t.dim() == 0 ? reshape(t, {1}) : t; }

/// The gradient of scatter's src: the gathered part (index's shape) padded with zeros to src's.
Tensor pad_to(const Tensor& given, const Shape& sizes) {
  if (given.sizes() == sizes) return given;
  // a 0-d part (a 0-d index) is the corner element
  const Tensor part = given.dim() == 0 ? reshape(given, Shape(sizes.size(), 1)) : given;
  std::vector<TensorIndex> region;
  for (int64_t n : part.sizes()) region.push_back(Slice{0, n, 1});
  return index_put(zeros(sizes, part.dtype(), part.device()), region, part);
}
}  // namespace

namespace {
/// gather's and scatter's index: its dtype is not checked when it is empty (as PyTorch's).
Tensor gather_index(const Tensor& index, const char* op) {
  return index.numel() == 0 ? to_dtype(index, DType::Int64) : as_index(index, op);
}
}  // namespace

Tensor gather(const Tensor& t, int64_t dim, const Tensor& given_index) {
  const Tensor index = gather_index(given_index, "gather");
  dim = wrap_dim(dim, t.dim(), "gather");
  check_gather_shapes("gather", t, dim, index, nullptr);
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    Tensor t1 = as_1d(t), i1 = as_1d(index);
    out = Tensor::empty(i1.sizes(), t.dtype(), t.device());
    if (index.numel() > 0) {
      check_index_range(i1, t1.sizes()[dim], false, "gather", dim);
      call_kernel(t.device(), "gather", cpu::gather, out, along_dim_view(t1, i1, dim), i1, t1.strides()[dim]);
    }
    out = reshape(out, index.sizes());
  }
  if (rec)
    autograd::record("GatherBackward0", {out}, {t}, {index}, [dim, in_sizes = t.sizes()](const Tensors& g,
                                                                                          const Tensors& s) {
      return Tensors{scatter_add(zeros(in_sizes, g[0].dtype()), dim, s[0], g[0])};
    });
  return out;
}

namespace {
Tensor& scatter_impl(const char* op, Tensor& t, int64_t dim, const Tensor& given_index, const Tensor& src,
                     cpu::ScatterOp how) {
  const Tensor index = gather_index(given_index, op);
  dim = wrap_dim(dim, t.dim(), op);
  check_gather_shapes(op, t, dim, index, &src);
  EMBER_CHECK_TYPE(src.dtype() == t.dtype(), op, ": expected src of dtype ", dtype_name(t.dtype()), ", got ",
                   dtype_name(src.dtype()));
  t.check_in_place(op);
  if (index.numel() == 0) return t;
  // 16-bit floats reduce in float32 and round once.
  if (how != cpu::ScatterOp::Assign && is_narrow(t.dtype()) && is_floating(t.dtype())) {
    Tensor wide = to_dtype(t, widened(t.dtype()));
    scatter_impl(op, wide, dim, index, to_dtype(src, wide.dtype()), how);
    call_kernel(t.device(), op, cpu::copy, t, wide);
    t.bump_version();
    return t;
  }
  // Writes land at permuted places: any source sharing t's memory is read from a copy.
  Tensor t1 = as_1d(t), i1 = as_1d(index), s1 = as_1d(src.storage() == t.storage() ? clone(src) : src);
  check_index_range(i1, t1.sizes()[dim], false, op, dim);
  Tensor src_view = Tensor::make_view(s1, i1.sizes(), s1.strides(), s1.offset());
  call_kernel(t.device(), op, cpu::scatter, along_dim_view(t1, i1, dim), src_view, i1, t1.strides()[dim], how);
  t.bump_version();
  return t;
}

/// scatter and scatter_add out of place. src's gradient is what its places received (gathered);
/// t's is the incoming one, less the overwritten places for scatter.
Tensor scatter_copy(const char* op, const char* node, const Tensor& t, int64_t dim, const Tensor& index,
                    const Tensor& src, bool add) {
  const bool rec = autograd::needs_grad(t, src);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = clone(t);
    scatter_impl(op, out, dim, index, src, add ? cpu::ScatterOp::Add : cpu::ScatterOp::Assign);
  }
  if (rec)
    autograd::record(node, {out}, {t, src}, {index}, [dim, add, src_sizes = src.sizes()](const Tensors& g,
                                                                                         const Tensors& s) {
      const Tensor& idx = s[0];
      Tensor gt = add ? g[0] : scatter(g[0], dim, idx, zeros(idx.sizes(), g[0].dtype()));
      return Tensors{gt, pad_to(gather(g[0], dim, idx), src_sizes)};
    });
  return out;
}

/// scatter_ and scatter_add_: with grad, the out-of-place op written back (it keeps no old value).
Tensor& scatter_inplace(const char* op, Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, bool add) {
  if (autograd::inplace_requires_grad(t, {&src}, op))
    return autograd::apply_inplace(t, op, [&](const Tensor& old) {
      return add ? scatter_add(old, dim, index, src) : scatter(old, dim, index, src);
    }, false);
  return scatter_impl(op, t, dim, index, src, add ? cpu::ScatterOp::Add : cpu::ScatterOp::Assign);
}
}  // namespace

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_copy("scatter", "ScatterBackward0", t, dim, index, src, false);
}
Tensor& scatter_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_inplace("scatter_", t, dim, index, src, false);
}
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_copy("scatter_add", "ScatterAddBackward0", t, dim, index, src, true);
}
Tensor& scatter_add_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_inplace("scatter_add_", t, dim, index, src, true);
}

namespace {
cpu::ScatterOp scatter_reduction(const std::string& reduce, const char* op) {
  if (reduce == "sum" || reduce == "mean") return cpu::ScatterOp::Add;
  if (reduce == "prod") return cpu::ScatterOp::Prod;
  if (reduce == "amax") return cpu::ScatterOp::Max;
  EMBER_CHECK(reduce == "amin", op, ": reduce argument must be either sum, prod, mean, amax or amin, got ", reduce);
  return cpu::ScatterOp::Min;
}

/// scatter_reduce on t in place, no autograd. Without include_self, the places src lands on
/// first receive a src value (assigned; 0 for sum and mean, 1 for prod), so t's old value
/// takes no part and no identity element per dtype is needed.
void scatter_reduce_raw(const char* op, Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                        const std::string& reduce, bool include_self) {
  const cpu::ScatterOp how = scatter_reduction(reduce, op);
  if (!include_self) {
    const bool extreme = how == cpu::ScatterOp::Max || how == cpu::ScatterOp::Min;
    const Tensor start = extreme ? src : expand(full({}, how == cpu::ScatterOp::Prod ? 1 : 0, t.dtype(), t.device()),
                                                index.sizes());
    scatter_impl(op, t, dim, index, start, cpu::ScatterOp::Assign);
  }
  scatter_impl(op, t, dim, index, src, how);
  if (reduce != "mean") return;
  // How many values each place averages (1 for an untouched place, so it keeps its value).
  Tensor count = include_self ? ones(t.sizes(), t.dtype(), t.device()) : zeros(t.sizes(), t.dtype(), t.device());
  scatter_impl(op, count, dim, index, expand(ones({}, t.dtype(), t.device()), index.sizes()), cpu::ScatterOp::Add);
  count = masked_fill(count, eq(count, scalar_tensor(0)), 1);
  copy_(t, is_floating(t.dtype()) ? div(t, count) : div(t, count, std::string("floor")));
}

/// PyTorch's scatter_reduce_backward, written in ember ops (so it differentiates again).
Tensors scatter_reduce_grads(const Tensor& g, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                             const std::string& reduce, bool include_self, const Tensor& result) {
  Tensor g_self, g_src;
  const Tensor zero = scalar_tensor(0.0);
  if (reduce == "sum") {
    g_self = g;
    g_src = gather(g, dim, index);
  } else if (reduce == "mean") {
    Tensor n = include_self ? ones(g.sizes(), g.dtype()) : zeros(g.sizes(), g.dtype());
    n = scatter_add(n, dim, index, expand(ones({}, g.dtype()), index.sizes()));
    n = masked_fill(n, eq(n, zero), 1);
    g_self = div(g, n);
    g_src = gather(g_self, dim, index);
  } else if (reduce == "prod") {
    // Zeros are handled apart: the product of the others is recomputed with each zero made 1.
    const Tensor masked_self = masked_fill(self, eq(self, zero), 1);
    g_self = div(mul(g, scatter_reduce(masked_self, dim, index, src, reduce, include_self)), masked_self);
    const Tensor src_zero = eq(src, zero);
    const Tensor src_zeros_here =
        gather(scatter_add(zeros(self.sizes(), self.dtype()), dim, index, to_dtype(src_zero, self.dtype())), dim, index);
    const Tensor single_zero = logical_and(src_zero, eq(src_zeros_here, scalar_tensor(1.0)));
    const Tensor others = scatter_reduce(self, dim, index, masked_fill(src, single_zero, 1), reduce, include_self);
    g_src = where(single_zero, gather(mul(g, others), dim, index),
                  div(gather(mul(g, result), dim, index), masked_fill(src, src_zero, 1)));
  } else {  // amax, amin: the gradient is shared evenly among the values equal to the result
    const Tensor value = gather(result, dim, index);
    const Tensor self_is = eq(self, result), src_is = eq(src, value);
    const Tensor n = scatter_add(to_dtype(self_is, g.dtype()), dim, index, to_dtype(src_is, g.dtype()));
    const Tensor shared = div(g, n);
    g_self = where(self_is, shared, zero);
    g_src = where(src_is, gather(shared, dim, index), zero);
  }
  if (!include_self) g_self = scatter(g_self, dim, index, zeros(index.sizes(), g.dtype()));
  return {g_self, g_src};
}
}  // namespace

Tensor scatter_reduce(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                      bool include_self) {
  const bool rec = autograd::needs_grad(t, src);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = clone(t);
    scatter_reduce_raw("scatter_reduce", out, dim, index, src, reduce, include_self);
  }
  if (rec) {
    const int64_t d = wrap_dim(dim, t.dim(), "scatter_reduce");
    // Only src's corner of index's shape takes part (scatter's rule); the rest gets zeros (pad_to).
    Tensor used = src;
    for (int64_t k = 0; k < src.dim(); ++k) used = narrow(used, k, 0, index.sizes()[k]);
    autograd::record("ScatterReduceBackward0", {out}, {t, src}, {t, to_dtype(index, DType::Int64), used, out},
                     [d, reduce, include_self, src_sizes = src.sizes()](const Tensors& g, const Tensors& s) {
      Tensors grads = scatter_reduce_grads(g[0], s[0], d, s[1], s[2], reduce, include_self, s[3]);
      grads[1] = pad_to(grads[1], src_sizes);
      return grads;
    });
  }
  return out;
}

Tensor& scatter_reduce_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                        bool include_self) {
  if (autograd::inplace_requires_grad(t, {&src}, "scatter_reduce_"))
    return autograd::apply_inplace(t, "scatter_reduce_", [&](const Tensor& old) {
      return scatter_reduce(old, dim, index, src, reduce, include_self);
    }, false);
  scatter_reduce_raw("scatter_reduce_", t, dim, index, src, reduce, include_self);
  return t;
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& given_index) {
  const Tensor index = as_index(given_index, "index_select");
  EMBER_CHECK(index.dim() <= 1, "index_select: index must be 0-d or 1-d, got shape ", shape_str(index.sizes()));
  dim = wrap_dim(dim, t.dim(), "index_select");
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    Tensor t1 = as_1d(t), i1 = as_1d(index);
    check_index_range(i1, t1.sizes()[dim], false, "index_select", dim);
    Shape out_shape = t1.sizes();
    out_shape[dim] = i1.sizes()[0];
    out = Tensor::empty(out_shape, t.dtype(), t.device());
    if (t1.is_contiguous()) {  // whole rows after dim: one memcpy each
      if (out.numel() > 0) call_kernel(t.device(), "index_select", cpu::index_rows, out, t1, i1, dim);
    } else {  // gather with the index stretched across the other dims (stride 0)
      Shape istrides(t1.dim(), 0);
      istrides[dim] = i1.strides()[0];
      Tensor iview = Tensor::make_view(i1, out_shape, istrides, i1.offset());
      call_kernel(t.device(), "index_select", cpu::gather, out, along_dim_view(t1, iview, dim), iview, t1.strides()[dim]);
    }
    if (t.dim() == 0) out = reshape(out, {});
  }
  if (rec)
    autograd::record("IndexSelectBackward0", {out}, {t}, {index}, [dim, in_sizes = t.sizes()](const Tensors& g,
                                                                                               const Tensors& s) {
      if (in_sizes.empty()) return Tensors{g[0]};
      // Rows picked several times add up: scatter_add with the index spread over g's shape.
      Shape shape(g[0].dim(), 1);
      shape[dim] = s[0].numel();
      Tensor idx = contiguous(expand(reshape(s[0], shape), g[0].sizes()));
      return Tensors{scatter_add(zeros(in_sizes, g[0].dtype()), dim, idx, g[0])};
    });
  return out;
}

Tensor& masked_fill_(Tensor& t, const Tensor& mask, Scalar value) {
  EMBER_CHECK_TYPE(mask.dtype() == DType::Bool, "masked_fill_: expected a bool mask, got ", dtype_name(mask.dtype()));
  const Shape shape = broadcast_shapes(t.sizes(), mask.sizes(), "masked_fill_");
  EMBER_CHECK(shape == t.sizes(), "masked_fill_: mask of shape ", shape_str(mask.sizes()),
              " cannot be broadcast to the tensor's shape ", shape_str(t.sizes()));
  t.check_in_place("masked_fill_");
  check_fits(value, t.dtype(), "masked_fill_");
  if (autograd::inplace_requires_grad(t, {}, "masked_fill_"))
    return autograd::apply_inplace(t, "masked_fill_", [&](const Tensor& old) { return masked_fill(old, mask, value); }, false);
  Tensor v = full({}, value, t.dtype(), t.device());
  call_kernel(t.device(), "masked_fill_", cpu::where, t, expand(mask, shape), expand(v, shape), t);
  t.bump_version();
  return t;
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, Scalar value) {
  EMBER_CHECK_TYPE(mask.dtype() == DType::Bool, "masked_fill: expected a bool mask, got ", dtype_name(mask.dtype()));
  const Shape shape = broadcast_shapes(t.sizes(), mask.sizes(), "masked_fill");
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = clone(expand(t, shape));
    masked_fill_(out, mask, value);
  }
  if (rec)
    autograd::record("MaskedFillBackward0", {out}, {t}, {mask}, [](const Tensors& g, const Tensors& s) {
      return Tensors{where(s[0], scalar_tensor(0.0), g[0])};
    });
  return out;
}

namespace {
void check_fill_value(const Tensor& value, const char* op) {
  EMBER_CHECK_RUNTIME(value.dim() == 0, op, ": only supports a 0-dimensional value tensor, but got a tensor with ",
                      value.dim(), " dimension(s)");
}
}  // namespace

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  check_fill_value(value, "masked_fill");
  if (!autograd::needs_grad(value)) return masked_fill(t, mask, value.item());
  EMBER_CHECK_TYPE(mask.dtype() == DType::Bool, "masked_fill: expected a bool mask, got ", dtype_name(mask.dtype()));
  return where(mask, to_dtype(value, t.dtype()), t);  // the value gets the gradient of the filled places
}

Tensor& masked_fill_(Tensor& t, const Tensor& mask, const Tensor& value) {
  check_fill_value(value, "masked_fill_");
  if (!autograd::needs_grad(value)) return masked_fill_(t, mask, value.item());
  return copy_(t, masked_fill(t, mask, value));
}

Tensor nonzero(const Tensor& t) {
  const int64_t count = cpu::count_nonzero(t);
  Tensor out = Tensor::empty({count, t.dim()}, DType::Int64, t.device());
  call_kernel(t.device(), "nonzero", cpu::nonzero, out, t);
  return out;
}

Tensor masked_select(const Tensor& t, const Tensor& mask) {
  EMBER_CHECK_TYPE(mask.dtype() == DType::Bool, "masked_select: expected a bool mask, got ", dtype_name(mask.dtype()));
  const Shape shape = broadcast_shapes(t.sizes(), mask.sizes(), "masked_select");
  return index(expand(t, shape), {expand(mask, shape)});
}

Tensor one_hot(const Tensor& t, int64_t num_classes) {
  EMBER_CHECK_TYPE(t.dtype() == DType::Int64, "one_hot: expected an int64 tensor of class indices, got ",
                   dtype_name(t.dtype()));
  EMBER_CHECK(num_classes >= -1, "one_hot: num_classes must be positive or -1 (inferred), got ", num_classes);
  if (num_classes <= 0 && t.numel() == 0)  // torch's rule: 0 classes of nothing is no answer either
    throw RuntimeError("one_hot: cannot infer the number of classes from an empty tensor (num_classes=" +
                       std::to_string(num_classes) + ")");
  if (num_classes < 0) {
    num_classes = amax(t).item<int64_t>() + 1;
  }
  if (t.numel() > 0) {
    EMBER_CHECK_RUNTIME(amin(t).item<int64_t>() >= 0, "one_hot: class values must be non-negative");
    EMBER_CHECK_RUNTIME(amax(t).item<int64_t>() < num_classes, "one_hot: class values must be smaller than num_classes (",
                        num_classes, ")");
  }
  Shape shape = t.sizes();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::Int64, t.device());
  Tensor ones_src = expand(ones({}, DType::Int64), t.sizes());
  Tensor out_t = out;
  scatter_impl("one_hot", out_t, -1, unsqueeze(t, -1), unsqueeze(ones_src, -1), cpu::ScatterOp::Assign);
  return out;
}

// ---- Python subscripts ----------------------------------------------------------------

namespace {
/// The result of applying the basic entries (ints, slices, None, ...) of a subscript: a view,
/// plus each tensor entry and the dim of the view it indexes.
struct Subscript {
  Tensor view;
  std::vector<std::pair<int64_t, Tensor>> advanced;  // (dim in view, int64 index)
};

Subscript apply_basic(const Tensor& t, const std::vector<TensorIndex>& indices, const char* op) {
  // How many dims of t the subscript consumes (None adds, Ellipsis fills, bool masks take several).
  int64_t consumed = 0, ellipses = 0;
  for (const TensorIndex& ix : indices) {
    if (std::holds_alternative<int64_t>(ix) || std::holds_alternative<Slice>(ix)) ++consumed;
    else if (std::holds_alternative<EllipsisIndex>(ix)) ++ellipses;
    else if (const Tensor* it = std::get_if<Tensor>(&ix))
      consumed += it->dtype() == DType::Bool || it->dtype() == DType::UInt8 ? it->dim() : 1;  // masks
  }
  EMBER_CHECK_INDEX(ellipses <= 1, op, ": an index can only have a single ellipsis ('...')");
  EMBER_CHECK_INDEX(consumed <= t.dim(), op, ": too many indices for tensor of dimension ", t.dim(), " (shape ",
                    shape_str(t.sizes()), ")");
  Subscript r{t, {}};
  int64_t d = 0;  // current dim of r.view
  int64_t src_dim = 0;  // dims of t consumed so far, for messages
  for (const TensorIndex& ix : indices) {
    if (const int64_t* i = std::get_if<int64_t>(&ix)) {
      const int64_t size = r.view.sizes()[d];
      EMBER_CHECK_INDEX(*i >= -size && *i < size, op, ": index ", *i, " is out of bounds for dimension ", src_dim,
                        " with size ", size);
      r.view = select(r.view, d, *i);
      ++src_dim;
    } else if (const Slice* s = std::get_if<Slice>(&ix)) {
      const int64_t step = s->step.value_or(1);
      EMBER_CHECK(step > 0, op, ": step must be greater than zero, got ", step);
      r.view = slice(r.view, d, s->start, s->stop, step);
      ++d;
      ++src_dim;
    } else if (std::holds_alternative<NoneIndex>(ix)) {
      r.view = unsqueeze(r.view, d);
      for (auto& a : r.advanced)
        if (a.first >= d) ++a.first;
      ++d;
    } else if (std::holds_alternative<EllipsisIndex>(ix)) {
      const int64_t skip = t.dim() - consumed;
      d += skip;
      src_dim += skip;
    } else {
      const Tensor& it = std::get<Tensor>(ix);
      if (it.dtype() == DType::Bool || it.dtype() == DType::UInt8) {
        // A uint8 index is a mask too: torch's deprecated form (which warns; ember does not).
        const Tensor mask = it.dtype() == DType::UInt8 ? ne(it, scalar_tensor(int64_t{0})) : it;
        if (mask.dim() == 0) {
          // A scalar bool adds a dim of size 1 (true) or 0 (false), as NumPy.
          r.view = unsqueeze(r.view, d);
          r.advanced.push_back({d, mask.item<bool>() ? zeros({1}, DType::Int64) : zeros({0}, DType::Int64)});
          ++d;
          continue;
        }
        for (int64_t k = 0; k < mask.dim(); ++k)
          EMBER_CHECK_INDEX(mask.sizes()[k] == r.view.sizes()[d + k], op, ": the shape of the mask ",
                            shape_str(mask.sizes()), " at index ", k, " does not match the shape of the indexed tensor ",
                            shape_str(t.sizes()), " at index ", src_dim + k);
        Tensor nz = nonzero(mask);
        for (int64_t k = 0; k < mask.dim(); ++k) r.advanced.push_back({d + k, select(nz, 1, k)});
        d += mask.dim();
        src_dim += mask.dim();
      } else {
        EMBER_CHECK_INDEX(it.dtype() == DType::Int64 || it.dtype() == DType::Int32, op,
                          ": tensors used as indices must be int64, int32, uint8 (a mask) or bool, got ",
                          dtype_name(it.dtype()));
        const int64_t size = r.view.sizes()[d];
        check_index_range(it, size, true, op, src_dim);
        r.advanced.push_back({d, to_dtype(it, DType::Int64)});
        ++d;
        ++src_dim;
      }
    }
  }
  return r;
}

/// The layout of an advanced subscript: the view permuted so indexed dims come first,
/// element offsets for every index position, and where the index dims land in the result.
struct Advanced {
  Tensor src;       // shape B + rest, stride 0 over B
  Tensor offsets;   // int64 element offsets, shape B + rest (stride 0 over rest)
  Shape out_shape;  // B + rest
  int64_t n_index_dims = 0;
  int64_t insert_at = 0;  // where B goes in the final result
};

Advanced plan_advanced(const Subscript& s, const char* op) {
  const Tensor& v = s.view;
  std::vector<Tensor> idx;
  for (const auto& a : s.advanced) idx.push_back(a.second);
  Shape b = idx[0].sizes();
  for (const Tensor& i : idx) b = broadcast_shapes(b, i.sizes(), op);
  bool adjacent = true;
  for (size_t k = 1; k < s.advanced.size(); ++k) adjacent = adjacent && s.advanced[k].first == s.advanced[k - 1].first + 1;
  // offsets = sum_k wrap(idx_k) * stride_k, computed with ember ops.
  Tensor offsets = zeros({}, DType::Int64);
  std::vector<bool> indexed(v.dim(), false);
  for (const auto& a : s.advanced) {
    const int64_t size = v.sizes()[a.first];
    Tensor i = where(lt(a.second, scalar_tensor(0)), add(a.second, scalar_tensor(size)), a.second);
    offsets = add(offsets, mul(i, scalar_tensor(v.strides()[a.first])));
    indexed[a.first] = true;
  }
  Advanced r;
  r.n_index_dims = static_cast<int64_t>(b.size());
  r.insert_at = adjacent ? s.advanced[0].first : 0;
  Shape src_strides(b.size(), 0);
  r.out_shape = b;
  for (int64_t d = 0; d < v.dim(); ++d) {
    if (indexed[d]) continue;
    r.out_shape.push_back(v.sizes()[d]);
    src_strides.push_back(v.strides()[d]);
  }
  r.src = Tensor::make_view(v, r.out_shape, src_strides, v.offset());
  Tensor off = expand(offsets, b);
  Shape off_strides = off.strides();
  off_strides.resize(r.out_shape.size(), 0);
  r.offsets = Tensor::make_view(off, r.out_shape, off_strides, off.offset());
  return r;
}

/// Moves the index dims (leading n) of a B + rest tensor to position `at`.
Tensor place_index_dims(const Tensor& t, int64_t n, int64_t at) {
  if (at == 0) return t;
  Dims order;
  for (int64_t d = n; d < n + at; ++d) order.push_back(d);
  for (int64_t d = 0; d < n; ++d) order.push_back(d);
  for (int64_t d = n + at; d < t.dim(); ++d) order.push_back(d);
  return permute(t, order);
}
}  // namespace

namespace {
/// The tensor entries of a subscript, saved with the node so in-place changes to them are caught.
Tensors index_tensors(const std::vector<TensorIndex>& indices) {
  Tensors out;
  for (const TensorIndex& ix : indices)
    if (const Tensor* t = std::get_if<Tensor>(&ix)) out.push_back(*t);
  return out;
}

/// The subscript with its tensor entries replaced by the saved ones, unpacked.
std::vector<TensorIndex> with_index_tensors(std::vector<TensorIndex> indices, const Tensors& saved) {
  size_t k = 0;
  for (TensorIndex& ix : indices)
    if (std::holds_alternative<Tensor>(ix)) ix = saved[k++];
  return indices;
}
}  // namespace

Tensor index(const Tensor& t, const std::vector<TensorIndex>& indices) {
  Subscript s = apply_basic(t, indices, "index");  // a view, with the views' own history
  if (s.advanced.empty()) return s.view.is_same(t) ? alias(t) : s.view;
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    Advanced a = plan_advanced(s, "index");
    out = Tensor::empty(a.out_shape, t.dtype(), t.device());
    call_kernel(t.device(), "index", cpu::take_offsets, out, a.src, a.offsets);
    out = place_index_dims(out, a.n_index_dims, a.insert_at);
  }
  if (rec)
    autograd::record("IndexBackward0", {out}, {t}, index_tensors(indices), [indices, in_sizes = t.sizes()](
                                                                            const Tensors& g, const Tensors& s) {
      // Repeated indices add up.
      return Tensors{index_put(zeros(in_sizes, g[0].dtype()), with_index_tensors(indices, s), g[0], true)};
    });
  return out;
}

namespace {
void index_put_raw(Tensor& t, const std::vector<TensorIndex>& indices, const Tensor& value, bool accumulate) {
  Subscript s = apply_basic(t, indices, "index_put_");
  if (s.advanced.empty()) {
    if (accumulate) add_(s.view, value);
    else copy_(s.view, value);
    return;
  }
  t.check_in_place("index_put_");
  Advanced a = plan_advanced(s, "index_put_");
  // value broadcasts against the result's shape (index dims in place), then is laid out as B + rest.
  Shape final_shape = place_index_dims(a.src, a.n_index_dims, a.insert_at).sizes();
  const Shape b = broadcast_shapes(final_shape, value.sizes(), "index_put_");
  EMBER_CHECK(b == final_shape, "index_put_: shape mismatch: value tensor of shape ", shape_str(value.sizes()),
              " cannot be broadcast to indexing result of shape ", shape_str(final_shape));
  // Writes land at indexed places: a value sharing t's memory is read from a copy.
  Tensor v = expand(to_dtype(value.storage() == t.storage() ? clone(value) : value, t.dtype()), final_shape);
  // Undo place_index_dims on v so it lines up with B + rest.
  if (a.insert_at != 0) {
    Dims order;
    const int64_t n = a.n_index_dims, at = a.insert_at;
    for (int64_t d = at; d < at + n; ++d) order.push_back(d);
    for (int64_t d = 0; d < at; ++d) order.push_back(d);
    for (int64_t d = at + n; d < v.dim(); ++d) order.push_back(d);
    v = permute(v, order);
  }
  call_kernel(t.device(), "index_put_", cpu::put_offsets, a.src, v, a.offsets, accumulate);
  t.bump_version();
}
}  // namespace

Tensor index_put(const Tensor& t, const std::vector<TensorIndex>& indices, const Tensor& value, bool accumulate) {
  const bool rec = autograd::needs_grad(t, value);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = clone(t);
    index_put_raw(out, indices, value, accumulate);
  }
  if (rec)
    autograd::record("IndexPutBackward0", {out}, {t, value}, index_tensors(indices), [indices, accumulate](
                                                                                        const Tensors& g,
                                                                                        const Tensors& s) {
      // Overwritten places pass nothing back to t; value gets what its places received.
      const std::vector<TensorIndex> ix = with_index_tensors(indices, s);
      Tensor gt = accumulate ? g[0] : index_put(g[0], ix, zeros({}, g[0].dtype()));
      return Tensors{gt, index(g[0], ix)};
    });
  return out;
}

void index_put_(Tensor& t, const std::vector<TensorIndex>& indices, const Tensor& value, bool accumulate) {
  if (autograd::inplace_requires_grad(t, {&value}, "index_put_")) {
    t.check_in_place("index_put_");
    autograd::apply_inplace(t, "index_put_", [&](const Tensor& old) { return index_put(old, indices, value, accumulate); }, false);
    return;
  }
  index_put_raw(t, indices, value, accumulate);
}

}  // namespace ember
