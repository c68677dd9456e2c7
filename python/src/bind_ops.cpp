// Tensor ops, bound once as ember.<op> and as Tensor.<op> where PyTorch has both: creation, copies,
// views, joining, indexing, pointwise ops and matrix products (reductions, scans and sorting: bind_reduce.cpp).
#include <set>

#include "convert.h"
#include "def_both.h"
#include "gil.h"
#include "out.h"

namespace ember {

using namespace py_convert;
using py_gil::heavy;
using py_gil::releasing;
using py_out::OutDtype;
using py_out::def_both_out;
using py_out::def_out;
using py_out::outable;

namespace {

// Docstrings of the scans (PyTorch's wording where it fits).
constexpr const char* kScatterReduceDoc = R"doc(scatter_reduce(input, dim, index, src, reduce, *, include_self=True) -> Tensor

A copy of input with the values of src reduced into it at the places index names along dim:
``out[i][index[i][j]] = reduce(out[i][index[i][j]], src[i][j])`` for dim 1, and likewise for
other dims.

Args:
    input (Tensor): the tensor reduced into.
    dim (int): the dim index runs along.
    index (Tensor): int64 (or int32) places, with input's number of dims and no larger than src.
    src (Tensor): the values, input's dtype.
    reduce (str): ``"sum"``, ``"prod"``, ``"mean"`` (integers rounded down), ``"amax"`` or
        ``"amin"`` (NaN wins).
    include_self (bool, optional): whether input's values at the places src lands on take part
        in the reduction. Default: True.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> src = ember.tensor([1., 2., 3., 4., 5., 6.])
    >>> index = ember.tensor([0, 1, 0, 1, 2, 1])
    >>> ember.zeros(3).scatter_reduce(0, index, src, "sum")
    tensor([ 4., 12.,  5.])
    >>> ember.zeros(3).scatter_reduce(0, index, src, "amax", include_self=False)
    tensor([3., 6., 5.])
)doc";

constexpr const char* kCountNonzeroDoc = R"doc(count_nonzero(input, dim=None) -> Tensor

Counts the nonzero elements of input over dim (all dims when None).

Args:
    input (Tensor): the input tensor (any dtype; NaN counts as nonzero).
    dim (int or tuple of ints, optional): the dims to count over.

Returns:
    Tensor: int64 counts, input's shape without the counted dims (0-d when all are).

Example::

    >>> ember.count_nonzero(ember.tensor([[1, 0], [2, 3]]), dim=0)
    tensor([2, 1])
)doc";


/// One of clamp's bounds. A number beside it makes the call torch's clamp(Number, Number)
/// overload, which reads a 0-d tensor bound as a number too: its dtype then promotes as a Python
/// number's would (int16 clamped by a float16 0-d min and a max of 3 is float32, not float16).
std::optional<Tensor> bound(py::handle h, py::handle other, const Tensor& t, const char* op, const char* arg) {
  if (h.is_none()) return std::nullopt;
  const bool number_overload = !other.is_none() && !py::isinstance<Tensor>(other);
  return tensor_or_scalar(number_overload ? number_if_0d(h) : py::reinterpret_borrow<py::object>(h), op, arg, &t);
}

// ---- memory formats (ember.contiguous_format, channels_last, channels_last_3d, preserve_format) ----
enum class MemoryFormat { Contiguous, ChannelsLast, ChannelsLast3d, Preserve };

/// The format an ember.memory_format object names (defined in Python, ember/_spellings.py); None is
/// preserve_format where torch's argument is optional (clone, to).
MemoryFormat memory_format_of(py::handle h, const char* op, bool optional = false) {
  if (optional && h.is_none()) return MemoryFormat::Preserve;
  EMBER_CHECK_TYPE(!h.is_none() && std::string(py::str(py::type::handle_of(h).attr("__name__"))) == "memory_format",
                   op, "(): argument 'memory_format' must be ember.memory_format, not ",
                   std::string(py::str(py::type::handle_of(h).attr("__name__"))));
  const std::string name = py::str(h.attr("_name"));
  if (name == "channels_last") return MemoryFormat::ChannelsLast;
  if (name == "channels_last_3d") return MemoryFormat::ChannelsLast3d;
  if (name == "preserve_format") return MemoryFormat::Preserve;
  return MemoryFormat::Contiguous;
}

/// The channels-last dim order of a 4-d (N, C, H, W) or 5-d tensor: C varies fastest, then W, H (D), N.
Dims channels_last_order(int64_t dim) { return dim == 4 ? Dims{1, 3, 2, 0} : Dims{1, 4, 3, 2, 0}; }

/// Whether t's strides are those of the channels-last layout (dims of size 1 may have any), as torch's.
bool is_channels_last(const Tensor& t, MemoryFormat format) {
  const int64_t rank = format == MemoryFormat::ChannelsLast ? 4 : 5;
  if (t.dim() != rank) return false;
  int64_t expected = 1;
  for (int64_t d : channels_last_order(rank)) {
    if (t.sizes()[d] == 1) continue;
    if (t.strides()[d] != expected) return false;
    expected *= t.sizes()[d];
  }
  return true;
}

/// t laid out in `format` (t itself when it already is), as torch's contiguous(memory_format=).
Tensor in_memory_format(const Tensor& t, MemoryFormat format, const char* op) {
  if (format == MemoryFormat::Contiguous) return contiguous(t);
  if (format == MemoryFormat::Preserve)  // a layout to keep: row-major or channels-last, else row-major
    return t.is_contiguous() || is_channels_last(t, MemoryFormat::ChannelsLast) ||
           is_channels_last(t, MemoryFormat::ChannelsLast3d) ? t : contiguous(t);
  const int64_t rank = format == MemoryFormat::ChannelsLast ? 4 : 5;
  EMBER_CHECK(t.dim() == rank, op, ": required rank ", rank, " tensor to use ",
              rank == 4 ? "channels_last" : "channels_last_3d", " format, got shape ", shape_str(t.sizes()));
  if (is_channels_last(t, format)) return t;
  // (N, C, H, W) -> (N, H, W, C) made contiguous, viewed back as (N, C, H, W)
  const Dims to_last = rank == 4 ? Dims{0, 2, 3, 1} : Dims{0, 2, 3, 4, 1};
  const Dims back = rank == 4 ? Dims{0, 3, 1, 2} : Dims{0, 4, 1, 2, 3};
  return permute(contiguous(permute(t, to_last)), back);
}

Tensor to_impl(const Tensor& t, py::args args, py::kwargs kwargs) {
  // to(dtype), to(device), to(device, dtype), to(other), with copy= as a keyword.
  std::optional<DType> dtype;
  bool copy = kwargs.contains("copy") && kwargs["copy"].cast<bool>();
  auto take = [&](py::handle h) {
    if (py::isinstance<DType>(h)) dtype = h.cast<DType>();
    else if (py::isinstance<Tensor>(h)) dtype = h.cast<Tensor>().dtype();
    else device_from(h, "to");  // validates: only "cpu" exists in this build
  };
  for (py::handle h : args) take(h);
  if (kwargs.contains("dtype")) take(kwargs["dtype"]);
  if (kwargs.contains("device")) take(kwargs["device"]);
  Tensor result = to_dtype(t, dtype.value_or(t.dtype()), copy);
  if (kwargs.contains("memory_format")) {
    const MemoryFormat format = memory_format_of(kwargs["memory_format"], "to", true);
    if (format != MemoryFormat::Preserve) result = in_memory_format(result, format, "to");
  }
  return result;
}

/// torch's out= rule of a unary op: the ops that keep their input's dtype write only into an out of
/// that dtype, the sign and infinity predicates only into a bool one, the rest cast.
OutDtype unary_out_rule(std::string_view name) {
  static const std::set<std::string_view> exact{"abs", "neg", "sign", "floor", "ceil", "round", "trunc", "frac",
                                                "bitwise_not"};
  static const std::set<std::string_view> predicates{"signbit", "isposinf", "isneginf"};
  return exact.count(name) ? OutDtype::Exact : predicates.count(name) ? OutDtype::Bool : OutDtype::Castable;
}

}  // namespace

void bind_ops(py::module_& m, py::class_<Tensor>& cls) {
  // ---- creation ---------------------------------------------------------------------
  m.def("tensor", [](py::handle data, std::optional<DType> dtype, py::handle device, bool requires_grad) {
          device_from(device, "tensor");
          return with_grad(tensor_from_data(data, dtype), requires_grad);
        }, py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false, "A new tensor holding a copy of data (nested sequences, numbers, arrays).");
  m.def("as_tensor", [](py::handle data, std::optional<DType> dtype, py::handle device) {
          device_from(device, "as_tensor");
          if (py::isinstance<Tensor>(data)) return to_dtype(data.cast<Tensor>(), dtype.value_or(data.cast<Tensor>().dtype()));
          if (py::isinstance<py::array>(data)) {
            try {
              Tensor t = from_numpy(data);
              return to_dtype(t, dtype.value_or(t.dtype()));
            } catch (const TypeError&) {
            } catch (const ValueError&) {
            }
          }
          return tensor_from_data(data, dtype);
        }, py::arg("data"), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        "Data as a tensor, sharing memory with a tensor or NumPy array when it can.");

#define EMBER_SIZED_CREATION(name, fill_expr)                                                                   \
  def_out(m, #name, OutDtype::Creation, [](py::args size, py::handle size_kw, std::optional<DType> dtype, py::handle device, \
                                           bool rg) {                                                           \
          return with_grad(fill_expr(size_from_args(size, size_kw, "size", #name), dtype.value_or(default_dtype()), \
                                     device_from(device, #name)), rg);                                             \
        }, py::kw_only(), py::arg("size") = py::none(), py::arg("dtype") = py::none(), py::arg("device") = py::none(), \
        py::arg("requires_grad") = false);
  EMBER_SIZED_CREATION(zeros, zeros)
  EMBER_SIZED_CREATION(ones, ones)
  EMBER_SIZED_CREATION(empty, empty)
#undef EMBER_SIZED_CREATION
  def_out(m, "full", OutDtype::Creation, [](py::handle size, Scalar value, std::optional<DType> dtype, py::handle device, bool requires_grad) {
          return with_grad(full(shape_from(size, "full"), value, dtype, device_from(device, "full")), requires_grad);
        }, py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  // Tensor.new_*: a new tensor with this one's dtype (unless given) and device; the size as
  // varargs or one sequence, as PyTorch's.
#define EMBER_NEW_SIZED(name, fill)                                                                         \
  cls.def(#name, [](const Tensor& t, py::args size, py::handle size_kw, std::optional<DType> dtype, py::handle device, \
                    bool rg) {                                                                              \
    device_from(device, #name);                                                                             \
    return with_grad(fill(size_from_args(size, size_kw, "size", #name), dtype.value_or(t.dtype()), t.device()), rg); \
  }, py::kw_only(), py::arg("size") = py::none(), py::arg("dtype") = py::none(), py::arg("device") = py::none(), \
     py::arg("requires_grad") = false);
  EMBER_NEW_SIZED(new_zeros, zeros)
  EMBER_NEW_SIZED(new_ones, ones)
  EMBER_NEW_SIZED(new_empty, empty)
#undef EMBER_NEW_SIZED
  cls.def("new_full", [](const Tensor& t, py::handle size, Scalar value, std::optional<DType> dtype, py::handle device,
                         bool rg) {
    device_from(device, "new_full");
    return with_grad(full(shape_from(size, "new_full"), value, dtype.value_or(t.dtype()), t.device()), rg);
  }, py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none(), py::arg("requires_grad") = false);
  cls.def("new_tensor", [](const Tensor& t, py::handle data, std::optional<DType> dtype, py::handle device, bool rg) {
    device_from(device, "new_tensor");
    return with_grad(tensor_from_data(data, dtype.value_or(t.dtype())), rg);
  }, py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
     py::arg("requires_grad") = false);
  // *_like: input's shape, its dtype unless given; device= is checked (the CPU is the only one).
#define EMBER_LIKE(name, make)                                                                                   \
  m.def(#name, [](const Tensor& t, std::optional<DType> dtype, py::handle device, bool rg) {                     \
          device_from(device, #name);                                                                            \
          return with_grad(make(t.sizes(), dtype.value_or(t.dtype())), rg);                                     \
        }, py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),      \
        py::arg("requires_grad") = false);
  EMBER_LIKE(zeros_like, zeros)
  EMBER_LIKE(ones_like, ones)
  EMBER_LIKE(empty_like, empty)
  EMBER_LIKE(rand_like, rand)
  EMBER_LIKE(randn_like, randn)
#undef EMBER_LIKE
  m.def("full_like", [](const Tensor& t, Scalar v, std::optional<DType> dtype, py::handle device, bool rg) {
          device_from(device, "full_like");
          return with_grad(full(t.sizes(), v, dtype.value_or(t.dtype())), rg);
        }, py::arg("input"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  def_out(m, "arange", OutDtype::Arange, [](std::optional<Scalar> a, std::optional<Scalar> b, Scalar step, std::optional<DType> dtype,
                     py::handle device, bool rg) {
          // arange(end), arange(start, end[, step]) or arange(end=...), as PyTorch.
          EMBER_CHECK_TYPE(a || b, "arange: expected an end value");
          if (!b) return with_grad(arange(0, *a, step, dtype, device_from(device, "arange")), rg);
          return with_grad(arange(a.value_or(Scalar(0)), *b, step, dtype, device_from(device, "arange")), rg);
        }, py::arg("start") = py::none(), py::arg("end") = py::none(), py::arg("step") = 1, py::kw_only(),
        py::arg("dtype") = py::none(), py::arg("device") = py::none(), py::arg("requires_grad") = false);
  def_out(m, "linspace", OutDtype::Range, [](double a, double b, int64_t steps, std::optional<DType> dtype, py::handle device, bool rg) {
          return with_grad(linspace(a, b, steps, dtype.value_or(default_dtype()), device_from(device, "linspace")), rg);
        }, py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  def_out(m, "eye", OutDtype::Creation, [](int64_t n, std::optional<int64_t> mm, std::optional<DType> dtype, py::handle device, bool rg) {
          return with_grad(eye(n, mm, dtype.value_or(default_dtype()), device_from(device, "eye")), rg);
        }, py::arg("n"), py::arg("m") = py::none(), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);

  // ---- copies and conversion ---------------------------------------------------------
  cls.def("copy_", [](py::object self, const Tensor& src, bool) { copy_(self.cast<Tensor&>(), src); return self; },
          py::arg("src"), py::arg("non_blocking") = false);
  // a Python number is copied as a 0-d tensor (torch's parser wraps it); others keep the TypeError
  cls.def("copy_", [](py::object self, py::handle src, bool) {
    EMBER_CHECK_TYPE(PyLong_Check(src.ptr()) || PyFloat_Check(src.ptr()), "copy_(): argument 'src' must be a Tensor "
                     "or a number, not ", std::string(py::str(src.get_type().attr("__name__"))));
    copy_(self.cast<Tensor&>(), tensor_or_scalar(src, "copy_", "src", &self.cast<Tensor&>()));
    return self;
  }, py::arg("src"), py::arg("non_blocking") = false);
  cls.def("fill_", [](py::object self, py::handle v) {
    Tensor& t = self.cast<Tensor&>();
    if (py::isinstance<Tensor>(v)) {
      const Tensor& vt = v.cast<const Tensor&>();
      EMBER_CHECK(vt.dim() == 0, "fill_: only supports a 0-dimension value tensor, but got one with shape ",
                  shape_str(vt.sizes()));
      fill_(t, vt.item());
    } else {
      fill_(t, v.cast<Scalar>());
    }
    return self;
  }, py::arg("value"));
  cls.def("zero_", [](py::object self) { zero_(self.cast<Tensor&>()); return self; });
  cls.def("resize_", [](py::object self, py::args size, py::kwargs kw) {
    resize_(self.cast<Tensor&>(), size_from_args(size, kw, "size", "resize_"));
    return self;
  }, "Gives the tensor the shape *size in place (contiguous), growing its memory when needed; new elements are "
     "uninitialized.");
  def_both(m, cls, "clone", &clone);
  // clone(memory_format=): preserve_format (torch's default) keeps a channels-last layout.
  const auto clone_in = [](const Tensor& t, py::handle format) {
    MemoryFormat f = memory_format_of(format, "clone", true);
    if (f == MemoryFormat::Preserve)
      f = is_channels_last(t, MemoryFormat::ChannelsLast) ? MemoryFormat::ChannelsLast
          : is_channels_last(t, MemoryFormat::ChannelsLast3d) ? MemoryFormat::ChannelsLast3d
                                                             : MemoryFormat::Contiguous;
    Tensor copy = clone(t);
    return f == MemoryFormat::Contiguous ? copy : in_memory_format(copy, f, "clone");
  };
  m.def("clone", clone_in, py::arg("input"), py::kw_only(), py::arg("memory_format"));
  cls.def("clone", clone_in, py::kw_only(), py::arg("memory_format"));
  cls.def("contiguous", [](py::object self) -> py::object {  // self when already contiguous, as torch's
    const Tensor& t = self.cast<const Tensor&>();
    return t.is_contiguous() ? self : py::cast(contiguous(t));
  });
  cls.def("contiguous", [](py::object self, py::handle format) -> py::object {
    const Tensor& t = self.cast<const Tensor&>();
    Tensor r = in_memory_format(t, memory_format_of(format, "contiguous"), "contiguous");
    return r.impl() == t.impl() ? self : py::cast(std::move(r));  // already so laid out: self, as torch's
  }, py::kw_only(), py::arg("memory_format"));
  cls.def("is_contiguous", [](const Tensor& t, py::handle format) {
    const MemoryFormat f = memory_format_of(format, "is_contiguous");
    return f == MemoryFormat::Contiguous || f == MemoryFormat::Preserve ? t.is_contiguous() : is_channels_last(t, f);
  }, py::kw_only(), py::arg("memory_format"));
  cls.def("to", &to_impl);
  cls.def("type", [](const Tensor& t, std::optional<DType> d) -> py::object {
    if (d) return py::cast(to_dtype(t, *d));
    // No dtype: the legacy type name, as torch's ("ember.FloatTensor").
    static const char* const kLegacyNames[kNumDTypes] = {"Bool", "Long", "Float", "Double", "Byte",
                                                         "Char", "Short", "Int", "Half", "BFloat16"};
    return py::str(std::string("ember.") + kLegacyNames[static_cast<int>(t.dtype())] + "Tensor");
  }, py::arg("dtype") = py::none());
  cls.def("float", [](const Tensor& t) { return to_dtype(t, DType::Float32); });
  cls.def("double", [](const Tensor& t) { return to_dtype(t, DType::Float64); });
  cls.def("long", [](const Tensor& t) { return to_dtype(t, DType::Int64); });
  cls.def("bool", [](const Tensor& t) { return to_dtype(t, DType::Bool); });
  cls.def("half", [](const Tensor& t) { return to_dtype(t, DType::Float16); });
  cls.def("bfloat16", [](const Tensor& t) { return to_dtype(t, DType::BFloat16); });
  cls.def("int", [](const Tensor& t) { return to_dtype(t, DType::Int32); });
  cls.def("short", [](const Tensor& t) { return to_dtype(t, DType::Int16); });
  cls.def("char", [](const Tensor& t) { return to_dtype(t, DType::Int8); });
  cls.def("byte", [](const Tensor& t) { return to_dtype(t, DType::UInt8); });
  cls.def("cpu", [](const Tensor& t) { return t; });
  cls.def("cuda", [](const Tensor& t, py::handle device, bool) -> Tensor {
    device_from(device.is_none() ? py::str("cuda") : device, "Tensor.cuda");  // raises: no CUDA backend
    return t;
  }, py::arg("device") = py::none(), py::arg("non_blocking") = false);
  cls.def("detach", [](const Tensor& t) { return Tensor::make_view(t, t.sizes(), t.strides(), t.offset()); });
  // Python numbers take part as wrapped numbers (a lower category decides nothing), as torch's
  m.def("result_type", [](py::handle a, py::handle b) {
    return result_type(tensor_or_scalar(a, "result_type", "tensor1"), tensor_or_scalar(b, "result_type", "tensor2"));
  }, py::arg("tensor1"), py::arg("tensor2"));
  m.def("promote_types", &promote_types, py::arg("type1"), py::arg("type2"));

  // ---- views ------------------------------------------------------------------------
  def_both(m, cls, "reshape", [](const Tensor& t, py::args shape, py::kwargs kw) {
    return reshape(t, size_from_args(shape, kw, "shape", "reshape"));
  });
  cls.def("view", [](const Tensor& t, py::args shape, py::kwargs kw) {
    if (shape.size() == 1 && py::isinstance<DType>(shape[0])) {
      EMBER_CHECK_RUNTIME(shape[0].cast<DType>() == t.dtype(), "view: reinterpreting the dtype is not supported");
      return t;
    }
    return view(t, size_from_args(shape, kw, "size", "view"));
  });
  cls.def("view_as", [](const Tensor& t, const Tensor& o) { return view(t, o.sizes()); });
  cls.def("reshape_as", [](const Tensor& t, const Tensor& o) { return reshape(t, o.sizes()); });
  def_both(m, cls, "transpose", &transpose, py::arg("dim0"), py::arg("dim1"));
  def_both(m, cls, "swapaxes", &transpose, py::arg("axis0"), py::arg("axis1"));
  cls.def("permute", [](const Tensor& t, py::args dims, py::kwargs kw) {
    return permute(t, size_from_args(dims, kw, "dims", "permute"));
  });
  m.def("permute", [](const Tensor& t, const Dims& dims) { return permute(t, dims); }, py::arg("input"), py::arg("dims"));
  def_both(m, cls, "t", [](const Tensor& t) {
    EMBER_CHECK(t.dim() <= 2, "t: expects a tensor with <= 2 dims, but got shape ", shape_str(t.sizes()));
    return reverse_dims(t);
  });
  cls.def_property_readonly("T", &reverse_dims);
  cls.def_property_readonly("mT", &matrix_transpose);
  cls.def("expand", [](const Tensor& t, py::args size, py::kwargs kw) {
    return expand(t, size_from_args(size, kw, "size", "expand"));
  });
  cls.def("expand_as", [](const Tensor& t, const Tensor& o) { return expand(t, o.sizes()); });
  m.def("broadcast_to", [](const Tensor& t, py::handle s) { return expand(t, shape_from(s, "broadcast_to")); },
        py::arg("input"), py::arg("size"));
  m.def("broadcast_shapes", [](py::args shapes) {
    Shape out;
    for (py::handle s : shapes) {
      // torch's (Python) broadcast_shapes takes ints and sequences, no tensor
      EMBER_CHECK_RUNTIME(!py::isinstance<Tensor>(s), "broadcast_shapes: input shapes should be of type ints, a tuple "
                          "of ints, or a list of ints, got a tensor");
      out = broadcast_shapes(out, shape_from(s, "broadcast_shapes"), "broadcast_shapes");
    }
    return to_size(out);
  });
  def_both(m, cls, "squeeze", [](const Tensor& t, py::handle dim) { return squeeze(t, dims_from(dim)); },
           py::arg("dim") = py::none());
  cls.def("squeeze", [](const Tensor& t, py::handle d0, py::handle d1, py::args rest) {  // x.squeeze(1, 3)
    py::list dims;
    dims.append(d0);
    dims.append(d1);
    for (py::handle d : rest) dims.append(d);
    return squeeze(t, dims_from(py::tuple(dims)));
  });
  def_both(m, cls, "unsqueeze", &unsqueeze, py::arg("dim"));
  def_both(m, cls, "flatten", &flatten, py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  def_both(m, cls, "unflatten", [](const Tensor& t, int64_t dim, py::handle sizes) {
    return unflatten(t, dim, shape_from(sizes, "unflatten"));
  }, py::arg("dim"), py::arg("sizes"));
  // start may be an int or (torch's Tensor overload) a 0-d integral tensor
  def_both(m, cls, "narrow", [](const Tensor& t, int64_t dim, py::handle start, int64_t length) {
    if (py::isinstance<Tensor>(start)) {
      const Tensor& s = start.cast<const Tensor&>();
      EMBER_CHECK_RUNTIME(s.dim() == 0 && !is_floating(s.dtype()), "narrow: start must be an 0-dim integral Tensor, got ",
                          dtype_name(s.dtype()), " of shape ", shape_str(s.sizes()));
      return narrow(t, dim, s.item<int64_t>(), length);
    }
    return narrow(t, dim, py_convert::index_of(start), length);
  }, py::arg("dim"), py::arg("start"), py::arg("length"));
  def_both(m, cls, "select", &select, py::arg("dim"), py::arg("index"));
  cls.def("unfold", &unfold, py::arg("dimension"), py::arg("size"), py::arg("step"),
          R"doc(unfold(dimension, size, step) -> Tensor

A view of the windows of ``size`` elements along ``dimension``, ``step`` apart, as a new last dim,
as torch.Tensor.unfold: the dim becomes the (size(dimension) - size) // step + 1 windows. Windows
overlap when step < size (their gradients then add up).

Args:
    dimension (int): the dim to slide along.
    size (int): the length of each window.
    step (int): the distance between the windows' starts (> 0).

Returns:
    Tensor: a view with one more dim.

Example::

    >>> ember.arange(7.).unfold(0, 3, 2)
    tensor([[0., 1., 2.],
            [2., 3., 4.],
            [4., 5., 6.]])
)doc");
  def_both(m, cls, "movedim", [](const Tensor& t, py::handle source, py::handle destination) {
    const bool one = is_index(source), other = is_index(destination);
    EMBER_CHECK_TYPE(one == other, "movedim: source and destination must both be ints or both sequences of ints, got ",
                     py::type::of(source).attr("__name__").cast<std::string>(), " and ",
                     py::type::of(destination).attr("__name__").cast<std::string>());
    if (one) return movedim(t, index_of(source), index_of(destination));
    return movedim(t, shape_from(source, "movedim"), shape_from(destination, "movedim"));
  }, py::arg("source"), py::arg("destination"), R"doc(movedim(input, source, destination) -> Tensor

A view of input with the dims at source moved to the positions at destination; the other dims
keep their order.

Args:
    input (Tensor): the tensor.
    source (int or sequence of ints): the dims to move.
    destination (int or sequence of ints): where they go, as many as source.

Returns:
    Tensor: a view of input.

Example::

    >>> ember.movedim(ember.zeros(2, 3, 4), (0, 1), (2, 0)).shape
    ember.Size([3, 4, 2])
)doc");

  // ---- joining and splitting ----------------------------------------------------------
  def_out(m, "cat", OutDtype::CastableTypeError, &cat, py::arg("tensors"), py::arg("dim") = 0);
  def_out(m, "concat", OutDtype::CastableTypeError, &cat, py::arg("tensors"), py::arg("dim") = 0);
  def_out(m, "stack", OutDtype::CastableTypeError, &stack, py::arg("tensors"), py::arg("dim") = 0);
  def_both(m, cls, "split", [](const Tensor& t, py::handle size, int64_t dim) {
    auto parts = is_index(size) ? split(t, index_of(size), dim)
                                          : split_with_sizes(t, shape_from(size, "split"), dim);
    return py::tuple(py::cast(parts));
  }, py::arg("split_size_or_sections"), py::arg("dim") = 0);
  def_both(m, cls, "chunk", [](const Tensor& t, int64_t n, int64_t dim) { return py::tuple(py::cast(chunk(t, n, dim))); },
           py::arg("chunks"), py::arg("dim") = 0);
  def_both(m, cls, "unbind", [](const Tensor& t, int64_t dim) { return py::tuple(py::cast(unbind(t, dim))); },
           py::arg("dim") = 0);

  // ---- indexing -----------------------------------------------------------------------
  // A number reads against the other operand when that is a tensor (2**63 beside a float tensor).
  // A number must fit the result's dtype, as torch's (16-bit floats excepted: torch lets them round to inf).
  auto where_of = [](const Tensor& c, const Tensor& at, const Tensor& bt, std::initializer_list<const Tensor*> numbers) {
    Tensor r = where(c, at, bt);
    if (r.dtype() != DType::Float16 && r.dtype() != DType::BFloat16)
      for (const Tensor* n : numbers) check_fits(n->item(), r.dtype(), "where");
    return r;
  };
  def_out(m, "where", OutDtype::Exact, [where_of](const Tensor& c, py::handle a, py::handle b) {
    if (py::isinstance<Tensor>(b)) {
      const Tensor& bt = b.cast<const Tensor&>();
      const Tensor at = tensor_or_scalar(a, "where", "input", &bt);
      return py::isinstance<Tensor>(a) ? where(c, at, bt) : where_of(c, at, bt, {&at});
    }
    const Tensor at = tensor_or_scalar(a, "where", "input");
    const Tensor bt = tensor_or_scalar(b, "where", "other", &at);
    return py::isinstance<Tensor>(a) ? where_of(c, at, bt, {&bt}) : where_of(c, at, bt, {&at, &bt});
  }, py::arg("condition"), py::arg("input"), py::arg("other"));
  cls.def("where", [where_of](const Tensor& self, const Tensor& c, py::handle b) {
    const Tensor bt = tensor_or_scalar(b, "where", "other", &self);
    return py::isinstance<Tensor>(b) ? where(c, self, bt) : where_of(c, self, bt, {&bt});
  }, py::arg("condition"), py::arg("other"));
  // sparse_grad is taken for torch's signature; the gradient is dense either way (no sparse tensors).
  def_both_out(m, cls, "gather", OutDtype::Exact, [](const Tensor& t, int64_t dim, const Tensor& index, bool) {
    return gather(t, dim, index);
  }, py::arg("dim"), py::arg("index"), py::kw_only(), py::arg("sparse_grad") = false);
  // src, or a number read in t's dtype (checked, unless nothing is written: torch skips it then)
  auto scatter_src = [](const Tensor& t, const Tensor& index, py::handle src) {
    if (py::isinstance<Tensor>(src)) return src.cast<Tensor>();
    if (index.numel() == 0) return zeros(index.sizes(), t.dtype());
    return expand(full({}, src.cast<Scalar>(), t.dtype()), index.sizes());
  };
  def_both(m, cls, "scatter", [=](const Tensor& t, int64_t dim, const Tensor& index, py::handle src) {
    return scatter(t, dim, index, scatter_src(t, index, src));
  }, py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def("scatter_", [=](py::object self, int64_t dim, const Tensor& index, py::handle src) {
    Tensor& t = self.cast<Tensor&>();
    scatter_(t, dim, index, scatter_src(t, index, src));
    return self;
  }, py::arg("dim"), py::arg("index"), py::arg("src"));
  def_both(m, cls, "scatter_add", &scatter_add, py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def("scatter_add_", [](py::object self, int64_t dim, const Tensor& index, const Tensor& src) {
    scatter_add_(self.cast<Tensor&>(), dim, index, src);
    return self;
  }, py::arg("dim"), py::arg("index"), py::arg("src"));
  def_both(m, cls, "scatter_reduce", &scatter_reduce, py::arg("dim"), py::arg("index"), py::arg("src"),
           py::arg("reduce"), py::kw_only(), py::arg("include_self") = true, kScatterReduceDoc);
  cls.def("scatter_reduce_", [](py::object self, int64_t dim, const Tensor& index, const Tensor& src,
                                const std::string& reduce, bool include_self) {
    scatter_reduce_(self.cast<Tensor&>(), dim, index, src, reduce, include_self);
    return self;
  }, py::arg("dim"), py::arg("index"), py::arg("src"), py::arg("reduce"), py::kw_only(), py::arg("include_self") = true,
     "scatter_reduce_(dim, index, src, reduce, *, include_self=True) -> Tensor\n\nIn-place version of "
     ":meth:`Tensor.scatter_reduce`.\n\nExample::\n\n    >>> x = ember.zeros(2)\n"
     "    >>> x.scatter_reduce_(0, ember.tensor([1, 1]), ember.tensor([2., 3.]), \"sum\")\n    tensor([0., 5.])\n");
  def_both_out(m, cls, "index_select", OutDtype::Exact, &index_select, py::arg("dim"), py::arg("index"));
  def_both(m, cls, "masked_fill", [](const Tensor& t, const Tensor& mask, py::handle v) {
    if (py::isinstance<Tensor>(v)) return masked_fill(t, mask, v.cast<Tensor>());
    return masked_fill(t, mask, v.cast<Scalar>());
  }, py::arg("mask"), py::arg("value"));
  cls.def("masked_fill_", [](py::object self, const Tensor& mask, py::handle v) {
    if (py::isinstance<Tensor>(v)) masked_fill_(self.cast<Tensor&>(), mask, v.cast<Tensor>());
    else masked_fill_(self.cast<Tensor&>(), mask, v.cast<Scalar>());
    return self;
  }, py::arg("mask"), py::arg("value"));
  def_both_out(m, cls, "masked_select", OutDtype::Exact, &masked_select, py::arg("mask"));
  // index_put(indices, values, accumulate): indices is a tuple of index tensors (None: a whole dim).
  auto index_list = [](py::handle indices) {
    std::vector<TensorIndex> out;
    for (py::handle h : indices) {
      if (h.is_none()) out.emplace_back(Slice{});
      else out.emplace_back(h.cast<Tensor>());
    }
    return out;
  };
  // index_put wants values of self's dtype, as torch's (x[i] = v casts; index_put does not)
  auto same_dtype = [](const Tensor& t, const Tensor& values, const char* op) {
    EMBER_CHECK_TYPE(values.dtype() == t.dtype(), op, ": requires the source and destination dtypes match, got ",
                     dtype_name(t.dtype()), " for the destination and ", dtype_name(values.dtype()), " for the source");
  };
  def_both(m, cls, "index_put", [index_list, same_dtype](const Tensor& t, py::tuple indices, const Tensor& values,
                                                         bool acc) {
    same_dtype(t, values, "index_put");
    return index_put(t, index_list(indices), values, acc);
  }, py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  cls.def("index_put_", [index_list, same_dtype](py::object self, py::tuple indices, const Tensor& values, bool acc) {
    same_dtype(self.cast<const Tensor&>(), values, "index_put_");
    index_put_(self.cast<Tensor&>(), index_list(indices), values, acc);
    return self;
  }, py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  def_both(m, cls, "nonzero", [](const Tensor& t, bool as_tuple) -> py::object {
    Tensor nz = nonzero(t);
    if (!as_tuple) return py::cast(nz);
    // A 0-d input is read as 1-d, as torch's: one index tensor, [0] where it is nonzero.
    return py::tuple(py::cast(t.dim() == 0 ? Tensors{zeros({nz.sizes()[0]}, DType::Int64)} : unbind(nz, 1)));
  }, py::kw_only(), py::arg("as_tuple") = false);
  def_both(m, cls, "count_nonzero", [](const Tensor& t, py::handle dim) { return count_nonzero(t, dims_from(dim)); },
           py::arg("dim") = py::none(), kCountNonzeroDoc);

  // ---- pointwise ----------------------------------------------------------------------
#define EMBER_UNARY(name, kind, formula, doc, ...)                                            \
  def_both_out(m, cls, #name, unary_out_rule(#name), releasing(static_cast<Tensor (*)(const Tensor&)>(&name)), doc); \
  cls.def(#name "_", [](py::object self) {                                                \
    Tensor& t = self.cast<Tensor&>();                                                     \
    py_gil::Release nogil(heavy(t));                                                      \
    name##_(t);                                                                           \
    return self;                                                                          \
  });
#define EMBER_BINARY(name, kind, formula, doc, ...)                                                              \
  def_both_out(m, cls, #name, OutDtype::Castable, releasing(static_cast<Tensor (*)(const Tensor&, const Tensor&)>(&name)), \
           py::arg("other"), doc);                                                                          \
  def_both_out(m, cls, #name, OutDtype::Castable, [](const Tensor& a, py::handle b) {                       \
    const Tensor bt = tensor_or_scalar(b, #name, "other", &a);                                              \
    py_gil::Release nogil(heavy(a, bt));                                                                    \
    return name(a, bt);                                                                                     \
  }, py::arg("other"), doc);                                                                                \
  cls.def(#name "_", [](py::object self, py::handle b) {                                                   \
    Tensor& t = self.cast<Tensor&>();                                                                      \
    const Tensor bt = tensor_or_scalar(b, #name "_", "other", &t);                                         \
    {                                                                                                      \
      py_gil::Release nogil(heavy(t, bt));                                                                 \
      name##_(t, bt);                                                                                      \
    }                                                                                                      \
    return self;                                                                                           \
  }, py::arg("other"));
#include "ember/elementwise.def"
  // round(input, *, decimals): PyTorch's round.decimals (floating tensors only, even for decimals=0).
  def_both_out(m, cls, "round", unary_out_rule("round"), [](const Tensor& t, int64_t decimals) {
    return round_decimals(t, decimals);
  }, py::kw_only(), py::arg("decimals"));
  cls.def("round_", [](py::object self, int64_t decimals) {
    round_decimals_(self.cast<Tensor&>(), decimals);
    return self;
  }, py::kw_only(), py::arg("decimals"));
  // The ops PyTorch also takes with a Python number first: ember.add(1.5, x) is 1.5 + x.
#define EMBER_SCALAR_FIRST(name)                                                                     \
  def_out(m, #name, OutDtype::Castable,                                                               \
          [](py::handle a, const Tensor& b) { return name(tensor_or_scalar(a, #name, "input", &b), b); }, \
          py::arg("input"), py::arg("other"));
  EMBER_SCALAR_FIRST(add)
  EMBER_SCALAR_FIRST(sub)
  EMBER_SCALAR_FIRST(mul)
  EMBER_SCALAR_FIRST(div)
  EMBER_SCALAR_FIRST(pow)
  EMBER_SCALAR_FIRST(remainder)
  EMBER_SCALAR_FIRST(floor_divide)
  EMBER_SCALAR_FIRST(bitwise_and)
  EMBER_SCALAR_FIRST(bitwise_or)
  EMBER_SCALAR_FIRST(bitwise_xor)
  EMBER_SCALAR_FIRST(bitwise_left_shift)
  EMBER_SCALAR_FIRST(bitwise_right_shift)
  EMBER_SCALAR_FIRST(xlogy)
#undef EMBER_SCALAR_FIRST
  // Two numbers, where torch takes them: the first as torch.tensor(number), the second wrapped.
#define EMBER_NUMBERS(name)                                                                      \
  def_out(m, #name, OutDtype::Castable, [](py::handle a, py::handle b) {                          \
    const Tensor at = tensor_from_data(a, std::nullopt);                                          \
    return name(at, tensor_or_scalar(b, #name, "other", &at));                                    \
  }, py::arg("input"), py::arg("other"));
  EMBER_NUMBERS(add)
  EMBER_NUMBERS(sub)
  EMBER_NUMBERS(mul)
  EMBER_NUMBERS(div)
  EMBER_NUMBERS(floor_divide)
#undef EMBER_NUMBERS
  // add/sub(input, other, *, alpha=1): input ± alpha * other (ember::add/sub with alpha: fused as
  // torch's for float32 and float64); calls without alpha take the overloads above. alpha is
  // checked as torch's: a number, no float alpha for integer or bool results, a bool one for bool
  // results only; it takes no part in the promotion.
  auto alpha_of = [](const Tensor& a, const Tensor& b, py::handle alpha_arg, const char* op) {
    const DType result = result_type(a, b);
    // A 0-d tensor that needs no gradient stands for its number, as in PyTorch's parser (alpha=-lr).
    const py::object alpha = number_if_0d(alpha_arg);
    EMBER_CHECK_TYPE(std::string(op) != "sub" || (a.dtype() != DType::Bool && b.dtype() != DType::Bool), op,
                     ": subtraction, the `-` operator, with a bool tensor is not supported; use ~ or logical_not() "
                     "to invert a mask");
    const bool is_bool = PyBool_Check(alpha.ptr());
    EMBER_CHECK_TYPE(is_bool || PyLong_Check(alpha.ptr()) || PyFloat_Check(alpha.ptr()), op,
                     ": argument 'alpha' must be a number, not ", std::string(py::str(alpha.get_type().attr("__name__"))));
    EMBER_CHECK_TYPE(!is_bool || result == DType::Bool, op, ": a bool alpha is only taken for bool results, not ",
                     dtype_name(result));
    EMBER_CHECK_TYPE(is_floating(result) || !PyFloat_Check(alpha.ptr()), op,
                     ": an integer result (", dtype_name(result), ") needs an integer alpha, got ", std::string(py::repr(alpha)));
    return alpha.cast<Scalar>();
  };
  for (auto [name, sign] : {std::pair{"add", 1}, {"sub", -1}}) {
    auto with_alpha = [=](const Tensor& a, py::handle b, py::handle alpha) {
      const Tensor bt = tensor_or_scalar(b, name, "other", &a);
      const Scalar k = alpha_of(a, bt, alpha, name);
      return sign > 0 ? add(a, bt, k) : sub(a, bt, k);
    };
    def_both_out(m, cls, name, OutDtype::Castable, with_alpha, py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
    // a number input: wrapped beside a tensor (torch's parser), as torch.tensor(number) beside a
    // number (EMBER_NUMBERS above)
    def_out(m, name, OutDtype::Castable, [=](py::handle a, py::handle b, py::handle alpha) {
      if (!py::isinstance<Tensor>(b)) return with_alpha(tensor_from_data(a, std::nullopt), b, alpha);
      const Tensor& bt = b.cast<const Tensor&>();
      return with_alpha(tensor_or_scalar(a, name, "input", &bt), b, alpha);
    }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
    cls.def((std::string(name) + "_").c_str(), [=](py::object self, py::handle b, py::handle alpha) {
      Tensor& t = self.cast<Tensor&>();
      const Tensor bt = tensor_or_scalar(b, name, "other", &t);
      const Scalar k = alpha_of(t, bt, alpha, name);
      if (sign > 0) add_(t, bt, k);
      else sub_(t, bt, k);
      return self;
    }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  }
  // div(input, other, *, rounding_mode): None, 'trunc' or 'floor'.
  def_both_out(m, cls, "div", OutDtype::Castable, [](const Tensor& a, py::handle b, std::optional<std::string> mode) {
    return div(a, tensor_or_scalar(b, "div", "other", &a), mode);
  }, py::arg("other"), py::kw_only(), py::arg("rounding_mode"), R"doc(
With rounding_mode: None is true division; 'trunc' rounds toward zero and 'floor' down (as
floor_divide), integer inputs then giving integers. A rounded quotient has zero gradient.

Example::

    >>> ember.div(ember.tensor([-7, 7]), 2, rounding_mode="trunc")
    tensor([-3, 3])
)doc");
  def_out(m, "div", OutDtype::Castable, [](py::handle a, py::handle b, std::optional<std::string> mode) {
    if (py::isinstance<Tensor>(b)) {
      const Tensor& bt = b.cast<const Tensor&>();
      return div(tensor_or_scalar(a, "div", "input", &bt), bt, mode);
    }
    const Tensor at = tensor_from_data(a, std::nullopt);  // two numbers (EMBER_NUMBERS)
    return div(at, tensor_or_scalar(b, "div", "other", &at), mode);
  }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("rounding_mode"));
  cls.def("div_", [](py::object self, py::handle b, std::optional<std::string> mode) {
    Tensor& t = self.cast<Tensor&>();
    div_(t, tensor_or_scalar(b, "div_", "other", &t), mode);
    return self;
  }, py::arg("other"), py::kw_only(), py::arg("rounding_mode"));
  // PyTorch's aliases.
  for (auto [alias, target] : {std::pair{"subtract", "sub"}, {"multiply", "mul"}, {"divide", "div"},
                               {"true_divide", "div"}, {"negative", "neg"}, {"absolute", "abs"}, {"arctan2", "atan2"},
                               {"arcsinh", "asinh"}, {"arccosh", "acosh"}, {"arctanh", "atanh"},
                               {"greater", "gt"}, {"less", "lt"}, {"greater_equal", "ge"}, {"less_equal", "le"},
                               {"not_equal", "ne"}}) {
    m.attr(alias) = m.attr(target);
    cls.attr(alias) = cls.attr(target);
  }
  auto clamp_fn = [](const Tensor& t, py::handle lo, py::handle hi) {
    return clamp(t, bound(lo, hi, t, "clamp", "min"), bound(hi, lo, t, "clamp", "max"));
  };
  cls.def("clamp", clamp_fn, py::arg("min") = py::none(), py::arg("max") = py::none());
  // torch's clamp with tensor bounds casts into out as a pointwise op does; with a number
  // bound (its Scalar overload) out's dtype must be the result's.
  m.def("clamp", [clamp_fn](const Tensor& t, py::handle lo, py::handle hi, py::object out) -> py::object {
    const Tensor r = clamp_fn(t, lo, hi);
    if (out.is_none()) return py::cast(r);
    const bool tensors = (lo.is_none() || py::isinstance<Tensor>(lo)) && (hi.is_none() || py::isinstance<Tensor>(hi));
    return py_out::write_out(py::cast(r), out, "clamp", tensors ? OutDtype::Castable : OutDtype::Exact);
  }, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none(), py::kw_only(),
     py::arg("out") = py::none());
  m.attr("clip") = m.attr("clamp");
  cls.attr("clip") = cls.attr("clamp");
  cls.def("clamp_", [](py::object self, py::handle lo, py::handle hi) {
    Tensor& t = self.cast<Tensor&>();
    clamp_(t, bound(lo, hi, t, "clamp_", "min"), bound(hi, lo, t, "clamp_", "max"));
    return self;
  }, py::arg("min") = py::none(), py::arg("max") = py::none());
  def_both(m, cls, "isclose", &isclose, py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8,
           py::arg("equal_nan") = false);
  def_both(m, cls, "allclose", &allclose, py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8,
           py::arg("equal_nan") = false);
  def_both(m, cls, "equal", &equal, py::arg("other"));

  // ---- linear algebra -----------------------------------------------------------------
  def_both_out(m, cls, "matmul", OutDtype::Exact, releasing(&matmul), py::arg("other"));
  def_both_out(m, cls, "mm", OutDtype::Exact, releasing(&mm), py::arg("mat2"));
  def_both_out(m, cls, "bmm", OutDtype::Exact, releasing(&bmm), py::arg("mat2"));
  def_both_out(m, cls, "mv", OutDtype::Exact, &mv, py::arg("vec"));
  def_both_out(m, cls, "dot", OutDtype::Exact, &dot, py::arg("other"));
  def_both_out(m, cls, "outer", OutDtype::Castable, &outer, py::arg("vec2"));  // torch's is a mul

  m.def("set_num_threads", &set_num_threads, py::arg("n"), R"doc(set_num_threads(n) -> None

Sets the number of threads ember's CPU kernels (OpenMP) and BLAS use, for the whole process:
threads started afterwards use it too, as torch.set_num_threads. While matmuls from several
Python threads overlap, each runs on one BLAS thread.

Args:
    n (int): threads, 1 to 1024.

Example::

    >>> ember.set_num_threads(1)
    >>> ember.get_num_threads()
    1
)doc");
  m.def("get_num_threads", &get_num_threads, R"doc(get_num_threads() -> int

The number of threads ember's CPU kernels use on the calling thread (set_num_threads's count once
it was called, OpenMP's default before).

Returns:
    int: the thread count.

Example::

    >>> ember.get_num_threads() >= 1
    True
)doc");
}

}  // namespace ember
