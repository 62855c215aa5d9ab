// SPDX-License-Identifier: MIT
// Tests for half.hpp: float16_t / bfloat16_t conversions, rounding, limits, operators, bulk.
#include "mlx/core/half.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <type_traits>
#include <vector>

namespace mlx::core {
namespace {

uint32_t bits_of(float f) { return std::bit_cast<uint32_t>(f); }

static_assert(sizeof(float16_t) == 2 && sizeof(bfloat16_t) == 2);
static_assert(std::is_trivially_copyable_v<float16_t> && std::is_trivially_copyable_v<bfloat16_t>);
static_assert(std::is_standard_layout_v<float16_t> && std::is_trivial_v<bfloat16_t>);
static_assert(std::is_convertible_v<float, float16_t> && std::is_convertible_v<float16_t, float>);
static_assert(std::is_convertible_v<int, bfloat16_t> && std::is_convertible_v<double, float16_t>);
static_assert(float16_t(1.0f).bits == 0x3c00 && bfloat16_t(1.0f).bits == 0x3f80);
static_assert(float16_t(0.5).bits == 0x3800 && bfloat16_t(-2).bits == 0xc000);
static_assert(static_cast<float>(float16_t::from_bits(0x3555)) == 0x1.554p-2f);

template <class H>
class HalfTest : public ::testing::Test {};
using HalfTypes = ::testing::Types<float16_t, bfloat16_t>;
TYPED_TEST_SUITE(HalfTest, HalfTypes);

template <class H>
bool is_nan_bits(uint16_t b) {
  return std::is_same_v<H, float16_t> ? (b & 0x7fffu) > 0x7c00u : (b & 0x7fffu) > 0x7f80u;
}

TYPED_TEST(HalfTest, ExhaustiveRoundTrip) {
  using H = TypeParam;
  for (uint32_t b = 0; b < 65536; ++b) {
    const H h = H::from_bits(static_cast<uint16_t>(b));
    const float f = h;
    if (is_nan_bits<H>(static_cast<uint16_t>(b))) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << b;
      ASSERT_TRUE(is_nan_bits<H>(H(f).bits)) << std::hex << b;
      ASSERT_TRUE(is_nan_bits<H>(H(static_cast<double>(f)).bits)) << std::hex << b;
      ASSERT_EQ(H(f).bits & 0x8000u, b & 0x8000u);  // sign kept
      continue;
    }
    ASSERT_EQ(H(f).bits, b) << std::hex << b;
    ASSERT_EQ(H(static_cast<double>(f)).bits, b) << std::hex << b;
    if (f == std::trunc(f) && std::fabs(f) < 9e18f) {
      ASSERT_EQ(H(static_cast<int64_t>(f)).bits & 0x7fffu, b & 0x7fffu) << std::hex << b;
    }
  }
}

TYPED_TEST(HalfTest, NearestEvenAgainstNeighbours) {
  // For random doubles, the result must be a nearest representable value, ties to even.
  using H = TypeParam;
  std::mt19937_64 rng(42);
  constexpr int digits = std::numeric_limits<H>::digits;
  constexpr int emin = std::is_same_v<H, float16_t> ? -27 : -136;
  constexpr int emax = std::is_same_v<H, float16_t> ? 16 : 128;
  const double maxv = static_cast<float>(std::numeric_limits<H>::max());
  for (int k = 0; k < 400000; ++k) {
    const int e = emin + static_cast<int>(rng() % (emax - emin));
    double d = std::ldexp(1.0 + static_cast<double>(rng() >> 11) * 0x1p-53, e);
    if (k % 4 < 2) {  // an exact tie between two normal neighbours, or just off one
      d = std::ldexp(std::floor(std::ldexp(d, digits - 1 - e)) + 0.5, e - (digits - 1));
      if (k % 4 == 1) d *= (rng() & 1) ? 1 + 0x1p-45 : 1 - 0x1p-45;
    }
    if (d >= maxv) continue;
    const H r = H(d);
    const double rv = static_cast<float>(r);
    const double up = static_cast<float>(H::from_bits(static_cast<uint16_t>(r.bits + 1)));
    const double dn = r.bits == 0
                          ? -static_cast<float>(H::from_bits(1))
                          : static_cast<float>(H::from_bits(static_cast<uint16_t>(r.bits - 1)));
    const double err = std::fabs(d - rv);
    ASSERT_LE(err, std::fabs(up - d)) << d;
    ASSERT_LE(err, std::fabs(d - dn)) << d;
    if (err == std::fabs(up - d) || err == std::fabs(d - dn)) {
      ASSERT_EQ(r.bits & 1u, 0u) << d;
    }
    if (d == static_cast<float>(d)) {
      ASSERT_EQ(H(static_cast<float>(d)).bits, r.bits) << d;
    }
  }
}

TEST(Float16, RoundingCases) {
  EXPECT_EQ(float16_t(1.0f + 0x1p-11f).bits, 0x3c00);      // tie -> even (down)
  EXPECT_EQ(float16_t(1.0f + 3 * 0x1p-11f).bits, 0x3c02);  // tie -> even (up)
  EXPECT_EQ(float16_t(1.0f + 0x1p-11f + 0x1p-20f).bits, 0x3c01);
  EXPECT_EQ(float16_t(1.0f + 0x1p-12f).bits, 0x3c00);
  EXPECT_EQ(float16_t(-1.0f - 3 * 0x1p-11f).bits, 0xbc02);
  EXPECT_EQ(float16_t(2047.5f).bits, float16_t(2048.0f).bits);  // mantissa carry into exponent
  // A double just above a tie must round up; going through float would round twice (down).
  EXPECT_EQ(float16_t(1.0 + 0x1p-11 + 0x1p-40).bits, 0x3c01);
  EXPECT_EQ(float16_t(static_cast<float>(1.0 + 0x1p-11 + 0x1p-40)).bits, 0x3c00);
  EXPECT_EQ(float16_t(2049).bits, float16_t(2048.0f).bits);  // integer tie -> even
  EXPECT_EQ(float16_t(2051).bits, float16_t(2052.0f).bits);
  EXPECT_EQ(float16_t(-3).bits, 0xc200);
  EXPECT_EQ(float16_t(true).bits, 0x3c00);
  EXPECT_EQ(float16_t(uint8_t{255}).bits, float16_t(255.0f).bits);
}

TEST(BFloat16, RoundingCases) {
  EXPECT_EQ(bfloat16_t(1.0f + 0x1p-8f).bits, 0x3f80);
  EXPECT_EQ(bfloat16_t(1.0f + 3 * 0x1p-8f).bits, 0x3f82);
  EXPECT_EQ(bfloat16_t(1.0f + 0x1p-8f + 0x1p-20f).bits, 0x3f81);
  EXPECT_EQ(bfloat16_t(1.0 + 0x1p-8 + 0x1p-40).bits, 0x3f81);  // no double rounding
  // 2^40 + 2^32 + 1 is just above a bfloat16 tie; via float it would become the tie itself.
  EXPECT_EQ(bfloat16_t((int64_t{1} << 40) + (int64_t{1} << 32) + 1).bits, 0x5381);
  EXPECT_EQ(bfloat16_t(static_cast<float>((int64_t{1} << 40) + (int64_t{1} << 32) + 1)).bits,
            0x5380);
  EXPECT_EQ(bfloat16_t(std::numeric_limits<uint64_t>::max()).bits, 0x5f80);  // 2^64
  EXPECT_EQ(bfloat16_t(std::numeric_limits<int64_t>::min()).bits, 0xdf00);   // -2^63
  EXPECT_EQ(bfloat16_t(std::numeric_limits<int64_t>::max()).bits, 0x5f00);   // 2^63
}

TEST(Float16, OverflowAndInfinity) {
  EXPECT_EQ(float16_t(65504.0f).bits, 0x7bff);
  EXPECT_EQ(float16_t(65519.99f).bits, 0x7bff);
  EXPECT_EQ(float16_t(65520.0f).bits, 0x7c00);  // tie with 2^16 rounds to even = inf
  EXPECT_EQ(float16_t(65520.0).bits, 0x7c00);
  EXPECT_EQ(float16_t(65519.999).bits, 0x7bff);
  EXPECT_EQ(float16_t(1e10f).bits, 0x7c00);
  EXPECT_EQ(float16_t(-1e300).bits, 0xfc00);
  EXPECT_EQ(float16_t(100000).bits, 0x7c00);
  EXPECT_EQ(float16_t(std::numeric_limits<uint64_t>::max()).bits, 0x7c00);
  EXPECT_EQ(float16_t(std::numeric_limits<float>::infinity()).bits, 0x7c00);
  EXPECT_EQ(float16_t(-std::numeric_limits<double>::infinity()).bits, 0xfc00);
  EXPECT_TRUE(std::isinf(static_cast<float>(float16_t::from_bits(0x7c00))));
}

TEST(BFloat16, OverflowAndInfinity) {
  EXPECT_EQ(bfloat16_t(0x1.fep127f).bits, 0x7f7f);
  EXPECT_EQ(bfloat16_t(std::numeric_limits<float>::max()).bits, 0x7f80);
  EXPECT_EQ(bfloat16_t(0x1.ffp127).bits, 0x7f80);
  EXPECT_EQ(bfloat16_t(0x1.fefffffp127).bits, 0x7f7f);
  EXPECT_EQ(bfloat16_t(-1e300).bits, 0xff80);
  EXPECT_EQ(bfloat16_t(std::numeric_limits<float>::infinity()).bits, 0x7f80);
}

TEST(Float16, Subnormals) {
  EXPECT_EQ(float16_t(0x1p-24f).bits, 0x0001);
  EXPECT_EQ(float16_t(0x1p-25f).bits, 0x0000);  // tie with 0 -> even
  EXPECT_EQ(float16_t(0x1.000002p-25f).bits, 0x0001);
  EXPECT_EQ(float16_t(0x1.8p-24f).bits, 0x0002);    // tie 1.5 -> 2
  EXPECT_EQ(float16_t(0x1.ff8p-15f).bits, 0x03ff);  // largest subnormal
  EXPECT_EQ(float16_t(0x1.ffcp-15f).bits, 0x0400);  // rounds up to min normal
  EXPECT_EQ(float16_t(0x1p-14f).bits, 0x0400);
  EXPECT_EQ(float16_t(-0x1p-24f).bits, 0x8001);
  EXPECT_EQ(float16_t(1e-30f).bits, 0x0000);
  EXPECT_EQ(float16_t(-1e-30f).bits, 0x8000);
  EXPECT_EQ(float16_t(std::numeric_limits<float>::denorm_min()).bits, 0x0000);
  EXPECT_EQ(float16_t(0x1p-25).bits, 0x0000);
  EXPECT_EQ(float16_t(0x1.0000000001p-25).bits, 0x0001);
  EXPECT_EQ(float16_t(std::numeric_limits<double>::denorm_min()).bits, 0x0000);
  EXPECT_EQ(float16_t(-0.0f).bits, 0x8000);
  EXPECT_EQ(float16_t(-0.0).bits, 0x8000);
  EXPECT_EQ(static_cast<float>(float16_t::from_bits(0x0001)), 0x1p-24f);
  EXPECT_EQ(static_cast<float>(float16_t::from_bits(0x03ff)), 0x1.ff8p-15f);
  EXPECT_EQ(static_cast<float>(float16_t::from_bits(0x8200)), -0x1p-15f);
}

TEST(BFloat16, Subnormals) {
  EXPECT_EQ(bfloat16_t(0x1p-133f).bits, 0x0001);
  EXPECT_EQ(bfloat16_t(0x1p-134f).bits, 0x0000);
  EXPECT_EQ(bfloat16_t(0x1.8p-134f).bits, 0x0001);
  EXPECT_EQ(bfloat16_t(0x1p-133).bits, 0x0001);
  EXPECT_EQ(bfloat16_t(0x1p-134).bits, 0x0000);
  EXPECT_EQ(bfloat16_t(0x1.8p-134).bits, 0x0001);
  EXPECT_EQ(bfloat16_t(0x1.fcp-127).bits, 0x007f);
  EXPECT_EQ(bfloat16_t(-0x1p-133).bits, 0x8001);
  EXPECT_EQ(static_cast<float>(bfloat16_t::from_bits(0x0001)), 0x1p-133f);
}

TYPED_TEST(HalfTest, NaN) {
  using H = TypeParam;
  const float qnan = std::numeric_limits<float>::quiet_NaN();
  const float snan = std::numeric_limits<float>::signaling_NaN();
  for (float f :
       {qnan, -qnan, snan, std::bit_cast<float>(0x7f800001u), std::bit_cast<float>(0xffffffffu)}) {
    EXPECT_TRUE(is_nan_bits<H>(H(f).bits)) << std::hex << bits_of(f);
    EXPECT_TRUE(is_nan_bits<H>(H(static_cast<double>(f)).bits)) << std::hex << bits_of(f);
    EXPECT_TRUE(std::isnan(static_cast<float>(H(f))));
    EXPECT_EQ(H(f).bits & 0x8000u, (bits_of(f) >> 16) & 0x8000u);
  }
  EXPECT_TRUE(std::isnan(static_cast<float>(std::numeric_limits<H>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(static_cast<float>(std::numeric_limits<H>::signaling_NaN())));
  EXPECT_EQ(H(qnan).bits, std::numeric_limits<H>::quiet_NaN().bits);
  const H nan = std::numeric_limits<H>::quiet_NaN();
  EXPECT_FALSE(nan == nan);
  EXPECT_TRUE(nan != nan);
  EXPECT_FALSE(nan < H(1.0f));
}

TEST(Float16, NumericLimits) {
  using L = std::numeric_limits<float16_t>;
  static_assert(L::is_specialized && L::is_signed && !L::is_integer && L::has_infinity);
  static_assert(L::digits == 11 && L::digits10 == 3 && L::max_digits10 == 5 && L::radix == 2);
  static_assert(L::min_exponent == -13 && L::max_exponent == 16 && L::is_iec559);
  static_assert(L::max().bits == 0x7bff &&
                std::numeric_limits<const float16_t>::max().bits == 0x7bff);
  EXPECT_EQ(static_cast<float>(L::max()), 65504.0f);
  EXPECT_EQ(static_cast<float>(L::lowest()), -65504.0f);
  EXPECT_EQ(static_cast<float>(L::min()), 0x1p-14f);
  EXPECT_EQ(static_cast<float>(L::epsilon()), 0x1p-10f);
  EXPECT_EQ(static_cast<float>(L::round_error()), 0.5f);
  EXPECT_EQ(static_cast<float>(L::denorm_min()), 0x1p-24f);
  EXPECT_EQ(static_cast<float>(L::infinity()), std::numeric_limits<float>::infinity());
  EXPECT_EQ(static_cast<float>(L::min()), std::ldexp(1.0f, L::min_exponent - 1));
  EXPECT_EQ(static_cast<float>(L::max()), std::ldexp(2.0f - 0x1p-10f, L::max_exponent - 1));
  EXPECT_EQ(float16_t(1.0f + static_cast<float>(L::epsilon())).bits, 0x3c01);
}

TEST(BFloat16, NumericLimits) {
  using L = std::numeric_limits<bfloat16_t>;
  static_assert(L::is_specialized && L::is_signed && !L::is_integer && L::has_quiet_NaN);
  static_assert(L::digits == 8 && L::digits10 == 2 && L::max_digits10 == 4);
  static_assert(L::min_exponent == -125 && L::max_exponent == 128);
  EXPECT_EQ(static_cast<float>(L::max()), 0x1.fep127f);
  EXPECT_EQ(static_cast<float>(L::lowest()), -0x1.fep127f);
  EXPECT_EQ(static_cast<float>(L::min()), 0x1p-126f);
  EXPECT_EQ(static_cast<float>(L::epsilon()), 0x1p-7f);
  EXPECT_EQ(static_cast<float>(L::round_error()), 0.5f);
  EXPECT_EQ(static_cast<float>(L::denorm_min()), 0x1p-133f);
  EXPECT_EQ(static_cast<float>(L::infinity()), std::numeric_limits<float>::infinity());
  EXPECT_EQ(static_cast<float>(L::min()), std::ldexp(1.0f, L::min_exponent - 1));
  EXPECT_EQ(bfloat16_t(1.0f + static_cast<float>(L::epsilon())).bits, 0x3f81);
}

TYPED_TEST(HalfTest, Arithmetic) {
  using H = TypeParam;
  const H a = 1.5f, b = 2.25f;
  static_assert(std::is_same_v<decltype(a + b), H> && std::is_same_v<decltype(a / b), H>);
  static_assert(std::is_same_v<decltype(-a), H>);
  static_assert(std::is_same_v<decltype(a + 1.0f), float> &&
                std::is_same_v<decltype(2.0f * a), float>);
  static_assert(std::is_same_v<decltype(a + 1.0), double> && std::is_same_v<decltype(a - 1), H>);
  static_assert(std::is_same_v<decltype(1 * a), H> && std::is_same_v<decltype(a == 1), bool>);
  static_assert(std::is_same_v<decltype(float16_t(1.0f) + bfloat16_t(1.0f)), float>);
  static_assert(H(1.5f) + H(2.0f) == 3.5f && H(3.0f) > H(2.0f));
  EXPECT_EQ(static_cast<float>(a + b), 3.75f);
  EXPECT_EQ(static_cast<float>(b - a), 0.75f);
  EXPECT_EQ(static_cast<float>(a * b), 3.375f);
  EXPECT_EQ(static_cast<float>(H(3.0f) / H(2.0f)), 1.5f);
  EXPECT_EQ(static_cast<float>(-a), -1.5f);
  EXPECT_EQ(static_cast<float>(+a), 1.5f);
  EXPECT_EQ((-H(0.0f)).bits & 0x8000u, 0x8000u);
  EXPECT_EQ(a + 1.0f, 2.5f);
  EXPECT_EQ(a + 0.25, 1.75);
  EXPECT_EQ(static_cast<float>(a + 2), 3.5f);
  EXPECT_EQ(static_cast<float>(2 - a), 0.5f);
  EXPECT_EQ(static_cast<float>(H(1.0f) / H(3.0f)), static_cast<float>(H(1.0f / 3.0f)));
  H c = a;
  c += b;
  EXPECT_EQ(static_cast<float>(c), 3.75f);
  c -= 1;
  EXPECT_EQ(static_cast<float>(c), 2.75f);
  c *= 2.0f;
  EXPECT_EQ(static_cast<float>(c), 5.5f);
  c /= 0.5;
  EXPECT_EQ(static_cast<float>(c), 11.0f);
  c += bfloat16_t(1.0f);
  EXPECT_EQ(static_cast<float>(c), 12.0f);
  EXPECT_TRUE(a < b && a <= b && b > a && b >= a && a != b && a == H(1.5f));
  EXPECT_TRUE(a == 1.5f && 1.5 == a && a < 2 && 2 > a && a != 0);
  EXPECT_TRUE(float16_t(1.5f) == bfloat16_t(1.5f));
  const double d = a;  // implicit through float
  EXPECT_EQ(d, 1.5);
  EXPECT_EQ(static_cast<int>(H(7.0f)), 7);
}

TYPED_TEST(HalfTest, Printing) {
  using H = TypeParam;
  std::ostringstream os;
  os << H(1.5f) << " " << H(-0.25f) << " " << std::numeric_limits<H>::infinity();
  EXPECT_EQ(os.str(), "1.5 -0.25 inf");
}

// Random floats: uniform bit patterns (NaN, inf, subnormals included), values near the half
// range, and values whose dropped bits are an exact tie.
std::vector<float> random_floats(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = static_cast<uint32_t>(rng());
    switch (i % 4) {
      case 0: break;
      case 1: u = (u & 0x807fffffu) | ((100u + static_cast<uint32_t>(rng() % 50)) << 23); break;
      case 2: u = (u & ~0x1fffu) | 0x1000u; break;
      case 3: u = (u & ~0xffffu) | 0x8000u; break;
    }
    v[i] = std::bit_cast<float>(u);
  }
  return v;
}

const size_t kLengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 1003};

TEST(BulkConversion, F32ToF16MatchesScalar) {
  const std::vector<float> src = random_floats(1003 + 1, 7);
  for (size_t n : kLengths) {
    for (size_t off : {0, 1}) {  // also unaligned
      std::vector<float16_t> dst(n + 1, float16_t::from_bits(0xabcd));
      detail::f32_to_f16(src.data() + off, dst.data(), n);
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(dst[i].bits, float16_t(src[off + i]).bits)
            << n << " " << i << std::hex << " " << bits_of(src[off + i]);
      EXPECT_EQ(dst[n].bits, 0xabcd) << "wrote past the end, n=" << n;
    }
  }
}

TEST(BulkConversion, F32ToBF16MatchesScalar) {
  const std::vector<float> src = random_floats(1003 + 1, 11);
  for (size_t n : kLengths) {
    for (size_t off : {0, 1}) {
      std::vector<bfloat16_t> dst(n + 1, bfloat16_t::from_bits(0xabcd));
      detail::f32_to_bf16(src.data() + off, dst.data(), n);
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(dst[i].bits, bfloat16_t(src[off + i]).bits)
            << n << " " << i << std::hex << " " << bits_of(src[off + i]);
      EXPECT_EQ(dst[n].bits, 0xabcd) << "wrote past the end, n=" << n;
    }
  }
}

template <class H, class Fn>
void check_widening_bulk(Fn convert) {
  std::vector<H> all(65536);
  for (uint32_t b = 0; b < 65536; ++b) all[b] = H::from_bits(static_cast<uint16_t>(b));
  std::vector<float> dst(65536);
  convert(all.data(), dst.data(), all.size());
  for (uint32_t b = 0; b < 65536; ++b)
    ASSERT_EQ(bits_of(dst[b]), bits_of(static_cast<float>(all[b]))) << std::hex << b;
  std::mt19937 rng(3);
  for (size_t n : kLengths) {
    std::vector<H> src(n + 1);
    for (auto& h : src) h = H::from_bits(static_cast<uint16_t>(rng()));
    std::vector<float> out(n + 1, 12345.0f);
    convert(src.data() + 1, out.data(), n);
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(bits_of(out[i]), bits_of(static_cast<float>(src[i + 1])));
    EXPECT_EQ(out[n], 12345.0f);
  }
}

TEST(BulkConversion, F16ToF32MatchesScalar) {
  check_widening_bulk<float16_t>([](auto s, auto d, size_t n) { detail::f16_to_f32(s, d, n); });
}

TEST(BulkConversion, BF16ToF32MatchesScalar) {
  check_widening_bulk<bfloat16_t>([](auto s, auto d, size_t n) { detail::bf16_to_f32(s, d, n); });
}

}  // namespace
}  // namespace mlx::core
