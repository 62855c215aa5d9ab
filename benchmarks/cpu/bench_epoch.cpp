// SPDX-License-Identifier: MIT
// One full training epoch of the main example's models (issue 6): examples/fashion_mnist.cpp's
// CNN (conv3x3(16)-ReLU-pool-conv3x3(32)-ReLU-pool-linear(128)-ReLU-linear(10)) and MLP
// (784-512-ReLU-10), Adam 1e-3, batch 128, on the real Fashion-MNIST training set (60 000
// images, /usr/share/datasets/fashion-mnist; `MLXPP_FASHION_MNIST` names another directory),
// shuffled with a fixed seed: 468 steps, each one lazy graph (forward, nn::value_and_grad,
// Adam's update of every parameter, the batch's correct-prediction count) evaluated once,
// then loss.item() and hits.item() as the example reads them. Target: <= 0.5x PyTorch's epoch.
// PyTorch's figures come from epoch_torch_peer.py beside this file, which reads this
// program's JSON output (--benchmark_out) and prints ours/torch.
//
// Each repetition is one epoch (Iterations(1)) on a freshly made model and optimizer, after
// kWarmupSteps untimed steps on a throwaway model (allocator, caches). Default here: one
// repetition (--benchmark_repetitions=N for more). BM_Epoch/cnn takes ~30 s on 2 cores.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "mlx/mlx.hpp"
#include "../../examples/fashion_mnist_data.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
namespace optim = mlx::optimizers;

namespace {

constexpr int kBatch = 128;
constexpr float kLr = 1e-3f;
constexpr uint64_t kSeed = 0;
constexpr int kWarmupSteps = 3;

/// The example's models, as examples/fashion_mnist.cpp's make_model builds them.
std::shared_ptr<nn::Module> make_model(const std::string& kind) {
  auto flatten = [](const mx::array& x) { return mx::reshape(x, {x.shape(0), -1}); };
  if (kind == "mlp")
    return std::make_shared<nn::Sequential>(flatten, std::make_shared<nn::Linear>(784, 512),
                                            std::make_shared<nn::ReLU>(),
                                            std::make_shared<nn::Linear>(512, 10));
  return std::make_shared<nn::Sequential>(
      std::make_shared<nn::Conv2d>(1, 16, 3, 1, 1), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Conv2d>(16, 32, 3, 1, 1),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2), flatten,
      std::make_shared<nn::Linear>(32 * 7 * 7, 128), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(128, 10));
}

std::optional<fashion_mnist::Split>& train_set() {
  static std::optional<fashion_mnist::Split> split;
  return split;
}

/// The example's training loop over `steps` batches of `order` (a model and optimizer made
/// here); returns the mean loss.
double train_steps(const std::string& kind, const std::vector<int32_t>& order, size_t steps) {
  const fashion_mnist::Split& train = *train_set();
  mx::random::seed(kSeed);
  auto model = make_model(kind);
  optim::Adam adam(kLr);
  mx::array logits;
  auto loss_and_grad = nn::value_and_grad(*model, [&](const std::vector<mx::array>& in) {
    logits = (*model)(in[0]);
    return nn::losses::cross_entropy(logits, in[1], std::nullopt, -1, 0.0f, "mean");
  });
  model->train();
  double loss_sum = 0, hits_sum = 0;
  for (size_t s = 0; s < steps; ++s) {
    const size_t at = s * static_cast<size_t>(kBatch);
    mx::array x = fashion_mnist::batch_of(train.images, order, at, kBatch);
    mx::array y = fashion_mnist::batch_of(train.labels, order, at, kBatch);
    auto [loss, grads] = loss_and_grad({x, y});
    adam.update(*model, grads);
    mx::array hits = mx::sum(mx::astype(mx::equal(mx::astype(mx::argmax(logits, 1), mx::int32), y), mx::int32));
    std::vector<mx::array> outs{loss, hits};
    for (auto& [name, p] : model->parameters()) outs.push_back(p);
    for (auto& st : adam.state_arrays()) outs.push_back(st);
    mx::eval(outs);
    loss_sum += loss.item<float>();
    hits_sum += hits.item<int32_t>();
  }
  benchmark::DoNotOptimize(hits_sum);
  return loss_sum / static_cast<double>(steps);
}

std::string data_dir() {
  const char* d = std::getenv("MLXPP_FASHION_MNIST");
  return d && *d ? d : fashion_mnist::default_data_dir;
}

void register_all() {
  benchmark::AddCustomContext("mlxpp_threads", std::to_string(mx::cpu::ThreadPool::instance().num_threads()));
  try {
    train_set() = fashion_mnist::load_split(data_dir(), "train");
  } catch (const std::exception& e) {
    std::printf("bench_epoch: SKIPPED, no Fashion-MNIST training set: %s\n", e.what());
    return;
  }
  for (const char* kind : {"cnn", "mlp"}) {
    benchmark::RegisterBenchmark((std::string("BM_Epoch/") + kind).c_str(), [kind](benchmark::State& st) {
      const size_t n = static_cast<size_t>(train_set()->images.shape(0));
      const size_t steps = n / kBatch;
      std::vector<int32_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::mt19937_64 rng(kSeed);
      std::shuffle(order.begin(), order.end(), rng);
      train_steps(kind, order, kWarmupSteps);  // untimed
      double loss = 0;
      for (auto _ : st) loss = train_steps(kind, order, steps);
      st.counters["steps"] = static_cast<double>(steps);
      st.counters["mean_loss"] = loss;
      st.counters["images_per_s"] = benchmark::Counter(static_cast<double>(steps * kBatch), benchmark::Counter::kIsRate);
    })->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
  }
}

void print_table(const bench::Recorder& rec) {
  std::printf("\n==== one training epoch of examples/fashion_mnist.cpp's models (batch %d, Adam %g); threads: ours %d ====\n",
              kBatch, static_cast<double>(kLr), mx::cpu::ThreadPool::instance().num_threads());
  if (!train_set()) {
    std::printf("skipped: no Fashion-MNIST in %s (Debian package dataset-fashion-mnist; scripts/setup.sh)\n",
                data_dir().c_str());
    return;
  }
  const double images = static_cast<double>((train_set()->images.shape(0) / kBatch) * kBatch);
  for (const char* kind : {"cnn", "mlp"})
    if (auto t = rec.seconds(std::string("BM_Epoch/") + kind))
      std::printf("%s epoch: %.2f s (%.0f images/s)\n", kind, *t, images / *t);
  std::printf("(PyTorch's figures and ours/torch, target <= 0.5x: benchmarks/cpu/epoch_torch_peer.py --ours <this JSON>)\n");
}

}  // namespace

int main(int argc, char** argv) {
  // One epoch per repetition, one repetition unless the command line says otherwise (the
  // flags given here come after run_main's defaults and before the user's, so theirs win).
  std::string reps = "--benchmark_repetitions=1";
  std::vector<char*> args{argv[0], reps.data()};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  return bench::run_main(static_cast<int>(args.size()), args.data(), &register_all, &print_table);
}
