// SPDX-License-Identifier: MIT
// custom_vjp / custom_function: the user's rules replace the function's derivatives; a
// missing rule differentiates the function itself; bad rules give clear errors.
#include <gtest/gtest.h>

#include "../array_values.hpp"
#include "../error_message.hpp"
#include "mlx/transforms/custom.hpp"

namespace mx = mlx::core;
using V = std::vector<mx::array>;

TEST(CustomVjp, TheRuleReplacesTheDerivative) {
  // sin with a deliberately different derivative (10 * cotangent), so the test sees the rule.
  auto f = mx::custom_vjp([](const V& x) { return V{mx::sin(x[0])}; },
                          [](const V&, const V& cots, const V&) { return V{mx::array(cots[0] * 10.0f)}; });
  mx::array x({0.5f, 1.0f});
  auto g = mx::grad([&](const mx::array& a) { return mx::sum(f({a})[0]); })(x);
  EXPECT_EQ(mlxtest::to_doubles(g), (std::vector<double>{10, 10}));
  // The value is the function's.
  EXPECT_NEAR(mlxtest::to_doubles(f({x})[0])[1], std::sin(1.0), 1e-6);
}

TEST(CustomVjp, TheRuleSeesPrimalsAndOutputs) {
  // A numerically stable rule for log(1 + exp(x)): the cotangent times sigmoid(x), from the output.
  auto softplus = mx::custom_vjp(
      [](const V& x) { return V{mx::log1p(mx::exp(x[0]))}; },
      [](const V& p, const V& cots, const V& outs) {
        return V{mx::array(cots[0] * mx::exp(p[0] - outs[0]))};
      });
  mx::array x({-2.0f, 0.0f, 3.0f});
  auto g = mlxtest::to_doubles(mx::grad([&](const mx::array& a) { return mx::sum(softplus({a})[0]); })(x));
  const double xs[] = {-2, 0, 3};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(g[i], 1 / (1 + std::exp(-xs[i])), 1e-6);
}

TEST(CustomFunction, AMissingRuleDifferentiatesTheFunction) {
  // Only a jvp rule: vjp goes through the function's own graph.
  auto f = mx::custom_function([](const V& x) { return V{mx::array(x[0] * x[0])}; }, std::nullopt,
                               [](const V&, const V& t, const std::vector<int>&) {
                                 return V{mx::array(t[0] * 100.0f)};
                               });
  mx::array x({3.0f});
  EXPECT_EQ(mx::grad([&](const mx::array& a) { return mx::sum(f({a})[0]); })(x).item<float>(), 6.0f);
  auto [out, t] = mx::jvp([&](const V& a) { return f(a); }, {x}, {mx::ones({1})});
  EXPECT_EQ(t[0].item<float>(), 100.0f);
  // No rules at all: both modes differentiate the function.
  auto h = mx::custom_function([](const V& x) { return V{mx::array(x[0] * x[0]), mx::exp(x[0])}; });
  auto [o2, t2] = mx::jvp([&](const V& a) { return h(a); }, {x}, {mx::ones({1})});
  EXPECT_EQ(t2[0].item<float>(), 6.0f);
  EXPECT_NEAR(t2[1].item<float>(), std::exp(3.0f), 1e-3);
}

TEST(CustomVjp, BadRules) {
  mx::array x({1.0f});
  auto wrong_count = mx::custom_vjp([](const V& a) { return V{mx::array(a[0] * 2.0f)}; },
                                    [](const V&, const V& c, const V&) { return V{c[0], c[0]}; });
  EXPECT_INVALID(mx::grad([&](const mx::array& a) { return mx::sum(wrong_count({a})[0]); })(x),
                 "[custom_vjp] The vjp function returned 2 cotangents for 1 primals.");
  auto wrong_shape = mx::custom_vjp([](const V& a) { return V{mx::array(a[0] * 2.0f)}; },
                                    [](const V&, const V&, const V&) { return V{mx::ones({3})}; });
  EXPECT_INVALID(mx::grad([&](const mx::array& a) { return mx::sum(wrong_shape({a})[0]); })(x),
                 "[custom_vjp] The cotangent of primal 0 has shape (3,) but the primal has shape (1,).");
}
