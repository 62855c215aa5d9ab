// SPDX-License-Identifier: MIT
// out(f16) = alpha * A(f16)·B(f16) (+ beta * C) with f32 accumulation on tensor cores through
// VK_NV_cooperative_matrix (16x16x16 tiles at subgroup scope; needs subgroups of 32). A
// workgroup of WM x WN subgroups computes a (WM*CM*16) x (WN*CN*16) tile of out; each
// subgroup a CM x CN grid of 16x16 accumulators. Operand tiles pass through shared memory in
// the operand's own layout (k-major or not), since coopMatLoadNV reads either; 8 halves move
// as one uvec4 when the contiguous dimension allows it (flags), else one by one. The next
// k-tile is fetched into registers while the current one is multiplied. The result leaves
// through a per-subgroup 16x16 float staging tile, so edges, strides of C and the f16
// rounding are handled per element.
#version 450
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_explicit_arithmetic_types : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_control_flow_attributes : enable
#extension GL_NV_cooperative_matrix : require

layout(constant_id = 0) const uint WM = 2;   // subgroups along M
layout(constant_id = 1) const uint WN = 4;   // subgroups along N
layout(constant_id = 2) const uint CM = 4;   // accumulators per subgroup along M
layout(constant_id = 3) const uint CN = 4;   // accumulators per subgroup along N
layout(constant_id = 4) const uint BK = 32;  // multiple of 16
layout(constant_id = 5) const bool A_ROW = true;  // A's column stride is 1 (k contiguous)
layout(constant_id = 6) const bool B_ROW = true;  // B's column stride is 1 (n contiguous)
layout(local_size_x_id = 7) in;                   // WM * WN * 32

layout(buffer_reference, std430, buffer_reference_align = 2) readonly buffer In { float16_t v[]; };
layout(buffer_reference, std430, buffer_reference_align = 16) readonly buffer In8 { uvec4 v[]; };
layout(buffer_reference, std430, buffer_reference_align = 2) writeonly buffer Out { float16_t v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Table { uint v[]; };

// The same block as matmul_tiled.glsl, plus flags: bit 0: A moves as uvec4, bit 1: B does.
layout(push_constant) uniform Push {
  In a;
  In b;
  In c;
  Out o;
  Table table;
  uint M, N, K;
  uint a_rs, a_cs, b_rs, b_cs, c_rs, c_cs;
  uint a_bs, b_bs, c_bs;
  uint batch0;
  float alpha, beta;
  uint flags;
} p;

const uint NT = WM * WN * 32;
const uint BM = WM * CM * 16, BN = WN * CN * 16;
// Shared tiles in uvec4 units (8 halves), rows padded by one uvec4 against bank conflicts.
const uint AP = A_ROW ? BK / 8 + 1 : BM / 8 + 1;  // As[m][k] or As[k][m]
const uint BP = B_ROW ? BN / 8 + 1 : BK / 8 + 1;  // Bs[k][n] or Bs[n][k]
const uint A_ROWS = A_ROW ? BM : BK, B_ROWS = B_ROW ? BK : BN;
const uint LA = BM * BK / 8 / NT, LB = BK * BN / 8 / NT;  // uvec4 per thread per tile
shared uvec4 As[A_ROWS * AP];
shared uvec4 Bs[B_ROWS * BP];
shared float Cs[WM * WN * 256];

#define MAT16 fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define MAT32 fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>

// Chunk e of a tile: its row in shared memory and its uvec4 within the row.
uint a_row(uint e) { return e / (AP - 1); }
uint a_col(uint e) { return e % (AP - 1); }
uint b_row(uint e) { return e / (BP - 1); }
uint b_col(uint e) { return e % (BP - 1); }

uvec4 pack8(float16_t h[8]) {
  return uvec4(packFloat2x16(f16vec2(h[0], h[1])), packFloat2x16(f16vec2(h[2], h[3])),
               packFloat2x16(f16vec2(h[4], h[5])), packFloat2x16(f16vec2(h[6], h[7])));
}

void main() {
  const uint tid = gl_LocalInvocationIndex;
  const uint sg = tid / 32, lane = tid % 32;
  const uint wm = sg % WM, wn = sg / WM;
  const uint row0 = gl_WorkGroupID.y * BM, col0 = gl_WorkGroupID.x * BN;
  const uint batch = p.batch0 + gl_WorkGroupID.z;
  uint a_off, b_off, c_off;
  if (uint64_t(p.table) != 0) {
    a_off = p.table.v[3 * batch];
    b_off = p.table.v[3 * batch + 1];
    c_off = p.table.v[3 * batch + 2];
  } else {
    a_off = batch * p.a_bs;
    b_off = batch * p.b_bs;
    c_off = batch * p.c_bs;
  }
  const bool a_vec = (p.flags & 1u) != 0, b_vec = (p.flags & 2u) != 0;

  uvec4 ra[LA], rb[LB];
  // Chunk (r, q) of A holds 8 halves: A_ROW: row m = r, k = 8q..8q+7; else k = r, m = 8q...
#define FETCH(k0)                                                                        \
  [[unroll]] for (uint l = 0; l < LA; ++l) {                                             \
    const uint e = tid + l * NT, r = a_row(e), q = a_col(e);                             \
    const uint gm = row0 + (A_ROW ? r : 8 * q), gk = (k0) + (A_ROW ? 8 * q : r);         \
    if (a_vec) {                                                                         \
      const bool ok = gm < p.M && gk < p.K;                                              \
      ra[l] = ok ? In8(uint64_t(p.a)).v[(a_off + gm * p.a_rs + gk * p.a_cs) / 8] : uvec4(0); \
    } else {                                                                             \
      float16_t h[8];                                                                    \
      [[unroll]] for (uint j = 0; j < 8; ++j) {                                          \
        const uint m = gm + (A_ROW ? 0 : j), k = gk + (A_ROW ? j : 0);                   \
        h[j] = m < p.M && k < p.K ? p.a.v[a_off + m * p.a_rs + k * p.a_cs] : float16_t(0); \
      }                                                                                  \
      ra[l] = pack8(h);                                                                  \
    }                                                                                    \
  }                                                                                      \
  [[unroll]] for (uint l = 0; l < LB; ++l) {                                             \
    const uint e = tid + l * NT, r = b_row(e), q = b_col(e);                             \
    const uint gk = (k0) + (B_ROW ? r : 8 * q), gn = col0 + (B_ROW ? 8 * q : r);         \
    if (b_vec) {                                                                         \
      const bool ok = gn < p.N && gk < p.K;                                              \
      rb[l] = ok ? In8(uint64_t(p.b)).v[(b_off + gk * p.b_rs + gn * p.b_cs) / 8] : uvec4(0); \
    } else {                                                                             \
      float16_t h[8];                                                                    \
      [[unroll]] for (uint j = 0; j < 8; ++j) {                                          \
        const uint k = gk + (B_ROW ? 0 : j), n = gn + (B_ROW ? j : 0);                   \
        h[j] = n < p.N && k < p.K ? p.b.v[b_off + k * p.b_rs + n * p.b_cs] : float16_t(0); \
      }                                                                                  \
      rb[l] = pack8(h);                                                                  \
    }                                                                                    \
  }

  MAT32 acc[CM * CN];
  [[unroll]] for (uint i = 0; i < CM * CN; ++i) acc[i] = MAT32(0.0);

  FETCH(0)
  for (uint k0 = 0; k0 < p.K; k0 += BK) {
    [[unroll]] for (uint l = 0; l < LA; ++l) {
      const uint e = tid + l * NT;
      As[a_row(e) * AP + a_col(e)] = ra[l];
    }
    [[unroll]] for (uint l = 0; l < LB; ++l) {
      const uint e = tid + l * NT;
      Bs[b_row(e) * BP + b_col(e)] = rb[l];
    }
    barrier();
    if (k0 + BK < p.K) {
      FETCH(k0 + BK)
    }
    [[unroll]] for (uint kk = 0; kk < BK; kk += 16) {
      MAT16 ma[CM], mb[CN];
      [[unroll]] for (uint i = 0; i < CM; ++i) {
        const uint m = wm * CM * 16 + i * 16;
        if (A_ROW)
          coopMatLoadNV(ma[i], As, m * AP + kk / 8, AP, false);
        else
          coopMatLoadNV(ma[i], As, kk * AP + m / 8, AP, true);
      }
      [[unroll]] for (uint j = 0; j < CN; ++j) {
        const uint n = wn * CN * 16 + j * 16;
        if (B_ROW)
          coopMatLoadNV(mb[j], Bs, kk * BP + n / 8, BP, false);
        else
          coopMatLoadNV(mb[j], Bs, n * BP + kk / 8, BP, true);
      }
      [[unroll]] for (uint i = 0; i < CM; ++i)
        [[unroll]] for (uint j = 0; j < CN; ++j)
          acc[i * CN + j] = coopMatMulAddNV(ma[i], mb[j], acc[i * CN + j]);
    }
    barrier();
  }

  const bool addend = uint64_t(p.c) != 0;
  const uint o_off = batch * p.M * p.N;
  [[unroll]] for (uint i = 0; i < CM; ++i)
    [[unroll]] for (uint j = 0; j < CN; ++j) {
      coopMatStoreNV(acc[i * CN + j], Cs, sg * 256, 16, false);
      subgroupMemoryBarrierShared();
      subgroupBarrier();
      const uint m0 = row0 + wm * CM * 16 + i * 16, n0 = col0 + wn * CN * 16 + j * 16;
      [[unroll]] for (uint e = lane; e < 256; e += 32) {
        const uint m = m0 + e / 16, n = n0 + e % 16;
        if (m < p.M && n < p.N) {
          float r = p.alpha * Cs[sg * 256 + e];
          if (addend) r += p.beta * float(p.c.v[c_off + m * p.c_rs + n * p.c_cs]);
          p.o.v[o_off + m * p.N + n] = float16_t(r);
        }
      }
      subgroupBarrier();
    }
}
