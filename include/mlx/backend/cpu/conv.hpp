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

/// out = conv(x, w) for row-major x, w, out of one floating type T (see the file comment).
template <class T>
void conv_forward(const T* x, const Shape& xs, const T* w, const Shape& ws, T* out, const Shape& os,
                  const ConvParams& p) {
  const int D = static_cast<int>(xs.size()) - 2;
  const int64_t N = xs[0], Cin = xs[D + 1], Cout = ws[0], G = p.groups;
  const int64_t Cg = Cin / G, Og = Cout / G;
  int64_t O = 1, Ktaps = 1;
  for (int d = 0; d < D; ++d) {
    O *= os[1 + d];
    Ktaps *= ws[1 + d];
  }
  const int64_t M = N * O, Kc = Ktaps * Cg;
  if (M == 0 || Cout == 0) return;
  bool pointwise = Ktaps == 1 && G == 1;
  for (int d = 0; d < D; ++d)
    pointwise = pointwise && p.stride[d] == 1 && p.pad_lo[d] == 0 && p.input_dilation[d] == 1 &&
                os[1 + d] == xs[1 + d];
  if (pointwise) {  // the input already is the unrolled matrix
    conv_impl::gemm_abt<T>(M, Cout, Cin, x, w, out, Cout);
    return;
  }
  // Input strides (elements) and, per spatial dim, the dilated input's extent.
  std::vector<int64_t> xstride(D + 2);
  xstride[D + 1] = 1;
  for (int d = D; d >= 0; --d) xstride[d] = xstride[d + 1] * xs[d + 1];
  // Blocks of up to 4M unrolled values (16 MB of float): few enough GEMM calls that
  // OpenBLAS runs at full speed, few enough rows that the block is not the whole input.
  const int64_t rows_per_block = std::max<int64_t>(16, (int64_t{1} << 22) / std::max<int64_t>(Kc, 1));
  std::vector<T> col(static_cast<size_t>(std::min(M, rows_per_block) * Kc));
  // With one group, unit dilations and no flip along the last spatial dim, that dim's taps
  // of one output position read consecutive input positions, whose channels are adjacent
  // (channels last): one copy of run * C_in values instead of `run` copies of C_in.
  const int L = D - 1;
  const int64_t run = (G == 1 && !p.flip && p.kernel_dilation[L] == 1 && p.input_dilation[L] == 1) ? ws[1 + L] : 1;
  for (int64_t g = 0; g < G; ++g) {
    const T* wg = w + g * Og * Kc;
    for (int64_t r0 = 0; r0 < M; r0 += rows_per_block) {
      const int64_t r1 = std::min(M, r0 + rows_per_block);
      parallel_for(r1 - r0, 64, [&](int64_t b, int64_t e) {
        std::vector<int64_t> opos(D), kpos(D);
        for (int64_t r = r0 + b; r < r0 + e; ++r) {
          int64_t rest = r;
          for (int d = D - 1; d >= 0; --d) {
            opos[d] = rest % os[1 + d];
            rest /= os[1 + d];
          }
          const int64_t n = rest;
          T* row = col.data() + (r - r0) * Kc;
          std::fill(kpos.begin(), kpos.end(), 0);
          for (int64_t t = 0; t < Ktaps; t += run) {
            // The outer spatial dims of this tap (all but the last when taps run).
            int64_t off = n * xstride[0] + g * Cg;
            bool valid = true;
            for (int d = 0; d < D - (run > 1 ? 1 : 0) && valid; ++d) {
              const int64_t K = ws[1 + d];
              const int64_t k = p.flip ? K - 1 - kpos[d] : kpos[d];
              const int64_t q = opos[d] * p.stride[d] + k * p.kernel_dilation[d] - p.pad_lo[d];
              const int64_t idil = p.input_dilation[d];
              const int64_t extent = (xs[1 + d] - 1) * idil + 1;
              valid = q >= 0 && q < extent && q % idil == 0;
              off += (q / idil) * xstride[1 + d];
            }
            T* dst = row + t * Cg;
            if (run > 1) {
              // The last dim's taps read one contiguous run of the input row: copy the part
              // inside it, zero the padding on either side.
              const int64_t q0 = opos[L] * p.stride[L] - p.pad_lo[L], W = xs[1 + L];
              const int64_t lo = valid ? std::clamp<int64_t>(-q0, 0, run) : run;
              const int64_t hi = valid ? std::clamp<int64_t>(W - q0, lo, run) : run;
              conv_impl::fill_zero(dst, lo * Cg);
              conv_impl::copy_run(dst + lo * Cg, x + off + (q0 + lo) * xstride[1 + L], (hi - lo) * Cg);
              conv_impl::fill_zero(dst + hi * Cg, (run - hi) * Cg);
            } else if (valid) {
              conv_impl::copy_run(dst, x + off, Cg);
            } else {
              conv_impl::fill_zero(dst, Cg);
            }
            for (int d = D - 1 - (run > 1 ? 1 : 0); d >= 0; --d) {  // next tap, last spatial dim fastest
              if (++kpos[d] < ws[1 + d]) break;
              kpos[d] = 0;
            }
          }
        }
      });
      conv_impl::gemm_abt<T>(r1 - r0, Og, Kc, col.data(), wg, out + r0 * Cout + g * Og, Cout);
    }
  }
}

}  // namespace mlx::core::cpu
