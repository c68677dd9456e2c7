// ember.nn's C++ pieces: weight initialization (ember._C._nn_init, wrapped by ember/nn/init.py).
#include <pybind11/stl.h>

#include "convert.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/loss.h"
#include "ember/nn/utils.h"
#include "ember/serialize.h"

namespace ember {

using namespace py_convert;

namespace {
Generator* generator_from(py::handle g) { return g.is_none() ? nullptr : &g.cast<Generator&>(); }
Tensor& tensor_of(py::handle self) { return self.cast<Tensor&>(); }
}  // namespace

// Each init function fills the tensor in place and hands the very same Python object back.
void bind_nn(py::module_& m) {
  m.def("_save_safetensors", &save_safetensors, py::arg("tensors"), py::arg("path"), py::arg("metadata"));
  m.def("_load_safetensors", [](const std::string& path) {
    Loaded l = load_safetensors(path);
    return py::make_tuple(py::cast(l.tensors), py::cast(l.metadata));
  }, py::arg("path"));
  py::module_ um = m.def_submodule("_nn_utils", "C++ side of ember.nn.utils");
  um.def("l1_penalty", &nn::utils::l1_penalty, py::arg("params"), py::arg("weight"));
  um.def("l2_penalty", &nn::utils::l2_penalty, py::arg("params"), py::arg("weight"));
  um.def("elastic_net_penalty", &nn::utils::elastic_net_penalty, py::arg("params"), py::arg("l1"), py::arg("l2"));
  um.def("activity_penalty", &nn::utils::activity_penalty, py::arg("activation"), py::arg("l1"), py::arg("l2"),
         py::arg("batch_mean"));
  um.def("max_norm_", &nn::utils::max_norm_, py::arg("params"), py::arg("max_norm"), py::arg("norm_type"),
         py::arg("dim"));
  namespace F = nn::functional;
  py::module_ fm = m.attr("_nn_functional");
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

  namespace init = nn::init;
  py::module_ nm = m.def_submodule("_nn_init", "C++ side of ember.nn.init");
  nm.def("calculate_gain", &init::calculate_gain, py::arg("nonlinearity"), py::arg("param") = py::none());
  nm.def("calculate_fan_in_and_fan_out", &init::calculate_fan_in_and_fan_out, py::arg("tensor"));
  nm.def("constant_", [](py::object t, double v) {
    init::constant_(tensor_of(t), v);
    return t;
  }, py::arg("tensor"), py::arg("val"));
  nm.def("uniform_", [](py::object t, double a, double b, py::handle g) {
    init::uniform_(tensor_of(t), a, b, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("a"), py::arg("b"), py::arg("generator"));
  nm.def("normal_", [](py::object t, double mean, double std, py::handle g) {
    init::normal_(tensor_of(t), mean, std, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("mean"), py::arg("std"), py::arg("generator"));
  nm.def("xavier_uniform_", [](py::object t, double gain, py::handle g) {
    init::xavier_uniform_(tensor_of(t), gain, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("gain"), py::arg("generator"));
  nm.def("xavier_normal_", [](py::object t, double gain, py::handle g) {
    init::xavier_normal_(tensor_of(t), gain, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("gain"), py::arg("generator"));
  nm.def("kaiming_uniform_", [](py::object t, double a, const std::string& mode, const std::string& nl, py::handle g) {
    init::kaiming_uniform_(tensor_of(t), a, mode, nl, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("a"), py::arg("mode"), py::arg("nonlinearity"), py::arg("generator"));
  nm.def("kaiming_normal_", [](py::object t, double a, const std::string& mode, const std::string& nl, py::handle g) {
    init::kaiming_normal_(tensor_of(t), a, mode, nl, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("a"), py::arg("mode"), py::arg("nonlinearity"), py::arg("generator"));
  nm.def("lecun_normal_", [](py::object t, py::handle g) {
    init::lecun_normal_(tensor_of(t), generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("generator"));
  nm.def("orthogonal_", [](py::object t, double gain, py::handle g) {
    init::orthogonal_(tensor_of(t), gain, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("gain"), py::arg("generator"));
}

}  // namespace ember
