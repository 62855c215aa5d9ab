// SPDX-License-Identifier: MIT
// docs/lazy-evaluation.md: what fuses, returning expressions, expressions used twice.
#include <mlx/mlx.hpp>
#include <iostream>

namespace mx = mlx::core;

//! [auto_return]
auto f() { mx::array x = mx::ones({3}); return x * 2.0f; }  // valid: x lives in the expression
//! [auto_return]

int main() {
  mx::array a({1.f, 2.f, 3.f}), b({4.f, 5.f, 6.f}), c = mx::zeros({3});
  //! [fuse]
  mx::array d = a * b + mx::exp(c);   // one node, one pass over a, b, c, d
  mx::array s = mx::sum(a * b);       // one node; a*b is never stored
  //! [fuse]
  std::cout << "d = " << d << "\ns = " << s << "\nf() = " << mx::array(f()) << "\n";

  //! [reuse]
  auto e = mx::exp(a);          // an expression
  mx::array u = e + 1.0f;       // computes exp(a)
  mx::array v = e * 2.0f;       // computes exp(a) again
  mx::array x = mx::exp(a);     // convert once...
  mx::array y = x + 1.0f, z = x * 2.0f;  // ...and both reuse it
  //! [reuse]
  std::cout << std::boolalpha << "u == y: " << mx::array_equal(u, y).item<bool>()
            << ", v == z: " << mx::array_equal(v, z).item<bool>() << "\n";
}
