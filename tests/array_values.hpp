// SPDX-License-Identifier: MIT
// Test support: an array's elements as doubles, for comparisons against references.
#pragma once

#include <vector>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/mlx.hpp"

namespace mlxtest {

/// The elements of a as doubles (complex: the real part), in row-major order, whatever
/// a's strides (views are read through a row-major copy).
inline std::vector<double> to_doubles(mlx::core::array a) {
  a.eval();
  a = mlx::core::cpu::ensure_row_contiguous(a);
  std::vector<double> out(a.size());
  mlx::core::detail::dispatch_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = a.data<T>();
    for (size_t i = 0; i < a.size(); ++i) out[i] = mlx::core::detail::convert_element<double>(p[i]);
  });
  return out;
}

}  // namespace mlxtest
