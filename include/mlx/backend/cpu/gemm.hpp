// SPDX-License-Identifier: MIT
// Batched matrix products on the CPU: operands are read through their strides (transposed
// views go to BLAS as Trans, broadcast batch dims are walked with stride 0), large products
// go to OpenBLAS, small ones to an xsimd register-blocked kernel that beats a BLAS call per
// matrix (see docs/matmul.md for the measured crossover).
#pragma once

#include <algorithm>
#include <complex>
#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"

#if MLXPP_WITH_OPENBLAS
#include <cblas.h>
#endif

namespace mlx::core::cpu {

/// How one operand's matrices are laid out: element (i, j) of batch item b is at
/// data + batch_offset[b] + i * row_stride + j * col_stride (all in elements).
template <class T>
struct MatrixOperand {
  const T* data = nullptr;
  int64_t rows = 0, cols = 0;
  int64_t row_stride = 0, col_stride = 0;
  std::vector<int64_t> batch_offset;  // one per batch item of the output
};

namespace gemm_impl {

/// A BLAS view of a (rows x cols) matrix with these strides: (transposed, leading dim), or
/// nothing when the strides fit neither NoTrans (ld, 1) nor Trans (1, ld).
inline std::optional<std::pair<bool, int64_t>> blas_layout(int64_t r, int64_t c, int64_t rs,
                                                           int64_t cs) {
  // Size-1 dims have no meaningful stride: a 1 x c row is NoTrans with ld = c, and so on.
  if ((cs == 1 || c == 1) && (r == 1 || rs >= std::max<int64_t>(c, 1)))
    return std::pair{false, r == 1 ? std::max<int64_t>(c, 1) : rs};
  if ((rs == 1 || r == 1) && (c == 1 || cs >= std::max<int64_t>(r, 1)))
    return std::pair{true, c == 1 ? std::max<int64_t>(r, 1) : cs};
  return std::nullopt;
}

/// The offsets of every batch item (row-major over batch_shape) under `strides`.
inline std::vector<int64_t> batch_offsets(const Shape& batch_shape, const Strides& strides) {
  const int64_t n = shape_size(batch_shape);
  std::vector<int64_t> off(static_cast<size_t>(n), 0);
  const int nd = static_cast<int>(batch_shape.size());
  std::vector<int64_t> idx(nd, 0);
  int64_t cur = 0;
  for (int64_t b = 0; b < n; ++b) {
    off[b] = cur;
    for (int d = nd - 1; d >= 0; --d) {
      cur += strides[d];
      if (++idx[d] < batch_shape[d]) break;
      cur -= strides[d] * batch_shape[d];
      idx[d] = 0;
    }
  }
  return off;
}

// ---- the small-matrix kernel -------------------------------------------------------------

/// C[MR x NV*W] (row stride ldc) = alpha * A[MR x K] * B[K x NV*W] + beta * C, with B's rows
/// contiguous (row stride rsb) and A read element by element through its strides.
template <class V, int MR, int NV, class T>
inline void micro(int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb, T* C,
                  int64_t ldc, T alpha, T beta) {
  constexpr int64_t W = V::size;
  V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = V(T(0));
  for (int64_t k = 0; k < K; ++k) {
    V b[NV];
    for (int v = 0; v < NV; ++v) b[v] = V::load_unaligned(B + k * rsb + v * W);
    for (int r = 0; r < MR; ++r) {
      V a(A[r * rsa + k * csa]);
      for (int v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(a, b[v], acc[r][v]);
    }
  }
  const V va(alpha), vb(beta);
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      T* c = C + r * ldc + v * W;
      V res = acc[r][v] * va;
      if (beta != T(0)) res = xsimd::fma(vb, V::load_unaligned(c), res);
      res.store_unaligned(c);
    }
}

/// micro<V, mr, NV> for a run-time mr in [1, MR].
template <class V, int NV, int MR, class T>
inline void micro_rows(int64_t mr, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B,
                       int64_t rsb, T* C, int64_t ldc, T alpha, T beta) {
  if constexpr (MR > 1)
    if (mr < MR) return micro_rows<V, NV, MR - 1>(mr, K, A, rsa, csa, B, rsb, C, ldc, alpha, beta);
  micro<V, MR, NV>(K, A, rsa, csa, B, rsb, C, ldc, alpha, beta);
}

/// Columns [j0, j0 + NV * W) of C for every row, in blocks of MR rows (MR * NV accumulators
/// hide the FMA latency; AVX-512 has 32 registers, AVX2 16).
template <class V, int NV, int MR, class T>
inline void column_strip(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa,
                         const T* B, int64_t ldb, T* C, int64_t j0, T alpha, T beta) {
  for (int64_t i0 = 0; i0 < M; i0 += MR)
    micro_rows<V, NV, MR>(std::min<int64_t>(MR, M - i0), K, A + i0 * rsa, rsa, csa, B + j0, ldb,
                          C + i0 * N + j0, N, alpha, beta);
}

// Narrower vectors for the last columns (N % W): half and quarter of the widest batch where
// this build has them, so a 24-column product does not fall to scalar code for 8 of them.
struct no_batch {
  static constexpr std::size_t size = 0;
};
#if XSIMD_WITH_AVX512F && XSIMD_WITH_FMA3_AVX2
template <class T>
using half_batch = xsimd::batch<T, xsimd::fma3<xsimd::avx2>>;
#elif XSIMD_WITH_AVX512F && XSIMD_WITH_AVX2
template <class T>
using half_batch = xsimd::batch<T, xsimd::avx2>;
#elif XSIMD_WITH_AVX && XSIMD_WITH_SSE4_2
template <class T>
using half_batch = xsimd::batch<T, xsimd::sse4_2>;
#else
template <class T>
using half_batch = no_batch;
#endif
#if XSIMD_WITH_AVX512F && XSIMD_WITH_SSE4_2
template <class T>
using quarter_batch = xsimd::batch<T, xsimd::sse4_2>;
#else
template <class T>
using quarter_batch = no_batch;
#endif

/// Scratch for one thread's small products (B repacked with contiguous rows).
template <class T>
struct SmallScratch {
  std::vector<T> b;
};

/// C (M x N, row-major, ld N) = alpha * A * B + beta * C for one small matrix.
template <class T>
void small_gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B,
                int64_t rsb, int64_t csb, T* C, T alpha, T beta, SmallScratch<T>& scratch) {
  using V = xsimd::batch<T>;
  using V2 = half_batch<T>;
  using V4 = quarter_batch<T>;
  constexpr int64_t W = V::size, W2 = V2::size, W4 = V4::size;
  // B is read in vectors of contiguous columns: repack it when its rows are not contiguous.
  const T* Bm = B;
  int64_t ldb = rsb;
  if (csb != 1) {
    scratch.b.resize(static_cast<size_t>(K * N));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) scratch.b[k * N + j] = B[k * rsb + j * csb];
    Bm = scratch.b.data();
    ldb = N;
  }
  int64_t j0 = 0;
  for (; j0 + 2 * W <= N; j0 += 2 * W)
    column_strip<V, 2, 6>(M, N, K, A, rsa, csa, Bm, ldb, C, j0, alpha, beta);
  for (; j0 + W <= N; j0 += W) column_strip<V, 1, 8>(M, N, K, A, rsa, csa, Bm, ldb, C, j0, alpha, beta);
  if constexpr (W2 > 0)
    for (; j0 + W2 <= N; j0 += W2)
      column_strip<V2, 1, 8>(M, N, K, A, rsa, csa, Bm, ldb, C, j0, alpha, beta);
  if constexpr (W4 > 0)
    for (; j0 + W4 <= N; j0 += W4)
      column_strip<V4, 1, 8>(M, N, K, A, rsa, csa, Bm, ldb, C, j0, alpha, beta);
  // The last few columns (fewer than the narrowest vector) one by one.
  for (; j0 < N; ++j0)
    for (int64_t i = 0; i < M; ++i) {
      T acc(0);
      for (int64_t k = 0; k < K; ++k) acc += A[i * rsa + k * csa] * Bm[k * ldb + j0];
      T& c = C[i * N + j0];
      c = beta == T(0) ? alpha * acc : alpha * acc + beta * c;
    }
}

/// Reference loop for types without a vector kernel (complex64 without BLAS).
template <class T>
void naive_gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B,
                int64_t rsb, int64_t csb, T* C, T alpha, T beta) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      T acc(0);
      for (int64_t k = 0; k < K; ++k) acc += A[i * rsa + k * csa] * B[k * rsb + j * csb];
      T& c = C[i * N + j];
      c = beta == T(0) ? alpha * acc : alpha * acc + beta * c;
    }
}

#if MLXPP_WITH_OPENBLAS
template <class T>
void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
               const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  ThreadPool::instance().park_workers();  // OpenBLAS brings its own threads
  const auto TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
  const auto m = static_cast<blasint>(M), n = static_cast<blasint>(N), k = static_cast<blasint>(K);
  const auto la = static_cast<blasint>(lda), lb = static_cast<blasint>(ldb),
             lc = static_cast<blasint>(ldc);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, TA, TB, m, n, k, alpha, A, la, B, lb, beta, C, lc);
  else if constexpr (std::is_same_v<T, double>)
    cblas_dgemm(CblasRowMajor, TA, TB, m, n, k, alpha, A, la, B, lb, beta, C, lc);
  else
    cblas_cgemm(CblasRowMajor, TA, TB, m, n, k, &alpha, A, la, B, lb, &beta, C, lc);
}

/// y (stride 1) = alpha * op(A) x + beta * y with A stored rows x cols (row-major, ld).
template <class T>
void blas_gemv(bool trans, int64_t rows, int64_t cols, T alpha, const T* A, int64_t ld,
               const T* x, int64_t incx, T beta, T* y) {
  const auto TA = trans ? CblasTrans : CblasNoTrans;
  const auto m = static_cast<blasint>(rows), n = static_cast<blasint>(cols),
             l = static_cast<blasint>(ld), ix = static_cast<blasint>(incx);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemv(CblasRowMajor, TA, m, n, alpha, A, l, x, ix, beta, y, 1);
  else if constexpr (std::is_same_v<T, double>)
    cblas_dgemv(CblasRowMajor, TA, m, n, alpha, A, l, x, ix, beta, y, 1);
  else
    cblas_cgemv(CblasRowMajor, TA, m, n, &alpha, A, l, x, ix, &beta, y, 1);
}

/// One product through BLAS: gemv when one side is a vector and the product is large
/// (OpenBLAS 0.3.21's gemm packs a vector operand like a matrix: several times slower),
/// gemm otherwise. (trans, ld) are each operand's blas_layout.
template <class T>
void blas_product(int64_t M, int64_t N, int64_t K, T alpha, const T* A, std::pair<bool, int64_t> la,
                  const T* B, std::pair<bool, int64_t> lb, T beta, T* C) {
  constexpr int64_t gemv_min_work = int64_t{1} << 20;
  ThreadPool::instance().park_workers();  // OpenBLAS brings its own threads
  if (N == 1 && M * K >= gemv_min_work) {
    // C (M) = A x with x = B's column: B(k, 0) is at k * ld (NoTrans) or k (Trans).
    const int64_t incx = lb.first ? 1 : lb.second;
    if (!la.first)
      return blas_gemv<T>(false, M, K, alpha, A, la.second, B, incx, beta, C);
    return blas_gemv<T>(true, K, M, alpha, A, la.second, B, incx, beta, C);  // A stored K x M
  }
  if (M == 1 && N * K >= gemv_min_work) {
    // C (N) = B^T x with x = A's row: A(0, k) is at k (NoTrans) or k * ld (Trans).
    const int64_t incx = la.first ? la.second : 1;
    if (!lb.first)
      return blas_gemv<T>(true, K, N, alpha, B, lb.second, A, incx, beta, C);  // B stored K x N
    return blas_gemv<T>(false, N, K, alpha, B, lb.second, A, incx, beta, C);  // B^T stored N x K
  }
  blas_gemm<T>(la.first, lb.first, M, N, K, alpha, A, la.second, B, lb.second, beta, C, N);
}
#endif

}  // namespace gemm_impl

/// With BLAS available, the xsimd kernel takes a single product of up to this many
/// multiply-adds (one call of it beats one cblas call up to about 24^3 here: docs/matmul.md)
/// and batched products of up to small_gemm_max_batched_work each (the batch is split over
/// the threads, while OpenBLAS would take the matrices one after the other).
inline constexpr int64_t small_gemm_max_work = 24 * 24 * 24;
inline constexpr int64_t small_gemm_max_batched_work = 128 * 128 * 128;

/// out[b] = alpha * a[b] @ b[b] + beta * out[b] for every batch item b; out is row-major
/// (batch, M, N) and holds C beforehand when beta != 0.
template <class T>
void gemm_batched(const MatrixOperand<T>& a, const MatrixOperand<T>& b, T* out, T alpha, T beta) {
  const int64_t M = a.rows, N = b.cols, K = a.cols;
  const int64_t nbatch = static_cast<int64_t>(a.batch_offset.size());
  if (M == 0 || N == 0 || nbatch == 0) return;
  const int64_t mn = M * N;
  if (K == 0) {  // an empty sum: alpha * 0 + beta * C
    for (int64_t i = 0; i < nbatch * mn; ++i) out[i] = beta == T(0) ? T(0) : beta * out[i];
    return;
  }
  constexpr bool vec = std::is_same_v<T, float> || std::is_same_v<T, double>;
  const int64_t work = M * N * K;
#if MLXPP_WITH_OPENBLAS
  const bool use_blas =
      !vec || work > (nbatch > 1 ? small_gemm_max_batched_work : small_gemm_max_work);
#else
  const bool use_blas = false;
#endif
  if (use_blas) {
#if MLXPP_WITH_OPENBLAS
    auto la = gemm_impl::blas_layout(M, K, a.row_stride, a.col_stride);
    auto lb = gemm_impl::blas_layout(K, N, b.row_stride, b.col_stride);
    // Callers hand over BLAS-compatible layouts (see prepare_operand); OpenBLAS threads
    // each call itself, so the batch is walked serially.
    for (int64_t i = 0; i < nbatch; ++i)
      gemm_impl::blas_product<T>(M, N, K, alpha, a.data + a.batch_offset[i], *la,
                                 b.data + b.batch_offset[i], *lb, beta, out + i * mn);
#endif
    return;
  }
  // Small products: the batch is split into chunks of at least ~64K multiply-adds, four per
  // thread, taken dynamically: on a shared machine a descheduled thread then delays only
  // its current chunk instead of half the batch.
  auto& pool = ThreadPool::instance();
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(work, 1));
  const int64_t nchunks = std::min<int64_t>((nbatch + grain - 1) / grain, 4 * pool.num_threads());
  const int64_t per = (nbatch + nchunks - 1) / nchunks;
  pool.run(nchunks, [&](int64_t t) {
    const int64_t lo = t * per, hi = std::min(nbatch, lo + per);
    [[maybe_unused]] gemm_impl::SmallScratch<T> scratch;
    for (int64_t i = lo; i < hi; ++i) {
      const T* A = a.data + a.batch_offset[i];
      const T* B = b.data + b.batch_offset[i];
      if constexpr (vec)
        gemm_impl::small_gemm<T>(M, N, K, A, a.row_stride, a.col_stride, B, b.row_stride,
                                 b.col_stride, out + i * mn, alpha, beta, scratch);
      else
        gemm_impl::naive_gemm<T>(M, N, K, A, a.row_stride, a.col_stride, B, b.row_stride,
                                 b.col_stride, out + i * mn, alpha, beta);
    }
  });
}

/// The matrices of evaluated `x` (shape [..., rows, cols], or a vector read as one row
/// (`vec_as_row`) or one column) broadcast over `batch_shape`, as the kernels read them.
/// `keep` receives a row-major copy when x's strides fit neither BLAS layout; for float16
/// and bfloat16 it receives a float32 copy (the products accumulate in float32).
template <class T>
MatrixOperand<T> prepare_operand(const array& x, bool vec_as_row, const Shape& batch_shape,
                                 array& keep) {
  keep = x;
  auto describe = [&](const array& y) {
    MatrixOperand<T> m;
    m.data = static_cast<const T*>(y.raw_data());
    const int nd = static_cast<int>(y.ndim());
    if (nd == 1) {
      m.rows = vec_as_row ? 1 : y.shape(0);
      m.cols = vec_as_row ? y.shape(0) : 1;
      m.row_stride = vec_as_row ? m.cols : y.strides()[0];
      m.col_stride = vec_as_row ? y.strides()[0] : 1;
      m.batch_offset = gemm_impl::batch_offsets(batch_shape, Strides(batch_shape.size(), 0));
    } else {
      m.rows = y.shape(nd - 2);
      m.cols = y.shape(nd - 1);
      m.row_stride = y.strides()[nd - 2];
      m.col_stride = y.strides()[nd - 1];
      Shape bs(y.shape().begin(), y.shape().end() - 2);
      Strides bst(y.strides().begin(), y.strides().end() - 2);
      m.batch_offset =
          gemm_impl::batch_offsets(batch_shape, detail::broadcast_strides(bs, bst, batch_shape));
    }
    return m;
  };
  if (x.dtype() == float16 || x.dtype() == bfloat16) {
    array c = ensure_row_contiguous(x);
    array f(allocator::Buffer{}, x.shape(), float32, nullptr);
    auto buf = allocator::malloc(x.size() * sizeof(float));
    gather_convert(c.raw_data(), x.dtype(), 1, static_cast<float*>(buf.ptr()),
                   static_cast<int64_t>(x.size()));
    f.set_data(buf);
    keep = f;
    return describe(keep);
  }
  auto m = describe(x);
  if (!gemm_impl::blas_layout(m.rows, m.cols, m.row_stride, m.col_stride)) {
    keep = ensure_row_contiguous(x);
    m = describe(keep);
  }
  return m;
}

}  // namespace mlx::core::cpu
