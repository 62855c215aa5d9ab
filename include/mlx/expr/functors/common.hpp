// SPDX-License-Identifier: MIT
// What every elementwise functor builds on: compute-type traits and the generic helpers a
// functor body uses so that it works for scalars, xsimd batches (and later dual numbers and
// the GLSL generator). A functor is:
//
//   struct Exp {
//     static constexpr std::string_view name = "exp";        // the op's MLX name
//     static constexpr TypeRule rule = TypeRule::at_least_float;
//     template <class T> static constexpr bool supports = is_inexact_v<T>;  // compute types
//     template <class X> auto operator()(const X& x) const;  // the value
//     template <class X, class G> static auto jvp(const X& x, const G& dx);  // its derivative
//   };
#pragma once

#include <cmath>
#include <complex>
#include <limits>
#include <string_view>
#include <type_traits>

#include "mlx/backend/cpu/simd.hpp"
#include "mlx/expr/type_rules.hpp"

namespace mlx::core::functors {

// Compute types (expr/expr.hpp, dispatch_compute): float (also for float16 and bfloat16),
// double, complex64_t, uint64_t, and int64_t (also for bool and the narrower integers).
// These traits say which of them an operation accepts.
template <class T>
inline constexpr bool is_bool_v = std::is_same_v<T, bool>;
template <class T>
inline constexpr bool is_int_v = std::is_integral_v<T> && !is_bool_v<T>;
template <class T>
inline constexpr bool is_real_float_v = std::is_floating_point_v<T>;
template <class T>
inline constexpr bool is_complex_v = std::is_same_v<T, complex64_t>;
template <class T>
inline constexpr bool is_inexact_v = is_real_float_v<T> || is_complex_v<T>;
template <class T>
inline constexpr bool is_real_v = !is_complex_v<T>;

/// The element type of a scalar or an xsimd batch.
template <class V>
using elem_t = typename simd::vec_traits<V>::value_type;

/// x != x, lane by lane (NaN test that also works for integers, which are never NaN).
template <class V>
inline auto is_nan(const V& x) {
  if constexpr (is_real_float_v<elem_t<V>>)
    return x != x;
  else if constexpr (simd::is_batch_v<V>)
    return x != x;  // all false
  else
    return false;
}

// Lane-wise logic on comparison results (bool for scalars, batch_bool for batches).
template <class M>
inline M mask_and(const M& a, const M& b) {
  if constexpr (std::is_same_v<M, bool>) return a && b; else return a & b;
}
template <class M>
inline M mask_or(const M& a, const M& b) {
  if constexpr (std::is_same_v<M, bool>) return a || b; else return a | b;
}
template <class M>
inline M mask_xor(const M& a, const M& b) {
  // `a != b`, not `^`: xsimd 8.1's AVX-512 batch_bool operator^ computes an OR.
  return a != b;
}
template <class M>
inline M mask_not(const M& a) {
  if constexpr (std::is_same_v<M, bool>) return !a; else return ~a;
}

/// cond ? a : b for scalars and batches (used by derivative rules).
template <class M, class V>
inline V where(const M& cond, const V& a, const V& b) {
  return simd::select(cond, a, b);
}

}  // namespace mlx::core::functors
