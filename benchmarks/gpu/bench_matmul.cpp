// SPDX-License-Identifier: MIT
// GPU matmul throughput (backend/gpu/matmul.hpp): square products in float32, float16 and
// bfloat16, one line per case with the median TFLOP/s of several runs after a warm-up. A
// run times eval + mx::synchronize() of one product whose inputs are already on the device;
// the first run (pipeline creation, uploads) is reported apart as the cold start. Plain C++
// (no Google Benchmark) so that it runs on a machine without libbenchmark.
//   bench_matmul [--quick] [--runs N] [--sizes 1024,2048] [--check]
// --quick: sizes 128/256/512 and 3 runs (lavapipe); --check: compare with the CPU too.
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace mx = mlx::core;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

mx::array input(int n, mx::Dtype d, uint64_t seed) {
  auto key = mx::random::key(seed);
  mx::array x = mx::random::uniform(mx::array(-1.0f), mx::array(1.0f), {n, n}, mx::float32, key,
                                    mx::Device::cpu);
  x = mx::astype(x, d, mx::Device::cpu);
  x.eval();
  return x;
}

const char* name_of(mx::Dtype d) {
  return d == mx::float32 ? "f32" : d == mx::float16 ? "f16" : "bf16";
}

// max |gpu - cpu| / max |cpu|.
double relative_error(const mx::array& g, const mx::array& a, const mx::array& b) {
  mx::array c = mx::matmul(mx::astype(a, mx::float32, mx::Device::cpu),
                           mx::astype(b, mx::float32, mx::Device::cpu), mx::Device::cpu);
  mx::array gf = mx::astype(g, mx::float32, mx::Device::cpu);
  mx::eval(c, gf);
  const float *pc = c.data<float>(), *pg = gf.data<float>();
  double err = 0, scale = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    err = std::max(err, std::abs(double(pg[i]) - pc[i]));
    scale = std::max(scale, std::abs(double(pc[i])));
  }
  return scale > 0 ? err / scale : err;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes{1024, 2048, 4096};
  int runs = 10;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      sizes = {128, 256, 512};
      runs = 3;
    } else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--sizes") && i + 1 < argc) {
      sizes.clear();
      for (char* s = std::strtok(argv[++i], ","); s; s = std::strtok(nullptr, ","))
        sizes.push_back(std::atoi(s));
    } else if (!std::strcmp(argv[i], "--check")) {
      check = true;
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--runs N] [--sizes a,b,...] [--check]\n", argv[0]);
      return 2;
    }
  }
  auto* be = mx::gpu::backend();
  if (!be) {
    std::fprintf(stderr, "no Vulkan device\n");
    return 1;
  }
  const auto& info = be->info();
  std::printf("# %s (Vulkan %s)%s%s\n", info.name.c_str(), info.driver.c_str(),
              info.cooperative_matrix_nv ? ", NV cooperative matrix" : "",
              info.is_cpu ? ", CPU device" : "");
  const mx::Device gpu(mx::Device::gpu);
  std::vector<mx::Dtype> dtypes{mx::float32};
  if (info.float16) dtypes.push_back(mx::float16);
  if (info.int16) dtypes.push_back(mx::bfloat16);
  for (mx::Dtype d : dtypes)
    for (int n : sizes) {
      mx::array a = input(n, d, 1), b = input(n, d, 2);
      const uint64_t fallbacks = mx::Primitive::gpu_fallbacks().load();
      auto t0 = Clock::now();
      mx::array c = mx::matmul(a, b, gpu);
      c.eval();
      mx::synchronize();
      const double cold = seconds(t0, Clock::now());
      std::string note;
      if (mx::Primitive::gpu_fallbacks().load() != fallbacks) note = " (ran on the CPU!)";
      {  // warm-up
        mx::array w = mx::matmul(a, b, gpu);
        w.eval();
        mx::synchronize();
      }
      std::vector<double> t;
      for (int r = 0; r < runs; ++r) {
        mx::array x = mx::matmul(a, b, gpu);
        auto s = Clock::now();
        x.eval();
        mx::synchronize();
        t.push_back(seconds(s, Clock::now()));
      }
      // After the timed runs: the CPU reference of a big product would perturb them.
      if (check) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " rel.err %.2e", relative_error(c, a, b));
        note += buf;
      }
      c = mx::array();
      std::sort(t.begin(), t.end());
      const double med = t[t.size() / 2];
      const double flops = 2.0 * double(n) * n * n;
      std::printf("matmul %-4s %5d x %5d x %5d  median %9.3f ms  %8.4f TFLOP/s  (min %.3f ms, "
                  "%d runs, cold %.1f ms)%s\n",
                  name_of(d), n, n, n, med * 1e3, flops / med * 1e-12, t.front() * 1e3, runs,
                  cold * 1e3, note.c_str());
      std::fflush(stdout);
    }
  return 0;
}
