// Convolutions. Three primitives over two spatial dims (a 1-D convolution is one with H of 1,
// an unbatched input one with N of 1): the forward convolution, its gradient wrt the input
// (which is also the transposed convolution) and its gradient wrt the weight. Each one's
// backward is written with the other two, so every convolution is differentiable any number of
// times. Every primitive is told the spatial size of what it produces, so each is the exact
// adjoint of the others whatever the stride leaves over. The bias is added with ember ops.
// 3-D convolutions are 2-D ones over depth slices, written with ember ops (so autograd gives
// their gradients): the forward stacks each output depth's slices as channels, the transposed
// one runs per kernel depth and places each result at its output depths.
#include <limits>

#include "autograd/record.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {

namespace {
using cpu::ConvGeom;

Tensor conv_backward_input(const Tensor& dy, const Tensor& w, const ConvGeom& g, int64_t h, int64_t wd,
                           const char* name);
Tensor conv_backward_weight(const Tensor& x, const Tensor& dy, const ConvGeom& g, int64_t kh, int64_t kw);

/// y (N, O, oh, ow) = x (N, C, H, W) correlated with w (O, C / groups, KH, KW).
Tensor conv_forward(const Tensor& x, const Tensor& w, const ConvGeom& g, int64_t oh, int64_t ow) {
  const bool rec = autograd::needs_grad(x, w);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = Tensor::empty({x.sizes()[0], w.sizes()[0], oh, ow}, x.dtype(), x.device());
    call_kernel(x.device(), "conv2d", cpu::conv2d, out, contiguous(x), contiguous(w), g);
  }
  if (!rec) return out;
  const bool need_x = autograd::requires_grad(x), need_w = autograd::requires_grad(w);
  const int64_t H = x.sizes()[2], W = x.sizes()[3], KH = w.sizes()[2], KW = w.sizes()[3];
  autograd::record("ConvolutionBackward0", {out}, {x, w}, {need_w ? x : Tensor(), need_x ? w : Tensor()},
                   [=](const Tensors& gr, const Tensors& s) {
                     Tensors in(2);
                     if (need_x) in[0] = conv_backward_input(gr[0], s[1], g, H, W, "ConvolutionBackwardBackward0");
                     if (need_w) in[1] = conv_backward_weight(s[0], gr[0], g, KH, KW);
                     return in;
                   });
  return out;
}

/// dx (N, C, h, wd) = the gradient of conv_forward wrt x given dy (N, O, OH, OW): the
/// transposed convolution of dy with w (O, C / groups, KH, KW).
Tensor conv_backward_input(const Tensor& dy, const Tensor& w, const ConvGeom& g, int64_t h, int64_t wd,
                           const char* name) {
  const bool rec = autograd::needs_grad(dy, w);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = Tensor::empty({dy.sizes()[0], w.sizes()[1] * g.groups, h, wd}, dy.dtype(), dy.device());
    call_kernel(dy.device(), "conv_transpose2d", cpu::conv2d_backward_input, out, contiguous(dy), contiguous(w), g);
  }
  if (!rec) return out;
  const bool need_dy = autograd::requires_grad(dy), need_w = autograd::requires_grad(w);
  const int64_t OH = dy.sizes()[2], OW = dy.sizes()[3], KH = w.sizes()[2], KW = w.sizes()[3];
  autograd::record(name, {out}, {dy, w}, {need_w ? dy : Tensor(), need_dy ? w : Tensor()},
                   [=](const Tensors& gr, const Tensors& s) {
                     Tensors in(2);
                     if (need_dy) in[0] = conv_forward(gr[0], s[1], g, OH, OW);
                     if (need_w) in[1] = conv_backward_weight(gr[0], s[0], g, KH, KW);
                     return in;
                   });
  return out;
}

/// dw (O, C / groups, kh, kw) = the gradient of conv_forward wrt w given x and dy.
Tensor conv_backward_weight(const Tensor& x, const Tensor& dy, const ConvGeom& g, int64_t kh, int64_t kw) {
  const bool rec = autograd::needs_grad(x, dy);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = Tensor::empty({dy.sizes()[1], x.sizes()[1] / g.groups, kh, kw}, x.dtype(), x.device());
    call_kernel(x.device(), "conv2d", cpu::conv2d_backward_weight, out, contiguous(x), contiguous(dy), g);
  }
  if (!rec) return out;
  const bool need_x = autograd::requires_grad(x), need_dy = autograd::requires_grad(dy);
  const int64_t H = x.sizes()[2], W = x.sizes()[3], OH = dy.sizes()[2], OW = dy.sizes()[3];
  autograd::record("ConvolutionBackwardBackward0", {out}, {x, dy}, {need_dy ? x : Tensor(), need_x ? dy : Tensor()},
                   [=](const Tensors& gr, const Tensors& s) {
                     Tensors in(2);
                     if (need_x) in[0] = conv_backward_input(s[1], gr[0], g, H, W, "ConvolutionBackwardBackward0");
                     if (need_dy) in[1] = conv_forward(s[0], gr[0], g, OH, OW);
                     return in;
                   });
  return out;
}

/// Sizes are computed in 128 bits, so huge strides, paddings or dilations are refused instead of
/// wrapping around; a result that fits in int64 keeps every index of the kernels in range.
using Wide = __int128;
constexpr Wide kMaxSize = std::numeric_limits<int64_t>::max();

/// One value for every spatial dim, or one per dim (PyTorch's int-or-tuple arguments).
Dims spatial_arg(const char* op, const char* what, const Dims& v, size_t nd) {
  EMBER_CHECK_RUNTIME(v.size() == 1 || v.size() == nd, op, ": expected ", what,
                      " to be a single integer value or a list of ", nd,
                      " values to match the convolution dimensions, but got ", what, "=", shape_str(v));
  return v.size() == 1 ? Dims(nd, v[0]) : v;
}

void check_at_least(const char* op, const char* what, const Dims& v, int64_t least) {
  for (int64_t e : v)
    EMBER_CHECK_RUNTIME(e >= least, op, ": ", what, " must be ", least == 0 ? "non-negative" : "positive",
                        ", got ", shape_str(v));
}

/// The checks every convolution shares: ranks, dtypes, groups and the bias (out channels).
void check_operands(const char* op, size_t nd, const Tensor& x, const Tensor& w, const Tensor& bias, int64_t groups,
                    int64_t out_channels) {
  const int64_t d = static_cast<int64_t>(nd);
  EMBER_CHECK_RUNTIME(x.dim() == d + 1 || x.dim() == d + 2, op, ": expected a ", d + 1, "-D (unbatched) or ", d + 2,
                      "-D (batched) input, got input ", shape_str(x.sizes()));
  EMBER_CHECK_RUNTIME(w.dim() == d + 2, op, ": expected a ", d + 2, "-D weight, got weight ", shape_str(w.sizes()),
                      " for input ", shape_str(x.sizes()));
  EMBER_CHECK_RUNTIME(is_floating(x.dtype()) || x.dtype() == DType::Int64, op,
                      ": expected a floating or int64 input, got ", dtype_name(x.dtype()));
  EMBER_CHECK_RUNTIME(w.dtype() == x.dtype(), op, ": expected input and weight to have the same dtype, but got ",
                      dtype_name(x.dtype()), " and ", dtype_name(w.dtype()));
  EMBER_CHECK_RUNTIME(groups >= 1, op, ": groups must be positive, got ", groups);
  EMBER_CHECK_RUNTIME(w.sizes()[0] >= 1, op, ": expected a weight with at least 1 channel in dim 0, got weight ",
                      shape_str(w.sizes()));
  EMBER_CHECK_RUNTIME(w.sizes()[0] % groups == 0, op, ": groups ", groups, " must divide dim 0 of weight ",
                      shape_str(w.sizes()));
  for (int64_t i = 2; i < w.dim(); ++i)
    EMBER_CHECK_RUNTIME(w.sizes()[i] > 0, op, ": expected a kernel size greater than zero, got weight ",
                        shape_str(w.sizes()));
  if (!bias.defined()) return;
  EMBER_CHECK_RUNTIME(bias.dim() == 1 && bias.sizes()[0] == out_channels, op, ": expected a bias of shape (",
                      out_channels, ",) for weight ", shape_str(w.sizes()), " and groups ", groups, ", got bias ",
                      shape_str(bias.sizes()));
  EMBER_CHECK_RUNTIME(bias.dtype() == x.dtype(), op, ": expected input and bias to have the same dtype, but got ",
                      dtype_name(x.dtype()), " and ", dtype_name(bias.dtype()));
}

/// x and w as 4-D (N, C, H, W) operands: N of 1 for an unbatched input, H of 1 in 1-D.
std::pair<Tensor, Tensor> as_4d(size_t nd, const Tensor& x, const Tensor& w, bool batched) {
  Tensor x4 = batched ? x : unsqueeze(x, 0);
  if (nd == 1) return {unsqueeze(x4, 2), unsqueeze(w, 2)};
  return {x4, w};
}

/// The batched result back to the caller's rank, plus the bias over dim 1.
Tensor finish(size_t nd, Tensor y, const Tensor& bias, bool batched) {
  if (bias.defined()) {
    Shape per_channel(static_cast<size_t>(y.dim()), 1);
    per_channel[1] = bias.numel();
    y = add(y, reshape(bias, per_channel));
  }
  if (nd == 1) y = squeeze(y, Dims{2});
  return batched ? y : squeeze(y, Dims{0});
}

/// H's entry (1-D: none) and W's of a per-dim argument, as ConvGeom holds them.
void to_geom(int64_t (&dst)[2], const Dims& v, int64_t h_default) {
  dst[0] = v.size() == 1 ? h_default : v[0];
  dst[1] = v.back();
}

/// conv3d of batched x (N, C, D, H, W) with w (O, C / groups, KD, KH, KW) as one 2-D convolution:
/// output depth od reads input depths od * stride + kd * dilation (kd < KD, after padding), and
/// those KD slices become channels, ordered (group, kd, channel) so groups stay together; the
/// weight's kernel depths move beside its channels to match.
Tensor conv3d_as_2d(const Tensor& x, const Tensor& w, const Dims& lo, const Dims& hi, const Dims& stride,
                    const Dims& dilation, const Dims& out, int64_t groups) {
  const int64_t N = x.sizes()[0], C = x.sizes()[1], O = w.sizes()[0], KD = w.sizes()[2];
  const int64_t Cg = C / groups, OD = out[0];
  const bool uneven = lo[1] != hi[1] || lo[2] != hi[2];  // 'same' with an even kernel: padded here
  const Tensor padded = nn::functional::pad(x, uneven ? Shape{lo[2], hi[2], lo[1], hi[1], lo[0], hi[0]}
                                                  : Shape{0, 0, 0, 0, lo[0], hi[0]});
  const int64_t H = padded.sizes()[3], W = padded.sizes()[4];
  std::vector<Tensor> depths;  // kd's (N, C, OD, H, W)
  for (int64_t kd = 0; kd < KD; ++kd) {
    const int64_t first = kd * dilation[0];
    depths.push_back(slice(padded, 2, first, first + stride[0] * (OD - 1) + 1, stride[0]));
  }
  Tensor planes = reshape(stack(depths, 1), {N, KD, groups, Cg, OD, H, W});
  planes = reshape(permute(planes, {0, 4, 2, 1, 3, 5, 6}), {N * OD, groups * KD * Cg, H, W});
  const Tensor w2 = reshape(permute(w, {0, 2, 1, 3, 4}), {O, KD * Cg, w.sizes()[3], w.sizes()[4]});
  ConvGeom g{};
  g.stride[0] = stride[1], g.stride[1] = stride[2];
  g.pad[0] = uneven ? 0 : lo[1], g.pad[1] = uneven ? 0 : lo[2];
  g.dilation[0] = dilation[1], g.dilation[1] = dilation[2];
  g.groups = groups;
  const Tensor y = conv_forward(planes, w2, g, out[1], out[2]);  // (N * OD, O, OH, OW)
  return contiguous(permute(reshape(y, {N, OD, O, out[1], out[2]}), {0, 2, 1, 3, 4}));
}

/// conv_transpose3d of batched x (N, C, D, H, W) with w (C, O / groups, KD, KH, KW): per kernel
/// depth kd, the 2-D transposed convolution of every input depth lands at output depth
/// d * stride + kd * dilation - padding; `out` is the output's (D, H, W).
Tensor conv_transpose3d_by_depth(const Tensor& x, const Tensor& w, const Dims& stride, const Dims& padding,
                                 const Dims& dilation, const Dims& out, int64_t groups) {
  const int64_t N = x.sizes()[0], C = x.sizes()[1], D = x.sizes()[2], KD = w.sizes()[2];
  const int64_t O = w.sizes()[1] * groups, OH = out[1], OW = out[2];
  const Tensor planes = reshape(permute(x, {0, 2, 1, 3, 4}), {N * D, C, x.sizes()[3], x.sizes()[4]});
  ConvGeom g{};
  g.stride[0] = stride[1], g.stride[1] = stride[2];
  g.pad[0] = padding[1], g.pad[1] = padding[2];
  g.dilation[0] = dilation[1], g.dilation[1] = dilation[2];
  g.groups = groups;
  const int64_t spread = (D - 1) * stride[0] + 1;  // the input depths' extent in the output
  const int64_t full = out[0] + 2 * padding[0];    // the output before its padding is cut
  const DType dt = x.dtype();
  Tensor sum;
  for (int64_t kd = 0; kd < KD; ++kd) {
    Tensor y = conv_backward_input(planes, select(w, 2, kd), g, OH, OW, "ConvolutionBackward0");
    y = reshape(y, {N, D, 1, O, OH, OW});
    if (stride[0] > 1)  // stride - 1 zero depths after each input depth
      y = narrow(reshape(cat({y, zeros({N, D, stride[0] - 1, O, OH, OW}, dt)}, 2), {N, D * stride[0], O, OH, OW}),
                 1, 0, spread);
    else
      y = reshape(y, {N, D, O, OH, OW});
    const int64_t before = kd * dilation[0], after = full - before - spread;
    y = cat({zeros({N, before, O, OH, OW}, dt), y, zeros({N, after, O, OH, OW}, dt)}, 1);
    sum = sum.defined() ? add(sum, y) : y;
  }
  return contiguous(permute(narrow(sum, 1, padding[0], out[0]), {0, 2, 1, 3, 4}));
}

Tensor conv_nd(const char* op, size_t nd, const Tensor& x, const Tensor& w, const Tensor& bias, const Dims& stride_arg,
               const ConvPadding& padding, const Dims& dilation_arg, int64_t groups) {
  check_operands(op, nd, x, w, bias, groups, w.dim() >= 1 ? w.sizes()[0] : 0);
  if (is_narrow(x.dtype())) {  // 16-bit floats through the float32 convolution, rounded once
    const DType f = widened(x.dtype());
    return to_dtype(conv_nd(op, nd, to_dtype(x, f), to_dtype(w, f), bias.defined() ? to_dtype(bias, f) : bias,
                            stride_arg, padding, dilation_arg, groups), x.dtype());
  }
  const Dims stride = spatial_arg(op, "stride", stride_arg, nd);
  const Dims dilation = spatial_arg(op, "dilation", dilation_arg, nd);
  check_at_least(op, "stride", stride, 1);
  check_at_least(op, "dilation", dilation, 1);
  const bool batched = x.dim() == static_cast<int64_t>(nd) + 2;
  Shape xs = x.sizes();
  if (!batched) xs.insert(xs.begin(), 1);
  const Shape& ws = w.sizes();
  EMBER_CHECK_RUNTIME(xs[1] == ws[1] * groups, op, ": expected input with ", ws[1] * groups, " channels (weight ",
                      shape_str(ws), ", groups ", groups, "), got input ", shape_str(x.sizes()));
  // The padding before and after each spatial dim; 'same' puts an odd total's extra one after.
  Dims lo(nd, 0), hi(nd, 0);
  if (const auto* s = std::get_if<std::string>(&padding)) {
    EMBER_CHECK_RUNTIME(*s == "same" || *s == "valid", op, ": invalid padding string '", *s,
                        "' (expected 'same' or 'valid')");
    if (*s == "same") {
      for (int64_t st : stride)
        EMBER_CHECK_RUNTIME(st == 1, op, ": padding='same' is not supported for strided convolutions, got stride ",
                            shape_str(stride));
      for (size_t i = 0; i < nd; ++i) {
        const int64_t total = dilation[i] * (ws[2 + i] - 1);
        lo[i] = total / 2;
        hi[i] = total - lo[i];
      }
    }
  } else {
    lo = hi = spatial_arg(op, "padding", std::get<Dims>(padding), nd);
    check_at_least(op, "padding", lo, 0);
  }
  Dims out(nd), padded(nd), kernel(nd);
  for (size_t i = 0; i < nd; ++i) {
    const Wide p = Wide(xs[2 + i]) + lo[i] + hi[i], k = Wide(dilation[i]) * (ws[2 + i] - 1) + 1;
    EMBER_CHECK_RUNTIME(p <= kMaxSize && k <= kMaxSize, op, ": padding and dilation too large for int64 sizes, "
                        "input ", shape_str(x.sizes()), ", weight ", shape_str(ws), ", dilation ", shape_str(dilation));
    padded[i] = static_cast<int64_t>(p);
    kernel[i] = static_cast<int64_t>(k);
  }
  for (size_t i = 0; i < nd; ++i)
    EMBER_CHECK_RUNTIME(padded[i] >= kernel[i], op, ": the kernel ", shape_str(kernel),
                        " (dilated) is larger than the padded input ", shape_str(padded), " of input ",
                        shape_str(x.sizes()), " (weight ", shape_str(ws), ")");
  for (size_t i = 0; i < nd; ++i) out[i] = (padded[i] - kernel[i]) / stride[i] + 1;
  if (nd == 3)
    return finish(nd, conv3d_as_2d(batched ? x : unsqueeze(x, 0), w, lo, hi, stride, dilation, out, groups), bias,
                  batched);
  ConvGeom g{};
  to_geom(g.stride, stride, 1);
  to_geom(g.pad, lo, 0);
  to_geom(g.dilation, dilation, 1);
  g.groups = groups;
  auto [x4, w4] = as_4d(nd, x, w, batched);
  return finish(nd, conv_forward(x4, w4, g, nd == 1 ? 1 : out[0], out.back()), bias, batched);
}

Tensor conv_transpose_nd(const char* op, size_t nd, const Tensor& x, const Tensor& w, const Tensor& bias,
                         const Dims& stride_arg, const Dims& padding_arg, const Dims& output_padding_arg,
                         int64_t groups, const Dims& dilation_arg) {
  check_operands(op, nd, x, w, bias, groups, w.dim() >= 2 ? w.sizes()[1] * groups : 0);
  if (is_narrow(x.dtype())) {
    const DType f = widened(x.dtype());
    return to_dtype(conv_transpose_nd(op, nd, to_dtype(x, f), to_dtype(w, f), bias.defined() ? to_dtype(bias, f) : bias,
                                      stride_arg, padding_arg, output_padding_arg, groups, dilation_arg), x.dtype());
  }
  const Dims stride = spatial_arg(op, "stride", stride_arg, nd);
  const Dims padding = spatial_arg(op, "padding", padding_arg, nd);
  const Dims output_padding = spatial_arg(op, "output_padding", output_padding_arg, nd);
  const Dims dilation = spatial_arg(op, "dilation", dilation_arg, nd);
  check_at_least(op, "stride", stride, 1);
  check_at_least(op, "padding", padding, 0);
  check_at_least(op, "output_padding", output_padding, 0);
  check_at_least(op, "dilation", dilation, 1);
  for (size_t i = 0; i < nd; ++i)
    EMBER_CHECK_RUNTIME(output_padding[i] < stride[i] || output_padding[i] < dilation[i], op,
                        ": output padding must be smaller than either stride or dilation, got output_padding ",
                        shape_str(output_padding), ", stride ", shape_str(stride), ", dilation ",
                        shape_str(dilation));
  const bool batched = x.dim() == static_cast<int64_t>(nd) + 2;
  Shape xs = x.sizes();
  if (!batched) xs.insert(xs.begin(), 1);
  for (size_t i = 0; i < nd; ++i)
    EMBER_CHECK_RUNTIME(xs[2 + i] > 0, op, ": only an empty batch or zero channels may be empty, got input ",
                        shape_str(x.sizes()));
  const Shape& ws = w.sizes();
  EMBER_CHECK_RUNTIME(xs[1] == ws[0], op, ": expected input with ", ws[0], " channels (weight ", shape_str(ws),
                      ", groups ", groups, "), got input ", shape_str(x.sizes()));
  Dims out(nd);
  for (size_t i = 0; i < nd; ++i) {
    // The extent the strided windows span over the output, padding included.
    const Wide span = Wide(xs[2 + i] - 1) * stride[i] + Wide(dilation[i]) * (ws[2 + i] - 1) + output_padding[i] + 1;
    EMBER_CHECK_RUNTIME(span <= kMaxSize, op, ": stride, dilation and output_padding too large for int64 sizes, "
                        "input ", shape_str(x.sizes()), ", weight ", shape_str(ws), ", stride ", shape_str(stride));
    const Wide o = span - 2 * Wide(padding[i]);
    out[i] = o > 0 ? static_cast<int64_t>(o) : 0;
    EMBER_CHECK_RUNTIME(o > 0, op, ": the output size is not positive (", static_cast<int64_t>(o), " in dim ", i,
                        ") for input ", shape_str(x.sizes()), ", weight ", shape_str(ws), ", stride ",
                        shape_str(stride), ", padding ", shape_str(padding));
  }
  if (nd == 3)
    return finish(nd, conv_transpose3d_by_depth(batched ? x : unsqueeze(x, 0), w, stride, padding, dilation, out,
                                                groups), bias, batched);
  ConvGeom g{};
  to_geom(g.stride, stride, 1);
  to_geom(g.pad, padding, 0);
  to_geom(g.dilation, dilation, 1);
  g.groups = groups;
  auto [x4, w4] = as_4d(nd, x, w, batched);
  return finish(nd, conv_backward_input(x4, w4, g, nd == 1 ? 1 : out[0], out.back(), "ConvolutionBackward0"), bias,
                batched);
}
// ---- unfold and fold: the column matrix as an op of its own, each the other's backward ----------

Tensor fold_planes(const Tensor& cols, int64_t H, int64_t W, int64_t kh, int64_t kw, int64_t oh, int64_t ow,
                   const ConvGeom& g);

/// (N, C * kh * kw, oh * ow) columns of x (N, C, H, W).
Tensor unfold_planes(const Tensor& x, int64_t kh, int64_t kw, int64_t oh, int64_t ow, const ConvGeom& g) {
  const bool rec = autograd::needs_grad(x);
  const int64_t H = x.sizes()[2], W = x.sizes()[3];
  Tensor out = Tensor::empty({x.sizes()[0], x.sizes()[1] * kh * kw, oh * ow}, x.dtype(), x.device());
  {
    autograd::RecordingOff off(rec);
    call_kernel(x.device(), "unfold", cpu::unfold, out, contiguous(x), kh, kw, oh, ow, g);
  }
  if (rec)
    autograd::record("Im2ColBackward0", {out}, {x}, {}, [=](const Tensors& gr, const Tensors&) {
      return Tensors{fold_planes(gr[0], H, W, kh, kw, oh, ow, g)};
    });
  return out;
}

/// (N, C, H, W) from columns (N, C * kh * kw, oh * ow), overlapping windows summed.
Tensor fold_planes(const Tensor& cols, int64_t H, int64_t W, int64_t kh, int64_t kw, int64_t oh, int64_t ow,
                   const ConvGeom& g) {
  const bool rec = autograd::needs_grad(cols);
  Tensor out = Tensor::empty({cols.sizes()[0], cols.sizes()[1] / (kh * kw), H, W}, cols.dtype(), cols.device());
  {
    autograd::RecordingOff off(rec);
    call_kernel(cols.device(), "fold", cpu::fold, out, contiguous(cols), kh, kw, oh, ow, g);
  }
  if (rec)
    autograd::record("Col2ImBackward0", {out}, {cols}, {}, [=](const Tensors& gr, const Tensors&) {
      return Tensors{unfold_planes(gr[0], kh, kw, oh, ow, g)};
    });
  return out;
}

/// The sliding blocks' geometry of unfold and fold: two sizes each, checked; the count of blocks
/// along (H, W) of an input of that size, at least 1 each.
struct Blocks {
  Dims kernel, dilation, padding, stride;
  ConvGeom g;
  int64_t oh, ow;
};
Blocks blocks(const char* op, int64_t H, int64_t W, const Dims& kernel_size, const Dims& dilation,
              const Dims& padding, const Dims& stride) {
  Blocks b{spatial_arg(op, "kernel_size", kernel_size, 2), spatial_arg(op, "dilation", dilation, 2),
           spatial_arg(op, "padding", padding, 2), spatial_arg(op, "stride", stride, 2), {}, 0, 0};
  check_at_least(op, "kernel_size", b.kernel, 1);
  check_at_least(op, "dilation", b.dilation, 1);
  check_at_least(op, "padding", b.padding, 0);
  check_at_least(op, "stride", b.stride, 1);
  const int64_t size[2] = {H, W};
  int64_t out[2];
  for (int i = 0; i < 2; ++i) {
    const Wide span = Wide(size[i]) + 2 * Wide(b.padding[i]) - Wide(b.dilation[i]) * (b.kernel[i] - 1) - 1;
    EMBER_CHECK_RUNTIME(span >= 0 && span <= kMaxSize, op, ": the blocks of kernel_size ", shape_str(b.kernel),
                        " (dilation ", shape_str(b.dilation), ", padding ", shape_str(b.padding),
                        ") do not fit a spatial size of (", H, ", ", W, ")");
    out[i] = static_cast<int64_t>(span / b.stride[i]) + 1;
    b.g.stride[i] = b.stride[i], b.g.pad[i] = b.padding[i], b.g.dilation[i] = b.dilation[i];
  }
  b.g.groups = 1;
  b.oh = out[0], b.ow = out[1];
  return b;
}
}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Dims& stride,
              const ConvPadding& padding, const Dims& dilation, int64_t groups) {
  return conv_nd("conv1d", 1, x, weight, bias, stride, padding, dilation, groups);
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Dims& stride,
              const ConvPadding& padding, const Dims& dilation, int64_t groups) {
  return conv_nd("conv2d", 2, x, weight, bias, stride, padding, dilation, groups);
}

Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Dims& stride,
              const ConvPadding& padding, const Dims& dilation, int64_t groups) {
  return conv_nd("conv3d", 3, x, weight, bias, stride, padding, dilation, groups);
}

Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Dims& stride,
                        const Dims& padding, const Dims& output_padding, int64_t groups, const Dims& dilation) {
  return conv_transpose_nd("conv_transpose1d", 1, x, weight, bias, stride, padding, output_padding, groups, dilation);
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Dims& stride,
                        const Dims& padding, const Dims& output_padding, int64_t groups, const Dims& dilation) {
  return conv_transpose_nd("conv_transpose2d", 2, x, weight, bias, stride, padding, output_padding, groups, dilation);
}

Tensor conv_transpose3d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Dims& stride,
                        const Dims& padding, const Dims& output_padding, int64_t groups, const Dims& dilation) {
  return conv_transpose_nd("conv_transpose3d", 3, x, weight, bias, stride, padding, output_padding, groups, dilation);
}

namespace nn::functional {

Tensor unfold(const Tensor& x, const Dims& kernel_size, const Dims& dilation, const Dims& padding, const Dims& stride) {
  const char* op = "unfold";
  EMBER_CHECK_RUNTIME(x.dim() == 3 || x.dim() == 4, op, ": expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got ",
                      shape_str(x.sizes()));
  if (x.dtype() == DType::Float16 || x.dtype() == DType::BFloat16)  // in float32, rounded once
    return to_dtype(unfold(to_dtype(x, DType::Float32), kernel_size, dilation, padding, stride), x.dtype());
  EMBER_CHECK_RUNTIME(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, op,
                      ": expected a floating input, got ", dtype_name(x.dtype()));
  const bool batched = x.dim() == 4;
  const Tensor x4 = batched ? x : unsqueeze(x, 0);
  for (int64_t i = 1; i < 4; ++i)
    EMBER_CHECK_RUNTIME(x4.sizes()[i] > 0, op, ": expected non-zero sizes but for the batch dim, got input ",
                        shape_str(x.sizes()));
  const Blocks b = blocks(op, x4.sizes()[2], x4.sizes()[3], kernel_size, dilation, padding, stride);
  const Tensor cols = unfold_planes(x4, b.kernel[0], b.kernel[1], b.oh, b.ow, b.g);
  return batched ? cols : squeeze(cols, Dims{0});
}

Tensor fold(const Tensor& x, const Dims& output_size, const Dims& kernel_size, const Dims& dilation,
            const Dims& padding, const Dims& stride) {
  const char* op = "fold";
  EMBER_CHECK_RUNTIME(x.dim() == 2 || x.dim() == 3, op, ": expected a 2-D (C * kernel, L) or 3-D (N, C * kernel, L) "
                      "input, got ", shape_str(x.sizes()));
  if (x.dtype() == DType::Float16 || x.dtype() == DType::BFloat16)  // in float32, rounded once
    return to_dtype(fold(to_dtype(x, DType::Float32), output_size, kernel_size, dilation, padding, stride), x.dtype());
  EMBER_CHECK_RUNTIME(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, op,
                      ": expected a floating input, got ", dtype_name(x.dtype()));
  const Dims out = spatial_arg(op, "output_size", output_size, 2);
  check_at_least(op, "output_size", out, 1);
  const bool batched = x.dim() == 3;
  const Tensor x3 = batched ? x : unsqueeze(x, 0);
  const Blocks b = blocks(op, out[0], out[1], kernel_size, dilation, padding, stride);
  const int64_t kk = b.kernel[0] * b.kernel[1];
  EMBER_CHECK_RUNTIME(x3.sizes()[1] > 0 && x3.sizes()[1] % kk == 0, op, ": expected dim ", x.dim() - 2, " of input ",
                      shape_str(x.sizes()), " to be a positive multiple of the kernel's size ", kk, " (kernel_size ",
                      shape_str(b.kernel), ")");
  EMBER_CHECK_RUNTIME(x3.sizes()[2] == b.oh * b.ow, op, ": expected dim ", x.dim() - 1, " of input ",
                      shape_str(x.sizes()), " to be the number of sliding blocks, ", b.oh * b.ow, " (", b.oh, " x ",
                      b.ow, ") for output_size ", shape_str(out), ", kernel_size ", shape_str(b.kernel), ", dilation ",
                      shape_str(b.dilation), ", padding ", shape_str(b.padding), " and stride ", shape_str(b.stride));
  const Tensor y = fold_planes(x3, out[0], out[1], b.kernel[0], b.kernel[1], b.oh, b.ow, b.g);
  return batched ? y : squeeze(y, Dims{0});
}

}  // namespace nn::functional

}  // namespace ember
