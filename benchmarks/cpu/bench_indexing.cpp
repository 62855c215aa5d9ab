// SPDX-License-Identifier: MIT
// Gather benchmarks: take of 1e7 random int32 indices from a 1e7-element float32 array vs a
// hand-written loop over the same data on the same threads (the peer), a transposed copy
// (contiguous of a 4096x4096 transpose) vs a hand-blocked loop. main() prints the ratios.
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

constexpr int kN = 10'000'000, kM = 4096;

void reg(const std::string& name, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); })->Unit(benchmark::kMillisecond);
}

std::vector<int32_t> random_indices(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = static_cast<int32_t>(rng() % static_cast<unsigned>(n));
  return v;
}

void register_all() {
  reg("BM_Take/10000000", [](benchmark::State& st) {
    mx::array src = mx::contiguous(mx::astype(mx::arange(0.0, double(kN), 1.0), mx::float32));
    auto iv = random_indices(kN, 1);
    mx::array idx(iv.begin(), {kN});
    src.eval();
    auto once = [&] {
      mx::array y = mx::take(src, idx);
      y.eval();
      benchmark::DoNotOptimize(y.data<float>());
    };
    once();
    for (auto _ : st) once();
  });
  reg("BM_Take/10000000/peer:loop", [](benchmark::State& st) {
    std::vector<float> src(kN), out(kN);
    for (int i = 0; i < kN; ++i) src[i] = static_cast<float>(i);
    auto iv = random_indices(kN, 1);
    for (auto _ : st) {
      mx::cpu::parallel_for(kN, 1 << 14, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) out[i] = src[iv[i]];
      });
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  });
  reg("BM_TransposeCopy/4096", [](benchmark::State& st) {
    mx::array a = mx::contiguous(mx::reshape(mx::astype(mx::arange(0.0, double(kM) * kM, 1.0), mx::float32), {kM, kM}));
    a.eval();
    auto once = [&] {
      mx::array y = mx::contiguous(mx::transpose(a));
      y.eval();
      benchmark::DoNotOptimize(y.data<float>());
    };
    once();
    for (auto _ : st) once();
  });
  reg("BM_TransposeCopy/4096/peer:loop", [](benchmark::State& st) {
    std::vector<float> a(size_t(kM) * kM), out(size_t(kM) * kM);
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i);
    for (auto _ : st) {
      constexpr int B = 32;  // cache blocks of 32x32
      mx::cpu::parallel_for(kM / B, 1, [&](int64_t b, int64_t e) {
        for (int64_t bi = b; bi < e; ++bi)
          for (int bj = 0; bj < kM / B; ++bj)
            for (int i = 0; i < B; ++i)
              for (int j = 0; j < B; ++j)
                out[size_t(bi * B + i) * kM + bj * B + j] = a[size_t(bj * B + j) * kM + bi * B + i];
      });
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  });
}

void print_table(const bench::Recorder& rec) {
  std::printf("\n==== ratio table: time ours / peer (below 1.00x = ours faster); medians, real time; "
              "threads: ours %d ====\n",
              mx::cpu::ThreadPool::instance().num_threads());
  struct Row { const char* name; const char* label; double max_ratio; const char* target; };
  for (auto r : {Row{"BM_Take/10000000", "take 1e7 random indices", 1.25, "speed >= 0.8x the hand loop (ratio <= 1.25x)"},
                 Row{"BM_TransposeCopy/4096", "contiguous(transpose) 4096^2", 0.0, ""}}) {
    auto o = rec.seconds(r.name), p = rec.seconds(std::string(r.name) + "/peer:loop");
    if (!o || !p) continue;
    std::printf("%s: mlx %s, hand loop %s: ours/peer %.2fx\n", r.label, bench::fmt_time(*o).c_str(),
                bench::fmt_time(*p).c_str(), *o / *p);
    if (r.max_ratio > 0) std::printf("    target %-50s %s\n", r.target, *o / *p <= r.max_ratio ? "PASS" : "MISS");
  }
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
