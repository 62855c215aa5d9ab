// SPDX-License-Identifier: MIT
// Copies and fills on the GPU: a strided or broadcast copy is the one-instruction program
// "read input 0" through the elementwise generator (so it is a compute shader, never
// vkCmdCopyBuffer, which ran at 0.29x a shader copy on the H100); arange is its own small
// generated kernel.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "mlx/backend/gpu/elementwise.hpp"
#include "mlx/backend/gpu/glsl.hpp"
#include "mlx/backend/gpu/interface.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/shape.hpp"

namespace mlx::core::gpu {

/// The one-instruction program "read input 0" (a copy), computing in `dtype` over `shape`.
inline core::detail::ProgramDesc copy_program(Dtype dtype, const Shape& shape) {
  core::detail::ProgramDesc p;
  core::detail::ProgramInstr ins;
  ins.op = core::detail::ProgramInstr::input;
  ins.args[0] = 0;
  p.code.push_back(ins);
  p.num_inputs = 1;
  p.compute = dtype;
  p.shape = shape;
  return p;
}

/// out (fresh, row-major, out's dtype) = in, converted and broadcast to out's shape.
inline bool copy(const array& in, array& out) {
  return run_elementwise(copy_program(in.dtype(), out.shape()), {in}, out);
}

/// Stores `in` (converted to dst's dtype, broadcast to `region`) into the region of dst's
/// device memory that starts `offset` elements in and steps by `strides`: dst must have been
/// written on the GPU in this evaluation (by write or donate).
inline bool copy_into(const array& in, array& dst, const Shape& region, int64_t offset,
                      const Strides& strides) {
  Backend* b = backend();
  if (!b || !dst.device_copy()) return false;
  OutView view;
  view.base = b->rewrite(dst) + static_cast<uint64_t>(offset) * dst.itemsize();
  view.strides = strides;
  return run_elementwise(copy_program(in.dtype(), region), {in}, dst, &view);
}

/// out (fresh, any shape of in's size and dtype) = in's elements in in's row-major order: the
/// copy a reshape of a non-contiguous view needs.
inline bool copy_row_major(const array& in, array& out) {
  Backend* b = backend();
  glsl::ComputeType c;
  if (!b || in.dtype() != out.dtype() || in.size() != out.size() ||
      !glsl::device_supports(b->info(), in.dtype()) || !glsl::compute_type(in.dtype(), c) ||
      in.size() >= (size_t(1) << 31))
    return false;
  b->write(out);
  if (in.size() == 0) return true;
  if (!copy_into(in, out, in.shape(), 0, row_major_strides(in.shape())))
    throw std::logic_error("[reshape] the GPU could not copy the view");
  return true;
}

/// out = src with the region start + i * steps (row-major element steps, either sign)
/// replaced by upd (already of out's dtype and the region's shape): src's buffer when it dies
/// here (no copy), else a copy of it; then one kernel writes the region. False (nothing done)
/// when the device cannot.
inline bool slice_update(const array& src, const array& upd, const Shape& start,
                         const Shape& steps, array& out) {
  Backend* b = backend();
  if (!b || out.size() >= (size_t(1) << 31)) return false;
  glsl::ComputeType c;
  for (Dtype d : {src.dtype(), upd.dtype(), out.dtype()})
    if (!glsl::device_supports(b->info(), d) || !glsl::compute_type(d, c)) return false;
  if (!b->donate(out, src) && !copy(src, out)) return false;
  if (upd.size() == 0) return true;
  Strides st;
  const int64_t offset = region_strides(out.shape(), start, steps, st);
  // Every check that could refuse is above: out has src's contents now, so a refusal here
  // would leave it half done.
  if (!copy_into(upd, out, upd.shape(), offset, st))
    throw std::logic_error("[slice_update] the GPU could not write the region");
  return true;
}

/// out[i] = start + i * step in out's dtype (the CPU kernel's rules: integers step by the
/// converted difference; `last` pins the final element for linspace).
inline bool arange(double start, double step, std::optional<double> last, array& out) {
  Backend* b = backend();
  if (!b || !glsl::device_supports(b->info(), out.dtype()) || out.size() >= (size_t(1) << 31))
    return false;
  glsl::ComputeType c;
  if (!glsl::compute_type(out.dtype(), c)) return false;
  const bool integral = c.kind == glsl::Kind::signed_int || c.kind == glsl::Kind::unsigned_int;
  const bool f64 = b->info().float64;
  if (!f64 && !(integral && out.dtype() != int64 && out.dtype() != uint64)) {
    if (out.dtype() != float32 && out.dtype() != float16 && out.dtype() != bfloat16) return false;
  }
  const std::string key = "arange:" + std::to_string(static_cast<int>(out.dtype().val)) +
                          (last ? "L" : "") + (f64 ? "d" : "f");
  std::string src = glsl::preamble(256);
  src += glsl::buffer_type("Out", out.dtype(), false);
  const char* real = f64 ? "double" : "float";
  src += std::string("layout(push_constant) uniform Push { Out o; ") + real + " start; " + real +
         " step; " + real + " last; uint n; } p;\n";
  src += glsl::helpers(c);
  src += "void main() {\n  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;\n"
         "  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += stride) {\n";
  if (integral && !last) {
    // First and step converted to the dtype first, as NumPy and MLX do.
    // Through a signed integer: a negative double converted to uint is undefined in GLSL,
    // while the CPU's conversion wraps.
    std::string T = c.type, I = b->info().int64 ? "int64_t" : "int";
    src += "    " + T + " first = " + T + "(" + I + "(p.start));\n";
    src += "    " + T + " step = " + T + "(" + I + "(p.start + p.step)) - first;\n";
    src += "    " + T + " v = first + " + T + "(i) * step;\n";
  } else {
    src += std::string("    ") + real + " x = p.start + " + real + "(i) * p.step;\n";
    if (last) src += "    if (i + 1u == p.n && p.n > 1u) x = p.last;\n";
    if (integral)  // a negative real converted to uint is undefined: go through int64
      src += std::string("    ") + c.type + " v = " + c.type + (b->info().int64 ? "(int64_t(x));\n" : "(int(x));\n");
    else
      src += std::string("    ") + c.type + " v = " + c.type + "(x);\n";
  }
  src += "    p.o.v[i] = " + glsl::store_as("v", c, out.dtype()) + ";\n  }\n}\n";
  Pipeline* pipe = b->pipeline_glsl(key, src);
  if (!pipe) return false;
  unsigned char push[48] = {};
  uint32_t bytes = 0;
  uint64_t addr = b->write(out);
  std::memcpy(push, &addr, 8);
  const uint32_t n = static_cast<uint32_t>(out.size());
  if (f64) {  // std430: doubles at 8, 16, 24; n at 32
    double v[3] = {start, step, last.value_or(0.0)};
    std::memcpy(push + 8, v, 24);
    std::memcpy(push + 32, &n, 4);
    bytes = 36;
  } else {
    float v[3] = {static_cast<float>(start), static_cast<float>(step),
                  static_cast<float>(last.value_or(0.0))};
    std::memcpy(push + 8, v, 12);
    std::memcpy(push + 20, &n, 4);
    bytes = 24;
  }
  if (n) b->dispatch(pipe, push, bytes, std::clamp<uint32_t>((n + 255) / 256, 1, 65535));
  return true;
}

}  // namespace mlx::core::gpu
