// SPDX-License-Identifier: MIT
// Every elementwise functor, listed by arity (STYLE.md rule 10): tests, the shader generator
// and the gradient checker iterate these lists, so adding a functor here is what makes it
// tested everywhere.
#pragma once

#include <tuple>

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
