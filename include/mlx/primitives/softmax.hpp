// SPDX-License-Identifier: MIT
// Softmax over the last axis as one primitive (three passes over each row, the last two in
// cache) instead of the four full-array passes of exp(x - max) / sum.
#pragma once

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/softmax.hpp"
#include "mlx/backend/gpu/softmax.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

template <class = void>
class Softmax : public UnaryPrimitive {
 public:
  using UnaryPrimitive::UnaryPrimitive;
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    // The row kernels may run in place: an input that dies here lends its buffer.
    // (Checked before `in` takes a second handle on the input.)
    const bool donate = inputs[0].is_donatable() && inputs[0].dtype() == out.dtype();
    array in = donate ? inputs[0] : cpu::ensure_row_contiguous(inputs[0]);
    if (donate)
      out.copy_shared_buffer(in);
    else
      out.set_data(allocator::malloc(out.nbytes()));
    const int64_t n = out.ndim() == 0 ? 1 : out.shape(-1);
    const int64_t rows = n == 0 ? 0 : static_cast<int64_t>(out.size()) / n;
    cpu::softmax_rows(in.raw_data(), out.raw_data(), out.dtype(), rows, n);
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    if (!gpu::run_softmax(inputs[0], outputs[0])) Primitive::eval_gpu(inputs, outputs);
  }
  const char* name() const override { return "Softmax"; }
};

}  // namespace mlx::core
