// SPDX-License-Identifier: MIT
// Tests for ops/quantized.hpp: packed words of hand-made inputs (derivations in comments)
// and of a fixture computed with an independent Python port of MLX's CPU quantize kernel;
// the constant-group edge case; round-trip error bounds for every bits/group size;
// dequantize rounding in the scales' dtype; quantized_matmul against matmul of the
// dequantized weights (transpose true/false, batched, broadcast, 1-d x, views, all float
// dtypes); gather_qmm against a loop of quantized_matmul; empty shapes; the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"
#include "mlx/ops/matmul.hpp"     // until mlx.hpp includes it
#include "mlx/ops/quantized.hpp"  // until mlx.hpp includes it

namespace mx = mlx::core;

namespace {

using mlxtest::to_doubles;

std::vector<uint32_t> words(mx::array a) {
  a.eval();
  a = mx::cpu::ensure_row_contiguous(a);
  const uint32_t* p = a.data<uint32_t>();
  return std::vector<uint32_t>(p, p + a.size());
}

mx::array from(const std::vector<float>& v, const mx::Shape& shape, mx::Dtype t = mx::float32) {
  mx::array a(v.data(), shape);
  return t == mx::float32 ? a : mx::array(mx::astype(a, t));
}

/// n deterministic values in about [-2, 2] (not multiples of a power of two).
std::vector<float> noise(int64_t n, int seed) {
  std::vector<float> v(static_cast<size_t>(n));
  uint32_t st = 2463534242u + static_cast<uint32_t>(seed) * 7919u;
  for (auto& x : v) {
    st ^= st << 13;
    st ^= st >> 17;
    st ^= st << 5;
    x = static_cast<float>(st % 100000) / 25000.0f - 2.0f;
  }
  return v;
}

void expect_close(const mx::array& got, const mx::array& want, double rtol, double atol) {
  ASSERT_EQ(got.shape(), want.shape());
  auto g = to_doubles(got), w = to_doubles(want);
  for (size_t i = 0; i < g.size(); ++i)
    ASSERT_NEAR(g[i], w[i], atol + rtol * std::abs(w[i])) << "at " << i;
}

// ---- packing: hand-derived words ---------------------------------------------------------

TEST(Quantize, FourBitHandPacked) {
  // w = 0, 1, ..., 15, 0, 1, ..., 15 (one group of 32). min 0, max 15: |min| > |max| is
  // false, so scale = -(15 - 0) / 15 = -1 and the edge is max = 15; q0 = rint(15 / -1) =
  // -15 != 0 so scale = 15 / -15 = -1 and bias = 15. Codes q = rint((w - 15) / -1) =
  // 15 - w: 15, 14, ..., 0 twice. Eight 4-bit codes per word, the first in the low
  // nibble: word 0 = codes 15..8 = 0x89ABCDEF, word 1 = codes 7..0 = 0x01234567.
  std::vector<float> v(32);
  for (int j = 0; j < 32; ++j) v[j] = static_cast<float>(j % 16);
  auto q = mx::quantize(from(v, {1, 32}), 32, 4);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].dtype(), mx::uint32);
  EXPECT_EQ(q[0].shape(), (mx::Shape{1, 4}));
  EXPECT_EQ(q[1].shape(), (mx::Shape{1, 1}));
  EXPECT_EQ(words(q[0]), (std::vector<uint32_t>{0x89ABCDEFu, 0x01234567u, 0x89ABCDEFu, 0x01234567u}));
  EXPECT_EQ(to_doubles(q[1]), std::vector<double>{-1.0});
  EXPECT_EQ(to_doubles(q[2]), std::vector<double>{15.0});
  EXPECT_EQ(to_doubles(mx::dequantize(q[0], q[1], q[2], 32, 4)), to_doubles(from(v, {1, 32})));
}

TEST(Quantize, ThreeBitHandPackedAcrossWords) {
  // w = 0, -1, ..., -7 repeated (32 values). min -7 has the larger magnitude: scale =
  // 7 / 7 = 1, edge = -7, q0 = -7, so scale = -7 / -7 = 1 and bias = -7; codes = w + 7 =
  // 7, 6, ..., 0 repeated. Code e sits at stream bits [3e, 3e + 3) (MLX writes 8 codes as 3
  // little-endian bytes), so 8 codes form the 24-bit pattern
  // P = 7 | 6 << 3 | 5 << 6 | 4 << 9 | 3 << 12 | 2 << 15 | 1 << 18 = 0x053977, repeated 4 times
  // over 96 bits: word 0 = P | (P & 0xFF) << 24 = 0x77053977; word 1 = P >> 8 | (P & 0xFFFF) << 16
  // = 0x39770539; word 2 = P >> 16 | P << 8 = 0x05397705.
  std::vector<float> v(32);
  for (int j = 0; j < 32; ++j) v[j] = -static_cast<float>(j % 8);
  auto q = mx::quantize(from(v, {1, 32}), 32, 3);
  EXPECT_EQ(q[0].shape(), (mx::Shape{1, 3}));
  EXPECT_EQ(words(q[0]), (std::vector<uint32_t>{0x77053977u, 0x39770539u, 0x05397705u}));
  EXPECT_EQ(to_doubles(q[1]), std::vector<double>{1.0});
  EXPECT_EQ(to_doubles(q[2]), std::vector<double>{-7.0});
  EXPECT_EQ(to_doubles(mx::dequantize(q[0], q[1], q[2], 32, 3)), to_doubles(from(v, {1, 32})));
}

TEST(Quantize, SixBitHandPackedAcrossWords) {
  // w = 0, 63, 2, 3, ..., 31. min 0, max 63: scale = -63 / 63 = -1, edge 63, bias 63, codes
  // 63 - w = 63, 0, 61, 60, ..., 32. Code e at stream bits [6e, 6e + 6) (MLX: 4 codes in 3
  // bytes): word 0 = 63 | 0 << 6 | 61 << 12 | 60 << 18 | 59 << 24 | (58 & 3) << 30 =
  // 0xBBF3D03F; word 1 starts with 58 >> 2 = 14, then 57 << 4, 56 << 10, 55 << 16, 54 << 22,
  // (53 & 0xF) << 28 = 0x5DB7E39E; the rest continue the same stream.
  std::vector<float> v(32);
  for (int j = 0; j < 32; ++j) v[j] = static_cast<float>(j);
  v[1] = 63;
  auto q = mx::quantize(from(v, {1, 32}), 32, 6);
  EXPECT_EQ(words(q[0]), (std::vector<uint32_t>{0xbbf3d03fu, 0x5db7e39eu, 0xc31cb3d3u,
                                                0xabb2dbafu, 0x59a7a29au, 0x8218a392u}));
  EXPECT_EQ(to_doubles(q[1]), std::vector<double>{-1.0});
  EXPECT_EQ(to_doubles(q[2]), std::vector<double>{63.0});
}

TEST(Quantize, ConstantAndZeroGroups) {
  // A constant group: max == min, so scale = max(0, 1e-7) = 1e-7, negated (|min| > |max| is
  // false) and edge = 0.5; q0 = rint(0.5 / -1e-7) != 0, so bias = 0.5 exactly and every code
  // is rint(0 / scale) = 0. An all-zero group has q0 = 0: bias 0, scale stays -1e-7.
  std::vector<float> v(64, 0.5f);
  for (int j = 32; j < 64; ++j) v[j] = 0.0f;
  auto q = mx::quantize(from(v, {1, 64}), 32, 4);
  EXPECT_EQ(words(q[0]), std::vector<uint32_t>(8, 0u));
  auto s = to_doubles(q[1]), b = to_doubles(q[2]);
  EXPECT_EQ(b, (std::vector<double>{0.5, 0.0}));
  EXPECT_NEAR(s[0], -1e-7, 1e-12);
  EXPECT_EQ(s[1], static_cast<double>(-1e-7f));
  EXPECT_EQ(to_doubles(mx::dequantize(q[0], q[1], q[2], 32, 4)), to_doubles(from(v, {1, 64})));
}

// ---- packing: fixture from an independent port of MLX's kernel --------------------------

struct Packed {
  int bits;
  std::vector<uint32_t> words;
  std::vector<float> scales, biases;
};

// Generated once with python3-numpy by a port of MLX's CPU quantize (float32 math, 3/5/6-bit
// packs written byte by byte as MLX does) for w (2, 64), w[i] = ((i * 37) % 101 - 50) / 64,
// group size 32.
const std::vector<Packed>& fixture() {
  static const std::vector<Packed> f = {
      {2, {0xb6dcb6dfu, 0xc72db72du, 0xdb6dcb6du, 0xdcb2db72u, 0xe78e379eu, 0xe379e78du, 0xde78d379u, 0x9e379e78u},
       {-0.390625f, -0.3828125f, 0.3828125f, 0.390625f},
       {0.78125f, 0.765625f, -0.765625f, -0.78125f}},
      {3, {0xf078ceafu, 0x50f19d5eu, 0xa1e33abdu, 0x7bc2733au, 0xf543c675u, 0xea878ceau, 0x7315787cu, 0xe62af578u, 0xf067eaf0u, 0xe1cc55e1u, 0xc398abd5u, 0x87319fabu},
       {-0.1953125f, -0.19140625f, 0.19140625f, 0.1953125f},
       {0.78125f, 0.765625f, -0.765625f, -0.78125f}},
      {4, {0x7d38e4afu, 0x8e4af5b1u, 0x9f5b06c2u, 0xa06c28d3u, 0xb17d39f4u, 0xd28e4af5u, 0xe39f5b07u, 0xf4a06c28u, 0x0a4f93d7u, 0xf93e82c6u, 0xe82d70b5u, 0xd71b5fa4u, 0xc60a4f93u, 0xb5f93d82u, 0xa4e82c60u, 0x83d71b5fu},
       {-0.09765625f, -0.095703125f, 0.095703125f, 0.09765625f},
       {0.78125f, 0.765625f, -0.765625f, -0.78125f}},
      {5, {0x8b1ea29fu, 0x3faec276u, 0xb724870fu, 0x66979550u, 0xa01981bfu, 0x9da2c7a8u, 0xc453ebb8u, 0x582dc921u, 0x6fd9e7f5u, 0xf26a0660u, 0x53e91b4eu, 0xb78f0c05u, 0x86cafccfu, 0x88e40996u, 0xd38575feu, 0x0144f625u, 0x236de3c3u, 0x65a1aabdu, 0x7f99f902u, 0x8974e159u},
       {-0.048828125f, -0.0478515625f, 0.0478515625f, 0.048828125f},
       {0.78125f, 0.765625f, -0.765625f, -0.78125f}},
      {6, {0xa2e91a3fu, 0x5b447332u, 0x8383e6f9u, 0xeb09ac48u, 0xed8d93c4u, 0xa4062f19u, 0x342a3ed1u, 0x7fd6b847u, 0xc888793eu, 0x7d52c09au, 0x01dfdcd9u, 0xed2a8063u, 0xbb8cbd5du, 0x7c1802a4u, 0xf653777cu, 0x32682b14u, 0xf9cfe612u, 0xd1c12e5bu, 0x2947a8cbu, 0x6786bd80u, 0xad3f2437u, 0x20231682u, 0xd57e98feu, 0x88acdc12u},
       {-0.0244140625f, -0.0239257812f, 0.0239257812f, 0.0244140625f},
       {0.78125f, 0.765625f, -0.765625f, -0.78125f}},
      {8, {0xe643a1ffu, 0x6ecd2988u, 0xf854b30fu, 0x80df3b9au, 0x0866c521u, 0x92f14dacu, 0x1a78d733u, 0xa4005fbdu, 0x2a8ced44u, 0xb81071d3u, 0x3d9eff57u, 0xcb2284e5u, 0x4fb00869u, 0xdd3596f7u, 0x61c31a7cu, 0xf047a800u, 0x8e2dd574u, 0x00a847f0u, 0x7c1ac361u, 0xf79635ddu, 0x6908b04fu, 0xe58422cbu, 0x57ff9e3du, 0xd37110b8u, 0x47ee8d2du, 0xc26100a8u, 0x34dc7b1au, 0xb04ff695u, 0x22ca6908u, 0x9d3ce483u, 0x10b756feu, 0x8b2ad271u},
       {-0.00610351562f, -0.00593507756f, 0.00593507756f, 0.0059637404f},
       {0.78125f, 0.765625f, -0.765625f, -0.78125f}},
  };
  return f;
}

TEST(Quantize, MatchesMlxKernelFixture) {
  std::vector<float> v(128);
  for (int i = 0; i < 128; ++i) v[i] = static_cast<float>((i * 37) % 101 - 50) / 64.0f;
  for (const auto& p : fixture()) {
    SCOPED_TRACE("bits " + std::to_string(p.bits));
    auto q = mx::quantize(from(v, {2, 64}), 32, p.bits);
    EXPECT_EQ(q[0].shape(), (mx::Shape{2, 2 * p.bits}));
    EXPECT_EQ(q[1].shape(), (mx::Shape{2, 2}));
    EXPECT_EQ(words(q[0]), p.words);
    EXPECT_EQ(to_doubles(q[1]), std::vector<double>(p.scales.begin(), p.scales.end()));
    EXPECT_EQ(to_doubles(q[2]), std::vector<double>(p.biases.begin(), p.biases.end()));
    // The words also decode: every code within the [0, 2^bits) range and the dequantized
    // values within one step of w.
    auto d = to_doubles(mx::dequantize(q[0], q[1], q[2], 32, p.bits));
    for (int i = 0; i < 128; ++i) EXPECT_LE(std::abs(d[i] - v[i]), std::abs(p.scales[i / 32]) * 1.0001);
  }
}

// ---- round trips ----------------------------------------------------------------------

TEST(Quantize, RoundTripErrorBoundsAllBitsAndGroups) {
  // Per group |w - dequantize(quantize(w))| <= |scale|: codes round to the nearest step,
  // except at the far edge, where re-fitting the scale to make the near edge exact can
  // leave up to one step of clamping (q0 >= 2 bounds it). Half dtypes add their rounding of
  // scale and bias (relative 2^-8 / 2^-11 of values up to n_bins * |scale| + |bias|).
  const auto v = noise(4 * 256, 1);
  for (auto dt : {mx::float32, mx::float16, mx::bfloat16})
    for (int bits : {2, 3, 4, 5, 6, 8})
      for (int gs : {32, 64, 128}) {
        SCOPED_TRACE(std::to_string(bits) + " bits, group " + std::to_string(gs));
        mx::array w = from(v, {4, 256}, dt);
        auto q = mx::quantize(w, gs, bits);
        EXPECT_EQ(q[1].dtype(), dt);
        EXPECT_EQ(q[2].dtype(), dt);
        EXPECT_EQ(q[0].shape(), (mx::Shape{4, 256 * bits / 32}));
        mx::array d = mx::dequantize(q[0], q[1], q[2], gs, bits);
        EXPECT_EQ(d.dtype(), dt);
        auto wd = to_doubles(w), dd = to_doubles(d), s = to_doubles(q[1]), b = to_doubles(q[2]);
        const double rel = dt == mx::float32 ? 1e-6 : dt == mx::float16 ? 1.0 / 1024 : 1.0 / 128;
        const double n_bins = (1 << bits) - 1;
        for (size_t i = 0; i < wd.size(); ++i) {
          const size_t g = i / gs;
          const double bound = std::abs(s[g]) * (1 + 1e-5) + rel * (n_bins * std::abs(s[g]) + std::abs(b[g]));
          ASSERT_LE(std::abs(wd[i] - dd[i]), bound) << "element " << i;
        }
      }
}

TEST(Quantize, HalfInputsComputeInFloat) {
  // The kernel reads half inputs as float and stores scale and bias rounded to w's dtype.
  const auto v = noise(2 * 128, 2);
  for (auto dt : {mx::float16, mx::bfloat16}) {
    mx::array w = from(v, {2, 128}, dt);
    auto qh = mx::quantize(w, 64, 4);
    auto qf = mx::quantize(mx::astype(w, mx::float32), 64, 4);
    EXPECT_EQ(words(qh[0]), words(qf[0]));
    EXPECT_EQ(to_doubles(qh[1]), to_doubles(mx::astype(qf[1], dt)));
    EXPECT_EQ(to_doubles(qh[2]), to_doubles(mx::astype(qf[2], dt)));
  }
}

TEST(Quantize, BatchedViewsAndEmpty) {
  // A transposed (non-contiguous) input quantizes as its row-major copy; leading dims stay.
  const auto v = noise(3 * 64 * 2, 3);
  mx::array base = from(v, {3, 64, 2});
  mx::array w = mx::transpose(base, {0, 2, 1});  // (3, 2, 64) view
  auto q = mx::quantize(w, 32, 8);
  auto qc = mx::quantize(mx::copy(w), 32, 8);
  EXPECT_EQ(q[0].shape(), (mx::Shape{3, 2, 16}));
  EXPECT_EQ(words(q[0]), words(qc[0]));
  EXPECT_EQ(to_doubles(q[1]), to_doubles(qc[1]));
  auto e = mx::quantize(mx::zeros({0, 64}), 64, 4);
  EXPECT_EQ(e[0].shape(), (mx::Shape{0, 8}));
  EXPECT_EQ(words(e[0]).size(), 0u);
  EXPECT_EQ(to_doubles(mx::dequantize(e[0], e[1], e[2])).size(), 0u);
}

// ---- dequantize -------------------------------------------------------------------------

TEST(Dequantize, RoundsInScalesDtype) {
  // MLX computes q * scale and then + bias as two float16 ops: values from numpy's float16
  // arithmetic (np.float16(np.float16(q) * s) + b) for s = float16(0.1), b = float16(1/3).
  const std::vector<double> want = {0.333251953125, 0.43310546875, 0.533203125, 0.6328125,
                                    0.7333984375, 0.8330078125, 0.9326171875, 1.033203125,
                                    1.1328125, 1.2333984375, 1.3330078125, 1.4326171875,
                                    1.5322265625, 1.6328125, 1.732421875, 1.8330078125};
  // codes 0..15 in the 32 elements of one group (then 0..15 again): words 0x76543210, 0xFEDCBA98.
  mx::array w(std::initializer_list<uint32_t>{0x76543210u, 0xFEDCBA98u, 0x76543210u, 0xFEDCBA98u},
              mx::Shape{1, 4});
  mx::array s = mx::astype(mx::array({0.1f}, {1, 1}), mx::float16);
  mx::array b = mx::astype(mx::array({1.0f / 3.0f}, {1, 1}), mx::float16);
  mx::array d = mx::dequantize(w, s, b, 32, 4);
  EXPECT_EQ(d.dtype(), mx::float16);
  EXPECT_EQ(d.shape(), (mx::Shape{1, 32}));
  auto got = to_doubles(d);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(got[i], want[i % 16]) << i;
  // dtype= converts the float16 result; mixed scales/biases promote.
  mx::array d32 = mx::dequantize(w, s, b, 32, 4, "affine", std::nullopt, mx::float32);
  EXPECT_EQ(d32.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(d32), got);
  mx::array dm = mx::dequantize(w, s, mx::astype(b, mx::float32), 32, 4);
  EXPECT_EQ(dm.dtype(), mx::float32);
}

// ---- quantized_matmul -------------------------------------------------------------------

/// quantized_matmul(x, w_q) against matmul(x, dequantize(w_q)) (transposed as needed).
void check_qmm(const mx::Shape& xs, const mx::Shape& ws, bool transpose, int gs, int bits,
               mx::Dtype dt, int seed) {
  SCOPED_TRACE("x " + std::to_string(mx::shape_size(xs)) + " bits " + std::to_string(bits) +
               " gs " + std::to_string(gs) + (transpose ? " T" : " N"));
  mx::array x = from(noise(mx::shape_size(xs), seed), xs, dt);
  mx::array w = from(noise(mx::shape_size(ws), seed + 1), ws, dt);
  auto q = mx::quantize(w, gs, bits);
  mx::array y = mx::quantized_matmul(x, q[0], q[1], q[2], transpose, gs, bits);
  mx::array wd = mx::dequantize(q[0], q[1], q[2], gs, bits);
  if (transpose) wd = mx::swapaxes(wd, -1, -2);
  mx::array ref = mx::matmul(mx::astype(x, mx::float32), mx::astype(wd, mx::float32));
  EXPECT_EQ(y.dtype(), dt);
  const int K = xs.back();
  const double tol = dt == mx::float32 ? 1e-4 : dt == mx::float16 ? 4e-3 : 2e-2;
  expect_close(y, ref, tol, tol * std::sqrt(static_cast<double>(K)));
}

TEST(QuantizedMatmul, MatchesDequantizedMatmulAllBits) {
  for (int bits : {2, 3, 4, 5, 6, 8})
    for (int gs : {32, 64, 128}) {
      check_qmm({5, 256}, {96, 256}, true, gs, bits, mx::float32, bits * 10 + gs);
      check_qmm({5, 128}, {128, 256}, false, gs, bits, mx::float32, bits * 10 + gs + 1);
    }
}

TEST(QuantizedMatmul, HalfDtypesAndTiling) {
  for (auto dt : {mx::float16, mx::bfloat16}) {
    check_qmm({3, 128}, {64, 128}, true, 64, 4, dt, 7);
    check_qmm({3, 64}, {64, 128}, false, 32, 3, dt, 8);
  }
  // Large enough for several tiles along N (about 2^18 floats per tile) and the BLAS path.
  check_qmm({17, 2048}, {320, 2048}, true, 64, 4, mx::float32, 9);
  check_qmm({9, 512}, {512, 1536}, false, 128, 6, mx::float32, 10);
}

TEST(QuantizedMatmul, BatchedBroadcastVectorAndViews) {
  check_qmm({2, 3, 4, 64}, {64, 64}, true, 32, 4, mx::float32, 11);     // x batched, w 2-d
  check_qmm({2, 1, 4, 64}, {3, 32, 64}, true, 64, 8, mx::float32, 12);  // batches broadcast
  check_qmm({64}, {48, 64}, true, 64, 4, mx::float32, 13);              // 1-d x
  check_qmm({64}, {2, 64, 64}, false, 32, 2, mx::float32, 14);          // 1-d x, batched w
  // A transposed view of x, and float32 x with float16 scales (promotes to float32).
  mx::array xb = from(noise(128 * 6, 15), {128, 6});
  mx::array x = mx::transpose(xb);  // (6, 128) view
  auto q = mx::quantize(from(noise(32 * 128, 16), {32, 128}, mx::float16), 64, 4);
  mx::array y = mx::quantized_matmul(x, q[0], q[1], q[2]);
  EXPECT_EQ(y.dtype(), mx::float32);
  // The float16 scales and biases are cast to the output dtype first (as MLX), so the
  // reference dequantizes with float32 copies of them.
  mx::array wd = mx::dequantize(q[0], mx::astype(q[1], mx::float32), mx::astype(q[2], mx::float32));
  mx::array ref = mx::matmul(mx::copy(x), mx::transpose(wd));
  expect_close(y, ref, 1e-4, 1e-3);
  EXPECT_EQ(y.shape(), (mx::Shape{6, 32}));
}

TEST(QuantizedMatmul, Empty) {
  auto q = mx::quantize(from(noise(16 * 64, 17), {16, 64}), 64, 4);
  mx::array y = mx::quantized_matmul(mx::zeros({0, 64}), q[0], q[1], q[2]);
  EXPECT_EQ(y.shape(), (mx::Shape{0, 16}));
  EXPECT_EQ(to_doubles(y).size(), 0u);
}

// ---- gather_qmm ---------------------------------------------------------------------------

TEST(GatherQMM, MatchesLoopOfQuantizedMatmul) {
  for (bool transpose : {true, false}) {
    mx::array x = from(noise(3 * 2 * 64, 20), {3, 2, 64});
    mx::Shape ws = transpose ? mx::Shape{4, 32, 64} : mx::Shape{4, 64, 32};
    auto q = mx::quantize(from(noise(4 * 64 * 32, 21), ws), 32, 4);
    mx::array li(std::initializer_list<int>{2, 0, 1, 1, 0}, mx::int32);
    mx::array ri(std::initializer_list<int>{3, 3, 0, 2, 1}, mx::int32);
    mx::array y = mx::gather_qmm(x, q[0], q[1], q[2], li, ri, transpose, 32, 4);
    EXPECT_EQ(y.shape(), (mx::Shape{5, 2, 32}));
    const int lv[] = {2, 0, 1, 1, 0}, rv[] = {3, 3, 0, 2, 1};
    for (int i = 0; i < 5; ++i) {
      auto pick = [](const mx::array& a, int k) { return mx::squeeze(mx::slice(a, {k, 0, 0}, {k + 1, a.shape(1), a.shape(2)}), 0); };
      mx::array ref = mx::quantized_matmul(pick(x, lv[i]), pick(q[0], rv[i]), pick(q[1], rv[i]),
                                           pick(q[2], rv[i]), transpose, 32, 4);
      mx::array got = mx::squeeze(mx::slice(y, {i, 0, 0}, {i + 1, 2, 32}), 0);
      expect_close(got, ref, 1e-6, 1e-6);
    }
  }
  // Only rhs_indices: lhs defaults to x's own batch (broadcast against rhs), uint32 indices.
  mx::array x = from(noise(2 * 64, 22), {2, 1, 64});
  auto q = mx::quantize(from(noise(3 * 16 * 64, 23), {3, 16, 64}), 64, 8);
  mx::array ri(std::initializer_list<uint32_t>{2, 1}, mx::Shape{2});
  mx::array y = mx::gather_qmm(x, q[0], q[1], q[2], std::nullopt, ri, true, 64, 8);
  EXPECT_EQ(y.shape(), (mx::Shape{2, 1, 16}));
  const int rv[] = {2, 1};
  for (int i = 0; i < 2; ++i) {
    auto pick = [](const mx::array& a, int k) { return mx::squeeze(mx::slice(a, {k, 0, 0}, {k + 1, a.shape(1), a.shape(2)}), 0); };
    mx::array ref = mx::quantized_matmul(pick(x, i), pick(q[0], rv[i]), pick(q[1], rv[i]), pick(q[2], rv[i]), true, 64, 8);
    expect_close(pick(y, i), ref, 1e-6, 1e-6);
  }
  // No indices: quantized_matmul (batch (1,) of x broadcasts against w's (3,)).
  mx::array x1 = mx::slice(x, {0, 0, 0}, {1, 1, 64});
  mx::array z = mx::gather_qmm(x1, q[0], q[1], q[2], std::nullopt, std::nullopt, true, 64, 8);
  EXPECT_EQ(z.shape(), (mx::Shape{3, 1, 16}));
  expect_close(z, mx::quantized_matmul(x1, q[0], q[1], q[2], true, 64, 8), 0, 0);
}

TEST(GatherQMM, OutOfRangeIndex) {
  mx::array x = from(noise(2 * 64, 24), {2, 1, 64});
  auto q = mx::quantize(from(noise(3 * 16 * 64, 25), {3, 16, 64}), 64, 4);
  mx::array ri(std::initializer_list<int>{0, 3}, mx::int32);
  mx::array y = mx::gather_qmm(x, q[0], q[1], q[2], std::nullopt, ri);
  std::string msg = mlxtest::exception_message<std::out_of_range>([&] { y.eval(); });
  EXPECT_NE(msg.find("[gather_qmm]"), std::string::npos) << msg;
}

// ---- errors -----------------------------------------------------------------------------

TEST(Quantized, Errors) {
  mx::array w = from(noise(4 * 64, 30), {4, 64});
  auto q = mx::quantize(w, 64, 4);
  mx::array x = from(noise(2 * 64, 31), {2, 64});
  auto has_impl = [](const std::string& msg, const std::string& op, const std::string& part) {
    EXPECT_EQ(msg.rfind("[" + op + "] ", 0), 0u) << msg;
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
  };
#define has(...)                 \
  do {                           \
    SCOPED_TRACE(__LINE__);      \
    has_impl(__VA_ARGS__);       \
  } while (0)
  using mlxtest::invalid_argument_message;
  // quantize
  has(invalid_argument_message([&] { mx::quantize(w, 48, 4); }), "quantize", "group size 48 is not supported");
  has(invalid_argument_message([&] { mx::quantize(w, 64, 7); }), "quantize", "bits 7 is not supported");
  has(invalid_argument_message([&] { mx::quantize(from(noise(64, 1), {2, 32}), 64, 4); }), "quantize",
      "divisible by the quantization group size 64");
  has(invalid_argument_message([&] { mx::quantize(from(noise(64, 1), {64})); }), "quantize", "at least 2 dimension");
  has(invalid_argument_message([&] { mx::quantize(mx::zeros({2, 64}, mx::int32)); }), "quantize",
      "Only real floating types can be quantized");
  has(invalid_argument_message([&] { mx::quantize(mx::zeros({2, 64}, mx::float64)); }), "quantize", "float64");
  has(invalid_argument_message([&] { mx::quantize(w, 64, 4, "mxfp4"); }), "quantize", "'mxfp4' is not implemented");
  has(invalid_argument_message([&] { mx::quantize(w, 64, 4, "bogus"); }), "quantize", "Invalid quantization mode");
  // dequantize
  has(invalid_argument_message([&] { mx::dequantize(q[0], q[1]); }), "dequantize", "Biases must be provided");
  has(invalid_argument_message([&] { mx::dequantize(q[1], q[1], q[2]); }), "dequantize", "uint32");
  has(invalid_argument_message([&] { mx::dequantize(q[0], q[1], q[2], 32, 4); }), "dequantize",
      "does not match the matrix given the quantization parameters");
  has(invalid_argument_message([&] { mx::dequantize(q[0], mx::zeros({3, 1}), q[2]); }), "dequantize",
      "Shape of scales and biases does not match");
  has(invalid_argument_message([&] { mx::dequantize(q[0], q[1], q[2], 64, 0); }), "dequantize", "Invalid value for bits");
  has(invalid_argument_message([&] { mx::dequantize(q[0], q[1], q[2], 0, 4); }), "dequantize", "Invalid value for group_size");
  has(invalid_argument_message([&] { mx::dequantize(q[0], mx::astype(q[1], mx::int32), mx::astype(q[2], mx::int32)); }), "dequantize",
      "Only real floating types");
  has(invalid_argument_message([&] { mx::dequantize(q[0], q[1], q[2], 64, 4, "affine", std::nullopt, mx::int32); }),
      "dequantize", "output dtype");
  // quantized_matmul
  has(invalid_argument_message([&] { mx::quantized_matmul(x, q[0], q[1], std::nullopt); }), "quantized_matmul",
      "Biases must be provided");
  has(invalid_argument_message([&] { mx::quantized_matmul(from(noise(2 * 32, 1), {2, 32}), q[0], q[1], q[2]); }),
      "quantized_matmul", "does not match the expanded quantized matrix");
  has(invalid_argument_message([&] { mx::quantized_matmul(x, q[0], q[1], q[2], false); }), "quantized_matmul",
      "transpose=false");
  has(invalid_argument_message([&] { mx::quantized_matmul(x, q[0], q[1], q[2], true, 32, 4); }), "quantized_matmul",
      "incompatible based on bits and group_size");
  has(invalid_argument_message([&] { mx::quantized_matmul(x, q[1], q[1], q[2]); }), "quantized_matmul",
      "should be uint32");
  has(invalid_argument_message([&] { mx::quantized_matmul(x, q[0], q[1], mx::zeros({4, 2})); }), "quantized_matmul",
      "Scales and biases should have the same shape");
  has(invalid_argument_message([&] { mx::quantized_matmul(mx::zeros({2, 64}, mx::int32), q[0], mx::astype(q[1], mx::int32), mx::astype(q[2], mx::int32)); }),
      "quantized_matmul", "Only real floating types");
  has(invalid_argument_message([&] { mx::quantized_matmul(x, q[0], q[1], q[2], true, 64, 7); }), "quantized_matmul",
      "bits 7 is not supported");
  // gather_qmm
  has(invalid_argument_message([&] { mx::gather_qmm(x, q[0], q[1], q[2], mx::array({0.5f}), std::nullopt); }), "gather_qmm",
      "lhs_indices with invalid dtype");
  has(invalid_argument_message([&] { mx::gather_qmm(from(noise(64, 1), {64}), q[0], q[1], q[2], std::nullopt, mx::array({0}, mx::int32)); }),
      "gather_qmm", "at least two dimensions");
  has(invalid_argument_message([&] { mx::gather_qmm(x, q[0], q[1], std::nullopt, std::nullopt, mx::array({0}, mx::int32)); }),
      "gather_qmm", "Biases must be provided");
#undef has
}

}  // namespace
