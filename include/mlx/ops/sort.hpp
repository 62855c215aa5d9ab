// SPDX-License-Identifier: MIT
// Sorting and selection (MLX's names and overloads): sort, argsort, partition,
// argpartition and topk, along an axis or over the flattened array. All are lazy nodes.
#pragma once

#include <memory>

#include "mlx/core/device.hpp"
#include "mlx/primitives/sort.hpp"

namespace mlx::core {

namespace detail {

/// MLX's axis check of the sort family (a 0-d array has no valid axis).
inline int sort_axis(std::string_view op, int axis, const array& a) {
  const int nd = static_cast<int>(a.ndim());
  if (axis + nd < 0 || axis >= nd)
    fail(op, "Received invalid axis ", axis, " for array with ", nd, " dimensions.");
  return axis < 0 ? axis + nd : axis;
}

/// kth (negative counts from the end) as a position along an axis of length n.
inline int partition_kth(std::string_view op, int kth, int axis, int n, const array& a) {
  const int k = kth < 0 ? kth + n : kth;
  if (k < 0 || k >= n)
    fail(op, "Received invalid kth ", kth, " along axis ", axis, " for array with shape: ",
         a.shape(), ".");
  return k;
}

inline Shape flat_shape(const array& a) { return Shape{static_cast<ShapeElem>(a.size())}; }

}  // namespace detail

/// A sorted copy of `a` along `axis` (NaNs last, equal elements in input order).
template <class = void>
inline array sort(const array& a, int axis, StreamOrDevice s = {}) {
  int ax = detail::sort_axis("sort", axis, a);
  return array(a.shape(), a.dtype(), std::make_shared<Sort<>>(to_stream(s), ax, false), {a});
}
/// A sorted copy of the flattened array.
template <class = void>
inline array sort(const array& a, StreamOrDevice s = {}) {
  return array(detail::flat_shape(a), a.dtype(), std::make_shared<Sort<>>(to_stream(s), 0, true),
               {a});
}

/// The indices (uint32) that sort `a` along `axis`; stable (ties keep input order).
template <class = void>
inline array argsort(const array& a, int axis, StreamOrDevice s = {}) {
  int ax = detail::sort_axis("argsort", axis, a);
  return array(a.shape(), uint32, std::make_shared<ArgSort<>>(to_stream(s), ax, false), {a});
}
/// The indices that sort the flattened array.
template <class = void>
inline array argsort(const array& a, StreamOrDevice s = {}) {
  return array(detail::flat_shape(a), uint32, std::make_shared<ArgSort<>>(to_stream(s), 0, true),
               {a});
}

/// A copy of `a` partitioned along `axis` around position `kth` (negative: from the end):
/// element kth is where a sort puts it, smaller-or-equal ones before, larger-or-equal after.
template <class = void>
inline array partition(const array& a, int kth, int axis, StreamOrDevice s = {}) {
  int ax = detail::sort_axis("partition", axis, a);
  int k = detail::partition_kth("partition", kth, axis, a.shape(ax), a);
  return array(a.shape(), a.dtype(), std::make_shared<Partition<>>(to_stream(s), k, ax, false),
               {a});
}
/// The flattened array partitioned around position `kth`.
template <class = void>
inline array partition(const array& a, int kth, StreamOrDevice s = {}) {
  int k = detail::partition_kth("partition", kth, 0, static_cast<int>(a.size()), a);
  return array(detail::flat_shape(a), a.dtype(),
               std::make_shared<Partition<>>(to_stream(s), k, 0, true), {a});
}

/// The indices (uint32) that partition `a` along `axis` around position `kth`.
template <class = void>
inline array argpartition(const array& a, int kth, int axis, StreamOrDevice s = {}) {
  int ax = detail::sort_axis("argpartition", axis, a);
  int k = detail::partition_kth("argpartition", kth, axis, a.shape(ax), a);
  return array(a.shape(), uint32, std::make_shared<ArgPartition<>>(to_stream(s), k, ax, false),
               {a});
}
/// The indices that partition the flattened array around position `kth`.
template <class = void>
inline array argpartition(const array& a, int kth, StreamOrDevice s = {}) {
  int k = detail::partition_kth("argpartition", kth, 0, static_cast<int>(a.size()), a);
  return array(detail::flat_shape(a), uint32,
               std::make_shared<ArgPartition<>>(to_stream(s), k, 0, true), {a});
}

/// The `k` largest elements along `axis`, ascending. As in MLX, k equal to the axis
/// length returns the elements in their input order.
template <class = void>
inline array topk(const array& a, int k, int axis, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  const int ax = axis < 0 ? axis + nd : axis;
  if (ax < 0 || ax >= nd)
    detail::fail("topk", "Received invalid axis ", axis, " for array with ", nd, " dimensions.");
  if (k < 0 || k > a.shape(ax))
    detail::fail("topk", "Received invalid k=", k, " along axis ", axis,
                 " for array with shape: ", a.shape(), ".");
  Shape shape = a.shape();
  shape[ax] = k;
  return array(std::move(shape), a.dtype(), std::make_shared<TopK<>>(to_stream(s), k, ax, false),
               {a});
}
/// The `k` largest elements of the flattened array, ascending.
template <class = void>
inline array topk(const array& a, int k, StreamOrDevice s = {}) {
  if (k < 0 || k > static_cast<int>(a.size()))
    detail::fail("topk", "Received invalid k=", k, " along axis 0 for array with shape: ",
                 detail::flat_shape(a), ".");
  return array(Shape{k}, a.dtype(), std::make_shared<TopK<>>(to_stream(s), k, 0, true), {a});
}

}  // namespace mlx::core
