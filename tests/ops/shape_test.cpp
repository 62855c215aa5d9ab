// SPDX-License-Identifier: MIT
// Tests for ops/shape.hpp: values against NumPy-style index arithmetic, views (no copy:
// the result shares the input's buffer) vs copies, views of views, expressions on views,
// several dtypes, empty and 0-d arrays, and the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <bit>
#include <numeric>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;
using mlxtest::invalid_argument_message;

namespace {

/// The shared iota with these tests' default dtype.
mx::array iota(const mx::Shape& shape, mx::Dtype dt = mx::float32) { return mlxtest::iota(shape, dt); }

std::vector<double> range(int n) {
  std::vector<double> v(n);
  std::iota(v.begin(), v.end(), 0.0);
  return v;
}

bool shares_buffer(const mx::array& a, const mx::array& b) {
  const char* pa = static_cast<const char*>(a.raw_data());
  const char* pb = static_cast<const char*>(b.raw_data());
  return pa >= pb && pa < pb + b.nbytes() + 1;
}

}  // namespace

TEST(Reshape, ValuesAndInference) {
  auto a = iota({2, 3, 4});
  auto r = mx::reshape(a, {4, -1});
  EXPECT_EQ(r.shape(), (mx::Shape{4, 6}));
  EXPECT_EQ(to_doubles(r), range(24));
  EXPECT_TRUE(shares_buffer(r, a));  // a contiguous input is reshaped without a copy
  EXPECT_EQ(mx::reshape(a, {24}).shape(), (mx::Shape{24}));
  EXPECT_EQ(mx::reshape(mx::array(3.0f), {1, 1}).shape(), (mx::Shape{1, 1}));
  EXPECT_EQ(mx::reshape(mx::zeros({0, 3}), {3, 0}).shape(), (mx::Shape{3, 0}));
}

TEST(Reshape, OfTransposedViewCopiesInRowMajorOrder) {
  auto a = iota({2, 3});
  auto t = mx::transpose(a);  // [[0,3],[1,4],[2,5]]
  auto r = mx::reshape(t, {6});
  EXPECT_EQ(to_doubles(r), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(r.flags().row_contiguous);
}

TEST(Reshape, SplittingAStridedAxisStaysAView) {
  auto a = iota({4, 6});
  auto col = mx::slice(a, {0, 0}, {4, 6}, {1, 2});  // (4,3), strides (6,2)
  auto r = mx::reshape(col, {2, 2, 3});
  r.eval();
  EXPECT_TRUE(shares_buffer(r, a));
  EXPECT_EQ(to_doubles(r), (std::vector<double>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}));
}

TEST(Flatten, AxesRanges) {
  auto a = iota({2, 3, 4});
  EXPECT_EQ(mx::flatten(a).shape(), (mx::Shape{24}));
  EXPECT_EQ(mx::flatten(a, 1, 2).shape(), (mx::Shape{2, 12}));
  EXPECT_EQ(mx::flatten(a, 0, 1).shape(), (mx::Shape{6, 4}));
  EXPECT_EQ(mx::flatten(a, -2, -1).shape(), (mx::Shape{2, 12}));
  EXPECT_EQ(mx::flatten(mx::array(1.0f)).shape(), (mx::Shape{1}));
  EXPECT_EQ(to_doubles(mx::flatten(mx::transpose(iota({2, 2})))), (std::vector<double>{0, 2, 1, 3}));
}

TEST(Unflatten, SplitsOneAxis) {
  auto a = iota({2, 12});
  EXPECT_EQ(mx::unflatten(a, 1, {3, -1}).shape(), (mx::Shape{2, 3, 4}));
  EXPECT_EQ(mx::unflatten(a, -1, {12}).shape(), (mx::Shape{2, 12}));
  EXPECT_EQ(to_doubles(mx::unflatten(a, 0, {2, 1})), range(24));
}

TEST(SqueezeExpand, ShapesAndViews) {
  auto a = iota({1, 3, 1, 2});
  EXPECT_EQ(mx::squeeze(a).shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(mx::squeeze(a, 0).shape(), (mx::Shape{3, 1, 2}));
  EXPECT_EQ(mx::squeeze(a, {-2, 0}).shape(), (mx::Shape{3, 2}));
  auto b = iota({3, 2});
  EXPECT_EQ(mx::expand_dims(b, 0).shape(), (mx::Shape{1, 3, 2}));
  EXPECT_EQ(mx::expand_dims(b, -1).shape(), (mx::Shape{3, 2, 1}));
  EXPECT_EQ(mx::expand_dims(b, {0, 2}).shape(), (mx::Shape{1, 3, 1, 2}));
  EXPECT_EQ(mx::expand_dims(mx::array(2.0f), 0).shape(), (mx::Shape{1}));
  // On a transposed (non-contiguous) input both stay views with the right values.
  auto t = mx::transpose(b);  // (2,3)
  auto e = mx::expand_dims(t, 1);
  e.eval();
  EXPECT_TRUE(shares_buffer(e, b));
  EXPECT_EQ(to_doubles(e), (std::vector<double>{0, 2, 4, 1, 3, 5}));
  auto sq = mx::squeeze(e, 1);
  EXPECT_EQ(to_doubles(sq), (std::vector<double>{0, 2, 4, 1, 3, 5}));
}

TEST(Transpose, ValuesStridesAndDtypes) {
  for (auto dt : {mx::float32, mx::int32, mx::float16, mx::bfloat16, mx::uint8, mx::float64}) {
    auto a = iota({2, 3, 4}, dt);
    auto t = mx::transpose(a, {2, 0, 1});
    EXPECT_EQ(t.shape(), (mx::Shape{4, 2, 3}));
    EXPECT_EQ(t.dtype(), dt);
    std::vector<double> expect;
    for (int k = 0; k < 4; ++k)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j) expect.push_back(i * 12 + j * 4 + k);
    EXPECT_EQ(to_doubles(t), expect) << dt;
    t.eval();
    EXPECT_EQ(t.strides(), (mx::Strides{1, 12, 4}));
    EXPECT_TRUE(shares_buffer(t, a));
    EXPECT_FALSE(t.flags().row_contiguous);
  }
  auto m = iota({2, 3});
  auto mt = mx::transpose(m);
  mt.eval();
  EXPECT_TRUE(mt.flags().col_contiguous);
  EXPECT_EQ(mx::transpose(m, {-1, 0}).shape(), (mx::Shape{3, 2}));
}

TEST(Transpose, SwapAndMoveAxis) {
  auto a = iota({2, 3, 4});
  EXPECT_EQ(mx::swapaxes(a, 0, 2).shape(), (mx::Shape{4, 3, 2}));
  EXPECT_EQ(mx::moveaxis(a, 0, -1).shape(), (mx::Shape{3, 4, 2}));
  EXPECT_EQ(mx::moveaxis(a, -1, 0).shape(), (mx::Shape{4, 2, 3}));
  EXPECT_EQ(to_doubles(mx::swapaxes(iota({2, 2}), 0, 1)), (std::vector<double>{0, 2, 1, 3}));
}

TEST(Transpose, ExpressionsReadViews) {
  auto a = iota({3, 3});
  auto t = mx::transpose(a);
  mx::array s = t + a;  // a fused loop over a strided and a contiguous input
  EXPECT_EQ(to_doubles(s), (std::vector<double>{0, 4, 8, 4, 8, 12, 8, 12, 16}));
  EXPECT_EQ(mx::sum(t, 1).shape(), (mx::Shape{3}));
  EXPECT_EQ(to_doubles(mx::sum(t, 1)), (std::vector<double>{9, 12, 15}));
}

TEST(BroadcastTo, ViewWithZeroStrides) {
  auto a = iota({3});
  auto b = mx::broadcast_to(a, {2, 3});
  EXPECT_EQ(to_doubles(b), (std::vector<double>{0, 1, 2, 0, 1, 2}));
  b.eval();
  EXPECT_EQ(b.strides(), (mx::Strides{0, 1}));
  EXPECT_TRUE(shares_buffer(b, a));
  auto c = mx::broadcast_to(iota({2, 1}), {2, 2});
  EXPECT_EQ(to_doubles(c), (std::vector<double>{0, 0, 1, 1}));
  EXPECT_EQ(to_doubles(mx::broadcast_to(mx::array(5), {2})), (std::vector<double>{5, 5}));
  EXPECT_EQ(mx::broadcast_to(a, {0, 3}).size(), 0u);
  auto arrs = mx::broadcast_arrays({iota({3, 1}), iota({4})});
  EXPECT_EQ(arrs[0].shape(), (mx::Shape{3, 4}));
  EXPECT_EQ(arrs[1].shape(), (mx::Shape{3, 4}));
  EXPECT_EQ(to_doubles(arrs[0])[5], 1.0);
}

TEST(AsStrided, WindowsOverRowMajorElements) {
  auto a = iota({6});
  auto w = mx::as_strided(a, {3, 2}, {1, 1}, 1);  // sliding windows of 2 from element 1
  EXPECT_EQ(to_doubles(w), (std::vector<double>{1, 2, 2, 3, 3, 4}));
  auto t = mx::as_strided(mx::transpose(iota({2, 3})), {6}, {1}, 0);  // row-major of the transpose
  EXPECT_EQ(to_doubles(t), (std::vector<double>{0, 3, 1, 4, 2, 5}));
}

TEST(Contiguous, CopiesOnlyWhenNeeded) {
  auto a = iota({2, 3});
  auto c = mx::contiguous(a);
  c.eval();
  EXPECT_EQ(c.raw_data(), a.raw_data());
  auto t = mx::transpose(a);
  auto ct = mx::contiguous(t);
  ct.eval();
  EXPECT_NE(ct.raw_data(), a.raw_data());
  EXPECT_TRUE(ct.flags().row_contiguous);
  EXPECT_EQ(to_doubles(ct), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  auto cc = mx::contiguous(t, true);
  cc.eval();
  EXPECT_EQ(cc.raw_data(), a.raw_data());
}

TEST(AtLeast, Shapes) {
  auto s = mx::array(1.0f);
  EXPECT_EQ(mx::atleast_1d(s).shape(), (mx::Shape{1}));
  EXPECT_EQ(mx::atleast_2d(s).shape(), (mx::Shape{1, 1}));
  EXPECT_EQ(mx::atleast_3d(s).shape(), (mx::Shape{1, 1, 1}));
  auto v = iota({3});
  EXPECT_EQ(mx::atleast_2d(v).shape(), (mx::Shape{1, 3}));
  EXPECT_EQ(mx::atleast_3d(v).shape(), (mx::Shape{1, 3, 1}));
  EXPECT_EQ(mx::atleast_3d(iota({2, 3})).shape(), (mx::Shape{2, 3, 1}));
  EXPECT_EQ(mx::atleast_1d(iota({2, 3})).shape(), (mx::Shape{2, 3}));
  auto many = mx::atleast_2d(std::vector<mx::array>{s, v});
  EXPECT_EQ(many[1].shape(), (mx::Shape{1, 3}));
}

TEST(ShapeOps, LongChainOfViewsEvaluates) {
  mx::array a = iota({4, 4});
  mx::array x = a;
  for (int i = 0; i < 1000; ++i) x = mx::transpose(x);
  EXPECT_EQ(to_doubles(x), to_doubles(a));
}

TEST(ShapeOps, Errors) {
  auto a = iota({2, 3});
  EXPECT_NE(invalid_argument_message([&] { mx::reshape(a, {4, 2}); }).find("[reshape]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::reshape(a, {-1, -1}); }).find("infer one"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::reshape(a, {4, -1}); }).find("[reshape]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::reshape(a, {-2, -3}); }).find("[reshape]"), std::string::npos);
  // As NumPy: the size of an inferred dim of an empty array is unknown.
  EXPECT_NE(invalid_argument_message([&] { mx::reshape(mx::zeros({0, 3}), {3, 0, -1}); }).find("[reshape] Cannot infer"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::flatten(a, 1, 0); }).find("[flatten]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::flatten(a, 0, 2); }).find("[flatten] Invalid axis 2"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::unflatten(a, 1, {2, 2}); }).find("[unflatten]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::unflatten(a, 1, {}); }).find("[unflatten]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::squeeze(a, 0); }).find("[squeeze] Cannot squeeze axis 0 with size 2"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::squeeze(a, 2); }).find("[squeeze] Invalid axis 2"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::expand_dims(a, 3); }).find("[expand_dims] Invalid axis 3"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::expand_dims(a, {0, 0}); }).find("[expand_dims] Received duplicate axis"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::transpose(a, {0}); }).find("[transpose] Received 1 axes for array with 2"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::transpose(a, {0, 0}); }).find("[transpose] Repeated axis"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::transpose(a, {0, 2}); }).find("[transpose] Invalid axis 2"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::swapaxes(a, 0, 5); }).find("[swapaxes]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::moveaxis(a, -3, 0); }).find("[moveaxis]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::broadcast_to(a, {3, 3}); }).find("[broadcast_to] Cannot broadcast array of shape (2,3) into shape (3,3)"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::broadcast_to(a, {3}); }).find("[broadcast_to]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::broadcast_arrays({a, iota({4})}); }).find("[broadcast_arrays]"), std::string::npos);
  EXPECT_NE(invalid_argument_message([&] { mx::as_strided(a, {2}, {1, 1}, 0); }).find("[as_strided]"), std::string::npos);
}

TEST(View, ReinterpretsBytes) {
  auto a = mx::array({1.0f, -2.0f});
  auto u = mx::view(a, mx::uint32);
  EXPECT_EQ(to_doubles(u), (std::vector<double>{0x3f800000u, 0xc0000000u}));
  auto b = mx::view(a, mx::uint8);
  EXPECT_EQ(b.shape(), (mx::Shape{8}));
  EXPECT_EQ(to_doubles(b)[3], 0x3f);
  auto h = mx::view(mx::zeros({3, 4}, mx::int8), mx::int32);
  EXPECT_EQ(h.shape(), (mx::Shape{3, 1}));
  EXPECT_EQ(to_doubles(mx::view(mx::transpose(iota({2, 2}, mx::int32)), mx::float32))[1],
            static_cast<double>(std::bit_cast<float>(2)));  // strided input: row-major bytes
  EXPECT_NE(invalid_argument_message([] { mx::view(mx::zeros({3}, mx::int8), mx::int16); }).find("[view] The last axis of shape (3,) holds 3 bytes"),
            std::string::npos);
  EXPECT_NE(invalid_argument_message([] { mx::view(mx::array(1.0f), mx::int16); }).find("[view] A 0-d array"), std::string::npos);
}

TEST(Depends, EvaluatesDependenciesFirst) {
  auto a = iota({3});
  mx::array side = mx::astype(a, mx::float32) * 2.0f;
  auto outs = mx::depends({a}, {side});
  ASSERT_EQ(outs.size(), 1u);
  outs[0].eval();
  EXPECT_TRUE(side.is_available());
  EXPECT_EQ(outs[0].raw_data(), a.raw_data());
  EXPECT_EQ(to_doubles(outs[0]), to_doubles(a));
}

TEST(Contiguous, BatchedTransposeTilesMatchIndexArithmetic) {
  // Last two axes swapped over a batch: the tiled transposed copy, with partial tiles.
  auto a = iota({3, 37, 45}, mx::int32);
  auto c = mx::contiguous(mx::transpose(a, {0, 2, 1}));
  auto v = to_doubles(c);
  ASSERT_EQ(v.size(), 3u * 37 * 45);
  for (int b = 0; b < 3; ++b)
    for (int i = 0; i < 45; ++i)
      for (int j = 0; j < 37; ++j) ASSERT_EQ(v[(b * 45 + i) * 37 + j], b * 37 * 45 + j * 45 + i);
  for (auto dt : {mx::uint8, mx::float16, mx::float64, mx::complex64}) {
    auto x = iota({40, 33}, dt);
    EXPECT_EQ(to_doubles(mx::contiguous(mx::transpose(x))), to_doubles(mx::transpose(x))) << dt;
  }
}
