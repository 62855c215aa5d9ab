// SPDX-License-Identifier: MIT
// Tests for optimizers/optimizers.hpp and schedulers.hpp. Three steps from p0 = [1, -2, 0.5]
// with gradients g_t = [0.1 t, -0.3, 0.2 - 0.05 t] (t = 1, 2, 3), final parameters compared
// with PyTorch 1.13 (float64) where the update rule is the same (SGD, Adam and AdamW with
// bias correction, RMSprop, Adagrad, Adadelta) and with NumPy written from MLX's formulas
// where MLX differs from PyTorch (Adam/AdamW without bias correction, Adamax, Lion,
// SGD with dampening, a scheduled learning rate). Values pasted from /usr/bin/python3.
// Adafactor and Muon: see tests/optimizers/reference_adafactor_muon.py.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <string>
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

// ---- Adafactor and Muon -------------------------------------------------------------------
// Reference values: tests/optimizers/reference_adafactor_muon.py (NumPy, float64, written
// from the formulas of MLX's optimizers.py; PyTorch 1.13 has neither optimizer). The
// parameters and gradients below are the script's P*, g3/g6/g12 in float32.
namespace {
std::vector<float> g6(int t) {
  return {0.1f * t, -0.3f, 0.2f - 0.05f * t, 0.4f, -0.1f * t, 0.25f + 0.05f * t};
}
std::vector<float> g12(int t) {
  auto g = g6(t);
  for (float x : {0.15f * t, 0.35f, -0.2f * t, 0.05f, 0.3f - 0.1f * t, -0.45f}) g.push_back(x);
  return g;
}
const std::vector<float> kP6{1.0f, -2.0f, 0.5f, 0.3f, 0.8f, -1.2f};
const std::vector<float> kP12{1.0f, -2.0f, 0.5f, 0.3f, 0.8f, -1.2f, -0.7f, 0.2f, 1.5f, -0.4f, 0.9f, 0.6f};
// Three steps of opt on one parameter of the given shape (gradient values from grad(t)).
V run_shaped(optim::Optimizer& opt, const std::vector<float>& p0, const mx::Shape& shape,
             std::vector<float> (*grad)(int)) {
  nn::ParameterMap p{{"w", mx::array(p0.data(), shape)}};
  for (int t = 1; t <= 3; ++t) p = opt.apply_gradients({{"w", mx::array(grad(t).data(), shape)}}, p);
  return to_doubles(p.at("w"));
}
V state_values(const optim::Optimizer& opt, const std::string& name) {
  return to_doubles(opt.state().at("w").at(name));
}
}  // namespace

TEST(Optimizers, AdafactorDefaults) {
  optim::Adafactor fac;  // relative step min(1e-2, t^-1/2) scaled by max(1e-3, rms(p))
  expect_near(run_shaped(fac, kP6, {2, 3}, g6),
              {0.974727755952, -1.95074516005, 0.48361038224, 0.264946132552, 0.821242168345, -1.23741924105});
  optim::Adafactor vec;
  expect_near(run(vec), {0.954304241118, -1.96092152864, 0.469887492576});
  EXPECT_TRUE(std::isnan(vec.learning_rate().item<float>()));  // none was given
  // A clip threshold the update stays under: the row normalisation and alpha show unclipped.
  optim::Adafactor loose(std::nullopt, {1e-30f, 1e-3f}, 100.0f);
  expect_near(run_shaped(loose, kP6, {2, 3}, g6),
              {0.973136150837, -1.94818114739, 0.482905306425, 0.263106887237, 0.822562677772, -1.23949227503});
}

TEST(Optimizers, AdafactorBeyondTwoDimensions) {
  // Leading dimensions of 1: MLX's matmul form and our broadcast product agree, so the
  // result is the 2-D one.
  optim::Adafactor one;
  expect_near(run_shaped(one, kP6, {1, 2, 3}, g6),
              {0.974727755952, -1.95074516005, 0.48361038224, 0.264946132552, 0.821242168345, -1.23741924105});
  EXPECT_EQ(one.state().at("w").at("exp_avg_sq_row").shape(), (mx::Shape{1, 2}));
  EXPECT_EQ(one.state().at("w").at("exp_avg_sq_col").shape(), (mx::Shape{1, 3}));
  // (2, 2, 3): factored per matrix (MLX's matmul would throw on the shapes here).
  optim::Adafactor two;
  expect_near(run_shaped(two, kP12, {2, 2, 3}, g12),
              {0.977451359564, -1.95623413506, 0.485486501575, 0.268846931238, 0.818946638794, -1.23329211158,
               -0.742913569954, 0.16535838103, 1.52519207267, -0.409092640407, 0.890022316862, 0.634161295935});
}

TEST(Optimizers, AdafactorOptions) {
  // lr 0.1 (relative_step off), clipping at 0.5, first moment 0.9, weight decay 0.1, no
  // parameter scaling.
  auto make = [] { return optim::Adafactor(0.1, {1e-30f, 1e-3f}, 0.5f, -0.8f, 0.9f, 0.1f, false, false); };
  auto fac = make();
  expect_near(run_shaped(fac, kP6, {2, 3}, g6),
              {0.95184247815, -1.89796144097, 0.469125872516, 0.260916039629, 0.791961239227, -1.19520996526});
  auto vec = make();
  expect_near(run(vec), {0.939100663053, -1.91287666512, 0.461733234189});
  // warmup_init: the relative step is 1e-6 t, so compare p3 - p0.
  optim::Adafactor warm(std::nullopt, {1e-30f, 1e-3f}, 1.0f, -0.8f, std::nullopt, 0.0f, true, true, true);
  V p3 = run_shaped(warm, kP6, {2, 3}, g6), delta;
  for (size_t i = 0; i < p3.size(); ++i) delta.push_back(p3[i] - kP6[i]);
  V want{-5.81095531083e-06, 9.52980956614e-06, -2.67630335904e-06,
         -6.82739017172e-06, 4.82845236249e-06, -7.65403520497e-06};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(delta[i], want[i], 3e-7) << i;
}

TEST(Optimizers, AdafactorState) {
  optim::Adafactor fac;
  nn::ParameterMap p{{"w", mx::array(kP6.data(), {2, 3})}, {"b", mx::array({1.0f, -2.0f, 0.5f})}};
  p = fac.apply_gradients({{"w", mx::array(g6(1).data(), {2, 3})}, {"b", grads(1).at("w")}}, p);
  const auto& w = fac.state().at("w");
  EXPECT_EQ(w.size(), 2u);  // factored: no full second moment, no exp_avg without beta_1
  EXPECT_EQ(w.at("exp_avg_sq_row").shape(), (mx::Shape{2}));
  EXPECT_EQ(w.at("exp_avg_sq_col").shape(), (mx::Shape{3}));
  // beta_2 = 1 - 1^-0.8 = 0 on the first step: the means of g^2 + 1e-30.
  expect_near(state_values(fac, "exp_avg_sq_row"), {0.0408333364129, 0.0866666707397});
  expect_near(state_values(fac, "exp_avg_sq_col"), {0.0850000025332, 0.0500000037253, 0.0562500044703});
  const auto& b = fac.state().at("b");
  EXPECT_EQ(b.size(), 1u);
  expect_near(to_doubles(b.at("exp_avg_sq")), {0.010000000298, 0.0900000071526, 0.0225000017881});
  EXPECT_EQ(fac.step(), 1);
  // With beta_1 the first moment is kept too.
  optim::Adafactor mom(0.1, {1e-30f, 1e-3f}, 0.5f, -0.8f, 0.9f, 0.1f, false, false);
  mom.apply_gradients({{"w", mx::array(g6(1).data(), {2, 3})}}, p);
  expect_near(state_values(mom, "exp_avg"), {0.00208674414303, -0.00816234448204, 0.00384776607953,
                                             0.00572941883036, -0.00186756200922, 0.0052822631621});
}

TEST(Optimizers, AdafactorErrors) {
  EXPECT_INVALID(optim::Adafactor(std::nullopt, {1e-30f, 1e-3f}, 1.0f, -0.8f, std::nullopt, 0.0f, true, false),
                 "[optimizers.Adafactor] relative_step=false needs a learning rate");
  EXPECT_EQ(optim::Adafactor(0.01, {1e-30f, 1e-3f}, 1.0f, -0.8f, std::nullopt, 0.0f, true, false).name(),
            "Adafactor");
}

TEST(Optimizers, Muon) {
  // (3, 2): more rows than columns, so transposed, and the step scaled by sqrt(3 / 2).
  optim::Muon tall(0.1);
  expect_near(run_shaped(tall, kP6, {3, 2}, g6),
              {0.791647391463, -1.8818480567, 0.225827660106, 0.0827534145609, 0.975807919257, -1.32265435419});
  optim::Muon plain(0.1, 0.95f, 0.01f, false);
  expect_near(run_shaped(plain, kP6, {2, 3}, g6),
              {1.01346790087, -1.72157176651, 0.506644071121, 0.110792066255, 0.745431487706, -1.34640397447});
  // (2, 3, 2): orthogonalised as (2, 6), the step scaled by the last two axes: sqrt(3 / 2).
  optim::Muon conv(0.1);
  expect_near(run_shaped(conv, kP12, {2, 3, 2}, g12),
              {0.872035703836, -1.88553047883, 0.471880425183, 0.0623487923574, 0.848297186114, -1.29452277712,
               -0.847978124366, 0.0721202816992, 1.632972543, -0.501706897882, 0.840249642663, 0.781210609331});
  // Vectors: the momentum step without orthogonalisation.
  optim::Muon vec(0.1);
  expect_near(run(vec), {0.991942449115, -1.98638139364, 0.495091565158});
  expect_near(state_values(vec, "v"), {0.0304364332321, -0.0456346778521, 0.0147295402018});
}

TEST(Optimizers, MuonStateAndErrors) {
  optim::Muon muon(0.1);
  nn::ParameterMap p{{"w", mx::array({1.0f, -2.0f, 0.5f})}};
  p = muon.apply_gradients(grads(1), p);
  EXPECT_FALSE(p.at("w").is_available());
  ASSERT_EQ(muon.state().at("w").size(), 1u);
  // v = (1 - 0.95) (g + 0.01 p) after the first step.
  expect_near(state_values(muon, "v"), {0.00550000007451, -0.016000000596, 0.00775000029802});
  EXPECT_INVALID(optim::Muon(0.1, 0.95f, 0.01f, true, -1), "[optimizers.Muon] ns_steps must be non-negative, got -1.");
}

TEST(Optimizers, AdafactorAndMuonKeepFloat16) {
  auto h = [](const std::vector<float>& v, mx::Shape s) { return mx::astype(mx::array(v.data(), s), mx::float16); };
  nn::ParameterMap p{{"w", h(kP6, {3, 2})}, {"b", h({1.0f, 2.0f}, {2})}};
  nn::ParameterMap g{{"w", h(g6(1), {3, 2})}, {"b", h({0.5f, -0.5f}, {2})}};
  optim::Adafactor fac;
  optim::Muon muon(0.1);
  for (optim::Optimizer* opt : {static_cast<optim::Optimizer*>(&fac), static_cast<optim::Optimizer*>(&muon)}) {
    auto out = opt->apply_gradients(g, p);
    for (const auto& [k, a] : out) {
      EXPECT_EQ(a.dtype(), mx::float16) << opt->name() << " " << k;
      for (double x : to_doubles(a)) EXPECT_TRUE(std::isfinite(x)) << opt->name() << " " << k;
    }
  }
}
