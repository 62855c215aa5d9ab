// SPDX-License-Identifier: MIT
// Tests for nn/layers/transformer.hpp and nn/layers/positional_encoding.hpp against PyTorch
// (tests/data/make_torch_fixtures.py, float64): MultiHeadAttention against
// torch.nn.MultiheadAttention with distinct key/value input sizes and biases; the encoder
// and decoder layers (pre- and post-norm), a whole Transformer against torch.nn.Transformer
// with the attention biases zeroed (MLX's layers have none); outputs, parameter and input
// gradients. RoPE, SinusoidalPositionalEncoding and ALiBi against MLX's formulas written
// in torch. Parameter names and printing; bad input.
#include "../error_message.hpp"
#include "../torch_fixtures.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
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
/// Loads the case's parameters into m (every parameter of m must be in the case), runs
/// forward, compares the output and every parameter's gradient of sum(out * cot).
void check_module(nn::Module& m, const json& c, const std::function<mx::array()>& forward, double atol,
                  const std::string& what) {
  m.update(fixture_params(c));
  ASSERT_EQ(m.parameters().size(), c["params"].size()) << what;
  mx::array cot = fixture_array(c["inputs"]["cot"]);
  expect_fixture(forward(), c["outputs"]["y"], atol, what + " y");
  auto vg = nn::value_and_grad(m, [&](const std::vector<mx::array>&) { return mx::sum(mx::multiply(forward(), cot)); });
  auto [loss, grads] = vg({});
  for (const auto& [k, g] : grads) {
    ASSERT_TRUE(c["grads"].contains(k)) << what << " " << k;
    expect_fixture(g, c["grads"][k], atol * 10, what + " d" + k);
  }
}
std::optional<mx::array> in(const json& c, const char* k) { return fixture_array(c["inputs"][k]); }
}  // namespace

TEST(MultiHeadAttention, MatchesTorchWithKeyAndValueDims) {
  const auto& c = torch_case("nn_mha");
  nn::MultiHeadAttention mha(8, 2, std::nullopt, 6, 5, std::nullopt, std::nullopt, /*bias=*/true);
  mx::array q = *in(c, "queries"), k = *in(c, "keys"), v = *in(c, "values");
  auto mask = in(c, "mask");
  check_module(mha, c, [&] { return mha(q, k, v, mask); }, 1e-5, "mha");
  // Input gradients.
  mha.update(fixture_params(c));
  auto g = mx::vjp([&](const std::vector<mx::array>& a) { return std::vector<mx::array>{mha(a[0], a[1], a[2], mask)}; },
                   {q, k, v}, {*in(c, "cot")})
               .second;
  expect_fixture(g[0], c["grads"]["queries"], 1e-4, "dqueries");
  expect_fixture(g[1], c["grads"]["keys"], 1e-4, "dkeys");
  expect_fixture(g[2], c["grads"]["values"], 1e-4, "dvalues");
}

TEST(MultiHeadAttention, CausalMasksAndErrors) {
  nn::MultiHeadAttention mha(8, 2);
  EXPECT_EQ(mha.parameters().size(), 4u);  // no biases by default
  mx::array x = mx::random::normal({2, 5, 8});
  mx::array m = nn::MultiHeadAttention::create_additive_causal_mask(5);
  EXPECT_EQ(m.shape(), (mx::Shape{5, 5}));
  EXPECT_FLOAT_EQ(mx::take(mx::flatten(m), 1).item<float>(), mx::finfo(mx::float32).min);
  EXPECT_FLOAT_EQ(mx::take(mx::flatten(m), 5).item<float>(), 0.0f);
  // The additive mask and "causal" agree; neither lets a query see later keys.
  EXPECT_TRUE(mx::allclose(mha(x, x, x, m), mha(x, x, x, "causal"), 1e-5, 1e-6).item<bool>());
  mx::array later = mx::concatenate({mx::slice(x, {0, 0, 0}, {2, 3, 8}), mx::random::normal({2, 2, 8})}, 1);
  mx::array a = mx::slice(mha(x, x, x, "causal"), {0, 0, 0}, {2, 3, 8});
  mx::array b = mx::slice(mha(later, later, later, "causal"), {0, 0, 0}, {2, 3, 8});
  EXPECT_TRUE(mx::allclose(a, b, 1e-5, 1e-6).item<bool>());
  EXPECT_INVALID(nn::MultiHeadAttention(10, 3), "divisible by the number of heads (10 % 3) != 0");
  EXPECT_INVALID(mha(mx::ones({5, 8}), x, x), "[nn.MultiHeadAttention] Expected inputs of shape (batch, sequence, features)");
  EXPECT_INVALID(mha(x, x, x, std::string("upper")), "A string mask must be \"causal\"");
  EXPECT_INVALID(mha(mx::ones({2, 5, 7}), x, x), "[nn.MultiHeadAttention] Expected queries with 8 features, got shape (2,5,7)");
  EXPECT_INVALID(mha(x, x, mx::ones({2, 4, 8})), "keys and values of one length");
}

TEST(TransformerLayers, EncoderLayerPreAndPostNormMatchTorch) {
  for (bool pre : {true, false}) {
    const auto& c = torch_case(std::string("nn_encoder_layer_") + (pre ? "pre" : "post"));
    nn::TransformerEncoderLayer l(8, 2, 16, 0.0f, nn::detail::default_activation(), pre);
    mx::array x = *in(c, "x");
    auto mask = in(c, "mask");
    check_module(l, c, [&] { return l(x, mask); }, 1e-5, pre ? "pre" : "post");
  }
}

TEST(TransformerLayers, DecoderLayerPreAndPostNormMatchTorch) {
  for (bool pre : {true, false}) {
    const auto& c = torch_case(std::string("nn_decoder_layer_") + (pre ? "pre" : "post"));
    nn::TransformerDecoderLayer l(8, 2, 16, 0.0f, nn::detail::default_activation(), pre);
    mx::array x = *in(c, "x"), mem = *in(c, "memory");
    auto mask = in(c, "mask");
    check_module(l, c, [&] { return l(x, mem, mask, std::nullopt); }, 1e-5, pre ? "pre" : "post");
  }
}

TEST(TransformerLayers, WholeTransformerMatchesTorch) {
  const auto& c = torch_case("nn_transformer");
  nn::Transformer t(8, 2, 2, 1, 16);
  mx::array src = *in(c, "src"), tgt = *in(c, "tgt");
  auto tgt_mask = in(c, "tgt_mask");
  check_module(t, c, [&] { return t(src, tgt, std::nullopt, tgt_mask, std::nullopt); }, 1e-5, "transformer");
  EXPECT_TRUE(t.has_parameter("encoder.layers.1.attention.query_proj.weight"));
  EXPECT_TRUE(t.has_parameter("decoder.layers.0.cross_attention.out_proj.weight"));
  EXPECT_TRUE(t.has_parameter("decoder.ln.bias"));
}

TEST(TransformerLayers, DefaultsDropoutAndPrinting) {
  nn::TransformerEncoderLayer l(8, 2);
  EXPECT_EQ(l.parameter("linear1.weight").shape(), (mx::Shape{32, 8}));  // mlp_dims = 4 dims
  const std::string r = repr(l);
  EXPECT_NE(r.find("TransformerEncoderLayer(\n  (attention): MultiHeadAttention("), std::string::npos) << r;
  EXPECT_NE(r.find("(dropout2): Dropout(p=0.0)"), std::string::npos) << r;
  // Dropout is active in training mode only.
  nn::TransformerEncoderLayer d(8, 2, 16, 0.5f);
  mx::array x = mx::random::normal({1, 4, 8});
  d.eval();
  mx::array e1 = d(x, std::nullopt), e2 = d(x, std::nullopt);
  EXPECT_TRUE(mx::array_equal(e1, e2).item<bool>());
  mx::random::seed(3);
  d.train();
  mx::array t1 = d(x, std::nullopt);
  EXPECT_FALSE(mx::allclose(t1, e1).item<bool>());
  // A custom activation reaches the MLP.
  nn::TransformerEncoderLayer g(8, 2, 16, 0.0f, [](const mx::array& a) { return nn::gelu(a); });
  g.update(l.parameters());
  EXPECT_FALSE(mx::allclose(g(x, std::nullopt), l(x, std::nullopt)).item<bool>());
}

TEST(TransformerCheckpoint, TheWholeTransformerMatchesTorchCheckpointed) {
  // checkpoint = true recomputes each layer in the backward pass: the same outputs and the
  // same parameter gradients as torch (check_module runs nn::value_and_grad).
  const auto& c = torch_case("nn_transformer");
  nn::Transformer t(8, 2, 2, 1, 16, 0.0f, nn::detail::default_activation(), nullptr, nullptr,
                    /*norm_first=*/true, /*checkpoint=*/true);
  mx::array src = *in(c, "src"), tgt = *in(c, "tgt");
  auto tgt_mask = in(c, "tgt_mask");
  check_module(t, c, [&] { return t(src, tgt, std::nullopt, tgt_mask, std::nullopt); }, 1e-5, "checkpointed");
}

TEST(TransformerCheckpoint, GradientsEqualThePlainStacksAndMemoryDrops) {
  // Encoder (with a mask) and decoder (with both masks), checkpointed or not, the same
  // weights: the same loss and gradients. The checkpointed encoder's training step peaks
  // lower: it keeps each layer's input, not the attention and MLP intermediates.
  auto step = [](nn::Module& m, const std::function<mx::array()>& forward, size_t* peak) {
    auto vg = nn::value_and_grad(m, [&](const std::vector<mx::array>&) { return mx::sum(mx::square(forward())); });
    const size_t start = mx::get_active_memory();
    mx::reset_peak_memory();
    auto [loss, grads] = vg({});
    std::vector<mx::array> all{loss};
    for (auto& [k, g] : grads) all.push_back(g);
    mx::eval(all);
    if (peak) *peak = mx::get_peak_memory() - start;
    return std::make_pair(loss, grads);
  };
  mx::random::seed(11);
  nn::TransformerEncoder plain(4, 32, 4, 64), ckpt(4, 32, 4, 64, 0.0f,
                                                    nn::detail::default_activation(), true, true);
  ckpt.update(plain.parameters());
  mx::array x = mx::random::normal({4, 64, 32});
  mx::eval(x);
  mx::array mask = nn::MultiHeadAttention::create_additive_causal_mask(64);
  size_t plain_peak = 0, ckpt_peak = 0;
  auto [l1, g1] = step(plain, [&] { return plain(x, mask); }, &plain_peak);
  auto [l2, g2] = step(ckpt, [&] { return ckpt(x, mask); }, &ckpt_peak);
  EXPECT_NEAR(l1.item<float>(), l2.item<float>(), 1e-4f * std::abs(l1.item<float>()));
  ASSERT_EQ(g1.size(), g2.size());
  for (const auto& [k, g] : g1) EXPECT_TRUE(mx::allclose(g, g2.at(k), 1e-4, 1e-5).item<bool>()) << k;
  std::printf("[ memory ] TransformerEncoder 4 layers, (4, 64, 32), training-step peak: plain %.2f MB, "
              "checkpoint %.2f MB\n", plain_peak / 1e6, ckpt_peak / 1e6);
  EXPECT_LT(static_cast<double>(ckpt_peak), 0.8 * static_cast<double>(plain_peak));

  nn::TransformerDecoder dplain(2, 8, 2, 16), dckpt(2, 8, 2, 16, 0.0f,
                                                   nn::detail::default_activation(), true, true);
  dckpt.update(dplain.parameters());
  mx::array y = mx::random::normal({2, 5, 8}), mem = mx::random::normal({2, 3, 8});
  mx::array ymask = nn::MultiHeadAttention::create_additive_causal_mask(5), mmask = mx::zeros({5, 3});
  auto [d1, dg1] = step(dplain, [&] { return dplain(y, mem, ymask, mmask); }, nullptr);
  auto [d2, dg2] = step(dckpt, [&] { return dckpt(y, mem, ymask, mmask); }, nullptr);
  EXPECT_NEAR(d1.item<float>(), d2.item<float>(), 1e-4f * std::abs(d1.item<float>()));
  for (const auto& [k, g] : dg1) EXPECT_TRUE(mx::allclose(g, dg2.at(k), 1e-4, 1e-5).item<bool>()) << k;
  // Without masks too (the layer's inputs are then y and memory only).
  auto [d3, dg3] = step(dplain, [&] { return dplain(y, mem, std::nullopt, std::nullopt); }, nullptr);
  auto [d4, dg4] = step(dckpt, [&] { return dckpt(y, mem, std::nullopt, std::nullopt); }, nullptr);
  EXPECT_NEAR(d3.item<float>(), d4.item<float>(), 1e-4f * std::abs(d3.item<float>()));
  for (const auto& [k, g] : dg3) EXPECT_TRUE(mx::allclose(g, dg4.at(k), 1e-4, 1e-5).item<bool>()) << k;
}

TEST(TransformerCheckpoint, NnCheckpointGivesParametersTheirGradients) {
  // nn::checkpoint passes the module's trainable parameters in explicitly; core::checkpoint
  // of a lambda that captures the module would treat them as constants.
  nn::Linear lin(3, 2);
  auto ck = nn::checkpoint(lin);
  mx::array x({1.0f, -2.0f, 0.5f, 0.25f, 3.0f, -1.0f}, {2, 3});
  auto [l1, g1] = nn::value_and_grad(lin, [&](const std::vector<mx::array>&) { return mx::sum(mx::tanh(lin(x))); })({});
  auto [l2, g2] = nn::value_and_grad(lin, [&](const std::vector<mx::array>&) { return mx::sum(mx::tanh(ck(x))); })({});
  EXPECT_FLOAT_EQ(l1.item<float>(), l2.item<float>());
  ASSERT_EQ(g2.size(), 2u);
  for (const auto& [k, g] : g1) EXPECT_TRUE(mx::allclose(g, g2.at(k), 1e-6, 1e-7).item<bool>()) << k;
  // The module holds its own parameters again after the call, and a frozen one stays a
  // constant (no gradient entry).
  EXPECT_TRUE(mx::array_equal(lin.parameter("weight"), lin.trainable_parameters().at("weight")).item<bool>());
  lin.freeze({"bias"});
  auto [l3, g3] = nn::value_and_grad(lin, [&](const std::vector<mx::array>&) { return mx::sum(mx::tanh(ck(x))); })({});
  EXPECT_EQ(g3.size(), 1u);
  EXPECT_TRUE(mx::allclose(g3.at("weight"), g1.at("weight"), 1e-6, 1e-7).item<bool>());
}

TEST(PositionalEncoding, RoPELayerIsFastRope) {
  const auto& c = torch_case("fast_rope_default");
  mx::array x = *in(c, "x");
  nn::RoPE rope(6, false, 10000.0f, 0.5f);
  expect_fixture(rope(x, 3), c["outputs"]["y"], 1e-5, "rope");
  EXPECT_EQ(repr(rope), "RoPE(6, traditional=False)");
  EXPECT_EQ(rope.parameters().size(), 0u);
  EXPECT_TRUE(mx::array_equal(rope(x), mx::fast::rope(x, 6, false, 10000.0f, 0.5f, 0)).item<bool>());
}

TEST(PositionalEncoding, SinusoidalMatchesFormula) {
  const auto& plain = torch_case("nn_sinusoidal");
  nn::SinusoidalPositionalEncoding pe(8);
  expect_fixture(pe(*in(plain, "x")), plain["outputs"]["y"], 2e-5, "sinusoidal");  // sin(100 f) in float32
  const auto& cf = torch_case("nn_sinusoidal_cos_first_full_turns");
  nn::SinusoidalPositionalEncoding pe2(8, 1e-4f, 1.0f, std::nullopt, true, true);
  expect_fixture(pe2(*in(cf, "x")), cf["outputs"]["y"], 5e-5, "cos_first full_turns");
  EXPECT_EQ(pe.parameters().size(), 0u);  // the frequencies are not parameters
  EXPECT_EQ(pe(mx::zeros({2, 3})).shape(), (mx::Shape{2, 3, 8}));
  EXPECT_INVALID(nn::SinusoidalPositionalEncoding(7), "dims must be even and at least 4, got 7");
}

TEST(PositionalEncoding, ALiBiMatchesThePaperSlopes) {
  for (std::string name : {"nn_alibi_4_heads_offset_0", "nn_alibi_3_heads_offset_2"}) {
    const auto& c = torch_case(name);
    nn::ALiBi alibi;
    expect_fixture(alibi(*in(c, "scores"), c["extra"]["offset"].get<int>()), c["outputs"]["y"], 1e-6, name);
  }
  auto s = nn::ALiBi::alibi_get_slopes(8);
  EXPECT_DOUBLE_EQ(s[0], 0.5);
  EXPECT_DOUBLE_EQ(s[7], 1.0 / 256);
  EXPECT_EQ(nn::ALiBi::alibi_get_slopes(6).size(), 6u);
  nn::ALiBi alibi;
  EXPECT_INVALID(alibi(mx::zeros({2, 3, 3})), "[nn.ALiBi] Expected attention scores (batch, heads, queries, keys)");
}
