// SPDX-License-Identifier: MIT
// GPU reductions (backend/gpu/reduce.hpp) against the CPU: every subset of axes of a 3-d and
// a 4-d array with and without keepdims, views (transposed, broadcast, sliced), sizes from 1
// to 2^20 (the split path), empty reductions, integer/bool/half dtypes, NaN for max/min,
// argmax/argmin ties, and the fused sum(a * b) as one dispatch (two when split).
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../../array_values.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;

namespace {

using Red = std::function<mx::array(const mx::array&, const std::vector<int>&, bool, mx::StreamOrDevice)>;

struct NamedRed {
  const char* name;
  Red f;
};

std::vector<NamedRed> reductions() {
  return {
      {"sum", [](const mx::array& a, const std::vector<int>& ax, bool k, mx::StreamOrDevice s) { return mx::sum(a, ax, k, s); }},
      {"prod", [](const mx::array& a, const std::vector<int>& ax, bool k, mx::StreamOrDevice s) { return mx::prod(a, ax, k, s); }},
      {"max", [](const mx::array& a, const std::vector<int>& ax, bool k, mx::StreamOrDevice s) { return mx::max(a, ax, k, s); }},
      {"min", [](const mx::array& a, const std::vector<int>& ax, bool k, mx::StreamOrDevice s) { return mx::min(a, ax, k, s); }},
      {"all", [](const mx::array& a, const std::vector<int>& ax, bool k, mx::StreamOrDevice s) { return mx::all(a, ax, k, s); }},
      {"any", [](const mx::array& a, const std::vector<int>& ax, bool k, mx::StreamOrDevice s) { return mx::any(a, ax, k, s); }},
  };
}

bool gpu_ok() { return mx::vulkan::vulkan_backend() != nullptr; }

uint64_t fallbacks() { return mx::Primitive::gpu_fallbacks().load(); }

/// Checks got (GPU) against want (CPU): same shape and dtype, values within tolerance (NaN
/// where the CPU has NaN).
void expect_match(const mx::array& got, const mx::array& want, double rtol, double atol,
                  const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  auto g = to_doubles(got), w = to_doubles(want);
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(w[i])) {
      EXPECT_TRUE(std::isnan(g[i])) << what << " at " << i;
    } else if (std::isinf(w[i])) {
      EXPECT_EQ(g[i], w[i]) << what << " at " << i;
    } else {
      EXPECT_NEAR(g[i], w[i], atol + rtol * std::abs(w[i])) << what << " at " << i;
    }
  }
}

std::vector<std::vector<int>> subsets(int nd) {
  std::vector<std::vector<int>> out;
  for (int m = 0; m < (1 << nd); ++m) {
    std::vector<int> ax;
    for (int d = 0; d < nd; ++d)
      if (m & (1 << d)) ax.push_back(d);
    out.push_back(ax);
  }
  return out;
}

std::string axes_str(const std::vector<int>& ax) {
  std::string s = "{";
  for (int a : ax) s += std::to_string(a) + ",";
  return s + "}";
}

/// Values near 1 (products stay finite) with some zeros (all/any see both answers).
mx::array test_values(const mx::Shape& shape, mx::Dtype dt, uint64_t seed) {
  auto key = mx::random::key(seed);
  mx::array u = mx::random::uniform(0.5f, 1.5f, shape, mx::float32, key);
  mx::array z = mx::random::uniform(0.f, 1.f, shape, mx::float32, mx::random::key(seed + 1000));
  mx::array v = mx::where(mx::less(z, mx::array(0.1f)), mx::array(0.f), u);
  if (mx::issubdtype(dt, mx::integer) || dt == mx::bool_)
    v = mx::floor(mx::multiply(v, mx::array(dt == mx::bool_ ? 1.f : 3.f)));
  mx::array r = mx::astype(v, dt);
  r.eval();
  return r;
}

void check_all_axes(const mx::Shape& shape, mx::Dtype dt, double rtol) {
  mx::array a = test_values(shape, dt, 11);
  for (auto& r : reductions())
    for (auto& ax : subsets(static_cast<int>(shape.size())))
      for (bool keep : {false, true}) {
        std::string what = std::string(r.name) + axes_str(ax) + (keep ? " keepdims" : "");
        expect_match(r.f(a, ax, keep, mx::Device::gpu), r.f(a, ax, keep, mx::Device::cpu), rtol,
                     1e-6, what);
      }
}

}  // namespace

TEST(GpuReduce, AllAxes3d) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  const uint64_t fb = fallbacks();
  check_all_axes({3, 4, 5}, mx::float32, 1e-5);
  EXPECT_EQ(fallbacks(), fb) << "a reduction ran on the CPU";
}

TEST(GpuReduce, AllAxes4d) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  const uint64_t fb = fallbacks();
  check_all_axes({2, 3, 4, 5}, mx::float32, 1e-5);
  check_all_axes({3, 1, 33, 9}, mx::float32, 1e-5);
  EXPECT_EQ(fallbacks(), fb) << "a reduction ran on the CPU";
}

TEST(GpuReduce, Dtypes) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  const auto& info = mx::gpu::backend()->info();
  for (mx::Dtype dt : {mx::bool_, mx::int8, mx::uint8, mx::int16, mx::uint16, mx::int32, mx::uint32,
                       mx::int64, mx::uint64, mx::float16, mx::bfloat16, mx::float64}) {
    if (!mx::gpu::glsl::device_supports(info, dt)) continue;
    SCOPED_TRACE(std::string("dtype ") + std::to_string(static_cast<int>(dt.val)));
    const double rtol = dt == mx::float16 ? 2e-3 : dt == mx::bfloat16 ? 1e-2 : 1e-5;
    check_all_axes({4, 5, 6}, dt, rtol);
  }
}

TEST(GpuReduce, IntegerSumsWrapLikeTheCpu) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  for (mx::Dtype dt : {mx::int8, mx::uint8, mx::int16, mx::int32}) {
    if (!mx::gpu::glsl::device_supports(mx::gpu::backend()->info(), dt)) continue;
    mx::array a = mx::astype(mx::arange(0, 3000, 7), dt);
    expect_match(mx::sum(a, mx::Device::gpu), mx::sum(a, mx::Device::cpu), 0, 0, "wrap sum");
    expect_match(mx::prod(mx::reshape(a, {-1, 3}), 1, false, mx::Device::gpu),
                 mx::prod(mx::reshape(a, {-1, 3}), 1, false, mx::Device::cpu), 0, 0, "wrap prod");
  }
  // bool sums count in int32
  mx::array b = mx::greater(mx::arange(0, 1000, 1), mx::array(300));
  mx::array s = mx::sum(b, mx::Device::gpu);
  EXPECT_EQ(s.dtype(), mx::int32);
  EXPECT_EQ(s.item<int32_t>(), 699);
}

TEST(GpuReduce, Views) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  const uint64_t fb = fallbacks();
  mx::array a = test_values({6, 7, 8}, mx::float32, 3);
  std::vector<mx::array> views = {
      mx::transpose(a, {2, 0, 1}),
      mx::slice(a, {1, 0, 2}, {5, 7, 8}, {2, 3, 1}),
      mx::broadcast_to(mx::slice(a, {0, 0, 0}, {1, 7, 8}), {6, 7, 8}),
      mx::broadcast_to(mx::reshape(mx::arange(0.5f, 1.5f, 0.125f), {1, 1, 8}), {6, 7, 8}),
      mx::slice(mx::transpose(a, {1, 0, 2}), {0, 0, 7}, {7, 6, -9}, {1, 1, -1}),  // reversed
      mx::slice(a, {0, 0, 0}, {6, 7, 8}, {1, 1, -1}),                                 // empty
      mx::slice(a, {0, 0, 1}, {6, 7, 5}),  // rows of 4 starting mid-vector (no vec4 loads)
  };
  ASSERT_EQ(views[4].shape(), (mx::Shape{7, 6, 8}));
  ASSERT_EQ(views[5].size(), 0u);
  for (size_t i = 0; i < views.size(); ++i)
    for (auto& ax : subsets(3))
      for (auto& r : reductions()) {
        if (views[i].size() == 0 && (std::string(r.name) == "max" || std::string(r.name) == "min")) continue;
        std::string what = "view " + std::to_string(i) + " " + r.name + axes_str(ax);
        expect_match(r.f(views[i], ax, false, mx::Device::gpu),
                     r.f(views[i], ax, false, mx::Device::cpu), 1e-5, 1e-6, what);
      }
  EXPECT_EQ(fallbacks(), fb);
}

TEST(GpuReduce, Sizes) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  for (int n : {1, 7, 1000, 1 << 20}) {
    mx::array a = mx::random::normal({n}, mx::float32, mx::random::key(n));
    a.eval();
    const double tol = 1e-5 * std::sqrt(static_cast<double>(n)) + 1e-5;
    expect_match(mx::sum(a, mx::Device::gpu), mx::sum(a, mx::Device::cpu), 1e-4, tol, "sum n=" + std::to_string(n));
    expect_match(mx::max(a, mx::Device::gpu), mx::max(a, mx::Device::cpu), 0, 0, "max n=" + std::to_string(n));
    expect_match(mx::min(a, mx::Device::gpu), mx::min(a, mx::Device::cpu), 0, 0, "min n=" + std::to_string(n));
    expect_match(mx::argmax(a, mx::Device::gpu), mx::argmax(a, mx::Device::cpu), 0, 0, "argmax n=" + std::to_string(n));
  }
  // Rows, columns and a wide short matrix (the split column path).
  for (mx::Shape shape : {mx::Shape{1000, 1000}, mx::Shape{3, 100000}, mx::Shape{100000, 3}, mx::Shape{20000, 64}}) {
    mx::array a = mx::random::normal(shape, mx::float32, mx::random::key(5));
    a.eval();
    for (int ax : {0, 1}) {
      std::string what = "shape " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + " axis " + std::to_string(ax);
      expect_match(mx::sum(a, ax, false, mx::Device::gpu), mx::sum(a, ax, false, mx::Device::cpu), 1e-4, 1e-3, what);
      expect_match(mx::max(a, ax, false, mx::Device::gpu), mx::max(a, ax, false, mx::Device::cpu), 0, 0, what);
      expect_match(mx::argmin(a, ax, false, mx::Device::gpu), mx::argmin(a, ax, false, mx::Device::cpu), 0, 0, what);
    }
  }
}

TEST(GpuReduce, EmptyReductionsGiveIdentities) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  mx::array e = mx::zeros({3, 0, 4}, mx::float32);
  expect_match(mx::sum(e, 1, false, mx::Device::gpu), mx::zeros({3, 4}, mx::float32), 0, 0, "sum");
  expect_match(mx::prod(e, 1, false, mx::Device::gpu), mx::ones({3, 4}, mx::float32), 0, 0, "prod");
  expect_match(mx::all(e, 1, false, mx::Device::gpu), mx::ones({3, 4}, mx::bool_), 0, 0, "all");
  expect_match(mx::any(e, 1, false, mx::Device::gpu), mx::zeros({3, 4}, mx::bool_), 0, 0, "any");
  expect_match(mx::sum(e, mx::Device::gpu), mx::array(0.f), 0, 0, "sum all");
  // No outputs at all.
  mx::array s = mx::sum(e, 2, false, mx::Device::gpu);
  EXPECT_EQ(s.shape(), (mx::Shape{3, 0}));
  s.eval();
}

TEST(GpuReduce, NaNsLikeTheCpu) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  const float nan = NAN, inf = INFINITY;
  mx::array a({1.f, nan, 3.f, -inf, 2.f, 5.f, 5.f, 1.f, nan, nan, 0.f, -1.f, inf, 7.f, 7.f, 0.f}, {4, 4});
  for (int ax : {0, 1}) {
    for (auto& r : reductions())
      expect_match(r.f(a, {ax}, false, mx::Device::gpu), r.f(a, {ax}, false, mx::Device::cpu), 0, 0,
                   std::string(r.name) + " axis " + std::to_string(ax));
    expect_match(mx::argmax(a, ax, false, mx::Device::gpu), mx::argmax(a, ax, false, mx::Device::cpu), 0, 0, "argmax");
    expect_match(mx::argmin(a, ax, false, mx::Device::gpu), mx::argmin(a, ax, false, mx::Device::cpu), 0, 0, "argmin");
  }
  // A long row with a NaN late (reaches the subgroup/shared-memory fold).
  std::vector<float> v(5000, 1.f);
  v[4321] = nan;
  mx::array b(v.begin(), {5000});
  EXPECT_TRUE(std::isnan(mx::max(b, mx::Device::gpu).item<float>()));
  EXPECT_TRUE(std::isnan(mx::min(b, mx::Device::gpu).item<float>()));
  EXPECT_EQ(mx::argmax(b, mx::Device::gpu).item<uint32_t>(), 4321u);
}

TEST(GpuReduce, ArgReduceTiesGiveTheFirstIndex) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  mx::array a = mx::astype(mx::floor(mx::multiply(test_values({5, 300, 4}, mx::float32, 9), mx::array(2.f))), mx::int32);
  for (int ax : {0, 1, 2})
    for (bool keep : {false, true}) {
      expect_match(mx::argmax(a, ax, keep, mx::Device::gpu), mx::argmax(a, ax, keep, mx::Device::cpu), 0, 0, "argmax");
      expect_match(mx::argmin(a, ax, keep, mx::Device::gpu), mx::argmin(a, ax, keep, mx::Device::cpu), 0, 0, "argmin");
    }
  expect_match(mx::argmax(a, mx::Device::gpu), mx::argmax(a, mx::Device::cpu), 0, 0, "flat argmax");
  expect_match(mx::argmin(mx::transpose(a), mx::Device::gpu), mx::argmin(mx::transpose(a), mx::Device::cpu), 0, 0,
               "flat argmin of a view");
}

TEST(GpuReduce, FusedSumIsOneDispatch) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  auto* b = mx::gpu::backend();
  mx::array x = test_values({300, 200}, mx::float32, 1), y = test_values({300, 200}, mx::float32, 2);
  mx::array want = mx::sum(x * y, 1, false, mx::Device::cpu);
  want.eval();
  uint64_t before = b->dispatches();
  mx::array got = mx::sum(x * y, 1, false, mx::Device::gpu);
  got.eval();
  EXPECT_EQ(b->dispatches() - before, 1u);
  expect_match(got, want, 1e-5, 1e-5, "sum(x*y, 1)");

  // A huge full sum splits: two dispatches, still no temporary for x * y.
  mx::array u = mx::random::normal({1 << 20}, mx::float32, mx::random::key(1));
  mx::array w = mx::random::normal({1 << 20}, mx::float32, mx::random::key(2));
  mx::eval(u, w);
  before = b->dispatches();
  mx::array big = mx::sum(u * w, mx::Device::gpu);
  big.eval();
  EXPECT_EQ(b->dispatches() - before, 2u);
  expect_match(big, mx::sum(u * w, mx::Device::cpu), 1e-4, 1e-2, "sum(u*w)");

  // Broadcast operands and a scalar in the fused expression.
  mx::array col = test_values({300, 1}, mx::float32, 4);
  before = b->dispatches();
  mx::array c = mx::max(x * col + mx::array(2.f), 0, true, mx::Device::gpu);
  c.eval();
  EXPECT_EQ(b->dispatches() - before, 1u);
  expect_match(c, mx::max(x * col + mx::array(2.f), 0, true, mx::Device::cpu), 1e-6, 1e-6, "max(x*col+2)");
}

TEST(GpuReduce, ComposedReductions) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  mx::array a = mx::random::normal({17, 33, 5}, mx::float32, mx::random::key(8));
  a.eval();
  for (auto& ax : subsets(3)) {
    if (ax.empty()) continue;
    expect_match(mx::mean(a, ax, false, mx::Device::gpu), mx::mean(a, ax, false, mx::Device::cpu), 1e-5, 1e-6, "mean");
    expect_match(mx::var(a, ax, false, 0, mx::Device::gpu), mx::var(a, ax, false, 0, mx::Device::cpu), 1e-4, 1e-6, "var");
    expect_match(mx::logsumexp(a, ax, false, mx::Device::gpu), mx::logsumexp(a, ax, false, mx::Device::cpu), 1e-5,
                 1e-5, "logsumexp");
  }
  mx::array h = mx::astype(a, mx::float16);
  expect_match(mx::logsumexp(h, 1, true, mx::Device::gpu), mx::logsumexp(h, 1, true, mx::Device::cpu), 2e-3, 2e-3,
               "logsumexp f16");
  mx::array inf = mx::array({-INFINITY, -INFINITY, 1.f, INFINITY}, {2, 2});
  expect_match(mx::logsumexp(inf, 1, false, mx::Device::gpu), mx::logsumexp(inf, 1, false, mx::Device::cpu), 0, 0,
               "logsumexp inf");
}

TEST(GpuReduce, NoValidationMessages) {
  if (!gpu_ok()) GTEST_SKIP() << "no Vulkan device";
  mx::synchronize();
  EXPECT_EQ(mx::vulkan::validation_messages().load(), 0u);
}
