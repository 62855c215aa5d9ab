// SPDX-License-Identifier: MIT
// Primitives of mlx::core::linalg: factorizations, inverses, eigen-decompositions and
// solves computed one matrix at a time through LAPACK (backend/cpu/lapack.hpp), and Cross.
#pragma once

#include <algorithm>
#include <complex>
#include <string>
#include <utility>
#include <vector>

#include "mlx/backend/cpu/lapack.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

namespace linalg_detail {

namespace lp = cpu::lapack;

/// Calls f(type_tag<T>) for float32 / float64, and complex64 when Complex is set (only then
/// is f instantiated for std::complex<float>).
template <bool Complex, class F>
void dispatch_lapack(Dtype dt, const char* op, F&& f) {
  if (dt == float32) return f(detail::type_tag<float>{});
  if (dt == float64) return f(detail::type_tag<double>{});
  if constexpr (Complex)
    if (dt == complex64) return f(detail::type_tag<std::complex<float>>{});
  detail::fail<std::runtime_error>(op, "Unsupported dtype ", dt, ".");
}

inline Shape leading(const Shape& s, int drop) {
  return Shape(s.begin(), s.end() - std::min<int>(drop, static_cast<int>(s.size())));
}

/// "[op] <what> (LAPACK <routine> info <info>[, matrix <b> of the batch])." A negative info
/// is an argument LAPACKE refused: with valid shapes that is a NaN or infinity in the input.
[[noreturn]] inline void lapack_failure(const char* op, std::string what, const char* routine,
                                        const lp::Failure& f, int64_t nb) {
  if (f.info < 0) what = "The input contains NaN or infinity";
  if (nb > 1)
    detail::fail<std::runtime_error>(op, what, " (LAPACK ", routine, " info ", f.info,
                                     ", matrix ", f.batch, " of the batch).");
  detail::fail<std::runtime_error>(op, what, " (LAPACK ", routine, " info ", f.info, ").");
}

/// Copies each n×n matrix of a batched `a` (any strides) into its slot of `out`, allocated
/// here, and runs `factor(m, n)` on the copy in place (m: a T* for T the dtype's type);
/// returns the first nonzero info code (to pass to lapack_failure) and the batch size.
template <class Factor>
std::pair<lp::Failure, int64_t> for_each_square_in_place(const array& a, array& out,
                                                          const char* op, Factor&& factor) {
  out.set_data(allocator::malloc(out.nbytes()));
  const int n = a.shape(-1);
  const Shape batch = leading(a.shape(), 2);
  const int64_t nb = shape_size(batch);
  if (out.size() == 0) return {lp::Failure{}, nb};
  lp::Failure fail{};
  dispatch_lapack<false>(a.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const auto off = lp::batch_offsets(a, batch);
    const T* src = a.data<T>();
    T* dst = out.data<T>();
    const int64_t rs = a.strides(-2), cs = a.strides(-1);
    fail = lp::for_each_matrix(nb, n, n, [&](int64_t b) -> int64_t {
      T* m = dst + b * n * n;
      lp::gather(src + off(b), rs, cs, n, n, m, false);
      return factor(m, n);
    }, /*parallel=*/false);
  });
  return {fail, nb};
}

}  // namespace linalg_detail

/// inv (general: getrf + getri) and tri_inv (trtri, other triangle zeroed). A row-major
/// matrix is its transpose in column-major order and inv(Aᵀ) = inv(A)ᵀ, so the input is
/// inverted in the output buffer without transposing.
template <class = void>
class Inverse : public UnaryPrimitive {
 public:
  Inverse(Stream s, bool tri, bool upper) : UnaryPrimitive(s), tri_(tri), upper_(upper) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const char* op = tri_ ? "linalg::tri_inv" : "linalg::inv";
    namespace lp = cpu::lapack;
    lp::require(op);
    auto [fail, nb] = linalg_detail::for_each_square_in_place(
        inputs[0], out, op, [&](auto* m, int n) -> int64_t {
          if (tri_) {
            // Row-major upper is column-major lower.
            auto info = lp::trtri(upper_ ? 'L' : 'U', n, m, n);
            if (info == 0) lp::zero_triangle(m, n, upper_);
            return info;
          }
          std::vector<lp::lint> ipiv(n);
          auto info = lp::getrf(n, n, m, n, ipiv.data());
          if (info != 0) return info;
          return lp::getri(n, m, n, ipiv.data());
        });
    if (fail)
      linalg_detail::lapack_failure(op, "The matrix is singular", tri_ ? "trtri" : "getrf", fail,
                                    nb);
  }
  const char* name() const override { return "Inverse"; }
  bool triangular() const { return tri_; }
  bool upper() const { return upper_; }

 private:
  bool tri_, upper_;
};

/// cholesky (potrf) and cholesky_inv (potri on the factor). A symmetric row-major matrix
/// reads the same in column-major order, and a column-major upper factor is a row-major
/// lower one, so LAPACK gets the opposite triangle of `upper`.
template <class = void>
class Cholesky : public UnaryPrimitive {
 public:
  Cholesky(Stream s, bool upper, bool inverse)
      : UnaryPrimitive(s), upper_(upper), inverse_(inverse) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const char* op = inverse_ ? "linalg::cholesky_inv" : "linalg::cholesky";
    namespace lp = cpu::lapack;
    lp::require(op);
    const char uplo = upper_ ? 'L' : 'U';
    auto [fail, nb] = linalg_detail::for_each_square_in_place(
        inputs[0], out, op, [&](auto* m, int n) -> int64_t {
          auto info = inverse_ ? lp::potri(uplo, n, m, n) : lp::potrf(uplo, n, m, n);
          if (info != 0) return info;
          if (!inverse_) {
            lp::zero_triangle(m, n, upper_);
          } else {
            // potri fills one triangle of the symmetric inverse: mirror it.
            for (int i = 0; i < n; ++i)
              for (int j = 0; j < i; ++j) {
                auto& lo = m[static_cast<int64_t>(i) * n + j];
                auto& hi = m[static_cast<int64_t>(j) * n + i];
                if (upper_) lo = hi; else hi = lo;
              }
          }
          return 0;
        });
    if (fail) {
      if (inverse_)
        linalg_detail::lapack_failure(op, "The Cholesky factor is singular", "potri", fail, nb);
      linalg_detail::lapack_failure(op, "The matrix is not positive definite", "potrf", fail,
                                    nb);
    }
  }
  const char* name() const override { return inverse_ ? "CholeskyInverse" : "Cholesky"; }
  bool upper() const { return upper_; }
  bool inverse() const { return inverse_; }

 private:
  bool upper_, inverse_;
};

/// Reduced QR (geqrf + orgqr): Q (..., m, k) and R (..., k, n), k = min(m, n).
template <class = void>
class QRF : public Primitive {
 public:
  explicit QRF(Stream s) : Primitive(s) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const char* op = "linalg::qr";
    namespace lp = cpu::lapack;
    lp::require(op);
    const array& a = inputs[0];
    array& q = outputs[0];
    array& r = outputs[1];
    q.set_data(allocator::malloc(q.nbytes()));
    r.set_data(allocator::malloc(r.nbytes()));
    const int m = a.shape(-2), n = a.shape(-1), k = std::min(m, n);
    if (a.size() == 0) {
      // An m x 0 or 0 x n matrix: Q and R have no elements, or R is empty and Q is m x 0.
      detail::dispatch_dtype(r.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        std::fill_n(r.data<T>(), r.size(), T(0));
      });
      return;
    }
    const Shape batch = linalg_detail::leading(a.shape(), 2);
    const int64_t nb = shape_size(batch);
    linalg_detail::dispatch_lapack<false>(a.dtype(), op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto off = lp::batch_offsets(a, batch);
      const T* src = a.data<T>();
      T* qd = q.data<T>();
      T* rd = r.data<T>();
      const int64_t rs = a.strides(-2), cs = a.strides(-1);
      auto fail = lp::for_each_matrix(nb, m, n, [&](int64_t b) -> int64_t {
        std::vector<T> buf(static_cast<size_t>(m) * n), tau(k);
        lp::gather(src + off(b), rs, cs, m, n, buf.data(), true);
        auto info = lp::geqrf(m, n, buf.data(), m, tau.data());
        if (info != 0) return info;
        T* rb = rd + b * k * n;
        for (int i = 0; i < k; ++i)
          for (int j = 0; j < n; ++j)
            rb[static_cast<int64_t>(i) * n + j] = j >= i ? buf[i + static_cast<int64_t>(j) * m] : T(0);
        info = lp::orgqr(m, k, k, buf.data(), m, tau.data());
        if (info != 0) return info;
        lp::scatter_col_major(buf.data(), m, m, k, qd + b * m * k);
        return 0;
      });
      if (fail) linalg_detail::lapack_failure(op, "QR factorization failed", "geqrf/orgqr", fail, nb);
    });
  }
  const char* name() const override { return "QRF"; }
};

/// Singular value decomposition (gesdd). The matrices are the (row_axis, col_axis) planes
/// of the input; every other dim is a batch dim. The singular values are written as if the
/// output had the input's shape with row_axis -> k and col_axis -> 1 (for the last two axes
/// that is (..., k)), which lets norm reduce them in place of its matrix axes.
/// With compute_uv (last two axes only): U (..., m, m), S (..., k), Vt (..., n, n).
template <class = void>
class SVD : public Primitive {
 public:
  SVD(Stream s, bool compute_uv, int row_axis, int col_axis)
      : Primitive(s), compute_uv_(compute_uv), row_(row_axis), col_(col_axis) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const char* op = "linalg::svd";
    namespace lp = cpu::lapack;
    lp::require(op);
    const array& a = inputs[0];
    for (auto& o : outputs) o.set_data(allocator::malloc(o.nbytes()));
    array& sv = outputs[compute_uv_ ? 1 : 0];
    const int m = a.shape(row_), n = a.shape(col_), k = std::min(m, n);
    const int nd = static_cast<int>(a.ndim());
    // Batch dims of the input and where each batch's values go.
    Shape vshape = a.shape();
    vshape[row_] = k;
    vshape[col_] = 1;
    const Strides vst = row_major_strides(vshape);
    lp::BatchOffsets in_off, val_off;
    for (int d = 0; d < nd; ++d) {
      if (d == row_ || d == col_) continue;
      in_off.shape.push_back(a.shape(d));
      in_off.strides.push_back(a.strides(d));
      val_off.shape.push_back(a.shape(d));
      val_off.strides.push_back(vst[d]);
    }
    const int64_t nb = shape_size(in_off.shape);
    const int64_t kst = vst[row_];
    const int64_t rs = a.strides(row_), cs = a.strides(col_);
    linalg_detail::dispatch_lapack<true>(a.dtype(), op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using R = lp::real_t<T>;
      const T* src = a.data<T>();
      R* sd = sv.data<R>();
      T* ud = compute_uv_ ? outputs[0].data<T>() : nullptr;
      T* vd = compute_uv_ ? outputs[2].data<T>() : nullptr;
      if (m == 0 || n == 0) {
        // No singular values; U and Vt are identities.
        if (compute_uv_) {
          auto eye = [](T* p, int64_t count, int d) {
            for (int64_t b = 0; b < count; ++b)
              for (int i = 0; i < d; ++i)
                for (int j = 0; j < d; ++j) p[(b * d + i) * d + j] = T(i == j ? 1 : 0);
          };
          eye(ud, nb, m);
          eye(vd, nb, n);
        }
        return;
      }
      auto fail = lp::for_each_matrix(nb, m, n, [&](int64_t b) -> int64_t {
        // Row-major A is column-major Aᵀ = U' S Vt', so A = Vt'ᵀ S U'ᵀ: column-major Vt'
        // read row-major is U, and column-major U' read row-major is Vt.
        std::vector<T> buf(static_cast<size_t>(m) * n);
        std::vector<R> s(k);
        lp::gather(src + in_off(b), rs, cs, m, n, buf.data(), false);
        lp::lint info;
        if (compute_uv_)
          info = lp::gesdd('A', n, m, buf.data(), n, s.data(), vd + b * n * n, n, ud + b * m * m, m);
        else
          info = lp::gesdd('N', n, m, buf.data(), n, s.data(), static_cast<T*>(nullptr), 1,
                           static_cast<T*>(nullptr), 1);
        if (info != 0) return info;
        R* out = sd + val_off(b);
        for (int i = 0; i < k; ++i) out[i * kst] = s[i];
        return 0;
      });
      if (fail) linalg_detail::lapack_failure(op, "SVD did not converge", "gesdd", fail, nb);
    });
  }
  const char* name() const override { return "SVD"; }
  bool compute_uv() const { return compute_uv_; }
  int row_axis() const { return row_; }
  int col_axis() const { return col_; }

 private:
  bool compute_uv_;
  int row_, col_;
};

/// Eigenvalues (and right eigenvectors, as columns) of general matrices (geev). Outputs
/// are complex64 for every input dtype, as in MLX.
template <class = void>
class Eig : public Primitive {
 public:
  Eig(Stream s, bool vectors) : Primitive(s), vectors_(vectors) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const char* op = vectors_ ? "linalg::eig" : "linalg::eigvals";
    namespace lp = cpu::lapack;
    lp::require(op);
    const array& a = inputs[0];
    for (auto& o : outputs) o.set_data(allocator::malloc(o.nbytes()));
    const int n = a.shape(-1);
    if (a.size() == 0) return;
    const Shape batch = linalg_detail::leading(a.shape(), 2);
    const int64_t nb = shape_size(batch);
    using C = std::complex<float>;
    C* wd = outputs[0].data<C>();
    C* vd = vectors_ ? outputs[1].data<C>() : nullptr;
    const char jobvr = vectors_ ? 'V' : 'N';
    linalg_detail::dispatch_lapack<true>(a.dtype(), op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto off = lp::batch_offsets(a, batch);
      const T* src = a.data<T>();
      const int64_t rs = a.strides(-2), cs = a.strides(-1);
      auto fail = lp::for_each_matrix(nb, n, n, [&](int64_t b) -> int64_t {
        const size_t nn = static_cast<size_t>(n) * n;
        std::vector<T> buf(nn), vr(vectors_ ? nn : 1);
        lp::gather(src + off(b), rs, cs, n, n, buf.data(), true);
        C* w = wd + b * n;
        C* v = vectors_ ? vd + b * n * n : nullptr;
        if constexpr (lp::is_cplx_v<T>) {
          auto info = lp::geev_complex(jobvr, n, buf.data(), n, w, vr.data(), n);
          if (info != 0) return info;
          if (v) lp::scatter_col_major(vr.data(), n, n, n, v);
        } else {
          std::vector<T> wr(n), wi(n);
          auto info = lp::geev_real(jobvr, n, buf.data(), n, wr.data(), wi.data(), vr.data(), n);
          if (info != 0) return info;
          for (int j = 0; j < n; ++j) w[j] = C(static_cast<float>(wr[j]), static_cast<float>(wi[j]));
          if (v) {
            // A complex pair j, j+1 stores re in column j and im in column j + 1.
            for (int j = 0; j < n; ++j) {
              const T* cj = vr.data() + static_cast<int64_t>(j) * n;
              if (wi[j] != T(0) && j + 1 < n) {
                const T* cj1 = cj + n;
                for (int i = 0; i < n; ++i) {
                  v[static_cast<int64_t>(i) * n + j] = C(static_cast<float>(cj[i]), static_cast<float>(cj1[i]));
                  v[static_cast<int64_t>(i) * n + j + 1] = C(static_cast<float>(cj[i]), -static_cast<float>(cj1[i]));
                }
                ++j;
              } else {
                for (int i = 0; i < n; ++i) v[static_cast<int64_t>(i) * n + j] = C(static_cast<float>(cj[i]), 0.0f);
              }
            }
          }
        }
        return 0;
      });
      if (fail)
        linalg_detail::lapack_failure(op, "The eigenvalue algorithm did not converge", "geev",
                                      fail, nb);
    });
  }
  const char* name() const override { return "Eig"; }

 private:
  bool vectors_;
};

/// Eigenvalues (ascending) and eigenvectors (columns) of symmetric / Hermitian matrices,
/// read from the triangle `uplo` ('L' or 'U') only (syevd / heevd).
template <class = void>
class Eigh : public Primitive {
 public:
  Eigh(Stream s, char uplo, bool vectors) : Primitive(s), uplo_(uplo), vectors_(vectors) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const char* op = vectors_ ? "linalg::eigh" : "linalg::eigvalsh";
    namespace lp = cpu::lapack;
    lp::require(op);
    const array& a = inputs[0];
    for (auto& o : outputs) o.set_data(allocator::malloc(o.nbytes()));
    const int n = a.shape(-1);
    if (a.size() == 0) return;
    const Shape batch = linalg_detail::leading(a.shape(), 2);
    const int64_t nb = shape_size(batch);
    linalg_detail::dispatch_lapack<true>(a.dtype(), op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using R = lp::real_t<T>;
      const auto off = lp::batch_offsets(a, batch);
      const T* src = a.data<T>();
      R* wd = outputs[0].data<R>();
      T* vd = vectors_ ? outputs[1].data<T>() : nullptr;
      const int64_t rs = a.strides(-2), cs = a.strides(-1);
      auto fail = lp::for_each_matrix(nb, n, n, [&](int64_t b) -> int64_t {
        std::vector<T> buf(static_cast<size_t>(n) * n);
        lp::gather(src + off(b), rs, cs, n, n, buf.data(), true);
        auto info = lp::syevd(vectors_ ? 'V' : 'N', uplo_, n, buf.data(), n, wd + b * n);
        if (info != 0) return info;
        if (vd) lp::scatter_col_major(buf.data(), n, n, n, vd + b * n * n);
        return 0;
      });
      if (fail)
        linalg_detail::lapack_failure(op, "The eigenvalue algorithm did not converge", "syevd",
                                      fail, nb);
    });
  }
  const char* name() const override { return "Eigh"; }
  char uplo() const { return uplo_; }
  bool vectors() const { return vectors_; }

 private:
  char uplo_;
  bool vectors_;
};

/// LU factorization with partial pivoting (getrf). lu_factor's outputs: LU (..., m, n) and
/// pivots (..., k) uint32 (row i was swapped with pivots[i]); lu's outputs (split): the row
/// permutation P (..., m) uint32, L (..., m, k), U (..., k, n), with L[P] @ U == A.
template <class = void>
class LUF : public Primitive {
 public:
  LUF(Stream s, bool split) : Primitive(s), split_(split) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const char* op = split_ ? "linalg::lu" : "linalg::lu_factor";
    namespace lp = cpu::lapack;
    lp::require(op);
    const array& a = inputs[0];
    for (auto& o : outputs) o.set_data(allocator::malloc(o.nbytes()));
    const int m = a.shape(-2), n = a.shape(-1), k = std::min(m, n);
    const Shape batch = linalg_detail::leading(a.shape(), 2);
    const int64_t nb = shape_size(batch);
    uint32_t* perm = split_ ? outputs[0].data<uint32_t>() : nullptr;
    uint32_t* piv = split_ ? nullptr : outputs[1].data<uint32_t>();
    linalg_detail::dispatch_lapack<false>(a.dtype(), op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto off = lp::batch_offsets(a, batch);
      const T* src = a.data<T>();
      T* lu = split_ ? nullptr : outputs[0].data<T>();
      T* ld = split_ ? outputs[1].data<T>() : nullptr;
      T* ud = split_ ? outputs[2].data<T>() : nullptr;
      const int64_t rs = a.strides(-2), cs = a.strides(-1);
      auto fail = lp::for_each_matrix(nb, m, n, [&](int64_t b) -> int64_t {
        std::vector<T> buf(static_cast<size_t>(m) * n);
        std::vector<lp::lint> ipiv(std::max(k, 1));
        lp::gather(src + off(b), rs, cs, m, n, buf.data(), true);
        if (k > 0) {
          auto info = lp::getrf(m, n, buf.data(), m, ipiv.data());
          if (info != 0) return info;
        }
        auto at = [&](int i, int j) { return buf[i + static_cast<int64_t>(j) * m]; };
        if (!split_) {
          for (int j = 0; j < k; ++j) piv[b * k + j] = static_cast<uint32_t>(ipiv[j] - 1);
          lp::scatter_col_major(buf.data(), m, m, n, lu + b * m * n);
        } else {
          // The permutation: apply the recorded swaps to the identity, last first.
          uint32_t* p = perm + b * m;
          for (int i = 0; i < m; ++i) p[i] = static_cast<uint32_t>(i);
          for (int j = k - 1; j >= 0; --j) std::swap(p[j], p[ipiv[j] - 1]);
          T* l = ld + b * m * k;
          T* u = ud + b * k * n;
          for (int i = 0; i < m; ++i)
            for (int j = 0; j < k; ++j)
              l[static_cast<int64_t>(i) * k + j] = i > j ? at(i, j) : T(i == j ? 1 : 0);
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < n; ++j)
              u[static_cast<int64_t>(i) * n + j] = j >= i ? at(i, j) : T(0);
        }
        return 0;
      }, /*parallel=*/false);
      if (fail) linalg_detail::lapack_failure(op, "The matrix is singular", "getrf", fail, nb);
    });
  }
  const char* name() const override { return "LUF"; }

 private:
  bool split_;
};

/// solve (gesv) and solve_triangular (trtrs, reading only the `upper` triangle) of
/// a (..., n, n) x = b with b (..., n, k), batch dims broadcast, or b (n,) for every matrix.
template <class = void>
class Solve : public UnaryPrimitive {
 public:
  Solve(Stream s, bool triangular, bool upper, bool vector_rhs)
      : UnaryPrimitive(s), tri_(triangular), upper_(upper), vec_(vector_rhs) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const char* op = tri_ ? "linalg::solve_triangular" : "linalg::solve";
    namespace lp = cpu::lapack;
    lp::require(op);
    const array& a = inputs[0];
    const array& b = inputs[1];
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    const int n = a.shape(-1);
    const int k = vec_ ? 1 : out.shape(-1);
    const Shape batch = linalg_detail::leading(out.shape(), vec_ ? 1 : 2);
    const int64_t nb = shape_size(batch);
    linalg_detail::dispatch_lapack<false>(out.dtype(), op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto aoff = lp::batch_offsets(a, batch);
      const auto boff = vec_ ? lp::BatchOffsets{batch, Strides(batch.size(), 0)}
                             : lp::batch_offsets(b, batch);
      const T* as = a.data<T>();
      const T* bs = b.data<T>();
      T* dst = out.data<T>();
      const int64_t ars = a.strides(-2), acs = a.strides(-1);
      const int64_t brs = vec_ ? b.strides(0) : b.strides(-2), bcs = vec_ ? 0 : b.strides(-1);
      auto fail = lp::for_each_matrix(nb, n, std::max(n, k), [&](int64_t i) -> int64_t {
        std::vector<T> am(static_cast<size_t>(n) * n), bm(static_cast<size_t>(n) * k);
        lp::gather(as + aoff(i), ars, acs, n, n, am.data(), true);
        lp::gather(bs + boff(i), brs, bcs, n, k, bm.data(), true);
        lp::lint info;
        if (tri_) {
          info = lp::trtrs(upper_ ? 'U' : 'L', n, k, am.data(), n, bm.data(), n);
        } else {
          std::vector<lp::lint> ipiv(n);
          info = lp::gesv(n, k, am.data(), n, ipiv.data(), bm.data(), n);
        }
        if (info != 0) return info;
        lp::scatter_col_major(bm.data(), n, n, k, dst + i * n * k);
        return 0;
      }, /*parallel=*/false);
      if (fail)
        linalg_detail::lapack_failure(op, "The matrix is singular", tri_ ? "trtrs" : "gesv",
                                      fail, nb);
    });
  }
  const char* name() const override { return tri_ ? "SolveTriangular" : "Solve"; }
  bool triangular() const { return tri_; }
  bool upper() const { return upper_; }
  bool vector_rhs() const { return vec_; }

 private:
  bool tri_, upper_, vec_;
};

/// Moore-Penrose pseudo-inverse through a thin SVD: V diag(1/s) Uᵀ, with singular values
/// at or below 10 * max(m, n) * eps * max(s) treated as zero (MLX's cutoff).
template <class = void>
class PseudoInverse : public UnaryPrimitive {
 public:
  explicit PseudoInverse(Stream s) : UnaryPrimitive(s) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const char* op = "linalg::pinv";
    namespace lp = cpu::lapack;
    lp::require(op);
    const array& a = inputs[0];
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    const int m = a.shape(-2), n = a.shape(-1), k = std::min(m, n);
    const Shape batch = linalg_detail::leading(a.shape(), 2);
    const int64_t nb = shape_size(batch);
    linalg_detail::dispatch_lapack<false>(a.dtype(), op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto off = lp::batch_offsets(a, batch);
      const T* src = a.data<T>();
      T* dst = out.data<T>();
      const int64_t rs = a.strides(-2), cs = a.strides(-1);
      const double rcond = 10.0 * std::max(m, n) * std::numeric_limits<T>::epsilon();
      auto fail = lp::for_each_matrix(nb, m, n, [&](int64_t b) -> int64_t {
        std::vector<T> buf(static_cast<size_t>(m) * n), u(static_cast<size_t>(m) * k),
            vt(static_cast<size_t>(k) * n), s(k);
        lp::gather(src + off(b), rs, cs, m, n, buf.data(), true);
        auto info = lp::gesdd('S', m, n, buf.data(), m, s.data(), u.data(), m, vt.data(), k);
        if (info != 0) return info;
        const T cutoff = static_cast<T>(rcond * *std::max_element(s.begin(), s.end()));
        for (auto& x : s) x = x > cutoff ? T(1) / x : T(0);
        // P[i][j] = sum_l Vt[l][i] / s[l] * U[j][l]  (U, Vt column-major).
        T* p = dst + b * n * m;
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < m; ++j) {
            T acc = 0;
            for (int l = 0; l < k; ++l)
              acc += vt[l + static_cast<int64_t>(i) * k] * s[l] * u[j + static_cast<int64_t>(l) * m];
            p[static_cast<int64_t>(i) * m + j] = acc;
          }
        return 0;
      });
      if (fail) linalg_detail::lapack_failure(op, "SVD did not converge", "gesdd", fail, nb);
    });
  }
  const char* name() const override { return "PseudoInverse"; }
};

/// The cross product along `axis` of the output; inputs (already in the output dtype) have
/// 2 or 3 elements there (a missing third component is 0) and broadcast to the output.
template <class = void>
class Cross : public UnaryPrimitive {
 public:
  Cross(Stream s, int axis) : UnaryPrimitive(s), axis_(axis) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& a = inputs[0];
    const array& b = inputs[1];
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    const Shape& os = out.shape();
    const int nd = static_cast<int>(os.size());
    const Strides sa = detail::broadcast_strides(a.shape(), a.strides(), os);
    const Strides sb = detail::broadcast_strides(b.shape(), b.strides(), os);
    const Strides so = out.strides();
    const int la = a.shape(axis_ - nd), lb = b.shape(axis_ - nd);
    const int64_t outer = static_cast<int64_t>(out.size()) / 3;
    detail::dispatch_dtype(out.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = std::conditional_t<detail::is_complex_v<T>, complex64_t,
                                   std::conditional_t<std::is_integral_v<T>, int64_t, double>>;
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* po = out.data<T>();
      cpu::parallel_for(outer, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t e = begin; e < end; ++e) {
          int64_t oa = 0, ob = 0, oo = 0, rest = e;
          for (int d = nd - 1; d >= 0; --d) {
            if (d == axis_) continue;
            const int64_t i = rest % os[d];
            rest /= os[d];
            oa += i * sa[d];
            ob += i * sb[d];
            oo += i * so[d];
          }
          auto A = [&](int i) { return i < la ? detail::convert_element<C>(pa[oa + i * sa[axis_]]) : C(0); };
          auto B = [&](int i) { return i < lb ? detail::convert_element<C>(pb[ob + i * sb[axis_]]) : C(0); };
          const C a0 = A(0), a1 = A(1), a2 = A(2), b0 = B(0), b1 = B(1), b2 = B(2);
          po[oo] = detail::convert_element<T>(C(a1 * b2 - a2 * b1));
          po[oo + so[axis_]] = detail::convert_element<T>(C(a2 * b0 - a0 * b2));
          po[oo + 2 * so[axis_]] = detail::convert_element<T>(C(a0 * b1 - a1 * b0));
        }
      });
    });
  }
  const char* name() const override { return "Cross"; }
  int axis() const { return axis_; }

 private:
  int axis_;
};

}  // namespace mlx::core
