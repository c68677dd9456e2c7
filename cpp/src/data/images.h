#pragma once
// What the image kernels of cpp/src/data share: the loop over a batch's images, in parallel
// (OpenMP, as the cpu/ kernels) once the batch is large enough, and storing a computed value
// as a pixel of the image's dtype.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "cpu/loops.h"
#include "ember/data/transform.h"

namespace ember::transforms {

/// body(i) for each image i of n, `cost` elements of work each, split across threads.
template <class F>
void for_each_image(int64_t n, int64_t cost, F body) {
  cpu::parallel_range(n, cost, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) body(i);
  });
}

/// A computed value as a pixel of type T: uint8 rounded half to even and clamped to 0..255
/// (torchvision's round_() then cast), floats as they are.
template <class T>
inline T to_pixel(double v) {
  if constexpr (std::is_same_v<T, uint8_t>) return static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0, 255.0));
  else return static_cast<T>(v);
}

/// Calls f(T{}) for the dtypes the interpolating kernels take: uint8, float32 and float64.
template <class F>
decltype(auto) visit_image_dtype(DType t, const char* op, F&& f) {
  EMBER_CHECK_TYPE(t == DType::UInt8 || t == DType::Float32 || t == DType::Float64, op,
                   ": expected a uint8, float32 or float64 image, got ", dtype_name(t));
  if (t == DType::UInt8) return f(uint8_t{});
  if (t == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace ember::transforms
