// SPDX-License-Identifier: MIT
// The main example: trains a classifier on the real Fashion-MNIST (Debian package
// dataset-fashion-mnist) with mlx::nn and mlx::optimizers, evaluates it on the test set,
// and writes the weights (safetensors) and the loss/accuracy curve (CSV).
//
//   build/examples/fashion_mnist [--model cnn|mlp] [--epochs N] [--batch-size B] [--lr X]
//                                [--seed S] [--device cpu|gpu] [--data DIR] [--out DIR]
//
// Every training step is one lazy graph (forward, value_and_grad, the optimizer's update of
// every parameter) evaluated once.
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

#include "idx_reader.hpp"

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
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string out = "fashion_mnist_out";
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "fashion_mnist: " << problem << "\n"
            << "usage: fashion_mnist [--model cnn|mlp] [--epochs N] [--batch-size B] [--lr X]\n"
            << "                     [--seed S] [--device cpu|gpu] [--data DIR] [--out DIR]\n";
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
  if (o.model != "cnn" && o.model != "mlp") usage("--model must be cnn or mlp, got " + o.model);
  if (o.epochs < 1 || o.batch_size < 1) usage("--epochs and --batch-size must be positive");
  if (o.device != "cpu" && o.device != "gpu") usage("--device must be cpu or gpu, got " + o.device);
  return o;
}

// ---- IDX files (examples/idx_reader.hpp: gzip through zlib, hardened, fuzzed) -------------

/// An IDX file of unsigned bytes with `ndim` dims; says where the data comes from if absent.
idx_reader::Idx read_idx(const std::string& path, int ndim) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("cannot open " + path +
                             " (the Debian package dataset-fashion-mnist provides it: "
                             "scripts/setup.sh installs it)");
  idx_reader::Idx f = idx_reader::read_idx(path, ndim);
  if (f.type != 0x08) throw std::runtime_error(path + " is not an IDX file of unsigned bytes");
  return f;
}

struct Split {
  mx::array images;  // (N, 28, 28, 1) float32 in [0, 1]
  mx::array labels;  // (N,) int32
};

Split load_split(const std::string& dir, const std::string& prefix) {
  const auto images_file = read_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz", 3);
  const auto labels_file = read_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", 1);
  const std::vector<uint32_t>& idims = images_file.dims;
  const std::vector<uint32_t>& ldims = labels_file.dims;
  const std::vector<uint8_t>& img = images_file.data;
  const std::vector<uint8_t>& lab = labels_file.data;
  if (idims[0] != ldims[0])
    throw std::runtime_error(prefix + ": " + std::to_string(idims[0]) + " images but " +
                             std::to_string(ldims[0]) + " labels");
  const int n = static_cast<int>(idims[0]), h = static_cast<int>(idims[1]), w = static_cast<int>(idims[2]);
  mx::array x(img.begin(), {n, h, w, 1}, mx::uint8);
  mx::array images = mx::array(mx::astype(x, mx::float32) * (1.0f / 255.0f));
  mx::array labels(lab.begin(), {n}, mx::uint8);
  labels = mx::astype(labels, mx::int32);
  mx::eval(images, labels);
  return {images, labels};
}

// ---- models --------------------------------------------------------------------------------

std::shared_ptr<nn::Module> make_model(const std::string& kind) {
  auto flatten = [](const mx::array& x) { return mx::reshape(x, {x.shape(0), -1}); };
  if (kind == "mlp")
    return std::make_shared<nn::Sequential>(flatten, std::make_shared<nn::Linear>(784, 512),
                                            std::make_shared<nn::ReLU>(),
                                            std::make_shared<nn::Linear>(512, 10));
  // Two 3x3 convolutions with pooling, then a linear classifier: ~0.1 M parameters.
  return std::make_shared<nn::Sequential>(
      std::make_shared<nn::Conv2d>(1, 16, 3, 1, 1), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Conv2d>(16, 32, 3, 1, 1),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2), flatten,
      std::make_shared<nn::Linear>(32 * 7 * 7, 128), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(128, 10));
}

mx::array batch_of(const mx::array& a, const std::vector<int32_t>& order, size_t start, size_t n) {
  mx::array idx(order.begin() + static_cast<std::ptrdiff_t>(start), {static_cast<int>(n)}, mx::int32);
  return mx::take(a, idx, 0);
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
      std::cout << line << '\n';
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
  Split train, test;
  try {
    train = load_split(opt.data, "train");
    test = load_split(opt.data, "t10k");
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
  auto loss_and_grad = nn::value_and_grad(*model, [&](const std::vector<mx::array>& in) {
    return nn::losses::cross_entropy((*model)(in[0]), in[1], std::nullopt, -1, 0.0f, "mean");
  });

  std::filesystem::create_directories(opt.out);
  std::ofstream curve(opt.out + "/curve.csv");
  curve << "epoch,step,loss,accuracy\n";

  const size_t n = static_cast<size_t>(train.images.shape(0));
  const size_t steps = n / static_cast<size_t>(opt.batch_size);
  std::vector<int32_t> order(n);
  std::mt19937_64 rng(opt.seed);
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    Progress bar;
    double loss_sum = 0, correct = 0;
    model->train();
    for (size_t s = 0; s < steps; ++s) {
      const size_t at = s * static_cast<size_t>(opt.batch_size);
      mx::array x = batch_of(train.images, order, at, static_cast<size_t>(opt.batch_size));
      mx::array y = batch_of(train.labels, order, at, static_cast<size_t>(opt.batch_size));
      auto [loss, grads] = loss_and_grad({x, y});
      adam.update(*model, grads);
      std::vector<mx::array> outs{loss};
      for (auto& [name, p] : model->parameters()) outs.push_back(p);
      for (auto& st : adam.state_arrays()) outs.push_back(st);
      mx::eval(outs);
      loss_sum += loss.item<float>();
      if (s % 20 == 0 || s + 1 == steps) {
        // Training accuracy on this batch (a cheap extra forward without gradients).
        mx::array pred = mx::argmax((*model)(x), 1);
        correct = mx::sum(mx::astype(mx::equal(mx::astype(pred, mx::int32), y), mx::float32)).item<float>() /
                  opt.batch_size;
        curve << epoch << ',' << s + 1 << ',' << loss.item<float>() << ',' << correct << '\n';
      }
      bar.update(epoch, opt.epochs, s + 1, steps, loss_sum / static_cast<double>(s + 1), correct,
                 (s + 1) * static_cast<size_t>(opt.batch_size), s + 1 == steps);
    }
    // Test accuracy.
    model->eval();
    int hits = 0;
    const int tn = test.images.shape(0);
    for (int at = 0; at < tn; at += 1000) {
      const int m = std::min(1000, tn - at);
      mx::array x = mx::slice(test.images, {at, 0, 0, 0}, {at + m, 28, 28, 1});
      mx::array y = mx::slice(test.labels, {at}, {at + m});
      mx::array pred = mx::astype(mx::argmax((*model)(x), 1), mx::int32);
      hits += static_cast<int>(mx::sum(mx::astype(mx::equal(pred, y), mx::int32)).item<int32_t>());
    }
    const double acc = static_cast<double>(hits) / tn;
    std::cout << "epoch " << epoch << ": test accuracy " << acc * 100 << " %\n";
    curve << epoch << ",test,," << acc << '\n';
  }
  model->save_weights(opt.out + "/weights.safetensors");
  std::cout << "wrote " << opt.out << "/weights.safetensors and " << opt.out << "/curve.csv\n";
}
