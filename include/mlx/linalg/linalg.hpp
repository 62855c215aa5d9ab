// SPDX-License-Identifier: MIT
// mlx::core::linalg (MLX's linalg.h): norms, factorizations (qr, svd, cholesky, lu), inverses,
// eigen-decompositions, solves and cross. Everything but norm and cross runs through LAPACK
// on the CPU (primitives/linalg.hpp); all ops are lazy and validate when called.
#pragma once

#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/primitives/linalg.hpp"

namespace mlx::core::linalg {

namespace detail {

using core::detail::fail;

/// MLX runs linalg on the CPU only; this build has no GPU, so to_stream already refuses one.
inline Stream cpu_stream(StreamOrDevice s, const char* op) {
  Stream st = to_stream(std::move(s));
  if (st.device == Device::gpu)
    fail(op, "This op is not yet supported on the GPU. Explicitly pass a CPU stream to run it.");
  return st;
}

inline void check_float(Dtype t, const char* op) {
  if (t != float32 && t != float64)
    fail(op, "Arrays must have type float32 or float64. Received array with type ", t, ".");
}

inline void check_float_or_complex(Dtype t, const char* op) {
  if (t != float32 && t != float64 && t != complex64)
    fail(op, "Arrays must have type float32, float64 or complex64. Received array with type ",
         t, ".");
}

inline void check_matrix(const array& a, const char* op) {
  if (a.ndim() < 2)
    fail(op, "Arrays must have >= 2 dimensions. Received array with ", a.ndim(),
         " dimensions.");
}

inline void check_square(const array& a, const char* op, const char* what) {
  if (a.shape(-1) != a.shape(-2)) fail(op, what, " Got shape ", a.shape(), ".");
}

inline Dtype at_least_float(Dtype d) {
  return issubdtype(d, inexact) ? d : promote_types(d, float32);
}

inline Shape drop_last(const Shape& s, int k) { return Shape(s.begin(), s.end() - k); }

template <class = void>
inline array l2_norm(const array& a, const std::vector<int>& axis, bool keepdims,
                     StreamOrDevice s) {
  if (is_complex(a.dtype())) {
    array m = abs(a, s);
    return array(sqrt(sum(m * m, axis, keepdims, s), s));
  }
  return array(sqrt(sum(square(a, s), axis, keepdims, s), s));
}

template <class = void>
inline array vector_norm(const array& a, double ord, const std::vector<int>& axis,
                         bool keepdims, StreamOrDevice s) {
  const Dtype dt = at_least_float(a.dtype());
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (ord == 0.0) return array(astype(sum(not_equal(a, 0, s), axis, keepdims, s), dt, s));
  if (ord == 1.0) return array(astype(sum(abs(a, s), axis, keepdims, s), dt, s));
  if (ord == 2.0) return l2_norm(a, axis, keepdims, s);
  if (ord == inf) return array(astype(max(abs(a, s), axis, keepdims, s), dt, s));
  if (ord == -inf) return array(astype(min(abs(a, s), axis, keepdims, s), dt, s));
  array p = sum(power(abs(a, s), array(ord, dt), s), axis, keepdims, s);
  return array(power(p, array(1.0 / ord, dt), s));
}

/// The singular values of the (row, col) planes of a, shaped as a with row -> k, col -> 1.
template <class = void>
inline array plane_singular_values(const array& a, int row, int col, StreamOrDevice s) {
  const char* op = "linalg::norm";
  array x = a;
  if (!is_floating_point(x.dtype()) && !is_complex(x.dtype())) x = array(astype(a, float32, s));
  if (x.dtype() != float32 && x.dtype() != float64 && x.dtype() != complex64)
    x = array(astype(x, float32, s));
  Shape shape = x.shape();
  shape[row] = std::min(x.shape(row), x.shape(col));
  shape[col] = 1;
  Dtype vt = x.dtype() == complex64 ? float32 : x.dtype();
  return array(std::move(shape), vt, std::make_shared<SVD<>>(cpu_stream(s, op), false, row, col),
               {x});
}

template <class = void>
inline array matrix_norm(const array& a, double ord, const std::vector<int>& axis,
                         bool keepdims, StreamOrDevice s) {
  const char* op = "linalg::norm";
  const Dtype dt = at_least_float(a.dtype());
  const int nd = static_cast<int>(a.ndim());
  int row = core::detail::normalize_axis(op, axis[0], nd);
  int col = core::detail::normalize_axis(op, axis[1], nd);
  if (row == col) fail(op, "Received duplicate axis ", row, ".");
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (ord == 1.0 || ord == -1.0) {
    // Column sums, then the extreme over columns (col shifts down when row is dropped).
    int c = col - (!keepdims && col > row);
    array sums = sum(abs(a, s), row, keepdims, s);
    return array(astype(ord > 0 ? max(sums, c, keepdims, s) : min(sums, c, keepdims, s), dt, s));
  }
  if (ord == inf || ord == -inf) {
    int r = row - (!keepdims && row > col);
    array sums = sum(abs(a, s), col, keepdims, s);
    return array(astype(ord > 0 ? max(sums, r, keepdims, s) : min(sums, r, keepdims, s), dt, s));
  }
  if (ord == 2.0 || ord == -2.0) {
    array sv = plane_singular_values(a, row, col, s);
    std::vector<int> ax{std::min(row, col), std::max(row, col)};
    array r = ord > 0 ? max(sv, ax, keepdims, s) : min(sv, ax, keepdims, s);
    return array(astype(r, dt, s));
  }
  fail(op, "Invalid ord ", ord, " for matrix norm.");
}

template <class = void>
inline array matrix_norm(const array& a, const std::string& ord, const std::vector<int>& axis,
                         bool keepdims, StreamOrDevice s) {
  const char* op = "linalg::norm";
  if (ord == "f" || ord == "fro") return l2_norm(a, axis, keepdims, s);
  if (ord == "nuc") {
    const int nd = static_cast<int>(a.ndim());
    int row = core::detail::normalize_axis(op, axis[0], nd);
    int col = core::detail::normalize_axis(op, axis[1], nd);
    if (row == col) fail(op, "Received duplicate axis ", row, ".");
    array sv = plane_singular_values(a, row, col, s);
    return sum(sv, std::vector<int>{std::min(row, col), std::max(row, col)}, keepdims, s);
  }
  fail(op, "Invalid ord value '", ord, "' for matrix norm.");
}

inline std::vector<int> norm_axes(const array& a, const std::optional<std::vector<int>>& axis) {
  if (axis) return *axis;
  std::vector<int> ax(a.ndim());
  std::iota(ax.begin(), ax.end(), 0);
  return ax;
}

/// Checks norm's axes (in range, no repeats) so that the error names linalg::norm rather than
/// the reduction it runs; the axes keep their order (a matrix norm's rows, then columns).
inline void check_norm_axes(const array& a, const std::vector<int>& axes) {
  core::detail::normalize_axes("linalg::norm", axes, static_cast<int>(a.ndim()));
}

}  // namespace detail

// ---- norms --------------------------------------------------------------------------------

/// The 2-norm of the flattened array (no axis; keepdims gives shape (1,), as MLX), or the
/// 2-norm / Frobenius norm over one or two axes.
template <class = void>
inline array norm(const array& a, const std::optional<std::vector<int>>& axis = std::nullopt,
                  bool keepdims = false, StreamOrDevice s = {}) {
  if (!axis) {
    std::vector<int> all(a.ndim());
    std::iota(all.begin(), all.end(), 0);
    array r = detail::l2_norm(a, all, false, s);
    return keepdims ? full(Shape{1}, r, r.dtype(), s) : r;
  }
  if (axis->size() > 2) detail::fail("linalg::norm", "Received too many axes for norm.");
  detail::check_norm_axes(a, *axis);
  return detail::l2_norm(a, *axis, keepdims, s);
}
template <class = void>
inline array norm(const array& a, int axis, bool keepdims = false, StreamOrDevice s = {}) {
  return norm(a, std::vector<int>{axis}, keepdims, std::move(s));
}

/// Vector norm of order `ord` (one axis: 0, 1, 2, ±inf, any p) or matrix norm (two axes:
/// 1, -1, 2, -2, ±inf). Without axis, over all axes of a 1-D or 2-D array.
template <class = void>
inline array norm(const array& a, const double ord,
                  const std::optional<std::vector<int>>& axis = std::nullopt,
                  bool keepdims = false, StreamOrDevice s = {}) {
  auto ax = detail::norm_axes(a, axis);
  detail::check_norm_axes(a, ax);
  if (ax.size() == 1) return detail::vector_norm(a, ord, ax, keepdims, std::move(s));
  if (ax.size() == 2) return detail::matrix_norm(a, ord, ax, keepdims, std::move(s));
  detail::fail("linalg::norm", "Received too many axes for norm.");
}
template <class = void>
inline array norm(const array& a, const double ord, int axis, bool keepdims = false,
                  StreamOrDevice s = {}) {
  return norm(a, ord, std::vector<int>{axis}, keepdims, std::move(s));
}

/// Matrix norm by name: "fro" (or "f") or "nuc" (sum of singular values), over two axes.
template <class = void>
inline array norm(const array& a, const std::string& ord,
                  const std::optional<std::vector<int>>& axis = std::nullopt,
                  bool keepdims = false, StreamOrDevice s = {}) {
  auto ax = detail::norm_axes(a, axis);
  if (ax.size() != 2)
    detail::fail("linalg::norm", "Norm '", ord, "' only supported for matrices, but received ",
                 ax.size(), " axis/axes.");
  detail::check_norm_axes(a, ax);
  return detail::matrix_norm(a, ord, ax, keepdims, std::move(s));
}
template <class = void>
inline array norm(const array& a, const std::string& ord, int axis, bool keepdims = false,
                  StreamOrDevice s = {}) {
  return norm(a, ord, std::vector<int>{axis}, keepdims, std::move(s));
}

// ---- factorizations -----------------------------------------------------------------------

/// Reduced QR of the last two axes: Q (..., m, k) with orthonormal columns, R (..., k, n)
/// upper triangular, k = min(m, n). float32 / float64.
template <class = void>
inline std::pair<array, array> qr(const array& a, StreamOrDevice s = {}) {
  const char* op = "linalg::qr";
  Stream st = detail::cpu_stream(s, op);
  detail::check_float(a.dtype(), op);
  detail::check_matrix(a, op);
  const int k = std::min(a.shape(-2), a.shape(-1));
  Shape qs = a.shape(), rs = a.shape();
  qs.back() = k;
  rs[rs.size() - 2] = k;
  auto out = array::make_arrays({std::move(qs), std::move(rs)}, {a.dtype(), a.dtype()},
                                std::make_shared<QRF<>>(st), {a});
  return {out[0], out[1]};
}

/// Full SVD of the last two axes: {U (..., m, m), S (..., k), Vt (..., n, n)} with
/// A = U[:, :k] diag(S) Vt[:k]; only {S} when compute_uv is false. S is descending and real
/// (float32 for complex64 input).
template <class = void>
inline std::vector<array> svd(const array& a, bool compute_uv, StreamOrDevice s = {}) {
  const char* op = "linalg::svd";
  Stream st = detail::cpu_stream(s, op);
  detail::check_float_or_complex(a.dtype(), op);
  if (a.ndim() < 2)
    detail::fail(op, "Input array must have >= 2 dimensions. Received array with ", a.ndim(),
                 " dimensions.");
  const int nd = static_cast<int>(a.ndim());
  const int m = a.shape(-2), n = a.shape(-1);
  Shape ss = detail::drop_last(a.shape(), 1);
  ss.back() = std::min(m, n);
  const Dtype sd = a.dtype() == complex64 ? float32 : a.dtype();
  auto prim = std::make_shared<SVD<>>(st, compute_uv, nd - 2, nd - 1);
  if (!compute_uv) return {array(std::move(ss), sd, prim, {a})};
  Shape us = a.shape(), vs = a.shape();
  us[nd - 1] = m;
  vs[nd - 2] = n;
  return array::make_arrays({std::move(us), std::move(ss), std::move(vs)},
                            {a.dtype(), sd, a.dtype()}, prim, {a});
}
template <class = void>
inline std::vector<array> svd(const array& a, StreamOrDevice s = {}) {
  return svd(a, true, std::move(s));
}

namespace detail {
template <class = void>
inline array inv_impl(const array& a, bool tri, bool upper, StreamOrDevice s) {
  const char* op = tri ? "linalg::tri_inv" : "linalg::inv";
  Stream st = cpu_stream(s, op);
  check_float(a.dtype(), op);
  check_matrix(a, op);
  check_square(a, op, "Inverses are only defined for square matrices.");
  return array(a.shape(), a.dtype(), std::make_shared<Inverse<>>(st, tri, upper), {a});
}
}  // namespace detail

/// The inverse of each square matrix of the last two axes (float32 / float64).
/// Evaluation throws std::runtime_error when a matrix is singular (as MLX).
template <class = void>
inline array inv(const array& a, StreamOrDevice s = {}) {
  return detail::inv_impl(a, false, true, std::move(s));
}

/// The inverse of triangular matrices, reading only the lower (or upper) triangle; the
/// other triangle of the result is zero.
template <class = void>
inline array tri_inv(const array& a, bool upper = false, StreamOrDevice s = {}) {
  return detail::inv_impl(a, true, upper, std::move(s));
}

/// The Cholesky factor L (A = L Lᵀ; U with A = Uᵀ U when upper), reading only the lower (or
/// upper) triangle of A. Evaluation throws std::runtime_error when A is not positive definite
/// (MLX returns an unspecified result there).
template <class = void>
inline array cholesky(const array& a, bool upper = false, StreamOrDevice s = {}) {
  const char* op = "linalg::cholesky";
  Stream st = detail::cpu_stream(s, op);
  detail::check_float(a.dtype(), op);
  detail::check_matrix(a, op);
  detail::check_square(a, op, "Cholesky decomposition is only defined for square matrices.");
  return array(a.shape(), a.dtype(), std::make_shared<Cholesky<>>(st, upper, false), {a});
}

/// The inverse of A from its Cholesky factor L (or U when upper).
template <class = void>
inline array cholesky_inv(const array& L, bool upper = false, StreamOrDevice s = {}) {
  const char* op = "linalg::cholesky_inv";
  Stream st = detail::cpu_stream(s, op);
  detail::check_float(L.dtype(), op);
  detail::check_matrix(L, op);
  detail::check_square(L, op, "Cholesky inverse is only defined for square matrices.");
  return array(L.shape(), L.dtype(), std::make_shared<Cholesky<>>(st, upper, true), {L});
}

/// The Moore-Penrose pseudo-inverse (..., n, m) of (..., m, n) matrices.
template <class = void>
inline array pinv(const array& a, StreamOrDevice s = {}) {
  const char* op = "linalg::pinv";
  Stream st = detail::cpu_stream(s, op);
  detail::check_float(a.dtype(), op);
  detail::check_matrix(a, op);
  Shape shape = a.shape();
  std::swap(shape[shape.size() - 1], shape[shape.size() - 2]);
  return array(std::move(shape), a.dtype(), std::make_shared<PseudoInverse<>>(st), {a});
}

namespace detail {
inline void validate_lu(const array& a, const char* op) {
  check_float(a.dtype(), op);
  check_matrix(a, op);
}
}  // namespace detail

/// {P, L, U} with L[P] @ U == A: P (..., m) uint32 row indices, L (..., m, k) unit lower,
/// U (..., k, n) upper, k = min(m, n). Evaluation throws for singular matrices (as MLX).
template <class = void>
inline std::vector<array> lu(const array& a, StreamOrDevice s = {}) {
  const char* op = "linalg::lu";
  Stream st = detail::cpu_stream(s, op);
  detail::validate_lu(a, op);
  const int m = a.shape(-2), n = a.shape(-1), k = std::min(m, n);
  Shape ps = detail::drop_last(a.shape(), 1), ls = a.shape(), us = a.shape();
  ls.back() = k;
  us[us.size() - 2] = k;
  return array::make_arrays({std::move(ps), std::move(ls), std::move(us)},
                            {uint32, a.dtype(), a.dtype()}, std::make_shared<LUF<>>(st, true), {a});
}

/// {LU, pivots}: L (unit diagonal, below) and U packed in one (..., m, n) matrix, and
/// LAPACK's 0-based row swaps (..., k) as uint32 (row i was swapped with pivots[i]).
template <class = void>
inline std::pair<array, array> lu_factor(const array& a, StreamOrDevice s = {}) {
  const char* op = "linalg::lu_factor";
  Stream st = detail::cpu_stream(s, op);
  detail::validate_lu(a, op);
  const int m = a.shape(-2), n = a.shape(-1), k = std::min(m, n);
  Shape ps = detail::drop_last(a.shape(), 1);
  ps.back() = k;
  auto out = array::make_arrays({a.shape(), std::move(ps)}, {a.dtype(), uint32},
                                std::make_shared<LUF<>>(st, false), {a});
  return {out[0], out[1]};
}

// ---- solves -------------------------------------------------------------------------------

namespace detail {
template <class = void>
inline array solve_impl(const array& a, const array& b, bool tri, bool upper,
                        StreamOrDevice s) {
  const char* op = tri ? "linalg::solve_triangular" : "linalg::solve";
  Stream st = cpu_stream(s, op);
  if (a.ndim() < 2)
    fail(op, "First input must have >= 2 dimensions. Received array with ", a.ndim(),
         " dimensions.");
  if (b.ndim() < 1)
    fail(op, "Second input must have >= 1 dimensions. Received array with ", b.ndim(),
         " dimensions.");
  if (a.shape(-1) != a.shape(-2))
    fail(op, "First input must be a square matrix. Received array with shape ", a.shape(), ".");
  const bool vec = b.ndim() == 1;
  if (a.shape(-1) != b.shape(vec ? -1 : -2))
    fail(op, "Last dimension of first input with shape ", a.shape(),
         " must match second to last dimension of second input with shape ", b.shape(), ".");
  const Dtype t = promote_types(a.dtype(), b.dtype());
  if (t != float32 && t != float64)
    fail(op, "Input arrays must promote to float32 or float64. Received arrays with type ",
         a.dtype(), " and ", b.dtype(), ".");
  Shape shape;
  Shape abatch = drop_last(a.shape(), 2);
  if (vec) {
    shape = abatch;
    shape.push_back(a.shape(-1));
  } else {
    Shape bbatch = drop_last(b.shape(), 2);
    Shape batch;
    try {
      batch = broadcast_shapes(abatch, bbatch);
    } catch (const std::invalid_argument&) {
      fail(op, "Batch dimensions of shapes ", a.shape(), " and ", b.shape(),
           " cannot be broadcast.");
    }
    shape = batch;
    shape.push_back(b.shape(-2));
    shape.push_back(b.shape(-1));
  }
  array ac = a.dtype() == t ? a : array(astype(a, t, s));
  array bc = b.dtype() == t ? b : array(astype(b, t, s));
  return array(std::move(shape), t, std::make_shared<Solve<>>(st, tri, upper, vec),
               {std::move(ac), std::move(bc)});
}
}  // namespace detail

/// x with a @ x == b for square a (..., n, n) and b (..., n, k) (batch dims broadcast) or
/// b (n,). Evaluation throws std::runtime_error for singular a (as MLX).
template <class = void>
inline array solve(const array& a, const array& b, StreamOrDevice s = {}) {
  return detail::solve_impl(a, b, false, false, std::move(s));
}

/// solve() for triangular a, reading only its lower (or upper) triangle.
template <class = void>
inline array solve_triangular(const array& a, const array& b, bool upper = false,
                              StreamOrDevice s = {}) {
  return detail::solve_impl(a, b, true, upper, std::move(s));
}

/// The cross product of 2- or 3-element vectors along `axis` (a missing third component is
/// zero; the result has 3); the other dims broadcast.
template <class = void>
inline array cross(const array& a, const array& b, int axis = -1, StreamOrDevice s = {}) {
  const char* op = "linalg::cross";
  auto check_ax = [&](const array& x) {
    const int nd = static_cast<int>(x.ndim());
    if (axis >= nd || axis + nd < 0)
      detail::fail(op, "axis ", axis, " invalid for array with ", nd, " dimensions.");
    if (x.shape(axis) < 2 || x.shape(axis) > 3)
      detail::fail(op, "The specified axis must have size 2 or 3.");
  };
  check_ax(a);
  check_ax(b);
  const Dtype t = promote_types(a.dtype(), b.dtype());
  Shape as = a.shape(), bs = b.shape();
  as[axis < 0 ? axis + as.size() : axis] = 3;
  bs[axis < 0 ? axis + bs.size() : axis] = 3;
  Shape out;
  try {
    out = broadcast_shapes(as, bs);
  } catch (const std::invalid_argument&) {
    detail::fail(op, "Shapes ", a.shape(), " and ", b.shape(), " cannot be broadcast.");
  }
  const int ax = axis < 0 ? axis + static_cast<int>(out.size()) : axis;
  // Each input must broadcast to the output with its own vector length at `ax`.
  // (With a positive axis and inputs of different ndim, the axes may not line up.)
  for (const array* x : {&a, &b}) {
    const int nd = static_cast<int>(x->ndim());
    if (static_cast<int>(out.size()) - nd + (axis < 0 ? axis + nd : axis) != ax)
      detail::fail(op, "Shapes ", a.shape(), " and ", b.shape(), " cannot be broadcast.");
  }
  array ac = a.dtype() == t ? a : array(astype(a, t, s));
  array bc = b.dtype() == t ? b : array(astype(b, t, s));
  return array(std::move(out), t, std::make_shared<Cross<>>(to_stream(s), ax),
               {std::move(ac), std::move(bc)});
}

// ---- eigen-decompositions -----------------------------------------------------------------

namespace detail {
inline Stream validate_eig(const array& a, StreamOrDevice s, const char* op) {
  Stream st = cpu_stream(std::move(s), op);
  check_float_or_complex(a.dtype(), op);
  check_matrix(a, op);
  check_square(a, op, "Only defined for square matrices.");
  return st;
}
inline char uplo_char(const std::string& uplo, const char* op) {
  if (uplo != "L" && uplo != "U") fail(op, "UPLO must be 'L' or 'U'. Got '", uplo, "'.");
  return uplo[0];
}
}  // namespace detail

/// {eigenvalues (..., n), right eigenvectors as columns (..., n, n)}, both complex64.
template <class = void>
inline std::pair<array, array> eig(const array& a, StreamOrDevice s = {}) {
  Stream st = detail::validate_eig(a, s, "linalg::eig");
  auto out = array::make_arrays({detail::drop_last(a.shape(), 1), a.shape()},
                                {complex64, complex64}, std::make_shared<Eig<>>(st, true), {a});
  return {out[0], out[1]};
}

/// The eigenvalues (..., n) of general matrices, complex64.
template <class = void>
inline array eigvals(const array& a, StreamOrDevice s = {}) {
  Stream st = detail::validate_eig(a, s, "linalg::eigvals");
  return array(detail::drop_last(a.shape(), 1), complex64, std::make_shared<Eig<>>(st, false), {a});
}

/// The eigenvalues (ascending, real) of symmetric / Hermitian matrices, reading the
/// triangle UPLO ("L" or "U").
template <class = void>
inline array eigvalsh(const array& a, std::string UPLO = "L", StreamOrDevice s = {}) {
  const char* op = "linalg::eigvalsh";
  Stream st = detail::validate_eig(a, s, op);
  char uplo = detail::uplo_char(UPLO, op);
  Dtype vt = a.dtype() == complex64 ? float32 : a.dtype();
  return array(detail::drop_last(a.shape(), 1), vt, std::make_shared<Eigh<>>(st, uplo, false), {a});
}

/// {eigenvalues (ascending), eigenvectors as columns} of symmetric / Hermitian matrices.
template <class = void>
inline std::pair<array, array> eigh(const array& a, std::string UPLO = "L",
                                    StreamOrDevice s = {}) {
  const char* op = "linalg::eigh";
  Stream st = detail::validate_eig(a, s, op);
  char uplo = detail::uplo_char(UPLO, op);
  Dtype vt = a.dtype() == complex64 ? float32 : a.dtype();
  auto out = array::make_arrays({detail::drop_last(a.shape(), 1), a.shape()}, {vt, a.dtype()},
                                std::make_shared<Eigh<>>(st, uplo, true), {a});
  return {out[0], out[1]};
}

}  // namespace mlx::core::linalg
