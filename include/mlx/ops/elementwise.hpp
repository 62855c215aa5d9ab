// SPDX-License-Identifier: MIT
// The elementwise ops (MLX's names and signatures) and their operators. Each returns an
// expression (expr/expr.hpp) that converts to `array`; nothing is computed until evaluation.
// The few ops that choose their computation at run time from a dtype or an argument
// (bitwise_invert, round with decimals, divmod) return arrays, as MLX does.
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "mlx/expr/functors/registry.hpp"
#include "mlx/expr/fused.hpp"
#include "mlx/io/print.hpp"

namespace mlx::core {

// One line per op; the functor (expr/functors/) holds the definition and derivative.
#define MLXPP_UNARY_OP(fn, Functor)                                                \
  template <array_like A>                                                          \
  detail::expr_of<functors::Functor, A> fn(A&& a, StreamOrDevice s = {}) {         \
    return detail::make_expr<functors::Functor>(std::move(s), std::forward<A>(a)); \
  }

#define MLXPP_BINARY_OP(fn, Functor)                                                 \
  template <operand A, operand B>                                                    \
    requires(array_like<A> || array_like<B>)                                         \
  detail::expr_of<functors::Functor, A, B> fn(A&& a, B&& b, StreamOrDevice s = {}) { \
    return detail::make_expr<functors::Functor>(std::move(s), std::forward<A>(a),    \
                                                std::forward<B>(b));                 \
  }

// Operators are constrained on `operand`, so `std::cout << a` still picks the stream operator.
#define MLXPP_BINARY_OPERATOR(sym, fn)                                                          \
  template <operand A, operand B>                                                               \
    requires(array_like<A> || array_like<B>)                                                    \
  auto operator sym(A&& a, B&& b)->decltype(core::fn(std::forward<A>(a), std::forward<B>(b))) { \
    return core::fn(std::forward<A>(a), std::forward<B>(b));                                    \
  }

namespace detail {

/// The dtype of an op's operand: an array's or expression's dtype, a C++ scalar's dtype.
template <class X>
Dtype elementwise_operand_dtype(const X& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (is_scalar_operand_v<D>)
    return Scalar<D>::dtype;
  else
    return x.dtype();
}

/// The shape of an op's operand: an array's or expression's shape, () for a C++ scalar.
template <class X>
Shape elementwise_operand_shape(const X& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (is_scalar_operand_v<D>)
    return {};
  else
    return x.shape();
}

/// The broadcast of `shapes`, throwing std::invalid_argument naming `op` (in the elementwise
/// ops' words) when they do not broadcast. Ops built from elementwise ops call it first, so
/// that the error names them rather than the op they are built from.
inline Shape broadcast_shapes_for(std::string_view op, const std::vector<Shape>& shapes) {
  Shape out = shapes.empty() ? Shape{} : shapes[0];
  for (size_t i = 1; i < shapes.size(); ++i) {
    try {
      out = broadcast_shapes(out, shapes[i]);
    } catch (const std::invalid_argument&) {
      fail(op, "Shapes ", out, " and ", shapes[i], " cannot be broadcast.");
    }
  }
  return out;
}

/// A 0-d array holding dtype t's lowest (upper = false) or highest value (±inf for floats).
template <class = void>
inline array dtype_bound(Dtype t, bool upper) {
  return dispatch_dtype(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      return array(upper, t);
    } else if constexpr (std::is_integral_v<T>) {
      return array(upper ? std::numeric_limits<T>::max() : std::numeric_limits<T>::lowest(), t);
    } else {
      constexpr double inf = std::numeric_limits<double>::infinity();
      return array(upper ? inf : -inf, t);
    }
  });
}

}  // namespace detail

// ---- selection and conversion ------------------------------------------------------------

/// Elements of x where condition is true, else of y (all three broadcast together).
template <operand C, operand A, operand B>
  requires(array_like<C> || array_like<A> || array_like<B>)
detail::expr_of<functors::Select, C, A, B> where(C&& condition, A&& x, B&& y,
                                                StreamOrDevice s = {}) {
  return detail::make_expr<functors::Select>(std::move(s), std::forward<C>(condition),
                                             std::forward<A>(x), std::forward<B>(y));
}

/// a converted to dtype (lazily; fuses with what reads it).
template <array_like A>
detail::expr_of<functors::Cast, A> astype(A&& a, Dtype dtype, StreamOrDevice s = {}) {
  auto e = detail::make_expr<functors::Cast>(std::move(s), std::forward<A>(a));
  e.set_cast_target(dtype);
  return e;
}

/// A copy of a (a new node with its own buffer).
template <array_like A>
array copy(A&& a, StreamOrDevice s = {}) {
  array x(std::forward<A>(a));
  return array(core::astype(x, x.dtype(), std::move(s)));
}

// ---- arithmetic ------------------------------------------------------------------------

/// a + b, a - b, a * b (the promoted dtype).
MLXPP_BINARY_OP(add, Add)
MLXPP_BINARY_OP(subtract, Subtract)
MLXPP_BINARY_OP(multiply, Multiply)
/// a / b; integer and bool inputs give float32.
MLXPP_BINARY_OP(divide, Divide)
/// Elementwise max / min; NaN in either input gives NaN.
MLXPP_BINARY_OP(maximum, Maximum)
MLXPP_BINARY_OP(minimum, Minimum)
/// floor(a / b); for integers rounds toward -inf, and x // 0 == 0 (NumPy).
MLXPP_BINARY_OP(floor_divide, FloorDivide)
/// a - b * floor(a / b): the result takes b's sign (Python); x % 0 == 0 for integers.
MLXPP_BINARY_OP(remainder, Remainder)
/// a raised to b.
MLXPP_BINARY_OP(power, Power)
/// -a (not for bool: use logical_not).
MLXPP_UNARY_OP(negative, Negative)
/// |a|; complex64 gives float32.
MLXPP_UNARY_OP(abs, Abs)
/// -1, 0 or 1 (x / |x| for complex).
MLXPP_UNARY_OP(sign, Sign)
/// a * a.
MLXPP_UNARY_OP(square, Square)
/// 1 / a (float result).
MLXPP_UNARY_OP(reciprocal, Reciprocal)

MLXPP_BINARY_OPERATOR(+, add)
MLXPP_BINARY_OPERATOR(-, subtract)
MLXPP_BINARY_OPERATOR(*, multiply)
MLXPP_BINARY_OPERATOR(/, divide)
MLXPP_BINARY_OPERATOR(%, remainder)

template <array_like A>
auto operator-(A&& a) -> decltype(core::negative(std::forward<A>(a))) {
  return core::negative(std::forward<A>(a));
}

/// {floor_divide(a, b), remainder(a, b)}.
/// \throws std::invalid_argument for complex inputs or shapes that do not broadcast
/// (naming divmod).
template <operand A, operand B>
  requires(array_like<A> || array_like<B>)
std::vector<array> divmod(A&& a, B&& b, StreamOrDevice s = {}) {
  const Dtype t =
      promote_types(detail::elementwise_operand_dtype(a), detail::elementwise_operand_dtype(b));
  if (is_complex(t)) detail::fail("divmod", "Complex type not supported.");
  detail::broadcast_shapes_for(
      "divmod", {detail::elementwise_operand_shape(a), detail::elementwise_operand_shape(b)});
  array q = core::floor_divide(a, b, s);
  array r = core::remainder(std::forward<A>(a), std::forward<B>(b), std::move(s));
  return {std::move(q), std::move(r)};
}

// ---- complex parts and identities --------------------------------------------------------

/// The complex conjugate (identity for real dtypes).
MLXPP_UNARY_OP(conjugate, Conjugate)
/// Real / imaginary part: complex64 gives float32; real inputs give a / zeros.
MLXPP_UNARY_OP(real, Real)
MLXPP_UNARY_OP(imag, Imag)
/// a, with a zero derivative.
MLXPP_UNARY_OP(stop_gradient, StopGradient)

// ---- comparisons -------------------------------------------------------------------------

/// Elementwise comparisons in the promoted dtype; bool results.
MLXPP_BINARY_OP(equal, Equal)
MLXPP_BINARY_OP(not_equal, NotEqual)
MLXPP_BINARY_OP(less, Less)
MLXPP_BINARY_OP(less_equal, LessEqual)
MLXPP_BINARY_OP(greater, Greater)
MLXPP_BINARY_OP(greater_equal, GreaterEqual)
MLXPP_BINARY_OPERATOR(==, equal)
MLXPP_BINARY_OPERATOR(!=, not_equal)
MLXPP_BINARY_OPERATOR(<, less)
MLXPP_BINARY_OPERATOR(<=, less_equal)
MLXPP_BINARY_OPERATOR(>, greater)
MLXPP_BINARY_OPERATOR(>=, greater_equal)

/// |a - b| <= atol + rtol * |b| elementwise; equal infinities are close, NaNs only with
/// equal_nan. Computes in at least float32 (the tolerances are float32, as in MLX).
template <operand A, operand B>
  requires(array_like<A> || array_like<B>)
detail::expr_of<functors::IsClose, A, B, double, double, bool> isclose(
    A&& a, B&& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false,
    StreamOrDevice s = {}) {
  return detail::make_expr<functors::IsClose>(std::move(s), std::forward<A>(a), std::forward<B>(b),
                                              rtol, atol, equal_nan);
}

// ---- classification ----------------------------------------------------------------------

/// Bool tests for NaN, ±inf, finite, +inf, -inf (integers: never NaN or infinite).
MLXPP_UNARY_OP(isnan, IsNan)
MLXPP_UNARY_OP(isinf, IsInf)
MLXPP_UNARY_OP(isfinite, IsFinite)
MLXPP_UNARY_OP(isposinf, IsPosInf)
MLXPP_UNARY_OP(isneginf, IsNegInf)

/// Replaces NaN by `nan`, +inf by `posinf` and -inf by `neginf` (defaults: the dtype's
/// largest and lowest finite values). Integer dtypes are unchanged.
template <array_like A>
detail::expr_of<functors::NanToNum, A, array, array, array> nan_to_num(
    A&& a, float nan = 0.0f, std::optional<float> posinf = std::nullopt,
    std::optional<float> neginf = std::nullopt, StreamOrDevice s = {}) {
  const Dtype d = a.dtype();
  double n = 0, hi = 0, lo = 0;
  if (is_floating_point(d)) {
    const finfo f(d);  // complex64: float32's range
    n = nan;
    hi = posinf ? *posinf : f.max;
    lo = neginf ? *neginf : f.min;
  }
  return detail::make_expr<functors::NanToNum>(std::move(s), std::forward<A>(a), array(n, d),
                                               array(hi, d), array(lo, d));
}

// ---- logical -----------------------------------------------------------------------------

/// Logical not / and / or of the inputs read as bool.
MLXPP_UNARY_OP(logical_not, LogicalNot)
MLXPP_BINARY_OP(logical_and, LogicalAnd)
MLXPP_BINARY_OP(logical_or, LogicalOr)
MLXPP_BINARY_OPERATOR(&&, logical_and)
MLXPP_BINARY_OPERATOR(||, logical_or)
template <array_like A>
auto operator!(A&& a) -> decltype(core::logical_not(std::forward<A>(a))) {
  return core::logical_not(std::forward<A>(a));
}

// ---- bitwise -----------------------------------------------------------------------------

/// Bitwise and / or / xor of integer or bool inputs.
/// \throws std::invalid_argument for floating dtypes.
MLXPP_BINARY_OP(bitwise_and, BitwiseAnd)
MLXPP_BINARY_OP(bitwise_or, BitwiseOr)
MLXPP_BINARY_OP(bitwise_xor, BitwiseXor)
MLXPP_BINARY_OPERATOR(&, bitwise_and)
MLXPP_BINARY_OPERATOR(|, bitwise_or)
MLXPP_BINARY_OPERATOR(^, bitwise_xor)

namespace detail {
// Shift operands are converted to the shift's dtype: the promoted one, or uint8 for two bool
// inputs (as MLX does: true << true == 2).
template <class X>
decltype(auto) shift_operand(X&& x, Dtype t, const StreamOrDevice& s) {
  if constexpr (array_like<X>)
    return core::astype(std::forward<X>(x), t, s);
  else
    return std::forward<X>(x);
}
template <class X>
using shift_operand_t = std::conditional_t<array_like<X>, expr_of<functors::Cast, X>, X&&>;
template <class F, class A, class B>
expr_of<F, shift_operand_t<A>, shift_operand_t<B>> make_shift(A&& a, B&& b, StreamOrDevice s) {
  Dtype t = promote_types(elementwise_operand_dtype(a), elementwise_operand_dtype(b));
  if (t == bool_) t = uint8;
  return make_expr<F>(s, shift_operand(std::forward<A>(a), t, s),
                      shift_operand(std::forward<B>(b), t, s));
}
}  // namespace detail

/// a << b and a >> b (arithmetic for signed types). Shifts by a negative amount or by the
/// width of the type or more give 0 (or -1 for a right shift of a negative value).
template <operand A, operand B>
  requires(array_like<A> || array_like<B>)
detail::expr_of<functors::LeftShift, detail::shift_operand_t<A>, detail::shift_operand_t<B>>
left_shift(A&& a, B&& b, StreamOrDevice s = {}) {
  return detail::make_shift<functors::LeftShift>(std::forward<A>(a), std::forward<B>(b),
                                                 std::move(s));
}
template <operand A, operand B>
  requires(array_like<A> || array_like<B>)
detail::expr_of<functors::RightShift, detail::shift_operand_t<A>, detail::shift_operand_t<B>>
right_shift(A&& a, B&& b, StreamOrDevice s = {}) {
  return detail::make_shift<functors::RightShift>(std::forward<A>(a), std::forward<B>(b),
                                                  std::move(s));
}
MLXPP_BINARY_OPERATOR(<<, left_shift)
MLXPP_BINARY_OPERATOR(>>, right_shift)

/// ~a for integers; logical_not for bool.
/// \throws std::invalid_argument for floating dtypes.
template <array_like A>
array bitwise_invert(A&& a, StreamOrDevice s = {}) {
  if (a.dtype() == bool_) return core::logical_not(std::forward<A>(a), std::move(s));
  return detail::make_expr<functors::BitwiseInvert>(std::move(s), std::forward<A>(a));
}
template <array_like A>
array operator~(A&& a) {
  return core::bitwise_invert(std::forward<A>(a));
}

// ---- rounding ----------------------------------------------------------------------------

/// Largest integer <= a / smallest integer >= a (integers unchanged; not for complex).
MLXPP_UNARY_OP(floor, Floor)
MLXPP_UNARY_OP(ceil, Ceil)
/// Rounds half to even (integers unchanged, complex part by part).
MLXPP_UNARY_OP(round, Round)

namespace detail {
// round(x, -k) for an integer dtype: the nearest multiple of 10^k, ties to the even multiple.
// Multiples beyond the dtype's range give 0.
template <class = void>
inline array round_integer(const array& x, int k, StreamOrDevice s) {
  const Dtype d = x.dtype();
  const uint64_t max = d == bool_ ? 1 : iinfo(d).max;
  uint64_t p = 1;
  for (int i = 0; i < k; ++i) {
    if (p > max / 10) return core::multiply(x, false, s);
    p *= 10;
  }
  const array P(p, d), one(1, d);
  array q = core::floor_divide(x, P, s);
  array r = core::remainder(x, P, s);  // in [0, p)
  array rest = core::subtract(P, r, s);
  array odd = core::bitwise_and(q, one, s);
  array up = core::logical_or(core::greater(r, rest, s),
                              core::logical_and(core::equal(r, rest, s), odd, s), s);
  return core::multiply(core::add(q, up, s), P, s);
}
}  // namespace detail

/// Rounds to `decimals` decimal places, half to even (NumPy's rule; decimals may be negative).
/// Floating dtypes scale by 10^decimals in at least float32 and keep their dtype; integers
/// are unchanged for decimals >= 0 and rounded exactly to multiples of 10^-decimals otherwise.
template <array_like A>
array round(A&& a, int decimals, StreamOrDevice s = {}) {
  array x(std::forward<A>(a));
  if (decimals == 0) return core::round(x, std::move(s));
  const Dtype d = x.dtype();
  if (!is_floating_point(d)) return decimals > 0 ? x : detail::round_integer(x, -decimals, s);
  const array f(std::pow(10.0, std::abs(decimals)), d == float64 ? float64 : float32);
  if (decimals > 0)
    return core::astype(core::divide(core::round(core::multiply(x, f, s), s), f, s), d, s);
  return core::astype(core::multiply(core::round(core::divide(x, f, s), s), f, s), d, s);
}

/// a clipped to [a_min, a_max]; either bound may be missing, not both. Promotes like
/// maximum/minimum.
/// \throws std::invalid_argument when both bounds are missing, the dtype is complex or the
/// bounds do not broadcast with a (naming clip).
template <array_like A>
detail::expr_of<functors::Minimum, detail::expr_of<functors::Maximum, A, array>, array> clip(
    A&& a, const std::optional<array>& a_min = std::nullopt,
    const std::optional<array>& a_max = std::nullopt, StreamOrDevice s = {}) {
  if (!a_min && !a_max) detail::fail("clip", "At most one of a_min and a_max may be None.");
  Dtype t = a.dtype();
  if (a_min) t = promote_types(t, a_min->dtype());
  if (a_max) t = promote_types(t, a_max->dtype());
  if (is_complex(t)) detail::fail("clip", "Not supported for dtype ", t, ".");
  std::vector<Shape> shapes{a.shape()};
  if (a_min) shapes.push_back(a_min->shape());
  if (a_max) shapes.push_back(a_max->shape());
  detail::broadcast_shapes_for("clip", shapes);
  array lo = a_min ? *a_min : detail::dtype_bound(t, false);
  array hi = a_max ? *a_max : detail::dtype_bound(t, true);
  return core::minimum(core::maximum(std::forward<A>(a), std::move(lo), s), std::move(hi), s);
}

// ---- exponentials and logarithms (float results) -----------------------------------------

MLXPP_UNARY_OP(exp, Exp)
/// exp(a) - 1, accurate near 0.
MLXPP_UNARY_OP(expm1, Expm1)
MLXPP_UNARY_OP(log, Log)
MLXPP_UNARY_OP(log2, Log2)
MLXPP_UNARY_OP(log10, Log10)
/// log(1 + a), accurate near 0.
MLXPP_UNARY_OP(log1p, Log1p)
/// log(exp(a) + exp(b)) without overflow.
MLXPP_BINARY_OP(logaddexp, LogAddExp)

// ---- trigonometric and hyperbolic (float results) ----------------------------------------

MLXPP_UNARY_OP(sin, Sin)
MLXPP_UNARY_OP(cos, Cos)
MLXPP_UNARY_OP(tan, Tan)
MLXPP_UNARY_OP(arcsin, ArcSin)
MLXPP_UNARY_OP(arccos, ArcCos)
MLXPP_UNARY_OP(arctan, ArcTan)
/// The angle of the point (b, a): arctan(a / b) in the right quadrant.
MLXPP_BINARY_OP(arctan2, ArcTan2)
MLXPP_UNARY_OP(sinh, Sinh)
MLXPP_UNARY_OP(cosh, Cosh)
MLXPP_UNARY_OP(tanh, Tanh)
MLXPP_UNARY_OP(arcsinh, ArcSinh)
MLXPP_UNARY_OP(arccosh, ArcCosh)
MLXPP_UNARY_OP(arctanh, ArcTanh)
/// Radians to degrees and back.
MLXPP_UNARY_OP(degrees, Degrees)
MLXPP_UNARY_OP(radians, Radians)

// ---- other float functions ---------------------------------------------------------------

MLXPP_UNARY_OP(sqrt, Sqrt)
/// 1 / sqrt(a).
MLXPP_UNARY_OP(rsqrt, Rsqrt)
/// 1 / (1 + exp(-a)).
MLXPP_UNARY_OP(sigmoid, Sigmoid)
/// The error function and its inverse (real inputs).
MLXPP_UNARY_OP(erf, Erf)
MLXPP_UNARY_OP(erfinv, ErfInv)

/// Expressions print their values (they are converted to an array first). This defines the
/// overload expr/expr.hpp declares.
template <class F, class... Ops>
std::ostream& operator<<(std::ostream& os, const Expr<F, Ops...>& e) {
  return os << array(e);
}

}  // namespace mlx::core
