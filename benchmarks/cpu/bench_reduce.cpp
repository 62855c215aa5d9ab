// SPDX-License-Identifier: MIT
// Reductions against their peers, measured in the same run:
//   sum and max of 1e7 float32, sum(a*b) (fused: no temporary), and the axis-0 and axis-1
//   sums of a 4096x4096 float32 matrix.
// Peers: a hand-written xsimd loop on 2 threads (the library's cpu::parallel_for), Eigen
// (single-threaded, as it ships: .sum(), .maxCoeff(), (a*b).sum(), colwise()/rowwise() on a
// RowMajor Map) and a 2-thread Eigen variant over Map segments. NumPy's figures come from
// numpy_peer.py (scripts/bench.sh puts them side by side). After the runs, main() prints a
// ratio table (time ours / peer) with GB/s = bytes read / time.
//
// Names follow STYLE.md rule 33: BM_<Op>/<n> is ours, BM_<Op>/<n>/peer:<who> the peers.
// Default flags (overridable): --benchmark_min_time=0.2 --benchmark_repetitions=5
// --benchmark_display_aggregates_only; the table uses the median of the repetitions.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <xsimd/xsimd.hpp>

#include "mlx/mlx.hpp"
#include "bench_common.hpp"

#if MLXPP_HAVE_EIGEN
#include <Eigen/Core>
#endif

namespace mx = mlx::core;

namespace {

// ---------------------------------------------------------------------------------------
// Result collection (same reporter as bench_elementwise.cpp).

using bench::Recorder;
using bench::fmt_time;
using bench::aligned_vector;
using bench::random_floats;
using bench::to_array;

// ---------------------------------------------------------------------------------------
// Inputs

constexpr int64_t kN = 10000000;  // 1e7 (40 MB per float32 array: far beyond the 32 MiB L3)
constexpr int64_t kRows = 4096, kCols = 4096;

// ---------------------------------------------------------------------------------------
// Hand-written xsimd reductions on the library's pool (2 threads on this machine).

using B = xsimd::batch<float>;
constexpr int64_t W = static_cast<int64_t>(B::size);

/// Splits [0, n) into one contiguous part per thread and folds the parts' results.
template <class Part, class Fold>
float hand_reduce(int64_t n, float init, Part part, Fold fold) {
  int nt = mx::cpu::ThreadPool::instance().num_threads();
  std::vector<float> partial(static_cast<size_t>(nt), init);
  int64_t per = ((n + nt - 1) / nt + W - 1) / W * W;
  mx::cpu::parallel_for(nt, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      int64_t lo = std::min(n, t * per), hi = std::min(n, lo + per);
      partial[t] = part(lo, hi);
    }
  });
  float r = init;
  for (float p : partial) r = fold(r, p);
  return r;
}

float hand_sum(const float* a, int64_t n) {
  return hand_reduce(n, 0.0f, [a](int64_t lo, int64_t hi) {
    B s0(0.0f), s1(0.0f), s2(0.0f), s3(0.0f);
    int64_t i = lo;
    for (; i + 4 * W <= hi; i += 4 * W) {
      s0 += B::load_unaligned(a + i);
      s1 += B::load_unaligned(a + i + W);
      s2 += B::load_unaligned(a + i + 2 * W);
      s3 += B::load_unaligned(a + i + 3 * W);
    }
    float s = xsimd::hadd((s0 + s1) + (s2 + s3));
    for (; i < hi; ++i) s += a[i];
    return s;
  }, [](float x, float y) { return x + y; });
}

float hand_max(const float* a, int64_t n) {
  const float lo_init = -std::numeric_limits<float>::infinity();
  return hand_reduce(n, lo_init, [a, lo_init](int64_t lo, int64_t hi) {
    B m0(lo_init), m1 = m0, m2 = m0, m3 = m0;
    int64_t i = lo;
    for (; i + 4 * W <= hi; i += 4 * W) {
      m0 = xsimd::max(m0, B::load_unaligned(a + i));
      m1 = xsimd::max(m1, B::load_unaligned(a + i + W));
      m2 = xsimd::max(m2, B::load_unaligned(a + i + 2 * W));
      m3 = xsimd::max(m3, B::load_unaligned(a + i + 3 * W));
    }
    alignas(64) float lanes[W];
    xsimd::max(xsimd::max(m0, m1), xsimd::max(m2, m3)).store_aligned(lanes);
    float m = *std::max_element(lanes, lanes + W);
    for (; i < hi; ++i) m = std::max(m, a[i]);
    return m;
  }, [](float x, float y) { return std::max(x, y); });
}

float hand_dot(const float* a, const float* b, int64_t n) {
  return hand_reduce(n, 0.0f, [a, b](int64_t lo, int64_t hi) {
    B s0(0.0f), s1(0.0f), s2(0.0f), s3(0.0f);
    int64_t i = lo;
    for (; i + 4 * W <= hi; i += 4 * W) {
      s0 = xsimd::fma(B::load_unaligned(a + i), B::load_unaligned(b + i), s0);
      s1 = xsimd::fma(B::load_unaligned(a + i + W), B::load_unaligned(b + i + W), s1);
      s2 = xsimd::fma(B::load_unaligned(a + i + 2 * W), B::load_unaligned(b + i + 2 * W), s2);
      s3 = xsimd::fma(B::load_unaligned(a + i + 3 * W), B::load_unaligned(b + i + 3 * W), s3);
    }
    float s = xsimd::hadd((s0 + s1) + (s2 + s3));
    for (; i < hi; ++i) s += a[i] * b[i];
    return s;
  }, [](float x, float y) { return x + y; });
}

/// Column sums (axis 0): each thread sums its half of the rows into its own row vector,
/// streaming memory in order; the two vectors are added at the end.
void hand_sum_axis0(const float* m, int64_t rows, int64_t cols, float* out,
                    std::vector<aligned_vector<float>>& part) {
  int nt = mx::cpu::ThreadPool::instance().num_threads();
  part.resize(static_cast<size_t>(nt));
  int64_t per = (rows + nt - 1) / nt;
  mx::cpu::parallel_for(nt, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      auto& acc = part[t];
      acc.assign(static_cast<size_t>(cols), 0.0f);
      int64_t r0 = std::min(rows, t * per), r1 = std::min(rows, r0 + per);
      for (int64_t r = r0; r < r1; ++r) {
        const float* row = m + r * cols;
        int64_t j = 0;
        for (; j + W <= cols; j += W)
          (B::load_aligned(acc.data() + j) + B::load_unaligned(row + j)).store_aligned(acc.data() + j);
        for (; j < cols; ++j) acc[j] += row[j];
      }
    }
  });
  for (int64_t j = 0; j < cols; ++j) {
    float s = 0.0f;
    for (int t = 0; t < nt; ++t) s += part[t][j];
    out[j] = s;
  }
}

/// Row sums (axis 1): rows split over the threads, each row folded with 4 accumulators.
void hand_sum_axis1(const float* m, int64_t rows, int64_t cols, float* out) {
  mx::cpu::parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* a = m + r * cols;
      B s0(0.0f), s1(0.0f), s2(0.0f), s3(0.0f);
      int64_t i = 0;
      for (; i + 4 * W <= cols; i += 4 * W) {
        s0 += B::load_unaligned(a + i);
        s1 += B::load_unaligned(a + i + W);
        s2 += B::load_unaligned(a + i + 2 * W);
        s3 += B::load_unaligned(a + i + 3 * W);
      }
      float s = xsimd::hadd((s0 + s1) + (s2 + s3));
      for (; i < cols; ++i) s += a[i];
      out[r] = s;
    }
  });
}

// ---------------------------------------------------------------------------------------
// Benchmarks. Bodies evaluate and DoNotOptimize() the result; one untimed run first.

template <class F>
void run_loop(benchmark::State& st, double bytes, F&& once) {
  once();
  for (auto _ : st) once();
  st.SetBytesProcessed(static_cast<int64_t>(bytes) * st.iterations());
}

void reg(const std::string& name, std::function<void(benchmark::State&)> fn) {
  // No UseRealTime(): it would append "/real_time" to every name (and to filters). The
  // tables read real time all the same; the iteration count follows the main thread's CPU
  // time, which the pool's calling thread spends working or yielding.
  benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); })
      ->Unit(benchmark::kMicrosecond);
}

/// Keeps a scalar result observable.
void keep(float v) {
  benchmark::DoNotOptimize(v);
  benchmark::ClobberMemory();
}

void register_all() {
  const std::string n = std::to_string(kN), mn = std::to_string(kRows);
  const double bytes1 = 4.0 * kN, bytes2 = 8.0 * kN, bytesm = 4.0 * kRows * kCols;

  // --- sum / max of 1e7 -------------------------------------------------------------
  reg("BM_Sum/" + n, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kN, 1), {static_cast<int>(kN)});
    run_loop(st, bytes1, [&] {
      mx::array s = mx::sum(a);
      s.eval();
      benchmark::DoNotOptimize(s.data<float>());
      benchmark::ClobberMemory();
    });
  });
  reg("BM_Max/" + n, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kN, 1), {static_cast<int>(kN)});
    run_loop(st, bytes1, [&] {
      mx::array s = mx::max(a);
      s.eval();
      benchmark::DoNotOptimize(s.data<float>());
      benchmark::ClobberMemory();
    });
  });
  reg("BM_Sum/" + n + "/peer:xsimd", [=](benchmark::State& st) {
    aligned_vector<float> a = random_floats(kN, 1);
    run_loop(st, bytes1, [&] { keep(hand_sum(a.data(), kN)); });
  });
  reg("BM_Max/" + n + "/peer:xsimd", [=](benchmark::State& st) {
    aligned_vector<float> a = random_floats(kN, 1);
    run_loop(st, bytes1, [&] { keep(hand_max(a.data(), kN)); });
  });
#if MLXPP_HAVE_EIGEN
  reg("BM_Sum/" + n + "/peer:eigen", [=](benchmark::State& st) {
    const auto& v = random_floats(kN, 1);
    Eigen::ArrayXf a = Eigen::Map<const Eigen::ArrayXf>(v.data(), kN);
    run_loop(st, bytes1, [&] { keep(a.sum()); });
  });
  reg("BM_Max/" + n + "/peer:eigen", [=](benchmark::State& st) {
    const auto& v = random_floats(kN, 1);
    Eigen::ArrayXf a = Eigen::Map<const Eigen::ArrayXf>(v.data(), kN);
    run_loop(st, bytes1, [&] { keep(a.maxCoeff()); });
  });
  reg("BM_Sum/" + n + "/peer:eigen2t", [=](benchmark::State& st) {
    aligned_vector<float> a = random_floats(kN, 1);
    run_loop(st, bytes1, [&] {
      keep(hand_reduce(kN, 0.0f, [&](int64_t lo, int64_t hi) {
        return Eigen::Map<const Eigen::ArrayXf>(a.data() + lo, hi - lo).sum();
      }, [](float x, float y) { return x + y; }));
    });
  });
  reg("BM_Max/" + n + "/peer:eigen2t", [=](benchmark::State& st) {
    aligned_vector<float> a = random_floats(kN, 1);
    run_loop(st, bytes1, [&] {
      keep(hand_reduce(kN, -INFINITY, [&](int64_t lo, int64_t hi) {
        return Eigen::Map<const Eigen::ArrayXf>(a.data() + lo, hi - lo).maxCoeff();
      }, [](float x, float y) { return std::max(x, y); }));
    });
  });
#endif

  // --- sum(a*b), fused ------------------------------------------------------------------
  reg("BM_SumMul/" + n, [=](benchmark::State& st) {
    mx::array a = to_array(random_floats(kN, 1), {static_cast<int>(kN)});
    mx::array b = to_array(random_floats(kN, 2), {static_cast<int>(kN)});
    run_loop(st, bytes2, [&] {
      mx::array s = mx::sum(a * b);
      s.eval();
      benchmark::DoNotOptimize(s.data<float>());
      benchmark::ClobberMemory();
    });
  });
  reg("BM_SumMul/" + n + "/peer:xsimd", [=](benchmark::State& st) {
    aligned_vector<float> a = random_floats(kN, 1), b = random_floats(kN, 2);
    run_loop(st, bytes2, [&] { keep(hand_dot(a.data(), b.data(), kN)); });
  });
#if MLXPP_HAVE_EIGEN
  reg("BM_SumMul/" + n + "/peer:eigen", [=](benchmark::State& st) {
    const auto &va = random_floats(kN, 1), &vb = random_floats(kN, 2);
    Eigen::ArrayXf a = Eigen::Map<const Eigen::ArrayXf>(va.data(), kN);
    Eigen::ArrayXf b = Eigen::Map<const Eigen::ArrayXf>(vb.data(), kN);
    run_loop(st, bytes2, [&] { keep((a * b).sum()); });
  });
  reg("BM_SumMul/" + n + "/peer:eigen2t", [=](benchmark::State& st) {
    aligned_vector<float> a = random_floats(kN, 1), b = random_floats(kN, 2);
    run_loop(st, bytes2, [&] {
      keep(hand_reduce(kN, 0.0f, [&](int64_t lo, int64_t hi) {
        using M = Eigen::Map<const Eigen::ArrayXf>;
        return (M(a.data() + lo, hi - lo) * M(b.data() + lo, hi - lo)).sum();
      }, [](float x, float y) { return x + y; }));
    });
  });
#endif

  // --- axis sums of a 4096x4096 row-major matrix -------------------------------------------
  for (int axis : {0, 1}) {
    std::string base = "BM_SumAxis" + std::to_string(axis) + "/" + mn;
    reg(base, [=](benchmark::State& st) {
      mx::array m = to_array(random_floats(kRows * kCols, 4), {int(kRows), int(kCols)});
      run_loop(st, bytesm, [&] {
        mx::array s = mx::sum(m, axis);
        s.eval();
        benchmark::DoNotOptimize(s.data<float>());
        benchmark::ClobberMemory();
      });
    });
    reg(base + "/peer:xsimd", [=](benchmark::State& st) {
      aligned_vector<float> m = random_floats(kRows * kCols, 4);
      aligned_vector<float> out(static_cast<size_t>(axis == 0 ? kCols : kRows));
      std::vector<aligned_vector<float>> part;
      run_loop(st, bytesm, [&] {
        if (axis == 0) hand_sum_axis0(m.data(), kRows, kCols, out.data(), part);
        else hand_sum_axis1(m.data(), kRows, kCols, out.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
      });
    });
#if MLXPP_HAVE_EIGEN
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    reg(base + "/peer:eigen", [=](benchmark::State& st) {
      aligned_vector<float> v = random_floats(kRows * kCols, 4);
      Eigen::Map<const RowMajor> m(v.data(), kRows, kCols);
      Eigen::VectorXf out(axis == 0 ? kCols : kRows);
      run_loop(st, bytesm, [&] {
        if (axis == 0) out = m.colwise().sum().transpose();
        else out = m.rowwise().sum();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
      });
    });
    reg(base + "/peer:eigen2t", [=](benchmark::State& st) {
      aligned_vector<float> v = random_floats(kRows * kCols, 4);
      Eigen::Map<const RowMajor> m(v.data(), kRows, kCols);
      Eigen::VectorXf out(axis == 0 ? kCols : kRows);
      run_loop(st, bytesm, [&] {
        // axis 0: each thread takes a band of columns; axis 1: a band of rows.
        mx::cpu::parallel_for(axis == 0 ? kCols : kRows, 1, [&](int64_t lo, int64_t hi) {
          if (axis == 0) out.segment(lo, hi - lo) = m.middleCols(lo, hi - lo).colwise().sum().transpose();
          else out.segment(lo, hi - lo) = m.middleRows(lo, hi - lo).rowwise().sum();
        });
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
      });
    });
#endif
  }
}

// ---------------------------------------------------------------------------------------
// The ratio table.

void print_table(const Recorder& rec) {
  int pass = 0, miss = 0;
  std::printf("\n==== ratio table: time ours / peer (below 1.00x = ours faster); medians, real time; "
              "threads: ours %d ====\nGB/s = bytes read / time (the outputs are negligible).\n",
              mx::cpu::ThreadPool::instance().num_threads());
  struct Case { std::string name; const char* label; double bytes; double min_gbps; };
  const std::string n = std::to_string(kN), mn = std::to_string(kRows);
  const Case cases[] = {
      {"BM_Sum/" + n, "sum(a) n=1e7", 4.0 * kN, 45.0},
      {"BM_Max/" + n, "max(a) n=1e7", 4.0 * kN, 45.0},
      {"BM_SumMul/" + n, "sum(a*b) n=1e7 (fused)", 8.0 * kN, 0.0},
      {"BM_SumAxis0/" + mn, "sum(m, axis=0) 4096x4096", 4.0 * kRows * kCols, 0.0},
      {"BM_SumAxis1/" + mn, "sum(m, axis=1) 4096x4096", 4.0 * kRows * kCols, 0.0},
  };
  for (const auto& c : cases) {
    auto ours = rec.seconds(c.name);
    if (!ours) continue;
    double g = c.bytes / *ours / 1e9;
    std::printf("\n%s: mlx %s (%.1f GB/s)\n", c.label, fmt_time(*ours).c_str(), g);
    std::map<std::string, double> r;
    const std::string nt = std::to_string(mx::cpu::ThreadPool::instance().num_threads()) + "t";
    for (auto [suffix, label] : {std::pair<const char*, std::string>{"/peer:xsimd", "hand xsimd " + nt},
                                 std::pair<const char*, std::string>{"/peer:eigen", "Eigen 1t"},
                                 std::pair<const char*, std::string>{"/peer:eigen2t", "Eigen " + nt + " (Map segments)"}}) {
      auto t = rec.seconds(c.name + suffix);
      if (!t) continue;
      r[suffix] = *ours / *t;
      std::printf("  %-26s %10s  %5.1f GB/s   ours/peer %.2fx\n", label.c_str(), fmt_time(*t).c_str(),
                  c.bytes / *t / 1e9, *ours / *t);
    }
    if (c.min_gbps > 0) {
      bool ok = g >= c.min_gbps;
      std::printf("    target %-58s %s\n", "sum/max of 1e7 >= 45 GB/s", ok ? "PASS" : "MISS");
      (ok ? pass : miss)++;
    }
  }
  std::printf("\n(NumPy axis sums and sum of 1e7: benchmarks/cpu/numpy_peer.py; scripts/bench.sh "
              "prints ours/NumPy)\ntargets: %d pass, %d miss\n", pass, miss);
}


}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
