// SPDX-License-Identifier: MIT
// Matrix products and the linear-algebra ops of MLX's ops.h (MLX's names and overloads):
// matmul, addmm, gather_mm, segmented_mm, block_masked_mm, outer, inner, tensordot, kron,
// diagonal, diag, trace. Lazy nodes; the CPU kernels are in backend/cpu/gemm.hpp.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/primitives/matmul.hpp"

namespace mlx::core {

namespace detail {

/// The operands' shapes as matrices (a 1-d a is one row, a 1-d b one column), checked for
/// rank and inner dimensions as MLX does; returns the product's shape with the vector dims
/// dropped.
inline Shape matmul_out_shape(std::string_view op, const Shape& sa, const Shape& sb) {
  if (sa.empty() || sb.empty())
    fail(op, "Got 0 dimension input. Inputs must have at least one dimension.");
  Shape ma = sa.size() == 1 ? Shape{1, sa[0]} : sa;
  Shape mb = sb.size() == 1 ? Shape{sb[0], 1} : sb;
  if (ma.back() != mb[mb.size() - 2])
    fail(op, "Last dimension of first input with shape ", ma,
         " must match second to last dimension of second input with shape ", mb, ".");
  Shape out;
  try {
    out = broadcast_shapes(matmul_batch_shape(ma), matmul_batch_shape(mb));
  } catch (const std::invalid_argument&) {
    fail(op, "Batch dimensions of inputs with shapes ", sa, " and ", sb,
         " cannot be broadcast.");
  }
  if (sa.size() > 1) out.push_back(ma[ma.size() - 2]);
  if (sb.size() > 1) out.push_back(mb.back());
  return out;
}

/// x in dtype t (x itself when it already is).
template <class = void>
inline array as_dtype(const array& x, Dtype t, const StreamOrDevice& s) {
  return x.dtype() == t ? x : array(astype(x, t, s));
}

}  // namespace detail

/// Matrix product with NumPy's rules: batch dims broadcast, a 1-d a is a row vector and a
/// 1-d b a column vector (their dims are removed from the result).
/// \throws std::invalid_argument for 0-d inputs, mismatched inner dims, batch dims that do
/// not broadcast, or a promoted dtype that is not floating point or complex.
template <class = void>
inline array matmul(const array& a, const array& b, StreamOrDevice s = {}) {
  Shape out_shape = detail::matmul_out_shape("matmul", a.shape(), b.shape());
  Dtype t = promote_types(a.dtype(), b.dtype());
  if (!issubdtype(t, inexact))
    detail::fail("matmul", "Only inexact types are supported but ", a.dtype(), " and ", b.dtype(),
                 " were provided which results in ", t, ", which is not a floating point type.");
  return array(std::move(out_shape), t, std::make_shared<Matmul<>>(to_stream(s)),
               {detail::as_dtype(a, t, s), detail::as_dtype(b, t, s)});
}

/// beta * c + alpha * (a @ b), with c broadcast to the product's shape.
/// \throws std::invalid_argument as matmul does, and when c does not broadcast to the
/// product's shape.
template <class = void>
inline array addmm(array c, array a, array b, const float& alpha = 1.f, const float& beta = 1.f,
                   StreamOrDevice s = {}) {
  Shape out_shape = detail::matmul_out_shape("addmm", a.shape(), b.shape());
  Dtype t = result_type(a, b, c);
  if (!issubdtype(t, floating) && t != complex64)
    detail::fail("addmm", "Only real floating point types are supported but ", c.dtype(), ", ",
                 a.dtype(), " and ", b.dtype(), " were provided which results in ", t,
                 ", which is not a real floating point type.");
  bool fits = true;
  try {
    fits = broadcast_shapes(c.shape(), out_shape) == out_shape;
  } catch (const std::invalid_argument&) {
    fits = false;
  }
  if (!fits)
    detail::fail("addmm", "Input c with shape ", c.shape(),
                 " must broadcast to the output shape ", out_shape, ".");
  return array(std::move(out_shape), t, std::make_shared<AddMM<>>(to_stream(s), alpha, beta),
               {detail::as_dtype(a, t, s), detail::as_dtype(b, t, s), detail::as_dtype(c, t, s)});
}

namespace detail {

/// Checks a matmul-like op's operands (0-d, inner dims, real floating dtype) and returns
/// them as matrices (1-d a as one row, 1-d b as one column) in the promoted dtype.
template <class = void>
inline std::pair<array, array> real_matmul_operands(std::string_view op, const array& a,
                                                    const array& b, const StreamOrDevice& s) {
  if (a.ndim() == 0 || b.ndim() == 0)
    fail(op, "Got 0 dimension input. Inputs must have at least one dimension.");
  array x = a.ndim() == 1 ? expand_dims(a, 0, s) : a;
  array y = b.ndim() == 1 ? expand_dims(b, 1, s) : b;
  if (x.shape(-1) != y.shape(-2))
    fail(op, "Last dimension of first input with shape ", x.shape(),
         " must match second to last dimension of second input with shape ", y.shape(), ".");
  Dtype t = promote_types(a.dtype(), b.dtype());
  if (!issubdtype(t, floating))
    fail(op, "Only real floating point types are supported but ", a.dtype(), " and ", b.dtype(),
         " were provided which results in ", t, ", which is not a real floating point type.");
  return {as_dtype(x, t, s), as_dtype(y, t, s)};
}

/// Drops the row / column dims a matmul-like op added for 1-d operands.
template <class = void>
inline array squeeze_vector_dims(const array& out, bool a_vec, bool b_vec, const StreamOrDevice& s) {
  std::vector<int> axes;
  if (a_vec) axes.push_back(static_cast<int>(out.ndim()) - 2);
  if (b_vec) axes.push_back(static_cast<int>(out.ndim()) - 1);
  return axes.empty() ? out : squeeze(out, axes, s);
}

/// Element-level mask (..., rows, cols) from a block mask (..., rows/bs, cols/bs rounded up).
template <class = void>
inline array expand_blocks(const array& mask, int rows, int cols, int bs, const StreamOrDevice& s) {
  Shape sh = mask.shape();
  const int nd = static_cast<int>(sh.size());
  const int tr = sh[nd - 2], tc = sh[nd - 1];
  Shape blocks(sh.begin(), sh.end() - 2), wide = blocks, flat = blocks;
  blocks.insert(blocks.end(), {tr, 1, tc, 1});
  wide.insert(wide.end(), {tr, bs, tc, bs});
  flat.insert(flat.end(), {tr * bs, tc * bs});
  array m = reshape(broadcast_to(reshape(mask, blocks, s), wide, s), flat, s);
  Shape start(flat.size(), 0), stop = flat;
  stop[stop.size() - 2] = rows;
  stop[stop.size() - 1] = cols;
  return slice(m, start, stop, s);
}

/// x with a block mask applied: bool masks zero the blocks that are false, others scale.
template <class = void>
inline array apply_block_mask(const array& x, const array& mask, int bs, const StreamOrDevice& s) {
  array m = expand_blocks(mask, x.shape(-2), x.shape(-1), bs, s);
  if (mask.dtype() == bool_) return array(where(m, x, array(0, x.dtype()), s));
  return array(astype(multiply(x, m, s), x.dtype(), s));
}

}  // namespace detail

/// Matrix products of matrices picked from a's and b's (flattened) batch dims:
/// out[i...] = a[lhs_indices[i...]] @ b[rhs_indices[i...]] (the index arrays broadcast
/// together; an omitted one is the identity over its operand's batch).
/// \throws std::invalid_argument as matmul does (real floating types only) and for
/// non-integer indices; std::out_of_range at evaluation for an index past the batch.
template <class = void>
inline array gather_mm(array a, array b, std::optional<array> lhs_indices = std::nullopt,
                       std::optional<array> rhs_indices = std::nullopt, bool sorted_indices = false,
                       StreamOrDevice s = {}) {
  (void)sorted_indices;  // a scheduling hint for GPU kernels; the CPU result is the same
  if (!lhs_indices && !rhs_indices) return matmul(a, b, s);
  const bool a_vec = a.ndim() == 1, b_vec = b.ndim() == 1;
  auto [x, y] = detail::real_matmul_operands("gather_mm", a, b, s);
  auto indices = [&](const std::optional<array>& idx, const array& m, const char* what) {
    if (idx) {
      if (!issubdtype(idx->dtype(), integer))
        detail::fail("gather_mm", "Got ", what, " with invalid dtype. Indices must be integral. Got ",
                     idx->dtype(), ".");
      return detail::as_dtype(*idx, uint32, s);
    }
    Shape batch = detail::matmul_batch_shape(m.shape());
    return reshape(arange(0.0, static_cast<double>(shape_size(batch)), 1.0, uint32, s), batch, s);
  };
  array li = indices(lhs_indices, x, "lhs_indices"), ri = indices(rhs_indices, y, "rhs_indices");
  auto both = broadcast_arrays({li, ri}, s);
  Shape out_shape = both[0].shape();
  out_shape.push_back(x.shape(-2));
  out_shape.push_back(y.shape(-1));
  Dtype t = x.dtype();
  array out(std::move(out_shape), t, std::make_shared<GatherMM<>>(to_stream(s)),
            {x, y, both[0], both[1]});
  return detail::squeeze_vector_dims(out, a_vec, b_vec, s);
}

/// Products over ranges of the inner dimension: for each [start, end) pair in `segments`
/// (integers, shape (..., 2)), a[:, start:end] @ b[start:end, :]; the result has shape
/// segments.shape[:-1] + (M, N) and the promoted dtype of a and b. An empty or reversed
/// range gives zeros. The segments are read at evaluation (negative values wrap, as MLX
/// casts them to uint32).
/// \throws std::invalid_argument for operands that are not 2-d, inner dims that differ,
/// segments not of shape (..., 2) or not integral, or a promoted dtype that is not real
/// floating; std::out_of_range at evaluation for a non-empty range that ends past K.
template <class = void>
inline array segmented_mm(array a, array b, array segments, StreamOrDevice s = {}) {
  if (a.ndim() != 2 || b.ndim() != 2)
    detail::fail("segmented_mm", "Batched matmul not supported: the inputs must be 2-d but ",
                 "have shapes ", a.shape(), " and ", b.shape(), ".");
  if (segments.ndim() < 1 || segments.shape(-1) != 2)
    detail::fail("segmented_mm", "The segments should have shape (..., 2) but ",
                 segments.shape(), " was provided.");
  const Dtype t = promote_types(a.dtype(), b.dtype());
  if (!issubdtype(t, floating))
    detail::fail("segmented_mm", "Only real floating point types are supported but ", a.dtype(),
                 " and ", b.dtype(), " were provided which results in ", t,
                 ", which is not a real floating point type.");
  if (!issubdtype(segments.dtype(), integer))
    detail::fail("segmented_mm", "Got segments with invalid dtype. Segments must be integral. Got ",
                 segments.dtype(), ".");
  // MLX does not compare the inner dims and reads out of bounds when they differ.
  if (a.shape(1) != b.shape(0))
    detail::fail("segmented_mm", "Last dimension of first input with shape ", a.shape(),
                 " must match second to last dimension of second input with shape ", b.shape(),
                 ".");
  Shape out_shape = segments.shape();
  out_shape.back() = a.shape(0);
  out_shape.push_back(b.shape(1));
  return array(std::move(out_shape), t, std::make_shared<SegmentedMM<>>(to_stream(s)),
               {detail::as_dtype(a, t, s), detail::as_dtype(b, t, s),
                detail::as_dtype(segments, uint32, s)});
}

/// a @ b with blocks of block_size x block_size masked: mask_lhs (..., ceil(M/bs),
/// ceil(K/bs)) and mask_rhs (..., ceil(K/bs), ceil(N/bs)) mask the operands' blocks before the
/// product, mask_out (..., ceil(M/bs), ceil(N/bs)) the result's; bool masks zero blocks, other
/// masks scale them. Without masks this is matmul.
/// \throws std::invalid_argument for block sizes other than 32 and 64, masks that do not
/// broadcast, and as matmul does (real floating types only).
template <class = void>
inline array block_masked_mm(array a, array b, int block_size,
                             std::optional<array> mask_out = std::nullopt,
                             std::optional<array> mask_lhs = std::nullopt,
                             std::optional<array> mask_rhs = std::nullopt, StreamOrDevice s = {}) {
  if (!mask_out && !mask_lhs && !mask_rhs) return matmul(a, b, s);
  if (block_size != 32 && block_size != 64)
    detail::fail("block_masked_mm", "Only block_sizes 32, 64 are supported. Got block size ",
                 block_size, ".");
  const bool a_vec = a.ndim() == 1, b_vec = b.ndim() == 1;
  auto [x, y] = detail::real_matmul_operands("block_masked_mm", a, b, s);
  Shape batch;
  try {
    batch = broadcast_shapes(detail::matmul_batch_shape(x.shape()), detail::matmul_batch_shape(y.shape()));
  } catch (const std::invalid_argument&) {
    detail::fail("block_masked_mm", "Batch dimensions of inputs with shapes ", a.shape(), " and ",
                 b.shape(), " cannot be broadcast.");
  }
  const int M = x.shape(-2), K = x.shape(-1), N = y.shape(-1), bs = block_size;
  const int tm = (M + bs - 1) / bs, tk = (K + bs - 1) / bs, tn = (N + bs - 1) / bs;
  const Dtype t = x.dtype();
  auto with = [&](Shape sh, int r, int c) {
    sh.push_back(r);
    sh.push_back(c);
    return sh;
  };
  auto prepare = [&](array m, Dtype dt, int r, int c, const char* what) {
    m = detail::as_dtype(m, dt, s);
    Shape want = with(batch, r, c);
    bool ok = true;
    try {
      ok = broadcast_shapes(m.shape(), want) == want;
    } catch (const std::invalid_argument&) {
      ok = false;
    }
    if (!ok)
      detail::fail("block_masked_mm", what, " with shape ", m.shape(), " does not broadcast to the ",
                   "block shape ", want, ".");
    return broadcast_to(m, want, s);
  };
  x = broadcast_to(x, with(batch, M, K), s);
  y = broadcast_to(y, with(batch, K, N), s);
  if (mask_lhs || mask_rhs) {
    array ml = mask_lhs.value_or(array({true})), mr = mask_rhs.value_or(array({true}));
    const Dtype dt = ml.dtype() == bool_ && mr.dtype() == bool_ ? bool_ : t;
    if (a_vec) ml = expand_dims(ml, -2, s);
    if (b_vec) mr = expand_dims(mr, -1, s);
    x = detail::apply_block_mask(x, prepare(ml, dt, tm, tk, "mask_lhs"), bs, s);
    y = detail::apply_block_mask(y, prepare(mr, dt, tk, tn, "mask_rhs"), bs, s);
  }
  array out = matmul(x, y, s);
  if (mask_out) {
    array mo = *mask_out;
    std::vector<int> ex;
    if (a_vec) ex.push_back(-2);
    if (b_vec) ex.push_back(-1);
    if (!ex.empty()) mo = expand_dims(mo, ex, s);
    out = detail::apply_block_mask(out, prepare(mo, mo.dtype() == bool_ ? bool_ : t, tm, tn, "mask_out"), bs, s);
  }
  return detail::squeeze_vector_dims(out, a_vec, b_vec, s);
}

/// The outer product of the flattened inputs: out[i, j] = a[i] * b[j] (any dtypes; the
/// result has their promoted dtype, as multiply).
template <class = void>
inline array outer(const array& a, const array& b, StreamOrDevice s = {}) {
  return array(multiply(reshape(a, {static_cast<ShapeElem>(a.size()), 1}, s), flatten(b, s), s));
}

/// Contracts axes_a of a with axes_b of b (pairwise equal sizes); the result has a's free
/// axes then b's, in order.
/// \throws std::invalid_argument for lists of different lengths, invalid or repeated axes,
/// mismatched sizes, or dtypes matmul does not take.
template <class = void>
inline array tensordot(const array& a, const array& b, const std::vector<int>& axes_a,
                       const std::vector<int>& axes_b, StreamOrDevice s = {}) {
  if (axes_a.size() != axes_b.size())
    detail::fail("tensordot", "axes must have the same size. Got ", axes_a.size(), " and ",
                 axes_b.size(), " axes.");
  const int na = static_cast<int>(a.ndim()), nb = static_cast<int>(b.ndim());
  std::vector<int> ca, cb;
  for (size_t i = 0; i < axes_a.size(); ++i) {
    ca.push_back(detail::normalize_axis("tensordot", axes_a[i], na));
    cb.push_back(detail::normalize_axis("tensordot", axes_b[i], nb));
    if (a.shape(ca.back()) != b.shape(cb.back()))
      detail::fail("tensordot", "a and b must have the same shape on the contracted axes. Got ",
                   a.shape(ca.back()), " (axis ", axes_a[i], " of ", a.shape(), ") and ",
                   b.shape(cb.back()), " (axis ", axes_b[i], " of ", b.shape(), ").");
  }
  detail::normalize_axes("tensordot", ca, na);  // throws on repeats
  detail::normalize_axes("tensordot", cb, nb);
  Dtype t = promote_types(a.dtype(), b.dtype());
  if (!issubdtype(t, inexact))
    detail::fail("tensordot", "Only inexact types are supported but ", a.dtype(), " and ",
                 b.dtype(), " were provided.");
  std::vector<int> pa, pb;
  Shape out_shape;
  int64_t free_a = 1, free_b = 1, csize = 1;
  for (int d = 0; d < na; ++d)
    if (std::find(ca.begin(), ca.end(), d) == ca.end()) {
      pa.push_back(d);
      free_a *= a.shape(d);
      out_shape.push_back(a.shape(d));
    }
  for (int d : ca) {
    pa.push_back(d);
    csize *= a.shape(d);
  }
  pb = cb;
  for (int d = 0; d < nb; ++d)
    if (std::find(cb.begin(), cb.end(), d) == cb.end()) {
      pb.push_back(d);
      free_b *= b.shape(d);
      out_shape.push_back(b.shape(d));
    }
  // Transposes are views; matmul reads a transposed 2-d view without a copy when the
  // reshape keeps it a view.
  array x = reshape(transpose(a, pa, s), {static_cast<ShapeElem>(free_a), static_cast<ShapeElem>(csize)}, s);
  array y = reshape(transpose(b, pb, s), {static_cast<ShapeElem>(csize), static_cast<ShapeElem>(free_b)}, s);
  return reshape(matmul(x, y, s), std::move(out_shape), s);
}

/// Contracts the last `axis` axes of a with the first `axis` axes of b.
template <class = void>
inline array tensordot(const array& a, const array& b, const int axis = 2, StreamOrDevice s = {}) {
  if (axis < 0) detail::fail("tensordot", "axis must be greater or equal to 0. Got ", axis, ".");
  if (axis > static_cast<int>(std::min(a.ndim(), b.ndim())))
    detail::fail("tensordot", "axis must be less than the number of dimensions of a and b. Got ",
                 axis, " for shapes ", a.shape(), " and ", b.shape(), ".");
  std::vector<int> axes_a, axes_b;
  for (int i = 0; i < axis; ++i) {
    axes_a.push_back(i - axis);
    axes_b.push_back(i);
  }
  return tensordot(a, b, axes_a, axes_b, std::move(s));
}

/// Sum of products over the last axes of a and b (a 0-d operand multiplies instead).
/// \throws std::invalid_argument naming inner for different last dimensions or integer
/// and bool inputs (matmul's dtypes).
template <class = void>
inline array inner(const array& a, const array& b, StreamOrDevice s = {}) {
  if (a.ndim() == 0 || b.ndim() == 0) return array(multiply(a, b, s));
  if (a.shape(-1) != b.shape(-1))
    detail::fail("inner", "a and b must have the same last dimension. Got shapes ", a.shape(),
                 " and ", b.shape(), ".");
  if (!issubdtype(promote_types(a.dtype(), b.dtype()), inexact))  // before tensordot's check
    detail::fail("inner", "Only inexact types are supported but ", a.dtype(), " and ", b.dtype(),
                 " were provided.");
  return tensordot(a, b, {-1}, {-1}, std::move(s));
}

/// The Kronecker product: blocks a[i...] * b over the broadcast of their ranks.
/// \throws std::invalid_argument when either input is empty.
template <class = void>
inline array kron(const array& a, const array& b, StreamOrDevice s = {}) {
  if (a.size() == 0 || b.size() == 0)
    detail::fail("kron", "Input arrays cannot be empty. Got shapes ", a.shape(), " and ", b.shape(), ".");
  const int nd = static_cast<int>(std::max(a.ndim(), b.ndim()));
  Shape sa(2 * nd, 1), sb(2 * nd, 1), out(nd, 1);
  // a's dims at even positions, b's at odd ones: their product interleaves the blocks.
  for (int i = nd - 1, j = static_cast<int>(a.ndim()) - 1; j >= 0; --i, --j) {
    sa[2 * i] = a.shape(j);
    out[i] *= a.shape(j);
  }
  for (int i = nd - 1, j = static_cast<int>(b.ndim()) - 1; j >= 0; --i, --j) {
    sb[2 * i + 1] = b.shape(j);
    out[i] *= b.shape(j);
  }
  return reshape(array(multiply(reshape(a, sa, s), reshape(b, sb, s), s)), std::move(out), s);
}

namespace detail {
/// Checks diagonal's / trace's axes (std::out_of_range, as MLX) and returns them normalised.
inline std::pair<int, int> diagonal_axes(std::string_view op, const array& a, int axis1, int axis2) {
  const int nd = static_cast<int>(a.ndim());
  if (nd < 2)
    fail(op, "Array must have at least two dimensions, but got ", nd, " dimensions.");
  int ax1 = axis1 < 0 ? axis1 + nd : axis1, ax2 = axis2 < 0 ? axis2 + nd : axis2;
  if (ax1 < 0 || ax1 >= nd)
    fail<std::out_of_range>(op, "Invalid axis1 ", axis1, " for array with ", nd, " dimensions.");
  if (ax2 < 0 || ax2 >= nd)
    fail<std::out_of_range>(op, "Invalid axis2 ", axis2, " for array with ", nd, " dimensions.");
  if (ax1 == ax2) fail(op, "axis1 and axis2 cannot be the same axis. Got ", axis1, " and ", axis2, ".");
  return {ax1, ax2};
}
}  // namespace detail

/// The diagonal with `offset` of axes axis1, axis2 (a view, no copy): those axes are removed
/// and the diagonal is the last axis.
template <class = void>
inline array diagonal(const array& a, int offset = 0, int axis1 = 0, int axis2 = 1,
                      StreamOrDevice s = {}) {
  auto [ax1, ax2] = detail::diagonal_axes("diagonal", a, axis1, axis2);
  const int64_t off1 = std::max(-offset, 0), off2 = std::max(offset, 0);
  const int64_t len = std::max<int64_t>(0, std::min(a.shape(ax1) - off1, a.shape(ax2) - off2));
  Shape out;
  for (int d = 0; d < static_cast<int>(a.ndim()); ++d)
    if (d != ax1 && d != ax2) out.push_back(a.shape(d));
  out.push_back(static_cast<ShapeElem>(len));
  return array(std::move(out), a.dtype(),
               std::make_shared<Diagonal<>>(to_stream(s), offset, ax1, ax2),
               {a});
}

/// The k-th diagonal of a 2-d array, or a square matrix with a 1-d array on diagonal k.
template <class = void>
inline array diag(const array& a, int k = 0, StreamOrDevice s = {}) {
  if (a.ndim() == 1) {
    const int n = static_cast<int>(a.size()) + std::abs(k);
    return array(Shape{n, n}, a.dtype(), std::make_shared<MakeDiagonal<>>(to_stream(s), k), {a});
  }
  if (a.ndim() == 2) return diagonal(a, k, 0, 1, std::move(s));
  detail::fail("diag", "array must be 1-D or 2-D, got array with ", a.ndim(), " dimensions.");
}

/// Sum along the diagonal with `offset` of axes axis1, axis2, accumulated in `dtype`.
template <class = void>
inline array trace(const array& a, int offset, int axis1, int axis2, Dtype dtype,
                   StreamOrDevice s = {}) {
  detail::diagonal_axes("trace", a, axis1, axis2);
  return sum(astype(diagonal(a, offset, axis1, axis2, s), dtype, s), -1, false, s);
}
template <class = void>
inline array trace(const array& a, int offset, int axis1, int axis2, StreamOrDevice s = {}) {
  return trace(a, offset, axis1, axis2, a.dtype(), std::move(s));
}
template <class = void>
inline array trace(const array& a, StreamOrDevice s = {}) {
  return trace(a, 0, 0, 1, a.dtype(), std::move(s));
}

}  // namespace mlx::core
