// SPDX-License-Identifier: MIT
// docs/nn.md: a model, a module of one's own, and training steps with value_and_grad.
#include <mlx/mlx.hpp>
#include <cstdio>
#include <iostream>

//! [overview]
namespace mx = mlx::core; namespace nn = mlx::nn; namespace optim = mlx::optimizers;
//! [overview]

//! [module]
class Block : public nn::Module {
 public:
  Block() { fc = register_module("fc", std::make_shared<nn::Linear>(3, 2));
            register_parameter("scale", mx::ones({2})); }
  std::string name() const override { return "Block"; }
  mx::array operator()(const mx::array& x) override { return mx::array((*fc)(x) * local("scale")); }
  std::shared_ptr<nn::Linear> fc;
};
//! [module]

int main() {
  mx::random::seed(0);   // the same initial weights and data on every run
  mx::array x = mx::random::normal({16, 784});
  mx::array y = mx::random::randint(0, 10, {16});

  //! [overview]
  auto model = std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(784, 512),
                                                std::make_shared<nn::ReLU>(),
                                                std::make_shared<nn::Linear>(512, 10));
  optim::AdamW opt(1e-4);
  //! [overview]
  //! [step]
  auto step = nn::value_and_grad(*model, [&](const std::vector<mx::array>& in) {
    return nn::losses::cross_entropy((*model)(in[0]), in[1], std::nullopt, -1, 0.0f, "mean");
  });
  for (int i = 0; i < 3; ++i) {
    auto [loss, grads] = step({x, y});    // grads: nn::ParameterMap, by full parameter name
    opt.update(*model, grads);            // still lazy: loss, gradients and update are one graph
    std::vector<mx::array> outs{loss};
    for (auto& [name, p] : model->parameters()) outs.push_back(p);
    mx::eval(outs);                       // one evaluation per step
    std::printf("step %d: loss %.2f\n", i, loss.item<float>());
  }
  //! [step]
  using mx::operator<<;   // for Shape, a std::vector<int>
  std::cout << *model << "\n";

  Block block;
  std::cout << block << "\nparameters:";
  for (auto& [name, p] : block.parameters()) std::cout << " " << name << p.shape();
  std::cout << "\n" << block(mx::ones({4, 3})).shape() << "\n";
}
