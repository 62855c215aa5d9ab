// SPDX-License-Identifier: MIT
// The main example: trains a classifier on the real Fashion-MNIST (Debian package
// dataset-fashion-mnist) with mlx::nn and mlx::optimizers, evaluates it on the test set,
// and writes the weights (safetensors) and the loss/accuracy curve (CSV), one file of each
// per model: <out>/<model>.safetensors and <out>/<model>_curve.csv.
//
//   build/examples/fashion_mnist [--model cnn|mlp|resnet] [--epochs N] [--batch-size B]
//                                [--lr X] [--seed S] [--device cpu|gpu] [--data DIR] [--out DIR]
//
// Every training step is one lazy graph (forward, value_and_grad, the optimizer's update of
// every parameter, BatchNorm's running statistics) evaluated once. examples/resnet.cpp
// classifies an image with the weights `--model resnet` writes.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <mlx/mlx.hpp>

#include "fashion_mnist_data.hpp"
#include "mini_resnet.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
namespace optim = mlx::optimizers;

namespace {

struct Options {
  std::string model = "cnn";
  int epochs = 3;
  int batch_size = 128;
  float lr = 1e-3f;
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string data = fashion_mnist::default_data_dir;
  std::string out = "fashion_mnist_out";
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "fashion_mnist: " << problem << "\n"
            << "usage: fashion_mnist [--model cnn|mlp|resnet] [--epochs N] [--batch-size B] [--lr X]\n"
            << "                     [--seed S] [--device cpu|gpu] [--data DIR] [--out DIR]\n"
            << "writes DIR/<model>.safetensors (default fashion_mnist_out/) and DIR/<model>_curve.csv\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--help" || k == "-h") usage("trains a classifier on Fashion-MNIST");
    if (i + 1 >= argc) usage("missing value after " + k);
    std::string v = argv[++i];
    try {
      if (k == "--model") o.model = v;
      else if (k == "--epochs") o.epochs = std::stoi(v);
      else if (k == "--batch-size") o.batch_size = std::stoi(v);
      else if (k == "--lr") o.lr = std::stof(v);
      else if (k == "--seed") o.seed = std::stoull(v);
      else if (k == "--device") o.device = v;
      else if (k == "--data") o.data = v;
      else if (k == "--out") o.out = v;
      else usage("unknown option " + k);
    } catch (const std::logic_error&) {
      usage("bad value '" + v + "' for " + k);
    }
  }
  if (o.model != "cnn" && o.model != "mlp" && o.model != "resnet")
    usage("--model must be cnn, mlp or resnet, got " + o.model);
  if (o.epochs < 1 || o.batch_size < 1) usage("--epochs and --batch-size must be positive");
  if (o.device != "cpu" && o.device != "gpu") usage("--device must be cpu or gpu, got " + o.device);
  return o;
}

// ---- models --------------------------------------------------------------------------------

std::shared_ptr<nn::Module> make_model(const std::string& kind) {
  auto flatten = [](const mx::array& x) { return mx::reshape(x, {x.shape(0), -1}); };
  if (kind == "mlp")
    return std::make_shared<nn::Sequential>(flatten, std::make_shared<nn::Linear>(784, 512),
                                            std::make_shared<nn::ReLU>(),
                                            std::make_shared<nn::Linear>(512, 10));
  // Three residual stages 16-32-64 with BatchNorm (examples/mini_resnet.hpp): ~78 k parameters.
  if (kind == "resnet") return std::make_shared<mini_resnet::MiniResNet>();
  // Two 3x3 convolutions with pooling, then a linear classifier: ~0.1 M parameters.
  return std::make_shared<nn::Sequential>(
      std::make_shared<nn::Conv2d>(1, 16, 3, 1, 1), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Conv2d>(16, 32, 3, 1, 1),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2), flatten,
      std::make_shared<nn::Linear>(32 * 7 * 7, 128), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(128, 10));
}

// ---- progress --------------------------------------------------------------------------------

struct Progress {
  bool tty = isatty(STDOUT_FILENO) != 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  void update(int epoch, int epochs, size_t step, size_t steps, double loss, double acc,
              size_t items, bool last) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = items / std::max(secs, 1e-9);
    const double eta = secs / static_cast<double>(step) * static_cast<double>(steps - step);
    char line[200];
    const int width = 24;
    const int filled = static_cast<int>(width * step / steps);
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::snprintf(line, sizeof line, "epoch %d/%d [%s] %zu/%zu loss %.4f acc %.3f %.0f items/s ETA %.0fs",
                  epoch, epochs, bar.c_str(), step, steps, loss, acc, rate, eta);
    if (tty) {
      std::cout << '\r' << line << "\033[K" << (last ? "\n" : "") << std::flush;
    } else if (last || step % 50 == 0) {
      std::cout << line << std::endl;  // flushed: logs piped to a file show progress
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  if (opt.device == "gpu") {
    std::cerr << "fashion_mnist: the Vulkan GPU backend is not built yet; use --device cpu\n";
    return 1;
  }
  fashion_mnist::Split train, test;
  try {
    train = fashion_mnist::load_split(opt.data, "train");
    test = fashion_mnist::load_split(opt.data, "t10k");
  } catch (const std::exception& e) {
    std::cerr << "fashion_mnist: " << e.what() << "\n";
    return 1;
  }
  std::cout << "Fashion-MNIST: " << train.images.shape(0) << " training and " << test.images.shape(0)
            << " test images; model " << opt.model << ", " << opt.epochs << " epochs, batch "
            << opt.batch_size << ", lr " << opt.lr << ", seed " << opt.seed << "\n";

  mx::random::seed(opt.seed);
  auto model = make_model(opt.model);
  std::cout << *model << "\n";
  optim::Adam adam(opt.lr);
  // The loss function keeps the batch's logits, so the training accuracy needs no second
  // forward pass (which would also move BatchNorm's running statistics a second time).
  mx::array logits;
  auto loss_and_grad = nn::value_and_grad(*model, [&](const std::vector<mx::array>& in) {
    logits = (*model)(in[0]);
    return nn::losses::cross_entropy(logits, in[1], std::nullopt, -1, 0.0f, "mean");
  });

  std::filesystem::create_directories(opt.out);
  const std::string weights_path = opt.out + "/" + opt.model + ".safetensors";
  const std::string curve_path = opt.out + "/" + opt.model + "_curve.csv";
  std::ofstream curve(curve_path);
  curve << "epoch,step,loss,accuracy\n";

  const size_t n = static_cast<size_t>(train.images.shape(0));
  const size_t steps = n / static_cast<size_t>(opt.batch_size);
  std::vector<int32_t> order(n);
  std::mt19937_64 rng(opt.seed);
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    Progress bar;
    double loss_sum = 0, hits_sum = 0;
    model->train();
    for (size_t s = 0; s < steps; ++s) {
      const size_t at = s * static_cast<size_t>(opt.batch_size);
      mx::array x = fashion_mnist::batch_of(train.images, order, at, static_cast<size_t>(opt.batch_size));
      mx::array y = fashion_mnist::batch_of(train.labels, order, at, static_cast<size_t>(opt.batch_size));
      auto [loss, grads] = loss_and_grad({x, y});
      adam.update(*model, grads);
      // Correct predictions in this batch, from the logits the loss used.
      mx::array hits = mx::sum(mx::astype(mx::equal(mx::astype(mx::argmax(logits, 1), mx::int32), y), mx::int32));
      std::vector<mx::array> outs{loss, hits};
      for (auto& [name, p] : model->parameters()) outs.push_back(p);
      for (auto& st : adam.state_arrays()) outs.push_back(st);
      mx::eval(outs);
      loss_sum += loss.item<float>();
      hits_sum += hits.item<int32_t>();
      if (s % 20 == 0 || s + 1 == steps)
        curve << epoch << ',' << s + 1 << ',' << loss.item<float>() << ','
              << hits.item<int32_t>() / static_cast<double>(opt.batch_size) << '\n';
      const size_t seen = (s + 1) * static_cast<size_t>(opt.batch_size);
      bar.update(epoch, opt.epochs, s + 1, steps, loss_sum / static_cast<double>(s + 1),
                 hits_sum / static_cast<double>(seen), seen, s + 1 == steps);
    }
    const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - bar.start).count();
    // Test accuracy.
    model->eval();
    int hits = 0;
    const int tn = test.images.shape(0);
    for (int at = 0; at < tn; at += 1000) {
      const int m = std::min(1000, tn - at);
      mx::array x = mx::slice(test.images, {at, 0, 0, 0}, {at + m, fashion_mnist::side, fashion_mnist::side, 1});
      mx::array y = mx::slice(test.labels, {at}, {at + m});
      mx::array pred = mx::astype(mx::argmax((*model)(x), 1), mx::int32);
      hits += static_cast<int>(mx::sum(mx::astype(mx::equal(pred, y), mx::int32)).item<int32_t>());
    }
    const double acc = static_cast<double>(hits) / tn;
    std::cout << "epoch " << epoch << ": test accuracy " << acc * 100 << " % (training took "
              << static_cast<int>(train_secs + 0.5) << " s)\n";
    curve << epoch << ",test,," << acc << '\n';
  }
  model->save_weights(weights_path);
  std::cout << "wrote " << weights_path << " and " << curve_path << "\n";
  if (opt.model == "resnet") std::cout << "classify an image with it: resnet IMAGE --weights " << weights_path << "\n";
}
