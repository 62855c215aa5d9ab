// SPDX-License-Identifier: MIT
// LAPACK on the CPU for mlx::core::linalg: typed LAPACKE wrappers (column-major), strided
// matrix gathers/scatters, and the batch loop that runs one LAPACK call per matrix.
#pragma once

#include <algorithm>
#include <atomic>
#include <complex>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/errors.hpp"

#include "mlx/backend/cpu/lapacke.hpp"

namespace mlx::core::cpu::lapack {

#if MLXPP_WITH_OPENBLAS
using lint = lapack_int;
#else
using lint = int;
#endif

/// The real type under T (float for std::complex<float>).
template <class T>
struct real_of {
  using type = T;
};
template <class T>
struct real_of<std::complex<T>> {
  using type = T;
};
template <class T>
using real_t = typename real_of<T>::type;

template <class T>
inline constexpr bool is_cplx_v = !std::is_same_v<T, real_t<T>>;

#if MLXPP_WITH_OPENBLAS

namespace impl {
inline lapack_complex_float* cf(std::complex<float>* p) {
  return reinterpret_cast<lapack_complex_float*>(p);
}
inline lapack_complex_double* cd(std::complex<double>* p) {
  return reinterpret_cast<lapack_complex_double*>(p);
}
}  // namespace impl

// Every wrapper is column-major and returns LAPACK's info (0: success, < 0: bad argument,
// > 0: the routine's numerical failure).

template <class T>
lint getrf(lint m, lint n, T* a, lint lda, lint* ipiv) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_sgetrf(LAPACK_COL_MAJOR, m, n, a, lda, ipiv);
  else return LAPACKE_dgetrf(LAPACK_COL_MAJOR, m, n, a, lda, ipiv);
}

template <class T>
lint getri(lint n, T* a, lint lda, const lint* ipiv) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_sgetri(LAPACK_COL_MAJOR, n, a, lda, ipiv);
  else return LAPACKE_dgetri(LAPACK_COL_MAJOR, n, a, lda, ipiv);
}

template <class T>
lint trtri(char uplo, lint n, T* a, lint lda) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_strtri(LAPACK_COL_MAJOR, uplo, 'N', n, a, lda);
  else return LAPACKE_dtrtri(LAPACK_COL_MAJOR, uplo, 'N', n, a, lda);
}

template <class T>
lint potrf(char uplo, lint n, T* a, lint lda) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_spotrf(LAPACK_COL_MAJOR, uplo, n, a, lda);
  else return LAPACKE_dpotrf(LAPACK_COL_MAJOR, uplo, n, a, lda);
}

template <class T>
lint potri(char uplo, lint n, T* a, lint lda) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_spotri(LAPACK_COL_MAJOR, uplo, n, a, lda);
  else return LAPACKE_dpotri(LAPACK_COL_MAJOR, uplo, n, a, lda);
}

template <class T>
lint geqrf(lint m, lint n, T* a, lint lda, T* tau) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_sgeqrf(LAPACK_COL_MAJOR, m, n, a, lda, tau);
  else return LAPACKE_dgeqrf(LAPACK_COL_MAJOR, m, n, a, lda, tau);
}

template <class T>
lint orgqr(lint m, lint n, lint k, T* a, lint lda, const T* tau) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_sorgqr(LAPACK_COL_MAJOR, m, n, k, a, lda, tau);
  else return LAPACKE_dorgqr(LAPACK_COL_MAJOR, m, n, k, a, lda, tau);
}

/// Divide-and-conquer SVD: a = u * diag(s) * vt (jobz 'A', 'S' or 'N').
template <class T>
lint gesdd(char jobz, lint m, lint n, T* a, lint lda, real_t<T>* s, T* u, lint ldu, T* vt,
           lint ldvt) {
  if constexpr (std::is_same_v<T, float>)
    return LAPACKE_sgesdd(LAPACK_COL_MAJOR, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
  else if constexpr (std::is_same_v<T, double>)
    return LAPACKE_dgesdd(LAPACK_COL_MAJOR, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
  else
    return LAPACKE_cgesdd(LAPACK_COL_MAJOR, jobz, m, n, impl::cf(a), lda, s, impl::cf(u), ldu,
                          impl::cf(vt), ldvt);
}

/// Symmetric / Hermitian eigen-decomposition (eigenvalues ascending).
template <class T>
lint syevd(char jobz, char uplo, lint n, T* a, lint lda, real_t<T>* w) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_ssyevd(LAPACK_COL_MAJOR, jobz, uplo, n, a, lda, w);
  else if constexpr (std::is_same_v<T, double>) return LAPACKE_dsyevd(LAPACK_COL_MAJOR, jobz, uplo, n, a, lda, w);
  else return LAPACKE_cheevd(LAPACK_COL_MAJOR, jobz, uplo, n, impl::cf(a), lda, w);
}

/// General eigen-decomposition with right eigenvectors (real: eigenvalues as wr + i wi).
template <class T>
lint geev_real(char jobvr, lint n, T* a, lint lda, T* wr, T* wi, T* vr, lint ldvr) {
  if constexpr (std::is_same_v<T, float>)
    return LAPACKE_sgeev(LAPACK_COL_MAJOR, 'N', jobvr, n, a, lda, wr, wi, nullptr, 1, vr, ldvr);
  else
    return LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', jobvr, n, a, lda, wr, wi, nullptr, 1, vr, ldvr);
}
inline lint geev_complex(char jobvr, lint n, std::complex<float>* a, lint lda,
                         std::complex<float>* w, std::complex<float>* vr, lint ldvr) {
  return LAPACKE_cgeev(LAPACK_COL_MAJOR, 'N', jobvr, n, impl::cf(a), lda, impl::cf(w), nullptr, 1,
                       impl::cf(vr), ldvr);
}

template <class T>
lint gesv(lint n, lint nrhs, T* a, lint lda, lint* ipiv, T* b, lint ldb) {
  if constexpr (std::is_same_v<T, float>) return LAPACKE_sgesv(LAPACK_COL_MAJOR, n, nrhs, a, lda, ipiv, b, ldb);
  else return LAPACKE_dgesv(LAPACK_COL_MAJOR, n, nrhs, a, lda, ipiv, b, ldb);
}

template <class T>
lint trtrs(char uplo, lint n, lint nrhs, const T* a, lint lda, T* b, lint ldb) {
  if constexpr (std::is_same_v<T, float>)
    return LAPACKE_strtrs(LAPACK_COL_MAJOR, uplo, 'N', 'N', n, nrhs, a, lda, b, ldb);
  else
    return LAPACKE_dtrtrs(LAPACK_COL_MAJOR, uplo, 'N', 'N', n, nrhs, a, lda, b, ldb);
}

inline constexpr bool available = true;

#else  // no LAPACK in this build: the ops exist, evaluating them throws.

inline constexpr bool available = false;

// Stand-ins with any arguments so that the kernels compile; require() runs first.
#define MLXPP_NO_LAPACK(fn)                                                            \
  template <class... A>                                                                \
  lint fn(const A&...) {                                                               \
    throw std::runtime_error("[linalg] Not available: this build has no LAPACK.");     \
  }
MLXPP_NO_LAPACK(getrf)
MLXPP_NO_LAPACK(getri)
MLXPP_NO_LAPACK(trtri)
MLXPP_NO_LAPACK(potrf)
MLXPP_NO_LAPACK(potri)
MLXPP_NO_LAPACK(geqrf)
MLXPP_NO_LAPACK(orgqr)
MLXPP_NO_LAPACK(gesdd)
MLXPP_NO_LAPACK(syevd)
MLXPP_NO_LAPACK(geev_real)
MLXPP_NO_LAPACK(geev_complex)
MLXPP_NO_LAPACK(gesv)
MLXPP_NO_LAPACK(trtrs)
#undef MLXPP_NO_LAPACK

#endif

/// Throws the error every linalg kernel gives in a build without LAPACK.
inline void require(const char* op) {
  if (!available)
    detail::fail<std::runtime_error>(op, "Not available: this build has no LAPACK "
                                         "(configure with MLXPP_WITH_OPENBLAS=ON).");
}

// ---- matrices inside strided batches ---------------------------------------------------

/// Where each matrix of a batch starts: the batch index is decomposed over `shape` (the
/// output's batch dims) and combined with `strides` (an input's strides for those dims;
/// 0 where the input is broadcast).
struct BatchOffsets {
  Shape shape;
  Strides strides;
  int64_t operator()(int64_t b) const {
    int64_t off = 0;
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      off += (b % shape[d]) * strides[d];
      b /= shape[d];
    }
    return off;
  }
};

/// The batch dims (all but the last two) of `a` as offsets, broadcast to `batch_shape`.
inline BatchOffsets batch_offsets(const array& a, const Shape& batch_shape) {
  const int nb = static_cast<int>(a.ndim()) - 2;
  Shape in_shape(a.shape().begin(), a.shape().begin() + std::max(nb, 0));
  Strides in_strides(a.strides().begin(), a.strides().begin() + std::max(nb, 0));
  return BatchOffsets{batch_shape, detail::broadcast_strides(in_shape, in_strides, batch_shape)};
}

/// Copies the m x n matrix at `src` (element strides rs, cs) to dense `dst`, column-major
/// (leading dimension m) or row-major, converting to T.
template <class T, class S>
void gather(const S* src, int64_t rs, int64_t cs, int m, int n, T* dst, bool col_major) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      T v = detail::convert_element<T>(src[i * rs + j * cs]);
      dst[col_major ? i + static_cast<int64_t>(j) * m : static_cast<int64_t>(i) * n + j] = v;
    }
}

/// Writes dense column-major m x n `src` (leading dimension ld) to row-major `dst`.
template <class T, class S>
void scatter_col_major(const S* src, int64_t ld, int m, int n, T* dst) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      dst[static_cast<int64_t>(i) * n + j] = detail::convert_element<T>(src[i + j * ld]);
}

/// Zeroes the strict lower (lower = true) or strict upper triangle of a row-major n x n matrix.
template <class T>
void zero_triangle(T* a, int n, bool lower) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (lower ? j < i : j > i) a[static_cast<int64_t>(i) * n + j] = T(0);
}

/// The first failure of a batch loop (the lowest batch index that failed).
struct Failure {
  int64_t batch = -1;
  int64_t info = 0;
  explicit operator bool() const { return batch >= 0; }
};

/// Runs f(b) -> info for every matrix b in [0, nb). With `parallel`, small matrices are
/// spread over the thread pool (LAPACK is single-threaded at these sizes); large ones run
/// in order and leave the threads to OpenBLAS. Failures are collected, never thrown from a
/// worker.
///
/// OpenBLAS's own LAPACK routines (getrf, getri, potrf, potri, trtri, gesv, trtrs) take a
/// global buffer lock on every call, so concurrent callers queue: 10000 inverses of 4 x 4
/// took 5.2 ms on one thread and 16.5 ms on two (16-core Xeon). Their primitives pass
/// parallel = false; the reference-LAPACK routines (geqrf, gesdd, geev, syevd) scale.
template <class F>
Failure for_each_matrix(int64_t nb, int64_t rows, int64_t cols, F&& f, bool parallel = true) {
  Failure fail;
  if (nb <= 0) return fail;
  const int64_t big = std::max(rows, cols);
  const int64_t work = std::max<int64_t>(1, big * big * big);
  const int64_t grain =
      !parallel || big >= 192 ? nb : std::max<int64_t>(1, (int64_t{1} << 17) / work);
  std::atomic<int64_t> first{std::numeric_limits<int64_t>::max()};
  std::vector<int64_t> infos(static_cast<size_t>(nb), 0);
  parallel_for(nb, grain, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      int64_t info = f(b);
      if (info != 0) {
        infos[static_cast<size_t>(b)] = info;
        int64_t cur = first.load();
        while (b < cur && !first.compare_exchange_weak(cur, b)) {
        }
      }
    }
  });
  int64_t b = first.load();
  if (b != std::numeric_limits<int64_t>::max()) {
    fail.batch = b;
    fail.info = infos[static_cast<size_t>(b)];
  }
  return fail;
}

}  // namespace mlx::core::cpu::lapack
