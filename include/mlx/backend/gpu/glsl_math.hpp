// SPDX-License-Identifier: MIT
// Float32 transcendental functions for the generated shaders, written out in GLSL instead of
// GLSL's built-ins. Why: the Vulkan spec lets exp be off by 3 + 2|x| ulp, log and the
// trigonometric functions by an absolute 2^-21 or 2^-11, and drivers use that room (lavapipe's
// exp is off by 1e-6 relative at |x| = 70, its atan by 4e-6). These follow the CPU backend's
// method (Cody–Waite range reduction, then a polynomial) so a float32 result is within the
// CPU's 4-ulp bound on any device; tests/ops/elementwise_math_test.cpp checks it on lavapipe.
// Vulkan lets compilers rewrite float algebra (lavapipe folds x / ((1 + x) - 1) to 1), so the
// steps that correct a rounding error are `precise`; and GLSL's fma() may round twice (it does
// on lavapipe), so no step relies on a fused multiply-add.
//
// The polynomial coefficients are near-minimax fits made for this file (Lawson's algorithm
// against mpmath, then rounded to float and re-checked in float arithmetic); the measured
// worst errors are beside each function. Odd functions return their argument at ±0, so
// the sign of zero survives (as in C).
#pragma once

namespace mlx::core::gpu::glsl {

/// GLSL source of the mlx_* float math functions (included once per generated shader).
inline const char* float_math() {
  return R"(
#define MLX_NAN uintBitsToFloat(0x7fc00000u)
#define MLX_INF uintBitsToFloat(0x7f800000u)
const float MLX_LN2_HI = 0.693359375;          // ln 2 in two parts: n * hi is exact
const float MLX_LN2_LO = -2.12194440e-4;
const float MLX_PI_2_HI = 1.57079637050628662; // pi/2 = hi + lo
const float MLX_PI_2_LO = -4.37113900018624e-8;

// 2^n for integer n in [-126, 127].
float mlx_pow2i(int n) { return intBitsToFloat((n + 127) << 23); }

// x = n ln 2 + r with |r| <= ln 2 / 2 (Cody–Waite: n * MLX_LN2_HI is exact).
float mlx_exp_reduce(float x, out float n) {
  n = roundEven(x * 1.44269504088896341);
  return fma(-n, MLX_LN2_LO, fma(-n, MLX_LN2_HI, x));
}
// expm1(r) for a reduced r: r + r^2 p(r) (the CPU's fast_exp polynomial).
float mlx_expm1_reduced(float r) {
  float p = 1.9875691500e-4;
  p = fma(p, r, 1.3981999507e-3);
  p = fma(p, r, 8.3334519073e-3);
  p = fma(p, r, 4.1665795894e-2);
  p = fma(p, r, 1.6666665459e-1);
  p = fma(p, r, 5.0000001201e-1);
  return fma(p, r * r, r);
}

// exp(x) * 2^k (k small): the scale goes into the exponent, so sinh and cosh near the
// overflow threshold need no exp(x - ln 2) (whose rounded argument would cost 60 ulps).
float mlx_exp_scaled(float x, int k) {
  if (isnan(x)) return x;
  if (x < -103.972084045410) return 0.0;
  float n, r = mlx_exp_reduce(clamp(x, -104.0, 90.0), n);
  float p = mlx_expm1_reduced(r) + 1.0;
  int ni = int(n) + k, h = ni >> 1;  // two steps keep 2^n representable for n in [-150, 131]
  return p * mlx_pow2i(h) * mlx_pow2i(ni - h);
}
// Within 1 ulp (the CPU's fast_exp, ported).
float mlx_exp(float x) { return mlx_exp_scaled(x, 0); }

// expm1 through the same reduction: expm1(x) = 2^n expm1(r) + (2^n - 1), no cancellation.
float mlx_expm1(float x) {
  if (x == 0.0 || isnan(x)) return x;
  if (x > 20.0) return mlx_exp(x);
  if (x < -20.0) return -1.0;  // expm1(-20) rounds to -1 in float
  float n, r = mlx_exp_reduce(x, n);
  float em = mlx_expm1_reduced(r);
  if (n == 0.0) return em;
  float s = mlx_pow2i(int(n));
  precise float sm1 = s - 1.0;
  return fma(s, em, sm1);
}

// log(1 + f) - f + f^2/2 = f^3 q(f) for f in [sqrt(1/2) - 1, sqrt(2) - 1] (relative 6e-9).
float mlx_log1p_reduced(float f) {
  float q = -0.07634343951940536;
  q = fma(q, f, 0.12761515378952026);
  q = fma(q, f, -0.13160210847854614);
  q = fma(q, f, 0.1420176774263382);
  q = fma(q, f, -0.16623355448246002);
  q = fma(q, f, 0.20001226663589478);
  q = fma(q, f, -0.250008225440979);
  q = fma(q, f, 0.3333333134651184);
  float z = f * f;
  return fma(z * f, q, fma(-0.5, z, f));
}
// x = 2^e (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)); x positive, finite and normal or not.
void mlx_log_split(float x, out float e, out float f) {
  float scale = 0.0;
  if (x < 1.17549435e-38) { x *= 16777216.0; scale = -24.0; }  // subnormals
  int bits = floatBitsToInt(x);
  int ex = ((bits >> 23) & 0xff) - 127;
  float m = intBitsToFloat((bits & 0x007fffff) | 0x3f800000);
  if (m > 1.41421356) { m *= 0.5; ex += 1; }
  e = float(ex) + scale;
  f = m - 1.0;  // exact (Sterbenz)
}
bool mlx_log_special(float x, out float r) {
  if (isnan(x) || x < 0.0) { r = MLX_NAN; return true; }
  if (x == 0.0) { r = -MLX_INF; return true; }
  if (isinf(x)) { r = x; return true; }
  return false;
}
// Within 1 ulp.
float mlx_log(float x) {
  float r, e, f;
  if (mlx_log_special(x, r)) return r;
  mlx_log_split(x, e, f);
  return fma(e, MLX_LN2_HI, fma(e, MLX_LN2_LO, mlx_log1p_reduced(f)));
}
// Exact at powers of two.
float mlx_log2(float x) {
  float r, e, f;
  if (mlx_log_special(x, r)) return r;
  mlx_log_split(x, e, f);
  float l = mlx_log1p_reduced(f);
  return e + fma(l, 1.44269502162933, l * 1.92596299112661746e-8);
}
float mlx_log10(float x) {
  float r, e, f;
  if (mlx_log_special(x, r)) return r;
  mlx_log_split(x, e, f);
  float l = mlx_log1p_reduced(f);
  // log10(2) = 0.30078125 + 2.48745663981195e-4 (e * the first part is exact)
  return fma(e, 0.30078125, fma(e, 2.48745663981195e-4, l * 0.434294481903251828));
}
float mlx_log1p(float x) {
  if (x == 0.0 || isnan(x)) return x;
  if (x < -1.0) return MLX_NAN;
  if (x == -1.0) return -MLX_INF;
  precise float u = 1.0 + x;
  if (isinf(u)) return u;
  if (u == 1.0) return x;
  precise float d = u - 1.0;  // `precise`: keeps the compiler from folding x / d to 1
  return mlx_log(u) * (x / d);  // corrects the rounding of 1 + x
}

// sin or cos of x (want_cos) for |x| <= 256 (the CPU's reduction, ported); beyond it,
// GLSL's own.
float mlx_sincos(float x, bool want_cos) {
  float ax = abs(x);
  if (!(ax <= 256.0)) return want_cos ? cos(x) : sin(x);
  int j = int(ax * 1.27323954473516);  // 4/pi
  j = (j + 1) & ~1;
  float y = float(j);
  float r = fma(-y, 0.78515625, ax);
  r = fma(-y, 2.4187564849853515625e-4, r);
  r = fma(-y, 3.77489497744594108e-8, r);
  float z = r * r;
  float ps = -1.9515295891e-4;
  ps = fma(ps, z, 8.3321608736e-3);
  ps = fma(ps, z, -1.6666654611e-1);
  ps = fma(ps * z, r, r);
  float pc = 2.443315711809948e-5;
  pc = fma(pc, z, -1.388731625493765e-3);
  pc = fma(pc, z, 4.166664568298827e-2);
  pc = fma(pc * z, z, fma(-0.5, z, 1.0));
  if (want_cos) j += 2;
  float res = (j & 2) != 0 ? pc : ps;
  uint sign = uint(j & 4) << 29;
  if (!want_cos) sign ^= floatBitsToUint(x) & 0x80000000u;
  return uintBitsToFloat(floatBitsToUint(res) ^ sign);
}
float mlx_sin(float x) { return mlx_sincos(x, false); }
float mlx_cos(float x) { return mlx_sincos(x, true); }
float mlx_tan(float x) {
  if (x == 0.0) return x;
  return mlx_sincos(x, false) / mlx_sincos(x, true);
}

// atan(t) - t = t^3 q(t^2) for |t| <= tan(pi/8) (relative 7e-10).
float mlx_atan_reduced(float t) {
  float z = t * t;
  float q = -0.0607822947204113;
  q = fma(q, z, 0.10593817383050919);
  q = fma(q, z, -0.14243534207344055);
  q = fma(q, z, 0.19998471438884735);
  q = fma(q, z, -0.33333316445350647);
  return fma(t * z, q, t);
}
// atan(a / b) for 0 <= a <= b, b > 0 finite: above tan(pi/8), pi/4 + atan((a - b) / (a + b)).
float mlx_atan_reduced_range(float a, float b) {
  if (a > 0.41421356237 * b) return 0.5 * MLX_PI_2_HI + (mlx_atan_reduced((a - b) / (a + b)) + 0.5 * MLX_PI_2_LO);
  return mlx_atan_reduced(a / b);
}
// atan(a / b) for 0 <= a, b finite, not both 0: in [0, pi/2].
float mlx_atan_ratio(float a, float b) {
  if (a > b) {  // pi/2 - atan(b / a)
    return MLX_PI_2_HI - (mlx_atan_reduced_range(b, a) - MLX_PI_2_LO);
  }
  return mlx_atan_reduced_range(a, b);
}
float mlx_atan(float x) {
  if (x == 0.0 || isnan(x)) return x;
  float a = abs(x);
  float r = isinf(a) ? MLX_PI_2_HI : mlx_atan_ratio(a, 1.0);
  return x < 0.0 ? -r : r;
}
float mlx_atan2(float y, float x) {
  if (isnan(x) || isnan(y)) return x + y;
  bool xneg = (floatBitsToUint(x) >> 31) != 0u;
  float ay = abs(y), ax = abs(x), r;
  if (ay == 0.0) {  // the signs of the zeros pick the quadrant, as in C
    r = xneg ? 2.0 * MLX_PI_2_HI : 0.0;
  } else if (isinf(ax) && isinf(ay)) {
    r = xneg ? 3.0 * 0.785398163397448 : 0.785398163397448;
  } else if (isinf(ax) || ay == 0.0) {
    r = xneg ? 2.0 * MLX_PI_2_HI : 0.0;
  } else if (isinf(ay) || ax == 0.0) {
    r = MLX_PI_2_HI;
  } else {
    r = mlx_atan_ratio(ay, ax);
    if (xneg) r = 2.0 * MLX_PI_2_HI - (r - 2.0 * MLX_PI_2_LO);
  }
  return (floatBitsToUint(y) >> 31) != 0u ? -r : r;
}
// Through atan2: some drivers' asin/acos are off by 2e-4 (lavapipe's).
float mlx_asin(float x) {
  if (x == 0.0) return x;
  precise float c2 = (1.0 - x) * (1.0 + x);  // not 1 - x*x: exact 1 - x near 1
  return !(abs(x) <= 1.0) ? MLX_NAN : mlx_atan2(x, sqrt(c2));
}
float mlx_acos(float x) {
  precise float s2 = (1.0 - x) * (1.0 + x);
  return !(abs(x) <= 1.0) ? MLX_NAN : mlx_atan2(sqrt(s2), x);
}

float mlx_sinh(float x) {
  if (x == 0.0 || isnan(x)) return x;
  float a = abs(x), r;
  if (a > 10.0) {
    r = mlx_exp_scaled(a, -1);  // e^-a is 0.03 ulp of e^a / 2 here
  } else {
    float e = mlx_expm1(a);
    r = 0.5 * (e + e / (e + 1.0));
  }
  return x < 0.0 ? -r : r;
}
float mlx_cosh(float x) {
  if (isnan(x)) return x;
  float a = abs(x);
  if (a > 10.0) return mlx_exp_scaled(a, -1);
  float e = mlx_exp(a);
  return 0.5 * (e + 1.0 / e);
}
float mlx_tanh(float x) {
  if (x == 0.0 || isnan(x)) return x;
  float a = abs(x), r;
  if (a > 9.1) {
    r = 1.0;
  } else {
    float e = mlx_expm1(2.0 * a);
    r = e / (e + 2.0);
  }
  return x < 0.0 ? -r : r;
}
float mlx_sigmoid(float x) {
  if (x < -20.0) return mlx_exp(x);  // 1 + e^-x would overflow first
  return 1.0 / (1.0 + mlx_exp(-x));
}
float mlx_asinh(float x) {
  if (x == 0.0 || isnan(x)) return x;
  float a = abs(x), r;
  if (a > 1e18) {
    r = mlx_log(a) + 0.6931471805599453;
  } else if (a < 0.5) {
    r = mlx_log1p(a + a * a / (1.0 + sqrt(fma(a, a, 1.0))));
  } else {
    r = mlx_log(a + sqrt(fma(a, a, 1.0)));
  }
  return x < 0.0 ? -r : r;
}
float mlx_acosh(float x) {
  if (isnan(x) || x < 1.0) return MLX_NAN;
  if (x > 1e18) return mlx_log(x) + 0.6931471805599453;
  float t = x - 1.0;
  return mlx_log1p(t + sqrt(fma(t, t, 2.0 * t)));
}
float mlx_atanh(float x) {
  if (x == 0.0 || isnan(x)) return x;
  float a = abs(x);  // on |x|: 1 - |x| is exact near 1, 1 + 2x/(1 - x) near -1 is not
  float r = 0.5 * mlx_log1p(2.0 * a / (1.0 - a));
  return x < 0.0 ? -r : r;
}

// a * (ch + cl) + small with one rounding that matters, for a >= 0 and ch of at most 12
// significant bits: a's low 12 bits are cut off by masking, so ah * ch is exact. (No fma: GLSL
// does not promise it rounds once, and lavapipe's does not.)
float mlx_mul_split(float a, float ch, float cl, float small) {
  // Tiny a scaled up by 2^64 (and the result back, exactly): a's low part would be
  // subnormal, which devices that flush them (NVIDIA) turn into 0 (4000 ulps).
  float scale = a < 1e-18 ? 18446744073709551616.0 : 1.0;
  a *= scale;
  small *= scale;
  float ah = uintBitsToFloat(floatBitsToUint(a) & 0xFFFFF000u);
  precise float al = a - ah;
  precise float rest = ah * cl + al * (ch + cl) + small;
  precise float r = ah * ch + rest;
  return r / scale;
}

// erf: |x| < 1: x c0 + x^3 q(x^2) (c0 = 2/sqrt(pi), through mlx_mul_split); 1 <= |x| < 3.95:
// 1 - exp(-x^2 + g(x)) with g = log(erfc(x)) + x^2 fitted around 2.5 (absolute 1e-8);
// beyond, 1. Within 1 ulp in float arithmetic with an exact exp (~1.2 with mlx_exp).
float mlx_erf(float x) {
  if (x == 0.0 || isnan(x)) return x;
  float a = abs(x), r;
  if (a < 1.0) {
    float z = a * a;
    float q = 7.761406595818698e-05;
    q = fma(q, z, -0.0007981635280884802);
    q = fma(q, z, 0.0051850201562047005);
    q = fma(q, z, -0.026852061972022057);
    q = fma(q, z, 0.11283545196056366);
    q = fma(q, z, -0.376126229763031);
    r = mlx_mul_split(a, 1.1279296875, 4.494795866776258e-4, a * z * q);
  } else if (a < 3.95) {
    float t = a - 2.5;
    float g = 1.6201153130168677e-06;
    g = fma(g, t, -1.3287876754475292e-05);
    g = fma(g, t, 7.737619307590649e-05);
    g = fma(g, t, -0.00042021754779852927);
    g = fma(g, t, 0.002165175275877118);
    g = fma(g, t, -0.010858448222279549);
    g = fma(g, t, 0.05610635504126549);
    g = fma(g, t, -0.35268068313598633);
    g = fma(g, t, -1.556815266609192);
    r = 1.0 - mlx_exp(fma(-a, a, g));
  } else {
    r = 1.0;
  }
  return x < 0.0 ? -r : r;
}

// erfinv, three pieces fitted for this file: |y| <= 0.75: y c0 + y^3 q(y^2) (c0 = sqrt(pi)/2,
// through mlx_mul_split), worst 0.94 ulp; 0.75 < |y| <= 0.9: a polynomial in |y| - 0.825, 0.77
// ulp; beyond: |y| p(s) with s = sqrt(-log(1 - y^2)), in two pieces, 2.3 ulp on lavapipe and
// 2.8 on an H200 (the rounding of s; the CPU refines in double and stays within 1 ulp).
float mlx_erfinv(float y) {
  if (y == 0.0 || isnan(y)) return y;
  float a = abs(y), r;
  if (a > 1.0) return MLX_NAN;
  if (a == 1.0) {
    r = MLX_INF;
  } else if (a <= 0.75) {
    float z = a * a;
    float q = 1.1610029935836792;
    q = fma(q, z, -2.5118939876556396);
    q = fma(q, z, 2.59840989112854);
    q = fma(q, z, -1.4486364126205444);
    q = fma(q, z, 0.5748988389968872);
    q = fma(q, z, -0.06869326531887054);
    q = fma(q, z, 0.0818735808134079);
    q = fma(q, z, 0.08516234159469604);
    q = fma(q, z, 0.12761491537094116);
    q = fma(q, z, 0.23201273381710052);
    r = mlx_mul_split(a, 0.885986328125, 2.4059732095338404e-4, a * z * q);
  } else if (a <= 0.9) {
    float t = a - 0.825;
    float p = 42557856.0;
    p = fma(p, t, 7751395.5);
    p = fma(p, t, 714833.75);
    p = fma(p, t, 148187.421875);
    p = fma(p, t, 35258.62890625);
    p = fma(p, t, 7106.35205078125);
    p = fma(p, t, 1456.648681640625);
    p = fma(p, t, 312.8466491699219);
    p = fma(p, t, 70.4527587890625);
    p = fma(p, t, 17.142127990722656);
    p = fma(p, t, 4.740830898284912);
    p = fma(p, t, 2.2233355045318604);
    r = fma(p, t, 0.9590572118759155);
  } else {
    float u = 1.0 - a;                      // exact
    float w = -mlx_log(fma(-u, u, 2.0 * u));  // -log(1 - a^2), one rounding inside
    float s = sqrt(w), p;
    if (w < 5.0) {
      float t = s - 1.762380791105127;
      p = 0.0012528032530099154;
      p = fma(p, t, 0.0002093677467200905);
      p = fma(p, t, -0.00505280215293169);
      p = fma(p, t, -4.6960201871115714e-05);
      p = fma(p, t, 0.017484204843640327);
      p = fma(p, t, -0.005104432348161936);
      p = fma(p, t, -0.0752941220998764);
      p = fma(p, t, 0.1659548133611679);
      p = fma(p, t, 0.8473062515258789);
      p = fma(p, t, 1.6490859985351562);
    } else {
      float t = s - 3.16131566292015;
      p = -2.922078601841349e-05;
      p = fma(p, t, 0.0001132038960349746);
      p = fma(p, t, -7.943902892293409e-05);
      p = fma(p, t, -0.00034305066219531);
      p = fma(p, t, 0.0011900297831743956);
      p = fma(p, t, -0.0022570565342903137);
      p = fma(p, t, 0.003357623005285859);
      p = fma(p, t, -0.004781472031027079);
      p = fma(p, t, 0.0064995139837265015);
      p = fma(p, t, 1.004210352897644);
      p = fma(p, t, 2.9947798252105713);
    }
    r = a * p;
  }
  return y < 0.0 ? -r : r;
}
)";
}

}  // namespace mlx::core::gpu::glsl
