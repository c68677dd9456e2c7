// Convolution layers: their parameters and PyTorch's initialization; forward calls the op
// (cpp/src/ops/conv.cpp), padding the input first for the padding modes other than 'zeros'.
#include "ember/nn/conv.h"

#include <cmath>

#include "ember/nn/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {

namespace {
const char* const kPaddingModes[] = {"zeros", "reflect", "replicate", "circular"};

void check_channels(int64_t in_channels, int64_t out_channels, int64_t groups) {
  EMBER_CHECK(groups > 0, "groups must be a positive integer, got ", groups);
  EMBER_CHECK(in_channels % groups == 0, "in_channels must be divisible by groups, got ", in_channels, " and ", groups);
  EMBER_CHECK(out_channels % groups == 0, "out_channels must be divisible by groups, got ", out_channels, " and ",
              groups);
}

/// Sizes with one entry per spatial dim, as a tuple (an int stands for every dim).
Sizes per_dim(const Sizes& s, size_t dims, const char* what, const char* layer) {
  EMBER_CHECK(s.dims.size() == 1 || s.dims.size() == dims, layer, ": ", what, " must be an int or a tuple of ", dims,
              " ints, got ", repr_value(s));
  Sizes out(s.dims.size() == 1 ? Shape(dims, s.dims[0]) : s.dims);
  out.spelling = Sizes::Spelling::Tuple;
  return out;
}
}  // namespace

void ConvOptions::cross_checks() const {
  check_channels(in_channels, out_channels, groups);
  if (!padding.word.empty()) {
    EMBER_CHECK(padding.word == "same" || padding.word == "valid", "Invalid padding string '", padding.word,
                "', should be one of {'valid', 'same'}");
    for (int64_t s : stride.dims)
      EMBER_CHECK(padding.word == "valid" || s == 1, "padding='same' is not supported for strided convolutions");
  }
  bool known = false;
  for (const char* m : kPaddingModes) known = known || padding_mode == m;
  EMBER_CHECK(known, "padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got "
              "padding_mode='", padding_mode, "'");
}

void ConvTransposeOptions::cross_checks() const {
  check_channels(in_channels, out_channels, groups);
  EMBER_CHECK(padding_mode == "zeros", "Only \"zeros\" padding mode is supported for ConvTranspose, got '",
              padding_mode, "'");
}

template <class O>
ConvLayer<O>::ConvLayer(std::string type_name, O options, size_t dims, bool transposed)
    : Layer<O>(std::move(type_name), std::move(options)) {
  O& o = this->options;
  const std::string name = this->type_name();
  const char* layer = name.c_str();
  o.kernel_size = per_dim(o.kernel_size, dims, "kernel_size", layer);
  o.stride = per_dim(o.stride, dims, "stride", layer);
  o.dilation = per_dim(o.dilation, dims, "dilation", layer);
  if constexpr (std::is_same_v<O, ConvTransposeOptions>) {
    o.padding = per_dim(o.padding, dims, "padding", layer);
    o.output_padding = per_dim(o.output_padding, dims, "output_padding", layer);
  } else if (o.padding.word.empty()) {
    o.padding.sizes = per_dim(o.padding.sizes, dims, "padding", layer);
  }
  for (int64_t k : o.kernel_size.dims)
    EMBER_CHECK(k > 0, layer, ": kernel_size must be positive, got ", repr_value(o.kernel_size));
  const DType dtype = o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), layer, ": dtype must be floating point, got ", dtype_name(dtype));
  Shape shape = transposed ? Shape{o.in_channels, o.out_channels / o.groups}
                           : Shape{o.out_channels, o.in_channels / o.groups};
  shape.insert(shape.end(), o.kernel_size.dims.begin(), o.kernel_size.dims.end());
  this->register_parameter("weight", empty(shape, dtype));
  this->register_parameter("bias", o.bias ? empty({o.out_channels}, dtype) : Tensor());
  reset_parameters();
}

template <class O>
void ConvLayer<O>::reset_parameters() {
  // PyTorch's: kaiming_uniform_(a=sqrt(5)) gives +-1/sqrt(fan_in), fan_in = weight.size(1) * the
  // kernel's size; the bias the same bound.
  Tensor w = weight(), b = bias();
  int64_t fan_in = w.sizes()[1];
  for (size_t d = 2; d < w.sizes().size(); ++d) fan_in *= w.sizes()[d];
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  init::uniform_(w, -bound, bound);
  if (b.defined()) init::uniform_(b, -bound, bound);
}

template <class O>
std::string ConvLayer<O>::extra_repr() const {
  return fields_repr(this->shown_options(), {"in_channels", "out_channels", "kernel_size", "stride", "padding",
                                             "dilation", "output_padding", "groups", "bias", "padding_mode"});
}

template class ConvLayer<ConvOptions>;
template class ConvLayer<ConvTransposeOptions>;

namespace {
/// The convolution and the transposed one over `dims` spatial dims.
auto conv_of(size_t dims) { return dims == 1 ? &ember::conv1d : dims == 2 ? &ember::conv2d : &ember::conv3d; }
auto conv_transpose_of(size_t dims) {
  return dims == 1 ? &ember::conv_transpose1d : dims == 2 ? &ember::conv_transpose2d : &ember::conv_transpose3d;
}

/// The convolutions' forward: the op, with the input padded first unless padding_mode is 'zeros'.
Tensor conv_forward(const ConvOptions& o, const Tensor& x, const Tensor& w, const Tensor& b, size_t dims) {
  const Dims& stride = o.stride.dims;
  const Dims& dilation = o.dilation.dims;
  auto conv = conv_of(dims);
  if (o.padding_mode == "zeros") {
    const ConvPadding padding = o.padding.word.empty() ? ConvPadding(o.padding.sizes.dims) : ConvPadding(o.padding.word);
    return conv(x, w, b, stride, padding, dilation, o.groups);
  }
  // PyTorch's padding for the other modes: the last dim's (before, after) first; 'same' puts an
  // odd total's extra one after.
  Shape pads;
  for (size_t i = dims; i-- > 0;) {
    int64_t before = 0, after = 0;
    if (o.padding.word == "same") {
      const int64_t total = dilation[i] * (o.kernel_size.dims[i] - 1);
      before = total / 2, after = total - before;
    } else if (o.padding.word.empty()) {
      before = after = o.padding.sizes.dims[i];
    }
    pads.push_back(before), pads.push_back(after);
  }
  return conv(functional::pad(x, pads, o.padding_mode, std::nullopt), w, b, stride, Dims(dims, 0), dilation, o.groups);
}

/// The output_padding that gives output_size (its last `dims` sizes), as PyTorch's
/// _output_padding: each size between the smallest output and that plus stride - 1.
Dims output_padding_for(const ConvTransposeOptions& o, const Tensor& x, const Shape& output_size, size_t dims,
                        const std::string& layer) {
  const auto nd = static_cast<int64_t>(dims);
  const int64_t lead = x.dim() == nd + 2 ? 2 : 1;
  Shape want = output_size;
  if (static_cast<int64_t>(want.size()) == lead + nd) want.erase(want.begin(), want.begin() + lead);
  EMBER_CHECK(static_cast<int64_t>(want.size()) == nd, layer, ": for ", x.dim(), "D input, output_size must have ",
              nd, " or ", lead + nd, " elements (got ", output_size.size(), ")");
  EMBER_CHECK(x.dim() >= nd + 1, layer, ": expected a ", nd + 1, "-D or ", nd + 2, "-D input, got ",
              shape_str(x.sizes()));
  Shape lo(dims), hi(dims);
  Dims pad(dims);
  for (size_t d = 0; d < dims; ++d) {
    lo[d] = (x.sizes()[lead + d] - 1) * o.stride.dims[d] - 2 * o.padding.dims[d] +
            o.dilation.dims[d] * (o.kernel_size.dims[d] - 1) + 1;
    hi[d] = lo[d] + o.stride.dims[d] - 1;
  }
  for (size_t d = 0; d < dims; ++d) {
    EMBER_CHECK(lo[d] <= want[d] && want[d] <= hi[d], layer, ": requested an output size of ", shape_str(want),
                ", but valid sizes range from ", shape_str(lo), " to ", shape_str(hi), " (for an input of ",
                shape_str(x.sizes()), ")");
    pad[d] = want[d] - lo[d];
  }
  return pad;
}

/// The transposed convolutions' forward.
Tensor conv_transpose_forward(const ConvTransposeOptions& o, const Tensor& x, const Tensor& w, const Tensor& b,
                              size_t dims, const std::optional<Shape>& output_size, const std::string& layer) {
  auto conv_t = conv_transpose_of(dims);
  const Dims output_padding = output_size ? output_padding_for(o, x, *output_size, dims, layer) : o.output_padding.dims;
  return conv_t(x, w, b, o.stride.dims, o.padding.dims, output_padding, o.groups, o.dilation.dims);
}

}  // namespace

Tensor Conv1d::forward(const Tensor& input) { return conv_forward(options, input, weight(), bias(), 1); }
Tensor Conv2d::forward(const Tensor& input) { return conv_forward(options, input, weight(), bias(), 2); }
Tensor Conv3d::forward(const Tensor& input) { return conv_forward(options, input, weight(), bias(), 3); }

Tensor Unfold::forward(const Tensor& input) {
  const UnfoldOptions& o = options;
  return functional::unfold(input, o.kernel_size, o.dilation, o.padding, o.stride);
}
Tensor Fold::forward(const Tensor& input) {
  const FoldOptions& o = options;
  return functional::fold(input, o.output_size, o.kernel_size, o.dilation, o.padding, o.stride);
}

Tensor ConvTranspose1d::forward(const Tensor& input, const std::optional<Shape>& output_size) {
  return conv_transpose_forward(options, input, weight(), bias(), 1, output_size, type_name());
}
Tensor ConvTranspose2d::forward(const Tensor& input, const std::optional<Shape>& output_size) {
  return conv_transpose_forward(options, input, weight(), bias(), 2, output_size, type_name());
}
Tensor ConvTranspose3d::forward(const Tensor& input, const std::optional<Shape>& output_size) {
  return conv_transpose_forward(options, input, weight(), bias(), 3, output_size, type_name());
}

}  // namespace ember::nn
