// SPDX-License-Identifier: MIT
// Tests for nn/activations.hpp and the activation layers against PyTorch 1.13 (float64,
// pasted): x = [-3, -1.5, -0.5, 0, 0.25, 1, 2.5, 7]; e.g. torch.nn.functional.gelu(x),
// F.gelu(x, approximate="tanh"), x * sigmoid(1.702 x) for gelu_fast_approx,
// 1.0507 * where(x > 0, x, 1.67326 (exp(x) - 1)) for MLX's selu constants.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
using mlxtest::to_doubles;
using V = std::vector<double>;
using mlxtest::expect_near;

namespace {
mx::array xs() { return mx::array({-3.f, -1.5f, -0.5f, 0.f, 0.25f, 1.f, 2.5f, 7.f}); }
}  // namespace

TEST(Activations, PiecewiseLinear) {
  expect_near(nn::relu(xs()), {0, 0, 0, 0, 0.25, 1, 2.5, 7});
  expect_near(nn::relu6(xs()), {0, 0, 0, 0, 0.25, 1, 2.5, 6});
  expect_near(nn::leaky_relu(xs()), {-0.03, -0.015, -0.005, 0, 0.25, 1, 2.5, 7});
  expect_near(nn::hard_sigmoid(xs()), {0, 0.25, 0.416666667, 0.5, 0.541666667, 0.666666667, 0.916666667, 1});
  expect_near(nn::hard_tanh(xs()), {-1, -1, -0.5, 0, 0.25, 1, 1, 1});
  expect_near(nn::hardswish(xs()), {0, -0.375, -0.208333333, 0, 0.135416667, 0.666666667, 2.29166667, 7});
  expect_near(nn::step(xs()), {0, 0, 0, 0, 1, 1, 1, 1});
  expect_near(nn::softshrink(xs()), {-2.5, -1, 0, 0, 0, 0.5, 2, 6.5});
  expect_near(nn::hard_shrink(xs()), {-3, -1.5, 0, 0, 0, 1, 2.5, 7});
  expect_near(nn::prelu(xs(), mx::array({0.25f})), {-0.75, -0.375, -0.125, 0, 0.25, 1, 2.5, 7});
  // relu keeps an integer dtype.
  EXPECT_EQ(nn::relu(mx::array({-1, 2}, mx::int32)).dtype(), mx::int32);
}

TEST(Activations, Smooth) {
  expect_near(nn::elu(xs()), {-0.950212932, -0.77686984, -0.39346934, 0, 0.25, 1, 2.5, 7});
  expect_near(nn::selu(xs()), {-1.67056392, -1.36581042, -0.691756197, 0, 0.262675, 1.0507, 2.62675, 7.3549});
  expect_near(nn::celu(xs()), {-0.950212932, -0.77686984, -0.39346934, 0, 0.25, 1, 2.5, 7});
  expect_near(nn::gelu(xs()), {-0.00404969409, -0.100210802, -0.154268769, 0, 0.149676581, 0.841344746, 2.48447584, 7});
  expect_near(nn::gelu_approx(xs()),
              {-0.00363739208, -0.100428423, -0.15428599, 0, 0.149675351, 0.841191991, 2.48491573, 7});
  expect_near(nn::gelu_fast_approx(xs()),
              {-0.0180713097, -0.108337802, -0.149611563, 0, 0.15119965, 0.845795766, 2.46501383, 6.99995313});
  expect_near(nn::silu(xs()), {-0.14227762, -0.273638286, -0.188770334, 0, 0.140544125, 0.731058579, 2.31035455, 6.99362264});
  expect_near(nn::mish(xs()), {-0.145647461, -0.298099742, -0.220743775, 0, 0.16957241, 0.865098388, 2.4713923, 6.99998838});
  expect_near(nn::sigmoid(xs()),
              {0.0474258732, 0.182425524, 0.377540669, 0.5, 0.562176501, 0.731058579, 0.92414182, 0.999088949});
  expect_near(nn::softplus(xs()),
              {0.0485873516, 0.201413278, 0.474076984, 0.693147181, 0.82593942, 1.31326169, 2.57888973, 7.00091147});
  expect_near(nn::softsign(xs()), {-0.75, -0.6, -0.333333333, 0, 0.2, 0.5, 0.714285714, 0.875});
  expect_near(nn::log_sigmoid(xs()), {-3.04858735, -1.70141328, -0.974076984, -0.693147181, -0.57593942,
                                      -0.313261688, -0.0788897343, -0.000911466454});
  expect_near(nn::tanh(xs()), to_doubles(mx::tanh(xs())));
}

TEST(Activations, AlongAnAxis) {
  mx::array x = mx::reshape(xs(), {2, 4});
  expect_near(nn::log_softmax(x), {-3.63097806, -2.13097806, -1.13097806, -0.630978057, -6.76465078, -6.01465078,
                                   -4.51465078, -0.0146507796});
  expect_near(nn::softmin(x), {0.738006167, 0.164671434, 0.0605792352, 0.0367431635, 0.63333763, 0.299167513,
                               0.0667532951, 0.000741562124});
  mx::array g = nn::glu(x);
  EXPECT_EQ(g.shape(), (mx::Shape{2, 2}));
  expect_near(g, {-1.13262201, -0.75, 0.231035455, 0.999088949});
  EXPECT_INVALID(nn::glu(mx::ones({2, 3})), "must be even");
}

TEST(Activations, Float16StaysFloat16) {
  mx::array h = mx::astype(xs(), mx::float16);
  for (auto y : {nn::gelu(h), nn::silu(h), nn::leaky_relu(h), nn::softplus(h), nn::hardswish(h), nn::elu(h)})
    EXPECT_EQ(y.dtype(), mx::float16);
  expect_near(nn::gelu(h), {-0.00404969409, -0.100210802, -0.154268769, 0, 0.149676581, 0.841344746, 2.48447584, 7},
              2e-3);
}

TEST(ActivationLayers, CallTheFunctions) {
  expect_near(nn::ReLU()(xs()), to_doubles(nn::relu(xs())));
  expect_near(nn::LeakyReLU(0.2f)(xs()), to_doubles(nn::leaky_relu(xs(), 0.2f)));
  expect_near(nn::GELU()(xs()), to_doubles(nn::gelu(xs())));
  expect_near(nn::GELU("tanh")(xs()), to_doubles(nn::gelu_approx(xs())));
  expect_near(nn::GELU("fast")(xs()), to_doubles(nn::gelu_fast_approx(xs())));
  expect_near(nn::Softmax()(xs()), to_doubles(mx::softmax(xs(), -1)));
  nn::PReLU pr;
  EXPECT_EQ(pr.parameters().size(), 1u);
  expect_near(pr(xs()), {-0.75, -0.375, -0.125, 0, 0.25, 1, 2.5, 7});
  EXPECT_INVALID(nn::GELU("exact"), "'exact' was given");
  std::ostringstream os;
  os << nn::SiLU();
  EXPECT_EQ(os.str(), "SiLU()");
}
