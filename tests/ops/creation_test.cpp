// SPDX-License-Identifier: MIT
// Tests for ops/creation.hpp (zeros, ones, full, *_like, arange, linspace, eye, identity,
// tri, tril, triu) and for astype/copy between every pair of dtypes.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

using mlxtest::to_doubles;

using mlxtest::invalid_argument_message;

mx::array iota_array(const mx::Shape& shape, mx::Dtype dtype, double start = 1) {
  std::vector<double> v(static_cast<size_t>(mx::shape_size(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<double>(i);
  return mx::array(v.begin(), shape, dtype);
}

// ---- zeros / ones / full -------------------------------------------------------------

TEST(Full, ZerosAndOnes) {
  mx::array z = mx::zeros({2, 3});
  EXPECT_EQ(z.dtype(), mx::float32);
  EXPECT_EQ(z.shape(), mx::Shape({2, 3}));
  EXPECT_EQ(to_doubles(z), std::vector<double>(6, 0.0));

  mx::array zi = mx::zeros({4}, mx::int32);
  EXPECT_EQ(zi.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(zi), std::vector<double>(4, 0.0));

  mx::array o = mx::ones({3, 1, 2}, mx::bfloat16);
  EXPECT_EQ(o.dtype(), mx::bfloat16);
  EXPECT_EQ(o.shape(), mx::Shape({3, 1, 2}));
  EXPECT_EQ(to_doubles(o), std::vector<double>(6, 1.0));

  mx::array ob = mx::ones({2}, mx::bool_);
  EXPECT_EQ(ob.dtype(), mx::bool_);
  EXPECT_EQ(to_doubles(ob), std::vector<double>(2, 1.0));

  mx::array oc = mx::ones({2}, mx::complex64);
  oc.eval();
  EXPECT_EQ(oc.data<mx::complex64_t>()[1], mx::complex64_t(1, 0));

  mx::array s = mx::ones({});  // 0-d
  EXPECT_EQ(s.ndim(), 0u);
  EXPECT_EQ(s.item<float>(), 1.0f);

  mx::array e = mx::zeros({0, 4});
  EXPECT_EQ(e.size(), 0u);
  EXPECT_NO_THROW(e.eval());
}

TEST(Full, ScalarValues) {
  mx::array a = mx::full({2, 2}, 7);
  EXPECT_EQ(a.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(a), std::vector<double>(4, 7.0));

  mx::array b = mx::full({3}, 2.5f);
  EXPECT_EQ(b.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(b), std::vector<double>(3, 2.5));

  mx::array c = mx::full({3}, 2.5, mx::int32);  // converted: truncation
  EXPECT_EQ(c.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(c), std::vector<double>(3, 2.0));

  mx::array d = mx::full({2}, true);
  EXPECT_EQ(d.dtype(), mx::bool_);
  EXPECT_EQ(to_doubles(d), std::vector<double>(2, 1.0));

  mx::array e = mx::full({2}, -1, mx::uint8);
  EXPECT_EQ(to_doubles(e), std::vector<double>(2, 255.0));

  mx::array f = mx::full({2}, 1.0 / 3.0, mx::float64);
  EXPECT_EQ(f.dtype(), mx::float64);
  // With an explicit dtype the value is converted once, straight to float64.
  EXPECT_EQ(to_doubles(f)[1], 1.0 / 3.0);
}

TEST(Full, ArrayValuesBroadcast) {
  mx::array row({1, 2, 3});
  mx::array a = mx::full({2, 3}, row);
  EXPECT_EQ(a.dtype(), mx::int32);
  EXPECT_EQ(a.shape(), mx::Shape({2, 3}));
  EXPECT_EQ(to_doubles(a), (std::vector<double>{1, 2, 3, 1, 2, 3}));

  mx::array col({1.5f, -1.5f}, {2, 1});
  mx::array b = mx::full({2, 3}, col, mx::int32);
  EXPECT_EQ(b.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(b), (std::vector<double>{1, 1, 1, -1, -1, -1}));

  mx::array c = mx::full({2, 2, 3}, row * 2, mx::float16);  // an expression as values
  EXPECT_EQ(c.dtype(), mx::float16);
  EXPECT_EQ(to_doubles(c), (std::vector<double>{2, 4, 6, 2, 4, 6, 2, 4, 6, 2, 4, 6}));

  // Values that broadcast to a larger shape than asked for.
  EXPECT_INVALID(mx::full({3}, mx::array({1, 2, 3, 4, 5, 6}, {2, 3})), "[full]");
  EXPECT_INVALID(mx::full({-1, 3}, 1.0f), "[full]");
  EXPECT_INVALID(mx::zeros({2, -2}), "[zeros]");
}

// Regression: full() used to let broadcast_shapes() throw first, so incompatible values
// gave "[broadcast_shapes] Shapes (2,) and (2,3) cannot be broadcast." instead of an error
// naming full (the expression ops rewrap the same error with their own name).
TEST(Full, IncompatibleValuesErrorNamesFull) {
  EXPECT_INVALID(mx::full({2, 3}, mx::array({1, 2})), "[full]");
  EXPECT_INVALID(mx::full({2, 3}, mx::array({1, 2}), mx::float32), "[full]");
}

TEST(Full, Like) {
  mx::array a = iota_array({2, 3}, mx::int16);
  mx::array z = mx::zeros_like(a);
  EXPECT_EQ(z.dtype(), mx::int16);
  EXPECT_EQ(z.shape(), a.shape());
  EXPECT_EQ(to_doubles(z), std::vector<double>(6, 0.0));
  mx::array o = mx::ones_like(a);
  EXPECT_EQ(o.dtype(), mx::int16);
  EXPECT_EQ(to_doubles(o), std::vector<double>(6, 1.0));
  mx::array f = mx::full_like(a, 9.7);  // a's dtype: truncated to 9
  EXPECT_EQ(f.dtype(), mx::int16);
  EXPECT_EQ(to_doubles(f), std::vector<double>(6, 9.0));
  mx::array g = mx::full_like(a, 0.5, mx::float32);
  EXPECT_EQ(g.dtype(), mx::float32);
  EXPECT_EQ(g.shape(), a.shape());
  EXPECT_EQ(to_doubles(g), std::vector<double>(6, 0.5));
}

// ---- arange --------------------------------------------------------------------------

TEST(Arange, AllOverloads) {
  mx::array a = mx::arange(5);
  EXPECT_EQ(a.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(a), (std::vector<double>{0, 1, 2, 3, 4}));

  mx::array b = mx::arange(2, 6);
  EXPECT_EQ(b.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(b), (std::vector<double>{2, 3, 4, 5}));

  mx::array c = mx::arange(1, 10, 3);
  EXPECT_EQ(c.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(c), (std::vector<double>{1, 4, 7}));

  mx::array d = mx::arange(3.0);
  EXPECT_EQ(d.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(d), (std::vector<double>{0, 1, 2}));

  mx::array e = mx::arange(4.0, mx::int64);
  EXPECT_EQ(e.dtype(), mx::int64);
  EXPECT_EQ(to_doubles(e), (std::vector<double>{0, 1, 2, 3}));

  mx::array f = mx::arange(1.5, 4.0);
  EXPECT_EQ(f.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(f), (std::vector<double>{1.5, 2.5, 3.5}));

  mx::array g = mx::arange(-1.0, 2.0, mx::float16);
  EXPECT_EQ(g.dtype(), mx::float16);
  EXPECT_EQ(to_doubles(g), (std::vector<double>{-1, 0, 1}));

  mx::array h = mx::arange(0.0, 2.0, 0.5);
  EXPECT_EQ(h.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(h), (std::vector<double>{0, 0.5, 1, 1.5}));

  mx::array i = mx::arange(0.0, 1.0, 0.25, mx::float64);
  EXPECT_EQ(i.dtype(), mx::float64);
  EXPECT_EQ(to_doubles(i), (std::vector<double>{0, 0.25, 0.5, 0.75}));

  mx::array j = mx::arange(0.0, 5.0, 2.0, mx::uint8);
  EXPECT_EQ(j.dtype(), mx::uint8);
  EXPECT_EQ(to_doubles(j), (std::vector<double>{0, 2, 4}));
}

TEST(Arange, NegativeStep) {
  mx::array a = mx::arange(10, 0, -3);
  EXPECT_EQ(to_doubles(a), (std::vector<double>{10, 7, 4, 1}));
  mx::array b = mx::arange(1.0, -1.0, -0.5);
  EXPECT_EQ(to_doubles(b), (std::vector<double>{1, 0.5, 0, -0.5}));
  mx::array c = mx::arange(0, -5, -1);
  EXPECT_EQ(to_doubles(c), (std::vector<double>{0, -1, -2, -3, -4}));
}

TEST(Arange, Empty) {
  EXPECT_EQ(mx::arange(5, 5).shape(), mx::Shape({0}));
  EXPECT_EQ(mx::arange(5, 2).shape(), mx::Shape({0}));
  EXPECT_EQ(mx::arange(0, 5, -1).shape(), mx::Shape({0}));
  EXPECT_EQ(mx::arange(0).shape(), mx::Shape({0}));
  EXPECT_EQ(mx::arange(-3).shape(), mx::Shape({0}));
  mx::array e = mx::arange(1.0, 0.0);
  EXPECT_EQ(e.size(), 0u);
  EXPECT_NO_THROW(e.eval());
}

TEST(Arange, FloatSteps) {
  mx::array a = mx::arange(0.0, 1.0, 0.1);
  ASSERT_EQ(a.shape(), mx::Shape({10}));
  auto v = to_doubles(a);
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(v[i], 0.1 * i, 1e-6) << i;

  EXPECT_EQ(mx::arange(0.0, 1.05, 0.1).size(), 11u);
  EXPECT_EQ(mx::arange(0.0, 0.3, 0.1).size(), 3u);
  EXPECT_EQ(mx::arange(0.5, 3.0, 1.0).size(), 3u);  // 0.5, 1.5, 2.5
  EXPECT_EQ(mx::arange(0.0, 10.0, 3.0).size(), 4u);
  EXPECT_EQ(mx::arange(1, 10, 3).size(), 3u);

  // Elements are computed as start + i * step (no accumulated error).
  mx::array b = mx::arange(0.0, 100.0, 0.1, mx::float64);
  ASSERT_EQ(b.size(), 1000u);
  EXPECT_DOUBLE_EQ(to_doubles(b)[999], 999 * 0.1);
}

// Regression: the Arange primitive used to truncate start + i * step per element, so an
// integer arange with a fractional step skipped values ([0, 1, 3, 4]). MLX (start and
// start + step cast to the dtype first, the difference accumulated) and NumPy
// (np.arange(0, 5, 1.5, dtype=np.int32)) both give [0, 1, 2, 3].
TEST(Arange, IntegerDtypeWithFractionalStep) {
  mx::array a = mx::arange(0.0, 5.0, 1.5, mx::int32);
  ASSERT_EQ(a.shape(), mx::Shape({4}));
  EXPECT_EQ(to_doubles(a), (std::vector<double>{0, 1, 2, 3}));
}

TEST(Arange, Errors) {
  EXPECT_INVALID(mx::arange(0.0, 5.0, 1.0, mx::bool_), "[arange]");
  EXPECT_INVALID(mx::arange(5.0, mx::bool_), "[arange]");
  EXPECT_INVALID(mx::arange(0, 5, 0), "[arange]");
  EXPECT_INVALID(mx::arange(0.0, 5.0, 0.0), "[arange]");
  EXPECT_INVALID(mx::arange(0.0, INFINITY), "[arange]");
  EXPECT_INVALID(mx::arange(NAN), "[arange]");
  EXPECT_INVALID(mx::arange(0.0, 1e12, 1.0), "[arange]");
}

// ---- linspace ------------------------------------------------------------------------

TEST(Linspace, Values) {
  mx::array a = mx::linspace(0.0, 1.0, 5);
  EXPECT_EQ(a.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(a), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));

  mx::array b = mx::linspace(-1.0, 3.0, 3);
  EXPECT_EQ(to_doubles(b), (std::vector<double>{-1, 1, 3}));

  mx::array c = mx::linspace(0.0, 1.0);  // default num 50
  EXPECT_EQ(c.shape(), mx::Shape({50}));

  mx::array d = mx::linspace(5.0, 1.0, 5, mx::float64);  // decreasing
  EXPECT_EQ(d.dtype(), mx::float64);
  EXPECT_EQ(to_doubles(d), (std::vector<double>{5, 4, 3, 2, 1}));

  mx::array e = mx::linspace(0.0, 10.0, 5, mx::int32);
  EXPECT_EQ(e.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(e), (std::vector<double>{0, 2, 5, 7, 10}));
}

TEST(Linspace, EndpointIsExact) {
  for (int num : {2, 3, 7, 10, 49, 1000}) {
    for (double stop : {0.7, 1.0 / 3.0, 0.1, -2.2, 1e-3}) {
      mx::array a = mx::linspace(0.1, stop, num, mx::float64);
      auto v = to_doubles(a);
      ASSERT_EQ(v.size(), static_cast<size_t>(num));
      EXPECT_EQ(v.front(), 0.1);
      EXPECT_EQ(v.back(), stop) << "num " << num;
      mx::array f = mx::linspace(0.1, stop, num);
      EXPECT_EQ(to_doubles(f).back(), static_cast<double>(static_cast<float>(stop)));
    }
  }
}

TEST(Linspace, ZeroOneAndNegativeCounts) {
  mx::array z = mx::linspace(0.0, 1.0, 0);
  EXPECT_EQ(z.shape(), mx::Shape({0}));
  EXPECT_NO_THROW(z.eval());
  mx::array one = mx::linspace(3.0, 7.0, 1);
  EXPECT_EQ(to_doubles(one), (std::vector<double>{3}));  // NumPy: [start]
  EXPECT_INVALID(mx::linspace(0.0, 1.0, -1), "[linspace]");
}

// ---- eye / identity / tri ------------------------------------------------------------

std::vector<double> eye_ref(int n, int m, int k) {
  std::vector<double> v(static_cast<size_t>(n) * m, 0.0);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < m; ++c)
      if (c - r == k) v[r * m + c] = 1.0;
  return v;
}

TEST(Eye, OffsetsAndShapes) {
  mx::array a = mx::eye(3);
  EXPECT_EQ(a.dtype(), mx::float32);
  EXPECT_EQ(a.shape(), mx::Shape({3, 3}));
  EXPECT_EQ(to_doubles(a), (std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}));

  for (auto [n, m] : std::vector<std::pair<int, int>>{{3, 4}, {4, 3}, {1, 5}, {5, 1}, {4, 4}}) {
    for (int k = -5; k <= 5; ++k) {
      mx::array e = mx::eye(n, m, k);
      ASSERT_EQ(e.shape(), mx::Shape({n, m}));
      EXPECT_EQ(to_doubles(e), eye_ref(n, m, k)) << n << "x" << m << " k=" << k;
    }
  }
  mx::array b = mx::eye(2, 3);
  EXPECT_EQ(to_doubles(b), (std::vector<double>{1, 0, 0, 0, 1, 0}));
  mx::array c = mx::eye(3, mx::int32);
  EXPECT_EQ(c.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(c), eye_ref(3, 3, 0));
  mx::array d = mx::eye(2, 4, 2, mx::bool_);
  EXPECT_EQ(d.dtype(), mx::bool_);
  EXPECT_EQ(to_doubles(d), eye_ref(2, 4, 2));
  EXPECT_EQ(mx::eye(0).shape(), mx::Shape({0, 0}));
  EXPECT_NO_THROW(mx::eye(0, 3).eval());
  EXPECT_INVALID(mx::eye(-1), "[eye]");
  EXPECT_INVALID(mx::eye(2, -3), "[eye]");
}

TEST(Eye, Identity) {
  mx::array a = mx::identity(4);
  EXPECT_EQ(a.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(a), eye_ref(4, 4, 0));
  mx::array b = mx::identity(2, mx::float16);
  EXPECT_EQ(b.dtype(), mx::float16);
  EXPECT_EQ(to_doubles(b), eye_ref(2, 2, 0));
}

std::vector<double> tri_ref(int n, int m, int k) {
  std::vector<double> v(static_cast<size_t>(n) * m, 0.0);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < m; ++c)
      if (c - r <= k) v[r * m + c] = 1.0;
  return v;
}

TEST(Tri, Values) {
  mx::array a = mx::tri(3, mx::float32);
  EXPECT_EQ(to_doubles(a), (std::vector<double>{1, 0, 0, 1, 1, 0, 1, 1, 1}));
  for (auto [n, m] : std::vector<std::pair<int, int>>{{3, 4}, {4, 3}, {2, 2}}) {
    for (int k = -4; k <= 4; ++k) {
      mx::array t = mx::tri(n, m, k, mx::int32);
      EXPECT_EQ(t.dtype(), mx::int32);
      EXPECT_EQ(to_doubles(t), tri_ref(n, m, k)) << n << "x" << m << " k=" << k;
    }
  }
  EXPECT_INVALID(mx::tri(-2, 2, 0, mx::float32), "[tri]");
}

// ---- tril / triu ---------------------------------------------------------------------

std::vector<double> tril_ref(const std::vector<double>& x, int batch, int n, int m, int k,
                             bool lower) {
  std::vector<double> v(x);
  for (int b = 0; b < batch; ++b)
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < m; ++c) {
        bool keep = lower ? c - r <= k : c - r >= k;
        if (!keep) v[(b * n + r) * m + c] = 0.0;
      }
  return v;
}

TEST(Tril, TwoDimensional) {
  for (mx::Dtype dt : {mx::float32, mx::int32, mx::float16}) {
    mx::array x = iota_array({3, 4}, dt);
    auto xv = to_doubles(x);
    for (int k : {-1, 0, 1}) {
      mx::array lo = mx::tril(x, k);
      mx::array up = mx::triu(x, k);
      EXPECT_EQ(lo.dtype(), dt);
      EXPECT_EQ(up.dtype(), dt);
      EXPECT_EQ(lo.shape(), x.shape());
      EXPECT_EQ(to_doubles(lo), tril_ref(xv, 1, 3, 4, k, true)) << "tril k=" << k;
      EXPECT_EQ(to_doubles(up), tril_ref(xv, 1, 3, 4, k, false)) << "triu k=" << k;
    }
  }
  mx::array x = iota_array({2, 2}, mx::int32);
  EXPECT_EQ(to_doubles(mx::tril(x)), (std::vector<double>{1, 0, 3, 4}));
  EXPECT_EQ(to_doubles(mx::triu(x)), (std::vector<double>{1, 2, 0, 4}));
}

TEST(Tril, BatchedThreeDimensional) {
  mx::array x = iota_array({2, 3, 4}, mx::float32);
  auto xv = to_doubles(x);
  for (int k : {-1, 0, 1}) {
    EXPECT_EQ(to_doubles(mx::tril(x, k)), tril_ref(xv, 2, 3, 4, k, true)) << "tril k=" << k;
    EXPECT_EQ(to_doubles(mx::triu(x, k)), tril_ref(xv, 2, 3, 4, k, false)) << "triu k=" << k;
  }
  mx::array y = iota_array({2, 4, 3}, mx::int64);
  auto yv = to_doubles(y);
  EXPECT_EQ(to_doubles(mx::tril(y, 0)), tril_ref(yv, 2, 4, 3, 0, true));
  EXPECT_EQ(to_doubles(mx::triu(y, -2)), tril_ref(yv, 2, 4, 3, -2, false));
}

TEST(Tril, Errors) {
  mx::array v({1, 2, 3});
  EXPECT_INVALID(mx::tril(v), "[tril]");
  EXPECT_INVALID(mx::triu(v), "[triu]");
  EXPECT_INVALID(mx::tril(mx::array(1.0f)), "[tril]");
}

// ---- astype / copy -------------------------------------------------------------------

TEST(Astype, FloatToIntTruncates) {
  mx::array x({1.7f, -1.7f, 2.5f, -0.2f, 100.99f});
  mx::array i = mx::astype(x, mx::int32);
  EXPECT_EQ(i.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(i), (std::vector<double>{1, -1, 2, 0, 100}));
  EXPECT_EQ(to_doubles(mx::astype(x, mx::int8)), (std::vector<double>{1, -1, 2, 0, 100}));
  mx::array u = mx::astype(mx::array({200.7f, 3.2f}), mx::uint8);
  EXPECT_EQ(to_doubles(u), (std::vector<double>{200, 3}));
  mx::array d = mx::astype(mx::array({-2.9, 2.9}, mx::float64), mx::int64);
  EXPECT_EQ(to_doubles(d), (std::vector<double>{-2, 2}));
}

TEST(Astype, IntToBoolAndBoolToFloat) {
  mx::array i({0, 2, -3, 0, 1});
  mx::array b = mx::astype(i, mx::bool_);
  EXPECT_EQ(b.dtype(), mx::bool_);
  EXPECT_EQ(to_doubles(b), (std::vector<double>{0, 1, 1, 0, 1}));
  mx::array f = mx::astype(b, mx::float32);
  EXPECT_EQ(f.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(f), (std::vector<double>{0, 1, 1, 0, 1}));
  mx::array h = mx::astype(mx::array({true, false}), mx::float16);
  EXPECT_EQ(to_doubles(h), (std::vector<double>{1, 0}));
}

// Regression: astype(float -> bool) used to truncate to an integer first (a bool target
// computes in int64, and the float input was gathered with static_cast<int64_t>), so 0.5
// became false. NumPy and MLX test for non-zero: astype([0.5, -0.25], bool) is [true, true].
TEST(Astype, FloatToBoolTestsNonZero) {
  mx::array fb = mx::astype(mx::array({0.0f, -0.0f, 0.5f, -0.25f, 2.0f, NAN}), mx::bool_);
  EXPECT_EQ(to_doubles(fb), (std::vector<double>{0, 0, 1, 1, 1, 1}));
  mx::array hb = mx::astype(mx::array({0.5f, 0.0f}, mx::float16), mx::bool_);
  EXPECT_EQ(to_doubles(hb), (std::vector<double>{1, 0}));
  mx::array db = mx::astype(mx::array({1e-300, 0.0}, mx::float64), mx::bool_);
  EXPECT_EQ(to_doubles(db), (std::vector<double>{1, 0}));
}

TEST(Astype, FloatToHalfRounds) {
  // Round to nearest, ties to even; overflow to inf.
  mx::array x({0.1f, 2049.0f, 2051.0f, 65504.0f, 65520.0f, -70000.0f, 1e-8f, 1.0f / 3.0f});
  auto h = to_doubles(mx::astype(x, mx::float16));
  EXPECT_EQ(h[0], 0.0999755859375);
  EXPECT_EQ(h[1], 2048.0);  // tie -> even
  EXPECT_EQ(h[2], 2052.0);  // tie -> even
  EXPECT_EQ(h[3], 65504.0);
  EXPECT_TRUE(std::isinf(h[4]) && h[4] > 0);
  EXPECT_TRUE(std::isinf(h[5]) && h[5] < 0);
  EXPECT_EQ(h[6], 0.0);  // below half the smallest subnormal (2^-25)
  EXPECT_EQ(h[7], 0.333251953125);

  auto b = to_doubles(mx::astype(mx::array({1.00390625f, 1.01171875f, 3.0e38f}), mx::bfloat16));
  EXPECT_EQ(b[0], 1.0);       // tie -> even
  EXPECT_EQ(b[1], 1.015625);  // tie -> even
  EXPECT_NEAR(b[2], 3.0e38, 3.0e38 * 1e-2);
}

TEST(Astype, ComplexToRealTakesRealPart) {
  mx::array c({mx::complex64_t(1.5f, 2.0f), mx::complex64_t(-3.0f, 4.0f)});
  mx::array f = mx::astype(c, mx::float32);
  EXPECT_EQ(f.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(f), (std::vector<double>{1.5, -3.0}));
  EXPECT_EQ(to_doubles(mx::astype(c, mx::int32)), (std::vector<double>{1, -3}));
  mx::array back = mx::astype(mx::array({2.5f}), mx::complex64);
  back.eval();
  EXPECT_EQ(back.data<mx::complex64_t>()[0], mx::complex64_t(2.5f, 0.0f));
}

TEST(Astype, WrapsOutOfRangeIntegers) {
  mx::array x({300, -129, 255}, mx::int64);
  EXPECT_EQ(to_doubles(mx::astype(x, mx::int8)), (std::vector<double>{44, 127, -1}));
  EXPECT_EQ(to_doubles(mx::astype(x, mx::uint8)), (std::vector<double>{44, 127, 255}));
}

TEST(Astype, EveryPairOfDtypes) {
  const std::vector<double> src{0, 1, 5, 2};
  for (mx::Dtype from : mx::all_dtypes) {
    mx::array a(src.begin(), {4}, from);
    for (mx::Dtype to : mx::all_dtypes) {
      mx::array b = mx::astype(a, to);
      EXPECT_EQ(b.dtype(), to);
      EXPECT_EQ(b.shape(), mx::Shape({4}));
      std::vector<double> expect = src;
      if (from == mx::bool_ || to == mx::bool_)
        for (auto& v : expect) v = v != 0 ? 1 : 0;
      EXPECT_EQ(to_doubles(b), expect) << from << " -> " << to;
    }
  }
}

TEST(Astype, SameDtypeAndExpressions) {
  mx::array a({1.25f, 2.5f});
  mx::array b = mx::astype(a, mx::float32);
  EXPECT_EQ(to_doubles(b), (std::vector<double>{1.25, 2.5}));
  // astype of an expression applies to its result.
  mx::array c = mx::astype(a * 2.0f, mx::int32);
  EXPECT_EQ(to_doubles(c), (std::vector<double>{2, 5}));
  mx::array d = mx::astype(mx::array({7, 9}) / 2, mx::int32);  // divide: float32 3.5, 4.5
  EXPECT_EQ(to_doubles(d), (std::vector<double>{3, 4}));
}

TEST(Copy, IsANewBufferWithTheSameValues) {
  mx::array a = iota_array({2, 3}, mx::float32);
  mx::array c = mx::copy(a);
  EXPECT_EQ(c.dtype(), a.dtype());
  EXPECT_EQ(c.shape(), a.shape());
  EXPECT_NE(c.id(), a.id());
  EXPECT_EQ(to_doubles(c), to_doubles(a));
  EXPECT_NE(static_cast<const void*>(c.data<float>()), static_cast<const void*>(a.data<float>()));

  mx::array i = mx::copy(mx::array({1, 2, 3}, mx::int8));
  EXPECT_EQ(i.dtype(), mx::int8);
  EXPECT_EQ(to_doubles(i), (std::vector<double>{1, 2, 3}));

  mx::array e = mx::copy(a + 1.0f);
  EXPECT_EQ(to_doubles(e), (std::vector<double>{2, 3, 4, 5, 6, 7}));
  mx::array z = mx::copy(mx::zeros({0}));
  EXPECT_EQ(z.size(), 0u);
}

}  // namespace
