// SPDX-License-Identifier: MIT
// Tests for io/print.hpp: arrays print like NumPy/MLX: array([[1, 2],\n       [3, 4]],
// dtype=int32), blank lines between blocks of 3-d and higher arrays, true/false for bool,
// a+bj for complex, and "..." summaries for arrays of more than 1000 elements.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

std::string str(const mx::array& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

mx::array iota(const mx::Shape& shape, mx::Dtype dtype = mx::int32, double start = 0) {
  std::vector<double> v(static_cast<size_t>(mx::shape_size(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<double>(i);
  return mx::array(v.begin(), shape, dtype);
}

TEST(Print, ZeroDimensional) {
  EXPECT_EQ(str(mx::array(5)), "array(5, dtype=int32)");
  EXPECT_EQ(str(mx::array(-1.5f)), "array(-1.5, dtype=float32)");
  EXPECT_EQ(str(mx::array(true)), "array(true, dtype=bool)");
  EXPECT_EQ(str(mx::array(false)), "array(false, dtype=bool)");
  EXPECT_EQ(str(mx::array(mx::complex64_t(1, -2))), "array(1-2j, dtype=complex64)");
  EXPECT_EQ(str(mx::array(int64_t{-7})), "array(-7, dtype=int64)");
}

TEST(Print, OneDimensional) {
  EXPECT_EQ(str(mx::array({1, 2, 3})), "array([1, 2, 3], dtype=int32)");
  EXPECT_EQ(str(mx::array({7})), "array([7], dtype=int32)");
  EXPECT_EQ(str(mx::array({1.0f, 2.5f, -0.125f})), "array([1, 2.5, -0.125], dtype=float32)");
  EXPECT_EQ(str(mx::array({true, false, true})), "array([true, false, true], dtype=bool)");
  // Small integer types print as numbers, not characters.
  EXPECT_EQ(str(mx::array({65, 66, 200}, mx::uint8)), "array([65, 66, 200], dtype=uint8)");
  EXPECT_EQ(str(mx::array({-5, 66}, mx::int8)), "array([-5, 66], dtype=int8)");
  EXPECT_EQ(str(mx::array({-1, 2}, mx::int16)), "array([-1, 2], dtype=int16)");
  EXPECT_EQ(str(mx::array({3, 4}, mx::uint32)), "array([3, 4], dtype=uint32)");
  // Seven elements: below NumPy's summary threshold, all printed (MLX's print of the same
  // array in Python elides after 6; we follow NumPy's threshold of 1000).
  EXPECT_EQ(str(iota({7})), "array([0, 1, 2, 3, 4, 5, 6], dtype=int32)");
}

TEST(Print, TwoDimensional) {
  EXPECT_EQ(str(iota({2, 3}, mx::int32, 1)),
            "array([[1, 2, 3],\n"
            "       [4, 5, 6]], dtype=int32)");
  EXPECT_EQ(str(iota({3, 1})),
            "array([[0],\n"
            "       [1],\n"
            "       [2]], dtype=int32)");
  EXPECT_EQ(str(iota({1, 2})), "array([[0, 1]], dtype=int32)");
}

TEST(Print, ThreeDimensionalBlocksAreSeparatedByBlankLines) {
  EXPECT_EQ(str(iota({2, 2, 2}, mx::int32, 1)),
            "array([[[1, 2],\n"
            "        [3, 4]],\n"
            "\n"
            "       [[5, 6],\n"
            "        [7, 8]]], dtype=int32)");
  EXPECT_EQ(str(iota({3, 1, 2})),
            "array([[[0, 1]],\n"
            "\n"
            "       [[2, 3]],\n"
            "\n"
            "       [[4, 5]]], dtype=int32)");
}

TEST(Print, FourDimensionalHasTwoBlankLinesBetweenOuterBlocks) {
  EXPECT_EQ(str(iota({2, 1, 2, 2})),
            "array([[[[0, 1],\n"
            "         [2, 3]]],\n"
            "\n"
            "\n"
            "       [[[4, 5],\n"
            "         [6, 7]]]], dtype=int32)");
}

TEST(Print, Bool2d) {
  mx::array b({true, false, false, true}, {2, 2});
  EXPECT_EQ(str(b),
            "array([[true, false],\n"
            "       [false, true]], dtype=bool)");
}

TEST(Print, Floats) {
  EXPECT_EQ(str(mx::array({0.1f, 1.0f / 3.0f, 100.0f})),
            "array([0.1, 0.333333, 100], dtype=float32)");
  EXPECT_EQ(str(mx::array({0.1, 2.0}, mx::float64)), "array([0.1, 2], dtype=float64)");
  EXPECT_EQ(str(mx::array({NAN, INFINITY, -INFINITY})),
            "array([nan, inf, -inf], dtype=float32)");
  EXPECT_EQ(str(mx::array({3.14159265f, 1e-8f})), "array([3.14159, 1e-08], dtype=float32)");
  EXPECT_EQ(str(mx::array({1.5f, -2.0f, 0.25f, 4.0f}, {2, 2})),
            "array([[1.5, -2],\n"
            "       [0.25, 4]], dtype=float32)");
}

TEST(Print, HalfTypes) {
  // Stored values, printed with 6 significant digits: 0.1 is 0.0999755859375 in float16.
  EXPECT_EQ(str(mx::array({0.1f, 1.5f, -2.0f}, mx::float16)),
            "array([0.0999756, 1.5, -2], dtype=float16)");
  EXPECT_EQ(str(mx::array({0.1f, 1.5f}, mx::bfloat16)), "array([0.100098, 1.5], dtype=bfloat16)");
  EXPECT_EQ(str(mx::array(mx::float16_t(65504.0f))), "array(65504, dtype=float16)");
}

TEST(Print, Complex) {
  mx::array c({mx::complex64_t(1, 2), mx::complex64_t(3, -4), mx::complex64_t(-0.5f, 0)});
  EXPECT_EQ(str(c), "array([1+2j, 3-4j, -0.5+0j], dtype=complex64)");
  mx::array c2({mx::complex64_t(1, 1), mx::complex64_t(0, -1)}, {2, 1});
  EXPECT_EQ(str(c2),
            "array([[1+1j],\n"
            "       [0-1j]], dtype=complex64)");
}

TEST(Print, SummarisedOneDimensional) {
  EXPECT_EQ(str(iota({2000})), "array([0, 1, 2, ..., 1997, 1998, 1999], dtype=int32)");
  EXPECT_EQ(str(iota({1001})), "array([0, 1, 2, ..., 998, 999, 1000], dtype=int32)");
  // Exactly at the threshold: printed in full.
  std::string full = str(iota({1000}));
  EXPECT_EQ(full.find("..."), std::string::npos);
  EXPECT_EQ(full.substr(0, 16), "array([0, 1, 2, ");
  EXPECT_NE(full.find(", 998, 999], dtype=int32)"), std::string::npos);
  EXPECT_EQ(str(mx::arange(0.0, 2000.0, 0.5)),
            "array([0, 0.5, 1, ..., 1998.5, 1999, 1999.5], dtype=float32)");
}

TEST(Print, SummarisedTwoDimensional) {
  EXPECT_EQ(str(iota({100, 100})),
            "array([[0, 1, 2, ..., 97, 98, 99],\n"
            "       [100, 101, 102, ..., 197, 198, 199],\n"
            "       [200, 201, 202, ..., 297, 298, 299],\n"
            "       ...,\n"
            "       [9700, 9701, 9702, ..., 9797, 9798, 9799],\n"
            "       [9800, 9801, 9802, ..., 9897, 9898, 9899],\n"
            "       [9900, 9901, 9902, ..., 9997, 9998, 9999]], dtype=int32)");
  // Only the long dimension is summarised.
  EXPECT_EQ(str(iota({2, 600})),
            "array([[0, 1, 2, ..., 597, 598, 599],\n"
            "       [600, 601, 602, ..., 1197, 1198, 1199]], dtype=int32)");
  EXPECT_EQ(str(iota({600, 2})),
            "array([[0, 1],\n"
            "       [2, 3],\n"
            "       [4, 5],\n"
            "       ...,\n"
            "       [1194, 1195],\n"
            "       [1196, 1197],\n"
            "       [1198, 1199]], dtype=int32)");
}

// NumPy keeps the blank line between 3-d blocks around the "..." as well:
//   array([[[   0,    1,    2],
//           [   3,    4,    5]],
//   ...
//          ...,
//
//          [[1194, 1195, 1196],
// Regression: io/print.hpp print_dim used to write "...," and a single newline for every
// non-last dimension, dropping the blank line NumPy keeps around the elided blocks.
TEST(Print, SummarisedThreeDimensionalKeepsBlankLines) {
  EXPECT_EQ(str(iota({200, 1, 6})),
            "array([[[0, 1, 2, 3, 4, 5]],\n"
            "\n"
            "       [[6, 7, 8, 9, 10, 11]],\n"
            "\n"
            "       [[12, 13, 14, 15, 16, 17]],\n"
            "\n"
            "       ...,\n"
            "\n"
            "       [[1182, 1183, 1184, 1185, 1186, 1187]],\n"
            "\n"
            "       [[1188, 1189, 1190, 1191, 1192, 1193]],\n"
            "\n"
            "       [[1194, 1195, 1196, 1197, 1198, 1199]]], dtype=int32)");
}

TEST(Print, Empty) {
  EXPECT_EQ(str(mx::zeros({0})), "array([], dtype=float32)");
  EXPECT_EQ(str(mx::array(std::initializer_list<float>{})), "array([], dtype=float32)");
  EXPECT_EQ(str(mx::arange(0)), "array([], dtype=int32)");
}

TEST(Print, LazyArraysAndExpressionsEvaluate) {
  mx::array a({1.0f, 2.0f});
  mx::array b = a * 2.0f;
  EXPECT_FALSE(b.is_available());
  EXPECT_EQ(str(b), "array([2, 4], dtype=float32)");
  EXPECT_TRUE(b.is_available());
  std::ostringstream os;
  os << (a + 1.0f);  // an unconverted expression prints its values
  EXPECT_EQ(os.str(), "array([2, 3], dtype=float32)");
  EXPECT_EQ(str(mx::sum(a)), "array(3, dtype=float32)");
}

TEST(Print, PrintOptions) {
  const mx::PrintOptions old = mx::get_printoptions();
  mx::PrintOptions o = old;
  o.precision = 3;
  o.threshold = 5;
  o.edge_items = 2;
  mx::set_printoptions(o);
  std::string got = str(mx::array({3.14159f, 2.71828f, 1.41421f, 1.73205f, 2.23607f, 0.5f}));
  mx::set_printoptions(old);
  EXPECT_EQ(got, "array([3.14, 2.72, ..., 2.24, 0.5], dtype=float32)");
  EXPECT_EQ(str(iota({7})), "array([0, 1, 2, 3, 4, 5, 6], dtype=int32)");  // restored
}

TEST(Print, StreamStateIsNotChanged) {
  std::ostringstream os;
  os.precision(2);
  os << mx::array({1.23456f}) << " " << 1.23456;
  EXPECT_EQ(os.str(), "array([1.23456], dtype=float32) 1.2");
}

}  // namespace
