// SPDX-License-Identifier: MIT
// Indexing by arrays (MLX's names and overloads): take, take_along_axis, put_along_axis,
// scatter_add_axis, gather, scatter, scatter_add/prod/max/min, masked_scatter. Negative
// indices count from the end; an index outside its axis throws std::out_of_range when the
// graph runs (MLX leaves that undefined).
#pragma once

#include <string>
#include <vector>

#include "mlx/ops/slicing.hpp"
#include "mlx/primitives/indexing.hpp"

namespace mlx::core {

namespace detail {

inline void check_index_dtype(std::string_view op, const array& idx) {
  if (!issubdtype(idx.dtype(), integer))
    fail(op, "Indices must be integers, got type ", idx.dtype(), ".");
}

/// The index arrays, checked and broadcast to one shape.
template <class = void>
inline std::vector<array> broadcast_indices(std::string_view op, const std::vector<array>& indices,
                                            StreamOrDevice s) {
  std::vector<Shape> shapes;
  for (const auto& i : indices) {
    check_index_dtype(op, i);
    shapes.push_back(i.shape());
  }
  Shape shape;
  try {
    shape = broadcast_shapes(shapes);
  } catch (const std::invalid_argument&) {
    fail(op, "The index arrays cannot be broadcast together: shapes ", shapes, ".");
  }
  std::vector<array> out;
  for (const auto& i : indices) out.push_back(broadcast_to(i, shape, s));
  return out;
}

inline std::vector<int> checked_axes(std::string_view op, std::vector<int> axes, int nd) {
  std::vector<bool> seen(nd, false);
  for (auto& ax : axes) {
    ax = normalize_axis(op, ax, nd);
    if (seen[ax]) fail(op, "Repeated axis ", ax, " in axes ", axes, ".");
    seen[ax] = true;
  }
  return axes;
}

/// Index arrays for every axis that address `indices` along `axis` and the position
/// itself elsewhere (the gather/scatter form of take_along_axis and put_along_axis).
template <class = void>
inline std::vector<array> along_axis_indices(const array& indices, int axis, StreamOrDevice s) {
  const int nd = static_cast<int>(indices.ndim());
  std::vector<array> idx;
  for (int d = 0; d < nd; ++d) {
    if (d == axis) {
      idx.push_back(indices);
      continue;
    }
    Shape sh(nd, 1);
    sh[d] = indices.shape()[d];
    idx.push_back(broadcast_to(reshape(arange(0.0, sh[d], 1.0, int32, s), sh, s), indices.shape(), s));
  }
  return idx;
}

/// The broadcast shape of a and indices on every axis but `axis` (indices keep theirs).
inline Shape along_axis_shape(std::string_view op, const array& a, const array& indices, int axis) {
  if (indices.ndim() != a.ndim())
    fail(op, "Indices of dimension ", indices.ndim(), " does not match array of dimension ",
         a.ndim(), ".");
  Shape sh(a.ndim());
  for (size_t d = 0; d < a.ndim(); ++d) {
    if (static_cast<int>(d) == axis) {
      sh[d] = indices.shape()[d];
      continue;
    }
    auto x = a.shape()[d], y = indices.shape()[d];
    if (x != y && x != 1 && y != 1)
      fail(op, "Shapes ", a.shape(), " and ", indices.shape(), " cannot be broadcast outside axis ",
           axis, ".");
    sh[d] = x == 1 ? y : x;
  }
  return sh;
}

template <class = void>
inline array scatter_impl(std::string_view op, const array& a, const std::vector<array>& indices,
                          const array& updates, const std::vector<int>& axes, cpu::ScatterReduce r,
                          StreamOrDevice s) {
  const int nd = static_cast<int>(a.ndim());
  if (indices.size() != axes.size())
    fail(op, "Got ", indices.size(), " index arrays for ", axes.size(), " axes.");
  auto ax = checked_axes(op, axes, nd);
  auto idx = broadcast_indices(op, indices, s);
  const size_t idx_nd = idx.empty() ? 0 : idx[0].ndim();
  if (updates.ndim() != idx_nd + a.ndim())
    fail(op, "Updates with ", updates.ndim(), " dimensions does not match the sum of the array (",
         a.ndim(), ") and indices (", idx_nd, ") dimensions.");
  for (size_t d = 0; d < idx_nd; ++d)
    if (updates.shape()[d] != idx[0].shape()[d])
      fail(op, "Updates of shape ", updates.shape(), " do not start with the indices' shape ",
           idx[0].shape(), ".");
  for (int d = 0; d < nd; ++d)
    if (updates.shape()[idx_nd + d] > a.shape()[d])
      fail(op, "Update slices of shape ", updates.shape(), " are larger than the array of shape ",
           a.shape(), ".");
  if (a.dtype() == complex64 && (r == cpu::ScatterReduce::Max || r == cpu::ScatterReduce::Min))
    fail(op, "Not supported for dtype complex64.");
  std::vector<array> inputs{a, a.dtype() == updates.dtype() ? updates : array(astype(updates, a.dtype(), s))};
  inputs.insert(inputs.end(), idx.begin(), idx.end());
  return array(a.shape(), a.dtype(),
               std::make_shared<Scatter<>>(to_stream(s), std::string(op), ax, r),
               std::move(inputs));
}

}  // namespace detail

/// Slices of a of `slice_sizes` starting at the index tuples (indices[k] on axes[k]);
/// the result has shape broadcast(indices) + slice_sizes.
template <class = void>
inline array gather(const array& a, const std::vector<array>& indices, const std::vector<int>& axes,
                    const Shape& slice_sizes, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  if (indices.size() != axes.size())
    detail::fail("gather", "Got ", indices.size(), " index arrays for ", axes.size(), " axes.");
  if (static_cast<int>(slice_sizes.size()) != nd)
    detail::fail("gather", "Got slice_sizes ", slice_sizes, " for array with ", nd, " dimensions.");
  for (int d = 0; d < nd; ++d)
    if (slice_sizes[d] < 0 || slice_sizes[d] > a.shape()[d])
      detail::fail("gather", "Slice sizes ", slice_sizes, " must be in [0, shape] for shape ",
                   a.shape(), ".");
  auto ax = detail::checked_axes("gather", axes, nd);
  auto idx = detail::broadcast_indices("gather", indices, s);
  Shape shape = idx.empty() ? Shape{} : idx[0].shape();
  shape.insert(shape.end(), slice_sizes.begin(), slice_sizes.end());
  std::vector<array> inputs{a};
  inputs.insert(inputs.end(), idx.begin(), idx.end());
  auto prim = std::make_shared<Gather<>>(to_stream(s), "gather", std::move(ax), slice_sizes);
  return array(std::move(shape), a.dtype(), std::move(prim), std::move(inputs));
}
template <class = void>
inline array gather(const array& a, const array& indices, int axis, const Shape& slice_sizes,
                    StreamOrDevice s = {}) {
  return gather(a, std::vector<array>{indices}, std::vector<int>{axis}, slice_sizes, std::move(s));
}

/// The elements of a at `indices` along `axis`: a.shape[:axis] + indices.shape + a.shape[axis+1:].
template <class = void>
inline array take(const array& a, const array& indices, int axis, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  const int ax = detail::normalize_axis("take", axis, nd);
  detail::check_index_dtype("take", indices);
  if (a.shape()[ax] == 0 && indices.size() > 0)
    detail::fail<std::out_of_range>("take", "Cannot do a non-empty take from an empty axis ", ax,
                                    " (shape ", a.shape(), ").");
  if (a.shape()[ax] == 0) {  // and no indices: an empty result
    Shape shape(a.shape().begin(), a.shape().begin() + ax);
    shape.insert(shape.end(), indices.shape().begin(), indices.shape().end());
    shape.insert(shape.end(), a.shape().begin() + ax + 1, a.shape().end());
    return zeros(shape, a.dtype(), s);
  }
  Shape slice = a.shape();
  slice[ax] = 1;
  Shape gshape = indices.shape();
  gshape.insert(gshape.end(), slice.begin(), slice.end());
  auto prim = std::make_shared<Gather<>>(to_stream(s), "take", std::vector<int>{ax}, slice);
  array g(gshape, a.dtype(), std::move(prim), {a, indices});
  // (I..., A_before..., 1, A_after...) -> (A_before..., I..., A_after...): a view.
  const int k = static_cast<int>(indices.ndim());
  g = squeeze(g, k + ax, s);
  std::vector<int> perm;
  for (int d = 0; d < ax; ++d) perm.push_back(k + d);
  for (int d = 0; d < k; ++d) perm.push_back(d);
  for (int d = ax; d < nd - 1; ++d) perm.push_back(k + d);
  return transpose(g, std::move(perm), s);
}
template <class = void>
inline array take(const array& a, int index, int axis, StreamOrDevice s = {}) {
  return take(a, array(index), axis, std::move(s));
}
/// The elements of the flattened a at `indices` (the result has indices' shape).
template <class = void>
inline array take(const array& a, const array& indices, StreamOrDevice s = {}) {
  return take(flatten(a, s), indices, 0, std::move(s));
}
template <class = void>
inline array take(const array& a, int index, StreamOrDevice s = {}) {
  return take(flatten(a, s), array(index), 0, std::move(s));
}

/// out[..., i, ...] = a[..., indices[..., i, ...], ...] along `axis` (a and indices broadcast
/// on the other axes).
template <class = void>
inline array take_along_axis(const array& a, const array& indices, int axis, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  const int ax = detail::normalize_axis("take_along_axis", axis, nd);
  detail::check_index_dtype("take_along_axis", indices);
  Shape sh = detail::along_axis_shape("take_along_axis", a, indices, ax);
  Shape ash = sh;
  ash[ax] = a.shape()[ax];
  array src = broadcast_to(a, ash, s);
  array idx = broadcast_to(indices, sh, s);
  auto all = detail::along_axis_indices(idx, ax, s);
  std::vector<int> axes(nd);
  std::iota(axes.begin(), axes.end(), 0);
  Shape ones(nd, 1);
  Shape gshape = sh;
  gshape.insert(gshape.end(), ones.begin(), ones.end());
  std::vector<array> inputs{src};
  inputs.insert(inputs.end(), all.begin(), all.end());
  array g(gshape, a.dtype(),
          std::make_shared<Gather<>>(to_stream(s), "take_along_axis", axes, ones),
          std::move(inputs));
  return reshape(g, sh, s);
}

namespace detail {
template <class = void>
inline array put_along_axis_impl(std::string_view op, const array& a, const array& indices,
                                 const array& values, int axis, cpu::ScatterReduce r, StreamOrDevice s) {
  const int nd = static_cast<int>(a.ndim());
  const int ax = normalize_axis(op, axis, nd);
  check_index_dtype(op, indices);
  if (indices.ndim() != a.ndim())
    fail(op, "Indices of dimension ", indices.ndim(), " does not match array of dimension ",
         a.ndim(), ".");
  for (int d = 0; d < nd; ++d)
    if (d != ax && indices.shape()[d] != a.shape()[d] && indices.shape()[d] != 1)
      fail(op, "Indices of shape ", indices.shape(), " do not fit the array of shape ", a.shape(),
           " outside axis ", ax, ".");
  Shape sh = indices.shape();
  for (int d = 0; d < nd; ++d)
    if (d != ax) sh[d] = a.shape()[d];
  array idx = broadcast_to(indices, sh, s);
  array upd;
  try {
    upd = broadcast_to(values, sh, s);
  } catch (const std::invalid_argument&) {
    fail(op, "Values of shape ", values.shape(), " cannot be broadcast to the indices' shape ", sh, ".");
  }
  Shape ushape = sh;
  for (int d = 0; d < nd; ++d) ushape.push_back(1);
  std::vector<int> axes(nd);
  std::iota(axes.begin(), axes.end(), 0);
  return scatter_impl(op, a, along_axis_indices(idx, ax, s), reshape(upd, ushape, s), axes, r, s);
}
}  // namespace detail

/// a with values written at `indices` along `axis` (the inverse of take_along_axis).
template <class = void>
inline array put_along_axis(const array& a, const array& indices, const array& values, int axis,
                            StreamOrDevice s = {}) {
  return detail::put_along_axis_impl("put_along_axis", a, indices, values, axis,
                                     cpu::ScatterReduce::None, std::move(s));
}
/// a with values added at `indices` along `axis` (repeated indices accumulate).
template <class = void>
inline array scatter_add_axis(const array& a, const array& indices, const array& values, int axis,
                              StreamOrDevice s = {}) {
  return detail::put_along_axis_impl("scatter_add_axis", a, indices, values, axis,
                                     cpu::ScatterReduce::Sum, std::move(s));
}

/// a with `updates` (shape broadcast(indices) + slice shape) written at the index tuples.
template <class = void>
inline array scatter(const array& a, const std::vector<array>& indices, const array& updates,
                     const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::scatter_impl("scatter", a, indices, updates, axes, cpu::ScatterReduce::None, std::move(s));
}
template <class = void>
inline array scatter(const array& a, const array& indices, const array& updates, int axis,
                     StreamOrDevice s = {}) {
  return scatter(a, std::vector<array>{indices}, updates, std::vector<int>{axis}, std::move(s));
}
/// As scatter, combining with the values already there (repeated indices accumulate).
#define MLXPP_SCATTER_REDUCE_OP(fn, R)                                                        \
  template <class = void>                                                                     \
  inline array fn(const array& a, const std::vector<array>& indices, const array& updates,    \
                  const std::vector<int>& axes, StreamOrDevice s = {}) {                      \
    return detail::scatter_impl(#fn, a, indices, updates, axes, cpu::ScatterReduce::R,        \
                                std::move(s));                                                \
  }                                                                                           \
  template <class = void>                                                                     \
  inline array fn(const array& a, const array& indices, const array& updates, int axis,       \
                  StreamOrDevice s = {}) {                                                    \
    return fn(a, std::vector<array>{indices}, updates, std::vector<int>{axis}, std::move(s)); \
  }
MLXPP_SCATTER_REDUCE_OP(scatter_add, Sum)
MLXPP_SCATTER_REDUCE_OP(scatter_prod, Prod)
MLXPP_SCATTER_REDUCE_OP(scatter_max, Max)
MLXPP_SCATTER_REDUCE_OP(scatter_min, Min)
#undef MLXPP_SCATTER_REDUCE_OP

/// a with the positions where `mask` (broadcast to a) is true filled, in row-major order,
/// by the consecutive elements of src.
template <class = void>
inline array masked_scatter(const array& a, const array& mask, const array& src, StreamOrDevice s = {}) {
  if (mask.dtype() != bool_)
    detail::fail("masked_scatter", "The mask must be boolean, got type ", mask.dtype(), ".");
  array m;
  try {
    m = broadcast_to(mask, a.shape(), s);
  } catch (const std::invalid_argument&) {
    detail::fail("masked_scatter", "Mask of shape ", mask.shape(), " cannot be broadcast to shape ",
                 a.shape(), ".");
  }
  array values = src.dtype() == a.dtype() ? src : array(astype(src, a.dtype(), s));
  return array(a.shape(), a.dtype(), std::make_shared<MaskedScatter<>>(to_stream(s)),
               {a, m, values});
}

}  // namespace mlx::core
