// Pooling layers: each forwards to its op (cpp/src/ops/pool.cpp) with its options.
#include "ember/nn/pooling.h"

#include "ember/nn/functional.h"

namespace ember::nn {

namespace F = functional;

namespace {
/// PyTorch's default stride: the kernel's, kept as given.
template <class O>
O with_stride(O o) {
  if (!o.stride) o.stride = o.kernel_size;
  return o;
}
/// AvgPool1d keeps its sizes as tuples, as PyTorch's.
Sizes as_tuple(Sizes s) {
  s.spelling = Sizes::Spelling::Tuple;
  return s;
}
}  // namespace

MaxPool1d::MaxPool1d(MaxPoolOptions options) : Layer("MaxPool1d", with_stride(std::move(options))) {}
std::pair<Tensor, Tensor> MaxPool1d::forward_with_indices(const Tensor& input) {
  const MaxPoolOptions& o = options;
  return F::max_pool1d_with_indices(input, o.kernel_size, *o.stride, o.padding, o.dilation, o.ceil_mode);
}
Tensor MaxPool1d::forward(const Tensor& input) { return forward_with_indices(input).first; }

MaxPool2d::MaxPool2d(MaxPoolOptions options) : Layer("MaxPool2d", with_stride(std::move(options))) {}
std::pair<Tensor, Tensor> MaxPool2d::forward_with_indices(const Tensor& input) {
  const MaxPoolOptions& o = options;
  return F::max_pool2d_with_indices(input, o.kernel_size, *o.stride, o.padding, o.dilation, o.ceil_mode);
}
Tensor MaxPool2d::forward(const Tensor& input) { return forward_with_indices(input).first; }

MaxPool3d::MaxPool3d(MaxPoolOptions options) : Layer("MaxPool3d", with_stride(std::move(options))) {}
std::pair<Tensor, Tensor> MaxPool3d::forward_with_indices(const Tensor& input) {
  const MaxPoolOptions& o = options;
  return F::max_pool3d_with_indices(input, o.kernel_size, *o.stride, o.padding, o.dilation, o.ceil_mode);
}
Tensor MaxPool3d::forward(const Tensor& input) { return forward_with_indices(input).first; }

AvgPool1d::AvgPool1d(AvgPool1dOptions options) : Layer("AvgPool1d", with_stride(std::move(options))) {
  this->options.kernel_size = as_tuple(this->options.kernel_size);
  this->options.stride = as_tuple(*this->options.stride);
  this->options.padding = as_tuple(this->options.padding);
}
Tensor AvgPool1d::forward(const Tensor& input) {
  const AvgPool1dOptions& o = options;
  return F::avg_pool1d(input, o.kernel_size, *o.stride, o.padding, o.ceil_mode, o.count_include_pad);
}

AvgPool2d::AvgPool2d(AvgPool2dOptions options) : Layer("AvgPool2d", with_stride(std::move(options))) {}
Tensor AvgPool2d::forward(const Tensor& input) {
  const AvgPool2dOptions& o = options;
  return F::avg_pool2d(input, o.kernel_size, *o.stride, o.padding, o.ceil_mode, o.count_include_pad,
                       o.divisor_override);
}

AvgPool3d::AvgPool3d(AvgPool2dOptions options) : Layer("AvgPool3d", with_stride(std::move(options))) {}
Tensor AvgPool3d::forward(const Tensor& input) {
  const AvgPool2dOptions& o = options;
  return F::avg_pool3d(input, o.kernel_size, *o.stride, o.padding, o.ceil_mode, o.count_include_pad,
                       o.divisor_override);
}

Tensor AdaptiveAvgPool1d::forward(const Tensor& input) {
  return F::adaptive_avg_pool1d(input, F::adaptive_size(options.output_size, input));
}
Tensor AdaptiveAvgPool2d::forward(const Tensor& input) {
  return F::adaptive_avg_pool2d(input, F::adaptive_size(options.output_size, input));
}
Tensor AdaptiveAvgPool3d::forward(const Tensor& input) {
  return F::adaptive_avg_pool3d(input, F::adaptive_size(options.output_size, input));
}

std::pair<Tensor, Tensor> AdaptiveMaxPool1d::forward_with_indices(const Tensor& input) {
  return F::adaptive_max_pool1d(input, F::adaptive_size(options.output_size, input));
}
Tensor AdaptiveMaxPool1d::forward(const Tensor& input) { return forward_with_indices(input).first; }
std::pair<Tensor, Tensor> AdaptiveMaxPool2d::forward_with_indices(const Tensor& input) {
  return F::adaptive_max_pool2d(input, F::adaptive_size(options.output_size, input));
}
Tensor AdaptiveMaxPool2d::forward(const Tensor& input) { return forward_with_indices(input).first; }
std::pair<Tensor, Tensor> AdaptiveMaxPool3d::forward_with_indices(const Tensor& input) {
  return F::adaptive_max_pool3d(input, F::adaptive_size(options.output_size, input));
}
Tensor AdaptiveMaxPool3d::forward(const Tensor& input) { return forward_with_indices(input).first; }

}  // namespace ember::nn
