// SPDX-License-Identifier: MIT
// Fused elementwise expressions against their peers, measured in the same run:
//   d = a*b + c             and   d = exp(a)*b + sin(c)     (float32, n = 1e3, 1e5, 1e7)
// ours (`array d = expr; d.eval();`), a hand-written xsimd loop (2 threads through the
// library's cpu::parallel_for for n >= 1e5, as ours), Eigen (ArrayXf, single-threaded, and a
// 2-thread variant over Eigen::Map segments), xtensor (xtensor<float,1> and xarray<float>,
// with xsimd) and a STREAM triad (hand xsimd, same threading). Ours only: float16 and mixed
// int32*float32 variants. After the runs, main() prints a ratio table (time ours / peer).
//
// Names follow STYLE.md rule 33: BM_<Op>/<n> is ours, BM_<Op>/<n>/peer:<who> the peers, so
// --benchmark_filter=BM_AddMul/10000000 runs one comparison. Default flags (overridable):
// --benchmark_min_time=0.2 --benchmark_repetitions=5 --benchmark_display_aggregates_only;
// the table uses the median of the repetitions.
// GCC 12 warns about _mm512_undefined_* inside its own AVX-512 headers when xsimd's and
// Eigen's exp/sin are inlined here (a false positive in system headers).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
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
#if MLXPP_HAVE_XTENSOR
#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>
#endif

namespace mx = mlx::core;

namespace {

// ---------------------------------------------------------------------------------------
// Result collection: a console reporter that also records the real time of every run.

using bench::Recorder;
using bench::fmt_time;

std::string size_label(int64_t n) {
  int e = 0;
  int64_t m = n;
  while (m >= 10 && m % 10 == 0) m /= 10, ++e;
  return m == 1 ? "1e" + std::to_string(e) : std::to_string(n);
}

// ---------------------------------------------------------------------------------------
// Inputs: the same pseudo-random values for every contender, made outside the timed loops.

constexpr int64_t kSizes[] = {1000, 100000, 10000000};
/// From this size on the hand loops split over the pool, as ours does (its threshold is
/// 2^17 elements of output split in 2048-element chunks, i.e. two tasks from ~65k on).
constexpr int64_t kParallelFrom = 100000;

template <class T>
using aligned_vector = std::vector<T, xsimd::aligned_allocator<T, 64>>;

aligned_vector<float> random_floats(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  aligned_vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(gen);
  return v;
}

struct Values {
  aligned_vector<float> a, b, c;
};
/// The inputs of size n, made once and kept.
const Values& values(int64_t n) {
  static std::map<int64_t, Values> made;
  auto it = made.find(n);
  if (it == made.end())
    it = made.emplace(n, Values{random_floats(n, 1), random_floats(n, 2), random_floats(n, 3)}).first;
  return it->second;
}
/// A benchmark's own copy of the inputs (peers never share storage with ours).
struct Inputs : Values {
  explicit Inputs(int64_t n) : Values(values(n)) {}
};

mx::array to_array(const aligned_vector<float>& v) {
  mx::array x(v.begin(), mx::Shape{static_cast<mx::ShapeElem>(v.size())});
  x.eval();
  return x;
}

/// Integers in [-100, 100] from the same values (for the mixed int32 * float32 variant).
mx::array to_array_int(const aligned_vector<float>& v) {
  std::vector<int32_t> t(v.size());
  for (size_t i = 0; i < v.size(); ++i) t[i] = static_cast<int32_t>(std::lround(v[i] * 100.0f));
  mx::array x(t.begin(), mx::Shape{static_cast<mx::ShapeElem>(t.size())});
  x.eval();
  return x;
}

/// Runs body(lo, hi) over [0, n): on the pool's threads from kParallelFrom on.
template <class F>
void split(int64_t n, F&& body) {
  if (n >= kParallelFrom)
    mx::cpu::parallel_for(n, int64_t{1} << 15, body);
  else
    body(int64_t{0}, n);
}

// ---------------------------------------------------------------------------------------
// Hand-written xsimd loops (what a careful programmer writes with no library).

using B = xsimd::batch<float>;
constexpr int64_t W = static_cast<int64_t>(B::size);

void hand_addmul(const float* a, const float* b, const float* c, float* d, int64_t n) {
  split(n, [=](int64_t lo, int64_t hi) {
    int64_t i = lo;
    for (; i + W <= hi; i += W)
      xsimd::fma(B::load_unaligned(a + i), B::load_unaligned(b + i), B::load_unaligned(c + i))
          .store_unaligned(d + i);
    for (; i < hi; ++i) d[i] = a[i] * b[i] + c[i];
  });
}

void hand_expmulsin(const float* a, const float* b, const float* c, float* d, int64_t n) {
  split(n, [=](int64_t lo, int64_t hi) {
    int64_t i = lo;
    for (; i + W <= hi; i += W)
      (xsimd::exp(B::load_unaligned(a + i)) * B::load_unaligned(b + i) +
       xsimd::sin(B::load_unaligned(c + i)))
          .store_unaligned(d + i);
    for (; i < hi; ++i) d[i] = std::exp(a[i]) * b[i] + std::sin(c[i]);
  });
}

/// STREAM's triad: a[i] = b[i] + s * c[i].
void hand_triad(float* a, const float* b, const float* c, float s, int64_t n) {
  split(n, [=](int64_t lo, int64_t hi) {
    const B vs(s);
    int64_t i = lo;
    for (; i + W <= hi; i += W)
      xsimd::fma(vs, B::load_unaligned(c + i), B::load_unaligned(b + i)).store_unaligned(a + i);
    for (; i < hi; ++i) a[i] = b[i] + s * c[i];
  });
}

// ---------------------------------------------------------------------------------------
// Benchmarks. Every body evaluates and DoNotOptimize()s the output's data pointer; one
// untimed evaluation first, so that page faults of a fresh output are not timed.

enum class Op { AddMul, ExpMulSin };
const char* op_name(Op op) { return op == Op::AddMul ? "BM_AddMul" : "BM_ExpMulSin"; }
const char* op_formula(Op op) { return op == Op::AddMul ? "a*b+c" : "exp(a)*b+sin(c)"; }

/// Bytes the loop must move with STREAM's convention: 3 reads + 1 write, no write-allocate.
double stream_bytes(int64_t n, size_t itemsize) { return 4.0 * static_cast<double>(itemsize) * n; }

template <class F>
void run_loop(benchmark::State& st, int64_t n, double bytes, F&& once) {
  once();  // warm the output (allocation, page faults)
  for (auto _ : st) once();
  st.SetBytesProcessed(static_cast<int64_t>(bytes) * st.iterations());
  st.SetItemsProcessed(n * st.iterations());
}

void bm_ours(benchmark::State& st, Op op, int64_t n, mx::Dtype ta, mx::Dtype tbc) {
  Inputs in(n);
  mx::array a = to_array(in.a), b = to_array(in.b), c = to_array(in.c);
  if (ta == mx::int32) a = to_array_int(in.a);
  if (ta != mx::float32 && ta != mx::int32) a = mx::astype(a, ta);
  if (tbc != mx::float32) b = mx::astype(b, tbc), c = mx::astype(c, tbc);
  mx::eval(a, b, c);
  mx::Dtype out_dt = ta == mx::int32 ? tbc : ta;
  run_loop(st, n, stream_bytes(n, mx::size_of(out_dt)), [&] {
    mx::array d = op == Op::AddMul ? mx::array(a * b + c) : mx::array(mx::exp(a) * b + mx::sin(c));
    d.eval();
    benchmark::DoNotOptimize(d.raw_data());
    benchmark::ClobberMemory();
  });
}

void bm_hand(benchmark::State& st, Op op, int64_t n) {
  Inputs in(n);
  aligned_vector<float> d(static_cast<size_t>(n));
  run_loop(st, n, stream_bytes(n, 4), [&] {
    if (op == Op::AddMul) hand_addmul(in.a.data(), in.b.data(), in.c.data(), d.data(), n);
    else hand_expmulsin(in.a.data(), in.b.data(), in.c.data(), d.data(), n);
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  });
}

void bm_triad(benchmark::State& st, int64_t n) {
  Inputs in(n);
  aligned_vector<float> a(static_cast<size_t>(n));
  // STREAM counts 3 arrays (2 reads + 1 write) per element.
  run_loop(st, n, 3.0 * 4 * n, [&] {
    hand_triad(a.data(), in.b.data(), in.c.data(), 3.0f, n);
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  });
}

#if MLXPP_HAVE_EIGEN
void bm_eigen(benchmark::State& st, Op op, int64_t n, bool two_threads) {
  Inputs in(n);
  using Map = Eigen::Map<const Eigen::ArrayXf>;
  Eigen::ArrayXf a = Map(in.a.data(), n), b = Map(in.b.data(), n), c = Map(in.c.data(), n);
  Eigen::ArrayXf d(n);
  auto seg = [&](int64_t lo, int64_t hi) {
    auto len = static_cast<Eigen::Index>(hi - lo);
    Eigen::Map<Eigen::ArrayXf> dm(d.data() + lo, len);
    Map am(a.data() + lo, len), bm(b.data() + lo, len), cm(c.data() + lo, len);
    if (op == Op::AddMul) dm = am * bm + cm;
    else dm = am.exp() * bm + cm.sin();
  };
  run_loop(st, n, stream_bytes(n, 4), [&] {
    if (two_threads) {
      split(n, seg);
    } else if (op == Op::AddMul) {
      d = a * b + c;  // the plain Eigen idiom
    } else {
      d = a.exp() * b + c.sin();
    }
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  });
}
#endif

#if MLXPP_HAVE_XTENSOR
template <class Container>
void bm_xtensor(benchmark::State& st, Op op, int64_t n) {
  Inputs in(n);
  auto make = [&](const aligned_vector<float>& v) {
    Container x = Container::from_shape({static_cast<size_t>(n)});
    std::copy(v.begin(), v.end(), x.begin());
    return x;
  };
  Container a = make(in.a), b = make(in.b), c = make(in.c);
  Container d = Container::from_shape({static_cast<size_t>(n)});
  run_loop(st, n, stream_bytes(n, 4), [&] {
    if (op == Op::AddMul) xt::noalias(d) = a * b + c;
    else xt::noalias(d) = xt::exp(a) * b + xt::sin(c);
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  });
}
#endif

std::string name_of(Op op, int64_t n, const std::string& suffix = "") {
  return std::string(op_name(op)) + suffix + "/" + std::to_string(n);
}

void reg(const std::string& name, std::function<void(benchmark::State&)> fn) {
  // No UseRealTime(): it would append "/real_time" to every name (and to filters). The
  // tables read real time all the same; the iteration count follows the main thread's CPU
  // time, which the pool's calling thread spends working or yielding.
  benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); })
      ->Unit(benchmark::kMicrosecond);
}

void register_all() {
  for (Op op : {Op::AddMul, Op::ExpMulSin}) {
    for (int64_t n : kSizes) {
      std::string base = name_of(op, n);
      reg(base, [=](benchmark::State& st) { bm_ours(st, op, n, mx::float32, mx::float32); });
      reg(base + "/peer:xsimd", [=](benchmark::State& st) { bm_hand(st, op, n); });
#if MLXPP_HAVE_EIGEN
      reg(base + "/peer:eigen", [=](benchmark::State& st) { bm_eigen(st, op, n, false); });
      reg(base + "/peer:eigen2t", [=](benchmark::State& st) { bm_eigen(st, op, n, true); });
#endif
#if MLXPP_HAVE_XTENSOR
      reg(base + "/peer:xtensor",
          [=](benchmark::State& st) { bm_xtensor<xt::xtensor<float, 1>>(st, op, n); });
      reg(base + "/peer:xarray", [=](benchmark::State& st) { bm_xtensor<xt::xarray<float>>(st, op, n); });
#endif
    }
  }
  for (int64_t n : kSizes) reg("BM_StreamTriad/" + std::to_string(n), [=](benchmark::State& st) { bm_triad(st, n); });
  // Ours only: float16 everywhere, and an int32 a times float32 b, c (promotes to float32).
  for (Op op : {Op::AddMul, Op::ExpMulSin})
    for (int64_t n : kSizes)
      reg(name_of(op, n, "_f16"),
          [=](benchmark::State& st) { bm_ours(st, op, n, mx::float16, mx::float16); });
  for (int64_t n : kSizes)
    reg(name_of(Op::AddMul, n, "_i32f32"),
        [=](benchmark::State& st) { bm_ours(st, Op::AddMul, n, mx::int32, mx::float32); });
}

// ---------------------------------------------------------------------------------------
// The ratio table.

double gbps(double bytes, double s) { return bytes / s / 1e9; }

void print_table(const Recorder& rec) {
  int pass = 0, miss = 0;
  auto verdict = [&](const char* what, bool ok) {
    std::printf("    target %-58s %s\n", what, ok ? "PASS" : "MISS");
    (ok ? pass : miss)++;
  };
  std::printf("\n==== ratio table: time ours / peer (below 1.00x = ours faster); medians, real time; "
              "threads: ours %d ====\n",
              mx::cpu::ThreadPool::instance().num_threads());
  std::printf("GB/s uses STREAM's convention (no write-allocate): a*b+c moves 16 B/elem (3 reads, 1"
              " write), the triad 12 B/elem.\nWith write-allocate the traffic is 20 and 16 B/elem.\n");
  for (Op op : {Op::AddMul, Op::ExpMulSin}) {
    for (int64_t n : kSizes) {
      std::string base = name_of(op, n);
      auto ours = rec.seconds(base);
      if (!ours) continue;
      double bytes = stream_bytes(n, 4);
      std::printf("\n%s n=%s: mlx %s (%.1f GB/s)\n", op_formula(op), size_label(n).c_str(),
                  fmt_time(*ours).c_str(), gbps(bytes, *ours));
      // The hand loops and Eigen's segments run on the pool: label them with its size.
      const std::string nt = std::to_string(mx::cpu::ThreadPool::instance().num_threads()) + "t";
      struct Peer { const char* suffix; std::string label; };
      const Peer peers[] = {{"/peer:xsimd", "hand xsimd " + (n >= kParallelFrom ? nt : "1t")},
                            {"/peer:eigen", "Eigen 1t"},
                            {"/peer:eigen2t", "Eigen " + (n >= kParallelFrom ? nt : "1t") + " (Map segments)"},
                            {"/peer:xtensor", "xtensor<float,1>"}, {"/peer:xarray", "xarray<float>"}};
      std::map<std::string, double> r;
      for (const auto& p : peers) {
        auto t = rec.seconds(base + p.suffix);
        if (!t) continue;
        r[p.suffix] = *ours / *t;
        std::printf("  %-26s %10s  %5.1f GB/s   ours/peer %.2fx\n", p.label.c_str(), fmt_time(*t).c_str(),
                    gbps(bytes, *t), *ours / *t);
      }
      auto triad = rec.seconds("BM_StreamTriad/" + std::to_string(n));
      if (op == Op::AddMul && triad) {
        double tg = gbps(3.0 * 4 * n, *triad), og = gbps(bytes, *ours);
        std::printf("  %-26s %10s  %5.1f GB/s   ours GB/s / triad GB/s %.2fx (with write-allocate "
                    "%.1f vs %.1f GB/s: %.2fx)\n",
                    ("STREAM triad (hand, " + (n >= kParallelFrom ? nt : "1t") + ")").c_str(),
                    fmt_time(*triad).c_str(), tg, og / tg,
                    gbps(20.0 * n, *ours), gbps(16.0 * n, *triad),
                    gbps(20.0 * n, *ours) / gbps(16.0 * n, *triad));
        if (n == kSizes[2]) verdict("a*b+c GB/s >= 1.0x STREAM triad GB/s (n=1e7)", og / tg >= 1.0);
      }
      if (r.count("/peer:xsimd"))
        verdict("within 5% of hand xsimd (ours/peer <= 1.05)", r["/peer:xsimd"] <= 1.05);
      if (op == Op::AddMul) {
        if (r.count("/peer:eigen")) verdict("beat Eigen 1t (ours/peer < 1)", r["/peer:eigen"] < 1.0);
        if (r.count("/peer:eigen2t")) verdict("beat Eigen on the pool, peer:eigen2t (ours/peer < 1)", r["/peer:eigen2t"] < 1.0);
        if (r.count("/peer:xtensor")) verdict("beat xtensor (ours/peer < 1)", r["/peer:xtensor"] < 1.0);
      } else {
        if (r.count("/peer:eigen"))
          verdict("speedup over Eigen 1t >= 1.2x (ours/peer <= 0.833)", r["/peer:eigen"] <= 1 / 1.2);
        if (r.count("/peer:eigen2t"))
          verdict("speedup over peer:eigen2t >= 1.2x (ours/peer <= 0.833)", r["/peer:eigen2t"] <= 1 / 1.2);
      }
    }
  }
  std::printf("\nours only (ratio: time of the variant / time of float32 ours):\n");
  for (Op op : {Op::AddMul, Op::ExpMulSin}) {
    for (const char* v : {"_f16", "_i32f32"}) {
      for (int64_t n : kSizes) {
        auto t = rec.seconds(name_of(op, n, v));
        auto f = rec.seconds(name_of(op, n));
        if (!t) continue;
        size_t item = std::string(v) == "_f16" ? 2 : 4;
        std::printf("  %-16s %-8s n=%-4s %10s  %5.1f GB/s", op_formula(op), v + 1,
                    size_label(n).c_str(), fmt_time(*t).c_str(), gbps(stream_bytes(n, item), *t));
        if (f) std::printf("   vs f32 %.2fx", *t / *f);
        std::printf("\n");
      }
    }
  }
#if MLXPP_HAVE_XTENSOR && !defined(XTENSOR_USE_XSIMD)
  std::printf("\nnote: xtensor was compiled without XTENSOR_USE_XSIMD (scalar loops).\n");
#endif
  std::printf("\ntargets: %d pass, %d miss\n", pass, miss);
}


}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
