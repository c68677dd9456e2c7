// ember.transforms' photometric and label-mixing classes (ember/data/color.h, mixing.h), in the
// submodule ember._C._transforms.
#include <pybind11/pybind11.h>

#include "ember/data/color.h"
#include "ember/data/mixing.h"
#include "module_class.h"

namespace ember::transforms {

// The readers and Python values of these transforms' own field types (found by ADL).
inline void read_value(py::handle v, const py_convert::Field& what, Jitter& out) {
  if (py::isinstance<py::sequence>(v) && !py::isinstance<py::str>(v)) {
    out.values.clear();
    for (py::handle each : v) py_convert::read_value(each, what, out.values.emplace_back());
    EMBER_CHECK_TYPE(out.values.size() == 2, "ColorJitter: ", what.key, "=", std::string(py::repr(v)),
                     " should be a single number or a sequence with length 2.");
    return;
  }
  EMBER_CHECK_TYPE(PyNumber_Check(v.ptr()) && !py::isinstance<py::str>(v), "ColorJitter: ", what.key, "=",
                   std::string(py::repr(v)), " should be a single number or a sequence with length 2.");
  out.values.assign(1, 0.0);
  py_convert::read_value(v, what, out.values[0]);
}
inline py::object to_python(const Jitter& j, std::string_view) {
  if (j.values.size() == 1) return py::float_(j.values[0]);
  return py::make_tuple(j.values.at(0), j.values.at(1));
}

inline void read_value(py::handle v, const py_convert::Field& what, EraseValue& out) {
  if (py::isinstance<py::str>(v)) {
    EMBER_CHECK(v.cast<std::string>() == "random", "RandomErasing: if value is str, it should be 'random'");
    out = EraseValue::random_values();
    return;
  }
  out.random = false;
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    py_convert::read_value(v, what, out.values);
    return;
  }
  EMBER_CHECK_TYPE(PyNumber_Check(v.ptr()), "RandomErasing: argument value should be either a number or str or a "
                   "sequence, got ", py_convert::type_name(v));
  out.values.assign(1, 0.0);
  py_convert::read_value(v, what, out.values[0]);
}
inline py::object to_python(const EraseValue& v, std::string_view) {
  return v.random ? py::object(py::str("random")) : py::cast(v.values);
}

}  // namespace ember::transforms

namespace ember::py_modules {

namespace {
/// forward(images, labels) -> (images, soft labels).
template <class T>
void mixing_class(py::module_& tm, const char* name) {
  layer_class<T>(tm, name).def("forward", [](T& m, const Tensor& images, const Tensor& labels) {
    std::pair<Tensor, Tensor> out;
    {
      py_gil::Release nogil(py_gil::heavy(images));
      out = m.T::mix(images, labels);
    }
    return py::make_tuple(out.first, out.second);
  }, py::arg("images"), py::arg("labels"));
}
}  // namespace

}  // namespace ember::py_modules

void bind_transforms_color(py::module_& m) {
  using namespace ember::py_modules;
  namespace tr = ember::transforms;
  py::module_ tm = m.def_submodule("_transforms", "C++ side of ember.transforms");
  unary_layer<tr::ColorJitter>(tm, "ColorJitter");
  unary_layer<tr::Normalize>(tm, "Normalize");
  unary_layer<tr::GaussianNoise>(tm, "GaussianNoise");
  unary_layer<tr::RandomErasing>(tm, "RandomErasing");
  mixing_class<tr::MixUp>(tm, "MixUp");
  mixing_class<tr::CutMix>(tm, "CutMix");
  mixing_class<tr::CowMix>(tm, "CowMix");
}
