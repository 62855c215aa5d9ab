// SPDX-License-Identifier: MIT
// vjp / jvp of the scans (cumsum, cumprod with zeros, cummax, cummin, logcumsumexp; every
// axis form, reverse and exclusive) and of sort, partition, topk (transforms/
// rules_scan_sort.hpp) against finite differences (grad_check.hpp); the index outputs
// (argsort, argpartition) have zero derivatives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grad_check.hpp"

namespace mx = mlx::core;
using mlxtest::check_gradients;
using mlxtest::f64;
using mlxtest::spread;
using V = std::vector<mx::array>;

namespace {
mx::array sample(const mx::Shape& shape, int seed, double lo = -1, double hi = 1) {
  return f64(spread(static_cast<size_t>(mx::shape_size(shape)), lo, hi, seed), shape);
}
std::string form(int axis, bool reverse, bool inclusive) {
  return " axis " + std::to_string(axis) + (reverse ? " reverse" : "") + (inclusive ? "" : " exclusive");
}
}  // namespace

TEST(AutodiffScan, EveryScanEveryFormMatchesFiniteDifferences) {
  mx::array x = sample({3, 4}, 41, 0.3, 1.7);
  for (int axis : {0, 1, -1})
    for (bool reverse : {false, true})
      for (bool inclusive : {true, false}) {
        const std::string f = form(axis, reverse, inclusive);
        check_gradients("cumsum" + f, [=](const V& a) { return mx::cumsum(a[0], axis, reverse, inclusive); }, {x});
        check_gradients("cumprod" + f, [=](const V& a) { return mx::cumprod(a[0], axis, reverse, inclusive); }, {x});
        // An exclusive max, min or logaddexp scan starts from -inf / +inf: that element
        // is constant, and finite differences of it are NaN, so it is cut off.
        auto finite = [=](const mx::array& y) {
          if (inclusive) return y;
          const int ax = axis < 0 ? axis + 2 : axis;
          mx::Shape start(2, 0), stop = y.shape();
          (reverse ? stop[ax] : start[ax]) += reverse ? -1 : 1;
          return mx::slice(y, start, stop);
        };
        check_gradients("cummax" + f, [=](const V& a) { return finite(mx::cummax(a[0], axis, reverse, inclusive)); },
                        {x});
        check_gradients("cummin" + f, [=](const V& a) { return finite(mx::cummin(a[0], axis, reverse, inclusive)); },
                        {x});
        check_gradients("logcumsumexp" + f,
                        [=](const V& a) { return finite(mx::logcumsumexp(a[0], axis, reverse, inclusive)); }, {x});
      }
  // Over the flattened array (no axis).
  check_gradients("cumsum flat", [](const V& a) { return mx::cumsum(a[0], true, false); }, {x});
  check_gradients("cumprod flat", [](const V& a) { return mx::cumprod(a[0]); }, {x});
  check_gradients("cummax flat reverse", [](const V& a) { return mx::cummax(a[0], true); }, {x});
  check_gradients("logcumsumexp flat", [](const V& a) { return mx::logcumsumexp(a[0]); }, {x});
}

TEST(AutodiffScan, CumprodThroughZeros) {
  // A row with one zero, a row with two, a row with a zero first: the division form would
  // give inf / NaN; the rule gives the exact polynomial derivative.
  mx::array x = f64({0.5, 1.5, 0.0, 2.0, -1.2, 0.0, 0.7, 0.0, 1.1, 0.0, 0.9, 1.3, 0.8, -0.6, 1.4}, {3, 5});
  for (bool reverse : {false, true})
    for (bool inclusive : {true, false})
      check_gradients("cumprod with zeros" + form(1, reverse, inclusive),
                      [=](const V& a) { return mx::cumprod(a[0], 1, reverse, inclusive); }, {x});
  // Known values: d/dx sum(cumprod([2, 0, 3])) = [1 + 0 + 0, 2 + 6, 0] = [1, 8, 0].
  mx::array v({2.0f, 0.0f, 3.0f});
  auto g = mx::grad([](const mx::array& a) { return mx::sum(mx::cumprod(a, 0)); })(v);
  EXPECT_EQ(mlxtest::to_doubles(g), (std::vector<double>{1, 8, 0}));
}

TEST(AutodiffScan, KnownValuesAndLargeLogcumsumexp) {
  // d/dx sum(cumsum(x)) = [n, n-1, ..., 1]; cummax routes the cotangent to the running max.
  mx::array v({1.0f, 3.0f, 2.0f, 5.0f});
  auto g1 = mx::grad([](const mx::array& a) { return mx::sum(mx::cumsum(a, 0)); })(v);
  EXPECT_EQ(mlxtest::to_doubles(g1), (std::vector<double>{4, 3, 2, 1}));
  auto g2 = mx::grad([](const mx::array& a) { return mx::sum(mx::cummax(a, 0)); })(v);
  EXPECT_EQ(mlxtest::to_doubles(g2), (std::vector<double>{1, 2, 0, 1}));
  // logcumsumexp of large values stays finite (log space): the last element's weights are
  // a softmax, so the gradient of the last output sums to 1.
  mx::array big({800.0f, 801.0f, 799.0f});
  auto g3 = mx::grad([](const mx::array& a) {
    return mx::sum(mx::slice(mx::logcumsumexp(a, 0), {2}, {3}));
  })(big);
  auto d = mlxtest::to_doubles(g3);
  EXPECT_NEAR(d[0] + d[1] + d[2], 1.0, 1e-4);  // float32
  EXPECT_NEAR(d[1], std::exp(1.0) / (1 + std::exp(1.0) + std::exp(-1.0)), 1e-4);
}

TEST(AutodiffSort, SortPartitionTopkMatchFiniteDifferences) {
  mx::array x = sample({3, 5}, 42);
  check_gradients("sort axis 1", [](const V& a) { return mx::sort(a[0], 1); }, {x});
  check_gradients("sort axis 0", [](const V& a) { return mx::sort(a[0], 0); }, {x});
  check_gradients("sort flat", [](const V& a) { return mx::sort(a[0]); }, {x});
  check_gradients("partition kth 2", [](const V& a) { return mx::partition(a[0], 2, 1); }, {x});
  check_gradients("partition flat kth 6", [](const V& a) { return mx::partition(a[0], 6); }, {x});
  check_gradients("topk 2", [](const V& a) { return mx::topk(a[0], 2, 1); }, {x});
  check_gradients("topk all (input order)", [](const V& a) { return mx::topk(a[0], 5, 1); }, {x});
  check_gradients("topk flat 4", [](const V& a) { return mx::topk(a[0], 4); }, {x});
  // A loss through the sorted values: the median-like middle element's gradient is one-hot.
  mx::array v({0.3f, -1.0f, 2.0f});
  auto g = mx::grad([](const mx::array& a) { return mx::sum(mx::slice(mx::sort(a, 0), {1}, {2})); })(v);
  EXPECT_EQ(mlxtest::to_doubles(g), (std::vector<double>{1, 0, 0}));
}

TEST(AutodiffSort, IndexOutputsHaveZeroDerivatives) {
  mx::array x = sample({2, 4}, 43);
  auto f = [](const V& a) {
    mx::array idx = mx::astype(mx::argsort(a[0], 1), mx::float64);
    mx::array p = mx::astype(mx::argpartition(a[0], 1, 1), mx::float64);
    return mx::array(idx * a[0] + p);
  };
  auto [outs, g] = mx::vjp([&](const V& a) { return V{f(a)}; }, {x}, {mx::ones({2, 4}, mx::float64)});
  // Only the product's explicit a[0] contributes: d/dx (idx * x) = idx.
  EXPECT_EQ(mlxtest::to_doubles(g[0]), mlxtest::to_doubles(mx::astype(mx::argsort(x, 1), mx::float64)));
}
