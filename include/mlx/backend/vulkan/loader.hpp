// SPDX-License-Identifier: MIT
// Vulkan-Hpp with our own dispatcher: the loader (libvulkan.so.1) is opened at run time, so a
// program without a Vulkan loader still starts (the CPU then serves Device::gpu), and users
// place no VULKAN_HPP_DEFAULT_DISPATCH_LOADER_DYNAMIC_STORAGE macro anywhere.
#pragma once

#if defined(VULKAN_HPP) || defined(VULKAN_HPP_NAMESPACE)
#error "Include <mlx/backend/vulkan/backend.hpp> before <vulkan/vulkan.hpp>: mlx configures Vulkan-Hpp's dispatcher."
#endif

#define VULKAN_HPP_DISPATCH_LOADER_DYNAMIC 1
#define VULKAN_HPP_NO_SPACESHIP_OPERATOR
#define VULKAN_HPP_DEFAULT_DISPATCHER ::mlx::core::vulkan::dispatcher()

namespace vk {
class DispatchLoaderDynamic;
}
namespace mlx::core::vulkan {
/// The one dispatcher every Vulkan-Hpp call of the backend uses by default.
inline vk::DispatchLoaderDynamic& dispatcher();
}  // namespace mlx::core::vulkan

#include <vulkan/vulkan.hpp>

namespace mlx::core::vulkan {
inline vk::DispatchLoaderDynamic& dispatcher() {
  static vk::DispatchLoaderDynamic d;
  return d;
}
}  // namespace mlx::core::vulkan
