// SPDX-License-Identifier: MIT
// Sorting and scans against the standard library, measured in the same run:
//   sort of 1e7 float32 (one row) vs std::sort on a copy; argsort of 1e7 vs std::stable_sort
//   of an index array; sort of 1000 rows of 10000 vs std::sort row by row; topk(1e7, 100) vs
//   std::nth_element + std::sort on a copy; cumsum of 1e7 float32 vs std::inclusive_scan into
//   a preallocated vector; cumsum along axis 0 of a 4096x2048 matrix vs a hand loop.
// The peers are single-threaded, as they ship; ours use the library's pool (2 threads here).
// After the runs, main() prints a ratio table (time ours / peer; below 1.00x = ours faster).
//
// Names follow STYLE.md rule 33: BM_<Op>/<n> is ours, BM_<Op>/<n>/peer:<who> the peers.
// Default flags (overridable): --benchmark_min_time=0.2 --benchmark_repetitions=5
// --benchmark_display_aggregates_only; the table uses the median of the repetitions.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"
#include "bench_common.hpp"

namespace mx = mlx::core;

namespace {

using bench::random_floats;
using bench::run_loop;
using bench::to_array;

using bench::fmt_time;
using bench::Recorder;

constexpr int64_t kN = 10000000;  // 1e7 float32: 40 MB, beyond the 32 MiB L3
constexpr int64_t kRows = 1000, kCols = 10000;
constexpr int64_t kMatR = 4096, kMatC = 2048;
constexpr int kTopK = 100;

void reg(const std::string& name, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); })
      ->Unit(benchmark::kMillisecond);
}

/// Evaluates an op's result and keeps it observable.
template <class T>
void keep(mx::array r) {
  r.eval();
  benchmark::DoNotOptimize(r.data<T>());
  benchmark::ClobberMemory();
}

void register_all() {
  const std::string n = std::to_string(kN), rows = std::to_string(kRows) + "x" + std::to_string(kCols),
                    mat = std::to_string(kMatR) + "x" + std::to_string(kMatC);

  // --- sort / argsort / topk of one row of 1e7 ------------------------------------------
  reg("BM_Sort/" + n, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kN, 1), {int(kN)});
    run_loop(st, [&] { keep<float>(mx::sort(a)); });
  });
  reg("BM_Sort/" + n + "/peer:std_sort", [=](benchmark::State& st) {
    const auto& v = random_floats(kN, 1);
    std::vector<float> c(v.size());
    run_loop(st, [&] {
      std::copy(v.begin(), v.end(), c.begin());
      std::sort(c.begin(), c.end());
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    });
  });
  reg("BM_ArgSort/" + n, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kN, 1), {int(kN)});
    run_loop(st, [&] { keep<uint32_t>(mx::argsort(a)); });
  });
  reg("BM_ArgSort/" + n + "/peer:std_stable_sort", [=](benchmark::State& st) {
    const auto& v = random_floats(kN, 1);
    std::vector<uint32_t> idx(static_cast<size_t>(kN));
    run_loop(st, [&] {
      std::iota(idx.begin(), idx.end(), 0u);
      std::stable_sort(idx.begin(), idx.end(), [&](uint32_t i, uint32_t j) { return v[i] < v[j]; });
      benchmark::DoNotOptimize(idx.data());
      benchmark::ClobberMemory();
    });
  });
  reg("BM_TopK/" + n, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kN, 1), {int(kN)});
    run_loop(st, [&] { keep<float>(mx::topk(a, kTopK)); });
  });
  reg("BM_TopK/" + n + "/peer:std_nth_element", [=](benchmark::State& st) {
    const auto& v = random_floats(kN, 1);
    std::vector<float> c(v.size());
    run_loop(st, [&] {
      std::copy(v.begin(), v.end(), c.begin());
      std::nth_element(c.begin(), c.end() - kTopK, c.end());
      std::sort(c.end() - kTopK, c.end());
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    });
  });

  // --- sort of many rows ------------------------------------------------------------------
  reg("BM_SortRows/" + rows, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kRows * kCols, 2), {int(kRows), int(kCols)});
    run_loop(st, [&] { keep<float>(mx::sort(a, 1)); });
  });
  reg("BM_SortRows/" + rows + "/peer:std_sort", [=](benchmark::State& st) {
    const auto& v = random_floats(kRows * kCols, 2);
    std::vector<float> c(v.size());
    run_loop(st, [&] {
      std::copy(v.begin(), v.end(), c.begin());
      for (int64_t r = 0; r < kRows; ++r) std::sort(c.begin() + r * kCols, c.begin() + (r + 1) * kCols);
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    });
  });

  // --- scans ------------------------------------------------------------------------------
  reg("BM_Cumsum/" + n, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kN, 3), {int(kN)});
    run_loop(st, [&] { keep<float>(mx::cumsum(a)); });
  });
  reg("BM_Cumsum/" + n + "/peer:std_inclusive_scan", [=](benchmark::State& st) {
    const auto& v = random_floats(kN, 3);
    std::vector<float> out(v.size());
    run_loop(st, [&] {
      std::inclusive_scan(v.begin(), v.end(), out.begin());
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    });
  });
  reg("BM_CumsumAxis0/" + mat, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kMatR * kMatC, 4), {int(kMatR), int(kMatC)});
    run_loop(st, [&] { keep<float>(mx::cumsum(a, 0)); });
  });
  reg("BM_CumsumAxis0/" + mat + "/peer:hand_loop", [=](benchmark::State& st) {
    const auto& v = random_floats(kMatR * kMatC, 4);
    std::vector<float> out(v.size());
    run_loop(st, [&] {
      // Row by row: out[r] = out[r - 1] + in[r] (vectorised by the compiler).
      std::copy(v.begin(), v.begin() + kMatC, out.begin());
      for (int64_t r = 1; r < kMatR; ++r) {
        const float* x = v.data() + r * kMatC;
        const float* p = out.data() + (r - 1) * kMatC;
        float* o = out.data() + r * kMatC;
        for (int64_t c = 0; c < kMatC; ++c) o[c] = p[c] + x[c];
      }
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    });
  });
}

void print_table(const Recorder& rec) {
  const std::string n = std::to_string(kN), rows = std::to_string(kRows) + "x" + std::to_string(kCols),
                    mat = std::to_string(kMatR) + "x" + std::to_string(kMatC);
  std::printf("\n==== ratio table: time ours / peer (below 1.00x = ours faster); medians, real time; "
              "threads: ours %d, peers 1 ====\n",
              mx::cpu::ThreadPool::instance().num_threads());
  struct Case { std::string name, peer, label; bool target; };
  const Case cases[] = {
      {"BM_Sort/" + n, "std_sort", "sort(a) n=1e7 float32 vs std::sort (copy + sort)", true},
      {"BM_ArgSort/" + n, "std_stable_sort", "argsort(a) n=1e7 vs std::stable_sort of indices", false},
      {"BM_TopK/" + n, "std_nth_element", "topk(a, 100) n=1e7 vs nth_element + sort", false},
      {"BM_SortRows/" + rows, "std_sort", "sort(m, 1) 1000x10000 vs std::sort per row", false},
      {"BM_Cumsum/" + n, "std_inclusive_scan", "cumsum(a) n=1e7 vs std::inclusive_scan", false},
      {"BM_CumsumAxis0/" + mat, "hand_loop", "cumsum(m, 0) 4096x2048 vs row-by-row loop", false},
  };
  int pass = 0, miss = 0;
  for (const auto& c : cases) {
    auto ours = rec.seconds(c.name);
    auto peer = rec.seconds(c.name + "/peer:" + c.peer);
    if (!ours || !peer) continue;
    std::printf("\n%s\n  ours %10s   peer %10s   ours/peer %.2fx\n", c.label.c_str(),
                fmt_time(*ours).c_str(), fmt_time(*peer).c_str(), *ours / *peer);
    if (c.target) {
      bool ok = *ours <= *peer;
      std::printf("    target %-50s %s\n", "sort of 1e7 no slower than std::sort (<= 1.00x)",
                  ok ? "PASS" : "MISS");
      (ok ? pass : miss)++;
    }
  }
  std::printf("\ntargets: %d pass, %d miss\n", pass, miss);
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
