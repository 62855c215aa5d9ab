// SPDX-License-Identifier: MIT
// The gradient checker: vjp and jvp of a function of arrays against central finite
// differences in float64, and the consistency <jvp(v), u> = sum_i <v_i, vjp(u)_i>.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "../array_values.hpp"
#include "mlx/mlx.hpp"

namespace mlxtest {

namespace mx = mlx::core;

/// Deterministic values in [lo, hi) that avoid the midpoints where rounding jumps.
inline std::vector<double> spread(size_t n, double lo, double hi, int seed) {
  std::vector<double> v(n);
  uint32_t x = 2246822519u * static_cast<uint32_t>(seed + 7);
  for (auto& e : v) {
    x = x * 1664525u + 1013904223u;
    e = lo + (hi - lo) * (0.05 + 0.9 * ((x >> 8) % 1000) / 1000.0);
    if (std::abs(e * 2 - std::round(e * 2)) < 0.02) e += 0.03;  // away from k/2
  }
  return v;
}

inline mx::array f64(const std::vector<double>& v, const mx::Shape& shape) {
  return mx::array(v.begin(), shape, mx::float64);
}

inline double dot(const mx::array& a, const mx::array& b) {
  auto x = to_doubles(a), y = to_doubles(b);
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

using Fn = std::function<mx::array(const std::vector<mx::array>&)>;

/// Checks vjp and jvp of f at `xs` (float64 arrays) against finite differences.
inline void check_gradients(const std::string& name, const Fn& f, const std::vector<mx::array>& xs,
                            double tol = 1e-6, double eps = 1e-6) {
  SCOPED_TRACE(name);
  auto vf = [&](const std::vector<mx::array>& a) { return std::vector<mx::array>{f(a)}; };
  mx::array y = f(xs);
  mx::array u = f64(spread(y.size(), -1, 1, 3), y.shape());
  auto [outs, g] = mx::vjp(vf, xs, {u});
  ASSERT_EQ(g.size(), xs.size());
  std::vector<mx::array> vs;
  for (size_t i = 0; i < xs.size(); ++i) vs.push_back(f64(spread(xs[i].size(), -1, 1, 11 + int(i)), xs[i].shape()));
  auto [outs2, t] = mx::jvp(vf, xs, vs);
  EXPECT_EQ(to_doubles(outs[0]), to_doubles(y));
  double jvp_u = dot(t[0], u), vjp_v = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    ASSERT_EQ(g[i].shape(), xs[i].shape()) << "input " << i;
    vjp_v += dot(g[i], vs[i]);
    auto x = to_doubles(xs[i]);
    auto gi = to_doubles(g[i]);
    for (size_t j = 0; j < x.size(); ++j) {
      auto at = [&](double d) {
        auto args = xs;
        auto xp = x;
        xp[j] += d;
        args[i] = f64(xp, xs[i].shape());
        return dot(f(args), u);
      };
      const double fd = (at(eps) - at(-eps)) / (2 * eps);
      EXPECT_NEAR(gi[j], fd, tol * (1 + std::abs(fd))) << "d/dx" << i << "[" << j << "]";
    }
  }
  EXPECT_NEAR(jvp_u, vjp_v, 1e-9 * (1 + std::abs(vjp_v))) << "<jvp(v), u> vs <v, vjp(u)>";
  // The directional derivative along v by finite differences.
  auto along = [&](double d) {
    auto args = xs;
    for (size_t i = 0; i < xs.size(); ++i) args[i] = mx::array(xs[i] + vs[i] * d);
    return dot(f(args), u);
  };
  const double fd = (along(eps) - along(-eps)) / (2 * eps);
  EXPECT_NEAR(jvp_u, fd, tol * (1 + std::abs(fd))) << "jvp along v";
}

}  // namespace mlxtest
