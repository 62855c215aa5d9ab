// SPDX-License-Identifier: MIT
// FFT: MLX's primitive for the discrete Fourier transforms (complex-to-complex, real-to-
// complex, complex-to-real) over a set of axes, run as one 1-d pass per axis on the CPU.
#pragma once

#include <vector>

// array.hpp first: it includes primitive.hpp and eval.hpp in the order they need, which
// primitive.hpp included first does not.
#include "mlx/core/array.hpp"
#include "mlx/backend/cpu/fft.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

/// Transforms along `axes` (normalised, distinct). The input is float32 or complex64 of any
/// layout, already cropped/padded to the transform sizes by the op; real transforms put the
/// half-spectrum on the last axis of `axes`. Inverse transforms divide by the sizes.
template <class = void>
class FFT : public UnaryPrimitive {
 public:
  FFT(Stream s, std::vector<size_t> axes, bool inverse, bool real)
      : UnaryPrimitive(s), axes_(std::move(axes)), inverse_(inverse), real_(real) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    using cpu::fft_impl::PassSpec;
    const array& in = inputs[0];
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    const bool in_complex = in.dtype() == complex64;
    auto pass = [&](PassSpec::Kind kind, size_t axis, const void* src, bool src_complex,
                    const Shape& shape, const Strides& strides, void* dst, const Shape& dshape) {
      PassSpec ps;
      ps.kind = kind;
      ps.inverse = inverse_;
      ps.axis = static_cast<int>(axis);
      ps.n = kind == PassSpec::c2r ? dshape[axis] : shape[axis];
      ps.src = src;
      ps.src_complex = src_complex;
      ps.shape = shape;
      ps.strides = strides;
      ps.dst = dst;
      ps.dshape = dshape;
      cpu::fft_impl::run_pass(ps);
    };
    const Strides out_st = row_major_strides(out.shape());
    if (!real_) {
      // Each pass after the first works in place on the output.
      for (size_t i = 0; i < axes_.size(); ++i) {
        if (i == 0)
          pass(PassSpec::c2c, axes_[0], in.raw_data(), in_complex, in.shape(), in.strides(),
               out.raw_data(), out.shape());
        else
          pass(PassSpec::c2c, axes_[i], out.raw_data(), true, out.shape(), out_st, out.raw_data(),
               out.shape());
      }
    } else if (!inverse_) {
      pass(PassSpec::r2c, axes_.back(), in.raw_data(), false, in.shape(), in.strides(),
           out.raw_data(), out.shape());
      for (size_t i = 0; i + 1 < axes_.size(); ++i)
        pass(PassSpec::c2c, axes_[i], out.raw_data(), true, out.shape(), out_st, out.raw_data(),
             out.shape());
    } else if (axes_.size() == 1) {
      pass(PassSpec::c2r, axes_[0], in.raw_data(), in_complex, in.shape(), in.strides(),
           out.raw_data(), out.shape());
    } else {
      // The complex passes first, into a row-major temporary of the input's shape.
      cpu::fft_impl::Scratch tmp(2 * in.size());  // in.size() complex64 elements
      const Strides tmp_st = row_major_strides(in.shape());
      for (size_t i = 0; i + 1 < axes_.size(); ++i) {
        if (i == 0)
          pass(PassSpec::c2c, axes_[0], in.raw_data(), in_complex, in.shape(), in.strides(),
               tmp.data(), in.shape());
        else
          pass(PassSpec::c2c, axes_[i], tmp.data(), true, in.shape(), tmp_st, tmp.data(), in.shape());
      }
      pass(PassSpec::c2r, axes_.back(), tmp.data(), true, in.shape(), tmp_st, out.raw_data(),
           out.shape());
    }
  }

  const char* name() const override { return "FFT"; }
  bool is_equivalent(const Primitive& other) const override {
    auto* o = dynamic_cast<const FFT*>(&other);
    return o && o->axes_ == axes_ && o->inverse_ == inverse_ && o->real_ == real_;
  }
  const std::vector<size_t>& axes() const { return axes_; }
  bool inverse() const { return inverse_; }
  bool real() const { return real_; }

 private:
  std::vector<size_t> axes_;
  bool inverse_, real_;
};

}  // namespace mlx::core
