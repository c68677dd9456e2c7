// ember.save / ember.load's C++ side: safetensors files (ember/serialization.py flattens nested
// checkpoints into them).
#include <pybind11/stl.h>

#include "convert.h"
#include "gil.h"
#include "ember/serialize.h"

namespace ember {

void bind_serialization(py::module_& m) {
  // File I/O without the GIL: other threads run meanwhile.
  m.def("_save_safetensors", &save_safetensors, py::arg("tensors"), py::arg("path"), py::arg("metadata"),
        py::call_guard<py::gil_scoped_release>());
  m.def("_load_safetensors", [](const std::string& path) {
    Loaded l = [&] {
      py::gil_scoped_release nogil;
      return load_safetensors(path);
    }();
    py::dict tensors;  // in file order
    for (auto& [name, t] : l.tensors) tensors[py::str(name)] = py::cast(std::move(t));
    return py::make_tuple(tensors, py::cast(l.metadata));
  }, py::arg("path"));
  m.def("_crc32c", [](const py::bytes& data, bool portable, uint32_t crc) {  // for the tests of the checksum
    const std::string_view bytes = data;
    return crc32c(crc, bytes.data(), bytes.size(), portable);
  }, py::arg("data"), py::arg("portable") = false, py::arg("crc") = 0);
}

}  // namespace ember
