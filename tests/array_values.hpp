// SPDX-License-Identifier: MIT
// Test support: an array's elements as doubles, for comparisons against references.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
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

/// 0, 1, ..., n-1 in `shape` and dtype: an evaluated, row-contiguous array.
inline mlx::core::array iota(const mlx::core::Shape& shape, mlx::core::Dtype dt) {
  namespace mx = mlx::core;
  mx::array a = mx::contiguous(
      mx::reshape(mx::arange(0.0, static_cast<double>(mx::shape_size(shape)), 1.0, dt), shape));
  a.eval();
  return a;
}

/// Whether `part` occurs in `msg` (for checking exception messages).
inline bool has(const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; }

/// n deterministic multiples of 1/8 in [-1, 1] (exact in every float dtype, so sums of
/// their products over small K are exact in float32 too): operands whose products every
/// GEMM path must reproduce exactly.
inline std::vector<double> eighths(int64_t n, int seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint32_t x = 2654435761u * static_cast<uint32_t>(seed + 1);
  for (auto& e : v) {
    x = x * 1664525u + 1013904223u;
    e = static_cast<int>((x >> 16) % 17) / 8.0 - 1.0;
  }
  return v;
}

/// Expects got[i] within tol * (1 + |want[i]|) of want[i] for every i (sizes equal).
inline void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol = 2e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << i;
}
inline void expect_near(const mlx::core::array& got, const std::vector<double>& want, double tol = 2e-6) {
  expect_near(to_doubles(got), want, tol);
}

}  // namespace mlxtest
