// SPDX-License-Identifier: MIT
// Accuracy of the vectorised float exp/sin/cos against double-precision references.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "mlx/backend/cpu/simd_math.hpp"

namespace {

using B = xsimd::batch<float>;
constexpr int W = static_cast<int>(B::size);

// Distance in units in the last place between a and the float nearest to ref.
int64_t ulp_distance(float a, double ref) {
  float r = static_cast<float>(ref);
  if (std::isnan(a) || std::isnan(r)) return std::isnan(a) && std::isnan(r) ? 0 : INT64_MAX;
  if (std::isinf(a) || std::isinf(r)) return a == r ? 0 : INT64_MAX;
  auto key = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, 4);
    return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
  };
  return std::llabs(key(a) - key(r));
}

template <class F, class R>
int64_t max_ulp(F f, R ref, float lo, float hi, int batches, bool skip_subnormal = false) {
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> dist(lo, hi);
  alignas(64) float in[W], out[W];
  int64_t worst = 0;
  for (int b = 0; b < batches; ++b) {
    for (auto& v : in) v = dist(gen);
    f(B::load_aligned(in)).store_aligned(out);
    for (int k = 0; k < W; ++k) {
      double r = ref(static_cast<double>(in[k]));
      if (skip_subnormal && std::fpclassify(static_cast<float>(r)) == FP_SUBNORMAL) continue;
      if (std::fabs(r) < 1e-6) continue;  // near zeros of sin/cos: absolute error matters
      worst = std::max(worst, ulp_distance(out[k], r));
    }
  }
  return worst;
}

TEST(SimdMath, ExpIsWithinOneUlp) {
  auto f = [](const B& x) { return mlx::core::simd::fast_exp(x); };
  auto ref = [](double x) { return std::exp(x); };
  EXPECT_LE(max_ulp(f, ref, -103.0f, 88.7f, 20000, true), 1);
  EXPECT_LE(max_ulp(f, ref, -1.0f, 1.0f, 20000), 1);
}

TEST(SimdMath, SinCosWithinTwoUlp) {
  auto s = [](const B& x) { return mlx::core::simd::fast_sin(x); };
  auto c = [](const B& x) { return mlx::core::simd::fast_cos(x); };
  auto rs = [](double x) { return std::sin(x); };
  auto rc = [](double x) { return std::cos(x); };
  for (float range : {3.5f, 100.0f, 256.0f, 5000.0f}) {
    EXPECT_LE(max_ulp(s, rs, -range, range, 20000), 2) << "sin in +-" << range;
    EXPECT_LE(max_ulp(c, rc, -range, range, 20000), 2) << "cos in +-" << range;
  }
}

TEST(SimdMath, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  alignas(64) float in[W] = {}, out[W];
  float cases[] = {inf, -inf, nan, 0.0f, -0.0f, 88.72f, 88.73f, -103.9f, -104.0f};
  for (size_t i = 0; i < std::size(cases) && i < static_cast<size_t>(W); ++i) in[i] = cases[i];
  mlx::core::simd::fast_exp(B::load_aligned(in)).store_aligned(out);
  EXPECT_EQ(out[0], inf);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 1.0f);
  EXPECT_EQ(out[4], 1.0f);
  EXPECT_EQ(out[5], std::exp(88.72f));
  EXPECT_EQ(out[6], inf);
  EXPECT_GT(out[7], 0.0f);  // subnormal, not flushed
  EXPECT_EQ(out[8], 0.0f);
  mlx::core::simd::fast_sin(B::load_aligned(in)).store_aligned(out);
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]) && std::isnan(out[2]));
  EXPECT_EQ(out[3], 0.0f);
  EXPECT_TRUE(std::signbit(out[4]));  // sin(-0) = -0
}

}  // namespace
