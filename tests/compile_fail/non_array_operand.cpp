// SPDX-License-Identifier: MIT
// Must not compile: a type that is neither an array, an expression nor a scalar mixed into an
// expression. The operators are constrained on the `operand` concept.
#include <mlx/mlx.hpp>

struct NotANumber {};

int main() {
  mlx::core::array a(1.0f);
  auto e = a + NotANumber{};
  (void)e;
  return 0;
}
