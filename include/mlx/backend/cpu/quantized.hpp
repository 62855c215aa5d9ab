// SPDX-License-Identifier: MIT
// CPU kernels of MLX's affine group-wise quantization: the packed uint32 bit stream,
// quantize (scale/bias per group), dequantize, and a quantized matmul that dequantizes one
// tile of the weight at a time into a small float buffer and multiplies it with GEMM.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/gemm.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/errors.hpp"

namespace mlx::core::cpu::quant {

// The packed layout (MLX's). Each row of the last axis is a little-endian bit stream:
// element e occupies stream bits [e * bits, (e + 1) * bits), and stream bit j is bit j % 32
// of word j / 32. For 2, 4 and 8 bits this is MLX's "32 / bits values per word, the first in
// the lowest bits"; for 3 and 6 bits MLX writes 8 (resp. 4) values as 3 little-endian bytes
// and for 5 bits 8 values as 5 bytes, which is this same stream crossing word boundaries.
// A group (32, 64 or 128 elements) always fills whole words: group_size * bits % 32 == 0.

/// Element e of a packed row (B bits each).
template <int B>
inline uint32_t extract(const uint32_t* row, int64_t e) {
  const int64_t p = e * B;
  const int64_t wi = p >> 5;
  const int off = static_cast<int>(p & 31);
  uint32_t v = row[wi] >> off;
  if (off + B > 32) v |= row[wi + 1] << (32 - off);  // the element straddles two words
  return v & ((1u << B) - 1u);
}

/// The 32 codes held by the B words at w (a block that starts on a word boundary), as
/// floats. For 2, 4 and 8 bits a SIMD lane per code: each lane shifts its word right by
/// its code's offset (codes never straddle words then).
template <int B>
inline void unpack32(const uint32_t* w, float* out) {
  using U = xsimd::batch<uint32_t>;
  constexpr int L = static_cast<int>(U::size);
  if constexpr ((B == 2 || B == 4 || B == 8) && L > 1 && 32 % L == 0) {
    alignas(64) uint32_t wv[L], sh[L];
    const U mask(static_cast<uint32_t>((1u << B) - 1u));
#pragma GCC unroll 32
    for (int c = 0; c < 32; c += L) {
#pragma GCC unroll 16
      for (int i = 0; i < L; ++i) {
        wv[i] = w[(c + i) * B / 32];
        sh[i] = static_cast<uint32_t>(((c + i) * B) % 32);
      }
      U v = (U::load_aligned(wv) >> U::load_aligned(sh)) & mask;
      xsimd::batch_cast<float>(xsimd::batch_cast<int32_t>(v)).store_unaligned(out + c);
    }
  } else {
#pragma GCC unroll 32
    for (int i = 0; i < 32; ++i) out[i] = static_cast<float>(extract<B>(w, i));
  }
}

/// Calls f(std::integral_constant<int, B>{}) for bits B in {2, 3, 4, 5, 6, 8}.
template <class F>
decltype(auto) dispatch_bits(int bits, F&& f) {
  switch (bits) {
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 6: return f(std::integral_constant<int, 6>{});
    case 8: return f(std::integral_constant<int, 8>{});
    default: break;
  }
  detail::fail<std::runtime_error>("quantize", "Unsupported number of bits ", bits, ".");
}

/// The value dequantize produces for code q, rounded as MLX's dequantize rounds it: it
/// computes q * scale and then + bias as two ops in the scales' dtype T, each rounded to T.
template <class T>
inline float affine_value(float q, T scale, T bias) {
  if constexpr (std::is_same_v<T, float>) {
    // The product of an 8-bit code and a float is exact in double; rounding it to float
    // is the float product, and the conversion keeps the compiler from fusing the
    // multiply-add into an FMA (which would round once, unlike MLX's two ops).
    const float p = static_cast<float>(static_cast<double>(q) * static_cast<double>(scale));
    return p + bias;
  } else {
    const T p = static_cast<T>(q * static_cast<float>(scale));
    return static_cast<float>(static_cast<T>(static_cast<float>(p) + static_cast<float>(bias)));
  }
}

/// Quantizes groups [g0, g1) of w (row-major, group_size elements each) exactly as MLX's
/// CPU kernel: in float, scale = max((max - min) / (2^bits - 1), 1e-7), signed so that the
/// edge with the larger magnitude maps to code 0; that edge is then made exact: with
/// q0 = rint(edge / scale) != 0, scale = edge / q0 and bias = edge (else bias = 0), so the
/// edge value and zero both dequantize exactly. Codes are rint((w - bias) / scale) clamped
/// to [0, 2^bits - 1]. Every group writes group_size * bits / 32 words of its own.
template <class T, int B>
void quantize_groups(const T* w, uint32_t* out, T* scales, T* biases, int group_size,
                     int64_t g0, int64_t g1) {
  const float n_bins = static_cast<float>((1 << B) - 1);
  const float eps = 1e-7f;
  const int64_t words = static_cast<int64_t>(group_size) * B / 32;
  for (int64_t g = g0; g < g1; ++g) {
    const T* x = w + g * group_size;
    float w_min = std::numeric_limits<float>::infinity(), w_max = -w_min;
    for (int j = 0; j < group_size; ++j) {
      const float v = static_cast<float>(x[j]);
      w_max = std::max(w_max, v);
      w_min = std::min(w_min, v);
    }
    const bool mask = std::abs(w_min) > std::abs(w_max);
    float scale = std::max((w_max - w_min) / n_bins, eps);
    scale = mask ? scale : -scale;
    const float edge = mask ? w_min : w_max;
    const float q0 = std::rint(edge / scale);
    float bias = 0;
    if (q0 != 0) {
      scale = edge / q0;
      bias = edge;
    }
    uint32_t* o = out + g * words;
    uint64_t acc = 0;
    int filled = 0;
    for (int j = 0; j < group_size; ++j) {
      float q = std::rint((static_cast<float>(x[j]) - bias) / scale);
      q = std::min(std::max(q, 0.0f), n_bins);
      if (!(q >= 0.0f)) q = 0.0f;  // NaN (MLX converts it with undefined behaviour)
      acc |= static_cast<uint64_t>(q) << filled;
      filled += B;
      if (filled >= 32) {
        *o++ = static_cast<uint32_t>(acc);
        acc >>= 32;
        filled -= 32;
      }
    }
    scales[g] = static_cast<T>(scale);
    biases[g] = static_cast<T>(bias);
  }
}

/// Dequantizes rows [r0, r1) of a packed (rows, words_per_row) matrix into `out` (row-major,
/// `elems` per row, dtype O) with scales/biases of dtype T (rows, elems / group_size).
template <class T, class O, int B>
void dequantize_rows(const uint32_t* w, const T* scales, const T* biases, O* out,
                     int64_t words_per_row, int64_t elems, int group_size, int64_t r0,
                     int64_t r1) {
  const int64_t groups = elems / group_size;
  alignas(64) float q[32];
  for (int64_t r = r0; r < r1; ++r) {
    const uint32_t* row = w + r * words_per_row;
    const T* s = scales + r * groups;
    const T* b = biases + r * groups;
    O* o = out + r * elems;
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t e0 = g * group_size;
      int64_t e = e0;
      if (group_size % 32 == 0)  // whole 32-code blocks, word aligned
        for (; e < e0 + group_size; e += 32) {
          unpack32<B>(row + (e / 32) * B, q);
          for (int i = 0; i < 32; ++i) o[e + i] = static_cast<O>(affine_value<T>(q[i], s[g], b[g]));
        }
      for (; e < e0 + group_size; ++e)
        o[e] = static_cast<O>(affine_value<T>(static_cast<float>(extract<B>(row, e)), s[g], b[g]));
    }
  }
}

/// Dequantizes elements [e0, e0 + ne) of rows [r0, r1) of a packed matrix into a float tile
/// (row r at tile + (r - r0) * ld) as q * scale + bias in float: the operand of the GEMM.
/// e0 and ne are multiples of 32 and group_size is (so blocks never straddle groups).
template <class T, int B>
void dequantize_tile(const uint32_t* w, const T* scales, const T* biases, int64_t words_per_row,
                     int64_t groups_per_row, int group_size, int64_t r0, int64_t r1, int64_t e0,
                     int64_t ne, float* tile, int64_t ld) {
  alignas(64) float q[32];
  for (int64_t r = r0; r < r1; ++r) {
    const uint32_t* row = w + r * words_per_row;
    const T* s = scales + r * groups_per_row;
    const T* b = biases + r * groups_per_row;
    float* t = tile + (r - r0) * ld;
    for (int64_t e = 0; e < ne; e += 32) {
      const int64_t ge = e0 + e;
      const float sc = static_cast<float>(s[ge / group_size]);
      const float bi = static_cast<float>(b[ge / group_size]);
      unpack32<B>(row + (ge / 32) * B, q);
      using V = xsimd::batch<float>;
      constexpr int L = static_cast<int>(V::size);
      if constexpr (32 % L == 0) {
        const V vs(sc), vb(bi);
        for (int i = 0; i < 32; i += L)
          xsimd::fma(V::load_aligned(q + i), vs, vb).store_unaligned(t + e + i);
      } else {
        for (int i = 0; i < 32; ++i) t[e + i] = q[i] * sc + bi;
      }
    }
  }
}

/// The sizes of one quantized product: x is (M, K) float row-major; w is the packed
/// (N, K) matrix (transpose) or (K, N) matrix (no transpose); the result is (M, N) float.
struct QmmShape {
  int64_t M = 0, N = 0, K = 0;
  bool transpose = true;
  int bits = 4, group_size = 64;
};

/// Per-thread-of-control buffers reused across the matrices of one evaluation.
struct QmmScratch {
  std::vector<float> tile, otile;
};

/// out (M, N, row-major, ld = N) = x @ dequantize(w)^T (transpose) or x @ dequantize(w),
/// without materialising dequantize(w): the weight is walked in tiles of NB output columns
/// (about 1 MiB of floats each), each tile is dequantized over the thread pool into
/// scratch and multiplied with gemm_batched (OpenBLAS for large tiles).
template <class T>
void qmm_matrix(const QmmShape& sh, const float* x, const uint32_t* w, const T* scales,
                const T* biases, float* out, QmmScratch& scratch) {
  const int64_t M = sh.M, N = sh.N, K = sh.K;
  if (M == 0 || N == 0) return;
  if (K == 0) {
    std::fill(out, out + M * N, 0.0f);
    return;
  }
  const int gs = sh.group_size;
  // Tile width: about 2^18 floats per tile; the non-transposed tile cuts along the
  // quantized axis, so its width is a multiple of the group size (at least one group).
  const int64_t per = std::max<int64_t>(1, (int64_t{1} << 18) / K);
  int64_t nb = sh.transpose ? std::max<int64_t>(per, 8) : std::max<int64_t>(per / gs * gs, gs);
  nb = std::min(nb, N);
  scratch.tile.resize(static_cast<size_t>(nb * K));
  scratch.otile.resize(static_cast<size_t>(M * nb));
  float* tile = scratch.tile.data();
  float* otile = scratch.otile.data();
  dispatch_bits(sh.bits, [&](auto bits_c) {
    constexpr int B = decltype(bits_c)::value;
    for (int64_t n0 = 0; n0 < N; n0 += nb) {
      const int64_t cur = std::min(nb, N - n0);
      MatrixOperand<float> a, b;
      a.data = x;
      a.rows = M;
      a.cols = K;
      a.row_stride = K;
      a.col_stride = 1;
      a.batch_offset = {0};
      b.rows = K;
      b.cols = cur;
      b.data = tile;
      b.batch_offset = {0};
      if (sh.transpose) {
        // w rows n0..n0+cur, all K elements: tile[n][k]; the operand is its transpose.
        const int64_t wpr = K * B / 32, gpr = K / gs;
        parallel_for(cur, 8, [&](int64_t lo, int64_t hi) {
          dequantize_tile<T, B>(w, scales, biases, wpr, gpr, gs, n0 + lo, n0 + hi, 0, K,
                                tile + lo * K, K);
        });
        b.row_stride = 1;
        b.col_stride = K;
      } else {
        // w rows k = 0..K-1, elements n0..n0+cur of each: tile[k][n].
        const int64_t wpr = N * B / 32, gpr = N / gs;
        parallel_for(K, 16, [&](int64_t lo, int64_t hi) {
          dequantize_tile<T, B>(w, scales, biases, wpr, gpr, gs, lo, hi, n0, cur,
                                tile + lo * cur, cur);
        });
        b.row_stride = cur;
        b.col_stride = 1;
      }
      if (cur == N) {
        gemm_batched<float>(a, b, out, 1.0f, 0.0f);
      } else {
        gemm_batched<float>(a, b, otile, 1.0f, 0.0f);
        for (int64_t m = 0; m < M; ++m)
          std::copy(otile + m * cur, otile + (m + 1) * cur, out + m * N + n0);
      }
    }
  });
}

/// Evaluated `x` as a row-major float buffer (x itself when it already is one).
inline const float* as_float_rows(const array& x, array& keep, std::vector<float>& buf) {
  keep = ensure_row_contiguous(x);
  if (x.dtype() == float32) return static_cast<const float*>(keep.raw_data());
  buf.resize(x.size());
  gather_convert(keep.raw_data(), x.dtype(), 1, buf.data(), static_cast<int64_t>(x.size()));
  return buf.data();
}

/// Batched quantized products: for every output batch item i (M x N each, row-major in
/// `out`), x_off[i], w_off[i] and g_off[i] locate its matrix in x (floats), w (words) and
/// scales/biases (elements). Writes `out` in its dtype (float16/bfloat16/float32).
template <class T>
void qmm_batched(const QmmShape& sh, const float* x, const uint32_t* w, const T* scales,
                 const T* biases, const std::vector<int64_t>& x_off,
                 const std::vector<int64_t>& w_off, const std::vector<int64_t>& g_off,
                 array& out) {
  const int64_t mn = sh.M * sh.N;
  const bool direct = out.dtype() == float32;
  std::vector<float> tmp(direct ? 0 : static_cast<size_t>(mn));
  QmmScratch scratch;
  for (size_t i = 0; i < x_off.size(); ++i) {
    float* dst = direct ? static_cast<float*>(out.raw_data()) + i * mn : tmp.data();
    qmm_matrix<T>(sh, x + x_off[i], w + w_off[i], scales + g_off[i], biases + g_off[i], dst,
                  scratch);
    if (!direct)
      store_convert(tmp.data(), static_cast<char*>(out.raw_data()) + i * mn * out.itemsize(),
                    out.dtype(), mn);
  }
}

}  // namespace mlx::core::cpu::quant
