// SPDX-License-Identifier: MIT
// Slicing and joining (MLX's names and overloads): slice (static and dynamic start),
// slice_update, split, concatenate, stack, unstack, flip, pad, tile, repeat, roll, meshgrid.
// Slices are views (negative steps included); joins and updates write one new buffer.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mlx/ops/creation.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/primitives/slicing.hpp"

namespace mlx::core {

namespace detail {

/// Python's slice rules per axis: negative start/stop count from the end, out-of-range
/// bounds clamp. Returns the first index taken on each axis and the result's shape.
inline std::pair<Shape, Shape> normalize_slice(std::string_view op, const Shape& shape,
                                               const Shape& start, const Shape& stop,
                                               const Shape& strides) {
  const size_t nd = shape.size();
  if (start.size() != nd || stop.size() != nd || strides.size() != nd)
    fail(op, "Invalid number of indices or strides for array with ", nd,
         " dimensions. Got start ", start, ", stop ", stop, " and strides ", strides, ".");
  Shape first(nd), out(nd);
  for (size_t d = 0; d < nd; ++d) {
    const int64_t n = shape[d], st = strides[d];
    if (st == 0) fail(op, "Slice strides must be non-zero. Got strides ", strides, ".");
    int64_t b = start[d] < 0 ? start[d] + n : start[d];
    int64_t e = stop[d] < 0 ? stop[d] + n : stop[d];
    int64_t len;
    if (st > 0) {
      b = std::clamp<int64_t>(b, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      len = e > b ? (e - b + st - 1) / st : 0;
    } else {
      b = std::clamp<int64_t>(b, -1, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      len = b > e ? (b - e - st - 1) / -st : 0;
    }
    first[d] = static_cast<ShapeElem>(len > 0 ? b : 0);
    out[d] = static_cast<ShapeElem>(len);
  }
  return {first, out};
}

}  // namespace detail

/// a[start:stop:strides] per axis (a view of a's buffer).
template <class = void>
inline array slice(const array& a, Shape start, Shape stop, Shape strides, StreamOrDevice s = {}) {
  auto [first, shape] = detail::normalize_slice("slice", a.shape(), start, stop, strides);
  if (shape == a.shape()) {
    bool whole = true;
    for (size_t d = 0; d < shape.size(); ++d) whole = whole && strides[d] == 1;
    if (whole) return a;
  }
  auto prim = std::make_shared<Slice<>>(to_stream(s), std::move(first), std::move(strides));
  return array(std::move(shape), a.dtype(), std::move(prim), {a});
}
template <class = void>
inline array slice(const array& a, std::initializer_list<int> start, std::initializer_list<int> stop,
                   std::initializer_list<int> strides, StreamOrDevice s = {}) {
  return slice(a, Shape(start), Shape(stop), Shape(strides), std::move(s));
}
/// a[start:stop] per axis (unit strides).
template <class = void>
inline array slice(const array& a, Shape start, Shape stop, StreamOrDevice s = {}) {
  Shape strides(a.ndim(), 1);
  return slice(a, std::move(start), std::move(stop), std::move(strides), std::move(s));
}
template <class = void>
inline array slice(const array& a, std::initializer_list<int> start, std::initializer_list<int> stop,
                   StreamOrDevice s = {}) {
  return slice(a, Shape(start), Shape(stop), std::move(s));
}

/// A slice of `slice_size` whose start along `axes` is read from the integer array `start`
/// when the graph runs (clamped so that the slice stays inside a, as MLX does).
template <class = void>
inline array slice(const array& a, const array& start, std::vector<int> axes, Shape slice_size,
                   StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  if (static_cast<int>(slice_size.size()) != nd)
    detail::fail("slice", "slice_size ", slice_size, " must have one entry per dimension of ",
                 "the array (shape ", a.shape(), ").");
  for (int d = 0; d < nd; ++d)
    if (slice_size[d] < 0 || slice_size[d] > a.shape()[d])
      detail::fail("slice", "Invalid slice_size ", slice_size, " for array of shape ", a.shape(), ".");
  if (!issubdtype(start.dtype(), integer))
    detail::fail("slice", "Start indices must be integers, got type ", start.dtype(), ".");
  if (start.size() != axes.size())
    detail::fail("slice", "Got ", start.size(), " start indices for ", axes.size(), " axes.");
  for (auto& ax : axes) ax = detail::normalize_axis("slice", ax, nd);
  auto prim = std::make_shared<DynamicSlice<>>(to_stream(s), std::move(axes));
  return array(std::move(slice_size), a.dtype(), std::move(prim), {a, start});
}

/// src with src[start:stop:strides] replaced by `update` (broadcast to the region).
template <class = void>
inline array slice_update(const array& src, const array& update, Shape start, Shape stop,
                          Shape strides, StreamOrDevice s = {}) {
  auto [first, shape] = detail::normalize_slice("slice_update", src.shape(), start, stop, strides);
  if (update.ndim() > shape.size())
    detail::fail("slice_update", "Update of shape ", update.shape(),
                 " has more dimensions than the slice of shape ", shape, ".");
  array upd = update;
  try {
    // (No cast node when the dtypes agree: it would copy the update.)
    upd = broadcast_to(update.dtype() == src.dtype() ? update : array(astype(update, src.dtype(), s)),
                       shape, s);
  } catch (const std::invalid_argument&) {
    detail::fail("slice_update", "Cannot broadcast update of shape ", update.shape(),
                 " to the slice of shape ", shape, ".");
  }
  auto prim = std::make_shared<SliceUpdate<>>(to_stream(s), std::move(first), std::move(strides));
  return array(src.shape(), src.dtype(), std::move(prim), {src, upd});
}
template <class = void>
inline array slice_update(const array& src, const array& update, Shape start, Shape stop,
                          StreamOrDevice s = {}) {
  Shape strides(src.ndim(), 1);
  return slice_update(src, update, std::move(start), std::move(stop), std::move(strides), std::move(s));
}
// Braced lists pick these (an array also converts from a braced list).
template <class = void>
inline array slice_update(const array& src, const array& update, std::initializer_list<int> start,
                          std::initializer_list<int> stop, std::initializer_list<int> strides,
                          StreamOrDevice s = {}) {
  return slice_update(src, update, Shape(start), Shape(stop), Shape(strides), std::move(s));
}
template <class = void>
inline array slice_update(const array& src, const array& update, std::initializer_list<int> start,
                          std::initializer_list<int> stop, StreamOrDevice s = {}) {
  return slice_update(src, update, Shape(start), Shape(stop), std::move(s));
}
/// src with a region of update's shape replaced, its start along `axes` read at run time.
template <class = void>
inline array slice_update(const array& src, const array& update, const array& start,
                          std::vector<int> axes, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(src.ndim());
  if (static_cast<int>(update.ndim()) != nd)
    detail::fail("slice_update", "Update of shape ", update.shape(),
                 " must have as many dimensions as the source of shape ", src.shape(), ".");
  for (int d = 0; d < nd; ++d)
    if (update.shape()[d] > src.shape()[d])
      detail::fail("slice_update", "Update of shape ", update.shape(),
                   " does not fit in the source of shape ", src.shape(), ".");
  if (!issubdtype(start.dtype(), integer))
    detail::fail("slice_update", "Start indices must be integers, got type ", start.dtype(), ".");
  if (start.size() != axes.size())
    detail::fail("slice_update", "Got ", start.size(), " start indices for ", axes.size(), " axes.");
  for (auto& ax : axes) ax = detail::normalize_axis("slice_update", ax, nd);
  auto prim = std::make_shared<DynamicSliceUpdate<>>(to_stream(s), std::move(axes));
  array upd = update.dtype() == src.dtype() ? update : array(astype(update, src.dtype(), s));
  return array(src.shape(), src.dtype(), std::move(prim), {src, upd, start});
}

/// The arrays joined along `axis` (dtype: their promoted type).
template <class = void>
inline array concatenate(std::vector<array> arrays, int axis, StreamOrDevice s = {}) {
  if (arrays.empty()) detail::fail("concatenate", "No arrays provided for concatenation.");
  const int nd = static_cast<int>(arrays[0].ndim());
  if (nd == 0) detail::fail("concatenate", "Cannot concatenate 0-d arrays.");
  int ax = detail::normalize_axis("concatenate", axis, nd);
  Shape shape = arrays[0].shape();
  shape[ax] = 0;
  for (const auto& a : arrays) {
    bool ok = static_cast<int>(a.ndim()) == nd;
    for (int d = 0; ok && d < nd; ++d) ok = d == ax || a.shape()[d] == arrays[0].shape()[d];
    if (!ok)
      detail::fail("concatenate", "All the input array dimensions must match exactly except ",
                   "for the concatenation axis ", ax, ". Got shapes ", arrays[0].shape(), " and ",
                   a.shape(), ".");
    shape[ax] = detail::checked_dim("concatenate", int64_t{shape[ax]} + a.shape()[ax]);
  }
  if (arrays.size() == 1) return arrays[0];
  Dtype dt = result_type(arrays);
  std::vector<array> inputs;
  for (auto& a : arrays) inputs.push_back(a.dtype() == dt ? a : array(astype(a, dt, s)));
  return array(std::move(shape), dt, std::make_shared<Concatenate<>>(to_stream(s), ax),
               std::move(inputs));
}
/// The arrays flattened and joined.
template <class = void>
inline array concatenate(std::vector<array> arrays, StreamOrDevice s = {}) {
  for (auto& a : arrays) a = flatten(a, s);
  return concatenate(std::move(arrays), 0, std::move(s));
}

/// The arrays (all of one shape) stacked along a new axis.
template <class = void>
inline array stack(const std::vector<array>& arrays, int axis, StreamOrDevice s = {}) {
  if (arrays.empty()) detail::fail("stack", "No arrays provided for stacking.");
  for (const auto& a : arrays)
    if (a.shape() != arrays[0].shape())
      detail::fail("stack", "All arrays must have the same shape. Got ", arrays[0].shape(),
                   " and ", a.shape(), ".");
  int ax = detail::normalize_axis("stack", axis, static_cast<int>(arrays[0].ndim()) + 1);
  std::vector<array> parts;
  for (const auto& a : arrays) parts.push_back(expand_dims(a, ax, s));
  if (parts.size() == 1) return parts[0];
  return concatenate(std::move(parts), ax, std::move(s));
}
template <class = void>
inline array stack(const std::vector<array>& arrays, StreamOrDevice s = {}) {
  return stack(arrays, 0, std::move(s));
}

/// a split along `axis` at the given indices (views).
template <class = void>
inline std::vector<array> split(const array& a, const Shape& indices, int axis, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  int ax = detail::normalize_axis("split", axis, nd);
  const int n = a.shape()[ax];
  std::vector<array> out;
  Shape start(nd, 0), stop = a.shape();
  // As NumPy: piece i is a[indices[i-1]:indices[i]] (empty where the indices decrease).
  auto bound = [n](int idx) { return std::clamp(idx < 0 ? idx + n : idx, 0, n); };
  for (size_t i = 0; i <= indices.size(); ++i) {
    start[ax] = i == 0 ? 0 : bound(indices[i - 1]);
    stop[ax] = std::max(start[ax], i < indices.size() ? bound(indices[i]) : n);
    out.push_back(slice(a, start, stop, s));
  }
  return out;
}
template <class = void>
inline std::vector<array> split(const array& a, const Shape& indices, StreamOrDevice s = {}) {
  return split(a, indices, 0, std::move(s));
}
/// a split into `num_splits` equal parts along `axis`.
template <class = void>
inline std::vector<array> split(const array& a, int num_splits, int axis, StreamOrDevice s = {}) {
  int ax = detail::normalize_axis("split", axis, static_cast<int>(a.ndim()));
  if (num_splits <= 0)
    detail::fail("split", "Number of splits must be positive. Got ", num_splits, ".");
  const int n = a.shape()[ax];
  if (n % num_splits != 0)
    detail::fail("split", "Array split does not result in sub arrays with equal size: axis ",
                 ax, " has size ", n, " and ", num_splits, " splits were asked for.");
  Shape indices;
  for (int i = 1; i < num_splits; ++i) indices.push_back(i * (n / num_splits));
  return split(a, indices, ax, std::move(s));
}
template <class = void>
inline std::vector<array> split(const array& a, int num_splits, StreamOrDevice s = {}) {
  return split(a, num_splits, 0, std::move(s));
}

/// The slices of a along `axis`, with that axis removed.
template <class = void>
inline std::vector<array> unstack(const array& a, int axis = 0, StreamOrDevice s = {}) {
  if (a.ndim() == 0) detail::fail("unstack", "Cannot unstack a 0-d array.");
  int ax = detail::normalize_axis("unstack", axis, static_cast<int>(a.ndim()));
  std::vector<array> out;
  for (auto& part : split(a, a.shape()[ax], ax, s)) out.push_back(squeeze(part, ax, s));
  return out;
}

/// a reversed along `axes` (a view with negative strides).
template <class = void>
inline array flip(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  auto ax = detail::normalize_axes("flip", axes, nd);
  Shape start(nd, 0), stop = a.shape(), strides(nd, 1);
  for (int d : ax) {
    start[d] = -1;
    stop[d] = -a.shape()[d] - 1;
    strides[d] = -1;
  }
  return slice(a, std::move(start), std::move(stop), std::move(strides), std::move(s));
}
template <class = void>
inline array flip(const array& a, int axis, StreamOrDevice s = {}) {
  return flip(a, std::vector<int>{axis}, std::move(s));
}
/// a reversed along every axis.
template <class = void>
inline array flip(const array& a, StreamOrDevice s = {}) {
  std::vector<int> axes(a.ndim());
  std::iota(axes.begin(), axes.end(), 0);
  return flip(a, axes, std::move(s));
}

/// a padded on `axes` by low/high elements: with pad_value ("constant") or a's edge ("edge").
template <class = void>
inline array pad(const array& a, const std::vector<int>& axes, const Shape& low_pad_size,
                 const Shape& high_pad_size, const array& pad_value = array(0),
                 const std::string& mode = "constant", StreamOrDevice s = {}) {
  const int nd = static_cast<int>(a.ndim());
  if (axes.size() != low_pad_size.size() || axes.size() != high_pad_size.size())
    detail::fail("pad", "Invalid number of padding sizes passed to pad with axes ", axes,
                 ", low ", low_pad_size, " and high ", high_pad_size, ".");
  if (pad_value.size() != 1)
    detail::fail("pad", "The padding value must be a scalar. Got shape ", pad_value.shape(), ".");
  if (mode != "constant" && mode != "edge")
    detail::fail("pad", "Invalid padding mode '", mode, "'; use \"constant\" or \"edge\".");
  Shape out = a.shape(), lo(nd, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int ax = detail::normalize_axis("pad", axes[i], nd);
    if (low_pad_size[i] < 0 || high_pad_size[i] < 0)
      detail::fail("pad", "Padding sizes must be non-negative. Got low ", low_pad_size,
                   " and high ", high_pad_size, ".");
    if (mode == "edge" && a.shape()[ax] == 0 && (low_pad_size[i] > 0 || high_pad_size[i] > 0))
      detail::fail("pad", "Cannot edge-pad an empty axis ", ax, ".");
    out[ax] = detail::checked_dim("pad", int64_t{out[ax]} + low_pad_size[i] + high_pad_size[i]);
    lo[ax] = low_pad_size[i];
  }
  if (mode == "constant") {
    array base = full(out, astype(reshape(pad_value, {}, s), a.dtype(), s), a.dtype(), s);
    Shape stop(nd);
    for (int d = 0; d < nd; ++d) stop[d] = lo[d] + a.shape()[d];
    return slice_update(base, a, lo, stop, s);
  }
  // Edge: per padded axis, join broadcast copies of the first and last slices around a.
  array x = a;
  for (size_t i = 0; i < axes.size(); ++i) {
    int ax = detail::normalize_axis("pad", axes[i], nd);
    std::vector<array> parts;
    const int n = x.shape()[ax];
    Shape start(nd, 0), stop = x.shape();
    if (low_pad_size[i] > 0) {
      stop[ax] = 1;
      Shape bshape = x.shape();
      bshape[ax] = low_pad_size[i];
      parts.push_back(broadcast_to(slice(x, start, stop, s), bshape, s));
    }
    parts.push_back(x);
    if (high_pad_size[i] > 0) {
      start[ax] = n - 1;
      stop[ax] = n;
      Shape bshape = x.shape();
      bshape[ax] = high_pad_size[i];
      parts.push_back(broadcast_to(slice(x, start, stop, s), bshape, s));
    }
    x = concatenate(std::move(parts), ax, s);
  }
  return x;
}
/// Pads every axis i by pad_width[i] = (low, high).
template <class = void>
inline array pad(const array& a, const std::vector<std::pair<int, int>>& pad_width,
                 const array& pad_value = array(0), const std::string& mode = "constant",
                 StreamOrDevice s = {}) {
  if (pad_width.size() != a.ndim())
    detail::fail("pad", "Got ", pad_width.size(), " padding pairs for array with ", a.ndim(),
                 " dimensions.");
  std::vector<int> axes;
  Shape lo, hi;
  for (size_t i = 0; i < pad_width.size(); ++i) {
    axes.push_back(static_cast<int>(i));
    lo.push_back(pad_width[i].first);
    hi.push_back(pad_width[i].second);
  }
  return pad(a, axes, lo, hi, pad_value, mode, std::move(s));
}
/// Pads every axis by the same (low, high).
template <class = void>
inline array pad(const array& a, const std::pair<int, int>& pad_width, const array& pad_value = array(0),
                 const std::string& mode = "constant", StreamOrDevice s = {}) {
  return pad(a, std::vector<std::pair<int, int>>(a.ndim(), pad_width), pad_value, mode, std::move(s));
}
/// Pads every axis by pad_width on both sides.
template <class = void>
inline array pad(const array& a, int pad_width, const array& pad_value = array(0),
                 const std::string& mode = "constant", StreamOrDevice s = {}) {
  return pad(a, std::pair<int, int>(pad_width, pad_width), pad_value, mode, std::move(s));
}

/// Each element repeated `repeats` times along `axis`.
template <class = void>
inline array repeat(const array& arr, int repeats, int axis, StreamOrDevice s = {}) {
  int ax = detail::normalize_axis("repeat", axis, static_cast<int>(arr.ndim()));
  if (repeats < 0) detail::fail("repeat", "Number of repeats cannot be negative. Got ", repeats, ".");
  Shape bshape = arr.shape();
  bshape.insert(bshape.begin() + ax + 1, repeats);
  Shape out = arr.shape();
  out[ax] = detail::checked_dim("repeat", int64_t{out[ax]} * repeats);
  return reshape(contiguous(broadcast_to(expand_dims(arr, ax + 1, s), bshape, s), false, s), out, s);
}
/// The flattened array with each element repeated.
template <class = void>
inline array repeat(const array& arr, int repeats, StreamOrDevice s = {}) {
  return repeat(flatten(arr, s), repeats, 0, std::move(s));
}

/// arr repeated reps[i] times along each axis (NumPy's tile).
template <class = void>
inline array tile(const array& arr, std::vector<int> reps, StreamOrDevice s = {}) {
  for (int r : reps)
    if (r < 0) detail::fail("tile", "Repetitions must be non-negative. Got ", reps, ".");
  const size_t nd = std::max(arr.ndim(), reps.size());
  reps.insert(reps.begin(), nd - reps.size(), 1);
  Shape shape = arr.shape();
  shape.insert(shape.begin(), nd - shape.size(), 1);
  Shape expanded, bshape, out;
  for (size_t d = 0; d < nd; ++d) {
    expanded.insert(expanded.end(), {1, shape[d]});
    bshape.insert(bshape.end(), {reps[d], shape[d]});
    out.push_back(detail::checked_dim("tile", int64_t{reps[d]} * shape[d]));
  }
  array x = reshape(arr, expanded, s);
  return reshape(contiguous(broadcast_to(x, bshape, s), false, s), out, s);
}

/// a shifted by `shift` along `axes`, elements wrapping around.
template <class = void>
inline array roll(const array& a, const Shape& shift, const std::vector<int>& axes, StreamOrDevice s = {}) {
  if (shift.size() != axes.size())
    detail::fail("roll", "Got ", shift.size(), " shifts for ", axes.size(), " axes.");
  const int nd = static_cast<int>(a.ndim());
  array x = a;
  for (size_t i = 0; i < axes.size(); ++i) {
    int ax = detail::normalize_axis("roll", axes[i], nd);
    const int n = x.shape()[ax];
    if (n == 0) continue;
    const int k = static_cast<int>((int64_t{shift[i]} % n + n) % n);  // in int64: shift % n + n may pass INT_MAX
    if (k == 0) continue;
    auto parts = split(x, Shape{n - k}, ax, s);
    x = concatenate({parts[1], parts[0]}, ax, s);
  }
  return x;
}
template <class = void>
inline array roll(const array& a, int shift, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return roll(a, Shape(axes.size(), shift), axes, std::move(s));
}
template <class = void>
inline array roll(const array& a, int shift, int axis, StreamOrDevice s = {}) {
  return roll(a, Shape{shift}, std::vector<int>{axis}, std::move(s));
}
template <class = void>
inline array roll(const array& a, const Shape& shift, int axis, StreamOrDevice s = {}) {
  int total = 0;
  for (int v : shift) total += v;
  return roll(a, total, axis, std::move(s));
}
/// The flattened array rolled, in a's shape.
template <class = void>
inline array roll(const array& a, int shift, StreamOrDevice s = {}) {
  return reshape(roll(flatten(a, s), shift, 0, s), a.shape(), s);
}
template <class = void>
inline array roll(const array& a, const Shape& shift, StreamOrDevice s = {}) {
  int total = 0;
  for (int v : shift) total += v;
  return roll(a, total, std::move(s));
}

/// Coordinate grids from 1-d arrays ("xy": Cartesian, "ij": matrix indexing).
template <class = void>
inline std::vector<array> meshgrid(const std::vector<array>& arrays, bool sparse = false,
                                   const std::string& indexing = "xy", StreamOrDevice s = {}) {
  if (indexing != "xy" && indexing != "ij")
    detail::fail("meshgrid", "Invalid indexing value '", indexing, "'; use \"xy\" or \"ij\".");
  const int n = static_cast<int>(arrays.size());
  std::vector<array> out;
  Shape full_shape;
  for (const auto& a : arrays) {
    if (a.ndim() > 1)
      detail::fail("meshgrid", "Inputs must be at most 1-d. Got shape ", a.shape(), ".");
    full_shape.push_back(static_cast<ShapeElem>(a.size()));
  }
  if (indexing == "xy" && n > 1) std::swap(full_shape[0], full_shape[1]);
  for (int i = 0; i < n; ++i) {
    Shape sh(n, 1);
    int pos = i;
    if (indexing == "xy" && n > 1 && i < 2) pos = 1 - i;
    sh[pos] = static_cast<ShapeElem>(arrays[i].size());
    array g = reshape(arrays[i], sh, s);
    out.push_back(sparse ? g : broadcast_to(g, full_shape, s));
  }
  return out;
}

/// src with src[start:stop:strides] combined with `update`: added, multiplied, or the
/// elementwise maximum or minimum taken.
#define MLXPP_SLICE_UPDATE_REDUCE(fn, combine)                                                   \
  template <class = void>                                                                        \
  inline array fn(const array& src, const array& update, Shape start, Shape stop, Shape strides, \
                  StreamOrDevice s = {}) {                                                       \
    array region = slice(src, start, stop, strides, s);                                          \
    array merged = astype(combine(region, update, s), src.dtype(), s);                           \
    return slice_update(src, merged, std::move(start), std::move(stop), std::move(strides), s);  \
  }                                                                                              \
  template <class = void>                                                                        \
  inline array fn(const array& src, const array& update, Shape start, Shape stop,                \
                  StreamOrDevice s = {}) {                                                       \
    Shape strides(src.ndim(), 1);                                                                \
    return fn(src, update, std::move(start), std::move(stop), std::move(strides), std::move(s)); \
  }
MLXPP_SLICE_UPDATE_REDUCE(slice_update_add, add)
MLXPP_SLICE_UPDATE_REDUCE(slice_update_prod, multiply)
MLXPP_SLICE_UPDATE_REDUCE(slice_update_max, maximum)
MLXPP_SLICE_UPDATE_REDUCE(slice_update_min, minimum)
#undef MLXPP_SLICE_UPDATE_REDUCE

/// The n-th discrete difference along `axis`: a[1:] - a[:-1], n times (bool: a[1:] != a[:-1]).
template <class = void>
inline array diff(const array& a, int n = 1, int axis = -1, StreamOrDevice s = {}) {
  if (n < 0) detail::fail("diff", "The order n must be non-negative. Got ", n, ".");
  if (a.ndim() == 0) detail::fail("diff", "Needs an array of at least one dimension.");
  const int nd = static_cast<int>(a.ndim());
  const int ax = detail::normalize_axis("diff", axis, nd);
  array x = a;
  for (int i = 0; i < n && x.shape()[ax] > 0; ++i) {
    Shape b(nd, 0), e = x.shape();
    b[ax] = 1;
    array hi = slice(x, b, e, s);
    b[ax] = 0;
    e[ax] = x.shape()[ax] - 1;
    array lo = slice(x, b, e, s);
    x = x.dtype() == bool_ ? array(not_equal(hi, lo, s)) : array(subtract(hi, lo, s));
  }
  return x;
}

}  // namespace mlx::core
