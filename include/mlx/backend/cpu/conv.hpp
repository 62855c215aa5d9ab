// SPDX-License-Identifier: MIT
// CPU convolution, channels-last (MLX's layout): input (N, S..., C_in), weight
// (C_out, K..., C_in / groups), output (N, O..., C_out), for 1 to 3 spatial dims with
// strides, padding, kernel and input dilation, groups and kernel flipping. The input is
// unrolled (im2col) a block of output positions at a time — channels-last makes every
// kernel tap one contiguous run of C_in / groups values — and each block is one GEMM
// against the weight, so the unrolled matrix stays in cache instead of taking
// N·O·K·C_in elements of memory. A 1x1 kernel with unit stride reads the input in place.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "mlx/backend/cpu/gemm.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"

namespace mlx::core::cpu {

struct ConvParams {
  std::vector<int> stride, pad_lo, kernel_dilation, input_dilation;
  int groups = 1;
  bool flip = false;
};

namespace conv_impl {

/// C (m x n, row stride ldc) = A (m x k, row-major) · Bᵀ where B is n x k row-major.
template <class T>
void gemm_abt(int64_t m, int64_t n, int64_t k, const T* A, const T* B, T* C, int64_t ldc) {
#if MLXPP_WITH_OPENBLAS
  gemm_impl::blas_gemm<T>(false, true, m, n, k, T(1), A, k, B, k, T(0), C, ldc);
#else
  parallel_for(m, 64, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      for (int64_t j = 0; j < n; ++j) {
        T acc(0);
        for (int64_t q = 0; q < k; ++q) acc += A[i * k + q] * B[j * k + q];
        C[i * ldc + j] = acc;
      }
  });
#endif
}

/// n values from src to dst: small runs (a few channels: the first layer of a CNN has
/// one) inline, since a memcpy call per run would cost more than the copy.
template <class T>
inline void copy_run(T* dst, const T* src, int64_t n) {
  if (n >= 16) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) std::memcpy(dst + i, src + i, 4 * sizeof(T));  // fixed size: inlined
  switch (n - i) {
    case 3: dst[i + 2] = src[i + 2]; [[fallthrough]];
    case 2: dst[i + 1] = src[i + 1]; [[fallthrough]];
    case 1: dst[i] = src[i]; break;
    default: break;
  }
}
template <class T>
inline void fill_zero(T* dst, int64_t n) {
  if (n >= 16) {
    std::memset(dst, 0, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = T(0);
}

}  // namespace conv_impl

/// The unrolled (im2col) input of a convolution: row r (an output position n, o...) holds the
/// input values each kernel tap reads for group g, tap-major (C_in / groups values per tap),
/// zeros where a tap reads padding or the gaps of input dilation. Shared by the forward pass
/// and the kernel gradient, which multiply it by the kernel and by the cotangent.
template <class T>
class Unrolled {
 public:
  Unrolled(const T* x, const Shape& xs, const Shape& ws, const Shape& os, const ConvParams& p)
      : x_(x), xs_(xs), ws_(ws), os_(os), p_(p), D_(static_cast<int>(xs.size()) - 2) {
    Cg = xs[D_ + 1] / p.groups;
    for (int d = 0; d < D_; ++d) {
      O *= os[1 + d];
      Ktaps *= ws[1 + d];
    }
    M = xs[0] * O;
    Kc = Ktaps * Cg;
    xstride_.resize(D_ + 2);
    xstride_[D_ + 1] = 1;
    for (int d = D_; d >= 0; --d) xstride_[d] = xstride_[d + 1] * xs[d + 1];
    // With one group, unit dilations and no flip along the last spatial dim, that dim's taps
    // of one output position read consecutive input positions, whose channels are adjacent
    // (channels last): one copy of run * C_in values instead of `run` copies of C_in.
    const int L = D_ - 1;
    run_ = (p.groups == 1 && !p.flip && p.kernel_dilation[L] == 1 && p.input_dilation[L] == 1) ? ws[1 + L] : 1;
  }

  int64_t Cg = 0, O = 1, Ktaps = 1, M = 0, Kc = 0;

  /// Rows [r0, r1) for group g into col (row-major, Kc values per row), in parallel.
  void rows(int64_t g, int64_t r0, int64_t r1, T* col) const {
    const int D = D_, L = D_ - 1;
    const int64_t run = run_;
    parallel_for(r1 - r0, 64, [&](int64_t b, int64_t e) {
      std::vector<int64_t> opos(D), kpos(D);
      for (int64_t r = r0 + b; r < r0 + e; ++r) {
        int64_t rest = r;
        for (int d = D - 1; d >= 0; --d) {
          opos[d] = rest % os_[1 + d];
          rest /= os_[1 + d];
        }
        const int64_t n = rest;
        T* row = col + (r - r0) * Kc;
        std::fill(kpos.begin(), kpos.end(), 0);
        for (int64_t t = 0; t < Ktaps; t += run) {
          // The outer spatial dims of this tap (all but the last when taps run).
          int64_t off = n * xstride_[0] + g * Cg;
          bool valid = true;
          for (int d = 0; d < D - (run > 1 ? 1 : 0) && valid; ++d) {
            const int64_t K = ws_[1 + d];
            const int64_t k = p_.flip ? K - 1 - kpos[d] : kpos[d];
            const int64_t q = opos[d] * p_.stride[d] + k * p_.kernel_dilation[d] - p_.pad_lo[d];
            const int64_t idil = p_.input_dilation[d];
            const int64_t extent = (xs_[1 + d] - 1) * idil + 1;
            valid = q >= 0 && q < extent && q % idil == 0;
            off += (q / idil) * xstride_[1 + d];
          }
          T* dst = row + t * Cg;
          if (run > 1) {
            // The last dim's taps read one contiguous run of the input row: copy the part
            // inside it, zero the padding on either side.
            const int64_t q0 = opos[L] * p_.stride[L] - p_.pad_lo[L], W = xs_[1 + L];
            const int64_t lo = valid ? std::clamp<int64_t>(-q0, 0, run) : run;
            const int64_t hi = valid ? std::clamp<int64_t>(W - q0, lo, run) : run;
            conv_impl::fill_zero(dst, lo * Cg);
            conv_impl::copy_run(dst + lo * Cg, x_ + off + (q0 + lo) * xstride_[1 + L], (hi - lo) * Cg);
            conv_impl::fill_zero(dst + hi * Cg, (run - hi) * Cg);
          } else if (valid) {
            conv_impl::copy_run(dst, x_ + off, Cg);
          } else {
            conv_impl::fill_zero(dst, Cg);
          }
          for (int d = D - 1 - (run > 1 ? 1 : 0); d >= 0; --d) {  // next tap, last spatial dim fastest
            if (++kpos[d] < ws_[1 + d]) break;
            kpos[d] = 0;
          }
        }
      }
    });
  }

  /// Rows per block: up to 4M unrolled values (16 MB of float), few enough GEMM calls that
  /// OpenBLAS runs at full speed, few enough rows that the block is not the whole input.
  int64_t block_rows() const { return std::max<int64_t>(16, (int64_t{1} << 22) / std::max<int64_t>(Kc, 1)); }

 private:
  const T* x_;
  const Shape &xs_, &ws_, &os_;
  const ConvParams& p_;
  int D_;
  std::vector<int64_t> xstride_;
  int64_t run_ = 1;
};

/// out = conv(x, w) for row-major x, w, out of one floating type T (see the file comment).
template <class T>
void conv_forward(const T* x, const Shape& xs, const T* w, const Shape& ws, T* out, const Shape& os,
                  const ConvParams& p) {
  const int D = static_cast<int>(xs.size()) - 2;
  const int64_t Cin = xs[D + 1], Cout = ws[0], G = p.groups, Og = Cout / G;
  Unrolled<T> u(x, xs, ws, os, p);
  const int64_t M = u.M, Kc = u.Kc;
  if (M == 0 || Cout == 0) return;
  bool pointwise = u.Ktaps == 1 && G == 1;
  for (int d = 0; d < D; ++d)
    pointwise = pointwise && p.stride[d] == 1 && p.pad_lo[d] == 0 && p.input_dilation[d] == 1 &&
                os[1 + d] == xs[1 + d];
  if (pointwise) {  // the input already is the unrolled matrix
    conv_impl::gemm_abt<T>(M, Cout, Cin, x, w, out, Cout);
    return;
  }
  const int64_t rows_per_block = u.block_rows();
  std::vector<T> col(static_cast<size_t>(std::min(M, rows_per_block) * Kc));
  for (int64_t g = 0; g < G; ++g) {
    const T* wg = w + g * Og * Kc;
    for (int64_t r0 = 0; r0 < M; r0 += rows_per_block) {
      const int64_t r1 = std::min(M, r0 + rows_per_block);
      u.rows(g, r0, r1, col.data());
      conv_impl::gemm_abt<T>(r1 - r0, Og, Kc, col.data(), wg, out + r0 * Cout + g * Og, Cout);
    }
  }
}

/// dw = the kernel gradient of conv(x, w) for the output cotangent `cot` (shape os): for
/// each group, cotᵀ (C_out / groups x N·O) times the unrolled input (N·O x taps·C_in /
/// groups), accumulated over blocks of output positions. The kernel gradient as one GEMM per
/// block, with no transposed copies of x or cot (channels last: cot's rows are already the
/// unrolled rows' order). dw has the kernel's layout ws, flip included.
template <class T>
void conv_weight_grad(const T* x, const Shape& xs, const T* cot, const Shape& os, T* dw, const Shape& ws,
                      const ConvParams& p) {
  const int64_t Cout = ws[0], G = p.groups, Og = Cout / G;
  Unrolled<T> u(x, xs, ws, os, p);
  const int64_t M = u.M, Kc = u.Kc;
  std::fill(dw, dw + Cout * Kc, T(0));
  if (M == 0 || Cout == 0) return;
  const int64_t rows_per_block = u.block_rows();
  std::vector<T> col(static_cast<size_t>(std::min(M, rows_per_block) * Kc));
  for (int64_t g = 0; g < G; ++g) {
    T* dwg = dw + g * Og * Kc;
    for (int64_t r0 = 0; r0 < M; r0 += rows_per_block) {
      const int64_t r1 = std::min(M, r0 + rows_per_block), m = r1 - r0;
      u.rows(g, r0, r1, col.data());
      const T* c = cot + r0 * Cout + g * Og;  // m rows of Og values, row stride Cout
#if MLXPP_WITH_OPENBLAS
      gemm_impl::blas_gemm<T>(true, false, Og, Kc, m, T(1), c, Cout, col.data(), Kc, T(1), dwg, Kc);
#else
      parallel_for(Og, 1, [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; ++o)
          for (int64_t r = 0; r < m; ++r) {
            const T cv = c[r * Cout + o];
            const T* src = col.data() + r * Kc;
            T* d = dwg + o * Kc;
            for (int64_t q = 0; q < Kc; ++q) d[q] += cv * src[q];
          }
      });
#endif
    }
  }
}

}  // namespace mlx::core::cpu
