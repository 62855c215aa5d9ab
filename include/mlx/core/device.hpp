// SPDX-License-Identifier: MIT
// Devices and streams (MLX's device.h / stream.h), and the StreamOrDevice every op takes last.
#pragma once

#include <atomic>
#include <ostream>
#include <stdexcept>
#include <variant>

#include "mlx/backend/gpu/interface.hpp"

namespace mlx::core {

struct Device {
  enum class DeviceType { cpu, gpu };
  static constexpr DeviceType cpu = DeviceType::cpu;
  static constexpr DeviceType gpu = DeviceType::gpu;

  constexpr Device(DeviceType type, int index = 0) : type(type), index(index) {}

  DeviceType type;
  int index;
};

constexpr bool operator==(const Device& a, const Device& b) {
  return a.type == b.type && a.index == b.index;
}
constexpr bool operator!=(const Device& a, const Device& b) { return !(a == b); }

inline std::ostream& operator<<(std::ostream& os, const Device& d) {
  return os << "Device(" << (d.type == Device::cpu ? "cpu" : "gpu") << ", " << d.index << ")";
}

/// Whether a device can run work: the GPU needs the Vulkan backend compiled in (one unit
/// includes <mlx/backend/vulkan/backend.hpp>) and a working Vulkan device.
inline bool is_available(const Device& d) {
  return d.type == Device::cpu || gpu::backend() != nullptr;
}

namespace detail {
// Device::gpu is accepted whenever the backend is compiled in: without a working device the
// CPU serves it (the backend logs why, once). Without the backend it is a build mistake.
inline void check_available(const Device& d) {
  if (d.type == Device::gpu && !gpu::compiled_in())
    throw std::runtime_error(
        "[Device] The GPU is not available: no GPU backend is compiled into this program. "
        "Include <mlx/backend/vulkan/backend.hpp> in one translation unit and link Vulkan "
        "and shaderc (CMake: -DMLXPP_WITH_VULKAN=ON, target mlx::vulkan), or use "
        "Device::cpu.");
}
inline Device& default_device_ref() {
  static Device d{Device::cpu};
  return d;
}
} // namespace detail

inline const Device& default_device() { return detail::default_device_ref(); }

/// \throws std::runtime_error when the device is not available in this build.
inline void set_default_device(const Device& d) {
  detail::check_available(d);
  detail::default_device_ref() = d;
}

struct Stream {
  int index;
  Device device;
  constexpr Stream(int index, Device device) : index(index), device(device) {}
};

constexpr bool operator==(const Stream& a, const Stream& b) { return a.index == b.index; }
constexpr bool operator!=(const Stream& a, const Stream& b) { return !(a == b); }

inline std::ostream& operator<<(std::ostream& os, const Stream& s) {
  return os << "Stream(" << s.device << ", " << s.index << ")";
}

namespace detail {
inline std::atomic<int>& stream_counter() {
  static std::atomic<int> n{2};  // 0: default cpu stream, 1: default gpu stream
  return n;
}
inline Stream& default_stream_ref(Device::DeviceType t) {
  static Stream cpu_s{0, Device::cpu};
  static Stream gpu_s{1, Device::gpu};
  return t == Device::cpu ? cpu_s : gpu_s;
}
} // namespace detail

/// The default stream of a device.
inline Stream default_stream(Device d) {
  detail::check_available(d);
  return detail::default_stream_ref(d.type);
}

inline void set_default_stream(Stream s) {
  detail::check_available(s.device);
  detail::default_stream_ref(s.device.type) = s;
}

/// A new stream on a device. CPU streams all evaluate on the calling thread (see docs).
inline Stream new_stream(Device d) {
  detail::check_available(d);
  return Stream{detail::stream_counter()++, d};
}

using StreamOrDevice = std::variant<std::monostate, Stream, Device>;

/// Resolves an op's `s` argument: empty → the default device's default stream.
inline Stream to_stream(StreamOrDevice s) {
  if (std::holds_alternative<std::monostate>(s)) return default_stream(default_device());
  if (auto* d = std::get_if<Device>(&s)) return default_stream(*d);
  auto st = std::get<Stream>(s);
  detail::check_available(st.device);
  return st;
}

} // namespace mlx::core
