// SPDX-License-Identifier: MIT
// GPU reduction and softmax benchmarks (plain C++, no Google Benchmark): one line per case
// with the median of timed repetitions after a warm-up, each timing eval + synchronize.
// Bandwidth counts the bytes a kernel must move (inputs read once, outputs written once).
// --quick: small sizes (lavapipe). Build like any program that includes the Vulkan backend:
//   g++ -std=c++20 -O2 -Iinclude benchmarks/gpu/bench_reduce.cpp -o bench_reduce <libs>
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace mx = mlx::core;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Median milliseconds of f() + synchronize over `reps` runs, after two warm-up runs.
double time_ms(const std::function<void()>& f, int reps) {
  for (int i = 0; i < 2; ++i) {
    f();
    mx::synchronize();
  }
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const double t0 = now_ms();
    f();
    mx::synchronize();
    t.push_back(now_ms() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void line(const char* name, double bytes, double ms, const char* note) {
  std::printf("%-28s %10.1f GB/s %10.1f us   %s\n", name, bytes / ms * 1e-6, ms * 1e3, note);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) quick = quick || std::strcmp(argv[i], "--quick") == 0;
  auto* b = mx::gpu::backend();
  if (!b) {
    std::fprintf(stderr, "no GPU backend\n");
    return 1;
  }
  const auto& info = b->info();
  std::printf("device: %s (Vulkan %s), subgroup %u%s\n", info.name.c_str(), info.driver.c_str(),
              info.subgroup_size, info.subgroup_arithmetic ? " with arithmetic" : "");
  const mx::Device gpu = mx::Device::gpu;
  const int n = quick ? 1 << 20 : 1 << 26;
  const int N = quick ? 1024 : 8192;
  const int reps = quick ? 5 : 30;

  mx::array x = mx::random::uniform(-1.f, 1.f, {n});
  mx::array y = mx::random::uniform(-1.f, 1.f, {n});
  mx::array m = mx::random::uniform(-1.f, 1.f, {N, N});
  mx::eval(x, y, m);
  mx::array r;
  // Inputs go to the device once, in the warm-up runs.
  double t = time_ms([&] { r = mx::sum(x, gpu); r.eval(); }, reps);
  line(quick ? "sum_2^20_f32" : "sum_2^26_f32", 4.0 * n, t, "full reduction (split over workgroups + second pass)");
  t = time_ms([&] { r = mx::sum(x * y, gpu); r.eval(); }, reps);
  line(quick ? "sum(a*b)_2^20_f32" : "sum(a*b)_2^26_f32", 8.0 * n, t, "fused: no temporary for a*b");
  t = time_ms([&] { r = mx::max(x, gpu); r.eval(); }, reps);
  line(quick ? "max_2^20_f32" : "max_2^26_f32", 4.0 * n, t, "NaN-propagating max");
  t = time_ms([&] { r = mx::argmax(x, gpu); r.eval(); }, reps);
  line(quick ? "argmax_2^20_f32" : "argmax_2^26_f32", 4.0 * n, t, "one workgroup (argmax does not split yet)");
  const double mb = 4.0 * N * N;
  const std::string sz = std::to_string(N) + "x" + std::to_string(N);
  t = time_ms([&] { r = mx::sum(m, 1, false, gpu); r.eval(); }, reps);
  line(("row_sum_" + sz).c_str(), mb, t, "sum over the last axis");
  t = time_ms([&] { r = mx::sum(m, 0, false, gpu); r.eval(); }, reps);
  line(("col_sum_" + sz).c_str(), mb, t, "sum over the first axis");
  t = time_ms([&] { r = mx::softmax(m, -1, false, gpu); r.eval(); }, reps);
  line(("softmax_" + sz).c_str(), 2 * mb, t, "last axis, read + write");
  t = time_ms([&] { r = mx::logsumexp(m, 1, false, gpu); r.eval(); }, reps);
  line(("logsumexp_" + sz).c_str(), mb, t, "composed: max, then sum(exp(x - max)) fused");
  mx::synchronize();
  std::printf("dispatches %llu, CPU fallbacks %llu\n", static_cast<unsigned long long>(b->dispatches()),
              static_cast<unsigned long long>(mx::Primitive::gpu_fallbacks().load()));
  return 0;
}
