// SPDX-License-Identifier: MIT
// Tests for ops/conv.hpp against PyTorch's results (computed once in float64 with
// torch.nn.functional on the same inputs permuted to NCHW, pasted as literals): 1-D, 2-D
// with strides, padding, dilation and groups, 3-D, transposed convolutions; a naive loop for
// input dilation and flip; dtypes, strided inputs; and the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::invalid_argument_message;
using mlxtest::to_doubles;
using V = std::vector<double>;

namespace {

/// f(c * i) for i = 0.. in `shape` (the inputs the PyTorch references used).
mx::array wave(const mx::Shape& shape, double (*f)(double), double c, mx::Dtype dt = mx::float32) {
  std::vector<double> v(mx::shape_size(shape));
  for (size_t i = 0; i < v.size(); ++i) v[i] = f(c * static_cast<double>(i));
  return mx::astype(mx::array(v.begin(), shape, mx::float64), dt);
}
double sin_(double x) { return std::sin(x); }
double cos_(double x) { return std::cos(x); }

double total(const V& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST(Conv, Conv2dStridePaddingDilationGroups) {
  auto x = wave({2, 5, 6, 4}, sin_, 0.37), w = wave({6, 3, 2, 2}, cos_, 0.11);
  auto y = mx::conv2d(x, w, {2, 1}, {1, 0}, {1, 2}, 2);
  ASSERT_EQ(y.shape(), (mx::Shape{2, 3, 4, 6}));
  auto v = to_doubles(y);
  EXPECT_NEAR(total(v), -0.05474012161196734, 1e-4);
  EXPECT_NEAR(v[0], 0.3176754876, 1e-5);
  EXPECT_NEAR(v[7], 0.2780886021, 1e-5);
  EXPECT_NEAR(v[29], 0.0129047875, 1e-5);
  EXPECT_NEAR(v.back(), 0.0255692601, 1e-5);
  // float64 and a transposed (strided) view of the same input give the same values.
  auto yd = to_doubles(mx::conv2d(mx::astype(x, mx::float64), mx::astype(w, mx::float64), {2, 1}, {1, 0}, {1, 2}, 2));
  EXPECT_NEAR(yd[7], 0.2780886021, 1e-6);  // (inputs rounded to float32 first)
  auto xt = mx::transpose(mx::contiguous(mx::transpose(x, {0, 2, 1, 3})), {0, 2, 1, 3});
  EXPECT_EQ(to_doubles(mx::conv2d(xt, w, {2, 1}, {1, 0}, {1, 2}, 2)), v);
}

TEST(Conv, Conv1dAndConv3d) {
  auto y1 = mx::conv1d(wave({1, 7, 3}, sin_, 0.37), wave({2, 3, 3}, cos_, 0.11), 2, 1);
  ASSERT_EQ(y1.shape(), (mx::Shape{1, 4, 2}));
  V ref1{2.937045226, -0.4700070712, 3.1668618412, 1.9097989239, -4.8473014175, -0.9141670505, 0.7131830178, -0.3116218486};
  auto v1 = to_doubles(y1);
  for (size_t i = 0; i < ref1.size(); ++i) EXPECT_NEAR(v1[i], ref1[i], 1e-5) << i;
  auto y3 = mx::conv3d(wave({1, 3, 4, 3, 2}, sin_, 0.37), wave({3, 2, 2, 2, 2}, cos_, 0.11), {1, 1, 1}, {1, 1, 1});
  ASSERT_EQ(y3.shape(), (mx::Shape{1, 4, 5, 4, 3}));
  auto v3 = to_doubles(y3);
  EXPECT_NEAR(total(v3), -7.512782832533821, 1e-4);
  EXPECT_NEAR(v3[11], 0.3530070733, 1e-5);
  EXPECT_NEAR(v3.back(), -1.4464387749, 1e-5);
}

TEST(Conv, Transposed) {
  auto yt = mx::conv_transpose2d(wave({1, 3, 4, 2}, sin_, 0.37), wave({3, 3, 2, 2}, cos_, 0.11), {2, 2}, {1, 1},
                                 {1, 1}, {1, 1});
  ASSERT_EQ(yt.shape(), (mx::Shape{1, 6, 7, 3}));
  auto v = to_doubles(yt);
  EXPECT_NEAR(total(v), -14.901454043366552, 1e-4);
  EXPECT_NEAR(v[5], -1.5676587662, 1e-5);
  EXPECT_NEAR(v[17], -1.3184854751, 1e-5);
  EXPECT_NEAR(v.back(), -1.3944364076, 1e-5);
  auto y1 = mx::conv_transpose1d(wave({1, 4, 2}, sin_, 0.37), wave({2, 3, 2}, cos_, 0.11), 1, 0, 2);
  ASSERT_EQ(y1.shape(), (mx::Shape{1, 8, 2}));
  V ref{0.3594298637, 0.2596075769, 1.5645730822, 1.1757138552, 2.2934497051, 1.6752625763, 2.822847278, 1.9265816606,
        2.1895706451, 1.2896258399, 2.6468025532, 1.417123814, 1.7205355334, 0.791076485, 1.1674545878, 0.5463168284};
  auto v1 = to_doubles(y1);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(v1[i], ref[i], 1e-5) << i;
  EXPECT_EQ(mx::conv_transpose3d(mx::ones({1, 2, 2, 2, 1}), mx::ones({1, 2, 2, 2, 1})).shape(),
            (mx::Shape{1, 3, 3, 3, 1}));
}

TEST(Conv, GeneralInputDilationAndFlipMatchLoop) {
  // conv_general with input dilation 2, asymmetric padding and flip against a direct loop.
  auto x = wave({1, 4, 3}, sin_, 0.37), w = wave({2, 3, 3}, cos_, 0.11);
  auto y = mx::conv_general(x, w, {1}, {2}, {1}, {1}, {2}, 1, true);
  auto xv = to_doubles(x), wv = to_doubles(w);
  const int L = 4, C = 3, O = 2, K = 3, Ld = (L - 1) * 2 + 1 + 2 + 1, Lo = Ld - K + 1;
  ASSERT_EQ(y.shape(), (mx::Shape{1, Lo, O}));
  auto yv = to_doubles(y);
  for (int o = 0; o < Lo; ++o)
    for (int co = 0; co < O; ++co) {
      double acc = 0;
      for (int k = 0; k < K; ++k) {
        int q = o + k - 2;  // position in the dilated input
        if (q < 0 || q % 2 != 0 || q / 2 >= L) continue;
        for (int c = 0; c < C; ++c) acc += xv[(q / 2) * C + c] * wv[(co * K + (K - 1 - k)) * C + c];
      }
      EXPECT_NEAR(yv[o * O + co], acc, 1e-5) << o << "," << co;
    }
}

TEST(Conv, PointwiseHalfAndLarge) {
  // 1x1 kernels read the input in place; float16/bfloat16 compute in float32.
  auto x = wave({2, 8, 8, 16}, sin_, 0.01), w = wave({4, 1, 1, 16}, cos_, 0.3);
  auto ref = to_doubles(mx::conv2d(mx::astype(x, mx::float64), mx::astype(w, mx::float64)));
  auto f = to_doubles(mx::conv2d(x, w));
  for (size_t i = 0; i < ref.size(); i += 37) EXPECT_NEAR(f[i], ref[i], 1e-4);
  auto h = mx::conv2d(mx::astype(x, mx::float16), mx::astype(w, mx::float16));
  EXPECT_EQ(h.dtype(), mx::float16);
  auto hv = to_doubles(h);
  for (size_t i = 0; i < ref.size(); i += 37) EXPECT_NEAR(hv[i], ref[i], 2e-2);
  EXPECT_EQ(mx::conv2d(mx::astype(x, mx::bfloat16), w).dtype(), mx::float32);  // promoted
  // Two im2col blocks (8192 output positions of 576 values; a block holds up to 7281 rows):
  // 3x3, 64 -> 8 channels, padding 1.
  auto xb = wave({2, 64, 64, 64}, sin_, 0.001), wb = wave({8, 3, 3, 64}, cos_, 0.01);
  auto yb = to_doubles(mx::conv2d(xb, wb, {1, 1}, {1, 1}));
  auto yr = to_doubles(mx::conv2d(mx::astype(xb, mx::float64), mx::astype(wb, mx::float64), {1, 1}, {1, 1}));
  for (size_t i = 0; i < yr.size(); i += 101) EXPECT_NEAR(yb[i], yr[i], 1e-3 * (1 + std::abs(yr[i])));
}

TEST(Conv, Errors) {
  auto x = mx::ones({1, 5, 5, 4}), w = mx::ones({2, 3, 3, 4});
  auto has = [](const std::string& m, const std::string& p) { return m.find(p) != std::string::npos; };
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv2d(x, mx::ones({2, 3, 3, 3})); }), "[conv] Expect the input channels"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv2d(x, mx::ones({3, 3, 3, 2}), {1, 1}, {0, 0}, {1, 1}, 2); }), "[conv] The number of output channels (3) must be divisible by groups (2)"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv2d(x, mx::ones({2, 7, 7, 4})); }), "[conv] Spatial dimensions of input after padding cannot be smaller"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv2d(x, w, {0, 1}); }), "[conv] Strides and dilations must be positive"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv2d(x, w, {1, 1}, {-1, 0}); }), "[conv] Padding must be non-negative"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv2d(mx::ones({1, 5, 5, 4}, mx::int32), mx::ones({2, 3, 3, 4}, mx::int32)); }), "[conv] Only floating point inputs"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv2d(mx::ones({5, 5, 4}), w); }), "[conv2d] Expected a 4-D input"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv1d(x, w); }), "[conv1d] Expected a 3-D input"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv_general(mx::ones({1, 2}), mx::ones({1, 2})); }), "[conv] Only 1-D to 3-D"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv_general(x, w, {1, 1, 1}); }), "[conv] Got 3 values for strides of a 2-D convolution"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::conv_transpose2d(x, w, {1, 1}, {0, 0}, {1, 1}, {1, 0}); }), "[conv_transpose] Output padding"));
}
