// ember._C._nn_init: weight initialization (wrapped by ember/nn/init.py). Each function fills
// the tensor in place and hands the very same Python object back.
#include <pybind11/stl.h>

#include "convert.h"
#include "ember/nn/init.h"

namespace ember {

using namespace py_convert;

namespace {
Tensor& tensor_of(py::handle self) { return self.cast<Tensor&>(); }
}  // namespace

void bind_nn_init(py::module_& m) {
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
  nm.def("_without_init", [](py::object make, py::args args, py::kwargs kwargs) {
    init::SkipInitGuard skip;
    return make(*args, **kwargs);
  }, "make(*args, **kwargs) with the init fills skipped (what nn.utils.skip_init builds on)", py::arg("make"));
  nm.def("trunc_normal_", [](py::object t, double mean, double std, double a, double b, py::handle g) {
    init::trunc_normal_(tensor_of(t), mean, std, a, b, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("mean"), py::arg("std"), py::arg("a"), py::arg("b"), py::arg("generator"));
  nm.def("dirac_", [](py::object t, int64_t groups) {
    init::dirac_(tensor_of(t), groups);
    return t;
  }, py::arg("tensor"), py::arg("groups"));
  nm.def("eye_", [](py::object t) {
    init::eye_(tensor_of(t));
    return t;
  }, py::arg("tensor"));
  nm.def("sparse_", [](py::object t, double sparsity, double std, py::handle g) {
    init::sparse_(tensor_of(t), sparsity, std, generator_from(g));
    return t;
  }, py::arg("tensor"), py::arg("sparsity"), py::arg("std"), py::arg("generator"));
}

}  // namespace ember
