// SPDX-License-Identifier: MIT
// nn::value_and_grad: gradients by parameter name equal core::grad's on the same function,
// the model's parameters are restored, and SGD steps on them lower the loss.
#include <gtest/gtest.h>

#include "../array_values.hpp"
#include "../error_message.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
namespace optim = mlx::optimizers;

namespace {
std::shared_ptr<nn::Sequential> small_mlp() {
  mx::random::seed(3);
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 8),
                                          std::make_shared<nn::ReLU>(),
                                          std::make_shared<nn::Linear>(8, 3));
}
}  // namespace

TEST(NnValueAndGrad, MatchesCoreGradOfTheSameFunction) {
  auto model = small_mlp();
  mx::array x = mx::random::normal({6, 4});
  mx::array y({0, 2, 1, 1, 0, 2}, mx::int32);
  auto loss_fn = [&](const std::vector<mx::array>& in) {
    return nn::losses::cross_entropy((*model)(in[0]), in[1], std::nullopt, -1, 0.0f, "mean");
  };
  auto before = model->parameters();
  auto [loss, grads] = nn::value_and_grad(*model, loss_fn)({x, y});
  // The model holds its own parameters again.
  for (const auto& [k, v] : model->parameters()) EXPECT_EQ(v.id(), before.at(k).id()) << k;
  ASSERT_EQ(grads.size(), 4u);
  // The same loss written directly on the weights.
  auto direct = [&](const std::vector<mx::array>& p) {
    mx::array h = mx::maximum(mx::array(mx::matmul(x, mx::transpose(p[0])) + p[1]), 0.0f);
    mx::array logits = mx::array(mx::matmul(h, mx::transpose(p[2])) + p[3]);
    return nn::losses::cross_entropy(logits, y, std::nullopt, -1, 0.0f, "mean");
  };
  std::vector<std::string> names{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"};
  std::vector<mx::array> ps;
  for (auto& n : names) ps.push_back(before.at(n));
  auto [v2, g2] = mx::value_and_grad(direct, std::vector<int>{0, 1, 2, 3})(ps);
  EXPECT_NEAR(loss.item<float>(), v2.item<float>(), 1e-6);
  for (size_t i = 0; i < names.size(); ++i) {
    auto a = mlxtest::to_doubles(grads.at(names[i])), b = mlxtest::to_doubles(g2[i]);
    ASSERT_EQ(a.size(), b.size()) << names[i];
    for (size_t j = 0; j < a.size(); ++j) EXPECT_NEAR(a[j], b[j], 1e-6) << names[i] << "[" << j << "]";
  }
}

TEST(NnValueAndGrad, SgdStepsLowerTheLoss) {
  auto model = small_mlp();
  mx::array x = mx::random::normal({32, 4});
  // A learnable rule: the class is the index of the largest of the first three features.
  mx::array y = mx::astype(mx::argmax(mx::slice(x, {0, 0}, {32, 3}), 1), mx::int32);
  auto step = nn::value_and_grad(*model, [&](const std::vector<mx::array>& in) {
    return nn::losses::cross_entropy((*model)(in[0]), in[1], std::nullopt, -1, 0.0f, "mean");
  });
  optim::SGD opt(0.5f);
  float first = 0, last = 0;
  for (int it = 0; it < 60; ++it) {
    auto [loss, grads] = step({x, y});
    opt.update(*model, grads);
    std::vector<mx::array> outs{loss};
    for (auto& [k, v] : model->parameters()) outs.push_back(v);
    mx::eval(outs);
    (it == 0 ? first : last) = loss.item<float>();
  }
  EXPECT_LT(last, first * 0.5f) << first << " -> " << last;
}

TEST(NnValueAndGrad, ALossFunctionThatThrowsLeavesTheModelIntact) {
  auto model = small_mlp();
  auto before = model->parameters();
  auto f = nn::value_and_grad(*model, [&](const std::vector<mx::array>&) -> mx::array {
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(mlxtest::runtime_error_message([&] { f({}); }), "boom");
  for (const auto& [k, v] : model->parameters()) EXPECT_EQ(v.id(), before.at(k).id()) << k;
}
