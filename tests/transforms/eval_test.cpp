// SPDX-License-Identifier: MIT
// Tests for transforms/eval.hpp: evaluating several arrays, laziness, very long chains
// (evaluation and destruction without recursion), shared nodes evaluated once, async_eval,
// and expressions returned from functions (STYLE rule 11).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

uint64_t nodes_evaluated() {
  return mx::detail::eval_counters().nodes_evaluated.load();
}

template <class T>
std::vector<T> values(mx::array a) {
  a.eval();
  const T* p = a.data<T>();
  return std::vector<T>(p, p + a.size());
}

mx::array evaluated(std::vector<float> v) {
  return mx::array(v.begin(), {static_cast<int>(v.size())});
}

TEST(Eval, SeveralArraysAtOnce) {
  mx::array x = evaluated({1, 2, 3});
  mx::array a = x + 1.0f;
  mx::array b = x * 2.0f;
  mx::array c = mx::exp(x);
  EXPECT_FALSE(a.is_available());
  EXPECT_FALSE(b.is_available());
  EXPECT_FALSE(c.is_available());
  const auto n0 = nodes_evaluated();
  mx::eval(a, b, c);
  EXPECT_EQ(nodes_evaluated() - n0, 3u);
  EXPECT_TRUE(a.is_available());
  EXPECT_TRUE(b.is_available());
  EXPECT_TRUE(c.is_available());
  EXPECT_EQ(values<float>(a), (std::vector<float>{2, 3, 4}));
  EXPECT_EQ(values<float>(b), (std::vector<float>{2, 4, 6}));
  EXPECT_FLOAT_EQ(values<float>(c)[2], std::exp(3.0f));

  mx::array d = x - 1.0f;
  mx::array e = x / 2.0f;
  mx::eval(std::vector<mx::array>{d, e});
  EXPECT_TRUE(d.is_available());
  EXPECT_TRUE(e.is_available());
  EXPECT_EQ(values<float>(e), (std::vector<float>{0.5f, 1.0f, 1.5f}));

  // Evaluating what is already evaluated does nothing.
  const auto n1 = nodes_evaluated();
  mx::eval(a, b, c, d, e, x);
  mx::eval(std::vector<mx::array>{});
  EXPECT_EQ(nodes_evaluated(), n1);
}

TEST(Eval, ArrayEvalMember) {
  mx::array x = evaluated({4, 9});
  mx::array y = mx::sqrt(x);
  y.eval();
  EXPECT_TRUE(y.is_available());
  EXPECT_EQ(values<float>(y), (std::vector<float>{2, 3}));
}

TEST(Eval, BuildingTheGraphAllocatesNothing) {
  const int n = 1 << 16;
  std::vector<float> v(n, 2.0f);
  mx::array x(v.begin(), {n});
  const size_t before = mx::get_active_memory();
  const auto n0 = nodes_evaluated();
  mx::array a = mx::exp(x) * 2.0f + 1.0f;
  mx::array b = mx::array(a - x) * a;
  mx::array c = mx::sum(b * 3.0f, 0);
  EXPECT_EQ(mx::get_active_memory(), before) << "graph construction allocated a buffer";
  EXPECT_EQ(nodes_evaluated(), n0) << "graph construction evaluated something";
  EXPECT_FALSE(a.is_available());
  EXPECT_FALSE(b.is_available());
  EXPECT_FALSE(c.is_available());
  c.eval();
  EXPECT_GT(mx::get_active_memory(), before);
  EXPECT_TRUE(c.is_available());
  const double av = std::exp(2.0) * 2 + 1;
  EXPECT_NEAR(c.item<double>(), 3.0 * n * (av - 2) * av, 1e-4 * 3.0 * n * (av - 2) * av);
}

TEST(Eval, LongChainEvaluatesWithoutStackOverflow) {
  constexpr int kSteps = 100000;
  mx::array x = mx::array(0.0f);
  for (int i = 0; i < kSteps; ++i) x = mx::array(x + 1.0f);
  EXPECT_FALSE(x.is_available());
  const auto n0 = nodes_evaluated();
  x.eval();
  EXPECT_EQ(nodes_evaluated() - n0, static_cast<uint64_t>(kSteps));
  EXPECT_EQ(x.item<float>(), static_cast<float>(kSteps));
}

TEST(Eval, LongUnevaluatedChainIsDestroyedWithoutStackOverflow) {
  constexpr int kSteps = 100000;
  mx::array x0({1.0f, 2.0f});
  const size_t before = mx::get_active_memory();
  {
    mx::array x = x0;
    for (int i = 0; i < kSteps; ++i) x = mx::array(x + 1.0f);
    EXPECT_FALSE(x.is_available());
  }  // the whole chain dies here, unevaluated
  EXPECT_EQ(mx::get_active_memory(), before);
  EXPECT_EQ(x0.use_count(), 1);
}

// Regression (fixed): a node that reads the same input twice (x * x, x + x) holds two handles to it, so
// detail::release_inputs (core/array.hpp) skips it (use_count != 1) and the input then dies
// inside the destructor: destruction recurses once per node and overflows the stack.
// Disabled because it crashes the whole test binary (SIGSEGV).
TEST(Eval, LongUnevaluatedChainWithRepeatedInputsIsDestroyed) {
  constexpr int kSteps = 100000;
  {
    mx::array x({1.0f, 2.0f});
    for (int i = 0; i < kSteps; ++i) x = mx::array(x * x);
  }
  SUCCEED();
}

TEST(Eval, LongChainWithRepeatedInputsEvaluates) {
  constexpr int kSteps = 100000;
  mx::array x = mx::array(1.0f);
  for (int i = 0; i < kSteps; ++i) x = mx::array(x * x);
  const auto n0 = nodes_evaluated();
  x.eval();
  EXPECT_EQ(nodes_evaluated() - n0, static_cast<uint64_t>(kSteps));
  EXPECT_EQ(x.item<float>(), 1.0f);
}

TEST(Eval, WideGraphEvaluates) {
  // Many independent nodes feeding one: a wide, shallow graph.
  mx::array x = evaluated({1, 2});
  std::vector<mx::array> parts;
  for (int i = 0; i < 1000; ++i) parts.push_back(mx::array(x * static_cast<float>(i)));
  mx::array total = parts[0];
  for (int i = 1; i < 1000; ++i) total = mx::array(total + parts[i]);
  parts.clear();
  EXPECT_EQ(values<float>(total), (std::vector<float>{499500.0f, 999000.0f}));
}

TEST(Eval, DiamondEvaluatesSharedNodeOnce) {
  mx::array a = evaluated({1, 2, 3});
  mx::array b = mx::array(a + 1.0f);   // shared
  mx::array c = mx::array(b * 2.0f);
  mx::array d = mx::array(b * 3.0f);
  mx::array e = mx::array(c + d);
  const auto n0 = nodes_evaluated();
  e.eval();
  EXPECT_EQ(nodes_evaluated() - n0, 4u) << "b, c, d, e: each exactly once";
  EXPECT_EQ(values<float>(e), (std::vector<float>{10, 15, 20}));
  EXPECT_TRUE(b.is_available());
  EXPECT_EQ(values<float>(b), (std::vector<float>{2, 3, 4}));
}

TEST(Eval, SharedNodeAcrossOutputsAndCalls) {
  mx::array a = evaluated({1, 2});
  mx::array b = mx::array(mx::exp(a));
  mx::array c = mx::array(b + 1.0f);
  mx::array d = mx::array(b - 1.0f);
  auto n0 = nodes_evaluated();
  mx::eval(c, d);  // b is shared between two outputs
  EXPECT_EQ(nodes_evaluated() - n0, 3u);
  mx::array e = mx::array(b * c);
  n0 = nodes_evaluated();
  e.eval();  // b and c are already evaluated
  EXPECT_EQ(nodes_evaluated() - n0, 1u);
  EXPECT_FLOAT_EQ(values<float>(e)[0], std::exp(1.0f) * (std::exp(1.0f) + 1.0f));
}

TEST(Eval, DeepDiamondLattice) {
  // x_{i+1} = x_i + x_i * 0.5 through two separate nodes: every level is a diamond.
  mx::array x = evaluated({1.0f});
  for (int i = 0; i < 20; ++i) {
    mx::array l = mx::array(x * 0.5f);
    mx::array r = mx::array(x * 1.0f);
    x = mx::array(l + r);
  }
  const auto n0 = nodes_evaluated();
  x.eval();
  EXPECT_EQ(nodes_evaluated() - n0, 60u) << "a recursive evaluator would repeat 2^20 paths";
  EXPECT_FLOAT_EQ(x.item<float>(), std::pow(1.5f, 20.0f));
}

TEST(Eval, ConvertedExpressionEvaluatesOnce) {
  // STYLE rule 12: `array C = A * B;` is one node, evaluated once however often it is used.
  mx::array a = evaluated({1, 2, 3});
  mx::array b = evaluated({4, 5, 6});
  mx::array c = a * b;
  auto n0 = nodes_evaluated();
  for (int i = 0; i < 5; ++i) {
    mx::array u = c + static_cast<float>(i);
    u.eval();
  }
  EXPECT_EQ(nodes_evaluated() - n0, 6u) << "c once, plus one node per u";
}

TEST(Eval, AsyncEval) {
  mx::array x = evaluated({1, 2, 3});
  mx::array a = x * 10.0f;
  mx::array b = mx::sum(x);
  mx::async_eval(a, b);
  mx::synchronize();
  EXPECT_TRUE(a.is_available());
  EXPECT_TRUE(b.is_available());
  EXPECT_EQ(values<float>(a), (std::vector<float>{10, 20, 30}));
  EXPECT_EQ(b.item<float>(), 6.0f);

  mx::array c = x - 1.0f;
  mx::async_eval(std::vector<mx::array>{c});
  mx::synchronize(mx::default_stream(mx::Device::cpu));
  EXPECT_EQ(values<float>(c), (std::vector<float>{0, 1, 2}));
}

// STYLE rule 11: an expression returned from a function holds its operands by value.
auto make_expression() {
  mx::array a = evaluated({1, 2, 3});
  mx::array b = evaluated({4, 5, 6});
  return a * b + 1.0f;
}

auto make_nested_expression() {
  mx::array a = evaluated({0.5f, 1.0f});
  auto t = a * 2.0f;              // a local expression
  auto u = t + mx::array(1.0f);   // holding a temporary array
  return mx::exp(u) - t;          // t copied into the result
}

TEST(Eval, ExpressionFromFunctionLocalsStaysValid) {
  auto e = make_expression();
  // Churn the allocator so that freed memory would be reused and overwritten.
  for (int i = 0; i < 10; ++i) {
    mx::array junk = mx::full({3}, -1000.0f);
    junk.eval();
  }
  mx::array r = e;
  EXPECT_EQ(values<float>(r), (std::vector<float>{5, 11, 19}));
  // Converted twice: each conversion computes the same values.
  mx::array r2 = e;
  EXPECT_EQ(values<float>(r2), (std::vector<float>{5, 11, 19}));

  auto n = make_nested_expression();
  for (int i = 0; i < 10; ++i) mx::full({2}, 123.0f).eval();
  std::vector<float> got = values<float>(mx::array(n));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FLOAT_EQ(got[0], std::exp(2.0f) - 1.0f);
  EXPECT_FLOAT_EQ(got[1], std::exp(3.0f) - 2.0f);
}

TEST(Eval, ExpressionOfLazyArraysFromFunction) {
  auto f = [] {
    mx::array a = mx::arange(4.0f);  // lazy, never evaluated here
    mx::array b = mx::array(a * a);  // lazy node
    return mx::sum(b + a);           // lazy reduction over an expression
  };
  mx::array s = f();
  EXPECT_EQ(s.item<float>(), 0 + 2 + 6 + 12);
}

}  // namespace
