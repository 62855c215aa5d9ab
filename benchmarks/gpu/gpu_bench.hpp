// SPDX-License-Identifier: MIT
// Timing for the GPU benchmarks (plain std::chrono, so the binaries run on machines without
// Google Benchmark): `inner` calls back to back, then one synchronize; the median over
// `outer` repetitions after warm-up, per call. Result lines match torch_peer.py's:
//   RESULT <name> <value> <unit> <note>
#pragma once

#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace gpubench {

inline void result(const std::string& name, double value, const char* unit, const std::string& note = "") {
  std::printf("RESULT %-40s %12.4f %-8s %s\n", name.c_str(), value, unit, note.c_str());
  std::fflush(stdout);
}

inline double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Milliseconds per call of fn (which evaluates its result asynchronously).
template <class Fn>
double time_ms(Fn&& fn, int inner = 10, int outer = 10, int warmup = 3) {
  namespace mx = mlx::core;
  for (int i = 0; i < warmup; ++i) fn();
  mx::synchronize();
  std::vector<double> t;
  for (int o = 0; o < outer; ++o) {
    double t0 = now_ms();
    for (int i = 0; i < inner; ++i) fn();
    mx::synchronize();
    t.push_back((now_ms() - t0) / inner);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

inline bool has_flag(int argc, char** argv, const char* f) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], f) == 0) return true;
  return false;
}

/// Prints the device line and returns false when there is no Vulkan device.
inline bool print_device() {
  auto* b = mlx::core::vulkan::vulkan_backend();
  if (!b) {
    std::printf("no Vulkan device\n");
    return false;
  }
  auto& i = b->info();
  std::printf("device %s (Vulkan %s) subgroup %u shared %u KB coopmat %d unified %d\n", i.name.c_str(),
              i.driver.c_str(), i.subgroup_size, i.shared_memory_bytes / 1024, i.cooperative_matrix_nv,
              i.unified_memory);
  return true;
}

}  // namespace gpubench
