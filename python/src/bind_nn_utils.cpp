// ember._C._nn_utils: ember.nn.utils' penalties, max-norm constraint and gradient clipping.
#include <pybind11/stl.h>

#include "convert.h"
#include "ember/nn/clip.h"
#include "ember/nn/utils.h"

namespace ember {

using namespace py_convert;

void bind_nn_utils(py::module_& m) {
  py::module_ um = m.def_submodule("_nn_utils", "C++ side of ember.nn.utils");
  um.def("l1_penalty", &nn::utils::l1_penalty, py::arg("params"), py::arg("weight"));
  um.def("l2_penalty", &nn::utils::l2_penalty, py::arg("params"), py::arg("weight"));
  um.def("elastic_net_penalty", &nn::utils::elastic_net_penalty, py::arg("params"), py::arg("l1"), py::arg("l2"));
  um.def("activity_penalty", &nn::utils::activity_penalty, py::arg("activation"), py::arg("l1"), py::arg("l2"),
         py::arg("batch_mean"));
  um.def("max_norm_", &nn::utils::max_norm_, py::arg("params"), py::arg("max_norm"), py::arg("norm_type"),
         py::arg("dim"));
  um.def("clip_grad_norm_", &nn::utils::clip_grad_norm_, py::arg("params"), py::arg("max_norm"),
         py::arg("norm_type"), py::arg("error_if_nonfinite"));
  um.def("clip_grad_value_", &nn::utils::clip_grad_value_, py::arg("params"), py::arg("clip_value"));
  um.def("get_total_norm", &nn::utils::get_total_norm, py::arg("tensors"), py::arg("norm_type"),
         py::arg("error_if_nonfinite"));
  um.def("clip_grads_with_norm_", &nn::utils::clip_grads_with_norm_, py::arg("params"), py::arg("max_norm"),
         py::arg("total_norm"));
}

}  // namespace ember
