// SPDX-License-Identifier: MIT
// One training step of an MLP (issue 4 and 6): value_and_grad of the mean cross-entropy,
// then an SGD update of every parameter, all evaluated at once, on batch 256 of random
// data. BM_MlpStep/784-512-10 is issue 4's model (target <= 1.7 ms on the 2-core machine,
// <= 0.5x PyTorch), BM_MlpStep/784-512-512-10 issue 6's (<= 0.5x PyTorch). PyTorch's
// figures for the same models come from train_torch_peer.py beside this file, which
// scripts/bench.sh runs and which prints ours/torch from this program's JSON output.
#include <cstdio>
#include <vector>

#include "bench_common.hpp"
#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

constexpr int kBatch = 256;

/// Parameters {W0, b0, W1, b1, ...} for layer sizes `dims`, and a step function.
struct Mlp {
  std::vector<int> dims;
  std::vector<mx::array> params;
  mx::array x, y;

  explicit Mlp(std::vector<int> d) : dims(std::move(d)) {
    mx::random::seed(0);
    for (size_t i = 0; i + 1 < dims.size(); ++i) {
      const float scale = 1.0f / std::sqrt(static_cast<float>(dims[i]));
      params.push_back(mx::array(mx::random::uniform(-scale, scale, {dims[i], dims[i + 1]})));
      params.push_back(mx::zeros({dims[i + 1]}));
    }
    x = mx::random::normal({kBatch, dims[0]});
    y = mx::astype(mx::random::randint(0, dims.back(), {kBatch}), mx::int32);
    mx::eval(params);
    mx::eval(x, y);
  }

  mx::array loss(const std::vector<mx::array>& p) const {
    mx::array h = x;
    for (size_t i = 0; i < p.size(); i += 2) {
      h = mx::addmm(p[i + 1], h, p[i]);
      if (i + 2 < p.size()) h = mx::maximum(h, 0.0f);
    }
    mx::array picked = mx::squeeze(mx::take_along_axis(h, mx::expand_dims(y, 1), 1), 1);
    return mx::mean(mx::array(mx::logsumexp(h, {1}) - picked));
  }

  void step() {
    std::vector<int> argnums(params.size());
    for (size_t i = 0; i < params.size(); ++i) argnums[i] = static_cast<int>(i);
    auto vg = mx::value_and_grad([this](const std::vector<mx::array>& p) { return loss(p); }, argnums);
    auto [l, g] = vg(params);
    std::vector<mx::array> outs{l};
    for (size_t i = 0; i < params.size(); ++i) {
      params[i] = mx::array(params[i] - 0.01f * g[i]);
      outs.push_back(params[i]);
    }
    mx::eval(outs);
  }
};

void register_all() {
  for (const char* name : {"BM_MlpStep/784-512-10", "BM_MlpStep/784-512-512-10"}) {
    std::vector<int> dims = std::string(name).find("512-512") != std::string::npos
                                ? std::vector<int>{784, 512, 512, 10}
                                : std::vector<int>{784, 512, 10};
    benchmark::RegisterBenchmark(name, [dims](benchmark::State& st) {
      Mlp m(dims);
      bench::run_loop(st, [&] { m.step(); });
    })->Unit(benchmark::kMillisecond)->UseRealTime();
  }
}

void print_table(const bench::Recorder& rec) {
  std::printf("\n==== training steps (batch %d, value_and_grad + SGD, one eval); threads: ours %d ====\n",
              kBatch, mx::cpu::ThreadPool::instance().num_threads());
  if (auto t = rec.seconds("BM_MlpStep/784-512-10")) {
    std::printf("MLP 784-512-10:     %s   target <= 1.7 ms: %s\n", bench::fmt_time(*t).c_str(),
                *t <= 1.7e-3 ? "PASS" : "MISS");
  }
  if (auto t = rec.seconds("BM_MlpStep/784-512-512-10"))
    std::printf("MLP 784-512-512-10: %s\n", bench::fmt_time(*t).c_str());
  std::printf("(PyTorch's figures and ours/torch: benchmarks/cpu/train_torch_peer.py, run by scripts/bench.sh)\n");
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, &register_all, &print_table); }
