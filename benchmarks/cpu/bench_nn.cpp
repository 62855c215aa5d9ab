// SPDX-License-Identifier: MIT
// Benchmarks of the ops a network's layers spend their time in, with peers:
//   softmax over the rows of a 4096x4096 float32 matrix vs a hand-written xsimd two-pass
//     kernel (online max+sum, then scale) on the same threads;
//   conv2d 3x3, batch 32, 56x56, 64 -> 64 channels, padding 1 (channels-last) — PyTorch's
//     CPU figures for both come from torch_peer.py, which scripts/bench.sh runs beside this
//     and which prints ours/torch from this program's JSON output.
// After the runs main() prints the ratio table (time ours / peer).
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "bench_common.hpp"
#include "mlx/backend/cpu/simd_math.hpp"
#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

constexpr int kRows = 4096, kCols = 4096;
constexpr int kN = 32, kH = 56, kW = 56, kC = 64;

mx::array random_array(const mx::Shape& shape, unsigned seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(mx::shape_size(shape));
  for (auto& x : v) x = u(rng);
  mx::array a(v.begin(), shape);
  a.eval();
  return a;
}

/// The peer: per row, one pass keeping a running max and a rescaled sum, one pass writing
/// exp(x - max) / sum (8.4 ms for 4096^2 on 2 threads when the project was planned).
void hand_softmax(const float* in, float* out, int64_t rows, int64_t n) {
  using V = xsimd::batch<float>;
  constexpr int64_t W = V::size;
  mx::cpu::parallel_for(rows, 16, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* x = in + r * n;
      float* y = out + r * n;
      V m(-INFINITY), s(0.0f);
      int64_t j = 0;
      for (; j + W <= n; j += W) {
        V v = V::load_unaligned(x + j);
        V m2 = xsimd::max(m, v);
        s = s * mx::simd::fast_exp(m - m2) + mx::simd::fast_exp(v - m2);
        m = m2;
      }
      alignas(64) float ml[W], sl[W];
      m.store_aligned(ml);
      s.store_aligned(sl);
      float mm = ml[0];
      for (int64_t k = 1; k < W; ++k) mm = std::max(mm, ml[k]);
      float ss = 0;
      for (int64_t k = 0; k < W; ++k) ss += sl[k] * std::exp(ml[k] - mm);
      for (; j < n; ++j) {  // (n is a multiple of W here; kept for other sizes)
        float m2 = std::max(mm, x[j]);
        ss = ss * std::exp(mm - m2) + std::exp(x[j] - m2);
        mm = m2;
      }
      const V vm(mm), inv(1.0f / ss);
      for (j = 0; j + W <= n; j += W) (mx::simd::fast_exp(V::load_unaligned(x + j) - vm) * inv).store_unaligned(y + j);
      for (; j < n; ++j) y[j] = std::exp(x[j] - mm) / ss;
    }
  });
}

void reg(const std::string& name, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); })->Unit(benchmark::kMillisecond);
}

void register_all() {
  reg("BM_Softmax/4096", [](benchmark::State& st) {
    mx::array a = random_array({kRows, kCols}, 1, 4.0f);
    auto once = [&] {
      mx::array y = mx::softmax(a, -1);
      y.eval();
      benchmark::DoNotOptimize(y.data<float>());
    };
    once();
    for (auto _ : st) once();
  });
  reg("BM_Softmax/4096/peer:xsimd", [](benchmark::State& st) {
    mx::array a = random_array({kRows, kCols}, 1, 4.0f);
    std::vector<float> out(static_cast<size_t>(kRows) * kCols);
    const float* in = a.data<float>();
    hand_softmax(in, out.data(), kRows, kCols);
    for (auto _ : st) {
      hand_softmax(in, out.data(), kRows, kCols);
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  });
  reg("BM_Conv2d/3x3_32x56x56_64to64", [](benchmark::State& st) {
    mx::array x = random_array({kN, kH, kW, kC}, 2);
    mx::array w = random_array({kC, 3, 3, kC}, 3, 0.1f);
    auto once = [&] {
      mx::array y = mx::conv2d(x, w, {1, 1}, {1, 1});
      y.eval();
      benchmark::DoNotOptimize(y.data<float>());
    };
    once();
    for (auto _ : st) once();
    st.counters["GFLOP/s"] = benchmark::Counter(2.0 * kN * kH * kW * kC * kC * 9 * st.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
  });
}

void print_table(const bench::Recorder& rec) {
  std::printf("\n==== ratio table: time ours / peer (below 1.00x = ours faster); medians, real time; "
              "threads: ours %d ====\n",
              mx::cpu::ThreadPool::instance().num_threads());
  auto ours = rec.seconds("BM_Softmax/4096"), peer = rec.seconds("BM_Softmax/4096/peer:xsimd");
  if (ours && peer) {
    std::printf("softmax rows of 4096x4096: mlx %s, hand xsimd two-pass %s: ours/peer %.2fx\n",
                bench::fmt_time(*ours).c_str(), bench::fmt_time(*peer).c_str(), *ours / *peer);
    std::printf("    target %-50s %s\n", "<= 1.1x the hand kernel", *ours / *peer <= 1.1 ? "PASS" : "MISS");
  }
  if (auto c = rec.seconds("BM_Conv2d/3x3_32x56x56_64to64"))
    std::printf("conv2d 3x3 32x56x56 64->64: mlx %s (%.0f GFLOP/s)\n", bench::fmt_time(*c).c_str(),
                2.0 * kN * kH * kW * kC * kC * 9 / *c / 1e9);
  std::printf("(PyTorch's figures and ours/torch: benchmarks/cpu/torch_peer.py, run by scripts/bench.sh)\n");
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
