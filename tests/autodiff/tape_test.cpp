// SPDX-License-Identifier: MIT
// Reverse mode (autodiff/tape.hpp): every function's partials equal forward mode's; a few
// hundred random expressions agree between dual, var and finite differences; a 10^7-node
// tape sweeps without deep recursion; recorded tapes are reused with other seeds; constants
// record nothing; two tapes do not mix; default tapes are per thread and scopes nest.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../error_message.hpp"
#include "mlx/autodiff/autodiff.hpp"

namespace {

namespace ad = mlx::ad;
using D = ad::dual<double>;
using V = ad::var<double>;

TEST(Tape, EveryFunctionMatchesForwardMode) {
  ad::tape<double> t;
  std::vector<double> xs = {-0.4, 0.6, 1.3};
  auto check_unary = [&](const std::string& name, auto fn) {
    SCOPED_TRACE(name);
    for (double x0 : xs) {
      double x = x0;
      if (name == "log" || name == "log2" || name == "log10" || name == "sqrt" || name == "rsqrt")
        x = std::abs(x0) + 0.1;
      if (name == "acosh") x = std::abs(x0) + 1.2;
      if ((name == "asin" || name == "acos" || name == "atanh" || name == "erfinv") && x0 > 1)
        continue;
      t.clear();
      const V v = t.variable(x);
      const V y = fn(v);
      const D yd = fn(D(x, 1));
      EXPECT_DOUBLE_EQ(y.value(), yd.v);
      EXPECT_DOUBLE_EQ(t.grad(y, v), yd.d);
      EXPECT_EQ(t.size(), 2u);  // the variable and one operation
    }
  };
#define MLXPP_TEST_UNARY(fn, F) check_unary(#fn, [](const auto& x) { return ad::fn(x); });
  MLXPP_AD_UNARY_FUNCTIONS(MLXPP_TEST_UNARY)
  MLXPP_TEST_UNARY(operator-, Negative)
#undef MLXPP_TEST_UNARY

  auto check_binary = [&](const std::string& name, auto fn) {
    SCOPED_TRACE(name);
    for (auto [a, b] : {std::pair{0.6, 1.3}, {1.7, 0.4}}) {
      t.clear();
      const V va = t.variable(a), vb = t.variable(b);
      const V y = fn(va, vb);
      t.backward(y);
      EXPECT_DOUBLE_EQ(y.value(), fn(a, b));
      EXPECT_DOUBLE_EQ(t.adjoint(va), fn(D(a, 1), D(b, 0)).d);
      EXPECT_DOUBLE_EQ(t.adjoint(vb), fn(D(a, 0), D(b, 1)).d);
      // One var and one constant: a node with one parent.
      const std::size_t before = t.size();
      const V ya = fn(va, b), yb = fn(a, vb);
      EXPECT_EQ(t.size(), before + 2);
      EXPECT_DOUBLE_EQ(t.grad(ya, va), fn(D(a, 1), b).d);
      EXPECT_DOUBLE_EQ(t.grad(yb, vb), fn(a, D(b, 1)).d);
    }
  };
  // Plain doubles have no maximum/minimum/logaddexp: evaluate those through the functor.
#define MLXPP_TEST_BINARY(fn, F)                                                      \
  check_binary(#fn, [](const auto& a, const auto& b) {                               \
    if constexpr (std::is_same_v<std::decay_t<decltype(a)>, double> &&                \
                  std::is_same_v<std::decay_t<decltype(b)>, double>)                  \
      return mlx::core::functors::F{}(a, b);                                          \
    else                                                                              \
      return ad::fn(a, b);                                                            \
  });
  MLXPP_AD_BINARY_FUNCTIONS(MLXPP_TEST_BINARY)
#undef MLXPP_TEST_BINARY
}

// ---- random expressions --------------------------------------------------------------

// A random expression tree over three inputs: leaves are inputs or constants, inner nodes
// + - * / or a unary function. Evaluated generically, so the same tree runs on double,
// dual<double> and var<double>.
struct Expr {
  enum Kind { input, constant, add, sub, mul, div, unary } kind;
  int index = 0;       // input number, or unary function number
  double value = 0;    // constant
  int a = -1, b = -1;  // children
};

constexpr int kUnaryCount = 14;

template <class T>
T apply_unary(int k, const T& x) {
  using namespace std;
  using namespace mlx::ad;  // sigmoid and square have no <cmath> name
  switch (k) {
    case 0: return sin(x);
    case 1: return cos(x);
    case 2: return exp(x);
    case 3: return log(x);
    case 4: return sqrt(x);
    case 5: return tanh(x);
    case 6: return atan(x);
    case 7: return erf(x);
    case 8: return log1p(x);
    case 9: return expm1(x);
    case 10: return asinh(x);
    case 11: return pow(x, 3);
    case 12: return atan2(x, x * x + 1.0);
    default: return cosh(x);
  }
}

struct Tree {
  std::vector<Expr> nodes;
  int root = -1;

  template <class T>
  T eval(const std::vector<T>& x) const { return eval_node(root, x); }

 private:
  template <class T>
  T eval_node(int i, const std::vector<T>& x) const {
    const Expr& e = nodes[i];
    switch (e.kind) {
      case Expr::input: return x[e.index];
      case Expr::constant: return T(e.value);
      case Expr::add: return eval_node(e.a, x) + eval_node(e.b, x);
      case Expr::sub: return eval_node(e.a, x) - eval_node(e.b, x);
      case Expr::mul: return eval_node(e.a, x) * eval_node(e.b, x);
      case Expr::div: return eval_node(e.a, x) / eval_node(e.b, x);
      default: return apply_unary(e.index, eval_node(e.a, x));
    }
  }
};

int grow(Tree& t, std::mt19937& gen, int depth) {
  std::uniform_int_distribution<int> pick(0, 9);
  Expr e;
  const int r = depth == 0 ? pick(gen) % 2 : pick(gen);
  if (r == 0 || (depth == 0 && r == 1 && pick(gen) < 7)) {
    e.kind = Expr::input;
    e.index = pick(gen) % 3;
  } else if (depth == 0 || r == 1) {
    e.kind = Expr::constant;
    e.value = std::uniform_real_distribution<double>(-2, 2)(gen);
  } else if (r <= 5) {
    e.kind = static_cast<Expr::Kind>(Expr::add + (r - 2));
    e.a = grow(t, gen, depth - 1);
    e.b = grow(t, gen, depth - 1);
  } else {
    e.kind = Expr::unary;
    e.index = std::uniform_int_distribution<int>(0, kUnaryCount - 1)(gen);
    e.a = grow(t, gen, depth - 1);
  }
  t.nodes.push_back(e);
  return static_cast<int>(t.nodes.size()) - 1;
}

TEST(Tape, RandomExpressionsAgreeWithDualAndFiniteDifferences) {
  std::mt19937 gen(20240601);
  std::uniform_real_distribution<double> input(-1.5, 1.5);
  int tested = 0, generated = 0;
  ad::tape<double> t;
  while (tested < 300 && generated < 5000) {
    ++generated;
    Tree tree;
    tree.root = grow(tree, gen, 4);
    const std::vector<double> x = {input(gen), input(gen), input(gen)};
    const double v = tree.eval(x);
    // Out of domain (log of a negative) or too steep for finite differences: next tree.
    if (!std::isfinite(v) || std::abs(v) > 1e4) continue;
    t.clear();
    const std::vector<V> xv = t.variables(x);
    const V y = tree.eval(xv);
    // The same value up to rounding: -O2 and above may contract a*b+c into an FMA in one
    // instantiation and not in the other.
    ASSERT_NEAR(y.value(), v, 1e-12 * (1 + std::abs(v)));
    t.backward(y);
    bool smooth = true;
    std::vector<double> g_fd(3), g_dual(3);
    for (int k = 0; k < 3 && smooth; ++k) {
      std::vector<D> xd(x.begin(), x.end());
      xd[k].d = 1;
      g_dual[k] = tree.eval(xd).d;
      auto central = [&](double h) {
        double f[4];
        for (int s = 0; s < 4; ++s) {
          std::vector<double> xs = x;
          xs[k] += h * (s < 2 ? s - 2 : s - 1);  // -2h, -h, +h, +2h
          f[s] = tree.eval(xs);
        }
        return (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
      };
      // Two step sizes: where they disagree, the difference quotient is not to be trusted
      // (a tree that is too curved at x) and the tree is skipped.
      g_fd[k] = central(1e-4);
      const double check = central(5e-5);
      smooth = std::isfinite(g_fd[k]) && std::isfinite(g_dual[k]) && std::abs(g_dual[k]) < 1e5 &&
               std::abs(check - g_fd[k]) < 1e-7 * (1 + std::abs(g_fd[k]));
    }
    if (!smooth) continue;
    ++tested;
    for (int k = 0; k < 3; ++k) {
      const double g_var = t.adjoint(xv[k]);
      // dual and var apply the same rules in a different order: equal to rounding.
      EXPECT_NEAR(g_var, g_dual[k], 1e-11 * (1 + std::abs(g_dual[k]))) << "tree " << generated;
      EXPECT_NEAR(g_var, g_fd[k], 1e-5 * (1 + std::abs(g_dual[k]))) << "tree " << generated;
    }
  }
  EXPECT_GE(tested, 300) << "generated " << generated;
  RecordProperty("trees_generated", generated);
}

// ---- the tape --------------------------------------------------------------------------

TEST(Tape, TenMillionOperationsSweepWithoutRecursion) {
  ad::tape<double> t("long chain");
  constexpr int kSteps = 5'000'000;  // two nodes each: 10^7 operations
  t.reserve(2 * kSteps + 1);
  const V x = t.variable(1.0);
  V y = x;
  const double c = 1 - 1e-8;
  for (int i = 0; i < kSteps; ++i) y = y * c + 1e-9;
  EXPECT_EQ(t.size(), 2u * kSteps + 1);
  EXPECT_NEAR(t.grad(y, x), std::pow(c, kSteps), 1e-9);
}

TEST(Tape, RecordedTapeIsReusedWithOtherSeeds) {
  using std::sin;
  ad::tape<double> t;
  const V a = t.variable(0.5), b = t.variable(2.0);
  const V y1 = a * b, y2 = sin(a) + b * b;
  const std::size_t recorded = t.size();
  EXPECT_DOUBLE_EQ(t.grad(y1, a), 2.0);
  EXPECT_DOUBLE_EQ(t.grad(y1, b), 0.5);
  t.backward(y2, 3.0);  // another output, another seed, same recording
  EXPECT_DOUBLE_EQ(t.adjoint(a), 3 * std::cos(0.5));
  EXPECT_DOUBLE_EQ(t.adjoint(b), 3 * 4.0);
  // Several seeds in one sweep: a vector-Jacobian product.
  t.zero_adjoints();
  t.adjoint(y1) = 1.0;
  t.adjoint(y2) = -2.0;
  t.sweep();
  EXPECT_DOUBLE_EQ(t.adjoint(a), 2.0 - 2 * std::cos(0.5));
  EXPECT_DOUBLE_EQ(t.adjoint(b), 0.5 - 2 * 4.0);
  EXPECT_EQ(t.size(), recorded);  // sweeps record nothing
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_INVALID(t.adjoint(a), "cleared");
}

TEST(Tape, ConstantsRecordNothing) {
  ad::tape<double> t;
  const V c = 2.0;  // a constant
  EXPECT_TRUE(c.is_constant());
  const V d = c * 3.0 + exp(c);
  EXPECT_TRUE(d.is_constant());
  EXPECT_DOUBLE_EQ(d.value(), 6.0 + std::exp(2.0));
  EXPECT_EQ(t.size(), 0u);
  const V x = t.variable(1.5);
  const V y = x * c + d;  // two nodes, one parent each
  EXPECT_EQ(t.size(), 3u);
  EXPECT_DOUBLE_EQ(t.grad(y, x), 2.0);
  EXPECT_DOUBLE_EQ(t.grad(y, c), 0.0);
  // Memory is proportional to the operations recorded: one node per operation.
  for (int i = 0; i < 1000; ++i) (void)(x * x);
  EXPECT_EQ(t.size(), 1003u);
}

TEST(Tape, OperandsOfTwoTapesThrow) {
  ad::tape<double> t1("first"), t2("second");
  const V a = t1.variable(1.0), b = t2.variable(2.0);
  EXPECT_INVALID(a + b, "different tapes, 'first' and 'second'");
  EXPECT_INVALID(pow(b, a), "'second' and 'first'");
  EXPECT_INVALID(t1.grad(b, a), "not recorded on 'first'");
  ad::tape<double> unnamed;
  const V u = unnamed.variable(1.0);
  EXPECT_INVALID(a * u, "'first' and 'tape at 0x");
}

TEST(Tape, DefaultTapeIsPerThreadAndScopesNest) {
  ad::tape<double>& mine = ad::current_tape<double>();
  EXPECT_EQ(&mine, &ad::tape<double>::default_tape());
  ad::tape<double>* other_default = nullptr;
  std::size_t other_size = 0;
  std::thread th([&] {
    other_default = &ad::current_tape<double>();
    const V x = ad::variable(1.0);
    other_size = ad::current_tape<double>().size();
    EXPECT_EQ(x.tape_ptr(), other_default);
  });
  th.join();
  EXPECT_NE(other_default, &mine);
  EXPECT_EQ(other_size, 1u);

  ad::tape<double> outer("outer"), inner("inner");
  {
    ad::tape<double>::scope s1(outer);
    const V x = ad::variable(2.0);
    EXPECT_EQ(x.tape_ptr(), &outer);
    {
      ad::tape<double>::scope s2(inner);
      EXPECT_EQ(ad::variable(3.0).tape_ptr(), &inner);
      // Operations record on their operands' tape, whichever is current.
      const V y = x * x;
      EXPECT_EQ(y.tape_ptr(), &outer);
      EXPECT_DOUBLE_EQ(outer.grad(y, x), 4.0);
    }
    EXPECT_EQ(&ad::current_tape<double>(), &outer);
  }
  EXPECT_EQ(&ad::current_tape<double>(), &mine);
  EXPECT_EQ(inner.size(), 1u);
}

TEST(Tape, GenericCodeWithCompoundAssignment) {
  // Σ sin(x_i) x_{i+1}, written once for every scalar type.
  auto f = [](const auto& x) {
    using std::sin;
    std::decay_t<decltype(x[0])> s = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) s += sin(x[i]) * x[i + 1];
    return s;
  };
  const std::vector<double> x = {0.1, -0.7, 1.2, 0.4, 2.0};
  ad::tape<double> t;
  const std::vector<V> xv = t.variables(x);
  const V y = f(xv);
  EXPECT_DOUBLE_EQ(y.value(), f(x));
  t.backward(y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    double g = 0;
    if (i + 1 < x.size()) g += std::cos(x[i]) * x[i + 1];
    if (i > 0) g += std::sin(x[i - 1]);
    EXPECT_NEAR(t.adjoint(xv[i]), g, 1e-15);
  }
}

}  // namespace
