// SPDX-License-Identifier: MIT
// Tests for optimizers/optimizers.hpp and schedulers.hpp. Three steps from p0 = [1, -2, 0.5]
// with gradients g_t = [0.1 t, -0.3, 0.2 - 0.05 t] (t = 1, 2, 3), final parameters compared
// with PyTorch 1.13 (float64) where the update rule is the same (SGD, Adam and AdamW with
// bias correction, RMSprop, Adagrad, Adadelta) and with NumPy written from MLX's formulas
// where MLX differs from PyTorch (Adam/AdamW without bias correction, Adamax, Lion,
// SGD with dampening, a scheduled learning rate). Values pasted from /usr/bin/python3.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
namespace optim = mlx::optimizers;
using mlxtest::to_doubles;
using V = std::vector<double>;
using mlxtest::expect_near;

namespace {
nn::ParameterMap grads(int t) {
  return {{"w", mx::array({0.1f * t, -0.3f, 0.2f - 0.05f * t})}};
}
// Runs three steps on plain maps and returns the final parameter.
V run(optim::Optimizer& opt, int steps = 3) {
  nn::ParameterMap p{{"w", mx::array({1.0f, -2.0f, 0.5f})}};
  for (int t = 1; t <= steps; ++t) p = opt.apply_gradients(grads(t), p);
  return to_doubles(p.at("w"));
}
}  // namespace

TEST(Optimizers, SGD) {
  optim::SGD plain(0.1);
  expect_near(run(plain), {0.94, -1.91, 0.47});
  optim::SGD mom(0.1, 0.9f, 0.01f);
  expect_near(run(mom), {0.899352789, -1.820633568, 0.4326143845});
  optim::SGD nest(0.1, 0.9f, 0.0f, 0.0f, true);
  expect_near(run(nest), {0.85441, -1.75853, 0.411815});
  optim::SGD damp(0.1, 0.9f, 0.0f, 0.5f);
  expect_near(run(damp), {0.95245, -1.91585, 0.467675});
  EXPECT_INVALID(optim::SGD(0.1, 0.0f, 0.0f, 0.0f, true), "Nesterov");
}

TEST(Optimizers, AdamFamily) {
  optim::Adam adam(0.1);  // MLX's default: no bias correction
  expect_near(run(adam), {-0.200621888696, -0.763790482009, -0.670948901951}, 1e-5);
  optim::Adam adam_bc(0.1, {0.9f, 0.999f}, 1e-8f, true);
  expect_near(run(adam_bc), {0.707681695545, -1.70000001, 0.213602747208});
  optim::AdamW adamw(0.1);
  expect_near(run(adamw), {-0.202576590019, -0.758853577499, -0.67140290517}, 1e-5);
  optim::AdamW adamw_bc(0.1, {0.9f, 0.999f}, 1e-8f, 0.01f, true);
  expect_near(run(adamw_bc), {0.704981112721, -1.69430590799, 0.2124011819});
  optim::Adamax adamax(0.1);
  expect_near(run(adamax), {0.956800002348, -1.94390000187, 0.456849401495});
  optim::Lion lion(0.1, {0.9f, 0.99f}, 0.1f);
  expect_near(run(lion), {0.673289, -1.643588, 0.1881395});
}

TEST(Optimizers, AdaptiveLearningRates) {
  optim::RMSprop rms(0.01);
  expect_near(run(rms), {0.730117415993, -1.77108703233, 0.317399334907});
  optim::Adagrad ada(0.1);
  expect_near(run(ada), {0.730378924469, -1.77155430107, 0.317803867358});
  optim::AdaDelta add(1.0);
  expect_near(run(add), {0.987932509188, -1.99029303932, 0.492800638105});
}

TEST(Optimizers, UpdatesStayLazyAndKeepState) {
  optim::Adam adam(0.1);
  nn::ParameterMap p{{"w", mx::array({1.0f, -2.0f, 0.5f})}};
  p = adam.apply_gradients(grads(1), p);
  EXPECT_FALSE(p.at("w").is_available());  // only the graph was built
  EXPECT_FALSE(adam.state().at("w").at("m").is_available());
  EXPECT_EQ(adam.step(), 1);
  EXPECT_EQ(adam.state_arrays().size(), 2u);
  // float16 parameters stay float16.
  nn::ParameterMap h{{"w", mx::astype(mx::array({1.0f, 2.0f}), mx::float16)}};
  optim::SGD sgd(0.1, 0.9f);
  auto out = sgd.apply_gradients({{"w", mx::astype(mx::array({1.0f, 1.0f}), mx::float16)}}, h);
  EXPECT_EQ(out.at("w").dtype(), mx::float16);
  EXPECT_INVALID(sgd.apply_gradients({{"x", mx::ones({2})}}, h), "\"x\" has no matching parameter");
  EXPECT_INVALID(sgd.apply_gradients({{"w", mx::ones({3})}}, h), "has shape (3,)");
}

TEST(Optimizers, UpdatesAModule) {
  nn::Linear l(2, 1);
  l.update({{"weight", mx::array({1.0f, 2.0f}, {1, 2})}, {"bias", mx::array({0.5f})}});
  l.freeze({"bias"});
  optim::SGD sgd(0.5);
  sgd.update(l, {{"weight", mx::array({1.0f, -1.0f}, {1, 2})}});
  EXPECT_EQ(to_doubles(l.parameter("weight")), (V{0.5, 2.5}));
  EXPECT_EQ(to_doubles(l.parameter("bias")), (V{0.5}));
  // A frozen parameter is not among the trainable ones, so its gradient is refused.
  EXPECT_INVALID(sgd.update(l, {{"bias", mx::ones({1})}}), "\"bias\"");
}

TEST(Schedules, Values) {
  auto val = [](const optim::Schedule& s, int step) { return s(step).item<float>(); };
  EXPECT_FLOAT_EQ(val(optim::exponential_decay(0.1f, 0.5f), 3), 0.0125f);
  auto sd = optim::step_decay(0.1f, 0.9f, 10);
  EXPECT_FLOAT_EQ(val(sd, 9), 0.1f);
  EXPECT_FLOAT_EQ(val(sd, 21), 0.1f * 0.81f);
  auto cd = optim::cosine_decay(0.1f, 1000);
  EXPECT_FLOAT_EQ(val(cd, 0), 0.1f);
  EXPECT_NEAR(val(cd, 500), 0.05f, 1e-7);
  EXPECT_NEAR(val(cd, 5000), 0.0f, 1e-9);
  EXPECT_NEAR(val(optim::cosine_decay(0.1f, 100, 0.01f), 100), 0.01f, 1e-8);
  auto lin = optim::linear_schedule(0.0f, 0.1f, 100);
  EXPECT_NEAR(val(lin, 10), 0.01f, 1e-8);
  EXPECT_NEAR(val(lin, 1000), 0.1f, 1e-8);
  auto warm = optim::join_schedules({optim::linear_schedule(0.0f, 0.1f, 10), optim::exponential_decay(0.1f, 0.5f)}, {10});
  EXPECT_NEAR(val(warm, 5), 0.05f, 1e-8);
  EXPECT_NEAR(val(warm, 10), 0.1f, 1e-8);
  EXPECT_NEAR(val(warm, 12), 0.025f, 1e-8);
  EXPECT_INVALID(optim::join_schedules({optim::exponential_decay(0.1f, 0.5f)}, {10}), "Received 1 boundaries");
  EXPECT_INVALID(optim::linear_schedule(0.0f, 1.0f, 0), "steps must be greater than 0");
}

TEST(Schedules, DriveTheOptimizer) {
  // The schedule is read with the step count before the update: 0.1, 0.05, 0.025.
  optim::SGD sgd(optim::exponential_decay(0.1f, 0.5f));
  expect_near(run(sgd), {0.9725, -1.9475, 0.47875});
  EXPECT_NEAR(sgd.learning_rate().item<float>(), 0.025f, 1e-9);
  optim::SGD fn([](int step) { return mx::array(step == 0 ? 1.0f : 0.0f); });
  expect_near(run(fn), {0.9, -1.7, 0.35});
}

TEST(ClipGradNorm, ScalesByTheGlobalNorm) {
  nn::ParameterMap g{{"a", mx::array({3.0f, 4.0f})}, {"b", mx::array({12.0f})}};
  auto [clipped, norm] = optim::clip_grad_norm(g, 1.0f);
  EXPECT_NEAR(norm.item<float>(), 13.0f, 1e-5);
  // numpy: g * min(1 / (13 + 1e-6), 1)
  expect_near(to_doubles(clipped.at("a")), {0.23076921, 0.30769228});
  expect_near(to_doubles(clipped.at("b")), {0.92307685});
  auto [same, n2] = optim::clip_grad_norm(g, 100.0f);
  EXPECT_EQ(to_doubles(same.at("b")), (V{12}));
}
