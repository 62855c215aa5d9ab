// SPDX-License-Identifier: MIT
// Tests for ops/slicing.hpp against values computed with NumPy (pasted as literals):
// slices with negative steps and clamped bounds (views), dynamic slices, slice updates,
// joins with dtype promotion, split, stack, flip, pad, repeat, tile, roll, meshgrid; empty
// arrays; that nothing the caller holds is modified; and the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::has;
using mlxtest::to_doubles;
using mlxtest::invalid_argument_message;
using V = std::vector<double>;

namespace {

/// The shared iota with these tests' default dtype.
mx::array iota(const mx::Shape& shape, mx::Dtype dt = mx::int32) { return mlxtest::iota(shape, dt); }


}  // namespace

TEST(Slice, StepsBoundsAndViews) {
  auto a = iota({3, 4});
  auto s1 = mx::slice(a, {-1, 1}, {-4, 4}, {-1, 2});  // a[::-1, 1::2]
  EXPECT_EQ(s1.shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(to_doubles(s1), (V{9, 11, 5, 7, 1, 3}));
  s1.eval();
  EXPECT_EQ(s1.strides(), (mx::Strides{-4, 2}));
  const char* base = static_cast<const char*>(a.raw_data());
  EXPECT_GE(static_cast<const char*>(s1.raw_data()), base);  // a view into a's buffer
  EXPECT_LT(static_cast<const char*>(s1.raw_data()), base + a.nbytes());
  EXPECT_EQ(to_doubles(mx::slice(a, {2, -1}, {0, -5}, {-1, -3})), (V{11, 8, 7, 4}));  // a[2:0:-1, ::-3]
  EXPECT_EQ(to_doubles(mx::slice(a, {-2, 0}, {100, -1})), (V{4, 5, 6, 8, 9, 10}));    // a[-2:, :-1]
  EXPECT_EQ(mx::slice(a, {2, 0}, {1, 4}).shape(), (mx::Shape{0, 4}));                  // empty
  EXPECT_EQ(mx::slice(a, {0, 0}, {3, 4}).id(), a.id());  // the whole array: no node
  // A slice of a slice, and an expression over a slice.
  auto s2 = mx::slice(s1, {1, -1}, {3, -3}, {1, -1});  // s1[1:3, ::-1]
  EXPECT_EQ(to_doubles(s2), (V{7, 5, 3, 1}));
  mx::array e = s2 * 2;
  EXPECT_EQ(to_doubles(e), (V{14, 10, 6, 2}));
}

TEST(Slice, DynamicStart) {
  auto a = iota({4, 5});
  auto d = mx::slice(a, mx::array({1, 2}), {0, 1}, {2, 3});
  EXPECT_EQ(to_doubles(d), (V{7, 8, 9, 12, 13, 14}));
  // Starts are clamped so that the slice fits (MLX's rule), and may be negative.
  EXPECT_EQ(to_doubles(mx::slice(a, mx::array({3}), {1}, {4, 3})),
            (V{2, 3, 4, 7, 8, 9, 12, 13, 14, 17, 18, 19}));
  EXPECT_EQ(to_doubles(mx::slice(a, mx::array({-1}), {0}, {1, 5})), (V{15, 16, 17, 18, 19}));
}

TEST(SliceUpdate, StridedRegionBroadcastAndDtype) {
  auto a = iota({3, 4});
  auto u = mx::slice_update(a, mx::array({-1, -2}), {0, 1}, {3, 3}, {2, 1});  // b[::2, 1:3] = [-1,-2]
  EXPECT_EQ(to_doubles(u), (V{0, -1, -2, 3, 4, 5, 6, 7, 8, -1, -2, 11}));
  EXPECT_EQ(u.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(a), (V{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));  // the source is untouched
  // A float update into an int array is cast to the source's dtype.
  auto f = mx::slice_update(a, mx::array(2.75f), {1, 0}, {2, 4});
  EXPECT_EQ(to_doubles(f), (V{0, 1, 2, 3, 2, 2, 2, 2, 8, 9, 10, 11}));
  // Negative steps write in reverse.
  auto r = mx::slice_update(iota({4}), mx::array({10, 20, 30, 40}), {-1}, {-5}, {-1});
  EXPECT_EQ(to_doubles(r), (V{40, 30, 20, 10}));
  // A source that dies at the update lends its buffer (no copy).
  mx::array tmp = mx::contiguous(mx::transpose(iota({2, 2})));
  tmp.eval();
  const void* p = tmp.raw_data();
  mx::array upd = mx::slice_update(tmp, mx::array({7}), {0, 0}, {1, 1});
  tmp = mx::array();  // the update's node now holds the only handle
  upd.eval();
  EXPECT_EQ(upd.raw_data(), p);
  EXPECT_EQ(to_doubles(upd), (V{7, 2, 1, 3}));
}

TEST(SliceUpdate, DynamicStart) {
  auto a = iota({3, 3});
  auto u = mx::slice_update(a, mx::zeros({2, 2}, mx::int32), mx::array({1, 1}), {0, 1});
  EXPECT_EQ(to_doubles(u), (V{0, 1, 2, 3, 0, 0, 6, 0, 0}));
  auto c = mx::slice_update(a, mx::zeros({1, 3}, mx::int32), mx::array({5}), {0});  // clamped to row 2
  EXPECT_EQ(to_doubles(c), (V{0, 1, 2, 3, 4, 5, 0, 0, 0}));
}

TEST(Concatenate, AxesPromotionAndViews) {
  auto a = iota({2, 2});
  auto b = mx::astype(iota({2, 1}), mx::float32);
  auto c = mx::concatenate({a, mx::array(b)}, 1);
  EXPECT_EQ(c.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(c), (V{0, 1, 0, 2, 3, 1}));
  EXPECT_EQ(to_doubles(mx::concatenate({a, a}, 0)), (V{0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(to_doubles(mx::concatenate({a, mx::transpose(a)}, -1)), (V{0, 1, 0, 2, 2, 3, 1, 3}));
  EXPECT_EQ(to_doubles(mx::concatenate({a, iota({3})})), (V{0, 1, 2, 3, 0, 1, 2}));
  EXPECT_EQ(mx::concatenate({a, mx::zeros({0, 2}, mx::int32)}, 0).shape(), (mx::Shape{2, 2}));
  for (auto dt : {mx::bool_, mx::uint8, mx::float16, mx::bfloat16, mx::float64, mx::int64}) {
    auto x = mx::astype(iota({3}), dt);
    EXPECT_EQ(to_doubles(mx::concatenate({mx::array(x), mx::array(x)}, 0)),
              to_doubles(mx::concatenate({mx::array(x), mx::array(x)})));
  }
}

TEST(Stack, NewAxis) {
  mx::array a = iota({2}), b = mx::astype(iota({2}), mx::int32) + 10;
  auto s0 = mx::stack({a, mx::array(b)});
  EXPECT_EQ(s0.shape(), (mx::Shape{2, 2}));
  EXPECT_EQ(to_doubles(s0), (V{0, 1, 10, 11}));
  auto s1 = mx::stack({a, mx::array(b)}, -1);
  EXPECT_EQ(to_doubles(s1), (V{0, 10, 1, 11}));
  auto parts = mx::unstack(s1, 1);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].shape(), (mx::Shape{2}));
  EXPECT_EQ(to_doubles(parts[1]), (V{10, 11}));
}

TEST(Split, SectionsAndIndices) {
  auto a = iota({6, 2});
  auto p = mx::split(a, 3);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(to_doubles(p[2]), (V{8, 9, 10, 11}));
  auto q = mx::split(a, mx::Shape{1, 4}, 0);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].shape(), (mx::Shape{1, 2}));
  EXPECT_EQ(q[1].shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(to_doubles(q[2]), (V{8, 9, 10, 11}));
  auto r = mx::split(a, 2, 1);
  EXPECT_EQ(to_doubles(r[1]), (V{1, 3, 5, 7, 9, 11}));
  auto e = mx::split(a, mx::Shape{4, 2}, 0);  // decreasing indices give an empty middle piece
  EXPECT_EQ(e[1].shape(), (mx::Shape{0, 2}));
  EXPECT_EQ(e[2].shape(), (mx::Shape{4, 2}));
}

TEST(Flip, ReversesAxes) {
  auto a = iota({2, 3});
  EXPECT_EQ(to_doubles(mx::flip(a)), (V{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(to_doubles(mx::flip(a, 1)), (V{2, 1, 0, 5, 4, 3}));
  EXPECT_EQ(to_doubles(mx::flip(a, std::vector<int>{0})), (V{3, 4, 5, 0, 1, 2}));
}

TEST(Pad, ConstantAndEdge) {
  auto a = iota({2, 3});
  auto c = mx::pad(a, {{1, 0}, {2, 1}}, mx::array(9));
  EXPECT_EQ(c.shape(), (mx::Shape{3, 6}));
  EXPECT_EQ(to_doubles(c), (V{9, 9, 9, 9, 9, 9, 9, 9, 0, 1, 2, 9, 9, 9, 3, 4, 5, 9}));
  auto e = mx::pad(a, {{1, 2}, {1, 1}}, mx::array(0), "edge");
  EXPECT_EQ(to_doubles(e), (V{0, 0, 1, 2, 2, 0, 0, 1, 2, 2, 3, 3, 4, 5, 5,
                              3, 3, 4, 5, 5, 3, 3, 4, 5, 5}));
  EXPECT_EQ(mx::pad(a, 1).shape(), (mx::Shape{4, 5}));
  EXPECT_EQ(mx::pad(a, {1, 2}).shape(), (mx::Shape{5, 6}));
  EXPECT_EQ(to_doubles(mx::pad(iota({2}), {0}, {1}, {0}, mx::array(-1))), (V{-1, 0, 1}));
  EXPECT_EQ(mx::pad(iota({2}), 1, mx::array(1.5f)).dtype(), mx::int32);  // keeps a's dtype
}

TEST(Repeat, TileRoll) {
  auto a = iota({2, 3});
  EXPECT_EQ(to_doubles(mx::repeat(a, 2, 1)), (V{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  EXPECT_EQ(mx::repeat(a, 2, 1).shape(), (mx::Shape{2, 6}));
  EXPECT_EQ(mx::repeat(a, 2).shape(), (mx::Shape{12}));
  EXPECT_EQ(mx::repeat(a, 0, 0).shape(), (mx::Shape{0, 3}));
  auto t = mx::tile(iota({3}), {2, 2});
  EXPECT_EQ(t.shape(), (mx::Shape{2, 6}));
  EXPECT_EQ(to_doubles(t), (V{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(to_doubles(mx::tile(a, {2})), (V{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  EXPECT_EQ(to_doubles(mx::roll(a, 1)), (V{5, 0, 1, 2, 3, 4}));
  EXPECT_EQ(to_doubles(mx::roll(a, -1, 1)), (V{1, 2, 0, 4, 5, 3}));
  EXPECT_EQ(to_doubles(mx::roll(a, mx::Shape{1, 2}, {0, 1})), (V{4, 5, 3, 1, 2, 0}));
  EXPECT_EQ(to_doubles(mx::roll(a, 7, 1)), (V{2, 0, 1, 5, 3, 4}));  // shifts wrap modulo the size
}

TEST(Meshgrid, XyAndIj) {
  auto g = mx::meshgrid({iota({3}), iota({2})});
  EXPECT_EQ(g[0].shape(), (mx::Shape{2, 3}));
  EXPECT_EQ(to_doubles(g[0]), (V{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(to_doubles(g[1]), (V{0, 0, 0, 1, 1, 1}));
  auto h = mx::meshgrid({iota({3}), iota({2})}, false, "ij");
  EXPECT_EQ(h[0].shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(to_doubles(h[0]), (V{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(to_doubles(h[1]), (V{0, 1, 0, 1, 0, 1}));
  auto sp = mx::meshgrid({iota({3}), iota({2})}, true);
  EXPECT_EQ(sp[0].shape(), (mx::Shape{1, 3}));
  EXPECT_EQ(sp[1].shape(), (mx::Shape{2, 1}));
}

TEST(Slicing, LargeStridedCopiesUseThePool) {
  // Big enough for the threaded copy: a transposed 600x500 int32 matrix made contiguous.
  auto a = iota({600, 500});
  auto t = mx::contiguous(mx::transpose(a));
  auto v = to_doubles(t);
  ASSERT_EQ(v.size(), 300000u);
  for (int i : {0, 1, 777, 299999}) EXPECT_EQ(v[i], (i % 600) * 500 + i / 600) << i;
}

TEST(Slicing, Errors) {
  auto a = iota({2, 3});
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::slice(a, {0}, {1}); }), "[slice] Invalid number of indices"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::slice(a, {0, 0}, {1, 1}, {1, 0}); }), "[slice] Slice strides must be non-zero"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::slice(a, mx::array({0.5f}), {0}, {1, 3}); }), "[slice] Start indices must be integers"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::slice(a, mx::array({0}), {0}, {3, 3}); }), "[slice] Invalid slice_size"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::slice_update(a, iota({3}), {0, 0}, {2, 2}); }), "[slice_update] Cannot broadcast update of shape (3,)"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::slice_update(a, iota({3, 3}), mx::array({0}), {0}); }), "[slice_update]"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::concatenate({}, 0); }), "[concatenate] No arrays"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::concatenate({a, iota({3, 2})}, 0); }), "[concatenate] All the input array dimensions must match"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::concatenate({a, a}, 2); }), "[concatenate] Invalid axis 2"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::concatenate({mx::array(1), mx::array(2)}, 0); }), "[concatenate] Cannot concatenate 0-d"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::stack({a, iota({3})}); }), "[stack] All arrays must have the same shape"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::split(a, 2, 1); }), "[split] Array split does not result in sub arrays with equal size"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::split(a, 0, 1); }), "[split] Number of splits must be positive"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::unstack(mx::array(1)); }), "[unstack]"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::flip(a, 3); }), "[flip] Invalid axis 3"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::pad(a, 1, mx::array({1, 2})); }), "[pad] The padding value must be a scalar"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::pad(a, 1, mx::array(0), "reflect"); }), "[pad] Invalid padding mode 'reflect'"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::pad(a, -1); }), "[pad] Padding sizes must be non-negative"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::pad(a, {{1, 1}}); }), "[pad] Got 1 padding pairs"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::repeat(a, -1, 0); }), "[repeat] Number of repeats cannot be negative"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::tile(a, {-1}); }), "[tile] Repetitions must be non-negative"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::roll(a, mx::Shape{1}, std::vector<int>{0, 1}); }), "[roll] Got 1 shifts for 2 axes"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::meshgrid({a}); }), "[meshgrid] Inputs must be at most 1-d"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::meshgrid({iota({2})}, false, "xx"); }), "[meshgrid] Invalid indexing value"));
}

TEST(SliceUpdateReduce, AddProdMaxMin) {
  auto a = iota({2, 3});
  EXPECT_EQ(to_doubles(mx::slice_update_add(a, mx::array({10, 20}), {0, 1}, {1, 3})), (V{0, 11, 22, 3, 4, 5}));
  EXPECT_EQ(to_doubles(mx::slice_update_prod(a, mx::array(2), {1, 0}, {2, 3})), (V{0, 1, 2, 6, 8, 10}));
  EXPECT_EQ(to_doubles(mx::slice_update_max(a, mx::array(4), {0, 0}, {2, 3}, {1, 2})), (V{4, 1, 4, 4, 4, 5}));
  EXPECT_EQ(to_doubles(mx::slice_update_min(a, mx::array(1), {0, 0}, {2, 3})), (V{0, 1, 1, 1, 1, 1}));
}

TEST(Diff, OrdersAxesAndBool) {
  auto a = mx::array({1, 4, 9, 16, 2, 2, 5, 1}, {2, 4});
  EXPECT_EQ(to_doubles(mx::diff(a)), (V{3, 5, 7, 0, 3, -4}));
  EXPECT_EQ(to_doubles(mx::diff(mx::array({1, 4, 9, 16}), 2)), (V{2, 2}));
  EXPECT_EQ(to_doubles(mx::diff(mx::array({1, 4, 9, 16}, {2, 2}), 1, 0)), (V{8, 12}));
  EXPECT_EQ(mx::diff(mx::array({1, 2}), 5).shape(), (mx::Shape{0}));
  EXPECT_EQ(to_doubles(mx::diff(mx::array({true, true, false}))), (V{0, 1}));
  EXPECT_TRUE(has(invalid_argument_message([] { mx::diff(mx::array({1}), -1); }), "[diff] The order n must be non-negative"));
}
