// SPDX-License-Identifier: MIT
// Threefry-2x32 (20 rounds, Random123's rotation constants) and MLX's layout of the 32-bit
// words drawn from one key, vectorised over counters and split over the thread pool.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "mlx/backend/cpu/thread_pool.hpp"

namespace mlx::core::cpu::threefry {

namespace detail {
template <int R, class V>
inline V rotl(const V& x) {
  return (x << R) | (x >> (32 - R));
}
template <int R0, int R1, int R2, int R3, class V>
inline void rounds(V& x0, V& x1) {
  x0 += x1, x1 = rotl<R0>(x1), x1 ^= x0;
  x0 += x1, x1 = rotl<R1>(x1), x1 ^= x0;
  x0 += x1, x1 = rotl<R2>(x1), x1 ^= x0;
  x0 += x1, x1 = rotl<R3>(x1), x1 ^= x0;
}
}  // namespace detail

/// Threefry-2x32-20 of the counter (x0, x1) under the key (k0, k1), in place. V is uint32_t
/// or an xsimd batch of it (one independent counter per lane). The key schedule is
/// Skein's: k2 = k0 ^ k1 ^ 0x1BD11BDA, injected after every 4 rounds with the round count.
template <class V>
inline void hash(const V& k0, const V& k1, V& x0, V& x1) {
  const V k2 = k0 ^ k1 ^ V(0x1BD11BDAu);
  x0 += k0;
  x1 += k1;
  detail::rounds<13, 15, 26, 6>(x0, x1);
  x0 += k1, x1 += k2 + V(1u);
  detail::rounds<17, 29, 16, 24>(x0, x1);
  x0 += k2, x1 += k0 + V(2u);
  detail::rounds<13, 15, 26, 6>(x0, x1);
  x0 += k0, x1 += k1 + V(3u);
  detail::rounds<17, 29, 16, 24>(x0, x1);
  x0 += k1, x1 += k2 + V(4u);
  detail::rounds<13, 15, 26, 6>(x0, x1);
  x0 += k2, x1 += k0 + V(5u);
}

/// hash() of two independent counter pairs, interleaved.
template <class V>
inline void hash2(const V& k0, const V& k1, V& x0, V& x1, V& y0, V& y1) {
  const V k2 = k0 ^ k1 ^ V(0x1BD11BDAu);
  x0 += k0, y0 += k0;
  x1 += k1, y1 += k1;
  const V ks[3] = {k0, k1, k2};
  auto inject = [&](int i) {
    const V a = ks[(i + 1) % 3], b = ks[(i + 2) % 3] + V(static_cast<uint32_t>(i + 1));
    x0 += a, y0 += a;
    x1 += b, y1 += b;
  };
  detail::rounds<13, 15, 26, 6>(x0, x1), detail::rounds<13, 15, 26, 6>(y0, y1), inject(0);
  detail::rounds<17, 29, 16, 24>(x0, x1), detail::rounds<17, 29, 16, 24>(y0, y1), inject(1);
  detail::rounds<13, 15, 26, 6>(x0, x1), detail::rounds<13, 15, 26, 6>(y0, y1), inject(2);
  detail::rounds<17, 29, 16, 24>(x0, x1), detail::rounds<17, 29, 16, 24>(y0, y1), inject(3);
  detail::rounds<13, 15, 26, 6>(x0, x1), detail::rounds<13, 15, 26, 6>(y0, y1), inject(4);
}

/// The scalar hash as a function: {x0, x1} of counter `count` under `key`.
inline std::pair<uint32_t, uint32_t> hash(std::pair<uint32_t, uint32_t> key,
                                          std::pair<uint32_t, uint32_t> count) {
  hash<uint32_t>(key.first, key.second, count.first, count.second);
  return count;
}

using UBatch = xsimd::batch<uint32_t>;
inline constexpr int64_t batch_width = static_cast<int64_t>(UBatch::size);
/// Pairs hashed per block (a multiple of two batches); a block's words are handed to the
/// sink together.
inline constexpr int64_t block_pairs = 512;
static_assert(block_pairs % (2 * batch_width) == 0);

/// Draws the `n` 32-bit words MLX draws from one key and hands them to `sink(pos, words, m)`
/// in runs: words[0, m) are the words at positions [pos, pos + m), and `words` stays
/// readable (with unspecified values) up to m rounded up to batch_width, so a sink may run
/// whole batches over it.
///
/// MLX's layout: with h = n / 2 and o = n % 2, counter (j, h + o + j) for j < h gives word j
/// (first half of the hash) and word h + o + j (second half); for odd n the middle word h is
/// the first half of the hash of counter (h, 0). Counters are 32-bit and wrap, as in MLX.
/// Sinks may run concurrently on disjoint positions.
template <class Sink>
void generate(uint32_t k0, uint32_t k1, int64_t n, Sink&& sink) {
  if (n <= 0) return;
  const int64_t h = n / 2, second = h + n % 2;
  if (n % 2) {
    alignas(64) uint32_t mid[batch_width] = {};
    auto p = hash({k0, k1}, {static_cast<uint32_t>(h), 0u});
    mid[0] = p.first;
    sink(h, static_cast<const uint32_t*>(mid), int64_t{1});
  }
  if (h == 0) return;
  alignas(64) uint32_t lane[batch_width];
  for (int64_t i = 0; i < batch_width; ++i) lane[i] = static_cast<uint32_t>(i);
  const UBatch iota = UBatch::load_aligned(lane), K0(k0), K1(k1);
  const int64_t nblocks = (h + block_pairs - 1) / block_pairs;
  // ~64K pairs per task: large enough that waking the pool pays off.
  parallel_for(nblocks, 128, [&](int64_t b0, int64_t b1) {
    alignas(64) uint32_t first[block_pairs], last[block_pairs];
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t j0 = b * block_pairs, m = std::min(block_pairs, h - j0);
      // Two independent batches per step: the rounds are one long dependency chain, so
      // interleaving two of them keeps more vector units busy.
      for (int64_t j = 0; j < m; j += 2 * batch_width) {
        UBatch x0 = UBatch(static_cast<uint32_t>(j0 + j)) + iota;
        UBatch x1 = UBatch(static_cast<uint32_t>(second + j0 + j)) + iota;
        UBatch y0 = x0 + UBatch(static_cast<uint32_t>(batch_width));
        UBatch y1 = x1 + UBatch(static_cast<uint32_t>(batch_width));
        hash2(K0, K1, x0, x1, y0, y1);
        x0.store_aligned(first + j);
        x1.store_aligned(last + j);
        y0.store_aligned(first + j + batch_width);
        y1.store_aligned(last + j + batch_width);
      }
      sink(j0, static_cast<const uint32_t*>(first), m);
      sink(second + j0, static_cast<const uint32_t*>(last), m);
    }
  });
}

/// Writes the first `nbytes` bytes of the word stream (little-endian words, as MLX copies
/// them) to `dst`, which must have room for ceil(nbytes / 4) whole words.
inline void fill_bits(uint32_t k0, uint32_t k1, void* dst, int64_t nbytes) {
  auto* words = static_cast<uint32_t*>(dst);
  generate(k0, k1, (nbytes + 3) / 4, [&](int64_t pos, const uint32_t* w, int64_t m) {
    std::memcpy(words + pos, w, static_cast<size_t>(m) * 4);
  });
}

}  // namespace mlx::core::cpu::threefry
