// SPDX-License-Identifier: MIT
// Tests for the elementwise ops other than float math (elementwise_math_test.cpp): rounding,
// complex parts, classification, bitwise and shifts, divmod, nan_to_num, clip, isclose,
// integer semantics, dtype promotion, shapes (empty, 0-d, broadcasting), long inputs and
// the error messages.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>

#include "elementwise_helpers.hpp"

namespace mlx::core {
namespace {

using test::expect_error;
using test::kInf;
using test::kNaN;
using test::make;
using test::values;

// Exact comparison that also matches NaN with NaN and the sign of zeros.
void expect_same(const std::vector<double>& got, const std::vector<double>& want,
                 const std::string& what = "") {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " [" << i << "]: " << got[i];
    } else {
      EXPECT_EQ(got[i], want[i]) << what << " [" << i << "]";
      EXPECT_EQ(std::signbit(got[i]), std::signbit(want[i])) << what << " sign of [" << i << "]";
    }
  }
}

const std::vector<Dtype> kFloatDtypes = {float16, bfloat16, float32, float64};
const std::vector<Dtype> kIntDtypes = {int8, int16, int32, int64, uint8, uint16, uint32, uint64};

// ---- arithmetic ------------------------------------------------------------------------

TEST(Elementwise, ArithmeticSpecialValues) {
  for (Dtype d : {float32, float64}) {  // float32 runs the SIMD path, float64 the scalar one
    const std::string tag = dtype_to_string(d);
    array x = make({0, -0.0, 1.5, -2, kInf, kNaN}, d);
    expect_same(values(negative(x)), {-0.0, 0, -1.5, 2, -kInf, kNaN}, "negative " + tag);
    expect_same(values(abs(x)), {0, 0, 1.5, 2, kInf, kNaN}, "abs " + tag);
    expect_same(values(square(x)), {0, 0, 2.25, 4, kInf, kNaN}, "square " + tag);
    expect_same(values(reciprocal(x)), {kInf, -kInf, values(make({1 / 1.5}, d))[0], -0.5, 0, kNaN},
                "reciprocal " + tag);
    // maximum/minimum propagate NaN from either side.
    array y = make({1, kNaN, kNaN, 3}, d), z = make({kNaN, 2, kNaN, -1}, d);
    expect_same(values(maximum(y, z)), {kNaN, kNaN, kNaN, 3}, "maximum " + tag);
    expect_same(values(minimum(y, z)), {kNaN, kNaN, kNaN, -1}, "minimum " + tag);
    // power: C's special cases, exact small integer powers.
    array b = make({0, 0, -0.0, 1, kInf, -2, 10, 2, -8}, d);
    array e = make({0, -1, -1, kNaN, 0, 3, 10, 0.5, 1.0 / 3}, d);
    auto p = values(power(b, e));
    auto bi = values(b), ei = values(e);
    for (size_t i = 0; i < p.size(); ++i) {
      double want = values(make({std::pow(bi[i], ei[i])}, d))[0];
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(p[i])) << tag << " pow(" << bi[i] << ", " << ei[i] << ")";
      } else {
        EXPECT_EQ(p[i], want) << tag << " pow(" << bi[i] << ", " << ei[i] << ")";
      }
    }
    // remainder is exact (fmod) and keeps the divisor's sign, including -0.
    const double m37 = values(make({-3.7}, d))[0];
    const double r37 = values(make({std::fmod(100.0, m37) + m37}, d))[0];
    expect_same(
        values(remainder(make({-100, 100, 5.5, -0.0, 1}, d), make({-100, m37, 2, 3, kInf}, d))),
        {-0.0, r37, 1.5, 0, 1}, "remainder " + tag);
  }
  // Integer square wraps; unsigned abs is the identity.
  expect_same(values(square(array({12, -12}, int8))), {-112, -112});
  expect_same(values(abs(array({200}, uint8))), {200});
  EXPECT_EQ(values<complex64_t>(square(array(complex64_t(1, 2))))[0], complex64_t(-3, 4));
}

// ---- rounding ----------------------------------------------------------------------------

TEST(Elementwise, FloorCeilRound) {
  const std::vector<double> x = {-2.5, -1.5, -0.5, -0.4, -0.0, 0.0,  0.4,   0.5,
                                 1.5,  2.5,  2.6,  -2.6, 1e30, kInf, -kInf, kNaN};
  std::vector<double> fl, ce, ro;
  for (double v : x) {
    fl.push_back(std::floor(v));
    ce.push_back(std::ceil(v));
    ro.push_back(std::nearbyint(v));  // half to even: -2, -2, -0, -0, ..., 0, 2, 2
  }
  for (Dtype d : {float32, float64, float16, bfloat16}) {
    array a = make(x, d);
    auto xin = values(a);
    std::vector<double> f2, c2, r2;
    for (double v : xin)
      f2.push_back(std::floor(v)), c2.push_back(std::ceil(v)), r2.push_back(std::nearbyint(v));
    EXPECT_EQ(floor(a).dtype(), d);
    expect_same(values(floor(a)), f2, "floor");
    expect_same(values(ceil(a)), c2, "ceil");
    expect_same(values(round(a)), r2, "round");
  }
  expect_same(values(round(make(x))), values(make(ro)), "round half to even");
  // Integers and bool are unchanged (and keep their dtype).
  for (Dtype d : kIntDtypes) {
    array a = make({0, 1, 7, 100}, d);
    for (auto r : {array(floor(a)), array(ceil(a)), array(round(a)), array(round(a, 2))}) {
      EXPECT_EQ(r.dtype(), d);
      expect_same(values(r), {0, 1, 7, 100});
    }
  }
  EXPECT_EQ(floor(array({true, false})).dtype(), bool_);
  // Complex: round part by part; floor and ceil reject it.
  array z(complex64_t(2.5f, -1.5f));
  EXPECT_EQ(values<complex64_t>(round(z))[0], complex64_t(2.0f, -2.0f));
  expect_error([&] { (void)floor(z); }, {"[floor]", "complex64"});
  expect_error([&] { (void)ceil(z); }, {"[ceil]", "complex64"});
}

TEST(Elementwise, RoundDecimals) {
  array a = make({1.2345, -1.2355, 2.5, 0.125, 1234.5, -0.001});
  auto two = values(round(a, 2));
  EXPECT_NEAR(two[0], 1.23, 1e-6);
  EXPECT_NEAR(two[1], -1.24, 1e-6);
  EXPECT_NEAR(two[3], 0.12, 1e-6);    // 12.5 rounds to even
  EXPECT_TRUE(std::signbit(two[5]));  // -0.001 rounds to -0
  auto neg = values(round(a, -1));
  expect_same({neg[0], neg[2], neg[4]}, {0, 0, 1230});  // 123.45 -> 123 -> 1230
  auto neg2 = values(round(make({250, 350, -250, 149.9}, float64), -2));
  expect_same(neg2, {200, 400, -200, 100});
  EXPECT_EQ(round(a, 3).dtype(), float32);
  array h = make({1.2345, 65000}, float16);
  EXPECT_EQ(round(h, 2).dtype(), float16);
  EXPECT_NEAR(values(round(h, 2))[0], 1.23, 1e-3);
  // 65000 is 64992 in float16; scaled in float32 (no float16 overflow), 65000 rounds back.
  EXPECT_EQ(values(round(h, -3))[1], values(make({65000}, float16))[0]);
  // Integers: exact, half to even on multiples of 10^-decimals; too large a power gives 0.
  array i = array({125, 135, -125, -135, 1249, 5, 15, INT_MAX}, int32);
  array r = round(i, -1);
  EXPECT_EQ(r.dtype(), int32);
  expect_same(values(r), {120, 140, -120, -140, 1250, 0, 20, 2147483650.0 - 4294967296.0});
  expect_same(values(round(array({12345}, int64), -3)), {12000});
  expect_same(values(round(array({100, -128}, int8), -3)), {0, 0});
  expect_same(values(round(array({true}), -1)), {0});
  // Complex with decimals rounds both parts.
  auto z = values<complex64_t>(round(array(complex64_t(1.26f, -2.34f)), 1))[0];
  EXPECT_NEAR(z.real(), 1.3, 1e-6);
  EXPECT_NEAR(z.imag(), -2.3, 1e-6);
}

// ---- complex parts -----------------------------------------------------------------------

TEST(Elementwise, ConjugateRealImag) {
  const std::vector<complex64_t> zs = {{1, 2}, {-3, -4}, {0, -0.0f}};
  array z(zs.begin(), Shape{3});
  array c = conjugate(z);
  EXPECT_EQ(c.dtype(), complex64);
  EXPECT_EQ(values<complex64_t>(c)[1], complex64_t(-3, 4));
  array re = real(z), im = imag(z);
  EXPECT_EQ(re.dtype(), float32);
  EXPECT_EQ(im.dtype(), float32);
  expect_same(values(re), {1, -3, 0});
  expect_same(values(im), {2, -4, -0.0});
  // Real inputs: conjugate and real are the identity, imag is zeros, dtypes kept.
  for (Dtype d : {float32, float16, float64, int32, uint8, bool_}) {
    array x = make({1, 0, 1}, d);
    EXPECT_EQ(conjugate(x).dtype(), d);
    EXPECT_EQ(real(x).dtype(), d);
    EXPECT_EQ(imag(x).dtype(), d);
    expect_same(values(real(x)), {1, 0, 1});
    expect_same(values(imag(x)), {0, 0, 0});
  }
  // abs of complex is float32 (MLX), stop_gradient is the identity.
  array m = abs(z);
  EXPECT_EQ(m.dtype(), float32);
  EXPECT_NEAR(values(m)[1], 5.0, 1e-6);
  expect_same(values(stop_gradient(make({1.5, -2}))), {1.5, -2});
  EXPECT_EQ(stop_gradient(array({1}, int8)).dtype(), int8);
  // Fused: real(z * conj(z)) == |z|^2.
  expect_same(values(real(z * conjugate(z))), {5, 25, 0});
}

// ---- classification ----------------------------------------------------------------------

TEST(Elementwise, Predicates) {
  const std::vector<double> x = {0, -0.0, 1, -1, kInf, -kInf, kNaN, 1e30};
  for (Dtype d : kFloatDtypes) {
    array a = make(x, d);
    for (auto r : {array(isnan(a)), array(isinf(a)), array(isfinite(a)), array(isposinf(a)),
                   array(isneginf(a))})
      EXPECT_EQ(r.dtype(), bool_);
    const bool big_is_inf = d == float16;  // 1e30 overflows float16
    expect_same(values(isnan(a)), {0, 0, 0, 0, 0, 0, 1, 0}, "isnan");
    expect_same(values(isinf(a)), {0, 0, 0, 0, 1, 1, 0, double(big_is_inf)}, "isinf");
    expect_same(values(isfinite(a)), {1, 1, 1, 1, 0, 0, 0, double(!big_is_inf)}, "isfinite");
    expect_same(values(isposinf(a)), {0, 0, 0, 0, 1, 0, 0, double(big_is_inf)}, "isposinf");
    expect_same(values(isneginf(a)), {0, 0, 0, 0, 0, 1, 0, 0}, "isneginf");
  }
  for (Dtype d : kIntDtypes) {
    array a = make({0, 1, 100}, d);
    expect_same(values(isnan(a)), {0, 0, 0});
    expect_same(values(isinf(a)), {0, 0, 0});
    expect_same(values(isposinf(a)), {0, 0, 0});
    expect_same(values(isneginf(a)), {0, 0, 0});
    expect_same(values(isfinite(a)), {1, 1, 1});
  }
  expect_same(values(isfinite(array({true, false}))), {1, 1});
  // Complex: NaN or infinite when either part is.
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  const std::vector<complex64_t> zs = {{1, 2}, {inf, 0}, {0, -inf}, {nan, 1}, {1, nan}};
  array z(zs.begin(), Shape{5});
  expect_same(values(isnan(z)), {0, 0, 0, 1, 1});
  expect_same(values(isinf(z)), {0, 1, 1, 0, 0});
  expect_same(values(isfinite(z)), {1, 0, 0, 0, 0});
  expect_error([&] { (void)isposinf(z); }, {"[isposinf]", "complex64"});
  // Fused with arithmetic: isnan(0 * inf).
  expect_same(values(isnan(make({0, 1}) * kInf)), {1, 0});
}

TEST(Elementwise, NanToNum) {
  const std::vector<double> x = {kNaN, kInf, -kInf, 1.5, -0.0};
  for (Dtype d : kFloatDtypes) {
    array r = nan_to_num(make(x, d));
    EXPECT_EQ(r.dtype(), d);
    finfo f(d);
    expect_same(values(r), {0, f.max, f.min, values(make({1.5}, d))[0], -0.0}, dtype_to_string(d));
    expect_same(values(nan_to_num(make(x, d), 7.0f, 8.0f, -9.0f)),
                {7, 8, -9, values(make({1.5}, d))[0], -0.0});
  }
  // Only some of the replacements given.
  expect_same(values(nan_to_num(make(x), -1.0f, std::nullopt, 3.0f)),
              {-1, std::numeric_limits<float>::max(), 3, 1.5, -0.0});
  // Integers are unchanged.
  array i = array({1, -2, 3}, int16);
  EXPECT_EQ(nan_to_num(i).dtype(), int16);
  expect_same(values(nan_to_num(i)), {1, -2, 3});
  // Complex: each part separately.
  const float inf = std::numeric_limits<float>::infinity();
  array z(complex64_t(std::nanf(""), -inf));
  auto w = values<complex64_t>(nan_to_num(z, 1.0f))[0];
  EXPECT_EQ(w, complex64_t(1.0f, std::numeric_limits<float>::lowest()));
  // Fuses with what it reads: nan_to_num(log(x)).
  expect_same(values(nan_to_num(log(make({-1, 0, 1})))),
              {0, std::numeric_limits<float>::lowest(), 0});
}

// ---- binary: bitwise and shifts ----------------------------------------------------------

TEST(Elementwise, BitwiseOps) {
  array a = array({12, -1, 0, 5}, int32), b = array({10, 7, -1, 3}, int32);
  EXPECT_EQ(bitwise_and(a, b).dtype(), int32);
  expect_same(values(a & b), {8, 7, 0, 1});
  expect_same(values(a | b), {14, -1, -1, 7});
  expect_same(values(a ^ b), {6, -8, -1, 6});
  expect_same(values(bitwise_or(a, 16)), {28, -1, 16, 21});
  expect_same(values(~a), {-13, 0, -1, -6});
  // Narrow and unsigned types wrap to their own width.
  array u = array({0, 1, 255}, uint8);
  EXPECT_EQ((~u).dtype(), uint8);
  expect_same(values(~u), {255, 254, 0});
  array s8 = array({127, -128}, int8);
  expect_same(values(bitwise_xor(s8, array({-1}, int8))), {-128, 127});
  array big = array({std::numeric_limits<uint64_t>::max(), uint64_t{1} << 63});
  EXPECT_EQ((big & big).dtype(), uint64);
  EXPECT_EQ(values<uint64_t>(~big)[1], (uint64_t{1} << 63) - 1);
  EXPECT_EQ(values<uint64_t>(big >> uint64_t{60})[0], 15u);
  // Bool: bitwise ops stay bool; ~ is logical not.
  array t = array({true, true, false}), f = array({true, false, false});
  EXPECT_EQ((t & f).dtype(), bool_);
  expect_same(values(t & f), {1, 0, 0});
  expect_same(values(t | f), {1, 1, 0});
  expect_same(values(t ^ f), {0, 1, 0});
  EXPECT_EQ((~t).dtype(), bool_);
  expect_same(values(~t), {0, 0, 1});
  // Promotion: int8 & uint8 -> int16.
  EXPECT_EQ((array({1}, int8) & array({1}, uint8)).dtype(), int16);
}

TEST(Elementwise, Shifts) {
  array a = array({1, -8, 3, 1}, int32);
  array n = array({3, 1, 31, 32}, int32);
  EXPECT_EQ(left_shift(a, n).dtype(), int32);
  expect_same(values(a << n), {8, -16, double(int32_t(uint32_t(3) << 31)), 0});
  expect_same(values(a >> n), {0, -4, 0, 0});
  expect_same(values(array({-8, -1}, int32) >> 40), {-1, -1});  // arithmetic, saturating
  expect_same(values(array({5}, int64) << -1), {0});            // negative amount
  expect_same(values(array({5}, int64) << 64), {0});
  expect_same(values(array({int64_t{1}}, int64) << 62), {std::ldexp(1.0, 62)});
  // int8 wraps: 64 << 1 == -128; uint8 >> keeps zeros.
  expect_same(values(array({64, 1}, int8) << array({1, 7}, int8)), {-128, -128});
  expect_same(values(array({200}, uint8) >> array({1}, uint8)), {100});
  // Bool << bool is uint8 (MLX): true << true == 2.
  array t = array({true, false});
  array r = t << t;
  EXPECT_EQ(r.dtype(), uint8);
  expect_same(values(r), {2, 0});
  EXPECT_EQ((t >> t).dtype(), uint8);
  // Scalars on either side; the C++ int is int32.
  EXPECT_EQ((1 << array({2}, uint8)).dtype(), int32);
  expect_same(values(1 << array({2, 4}, uint8)), {4, 16});
  // Streams still work (the operators only take arrays, expressions and scalars).
  std::ostringstream os;
  os << (a << 1) << ' ' << a;
  EXPECT_NE(os.str().find("array([2, -16, 6, 2], dtype=int32)"), std::string::npos) << os.str();
}

// ---- binary: divmod, clip, isclose -------------------------------------------------------

TEST(Elementwise, Divmod) {
  auto qr = divmod(array({7, -7, 7, -7, 0}, int32), array({2, 2, -2, -2, 3}, int32));
  ASSERT_EQ(qr.size(), 2u);
  EXPECT_EQ(qr[0].dtype(), int32);
  expect_same(values(qr[0]), {3, -4, -4, 3, 0});
  expect_same(values(qr[1]), {1, 1, -1, -1, 0});
  auto fr = divmod(make({7.5, -7.5}), 2.0f);
  expect_same(values(fr[0]), {3, -4});
  expect_same(values(fr[1]), {1.5, 0.5});
  EXPECT_EQ(fr[0].dtype(), float32);
  array z(complex64_t(1, 1));
  expect_error([&] { (void)divmod(z, z); }, {"[divmod]", "Complex"});
}

TEST(Elementwise, Clip) {
  array a = make({-2, -0.5, 0.5, 2, kNaN});
  expect_same(values(clip(a, array(-1.0f), array(1.0f))), {-1, -0.5, 0.5, 1, kNaN});
  expect_same(values(clip(a, array(0.0f), std::nullopt)), {0, 0, 0.5, 2, kNaN});
  expect_same(values(clip(a, std::nullopt, array(0.0f))), {-2, -0.5, 0, 0, kNaN});
  // Infinite inputs stay when their side has no bound.
  expect_same(values(clip(make({-kInf, kInf}), std::nullopt, array(1.0f))), {-kInf, 1});
  // Bounds broadcast and promote: int32 input with float bounds gives float32.
  array i = array({1, 5, 9, -3, 4, 12}, {2, 3}, int32);
  array lo = array({0, 2, 4}, int32);
  array r = clip(i, lo, array(8, int32));
  EXPECT_EQ(r.dtype(), int32);
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  expect_same(values(r), {1, 5, 8, 0, 4, 8});
  EXPECT_EQ(clip(i, array(0.5f), std::nullopt).dtype(), float32);
  expect_same(values(clip(array({100, -100}, int8), array(-5, int8), std::nullopt)), {100, -5});
  expect_same(
      values(clip(array({std::numeric_limits<uint64_t>::max()}), std::nullopt, array(uint64_t{7}))),
      {7});
  // An expression as the input.
  expect_same(values(clip(a * 10.0f, array(-3.0f), array(3.0f))), {-3, -3, 3, 3, kNaN});
  expect_error([&] { (void)clip(a, std::nullopt, std::nullopt); },
               {"[clip]", "At most one of a_min and a_max may be None"});
}

TEST(Elementwise, IsClose) {
  array a = make({1, 1, 0, kInf, kInf, -kInf, kNaN, 1e-9, 1, 1});
  array b = make({1 + 1e-6, 1.1, 1e-9, kInf, -kInf, -kInf, kNaN, 0, kInf, kNaN});
  array r = isclose(a, b);
  EXPECT_EQ(r.dtype(), bool_);
  expect_same(values(r), {1, 0, 1, 1, 0, 1, 0, 1, 0, 0});
  expect_same(values(isclose(a, b, 1e-5, 1e-8, true)), {1, 0, 1, 1, 0, 1, 1, 1, 0, 0});
  // rtol scales with |b|; atol = 0 makes tiny differences count.
  expect_same(values(isclose(make({100, 100}), make({100.5, 101.5}), 1e-2, 0)), {1, 0});
  expect_same(values(isclose(make({0}), make({1e-9}), 0, 0)), {0});
  // Mixed dtypes, ints, broadcasting, scalars.
  expect_same(values(isclose(array({1, 2, 3}, int32), array({1, 3, 3}, int64))), {1, 0, 1});
  EXPECT_EQ(isclose(array({1}, int32), 1.0f).shape(), (Shape{1}));
  EXPECT_EQ(isclose(make({1, 2}, float16), make({1, 2}, bfloat16)).dtype(), bool_);
  EXPECT_EQ(isclose(array({1.0f}, {1, 1}), make({1, 2, 3})).shape(), (Shape{1, 3}));
  expect_same(
      values(isclose(make({1, 2, 3}, float64), make({1, 2 + 1e-12, 3.1}, float64), 1e-9, 0)),
      {1, 1, 0});
  // Complex.
  const std::vector<complex64_t> z1 = {{1, 1}, {1, 1}}, z2 = {{1, 1.000001f}, {1, 2}};
  expect_same(values(isclose(array(z1.begin(), Shape{2}), array(z2.begin(), Shape{2}))), {1, 0});
}

// ---- integer semantics -------------------------------------------------------------------

TEST(Elementwise, IntegerSemantics) {
  // int8 overflow wraps.
  array i8 = array({127, -128, 100}, int8);
  EXPECT_EQ((i8 + i8).dtype(), int8);
  expect_same(values(i8 + array({1, -1, 100}, int8)), {-128, 127, -56});
  expect_same(values(i8 * array({2, 2, 3}, int8)), {-2, 0, 44});
  expect_same(values(-array({-128}, int8)), {-128});
  // Python-style floor division and remainder signs.
  array a = array({7, -7, 7, -7}, int32), b = array({3, 3, -3, -3}, int32);
  expect_same(values(floor_divide(a, b)), {2, -3, -3, 2});
  expect_same(values(a % b), {1, 2, -2, -1});
  expect_same(values(make({7, -7, 7, -7}) % make({3, 3, -3, -3})), {1, 2, -2, -1});
  expect_same(values(floor_divide(make({7, -7}), make({2, 2}))), {3, -4});
  // Division by zero: integers give 0 (NumPy), floats give inf/NaN.
  expect_same(values(floor_divide(array({5, -5, 0}, int32), array({0, 0, 0}, int32))), {0, 0, 0});
  expect_same(values(remainder(array({5, -5}, int32), array({0, 0}, int32))), {0, 0});
  expect_same(values(array({5, -5, 0}, int32) / array({0, 0, 0}, int32)), {kInf, -kInf, kNaN});
  // INT_MIN // -1 wraps instead of trapping; INT_MIN % -1 == 0.
  array mn = array({INT_MIN, std::numeric_limits<int32_t>::min()}, int32);
  expect_same(values(floor_divide(mn, array({-1, 1}, int32))), {double(INT_MIN), double(INT_MIN)});
  expect_same(values(remainder(mn, array({-1}, int32))), {0, 0});
  array mn64 = array({std::numeric_limits<int64_t>::min()});
  EXPECT_EQ(values<int64_t>(floor_divide(mn64, int64_t{-1}))[0],
            std::numeric_limits<int64_t>::min());
  // Unsigned: no sign games; uint8 wraps.
  expect_same(values(array({250}, uint8) + array({10}, uint8)), {4});
  expect_same(values(floor_divide(array({7}, uint32), array({2}, uint32))), {3});
}

// ---- dtype promotion ---------------------------------------------------------------------

TEST(Elementwise, PromotionFollowsMlx) {
  array i32 = array({1, 2}, int32), f16 = make({1, 2}, float16), bf = make({1, 2}, bfloat16);
  EXPECT_EQ((i32 / i32).dtype(), float32);
  EXPECT_EQ(exp(i32).dtype(), float32);
  EXPECT_EQ(exp(array({true})).dtype(), float32);
  EXPECT_EQ((f16 * 2).dtype(), float16);     // int32 scalar keeps float16
  EXPECT_EQ((f16 * 2.0f).dtype(), float32);  // a float scalar is float32 (C++ MLX)
  EXPECT_EQ((i32 * 2.0).dtype(), float32);   // a double scalar is float32
  EXPECT_EQ((f16 + bf).dtype(), float32);
  EXPECT_EQ((bf * 3).dtype(), bfloat16);
  EXPECT_EQ((array({1}, uint64) + array({1}, int64)).dtype(), float32);
  EXPECT_EQ((array({1}, uint8) + array({1}, int8)).dtype(), int16);
  EXPECT_EQ((make({1}, float64) * 2.0f).dtype(), float64);
  EXPECT_EQ(sqrt(f16).dtype(), float16);
  EXPECT_EQ(logaddexp(i32, f16).dtype(), float16);
  EXPECT_EQ((i32 == f16).dtype(), bool_);
  EXPECT_EQ(maximum(array({1}, int8), array({1}, uint16)).dtype(), int32);
  EXPECT_EQ(abs(array({-1}, int8)).dtype(), int8);
  EXPECT_EQ((array({true}) + array({true})).dtype(), bool_);
  EXPECT_EQ(square(array({3}, int16)).dtype(), int16);
  EXPECT_EQ((array(complex64_t(1, 0)) * 2.0).dtype(), complex64);
  // Values in mixed dtypes are computed in the promoted type.
  expect_same(values(array({1, 2}, int32) / array({2, 4}, int32)), {0.5, 0.5});
  expect_same(values(array({200}, uint8) + array({100}, int16)), {300});
}

// ---- shapes ------------------------------------------------------------------------------

TEST(Elementwise, EmptyZeroDimAndBroadcast) {
  // Empty arrays: shape and dtype follow the rules; nothing to compute.
  array e = array(std::initializer_list<float>{});
  EXPECT_EQ(e.size(), 0u);
  for (auto r : {array(exp(e)), array(e + e), array(isnan(e)), array(arctan2(e, e)),
                 array(clip(e, array(0.0f), std::nullopt)), array(isclose(e, e))})
    EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(array(isnan(e)).dtype(), bool_);
  array e2 = array(std::initializer_list<float>{}, Shape{0, 3});
  EXPECT_EQ(array(e2 * make({1, 2, 3})).shape(), (Shape{0, 3}));
  // 0-d arrays.
  array s(2.0f);
  array r = sqrt(s) * logaddexp(s, s);
  EXPECT_EQ(r.ndim(), 0u);
  EXPECT_NEAR(r.item<float>(), std::sqrt(2.0) * (2 + std::log(2.0)), 1e-5);
  EXPECT_EQ(array(isinf(s)).ndim(), 0u);
  EXPECT_EQ(array(array(7, int32) >> 1).item<int>(), 3);
  // (2,3) + (3,) and (2,1) * (1,3).
  array m = array({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, Shape{2, 3});
  array v = make({10, 20, 30});
  array sum = m + v;
  EXPECT_EQ(sum.shape(), (Shape{2, 3}));
  expect_same(values(sum), {11, 22, 33, 14, 25, 36});
  array col = array({1.f, 2.f}, Shape{2, 1}), row = array({1.f, 10.f, 100.f}, Shape{1, 3});
  array outer = col * row;
  EXPECT_EQ(outer.shape(), (Shape{2, 3}));
  expect_same(values(outer), {1, 10, 100, 2, 20, 200});
  expect_same(values(arctan2(col, row) > 0.5f), {1, 0, 0, 1, 0, 0});
  expect_same(values(bitwise_and(array({1, 3}, Shape{2, 1}, int32), array({1, 2, 3}, int32))),
              {1, 0, 1, 1, 2, 3});
  expect_same(values(where(col > 1.5f, row, -row)), {-1, -10, -100, 1, 10, 100});
}

TEST(Elementwise, AllLengthsAndLargeArrays) {
  // Every length up to 40 goes through the SIMD body and the padded tail.
  for (int n = 1; n <= 40; ++n) {
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i) x[i] = 0.1 * i - 1.7;
    auto got = values(logaddexp(sin(make(x)), make(x) * 0.5f));
    for (int i = 0; i < n; ++i) {
      float xf = static_cast<float>(x[i]);
      double s = std::sin(double(xf)), h = double(xf) * 0.5;
      double want = std::max(s, h) + std::log1p(std::exp(-std::abs(s - h)));
      EXPECT_NEAR(got[i], want, 4e-6 * std::max(1.0, std::abs(want))) << "n=" << n << " i=" << i;
    }
  }
  // 1000003 elements (the 2-thread path) of a fused float op, and of an integer op.
  const int n = 1000003;
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = static_cast<float>(i % 1000) * 0.01f - 5.0f;
  array a(x.begin(), Shape{n});
  auto got = values<float>(erf(a) * 2.0f + expm1(a * 0.1f));
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    double want = 2 * std::erf(double(x[i])) + std::expm1(double(x[i] * 0.1f));
    if (std::abs(got[i] - want) > 1e-5 * std::max(1.0, std::abs(want))) ++bad;
  }
  EXPECT_EQ(bad, 0);
  std::vector<int32_t> k(n);
  for (int i = 0; i < n; ++i) k[i] = i - n / 2;
  auto q = values<int64_t>(floor_divide(array(k.begin(), Shape{n}), 7) ^ 3);
  for (int i = 0; i < n; i += 997) {
    int64_t fd = k[i] / 7 - ((k[i] % 7 != 0) && (k[i] < 0));
    EXPECT_EQ(q[i], fd ^ 3) << i;
  }
}

// ---- errors ------------------------------------------------------------------------------

TEST(Elementwise, ErrorTable) {
  array f = make({1, 2}), i = array({1, 2}, int32), t = array({true, false});
  array m23 = array({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, Shape{2, 3}), v4 = make({1, 2, 3, 4});
  struct Case {
    const char* op;
    std::function<void()> fn;
  };
  const std::vector<Case> dtype_errors = {
      {"[bitwise_and]", [&] { (void)bitwise_and(f, f); }},
      {"[bitwise_or]", [&] { (void)(f | i); }},
      {"[bitwise_xor]", [&] { (void)(i ^ 1.5f); }},
      {"[left_shift]", [&] { (void)(f << 1); }},
      {"[right_shift]", [&] { (void)right_shift(i, f); }},
      {"[bitwise_invert]", [&] { (void)~f; }},
      {"[negative]", [&] { (void)-t; }},
      {"[erfinv]", [&] { (void)erfinv(array(complex64_t(1, 1))); }},
      {"[isneginf]", [&] { (void)isneginf(array(complex64_t(1, 1))); }},
      {"[maximum]", [&] { (void)maximum(array(complex64_t(1, 1)), f); }},
      {"[clip]", [&] { (void)clip(array(complex64_t(1, 1)), array(0.0f), std::nullopt); }},
      {"[clip]", [&] { (void)clip(f, std::nullopt, std::nullopt); }},
      {"[divmod]", [&] { (void)divmod(array(complex64_t(1, 1)), f); }},
      {"[remainder]", [&] { (void)(array(complex64_t(1, 1)) % f); }},
      {"[floor]", [&] { (void)floor(array(complex64_t(1, 1))); }},
  };
  for (const auto& c : dtype_errors) expect_error(c.fn, {c.op});
  // Shape errors name the op and both shapes.
  const std::vector<Case> shape_errors = {
      {"[add]", [&] { (void)(m23 + v4); }},
      {"[arctan2]", [&] { (void)arctan2(m23, v4); }},
      {"[logaddexp]", [&] { (void)logaddexp(m23, v4); }},
      {"[bitwise_and]",
       [&] {
         (void)(array({1, 2, 3, 4, 5, 6}, {2, 3}, int32) & array({1, 2, 3, 4}, int32));
       }},
      {"[left_shift]",
       [&] {
         (void)left_shift(array({1, 2, 3, 4, 5, 6}, {2, 3}, int32), array({1, 2, 3, 4}, int32));
       }},
      {"[isclose]", [&] { (void)isclose(m23, v4); }},
      {"[clip]", [&] { (void)clip(m23, v4, std::nullopt); }},
      {"[divmod]", [&] { (void)divmod(m23, v4); }},
  };
  for (const auto& c : shape_errors) expect_error(c.fn, {c.op, "(2,3)", "(4,)"});
}

}  // namespace
}  // namespace mlx::core

namespace mlx::core {
namespace {

// Regression: an integer `where` read a float condition by truncation (0.5 became false).
TEST(Elementwise, WhereReadsFloatConditionAsBool) {
  array c({0.5f, -0.25f, 2.0f, 0.0f, NAN});
  array r = where(c, 1, 2);
  EXPECT_EQ(r.dtype(), int32);
  EXPECT_EQ(values(r), (std::vector<double>{1, 1, 1, 2, 1}));
  array f = where(c, 1.0f, 2.0f);  // float compute (the SIMD path)
  EXPECT_EQ(values(f), (std::vector<double>{1, 1, 1, 2, 1}));
}

// Regression: xsimd compares batches with ordered predicates, so NaN != NaN was false.
TEST(Elementwise, NotEqualIsTrueForNaNOnEveryPath) {
  std::vector<float> v(40, NAN);
  array a(v.begin(), {40});
  array ne = not_equal(a, a);
  for (double x : values(ne)) EXPECT_EQ(x, 1.0);
  array ne64 = not_equal(astype(a, float64), astype(a, float64));
  for (double x : values(ne64)) EXPECT_EQ(x, 1.0);
}

}  // namespace
}  // namespace mlx::core
