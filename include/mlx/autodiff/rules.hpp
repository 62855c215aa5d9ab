// SPDX-License-Identifier: MIT
// What dual (forward mode) and var (reverse mode) share: the one table of differentiable
// functions, each named next to the elementwise functor (expr/functors/*.hpp) whose value and
// `jvp` rule it uses, and the known-zero tangent that lets a binary rule drop the half of its
// derivative that belongs to a constant operand. No calculus is written in mlx/autodiff/: a
// derivative is always `Functor::jvp`, so the array transforms, dual and var cannot disagree.
#pragma once

#include <type_traits>

#include "mlx/expr/functors/arithmetic.hpp"

namespace mlx::ad {

namespace functors = mlx::core::functors;

// One line per function: (name in mlx::ad, functor). dual.hpp and tape.hpp expand these
// tables into overloads, so adding a function here gives it to both modes at once. Names are
// <cmath>'s where <cmath> has the function with the same meaning (nearbyint rounds half to
// even like the Round functor; std::round does not, so `round` is not offered), MLX's
// otherwise.
#define MLXPP_AD_UNARY_FUNCTIONS(X)                                                       \
  X(abs, Abs) X(fabs, Abs) X(exp, Exp) X(expm1, Expm1) X(log, Log) X(log2, Log2)         \
  X(log10, Log10) X(log1p, Log1p) X(sin, Sin) X(cos, Cos) X(tan, Tan) X(asin, ArcSin)     \
  X(acos, ArcCos) X(atan, ArcTan) X(sinh, Sinh) X(cosh, Cosh) X(tanh, Tanh)               \
  X(asinh, ArcSinh) X(acosh, ArcCosh) X(atanh, ArcTanh) X(sqrt, Sqrt) X(rsqrt, Rsqrt)     \
  X(sigmoid, Sigmoid) X(erf, Erf) X(erfinv, ErfInv) X(floor, Floor) X(ceil, Ceil)         \
  X(nearbyint, Round) X(square, Square) X(reciprocal, Reciprocal) X(degrees, Degrees)     \
  X(radians, Radians) X(stop_gradient, StopGradient)

#define MLXPP_AD_BINARY_FUNCTIONS(X)                                                      \
  X(operator+, Add) X(operator-, Subtract) X(operator*, Multiply) X(operator/, Divide)    \
  X(pow, Power) X(atan2, ArcTan2) X(maximum, Maximum) X(minimum, Minimum)                 \
  X(logaddexp, LogAddExp)

/// A tangent known to be zero (the tangent of a constant operand). Passed to a binary
/// functor's jvp, it makes the terms it multiplies vanish at compile time: `x * 2.0` gets the
/// derivative `dx * 2` instead of `dx * 2 + x * 0`, which costs a multiply and is NaN for
/// x = inf. Reverse mode uses it the same way for the partial of one operand.
struct zero_t {};
inline constexpr zero_t zero{};

template <class X>
constexpr zero_t operator*(const zero_t&, const X&) { return {}; }
template <class X>
constexpr zero_t operator*(const X&, const zero_t&) { return {}; }
constexpr zero_t operator*(const zero_t&, const zero_t&) { return {}; }
template <class X>
constexpr zero_t operator/(const zero_t&, const X&) { return {}; }
template <class X>
constexpr X operator+(const X& x, const zero_t&) { return x; }
template <class X>
constexpr X operator+(const zero_t&, const X& x) { return x; }
constexpr zero_t operator+(const zero_t&, const zero_t&) { return {}; }
template <class X>
constexpr X operator-(const X& x, const zero_t&) { return x; }
template <class X>
constexpr auto operator-(const zero_t&, const X& x) { return -x; }
constexpr zero_t operator-(const zero_t&, const zero_t&) { return {}; }
constexpr zero_t operator-(const zero_t&) { return {}; }

// `where(cond, da, db)` (the Maximum/Minimum rules) with one tangent known to be zero;
// found by argument-dependent lookup from the functor's unqualified call.
template <class M, class V>
V where(const M& cond, const V& a, const zero_t&) { return functors::where(cond, a, V(0)); }
template <class M, class V>
V where(const M& cond, const zero_t&, const V& b) { return functors::where(cond, V(0), b); }

template <class T>
struct dual;
template <class T>
class var;

template <class T>
struct is_dual : std::false_type {};
template <class T>
struct is_dual<dual<T>> : std::true_type {};
template <class T>
inline constexpr bool is_dual_v = is_dual<T>::value;

template <class T>
struct is_var : std::false_type {};
template <class T>
struct is_var<var<T>> : std::true_type {};
template <class T>
inline constexpr bool is_var_v = is_var<T>::value;

/// S can stand for a constant operand next to a W (a dual<T> or var<T>) whose values are T:
/// plain numbers (int, double, float batches) and, when W nests, the inner wrapper itself
/// (a dual<double> is a constant to a dual<dual<double>>).
template <class S, class W, class T>
concept constant_for = !std::is_same_v<std::remove_cvref_t<S>, W> &&
                       !is_var_v<std::remove_cvref_t<S>> && std::is_convertible_v<const S&, T>;

// Comparisons compare values (the primal part), as every AD tool does: a branch in generic
// code takes the same path for T and for its dual or var. Defined for (W, W), (W, S), (S, W).
#define MLXPP_AD_COMPARISONS(W, get)                                                     \
  MLXPP_AD_COMPARISON(W, get, ==) MLXPP_AD_COMPARISON(W, get, !=)                        \
  MLXPP_AD_COMPARISON(W, get, <) MLXPP_AD_COMPARISON(W, get, <=)                         \
  MLXPP_AD_COMPARISON(W, get, >) MLXPP_AD_COMPARISON(W, get, >=)
#define MLXPP_AD_COMPARISON(W, get, op)                                                  \
  template <class T>                                                                     \
  auto operator op(const W<T>& a, const W<T>& b) { return get(a) op get(b); }            \
  template <class T, class S>                                                            \
    requires constant_for<S, W<T>, T>                                                    \
  auto operator op(const W<T>& a, const S& b) { return get(a) op T(b); }                 \
  template <class T, class S>                                                            \
    requires constant_for<S, W<T>, T>                                                    \
  auto operator op(const S& a, const W<T>& b) { return T(a) op get(b); }

}  // namespace mlx::ad
