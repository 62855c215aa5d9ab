// SPDX-License-Identifier: MIT
// Tests for nn/losses.hpp against PyTorch 1.13 in float64 (values pasted): cross_entropy
// via F.cross_entropy (label_smoothing too, which uses MLX's formula), probability targets
// via -(p * log_softmax).sum(-1), BCE via F.binary_cross_entropy(_with_logits), the others
// via their F.* counterparts or the MLX formula written in torch (log_cosh: log(cosh(e)),
// kl_div: sum(exp(t) (t - x)), hinge: clamp(1 - x y, 0), triplet: MLX's sqrt form).
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace L = mlx::nn::losses;
using mlxtest::to_doubles;
using V = std::vector<double>;
using mlxtest::expect_near;

namespace {
mx::array logits() { return mx::array({2.0f, -1.0f, 0.5f, 0.1f, 0.2f, 3.0f}, {2, 3}); }
mx::array targets() { return mx::array({0, 2}, mx::int32); }
mx::array a() { return mx::array({1.0f, -2.0f, 3.0f, 0.5f, 0.0f, -1.5f}, {2, 3}); }
mx::array b() { return mx::array({0.0f, 1.0f, 2.5f, 2.0f, -0.25f, -1.0f}, {2, 3}); }
}  // namespace

TEST(Losses, CrossEntropy) {
  expect_near(L::cross_entropy(logits(), targets()), {0.241311297, 0.109601465});
  expect_near(L::cross_entropy(logits(), targets(), std::nullopt, -1, 0.3f), {0.691311297, 0.679601465});
  mx::array probs({0.7f, 0.2f, 0.1f, 0.0f, 0.5f, 0.5f}, {2, 3});
  expect_near(L::cross_entropy(logits(), probs), {0.991311297, 1.50960146});
  expect_near(L::cross_entropy(logits(), targets(), mx::array({0.5f, 2.0f}), -1, 0.0f, "mean"), {0.169929289});
  // axis 0: the classes down the columns (transpose gives the same numbers).
  expect_near(L::cross_entropy(mx::transpose(logits()), targets(), std::nullopt, 0), {0.241311297, 0.109601465});
  expect_near(L::cross_entropy(logits(), targets(), std::nullopt, -1, 0.0f, "sum"), {0.350912762});
}

TEST(Losses, CrossEntropyErrors) {
  EXPECT_INVALID(L::cross_entropy(logits(), targets(), std::nullopt, -1, 1.0f), "Label smoothing");
  EXPECT_INVALID(L::cross_entropy(logits(), mx::array({0, 1, 2}, mx::int32)), "Targets shape (3,)");
  EXPECT_INVALID(L::cross_entropy(logits(), mx::ones({2, 4})), "does not match logits shape");
  EXPECT_INVALID(L::cross_entropy(logits(), mx::array({0.f, 2.f})), "integer dtype");
  EXPECT_INVALID(L::cross_entropy(logits(), targets(), mx::ones({3})), "Weights with shape (3,)");
  EXPECT_INVALID(L::cross_entropy(logits(), targets(), std::nullopt, -1, 0.0f, "avg"),
                 "[losses.cross_entropy] Invalid reduction 'avg'");
  EXPECT_INVALID(L::mse_loss(a(), b(), "max"), "[losses.mse_loss] Invalid reduction 'max'");
}

TEST(Losses, BinaryCrossEntropy) {
  mx::array x({-1.0f, 0.5f, 2.0f, 0.0f}, {2, 2}), t({0.0f, 1.0f, 1.0f, 0.0f}, {2, 2});
  expect_near(L::binary_cross_entropy(x, t), {0.401853466});  // default: logits, mean
  mx::array p({0.1f, 0.7f, 0.9f, 0.0f}, {2, 2});
  expect_near(L::binary_cross_entropy(p, t, std::nullopt, false, "none"), {0.105360516, 0.356674944, 0.105360516, 0});
  // A probability of exactly 0 for a positive target: the log is clipped at -100.
  expect_near(L::binary_cross_entropy(mx::array({0.0f}), mx::array({1.0f}), std::nullopt, false, "none"), {100});
  EXPECT_INVALID(L::binary_cross_entropy(x, mx::ones({4})), "does not match");
}

TEST(Losses, NllAndRegression) {
  expect_near(L::nll_loss(mlx::nn::log_softmax(logits()), targets()), {0.241311297, 0.109601465});
  expect_near(L::mse_loss(a(), b()), {2.13541667});
  expect_near(L::l1_loss(a(), b(), "sum"), {6.75});
  expect_near(L::smooth_l1_loss(a(), b(), 1.0f, "none"), {0.5, 2.5, 0.125, 1, 0.03125, 0.125});
  expect_near(L::smooth_l1_loss(a(), b(), 2.0f, "none"), {0.25, 2, 0.0625, 0.5625, 0.015625, 0.0625});
  expect_near(L::huber_loss(a(), b(), 0.5f), {0.375, 1.375, 0.125, 0.625, 0.03125, 0.125});
  expect_near(L::log_cosh_loss(a(), b()),
              {0.43378083, 2.3093285, 0.120114507, 0.855440171, 0.0309298036, 0.120114507});
  expect_near(L::gaussian_nll_loss(a(), b(), mx::array({0.5f, 1.0f, 2.0f, 1e-9f, 0.1f, 3.0f}, {2, 3}), false, 1e-6f,
                                   "none"),
              {0.65342641, 4.5, 0.40907359, 1124993.09, -0.838792546, 0.590972811}, 1e-5);
  expect_near(L::gaussian_nll_loss(a(), b(), mx::array({0.5f, 1.0f, 2.0f, 1e-9f, 0.1f, 3.0f}, {2, 3}), true),
              {187500.653}, 1e-5);
  EXPECT_INVALID(L::gaussian_nll_loss(a(), b(), mx::ones({3})), "vars shape (3,)");
}

TEST(Losses, DistancesAndMargins) {
  expect_near(L::kl_div_loss(mlx::nn::log_softmax(a()), mlx::nn::log_softmax(b())), {0.433367058, 0.20792652});
  expect_near(L::cosine_similarity_loss(a(), b()), {0.545920834, 0.702728369});
  mx::array y({1.0f, -1.0f, 1.0f, -1.0f, 1.0f, -1.0f}, {2, 3});
  expect_near(L::hinge_loss(a(), y), {0, 0, 0, 1.5, 1, 0});
  expect_near(L::margin_ranking_loss(a(), b(), y, 0.5f), {0, 0, 0, 0, 0.25, 0});
  mx::array n({1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}, {2, 3});
  expect_near(L::triplet_loss(a(), b(), n), {0.596010861, 1.01964223});
  expect_near(L::triplet_loss(a(), b(), n, -1, 2, 1.0f, 1e-6f, "mean"), {(0.596010861 + 1.01964223) / 2});
  EXPECT_INVALID(L::margin_ranking_loss(a(), b(), mx::ones({3})), "targets shape (3,)");
}
