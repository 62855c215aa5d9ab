// SPDX-License-Identifier: MIT
// The Vulkan instance, the physical device (MLXPP_VULKAN_DEVICE picks one by index or by a
// part of its name; otherwise discrete > integrated > virtual > CPU, so lavapipe serves only
// when nothing else exists), the logical device with the features kernels use, and one
// compute queue. MLXPP_VULKAN_VALIDATION=1 enables VK_LAYER_KHRONOS_validation and counts
// its messages (tests require zero).
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/backend/gpu/interface.hpp"
#include "mlx/backend/vulkan/loader.hpp"

namespace mlx::core::vulkan {

inline bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::strcmp(v, "0") != 0;
}

/// Validation-layer messages seen so far (warnings and errors).
inline std::atomic<uint64_t>& validation_messages() {
  static std::atomic<uint64_t> n{0};
  return n;
}

inline VKAPI_ATTR VkBool32 VKAPI_CALL debug_callback(
    VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT,
    const VkDebugUtilsMessengerCallbackDataEXT* data, void*) {
  if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    validation_messages().fetch_add(1);
    std::fprintf(stderr, "[mlx] Vulkan validation: %s\n", data->pMessage);
  }
  return VK_FALSE;
}

/// Everything the backend needs from Vulkan before it records any work.
struct Context {
  vk::DynamicLoader loader;  // dlopen("libvulkan.so.1"); throws when there is none
  vk::Instance instance;
  vk::DebugUtilsMessengerEXT messenger;
  vk::PhysicalDevice physical;
  vk::Device device;
  vk::Queue queue;
  uint32_t queue_family = 0;
  vk::PhysicalDeviceMemoryProperties memory;
  size_t max_allocation = size_t(1) << 30;
  gpu::DeviceInfo info;

  Context() { create(); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context() {
    if (device) device.destroy();
    if (messenger) instance.destroyDebugUtilsMessengerEXT(messenger);
    if (instance) instance.destroy();
  }

 private:
  static int rank(vk::PhysicalDeviceType t) {
    switch (t) {
      case vk::PhysicalDeviceType::eDiscreteGpu: return 0;
      case vk::PhysicalDeviceType::eIntegratedGpu: return 1;
      case vk::PhysicalDeviceType::eVirtualGpu: return 2;
      case vk::PhysicalDeviceType::eCpu: return 4;
      default: return 3;
    }
  }

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  vk::PhysicalDevice choose(const std::vector<vk::PhysicalDevice>& all) {
    if (all.empty()) throw std::runtime_error("no Vulkan device found");
    if (const char* want = std::getenv("MLXPP_VULKAN_DEVICE"); want && *want) {
      char* end = nullptr;
      long idx = std::strtol(want, &end, 10);
      if (end && *end == '\0') {
        if (idx < 0 || idx >= static_cast<long>(all.size()))
          throw std::runtime_error("MLXPP_VULKAN_DEVICE=" + std::string(want) + " but there are " +
                                   std::to_string(all.size()) + " devices");
        return all[static_cast<size_t>(idx)];
      }
      for (auto& pd : all)
        if (lower(pd.getProperties().deviceName.data()).find(lower(want)) != std::string::npos)
          return pd;
      throw std::runtime_error("no Vulkan device's name contains MLXPP_VULKAN_DEVICE=" +
                               std::string(want));
    }
    return *std::min_element(all.begin(), all.end(), [](auto& a, auto& b) {
      return rank(a.getProperties().deviceType) < rank(b.getProperties().deviceType);
    });
  }

  void create() {
    dispatcher().init(loader.getProcAddress<PFN_vkGetInstanceProcAddr>("vkGetInstanceProcAddr"));
    uint32_t version = vk::enumerateInstanceVersion();
    if (version < VK_API_VERSION_1_2)
      throw std::runtime_error("the Vulkan loader is version " +
                               std::to_string(VK_VERSION_MAJOR(version)) + "." +
                               std::to_string(VK_VERSION_MINOR(version)) + "; mlx needs 1.2");
    std::vector<const char*> layers, extensions;
    const bool validate = env_flag("MLXPP_VULKAN_VALIDATION");
    if (validate) {
      bool found = false;
      for (auto& l : vk::enumerateInstanceLayerProperties())
        found = found || std::strcmp(l.layerName, "VK_LAYER_KHRONOS_validation") == 0;
      if (!found)
        throw std::runtime_error("MLXPP_VULKAN_VALIDATION=1 but VK_LAYER_KHRONOS_validation is "
                                 "not installed (Debian: vulkan-validationlayers)");
      layers.push_back("VK_LAYER_KHRONOS_validation");
      extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    }
    vk::ApplicationInfo app("mlx", 1, "mlx for C++", 1, VK_API_VERSION_1_2);
    instance = vk::createInstance(vk::InstanceCreateInfo({}, &app, layers, extensions));
    dispatcher().init(instance);
    if (validate) {
      using S = vk::DebugUtilsMessageSeverityFlagBitsEXT;
      using T = vk::DebugUtilsMessageTypeFlagBitsEXT;
      messenger = instance.createDebugUtilsMessengerEXT(vk::DebugUtilsMessengerCreateInfoEXT(
          {}, S::eWarning | S::eError, T::eGeneral | T::eValidation | T::ePerformance,
          debug_callback));
    }

    physical = choose(instance.enumeratePhysicalDevices());
    auto props = physical.getProperties2<vk::PhysicalDeviceProperties2,
                                         vk::PhysicalDeviceVulkan11Properties,
                                         vk::PhysicalDeviceMaintenance3Properties>();
    auto& p = props.get<vk::PhysicalDeviceProperties2>().properties;
    auto& p11 = props.get<vk::PhysicalDeviceVulkan11Properties>();
    if (p.apiVersion < VK_API_VERSION_1_2)
      throw std::runtime_error(std::string(p.deviceName.data()) + " supports Vulkan " +
                               std::to_string(VK_VERSION_MAJOR(p.apiVersion)) + "." +
                               std::to_string(VK_VERSION_MINOR(p.apiVersion)) +
                               "; mlx needs 1.2");
    memory = physical.getMemoryProperties();
    max_allocation = static_cast<size_t>(
        props.get<vk::PhysicalDeviceMaintenance3Properties>().maxMemoryAllocationSize);

    auto feats = physical.getFeatures2<vk::PhysicalDeviceFeatures2,
                                       vk::PhysicalDeviceVulkan11Features,
                                       vk::PhysicalDeviceVulkan12Features>();
    auto& f10 = feats.get<vk::PhysicalDeviceFeatures2>().features;
    auto& f11 = feats.get<vk::PhysicalDeviceVulkan11Features>();
    auto& f12 = feats.get<vk::PhysicalDeviceVulkan12Features>();
    if (!f12.bufferDeviceAddress || !f12.timelineSemaphore)
      throw std::runtime_error(std::string(p.deviceName.data()) +
                               " lacks buffer device addresses or timeline semaphores");

    // Enable only what kernels use, and only where the device has it.
    vk::StructureChain<vk::PhysicalDeviceFeatures2, vk::PhysicalDeviceVulkan11Features,
                       vk::PhysicalDeviceVulkan12Features,
                       vk::PhysicalDeviceCooperativeMatrixFeaturesNV>
        enable;
    auto& e10 = enable.get<vk::PhysicalDeviceFeatures2>().features;
    e10.shaderInt64 = f10.shaderInt64;
    e10.shaderFloat64 = f10.shaderFloat64;
    e10.shaderInt16 = f10.shaderInt16;
    auto& e11 = enable.get<vk::PhysicalDeviceVulkan11Features>();
    e11.storageBuffer16BitAccess = f11.storageBuffer16BitAccess;
    auto& e12 = enable.get<vk::PhysicalDeviceVulkan12Features>();
    e12.bufferDeviceAddress = VK_TRUE;
    e12.timelineSemaphore = VK_TRUE;
    e12.shaderFloat16 = f12.shaderFloat16;
    e12.shaderInt8 = f12.shaderInt8;
    e12.storageBuffer8BitAccess = f12.storageBuffer8BitAccess;
    e12.scalarBlockLayout = f12.scalarBlockLayout;
    e12.vulkanMemoryModel = f12.vulkanMemoryModel;

    std::vector<const char*> device_extensions;
    bool coopmat = false;
    for (auto& e : physical.enumerateDeviceExtensionProperties())
      coopmat = coopmat || std::strcmp(e.extensionName, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME) == 0;
    if (coopmat) {
      auto cf = physical.getFeatures2<vk::PhysicalDeviceFeatures2,
                                      vk::PhysicalDeviceCooperativeMatrixFeaturesNV>();
      coopmat = cf.get<vk::PhysicalDeviceCooperativeMatrixFeaturesNV>().cooperativeMatrix;
    }
    if (coopmat) {
      // The kernels use 16×16×16 f16 × f16 → f32 tiles at subgroup scope.
      bool shape = false;
      for (auto& c : physical.getCooperativeMatrixPropertiesNV())
        shape = shape || (c.MSize == 16 && c.NSize == 16 && c.KSize == 16 &&
                          c.AType == vk::ComponentTypeNV::eFloat16 &&
                          c.CType == vk::ComponentTypeNV::eFloat32 &&
                          c.scope == vk::ScopeNV::eSubgroup);
      coopmat = shape && f12.shaderFloat16 && f11.storageBuffer16BitAccess;
    }
    if (coopmat) {
      device_extensions.push_back(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
      enable.get<vk::PhysicalDeviceCooperativeMatrixFeaturesNV>().cooperativeMatrix = VK_TRUE;
    } else {
      enable.unlink<vk::PhysicalDeviceCooperativeMatrixFeaturesNV>();
    }

    auto families = physical.getQueueFamilyProperties();
    queue_family = static_cast<uint32_t>(families.size());
    for (uint32_t i = 0; i < families.size(); ++i)  // a compute queue, graphics or not
      if (families[i].queueFlags & vk::QueueFlagBits::eCompute) {
        queue_family = i;
        break;
      }
    if (queue_family == families.size())
      throw std::runtime_error(std::string(p.deviceName.data()) + " has no compute queue");
    float priority = 1.0f;
    vk::DeviceQueueCreateInfo q({}, queue_family, 1, &priority);
    vk::DeviceCreateInfo dci({}, q, {}, device_extensions, nullptr);
    dci.pNext = &enable.get<vk::PhysicalDeviceFeatures2>();
    device = physical.createDevice(dci);
    dispatcher().init(device);
    queue = device.getQueue(queue_family, 0);

    info.name = p.deviceName.data();
    info.driver = std::to_string(VK_VERSION_MAJOR(p.apiVersion)) + "." +
                  std::to_string(VK_VERSION_MINOR(p.apiVersion)) + "." +
                  std::to_string(VK_VERSION_PATCH(p.apiVersion));
    info.subgroup_size = p11.subgroupSize;
    info.subgroup_arithmetic =
        static_cast<bool>(p11.subgroupSupportedOperations & vk::SubgroupFeatureFlagBits::eArithmetic) &&
        static_cast<bool>(p11.subgroupSupportedStages & vk::ShaderStageFlagBits::eCompute);
    info.max_workgroup_size = p.limits.maxComputeWorkGroupInvocations;
    info.shared_memory_bytes = p.limits.maxComputeSharedMemorySize;
    info.float16 = f12.shaderFloat16 && f11.storageBuffer16BitAccess;
    info.float64 = f10.shaderFloat64;
    info.int64 = f10.shaderInt64;
    info.int8 = f12.shaderInt8 && f12.storageBuffer8BitAccess;
    info.int16 = f10.shaderInt16 && f11.storageBuffer16BitAccess;
    info.cooperative_matrix_nv = coopmat;
    info.is_cpu = p.deviceType == vk::PhysicalDeviceType::eCpu;
  }
};

}  // namespace mlx::core::vulkan
