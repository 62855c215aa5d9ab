// SPDX-License-Identifier: MIT
// Convolution: channels-last N-d convolution of two inputs of one floating dtype (the op
// casts them); float16/bfloat16 compute in float32. Kernel: backend/cpu/conv.hpp.
#pragma once

#include <type_traits>
#include <vector>

#include "mlx/backend/cpu/conv.hpp"
#include "mlx/backend/cpu/copy.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

namespace detail {
/// Runs kernel<T>(a, b, out) in float64 / float32, or through float32 copies for float16 and
/// bfloat16 (the convolution kernels' dtype handling, shared by both primitives).
template <class K>
void conv_dispatch(const array& a, const array& b, array& out, const K& kernel) {
  if (out.dtype() == float64) {
    kernel(static_cast<const double*>(a.raw_data()), static_cast<const double*>(b.raw_data()),
           static_cast<double*>(out.raw_data()));
  } else if (out.dtype() == float32) {
    kernel(static_cast<const float*>(a.raw_data()), static_cast<const float*>(b.raw_data()),
           static_cast<float*>(out.raw_data()));
  } else {
    std::vector<float> af(a.size()), bf(b.size()), of(out.size());
    cpu::gather_convert(a.raw_data(), a.dtype(), 1, af.data(), static_cast<int64_t>(a.size()));
    cpu::gather_convert(b.raw_data(), b.dtype(), 1, bf.data(), static_cast<int64_t>(b.size()));
    kernel(static_cast<const float*>(af.data()), static_cast<const float*>(bf.data()), of.data());
    cpu::store_convert(of.data(), out.raw_data(), out.dtype(), static_cast<int64_t>(of.size()));
  }
}
}  // namespace detail

template <class = void>
class Convolution : public UnaryPrimitive {
 public:
  Convolution(Stream s, cpu::ConvParams params) : UnaryPrimitive(s), p_(std::move(params)) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array x = cpu::ensure_row_contiguous(inputs[0]);
    array w = cpu::ensure_row_contiguous(inputs[1]);
    out.set_data(allocator::malloc(out.nbytes()));
    detail::conv_dispatch(x, w, out, [&](const auto* xp, const auto* wp, auto* op) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(xp)>>;
      cpu::conv_forward<T>(xp, x.shape(), wp, w.shape(), op, out.shape(), p_);
    });
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
    detail::conv_dispatch(x, g, out, [&](const auto* xp, const auto* gp, auto* op) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(xp)>>;
      cpu::conv_weight_grad<T>(xp, x.shape(), gp, g.shape(), op, out.shape(), p_);
    });
  }
  const char* name() const override { return "ConvWeightGrad"; }
  const cpu::ConvParams& params() const { return p_; }

 private:
  cpu::ConvParams p_;
};

}  // namespace mlx::core
