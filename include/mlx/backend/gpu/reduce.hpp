// SPDX-License-Identifier: MIT
// Reductions on the GPU (sum, prod, max, min, all, any, argmax, argmin). The reduced
// expression (Reduce<E, R>::describe) becomes the kernel's load, so sum(a * b) reads a and
// b once with no temporary.
//
// The input is viewed as [kept dims] x [reduced dims] through strides (each group's
// adjacent dims merged where every input allows), i.e. M outputs by K reduced elements. One
// kernel shape serves every case: a workgroup of WG = CW * S threads handles CW outputs at
// once, S threads per output striding over K, then folds the S partial values (subgroup
// operations when CW = 1, shared memory otherwise):
//   - rows (reduced elements contiguous): CW = 1, S = WG, one workgroup per output;
//   - columns (kept elements contiguous): CW = 32 consecutive outputs per workgroup, so
//     each step over K reads 32 adjacent elements;
//   - small K: S shrinks towards 1 (a thread per output looping over K).
// Too few workgroups for the device (one huge sum) split K into G parts whose results go to
// scratch partials [M][G]; a second pass, after a barrier, reduces those rows.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "mlx/backend/cpu/reduce.hpp"
#include "mlx/backend/gpu/glsl.hpp"
#include "mlx/backend/gpu/interface.hpp"
#include "mlx/core/array.hpp"
#include "mlx/expr/describe.hpp"

namespace mlx::core::gpu {

namespace detail {

// Push constants: out, inputs, meta (8 B each), then M, K, G, chunk, nk, nr: 128 B hold 11
// inputs; one fewer keeps room.
inline constexpr int reduce_max_inputs = 10;

/// One kernel input over the [kept] x [reduced] view: element strides of each group's
/// dims (0 where broadcast); `scalar` inputs are read at element 0.
struct ReduceInput {
  Dtype dtype = float32;
  uint64_t addr = 0;
  bool scalar = false;
  int64_t size = 0;    // elements (the largest input decides rows vs columns)
  int64_t origin = 0;  // offset of the view's first element from its lowest one (>= 0)
  std::vector<int64_t> kst, rst;
};

struct ReduceView {
  std::vector<int64_t> kshape, rshape;  // row-major: output index / reduced index
  std::vector<ReduceInput> in;
  int64_t M = 1, K = 1;
};

/// Builds the view of `inputs` (broadcast to `shape`, right-aligned) reduced over sorted
/// `axes`. False when some offset would not fit the kernels' 32-bit indexing.
inline bool reduce_view(const Shape& shape, const std::vector<int>& axes,
                        const std::vector<array>& inputs, ReduceView& v) {
  const int nd = static_cast<int>(shape.size());
  std::vector<std::vector<int64_t>> st(inputs.size(), std::vector<int64_t>(static_cast<size_t>(nd), 0));
  for (size_t k = 0; k < inputs.size(); ++k) {
    const auto& a = inputs[k];
    const int off = nd - static_cast<int>(a.ndim());
    if (off < 0) return false;
    int64_t extent = 0;
    for (int d = 0; d < static_cast<int>(a.ndim()); ++d) {
      if (a.shape(d) == 1) continue;
      const int64_t s = a.strides()[static_cast<size_t>(d)];
      st[k][static_cast<size_t>(d + off)] = s;
      extent += (a.shape(d) - 1) * (s < 0 ? -s : s);
    }
    if (extent >= (int64_t(1) << 31)) return false;
  }
  v.in.assign(inputs.size(), ReduceInput{});
  for (size_t k = 0; k < inputs.size(); ++k) {
    v.in[k].dtype = inputs[k].dtype();
    v.in[k].scalar = inputs[k].size() == 1;
    v.in[k].size = static_cast<int64_t>(inputs[k].size());
    // Negative array indices are undefined in SPIR-V: kernels address a view with negative
    // strides from its lowest element, and start each offset at `origin`.
    for (int d = 0; d < static_cast<int>(inputs[k].ndim()); ++d)
      if (inputs[k].strides()[static_cast<size_t>(d)] < 0 && inputs[k].shape(d) > 1)
        v.in[k].origin -= (inputs[k].shape(d) - 1) * inputs[k].strides()[static_cast<size_t>(d)];
  }
  // Appends dim d to a group, merging it into the group's last dim when every input's
  // strides say the two are one run.
  auto add = [&](std::vector<int64_t>& gshape, bool reduced, int d) {
    const int64_t n = shape[static_cast<size_t>(d)];
    auto str = [&](size_t k) -> std::vector<int64_t>& { return reduced ? v.in[k].rst : v.in[k].kst; };
    bool merge = !gshape.empty();
    for (size_t k = 0; merge && k < inputs.size(); ++k)
      merge = str(k).back() == st[k][static_cast<size_t>(d)] * n;
    if (merge) {
      gshape.back() *= n;
      for (size_t k = 0; k < inputs.size(); ++k) str(k).back() = st[k][static_cast<size_t>(d)];
    } else {
      gshape.push_back(n);
      for (size_t k = 0; k < inputs.size(); ++k) str(k).push_back(st[k][static_cast<size_t>(d)]);
    }
  };
  v.M = v.K = 1;
  for (int d = 0; d < nd; ++d) {
    const bool red = std::binary_search(axes.begin(), axes.end(), d);
    (red ? v.K : v.M) *= shape[static_cast<size_t>(d)];
    if (shape[static_cast<size_t>(d)] == 1) continue;
    if (red) add(v.rshape, true, d); else add(v.kshape, false, d);
  }
  if (v.K == 0) v.rshape.clear();  // nothing is read: identities only
  return v.M < (int64_t(1) << 31) && v.K < (int64_t(1) << 31);
}

inline uint32_t pow2_ceil(uint64_t x) {
  uint32_t p = 1;
  while (p < x && p < (1u << 30)) p <<= 1;
  return p;
}

/// The dtype partial results are kept in between the two passes of a split reduction.
inline Dtype partial_dtype(const glsl::ComputeType& c) {
  if (c.is_double) return float64;
  if (c.kind == glsl::Kind::floating) return float32;
  const std::string t = c.type;
  if (t == "int64_t") return int64;
  if (t == "uint64_t") return uint64;
  return t == "uint" ? uint32 : int32;
}

/// The reduction's identity in the compute type (also what an empty reduction gives).
inline std::string reduce_identity(cpu::ReduceType r, const glsl::ComputeType& c) {
  using R = cpu::ReduceType;
  const std::string T = c.type;
  if (r == R::Sum || r == R::Or) return T + "(0)";
  if (r == R::Prod || r == R::And) return T + "(1)";
  const bool mx = r == R::Max;
  if (c.kind == glsl::Kind::floating) return glsl::constant(mx ? -INFINITY : INFINITY, c);
  if (c.kind == glsl::Kind::boolean) return mx ? "int(0)" : "int(1)";
  if (T == "int") return mx ? "int(0x80000000u)" : "int(0x7FFFFFFF)";
  if (T == "uint") return mx ? "uint(0)" : "uint(0xFFFFFFFFu)";
  if (T == "int64_t") return mx ? "int64_t(0x8000000000000000ul)" : "int64_t(0x7FFFFFFFFFFFFFFFul)";
  return mx ? "uint64_t(0ul)" : "uint64_t(0xFFFFFFFFFFFFFFFFul)";
}

/// `comb(a, b)`: folds two values (NaN wins for max/min, as on the CPU; all/any keep 0/1).
inline std::string reduce_combine(cpu::ReduceType r, const glsl::ComputeType& c) {
  using R = cpu::ReduceType;
  const std::string T = c.type;
  std::string e;
  const bool fl = c.kind == glsl::Kind::floating;
  switch (r) {
    case R::Sum: e = "a + b"; break;
    case R::Prod: e = "a * b"; break;
    case R::Max: e = fl ? "(isnan(a) || a > b) ? a : b" : "max(a, b)"; break;
    case R::Min: e = fl ? "(isnan(a) || a < b) ? a : b" : "min(a, b)"; break;
    case R::And: e = "(a != " + T + "(0) && b != " + T + "(0)) ? " + T + "(1) : " + T + "(0)"; break;
    case R::Or: e = "(a != " + T + "(0) || b != " + T + "(0)) ? " + T + "(1) : " + T + "(0)"; break;
  }
  return T + " comb(" + T + " a, " + T + " b) { return " + e + "; }\n";
}

/// What one kernel computes: the view's layout class, the operation and where results go.
struct ReduceKernel {
  cpu::ReduceType op = cpu::ReduceType::Sum;
  bool arg = false, arg_max = true;  // argmax/argmin: (value, index) pairs, uint32 out
  bool partial = false;              // write [M][G] partials of the compute type
  uint32_t wg = 256, cw = 1, s = 256;
  bool subgroup = false;             // fold with subgroup operations (cw == 1)
  bool nr1 = true;                   // at most one reduced dim: offsets are b + r * stride
  bool vec4 = false;                 // float32 inputs read four reduced elements per load
  Dtype out = float32;
};

inline std::string reduce_key(const core::detail::ProgramDesc& p, const ReduceView& v,
                              const ReduceKernel& k) {
  std::string key = "red:";
  for (auto& ins : p.code) {
    key += std::to_string(ins.op);
    if (ins.op == core::detail::ProgramInstr::constant) key += '=' + std::to_string(ins.value);
    for (int a : ins.args)
      if (a >= 0) key += ',' + std::to_string(a);
    key += ';';
  }
  key += "|c" + std::to_string(static_cast<int>(p.compute.val));
  for (auto& in : v.in) key += (in.scalar ? 's' : 'g') + std::to_string(static_cast<int>(in.dtype.val));
  key += "|op" + std::to_string(static_cast<int>(k.op)) + (k.arg ? (k.arg_max ? "amax" : "amin") : "") +
         (k.partial ? "P" : "F") + std::to_string(k.wg) + "x" + std::to_string(k.cw) + "x" +
         std::to_string(k.s) + (k.subgroup ? "sg" : "") + (k.nr1 ? "r1" : "rn") + (k.vec4 ? "v4" : "") + "o" +
         std::to_string(static_cast<int>(k.out.val));
  return key;
}

/// GLSL for kernel k over program p (see the file comment). Meta (int32): kept shape[nk],
/// reduced shape[nr], then per input kept strides[nk] and reduced strides[nr], then every
/// input's origin.
inline bool reduce_glsl(const core::detail::ProgramDesc& p, const ReduceView& v,
                        const ReduceKernel& k, std::string& src) {
  glsl::ComputeType c;
  if (!glsl::compute_type(p.compute, c)) return false;
  const std::string T = c.type;
  const size_t n = v.in.size();
  std::vector<Dtype> dt;
  for (auto& in : v.in) dt.push_back(in.dtype);
  std::string body;
  auto input = [&](int i) {
    const std::string s = std::to_string(i);
    return v.in[static_cast<size_t>(i)].scalar ? "p.i" + s + ".v[0]" : "p.i" + s + ".v[o" + s + "]";
  };
  if (!glsl::program_body(p, c, dt, input, body)) return false;
  const std::string mstride = "(p.nk + p.nr)";
  auto moff = [&](size_t i) { return mstride + " * " + std::to_string(i + 1) + "u"; };

  src = glsl::preamble(static_cast<int>(k.wg));
  if (k.subgroup)
    src += "#extension GL_KHR_shader_subgroup_basic : require\n"
           "#extension GL_KHR_shader_subgroup_arithmetic : require\n";
  const Dtype store = k.arg ? uint32 : k.partial ? partial_dtype(c) : k.out;
  src += glsl::buffer_type("Out", store, false);
  for (size_t i = 0; i < n; ++i) {
    if (k.vec4 && !v.in[i].scalar)
      src += "layout(buffer_reference, std430, buffer_reference_align = 16) readonly buffer In" +
             std::to_string(i) + " { vec4 v[]; };\n";
    else
      src += glsl::buffer_type("In" + std::to_string(i), dt[i], true);
  }
  src += "layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Meta { int v[]; };\n"
         "layout(push_constant) uniform Push {\n  Out o;\n";
  for (size_t i = 0; i < n; ++i) src += "  In" + std::to_string(i) + " i" + std::to_string(i) + ";\n";
  src += "  Meta meta;\n  uint M, K, G, chunk, nk, nr;\n} p;\n";
  src += glsl::helpers(c);
  src += "const uint CW = " + std::to_string(k.cw) + "u, S = " + std::to_string(k.s) +
         "u, WG = " + std::to_string(k.wg) + "u;\n";
  if (k.arg) {
    src += "shared " + T + " shv[WG];\nshared uint shi[WG];\n";
    // Ties and NaNs go to the smaller index, so the order of folding does not matter.
    std::string take = k.arg_max ? "bv > av" : "bv < av";
    src += "void acomb(inout " + T + " av, inout uint ai, " + T + " bv, uint bi) {\n"
           "  if (bi == 0xFFFFFFFFu) return;\n"
           "  bool take = ai == 0xFFFFFFFFu;\n"
           "  if (!take) {\n";
    if (c.kind == glsl::Kind::floating)
      src += "    bool an = isnan(av), bn = isnan(bv);\n"
             "    if (an || bn) take = bn && (!an || bi < ai);\n"
             "    else take = " + take + " || (bv == av && bi < ai);\n";
    else
      src += "    take = " + take + " || (bv == av && bi < ai);\n";
    src += "  }\n  if (take) { av = bv; ai = bi; }\n}\n";
  } else {
    src += "shared " + T + " sh[WG];\n" + reduce_combine(k.op, c);
  }
  for (size_t i = 0; i < n; ++i)
    if (!v.in[i].scalar) src += "int rs" + std::to_string(i) + ";\n";

  if (k.vec4) {
    // elem(r4, bases): the program at reduced indices 4 r4 .. 4 r4 + 3, one block per lane.
    src += "vec4 elem(uint r4";
    for (size_t i = 0; i < n; ++i) src += ", int b" + std::to_string(i);
    src += ") {\n";
    for (size_t i = 0; i < n; ++i)
      if (!v.in[i].scalar)
        src += "  vec4 q" + std::to_string(i) + " = p.i" + std::to_string(i) + ".v[(b" + std::to_string(i) +
               " >> 2) + int(r4)];\n";
    src += "  vec4 res;\n";
    const char* lanes = "xyzw";
    for (int l = 0; l < 4; ++l) {
      std::string lane_body;
      auto lane_input = [&](int i) {
        const std::string si = std::to_string(i);
        return v.in[static_cast<size_t>(i)].scalar ? "p.i" + si + ".v[0]" : "q" + si + "." + lanes[l];
      };
      if (!glsl::program_body(p, c, dt, lane_input, lane_body)) return false;
      src += "  {\n" + lane_body + "    res." + lanes[l] + " = v" + std::to_string(p.result()) + ";\n  }\n";
    }
    src += "  return res;\n}\n";
  } else {
    // elem(r, bases): the program at reduced index r of the output whose offsets are b<i>.
    src += T + " elem(uint r";
    for (size_t i = 0; i < n; ++i) src += ", int b" + std::to_string(i);
    src += ") {\n";
    if (k.nr1) {
      for (size_t i = 0; i < n; ++i)
        if (!v.in[i].scalar)
          src += "  int o" + std::to_string(i) + " = b" + std::to_string(i) + " + int(r) * rs" +
                 std::to_string(i) + ";\n";
    } else {
      for (size_t i = 0; i < n; ++i)
        if (!v.in[i].scalar) src += "  int o" + std::to_string(i) + " = b" + std::to_string(i) + ";\n";
      src += "  uint rem = r;\n"
             "  for (int d = int(p.nr) - 1; d >= 0; --d) {\n"
             "    uint s = uint(p.meta.v[p.nk + uint(d)]);\n"
             "    int c = int(rem % s);\n"
             "    rem /= s;\n";
      for (size_t i = 0; i < n; ++i)
        if (!v.in[i].scalar)
          src += "    o" + std::to_string(i) + " += c * p.meta.v[" + moff(i) + " + p.nk + uint(d)];\n";
      src += "  }\n";
    }
    src += body;
    src += "  return v" + std::to_string(p.result()) + ";\n}\n";
  }
  std::string bases;
  for (size_t i = 0; i < n; ++i) bases += ", b" + std::to_string(i);
  const std::string id = k.arg ? glsl::constant(0, c) : reduce_identity(k.op, c);
  src += "void main() {\n"
         "  uint t = gl_LocalInvocationID.x;\n"
         "  uint col = t % CW, slice = t / CW;\n"
         "  uint part = gl_WorkGroupID.y;\n"
         "  uint r_begin = part * p.chunk, r_end = min(p.K, r_begin + p.chunk);\n";
  if (k.nr1)
    for (size_t i = 0; i < n; ++i)
      if (!v.in[i].scalar)
        src += "  rs" + std::to_string(i) + " = p.nr == 0u ? 0 : p.meta.v[" + moff(i) + " + p.nk];\n";
  src += "  uint ntiles = (p.M + CW - 1u) / CW;\n"
         "  for (uint tile = gl_WorkGroupID.x; tile < ntiles; tile += gl_NumWorkGroups.x) {\n"
         "    uint o = tile * CW + col;\n";
  if (k.arg)
    src += "    " + T + " a0 = " + id + ", a1 = a0, a2 = a0, a3 = a0;\n"
           "    uint i0 = 0xFFFFFFFFu, i1 = i0, i2 = i0, i3 = i0;\n";
  else
    src += "    " + T + " a0 = " + id + ", a1 = a0, a2 = a0, a3 = a0;\n";
  src += "    if (o < p.M) {\n";
  for (size_t i = 0; i < n; ++i)
    src += "      int b" + std::to_string(i) + " = p.meta.v[" + mstride + " * " + std::to_string(n + 1) +
           "u + " + std::to_string(i) + "u];\n";
  src += "      uint rem = o;\n"
         "      for (int d = int(p.nk) - 1; d >= 0; --d) {\n"
         "        uint s = uint(p.meta.v[d]);\n"
         "        int c = int(rem % s);\n"
         "        rem /= s;\n";
  for (size_t i = 0; i < n; ++i)
    if (!v.in[i].scalar)
      src += "        b" + std::to_string(i) + " += c * p.meta.v[" + moff(i) + " + uint(d)];\n";
  src += "      }\n"
         "      uint r = r_begin + slice;\n";
  // Four independent accumulators keep four loads in flight per thread.
  if (k.arg)
    src += "      for (; r + 3u * S < r_end; r += 4u * S) {\n"
           "        acomb(a0, i0, elem(r" + bases + "), r);\n"
           "        acomb(a1, i1, elem(r + S" + bases + "), r + S);\n"
           "        acomb(a2, i2, elem(r + 2u * S" + bases + "), r + 2u * S);\n"
           "        acomb(a3, i3, elem(r + 3u * S" + bases + "), r + 3u * S);\n"
           "      }\n"
           "      for (; r < r_end; r += S) acomb(a0, i0, elem(r" + bases + "), r);\n"
           "    }\n"
           "    acomb(a0, i0, a1, i1);\n    acomb(a2, i2, a3, i3);\n    acomb(a0, i0, a2, i2);\n";
  else if (k.vec4)
    src += "      uint r4_end = r_end / 4u;\n"
           "      r = r_begin / 4u + slice;\n"
           "      for (; r + 3u * S < r4_end; r += 4u * S) {\n"
           "        vec4 e0 = elem(r" + bases + "), e1 = elem(r + S" + bases + ");\n"
           "        vec4 e2 = elem(r + 2u * S" + bases + "), e3 = elem(r + 3u * S" + bases + ");\n"
           "        a0 = comb(a0, comb(comb(e0.x, e0.y), comb(e0.z, e0.w)));\n"
           "        a1 = comb(a1, comb(comb(e1.x, e1.y), comb(e1.z, e1.w)));\n"
           "        a2 = comb(a2, comb(comb(e2.x, e2.y), comb(e2.z, e2.w)));\n"
           "        a3 = comb(a3, comb(comb(e3.x, e3.y), comb(e3.z, e3.w)));\n"
           "      }\n"
           "      for (; r < r4_end; r += S) {\n"
           "        vec4 e0 = elem(r" + bases + ");\n"
           "        a0 = comb(a0, comb(comb(e0.x, e0.y), comb(e0.z, e0.w)));\n"
           "      }\n"
           "    }\n"
           "    a0 = comb(comb(a0, a1), comb(a2, a3));\n";
  else
    src += "      for (; r + 3u * S < r_end; r += 4u * S) {\n"
           "        a0 = comb(a0, elem(r" + bases + "));\n"
           "        a1 = comb(a1, elem(r + S" + bases + "));\n"
           "        a2 = comb(a2, elem(r + 2u * S" + bases + "));\n"
           "        a3 = comb(a3, elem(r + 3u * S" + bases + "));\n"
           "      }\n"
           "      for (; r < r_end; r += S) a0 = comb(a0, elem(r" + bases + "));\n"
           "    }\n"
           "    a0 = comb(comb(a0, a1), comb(a2, a3));\n";
  if (k.s > 1) {
    if (k.subgroup) {
      using R = cpu::ReduceType;
      const char* op = k.op == R::Sum ? "subgroupAdd" : k.op == R::Prod ? "subgroupMul"
                       : (k.op == R::Max || k.op == R::Or) ? "subgroupMax" : "subgroupMin";
      if (c.kind == glsl::Kind::floating && (k.op == R::Max || k.op == R::Min))
        // Subgroup max/min may drop NaNs: carry "saw a NaN" alongside.
        src += "    " + T + " nan_seen = subgroupMax(isnan(a0) ? " + T + "(1) : " + T + "(0));\n"
               "    a0 = " + op + "(a0);\n"
               "    if (nan_seen > " + T + "(0)) a0 = uintBitsToFloat(0x7FC00000u);\n";
      else
        src += "    a0 = " + std::string(op) + "(a0);\n";
      src += "    if (subgroupElect()) sh[gl_SubgroupID] = a0;\n"
             "    barrier();\n"
             "    if (t == 0u) for (uint i = 1u; i < gl_NumSubgroups; ++i) a0 = comb(a0, sh[i]);\n"
             "    barrier();\n";
    } else if (k.arg) {
      src += "    shv[t] = a0; shi[t] = i0;\n    barrier();\n"
             "    for (uint h = S / 2u; h > 0u; h >>= 1) {\n"
             "      if (slice < h) {\n"
             "        " + T + " v = shv[t]; uint vi = shi[t];\n"
             "        acomb(v, vi, shv[t + h * CW], shi[t + h * CW]);\n"
             "        shv[t] = v; shi[t] = vi;\n"
             "      }\n"
             "      barrier();\n"
             "    }\n"
             "    a0 = shv[t]; i0 = shi[t];\n";
    } else {
      src += "    sh[t] = a0;\n    barrier();\n"
             "    for (uint h = S / 2u; h > 0u; h >>= 1) {\n"
             "      if (slice < h) sh[t] = comb(sh[t], sh[t + h * CW]);\n"
             "      barrier();\n"
             "    }\n"
             "    a0 = sh[t];\n";
    }
  }
  src += "    if (slice == 0u && o < p.M) ";
  if (k.arg) {
    src += "p.o.v[o] = i0;\n";
  } else if (k.partial) {
    src += "p.o.v[o * p.G + part] = " + glsl::store_as("a0", c, partial_dtype(c)) + ";\n";
  } else {
    std::string val = "a0";
    if (c.wrap) {  // sums of narrow integers wrap once, at the end (modular arithmetic)
      char buf[256];
      std::snprintf(buf, sizeof buf, c.wrap, "a0");
      val = buf;
    }
    src += "p.o.v[o] = " + glsl::store_as(val, c, k.out) + ";\n";
  }
  src += "  }\n}\n";
  return true;
}

/// The pipeline of kernel k over view v (generated and compiled once per key); nullptr when
/// the program has no GPU spelling.
inline Pipeline* reduce_pipeline(Backend* b, const core::detail::ProgramDesc& p,
                                 const ReduceView& v, const ReduceKernel& k) {
  const std::string key = reduce_key(p, v, k);
  static thread_local std::unordered_map<std::string, Pipeline*> cache;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::string src;
  if (!reduce_glsl(p, v, k, src)) return nullptr;
  Pipeline* pipe = b->pipeline_glsl(key, src);
  if (pipe) cache.emplace(key, pipe);
  return pipe;
}

/// Records one reduction kernel over view v (inputs' addresses filled in).
inline void dispatch_reduce(Backend* b, Pipeline* pipe, const ReduceView& v, const ReduceKernel& k,
                            uint64_t out_addr, uint32_t G, uint32_t chunk) {
  std::vector<int32_t> meta;
  for (auto s : v.kshape) meta.push_back(static_cast<int32_t>(s));
  for (auto s : v.rshape) meta.push_back(static_cast<int32_t>(s));
  for (auto& in : v.in) {
    for (size_t d = 0; d < v.kshape.size(); ++d) meta.push_back(static_cast<int32_t>(in.kst[d]));
    for (size_t d = 0; d < v.rshape.size(); ++d) meta.push_back(static_cast<int32_t>(in.rst[d]));
  }
  for (auto& in : v.in) meta.push_back(static_cast<int32_t>(in.origin));
  if (meta.empty()) meta.push_back(0);
  const uint64_t meta_addr = b->constants(meta.data(), meta.size() * sizeof(int32_t));
  unsigned char push[push_constant_bytes] = {};
  size_t at = 0;
  auto put = [&](const void* x, size_t bytes) {
    // plan_reduce keeps the inputs few enough to fit (max_reduce_inputs); checked anyway.
    if (at + bytes > sizeof push) throw std::logic_error("[gpu::reduce] push constants overflow");
    std::memcpy(push + at, x, bytes);
    at += bytes;
  };
  put(&out_addr, 8);
  for (auto& in : v.in) {
    const uint64_t lowest = in.addr - static_cast<uint64_t>(in.origin) * size_of(in.dtype);
    put(&lowest, 8);
  }
  put(&meta_addr, 8);
  const uint32_t tail[6] = {static_cast<uint32_t>(v.M), static_cast<uint32_t>(v.K), G, chunk,
                            static_cast<uint32_t>(v.kshape.size()),
                            static_cast<uint32_t>(v.rshape.size())};
  put(tail, sizeof tail);
  const uint64_t tiles = (static_cast<uint64_t>(v.M) + k.cw - 1) / k.cw;
  b->dispatch(pipe, push, static_cast<uint32_t>(at),
              static_cast<uint32_t>(std::clamp<uint64_t>(tiles, 1, 65535)), G);
}

/// Picks the kernel shape for view v (file comment) and the split G (1: no split).
inline void plan_reduce(const DeviceInfo& info, const ReduceView& v, ReduceKernel& k,
                        uint32_t& G, uint32_t& chunk) {
  k.wg = 1;
  while (k.wg * 2 <= std::min<uint32_t>(256, info.max_workgroup_size)) k.wg *= 2;
  // The largest strided input decides whether kept or reduced elements are adjacent.
  const ReduceInput* primary = nullptr;
  for (auto& in : v.in)
    if (!in.scalar && (!primary || in.size > primary->size)) primary = &in;
  const bool column = primary && !v.kshape.empty() && !primary->kst.empty() && primary->kst.back() == 1 &&
                      (v.rshape.empty() || primary->rst.back() != 1);
  const uint32_t cw_min = column ? std::min<uint32_t>(32, pow2_ceil(static_cast<uint64_t>(v.M))) : 1;
  // About 8 elements per thread at least.
  k.s = std::min<uint32_t>(k.wg / cw_min, pow2_ceil((static_cast<uint64_t>(v.K) + 7) / 8));
  if (v.K == 0) k.s = 1;
  k.cw = k.wg / k.s;
  k.nr1 = v.rshape.size() <= 1;
  k.subgroup = false;
  G = 1;
  chunk = static_cast<uint32_t>(std::max<int64_t>(v.K, 1));
  if (k.arg) return;
  // Split K when the outputs alone give too few workgroups (software devices want few).
  const uint64_t tiles = std::max<uint64_t>(1, (static_cast<uint64_t>(v.M) + k.cw - 1) / k.cw);
  const uint64_t target = info.is_cpu ? 32 : 1024;
  const uint64_t min_chunk = uint64_t(k.s) * 64;
  const uint64_t g = std::min<uint64_t>({(static_cast<uint64_t>(v.K) + min_chunk - 1) / min_chunk,
                                         (target + tiles - 1) / tiles, 1024});
  if (g >= 2) {
    const uint64_t step = uint64_t(k.s) * 4;
    uint64_t c = (static_cast<uint64_t>(v.K) + g - 1) / g;
    c = (c + step - 1) / step * step;
    chunk = static_cast<uint32_t>(c);
    G = static_cast<uint32_t>((static_cast<uint64_t>(v.K) + c - 1) / c);
  }
}

/// Whether every strided input can be read as aligned vec4 runs along K (float32 programs
/// reading float32 inputs with unit reduced stride; addresses are checked after upload).
inline bool vec4_ok(const core::detail::ProgramDesc& p, const ReduceView& v, const ReduceKernel& k) {
  if (k.arg || p.compute != float32 || v.rshape.size() != 1 || v.K % 4 != 0) return false;
  bool any = false;
  for (auto& in : v.in) {
    if (in.scalar) continue;
    if (in.dtype != float32 || in.rst[0] != 1) return false;
    for (auto st : in.kst)
      if (st % 4 != 0) return false;
    any = true;
  }
  return any;
}

inline bool subgroup_ok(const DeviceInfo& info, const glsl::ComputeType& c, const ReduceKernel& k) {
  // 64-bit subgroup arithmetic needs extensions we do not ask for; shared memory folds those.
  const std::string t = c.type;
  return info.subgroup_arithmetic && !k.arg && k.cw == 1 && k.s > 1 && !c.is_double &&
         t != "int64_t" && t != "uint64_t";
}

inline bool supported(const DeviceInfo& info, const core::detail::ProgramDesc& p,
                      const std::vector<array>& inputs, Dtype out) {
  if (inputs.size() > static_cast<size_t>(reduce_max_inputs)) return false;
  if (!glsl::device_supports(info, p.compute) || !glsl::device_supports(info, out)) return false;
  for (auto& a : inputs)
    if (!glsl::device_supports(info, a.dtype())) return false;
  glsl::ComputeType c;
  return glsl::compute_type(p.compute, c);
}

}  // namespace detail

/// Reduces program p (inputs `inputs`, shape p.shape) over sorted `axes` with operation r
/// into out. False when this device or the generator cannot (the caller runs the CPU).
inline bool run_reduce(const core::detail::ProgramDesc& p, const std::vector<int>& axes,
                       cpu::ReduceType r, const std::vector<array>& inputs, array& out) {
  Backend* b = backend();
  if (!b) return false;
  const auto& info = b->info();
  if (!detail::supported(info, p, inputs, out.dtype())) return false;
  detail::ReduceView v;
  if (!detail::reduce_view(p.shape, axes, inputs, v)) return false;
  glsl::ComputeType c;
  glsl::compute_type(p.compute, c);
  detail::ReduceKernel k;
  k.op = r;
  k.out = out.dtype();
  uint32_t G = 1, chunk = 1;
  detail::plan_reduce(info, v, k, G, chunk);
  k.subgroup = detail::subgroup_ok(info, c, k);
  const Dtype pd = detail::partial_dtype(c);
  if (G > 1 && !glsl::device_supports(info, pd)) G = 1, chunk = static_cast<uint32_t>(v.K);
  // The second pass of a split: the partial rows [M][G] reduced as a plain input.
  core::detail::ProgramDesc p2;
  detail::ReduceView v2;
  detail::ReduceKernel k2;
  Pipeline* pipe2 = nullptr;
  if (G > 1) {
    k.partial = true;
    p2.code.resize(1);
    p2.code[0].op = core::detail::ProgramInstr::input;
    p2.code[0].args[0] = 0;
    p2.num_inputs = 1;
    p2.compute = p.compute;
    v2.M = v.M;
    v2.K = G;
    v2.kshape = {v.M};
    v2.rshape = {static_cast<int64_t>(G)};
    detail::ReduceInput in;
    in.dtype = pd;
    in.kst = {static_cast<int64_t>(G)};
    in.rst = {1};
    v2.in = {in};
    k2.op = r;
    k2.out = out.dtype();
    uint32_t G2 = 1, chunk2 = 1;
    detail::plan_reduce(info, v2, k2, G2, chunk2);
    k2.subgroup = detail::subgroup_ok(info, c, k2);
    pipe2 = detail::reduce_pipeline(b, p2, v2, k2);
    if (!pipe2) return false;
  }
  // Pipelines first, so that a program without a GPU spelling falls back before any upload.
  k.vec4 = v.M > 0 && v.K > 0 && detail::vec4_ok(p, v, k);
  Pipeline* pipe = detail::reduce_pipeline(b, p, v, k);
  if (!pipe) return false;
  if (v.M == 0 || v.K == 0) {
    const uint64_t out_addr = b->write(out);
    if (v.M > 0) detail::dispatch_reduce(b, pipe, v, k, out_addr, 1, 1);  // identities
    return true;
  }
  bool aligned = true;
  for (size_t i = 0; i < inputs.size(); ++i) {
    v.in[i].addr = b->read(inputs[i]);
    const uint64_t lowest = v.in[i].addr - static_cast<uint64_t>(v.in[i].origin) * size_of(v.in[i].dtype);
    aligned = aligned && (v.in[i].scalar || (lowest % 16 == 0 && v.in[i].origin % 4 == 0));
  }
  if (k.vec4 && !aligned) {  // a view starting mid-vector: the scalar form of the same kernel
    k.vec4 = false;
    pipe = detail::reduce_pipeline(b, p, v, k);
    if (!pipe) throw std::runtime_error("[reduce] The GPU could not compile its kernel.");
  }
  if (G == 1) {
    detail::dispatch_reduce(b, pipe, v, k, b->write(out), 1, chunk);
    return true;
  }
  const uint64_t scratch = b->scratch(static_cast<size_t>(v.M) * G * size_of(pd));
  detail::dispatch_reduce(b, pipe, v, k, scratch, G, chunk);
  b->barrier();
  v2.in[0].addr = scratch;
  // out is given to the second pass only now: write() marks it written by the next
  // dispatch, and the barrier above clears those marks (given before the first pass, the
  // mark was cleared and a later reader of out did not wait: var read 0 on an H200).
  detail::dispatch_reduce(b, pipe2, v2, k2, b->write(out), 1, G);
  return true;
}

/// argmax/argmin of program p along `axis` (-1: the flattened array) into uint32 `out`.
inline bool run_arg_reduce(const core::detail::ProgramDesc& p, int axis, bool is_max,
                           const std::vector<array>& inputs, array& out) {
  Backend* b = backend();
  if (!b) return false;
  const auto& info = b->info();
  if (!detail::supported(info, p, inputs, out.dtype())) return false;
  std::vector<int> axes;
  if (axis >= 0) axes = {axis};
  else
    for (int d = 0; d < static_cast<int>(p.shape.size()); ++d) axes.push_back(d);
  detail::ReduceView v;
  if (!detail::reduce_view(p.shape, axes, inputs, v)) return false;
  detail::ReduceKernel k;
  k.arg = true;
  k.arg_max = is_max;
  k.out = uint32;
  uint32_t G = 1, chunk = 1;
  detail::plan_reduce(info, v, k, G, chunk);
  Pipeline* pipe = detail::reduce_pipeline(b, p, v, k);
  if (!pipe) return false;
  if (v.M == 0 || v.K == 0) {
    b->write(out);
    return true;
  }
  for (size_t i = 0; i < inputs.size(); ++i) v.in[i].addr = b->read(inputs[i]);
  const uint64_t out_addr = b->write(out);
  detail::dispatch_reduce(b, pipe, v, k, out_addr, 1, chunk);
  return true;
}

}  // namespace mlx::core::gpu
