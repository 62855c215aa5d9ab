// SPDX-License-Identifier: MIT
// Tests for to_fp8 / from_fp8 (ops/fp8.hpp): the value of every one of the 256 E4M3 codes
// against the format's definition and in every float dtype, the round trip of every code,
// round-to-nearest-even at every midpoint, saturation, NaN/inf, signed zeros, subnormals,
// float16/bfloat16/float64 inputs, a sweep of float32 inputs against an independent
// reference encoder, views and empty arrays, and the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

using mlxtest::to_doubles;
using V = std::vector<double>;

/// The E4M3 value of a code by the format's definition (bias 7, subnormals at exponent 0);
/// the NaN codes 0x7F / 0xFF read as +-480 in MLX's CPU and Metal kernels.
double code_value(int c) {
  const int e = (c >> 3) & 15, m = c & 7;
  const double mag = e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10);
  return (c & 0x80) ? -mag : mag;
}

/// An independent encoder: the code nearest to x (ties to the even code), magnitudes >= 448
/// and NaN saturating to +-448, the sign kept.
uint8_t reference_code(float x) {
  const uint8_t sign = std::signbit(x) ? 0x80 : 0x00;
  const double a = std::fabs(static_cast<double>(x));
  if (std::isnan(x) || a >= 448.0) return sign | 0x7E;
  int best = 0;
  for (int c = 1; c <= 0x7E; ++c) {
    const double d = std::fabs(code_value(c) - a), db = std::fabs(code_value(best) - a);
    if (d < db || (d == db && (c & 1) == 0)) best = c;
  }
  return static_cast<uint8_t>(sign | best);
}

std::vector<int> codes_of(const mx::array& x) {
  const V v = to_doubles(x);
  return std::vector<int>(v.begin(), v.end());
}

mx::array all_codes() {
  std::vector<uint8_t> c(256);
  for (int i = 0; i < 256; ++i) c[i] = static_cast<uint8_t>(i);
  return mx::array(c.begin(), mx::Shape{256}, mx::uint8);
}

TEST(FromFP8, EveryCodeInEveryFloatDtype) {
  for (mx::Dtype d : {mx::float32, mx::float16, mx::bfloat16, mx::float64}) {
    mx::array v = mx::from_fp8(all_codes(), d);
    ASSERT_EQ(v.dtype(), d);
    ASSERT_EQ(v.shape(), (mx::Shape{256}));
    const V got = to_doubles(v);
    for (int c = 0; c < 256; ++c) ASSERT_EQ(got[c], code_value(c)) << d << " code " << c;
  }
  // Bit patterns of landmarks (float32): max 448, min normal 2^-6, min subnormal 2^-9, -0.
  mx::array f = mx::from_fp8(mx::array({0x7E, 0x08, 0x01, 0x80, 0x38, 0xB8}, mx::uint8), mx::float32);
  f.eval();
  const float* p = f.data<float>();
  EXPECT_EQ(std::bit_cast<uint32_t>(p[0]), 0x43E00000u);  // 448
  EXPECT_EQ(std::bit_cast<uint32_t>(p[1]), 0x3C800000u);  // 2^-6
  EXPECT_EQ(std::bit_cast<uint32_t>(p[2]), 0x3B000000u);  // 2^-9
  EXPECT_EQ(std::bit_cast<uint32_t>(p[3]), 0x80000000u);  // -0
  EXPECT_EQ(p[4], 1.0f);
  EXPECT_EQ(p[5], -1.0f);
  // MLX's CPU/Metal decoding of the NaN codes: +-480, not NaN.
  EXPECT_EQ(to_doubles(mx::from_fp8(mx::array({0x7F, 0xFF}, mx::uint8), mx::float32)),
            (V{480, -480}));
}

TEST(ToFP8, EveryCodeRoundTrips) {
  for (mx::Dtype d : {mx::float32, mx::float16, mx::bfloat16, mx::float64}) {
    mx::array back = mx::to_fp8(mx::from_fp8(all_codes(), d));
    ASSERT_EQ(back.dtype(), mx::uint8);
    const auto got = codes_of(back);
    for (int c = 0; c < 256; ++c) {
      // 0x7F / 0xFF decode to +-480, which saturates to +-448.
      const int want = (c & 0x7F) == 0x7F ? (c & 0x80) | 0x7E : c;
      ASSERT_EQ(got[c], want) << d << " code " << c;
    }
  }
}

TEST(ToFP8, RoundsToNearestEvenAtEveryMidpoint) {
  // The midpoint between adjacent codes c and c+1 goes to the even one; a float32 step
  // either side goes to the nearer one. Covers subnormals (c < 8) and the normal range.
  std::vector<float> xs;
  std::vector<int> want;
  for (int c = 0; c < 0x7E; ++c) {
    const float mid = static_cast<float>((code_value(c) + code_value(c + 1)) / 2);
    const int even = (c % 2 == 0) ? c : c + 1;
    for (float sgn : {1.f, -1.f}) {
      const int s = sgn < 0 ? 0x80 : 0;
      xs.push_back(sgn * mid);
      want.push_back(s | even);
      xs.push_back(sgn * std::nextafter(mid, 0.f));
      want.push_back(s | c);
      xs.push_back(sgn * std::nextafter(mid, 1000.f));
      want.push_back(s | (c + 1));
    }
  }
  EXPECT_EQ(codes_of(mx::to_fp8(mx::array(xs.begin(), mx::Shape{static_cast<int>(xs.size())}))), want);
  // Spot values: 1.0625 is the tie between 1 (0x38) and 1.125 (0x39) -> 0x38; 1.1875 the tie
  // between 1.125 and 1.25 -> 0x3A; 2^-10 is half the smallest subnormal -> +0; 3 * 2^-10 ->
  // the tie between 2^-9 and 2^-8 -> 2 * 2^-9 (0x02).
  EXPECT_EQ(codes_of(mx::to_fp8(mx::array({1.0625f, 1.1875f, 0x1p-10f, 0x3p-10f, 0x1.8p-10f, -0x1p-10f}))),
            (std::vector<int>{0x38, 0x3A, 0x00, 0x02, 0x01, 0x80}));
}

TEST(ToFP8, SaturationNanInfAndZeros) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  mx::array x({448.f, 449.f, 464.f, 479.f, 480.f, 1e30f, inf, -448.f, -500.f, -inf, nan, -nan,
               0.f, -0.f, 384.f, 416.f, 432.f},
              mx::Shape{17});
  // 384 = 0x7C, 416 = 0x7D; 432 is the tie between 416 and 448 and goes to the even 0x7E.
  EXPECT_EQ(codes_of(mx::to_fp8(x)),
            (std::vector<int>{0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0xFE, 0xFE, 0xFE, 0x7E,
                              0xFE, 0x00, 0x80, 0x7C, 0x7D, 0x7E}));
  // Float32 subnormals and values far below 2^-10 go to a signed zero.
  mx::array tiny({1e-45f, -1e-45f, 1e-30f, 0x1.000002p-10f}, mx::Shape{4});
  EXPECT_EQ(codes_of(mx::to_fp8(tiny)), (std::vector<int>{0x00, 0x80, 0x00, 0x01}));
}

TEST(ToFP8, SweepAgainstReferenceEncoder) {
  // Every 16381st float32 bit pattern (both signs, all exponents, NaNs included), plus
  // float16 and bfloat16 inputs of the same values.
  std::vector<float> xs;
  for (uint64_t b = 0; b <= 0xFFFFFFFFull; b += 16381) xs.push_back(std::bit_cast<float>(static_cast<uint32_t>(b)));
  mx::array x(xs.begin(), mx::Shape{static_cast<int>(xs.size())});
  const auto got = codes_of(mx::to_fp8(x));
  for (size_t i = 0; i < xs.size(); ++i)
    ASSERT_EQ(got[i], reference_code(xs[i])) << std::hexfloat << xs[i];
  for (mx::Dtype d : {mx::float16, mx::bfloat16, mx::float64}) {
    mx::array y = mx::astype(x, d);
    const V yv = to_doubles(y);
    const auto gy = codes_of(mx::to_fp8(y));
    for (size_t i = 0; i < xs.size(); i += 7) {
      const float yi = std::isnan(xs[i]) ? xs[i] : static_cast<float>(yv[i]);
      ASSERT_EQ(gy[i], reference_code(yi)) << d << " " << std::hexfloat << xs[i];
    }
  }
}

TEST(FP8, ViewsShapesAndLaziness) {
  // A transposed view converts element by element in logical order; the shape is kept.
  mx::array m = mx::transpose(mx::array({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3}));
  mx::array c = mx::to_fp8(m);
  EXPECT_EQ(c.shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(to_doubles(mx::from_fp8(c, mx::float32)), (V{1, 4, 2, 5, 3, 6}));
  // Broadcast input, 0-d input, empty input.
  EXPECT_EQ(codes_of(mx::to_fp8(mx::broadcast_to(mx::array(-2.f), {3}))),
            (std::vector<int>{0xC0, 0xC0, 0xC0}));
  mx::array s = mx::to_fp8(mx::array(0.5f));
  EXPECT_EQ(s.shape(), mx::Shape{});
  EXPECT_EQ(codes_of(s), std::vector<int>{0x30});
  EXPECT_EQ(mx::from_fp8(mx::zeros({0, 4}, mx::uint8), mx::bfloat16).shape(), (mx::Shape{0, 4}));
  EXPECT_TRUE(to_doubles(mx::to_fp8(mx::zeros({2, 0}))).empty());
  // A large array goes through the thread pool in chunks.
  const int n = 300000;
  mx::array big = mx::from_fp8(mx::astype(mx::remainder(mx::arange(n), mx::array(256)), mx::uint8), mx::float32);
  const V bv = to_doubles(big);
  for (int i = 0; i < n; i += 997) ASSERT_EQ(bv[i], code_value(i % 256)) << i;
  EXPECT_EQ(to_doubles(mx::from_fp8(mx::to_fp8(big), mx::float32)),
            to_doubles(mx::from_fp8(mx::to_fp8(mx::from_fp8(mx::to_fp8(big), mx::float32)), mx::float32)));
}

TEST(FP8, Errors) {
  EXPECT_INVALID(mx::to_fp8(mx::array({1, 2})),
                 "[to_fp8] Only floating point inputs are supported but got int32.");
  EXPECT_INVALID(mx::to_fp8(mx::array({1, 2}, mx::uint8)),
                 "[to_fp8] Only floating point inputs are supported but got uint8.");
  EXPECT_INVALID(mx::to_fp8(mx::astype(mx::array({1.f}), mx::complex64)),
                 "[to_fp8] Only floating point inputs are supported but got complex64.");
  EXPECT_INVALID(mx::from_fp8(mx::array({1, 2}), mx::float32),
                 "[from_fp8] Input must be uint8 (E4M3 codes) but got int32.");
  EXPECT_INVALID(mx::from_fp8(mx::array({1.f}), mx::float32),
                 "[from_fp8] Input must be uint8 (E4M3 codes) but got float32.");
  EXPECT_INVALID(mx::from_fp8(mx::array({1}, mx::uint8), mx::int32),
                 "[from_fp8] Only floating point output types are supported but got int32.");
  EXPECT_INVALID(mx::from_fp8(mx::array({1}, mx::uint8), mx::complex64),
                 "[from_fp8] Only floating point output types are supported but got complex64.");
}

}  // namespace
