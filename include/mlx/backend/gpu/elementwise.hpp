// SPDX-License-Identifier: MIT
// Elementwise programs on the GPU: a fused expression (Fused<E>, FusedProgram, astype,
// copies) becomes one generated compute shader, keyed by the program's instructions, the
// dtypes and a layout class (all inputs contiguous, or general strides). Shapes, strides
// and sizes travel as data, so one shader serves every shape.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>
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

/// Merges adjacent dimensions of `out_shape` wherever every stride list allows (st[k] holds
/// one element stride per dimension of out_shape, 0 where broadcast).
inline CollapsedLayout collapse_strides(const Shape& out_shape,
                                        const std::vector<std::vector<int64_t>>& st) {
  const int nd = static_cast<int>(out_shape.size());
  CollapsedLayout L;
  for (int d = 0; d < nd; ++d) {
    const int64_t n = out_shape[static_cast<size_t>(d)];
    if (n == 1) continue;
    bool merge = !L.shape.empty();
    for (size_t k = 0; merge && k < st.size(); ++k)
      merge = L.strides[k].back() == st[k][static_cast<size_t>(d)] * n;
    if (merge) {
      L.shape.back() *= n;
      for (size_t k = 0; k < st.size(); ++k) L.strides[k].back() = st[k][static_cast<size_t>(d)];
    } else {
      L.shape.push_back(n);
      L.strides.resize(st.size());
      for (size_t k = 0; k < st.size(); ++k) L.strides[k].push_back(st[k][static_cast<size_t>(d)]);
    }
  }
  if (L.strides.size() != st.size()) L.strides.assign(st.size(), {});
  return L;
}

/// The inputs' strides over the output's shape, collapsed; `out_strides` (a destination
/// view's strides, if any) takes part as one more list, the last.
inline CollapsedLayout collapse(const Shape& out_shape, const std::vector<array>& in,
                                const Strides* out_strides = nullptr) {
  const int nd = static_cast<int>(out_shape.size());
  std::vector<std::vector<int64_t>> st(in.size(), std::vector<int64_t>(static_cast<size_t>(nd), 0));
  for (size_t k = 0; k < in.size(); ++k) {
    const int off = nd - static_cast<int>(in[k].ndim());
    for (int d = 0; d < static_cast<int>(in[k].ndim()); ++d)
      if (in[k].shape(d) != 1) st[k][static_cast<size_t>(d + off)] = in[k].strides()[static_cast<size_t>(d)];
  }
  if (out_strides) st.emplace_back(out_strides->begin(), out_strides->end());
  return collapse_strides(out_shape, st);
}

// How input k is indexed: at the element index (contiguous, full size), at 0 (one element),
// through strides, or not at all: a one-element host array travels in the push constants.
enum class Access : char { linear = 'l', scalar = 's', strided = 'g', push = 'p' };

/// Elements per thread per loop iteration. Measured on the H200 (2^26 fp32, steady state):
/// 4 beats 1, 8 and 16 for copy (3.66 TB/s), triad (3.99) and a*b+c (4.08) alike.
/// MLXPP_GPU_UNROLL overrides it, for tuning on another device.
inline int elementwise_unroll(const std::vector<Access>&) {
  static const int unroll = [] {
    const char* v = std::getenv("MLXPP_GPU_UNROLL");
    return v ? std::clamp(std::atoi(v), 1, 32) : 4;
  }();
  return unroll;
}


/// Where each input and constant of a program comes from in one launch.
struct Plan {
  std::vector<Access> access;     // per input
  std::vector<int> input_slot;    // per input: first push slot (Access::push), else -1
  std::vector<int> const_slot;    // per instruction: first push slot of its constant, or -1
  std::vector<uint32_t> slots;    // the uint32 push slots' values
  bool strided = false;           // some index goes through the strides in the meta buffer
  bool out_view = false;          // the result is stored through strides (a region of a buffer)
};

// Reads a one-element host array's bits (zero-extended) without touching the device.
inline uint32_t host_bits(const array& a) {
  uint32_t v = 0;
  std::memcpy(&v, a.host_address(), a.itemsize());
  return v;
}

inline Plan plan(const core::detail::ProgramDesc& p, const std::vector<array>& in, size_t out_size,
                 const glsl::ComputeType& c, bool out_view = false) {
  Plan L;
  L.out_view = out_view;
  L.strided = out_view;
  uint32_t bytes = static_cast<uint32_t>((2 + in.size()) * 8 + 8);
  auto take = [&](int words) {
    if (bytes + 4u * static_cast<uint32_t>(words) > push_constant_bytes) return -1;
    bytes += 4u * static_cast<uint32_t>(words);
    int first = static_cast<int>(L.slots.size());
    L.slots.resize(L.slots.size() + static_cast<size_t>(words));
    return first;
  };
  for (auto& a : in) {
    Access acc = Access::strided;
    if (a.size() == 1) acc = Access::scalar;
    else if (a.size() == out_size && a.flags().row_contiguous) acc = Access::linear;
    int slot = -1;
    auto* dc = a.device_copy();
    if (acc == Access::scalar && a.itemsize() <= 4 && !(dc && dc->host_stale)) {
      slot = take(1);
      if (slot >= 0) {
        acc = Access::push;
        L.slots[static_cast<size_t>(slot)] = host_bits(a);
      }
    }
    L.strided = L.strided || acc == Access::strided;
    L.access.push_back(acc);
    L.input_slot.push_back(slot);
  }
  // Constants travel as data too, so `x * lr` compiles once for every lr.
  const int words = c.is_double || std::string_view(c.type).find("64") != std::string_view::npos ? 2 : 1;
  for (auto& ins : p.code) {
    int slot = -1;
    if (ins.op == core::detail::ProgramInstr::constant && (slot = take(words)) >= 0) {
      if (c.is_double) {
        std::memcpy(&L.slots[static_cast<size_t>(slot)], &ins.value, 8);
      } else if (c.kind == glsl::Kind::floating) {
        float f = static_cast<float>(ins.value);
        std::memcpy(&L.slots[static_cast<size_t>(slot)], &f, 4);
      } else if (words == 2) {
        uint64_t v = c.kind == glsl::Kind::unsigned_int
                         ? static_cast<uint64_t>(ins.value)
                         : static_cast<uint64_t>(static_cast<int64_t>(ins.value));
        std::memcpy(&L.slots[static_cast<size_t>(slot)], &v, 8);
      } else {
        int64_t v = c.kind == glsl::Kind::unsigned_int
                        ? static_cast<int64_t>(static_cast<uint64_t>(ins.value))
                        : static_cast<int64_t>(ins.value);
        L.slots[static_cast<size_t>(slot)] = static_cast<uint32_t>(v);
      }
    }
    L.const_slot.push_back(slot);
  }
  return L;
}

/// The cache key, as raw bytes: instructions (constant values only where embedded), the
/// compute and storage dtypes, the access classes and slots. No shapes.
inline void program_key(std::string& k, const char* kind, const core::detail::ProgramDesc& p,
                        const std::vector<array>& in, const Plan& L, Dtype out) {
  k.assign(kind);
  auto put = [&](const void* v, size_t n) { k.append(static_cast<const char*>(v), n); };
  for (size_t i = 0; i < p.code.size(); ++i) {
    auto& ins = p.code[i];
    put(&ins.op, sizeof ins.op);
    put(ins.args.data(), sizeof ins.args);
    if (ins.op == core::detail::ProgramInstr::constant && L.const_slot[i] < 0) put(&ins.value, 8);
    put(&L.const_slot[i], sizeof(int));
  }
  k += static_cast<char>(p.compute.val);
  for (size_t i = 0; i < in.size(); ++i) {
    k += static_cast<char>(L.access[i]);
    k += static_cast<char>(in[i].dtype().val);
    k += static_cast<char>(L.input_slot[i]);
  }
  k += static_cast<char>(out.val);
  k += L.out_view ? 'V' : 'F';
}

/// GLSL for the elementwise program (see the file comment). Push constants: the output's
/// address, the inputs' addresses, the meta buffer's (shape and strides as int32), n, ndim,
/// then the uint32 slots of pushed scalars and constants.
inline bool elementwise_glsl(const core::detail::ProgramDesc& p, const std::vector<array>& in,
                             const Plan& L, Dtype out, std::string& src) {
  glsl::ComputeType c;
  if (!glsl::compute_type(p.compute, c)) return false;
  std::vector<Dtype> dt;
  for (auto& a : in) dt.push_back(a.dtype());
  auto slot = [](int s) { return "p.s" + std::to_string(s); };
  const int unroll = elementwise_unroll(L.access);
  auto constant = [&](int i) -> std::string {
    int s = L.const_slot[static_cast<size_t>(i)];
    if (s < 0) return {};
    const std::string lo = slot(s), hi = slot(s + 1);
    if (c.is_double) return "packDouble2x32(uvec2(" + lo + ", " + hi + "))";
    if (c.kind == glsl::Kind::floating) return "uintBitsToFloat(" + lo + ")";
    if (std::string_view(c.type) == "int64_t") return "int64_t(packUint2x32(uvec2(" + lo + ", " + hi + ")))";
    if (std::string_view(c.type) == "uint64_t") return "packUint2x32(uvec2(" + lo + ", " + hi + "))";
    return std::string(c.type) + "(" + lo + ")";
  };
  // Each thread computes `unroll` elements a grid apart per iteration: every load is
  // issued before any store (the copies are independent straight-line code), which keeps
  // enough bytes in flight for a plain copy to reach the memory's bandwidth.
  std::string body;
  for (int j = 0; j < unroll; ++j) {
    const std::string ij = "i" + std::to_string(j), sj = "_" + std::to_string(j);
    auto input = [&](int k) -> std::string {
      const std::string i = "p.i" + std::to_string(k);
      switch (L.access[static_cast<size_t>(k)]) {
        case Access::scalar: return i + ".v[0]";
        case Access::linear: return i + ".v[" + ij + "]";
        case Access::strided: return i + ".v[o" + std::to_string(k) + sj + "]";
        default: break;
      }
      // A pushed scalar: its bits, read back as its storage type.
      const std::string u = slot(L.input_slot[static_cast<size_t>(k)]);
      switch (dt[static_cast<size_t>(k)].val) {
        case Dtype::Val::float32: return "uintBitsToFloat(" + u + ")";
        case Dtype::Val::float16: return "float16_t(unpackHalf2x16(" + u + ").x)";
        case Dtype::Val::int32: return "int(" + u + ")";
        case Dtype::Val::uint32: return u;
        case Dtype::Val::int16: return "int16_t(int(" + u + "))";
        case Dtype::Val::int8: return "int8_t(int(" + u + "))";
        default: return std::string(glsl::storage_type(dt[static_cast<size_t>(k)])) + "(" + u + ")";
      }
    };
    // Loads past the end read the last element instead (no branch before the loads).
    body += "    uint " + ij + " = min(i + " + std::to_string(j) + "u * stride, p.n - 1u);\n";
    if (L.strided) {
      // Meta: shape[ndim], for every input (and then the output view) its strides[ndim],
      // then every input's (and the view's) start offset: addresses point at the lowest
      // element, so that no index is negative (negative indices are undefined in SPIR-V;
      // NVIDIA and lavapipe differ).
      const std::string starts = std::to_string(in.size() + (L.out_view ? 2 : 1)) + " * p.ndim + ";
      for (size_t k = 0; k < in.size(); ++k)
        if (L.access[k] == Access::strided)
          body += "    int o" + std::to_string(k) + sj + " = p.meta.v[" + starts + std::to_string(k) + "];\n";
      if (L.out_view) body += "    int oo" + sj + " = p.meta.v[" + starts + std::to_string(in.size()) + "];\n";
      body += "    {\n      uint rem = " + ij + ";\n"
              "      for (int d = int(p.ndim) - 1; d >= 0; --d) {\n"
              "        uint s = uint(p.meta.v[d]);\n"
              "        int c = int(rem % s);\n"
              "        rem /= s;\n";
      for (size_t k = 0; k < in.size(); ++k)
        if (L.access[k] == Access::strided)
          body += "        o" + std::to_string(k) + sj + " += c * p.meta.v[" + std::to_string(k + 1) +
                  " * p.ndim + d];\n";
      if (L.out_view)
        body += "        oo" + sj + " += c * p.meta.v[" + std::to_string(in.size() + 1) + " * p.ndim + d];\n";
      body += "      }\n    }\n";
    }
    if (!glsl::program_body(p, c, dt, input, body, constant, "v" + sj + "_")) return false;
  }
  for (int j = 0; j < unroll; ++j) {
    const std::string sj = "_" + std::to_string(j);
    const std::string at = L.out_view ? "oo" + sj : "i + " + std::to_string(j) + "u * stride";
    body += "    if (i + " + std::to_string(j) + "u * stride < p.n) p.o.v[" + at +
            "] = " + glsl::store_as("v" + sj + "_" + std::to_string(p.result()), c, out) + ";\n";
  }

  src = glsl::preamble(elementwise_local_size);
  src += glsl::buffer_type("Out", out, false);
  for (size_t k = 0; k < in.size(); ++k) src += glsl::buffer_type("In" + std::to_string(k), dt[k], true);
  src += "layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Meta { int v[]; };\n";
  src += "layout(push_constant) uniform Push {\n  Out o;\n";
  for (size_t k = 0; k < in.size(); ++k) src += "  In" + std::to_string(k) + " i" + std::to_string(k) + ";\n";
  src += "  Meta meta;\n  uint n;\n  uint ndim;\n";
  for (size_t s = 0; s < L.slots.size(); ++s) src += "  uint s" + std::to_string(s) + ";\n";
  src += "} p;\n";
  src += glsl::helpers(c);
  src += "void main() {\n"
         "  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;\n"
         "  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += " +
         std::to_string(unroll) + "u * stride) {\n";
  src += body;
  src += "  }\n}\n";
  return true;
}

}  // namespace detail

/// A destination region for run_elementwise: the result (of the program's shape) is stored at
/// `base`, the device address of the region's first element, stepping by `strides` (elements,
/// either sign) instead of into fresh memory. The caller marks the buffer written
/// (Backend::rewrite).
struct OutView {
  uint64_t base = 0;
  Strides strides;
};

/// Runs program p (inputs `in`, result `out` of out's shape and dtype, or of p.shape stored
/// through `view` into out's buffer) on the GPU. Returns false when this device or the
/// generator cannot, so that the caller runs the CPU kernel.
inline bool run_elementwise(const core::detail::ProgramDesc& p, const std::vector<array>& in,
                            array& out, const OutView* view = nullptr) {
  Backend* b = backend();
  if (!b || in.size() > static_cast<size_t>(detail::max_program_inputs)) return false;
  const auto& info = b->info();
  if (!glsl::device_supports(info, out.dtype()) || !glsl::device_supports(info, p.compute))
    return false;
  for (auto& a : in)
    if (!glsl::device_supports(info, a.dtype())) return false;
  const Shape& shape = view ? p.shape : out.shape();
  size_t n = 1;
  for (int d : shape) n *= static_cast<size_t>(d);
  if (n >= (size_t(1) << 31) || out.size() >= (size_t(1) << 31)) return false;
  glsl::ComputeType c;
  if (!glsl::compute_type(p.compute, c)) return false;

  const detail::Plan L = detail::plan(p, in, n, c, view != nullptr);
  // The warm path: one key built from raw bytes, compared with the last one on this
  // thread, else looked up in the backend's map; GLSL is generated only on a miss.
  static thread_local std::string key, last_key;
  static thread_local Pipeline* last_pipe = nullptr;
  detail::program_key(key, "ew", p, in, L, out.dtype());
  Pipeline* pipe = nullptr;
  if (key == last_key && last_pipe) {
    pipe = last_pipe;
  } else {
    std::string src;
    if (!detail::elementwise_glsl(p, in, L, out.dtype(), src)) return false;
    pipe = b->pipeline_glsl(key, src);
    if (!pipe) return false;
    last_key = key;
    last_pipe = pipe;
  }

  uint32_t push[push_constant_bytes / 4] = {};
  const size_t nin = in.size();
  auto put_addr = [&](size_t slot, uint64_t a) { std::memcpy(&push[2 * slot], &a, 8); };
  uint32_t ndim = 0;
  std::vector<int64_t> start(nin + 1, 0);  // the inputs', then the view's
  if (L.strided) {
    auto C = detail::collapse(shape, in, view ? &view->strides : nullptr);
    ndim = static_cast<uint32_t>(C.shape.size());
    std::vector<int32_t> m;
    for (auto s : C.shape) m.push_back(static_cast<int32_t>(s));
    for (auto& list : C.strides)
      for (auto s : list) m.push_back(static_cast<int32_t>(s));
    for (size_t k = 0; k < C.strides.size(); ++k) {
      int64_t below = 0;  // elements the view reaches below its first one
      for (size_t d = 0; d < C.shape.size(); ++d)
        if (C.strides[k][d] < 0) below -= (C.shape[d] - 1) * C.strides[k][d];
      start[k] = below;
      m.push_back(static_cast<int32_t>(below));
    }
    put_addr(1 + nin, b->constants(m.data(), m.size() * sizeof(int32_t)));
  }
  for (size_t k = 0; k < nin; ++k)
    if (L.access[k] != detail::Access::push)
      put_addr(1 + k, b->read(in[k]) - static_cast<uint64_t>(start[k]) * in[k].itemsize());
  uint64_t out_addr = 0;
  if (view) {
    out_addr = view->base - static_cast<uint64_t>(start[nin]) * out.itemsize();
  } else {
    // A dying input of the output's dtype and size gives its buffer (in place is safe: each
    // element is read and written by the same thread, loads first).
    for (size_t k = 0; k < nin && !out_addr; ++k)
      if (L.access[k] == detail::Access::linear) out_addr = b->donate(out, in[k]);
    if (!out_addr) out_addr = b->write(out);
  }
  put_addr(0, out_addr);
  uint32_t* tail = &push[2 * (2 + nin)];
  tail[0] = static_cast<uint32_t>(n);
  tail[1] = ndim;
  // memcpy from an empty vector's null data() is undefined even for 0 bytes (UBSan).
  if (!L.slots.empty()) std::memcpy(tail + 2, L.slots.data(), L.slots.size() * 4);
  const uint32_t bytes = static_cast<uint32_t>((2 + nin) * 8 + 8 + L.slots.size() * 4);
  const uint64_t per_group =
      static_cast<uint64_t>(detail::elementwise_local_size) * detail::elementwise_unroll(L.access);
  const uint64_t groups = std::clamp<uint64_t>((n + per_group - 1) / per_group, 1, 65535);
  if (n > 0) b->dispatch(pipe, push, bytes, static_cast<uint32_t>(groups));
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
