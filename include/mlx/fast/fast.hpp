// SPDX-License-Identifier: MIT
// mlx::core::fast (MLX's mlx/fast.h): rms_norm, layer_norm, rope and
// scaled_dot_product_attention with MLX's signatures, defaults and checks.
//
// Each is composed from graph ops, so every transform (grad, vjp, jvp, vmap, compile) and
// both devices work through the ops' own rules; MLX's fused Metal/CUDA kernels are an
// optimisation of the same arithmetic. Half-precision inputs are normalised in float32 (as
// MLX's kernels accumulate) and cast back. MLX's metal_kernel/cuda_kernel/fused_rms_silu
// have no counterpart here (docs/differences.md).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/ops/softmax.hpp"

namespace mlx::core::fast {

namespace detail {
using core::detail::fail;

/// The dtype normalisation statistics are computed in: float32 for 16-bit floats.
inline Dtype norm_compute_dtype(Dtype t) { return (t == float16 || t == bfloat16) ? float32 : t; }

inline void check_norm_param(const char* op, const char* what, const array& p, const array& x) {
  if (p.ndim() != 1)
    fail(op, what, " must have 1 dimension but has ", p.ndim(), " dimensions (shape ", p.shape(), ").");
  if (p.shape(0) != x.shape(-1))
    fail(op, what, " must have the same size as the last dimension of x (", x.shape(-1), ") but has ",
         p.shape(0), " elements.");
}

/// x[..., start:stop:step] on the last axis.
template <class = void>
array last_axis_slice(const array& x, int start, int stop, int step, const StreamOrDevice& s) {
  const size_t nd = x.ndim();
  Shape b(nd, 0), e = x.shape(), st(nd, 1);
  b.back() = start;
  e.back() = stop;
  st.back() = step;
  return slice(x, std::move(b), std::move(e), std::move(st), s);
}
}  // namespace detail

/// x * rsqrt(mean(x^2, -1) + eps) * weight over the last axis; no weight scales by 1.
/// \throws std::invalid_argument for a 0-d or non-floating x, or a weight whose shape is
/// not [x.shape(-1)].
template <class = void>
inline array rms_norm(const array& x, const std::optional<array>& weight, float eps, StreamOrDevice s = {}) {
  if (x.ndim() == 0) detail::fail("rms_norm", "Input must have at least 1 dimension but got input with 0 dimensions.");
  if (!issubdtype(x.dtype(), floating)) detail::fail("rms_norm", "Received unsupported type ", x.dtype(), ".");
  Dtype out_type = x.dtype();
  if (weight) {
    detail::check_norm_param("rms_norm", "weight", *weight, x);
    out_type = result_type(x, *weight);
  }
  const Dtype ct = detail::norm_compute_dtype(x.dtype());
  array xc = astype(x, ct, s);
  array ms = mean(square(xc, s), -1, true, s);
  array y = astype(array(xc * rsqrt(ms + array(eps, ct), s)), out_type, s);
  if (weight) y = array(multiply(y, astype(*weight, out_type, s), s));
  return y;
}

/// (x - mean) / sqrt(var + eps) over the last axis (biased variance), then * weight and
/// + bias where given.
/// \throws std::invalid_argument for a 0-d or non-floating x, or a weight or bias whose
/// shape is not [x.shape(-1)].
template <class = void>
inline array layer_norm(const array& x, const std::optional<array>& weight, const std::optional<array>& bias,
                        float eps, StreamOrDevice s = {}) {
  if (x.ndim() == 0) detail::fail("layer_norm", "Input must have at least 1 dimension but got input with 0 dimensions.");
  if (!issubdtype(x.dtype(), floating)) detail::fail("layer_norm", "Received unsupported type ", x.dtype(), ".");
  Dtype out_type = x.dtype();
  if (weight) {
    detail::check_norm_param("layer_norm", "weight", *weight, x);
    out_type = promote_types(out_type, weight->dtype());
  }
  if (bias) {
    detail::check_norm_param("layer_norm", "bias", *bias, x);
    out_type = promote_types(out_type, bias->dtype());
  }
  const Dtype ct = detail::norm_compute_dtype(x.dtype());
  array xc = astype(x, ct, s);
  array m = mean(xc, -1, true, s);
  array c = subtract(xc, m, s);
  array v = mean(square(c, s), -1, true, s);
  array y = astype(array(c * rsqrt(v + array(eps, ct), s)), out_type, s);
  if (weight) y = array(multiply(y, astype(*weight, out_type, s), s));
  if (bias) y = array(add(y, astype(*bias, out_type, s), s));
  return y;
}

/// Rotary position embedding of the first `dims` features of x (..., T, D): feature pairs
/// rotate by (offset + t) * scale * f_i with f_i = base^(-2i/dims), or f_i = 1 / freqs[i]
/// when freqs is given. traditional pairs consecutive features (2i, 2i+1); otherwise
/// feature i pairs with i + dims/2. Features past `dims` pass through. `offset` is a scalar
/// or one integer per x.shape(0) (positions per batch entry).
/// \throws std::invalid_argument for x with fewer than 3 dimensions or not floating, dims
/// not positive, odd or above D, both or neither of base and freqs, freqs not [dims/2],
/// offset not integer or with the wrong size.
template <class = void>
inline array rope(const array& x, int dims, bool traditional, std::optional<float> base, float scale,
                  const array& offset, const std::optional<array>& freqs = std::nullopt, StreamOrDevice s = {}) {
  using detail::fail;
  if (x.ndim() < 3) fail("rope", "Input must have at least 3 dimensions but got input with ", x.ndim(), " dimensions.");
  if (!issubdtype(x.dtype(), floating)) fail("rope", "Input must be a floating type but got ", x.dtype(), ".");
  if (offset.ndim() > 1) fail("rope", "offset must have at most one dimension but has shape ", offset.shape(), ".");
  if (offset.size() != 1 && offset.size() != static_cast<size_t>(x.shape(0)))
    fail("rope", "offset must be a scalar or vector with ", x.shape(0), " elements but has shape ", offset.shape(),
         ".");
  if (!issubdtype(offset.dtype(), integer)) fail("rope", "offset must be an integer but got type ", offset.dtype(), ".");
  if (dims <= 0) fail("rope", "dims must be positive but got ", dims, ".");
  if (dims % 2 != 0) fail("rope", "dims must be even but got ", dims, ".");
  if (dims > x.shape(-1))
    fail("rope", "dims must not exceed the input's last dimension (", x.shape(-1), ") but got ", dims, ".");
  if (freqs && base) fail("rope", "Only one of base or freqs can have a value.");
  if (!freqs && !base) fail("rope", "Neither base nor freqs has a value.");
  const int half = dims / 2;
  if (freqs && (freqs->ndim() != 1 || freqs->shape(0) != half))
    fail("rope", "freqs must be one dimensional with size ", half, " but got shape ", freqs->shape(), ".");

  const int nd = static_cast<int>(x.ndim());
  const int T = x.shape(-2);
  // positions: (T,) for one offset, (B, 1, ..., 1, T) for one per batch entry.
  array pos_off = astype(offset, float32, s);
  if (offset.size() > 1) {
    Shape os(nd - 1, 1);
    os[0] = x.shape(0);
    pos_off = reshape(pos_off, os, s);
  } else {
    pos_off = reshape(pos_off, {}, s);
  }
  array positions = multiply(add(arange(0.0, double(T), 1.0, float32, s), pos_off, s), array(scale), s);
  array inv_freqs = freqs ? array(reciprocal(astype(*freqs, float32, s), s))
                          : array(exp(multiply(arange(0.0, double(-half), -1.0, float32, s),
                                               array(static_cast<float>(std::log(*base) / half)), s),
                                      s));
  array theta = multiply(expand_dims(positions, -1, s), inv_freqs, s);
  array c = astype(cos(theta, s), x.dtype(), s);
  array sn = astype(sin(theta, s), x.dtype(), s);

  array x1 = traditional ? detail::last_axis_slice(x, 0, dims, 2, s) : detail::last_axis_slice(x, 0, half, 1, s);
  array x2 = traditional ? detail::last_axis_slice(x, 1, dims, 2, s) : detail::last_axis_slice(x, half, dims, 1, s);
  array o1 = subtract(multiply(x1, c, s), multiply(x2, sn, s), s);
  array o2 = add(multiply(x1, sn, s), multiply(x2, c, s), s);
  std::vector<array> parts;
  if (traditional) {
    // Interleave back: (..., half, 2) -> (..., dims).
    Shape rs = o1.shape();
    rs.back() = dims;
    parts.push_back(reshape(concatenate({expand_dims(o1, -1, s), expand_dims(o2, -1, s)}, -1, s), rs, s));
  } else {
    parts.push_back(o1);
    parts.push_back(o2);
  }
  if (dims < x.shape(-1)) parts.push_back(detail::last_axis_slice(x, dims, x.shape(-1), 1, s));
  if (parts.size() == 1) return parts[0];
  return concatenate(std::move(parts), -1, s);
}

/// rope with one integer offset.
template <class = void>
inline array rope(const array& x, int dims, bool traditional, std::optional<float> base, float scale, int offset,
                  const std::optional<array>& freqs = std::nullopt, StreamOrDevice s = {}) {
  return rope(x, dims, traditional, base, scale, array(offset, int32), freqs, std::move(s));
}

/// softmax(scale * Q K^T + mask) V per head for Q (B, Hq, Lq, D), K (B, Hkv, Lk, D) and V
/// (B, Hkv, Lk, Dv); Hq a multiple of Hkv (grouped-query attention shares each K/V head
/// among Hq / Hkv query heads). mask_mode "" (mask_arr optional), "array" or "causal"
/// (query i sees keys j <= i + Lk - Lq). A boolean mask keeps the true positions (false
/// ones get finfo.min), any other mask is added to the scores; it broadcasts against
/// (B, Hq, Lq, Lk). `sinks` (Hq,) adds one logit per head that takes softmax mass and no
/// value.
/// \throws std::invalid_argument for inputs not of rank 4, mismatched batch or feature
/// sizes, Hq not a multiple of Hkv, a non-floating result type, an unknown mask_mode, a
/// mask with "causal", a mask of rank above 4 or that does not broadcast, or a mask whose
/// dtype does not promote to the output's.
template <class = void>
inline array scaled_dot_product_attention(const array& queries, const array& keys, const array& values,
                                          const float scale, const std::string& mask_mode = "",
                                          std::optional<array> mask_arr = {},
                                          const std::optional<array>& sinks = {}, StreamOrDevice s = {}) {
  using detail::fail;
  const char* op = "scaled_dot_product_attention";
  for (const array* t : {&queries, &keys, &values})
    if (t->ndim() != 4) fail(op, "input with shape ", t->shape(), " expected to be rank 4.");
  if (mask_mode != "" && mask_mode != "causal" && mask_mode != "array")
    fail(op, "Invalid mask_mode ", mask_mode, ". mask_mode must be 'causal', 'array' or ''.");
  const bool causal = mask_mode == "causal";
  if (causal && mask_arr) fail(op, "Invalid mask_arr for mask_mode 'causal'. No array mask should be passed.");
  if (mask_mode == "array" && !mask_arr) fail(op, "mask_mode 'array' needs a mask_arr.");
  if (mask_arr && mask_arr->ndim() > 4)
    fail(op, "the mask with shape ", mask_arr->shape(), " expected to have at most rank 4.");
  for (const array* t : {&keys, &values})
    if (t->shape(0) != queries.shape(0))
      fail(op, "mismatching batch dimension for input with shape ", t->shape(), " (queries ", queries.shape(), ").");
  if (queries.shape(-1) != keys.shape(-1))
    fail(op, "query, keys expected to have matching last dimension; found query shape ", queries.shape(),
         " for keys shape ", keys.shape(), ".");
  if (keys.shape(-2) != values.shape(-2))
    fail(op, "keys, values expected to have the same sequence length; found keys shape ", keys.shape(),
         " for values shape ", values.shape(), ".");
  const int hq = queries.shape(1), hkv = keys.shape(1);
  if (values.shape(1) != hkv)
    fail(op, "keys, values expected to have matching n_kv_heads; found keys with n_heads ", hkv,
         " for values with n_heads ", values.shape(1), ".");
  if (hq % hkv != 0)
    fail(op, "n_heads must be a multiple of n_kv_heads, found n_heads ", hq, " for n_kv_heads ", hkv, ".");
  const Dtype t = promote_types(promote_types(queries.dtype(), keys.dtype()), values.dtype());
  if (!issubdtype(t, floating)) fail(op, "Received unsupported type ", t, ".");
  const int lq = queries.shape(2), lk = keys.shape(2);
  const Shape full{queries.shape(0), hq, lq, lk};
  if (mask_arr) {
    if (mask_arr->dtype() != bool_ && promote_types(mask_arr->dtype(), t) != t)
      fail(op, "Mask type must promote to output type ", t, " (mask ", mask_arr->dtype(), ").");
    try {
      if (broadcast_shapes(mask_arr->shape(), full) != full) throw std::invalid_argument("");
    } catch (const std::invalid_argument&) {
      fail(op, "the mask with shape ", mask_arr->shape(), " does not broadcast to the scores' shape ", full, ".");
    }
  }
  if (sinks && (sinks->ndim() != 1 || sinks->shape(0) != hq))
    fail(op, "sinks must have shape [", hq, "] (one per query head) but got ", sinks->shape(), ".");

  const int rep = hq / hkv;
  array q = multiply(array(scale, t), astype(queries, t, s), s);
  array k = astype(keys, t, s);
  array v = astype(values, t, s);
  if (rep > 1) {  // (B, Hkv, rep, Lq, D) against (B, Hkv, 1, Lk, D)
    q = unflatten(q, 1, {hkv, rep}, s);
    k = expand_dims(k, 2, s);
    v = expand_dims(v, 2, s);
  }
  array scores = matmul(q, swapaxes(k, -1, -2, s), s);
  std::optional<array> mask;
  if (causal) {
    array qi = expand_dims(arange(lk - lq, lk, s), 1, s);
    array ki = expand_dims(arange(0, lk, s), 0, s);
    mask = array(greater_equal(qi, ki, s));
  } else if (mask_arr) {
    mask = broadcast_to(*mask_arr, full, s);
    if (rep > 1) mask = unflatten(*mask, 1, {hkv, rep}, s);
  }
  if (mask) {
    if (mask->dtype() == bool_)
      scores = array(where(*mask, scores, array(finfo(t).min, t), s));
    else
      scores = array(add(scores, astype(*mask, t, s), s));
  }
  if (sinks) {
    array sk = reshape(astype(*sinks, t, s), rep > 1 ? Shape{1, hkv, rep, 1, 1} : Shape{1, hq, 1, 1}, s);
    Shape bs = scores.shape();
    bs.back() = 1;
    scores = concatenate({broadcast_to(sk, bs, s), scores}, -1, s);
  }
  scores = softmax(scores, std::vector<int>{-1}, true, s);
  if (sinks) scores = detail::last_axis_slice(scores, 1, scores.shape(-1), 1, s);
  array out = matmul(scores, v, s);
  if (rep > 1) out = flatten(out, 1, 2, s);
  return out;
}

}  // namespace mlx::core::fast
