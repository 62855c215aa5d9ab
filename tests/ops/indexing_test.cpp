// SPDX-License-Identifier: MIT
// Tests for ops/indexing.hpp against values computed with NumPy (pasted as literals):
// take, take_along_axis, put_along_axis, scatter_add_axis, gather, scatter and its
// reductions (repeated indices accumulate), masked_scatter; negative indices, strided
// inputs, several dtypes, empty inputs; out-of-range indices throw std::out_of_range when
// the graph runs and leave the output unevaluated; and the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::exception_message;
using mlxtest::invalid_argument_message;
using mlxtest::has;
using mlxtest::to_doubles;
using V = std::vector<double>;

namespace {

/// The shared iota with these tests' default dtype.
mx::array iota(const mx::Shape& shape, mx::Dtype dt = mx::int32) { return mlxtest::iota(shape, dt); }


}  // namespace

TEST(Take, AlongAxisFlattenedAndScalar) {
  auto a = iota({3, 4});
  auto idx = mx::array({2, 0, 1, -1}, {2, 2});
  auto t = mx::take(a, idx, 1);
  EXPECT_EQ(t.shape(), (mx::Shape{3, 2, 2}));
  EXPECT_EQ(to_doubles(t), (V{2, 0, 1, 3, 6, 4, 5, 7, 10, 8, 9, 11}));
  EXPECT_EQ(to_doubles(mx::take(a, mx::array({5, -1}))), (V{5, 11}));
  auto row = mx::take(a, 1, 0);
  EXPECT_EQ(row.shape(), (mx::Shape{4}));
  EXPECT_EQ(to_doubles(row), (V{4, 5, 6, 7}));
  EXPECT_EQ(mx::take(a, 7).item<int>(), 7);
  // Index dtypes, source dtypes and strided sources.
  for (auto idt : {mx::uint8, mx::int16, mx::uint32, mx::int64}) {
    auto i = mx::astype(mx::array({2, 0}), idt);
    EXPECT_EQ(to_doubles(mx::take(a, mx::array(i), 0)), (V{8, 9, 10, 11, 0, 1, 2, 3})) << idt;
  }
  for (auto dt : {mx::float16, mx::bfloat16, mx::float64, mx::bool_, mx::complex64}) {
    auto x = mx::astype(iota({4}), dt);
    EXPECT_EQ(to_doubles(mx::take(mx::array(x), mx::array({3, 1}))), to_doubles(mx::array({x.dtype() == mx::bool_ ? 1 : 3, 1})))
        << dt;
  }
  auto tr = mx::transpose(a);  // (4,3) view
  EXPECT_EQ(to_doubles(mx::take(tr, mx::array({1}), 0)), (V{1, 5, 9}));
  EXPECT_EQ(mx::take(a, mx::zeros({0}, mx::int32), 1).shape(), (mx::Shape{3, 0}));
  EXPECT_EQ(mx::take(mx::zeros({0, 2}), mx::zeros({0}, mx::int32), 0).shape(), (mx::Shape{0, 2}));
}

TEST(Take, LargeRandomGatherMatchesLoop) {
  const int n = 200000;
  std::mt19937 rng(3);
  std::vector<int32_t> idx(n);
  for (auto& v : idx) v = static_cast<int32_t>(rng() % n);
  auto src = mx::astype(iota({n}), mx::float32);
  auto out = mx::take(mx::array(src), mx::array(idx.begin(), {n}));
  auto v = to_doubles(out);
  for (int i = 0; i < n; i += 997) EXPECT_EQ(v[i], idx[i]);
}

TEST(Take, OutOfRangeThrowsAtEvaluation) {
  auto a = iota({3, 4});
  mx::array t = mx::take(a, mx::array({0, 4}), 1);  // building the graph does not read indices
  auto msg = exception_message<std::out_of_range>([&] { t.eval(); });
  EXPECT_TRUE(has(msg, "[take] Index 4 is out of bounds for axis 1 with size 4")) << msg;
  mx::array u = mx::take(a, mx::array({-4}), 0);
  EXPECT_TRUE(has(exception_message<std::out_of_range>([&] { u.eval(); }), "[take] Index -4"));
}

TEST(TakeAlongAxis, ValuesAndBroadcast) {
  auto a = iota({3, 4});
  auto i = mx::array({0, 3, 1, 1, 2, 0}, {3, 2});
  EXPECT_EQ(to_doubles(mx::take_along_axis(a, i, 1)), (V{0, 3, 5, 5, 10, 8}));
  auto i2 = mx::array({2, 0, 1, 2}, {1, 4});
  EXPECT_EQ(to_doubles(mx::take_along_axis(a, i2, 0)), (V{8, 1, 6, 11}));
  auto i3 = mx::array({1}, {1, 1});  // broadcast over rows
  EXPECT_EQ(to_doubles(mx::take_along_axis(a, i3, 1)), (V{1, 5, 9}));
}

TEST(TakeAlongAxis, NegativeStrideViews) {
  // flip(a) is a view with a negative stride: its element offsets are negative, which the
  // gather once took for its "bad index" mark and left those elements unwritten.
  auto f = mx::flip(iota({3, 4}), 0);  // [[8..11], [4..7], [0..3]]
  auto i = mx::array({0, 0, 1, 2, 1, 1, 0, 0, 2, 2, 2, 0}, {3, 4});
  EXPECT_EQ(to_doubles(mx::take_along_axis(f, i, 0)), (V{8, 9, 6, 3, 4, 5, 10, 11, 0, 1, 2, 11}));
  EXPECT_EQ(to_doubles(mx::take(f, mx::array({0, 2}), 0)), (V{8, 9, 10, 11, 0, 1, 2, 3}));
  auto r = mx::slice(iota({2, 5}), {0, 4}, {2, -6}, {1, -2});  // [[4, 2, 0], [9, 7, 5]]
  EXPECT_EQ(to_doubles(mx::take_along_axis(r, mx::array({2, 1, 0, 0}, {2, 2}), 1)), (V{0, 2, 9, 9}));
}

TEST(PutAlongAxis, WritesAndAccumulates) {
  auto a = iota({3, 4});
  auto i = mx::array({0, 3, 1, 1, 2, 0}, {3, 2});
  EXPECT_EQ(to_doubles(mx::put_along_axis(a, i, mx::array(99), 1)),
            (V{99, 1, 2, 99, 4, 99, 6, 7, 99, 9, 99, 11}));
  auto z = mx::zeros({5});
  auto j = mx::array({0, 1, 1, 4, 1});
  auto add = mx::scatter_add_axis(z, j, mx::array({1.f, 2.f, 3.f, 4.f, 5.f}), 0);
  EXPECT_EQ(to_doubles(add), (V{1, 10, 0, 0, 4}));
  EXPECT_EQ(to_doubles(a), (V{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));  // untouched
}

TEST(Gather, SlicesAtIndexTuples) {
  auto a = iota({4, 5});
  // Two index arrays (rows, cols) with 2x2 slices.
  auto g = mx::gather(a, {mx::array({0, 2}), mx::array({1, 3})}, {0, 1}, {2, 2});
  EXPECT_EQ(g.shape(), (mx::Shape{2, 2, 2}));
  EXPECT_EQ(to_doubles(g), (V{1, 2, 6, 7, 13, 14, 18, 19}));
  // One axis: whole rows.
  auto rows = mx::gather(a, mx::array({3, -4}), 0, {1, 5});
  EXPECT_EQ(rows.shape(), (mx::Shape{2, 1, 5}));
  EXPECT_EQ(to_doubles(rows), (V{15, 16, 17, 18, 19, 0, 1, 2, 3, 4}));
  // A slice that would run past the end is out of range.
  mx::array bad = mx::gather(a, mx::array({4}), 1, {1, 2});
  EXPECT_TRUE(has(exception_message<std::out_of_range>([&] { bad.eval(); }), "[gather] Index 4"));
}

TEST(Scatter, WriteAndReductions) {
  auto a = mx::zeros({4}, mx::float32);
  auto idx = mx::array({0, 2, 2});
  auto upd = mx::reshape(mx::array({1.f, 2.f, 3.f}), {3, 1});
  EXPECT_EQ(to_doubles(mx::scatter(a, idx, upd, 0)), (V{1, 0, 3, 0}));  // the last write wins
  EXPECT_EQ(to_doubles(mx::scatter_add(a, idx, upd, 0)), (V{1, 0, 5, 0}));
  auto ones = mx::ones({4});
  EXPECT_EQ(to_doubles(mx::scatter_prod(ones, idx, upd, 0)), (V{1, 1, 6, 1}));
  EXPECT_EQ(to_doubles(mx::scatter_max(ones * 2, idx, upd, 0)), (V{2, 2, 3, 2}));
  EXPECT_EQ(to_doubles(mx::scatter_min(ones * 2, idx, upd, 0)), (V{1, 2, 2, 2}));
  // Rows of a matrix, integer dtype, updates cast to the array's dtype.
  auto m = iota({3, 2});
  auto rows = mx::scatter(m, {mx::array({2, 0})}, mx::full({2, 1, 2}, 7.9f), {0});
  EXPECT_EQ(rows.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(rows), (V{7, 7, 2, 3, 7, 7}));
  // Two axes, single elements, negative indices.
  auto e = mx::scatter_add(mx::zeros({2, 3}), {mx::array({0, -1, 0}), mx::array({0, 2, 0})},
                           mx::ones({3, 1, 1}), {0, 1});
  EXPECT_EQ(to_doubles(e), (V{2, 0, 0, 0, 0, 1}));
  mx::array oob = mx::scatter(a, mx::array({9}), mx::ones({1, 1}), 0);
  EXPECT_TRUE(has(exception_message<std::out_of_range>([&] { oob.eval(); }), "[scatter] Index 9"));
  EXPECT_FALSE(oob.is_available());
}

TEST(MaskedScatter, FillsInOrder) {
  auto a = iota({2, 3});
  auto mask = mx::array({true, false, true, false, true, true}, {2, 3});
  auto out = mx::masked_scatter(a, mask, mx::array({10, 20, 30, 40}));
  EXPECT_EQ(to_doubles(out), (V{10, 1, 20, 3, 30, 40}));
  auto row_mask = mx::array({false, true, false}, {3});  // broadcast over rows
  EXPECT_EQ(to_doubles(mx::masked_scatter(a, row_mask, mx::array({-1.f, -2.f}))), (V{0, -1, 2, 3, -2, 5}));
  mx::array short_src = mx::masked_scatter(a, mask, mx::array({1}));
  EXPECT_TRUE(has(invalid_argument_message([&] { short_src.eval(); }), "[masked_scatter] The mask selects 4 positions"));
}

TEST(Indexing, Errors) {
  auto a = iota({3, 4});
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::take(a, mx::array({0.5f}), 0); }), "[take] Indices must be integers"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::take(a, mx::array({0}), 2); }), "[take] Invalid axis 2"));
  EXPECT_TRUE(has(exception_message<std::out_of_range>([&] { mx::take(mx::zeros({0}), mx::array({0}), 0); }), "[take] Cannot do a non-empty take"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::take_along_axis(a, mx::array({0}), 0); }), "[take_along_axis] Indices of dimension 1 does not match array of dimension 2"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::take_along_axis(a, mx::zeros({2, 2}, mx::int32), 0); }), "[take_along_axis] Shapes (3,4) and (2,2)"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::put_along_axis(a, mx::zeros({1, 4}, mx::int32), mx::ones({3}), 0); }), "[put_along_axis] Values of shape (3,)"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::gather(a, {mx::array({0})}, {0, 1}, {1, 1}); }), "[gather] Got 1 index arrays for 2 axes"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::gather(a, mx::array({0}), 0, {1}); }), "[gather] Got slice_sizes (1,)"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::gather(a, mx::array({0}), 0, {1, 5}); }), "[gather] Slice sizes (1,5)"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::gather(a, {mx::array({0, 1}), mx::array({0, 1, 2})}, {0, 1}, {1, 1}); }), "[gather] The index arrays cannot be broadcast"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::gather(a, {mx::array({0}), mx::array({0})}, {0, 0}, {1, 1}); }), "[gather] Repeated axis 0"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::scatter(a, mx::array({0}), mx::ones({1, 4}), 0); }), "[scatter] Updates with 2 dimensions does not match"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::scatter(a, mx::array({0}), mx::ones({2, 1, 4}), 0); }), "[scatter] Updates of shape (2,1,4) do not start"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::scatter_add(a, mx::array({0}), mx::ones({1, 1, 5}), 0); }), "[scatter_add] Update slices of shape (1,1,5) are larger"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::scatter_max(mx::zeros({2}, mx::complex64), mx::array({0}), mx::ones({1, 1}), 0); }), "[scatter_max] Not supported for dtype complex64"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::masked_scatter(a, mx::ones({3, 4}), mx::array({1})); }), "[masked_scatter] The mask must be boolean"));
  EXPECT_TRUE(has(invalid_argument_message([&] { mx::masked_scatter(a, mx::array({true, false}), mx::array({1})); }), "[masked_scatter] Mask of shape (2,)"));
}
