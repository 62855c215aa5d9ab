// SPDX-License-Identifier: MIT
// Graph overhead on tiny arrays, where the arithmetic is free and every nanosecond is the
// library's: building nodes, topological sort, dispatch, allocation, the kernel call.
//   BM_Chain100/4     x = array(x + 1.0f) 100 times on a 4-element float32 array, then eval:
//                     reported as ns per op, eval included (target <= 500 ns/op).
//   BM_SingleOp/4     array y = x + 1.0f; y.eval();  (target <= 2 us).
// Breakdown (not targets): the same bodies without eval (building and releasing the graph
// only); the difference is printed as the eval share. BM_Fused4 (one 4-op expression, one
// node) is there for scale.
//
// Default flags (overridable): --benchmark_min_time=0.2 --benchmark_repetitions=5
// --benchmark_display_aggregates_only; the table uses the median of the repetitions.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "mlx/mlx.hpp"
#include "bench_common.hpp"

namespace mx = mlx::core;

namespace {

using bench::Recorder;
constexpr int kChain = 100;

mx::array small_input() {
  mx::array x({1.0f, 2.0f, 3.0f, 4.0f});
  x.eval();
  return x;
}

void BM_Chain100(benchmark::State& st) {
  const mx::array x0 = small_input();
  for (auto _ : st) {
    mx::array x = x0;
    for (int i = 0; i < kChain; ++i) x = mx::array(x + 1.0f);
    x.eval();
    benchmark::DoNotOptimize(x.data<float>());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(st.iterations() * kChain);
}

void BM_Chain100_BuildOnly(benchmark::State& st) {
  const mx::array x0 = small_input();
  for (auto _ : st) {
    mx::array x = x0;
    for (int i = 0; i < kChain; ++i) x = mx::array(x + 1.0f);
    benchmark::DoNotOptimize(&x);
    benchmark::ClobberMemory();
  }  // the unevaluated chain is released here (inside the timer, as it would be in use)
  st.SetItemsProcessed(st.iterations() * kChain);
}

void BM_SingleOp(benchmark::State& st) {
  const mx::array x = small_input();
  for (auto _ : st) {
    mx::array y = x + 1.0f;
    y.eval();
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
}

void BM_SingleOp_BuildOnly(benchmark::State& st) {
  const mx::array x = small_input();
  for (auto _ : st) {
    mx::array y = x + 1.0f;
    benchmark::DoNotOptimize(&y);
    benchmark::ClobberMemory();
  }
}

/// A fused 4-op expression in one node: what the chain would cost if written as one
/// expression (one node, one kernel call), for scale.
void BM_Fused4(benchmark::State& st) {
  const mx::array x = small_input();
  for (auto _ : st) {
    mx::array y = ((x + 1.0f) * 2.0f - 3.0f) / 4.0f;
    y.eval();
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
}

void register_all() {
  for (auto [name, fn] : {std::pair{"BM_Chain100/4", &BM_Chain100},
                          std::pair{"BM_Chain100_BuildOnly/4", &BM_Chain100_BuildOnly},
                          std::pair{"BM_SingleOp/4", &BM_SingleOp},
                          std::pair{"BM_SingleOp_BuildOnly/4", &BM_SingleOp_BuildOnly},
                          std::pair{"BM_Fused4/4", &BM_Fused4}})
    benchmark::RegisterBenchmark(name, fn)->Unit(benchmark::kNanosecond);
}

void print_table(const Recorder& rec) {
  int pass = 0, miss = 0;
  std::printf("\n==== graph overhead (4-element float32; medians, real time) ====\n");
  auto chain = rec.seconds("BM_Chain100/4"), chain_b = rec.seconds("BM_Chain100_BuildOnly/4");
  auto one = rec.seconds("BM_SingleOp/4"), one_b = rec.seconds("BM_SingleOp_BuildOnly/4");
  auto fused = rec.seconds("BM_Fused4/4");
  if (chain) {
    double per = *chain / kChain * 1e9;
    bool ok = per <= 500.0;
    std::printf("100-op chain x = x + 1.0f, eval: %8.0f ns/op  (%.2f us total)   target <= 500 "
                "ns/op   %s\n", per, *chain * 1e6, ok ? "PASS" : "MISS");
    (ok ? pass : miss)++;
    if (chain_b)
      std::printf("   of which graph building:       %8.0f ns/op; eval + release: %.0f ns/op\n",
                  *chain_b / kChain * 1e9, (*chain - *chain_b) / kChain * 1e9);
  }
  if (one) {
    bool ok = *one <= 2e-6;
    std::printf("single op y = x + 1.0f; eval:    %8.3f us          target <= 2 us       %s\n",
                *one * 1e6, ok ? "PASS" : "MISS");
    (ok ? pass : miss)++;
    if (one_b)
      std::printf("   of which building the node:    %8.3f us; eval: %.3f us\n", *one_b * 1e6,
                  (*one - *one_b) * 1e6);
  }
  if (fused) std::printf("fused ((x+1)*2-3)/4, one node:   %8.3f us (for scale)\n", *fused * 1e6);
  std::printf("targets: %d pass, %d miss\n", pass, miss);
}


}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
