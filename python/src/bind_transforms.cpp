// ember.transforms' geometric transforms for Python (ember._C._transforms, dressed by
// ember/transforms/__init__.py): each a module class made from its C++ option rows.
#include "ember/data/geometry.h"
#include "module_class.h"
#include "transform_rows.h"

namespace ember {

namespace {
/// FiveCrop and TenCrop: forward returns the crops as a tuple, as torchvision's.
template <class T>
void multi_crop(py::module_& tm, const char* name) {
  py_modules::layer_class<T>(tm, name).def("forward", [](T& m, const Tensor& input) {
    std::vector<Tensor> crops;
    {
      py::gil_scoped_release nogil;
      crops = m.crops(input);
    }
    return py::tuple(py::cast(crops));
  }, py::arg("input"));
}
}  // namespace

void bind_transforms(py::module_& m) {
  using namespace py_modules;
  using namespace transforms;
  py::module_ tm = m.def_submodule("_transforms", "C++ side of ember.transforms");
  unary_layer<RandomHorizontalFlip>(tm, "RandomHorizontalFlip");
  unary_layer<RandomVerticalFlip>(tm, "RandomVerticalFlip");
  unary_layer<RandomCrop>(tm, "RandomCrop");
  unary_layer<CenterCrop>(tm, "CenterCrop");
  multi_crop<FiveCrop>(tm, "FiveCrop");
  multi_crop<TenCrop>(tm, "TenCrop");
  unary_layer<Resize>(tm, "Resize");
  unary_layer<RandomResizedCrop>(tm, "RandomResizedCrop");
  unary_layer<RandomAffine>(tm, "RandomAffine");
  unary_layer<RandomRotation>(tm, "RandomRotation");
}

}  // namespace ember
