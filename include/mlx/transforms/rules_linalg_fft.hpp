// SPDX-License-Identifier: MIT
// Derivative rules (vjp and jvp) of the fft and linalg primitives (primitives/fft.hpp,
// primitives/linalg.hpp), registered in primitive_rules() of transforms/rules.hpp.
//
// Every rule is written with ops (fft::*, linalg::*, matmul, ...), so its result is a lazy
// graph that is itself differentiable: grad of grad works wherever the ops used have rules.
// Each rule states its formula; the jvp is the forward formula and the vjp its adjoint
// under the real inner product <X, Y> = sum(X * Y) (for complex arrays: the real inner
// product of C as R^2, <X, Y> = sum(Re(conj(X) * Y)) — MLX's convention, where the
// cotangent of a complex output z is dL/dRe(z) + i dL/dIm(z) and, for C-linear maps, the
// vjp applies the conjugate transpose). The tests (tests/transforms/
// autodiff_linalg_fft_test.cpp) check each one against central finite differences.
//
// Conventions for the factorizations that read one triangle of a symmetric input (eigh,
// eigvalsh, cholesky): as MLX, PyTorch and JAX, the derivative is that of the function of
// the symmetric matrix (A + Aᵀ) / 2: the jvp symmetrises the tangent, the vjp returns a
// symmetric cotangent. Triangular inputs (tri_inv, solve_triangular, cholesky_inv) get the
// exact derivative: zero in the triangle the primitive does not read.
//
// Not here (they keep throwing "[<Primitive>] has no VJP rule."): LUF (lu, lu_factor) and
// Eig (general eig / eigvals). Complex inputs of the linalg rules throw.
#pragma once

#include <vector>

#include "mlx/fft/fft.hpp"
#include "mlx/linalg/linalg.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/primitives/fft.hpp"
#include "mlx/primitives/linalg.hpp"

namespace mlx::core::detail {

// ---- helpers -------------------------------------------------------------------------------

/// x summed over the axes broadcasting to x's shape added or stretched from `shape`
/// (the same as rules.hpp's sum_to_shape, which is defined after this header is included).
template <class = void>
array lf_sum_to(const array& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int lead = static_cast<int>(x.ndim()) - static_cast<int>(shape.size());
  std::vector<int> axes;
  for (int d = 0; d < static_cast<int>(x.ndim()); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) axes.push_back(d);
  array r = axes.empty() ? x : sum(x, axes, true);
  return reshape(r, shape);
}

template <class = void>
array lf_cast(const array& x, Dtype t) { return x.dtype() == t ? x : array(astype(x, t)); }
template <class = void>
array mT(const array& x) { return swapaxes(x, -1, -2); }
template <class = void>
array lf_scale(const array& x, double c) {
  return array(x * array(c, x.dtype() == complex64 ? float32 : x.dtype()));
}
template <class = void>
array lf_sym(const array& x) { return lf_scale(array(x + mT(x)), 0.5); }
/// The diagonal (..., n) of (..., n, n) matrices, and the matrices with diagonal d.
template <class = void>
array lf_diag(const array& x) { return sum(x * eye(x.shape(-1), x.dtype()), -1, false); }
template <class = void>
array lf_diag_embed(const array& d) {
  return array(expand_dims(d, -2) * eye(d.shape(-1), d.dtype()));
}
/// F_ij = 1 / (w_j - w_i) off the diagonal, 0 on it (w: (..., n)); the unit added on the
/// diagonal keeps the division finite, so F stays differentiable.
template <class = void>
array lf_gap_inverse(const array& w) {
  const int n = w.shape(-1);
  array I = eye(n, w.dtype());
  array gap = array(expand_dims(w, -2) - expand_dims(w, -1));
  return array((array(1.0, w.dtype()) - I) / (gap + I));
}
/// The first k columns (or rows) of (..., r, c) matrices.
template <class = void>
array lf_cols(const array& x, int k) {
  Shape start(x.ndim(), 0), stop = x.shape();
  stop.back() = k;
  return k == x.shape(-1) ? x : slice(x, start, stop);
}
template <class = void>
array lf_rows(const array& x, int k) {
  Shape start(x.ndim(), 0), stop = x.shape();
  stop[x.ndim() - 2] = k;
  return k == x.shape(-2) ? x : slice(x, start, stop);
}
inline void lf_real_only(const array& x, const char* op) {
  // The same error (and type) as the elementwise rules' for complex work.
  if (x.dtype() == complex64) fail(op, "Complex gradients are not supported yet.");
}
/// The one present tangent of a unary node (jvp rules get at least one).
inline const array& lf_t0(const std::vector<array>& t) { return t[0]; }

// ---- FFT -------------------------------------------------------------------------------------
//
// With F the unnormalised DFT over `axes` and N the product of the transform sizes:
//   fft   y = F x            vjp  F^H g = N ifftn(g)
//   ifft  y = F^H x / N      vjp  F g / N = fftn(g) / N
//   rfft  y = R x, R the rows k <= n/2 of F on the last axis:
//         vjp Re(R^H g)_t = Re(sum_{k<=n/2} g_k e^{+2 pi i k t / n}) = N irfftn(g * h, n),
//         h = 1 at k = 0 (and n/2 for even n), 1/2 elsewhere: irfft counts each bin other
//         than those twice (its Hermitian fold), so halving undoes that.
//   irfft y_t = (1/n) Re(sum_k w_k X_k e^{+2 pi i k t / n}), w_k = 2 but 1 at k = 0 and n/2
//         (the fold; the imaginary parts there are ignored), with ifft on the other axes:
//         vjp w * rfftn(g) / N (the derivation: dL = Re(sum_k conj(w_k G_k / N) dX_k),
//         G = rfftn(g)); at k = 0 and n/2 rfft of a real g is real, so the ignored imaginary
//         parts get zero when `axes` is one axis.
// A real input of a complex transform gets the real part of its cotangent. The jvp of each
// is the transform itself (they are linear) applied to the tangent.

/// (..., K on `axis`, ...) weights: `edge` at k = 0 and at k = n/2 for even n, `mid` elsewhere.
template <class = void>
array fft_fold_weights(int ndim, int axis, int K, int n, float edge, float mid) {
  std::vector<float> w(K, mid);
  w[0] = edge;
  if (n % 2 == 0 && K - 1 == n / 2) w[K - 1] = edge;
  Shape sh(ndim, 1);
  sh[axis] = K;
  return array(w.begin(), sh, float32);
}

template <class = void>
std::vector<array> fft_vjp(const array& node, const std::vector<array>& cots,
                           const std::vector<int>&) {
  const auto& p = static_cast<const FFT<>&>(node.primitive());
  const array& x = node.inputs()[0];
  const std::vector<int> axes(p.axes().begin(), p.axes().end());
  array g = lf_cast(cots[0], node.dtype());
  double N = 1;
  for (int a : axes) N *= (p.real() && p.inverse()) ? node.shape(a) : x.shape(a);
  array r;
  if (!p.real()) {
    r = p.inverse() ? lf_scale(fft::fftn(g, axes), 1.0 / N) : lf_scale(fft::ifftn(g, axes), N);
  } else if (!p.inverse()) {
    const int last = axes.back();
    Shape n;
    for (int a : axes) n.push_back(x.shape(a));
    array h = fft_fold_weights(static_cast<int>(g.ndim()), last, g.shape(last), n.back(), 1.f, .5f);
    r = lf_scale(fft::irfftn(array(g * h), n, axes), N);
  } else {
    const int last = axes.back();
    array w = fft_fold_weights(static_cast<int>(x.ndim()), last, x.shape(last), node.shape(last),
                               1.f, 2.f);
    r = lf_scale(array(fft::rfftn(g, axes) * w), 1.0 / N);
  }
  if (x.dtype() != complex64 && r.dtype() == complex64) r = real(r);
  return {lf_cast(r, x.dtype())};
}

template <class = void>
std::vector<array> fft_jvp(const array& node, const std::vector<array>& tangents) {
  const array& x = node.inputs()[0];
  // The primitive reads its input's dtype (float32 or complex64): the tangent gets it too.
  return {array(node.shape(), node.dtype(), node.primitive_ptr(), {lf_cast(lf_t0(tangents), x.dtype())})};
}

// ---- inverses ----------------------------------------------------------------------------------
//
// Y = A^{-1}: dY = -Y dA Y, so Ā = -Yᵀ Ȳ Yᵀ. tri_inv reads one triangle of A: dA is masked
// to it and so is Ā.

template <class = void>
array lf_triangle(const array& x, bool upper) { return upper ? triu(x) : tril(x); }

template <class = void>
std::vector<array> inverse_vjp(const array& node, const std::vector<array>& cots,
                               const std::vector<int>&) {
  const auto& p = static_cast<const Inverse<>&>(node.primitive());
  const array Yt = mT(node);
  array r = array(-matmul(matmul(Yt, cots[0]), Yt));
  return {p.triangular() ? lf_triangle(r, p.upper()) : r};
}

template <class = void>
std::vector<array> inverse_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& p = static_cast<const Inverse<>&>(node.primitive());
  array dA = p.triangular() ? lf_triangle(lf_t0(tangents), p.upper()) : lf_t0(tangents);
  return {array(-matmul(matmul(node, dA), node))};
}

// ---- cholesky, cholesky_inv ----------------------------------------------------------------------
//
// A = L Lᵀ (Murray 2016, "Differentiation of the Cholesky decomposition"), with
// Φ(X) = tril(X) with its diagonal halved:
//   jvp  dL = L Φ(L^{-1} dA L^{-T}),  dA symmetrised;
//   vjp  Ā = sym(L^{-T} Φ(Lᵀ L̄) L^{-1}),  sym(X) = (X + Xᵀ) / 2
// (Φ is self-adjoint, so the vjp is the adjoint of the jvp). Upper: U = Lᵀ, the same with
// L̄ = Ūᵀ. The solves go through solve_triangular (no explicit inverse).
//
// cholesky_inv: Y = (L Lᵀ)^{-1} from L (its lower triangle): dY = -Y (dL Lᵀ + L dLᵀ) Y, so
// L̄ = -tril((W + Wᵀ) L), W = Y Ȳ Y; upper (Y = (Uᵀ U)^{-1}): Ū = -triu(U (W + Wᵀ)).

template <class = void>
array lf_phi(const array& x) {
  const int n = x.shape(-1);
  array m = array(tri(n, n, -1, x.dtype()) + lf_scale(eye(n, x.dtype()), 0.5));
  return array(x * m);
}

template <class = void>
std::vector<array> cholesky_vjp(const array& node, const std::vector<array>& cots,
                                const std::vector<int>&) {
  const auto& p = static_cast<const Cholesky<>&>(node.primitive());
  if (p.inverse()) {
    array F = lf_triangle(node.inputs()[0], p.upper());
    array W = matmul(matmul(node, cots[0]), node);
    array W2 = array(W + mT(W));
    return {lf_triangle(array(-(p.upper() ? matmul(F, W2) : matmul(W2, F))), p.upper())};
  }
  const array L = p.upper() ? mT(node) : node;
  const array Lb = p.upper() ? mT(cots[0]) : cots[0];
  array P = lf_phi(matmul(mT(L), Lb));
  // S = L^{-T} P L^{-1}: two solves with Lᵀ (upper triangular).
  array Y1 = linalg::solve_triangular(mT(L), P, /*upper=*/true);
  array S = mT(linalg::solve_triangular(mT(L), mT(Y1), /*upper=*/true));
  return {lf_sym(S)};
}

template <class = void>
std::vector<array> cholesky_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& p = static_cast<const Cholesky<>&>(node.primitive());
  const array& t = lf_t0(tangents);
  if (p.inverse()) {
    array F = lf_triangle(node.inputs()[0], p.upper());
    array dF = lf_triangle(t, p.upper());
    // A = L Lᵀ (or Uᵀ U): dA = dL Lᵀ + L dLᵀ (dUᵀ U + Uᵀ dU).
    array dA = p.upper() ? array(matmul(mT(dF), F) + matmul(mT(F), dF))
                         : array(matmul(dF, mT(F)) + matmul(F, mT(dF)));
    return {array(-matmul(matmul(node, dA), node))};
  }
  const array L = p.upper() ? mT(node) : node;
  array dA = lf_sym(t);
  // X = L^{-1} dA L^{-T} = L^{-1} (L^{-1} dA)ᵀ, dA symmetric.
  array Z = linalg::solve_triangular(L, dA, /*upper=*/false);
  array X = linalg::solve_triangular(L, mT(Z), /*upper=*/false);
  array dL = matmul(L, lf_phi(X));
  return {p.upper() ? mT(dL) : dL};
}

// ---- solve, solve_triangular -------------------------------------------------------------------
//
// X = A^{-1} B: dX = A^{-1} (dB - dA X); B̄ = A^{-T} X̄, Ā = -B̄ Xᵀ, each summed over the
// batch dims it was broadcast along. A vector b (n,) is the column (n, 1) of every matrix.
// solve_triangular reads one triangle of A: dA and Ā are masked to it, and A^{-T} is a
// triangular solve with Aᵀ (the other triangle).

template <class = void>
std::vector<array> solve_vjp(const array& node, const std::vector<array>& cots,
                             const std::vector<int>& argnums) {
  const auto& p = static_cast<const Solve<>&>(node.primitive());
  const array& a = node.inputs()[0];
  const array& b = node.inputs()[1];
  array X = p.vector_rhs() ? expand_dims(node, -1) : node;
  array Xb = p.vector_rhs() ? expand_dims(cots[0], -1) : cots[0];
  array Bb = p.triangular() ? linalg::solve_triangular(mT(a), Xb, !p.upper())
                            : linalg::solve(mT(a), Xb);
  std::vector<array> res;
  for (int k : argnums) {
    if (k == 1) {
      Shape bs = b.shape();
      if (p.vector_rhs()) bs.push_back(1);
      res.push_back(reshape(lf_sum_to(Bb, bs), b.shape()));
    } else {
      array Ab = array(-matmul(Bb, mT(X)));
      if (p.triangular()) Ab = lf_triangle(Ab, p.upper());
      res.push_back(lf_sum_to(Ab, a.shape()));
    }
  }
  return res;
}

template <class = void>
std::vector<array> solve_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& p = static_cast<const Solve<>&>(node.primitive());
  const array& a = node.inputs()[0];
  array X = p.vector_rhs() ? expand_dims(node, -1) : node;
  array rhs;
  if (!tangents[1].is_empty_handle())
    rhs = p.vector_rhs() ? reshape(tangents[1], {tangents[1].shape(0), 1}) : tangents[1];
  if (!tangents[0].is_empty_handle()) {
    array dA = p.triangular() ? lf_triangle(tangents[0], p.upper()) : tangents[0];
    array t = array(-matmul(dA, X));
    rhs = rhs.is_empty_handle() ? t : array(rhs + t);
  }
  array dX = p.triangular() ? linalg::solve_triangular(a, rhs, p.upper()) : linalg::solve(a, rhs);
  // (The tangents have their primals' shapes, so dX has the output's batch dims.)
  if (p.vector_rhs()) dX = reshape(dX, node.shape());
  return {dX};
}

// ---- eigh, eigvalsh ------------------------------------------------------------------------------
//
// A = V diag(w) Vᵀ (symmetric), F_ij = 1 / (w_j - w_i) off the diagonal, 0 on it:
//   jvp  dw = diag(Vᵀ dA V),  dV = V (F ∘ (Vᵀ dA V)),  dA symmetrised;
//   vjp  Ā = sym(V (diag(w̄) + F ∘ (Vᵀ V̄)) Vᵀ).
// Repeated eigenvalues make F infinite (the eigenvectors are not differentiable there).
// eigvalsh has no eigenvector output: its rules compute V with linalg::eigh.

template <class = void>
std::vector<array> eigh_vjp(const array& node, const std::vector<array>& cots,
                            const std::vector<int>&) {
  const auto& p = static_cast<const Eigh<>&>(node.primitive());
  const array& a = node.inputs()[0];
  lf_real_only(a, "linalg::eigh");
  const std::string uplo(1, p.uplo());
  array w = node.outputs()[0];
  array V = p.vectors() ? node.outputs()[1] : linalg::eigh(a, uplo).second;
  array inner = lf_diag_embed(cots[0]);
  if (p.vectors()) inner = array(inner + lf_gap_inverse(w) * matmul(mT(V), cots[1]));
  return {lf_sym(matmul(matmul(V, inner), mT(V)))};
}

template <class = void>
std::vector<array> eigh_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& p = static_cast<const Eigh<>&>(node.primitive());
  const array& a = node.inputs()[0];
  lf_real_only(a, "linalg::eigh");
  array w = node.outputs()[0];
  array V = p.vectors() ? node.outputs()[1] : linalg::eigh(a, std::string(1, p.uplo())).second;
  array M = matmul(matmul(mT(V), lf_sym(lf_t0(tangents))), V);
  array dw = lf_diag(M);
  if (!p.vectors()) return {dw};
  return {dw, matmul(V, array(lf_gap_inverse(w) * M))};
}

// ---- svd -----------------------------------------------------------------------------------------
//
// A = U S Vᵀ, k = min(m, n), U (m, k), V (n, k) the first k columns of the outputs;
// P = Uᵀ dA V, F_ij = 1 / (s_j² - s_i²) off the diagonal, 0 on it:
//   jvp  dS = diag(P),
//        dU = U (F ∘ (P S + S Pᵀ)) + (I - U Uᵀ) dA V S^{-1},
//        dV = V (F ∘ (S P + Pᵀ S)) + (I - V Vᵀ) dAᵀ U S^{-1};
//   vjp  (Townsend 2016, "Differentiating the singular value decomposition")
//        Ā = U [diag(S̄) + (F ∘ (Uᵀ Ū - Ūᵀ U)) S + S (F ∘ (Vᵀ V̄ - V̄ᵀ V))] Vᵀ
//            + (I - U Uᵀ) Ū S^{-1} Vᵀ + U S^{-1} V̄ᵀ (I - V Vᵀ).
// The columns of the full U (rows of Vt) past k are any orthonormal completion, not a
// function of A: their tangent is zero and their cotangent is ignored. Singular values only
// (compute_uv false, also norm's planes (row_axis, col_axis)): Ā = U diag(S̄) Vᵀ with U, V
// recomputed by linalg::svd. Zero or repeated singular values make the U/V rules infinite.

/// The permutation that moves (row, col) to the last two axes.
inline std::vector<int> svd_perm(int nd, int row, int col) {
  std::vector<int> perm;
  for (int d = 0; d < nd; ++d)
    if (d != row && d != col) perm.push_back(d);
  perm.push_back(row);
  perm.push_back(col);
  return perm;
}
inline std::vector<int> lf_inverse_perm(const std::vector<int>& p) {
  std::vector<int> q(p.size());
  for (size_t i = 0; i < p.size(); ++i) q[p[i]] = static_cast<int>(i);
  return q;
}

/// Singular values only: the values as (..., k) from the node's layout and back.
struct SvdValuesLayout {
  bool planes;  // norm's layout: the input's shape with row -> k, col -> 1
  std::vector<int> perm;
};
inline SvdValuesLayout svd_layout(const array& node) {
  const auto& p = static_cast<const SVD<>&>(node.primitive());
  const array& a = node.inputs()[0];
  SvdValuesLayout l;
  l.planes = node.ndim() == a.ndim();
  l.perm = svd_perm(static_cast<int>(a.ndim()), p.row_axis(), p.col_axis());
  return l;
}

template <class = void>
std::vector<array> svd_vjp(const array& node, const std::vector<array>& cots,
                           const std::vector<int>&) {
  const auto& p = static_cast<const SVD<>&>(node.primitive());
  const array& a = node.inputs()[0];
  lf_real_only(a, "linalg::svd");
  if (!p.compute_uv()) {
    auto l = svd_layout(node);
    array at = transpose(a, l.perm);
    array sb = l.planes ? squeeze(transpose(cots[0], l.perm), -1) : cots[0];
    auto usv = linalg::svd(at, true);
    const int k = sb.shape(-1);
    array U = lf_cols(usv[0], k), Vt = lf_rows(usv[2], k);
    array r = matmul(matmul(U, lf_diag_embed(sb)), Vt);
    return {transpose(r, lf_inverse_perm(l.perm))};
  }
  const auto outs = node.outputs();
  const array& s = outs[1];
  const int m = a.shape(-2), n = a.shape(-1), k = s.shape(-1);
  array U = lf_cols(outs[0], k), V = mT(lf_rows(outs[2], k));
  array Ub = lf_cols(cots[0], k), Vb = mT(lf_rows(cots[2], k));
  array S = lf_diag_embed(s);
  array F = lf_gap_inverse(array(s * s));
  array UtUb = matmul(mT(U), Ub), VtVb = matmul(mT(V), Vb);
  array inner = array(lf_diag_embed(cots[1]) + matmul(array(F * (UtUb - mT(UtUb))), S) +
                      matmul(S, array(F * (VtVb - mT(VtVb)))));
  array r = matmul(matmul(U, inner), mT(V));
  array sinv = expand_dims(array(array(1.0, s.dtype()) / s), -2);  // scales columns
  if (m > k) {  // (I - U Uᵀ) Ū S^{-1} Vᵀ
    array t = array(Ub - matmul(U, UtUb));
    r = array(r + matmul(array(t * sinv), mT(V)));
  }
  if (n > k) {  // U S^{-1} V̄ᵀ (I - V Vᵀ)
    array t = array(Vb - matmul(V, VtVb));
    r = array(r + matmul(array(U * sinv), mT(t)));
  }
  return {r};
}

template <class = void>
std::vector<array> svd_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& p = static_cast<const SVD<>&>(node.primitive());
  const array& a = node.inputs()[0];
  lf_real_only(a, "linalg::svd");
  const array& dA0 = lf_t0(tangents);
  if (!p.compute_uv()) {
    auto l = svd_layout(node);
    auto usv = linalg::svd(transpose(a, l.perm), true);
    const int k = std::min(a.shape(p.row_axis()), a.shape(p.col_axis()));
    array U = lf_cols(usv[0], k), Vt = lf_rows(usv[2], k);
    array ds = sum(array(matmul(mT(U), transpose(dA0, l.perm)) * Vt), -1, false);  // diag(Uᵀ dA V)
    if (!l.planes) return {ds};
    return {transpose(expand_dims(ds, -1), lf_inverse_perm(l.perm))};
  }
  const auto outs = node.outputs();
  const array& s = outs[1];
  const int m = a.shape(-2), n = a.shape(-1), k = s.shape(-1);
  array U = lf_cols(outs[0], k), V = mT(lf_rows(outs[2], k));
  array dA = lf_cast(dA0, a.dtype());
  array P = matmul(matmul(mT(U), dA), V);
  array S = lf_diag_embed(s);
  array F = lf_gap_inverse(array(s * s));
  array sinv = expand_dims(array(array(1.0, s.dtype()) / s), -2);
  array dU = matmul(U, array(F * (matmul(P, S) + matmul(S, mT(P)))));
  array dV = matmul(V, array(F * (matmul(S, P) + matmul(mT(P), S))));
  if (m > k) dU = array(dU + array((matmul(dA, V) - matmul(U, P)) * sinv));
  if (n > k) dV = array(dV + array((matmul(mT(dA), U) - matmul(V, mT(P))) * sinv));
  // Zero tangents for the completion columns of the full U and rows of Vt.
  auto pad_to = [](array x, int axis, int full) {
    if (x.shape(axis) == full) return x;
    Shape z = x.shape();
    z[x.ndim() + axis] = full - x.shape(axis);
    return concatenate({x, zeros(z, x.dtype())}, axis);
  };
  return {pad_to(dU, -1, m), lf_diag(P), pad_to(mT(dV), -2, n)};
}

// ---- qr ------------------------------------------------------------------------------------------
//
// A = Q R reduced, m >= n (k = n): with C = Qᵀ dA R^{-1} and Ω = tril(C, -1) - tril(C, -1)ᵀ
// (Qᵀ dQ is antisymmetric and dR R^{-1} upper triangular):
//   jvp  dR = (C - Ω) R,  dQ = dA R^{-1} - Q (C - Ω);
//   vjp  M = R R̄ᵀ - Q̄ᵀ Q,  Ā = (Q̄ + Q copyltu(M)) R^{-T},  copyltu(M) = tril(M) + tril(M, -1)ᵀ
// (e.g. Liao et al. 2019, "Differentiable programming tensor networks"). Wide matrices
// (m < n) throw: R's trailing columns need a different split.

inline void qr_check(const array& a) {
  lf_real_only(a, "linalg::qr");
  if (a.shape(-2) < a.shape(-1))
    fail<std::runtime_error>("linalg::qr", "The derivative is only implemented for m >= n; got shape ",
                             a.shape(), ".");
}

template <class = void>
std::vector<array> qr_vjp(const array& node, const std::vector<array>& cots,
                          const std::vector<int>&) {
  const array& a = node.inputs()[0];
  qr_check(a);
  const auto outs = node.outputs();
  const array &Q = outs[0], &R = outs[1];
  const array &Qb = cots[0], &Rb = cots[1];
  array M = array(matmul(R, mT(Rb)) - matmul(mT(Qb), Q));
  array copyltu = array(tril(M) + mT(tril(M, -1)));
  array X = array(Qb + matmul(Q, copyltu));
  // X R^{-T} = (R^{-1} Xᵀ)ᵀ.
  return {mT(linalg::solve_triangular(R, mT(X), /*upper=*/true))};
}

template <class = void>
std::vector<array> qr_jvp(const array& node, const std::vector<array>& tangents) {
  const array& a = node.inputs()[0];
  qr_check(a);
  const auto outs = node.outputs();
  const array &Q = outs[0], &R = outs[1];
  const array& dA = lf_t0(tangents);
  // B = dA R^{-1} = (R^{-T} dAᵀ)ᵀ, R^{-T} lower triangular.
  array B = mT(linalg::solve_triangular(mT(R), mT(dA), /*upper=*/false));
  array C = matmul(mT(Q), B);
  array low = tril(C, -1);
  array D = array(C - (low - mT(low)));  // C - Ω = dR R^{-1}
  return {array(B - matmul(Q, D)), matmul(D, R)};
}

// ---- pinv ------------------------------------------------------------------------------------------
//
// P = A⁺ (constant rank; Golub & Pereyra 1973):
//   jvp  dP = -P dA P + P Pᵀ dAᵀ (I - A P) + (I - P A) dAᵀ Pᵀ P;
//   vjp  Ā = -Pᵀ P̄ Pᵀ + (I - A P) P̄ᵀ P Pᵀ + Pᵀ P P̄ᵀ (I - P A).
// (I - A P) X is computed as X - A (P X), so no identity is built.

template <class = void>
std::vector<array> pinv_vjp(const array& node, const std::vector<array>& cots,
                            const std::vector<int>&) {
  const array& A = node.inputs()[0];
  const array& P = node;
  const array& Pb = cots[0];
  array Pt = mT(P), Pbt = mT(Pb);
  array t1 = array(-matmul(matmul(Pt, Pb), Pt));
  array X = matmul(Pbt, matmul(P, Pt));  // P̄ᵀ P Pᵀ (m, n)
  array t2 = array(X - matmul(A, matmul(P, X)));
  array Y = matmul(matmul(Pt, P), Pbt);  // Pᵀ P P̄ᵀ (m, n)
  array t3 = array(Y - matmul(matmul(Y, P), A));
  return {array(t1 + t2 + t3)};
}

template <class = void>
std::vector<array> pinv_jvp(const array& node, const std::vector<array>& tangents) {
  const array& A = node.inputs()[0];
  const array& P = node;
  const array& dA = lf_t0(tangents);
  array Pt = mT(P), dAt = mT(dA);
  array t1 = array(-matmul(matmul(P, dA), P));
  array X = matmul(matmul(P, Pt), dAt);  // P Pᵀ dAᵀ (n, m)
  array t2 = array(X - matmul(matmul(X, A), P));
  array Y = matmul(matmul(dAt, Pt), P);  // dAᵀ Pᵀ P (n, m)
  array t3 = array(Y - matmul(P, matmul(A, Y)));
  return {array(t1 + t2 + t3)};
}

// ---- cross -------------------------------------------------------------------------------------------
//
// Bilinear: d(a × b) = da × b + a × db; g · (a × b) = a · (b × g) = b · (g × a), so
// ā = b × ḡ and b̄ = ḡ × a, cut to the input's 2 or 3 components and summed over the
// broadcast dims.

template <class = void>
std::vector<array> cross_vjp(const array& node, const std::vector<array>& cots,
                             const std::vector<int>& argnums) {
  const auto& p = static_cast<const Cross<>&>(node.primitive());
  const auto& in = node.inputs();
  const array g = lf_cast(cots[0], node.dtype());
  const int nd = static_cast<int>(node.ndim());
  std::vector<array> res;
  for (int k : argnums) {
    const array& x = in[k];
    std::vector<array> args = k == 0 ? std::vector<array>{in[1], g} : std::vector<array>{g, in[0]};
    array r(node.shape(), node.dtype(), node.primitive_ptr(), std::move(args));
    const int len = x.shape(p.axis() - nd);
    if (len != 3) {
      Shape start(nd, 0), stop = node.shape();
      stop[p.axis()] = len;
      r = slice(r, start, stop);
    }
    res.push_back(lf_sum_to(r, x.shape()));
  }
  return res;
}

template <class = void>
std::vector<array> cross_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& in = node.inputs();
  array t;
  for (int k = 0; k < 2; ++k) {
    if (tangents[k].is_empty_handle()) continue;
    std::vector<array> args = in;
    args[k] = lf_cast(tangents[k], node.dtype());
    array c(node.shape(), node.dtype(), node.primitive_ptr(), std::move(args));
    t = t.is_empty_handle() ? c : array(t + c);
  }
  return {t};
}

}  // namespace mlx::core::detail
