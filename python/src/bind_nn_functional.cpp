// ember._C._nn_functional: the C++ ops of ember.nn.functional (ember/nn/functional.py re-exports
// them with PyTorch's Python-side conveniences).
#include <pybind11/stl.h>

#include "convert.h"
#include "gil.h"
#include "option_rows.h"
#include "ember/nn/functional.h"
#include "ember/nn/loss.h"
#include "ember/ops.h"

namespace ember {

using namespace py_convert;

namespace {
/// An optional tensor argument: None (an undefined Tensor) or a Tensor; anything else is a
/// TypeError naming the op and the argument.
Tensor opt(py::handle t, const char* op, const char* what) {
  if (t.is_none()) return Tensor();
  EMBER_CHECK_TYPE(py::isinstance<Tensor>(t), op, ": argument '", what, "' must be a Tensor or None, not ",
                   std::string(py::str(t.get_type().attr("__name__"))));
  return t.cast<Tensor>();
}

/// A pooling size as PyTorch takes it: an int, a tuple or list of ints, or None (empty: the
/// op's default, the kernel for a stride).
Shape pool_sizes(py::handle v, const char* op, const char* what) {
  if (v.is_none()) return {};
  Sizes s;
  read_value(v, {op, what}, s);
  return s.dims;
}

/// An adaptive pool's output_size: one int, or exactly one per spatial dim (torch refuses other
/// lengths; a 1-tuple for a 2-d pool would otherwise be read as a square size).
Shape adaptive_output(py::handle size, const Tensor& x, const char* op, size_t spatial) {
  if (py::isinstance<py::sequence>(size) && !py::isinstance<py::str>(size))
    EMBER_CHECK(py::len(size) == spatial, op, ": output_size must be ", spatial, ", got ", py::len(size),
                " sizes");
  return nn::functional::adaptive_size(pool_sizes(size, op, "output_size"), x);
}

/// The pooling ops for ember/nn/functional.py, which gives them PyTorch's Python signatures.
void bind_pooling(py::module_& fm) {
  namespace F = nn::functional;
  using MaxPool = std::pair<Tensor, Tensor> (*)(const Tensor&, const Shape&, const Shape&, const Shape&,
                                                const Shape&, bool);
  for (auto [name, fn] : {std::pair<const char*, MaxPool>{"max_pool1d", &F::max_pool1d_with_indices},
                          std::pair<const char*, MaxPool>{"max_pool2d", &F::max_pool2d_with_indices},
                          std::pair<const char*, MaxPool>{"max_pool3d", &F::max_pool3d_with_indices}})
    fm.def(name, [name = name, fn = fn](const Tensor& x, py::handle k, py::handle s, py::handle p, py::handle d,
                                        bool ceil_mode) {
      return fn(x, pool_sizes(k, name, "kernel_size"), pool_sizes(s, name, "stride"), pool_sizes(p, name, "padding"),
                pool_sizes(d, name, "dilation"), ceil_mode);
    }, py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("dilation"),
       py::arg("ceil_mode"), "(values, indices) of PyTorch's max pool (ember/nn/functional.py).");
  fm.def("avg_pool1d", [](const Tensor& x, py::handle k, py::handle s, py::handle p, bool ceil_mode, bool count_pad) {
    const char* op = "avg_pool1d";
    return F::avg_pool1d(x, pool_sizes(k, op, "kernel_size"), pool_sizes(s, op, "stride"),
                         pool_sizes(p, op, "padding"), ceil_mode, count_pad);
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("ceil_mode"),
     py::arg("count_include_pad"), "PyTorch's avg_pool1d (ember/nn/functional.py).");
  using AvgPool = Tensor (*)(const Tensor&, const Shape&, const Shape&, const Shape&, bool, bool,
                             std::optional<int64_t>);
  for (auto [name, fn] : {std::pair<const char*, AvgPool>{"avg_pool2d", &F::avg_pool2d},
                          std::pair<const char*, AvgPool>{"avg_pool3d", &F::avg_pool3d}})
    fm.def(name, [name = name, fn = fn](const Tensor& x, py::handle k, py::handle s, py::handle p, bool ceil_mode,
                                        bool count_pad, std::optional<int64_t> divisor_override) {
      return fn(x, pool_sizes(k, name, "kernel_size"), pool_sizes(s, name, "stride"), pool_sizes(p, name, "padding"),
                ceil_mode, count_pad, divisor_override);
    }, py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("ceil_mode"),
       py::arg("count_include_pad"), py::arg("divisor_override"), "PyTorch's average pool (ember/nn/functional.py).");
  fm.def("adaptive_avg_pool1d", [](const Tensor& x, py::handle size) {
    return F::adaptive_avg_pool1d(x, adaptive_output(size, x, "adaptive_avg_pool1d", 1));
  }, py::arg("input"), py::arg("output_size"), "PyTorch's adaptive_avg_pool1d (ember/nn/functional.py).");
  fm.def("adaptive_avg_pool2d", [](const Tensor& x, py::handle size) {
    return F::adaptive_avg_pool2d(x, adaptive_output(size, x, "adaptive_avg_pool2d", 2));
  }, py::arg("input"), py::arg("output_size"), "PyTorch's adaptive_avg_pool2d (ember/nn/functional.py).");
  fm.def("adaptive_max_pool1d", [](const Tensor& x, py::handle size) {
    return F::adaptive_max_pool1d(x, adaptive_output(size, x, "adaptive_max_pool1d", 1));
  }, py::arg("input"), py::arg("output_size"), "(values, indices) of adaptive_max_pool1d (ember/nn/functional.py).");
  fm.def("adaptive_max_pool2d", [](const Tensor& x, py::handle size) {
    return F::adaptive_max_pool2d(x, adaptive_output(size, x, "adaptive_max_pool2d", 2));
  }, py::arg("input"), py::arg("output_size"), "(values, indices) of adaptive_max_pool2d (ember/nn/functional.py).");
  fm.def("adaptive_avg_pool3d", [](const Tensor& x, py::handle size) {
    return F::adaptive_avg_pool3d(x, adaptive_output(size, x, "adaptive_avg_pool3d", 3));
  }, py::arg("input"), py::arg("output_size"), "PyTorch's adaptive_avg_pool3d (ember/nn/functional.py).");
  fm.def("adaptive_max_pool3d", [](const Tensor& x, py::handle size) {
    return F::adaptive_max_pool3d(x, adaptive_output(size, x, "adaptive_max_pool3d", 3));
  }, py::arg("input"), py::arg("output_size"), "(values, indices) of adaptive_max_pool3d (ember/nn/functional.py).");
}

/// PyTorch's int-or-tuple convolution arguments ("stride", "padding", ...) as a list of sizes.
Dims conv_sizes(py::handle h, const char* op, const char* what) {
  if (PyLong_Check(h.ptr())) return {index_of(h)};
  EMBER_CHECK_TYPE(PyTuple_Check(h.ptr()) || PyList_Check(h.ptr()), op, "(): argument '", what,
                   "' must be an int or a tuple of ints, not ", Py_TYPE(h.ptr())->tp_name);
  Dims out;
  for (py::handle e : h) {
    EMBER_CHECK_TYPE(PyLong_Check(e.ptr()), op, "(): argument '", what, "' must be an int or a tuple of ints, got an "
                     "element of type ", Py_TYPE(e.ptr())->tp_name);
    out.push_back(index_of(e, static_cast<int64_t>(out.size()) + 1));
  }
  return out;
}

ConvPadding conv_padding(py::handle h, const char* op) {
  if (PyUnicode_Check(h.ptr())) return h.cast<std::string>();
  return conv_sizes(h, op, "padding");
}

Tensor opt_tensor(py::handle t) { return t.is_none() ? Tensor() : t.cast<Tensor>(); }

constexpr const char* kConv1dDoc = R"(conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor

Applies a 1-D convolution (a cross-correlation, as PyTorch's) over an input of several channels.

Args:
    input (Tensor): (N, C_in, L) or, unbatched, (C_in, L); float32, float64 or int64.
    weight (Tensor): (C_out, C_in / groups, kL), of input's dtype.
    bias (Tensor, optional): (C_out,). Default: None.
    stride (int or tuple): the step of the window. Default: 1.
    padding (int, tuple or str): zeros added at both ends, or 'valid' (none) or 'same' (the
        output as long as the input; stride 1 only; an odd total puts the extra zero at the
        end). Default: 0.
    dilation (int or tuple): the spacing between the kernel's taps. Default: 1.
    groups (int): splits the channels into groups convolved separately; it divides C_in and
        C_out. Default: 1.

Returns:
    Tensor: (N, C_out, L_out) (or (C_out, L_out)), with
    L_out = floor((L + 2 padding - dilation (kL - 1) - 1) / stride) + 1.

Example::

    >>> x = ember.randn(4, 3, 50)
    >>> w = ember.randn(8, 3, 5)
    >>> F.conv1d(x, w, stride=2).shape
    ember.Size([4, 8, 23])
)";

constexpr const char* kConv2dDoc = R"(conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor

Applies a 2-D convolution (a cross-correlation, as PyTorch's) over an input of several channels.

Args:
    input (Tensor): (N, C_in, H, W) or, unbatched, (C_in, H, W); float32, float64 or int64.
    weight (Tensor): (C_out, C_in / groups, kH, kW), of input's dtype.
    bias (Tensor, optional): (C_out,). Default: None.
    stride (int or tuple): the step of the window, one or (sH, sW). Default: 1.
    padding (int, tuple or str): zeros added on both sides, one or (padH, padW), or 'valid'
        (none) or 'same' (the output as large as the input; stride 1 only; an odd total puts
        the extra zero after). Default: 0.
    dilation (int or tuple): the spacing between the kernel's taps. Default: 1.
    groups (int): splits the channels into groups convolved separately (groups = C_in is a
        depthwise convolution); it divides C_in and C_out. Default: 1.

Returns:
    Tensor: (N, C_out, H_out, W_out) (or (C_out, H_out, W_out)), with
    H_out = floor((H + 2 padH - dilationH (kH - 1) - 1) / sH) + 1, W_out likewise.

Example::

    >>> x = ember.randn(8, 3, 28, 28)
    >>> w = ember.randn(16, 3, 3, 3)
    >>> F.conv2d(x, w, padding=1).shape
    ember.Size([8, 16, 28, 28])
)";

constexpr const char* kConvTranspose1dDoc = R"(conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> Tensor

Applies a 1-D transposed convolution (the gradient of conv1d with respect to its input), which
some call a deconvolution.

Args:
    input (Tensor): (N, C_in, L) or, unbatched, (C_in, L); float32, float64 or int64.
    weight (Tensor): (C_in, C_out / groups, kL), of input's dtype.
    bias (Tensor, optional): (C_out,). Default: None.
    stride (int or tuple): the stride of the convolution this one transposes. Default: 1.
    padding (int or tuple): dilation (kL - 1) - padding zeros are added at both ends of the
        input. Default: 0.
    output_padding (int or tuple): extra size added at the end of the output (smaller than
        stride or dilation). Default: 0.
    groups (int): splits the channels into groups; it divides C_in and C_out. Default: 1.
    dilation (int or tuple): the spacing between the kernel's taps. Default: 1.

Returns:
    Tensor: (N, C_out, L_out) (or (C_out, L_out)), with
    L_out = (L - 1) stride - 2 padding + dilation (kL - 1) + output_padding + 1.

Example::

    >>> x = ember.randn(4, 8, 23)
    >>> w = ember.randn(8, 3, 5)
    >>> F.conv_transpose1d(x, w, stride=2, output_padding=1).shape
    ember.Size([4, 3, 50])
)";

constexpr const char* kConvTranspose2dDoc = R"(conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> Tensor

Applies a 2-D transposed convolution (the gradient of conv2d with respect to its input), which
some call a deconvolution.

Args:
    input (Tensor): (N, C_in, H, W) or, unbatched, (C_in, H, W); float32, float64 or int64.
    weight (Tensor): (C_in, C_out / groups, kH, kW), of input's dtype.
    bias (Tensor, optional): (C_out,). Default: None.
    stride (int or tuple): the stride of the convolution this one transposes, one or (sH, sW).
        Default: 1.
    padding (int or tuple): dilation (k - 1) - padding zeros are added on both sides of each
        spatial dim of the input. Default: 0.
    output_padding (int or tuple): extra size added on one side of each dim of the output
        (smaller than stride or dilation). Default: 0.
    groups (int): splits the channels into groups; it divides C_in and C_out. Default: 1.
    dilation (int or tuple): the spacing between the kernel's taps. Default: 1.

Returns:
    Tensor: (N, C_out, H_out, W_out) (or (C_out, H_out, W_out)), with
    H_out = (H - 1) sH - 2 padH + dilationH (kH - 1) + output_padH + 1, W_out likewise.

Example::

    >>> x = ember.randn(8, 16, 14, 14)
    >>> w = ember.randn(16, 3, 3, 3)
    >>> F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1).shape
    ember.Size([8, 3, 28, 28])
)";

constexpr const char* kConv3dDoc = R"(conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor

Applies a 3-D convolution (a cross-correlation, as PyTorch's) over an input of several channels:
volumes such as video clips or scans.

Args:
    input (Tensor): (N, C_in, D, H, W) or, unbatched, (C_in, D, H, W); float32, float64 or int64.
    weight (Tensor): (C_out, C_in / groups, kD, kH, kW), of input's dtype.
    bias (Tensor, optional): (C_out,). Default: None.
    stride (int or tuple): the step of the window, one or (sD, sH, sW). Default: 1.
    padding (int, tuple or str): zeros added on both sides, one or (padD, padH, padW), or
        'valid' (none) or 'same' (the output as large as the input; stride 1 only). Default: 0.
    dilation (int or tuple): the spacing between the kernel's taps. Default: 1.
    groups (int): splits the channels into groups convolved separately; it divides C_in and
        C_out. Default: 1.

Returns:
    Tensor: (N, C_out, D_out, H_out, W_out) (or unbatched), with
    D_out = floor((D + 2 padD - dilationD (kD - 1) - 1) / sD) + 1, H_out and W_out likewise.

Example::

    >>> x = ember.randn(2, 3, 8, 16, 16)
    >>> w = ember.randn(4, 3, 3, 3, 3)
    >>> F.conv3d(x, w, padding=1).shape
    ember.Size([2, 4, 8, 16, 16])
)";

constexpr const char* kConvTranspose3dDoc = R"(conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> Tensor

Applies a 3-D transposed convolution (the gradient of conv3d with respect to its input).

Args:
    input (Tensor): (N, C_in, D, H, W) or, unbatched, (C_in, D, H, W); float32, float64 or int64.
    weight (Tensor): (C_in, C_out / groups, kD, kH, kW), of input's dtype.
    bias (Tensor, optional): (C_out,). Default: None.
    stride (int or tuple): the stride of the convolution this one transposes. Default: 1.
    padding (int or tuple): dilation (k - 1) - padding zeros are added on both sides of each
        spatial dim of the input. Default: 0.
    output_padding (int or tuple): extra size added on one side of each dim of the output
        (smaller than stride or dilation). Default: 0.
    groups (int): splits the channels into groups; it divides C_in and C_out. Default: 1.
    dilation (int or tuple): the spacing between the kernel's taps. Default: 1.

Returns:
    Tensor: (N, C_out, D_out, H_out, W_out) (or unbatched), with
    D_out = (D - 1) sD - 2 padD + dilationD (kD - 1) + output_padD + 1, H_out and W_out likewise.

Example::

    >>> x = ember.randn(2, 4, 4, 8, 8)
    >>> w = ember.randn(4, 3, 3, 3, 3)
    >>> F.conv_transpose3d(x, w, stride=2, padding=1, output_padding=1).shape
    ember.Size([2, 3, 8, 16, 16])
)";

/// conv1d/conv2d/conv3d and their transposes, with PyTorch's int-or-tuple and padding-string arguments.
void bind_conv(py::module_& fm) {
  py::options options;  // the docstrings open with PyTorch's signature instead of pybind11's
  options.disable_function_signatures();
  using ConvFn = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, const Dims&, const ConvPadding&, const Dims&,
                            int64_t);
  using ConvTFn = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, const Dims&, const Dims&, const Dims&,
                             int64_t, const Dims&);
  auto conv = [&fm](const char* name, ConvFn f, const char* doc) {
    fm.def(name, [name, f](const Tensor& x, const Tensor& w, py::handle b, py::handle stride, py::handle padding,
                           py::handle dilation, int64_t groups) {
      const Tensor bias = opt_tensor(b);
      const Dims st = conv_sizes(stride, name, "stride");
      const ConvPadding pad = conv_padding(padding, name);
      const Dims dil = conv_sizes(dilation, name, "dilation");
      py_gil::Release nogil(py_gil::heavy(x, w));
      return f(x, w, bias, st, pad, dil, groups);
    }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
       py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1, doc);
  };
  conv("conv1d", &conv1d, kConv1dDoc);
  conv("conv2d", &conv2d, kConv2dDoc);
  conv("conv3d", &conv3d, kConv3dDoc);
  auto conv_t = [&fm](const char* name, ConvTFn f, const char* doc) {
    fm.def(name, [name, f](const Tensor& x, const Tensor& w, py::handle b, py::handle stride, py::handle padding,
                           py::handle output_padding, int64_t groups, py::handle dilation) {
      const Tensor bias = opt_tensor(b);
      const Dims st = conv_sizes(stride, name, "stride"), pad = conv_sizes(padding, name, "padding");
      const Dims out_pad = conv_sizes(output_padding, name, "output_padding");
      const Dims dil = conv_sizes(dilation, name, "dilation");
      py_gil::Release nogil(py_gil::heavy(x, w));
      return f(x, w, bias, st, pad, out_pad, groups, dil);
    }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
       py::arg("padding") = 0, py::arg("output_padding") = 0, py::arg("groups") = 1, py::arg("dilation") = 1, doc);
  };
  conv_t("conv_transpose1d", &conv_transpose1d, kConvTranspose1dDoc);
  conv_t("conv_transpose2d", &conv_transpose2d, kConvTranspose2dDoc);
  conv_t("conv_transpose3d", &conv_transpose3d, kConvTranspose3dDoc);
}
/// group_norm, the channel dropouts, interpolate and the pixel shuffles (ember/nn/functional.py
/// gives them PyTorch's Python signatures and docstrings).
void bind_cnn_layers(py::module_& fm) {
  namespace F = nn::functional;
  fm.def("group_norm", [](const Tensor& x, int64_t groups, py::handle w, py::handle b, double eps) {
    return F::group_norm(x, groups, opt(w, "group_norm", "weight"), opt(b, "group_norm", "bias"), eps);
  }, py::arg("input"), py::arg("num_groups"), py::arg("weight"), py::arg("bias"), py::arg("eps"));
  fm.def("dropout1d", [](const Tensor& x, double p, bool training) { return F::dropout1d(x, p, training); },
         py::arg("input"), py::arg("p"), py::arg("training"));
  fm.def("dropout2d", [](const Tensor& x, double p, bool training) { return F::dropout2d(x, p, training); },
         py::arg("input"), py::arg("p"), py::arg("training"));
  fm.def("dropout3d", [](const Tensor& x, double p, bool training) { return F::dropout3d(x, p, training); },
         py::arg("input"), py::arg("p"), py::arg("training"));
  fm.def("interpolate", [](const Tensor& x, py::handle size, py::handle scale, const std::string& mode,
                           std::optional<bool> align_corners, std::optional<bool> recompute, bool antialias) {
    // A number applies to every spatial dim; a sequence must name each, as torch's.
    for (auto [v, what] : {std::pair{size, "size"}, {scale, "scale_factor"}})
      if (py::isinstance<py::sequence>(v) && !py::isinstance<py::str>(v) && x.dim() > 2)
        EMBER_CHECK(static_cast<int64_t>(py::len(v)) == x.dim() - 2, "interpolate: Input and output must have the same "
                    "number of spatial dimensions, but got input ", shape_str(x.sizes()), " and ", what, " ",
                    std::string(py::repr(v)));
    std::optional<Sizes> sizes;
    std::optional<Factors> factors;
    read_value(size, {"interpolate", "size"}, sizes);
    read_value(scale, {"interpolate", "scale_factor"}, factors);
    std::optional<Shape> s;
    std::optional<std::vector<double>> f;
    if (sizes) s = sizes->dims;
    if (factors) f = factors->values;
    return F::interpolate(x, s, f, mode, align_corners, recompute, antialias);
  }, py::arg("input"), py::arg("size"), py::arg("scale_factor"), py::arg("mode"), py::arg("align_corners"),
     py::arg("recompute_scale_factor"), py::arg("antialias"));
  fm.def("pixel_shuffle", &F::pixel_shuffle, py::arg("input"), py::arg("upscale_factor"));
  fm.def("pixel_unshuffle", &F::pixel_unshuffle, py::arg("input"), py::arg("downscale_factor"));
  fm.def("channel_shuffle", &F::channel_shuffle, py::arg("input"), py::arg("groups"));
  fm.def("rms_norm", [](const Tensor& x, py::handle shape, py::handle w, std::optional<double> eps) {
    Shape s = PyLong_Check(shape.ptr()) ? Shape{index_of(shape)} : shape_from(shape, "rms_norm");
    return F::rms_norm(x, s, opt(w, "rms_norm", "weight"), eps);
  }, py::arg("input"), py::arg("normalized_shape"), py::arg("weight"), py::arg("eps"));
  fm.def("local_response_norm", &F::local_response_norm, py::arg("input"), py::arg("size"), py::arg("alpha"),
         py::arg("beta"), py::arg("k"));
  fm.def("instance_norm", [](const Tensor& x, py::handle rm, py::handle rv, py::handle w, py::handle b,
                             bool use_input_stats, double momentum, double eps) {
    return F::instance_norm(x, opt(rm, "instance_norm", "running_mean"), opt(rv, "instance_norm", "running_var"),
                            opt(w, "instance_norm", "weight"), opt(b, "instance_norm", "bias"), use_input_stats,
                            momentum, eps);
  }, py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight"), py::arg("bias"),
     py::arg("use_input_stats"), py::arg("momentum"), py::arg("eps"));
}
}  // namespace

void bind_nn_functional(py::module_& m) {
  py::module_ fm = m.def_submodule("_nn_functional", "C++ ops of ember.nn.functional");
  fm.def("one_hot", &one_hot, py::arg("input"), py::arg("num_classes") = -1,
         "int64 class indices -> int64 one-hot rows along a new last dim.");
  namespace F = nn::functional;
  fm.def("leaky_relu", &F::leaky_relu, py::arg("input"), py::arg("negative_slope") = 0.01);
  fm.def("prelu", &F::prelu, py::arg("input"), py::arg("weight"));
  fm.def("elu", &F::elu, py::arg("input"), py::arg("alpha") = 1.0);
  fm.def("gelu", &F::gelu, py::arg("input"), py::kw_only(), py::arg("approximate") = "none");
  fm.def("silu", &F::silu, py::arg("input"));
  fm.def("softplus", &F::softplus, py::arg("input"), py::arg("beta") = 1.0, py::arg("threshold") = 20.0);
  fm.def("logsigmoid", &F::logsigmoid, py::arg("input"));
  fm.def("hardtanh", &F::hardtanh, py::arg("input"), py::arg("min_val") = -1.0, py::arg("max_val") = 1.0);
  fm.def("hardtanh_", [](py::object x, double lo, double hi) {
    F::hardtanh_(x.cast<Tensor&>(), lo, hi);
    return x;
  }, py::arg("input"), py::arg("min_val") = -1.0, py::arg("max_val") = 1.0);
  fm.def("celu", &F::celu, py::arg("input"), py::arg("alpha") = 1.0);
  fm.def("celu_", [](py::object x, double alpha) {
    F::celu_(x.cast<Tensor&>(), alpha);
    return x;
  }, py::arg("input"), py::arg("alpha") = 1.0);
  fm.def("threshold", &F::threshold, py::arg("input"), py::arg("threshold"), py::arg("value"));
  fm.def("threshold_", [](py::object x, Scalar threshold, Scalar value) {
    F::threshold_(x.cast<Tensor&>(), threshold, value);
    return x;
  }, py::arg("input"), py::arg("threshold"), py::arg("value"));
  fm.def("softsign", &F::softsign, py::arg("input"));
  fm.def("normalize", &F::normalize, py::arg("input"), py::arg("p") = 2.0, py::arg("dim") = 1, py::arg("eps") = 1e-12);
  fm.def("pairwise_distance", &F::pairwise_distance, py::arg("x1"), py::arg("x2"), py::arg("p") = 2.0,
         py::arg("eps") = 1e-6, py::arg("keepdim") = false);
  fm.def("tanhshrink", &F::tanhshrink, py::arg("input"));
  // The one-argument activations and their in-place forms.
  for (auto [name, f, f_] : {std::tuple{"relu6", &F::relu6, &F::relu6_}, {"hardswish", &F::hardswish, &F::hardswish_},
                             {"hardsigmoid", &F::hardsigmoid, &F::hardsigmoid_}, {"selu", &F::selu, &F::selu_},
                             {"mish", &F::mish, &F::mish_}}) {
    fm.def(name, f, py::arg("input"));
    fm.def((std::string(name) + "_").c_str(), [f_ = f_](py::object x) {
      f_(x.cast<Tensor&>());
      return x;
    }, py::arg("input"));
  }
  fm.def("leaky_relu_", [](py::object x, double slope) {
    F::leaky_relu_(x.cast<Tensor&>(), slope);
    return x;
  }, py::arg("input"), py::arg("negative_slope") = 0.01);
  fm.def("elu_", [](py::object x, double alpha) {
    F::elu_(x.cast<Tensor&>(), alpha);
    return x;
  }, py::arg("input"), py::arg("alpha") = 1.0);
  fm.def("silu_", [](py::object x) {
    F::silu_(x.cast<Tensor&>());
    return x;
  }, py::arg("input"));
  fm.def("sign_straight_through", &F::sign_straight_through, py::arg("input"));
  fm.def("hardshrink", &F::hardshrink, py::arg("input"), py::arg("lambd") = 0.5);
  fm.def("softshrink", &F::softshrink, py::arg("input"), py::arg("lambd") = 0.5);
  fm.def("glu", &F::glu, py::arg("input"), py::arg("dim") = -1);
  fm.def("rrelu", [](const Tensor& x, double lower, double upper, bool training) {
    return F::rrelu(x, lower, upper, training);
  }, py::arg("input"), py::arg("lower"), py::arg("upper"), py::arg("training"));
  fm.def("rrelu_", [](py::object x, double lower, double upper, bool training) {
    F::rrelu_(x.cast<Tensor&>(), lower, upper, training);
    return x;
  }, py::arg("input"), py::arg("lower"), py::arg("upper"), py::arg("training"));
  fm.def("bilinear", [](const Tensor& x1, const Tensor& x2, const Tensor& w, py::handle b) {
    return F::bilinear(x1, x2, w, opt(b, "bilinear", "bias"));
  }, py::arg("input1"), py::arg("input2"), py::arg("weight"), py::arg("bias") = py::none());
  fm.def("embedding_bag", [](const Tensor& input, const Tensor& weight, py::handle offsets,
                             std::optional<double> max_norm, double norm_type, const std::string& mode,
                             py::handle per_sample_weights, bool include_last_offset,
                             std::optional<int64_t> padding_idx, bool scale_grad_by_freq, bool sparse) {
    return F::embedding_bag(input, weight, opt(offsets, "embedding_bag", "offsets"), max_norm, norm_type, mode,
                            opt(per_sample_weights, "embedding_bag", "per_sample_weights"),
                            include_last_offset, padding_idx, scale_grad_by_freq, sparse);
  }, py::arg("input"), py::arg("weight"), py::arg("offsets"), py::arg("max_norm"), py::arg("norm_type"),
     py::arg("mode"), py::arg("per_sample_weights"), py::arg("include_last_offset"), py::arg("padding_idx"),
     py::arg("scale_grad_by_freq"), py::arg("sparse"));
  fm.def("linear", [](const Tensor& x, const Tensor& w, py::handle b) {
    const Tensor bias = opt(b, "linear", "bias");
    py_gil::Release nogil(py_gil::heavy(x, w));
    return F::linear(x, w, bias);
  },
         py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
  fm.def("batch_norm", [](const Tensor& x, py::handle rm, py::handle rv, py::handle w, py::handle b, bool training,
                          double momentum, double eps) {
    return F::batch_norm(x, opt(rm, "batch_norm", "running_mean"), opt(rv, "batch_norm", "running_var"),
                         opt(w, "batch_norm", "weight"), opt(b, "batch_norm", "bias"), training, momentum, eps);
  }, py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("training") = false, py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  fm.def("layer_norm", [](const Tensor& x, py::handle shape, py::handle w, py::handle b, double eps) {
    Shape s = PyLong_Check(shape.ptr()) ? Shape{index_of(shape)} : shape_from(shape, "layer_norm");
    return F::layer_norm(x, s, opt(w, "layer_norm", "weight"), opt(b, "layer_norm", "bias"), eps);
  }, py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(), py::arg("bias") = py::none(),
     py::arg("eps") = 1e-5);
  fm.def("dropout", [](const Tensor& x, double p, bool training, py::handle g) {
    return F::dropout(x, p, training, generator_from(g));
  }, py::arg("input"), py::arg("p"), py::arg("training"), py::arg("generator") = py::none());
  fm.def("gaussian_noise", [](const Tensor& x, double std, bool training, py::handle g) {
    return F::gaussian_noise(x, std, training, generator_from(g));
  }, py::arg("input"), py::arg("std") = 0.1, py::arg("training") = true, py::arg("generator") = py::none());
  fm.def("embedding", [](const Tensor& idx, const Tensor& w, py::handle padding_idx, py::handle max_norm,
                         double norm_type, bool scale_grad_by_freq) {
    auto pad = padding_idx.is_none() ? std::nullopt : std::optional<int64_t>(index_of(padding_idx));
    auto mn = max_norm.is_none() ? std::nullopt : std::optional<double>(max_norm.cast<double>());
    return F::embedding(idx, w, pad, mn, norm_type, scale_grad_by_freq);
  }, py::arg("input"), py::arg("weight"), py::arg("padding_idx") = py::none(), py::arg("max_norm") = py::none(),
     py::arg("norm_type") = 2.0, py::arg("scale_grad_by_freq") = false);
  fm.def("kl_div", &F::kl_div, py::arg("input"), py::arg("target"), py::arg("reduction"), py::arg("log_target"));
  fm.def("mse_loss", &F::mse_loss, py::arg("input"), py::arg("target"), py::arg("reduction"));
  fm.def("l1_loss", &F::l1_loss, py::arg("input"), py::arg("target"), py::arg("reduction"));
  fm.def("huber_loss", &F::huber_loss, py::arg("input"), py::arg("target"), py::arg("reduction"), py::arg("delta"));
  fm.def("smooth_l1_loss", &F::smooth_l1_loss, py::arg("input"), py::arg("target"), py::arg("reduction"),
         py::arg("beta"));
  fm.def("binary_cross_entropy", [](const Tensor& x, const Tensor& y, py::handle w, const std::string& r) {
    return F::binary_cross_entropy(x, y, opt(w, "binary_cross_entropy", "weight"), r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("reduction"));
  fm.def("binary_cross_entropy_with_logits", [](const Tensor& x, const Tensor& y, py::handle w, const std::string& r,
                                                py::handle pw) {
    return F::binary_cross_entropy_with_logits(x, y, opt(w, "binary_cross_entropy_with_logits", "weight"), r,
                                               opt(pw, "binary_cross_entropy_with_logits", "pos_weight"));
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("reduction"), py::arg("pos_weight"));
  fm.def("nll_loss", [](const Tensor& x, const Tensor& y, py::handle w, int64_t ignore, const std::string& r) {
    return F::nll_loss(x, y, opt(w, "nll_loss", "weight"), ignore, r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("ignore_index"), py::arg("reduction"));
  fm.def("cross_entropy", [](const Tensor& x, const Tensor& y, py::handle w, int64_t ignore, const std::string& r,
                             double smoothing) {
    return F::cross_entropy(x, y, opt(w, "cross_entropy", "weight"), ignore, r, smoothing);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("ignore_index"), py::arg("reduction"),
     py::arg("label_smoothing"));
  fm.def("margin_ranking_loss", &F::margin_ranking_loss, py::arg("input1"), py::arg("input2"), py::arg("target"),
         py::arg("margin"), py::arg("reduction"));
  fm.def("hinge_embedding_loss", &F::hinge_embedding_loss, py::arg("input"), py::arg("target"), py::arg("margin"),
         py::arg("reduction"));
  fm.def("soft_margin_loss", &F::soft_margin_loss, py::arg("input"), py::arg("target"), py::arg("reduction"));
  fm.def("cosine_embedding_loss", &F::cosine_embedding_loss, py::arg("input1"), py::arg("input2"), py::arg("target"),
         py::arg("margin"), py::arg("reduction"));
  fm.def("triplet_margin_loss", &F::triplet_margin_loss, py::arg("anchor"), py::arg("positive"), py::arg("negative"),
         py::arg("margin"), py::arg("p"), py::arg("eps"), py::arg("swap"), py::arg("reduction"));
  fm.def("multilabel_soft_margin_loss", [](const Tensor& x, const Tensor& y, py::handle w, const std::string& r) {
    return F::multilabel_soft_margin_loss(x, y, opt(w, "multilabel_soft_margin_loss", "weight"), r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("reduction"));
  // p is a number, as torch's Scalar (p=2.0 works); only 1 and 2 are implemented, there and here
  fm.def("multi_margin_loss", [](const Tensor& x, const Tensor& y, double p, double margin, py::handle w,
                                 const std::string& r) {
    EMBER_CHECK(p == 1 || p == 2, "multi_margin_loss: only p == 1 and p == 2 supported, got ", p);
    return F::multi_margin_loss(x, y, static_cast<int64_t>(p), margin, opt(w, "multi_margin_loss", "weight"), r);
  }, py::arg("input"), py::arg("target"), py::arg("p"), py::arg("margin"), py::arg("weight"), py::arg("reduction"));
  fm.def("multilabel_margin_loss", &F::multilabel_margin_loss, py::arg("input"), py::arg("target"),
         py::arg("reduction"));
  fm.def("poisson_nll_loss", &F::poisson_nll_loss, py::arg("input"), py::arg("target"), py::arg("log_input"),
         py::arg("full"), py::arg("eps"), py::arg("reduction"));
  fm.def("gaussian_nll_loss", [](const Tensor& x, const Tensor& y, py::handle var, bool full, double eps,
                                 const std::string& r) {  // var: a tensor or a float (as torch, not an int)
    if (PyFloat_Check(var.ptr())) return F::gaussian_nll_loss(x, y, var.cast<double>(), full, eps, r);
    EMBER_CHECK_TYPE(py::isinstance<Tensor>(var), "gaussian_nll_loss: var must be a Tensor or a float, got ",
                     std::string(py::str(py::type::handle_of(var).attr("__name__"))));
    return F::gaussian_nll_loss(x, y, var.cast<const Tensor&>(), full, eps, r);
  }, py::arg("input"), py::arg("target"), py::arg("var"), py::arg("full"), py::arg("eps"), py::arg("reduction"));
  bind_pooling(fm);
  bind_conv(fm);
  bind_cnn_layers(fm);
  fm.def("unfold", [](const Tensor& x, py::handle k, py::handle d, py::handle p, py::handle s) {
    return F::unfold(x, pool_sizes(k, "unfold", "kernel_size"), pool_sizes(d, "unfold", "dilation"),
                     pool_sizes(p, "unfold", "padding"), pool_sizes(s, "unfold", "stride"));
  }, py::arg("input"), py::arg("kernel_size"), py::arg("dilation"), py::arg("padding"), py::arg("stride"),
     "PyTorch's unfold (ember/nn/functional.py).");
  fm.def("fold", [](const Tensor& x, py::handle out, py::handle k, py::handle d, py::handle p, py::handle s) {
    return F::fold(x, pool_sizes(out, "fold", "output_size"), pool_sizes(k, "fold", "kernel_size"),
                   pool_sizes(d, "fold", "dilation"), pool_sizes(p, "fold", "padding"), pool_sizes(s, "fold", "stride"));
  }, py::arg("input"), py::arg("output_size"), py::arg("kernel_size"), py::arg("dilation"), py::arg("padding"),
     py::arg("stride"), "PyTorch's fold (ember/nn/functional.py).");
  fm.def("pad", [](const Tensor& x, py::handle pad, const std::string& mode, std::optional<double> value) {
    Sizes sizes;
    read_value(pad, {"pad", "pad"}, sizes);
    return F::pad(x, sizes.dims, mode, value);
  }, py::arg("input"), py::arg("pad"), py::arg("mode") = "constant", py::arg("value") = py::none(),
     "PyTorch's pad (ember/nn/functional.py).");
}

}  // namespace ember
