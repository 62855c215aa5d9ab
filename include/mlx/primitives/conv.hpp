// SPDX-License-Identifier: MIT
// Convolution: channels-last N-d convolution of two inputs of one floating dtype (the op
// casts them); float16/bfloat16 compute in float32. Kernel: backend/cpu/conv.hpp.
#pragma once

#include <vector>

#include "mlx/backend/cpu/conv.hpp"
#include "mlx/backend/cpu/copy.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

template <class = void>
class Convolution : public UnaryPrimitive {
 public:
  Convolution(Stream s, cpu::ConvParams params) : UnaryPrimitive(s), p_(std::move(params)) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array x = cpu::ensure_row_contiguous(inputs[0]);
    array w = cpu::ensure_row_contiguous(inputs[1]);
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.dtype() == float64) {
      cpu::conv_forward<double>(static_cast<const double*>(x.raw_data()), x.shape(),
                                static_cast<const double*>(w.raw_data()), w.shape(),
                                static_cast<double*>(out.raw_data()), out.shape(), p_);
    } else if (out.dtype() == float32) {
      cpu::conv_forward<float>(static_cast<const float*>(x.raw_data()), x.shape(),
                               static_cast<const float*>(w.raw_data()), w.shape(),
                               static_cast<float*>(out.raw_data()), out.shape(), p_);
    } else {  // float16 / bfloat16: through float32 copies
      std::vector<float> xf(x.size()), wf(w.size()), of(out.size());
      cpu::gather_convert(x.raw_data(), x.dtype(), 1, xf.data(), static_cast<int64_t>(x.size()));
      cpu::gather_convert(w.raw_data(), w.dtype(), 1, wf.data(), static_cast<int64_t>(w.size()));
      cpu::conv_forward<float>(xf.data(), x.shape(), wf.data(), w.shape(), of.data(), out.shape(), p_);
      cpu::store_convert(of.data(), out.raw_data(), out.dtype(), static_cast<int64_t>(of.size()));
    }
  }
  const char* name() const override { return "Convolution"; }
  const cpu::ConvParams& params() const { return p_; }

 private:
  cpu::ConvParams p_;
};

/// The kernel gradient of a Convolution with parameters `params`: inputs (x, cotangent of
/// the output), output the kernel's shape. One GEMM of the cotangent against the unrolled
/// input per block (cpu::conv_weight_grad), instead of a convolution of transposed copies.
/// Its own derivatives (for grad of grad) are in transforms/rules.hpp.
template <class = void>
class ConvWeightGrad : public UnaryPrimitive {
 public:
  ConvWeightGrad(Stream s, cpu::ConvParams params) : UnaryPrimitive(s), p_(std::move(params)) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array x = cpu::ensure_row_contiguous(inputs[0]);
    array g = cpu::ensure_row_contiguous(inputs[1]);
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.dtype() == float64) {
      cpu::conv_weight_grad<double>(static_cast<const double*>(x.raw_data()), x.shape(),
                                    static_cast<const double*>(g.raw_data()), g.shape(),
                                    static_cast<double*>(out.raw_data()), out.shape(), p_);
    } else if (out.dtype() == float32) {
      cpu::conv_weight_grad<float>(static_cast<const float*>(x.raw_data()), x.shape(),
                                   static_cast<const float*>(g.raw_data()), g.shape(),
                                   static_cast<float*>(out.raw_data()), out.shape(), p_);
    } else {  // float16 / bfloat16: through float32 copies
      std::vector<float> xf(x.size()), gf(g.size()), of(out.size());
      cpu::gather_convert(x.raw_data(), x.dtype(), 1, xf.data(), static_cast<int64_t>(x.size()));
      cpu::gather_convert(g.raw_data(), g.dtype(), 1, gf.data(), static_cast<int64_t>(g.size()));
      cpu::conv_weight_grad<float>(xf.data(), x.shape(), gf.data(), g.shape(), of.data(), out.shape(), p_);
      cpu::store_convert(of.data(), out.raw_data(), out.dtype(), static_cast<int64_t>(of.size()));
    }
  }
  const char* name() const override { return "ConvWeightGrad"; }
  const cpu::ConvParams& params() const { return p_; }

 private:
  cpu::ConvParams p_;
};

}  // namespace mlx::core
