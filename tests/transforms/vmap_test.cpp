// SPDX-License-Identifier: MIT
// vmap equals a loop of the function over the mapped axis: elementwise with broadcasting,
// reductions, shape ops, matmul and softmax (batched rules), sort and take (per example);
// in_axes / out_axes; nested vmap; vmap of grad; errors.
#include <gtest/gtest.h>

#include "../array_values.hpp"
#include "../error_message.hpp"
#include "mlx/transforms/vmap.hpp"

namespace mx = mlx::core;
using V = std::vector<mx::array>;

namespace {
using Fn = std::function<V(const V&)>;

/// vmap(f, in_axes)(xs) against stacking f on each slice, for every output.
void expect_vmap_is_loop(const std::string& name, const Fn& f, const V& xs, const std::vector<int>& in_axes,
                         int out_axis = 0) {
  SCOPED_TRACE(name);
  int b = -1;
  for (size_t i = 0; i < xs.size(); ++i)
    if (in_axes[i] >= 0) b = xs[i].shape()[in_axes[i]];
  std::vector<V> per_example;
  for (int k = 0; k < b; ++k) {
    V args;
    for (size_t i = 0; i < xs.size(); ++i)
      args.push_back(in_axes[i] < 0 ? xs[i] : mx::array(mx::take(xs[i], mx::array(k), in_axes[i])));
    per_example.push_back(f(args));
  }
  auto got = mx::vmap(f, in_axes, std::vector<int>(per_example[0].size(), out_axis))(xs);
  ASSERT_EQ(got.size(), per_example[0].size());
  for (size_t j = 0; j < got.size(); ++j) {
    V col;
    for (auto& r : per_example) col.push_back(r[j]);
    mx::array want = mx::stack(col, out_axis);
    ASSERT_EQ(got[j].shape(), want.shape()) << "output " << j;
    EXPECT_EQ(got[j].dtype(), want.dtype());
    auto x = mlxtest::to_doubles(got[j]), y = mlxtest::to_doubles(want);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-5 * (1 + std::abs(y[i]))) << i;
  }
}
}  // namespace

TEST(Vmap, ElementwiseWithBroadcasting) {
  mx::array a = mx::random::normal({4, 3, 5}), c = mx::random::normal({5});
  mx::array d = mx::random::normal({5, 4});
  expect_vmap_is_loop("a*c + sin(a)", [](const V& x) { return V{mx::array(x[0] * x[1] + mx::sin(x[0]))}; },
                      {a, c}, {0, -1});
  expect_vmap_is_loop("mapped on the last axis", [](const V& x) { return V{mx::array(mx::exp(x[0]) * x[1])}; },
                      {a, d}, {0, 1});
  expect_vmap_is_loop("comparison to bool", [](const V& x) { return V{mx::array(x[0] > 0.0f)}; }, {a}, {1});
  expect_vmap_is_loop("out_axes 2", [](const V& x) { return V{mx::array(x[0] * 2.0f)}; }, {a}, {0}, 2);
}

TEST(Vmap, ReductionsAndShapeOps) {
  mx::array a = mx::random::normal({4, 3, 5});
  mx::array i = mx::astype(mx::random::randint(0, 9, {4, 3}), mx::int32);
  expect_vmap_is_loop("sum axis 1", [](const V& x) { return V{mx::sum(x[0], {1})}; }, {a}, {0});
  expect_vmap_is_loop("max of an expression", [](const V& x) { return V{mx::max(mx::array(x[0] * x[0]), {0}, true)}; },
                      {a}, {2});
  expect_vmap_is_loop("mean all", [](const V& x) { return V{mx::mean(x[0])}; }, {a}, {0});
  expect_vmap_is_loop("int sum", [](const V& x) { return V{mx::sum(x[0])}; }, {i}, {0});
  expect_vmap_is_loop("reshape/transpose", [](const V& x) { return V{mx::transpose(mx::reshape(x[0], {5, 3}))}; },
                      {a}, {0});
  expect_vmap_is_loop("broadcast_to", [](const V& x) { return V{mx::broadcast_to(x[0], {2, 3, 5})}; }, {a}, {0});
}

TEST(Vmap, MatmulSoftmaxAndPerExamplePrimitives) {
  mx::array a = mx::random::normal({3, 4, 5}), w = mx::random::normal({5, 2});
  expect_vmap_is_loop("matmul (batched rule)", [](const V& x) { return V{mx::matmul(x[0], x[1])}; }, {a, w},
                      {0, -1});
  mx::array m = mx::random::normal({4, 5, 4, 2});  // examples (4, 4, 2) against a's (3, 4)
  expect_vmap_is_loop("matmul both mapped, different ranks",
                      [](const V& x) { return V{mx::matmul(x[0], x[1])}; }, {a, m}, {2, 1});
  mx::array v = mx::random::normal({3, 5});
  expect_vmap_is_loop("matrix @ vector (per example)", [](const V& x) { return V{mx::matmul(x[0], x[1])}; },
                      {a, v}, {0, 0});
  expect_vmap_is_loop("softmax (batched rule) + sort (per example)",
                      [](const V& x) { return V{mx::softmax(x[0], -1), mx::sort(x[0], 0)}; },
                      {a}, {1});
  mx::array idx({2, 0}, mx::int32);
  expect_vmap_is_loop("take", [&](const V& x) { return V{mx::take(x[0], idx, 1)}; }, {a}, {0});
}

TEST(Vmap, ScansSortFamilyAndConvolutionBatchedRules) {
  mx::array a = mx::random::normal({3, 4, 5});
  expect_vmap_is_loop("cumsum, cumprod reverse, cummax reverse, cumsum exclusive, logcumsumexp",
                      [](const V& x) {
                        return V{mx::cumsum(x[0], 1), mx::cumprod(x[0], 0, true), mx::cummax(x[0], -1, true), mx::cumsum(x[0], 0, false, false),
                                 mx::logcumsumexp(x[0], 0)};
                      },
                      {a}, {1});
  expect_vmap_is_loop("cumsum over the flattened example (per example)",
                      [](const V& x) { return V{mx::cumsum(x[0])}; }, {a}, {0});
  expect_vmap_is_loop("sort, argsort, partition, argpartition, topk",
                      [](const V& x) {
                        return V{mx::sort(x[0], 1), mx::argsort(x[0], 0), mx::partition(x[0], 2, 1),
                                 mx::argpartition(x[0], 1, 0), mx::topk(x[0], 2, -1)};
                      },
                      {a}, {2});
  // The batched rules build one node, not one per example and a stack.
  auto sorted = mx::vmap([](const V& x) { return V{mx::sort(x[0], 1), mx::cumsum(x[0], 0)}; }, {1})({a});
  EXPECT_STREQ(sorted[0].primitive().name(), "Sort");
  EXPECT_STREQ(sorted[1].primitive().name(), "Scan");
  mx::array imgs = mx::random::normal({3, 2, 6, 6, 2}), w = mx::random::normal({4, 3, 3, 2});
  expect_vmap_is_loop("conv2d with a shared kernel",
                      [](const V& x) { return V{mx::conv2d(x[0], x[1], {2, 1}, {1, 1})}; }, {imgs, w}, {0, -1});
  auto conv = mx::vmap([](const V& x) { return V{mx::conv2d(x[0], x[1])}; }, {0, -1})({imgs, w});
  ASSERT_EQ(conv[0].inputs().size(), 1u);  // the reshape of one convolution
  EXPECT_STREQ(conv[0].inputs()[0].primitive().name(), "Convolution");
  // Gathers: shared indices, per-example indices, per-example indices into a shared source.
  mx::array idx = mx::array({3, 0, 4, 4, 1, 2}, {3, 2}, mx::int32);  // one row per example
  expect_vmap_is_loop("take, shared indices", [&](const V& x) { return V{mx::take(x[0], idx, 1)}; }, {a}, {0});
  expect_vmap_is_loop("take, per-example indices",
                      [](const V& x) { return V{mx::take(x[0], x[1], 1), mx::take(x[0], x[1])}; }, {a, idx}, {0, 0});
  mx::array src = mx::random::normal({4, 5});
  expect_vmap_is_loop("take from a shared source, per-example indices",
                      [](const V& x) { return V{mx::take(x[0], x[1], 1)}; }, {src, idx}, {-1, 0});
  mx::array along = mx::array({0, 3, 1, 2, 4, 4, 0, 1, 2, 3, 1, 0}, {3, 4, 1}, mx::int32);
  expect_vmap_is_loop("take_along_axis, both mapped",
                      [](const V& x) { return V{mx::take_along_axis(x[0], x[1], 1)}; }, {a, along}, {0, 0});
  auto taken = mx::vmap([&](const V& x) { return V{mx::take(x[0], x[1], 1)}; }, {0, 0})({a, idx});
  EXPECT_EQ(taken[0].shape(), (mx::Shape{3, 4, 2}));
  mx::array ws = mx::random::normal({3, 4, 3, 3, 2});
  expect_vmap_is_loop("conv2d with per-example kernels (per example)",
                      [](const V& x) { return V{mx::conv2d(x[0], x[1])}; }, {imgs, ws}, {0, 0});
}

TEST(Vmap, NestedAndWithGrad) {
  mx::array a = mx::random::normal({2, 3, 4}), b = mx::random::normal({4});
  auto inner = mx::vmap([](const V& x) { return V{mx::sum(mx::array(x[0] * x[1]))}; }, {0, -1});
  auto outer = mx::vmap([&](const V& x) { return inner(x); }, {0, -1});
  auto got = outer({a, b})[0];
  auto want = mx::sum(mx::array(a * b), {2});
  EXPECT_EQ(got.shape(), want.shape());
  auto x = mlxtest::to_doubles(got), y = mlxtest::to_doubles(want);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-5);
  // Per-example gradients: vmap of grad.
  auto g = mx::grad([](const mx::array& v) { return mx::sum(mx::array(mx::sin(v) * v)); });
  auto per = mx::vmap(g)(mx::reshape(a, {6, 4}));
  auto pv = mlxtest::to_doubles(per), av = mlxtest::to_doubles(a);
  for (size_t i = 0; i < pv.size(); ++i) EXPECT_NEAR(pv[i], std::cos(av[i]) * av[i] + std::sin(av[i]), 1e-5);
  // The two-argument form.
  auto f2 = mx::vmap([](const mx::array& p, const mx::array& q) { return mx::array(p - q); }, 0, -1, 0);
  EXPECT_EQ(f2(mx::ones({3, 2}), mx::ones({2})).shape(), (mx::Shape{3, 2}));
}

TEST(Vmap, BadInput) {
  mx::array a = mx::ones({3, 4}), b = mx::ones({5, 4});
  auto f = [](const V& x) { return V{mx::array(x[0] + x[1])}; };
  EXPECT_INVALID(mx::vmap(f)({a, b}), "[vmap] Inputs have different sizes on their mapped axes: 3 and 5.");
  EXPECT_INVALID(mx::vmap(f, {0, 2})({a, a}), "[vmap] in_axes[1] = 2 is out of range for an input of shape (3,4).");
  EXPECT_INVALID(mx::vmap(f, {-1, -1})({a, a}), "[vmap] At least one input must be mapped");
  EXPECT_INVALID(mx::vmap(f, {0})({a, a}), "[vmap] Got 1 in_axes for 2 inputs.");
}
