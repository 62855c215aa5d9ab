// SPDX-License-Identifier: MIT
// The vector types the fused CPU loops compute in, and the few generic helpers that let one
// functor body serve plain scalars and xsimd batches alike.
#pragma once

#include <complex>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "mlx/core/dtype.hpp"

namespace mlx::core::simd {

/// Element types that have an xsimd batch; bool and complex loops run one element at a time.
template <class T>
inline constexpr bool has_batch_v = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

/// The type a fused loop computes with for element type T: xsimd::batch<T> or T itself.
template <class T>
using vec_t = std::conditional_t<has_batch_v<T>, xsimd::batch<T>, T>;

template <class V>
struct vec_traits {
  using value_type = V;
  static constexpr int width = 1;
};
template <class T, class A>
struct vec_traits<xsimd::batch<T, A>> {
  using value_type = T;
  static constexpr int width = static_cast<int>(xsimd::batch<T, A>::size);
};

template <class V>
inline constexpr int width_v = vec_traits<V>::width;

template <class V>
inline constexpr bool is_batch_v = width_v<V> != 1 || !std::is_same_v<typename vec_traits<V>::value_type, V>;

template <class V, class T>
inline V load(const T* p) {
  if constexpr (has_batch_v<T>)
    return V::load_unaligned(p);
  else
    return *p;
}

template <class T, class V>
inline void store(T* p, const V& v) {
  if constexpr (has_batch_v<T>)
    v.store_unaligned(p);
  else
    *p = v;
}

/// cond ? a : b, lane by lane.
template <class M, class V>
inline V select(const M& cond, const V& a, const V& b) {
  if constexpr (std::is_same_v<M, bool>)
    return cond ? a : b;
  else
    return xsimd::select(cond, a, b);
}

/// NaN test lane by lane. (Not `x != x`: xsimd compares with ordered predicates, so a
/// batch's NaN != NaN is false.)
template <class V>
inline auto isnan(const V& x) {
  if constexpr (is_batch_v<V>)
    return xsimd::isnan(x);
  else
    return x != x;
}

/// A comparison's result (bool or batch_bool) as 1/0 in the vector type V.
template <class V, class M>
inline V from_mask(const M& m) {
  if constexpr (std::is_same_v<M, bool>)
    return V(m ? 1 : 0);
  else
    return xsimd::select(m, V(1), V(0));
}

template <class V>
struct is_mask : std::false_type {};
template <>
struct is_mask<bool> : std::true_type {};
template <class T, class A>
struct is_mask<xsimd::batch_bool<T, A>> : std::true_type {};

/// Brings a functor's result back to the loop's vector type: masks become 1/0, scalar
/// integer promotions (int8 + int8 is int) wrap back to the element type.
template <class V, class R>
inline V as_vec(const R& r) {
  if constexpr (std::is_same_v<R, V>)
    return r;
  else if constexpr (is_mask<R>::value && !std::is_same_v<V, bool>)
    return from_mask<V>(r);
  else
    return static_cast<V>(r);
}

/// Applies a scalar function lane by lane (for functions xsimd lacks, e.g. erfinv).
template <class V, class F>
inline V map_lanes(const V& x, F f) {
  if constexpr (is_batch_v<V>) {
    using T = typename vec_traits<V>::value_type;
    alignas(64) T buf[width_v<V>];
    x.store_aligned(buf);
    for (auto& v : buf) v = f(v);
    return V::load_aligned(buf);
  } else {
    return f(x);
  }
}

template <class V, class F>
inline V map_lanes(const V& x, const V& y, F f) {
  if constexpr (is_batch_v<V>) {
    using T = typename vec_traits<V>::value_type;
    alignas(64) T a[width_v<V>], b[width_v<V>];
    x.store_aligned(a);
    y.store_aligned(b);
    for (int i = 0; i < width_v<V>; ++i) a[i] = f(a[i], b[i]);
    return V::load_aligned(a);
  } else {
    return f(x, y);
  }
}

}  // namespace mlx::core::simd
