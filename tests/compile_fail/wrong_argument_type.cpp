// SPDX-License-Identifier: MIT
// Must not compile: an op called with an argument that is not array-like. Elementwise ops
// are constrained on the `array_like` concept.
#include <string>

#include <mlx/mlx.hpp>

int main() {
  auto e = mlx::core::exp(std::string("1.0"));
  (void)e;
  return 0;
}
