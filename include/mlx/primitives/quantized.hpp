// SPDX-License-Identifier: MIT
// Primitives of affine quantization: Quantize (three outputs), Dequantize, QuantizedMatmul
// and GatherQMM; the kernels are in backend/cpu/quantized.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/quantized.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

namespace detail {

/// Calls f(type_tag<T>{}) for the float dtypes quantization works in.
template <class F>
void dispatch_quant_float(Dtype dt, const char* op, F&& f) {
  if (dt == float32)
    f(type_tag<float>{});
  else if (dt == float16)
    f(type_tag<float16_t>{});
  else if (dt == bfloat16)
    f(type_tag<bfloat16_t>{});
  else
    fail(op, "Only float32, float16 and bfloat16 are supported. Got ", dt, ".");
}

/// The element offset of every matrix of `a` (its dims but the last two are the batch),
/// in row-major order over `batch` (a's batch dims broadcast to it).
inline std::vector<int64_t> matrix_offsets(const array& a, const Shape& batch) {
  const int nd = static_cast<int>(a.ndim());
  Shape bs(a.shape().begin(), a.shape().begin() + std::max(nd - 2, 0));
  Strides st(a.strides().begin(), a.strides().begin() + std::max(nd - 2, 0));
  return cpu::gemm_impl::batch_offsets(batch, broadcast_strides(bs, st, batch));
}

}  // namespace detail

/// w (..., K) floating -> {w_q (..., K * bits / 32) uint32, scales, biases (..., K / gs)}.
template <class = void>
class Quantize : public Primitive {
 public:
  Quantize(Stream s, int group_size, int bits)
      : Primitive(s), group_size_(group_size), bits_(bits) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    array w = cpu::ensure_row_contiguous(inputs[0]);
    for (auto& o : outputs) o.set_data(allocator::malloc(o.nbytes()));
    const int64_t groups = static_cast<int64_t>(w.size()) / group_size_;
    detail::dispatch_quant_float(w.dtype(), "quantize", [&](auto tag) {
      using T = typename decltype(tag)::type;
      cpu::quant::dispatch_bits(bits_, [&](auto bits_c) {
        constexpr int B = decltype(bits_c)::value;
        const T* src = w.template data<T>();
        uint32_t* q = outputs[0].template data<uint32_t>();
        T* sc = outputs[1].template data<T>();
        T* bi = outputs[2].template data<T>();
        cpu::parallel_for(groups, 256, [&](int64_t g0, int64_t g1) {
          cpu::quant::quantize_groups<T, B>(src, q, sc, bi, group_size_, g0, g1);
        });
      });
    });
  }
  const char* name() const override { return "Quantize"; }

 private:
  int group_size_, bits_;
};

/// w_q (..., Kw) uint32 with scales, biases (..., K / gs) of one float dtype -> (..., K)
/// in the output's dtype, each value rounded in the scales' dtype first (as MLX).
template <class = void>
class Dequantize : public UnaryPrimitive {
 public:
  Dequantize(Stream s, int group_size, int bits)
      : UnaryPrimitive(s), group_size_(group_size), bits_(bits) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    array w = cpu::ensure_row_contiguous(inputs[0]);
    array s = cpu::ensure_row_contiguous(inputs[1]);
    array b = cpu::ensure_row_contiguous(inputs[2]);
    const int64_t elems = out.shape(-1), wpr = w.shape(-1);
    const int64_t rows = static_cast<int64_t>(out.size()) / elems;
    detail::dispatch_quant_float(s.dtype(), "dequantize", [&](auto tag) {
      using T = typename decltype(tag)::type;
      detail::dispatch_quant_float(out.dtype(), "dequantize", [&](auto otag) {
        using O = typename decltype(otag)::type;
        cpu::quant::dispatch_bits(bits_, [&](auto bits_c) {
          constexpr int B = decltype(bits_c)::value;
          cpu::parallel_for(rows, std::max<int64_t>(1, 16384 / elems), [&](int64_t r0, int64_t r1) {
            cpu::quant::dequantize_rows<T, O, B>(w.template data<uint32_t>(), s.template data<T>(),
                                                 b.template data<T>(), out.template data<O>(), wpr,
                                                 elems, group_size_, r0, r1);
          });
        });
      });
    });
  }
  const char* name() const override { return "Dequantize"; }

 private:
  int group_size_, bits_;
};

/// x (..., M, K) @ the quantized w (transpose: (..., N, K) packed, else (..., K, N) packed);
/// inputs x, w, scales, biases with x, scales and biases in the output's dtype. Batch dims
/// of x and w broadcast to the output's.
template <class = void>
class QuantizedMatmul : public UnaryPrimitive {
 public:
  QuantizedMatmul(Stream s, int group_size, int bits, bool transpose)
      : UnaryPrimitive(s), group_size_(group_size), bits_(bits), transpose_(transpose) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    const array& x0 = inputs[0];
    array w = cpu::ensure_row_contiguous(inputs[1]);
    array s = cpu::ensure_row_contiguous(inputs[2]);
    array b = cpu::ensure_row_contiguous(inputs[3]);
    cpu::quant::QmmShape sh;
    sh.K = x0.shape(-1);
    sh.M = x0.ndim() > 1 ? x0.shape(-2) : 1;
    sh.N = out.shape(-1);
    sh.transpose = transpose_;
    sh.bits = bits_;
    sh.group_size = group_size_;
    Shape batch = x0.ndim() > 1 ? Shape(out.shape().begin(), out.shape().end() - 2) : Shape{};
    array xk;
    std::vector<float> xbuf;
    const float* x = cpu::quant::as_float_rows(x0, xk, xbuf);
    // x is row-major now: its matrix offsets follow from its shape.
    std::vector<int64_t> x_off = x0.ndim() > 1 ? detail::matrix_offsets(xk, batch)
                                              : std::vector<int64_t>{0};
    auto w_off = detail::matrix_offsets(w, batch);
    auto g_off = detail::matrix_offsets(s, batch);
    detail::dispatch_quant_float(s.dtype(), "quantized_matmul", [&](auto tag) {
      using T = typename decltype(tag)::type;
      cpu::quant::qmm_batched<T>(sh, x, w.template data<uint32_t>(), s.template data<T>(),
                                 b.template data<T>(), x_off, w_off, g_off, out);
    });
  }
  const char* name() const override { return "QuantizedMatmul"; }

  /// Derivatives with respect to x (input 0): the cotangent is the quantized product with
  /// the other transpose, the tangent the same product of x's tangent. The packed weight,
  /// scales and biases have none here (std::runtime_error naming them). Defined in
  /// ops/quantized.hpp, which has the ops these rules build on.
  std::vector<array> vjp(const std::vector<array>& primals, const std::vector<array>& cotangents,
                         const std::vector<int>& argnums, const std::vector<array>& outputs) override;
  std::vector<array> jvp(const std::vector<array>& primals, const std::vector<array>& tangents,
                         const std::vector<int>& argnums) override;

  int group_size() const { return group_size_; }
  int bits() const { return bits_; }
  bool transpose() const { return transpose_; }

 protected:
  int group_size_, bits_;
  bool transpose_;
};

/// out[i] = quantized_matmul(x[lhs[i]], w[rhs[i]]) over the flattened batch dims of x and
/// of w (with its scales and biases); inputs x, w, scales, biases, lhs, rhs (uint32, one
/// shape: the output's batch dims).
template <class = void>
class GatherQMM : public QuantizedMatmul<> {
 public:
  using QuantizedMatmul<>::QuantizedMatmul;

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    if (out.size() == 0) {
      out.set_data(allocator::malloc(out.nbytes()));
      return;
    }
    const array& x0 = inputs[0];
    array w = cpu::ensure_row_contiguous(inputs[1]);
    array s = cpu::ensure_row_contiguous(inputs[2]);
    array b = cpu::ensure_row_contiguous(inputs[3]);
    array li = cpu::ensure_row_contiguous(inputs[4]), ri = cpu::ensure_row_contiguous(inputs[5]);
    cpu::quant::QmmShape sh;
    sh.K = x0.shape(-1);
    sh.M = x0.shape(-2);
    sh.N = out.shape(-1);
    sh.transpose = transpose_;
    sh.bits = bits_;
    sh.group_size = group_size_;
    array xk;
    std::vector<float> xbuf;
    const float* x = cpu::quant::as_float_rows(x0, xk, xbuf);
    auto own = [](const array& a) { return Shape(a.shape().begin(), a.shape().end() - 2); };
    auto x_all = detail::matrix_offsets(xk, own(xk));
    auto w_all = detail::matrix_offsets(w, own(w));
    auto g_all = detail::matrix_offsets(s, own(s));
    const uint32_t* lp = li.data<uint32_t>();
    const uint32_t* rp = ri.data<uint32_t>();
    std::vector<int64_t> x_off(li.size()), w_off(li.size()), g_off(li.size());
    for (size_t i = 0; i < li.size(); ++i) {
      // MLX reads out of bounds here; an index past the batch is an error instead.
      if (lp[i] >= x_all.size())
        detail::fail<std::out_of_range>("gather_qmm", "Index ", lp[i],
                                        " in lhs_indices is out of range for x of shape ",
                                        x0.shape(), " (", x_all.size(), " matrices).");
      if (rp[i] >= w_all.size())
        detail::fail<std::out_of_range>("gather_qmm", "Index ", rp[i],
                                        " in rhs_indices is out of range for w of shape ",
                                        w.shape(), " (", w_all.size(), " matrices).");
      x_off[i] = x_all[lp[i]];
      w_off[i] = w_all[rp[i]];
      g_off[i] = g_all[rp[i]];
    }
    out.set_data(allocator::malloc(out.nbytes()));  // only once the indices are valid
    detail::dispatch_quant_float(s.dtype(), "gather_qmm", [&](auto tag) {
      using T = typename decltype(tag)::type;
      cpu::quant::qmm_batched<T>(sh, x, w.template data<uint32_t>(), s.template data<T>(),
                                 b.template data<T>(), x_off, w_off, g_off, out);
    });
  }
  const char* name() const override { return "GatherQMM"; }

  // QuantizedMatmul's rules read its four inputs; GatherQMM has two more and no rule yet.
  std::vector<array> vjp(const std::vector<array>& primals, const std::vector<array>& cotangents,
                         const std::vector<int>& argnums, const std::vector<array>& outputs) override {
    return Primitive::vjp(primals, cotangents, argnums, outputs);
  }
  std::vector<array> jvp(const std::vector<array>& primals, const std::vector<array>& tangents,
                         const std::vector<int>& argnums) override {
    return Primitive::jvp(primals, tangents, argnums);
  }
};

}  // namespace mlx::core
