// SPDX-License-Identifier: MIT
// Tiled matrix product of bfloat16 operands (uint16 bits) with float32 accumulation
// (matmul_tiled.glsl). Results round to nearest even, as the CPU's conversion does.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
uint16_t mlx_to_bf16(float f) {
  uint b = floatBitsToUint(f);
  if (isnan(f)) return uint16_t((b >> 16) | 0x40u);
  b += 0x7FFFu + ((b >> 16) & 1u);
  return uint16_t(b >> 16);
}
#define IN_T uint16_t
#define IN_ALIGN 2
#define LOAD(x) uintBitsToFloat(uint(x) << 16)
#define STORE(x) mlx_to_bf16(x)
#include "matmul_tiled.glsl"
