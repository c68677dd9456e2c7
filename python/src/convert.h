#pragma once
// Conversions between Python objects and ember's C++ types, shared by every binding file.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "ember/ember.h"

namespace py = pybind11;

namespace ember::py_convert {
int64_t index_of(py::handle h, int64_t pos = 0);  // declared again below, with the other argument readers
}

namespace pybind11::detail {
/// Python bool / int / float (and NumPy scalars of those kinds, and 0-d tensors that need no
/// gradient, as PyTorch's parser takes them: `alpha=lr` with a tensor lr) <-> ember::Scalar.
template <>
struct type_caster<ember::Scalar> {
  PYBIND11_TYPE_CASTER(ember::Scalar, const_name("Number"));
  bool load(handle src, bool convert) {
    PyObject* o = src.ptr();
    if (PyBool_Check(o)) {
      value = ember::Scalar(o == Py_True);
      return true;
    }
    if (PyFloat_Check(o)) {
      value = ember::Scalar(PyFloat_AS_DOUBLE(o));
      return true;
    }
    if (PyLong_Check(o)) {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow) {
        // Past uint64 (or below int64): OverflowError, as PyTorch; an int in [2^63, 2^64) is
        // taken only as an operand of a floating tensor (py_convert::tensor_or_scalar).
        PyLong_AsUnsignedLongLong(o);
        if (PyErr_Occurred()) throw py::error_already_set();
        throw ember::RuntimeError("value cannot be converted to int64 without overflow");
      }
      value = ember::Scalar(static_cast<int64_t>(v));
      return true;
    }
    if (!convert) return false;
    if (py::isinstance<ember::Tensor>(src)) {
      const auto& t = src.cast<const ember::Tensor&>();
      if (t.dim() != 0 || t.requires_grad()) return false;
      value = t.item();
      return true;
    }
    // NumPy scalars: np.bool_, np.integer, np.floating.
    if (py::isinstance(src, py::module_::import("numpy").attr("generic"))) {
      py::object kind = src.attr("dtype").attr("kind");
      const std::string k = kind.cast<std::string>();
      if (k == "b") value = ember::Scalar(src.cast<bool>());
      else if (k == "i" || k == "u") value = ember::Scalar(ember::py_convert::index_of(src));
      else if (k == "f") value = ember::Scalar(src.cast<double>());
      else return false;
      return true;
    }
    return false;
  }
  static handle cast(const ember::Scalar& s, return_value_policy, handle) {
    switch (s.kind()) {
      case ember::DType::Bool: return py::bool_(s.to<bool>()).release();
      case ember::DType::Int64: return PyLong_FromLongLong(s.to<int64_t>());
      default: return PyFloat_FromDouble(s.to<double>());
    }
  }
};
/// Lists of ints (dims, sizes, shifts): any sequence of ints, and a one-element integer (or bool)
/// tensor as one int, as PyTorch's parser reads `x.sum(tensor(1))` or `flip(x, tensor(0))`.
template <>
struct type_caster<std::vector<int64_t>> : list_caster<std::vector<int64_t>, int64_t> {
  bool load(handle src, bool convert) {
    if (!PyList_Check(src.ptr()) && !PyTuple_Check(src.ptr()) && isinstance<ember::Tensor>(src)) {
      const auto& t = src.cast<const ember::Tensor&>();
      if (ember::is_floating(t.dtype()) || t.numel() != 1) return false;
      value = {t.item<int64_t>()};
      return true;
    }
    return list_caster::load(src, convert);
  }
};
}  // namespace pybind11::detail

namespace ember::py_convert {

/// Whether h reads as one int (operator.index), as PyTorch's parser takes an int: Python ints and
/// bools, NumPy ints and one-element integer tensors; not dtypes or sequences.
bool is_index(py::handle h);
/// That int; past int64, ValueError (torch's "Overflow when unpacking long long"), or TypeError for
/// the item at 1-based pos of a list of ints (torch's "failed to unpack the object at pos").
int64_t index_of(py::handle h, int64_t pos);
/// A dim argument: None (all dims), an int, a tuple of ints or a one-element integer tensor.
OptDims dims_from(py::handle dim);

/// h itself when it is a Tensor; TypeError naming `what` otherwise.
Tensor tensor_arg(py::handle h, const char* what);

/// `*size` arguments: zeros(2, 3), zeros((2, 3)) and zeros([2, 3]) all give (2, 3).
Shape size_from_args(const py::args& args, const char* op);
/// The same, or the size by keyword (zeros(size=(2, 3)), x.reshape(shape=(2, 3))), as PyTorch's:
/// `keyword` is the keyword argument's value (None when not given) and `name` its name.
Shape size_from_args(const py::args& args, py::handle keyword, const char* name, const char* op);
/// The same where the keyword arrives in **kwargs, which may hold nothing else.
Shape size_from_args(const py::args& args, const py::kwargs& kw, const char* name, const char* op);
/// A shape from a sequence of ints, a single int, or an ember.Size.
Shape shape_from(py::handle obj, const char* op);
/// ember.Size(...) for a shape.
py::object to_size(const Shape& s);
/// "cpu", "cuda:0", an ember.device or None (cpu); a device this build cannot use raises the
/// one no-CUDA error, op starting its message.
Device device_from(py::handle obj, const char* op = "device");
/// A Tensor, or a Python number as a 0-d tensor marked for type promotion; op names errors.
/// An int in [2^63, 2^64) (PyTorch's uint64 range) is taken as its float value when `other`, the
/// op's other operand, is floating; against an integer tensor it raises rather than wrap.
Tensor tensor_or_scalar(py::handle obj, const char* op, const char* arg, const Tensor* other = nullptr);
/// A Python number as the operand of self's operator, or nullopt (NotImplemented) for anything else.
std::optional<Tensor> number_operand(const Tensor& self, py::handle obj, const char* op);
/// obj itself, or the number a 0-d tensor that needs no gradient stands for, as torch's parser
/// reads one for a Number argument (alpha=lr, a clamp bound beside a number, lerp's weight).
py::object number_if_0d(py::handle obj);

/// number / t as torch's operator computes it (Tensor.__rtruediv__): reciprocal(t) * number,
/// rounded twice, where div(number, t), the function form, rounds once.
inline ember::Tensor reflected_div(const ember::Tensor& number, const ember::Tensor& t) {
  return ember::mul(ember::reciprocal(t), number);
}
/// Copies Python data (nested sequences, numbers, arrays) into a new tensor, as torch.tensor.
Tensor tensor_from_data(py::handle data, std::optional<DType> dtype);
/// Zero-copy tensor over a NumPy array (the array stays alive as long as the tensor).
Tensor from_numpy(py::handle array);
/// The struct/NumPy format character of a dtype ("f", "d", "q", "?").
const char* numpy_format(DType t);
/// NumPy array sharing the tensor's memory; `owner` is the Python object kept alive.
py::array to_numpy(const Tensor& t, py::handle owner);
/// A Python subscript as ember's index entries.
std::vector<TensorIndex> indices_from(py::handle index);
/// The requires_grad= of the creation functions.
inline Tensor with_grad(Tensor t, bool requires_grad) {
  if (requires_grad) t.requires_grad_(true);
  return t;
}
/// The Generator a `generator=` argument names; nullptr (the default generator) for None.
inline Generator* generator_from(py::handle g) { return g.is_none() ? nullptr : &g.cast<Generator&>(); }
/// ember.return_types.<op>, the named tuple (first, second) that op returns, as torch.return_types:
/// made once (kept in _C.return_types, re-exported by ember/return_types.py) and printed as torch's.
const py::object& values_indices_type(py::module_& m, const char* op, const char* first = "values",
                                      const char* second = "indices");

}  // namespace ember::py_convert
