// SPDX-License-Identifier: MIT
// The helpers (autodiff/helpers.hpp): gradient, jacobian in both modes and the automatic
// choice, hessian and hvp against the Rosenbrock function's known derivatives, and
// forward-over-reverse (var<dual<double>>) against nested forward mode for every function.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../error_message.hpp"
#include "mlx/autodiff/autodiff.hpp"

namespace {

namespace ad = mlx::ad;
using D = ad::dual<double>;
using DD = ad::dual<D>;
using Matrix = std::vector<std::vector<double>>;

/// The extended Rosenbrock function Σ 100 (x_{i+1} - x_i²)² + (1 - x_i)².
auto rosenbrock = [](const auto& x) {
  std::decay_t<decltype(x[0])> s = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const auto a = x[i + 1] - x[i] * x[i];
    const auto b = 1.0 - x[i];
    s += 100.0 * a * a + b * b;
  }
  return s;
};

std::vector<double> rosenbrock_gradient(const std::vector<double>& x) {
  std::vector<double> g(x.size(), 0.0);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double a = x[i + 1] - x[i] * x[i];
    g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
    g[i + 1] += 200 * a;
  }
  return g;
}

Matrix rosenbrock_hessian(const std::vector<double>& x) {
  const std::size_t n = x.size();
  Matrix H(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i + 1 < n; ++i) {
    H[i][i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
    H[i][i + 1] += -400 * x[i];
    H[i + 1][i] += -400 * x[i];
    H[i + 1][i + 1] += 200;
  }
  return H;
}

void expect_matrix_near(const Matrix& a, const Matrix& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    for (std::size_t j = 0; j < a[i].size(); ++j)
      EXPECT_NEAR(a[i][j], b[i][j], tol * (1 + std::abs(b[i][j]))) << i << ", " << j;
  }
}

TEST(Helpers, GradientOfRosenbrock) {
  const std::vector<double> x = {-1.2, 1.0, 0.3, 2.0};
  const auto [v, g] = ad::value_and_gradient(rosenbrock, x);
  EXPECT_DOUBLE_EQ(v, rosenbrock(x));
  const auto expected = rosenbrock_gradient(x);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(g[i], expected[i], 1e-12);
  EXPECT_EQ(ad::gradient(rosenbrock, x), g);
  // At the minimum (1, ..., 1) the gradient vanishes.
  for (double gi : ad::gradient(rosenbrock, std::vector<double>(4, 1.0))) EXPECT_EQ(gi, 0.0);
  // The helpers leave the thread's tape alone.
  EXPECT_EQ(ad::current_tape<double>().size(), 0u);
}

// f: R^2 -> R^3 (more outputs: forward) and g: R^3 -> R^2 (more inputs: reverse).
auto f23 = [](const auto& x) {
  using std::exp;
  using std::sin;
  using T = std::decay_t<decltype(x[0])>;
  return std::vector<T>{x[0] * x[1], sin(x[0]) + x[1], exp(x[1]) / (1.0 + x[0] * x[0])};
};
auto g32 = [](const auto& x) {
  using std::atan2;
  using std::log;
  using T = std::decay_t<decltype(x[0])>;
  return std::vector<T>{x[0] * x[1] * x[2], atan2(x[0], x[2]) + log(x[1])};
};

/// The Jacobian of f at x in forward, reverse and automatic mode: all three agree and
/// equal `known` (rows: outputs).
template <class F>
void expect_jacobian(F f, const std::vector<double>& x, const Matrix& known) {
  const Matrix fwd = ad::jacobian(f, x, ad::mode::forward);
  const Matrix rev = ad::jacobian(f, x, ad::mode::reverse);
  const Matrix aut = ad::jacobian(f, x);
  ASSERT_EQ(fwd.size(), known.size());
  ASSERT_EQ(fwd[0].size(), x.size());
  expect_matrix_near(rev, fwd, 1e-15);
  expect_matrix_near(aut, fwd, 0);
  expect_matrix_near(fwd, known, 1e-14);
}

TEST(Helpers, JacobianForwardAndReverseAgree) {
  {
    const double a = 0.7, b = -0.3;  // 2 inputs, 3 outputs: automatic mode goes forward
    expect_jacobian(f23, {a, b},
                    {{b, a},
                     {std::cos(a), 1.0},
                     {-2 * a * std::exp(b) / std::pow(1 + a * a, 2), std::exp(b) / (1 + a * a)}});
  }
  {
    const double a = 0.4, b = 1.5, c = -2.0;  // 3 inputs, 2 outputs: reverse
    expect_jacobian(g32, {a, b, c},
                    {{b * c, a * c, a * b}, {c / (a * a + c * c), 1 / b, -a / (a * a + c * c)}});
  }
}

TEST(Helpers, HessianAndHvpOfRosenbrock) {
  for (const std::vector<double>& x :
       {std::vector<double>{-1.2, 1.0}, std::vector<double>{0.5, -0.3, 1.7, 0.9}}) {
    const Matrix H = ad::hessian(rosenbrock, x);
    expect_matrix_near(H, rosenbrock_hessian(x), 1e-14);
    std::vector<double> v(x.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.5 - 0.3 * static_cast<double>(i);
    const std::vector<double> hv = ad::hvp(rosenbrock, x, v);
    const Matrix known = rosenbrock_hessian(x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      double e = 0;
      for (std::size_t j = 0; j < x.size(); ++j) e += known[i][j] * v[j];
      EXPECT_NEAR(hv[i], e, 1e-12 * (1 + std::abs(e)));
    }
  }
  EXPECT_INVALID(ad::hvp(rosenbrock, std::vector<double>{1, 2}, std::vector<double>{1}),
                 "x has 2 elements but v has 1");
}

TEST(Helpers, HessianOfAMixedFunction) {
  // f(x, y) = sin(x) y² + exp(x y): f_xx = -sin(x) y² + y² e^{xy},
  // f_xy = 2 y cos(x) + e^{xy} (1 + x y), f_yy = 2 sin(x) + x² e^{xy}.
  auto f = [](const auto& v) {
    using std::exp;
    using std::sin;
    return sin(v[0]) * v[1] * v[1] + exp(v[0] * v[1]);
  };
  const double x = 0.4, y = -1.1, e = std::exp(x * y);
  const Matrix known = {{-std::sin(x) * y * y + y * y * e, 2 * y * std::cos(x) + e * (1 + x * y)},
                        {2 * y * std::cos(x) + e * (1 + x * y), 2 * std::sin(x) + x * x * e}};
  expect_matrix_near(ad::hessian(f, std::vector<double>{x, y}), known, 1e-14);
}

// Forward-over-reverse (a tape of dual<double>) against forward-over-forward for every
// unary function: the two nestings take the same rules in different orders.
TEST(Helpers, ForwardOverReverseMatchesNestedForwardForEveryFunction) {
  auto check = [](const char* name, auto fn) {
    SCOPED_TRACE(name);
    const std::string n = name;
    double x = 0.6;
    if (n == "acosh") x = 1.6;
    const Matrix H = ad::hessian([&](const auto& v) { return fn(v[0]); }, std::vector<double>{x});
    const DD yy = fn(DD(D(x, 1), D(1, 0)));
    EXPECT_NEAR(H[0][0], yy.d.d, 1e-13 * (1 + std::abs(yy.d.d)));
  };
#define MLXPP_TEST_UNARY(fn, F) check(#fn, [](const auto& x) { return ad::fn(x); });
  MLXPP_AD_UNARY_FUNCTIONS(MLXPP_TEST_UNARY)
#undef MLXPP_TEST_UNARY
  auto check2 = [](const char* name, auto fn) {
    SCOPED_TRACE(name);
    const double a = 0.6, b = 1.3;
    const Matrix H =
        ad::hessian([&](const auto& v) { return fn(v[0], v[1]); }, std::vector<double>{a, b});
    const DD aa = fn(DD(D(a, 1), D(1, 0)), DD(D(b, 0), D(0, 0)));
    const DD ab = fn(DD(D(a, 0), D(1, 0)), DD(D(b, 1), D(0, 0)));
    const DD bb = fn(DD(D(a, 0), D(0, 0)), DD(D(b, 1), D(1, 0)));
    EXPECT_NEAR(H[0][0], aa.d.d, 1e-13 * (1 + std::abs(aa.d.d)));
    EXPECT_NEAR(H[0][1], ab.d.d, 1e-13 * (1 + std::abs(ab.d.d)));
    EXPECT_NEAR(H[1][0], ab.d.d, 1e-13 * (1 + std::abs(ab.d.d)));
    EXPECT_NEAR(H[1][1], bb.d.d, 1e-13 * (1 + std::abs(bb.d.d)));
  };
#define MLXPP_TEST_BINARY(fn, F) \
  check2(#fn, [](const auto& a, const auto& b) { return ad::fn(a, b); });
  MLXPP_AD_BINARY_FUNCTIONS(MLXPP_TEST_BINARY)
#undef MLXPP_TEST_BINARY
}

}  // namespace
