// SPDX-License-Identifier: MIT
// Quickstart: arrays, lazy evaluation, fusion and printing. Run: scripts/example.sh
#include <iostream>

#include <mlx/mlx.hpp>

namespace mx = mlx::core;

int main() {
  // Arrays from values; the dtype follows the element type (float -> float32).
  mx::array a({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  mx::array b = mx::ones({3});
  std::cout << "a =\n" << a << "\nb = " << b << "\n\n";

  // Arithmetic builds an expression; nothing is computed yet.
  auto expr = mx::exp(a) * b + mx::sin(a);
  std::cout << "the expression (not yet evaluated): ";
  expr.print(std::cout);
  std::cout << "\n";

  // Converting to array makes ONE graph node; eval() runs one fused loop for the whole tree.
  mx::array c = expr;
  mx::eval(c);
  std::cout << "c = exp(a) * b + sin(a) =\n" << c << "\n\n";

  // Broadcasting and type promotion follow MLX (int32 * float32 -> float32).
  mx::array i = mx::arange(3);
  std::cout << "a * arange(3) =\n" << mx::array(a * i) << "\n\n";

  // Reductions read expressions directly: sum(a * a) needs no temporary array.
  std::cout << "sum(a * a) = " << mx::sum(a * a).item<float>() << "\n";
  std::cout << "mean over axis 0 = " << mx::mean(a, 0) << "\n";
  std::cout << "argmax over axis 1 = " << mx::argmax(a, 1) << "\n\n";

  // Large arrays print summarised, like NumPy.
  std::cout << "linspace(0, 1, 2000) = " << mx::linspace(0, 1, 2000) << "\n";
  return 0;
}
