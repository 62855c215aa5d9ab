// SPDX-License-Identifier: MIT
// softmax (MLX's overloads). The last axis runs as one Softmax node (three passes per row,
// the last two in cache); another single axis is moved last through views; several axes
// compose exp(x - max) / sum. Half-precision inputs are always computed in float (MLX's
// `precise` mode), so `precise` changes nothing here.
#pragma once

#include <vector>

#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/primitives/softmax.hpp"

namespace mlx::core {

/// exp(a) / sum(exp(a)) over `axes`, computed stably (the maximum is subtracted first).
template <class = void>
inline array softmax(const array& a, const std::vector<int>& axes, bool precise = false,
                     StreamOrDevice s = {}) {
  (void)precise;
  if (!issubdtype(a.dtype(), floating))
    detail::fail("softmax", "Received input of non-floating type ", a.dtype(), ".");
  const int nd = static_cast<int>(a.ndim());
  if (nd == 0) return reshape(softmax(reshape(a, {1}, s), std::vector<int>{0}, precise, s), {}, s);
  auto ax = detail::normalize_axes("softmax", axes, nd);
  if (ax.empty()) return a;
  if (ax.size() == 1) {
    if (ax[0] == nd - 1)
      return array(a.shape(), a.dtype(), std::make_shared<Softmax<>>(to_stream(s)), {a});
    return moveaxis(softmax(moveaxis(a, ax[0], -1, s), std::vector<int>{-1}, precise, s), -1, ax[0], s);
  }
  array m = max(a, ax, true, s);
  array e = exp(a - m);
  return array(e / sum(e, ax, true, s));
}
/// softmax over every axis.
template <class = void>
inline array softmax(const array& a, bool precise = false, StreamOrDevice s = {}) {
  std::vector<int> axes(a.ndim());
  std::iota(axes.begin(), axes.end(), 0);
  return softmax(a, axes, precise, std::move(s));
}
template <class = void>
inline array softmax(const array& a, int axis, bool precise = false, StreamOrDevice s = {}) {
  return softmax(a, std::vector<int>{axis}, precise, std::move(s));
}

}  // namespace mlx::core
