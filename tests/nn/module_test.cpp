// SPDX-License-Identifier: MIT
// Tests for nn/module.hpp with the container and linear layers: the parameter tree and
// its dotted names, update, freeze/unfreeze, train/eval, children and printing (MLX's
// repr of the same model, copied from MLX's output format).
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
using mlxtest::to_doubles;

namespace {
// A user module written the PyTorch-C++ way: register parameters and submodules.
class Block : public nn::Module {
 public:
  Block() {
    fc = register_module("fc", std::make_shared<nn::Linear>(3, 2));
    register_parameter("scale", mx::ones({2}));
  }
  std::string name() const override { return "Block"; }
  mx::array operator()(const mx::array& x) override { return mx::array((*fc)(x) * local("scale")); }
  std::shared_ptr<nn::Linear> fc;
};

std::shared_ptr<nn::Sequential> mlp() {
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(784, 512), std::make_shared<nn::ReLU>(),
                                          std::make_shared<nn::Linear>(512, 10, false));
}
std::vector<std::string> keys(const nn::ParameterMap& m) {
  std::vector<std::string> k;
  for (auto& [n, v] : m) k.push_back(n);
  return k;
}
}  // namespace

TEST(Module, DottedNamesLikeTreeFlatten) {
  auto m = mlp();
  EXPECT_EQ(keys(m->parameters()), (std::vector<std::string>{"layers.0.bias", "layers.0.weight", "layers.2.weight"}));
  EXPECT_EQ(m->parameter("layers.0.weight").shape(), (mx::Shape{512, 784}));
  EXPECT_EQ(m->parameter("layers.0.bias").shape(), (mx::Shape{512}));
  EXPECT_TRUE(m->has_parameter("layers.2.weight"));
  EXPECT_FALSE(m->has_parameter("layers.2.bias"));
  EXPECT_EQ(m->children().size(), 3u);
  EXPECT_EQ(m->children()[1].first, "layers.1");
  EXPECT_EQ(m->modules().size(), 3u);
  Block b;
  EXPECT_EQ(keys(b.parameters()), (std::vector<std::string>{"fc.bias", "fc.weight", "scale"}));
  EXPECT_INVALID(m->parameter("layers.9.weight"), "layers.9.weight");
}

TEST(Module, LinearInitialisationRange) {
  nn::Linear l(16, 1000);
  auto w = to_doubles(l.parameter("weight"));
  double lo = 1, hi = -1;
  for (double v : w) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_GE(lo, -0.25);  // 1 / sqrt(16)
  EXPECT_LE(hi, 0.25);
  EXPECT_LT(lo, -0.24);
  EXPECT_GT(hi, 0.24);
}

TEST(Module, LinearForwardMatchesNumPy) {
  nn::Linear l(3, 2);
  l.update({{"weight", mx::array({1.f, 2.f, 3.f, -1.f, 0.5f, 0.f}, {2, 3})}, {"bias", mx::array({0.5f, -2.f})}});
  mx::array x({1.f, 0.f, -1.f, 2.f, 3.f, 4.f}, {2, 3});
  // numpy: x @ W.T + b = [[-1.5, -3.], [20.5, -2.5]]
  EXPECT_EQ(to_doubles(l(x)), (std::vector<double>{-1.5, -3, 20.5, -2.5}));
  nn::Linear nb(3, 2, false);
  nb.update({{"weight", mx::array({1.f, 2.f, 3.f, -1.f, 0.5f, 0.f}, {2, 3})}});
  EXPECT_EQ(to_doubles(nb(x)), (std::vector<double>{-2, -1, 20, -0.5}));
  // A 3-D input goes through the same weights.
  EXPECT_EQ(l(mx::reshape(x, {1, 2, 3})).shape(), (mx::Shape{1, 2, 2}));
}

TEST(Module, SequentialAppliesInOrder) {
  nn::Sequential s(std::make_shared<nn::Linear>(3, 2), [](const mx::array& x) { return nn::relu(x); });
  s.update({{"layers.0.weight", mx::array({1.f, 2.f, 3.f, -1.f, 0.5f, 0.f}, {2, 3})},
            {"layers.0.bias", mx::array({0.5f, -2.f})}});
  mx::array x({1.f, 0.f, -1.f, 2.f, 3.f, 4.f}, {2, 3});
  EXPECT_EQ(to_doubles(s(x)), (std::vector<double>{0, 0, 20.5, 0}));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1]->name(), "Lambda");
}

TEST(Module, UpdateRejectsUnknownKeysAtomically) {
  auto m = mlp();
  mx::array before = m->parameter("layers.0.bias");
  std::string msg = mlxtest::invalid_argument_message([&] {
    m->update({{"layers.0.bias", mx::zeros({512})}, {"layers.1.weight", mx::zeros({2})}});
  });
  EXPECT_TRUE(mlxtest::has(msg, "\"layers.1.weight\"")) << msg;
  EXPECT_EQ(m->parameter("layers.0.bias").id(), before.id());  // nothing changed
}

TEST(Module, ApplyFilterAndMapAndApplyToModules) {
  auto m = mlp();
  m->freeze({"layers.2.weight"});
  // filter_and_map: the chosen parameters, mapped, by full name; the module is unchanged.
  auto biases = m->filter_and_map([](const nn::Module&, const std::string& k, const mx::array&) { return k == "bias"; },
                                  [](const mx::array& a) { return mx::astype(a, mx::float16); });
  EXPECT_EQ(keys(biases), (std::vector<std::string>{"layers.0.bias"}));
  EXPECT_EQ(biases.at("layers.0.bias").dtype(), mx::float16);
  EXPECT_EQ(m->parameter("layers.0.bias").dtype(), mx::float32);
  EXPECT_EQ(m->filter_and_map(nullptr).size(), 3u);
  // apply: every parameter cast (MLX's model.apply(lambda x: x.astype(mx.bfloat16))), frozen
  // ones stay frozen; a filter by owning module.
  m->apply([](const mx::array& a) { return mx::astype(a, mx::bfloat16); });
  for (const auto& [k, v] : m->parameters()) EXPECT_EQ(v.dtype(), mx::bfloat16) << k;
  EXPECT_EQ(keys(m->trainable_parameters()), (std::vector<std::string>{"layers.0.bias", "layers.0.weight"}));
  m->apply([](const mx::array& a) { return mx::zeros_like(a); },
           [](const nn::Module& owner, const std::string&, const mx::array&) { return owner.name() == "Linear"; });
  EXPECT_EQ(mx::sum(mx::abs(mx::astype(m->parameter("layers.2.weight"), mx::float32))).item<float>(), 0.0f);
  // A layer shared by two parents is mapped once, not twice.
  auto shared = std::make_shared<nn::Linear>(2, 2);
  shared->update({{"weight", mx::ones({2, 2})}, {"bias", mx::ones({2})}});
  nn::Sequential tied(shared, shared);
  tied.apply([](const mx::array& a) { return mx::array(a * 2.0f); });
  EXPECT_EQ(to_doubles(shared->parameter("bias")), (std::vector<double>{2, 2}));
  // A throwing map_fn changes nothing.
  const mx::array before = tied.parameter("layers.0.weight");
  int calls = 0;
  EXPECT_THROW(tied.apply([&](const mx::array& a) {
    if (++calls == 2) throw std::runtime_error("boom");
    return a;
  }),
               std::runtime_error);
  EXPECT_EQ(tied.parameter("layers.0.weight").id(), before.id());
  EXPECT_INVALID(tied.apply(nullptr), "[nn.Module.apply] map_fn is empty.");
  // apply_to_modules visits the root ("") and then every descendant by full name.
  Block b;
  std::vector<std::string> seen;
  b.apply_to_modules([&](const std::string& k, nn::Module& mod) { seen.push_back(k + ":" + mod.name()); });
  EXPECT_EQ(seen, (std::vector<std::string>{":Block", "fc:Linear"}));
  EXPECT_EQ(b.named_modules().size(), 2u);
  auto leaves = m->leaf_modules();
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[1].first, "layers.1");
}

TEST(Module, FreezeAndUnfreeze) {
  auto m = mlp();
  m->freeze();
  EXPECT_TRUE(m->trainable_parameters().empty());
  EXPECT_EQ(m->parameters().size(), 3u);
  m->unfreeze();
  EXPECT_EQ(m->trainable_parameters().size(), 3u);
  m->freeze({"bias"});  // a local name: every bias
  EXPECT_EQ(keys(m->trainable_parameters()), (std::vector<std::string>{"layers.0.weight", "layers.2.weight"}));
  m->unfreeze();
  m->freeze({"layers.2.weight"});  // a full name
  EXPECT_EQ(keys(m->trainable_parameters()), (std::vector<std::string>{"layers.0.bias", "layers.0.weight"}));
  m->unfreeze({"weight"});
  EXPECT_EQ(m->trainable_parameters().size(), 3u);
  EXPECT_INVALID(m->freeze({"nope"}, true, true), "\"nope\"");
  m->freeze({"nope"});  // not strict: ignored
  EXPECT_EQ(m->trainable_parameters().size(), 3u);
  // freeze without recursion only touches the module's own parameters.
  Block b;
  b.freeze({}, false);
  EXPECT_EQ(keys(b.trainable_parameters()), (std::vector<std::string>{"fc.bias", "fc.weight"}));
}

TEST(Module, TrainAndEvalRecurse) {
  auto m = mlp();
  EXPECT_TRUE(m->training());
  m->eval();
  EXPECT_FALSE(m->training());
  for (auto& [k, c] : m->children()) EXPECT_FALSE(c->training()) << k;
  m->train();
  EXPECT_TRUE((*m)[2]->training());
}

TEST(Module, PrintsLikeMLX) {
  std::ostringstream os;
  os << *mlp();
  EXPECT_EQ(os.str(),
            "Sequential(\n"
            "  (layers.0): Linear(input_dims=784, output_dims=512, bias=True)\n"
            "  (layers.1): ReLU()\n"
            "  (layers.2): Linear(input_dims=512, output_dims=10, bias=False)\n"
            ")");
  std::ostringstream nested;
  nested << nn::Sequential(std::make_shared<Block>());
  EXPECT_EQ(nested.str(),
            "Sequential(\n"
            "  (layers.0): Block(\n"
            "    (fc): Linear(input_dims=3, output_dims=2, bias=True)\n"
            "  )\n"
            ")");
}

TEST(Module, BilinearMatchesEinsum) {
  nn::Bilinear b(2, 3, 2);
  // W[o, j, i] = o + j + i / 2, bias = [1, -1]
  std::vector<float> w;
  for (int o = 0; o < 2; ++o)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) w.push_back(o + j + i / 2.0f);
  b.update({{"weight", mx::array(w.begin(), {2, 3, 2})}, {"bias", mx::array({1.f, -1.f})}});
  mx::array x1({1.f, 2.f}, {1, 2}), x2({1.f, 0.f, -1.f}, {1, 3});
  // numpy: np.einsum('ni,oji,nj->no', x1, W, x2) + bias = [[-5., -7.]]
  EXPECT_EQ(to_doubles(b(x1, x2)), (std::vector<double>{-5, -7}));
  EXPECT_THROW(b(x1), std::logic_error);
}

TEST(Module, SubclassForward) {
  Block b;
  b.update({{"fc.weight", mx::array({1.f, 0.f, 0.f, 0.f, 1.f, 0.f}, {2, 3})},
            {"fc.bias", mx::zeros({2})},
            {"scale", mx::array({2.f, 3.f})}});
  EXPECT_EQ(to_doubles(b(mx::array({1.f, 2.f, 3.f}, {1, 3}))), (std::vector<double>{2, 6}));
}
