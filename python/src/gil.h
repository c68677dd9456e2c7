#pragma once
// The GIL and C++: ops on large tensors run with it released so that Python threads compute in
// parallel; the Python objects C++ keeps (hooks, custom Functions' backwards) take it back
// before they are called, copied or destroyed, since those can happen on any thread, GIL or not.
#include <optional>

#include "convert.h"

namespace ember::py_gil {

/// Elements (summed over an op's tensor arguments) from which an op releases the GIL: below,
/// the op is too short for another thread to gain from it, and handing the GIL over costs a
/// thread switch (ember's OpenMP kernels split work from 4 times this, cpu/loops.h).
constexpr int64_t kReleaseElements = 65536;

/// Releases the GIL for its scope when `release` (held by the calling thread on entry).
class Release {
 public:
  explicit Release(bool release = true) {
    if (release) r_.emplace();
  }

 private:
  std::optional<py::gil_scoped_release> r_;
};

inline int64_t elements_of(const Tensor& t) { return t.defined() ? t.numel() : 0; }
template <class T>
int64_t elements_of(const T&) {
  return 0;
}
/// Whether an op with these arguments is large enough to release the GIL.
template <class... A>
bool heavy(const A&... args) {
  return (int64_t{0} + ... + elements_of(args)) >= kReleaseElements;
}

/// fn(args...) as a binding that releases the GIL when its tensor arguments are heavy().
template <class R, class... A>
auto releasing(R (*fn)(A...)) {
  return [fn](A... args) -> R {
    Release nogil(heavy(args...));
    return fn(std::forward<A>(args)...);
  };
}

/// A Python object that C++ can copy, call and drop without holding the GIL: each of those
/// takes it first (a no-op where the thread holds it already).
class Object {
 public:
  Object() = default;
  explicit Object(py::object o) : o_(std::move(o)) {}
  Object(const Object& other) {
    py::gil_scoped_acquire gil;
    o_ = other.o_;
  }
  Object(Object&&) noexcept = default;
  Object& operator=(Object other) noexcept {
    std::swap(o_, other.o_);
    return *this;
  }
  ~Object() {
    if (!o_) return;
    py::gil_scoped_acquire gil;
    o_ = py::object();
  }
  /// The object (for the GC's traverse, which holds the GIL).
  PyObject* ptr() const { return o_.ptr(); }
  explicit operator bool() const { return static_cast<bool>(o_); }
  /// Takes the object out (the GC's clear, under the GIL); this one is left empty.
  py::object take() { return std::move(o_); }
  /// Calls it (the caller holds the GIL, also for converting the arguments and the result).
  template <class... A>
  py::object operator()(A&&... args) const {
    return o_(std::forward<A>(args)...);
  }

 private:
  py::object o_;
};

}  // namespace ember::py_gil
