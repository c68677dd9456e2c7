// Tensor, Storage and the shape helpers: the one place sizes are checked.
#include "ember/tensor.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <limits>

#include "block_cache.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::UInt8: return "uint8";
    case DType::Int8: return "int8";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
  }
  return "?";
}

namespace {
thread_local const char* t_kernel_op = nullptr;
}
KernelScope::KernelScope(const char* op) : outer_(t_kernel_op) { t_kernel_op = op; }
KernelScope::~KernelScope() { t_kernel_op = outer_; }
const char* KernelScope::current() { return t_kernel_op; }

void dtype_not_implemented(DType t) {
  throw TypeError(std::string(t_kernel_op ? t_kernel_op : "ember") + ": not implemented for dtype " + dtype_name(t));
}

namespace {
std::atomic<DType> g_default_dtype{DType::Float32};
}
DType default_dtype() { return g_default_dtype.load(std::memory_order_relaxed); }
void set_default_dtype(DType t) {
  EMBER_CHECK_TYPE(is_floating(t), "set_default_dtype: only floating-point types are supported as the default type, got ",
                   dtype_name(t));
  g_default_dtype.store(t, std::memory_order_relaxed);
}

std::string Device::str() const {
  if (type == DeviceType::CPU) return "cpu";
  return index < 0 ? "cuda" : "cuda:" + std::to_string(index);
}

bool cuda_is_built() { return false; }

void check_device_available(Device d, const char* op) {
  if (d.is_cpu() || cuda_is_built()) return;
  throw DeviceUnavailableError(std::string(op) + ": " + kNoCudaMessage);
}

Device Device::parse(const std::string& s) {
  if (s == "cpu" || s == "cpu:0") return {};
  if (s == "cuda") return {DeviceType::CUDA, -1};
  if (s.rfind("cuda:", 0) == 0 && s.size() > 5 && s.size() < 12 &&
      s.find_first_not_of("0123456789", 5) == std::string::npos)
    return {DeviceType::CUDA, std::stoi(s.substr(5))};
  throw RuntimeError("device: expected a device string such as 'cpu', 'cuda' or 'cuda:0', got '" + s + "'");
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

namespace {
int64_t physical_memory_bytes() {
  static const int64_t bytes = [] {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : std::numeric_limits<int64_t>::max();
  }();
  return bytes;
}
}  // namespace

int64_t checked_numel(const Shape& s, int64_t itemsize, const char* op) {
  int64_t n = 1, stride = 1;
  bool overflow = false, stride_overflow = false;
  for (int64_t d : s) {
    EMBER_CHECK(d >= 0, op, ": negative dimension ", d, " in shape ", shape_str(s));
    overflow = overflow || __builtin_mul_overflow(n, d, &n);
    // the strides skip zero sizes (contiguous_strides), so an empty shape can overflow them too
    stride_overflow = stride_overflow || __builtin_mul_overflow(stride, std::max<int64_t>(d, 1), &stride);
  }
  int64_t bytes = 0;
  overflow = overflow || __builtin_mul_overflow(n, itemsize, &bytes);
  EMBER_CHECK(!overflow, op, ": shape ", shape_str(s), " has too many elements (the byte count overflows int64)");
  EMBER_CHECK_RUNTIME(!stride_overflow, op, ": shape ", shape_str(s), " overflows int64 in its stride calculation");
  return n;
}

Shape contiguous_strides(const Shape& sizes) {
  Shape st(sizes.size());
  int64_t acc = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= std::max<int64_t>(sizes[i], 1);
  }
  return st;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  for (const Shape* s : {&a, &b})
    for (int64_t d : *s) EMBER_CHECK(d >= 0, op, ": attempting to broadcast a dimension of negative length in ", shape_str(*s));
  if (a == b) return a;
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ", shape_str(b),
                " cannot be broadcast together (dim ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = std::max<int64_t>(ndim, 1);  // a 0-d tensor accepts dim 0 and -1
  EMBER_CHECK_INDEX(dim >= -n && dim < n, op, ": dim ", dim, " is out of range for a tensor with ", ndim,
                    " dims (expected in [", -n, ", ", n - 1, "])");
  return dim < 0 ? dim + n : dim;
}

namespace {
/// Memory of a small storage, allocated with its shared_ptr control block in one malloc: 64
/// bytes are enough to align N bytes inside it (malloc aligns to 16).
template <size_t N>
struct SmallBlock {
  SmallBlock() {}  // leaves the bytes uninitialized, as aligned_alloc would
  char bytes[N + 48];
  void* aligned() { return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(bytes) + 63) & ~uintptr_t{63}); }
};

template <size_t N>
std::shared_ptr<void> small_block() {
  auto block = std::allocate_shared<SmallBlock<N>>(detail::CachedAllocator<SmallBlock<N>>());
  void* p = block->aligned();
  return std::shared_ptr<void>(block, p);  // shares the block's ownership, points at its aligned bytes
}

/// The memory of a storage of at most 1 KiB: one malloc (aligned_alloc plus a separate control
/// block cost several times as much, and a 4-element op's time is mostly such overhead).
std::shared_ptr<void> small_memory(size_t nbytes) {
  if (nbytes <= 64) return small_block<64>();
  if (nbytes <= 256) return small_block<256>();
  return small_block<1024>();
}
constexpr int64_t kSmallStorageBytes = 1024;

/// The memory of a larger storage, 64-byte aligned. From 4 MiB (NumPy's threshold) it is aligned
/// to 2 MiB and advised to use huge pages where the kernel leaves that to programs: a first touch
/// then costs one fault per 2 MiB instead of one per 4 KiB, which on some machines was a third of
/// the time of a pass over fresh memory.
void* large_memory(size_t nbytes) {
  constexpr size_t kHugePage = size_t{2} << 20, kAdviseFrom = size_t{4} << 20;
  if (nbytes < kAdviseFrom) return std::aligned_alloc(64, (nbytes + 63) / 64 * 64);
  const size_t rounded = (nbytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
#ifdef MADV_HUGEPAGE
  if (p != nullptr) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure changes nothing
#endif
  return p;
}
}  // namespace

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes, Device device, const char* op) {
  check_device_available(device, op);
  std::shared_ptr<void> memory;
  if (nbytes >= 0 && nbytes <= kSmallStorageBytes) {
    memory = small_memory(static_cast<size_t>(nbytes));
  } else {
    // Refuse what the machine cannot hold: Linux would hand it out lazily and kill us later.
    EMBER_CHECK_RUNTIME(nbytes <= physical_memory_bytes(), op, ": cannot allocate ", nbytes,
                        " bytes (more than the machine's ", physical_memory_bytes(), " bytes of memory)");
    void* p = large_memory(static_cast<size_t>(std::max<int64_t>(nbytes, 1)));
    EMBER_CHECK_RUNTIME(p != nullptr, op, ": cannot allocate ", nbytes, " bytes: out of memory");
    memory = std::shared_ptr<void>(p, std::free);
  }
  auto s = std::allocate_shared<Storage>(detail::CachedAllocator<Storage>());
  s->owner = std::move(memory);
  s->nbytes = nbytes;
  s->device = device;
  if (graph::detail::t_capture) graph::detail::note_alloc(s, false);
  return s;
}

std::shared_ptr<Storage> Storage::wrap(std::shared_ptr<void> owner, int64_t nbytes, Device device) {
  auto s = std::make_shared<Storage>();
  s->owner = std::move(owner);
  s->nbytes = nbytes;
  s->device = device;
  if (graph::detail::t_capture) graph::detail::note_alloc(s, true);  // memory made inside the captured function
  return s;
}

Tensor Tensor::empty(const Shape& sizes, DType dtype, Device device) {
  EMBER_CHECK_TYPE(static_cast<uint8_t>(dtype) < kNumDTypes, "empty: invalid dtype value ",
                   static_cast<int>(dtype));
  const int64_t n = checked_numel(sizes, ::ember::itemsize(dtype), "empty");
  auto impl = std::allocate_shared<TensorImpl>(detail::CachedAllocator<TensorImpl>());
  impl->storage = Storage::allocate(n * ::ember::itemsize(dtype), device, "empty");
  impl->sizes = sizes;
  impl->strides = contiguous_strides(sizes);
  impl->numel = n;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::make_view(const Tensor& base, Shape sizes, Shape strides, int64_t offset) {
  auto impl = std::allocate_shared<TensorImpl>(detail::CachedAllocator<TensorImpl>());
  impl->storage = base.impl_->storage;
  int64_t n = 1;
  for (int64_t d : sizes)
    EMBER_CHECK(!__builtin_mul_overflow(n, d, &n), "view: shape ", shape_str(sizes), " overflows int64 in its number of elements");
  impl->numel = n;
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.impl_->dtype;
  return Tensor(std::move(impl));
}

int64_t Tensor::size(int64_t dim) const {
  EMBER_CHECK_INDEX(this->dim() > 0, "size: dimension specified as ", dim, " but the tensor has no dimensions");
  return sizes()[wrap_dim(dim, this->dim(), "size")];
}
int64_t Tensor::stride(int64_t dim) const {
  EMBER_CHECK_INDEX(this->dim() > 0, "stride: dimension specified as ", dim, " but the tensor has no dimensions");
  return strides()[wrap_dim(dim, this->dim(), "stride")];
}

bool Tensor::is_contiguous() const {
  if (numel() == 0) return true;
  int64_t expected = 1;
  for (int64_t i = dim() - 1; i >= 0; --i) {
    if (sizes()[i] == 1) continue;
    if (strides()[i] != expected) return false;
    expected *= sizes()[i];
  }
  return true;
}

void Tensor::check_writable(const char* op) const {
  EMBER_CHECK_RUNTIME(!impl_->storage->readonly, op, ": the tensor's memory is read-only (from a read-only array)");
}

void Tensor::check_in_place(const char* op) const {
  check_writable(op);
  if (numel() <= 1) return;
  for (int64_t d = 0; d < dim(); ++d)
    EMBER_CHECK_RUNTIME(strides()[d] != 0 || sizes()[d] <= 1, op,
                        ": unsupported operation: more than one element of the written-to tensor (shape ",
                        shape_str(sizes()), ", strides ", shape_str(strides()),
                        ") refers to a single memory location; clone() the tensor first");
}

Scalar Tensor::item() const {
  EMBER_CHECK(numel() == 1, "item: a tensor with ", numel(), " elements cannot be converted to a number (shape ",
              shape_str(sizes()), ")");
  return visit_all_dtypes(dtype(), [&](auto tag) -> Scalar {
    using T = decltype(tag);
    const T v = *static_cast<const T*>(raw_data());
    if constexpr (std::is_same_v<T, bool>) return Scalar(v);
    else if constexpr (std::is_integral_v<T>) return Scalar(static_cast<int64_t>(v));
    else return Scalar(static_cast<double>(v));
  });
}

}  // namespace ember
