// The extension ember._C: error translation, then one bind_<area> call per file.
#include <string>
#include <tuple>

#include "convert.h"
#include "gc.h"
#include "ember/python.h"

namespace ember {
void bind_tensor(py::module_& m, py::class_<Tensor>& cls);
void bind_fast_ops(py::class_<Tensor>& cls);
void bind_ops(py::module_& m, py::class_<Tensor>& cls);
void bind_reduce(py::module_& m, py::class_<Tensor>& cls);
void bind_random(py::module_& m, py::class_<Tensor>& cls);
void bind_rearrange(py::module_& m, py::class_<Tensor>& cls);
void bind_composite(py::module_& m, py::class_<Tensor>& cls);
void bind_dlpack(py::module_& m, py::class_<Tensor>& cls);
void bind_autograd(py::module_& m, py::class_<Tensor>& cls);
void bind_serialization(py::module_& m);
void bind_nn_functional(py::module_& m);
void bind_nn_init(py::module_& m);
void bind_nn_utils(py::module_& m);
void bind_nn_modules(py::module_& m);
void bind_optim(py::module_& m);
void bind_metrics(py::module_& m);
void bind_transforms(py::module_& m);
void bind_linalg(py::module_& m);
void bind_data(py::module_& m);
void bind_transforms_color(py::module_& m);
void bind_graph(py::module_& m);
void bind_text_signatures(py::module_& m);

namespace {
/// pybind11 hands a method of an instance whose __init__ never ran (made by cls.__new__ alone)
/// freshly allocated, unconstructed memory as its C++ object; this turns that into an error.
void* refuse_uninitialized(size_t) {
  EMBER_CHECK_RUNTIME(false, "this ember object's __init__ was not called (it was made by __new__ alone, or its "
                      "class's __init__ did not call super().__init__()), so it cannot be used");
  return nullptr;
}

/// Routes every ember class's lazy allocation of an unconstructed object to refuse_uninitialized.
void refuse_uninitialized_instances() {
  py::detail::with_internals([](py::detail::internals& internals) {
    for (auto& [type, infos] : internals.registered_types_py) {
      const py::object module = py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(type)).attr("__module__");
      if (py::str(module).cast<std::string>().rfind("ember", 0) != 0) continue;  // another extension's class
      for (py::detail::type_info* info : infos) info->operator_new = &refuse_uninitialized;
    }
  });
}
}  // namespace
}  // namespace ember

using namespace ember;

PYBIND11_MODULE(_C, m) {
  m.doc() = "ember's C++ core";
  // ember.errors' classes, which ember/python.h's mapping raises (it looks them up here).
  struct ErrorClass {
    const char *name, *what, *example;
    PyObject* builtin;
  };
  for (const ErrorClass& e : {ErrorClass{"ValueError", "a value or shape the op cannot take", "ember.ones(2, 3) @ ember.ones(4, 5)", PyExc_ValueError},
                              {"TypeError", "a dtype or an argument kind the op cannot take", "ember.ones(2).bitwise_not()", PyExc_TypeError},
                              {"IndexError", "an index or a dim out of range", "ember.ones(2).sum(dim=3)", PyExc_IndexError}}) {
    const std::string doc = std::string("Raised by ember's ops for ") + e.what + ": a " + e.name +
                            " and a RuntimeError (torch raises RuntimeError\nfor most bad input), so either "
                            "``except`` clause catches it.\n\nArgs:\n    message (str): what is wrong, starting with "
                            "the op's name.\n\nExample::\n\n    >>> try:\n    ...     " + e.example +
                            "\n    ... except RuntimeError as err:\n    ...     print(type(err).__name__, isinstance(err, " +
                            e.name + "))\n    " + e.name + " True\n";
    PyObject* bases = PyTuple_Pack(2, e.builtin, PyExc_RuntimeError);
    PyObject* cls = bases ? PyErr_NewExceptionWithDoc((std::string("ember.errors.") + e.name).c_str(), doc.c_str(),
                                                      bases, nullptr)
                          : nullptr;
    Py_XDECREF(bases);
    if (!cls) throw py::error_already_set();
    m.attr((std::string("_") + e.name).c_str()) = py::reinterpret_steal<py::object>(cls);
  }
  // ember's C++ errors become Python exceptions (the mapping lives in ember/python.h).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::cast_error& e) {  // an argument of the wrong kind (pybind11 says RuntimeError)
      // "Unable to cast Python instance of type <class 'float'> to C++ type '?' (#define ...)":
      // name the kind, not pybind11's internals
      const std::string what = e.what();
      const size_t at = what.find("of type <class '"), end = what.find("'>", at + 16);
      if (what.rfind("Unable to cast Python instance", 0) == 0 && at != std::string::npos && end != std::string::npos)
        PyErr_SetString(PyExc_TypeError, ("an argument of type '" + what.substr(at + 16, end - at - 16) +
                                          "' is not of a kind this function takes (see its signature)").c_str());
      else
        PyErr_SetString(PyExc_TypeError, e.what());
    } catch (...) {
      if (!python::set_python_error(std::current_exception())) throw;  // pybind11's own translators
    }
  });
  m.def("_tensor_to_capsule", [](const Tensor& t) {
    PyObject* capsule = python::tensor_to_capsule(t);
    if (!capsule) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(capsule);
  }, py::arg("tensor"), "A PyCapsule holding a handle to the tensor (ember/python.h; for C++ and Cython extensions).");
  m.def("_tensor_from_capsule", [](py::handle capsule) { return python::tensor_from_capsule(capsule.ptr()); },
        py::arg("capsule"), "The tensor a capsule from ember/python.h holds: the same memory, grad and graph.");

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
  // A dtype is no number (torch's is not): without __index__ and __int__ no int or float argument
  // takes one (F.dropout(x, ember.int64) read p = 1, local_response_norm(x, ember.float32) a size
  // of 8). The enum's ==, hash and pickling went through int(), so they get their own.
  {
    py::object cls = m.attr("dtype");
    auto method = [&cls](const char* name, auto&& f) {
      py::setattr(cls, name, py::cpp_function(std::forward<decltype(f)>(f), py::name(name), py::is_method(cls)));
    };
    method("__eq__", [](DType a, py::handle b) { return py::isinstance<DType>(b) && a == b.cast<DType>(); });
    method("__ne__", [](DType a, py::handle b) { return !(py::isinstance<DType>(b) && a == b.cast<DType>()); });
    method("__hash__", [](DType t) { return static_cast<int>(t); });
    method("__reduce__", [cls](DType t) { return py::make_tuple(cls, py::make_tuple(static_cast<int>(t))); });
    py::delattr(cls, "__index__");
    py::delattr(cls, "__int__");
  }

  py::class_<Device>(m, "device", "Where a tensor lives: ember.device('cpu').")
      .def(py::init([](const std::string& s) { return Device::parse(s); }), py::arg("type"))
      .def_property_readonly("type", [](const Device& d) { return d.is_cpu() ? "cpu" : "cuda"; })
      .def_property_readonly("index", [](const Device& d) -> py::object {
        return d.is_cpu() || d.index < 0 ? py::none() : py::object(py::int_(d.index));
      })
      .def("__eq__", [](const Device& a, py::handle b) {  // a string is no device (torch's == 'cpu' is False)
        return py::isinstance<Device>(b) && a == b.cast<Device>();
      })
      .def("__hash__", [](const Device& d) { return static_cast<int>(d.type) * 1000 + d.index; })
      .def("__repr__", [](const Device& d) {
        std::string r = "device(type='" + std::string(d.is_cpu() ? "cpu" : "cuda") + "'";
        return r + (d.is_cpu() || d.index < 0 ? ")" : ", index=" + std::to_string(d.index) + ")");
      })
      .def("__str__", &Device::str)
      .def("__reduce__", [](py::handle self) {  // pickled as device('cpu')
        return py::make_tuple(py::type::handle_of(self), py::make_tuple(self.cast<const Device&>().str()));
      });
  m.def("_cuda_is_built", []() { return cuda_is_built(); });
  m.def("_check_device", [](py::handle d, const char* op) { return py_convert::device_from(d, op); }, py::arg("device"),
        py::arg("op"), "The device d names, raising the one no-CUDA error (op starts it) where it is unusable.");
  m.def("_no_cuda", [](const char* op) { check_device_available({DeviceType::CUDA, -1}, op); }, py::arg("op"));
  m.def("get_default_dtype", &default_dtype, R"doc(get_default_dtype() -> ember.dtype

The floating dtype that Python floats and float creation ops (zeros, rand, arange of floats,
tensor([1.5]), ...) give when no dtype is named: float32 unless set_default_dtype changed it.

Example::

    >>> ember.get_default_dtype()
    ember.float32
)doc");
  m.def("set_default_dtype", [](py::handle d) {
          EMBER_CHECK_TYPE(py::isinstance<DType>(d), "set_default_dtype: invalid dtype object: only floating-point types "
                           "are supported as the default type");
          set_default_dtype(d.cast<DType>());
        }, py::arg("d"), R"doc(set_default_dtype(d) -> None

Sets the dtype of Python floats and of float creation ops that name no dtype, as
torch.set_default_dtype: int-only and bool inputs of float ops (true division, sqrt, mean of
a cast) then give d too.

Args:
    d (ember.dtype): a floating dtype (float32, float64, float16 or bfloat16); others raise
        TypeError.

Example::

    >>> ember.set_default_dtype(ember.float64)
    >>> ember.tensor([1.5]).dtype
    ember.float64
    >>> ember.set_default_dtype(ember.float32)
)doc");

  py::class_<Tensor> cls(m, "Tensor", py::buffer_protocol(), py_gc::tensor_type_setup(), "An n-dimensional array on a device.");
  bind_tensor(m, cls);
  bind_fast_ops(cls);  // after the operator methods it falls back to
  bind_ops(m, cls);
  bind_reduce(m, cls);
  bind_random(m, cls);
  bind_rearrange(m, cls);
  bind_composite(m, cls);
  bind_dlpack(m, cls);
  bind_autograd(m, cls);
  bind_serialization(m);
  bind_nn_functional(m);
  bind_nn_init(m);
  bind_nn_utils(m);
  bind_nn_modules(m);
  bind_optim(m);
  bind_metrics(m);
  bind_transforms(m);
  bind_linalg(m);
  bind_data(m);
  bind_transforms_color(m);
  bind_graph(m);
  bind_text_signatures(m);  // last: it rewrites every function's docstring above
  refuse_uninitialized_instances();
}
