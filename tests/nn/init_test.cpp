// SPDX-License-Identifier: MIT
// Tests for nn/init.hpp: shapes and dtypes, the constants, statistics of the random
// initialisers against their formulas (glorot std = sqrt(2 / (fan_in + fan_out)), he
// limit = sqrt(3 / fan), conv fans times the receptive field), orthogonality, sparsity,
// and the errors.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace init = mlx::nn::init;
using mlxtest::to_doubles;

namespace {
std::pair<double, double> mean_std(const mx::array& a) {
  auto v = to_doubles(a);
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= v.size();
  for (double x : v) s += (x - m) * (x - m);
  return {m, std::sqrt(s / v.size())};
}
double max_abs(const mx::array& a) {
  double r = 0;
  for (double x : to_doubles(a)) r = std::max(r, std::abs(x));
  return r;
}
}  // namespace

TEST(Init, ConstantAndIdentity) {
  mx::array w = mx::zeros({2, 3});
  mx::array c = init::constant(0.5f)(w);
  EXPECT_EQ(c.shape(), (mx::Shape{2, 3}));
  EXPECT_EQ(to_doubles(c), (std::vector<double>(6, 0.5)));
  EXPECT_EQ(to_doubles(init::identity()(mx::zeros({2, 2}))), (std::vector<double>{1, 0, 0, 1}));
  EXPECT_INVALID(init::identity()(w), "square matrix");
  EXPECT_EQ(init::constant(1.0f, mx::float16)(w).dtype(), mx::float16);
}

TEST(Init, NormalAndUniform) {
  mx::random::seed(3);
  mx::array w = mx::zeros({200, 100});
  auto [m, s] = mean_std(init::normal(1.0f, 2.0f)(w));
  EXPECT_NEAR(m, 1.0, 0.05);
  EXPECT_NEAR(s, 2.0, 0.05);
  mx::array u = init::uniform(-3.0f, -1.0f)(w);
  auto uv = to_doubles(u);
  EXPECT_GE(*std::min_element(uv.begin(), uv.end()), -3.0);
  EXPECT_LT(*std::max_element(uv.begin(), uv.end()), -1.0);
  EXPECT_NEAR(mean_std(u).first, -2.0, 0.02);
  // The same key gives the same draw.
  auto k = mx::random::key(7);
  EXPECT_EQ(to_doubles(init::normal(0.0f, 1.0f, mx::float32, k)(w)), to_doubles(init::normal(0.0f, 1.0f, mx::float32, k)(w)));
}

TEST(Init, GlorotAndHe) {
  mx::random::seed(4);
  mx::array w = mx::zeros({300, 200});  // fan_in 200, fan_out 300
  EXPECT_NEAR(mean_std(init::glorot_normal()(w)).second, std::sqrt(2.0 / 500), 0.002);
  mx::array gu = init::glorot_uniform(mx::float32, 2.0f)(w);
  EXPECT_LE(max_abs(gu), 2 * std::sqrt(6.0 / 500) + 1e-6);
  EXPECT_GT(max_abs(gu), 2 * std::sqrt(6.0 / 500) * 0.99);
  EXPECT_NEAR(mean_std(init::he_normal()(w)).second, 1 / std::sqrt(200.0), 0.002);
  EXPECT_NEAR(mean_std(init::he_normal(mx::float32, "fan_out")(w)).second, 1 / std::sqrt(300.0), 0.002);
  mx::array hu = init::he_uniform()(w);
  EXPECT_LE(max_abs(hu), std::sqrt(3.0 / 200) + 1e-6);
  // A conv weight (out=16, kh=3, kw=3, in=8): fan_in = 8 * 9, fan_out = 16 * 9.
  mx::array cw = mx::zeros({16, 3, 3, 8});
  EXPECT_LE(max_abs(init::glorot_uniform()(cw)), std::sqrt(6.0 / (72 + 144)) + 1e-6);
  EXPECT_INVALID(init::glorot_normal()(mx::zeros({5})), "at least 2 dimensional");
  EXPECT_INVALID(init::he_normal(mx::float32, "fan_avg"), "Invalid mode: fan_avg");
}

TEST(Init, Orthogonal) {
  mx::random::seed(5);
  for (auto shape : {mx::Shape{4, 4}, mx::Shape{3, 5}, mx::Shape{5, 3}}) {
    mx::array q = init::orthogonal()(mx::zeros(shape));
    ASSERT_EQ(q.shape(), shape);
    // The smaller side is orthonormal: q q^T = I (rows <= cols) or q^T q = I.
    mx::array g = shape[0] <= shape[1] ? mx::matmul(q, mx::transpose(q)) : mx::matmul(mx::transpose(q), q);
    const int n = std::min(shape[0], shape[1]);
    auto gv = to_doubles(g);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) EXPECT_NEAR(gv[i * n + j], i == j ? 1.0 : 0.0, 1e-5);
  }
  mx::array q2 = init::orthogonal(2.0f)(mx::zeros({3, 3}));
  EXPECT_NEAR(to_doubles(mx::sum(mx::square(q2)))[0], 12.0, 1e-4);  // 3 columns of norm 2
}

TEST(Init, Sparse) {
  mx::random::seed(6);
  mx::array s = init::sparse(0.25f)(mx::zeros({10, 8}));  // ceil(0.25 * 8) = 2 zeros per row
  auto v = to_doubles(s);
  for (int r = 0; r < 10; ++r) {
    int zeros = 0;
    for (int c = 0; c < 8; ++c) zeros += v[r * 8 + c] == 0.0;
    EXPECT_EQ(zeros, 2) << r;
  }
  EXPECT_INVALID(init::sparse(0.5f)(mx::zeros({2, 2, 2})), "Only 2-D");
  EXPECT_INVALID(init::sparse(1.5f), "sparsity must be in [0, 1]");
}
