// SPDX-License-Identifier: MIT
// Proves fusion (STYLE rule 30: assert the fast path, not just the value): an expression
// becomes one runtime node with no temporaries, a reduction of an expression needs no
// n-element buffer, mixed-dtype trees split where the compute dtype changes, a dying
// intermediate donates its buffer, and the expression depth cap keeps deep trees right.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

constexpr int kN = 1 << 20;
constexpr size_t kBuf = static_cast<size_t>(kN) * sizeof(float);
constexpr size_t kSlack = 16 << 10;  // a few KiB for 0-d arrays and bucket rounding

uint64_t nodes_evaluated() {
  return mx::detail::eval_counters().nodes_evaluated.load();
}

// On the GPU run (tests/gpu_device.cpp) the inputs start on the device, so that their
// uploads do not count in the peaks these tests measure.
mx::array on_default_device(mx::array a) {
  if (mx::default_device() == mx::Device::gpu) {
    mx::array d = mx::copy(a);
    d.eval();
    return d;
  }
  return a;
}

mx::array filled(int n, float v) {
  std::vector<float> data(static_cast<size_t>(n), v);
  return on_default_device(mx::array(data.begin(), {n}));  // evaluated, exactly one buffer
}

mx::array ramp(int n, float scale) {
  std::vector<float> data(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) data[i] = scale * static_cast<float>(i % 1000);
  return on_default_device(mx::array(data.begin(), {n}));
}

TEST(Fusion, FiveOperandExpressionIsOneNodeAndOneBuffer) {
  mx::array a = ramp(kN, 0.5f), b = filled(kN, 2.0f), c = ramp(kN, 0.25f),
            d = filled(kN, 4.0f), e = ramp(kN, 1.0f);
  ASSERT_TRUE(a.is_available() && b.is_available() && e.is_available());
  const size_t before = mx::get_active_memory();
  mx::reset_peak_memory();
  const auto n0 = nodes_evaluated();

  mx::array r = a * b + c * d - e;
  r.eval();

  EXPECT_EQ(nodes_evaluated() - n0, 1u) << "a*b + c*d - e must be one fused node";
  const size_t peak_increase = mx::get_peak_memory() - before;
  EXPECT_GE(peak_increase, kBuf);
  EXPECT_LE(peak_increase, kBuf + kSlack)
      << "temporaries were allocated: peak rose by " << peak_increase << " bytes, one buffer is "
      << kBuf;
  const float* p = r.data<float>();
  for (int i : {0, 1, 999, 1000, 12345, kN - 1}) {
    float x = static_cast<float>(i % 1000);
    EXPECT_EQ(p[i], 0.5f * x * 2.0f + 0.25f * x * 4.0f - x) << i;
  }
}

TEST(Fusion, ReductionOfExpressionNeedsNoTemporary) {
  mx::array a = filled(kN, 1.5f), b = filled(kN, 2.0f);
  const size_t before = mx::get_active_memory();
  mx::reset_peak_memory();
  const auto n0 = nodes_evaluated();

  mx::array s = mx::sum(a * b);
  s.eval();

  EXPECT_EQ(nodes_evaluated() - n0, 1u) << "sum(a*b) must be one node";
  const size_t peak_increase = mx::get_peak_memory() - before;
  EXPECT_LT(peak_increase, kBuf / 4)
      << "a*b was materialised: peak rose by " << peak_increase << " bytes";
  EXPECT_EQ(s.item<float>(), 3.0f * kN);  // exact: every partial sum is an integer < 2^24
}

TEST(Fusion, ReductionAlongAnAxisOfExpressionNeedsNoTemporary) {
  // 1024 x 1024 views through the iterator constructor (no reshape needed).
  std::vector<float> av(kN), bv(kN);
  for (int i = 0; i < kN; ++i) av[i] = static_cast<float>(i % 7), bv[i] = 0.5f;
  mx::array a2 = on_default_device(mx::array(av.begin(), {1024, 1024}));
  mx::array b2 = on_default_device(mx::array(bv.begin(), {1024, 1024}));
  const size_t before = mx::get_active_memory();
  mx::reset_peak_memory();
  const auto n0 = nodes_evaluated();
  mx::array s = mx::sum(a2 * b2 + 1.0f, 1);
  s.eval();
  EXPECT_EQ(nodes_evaluated() - n0, 1u);
  EXPECT_LT(mx::get_peak_memory() - before, kBuf / 4);
  double expect = 0;
  for (int j = 0; j < 1024; ++j) expect += av[5 * 1024 + j] * 0.5 + 1.0;
  EXPECT_NEAR(s.data<float>()[5], expect, 1e-3);
}

TEST(Fusion, MixedDtypeTreeSplitsWhereComputeDtypeChanges) {
  const int n = 1000;
  std::vector<int32_t> iv(n), jv(n);
  std::vector<float> xv(n);
  for (int i = 0; i < n; ++i) {
    iv[i] = i % 5 - 2;
    jv[i] = (i * 7) % 3;
    xv[i] = 0.25f * static_cast<float>(i % 9);
  }
  mx::array ai(iv.begin(), {n}), bi(jv.begin(), {n}), x(xv.begin(), {n});
  const auto n0 = nodes_evaluated();
  mx::array r = mx::exp(ai + bi) * x;
  EXPECT_EQ(r.dtype(), mx::float32);
  r.eval();
  EXPECT_EQ(nodes_evaluated() - n0, 2u) << "the int32 subtree is its own node, the rest one";
  const float* p = r.data<float>();
  for (int i = 0; i < n; ++i)
    ASSERT_NEAR(p[i], std::exp(static_cast<float>(iv[i] + jv[i])) * xv[i],
                1e-6f * std::exp(4.0f) * 2.0f)
        << i;
}

TEST(Fusion, IntegerExpressionIsOneNode) {
  std::vector<int32_t> iv{1, -2, 3, 100000}, jv{4, 5, -6, 100000};
  mx::array a(iv.begin(), {4}), b(jv.begin(), {4});
  const auto n0 = nodes_evaluated();
  mx::array r = a * b + a - 3;
  r.eval();
  EXPECT_EQ(nodes_evaluated() - n0, 1u);
  EXPECT_EQ(r.dtype(), mx::int32);
  const int32_t* p = r.data<int32_t>();
  EXPECT_EQ(p[0], 1 * 4 + 1 - 3);
  EXPECT_EQ(p[1], -2 * 5 - 2 - 3);
  EXPECT_EQ(p[2], 3 * -6 + 3 - 3);
  // 10^10 wraps in int32 exactly as int32 arithmetic does.
  EXPECT_EQ(p[3], static_cast<int32_t>(static_cast<uint32_t>(
                      static_cast<int64_t>(100000) * 100000 + 100000 - 3)));
}

TEST(Fusion, BroadcastOperandsFuse) {
  std::vector<float> rowv{1, 2, 3, 4}, colv{10, 20, 30};
  mx::array row(rowv.begin(), {1, 4}), col(colv.begin(), {3, 1});
  const auto n0 = nodes_evaluated();
  mx::array r = row * col + 1.0f;
  r.eval();
  EXPECT_EQ(nodes_evaluated() - n0, 1u);
  EXPECT_EQ(r.shape(), mx::Shape({3, 4}));
  const float* p = r.data<float>();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_EQ(p[i * 4 + j], rowv[j] * colv[i] + 1.0f);
}

// Buffer donation: an intermediate that dies during evaluation passes its buffer on.
TEST(Fusion, DyingIntermediateDonatesItsBuffer) {
  mx::array a = filled(kN, 3.0f);
  mx::array u;
  {
    mx::array t = a * 2.0f;
    u = t + 1.0f;
  }  // t is now held only by u's node
  const size_t before = mx::get_active_memory();
  mx::reset_peak_memory();
  u.eval();
  const size_t peak_increase = mx::get_peak_memory() - before;
  // With donation u reuses t's buffer: one new buffer. Without it, t and u coexist: two.
  EXPECT_LE(peak_increase, kBuf + kSlack)
      << "no donation: peak rose by " << peak_increase << " bytes (" << peak_increase / kBuf
      << " buffers)";
  EXPECT_EQ(mx::get_active_memory() - before, kBuf);
  EXPECT_EQ(u.data<float>()[0], 7.0f);
  EXPECT_EQ(u.data<float>()[kN - 1], 7.0f);
  EXPECT_EQ(a.data<float>()[0], 3.0f) << "a is held by the caller and must not be donated";
}

TEST(Fusion, DonationReusesTheSamePointer) {
  mx::array a = filled(kN, 1.0f);
  mx::array t = a + 1.0f;
  t.eval();
  const void* tp = t.data<float>();
  mx::array u = std::move(t) * 3.0f;  // u's node is now t's only holder
  u.eval();
  EXPECT_EQ(static_cast<const void*>(u.data<float>()), tp);
  EXPECT_EQ(u.data<float>()[kN / 2], 6.0f);
}

TEST(Fusion, ChainOfDyingIntermediatesUsesOneBuffer) {
  mx::array a = filled(kN, 1.0f);
  mx::array v;
  {
    mx::array t1 = a * 2.0f;
    mx::array t2 = t1 + 1.0f;
    mx::array t3 = mx::exp(t2) - 1.0f;
    v = t3 * 0.5f;
  }
  const size_t before = mx::get_active_memory();
  mx::reset_peak_memory();
  v.eval();
  // Naively t1, t2, t3 and v would all be live (4 buffers); freeing alone gives 2.
  EXPECT_LE(mx::get_peak_memory() - before, kBuf + kSlack);
  EXPECT_FLOAT_EQ(v.data<float>()[17], (std::exp(3.0f) - 1.0f) * 0.5f);
}

TEST(Fusion, HeldIntermediateIsNotDonated) {
  mx::array a = filled(4, 1.0f);
  mx::array t = a * 2.0f;
  mx::array u = t + 1.0f;  // t still held by the caller
  u.eval();
  EXPECT_NE(static_cast<const void*>(u.data<float>()), static_cast<const void*>(t.data<float>()));
  EXPECT_EQ(t.data<float>()[0], 2.0f) << "t was overwritten by its user";
  EXPECT_EQ(u.data<float>()[0], 3.0f);
  EXPECT_EQ(a.data<float>()[3], 1.0f);
}

TEST(Fusion, NoDonationAcrossDtypesOrShapes) {
  mx::array a = filled(8, 1.5f);
  mx::array u;
  {
    mx::array t = a * 2.0f;                    // float32
    u = mx::astype(t, mx::int32) + 1;          // int32 result: must not take t's buffer
  }
  u.eval();
  EXPECT_EQ(u.dtype(), mx::int32);
  EXPECT_EQ(u.data<int32_t>()[7], 4);

  std::vector<float> one{2.0f};
  mx::array s(one.begin(), {1});
  mx::array w;
  {
    mx::array t = s * 1.0f;                    // 1 element
    w = t + a;                                 // broadcast to 8 elements
  }
  EXPECT_EQ(w.shape(), mx::Shape({8}));
  w.eval();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(w.data<float>()[i], 3.5f);
}

TEST(Fusion, DeepExpressionInOneStatement) {
  // 40 operations deep, in one statement: past the compile-time depth cap the tree is cut
  // into runtime nodes; it must compile and give the right values.
  mx::array x = filled(1000, 0.5f);
  const auto n0 = nodes_evaluated();
  // STEP is two operations: STEP nested 20 times is 40 operations deep in one statement.
#define MLXPP_TEST_STEP(e) (((e) + 1.0f) * 1.0f)
  mx::array r = MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(
      MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(
          MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(
              MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(MLXPP_TEST_STEP(
                  MLXPP_TEST_STEP(MLXPP_TEST_STEP(x))))))))))))))))))));
#undef MLXPP_TEST_STEP
  r.eval();
  const auto nodes = nodes_evaluated() - n0;
  EXPECT_GE(nodes, 1u);
  EXPECT_LE(nodes, 3u) << "40 operations should fuse into ceil(40 / 16) nodes at most";
  for (int i : {0, 500, 999}) EXPECT_EQ(r.data<float>()[i], 20.5f);
}

TEST(Fusion, DeepMixedExpression) {
  mx::array x = filled(100, 0.25f);
  auto e = mx::exp(mx::log(x + 1.0f)) - 1.0f;  // x
  auto f = mx::sqrt(mx::square(e * 2.0f)) / 2.0f;  // x
  auto g = -(-(f + f - f) * 1.0f);  // x
  auto h = mx::maximum(mx::minimum(g, 10.0f), -10.0f) + mx::abs(g) - g;  // x
  auto k = h * h + h - h * h;                                          // x
  mx::array r = k + k - k + 0.0f;
  r.eval();
  EXPECT_NEAR(r.data<float>()[42], 0.25f, 1e-5f);
}

TEST(Fusion, ExpressionConvertedOnceEvaluatesOnce) {
  mx::array a = filled(16, 2.0f);
  mx::array c = a * a;  // one node
  auto n0 = nodes_evaluated();
  mx::array u = c + 1.0f, w = c - 1.0f;
  mx::eval(u, w);
  EXPECT_EQ(nodes_evaluated() - n0, 3u) << "c must not be recomputed inside u and w";
  EXPECT_EQ(u.data<float>()[0], 5.0f);
  EXPECT_EQ(w.data<float>()[0], 3.0f);
}

}  // namespace
