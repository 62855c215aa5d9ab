// SPDX-License-Identifier: MIT
// Scalar automatic differentiation (mlx::ad) on f(x) = Σ sin(x_i)·x_{i+1}, double, n = 100
// and 10^4, measured in the same run:
//   f alone (plain double); a hand-written gradient (value and gradient in one loop); our
//   reverse mode (var on a reused tape: record, one backward sweep, read the adjoints); the
//   gradient helper (a fresh tape per call); one directional derivative with dual<double>.
// After the runs, main() prints the ratios time / time(f) against the targets:
// tape gradient <= 3x f at n = 10^4 and <= 10x at n = 100, dual <= 2x f. The peer is
// ADOL-C (libadolc-dev; MLXPP_HAVE_ADOLC), the field's operator-overloading AD library,
// measured two ways: recording its tape and taking the gradient on every call (what our
// tape does), and only the gradient on a tape recorded once (its reuse of a trace).
//
// Names follow STYLE.md rule 33: BM_<What>/<n>. Default flags (overridable):
// --benchmark_min_time=0.2 --benchmark_repetitions=5 --benchmark_display_aggregates_only;
// the table uses the median of the repetitions.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "mlx/autodiff/autodiff.hpp"
#include "bench_common.hpp"

#if MLXPP_HAVE_ADOLC
#include <adolc/adolc.h>
#endif

namespace ad = mlx::ad;

namespace {

using bench::fmt_time;
using bench::Recorder;

constexpr int kSizes[] = {100, 10000};

/// The function, written once for every scalar type.
template <class V>
auto f(const V& x) {
  using std::sin;
  std::decay_t<decltype(x[0])> s = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) s += sin(x[i]) * x[i + 1];
  return s;
}

/// Value and gradient by hand: df/dx_i = cos(x_i) x_{i+1} + sin(x_{i-1}).
double hand_gradient(const std::vector<double>& x, std::vector<double>& g) {
  const std::size_t n = x.size();
  double s = 0, sin_prev = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double si = std::sin(x[i]), ci = std::cos(x[i]);
    g[i] = sin_prev;
    if (i + 1 < n) {
      s += si * x[i + 1];
      g[i] += ci * x[i + 1];
    }
    sin_prev = si;
  }
  return s;
}

std::vector<double> random_inputs(int n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = dist(gen);
  return v;
}

#if MLXPP_HAVE_ADOLC
/// Records f on ADOL-C trace `tag` at x (keep = 1: ready for an immediate reverse sweep).
void adolc_record(short tag, const std::vector<double>& x) {
  trace_on(tag, 1);
  std::vector<adouble> ax(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) ax[i] <<= x[i];
  adouble y = f(ax);
  double out;
  y >>= out;
  trace_off();
}
#endif

void reg(const std::string& name, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); })
      ->Unit(benchmark::kMicrosecond);
}

void register_all() {
  for (int n : kSizes) {
    const std::string s = std::to_string(n);
    reg("BM_F/" + s, [n](benchmark::State& st) {
      const auto x = random_inputs(n, 1);
      for (auto _ : st) {
        benchmark::DoNotOptimize(f(x));
        benchmark::ClobberMemory();
      }
    });
    reg("BM_GradHand/" + s, [n](benchmark::State& st) {
      const auto x = random_inputs(n, 1);
      std::vector<double> g(x.size());
      for (auto _ : st) {
        benchmark::DoNotOptimize(hand_gradient(x, g));
        benchmark::DoNotOptimize(g.data());
        benchmark::ClobberMemory();
      }
    });
    reg("BM_GradTape/" + s, [n](benchmark::State& st) {
      const auto x = random_inputs(n, 1);
      std::vector<double> g(x.size());
      ad::tape<double> t;  // reused: clear() keeps the capacity, so no allocation per call
      std::vector<ad::var<double>> xs(x.size());
      for (auto _ : st) {
        t.clear();
        for (std::size_t i = 0; i < x.size(); ++i) xs[i] = t.variable(x[i]);
        const ad::var<double> y = f(xs);
        t.backward(y);
        for (std::size_t i = 0; i < x.size(); ++i) g[i] = t.adjoint(xs[i]);
        benchmark::DoNotOptimize(g.data());
        benchmark::ClobberMemory();
      }
    });
    reg("BM_GradHelper/" + s, [n](benchmark::State& st) {
      const auto x = random_inputs(n, 1);
      for (auto _ : st) {
        auto g = ad::gradient([](const auto& v) { return f(v); }, x);
        benchmark::DoNotOptimize(g.data());
        benchmark::ClobberMemory();
      }
    });
#if MLXPP_HAVE_ADOLC
    reg("BM_GradTape/" + s + "/peer:adolc_record", [n](benchmark::State& st) {
      const auto x = random_inputs(n, 1);
      std::vector<double> g(x.size());
      for (auto _ : st) {
        adolc_record(1, x);
        gradient(1, n, x.data(), g.data());
        benchmark::DoNotOptimize(g.data());
        benchmark::ClobberMemory();
      }
    });
    reg("BM_GradTape/" + s + "/peer:adolc_replay", [n](benchmark::State& st) {
      const auto x = random_inputs(n, 1);
      std::vector<double> g(x.size());
      adolc_record(2, x);
      for (auto _ : st) {
        gradient(2, n, x.data(), g.data());  // forward replay of the trace + reverse sweep
        benchmark::DoNotOptimize(g.data());
        benchmark::ClobberMemory();
      }
    });
#endif
    reg("BM_Dual/" + s, [n](benchmark::State& st) {
      const auto x = random_inputs(n, 1), v = random_inputs(n, 2);
      std::vector<ad::dual<double>> xd(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) xd[i] = ad::dual<double>(x[i], v[i]);
      for (auto _ : st) {
        benchmark::DoNotOptimize(f(xd));
        benchmark::ClobberMemory();
      }
    });
  }
}

void print_table(const Recorder& rec) {
  std::printf("\n==== ratio table: time / time(f alone); medians, real time; 1 thread ====\n");
  int pass = 0, miss = 0;
  for (int n : kSizes) {
    const std::string s = std::to_string(n);
    const auto base = rec.seconds("BM_F/" + s);
    if (!base) continue;
    std::printf("\nf(x) = sum sin(x_i) x_{i+1}, n = %d: f alone %s\n", n, fmt_time(*base).c_str());
    struct Row { std::string name, label; double target; };
    const Row rows[] = {
        {"BM_GradHand/" + s, "hand-written value + gradient", 0},
        {"BM_GradTape/" + s, "var/tape gradient (reused tape)", n >= 10000 ? 3.0 : 10.0},
        {"BM_GradHelper/" + s, "ad::gradient (new tape per call)", 0},
        {"BM_GradTape/" + s + "/peer:adolc_record", "ADOL-C: record + gradient", 0},
        {"BM_GradTape/" + s + "/peer:adolc_replay", "ADOL-C: gradient on a recorded tape", 0},
        {"BM_Dual/" + s, "dual directional derivative", 2.0},
    };
    for (const auto& r : rows) {
      const auto t = rec.seconds(r.name);
      if (!t) continue;
      std::printf("  %-36s %10s   %.2fx", r.label.c_str(), fmt_time(*t).c_str(), *t / *base);
      if (r.target > 0) {
        const bool ok = *t / *base <= r.target;
        std::printf("   target <= %.0fx %s", r.target, ok ? "PASS" : "MISS");
        (ok ? pass : miss)++;
      }
      std::printf("\n");
    }
  }
  for (int n : kSizes) {
    const std::string s = std::to_string(n);
    const auto ours = rec.seconds("BM_GradTape/" + s);
    const auto peer = rec.seconds("BM_GradTape/" + s + "/peer:adolc_record");
    if (ours && peer)
      std::printf("n = %d: ours / ADOL-C (both record + gradient) %.2fx\n", n, *ours / *peer);
  }
  std::printf("\ntargets: %d pass, %d miss\n", pass, miss);
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
