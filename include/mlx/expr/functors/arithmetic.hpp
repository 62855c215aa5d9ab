// SPDX-License-Identifier: MIT
// Arithmetic functors: add, subtract, multiply, divide, negative, abs, sign, square,
// reciprocal, maximum, minimum, floor_divide, remainder, power; rounding (floor, ceil, round),
// complex parts (conjugate, real, imag), stop_gradient, arctan2 and logaddexp.
#pragma once

#include "mlx/expr/functors/math.hpp"

namespace mlx::core::functors {

struct Add {
  static constexpr std::string_view name = "add";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    return a + b;
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A&, const B&, const GA& da, const GB& db) {
    return da + db;
  }
};

struct Subtract {
  static constexpr std::string_view name = "subtract";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    return a - b;
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A&, const B&, const GA& da, const GB& db) {
    return da - db;
  }
};

struct Multiply {
  static constexpr std::string_view name = "multiply";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    return a * b;
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    return da * b + a * db;
  }
};

struct Divide {
  static constexpr std::string_view name = "divide";
  static constexpr TypeRule rule = TypeRule::at_least_float;
  template <class T>
  static constexpr bool supports = is_inexact_v<T>;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    return a / b;
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    return (da - a / b * db) / b;
  }
};

struct Negative {
  static constexpr std::string_view name = "negative";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = !is_bool_v<T>;
  static void check(const ExprTypes& t) {
    if (t.compute == bool_)
      core::detail::fail(name, "Not supported for bool, use logical_not instead.");
  }
  template <class X>
  auto operator()(const X& x) const {
    if constexpr (simd::is_batch_v<X>)
      return X(xsimd::bitwise_xor(x, X(-0.0f)));  // xsimd 8.1's -x is 0 - x: -(+0) gave +0
    else
      return -x;
  }
  template <class X, class G>
  static auto jvp(const X&, const G& dx) {
    return -dx;
  }
};

/// |x|; complex64 gives float32 (as MLX does).
struct Abs {
  static constexpr std::string_view name = "abs";
  static constexpr TypeRule rule = TypeRule::to_real;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  auto operator()(const X& x) const {
    using T = elem_t<X>;
    if constexpr (is_bool_v<T> || std::is_unsigned_v<T>)
      return x;
    else if constexpr (is_complex_v<T>)
      return X(std::abs(x));
    else {
      using std::abs;
      return abs(x);
    }
  }
  template <class X, class G>
  static auto jvp(const X& x, const G& dx) {
    using std::abs;
    return dx * x / abs(x);  // sign(x) * dx; undefined at 0 like every subgradient choice
  }
};

struct Sign {
  static constexpr std::string_view name = "sign";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  auto operator()(const X& x) const {
    using T = elem_t<X>;
    if constexpr (is_bool_v<T>)
      return x;
    else if constexpr (is_complex_v<T>)
      return x == T(0) ? x : x / std::abs(x);
    else if constexpr (std::is_unsigned_v<T>)
      return simd::from_mask<X>(x != X(0));
    else
      return simd::from_mask<X>(x > X(0)) - simd::from_mask<X>(x < X(0));
  }
  template <class X, class G>
  static auto jvp(const X&, const G& dx) {
    return dx * 0;
  }
};

struct Square {
  static constexpr std::string_view name = "square";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  auto operator()(const X& x) const {
    return x * x;
  }
  template <class X, class G>
  static auto jvp(const X& x, const G& dx) {
    return 2 * x * dx;
  }
};

struct Reciprocal {
  static constexpr std::string_view name = "reciprocal";
  static constexpr TypeRule rule = TypeRule::at_least_float;
  template <class T>
  static constexpr bool supports = is_inexact_v<T>;
  template <class X>
  auto operator()(const X& x) const {
    return X(1) / x;
  }
  template <class X, class G>
  static auto jvp(const X& x, const G& dx) {
    return -dx / (x * x);
  }
};

struct Maximum {
  static constexpr std::string_view name = "maximum";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = is_real_v<T>;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    // NaN in either input gives NaN (as NumPy and MLX do).
    auto r = simd::select(a > b, a, b);
    if constexpr (is_real_float_v<elem_t<A>>) r = simd::select(nan_mask(a), a, r);
    return r;
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    return where(a > b, da, db);
  }
};

struct Minimum {
  static constexpr std::string_view name = "minimum";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = is_real_v<T>;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    auto r = simd::select(a < b, a, b);
    if constexpr (is_real_float_v<elem_t<A>>) r = simd::select(nan_mask(a), a, r);
    return r;
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    return where(a < b, da, db);
  }
};

namespace detail {
// Integer floor division and Python-style modulo with NumPy's answers where C++ has UB:
// x // 0 == 0 and x % 0 == 0; INT_MIN // -1 wraps.
template <class T>
T int_floor_divide(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return static_cast<T>(0 - static_cast<std::make_unsigned_t<T>>(a));
    T q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  } else {
    return a / b;
  }
}
template <class T>
T int_remainder(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return 0;
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    return a % b;
  }
}
template <class T>
T int_power(T base, T exp) {
  if constexpr (std::is_signed_v<T>)
    if (exp < 0) return base == 1 ? 1 : (base == -1 ? ((exp & 1) ? -1 : 1) : 0);
  using U = std::make_unsigned_t<T>;
  U r = 1, b = static_cast<U>(base);
  for (auto e = static_cast<U>(exp); e; e >>= 1) {
    if (e & 1) r *= b;
    b *= b;
  }
  return static_cast<T>(r);
}
}  // namespace detail

struct FloorDivide {
  static constexpr std::string_view name = "floor_divide";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = is_real_v<T>;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    using T = elem_t<A>;
    if constexpr (is_real_float_v<T>) {
      using std::floor;
      return floor(a / b);
    } else if constexpr (is_bool_v<T>) {
      return a && b;
    } else {
      return simd::map_lanes(a, b, [](T x, T y) { return detail::int_floor_divide(x, y); });
    }
  }
};

struct Remainder {
  static constexpr std::string_view name = "remainder";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = is_real_v<T> && !is_bool_v<T>;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    using T = elem_t<A>;
    if constexpr (is_real_float_v<T>) {
      // std::fmod is exact; xsimd 8.1's batch fmod (a - trunc(a / b) * b) is not.
      auto r = simd::map_lanes(a, b, [](T x, T y) { return std::fmod(x, y); });
      // Python's sign convention: the result, zero included, takes the divisor's sign. (Not
      // mask_xor: xsimd 8.1's AVX-512 batch_bool ^ is an OR.)
      using std::copysign;
      const auto zero = r == A(0);
      const A fixed = simd::select((r < A(0)) != (b < A(0)), r + b, r);
      return simd::select(zero, A(copysign(A(0), b)), fixed);
    } else {
      return simd::map_lanes(a, b, [](T x, T y) { return detail::int_remainder(x, y); });
    }
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    using std::floor;
    return da - floor(a / b) * db;
  }
};

struct Power {
  static constexpr std::string_view name = "power";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = !is_bool_v<T>;
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    using T = elem_t<A>;
    if constexpr (simd::is_batch_v<A>) {
      // Lane by lane: xsimd 8.1's batch pow is off by up to ~20 ulp and wrong for zero,
      // infinite and NaN operands (pow(0, y) == 0, pow(x, 0) == NaN for x = inf).
      return simd::map_lanes(a, b, [](T x, T y) { return std::pow(x, y); });
    } else if constexpr (is_inexact_v<T>) {
      using std::pow;
      return pow(a, b);
    } else {
      return simd::map_lanes(a, b, [](T x, T y) { return detail::int_power(x, y); });
    }
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    using std::log;
    using std::pow;
    return b * pow(a, b - 1) * da + pow(a, b) * log(a) * db;
  }
};

// ---- rounding (integers are returned unchanged) ----------------------------------------

struct Floor {
  static constexpr std::string_view name = "floor";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = is_real_v<T>;
  template <class X>
  X operator()(const X& x) const {
    if constexpr (is_real_float_v<elem_t<X>>) {
      using std::floor;
      return floor(x);
    } else {
      return x;
    }
  }
  template <class X, class G>
  static auto jvp(const X&, const G&) {
    return G(0);
  }
};

struct Ceil {
  static constexpr std::string_view name = "ceil";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = is_real_v<T>;
  template <class X>
  X operator()(const X& x) const {
    if constexpr (is_real_float_v<elem_t<X>>) {
      using std::ceil;
      return ceil(x);
    } else {
      return x;
    }
  }
  template <class X, class G>
  static auto jvp(const X&, const G&) {
    return G(0);
  }
};

/// Rounds half to even (NumPy's rule); complex numbers round each part.
struct Round {
  static constexpr std::string_view name = "round";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  X operator()(const X& x) const {
    using T = elem_t<X>;
    using std::nearbyint;  // the default rounding mode rounds half to even
    if constexpr (is_complex_v<T>)
      return X(nearbyint(x.real()), nearbyint(x.imag()));
    else if constexpr (is_real_float_v<T>)
      return nearbyint(x);
    else
      return x;
  }
  template <class X, class G>
  static auto jvp(const X&, const G&) {
    return G(0);
  }
};

// ---- complex parts -----------------------------------------------------------------------

struct Conjugate {
  static constexpr std::string_view name = "conjugate";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  X operator()(const X& x) const {
    if constexpr (is_complex_v<elem_t<X>>)
      return std::conj(x);
    else
      return x;
  }
  template <class X, class G>
  static auto jvp(const X&, const G& dx) {
    if constexpr (is_complex_v<G>)
      return std::conj(dx);
    else
      return dx;
  }
};

/// The real part: complex64 gives float32, other dtypes are returned unchanged. (A complex
/// result x + 0i is stored as its real part.)
struct Real {
  static constexpr std::string_view name = "real";
  static constexpr TypeRule rule = TypeRule::to_real;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  X operator()(const X& x) const {
    if constexpr (is_complex_v<elem_t<X>>)
      return X(x.real());
    else
      return x;
  }
  template <class X, class G>
  static auto jvp(const X&, const G& dx) {
    if constexpr (is_complex_v<G>)
      return G(dx.real());
    else
      return dx;
  }
};

/// The imaginary part: complex64 gives float32, other dtypes give zeros.
struct Imag {
  static constexpr std::string_view name = "imag";
  static constexpr TypeRule rule = TypeRule::to_real;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  X operator()(const X& x) const {
    if constexpr (is_complex_v<elem_t<X>>)
      return X(x.imag());
    else
      return X(0);
  }
  template <class X, class G>
  static auto jvp(const X&, const G& dx) {
    if constexpr (is_complex_v<G>)
      return G(dx.imag());
    else
      return G(0);
  }
};

/// The identity whose derivative is zero.
struct StopGradient {
  static constexpr std::string_view name = "stop_gradient";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  X operator()(const X& x) const {
    return x;
  }
  template <class X, class G>
  static auto jvp(const X&, const G&) {
    return G(0);
  }
};

// ---- binary float functions --------------------------------------------------------------

/// arctan(a / b) in the quadrant of the point (b, a).
struct ArcTan2 {
  static constexpr std::string_view name = "arctan2";
  static constexpr TypeRule rule = TypeRule::at_least_float;
  template <class T>
  static constexpr bool supports = is_real_float_v<T>;
  template <class A, class B>
  A operator()(const A& a, const B& b) const {
    using std::atan2;
    if constexpr (simd::is_batch_v<A>) {
      // xsimd 8.1 returns NaN for atan2(±0, ±0) and atan2(±inf, ±inf); C's answers are
      // ±0 or ±pi, and ±pi/4 or ±3pi/4 (by the signs of a and b).
      using std::abs;
      using std::copysign;
      const A pi(std::numbers::pi_v<float>), inf(std::numeric_limits<float>::infinity());
      const auto b_negative = copysign(A(1), b) < A(0);
      const auto zeros = mask_and(a == A(0), b == A(0));
      const auto infs = mask_and(abs(a) == inf, abs(b) == inf);
      const A special = simd::select(zeros, simd::select(b_negative, pi, A(0)),
                                     simd::select(b_negative, A(0.75f) * pi, A(0.25f) * pi));
      return simd::select(mask_or(zeros, infs), copysign(special, a), A(atan2(a, b)));
    } else {
      return atan2(a, b);
    }
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    return (b * da - a * db) / (a * a + b * b);
  }
};

/// log(exp(a) + exp(b)) without overflow: max + log1p(exp(min - max)); an infinite max or a
/// -inf min gives the max (no inf - inf), NaN in either input gives NaN.
struct LogAddExp {
  static constexpr std::string_view name = "logaddexp";
  static constexpr TypeRule rule = TypeRule::at_least_float;
  template <class T>
  static constexpr bool supports = is_real_float_v<T>;
  template <class A, class B>
  A operator()(const A& a, const B& b) const {
    using std::exp;
    using std::log1p;
    const A inf(std::numeric_limits<elem_t<A>>::infinity());
    const auto a_larger = a > b;  // false when either is NaN
    const A hi = simd::select(a_larger, a, b);
    const A lo = simd::select(a_larger, b, a);
    const A r = hi + log1p(Exp{}(lo - hi));
    return simd::select(mask_or(hi == inf, lo == -inf), hi, r);
  }
  template <class A, class B, class GA, class GB>
  static auto jvp(const A& a, const B& b, const GA& da, const GB& db) {
    using std::exp;
    const A r = LogAddExp{}(a, b);
    return exp(a - r) * da + exp(b - r) * db;
  }
};

}  // namespace mlx::core::functors

namespace mlx::core::functors {

/// The identity in a given dtype: astype, copy, broadcast fills. Conversion happens in the
/// loop's converting loads and stores.
struct Cast {
  static constexpr std::string_view name = "astype";
  static constexpr TypeRule rule = TypeRule::cast;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  auto operator()(const X& x) const {
    return x;
  }
  template <class X, class G>
  static auto jvp(const X&, const G& dx) {
    return dx;
  }
};

}  // namespace mlx::core::functors
