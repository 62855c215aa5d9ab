// SPDX-License-Identifier: MIT
// Matrix products on the GPU: Matmul and AddMM through the fixed kernels of shaders/
// (checked-in SPIR-V, tile sizes as specialization constants chosen per device). Operands
// are read in place through their strides (transposed views included, no copies), batch
// dims broadcast through zero strides, and float16/bfloat16 accumulate in float32; float16
// uses tensor cores (VK_NV_cooperative_matrix) where the device has them. Vulkan-free: only
// gpu::backend() and the interface.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mlx/backend/gpu/interface.hpp"
#include "mlx/backend/gpu/shaders/matmul_bf16.spv.hpp"
#include "mlx/backend/gpu/shaders/matmul_coopmat_f16.spv.hpp"
#include "mlx/backend/gpu/shaders/matmul_f16.spv.hpp"
#include "mlx/backend/gpu/shaders/matmul_f32.spv.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/shape.hpp"

namespace mlx::core::gpu {

namespace detail {

/// The kernels' push constants (the `Push` block of matmul_tiled.glsl and
/// matmul_coopmat_f16.comp): device addresses first, then 32-bit fields.
struct MatmulPush {
  uint64_t a, b, c, o, table;
  uint32_t M, N, K;
  uint32_t a_rs, a_cs, b_rs, b_cs, c_rs, c_cs;
  uint32_t a_bs, b_bs, c_bs;
  uint32_t batch0;
  float alpha, beta;
  uint32_t flags;  // coopmat only: bit 0 A, bit 1 B move 8 halves at a time
};
static_assert(offsetof(MatmulPush, M) == 40 && offsetof(MatmulPush, flags) == 100 &&
                  sizeof(MatmulPush) <= push_constant_bytes,
              "MatmulPush must match the GLSL push-constant block");

/// One operand as the kernels address it: element strides of rows and columns, and one
/// stride per dim of the output's batch shape (0 where it broadcasts).
struct MatmulOperand {
  int64_t rows = 1, cols = 1, rs = 0, cs = 0;
  std::vector<int64_t> batch_strides;
};

/// x (shape [..., rows, cols], or a vector taken as one row or one column) over `batch`.
inline MatmulOperand matmul_operand(const array& x, bool vec_as_row, const Shape& batch) {
  MatmulOperand m;
  const int nd = static_cast<int>(x.ndim());
  const auto& st = x.strides();
  if (nd == 1) {
    (vec_as_row ? m.cols : m.rows) = x.shape(0);
    (vec_as_row ? m.cs : m.rs) = st[0];
    m.batch_strides.assign(batch.size(), 0);
  } else {
    m.rows = x.shape(nd - 2);
    m.cols = x.shape(nd - 1);
    m.rs = st[static_cast<size_t>(nd - 2)];
    m.cs = st[static_cast<size_t>(nd - 1)];
    Shape bs(x.shape().begin(), x.shape().end() - 2);
    Strides bst(st.begin(), st.end() - 2);
    m.batch_strides = core::detail::broadcast_strides(bs, bst, batch);
  }
  // A size-1 dim's stride is never used to step; 0 keeps the offsets small.
  if (m.rows == 1) m.rs = 0;
  if (m.cols == 1) m.cs = 0;
  return m;
}

/// AddMM's addend c as an operand over out's shape: `rows`/`cols` say whether out has an M
/// and an N dim (a vector operand drops its dim from the output).
inline MatmulOperand addend_operand(const array& c, const Shape& out_shape, bool rows,
                                    bool cols) {
  MatmulOperand m;
  Strides st = core::detail::broadcast_strides(c.shape(), c.strides(), out_shape);
  size_t nd = out_shape.size();
  if (cols) m.cs = st[--nd];
  if (rows) m.rs = st[--nd];
  m.batch_strides.assign(st.begin(), st.begin() + static_cast<std::ptrdiff_t>(nd));
  return m;
}

/// The batch walk: one stride per operand when the batch dims merge into one, else a table
/// of per-batch offsets (3 per batch: A, B, C).
struct BatchPlan {
  int64_t count = 1;
  bool table = false;
  int64_t stride[3] = {0, 0, 0};
  std::vector<uint32_t> offsets;
};

inline BatchPlan plan_batch(const Shape& batch, const MatmulOperand* ops[3]) {
  BatchPlan p;
  std::vector<int64_t> shape;
  std::vector<std::array<int64_t, 3>> st;  // merged dims, outer to inner
  for (size_t d = 0; d < batch.size(); ++d) {
    const int64_t n = batch[d];
    if (n == 1) continue;
    std::array<int64_t, 3> s{};
    for (int k = 0; k < 3; ++k) s[static_cast<size_t>(k)] = ops[k] ? ops[k]->batch_strides[d] : 0;
    bool merge = !shape.empty();
    for (int k = 0; merge && k < 3; ++k)
      merge = st.back()[static_cast<size_t>(k)] == s[static_cast<size_t>(k)] * n;
    if (merge) {
      shape.back() *= n;
      st.back() = s;
    } else {
      shape.push_back(n);
      st.push_back(s);
    }
  }
  for (auto n : shape) p.count *= n;
  if (shape.size() <= 1) {
    if (!shape.empty())
      for (int k = 0; k < 3; ++k) p.stride[k] = st[0][static_cast<size_t>(k)];
    return p;
  }
  p.table = true;
  p.offsets.resize(static_cast<size_t>(p.count) * 3);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t i = 0; i < p.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      int64_t off = 0;
      for (size_t d = 0; d < shape.size(); ++d) off += idx[d] * st[d][static_cast<size_t>(k)];
      p.offsets[static_cast<size_t>(i) * 3 + static_cast<size_t>(k)] = static_cast<uint32_t>(off);
    }
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return p;
}

/// The highest element offset an operand reaches (row, column and batch strides), or -1 when
/// a stride is negative: the kernels index with uint32, from the first element upwards.
inline int64_t max_offset(const MatmulOperand& m, const Shape& batch) {
  if (m.rs < 0 || m.cs < 0) return -1;
  int64_t hi = std::max<int64_t>(m.rows - 1, 0) * m.rs + std::max<int64_t>(m.cols - 1, 0) * m.cs;
  for (size_t d = 0; d < batch.size(); ++d) {
    if (m.batch_strides[d] < 0) return -1;
    hi += std::max<int64_t>(batch[d] - 1, 0) * m.batch_strides[d];
  }
  return hi;
}

/// Tile sizes of the tiled kernel (spec constants 0-4), and its workgroup size.
struct Tiles {
  uint32_t bm, bn, bk, tm, tn;
  uint32_t threads() const { return (bm / tm) * (bn / tn); }
  uint32_t shared_bytes() const { return bk * (bm / 4 + 1 + bn / 4 + 1) * 16; }
};

/// Big 128x128 tiles with 8x8 per thread (the sgemm128 design) on GPUs, 64x64 tiles when
/// the product has too few 128x128 tiles to fill the machine.
/// MLXPP_MATMUL_TILES="bm,bn,bk,tm,tn" overrides the choice (for tuning on new devices; a
/// choice that does not fit the kernel's rules is ignored).
inline Tiles choose_tiles(const DeviceInfo& info, int64_t M, int64_t N, int64_t batch) {
  static const Tiles forced = [] {
    Tiles t{0, 0, 0, 0, 0};
    if (const char* e = std::getenv("MLXPP_MATMUL_TILES"))
      if (std::sscanf(e, "%u,%u,%u,%u,%u", &t.bm, &t.bn, &t.bk, &t.tm, &t.tn) != 5) t.bm = 0;
    return t;
  }();
  if (forced.bm && forced.tm % 4 == 0 && forced.tn % 4 == 0 && forced.bm % forced.tm == 0 &&
      forced.bn % forced.tn == 0 && (forced.bm * forced.bk) % forced.threads() == 0 &&
      (forced.bn * forced.bk) % forced.threads() == 0 &&
      forced.threads() <= info.max_workgroup_size &&
      forced.shared_bytes() <= info.shared_memory_bytes)
    return forced;
  // lavapipe runs a workgroup as SIMD loops on one core: big register blocks pay there too
  // (512^3 measured 45-70 ms with 128x128 tiles against 100-140 ms with 32x32), but their
  // pipelines take ~1 s to build, so small products keep small tiles.
  if (info.is_cpu) return M >= 128 && N >= 128 ? Tiles{128, 128, 8, 8, 8} : Tiles{32, 32, 8, 4, 4};
  const int64_t big = ((M + 127) / 128) * ((N + 127) / 128) * batch;
  // H200, float32: 128x128 tiles 36.8 TFLOP/s at 4096^3 (64x64: 29.7); at 1024^3 64x64 with
  // BK = 16 22.0 (128x128: 11.5).
  Tiles t = big >= 128 ? Tiles{128, 128, 8, 8, 8} : Tiles{64, 64, 16, 4, 4};
  if (t.threads() > info.max_workgroup_size || t.shared_bytes() > info.shared_memory_bytes)
    t = {32, 32, 8, 4, 4};
  return t;
}

inline std::string spec_key(const char* name, const std::vector<uint32_t>& spec) {
  std::string k = name;
  for (auto v : spec) k += ':' + std::to_string(v);
  return k;
}

/// The cooperative-matrix kernel's configuration: subgroups WM x WN of CM x CN 16x16
/// accumulators, BK: 128x256 tiles (8 subgroups) for big products, 64x64 (4) when those
/// would leave SMs idle.
/// MLXPP_MATMUL_COOPMAT="wm,wn,cm,cn,bk" overrides the choice (for tuning).
inline std::vector<uint32_t> coopmat_spec(int64_t M, int64_t N, int64_t batch, bool a_row,
                                          bool b_row) {
  if (const char* e = std::getenv("MLXPP_MATMUL_COOPMAT")) {
    uint32_t wm, wn, cm, cn, bk;
    if (std::sscanf(e, "%u,%u,%u,%u,%u", &wm, &wn, &cm, &cn, &bk) == 5 && bk % 16 == 0 &&
        (wm * cm * 16 * bk / 8) % (wm * wn * 32) == 0 && (wn * cn * 16 * bk / 8) % (wm * wn * 32) == 0)
      return {wm, wn, cm, cn, bk, a_row, b_row, wm * wn * 32};
  }
  // Measured on the H200: 2x4 subgroups of 4x4 accumulators (128x256 tiles) 133 TFLOP/s at
  // 4096^3; at 1024^3 64x64 tiles (2x2 of 2x2) 49 TFLOP/s against 30 with 128x256.
  const int64_t big = ((M + 127) / 128) * ((N + 255) / 256) * batch;
  if (big >= 128) return {2, 4, 4, 4, 32, a_row, b_row, 256};
  return {2, 2, 2, 2, 32, a_row, b_row, 128};
}

inline uint32_t coopmat_shared_bytes(const std::vector<uint32_t>& s) {
  const uint32_t bm = s[0] * s[2] * 16, bn = s[1] * s[3] * 16, bk = s[4];
  const uint32_t a = s[5] ? bm * (bk / 8 + 1) : bk * (bm / 8 + 1);
  const uint32_t b = s[6] ? bk * (bn / 8 + 1) : bn * (bk / 8 + 1);
  return (a + b) * 16 + s[0] * s[1] * 256 * 4;
}

/// Whether the operand can move 8 halves at a time along its contiguous dim: stride 1
/// there, the other strides and the base 16-byte aligned, and a size that is a multiple of 8
/// (a chunk is then inside or outside the matrix, never across its edge).
inline bool vec8(const MatmulOperand& m, bool contig_is_cols, int64_t contig_size, uint64_t addr,
                 const BatchPlan& plan, int k) {
  const int64_t unit = contig_is_cols ? m.cs : m.rs, other = contig_is_cols ? m.rs : m.cs;
  if (unit != 1 || other % 8 != 0 || contig_size % 8 != 0 || addr % 16 != 0) return false;
  if (plan.table) {
    for (size_t i = static_cast<size_t>(k); i < plan.offsets.size(); i += 3)
      if (plan.offsets[i] % 8) return false;
    return true;
  }
  return plan.stride[k] % 8 == 0;
}

}  // namespace detail

/// out = alpha * (a @ b) + beta * c on the GPU (c may be null: Matmul), with MLX's operand
/// conventions (detail::matmul_eval). Returns false where this GPU path cannot run the
/// case (dtype, sizes past 32-bit indexing, negative strides): the caller then runs the CPU
/// kernel.
inline bool matmul_gpu(const array& a, const array& b, const array* c, float alpha, float beta,
                       array& out) {
  Backend* be = backend();
  if (!be) return false;
  const DeviceInfo& info = be->info();
  const Dtype t = out.dtype();
  const bool f16 = t == float16, bf16 = t == bfloat16;
  if (!(t == float32 || (f16 && info.float16) || (bf16 && info.int16))) return false;
  if (a.dtype() != t || b.dtype() != t || (c && c->dtype() != t)) return false;
  if (out.size() >= (size_t(1) << 32)) return false;

  auto batch_of = [](const Shape& s) { return s.size() <= 2 ? Shape{} : Shape(s.begin(), s.end() - 2); };
  const Shape batch = broadcast_shapes(batch_of(a.shape()), batch_of(b.shape()));
  detail::MatmulOperand A = detail::matmul_operand(a, true, batch);
  detail::MatmulOperand B = detail::matmul_operand(b, false, batch);
  detail::MatmulOperand C;
  if (c) C = detail::addend_operand(*c, out.shape(), a.ndim() > 1, b.ndim() > 1);
  const int64_t M = A.rows, N = B.cols, K = A.cols;
  constexpr int64_t limit = int64_t(1) << 32;
  for (const auto* m : {&A, &B, c ? &C : nullptr}) {
    if (!m) continue;
    const int64_t hi = detail::max_offset(*m, batch);
    if (hi < 0 || hi >= limit || m->rs >= limit || m->cs >= limit) return false;
  }
  const detail::MatmulOperand* ops[3] = {&A, &B, c ? &C : nullptr};
  detail::BatchPlan plan = detail::plan_batch(batch, ops);

  if (out.size() == 0) {
    out.set_data(allocator::malloc(out.nbytes()));
    return true;
  }

  // The layouts loads follow (spec constants): the contiguous dim of each operand, taken
  // as "k-major A / n-major B" when neither stride is 1 (any strides work, only slower).
  const bool a_row = A.cs == 1 || A.rs != 1;
  const bool b_row = B.cs == 1 || B.rs != 1;
  Pipeline* pipe = nullptr;
  uint32_t bm = 0, bn = 0;
  bool coopmat = false;
  if (f16 && info.cooperative_matrix_nv && info.subgroup_size == 32) {
    auto spec = detail::coopmat_spec(M, N, plan.count, a_row, b_row);
    if (spec[7] <= info.max_workgroup_size &&
        detail::coopmat_shared_bytes(spec) <= info.shared_memory_bytes) {
      pipe = be->pipeline(detail::spec_key("matmul_coopmat_f16", spec),
                          shaders::matmul_coopmat_f16_spv,
                          std::size(shaders::matmul_coopmat_f16_spv), spec);
      bm = spec[0] * spec[2] * 16;
      bn = spec[1] * spec[3] * 16;
      coopmat = true;
    }
  }
  if (!pipe) {
    const detail::Tiles tl = detail::choose_tiles(info, M, N, plan.count);
    const std::vector<uint32_t> spec{tl.bm, tl.bn, tl.bk, tl.tm, tl.tn, a_row, b_row,
                                     tl.threads()};
    const char* name = f16 ? "matmul_f16" : bf16 ? "matmul_bf16" : "matmul_f32";
    const uint32_t* words = f16    ? shaders::matmul_f16_spv
                            : bf16 ? shaders::matmul_bf16_spv
                                   : shaders::matmul_f32_spv;
    const size_t n = f16    ? std::size(shaders::matmul_f16_spv)
                     : bf16 ? std::size(shaders::matmul_bf16_spv)
                            : std::size(shaders::matmul_f32_spv);
    pipe = be->pipeline(detail::spec_key(name, spec), words, n, spec);
    bm = tl.bm;
    bn = tl.bn;
  }
  // Vulkan guarantees 65535 workgroups per dimension (the batch takes several dispatches).
  const int64_t gx = (N + bn - 1) / bn, gy = (M + bm - 1) / bm;
  if (gx > 65535 || gy > 65535) return false;

  detail::MatmulPush push{};
  // With K = 0 the operands are empty and never loaded: no upload of nothing.
  push.a = a.size() ? be->read(a) : 0;
  push.b = b.size() ? be->read(b) : 0;
  // beta = 0 ignores c, NaNs included (as the CPU and BLAS do).
  push.c = c && beta != 0.f ? be->read(*c) : 0;
  if (plan.table)
    push.table = be->constants(plan.offsets.data(), plan.offsets.size() * sizeof(uint32_t));
  push.o = be->write(out);
  push.M = static_cast<uint32_t>(M);
  push.N = static_cast<uint32_t>(N);
  push.K = static_cast<uint32_t>(K);
  push.a_rs = static_cast<uint32_t>(A.rs);
  push.a_cs = static_cast<uint32_t>(A.cs);
  push.b_rs = static_cast<uint32_t>(B.rs);
  push.b_cs = static_cast<uint32_t>(B.cs);
  push.c_rs = static_cast<uint32_t>(C.rs);
  push.c_cs = static_cast<uint32_t>(C.cs);
  push.a_bs = static_cast<uint32_t>(plan.stride[0]);
  push.b_bs = static_cast<uint32_t>(plan.stride[1]);
  push.c_bs = static_cast<uint32_t>(plan.stride[2]);
  push.alpha = alpha;
  push.beta = c ? beta : 0.f;
  uint32_t push_bytes = static_cast<uint32_t>(offsetof(detail::MatmulPush, flags));
  if (coopmat) {
    push.flags = (detail::vec8(A, a_row, a_row ? K : M, push.a, plan, 0) ? 1u : 0u) |
                 (detail::vec8(B, b_row, b_row ? N : K, push.b, plan, 1) ? 2u : 0u);
    push_bytes += sizeof(uint32_t);
  }

  for (int64_t b0 = 0; b0 < plan.count; b0 += 65535) {
    push.batch0 = static_cast<uint32_t>(b0);
    const uint32_t gz = static_cast<uint32_t>(std::min<int64_t>(65535, plan.count - b0));
    be->dispatch(pipe, &push, push_bytes, static_cast<uint32_t>(gx), static_cast<uint32_t>(gy), gz);
  }
  return true;
}

}  // namespace mlx::core::gpu
