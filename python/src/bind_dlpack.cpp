// DLPack both ways: Tensor.__dlpack__ / __dlpack_device__ and ember.from_dlpack.
#include "convert.h"
#include "dlpack.h"

namespace ember {
namespace {

/// Keeps the exported tensor (and so its storage) alive until the consumer calls the deleter.
template <class Managed>
struct Export {
  Tensor tensor;
  std::vector<int64_t> shape, strides;
  Managed managed{};
};

DLDataType dl_dtype(DType t) {
  const uint8_t bits = static_cast<uint8_t>(itemsize(t) * 8);
  if (t == DType::Bool) return {kDLBool, 8, 1};
  if (t == DType::UInt8) return {kDLUInt, 8, 1};
  if (t == DType::BFloat16) return {kDLBfloat, 16, 1};
  return {static_cast<uint8_t>(is_floating(t) ? kDLFloat : kDLInt), bits, 1};
}

template <class Managed>
Managed* make_managed(const Tensor& t) {
  auto* ctx = new Export<Managed>{t, t.sizes(), t.strides(), {}};
  DLTensor& dl = ctx->managed.dl_tensor;
  dl.data = t.storage()->data();
  dl.byte_offset = static_cast<uint64_t>(t.offset() * t.itemsize());
  dl.device = {kDLCPU, 0};
  dl.ndim = static_cast<int32_t>(t.dim());
  dl.dtype = dl_dtype(t.dtype());
  dl.shape = ctx->shape.data();
  dl.strides = ctx->strides.data();
  ctx->managed.manager_ctx = ctx;
  ctx->managed.deleter = [](Managed* self) { delete static_cast<Export<Managed>*>(self->manager_ctx); };
  return &ctx->managed;
}

template <class Managed>
void capsule_destructor(PyObject* capsule) {
  // Only a capsule nobody consumed still owns its tensor (consumers rename it "used_...").
  const char* name = std::is_same_v<Managed, DLManagedTensor> ? "dltensor" : "dltensor_versioned";
  if (!PyCapsule_IsValid(capsule, name)) return;
  auto* m = static_cast<Managed*>(PyCapsule_GetPointer(capsule, name));
  if (m && m->deleter) m->deleter(m);
}

py::object to_dlpack(const Tensor& t, py::object stream, py::object max_version, py::object dl_device, py::object copy) {
  EMBER_CHECK_RUNTIME(!t.requires_grad(), "__dlpack__: Can't export tensors that require gradient, use tensor.detach()");
  EMBER_CHECK_RUNTIME(t.device().is_cpu(), "__dlpack__: only CPU tensors can be exported");
  EMBER_CHECK(stream.is_none() || stream.equal(py::int_(-1)), "__dlpack__: stream must be None for CPU tensors");
  if (!dl_device.is_none()) {
    auto dev = dl_device.cast<std::pair<int, int>>();
    EMBER_CHECK(dev.first == kDLCPU, "__dlpack__: cannot export to device type ", dev.first, " (only CPU)");
  }
  Tensor src = (!copy.is_none() && copy.cast<bool>()) ? clone(t) : t;
  const bool versioned = !max_version.is_none() && max_version.cast<std::pair<int, int>>().first >= 1;
  if (versioned) {
    DLManagedTensorVersioned* m = make_managed<DLManagedTensorVersioned>(src);
    m->version = {1, 0};
    m->flags = (!copy.is_none() && copy.cast<bool>()) ? 2u : 0u;
    return py::reinterpret_steal<py::object>(
        PyCapsule_New(m, "dltensor_versioned", capsule_destructor<DLManagedTensorVersioned>));
  }
  DLManagedTensor* m = make_managed<DLManagedTensor>(src);
  return py::reinterpret_steal<py::object>(PyCapsule_New(m, "dltensor", capsule_destructor<DLManagedTensor>));
}

DType dtype_from_dl(DLDataType d) {
  EMBER_CHECK_TYPE(d.lanes == 1, "from_dlpack: vector dtypes (lanes=", d.lanes, ") are not supported");
  for (int t = 0; t < kNumDTypes; ++t) {
    const DLDataType c = dl_dtype(static_cast<DType>(t));
    if (c.code == d.code && c.bits == d.bits) return static_cast<DType>(t);
  }
  throw TypeError(detail::cat("from_dlpack: unsupported dtype (code ", int(d.code), ", ", int(d.bits),
                              " bits); supported: bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, "
                              "float64"));
}

/// Wraps a consumed DLTensor; release() runs the producer's deleter when the storage goes.
Tensor wrap_dl(const DLTensor& dl, std::function<void()> release) {
  EMBER_CHECK_RUNTIME(dl.device.device_type == kDLCPU, "from_dlpack: only CPU tensors can be imported, got device type ",
                      dl.device.device_type);
  std::shared_ptr<void> guard(nullptr, [release](void*) { release(); });  // frees even if a check throws
  const DType dt = dtype_from_dl(dl.dtype);
  EMBER_CHECK(dl.ndim >= 0 && dl.ndim <= 64, "from_dlpack: at most 64 dims are supported, got ", dl.ndim);
  Shape sizes(dl.shape, dl.shape + dl.ndim);
  Shape strides = dl.strides ? Shape(dl.strides, dl.strides + dl.ndim) : contiguous_strides(sizes);
  int64_t extent = itemsize(dt);
  for (int32_t d = 0; d < dl.ndim; ++d) {
    EMBER_CHECK(strides[d] >= 0, "from_dlpack: negative strides are not supported");
    if (sizes[d] == 0) extent = 0;
    else if (extent) extent += (sizes[d] - 1) * strides[d] * itemsize(dt);
  }
  char* base = static_cast<char*>(dl.data) + dl.byte_offset;
  std::shared_ptr<void> owner(base, [guard](void*) mutable { guard.reset(); });
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::wrap(std::move(owner), extent, Device{});
  impl->numel = checked_numel(sizes, itemsize(dt), "from_dlpack");
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->dtype = dt;
  return Tensor(std::move(impl));
}

Tensor from_dlpack(py::object obj) {
  py::object capsule = obj;
  if (py::hasattr(obj, "__dlpack__")) {
    if (py::hasattr(obj, "__dlpack_device__")) {
      auto dev = obj.attr("__dlpack_device__")().cast<std::pair<int, int>>();
      EMBER_CHECK_RUNTIME(dev.first == kDLCPU, "from_dlpack: only CPU tensors can be imported, got device type ",
                          dev.first);
    }
    try {
      capsule = obj.attr("__dlpack__")(py::arg("max_version") = py::make_tuple(1, 0));
    } catch (py::error_already_set& e) {
      if (!e.matches(PyExc_TypeError)) throw;
      capsule = obj.attr("__dlpack__")();  // a producer from before DLPack 1.0
    }
  }
  PyObject* c = capsule.ptr();
  auto release_gil = [](auto fn) {
    return [fn]() {
      py::gil_scoped_acquire gil;
      fn();
    };
  };
  if (PyCapsule_IsValid(c, "dltensor_versioned")) {
    auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(c, "dltensor_versioned"));
    EMBER_CHECK_RUNTIME(m->version.major == 1, "from_dlpack: unsupported DLPack version ", m->version.major, ".",
                        m->version.minor);
    PyCapsule_SetName(c, "used_dltensor_versioned");
    return wrap_dl(m->dl_tensor, release_gil([m] { if (m->deleter) m->deleter(m); }));
  }
  if (PyCapsule_IsValid(c, "dltensor")) {
    auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(c, "dltensor"));
    PyCapsule_SetName(c, "used_dltensor");
    return wrap_dl(m->dl_tensor, release_gil([m] { if (m->deleter) m->deleter(m); }));
  }
  throw TypeError(detail::cat("from_dlpack: expected an object with __dlpack__ or an unused DLPack capsule, got ",
                              std::string(py::str(obj.get_type().attr("__name__")))));
}

}  // namespace

void bind_dlpack(py::module_& m, py::class_<Tensor>& cls) {
  cls.def("__dlpack__", &to_dlpack, py::kw_only(), py::arg("stream") = py::none(), py::arg("max_version") = py::none(),
          py::arg("dl_device") = py::none(), py::arg("copy") = py::none(),
          "Exports the tensor as a DLPack capsule (zero copy).");
  cls.def("__dlpack_device__", [](const Tensor& t) { return py::make_tuple(static_cast<int>(kDLCPU), 0); });
  m.def("from_dlpack", &from_dlpack, py::arg("ext_tensor"),
        "A tensor sharing memory with any DLPack producer (PyTorch, NumPy, JAX, CuPy on CPU).");
}

}  // namespace ember
