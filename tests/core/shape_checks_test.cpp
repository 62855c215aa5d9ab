// SPDX-License-Identifier: MIT
// Regression tests for what tests/fuzz/fuzz_shape found: shape arithmetic that overflowed
// (reshape, tile, repeat, pad, concatenate, roll, array shapes whose strides overflow), a reshape
// of a zero-size view that read out of bounds, and broadcast_shapes accepting negative dims.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <climits>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

TEST(ShapeChecks, OverflowingShapesAreInvalidArguments) {
  const mx::array a = mx::ones({2, 3});
  EXPECT_INVALID(mx::reshape(a, {INT_MAX - 1, INT_MAX - 1, INT_MAX - 1, -1}), "[reshape] Cannot reshape array of size 6");
  EXPECT_INVALID(mx::tile(a, {INT_MAX - 1, 2}), "[tile] The resulting dimension 4294967292 is out of range");
  EXPECT_INVALID(mx::repeat(a, INT_MAX, 1), "[repeat] The resulting dimension");
  EXPECT_INVALID(mx::pad(a, std::vector<int>{0}, mx::Shape{INT_MAX}, mx::Shape{1}), "[pad] The resulting dimension");
  EXPECT_INVALID(mx::concatenate({mx::broadcast_to(mx::ones({1}), {INT_MAX}), mx::ones({1})}), "[concatenate]");
  // A view whose element count or strides pass 2^63 is refused when it is made.
  EXPECT_INVALID(mx::broadcast_to(mx::ones({1}), {INT_MAX, INT_MAX, INT_MAX}), "[array] Shape");
  EXPECT_INVALID(mx::zeros({0, INT_MAX, INT_MAX, INT_MAX}), "is too large: its byte count passes 2^63");
  EXPECT_INVALID(mx::broadcast_to(mx::ones({1}), {INT_MAX, INT_MAX}), "[array] Shape (2147483647,2147483647) is too large");
  EXPECT_EQ(mx::broadcast_to(mx::ones({1}, mx::uint8), {INT_MAX, INT_MAX}).size(), size_t{INT_MAX} * INT_MAX);
  // roll's shift % n + n passed INT_MAX: now computed in int64 (INT_MAX % 7 == 1).
  EXPECT_EQ(mlxtest::to_doubles(mx::roll(mx::arange(7.0f), INT_MAX, 0)), (std::vector<double>{6, 0, 1, 2, 3, 4, 5}));
}

TEST(ShapeChecks, ReshapeOfAZeroSizeView) {
  mx::array empty = mx::transpose(mx::zeros({0, 3}));  // not row-contiguous, no elements
  mx::array r = mx::reshape(empty, {3, 0});
  r.eval();
  EXPECT_EQ(r.shape(), (mx::Shape{3, 0}));
  EXPECT_EQ(mx::reshape(mx::transpose(mx::zeros({2, 0, 3})), {0, 6}).shape(), (mx::Shape{0, 6}));
}

TEST(ShapeChecks, BroadcastShapesRefusesNegativeDims) {
  EXPECT_INVALID(mx::broadcast_shapes({-3}, {1}), "negative dimension -3");
  EXPECT_INVALID(mx::broadcast_shapes({2, 1}, {-1, -1}), "negative dimension -1");
  EXPECT_EQ(mx::broadcast_shapes({0, 1}, {1, 4}), (mx::Shape{0, 4}));
}
