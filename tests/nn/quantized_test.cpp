// SPDX-License-Identifier: MIT
// Tests for nn/layers/quantized.hpp: QuantizedLinear and QuantizedEmbedding against the
// dequantized weights (and near the float layers), from_linear / from_embedding,
// nn::quantize on a module tree (names, frozen packed weights, predicate, shared layers,
// refused parents, nothing half done), gradients to the input and the bias through
// QuantizedMatmul's vjp (and its jvp), save/load of a quantized model, errors and printing.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
using mlxtest::to_doubles;
using V = std::vector<double>;

namespace {
std::string repr(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}
std::vector<std::string> keys(const nn::ParameterMap& m) {
  std::vector<std::string> out;
  for (const auto& kv : m) out.push_back(kv.first);
  return out;
}
double max_abs_diff(const mx::array& a, const mx::array& b) {
  auto x = to_doubles(a), y = to_doubles(b);
  EXPECT_EQ(x.size(), y.size());
  double m = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
  return m;
}
// Elementwise |a - b| <= tol * (1 + |b|).
void expect_close(const mx::array& a, const mx::array& b, double tol = 1e-5) {
  auto x = to_doubles(a), y = to_doubles(b);
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], tol * (1 + std::abs(y[i]))) << i;
}
// The float weight a QuantizedLinear / QuantizedEmbedding computes with.
mx::array dequantized(const nn::Module& m, int group_size, int bits) {
  return mx::dequantize(m.parameter("weight"), m.parameter("scales"), m.parameter("biases"), group_size, bits);
}
std::string tmp(const std::string& name) { return ::testing::TempDir() + "mlxpp_quantized_" + name; }
}  // namespace

TEST(QuantizedLinear, MatchesTheDequantizedWeightAndTheFloatLayer) {
  mx::random::seed(11);
  nn::Linear lin(128, 16);
  mx::array x = mx::random::normal({5, 128});
  for (int bits : {2, 3, 4, 5, 6, 8}) {
    auto q = nn::QuantizedLinear::from_linear(lin, 64, bits);
    mx::array y = (*q)(x);
    EXPECT_EQ(y.shape(), (mx::Shape{5, 16}));
    EXPECT_EQ(y.dtype(), mx::float32);
    // x @ dequantize(w).T + b, up to the order of the float32 sums.
    mx::array ref = mx::array(mx::matmul(x, mx::transpose(dequantized(*q, 64, bits))) + lin.parameter("bias"));
    expect_close(y, ref, 1e-5);
    // Near the float layer: each weight is off by at most one step |scale|, so the error
    // shrinks about 2x per extra bit (measured: 8 bits ~0.006, 4 bits ~0.1, 2 bits ~0.5).
    const double err = max_abs_diff(y, lin(x));
    EXPECT_LT(err, 3.0 * std::pow(2.0, -bits)) << bits;
  }
  // 1-d and batched inputs, as quantized_matmul takes them.
  auto q = nn::QuantizedLinear::from_linear(lin);
  mx::array x3 = mx::random::normal({2, 3, 128});
  EXPECT_EQ((*q)(x3).shape(), (mx::Shape{2, 3, 16}));
  expect_close((*q)(mx::reshape(mx::slice(x, {0, 0}, {1, 128}), {128})),
               mx::reshape(mx::slice((*q)(x), {0, 0}, {1, 16}), {16}));
}

TEST(QuantizedLinear, FromLinearAndConstructor) {
  mx::random::seed(3);
  nn::Linear lin(64, 8);
  auto q = nn::QuantizedLinear::from_linear(lin, 32, 8);
  auto want = mx::quantize(lin.parameter("weight"), 32, 8);
  EXPECT_EQ(q->parameter("weight").dtype(), mx::uint32);
  EXPECT_EQ(q->parameter("weight").shape(), (mx::Shape{8, 16}));  // 64 * 8 / 32 words per row
  EXPECT_EQ(q->parameter("scales").shape(), (mx::Shape{8, 2}));   // 64 / 32 groups
  EXPECT_EQ(to_doubles(q->parameter("weight")), to_doubles(want[0]));
  EXPECT_EQ(to_doubles(q->parameter("scales")), to_doubles(want[1]));
  EXPECT_EQ(to_doubles(q->parameter("biases")), to_doubles(want[2]));
  EXPECT_EQ(q->parameter("bias").id(), lin.parameter("bias").id());  // the same array
  EXPECT_EQ(q->input_dims(), 64);
  EXPECT_EQ(q->output_dims(), 8);
  EXPECT_EQ(q->group_size(), 32);
  EXPECT_EQ(q->bits(), 8);
  // Without a bias, and from the constructor (zero bias, as MLX).
  auto nob = nn::QuantizedLinear::from_linear(nn::Linear(64, 4, false));
  EXPECT_EQ(keys(nob->parameters()), (std::vector<std::string>{"biases", "scales", "weight"}));
  EXPECT_TRUE(nob->trainable_parameters().empty());
  nn::QuantizedLinear made(128, 3);
  EXPECT_EQ(made.input_dims(), 128);
  EXPECT_EQ(to_doubles(made.parameter("bias")), (V{0, 0, 0}));
  EXPECT_EQ(keys(made.trainable_parameters()), (std::vector<std::string>{"bias"}));
  EXPECT_TRUE(made.is_frozen("weight") && made.is_frozen("scales") && made.is_frozen("biases"));
  EXPECT_FALSE(made.is_frozen("bias"));
  // float16 weights give float16 scales, biases and outputs.
  nn::Linear half(64, 2);
  half.update({{"weight", mx::astype(half.parameter("weight"), mx::float16)},
               {"bias", mx::astype(half.parameter("bias"), mx::float16)}});
  auto qh = nn::QuantizedLinear::from_linear(half);
  EXPECT_EQ(qh->parameter("scales").dtype(), mx::float16);
  EXPECT_EQ((*qh)(mx::astype(mx::ones({1, 64}), mx::float16)).dtype(), mx::float16);
}

TEST(QuantizedEmbedding, GathersDequantizedRowsAndActsAsLinear) {
  mx::random::seed(5);
  nn::Embedding emb(10, 64);
  auto q = nn::QuantizedEmbedding::from_embedding(emb, 32, 4);
  mx::array table = dequantized(*q, 32, 4);
  mx::array idx({3, 0, 9, 3, 1, 7}, {2, 3}, mx::int32);
  mx::array y = (*q)(idx);
  EXPECT_EQ(y.shape(), (mx::Shape{2, 3, 64}));
  EXPECT_EQ(to_doubles(y), to_doubles(mx::take(table, idx, 0)));  // the same dequantized rows
  EXPECT_LT(max_abs_diff(y, emb(idx)), 0.2);
  // A 0-d index gives one row (MLX's dequantize would refuse the 1-d gathered row).
  EXPECT_EQ(to_doubles((*q)(mx::array(9, mx::int32))), to_doubles(mx::take(table, mx::array(9, mx::int32), 0)));
  // Tied output head: x @ table.T.
  mx::array h = mx::random::normal({4, 64});
  expect_close(q->as_linear(h), mx::matmul(h, mx::transpose(table)), 1e-5);
  EXPECT_EQ(q->num_embeddings(), 10);
  EXPECT_EQ(q->dims(), 64);
  EXPECT_TRUE(q->trainable_parameters().empty());
  nn::QuantizedEmbedding made(100, 128);
  EXPECT_EQ(made.parameter("weight").shape(), (mx::Shape{100, 16}));
  EXPECT_EQ(made.parameter("scales").shape(), (mx::Shape{100, 2}));
}

TEST(Quantize, ReplacesDivisibleLinearAndEmbeddingLayers) {
  mx::random::seed(7);
  auto emb = std::make_shared<nn::Embedding>(20, 64);
  auto l1 = std::make_shared<nn::Linear>(64, 128);
  auto l2 = std::make_shared<nn::Linear>(128, 48);
  auto l3 = std::make_shared<nn::Linear>(48, 5);  // 48 is no multiple of 64: kept
  nn::Sequential model(emb, l1, std::make_shared<nn::ReLU>(), l2, l3);
  model.eval();
  mx::array idx({1, 4, 19}, mx::int32);
  mx::array before = model(idx);

  nn::quantize(model);
  EXPECT_EQ(model[0]->name(), "QuantizedEmbedding");
  EXPECT_EQ(model[1]->name(), "QuantizedLinear");
  EXPECT_EQ(model[2]->name(), "ReLU");
  EXPECT_EQ(model[3]->name(), "QuantizedLinear");
  EXPECT_EQ(model[4].get(), l3.get());
  EXPECT_EQ(model.children()[3].second.get(), model[3].get());  // children() and the layers agree
  EXPECT_FALSE(model[1]->training());                           // the training mode carries over
  EXPECT_EQ(keys(model.parameters()),
            (std::vector<std::string>{"layers.0.biases", "layers.0.scales", "layers.0.weight", "layers.1.bias",
                                      "layers.1.biases", "layers.1.scales", "layers.1.weight", "layers.3.bias",
                                      "layers.3.biases", "layers.3.scales", "layers.3.weight", "layers.4.bias",
                                      "layers.4.weight"}));
  EXPECT_EQ(keys(model.trainable_parameters()),
            (std::vector<std::string>{"layers.1.bias", "layers.3.bias", "layers.4.bias", "layers.4.weight"}));
  EXPECT_EQ(model.parameter("layers.1.weight").dtype(), mx::uint32);
  // The forward pass now goes through the quantized layers: the same as composing them.
  mx::array after = model(idx);
  mx::array ref = (*model[1])((*model[0])(idx));
  ref = (*l3)((*model[3])(mx::maximum(ref, 0.0f)));
  EXPECT_EQ(to_doubles(after), to_doubles(ref));
  EXPECT_LT(max_abs_diff(after, before), 0.1);
  EXPECT_GT(max_abs_diff(after, before), 0.0);
  // Quantizing again changes nothing (the quantized layers are no Linear / Embedding).
  const auto* q1 = model[1].get();
  nn::quantize(model);
  EXPECT_EQ(model[1].get(), q1);
}

TEST(Quantize, PredicateNestingAndSharedLayers) {
  mx::random::seed(8);
  auto shared = std::make_shared<nn::Linear>(64, 64);
  auto inner = std::make_shared<nn::Sequential>(shared, std::make_shared<nn::Linear>(64, 64));
  nn::Sequential model(inner, shared, std::make_shared<nn::Linear>(64, 32));
  std::vector<std::string> seen;
  nn::quantize(model, 32, 8, [&](const std::string& path, const nn::Module& m) {
    seen.push_back(path + ":" + m.name());
    return path != "layers.2";
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"layers.0.layers.0:Linear", "layers.0.layers.1:Linear",
                                             "layers.1:Linear", "layers.2:Linear"}));
  auto& in = static_cast<const nn::Sequential&>(*model[0]);
  EXPECT_EQ(in[0]->name(), "QuantizedLinear");
  EXPECT_EQ(in[0].get(), model[1].get());  // the shared layer stays shared
  EXPECT_EQ(in[1]->name(), "QuantizedLinear");
  EXPECT_EQ(model[2]->name(), "Linear");
  EXPECT_EQ(static_cast<const nn::QuantizedLinear&>(*model[1]).bits(), 8);
  EXPECT_EQ(repr(model),
            "Sequential(\n"
            "  (layers.0): Sequential(\n"
            "    (layers.0): QuantizedLinear(input_dims=64, output_dims=64, bias=True, group_size=32, bits=8, "
            "mode=affine)\n"
            "    (layers.1): QuantizedLinear(input_dims=64, output_dims=64, bias=True, group_size=32, bits=8, "
            "mode=affine)\n"
            "  )\n"
            "  (layers.1): QuantizedLinear(input_dims=64, output_dims=64, bias=True, group_size=32, bits=8, "
            "mode=affine)\n"
            "  (layers.2): Linear(input_dims=64, output_dims=32, bias=True)\n"
            ")");
  EXPECT_EQ(repr(nn::QuantizedEmbedding(8, 64)), "QuantizedEmbedding(8, 64, group_size=64, bits=4, mode=affine)");
}

TEST(Quantize, RefusedParentsAndUpdateModules) {
  // MultiHeadAttention keeps typed handles to its projections: swapping them is refused,
  // naming the path, and nothing in the tree changes.
  mx::random::seed(9);
  auto first = std::make_shared<nn::Linear>(64, 64);
  nn::Sequential model(first, std::make_shared<nn::MultiHeadAttention>(64, 4));
  const std::string msg = mlxtest::invalid_argument_message([&] { nn::quantize(model); });
  EXPECT_NE(msg.find("[nn.Module.update_modules] MultiHeadAttention cannot take a QuantizedLinear"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("\"layers.1.query_proj\""), std::string::npos) << msg;
  EXPECT_EQ(model[0].get(), first.get());
  // With the attention excluded, the rest is quantized.
  nn::quantize(model, 64, 4, [](const std::string& path, const nn::Module&) { return path.find("layers.1.") != 0; });
  EXPECT_EQ(model[0]->name(), "QuantizedLinear");
  // update_modules itself.
  EXPECT_INVALID(model.update_modules({{"layers.7", first}}), "has no submodule named \"layers.7\"");
  EXPECT_INVALID(model.update_modules({{"layers.0", nullptr}}), "is null");
  model.update_modules({{"layers.0", first}});
  EXPECT_EQ(model[0].get(), first.get());
}

TEST(QuantizedLinear, GradientsToInputAndBias) {
  mx::random::seed(12);
  nn::Sequential model(nn::QuantizedLinear::from_linear(nn::Linear(64, 6)));
  const auto& q = *model[0];
  mx::array x = mx::random::normal({3, 64});
  mx::array cot = mx::random::normal({3, 6});
  mx::array w = dequantized(q, 64, 4);  // (6, 64)
  // nn::value_and_grad: only the bias is trainable, so only it gets a gradient.
  auto vg = nn::value_and_grad(model, [&](const std::vector<mx::array>& in) { return mx::sum(model(in[0]) * cot); });
  auto [loss, grads] = vg({x});
  EXPECT_EQ(keys(grads), (std::vector<std::string>{"layers.0.bias"}));
  expect_close(grads.at("layers.0.bias"), mx::sum(cot, 0), 1e-6);
  expect_close(loss, mx::sum(mx::array(mx::matmul(x, mx::transpose(w)) + q.parameter("bias")) * cot), 1e-5);
  // The input gradient through QuantizedMatmul's vjp: cot @ W.
  auto gx = mx::value_and_grad([&](const std::vector<mx::array>& in) { return mx::sum(model(in[0]) * cot); },
                               0)({x});
  expect_close(gx.second[0], mx::matmul(cot, w), 1e-5);
  // And its jvp: t @ W^T.
  mx::array t = mx::random::normal({3, 64});
  auto [out, tan] = mx::jvp([&](const mx::array& a) { return model(a); }, x, t);
  expect_close(tan, mx::matmul(t, mx::transpose(w)), 1e-5);
  // A training step on the bias alone.
  const mx::array bias0 = q.parameter("bias"), weight0 = q.parameter("weight");
  mlx::optimizers::SGD sgd(0.5);
  sgd.update(model, grads);
  expect_close(model.parameter("layers.0.bias"), mx::array(bias0 - 0.5f * grads.at("layers.0.bias")), 1e-7);
  EXPECT_EQ(model.parameter("layers.0.weight").id(), weight0.id());
  // Unfreezing the packed weight asks for a derivative the primitive does not have.
  model.unfreeze({"layers.0.weight"});
  auto vg2 = nn::value_and_grad(model, [&](const std::vector<mx::array>& in) { return mx::sum(model(in[0])); });
  const std::string msg = mlxtest::runtime_error_message([&] { vg2({x}); });
  EXPECT_NE(msg.find("[QuantizedMatmul.vjp] No derivative with respect to the quantized weight"), std::string::npos)
      << msg;
}

TEST(QuantizedMatmulVjp, TransposeFalseAndBroadcastBatches) {
  mx::random::seed(13);
  // w as (K, N) quantized along N (transpose = false), two batches; x broadcast over them.
  mx::array wf = mx::random::normal({2, 32, 64});
  auto q = mx::quantize(wf, 32, 4);
  mx::array w = mx::dequantize(q[0], q[1], q[2], 32, 4);  // (2, 32, 64)
  mx::array x = mx::random::normal({1, 3, 32});
  mx::array cot = mx::random::normal({2, 3, 64});
  auto f = [&](const std::vector<mx::array>& in) {
    return mx::sum(mx::quantized_matmul(in[0], q[0], q[1], q[2], false, 32, 4) * cot);
  };
  auto [v, g] = mx::value_and_grad(f, 0)({x});
  EXPECT_EQ(g[0].shape(), x.shape());
  expect_close(g[0], mx::sum(mx::matmul(cot, mx::transpose(w, {0, 2, 1})), 0, true), 1e-5);
  // A 1-d x against both batches: out (2, 64), dx = sum_b c @ W_b^T.
  mx::array x1 = mx::random::normal({32});
  mx::array c = mx::random::normal({64});
  auto f1 = [&](const std::vector<mx::array>& in) {
    return mx::sum(mx::quantized_matmul(in[0], q[0], q[1], q[2], false, 32, 4) * c);
  };
  auto [v1, g1] = mx::value_and_grad(f1, 0)({x1});
  EXPECT_EQ(g1[0].shape(), x1.shape());
  expect_close(g1[0],
               mx::sum(mx::matmul(mx::reshape(c, {1, 1, 64}), mx::transpose(w, {0, 2, 1})), std::vector<int>{0, 1}),
               1e-5);
}

TEST(Quantize, SaveAndLoadAQuantizedModel) {
  mx::random::seed(14);
  nn::Sequential model(std::make_shared<nn::Linear>(64, 32), std::make_shared<nn::Linear>(32, 4));
  nn::quantize(model, 32, 4);
  const std::string path = tmp("model.safetensors");
  model.save_weights(path);
  mx::random::seed(99);
  nn::Sequential other(std::make_shared<nn::Linear>(64, 32), std::make_shared<nn::Linear>(32, 4));
  nn::quantize(other, 32, 4);
  other.load_weights(path);
  mx::array x = mx::random::normal({2, 64});
  EXPECT_EQ(to_doubles(other(x)), to_doubles(model(x)));
  EXPECT_EQ(other.parameter("layers.0.weight").dtype(), mx::uint32);
  std::remove(path.c_str());
}

TEST(QuantizedLayers, Errors) {
  EXPECT_INVALID(nn::QuantizedLinear(64, 8, true, 48), "[nn.QuantizedLinear] group_size must be 32, 64 or 128, got 48.");
  EXPECT_INVALID(nn::QuantizedLinear(64, 8, true, 64, 7), "[nn.QuantizedLinear] bits must be 2, 3, 4, 5, 6 or 8, got 7.");
  EXPECT_INVALID(nn::QuantizedLinear(100, 8), "[nn.QuantizedLinear] input_dims (100) must be a positive multiple of "
                                              "group_size (64).");
  EXPECT_INVALID(nn::QuantizedLinear(0, 8), "[nn.QuantizedLinear] input_dims and output_dims must be positive");
  EXPECT_INVALID(nn::QuantizedLinear::from_linear(nn::Linear(96, 2)), "input_dims (96) must be a positive multiple");
  nn::Linear lin64(64, 2);
  lin64.update({{"weight", mx::astype(lin64.parameter("weight"), mx::float64)}});
  EXPECT_INVALID(nn::QuantizedLinear::from_linear(lin64), "[nn.QuantizedLinear] Only float32, float16 and bfloat16");
  nn::QuantizedLinear ql(64, 8);
  EXPECT_INVALID(ql(mx::ones({2, 32})), "[nn.QuantizedLinear] Expected an input whose last dimension is input_dims = "
                                        "64, got shape (2,32).");
  EXPECT_INVALID(ql(mx::array(1.0f)), "got shape ()");
  EXPECT_INVALID(nn::QuantizedEmbedding(10, 40, 32), "[nn.QuantizedEmbedding] dims (40) must be a positive multiple");
  EXPECT_INVALID(nn::QuantizedEmbedding(10, 64, 64, 1), "[nn.QuantizedEmbedding] bits must be");
  nn::QuantizedEmbedding qe(10, 64);
  EXPECT_INVALID(qe(mx::array({1.0f})), "[nn.QuantizedEmbedding] Indices must have an integer dtype, got float32.");
  EXPECT_INVALID(qe.as_linear(mx::ones({2, 3})), "[nn.QuantizedEmbedding] as_linear expects an input whose last");
  nn::Sequential model(std::make_shared<nn::Linear>(64, 2));
  EXPECT_INVALID(nn::quantize(model, 16), "[nn.quantize] group_size must be 32, 64 or 128, got 16.");
  EXPECT_INVALID(nn::quantize(model, 64, 9), "[nn.quantize] bits must be");
  nn::Sequential m64(std::make_shared<nn::Linear>(64, 2), std::make_shared<nn::Linear>(64, 2));
  auto& l1 = const_cast<nn::Module&>(*m64[1]);
  l1.update({{"weight", mx::astype(l1.parameter("weight"), mx::float64)}});
  EXPECT_INVALID(nn::quantize(m64), "[nn.quantize] Cannot quantize \"layers.1\": [nn.QuantizedLinear] Only float32");
  EXPECT_EQ(m64[0]->name(), "Linear");  // nothing half done
}
