// SPDX-License-Identifier: MIT
// Tiled matrix product of float32 operands (see matmul_tiled.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#define IN_T float
#define IN_ALIGN 4
#define LOAD(x) (x)
#define STORE(x) (x)
#include "matmul_tiled.glsl"
