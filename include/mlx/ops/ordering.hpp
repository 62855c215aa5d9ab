// SPDX-License-Identifier: MIT
// Order statistics built on sort: median (NumPy's: the mean of the two middle elements for
// even counts, NaN when a NaN is present) and searchsorted.
#pragma once

#include <cmath>
#include <vector>

#include "mlx/ops/indexing.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/sort.hpp"
#include "mlx/primitives/ordering.hpp"

namespace mlx::core {

/// The median over `axes` (float32 for integer and bool inputs, as a mean would be).
template <class = void>
inline array median(const array& a, const std::vector<int>& axes, bool keepdims = false,
                    StreamOrDevice s = {}) {
  if (is_complex(a.dtype())) detail::fail("median", "Not supported for dtype complex64.");
  const int nd = static_cast<int>(a.ndim());
  auto ax = detail::normalize_axes("median", axes, nd);
  if (ax.empty() && nd > 0) detail::fail("median", "Needs at least one axis.");
  int64_t n = 1;
  for (int d : ax) n *= a.shape()[d];
  if (n == 0) detail::fail("median", "Cannot take the median over an empty axis (shape ", a.shape(), ").");
  const Dtype dt = issubdtype(a.dtype(), floating) ? a.dtype() : float32;
  // Move the reduced axes last and merge them into one.
  std::vector<int> perm;
  Shape kept;
  for (int d = 0, k = 0; d < nd; ++d) {
    if (k < static_cast<int>(ax.size()) && ax[k] == d) {
      ++k;
      continue;
    }
    perm.push_back(d);
    kept.push_back(a.shape()[d]);
  }
  perm.insert(perm.end(), ax.begin(), ax.end());
  Shape merged = kept;
  merged.push_back(static_cast<ShapeElem>(n));
  array x = sort(reshape(transpose(a, perm, s), merged, s), -1, s);
  const int m = static_cast<int>(n);
  array lo = astype(take(x, (m - 1) / 2, -1, s), dt, s);
  array mid = m % 2 == 1 ? lo : array(astype((lo + astype(take(x, m / 2, -1, s), dt, s)) * 0.5, dt, s));
  // Sorting puts NaNs last: the largest element tells whether the slice holds one.
  if (issubdtype(a.dtype(), inexact))
    mid = where(isnan(take(x, m - 1, -1, s)), array(NAN, dt), mid, s);
  if (!keepdims) return mid;
  Shape out = a.shape();
  for (int d : ax) out[d] = 1;
  return reshape(mid, out, s);
}
template <class = void>
inline array median(const array& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {
  return median(a, std::vector<int>{axis}, keepdims, std::move(s));
}
/// The median of all elements.
template <class = void>
inline array median(const array& a, bool keepdims, StreamOrDevice s = {}) {
  return median(a, detail::all_axes(static_cast<int>(a.ndim())), keepdims, std::move(s));
}
template <class = void>
inline array median(const array& a, StreamOrDevice s = {}) { return median(a, false, std::move(s)); }

/// Where each of `v` would go in the sorted 1-d `a` to keep it sorted: the first such
/// position, or the last with right = true (uint32, v's shape).
template <class = void>
inline array searchsorted(const array& a, const array& v, bool right = false, StreamOrDevice s = {}) {
  if (a.ndim() != 1)
    detail::fail("searchsorted", "The sorted array must be 1-d. Got shape ", a.shape(), ".");
  Dtype dt = promote_types(a.dtype(), v.dtype());
  if (is_complex(dt)) detail::fail("searchsorted", "Not supported for dtype complex64.");
  array ac = a.dtype() == dt ? a : array(astype(a, dt, s));
  array vc = v.dtype() == dt ? v : array(astype(v, dt, s));
  return array(v.shape(), uint32, std::make_shared<SearchSorted<>>(to_stream(s), right), {ac, vc});
}

}  // namespace mlx::core
