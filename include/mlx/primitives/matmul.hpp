// SPDX-License-Identifier: MIT
// Matrix-product primitives: Matmul (batched, broadcast batch dims, 1-d operands), AddMM
// (alpha * a @ b + beta * c), GatherMM, SegmentedMM, and the diagonal view / diagonal
// matrix behind diagonal, diag and trace. Kernels: backend/cpu/gemm.hpp, and
// backend/gpu/matmul.hpp for Matmul and AddMM on Device::gpu.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/gemm.hpp"
#include "mlx/backend/gpu/matmul.hpp"
#include "mlx/core/primitive.hpp"
#include "mlx/primitives/shape.hpp"

namespace mlx::core {

namespace detail {

/// The batch shape of a matmul operand: every dim but the last two (none for a vector).
inline Shape matmul_batch_shape(const Shape& s) {
  return s.size() <= 2 ? Shape{} : Shape(s.begin(), s.end() - 2);
}

/// Writes evaluated `c`, broadcast to `shape` (c's shape must broadcast to it), into
/// row-major dst as T.
template <class T>
void fill_broadcast(const array& c, const Shape& shape, T* dst) {
  const int64_t n = shape_size(shape);
  if (n == 0) return;
  Strides st = broadcast_strides(c.shape(), c.strides(), shape);
  const int nd = static_cast<int>(shape.size());
  const int64_t inner = nd ? shape[nd - 1] : 1;
  const int64_t inner_stride = nd ? st[nd - 1] : 0;
  const char* base = static_cast<const char*>(c.raw_data());
  const int64_t item = static_cast<int64_t>(c.itemsize());
  std::vector<int64_t> idx(nd, 0);
  for (int64_t row = 0; row < n / inner; ++row) {
    int64_t off = 0;
    for (int d = 0; d + 1 < nd; ++d) off += idx[d] * st[d];
    cpu::gather_convert(base + off * item, c.dtype(), inner_stride, dst + row * inner, inner);
    for (int d = nd - 2; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/// out = alpha * (a @ b) + beta * c over broadcast batch dims; a 1-d `a` is one row, a 1-d
/// `b` one column (those dims are absent from out's shape). `c` (may be null) broadcasts to
/// out's shape. Inputs are evaluated, of out's dtype, in any layout.
inline void matmul_eval(const array& a, const array& b, const array* c, double alpha, double beta,
                        array& out) {
  out.set_data(allocator::malloc(out.nbytes()));
  if (out.size() == 0) return;
  Shape batch = broadcast_shapes(matmul_batch_shape(a.shape()), matmul_batch_shape(b.shape()));
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool direct = cpu::stored_as<T>(out.dtype());
    // float16/bfloat16 outputs are computed in a float32 buffer and converted at the end.
    allocator::Buffer tmp = direct ? out.buffer() : allocator::malloc(out.size() * sizeof(T));
    T* dst = static_cast<T*>(direct ? out.raw_data() : tmp.ptr());
    T al = static_cast<T>(alpha), be = c ? static_cast<T>(beta) : T(0);
    if (c) fill_broadcast<T>(*c, out.shape(), dst);
    array ka, kb;
    auto ma = cpu::prepare_operand<T>(a, true, batch, ka);
    auto mb = cpu::prepare_operand<T>(b, false, batch, kb);
    cpu::gemm_batched<T>(ma, mb, dst, al, be);
    if (!direct) {
      cpu::store_convert(dst, out.raw_data(), out.dtype(), static_cast<int64_t>(out.size()));
      allocator::free(tmp);
    }
  };
  if (out.dtype() == float64)
    run(type_tag<double>{});
  else if (out.dtype() == complex64)
    run(type_tag<complex64_t>{});
  else
    run(type_tag<float>{});
}

}  // namespace detail

/// a @ b (see detail::matmul_eval for the operand conventions).
template <class = void>
class Matmul : public UnaryPrimitive {
 public:
  explicit Matmul(Stream s) : UnaryPrimitive(s) {}
  void eval_cpu(const std::vector<array>& in, array& out) override {
    detail::matmul_eval(in[0], in[1], nullptr, 1.0, 0.0, out);
  }
  // Dtypes or sizes the GPU kernels do not take run on the CPU (Primitive's fallback).
  void eval_gpu(const std::vector<array>& in, std::vector<array>& out) override {
    if (!gpu::matmul_gpu(in[0], in[1], nullptr, 1.f, 0.f, out[0])) Primitive::eval_gpu(in, out);
  }
  const char* name() const override { return "Matmul"; }
  bool is_equivalent(const Primitive& other) const override {
    return dynamic_cast<const Matmul*>(&other) != nullptr;
  }
};

/// alpha * (a @ b) + beta * c; inputs a, b, c with c broadcastable to the output.
template <class = void>
class AddMM : public UnaryPrimitive {
 public:
  AddMM(Stream s, float alpha, float beta) : UnaryPrimitive(s), alpha_(alpha), beta_(beta) {}
  void eval_cpu(const std::vector<array>& in, array& out) override {
    detail::matmul_eval(in[0], in[1], &in[2], alpha_, beta_, out);
  }
  void eval_gpu(const std::vector<array>& in, std::vector<array>& out) override {
    if (!gpu::matmul_gpu(in[0], in[1], &in[2], alpha_, beta_, out[0]))
      Primitive::eval_gpu(in, out);
  }
  const char* name() const override { return "AddMM"; }
  float alpha() const { return alpha_; }
  float beta() const { return beta_; }
  bool is_equivalent(const Primitive& other) const override {
    auto* o = dynamic_cast<const AddMM*>(&other);
    return o && o->alpha_ == alpha_ && o->beta_ == beta_;
  }

 private:
  float alpha_, beta_;
};

/// The diagonal of axes (ax1, ax2) with `offset` as a view of the input (no copy): those
/// axes are removed and the diagonal becomes the last axis.
template <class = void>
class Diagonal : public UnaryPrimitive {
 public:
  Diagonal(Stream s, int offset, int ax1, int ax2)
      : UnaryPrimitive(s), offset_(offset), ax1_(ax1), ax2_(ax2) {}
  void eval_cpu(const std::vector<array>& in, array& out) override {
    const array& a = in[0];
    Strides st;
    for (int d = 0; d < static_cast<int>(a.ndim()); ++d)
      if (d != ax1_ && d != ax2_) st.push_back(a.strides()[d]);
    st.push_back(a.strides()[ax1_] + a.strides()[ax2_]);
    int64_t start = 0;
    if (out.size() > 0)  // an empty diagonal may start past the end
      start = std::max(-offset_, 0) * a.strides()[ax1_] + std::max(offset_, 0) * a.strides()[ax2_];
    detail::make_view(a, out, st, start);
  }
  const char* name() const override { return "Diagonal"; }
  bool is_equivalent(const Primitive& other) const override {
    auto* o = dynamic_cast<const Diagonal*>(&other);
    return o && o->offset_ == offset_ && o->ax1_ == ax1_ && o->ax2_ == ax2_;
  }

 private:
  int offset_, ax1_, ax2_;
};

/// An (n, n) matrix, zero but for the input vector on diagonal k.
template <class = void>
class MakeDiagonal : public UnaryPrimitive {
 public:
  MakeDiagonal(Stream s, int k) : UnaryPrimitive(s), k_(k) {}
  void eval_cpu(const std::vector<array>& in, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    std::memset(out.raw_data(), 0, out.nbytes());  // all-zero bytes are 0 in every dtype
    array v = cpu::ensure_row_contiguous(in[0]);
    const int64_t n = out.shape(0), len = static_cast<int64_t>(v.size());
    const int64_t r0 = std::max(-k_, 0), c0 = std::max(k_, 0);
    const size_t item = out.itemsize();
    const char* src = static_cast<const char*>(v.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    for (int64_t i = 0; i < len; ++i)
      std::memcpy(dst + ((r0 + i) * n + c0 + i) * item, src + i * item, item);
  }
  const char* name() const override { return "MakeDiagonal"; }

 private:
  int k_;
};

namespace detail {
/// Runs gemm(T* dst) with T = double for a float64 output and float otherwise (halves
/// accumulate in float32), writing straight into `out` when it is stored as T and through
/// a temporary that is rounded into `out` afterwards when not.
template <class Gemm>
void gemm_into_output(array& out, Gemm&& gemm) {
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (cpu::stored_as<T>(out.dtype())) {
      gemm(static_cast<T*>(out.raw_data()));
      return;
    }
    allocator::Buffer tmp = allocator::malloc(out.size() * sizeof(T));
    gemm(static_cast<T*>(tmp.ptr()));
    cpu::store_convert(static_cast<T*>(tmp.ptr()), out.raw_data(), out.dtype(),
                       static_cast<int64_t>(out.size()));
    allocator::free(tmp);
  };
  if (out.dtype() == float64)
    run(type_tag<double>{});
  else
    run(type_tag<float>{});
}
}  // namespace detail

/// out[i] = a[lhs[i]] @ b[rhs[i]] over the flattened batch dims of a and b; the index
/// arrays (uint32, same shape) are the output's batch dims. Inputs: a, b, lhs, rhs.
template <class = void>
class GatherMM : public UnaryPrimitive {
 public:
  explicit GatherMM(Stream s) : UnaryPrimitive(s) {}
  void eval_cpu(const std::vector<array>& in, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    const array &a = in[0], &b = in[1];
    array li = cpu::ensure_row_contiguous(in[2]), ri = cpu::ensure_row_contiguous(in[3]);
    detail::gemm_into_output(out, [&](auto* dst) {
      using T = std::remove_pointer_t<decltype(dst)>;
      array ka, kb;
      auto ma = cpu::prepare_operand<T>(a, true, matmul_batch_shape(a.shape()), ka);
      auto mb = cpu::prepare_operand<T>(b, false, matmul_batch_shape(b.shape()), kb);
      ma.batch_offset = pick(ma.batch_offset, li, "lhs_indices", a.shape());
      mb.batch_offset = pick(mb.batch_offset, ri, "rhs_indices", b.shape());
      cpu::gemm_batched<T>(ma, mb, dst, T(1), T(0));
    });
  }
  const char* name() const override { return "GatherMM"; }

 private:
  static Shape matmul_batch_shape(const Shape& s) { return detail::matmul_batch_shape(s); }
  /// The offsets of the matrices the indices select; an index past the operand's batch
  /// throws std::out_of_range (MLX reads out of bounds instead).
  static std::vector<int64_t> pick(const std::vector<int64_t>& all, const array& idx,
                                   const char* what, const Shape& shape) {
    const uint32_t* p = static_cast<const uint32_t*>(idx.raw_data());
    std::vector<int64_t> off(idx.size());
    for (size_t i = 0; i < idx.size(); ++i) {
      if (p[i] >= all.size())
        detail::fail<std::out_of_range>("gather_mm", "Index ", p[i], " in ", what,
                                        " is out of range for an operand of shape ", shape,
                                        " (", all.size(), " matrices).");
      off[i] = all[p[i]];
    }
    return off;
  }
};

/// out[i] = a[:, s_i:e_i] @ b[s_i:e_i, :] for the [start, end) pairs of the segments
/// (uint32, shape (..., 2)); an empty or reversed pair gives zeros, as in MLX. Inputs: a
/// (M, K), b (K, N), segments; the output is segments.shape[:-1] + (M, N).
template <class = void>
class SegmentedMM : public UnaryPrimitive {
 public:
  explicit SegmentedMM(Stream s) : UnaryPrimitive(s) {}
  void eval_cpu(const std::vector<array>& in, array& out) override {
    const array &a = in[0], &b = in[1];
    array seg = cpu::ensure_row_contiguous(in[2]);
    const uint32_t* p = static_cast<const uint32_t*>(seg.raw_data());
    const int64_t nseg = static_cast<int64_t>(seg.size() / 2), K = a.shape(1);
    // MLX reads past the operands for an end beyond K; here that is an error, raised
    // before any work with the output left unevaluated (as the indexing ops do).
    for (int64_t i = 0; i < nseg; ++i)
      if (p[2 * i + 1] > p[2 * i] && p[2 * i + 1] > K)
        detail::fail<std::out_of_range>("segmented_mm", "Segment ", i, " [", p[2 * i], ", ",
                                        p[2 * i + 1], ") is out of range for the inner ",
                                        "dimension of size ", K, ".");
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    detail::gemm_into_output(out, [&](auto* dst) {
      using T = std::remove_pointer_t<decltype(dst)>;
      // Views of a and b as BLAS reads them (float16/bfloat16: float32 copies); each
      // segment is then a sub-block of them with the same leading dimensions.
      array ka, kb;
      const auto ma = cpu::prepare_operand<T>(a, true, Shape{}, ka);
      const auto mb = cpu::prepare_operand<T>(b, false, Shape{}, kb);
      const int64_t mn = ma.rows * mb.cols;
      for (int64_t i = 0; i < nseg; ++i) {
        const uint32_t s0 = p[2 * i], s1 = p[2 * i + 1];
        T* c = dst + i * mn;
        if (s1 <= s0) {
          std::fill(c, c + mn, T(0));
          continue;
        }
        auto sa = ma, sb = mb;
        sa.data += static_cast<int64_t>(s0) * ma.col_stride;
        sb.data += static_cast<int64_t>(s0) * mb.row_stride;
        sa.cols = sb.rows = static_cast<int64_t>(s1 - s0);
        cpu::gemm_batched<T>(sa, sb, c, T(1), T(0));
      }
    });
  }
  const char* name() const override { return "SegmentedMM"; }
  bool is_equivalent(const Primitive& other) const override {
    return dynamic_cast<const SegmentedMM*>(&other) != nullptr;
  }
};

}  // namespace mlx::core
