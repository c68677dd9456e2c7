// The extension ember._C: error translation, then one bind_<area> call per file.
#include "convert.h"
#include "gc.h"

namespace ember {
void bind_tensor(py::module_& m, py::class_<Tensor>& cls);
void bind_ops(py::module_& m, py::class_<Tensor>& cls);
void bind_rearrange(py::module_& m, py::class_<Tensor>& cls);
void bind_dlpack(py::module_& m, py::class_<Tensor>& cls);
void bind_autograd(py::module_& m, py::class_<Tensor>& cls);
void bind_serialization(py::module_& m);
void bind_nn_functional(py::module_& m);
void bind_nn_init(py::module_& m);
void bind_nn_utils(py::module_& m);
void bind_nn_modules(py::module_& m);
void bind_optim(py::module_& m);
}  // namespace ember

using namespace ember;

PYBIND11_MODULE(_C, m) {
  m.doc() = "ember's C++ core";
  // The one place ember's C++ errors become Python exceptions.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ember::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const ember::TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const ember::IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const ember::KeyError& e) {
      PyErr_SetString(PyExc_KeyError, e.what());
    } catch (const ember::AttributeError& e) {
      PyErr_SetString(PyExc_AttributeError, e.what());
    } catch (const ember::OSError& e) {
      // OSError(errno, message, filename) makes the subclass errno names (FileNotFoundError, ...).
      PyObject* exc = PyObject_CallFunction(PyExc_OSError, "isN", e.error_number, e.what(),
                                            PyUnicode_DecodeFSDefault(e.path.c_str()));
      if (exc) {
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc)), exc);
        Py_DECREF(exc);
      }
    } catch (const ember::NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const ember::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (const py::cast_error& e) {  // an argument of the wrong kind (pybind11 says RuntimeError)
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(PyExc_MemoryError, "ember: out of memory");
    }
  });

  py::enum_<DType>(m, "dtype", "A tensor element type: ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, "
                              "ember.int64, ember.float16, ember.bfloat16, ember.float32, ember.float64.")
      .def(py::init([](int v) {
             EMBER_CHECK_TYPE(v >= 0 && v < kNumDTypes, "dtype: ", v, " is not a dtype value (0 to ", kNumDTypes - 1, ")");
             return static_cast<DType>(v);
           }), py::arg("value"), py::prepend())
      .value("bool", DType::Bool)
      .value("uint8", DType::UInt8)
      .value("int8", DType::Int8)
      .value("int16", DType::Int16)
      .value("int32", DType::Int32)
      .value("int64", DType::Int64)
      .value("float16", DType::Float16)
      .value("bfloat16", DType::BFloat16)
      .value("float32", DType::Float32)
      .value("float64", DType::Float64)
      .def("__str__", [](DType t) { return std::string("ember.") + dtype_name(t); })
      .def_property_readonly("is_floating_point", [](DType t) { return is_floating(t); })
      .def_property_readonly("itemsize", [](DType t) { return itemsize(t); });

  py::class_<Device>(m, "device", "Where a tensor lives: ember.device('cpu').")
      .def(py::init([](const std::string& s) { return Device::parse(s); }), py::arg("type"))
      .def_property_readonly("type", [](const Device& d) { return d.is_cpu() ? "cpu" : "cuda"; })
      .def_property_readonly("index", [](const Device& d) -> py::object {
        return d.is_cpu() ? py::none() : py::object(py::int_(d.index));
      })
      .def("__eq__", [](const Device& a, py::handle b) {
        if (py::isinstance<py::str>(b)) return a == Device::parse(b.cast<std::string>());
        return py::isinstance<Device>(b) && a == b.cast<Device>();
      })
      .def("__hash__", [](const Device& d) { return static_cast<int>(d.type) * 1000 + d.index; })
      .def("__repr__", [](const Device& d) { return "device(type='" + std::string(d.is_cpu() ? "cpu" : "cuda") + "')"; })
      .def("__str__", &Device::str);
  m.def("cuda_is_available", []() { return cuda_is_built(); });

  py::class_<Tensor> cls(m, "Tensor", py::buffer_protocol(), py_gc::tensor_type_setup(), "An n-dimensional array on a device.");
  bind_tensor(m, cls);
  bind_ops(m, cls);
  bind_rearrange(m, cls);
  bind_dlpack(m, cls);
  bind_autograd(m, cls);
  bind_serialization(m);
  bind_nn_functional(m);
  bind_nn_init(m);
  bind_nn_utils(m);
  bind_nn_modules(m);
  bind_optim(m);
}
