// SPDX-License-Identifier: MIT
// CPU scans (cumsum, cumprod, cummax, cummin, logcumsumexp) along one axis of row-major
// [outer, n, inner] data: contiguous rows one element at a time (float sums with an
// AVX-512 in-register prefix sum), other axes a whole row of `inner` columns at a time.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"

namespace mlx::core::cpu {

enum class ScanType { Sum, Prod, Max, Min, LogAddExp };

namespace scan_impl {

template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<T>;

/// One scan operation on the accumulator type A. NaN propagates through max and min (as
/// NumPy's maximum.accumulate); integer sums and products wrap.
template <ScanType S, class A>
struct Op {
  static A init() {
    if constexpr (S == ScanType::Sum) return A(0);
    else if constexpr (S == ScanType::Prod) return A(1);
    else if constexpr (std::is_same_v<A, bool>) return S == ScanType::Min;
    else if constexpr (S == ScanType::Max || S == ScanType::LogAddExp) {
      if constexpr (is_float_v<A>) return -std::numeric_limits<A>::infinity();
      else return std::numeric_limits<A>::lowest();
    } else {
      if constexpr (is_float_v<A>) return std::numeric_limits<A>::infinity();
      else return std::numeric_limits<A>::max();
    }
  }
  static A apply(A acc, A x) {
    if constexpr (S == ScanType::Sum || S == ScanType::Prod) {
      if constexpr (std::is_same_v<A, bool>) {
        return S == ScanType::Sum ? (acc || x) : (acc && x);
      } else if constexpr (std::is_integral_v<A>) {
        using U = std::make_unsigned_t<A>;
        U r = S == ScanType::Sum ? static_cast<U>(static_cast<U>(acc) + static_cast<U>(x))
                                 : static_cast<U>(static_cast<U>(acc) * static_cast<U>(x));
        return static_cast<A>(r);
      } else {
        return S == ScanType::Sum ? acc + x : acc * x;
      }
    } else if constexpr (S == ScanType::Max || S == ScanType::Min) {
      bool take = S == ScanType::Max ? x > acc : x < acc;
      if constexpr (is_float_v<A>) take = take || x != x;
      return take ? x : acc;
    } else {
      // log(exp(acc) + exp(x)); integers (as MLX) go through double and truncate back.
      if constexpr (is_float_v<A>) {
        if (acc != acc || x != x) return acc + x;
        const A hi = std::max(acc, x), lo = std::min(acc, x);
        if (lo == -std::numeric_limits<A>::infinity() || hi == std::numeric_limits<A>::infinity())
          return hi;
        return hi + std::log1p(std::exp(lo - hi));
      } else {
        return detail::convert_element<A>(
            Op<S, double>::apply(static_cast<double>(acc), static_cast<double>(x)));
      }
    }
  }
};

/// The accumulator type for input T: float for the 16-bit floats (a float16 cumsum of ones
/// would otherwise stop growing at 2048), int32 for bool sums, T otherwise.
template <ScanType S, class T>
using acc_t = std::conditional_t<
    detail::is_half_v<T>, float,
    std::conditional_t<std::is_same_v<T, bool> && S == ScanType::Sum, int32_t, T>>;

#if defined(__AVX512F__)
// In-register prefix sums: lane i gets x[0] + ... + x[i] (forward) or x[i] + ... + x[last]
// (reverse), by adding copies of the vector shifted by 1, 2, 4 (and 8) lanes.
inline __m512 shift_up(__m512 x, int k) {
  const __m512i z = _mm512_setzero_si512(), xi = _mm512_castps_si512(x);
  switch (k) {
    case 1: return _mm512_castsi512_ps(_mm512_alignr_epi32(xi, z, 15));
    case 2: return _mm512_castsi512_ps(_mm512_alignr_epi32(xi, z, 14));
    case 4: return _mm512_castsi512_ps(_mm512_alignr_epi32(xi, z, 12));
    default: return _mm512_castsi512_ps(_mm512_alignr_epi32(xi, z, 8));
  }
}
inline __m512 shift_down(__m512 x, int k) {
  const __m512i z = _mm512_setzero_si512(), xi = _mm512_castps_si512(x);
  switch (k) {
    case 1: return _mm512_castsi512_ps(_mm512_alignr_epi32(z, xi, 1));
    case 2: return _mm512_castsi512_ps(_mm512_alignr_epi32(z, xi, 2));
    case 4: return _mm512_castsi512_ps(_mm512_alignr_epi32(z, xi, 4));
    default: return _mm512_castsi512_ps(_mm512_alignr_epi32(z, xi, 8));
  }
}
inline __m512d shift_up(__m512d x, int k) {
  const __m512i z = _mm512_setzero_si512(), xi = _mm512_castpd_si512(x);
  switch (k) {
    case 1: return _mm512_castsi512_pd(_mm512_alignr_epi64(xi, z, 7));
    case 2: return _mm512_castsi512_pd(_mm512_alignr_epi64(xi, z, 6));
    default: return _mm512_castsi512_pd(_mm512_alignr_epi64(xi, z, 4));
  }
}
inline __m512d shift_down(__m512d x, int k) {
  const __m512i z = _mm512_setzero_si512(), xi = _mm512_castpd_si512(x);
  switch (k) {
    case 1: return _mm512_castsi512_pd(_mm512_alignr_epi64(z, xi, 1));
    case 2: return _mm512_castsi512_pd(_mm512_alignr_epi64(z, xi, 2));
    default: return _mm512_castsi512_pd(_mm512_alignr_epi64(z, xi, 4));
  }
}

template <class T>
struct Vec;
template <>
struct Vec<float> {
  using V = __m512;
  static constexpr int W = 16;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V last(V v) { return _mm512_permutexvar_ps(_mm512_set1_epi32(15), v); }
  static V first(V v) { return _mm512_broadcastss_ps(_mm512_castps512_ps128(v)); }
  static float lane0(V v) { return _mm512_cvtss_f32(v); }
};
template <>
struct Vec<double> {
  using V = __m512d;
  static constexpr int W = 8;
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(double v) { return _mm512_set1_pd(v); }
  static V last(V v) { return _mm512_permutexvar_pd(_mm512_set1_epi64(7), v); }
  static V first(V v) { return _mm512_broadcastsd_pd(_mm512_castpd512_pd128(v)); }
  static double lane0(V v) { return _mm512_cvtsd_f64(v); }
};

template <class T, bool Reverse>
typename Vec<T>::V prefix(typename Vec<T>::V x) {
  using VT = Vec<T>;
  for (int k = 1; k < VT::W; k *= 2) x = VT::add(x, Reverse ? shift_down(x, k) : shift_up(x, k));
  return x;
}

/// Sum scan of one contiguous row of float or double.
template <class T>
void sum_row_simd(const T* x, T* y, int64_t n, bool reverse, bool inclusive) {
  using VT = Vec<T>;
  constexpr int W = VT::W;
  const int64_t body = n / W * W;
  T carry = 0;
  if (!reverse) {
    auto c = VT::zero();
    for (int64_t i = 0; i < body; i += W) {
      auto p = prefix<T, false>(VT::load(x + i));
      auto incl = VT::add(p, c);
      VT::store(y + i, inclusive ? incl : VT::add(shift_up(p, 1), c));
      c = VT::last(incl);
    }
    carry = VT::lane0(c);
    for (int64_t i = body; i < n; ++i) {
      if (inclusive) y[i] = carry += x[i];
      else y[i] = carry, carry += x[i];
    }
  } else {
    for (int64_t i = n - 1; i >= body; --i) {
      if (inclusive) y[i] = carry += x[i];
      else y[i] = carry, carry += x[i];
    }
    auto c = VT::set1(carry);
    for (int64_t i = body - W; i >= 0; i -= W) {
      auto p = prefix<T, true>(VT::load(x + i));
      auto incl = VT::add(p, c);
      VT::store(y + i, inclusive ? incl : VT::add(shift_down(p, 1), c));
      c = VT::first(incl);
    }
  }
}
#endif

/// Scans one contiguous row x[0, n) into y.
template <ScanType S, class T, class U>
void scan_row(const T* x, U* y, int64_t n, bool reverse, bool inclusive) {
  using A = acc_t<S, T>;
  using O = Op<S, A>;
#if defined(__AVX512F__)
  if constexpr (S == ScanType::Sum && is_float_v<T> && std::is_same_v<T, U>) {
    sum_row_simd(x, y, n, reverse, inclusive);
    return;
  }
#endif
  A acc = O::init();
  auto step = [&](int64_t i) {
    const A v = detail::convert_element<A>(x[i]);
    if (inclusive) {
      acc = O::apply(acc, v);
      y[i] = detail::convert_element<U>(acc);
    } else {
      y[i] = detail::convert_element<U>(acc);
      acc = O::apply(acc, v);
    }
  };
  if (!reverse)
    for (int64_t i = 0; i < n; ++i) step(i);
  else
    for (int64_t i = n - 1; i >= 0; --i) step(i);
}

/// Scans along the middle axis of [n, inner] for columns [c0, c0 + w): a row of running
/// values updated with one whole input row at a time (the inner loop is contiguous).
template <ScanType S, class T, class U>
void scan_columns(const T* x, U* y, int64_t n, int64_t inner, int64_t c0, int64_t w,
                  bool reverse, bool inclusive, acc_t<S, T>* acc) {
  using A = acc_t<S, T>;
  using O = Op<S, A>;
  std::fill(acc, acc + w, O::init());
  for (int64_t jj = 0; jj < n; ++jj) {
    const int64_t j = reverse ? n - 1 - jj : jj;
    const T* xr = x + j * inner + c0;
    U* yr = y + j * inner + c0;
    if (inclusive) {
      for (int64_t c = 0; c < w; ++c) {
        acc[c] = O::apply(acc[c], detail::convert_element<A>(xr[c]));
        yr[c] = detail::convert_element<U>(acc[c]);
      }
    } else {
      for (int64_t c = 0; c < w; ++c) {
        yr[c] = detail::convert_element<U>(acc[c]);
        acc[c] = O::apply(acc[c], detail::convert_element<A>(xr[c]));
      }
    }
  }
}

}  // namespace scan_impl

/// Scans row-major [outer, n, inner] `x` along the middle axis into `y` (same layout).
template <ScanType S, class T, class U>
void scan(const T* x, U* y, int64_t outer, int64_t n, int64_t inner, bool reverse, bool inclusive) {
  if (outer == 0 || n == 0 || inner == 0) return;
  if (inner == 1) {
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / n);
    parallel_for(outer, grain, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        scan_impl::scan_row<S, T, U>(x + r * n, y + r * n, n, reverse, inclusive);
    });
    return;
  }
  // Column blocks small enough for the running row to stay in L1.
  constexpr int64_t CB = 2048;
  const int64_t blocks = (inner + CB - 1) / CB;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / (n * std::min(inner, CB)));
  parallel_for(outer * blocks, grain, [&](int64_t t0, int64_t t1) {
    auto acc = std::make_unique_for_overwrite<scan_impl::acc_t<S, T>[]>(
        static_cast<size_t>(std::min(inner, CB)));
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / blocks, c0 = (t % blocks) * CB, w = std::min(CB, inner - c0);
      scan_impl::scan_columns<S, T, U>(x + o * n * inner, y + o * n * inner, n, inner, c0, w,
                                       reverse, inclusive, acc.get());
    }
  });
}

}  // namespace mlx::core::cpu
