// SPDX-License-Identifier: MIT
// Matrix products against their peers, measured in the same run:
//   matmul of n x n float32 (n = 256 ... 4096) against a raw cblas_sgemm on the same
//   buffers (ours also goes through OpenBLAS: the ratio is the library's overhead);
//   1000 batched 16x16 products against an Eigen fixed-size loop (Eigen::Matrix<float,16,16>,
//   one thread, and split over the pool's threads) and a cblas_sgemm call per matrix;
//   the small-matrix kernel alone (one thread) against one cblas_sgemm call, n x n up to 128 (this
//   sets cpu::small_gemm_max_work, the crossover used by the batched driver).
// After the runs, main() prints a ratio table (time ours / peer) with GFLOP/s = 2 n^3 / time.
//
// Names follow STYLE.md rule 33: BM_<Op>/<n> is ours, BM_<Op>/<n>/peer:<who> the peers.
// Default flags (overridable): --benchmark_min_time=0.2 --benchmark_repetitions=5
// --benchmark_display_aggregates_only; n >= 2048 run 3 repetitions of few iterations (the
// machine is shared). The table uses the median of the repetitions.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "mlx/mlx.hpp"
#include "mlx/ops/matmul.hpp"
#include "bench_common.hpp"

#if !MLXPP_WITH_OPENBLAS
#error "bench_matmul compares against OpenBLAS: configure with MLXPP_WITH_OPENBLAS=ON"
#endif
#include <cblas.h>

#if MLXPP_HAVE_EIGEN
#include <Eigen/Core>
#endif

namespace mx = mlx::core;

namespace {

using bench::aligned_vector;
using bench::random_floats;
using bench::run_loop;
using bench::to_array;

using bench::Recorder;
using bench::fmt_time;

const std::vector<int> kSizes = {256, 512, 1024, 2048, 4096};
const std::vector<int> kKernelSizes = {8, 16, 24, 32, 48, 64, 96, 128};
constexpr int kBatch = 1000, kSmall = 16;
/// (batch, n) of the batched products; the first is the one compared with Eigen.
const std::vector<std::pair<int, int>> kBatched = {{kBatch, kSmall}, {1000, 8}, {200, 32}, {50, 64}, {8, 128}};

benchmark::internal::Benchmark* reg(const std::string& name,
                                    std::function<void(benchmark::State&)> fn) {
  return benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); })
      ->Unit(benchmark::kMicrosecond);
}

/// Few repetitions for the largest products (seconds each on 2 cores).
void limit(benchmark::internal::Benchmark* b, int n) {
  if (n >= 2048) b->Repetitions(3)->Iterations(n >= 4096 ? 1 : 3);
}

void register_all() {
  // --- n x n float32: ours vs raw cblas_sgemm on the same input buffers ----------------------
  for (int n : kSizes) {
    const std::string base = "BM_Matmul/" + std::to_string(n);
    limit(reg(base, [n](benchmark::State& st) {
            mx::array a = to_array(random_floats(int64_t(n) * n, 1), {n, n});
            mx::array b = to_array(random_floats(int64_t(n) * n, 2), {n, n});
            run_loop(st, [&] {
              mx::array c = mx::matmul(a, b);
              c.eval();
              benchmark::DoNotOptimize(c.data<float>());
              benchmark::ClobberMemory();
            });
          }),
          n);
    limit(reg(base + "/peer:cblas", [n](benchmark::State& st) {
            mx::array a = to_array(random_floats(int64_t(n) * n, 1), {n, n});
            mx::array b = to_array(random_floats(int64_t(n) * n, 2), {n, n});
            aligned_vector<float> c(size_t(n) * n);
            run_loop(st, [&] {
              cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                          a.data<float>(), n, b.data<float>(), n, 0.0f, c.data(), n);
              benchmark::DoNotOptimize(c.data());
              benchmark::ClobberMemory();
            });
          }),
          n);
  }

  // --- batched: 1000 x (16x16 @ 16x16), and larger matrices in smaller batches -----------
  for (auto [nb, n] : kBatched) {
    const std::string bb = "BM_MatmulBatched/" + std::to_string(nb) + "x" + std::to_string(n);
    const int64_t total = int64_t(nb) * n * n;
    reg(bb, [nb, n, total](benchmark::State& st) {
      mx::array a = to_array(random_floats(total, 3), {nb, n, n});
      mx::array b = to_array(random_floats(total, 4), {nb, n, n});
      run_loop(st, [&] {
        mx::array c = mx::matmul(a, b);
        c.eval();
        benchmark::DoNotOptimize(c.data<float>());
        benchmark::ClobberMemory();
      });
    });
    reg(bb + "/peer:cblas", [nb, n, total](benchmark::State& st) {
      const auto &va = random_floats(total, 3), &vb = random_floats(total, 4);
      aligned_vector<float> c(static_cast<size_t>(total));
      const int64_t mat = int64_t(n) * n;
      run_loop(st, [&] {
        for (int i = 0; i < nb; ++i)
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                      va.data() + i * mat, n, vb.data() + i * mat, n, 0.0f, c.data() + i * mat, n);
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
      });
    });
  }
  const std::string bb = "BM_MatmulBatched/" + std::to_string(kBatch) + "x" + std::to_string(kSmall);
  const int64_t bn = int64_t(kBatch) * kSmall * kSmall;
#if MLXPP_HAVE_EIGEN
  using M16 = Eigen::Matrix<float, kSmall, kSmall>;
  auto eigen_inputs = [bn](std::vector<M16>& a, std::vector<M16>& b, std::vector<M16>& c) {
    const auto &va = random_floats(bn, 3), &vb = random_floats(bn, 4);
    a.resize(kBatch);
    b.resize(kBatch);
    c.resize(kBatch);
    for (int i = 0; i < kBatch; ++i) {
      a[i] = Eigen::Map<const M16>(va.data() + i * kSmall * kSmall);
      b[i] = Eigen::Map<const M16>(vb.data() + i * kSmall * kSmall);
    }
  };
  reg(bb + "/peer:eigen", [=](benchmark::State& st) {
    std::vector<M16> a, b, c;
    eigen_inputs(a, b, c);
    run_loop(st, [&] {
      for (int i = 0; i < kBatch; ++i) c[i].noalias() = a[i] * b[i];
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    });
  });
  reg(bb + "/peer:eigen2t", [=](benchmark::State& st) {
    std::vector<M16> a, b, c;
    eigen_inputs(a, b, c);
    run_loop(st, [&] {
      mx::cpu::parallel_for(kBatch, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) c[i].noalias() = a[i] * b[i];
      });
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    });
  });
#endif

  // --- the small kernel alone vs one cblas_sgemm call, single matrix, one thread ----------------
  for (int n : kKernelSizes) {
    const std::string base = "BM_SmallKernel/" + std::to_string(n);
    const int64_t nn = int64_t(n) * n;
    reg(base, [n, nn](benchmark::State& st) {
      const auto &a = random_floats(nn, 5), &b = random_floats(nn, 6);
      aligned_vector<float> c(static_cast<size_t>(nn));
      mx::cpu::gemm_impl::SmallScratch<float> scratch;
      run_loop(st, [&] {
        mx::cpu::gemm_impl::small_gemm<float>(n, n, n, a.data(), n, 1, b.data(), n, 1, c.data(),
                                              1.0f, 0.0f, scratch);
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
      });
    });
    reg(base + "/peer:cblas", [n, nn](benchmark::State& st) {
      const auto &a = random_floats(nn, 5), &b = random_floats(nn, 6);
      aligned_vector<float> c(static_cast<size_t>(nn));
      run_loop(st, [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n,
                    b.data(), n, 0.0f, c.data(), n);
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
      });
    });
  }
}

// ---------------------------------------------------------------------------------------
// The ratio table.

void print_table(const Recorder& rec) {
  int pass = 0, miss = 0;
  const int nt = mx::cpu::ThreadPool::instance().num_threads();
  std::printf("\n==== ratio table: time ours / peer (below 1.00x = ours faster); medians, real "
              "time; threads: ours %d, OpenBLAS %d ====\nGFLOP/s = 2 M N K / time.\n",
              nt, openblas_get_num_threads());
  auto row = [&](const std::string& label, double flops, double t) {
    std::printf("  %-30s %10s  %7.1f GFLOP/s", label.c_str(), fmt_time(t).c_str(), flops / t / 1e9);
  };
  auto target = [&](const char* what, bool ok) {
    std::printf("    target %-56s %s\n", what, ok ? "PASS" : "MISS");
    (ok ? pass : miss)++;
  };

  std::printf("\nmatmul n x n float32 (ours goes through OpenBLAS too):\n");
  for (int n : kSizes) {
    const std::string base = "BM_Matmul/" + std::to_string(n);
    auto ours = rec.seconds(base), peer = rec.seconds(base + "/peer:cblas");
    if (!ours || !peer) continue;
    const double fl = 2.0 * n * n * double(n);
    row("mlx " + std::to_string(n), fl, *ours);
    std::printf("\n");
    row("cblas_sgemm " + std::to_string(n), fl, *peer);
    std::printf("   ours/peer %.3fx (throughput %.3fx)\n", *ours / *peer, *peer / *ours);
    target("throughput >= 0.97x cblas_sgemm", *peer / *ours >= 0.97);
  }

  const std::string bb = "BM_MatmulBatched/" + std::to_string(kBatch) + "x" + std::to_string(kSmall);
  if (auto ours = rec.seconds(bb)) {
    const double fl = 2.0 * kBatch * kSmall * kSmall * kSmall;
    std::printf("\nmatmul %d x (%dx%d @ %dx%d) float32:\n", kBatch, kSmall, kSmall, kSmall, kSmall);
    row("mlx", fl, *ours);
    std::printf("\n");
    const std::string tn = std::to_string(nt) + "t";
    for (auto [suffix, label] : {std::pair<const char*, std::string>{"/peer:eigen", "Eigen fixed-size 1t"},
                                 std::pair<const char*, std::string>{"/peer:eigen2t", "Eigen fixed-size " + tn},
                                 std::pair<const char*, std::string>{"/peer:cblas", "cblas_sgemm per matrix"}}) {
      auto t = rec.seconds(bb + suffix);
      if (!t) continue;
      row(label, fl, *t);
      std::printf("   ours/peer %.2fx\n", *ours / *t);
      if (std::string(suffix) == "/peer:eigen") target("time <= 1.0x Eigen fixed-size loop", *ours <= *t);
    }
  }

  std::printf("\nbatched n x n products vs a cblas_sgemm call per matrix:\n");
  for (auto [nb, n] : kBatched) {
    const std::string name = "BM_MatmulBatched/" + std::to_string(nb) + "x" + std::to_string(n);
    auto ours = rec.seconds(name), peer = rec.seconds(name + "/peer:cblas");
    if (!ours || !peer) continue;
    const double fl = 2.0 * nb * n * n * double(n);
    row(std::to_string(nb) + " x " + std::to_string(n) + "x" + std::to_string(n), fl, *ours);
    std::printf("   cblas loop %7.1f GFLOP/s   ours/peer %.2fx\n", fl / *peer / 1e9, *ours / *peer);
  }

  std::printf("\nsmall kernel alone vs one cblas_sgemm call (n x n, OpenBLAS picks its threads; below "
              "1.00x the kernel wins):\n");
  for (int n : kKernelSizes) {
    const std::string base = "BM_SmallKernel/" + std::to_string(n);
    auto ours = rec.seconds(base), peer = rec.seconds(base + "/peer:cblas");
    if (!ours || !peer) continue;
    const double fl = 2.0 * n * n * double(n);
    row("kernel " + std::to_string(n), fl, *ours);
    std::printf("   cblas %7.1f GFLOP/s   ours/peer %.2fx\n", fl / *peer / 1e9, *ours / *peer);
  }
  std::printf("\ntargets: %d pass, %d miss\n", pass, miss);
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
