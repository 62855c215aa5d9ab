// SPDX-License-Identifier: MIT
// checkpoint: the derivatives of a checkpointed function are the function's own (known
// values, finite differences, several inputs and outputs, jvp, grad of grad, nesting), the
// function runs again in the backward pass, and a training step over a checkpointed chain
// holds clearly less memory at its peak than the same step without. Also the derivative
// rules of depends, which the recomputation reads its inputs through.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "../array_values.hpp"
#include "grad_check.hpp"
#include "mlx/transforms/custom.hpp"

namespace mx = mlx::core;
using V = std::vector<mx::array>;
using VFn = std::function<V(const V&)>;
using mlxtest::to_doubles;

namespace {

/// x * x * sin(x): d/dx = 2x sin(x) + x^2 cos(x).
V cubic_sine(const V& x) { return V{mx::array(x[0] * x[0] * mx::sin(x[0]))}; }

/// Three inputs, three outputs: y = x * w, z = sin(w) + x, t = exp(w) (t left unused below).
V three_way(const V& a) {
  return V{mx::array(a[0] * a[1]), mx::array(mx::sin(a[1]) + a[0]), mx::exp(a[1])};
}

}  // namespace

TEST(Checkpoint, ValuesAndGradientsAreTheFunctions) {
  auto f = mx::checkpoint(cubic_sine);
  mx::array x({-1.5f, 0.25f, 2.0f});
  EXPECT_EQ(to_doubles(f({x})[0]), to_doubles(cubic_sine({x})[0]));
  auto loss = [](const VFn& fn) {
    return [fn](const mx::array& a) { return mx::sum(fn({a})[0]); };
  };
  auto g = to_doubles(mx::grad(loss(f))(x));
  auto plain = to_doubles(mx::grad(loss(cubic_sine))(x));
  const double xs[] = {-1.5, 0.25, 2.0};
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(g[i], 2 * xs[i] * std::sin(xs[i]) + xs[i] * xs[i] * std::cos(xs[i]), 1e-5) << i;
  // The recomputation builds the graph that the plain backward builds: the same numbers.
  EXPECT_EQ(g, plain);
}

TEST(Checkpoint, MatchesFiniteDifferences) {
  // Two checkpointed segments in a row and a function of both outputs of the second, in
  // float64: vjp and jvp against central differences, and <jvp(v), u> = <v, vjp(u)>.
  auto seg1 = mx::checkpoint([](const V& a) { return V{mx::array(mx::sin(a[0]) * a[1] + a[1])}; });
  auto seg2 = mx::checkpoint([](const V& a) {
    return V{mx::array(mx::exp(a[0] * 0.5) - a[1]), mx::array(a[0] * a[0] * a[1])};
  });
  mlxtest::Fn f = [&](const V& a) {
    mx::array h = seg1({a[0], a[1]})[0];
    auto o = seg2({h, a[0]});
    return mx::array(o[0] * 2.0 + mx::cos(o[1]));
  };
  auto a = mlxtest::f64(mlxtest::spread(6, -1, 1, 1), {2, 3});
  auto b = mlxtest::f64(mlxtest::spread(6, -1, 1, 2), {2, 3});
  mlxtest::check_gradients("checkpointed chain", f, {a, b});
}

TEST(Checkpoint, SeveralInputsAndOutputs) {
  // An unused output gets a zero cotangent, an input the function ignores a zero gradient,
  // and an argument left out of argnums stays a constant: all as without checkpoint.
  auto run = [](const VFn& fn) {
    auto loss = [fn](const V& a) {
      auto o = fn({a[0], a[1], a[2]});
      return V{mx::sum(mx::array(o[0] * o[1])), o[2]};
    };
    mx::array x({0.5f, -1.0f, 2.0f}), w({1.5f, 0.25f, -0.75f}), unused({3.0f, 4.0f, 5.0f});
    auto [values, grads] = mx::value_and_grad(loss, std::vector<int>{0, 2})({x, w, unused});
    std::vector<std::vector<double>> out;
    for (const auto& v : values) out.push_back(to_doubles(v));
    for (const auto& g : grads) out.push_back(to_doubles(g));
    return out;
  };
  VFn ignoring_third = [](const V& a) { return three_way({a[0], a[1]}); };
  auto with = run(mx::checkpoint(ignoring_third));
  auto without = run(ignoring_third);
  ASSERT_EQ(with.size(), 4u);
  EXPECT_EQ(with, without);
  EXPECT_EQ(with[3], (std::vector<double>{0, 0, 0}));  // d/d(unused)
  // d/dx of sum((x w) (sin(w) + x)) = w (sin(w) + x) + x w.
  const double xs[] = {0.5, -1.0, 2.0}, ws[] = {1.5, 0.25, -0.75};
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(with[2][i], ws[i] * (std::sin(ws[i]) + xs[i]) + xs[i] * ws[i], 1e-5) << i;
}

TEST(Checkpoint, JvpGoesThroughTheFunction) {
  mx::array x({0.5f, -1.0f}), w({1.5f, 0.25f}), tx({1.0f, 2.0f}), tw({-1.0f, 0.5f});
  auto [o1, t1] = mx::jvp(mx::checkpoint(three_way), {x, w}, {tx, tw});
  auto [o2, t2] = mx::jvp(three_way, {x, w}, {tx, tw});
  ASSERT_EQ(t1.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(to_doubles(o1[k]), to_doubles(o2[k])) << k;
    EXPECT_EQ(to_doubles(t1[k]), to_doubles(t2[k])) << k;
  }
}

TEST(Checkpoint, GradOfGrad) {
  // d2/dx2 sum(sin(x)) = -sin(x), through a checkpointed sin; the recomputation's graph is
  // differentiated like any other (its depends node passes the cotangent to the input).
  auto csin = mx::checkpoint([](const V& a) { return V{mx::sin(a[0])}; });
  mx::array x({0.5f, 1.0f, -2.0f});
  auto d2 = mx::grad([&](const mx::array& a) {
    return mx::sum(mx::grad([&](const mx::array& y) { return mx::sum(csin({y})[0]); })(a));
  })(x);
  auto v = to_doubles(d2);
  const double xs[] = {0.5, 1.0, -2.0};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(v[i], -std::sin(xs[i]), 1e-6) << i;
  // A third derivative of x^2 sin(x), in float64, against the plain function's.
  auto third = [](const VFn& fn) {
    auto d1 = [fn](const mx::array& a) { return mx::sum(fn({a})[0]); };
    auto d2 = [d1](const mx::array& a) { return mx::sum(mx::grad(d1)(a)); };
    auto d3 = [d2](const mx::array& a) { return mx::sum(mx::grad(d2)(a)); };
    return to_doubles(mx::grad(d3)(mlxtest::f64({-1.25, 0.5, 3.0}, {3})));
  };
  auto with = third(mx::checkpoint(cubic_sine)), without = third(cubic_sine);
  ASSERT_EQ(with.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(with[i], without[i], 1e-12) << i;
}

TEST(Checkpoint, NestedCheckpointsAndTheRecomputation) {
  // The function runs once for the outputs and once more when the backward pass reaches it.
  int calls = 0;
  auto inner = mx::checkpoint([&](const V& a) {
    ++calls;
    return V{mx::array(mx::tanh(a[0]) * a[0])};
  });
  auto outer = mx::checkpoint([&](const V& a) { return inner({mx::array(inner(a)[0] + 1.0f)}); });
  VFn plain = [](const V& a) {
    auto once = [](const mx::array& y) { return mx::array(mx::tanh(y) * y); };
    return V{once(mx::array(once(a[0]) + 1.0f))};
  };
  mx::array x({0.3f, -0.7f, 1.1f});
  auto loss = [](const VFn& fn) { return [fn](const mx::array& a) { return mx::sum(fn({a})[0]); }; };
  auto [value, g] = mx::value_and_grad(loss(outer))(x);
  mx::eval(value, g);
  // Forward: 2 calls of inner. Backward: outer's recomputation calls inner twice, and each
  // inner's vjp recomputes once more: 2 + 2 + 2.
  EXPECT_EQ(calls, 6);
  auto [pv, pg] = mx::value_and_grad(loss(plain))(x);
  EXPECT_EQ(value.item<float>(), pv.item<float>());
  auto a = to_doubles(g), b = to_doubles(pg);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(a[i], b[i], 1e-6) << i;
}

TEST(Checkpoint, TheDocumentationExample) {
  mx::array x = mx::array(mx::astype(mx::arange(1000), mx::float32) * 0.001f);
  //! [checkpoint]
  // Four blocks of three steps, each checkpointed: the backward pass keeps the boundaries
  // between blocks and recomputes one block's steps at a time.
  auto block = mx::checkpoint([](const std::vector<mx::array>& in) {
    mx::array h = in[0];
    for (int i = 0; i < 3; ++i) h = mx::array(mx::sin(h) * 0.9f + h * 0.5f);
    return std::vector<mx::array>{h};
  });
  auto loss = [&](const std::vector<mx::array>& in) {
    mx::array h = in[0];
    for (int b = 0; b < 4; ++b) h = block({h})[0];
    return std::vector<mx::array>{mx::sum(h)};
  };
  auto [value, grads] = mx::value_and_grad(loss)({x});
  mx::eval(value[0], grads[0]);
  //! [checkpoint]
  auto plain = [](const V& in) {
    mx::array h = in[0];
    for (int i = 0; i < 12; ++i) h = mx::array(mx::sin(h) * 0.9f + h * 0.5f);
    return V{mx::sum(h)};
  };
  auto [pv, pg] = mx::value_and_grad(plain)({x});
  EXPECT_EQ(value[0].item<float>(), pv[0].item<float>());
  EXPECT_EQ(to_doubles(grads[0]), to_doubles(pg[0]));
}

TEST(Depends, DerivativesPassToTheInputsOnly) {
  // depends({a}, {b}) is a with an evaluation-order edge to b: the derivative with respect
  // to a is the identity and with respect to b zero, in both modes.
  auto f = [](const V& p) {
    auto d = mx::depends({p[0]}, {mx::array(p[1] * 2.0f)});
    return V{mx::sum(mx::array(d[0] * 3.0f))};
  };
  mx::array a({1.0f, 2.0f}), b({5.0f, 6.0f});
  auto g = mx::grad([&](const V& p) { return f(p)[0]; }, std::vector<int>{0, 1})({a, b});
  EXPECT_EQ(to_doubles(g[0]), (std::vector<double>{3, 3}));
  EXPECT_EQ(to_doubles(g[1]), (std::vector<double>{0, 0}));
  auto [outs, t] = mx::jvp(f, {a, b}, {mx::ones({2}), mx::ones({2})});
  EXPECT_EQ(t[0].item<float>(), 6.0f);
  // Several inputs: each output's cotangent goes to its own input.
  auto two = mx::grad(
      [](const V& p) {
        auto d = mx::depends({p[0], p[1]}, {p[0]});
        return mx::sum(mx::array(d[0] * 2.0f + d[1] * 5.0f));
      },
      std::vector<int>{0, 1})({a, b});
  EXPECT_EQ(to_doubles(two[0]), (std::vector<double>{2, 2}));
  EXPECT_EQ(to_doubles(two[1]), (std::vector<double>{5, 5}));
}

namespace {

struct StepMemory {
  size_t peak = 0;         // bytes above the start, during value_and_grad's evaluation
  size_t after_value = 0;  // bytes above the start once only the value was evaluated
  std::vector<double> grad_sample;
};

/// A training step through `steps` elementwise steps over 1 M floats, in segments of
/// `segment` steps (0: no checkpoint). Each step makes one 4 MB array.
StepMemory measure(int steps, int segment, bool value_first) {
  const int n = 1 << 20;
  auto step = [](const mx::array& y) { return mx::array(mx::sin(y) * 0.9f + y * 0.5f); };
  auto loss = [=](const V& x) {
    mx::array y = x[0];
    for (int done = 0; done < steps;) {
      const int k = segment == 0 ? steps : std::min(segment, steps - done);
      VFn seg = [k, step](const V& a) {
        mx::array z = a[0];
        for (int i = 0; i < k; ++i) z = step(z);
        return V{z};
      };
      y = (segment == 0 ? seg : mx::checkpoint(seg))({y})[0];
      done += k;
    }
    return V{mx::sum(y)};
  };
  mx::array x = mx::array(mx::astype(mx::arange(n), mx::float32) * (1.0f / n));
  x.eval();
  StepMemory m;
  const size_t start = mx::get_active_memory();
  mx::reset_peak_memory();
  {
    auto [value, grads] = mx::value_and_grad(loss)({x});
    if (value_first) {
      mx::eval(value[0]);
      m.after_value = mx::get_active_memory() - start;
    }
    mx::eval(value[0], grads[0]);
    m.peak = mx::get_peak_memory() - start;
    const float* g = grads[0].data<float>();
    for (int i : {0, 1000, 500000, n - 1}) m.grad_sample.push_back(g[i]);
  }
  return m;
}

}  // namespace

TEST(CheckpointMemory, ATrainingStepPeaksLowerWithCheckpointedSegments) {
  // 10 steps over 1 M floats. Without checkpoint the backward pass needs every step's input:
  // all 10 arrays are alive at its peak. In segments of 3 steps, only the segment boundaries
  // and one segment's recomputation are (about half). Memory is deterministic here.
  const auto plain = measure(10, 0, false);
  const auto seg3 = measure(10, 3, false);
  const auto seg5 = measure(10, 5, false);
  std::printf("[ memory ] 10 steps x 1M floats, peak: plain %.1f MB, segments of 3 %.1f MB, "
              "segments of 5 %.1f MB\n",
              plain.peak / 1e6, seg3.peak / 1e6, seg5.peak / 1e6);
  EXPECT_EQ(seg3.grad_sample, plain.grad_sample);
  EXPECT_EQ(seg5.grad_sample, plain.grad_sample);
  EXPECT_GE(plain.peak, size_t{9} * 4 * (1 << 20));  // the test measures what it means to
  EXPECT_LT(static_cast<double>(seg3.peak), 0.7 * static_cast<double>(plain.peak));
  EXPECT_LT(static_cast<double>(seg5.peak), 0.75 * static_cast<double>(plain.peak));
}

TEST(CheckpointMemory, TheForwardKeepsOnlyTheSegmentBoundaries) {
  // Evaluating the value alone: without checkpoint the graph of the gradient holds the 9
  // step inputs it will need; checkpointed, only the boundaries between segments (3 for
  // segments of 3, 1 for two segments of 5). The forward's intermediates inside a segment
  // are freed as usual: the CustomTransforms node does not keep them for the backward.
  const auto plain = measure(10, 0, true);
  const auto seg3 = measure(10, 3, true);
  const auto seg5 = measure(10, 5, true);
  std::printf("[ memory ] 10 steps x 1M floats, held after the forward: plain %.1f MB, "
              "segments of 3 %.1f MB, segments of 5 %.1f MB\n",
              plain.after_value / 1e6, seg3.after_value / 1e6, seg5.after_value / 1e6);
  EXPECT_EQ(seg3.grad_sample, plain.grad_sample);
  EXPECT_EQ(seg5.grad_sample, plain.grad_sample);
  EXPECT_GE(plain.after_value, size_t{8} * 4 * (1 << 20));
  EXPECT_LT(static_cast<double>(seg3.after_value), 0.5 * static_cast<double>(plain.after_value));
  EXPECT_LT(static_cast<double>(seg5.after_value), 0.3 * static_cast<double>(plain.after_value));
}
