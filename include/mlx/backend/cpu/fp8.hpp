// SPDX-License-Identifier: MIT
// float8 E4M3 ("e4m3fn": no infinities) conversions on the CPU, bit for bit as MLX's CPU
// kernels (ToFP8 / FromFP8 of MLX's backend/cpu/unary_ops.h, which Metal shares):
// - encoding rounds to nearest even through float32, keeps the sign (also of zero), and
//   saturates every magnitude >= 448 to the code 0x7E (448), NaN and infinity included;
// - decoding reads the 7 magnitude bits as float16 bits shifted left by 7, times 256, so
//   the NaN codes 0x7F / 0xFF decode to +-480 (MLX's CPU and Metal kernels; its CUDA
//   kernel decodes them to NaN).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <type_traits>

#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/half.hpp"

namespace mlx::core::cpu {

namespace fp8_impl {

/// The E4M3 code of f: the usual bit-level rounding (the one PyTorch and MLX use), with
/// MLX's saturation.
inline uint8_t encode(float f) noexcept {
  constexpr uint32_t fp8_max = 543u << 21;      // 448.0f: this and above saturate
  constexpr uint32_t denorm_mask = 141u << 23;  // 2^14 as a float: aligns the subnormals
  uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint32_t sign = bits & 0x80000000u;
  bits ^= sign;
  uint8_t code;
  if (bits >= fp8_max) {
    code = 0x7E;  // NaN's magnitude bits compare above 448 too: MLX saturates it as well
  } else if (bits < (121u << 23)) {
    // Below 2^-6 (the smallest normal): adding 2^14 lets the FPU round to a multiple of
    // 2^-9 (round to nearest even), and the low bits of the sum are then the code.
    const float sum = std::bit_cast<float>(bits) + std::bit_cast<float>(denorm_mask);
    code = static_cast<uint8_t>(std::bit_cast<uint32_t>(sum) - denorm_mask);
  } else {
    // Rebias the exponent (127 -> 7) and round the 20 dropped mantissa bits to even.
    const uint32_t mant_odd = (bits >> 20) & 1u;
    bits += (static_cast<uint32_t>(7 - 127) << 23) + 0x7FFFFu + mant_odd;
    code = static_cast<uint8_t>(bits >> 20);
  }
  return static_cast<uint8_t>(code | (sign >> 24));
}

/// The value of an E4M3 code: the magnitude bits are float16 bits >> 7 (exponent bias 15
/// versus 7, hence the factor 256 = 2^8), as MLX decodes them; exact in every float dtype.
inline float decode(uint8_t code) noexcept {
  const float magnitude =
      core::detail::f16_bits_to_f32(static_cast<uint16_t>((code & 0x7Fu) << 7)) * 256.0f;
  return (code & 0x80u) ? -magnitude : magnitude;
}

/// f(type_tag<T>) for the floating dtype dt (float32 for anything else).
template <class F>
void dispatch_float(Dtype dt, F&& f) {
  if (dt == float16)
    f(core::detail::type_tag<float16_t>{});
  else if (dt == bfloat16)
    f(core::detail::type_tag<bfloat16_t>{});
  else if (dt == float64)
    f(core::detail::type_tag<double>{});
  else
    f(core::detail::type_tag<float>{});
}

}  // namespace fp8_impl

/// dst[i] = the E4M3 code of src[i] for n elements of row-contiguous src (a floating dtype;
/// float64 is rounded to float32 first, as MLX's kernel converts every input to float).
inline void to_fp8(const void* src, Dtype dt, uint8_t* dst, int64_t n) {
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = static_cast<const T*>(src);
    parallel_for(n, int64_t{1} << 16, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) dst[i] = fp8_impl::encode(static_cast<float>(s[i]));
    });
  };
  fp8_impl::dispatch_float(dt, run);
}

/// dst[i] = the value of code src[i] in dtype dt (float16, bfloat16, float32 or float64;
/// every E4M3 value is exact in each) for n elements.
inline void from_fp8(const uint8_t* src, void* dst, Dtype dt, int64_t n) {
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    // One table of the 256 values in the output type: the loop is then a byte lookup.
    T table[256];
    for (int c = 0; c < 256; ++c) table[c] = static_cast<T>(fp8_impl::decode(static_cast<uint8_t>(c)));
    T* d = static_cast<T*>(dst);
    parallel_for(n, int64_t{1} << 16, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) d[i] = table[src[i]];
    });
  };
  fp8_impl::dispatch_float(dt, run);
}

}  // namespace mlx::core::cpu
