// ember._C._nn_functional: the C++ ops of ember.nn.functional (ember/nn/functional.py re-exports
// them with PyTorch's Python-side conveniences).
#include <pybind11/stl.h>

#include "convert.h"
#include "option_rows.h"
#include "ember/nn/functional.h"
#include "ember/nn/loss.h"

namespace ember {

using namespace py_convert;

namespace {
/// A pooling size as PyTorch takes it: an int, a tuple or list of ints, or None (empty: the
/// op's default, the kernel for a stride).
Shape pool_sizes(py::handle v, const char* op, const char* what) {
  if (v.is_none()) return {};
  Sizes s;
  read_value(v, {op, what}, s);
  return s.dims;
}

/// The pooling ops for ember/nn/functional.py, which gives them PyTorch's Python signatures.
void bind_pooling(py::module_& fm) {
  namespace F = nn::functional;
  using MaxPool = std::pair<Tensor, Tensor> (*)(const Tensor&, const Shape&, const Shape&, const Shape&,
                                                const Shape&, bool);
  for (auto [name, fn] : {std::pair<const char*, MaxPool>{"max_pool1d", &F::max_pool1d_with_indices},
                          std::pair<const char*, MaxPool>{"max_pool2d", &F::max_pool2d_with_indices}})
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
  fm.def("avg_pool2d", [](const Tensor& x, py::handle k, py::handle s, py::handle p, bool ceil_mode, bool count_pad,
                          std::optional<int64_t> divisor_override) {
    const char* op = "avg_pool2d";
    return F::avg_pool2d(x, pool_sizes(k, op, "kernel_size"), pool_sizes(s, op, "stride"),
                         pool_sizes(p, op, "padding"), ceil_mode, count_pad, divisor_override);
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("ceil_mode"),
     py::arg("count_include_pad"), py::arg("divisor_override"), "PyTorch's avg_pool2d (ember/nn/functional.py).");
  fm.def("adaptive_avg_pool1d", [](const Tensor& x, py::handle size) {
    return F::adaptive_avg_pool1d(x, pool_sizes(size, "adaptive_avg_pool1d", "output_size"));
  }, py::arg("input"), py::arg("output_size"), "PyTorch's adaptive_avg_pool1d (ember/nn/functional.py).");
  fm.def("adaptive_avg_pool2d", [](const Tensor& x, py::handle size) {
    return F::adaptive_avg_pool2d(x, pool_sizes(size, "adaptive_avg_pool2d", "output_size"));
  }, py::arg("input"), py::arg("output_size"), "PyTorch's adaptive_avg_pool2d (ember/nn/functional.py).");
  fm.def("adaptive_max_pool1d", [](const Tensor& x, py::handle size) {
    return F::adaptive_max_pool1d(x, pool_sizes(size, "adaptive_max_pool1d", "output_size"));
  }, py::arg("input"), py::arg("output_size"), "(values, indices) of adaptive_max_pool1d (ember/nn/functional.py).");
  fm.def("adaptive_max_pool2d", [](const Tensor& x, py::handle size) {
    return F::adaptive_max_pool2d(x, pool_sizes(size, "adaptive_max_pool2d", "output_size"));
  }, py::arg("input"), py::arg("output_size"), "(values, indices) of adaptive_max_pool2d (ember/nn/functional.py).");
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
  auto opt = [](py::handle t) { return t.is_none() ? Tensor() : t.cast<Tensor>(); };
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
  fm.def("linear", [opt](const Tensor& x, const Tensor& w, py::handle b) { return F::linear(x, w, opt(b)); },
         py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
  fm.def("batch_norm", [opt](const Tensor& x, py::handle rm, py::handle rv, py::handle w, py::handle b, bool training,
                             double momentum, double eps) {
    return F::batch_norm(x, opt(rm), opt(rv), opt(w), opt(b), training, momentum, eps);
  }, py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("training") = false, py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  fm.def("layer_norm", [opt](const Tensor& x, py::handle shape, py::handle w, py::handle b, double eps) {
    Shape s = PyLong_Check(shape.ptr()) ? Shape{shape.cast<int64_t>()} : shape_from(shape, "layer_norm");
    return F::layer_norm(x, s, opt(w), opt(b), eps);
  }, py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(), py::arg("bias") = py::none(),
     py::arg("eps") = 1e-5);
  fm.def("dropout", [](const Tensor& x, double p, bool training, py::handle g) {
    return F::dropout(x, p, training, generator_from(g));
  }, py::arg("input"), py::arg("p"), py::arg("training"), py::arg("generator") = py::none());
  fm.def("gaussian_noise", [](const Tensor& x, double std, bool training, py::handle g) {
    return F::gaussian_noise(x, std, training, generator_from(g));
  }, py::arg("input"), py::arg("std") = 0.1, py::arg("training") = true, py::arg("generator") = py::none());
  fm.def("embedding", [](const Tensor& idx, const Tensor& w, py::handle padding_idx, py::handle max_norm,
                         double norm_type) {
    auto pad = padding_idx.is_none() ? std::nullopt : std::optional<int64_t>(padding_idx.cast<int64_t>());
    auto mn = max_norm.is_none() ? std::nullopt : std::optional<double>(max_norm.cast<double>());
    return F::embedding(idx, w, pad, mn, norm_type);
  }, py::arg("input"), py::arg("weight"), py::arg("padding_idx") = py::none(), py::arg("max_norm") = py::none(),
     py::arg("norm_type") = 2.0);
  fm.def("mse_loss", &F::mse_loss, py::arg("input"), py::arg("target"), py::arg("reduction"));
  fm.def("l1_loss", &F::l1_loss, py::arg("input"), py::arg("target"), py::arg("reduction"));
  fm.def("huber_loss", &F::huber_loss, py::arg("input"), py::arg("target"), py::arg("reduction"), py::arg("delta"));
  fm.def("smooth_l1_loss", &F::smooth_l1_loss, py::arg("input"), py::arg("target"), py::arg("reduction"),
         py::arg("beta"));
  fm.def("binary_cross_entropy", [opt](const Tensor& x, const Tensor& y, py::handle w, const std::string& r) {
    return F::binary_cross_entropy(x, y, opt(w), r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("reduction"));
  fm.def("binary_cross_entropy_with_logits", [opt](const Tensor& x, const Tensor& y, py::handle w, const std::string& r,
                                                   py::handle pw) {
    return F::binary_cross_entropy_with_logits(x, y, opt(w), r, opt(pw));
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("reduction"), py::arg("pos_weight"));
  fm.def("nll_loss", [opt](const Tensor& x, const Tensor& y, py::handle w, int64_t ignore, const std::string& r) {
    return F::nll_loss(x, y, opt(w), ignore, r);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("ignore_index"), py::arg("reduction"));
  fm.def("cross_entropy", [opt](const Tensor& x, const Tensor& y, py::handle w, int64_t ignore, const std::string& r,
                                double smoothing) {
    return F::cross_entropy(x, y, opt(w), ignore, r, smoothing);
  }, py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("ignore_index"), py::arg("reduction"),
     py::arg("label_smoothing"));
  bind_pooling(fm);
}

}  // namespace ember
