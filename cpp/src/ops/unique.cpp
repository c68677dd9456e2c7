// Distinct values and counting: unique, unique_consecutive, bincount, histc (composites of sort,
// comparisons and scatter_add, none differentiable, as PyTorch's), and searchsorted / bucketize
// (a binary search kernel).
#include <cmath>

#include "ember/autograd.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/widen.h"

namespace ember {

namespace {
/// True at the first row of each run of equal rows of x (n, k) (of equal elements of a 1-D x).
/// NaN differs from everything, itself included, so every NaN is a run of its own (as PyTorch).
Tensor run_starts(const Tensor& x) {
  const int64_t n = x.sizes()[0];
  if (n == 0) return empty({0}, DType::Bool);
  Tensor differs = ne(narrow(x, 0, 1, n - 1), narrow(x, 0, 0, n - 1));
  if (x.dim() == 2) differs = any(differs, Dims{1});
  return cat({ones({1}, DType::Bool), differs}, 0);
}

/// unique (sort_first) or unique_consecutive over the rows of x (n, k), or the elements of a 1-D x.
/// Returns (indices of the distinct rows in sorted order, inverse, counts); unasked: undefined.
std::tuple<Tensor, Tensor, Tensor> distinct_rows(const Tensor& x, bool sort_first, bool return_inverse,
                                                 bool return_counts, Tensor& sorted_rows) {
  const int64_t n = x.sizes()[0];
  Tensor order;  // row i of the sorted rows is row order[i] of x
  sorted_rows = x;
  if (sort_first) {
    if (x.dim() == 1) {
      auto [values, indices] = sort(x, 0);
      sorted_rows = values;
      order = indices;
    } else {  // lexicographic: stable sorts by each column, the last first
      order = arange(0, n);
      for (int64_t c = x.sizes()[1] - 1; c >= 0; --c)
        order = index_select(order, 0, argsort(index_select(select(x, 1, c), 0, order), 0));
      sorted_rows = index_select(x, 0, order);
    }
  }
  const Tensor starts = run_starts(sorted_rows);
  const Tensor first = reshape(nonzero(starts), {-1});
  Tensor inverse, counts;
  if (return_inverse) {
    inverse = sub(cumsum(starts, 0), scalar_tensor(1));
    if (sort_first) inverse = scatter(zeros({n}, DType::Int64), 0, order, inverse);
  }
  if (return_counts) counts = diff(first, 1, 0, {}, full({1}, n, DType::Int64));
  return {first, inverse, counts};
}

std::tuple<Tensor, Tensor, Tensor> unique_impl(const char* op, const Tensor& t, bool sort_first, bool return_inverse,
                                               bool return_counts, std::optional<int64_t> dim) {
  autograd::NoGradGuard no_grad;
  if (!dim) {
    Tensor sorted;
    auto [first, inverse, counts] =
        distinct_rows(reshape(t, {-1}), sort_first, return_inverse, return_counts, sorted);
    return {index_select(sorted, 0, first), inverse.defined() ? reshape(inverse, t.sizes()) : inverse, counts};
  }
  EMBER_CHECK_INDEX(t.dim() > 0, op, ": dim ", *dim, " is out of range for a 0-d tensor");
  const int64_t d = wrap_dim(*dim, t.dim(), op);
  for (int64_t i = 0; i < t.dim(); ++i)
    EMBER_CHECK_RUNTIME(i == d || t.sizes()[i] > 0, op, ": there are 0 sized dims, and they aren't selected, so unique ",
                        "cannot be applied (shape ", shape_str(t.sizes()), ", dim ", d, ")");
  const Tensor moved = movedim(t, d, 0);
  const int64_t n = moved.sizes()[0];
  int64_t k = 1;
  for (int64_t i = 1; i < moved.dim(); ++i) k *= moved.sizes()[i];
  Tensor sorted;
  auto [first, inverse, counts] = distinct_rows(reshape(moved, {n, k}), sort_first, return_inverse, return_counts, sorted);
  Shape shape = moved.sizes();
  shape[0] = first.numel();
  return {contiguous(movedim(reshape(index_select(sorted, 0, first), shape), 0, d)), inverse, counts};
}
}  // namespace

std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& t, bool /*sorted: always*/, bool return_inverse,
                                          bool return_counts, std::optional<int64_t> dim) {
  return unique_impl("unique", t, true, return_inverse, return_counts, dim);
}

std::tuple<Tensor, Tensor, Tensor> unique_consecutive(const Tensor& t, bool return_inverse, bool return_counts,
                                                      std::optional<int64_t> dim) {
  return unique_impl("unique_consecutive", t, false, return_inverse, return_counts, dim);
}

Tensor bincount(const Tensor& t, const Tensor& weights, int64_t minlength) {
  EMBER_CHECK_TYPE(t.dtype() != DType::Bool && !is_floating(t.dtype()),
                   "bincount: only supports integral inputs, got dtype ", dtype_name(t.dtype()));
  EMBER_CHECK_RUNTIME(t.dim() == 1, "bincount: only supports 1-d non-negative integral inputs, got shape ",
                      shape_str(t.sizes()));
  EMBER_CHECK_RUNTIME(minlength >= 0, "bincount: minlength should be >= 0, got ", minlength);
  // An empty input gives int64 zeros, its weights unchecked and unread, as PyTorch's.
  if (t.numel() == 0) return zeros({minlength}, DType::Int64);
  if (weights.defined())
    EMBER_CHECK_RUNTIME(weights.dim() == 1 && weights.sizes()[0] == t.sizes()[0],
                        "bincount: weights should be 1-d and have the same length as input, got shapes ",
                        shape_str(weights.sizes()), " and ", shape_str(t.sizes()));
  autograd::NoGradGuard no_grad;
  const Tensor index = to_dtype(t, DType::Int64);
  EMBER_CHECK_RUNTIME(min(index).item<int64_t>() >= 0,
                      "bincount: only supports 1-d non-negative integral inputs, got a negative value");
  const int64_t length = std::max(minlength, max(index).item<int64_t>() + 1);
  // As PyTorch's: float32 weights sum in float32, all others (16-bit floats too) in float64.
  const DType dt = !weights.defined()                  ? DType::Int64
                   : weights.dtype() == DType::Float32 ? DType::Float32
                                                       : DType::Float64;
  const Tensor src = weights.defined() ? to_dtype(weights, dt) : ones({t.numel()}, dt);
  return scatter_add(zeros({length}, dt), 0, index, src);
}

Tensor histc(const Tensor& t, int64_t bins, double min_value, double max_value) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), "histc: expected a floating input, got dtype ", dtype_name(t.dtype()));
  EMBER_CHECK_RUNTIME(bins > 0, "histc: bins must be > 0, got ", bins);
  EMBER_CHECK_RUNTIME(!(min_value > max_value), "histc: max must be larger than min, got min ", min_value,
                      " and max ", max_value);
  autograd::NoGradGuard no_grad;
  const Tensor x = reshape(t, {-1});
  if (min_value == max_value && x.numel() > 0) {
    min_value = min(x).item<double>();
    max_value = max(x).item<double>();
  }
  if (min_value == max_value) {
    min_value -= 1;
    max_value += 1;
  }
  EMBER_CHECK_RUNTIME(std::isfinite(min_value) && std::isfinite(max_value), "histc: range of [", min_value, ", ",
                      max_value, "] is not finite");
  // The edges and the bin of each element in t's dtype, as PyTorch computes them:
  // (x - lo) * bins / (hi - lo), the top edge counted in the last bin.
  const Tensor lo = full({}, min_value, t.dtype()), hi = full({}, max_value, t.dtype());
  // A range whose width overflows the dtype counts nothing, as PyTorch's (its bin edges are NaN).
  if (!std::isfinite(sub(hi, lo).item<double>())) return zeros({bins}, t.dtype());
  const Tensor in = masked_select(x, logical_and(ge(x, lo), le(x, hi)));
  // A product that overflowed to inf casts to INT64_MIN, clamped into bin 0, as PyTorch's.
  const Tensor pos = to_dtype(div(mul(sub(in, lo), full({}, bins, t.dtype())), sub(hi, lo)), DType::Int64);
  const Tensor bin = clamp(pos, full({}, 0, DType::Int64), full({}, bins - 1, DType::Int64));
  return scatter_add(zeros({bins}, t.dtype()), 0, bin, ones({in.numel()}, t.dtype()));
}

namespace {
/// searchsorted, with op naming the caller in errors.
Tensor search(const char* op, const Tensor& sorted_sequence, const Tensor& values, bool out_int32, bool right,
              const Tensor& sorter) {
  const Tensor& seq = sorted_sequence;
  EMBER_CHECK_TYPE(seq.dtype() != DType::Bool, op, ": not implemented for bool boundaries");
  EMBER_CHECK_RUNTIME(seq.dim() >= 1, op, ": boundaries tensor should have at least 1 dim, got shape ",
                      shape_str(seq.sizes()));
  const bool shared = seq.dim() == 1;  // one sequence for every value
  bool leading_match = values.dim() == seq.dim();
  for (int64_t d = 0; leading_match && d + 1 < seq.dim(); ++d) leading_match = seq.sizes()[d] == values.sizes()[d];
  EMBER_CHECK_RUNTIME(shared || leading_match, op,
                      ": boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and "
                      "input value tensor must match, got shapes ", shape_str(seq.sizes()), " and ",
                      shape_str(values.sizes()));
  Tensor s = seq;
  if (sorter.defined()) {
    EMBER_CHECK_TYPE(sorter.dtype() == DType::Int64, op, ": sorter must be an int64 tensor, got ",
                     dtype_name(sorter.dtype()));
    EMBER_CHECK_RUNTIME(sorter.sizes() == seq.sizes(), op, ": boundaries and sorter must have the same shape, got ",
                        shape_str(seq.sizes()), " and ", shape_str(sorter.sizes()));
    s = gather(seq, -1, sorter);
  }
  autograd::NoGradGuard no_grad;
  const DType ct = promote_types(seq.dtype(), values.dtype());
  const int64_t n = seq.sizes().back();
  const int64_t lines = shared ? 1 : numel_of(Shape(seq.sizes().begin(), seq.sizes().end() - 1));
  const int64_t m = shared ? values.numel() : values.sizes().back();
  const Tensor line_seq = contiguous(reshape(kernel_input(s, ct), {lines, n}));
  const Tensor line_values = contiguous(reshape(kernel_input(values, ct), {lines, m}));
  Tensor out = Tensor::empty({lines, m}, DType::Int64, seq.device());
  call_kernel(seq.device(), op, cpu::searchsorted, out, line_seq, line_values, right);
  out = reshape(out, values.sizes());
  return out_int32 ? to_dtype(out, DType::Int32) : out;
}
}  // namespace

Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool out_int32, bool right,
                    const Tensor& sorter) {
  return search("searchsorted", sorted_sequence, values, out_int32, right, sorter);
}

Tensor bucketize(const Tensor& t, const Tensor& boundaries, bool out_int32, bool right) {
  EMBER_CHECK_RUNTIME(boundaries.dim() == 1, "bucketize: boundaries tensor must be 1 dimension, got shape ",
                      shape_str(boundaries.sizes()));
  return search("bucketize", boundaries, t, out_int32, right, {});
}

}  // namespace ember
