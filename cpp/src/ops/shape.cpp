// Views (no copy: new sizes/strides over the same storage), joining and splitting.
#include <algorithm>
#include <functional>
#include <numeric>

#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {

namespace {
using Pick = std::function<Tensor(const Tensor&)>;

/// Marks r as a view of t and, when t requires grad, records the view's backward: a function of
/// the view's gradient giving t's.
template <class Backward>
Tensor as_view(const Tensor& t, Tensor r, const char* name, Backward backward) {
  r.set_view_of(t);
  if (autograd::needs_grad(t))
    autograd::record(name, {r}, {t}, {}, [backward = std::move(backward)](const Tensors& g, const Tensors&) {
      return Tensors{backward(g[0])};
    });
  return r;
}

/// The gradient of a view that picks part of its input: zeros of the input's shape with g in
/// that part. Its own gradient is the same pick of the incoming gradient (double backward).
Tensor unpick(const Tensor& g, const Shape& in_sizes, const Pick& pick, const char* node = "UnpickBackward0") {
  Tensor out = zeros(in_sizes, g.dtype(), g.device());
  call_kernel(g.device(), "backward", cpu::copy, pick(out), g);
  if (autograd::needs_grad(g))
    autograd::record(node, {out}, {g}, {}, [pick](const Tensors& gg, const Tensors&) {
      return Tensors{pick(gg[0])};
    });
  return out;
}

/// A view that picks part of t (narrow, select, slice).
Tensor picked_view(const Tensor& t, Tensor r, const char* name, Pick pick) {
  return as_view(t, std::move(r), name, [in_sizes = t.sizes(), pick = std::move(pick)](const Tensor& g) {
    return unpick(g, in_sizes, pick);
  });
}

Tensor reshape_back(const Tensor& t, Tensor r, const char* name) {
  return as_view(t, std::move(r), name, [in_sizes = t.sizes()](const Tensor& g) { return reshape(g, in_sizes); });
}
/// Resolves one -1 in `shape` against numel; raises naming op.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op, const Shape& from) {
  Shape out = shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      EMBER_CHECK(infer < 0, op, ": only one dimension can be inferred, got shape ", shape_str(shape));
      infer = static_cast<int64_t>(i);
    } else {
      EMBER_CHECK(out[i] >= 0, op, ": invalid shape dimension ", out[i], " in ", shape_str(shape));
      EMBER_CHECK(!__builtin_mul_overflow(known, out[i], &known), op, ": shape ", shape_str(shape),
                  " has more elements than int64 holds");
    }
  }
  if (infer >= 0) {
    EMBER_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape_str(shape),
                " is invalid for input of size ", numel, " (shape ", shape_str(from), ")");
    out[infer] = numel / known;
  }
  EMBER_CHECK(numel_of(out) == numel, op, ": shape ", shape_str(shape), " is invalid for input of size ", numel,
              " (shape ", shape_str(from), ")");
  return out;
}

/// An empty list with room for n views, or an error naming op (PyTorch fails the same way).
std::vector<Tensor> reserve_views(int64_t n, const char* op) {
  // Past 2^32 views (hundreds of GB of tensor headers) the answer is known without asking the
  // allocator, which under AddressSanitizer aborts rather than throws.
  EMBER_CHECK_RUNTIME(n <= (int64_t(1) << 32), op, ": cannot allocate ", n, " views");
  std::vector<Tensor> out;
  try {
    out.reserve(static_cast<size_t>(n));
  } catch (const std::exception&) {
    throw RuntimeError(detail::cat(op, ": cannot allocate ", n, " views"));
  }
  return out;
}

/// Strides giving `shape` over t's memory without a copy, if any exist (PyTorch's computeStride).
bool view_strides(const Tensor& t, const Shape& shape, Shape& out) {
  out.assign(shape.size(), 0);
  if (t.numel() <= 1) {  // no two elements to keep apart: any shape is a view
    out = contiguous_strides(shape);
    return true;
  }
  const Shape& os = t.sizes();
  const Shape& ost = t.strides();
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = ost.empty() ? 1 : ost.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(os.size()) - 1; d >= 0; --d) {
    tensor_numel *= os[d];
    if (d == 0 || (os[d - 1] != 1 && ost[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = ost[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}
}  // namespace

Tensor view(const Tensor& t, const Shape& shape) {
  Shape s = infer_shape(shape, t.numel(), "view", t.sizes());
  Shape st;
  EMBER_CHECK_RUNTIME(view_strides(t, s, st), "view: size ", shape_str(s), " is not compatible with input of shape ",
                      shape_str(t.sizes()), " and strides ", shape_str(t.strides()),
                      " (at least one dimension spans across two contiguous subspaces); use reshape instead");
  return reshape_back(t, Tensor::make_view(t, std::move(s), std::move(st), t.offset()), "ViewBackward0");
}

Tensor reshape(const Tensor& t, const Shape& shape) {
  Shape s = infer_shape(shape, t.numel(), "reshape", t.sizes());
  Shape st;
  if (view_strides(t, s, st))
    return reshape_back(t, Tensor::make_view(t, std::move(s), std::move(st), t.offset()), "ViewBackward0");
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = Tensor::make_view(clone(t), s, contiguous_strides(s), 0);
  }
  if (rec)
    autograd::record("UnsafeViewBackward0", {out}, {t}, {}, [in_sizes = t.sizes()](const Tensors& g, const Tensors&) {
      return Tensors{reshape(g[0], in_sizes)};
    });
  return out;
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  const int64_t n = t.dim();
  dim0 = wrap_dim(dim0, n, "transpose");
  dim1 = wrap_dim(dim1, n, "transpose");
  Shape sizes = t.sizes(), strides = t.strides();
  if (n > 0) {
    std::swap(sizes[dim0], sizes[dim1]);
    std::swap(strides[dim0], strides[dim1]);
  }
  return as_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset()), "TransposeBackward0",
                 [dim0, dim1](const Tensor& g) { return transpose(g, dim0, dim1); });
}

Tensor permute(const Tensor& t, const Dims& dims) {
  const int64_t n = t.dim();
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == n, "permute: number of dims ", dims.size(),
              " does not match the tensor's ", n, " (shape ", shape_str(t.sizes()), ")");
  Shape sizes(n), strides(n);
  std::vector<bool> seen(n, false);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t d = wrap_dim(dims[i], n, "permute");
    EMBER_CHECK(!seen[d], "permute: dim ", d, " appears twice in ", shape_str(dims));
    seen[d] = true;
    sizes[i] = t.sizes()[d];
    strides[i] = t.strides()[d];
  }
  Dims inverse(n);
  for (int64_t i = 0; i < n; ++i) inverse[wrap_dim(dims[i], n, "permute")] = i;
  return as_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset()), "PermuteBackward0",
                 [inverse](const Tensor& g) { return permute(g, inverse); });
}

Tensor reverse_dims(const Tensor& t) {
  Shape sizes(t.sizes().rbegin(), t.sizes().rend()), strides(t.strides().rbegin(), t.strides().rend());
  return as_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset()), "PermuteBackward0",
                 [](const Tensor& g) { return reverse_dims(g); });
}

Tensor matrix_transpose(const Tensor& t) {
  if (t.dim() == 0) return alias(t);  // the identity, as PyTorch's (deprecated there)
  EMBER_CHECK(t.dim() >= 2, "mT: expected a tensor with at least 2 dims, got shape ", shape_str(t.sizes()));
  return transpose(t, -2, -1);
}

Tensor expand(const Tensor& t, const Shape& size) {
  const int64_t n = static_cast<int64_t>(size.size()), k = t.dim();
  EMBER_CHECK(n >= k, "expand: the number of sizes ", n, " must be at least the tensor's ", k, " dims (shape ",
              shape_str(t.sizes()), " to ", shape_str(size), ")");
  Shape sizes(n), strides(n);
  for (int64_t i = n - 1; i >= 0; --i) {
    const int64_t j = i - (n - k);
    const int64_t want = size[i];
    if (j >= 0) {
      const int64_t have = t.sizes()[j];
      const int64_t target = want == -1 ? have : want;
      EMBER_CHECK(have == target || have == 1, "expand: the expanded size ", want, " must match the existing size ",
                  have, " at non-singleton dim ", i, " (shape ", shape_str(t.sizes()), " to ", shape_str(size), ")");
      EMBER_CHECK(target >= 0, "expand: invalid size ", want, " at dim ", i);
      sizes[i] = target;
      strides[i] = have == target ? t.strides()[j] : 0;
    } else {
      EMBER_CHECK(want >= 0, "expand: -1 is not allowed in a new leading dim ", i, " (to ", shape_str(size), ")");
      sizes[i] = want;
      strides[i] = 0;
    }
  }
  return as_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset()), "ExpandBackward0",
                 [in_sizes = t.sizes()](const Tensor& g) { return sum_to(g, in_sizes); });
}

Tensor squeeze(const Tensor& t, const OptDims& dims) {
  std::vector<bool> drop(t.dim(), false);
  if (dims) {
    std::vector<bool> named(std::max<int64_t>(t.dim(), 1), false);  // a 0-d tensor takes dim 0 and -1
    for (int64_t d : *dims) {
      d = wrap_dim(d, t.dim(), "squeeze");
      EMBER_CHECK_RUNTIME(!named[d], "squeeze: dim ", d, " appears multiple times in the list of dims");
      named[d] = true;
      if (t.dim() > 0 && t.sizes()[d] == 1) drop[d] = true;
    }
  } else {
    for (int64_t d = 0; d < t.dim(); ++d) drop[d] = t.sizes()[d] == 1;
  }
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (drop[d]) continue;
    sizes.push_back(t.sizes()[d]);
    strides.push_back(t.strides()[d]);
  }
  return reshape_back(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset()), "SqueezeBackward0");
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  dim = wrap_dim(dim, t.dim() + 1, "unsqueeze");
  Shape sizes = t.sizes(), strides = t.strides();
  const int64_t st = dim < t.dim() ? t.strides()[dim] * t.sizes()[dim] : 1;
  sizes.insert(sizes.begin() + dim, 1);
  strides.insert(strides.begin() + dim, st);
  return reshape_back(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset()), "UnsqueezeBackward0");
}

Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) {
  start_dim = wrap_dim(start_dim, t.dim(), "flatten");
  end_dim = wrap_dim(end_dim, t.dim(), "flatten");
  if (t.dim() == 0) return reshape(t, {1});
  start_dim = wrap_dim(start_dim, t.dim(), "flatten");
  end_dim = wrap_dim(end_dim, t.dim(), "flatten");
  EMBER_CHECK(start_dim <= end_dim, "flatten: start_dim ", start_dim, " cannot come after end_dim ", end_dim);
  Shape shape(t.sizes().begin(), t.sizes().begin() + start_dim);
  int64_t merged = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) merged *= t.sizes()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), t.sizes().begin() + end_dim + 1, t.sizes().end());
  return reshape(t, shape);
}

Tensor unflatten(const Tensor& t, int64_t dim, const Shape& sizes) {
  EMBER_CHECK_INDEX(t.dim() > 0, "unflatten: cannot unflatten a 0-d tensor");
  dim = wrap_dim(dim, t.dim(), "unflatten");
  EMBER_CHECK(!sizes.empty(), "unflatten: sizes must be non-empty");
  Shape inner = infer_shape(sizes, t.sizes()[dim], "unflatten", t.sizes());
  Shape shape(t.sizes().begin(), t.sizes().begin() + dim);
  shape.insert(shape.end(), inner.begin(), inner.end());
  shape.insert(shape.end(), t.sizes().begin() + dim + 1, t.sizes().end());
  return view(t, shape);
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  EMBER_CHECK_INDEX(t.dim() > 0, "narrow: cannot narrow a 0-d tensor");
  dim = wrap_dim(dim, t.dim(), "narrow");
  const int64_t size = t.sizes()[dim];
  if (start < 0) start += size;
  EMBER_CHECK_INDEX(start >= 0 && start <= size, "narrow: start ", start, " is out of range for dim ", dim,
                    " of size ", size);
  EMBER_CHECK(length >= 0 && length <= size - start, "narrow: start (", start, ") + length (", length,
              ") exceeds dim ", dim, " of size ", size);
  Shape sizes = t.sizes();
  sizes[dim] = length;
  return picked_view(t, Tensor::make_view(t, std::move(sizes), t.strides(), t.offset() + start * t.strides()[dim]),
                     "NarrowBackward0", [dim, start, length](const Tensor& g) { return narrow(g, dim, start, length); });
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  EMBER_CHECK_INDEX(t.dim() > 0, "select: invalid index of a 0-dim tensor");
  dim = wrap_dim(dim, t.dim(), "select");
  const int64_t size = t.sizes()[dim];
  EMBER_CHECK_INDEX(index >= -size && index < size, "select: index ", index, " is out of bounds for dim ", dim,
                    " with size ", size);
  if (index < 0) index += size;
  Shape sizes = t.sizes(), strides = t.strides();
  const int64_t offset = t.offset() + index * strides[dim];
  sizes.erase(sizes.begin() + dim);
  strides.erase(strides.begin() + dim);
  return picked_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), offset), "SelectBackward0",
                     [dim, index](const Tensor& g) { return select(g, dim, index); });
}

Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step) {
  EMBER_CHECK_INDEX(t.dim() > 0, "slice: cannot slice a 0-d tensor");
  dim = wrap_dim(dim, t.dim(), "slice");
  EMBER_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t size = t.sizes()[dim];
  auto clampi = [size](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v < 0 ? *v + size : *v;
    return std::min(std::max<int64_t>(x, 0), size);
  };
  const int64_t b = clampi(start, 0), e = std::max(clampi(stop, size), b);
  Shape sizes = t.sizes(), strides = t.strides();
  sizes[dim] = e > b ? (e - b - 1) / step + 1 : 0;
  // A step past the dim gives one element, whose stride is never stepped: it may wrap (not UB).
  __builtin_mul_overflow(strides[dim], step, &strides[dim]);
  return picked_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset() + b * t.strides()[dim]),
                     "SliceBackward0", [dim, b, e, step](const Tensor& g) { return slice(g, dim, b, e, step); });
}

Tensor alias(const Tensor& t) {
  return as_view(t, Tensor::make_view(t, t.sizes(), t.strides(), t.offset()), "AliasBackward0",
                 [](const Tensor& g) { return g; });
}

Tensor movedim(const Tensor& t, int64_t source, int64_t destination) {
  return movedim(t, Dims{source}, Dims{destination});
}

Tensor movedim(const Tensor& t, const Dims& source, const Dims& destination) {
  const int64_t n = t.dim();
  EMBER_CHECK(source.size() == destination.size(), "movedim: Invalid source or destination dims: source (",
              shape_str(source), " dims) should contain the same number of dims as destination (",
              shape_str(destination), " dims)");
  // order[d] is the input dim that lands at d: the moved ones where they are sent, the others
  // in their order in the places left.
  Dims order(std::max<int64_t>(n, 1), -1);
  std::vector<bool> moved(order.size(), false);
  for (size_t k = 0; k < source.size(); ++k) {
    const int64_t from = wrap_dim(source[k], n, "movedim"), to = wrap_dim(destination[k], n, "movedim");
    EMBER_CHECK(!moved[from], "movedim: repeated dim in `source` (", shape_str(source), ")");
    EMBER_CHECK(order[to] < 0, "movedim: repeated dim in `destination` (", shape_str(destination), ")");
    moved[from] = true;
    order[to] = from;
  }
  if (n == 0) return alias(t);
  int64_t next = 0;
  for (int64_t& d : order) {
    if (d >= 0) continue;
    while (moved[next]) ++next;
    d = next++;
  }
  return permute(t, order);
}

Tensor diagonal(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  dim1 = wrap_dim(dim1, t.dim(), "diagonal");
  dim2 = wrap_dim(dim2, t.dim(), "diagonal");
  EMBER_CHECK_RUNTIME(dim1 != dim2, "diagonal: dimensions cannot be identical: dim1 ", dim1, ", dim2 ", dim2,
                      " (shape ", shape_str(t.sizes()), ")");
  const int64_t n1 = t.sizes()[dim1], n2 = t.sizes()[dim2], s1 = t.strides()[dim1], s2 = t.strides()[dim2];
  // Written so that no offset (INT64_MIN included) overflows.
  const int64_t length = offset >= 0 ? (offset >= n2 ? 0 : std::min(n1, n2 - offset))
                                     : (offset <= -n1 ? 0 : std::min(n1 + offset, n2));
  const int64_t start = length == 0 ? 0 : offset >= 0 ? offset * s2 : -offset * s1;
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d != dim1 && d != dim2) {
      sizes.push_back(t.sizes()[d]);
      strides.push_back(t.strides()[d]);
    }
  sizes.push_back(length);
  strides.push_back(s1 + s2);
  return picked_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset() + start),
                     "DiagonalBackward0",
                     [offset, dim1, dim2](const Tensor& g) { return diagonal(g, offset, dim1, dim2); });
}

Tensor unfold(const Tensor& t, int64_t dim, int64_t size, int64_t step) {
  const int64_t n = t.dim();
  dim = wrap_dim(dim, std::max<int64_t>(n, 1), "unfold");  // a 0-d tensor unfolds as one element
  const int64_t max_size = n == 0 ? 1 : t.sizes()[dim];
  EMBER_CHECK_RUNTIME(size <= max_size, "unfold: maximum size for tensor at dimension ", dim, " is ", max_size,
                      " but size is ", size);
  EMBER_CHECK_RUNTIME(size >= 0, "unfold: size is ", size, " but must be >= 0");
  EMBER_CHECK_RUNTIME(step > 0, "unfold: step is ", step, " but must be > 0");
  Shape sizes = t.sizes(), strides = t.strides();
  sizes.push_back(size);
  strides.push_back(n == 0 ? 1 : strides[dim]);
  int64_t windows = 1;
  if (n > 0) {
    windows = sizes[dim] = (sizes[dim] - size) / step + 1;
    // one window needs no stride between windows (and a huge step would overflow it)
    if (windows > 1) strides[dim] *= step;
  }
  return as_view(t, Tensor::make_view(t, std::move(sizes), std::move(strides), t.offset()), "UnfoldBackward0",
                 [in_sizes = t.sizes(), dim, size, step, windows](const Tensor& g) {
                   if (in_sizes.empty()) return size == 0 ? zeros({}, g.dtype(), g.device()) : reshape(g, {});
                   // each window's elements add into the places they were read from
                   Tensor index = add(unsqueeze(arange(0, windows * step, step, DType::Int64, g.device()), 1),
                                      arange(0, size, 1, DType::Int64, g.device()));
                   Shape merged = in_sizes;
                   merged[dim] = windows * size;
                   return index_add(zeros(in_sizes, g.dtype(), g.device()), dim, reshape(index, {windows * size}),
                                    reshape(movedim(g, -1, dim + 1), merged));
                 });
}

Tensor diag_embed(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t nd = t.dim() + 1;
  dim1 = wrap_dim(dim1, nd, "diag_embed");
  dim2 = wrap_dim(dim2, nd, "diag_embed");
  EMBER_CHECK_RUNTIME(dim1 != dim2, "diag_embed: diagonal dimensions cannot be identical: dim1 ", dim1, ", dim2 ",
                      dim2, " (shape ", shape_str(t.sizes()), ")");  // so t has at least 1 dim
  int64_t n;
  EMBER_CHECK_RUNTIME(offset > INT64_MIN && !__builtin_add_overflow(t.sizes().back(), offset < 0 ? -offset : offset, &n),
                      "diag_embed: offset ", offset, " is too large for shape ", shape_str(t.sizes()));
  Shape sizes(t.sizes().begin(), t.sizes().end() - 1);
  sizes.insert(sizes.begin() + std::min(dim1, dim2), n);
  sizes.insert(sizes.begin() + std::max(dim1, dim2), n);
  // The output is the gradient-of-diagonal layout: zeros with t on the diagonal view.
  const bool rec = autograd::needs_grad(t);
  Pick pick = [offset, dim1, dim2](const Tensor& x) { return diagonal(x, offset, dim1, dim2); };
  Tensor out = zeros(sizes, t.dtype(), t.device());
  {
    autograd::RecordingOff off(rec);
    call_kernel(t.device(), "diag_embed", cpu::copy, pick(out), t);
  }
  if (rec)
    autograd::record("DiagEmbedBackward0", {out}, {t}, {}, [pick](const Tensors& g, const Tensors&) {
      return Tensors{pick(g[0])};
    });
  return out;
}

Tensor diag(const Tensor& t, int64_t offset) {
  EMBER_CHECK_RUNTIME(t.dim() == 1 || t.dim() == 2, "diag: supports 1-D or 2-D tensors, got shape ",
                      shape_str(t.sizes()));
  if (t.dim() == 1) return diag_embed(t, offset, 0, 1);
  return clone(diagonal(t, offset, 0, 1));
}

// ---- joining and splitting ------------------------------------------------------------

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  // PyTorch skips legacy 1-D empty tensors (shape (0,)) when others have more dims.
  const Tensor* ref = nullptr;
  for (const Tensor& t : tensors)
    if (!(t.dim() == 1 && t.numel() == 0)) {
      ref = &t;
      break;
    }
  if (!ref) ref = &tensors[0];
  EMBER_CHECK(ref->dim() > 0, "cat: zero-dimensional tensor cannot be concatenated");
  dim = wrap_dim(dim, ref->dim(), "cat");
  Shape out_shape = ref->sizes();
  DType dtype = tensors[0].dtype();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    dtype = promote_types(dtype, t.dtype());
    if (t.dim() == 1 && t.numel() == 0 && ref->dim() != 1) continue;
    EMBER_CHECK(t.dim() == ref->dim(), "cat: tensors must have the same number of dims: tensor 0 has shape ",
                shape_str(ref->sizes()), " but tensor ", i, " has shape ", shape_str(t.sizes()));
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK(d == dim || t.sizes()[d] == ref->sizes()[d], "cat: sizes must match except in dim ", dim,
                  ": expected size ", ref->sizes()[d], " but got size ", t.sizes()[d], " at dim ", d, " for tensor ",
                  i, " (shapes ", shape_str(ref->sizes()), " and ", shape_str(t.sizes()), ")");
    total += t.sizes()[dim];
  }
  out_shape[dim] = total;
  Tensor out = Tensor::empty(out_shape, dtype, ref->device());
  std::vector<std::pair<int64_t, int64_t>> ranges;  // (start, length) of each input along dim; -1: skipped
  std::vector<Tensor> parts;  // the inputs that are not skipped
  bool blocks = true;         // all contiguous, of out's dtype: one pass of memcpy
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    if (t.dim() == 1 && t.numel() == 0 && ref->dim() != 1) {
      ranges.emplace_back(-1, 0);
      continue;
    }
    blocks = blocks && t.dtype() == dtype && t.is_contiguous();
    parts.push_back(t);
    ranges.emplace_back(at, t.sizes()[dim]);
    at += t.sizes()[dim];
  }
  at = 0;
  if (blocks && out.numel() > 0) {
    call_kernel(out.device(), "cat", cpu::copy_blocks, out, parts, numel_of(Shape(out_shape.begin(), out_shape.begin() + dim)));
  } else {
    for (const Tensor& t : parts) {
      call_kernel(t.device(), "cat", cpu::copy, narrow(out, dim, at, t.sizes()[dim]), t);
      at += t.sizes()[dim];
    }
  }
  if (autograd::needs_grad(tensors))
    autograd::record("CatBackward0", {out}, tensors, {}, [ranges, dim](const Tensors& g, const Tensors&) {
      Tensors in;
      for (const auto& [start, length] : ranges)
        in.push_back(start < 0 ? zeros({0}, g[0].dtype()) : narrow(g[0], dim, start, length));
      return in;
    });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  for (size_t i = 1; i < tensors.size(); ++i)
    EMBER_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack: expected each tensor to be equal size, but got ",
                shape_str(tensors[0].sizes()), " at entry 0 and ", shape_str(tensors[i].sizes()), " at entry ", i);
  dim = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  const Tensor& first = tensors[0];
  if (!autograd::needs_grad(tensors) && first.numel() > 0 &&
      std::all_of(tensors.begin(), tensors.end(),
                  [&](const Tensor& t) { return t.dtype() == first.dtype() && t.is_contiguous(); })) {
    Shape shape = first.sizes();  // the common case (batching samples): one pass, no views
    shape.insert(shape.begin() + dim, static_cast<int64_t>(tensors.size()));
    Tensor out = Tensor::empty(shape, first.dtype(), first.device());
    call_kernel(out.device(), "stack", cpu::copy_blocks, out, tensors, numel_of(Shape(shape.begin(), shape.begin() + dim)));
    return out;
  }
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (const Tensor& t : tensors) parts.push_back(unsqueeze(t, dim));
  return cat(parts, dim);
}

std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, "split: expected at least a 1-dimensional tensor");
  dim = wrap_dim(dim, t.dim(), "split");
  EMBER_CHECK(split_size >= 0, "split: split_size must be non-negative, got ", split_size);
  const int64_t size = t.sizes()[dim];
  EMBER_CHECK(split_size > 0 || size == 0, "split: split_size can only be 0 if dim ", dim, " has size 0, got size ",
              size);
  if (split_size == 0) return {t};
  std::vector<Tensor> out = reserve_views(size == 0 ? 1 : size / split_size + (size % split_size != 0), "split");
  for (int64_t at = 0;; at += split_size) {  // stops before at + split_size could overflow
    out.push_back(narrow(t, dim, at, std::min(split_size, size - at)));
    if (size - at <= split_size) break;
  }
  return out;
}

std::vector<Tensor> split_with_sizes(const Tensor& t, const Shape& sizes, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, "split: expected at least a 1-dimensional tensor");
  dim = wrap_dim(dim, t.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "split: split sizes must be non-negative, got ", shape_str(sizes));
    total += s;
  }
  EMBER_CHECK(total == t.sizes()[dim], "split: split sizes ", shape_str(sizes), " add up to ", total,
              " but dim ", dim, " has size ", t.sizes()[dim]);
  std::vector<Tensor> out;
  int64_t at = 0;
  for (int64_t s : sizes) {
    out.push_back(narrow(t, dim, at, s));
    at += s;
  }
  return out;
}

std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim) {
  EMBER_CHECK(chunks > 0, "chunk: chunks must be positive, got ", chunks);
  EMBER_CHECK(t.dim() > 0, "chunk: expected at least a 1-dimensional tensor");
  dim = wrap_dim(dim, t.dim(), "chunk");
  const int64_t size = t.sizes()[dim];
  if (size == 0) {  // PyTorch gives `chunks` empty views
    std::vector<Tensor> out = reserve_views(chunks, "chunk");
    for (int64_t i = 0; i < chunks; ++i) out.push_back(narrow(t, dim, 0, 0));
    return out;
  }
  return split(t, size / chunks + (size % chunks != 0), dim);  // ceil; size + chunks - 1 may overflow
}

std::vector<Tensor> unbind(const Tensor& t, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, "unbind: expected at least a 1-dimensional tensor");
  dim = wrap_dim(dim, t.dim(), "unbind");
  std::vector<Tensor> out = reserve_views(t.sizes()[dim], "unbind");
  for (int64_t i = 0; i < t.sizes()[dim]; ++i) out.push_back(select(t, dim, i));
  return out;
}

}  // namespace ember
