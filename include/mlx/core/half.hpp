// SPDX-License-Identifier: MIT
// 16-bit floating-point element types (float16_t, bfloat16_t), complex64_t and bulk conversions.
#pragma once

#include <bit>
#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <ostream>
#include <type_traits>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace mlx::core {

struct float16_t;
struct bfloat16_t;

/// Single-precision complex number, MLX's `complex64` element type.
using complex64_t = std::complex<float>;

namespace detail {

template <class T>
concept half_float_type = std::same_as<T, float16_t> || std::same_as<T, bfloat16_t>;

template <class T>
concept half_mixed_operand = std::is_arithmetic_v<T>;

// Layout of a narrow binary format: explicit mantissa bits and exponent bits.
template <int MantBits, int ExpBits>
struct narrow_format {
  static constexpr int mant = MantBits;
  static constexpr int bias = (1 << (ExpBits - 1)) - 1;
  static constexpr uint32_t inf = ((1u << ExpBits) - 1u) << MantBits;
  static constexpr uint32_t quiet = 1u << (MantBits - 1);
};
using f16_format = narrow_format<10, 5>;
using bf16_format = narrow_format<7, 8>;

// Rounds sig * 2^exp (sig != 0) to format Fmt with round-to-nearest-even; returns the
// magnitude bits (overflow gives inf, underflow gives subnormals or zero).
template <class Fmt>
constexpr uint32_t round_to_narrow(uint64_t sig, int exp) noexcept {
  constexpr int emin = 1 - Fmt::bias;
  const int lz = std::countl_zero(sig);
  sig <<= lz;
  const int e = exp - lz + 63;  // value = 1.f * 2^e
  const int shift = 63 - Fmt::mant + (e < emin ? emin - e : 0);
  if (shift > 64) return 0;
  uint64_t kept = shift == 64 ? 0 : sig >> shift;
  const uint64_t rem = shift == 64 ? sig : sig & ((uint64_t{1} << shift) - 1);
  const uint64_t halfway = uint64_t{1} << (shift - 1);
  kept += (rem > halfway || (rem == halfway && (kept & 1u))) ? 1u : 0u;
  if (e < emin) return static_cast<uint32_t>(kept);  // subnormal (or rounds up to min normal)
  int biased = e + Fmt::bias;
  if (kept >> (Fmt::mant + 1)) {  // rounding carried into the next binade
    kept >>= 1;
    ++biased;
  }
  if (biased >= 2 * Fmt::bias + 1) return Fmt::inf;
  return (static_cast<uint32_t>(biased) << Fmt::mant) |
         (static_cast<uint32_t>(kept) & ((1u << Fmt::mant) - 1u));
}

// double -> narrow format, rounded once (going through float would round twice).
template <class Fmt>
constexpr uint16_t f64_to_narrow_bits(double v) noexcept {
  const uint64_t x = std::bit_cast<uint64_t>(v);
  const uint32_t sign = (x >> 63) ? 0x8000u : 0u;
  const uint64_t m = x & ((uint64_t{1} << 52) - 1);
  const int e = static_cast<int>((x >> 52) & 0x7ffu);
  uint32_t r = 0;
  if (e == 0x7ff) {
    r = m == 0 ? Fmt::inf : Fmt::inf | Fmt::quiet | static_cast<uint32_t>(m >> (52 - Fmt::mant));
  } else if (e != 0 || m != 0) {
    r = e == 0 ? round_to_narrow<Fmt>(m, -1074)
               : round_to_narrow<Fmt>(m | (uint64_t{1} << 52), e - 1075);
  }
  return static_cast<uint16_t>(sign | r);
}

// Integer (or bool) -> narrow format, rounded once.
template <class Fmt, class T>
constexpr uint16_t int_to_narrow_bits(T v) noexcept {
  bool neg = false;
  uint64_t mag = static_cast<uint64_t>(v);
  if constexpr (std::is_signed_v<T>) {
    neg = v < 0;
    if (neg) mag = uint64_t{0} - mag;
  }
  if (mag == 0) return 0;
  const uint32_t sign = neg ? 0x8000u : 0u;
  return static_cast<uint16_t>(sign | round_to_narrow<Fmt>(mag, 0));
}

/// float -> IEEE binary16 bits, round-to-nearest-even; NaN stays NaN (quiet, top payload kept).
constexpr uint16_t f32_to_f16_bits(float f) noexcept {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t ax = x & 0x7fffffffu;
  uint32_t r = 0;
  if (ax >= 0x7f800000u) {  // inf or NaN
    r = ax == 0x7f800000u ? 0x7c00u : 0x7e00u | ((ax >> 13) & 0x3ffu);
  } else if (ax >= 0x477ff000u) {  // >= 65520: rounds to inf
    r = 0x7c00u;
  } else if (ax >= 0x38800000u) {  // >= 2^-14: normal result; rebias 127 -> 15 and round
    const uint32_t b = ax - 0x38000000u;
    r = (b + 0xfffu + ((b >> 13) & 1u)) >> 13;
  } else if (ax > 0x33000000u) {  // (2^-25, 2^-14): subnormal result
    const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - (ax >> 23);  // 14..24
    const uint32_t rem = m & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1u);
    r = m >> shift;
    r += (rem > halfway || (rem == halfway && (r & 1u))) ? 1u : 0u;
  }  // else: <= 2^-25 rounds to (signed) zero
  return static_cast<uint16_t>(sign | r);
}

/// IEEE binary16 bits -> float (exact).
constexpr float f16_bits_to_f32(uint16_t h) noexcept {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1fu;
  uint32_t m = h & 0x3ffu;
  uint32_t bits = sign;
  if (e == 0x1fu) {  // inf or NaN; NaN is quieted, as F16C's vcvtph2ps does
    bits |= 0x7f800000u | (m << 13) | (m != 0 ? 0x400000u : 0u);
  } else if (e != 0) {
    bits |= ((e + 112u) << 23) | (m << 13);
  } else if (m != 0) {  // subnormal: normalise m * 2^-24
    const int s = std::countl_zero(m) - 21;
    m = (m << s) & 0x3ffu;
    bits |= ((113u - static_cast<uint32_t>(s)) << 23) | (m << 13);
  }
  return std::bit_cast<float>(bits);
}

/// float -> bfloat16 bits, round-to-nearest-even; NaN stays NaN (quiet, top payload kept).
constexpr uint16_t f32_to_bf16_bits(float f) noexcept {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

/// bfloat16 bits -> float (exact).
constexpr float bf16_bits_to_f32(uint16_t b) noexcept {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

}  // namespace detail

/// IEEE 754 binary16 ("half"); arithmetic goes through float.
struct float16_t {
  uint16_t bits;

  float16_t() = default;
  constexpr float16_t(float v) noexcept : bits(detail::f32_to_f16_bits(v)) {}
  constexpr float16_t(double v) noexcept
      : bits(detail::f64_to_narrow_bits<detail::f16_format>(v)) {}
  constexpr float16_t(long double v) noexcept : float16_t(static_cast<double>(v)) {}
  template <class T>
    requires std::integral<T>
  constexpr float16_t(T v) noexcept : bits(detail::int_to_narrow_bits<detail::f16_format>(v)) {}

  constexpr operator float() const noexcept { return detail::f16_bits_to_f32(bits); }

  /// Reinterprets raw binary16 bits.
  static constexpr float16_t from_bits(uint16_t b) noexcept {
    float16_t h{};
    h.bits = b;
    return h;
  }
};

/// Brain floating point (8 exponent bits, 7 mantissa bits); arithmetic goes through float.
struct bfloat16_t {
  uint16_t bits;

  bfloat16_t() = default;
  constexpr bfloat16_t(float v) noexcept : bits(detail::f32_to_bf16_bits(v)) {}
  constexpr bfloat16_t(double v) noexcept
      : bits(detail::f64_to_narrow_bits<detail::bf16_format>(v)) {}
  constexpr bfloat16_t(long double v) noexcept : bfloat16_t(static_cast<double>(v)) {}
  template <class T>
    requires std::integral<T>
  constexpr bfloat16_t(T v) noexcept : bits(detail::int_to_narrow_bits<detail::bf16_format>(v)) {}

  constexpr operator float() const noexcept { return detail::bf16_bits_to_f32(bits); }

  /// Reinterprets raw bfloat16 bits.
  static constexpr bfloat16_t from_bits(uint16_t b) noexcept {
    bfloat16_t h{};
    h.bits = b;
    return h;
  }
};

static_assert(sizeof(float16_t) == 2 && std::is_trivially_copyable_v<float16_t>);
static_assert(sizeof(bfloat16_t) == 2 && std::is_trivially_copyable_v<bfloat16_t>);

namespace detail {
// Operands of the mixed operators: a 16-bit float with another one or with an arithmetic type.
template <class A, class B>
concept half_operands = (half_float_type<A> && (half_float_type<B> || half_mixed_operand<B>)) ||
                        (half_mixed_operand<A> && half_float_type<B>);

// Types of `a op b`, following MLX: computed in float (or in T for a floating-point T); the
// result is the half type, float for float16 with bfloat16, and T for a floating-point T.
template <class A, class B>
struct half_promote {
  using half = std::conditional_t<half_float_type<A>, A, B>;
  using other = std::conditional_t<half_float_type<A>, B, A>;
  static constexpr bool floating_other = std::is_floating_point_v<other>;
  using compute = std::conditional_t<floating_other, other, float>;
  using result = std::conditional_t<
      floating_other, other,
      std::conditional_t<std::is_same_v<A, B> || !half_float_type<other>, half, float>>;
};
template <class A, class B>
using half_result_t = typename half_promote<A, B>::result;
template <class, class>
using half_compare_t = bool;
}  // namespace detail

// Templates rather than plain overloads, so that `h + 1.0f` matches these exactly instead of
// being ambiguous with the built-in float operators.
#define MLXPP_HALF_OPERATOR(OP, RESULT)                          \
  template <class A, class B>                                    \
    requires detail::half_operands<A, B>                         \
  constexpr RESULT<A, B> operator OP(A a, B b) noexcept {        \
    using C = typename detail::half_promote<A, B>::compute;      \
    return RESULT<A, B>(static_cast<C>(a) OP static_cast<C>(b)); \
  }
#define MLXPP_HALF_ARITHMETIC(OP)                \
  MLXPP_HALF_OPERATOR(OP, detail::half_result_t) \
  template <detail::half_float_type H, class T>  \
    requires detail::half_operands<H, T>         \
  constexpr H& operator OP##=(H& a, T b) noexcept { return a = H(a OP b); }

MLXPP_HALF_ARITHMETIC(+)
MLXPP_HALF_ARITHMETIC(-)
MLXPP_HALF_ARITHMETIC(*)
MLXPP_HALF_ARITHMETIC(/)
MLXPP_HALF_OPERATOR(==, detail::half_compare_t)
MLXPP_HALF_OPERATOR(!=, detail::half_compare_t)
MLXPP_HALF_OPERATOR(<, detail::half_compare_t)
MLXPP_HALF_OPERATOR(<=, detail::half_compare_t)
MLXPP_HALF_OPERATOR(>, detail::half_compare_t)
MLXPP_HALF_OPERATOR(>=, detail::half_compare_t)
#undef MLXPP_HALF_ARITHMETIC
#undef MLXPP_HALF_OPERATOR

/// Negation flips the sign bit (exact, NaN included).
template <detail::half_float_type H>
constexpr H operator-(H a) noexcept {
  return H::from_bits(static_cast<uint16_t>(a.bits ^ 0x8000u));
}
template <detail::half_float_type H>
constexpr H operator+(H a) noexcept { return a; }

/// Prints the value as a float.
template <detail::half_float_type H>
std::ostream& operator<<(std::ostream& os, H h) {
  return os << static_cast<float>(h);
}

}  // namespace mlx::core

namespace mlx::core::detail {
// The numeric_limits members shared by both 16-bit types; the value functions are per type.
template <class Half, int Digits, int MinExp, int MaxExp, int MinExp10, int MaxExp10, bool Iec559>
struct half_limits {
  static constexpr bool is_specialized = true, is_signed = true, is_integer = false;
  static constexpr bool is_exact = false, is_bounded = true, is_modulo = false;
  static constexpr bool has_infinity = true, has_quiet_NaN = true, has_signaling_NaN = true;
  static constexpr std::float_denorm_style has_denorm = std::denorm_present;
  static constexpr bool has_denorm_loss = false, traps = false, tinyness_before = false;
  static constexpr std::float_round_style round_style = std::round_to_nearest;
  static constexpr bool is_iec559 = Iec559;
  static constexpr int radix = 2, digits = Digits;
  static constexpr int digits10 = (Digits - 1) * 30103 / 100000;    // floor((d-1) log10 2)
  static constexpr int max_digits10 = 2 + Digits * 30103 / 100000;  // ceil(1 + d log10 2)
  static constexpr int min_exponent = MinExp, min_exponent10 = MinExp10;
  static constexpr int max_exponent = MaxExp, max_exponent10 = MaxExp10;

 protected:
  using H = Half;
};
}  // namespace mlx::core::detail

template <>
struct std::numeric_limits<mlx::core::float16_t>
    : public mlx::core::detail::half_limits<mlx::core::float16_t, 11, -13, 16, -4, 4, true> {
  static constexpr H min() noexcept { return H::from_bits(0x0400); }
  static constexpr H max() noexcept { return H::from_bits(0x7bff); }
  static constexpr H lowest() noexcept { return H::from_bits(0xfbff); }
  static constexpr H epsilon() noexcept { return H::from_bits(0x1400); }
  static constexpr H round_error() noexcept { return H::from_bits(0x3800); }
  static constexpr H infinity() noexcept { return H::from_bits(0x7c00); }
  static constexpr H quiet_NaN() noexcept { return H::from_bits(0x7e00); }
  static constexpr H signaling_NaN() noexcept { return H::from_bits(0x7d00); }
  static constexpr H denorm_min() noexcept { return H::from_bits(0x0001); }
};

template <>
struct std::numeric_limits<mlx::core::bfloat16_t>
    : public mlx::core::detail::half_limits<mlx::core::bfloat16_t, 8, -125, 128, -37, 38, false> {
  static constexpr H min() noexcept { return H::from_bits(0x0080); }
  static constexpr H max() noexcept { return H::from_bits(0x7f7f); }
  static constexpr H lowest() noexcept { return H::from_bits(0xff7f); }
  static constexpr H epsilon() noexcept { return H::from_bits(0x3c00); }
  static constexpr H round_error() noexcept { return H::from_bits(0x3f00); }
  static constexpr H infinity() noexcept { return H::from_bits(0x7f80); }
  static constexpr H quiet_NaN() noexcept { return H::from_bits(0x7fc0); }
  static constexpr H signaling_NaN() noexcept { return H::from_bits(0x7fa0); }
  static constexpr H denorm_min() noexcept { return H::from_bits(0x0001); }
};

// Bulk conversions for the CPU backend's hot loops; bit-identical to the scalar conversions.
// Each inline namespace is named after the instruction set its body uses, so translation units
// built with different -m flags get distinct symbols instead of an ODR clash (the linker could
// otherwise keep an F16C body for a TU meant to run on older CPUs).
namespace mlx::core::detail {

#if defined(__F16C__)
inline namespace f16_f16c {
#else
inline namespace f16_scalar {
#endif

/// Converts n binary16 values to float.
inline void f16_to_f32(const float16_t* src, float* dst, size_t n) noexcept {
  size_t i = 0;
#if defined(__F16C__)
  for (const size_t end = n - n % 8; i < end; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
  }
#endif
  for (; i < n; ++i) dst[i] = f16_bits_to_f32(src[i].bits);
}

/// Converts n floats to binary16 with round-to-nearest-even.
inline void f32_to_f16(const float* src, float16_t* dst, size_t n) noexcept {
  size_t i = 0;
#if defined(__F16C__)
  for (const size_t end = n - n % 8; i < end; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), h);
  }
#endif
  for (; i < n; ++i) dst[i].bits = f32_to_f16_bits(src[i]);
}

}  // inline namespace f16_*

// bfloat16 needs only integer ops: written once with GCC/Clang vector extensions (16 lanes),
// which the compiler lowers to AVX-512, AVX2 or SSE2 as the target allows.
#if defined(__AVX512F__)
inline namespace bf16_avx512 {
#elif defined(__AVX2__)
inline namespace bf16_avx2 {
#else
inline namespace bf16_generic {
#endif

#if defined(__GNUC__)
using u32x16 = uint32_t __attribute__((vector_size(64)));
using u16x16 = uint16_t __attribute__((vector_size(32)));
#endif

/// Converts n bfloat16 values to float.
inline void bf16_to_f32(const bfloat16_t* src, float* dst, size_t n) noexcept {
  size_t i = 0;
#if defined(__GNUC__)
  for (const size_t end = n - n % 16; i < end; i += 16) {
    u16x16 h;
    std::memcpy(&h, src + i, sizeof(h));
    const u32x16 x = __builtin_convertvector(h, u32x16) << 16u;
    std::memcpy(dst + i, &x, sizeof(x));
  }
#endif
  for (; i < n; ++i) dst[i] = bf16_bits_to_f32(src[i].bits);
}

/// Converts n floats to bfloat16 with round-to-nearest-even (subnormals kept, NaN quieted).
inline void f32_to_bf16(const float* src, bfloat16_t* dst, size_t n) noexcept {
  size_t i = 0;
#if defined(__GNUC__)
  for (const size_t end = n - n % 16; i < end; i += 16) {
    u32x16 x;
    std::memcpy(&x, src + i, sizeof(x));
    const u32x16 rounded = (x + 0x7fffu + ((x >> 16u) & 1u)) >> 16u;
    const u32x16 nan = (x >> 16u) | 0x40u;
    const u32x16 is_nan = reinterpret_cast<u32x16>((x & 0x7fffffffu) > 0x7f800000u);
    const u16x16 r = __builtin_convertvector((rounded & ~is_nan) | (nan & is_nan), u16x16);
    std::memcpy(dst + i, &r, sizeof(r));
  }
#endif
  for (; i < n; ++i) dst[i].bits = f32_to_bf16_bits(src[i]);
}

}  // inline namespace bf16_*

}  // namespace mlx::core::detail
