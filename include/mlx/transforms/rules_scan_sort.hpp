// SPDX-License-Identifier: MIT
// Derivative rules of the scans (primitives/scan.hpp: cumsum, cumprod, cummax, cummin,
// logcumsumexp) and of the sort family (primitives/sort.hpp: sort, partition, topk; the
// index outputs argsort/argpartition have zero derivatives). rules.hpp lists them in its
// table; docs/transforms.md describes them.
//
// The scans other than cumsum are differentiated in one canonical form, an inclusive scan
// forward along `axis`: a reverse scan is the flipped scan of the flipped input, and an
// exclusive scan's output i is the inclusive output i - 1 (so its cotangent is shifted by
// one). The sort family moves elements: the cotangent goes back to the element that moved
// there, found by sorting (stable argsort) both the input and the output, which pairs equal
// values rank by rank whatever order partition left them in.
#pragma once

#include <vector>

#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/scan.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/ops/sort.hpp"
#include "mlx/primitives/scan.hpp"
#include "mlx/primitives/sort.hpp"

namespace mlx::core::detail {

// ---- scans --------------------------------------------------------------------------------

/// An axis scan's input as it is scanned: flattened for a flat scan (axis 0).
template <class = void>
array scan_operand(const array& x, bool flat) { return flat ? reshape(x, {-1}) : x; }

/// The cotangent of an inclusive forward scan equivalent to the node's scan, for input
/// `x` (already scan_operand'ed, flipped if reverse) and cotangent g (flipped likewise):
/// an exclusive scan's output i is the inclusive output i - 1, so the inclusive output k
/// gets g[k + 1] and the last gets none.
template <class = void>
array shift_for_exclusive(const array& g, int axis) {
  Shape start(g.ndim(), 0), stop = g.shape();
  start[axis] = 1;
  array tail = slice(g, start, stop);
  Shape zshape = g.shape();
  zshape[axis] = 1;
  return concatenate({tail, zeros(zshape, g.dtype())}, axis);
}

/// d/dx of sum(g * cumprod(x)) (inclusive, forward), safe with zeros: before the first zero
/// of a row, revcumsum(g * y) / x; at the first zero, the same sum for the product that
/// skips it (the zero replaced by 1); after it, 0 (every product through it is 0).
template <class = void>
array cumprod_cotangent(const array& x, const array& g, int axis) {
  array zero = equal(x, array(0, x.dtype()));
  array zeros_so_far = cumsum(astype(zero, int32), axis);
  array before = equal(zeros_so_far, array(0, int32));
  array first = logical_and(zero, equal(zeros_so_far, array(1, int32)));
  array y = cumprod(x, axis);
  array before_part = cumsum(array(g * y), axis, true) / where(before, x, array(1, x.dtype()));
  array y_skip = cumprod(where(first, array(1, x.dtype()), x), axis);
  array at_part = cumsum(array(g * y_skip), axis, true);
  return where(before, before_part, where(first, at_part, zeros_like(x)));
}

/// Where the running max (min) of a row was taken from: the last index j <= i with
/// x[j] equal to the inclusive running extreme at j (ties go to the latest, as PyTorch).
template <class = void>
array running_extreme_index(const array& x, const array& y, int axis) {
  Shape ishape(x.ndim(), 1);
  ishape[axis] = x.shape(axis);
  array idx = broadcast_to(reshape(arange(0, x.shape(axis), int32), ishape), x.shape());
  return cummax(where(equal(x, y), idx, array(-1, int32)), axis);
}

/// log(max(v, 0)) and log(max(-v, 0)): the positive and negative parts in log space (-inf
/// for a zero part), so a signed weighted sum of exponentials stays finite.
template <class = void>
std::pair<array, array> log_parts(const array& v) {
  array z = zeros_like(v);
  return {log(maximum(v, z)), log(maximum(array(-v), z))};
}

/// The inclusive forward rule of each scan type: {cotangent of x} for g, or the tangent.
template <class = void>
array canonical_scan_vjp(cpu::ScanType type, const array& x, const array& g, int axis) {
  using C = cpu::ScanType;
  switch (type) {
    case C::Sum: return cumsum(g, axis, true);
    case C::Prod: return cumprod_cotangent(x, g, axis);
    case C::Max:
    case C::Min: {
      array y = type == C::Max ? cummax(x, axis) : cummin(x, axis);
      return scatter_add_axis(zeros_like(x), running_extreme_index(x, y, axis), g, axis);
    }
    case C::LogAddExp: {
      // dx_j = sum_{i >= j} g_i exp(x_j - y_i), split by the sign of g and summed in log space.
      array y = logcumsumexp(x, axis);
      auto [lp, ln] = log_parts(g);
      array pos = exp(array(x + logcumsumexp(array(lp - y), axis, true)));
      array neg = exp(array(x + logcumsumexp(array(ln - y), axis, true)));
      return array(pos - neg);
    }
  }
  return g;
}

template <class = void>
array canonical_scan_jvp(cpu::ScanType type, const array& x, const array& t, int axis) {
  using C = cpu::ScanType;
  switch (type) {
    case C::Sum: return cumsum(t, axis);
    case C::Prod: {
      // d y_i = sum_{j <= i} t_j prod_{k <= i, k != j} x_k. Before a row's first zero z
      // that is y_i * cumsum(t / x)_i; from z on only the term j = z survives (every other
      // product contains x_z = 0): t_z times the product that skips z.
      array zero = equal(x, array(0, x.dtype()));
      array zeros_so_far = cumsum(astype(zero, int32), axis);
      array first = logical_and(zero, equal(zeros_so_far, array(1, int32)));
      array before = equal(zeros_so_far, array(0, int32));
      array safe = where(before, x, array(1, x.dtype()));
      array y = cumprod(x, axis);
      // Terms j before the first zero: y_i * cumsum(t / x)_i, valid while i is before it.
      array part_before = array(y * cumsum(where(before, array(t / safe), zeros_like(t)), axis));
      // The term j = first zero, for i at or after it: t_z * prod_{k <= i, k != z} x_k.
      array y_skip = cumprod(where(first, array(1, x.dtype()), x), axis);
      array t_z = cumsum(where(first, t, zeros_like(t)), axis);  // t at the first zero, from there on
      return where(before, part_before, array(t_z * y_skip));
    }
    case C::Max:
    case C::Min: {
      array y = type == C::Max ? cummax(x, axis) : cummin(x, axis);
      return take_along_axis(t, running_extreme_index(x, y, axis), axis);
    }
    case C::LogAddExp: {
      array y = logcumsumexp(x, axis);
      auto [lp, ln] = log_parts(t);
      array pos = exp(array(logcumsumexp(array(lp + x), axis) - y));
      array neg = exp(array(logcumsumexp(array(ln + x), axis) - y));
      return array(pos - neg);
    }
  }
  return t;
}

template <class = void>
std::vector<array> scan_vjp(const array& node, const std::vector<array>& cots, const std::vector<int>&) {
  const auto& p = static_cast<const Scan<>&>(node.primitive());
  const array& x0 = node.inputs()[0];
  if (!issubdtype(x0.dtype(), inexact)) return {zeros_like(x0)};
  const int axis = p.flat() ? 0 : p.axis();
  if (p.reduce_type() == cpu::ScanType::Sum)  // the transposed scan: reversed, same inclusiveness
    return {reshape(cumsum(cots[0], axis, !p.reverse(), p.inclusive()), x0.shape())};
  array x = scan_operand(x0, p.flat());
  array g = cots[0];
  if (p.reverse()) {
    x = flip(x, axis);
    g = flip(g, axis);
  }
  if (!p.inclusive()) g = shift_for_exclusive(g, axis);
  array dx = canonical_scan_vjp(p.reduce_type(), x, g, axis);
  if (p.reverse()) dx = flip(dx, axis);
  return {reshape(dx, x0.shape())};
}

template <class = void>
std::vector<array> scan_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& p = static_cast<const Scan<>&>(node.primitive());
  const int axis = p.flat() ? 0 : p.axis();
  if (p.reduce_type() == cpu::ScanType::Sum) {  // linear: the same scan of the tangent
    const array& t = tangents[0];
    return {p.flat() ? cumsum(t, p.reverse(), p.inclusive()) : cumsum(t, axis, p.reverse(), p.inclusive())};
  }
  array x = scan_operand(node.inputs()[0], p.flat());
  array t = scan_operand(tangents[0], p.flat());
  if (p.reverse()) {
    x = flip(x, axis);
    t = flip(t, axis);
  }
  array dy = canonical_scan_jvp(p.reduce_type(), x, t, axis);
  if (!p.inclusive()) {  // output i is the inclusive output i - 1; the first is constant
    Shape start(dy.ndim(), 0), stop = dy.shape();
    stop[axis] -= 1;
    Shape zshape = dy.shape();
    zshape[axis] = 1;
    dy = concatenate({zeros(zshape, dy.dtype()), slice(dy, start, stop)}, axis);
  }
  if (p.reverse()) dy = flip(dy, axis);
  return {dy};
}

// ---- sort, partition, topk ----------------------------------------------------------------

/// For a node whose output along `axis` holds elements of its input (sorted, partitioned,
/// or the top k), the input positions each output position came from: the output's
/// elements in stable sorted order pair with the input's in the same order (the input's
/// last k for a top k), so out[.., order_out[r], ..] == x[.., from[r], ..].
template <class = void>
std::pair<array, array> moved_from(const array& x, const array& out, int axis) {
  array order_in = argsort(x, axis);
  array order_out = argsort(out, axis);
  const int n = x.shape(axis), k = out.shape(axis);
  if (k != n) {  // topk: the k largest are the last k of the input's sorted order
    Shape start(x.ndim(), 0), stop = order_in.shape();
    start[axis] = n - k;
    order_in = slice(order_in, start, stop);
  }
  return {order_in, order_out};
}

/// Sort, Partition and TopK move their input's values: the cotangent goes back to where
/// each came from. ArgSort and ArgPartition output indices: zero derivative.
template <class = void>
std::vector<array> sort_family_vjp(const array& node, const std::vector<array>& cots, const std::vector<int>&) {
  const auto& p = static_cast<const detail::AxisPrimitive&>(node.primitive());
  const array& x0 = node.inputs()[0];
  const bool moves_values = dynamic_cast<const ArgSort<>*>(&p) == nullptr &&
                            dynamic_cast<const ArgPartition<>*>(&p) == nullptr;
  if (!moves_values || !issubdtype(x0.dtype(), inexact)) return {zeros_like(x0)};
  const int axis = p.flat() ? 0 : p.axis();
  array x = scan_operand(x0, p.flat());
  auto [from, order_out] = moved_from(x, node, axis);
  array dx = put_along_axis(zeros_like(x), from, take_along_axis(cots[0], order_out, axis), axis);
  return {reshape(dx, x0.shape())};
}

template <class = void>
std::vector<array> sort_family_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& p = static_cast<const detail::AxisPrimitive&>(node.primitive());
  const bool moves_values = dynamic_cast<const ArgSort<>*>(&p) == nullptr &&
                            dynamic_cast<const ArgPartition<>*>(&p) == nullptr;
  if (!moves_values) return {zeros(node.shape(), node.dtype())};
  const int axis = p.flat() ? 0 : p.axis();
  array x = scan_operand(node.inputs()[0], p.flat());
  array t = scan_operand(tangents[0], p.flat());
  auto [from, order_out] = moved_from(x, node, axis);
  // Output position order_out[r] holds x[from[r]]: scatter the gathered tangents there.
  return {put_along_axis(zeros(node.shape(), t.dtype()), order_out, take_along_axis(t, from, axis), axis)};
}

}  // namespace mlx::core::detail
