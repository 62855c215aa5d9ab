// SPDX-License-Identifier: MIT
// Tests for ops/compare.hpp (allclose, array_equal) and ops/windows.hpp (NumPy's windows).
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;

TEST(Allclose, TolerancesAndNan) {
  auto a = mx::array({1.f, 2.f, 3.f});
  EXPECT_TRUE(mx::allclose(a, a + 1e-6f).item<bool>());
  EXPECT_FALSE(mx::allclose(a, a + 1e-3f).item<bool>());
  EXPECT_TRUE(mx::allclose(a, a + 1e-3f, 1e-3).item<bool>());
  EXPECT_TRUE(mx::allclose(a, a + 0.5f, 0.0, 0.5).item<bool>());
  auto n = mx::array({1.f, NAN});
  EXPECT_FALSE(mx::allclose(n, n).item<bool>());
  EXPECT_TRUE(mx::allclose(n, n, 1e-5, 1e-8, true).item<bool>());
  EXPECT_TRUE(mx::allclose(mx::array({2.f}), mx::array({2, 2})).item<bool>());  // broadcast
}

TEST(ArrayEqual, ShapesDtypesNan) {
  auto a = mx::array({1, 2, 3});
  EXPECT_TRUE(mx::array_equal(a, mx::array({1.f, 2.f, 3.f})).item<bool>());  // dtypes may differ
  EXPECT_FALSE(mx::array_equal(a, mx::array({1, 2, 4})).item<bool>());
  EXPECT_FALSE(mx::array_equal(a, mx::array({1, 2})).item<bool>());
  EXPECT_FALSE(mx::array_equal(mx::array({1}), mx::array({1}, {1, 1})).item<bool>());
  auto n = mx::array({NAN, 1.f});
  EXPECT_FALSE(mx::array_equal(n, n).item<bool>());
  EXPECT_TRUE(mx::array_equal(n, n, true).item<bool>());
  EXPECT_TRUE(mx::array_equal(mx::zeros({0}), mx::zeros({0})).item<bool>());
}

TEST(Windows, MatchNumPy) {
  auto near = [](const std::vector<double>& g, const std::vector<double>& w) {
    ASSERT_EQ(g.size(), w.size());
    for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], 1e-6) << i;
  };
  near(to_doubles(mx::hanning(5)), {0.0, 0.5, 1.0, 0.5, 0.0});
  near(to_doubles(mx::hamming(4)), {0.08, 0.77, 0.77, 0.08});
  near(to_doubles(mx::bartlett(5)), {0.0, 0.5, 1.0, 0.5, 0.0});
  near(to_doubles(mx::blackman(4)), {0.0, 0.63, 0.63, 0.0});
  near(to_doubles(mx::hanning(1)), {1.0});
  EXPECT_EQ(mx::hamming(0).size(), 0u);
  EXPECT_EQ(mx::blackman(3).dtype(), mx::float32);
  EXPECT_NE(mlxtest::invalid_argument_message([] { mx::bartlett(-1); }).find("[bartlett] The window length must be non-negative"),
            std::string::npos);
}
