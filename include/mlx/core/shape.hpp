// SPDX-License-Identifier: MIT
// Shape, Strides, broadcasting and axis helpers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <ostream>
#include <vector>

#include "mlx/core/errors.hpp"

namespace mlx::core {

using ShapeElem = int32_t;
using Shape = std::vector<ShapeElem>;
using Strides = std::vector<int64_t>;

/// Prints a shape as a NumPy tuple: (2,3), (4,), ().
inline std::ostream& operator<<(std::ostream& os, const Shape& s) {
  detail::put(os, s);
  return os;
}

/// Number of elements of a shape (1 for a 0-d shape).
inline int64_t shape_size(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

/// Row-major (C order) strides in elements.
inline Strides row_major_strides(const Shape& shape) {
  Strides st(shape.size());
  int64_t s = 1;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    st[i] = s;
    s *= shape[i];
  }
  return st;
}

/// The region start + i * steps of a row-major array of `shape`: its first element's offset
/// (returned) and its element strides (`strides`).
inline int64_t region_strides(const Shape& shape, const Shape& start, const Shape& steps,
                              Strides& strides) {
  const Strides st = row_major_strides(shape);
  strides.assign(st.size(), 0);
  int64_t offset = 0;
  for (size_t d = 0; d < st.size(); ++d) {
    strides[d] = st[d] * steps[d];
    offset += static_cast<int64_t>(start[d]) * st[d];
  }
  return offset;
}

/// NumPy broadcasting of two shapes.
/// \throws std::invalid_argument naming both shapes when they are incompatible or one has a
/// negative dimension.
inline Shape broadcast_shapes(const Shape& s1, const Shape& s2) {
  for (const Shape* s : {&s1, &s2})  // (-3,) and (1,) would otherwise "broadcast" to (-3,)
    for (auto d : *s)
      if (d < 0) detail::fail("broadcast_shapes", "Shapes ", s1, " and ", s2, " cannot be broadcast: negative dimension ", d, ".");
  const auto& big = s1.size() >= s2.size() ? s1 : s2;
  const auto& small = s1.size() >= s2.size() ? s2 : s1;
  Shape out(big);
  size_t off = big.size() - small.size();
  for (size_t i = 0; i < small.size(); ++i) {
    auto a = big[off + i], b = small[i];
    if (a == b || b == 1) continue;
    if (a == 1) {
      out[off + i] = b;
      continue;
    }
    detail::fail("broadcast_shapes", "Shapes ", s1, " and ", s2, " cannot be broadcast.");
  }
  return out;
}

/// Broadcasts any number of shapes.
inline Shape broadcast_shapes(const std::vector<Shape>& shapes) {
  Shape out;
  for (auto& s : shapes) out = broadcast_shapes(out, s);
  return out;
}

namespace detail {

/// A dimension computed in int64 (a sum or product of dims), or std::invalid_argument
/// naming op when it does not fit a ShapeElem.
inline ShapeElem checked_dim(std::string_view op, int64_t d) {
  if (d < 0 || d > std::numeric_limits<ShapeElem>::max())
    fail(op, "The resulting dimension ", d, " is out of range [0, ", std::numeric_limits<ShapeElem>::max(), "].");
  return static_cast<ShapeElem>(d);
}

/// The element count of shape, checked: a negative dimension, or non-zero dimensions whose
/// product times itemsize passes 2^63, throws std::invalid_argument naming op. Zero-size
/// shapes are held to it too: their row-major strides are products of the other dims.
inline int64_t checked_size(std::string_view op, const Shape& shape, int64_t itemsize = 1) {
  int64_t nonzero = 1;
  bool empty = false;
  for (auto d : shape) {
    if (d < 0) fail(op, "Shape dimensions must be non-negative. Got shape ", shape, ".");
    if (d == 0) {
      empty = true;
    } else if (nonzero > std::numeric_limits<int64_t>::max() / itemsize / d) {
      fail(op, "Shape ", shape, " is too large: its byte count passes 2^63.");
    } else {
      nonzero *= d;
    }
  }
  return empty ? 0 : nonzero;
}

/// Maps a possibly negative axis into [0, ndim); throws naming the op otherwise.
inline int normalize_axis(std::string_view op, int axis, int ndim) {
  if (axis < -ndim || axis >= ndim)
    fail(op, "Invalid axis ", axis, " for array with ", ndim, " dimensions.");
  return axis < 0 ? axis + ndim : axis;
}

/// Normalises, sorts and checks a list of axes for duplicates.
inline std::vector<int> normalize_axes(std::string_view op, std::vector<int> axes, int ndim) {
  for (auto& a : axes) a = normalize_axis(op, a, ndim);
  std::sort(axes.begin(), axes.end());
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] == axes[i - 1]) fail(op, "Received duplicate axis ", axes[i], ".");
  return axes;
}

/// Strides (in elements) that read an array of `in_shape`/`in_strides` broadcast to `out_shape`.
inline Strides broadcast_strides(const Shape& in_shape, const Strides& in_strides,
                                 const Shape& out_shape) {
  Strides st(out_shape.size(), 0);
  size_t off = out_shape.size() - in_shape.size();
  for (size_t i = 0; i < in_shape.size(); ++i)
    st[off + i] = in_shape[i] == 1 ? 0 : in_strides[i];
  return st;
}

} // namespace detail
} // namespace mlx::core
