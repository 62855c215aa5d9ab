// SPDX-License-Identifier: MIT
// Array creation (MLX's names and overloads): zeros, ones, full, arange, linspace, eye,
// identity, tri, tril, triu, *_like. All are lazy nodes.
#pragma once

#include <cmath>
#include <optional>

#include "mlx/ops/elementwise.hpp"
#include "mlx/primitives/creation.hpp"

namespace mlx::core {

namespace detail {
inline void check_creation_shape(std::string_view op, const Shape& shape) {
  for (auto d : shape)
    if (d < 0) fail(op, "Negative dimensions not allowed. Got shape ", shape, ".");
}
}  // namespace detail

/// An array of `shape` filled with `vals` broadcast to it, in `dtype`.
template <class = void>
inline array full(Shape shape, array vals, Dtype dtype, StreamOrDevice s = {}) {
  detail::check_creation_shape("full", shape);
  bool ok = true;
  try {
    ok = broadcast_shapes(vals.shape(), shape) == shape;
  } catch (const std::invalid_argument&) {
    ok = false;
  }
  if (!ok)
    detail::fail("full", "Cannot broadcast values of shape ", vals.shape(), " to shape ", shape, ".");
  return detail::expression_node<Fused<decltype(astype(vals, dtype, s))>>(
      astype(vals, dtype, s), std::move(shape), dtype);
}
template <class = void>
inline array full(Shape shape, array vals, StreamOrDevice s = {}) {
  Dtype dt = vals.dtype();
  return full(std::move(shape), std::move(vals), dt, std::move(s));
}
template <class T>
  requires detail::is_scalar_operand_v<T>
array full(Shape shape, T val, Dtype dtype, StreamOrDevice s = {}) {
  return full(std::move(shape), array(val, dtype), dtype, std::move(s));
}
template <class T>
  requires detail::is_scalar_operand_v<T>
array full(Shape shape, T val, StreamOrDevice s = {}) {
  return full(std::move(shape), array(val), std::move(s));
}

template <class = void>
inline array zeros(const Shape& shape, Dtype dtype, StreamOrDevice s = {}) {
  detail::check_creation_shape("zeros", shape);  // so that the error names zeros, not full
  return full(shape, array(0, dtype), dtype, std::move(s));
}
template <class = void>
inline array zeros(const Shape& shape, StreamOrDevice s = {}) { return zeros(shape, float32, std::move(s)); }
template <class = void>
inline array ones(const Shape& shape, Dtype dtype, StreamOrDevice s = {}) {
  detail::check_creation_shape("ones", shape);
  return full(shape, array(1, dtype), dtype, std::move(s));
}
template <class = void>
inline array ones(const Shape& shape, StreamOrDevice s = {}) { return ones(shape, float32, std::move(s)); }

template <class = void>
inline array zeros_like(const array& a, StreamOrDevice s = {}) { return zeros(a.shape(), a.dtype(), std::move(s)); }
template <class = void>
inline array ones_like(const array& a, StreamOrDevice s = {}) { return ones(a.shape(), a.dtype(), std::move(s)); }
template <class T>
  requires detail::is_scalar_operand_v<T>
array full_like(const array& a, T val, Dtype dtype, StreamOrDevice s = {}) {
  return full(a.shape(), val, dtype, std::move(s));
}
template <class T>
  requires detail::is_scalar_operand_v<T>
array full_like(const array& a, T val, StreamOrDevice s = {}) {
  return full(a.shape(), val, a.dtype(), std::move(s));
}

/// Evenly spaced values in [start, stop) with `step`.
/// \throws std::invalid_argument for bool dtype, step 0 or non-finite bounds.
template <class = void>
inline array arange(double start, double stop, double step, Dtype dtype, StreamOrDevice s = {}) {
  if (dtype == bool_) detail::fail("arange", "Cannot use bool as the output type.");
  if (step == 0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step))
    detail::fail("arange", "Cannot compute length from start ", start, ", stop ", stop,
                 " and step ", step, ".");
  double len = std::ceil((stop - start) / step);
  if (len > static_cast<double>(std::numeric_limits<int32_t>::max()))
    detail::fail("arange", "Maximum size exceeded (", len, " elements).");
  int n = len > 0 ? static_cast<int>(len) : 0;
  return array(Shape{n}, dtype, std::make_shared<Arange<>>(to_stream(s), start, step),
               std::vector<array>{});
}
template <class = void>
inline array arange(double start, double stop, double step, StreamOrDevice s = {}) {
  return arange(start, stop, step, float32, std::move(s));
}
template <class = void>
inline array arange(double start, double stop, Dtype dtype, StreamOrDevice s = {}) {
  return arange(start, stop, 1.0, dtype, std::move(s));
}
template <class = void>
inline array arange(double start, double stop, StreamOrDevice s = {}) {
  return arange(start, stop, 1.0, float32, std::move(s));
}
template <class = void>
inline array arange(double stop, Dtype dtype, StreamOrDevice s = {}) {
  return arange(0.0, stop, 1.0, dtype, std::move(s));
}
template <class = void>
inline array arange(double stop, StreamOrDevice s = {}) { return arange(0.0, stop, 1.0, float32, std::move(s)); }
template <class = void>
inline array arange(int start, int stop, int step, StreamOrDevice s = {}) {
  return arange(double(start), double(stop), double(step), int32, std::move(s));
}
template <class = void>
inline array arange(int start, int stop, StreamOrDevice s = {}) {
  return arange(double(start), double(stop), 1.0, int32, std::move(s));
}
template <class = void>
inline array arange(int stop, StreamOrDevice s = {}) { return arange(0.0, double(stop), 1.0, int32, std::move(s)); }

/// `num` evenly spaced values from start to stop inclusive.
template <class = void>
inline array linspace(double start, double stop, int num = 50, Dtype dtype = float32,
                      StreamOrDevice s = {}) {
  if (num < 0)
    detail::fail("linspace", "Number of samples, ", num, ", must be non-negative.");
  double step = num > 1 ? (stop - start) / (num - 1) : 0.0;
  return array(Shape{num}, dtype, std::make_shared<Arange<>>(to_stream(s), start, step, stop),
               std::vector<array>{});
}

/// An n x m matrix with ones on diagonal k.
template <class = void>
inline array eye(int n, int m, int k, Dtype dtype, StreamOrDevice s = {}) {
  if (n < 0 || m < 0) detail::fail("eye", "N and M must be non-negative. Got ", n, " and ", m, ".");
  return array(Shape{n, m}, dtype,
               std::make_shared<TriPattern<>>(to_stream(s), TriPattern<>::Kind::eye, k),
               std::vector<array>{});
}
template <class = void>
inline array eye(int n, Dtype dtype, StreamOrDevice s = {}) { return eye(n, n, 0, dtype, std::move(s)); }
template <class = void>
inline array eye(int n, int m, StreamOrDevice s = {}) { return eye(n, m, 0, float32, std::move(s)); }
template <class = void>
inline array eye(int n, int m, int k, StreamOrDevice s = {}) { return eye(n, m, k, float32, std::move(s)); }
template <class = void>
inline array eye(int n, StreamOrDevice s = {}) { return eye(n, n, 0, float32, std::move(s)); }
template <class = void>
inline array identity(int n, Dtype dtype, StreamOrDevice s = {}) {
  if (n < 0) detail::fail("identity", "N must be non-negative. Got ", n, ".");
  return eye(n, n, 0, dtype, std::move(s));
}
template <class = void>
inline array identity(int n, StreamOrDevice s = {}) { return identity(n, float32, std::move(s)); }

/// An n x m matrix with ones at and below diagonal k.
template <class = void>
inline array tri(int n, int m, int k, Dtype type, StreamOrDevice s = {}) {
  if (n < 0 || m < 0) detail::fail("tri", "N and M must be non-negative. Got ", n, " and ", m, ".");
  return array(Shape{n, m}, type,
               std::make_shared<TriPattern<>>(to_stream(s), TriPattern<>::Kind::tri, k),
               std::vector<array>{});
}
template <class = void>
inline array tri(int n, Dtype type, StreamOrDevice s = {}) { return tri(n, n, 0, type, std::move(s)); }

/// x with the elements above diagonal k zeroed (over the last two axes).
template <class = void>
inline array tril(array x, int k = 0, StreamOrDevice s = {}) {
  if (x.ndim() < 2) detail::fail("tril", "Array must be at least 2-D. Got shape ", x.shape(), ".");
  array mask = tri(x.shape(-2), x.shape(-1), k, bool_, s);
  return where(mask, x, array(0, x.dtype()), s);
}
/// x with the elements below diagonal k zeroed (over the last two axes).
template <class = void>
inline array triu(array x, int k = 0, StreamOrDevice s = {}) {
  if (x.ndim() < 2) detail::fail("triu", "Array must be at least 2-D. Got shape ", x.shape(), ".");
  array mask = tri(x.shape(-2), x.shape(-1), k - 1, bool_, s);
  return where(mask, array(0, x.dtype()), x, s);
}

}  // namespace mlx::core
