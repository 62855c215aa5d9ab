// SPDX-License-Identifier: MIT
// compile: the same results as the function, fewer nodes evaluated (elementwise chains of
// separate arrays fuse), constants computed once, a new trace only for new shapes/dtypes.
#include <gtest/gtest.h>

#include "../array_values.hpp"
#include "../error_message.hpp"
#include "mlx/transforms/compile.hpp"

namespace mx = mlx::core;
using V = std::vector<mx::array>;

namespace {
uint64_t nodes_evaluated() { return mx::detail::eval_counters().nodes_evaluated.load(); }
uint64_t traces() { return mx::detail::eval_counters().compile_traces.load(); }

// Elementwise steps written as separate arrays (each one node when not compiled), a
// reduction and a matmul in between.
V chain(const V& in) {
  mx::array y = mx::exp(in[0]);
  mx::array z = y * in[1];
  mx::array w = mx::sin(z) + 1.0f;
  mx::array r = mx::sum(w, {1}, true);
  mx::array u = mx::array(w / r);
  mx::array v = mx::maximum(u, 0.01f);
  return {mx::matmul(v, mx::transpose(in[1])), v};
}
}  // namespace

TEST(Compile, SameResultsWithFewerNodes) {
  mx::array a = mx::random::normal({8, 16}), b = mx::random::normal({8, 16});
  mx::eval(a, b);
  auto plain = chain({a, b});
  uint64_t n0 = nodes_evaluated();
  mx::eval(plain);
  const uint64_t plain_nodes = nodes_evaluated() - n0;

  auto fast = mx::compile(chain);
  auto first = fast({a, b});
  n0 = nodes_evaluated();
  mx::eval(first);
  const uint64_t compiled_nodes = nodes_evaluated() - n0;
  // exp, multiply, sin+1 fuse into one node; divide and maximum into another.
  EXPECT_LT(compiled_nodes, plain_nodes) << compiled_nodes << " vs " << plain_nodes;
  for (int k = 0; k < 2; ++k) {
    auto x = mlxtest::to_doubles(first[k]), y = mlxtest::to_doubles(plain[k]);
    ASSERT_EQ(x.size(), y.size());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-5 * (1 + std::abs(y[i])));
  }
  // Random inputs of the same shape: same as the function, and no new trace.
  const uint64_t t0 = traces();
  for (int rep = 0; rep < 3; ++rep) {
    mx::array c = mx::random::normal({8, 16}), d = mx::random::normal({8, 16});
    auto got = fast({c, d});
    auto want = chain({c, d});
    auto x = mlxtest::to_doubles(got[0]), y = mlxtest::to_doubles(want[0]);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-5 * (1 + std::abs(y[i])));
  }
  EXPECT_EQ(traces(), t0);
  // A new shape or dtype traces again, once.
  fast({mx::ones({3, 16}), mx::ones({3, 16})});
  fast({mx::ones({3, 16}), mx::ones({3, 16})});
  EXPECT_EQ(traces(), t0 + 1);
  fast({mx::ones({3, 16}, mx::float64), mx::ones({3, 16}, mx::float64)});
  EXPECT_EQ(traces(), t0 + 2);
}

TEST(Compile, ConstantsAreComputedOnce) {
  int calls = 0;
  mx::array table = mx::arange(0.0, 4.0, 1.0);
  auto f = mx::compile([&](const V& in) {
    ++calls;
    mx::array c = mx::array(mx::exp(table) * 2.0f);  // independent of the inputs
    return V{mx::array(in[0] + c)};
  });
  mx::array x = mx::ones({4});
  auto r1 = f({x});
  mx::eval(r1);
  uint64_t n0 = nodes_evaluated();
  auto r2 = f({x});
  mx::eval(r2);
  EXPECT_EQ(nodes_evaluated() - n0, 1u);  // only the add: exp(table) * 2 is kept
  EXPECT_EQ(calls, 1);
  EXPECT_NEAR(mlxtest::to_doubles(r2[0])[3], 1 + 2 * std::exp(3.0), 1e-4);
}

TEST(Compile, GradientsOfCompiledFunctions) {
  auto f = mx::compile([](const V& in) { return V{mx::sum(mx::array(mx::sin(in[0]) * in[0]))}; });
  mx::array x({0.5f, 1.5f});
  auto g = mx::grad([&](const V& a) { return f(a)[0]; })({x});
  auto got = mlxtest::to_doubles(g[0]);
  for (int i = 0; i < 2; ++i) {
    const double v = i ? 1.5 : 0.5;
    EXPECT_NEAR(got[i], std::cos(v) * v + std::sin(v), 1e-5);
  }
}

TEST(Compile, DisableAndErrors) {
  int calls = 0;
  auto f = mx::compile([&](const V& in) {
    ++calls;
    return in;
  });
  mx::disable_compile();
  f({mx::ones({2})});
  f({mx::ones({2})});
  mx::enable_compile();
  EXPECT_EQ(calls, 2);
  f({mx::ones({2})});
  f({mx::ones({2})});
  EXPECT_EQ(calls, 3);
  EXPECT_INVALID(mx::compile([](const V& in) { return in; }, true),
                 "[compile] Shapeless compilation is not supported yet");
}
