// ember.transforms' photometric and label-mixing classes (ember/data/color.h, mixing.h), in the
// submodule ember._C._transforms.
#include <pybind11/pybind11.h>

#include "ember/data/color.h"
#include "ember/data/mixing.h"
#include "module_class.h"
#include "transform_rows.h"

namespace ember::transforms {

// RandomErasing's value from Python (found by ADL from option_rows.h's templates).
inline void read_value(py::handle v, const py_convert::Field& what, EraseValue& out) {
  if (py::isinstance<py::str>(v)) {
    EMBER_CHECK(v.cast<std::string>() == "random", "RandomErasing: if value is str, it should be 'random'");
    out = EraseValue::random_values();
    return;
  }
  EMBER_CHECK_TYPE(py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v) ||
                       (PyNumber_Check(v.ptr()) && !py::isinstance<Tensor>(v)),
                   "RandomErasing: argument value should be either a number or str or a sequence, got ",
                   py_convert::type_name(v));
  out.random = false;
  read_value(v, what, out.numbers);
}
inline py::object to_python(const EraseValue& v, std::string_view spelling) {
  return v.random ? py::object(py::str("random")) : to_python(v.numbers, spelling);
}

}  // namespace ember::transforms

namespace ember::py_modules {

namespace {
/// forward(images, labels) -> (images, soft labels).
template <class T>
void mixing_class(py::module_& tm, const char* name) {
  layer_class<T>(tm, name).def("forward", [](T& m, const Tensor& images, py::object labels) {
    if (labels.is_none()) return py::cast(m.T::forward(images));  // refused: the labels are missing
    const Tensor& y = tensor_arg(labels, (m.T::type_name() + ".forward").c_str());
    std::pair<Tensor, Tensor> out;
    {
      py_gil::Release nogil(py_gil::heavy(images));
      out = m.T::mix(images, y);
    }
    return py::object(py::make_tuple(out.first, out.second));
  }, py::arg("images"), py::arg("labels") = py::none());
}
}  // namespace

}  // namespace ember::py_modules

namespace ember {
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
}  // namespace ember
