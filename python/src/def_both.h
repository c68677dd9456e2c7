#pragma once
// The binding of an op PyTorch has both as torch.<op>(input, ...) and as Tensor.<op>(...).
#include "convert.h"

namespace ember::py_convert {

/// Binds fn as both the module function ember.name(input, ...) and the method Tensor.name(...).
template <class F, class... Extra>
void def_both(py::module_& m, py::class_<Tensor>& cls, const char* name, F&& fn, const Extra&... extra) {
  m.def(name, fn, py::arg("input"), extra...);
  cls.def(name, fn, extra...);
}

}  // namespace ember::py_convert
