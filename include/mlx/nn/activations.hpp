// SPDX-License-Identifier: MIT
// Activation functions (MLX's mlx.nn free functions, same names, formulas and defaults).
// Each is a template (docs/compile-time.md) returning an array: the expression is fused
// into one loop and converted once. Constants are made in the input's dtype so that a
// float16 input stays float16 (a C++ double scalar would promote it to float32).
#pragma once

#include <cmath>
#include <numbers>

#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/ops/softmax.hpp"

namespace mlx::nn {

using mlx::core::array;

namespace detail {
/// The dtype the activation computes in: the input's when it is floating, else float32.
inline core::Dtype float_dtype(const array& x) {
  return core::issubdtype(x.dtype(), core::floating) ? x.dtype() : core::float32;
}
/// A 0-d constant in x's floating dtype.
inline array cst(double v, const array& x) { return array(v, float_dtype(x)); }
/// A 0-d constant in x's own dtype (for ops that keep integer inputs integer: relu).
inline array same(double v, const array& x) { return array(v, x.dtype()); }
}  // namespace detail

/// max(x, 0).
template <class = void>
array relu(const array& x) {
  return array(core::maximum(x, detail::same(0, x)));
}
/// min(max(x, 0), 6).
template <class = void>
array relu6(const array& x) {
  return array(core::minimum(core::maximum(x, detail::same(0, x)), detail::same(6, x)));
}
/// max(negative_slope * x, x).
template <class = void>
array leaky_relu(const array& x, float negative_slope = 0.01f) {
  return array(core::maximum(detail::cst(negative_slope, x) * x, x));
}
/// x where x > 0, alpha * (exp(x) - 1) elsewhere.
template <class = void>
array elu(const array& x, float alpha = 1.0f) {
  return array(core::where(x > detail::same(0, x), x,
                           detail::cst(alpha, x) * (core::exp(x) - detail::cst(1, x))));
}
/// 1.0507 * elu(x, 1.67326) (MLX's rounded constants).
template <class = void>
array selu(const array& x) {
  return array(elu(x, 1.67326f) * detail::cst(1.0507, x));
}
/// max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1).
template <class = void>
array celu(const array& x, float alpha = 1.0f) {
  array a = detail::cst(alpha, x), z = detail::cst(0, x);
  return array(core::maximum(x, z) + a * (core::exp(core::minimum(x, z) / a) - detail::cst(1, x)));
}
/// x * Phi(x) with the exact normal CDF: x * (1 + erf(x / sqrt(2))) / 2.
template <class = void>
array gelu(const array& x) {
  return array(x * (detail::cst(1, x) + core::erf(x * detail::cst(1 / std::numbers::sqrt2, x))) *
               detail::cst(0.5, x));
}
/// The tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <class = void>
array gelu_approx(const array& x) {
  const double k = std::sqrt(2.0 / std::numbers::pi);
  return array(detail::cst(0.5, x) * x *
               (detail::cst(1, x) +
                core::tanh(detail::cst(k, x) * (x + detail::cst(0.044715, x) * x * x * x))));
}
/// The sigmoid approximation: x * sigmoid(1.702 x).
template <class = void>
array gelu_fast_approx(const array& x) {
  return array(x * core::sigmoid(detail::cst(1.702, x) * x));
}
/// x * sigmoid(x) (swish).
template <class = void>
array silu(const array& x) {
  return array(x * core::sigmoid(x));
}
/// 1 / (1 + exp(-x)).
template <class = void>
array sigmoid(const array& x) {
  return array(core::sigmoid(x));
}
/// max(0, min(1, (x + 3) / 6)).
template <class = void>
array hard_sigmoid(const array& x) {
  return array(core::maximum(detail::cst(0, x),
                             core::minimum(detail::cst(1, x), (x + detail::cst(3, x)) / detail::cst(6, x))));
}
/// min(max(x, min_val), max_val).
template <class = void>
array hard_tanh(const array& x, float min_val = -1.0f, float max_val = 1.0f) {
  return array(core::minimum(core::maximum(x, detail::cst(min_val, x)), detail::cst(max_val, x)));
}
/// tanh(x).
template <class = void>
array tanh(const array& x) {
  return array(core::tanh(x));
}
/// log(1 + exp(x)), computed as logaddexp(x, 0) so large x does not overflow.
template <class = void>
array softplus(const array& x) {
  return array(core::logaddexp(x, detail::cst(0, x)));
}
/// x * tanh(softplus(x)).
template <class = void>
array mish(const array& x) {
  return array(x * core::tanh(core::logaddexp(x, detail::cst(0, x))));
}
/// x / (1 + |x|).
template <class = void>
array softsign(const array& x) {
  return array(x / (detail::cst(1, x) + core::abs(x)));
}
/// log(sigmoid(x)) = -softplus(-x).
template <class = void>
array log_sigmoid(const array& x) {
  return array(-core::logaddexp(-x, detail::cst(0, x)));
}
/// x - logsumexp(x, axis).
template <class = void>
array log_softmax(const array& x, int axis = -1) {
  return array(x - core::logsumexp(x, axis, true));
}
/// softmax(x, axis) (re-exported so nn code reads like MLX's).
template <class = void>
array softmax(const array& x, int axis = -1) {
  return core::softmax(x, axis);
}
/// softmax(-x, axis).
template <class = void>
array softmin(const array& x, int axis = -1) {
  return core::softmax(array(-x), axis);
}
/// Gated linear unit: a * sigmoid(b), with a and b the two halves of x along axis.
/// \throws std::invalid_argument when that axis has odd length.
template <class = void>
array glu(const array& x, int axis = -1) {
  const int nd = static_cast<int>(x.ndim());
  const int ax = axis < 0 ? axis + nd : axis;
  if (ax < 0 || ax >= nd) core::detail::fail("nn.glu", "Axis ", axis, " is out of range for ", nd, " dimensions.");
  if (x.shape(ax) % 2 != 0)
    core::detail::fail("nn.glu", "The size of axis ", axis, " (", x.shape(ax), ") must be even.");
  auto halves = core::split(x, 2, ax);
  return array(halves[0] * core::sigmoid(halves[1]));
}
/// x * min(max(x + 3, 0), 6) / 6.
template <class = void>
array hardswish(const array& x) {
  array xs = x;
  if (!core::issubdtype(x.dtype(), core::floating)) xs = array(core::astype(x, core::float32));
  return array(xs * core::minimum(core::maximum(xs + detail::cst(3, xs), detail::cst(0, xs)), detail::cst(6, xs)) /
               detail::cst(6, xs));
}
/// 1 where x > threshold, else 0 (MLX's step; the result has x's dtype).
template <class = void>
array step(const array& x, float threshold = 0.0f) {
  return array(core::where(x > detail::cst(threshold, x), detail::same(1, x), detail::same(0, x)));
}
/// max(0, x) + alpha * min(0, x), alpha broadcast against x (learnt by the PReLU layer).
template <class = void>
array prelu(const array& x, const array& alpha) {
  array z = detail::cst(0, x);
  return array(core::maximum(z, x) + alpha * core::minimum(z, x));
}
/// x - sign(x) * lambd where |x| > lambd, else 0.
template <class = void>
array softshrink(const array& x, float lambd = 0.5f) {
  array l = detail::cst(lambd, x);
  return array(core::where(core::abs(x) > l, x - core::sign(x) * l, detail::cst(0, x)));
}
/// x where |x| > lambd, else 0.
template <class = void>
array hard_shrink(const array& x, float lambd = 0.5f) {
  return array(core::where(core::abs(x) > detail::cst(lambd, x), x, detail::cst(0, x)));
}

}  // namespace mlx::nn
