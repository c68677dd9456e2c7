#pragma once
#include <cstdint>
#include <string>

#include "ember/error.h"
#include "ember/half.h"

namespace ember {

/// Element types. The values are stable (pickles and the Python enum hold them); promotion
/// goes by promote_types below, not by the order.
enum class DType : int8_t {
  Bool = 0, Int64 = 1, Float32 = 2, Float64 = 3,
  UInt8 = 4, Int8 = 5, Int16 = 6, Int32 = 7, Float16 = 8, BFloat16 = 9
};
constexpr int kNumDTypes = 10;

/// Bytes per element.
inline int64_t itemsize(DType t) {
  switch (t) {
    case DType::Bool:
    case DType::UInt8:
    case DType::Int8: return 1;
    case DType::Int16:
    case DType::Float16:
    case DType::BFloat16: return 2;
    case DType::Int32:
    case DType::Float32: return 4;
    case DType::Int64:
    case DType::Float64: return 8;
  }
  return 0;
}
/// "float32", "int64", ...
EMBER_API const char* dtype_name(DType t);
/// The floating dtype of Python floats and of float creation without a dtype (float32 unless
/// set_default_dtype changed it), as torch.get_default_dtype.
EMBER_API DType default_dtype();
/// Sets default_dtype(); TypeError unless t is floating, as torch.set_default_dtype.
EMBER_API void set_default_dtype(DType t);
inline bool is_floating(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Float16 || t == DType::BFloat16;
}
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::Int64 || t == DType::UInt8 || t == DType::Int8 || t == DType::Int16 || t == DType::Int32 ||
         (include_bool && t == DType::Bool);
}
/// The dtype kernels compute in for t: the narrow integers widen to int64 and the 16-bit
/// floats to float32, so only bool, int64, float32 and float64 have compute kernels; an op
/// casts the result back where its result dtype is the narrow one. Integer results wrap as
/// they would in the narrow type, and 16-bit results round once, as PyTorch's do.
inline DType widened(DType t) {
  if (is_floating(t)) return t == DType::Float64 ? t : DType::Float32;
  return t == DType::Bool ? t : DType::Int64;
}
/// True for the dtypes that have no compute kernels of their own (see widened).
inline bool is_narrow(DType t) { return widened(t) != t; }

/// PyTorch's promotion table: bool < integers < floats; within the integers the wider wins,
/// and uint8 with int8 gives int16; within the floats the wider wins, and float16 with bfloat16
/// gives float32.
inline DType promote_types(DType a, DType b) {
  if (a == b || b == DType::Bool) return a;
  if (a == DType::Bool) return b;
  const bool fa = is_floating(a), fb = is_floating(b);
  if (fa != fb) return fa ? a : b;
  if (itemsize(a) != itemsize(b)) return itemsize(a) > itemsize(b) ? a : b;
  // One size, two dtypes: uint8/int8, float16/bfloat16.
  return fa ? DType::Float32 : DType::Int16;
}

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct dtype_of<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<Half> { static constexpr DType value = DType::Float16; };
template <> struct dtype_of<BFloat16> { static constexpr DType value = DType::BFloat16; };

/// Raises TypeError: the kernel running now (see KernelScope) has no code for dtype t.
[[noreturn]] EMBER_API void dtype_not_implemented(DType t);

/// Calls f(T{}) with T the C++ type of a compute dtype (bool, int64, float32, float64): the
/// dtype dispatch of every computing kernel. Other dtypes reach it only when an op forgot to
/// widen them, and raise rather than compute with the wrong type.
template <class F>
decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Bool: return f(bool{});
    case DType::Int64: return f(int64_t{});
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    default: dtype_not_implemented(t);
  }
}
/// Like visit_dtype over every dtype: for the kernels that only move or convert elements.
template <class F>
decltype(auto) visit_all_dtypes(DType t, F&& f) {
  switch (t) {
    case DType::UInt8: return f(uint8_t{});
    case DType::Int8: return f(int8_t{});
    case DType::Int16: return f(int16_t{});
    case DType::Int32: return f(int32_t{});
    case DType::Float16: return f(Half{});
    case DType::BFloat16: return f(BFloat16{});
    default: return visit_dtype(t, f);
  }
}
/// Like visit_dtype for float32 and float64 only; op names the caller in the error.
template <class F>
decltype(auto) visit_floating(DType t, const char* op, F&& f) {
  EMBER_CHECK_TYPE(t == DType::Float32 || t == DType::Float64, op, ": expected a float32 or float64 tensor, got ",
                   dtype_name(t));
  if (t == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace ember
