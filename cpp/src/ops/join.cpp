// Joining, splitting and indexing composites as PyTorch spells them: hstack, vstack, dstack,
// column_stack, tensor_split, take, index_add / index_copy / index_fill, block_diag,
// cdist, dist. Written with cat, narrow, index_put and the reductions (their gradients too).
#include <algorithm>

#include "ember/ops.h"
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
  // Indices as Python slices read them: negative from the end, clamped to [0, n], never backwards.
  auto clamp_index = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  std::vector<Tensor> out;
  int64_t start = 0;
  for (size_t k = 0; k <= indices.size(); ++k) {
    const int64_t stop = k < indices.size() ? clamp_index(indices[k]) : n;
    out.push_back(narrow(t, dim, start, std::max<int64_t>(stop - start, 0)));
    start = std::max(start, stop);
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

Tensor cdist(const Tensor& x1, const Tensor& x2, double p) {
  EMBER_CHECK(x1.dim() >= 2 && x2.dim() >= 2, "cdist only supports at least 2D tensors, got shapes ",
              shape_str(x1.sizes()), " and ", shape_str(x2.sizes()));
  EMBER_CHECK(x1.sizes().back() == x2.sizes().back(), "cdist: X1 and X2 must have the same number of columns, got ",
              shape_str(x1.sizes()), " and ", shape_str(x2.sizes()));
  EMBER_CHECK(p >= 0, "cdist only supports non-negative p values, got ", p);
  EMBER_CHECK_TYPE(is_floating(x1.dtype()) && is_floating(x2.dtype()), "cdist only supports floating-point dtypes, X1 got: ",
                   dtype_name(x1.dtype()), ", X2 got: ", dtype_name(x2.dtype()));
  return norm(sub(unsqueeze(x1, -2), unsqueeze(x2, -3)), p, Dims{-1});
}

Tensor dist(const Tensor& x, const Tensor& y, double p) { return norm(sub(x, y), p); }

}  // namespace ember
