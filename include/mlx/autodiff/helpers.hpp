// SPDX-License-Identifier: MIT
// Derivatives of plain functions written generically over their scalar type: derivative
// (forward, one dual pass), gradient (reverse, one tape and one sweep), jacobian (forward
// when there are no more inputs than outputs, else reverse: the cheaper of n forward passes
// and m sweeps of one recorded tape), hessian and hvp (forward-over-reverse: a tape of
// var<dual<T>>, whose adjoints carry the gradient and, as tangents, a Hessian column).
//
// The functions are called with vectors of dual<T> or var<T>, so they are generic lambdas
// or templates: [](const auto& x) { using std::sin; return sin(x[0]) * x[1]; }. Each helper
// records on a tape of its own, made current while f runs, and leaves the thread's tapes as
// they were.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mlx/autodiff/dual.hpp"
#include "mlx/autodiff/tape.hpp"

namespace mlx::ad {

namespace detail {

/// The tangent of f's result: 0 when f returned something that does not depend on x.
template <class T, class R>
T tangent_of(const R& r) {
  if constexpr (is_dual_v<R>) return T(r.d); else return T(0);
}

template <class T, class R>
var<T> as_var(const R& r) {
  return var<T>(r);
}

/// Forward-over-reverse: records f on a tape of dual<T> with x seeded by the direction v and
/// sweeps once; returns the adjoints (value: gradient, tangent: H·v) and f's value.
template <class F, class T>
std::vector<dual<T>> gradient_along(F&& f, const std::vector<T>& x, const std::vector<T>& v,
                                    tape<dual<T>>& t) {
  t.clear();
  typename tape<dual<T>>::scope scope(t);
  std::vector<var<dual<T>>> xs;
  xs.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) xs.push_back(t.variable(dual<T>(x[i], v[i])));
  const var<dual<T>> y = as_var<dual<T>>(f(xs));
  t.backward(y);
  std::vector<dual<T>> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = t.adjoint(xs[i]);
  return out;
}

}  // namespace detail

/// How jacobian differentiates: automatic picks forward when inputs <= outputs.
enum class mode { automatic, forward, reverse };

/// df/dx at x for f: T -> T (one forward pass).
template <class F, class T>
T derivative(F&& f, const T& x) {
  return detail::tangent_of<T>(f(dual<T>(x, T(1))));
}

/// f's value and gradient at x for f: T^n -> T (one recording, one backward sweep).
template <class F, class T>
std::pair<T, std::vector<T>> value_and_gradient(F&& f, const std::vector<T>& x) {
  tape<T> t;
  typename tape<T>::scope scope(t);
  const std::vector<var<T>> xs = t.variables(x);
  const var<T> y = detail::as_var<T>(f(xs));
  t.backward(y);
  std::vector<T> g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) g[i] = t.adjoint(xs[i]);
  return {y.value(), std::move(g)};
}

/// The gradient of f: T^n -> T at x.
template <class F, class T>
std::vector<T> gradient(F&& f, const std::vector<T>& x) {
  return value_and_gradient(std::forward<F>(f), x).second;
}

/// The m x n Jacobian J[i][j] = dy_i/dx_j of f: T^n -> T^m (f returns a vector). Forward
/// mode takes n passes of dual<T>; reverse mode records f once and sweeps the tape m times.
/// Automatic makes the first forward pass (it tells m) and goes on forward if n <= m.
template <class F, class T>
std::vector<std::vector<T>> jacobian(F&& f, const std::vector<T>& x, mode how = mode::automatic) {
  const std::size_t n = x.size();
  std::vector<std::vector<T>> J;
  if (how != mode::reverse && n > 0) {
    std::vector<dual<T>> xs(x.begin(), x.end());
    for (std::size_t j = 0; j < n; ++j) {
      xs[j].d = T(1);
      const auto ys = f(xs);
      xs[j].d = T(0);
      if (j == 0) {
        if (how == mode::automatic && n > ys.size()) break;  // reverse is cheaper
        J.assign(ys.size(), std::vector<T>(n, T(0)));
      }
      for (std::size_t i = 0; i < ys.size(); ++i) J[i][j] = detail::tangent_of<T>(ys[i]);
    }
    if (!J.empty() || how == mode::forward) return J;
  }
  tape<T> t;
  typename tape<T>::scope scope(t);
  const std::vector<var<T>> xs = t.variables(x);
  const auto ys = f(xs);
  J.assign(ys.size(), std::vector<T>(n, T(0)));
  for (std::size_t i = 0; i < ys.size(); ++i) {
    t.backward(detail::as_var<T>(ys[i]));  // the same recording, another seed
    for (std::size_t j = 0; j < n; ++j) J[i][j] = t.adjoint(xs[j]);
  }
  return J;
}

/// The n x n Hessian of f: T^n -> T at x: n forward-over-reverse passes (one per column).
template <class F, class T>
std::vector<std::vector<T>> hessian(F&& f, const std::vector<T>& x) {
  const std::size_t n = x.size();
  std::vector<std::vector<T>> H(n, std::vector<T>(n, T(0)));
  std::vector<T> e(n, T(0));
  tape<dual<T>> t;  // cleared and reused for every column
  for (std::size_t j = 0; j < n; ++j) {
    e[j] = T(1);
    const auto g = detail::gradient_along(f, x, e, t);
    e[j] = T(0);
    for (std::size_t i = 0; i < n; ++i) H[i][j] = g[i].d;
  }
  return H;
}

/// The Hessian-vector product H(x)·v of f: T^n -> T in one forward-over-reverse pass.
template <class F, class T>
std::vector<T> hvp(F&& f, const std::vector<T>& x, const std::vector<T>& v) {
  if (v.size() != x.size())
    throw std::invalid_argument("mlx::ad::hvp: x has " + std::to_string(x.size()) +
                                " elements but v has " + std::to_string(v.size()));
  tape<dual<T>> t;
  const auto g = detail::gradient_along(f, x, v, t);
  std::vector<T> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = g[i].d;
  return out;
}

}  // namespace mlx::ad
