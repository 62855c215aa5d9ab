// SPDX-License-Identifier: MIT
// Tests for ops/hadamard.hpp: against the Sylvester matrix product, orthonormality with the
// default scale, dtypes, batches, and the errors.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;

TEST(Hadamard, MatchesSylvesterMatrix) {
  const int n = 16, rows = 3;
  std::vector<float> x(rows * n);
  for (int i = 0; i < rows * n; ++i) x[i] = std::sin(1.0f + i);
  mx::array a(x.begin(), {rows, n});
  auto got = to_doubles(mx::hadamard_transform(a, 1.0f));
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < n; ++i) {
      double ref = 0;  // H[i][j] = (-1)^popcount(i & j)
      for (int j = 0; j < n; ++j) ref += (std::popcount(unsigned(i & j)) % 2 ? -1.0 : 1.0) * x[r * n + j];
      EXPECT_NEAR(got[r * n + i], ref, 1e-4) << r << "," << i;
    }
  // The default 1/sqrt(n) scale makes the transform its own inverse.
  auto twice = to_doubles(mx::hadamard_transform(mx::hadamard_transform(a)));
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(twice[i], x[i], 1e-5);
  auto d = mx::hadamard_transform(mx::astype(a, mx::float64));
  EXPECT_EQ(d.dtype(), mx::float64);
  EXPECT_EQ(mx::hadamard_transform(mx::astype(a, mx::float16)).dtype(), mx::float16);
  EXPECT_EQ(mx::hadamard_transform(mx::array({1, 1})).dtype(), mx::float32);
  EXPECT_NEAR(to_doubles(mx::hadamard_transform(mx::array({1, 1})))[0], std::sqrt(2.0), 1e-6);
}

TEST(Hadamard, Errors) {
  using mlxtest::invalid_argument_message;
  EXPECT_NE(invalid_argument_message([] { mx::hadamard_transform(mx::ones({2, 12})); }).find("[hadamard_transform] The last axis must have a power-of-two length. Got 12"),
            std::string::npos);
  EXPECT_NE(invalid_argument_message([] { mx::hadamard_transform(mx::array(1.0f)); }).find("[hadamard_transform]"), std::string::npos);
}
