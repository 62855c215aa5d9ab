// SPDX-License-Identifier: MIT
// slice_update on the GPU (backend/gpu/copy.hpp's slice_update): against the CPU for strided,
// reversed, broadcast, cast and empty regions, updates that are views, dynamic starts; no
// CPU fallback; a dying source lends its buffer, a live one is left untouched.
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <gtest/gtest.h>

#include <vector>

#include "../../array_values.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;

namespace {

mx::array iota(const mx::Shape& shape, mx::Dtype d = mx::float32) {
  int n = 1;
  for (int s : shape) n *= s;
  return mx::reshape(mx::astype(mx::arange(n), d), shape);
}

struct Case {
  const char* what;
  mx::Shape start, stop, steps;
  mx::array update;
};

TEST(GpuSliceUpdate, MatchesTheCpuWithoutFallback) {
  if (!mx::vulkan::vulkan_backend()) GTEST_SKIP() << "no Vulkan device";
  const mx::Shape shape = {4, 5, 6};
  std::vector<Case> cases = {
      {"contiguous rows", {1, 0, 0}, {3, 5, 6}, {1, 1, 1}, iota({2, 5, 6}) * -1.0f},
      {"strided", {0, 1, 0}, {4, 5, 6}, {2, 2, 3}, iota({2, 2, 2}) + 100.0f},
      {"reversed", {3, 4, 5}, {-5, -6, -7}, {-1, -1, -1}, iota({4, 5, 6}) * 2.0f},
      {"broadcast scalar", {0, 0, 2}, {4, 5, 4}, {1, 1, 1}, mx::array(7.0f)},
      {"broadcast row", {1, 1, 0}, {2, 4, 6}, {1, 1, 1}, iota({6}) - 50.0f},
      {"float into int", {0, 0, 0}, {1, 1, 6}, {1, 1, 1}, mx::array(2.75f)},
      {"transposed update", {0, 0, 0}, {4, 5, 1}, {1, 1, 1},
       mx::reshape(mx::transpose(iota({5, 4})), {4, 5, 1})},
      {"empty region", {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, mx::zeros({0, 0, 0})},
  };
  for (auto& c : cases) {
    const mx::Dtype d = std::string(c.what) == "float into int" ? mx::int32 : mx::float32;
    mx::array src = iota(shape, d);
    mx::array want = mx::slice_update(src, c.update, c.start, c.stop, c.steps, mx::Device::cpu);
    mx::array src_gpu = mx::copy(src, mx::Device::gpu);
    src_gpu.eval();
    const auto fallbacks = mx::Primitive::gpu_fallbacks().load();
    mx::array got = mx::slice_update(src_gpu, c.update, c.start, c.stop, c.steps, mx::Device::gpu);
    got.eval();
    EXPECT_EQ(mx::Primitive::gpu_fallbacks().load(), fallbacks) << c.what << " ran on the CPU";
    ASSERT_EQ(got.dtype(), want.dtype()) << c.what;
    EXPECT_EQ(to_doubles(got), to_doubles(want)) << c.what;
    EXPECT_EQ(to_doubles(src_gpu), to_doubles(src)) << c.what << ": the source changed";
  }
}

TEST(GpuSliceUpdate, DynamicStartsMatchTheCpu) {
  if (!mx::vulkan::vulkan_backend()) GTEST_SKIP() << "no Vulkan device";
  mx::array src = iota({5, 5});
  mx::array upd = iota({2, 3}) + 10.0f;
  for (int r : {0, 2, 4, -1}) {  // 4 and -1 clamp so that the region fits
    mx::array start = mx::array({r, 1});
    mx::array want = mx::slice_update(src, upd, start, {0, 1}, mx::Device::cpu);
    mx::array got = mx::slice_update(src, upd, start, {0, 1}, mx::Device::gpu);
    EXPECT_EQ(to_doubles(got), to_doubles(want)) << "row " << r;
  }
}

TEST(GpuSliceUpdate, ADyingSourceIsUpdatedInPlace) {
  if (!mx::vulkan::vulkan_backend()) GTEST_SKIP() << "no Vulkan device";
  mx::array tmp = mx::copy(iota({64, 64}), mx::Device::gpu);
  tmp.eval();
  const auto dispatches = mx::vulkan::vulkan_backend()->dispatches();
  mx::array upd = mx::slice_update(tmp, mx::array(-1.0f), {0, 0}, {64, 1}, {1, 1}, mx::Device::gpu);
  tmp = mx::array();  // the update's node holds the only handle now
  upd.eval();
  // One dispatch: the region. (A copy of the source would be a second.)
  EXPECT_EQ(mx::vulkan::vulkan_backend()->dispatches() - dispatches, 1u);
  auto v = to_doubles(upd);
  EXPECT_EQ(v[0], -1.0);
  EXPECT_EQ(v[64], -1.0);
  EXPECT_EQ(v[65], 65.0);
}

}  // namespace
