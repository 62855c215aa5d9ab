// SPDX-License-Identifier: MIT
// Tests for ops/ordering.hpp (median, searchsorted) against NumPy's values (pasted).
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::invalid_argument_message;
using mlxtest::to_doubles;
using V = std::vector<double>;

TEST(Median, AxesKeepdimsDtypes) {
  auto a = mx::array({3, 1, 2, 9, 4, 4, 1, 0}, {2, 4});
  EXPECT_EQ(to_doubles(mx::median(a, 1)), (V{2.5, 2.5}));
  EXPECT_EQ(to_doubles(mx::median(a, 0)), (V{3.5, 2.5, 1.5, 4.5}));
  EXPECT_EQ(mx::median(a).item<float>(), 2.5f);
  EXPECT_EQ(mx::median(a).dtype(), mx::float32);
  EXPECT_EQ(mx::median(a, 1, true).shape(), (mx::Shape{2, 1}));
  EXPECT_EQ(mx::median(mx::array({5.0, 1.0, 3.0}, mx::float64)).item<double>(), 3.0);
  EXPECT_EQ(mx::median(mx::astype(a, mx::float16), std::vector<int>{0, 1}).dtype(), mx::float16);
  EXPECT_TRUE(std::isnan(mx::median(mx::array({1.f, NAN, 3.f})).item<float>()));
  EXPECT_EQ(to_doubles(mx::median(mx::transpose(a), 0)), (V{2.5, 2.5}));  // a strided input
}

TEST(SearchSorted, LeftRightAndNan) {
  auto a = mx::array({1.f, 2.f, 2.f, 3.f, 5.f});
  auto v = mx::array({2.f, 0.f, 6.f, 3.f, 2.5f});
  EXPECT_EQ(to_doubles(mx::searchsorted(a, v)), (V{1, 0, 5, 3, 3}));
  EXPECT_EQ(to_doubles(mx::searchsorted(a, v, true)), (V{3, 0, 5, 4, 3}));
  EXPECT_EQ(mx::searchsorted(a, v).dtype(), mx::uint32);
  EXPECT_EQ(to_doubles(mx::searchsorted(mx::array({1, 3, 5}), mx::array({4}, {1, 1}))), (V{2}));
  EXPECT_EQ(to_doubles(mx::searchsorted(mx::array({1.f, NAN}), mx::array({NAN, 2.f}))), (V{1, 1}));
}

TEST(Ordering, Errors) {
  EXPECT_NE(invalid_argument_message([] { mx::median(mx::zeros({0})); }).find("[median] Cannot take the median over an empty axis"), std::string::npos);
  EXPECT_NE(invalid_argument_message([] { mx::median(mx::ones({2}), 1); }).find("[median] Invalid axis 1"), std::string::npos);
  EXPECT_NE(invalid_argument_message([] { mx::searchsorted(mx::ones({2, 2}), mx::ones({1})); }).find("[searchsorted] The sorted array must be 1-d"), std::string::npos);
}

TEST(SearchSorted, Float64ComparesInDouble) {
  // 1 + 1e-12 and 1 are the same float but different doubles.
  auto a = mx::array({1.0, 1.0 + 1e-12, 2.0}, mx::float64);
  EXPECT_EQ(to_doubles(mx::searchsorted(a, mx::array({1.0 + 1e-12}, mx::float64))), (V{1}));
}
