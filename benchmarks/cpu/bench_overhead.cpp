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

namespace mx = mlx::core;

namespace {

class Recorder : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal (scripts/bench.sh tees the output to files).
  Recorder() : ConsoleReporter(isatty(fileno(stdout)) ? OO_ColorTabular : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred) continue;
      double s = r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
      const std::string& name = r.run_name.function_name;
      if (r.run_type == Run::RT_Iteration)
        iterations_[name].push_back(s);
      else if (r.aggregate_name == "median")
        medians_[name] = s;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::optional<double> seconds(const std::string& name) const {
    if (auto it = medians_.find(name); it != medians_.end()) return it->second;
    auto it = iterations_.find(name);
    if (it == iterations_.end() || it->second.empty()) return std::nullopt;
    std::vector<double> v = it->second;
    std::sort(v.begin(), v.end());
    size_t k = v.size() / 2;
    return v.size() % 2 ? v[k] : 0.5 * (v[k - 1] + v[k]);
  }

 private:
  std::map<std::string, std::vector<double>> iterations_;
  std::map<std::string, double> medians_;
};

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

/// /proc/loadavg's first three fields (the machine is shared: this says how busy it was).
std::string load_average() {
  std::string s = "?";
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    char buf[128] = {};
    if (std::fgets(buf, sizeof buf, f)) {
      s = buf;
      size_t cut = 0;
      for (int k = 0; k < 3 && cut != std::string::npos; ++k) cut = s.find(' ', cut + 1);
      s = s.substr(0, cut);
    }
    std::fclose(f);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  // Repetitions interleaved at random: on a shared 2-core machine, load from elsewhere then
  // falls on every contender alike instead of on whichever ran at the wrong moment.
  std::string d1 = "--benchmark_min_time=0.2", d2 = "--benchmark_repetitions=5",
              d3 = "--benchmark_display_aggregates_only=true",
              d4 = "--benchmark_enable_random_interleaving=true";
  std::vector<char*> args{argv[0], d1.data(), d2.data(), d3.data(), d4.data()};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int ac = static_cast<int>(args.size());
  benchmark::Initialize(&ac, args.data());
  if (benchmark::ReportUnrecognizedArguments(ac, args.data())) return 1;
  register_all();
  std::string load_before = load_average();
  Recorder rec;
  benchmark::RunSpecifiedBenchmarks(&rec);
  std::cout << std::flush;  // the reporter writes to std::cout, the table to stdout
  print_table(rec);
  std::printf("load average (1/5/15 min) before the runs: %s; after: %s (2 cores)\n",
              load_before.c_str(), load_average().c_str());
  std::fflush(stdout);
  benchmark::Shutdown();
  return 0;
}
