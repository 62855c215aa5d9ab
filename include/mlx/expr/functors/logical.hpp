// SPDX-License-Identifier: MIT
// Logical functors (logical_not, logical_and, logical_or) and Select (where).
#pragma once

#include "mlx/expr/functors/common.hpp"

namespace mlx::core::functors {

struct LogicalNot {
  static constexpr std::string_view name = "logical_not";
  static constexpr TypeRule rule = TypeRule::logical;
  template <class T>
  static constexpr bool supports = is_int_v<T>;  // bool computes as int64
  template <class X>
  auto operator()(const X& x) const {
    return !x;
  }
};

struct LogicalAnd {
  static constexpr std::string_view name = "logical_and";
  static constexpr TypeRule rule = TypeRule::logical;
  template <class T>
  static constexpr bool supports = is_int_v<T>;  // bool computes as int64
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    return a && b;
  }
};

struct LogicalOr {
  static constexpr std::string_view name = "logical_or";
  static constexpr TypeRule rule = TypeRule::logical;
  template <class T>
  static constexpr bool supports = is_int_v<T>;  // bool computes as int64
  template <class A, class B>
  auto operator()(const A& a, const B& b) const {
    return a || b;
  }
};

/// where(cond, x, y): the condition is read in the compute type (non-zero is true).
struct Select {
  static constexpr std::string_view name = "where";
  static constexpr TypeRule rule = TypeRule::select;
  template <class T>
  static constexpr bool supports = true;
  template <class C, class A, class B>
  auto operator()(const C& c, const A& a, const B& b) const {
    return simd::select(mask_not(c == C(0)), a, b);  // NaN is true
  }
};

}  // namespace mlx::core::functors
