#pragma once
// The option types of ember.transforms' rows (ember/data/transform.h) to and from Python, beside
// option_rows.h's: found by argument-dependent lookup from its templates (read_options,
// signature_of, pickling), so they live in the types' namespace.
#include "ember/data/transform.h"
#include "option_rows.h"

namespace ember::transforms {

/// One number, or a tuple or list of numbers (a torch.Size too), kept as given.
inline void read_value(py::handle v, const py_convert::Field& what, Numbers& out) {
  using py_convert::type_name;
  auto number = [&](py::handle x) {
    EMBER_CHECK_TYPE(PyNumber_Check(x.ptr()) && !py::isinstance<py::str>(x) && !py::isinstance<Tensor>(x), what,
                     " should be a number or a sequence of numbers, got ", type_name(x));
    return py::float_(py::reinterpret_borrow<py::object>(x)).cast<double>();
  };
  if (!py::isinstance<py::sequence>(v) || py::isinstance<py::str>(v)) {
    out = Numbers(number(v));
    out.integral = PyLong_Check(v.ptr());
    return;
  }
  out.values.clear();
  out.integral = true;
  for (py::handle each : v) {
    out.values.push_back(number(each));
    out.integral = out.integral && PyLong_Check(each.ptr());
  }
  out.spelling = py::isinstance<py::list>(v) ? Numbers::Spelling::List : Numbers::Spelling::Tuple;
}
inline py::object to_python(const Numbers& v, std::string_view) {
  auto one = [&](double x) -> py::object {
    return v.integral ? py::object(py::int_(static_cast<int64_t>(x))) : py::object(py::float_(x));
  };
  if (v.is_number()) return one(v.values.at(0));
  py::list out;
  for (double x : v.values) out.append(one(x));
  return v.spelling == Numbers::Spelling::List ? py::object(out) : py::object(py::tuple(out));
}

/// An InterpolationMode member (ember.transforms.InterpolationMode), or one of Pillow's integer
/// constants as torchvision takes them; ValueError for anything else, as torchvision.
inline void read_value(py::handle v, const py_convert::Field& what, InterpolationMode& out) {
  static const InterpolationMode from_pil[] = {InterpolationMode::Nearest, InterpolationMode::Lanczos,
                                               InterpolationMode::Bilinear, InterpolationMode::Bicubic,
                                               InterpolationMode::Box, InterpolationMode::Hamming};
  if (PyLong_Check(v.ptr()) && !PyBool_Check(v.ptr())) {
    const auto i = py_convert::index_of(v);
    EMBER_CHECK(0 <= i && i < 6, what.owner, ": this interpolation mode is unsupported with Tensor input: ", i);
    out = from_pil[i];
    return;
  }
  if (py_convert::type_name(v) == "InterpolationMode" && py::hasattr(v, "value")) {
    const std::string value = py::str(v.attr("value"));
    for (int m = 0; m <= static_cast<int>(InterpolationMode::Lanczos); ++m)
      if (value == interpolation_value(static_cast<InterpolationMode>(m))) {
        out = static_cast<InterpolationMode>(m);
        return;
      }
  }
  EMBER_CHECK(false, what.owner, ": Argument interpolation should be an `InterpolationMode` or a corresponding "
              "Pillow integer constant, but got ", std::string(py::str(v)), ".");
}
inline py::object to_python(InterpolationMode v, std::string_view) {
  return py::module_::import("ember.transforms._modes").attr("InterpolationMode")(interpolation_value(v));
}

}  // namespace ember::transforms
