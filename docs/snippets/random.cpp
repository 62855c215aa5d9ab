// SPDX-License-Identifier: MIT
// docs/random.md: explicit keys and the global key sequence.
#include <mlx/mlx.hpp>
#include <iostream>

int main() {
  //! [keys]
  namespace mx = mlx::core;
  auto k = mx::random::key(0);
  auto [k1, k2] = mx::random::split(k);
  auto x = mx::random::normal({1000}, k1);          // the same values every run
  auto i = mx::random::randint(0, 10, {4}, mx::int32, k2);
  mx::random::seed(42);
  auto y = mx::random::uniform({3, 3});             // from the global sequence
  //! [keys]
  std::cout << "x[:3] = " << mx::slice(x, {0}, {3}) << "\ni = " << i << "\ny = " << y << "\n";
}
