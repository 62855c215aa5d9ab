// SPDX-License-Identifier: MIT
// vjp / jvp / grad / value_and_grad on arrays: every elementwise functor (from the
// registry), the reductions, shape ops, indexing, matmul and softmax against finite
// differences (grad_check.hpp); higher order; fusion of the backward pass; bad input.
#include <gtest/gtest.h>

#include <tuple>

#include "../error_message.hpp"
#include "grad_check.hpp"
#include "mlx/expr/functors/registry.hpp"

namespace mx = mlx::core;
using mlxtest::check_gradients;
using mlxtest::f64;
using mlxtest::spread;
using V = std::vector<mx::array>;

namespace {

// Inputs where every functor is smooth: (0.2, 0.8), or (1.2, 1.8) for arccosh.
double domain_shift(std::string_view name) { return name == "arccosh" ? 1.0 : 0.0; }

template <class F>
void check_unary_functor() {
  // stop_gradient's derivative is zero by definition (tested in StopGradient below).
  if constexpr (F::template supports<double> && !std::is_same_v<F, mx::functors::StopGradient>) {
    const double lo = 0.2 + domain_shift(F::name);
    mx::array x = f64(spread(6, lo, lo + 0.6, 1), {2, 3});
    mx::array probe = mx::detail::make_expr<F>({}, x);
    if (!mx::issubdtype(probe.dtype(), mx::floating)) return;  // predicates: bool output
    check_gradients(std::string(F::name),
                    [](const V& a) { return mx::array(mx::detail::make_expr<F>({}, a[0])); }, {x});
  }
}

template <class F>
void check_binary_functor() {
  if constexpr (F::template supports<double>) {
    // a/b stays in (0.25, 0.82): floor_divide and remainder keep away from their jumps.
    mx::array a = f64(spread(6, 0.2, 0.45, 2), {2, 3});
    mx::array b = f64(spread(3, 0.55, 0.8, 3), {3});  // broadcast along the rows
    mx::array probe = mx::detail::make_expr<F>({}, a, b);
    if (!mx::issubdtype(probe.dtype(), mx::floating)) return;  // comparisons
    check_gradients(std::string(F::name),
                    [](const V& x) { return mx::array(mx::detail::make_expr<F>({}, x[0], x[1])); },
                    {a, b});
  }
}

mx::array sample(const mx::Shape& shape, int seed, double lo = -1, double hi = 1) {
  return f64(spread(static_cast<size_t>(mx::shape_size(shape)), lo, hi, seed), shape);
}

}  // namespace

TEST(Autodiff, EveryUnaryFunctorMatchesFiniteDifferences) {
  []<class... Fs>(std::tuple<Fs...>*) {
    (check_unary_functor<Fs>(), ...);
  }(static_cast<mx::functors::unary_functors*>(nullptr));
}

TEST(Autodiff, EveryBinaryFunctorMatchesFiniteDifferencesWithBroadcasting) {
  []<class... Fs>(std::tuple<Fs...>*) {
    (check_binary_functor<Fs>(), ...);
  }(static_cast<mx::functors::binary_functors*>(nullptr));
}

TEST(Autodiff, FusedExpressionsAndScalars) {
  mx::array a = sample({3, 2}, 1), b = sample({2}, 2), c = sample({3, 1}, 3);
  check_gradients("a*b+c", [](const V& x) { return mx::array(x[0] * x[1] + x[2]); }, {a, b, c});
  check_gradients("sin(a)*exp(b)/(2+a*a)",
                  [](const V& x) { return mx::array(mx::sin(x[0]) * mx::exp(x[1]) / (2.0 + x[0] * x[0])); },
                  {a, b});
  check_gradients("where", [](const V& x) { return mx::array(mx::where(x[0] > x[1], x[0] * x[0], x[1] * 3.0)); },
                  {a, b});
  check_gradients("relu", [](const V& x) { return mx::array(mx::maximum(x[0], 0.0)); }, {a});
  check_gradients("x*x (one input twice)", [](const V& x) { return mx::array(x[0] * x[0]); }, {a});
}

TEST(Autodiff, Reductions) {
  mx::array a = sample({3, 4}, 4, 0.3, 1.2);
  for (int keep = 0; keep < 2; ++keep) {
    check_gradients("sum", [&](const V& x) { return mx::sum(x[0], {1}, keep != 0); }, {a});
    check_gradients("sum all", [&](const V& x) { return mx::sum(mx::array(x[0] * x[0]), keep != 0); }, {a});
    check_gradients("mean", [&](const V& x) { return mx::mean(x[0], {0}, keep != 0); }, {a});
    check_gradients("prod", [&](const V& x) { return mx::prod(x[0], {1}, keep != 0); }, {a});
    check_gradients("max", [&](const V& x) { return mx::max(mx::sin(x[0]), {1}, keep != 0); }, {a});
    check_gradients("min", [&](const V& x) { return mx::min(x[0], {0}, keep != 0); }, {a});
    check_gradients("logsumexp", [&](const V& x) { return mx::logsumexp(x[0], {1}, keep != 0); }, {a});
    check_gradients("var", [&](const V& x) { return mx::var(x[0], std::vector<int>{1}, keep != 0); }, {a});
  }
}

TEST(Autodiff, ShapeOps) {
  mx::array a = sample({2, 3, 4}, 5);
  check_gradients("reshape", [](const V& x) { return mx::reshape(x[0] * x[0], {4, 6}); }, {a});
  check_gradients("transpose", [](const V& x) { return mx::array(mx::transpose(x[0], {2, 0, 1}) * 2.0); }, {a});
  check_gradients("broadcast_to", [](const V& x) { return mx::broadcast_to(x[0], {5, 2, 3, 4}); }, {a});
  check_gradients("expand/squeeze",
                  [](const V& x) { return mx::squeeze(mx::expand_dims(x[0], 1), 1); }, {a});
  check_gradients("slice with steps",
                  [](const V& x) { return mx::slice(x[0], {0, 2, 3}, {2, -4, 0}, {1, -1, -2}); }, {a});
  check_gradients("concatenate",
                  [](const V& x) { return mx::concatenate({x[0], mx::array(x[0] * 3.0)}, 1); }, {a});
  check_gradients("swapaxes contiguous",
                  [](const V& x) { return mx::contiguous(mx::swapaxes(x[0], 0, 2)); }, {a});
  mx::array u = sample({2, 2, 2}, 6);
  check_gradients("slice_update",
                  [](const V& x) { return mx::slice_update(x[0], x[1], {0, 1, 0}, {2, 3, 4}, {1, 1, 2}); },
                  {a, u});
}

TEST(Autodiff, Indexing) {
  mx::array a = sample({4, 3}, 7);
  mx::array idx({2, 0, 2, 3}, mx::int32);
  check_gradients("take axis 0", [&](const V& x) { return mx::take(x[0], idx, 0); }, {a});
  check_gradients("take flat", [&](const V& x) { return mx::take(x[0], idx); }, {a});
  mx::array along({0, 2, 1, 1}, {4, 1}, mx::int32);
  check_gradients("take_along_axis", [&](const V& x) { return mx::take_along_axis(x[0], along, 1); }, {a});
}

TEST(Autodiff, MatmulAndSoftmax) {
  mx::array a = sample({3, 4}, 8), b = sample({4, 2}, 9), c = sample({2}, 10);
  check_gradients("matmul", [](const V& x) { return mx::matmul(x[0], x[1]); }, {a, b});
  check_gradients("matmul transposed views",
                  [](const V& x) { return mx::matmul(mx::transpose(x[1]), mx::transpose(x[0])); }, {a, b});
  mx::array bb = sample({2, 1, 4, 2}, 11);
  check_gradients("batched broadcast matmul", [](const V& x) { return mx::matmul(x[0], x[1]); }, {a, bb});
  mx::array v = sample({4}, 12);
  check_gradients("vector @ matrix", [](const V& x) { return mx::matmul(x[0], x[1]); }, {v, b});
  check_gradients("matrix @ vector", [](const V& x) { return mx::matmul(x[0], x[1]); }, {a, v});
  check_gradients("addmm", [](const V& x) { return mx::addmm(x[2], x[0], x[1], 0.5f, 2.0f); }, {a, b, c});
  check_gradients("softmax", [](const V& x) { return mx::softmax(x[0], -1); }, {a});
  check_gradients("softmax axis 0", [](const V& x) { return mx::softmax(x[0], 0); }, {a});
}

TEST(Autodiff, ConvolutionAndAsStrided) {
  mx::array x = sample({2, 5, 6, 3}, 22), w = sample({4, 3, 2, 3}, 23);
  check_gradients("conv2d", [](const V& a) { return mx::conv2d(a[0], a[1]); }, {x, w});
  check_gradients("conv2d stride 2 padding 1",
                  [](const V& a) { return mx::conv2d(a[0], a[1], {2, 2}, {1, 1}); }, {x, w});
  check_gradients("conv2d dilation 2",
                  [](const V& a) { return mx::conv2d(a[0], a[1], {1, 1}, {0, 1}, {2, 1}); }, {x, w});
  check_gradients("conv_general flip, asymmetric padding",
                  [](const V& a) {
                    return mx::conv_general(a[0], a[1], {1, 2}, {1, 0}, {0, 1}, {1, 1}, {1, 1}, 1, true);
                  },
                  {x, w});
  mx::array x1 = sample({2, 7, 2}, 24), w1 = sample({3, 3, 2}, 25);
  check_gradients("conv1d stride 3 (trailing input unused)",
                  [](const V& a) { return mx::conv1d(a[0], a[1], 3); }, {x1, w1});
  // Groups, input dilation (transposed convolutions) and padding past the kernel's reach.
  mx::array xg = sample({2, 5, 4, 4}, 28), wg = sample({6, 2, 3, 2}, 29);
  check_gradients("conv2d groups 2, stride 2",
                  [](const V& a) { return mx::conv2d(a[0], a[1], {2, 1}, {1, 0}, {1, 1}, 2); }, {xg, wg});
  mx::array xd = sample({2, 6, 3}, 30), wd = sample({3, 3, 1}, 31);
  check_gradients("depthwise conv1d, dilation 2",
                  [](const V& a) { return mx::conv1d(a[0], a[1], 1, 2, 2, 3); }, {xd, wd});
  check_gradients("conv1d padding 4 past a kernel of 3",
                  [](const V& a) { return mx::conv1d(a[0], a[1], 2, 4); }, {x1, w1});
  check_gradients("conv_general input dilation 2, flip, groups 2",
                  [](const V& a) {
                    return mx::conv_general(a[0], a[1], {1, 2}, {2, 1}, {1, 0}, {1, 1}, {2, 3}, 2, true);
                  },
                  {xg, wg});
  mx::array wt = sample({3, 3, 2}, 32);
  check_gradients("conv_transpose1d stride 2, padding 1, output padding 1",
                  [](const V& a) { return mx::conv_transpose1d(a[0], a[1], 2, 1, 1, 1); }, {x1, wt});
  mx::array wt2 = sample({4, 2, 3, 2}, 33);
  check_gradients("conv_transpose2d stride 2, groups 2",
                  [](const V& a) { return mx::conv_transpose2d(a[0], a[1], {2, 2}, {0, 1}, {1, 1}, {1, 0}, 2); },
                  {xg, wt2});
  mx::array x3 = sample({1, 3, 4, 3, 2}, 34), w3 = sample({2, 2, 2, 2, 2}, 35);
  check_gradients("conv3d stride 2, padding 1",
                  [](const V& a) { return mx::conv3d(a[0], a[1], {2, 1, 2}, {1, 0, 1}); }, {x3, w3});
  // Second order through the kernel gradient (ConvWeightGrad's own rules): the derivative of
  // d/dw sum(conv(x, w)^3) with respect to x and w.
  check_gradients("grad of the conv2d kernel gradient, stride 2, groups 2",
                  [](const V& a) {
                    auto dw = mx::grad(
                        [&](const mx::array& w) { return mx::sum(mx::power(mx::conv2d(a[0], w, {2, 1}, {1, 0}, {1, 1}, 2), 3.0)); });
                    return dw(a[1]);
                  },
                  {xg, wg});
  check_gradients("grad of the conv_general kernel gradient, flip and input dilation",
                  [](const V& a) {
                    auto dw = mx::grad([&](const mx::array& w) {
                      return mx::sum(mx::square(mx::conv_general(a[0], w, {1, 2}, {2, 1}, {1, 0}, {1, 1}, {2, 1}, 1, true)));
                    });
                    return dw(a[1]);
                  },
                  {x, w});
  mx::array y = sample({3, 4}, 26);
  check_gradients("as_strided overlapping windows",
                  [](const V& a) { return mx::as_strided(a[0], {2, 2, 2}, {4, 1, 4}, 1); }, {y});
  mx::array img = sample({1, 4, 4, 2}, 27);
  check_gradients("max pool 2x2", [](const V& a) { return (*std::make_shared<mlx::nn::MaxPool2d>(2))(a[0]); },
                  {img});
  check_gradients("avg pool 2x2 stride 1",
                  [](const V& a) { return (*std::make_shared<mlx::nn::AvgPool2d>(2, 1))(a[0]); }, {img});
}

TEST(Autodiff, MlpCrossEntropyMatchesFiniteDifferences) {
  mx::array X = sample({5, 4}, 13), W1 = sample({4, 6}, 14), b1 = sample({6}, 15);
  mx::array W2 = sample({6, 3}, 16);
  mx::array labels({0, 2, 1, 1, 0}, mx::int32);
  auto loss = [&](const V& p) {
    mx::array h = mx::maximum(mx::addmm(p[1], X, p[0]), 0.0);
    mx::array logits = mx::matmul(h, p[2]);
    mx::array picked = mx::squeeze(mx::take_along_axis(logits, mx::expand_dims(labels, 1), 1), 1);
    return mx::mean(mx::array(mx::logsumexp(logits, {1}) - picked));
  };
  check_gradients("mlp", loss, {W1, b1, W2});
}

TEST(Autodiff, GradOfGradAndJvpOfVjp) {
  mx::array x = sample({5}, 17);
  auto d1 = mx::grad([](const mx::array& a) { return mx::sum(mx::sin(a) * a); });
  auto d2 = mx::grad([&](const mx::array& a) { return mx::sum(d1(a)); });
  // d/dx (cos x * x + sin x) = -sin x * x + 2 cos x
  auto got = mlxtest::to_doubles(d2(x));
  auto xs = mlxtest::to_doubles(x);
  for (size_t i = 0; i < xs.size(); ++i)
    EXPECT_NEAR(got[i], -std::sin(xs[i]) * xs[i] + 2 * std::cos(xs[i]), 1e-12);
  // Third derivative of exp is exp.
  auto e1 = mx::grad([](const mx::array& a) { return mx::sum(mx::exp(a)); });
  auto e2 = mx::grad([&](const mx::array& a) { return mx::sum(e1(a)); });
  auto e3 = mx::grad([&](const mx::array& a) { return mx::sum(e2(a)); });
  EXPECT_EQ(mlxtest::to_doubles(e3(x)), mlxtest::to_doubles(mx::exp(x)));
  // jvp of a vjp: the Hessian-vector product of sum(x^3) is 6 x v.
  mx::array v = sample({5}, 18);
  auto g = [](const mx::array& a) {
    return mx::vjp([](const mx::array& y) { return mx::sum(y * y * y); }, a, mx::array(1.0)).second;
  };
  auto hv = mlxtest::to_doubles(mx::jvp(g, x, v).second);
  auto vs = mlxtest::to_doubles(v);
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_NEAR(hv[i], 6 * xs[i] * vs[i], 1e-12);
}

TEST(Autodiff, ValueAndGradForms) {
  mx::array x({1.0f, 2.0f}), y({3.0f, -1.0f});
  auto f = [](const V& a) { return mx::sum(mx::array(a[0] * a[1])); };
  auto [v, g] = mx::value_and_grad(f, std::vector<int>{0, 1})({x, y});
  EXPECT_FLOAT_EQ(v.item<float>(), 1.0f);
  EXPECT_EQ(mlxtest::to_doubles(g[0]), (std::vector<double>{3, -1}));
  EXPECT_EQ(mlxtest::to_doubles(g[1]), (std::vector<double>{1, 2}));
  auto g1 = mx::grad(f, 1)({x, y});
  ASSERT_EQ(g1.size(), 1u);
  EXPECT_EQ(mlxtest::to_doubles(g1[0]), (std::vector<double>{1, 2}));
  // Extra outputs are returned and do not contribute.
  auto vf = [](const V& a) { return V{mx::sum(a[0]), mx::array(a[0] * 10.0f)}; };
  auto [vals, gs] = mx::value_and_grad(vf)({x});
  ASSERT_EQ(vals.size(), 2u);
  EXPECT_EQ(mlxtest::to_doubles(gs[0]), (std::vector<double>{1, 1}));
  // An input the function ignores gets zeros of its shape and dtype.
  auto gz = mx::grad([](const V& a) { return mx::sum(a[0]); }, 1)({x, y});
  EXPECT_EQ(mlxtest::to_doubles(gz[0]), (std::vector<double>{0, 0}));
  EXPECT_EQ(gz[0].dtype(), mx::float32);
  // float16 inputs get float16 gradients.
  mx::array h = mx::astype(x, mx::float16);
  auto gh = mx::grad([](const mx::array& a) { return mx::sum(mx::array(a * a)); })(h);
  EXPECT_EQ(gh.dtype(), mx::float16);
  EXPECT_EQ(mlxtest::to_doubles(gh), (std::vector<double>{2, 4}));
}

TEST(Autodiff, EvalInsideTheFunctionKeepsTheGraph) {
  mx::array x({0.5f, 1.5f});
  auto g = mx::grad([](const mx::array& a) {
    mx::array y = mx::exp(a);
    y.eval();
    (void)mx::sum(y).item<float>();
    return mx::sum(mx::array(y * a));
  })(x);
  auto got = mlxtest::to_doubles(g);
  EXPECT_NEAR(got[0], std::exp(0.5) * 1.5, 1e-5);
  EXPECT_NEAR(got[1], std::exp(1.5) * 2.5, 1e-5);
}

TEST(Autodiff, StopGradient) {
  mx::array x({2.0f, 3.0f});
  auto g = mx::grad([](const mx::array& a) { return mx::sum(mx::array(a * mx::stop_gradient(a))); })(x);
  EXPECT_EQ(mlxtest::to_doubles(g), (std::vector<double>{2, 3}));
}

TEST(Autodiff, BackwardOfAFusedExpressionIsOneKernelPerGradient) {
  mx::array a = sample({64}, 19), b = sample({64}, 20), c = sample({64}, 21);
  mx::array u = mx::ones({64}, mx::float64);
  u.eval();
  auto [outs, g] = mx::vjp([](const V& x) { return V{mx::array(mx::sin(x[0]) * x[1] + mx::exp(x[2]))}; },
                           {a, b, c}, {u});
  mx::eval(outs);
  for (auto& gi : g) {
    // The gradient is one runtime-fused node over leaves (no chain of separate kernels).
    ASSERT_TRUE(gi.has_primitive());
    EXPECT_STREQ(gi.primitive().name(), "FusedProgram");
    for (auto& in : gi.inputs()) EXPECT_FALSE(in.has_primitive() && !in.is_available() &&
                                              std::string(in.primitive().name()) == "FusedProgram");
  }
  const uint64_t before = mx::detail::eval_counters().nodes_evaluated.load();
  mx::eval(g);
  EXPECT_EQ(mx::detail::eval_counters().nodes_evaluated.load() - before, 3u);
}

TEST(Autodiff, LongChainsDoNotRecurse) {
  mx::array x({1.0f});
  auto g = mx::grad([](const mx::array& a) {
    mx::array y = a;
    for (int i = 0; i < 20000; ++i) y = mx::reshape(y, {1});  // 20000 separate nodes
    return mx::sum(y);
  })(x);
  EXPECT_EQ(g.item<float>(), 1.0f);
}

TEST(Autodiff, BadInput) {
  mx::array x({1.0f, 2.0f});
  EXPECT_INVALID(mx::grad([](const mx::array& a) { return mx::array(a * 2.0f); })(x),
                 "[grad] The function must return a scalar");
  EXPECT_INVALID(mx::grad([](const V& a) { return mx::sum(a[0]); }, 3)({x}),
                 "[grad] Invalid argument number 3 for a function of 1 inputs.");
  EXPECT_INVALID(mx::grad([](const V& a) { return mx::sum(a[0]); }, std::vector<int>{})({x}),
                 "[grad] Must specify at least one argument.");
  EXPECT_INVALID(mx::vjp([](const mx::array& a) { return a; }, x, mx::ones({3})),
                 "[vjp] The cotangent at position 0 has shape (3,) but the output has shape (2,).");
  EXPECT_INVALID(mx::jvp([](const mx::array& a) { return a; }, x, mx::ones({3})),
                 "[jvp] The tangent at position 0 has shape (3,) but the primal has shape (2,).");
  EXPECT_INVALID(mx::vjp([](const V& a) { return a; }, {x}, {}), "[vjp] The function has 1 outputs but 0");
}
