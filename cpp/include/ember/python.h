#pragma once
// The bridge between ember's C++ objects and the Python package, for extensions that link
// ember::core and include Python.h (ember._C itself, Cython modules through ember/python.pxd).
// Not part of ember.h: it needs the Python headers.
//
// Tensors cross as a PyCapsule named "ember.Tensor" that owns a Tensor handle: both sides then
// hold the same TensorImpl (the same memory, grad and graph), with no copy and without
// depending on the pybind11 version the other side was built with.
#include <Python.h>

#include <exception>
#include <new>

#include "ember/error.h"
#include "ember/tensor.h"

namespace ember::python {

inline constexpr const char* kTensorCapsule = "ember.Tensor";

inline void free_tensor_capsule(PyObject* capsule) {
  delete static_cast<Tensor*>(PyCapsule_GetPointer(capsule, kTensorCapsule));
}

/// A new capsule holding a handle to t's TensorImpl (a new reference; null with a Python error set).
inline PyObject* tensor_to_capsule(const Tensor& t) {
  if (!t.defined()) {
    PyErr_SetString(PyExc_ValueError, "tensor_to_capsule: the tensor is undefined");
    return nullptr;
  }
  auto* handle = new Tensor(t);
  PyObject* capsule = PyCapsule_New(handle, kTensorCapsule, free_tensor_capsule);
  if (!capsule) delete handle;
  return capsule;
}

/// The tensor a tensor_to_capsule capsule holds; raises ValueError for any other object.
inline Tensor tensor_from_capsule(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, kTensorCapsule)) {
    throw ValueError(detail::cat("tensor_from_capsule: expected a capsule named '", kTensorCapsule, "', got ",
                                 Py_TYPE(capsule)->tp_name));
  }
  return *static_cast<Tensor*>(PyCapsule_GetPointer(capsule, kTensorCapsule));
}

/// ember's ValueError, TypeError and IndexError (ember.errors): the builtin classes' subclasses
/// that are RuntimeErrors too, because torch raises RuntimeError for most bad input and code
/// written for it catches that. ember._C makes them (as _ValueError, ...); before it is imported,
/// the builtin class.
inline PyObject* error_class(const char* name, PyObject* builtin) {
  PyObject* module_name = PyUnicode_FromString("ember._C");
  PyObject* module = module_name ? PyImport_GetModule(module_name) : nullptr;
  Py_XDECREF(module_name);
  PyObject* cls = module ? PyObject_GetAttrString(module, name) : nullptr;
  Py_XDECREF(module);
  if (!cls) {
    PyErr_Clear();
    return builtin;
  }
  Py_DECREF(cls);  // the module holds it
  return cls;
}

/// Sets the Python exception that ember raises for an ember::Error (ValueError, TypeError,
/// IndexError: ember.errors' classes, also RuntimeErrors; KeyError, AttributeError, OSError with errno and path, AssertionError for a device
/// this build lacks (as torch's no-CUDA error), NotImplementedError,
/// else RuntimeError) or std::bad_alloc (MemoryError) and returns true; returns false, setting
/// nothing, for any other exception. The one mapping from ember's C++ errors to Python's.
inline bool set_python_error(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const ValueError& e) {
    PyErr_SetString(error_class("_ValueError", PyExc_ValueError), e.what());
  } catch (const TypeError& e) {
    PyErr_SetString(error_class("_TypeError", PyExc_TypeError), e.what());
  } catch (const IndexError& e) {
    PyErr_SetString(error_class("_IndexError", PyExc_IndexError), e.what());
  } catch (const KeyError& e) {
    PyErr_SetString(PyExc_KeyError, e.what());
  } catch (const AttributeError& e) {
    PyErr_SetString(PyExc_AttributeError, e.what());
  } catch (const OSError& e) {
    // OSError(errno, message, filename) makes the subclass errno names (FileNotFoundError, ...).
    PyObject* exc = PyObject_CallFunction(PyExc_OSError, "isN", e.error_number, e.what(),
                                          PyUnicode_DecodeFSDefault(e.path.c_str()));
    if (exc) {
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc)), exc);
      Py_DECREF(exc);
    }
  } catch (const DeviceUnavailableError& e) {
    PyErr_SetString(PyExc_AssertionError, e.what());  // torch's "Torch not compiled with CUDA enabled"
  } catch (const NotImplementedError& e) {
    PyErr_SetString(PyExc_NotImplementedError, e.what());
  } catch (const Error& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (const std::bad_alloc&) {
    PyErr_SetString(PyExc_MemoryError, "ember: out of memory");
  } catch (...) {
    return false;
  }
  return true;
}

/// For Cython's `except +raise_python_error`: called inside the catch block of a C++ call;
/// exceptions from outside ember become RuntimeError.
inline int raise_python_error() {
  if (PyErr_Occurred()) return -1;
  if (set_python_error(std::current_exception())) return -1;
  try {
    throw;
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "ember: unknown C++ exception");
  }
  return -1;
}

}  // namespace ember::python
