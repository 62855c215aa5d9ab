// SPDX-License-Identifier: MIT
// The tiled matrix product shared by matmul_{f32,f16,bf16}.comp (each defines IN_T, LOAD and
// STORE, then includes this file): out = alpha * A·B (+ beta * C) per batch, float32
// accumulation. One workgroup computes a BM x BN tile of out; a thread an TM x TN block as
// (TM/4) x (TN/4) quadrants of 4 x 4 that lie TY*4 rows / TX*4 columns apart, so the shared
// reads of neighbouring threads are consecutive vec4s (no bank conflicts). Tiles of A and B
// (BM x BK, BK x BN) go through shared memory; the next tile is fetched into registers while
// the current one is multiplied. Operands are addressed by element strides, so transposed
// views need no copy; loads outside M, N, K read zero and stores outside are skipped.
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_explicit_arithmetic_types : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_control_flow_attributes : enable

layout(constant_id = 0) const uint BM = 64;
layout(constant_id = 1) const uint BN = 64;
layout(constant_id = 2) const uint BK = 8;
layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
// Which index consecutive threads walk when loading: the operand's contiguous one, so that
// loads coalesce (A: along K when its column stride is 1, else along M; B: along N when its
// column stride is 1, else along K).
layout(constant_id = 5) const bool A_K_CONTIG = true;
layout(constant_id = 6) const bool B_N_CONTIG = true;
layout(local_size_x_id = 7) in;  // (BM / TM) * (BN / TN)

layout(buffer_reference, std430, buffer_reference_align = IN_ALIGN) readonly buffer In { IN_T v[]; };
layout(buffer_reference, std430, buffer_reference_align = IN_ALIGN) writeonly buffer Out { IN_T v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Table { uint v[]; };

// Addresses first, then 32-bit fields (the host mirrors this in backend/gpu/matmul.hpp).
layout(push_constant) uniform Push {
  In a;
  In b;
  In c;         // AddMM's addend (0 for Matmul)
  Out o;        // row-major, batch after batch
  Table table;  // per batch: offsets of A, B, C (0: offsets are batch * stride)
  uint M, N, K;
  uint a_rs, a_cs, b_rs, b_cs, c_rs, c_cs;  // element strides of rows and columns
  uint a_bs, b_bs, c_bs;                    // batch strides (0: broadcast)
  uint batch0;                              // batch of workgroup z = 0
  float alpha, beta;
} p;

const uint TX = BN / TN, TY = BM / TM, NT = TX * TY;
const uint AST = BM / 4 + 1, BST = BN / 4 + 1;  // vec4 row pitch (+1 against bank conflicts)
const uint LA = BM * BK / NT, LB = BK * BN / NT;  // loads per thread per tile
shared vec4 As[BK * AST];  // As[k][m]: A's tile transposed
shared vec4 Bs[BK * BST];  // Bs[k][n]

void main() {
  const uint tid = gl_LocalInvocationIndex;
  const uint tx = tid % TX, ty = tid / TX;
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

  // Tile element e of this thread's l-th load: (m, k) of A, (k, n) of B.
  float ra[LA], rb[LB];
  [[unroll]] for (uint l = 0; l < LA; ++l) ra[l] = 0.0;
  [[unroll]] for (uint l = 0; l < LB; ++l) rb[l] = 0.0;

#define FETCH(k0)                                                                   \
  [[unroll]] for (uint l = 0; l < LA; ++l) {                                        \
    const uint e = tid + l * NT;                                                    \
    const uint m = A_K_CONTIG ? e / BK : e % BM, k = A_K_CONTIG ? e % BK : e / BM;  \
    const uint gm = row0 + m, gk = (k0) + k;                                        \
    ra[l] = gm < p.M && gk < p.K ? LOAD(p.a.v[a_off + gm * p.a_rs + gk * p.a_cs]) : 0.0; \
  }                                                                                 \
  [[unroll]] for (uint l = 0; l < LB; ++l) {                                        \
    const uint e = tid + l * NT;                                                    \
    const uint n = B_N_CONTIG ? e % BN : e / BK, k = B_N_CONTIG ? e / BN : e % BK;  \
    const uint gn = col0 + n, gk = (k0) + k;                                        \
    rb[l] = gn < p.N && gk < p.K ? LOAD(p.b.v[b_off + gk * p.b_rs + gn * p.b_cs]) : 0.0; \
  }

  vec4 acc[TM * TN / 4];
  [[unroll]] for (uint i = 0; i < TM * TN / 4; ++i) acc[i] = vec4(0.0);

  FETCH(0)
  for (uint k0 = 0; k0 < p.K; k0 += BK) {
    [[unroll]] for (uint l = 0; l < LA; ++l) {
      const uint e = tid + l * NT;
      const uint m = A_K_CONTIG ? e / BK : e % BM, k = A_K_CONTIG ? e % BK : e / BM;
      As[k * AST + m / 4][m % 4] = ra[l];
    }
    [[unroll]] for (uint l = 0; l < LB; ++l) {
      const uint e = tid + l * NT;
      const uint n = B_N_CONTIG ? e % BN : e / BK, k = B_N_CONTIG ? e / BN : e % BK;
      Bs[k * BST + n / 4][n % 4] = rb[l];
    }
    barrier();
    if (k0 + BK < p.K) {
      FETCH(k0 + BK)
    }
    [[unroll]] for (uint k = 0; k < BK; ++k) {
      vec4 va[TM / 4], vb[TN / 4];
      [[unroll]] for (uint g = 0; g < TM / 4; ++g) va[g] = As[k * AST + g * TY + ty];
      [[unroll]] for (uint h = 0; h < TN / 4; ++h) vb[h] = Bs[k * BST + h * TX + tx];
      [[unroll]] for (uint g = 0; g < TM / 4; ++g)
        [[unroll]] for (uint i = 0; i < 4; ++i)
          [[unroll]] for (uint h = 0; h < TN / 4; ++h)
            acc[(g * 4 + i) * (TN / 4) + h] += va[g][i] * vb[h];
    }
    barrier();
  }

  const bool addend = uint64_t(p.c) != 0;
  const uint o_off = batch * p.M * p.N;
  [[unroll]] for (uint g = 0; g < TM / 4; ++g)
    [[unroll]] for (uint i = 0; i < 4; ++i) {
      const uint m = row0 + g * TY * 4 + ty * 4 + i;
      if (m >= p.M) continue;
      [[unroll]] for (uint h = 0; h < TN / 4; ++h) {
        const vec4 v = acc[(g * 4 + i) * (TN / 4) + h];
        [[unroll]] for (uint j = 0; j < 4; ++j) {
          const uint n = col0 + h * TX * 4 + tx * 4 + j;
          if (n >= p.N) continue;
          float r = p.alpha * v[j];
          if (addend) r += p.beta * LOAD(p.c.v[c_off + m * p.c_rs + n * p.c_cs]);
          p.o.v[o_off + m * p.N + n] = STORE(r);
        }
      }
    }
}
