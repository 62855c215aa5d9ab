// SPDX-License-Identifier: MIT
// What every CPU benchmark program shares: a reporter that records median times per run
// name (for the ratio tables printed after the runs), time formatting, the load average,
// a main() that sets the default flags, and the inputs (cached random floats, evaluated
// arrays made from them, the warm-up-then-time loop).
#pragma once

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "mlx/core/array.hpp"

namespace bench {

template <class T>
using aligned_vector = std::vector<T, xsimd::aligned_allocator<T, 64>>;

/// n pseudo-random floats in [-1, 1), made once per (n, seed) and kept (benchmarks copy
/// them outside their timed loops).
inline const aligned_vector<float>& random_floats(int64_t n, uint32_t seed) {
  static std::map<std::pair<int64_t, uint32_t>, aligned_vector<float>> made;
  auto& v = made[{n, seed}];
  if (v.empty()) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    v.resize(static_cast<size_t>(n));
    for (auto& x : v) x = dist(gen);
  }
  return v;
}

/// An evaluated float32 array of `shape` holding v.
template <class Vec>
mlx::core::array to_array(const Vec& v, mlx::core::Shape shape) {
  mlx::core::array x(v.begin(), shape);
  x.eval();
  return x;
}

/// Runs `once` untimed (warm-up: caches, allocator), then once per iteration.
template <class F>
void run_loop(benchmark::State& st, F&& once) {
  once();
  for (auto _ : st) once();
}

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


inline std::string fmt_time(double s) {
  char buf[32];
  if (s < 1e-6) std::snprintf(buf, sizeof buf, "%.0f ns", s * 1e9);
  else if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.2f us", s * 1e6);
  else std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
  return buf;
}

/// /proc/loadavg's first three fields (the machine is shared: this says how busy it was).
inline std::string load_average() {
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

/// Runs the registered benchmarks with this project's default flags (command-line flags
/// win), then prints the program's ratio table and the load average around the runs.
inline int run_main(int argc, char** argv, void (*register_all)(),
                    void (*print_table)(const Recorder&)) {
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

}  // namespace bench
