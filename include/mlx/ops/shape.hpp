// SPDX-License-Identifier: MIT
// Shape and view ops (MLX's names and overloads): reshape, flatten, unflatten, squeeze,
// expand_dims, transpose, swapaxes, moveaxis, broadcast_to, broadcast_arrays, as_strided,
// contiguous, atleast_1d/2d/3d. Reshapes, transposes, broadcasts and squeezes are views of
// their input's buffer where the strides allow (as in MLX); slicing and joining live in
// ops/slicing.hpp.
#pragma once

#include <limits>
#include <numeric>
#include <optional>
#include <vector>

#include "mlx/ops/elementwise.hpp"
#include "mlx/primitives/shape.hpp"

namespace mlx::core {

namespace detail {

/// `shape` with one -1 inferred from `size` elements.
inline Shape infer_shape(std::string_view op, Shape shape, int64_t size) {
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) fail(op, "Can only infer one dimension. Got shape ", shape, ".");
      infer = static_cast<int>(i);
    } else if (shape[i] < 0) {
      fail(op, "Invalid dimension ", shape[i], " in shape ", shape, ".");
    } else if (shape[i] != 0 && known > std::numeric_limits<int64_t>::max() / shape[i]) {
      fail(op, "Cannot reshape array of size ", size, " into shape ", shape, ".");  // the product overflows
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || size % known != 0)
      fail(op, "Cannot infer the shape of an array of size ", size, " into shape ", shape, ".");
    shape[infer] = static_cast<ShapeElem>(size / known);
  }
  if (shape_size(shape) != size)
    fail(op, "Cannot reshape array of size ", size, " into shape ", shape, ".");
  return shape;
}

}  // namespace detail

/// a with a new shape of the same size (one dim may be -1 and is then inferred).
template <class = void>
inline array reshape(const array& a, Shape shape, StreamOrDevice s = {}) {
  shape = detail::infer_shape("reshape", std::move(shape), static_cast<int64_t>(a.size()));
  if (shape == a.shape()) return a;
  auto prim = std::make_shared<Reshape<>>(to_stream(s), shape);
  return array(std::move(shape), a.dtype(), std::move(prim), {a});
}

/// Flattens axes [start_axis, end_axis] into one.
template <class = void>
inline array flatten(const array& a, int start_axis, int end_axis = -1, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  if (nd == 0) return reshape(a, {1}, std::move(s));
  int b = detail::normalize_axis("flatten", start_axis, nd);
  int e = detail::normalize_axis("flatten", end_axis, nd);
  if (b > e)
    detail::fail("flatten", "start_axis (", start_axis, ") must be at most end_axis (", end_axis,
                 ") for array with ", nd, " dimensions.");
  Shape shape(a.shape().begin(), a.shape().begin() + b);
  int64_t merged = 1;
  for (int d = b; d <= e; ++d) merged *= a.shape()[d];
  shape.push_back(static_cast<ShapeElem>(merged));
  shape.insert(shape.end(), a.shape().begin() + e + 1, a.shape().end());
  return reshape(a, std::move(shape), std::move(s));
}
template <class = void>
inline array flatten(const array& a, StreamOrDevice s = {}) { return flatten(a, 0, -1, std::move(s)); }

/// Splits `axis` into `shape` (one entry may be -1).
template <class = void>
inline array unflatten(const array& a, int axis, Shape shape, StreamOrDevice s = {}) {
  if (shape.empty()) detail::fail("unflatten", "The shape to unflatten into must not be empty.");
  int ax = detail::normalize_axis("unflatten", axis, static_cast<int>(a.ndim()));
  shape = detail::infer_shape("unflatten", std::move(shape), a.shape()[ax]);
  Shape out(a.shape().begin(), a.shape().begin() + ax);
  out.insert(out.end(), shape.begin(), shape.end());
  out.insert(out.end(), a.shape().begin() + ax + 1, a.shape().end());
  return reshape(a, std::move(out), std::move(s));
}

/// Removes the given size-1 axes (a view).
template <class = void>
inline array squeeze(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  auto ax = detail::normalize_axes("squeeze", axes, nd);
  for (int d : ax)
    if (a.shape()[d] != 1)
      detail::fail("squeeze", "Cannot squeeze axis ", d, " with size ", a.shape()[d],
                   " (shape ", a.shape(), ").");
  if (ax.empty()) return a;
  std::vector<int> keep;
  Shape shape;
  for (int d = 0, k = 0; d < nd; ++d) {
    if (k < static_cast<int>(ax.size()) && ax[k] == d) {
      ++k;
      continue;
    }
    keep.push_back(d);
    shape.push_back(a.shape()[d]);
  }
  auto prim = std::make_shared<ExpandSqueeze<>>(to_stream(s), std::move(keep), false);
  return array(std::move(shape), a.dtype(), std::move(prim), {a});
}
template <class = void>
inline array squeeze(const array& a, int axis, StreamOrDevice s = {}) {
  return squeeze(a, std::vector<int>{axis}, std::move(s));
}
/// Removes every size-1 axis.
template <class = void>
inline array squeeze(const array& a, StreamOrDevice s = {}) {
  std::vector<int> axes;
  for (int d = 0; d < static_cast<int>(a.ndim()); ++d)
    if (a.shape()[d] == 1) axes.push_back(d);
  return squeeze(a, axes, std::move(s));
}

/// Inserts size-1 axes at `axes` (positions in the result; a view).
template <class = void>
inline array expand_dims(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  const int out_nd = static_cast<int>(a.ndim() + axes.size());
  auto ax = detail::normalize_axes("expand_dims", axes, out_nd);
  if (ax.empty()) return a;
  std::vector<int> keep;
  Shape shape;
  for (int d = 0, k = 0, src = 0; d < out_nd; ++d) {
    if (k < static_cast<int>(ax.size()) && ax[k] == d) {
      ++k;
      keep.push_back(-1);
      shape.push_back(1);
    } else {
      keep.push_back(src);
      shape.push_back(a.shape()[src++]);
    }
  }
  auto prim = std::make_shared<ExpandSqueeze<>>(to_stream(s), std::move(keep), true);
  return array(std::move(shape), a.dtype(), std::move(prim), {a});
}
template <class = void>
inline array expand_dims(const array& a, int axis, StreamOrDevice s = {}) {
  return expand_dims(a, std::vector<int>{axis}, std::move(s));
}

/// Permutes the axes: output axis i is input axis axes[i] (a view).
template <class = void>
inline array transpose(const array& a, std::vector<int> axes, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  if (static_cast<int>(axes.size()) != nd)
    detail::fail("transpose", "Received ", axes.size(), " axes for array with ", nd,
                 " dimensions.");
  std::vector<bool> seen(nd, false);
  for (auto& ax : axes) {
    ax = detail::normalize_axis("transpose", ax, nd);
    if (seen[ax]) detail::fail("transpose", "Repeated axis ", ax, " in axes ", axes, ".");
    seen[ax] = true;
  }
  bool identity = true;
  for (int i = 0; i < nd; ++i) identity = identity && axes[i] == i;
  if (identity) return a;
  Shape shape(nd);
  for (int i = 0; i < nd; ++i) shape[i] = a.shape()[axes[i]];
  auto prim = std::make_shared<Transpose<>>(to_stream(s), std::move(axes));
  return array(std::move(shape), a.dtype(), std::move(prim), {a});
}
template <class = void>
inline array transpose(const array& a, std::initializer_list<int> axes, StreamOrDevice s = {}) {
  return transpose(a, std::vector<int>(axes), std::move(s));
}
/// Reverses the axes.
template <class = void>
inline array transpose(const array& a, StreamOrDevice s = {}) {
  std::vector<int> axes(a.ndim());
  std::iota(axes.rbegin(), axes.rend(), 0);
  return transpose(a, std::move(axes), std::move(s));
}

/// Swaps two axes (a view).
template <class = void>
inline array swapaxes(const array& a, int axis1, int axis2, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  int a1 = detail::normalize_axis("swapaxes", axis1, nd);
  int a2 = detail::normalize_axis("swapaxes", axis2, nd);
  std::vector<int> axes(nd);
  std::iota(axes.begin(), axes.end(), 0);
  std::swap(axes[a1], axes[a2]);
  return transpose(a, std::move(axes), std::move(s));
}

/// Moves axis `source` to position `destination` (a view).
template <class = void>
inline array moveaxis(const array& a, int source, int destination, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  int src = detail::normalize_axis("moveaxis", source, nd);
  int dst = detail::normalize_axis("moveaxis", destination, nd);
  std::vector<int> axes;
  for (int d = 0; d < nd; ++d)
    if (d != src) axes.push_back(d);
  axes.insert(axes.begin() + dst, src);
  return transpose(a, std::move(axes), std::move(s));
}

/// a broadcast to `shape` (a view with zero strides).
template <class = void>
inline array broadcast_to(const array& a, const Shape& shape, StreamOrDevice s = {}) {
  if (a.shape() == shape) return a;
  bool ok = shape.size() >= a.ndim();
  for (auto d : shape) ok = ok && d >= 0;
  if (ok) {
    const size_t off = shape.size() - a.ndim();
    for (size_t i = 0; i < a.ndim() && ok; ++i)
      ok = a.shape()[i] == shape[off + i] || a.shape()[i] == 1;
  }
  if (!ok)
    detail::fail("broadcast_to", "Cannot broadcast array of shape ", a.shape(), " into shape ",
                 shape, ".");
  return array(shape, a.dtype(), std::make_shared<Broadcast<>>(to_stream(s)), {a});
}

/// The inputs broadcast to their common shape.
template <class = void>
inline std::vector<array> broadcast_arrays(const std::vector<array>& inputs, StreamOrDevice s = {}) {
  std::vector<Shape> shapes;
  for (const auto& a : inputs) shapes.push_back(a.shape());
  Shape shape;
  try {
    shape = broadcast_shapes(shapes);
  } catch (const std::invalid_argument&) {
    std::string all;
    for (size_t i = 0; i < shapes.size(); ++i) {
      if (i) all += ' ';  // (not `" " + string`: GCC 12 warns falsely on it, bug 105329)
      all += detail::message(shapes[i]);
    }
    detail::fail("broadcast_arrays", "Shapes ", all, " cannot be broadcast.");
  }
  std::vector<array> out;
  for (const auto& a : inputs) out.push_back(broadcast_to(a, shape, s));
  return out;
}

/// A view of a's row-major elements with explicit shape, strides (in elements) and offset.
/// As in MLX nothing checks that the view stays inside the buffer: that is the caller's job.
template <class = void>
inline array as_strided(array a, Shape shape, Strides strides, size_t offset, StreamOrDevice s = {}) {
  if (shape.size() != strides.size())
    detail::fail("as_strided", "Shape ", shape, " and strides ", strides,
                 " must have the same number of dimensions.");
  for (auto d : shape)
    if (d < 0) detail::fail("as_strided", "Negative dimension in shape ", shape, ".");
  auto prim = std::make_shared<AsStrided<>>(to_stream(s), std::move(strides), offset);
  const Dtype dt = a.dtype();  // before `a` is moved into the inputs
  return array(std::move(shape), dt, std::move(prim), {std::move(a)});
}

/// a with row-contiguous storage (or column-contiguous when allowed); a no-op when it has it.
template <class = void>
inline array contiguous(const array& a, bool allow_col_major = false, StreamOrDevice s = {}) {
  return array(a.shape(), a.dtype(), std::make_shared<Contiguous<>>(to_stream(s), allow_col_major),
               {a});
}

/// a with at least 1, 2 or 3 dimensions (size-1 axes added as NumPy does).
template <class = void>
inline array atleast_1d(const array& a, StreamOrDevice s = {}) {
  return a.ndim() == 0 ? reshape(a, {1}, std::move(s)) : a;
}
template <class = void>
inline array atleast_2d(const array& a, StreamOrDevice s = {}) {
  switch (a.ndim()) {
    case 0: return reshape(a, {1, 1}, std::move(s));
    case 1: return reshape(a, {1, a.shape()[0]}, std::move(s));
    default: return a;
  }
}
template <class = void>
inline array atleast_3d(const array& a, StreamOrDevice s = {}) {
  switch (a.ndim()) {
    case 0: return reshape(a, {1, 1, 1}, std::move(s));
    case 1: return reshape(a, {1, a.shape()[0], 1}, std::move(s));
    case 2: return reshape(a, {a.shape()[0], a.shape()[1], 1}, std::move(s));
    default: return a;
  }
}
template <class = void>
inline std::vector<array> atleast_1d(const std::vector<array>& a, StreamOrDevice s = {}) {
  std::vector<array> out;
  for (const auto& x : a) out.push_back(atleast_1d(x, s));
  return out;
}
template <class = void>
inline std::vector<array> atleast_2d(const std::vector<array>& a, StreamOrDevice s = {}) {
  std::vector<array> out;
  for (const auto& x : a) out.push_back(atleast_2d(x, s));
  return out;
}
template <class = void>
inline std::vector<array> atleast_3d(const std::vector<array>& a, StreamOrDevice s = {}) {
  std::vector<array> out;
  for (const auto& x : a) out.push_back(atleast_3d(x, s));
  return out;
}

/// a's bytes reinterpreted as `dtype` (no copy when a is row-contiguous). With a different
/// item size the last axis is rescaled: a (2,4) float32 viewed as uint8 is (2,16).
template <class = void>
inline array view(const array& a, const Dtype& dtype, StreamOrDevice s = {}) {
  if (dtype == a.dtype()) return a;
  Shape shape = a.shape();
  const size_t ia = a.itemsize(), ib = size_of(dtype);
  if (ia != ib) {
    if (a.ndim() == 0)
      detail::fail("view", "A 0-d array of ", a.dtype(), " cannot be viewed as ", dtype,
                   " (different item size).");
    const int64_t bytes = static_cast<int64_t>(shape.back()) * static_cast<int64_t>(ia);
    if (bytes % static_cast<int64_t>(ib) != 0)
      detail::fail("view", "The last axis of shape ", a.shape(), " holds ", bytes,
                   " bytes, which is not a multiple of the item size of ", dtype, ".");
    shape.back() = static_cast<ShapeElem>(bytes / static_cast<int64_t>(ib));
  }
  return array(std::move(shape), dtype, std::make_shared<View<>>(to_stream(s)), {a});
}

/// The inputs, unchanged, but evaluated only after the dependencies (MLX's depends).
template <class = void>
inline std::vector<array> depends(const std::vector<array>& inputs, const std::vector<array>& dependencies) {
  if (inputs.empty()) return {};
  std::vector<Shape> shapes;
  std::vector<Dtype> dtypes;
  for (const auto& a : inputs) {
    shapes.push_back(a.shape());
    dtypes.push_back(a.dtype());
  }
  std::vector<array> all = inputs;
  all.insert(all.end(), dependencies.begin(), dependencies.end());
  return array::make_arrays(std::move(shapes), dtypes, std::make_shared<Depends<>>(to_stream({})),
                            all);
}

}  // namespace mlx::core
