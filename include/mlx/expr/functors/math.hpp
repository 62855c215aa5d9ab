// SPDX-License-Identifier: MIT
// Floating-point math functors: exponentials and logarithms, trigonometric and hyperbolic
// functions and their inverses, erf/erfinv, sqrt/rsqrt, sigmoid, degrees/radians. Bool and
// integer inputs compute in float32 (TypeRule::at_least_float), as in MLX. Float batches use
// xsimd's vector functions (patched where xsimd 8.1 is wrong, as noted); double and complex64
// use <cmath>/<complex>.
#pragma once

#include <initializer_list>
#include <numbers>

#include "mlx/backend/cpu/simd_math.hpp"
#include "mlx/expr/functors/common.hpp"

namespace mlx::core::functors {

/// The constant c in the element type of X (float, double, complex64_t or a float batch).
template <class X>
inline X constant(double c) {
  using T = elem_t<X>;
  if constexpr (is_complex_v<T>)
    return X(static_cast<float>(c));
  else
    return X(static_cast<T>(c));
}

/// NaN test, lane by lane. (For xsimd batches `x != x` cannot be used: xsimd 8.1 compiles
/// != on AVX/AVX-512 to an ordered compare, which is false when a lane is NaN.)
template <class V>
inline auto nan_mask(const V& x) {
  if constexpr (is_real_float_v<elem_t<V>>)
    return mask_not(x == x);
  else
    return is_nan(x);
}

// Declares a functor whose value and derivative are one expression each of `x` (and `dx`).
// `complex_ok` says whether complex64 inputs are accepted. Used for the functions that map
// directly onto <cmath>/xsimd; the others are written out below.
#define MLXPP_FLOAT_UNARY(Name, op_name, complex_ok, value, derivative) \
  struct Name {                                                         \
    static constexpr std::string_view name = op_name;                   \
    static constexpr TypeRule rule = TypeRule::at_least_float;          \
    template <class T>                                                  \
    static constexpr bool supports =                                    \
        complex_ok ? is_inexact_v<T> : is_real_float_v<T>;              \
    template <class X>                                                  \
    auto operator()(const X& x) const {                                 \
      using namespace std;                                              \
      return X(value);                                                  \
    }                                                                   \
    template <class X, class G>                                         \
    static auto jvp(const X& x, const G& dx) {                          \
      using namespace std;                                              \
      (void)x;                                                          \
      return (derivative) * dx;                                         \
    }                                                                   \
  };

// ---- exponentials and logarithms -------------------------------------------------------

struct Exp {
  static constexpr std::string_view name = "exp";
  static constexpr TypeRule rule = TypeRule::at_least_float;
  template <class T>
  static constexpr bool supports = is_inexact_v<T>;
  template <class X>
  auto operator()(const X& x) const {
    using std::exp;
    if constexpr (std::is_same_v<X, simd::vec_t<float>>) {
      // Our own vectorised exp (backend/cpu/simd_math.hpp): ~1 ulp, right at the range
      // limits where xsimd 8.1's is not, and cheaper.
      return simd::fast_exp(x);
    } else {
      return exp(x);
    }
  }
  template <class X, class G>
  static auto jvp(const X& x, const G& dx) {
    using std::exp;
    return exp(x) * dx;
  }
};

// For batches, -0 is passed through (xsimd 8.1's expm1 and log1p return +0 for it), and
// expm1(x) = exp(x) above 88, where xsimd's expm1 overflows early as its exp does.
MLXPP_FLOAT_UNARY(Expm1, "expm1", true,
                  [&] {
                    if constexpr (is_complex_v<elem_t<X>>)
                      return exp(x) - X(1);
                    else if constexpr (simd::is_batch_v<X>)
                      return simd::select(x == X(0), x,
                                          simd::select(x > X(88), Exp{}(x), expm1(x)));
                    else
                      return expm1(x);
                  }(),
                  exp(x))

struct Log {
  static constexpr std::string_view name = "log";
  static constexpr TypeRule rule = TypeRule::at_least_float;
  template <class T>
  static constexpr bool supports = is_inexact_v<T>;
  template <class X>
  auto operator()(const X& x) const {
    using std::log;
    return log(x);
  }
  template <class X, class G>
  static auto jvp(const X& x, const G& dx) {
    return dx / x;
  }
};

MLXPP_FLOAT_UNARY(Log2, "log2", true,
                  [&] {
                    if constexpr (is_complex_v<elem_t<X>>)
                      return log(x) * constant<X>(1 / std::numbers::ln2);
                    else
                      return log2(x);
                  }(),
                  X(1) / (x * constant<X>(std::numbers::ln2)))
MLXPP_FLOAT_UNARY(Log10, "log10", true, log10(x),
                  X(1) / (x * constant<X>(std::numbers::ln10)))
MLXPP_FLOAT_UNARY(Log1p, "log1p", true,
                  [&] {
                    if constexpr (is_complex_v<elem_t<X>>)
                      return log(X(1) + x);
                    else if constexpr (simd::is_batch_v<X>)
                      return simd::select(x == X(0), x, log1p(x));
                    else
                      return log1p(x);
                  }(),
                  X(1) / (X(1) + x))

// ---- trigonometric ---------------------------------------------------------------------

// Float batches use our sin/cos (backend/cpu/simd_math.hpp), ~2 ulp and faster than xsimd's.
template <class X>
inline auto sin_of(const X& x) {
  using std::sin;
  if constexpr (std::is_same_v<X, simd::vec_t<float>>) return simd::fast_sin(x); else return sin(x);
}
template <class X>
inline auto cos_of(const X& x) {
  using std::cos;
  if constexpr (std::is_same_v<X, simd::vec_t<float>>) return simd::fast_cos(x); else return cos(x);
}
MLXPP_FLOAT_UNARY(Sin, "sin", true, sin_of(x), cos(x))
MLXPP_FLOAT_UNARY(Cos, "cos", true, cos_of(x), -sin(x))
MLXPP_FLOAT_UNARY(Tan, "tan", true, tan(x), X(1) / (cos(x) * cos(x)))
MLXPP_FLOAT_UNARY(ArcSin, "arcsin", true, asin(x), X(1) / sqrt(X(1) - x * x))
MLXPP_FLOAT_UNARY(ArcCos, "arccos", true, acos(x), -X(1) / sqrt(X(1) - x * x))
MLXPP_FLOAT_UNARY(ArcTan, "arctan", true, atan(x), X(1) / (X(1) + x * x))

// ---- hyperbolic ------------------------------------------------------------------------

MLXPP_FLOAT_UNARY(Sinh, "sinh", true, sinh(x), cosh(x))
MLXPP_FLOAT_UNARY(Cosh, "cosh", true, cosh(x), sinh(x))
MLXPP_FLOAT_UNARY(Tanh, "tanh", true, tanh(x), X(1) - tanh(x) * tanh(x))
MLXPP_FLOAT_UNARY(ArcSinh, "arcsinh", true, asinh(x), X(1) / sqrt(x * x + X(1)))
MLXPP_FLOAT_UNARY(ArcCosh, "arccosh", true, acosh(x), X(1) / sqrt(x * x - X(1)))
MLXPP_FLOAT_UNARY(ArcTanh, "arctanh", true, atanh(x), X(1) / (X(1) - x * x))

// ---- roots, sigmoid, angle conversion --------------------------------------------------

MLXPP_FLOAT_UNARY(Sqrt, "sqrt", true, sqrt(x), X(1) / (constant<X>(2) * sqrt(x)))
// 1/sqrt(x) (xsimd::rsqrt is a 12-bit estimate, so it is not used).
MLXPP_FLOAT_UNARY(Rsqrt, "rsqrt", true, X(1) / sqrt(x), constant<X>(-0.5) / (x * sqrt(x)))
// For real x, exp(-|x|) never overflows: sigmoid(x) = e / (1 + e) for x < 0.
MLXPP_FLOAT_UNARY(Sigmoid, "sigmoid", true,
                  [&] {
                    if constexpr (is_complex_v<elem_t<X>>) {
                      return X(1) / (X(1) + exp(-x));
                    } else {
                      const X e = Exp{}(-abs(x));
                      const X s = X(1) / (X(1) + e);
                      return simd::select(x < X(0), e * s, s);
                    }
                  }(),
                  Sigmoid{}(x) * (X(1) - Sigmoid{}(x)))
MLXPP_FLOAT_UNARY(Degrees, "degrees", true, x * constant<X>(180 / std::numbers::pi),
                  constant<X>(180 / std::numbers::pi))
MLXPP_FLOAT_UNARY(Radians, "radians", true, x * constant<X>(std::numbers::pi / 180),
                  constant<X>(std::numbers::pi / 180))

// ---- error function and its inverse ----------------------------------------------------

MLXPP_FLOAT_UNARY(Erf, "erf", false, erf(x),
                  constant<X>(2 * std::numbers::inv_sqrtpi) * exp(-x * x))

#undef MLXPP_FLOAT_UNARY

namespace detail {

/// Giles' single-precision erfinv approximation ("Approximating the erfinv function", GPU
/// Computing Gems, 2011) for |y| < 1: relative error below 4e-7. Both branches are evaluated
/// so that it vectorises.
template <class X>
X erfinv_initial(const X& y) {
  using std::log;
  using std::sqrt;
  const X w = -log((X(1) - y) * (X(1) + y));
  auto horner = [](const X& t, std::initializer_list<double> c) {
    X p = constant<X>(*c.begin());
    for (auto it = c.begin() + 1; it != c.end(); ++it) p = p * t + constant<X>(*it);
    return p;
  };
  const X central = horner(w - constant<X>(2.5),
                           {2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                            0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                            1.50140941});
  const X tail = horner(sqrt(w) - constant<X>(3),
                        {-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                         0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682});
  return simd::select(w < constant<X>(5), central, tail) * y;
}

/// One Halley step for erf(t) = a (t, a >= 0). The residual erf(t) - a is computed as
/// (1 - a) - erfc(t) for a >= 0.5, where 1 - a is exact and erfc keeps relative accuracy.
template <class X>
X erfinv_halley(const X& t, const X& a) {
  using std::erf;
  using std::erfc;
  using std::exp;
  const X half = constant<X>(0.5);
  const X r = simd::select(a < half, erf(t) - a, (X(1) - a) - erfc(t));
  const X u = r * constant<X>(0.5 / std::numbers::inv_sqrtpi) * exp(t * t);  // r / erf'(t)
  return t - u / (X(1) + t * u);
}

/// One Newton step for log(erfc(t)) = log(1 - a): in the far tail (double inputs near 1)
/// erf is too curved for Halley steps from Giles' float start, its logarithm is not.
template <class X>
X erfinv_log_newton(const X& t, const X& a) {
  using std::erfc;
  using std::exp;
  using std::log;
  const X e = erfc(t);
  const X g = log(e) - log(X(1) - a);
  const X dg = constant<X>(-2 * std::numbers::inv_sqrtpi) * exp(-t * t) / e;
  return t - g / dg;
}

/// One Halley step computed in double for float values (scalars or batches): the float
/// residual erf(t) - a would be off by a few ulp of a, which the step would carry into t.
template <class X>
X erfinv_halley_in_double(const X& t, const X& a) {
  if constexpr (simd::is_batch_v<X>) {
    using D = xsimd::batch<double>;
    constexpr int W = simd::width_v<X>, DW = simd::width_v<D>;
    alignas(64) float tf[W], af[W];
    alignas(64) double td[W], ad[W];
    t.store_aligned(tf);
    a.store_aligned(af);
    for (int i = 0; i < W; ++i) td[i] = tf[i], ad[i] = af[i];
    for (int i = 0; i < W; i += DW)
      erfinv_halley(D::load_aligned(td + i), D::load_aligned(ad + i)).store_aligned(td + i);
    for (int i = 0; i < W; ++i) tf[i] = static_cast<float>(td[i]);
    return X::load_aligned(tf);
  } else {
    return static_cast<X>(erfinv_halley<double>(t, a));
  }
}

}  // namespace detail

/// erfinv(y) for |y| <= 1 (±inf at ±1, NaN outside): Giles' approximation refined in double
/// (float: one Halley step, within 1 ulp; double: three Newton steps on log erfc in the tail
/// and a final Halley step, within 2 ulp).
struct ErfInv {
  static constexpr std::string_view name = "erfinv";
  static constexpr TypeRule rule = TypeRule::at_least_float;
  template <class T>
  static constexpr bool supports = is_real_float_v<T>;
  template <class X>
  X operator()(const X& y) const {
    // Number types with their own erfinv (autodiff's dual numbers, reached from this jvp
    // when duals nest): argument-dependent lookup finds it. Float types take the body.
    if constexpr (!std::is_floating_point_v<elem_t<X>>) {
      return erfinv(y);
    } else {
      using std::abs;
      using std::copysign;
      const X a = abs(y);
      const X inner = simd::select(a < X(1), a, X(0));  // keeps the iteration finite
      X t = detail::erfinv_initial(inner);
      if constexpr (std::is_same_v<elem_t<X>, double>) {
        const auto central = inner < X(0.5);
        for (int i = 0; i < 3; ++i)
          t = simd::select(central, detail::erfinv_halley(t, inner),
                           detail::erfinv_log_newton(t, inner));
        t = detail::erfinv_halley(t, inner);
      } else {
        t = detail::erfinv_halley_in_double(t, inner);
      }
      using T = elem_t<X>;
      t = simd::select(a == X(1), X(std::numeric_limits<T>::infinity()), t);
      t = simd::select(mask_or(a > X(1), nan_mask(a)), X(std::numeric_limits<T>::quiet_NaN()), t);
      return copysign(t, y);
    }
  }
  template <class X, class G>
  static auto jvp(const X& x, const G& dx) {
    using std::exp;
    const X t = ErfInv{}(x);
    return constant<X>(0.5 / std::numbers::inv_sqrtpi) * exp(t * t) * dx;
  }
};

}  // namespace mlx::core::functors
