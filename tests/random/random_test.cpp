// SPDX-License-Identifier: MIT
// Tests of mlx::core::random: threefry known answers (Random123), MLX's published keys, bits
// and uniforms, the float conversions, statistics of every distribution, dtypes, empty
// shapes and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <vector>

#include "../array_values.hpp"
#include "../error_message.hpp"
#include "mlx/backend/cpu/copy.hpp"
#include "mlx/mlx.hpp"
#include "mlx/random/random.hpp"

namespace mx = mlx::core;
namespace rnd = mlx::core::random;
using mlxtest::invalid_argument_message;

namespace {

// Results may be views with any strides (take returns one): read them in row-major order.
mx::array row_major(mx::array a) {
  a.eval();
  return mx::cpu::ensure_row_contiguous(a);
}
template <class T>
std::vector<T> values(mx::array a) {
  a = row_major(a);
  const T* p = a.data<T>();
  return std::vector<T>(p, p + a.size());
}
std::vector<double> to_doubles(mx::array a) { return mlxtest::to_doubles(row_major(a)); }

std::vector<uint32_t> u32(std::initializer_list<uint32_t> v) { return v; }

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
double var_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

// ---- threefry ------------------------------------------------------------------------------

// Random123's kat_vectors for threefry2x32 with 20 rounds: counter, key, expected.
TEST(Threefry, Random123KnownAnswers) {
  using mx::cpu::threefry::hash;
  EXPECT_EQ(hash({0, 0}, {0, 0}), std::make_pair(0x6b200159u, 0x99ba4efeu));
  EXPECT_EQ(hash({0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
            std::make_pair(0x1cb996fcu, 0xbb002be7u));
  EXPECT_EQ(hash({0x13198a2eu, 0x03707344u}, {0x243f6a88u, 0x85a308d3u}),
            std::make_pair(0xc4923a9cu, 0x483df7a0u));
}

TEST(Threefry, BatchLanesEqualScalarHash) {
  using B = mx::cpu::threefry::UBatch;
  alignas(64) uint32_t c0[B::size], c1[B::size], o0[B::size], o1[B::size];
  for (size_t i = 0; i < B::size; ++i) c0[i] = 0x9e3779b9u * (i + 1), c1[i] = 0xdeadbeefu ^ i;
  B x0 = B::load_aligned(c0), x1 = B::load_aligned(c1);
  mx::cpu::threefry::hash(B(0x12345678u), B(0x9abcdef0u), x0, x1);
  x0.store_aligned(o0);
  x1.store_aligned(o1);
  for (size_t i = 0; i < B::size; ++i)
    EXPECT_EQ(std::make_pair(o0[i], o1[i]),
              mx::cpu::threefry::hash({0x12345678u, 0x9abcdef0u}, {c0[i], c1[i]}));
}

// ---- keys ----------------------------------------------------------------------------------

TEST(RandomKey, LayoutIsHighThenLowWord) {
  EXPECT_EQ(rnd::key(0).dtype(), mx::uint32);
  EXPECT_EQ(rnd::key(0).shape(), mx::Shape{2});
  EXPECT_EQ(values<uint32_t>(rnd::key(0)), u32({0, 0}));
  EXPECT_EQ(values<uint32_t>(rnd::key(1)), u32({0, 1}));
  EXPECT_EQ(values<uint32_t>(rnd::key(uint64_t{1} << 32)), u32({1, 0}));
  EXPECT_EQ(values<uint32_t>(rnd::key((uint64_t{1} << 32) + 1)), u32({1, 1}));
  EXPECT_EQ(values<uint32_t>(rnd::key(0xfedcba9876543210ull)), u32({0xfedcba98u, 0x76543210u}));
}

// Expected keys from MLX's tests/random_tests.cpp.
TEST(RandomSplit, MatchesMlx) {
  auto [k, sub] = rnd::split(rnd::key(0));
  EXPECT_EQ(k.shape(), mx::Shape{2});
  EXPECT_EQ(values<uint32_t>(k), u32({4146024105u, 967050713u}));
  EXPECT_EQ(values<uint32_t>(sub), u32({2718843009u, 1272950319u}));

  auto keys = rnd::split(rnd::key(0), 3);
  EXPECT_EQ(keys.shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(keys.dtype(), mx::uint32);
  EXPECT_EQ(values<uint32_t>(keys),
            u32({2467461003u, 428148500u, 3186719485u, 3840466878u, 2562233961u, 1946702221u}));

  // split(key) is split(key, 2) row by row.
  auto [a7, b7] = rnd::split(rnd::key(7));
  auto rows = values<uint32_t>(a7), second = values<uint32_t>(b7);
  rows.insert(rows.end(), second.begin(), second.end());
  EXPECT_EQ(values<uint32_t>(rnd::split(rnd::key(7), 2)), rows);
  EXPECT_EQ(rnd::split(rnd::key(0), 0).shape(), (mx::Shape{0, 2}));
}

TEST(RandomSplit, Errors) {
  auto m = invalid_argument_message([] { rnd::split(rnd::key(0), -1); });
  EXPECT_TRUE(contains(m, "[split]") && contains(m, "-1")) << m;
  m = invalid_argument_message([] { rnd::split(mx::array({0, 0})); });
  EXPECT_TRUE(contains(m, "[split]") && contains(m, "uint32") && contains(m, "int32")) << m;
  m = invalid_argument_message([] { rnd::split(mx::array({0u, 0u, 0u}), 2); });
  EXPECT_TRUE(contains(m, "[split]") && contains(m, "(3,)")) << m;
}

// ---- bits ----------------------------------------------------------------------------------

// Expected bits from MLX's tests/random_tests.cpp (generated there with JAX's threefry).
TEST(RandomBits, MatchesMlx) {
  auto k0 = rnd::key(0), k1 = rnd::key(1);
  auto x = rnd::bits({}, k0);
  EXPECT_EQ(x.dtype(), mx::uint32);
  EXPECT_EQ(x.shape(), mx::Shape{});
  EXPECT_EQ(x.item<uint32_t>(), 1797259609u);
  EXPECT_EQ(rnd::bits({}, k0).item<uint32_t>(), 1797259609u);  // same key, same bits
  EXPECT_EQ(rnd::bits({}, 2, k0).item<uint16_t>(), 345);
  EXPECT_EQ(rnd::bits({}, 2, k0).dtype(), mx::uint16);
  EXPECT_EQ(rnd::bits({}, 1, k0).item<uint8_t>(), 89);
  EXPECT_EQ(rnd::bits({}, 1, k0).dtype(), mx::uint8);
  EXPECT_EQ(rnd::bits({}, k1).item<uint32_t>(), 507451445u);
  EXPECT_EQ(rnd::bits({}, 2, k1).item<uint16_t>(), 6197);
  EXPECT_EQ(rnd::bits({}, 1, k1).item<uint8_t>(), 53);

  x = rnd::bits({3, 1}, k0);
  EXPECT_EQ(x.shape(), (mx::Shape{3, 1}));
  EXPECT_EQ(values<uint32_t>(x), u32({4146024105u, 1351547692u, 2718843009u}));

  using V16 = std::vector<uint16_t>;
  EXPECT_EQ(values<uint16_t>(rnd::bits({5}, 2, k0)), (V16{20137, 63263, 64300, 20622, 16513}));
  EXPECT_EQ(values<uint16_t>(rnd::bits({6}, 2, k0)), (V16{20137, 63263, 64300, 20622, 16513, 41486}));
  EXPECT_EQ(values<uint16_t>(rnd::bits({7}, 2, k0)),
            (V16{20137, 63263, 1497, 14756, 16513, 41486, 44591}));
  EXPECT_EQ(values<uint16_t>(rnd::bits({8}, 2, k0)),
            (V16{20137, 63263, 1497, 14756, 16513, 41486, 44591, 19423}));
}

// The vectorised, threaded kernel against the scalar hash and MLX's word layout, for odd
// and even word counts and for every width.
TEST(RandomBits, LargeArraysFollowMlxLayout) {
  const std::pair<uint32_t, uint32_t> key{0x01234567u, 0x89abcdefu};
  auto k = mx::array({key.first, key.second});
  for (int64_t n : {int64_t{1}, int64_t{2}, int64_t{33}, int64_t{1000}, int64_t{1000001}, int64_t{1 << 20}}) {
    auto x = values<uint32_t>(rnd::bits({static_cast<int>(n)}, k));
    const int64_t h = n / 2, second = h + n % 2;
    int64_t bad = 0;
    for (int64_t j = 0; j < h; ++j) {
      auto p = mx::cpu::threefry::hash(key, {static_cast<uint32_t>(j), static_cast<uint32_t>(second + j)});
      bad += (x[j] != p.first) + (x[second + j] != p.second);
    }
    if (n % 2) bad += x[h] != mx::cpu::threefry::hash(key, {static_cast<uint32_t>(h), 0u}).first;
    EXPECT_EQ(bad, 0) << "n = " << n;
  }
  // Narrow widths are the same word stream read as bytes (little-endian words).
  auto words = values<uint32_t>(rnd::bits({3}, k));  // 3 words = 6 uint16 = 12 uint8
  auto w16 = values<uint16_t>(rnd::bits({6}, 2, k));
  auto w8 = values<uint8_t>(rnd::bits({12}, 1, k));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(w16[i], static_cast<uint16_t>(words[i / 2] >> (16 * (i % 2))));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(w8[i], static_cast<uint8_t>(words[i / 4] >> (8 * (i % 4))));
}

TEST(RandomBits, EmptyShapesAndLazyKeys) {
  auto x = rnd::bits({0}, rnd::key(0));
  EXPECT_EQ(x.shape(), mx::Shape{0});
  EXPECT_EQ(values<uint32_t>(x).size(), 0u);
  EXPECT_EQ(rnd::bits({2, 0, 3}, 1, rnd::key(0)).size(), 0u);
  // A key that is itself an unevaluated node (a split half, an expression).
  auto [k, sub] = rnd::split(rnd::key(0));
  EXPECT_EQ(rnd::bits({}, sub).item<uint32_t>(),
            rnd::bits({}, mx::array({2718843009u, 1272950319u})).item<uint32_t>());
  mx::array lazy = mx::add(rnd::key(1), mx::array(0u));
  EXPECT_EQ(rnd::bits({}, lazy).item<uint32_t>(), 507451445u);
}

TEST(RandomBits, Errors) {
  auto k = rnd::key(1);
  for (int w : {0, 3, 5, -1}) {
    auto m = invalid_argument_message([&] { rnd::bits({}, w, k); });
    EXPECT_TRUE(contains(m, "[bits] Bit width must be in {1, 2, 4} but got " + std::to_string(w)))
        << m;
  }
  auto m = invalid_argument_message([] { rnd::bits({}, mx::array({0, 0})); });
  EXPECT_EQ(m, "[bits] Expected key type uint32 but received int32.");
  m = invalid_argument_message([] { rnd::bits({}, mx::array({0u, 0u}, {1, 2})); });
  EXPECT_EQ(m, "[bits] Expected key shape (2,) but received (1,2).");
  m = invalid_argument_message([] { rnd::bits({}, mx::array({0u, 0u, 0u}, {3, 1})); });
  EXPECT_TRUE(contains(m, "[bits]") && contains(m, "(3,1)")) << m;
  m = invalid_argument_message([] { rnd::bits({2, -1}, rnd::key(0)); });
  EXPECT_TRUE(contains(m, "[bits]") && contains(m, "(2,-1)")) << m;
}

// ---- the global key --------------------------------------------------------------------------

TEST(RandomSeed, DefaultKeySplitsAsMlx) {
  rnd::seed(4);
  auto a = rnd::bits({}).item<uint32_t>();
  auto b = rnd::bits({}).item<uint32_t>();
  rnd::seed(4);
  EXPECT_EQ(rnd::bits({}).item<uint32_t>(), a);
  EXPECT_EQ(rnd::bits({}).item<uint32_t>(), b);
  EXPECT_NE(a, b);
  // MLX's KeySequence: (key, sub) = split(key); the draw uses sub, the sequence keeps key.
  auto [k1, s1] = rnd::split(rnd::key(4));
  auto [k2, s2] = rnd::split(k1);
  EXPECT_EQ(a, rnd::bits({}, s1).item<uint32_t>());
  EXPECT_EQ(b, rnd::bits({}, s2).item<uint32_t>());

  rnd::seed(3);
  float x = rnd::uniform({}).item<float>();
  float y = rnd::uniform({}).item<float>();
  rnd::seed(3);
  EXPECT_EQ(rnd::uniform({}).item<float>(), x);
  EXPECT_EQ(rnd::uniform({}).item<float>(), y);
}

// ---- uniform ---------------------------------------------------------------------------------

// MLX's expected uniforms: bits / UINT32_MAX in float32 (UINT32_MAX rounds to 2^32).
TEST(RandomUniform, MatchesMlx) {
  auto to_float = [](uint32_t n) { return static_cast<float>(n) / static_cast<float>(UINT32_MAX); };
  auto x = rnd::uniform({}, rnd::key(0));
  EXPECT_EQ(x.dtype(), mx::float32);
  EXPECT_EQ(x.shape(), mx::Shape{});
  EXPECT_EQ(x.item<float>(), to_float(1797259609u));
  EXPECT_EQ(rnd::uniform({}, rnd::key(1)).item<float>(), to_float(507451445u));
  EXPECT_EQ(values<float>(rnd::uniform({3, 1}, rnd::key(0))),
            (std::vector<float>{to_float(4146024105u), to_float(1351547692u), to_float(2718843009u)}));
}

TEST(RandomUniform, IsTheBitsMappedForEveryDtype) {
  auto k = rnd::key(42);
  auto b = values<uint32_t>(rnd::bits({4099}, k));
  auto f = values<float>(rnd::uniform({4099}, k));
  auto h = values<mx::float16_t>(rnd::uniform({4099}, mx::float16, k));
  auto g = values<mx::bfloat16_t>(rnd::uniform({4099}, mx::bfloat16, k));
  const float h_top = 0.99951171875f, g_top = 0.99609375f;  // the values below 1
  for (size_t i = 0; i < b.size(); ++i) {
    const float u = static_cast<float>(b[i]) / 4294967296.0f;
    ASSERT_EQ(f[i], std::min(u, std::nextafter(1.0f, 0.0f))) << i;
    ASSERT_EQ(h[i].bits, mx::float16_t(std::min(u, h_top)).bits) << i;
    ASSERT_EQ(g[i].bits, mx::bfloat16_t(std::min(u, g_top)).bits) << i;
    ASSERT_LT(static_cast<float>(h[i]), 1.0f);
    ASSERT_LT(static_cast<float>(g[i]), 1.0f);
  }
}

TEST(RandomUniform, Bounds) {
  auto k = rnd::key(128291);
  auto u = rnd::uniform(mx::array(-1.0f), mx::array(1.0f), {100}, mx::float32, k);
  for (float v : values<float>(u)) EXPECT_TRUE(v >= -1.0f && v < 1.0f) << v;

  // low + (high - low) * u with the product rounded first, whether the bounds are
  // constants (computed in the kernel) or lazy (composed of ops).
  auto base = values<float>(rnd::uniform({1000}, k));
  auto fast = values<float>(rnd::uniform(-1.5f, 5.25f, {1000}, mx::float32, k));
  auto composed = values<float>(rnd::uniform(mx::array(mx::add(mx::array(-1.5f), mx::array(0.0f))),
                                             mx::array(mx::add(mx::array(5.25f), mx::array(0.0f))),
                                             {1000}, mx::float32, k));
  volatile float range = 5.25f - -1.5f;
  for (size_t i = 0; i < base.size(); ++i) {
    volatile float prod = range * base[i];
    const float want = prod + -1.5f;
    ASSERT_EQ(fast[i], want) << i;
    ASSERT_EQ(composed[i], want) << i;
    ASSERT_TRUE(want >= -1.5f && want < 5.25f);
  }
  // Integer and broadcast bounds.
  auto b = rnd::uniform(mx::zeros({3, 1}), mx::ones({1, 3}), {3, 3}, mx::float32, k);
  EXPECT_EQ(b.shape(), (mx::Shape{3, 3}));
  auto c = rnd::uniform(mx::array({0, 10}), mx::array({1, 20}), {4, 2}, mx::float32, k);
  auto cv = values<float>(c);
  for (size_t i = 0; i < cv.size(); ++i)
    EXPECT_TRUE(i % 2 ? cv[i] >= 10 && cv[i] < 20 : cv[i] >= 0 && cv[i] < 1) << cv[i];
  // Half types round each op to the dtype (MLX's separate kernels).
  auto hb = values<mx::float16_t>(rnd::uniform({1000}, mx::float16, k));
  auto hu = values<mx::float16_t>(rnd::uniform(-0.1f, 0.1f, {1000}, mx::float16, k));
  const mx::float16_t lo(-0.1f), hi(0.1f);
  const mx::float16_t r(static_cast<float>(hi) - static_cast<float>(lo));
  for (size_t i = 0; i < hb.size(); ++i) {
    const mx::float16_t p(static_cast<float>(r) * static_cast<float>(hb[i]));
    ASSERT_EQ(hu[i].bits, mx::float16_t(static_cast<float>(p) + static_cast<float>(lo)).bits) << i;
  }
  // high < low is allowed (values in (high, low]).
  for (float v : values<float>(rnd::uniform(1.0f, -1.0f, {50}, mx::float32, k)))
    EXPECT_TRUE(v > -1.0f && v <= 1.0f);
}

TEST(RandomUniform, Statistics) {
  auto v = to_doubles(rnd::uniform({100000}, rnd::key(5)));
  // Mean 1/2 and variance 1/12, within 5 standard errors.
  EXPECT_NEAR(mean_of(v), 0.5, 5 * std::sqrt(1.0 / 12 / 1e5));
  EXPECT_NEAR(var_of(v), 1.0 / 12, 5 * std::sqrt(1.0 / 180 / 1e5));
  for (auto dt : {mx::float16, mx::bfloat16}) {
    auto w = to_doubles(rnd::uniform({100000}, dt, rnd::key(6)));
    EXPECT_NEAR(mean_of(w), 0.5, 0.01) << dt;
    EXPECT_LT(*std::max_element(w.begin(), w.end()), 1.0);
    EXPECT_GE(*std::min_element(w.begin(), w.end()), 0.0);
  }
}

TEST(RandomUniform, EmptyAndErrors) {
  EXPECT_EQ(rnd::uniform({0}).size(), 0u);
  EXPECT_EQ(values<float>(rnd::uniform({0, 4}, rnd::key(0))).size(), 0u);
  auto m = invalid_argument_message([] { rnd::uniform({}, mx::int32); });
  EXPECT_TRUE(contains(m, "[uniform]") && contains(m, "int32")) << m;
  m = invalid_argument_message([] { rnd::uniform({}, mx::float64); });
  EXPECT_TRUE(contains(m, "[uniform]") && contains(m, "float64")) << m;
  m = invalid_argument_message([] { rnd::uniform(mx::zeros({3, 3}), 1.0, {1, 3}); });
  EXPECT_TRUE(contains(m, "[uniform] Cannot generate random values of shape (1,3)")) << m;
  m = invalid_argument_message([] { rnd::uniform(mx::zeros({3, 1}), mx::ones({1, 3}), {1, 3}); });
  EXPECT_TRUE(contains(m, "[uniform]")) << m;
  m = invalid_argument_message([] { rnd::uniform(mx::zeros({2}), mx::ones({3}), {2}); });
  EXPECT_TRUE(contains(m, "[uniform]")) << m;
  m = invalid_argument_message([] { rnd::uniform({}, mx::array({0, 0})); });
  EXPECT_EQ(m, "[uniform] Expected key type uint32 but received int32.");
  m = invalid_argument_message([] { rnd::uniform({}, mx::array({0u, 0u}, {2, 1})); });
  EXPECT_EQ(m, "[uniform] Expected key shape (2,) but received (2,1).");
  m = invalid_argument_message([] { rnd::uniform({-2}); });
  EXPECT_TRUE(contains(m, "[uniform]") && contains(m, "(-2,)")) << m;
}

// ---- normal ----------------------------------------------------------------------------------

TEST(RandomNormal, IsSqrt2ErfinvOfASymmetricUniform) {
  auto k = rnd::key(11);
  const mx::array lo(std::nextafter(-1.0f, 0.0f)), hi(1.0f);
  auto u = rnd::uniform(lo, hi, {5000}, mx::float32, k);
  auto e = values<float>(mx::erfinv(u));
  auto n = values<float>(rnd::normal({5000}, k));
  for (size_t i = 0; i < n.size(); ++i) ASSERT_EQ(n[i], static_cast<float>(std::sqrt(2.0)) * e[i]) << i;
  // Half types: erfinv rounded to the dtype, then times the dtype's sqrt(2), rounded.
  auto h = values<mx::float16_t>(rnd::normal({5000}, mx::float16, k));
  auto b = values<mx::bfloat16_t>(rnd::normal({5000}, mx::bfloat16, k));
  const float s16 = static_cast<float>(mx::float16_t(1.41421356f));
  const float sb16 = static_cast<float>(mx::bfloat16_t(1.41421356f));
  for (size_t i = 0; i < h.size(); ++i) {
    const float e16 = static_cast<float>(mx::float16_t(e[i]));
    const float eb16 = static_cast<float>(mx::bfloat16_t(e[i]));
    ASSERT_EQ(h[i].bits, mx::float16_t(s16 * e16).bits) << i;
    ASSERT_EQ(b[i].bits, mx::bfloat16_t(sb16 * eb16).bits) << i;
  }
}

TEST(RandomNormal, Statistics) {
  auto v = to_doubles(rnd::normal({100000}, rnd::key(3)));
  const double se = 1 / std::sqrt(1e5);
  EXPECT_NEAR(mean_of(v), 0.0, 5 * se);
  EXPECT_NEAR(var_of(v), 1.0, 5 * std::sqrt(2.0) * se);
  // Tail fractions: P(|z| > 2) = 0.0455.
  double tail = std::count_if(v.begin(), v.end(), [](double x) { return std::abs(x) > 2; }) / 1e5;
  EXPECT_NEAR(tail, 0.0455, 5 * std::sqrt(0.0455 * 0.9545 / 1e5));
  for (auto dt : {mx::float16, mx::bfloat16}) {
    auto w = to_doubles(rnd::normal({10000}, dt, rnd::key(4)));
    for (double x : w) ASSERT_TRUE(std::isfinite(x)) << dt;
    EXPECT_NEAR(mean_of(w), 0.0, 0.05) << dt;
    EXPECT_NEAR(var_of(w), 1.0, 0.06) << dt;
  }
}

TEST(RandomNormal, LocAndScale) {
  auto k = rnd::key(0);
  auto a = to_doubles(rnd::normal({3, 2}, 1.0f, 2.0f, k));
  auto b = to_doubles(rnd::normal({3, 2}, k));
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], 2 * b[i] + 1, 1e-5);
  auto ah = to_doubles(rnd::normal({3, 2}, mx::float16, 1.0f, 2.0f, k));
  auto bh = to_doubles(rnd::normal({3, 2}, mx::float16, k));
  for (size_t i = 0; i < ah.size(); ++i) EXPECT_NEAR(ah[i], 2 * bh[i] + 1, 1e-2);
  EXPECT_EQ(rnd::normal({3, 2}, mx::float16, 1.0f, 2.0f, k).dtype(), mx::float16);
  // Broadcast array parameters.
  auto loc = mx::array({10.0f, -10.0f});
  auto sc = mx::array({0.001f, 0.001f});
  auto c = to_doubles(rnd::normal({4, 2}, mx::float32, loc, sc, k));
  for (size_t i = 0; i < c.size(); ++i) EXPECT_NEAR(c[i], i % 2 ? -10 : 10, 0.01);
  auto m = invalid_argument_message(
      [] { rnd::normal({2, 10, 2}, mx::float32, mx::zeros({10}), mx::ones({10}), std::nullopt); });
  EXPECT_TRUE(contains(m, "[normal]")) << m;
}

TEST(RandomNormal, Complex) {
  auto z = rnd::normal({20000}, mx::complex64, rnd::key(9));
  EXPECT_EQ(z.dtype(), mx::complex64);
  EXPECT_EQ(rnd::normal({}, mx::complex64).shape(), mx::Shape{});
  // The parts are erfinv of consecutive uniforms: variance 1/2 each.
  auto re = to_doubles(mx::real(z)), im = to_doubles(mx::imag(z));
  EXPECT_NEAR(var_of(re), 0.5, 0.03);
  EXPECT_NEAR(var_of(im), 0.5, 0.03);
  auto u = values<float>(mx::erfinv(rnd::uniform(mx::array(std::nextafter(-1.0f, 0.0f)), mx::array(1.0f),
                                                 {4}, mx::float32, rnd::key(9))));
  auto z2 = values<mx::complex64_t>(rnd::normal({2}, mx::complex64, rnd::key(9)));
  EXPECT_EQ(z2[0].real(), u[0]);
  EXPECT_EQ(z2[0].imag(), u[1]);
  EXPECT_EQ(z2[1].real(), u[2]);
  EXPECT_EQ(z2[1].imag(), u[3]);
}

TEST(RandomNormal, EmptyAndErrors) {
  EXPECT_EQ(rnd::normal({0}).size(), 0u);
  EXPECT_EQ(rnd::normal({0, 3}, mx::bfloat16).dtype(), mx::bfloat16);
  auto m = invalid_argument_message([] { rnd::normal({}, mx::int32); });
  EXPECT_TRUE(contains(m, "[normal]") && contains(m, "int32")) << m;
  m = invalid_argument_message([] { rnd::normal({}, mx::array({0u, 0u}, {1, 2})); });
  EXPECT_EQ(m, "[normal] Expected key shape (2,) but received (1,2).");
  m = invalid_argument_message([] { rnd::normal({}, mx::array({0, 0})); });
  EXPECT_EQ(m, "[normal] Expected key type uint32 but received int32.");
}

// ---- randint ---------------------------------------------------------------------------------

TEST(RandomRandint, BoundsDtypesAndExactness) {
  auto a = rnd::randint(0, 1, {});
  EXPECT_EQ(a.shape(), mx::Shape{});
  EXPECT_EQ(a.dtype(), mx::int32);
  EXPECT_EQ(a.item<int>(), 0);
  auto k = rnd::key(0);
  auto x = values<int32_t>(rnd::randint(mx::array(3), mx::array(15), {88}, mx::int32, k));
  EXPECT_EQ(x, values<int32_t>(rnd::randint(mx::array(3), mx::array(15), {88}, mx::int32, k)));
  auto b = values<uint32_t>(rnd::bits({88}, k));
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(x[i], 3 + static_cast<int32_t>(b[i] % 12));
  std::set<int> seen(x.begin(), x.end());
  EXPECT_EQ(seen.size(), 12u);

  auto w = values<int32_t>(rnd::randint(-10, 10, {1000, 100}, mx::int32, k));
  for (int v : w) ASSERT_TRUE(v >= -10 && v < 10);
  for (int v : values<int32_t>(rnd::randint(10, -10, {30}, mx::int32, k))) EXPECT_EQ(v, 10);
  for (int v : values<int32_t>(rnd::randint(20.0, -10.0, {3, 3}))) EXPECT_EQ(v, 20);
  for (int v : values<int32_t>(rnd::randint(0.5, 0.9, {100}, mx::int32, k))) EXPECT_EQ(v, 0);

  for (auto dt : {mx::uint8, mx::uint16, mx::uint32, mx::int8, mx::int16, mx::bool_}) {
    auto r = rnd::randint(0, 2, {500}, dt, k);
    EXPECT_EQ(r.dtype(), dt);
    auto v = to_doubles(r);
    EXPECT_EQ(std::set<double>(v.begin(), v.end()), (std::set<double>{0, 1})) << dt;
  }
  // Broadcast bounds.
  auto lo = mx::zeros({3, 1}, mx::int32);
  auto hi = mx::array({12, 13, 14, 15}, {1, 4});
  auto r = values<int32_t>(rnd::randint(lo, hi, {3, 4}, mx::int32, k));
  for (size_t i = 0; i < r.size(); ++i) EXPECT_TRUE(r[i] >= 0 && r[i] < 12 + static_cast<int>(i % 4));
}

TEST(RandomRandint, SixtyFourBitRanges) {
  auto k = rnd::key(42);
  const int64_t base = int64_t{1} << 40;
  auto y = values<int64_t>(rnd::randint(mx::array(base), mx::array(base + 1024), {10000}, mx::int64, k));
  std::set<int64_t> yv(y.begin(), y.end());
  EXPECT_EQ(yv.size(), 1024u);
  EXPECT_EQ(*yv.begin(), base);
  EXPECT_EQ(*yv.rbegin(), base + 1023);
  // [int64 min, int64 max) is 2^64 - 1 wide.
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  auto z = values<int64_t>(rnd::randint(mx::array(lo), mx::array(hi), {2000}, mx::int64, k));
  EXPECT_GT(std::set<int64_t>(z.begin(), z.end()).size(), 1990u);
  EXPECT_LT(*std::max_element(z.begin(), z.end()), hi);
  EXPECT_GT(std::count_if(z.begin(), z.end(), [](int64_t v) { return v < 0; }), 800);
  auto u = values<uint64_t>(rnd::randint(mx::array(uint64_t{0}), mx::array(~uint64_t{0}), {2000},
                                         mx::uint64, k));
  EXPECT_GT(std::count_if(u.begin(), u.end(), [](uint64_t v) { return v >> 63; }), 800);
}

TEST(RandomRandint, EmptyAndErrors) {
  EXPECT_EQ(rnd::randint(0, 5, {0}).size(), 0u);
  auto m = invalid_argument_message([] { rnd::randint(mx::array(3), mx::array(5), {1}, mx::float32); });
  EXPECT_TRUE(contains(m, "[randint] randint only accepts integer dtypes and bool")) << m;
  m = invalid_argument_message([] { rnd::randint(mx::zeros({3}), mx::ones({3}), {2}); });
  EXPECT_TRUE(contains(m, "[randint]")) << m;
  m = invalid_argument_message([] { rnd::randint(0, 5, {}, mx::int32, mx::array({0, 0}, {1, 2})); });
  EXPECT_TRUE(contains(m, "[randint]") && contains(m, "int32")) << m;
}

// ---- bernoulli -------------------------------------------------------------------------------

TEST(RandomBernoulli, ShapesRatesAndExactness) {
  auto a = rnd::bernoulli();
  EXPECT_EQ(a.shape(), mx::Shape{});
  EXPECT_EQ(a.dtype(), mx::bool_);
  EXPECT_EQ(rnd::bernoulli(mx::array(0.5f), {5}).shape(), mx::Shape{5});
  EXPECT_EQ(values<bool>(rnd::bernoulli(mx::array({2.0f, -2.0f}))), (std::vector<bool>{true, false}));
  EXPECT_TRUE(rnd::bernoulli(mx::array(1.0f)).item<bool>());
  EXPECT_FALSE(rnd::bernoulli(mx::array(0.0f)).item<bool>());
  EXPECT_EQ(rnd::bernoulli(mx::array(0.5f, mx::float16)).dtype(), mx::bool_);
  auto p = mx::array({0.1f, 0.2f, 0.3f}, {1, 3});
  EXPECT_EQ(rnd::bernoulli(p, {4, 3}).shape(), (mx::Shape{4, 3}));
  EXPECT_EQ(rnd::bernoulli(mx::array(std::initializer_list<float>{})).size(), 0u);

  auto k = rnd::key(17);
  auto v = values<bool>(rnd::bernoulli(0.3f, {100000}, k));
  const double rate = std::count(v.begin(), v.end(), true) / 1e5;
  EXPECT_NEAR(rate, 0.3, 5 * std::sqrt(0.3 * 0.7 / 1e5));
  // bits < p * nextafter(2^32, inf), in float32.
  auto b = values<uint32_t>(rnd::bits({100000}, k));
  const float t = 0.3f * std::nextafter(4294967296.0f, 1e30f);
  for (size_t i = 0; i < b.size(); ++i) ASSERT_EQ(v[i], static_cast<float>(b[i]) < t) << i;
}

TEST(RandomBernoulli, Errors) {
  auto p = mx::array({0.1f, 0.2f, 0.3f});
  auto m = invalid_argument_message([&] { rnd::bernoulli(p, {2}); });
  EXPECT_TRUE(contains(m, "[bernoulli]") && contains(m, "(3,)") && contains(m, "(2,)")) << m;
  m = invalid_argument_message([] { rnd::bernoulli(mx::array(std::initializer_list<float>{}), {3, 3}); });
  EXPECT_TRUE(contains(m, "[bernoulli]")) << m;
  m = invalid_argument_message([] { rnd::bernoulli(mx::array(1, mx::int32)); });
  EXPECT_TRUE(contains(m, "[bernoulli] bernoulli probability `p` must be a float type")) << m;
  m = invalid_argument_message([] { rnd::bernoulli(0, {2}); });
  EXPECT_TRUE(contains(m, "[bernoulli]")) << m;
  m = invalid_argument_message([] { rnd::bernoulli(mx::array(0.5f), mx::array({0, 0}, {1, 2})); });
  EXPECT_TRUE(contains(m, "[bernoulli] Expected key")) << m;
}

// ---- truncated_normal --------------------------------------------------------------------------

TEST(RandomTruncatedNormal, BoundsShapesDtypes) {
  auto a = rnd::truncated_normal(mx::array(-2.0f), mx::array(2.0f));
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(a.dtype(), mx::float32);
  EXPECT_EQ(rnd::truncated_normal(mx::array(-2.0f), mx::array(2.0f), {}, mx::float16).dtype(), mx::float16);
  EXPECT_EQ(rnd::truncated_normal(mx::array(-2.0f), mx::array(2.0f), {3, 4}).shape(), (mx::Shape{3, 4}));
  EXPECT_EQ(rnd::truncated_normal(mx::array(std::initializer_list<float>{}),
                                  mx::array(std::initializer_list<float>{}))
                .size(),
            0u);
  auto lower = mx::array({-2.0f, 0.0f}, {1, 2});
  auto upper = mx::array({0.0f, 1.0f, 2.0f}, {3, 1});
  auto x = rnd::truncated_normal(lower, upper, mx::float32, rnd::key(1));
  EXPECT_EQ(x.shape(), (mx::Shape{3, 2}));
  auto xv = values<float>(x);
  const float lo[2] = {-2, 0}, hi[3] = {0, 1, 2};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) {
      float v = xv[r * 2 + c];
      EXPECT_TRUE(v >= lo[c] && v <= std::max(lo[c], hi[r])) << v;
    }
  for (float v : values<float>(rnd::truncated_normal(mx::array(2.0f), mx::array(-2.0f), {10})))
    EXPECT_EQ(v, 2.0f);
  // Samples in [-1, 1] of a standard normal: variance 0.2911 (exact for the truncation).
  auto s = to_doubles(rnd::truncated_normal(mx::array(-1.0f), mx::array(1.0f), {100000}, mx::float32, rnd::key(2)));
  for (double v : s) ASSERT_TRUE(v >= -1 && v <= 1);
  EXPECT_NEAR(mean_of(s), 0.0, 0.01);
  EXPECT_NEAR(var_of(s), 0.29112, 0.01);
}

TEST(RandomTruncatedNormal, Errors) {
  auto m = invalid_argument_message(
      [] { rnd::truncated_normal(mx::array({-2.0f, -1.0f}), mx::array({1.0f, 2.0f, 3.0f})); });
  EXPECT_TRUE(contains(m, "[truncated_normal]")) << m;
  m = invalid_argument_message([] {
    rnd::truncated_normal(mx::array({-2.0f, 0.0f}, {1, 2}), mx::array({0.0f, 1.0f, 2.0f}, {3, 1}), {4, 2});
  });
  EXPECT_TRUE(contains(m, "[truncated_normal] Cannot generate random values of shape (4,2)")) << m;
  m = invalid_argument_message([] { rnd::truncated_normal(mx::array(-1.0f), mx::array(1.0f), {}, mx::int32); });
  EXPECT_TRUE(contains(m, "[truncated_normal]") && contains(m, "int32")) << m;
  m = invalid_argument_message([] {
    rnd::truncated_normal(mx::array(-2.0f), mx::array(2.0f), {1, 1}, mx::float32, mx::array({0, 0}, {1, 2}));
  });
  EXPECT_TRUE(contains(m, "[truncated_normal] Expected key")) << m;
}

// ---- gumbel ----------------------------------------------------------------------------------

TEST(RandomGumbel, MeanDtypeAndDefinition) {
  auto g = rnd::gumbel({100, 1000}, mx::float32, rnd::key(8));
  EXPECT_EQ(g.shape(), (mx::Shape{100, 1000}));
  EXPECT_EQ(g.dtype(), mx::float32);
  auto v = to_doubles(g);
  // Mean is the Euler-Mascheroni constant, variance pi^2 / 6.
  EXPECT_NEAR(mean_of(v), 0.5772157, 5 * 1.2825 / std::sqrt(1e5));
  EXPECT_NEAR(var_of(v), M_PI * M_PI / 6, 0.05);
  auto u = values<float>(rnd::uniform({1000}, rnd::key(8)));
  auto g2 = values<float>(rnd::gumbel({1000}, mx::float32, rnd::key(8)));
  auto ref = values<float>(mx::negative(mx::log(mx::negative(mx::log(mx::array(u.begin(), {1000}))))));
  EXPECT_EQ(g2, ref);
  EXPECT_EQ(rnd::gumbel({3}, mx::bfloat16).dtype(), mx::bfloat16);
  EXPECT_EQ(rnd::gumbel({0}).size(), 0u);
  auto m = invalid_argument_message([] { rnd::gumbel({2}, mx::int32); });
  EXPECT_TRUE(contains(m, "[gumbel]")) << m;
}

// ---- categorical -------------------------------------------------------------------------------

TEST(RandomCategorical, Shapes) {
  auto logits = mx::zeros({10, 20});
  EXPECT_EQ(rnd::categorical(logits, -1).shape(), mx::Shape{10});
  EXPECT_EQ(rnd::categorical(logits, 0).shape(), mx::Shape{20});
  EXPECT_EQ(rnd::categorical(logits, 1).shape(), mx::Shape{10});
  auto out = rnd::categorical(logits);
  EXPECT_EQ(out.dtype(), mx::uint32);
  for (auto v : values<uint32_t>(out)) EXPECT_LT(v, 20u);
  out = rnd::categorical(logits, 0, mx::Shape{5, 20});
  EXPECT_EQ(out.shape(), (mx::Shape{5, 20}));
  for (auto v : values<uint32_t>(out)) EXPECT_LT(v, 10u);
  EXPECT_EQ(rnd::categorical(logits, 1, 7).shape(), (mx::Shape{10, 7}));
  EXPECT_EQ(rnd::categorical(logits, 0, 7).shape(), (mx::Shape{20, 7}));
  EXPECT_EQ(rnd::categorical(mx::zeros({0, 4})).shape(), mx::Shape{0});
  EXPECT_EQ(rnd::categorical(mx::zeros({3, 4}), -1, 0).shape(), (mx::Shape{3, 0}));
}

TEST(RandomCategorical, Frequencies) {
  // Two distributions (rows); each column of samples is one draw per row.
  const std::vector<float> probs = {0.1f, 0.2f, 0.7f, 0.5f, 0.25f, 0.25f};
  std::vector<float> lp(probs.size());
  for (size_t i = 0; i < probs.size(); ++i) lp[i] = std::log(probs[i]);
  auto logits = mx::array(lp.begin(), {2, 3});
  const int n = 30000;
  auto s = values<uint32_t>(rnd::categorical(logits, 1, n, rnd::key(12)));
  for (int row = 0; row < 2; ++row) {
    int count[3] = {0, 0, 0};
    for (int i = 0; i < n; ++i) ++count[s[row * n + i]];
    for (int c = 0; c < 3; ++c) {
      const double p = probs[row * 3 + c];
      EXPECT_NEAR(count[c] / double(n), p, 5 * std::sqrt(p * (1 - p) / n)) << row << " " << c;
    }
  }
  // A single possible class is always drawn.
  const float inf = std::numeric_limits<float>::infinity();
  auto only = rnd::categorical(mx::array({-inf, 0.0f, -inf, -inf}), -1, 50, rnd::key(1));
  for (auto v : values<uint32_t>(only)) EXPECT_EQ(v, 1u);
}

TEST(RandomCategorical, Errors) {
  auto logits = mx::zeros({10, 20});
  auto m = invalid_argument_message([&] { rnd::categorical(logits, 2); });
  EXPECT_EQ(m, "[categorical] Invalid axis 2 for logits with 2 dimensions.");
  m = invalid_argument_message([&] { rnd::categorical(logits, -3); });
  EXPECT_TRUE(contains(m, "[categorical] Invalid axis -3")) << m;
  m = invalid_argument_message([&] { rnd::categorical(logits, 1, mx::Shape{11}); });
  EXPECT_TRUE(contains(m, "[categorical] Requested shape (11,)")) << m;
  m = invalid_argument_message([&] { rnd::categorical(logits, 1, mx::Shape{1}); });
  EXPECT_TRUE(contains(m, "[categorical]")) << m;
  m = invalid_argument_message([&] { rnd::categorical(logits, 1, -1); });
  EXPECT_TRUE(contains(m, "[categorical]") && contains(m, "-1")) << m;
  m = invalid_argument_message([] { rnd::categorical(mx::zeros({3, 0})); });
  EXPECT_TRUE(contains(m, "[categorical]")) << m;
}

// ---- laplace ---------------------------------------------------------------------------------

TEST(RandomLaplace, StatisticsAndParameters) {
  auto k = rnd::key(0);
  auto a = rnd::laplace({}, k);
  EXPECT_EQ(a.shape(), mx::Shape{});
  EXPECT_EQ(a.dtype(), mx::float32);
  EXPECT_EQ(rnd::laplace({}, k).item<float>(), a.item<float>());
  auto v = to_doubles(rnd::laplace({100000}, rnd::key(21)));
  EXPECT_NEAR(mean_of(v), 0.0, 5 * std::sqrt(2 / 1e5));
  EXPECT_NEAR(var_of(v), 2.0, 0.1);
  // Median of |x| is log 2.
  std::vector<double> av(v.size());
  std::transform(v.begin(), v.end(), av.begin(), [](double x) { return std::abs(x); });
  std::nth_element(av.begin(), av.begin() + av.size() / 2, av.end());
  EXPECT_NEAR(av[av.size() / 2], std::log(2.0), 0.02);

  auto x = to_doubles(rnd::laplace({3, 2}, 1.0f, 2.0f, k));
  auto y = to_doubles(rnd::laplace({3, 2}, k));
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], 2 * y[i] + 1, 1e-5);
  for (auto dt : {mx::float16, mx::bfloat16}) {
    auto h = rnd::laplace({10000}, dt, rnd::key(2));
    EXPECT_EQ(h.dtype(), dt);
    for (double d : to_doubles(h)) ASSERT_TRUE(std::isfinite(d));
  }
  EXPECT_EQ(rnd::laplace({0, 2}).size(), 0u);
  auto m = invalid_argument_message([] { rnd::laplace({2}, mx::int32); });
  EXPECT_TRUE(contains(m, "[laplace]")) << m;
}

// ---- permutation -------------------------------------------------------------------------------

TEST(RandomPermutation, IsAPermutation) {
  auto p = rnd::permutation(4);
  EXPECT_EQ(p.dtype(), mx::uint32);
  auto v = values<uint32_t>(p);
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, u32({0, 1, 2, 3}));
  // argsort of the bits (stable), as MLX composes it.
  auto k = rnd::key(5);
  auto b = values<uint32_t>(rnd::bits({1000}, k));
  std::vector<uint32_t> idx(1000);
  std::iota(idx.begin(), idx.end(), 0u);
  std::stable_sort(idx.begin(), idx.end(), [&](uint32_t i, uint32_t j) { return b[i] < b[j]; });
  EXPECT_EQ(values<uint32_t>(rnd::permutation(1000, k)), idx);

  auto big = values<uint32_t>(rnd::permutation(16384, k));
  std::vector<uint32_t> ar(16384);
  std::iota(ar.begin(), ar.end(), 0u);
  EXPECT_NE(big, ar);
  std::sort(big.begin(), big.end());
  EXPECT_EQ(big, ar);
  EXPECT_EQ(rnd::permutation(0).size(), 0u);
}

TEST(RandomPermutation, OfAnArrayAlongAnAxis) {
  std::vector<float> data(2 * 3 * 4);
  std::iota(data.begin(), data.end(), 0.0f);
  auto x = mx::array(data.begin(), {2, 3, 4});
  auto k = rnd::key(3);
  for (int axis : {0, 1, 2, -1}) {
    const int ax = axis < 0 ? axis + 3 : axis;
    auto out = rnd::permutation(x, axis, k);
    EXPECT_EQ(out.shape(), x.shape());
    EXPECT_EQ(out.dtype(), mx::float32);
    // The same permutation as permutation(n) with the key, applied to slices along axis.
    auto perm = values<uint32_t>(rnd::permutation(x.shape(ax), k));
    auto o = values<float>(out);
    const int sh[3] = {2, 3, 4};
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 3; ++b)
        for (int c = 0; c < 4; ++c) {
          int src[3] = {a, b, c};
          src[ax] = static_cast<int>(perm[src[ax]]);
          ASSERT_EQ(o[(a * sh[1] + b) * sh[2] + c], data[(src[0] * sh[1] + src[1]) * sh[2] + src[2]]);
        }
  }
  // Lazy inputs, other dtypes, shape (1, 1) kept.
  auto lazy = mx::add(mx::array({1, 2, 3, 4, 5, 6, 7, 8}), 0);
  auto pv = values<int32_t>(rnd::permutation(mx::array(lazy), 0, k));
  std::sort(pv.begin(), pv.end());
  EXPECT_EQ(pv, (std::vector<int32_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  auto one = rnd::permutation(mx::array({1}, {1, 1}));
  EXPECT_EQ(one.shape(), (mx::Shape{1, 1}));
  EXPECT_EQ(one.dtype(), mx::int32);
  EXPECT_EQ(rnd::permutation(mx::zeros({0, 3}), 1).shape(), (mx::Shape{0, 3}));
}

TEST(RandomPermutation, Errors) {
  auto m = invalid_argument_message([] { rnd::permutation(-1); });
  EXPECT_TRUE(contains(m, "[permutation]") && contains(m, "-1")) << m;
  m = invalid_argument_message([] { rnd::permutation(mx::zeros({2, 2}), 2); });
  EXPECT_EQ(m, "[permutation] Invalid axis 2 for array with 2 dimensions.");
  m = invalid_argument_message([] { rnd::permutation(mx::array(1.0f)); });
  EXPECT_TRUE(contains(m, "[permutation]")) << m;
  m = invalid_argument_message([] { rnd::permutation(4, mx::array({0, 0})); });
  EXPECT_EQ(m, "[permutation] Expected key type uint32 but received int32.");
}

// ---- multivariate_normal -------------------------------------------------------------------

#if MLXPP_WITH_OPENBLAS
namespace {
// Empirical mean and covariance of rows (n_samples, d).
void moments(const std::vector<double>& x, int d, std::vector<double>& m, std::vector<double>& c) {
  const size_t rows = x.size() / d;
  m.assign(d, 0);
  c.assign(d * d, 0);
  for (size_t r = 0; r < rows; ++r)
    for (int i = 0; i < d; ++i) m[i] += x[r * d + i] / rows;
  for (size_t r = 0; r < rows; ++r)
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) c[i * d + j] += (x[r * d + i] - m[i]) * (x[r * d + j] - m[j]) / rows;
}
}  // namespace

TEST(RandomMultivariateNormal, MomentsMatch) {
  auto k = rnd::key(0);
  auto a = rnd::multivariate_normal(mx::array({0, 0}), mx::array({1, 0, 0, 1}, {2, 2}), {}, mx::float32, k);
  EXPECT_EQ(a.shape(), mx::Shape{2});
  EXPECT_EQ(a.dtype(), mx::float32);
  // Identity covariance: mean + z for the same key's standard normal draws.
  auto z = to_doubles(rnd::normal({5, 2}, k));
  auto x = to_doubles(rnd::multivariate_normal(mx::array({1.0f, -1.0f}), mx::array({1.0f, 0.0f, 0.0f, 1.0f}, {2, 2}),
                                               {5}, mx::float32, k));
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], z[i] + (i % 2 ? -1 : 1), 1e-5);

  const int n = 100000;
  std::vector<double> m, c;
  auto d2 = to_doubles(rnd::multivariate_normal(mx::array({4.0f, 7.0f}), mx::array({2.0f, 0.5f, 0.5f, 1.0f}, {2, 2}),
                                                {n}, mx::float32, k));
  moments(d2, 2, m, c);
  EXPECT_NEAR(m[0], 4.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(m[1], 7.0, 5 * std::sqrt(1.0 / n));
  const double want2[4] = {2, 0.5, 0.5, 1};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(c[i], want2[i], 0.04) << i;
  // A singular covariance (MLX's test): the SVD square root still reproduces it.
  auto d3 = to_doubles(rnd::multivariate_normal(mx::arange(3), mx::array({1.0f, -1.0f, 0.5f, -1.0f, 1.0f, -0.5f, 0.5f, -0.5f, 1.0f}, {3, 3}),
                                                {n}, mx::float32, k));
  moments(d3, 3, m, c);
  const double want3[9] = {1, -1, 0.5, -1, 1, -0.5, 0.5, -0.5, 1};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(m[i], i, 0.02);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(c[i], want3[i], 0.03) << i;
}

TEST(RandomMultivariateNormal, BatchesBroadcast) {
  auto mean = mx::array({0.0f, 7.0f, 1.0f, 2.0f, 3.0f, 4.0f}, {3, 2});
  auto cov = mx::array({1.0f, 0.5f, 0.5f, 1.0f}, {2, 2});
  auto a = rnd::multivariate_normal(mean, cov, {4, 3}, mx::float32);
  EXPECT_EQ(a.shape(), (mx::Shape{4, 3, 2}));
  // Per-batch covariances: tiny variances make each sample its batch's mean.
  auto covs = mx::array({1e-8f, 0.0f, 0.0f, 1e-8f, 4.0f, 0.0f, 0.0f, 4.0f}, {2, 1, 2, 2});
  auto b = to_doubles(rnd::multivariate_normal(mean, covs, {}, mx::float32, rnd::key(1)));
  ASSERT_EQ(b.size(), 12u);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(b[i], to_doubles(mean)[i], 1e-3);
  EXPECT_EQ(rnd::multivariate_normal(mx::zeros({0, 2}), cov, {2, 0}, mx::float32).shape(), (mx::Shape{2, 0, 2}));
}

TEST(RandomMultivariateNormal, Errors) {
  auto k = rnd::key(0);
  auto mean = mx::array({0.0f, 0.0f});
  auto cov = mx::array({1.0f, 0.0f, 0.0f, 1.0f}, {2, 2});
  for (auto dt : {mx::int32, mx::float16, mx::bfloat16, mx::uint8}) {
    auto m = invalid_argument_message([&] { rnd::multivariate_normal(mean, cov, {}, dt, k); });
    EXPECT_TRUE(contains(m, "[multivariate_normal] dtype must be float32")) << m;
  }
  auto m = invalid_argument_message([&] { rnd::multivariate_normal(mx::zeros({2, 2}), mx::zeros({2, 2}), {3}, mx::float32, k); });
  EXPECT_TRUE(contains(m, "[multivariate_normal]")) << m;
  m = invalid_argument_message([&] { rnd::multivariate_normal(mx::zeros({2}), mx::zeros({2, 2, 2}), {3}, mx::float32, k); });
  EXPECT_TRUE(contains(m, "[multivariate_normal]")) << m;
  m = invalid_argument_message([&] { rnd::multivariate_normal(mx::zeros({3}), mx::zeros({2, 2}), {}, mx::float32, k); });
  EXPECT_TRUE(contains(m, "[multivariate_normal] mean and cov must have compatible shapes")) << m;
  m = invalid_argument_message([&] { rnd::multivariate_normal(mx::zeros({2}), mx::zeros({2, 3}), {}, mx::float32, k); });
  EXPECT_TRUE(contains(m, "[multivariate_normal] last two dimensions of cov must be equal")) << m;
  m = invalid_argument_message([&] { rnd::multivariate_normal(mx::array(1.0f), cov, {}, mx::float32, k); });
  EXPECT_TRUE(contains(m, "[multivariate_normal] mean must have at least one dimension")) << m;
  m = invalid_argument_message([&] { rnd::multivariate_normal(mean, mx::zeros({2}), {}, mx::float32, k); });
  EXPECT_TRUE(contains(m, "[multivariate_normal] cov must have at least two dimensions")) << m;
}
#endif
