// SPDX-License-Identifier: MIT
// docs/transforms.md: value_and_grad of a small network, grad of grad, jvp.
#include <mlx/mlx.hpp>
#include <iostream>

int main() {
  //! [transforms]
  namespace mx = mlx::core;
  //! [transforms]
  mx::array x = mx::reshape(mx::arange(6.0f), {2, 3}) / 6.0f;
  mx::array W = mx::reshape(mx::arange(12.0f), {3, 4}) / 12.0f - 0.5f, b = mx::zeros({4});
  mx::array v = mx::ones({2, 3});
  //! [transforms]
  auto loss = [&](const std::vector<mx::array>& p) {          // p = {W, b}
    mx::array h = mx::maximum(mx::addmm(p[1], x, p[0]), 0.0f);
    return mx::mean(mx::logsumexp(h, {1}));
  };
  auto [value, grads] = mx::value_and_grad(loss, {0, 1})({W, b});  // lazy: nothing ran yet
  mx::eval(value, grads[0], grads[1]);                              // one evaluation

  auto d2 = mx::grad([&](const mx::array& a) {                      // grad of grad
    return mx::sum(mx::grad([](const mx::array& y) { return mx::sum(mx::sin(y)); })(a));
  });
  auto [out, tangent] = mx::jvp([](const mx::array& a) { return mx::exp(a) * a; }, x, v);
  //! [transforms]
  using mx::operator<<;   // for Shape, a std::vector<int>
  std::cout << "value = " << value << "\ngrad W: " << grads[0].shape()
            << ", grad b = " << grads[1] << "\nd2({0.5, 1}) = " << d2(mx::array({0.5f, 1.0f}))
            << "  (-sin)\ntangent = " << tangent << "\n";
}
