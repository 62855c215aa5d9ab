// SPDX-License-Identifier: MIT
// Softmax over the last axis on the GPU: one workgroup per row, computed in float (float16
// and bfloat16 rows too, as the CPU's precise mode does). A row of up to WG * 32 elements is
// held in registers: one read, one write. Longer rows take two reads: an online pass for the
// maximum and the sum of exp(x - max) (the sum rescaled whenever the maximum grows), then a
// pass writing exp(x - max) / sum. Contiguous float32 rows whose length is a multiple of 4
// are read and written as vec4.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "mlx/backend/gpu/glsl.hpp"
#include "mlx/backend/gpu/interface.hpp"
#include "mlx/core/array.hpp"

namespace mlx::core::gpu {

namespace detail {

struct SoftmaxKernel {
  Dtype dtype = float32;
  uint32_t wg = 256;
  uint32_t vec = 1;   // elements per load (1 or 4)
  uint32_t per = 0;   // loads per thread held in registers; 0: the two-pass form
  bool contiguous = true;
  bool subgroup = false;
  std::string key() const {
    return "softmax:" + std::to_string(static_cast<int>(dtype.val)) + "w" + std::to_string(wg) + "v" +
           std::to_string(vec) + "p" + std::to_string(per) + (contiguous ? "c" : "g") + (subgroup ? "s" : "");
  }
};

/// GLSL of kernel k. Push: x, y, meta (leading dims' shape, their strides, the origin),
/// rows, n, nk (number of leading dims), ls (the last axis' stride).
inline std::string softmax_glsl(const SoftmaxKernel& k) {
  glsl::ComputeType c{"float", glsl::Kind::floating, nullptr};
  const bool v4 = k.vec == 4;
  std::string s = glsl::preamble(static_cast<int>(k.wg));
  if (k.subgroup)
    s += "#extension GL_KHR_shader_subgroup_basic : require\n"
         "#extension GL_KHR_shader_subgroup_arithmetic : require\n";
  if (v4) {
    s += "layout(buffer_reference, std430, buffer_reference_align = 16) readonly buffer In { vec4 v[]; };\n"
         "layout(buffer_reference, std430, buffer_reference_align = 16) buffer Out { vec4 v[]; };\n";
  } else {
    s += glsl::buffer_type("In", k.dtype, true);
    s += glsl::buffer_type("Out", k.dtype, false);
  }
  s += "layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Meta { int v[]; };\n"
       "layout(push_constant) uniform Push { In x; Out y; Meta meta; uint rows, n, nk; int ls; } p;\n";
  s += glsl::helpers(c);
  s += "const uint WG = " + std::to_string(k.wg) + "u;\n"
       "shared float red[WG];\n";
  // Workgroup max and sum: subgroup operations then one slot per subgroup, or a tree.
  for (int sum = 0; sum < 2; ++sum) {
    const std::string op = sum ? "a + b" : "max(a, b)";
    s += std::string("float wg_") + (sum ? "sum" : "max") + "(float v) {\n";
    if (k.subgroup) {
      s += std::string("  v = ") + (sum ? "subgroupAdd" : "subgroupMax") + "(v);\n"
           "  if (subgroupElect()) red[gl_SubgroupID] = v;\n"
           "  barrier();\n"
           "  float r = red[0];\n"
           "  for (uint i = 1u; i < gl_NumSubgroups; ++i) { float a = r, b = red[i]; r = " + op + "; }\n"
           "  barrier();\n"
           "  return r;\n}\n";
    } else {
      s += "  uint t = gl_LocalInvocationID.x;\n"
           "  red[t] = v;\n  barrier();\n"
           "  for (uint h = WG / 2u; h > 0u; h >>= 1) {\n"
           "    if (t < h) { float a = red[t], b = red[t + h]; red[t] = " + op + "; }\n"
           "    barrier();\n"
           "  }\n"
           "  float r = red[0];\n  barrier();\n  return r;\n}\n";
    }
  }
  const std::string T = v4 ? "vec4" : "float";
  auto load = [&](const std::string& i) {
    if (v4) return "p.x.v[xb + " + i + "]";
    const std::string idx = k.contiguous ? "xb + " + i : "xb + int(" + i + ") * p.ls";
    return glsl::load_as("p.x.v[" + idx + "]", k.dtype, c);
  };
  auto store = [&](const std::string& i, const std::string& v) {
    if (v4) return "p.y.v[yb + " + i + "] = " + v + ";\n";
    return "p.y.v[yb + " + i + "] = " + glsl::store_as(v, c, k.dtype) + ";\n";
  };
  auto hmax = [&](const std::string& q) {
    return v4 ? "max(max(" + q + ".x, " + q + ".y), max(" + q + ".z, " + q + ".w))" : q;
  };
  auto hsum = [&](const std::string& q) {
    return v4 ? "(" + q + ".x + " + q + ".y) + (" + q + ".z + " + q + ".w)" : q;
  };
  const std::string ninf = "uintBitsToFloat(0xFF800000u)";
  s += "void main() {\n"
       "  uint t = gl_LocalInvocationID.x;\n"
       "  uint n = p.n / " + std::to_string(k.vec) + "u;  // loads per row\n"
       "  for (uint row = gl_WorkGroupID.x; row < p.rows; row += gl_NumWorkGroups.x) {\n";
  if (k.contiguous) {
    s += "    uint xb = row * n;\n";
  } else {
    s += "    int xb = p.meta.v[2u * p.nk];  // the origin (see run_softmax)\n"
         "    uint rem = row;\n"
         "    for (int d = int(p.nk) - 1; d >= 0; --d) {\n"
         "      uint sz = uint(p.meta.v[d]);\n"
         "      xb += int(rem % sz) * p.meta.v[p.nk + uint(d)];\n"
         "      rem /= sz;\n"
         "    }\n";
  }
  s += "    uint yb = row * n;\n";
  if (k.per > 0) {
    const std::string P = std::to_string(k.per);
    s += "    " + T + " e[" + P + "];\n"
         "    float m = " + ninf + ";\n"
         "    for (uint j = 0u; j < " + P + "u; ++j) {\n"
         "      uint i = t + j * WG;\n"
         "      e[j] = i < n ? " + load("i") + " : " + T + "(" + ninf + ");\n"
         "      m = max(m, " + hmax("e[j]") + ");\n"
         "    }\n"
         "    m = wg_max(m);\n"
         "    float sum = 0.0;\n"
         "    for (uint j = 0u; j < " + P + "u; ++j) {\n"
         "      if (t + j * WG < n) {\n"
         "        e[j] = exp(e[j] - m);\n"
         "        sum += " + hsum("e[j]") + ";\n"
         "      }\n"
         "    }\n"
         "    float inv = 1.0 / wg_sum(sum);\n"
         "    for (uint j = 0u; j < " + P + "u; ++j) {\n"
         "      uint i = t + j * WG;\n"
         "      if (i < n) " + store("i", "e[j] * inv") +
         "    }\n";
  } else {
    // Online: `sum` is of exp(x - m) for this thread's running maximum m; -inf elements
    // add 0 even while m is still -inf (exp(-inf - -inf) would be NaN).
    const std::string zero_ninf = v4 ? "mix(exp(q - m), vec4(0.0), equal(q, vec4(" + ninf + ")))"
                                     : "(q == " + ninf + " ? 0.0 : exp(q - m))";
    s += "    float m = " + ninf + ", sum = 0.0;\n"
         "    for (uint i = t; i < n; i += WG) {\n"
         "      " + T + " q = " + load("i") + ";\n"
         "      float qm = " + hmax("q") + ";\n"
         "      if (qm > m) { sum *= exp(m - qm); m = qm; }\n"
         "      " + T + " e = " + zero_ninf + ";\n"
         "      sum += " + hsum("e") + ";\n"
         "    }\n"
         "    float M = wg_max(m);\n"
         "    sum = sum == 0.0 ? 0.0 : sum * exp(m - M);\n"
         "    float inv = 1.0 / wg_sum(sum);\n"
         "    for (uint i = t; i < n; i += WG) " + store("i", "exp(" + load("i") + " - M) * inv");
  }
  s += "  }\n}\n";
  return s;
}

}  // namespace detail

/// softmax over the last axis of `in` into out (same dtype). False: the CPU runs it.
inline bool run_softmax(const array& in, array& out) {
  Backend* b = backend();
  if (!b) return false;
  const auto& info = b->info();
  const Dtype dt = in.dtype();
  if (!(dt == float32 || dt == float16 || dt == bfloat16) || !glsl::device_supports(info, dt))
    return false;
  const int64_t n = in.ndim() == 0 ? 1 : in.shape(-1);
  const int64_t rows = n == 0 ? 0 : static_cast<int64_t>(in.size()) / n;
  if (static_cast<uint64_t>(in.size()) >= (uint64_t(1) << 31)) return false;

  detail::SoftmaxKernel k;
  k.dtype = dt;
  k.contiguous = in.flags().row_contiguous;
  // Leading dims (size-1 dropped, runs merged) and the last axis' stride for views.
  std::vector<int32_t> meta;
  int32_t ls = 1;
  uint32_t nk = 0;
  int64_t origin = 0;
  if (!k.contiguous) {
    std::vector<int64_t> shape, strides;
    int64_t extent = 0;
    for (int d = 0; d < static_cast<int>(in.ndim()); ++d) {
      const int64_t s = in.strides()[static_cast<size_t>(d)];
      if (in.shape(d) > 1) extent += (in.shape(d) - 1) * (s < 0 ? -s : s);
      if (d == static_cast<int>(in.ndim()) - 1 || in.shape(d) == 1) continue;
      if (!shape.empty() && strides.back() == s * in.shape(d)) {
        shape.back() *= in.shape(d);
        strides.back() = s;
      } else {
        shape.push_back(in.shape(d));
        strides.push_back(s);
      }
    }
    if (extent >= (int64_t(1) << 31)) return false;
    if (in.ndim() > 0) ls = static_cast<int32_t>(in.strides().back());
    nk = static_cast<uint32_t>(shape.size());
    for (auto s : shape) meta.push_back(static_cast<int32_t>(s));
    for (auto s : strides) meta.push_back(static_cast<int32_t>(s));
    // Negative array indices are undefined in SPIR-V: address the view from its lowest
    // element and start each row's offset at the first element's distance from it.
    for (int d = 0; d < static_cast<int>(in.ndim()); ++d)
      if (in.strides()[static_cast<size_t>(d)] < 0 && in.shape(d) > 1)
        origin -= (in.shape(d) - 1) * in.strides()[static_cast<size_t>(d)];
    meta.push_back(static_cast<int32_t>(origin));
  }
  if (meta.empty()) meta.push_back(0);

  k.wg = 1;
  const uint32_t wg_max = std::min<uint32_t>(256, info.max_workgroup_size);
  while (k.wg * 2 <= wg_max && k.wg * 2 * 4 <= static_cast<uint64_t>(std::max<int64_t>(n, 1))) k.wg *= 2;
  k.wg = std::max<uint32_t>(k.wg, std::min<uint32_t>(32, wg_max));
  k.subgroup = info.subgroup_arithmetic && k.wg >= info.subgroup_size;

  // The pipeline is found before any memory is touched (vec4 is assumed when the shape
  // allows it and dropped if the addresses turn out misaligned).
  auto plan = [&](uint32_t vec) {
    k.vec = vec;
    const uint64_t loads = static_cast<uint64_t>(n) / k.vec;
    const uint64_t per = (loads + k.wg - 1) / k.wg;
    k.per = 0;
    if (per * k.vec <= 32) {
      k.per = 1;
      while (k.per < per) k.per *= 2;
    }
    static thread_local std::unordered_map<std::string, Pipeline*> cache;
    const std::string key = k.key();
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    Pipeline* pipe = b->pipeline_glsl(key, detail::softmax_glsl(k));
    if (pipe) cache.emplace(key, pipe);
    return pipe;
  };
  const bool vec4 = dt == float32 && k.contiguous && n % 4 == 0;
  Pipeline* pipe = rows > 0 ? plan(vec4 ? 4 : 1) : nullptr;
  if (rows > 0 && !pipe) return false;
  const uint64_t x_addr = rows > 0 ? b->read(in) - static_cast<uint64_t>(origin) * size_of(dt) : 0;
  const uint64_t y_addr = b->write(out);
  if (rows == 0) return true;
  if (vec4 && (x_addr % 16 != 0 || y_addr % 16 != 0)) {
    pipe = plan(1);
    if (!pipe) throw std::runtime_error("[softmax] The GPU could not compile its kernel.");
  }
  const uint64_t meta_addr = b->constants(meta.data(), meta.size() * sizeof(int32_t));
  unsigned char push[40];
  const uint32_t u[3] = {static_cast<uint32_t>(rows), static_cast<uint32_t>(n), nk};
  std::memcpy(push, &x_addr, 8);
  std::memcpy(push + 8, &y_addr, 8);
  std::memcpy(push + 16, &meta_addr, 8);
  std::memcpy(push + 24, u, 12);
  std::memcpy(push + 36, &ls, 4);
  b->dispatch(pipe, push, sizeof push, static_cast<uint32_t>(std::min<int64_t>(rows, 65535)));
  return true;
}

}  // namespace mlx::core::gpu
