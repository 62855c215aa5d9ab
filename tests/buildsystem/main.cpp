// SPDX-License-Identifier: MIT
// The consumer program every tests/buildsystem case builds: a small computation checked
// against its known value, so a package that compiles but misbehaves still fails.
#include <mlx/mlx.hpp>

#include <cstdio>

namespace mx = mlx::core;

int main() {
  mx::array a = mx::reshape(mx::arange(6.0f), {2, 3});       // [[0 1 2] [3 4 5]]
  float fused = mx::sum(a * 2.0f + 1.0f).item<float>();      // 2 * 15 + 6 = 36
  float gemm = mx::sum(mx::matmul(a, mx::transpose(a))).item<float>();  // 5 + 14 + 14 + 50
  if (fused != 36.0f || gemm != 83.0f) {
    std::printf("mlxpp %s: wrong values %g (want 36) and %g (want 83)\n",
                mx::version().c_str(), fused, gemm);
    return 1;
  }
  std::printf("mlxpp %s: ok\n", mx::version().c_str());
  return 0;
}
