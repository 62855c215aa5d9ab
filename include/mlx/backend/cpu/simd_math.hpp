// SPDX-License-Identifier: MIT
// Vectorised float32 exp/sin/cos for the fused loops. xsimd 8.1's versions are ~1.3x slower
// than Eigen's and its exp is wrong near the float range limits; these follow the classic
// Cephes scheme (Cody–Waite range reduction + minimax polynomial, ~1 ulp) and are inlined
// into the expression's loop.
#pragma once

#include <cstdint>
#include <limits>

#include <xsimd/xsimd.hpp>

namespace mlx::core::simd {

/// exp(x) for float batches: correct overflow to inf above 88.7228, subnormal results
/// down to -103.97, 0 below, NaN in, NaN out.
template <class A>
inline xsimd::batch<float, A> fast_exp(const xsimd::batch<float, A>& x) {
  using F = xsimd::batch<float, A>;
  using I = xsimd::batch<int32_t, A>;
  const F xc = xsimd::min(xsimd::max(x, F(-104.0f)), F(89.0f));
  const F n = xsimd::nearbyint(xc * F(1.44269504088896341f));
  // x - n * ln2 in two parts (the high part has few bits: n * hi is exact).
  F r = xsimd::fnma(n, F(0.693359375f), xc);
  r = xsimd::fnma(n, F(-2.12194440e-4f), r);
  const F z = r * r;
  F p = F(1.9875691500e-4f);
  p = xsimd::fma(p, r, F(1.3981999507e-3f));
  p = xsimd::fma(p, r, F(8.3334519073e-3f));
  p = xsimd::fma(p, r, F(4.1665795894e-2f));
  p = xsimd::fma(p, r, F(1.6666665459e-1f));
  p = xsimd::fma(p, r, F(5.0000001201e-1f));
  p = xsimd::fma(p, z, r) + F(1.0f);
  // Scale by 2^n in two steps so that n in [-150, 128] stays representable.
  const I ni = xsimd::batch_cast<int32_t>(n);
  const I h = ni >> 1;
  const F s1 = xsimd::bitwise_cast<F>((h + I(127)) << 23);
  const F s2 = xsimd::bitwise_cast<F>((ni - h + I(127)) << 23);
  F res = p * s1 * s2;
  res = xsimd::select(x > F(88.72283935546875f), F(std::numeric_limits<float>::infinity()), res);
  res = xsimd::select(x < F(-103.972084045410f), F(0.0f), res);
  return xsimd::select(xsimd::isnan(x), x, res);
}

namespace simd_math_detail {
// sin or cos (cos = true) of float batches; |x| above 256 and non-finite lanes fall back to
// xsimd (the three-part reduction constant loses accuracy there).
template <bool cos, class A>
inline xsimd::batch<float, A> sincos(const xsimd::batch<float, A>& x) {
  using F = xsimd::batch<float, A>;
  using I = xsimd::batch<int32_t, A>;
  const F ax = xsimd::abs(x);
  I j = xsimd::batch_cast<int32_t>(ax * F(1.27323954473516f));  // 4/pi
  j = (j + I(1)) & I(~1);                                        // even octant
  const F y = xsimd::batch_cast<float>(j);
  F r = xsimd::fnma(y, F(0.78515625f), ax);
  r = xsimd::fnma(y, F(2.4187564849853515625e-4f), r);
  r = xsimd::fnma(y, F(3.77489497744594108e-8f), r);
  const F z = r * r;
  F ps = F(-1.9515295891e-4f);
  ps = xsimd::fma(ps, z, F(8.3321608736e-3f));
  ps = xsimd::fma(ps, z, F(-1.6666654611e-1f));
  ps = xsimd::fma(ps * z, r, r);
  F pc = F(2.443315711809948e-5f);
  pc = xsimd::fma(pc, z, F(-1.388731625493765e-3f));
  pc = xsimd::fma(pc, z, F(4.166664568298827e-2f));
  pc = xsimd::fma(pc * z, z, xsimd::fnma(F(0.5f), z, F(1.0f)));
  if constexpr (cos) j = j + I(2);
  const auto use_cos = xsimd::batch_cast<float>(j & I(2)) != F(0);
  F res = xsimd::select(use_cos, pc, ps);
  // Sign: octants 4..7 negate; sin is odd in x.
  I sign = (j & I(4)) << 29;
  if constexpr (!cos) sign = sign ^ (xsimd::bitwise_cast<I>(x) & I(int32_t(0x80000000u)));
  res = xsimd::bitwise_cast<F>(xsimd::bitwise_cast<I>(res) ^ sign);
  const auto wide = !(ax <= F(256.0f));  // also NaN
  if (xsimd::any(wide)) res = xsimd::select(wide, cos ? xsimd::cos(x) : xsimd::sin(x), res);
  return res;
}
}  // namespace simd_math_detail

template <class A>
inline xsimd::batch<float, A> fast_sin(const xsimd::batch<float, A>& x) {
  return simd_math_detail::sincos<false>(x);
}
template <class A>
inline xsimd::batch<float, A> fast_cos(const xsimd::batch<float, A>& x) {
  return simd_math_detail::sincos<true>(x);
}

}  // namespace mlx::core::simd
