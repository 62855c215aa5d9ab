// SPDX-License-Identifier: MIT
// Tests for nn/layers/recurrent.hpp: RNN, GRU and LSTM against torch.nn.RNN, torch.nn.GRU
// and torch.nn.LSTMCell run step by step (tests/data/make_torch_fixtures.py, float64), with
// and without an initial state: every step's output, the gradients of the input and of
// every parameter. Unbatched input, shapes, printing and bad input.
#include "../error_message.hpp"
#include "../torch_fixtures.hpp"
#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
using mlxtest::expect_fixture;
using mlxtest::fixture_array;
using mlxtest::fixture_params;
using mlxtest::torch_case;
using nlohmann::json;

namespace {
std::string repr(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}
/// Output and gradients (input and every parameter) of sum(out * cot) for one case.
template <class Layer, class F>
void check_recurrent(Layer& layer, const json& c, F forward, const std::string& what) {
  layer.update(fixture_params(c));
  mx::array x = fixture_array(c["inputs"]["x"]), cot = fixture_array(c["inputs"]["cot"]);
  expect_fixture(forward(x), c["outputs"]["y"], 1e-5, what + " y");
  auto vg = nn::value_and_grad(layer, [&](const std::vector<mx::array>& in) {
    return mx::sum(mx::multiply(forward(in[0]), cot));
  });
  auto [loss, grads] = vg({x});
  ASSERT_EQ(grads.size(), layer.parameters().size());
  for (const auto& [k, g] : grads) expect_fixture(g, c["grads"][k], 1e-4, what + " d" + k);
  auto gx = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{forward(a[0])}; }, {x}, {cot})
                .second[0];
  expect_fixture(gx, c["grads"]["x"], 1e-4, what + " dx");
}
}  // namespace

TEST(Recurrent, RNNMatchesTorch) {
  nn::RNN rnn(6, 4);
  check_recurrent(rnn, torch_case("nn_rnn"), [&](const mx::array& x) { return rnn(x); }, "rnn");
  const auto& c = torch_case("nn_rnn_h0");
  mx::array h0 = fixture_array(c["inputs"]["h0"]);
  check_recurrent(rnn, c, [&](const mx::array& x) { return rnn(x, h0); }, "rnn h0");
  EXPECT_EQ(repr(rnn), "RNN(input_dims=6, hidden_size=4, bias=True)");
}

TEST(Recurrent, GRUMatchesTorch) {
  nn::GRU gru(6, 4);
  check_recurrent(gru, torch_case("nn_gru"), [&](const mx::array& x) { return gru(x); }, "gru");
  const auto& c = torch_case("nn_gru_h0");
  mx::array h0 = fixture_array(c["inputs"]["h0"]);
  check_recurrent(gru, c, [&](const mx::array& x) { return gru(x, h0); }, "gru h0");
  EXPECT_EQ(repr(gru), "GRU(input_dims=6, hidden_size=4, bias=True)");
}

TEST(Recurrent, LSTMMatchesTorchHiddenAndCellStates) {
  for (std::string tag : {"", "_h0"}) {
    const auto& c = torch_case("nn_lstm" + tag);
    nn::LSTM lstm(6, 4);
    lstm.update(fixture_params(c));
    mx::array x = fixture_array(c["inputs"]["x"]);
    std::optional<mx::array> h0, c0;
    if (!tag.empty()) {
      h0 = fixture_array(c["inputs"]["h0"]);
      c0 = fixture_array(c["inputs"]["c0"]);
    }
    auto [hs, cs] = lstm(x, h0, c0);
    expect_fixture(hs, c["outputs"]["hidden"], 1e-5, "lstm hidden" + tag);
    expect_fixture(cs, c["outputs"]["cell"], 1e-5, "lstm cell" + tag);
    mx::array cot = fixture_array(c["inputs"]["cot"]), cot_c = fixture_array(c["inputs"]["cot_c"]);
    auto vg = nn::value_and_grad(lstm, [&](const std::vector<mx::array>& in) {
      auto [h, cc] = lstm(in[0], h0, c0);
      return mx::add(mx::sum(mx::multiply(h, cot)), mx::sum(mx::multiply(cc, cot_c)));
    });
    auto [loss, grads] = vg({x});
    for (const auto& [k, g] : grads) expect_fixture(g, c["grads"][k], 1e-4, "lstm d" + k + tag);
  }
}

TEST(Recurrent, UnbatchedInputNoBiasAndCustomNonlinearity) {
  nn::GRU gru(3, 2);
  mx::array x = mx::random::normal({2, 5, 3});
  mx::array batched = gru(x);
  mx::array single = gru(mx::take(x, 1, 0));  // (L, D)
  EXPECT_EQ(single.shape(), (mx::Shape{5, 2}));
  EXPECT_TRUE(mx::allclose(single, mx::take(batched, 1, 0), 1e-5, 1e-6).item<bool>());
  nn::LSTM lstm(3, 2, false);
  EXPECT_EQ(lstm.parameters().size(), 2u);
  EXPECT_EQ(lstm(x).shape(), (mx::Shape{2, 5, 2}));  // the one-argument form gives the hidden states
  nn::RNN relu_rnn(3, 2, true, [](const mx::array& a) { return nn::relu(a); });
  EXPECT_GE(mx::min(relu_rnn(x)).item<float>(), 0.0f);
  nn::RNN tanh_rnn(3, 2);
  tanh_rnn.update(relu_rnn.parameters());
  EXPECT_LT(mx::min(tanh_rnn(x)).item<float>(), 0.0f);
}

TEST(Recurrent, BadInput) {
  nn::RNN rnn(6, 4);
  nn::GRU gru(6, 4);
  nn::LSTM lstm(6, 4);
  EXPECT_INVALID(rnn(mx::ones({2, 5, 7})), "[nn.RNN] Expected input of shape (N, L, 6) or (L, 6), got (2,5,7)");
  EXPECT_INVALID(gru(mx::ones({1, 2, 5, 6})), "[nn.GRU] Expected input of shape (N, L, 6)");
  EXPECT_INVALID(lstm(mx::ones({2, 5, 6}), mx::ones({3, 4})), "[nn.LSTM] Expected the hidden state of shape (2,4), got (3,4)");
  EXPECT_INVALID(lstm(mx::ones({2, 5, 6}), std::nullopt, mx::ones({2, 5})), "[nn.LSTM] Expected the cell state of shape (2,4)");
  EXPECT_INVALID(nn::GRU(0, 4), "[nn.GRU] input_size and hidden_size must be positive");
}
