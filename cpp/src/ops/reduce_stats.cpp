// Order statistics and NaN-aware reductions, composed of sort, gather and the reductions:
// median, nanmedian, kthvalue, mode, quantile, nanquantile, nansum, nanmean, aminmax, var_mean,
// std_mean. The values' gradients flow through sort's and gather's.
#include <cmath>
#include <limits>

#include "autograd/record.h"
#include "ember/ops.h"

namespace ember {

namespace {
/// Sorts t along dim and picks one position per row (position(sorted, nan_count, n, dim) gives
/// it, an int64 tensor of the row shape with dim kept): the (values, indices) of a selection.
template <class F>
std::pair<Tensor, Tensor> pick_sorted(const char* op, const Tensor& t, int64_t dim, bool keepdim, F position) {
  const Tensor in = t.dim() == 0 ? reshape(t, {1}) : t;
  dim = wrap_dim(dim, in.dim(), op);
  const int64_t n = in.sizes()[dim];
  EMBER_CHECK_INDEX(n > 0, op, "(): expected reduction dim ", dim, " to have non-zero size (shape ",
                    shape_str(t.sizes()), ")");
  const auto sorted = sort(in, dim);
  const Tensor nan_count = sum(isnan(in), Dims{dim}, true, DType::Int64);
  const Tensor pos = position(sorted.first, nan_count, n, dim);
  Tensor v = gather(sorted.first, dim, pos), i = gather(sorted.second, dim, pos);
  if (!keepdim || t.dim() == 0) {
    v = squeeze(v, Dims{dim});
    i = squeeze(i, Dims{dim});
  }
  return {v, i};
}
Tensor i64(int64_t v) { return scalar_tensor(v, DType::Int64); }

/// The lower median's position; a row holding NaN gives its first NaN (they sort last).
Tensor median_position(const Tensor&, const Tensor& nan_count, int64_t n, int64_t) {
  return where(gt(nan_count, i64(0)), sub(i64(n), nan_count), expand(i64((n - 1) / 2), nan_count.sizes()));
}
/// The lower median of the row's numbers; a row of NaNs only gives NaN.
Tensor nanmedian_position(const Tensor&, const Tensor& nan_count, int64_t n, int64_t) {
  const Tensor valid = sub(i64(n), nan_count);
  return where(gt(valid, i64(0)), floor_divide(sub(valid, i64(1)), i64(2)), zeros(valid.sizes(), DType::Int64));
}
Tensor whole(const Tensor& t, const char* op, Tensor (*position)(const Tensor&, const Tensor&, int64_t, int64_t)) {
  if (t.numel() == 0) {
    EMBER_CHECK_TYPE(is_floating(t.dtype()), op, "(): an empty ", dtype_name(t.dtype()), " tensor has no median");
    return full({}, std::numeric_limits<double>::quiet_NaN(), t.dtype());
  }
  return pick_sorted(op, reshape(t, {t.numel()}), 0, false, position).first;
}
}  // namespace

Tensor median(const Tensor& t) { return whole(t, "median", median_position); }
std::pair<Tensor, Tensor> median_dim(const Tensor& t, int64_t dim, bool keepdim) {
  return pick_sorted("median", t, dim, keepdim, median_position);
}
Tensor nanmedian(const Tensor& t) { return whole(t, "nanmedian", nanmedian_position); }
std::pair<Tensor, Tensor> nanmedian_dim(const Tensor& t, int64_t dim, bool keepdim) {
  return pick_sorted("nanmedian", t, dim, keepdim, nanmedian_position);
}

std::pair<Tensor, Tensor> kthvalue(const Tensor& t, int64_t k, int64_t dim, bool keepdim) {
  const int64_t n = t.dim() == 0 ? 1 : t.sizes()[wrap_dim(dim, t.dim(), "kthvalue")];
  EMBER_CHECK_RUNTIME(k >= 1 && k <= n, "kthvalue(): selected number k=", k, " out of range for a dim of size ", n,
                    " (shape ", shape_str(t.sizes()), ")");
  return pick_sorted("kthvalue", t, dim, keepdim,
                     [k](const Tensor&, const Tensor& nan_count, int64_t, int64_t) {
                       return expand(i64(k - 1), nan_count.sizes());
                     });
}

std::pair<Tensor, Tensor> mode(const Tensor& t, int64_t dim, bool keepdim) {
  // In sorted order equal values form runs (NaN != NaN: each NaN a run of its own). The mode is
  // the first longest run, so the smallest of tied values; its index is the run's last element,
  // which the stable sort makes the value's last occurrence, as torch's.
  return pick_sorted("mode", t, dim, keepdim, [](const Tensor& sorted, const Tensor&, int64_t n, int64_t d) {
    Shape first = sorted.sizes();
    first[d] = 1;
    const Tensor starts = cat({ones(first, DType::Int64), to_dtype(ne(narrow(sorted, d, 1, n - 1),
                                                                     narrow(sorted, d, 0, n - 1)), DType::Int64)}, d);
    const Tensor run = sub(cumsum(starts, d), i64(1));
    const Tensor lengths = scatter_add(zeros(sorted.sizes(), DType::Int64), d, run, ones(sorted.sizes(), DType::Int64));
    const Tensor best = argmax(lengths, d, true);
    return sub(sum(le(run, best), Dims{d}, true, DType::Int64), i64(1));
  });
}

namespace {
Tensor quantile_impl(const char* op, bool ignore_nan, const Tensor& t, const Tensor& q, std::optional<int64_t> dim,
                     bool keepdim, const std::string& interpolation) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), op, "() input tensor must be either float or double dtype, got ",
                   dtype_name(t.dtype()));
  EMBER_CHECK_TYPE(q.dtype() == t.dtype(), op, "() q tensor must be same dtype as the input tensor, got ",
                   dtype_name(q.dtype()), " and ", dtype_name(t.dtype()));
  EMBER_CHECK(q.dim() <= 1, op, "() q must be a scalar or 1D tensor, got shape ", shape_str(q.sizes()));
  EMBER_CHECK(t.numel() > 0, op, "() input tensor must be non-empty");
  EMBER_CHECK_RUNTIME(interpolation == "linear" || interpolation == "lower" || interpolation == "higher" ||
                          interpolation == "midpoint" || interpolation == "nearest",
                      op, "() interpolation must be one of linear, lower, higher, midpoint or nearest. Got ",
                      interpolation);
  EMBER_CHECK_RUNTIME(all(logical_and(ge(q, scalar_tensor(0.0)), le(q, scalar_tensor(1.0)))).item<bool>(), op,
                      "() q values must be in the range [0, 1]");
  // The rows to select from, along the last dim, sorted (NaN last).
  Tensor rows = dim ? movedim(t.dim() == 0 ? reshape(t, {1}) : t, wrap_dim(*dim, std::max<int64_t>(t.dim(), 1), op), -1)
                    : reshape(t, {t.numel()});
  const int64_t n = rows.sizes().back();
  const Tensor sorted = sort(rows, -1).first;
  const Tensor nan_count = sum(isnan(rows), Dims{-1}, true, DType::Int64);
  // A rank per row and q: q * (count - 1), where count is n, or the row's numbers (nanquantile);
  // a row with NaN (quantile) or of NaNs only (nanquantile) takes its last element, a NaN.
  const Tensor count = ignore_nan ? sub(i64(n), nan_count) : expand(i64(n), nan_count.sizes());
  const Tensor has_nan = ignore_nan ? eq(count, i64(0)) : gt(nan_count, i64(0));
  const Tensor qs = reshape(q, {q.numel()});
  Tensor rank = mul(qs, to_dtype(sub(count, i64(1)), t.dtype()));
  rank = where(has_nan, scalar_tensor(static_cast<double>(n - 1), t.dtype()), rank);
  if (interpolation == "lower") rank = floor(rank);
  else if (interpolation == "higher") rank = ceil(rank);
  else if (interpolation == "nearest") rank = round(rank);
  const Tensor lo = to_dtype(floor(rank), DType::Int64), hi = to_dtype(ceil(rank), DType::Int64);
  const Tensor vlo = gather(sorted, -1, lo), vhi = gather(sorted, -1, hi);
  Tensor out;
  if (interpolation == "midpoint") out = lerp(vlo, vhi, scalar_tensor(0.5));
  else out = lerp(vlo, vhi, sub(rank, to_dtype(lo, t.dtype())));
  // (..., Q) -> (Q, ...), the reduced dim restored as size 1 when keepdim (a 0-d input has none).
  if (keepdim && t.dim() > 0) {
    if (dim) {
      out = unsqueeze(out, -2);
      out = movedim(out, -2, wrap_dim(*dim, std::max<int64_t>(t.dim(), 1), op));
    } else {
      Shape s(t.dim(), 1);
      s.push_back(qs.numel());
      out = reshape(out, s);
    }
  }
  out = movedim(out, -1, 0);
  return q.dim() == 0 ? squeeze(out, Dims{0}) : out;
}
}  // namespace

Tensor quantile(const Tensor& t, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                const std::string& interpolation) {
  return quantile_impl("quantile", false, t, q, dim, keepdim, interpolation);
}
Tensor nanquantile(const Tensor& t, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                   const std::string& interpolation) {
  return quantile_impl("nanquantile", true, t, q, dim, keepdim, interpolation);
}

Tensor nansum(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) {
  if (!is_floating(t.dtype())) return sum(t, dims, keepdim, dtype);
  return sum(where(isnan(t), scalar_tensor(0.0), t), dims, keepdim, dtype);
}

Tensor nanmean(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) {
  // torch checks the input's dtype, not dtype='s: an integer input is refused even with dtype=float32
  EMBER_CHECK_TYPE(is_floating(t.dtype()), "nanmean(): expected input to have floating point dtype but got ",
                   dtype_name(t.dtype()));
  EMBER_CHECK_TYPE(!dtype || is_floating(*dtype), "nanmean(): could not infer output dtype. Optional dtype must "
                   "be a floating point dtype, got ", dtype_name(*dtype));
  const Tensor x = dtype ? to_dtype(t, *dtype) : t;
  const Tensor count = sum(logical_not(isnan(x)), dims, keepdim);
  return div(nansum(x, dims, keepdim), to_dtype(count, x.dtype()));
}

std::pair<Tensor, Tensor> aminmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  if (!dim) {
    EMBER_CHECK_INDEX(t.numel() > 0, "aminmax(): cannot compute aminmax over an empty tensor, got shape ",
                      shape_str(t.sizes()));
    return {amin(t, {}, keepdim), amax(t, {}, keepdim)};
  }
  return {amin(t, Dims{*dim}, keepdim), amax(t, Dims{*dim}, keepdim)};
}

namespace {
/// var_mean and std_mean in float64, rounded once, as torch's Welford kernel adds up both in double:
/// a float32 mean loses the small values beside a 1e10 and a -1e10 that cancel, and three copies
/// of 3.4e38 have a spread of 0, not the inf of a float32 two-pass var.
/// Both results' grad_fn are named after op, as torch's one node.
template <class Stat>
std::pair<Tensor, Tensor> in_float64(const char* op, const Tensor& t, const OptDims& dims, bool keepdim, Stat stat) {
  const bool f64 = !is_floating(t.dtype()) || t.dtype() == DType::Float64;
  const Tensor x = f64 ? t : to_dtype(t, DType::Float64);
  const Tensor s = stat(x), m = mean(x, dims, keepdim);
  return {autograd::name_grad_fn(f64 ? s : to_dtype(s, t.dtype()), op),
          autograd::name_grad_fn(f64 ? m : to_dtype(m, t.dtype()), op)};
}
}  // namespace

std::pair<Tensor, Tensor> var_mean(const Tensor& t, const OptDims& dims, double correction, bool keepdim) {
  return in_float64("var_mean", t, dims, keepdim, [&](const Tensor& x) { return var(x, dims, correction, keepdim); });
}
std::pair<Tensor, Tensor> std_mean(const Tensor& t, const OptDims& dims, double correction, bool keepdim) {
  return in_float64("std_mean", t, dims, keepdim, [&](const Tensor& x) { return ember::std(x, dims, correction, keepdim); });
}

}  // namespace ember
