#pragma once
// A per-thread cache of freed blocks for the small objects every op allocates (a tensor's
// TensorImpl, its Storage, a small storage's memory). glibc's per-thread cache keeps 7 blocks of
// a size; a chain of tiny ops and its backward free more than that at once, and the rest falls
// to malloc's slower bins (most of a 4-element op's C++ time is allocation). A block freed on
// another thread joins that thread's cache: the blocks are plain malloc memory, any thread may
// reuse or free them.
#include <cstddef>
#include <cstdlib>
#include <new>

namespace ember::detail {

template <size_t Size>
class BlockCache {
 public:
  static void* allocate() {
    State& s = state;
    if (s.n > 0) return s.blocks[--s.n];
    (void)&reaper;  // constructed on first use in this thread, so that thread exit empties the cache
    void* p = std::malloc(Size);
    if (!p) throw std::bad_alloc();
    return p;
  }
  static void deallocate(void* p) {
    State& s = state;
    if (s.dead || s.n == kCapacity) return std::free(p);
    s.blocks[s.n++] = p;
  }

 private:
#if defined(__SANITIZE_ADDRESS__)
  static constexpr int kCapacity = 0;  // every block back to malloc, so ASan sees use after free
#else
  static constexpr int kCapacity = 256;
#endif
  // Trivially destructible: still usable while other thread-locals are destroyed at thread exit.
  struct State {
    void* blocks[kCapacity > 0 ? kCapacity : 1] = {};
    int n = 0;
    bool dead = false;
  };
  struct Reaper {
    ~Reaper() {
      State& s = state;
      s.dead = true;  // later frees (other thread-locals' tensors) go straight to free()
      while (s.n > 0) std::free(s.blocks[--s.n]);
    }
  };
  static thread_local State state;
  static thread_local Reaper reaper;
};
template <size_t Size>
thread_local typename BlockCache<Size>::State BlockCache<Size>::state;
template <size_t Size>
thread_local typename BlockCache<Size>::Reaper BlockCache<Size>::reaper;

/// An allocator for std::allocate_shared: blocks up to 512 bytes from BlockCache (size classes
/// of 64 bytes), larger ones from operator new.
template <class T>
struct CachedAllocator {
  using value_type = T;
  CachedAllocator() = default;
  template <class U>
  CachedAllocator(const CachedAllocator<U>&) {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    static_assert(alignof(T) <= alignof(std::max_align_t), "CachedAllocator: over-aligned type");
    return static_cast<T*>(dispatch(bytes, nullptr));
  }
  void deallocate(T* p, size_t n) { dispatch(n * sizeof(T), p); }

  template <class U>
  bool operator==(const CachedAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const CachedAllocator<U>&) const { return false; }

 private:
  /// Allocates bytes (p null) or frees p, a block of that many bytes.
  static void* dispatch(size_t bytes, void* p) {
    if (bytes <= 64) return cached<64>(p);
    if (bytes <= 128) return cached<128>(p);
    if (bytes <= 192) return cached<192>(p);
    if (bytes <= 256) return cached<256>(p);
    if (bytes <= 512) return cached<512>(p);
    if (p) {
      ::operator delete(p);
      return nullptr;
    }
    return ::operator new(bytes);
  }
  template <size_t Size>
  static void* cached(void* p) {
    if (!p) return BlockCache<Size>::allocate();
    BlockCache<Size>::deallocate(p);
    return nullptr;
  }
};

}  // namespace ember::detail
