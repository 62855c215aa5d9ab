// SPDX-License-Identifier: MIT
// Whole-array comparisons (MLX's names): allclose and array_equal, each a 0-d bool array.
// Calls are qualified: StreamOrDevice is a std::variant, so ADL would also find std::equal.
#pragma once

#include "mlx/ops/reduce.hpp"

namespace mlx::core {

/// True when every element pair is within atol + rtol * |b| (NaNs equal if equal_nan).
/// \throws std::invalid_argument naming allclose when the shapes do not broadcast.
template <class = void>
inline array allclose(const array& a, const array& b, double rtol = 1e-5, double atol = 1e-8,
                      bool equal_nan = false, StreamOrDevice s = {}) {
  detail::broadcast_shapes_for("allclose", {a.shape(), b.shape()});
  return core::all(core::isclose(a, b, rtol, atol, equal_nan, s), false, s);
}

/// True when a and b have the same shape and equal elements (dtypes may differ).
template <class = void>
inline array array_equal(const array& a, const array& b, bool equal_nan, StreamOrDevice s = {}) {
  if (a.shape() != b.shape()) return array(false);
  if (equal_nan && issubdtype(result_type(a, b), inexact))
    return core::all(core::logical_or(core::equal(a, b, s),
                                      core::logical_and(core::isnan(a, s), core::isnan(b, s), s), s),
                     false, s);
  return core::all(core::equal(a, b, s), false, s);
}
template <class = void>
inline array array_equal(const array& a, const array& b, StreamOrDevice s = {}) {
  return array_equal(a, b, false, std::move(s));
}

}  // namespace mlx::core
