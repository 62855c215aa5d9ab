// SPDX-License-Identifier: MIT
// CPU softmax over contiguous rows: one pass for the maximum, one that writes exp(x - max)
// and sums it, one that scales the row (still in cache). float16/bfloat16 rows are computed
// in float (MLX's precise mode, always) and rounded once.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/simd.hpp"
#include "mlx/backend/cpu/simd_math.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"

namespace mlx::core::cpu {

/// softmax of one float row of n elements (in and out may alias).
inline void softmax_row(const float* in, float* out, int64_t n) {
  using V = xsimd::batch<float>;
  constexpr int64_t W = V::size;
  const float ninf = -std::numeric_limits<float>::infinity();
  const int64_t body = n - n % W, rem = n - body;
  alignas(64) float tail[W];
  for (int64_t k = 0; k < W; ++k) tail[k] = k < rem ? in[body + k] : ninf;  // exp(-inf) = 0
  V m(ninf);
  for (int64_t j = 0; j < body; j += W) m = xsimd::max(m, V::load_unaligned(in + j));
  m = xsimd::max(m, V::load_aligned(tail));
  alignas(64) float lanes[W];  // xsimd 8.1 has no horizontal max
  m.store_aligned(lanes);
  float row_max = lanes[0];
  for (int64_t k = 1; k < W; ++k) row_max = std::max(row_max, lanes[k]);
  const V mx(row_max);
  V sum(0.0f);
  for (int64_t j = 0; j < body; j += W) {
    V e = simd::fast_exp(V::load_unaligned(in + j) - mx);
    e.store_unaligned(out + j);
    sum += e;
  }
  V et = simd::fast_exp(V::load_aligned(tail) - mx);
  sum += et;
  const V scale(1.0f / xsimd::hadd(sum));
  for (int64_t j = 0; j < body; j += W) (V::load_unaligned(out + j) * scale).store_unaligned(out + j);
  et *= scale;
  et.store_aligned(tail);
  for (int64_t k = 0; k < rem; ++k) out[body + k] = tail[k];
}

/// softmax of one double row (scalar: double rows are rare and need std::exp's accuracy).
inline void softmax_row(const double* in, double* out, int64_t n) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < n; ++j) m = std::max(m, in[j]);
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) sum += (out[j] = std::exp(in[j] - m));
  const double scale = 1.0 / sum;
  for (int64_t j = 0; j < n; ++j) out[j] *= scale;
}

/// softmax over the last axis of row-contiguous `src` (rows x n elements of dtype dt)
/// into `dst` of the same dtype.
inline void softmax_rows(const void* src, void* dst, Dtype dt, int64_t rows, int64_t n) {
  if (rows == 0 || n == 0) return;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / n);
  if (dt == float64) {
    parallel_for(rows, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r)
        softmax_row(static_cast<const double*>(src) + r * n, static_cast<double*>(dst) + r * n, n);
    });
  } else if (dt == float32) {
    parallel_for(rows, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r)
        softmax_row(static_cast<const float*>(src) + r * n, static_cast<float*>(dst) + r * n, n);
    });
  } else {  // float16 / bfloat16: through a float row
    const int64_t item = static_cast<int64_t>(size_of(dt));
    parallel_for(rows, grain, [&](int64_t b, int64_t e) {
      std::vector<float> row(static_cast<size_t>(n));
      for (int64_t r = b; r < e; ++r) {
        gather_convert(static_cast<const char*>(src) + r * n * item, dt, 1, row.data(), n);
        softmax_row(row.data(), row.data(), n);
        store_convert(row.data(), static_cast<char*>(dst) + r * n * item, dt, n);
      }
    });
  }
}

}  // namespace mlx::core::cpu
