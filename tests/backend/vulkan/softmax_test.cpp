// SPDX-License-Identifier: MIT
// GPU softmax (backend/gpu/softmax.hpp) against the CPU: row lengths from 1 to past the
// register limit (the two-pass online form), vec4 and scalar rows, views, float16/bfloat16
// computed in float, -inf/NaN/huge values, other axes (moved last), and logsumexp.
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "../../array_values.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;

namespace {

bool gpu_ok() { return mx::vulkan::vulkan_backend() != nullptr; }

void expect_match(const mx::array& got, const mx::array& want, double tol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  auto g = to_doubles(got), w = to_doubles(want);
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(w[i]))
      EXPECT_TRUE(std::isnan(g[i])) << what << " at " << i;
    else
      EXPECT_NEAR(g[i], w[i], tol * (1 + std::abs(w[i]))) << what << " at " << i;
  }
}

mx::array normal(const mx::Shape& shape, float scale, uint64_t seed) {
  mx::array a = mx::multiply(mx::random::normal(shape, mx::float32, mx::random::key(seed)), mx::array(scale));
  a.eval();
  return a;
}

}  // namespace

TEST(GpuSoftmax, RowLengths) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  auto* b = mx::gpu::backend();
  const uint64_t fb = mx::Primitive::gpu_fallbacks().load();
  for (int n : {1, 3, 7, 8, 64, 1000, 1029, 4096, 8192, 8195, 9000, 40000}) {
    const int rows = n > 5000 ? 3 : 17;
    mx::array a = normal({rows, n}, 3.f, static_cast<uint64_t>(n));
    const uint64_t before = b->dispatches();
    mx::array g = mx::softmax(a, -1, false, mx::Device::gpu);
    g.eval();
    EXPECT_EQ(b->dispatches() - before, 1u) << n;
    expect_match(g, mx::softmax(a, -1, false, mx::Device::cpu), 1e-5, "n=" + std::to_string(n));
  }
  EXPECT_EQ(mx::Primitive::gpu_fallbacks().load(), fb);
}

TEST(GpuSoftmax, HalfPrecisionComputesInFloat) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  const auto& info = mx::gpu::backend()->info();
  for (mx::Dtype dt : {mx::float16, mx::bfloat16}) {
    if (!mx::gpu::glsl::device_supports(info, dt)) continue;
    for (int n : {5, 1000, 12000}) {
      mx::array a = mx::astype(normal({4, n}, 4.f, 3), dt);
      a.eval();
      mx::array g = mx::softmax(a, -1, true, mx::Device::gpu);
      // The CPU rounds once from float: the results agree to an ulp of the dtype.
      expect_match(g, mx::softmax(a, -1, true, mx::Device::cpu), dt == mx::float16 ? 1e-3 : 8e-3,
                   "half n=" + std::to_string(n));
    }
  }
}

TEST(GpuSoftmax, ViewsAndOtherAxes) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  mx::array a = normal({5, 6, 40}, 2.f, 4);
  std::vector<mx::array> views = {
      mx::transpose(a, {2, 0, 1}),
      mx::slice(a, {0, 1, 0}, {5, 6, 40}, {2, 2, 3}),
      mx::broadcast_to(mx::slice(a, {0, 0, 0}, {1, 6, 40}), {5, 6, 40}),
      mx::slice(a, {0, 0, 1}, {5, 6, 37}),  // rows contiguous, base not 16-byte aligned
      mx::slice(a, {4, 0, 39}, {-6, 6, -41}, {-1, 1, -1}),  // reversed rows and last axis
  };
  ASSERT_EQ(views[4].shape(), (mx::Shape{5, 6, 40}));
  for (size_t i = 0; i < views.size(); ++i)
    expect_match(mx::softmax(views[i], -1, false, mx::Device::gpu), mx::softmax(views[i], -1, false, mx::Device::cpu),
                 1e-5, "view " + std::to_string(i));
  for (int ax : {0, 1})
    expect_match(mx::softmax(a, ax, false, mx::Device::gpu), mx::softmax(a, ax, false, mx::Device::cpu), 1e-5,
                 "axis " + std::to_string(ax));
  expect_match(mx::softmax(a, std::vector<int>{0, 2}, false, mx::Device::gpu),
               mx::softmax(a, std::vector<int>{0, 2}, false, mx::Device::cpu), 1e-5, "axes {0,2}");
}

TEST(GpuSoftmax, ExtremeValues) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  const float inf = INFINITY, nan = NAN;
  mx::array a({1.f, -inf, 3.f, -inf, -inf, -inf, -inf, -inf, 1000.f, -1000.f, 0.f, 88.f, 1.f, nan, 2.f, 3.f},
              {4, 4});
  expect_match(mx::softmax(a, -1, false, mx::Device::gpu), mx::softmax(a, -1, false, mx::Device::cpu), 1e-6,
               "extremes");
  // Long rows (the online form) with -inf at the start of every thread's share, and one NaN.
  std::vector<float> v(3 * 20000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = (i % 20000) < 10000 ? -inf : static_cast<float>(i % 7);
  v[2 * 20000 + 15000] = nan;
  mx::array l(v.begin(), {3, 20000});
  expect_match(mx::softmax(l, -1, false, mx::Device::gpu), mx::softmax(l, -1, false, mx::Device::cpu), 1e-6,
               "long extremes");
}

TEST(GpuSoftmax, LogSumExp) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  mx::array a = normal({9, 3000}, 5.f, 6);
  for (int ax : {0, 1})
    expect_match(mx::logsumexp(a, ax, false, mx::Device::gpu), mx::logsumexp(a, ax, false, mx::Device::cpu), 1e-5,
                 "logsumexp axis " + std::to_string(ax));
  expect_match(mx::logsumexp(a, mx::Device::gpu), mx::logsumexp(a, mx::Device::cpu), 1e-5, "logsumexp all");
}

TEST(GpuSoftmax, NoValidationMessages) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  mx::synchronize();
  EXPECT_EQ(mx::vulkan::validation_messages().load(), 0u);
}
