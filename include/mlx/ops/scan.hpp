// SPDX-License-Identifier: MIT
// Cumulative reductions (MLX's names and overloads): cumsum, cumprod, cummax, cummin and
// logcumsumexp, along an axis or over the flattened array, forward or reversed, inclusive
// or exclusive. All are lazy nodes.
#pragma once

#include <memory>
#include <optional>

#include "mlx/core/device.hpp"
#include "mlx/primitives/scan.hpp"

namespace mlx::core {

namespace detail {

inline const char* scan_op_name(cpu::ScanType t) {
  switch (t) {
    case cpu::ScanType::Sum: return "cumsum";
    case cpu::ScanType::Prod: return "cumprod";
    case cpu::ScanType::Max: return "cummax";
    case cpu::ScanType::Min: return "cummin";
    case cpu::ScanType::LogAddExp: return "logcumsumexp";
  }
  return "scan";
}

/// The scan node: axis checked as MLX does (a 0-d array has no valid axis); no axis means
/// the flattened array.
template <class = void>
inline array scan_op(cpu::ScanType type, const array& a, std::optional<int> axis, bool reverse,
                     bool inclusive, StreamOrDevice s) {
  const char* op = scan_op_name(type);
  const int nd = static_cast<int>(a.ndim());
  if (axis && (*axis >= nd || *axis < -nd))
    fail(op, "Axis ", *axis, " is out of bounds for array with ", nd, " dimensions.");
  if (a.dtype() == complex64 && type != cpu::ScanType::Sum && type != cpu::ScanType::Prod)
    fail(op, "Not supported for dtype complex64.");
  Dtype out = type == cpu::ScanType::Sum && a.dtype() == bool_ ? int32 : a.dtype();
  Shape shape = axis ? a.shape() : Shape{static_cast<ShapeElem>(a.size())};
  const int ax = axis ? (*axis < 0 ? *axis + nd : *axis) : 0;
  return array(std::move(shape), out,
               std::make_shared<Scan<>>(to_stream(s), type, ax, !axis, reverse, inclusive), {a});
}

}  // namespace detail

#define MLXPP_SCAN_OP(fn, TYPE)                                                             \
  template <class = void>                                                                   \
  inline array fn(const array& a, int axis, bool reverse = false, bool inclusive = true,    \
                  StreamOrDevice s = {}) {                                                  \
    return detail::scan_op(cpu::ScanType::TYPE, a, axis, reverse, inclusive, std::move(s)); \
  }                                                                                         \
  template <class = void>                                                                   \
  inline array fn(const array& a, bool reverse = false, bool inclusive = true,              \
                  StreamOrDevice s = {}) {                                                  \
    return detail::scan_op(cpu::ScanType::TYPE, a, std::nullopt, reverse, inclusive,        \
                           std::move(s));                                                   \
  }

/// Cumulative sum (bool sums to int32; integers wrap; float16/bfloat16 accumulate in float).
MLXPP_SCAN_OP(cumsum, Sum)
/// Cumulative product.
MLXPP_SCAN_OP(cumprod, Prod)
/// Cumulative maximum (a NaN propagates to every later element).
MLXPP_SCAN_OP(cummax, Max)
/// Cumulative minimum (a NaN propagates to every later element).
MLXPP_SCAN_OP(cummin, Min)
/// Cumulative log(sum(exp(a))), computed stably one element at a time.
MLXPP_SCAN_OP(logcumsumexp, LogAddExp)

#undef MLXPP_SCAN_OP

}  // namespace mlx::core
