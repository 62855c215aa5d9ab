// SPDX-License-Identifier: MIT
// Comparison functors: equal, not_equal, less, less_equal, greater, greater_equal.
// They compute in the promoted dtype and produce bool; inside a fused loop the result is
// carried as 1/0 in the compute type.
#pragma once

#include "mlx/expr/functors/common.hpp"

namespace mlx::core::functors {

#define MLXPP_COMPARISON(Name, op_name, expr, complex_ok)       \
  struct Name {                                                 \
    static constexpr std::string_view name = op_name;           \
    static constexpr TypeRule rule = TypeRule::comparison;      \
    template <class T>                                          \
    static constexpr bool supports = complex_ok || is_real_v<T>; \
    template <class A, class B>                                 \
    auto operator()(const A& a, const B& b) const {             \
      return expr;                                              \
    }                                                           \
  };

MLXPP_COMPARISON(Equal, "equal", a == b, true)
// Not `a != b`: xsimd compares batches with ordered predicates (NaN != NaN is false).
MLXPP_COMPARISON(NotEqual, "not_equal", mask_not(a == b), true)
MLXPP_COMPARISON(Less, "less", a < b, false)
MLXPP_COMPARISON(LessEqual, "less_equal", a <= b, false)
MLXPP_COMPARISON(Greater, "greater", a > b, false)
MLXPP_COMPARISON(GreaterEqual, "greater_equal", a >= b, false)

#undef MLXPP_COMPARISON

}  // namespace mlx::core::functors
