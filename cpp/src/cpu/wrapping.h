#pragma once
// Sums and products that wrap on integer overflow as two's complement, as torch's do. They are
// computed in the unsigned type (at least as wide as int, to which narrower types would be
// promoted back), since signed overflow is undefined behaviour (UBSan found it in prod and
// cumprod of integers, which accumulate in int64). Floats add and multiply as usual.
#include <type_traits>

#include "cpu/isa.h"

namespace ember::cpu {
inline namespace EMBER_ISA {

template <class A, bool = std::is_integral_v<A> && std::is_signed_v<A>>
struct Wrapping {
  using type = A;
};
template <class A>
struct Wrapping<A, true> {
  using type = std::make_unsigned_t<std::common_type_t<A, int>>;
};

/// a + b in a's type.
template <class A, class B>
inline A wrapping_add(A a, B b) {
  using W = typename Wrapping<A>::type;
  return A(W(a) + W(A(b)));
}
/// a * b in a's type.
template <class A, class B>
inline A wrapping_mul(A a, B b) {
  using W = typename Wrapping<A>::type;
  return A(W(a) * W(A(b)));
}

}  // namespace EMBER_ISA
}  // namespace ember::cpu
