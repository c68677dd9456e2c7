// The Tensor class: attributes, conversion (NumPy, lists, buffer protocol), subscripts and
// Python operators. Ops shared with the module namespace live in bind_ops.cpp.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "convert.h"
#include "gil.h"

namespace ember {

using namespace py_convert;

namespace {
/// Whether torch's x[index] = value goes through index_put_, which wants the value in x's dtype: an
/// index holding a tensor (a 0-d signed integer one is an int) or a sequence. A single mask with a
/// 0-d value is a masked_fill, and ints, slices, None, ... a copy: those cast.
bool puts_by_index(py::handle index, const Tensor& value) {
  auto advanced = [](py::handle h) {
    if (py::isinstance<Tensor>(h)) {
      const Tensor& t = h.cast<const Tensor&>();
      return !(t.dim() == 0 && is_integral(t.dtype(), false) && t.dtype() != DType::UInt8);
    }
    return PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()) || py::isinstance<py::array>(h);
  };
  if (!PyTuple_Check(index.ptr())) {
    const bool mask = py::isinstance<Tensor>(index) && (index.cast<const Tensor&>().dtype() == DType::Bool ||
                                                        index.cast<const Tensor&>().dtype() == DType::UInt8);
    return !(mask && value.dim() == 0) && advanced(index);
  }
  for (py::handle h : py::reinterpret_borrow<py::tuple>(index))
    if (advanced(h)) return true;
  return false;
}

/// NumPy must not see memory autograd tracks: writes through it would go unrecorded (as PyTorch).
void check_no_grad(const Tensor& t) {
  EMBER_CHECK_RUNTIME(!t.requires_grad(), "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                      "instead.");
}

py::object tolist(const Tensor& t) {
  Tensor c = contiguous(t.detach());
  if (c.dim() == 0) return py::cast(c.item());
  if (c.dtype() == DType::BFloat16) c = to_dtype(c, DType::Float32);  // exact, and NumPy has no bfloat16
  return py::reinterpret_borrow<py::object>(to_numpy(c, py::cast(c)).attr("tolist")());
}

/// Binds an in-place binary op so that `a op= b` keeps the same Python object.
template <Tensor& (*Fn)(Tensor&, const Tensor&)>
py::object inplace(py::object self, py::handle other, const char* op) {
  Tensor& a = self.cast<Tensor&>();
  Fn(a, tensor_or_scalar(other, op, "other", &a));
  return self;
}

/// f(n) for b a Python number n (as a tensor), computed without the GIL when a is large; Python's
/// NotImplemented for anything else, so Python tries the other operand.
template <class F>
py::object with_number(const Tensor& a, py::handle b, const char* op, F&& f) {
  std::optional<Tensor> n = number_operand(a, b, op);
  if (!n) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  Tensor r;
  {
    py_gil::Release nogil(py_gil::heavy(a));
    r = f(*n);
  }
  return py::cast(r);
}

// ---- pickle and copy -----------------------------------------------------------------------------
// A pickled tensor is (ember.serialization._rebuild_tensor, (raw bytes, dtype, sizes, strides,
// requires_grad)): a Python function's name, which pickle stores as a reference (a C++ function
// would pickle through eval), and the bytes are those from the view's first element to its last, so a slice of a
// large tensor does not carry the rest (PyTorch's carries the whole storage). Protocol 5 hands
// the bytes to pickle without a copy.

/// Elements of the storage a view spans, from its first element to its last.
int64_t span_elements(const Shape& sizes, const Shape& strides) {
  int64_t last = 0;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) return 0;
    last += (sizes[d] - 1) * strides[d];
  }
  return last + 1;
}

/// A tensor over storage from element `offset` on, with the given geometry (no checks).
Tensor over_storage(std::shared_ptr<Storage> storage, DType dtype, Shape sizes, Shape strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::move(storage);
  impl->numel = numel_of(sizes);
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

py::tuple tensor_reduce(const Tensor& t, int protocol) {
  EMBER_CHECK_RUNTIME(t.device().is_cpu(), "pickle: only CPU tensors can be pickled, got a ", t.device().str(),
                      " tensor");
  const int64_t nbytes = span_elements(t.sizes(), t.strides()) * t.itemsize();
  py::object data;
  if (protocol >= 5) {  // the bytes as a uint8 tensor, which lends pickle its buffer
    Tensor bytes = over_storage(t.storage(), DType::UInt8, {nbytes}, {1}, t.offset() * t.itemsize());
    data = py::module_::import("pickle").attr("PickleBuffer")(py::cast(bytes));
  } else {
    data = py::bytes(static_cast<const char*>(t.raw_data()), nbytes);
  }
  return py::make_tuple(py::module_::import("ember.serialization").attr("_rebuild_tensor"),
                        py::make_tuple(data, t.dtype(), py::tuple(py::cast(t.sizes())), py::tuple(py::cast(t.strides())),
                                       t.requires_grad()));
}

/// The tensor a pickle describes. A writable buffer (what protocol 5 unpickles) or large bytes
/// (protocols 2 to 4) become the storage as they are; other bytes are copied. A pickle whose geometry reaches past its bytes is refused.
Tensor rebuild_tensor(py::handle data, DType dtype, const Shape& sizes, const Shape& strides, bool requires_grad) {
  const char* op = "_rebuild_tensor";
  EMBER_CHECK(sizes.size() == strides.size(), op, ": ", sizes.size(), " sizes but ", strides.size(), " strides");
  for (size_t d = 0; d < sizes.size(); ++d)
    EMBER_CHECK(sizes[d] >= 0 && strides[d] >= 0, op, ": negative size or stride (sizes ", shape_str(sizes),
                ", strides ", shape_str(strides), ")");
  // span_elements(sizes, strides) * itemsize, with overflow checked: the geometry comes from a file.
  int64_t last = 0;
  bool overflow = false, empty = false;
  for (size_t d = 0; d < sizes.size(); ++d) {
    int64_t step = 0;
    empty = empty || sizes[d] == 0;
    overflow = overflow || __builtin_mul_overflow(sizes[d] - 1, strides[d], &step) ||
               __builtin_add_overflow(last, step, &last);
  }
  int64_t nbytes = 0;
  overflow = overflow || __builtin_mul_overflow(last + 1, itemsize(dtype), &nbytes);
  EMBER_CHECK(empty || !overflow, op, ": a tensor of shape ", shape_str(sizes), " and strides ", shape_str(strides),
              " is too large");
  if (empty) nbytes = 0;
  auto view = std::make_shared<Py_buffer>();
  const bool writable = PyObject_GetBuffer(data.ptr(), view.get(), PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) == 0;
  if (!writable) {
    PyErr_Clear();
    if (PyObject_GetBuffer(data.ptr(), view.get(), PyBUF_C_CONTIGUOUS) != 0) throw py::error_already_set();
  }
  std::shared_ptr<void> buffer(view->buf, [view](void*) {
    py::gil_scoped_acquire gil;
    PyBuffer_Release(view.get());
  });
  EMBER_CHECK(view->len == nbytes, op, ": ", view->len, " bytes for a tensor of shape ", shape_str(sizes),
              " and strides ", shape_str(strides), " that spans ", nbytes, " bytes (", dtype_name(dtype), ")");
  // A large bytes object is taken as it is too, as NumPy's unpickling does: bytes are immutable to
  // Python, but those a pickle makes for one tensor belong to nobody else (small ones may be shared).
  const bool own = writable || (PyBytes_CheckExact(data.ptr()) && nbytes > 1000);
  std::shared_ptr<Storage> storage;
  if (own && reinterpret_cast<uintptr_t>(view->buf) % itemsize(dtype) == 0) {
    storage = Storage::wrap(std::move(buffer), nbytes, Device{});
  } else {
    storage = Storage::allocate(nbytes, Device{}, op);
    if (nbytes) std::memcpy(storage->data(), view->buf, nbytes);
  }
  Tensor t = over_storage(std::move(storage), dtype, sizes, strides, 0);
  if (requires_grad) autograd::set_requires_grad(t, true);
  return t;
}

// ---- shared memory (Tensor.share_memory_, ember.multiprocessing) -------------------------------
/// The owner of a storage in shared memory: a mapping of a memfd, which forked children inherit
/// and ember.multiprocessing hands to other processes as the file descriptor.
struct SharedMapping {
  int fd;
  size_t length;
  /// The memory the mapping replaced: NumPy arrays, DLPack exports and running ops may still
  /// point there, so it lives as long as the storage (it no longer changes with the tensor).
  std::shared_ptr<void> previous;
  void operator()(void* p) const {
    munmap(p, length);
    close(fd);
  }
};

const SharedMapping* shared_mapping(const Tensor& t) { return std::get_deleter<SharedMapping>(t.storage()->owner); }

/// Maps `length` bytes of fd (which the result then owns) shared.
std::shared_ptr<void> map_shared(int fd, size_t length, std::shared_ptr<void> previous, const char* op) {
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    const int err = errno;
    close(fd);
    throw RuntimeError(detail::cat(op, ": cannot map ", length, " bytes of shared memory: ", std::strerror(err)));
  }
  return std::shared_ptr<void>(p, SharedMapping{fd, length, std::move(previous)});
}

/// Tensor.share_memory_: moves the storage (every view of it) into shared memory, in place.
void share_memory(const Tensor& t) {
  const char* op = "share_memory_";
  EMBER_CHECK_RUNTIME(t.device().is_cpu(), op, ": only CPU tensors can be moved to shared memory, got a ",
                      t.device().str(), " tensor");
  if (shared_mapping(t)) return;
  Storage& storage = *t.storage();
  const size_t length = static_cast<size_t>(std::max<int64_t>(storage.nbytes, 1));
  const int fd = memfd_create("ember-shared", MFD_CLOEXEC);
  EMBER_CHECK_RUNTIME(fd >= 0, op, ": cannot create shared memory: ", std::strerror(errno));
  if (ftruncate(fd, static_cast<off_t>(length)) != 0) {
    const int err = errno;
    close(fd);
    throw RuntimeError(detail::cat(op, ": cannot allocate ", length, " bytes of shared memory: ", std::strerror(err)));
  }
  std::shared_ptr<void> memory = map_shared(fd, length, storage.owner, op);
  if (storage.nbytes) std::memcpy(memory.get(), storage.data(), storage.nbytes);
  storage.owner = std::move(memory);
}

/// The checks of a view that ember.multiprocessing's unpickler puts over nbytes of shared memory.
void check_shared_view(int64_t nbytes, DType dtype, const Shape& sizes, const Shape& strides, int64_t offset,
                       const char* op) {
  EMBER_CHECK(nbytes >= 0 && offset >= 0, op, ": bad size ", nbytes, " or offset ", offset);
  EMBER_CHECK(sizes.size() == strides.size(), op, ": ", sizes.size(), " sizes but ", strides.size(), " strides");
  for (size_t d = 0; d < sizes.size(); ++d)
    EMBER_CHECK(sizes[d] >= 0 && strides[d] >= 0, op, ": negative size or stride (sizes ", shape_str(sizes),
                ", strides ", shape_str(strides), ")");
  const int64_t end = numel_of(sizes) == 0 ? 0 : (offset + span_elements(sizes, strides)) * itemsize(dtype);
  EMBER_CHECK(end <= nbytes, op, ": a view of ", end, " bytes of a ", nbytes, "-byte storage");
}

/// The tensor ember.multiprocessing sends as a file descriptor: fd's memory (fd is taken over).
Tensor tensor_from_shared_fd(int fd, int64_t nbytes, DType dtype, const Shape& sizes, const Shape& strides,
                             int64_t offset) {
  const char* op = "_tensor_from_shared_fd";
  try {
    check_shared_view(nbytes, dtype, sizes, strides, offset, op);
  } catch (...) {
    close(fd);
    throw;
  }
  auto storage = Storage::wrap(map_shared(fd, static_cast<size_t>(std::max<int64_t>(nbytes, 1)), nullptr, op), nbytes,
                               Device{});
  return over_storage(std::move(storage), dtype, sizes, strides, offset);
}

/// Whether obj is an ember.nn.Parameter (whose class remakes it from (data, requires_grad)).
bool is_parameter(py::handle obj) {
  return py::isinstance(obj, py::module_::import("ember._C").attr("_nn_modules").attr("Parameter"));
}

/// copy.deepcopy's step for a tensor, as PyTorch's: new memory, dtype, geometry, requires_grad
/// and (not for a Parameter) grad. Tensors sharing a storage (views) share one copy of it,
/// through memo entries keyed by the storage; two Python objects of one tensor get one copy.
py::object tensor_deepcopy(py::handle self, py::dict memo) {
  const Tensor& t = self.cast<const Tensor&>();
  EMBER_CHECK_RUNTIME(autograd::is_leaf(t), "Only Tensors created explicitly by the user (graph leaves) support the "
                      "deepcopy protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                      "because of a torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001");
  // The memo's own entries hold the originals too, so that no address is reused while it lives.
  py::tuple tensor_key = py::make_tuple("ember.Tensor", reinterpret_cast<uintptr_t>(t.impl()));
  if (memo.contains(tensor_key)) return memo[tensor_key].cast<py::tuple>()[0];
  py::tuple storage_key = py::make_tuple("ember.Storage", reinterpret_cast<uintptr_t>(t.storage().get()));
  std::shared_ptr<Storage> storage;
  if (memo.contains(storage_key)) {
    storage = memo[storage_key].cast<py::tuple>()[0].cast<const Tensor&>().storage();
  } else {
    EMBER_CHECK_RUNTIME(t.device().is_cpu(), "deepcopy: only CPU tensors can be copied, got a ", t.device().str(),
                        " tensor");
    const Storage& from = *t.storage();
    storage = Storage::allocate(from.nbytes, from.device, "deepcopy");
    if (from.nbytes) std::memcpy(storage->data(), from.data(), from.nbytes);
    memo[storage_key] = py::make_tuple(over_storage(storage, DType::UInt8, {from.nbytes}, {1}, 0), self);
  }
  Tensor copy = over_storage(storage, t.dtype(), t.sizes(), t.strides(), t.offset());
  const bool parameter = is_parameter(self);
  py::object out;
  if (parameter) {  // ember.nn.Parameter (or a subclass): its class makes it, and leaves grad behind
    out = py::type::handle_of(self)(copy, t.requires_grad());
  } else {
    if (t.requires_grad()) autograd::set_requires_grad(copy, true);
    out = py::cast(copy);
  }
  memo[tensor_key] = py::make_tuple(out, self);
  if (!parameter && t.grad().defined())
    out.attr("grad") = py::module_::import("copy").attr("deepcopy")(self.attr("grad"), memo);
  return out;
}

/// copy.copy's step, as PyTorch's: a new leaf sharing the memory, with requires_grad, no grad.
py::object tensor_copy(py::handle self) {
  const Tensor& t = self.cast<const Tensor&>();
  Tensor alias = autograd::detach(t);
  if (is_parameter(self)) return py::type::handle_of(self)(alias, t.requires_grad());
  if (t.requires_grad()) autograd::set_requires_grad(alias, true);
  return py::cast(alias);
}
}  // namespace

void bind_tensor(py::module_& m, py::class_<Tensor>& cls) {
  // PyTorch's legacy constructor: Tensor(2, 3) is uninitialized float32, Tensor([1, 2]) copies data.
  cls.def(py::init([](py::args args) {
    if (args.size() == 0) return empty({0}, default_dtype());
    if (args.size() == 1 && !PyLong_Check(args[0].ptr()))
      return to_dtype(tensor_from_data(args[0], std::nullopt), default_dtype());
    return empty(size_from_args(args, "Tensor"), default_dtype());
  }));
  cls.def_property_readonly("shape", [](const Tensor& t) { return to_size(t.sizes()); })
      // One overload each, so inspect.signature reads size(self, dim=None) as torch documents it.
      .def("size", [](const Tensor& t, std::optional<int64_t> dim) -> py::object {
        return dim ? py::object(py::int_(t.size(*dim))) : py::object(to_size(t.sizes()));
      }, py::arg("dim") = py::none(), R"doc(The shape (an ember.Size), or the size of one dimension.

Args:
    dim (int, optional): the dimension; negative counts from the end.

Returns:
    ember.Size, or an int when dim is given.

Example::

    >>> ember.zeros(2, 3).size(-1)
    3
)doc")
      .def("stride", [](const Tensor& t, std::optional<int64_t> dim) -> py::object {
        return dim ? py::object(py::int_(t.stride(*dim))) : py::object(py::tuple(py::cast(t.strides())));
      }, py::arg("dim") = py::none(), R"doc(The strides in elements (a tuple), or the stride of one dimension.

Args:
    dim (int, optional): the dimension; negative counts from the end.

Returns:
    tuple of int, or an int when dim is given.

Example::

    >>> ember.zeros(2, 3).stride()
    (3, 1)
)doc")
      .def_property_readonly("dtype", &Tensor::dtype)
      .def_property_readonly("device", &Tensor::device)
      .def_property_readonly("ndim", &Tensor::dim)
      .def("dim", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def("element_size", &Tensor::itemsize)
      .def_property_readonly("itemsize", &Tensor::itemsize)
      .def_property_readonly("nbytes", &Tensor::nbytes)
      .def("storage_offset", &Tensor::offset)
      .def("is_contiguous", &Tensor::is_contiguous)
      .def("is_floating_point", [](const Tensor& t) { return is_floating(t.dtype()); })
      .def("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.raw_data()); })
      .def_property_readonly("is_cuda", [](const Tensor& t) { return !t.device().is_cpu(); })
      .def_property_readonly("_version", [](const Tensor& t) { return t.storage()->version.load(); })
      .def("item", [](const Tensor& t) { return t.item(); })
      .def("tolist", &tolist)
      .def("numpy", [](py::object self, bool force) {
             const Tensor& t = self.cast<const Tensor&>();
             if (!force) {
               check_no_grad(t);
               return to_numpy(t, self);
             }
             py::object copy = py::cast(clone(t));  // the array keeps this copy alive
             return to_numpy(copy.cast<const Tensor&>(), copy);
           }, py::arg("force") = false)
      .def("__array__", [](py::object self, py::object dtype, py::object copy) {
             check_no_grad(self.cast<const Tensor&>());
             py::object arr = to_numpy(self.cast<const Tensor&>(), self);
             if (!dtype.is_none()) arr = arr.attr("astype")(dtype, py::arg("copy") = false);
             if (!copy.is_none() && copy.cast<bool>()) arr = arr.attr("copy")();
             return arr;
           }, py::arg("dtype") = py::none(), py::arg("copy") = py::none())
      .def("__len__", [](const Tensor& t) {
             EMBER_CHECK_TYPE(t.dim() > 0, "len() of a 0-d tensor");
             return t.sizes()[0];
           })
      .def("__iter__", [](const Tensor& t) {
             EMBER_CHECK_TYPE(t.dim() > 0, "iteration over a 0-d tensor");
             return py::iter(py::cast(unbind(t, 0)));
           })
      .def("__bool__", [](const Tensor& t) {
             EMBER_CHECK_RUNTIME(t.numel() == 1, "bool: a Tensor with ", t.numel(),
                                 " elements is ambiguous (shape ", shape_str(t.sizes()), "); use .any() or .all()");
             return t.item<bool>();
           })
      .def("__float__", [](const Tensor& t) { return t.item<double>(); })
      .def("__int__", [](const Tensor& t) -> py::object {
             if (!is_floating(t.dtype())) return py::int_(t.item<int64_t>());
             // The float's exact integer part (int(tensor(1e38)) has 39 digits); inf and NaN raise
             // OverflowError and ValueError, as Python's int(float) and PyTorch.
             PyObject* r = PyLong_FromDouble(t.item<double>());
             if (!r) throw py::error_already_set();
             return py::reinterpret_steal<py::object>(r);
           })
      .def("__index__", [](const Tensor& t) {
             EMBER_CHECK_TYPE(t.numel() == 1 && !is_floating(t.dtype()),
                              "only integer tensors of a single element can be converted to an index");
             return t.item<int64_t>();
           })
      .def("__contains__", [](const Tensor& t, py::handle element) {
             // element == t anywhere, at any number of dims (as PyTorch).
             EMBER_CHECK_RUNTIME(py::isinstance<Tensor>(element) || PyBool_Check(element.ptr()) ||
                                     PyLong_Check(element.ptr()) || PyFloat_Check(element.ptr()),
                                 "__contains__: only supports a Tensor or a number, got ",
                                 std::string(py::str(element.get_type().attr("__name__"))));
             return any(eq(t, tensor_or_scalar(element, "__contains__", "element", &t))).item<bool>();
           })
      .def("__hash__", [](py::handle self) { return reinterpret_cast<intptr_t>(self.ptr()); })
      .def("__getitem__", [](const Tensor& t, py::handle idx) { return index(t, indices_from(idx)); })
      .def("__setitem__", [](Tensor& t, py::handle idx, py::handle value) {
             Tensor v = py::isinstance<Tensor>(value) ? value.cast<Tensor>() : tensor_from_data(value, t.dtype());
             EMBER_CHECK_RUNTIME(v.dtype() == t.dtype() || !puts_by_index(idx, v),
                                 "index_put_: requires the source and destination dtypes match, got ",
                                 dtype_name(t.dtype()), " for the destination and ", dtype_name(v.dtype()),
                                 " for the source (x[index] = value with a tensor or sequence index)");
             // The value's leading dims of size 1 go first, as torch's: x[0] = y[:1] and
             // x[i] = row.unsqueeze(0) assign where plain broadcasting would refuse.
             while (v.dim() > 0 && v.size(0) == 1) v = select(v, 0, 0);
             index_put_(t, indices_from(idx), v);
           });

  // Operators: a typed Tensor overload first (the fast path), then Python numbers. Anything else
  // gives NotImplemented, so Python tries the other operand (t == None is False, t + "a" a TypeError).
  // Large operands compute without the GIL (gil.h).
#define EMBER_BINARY_OPERATOR(pyname, fn)                                                              \
  cls.def(pyname, [](const Tensor& a, const Tensor& b) {                                              \
    py_gil::Release nogil(py_gil::heavy(a, b));                                                       \
    return fn(a, b);                                                                                  \
  }, py::is_operator());                                                                              \
  cls.def(pyname, [](const Tensor& a, py::handle b) {                                                 \
    return with_number(a, b, #fn, [&a](const Tensor& n) { return fn(a, n); });                        \
  }, py::is_operator());
#define EMBER_REVERSED_OPERATOR(pyname, fn)                                                            \
  cls.def(pyname, [](const Tensor& a, py::handle b) {                                                 \
    return with_number(a, b, #fn, [&a](const Tensor& n) { return fn(n, a); });                        \
  }, py::is_operator());
  EMBER_BINARY_OPERATOR("__add__", add)
  EMBER_BINARY_OPERATOR("__sub__", sub)
  EMBER_BINARY_OPERATOR("__mul__", mul)
  EMBER_BINARY_OPERATOR("__truediv__", div)
  EMBER_BINARY_OPERATOR("__floordiv__", floor_divide)
  EMBER_BINARY_OPERATOR("__mod__", remainder)
  EMBER_BINARY_OPERATOR("__pow__", pow)
  EMBER_BINARY_OPERATOR("__and__", bitwise_and)
  EMBER_BINARY_OPERATOR("__or__", bitwise_or)
  EMBER_BINARY_OPERATOR("__xor__", bitwise_xor)
  EMBER_BINARY_OPERATOR("__lshift__", bitwise_left_shift)
  EMBER_BINARY_OPERATOR("__rshift__", bitwise_right_shift)
  EMBER_BINARY_OPERATOR("__eq__", eq)
  EMBER_BINARY_OPERATOR("__ne__", ne)
  EMBER_BINARY_OPERATOR("__lt__", lt)
  EMBER_BINARY_OPERATOR("__le__", le)
  EMBER_BINARY_OPERATOR("__gt__", gt)
  EMBER_BINARY_OPERATOR("__ge__", ge)
  EMBER_REVERSED_OPERATOR("__radd__", add)
  EMBER_REVERSED_OPERATOR("__rsub__", sub)
  cls.def("__rmul__", [](const Tensor& a, py::handle b) {  // a.mul(number), as torch's (see fast_ops.cpp)
    return with_number(a, b, "mul", [&a](const Tensor& n) { return mul(a, n); });
  }, py::is_operator());
  cls.def("__rtruediv__", [](const Tensor& a, py::handle b) {
    return with_number(a, b, "div", [&a](const Tensor& n) { return reflected_div(n, a); });
  }, py::is_operator());
  EMBER_REVERSED_OPERATOR("__rfloordiv__", floor_divide)
  EMBER_REVERSED_OPERATOR("__rmod__", remainder)
  EMBER_REVERSED_OPERATOR("__rpow__", pow)
  EMBER_REVERSED_OPERATOR("__rand__", bitwise_and)
  EMBER_REVERSED_OPERATOR("__ror__", bitwise_or)
  EMBER_REVERSED_OPERATOR("__rxor__", bitwise_xor)
  EMBER_REVERSED_OPERATOR("__rlshift__", bitwise_left_shift)
  EMBER_REVERSED_OPERATOR("__rrshift__", bitwise_right_shift)
#undef EMBER_BINARY_OPERATOR
#undef EMBER_REVERSED_OPERATOR
  cls.def("__matmul__", [](const Tensor& a, const Tensor& b) {
    py_gil::Release nogil(py_gil::heavy(a, b));
    return matmul(a, b);
  }, py::is_operator());
  cls.def("__rmatmul__", [](const Tensor& a, const Tensor& b) {
    py_gil::Release nogil(py_gil::heavy(a, b));
    return matmul(b, a);
  }, py::is_operator());
  cls.def("__iadd__", [](py::object s, py::handle o) { return inplace<add_>(s, o, "add_"); });
  cls.def("__isub__", [](py::object s, py::handle o) { return inplace<sub_>(s, o, "sub_"); });
  cls.def("__imul__", [](py::object s, py::handle o) { return inplace<mul_>(s, o, "mul_"); });
  cls.def("__itruediv__", [](py::object s, py::handle o) { return inplace<div_>(s, o, "div_"); });
  cls.def("__ifloordiv__", [](py::object s, py::handle o) { return inplace<floor_divide_>(s, o, "floor_divide_"); });
  cls.def("__imod__", [](py::object s, py::handle o) { return inplace<remainder_>(s, o, "remainder_"); });
  cls.def("__ipow__", [](py::object s, py::handle o) { return inplace<pow_>(s, o, "pow_"); });
  cls.def("__iand__", [](py::object s, py::handle o) { return inplace<bitwise_and_>(s, o, "bitwise_and_"); });
  cls.def("__ior__", [](py::object s, py::handle o) { return inplace<bitwise_or_>(s, o, "bitwise_or_"); });
  cls.def("__ixor__", [](py::object s, py::handle o) { return inplace<bitwise_xor_>(s, o, "bitwise_xor_"); });
  cls.def("__ilshift__", [](py::object s, py::handle o) {
    return inplace<bitwise_left_shift_>(s, o, "bitwise_left_shift_");
  });
  cls.def("__irshift__", [](py::object s, py::handle o) {
    return inplace<bitwise_right_shift_>(s, o, "bitwise_right_shift_");
  });
  cls.def("__neg__", [](const Tensor& a) { return neg(a); });
  cls.def("__pos__", [](const Tensor& a) {
    EMBER_CHECK_TYPE(a.dtype() != DType::Bool, "positive: the `+` operator, on a bool tensor is not supported");
    return a;
  });
  cls.def("__abs__", [](const Tensor& a) { return abs(a); });
  cls.def("__invert__", [](const Tensor& a) { return bitwise_not(a); });

  cls.def_buffer([](const Tensor& t) {
    check_no_grad(t);
    std::vector<ssize_t> shape(t.sizes().begin(), t.sizes().end()), strides;
    // a dim of one element (or none) may hold any stride, even one whose byte count overflows
    for (int64_t d = 0; d < t.dim(); ++d)
      strides.push_back(t.sizes()[d] <= 1 ? 0 : t.strides()[d] * t.itemsize());
    return py::buffer_info(t.raw_data(), t.itemsize(), numpy_format(t.dtype()), t.dim(), shape, strides);
  });

  cls.def("__reduce_ex__", &tensor_reduce, py::arg("protocol"),
          "pickle's description of the tensor: its raw bytes, dtype, sizes, strides and requires_grad.")
      .def("__deepcopy__", &tensor_deepcopy, py::arg("memo"),
           "copy.deepcopy: new memory (views copied together share it), requires_grad and grad, as PyTorch's.")
      .def("__copy__", &tensor_copy, "copy.copy: a new leaf sharing the memory, with requires_grad, as PyTorch's.");
  cls.def("share_memory_", [](py::object self) {
    share_memory(self.cast<const Tensor&>());
    return self;
  }, R"doc(share_memory_() -> Tensor

Moves the tensor's memory (with every view of it) into shared memory, in place, and returns self; a
no-op for memory already there. Processes forked afterwards share it (writes in one are seen by all),
and :mod:`ember.multiprocessing` hands it to other processes without a copy, as PyTorch does for
Hogwild-style training. NumPy arrays and DLPack exports taken before keep the old memory.

Example::

    >>> x = ember.zeros(3).share_memory_()
    >>> x.is_shared()
    True
)doc");
  cls.def("is_shared", [](const Tensor& t) { return shared_mapping(t) != nullptr; }, R"doc(is_shared() -> bool

Whether the tensor's memory is shared memory (:meth:`share_memory_`).

Example::

    >>> ember.ones(2).is_shared()
    False
)doc");
  m.def("_shared_memory", [](const Tensor& t) {
    const SharedMapping* mapping = shared_mapping(t);
    EMBER_CHECK(mapping, "_shared_memory: the tensor is not in shared memory");
    return std::pair(mapping->fd, t.storage()->nbytes);
  }, py::arg("tensor"), "(file descriptor, bytes) of a shared tensor's memory (ember.multiprocessing's pickler).");
  m.def("_tensor_from_shared_fd", &tensor_from_shared_fd, py::arg("fd"), py::arg("nbytes"), py::arg("dtype"),
        py::arg("sizes"), py::arg("strides"), py::arg("offset"),
        "A tensor over the shared memory of fd, which it takes over (ember.multiprocessing's unpickler).");
  m.def("_rebuild_tensor", &rebuild_tensor, py::arg("data"), py::arg("dtype"), py::arg("sizes"), py::arg("strides"),
        py::arg("requires_grad"), "Rebuilds a pickled tensor (what Tensor.__reduce_ex__ describes).");

  m.def("from_numpy", &from_numpy, py::arg("ndarray"), "A tensor sharing memory with a NumPy array (no copy).");
}

}  // namespace ember
