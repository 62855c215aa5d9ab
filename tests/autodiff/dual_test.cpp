// SPDX-License-Identifier: MIT
// Forward mode (autodiff/dual.hpp): known derivatives; every function of rules.hpp's tables
// against central finite differences in double, to first order through dual<double> and to
// second order through dual<dual<double>>; dual<xsimd::batch<float>> lane by lane against
// dual<float>; constants mixed with duals.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mlx/autodiff/autodiff.hpp"

namespace {

namespace ad = mlx::ad;
namespace f = mlx::core::functors;
using D = ad::dual<double>;
using DD = ad::dual<D>;

/// Five-point central difference of g at x (error O(h^4)).
template <class G>
double fd(G&& g, double x, double h = 1e-3) {
  return (-g(x + 2 * h) + 8 * g(x + h) - 8 * g(x - h) + g(x - 2 * h)) / (12 * h);
}

/// Points where a function of the tables is defined and smooth.
std::vector<double> points_for(const std::string& name) {
  if (name == "log" || name == "log2" || name == "log10" || name == "sqrt" || name == "rsqrt")
    return {0.6, 2.5};
  if (name == "acosh") return {1.6, 3.0};
  return {-0.4, 0.6, 1.3 * (name != "asin" && name != "acos" && name != "atanh" && name != "erfinv")};
}

bool close(double a, double b, double tol) { return std::abs(a - b) <= tol * (1 + std::abs(b)); }

TEST(Dual, KnownDerivatives) {
  using std::cos;
  using std::sin;
  for (double x : {-2.0, -0.3, 0.0, 0.7, 3.0}) {
    D y = sin(D(x, 1));
    EXPECT_DOUBLE_EQ(y.v, std::sin(x));
    EXPECT_DOUBLE_EQ(y.d, std::cos(x));
    DD yy = sin(DD(D(x, 1), D(1, 0)));  // d²/dx² sin = -sin
    EXPECT_DOUBLE_EQ(yy.d.d, -std::sin(x));
    EXPECT_DOUBLE_EQ(yy.v.d, std::cos(x));
    EXPECT_DOUBLE_EQ(yy.d.v, std::cos(x));
    EXPECT_DOUBLE_EQ(exp(D(x, 1)).d, std::exp(x));
    EXPECT_DOUBLE_EQ(exp(DD(D(x, 1), D(1, 0))).d.d, std::exp(x));
  }
  EXPECT_DOUBLE_EQ(log(D(2.0, 1)).d, 0.5);
  EXPECT_DOUBLE_EQ(log(DD(D(2.0, 1), D(1, 0))).d.d, -0.25);
  // pow(a, b): b a^(b-1) and a^b log a.
  EXPECT_DOUBLE_EQ(pow(D(2.0, 1), 3.0).d, 12.0);
  EXPECT_DOUBLE_EQ(pow(2.0, D(3.0, 1)).d, 8.0 * std::log(2.0));
  EXPECT_DOUBLE_EQ(pow(D(2.0, 1), D(3.0, 1)).d, 12.0 + 8.0 * std::log(2.0));
  EXPECT_DOUBLE_EQ(pow(D(-2.0, 1), 2).d, -4.0);  // the constant exponent's log(a) term is dropped
  // atan2(a, b): b / (a² + b²) and -a / (a² + b²).
  EXPECT_DOUBLE_EQ(atan2(D(1.0, 1), 2.0).d, 2.0 / 5);
  EXPECT_DOUBLE_EQ(atan2(1.0, D(2.0, 1)).d, -1.0 / 5);
  EXPECT_DOUBLE_EQ(sqrt(D(4.0, 1)).d, 0.25);
  EXPECT_DOUBLE_EQ(tanh(D(0.0, 1)).d, 1.0);
  EXPECT_DOUBLE_EQ(erf(D(0.0, 1)).d, 2 / std::sqrt(std::numbers::pi));
}

TEST(Dual, ArithmeticWithConstants) {
  const D x(3.0, 1.0);
  EXPECT_DOUBLE_EQ((x * 2).d, 2.0);
  EXPECT_DOUBLE_EQ((2.0 * x).d, 2.0);
  EXPECT_DOUBLE_EQ((x / 4.0).d, 0.25);
  EXPECT_DOUBLE_EQ((6.0 / x).d, -6.0 / 9);
  EXPECT_DOUBLE_EQ((1 - x).d, -1.0);
  EXPECT_DOUBLE_EQ((-x).d, -1.0);
  // A constant operand contributes no term: inf * 0 never turns the tangent into NaN.
  const D big(INFINITY, 1.0);
  EXPECT_DOUBLE_EQ((big * 2.0).d, 2.0);
  D y = x;
  y += 1;
  y *= x;
  y -= 2.0;
  y /= 2;
  EXPECT_DOUBLE_EQ(y.v, (4 * 3 - 2) / 2.0);
  EXPECT_DOUBLE_EQ(y.d, (2 * 3 + 1) / 2.0);
  EXPECT_TRUE(x < 4.0);
  EXPECT_TRUE(2 < x);
  EXPECT_TRUE(x == D(3.0, 7.0));  // comparisons compare values
  // A dual<double> is a constant to a dual<dual<double>>.
  DD z(D(2.0, 1.0), D(1.0, 0.0));
  DD w = z * D(3.0, 0.5);
  EXPECT_DOUBLE_EQ(w.v.v, 6.0);
  EXPECT_DOUBLE_EQ(w.v.d, 3.0 + 1.0);
  EXPECT_DOUBLE_EQ(w.d.v, 3.0);
  EXPECT_DOUBLE_EQ(w.d.d, 0.5);
}

// Every unary function: value equals the functor's, first derivative against finite
// differences of the value, second derivative (nested duals) against finite differences
// of the first.
template <class F, class Fn>
void check_unary(const std::string& name, Fn fn) {
  SCOPED_TRACE(name);
  for (double x : points_for(name)) {
    SCOPED_TRACE(x);
    const double v = F{}(x);
    const D y = fn(D(x, 1));
    EXPECT_DOUBLE_EQ(y.v, v);
    // stop_gradient is the identity whose derivative is zero by definition.
    const double d1 = name == "stop_gradient" ? 0.0 : fd([](double t) { return F{}(t); }, x);
    EXPECT_TRUE(close(y.d, d1, 1e-8)) << y.d << " vs " << d1;
    const DD yy = fn(DD(D(x, 1), D(1, 0)));
    EXPECT_DOUBLE_EQ(yy.v.v, v);
    EXPECT_DOUBLE_EQ(yy.v.d, y.d);
    EXPECT_DOUBLE_EQ(yy.d.v, y.d);
    const double d2 = fd([&](double t) { return fn(D(t, 1)).d; }, x);
    EXPECT_TRUE(close(yy.d.d, d2, 1e-7)) << yy.d.d << " vs " << d2;
  }
}

TEST(Dual, EveryUnaryFunctionAgainstFiniteDifferences) {
  int count = 0;
#define MLXPP_TEST_UNARY(fn, F) \
  check_unary<f::F>(#fn, [](const auto& x) { return ad::fn(x); }); ++count;
  MLXPP_AD_UNARY_FUNCTIONS(MLXPP_TEST_UNARY)
#undef MLXPP_TEST_UNARY
  EXPECT_GE(count, 33);
}

template <class F, class Fn>
void check_binary(const std::string& name, Fn fn) {
  SCOPED_TRACE(name);
  std::vector<std::pair<double, double>> points = {{0.6, 1.3}, {-0.4, 0.7}, {1.7, -0.9}};
  if (name == "pow") points = {{0.6, 1.3}, {2.0, -0.5}, {1.5, 2.5}};
  for (auto [a, b] : points) {
    SCOPED_TRACE(std::to_string(a) + ", " + std::to_string(b));
    const double v = F{}(a, b);
    const D ya = fn(D(a, 1), D(b, 0)), yb = fn(D(a, 0), D(b, 1));
    EXPECT_DOUBLE_EQ(ya.v, v);
    const double da = fd([&](double t) { return F{}(t, b); }, a);
    const double db = fd([&](double t) { return F{}(a, t); }, b);
    EXPECT_TRUE(close(ya.d, da, 1e-8)) << ya.d << " vs " << da;
    EXPECT_TRUE(close(yb.d, db, 1e-8)) << yb.d << " vs " << db;
    // A constant operand gives the same partial as a dual with zero tangent.
    EXPECT_DOUBLE_EQ(fn(D(a, 1), b).d, ya.d);
    EXPECT_DOUBLE_EQ(fn(a, D(b, 1)).d, yb.d);
    EXPECT_DOUBLE_EQ(fn(D(a, 1), b).v, v);
    // Both directions at once, and the mixed second derivative d²f/da db.
    EXPECT_DOUBLE_EQ(fn(D(a, 1), D(b, 1)).d, ya.d + yb.d);
    const DD yab = fn(DD(D(a, 0), D(1, 0)), DD(D(b, 1), D(0, 0)));
    const double dab = fd([&](double t) { return fn(D(a, 1), D(t, 0)).d; }, b);
    EXPECT_TRUE(close(yab.d.d, dab, 1e-7)) << yab.d.d << " vs " << dab;
  }
}

TEST(Dual, EveryBinaryFunctionAgainstFiniteDifferences) {
  int count = 0;
#define MLXPP_TEST_BINARY(fn, F)                                                           \
  check_binary<f::F>(#fn, [](const auto& a, const auto& b) { return ad::fn(a, b); }); \
  ++count;
  MLXPP_AD_BINARY_FUNCTIONS(MLXPP_TEST_BINARY)
#undef MLXPP_TEST_BINARY
  EXPECT_EQ(count, 9);
}

// dual<batch<float>> lane by lane against dual<float>: a fused SIMD loop gets the same
// derivatives as the scalar code (up to the batch functions' few ulp).
using B = xsimd::batch<float>;
constexpr int kW = static_cast<int>(B::size);

std::vector<float> lanes_for(const std::string& name) {
  std::vector<float> v(kW);
  const auto pts = points_for(name);
  const float lo = static_cast<float>(pts.front()), hi = static_cast<float>(pts[1]);
  for (int i = 0; i < kW; ++i) v[i] = lo + (hi - lo) * static_cast<float>(i) / kW;
  return v;
}

bool close_f(float a, float b) { return std::abs(a - b) <= 2e-5f * (1 + std::abs(b)); }

template <class Fn>
void check_batch_unary(const std::string& name, Fn fn) {
  SCOPED_TRACE(name);
  const std::vector<float> x = lanes_for(name);
  alignas(64) float xv[kW], dv[kW], yv[kW], yd[kW];
  for (int i = 0; i < kW; ++i) xv[i] = x[i], dv[i] = 1.0f + 0.25f * i;
  const ad::dual<B> y = fn(ad::dual<B>(B::load_aligned(xv), B::load_aligned(dv)));
  y.v.store_aligned(yv);
  y.d.store_aligned(yd);
  for (int i = 0; i < kW; ++i) {
    const ad::dual<float> s = fn(ad::dual<float>(xv[i], dv[i]));
    EXPECT_TRUE(close_f(yv[i], s.v)) << "lane " << i << ": " << yv[i] << " vs " << s.v;
    EXPECT_TRUE(close_f(yd[i], s.d)) << "lane " << i << ": " << yd[i] << " vs " << s.d;
  }
}

TEST(Dual, BatchLanesMatchScalarDuals) {
#define MLXPP_TEST_UNARY(fn, F) check_batch_unary(#fn, [](const auto& x) { return ad::fn(x); });
  MLXPP_AD_UNARY_FUNCTIONS(MLXPP_TEST_UNARY)
#undef MLXPP_TEST_UNARY
  // Binary functions and a small expression, lane by lane.
  alignas(64) float av[kW], bv[kW], out_v[kW], out_d[kW];
  for (int i = 0; i < kW; ++i) av[i] = 0.3f + 0.1f * i, bv[i] = 1.1f - 0.05f * i;
  auto expr = [](const auto& a, const auto& b) {
    using namespace std;
    return pow(a, b) + atan2(a, b) * ad::logaddexp(a, b) - ad::maximum(a, b) / (b * b + 1.0f) +
           sin(a) * exp(-b) * 2.0f;
  };
  using DB = ad::dual<B>;
  const DB r = expr(DB(B::load_aligned(av), B(1.0f)), DB(B::load_aligned(bv), B(0.5f)));
  r.v.store_aligned(out_v);
  r.d.store_aligned(out_d);
  for (int i = 0; i < kW; ++i) {
    const ad::dual<float> s = expr(ad::dual<float>(av[i], 1.0f), ad::dual<float>(bv[i], 0.5f));
    EXPECT_TRUE(close_f(out_v[i], s.v)) << i;
    EXPECT_TRUE(close_f(out_d[i], s.d)) << i;
  }
}

TEST(Dual, DerivativeHelperOnGenericCode) {
  auto f = [](auto x) {
    using std::exp;
    using std::sin;
    return x * sin(x) + exp(x / 2);
  };
  for (double x : {-1.0, 0.5, 2.0})
    EXPECT_NEAR(ad::derivative(f, x), std::sin(x) + x * std::cos(x) + 0.5 * std::exp(x / 2),
                1e-14);
  // The helper nests: the inner one runs on dual<double>, so this is f''.
  const double x = 0.5;
  EXPECT_NEAR(ad::derivative([&](auto t) { return ad::derivative(f, t); }, x),
              2 * std::cos(x) - x * std::sin(x) + 0.25 * std::exp(x / 2), 1e-14);
  EXPECT_DOUBLE_EQ(ad::derivative([](auto) { return 3.0; }, 1.0), 0.0);
}

}  // namespace
