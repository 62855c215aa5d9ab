// SPDX-License-Identifier: MIT
// Linked into the op test binaries when the Vulkan backend is built: with
// MLXPP_TEST_DEVICE=gpu every test runs with Device::gpu as the default device (CTest runs
// each suite twice, "cpu." and "gpu."), and a test fails if the validation layer reported
// anything while it ran (MLXPP_VULKAN_VALIDATION=1 in CTest's environment).
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

namespace mx = mlx::core;

bool gpu_requested() {
  const char* d = std::getenv("MLXPP_TEST_DEVICE");
  return d && std::string(d) == "gpu";
}

class GpuEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!gpu_requested()) return;
    ASSERT_NE(mx::vulkan::vulkan_backend(), nullptr) << "MLXPP_TEST_DEVICE=gpu but no Vulkan device";
    mx::set_default_device(mx::Device::gpu);
  }
  void TearDown() override {
    if (!gpu_requested()) return;
    mx::synchronize();
    EXPECT_EQ(mx::vulkan::validation_messages().load(), 0u)
        << "the Vulkan validation layer reported problems (printed above)";
  }
};

const bool registered = [] {
  ::testing::AddGlobalTestEnvironment(new GpuEnvironment);
  return true;
}();

}  // namespace
