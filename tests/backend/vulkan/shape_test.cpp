// SPDX-License-Identifier: MIT
// View primitives on a GPU stream (primitives/shape.hpp): reshape, transpose, broadcast and
// expand/squeeze share the device memory without a CPU fallback; a reshape that must copy
// (a transposed or reversed view) copies on the GPU (gpu::copy_row_major), for every layout
// against the CPU.
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../array_values.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;

namespace {

TEST(GpuViews, ViewsAndReshapeCopiesStayOnTheGpu) {
  if (!mx::vulkan::vulkan_backend()) GTEST_SKIP() << "no Vulkan device";
  const auto g = mx::Device::gpu;
  for (mx::Dtype d : {mx::float32, mx::int32, mx::float16, mx::uint8}) {
    mx::array base = mx::astype(mx::reshape(mx::arange(120, g), {4, 5, 6}, g), d, g);
    base.eval();
    struct Case {
      std::string what;
      mx::array (*f)(const mx::array&, mx::StreamOrDevice);
    };
    const std::vector<Case> cases = {
        {"reshape of contiguous", [](const mx::array& a, mx::StreamOrDevice s) { return mx::reshape(a, {20, 6}, s); }},
        {"transpose", [](const mx::array& a, mx::StreamOrDevice s) { return mx::transpose(a, {2, 0, 1}, s); }},
        {"reshape of transpose (copies)",
         [](const mx::array& a, mx::StreamOrDevice s) { return mx::reshape(mx::transpose(a, {2, 0, 1}, s), {6, 20}, s); }},
        {"reshape of reversed (copies)",
         [](const mx::array& a, mx::StreamOrDevice s) {
           return mx::reshape(mx::slice(a, {3, 4, 5}, {-5, -6, -7}, {-1, -1, -1}, s), {120}, s);
         }},
        {"broadcast", [](const mx::array& a, mx::StreamOrDevice s) { return mx::broadcast_to(mx::slice(a, {0, 0, 0}, {1, 5, 6}, s), {3, 5, 6}, s); }},
        {"expand and squeeze", [](const mx::array& a, mx::StreamOrDevice s) { return mx::squeeze(mx::expand_dims(a, 1, s), 1, s); }},
    };
    for (const auto& c : cases) {
      const auto fallbacks = mx::Primitive::gpu_fallbacks().load();
      mx::array got = c.f(base, g);
      got.eval();
      EXPECT_EQ(mx::Primitive::gpu_fallbacks().load(), fallbacks) << c.what << " ran on the CPU";
      mx::array want = c.f(mx::astype(mx::reshape(mx::arange(120), {4, 5, 6}), d), mx::Device::cpu);
      EXPECT_EQ(got.shape(), want.shape()) << c.what;
      EXPECT_EQ(to_doubles(got), to_doubles(want)) << c.what << " " << d;
    }
  }
}

}  // namespace
