#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/scalar.h"
#include "ember/shape.h"

namespace ember {

/// A block of memory shared by a tensor and its views. `owner` frees it (or releases the NumPy
/// array / DLPack capsule it came from) when the last view goes.
struct EMBER_API Storage {
  std::shared_ptr<void> owner;
  int64_t nbytes = 0;
  Device device;
  /// Bumped by every in-place write; autograd compares it to catch changed saved tensors.
  std::atomic<uint32_t> version{0};
  /// Memory that must not be written (a read-only NumPy array or DLPack capsule).
  bool readonly = false;

  /// Fresh, 64-byte aligned, uninitialized CPU memory; raises naming op when it cannot be had.
  static std::shared_ptr<Storage> allocate(int64_t nbytes, Device device, const char* op);
  /// Wraps memory owned elsewhere: `owner` keeps it alive and releases it.
  static std::shared_ptr<Storage> wrap(std::shared_ptr<void> owner, int64_t nbytes, Device device);
  void* data() const { return owner.get(); }
};

class Tensor;
namespace graph {
struct CaptureState;
namespace detail {
/// This thread's capture (ember/graph.h), null when none is recording: one load on the hot path.
/// The default TLS model on purpose: initial-exec would put all of libember_core's thread-locals
/// (the block caches' kilobytes too) in the static TLS block, which a dlopen'ed library cannot get.
extern EMBER_API thread_local CaptureState* t_capture;
/// The host touched t's memory outside a kernel while capturing (data-dependent unless constant).
EMBER_API void host_access(const Tensor& t);
}  // namespace detail
}  // namespace graph

struct AutogradMeta;  // defined by the autograd engine; null while a tensor needs no gradient

/// What a Tensor handle points to: storage plus the strided view of it.
struct EMBER_API TensorImpl {
  TensorImpl();
  ~TensorImpl();
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  std::shared_ptr<Storage> storage;
  Shape sizes;
  Shape strides;        // in elements, may be 0 (broadcast)
  int64_t offset = 0;   // in elements
  int64_t numel = 0;
  DType dtype = DType::Float32;
  bool is_wrapped_number = false;  // a Python scalar made a 0-d tensor: lower promotion priority
  std::shared_ptr<AutogradMeta> autograd;  // null until the tensor takes part in autograd
  /// Views: the tensor that owns the memory (never itself a view). Autograd routes in-place
  /// writes through a view to it.
  std::shared_ptr<TensorImpl> view_base;
  /// Views: the storage version when the view's history was last set (a later in-place write
  /// to the memory makes autograd rebuild it from the base's).
  uint32_t view_version = 0;
  /// Views taken with grad mode off from a base that requires grad: autograd refuses in-place
  /// writes through them with grad mode on (the base's history could not see them).
  bool view_without_grad = false;
};

/// A cheap, shared handle to a TensorImpl. Copies alias; views share storage.
class EMBER_API Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  /// Uninitialized tensor of the given shape (sizes are checked here, once).
  static Tensor empty(const Shape& sizes, DType dtype = DType::Float32, Device device = {});
  /// A view of `base`'s storage with new geometry (no copy, no checks beyond numel).
  static Tensor make_view(const Tensor& base, Shape sizes, Shape strides, int64_t offset);

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  const Shape& sizes() const { return impl_->sizes; }
  const Shape& strides() const { return impl_->strides; }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return static_cast<int64_t>(impl_->sizes.size()); }
  int64_t numel() const { return impl_->numel; }
  int64_t offset() const { return impl_->offset; }
  DType dtype() const { return impl_->dtype; }
  Device device() const { return impl_->storage->device; }
  int64_t itemsize() const { return ::ember::itemsize(impl_->dtype); }
  int64_t nbytes() const { return numel() * itemsize(); }
  bool is_contiguous() const;
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  const std::shared_ptr<Storage>& storage() const { return impl_->storage; }

  /// Address of element 0 of this view.
  void* raw_data() const {
    if (graph::detail::t_capture) [[unlikely]] graph::detail::host_access(*this);
    return static_cast<char*>(impl_->storage->data()) + impl_->offset * itemsize();
  }
  template <class T>
  T* data() const {
    EMBER_CHECK_TYPE(dtype_of<T>::value == dtype(), "data: tensor has dtype ", dtype_name(dtype()));
    return static_cast<T*>(raw_data());
  }
  /// The single value of a one-element tensor.
  Scalar item() const;
  template <class T>
  T item() const { return item().to<T>(); }

  /// Raises when elements of this view share memory (a stride-0 dim of size > 1, as expand
  /// makes): an in-place op would write them several times over.
  void check_in_place(const char* op) const;
  /// Raises when the memory is read-only.
  void check_writable(const char* op) const;
  /// Marks an in-place write (see Storage::version).
  void bump_version() const { impl_->storage->version.fetch_add(1, std::memory_order_relaxed); }
  /// Marks this tensor as a view of `of` (sharing its memory), for autograd's in-place rules.
  void set_view_of(const Tensor& of) const;
  bool is_view() const { return impl_->view_base != nullptr; }

  // Autograd (see ember/autograd.h for the rest).
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  Tensor grad() const;
  /// Gradients of this tensor into every leaf's .grad (gradient defaults to 1 for a scalar).
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = {}, bool create_graph = false) const;
  Tensor detach() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

}  // namespace ember
