#pragma once
#include <cstdint>
#include <string>

#include "ember/error.h"

namespace ember {

/// Element types. Order matters: promotion picks the larger within a category.
enum class DType : int8_t { Bool = 0, Int64 = 1, Float32 = 2, Float64 = 3 };

/// Bytes per element.
inline int64_t itemsize(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::Int64: return 8;
    case DType::Float32: return 4;
    case DType::Float64: return 8;
  }
  return 0;
}
/// "float32", "int64", ...
EMBER_API const char* dtype_name(DType t);
inline bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::Int64 || (include_bool && t == DType::Bool);
}
/// PyTorch's promotion lattice for two dtypes: bool < int64 < float32 < float64.
inline DType promote_types(DType a, DType b) { return a > b ? a : b; }

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };

/// Calls f(T{}) with T the C++ type of dtype t: the one dtype dispatch of every kernel.
template <class F>
decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Bool: return f(bool{});
    case DType::Int64: return f(int64_t{});
    case DType::Float32: return f(float{});
    case DType::Float64: break;
  }
  return f(double{});
}
/// Like visit_dtype for the floating dtypes only; op names the caller in the error.
template <class F>
decltype(auto) visit_floating(DType t, const char* op, F&& f) {
  EMBER_CHECK_TYPE(is_floating(t), op, ": expected a floating dtype, got ", dtype_name(t));
  if (t == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace ember
