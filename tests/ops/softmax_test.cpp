// SPDX-License-Identifier: MIT
// Tests for ops/softmax.hpp against NumPy's values (pasted) and a double reference: the
// last axis (one node), another axis, several axes, float16/bfloat16/float64, rows long
// enough for the threaded path and with SIMD tails, extreme values, and the errors.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::invalid_argument_message;
using mlxtest::to_doubles;
using V = std::vector<double>;

namespace {
mx::array x34() {
  return mx::array({1.f, 2.f, 3.f, 4.f, -1.f, 0.f, 1.f, 1000.f, 5.f, 5.f, 5.f, 5.f}, {3, 4});
}
void expect_near(const V& got, const V& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << i;
}
}  // namespace

TEST(Softmax, LastAxisMatchesNumPy) {
  expect_near(to_doubles(mx::softmax(x34(), -1)),
              {0.032058604, 0.087144323, 0.236882806, 0.643914282, 0, 0, 0, 1, 0.25, 0.25, 0.25, 0.25},
              1e-6);
  expect_near(to_doubles(mx::softmax(x34(), 0)),
              {0.017942535, 0.047123417, 0.117310427, 0.0, 0.002428258, 0.006377460, 0.015876241, 1.0,
               0.979629219, 0.946499169, 0.866813362, 0.0},
              1e-6);
  auto all = to_doubles(mx::softmax(x34()));
  EXPECT_NEAR(all[7], 1.0, 1e-6);
  EXPECT_NEAR(to_doubles(mx::softmax(x34(), std::vector<int>{0, 1}))[7], 1.0, 1e-6);
  EXPECT_NEAR(mx::softmax(mx::array(3.0f)).item<float>(), 1.0f, 0.0f);
}

TEST(Softmax, LongRowsDtypesAndViews) {
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.f, 3.f);
  const int rows = 37, n = 1029;  // a SIMD tail on every row; enough rows for two threads
  std::vector<float> v(rows * n);
  for (auto& x : v) x = nd(rng);
  mx::array a(v.begin(), {rows, n});
  V ref(v.size());
  for (int r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0;
    for (int j = 0; j < n; ++j) m = std::max(m, double(v[r * n + j]));
    for (int j = 0; j < n; ++j) s += std::exp(double(v[r * n + j]) - m);
    for (int j = 0; j < n; ++j) ref[r * n + j] = std::exp(double(v[r * n + j]) - m) / s;
  }
  expect_near(to_doubles(mx::softmax(a, -1)), ref, 1e-6);
  expect_near(to_doubles(mx::softmax(mx::astype(a, mx::float64), -1)), ref, 1e-12);
  expect_near(to_doubles(mx::softmax(mx::astype(a, mx::float16), -1)), ref, 2e-3);
  expect_near(to_doubles(mx::softmax(mx::astype(a, mx::bfloat16), -1)), ref, 2e-2);
  EXPECT_EQ(mx::softmax(mx::astype(a, mx::bfloat16), -1).dtype(), mx::bfloat16);
  // A transposed input along its last axis equals the original along axis 0.
  auto t = mx::transpose(a);
  expect_near(to_doubles(mx::transpose(mx::softmax(t, 0))), ref, 1e-6);
  // An input expression that dies at the node lends its buffer (still correct values).
  expect_near(to_doubles(mx::softmax(a * 1.0f, -1)), ref, 1e-6);
}

TEST(Softmax, NanAndEmpty) {
  auto r = to_doubles(mx::softmax(mx::array({1.f, NAN, 2.f}), -1));
  for (double x : r) EXPECT_TRUE(std::isnan(x));
  EXPECT_EQ(mx::softmax(mx::zeros({0, 3}), -1).shape(), (mx::Shape{0, 3}));
  EXPECT_EQ(mx::softmax(mx::zeros({3, 0}), -1).shape(), (mx::Shape{3, 0}));
}

TEST(Softmax, Errors) {
  EXPECT_NE(invalid_argument_message([] { mx::softmax(mx::array({1, 2}), -1); }).find("[softmax] Received input of non-floating type int32"),
            std::string::npos);
  EXPECT_NE(invalid_argument_message([] { mx::softmax(mx::ones({2}), 1); }).find("[softmax] Invalid axis 1"), std::string::npos);
}
