// SPDX-License-Identifier: MIT
// hadamard_transform (MLX's signature): the Walsh–Hadamard transform along the last axis.
// MLX also accepts lengths m * 2^k with m in {12, 20, 28}; here the length must be a power
// of two (docs/differences.md).
#pragma once

#include <cmath>
#include <optional>

#include "mlx/ops/elementwise.hpp"
#include "mlx/primitives/hadamard.hpp"

namespace mlx::core {

/// H·x along the last axis, times `scale` (default 1/sqrt(n), which makes it orthonormal).
/// Integer inputs give float32.
template <class = void>
inline array hadamard_transform(const array& a, std::optional<float> scale = std::nullopt,
                                StreamOrDevice s = {}) {
  if (a.ndim() == 0) detail::fail("hadamard_transform", "Needs an array of at least one dimension.");
  if (is_complex(a.dtype())) detail::fail("hadamard_transform", "Not supported for dtype complex64.");
  const int n = a.shape().back();
  if (n <= 0 || (n & (n - 1)) != 0)
    detail::fail("hadamard_transform", "The last axis must have a power-of-two length. Got ", n, ".");
  const Dtype dt = issubdtype(a.dtype(), floating) ? a.dtype() : float32;
  array x = dt == a.dtype() ? a : array(astype(a, dt, s));
  const double sc = scale ? static_cast<double>(*scale) : 1.0 / std::sqrt(static_cast<double>(n));
  return array(a.shape(), dt, std::make_shared<Hadamard<>>(to_stream(s), sc), {x});
}

}  // namespace mlx::core
