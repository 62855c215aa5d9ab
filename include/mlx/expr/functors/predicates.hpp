// SPDX-License-Identifier: MIT
// Floating-point classification: isnan, isinf, isfinite, isposinf, isneginf (bool results;
// integers are never NaN or infinite), and the two ops built on the same tests: isclose
// and nan_to_num.
#pragma once

#include "mlx/expr/functors/math.hpp"

namespace mlx::core::functors {

namespace classify {
template <class X>
inline X infinity() {
  return X(std::numeric_limits<elem_t<X>>::infinity());
}
inline bool isnan(const complex64_t& z) { return std::isnan(z.real()) || std::isnan(z.imag()); }
inline bool isinf(const complex64_t& z) { return std::isinf(z.real()) || std::isinf(z.imag()); }
inline bool isfinite(const complex64_t& z) {
  return std::isfinite(z.real()) && std::isfinite(z.imag());
}
}  // namespace classify

struct IsNan {
  static constexpr std::string_view name = "isnan";
  static constexpr TypeRule rule = TypeRule::predicate;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  auto operator()(const X& x) const {
    if constexpr (is_complex_v<X>)
      return classify::isnan(x);
    else
      return nan_mask(x);
  }
};

/// True for ±inf; a complex number is infinite when either part is (as in NumPy).
struct IsInf {
  static constexpr std::string_view name = "isinf";
  static constexpr TypeRule rule = TypeRule::predicate;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  auto operator()(const X& x) const {
    using std::abs;
    if constexpr (is_complex_v<X>)
      return classify::isinf(x);
    else if constexpr (is_real_float_v<elem_t<X>>)
      return abs(x) == classify::infinity<X>();
    else
      return false;
  }
};

struct IsFinite {
  static constexpr std::string_view name = "isfinite";
  static constexpr TypeRule rule = TypeRule::predicate;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  auto operator()(const X& x) const {
    using std::abs;
    if constexpr (is_complex_v<X>)
      return classify::isfinite(x);
    else if constexpr (is_real_float_v<elem_t<X>>)
      return abs(x) < classify::infinity<X>();  // false for NaN
    else
      return true;
  }
};

/// x == +inf (complex inputs are rejected, as in NumPy).
struct IsPosInf {
  static constexpr std::string_view name = "isposinf";
  static constexpr TypeRule rule = TypeRule::predicate;
  template <class T>
  static constexpr bool supports = is_real_v<T>;
  template <class X>
  auto operator()(const X& x) const {
    if constexpr (is_real_float_v<elem_t<X>>)
      return x == classify::infinity<X>();
    else
      return false;
  }
};

struct IsNegInf {
  static constexpr std::string_view name = "isneginf";
  static constexpr TypeRule rule = TypeRule::predicate;
  template <class T>
  static constexpr bool supports = is_real_v<T>;
  template <class X>
  auto operator()(const X& x) const {
    if constexpr (is_real_float_v<elem_t<X>>)
      return x == -classify::infinity<X>();
    else
      return false;
  }
};

/// isclose(a, b, rtol, atol, equal_nan): |a - b| <= atol + rtol * |b| for finite values;
/// otherwise a == b (equal infinities are close, NaN is not unless equal_nan != 0). Computes
/// in the promoted dtype of a, b and the float32 tolerances, as MLX does.
struct IsClose {
  static constexpr std::string_view name = "isclose";
  static constexpr TypeRule rule = TypeRule::comparison;
  template <class T>
  static constexpr bool supports = is_inexact_v<T>;
  template <class X>
  auto operator()(const X& a, const X& b, const X& rtol, const X& atol, const X& equal_nan) const {
    using std::abs;
    if constexpr (is_complex_v<X>) {
      const bool finite = classify::isfinite(a) && classify::isfinite(b);
      const bool close = abs(a - b) <= atol.real() + rtol.real() * abs(b);
      const bool both_nan = classify::isnan(a) && classify::isnan(b);
      return finite ? close : (a == b || (both_nan && equal_nan.real() != 0));
    } else {
      const X inf = classify::infinity<X>();
      const auto finite = mask_and(abs(a) < inf, abs(b) < inf);
      const auto close = abs(a - b) <= atol + rtol * abs(b);
      const auto both_nan =
          mask_and(mask_and(nan_mask(a), nan_mask(b)), mask_not(equal_nan == X(0)));
      return mask_or(mask_or(mask_and(finite, close), mask_and(mask_not(finite), a == b)),
                     both_nan);
    }
  }
};

/// nan_to_num(x, nan, posinf, neginf): replaces NaN and infinities by the given values (read
/// as arrays of x's dtype); complex numbers are fixed part by part; integers are unchanged.
struct NanToNum {
  static constexpr std::string_view name = "nan_to_num";
  static constexpr TypeRule rule = TypeRule::same;
  template <class T>
  static constexpr bool supports = true;
  template <class X>
  X operator()(const X& x, const X& nan, const X& posinf, const X& neginf) const {
    using T = elem_t<X>;
    if constexpr (is_complex_v<T>) {
      auto fix = [](float v, float n, float p, float m) {
        return std::isnan(v) ? n : (std::isinf(v) ? (v > 0 ? p : m) : v);
      };
      return X(fix(x.real(), nan.real(), posinf.real(), neginf.real()),
               fix(x.imag(), nan.real(), posinf.real(), neginf.real()));
    } else if constexpr (is_real_float_v<T>) {
      const X inf = classify::infinity<X>();
      X r = simd::select(nan_mask(x), nan, x);
      r = simd::select(x == inf, posinf, r);
      return simd::select(x == -inf, neginf, r);
    } else {
      return x;
    }
  }
};

}  // namespace mlx::core::functors
