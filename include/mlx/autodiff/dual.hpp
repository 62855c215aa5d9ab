// SPDX-License-Identifier: MIT
// Forward mode: dual<T> carries a value and one tangent (directional derivative) through
// generic code written for T. Every operation is value = Functor{}(v), tangent =
// Functor::jvp(v, dv), with the functors of expr/functors/ (rules.hpp names which), so the
// derivative rules live in one place for duals, vars and the array transforms.
//
// T may be float, double, xsimd::batch<float> (a fused CPU loop then carries derivatives at
// SIMD width) or a dual itself: dual<dual<double>> gives second derivatives. Generic code
// calls the math functions unqualified after `using std::sin;` (or `using namespace std;`),
// so argument-dependent lookup finds the overloads below for duals and <cmath>'s for T.
#pragma once

#include <limits>
#include <ostream>
#include <type_traits>

#include "mlx/autodiff/rules.hpp"

namespace mlx::ad {

/// v + d·ε with ε² = 0: the value of a function and its derivative along one direction.
template <class T>
struct dual {
  using value_type = T;
  T v{};  ///< value
  T d{};  ///< tangent

  dual() = default;
  /// A constant (zero tangent); implicit so that generic code can write `T x = 1.0;`.
  template <class U>
    requires std::is_convertible_v<const U&, T> && (!std::is_same_v<std::remove_cvref_t<U>, dual>)
  constexpr dual(const U& value) : v(value), d(0) {}
  constexpr dual(const T& value, const T& tangent) : v(value), d(tangent) {}

  dual& operator+=(const dual& o) { return *this = *this + o; }
  dual& operator-=(const dual& o) { return *this = *this - o; }
  dual& operator*=(const dual& o) { return *this = *this * o; }
  dual& operator/=(const dual& o) { return *this = *this / o; }
  // With a constant operand: the narrower rules of the mixed operators below.
  template <class S>
    requires constant_for<S, dual, T>
  dual& operator+=(const S& o) { return *this = *this + o; }
  template <class S>
    requires constant_for<S, dual, T>
  dual& operator-=(const S& o) { return *this = *this - o; }
  template <class S>
    requires constant_for<S, dual, T>
  dual& operator*=(const S& o) { return *this = *this * o; }
  template <class S>
    requires constant_for<S, dual, T>
  dual& operator/=(const S& o) { return *this = *this / o; }
};

template <class T>
const T& value(const dual<T>& x) { return x.v; }
template <class T>
const T& tangent(const dual<T>& x) { return x.d; }

/// A dual with tangent 1: the seed of d/dx.
template <class T>
dual<T> make_dual(const T& value, const T& tangent = T(1)) { return dual<T>(value, tangent); }

namespace detail {

// The rules. `value<F>` computes a functor's value: F{} on plain types, the dual rule on a
// dual (the value of a nested dual is a dual). Functor bodies branch on float/double/batch,
// so they are never asked to compute on a dual themselves, except from inside a jvp rule
// that calls another functor (Sigmoid, LogAddExp), which works through argument-dependent
// lookup of the overloads below.
template <class F, class T>
dual<T> unary(const dual<T>& x);
template <class F, class T>
dual<T> binary(const dual<T>& a, const dual<T>& b);

template <class F, class X>
auto value(const X& x) {
  if constexpr (is_dual_v<X>) return unary<F>(x); else return F{}(x);
}
template <class F, class A>
auto value(const A& a, const A& b) {
  if constexpr (is_dual_v<A>) return binary<F>(a, b); else return F{}(a, b);
}

template <class F, class T>
dual<T> unary(const dual<T>& x) {
  return dual<T>(T(value<F>(x.v)), T(F::jvp(x.v, x.d)));
}
template <class F, class T>
dual<T> binary(const dual<T>& a, const dual<T>& b) {
  return dual<T>(T(value<F>(a.v, b.v)), T(F::jvp(a.v, b.v, a.d, b.d)));
}
// A constant operand has the known-zero tangent (rules.hpp), so only its partner's term of
// the rule is computed.
template <class F, class T>
dual<T> binary_left(const dual<T>& a, const T& b) {
  return dual<T>(T(value<F>(a.v, b)), T(F::jvp(a.v, b, a.d, zero)));
}
template <class F, class T>
dual<T> binary_right(const T& a, const dual<T>& b) {
  return dual<T>(T(value<F>(a, b.v)), T(F::jvp(a, b.v, zero, b.d)));
}

}  // namespace detail

// ---- the functions and operators, one line of rules.hpp's tables each -------------------

#define MLXPP_AD_DUAL_UNARY(fn, F)                \
  template <class T>                              \
  dual<T> fn(const dual<T>& x) {                  \
    return detail::unary<functors::F>(x);         \
  }
#define MLXPP_AD_DUAL_BINARY(fn, F)                                     \
  template <class T>                                                    \
  dual<T> fn(const dual<T>& a, const dual<T>& b) {                      \
    return detail::binary<functors::F>(a, b);                           \
  }                                                                     \
  template <class T, class S>                                           \
    requires constant_for<S, dual<T>, T>                                \
  dual<T> fn(const dual<T>& a, const S& b) {                            \
    return detail::binary_left<functors::F>(a, T(b));                   \
  }                                                                     \
  template <class T, class S>                                           \
    requires constant_for<S, dual<T>, T>                                \
  dual<T> fn(const S& a, const dual<T>& b) {                            \
    return detail::binary_right<functors::F>(T(a), b);                  \
  }

MLXPP_AD_UNARY_FUNCTIONS(MLXPP_AD_DUAL_UNARY)
MLXPP_AD_DUAL_UNARY(operator-, Negative)
MLXPP_AD_BINARY_FUNCTIONS(MLXPP_AD_DUAL_BINARY)

#undef MLXPP_AD_DUAL_UNARY
#undef MLXPP_AD_DUAL_BINARY

template <class T>
dual<T> operator+(const dual<T>& x) { return x; }

#define MLXPP_AD_DUAL_VALUE(x) (x).v
MLXPP_AD_COMPARISONS(dual, MLXPP_AD_DUAL_VALUE)
#undef MLXPP_AD_DUAL_VALUE

template <class T>
std::ostream& operator<<(std::ostream& os, const dual<T>& x) {
  return os << x.v << " + " << x.d << "ε";
}

}  // namespace mlx::ad

// The limits of the value type (functor bodies ask for numeric_limits<X>::infinity() of the
// type they compute on, e.g. LogAddExp's rule computes its value on a dual when duals nest).
template <class T>
struct std::numeric_limits<mlx::ad::dual<T>> : std::numeric_limits<T> {
  static constexpr mlx::ad::dual<T> infinity() noexcept { return std::numeric_limits<T>::infinity(); }
  static constexpr mlx::ad::dual<T> quiet_NaN() noexcept { return std::numeric_limits<T>::quiet_NaN(); }
  static constexpr mlx::ad::dual<T> epsilon() noexcept { return std::numeric_limits<T>::epsilon(); }
  static constexpr mlx::ad::dual<T> max() noexcept { return std::numeric_limits<T>::max(); }
  static constexpr mlx::ad::dual<T> min() noexcept { return std::numeric_limits<T>::min(); }
  static constexpr mlx::ad::dual<T> lowest() noexcept { return std::numeric_limits<T>::lowest(); }
};
