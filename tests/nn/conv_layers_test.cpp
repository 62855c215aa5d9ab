// SPDX-License-Identifier: MIT
// Tests for the layers added to nn/layers/{conv,pooling,dropout}.hpp: Conv3d,
// ConvTranspose1d/2d/3d, MaxPool3d, AvgPool3d against PyTorch 1.13 in float64
// (tests/data/make_torch_fixtures.py: F.conv3d, F.conv_transpose*d with stride, padding,
// dilation, output padding and bias, F.max_pool3d / F.avg_pool3d, channels-last inputs
// permuted to torch's layout and back): outputs, input gradients and parameter gradients.
// Dropout2d/3d structurally (whole channels dropped, survivors scaled, eval identity).
// Parameter shapes and initialisation, printing and bad arguments.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include "../torch_fixtures.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
using mlxtest::expect_fixture;
using mlxtest::fixture_array;
using mlxtest::fixture_params;
using mlxtest::to_doubles;
using mlxtest::torch_case;
using nlohmann::json;

namespace {
std::string repr(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}
/// Loads the case's weight and bias into m, compares the output, the gradient of
/// sum(out * cot) for the input and for every parameter.
void check_layer(nn::Module& m, const json& c, double atol, const std::string& what) {
  m.update(fixture_params(c));
  ASSERT_EQ(m.parameters().size(), c["params"].size()) << what;
  for (const auto& [k, p] : m.parameters())
    EXPECT_EQ(p.shape(), c["params"][k]["shape"].get<mx::Shape>()) << what << " " << k;
  mx::array x = fixture_array(c["inputs"]["x"]), cot = fixture_array(c["inputs"]["cot"]);
  expect_fixture(m(x), c["outputs"]["y"], atol, what + " y");
  auto dx = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{m(a[0])}; }, {x}, {cot})
                .second[0];
  expect_fixture(dx, c["grads"]["x"], atol * 10, what + " dx");
  auto vg = nn::value_and_grad(m, [&](const std::vector<mx::array>&) { return mx::sum(mx::multiply(m(x), cot)); });
  auto [loss, grads] = vg({});
  ASSERT_EQ(grads.size(), 2u) << what;
  for (const auto& [k, g] : grads) {
    ASSERT_TRUE(c["grads"].contains(k)) << what << " " << k;
    expect_fixture(g, c["grads"][k], atol * 10, what + " d" + k);
  }
}
/// The pooling case's input gradient and output.
void check_pool(nn::Module& m, const json& c, const std::string& what) {
  mx::array x = fixture_array(c["inputs"]["x"]), cot = fixture_array(c["inputs"]["cot"]);
  expect_fixture(m(x), c["outputs"]["y"], 1e-6, what + " y");
  auto dx = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{m(a[0])}; }, {x}, {cot})
                .second[0];
  expect_fixture(dx, c["grads"]["x"], 1e-5, what + " dx");
}
/// The layer's output is the core op's plus the bias (the layer inserts the stride's zeros
/// itself, so that it differentiates; the values must not change).
void expect_core(const mx::array& layer, const mx::array& core, const mx::array& bias) {
  ASSERT_EQ(layer.shape(), core.shape());
  EXPECT_TRUE(mx::allclose(layer, mx::add(core, bias), 1e-5, 1e-6).item<bool>());
}
std::vector<int> ints(const json& v) { return v.get<std::vector<int>>(); }
/// Every weight element lies in [-s, s], s = sqrt(1 / fan_in), and the bias starts at zero.
void expect_mlx_init(const nn::Module& m, double fan_in) {
  const double s = std::sqrt(1.0 / fan_in);
  for (double v : to_doubles(m.parameter("weight"))) EXPECT_LE(std::abs(v), s + 1e-7);
  for (double v : to_doubles(m.parameter("bias"))) EXPECT_EQ(v, 0.0);
}
}  // namespace

TEST(Conv3d, MatchesTorchWithStridePaddingDilationAndBias) {
  const auto& c = torch_case("nn_conv3d");
  EXPECT_EQ(ints(c["extra"]["stride"]), (std::vector<int>{1, 2, 1}));
  nn::Conv3d conv(2, 3, {2, 3, 2}, {1, 2, 1}, {1, 0, 1}, {2, 1, 1});
  EXPECT_EQ(conv.parameter("weight").shape(), (mx::Shape{3, 2, 3, 2, 2}));  // (C_out, kD, kH, kW, C_in)
  EXPECT_EQ(conv.parameter("bias").shape(), (mx::Shape{3}));
  expect_mlx_init(conv, 2 * 2 * 3 * 2);
  check_layer(conv, c, 1e-5, "conv3d");
}

TEST(ConvTranspose, OneDimensionalMatchesTorch) {
  const auto& c = torch_case("nn_conv_transpose1d");
  nn::ConvTranspose1d conv(4, 3, 3, /*stride=*/2, /*padding=*/1, /*dilation=*/2, /*output_padding=*/1);
  EXPECT_EQ(conv.parameter("weight").shape(), (mx::Shape{3, 3, 4}));  // (C_out, k, C_in), MLX's layout
  expect_mlx_init(conv, 4 * 3);
  check_layer(conv, c, 1e-5, "conv_transpose1d");
  mx::array x = fixture_array(c["inputs"]["x"]);
  expect_core(conv(x), mx::conv_transpose1d(x, conv.parameter("weight"), 2, 1, 2, 1), conv.parameter("bias"));
  // (5 - 1) * 2 - 2 * 1 + 2 * (3 - 1) + 1 + 1 = 12
  EXPECT_EQ(conv(mx::zeros({2, 5, 4})).shape(), (mx::Shape{2, 12, 3}));
}

TEST(ConvTranspose, TwoDimensionalMatchesTorch) {
  const auto& c = torch_case("nn_conv_transpose2d");
  nn::ConvTranspose2d conv(2, 3, {3, 2}, {2, 1}, {1, 0}, {1, 2}, {1, 1});
  EXPECT_EQ(conv.parameter("weight").shape(), (mx::Shape{3, 3, 2, 2}));
  expect_mlx_init(conv, 2 * 3 * 2);
  check_layer(conv, c, 1e-5, "conv_transpose2d");
  mx::array xc = fixture_array(c["inputs"]["x"]);
  expect_core(conv(xc), mx::conv_transpose2d(xc, conv.parameter("weight"), {2, 1}, {1, 0}, {1, 2}, {1, 1}),
              conv.parameter("bias"));
  // The square overload is the pair one with equal sides.
  nn::ConvTranspose2d sq(2, 3, 3, 2, 1, 1, 1), pr(2, 3, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1});
  pr.update(sq.parameters());
  mx::array x = mx::random::normal({1, 3, 4, 2});
  EXPECT_EQ(sq(x).shape(), (mx::Shape{1, 6, 8, 3}));
  EXPECT_TRUE(mx::array_equal(sq(x), pr(x)).item<bool>());
}

TEST(ConvTranspose, ThreeDimensionalMatchesTorch) {
  const auto& c = torch_case("nn_conv_transpose3d");
  nn::ConvTranspose3d conv(2, 2, {2, 2, 3}, {2, 1, 2}, {0, 1, 1}, {1, 2, 1}, {1, 0, 1});
  EXPECT_EQ(conv.parameter("weight").shape(), (mx::Shape{2, 2, 2, 3, 2}));
  expect_mlx_init(conv, 2 * 2 * 2 * 3);
  check_layer(conv, c, 1e-5, "conv_transpose3d");
  mx::array x = fixture_array(c["inputs"]["x"]);
  expect_core(conv(x),
              mx::conv_transpose3d(x, conv.parameter("weight"), {2, 1, 2}, {0, 1, 1}, {1, 2, 1}, {1, 0, 1}),
              conv.parameter("bias"));
}

TEST(ConvTranspose, IsTheGradientOfTheConvolution) {
  // ConvTranspose2d(2, 3) with the weight of Conv2d(3, 2) with its channel axes swapped
  // ((2, k, k, 3) -> (3, k, k, 2), no flip) is that convolution's vjp with respect to its input.
  mx::random::seed(5);
  nn::Conv2d conv(3, 2, 3, 2, 1, 1, 1, false);
  nn::ConvTranspose2d tconv(2, 3, 3, 2, 1, 1, 1, false);
  tconv.update({{"weight", mx::transpose(conv.parameter("weight"), {3, 1, 2, 0})}});
  mx::array x = mx::random::normal({1, 6, 6, 3}), g = mx::random::normal({1, 3, 3, 2});
  auto dx = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{conv(a[0])}; }, {x}, {g})
                .second[0];
  // Conv2d's output (3, 3) from (6, 6); the transposed layer gives back (6, 6) with output_padding 1.
  EXPECT_TRUE(mx::allclose(tconv(g), dx, 1e-5, 1e-5).item<bool>());
}

TEST(Pooling3d, MaxAndAverageMatchTorch) {
  for (std::string kind : {"max", "avg"})
    for (std::string tag : {"tiled", "overlap"}) {
      const auto& c = torch_case("nn_" + kind + "_pool3d_" + tag);
      const auto& e = c["extra"];
      std::vector<int> k = ints(e["kernel_size"]), s = ints(e["stride"]), p = ints(e["padding"]);
      if (kind == "max") {
        nn::MaxPool3d pool(k, s, p);
        check_pool(pool, c, kind + " " + tag);
      } else {
        nn::AvgPool3d pool(k, s, p);
        check_pool(pool, c, kind + " " + tag);
      }
    }
  // The default stride is the kernel size; an int is used on every axis.
  mx::array x = mx::random::normal({2, 4, 4, 6, 3});
  EXPECT_TRUE(mx::array_equal(nn::MaxPool3d(2)(x), nn::MaxPool3d({2, 2, 2}, {2, 2, 2}, {0, 0, 0})(x)).item<bool>());
  EXPECT_EQ(nn::AvgPool3d(2, 1, 1)(x).shape(), (mx::Shape{2, 5, 5, 7, 3}));
  EXPECT_EQ(nn::MaxPool3d(3, 2)(x).shape(), (mx::Shape{2, 1, 1, 2, 3}));
}

namespace {
/// Checks that every (sample, channel) of y is either all zero or x / (1 - p) at each of its
/// `spatial` axes' positions (x has no zeros); returns the fraction of channels kept.
double check_whole_channels(const mx::array& x, const mx::array& y, float p, int spatial) {
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_EQ(y.dtype(), x.dtype());
  auto xv = to_doubles(x), yv = to_doubles(y);
  const auto& s = x.shape();
  const int C = s.back();
  int64_t positions = 1;
  for (int i = 0; i < spatial; ++i) positions *= s[s.size() - 2 - i];
  const int64_t samples = static_cast<int64_t>(xv.size()) / (positions * C);
  int kept = 0, mixed = 0, badly_scaled = 0;
  for (int64_t n = 0; n < samples; ++n)
    for (int c = 0; c < C; ++c) {
      int zeros = 0;
      for (int64_t q = 0; q < positions; ++q) {
        const int64_t i = (n * positions + q) * C + c;
        if (yv[i] == 0.0)
          ++zeros;
        else if (std::abs(yv[i] - xv[i] / (1.0 - p)) > 1e-5 * std::abs(xv[i] / (1.0 - p)))
          ++badly_scaled;
      }
      if (zeros != 0 && zeros != positions) ++mixed;
      kept += zeros == 0;
    }
  EXPECT_EQ(mixed, 0) << "channels partly dropped";
  EXPECT_EQ(badly_scaled, 0) << "survivors not scaled by 1 / (1 - p)";
  return static_cast<double>(kept) / static_cast<double>(samples * C);
}
}  // namespace

TEST(ChannelDropout, Dropout2dZeroesWholeChannelsAndScalesSurvivors) {
  mx::random::seed(21);
  nn::Dropout2d d(0.25f);
  mx::array x = mx::random::uniform(0.5f, 1.5f, {64, 3, 4, 32});
  EXPECT_NEAR(check_whole_channels(x, d(x), 0.25f, 2), 0.75, 0.05);  // 2048 channels
  // (H, W, C): one draw per channel.
  mx::array x3 = mx::random::uniform(0.5f, 1.5f, {5, 4, 512});
  EXPECT_NEAR(check_whole_channels(x3, d(x3), 0.25f, 2), 0.75, 0.06);
  // Two calls draw different masks.
  EXPECT_FALSE(mx::array_equal(d(x), d(x)).item<bool>());
  // Eval mode and p = 0 return the input itself.
  d.eval();
  EXPECT_EQ(d(x).id(), x.id());
  nn::Dropout2d none(0.0f);
  EXPECT_EQ(none(x).id(), x.id());
  // Half precision stays half.
  nn::Dropout2d h(0.5f);
  EXPECT_EQ(h(mx::ones({2, 2, 2, 4}, mx::float16)).dtype(), mx::float16);
}

TEST(ChannelDropout, Dropout3dZeroesWholeChannelsAndScalesSurvivors) {
  mx::random::seed(22);
  nn::Dropout3d d(0.5f);
  mx::array x = mx::random::uniform(0.5f, 1.5f, {32, 2, 3, 2, 32});
  EXPECT_NEAR(check_whole_channels(x, d(x), 0.5f, 3), 0.5, 0.05);  // 1024 channels
  mx::array x4 = mx::random::uniform(0.5f, 1.5f, {2, 2, 3, 512});  // (D, H, W, C)
  EXPECT_NEAR(check_whole_channels(x4, d(x4), 0.5f, 3), 0.5, 0.07);
  d.eval();
  EXPECT_EQ(d(x).id(), x.id());
  // The gradient flows through the kept channels only, scaled the same way.
  d.train();
  mx::random::seed(23);
  mx::array y = d(x);
  mx::random::seed(23);
  auto g = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{d(a[0])}; }, {x},
                   {mx::ones(x.shape())})
               .second[0];
  EXPECT_TRUE(mx::allclose(mx::multiply(g, x), y, 1e-5, 1e-6).item<bool>());
}

TEST(ConvLayers, Printing) {
  EXPECT_EQ(repr(nn::Conv3d(2, 4, {1, 2, 3}, {1, 1, 2}, {0, 1, 0}, {1, 2, 1})),
            "Conv3d(2, 4, kernel_size=(1, 2, 3), stride=(1, 1, 2), padding=(0, 1, 0), dilation=(1, 2, 1), bias=True)");
  EXPECT_EQ(repr(nn::Conv3d(2, 4, 3, 1, 0, 1, false)),
            "Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(0, 0, 0), dilation=(1, 1, 1), bias=False)");
  EXPECT_EQ(repr(nn::ConvTranspose1d(4, 3, 3, 2, 1, 2, 1)),
            "ConvTranspose1d(4, 3, kernel_size=3, stride=2, padding=1, dilation=2, output_padding=1, bias=True)");
  EXPECT_EQ(repr(nn::ConvTranspose2d(2, 3, {3, 2}, {2, 1}, {1, 0}, {1, 2}, {1, 1}, false)),
            "ConvTranspose2d(2, 3, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), "
            "output_padding=(1, 1), bias=False)");
  EXPECT_EQ(repr(nn::ConvTranspose3d(2, 5, 2)),
            "ConvTranspose3d(2, 5, kernel_size=(2, 2, 2), stride=(1, 1, 1), padding=(0, 0, 0), dilation=(1, 1, 1), "
            "output_padding=(0, 0, 0), bias=True)");
  EXPECT_EQ(repr(nn::MaxPool3d(2)), "MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))");
  EXPECT_EQ(repr(nn::AvgPool3d({1, 2, 3}, {1, 1, 1}, {0, 1, 1})),
            "AvgPool3d(kernel_size=(1, 2, 3), stride=(1, 1, 1), padding=(0, 1, 1))");
  EXPECT_EQ(repr(nn::Dropout2d()), "Dropout2d(p=0.5)");
  EXPECT_EQ(repr(nn::Dropout3d(0.1f)), "Dropout3d(p=0.1)");
  // Without bias there is only the weight.
  EXPECT_EQ(nn::ConvTranspose1d(4, 3, 3, 1, 0, 1, 0, false).parameters().size(), 1u);
  EXPECT_EQ(nn::Conv3d(2, 4, 3, 1, 0, 1, false).parameters().size(), 1u);
}

TEST(ConvLayers, BadInputsAndArguments) {
  nn::Conv3d c3(2, 4, 2);
  EXPECT_INVALID(c3(mx::ones({1, 3, 3, 2})), "[nn.Conv3d] Expected a 5-D input (N, D, H, W, C), got shape (1,3,3,2)");
  EXPECT_INVALID(c3(mx::ones({1, 3, 3, 3, 3})),
                 "[nn.Conv3d] Expected an input with 2 channels (the last axis), got shape (1,3,3,3,3)");
  EXPECT_INVALID(nn::Conv3d(0, 4, 2), "[nn.Conv3d] in_channels (0) and out_channels (4) must be positive");
  EXPECT_INVALID(nn::Conv3d(2, 4, {2, 0, 2}), "[nn.Conv3d] kernel_size (2,0,2)");
  nn::ConvTranspose1d t1(4, 3, 3);
  EXPECT_INVALID(t1(mx::ones({5, 4})), "[nn.ConvTranspose1d] Expected a 3-D input (N, L, C), got shape (5,4)");
  EXPECT_INVALID(t1(mx::ones({1, 5, 3})), "[nn.ConvTranspose1d] Expected an input with 4 channels");
  nn::ConvTranspose2d t2(2, 3, 3);
  EXPECT_INVALID(t2(mx::ones({1, 4, 4, 2, 1})), "[nn.ConvTranspose2d] Expected a 4-D input (N, H, W, C)");
  EXPECT_INVALID(t2(mx::ones({1, 4, 4, 3})), "[nn.ConvTranspose2d] Expected an input with 2 channels");
  nn::ConvTranspose3d t3(2, 3, 2);
  EXPECT_INVALID(t3(mx::ones({1, 4, 4, 2})), "[nn.ConvTranspose3d] Expected a 5-D input (N, D, H, W, C)");
  EXPECT_INVALID(nn::ConvTranspose2d(2, 3, 3, 1, 0, 1, 1),
                 "[nn.ConvTranspose2d] output_padding (1,1) must be non-negative and smaller than the stride (1,1) "
                 "or the dilation (1,1).");
  EXPECT_INVALID(nn::ConvTranspose1d(4, 3, 2, 1, 2), "[nn.ConvTranspose1d] padding (2,) may not exceed dilation * "
                                                     "(kernel_size - 1)");
  EXPECT_INVALID(nn::ConvTranspose3d(2, 3, {2, 2, 2}, {1, 0, 1}), "[nn.ConvTranspose3d] kernel_size (2,2,2), "
                                                                  "stride (1,0,1)");
  // Conv1d/Conv2d name themselves too.
  EXPECT_INVALID(nn::Conv2d(3, 4, 3)(mx::ones({4, 4, 3})), "[nn.Conv2d] Expected a 4-D input (N, H, W, C)");
  EXPECT_INVALID(nn::Conv1d(2, 4, 3, 1, 0, 1, 2)(mx::ones({1, 5, 3})),
                 "[nn.Conv1d] Expected an input with 2 channels (the last axis), got shape (1,5,3)");
  // Pooling.
  EXPECT_INVALID(nn::MaxPool3d(2)(mx::ones({1, 4, 4, 2})),
                 "[nn.MaxPool3d] Expected a 5-D input (N, D, H, W, C), got shape (1,4,4,2)");
  EXPECT_INVALID(nn::AvgPool3d(std::vector<int>{2, 2}), "[nn.AvgPool3d] Expected 3 sizes, got 2.");
  EXPECT_INVALID(nn::AvgPool3d(5)(mx::ones({1, 4, 4, 4, 1})), "larger than the padded input");
  EXPECT_INVALID(nn::MaxPool3d(std::vector<int>{2, 2, 0})(mx::ones({1, 4, 4, 4, 1})), "kernel_size and stride must be positive");
  // Dropout.
  EXPECT_INVALID(nn::Dropout2d(1.0f), "[nn.Dropout2d] The dropout probability 1 is not in [0, 1).");
  EXPECT_INVALID(nn::Dropout3d(-0.1f), "[nn.Dropout3d] The dropout probability -0.1 is not in [0, 1).");
  nn::Dropout2d d2;
  EXPECT_INVALID(d2(mx::ones({4, 4})), "[nn.Dropout2d] Received input with 2 dimensions. Expected 3 or 4 dimensions.");
  d2.eval();  // the rank is checked in eval mode too, as MLX does
  EXPECT_INVALID(d2(mx::ones({1, 2, 4, 4, 3})), "Received input with 5 dimensions. Expected 3 or 4 dimensions.");
  nn::Dropout3d d3;
  EXPECT_INVALID(d3(mx::ones({4, 4, 3})), "[nn.Dropout3d] Received input with 3 dimensions. Expected 4 or 5 dimensions.");
}
