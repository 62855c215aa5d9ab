// SPDX-License-Identifier: MIT
// Tests for the layers of nn/layers/: normalization, dropout, embedding, conv and pooling,
// against PyTorch 1.13 in float64 (values pasted; channels-last inputs permuted to torch's
// layout and back): F.layer_norm, F.group_norm (pytorch_compatible), F.batch_norm,
// F.conv1d/conv2d, F.max_pool*/avg_pool* (count_include_pad, which is MLX's zero padding).
// MLX-only formulas (RMSNorm, MLX's default GroupNorm, BatchNorm's biased running
// variance) were written in torch from MLX's definitions. InstanceNorm and Upsample use the
// fixtures of tests/data/make_torch_fixtures.py (F.instance_norm, F.interpolate).
#include "../array_values.hpp"
#include "../error_message.hpp"
#include "../torch_fixtures.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
using mlxtest::to_doubles;
using V = std::vector<double>;
using mlxtest::expect_near;

namespace {
std::string repr(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}
mx::array x34() { return mx::array({1.f, -2.f, 3.f, 0.5f, 0.f, 4.f, -1.f, 2.f, 2.f, 2.f, 1.f, -3.f}, {3, 4}); }
mx::array w4() { return mx::array({1.0f, 0.5f, -1.0f, 2.0f}); }
mx::array b4() { return mx::array({0.1f, 0.2f, 0.3f, 0.4f}); }
// (arange(n) / div - off) in `shape`.
mx::array ramp(const mx::Shape& shape, double div, double off) {
  std::vector<float> v(mx::shape_size(shape));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i / div - off);
  return mx::array(v.begin(), shape);
}
mx::array sines(const mx::Shape& shape, double f) {
  std::vector<float> v(mx::shape_size(shape));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(i * f));
  return mx::array(v.begin(), shape);
}
}  // namespace

TEST(Normalization, LayerNormAndRMSNorm) {
  nn::LayerNorm ln(4);
  ln.update({{"weight", w4()}, {"bias", b4()}});
  expect_near(ln(x34()), {0.31055839, -0.536954365, -1.03353647, 0.25962774, -0.550943672, 0.916038039, 1.47169861,
                          1.18113241, 0.827606019, 0.56380301, 0.0574646603, -2.99549476}, 1e-5);
  EXPECT_EQ(repr(ln), "LayerNorm(4, eps=1e-05, affine=True)");
  EXPECT_EQ(nn::LayerNorm(4, 1e-5f, false).parameters().size(), 0u);
  nn::RMSNorm rms(4);
  rms.update({{"weight", w4()}});
  expect_near(rms(x34()), {0.529812199, -0.529812199, -1.5894366, 0.529812199, 0, 0.87287073, 0.436435365, 1.74574146,
                           0.942807994, 0.471403997, -0.471403997, -2.82842398}, 1e-5);
  EXPECT_EQ(repr(rms), "RMSNorm(4, eps=1e-05)");
}

TEST(Normalization, GroupNorm) {
  mx::array x = mx::reshape(x34(), {1, 3, 4});
  nn::GroupNorm torch_like(2, 4, 1e-5f, true, true);
  expect_near(torch_like(x), {-0.0894425903, -1.69940922, 1.31351046, 0.0423713051, -0.626098132, 1.52052404,
                              -0.720312187, 0.805054797, 0.447212952, 0.447212952, 0.296599136, -1.73722351}, 1e-5);
  nn::GroupNorm mlx_default(2, 4);
  expect_near(mlx_default(x), {0, -1.06643151, 1.54918869, -0.0344010165, -0.774594345, 1.41044168, -1.54918869,
                               0.58481728, 0.774594345, 0.58481728, 0, -1.47924371}, 1e-5);
  EXPECT_EQ(repr(mlx_default), "GroupNorm(2, 4, eps=1e-05, affine=True, pytorch_compatible=False)");
  EXPECT_INVALID(nn::GroupNorm(3, 4), "multiple of num_groups");
}

TEST(Normalization, BatchNormTrainAndEval) {
  nn::BatchNorm bn(4);
  bn.update({{"weight", w4()}, {"bias", b4()}});
  EXPECT_EQ(bn.parameters().size(), 4u);
  EXPECT_EQ(bn.trainable_parameters().size(), 2u);  // running statistics are frozen
  expect_near(bn(x34()), {0.1, -0.468152568, -0.924742575, 1.0364451, -1.12473569, 0.734522054, 1.52474258, 2.46844658,
                          1.32473569, 0.333630514, 0.3, -2.30489168}, 1e-5);
  expect_near(bn.parameter("running_mean"), {0.1, 0.133333333, 0.1, -0.0166666667}, 1e-6);
  expect_near(bn.parameter("running_var"), {0.966666667, 1.52222222, 1.16666667, 1.33888889}, 1e-6);
  bn.eval();
  expect_near(bn(x34()), {1.015381, -0.664546323, -2.38486678, 1.29303103, -0.00170899946, 1.76699021, 1.31839775,
                          3.88570175, 2.03247099, 0.956478033, -0.533234519, -4.756534}, 1e-5);
  expect_near(bn.parameter("running_mean"), {0.1, 0.133333333, 0.1, -0.0166666667}, 1e-6);  // unchanged in eval
  EXPECT_EQ(repr(bn), "BatchNorm(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  EXPECT_INVALID(bn(mx::ones({4})), "2, 3 or 4 dimensions, but got 1");
}

TEST(Dropout, TrainAndEval) {
  mx::random::seed(11);
  nn::Dropout d(0.25f);
  mx::array x = mx::ones({100, 100});
  auto v = to_doubles(d(x));
  int kept = 0;
  for (double e : v) {
    EXPECT_TRUE(e == 0.0 || std::abs(e - 1 / 0.75) < 1e-6) << e;
    kept += e != 0.0;
  }
  EXPECT_NEAR(kept / 10000.0, 0.75, 0.02);
  d.eval();
  EXPECT_EQ(d(x).id(), x.id());  // identity in eval mode
  EXPECT_EQ(repr(d), "Dropout(p=0.25)");
  EXPECT_INVALID(nn::Dropout(1.0f), "not in [0, 1)");
}

TEST(Embedding, GathersRows) {
  nn::Embedding e(5, 3);
  EXPECT_EQ(e.parameter("weight").shape(), (mx::Shape{5, 3}));
  e.update({{"weight", ramp({5, 3}, 1, 0)}});
  mx::array idx({4, 0, 2, 4}, {2, 2}, mx::int32);
  mx::array y = e(idx);
  EXPECT_EQ(y.shape(), (mx::Shape{2, 2, 3}));
  EXPECT_EQ(to_doubles(y), (V{12, 13, 14, 0, 1, 2, 6, 7, 8, 12, 13, 14}));
  EXPECT_EQ(to_doubles(e.as_linear(mx::array({1.f, 0.f, 0.f}, {1, 3}))), (V{0, 3, 6, 9, 12}));
  EXPECT_EQ(repr(e), "Embedding(5, 3)");
  EXPECT_INVALID(e(mx::array({1.f})), "integer dtype");
}

TEST(Conv, Conv1dAndConv2d) {
  nn::Conv1d c1(2, 3, 2, 2, 1);
  EXPECT_EQ(c1.parameter("weight").shape(), (mx::Shape{3, 2, 2}));
  c1.update({{"weight", ramp({3, 2, 2}, 6, 1)}, {"bias", mx::array({0.5f, -0.5f, 0.0f})}});
  expect_near(c1(ramp({1, 5, 2}, 4, 1)), {1.54166667, -0.625, -1.29166667, 1.08333333, -0.25, -0.0833333333,
                                          -1.91666667, -0.583333333, 2.25}, 1e-5);
  EXPECT_EQ(repr(c1), "Conv1d(2, 3, kernel_size=2, stride=2, padding=1, dilation=1, groups=1, bias=True)");
  nn::Conv2d c2(1, 2, 3, 1, 1);
  c2.update({{"weight", ramp({2, 3, 3, 1}, 9, 1)}, {"bias", mx::array({1.0f, -1.0f})}});
  expect_near(c2(ramp({1, 4, 4, 1}, 8, 1)),
              {2.09722222, -2.65277778, 2.76388889, -2.98611111, 2.47222222, -2.52777778, 1.95833333, -1.79166667, 3,
               -1.625, 3.95833333, -1.41666667, 3.33333333, -0.916666667, 2.375, -0.75, 1.5, -0.125, 1.45833333,
               0.583333333, 0.833333333, 1.08333333, 0.541666667, 0.416666667, 0.347222222, -0.402777778, -0.319444444,
               -0.0694444444, -0.861111111, 0.138888889, -0.569444444, -0.319444444}, 1e-5);
  EXPECT_EQ(repr(c2), "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, bias=True)");
  EXPECT_INVALID(nn::Conv2d(3, 4, 3, 1, 0, 1, 2), "divisible by groups");
}

TEST(Pooling, MaxAndAverage) {
  mx::array x = sines({1, 4, 5, 2}, 1.3);
  mx::array m = nn::MaxPool2d(2)(x);
  EXPECT_EQ(m.shape(), (mx::Shape{1, 2, 2, 2}));
  expect_near(m, {0.515501372, 0.986771964, 0.998543345, 0.60553987, 0.963795386, 0.827327901, 0.687121146, 0.998590872},
              1e-6);
  expect_near(nn::MaxPool2d(3, 2, 1)(x), {0.515501372, 0.986771964, 0.998543345, 0.60553987, 0.998543345, 0.319098362,
                                          0.963795386, 0.986771964, 0.928795234, 0.998590872, 0.928795234, 0.420972826},
              1e-6);
  mx::array a = nn::AvgPool2d(2, 1, 1)(x);
  EXPECT_EQ(a.shape(), (mx::Shape{1, 5, 6, 2}));
  auto av = to_doubles(a);
  EXPECT_NEAR(av[1], 0.240889546, 1e-6);
  EXPECT_NEAR(av[13], 0.487582537, 1e-6);
  EXPECT_NEAR(av[59], 0.105243207, 1e-6);
  mx::array x1 = sines({1, 6, 2}, 0.7);
  expect_near(nn::MaxPool1d(2)(x1), {0.98544973, 0.863209367, 0.33498815, -0.350783228, 0.656986599, 0.988168234}, 1e-6);
  expect_near(nn::AvgPool1d(3, 2)(x1), {0.44014596, 0.385547942, -0.389284753, -0.438807313}, 1e-6);
  EXPECT_EQ(repr(nn::MaxPool2d(2)), "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
  EXPECT_INVALID(nn::MaxPool2d(2)(mx::ones({4, 4})), "Expected a 4-D input");
  EXPECT_INVALID(nn::MaxPool2d(7)(x), "larger than the padded input");
}

TEST(Normalization, InstanceNormMatchesTorch) {
  const auto& c = mlxtest::torch_case("nn_instance_norm");
  mx::array x = mlxtest::fixture_array(c["inputs"]["x"]);
  nn::InstanceNorm in(5, 1e-5f, true);
  in.update({{"weight", mlxtest::fixture_array(c["inputs"]["w"])}, {"bias", mlxtest::fixture_array(c["inputs"]["b"])}});
  mlxtest::expect_fixture(in(x), c["outputs"]["y"], 1e-5, "instance norm");
  auto g = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{in(a[0])}; }, {x},
                   {mlxtest::fixture_array(c["inputs"]["cot"])})
               .second[0];
  mlxtest::expect_fixture(g, c["grads"]["x"], 1e-4, "instance norm dx");
  EXPECT_EQ(repr(in), "InstanceNorm(5, eps=1e-05, affine=True)");
  EXPECT_EQ(nn::InstanceNorm(5).parameters().size(), 0u);  // affine=false by default
  EXPECT_INVALID(in(mx::ones({2, 5})), "[nn.InstanceNorm] Expected an input (batch, spatial..., 5), got shape (2,5)");
}

TEST(Upsample, EveryModeMatchesTorchInterpolate) {
  for (std::string name : {"nearest_2", "nearest_1.5", "nearest_1d_2.5", "linear_2", "linear_2_align", "linear_1.7",
                           "linear_1d_2.5", "linear_3d_2", "cubic_2", "cubic_2_align", "cubic_1.5"}) {
    const auto& c = mlxtest::torch_case("nn_upsample_" + name);
    const auto& e = c["extra"];
    nn::Upsample up(e["scale"].get<float>(), e["mode"].get<std::string>(), e["align_corners"].get<bool>());
    mx::array x = mlxtest::fixture_array(c["inputs"]["x"]);
    mlxtest::expect_fixture(up(x), c["outputs"]["y"], 1e-5, name);
    auto g = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{up(a[0])}; }, {x},
                     {mlxtest::fixture_array(c["inputs"]["cot"])})
                 .second[0];
    mlxtest::expect_fixture(g, c["grads"]["x"], 1e-4, name + " dx");
  }
}

TEST(Upsample, PerAxisFactorsPrintingAndErrors) {
  mx::array x = mx::reshape(mx::arange(1.0, 5.0), {1, 2, 2, 1});
  nn::Upsample up(std::vector<float>{2.0f, 1.0f});
  expect_near(up(x), {1, 2, 1, 2, 3, 4, 3, 4});
  EXPECT_EQ(repr(up), "Upsample(scale_factor=(2.0, 1.0), mode='nearest', align_corners=False)");
  EXPECT_EQ(repr(nn::Upsample(2.0f, "linear", true)), "Upsample(scale_factor=2.0, mode='linear', align_corners=True)");
  EXPECT_INVALID(nn::Upsample(2.0f, "bilinear"), "[nn.Upsample] Got unsupported upsampling algorithm: bilinear");
  EXPECT_INVALID(nn::Upsample(-1.0f), "scale_factor must be positive");
  EXPECT_INVALID(up(mx::ones({2, 3})), "at least one spatial axis, got shape (2,3)");
  EXPECT_INVALID(up(mx::ones({1, 2, 2, 2, 1})), "Got 2 scale factors for an input with 3 spatial axes");
  EXPECT_INVALID(nn::Upsample(0.1f)(x), "leaves no elements");
}
