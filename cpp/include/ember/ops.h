#pragma once
// Every tensor op of the core: one declaration and one line each. Names and semantics follow
// PyTorch's. Errors name the op and the shapes involved.
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "ember/random.h"
#include "ember/tensor.h"

namespace ember {

using OptDType = std::optional<DType>;
using Dims = std::vector<int64_t>;
using OptDims = std::optional<Dims>;

// ---- creation -------------------------------------------------------------------------
/// Uninitialized memory of the given shape.
EMBER_API Tensor empty(const Shape& size, DType dtype = DType::Float32, Device device = {});
/// All zeros.
EMBER_API Tensor zeros(const Shape& size, DType dtype = DType::Float32, Device device = {});
/// All ones.
EMBER_API Tensor ones(const Shape& size, DType dtype = DType::Float32, Device device = {});
/// Every element `value`; dtype defaults from the value's kind (bool, int64, float32).
EMBER_API Tensor full(const Shape& size, Scalar value, OptDType dtype = {}, Device device = {});
/// A 0-d tensor holding a Python number, marked as such for type promotion.
EMBER_API Tensor scalar_tensor(Scalar value, OptDType dtype = {}, Device device = {});
/// start, start+step, ... < end; int64 unless a bound or the step is a float.
EMBER_API Tensor arange(Scalar start, Scalar end, Scalar step = 1, OptDType dtype = {}, Device device = {});
/// `steps` points evenly from start to end inclusive.
EMBER_API Tensor linspace(double start, double end, int64_t steps, DType dtype = DType::Float32, Device device = {});
/// n x m identity (m = n when absent).
EMBER_API Tensor eye(int64_t n, std::optional<int64_t> m = {}, DType dtype = DType::Float32, Device device = {});
/// In place: gives t the shape `size`, contiguous from its offset, growing its memory when
/// needed (the values kept are those of the old memory, the new ones uninitialized).
EMBER_API Tensor& resize_(Tensor& t, const Shape& size);

// ---- random (each takes an optional generator; the default one otherwise) -------------
/// Uniform on [0, 1).
EMBER_API Tensor rand(const Shape& size, DType dtype = DType::Float32, Generator* gen = nullptr);
/// Standard normal.
EMBER_API Tensor randn(const Shape& size, DType dtype = DType::Float32, Generator* gen = nullptr);
/// Integers uniform on [low, high).
EMBER_API Tensor randint(int64_t low, int64_t high, const Shape& size, DType dtype = DType::Int64, Generator* gen = nullptr);
/// A random permutation of 0..n-1.
EMBER_API Tensor randperm(int64_t n, DType dtype = DType::Int64, Generator* gen = nullptr);
/// Each element 1 with probability p[i] (p in [0, 1]), else 0; the dtype of p.
EMBER_API Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
/// num_samples category indices per row of 1-D or 2-D non-negative weights (int64), drawn with
/// or without replacement; zero weights are never drawn.
EMBER_API Tensor multinomial(const Tensor& weights, int64_t num_samples, bool replacement = false,
                             Generator* gen = nullptr);
/// In place: uniform on [from, to).
EMBER_API Tensor& uniform_(Tensor& t, double from = 0, double to = 1, Generator* gen = nullptr);
/// In place: normal with the given mean and std.
EMBER_API Tensor& normal_(Tensor& t, double mean = 0, double std = 1, Generator* gen = nullptr);
/// In place: 1 with probability p, else 0.
EMBER_API Tensor& bernoulli_(Tensor& t, double p = 0.5, Generator* gen = nullptr);

// ---- copies and conversion ------------------------------------------------------------
/// In place: dst = src, with broadcasting and dtype conversion.
EMBER_API Tensor& copy_(Tensor& dst, const Tensor& src);
/// In place: every element = value.
EMBER_API Tensor& fill_(Tensor& t, Scalar value);
/// In place: every element = 0.
EMBER_API Tensor& zero_(Tensor& t);
/// A new tensor with its own memory, same values.
EMBER_API Tensor clone(const Tensor& t);
/// t itself when row-major contiguous, else a contiguous copy.
EMBER_API Tensor contiguous(const Tensor& t);
/// t converted to dtype (t itself when it already has it and copy is false).
EMBER_API Tensor to_dtype(const Tensor& t, DType dtype, bool copy = false);
/// Raises when a Python float cannot be stored in dtype (NaN or out of range for int64, beyond float32).
EMBER_API void check_fits(Scalar value, DType dtype, const char* op);
/// src itself, or a copy when it shares memory with dst in another layout: an in-place op then
/// reads the values from before the write, as if src had been cloned.
EMBER_API Tensor unaliased(const Tensor& src, const Tensor& dst);
/// The dtype an op on a and b computes in (PyTorch's rules: dims > 0-d > Python numbers).
EMBER_API DType result_type(const Tensor& a, const Tensor& b);

// ---- views (no copy) ------------------------------------------------------------------
/// Same data, new shape (one -1 is inferred); copies only when strides make a view impossible.
EMBER_API Tensor reshape(const Tensor& t, const Shape& shape);
/// Same data, new shape; raises when the strides do not allow a view.
EMBER_API Tensor view(const Tensor& t, const Shape& shape);
/// Swaps two dims.
EMBER_API Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
/// Reorders all dims.
EMBER_API Tensor permute(const Tensor& t, const Dims& dims);
/// Reverses dims (2-D transpose for matrices, as Tensor.T).
EMBER_API Tensor reverse_dims(const Tensor& t);
/// Transpose of the last two dims (Tensor.mT).
EMBER_API Tensor matrix_transpose(const Tensor& t);
/// Repeats size-1 dims to `size` with stride 0 (-1 keeps a dim).
EMBER_API Tensor expand(const Tensor& t, const Shape& size);
/// Drops all size-1 dims, or only those among dims.
EMBER_API Tensor squeeze(const Tensor& t, const OptDims& dims = {});
/// Inserts a size-1 dim at dim.
EMBER_API Tensor unsqueeze(const Tensor& t, int64_t dim);
/// Merges dims start..end into one.
EMBER_API Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
/// Splits dim into sizes (one -1 inferred).
EMBER_API Tensor unflatten(const Tensor& t, int64_t dim, const Shape& sizes);
/// Elements start..start+length along dim.
EMBER_API Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
/// Removes dim by taking index along it.
EMBER_API Tensor select(const Tensor& t, int64_t dim, int64_t index);
/// Python slice start:stop:step along dim (bounds clamped as Python does; step > 0).
EMBER_API Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start,
                       std::optional<int64_t> stop, int64_t step = 1);
/// A view of all of t (what t[()] gives).
EMBER_API Tensor alias(const Tensor& t);
/// Moves dim `source` to position `destination`.
EMBER_API Tensor movedim(const Tensor& t, int64_t source, int64_t destination);
/// Moves each dim source[k] to position destination[k], the other dims keeping their order.
EMBER_API Tensor movedim(const Tensor& t, const Dims& source, const Dims& destination);

/// The windows of `size` elements along dim, `step` apart, as a new last dim: a view (Tensor.unfold;
/// windows overlap when step < size, and their gradients add up).
EMBER_API Tensor unfold(const Tensor& t, int64_t dim, int64_t size, int64_t step);
/// The diagonal of dims dim1 and dim2 (above the main one by offset > 0, below by offset < 0)
/// as the last dim, those two dims removed: a view.
EMBER_API Tensor diagonal(const Tensor& t, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
/// Zeros with t's last dim on the diagonal (at offset) of two new dims dim1 and dim2.
EMBER_API Tensor diag_embed(const Tensor& t, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
/// A 1-D t as the square matrix with t on diagonal `diagonal`; of a 2-D t, a copy of that diagonal.
EMBER_API Tensor diag(const Tensor& t, int64_t diagonal = 0);

// ---- joining and splitting ------------------------------------------------------------
/// Concatenates along an existing dim.
EMBER_API Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// Stacks along a new dim.
EMBER_API Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// Views of `split_size` elements along dim (the last may be smaller).
EMBER_API std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim = 0);
/// Views of the given sizes along dim (they must add up to the dim's size).
EMBER_API std::vector<Tensor> split_with_sizes(const Tensor& t, const Shape& sizes, int64_t dim = 0);
/// At most `chunks` views of equal size along dim.
EMBER_API std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);
/// The views along dim, dim removed.
EMBER_API std::vector<Tensor> unbind(const Tensor& t, int64_t dim = 0);

// ---- rearranging copies (ops/rearrange.cpp) -------------------------------------------
/// A copy of t with its elements in reverse order along each of dims.
EMBER_API Tensor flip(const Tensor& t, const Dims& dims);
/// flip along dim 1 (left/right) of a tensor of at least 2 dims.
EMBER_API Tensor fliplr(const Tensor& t);
/// flip along dim 0 (up/down) of a tensor of at least 1 dim.
EMBER_API Tensor flipud(const Tensor& t);
/// t rotated k times by 90 degrees in the plane of dims (from the first axis towards the second).
EMBER_API Tensor rot90(const Tensor& t, int64_t k = 1, const Dims& dims = {0, 1});
/// A copy of t shifted by shifts[i] places along dims[i], wrapping around (over the flattened
/// tensor when dims is empty).
EMBER_API Tensor roll(const Tensor& t, const Dims& shifts, const Dims& dims = {});
/// t repeated repeats[i] times along dim i (repeats may be longer than t's dims: new leading dims).
EMBER_API Tensor repeat(const Tensor& t, const Dims& repeats);
/// repeat, with dims padded with leading 1s when shorter than t's dims.
EMBER_API Tensor tile(const Tensor& t, const Dims& dims);
/// Each slice along dim repeated repeats[i] times, next to itself (t flattened when dim is absent);
/// repeats is 0-d / 1-element (all alike) or has one count per slice.
EMBER_API Tensor repeat_interleave(const Tensor& t, const Tensor& repeats, std::optional<int64_t> dim = {},
                                   std::optional<int64_t> output_size = {});
/// repeat_interleave with one count for every slice.
EMBER_API Tensor repeat_interleave(const Tensor& t, int64_t repeats, std::optional<int64_t> dim = {},
                                   std::optional<int64_t> output_size = {});
/// 0, 1, ... each index i repeated repeats[i] times (repeats: 1-D non-negative integers).
EMBER_API Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> output_size = {});
/// The lower triangle of the last two dims (column - row <= diagonal), zeros elsewhere.
EMBER_API Tensor tril(const Tensor& t, int64_t diagonal = 0);
/// The upper triangle of the last two dims (column - row >= diagonal), zeros elsewhere.
EMBER_API Tensor triu(const Tensor& t, int64_t diagonal = 0);
/// In place: tril.
EMBER_API Tensor& tril_(Tensor& t, int64_t diagonal = 0);
/// In place: triu.
EMBER_API Tensor& triu_(Tensor& t, int64_t diagonal = 0);
/// The (row, column) coordinates of tril of a row x col matrix, as a 2 x N tensor, row-major.
EMBER_API Tensor tril_indices(int64_t row, int64_t col, int64_t offset = 0, DType dtype = DType::Int64);
/// The (row, column) coordinates of triu of a row x col matrix, as a 2 x N tensor, row-major.
EMBER_API Tensor triu_indices(int64_t row, int64_t col, int64_t offset = 0, DType dtype = DType::Int64);

// ---- combining (ops/combine.cpp: composites of other ops) ------------------------------
/// Sum of the main diagonal of a 2-D tensor (bool and integers sum to int64).
EMBER_API Tensor trace(const Tensor& t);
/// The Kronecker product: blocks a[i] * b (dims of the shorter padded with leading 1s).
EMBER_API Tensor kron(const Tensor& a, const Tensor& b);
/// The cross product of 3-vectors along dim (the first of size 3 when absent), broadcasting.
EMBER_API Tensor cross(const Tensor& a, const Tensor& b, std::optional<int64_t> dim = {});
/// n-th forward difference along dim, after prepend / append (undefined: none) are joined on.
EMBER_API Tensor diff(const Tensor& t, int64_t n = 1, int64_t dim = -1, const Tensor& prepend = {},
                      const Tensor& append = {});
/// The Vandermonde matrix of 1-D x: columns x^(N-1) ... x^0 (x^0 ... x^(N-1) when increasing).
EMBER_API Tensor vander(const Tensor& x, std::optional<int64_t> N = {}, bool increasing = false);
/// Coordinate grids of 1-D (or 0-d) tensors; indexing "ij" (matrix) or "xy" (Cartesian).
EMBER_API std::vector<Tensor> meshgrid(const std::vector<Tensor>& tensors, const std::string& indexing = "ij");
/// All combinations of the elements of 1-D tensors, one per row (a 1-D copy for one tensor).
EMBER_API Tensor cartesian_prod(const std::vector<Tensor>& tensors);
/// Views of the tensors expanded to their broadcast shape.
EMBER_API std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors);
/// t viewed with at least n (1, 2 or 3) dims, as numpy.atleast_nd.
EMBER_API Tensor atleast_nd(const Tensor& t, int64_t n);
/// t gathered along dim at indices broadcast against it (flattened when dim is absent).
EMBER_API Tensor take_along_dim(const Tensor& t, const Tensor& indices, std::optional<int64_t> dim = {});
/// Indices of the nonzero elements, shape (count, ndim): nonzero.
EMBER_API Tensor argwhere(const Tensor& t);

// ---- unique values and counting (ops/unique.cpp) ---------------------------------------
/// The distinct values (slices along dim) of t in ascending order, and, where asked, for each
/// element its place among them (inverse) and how often each occurs (counts); unasked: undefined.
EMBER_API std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& t, bool sorted = true, bool return_inverse = false,
                                                    bool return_counts = false, std::optional<int64_t> dim = {});
/// unique of each run of equal consecutive values (slices along dim), in order.
EMBER_API std::tuple<Tensor, Tensor, Tensor> unique_consecutive(const Tensor& t, bool return_inverse = false,
                                                                bool return_counts = false,
                                                                std::optional<int64_t> dim = {});
/// How often each value 0..max occurs in 1-D non-negative integers (weights summed instead when given).
EMBER_API Tensor bincount(const Tensor& t, const Tensor& weights = {}, int64_t minlength = 0);
/// A histogram of bins equal-width bins over [min, max] (t's min and max when both are 0).
EMBER_API Tensor histc(const Tensor& t, int64_t bins = 100, double min = 0, double max = 0);
/// For each value, the index where it would be inserted into the sorted innermost dim of
/// sorted_sequence (after equal elements when right); sorter: indices that sort it.
EMBER_API Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool out_int32 = false,
                              bool right = false, const Tensor& sorter = {});
/// The bucket of each element of t among 1-D sorted boundaries: searchsorted(boundaries, t).
EMBER_API Tensor bucketize(const Tensor& t, const Tensor& boundaries, bool out_int32 = false, bool right = false);

// ---- indexing -------------------------------------------------------------------------
/// cond ? a : b elementwise with broadcasting.
EMBER_API Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
/// out[i][j] = t[index[i][j]][j] for dim 0 (index has t's number of dims).
EMBER_API Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
/// A copy of t with src written at the positions index gives along dim.
EMBER_API Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
/// In place: scatter.
EMBER_API Tensor& scatter_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
/// A copy of t with src added at the positions index gives along dim.
EMBER_API Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
/// In place: scatter_add.
EMBER_API Tensor& scatter_add_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
/// A copy of t with src reduced into it at index along dim: reduce is "sum", "prod", "mean"
/// (integers rounded down), "amax" or "amin" (NaN wins); include_self false leaves t's old
/// values out of the places src lands on.
EMBER_API Tensor scatter_reduce(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                                const std::string& reduce, bool include_self = true);
/// In place: scatter_reduce.
EMBER_API Tensor& scatter_reduce_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                                  const std::string& reduce, bool include_self = true);
/// The entries of t at `index` (1-D int64) along dim.
EMBER_API Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
/// t with value where mask (bool, broadcast to t) is true.
EMBER_API Tensor masked_fill(const Tensor& t, const Tensor& mask, Scalar value);
/// In place: masked_fill.
EMBER_API Tensor& masked_fill_(Tensor& t, const Tensor& mask, Scalar value);
/// masked_fill with a 0-d tensor value (differentiable in the value too).
EMBER_API Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
/// In place: masked_fill with a 0-d tensor value.
EMBER_API Tensor& masked_fill_(Tensor& t, const Tensor& mask, const Tensor& value);
/// The elements of t where mask is true, as 1-D.
EMBER_API Tensor masked_select(const Tensor& t, const Tensor& mask);
/// Indices of the nonzero elements, shape (count, ndim).
EMBER_API Tensor nonzero(const Tensor& t);
/// int64 class indices -> int64 one-hot rows (num_classes = max + 1 when negative).
EMBER_API Tensor one_hot(const Tensor& t, int64_t num_classes = -1);

/// One entry of a subscript, as Python's t[...] allows.
struct Slice {
  std::optional<int64_t> start, stop, step;
};
struct NoneIndex {};
struct EllipsisIndex {};
using TensorIndex = std::variant<int64_t, Slice, NoneIndex, EllipsisIndex, Tensor>;
/// t[indices]: a view for ints, slices, None and Ellipsis; a copy when an index is a tensor.
EMBER_API Tensor index(const Tensor& t, const std::vector<TensorIndex>& indices);
/// t[indices] = value (broadcast to the indexed shape), or += value (repeated indices add up).
EMBER_API void index_put_(Tensor& t, const std::vector<TensorIndex>& indices, const Tensor& value,
                          bool accumulate = false);
/// A copy of t with index_put_ applied.
EMBER_API Tensor index_put(const Tensor& t, const std::vector<TensorIndex>& indices, const Tensor& value,
                           bool accumulate = false);

// ---- pointwise (the table in elementwise.def) -----------------------------------------
// Each row's op and, for the in-place form x.name_(), one with a trailing underscore (the
// result must fit x's dtype).
#define EMBER_UNARY(name, kind, formula, doc, ...) \
  EMBER_API Tensor name(const Tensor& x);          \
  EMBER_API Tensor& name##_(Tensor& x);
#define EMBER_BINARY(name, kind, formula, doc, ...) \
  EMBER_API Tensor name(const Tensor& x, const Tensor& y);   \
  EMBER_API Tensor& name##_(Tensor& x, const Tensor& y);
#include "ember/elementwise.def"
/// x / y rounded as rounding_mode says: none (true division), "trunc" (toward 0) or "floor"
/// (floor_divide); integer inputs stay integers when rounded. Rounded results have zero gradient.
EMBER_API Tensor div(const Tensor& x, const Tensor& y, const std::optional<std::string>& rounding_mode);
/// In place: div with rounding_mode.
EMBER_API Tensor& div_(Tensor& x, const Tensor& y, const std::optional<std::string>& rounding_mode);
/// min(max(x, lo), hi) with optional bounds.
EMBER_API Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max);
/// In place: clamp.
EMBER_API Tensor& clamp_(Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max);
/// |a - b| <= atol + rtol * |b|, elementwise (NaNs equal when equal_nan).
EMBER_API Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
/// All of isclose.
EMBER_API bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
/// Same shape and the same values.
EMBER_API bool equal(const Tensor& a, const Tensor& b);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, Scalar b) { return add(a, scalar_tensor(b)); }
inline Tensor operator-(const Tensor& a, Scalar b) { return sub(a, scalar_tensor(b)); }
inline Tensor operator*(const Tensor& a, Scalar b) { return mul(a, scalar_tensor(b)); }
inline Tensor operator/(const Tensor& a, Scalar b) { return div(a, scalar_tensor(b)); }
inline Tensor operator+(Scalar a, const Tensor& b) { return add(scalar_tensor(a), b); }
inline Tensor operator-(Scalar a, const Tensor& b) { return sub(scalar_tensor(a), b); }
inline Tensor operator*(Scalar a, const Tensor& b) { return mul(scalar_tensor(a), b); }
inline Tensor operator/(Scalar a, const Tensor& b) { return div(scalar_tensor(a), b); }
// Comparisons give bool tensors, as PyTorch's C++ API.
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator==(const Tensor& a, Scalar b) { return eq(a, scalar_tensor(b)); }
inline Tensor operator<(const Tensor& a, Scalar b) { return lt(a, scalar_tensor(b)); }
inline Tensor operator<=(const Tensor& a, Scalar b) { return le(a, scalar_tensor(b)); }
inline Tensor operator>(const Tensor& a, Scalar b) { return gt(a, scalar_tensor(b)); }
inline Tensor operator>=(const Tensor& a, Scalar b) { return ge(a, scalar_tensor(b)); }

// ---- reductions (dims empty or absent = all dims) -------------------------------------
/// Sum; bool and int64 sum to int64.
EMBER_API Tensor sum(const Tensor& t, const OptDims& dims = {}, bool keepdim = false, OptDType dtype = {});
/// Mean (floating dtypes only, as PyTorch).
EMBER_API Tensor mean(const Tensor& t, const OptDims& dims = {}, bool keepdim = false, OptDType dtype = {});
/// Product; bool and int64 multiply to int64.
EMBER_API Tensor prod(const Tensor& t, const OptDims& dims = {}, bool keepdim = false, OptDType dtype = {});
/// Largest value over dims (NaN propagates).
EMBER_API Tensor amax(const Tensor& t, const OptDims& dims = {}, bool keepdim = false);
/// Smallest value over dims (NaN propagates).
EMBER_API Tensor amin(const Tensor& t, const OptDims& dims = {}, bool keepdim = false);
/// Largest value of all elements; its gradient is shared by the elements equal to it (the NaNs
/// when it is NaN), as PyTorch's max().
EMBER_API Tensor max(const Tensor& t);
/// Smallest value of all elements; its gradient as max()'s.
EMBER_API Tensor min(const Tensor& t);
/// (values, indices) of the largest along dim; the first index on ties.
EMBER_API std::pair<Tensor, Tensor> max_dim(const Tensor& t, int64_t dim, bool keepdim = false);
/// (values, indices) of the smallest along dim.
EMBER_API std::pair<Tensor, Tensor> min_dim(const Tensor& t, int64_t dim, bool keepdim = false);
/// Index of the largest (over the flattened tensor when dim is absent).
EMBER_API Tensor argmax(const Tensor& t, std::optional<int64_t> dim = {}, bool keepdim = false);
/// Index of the smallest.
EMBER_API Tensor argmin(const Tensor& t, std::optional<int64_t> dim = {}, bool keepdim = false);
/// Variance with Bessel's correction by default (divisor N - correction).
EMBER_API Tensor var(const Tensor& t, const OptDims& dims = {}, double correction = 1, bool keepdim = false);
/// sqrt(var).
EMBER_API Tensor std(const Tensor& t, const OptDims& dims = {}, double correction = 1, bool keepdim = false);
/// log(sum(exp(t))) computed stably (the max is subtracted first).
EMBER_API Tensor logsumexp(const Tensor& t, const Dims& dims, bool keepdim = false);
/// True where every element is nonzero.
EMBER_API Tensor all(const Tensor& t, const OptDims& dims = {}, bool keepdim = false);
/// True where any element is nonzero.
EMBER_API Tensor any(const Tensor& t, const OptDims& dims = {}, bool keepdim = false);
/// Number of nonzero elements over dims (all when absent), int64.
EMBER_API Tensor count_nonzero(const Tensor& t, const OptDims& dims = {});
/// p-norm over dims (p = inf / -inf for max / min of |t|, p = 0 counts nonzeros).
EMBER_API Tensor norm(const Tensor& t, double p = 2, const OptDims& dims = {}, bool keepdim = false);

// ---- scans along one dim (the table in scan.def) ----------------------------------------
/// Running sum along dim; bool and integer inputs give int64 unless dtype is given.
EMBER_API Tensor cumsum(const Tensor& t, int64_t dim, OptDType dtype = {});
/// Running product along dim; bool and integer inputs give int64 unless dtype is given.
EMBER_API Tensor cumprod(const Tensor& t, int64_t dim, OptDType dtype = {});
/// log(cumsum(exp(t))) along dim, computed stably; floating inputs (dtype casts the input first).
EMBER_API Tensor logcumsumexp(const Tensor& t, int64_t dim, OptDType dtype = {});
/// (values, indices) of the running maximum along dim; ties take the later index, NaN sticks.
EMBER_API std::pair<Tensor, Tensor> cummax(const Tensor& t, int64_t dim);
/// (values, indices) of the running minimum along dim; ties take the later index, NaN sticks.
EMBER_API std::pair<Tensor, Tensor> cummin(const Tensor& t, int64_t dim);
/// In place: t = cumsum(t, dim) in t's dtype (dtype, if given, must be t's).
EMBER_API Tensor& cumsum_(Tensor& t, int64_t dim, OptDType dtype = {});
/// In place: t = cumprod(t, dim) in t's dtype (dtype, if given, must be t's).
EMBER_API Tensor& cumprod_(Tensor& t, int64_t dim, OptDType dtype = {});

// ---- sorting and selection along one dim (NaN is the largest; equal values keep index order) --
/// (values, indices) of t sorted along dim; every sort is stable (`stable` is PyTorch's flag).
EMBER_API std::pair<Tensor, Tensor> sort(const Tensor& t, int64_t dim = -1, bool descending = false, bool stable = false);
/// The indices that sort t along dim (sort's second result, no gradient).
EMBER_API Tensor argsort(const Tensor& t, int64_t dim = -1, bool descending = false, bool stable = false);
/// (values, indices) of the k largest (or smallest) along dim, in order when sorted; 0 <= k <= size.
EMBER_API std::pair<Tensor, Tensor> topk(const Tensor& t, int64_t k, int64_t dim = -1, bool largest = true,
                                         bool sorted = true);

/// t summed down to `shape` (a shape t broadcasts from): the gradient of a broadcast.
EMBER_API Tensor sum_to(const Tensor& t, const Shape& shape);

// ---- softmax family (composite forwards; one node each, with PyTorch's backward) ----
/// exp(t) / sum(exp(t)) along dim, computed stably (the max is subtracted first).
EMBER_API Tensor softmax(const Tensor& t, int64_t dim, OptDType dtype = {});
/// log(softmax(t)) along dim, computed stably as t - logsumexp(t).
EMBER_API Tensor log_softmax(const Tensor& t, int64_t dim, OptDType dtype = {});

// ---- linear algebra (BLAS) ------------------------------------------------------------
/// NumPy matmul: 1-D vectors, 2-D matrices, batched and broadcast stacks.
EMBER_API Tensor matmul(const Tensor& a, const Tensor& b);
/// 2-D x 2-D.
EMBER_API Tensor mm(const Tensor& a, const Tensor& b);
/// 3-D x 3-D with equal batch sizes.
EMBER_API Tensor bmm(const Tensor& a, const Tensor& b);
/// 2-D x 1-D.
EMBER_API Tensor mv(const Tensor& a, const Tensor& v);
/// (eigenvalues ascending, eigenvectors as columns) of the symmetric matrices a (..., n, n), read
/// from their lower triangle (uplo "L") or upper one ("U"), as torch.linalg.eigh (LAPACK syevd).
EMBER_API std::pair<Tensor, Tensor> linalg_eigh(const Tensor& a, const std::string& uplo = "L");
/// The eigenvalues of linalg_eigh alone (no eigenvectors computed unless a gradient needs them).
EMBER_API Tensor linalg_eigvalsh(const Tensor& a, const std::string& uplo = "L");
/// LU with partial pivoting of the square matrices a (..., n, n), as torch.linalg.lu_factor (LAPACK
/// getrf): LU (..., n, n) holds L (unit diagonal, not stored) below U; pivots (..., n) int32, 1-based.
EMBER_API std::pair<Tensor, Tensor> linalg_lu_factor(const Tensor& a);
/// linalg_lu_factor without its check, as torch.linalg.lu_factor_ex: (LU, pivots, info), info (...)
/// int32 per matrix: 0, or the 1-based index of the first zero on U's diagonal (a singular matrix).
EMBER_API std::tuple<Tensor, Tensor, Tensor> linalg_lu_factor_ex(const Tensor& a);
/// X with A X = B (left) or X A = B, as torch.linalg.solve; B (..., n) (or (n)) is a batch of vectors
/// when its shape is A's without the last dim; batch dims broadcast. LinAlgError when A is singular.
EMBER_API Tensor linalg_solve(const Tensor& a, const Tensor& b, bool left = true);
/// X with A X = B (left) or X A = B for triangular A (..., n, n), as torch.linalg.solve_triangular:
/// only A's upper (or lower) triangle is read, its diagonal taken as ones when unitriangular; B is a
/// batch of matrices (..., n, k) (left=false: (..., k, n)); batch dims broadcast. BLAS trsm, so a
/// zero on the diagonal gives inf or NaN, as torch's.
EMBER_API Tensor linalg_solve_triangular(const Tensor& a, const Tensor& b, bool upper, bool left = true,
                                        bool unitriangular = false);
/// The inverses of the square matrices a (..., n, n); LinAlgError when one is singular.
EMBER_API Tensor linalg_inv(const Tensor& a);
/// The determinants of the square matrices a (..., n, n), from their LU factorization.
EMBER_API Tensor linalg_det(const Tensor& a);
/// (sign, log |det|) of the square matrices a (..., n, n); (0, -inf) for a singular one.
EMBER_API std::pair<Tensor, Tensor> linalg_slogdet(const Tensor& a);
/// The Cholesky factor L (or U = L^T when upper) of symmetric positive-definite a (..., n, n), read
/// from its lower triangle (LAPACK potrf); LinAlgError when one is not positive-definite.
EMBER_API Tensor linalg_cholesky(const Tensor& a, bool upper = false);
/// (Q, R) of a (..., m, n), as torch.linalg.qr: mode "reduced", "complete" or "r" (Q empty).
EMBER_API std::pair<Tensor, Tensor> linalg_qr(const Tensor& a, const std::string& mode = "reduced");
/// (U, S, Vh) of a (..., m, n) with a = U diag(S) Vh, S descending (LAPACK gesdd), as torch.linalg.svd.
EMBER_API std::tuple<Tensor, Tensor, Tensor> linalg_svd(const Tensor& a, bool full_matrices = true);
/// The singular values of a (..., m, n), descending.
EMBER_API Tensor linalg_svdvals(const Tensor& a);
/// 1-D . 1-D.
EMBER_API Tensor dot(const Tensor& a, const Tensor& b);
/// a (n) x b (m) -> n x m.
EMBER_API Tensor outer(const Tensor& a, const Tensor& b);
/// x (..., in) @ weight (out, in)^T + bias (out) in one BLAS call; the backward writes the
/// weight's gradient in its own layout (bias may be undefined).
EMBER_API Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

// ---- convolutions (im2col + BLAS; PyTorch's arguments: a size per spatial dim, or one for all) ----
/// A convolution's padding: sizes, or "same" (output size = input size, stride 1) or "valid" (0).
using ConvPadding = std::variant<Dims, std::string>;
/// Cross-correlation of x (N, C, L) or (C, L) with weight (O, C / groups, K), plus bias (O).
EMBER_API Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Dims& stride = {1},
                        const ConvPadding& padding = Dims{0}, const Dims& dilation = {1}, int64_t groups = 1);
/// Cross-correlation of x (N, C, H, W) or (C, H, W) with weight (O, C / groups, KH, KW), plus bias (O).
EMBER_API Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Dims& stride = {1},
                        const ConvPadding& padding = Dims{0}, const Dims& dilation = {1}, int64_t groups = 1);
/// Cross-correlation of x (N, C, D, H, W) or (C, D, H, W) with weight (O, C / groups, KD, KH, KW), plus bias (O).
EMBER_API Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Dims& stride = {1},
                        const ConvPadding& padding = Dims{0}, const Dims& dilation = {1}, int64_t groups = 1);
/// The gradient of conv1d wrt its input: x (N, C, L) with weight (C, O / groups, K), plus bias (O).
EMBER_API Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                                  const Dims& stride = {1}, const Dims& padding = {0}, const Dims& output_padding = {0},
                                  int64_t groups = 1, const Dims& dilation = {1});
/// The gradient of conv2d wrt its input: x (N, C, H, W) with weight (C, O / groups, KH, KW), plus bias (O).
EMBER_API Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                                  const Dims& stride = {1}, const Dims& padding = {0}, const Dims& output_padding = {0},
                                  int64_t groups = 1, const Dims& dilation = {1});
/// The gradient of conv3d wrt its input: x (N, C, D, H, W) with weight (C, O / groups, KD, KH, KW), plus bias (O).
EMBER_API Tensor conv_transpose3d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                                  const Dims& stride = {1}, const Dims& padding = {0}, const Dims& output_padding = {0},
                                  int64_t groups = 1, const Dims& dilation = {1});

// ---- recurrent cells and layers (ops/rnn.cpp: one fused node per step or per layer direction) ----
/// One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh); x (B, I), hx (B, H);
/// biases may be undefined.
EMBER_API Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                               const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// rnn_tanh_cell with relu in place of tanh.
EMBER_API Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                               const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// One LSTM step, gates (i, f, g, o) as PyTorch's: c' = f c + i g, h' = o tanh(c'); returns (h', c').
EMBER_API std::pair<Tensor, Tensor> lstm_cell(const Tensor& input, const Tensor& hx, const Tensor& cx, const Tensor& w_ih,
                                              const Tensor& w_hh, const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// One GRU step, gates (r, z, n) as PyTorch's: h' = (1 - z) n + z h.
EMBER_API Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                          const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// One direction of one recurrent layer ("RNN_TANH", "RNN_RELU", "LSTM" or "GRU") over a packed
/// sequence: data (N, I) time-major with batch_sizes[t] rows at step t (non-increasing), h0
/// (batch_sizes[0], out), c0 (LSTM: (batch_sizes[0], H)); w_hr: LSTM's projection (or undefined).
/// Returns (output (N, out), h_n, c_n (LSTM; undefined otherwise)): the state at each sequence's last step.
EMBER_API std::tuple<Tensor, Tensor, Tensor> rnn_layer(const std::string& mode, const Tensor& data,
                                                       const std::vector<int64_t>& batch_sizes, const Tensor& h0,
                                                       const Tensor& c0, const Tensor& w_ih, const Tensor& w_hh,
                                                       const Tensor& b_ih, const Tensor& b_hh, const Tensor& w_hr,
                                                       bool reverse);

// ---- contractions (ops/contract.cpp: composites of the matrix products, on BLAS) --------------
/// Einstein summation as PyTorch's: "ij,jk->ik", "...ij->...ji", implicit outputs (the labels
/// used once, in order), repeated labels (diagonals); contracted left to right through bmm.
EMBER_API Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);
/// Sums a's dims dims_a against b's dims dims_b; the result has a's other dims, then b's.
EMBER_API Tensor tensordot(const Tensor& a, const Tensor& b, const Dims& dims_a, const Dims& dims_b);
/// tensordot over a's last `dims` dims and b's first `dims`.
EMBER_API Tensor tensordot(const Tensor& a, const Tensor& b, int64_t dims = 2);
/// Sum over the last dim of both (a * b for a 0-d operand).
EMBER_API Tensor inner(const Tensor& a, const Tensor& b);
/// 1-D . 1-D of one dtype (dot; real tensors need no conjugate).
EMBER_API Tensor vdot(const Tensor& a, const Tensor& b);
/// beta * input + alpha * (mat1 @ mat2); beta = 0 ignores input.
EMBER_API Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, Scalar beta = 1, Scalar alpha = 1);
/// beta * input + alpha * (mat @ vec).
EMBER_API Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, Scalar beta = 1, Scalar alpha = 1);
/// beta * input + alpha * outer(vec1, vec2).
EMBER_API Tensor addr(const Tensor& input, const Tensor& vec1, const Tensor& vec2, Scalar beta = 1, Scalar alpha = 1);
/// beta * input + alpha * bmm(batch1, batch2).
EMBER_API Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta = 1,
                         Scalar alpha = 1);
/// beta * input + alpha * sum over the batch of bmm(batch1, batch2).
EMBER_API Tensor addbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta = 1,
                        Scalar alpha = 1);
/// In place: x = addmm(x, ...) (and likewise for the others).
EMBER_API Tensor& addmm_(Tensor& x, const Tensor& mat1, const Tensor& mat2, Scalar beta = 1, Scalar alpha = 1);
EMBER_API Tensor& addmv_(Tensor& x, const Tensor& mat, const Tensor& vec, Scalar beta = 1, Scalar alpha = 1);
EMBER_API Tensor& addr_(Tensor& x, const Tensor& vec1, const Tensor& vec2, Scalar beta = 1, Scalar alpha = 1);
EMBER_API Tensor& baddbmm_(Tensor& x, const Tensor& batch1, const Tensor& batch2, Scalar beta = 1, Scalar alpha = 1);
EMBER_API Tensor& addbmm_(Tensor& x, const Tensor& batch1, const Tensor& batch2, Scalar beta = 1, Scalar alpha = 1);

// ---- pointwise composites (ops/pointwise_composite.cpp) ---------------------------------------
/// input + alpha * other, rounded once for float32 and float64 (PyTorch's fused multiply-add).
EMBER_API Tensor add(const Tensor& input, const Tensor& other, Scalar alpha);
/// input - alpha * other, rounded as add.
EMBER_API Tensor sub(const Tensor& input, const Tensor& other, Scalar alpha);
/// In place: add and sub with alpha.
EMBER_API Tensor& add_(Tensor& x, const Tensor& other, Scalar alpha);
EMBER_API Tensor& sub_(Tensor& x, const Tensor& other, Scalar alpha);
/// input + value * tensor1 * tensor2.
EMBER_API Tensor addcmul(const Tensor& input, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
/// In place: addcmul.
EMBER_API Tensor& addcmul_(Tensor& x, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
/// input + value * tensor1 / tensor2 (floating tensor1 or tensor2).
EMBER_API Tensor addcdiv(const Tensor& input, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
/// In place: addcdiv.
EMBER_API Tensor& addcdiv_(Tensor& x, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
/// input + weight * (end - input), exact at weight 0 and 1 (floating, one dtype).
EMBER_API Tensor lerp(const Tensor& input, const Tensor& end, const Tensor& weight);
/// In place: lerp.
EMBER_API Tensor& lerp_(Tensor& x, const Tensor& end, const Tensor& weight);
/// NaN, +inf and -inf replaced by nan (0), posinf and neginf (the dtype's finite extremes).
EMBER_API Tensor nan_to_num(const Tensor& x, std::optional<double> nan = 0.0, std::optional<double> posinf = {},
                            std::optional<double> neginf = {});
/// In place: nan_to_num.
EMBER_API Tensor& nan_to_num_(Tensor& x, std::optional<double> nan = 0.0, std::optional<double> posinf = {},
                              std::optional<double> neginf = {});
/// log(z / (1 - z)), z = x clamped to [eps, 1 - eps] when eps is given.
EMBER_API Tensor logit(const Tensor& x, std::optional<double> eps = {});
/// round to `decimals` decimal places (negative: to tens, hundreds, ...), as torch.round(x,
/// decimals=): x * 10^decimals rounded half to even, then divided back, in x's dtype. Floating only.
EMBER_API Tensor round_decimals(const Tensor& x, int64_t decimals);
/// In place: round_decimals.
EMBER_API Tensor& round_decimals_(Tensor& x, int64_t decimals);
/// In place: logit.
EMBER_API Tensor& logit_(Tensor& x, std::optional<double> eps = {});
/// x ** exponent in float64.
EMBER_API Tensor float_power(const Tensor& x, const Tensor& exponent);
/// In place: float_power (x must be float64).
EMBER_API Tensor& float_power_(Tensor& x, const Tensor& exponent);
/// x * 2 ** other.
EMBER_API Tensor ldexp(const Tensor& x, const Tensor& other);
/// In place: ldexp.
EMBER_API Tensor& ldexp_(Tensor& x, const Tensor& other);
/// The n-th derivative of digamma (n = 0: digamma).
EMBER_API Tensor polygamma(int64_t n, const Tensor& x);
/// In place: x = polygamma(n, x).
EMBER_API Tensor& polygamma_(Tensor& x, int64_t n);
/// Whether each element of elements is among test_elements (bool, elements' shape).
EMBER_API Tensor isin(const Tensor& elements, const Tensor& test_elements, bool assume_unique = false,
                      bool invert = false);

// ---- statistics (ops/reduce_stats.cpp: composites of sort and the reductions) ------------------
/// Sum treating NaN as 0.
EMBER_API Tensor nansum(const Tensor& t, const OptDims& dims = {}, bool keepdim = false, OptDType dtype = {});
/// Mean of the non-NaN elements.
EMBER_API Tensor nanmean(const Tensor& t, const OptDims& dims = {}, bool keepdim = false, OptDType dtype = {});
/// The lower median of all elements (NaN if any is NaN).
EMBER_API Tensor median(const Tensor& t);
/// (values, indices) of the lower median along dim (NaN where a NaN is in the row).
EMBER_API std::pair<Tensor, Tensor> median_dim(const Tensor& t, int64_t dim, bool keepdim = false);
/// The lower median of the non-NaN elements.
EMBER_API Tensor nanmedian(const Tensor& t);
/// (values, indices) of nanmedian along dim.
EMBER_API std::pair<Tensor, Tensor> nanmedian_dim(const Tensor& t, int64_t dim, bool keepdim = false);
/// (values, indices) of the k-th smallest along dim (k from 1).
EMBER_API std::pair<Tensor, Tensor> kthvalue(const Tensor& t, int64_t k, int64_t dim = -1, bool keepdim = false);
/// The q-quantiles over dim (all elements when absent), interpolation linear, lower, higher,
/// midpoint or nearest; q 0-d (a number) or 1-D (its dim first in the result).
EMBER_API Tensor quantile(const Tensor& t, const Tensor& q, std::optional<int64_t> dim = {}, bool keepdim = false,
                          const std::string& interpolation = "linear");
/// quantile ignoring NaN.
EMBER_API Tensor nanquantile(const Tensor& t, const Tensor& q, std::optional<int64_t> dim = {}, bool keepdim = false,
                             const std::string& interpolation = "linear");
/// The most frequent value along dim (the smallest of tied ones) and the index of its last
/// occurrence.
EMBER_API std::pair<Tensor, Tensor> mode(const Tensor& t, int64_t dim = -1, bool keepdim = false);
/// (amin, amax) over dim (all elements when absent).
EMBER_API std::pair<Tensor, Tensor> aminmax(const Tensor& t, std::optional<int64_t> dim = {}, bool keepdim = false);
/// (var, mean) over dims.
EMBER_API std::pair<Tensor, Tensor> var_mean(const Tensor& t, const OptDims& dims = {}, double correction = 1,
                                             bool keepdim = false);
/// (std, mean) over dims.
EMBER_API std::pair<Tensor, Tensor> std_mean(const Tensor& t, const OptDims& dims = {}, double correction = 1,
                                             bool keepdim = false);

// ---- joining, splitting and indexing composites (ops/join.cpp) ---------------------------------
/// cat along dim 1 (dim 0 for 1-D tensors); 0-d tensors count as 1-D.
EMBER_API Tensor hstack(const std::vector<Tensor>& tensors);
/// cat along dim 0 of the tensors made at least 2-D.
EMBER_API Tensor vstack(const std::vector<Tensor>& tensors);
/// cat along dim 2 of the tensors made at least 3-D.
EMBER_API Tensor dstack(const std::vector<Tensor>& tensors);
/// cat along dim 1, 0-d and 1-D tensors becoming columns.
EMBER_API Tensor column_stack(const std::vector<Tensor>& tensors);
/// `sections` views along dim of sizes differing by at most one.
EMBER_API std::vector<Tensor> tensor_split(const Tensor& t, int64_t sections, int64_t dim = 0);
/// Views along dim split at the given indices.
EMBER_API std::vector<Tensor> tensor_split(const Tensor& t, const Dims& indices, int64_t dim = 0);
/// The elements at the given indices of t read as 1-D (index's shape).
EMBER_API Tensor take(const Tensor& t, const Tensor& index);
/// A copy of t with alpha * source added at index along dim.
EMBER_API Tensor index_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha = 1);
/// A copy of t with source written at index along dim.
EMBER_API Tensor index_copy(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source);
/// A copy of t with value written at index along dim.
EMBER_API Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& value);
/// In place: index_add, index_copy, index_fill.
EMBER_API Tensor& index_add_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha = 1);
EMBER_API Tensor& index_copy_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& source);
EMBER_API Tensor& index_fill_(Tensor& t, int64_t dim, const Tensor& index, const Tensor& value);
/// A copy of t with src written at index along dim (src has the shape of select(t, dim, index)).
EMBER_API Tensor select_scatter(const Tensor& t, const Tensor& src, int64_t dim, int64_t index);
/// A copy of t with src written into the slice start:end:step along dim.
EMBER_API Tensor slice_scatter(const Tensor& t, const Tensor& src, int64_t dim = 0, std::optional<int64_t> start = {},
                               std::optional<int64_t> end = {}, int64_t step = 1);
/// A copy of t with src written on the diagonal (offset, dim1, dim2) that diagonal() reads.
EMBER_API Tensor diagonal_scatter(const Tensor& t, const Tensor& src, int64_t offset = 0, int64_t dim1 = 0,
                                  int64_t dim2 = 1);
/// A copy of t (broadcast with mask) whose masked places take source's leading elements in order.
EMBER_API Tensor masked_scatter(const Tensor& t, const Tensor& mask, const Tensor& source);
/// In place: masked_scatter (mask broadcasts to t's shape).
EMBER_API Tensor& masked_scatter_(Tensor& t, const Tensor& mask, const Tensor& source);
/// The 2-D tensors (0-d and 1-D made 2-D) on the diagonal of a zero matrix.
EMBER_API Tensor block_diag(const std::vector<Tensor>& tensors);
/// p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M): (..., P, R).
EMBER_API Tensor cdist(const Tensor& x1, const Tensor& x2, double p = 2);
/// p-norm of x - y.
EMBER_API Tensor dist(const Tensor& x, const Tensor& y, double p = 2);
/// p-norm distances between the rows i < j of x (N, M), in row-major pair order: N(N-1)/2.
EMBER_API Tensor pdist(const Tensor& x, double p = 2);
/// The r-element combinations of the 1-D t's elements (with replacement: repeats allowed) as
/// rows, in lexicographic order of positions (itertools.combinations'): (count, r).
EMBER_API Tensor combinations(const Tensor& t, int64_t r = 2, bool with_replacement = false);
/// Flat indices as one index tensor per dim of shape (row-major), negative ones wrapped.
EMBER_API std::vector<Tensor> unravel_index(const Tensor& indices, const Shape& shape);

// ---- threads --------------------------------------------------------------------------
/// Threads for ember's kernels and for BLAS, both.
EMBER_API void set_num_threads(int n);
EMBER_API int get_num_threads();

}  // namespace ember
