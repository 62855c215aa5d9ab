// SPDX-License-Identifier: MIT
// Tests for Optimizer::flattened_state / save_state / load_state: MLX's tree_flatten layout
// ("step", "learning_rate", "<parameter>.<state>"), resuming training bit for bit for every
// optimizer (train 3 steps, save model and optimizer, train 2 more; versus load both into
// fresh objects and train 2), schedules, and the checks that refuse a file without
// changing anything.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
namespace optim = mlx::optimizers;
using mlxtest::to_doubles;

namespace {
std::string tmp(const std::string& name) { return ::testing::TempDir() + "mlxpp_state_io_" + name; }

std::shared_ptr<nn::Sequential> mlp(int seed) {
  mx::random::seed(seed);
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 6), std::make_shared<nn::Tanh>(),
                                          std::make_shared<nn::Linear>(6, 3));
}

// Steps `steps` times on fixed data (one eval per step, as a training loop does).
void train(nn::Module& model, optim::Optimizer& opt, int steps) {
  mx::random::seed(123);
  const mx::array x = mx::random::normal({8, 4});
  const mx::array y = mx::random::normal({8, 3});
  auto vg = nn::value_and_grad(model, [&](const std::vector<mx::array>& in) {
    return nn::losses::mse_loss(model(in[0]), in[1]);
  });
  for (int i = 0; i < steps; ++i) {
    auto [loss, grads] = vg({x, y});
    opt.update(model, grads);
    std::vector<mx::array> outs = opt.state_arrays();
    for (auto& [k, p] : model.parameters()) outs.push_back(p);
    mx::eval(outs);
  }
}

std::vector<double> flat_params(const nn::Module& m) {
  std::vector<double> out;
  for (const auto& [k, p] : m.parameters()) {
    auto v = to_doubles(p);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// Equal elements, NaN matching NaN (Adafactor without a learning rate stores NaN).
bool same_values(const mx::array& a, const mx::array& b) {
  auto x = to_doubles(a), y = to_doubles(b);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (!(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))) return false;
  return true;
}

using Factory = std::function<std::unique_ptr<optim::Optimizer>()>;

// 3 steps, save, 2 more; against: fresh model and optimizer, load, 2 steps.
void expect_resumes_exactly(const std::string& what, const Factory& make) {
  SCOPED_TRACE(what);
  auto model = mlp(1);
  auto opt = make();
  train(*model, *opt, 3);
  const std::string wpath = tmp(what + "_model.safetensors"), spath = tmp(what + "_opt.safetensors");
  model->save_weights(wpath);
  opt->save_state(spath);
  train(*model, *opt, 2);

  auto model2 = mlp(2);  // other initial weights: everything must come from the files
  auto opt2 = make();
  model2->load_weights(wpath);
  opt2->load_state(spath, *model2);
  EXPECT_EQ(opt2->step(), 3);
  train(*model2, *opt2, 2);

  EXPECT_EQ(opt2->step(), opt->step());
  EXPECT_EQ(flat_params(*model2), flat_params(*model));  // bit for bit
  auto s1 = opt->flattened_state(), s2 = opt2->flattened_state();
  ASSERT_EQ(s1.size(), s2.size());
  for (const auto& [k, a] : s1) {
    ASSERT_TRUE(s2.count(k)) << k;
    EXPECT_TRUE(same_values(s2.at(k), a)) << k;
    EXPECT_EQ(s2.at(k).dtype(), a.dtype()) << k;
  }
  std::remove(wpath.c_str());
  std::remove(spath.c_str());
}

template <class O, class... A>
Factory factory(A... args) {
  return [=] { return std::unique_ptr<optim::Optimizer>(new O(args...)); };
}
}  // namespace

TEST(OptimizerState, MlxLayout) {
  auto model = mlp(1);
  optim::Adam adam(0.01);
  train(*model, adam, 3);
  auto flat = adam.flattened_state();
  std::vector<std::string> names;
  for (const auto& kv : flat) names.push_back(kv.first);
  EXPECT_EQ(names, (std::vector<std::string>{"layers.0.bias.m", "layers.0.bias.v", "layers.0.weight.m",
                                             "layers.0.weight.v", "layers.2.bias.m", "layers.2.bias.v",
                                             "layers.2.weight.m", "layers.2.weight.v", "learning_rate", "step"}));
  EXPECT_EQ(flat.at("step").dtype(), mx::uint64);  // MLX: mx.array(0, mx.uint64)
  EXPECT_EQ(flat.at("step").ndim(), 0u);
  EXPECT_EQ(flat.at("step").item<int>(), 3);
  EXPECT_EQ(flat.at("learning_rate").dtype(), mx::float32);
  EXPECT_EQ(flat.at("learning_rate").item<float>(), 0.01f);
  EXPECT_EQ(flat.at("layers.0.weight.m").id(), adam.state().at("layers.0.weight").at("m").id());
  // The file holds exactly these tensors.
  const std::string path = tmp("layout.safetensors");
  adam.save_state(path);
  auto back = nn::load_safetensors(path);
  ASSERT_EQ(back.size(), flat.size());
  for (const auto& [k, a] : flat) {
    EXPECT_EQ(back.at(k).shape(), a.shape()) << k;
    EXPECT_EQ(to_doubles(back.at(k)), to_doubles(a)) << k;
  }
  std::remove(path.c_str());
  // SGD without momentum keeps no per-parameter arrays: only step and learning_rate.
  optim::SGD sgd(0.1);
  train(*model, sgd, 1);
  EXPECT_EQ(sgd.flattened_state().size(), 2u);
}

TEST(OptimizerState, ResumesBitForBitAdamAndSgdMomentum) {
  expect_resumes_exactly("adam", factory<optim::Adam>(0.01, std::pair<float, float>{0.9f, 0.999f}, 1e-8f, true));
  expect_resumes_exactly("sgd_momentum", factory<optim::SGD>(0.05, 0.9f, 0.01f));
  expect_resumes_exactly("sgd_nesterov", factory<optim::SGD>(0.05, 0.9f, 0.0f, 0.0f, true));
}

TEST(OptimizerState, ResumesBitForBitEveryOptimizer) {
  expect_resumes_exactly("sgd", factory<optim::SGD>(0.1));
  expect_resumes_exactly("adam_default", factory<optim::Adam>(0.01));
  expect_resumes_exactly("adamw", factory<optim::AdamW>(0.01, std::pair<float, float>{0.9f, 0.999f}, 1e-8f, 0.1f, true));
  expect_resumes_exactly("rmsprop", factory<optim::RMSprop>(0.01));
  expect_resumes_exactly("adagrad", factory<optim::Adagrad>(0.1));
  expect_resumes_exactly("adadelta", factory<optim::AdaDelta>(1.0));
  expect_resumes_exactly("adamax", factory<optim::Adamax>(0.01));
  expect_resumes_exactly("lion", factory<optim::Lion>(0.001, std::pair<float, float>{0.9f, 0.99f}, 0.1f));
  expect_resumes_exactly("adafactor", [] { return std::unique_ptr<optim::Optimizer>(new optim::Adafactor()); });
  expect_resumes_exactly("adafactor_beta1", [] {
    return std::unique_ptr<optim::Optimizer>(
        new optim::Adafactor(0.01, {1e-30f, 1e-3f}, 1.0f, -0.8f, 0.9f, 0.0f, true, false));
  });
  expect_resumes_exactly("muon", factory<optim::Muon>(0.01));
  // A schedule: the restored step drives it.
  expect_resumes_exactly("sgd_schedule", [] {
    return std::unique_ptr<optim::Optimizer>(new optim::SGD(optim::exponential_decay(0.1f, 0.5f), 0.9f));
  });
}

TEST(OptimizerState, LearningRateConstantOrSchedule) {
  auto model = mlp(1);
  optim::SGD a(0.25, 0.9f);
  train(*model, a, 2);
  const std::string path = tmp("lr.safetensors");
  a.save_state(path);
  // A constant rate is restored from the file.
  optim::SGD b(0.75, 0.9f);
  b.load_state(path, *model);
  EXPECT_EQ(b.learning_rate().item<float>(), 0.25f);
  train(*model, b, 1);
  EXPECT_EQ(b.learning_rate().item<float>(), 0.25f);
  // A schedule stays in charge; it is read at the restored step.
  optim::SGD c(optim::exponential_decay(1.0f, 0.5f), 0.9f);
  c.load_state(path, *model);
  EXPECT_EQ(c.learning_rate().item<float>(), 0.25f);  // the value the last update used
  train(*model, c, 1);
  EXPECT_EQ(c.learning_rate().item<float>(), 0.25f);  // 0.5^2 at step 2
  train(*model, c, 1);
  EXPECT_EQ(c.learning_rate().item<float>(), 0.125f);
  std::remove(path.c_str());
}

TEST(OptimizerState, RefusesBadFilesAndChangesNothing) {
  auto model = mlp(1);
  optim::Adam adam(0.01);
  train(*model, adam, 2);
  const auto good = adam.flattened_state();
  const std::string path = tmp("bad.safetensors");
  auto write_without = [&](const std::string& drop, const nn::ParameterMap& extra = {}) {
    nn::ParameterMap m;
    for (const auto& [k, v] : good)
      if (k != drop) m.emplace(k, v);
    for (const auto& [k, v] : extra) m.insert_or_assign(k, v);
    nn::save_safetensors(path, m);
  };

  optim::Adam fresh(0.5);
  train(*model, fresh, 1);  // holds state, step 1
  const auto before = fresh.flattened_state();
  auto unchanged = [&] {
    EXPECT_EQ(fresh.step(), 1);
    EXPECT_EQ(fresh.learning_rate().item<float>(), 0.5f);
    auto now = fresh.flattened_state();
    ASSERT_EQ(now.size(), before.size());
    for (const auto& [k, v] : before)  // "step" is made fresh by each flattened_state()
      if (k != "step") {
        EXPECT_EQ(now.at(k).id(), v.id()) << k;
      }
  };

  write_without("layers.0.weight.m");
  EXPECT_INVALID(fresh.load_state(path, *model), "[optimizers.Adam.load_state] Missing key \"layers.0.weight.m\".");
  EXPECT_INVALID(fresh.load_state(path), "Missing key \"layers.0.weight.m\".");  // against the current state
  unchanged();
  write_without("step");
  EXPECT_INVALID(fresh.load_state(path, *model), "Missing key \"step\".");
  write_without("learning_rate");
  EXPECT_INVALID(fresh.load_state(path, *model), "Missing key \"learning_rate\".");
  write_without("", {{"layers.0.weight.v", mx::zeros({3, 4})}});
  EXPECT_INVALID(fresh.load_state(path, *model),
                 "Key \"layers.0.weight.v\" has shape (3,4) but the parameter needs (6,4).");
  EXPECT_INVALID(fresh.load_state(path), "Key \"layers.0.weight.v\" has shape (3,4) but the current state has (6,4).");
  write_without("", {{"layers.0.weight.w", mx::zeros({6, 4})}});
  EXPECT_INVALID(fresh.load_state(path, *model), "Unexpected key \"layers.0.weight.w\".");
  write_without("", {{"layers.5.weight.m", mx::zeros({6, 4})}});
  EXPECT_INVALID(fresh.load_state(path, *model), "no parameter is named \"layers.5.weight\"");
  write_without("", {{"extra", mx::zeros({1})}});
  EXPECT_INVALID(fresh.load_state(path, *model), "Unexpected key \"extra\"");
  write_without("", {{"step", mx::array(2.0f)}});
  EXPECT_INVALID(fresh.load_state(path, *model), "Key \"step\" must be a 0-d integer array");
  write_without("", {{"step", mx::array(-1, mx::int32)}});
  EXPECT_INVALID(fresh.load_state(path, *model), "Key \"step\" is out of range: -1.");
  write_without("", {{"learning_rate", mx::array({0.1f, 0.2f})}});
  EXPECT_INVALID(fresh.load_state(path, *model), "Key \"learning_rate\" must be a 0-d floating array");
  unchanged();
  // A model with other shapes.
  nn::Sequential other(std::make_shared<nn::Linear>(5, 6), std::make_shared<nn::Tanh>(),
                       std::make_shared<nn::Linear>(6, 3));
  adam.save_state(path);
  EXPECT_INVALID(fresh.load_state(path, other), "Key \"layers.0.weight.m\" has shape (6,4) but the parameter needs (6,5).");
  unchanged();
  // A frozen parameter is not among the trainable ones: state for it is refused.
  nn::Sequential frozen(std::make_shared<nn::Linear>(4, 6), std::make_shared<nn::Tanh>(),
                        std::make_shared<nn::Linear>(6, 3));
  frozen.freeze({"layers.0.bias"});
  EXPECT_INVALID(fresh.load_state(path, frozen), "no parameter is named \"layers.0.bias\"");
  // Non-strict: parameters absent from the file are allowed.
  nn::ParameterMap partial;
  for (const auto& [k, v] : good)
    if (k.rfind("layers.2.", 0) != 0) partial.emplace(k, v);
  nn::save_safetensors(path, partial);
  EXPECT_INVALID(fresh.load_state(path, *model), "Missing key \"layers.2.bias.m\".");
  optim::Adam loose(0.5);
  loose.load_state(path, *model, false);
  EXPECT_EQ(loose.step(), 2);
  EXPECT_EQ(loose.state().size(), 2u);
  // An optimizer without state and without params takes any well-formed file.
  optim::Adam blank(0.5);
  blank.load_state(path);
  EXPECT_EQ(blank.state().size(), 2u);
  EXPECT_THROW(blank.load_state(tmp("missing_file.safetensors")), std::runtime_error);
  std::remove(path.c_str());
}
