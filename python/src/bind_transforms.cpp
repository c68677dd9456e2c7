// ember.transforms' geometric transforms for Python (ember._C._transforms, dressed by
// ember/transforms/__init__.py): each a module class made from its C++ option rows.
#include "ember/data/geometry.h"
#include "module_class.h"
#include "transform_rows.h"

namespace ember {

void bind_transforms(py::module_& m) {
  using namespace py_modules;
  using namespace transforms;
  py::module_ tm = m.def_submodule("_transforms", "C++ side of ember.transforms");
  unary_layer<RandomHorizontalFlip>(tm, "RandomHorizontalFlip");
  unary_layer<RandomVerticalFlip>(tm, "RandomVerticalFlip");
}

}  // namespace ember
