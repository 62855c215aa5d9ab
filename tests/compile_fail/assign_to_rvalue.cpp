// SPDX-License-Identifier: MIT
// Must not compile: assigning to a temporary array (it would be lost; MLX code that does this
// is a bug). array's assignment operators are deleted for rvalues.
#include <mlx/mlx.hpp>

mlx::core::array make() { return mlx::core::array(1.0f); }

int main() {
  make() = mlx::core::array(2.0f);
  return 0;
}
