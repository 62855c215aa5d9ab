// SPDX-License-Identifier: MIT
// Elementwise programs on the GPU: a fused expression (Fused<E>, FusedProgram, astype,
// copies) becomes one generated compute shader, keyed by the program's instructions, the
// dtypes and a layout class (all inputs contiguous, or general strides). Shapes, strides
// and sizes travel as data, so one shader serves every shape.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "mlx/backend/gpu/glsl.hpp"
#include "mlx/backend/gpu/interface.hpp"
#include "mlx/core/array.hpp"
#include "mlx/expr/describe.hpp"

namespace mlx::core::gpu {

namespace detail {

inline constexpr int elementwise_local_size = 256;
inline constexpr int max_program_inputs = 12;  // (128 B push constants − n − meta) / 8 B

/// Per-input element strides over the output's shape (0 where broadcast), with adjacent
/// dimensions merged wherever every input allows.
struct CollapsedLayout {
  std::vector<int64_t> shape;
  std::vector<std::vector<int64_t>> strides;  // [input][dim]
};

inline CollapsedLayout collapse(const Shape& out_shape, const std::vector<array>& in) {
  const int nd = static_cast<int>(out_shape.size());
  CollapsedLayout L;
  std::vector<std::vector<int64_t>> st(in.size(), std::vector<int64_t>(static_cast<size_t>(nd), 0));
  for (size_t k = 0; k < in.size(); ++k) {
    const int off = nd - static_cast<int>(in[k].ndim());
    for (int d = 0; d < static_cast<int>(in[k].ndim()); ++d)
      if (in[k].shape(d) != 1) st[k][static_cast<size_t>(d + off)] = in[k].strides()[static_cast<size_t>(d)];
  }
  for (int d = 0; d < nd; ++d) {
    const int64_t n = out_shape[static_cast<size_t>(d)];
    if (n == 1) continue;
    bool merge = !L.shape.empty();
    for (size_t k = 0; merge && k < in.size(); ++k)
      merge = L.strides[k].back() == st[k][static_cast<size_t>(d)] * n;
    if (merge) {
      L.shape.back() *= n;
      for (size_t k = 0; k < in.size(); ++k) L.strides[k].back() = st[k][static_cast<size_t>(d)];
    } else {
      L.shape.push_back(n);
      L.strides.resize(in.size());
      for (size_t k = 0; k < in.size(); ++k) L.strides[k].push_back(st[k][static_cast<size_t>(d)]);
    }
  }
  if (L.strides.size() != in.size()) L.strides.assign(in.size(), {});
  return L;
}

// How input k is indexed: at the element index (contiguous, full size), at 0 (one element)
// or through strides.
enum class Access : char { linear = 'l', scalar = 's', strided = 'g' };

inline Access access_of(const array& a, size_t out_size) {
  if (a.size() == 1) return Access::scalar;
  if (a.size() == out_size && a.flags().row_contiguous) return Access::linear;
  return Access::strided;
}

/// The cache key: instructions, dtypes and access classes (never shapes or constants'
/// positions beyond their values, which are part of the instructions).
inline std::string program_key(const char* kind, const core::detail::ProgramDesc& p,
                               const std::vector<array>& in, const std::vector<Access>& access,
                               Dtype out) {
  std::string k = kind;
  k += ':';
  for (auto& ins : p.code) {
    k += std::to_string(ins.op);
    if (ins.op == core::detail::ProgramInstr::constant) {
      k += '=';
      k += std::to_string(ins.value);
    }
    for (int a : ins.args)
      if (a >= 0) {
        k += ',';
        k += std::to_string(a);
      }
    k += ';';
  }
  k += "|c" + std::to_string(static_cast<int>(p.compute.val));
  for (size_t i = 0; i < in.size(); ++i) {
    k += static_cast<char>(access[i]);
    k += std::to_string(static_cast<int>(in[i].dtype().val));
  }
  k += "|o" + std::to_string(static_cast<int>(out.val));
  return k;
}

/// GLSL for the elementwise program (see the file comment). Push constants: the output's
/// address, the inputs' addresses, the meta buffer's (shape and strides as int32), n, ndim.
inline bool elementwise_glsl(const core::detail::ProgramDesc& p, const std::vector<array>& in,
                             const std::vector<Access>& access, Dtype out, std::string& src) {
  glsl::ComputeType c;
  if (!glsl::compute_type(p.compute, c)) return false;
  std::vector<Dtype> dt;
  for (auto& a : in) dt.push_back(a.dtype());
  const bool strided = std::find(access.begin(), access.end(), Access::strided) != access.end();
  std::string body;
  auto input = [&](int k) {
    switch (access[static_cast<size_t>(k)]) {
      case Access::scalar: return "p.i" + std::to_string(k) + ".v[0]";
      case Access::linear: return "p.i" + std::to_string(k) + ".v[i]";
      default: return "p.i" + std::to_string(k) + ".v[o" + std::to_string(k) + "]";
    }
  };
  if (!glsl::program_body(p, c, dt, input, body)) return false;

  src = glsl::preamble(elementwise_local_size);
  src += glsl::buffer_type("Out", out, false);
  for (size_t k = 0; k < in.size(); ++k) src += glsl::buffer_type("In" + std::to_string(k), dt[k], true);
  src += "layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Meta { int v[]; };\n";
  src += "layout(push_constant) uniform Push {\n  Out o;\n";
  for (size_t k = 0; k < in.size(); ++k) src += "  In" + std::to_string(k) + " i" + std::to_string(k) + ";\n";
  src += "  Meta meta;\n  uint n;\n  uint ndim;\n} p;\n";
  src += glsl::helpers(c);
  src += "void main() {\n"
         "  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;\n"
         "  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += stride) {\n";
  if (strided) {
    // Meta: shape[ndim], then for every input its strides[ndim].
    for (size_t k = 0; k < in.size(); ++k)
      if (access[k] == Access::strided) src += "    int o" + std::to_string(k) + " = 0;\n";
    src += "    uint rem = i;\n"
           "    for (int d = int(p.ndim) - 1; d >= 0; --d) {\n"
           "      uint s = uint(p.meta.v[d]);\n"
           "      int c = int(rem % s);\n"
           "      rem /= s;\n";
    for (size_t k = 0; k < in.size(); ++k)
      if (access[k] == Access::strided)
        src += "      o" + std::to_string(k) + " += c * p.meta.v[" + std::to_string(k + 1) +
               " * p.ndim + d];\n";
    src += "    }\n";
  }
  src += body;
  src += "    p.o.v[i] = " + glsl::store_as("v" + std::to_string(p.result()), c, out) + ";\n";
  src += "  }\n}\n";
  return true;
}

}  // namespace detail

/// Runs program p (inputs `in`, result `out` of out's shape and dtype) on the GPU. Returns
/// false when this device or the generator cannot, so that the caller runs the CPU kernel.
inline bool run_elementwise(const core::detail::ProgramDesc& p, const std::vector<array>& in,
                            array& out) {
  Backend* b = backend();
  if (!b || in.size() > static_cast<size_t>(detail::max_program_inputs)) return false;
  const auto& info = b->info();
  if (!glsl::device_supports(info, out.dtype()) || !glsl::device_supports(info, p.compute))
    return false;
  for (auto& a : in)
    if (!glsl::device_supports(info, a.dtype())) return false;
  if (out.size() >= (size_t(1) << 31)) return false;

  std::vector<detail::Access> access;
  for (auto& a : in) access.push_back(detail::access_of(a, out.size()));
  const std::string key = detail::program_key("ew", p, in, access, out.dtype());
  std::string src;
  Pipeline* pipe = nullptr;
  {
    // Generation happens once per key; the lookup itself is the backend's map.
    static thread_local std::string last_key;
    static thread_local Pipeline* last_pipe = nullptr;
    if (key == last_key && last_pipe) {
      pipe = last_pipe;
    } else {
      if (!detail::elementwise_glsl(p, in, access, out.dtype(), src)) return false;
      pipe = b->pipeline_glsl(key, src);
      if (!pipe) return false;
      last_key = key;
      last_pipe = pipe;
    }
  }

  struct {
    uint64_t addr[detail::max_program_inputs + 3];
    uint32_t n, ndim;
  } push{};
  const size_t nin = in.size();
  // Order: out, inputs, meta, then n and ndim (matching the GLSL block).
  uint64_t meta = 0;
  uint32_t ndim = 0;
  if (std::find(access.begin(), access.end(), detail::Access::strided) != access.end()) {
    auto L = detail::collapse(out.shape(), in);
    ndim = static_cast<uint32_t>(L.shape.size());
    std::vector<int32_t> m;
    for (auto s : L.shape) m.push_back(static_cast<int32_t>(s));
    for (size_t k = 0; k < nin; ++k)
      for (auto s : L.strides[k]) m.push_back(static_cast<int32_t>(s));
    meta = b->constants(m.data(), m.size() * sizeof(int32_t));
  }
  for (size_t k = 0; k < nin; ++k) push.addr[1 + k] = b->read(in[k]);
  push.addr[0] = b->write(out);
  push.addr[1 + nin] = meta;
  // n and ndim follow the addresses directly in the GLSL block.
  uint32_t* tail = reinterpret_cast<uint32_t*>(&push.addr[2 + nin]);
  tail[0] = static_cast<uint32_t>(out.size());
  tail[1] = ndim;
  const uint32_t bytes = static_cast<uint32_t>((2 + nin) * 8 + 8);
  const uint64_t groups = std::clamp<uint64_t>((out.size() + detail::elementwise_local_size - 1) /
                                                   detail::elementwise_local_size,
                                               1, 65535);
  if (out.size() > 0) b->dispatch(pipe, &push, bytes, static_cast<uint32_t>(groups));
  return true;
}

/// The GPU side of an expression node: its program on the GPU when possible.
inline bool eval_expression_gpu(const core::detail::ExpressionPrimitive& prim,
                                const std::vector<array>& inputs, array& out) {
  core::detail::ProgramDesc p;
  if (!prim.describe(p)) return false;
  return run_elementwise(p, inputs, out);
}

}  // namespace mlx::core::gpu
