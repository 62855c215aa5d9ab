// SPDX-License-Identifier: MIT
// MLX's affine group-wise quantization ops (MLX's signatures from ops.h): quantize,
// dequantize, quantized_matmul, gather_qmm. Bit-compatible with MLX's packed format; the
// CPU kernels are in backend/cpu/quantized.hpp. QuantizedMatmul's derivative rules (with
// respect to x) are defined at the end of this file.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/primitives/quantized.hpp"

namespace mlx::core {

namespace detail {

/// Accepts mode "affine"; MLX's floating-point modes are named as not implemented here.
inline void check_quantization_mode(std::string_view op, const std::string& mode) {
  if (mode == "affine") return;
  if (mode == "mxfp4" || mode == "mxfp8" || mode == "nvfp4")
    fail(op, "Quantization mode '", mode, "' is not implemented; only 'affine' is supported.");
  fail(op, "Invalid quantization mode '", mode, "'.");
}

/// The group sizes and bit widths the kernels take (MLX's affine set).
inline void check_quantization_params(std::string_view op, int group_size, int bits) {
  if (group_size != 32 && group_size != 64 && group_size != 128)
    fail(op, "The requested group size ", group_size,
         " is not supported. The supported group sizes are 32, 64, and 128.");
  if (bits < 2 || bits > 8 || bits == 7)
    fail(op, "The requested number of bits ", bits,
         " is not supported. The supported bits are 2, 3, 4, 5, 6 and 8.");
}

/// MLX's validate_mode_with_type for the affine mode: biases are required and scales with
/// biases promote to a real floating type (the dtype returned). float64 has no kernel.
inline Dtype affine_scales_dtype(std::string_view op, const array& scales,
                                 const std::optional<array>& biases) {
  if (!biases) fail(op, "Biases must be provided for affine quantization.");
  Dtype t = promote_types(scales.dtype(), biases->dtype());
  if (!issubdtype(t, floating))
    fail(op, "Only real floating types are supported but scales.dtype() == ", scales.dtype(),
         " and biases.dtype() == ", biases->dtype(), ".");
  return t;
}

inline void reject_float64(std::string_view op, Dtype t, const char* what) {
  if (t == float64)
    fail(op, "float64 ", what, " are not supported; use float32, float16 or bfloat16.");
}

/// MLX's validate_quantized_input + extract_quantized_matmul_dims: checks w, scales and
/// biases against each other and x, and returns (inner, outer) dims of the expanded w.
inline std::pair<int, int> quantized_matmul_dims(std::string_view op, const array& x,
                                                 const array& w, const array& scales,
                                                 const array& biases, bool transpose,
                                                 int group_size, int bits) {
  if (w.dtype() != uint32)
    fail(op, "The weight matrix should be uint32 but received ", w.dtype());
  if (scales.shape() != biases.shape())
    fail(op, "Scales and biases should have the same shape. Received scales with shape ",
         scales.shape(), " and biases with ", biases.shape());
  if (w.ndim() < 2)
    fail(op, "The quantized weight matrix must have at least 2 dimensions but it has shape ",
         w.shape(), ".");
  if (x.ndim() == 0) fail(op, "Got 0 dimension input. Inputs must have at least one dimension.");
  // MLX compares only the batch dims here; the row count is checked too so that a scales
  // array with too few rows cannot be read past its end.
  if (scales.ndim() != w.ndim() ||
      !std::equal(w.shape().begin(), w.shape().end() - 1, scales.shape().begin()))
    fail(op, "Weight and scales should have the same batch shape. Received weight with shape ",
         w.shape(), ", scales with ", scales.shape(), ".");
  if (static_cast<int64_t>(w.shape(-1)) * 32 / bits !=
      static_cast<int64_t>(scales.shape(-1)) * group_size)
    fail(op, "The shapes of the weight and scales are incompatible based on bits and group_size. ",
         "w.shape() == ", w.shape(), " and scales.shape() == ", scales.shape(),
         " with group_size=", group_size, " and bits=", bits);
  const int expanded = static_cast<int>(static_cast<int64_t>(w.shape(-1)) * 32 / bits);
  const int inner = transpose ? expanded : w.shape(-2);
  const int outer = transpose ? w.shape(-2) : expanded;
  if (inner != x.shape(-1))
    fail(op, "Last dimension of first input with shape (..., ", x.shape(-1),
         ") does not match the expanded quantized matrix (", inner, ", ", outer,
         ") computed from shape ", w.shape(), " with group_size=", group_size, ", bits=", bits,
         " and transpose=", transpose ? "true" : "false");
  return {inner, outer};
}

/// The output dtype of a quantized product: x promoted with the scales' dtype, which must
/// be real floating (and not float64, which has no kernel).
inline Dtype quantized_matmul_dtype(std::string_view op, const array& x, Dtype scales_t) {
  Dtype t = promote_types(x.dtype(), scales_t);
  if (!issubdtype(t, floating))
    fail(op, "Only real floating types are supported but x.dtype() == ", x.dtype(), ".");
  reject_float64(op, t, "inputs");
  return t;
}

/// x in dtype t (x itself when it already is).
template <class = void>
inline array quant_cast(const array& x, Dtype t, const StreamOrDevice& s) {
  return x.dtype() == t ? x : array(astype(x, t, s));
}

inline Shape drop_last2(const Shape& s) {
  return Shape(s.begin(), s.end() - std::min<size_t>(2, s.size()));
}

}  // namespace detail

/// Quantizes w along its last axis in groups of group_size (default 64) with bits bits
/// (default 4) in MLX's affine mode: returns {w_q (uint32, last dim K * bits / 32), scales,
/// biases (w's dtype, last dim K / group_size)} with w ~ scales * q + biases per group.
/// \throws std::invalid_argument for a mode other than "affine", a global_scale, w that is
/// not float32/float16/bfloat16 or has fewer than 2 dims, an unsupported group size (32,
/// 64, 128) or bit width (2, 3, 4, 5, 6, 8), or a last dim not divisible by group_size.
template <class = void>
inline std::vector<array> quantize(const array& w, std::optional<int> group_size = std::nullopt,
                                   std::optional<int> bits = std::nullopt,
                                   const std::string& mode = "affine",
                                   const std::optional<array>& global_scale = std::nullopt,
                                   StreamOrDevice s = {}) {
  detail::check_quantization_mode("quantize", mode);
  if (global_scale)
    detail::fail("quantize", "Global scale is only supported for the 'nvfp4' quantization mode.");
  const int gs = group_size.value_or(64), b = bits.value_or(4);
  if (!issubdtype(w.dtype(), floating))
    detail::fail("quantize", "Only real floating types can be quantized but w has type ",
                 w.dtype(), ".");
  detail::reject_float64("quantize", w.dtype(), "weights");
  if (w.ndim() < 2)
    detail::fail("quantize", "The matrix to be quantized must have at least 2 dimension but it has only ",
                 w.ndim(), ".");
  detail::check_quantization_params("quantize", gs, b);
  if (w.shape(-1) % gs != 0)
    detail::fail("quantize", "The last dimension of the matrix needs to be divisible by the ",
                 "quantization group size ", gs, ". However the provided  matrix has shape ",
                 w.shape());
  Shape wq = w.shape(), sc = w.shape();
  wq.back() = static_cast<ShapeElem>(static_cast<int64_t>(w.shape(-1)) * b / 32);
  sc.back() = w.shape(-1) / gs;
  return array::make_arrays({std::move(wq), sc, sc}, {uint32, w.dtype(), w.dtype()},
                            std::make_shared<Quantize<>>(to_stream(s), gs, b), {w});
}

/// The inverse of quantize: scales * q + biases per group, computed in the dtype of scales
/// and biases (promoted) and returned in `dtype` (default that dtype).
/// \throws std::invalid_argument for a mode other than "affine", missing biases, non-float
/// scales/biases or dtype, bits/group_size not positive or unsupported bits, w not uint32
/// or with fewer than 2 dims, and scales/biases whose shape does not match w's.
template <class = void>
inline array dequantize(const array& w, const array& scales,
                        const std::optional<array>& biases = std::nullopt,
                        std::optional<int> group_size = std::nullopt,
                        std::optional<int> bits = std::nullopt, const std::string& mode = "affine",
                        const std::optional<array>& global_scale = std::nullopt,
                        std::optional<Dtype> dtype = std::nullopt, StreamOrDevice s = {}) {
  detail::check_quantization_mode("dequantize", mode);
  if (global_scale)
    detail::fail("dequantize", "Global scale is only supported for the 'nvfp4' quantization mode.");
  if (dtype && !issubdtype(*dtype, floating))
    detail::fail("dequantize", "Only real floating types are supported but output dtype == ",
                 *dtype, ".");
  const Dtype t = detail::affine_scales_dtype("dequantize", scales, biases);
  const Dtype out_t = dtype.value_or(t);
  detail::reject_float64("dequantize", t, "scales and biases");
  detail::reject_float64("dequantize", out_t, "outputs");
  const int gs = group_size.value_or(64), b = bits.value_or(4);
  if (b <= 0) detail::fail("dequantize", "Invalid value for bits: ", b);
  if (gs <= 0) detail::fail("dequantize", "Invalid value for group_size: ", gs);
  if (b > 8 || b == 1 || b == 7)
    detail::fail("dequantize", "The requested number of bits ", b,
                 " is not supported. The supported bits are 2, 3, 4, 5, 6 and 8.");
  if (w.dtype() != uint32) detail::fail("dequantize", "The matrix should be given as a uint32");
  if (w.ndim() < 2)
    detail::fail("dequantize", "The matrix to be dequantized must have at least 2 dimension but it has only ",
                 w.ndim(), ".");
  const array& bi = *biases;
  auto same_but_last = [&](const array& a) {
    return a.ndim() == w.ndim() &&
           std::equal(w.shape().begin(), w.shape().end() - 1, a.shape().begin());
  };
  if (!same_but_last(scales) || !same_but_last(bi) || scales.shape(-1) != bi.shape(-1))
    detail::fail("dequantize", "Shape of scales and biases does not match the matrix");
  const int64_t out_size = static_cast<int64_t>(w.shape(-1)) * 32 / b;
  if (out_size != static_cast<int64_t>(scales.shape(-1)) * gs ||
      static_cast<int64_t>(w.shape(-1)) * 32 % b != 0)
    detail::fail("dequantize", "Shape of scales and biases does not match the matrix given the ",
                 "quantization parameters. Provided matrix of shape ", w.shape(),
                 " and scales/biases of shape ", scales.shape(), " with group_size=", gs,
                 " and bits=", b, ".");
  Shape out_shape = w.shape();
  out_shape.back() = static_cast<ShapeElem>(out_size);
  return array(std::move(out_shape), out_t, std::make_shared<Dequantize<>>(to_stream(s), gs, b),
               {w, detail::quant_cast(scales, t, s), detail::quant_cast(bi, t, s)});
}

/// x @ dequantize(w, scales, biases)^T (transpose, default) or x @ dequantize(...), without
/// materialising the dequantized matrix. x is (..., M, K) or (K,); batch dims of x and w
/// broadcast. The result has x's dtype promoted with the scales'.
/// \throws std::invalid_argument as MLX: mode, missing/mismatched biases and scales, w not
/// uint32, K not matching the expanded w, non-float types; also unsupported group sizes
/// or bits (MLX's CPU kernel throws those at evaluation) and batch dims that do not
/// broadcast.
template <class = void>
inline array quantized_matmul(array x, array w, array scales,
                              std::optional<array> biases = std::nullopt, bool transpose = true,
                              std::optional<int> group_size = std::nullopt,
                              std::optional<int> bits = std::nullopt,
                              const std::string& mode = "affine", StreamOrDevice s = {}) {
  constexpr const char* op = "quantized_matmul";
  detail::check_quantization_mode(op, mode);
  const Dtype st = detail::affine_scales_dtype(op, scales, biases);
  const int gs = group_size.value_or(64), b = bits.value_or(4);
  detail::check_quantization_params(op, gs, b);
  auto [inner, outer] = detail::quantized_matmul_dims(op, x, w, scales, *biases, transpose, gs, b);
  (void)inner;
  const Dtype t = detail::quantized_matmul_dtype(op, x, st);
  const bool vec = x.ndim() == 1;
  array x2 = vec ? reshape(x, {1, x.shape(0)}, s) : x;
  Shape out_shape;
  try {
    out_shape = broadcast_shapes(detail::drop_last2(x2.shape()), detail::drop_last2(w.shape()));
  } catch (const std::invalid_argument&) {
    detail::fail(op, "Batch dimensions of x with shape ", x.shape(), " and w with shape ",
                 w.shape(), " cannot be broadcast.");
  }
  out_shape.push_back(x2.shape(-2));
  out_shape.push_back(outer);
  array out(std::move(out_shape), t,
            std::make_shared<QuantizedMatmul<>>(to_stream(s), gs, b, transpose),
            {detail::quant_cast(x2, t, s), w, detail::quant_cast(scales, t, s),
             detail::quant_cast(*biases, t, s)});
  return vec ? squeeze(out, -2, s) : out;
}

/// Quantized products of matrices picked from x's and w's flattened batch dims:
/// out[i...] = quantized_matmul(x[lhs_indices[i...]], w[rhs_indices[i...]]) (indices
/// broadcast together; an omitted one is the identity over its operand's batch). Without
/// indices this is quantized_matmul. sorted_indices is a GPU scheduling hint.
/// \throws std::invalid_argument as quantized_matmul, for non-integer indices and x with
/// fewer than 2 dims; std::out_of_range at evaluation for an index past the batch.
template <class = void>
inline array gather_qmm(const array& x, const array& w, const array& scales,
                        const std::optional<array>& biases = std::nullopt,
                        std::optional<array> lhs_indices = std::nullopt,
                        std::optional<array> rhs_indices = std::nullopt, bool transpose = true,
                        std::optional<int> group_size = std::nullopt,
                        std::optional<int> bits = std::nullopt, const std::string& mode = "affine",
                        bool sorted_indices = false, StreamOrDevice s = {}) {
  (void)sorted_indices;  // a scheduling hint for GPU kernels; the CPU result is the same
  if (!lhs_indices && !rhs_indices)
    return quantized_matmul(x, w, scales, biases, transpose, group_size, bits, mode, s);
  constexpr const char* op = "gather_qmm";
  detail::check_quantization_mode(op, mode);
  const Dtype st = detail::affine_scales_dtype(op, scales, biases);
  const int gs = group_size.value_or(64), b = bits.value_or(4);
  detail::check_quantization_params(op, gs, b);
  auto [inner, outer] = detail::quantized_matmul_dims(op, x, w, scales, *biases, transpose, gs, b);
  (void)inner;
  const Dtype t = detail::quantized_matmul_dtype(op, x, st);
  auto indices = [&](const std::optional<array>& idx, const array& m, const char* what) {
    if (idx) {
      if (!issubdtype(idx->dtype(), integer))
        detail::fail(op, "Got ", what, " with invalid dtype. Indices must be integral.");
      return detail::quant_cast(*idx, uint32, s);
    }
    Shape batch = detail::drop_last2(m.shape());
    return reshape(arange(0.0, static_cast<double>(shape_size(batch)), 1.0, uint32, s), batch, s);
  };
  if (x.ndim() < 2)
    detail::fail(op, "Non-quantized input must have at least two dimensions but got input with shape ",
                 x.shape(), ".");
  array li = indices(lhs_indices, x, "lhs_indices"), ri = indices(rhs_indices, w, "rhs_indices");
  std::vector<array> both;
  try {
    both = broadcast_arrays({li, ri}, s);
  } catch (const std::invalid_argument&) {
    detail::fail(op, "lhs_indices with shape ", li.shape(), " and rhs_indices with shape ",
                 ri.shape(), " cannot be broadcast.");
  }
  Shape out_shape = both[0].shape();
  out_shape.push_back(x.shape(-2));
  out_shape.push_back(outer);
  return array(std::move(out_shape), t,
               std::make_shared<GatherQMM<>>(to_stream(s), gs, b, transpose),
               {detail::quant_cast(x, t, s), w, detail::quant_cast(scales, t, s),
                detail::quant_cast(*biases, t, s), both[0], both[1]});
}

// ---- QuantizedMatmul's derivatives (declared in primitives/quantized.hpp) -----------------

namespace detail {
/// The rules differentiate x only, as MLX's do for the packed weight.
[[noreturn]] inline void quantized_matmul_no_derivative(const char* rule, int argnum) {
  static constexpr const char* what[] = {"x", "quantized weight", "scales", "biases"};
  fail<std::runtime_error>(rule, "No derivative with respect to the ", what[argnum],
                           " (input ", argnum, "): only x is differentiable. Freeze the ",
                           "quantized weight, scales and biases.");
}
}  // namespace detail

// Inputs: x (..., M, K) already in the output's dtype, the packed w, scales, biases.
// out = x @ W^T (transpose) or x @ W, so dx = cot @ W (or cot @ W^T): the same product with
// the other transpose. x's batch dims may be fewer or broadcast: dx is summed back to them.
template <class T>
std::vector<array> QuantizedMatmul<T>::vjp(const std::vector<array>& primals,
                                           const std::vector<array>& cotangents,
                                           const std::vector<int>& argnums,
                                           const std::vector<array>& /*outputs*/) {
  std::vector<array> res;
  for (int k : argnums) {
    if (k != 0) detail::quantized_matmul_no_derivative("QuantizedMatmul.vjp", k);
    const array& x = primals[0];
    const StreamOrDevice s = stream();
    array cot = detail::quant_cast(cotangents[0], x.dtype(), s);
    Shape shape = cot.shape();
    shape.back() = x.shape(-1);
    array dx(std::move(shape), x.dtype(),
             std::make_shared<QuantizedMatmul<>>(stream(), group_size_, bits_, !transpose_),
             {cot, primals[1], primals[2], primals[3]});
    if (dx.shape() != x.shape()) {
      const int lead = static_cast<int>(dx.ndim()) - static_cast<int>(x.ndim());
      std::vector<int> axes;
      for (int d = 0; d < static_cast<int>(dx.ndim()) - 2; ++d)
        if (d < lead || (x.shape(d - lead) == 1 && dx.shape(d) != 1)) axes.push_back(d);
      dx = reshape(sum(dx, axes, true, s), x.shape(), s);
    }
    res.push_back(std::move(dx));
  }
  return res;
}

template <class T>
std::vector<array> QuantizedMatmul<T>::jvp(const std::vector<array>& primals,
                                           const std::vector<array>& tangents,
                                           const std::vector<int>& argnums) {
  for (int k : argnums)
    if (k != 0) detail::quantized_matmul_no_derivative("QuantizedMatmul.jvp", k);
  const array& w = primals[1];
  const StreamOrDevice s = stream();
  array tx = detail::quant_cast(tangents[0], primals[0].dtype(), s);
  Shape shape = broadcast_shapes(detail::drop_last2(tx.shape()), detail::drop_last2(w.shape()));
  shape.push_back(tx.shape(-2));
  shape.push_back(transpose_ ? w.shape(-2)
                             : static_cast<ShapeElem>(static_cast<int64_t>(w.shape(-1)) * 32 / bits_));
  return {array(std::move(shape), primals[0].dtype(),
                std::make_shared<QuantizedMatmul<>>(stream(), group_size_, bits_, transpose_),
                {tx, w, primals[2], primals[3]})};
}

}  // namespace mlx::core
