// Copies that rearrange elements: flip, rot90, roll, repeat, tile, repeat_interleave, tril / triu.
// Each is one node (PyTorch's name) whose backward is written with ember ops, so higher-order
// gradients come free; the forwards are views and copies (no kernels of their own).
#include <algorithm>

#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {

namespace {
/// forward() computed without recording, then one node named `node` whose backward maps the
/// result's gradient to t's.
template <class F, class B>
Tensor with_node(const char* node, const Tensor& t, F forward, B backward) {
  const bool rec = autograd::needs_grad(t);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = forward();
  }
  if (rec)
    autograd::record(node, {out}, {t}, {}, [backward = std::move(backward)](const Tensors& g, const Tensors&) {
      return Tensors{backward(g[0])};
    });
  return out;
}

/// Which dims of an nd-dim tensor `dims` names (each at most once).
std::vector<bool> dim_set(const Dims& dims, int64_t nd, const char* op) {
  std::vector<bool> in(std::max<int64_t>(nd, 1), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, nd, op);
    EMBER_CHECK_RUNTIME(!in[w], op, ": dim ", w, " appears multiple times in the list of dims ", shape_str(dims));
    in[w] = true;
  }
  return in;
}

/// A new tensor holding src (any layout, negative strides included) in row-major order.
Tensor copied(const Tensor& src, const char* op) {
  Tensor out = Tensor::empty(src.sizes(), src.dtype(), src.device());
  call_kernel(src.device(), op, cpu::copy, out, src);
  return out;
}
}  // namespace

Tensor flip(const Tensor& t, const Dims& dims) {
  const std::vector<bool> flipped = dim_set(dims, t.dim(), "flip");
  return with_node("FlipBackward0", t, [&] {
    // The reversed order is a view with negative strides, which only this copy ever sees.
    Shape strides = t.strides();
    int64_t offset = t.offset();
    for (int64_t d = 0; d < t.dim(); ++d)
      if (flipped[d] && t.sizes()[d] > 0) {
        offset += (t.sizes()[d] - 1) * strides[d];
        strides[d] = -strides[d];
      }
    return copied(Tensor::make_view(t, t.sizes(), std::move(strides), offset), "flip");
  }, [dims](const Tensor& g) { return flip(g, dims); });
}

Tensor fliplr(const Tensor& t) {
  EMBER_CHECK_RUNTIME(t.dim() >= 2, "fliplr: input must be at least 2-d, got shape ", shape_str(t.sizes()));
  return flip(t, {1});
}

Tensor flipud(const Tensor& t) {
  EMBER_CHECK_RUNTIME(t.dim() >= 1, "flipud: input must be at least 1-d, got shape ", shape_str(t.sizes()));
  return flip(t, {0});
}

Tensor rot90(const Tensor& t, int64_t k, const Dims& dims) {
  EMBER_CHECK_RUNTIME(dims.size() == 2, "rot90: expected 2 rotation dims, got ", dims.size(), " (dims ",
                      shape_str(dims), ")");
  EMBER_CHECK_RUNTIME(t.dim() >= 2, "rot90: expected a tensor of at least 2 dims, got shape ", shape_str(t.sizes()));
  const int64_t d0 = wrap_dim(dims[0], t.dim(), "rot90"), d1 = wrap_dim(dims[1], t.dim(), "rot90");
  EMBER_CHECK_RUNTIME(d0 != d1, "rot90: expected the rotation dims to differ, got dims ", shape_str(dims));
  switch (((k % 4) + 4) % 4) {
    case 1: return transpose(flip(t, {d1}), d0, d1);
    case 2: return flip(t, {d0, d1});
    case 3: return transpose(flip(t, {d0}), d0, d1);
    default: return clone(t);
  }
}

Tensor roll(const Tensor& t, const Dims& shifts, const Dims& dims) {
  EMBER_CHECK_RUNTIME(!shifts.empty(), "roll: `shifts` required");
  if (dims.empty()) {
    EMBER_CHECK_RUNTIME(shifts.size() == 1, "roll: shifts and dims must align: ", shifts.size(),
                        " shifts with no dims (the flattened tensor takes one shift)");
  } else {
    EMBER_CHECK_RUNTIME(shifts.size() == dims.size(), "roll: shifts and dims must align: shifts ", shape_str(shifts),
                        ", dims ", shape_str(dims));
  }
  for (int64_t d : dims) wrap_dim(d, t.dim(), "roll");
  return with_node("RollBackward0", t, [&] {
    // The flattened roll rolls a row-major copy and takes t's shape back.
    Tensor x = dims.empty() ? reshape(t, {-1}) : t;
    const Dims along = dims.empty() ? Dims{0} : dims;
    for (size_t i = 0; i < along.size(); ++i) {
      const int64_t d = wrap_dim(along[i], x.dim(), "roll");
      const int64_t n = x.dim() == 0 ? 1 : x.sizes()[d];
      const int64_t s = n == 0 ? 0 : ((shifts[i] % n) + n) % n;
      x = x.dim() == 0 ? clone(x) : cat({narrow(x, d, n - s, s), narrow(x, d, 0, n - s)}, d);
    }
    return dims.empty() ? Tensor::make_view(x, t.sizes(), contiguous_strides(t.sizes()), 0) : x;
  }, [shifts, dims](const Tensor& g) {
    Dims back(shifts.size());
    for (size_t i = 0; i < shifts.size(); ++i) back[i] = -shifts[i];
    return roll(g, back, dims);
  });
}

Tensor repeat(const Tensor& t, const Dims& repeats) {
  const int64_t nr = static_cast<int64_t>(repeats.size()), nd = t.dim();
  EMBER_CHECK_RUNTIME(nr >= nd, "repeat: the number of repeat dims (", nr,
                      ") can not be smaller than the number of dims of the tensor (shape ", shape_str(t.sizes()), ")");
  // t as (1, s0, 1, s1, ...) expanded to (r0, s0, r1, s1, ...) is the result, dims merged in pairs.
  Shape pairs, expanded, out_shape;
  for (int64_t i = 0; i < nr; ++i) {
    EMBER_CHECK_RUNTIME(repeats[i] >= 0, "repeat: repeats can not be negative, got ", shape_str(repeats));
    const int64_t s = i < nr - nd ? 1 : t.sizes()[i - (nr - nd)];
    int64_t total;
    EMBER_CHECK_RUNTIME(!__builtin_mul_overflow(s, repeats[i], &total), "repeat: repeats ", shape_str(repeats),
                        " of shape ", shape_str(t.sizes()), " overflow int64");
    pairs.insert(pairs.end(), {1, s});
    expanded.insert(expanded.end(), {repeats[i], s});
    out_shape.push_back(total);
  }
  return with_node("RepeatBackward0", t, [&] {
    Tensor out = Tensor::empty(out_shape, t.dtype(), t.device());
    if (out.numel() > 0)
      call_kernel(t.device(), "repeat", cpu::copy, Tensor::make_view(out, expanded, contiguous_strides(expanded), 0),
                  expand(reshape(t, pairs), expanded));
    return out;
  }, [expanded, in_sizes = t.sizes()](const Tensor& g) {
    Dims repeated;
    for (size_t i = 0; i < expanded.size(); i += 2) repeated.push_back(static_cast<int64_t>(i));
    return reshape(sum(reshape(g, expanded), repeated), in_sizes);
  });
}

Tensor tile(const Tensor& t, const Dims& dims) {
  Dims reps = dims;
  if (static_cast<int64_t>(reps.size()) < t.dim()) reps.insert(reps.begin(), t.dim() - reps.size(), 1);
  return repeat(t, reps);
}

namespace {
/// The counts of repeat_interleave as int64 on the host, checked against the slices they repeat.
std::vector<int64_t> repeat_counts(const Tensor& repeats, int64_t slices, const char* op) {
  EMBER_CHECK_TYPE(repeats.dtype() == DType::Int64 || repeats.dtype() == DType::Int32, op,
                   ": repeats must be an int64 or int32 tensor, got ", dtype_name(repeats.dtype()));
  EMBER_CHECK_RUNTIME(repeats.dim() <= 1, op, ": repeats must be a 0-d or 1-d tensor, got shape ",
                      shape_str(repeats.sizes()));
  const Tensor r = contiguous(to_dtype(reshape(repeats, {-1}), DType::Int64));
  const int64_t* p = r.data<int64_t>();
  std::vector<int64_t> counts(p, p + r.numel());
  for (int64_t c : counts) EMBER_CHECK_RUNTIME(c >= 0, op, ": repeats can not be negative, got ", c);
  if (slices >= 0 && counts.size() == 1) counts.assign(slices, counts[0]);
  EMBER_CHECK_RUNTIME(slices < 0 || static_cast<int64_t>(counts.size()) == slices, op,
                      ": repeats must have the same size as input along dim, got repeats of shape ",
                      shape_str(repeats.sizes()), " for ", slices, " slices");
  return counts;
}

/// 0, 1, ... with index i repeated counts[i] times (int64), checked against output_size.
Tensor repeated_indices(const std::vector<int64_t>& counts, std::optional<int64_t> output_size, const char* op) {
  int64_t total = 0;
  for (int64_t c : counts)
    EMBER_CHECK_RUNTIME(!__builtin_add_overflow(total, c, &total), op, ": the sum of repeats overflows int64");
  EMBER_CHECK_RUNTIME(!output_size || *output_size == total, op, ": output_size ", output_size.value_or(0),
                      " does not match the sum of repeats ", total);
  Tensor out = Tensor::empty({total}, DType::Int64);
  int64_t* o = out.data<int64_t>();
  for (size_t i = 0; i < counts.size(); ++i) o = std::fill_n(o, counts[i], static_cast<int64_t>(i));
  return out;
}
}  // namespace

Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> output_size) {
  const char* op = "repeat_interleave";
  EMBER_CHECK_RUNTIME(repeats.dim() == 1, op, ": repeats must be a 1-d tensor, got shape ", shape_str(repeats.sizes()));
  return to_dtype(repeated_indices(repeat_counts(repeats, -1, op), output_size, op), repeats.dtype());
}

Tensor repeat_interleave(const Tensor& t, const Tensor& repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  const char* op = "repeat_interleave";
  const Tensor x = dim ? t : reshape(t, {-1});
  const int64_t d = dim ? wrap_dim(*dim, t.dim(), op) : 0;
  if (x.dim() == 0) return repeat_interleave(reshape(x, {1}), repeats, 0, output_size);
  const Tensor index = repeated_indices(repeat_counts(repeats, x.sizes()[d], op), output_size, op);
  return index_select(x, d, index);
}

Tensor repeat_interleave(const Tensor& t, int64_t repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  return repeat_interleave(t, full({}, repeats, DType::Int64), dim, output_size);
}

namespace {
/// True where tril (lower) or triu drops an element of t's last two dims.
Tensor dropped_by(const char* op, const Tensor& t, int64_t diagonal, bool lower) {
  EMBER_CHECK_RUNTIME(t.dim() >= 2, op, ": input tensor must have at least 2 dims, got shape ", shape_str(t.sizes()));
  autograd::NoGradGuard no_grad;
  const Tensor col_minus_row =
      sub(arange(0, t.sizes().back()), unsqueeze(arange(0, t.sizes()[t.dim() - 2]), 1));
  const Tensor k = scalar_tensor(diagonal);
  return lower ? gt(col_minus_row, k) : lt(col_minus_row, k);
}
}  // namespace

Tensor tril(const Tensor& t, int64_t diagonal) {
  const Tensor drop = dropped_by("tril", t, diagonal, true);
  return with_node("TrilBackward0", t, [&] { return masked_fill(t, drop, 0); },
                   [diagonal](const Tensor& g) { return tril(g, diagonal); });
}

Tensor triu(const Tensor& t, int64_t diagonal) {
  const Tensor drop = dropped_by("triu", t, diagonal, false);
  return with_node("TriuBackward0", t, [&] { return masked_fill(t, drop, 0); },
                   [diagonal](const Tensor& g) { return triu(g, diagonal); });
}

Tensor& tril_(Tensor& t, int64_t diagonal) { return masked_fill_(t, dropped_by("tril_", t, diagonal, true), 0); }

Tensor& triu_(Tensor& t, int64_t diagonal) { return masked_fill_(t, dropped_by("triu_", t, diagonal, false), 0); }

namespace {
/// The coordinates of tril (lower) or triu of a row x col matrix, row-major, as a 2 x N tensor.
Tensor triangle_indices(const char* op, int64_t row, int64_t col, int64_t offset, DType dtype, bool lower) {
  EMBER_CHECK_TYPE(dtype == DType::Int64 || dtype == DType::Int32, op, ": not implemented for ", dtype_name(dtype),
                   " (int32 or int64)");
  EMBER_CHECK_RUNTIME(row >= 0, op, ": row must be non-negative, got ", row);
  EMBER_CHECK_RUNTIME(col >= 0, op, ": col must be non-negative, got ", col);
  // Row i keeps columns [lo(i), hi(i)): j - i <= offset (tril) or j - i >= offset (triu). The rows
  // before `first` keep alike columns (none for tril, all for triu), as do those from `last` on,
  // so counting walks at most col + 2 rows however many there are (the bounds computed in 128
  // bits: col + 1 overflows int64 for col = 2^63 - 1, which UBSan found).
  using Wide = __int128;
  const Wide k = std::clamp<Wide>(offset, -Wide(row) - 1, Wide(col) + 1);
  auto lo = [&](int64_t i) { return lower ? int64_t{0} : static_cast<int64_t>(std::clamp<Wide>(i + k, 0, col)); };
  auto hi = [&](int64_t i) { return lower ? static_cast<int64_t>(std::clamp<Wide>(i + k + 1, 0, col)) : col; };
  const auto first = static_cast<int64_t>(std::clamp<Wide>(-k - 1, 0, row));
  const auto last = static_cast<int64_t>(std::clamp<Wide>(Wide(col) - k + 1, first, row));
  // Past 2^40 coordinates (16 TB) the result cannot be held: stop counting there.
  constexpr int64_t kTooMany = int64_t{1} << 40;
  int64_t n = 0, before, after;
  for (int64_t i = first; i < last; ++i) {
    n += hi(i) - lo(i);
    EMBER_CHECK_RUNTIME(n <= kTooMany, op, ": ", row, " x ", col, " gives more indices than memory holds");
  }
  EMBER_CHECK_RUNTIME(!__builtin_mul_overflow(first, hi(0) - lo(0), &before) &&
                          !__builtin_mul_overflow(row - last, hi(last) - lo(last), &after) &&
                          !__builtin_add_overflow(n, before, &n) && !__builtin_add_overflow(n, after, &n),
                      op, ": ", row, " x ", col, " has more elements than int64 holds");
  Tensor out = Tensor::empty({2, n}, DType::Int64);  // raises when it cannot be held
  int64_t* rows = out.data<int64_t>();
  int64_t* cols = rows + n;
  for (int64_t i = lower ? first : 0, written = 0; written < n; ++i)
    for (int64_t j = lo(i); j < hi(i); ++j, ++written) {
      *rows++ = i;
      *cols++ = j;
    }
  return to_dtype(out, dtype);
}
}  // namespace

Tensor tril_indices(int64_t row, int64_t col, int64_t offset, DType dtype) {
  return triangle_indices("tril_indices", row, col, offset, dtype, true);
}

Tensor triu_indices(int64_t row, int64_t col, int64_t offset, DType dtype) {
  return triangle_indices("triu_indices", row, col, offset, dtype, false);
}

}  // namespace ember
