// Pooling: max, average and their adaptive forms over the last one, two or three dims. Each op
// turns its arguments into per-dim windows (PyTorch's output sizes and window rules, checked once
// here), views the input as (planes, H, W) and runs one of two primitives, each recorded with
// its backward beside it. The backwards are themselves ops with backwards (the average's is its
// transpose, the max's a scatter whose gradient is a gather), so create_graph works. A 3-d pool
// is two passes: (H, W) windows over every depth slice, then depth windows over the results.
#include <cstdint>
#include <memory>
#include <utility>

#include "autograd/record.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "ember/options.h"
#include "kernels.h"
#include "ops/widen.h"

namespace ember {

namespace {
using cpu::PoolWindows;
using Windows = std::shared_ptr<const std::pair<PoolWindows, PoolWindows>>;  // (H, W)

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

/// PyTorch's pooled size of one dim.
int64_t pooled_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  int64_t out = floor_div(in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0), s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;  // the last window must start inside the input or left pad
  return out;
}

/// The windows of one dim of a max pool: the taps of each output that fall inside the input.
PoolWindows max_windows(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
  PoolWindows w;
  w.step = d;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * s - p;
    const int64_t j0 = start < 0 ? ceil_div(-start, d) : 0;
    const int64_t j1 = std::min(k, ceil_div(in - start, d));
    w.first.push_back(start + j0 * d);
    w.taps.push_back(std::max<int64_t>(0, j1 - j0));
  }
  return w;
}

/// The windows of one dim of an average pool; the divisor counts the padding when asked.
PoolWindows avg_windows(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, bool count_include_pad) {
  PoolWindows w;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * s - p, end = std::min(start + k, in + p);
    const int64_t first = std::max<int64_t>(start, 0), last = std::min(end, in);
    w.first.push_back(first);
    w.taps.push_back(std::max<int64_t>(0, last - first));
    w.divisor.push_back(count_include_pad ? end - start : last - first);
  }
  return w;
}

/// The windows of one dim of an adaptive pool: output o covers [floor(o in / out), ceil((o + 1) in / out)).
PoolWindows adaptive_windows(int64_t in, int64_t out) {
  PoolWindows w;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t first = o * in / out, end = ((o + 1) * in + out - 1) / out;
    w.first.push_back(first);
    w.taps.push_back(end - first);
    w.divisor.push_back(end - first);
  }
  return w;
}

/// An input seen as (planes, H, W): spatial dims 1 ((N, C, L) or (C, L)) or 2 ((N, C, H, W) or
/// (C, H, W)); a 1-d input gets an H of 1. `out_shape` maps pooled sizes back to the input's layout.
struct Planes {
  Tensor x;  // (P, H, W), contiguous
  Shape lead;  // the dims before the pooled ones
  int64_t H, W;
  Tensor back(const Tensor& t, int64_t oh, int64_t ow, int spatial) const {
    Shape s = lead;
    if (spatial == 2) s.push_back(oh);
    s.push_back(ow);
    return reshape(t, s);
  }
};
Planes planes_of(const Tensor& x, int spatial, const char* op, bool integers = false) {
  const int64_t d = x.dim();
  EMBER_CHECK(d == spatial + 1 || d == spatial + 2, op, ": expected a ", spatial + 1, "-d or ", spatial + 2,
              "-d input (", spatial == 2 ? "(C, H, W) or (N, C, H, W)" : "(C, L) or (N, C, L)", "), got ",
              shape_str(x.sizes()));
  EMBER_CHECK_TYPE(is_floating(x.dtype()) || (integers && x.dtype() == DType::Int64), op, ": expected a floating",
                   integers ? " or int64" : "", " input, got ", dtype_name(x.dtype()));
  const Shape& s = x.sizes();
  for (int64_t i = d == spatial + 2 ? 1 : 0; i < d; ++i)
    EMBER_CHECK(s[i] > 0, op, ": expected an input with non-zero sizes but for the batch dim, got ", shape_str(s));
  Planes p;
  p.lead.assign(s.begin(), s.end() - spatial);
  p.H = spatial == 2 ? s[d - 2] : 1;
  p.W = s[d - 1];
  int64_t planes = 1;
  for (int64_t v : p.lead) planes *= v;
  p.x = reshape(contiguous(x), {planes, p.H, p.W});
  return p;
}

/// Sizes with one entry per pooled dim: one number stands for all; `fallback` (empty: none) for
/// an empty list (stride defaults to the kernel).
Shape per_dim(const Shape& v, int spatial, const char* op, const char* what, const Shape& fallback = {}) {
  if (v.empty() && !fallback.empty()) return fallback;
  EMBER_CHECK(v.size() == 1 || static_cast<int>(v.size()) == spatial, op, ": ", what, " must be a single int",
              spatial == 2 ? " or a pair of ints" : spatial == 3 ? " or a triple of ints" : "", ", got ",
              shape_str(v));
  return v.size() == 1 ? Shape(spatial, v[0]) : v;
}

struct PoolArgs {
  Shape kernel, stride, padding, dilation;
};
PoolArgs checked_args(const char* op, int spatial, const Shape& kernel_size, const Shape& stride_in,
                      const Shape& padding_in, const Shape& dilation_in) {
  PoolArgs a;
  a.kernel = per_dim(kernel_size, spatial, op, "kernel_size");
  a.stride = per_dim(stride_in, spatial, op, "stride", a.kernel);
  a.padding = per_dim(padding_in, spatial, op, "padding");
  a.dilation = per_dim(dilation_in, spatial, op, "dilation");
  for (int i = 0; i < spatial; ++i) {
    EMBER_CHECK(a.kernel[i] > 0, op, ": kernel_size must be positive, got ", shape_str(a.kernel));
    EMBER_CHECK(a.stride[i] > 0, op, ": stride must be positive, got ", shape_str(a.stride));
    EMBER_CHECK(a.dilation[i] > 0, op, ": dilation must be positive, got ", shape_str(a.dilation));
    // Half of the kernel, not of its dilated extent: torch checks both, and this is the tighter.
    EMBER_CHECK(a.padding[i] >= 0 && a.padding[i] <= a.kernel[i] / 2, op,
                ": padding must be at most half of kernel_size, got padding ", shape_str(a.padding),
                " for kernel_size ", shape_str(a.kernel));
  }
  return a;
}

/// The pooled sizes (OH, OW), checked to be at least 1.
std::pair<int64_t, int64_t> pooled(const char* op, const Planes& p, const PoolArgs& a, bool ceil_mode,
                                   const Tensor& x) {
  const int spatial = static_cast<int>(a.kernel.size());
  const int64_t in[2] = {p.H, p.W};
  int64_t out[2] = {1, 1};
  for (int i = 0; i < spatial; ++i) {
    const int k = i + 2 - spatial;  // 1-d pools only the W dim
    out[k] = pooled_size(in[k], a.kernel[i], a.stride[i], a.padding[i], a.dilation[i], ceil_mode);
    EMBER_CHECK(out[k] >= 1, op, ": input ", shape_str(x.sizes()), " is too small for kernel_size ",
                shape_str(a.kernel), " (padding ", shape_str(a.padding), ", dilation ", shape_str(a.dilation),
                "): the output would be empty");
  }
  return {out[0], out[1]};
}

// ---- the two primitives over (P, H, W) planes, each with its backward ------------------------

Tensor max_unpool(const Tensor& g, const Tensor& indices, int64_t H, int64_t W);

/// (values, indices) of each window's max.
std::pair<Tensor, Tensor> max_planes(const Tensor& x, const Windows& win) {
  if (is_narrow(x.dtype())) {  // picked exactly from the widened values
    auto [values, indices] = max_planes(to_dtype(x, widened(x.dtype())), win);
    return {to_dtype(values, x.dtype()), indices};
  }
  const int64_t P = x.sizes()[0], OH = win->first.first.size(), OW = win->second.first.size();
  const bool rec = autograd::needs_grad(x);
  Tensor values = Tensor::empty({P, OH, OW}, x.dtype(), x.device());
  Tensor indices = Tensor::empty({P, OH, OW}, DType::Int64, x.device());
  call_kernel(x.device(), "max_pool2d", cpu::max_pool2d, values, indices, x, win->first, win->second);
  if (rec) {
    const int64_t H = x.sizes()[1], W = x.sizes()[2];
    autograd::record("MaxPool2DWithIndicesBackward0", {values}, {x}, {indices},
                     [H, W](const Tensors& g, const Tensors& s) { return Tensors{max_unpool(g[0], s[0], H, W)}; });
  }
  return {values, indices};
}

/// The max's backward: each gradient added at its window's max; its own gradient gathers them back.
Tensor max_unpool(const Tensor& g, const Tensor& indices, int64_t H, int64_t W) {
  const int64_t P = g.sizes()[0];
  const bool rec = autograd::needs_grad(g);
  Tensor out = zeros({P, H, W}, g.dtype());
  {
    autograd::RecordingOff off(rec);
    call_kernel(g.device(), "max_pool2d_backward", cpu::max_pool2d_backward, out, contiguous(g), indices);
  }
  if (rec)
    autograd::record("MaxPool2DWithIndicesBackwardBackward0", {out}, {g}, {indices},
                     [](const Tensors& gg, const Tensors& s) {
                       const Tensor& idx = s[0];
                       const int64_t P = idx.sizes()[0];
                       Tensor picked = gather(reshape(gg[0], {P, -1}), 1, reshape(idx, {P, -1}));
                       return Tensors{reshape(picked, idx.sizes())};
                     });
  return out;
}

Tensor avg_transpose(const Tensor& g, const Windows& win, int64_t divisor_override, int64_t H, int64_t W);

/// Each window's mean (its divisor as the windows say, or divisor_override).
Tensor avg_planes(const Tensor& x, const Windows& win, int64_t divisor_override) {
  if (is_narrow(x.dtype()))  // summed in the widened dtype, rounded once
    return via_widened(x, [&](const Tensor& w) { return avg_planes(w, win, divisor_override); });
  const int64_t P = x.sizes()[0], OH = win->first.first.size(), OW = win->second.first.size();
  const bool rec = autograd::needs_grad(x);
  Tensor out = Tensor::empty({P, OH, OW}, x.dtype(), x.device());
  call_kernel(x.device(), "avg_pool2d", cpu::avg_pool2d, out, x, win->first, win->second, divisor_override);
  if (rec) {
    const int64_t H = x.sizes()[1], W = x.sizes()[2];
    autograd::record("AvgPool2DBackward0", {out}, {x}, {}, [win, divisor_override, H, W](const Tensors& g, const Tensors&) {
      return Tensors{avg_transpose(g[0], win, divisor_override, H, W)};
    });
  }
  return out;
}

/// The average's backward, its transpose: each gradient spread over its window; its own
/// gradient is the average again.
Tensor avg_transpose(const Tensor& g, const Windows& win, int64_t divisor_override, int64_t H, int64_t W) {
  const bool rec = autograd::needs_grad(g);
  Tensor out = zeros({g.sizes()[0], H, W}, g.dtype());
  {
    autograd::RecordingOff off(rec);
    call_kernel(g.device(), "avg_pool2d_backward", cpu::avg_pool2d_backward, out, contiguous(g), win->first,
                win->second, divisor_override);
  }
  if (rec)
    autograd::record("AvgPool2DBackwardBackward0", {out}, {g}, {}, [win, divisor_override](const Tensors& gg, const Tensors&) {
      return Tensors{avg_planes(contiguous(gg[0]), win, divisor_override)};
    });
  return out;
}

Windows windows(PoolWindows h, PoolWindows w) {
  return std::make_shared<const std::pair<PoolWindows, PoolWindows>>(std::move(h), std::move(w));
}

/// The integer dtypes torch's max pools with indices take beyond int64 (its adaptive ones do not):
/// pooled exactly through int64, the max being one of the inputs.
bool narrow_integer(DType t) {
  return t == DType::UInt8 || t == DType::Int8 || t == DType::Int16 || t == DType::Int32;
}
/// int64 maxima back in dtype: a window wholly in the padding holds int64's lowest value, which is
/// dtype's lowest there (as torch's kernel starts each window from it).
Tensor to_narrow_integer(const Tensor& values, DType dtype) {
  const int64_t lo = dtype == DType::UInt8 ? 0 : dtype == DType::Int8 ? INT8_MIN : dtype == DType::Int16 ? INT16_MIN
                                                                                                       : INT32_MIN;
  return to_dtype(clamp(values, scalar_tensor(lo), std::nullopt), dtype);
}

std::pair<Tensor, Tensor> max_pool(const char* op, int spatial, const Tensor& x, const Shape& kernel_size,
                                   const Shape& stride, const Shape& padding, const Shape& dilation, bool ceil_mode) {
  if (narrow_integer(x.dtype())) {  // spatial 1 or 2 here; max_pool3d has its own path
    auto [values, indices] = max_pool(op, spatial, to_dtype(x, DType::Int64), kernel_size, stride, padding, dilation,
                                      ceil_mode);
    return {to_narrow_integer(values, x.dtype()), indices};
  }
  const Planes p = planes_of(x, spatial, op, true);
  const PoolArgs a = checked_args(op, spatial, kernel_size, stride, padding, dilation);
  const auto [OH, OW] = pooled(op, p, a, ceil_mode, x);
  const int i = spatial - 1;  // the W dim's entry
  PoolWindows h = spatial == 2 ? max_windows(p.H, OH, a.kernel[0], a.stride[0], a.padding[0], a.dilation[0])
                               : adaptive_windows(1, 1);
  auto [values, indices] = max_planes(p.x, windows(std::move(h), max_windows(p.W, OW, a.kernel[i], a.stride[i],
                                                                               a.padding[i], a.dilation[i])));
  return {p.back(values, OH, OW, spatial), p.back(indices, OH, OW, spatial)};
}

Tensor avg_pool(const char* op, int spatial, const Tensor& x, const Shape& kernel_size, const Shape& stride,
                const Shape& padding, bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  const Planes p = planes_of(x, spatial, op, true);
  const PoolArgs a = checked_args(op, spatial, kernel_size, stride, padding, Shape{1});
  EMBER_CHECK(!divisor_override || *divisor_override != 0, op, ": divisor must be not zero");
  const auto [OH, OW] = pooled(op, p, a, ceil_mode, x);
  const int i = spatial - 1;
  PoolWindows h = spatial == 2 ? avg_windows(p.H, OH, a.kernel[0], a.stride[0], a.padding[0], count_include_pad)
                               : adaptive_windows(1, 1);
  PoolWindows w = avg_windows(p.W, OW, a.kernel[i], a.stride[i], a.padding[i], count_include_pad);
  const int64_t divisor = divisor_override.value_or(0);
  return p.back(avg_planes(p.x, windows(std::move(h), std::move(w)), divisor), OH, OW, spatial);
}

/// The adaptive pools' planes and windows for output_size (one entry per pooled dim, or one for all).
std::pair<Planes, Windows> adaptive(const char* op, int spatial, const Tensor& x, const Shape& output_size,
                                    bool integers = false) {
  Planes p = planes_of(x, spatial, op, integers);
  const Shape out = per_dim(output_size, spatial, op, "output_size");
  for (int64_t o : out) EMBER_CHECK(o >= 0, op, ": output_size must be non-negative, got ", shape_str(output_size));
  Windows win = windows(adaptive_windows(p.H, spatial == 2 ? out[0] : 1), adaptive_windows(p.W, out.back()));
  return {std::move(p), std::move(win)};
}

// ---- 3-d pools: two passes of the primitives -------------------------------------------------

/// An input seen as (planes, D, H, W): (C, D, H, W) or (N, C, D, H, W).
struct Volumes {
  Tensor x;    // (P, D, H, W), contiguous
  Shape lead;  // the dims before the pooled ones
  int64_t P, D, H, W;
  Tensor back(const Tensor& t, int64_t od, int64_t oh, int64_t ow) const {
    Shape s = lead;
    s.insert(s.end(), {od, oh, ow});
    return reshape(t, s);
  }
};
Volumes volumes_of(const Tensor& x, const char* op, bool integers) {
  const int64_t d = x.dim();
  EMBER_CHECK(d == 4 || d == 5, op, ": expected a 4-d or 5-d input ((C, D, H, W) or (N, C, D, H, W)), got ",
              shape_str(x.sizes()));
  EMBER_CHECK_TYPE(is_floating(x.dtype()) || (integers && x.dtype() == DType::Int64), op, ": expected a floating",
                   integers ? " or int64" : "", " input, got ", dtype_name(x.dtype()));
  const Shape& s = x.sizes();
  for (int64_t i = d == 5 ? 1 : 0; i < d; ++i)
    EMBER_CHECK(s[i] > 0, op, ": expected an input with non-zero sizes but for the batch dim, got ", shape_str(s));
  Volumes v;
  v.lead.assign(s.begin(), s.end() - 3);
  v.D = s[d - 3], v.H = s[d - 2], v.W = s[d - 1];
  v.P = 1;
  for (int64_t n : v.lead) v.P *= n;
  v.x = reshape(contiguous(x), {v.P, v.D, v.H, v.W});
  return v;
}

/// The windows of the second pass: depth windows over the columns of the first pass's result,
/// each column a window of its own.
Windows depth_windows(PoolWindows depth, int64_t columns) {
  return windows(std::move(depth), adaptive_windows(columns, columns));
}

/// (values, indices) of a 3-d max pool: each depth slice's window max, then the max over the
/// window's depths; the place is depth * H * W + the place in that slice. The first maximum in
/// (d, h, w) order wins, the last NaN, as PyTorch's kernel scans.
std::pair<Tensor, Tensor> max_volumes(const Volumes& v, PoolWindows d, PoolWindows h, PoolWindows w) {
  const int64_t OD = d.first.size(), OH = h.first.size(), OW = w.first.size(), cols = OH * OW;
  auto [slices, slice_at] = max_planes(reshape(v.x, {v.P * v.D, v.H, v.W}), windows(std::move(h), std::move(w)));
  auto [values, column_at] = max_planes(reshape(slices, {v.P, v.D, cols}), depth_windows(std::move(d), cols));
  // column_at = depth * cols + column: the depth, and the slice's place read at that depth. A window
  // wholly in the padding has no element (its max is the lowest value) and a position past the
  // input: clamped into it, so the index is defined (torch's is arbitrary there too).
  const Tensor at = clamp(column_at, scalar_tensor(int64_t{0}), scalar_tensor(v.D * cols - 1));
  const Tensor depth = div(at, scalar_tensor(cols), std::string("floor"));
  const Tensor place = gather(reshape(slice_at, {v.P, v.D * cols}), 1, reshape(at, {v.P, OD * cols}));
  const Tensor indices = add(mul(depth, scalar_tensor(v.H * v.W)), reshape(place, {v.P, OD, cols}));
  return {v.back(values, OD, OH, OW), v.back(indices, OD, OH, OW)};
}

/// A 3-d average pool's window sums: two passes with a divisor of 1.
Tensor sum_volumes(const Volumes& v, PoolWindows d, PoolWindows h, PoolWindows w) {
  const int64_t cols = h.first.size() * w.first.size();
  const Tensor slices = avg_planes(reshape(v.x, {v.P * v.D, v.H, v.W}), windows(std::move(h), std::move(w)), 1);
  return avg_planes(reshape(slices, {v.P, v.D, cols}), depth_windows(std::move(d), cols), 1);
}

/// The product of the three dims' divisors, as an (OD, OH * OW) tensor of dtype.
Tensor box_divisors(const PoolWindows& d, const PoolWindows& h, const PoolWindows& w, DType dtype) {
  const auto OD = static_cast<int64_t>(d.divisor.size()), cols = static_cast<int64_t>(h.divisor.size() * w.divisor.size());
  Tensor out = Tensor::empty({OD, cols}, DType::Int64);
  auto* p = static_cast<int64_t*>(out.raw_data());
  for (int64_t a : d.divisor)
    for (int64_t b : h.divisor)
      for (int64_t c : w.divisor) *p++ = a * b * c;
  return to_dtype(out, dtype);
}
}  // namespace

namespace nn::functional {

Shape adaptive_size(const Shape& output_size, const Tensor& x) {
  Shape out = output_size;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] != Sizes::kNone) continue;
    EMBER_CHECK(x.dim() >= static_cast<int64_t>(out.size()), "adaptive pool: output_size ", out.size(),
                " sizes for input ", shape_str(x.sizes()));
    out[i] = x.sizes()[x.dim() - static_cast<int64_t>(out.size()) + static_cast<int64_t>(i)];
  }
  return out;
}

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const Shape& kernel_size, const Shape& stride,
                                                  const Shape& padding, const Shape& dilation, bool ceil_mode) {
  return max_pool("max_pool2d", 2, x, kernel_size, stride, padding, dilation, ceil_mode);
}
Tensor max_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& stride, const Shape& padding,
                  const Shape& dilation, bool ceil_mode) {
  return max_pool("max_pool2d", 2, x, kernel_size, stride, padding, dilation, ceil_mode).first;
}
std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& x, const Shape& kernel_size, const Shape& stride,
                                                  const Shape& padding, const Shape& dilation, bool ceil_mode) {
  return max_pool("max_pool1d", 1, x, kernel_size, stride, padding, dilation, ceil_mode);
}
Tensor max_pool1d(const Tensor& x, const Shape& kernel_size, const Shape& stride, const Shape& padding,
                  const Shape& dilation, bool ceil_mode) {
  return max_pool("max_pool1d", 1, x, kernel_size, stride, padding, dilation, ceil_mode).first;
}

Tensor avg_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& stride, const Shape& padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  return avg_pool("avg_pool2d", 2, x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
}
Tensor avg_pool1d(const Tensor& x, const Shape& kernel_size, const Shape& stride, const Shape& padding, bool ceil_mode,
                  bool count_include_pad) {
  return avg_pool("avg_pool1d", 1, x, kernel_size, stride, padding, ceil_mode, count_include_pad, std::nullopt);
}

Tensor adaptive_avg_pool2d(const Tensor& x, const Shape& output_size) {
  auto [p, win] = adaptive("adaptive_avg_pool2d", 2, x, output_size);
  return p.back(avg_planes(p.x, win, 0), win->first.first.size(), win->second.first.size(), 2);
}
Tensor adaptive_avg_pool1d(const Tensor& x, const Shape& output_size) {
  auto [p, win] = adaptive("adaptive_avg_pool1d", 1, x, output_size);
  return p.back(avg_planes(p.x, win, 0), 1, win->second.first.size(), 1);
}
std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& x, const Shape& output_size) {
  auto [p, win] = adaptive("adaptive_max_pool2d", 2, x, output_size, true);
  const int64_t OH = win->first.first.size(), OW = win->second.first.size();
  auto [values, indices] = max_planes(p.x, win);
  return {p.back(values, OH, OW, 2), p.back(indices, OH, OW, 2)};
}
std::pair<Tensor, Tensor> adaptive_max_pool1d(const Tensor& x, const Shape& output_size) {
  auto [p, win] = adaptive("adaptive_max_pool1d", 1, x, output_size, true);
  const int64_t OW = win->second.first.size();
  auto [values, indices] = max_planes(p.x, win);
  return {p.back(values, 1, OW, 1), p.back(indices, 1, OW, 1)};
}

std::pair<Tensor, Tensor> max_pool3d_with_indices(const Tensor& x, const Shape& kernel_size, const Shape& stride,
                                                  const Shape& padding, const Shape& dilation, bool ceil_mode) {
  const char* op = "max_pool3d";
  if (narrow_integer(x.dtype())) {
    auto [values, indices] = max_pool3d_with_indices(to_dtype(x, DType::Int64), kernel_size, stride, padding, dilation,
                                                     ceil_mode);
    return {to_narrow_integer(values, x.dtype()), indices};
  }
  const Volumes v = volumes_of(x, op, true);
  const PoolArgs a = checked_args(op, 3, kernel_size, stride, padding, dilation);
  const int64_t in[3] = {v.D, v.H, v.W};
  std::vector<PoolWindows> win;
  for (int i = 0; i < 3; ++i) {
    const int64_t o = pooled_size(in[i], a.kernel[i], a.stride[i], a.padding[i], a.dilation[i], ceil_mode);
    EMBER_CHECK(o >= 1, op, ": input ", shape_str(x.sizes()), " is too small for kernel_size ", shape_str(a.kernel),
                " (padding ", shape_str(a.padding), ", dilation ", shape_str(a.dilation), "): the output would be empty");
    win.push_back(max_windows(in[i], o, a.kernel[i], a.stride[i], a.padding[i], a.dilation[i]));
  }
  return max_volumes(v, std::move(win[0]), std::move(win[1]), std::move(win[2]));
}
Tensor max_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& stride, const Shape& padding,
                  const Shape& dilation, bool ceil_mode) {
  return max_pool3d_with_indices(x, kernel_size, stride, padding, dilation, ceil_mode).first;
}

Tensor avg_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& stride, const Shape& padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  const char* op = "avg_pool3d";
  const Volumes v = volumes_of(x, op, true);
  const PoolArgs a = checked_args(op, 3, kernel_size, stride, padding, Shape{1});
  EMBER_CHECK(!divisor_override || *divisor_override != 0, op, ": divisor must be not zero");
  // torch's 3-d average refuses an input smaller than the kernel, padding or not.
  EMBER_CHECK(v.D >= a.kernel[0] && v.H >= a.kernel[1] && v.W >= a.kernel[2], op, ": input ", shape_str(x.sizes()),
              " is smaller than kernel_size ", shape_str(a.kernel));
  if (is_narrow(x.dtype()))  // summed in float32, rounded once
    return via_widened(x, [&](const Tensor& wide) {
      return avg_pool3d(wide, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
    });
  const int64_t in[3] = {v.D, v.H, v.W};
  std::vector<PoolWindows> win;
  for (int i = 0; i < 3; ++i) {
    const int64_t o = pooled_size(in[i], a.kernel[i], a.stride[i], a.padding[i], 1, ceil_mode);
    EMBER_CHECK(o >= 1, op, ": input ", shape_str(x.sizes()), " is too small for kernel_size ", shape_str(a.kernel),
                " (padding ", shape_str(a.padding), "): the output would be empty");
    win.push_back(avg_windows(in[i], o, a.kernel[i], a.stride[i], a.padding[i], count_include_pad));
  }
  const int64_t OD = win[0].first.size(), OH = win[1].first.size(), OW = win[2].first.size();
  const Tensor divisor = divisor_override ? scalar_tensor(*divisor_override)
                                          : box_divisors(win[0], win[1], win[2], x.dtype());
  Tensor sums = sum_volumes(v, win[0], win[1], win[2]);
  // Integers divide with the truncation of torch's kernel; floats divide once.
  sums = is_floating(x.dtype()) ? div(sums, divisor) : div(sums, divisor, std::string("trunc"));
  return v.back(sums, OD, OH, OW);
}

Tensor adaptive_avg_pool3d(const Tensor& x, const Shape& output_size) {
  const char* op = "adaptive_avg_pool3d";
  const Volumes v = volumes_of(x, op, false);
  const Shape out = per_dim(output_size, 3, op, "output_size");
  for (int64_t o : out) EMBER_CHECK(o >= 0, op, ": output_size must be non-negative, got ", shape_str(output_size));
  if (is_narrow(x.dtype()))
    return via_widened(x, [&](const Tensor& wide) { return adaptive_avg_pool3d(wide, output_size); });
  const int64_t cols = out[1] * out[2];
  // Means of means: every depth's (H, W) window has the same size, so this is the box's mean.
  const Tensor slices = avg_planes(reshape(v.x, {v.P * v.D, v.H, v.W}),
                                   windows(adaptive_windows(v.H, out[1]), adaptive_windows(v.W, out[2])), 0);
  const Tensor means = avg_planes(reshape(slices, {v.P, v.D, cols}), depth_windows(adaptive_windows(v.D, out[0]), cols), 0);
  return v.back(means, out[0], out[1], out[2]);
}

std::pair<Tensor, Tensor> adaptive_max_pool3d(const Tensor& x, const Shape& output_size) {
  const char* op = "adaptive_max_pool3d";
  const Volumes v = volumes_of(x, op, true);
  const Shape out = per_dim(output_size, 3, op, "output_size");
  for (int64_t o : out) EMBER_CHECK(o >= 0, op, ": output_size must be non-negative, got ", shape_str(output_size));
  return max_volumes(v, adaptive_windows(v.D, out[0]), adaptive_windows(v.H, out[1]), adaptive_windows(v.W, out[2]));
}

}  // namespace nn::functional

}  // namespace ember
