// SPDX-License-Identifier: MIT
// A Vision Transformer encoder on Fashion-MNIST, small enough to read and to train on two
// cores in about a minute: cut each 28x28 image into 7x7 patches of 4x4 pixels, embed every
// patch with one Linear layer, prepend a learned class token, add a learned positional
// embedding, run nn::TransformerEncoder (pre-norm layers; its final LayerNorm "ln" is the
// ViT's last norm) and classify the class token's output with a Linear head.
//
//   build/examples/vit_block [--steps N] [--epochs N] [--batch-size B] [--lr X] [--dims D]
//                            [--heads H] [--layers L] [--patch P] [--seed S] [--data DIR]
//
// It prints the shapes through the network once, then the training loss and accuracy, then
// the test accuracy. Defaults: 2 layers of width 64 with 4 heads, 400 steps of 128 images
// (0.85 of an epoch) with Adam 1e-3.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <mlx/mlx.hpp>

#include "fashion_mnist_data.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
namespace optim = mlx::optimizers;

namespace {

struct Options {
  int steps = 400;  // 0: whole epochs
  int epochs = 1;
  int batch_size = 128;
  float lr = 1e-3f;
  int dims = 64;
  int heads = 4;
  int layers = 2;
  int patch = 4;
  uint64_t seed = 0;
  std::string data = fashion_mnist::default_data_dir;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "vit_block: " << problem << "\n"
            << "usage: vit_block [--steps N] [--epochs N] [--batch-size B] [--lr X] [--dims D]\n"
            << "                 [--heads H] [--layers L] [--patch P] [--seed S] [--data DIR]\n"
            << "  --steps N   stop after N training steps (default 400; 0: train --epochs whole epochs)\n"
            << "  --patch P   patch side, a divisor of 28 (default 4: 7x7 patches; 2: 14x14)\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--help" || k == "-h") usage("trains a small Vision Transformer on Fashion-MNIST");
    if (i + 1 >= argc) usage("missing value after " + k);
    const std::string v = argv[++i];
    try {
      if (k == "--steps") o.steps = std::stoi(v);
      else if (k == "--epochs") o.epochs = std::stoi(v);
      else if (k == "--batch-size") o.batch_size = std::stoi(v);
      else if (k == "--lr") o.lr = std::stof(v);
      else if (k == "--dims") o.dims = std::stoi(v);
      else if (k == "--heads") o.heads = std::stoi(v);
      else if (k == "--layers") o.layers = std::stoi(v);
      else if (k == "--patch") o.patch = std::stoi(v);
      else if (k == "--seed") o.seed = std::stoull(v);
      else if (k == "--data") o.data = v;
      else usage("unknown option " + k);
    } catch (const std::logic_error&) {
      usage("bad value '" + v + "' for " + k);
    }
  }
  if (o.steps < 0 || o.epochs < 1 || o.batch_size < 1 || o.layers < 1)
    usage("--steps must be >= 0 and --epochs, --batch-size, --layers positive");
  if (o.patch < 1 || fashion_mnist::side % o.patch != 0) usage("--patch must divide 28, got " + std::to_string(o.patch));
  if (o.heads < 1 || o.dims < 1 || o.dims % o.heads != 0)
    usage("--dims must be a positive multiple of --heads, got " + std::to_string(o.dims) + " and " +
          std::to_string(o.heads));
  return o;
}

std::string shape_of(const mx::array& a) {
  std::string s = "(";
  for (int i = 0; i < static_cast<int>(a.ndim()); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + ")";
}

/// (B, H, W, 1) images -> (B, (H/p) (W/p), p p) rows of patch pixels, patches in row-major
/// order, pixels inside a patch row-major too.
mx::array patchify(const mx::array& images, int p) {
  const int b = images.shape(0), gh = images.shape(1) / p, gw = images.shape(2) / p;
  mx::array t = mx::reshape(images, {b, gh, p, gw, p});  // (B, row of patches, pixel row, column of patches, pixel column)
  t = mx::transpose(t, {0, 1, 3, 2, 4});                 // (B, gh, gw, p, p)
  return mx::reshape(t, {b, gh * gw, p * p});
}

/// The Vision Transformer of the file comment. Parameters: patch_embed (Linear p*p -> dims),
/// cls_token (1, 1, dims), pos_embed (1, 1 + patches, dims), encoder (TransformerEncoder:
/// layers.0..L-1, ln), head (Linear dims -> 10).
class ViT : public nn::Module {
 public:
  ViT(int patch, int dims, int heads, int layers, int num_classes = 10) : patch_(patch) {
    const int patches = (fashion_mnist::side / patch) * (fashion_mnist::side / patch);
    patch_embed_ = register_module("patch_embed", std::make_shared<nn::Linear>(patch * patch, dims));
    // Small random starts (ViT's truncated normal, std 0.02) so positions differ from the start.
    register_parameter("cls_token", mx::random::normal({1, 1, dims}, 0.0f, 0.02f));
    register_parameter("pos_embed", mx::random::normal({1, 1 + patches, dims}, 0.0f, 0.02f));
    encoder_ = register_module(
        "encoder", std::make_shared<nn::TransformerEncoder>(layers, dims, heads, 2 * dims, 0.0f,
                                                            [](const mx::array& x) { return nn::gelu(x); },
                                                            /*norm_first=*/true));
    head_ = register_module("head", std::make_shared<nn::Linear>(dims, num_classes));
  }
  std::string name() const override { return "ViT"; }
  mx::array operator()(const mx::array& x) override { return forward(x, nullptr); }

  /// The forward pass; with `log`, each stage's shape is written to it (evaluating nothing).
  mx::array forward(const mx::array& images, std::ostream* log) {
    auto say = [&](const char* what, const mx::array& a) {
      if (log) *log << "  " << what << std::string(std::max<size_t>(1, 46 - std::string(what).size()), ' ')
                    << shape_of(a) << "\n";
    };
    say("images", images);
    mx::array x = patchify(images, patch_);
    say("patchify: one row of pixels per patch", x);
    x = (*patch_embed_)(x);
    say("patch_embed (Linear)", x);
    const int b = x.shape(0), dims = x.shape(2);
    mx::array cls = mx::broadcast_to(local("cls_token"), {b, 1, dims});
    x = mx::concatenate({cls, x}, 1);
    say("class token prepended", x);
    x = mx::array(x + local("pos_embed"));
    say("+ positional embedding (1, tokens, dims)", x);
    x = (*encoder_)(x, std::nullopt);  // every token attends to every token: no mask
    say("TransformerEncoder (pre-norm layers + ln)", x);
    x = mx::take(x, 0, 1);
    say("class token's output", x);
    x = (*head_)(x);
    say("head (Linear): logits", x);
    return x;
  }

 private:
  int patch_;
  std::shared_ptr<nn::Linear> patch_embed_, head_;
  std::shared_ptr<nn::TransformerEncoder> encoder_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  fashion_mnist::Split train, test;
  try {
    train = fashion_mnist::load_split(opt.data, "train");
    test = fashion_mnist::load_split(opt.data, "t10k");
  } catch (const std::exception& e) {
    std::cerr << "vit_block: " << e.what() << "\n";
    return 1;
  }
  mx::random::seed(opt.seed);
  ViT model(opt.patch, opt.dims, opt.heads, opt.layers);
  size_t count = 0;
  for (const auto& [name, p] : model.trainable_parameters()) count += p.size();
  std::cout << model << "\n" << count << " trainable parameters\n\nshapes through the network, for a batch of "
            << opt.batch_size << ":\n";
  model.forward(mx::slice(train.images, {0, 0, 0, 0}, {opt.batch_size, 28, 28, 1}), &std::cout);

  optim::Adam adam(opt.lr);
  mx::array logits;  // the loss function keeps them for the training accuracy
  auto loss_and_grad = nn::value_and_grad(model, [&](const std::vector<mx::array>& in) {
    logits = model(in[0]);
    return nn::losses::cross_entropy(logits, in[1], std::nullopt, -1, 0.0f, "mean");
  });

  const size_t n = static_cast<size_t>(train.images.shape(0)), bs = static_cast<size_t>(opt.batch_size);
  const size_t per_epoch = n / bs;
  const size_t total = opt.steps > 0 ? static_cast<size_t>(opt.steps) : per_epoch * static_cast<size_t>(opt.epochs);
  std::cout << "\ntraining " << total << " steps of " << bs << " images (" << static_cast<double>(total) / per_epoch
            << " epochs), Adam lr " << opt.lr << "\n";
  std::vector<int32_t> order(n);
  std::mt19937_64 rng(opt.seed);
  const auto start = std::chrono::steady_clock::now();
  double loss_sum = 0, hits_sum = 0;
  size_t window = 0;
  for (size_t step = 0; step < total; ++step) {
    const size_t at = (step % per_epoch) * bs;
    if (at == 0) {
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
    }
    mx::array x = fashion_mnist::batch_of(train.images, order, at, bs);
    mx::array y = fashion_mnist::batch_of(train.labels, order, at, bs);
    auto [loss, grads] = loss_and_grad({x, y});
    adam.update(model, grads);
    mx::array hits = mx::sum(mx::astype(mx::equal(mx::astype(mx::argmax(logits, 1), mx::int32), y), mx::int32));
    std::vector<mx::array> outs{loss, hits};
    for (auto& [name, p] : model.parameters()) outs.push_back(p);
    for (auto& st : adam.state_arrays()) outs.push_back(st);
    mx::eval(outs);  // one graph per step: forward, backward, update
    loss_sum += loss.item<float>();
    hits_sum += hits.item<int32_t>();
    ++window;
    if ((step + 1) % 50 == 0 || step + 1 == total) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      char line[160];
      std::snprintf(line, sizeof line, "step %4zu/%zu  loss %.4f  train accuracy %.3f  %.0f images/s", step + 1,
                    total, loss_sum / window, hits_sum / (window * bs), (step + 1) * bs / secs);
      std::cout << line << std::endl;
      loss_sum = hits_sum = 0;
      window = 0;
    }
  }
  const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  model.eval();
  int correct = 0;
  const int tn = test.images.shape(0);
  for (int at = 0; at < tn; at += 500) {
    const int m = std::min(500, tn - at);
    mx::array x = mx::slice(test.images, {at, 0, 0, 0}, {at + m, 28, 28, 1});
    mx::array y = mx::slice(test.labels, {at}, {at + m});
    mx::array pred = mx::astype(mx::argmax(model(x), 1), mx::int32);
    correct += mx::sum(mx::astype(mx::equal(pred, y), mx::int32)).item<int32_t>();
  }
  std::printf("test accuracy %.2f %% (%d / %d), training took %.0f s\n", 100.0 * correct / tn, correct, tn,
              train_secs);
}
