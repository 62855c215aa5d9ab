// SPDX-License-Identifier: MIT
// docs/autodiff.md: scalar derivatives with dual and var, and the tape's own interface.
#include <mlx/autodiff/autodiff.hpp>
#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  //! [helpers]
  namespace ad = mlx::ad;
  auto f = [](const auto& x) {            // written once, for double, dual and var alike
    using std::sin;                       // ADL then finds ad::sin for duals and vars
    std::decay_t<decltype(x[0])> s = 0;
    for (size_t i = 0; i + 1 < x.size(); ++i) s += sin(x[i]) * x[i + 1];
    return s;
  };
  std::vector<double> x = {0.1, 0.7, -1.2};
  auto g = ad::gradient(f, x);            // reverse mode
  auto H = ad::hessian(f, x);             // forward-over-reverse
  double d = ad::derivative([](auto t) { using std::exp; return t * exp(t); }, 0.5);
  //! [helpers]
  std::printf("g = (%.6f, %.6f, %.6f)\nH[0] = (%.6f, %.6f, %.6f)\nd = %.6f\n", g[0], g[1], g[2],
              H[0][0], H[0][1], H[0][2], d);

  //! [tape]
  ad::tape<double> t("mine");
  ad::var<double> a = t.variable(0.5), b = t.variable(2.0);
  auto y1 = a * b, y2 = sin(a) + b * b;
  double dy1da = t.grad(y1, a);           // backward(y1), then adjoint(a)
  t.backward(y2, 3.0);                    // the same recording, another output and seed
  t.zero_adjoints(); t.adjoint(y1) = 1; t.adjoint(y2) = -2; t.sweep();  // a vector-Jacobian product
  //! [tape]
  std::printf("dy1/da = %.6f; (dy1 - 2 dy2)/da = %.6f, /db = %.6f\n", dy1da, t.adjoint(a),
              t.adjoint(b));
  //! [tape]
  t.clear();                              // forget the nodes, keep the capacity
  //! [tape]
}
