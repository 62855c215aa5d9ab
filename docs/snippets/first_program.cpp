// SPDX-License-Identifier: MIT
// README.md: a first program.
#include <mlx/mlx.hpp>
#include <iostream>

namespace mx = mlx::core;

int main() {
  mx::array a({1.f, 2.f, 3.f});
  mx::array b = mx::ones({3});
  auto c = a * b + 1.0f;      // lazy: an expression, nothing is computed yet
  mx::array d = mx::exp(c);   // still lazy: one fused node in the graph
  mx::eval(d);                // computes a * b + 1 and exp in a single loop
  std::cout << d << "\n";
  std::cout << mx::sum(d) << "\n";  // printing evaluates, too
}
