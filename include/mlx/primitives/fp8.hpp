// SPDX-License-Identifier: MIT
// ConvertFP8: floating point to float8 E4M3 codes (uint8) or back, MLX's fast::ConvertFP8.
// Kernels: backend/cpu/fp8.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/fp8.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

/// Elementwise E4M3 conversion: to_fp8 (a floating input, uint8 output) or from_fp8 (a
/// uint8 input, the output's floating dtype). The output is row-contiguous.
template <class = void>
class ConvertFP8 : public UnaryPrimitive {
 public:
  ConvertFP8(Stream s, bool to_fp8) : UnaryPrimitive(s), to_fp8_(to_fp8) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    array in = cpu::ensure_row_contiguous(inputs[0]);
    const auto n = static_cast<int64_t>(out.size());
    if (to_fp8_)
      cpu::to_fp8(in.raw_data(), in.dtype(), static_cast<uint8_t*>(out.raw_data()), n);
    else
      cpu::from_fp8(static_cast<const uint8_t*>(in.raw_data()), out.raw_data(), out.dtype(), n);
  }
  const char* name() const override { return to_fp8_ ? "ToFP8" : "FromFP8"; }
  bool is_equivalent(const Primitive& other) const override {
    auto* o = dynamic_cast<const ConvertFP8*>(&other);
    return o && o->to_fp8_ == to_fp8_;
  }

 private:
  bool to_fp8_;
};

}  // namespace mlx::core
