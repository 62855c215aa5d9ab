// SPDX-License-Identifier: MIT
// Reductions (MLX's names and overloads): sum, prod, max, min, mean, var, std, all, any,
// argmax, argmin, logsumexp, over any axes with keepdims. They accept arrays and
// expressions; an expression is reduced without materialising it.
#pragma once

#include <cmath>
#include <numeric>
#include <optional>
#include <vector>

#include "mlx/ops/elementwise.hpp"
#include "mlx/primitives/reduce.hpp"

namespace mlx::core {

namespace detail {

template <class A>
Dtype dtype_of_operand(const A& a) {
  if constexpr (expression<A>) return a.dtype(); else return static_cast<const array&>(a).dtype();
}
template <class A>
const Shape& shape_of_operand(const A& a) {
  if constexpr (expression<A>) return a.shape(); else return static_cast<const array&>(a).shape();
}

/// The expression a reduction reads: `a` in the accumulation dtype (an array is read with
/// a converting load; an expression computed in another dtype is materialised first).
template <class A>
auto reduce_source(A&& a, std::optional<Dtype> acc, StreamOrDevice s) {
  Dtype target = acc ? *acc : dtype_of_operand(a);
  if constexpr (expression<A>)
    return astype(std::forward<A>(a), target, std::move(s));
  else
    return astype(static_cast<const array&>(a), target, std::move(s));
}

inline Shape reduced_shape(const Shape& in, const std::vector<int>& axes, bool keepdims) {
  Shape out;
  for (int d = 0; d < static_cast<int>(in.size()); ++d) {
    bool red = std::binary_search(axes.begin(), axes.end(), d);
    if (!red) out.push_back(in[d]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

template <cpu::ReduceType type, class A>
array reduce_op(A&& a, std::vector<int> axes, bool keepdims,
                std::optional<Dtype> acc, Dtype out_dtype, StreamOrDevice s) {
  const char* op = reduce_name(type);
  Shape in_shape = shape_of_operand(a);
  axes = normalize_axes(op, std::move(axes), static_cast<int>(in_shape.size()));
  if ((type == cpu::ReduceType::Max || type == cpu::ReduceType::Min)) {
    if (shape_size(in_shape) == 0)
      fail(op, "Cannot ", op, " reduce zero size array.");
    if (dtype_of_operand(a) == complex64) fail(op, "Not supported for dtype complex64.");
  }
  auto src = reduce_source(std::forward<A>(a), acc, s);
  using E = decltype(src);
  return expression_node<Reduce<E, type>>(src, reduced_shape(in_shape, axes, keepdims), out_dtype,
                                          std::move(axes));
}

inline std::vector<int> all_axes(int ndim) {
  std::vector<int> ax(ndim);
  std::iota(ax.begin(), ax.end(), 0);
  return ax;
}

template <class A>
int ndim_of(const A& a) {
  return static_cast<int>(shape_of_operand(a).size());
}

}  // namespace detail

// sum / prod / max / min / all / any share MLX's four overloads each.
#define MLXPP_REDUCTION(fn, TYPE, ACC, OUT)                                                     \
  template <array_like A>                                                                       \
  array fn(A&& a, const std::vector<int>& axes, bool keepdims = false, StreamOrDevice s = {}) { \
    Dtype in = detail::dtype_of_operand(a);                                                     \
    (void)in;                                                                                   \
    return detail::reduce_op<cpu::ReduceType::TYPE>(std::forward<A>(a), axes, keepdims, ACC,    \
                             OUT, std::move(s));                                                \
  }                                                                                             \
  template <array_like A>                                                                       \
  array fn(A&& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {                     \
    return fn(std::forward<A>(a), std::vector<int>{axis}, keepdims, std::move(s));              \
  }                                                                                             \
  template <array_like A>                                                                       \
  array fn(A&& a, bool keepdims, StreamOrDevice s = {}) {                                       \
    int nd = detail::ndim_of(a);                                                                \
    return fn(std::forward<A>(a), detail::all_axes(nd), keepdims, std::move(s));                \
  }                                                                                             \
  template <array_like A>                                                                       \
  array fn(A&& a, StreamOrDevice s = {}) {                                                      \
    return fn(std::forward<A>(a), false, std::move(s));                                         \
  }

/// Sum of elements (bool sums to int32).
MLXPP_REDUCTION(sum, Sum, std::optional<Dtype>(in == bool_ ? int32 : in), in == bool_ ? int32 : in)
/// Product of elements (bool multiplies as int32).
MLXPP_REDUCTION(prod, Prod, std::optional<Dtype>(in == bool_ ? int32 : in), in == bool_ ? int32 : in)
/// Largest element (NaN propagates).
MLXPP_REDUCTION(max, Max, std::optional<Dtype>(), in)
/// Smallest element (NaN propagates).
MLXPP_REDUCTION(min, Min, std::optional<Dtype>(), in)
/// Whether all elements are non-zero.
MLXPP_REDUCTION(all, And, std::optional<Dtype>(), bool_)
/// Whether any element is non-zero.
MLXPP_REDUCTION(any, Or, std::optional<Dtype>(), bool_)

#undef MLXPP_REDUCTION

namespace detail {
inline double count_reduced(const Shape& shape, const std::vector<int>& axes) {
  double n = 1;
  for (int a : axes) n *= shape[a];
  return n;
}
}  // namespace detail

/// Mean of elements (integers average in float32).
template <array_like A>
array mean(A&& a, const std::vector<int>& axes, bool keepdims = false, StreamOrDevice s = {}) {
  Dtype dt = detail::at_least_float(detail::dtype_of_operand(a));
  Shape shape = detail::shape_of_operand(a);
  auto ax = detail::normalize_axes("mean", axes, static_cast<int>(shape.size()));
  double n = detail::count_reduced(shape, ax);
  array total = sum(astype(std::forward<A>(a), dt, s), ax, keepdims, s);
  return array(astype(total * array(1.0 / n, dt), dt, s));
}

/// Variance with `ddof` delta degrees of freedom (two passes: mean, then squared deviations
/// fused into the second reduction).
template <array_like A>
array var(A&& a, const std::vector<int>& axes, bool keepdims = false, int ddof = 0,
          StreamOrDevice s = {}) {
  Dtype dt = detail::at_least_float(detail::dtype_of_operand(a));
  array x = astype(std::forward<A>(a), dt, s);
  auto ax = detail::normalize_axes("var", axes, static_cast<int>(x.ndim()));
  double n = detail::count_reduced(x.shape(), ax);
  array mu = mean(x, ax, true, s);
  array ss = sum(square(x - mu), ax, keepdims, s);
  double denom = std::max(n - ddof, 0.0);
  return array(astype(ss * array(denom > 0 ? 1.0 / denom : NAN, dt), dt, s));
}

/// Standard deviation (sqrt of var).
template <array_like A>
array std(A&& a, const std::vector<int>& axes, bool keepdims = false, int ddof = 0,
          StreamOrDevice s = {}) {
  detail::normalize_axes("std", axes, detail::ndim_of(a));
  return array(sqrt(var(std::forward<A>(a), axes, keepdims, ddof, s), s));
}

/// log(sum(exp(a))) computed stably (shifted by the max; infinities handled).
template <array_like A>
array logsumexp(A&& a, const std::vector<int>& axes, bool keepdims = false,
                StreamOrDevice s = {}) {
  Dtype dt = detail::at_least_float(detail::dtype_of_operand(a));
  array x = astype(std::forward<A>(a), dt, s);
  auto ax = detail::normalize_axes("logsumexp", axes, static_cast<int>(x.ndim()));
  if (x.size() == 0) return array(log(sum(exp(x), ax, keepdims, s), s));
  array mk = max(x, ax, true, s);
  // An infinite max would give inf - inf: shift by 0 there instead. The shift cancels out
  // of the value, so it carries no gradient (the backward pass skips the max).
  array shift = stop_gradient(where(abs(mk) == array(INFINITY, dt), array(0.0f, dt), mk, s), s);
  array lse = log(sum(exp(x - shift), ax, true, s)) + shift;
  if (keepdims) return lse;
  return array(astype(sum(lse, ax, false, s), dt, s));  // drops the kept size-1 axes
}

template <array_like A>
array mean(A&& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {
  return mean(std::forward<A>(a), std::vector<int>{axis}, keepdims, std::move(s));
}
template <array_like A>
array mean(A&& a, bool keepdims, StreamOrDevice s = {}) {
  int nd = detail::ndim_of(a);
  return mean(std::forward<A>(a), detail::all_axes(nd), keepdims, std::move(s));
}
template <array_like A>
array mean(A&& a, StreamOrDevice s = {}) {
  return mean(std::forward<A>(a), false, std::move(s));
}
template <array_like A>
array var(A&& a, int axis, bool keepdims = false, int ddof = 0, StreamOrDevice s = {}) {
  return var(std::forward<A>(a), std::vector<int>{axis}, keepdims, ddof, std::move(s));
}
template <array_like A>
array var(A&& a, bool keepdims, int ddof = 0, StreamOrDevice s = {}) {
  int nd = detail::ndim_of(a);
  return var(std::forward<A>(a), detail::all_axes(nd), keepdims, ddof, std::move(s));
}
template <array_like A>
array var(A&& a, StreamOrDevice s = {}) {
  return var(std::forward<A>(a), false, 0, std::move(s));
}
template <array_like A>
array std(A&& a, int axis, bool keepdims = false, int ddof = 0, StreamOrDevice s = {}) {
  return std(std::forward<A>(a), std::vector<int>{axis}, keepdims, ddof, std::move(s));
}
template <array_like A>
array std(A&& a, bool keepdims, int ddof = 0, StreamOrDevice s = {}) {
  int nd = detail::ndim_of(a);
  return std(std::forward<A>(a), detail::all_axes(nd), keepdims, ddof, std::move(s));
}
template <array_like A>
array std(A&& a, StreamOrDevice s = {}) {
  return std(std::forward<A>(a), false, 0, std::move(s));
}
template <array_like A>
array logsumexp(A&& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {
  return logsumexp(std::forward<A>(a), std::vector<int>{axis}, keepdims, std::move(s));
}
template <array_like A>
array logsumexp(A&& a, bool keepdims, StreamOrDevice s = {}) {
  int nd = detail::ndim_of(a);
  return logsumexp(std::forward<A>(a), detail::all_axes(nd), keepdims, std::move(s));
}
template <array_like A>
array logsumexp(A&& a, StreamOrDevice s = {}) {
  return logsumexp(std::forward<A>(a), false, std::move(s));
}

namespace detail {
template <class A>
array arg_reduce_op(A&& a, bool is_max, std::optional<int> axis, bool keepdims, StreamOrDevice s) {
  const char* op = is_max ? "argmax" : "argmin";
  Shape shape = shape_of_operand(a);
  if (shape_size(shape) == 0) fail(op, "Cannot ", op, " reduce zero size array.");
  auto src = reduce_source(std::forward<A>(a), std::nullopt, s);
  using E = decltype(src);
  if (src.dtype() == complex64) fail(op, "Not supported for dtype complex64.");
  if (!axis)  // over the flattened array (axis -1 tells the primitive)
    return expression_node<ArgReduce<E>>(src, keepdims ? Shape(shape.size(), 1) : Shape{},
                                         uint32, is_max, -1);
  int ax = normalize_axis(op, *axis, static_cast<int>(shape.size()));
  return expression_node<ArgReduce<E>>(src, reduced_shape(shape, {ax}, keepdims), uint32,
                                       is_max, ax);
}
}  // namespace detail

/// Indices of the largest elements along an axis (uint32; first index on ties; NaN wins).
template <array_like A>
array argmax(A&& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {
  return detail::arg_reduce_op(std::forward<A>(a), true, axis, keepdims, std::move(s));
}
/// Index of the largest element of the flattened array.
template <array_like A>
array argmax(A&& a, bool keepdims, StreamOrDevice s = {}) {
  return detail::arg_reduce_op(std::forward<A>(a), true, std::nullopt, keepdims, std::move(s));
}
template <array_like A>
array argmax(A&& a, StreamOrDevice s = {}) {
  return argmax(std::forward<A>(a), false, std::move(s));
}
/// Indices of the smallest elements along an axis.
template <array_like A>
array argmin(A&& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {
  return detail::arg_reduce_op(std::forward<A>(a), false, axis, keepdims, std::move(s));
}
template <array_like A>
array argmin(A&& a, bool keepdims, StreamOrDevice s = {}) {
  return detail::arg_reduce_op(std::forward<A>(a), false, std::nullopt, keepdims, std::move(s));
}
template <array_like A>
array argmin(A&& a, StreamOrDevice s = {}) {
  return argmin(std::forward<A>(a), false, std::move(s));
}

// ---- counting ----------------------------------------------------------------------------

/// The number of non-zero elements over `axes` (int32, as NumPy's count_nonzero counts).
template <class = void>
inline array count_nonzero(const array& a, const std::vector<int>& axes, bool keepdims = false,
                           StreamOrDevice s = {}) {
  return sum(astype(not_equal(a, 0, s), int32, s), axes, keepdims, s);
}
template <class = void>
inline array count_nonzero(const array& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {
  return count_nonzero(a, std::vector<int>{axis}, keepdims, std::move(s));
}
template <class = void>
inline array count_nonzero(const array& a, bool keepdims = false, StreamOrDevice s = {}) {
  return count_nonzero(a, detail::all_axes(static_cast<int>(a.ndim())), keepdims, std::move(s));
}

/// The number of elements along `axes` (or, inverted, along every other axis) as a 0-d
/// array of `dtype` (MLX's number_of_elements).
template <class = void>
inline array number_of_elements(const array& a, std::vector<int> axes, bool inverted,
                                Dtype dtype = int32, StreamOrDevice s = {}) {
  (void)s;
  const int nd = static_cast<int>(a.ndim());
  auto ax = detail::normalize_axes("number_of_elements", std::move(axes), nd);
  double n = 1;
  for (int d = 0, k = 0; d < nd; ++d) {
    const bool listed = k < static_cast<int>(ax.size()) && ax[k] == d;
    if (listed) ++k;
    if (listed != inverted) n *= a.shape()[d];
  }
  return array(n, dtype);
}

/// sum(conj(a) * b) over `axis`, a and b broadcast together (NumPy's vecdot).
template <class = void>
inline array vecdot(const array& a, const array& b, int axis = -1, StreamOrDevice s = {}) {
  Shape shape = broadcast_shapes(a.shape(), b.shape());
  detail::normalize_axis("vecdot", axis, static_cast<int>(shape.size()));
  if (is_complex(a.dtype())) return sum(conjugate(a, s) * b, axis, false, s);
  return sum(a * b, axis, false, s);
}

}  // namespace mlx::core
