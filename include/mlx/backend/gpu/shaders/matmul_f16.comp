// SPDX-License-Identifier: MIT
// Tiled matrix product of float16 operands with float32 accumulation (matmul_tiled.glsl);
// the fallback where VK_NV_cooperative_matrix is missing.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define IN_T float16_t
#define IN_ALIGN 2
#define LOAD(x) float(x)
#define STORE(x) float16_t(x)
#include "matmul_tiled.glsl"
