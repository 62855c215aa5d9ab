// SPDX-License-Identifier: MIT
// Every elementwise functor, listed by arity (STYLE.md rule 10): tests, the shader generator
// and the gradient checker iterate these lists, so adding a functor here is what makes it
// tested everywhere.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "mlx/expr/functors/arithmetic.hpp"
#include "mlx/expr/functors/bitwise.hpp"
#include "mlx/expr/functors/comparison.hpp"
#include "mlx/expr/functors/logical.hpp"
#include "mlx/expr/functors/math.hpp"
#include "mlx/expr/functors/predicates.hpp"

namespace mlx::core::functors {

using unary_functors = std::tuple<
    // arithmetic and rounding
    Negative, Abs, Sign, Square, Reciprocal, Floor, Ceil, Round,
    // complex parts, identities
    Conjugate, Real, Imag, StopGradient, Cast,
    // exponentials and logarithms
    Exp, Expm1, Log, Log2, Log10, Log1p,
    // trigonometric and hyperbolic
    Sin, Cos, Tan, ArcSin, ArcCos, ArcTan, Sinh, Cosh, Tanh, ArcSinh, ArcCosh, ArcTanh,
    // roots, sigmoid, angles, error function
    Sqrt, Rsqrt, Sigmoid, Degrees, Radians, Erf, ErfInv,
    // logical and bitwise
    LogicalNot, BitwiseInvert,
    // classification
    IsNan, IsInf, IsFinite, IsPosInf, IsNegInf>;

using binary_functors = std::tuple<
    // arithmetic
    Add, Subtract, Multiply, Divide, Maximum, Minimum, FloorDivide, Remainder, Power,
    // float functions
    ArcTan2, LogAddExp,
    // comparisons
    Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual,
    // logical and bitwise
    LogicalAnd, LogicalOr, BitwiseAnd, BitwiseOr, BitwiseXor, LeftShift, RightShift>;

/// Functors of three or more operands: where(c, x, y), nan_to_num(x, nan, posinf, neginf),
/// isclose(a, b, rtol, atol, equal_nan).
using nary_functors = std::tuple<Select, NanToNum, IsClose>;

}  // namespace mlx::core::functors

namespace mlx::core::functors {

namespace detail {
template <class F, class Tuple>
struct index_in;
template <class F, class... Fs>
struct index_in<F, std::tuple<Fs...>> {
  static constexpr int value = [] {
    constexpr bool same[] = {std::is_same_v<F, Fs>...};
    for (int i = 0; i < static_cast<int>(sizeof...(Fs)); ++i)
      if (same[i]) return i;
    return -1;
  }();
};
}  // namespace detail

/// Every functor in one list: a functor's index here is its runtime id (the instruction
/// code of transforms/program.hpp's runtime-fused programs).
using all_functors = decltype(std::tuple_cat(std::declval<unary_functors>(),
                                             std::declval<binary_functors>(),
                                             std::declval<nary_functors>()));

template <class F>
inline constexpr int functor_id_v = detail::index_in<F, all_functors>::value;

}  // namespace mlx::core::functors
