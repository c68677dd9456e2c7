#include "convert.h"
#include "ember/autograd.h"

#include <cstring>

namespace ember::py_convert {

bool is_index(py::handle h) {
  if (PyLong_Check(h.ptr())) return true;  // bools too, as torch's int lists take them after the first
  if (py::isinstance<Tensor>(h)) {
    const auto& t = h.cast<const Tensor&>();
    return !is_floating(t.dtype()) && t.numel() == 1;
  }
  if (py::isinstance<DType>(h)) return false;  // a dtype has __index__ but is no size
  return PyObject_HasAttrString(h.ptr(), "__index__") && !py::isinstance<py::sequence>(h);
}
int64_t index_of(py::handle h, int64_t pos) {
  const py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
  if (!i) throw py::error_already_set();
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow && pos > 0)
    throw TypeError(detail::cat("failed to unpack the integer at pos ", pos, " of a list of ints with error "
                                "\"Overflow when unpacking long long\" (", std::string(py::str(i)), " does not fit in int64)"));
  EMBER_CHECK(!overflow, "an integer argument does not fit in int64 (overflow when unpacking long long), got ",
              std::string(py::str(i)));
  return v;
}

OptDims dims_from(py::handle dim) {
  if (dim.is_none()) return std::nullopt;
  if (PyLong_Check(dim.ptr())) return Dims{index_of(dim)};
  EMBER_CHECK_TYPE(!py::isinstance<Tensor>(dim) || is_index(dim), "dim must be an int or a tuple of ints, got a ",
                   dtype_name(dim.cast<const Tensor&>().dtype()), " tensor of shape ",
                   shape_str(dim.cast<const Tensor&>().sizes()));
  return dim.cast<Dims>();
}

Shape shape_from(py::handle obj, const char* op) {
  if (is_index(obj)) return {index_of(obj, 1)};
  EMBER_CHECK_TYPE(py::isinstance<py::sequence>(obj) && !py::isinstance<py::str>(obj) && !py::isinstance<Tensor>(obj), op,
                   ": expected a sequence of ints for the size, got ", std::string(py::str(obj.get_type().attr("__name__"))));
  Shape s;
  // Hold each item: a sequence may build its items on access (NumPy scalars, range, tensors).
  for (py::object h : py::reinterpret_borrow<py::sequence>(obj)) {
    EMBER_CHECK_TYPE(is_index(h), op, ": expected ints in the size, got ",
                     std::string(py::str(h.get_type().attr("__name__"))));
    s.push_back(index_of(h, static_cast<int64_t>(s.size()) + 1));
  }
  return s;
}

Shape size_from_args(const py::args& args, const char* op) {
  if (args.size() == 1 && !is_index(args[0])) return shape_from(args[0], op);
  return shape_from(args, op);
}

Shape size_from_args(const py::args& args, py::handle keyword, const char* name, const char* op) {
  if (keyword.is_none()) return size_from_args(args, op);
  EMBER_CHECK_TYPE(args.size() == 0, op, "() got multiple values for argument '", name, "'");
  return shape_from(keyword, op);
}

Shape size_from_args(const py::args& args, const py::kwargs& kw, const char* name, const char* op) {
  for (auto item : kw)
    EMBER_CHECK_TYPE(item.first.cast<std::string>() == name, op, "() got an unexpected keyword argument '",
                     item.first.cast<std::string>(), "'");
  return size_from_args(args, kw.contains(name) ? py::handle(kw[name]) : py::handle(Py_None), name, op);
}

py::object to_size(const Shape& s) {
  static py::object size_type = py::module_::import("ember.size").attr("Size");
  py::tuple t(s.size());
  for (size_t i = 0; i < s.size(); ++i) t[i] = PyLong_FromLongLong(s[i]), (void)0;
  return size_type(t);
}

Device device_from(py::handle obj, const char* op) {
  if (obj.is_none()) return {};
  Device d;
  if (py::isinstance<Device>(obj)) {
    d = obj.cast<Device>();
  } else {
    EMBER_CHECK_TYPE(py::isinstance<py::str>(obj), op, ": device must be a string such as 'cpu' or an ember.device, got ",
                     std::string(py::str(obj.get_type().attr("__name__"))));
    try {
      d = Device::parse(obj.cast<std::string>());
    } catch (const RuntimeError& e) {
      throw RuntimeError(std::string(op) + ": " + e.what());
    }
  }
  check_device_available(d, op);
  return d;
}

Tensor tensor_or_scalar(py::handle obj, const char* op, const char* arg, const Tensor* other) {
  if (py::isinstance<Tensor>(obj)) return obj.cast<Tensor>();
  PyObject* o = obj.ptr();
  if (PyLong_Check(o) && !PyBool_Check(o)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (!overflow) return scalar_tensor(Scalar(static_cast<int64_t>(v)));
    const unsigned long long u = PyLong_AsUnsignedLongLong(o);  // OverflowError past uint64, as PyTorch
    if (PyErr_Occurred()) throw py::error_already_set();
    EMBER_CHECK_RUNTIME(other && is_floating(other->dtype()), op, ": value ", std::string(py::str(obj)),
                        " cannot be converted to int64 without overflow");
    return scalar_tensor(Scalar(static_cast<double>(u)));
  }
  if (PyBool_Check(o) || PyFloat_Check(o)) return scalar_tensor(obj.cast<Scalar>());
  throw TypeError(detail::cat(op, ": expected a Tensor or a number for '", arg, "', got ",
                              std::string(py::str(obj.get_type().attr("__name__")))));
}

py::object number_if_0d(py::handle obj) {
  if (py::isinstance<Tensor>(obj)) {
    const Tensor& t = obj.cast<const Tensor&>();
    if (t.dim() == 0 && !t.requires_grad()) return obj.attr("item")();
  }
  return py::reinterpret_borrow<py::object>(obj);
}

std::optional<Tensor> number_operand(const Tensor& self, py::handle obj, const char* op) {
  if (PyLong_Check(obj.ptr()) || PyFloat_Check(obj.ptr())) return tensor_or_scalar(obj, op, "other", &self);
  py::detail::make_caster<Scalar> number;  // NumPy scalars
  if (!number.load(obj, true)) return std::nullopt;
  return scalar_tensor(py::detail::cast_op<Scalar>(number));
}

namespace {
/// Each dtype's NumPy counterpart: its struct format character, or none (bfloat16).
const char* const kNumpyFormats[kNumDTypes] = {"?", "q", "f", "d", "B", "b", "h", "i", "e", nullptr};

std::optional<DType> dtype_from_numpy(const py::dtype& dt) {
  const char kind = dt.kind();
  if (kind != 'b' && kind != 'u' && kind != 'i' && kind != 'f') return std::nullopt;
  for (int t = 0; t < kNumDTypes; ++t) {
    const DType d = static_cast<DType>(t);
    if (kNumpyFormats[t] && itemsize(d) == dt.itemsize() &&
        (kind == 'b' ? d == DType::Bool : kind == 'f' ? is_floating(d) : kind == 'u' ? d == DType::UInt8
                                                                                   : is_integral(d, false) && d != DType::UInt8))
      return d;
  }
  return std::nullopt;
}

/// torch.tensor's dtype for nested Python data: Python bools, ints and floats count as bool, int64
/// and the default dtype, NumPy scalars and arrays and ember tensors as their own dtype, all
/// promoted together; nullopt when nothing decides it (an empty sequence, an unknown object).
std::optional<DType> sequence_dtype(py::handle data, py::handle numpy_generic) {
  PyObject* o = data.ptr();
  if (PyBool_Check(o)) return DType::Bool;
  if (PyLong_CheckExact(o)) return DType::Int64;
  if (PyFloat_CheckExact(o)) return default_dtype();
  if (py::isinstance<Tensor>(data)) return data.cast<const Tensor&>().dtype();
  // Before the subclass checks: numpy.float64 is a Python float.
  if (py::isinstance<py::array>(data) || PyObject_IsInstance(o, numpy_generic.ptr()) == 1)
    return dtype_from_numpy(py::reinterpret_borrow<py::dtype>(data.attr("dtype")));
  if (PyLong_Check(o)) return DType::Int64;
  if (PyFloat_Check(o)) return default_dtype();
  if (!PyList_Check(o) && !PyTuple_Check(o)) return std::nullopt;
  std::optional<DType> out;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(data)) {
    const std::optional<DType> d = sequence_dtype(item, numpy_generic);
    if (d) out = out ? promote_types(*out, *d) : *d;
  }
  return out;
}
}  // namespace

const char* numpy_format(DType t) {
  const char* f = kNumpyFormats[static_cast<int>(t)];
  EMBER_CHECK_TYPE(f, "numpy: NumPy has no ", dtype_name(t), " dtype; convert the tensor first, e.g. with .float()");
  return f;
}

Tensor from_numpy(py::handle obj) {
  EMBER_CHECK_TYPE(py::isinstance<py::array>(obj), "from_numpy: expected a numpy.ndarray, got ",
                   std::string(py::str(obj.get_type().attr("__name__"))));
  py::array arr = py::reinterpret_borrow<py::array>(obj);
  std::optional<DType> dt = dtype_from_numpy(arr.dtype());
  EMBER_CHECK_TYPE(dt.has_value(), "from_numpy: can't convert an array of dtype ", std::string(py::str(arr.dtype())),
                   "; supported: bool, uint8, int8, int16, int32, int64, float16, float32, float64");
  EMBER_CHECK_TYPE(arr.dtype().byteorder() != '>', "from_numpy: big-endian arrays are not supported");
  const int64_t isz = itemsize(*dt);
  Shape sizes, strides;
  int64_t extent = arr.size() == 0 ? 0 : isz;
  for (ssize_t d = 0; d < arr.ndim(); ++d) {
    const int64_t st = arr.strides(d);
    EMBER_CHECK(st >= 0, "from_numpy: arrays with negative strides are not supported (shape ",
                shape_str(Shape(arr.shape(), arr.shape() + arr.ndim())), "); use numpy.ascontiguousarray first");
    EMBER_CHECK(st % isz == 0, "from_numpy: strides of ", st, " bytes are not a multiple of the element size ", isz);
    sizes.push_back(arr.shape(d));
    strides.push_back(st / isz);
    if (arr.shape(d) > 0) extent += (arr.shape(d) - 1) * st;
  }
  const bool readonly = !arr.writeable();
  // The array (a new reference) lives as long as the storage; release it under the GIL.
  PyObject* keep = arr.inc_ref().ptr();
  std::shared_ptr<void> owner(const_cast<void*>(arr.data()), [keep](void*) {
    py::gil_scoped_acquire gil;
    Py_DECREF(keep);
  });
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::wrap(std::move(owner), extent, Device{});
  impl->storage->readonly = readonly;
  impl->numel = numel_of(sizes);
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->dtype = *dt;
  return Tensor(std::move(impl));
}

py::array to_numpy(const Tensor& t, py::handle owner) {
  EMBER_CHECK_RUNTIME(t.device().is_cpu(), "numpy: can't convert a ", t.device().str(),
                      " tensor to numpy; use .cpu() first");
  std::vector<ssize_t> shape(t.sizes().begin(), t.sizes().end()), strides;
  for (int64_t s : t.strides()) {
    // A dim of size 1 may keep a stride no byte offset can hold (x[::2**63 - 1]); NumPy never
    // steps along it, so 0 serves.
    ssize_t bytes;
    strides.push_back(__builtin_mul_overflow(s, t.itemsize(), &bytes) ? 0 : bytes);
  }
  return py::array(py::dtype(numpy_format(t.dtype())), shape, strides, t.raw_data(), owner);
}

Tensor tensor_from_data(py::handle data, std::optional<DType> dtype) {
  if (py::isinstance<Tensor>(data)) {  // a copy with no history: a new leaf (as torch.tensor(t))
    Tensor t = autograd::detach(data.cast<Tensor>());
    return to_dtype(t, dtype.value_or(t.dtype()), true);
  }
  py::module_ np = py::module_::import("numpy");
  // Arrays and NumPy scalars keep their float width; Python floats default to float32.
  const bool is_array = py::isinstance<py::array>(data) || py::isinstance(data, np.attr("generic"));
  py::array arr;
  try {
    arr = np.attr("asarray")(data);
  } catch (py::error_already_set& e) {
    throw ValueError(detail::cat("tensor: could not build a tensor from the data: ", e.what()));
  }
  char kind = arr.dtype().kind();
  if (kind == 'O' && !is_array) {  // Python ints beyond int64 make NumPy fall back to objects
    py::object as_float;
    try {
      as_float = arr.attr("astype")(np.attr("float64"));
    } catch (py::error_already_set&) {
    }
    // they round to a floating dtype (2**70 as float64, -2**63 - 1 as float16's -inf), as torch's
    if (as_float && dtype && is_floating(*dtype)) {
      arr = as_float;
      kind = 'f';
    } else if (as_float) {
      throw ValueError("tensor: a Python int does not fit in int64 (overflow when unpacking long long)");
    }
  }
  if (!(kind == 'b' || kind == 'i' || kind == 'u' || kind == 'f')) {
    const std::string what = is_array ? "dtype " + std::string(py::str(arr.dtype()))
                                      : "type " + std::string(py::str(data.get_type().attr("__name__")));
    throw TypeError("tensor: can't build a tensor from data of " + what + "; expected numbers (bool, int, float)");
  }
  // Python floats give default_dtype() and ints int64, as torch.tensor; NumPy arrays keep
  // their dtype where ember has it.
  DType natural;
  if (kind == 'b') natural = DType::Bool;
  else if (kind == 'i' || kind == 'u') natural = DType::Int64;
  else natural = (is_array && arr.dtype().itemsize() == 8) ? DType::Float64 : default_dtype();
  if (is_array) natural = dtype_from_numpy(arr.dtype()).value_or(natural);
  else if (kind != 'O') natural = sequence_dtype(data, np.attr("generic")).value_or(natural);
  if (kind == 'u' && arr.dtype().itemsize() == 8 && arr.size() > 0 && !(dtype && is_floating(*dtype))) {
    if (arr.attr("max")().cast<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      throw ValueError(is_array ? "tensor: a uint64 value does not fit in int64"
                                : "tensor: a Python int does not fit in int64 (overflow when unpacking long long)");
  }
  const DType target = dtype.value_or(natural);
  if (kind == 'f' && target == DType::Int64 && arr.size() > 0) {
    const bool ok = np.attr("all")(np.attr("isfinite")(arr)).cast<bool>() &&
                    np.attr("all")(np.attr("abs")(arr).attr("__lt__")(9.2233720368547758e18)).cast<bool>();
    EMBER_CHECK_RUNTIME(ok, "tensor: a value cannot be converted to int64 without overflow (NaN, inf or too large)");
  }
  if (!is_array && is_integral(target, false) && target != DType::Int64 && arr.size() > 0) {
    // Python numbers must fit a narrow integer dtype (NumPy arrays wrap), as torch.tensor.
    for (const char* end : {"min", "max"}) {
      py::object v = arr.attr(end)();
      // (the array's min and max: NumPy scalars, a bool one included, which has no __index__)
      check_fits(kind == 'f' ? Scalar(v.cast<double>()) : Scalar(index_of(py::int_(v))), target, "tensor");
    }
  }
  // A fresh C-ordered copy (0-d stays 0-d) that the new tensor then owns: one copy in all;
  // bfloat16, which NumPy lacks, is converted from float32. Floats narrowed to a smaller float
  // dtype are narrowed here, not by NumPy: as torch's, double to float16 goes through float
  // (1 + 2^-11 + 2^-40 is 1, not 1 + 2^-10), and 1e39 is inf without NumPy's overflow warning.
  DType staged = target == DType::BFloat16 ? DType::Float32 : target;
  if (kind == 'f' && is_floating(target) && static_cast<size_t>(arr.dtype().itemsize()) > itemsize(target))
    staged = arr.dtype().itemsize() >= 8 ? DType::Float64 : DType::Float32;
  py::array copy = np.attr("array")(arr, py::arg("dtype") = py::dtype(numpy_format(staged)),
                                    py::arg("order") = "C", py::arg("copy") = true);
  return to_dtype(from_numpy(copy), target);
}

namespace {
/// A uint8 index is a mask, torch's deprecated form: warned about as torch does.
void warn_uint8_index() {
  if (PyErr_WarnEx(PyExc_UserWarning, "indexing with dtype ember.uint8 is now deprecated, please use a dtype "
                   "ember.bool instead.", 1) < 0)
    throw py::error_already_set();
}
}  // namespace

std::vector<TensorIndex> indices_from(py::handle index) {
  std::vector<TensorIndex> out;
  auto one = [&out](py::handle h) {
    PyObject* o = h.ptr();
    if (o == Py_None) {
      out.emplace_back(NoneIndex{});
    } else if (o == Py_Ellipsis) {
      out.emplace_back(EllipsisIndex{});
    } else if (PyBool_Check(o)) {
      out.emplace_back(scalar_tensor(o == Py_True, DType::Bool));
    } else if (PyLong_Check(o)) {
      out.emplace_back(index_of(h));
    } else if (PySlice_Check(o)) {
      auto* s = reinterpret_cast<PySliceObject*>(o);
      auto get = [](PyObject* v) -> std::optional<int64_t> {
        if (v == Py_None) return std::nullopt;
        EMBER_CHECK_TYPE(PyLong_Check(v) || PyIndex_Check(v), "index: slice bounds must be integers or None, got ",
                         std::string(py::str(py::handle(v).get_type().attr("__name__"))));
        // Exact ints (most bounds) skip the __index__ lookup and call.
        py::object b = PyLong_CheckExact(v) ? py::reinterpret_borrow<py::object>(v)
                                            : py::reinterpret_borrow<py::object>(v).attr("__index__")();
        int overflow = 0;
        const long long value = PyLong_AsLongLongAndOverflow(b.ptr(), &overflow);
        if (!overflow) return static_cast<int64_t>(value);
        // Beyond int64: clamped, with torch's warning.
        if (PyErr_WarnEx(PyExc_UserWarning, "Truncating the start/stop/step of slice. This is likely because of "
                         "saved old models when the start/stop/step were larger.", 1) < 0)
          throw py::error_already_set();
        return overflow > 0 ? INT64_MAX : INT64_MIN;
      };
      out.emplace_back(Slice{get(s->start), get(s->stop), get(s->step)});
    } else if (py::isinstance<Tensor>(h)) {
      Tensor t = h.cast<Tensor>();
      if (t.dim() == 0 && is_integral(t.dtype(), false) && t.dtype() != DType::UInt8) {
        out.emplace_back(t.item().to<int64_t>());  // an int to torch: x[tensor(1)] is a view, as x[1]
        return;
      }
      if (t.dtype() == DType::UInt8) warn_uint8_index();
      out.emplace_back(std::move(t));
    } else if (PyObject_HasAttrString(o, "__index__") && !py::isinstance<py::array>(h) && !py::isinstance<DType>(h)) {
      out.emplace_back(index_of(h));
    } else if (py::isinstance<py::sequence>(h) || py::isinstance<py::array>(h)) {
      Tensor t = tensor_from_data(h, std::nullopt);
      EMBER_CHECK_INDEX(t.dtype() == DType::Int64 || t.dtype() == DType::Int32 || t.dtype() == DType::Bool ||
                            t.dtype() == DType::UInt8 || t.numel() == 0,
                        "index: tensors used as indices must be int64, int32, uint8 (a mask) or bool, got ",
                        dtype_name(t.dtype()));
      if (t.dtype() == DType::UInt8 && t.numel() > 0) warn_uint8_index();
      out.emplace_back(t.numel() == 0 ? to_dtype(t, DType::Int64) : t);
    } else {
      throw IndexError(detail::cat("index: only integers, slices (`:`), ellipsis (`...`), None and int64 or bool "
                                   "tensors are valid indices, got ",
                                   std::string(py::str(h.get_type().attr("__name__")))));
    }
  };
  if (PyTuple_Check(index.ptr())) {
    for (py::handle h : py::reinterpret_borrow<py::tuple>(index)) one(h);
  } else {
    one(index);
  }
  return out;
}

Tensor tensor_arg(py::handle h, const char* what) {
  EMBER_CHECK_TYPE(py::isinstance<Tensor>(h), what, ": expected a Tensor, got ",
                   std::string(py::str(h.get_type().attr("__name__"))));
  return h.cast<Tensor>();
}

const py::object& values_indices_type(py::module_& m, const char* op, const char* first, const char* second) {
  py::module_ types = py::hasattr(m, "return_types") ? py::module_(m.attr("return_types"))
                                                     : m.def_submodule("return_types", "The named tuples ops return.");
  if (py::hasattr(types, op)) return *new py::object(types.attr(op));
  py::object cls = py::module_::import("collections").attr("namedtuple")(
      op, py::make_tuple(first, second), py::arg("module") = "ember.return_types");
  // torch's repr: "torch.return_types.max(\nvalues=tensor(...),\nindices=tensor(...))".
  cls.attr("__repr__") = py::cpp_function([op = std::string(op), first = std::string(first),
                                           second = std::string(second)](py::tuple self) {
    return "ember.return_types." + op + "(\n" + first + "=" + py::repr(self[0]).cast<std::string>() + ",\n" + second +
           "=" + py::repr(self[1]).cast<std::string>() + ")";
  }, py::name("__repr__"), py::is_method(cls));
  cls.attr("__doc__") = "ember.return_types." + std::string(op) + "(" + first + ", " + second + "): what ember." + op +
                        " returns along a dim, a named tuple as torch.return_types." + op + ".";
  types.attr(op) = cls;
  // Leaked on purpose: the ops keep a reference for the process's life (no teardown order issues).
  return *new py::object(cls);
}

}  // namespace ember::py_convert
