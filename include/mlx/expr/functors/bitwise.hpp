// SPDX-License-Identifier: MIT
// Bitwise and shift functors: bitwise_and, bitwise_or, bitwise_xor, left_shift, right_shift,
// bitwise_invert. Integers and bool only (TypeRule::integer rejects floating dtypes). Every
// integer dtype computes in int64 (uint64 in uint64) and wraps back to its dtype afterwards,
// which gives each dtype's own two's-complement results.
#pragma once

#include "mlx/expr/functors/common.hpp"

namespace mlx::core::functors {

namespace bits {
// Shifts with NumPy's answers where C++ has undefined behaviour: a shift by a negative amount
// or by the type's width or more gives 0, or -1 for a right shift of a negative value.
template <class T>
T shift_left(T x, T y) {
  constexpr T width = static_cast<T>(8 * sizeof(T));
  if constexpr (std::is_signed_v<T>)
    if (y < 0) return 0;
  if (y >= width) return 0;
  return static_cast<T>(static_cast<std::make_unsigned_t<T>>(x) << y);
}
template <class T>
T shift_right(T x, T y) {
  constexpr T width = static_cast<T>(8 * sizeof(T));
  bool out_of_range = y >= width;
  if constexpr (std::is_signed_v<T>) {
    out_of_range = out_of_range || y < 0;
    if (out_of_range) return x < 0 ? T(-1) : T(0);
  }
  if (out_of_range) return 0;
  return x >> y;  // arithmetic for signed types (defined in C++20)
}
}  // namespace bits

// Binary bitwise functors: the value is one expression of a and b.
#define MLXPP_BITWISE(Name, op_name, expr)              \
  struct Name {                                         \
    static constexpr std::string_view name = op_name;   \
    static constexpr TypeRule rule = TypeRule::integer; \
    template <class T>                                  \
    static constexpr bool supports = is_int_v<T>;       \
    template <class A, class B>                         \
    A operator()(const A& a, const B& b) const {        \
      return expr;                                      \
    }                                                   \
  };

MLXPP_BITWISE(BitwiseAnd, "bitwise_and", a & b)
MLXPP_BITWISE(BitwiseOr, "bitwise_or", a | b)
MLXPP_BITWISE(BitwiseXor, "bitwise_xor", a ^ b)
MLXPP_BITWISE(LeftShift, "left_shift", simd::map_lanes(a, b, bits::shift_left<elem_t<A>>))
MLXPP_BITWISE(RightShift, "right_shift", simd::map_lanes(a, b, bits::shift_right<elem_t<A>>))

#undef MLXPP_BITWISE

/// ~x for integer dtypes. (bitwise_invert on bool is logical_not; the op handles it, since in
/// the int64 compute type ~0 and ~1 are both non-zero.)
struct BitwiseInvert {
  static constexpr std::string_view name = "bitwise_invert";
  static constexpr TypeRule rule = TypeRule::integer;
  template <class T>
  static constexpr bool supports = is_int_v<T>;
  static void check(const ExprTypes& t) {
    if (t.compute == bool_)
      core::detail::fail(name, "Not supported for bool, use logical_not instead.");
  }
  template <class X>
  X operator()(const X& x) const {
    return ~x;
  }
};

}  // namespace mlx::core::functors
