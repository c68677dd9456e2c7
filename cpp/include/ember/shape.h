#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ember/export.h"

namespace ember {

using Shape = std::vector<int64_t>;

/// "(2, 3)" — how every error message prints a shape.
EMBER_API std::string shape_str(const Shape& s);
/// The one size check: raises on a negative dim or when numel * itemsize overflows int64 or
/// exceeds the machine's memory. Returns numel.
EMBER_API int64_t checked_numel(const Shape& s, int64_t itemsize, const char* op);
/// Product of the sizes, unchecked (for shapes already validated).
inline int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}
/// Row-major strides, in elements.
EMBER_API Shape contiguous_strides(const Shape& sizes);
/// NumPy broadcasting of two shapes; raises naming op and both shapes.
EMBER_API Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
/// Wraps a possibly negative dim into [0, ndim); raises IndexError naming op.
EMBER_API int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

}  // namespace ember
