// SPDX-License-Identifier: MIT
// The narrow interface between the library and a GPU backend. Nothing here includes Vulkan:
// every translation unit sees this header, while vulkan.hpp (4.7 s to parse) is read only by
// the one unit that includes <mlx/backend/vulkan/backend.hpp> (docs/gpu.md).
//
// A backend records kernel launches that address memory through 64-bit device addresses
// (buffer device address), so a kernel's arguments are one push-constant block: pointers,
// sizes and strides. Arrays move between host and device on their own: `read` uploads a
// host array the first time a kernel needs it, and a host access to an array the GPU wrote
// (array::data, item, printing) brings it back once through a staging copy.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mlx::core {
class array;
}

namespace mlx::core::gpu {

/// What kernels may assume about the device (filled by the backend at start-up).
struct DeviceInfo {
  std::string name;
  std::string driver;
  uint32_t subgroup_size = 32;
  uint32_t max_workgroup_size = 256;
  uint32_t shared_memory_bytes = 16384;
  bool float16 = false;  // arithmetic and 16-bit storage
  bool float64 = false;
  bool int64 = false;
  bool int8 = false;     // 8-bit storage and arithmetic
  bool int16 = false;
  bool subgroup_arithmetic = false;
  bool cooperative_matrix_nv = false;  // VK_NV_cooperative_matrix with f16 × f16 → f32 16×16×16
  bool unified_memory = false;         // device memory is host-visible and cached (no copies)
  bool is_cpu = false;                 // lavapipe and other software devices
};

/// Every kernel's arguments fit in this many bytes of push constants: Vulkan's guaranteed
/// minimum, so one pipeline layout serves every device.
inline constexpr uint32_t push_constant_bytes = 128;

/// An opaque compiled kernel owned by the backend (alive until the process ends).
struct Pipeline;

/// The device-side copy of an array buffer. core::detail::Data owns one once the buffer has
/// been on the GPU; `host_stale` says the GPU wrote it since the host copy was made.
class DeviceCopy {
 public:
  virtual ~DeviceCopy() = default;
  /// Waits for the GPU work that writes this buffer and copies it to host memory.
  virtual void sync_to_host() = 0;
  bool host_stale = false;
  bool written_by_gpu = false;  // made by Backend::write (not an upload of host data)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const DeviceInfo& info() const = 0;

  /// A pipeline from SPIR-V words, cached under `key` (the same key gives the same pipeline).
  /// `spec` are specialization constants 0, 1, ... (uint32 each).
  virtual Pipeline* pipeline(std::string_view key, const uint32_t* spirv, size_t words,
                             const std::vector<uint32_t>& spec = {}) = 0;
  /// A pipeline from GLSL, compiled at run time (libshaderc) and cached in memory and on
  /// disk. Returns nullptr when the backend cannot compile GLSL.
  virtual Pipeline* pipeline_glsl(std::string_view key, const std::string& glsl) = 0;

  /// The device address of a's first element, for a kernel about to read it (uploads a host
  /// array first). The next dispatch waits for earlier writes of that memory.
  virtual uint64_t read(const array& a) = 0;
  /// Gives `out` fresh device memory (its host copy goes stale) and returns its address, for
  /// the next dispatch to write.
  virtual uint64_t write(array& out) = 0;
  /// Gives `out` the buffer of `in` (same dtype and size, row-contiguous, written by the GPU,
  /// and referenced by nobody else) for an elementwise kernel to overwrite in place; returns
  /// its address, or 0 when `in` cannot be donated.
  virtual uint64_t donate(array& out, const array& in) = 0;
  /// The address of `out`'s device memory, given by write() or donate() earlier in this
  /// evaluation, for the next dispatch to write again (a region of it): that dispatch waits
  /// for the earlier writes, and later readers wait for it.
  virtual uint64_t rewrite(array& out) = 0;
  /// Device memory for one primitive's intermediate results; freed once the GPU is done.
  virtual uint64_t scratch(size_t bytes) = 0;
  /// Small read-only data for the next dispatches (shapes, strides), valid until the work
  /// recorded so far completes; returns its device address.
  virtual uint64_t constants(const void* data, size_t bytes) = 0;
  /// An execution and memory barrier: for dependent dispatches on scratch memory.
  virtual void barrier() = 0;
  /// Records a kernel launch of groups (x, y, z) with `push` as its push constants.
  virtual void dispatch(Pipeline* p, const void* push, uint32_t push_bytes, uint32_t x,
                        uint32_t y = 1, uint32_t z = 1) = 0;

  /// Submits what has been recorded (the GPU starts; nothing waits).
  virtual void flush() = 0;
  /// Submits and waits for all recorded work.
  virtual void synchronize() = 0;
  /// Counters for tests and benchmarks.
  virtual uint64_t dispatches() const = 0;
  virtual uint64_t uploads() const = 0;
  virtual uint64_t downloads() const = 0;
};

namespace detail {

/// The registered backend factory (set by the unit that includes the Vulkan backend).
using Factory = std::unique_ptr<Backend> (*)();
inline Factory& factory() {
  static Factory f = nullptr;
  return f;
}

struct BackendState {
  std::once_flag once;
  std::unique_ptr<Backend> backend;
  std::atomic<bool> started{false};  // backend() has run its factory and it gave a backend
};
inline BackendState& state() {
  static BackendState s;
  return s;
}

}  // namespace detail

/// Whether a GPU backend is compiled into this program (its header is included somewhere).
inline bool compiled_in() { return detail::factory() != nullptr; }

/// The GPU backend, created on first use; nullptr when none is compiled in or no device
/// works (the backend then says why, once, on stderr, and the CPU serves Device::gpu).
inline Backend* backend() {
  auto& s = detail::state();
  if (!detail::factory()) return nullptr;
  std::call_once(s.once, [&] {
    s.backend = detail::factory()();
    // Torn down by an exit handler registered after the driver loaded, so it runs before
    // the driver's own (a static destructor would run after them: NVIDIA's driver then
    // crashed at exit).
    if (s.backend) {
      std::atexit([] {
        detail::state().started.store(false, std::memory_order_release);
        detail::state().backend.reset();
      });
      s.started.store(true, std::memory_order_release);
    }
  });
  return s.backend.get();
}

/// The GPU backend if it exists already, else nullptr; never creates it. For work that
/// only matters once the GPU has been used (eval's flush, synchronize), so that a program
/// that links the backend but computes on the CPU never loads a Vulkan driver.
inline Backend* started_backend() {
  auto& s = detail::state();
  return s.started.load(std::memory_order_acquire) ? s.backend.get() : nullptr;
}

}  // namespace mlx::core::gpu
