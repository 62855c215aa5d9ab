// SPDX-License-Identifier: MIT
// CPU sorting kernels: order-preserving unsigned keys for every dtype, a stable LSD radix
// sort (spread over the thread pool for one long row), selection for partition and top-k,
// and a driver that presents any axis of a row-major array as contiguous rows.
#pragma once

#include <algorithm>
#include <bit>
#include <complex>
#include <cstdint>
#include <cstring>
#include <memory>
#include <numeric>
#include <type_traits>
#include <vector>

#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/half.hpp"

namespace mlx::core::cpu {

namespace sort_impl {

// ---- keys ----------------------------------------------------------------------------
// Key<T>::get(v) is an unsigned integer whose order is the sort order of MLX and NumPy:
// NaNs last (all NaNs equal, whatever their sign or payload), -0 equal to +0, complex
// numbers lexicographic (real part first) with any NaN part last. Equal keys keep their
// input order in the stable sorts below, so sort/argsort match a stable comparison sort.

template <class U>
constexpr U float_bits_key(U bits, bool nan) {
  constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
  if (nan) return static_cast<U>(~U(0));
  if ((bits & static_cast<U>(~sign)) == 0) bits = 0;  // -0 sorts with +0
  return (bits & sign) ? static_cast<U>(~bits) : static_cast<U>(bits | sign);
}

template <class T>
struct Key;

template <>
struct Key<bool> {
  using K = uint8_t;
  static K get(bool v) { return v ? 1 : 0; }
};

template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
struct Key<T> {
  using K = std::make_unsigned_t<T>;
  static K get(T v) {
    K u = static_cast<K>(v);
    if constexpr (std::is_signed_v<T>) u = static_cast<K>(u ^ (K(1) << (sizeof(K) * 8 - 1)));
    return u;
  }
};

template <>
struct Key<float> {
  using K = uint32_t;
  static K get(float v) { return float_bits_key(std::bit_cast<uint32_t>(v), v != v); }
};

template <>
struct Key<double> {
  using K = uint64_t;
  static K get(double v) { return float_bits_key(std::bit_cast<uint64_t>(v), v != v); }
};

template <>
struct Key<float16_t> {
  using K = uint16_t;
  static K get(float16_t v) { return float_bits_key<uint16_t>(v.bits, (v.bits & 0x7fffu) > 0x7c00u); }
};

template <>
struct Key<bfloat16_t> {
  using K = uint16_t;
  static K get(bfloat16_t v) { return float_bits_key<uint16_t>(v.bits, (v.bits & 0x7fffu) > 0x7f80u); }
};

template <>
struct Key<complex64_t> {
  using K = uint64_t;
  static K get(complex64_t v) {
    const float re = v.real(), im = v.imag();
    if (re != re || im != im) return ~uint64_t{0};
    return (uint64_t{Key<float>::get(re)} << 32) | Key<float>::get(im);
  }
};

template <class T>
using key_t = typename Key<T>::K;

/// A key with the position it came from (argsort, argpartition). Ordering by (key, idx)
/// makes every comparison strict, so even unstable algorithms give MLX's stable answer.
template <class K>
struct Item {
  K key;
  uint32_t idx;
  friend bool operator<(const Item& a, const Item& b) {
    return a.key < b.key || (a.key == b.key && a.idx < b.idx);
  }
};

// ---- LSD radix sort ------------------------------------------------------------------

/// Rows at least this long are radix sorted; shorter ones use std::stable_sort.
inline constexpr int64_t radix_min = 128;
/// A single row at least this long is sorted with every thread of the pool.
inline constexpr int64_t parallel_min = int64_t{1} << 17;

/// Stable sort of a[0, n) by key(a[i]) (an unsigned K) using scratch b[0, n); the result
/// is in a. D bits per pass; passes whose digit is the same for every item are skipped.
/// With nt > 1 each pass splits the items into nt contiguous parts: every part counts its
/// digits, the counts give each (part, digit) its output offset, and every part scatters
/// its items (in order, so the sort stays stable).
template <int D, class I, class KeyFn>
void radix_sort(I* a, I* b, int64_t n, KeyFn key, int nt = 1) {
  using K = std::remove_cvref_t<decltype(key(a[0]))>;
  constexpr int kbits = static_cast<int>(sizeof(K) * 8);
  constexpr int passes = (kbits + D - 1) / D;
  constexpr int nb = 1 << D;
  constexpr K mask = static_cast<K>(nb - 1);
  nt = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(nt, n / 4096)));
  const int64_t per = (n + nt - 1) / nt;
  // counts[t][pass][digit] for the input as given (pass 0 counts stay valid for the first
  // pass performed; later passes recount their part, whose contents have changed).
  std::vector<uint32_t> counts(static_cast<size_t>(nt) * passes * nb, 0);
  auto run = [&](auto&& body) {
    if (nt == 1) body(int64_t{0});
    else ThreadPool::instance().run(nt, body);
  };
  run([&](int64_t t) {
    uint32_t* c = counts.data() + t * passes * nb;
    const int64_t lo = std::min(n, t * per), hi = std::min(n, lo + per);
    for (int64_t i = lo; i < hi; ++i) {
      const K k = key(a[i]);
      for (int p = 0; p < passes; ++p) ++c[p * nb + ((k >> (p * D)) & mask)];
    }
  });
  std::vector<uint32_t> offsets(static_cast<size_t>(nt) * nb);
  I* src = a;
  I* dst = b;
  bool fresh = true;  // counts[.][p] describe src
  for (int p = 0; p < passes; ++p) {
    // The pass is a no-op when one digit holds every item (totals never change).
    bool trivial = false;
    for (int d = 0; d < nb && !trivial; ++d) {
      uint64_t tot = 0;
      for (int t = 0; t < nt; ++t) tot += counts[(t * passes + p) * nb + d];
      if (tot == static_cast<uint64_t>(n)) trivial = true;
      else if (tot != 0) break;
    }
    if (trivial) continue;
    if (!fresh) {
      run([&](int64_t t) {
        uint32_t* c = counts.data() + (t * passes + p) * nb;
        std::fill(c, c + nb, 0u);
        const int64_t lo = std::min(n, t * per), hi = std::min(n, lo + per);
        for (int64_t i = lo; i < hi; ++i) ++c[(key(src[i]) >> (p * D)) & mask];
      });
    }
    uint32_t running = 0;
    for (int d = 0; d < nb; ++d)
      for (int t = 0; t < nt; ++t) {
        offsets[t * nb + d] = running;
        running += counts[(t * passes + p) * nb + d];
      }
    run([&](int64_t t) {
      uint32_t* off = offsets.data() + t * nb;
      const int64_t lo = std::min(n, t * per), hi = std::min(n, lo + per);
      for (int64_t i = lo; i < hi; ++i) {
        const I v = src[i];
        dst[off[(key(v) >> (p * D)) & mask]++] = v;
      }
    });
    std::swap(src, dst);
    fresh = false;
  }
  if (src != a) {
    if (nt == 1) {
      std::memcpy(static_cast<void*>(a), src, static_cast<size_t>(n) * sizeof(I));
    } else {
      parallel_for(n, 1 << 16, [&](int64_t lo, int64_t hi) {
        std::memcpy(static_cast<void*>(a + lo), src + lo, static_cast<size_t>(hi - lo) * sizeof(I));
      });
    }
  }
}

/// Digits per pass: 8 bits for short rows (small count tables), 11 for long ones (fewer
/// passes over memory).
template <class I, class KeyFn>
void radix_sort_auto(I* a, I* b, int64_t n, KeyFn key, int nt) {
  using K = std::remove_cvref_t<decltype(key(a[0]))>;
  if (sizeof(K) <= 2 || n < (int64_t{1} << 16))
    radix_sort<8>(a, b, n, key, nt);
  else
    radix_sort<11>(a, b, n, key, nt);
}

/// A reusable uninitialised buffer (std::vector<bool> has no data()).
template <class T>
struct Scratch {
  std::unique_ptr<T[]> p;
  int64_t cap = 0;
  T* get(int64_t n) {
    if (n > cap) {
      p = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(n));
      cap = n;
    }
    return p.get();
  }
};

// ---- row kernels -----------------------------------------------------------------------
// Each works on one contiguous row of n elements and owns the scratch it reuses across the
// rows of one task.

/// Sorts a row (in place; `in` may equal `out`).
template <class T>
struct SortRow {
  int nt = 1;  // threads for one long row
  Scratch<T> scratch;
  void operator()(const T* in, T* out, int64_t n) {
    if (in != out) std::copy(in, in + n, out);
    auto key = [](const T& v) { return Key<T>::get(v); };
    if (n < radix_min) {
      std::stable_sort(out, out + n, [&](const T& x, const T& y) { return key(x) < key(y); });
      return;
    }
    radix_sort_auto(out, scratch.get(n), n, key, nt);
  }
};

/// Writes the stable sorting permutation of a row as uint32 indices.
template <class T>
struct ArgSortRow {
  int nt = 1;
  std::vector<Item<key_t<T>>> items, scratch;
  void operator()(const T* in, uint32_t* out, int64_t n) {
    items.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) items[i] = {Key<T>::get(in[i]), static_cast<uint32_t>(i)};
    if (n < radix_min) {
      std::sort(items.begin(), items.end());
    } else {
      scratch.resize(static_cast<size_t>(n));
      radix_sort_auto(items.data(), scratch.data(), n,
                      [](const Item<key_t<T>>& it) { return it.key; }, nt);
    }
    for (int64_t i = 0; i < n; ++i) out[i] = items[i].idx;
  }
};

/// Partitions a row around position kth (in place; `in` may equal `out`).
template <class T>
struct PartitionRow {
  int64_t kth = 0;
  void operator()(const T* in, T* out, int64_t n) {
    if (in != out) std::copy(in, in + n, out);
    std::nth_element(out, out + kth, out + n,
                     [](const T& x, const T& y) { return Key<T>::get(x) < Key<T>::get(y); });
  }
};

/// The indices that partition a row around position kth.
template <class T>
struct ArgPartitionRow {
  int64_t kth = 0;
  std::vector<Item<key_t<T>>> items;
  void operator()(const T* in, uint32_t* out, int64_t n) {
    items.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) items[i] = {Key<T>::get(in[i]), static_cast<uint32_t>(i)};
    std::nth_element(items.begin(), items.begin() + kth, items.end());
    for (int64_t i = 0; i < n; ++i) out[i] = items[i].idx;
  }
};

/// The k largest elements of a row, ascending (k == n: the row unchanged, as MLX's topk
/// returns its input then). Each of nt parts of the row selects its own k largest (a heap
/// for small k, else nth_element on an array of integer keys), then the at most nt * k
/// candidates are selected and sorted; the values themselves are copied, never rebuilt
/// from keys, so -0 and NaN payloads survive.
template <class T>
struct TopKRow {
  int64_t k = 0;
  int nt = 1;
  void operator()(const T* in, T* out, int64_t n) {
    if (k == n) {
      std::copy(in, in + n, out);
      return;
    }
    if (k == 0) return;
    using K = key_t<T>;
    const int parts =
        static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(nt, n / std::max<int64_t>(4 * k, 4096))));
    const int64_t per = (n + parts - 1) / parts;
    std::vector<std::vector<T>> cand(static_cast<size_t>(parts));
    auto select = [&](int64_t t) {
      const int64_t lo = std::min(n, t * per), len = std::min(n, lo + per) - lo;
      const T* x = in + lo;
      auto& c = cand[t];
      if (len <= k) {
        c.assign(x, x + len);
        return;
      }
      if (k <= 1024 && k * 16 <= len) {
        // Small k: one streaming pass with a min-heap of the k largest keys so far; most
        // elements are rejected by one compare with the heap's top.
        struct HeapItem {
          K key;
          T val;
        };
        auto greater = [](const HeapItem& a, const HeapItem& b) { return a.key > b.key; };
        std::vector<HeapItem> heap(static_cast<size_t>(k));
        for (int64_t i = 0; i < k; ++i) heap[i] = {Key<T>::get(x[i]), x[i]};
        std::make_heap(heap.begin(), heap.end(), greater);
        for (int64_t i = k; i < len; ++i) {
          const K kv = Key<T>::get(x[i]);
          if (kv > heap.front().key) {
            std::pop_heap(heap.begin(), heap.end(), greater);
            heap.back() = {kv, x[i]};
            std::push_heap(heap.begin(), heap.end(), greater);
          }
        }
        c.resize(static_cast<size_t>(k));
        for (int64_t i = 0; i < k; ++i) c[i] = heap[i].val;
        return;
      }
      std::vector<K> keys(static_cast<size_t>(len));
      for (int64_t i = 0; i < len; ++i) keys[i] = Key<T>::get(x[i]);
      std::nth_element(keys.begin(), keys.begin() + (len - k), keys.end());
      const K thr = keys[len - k];
      int64_t ties = k - std::count_if(keys.begin() + (len - k), keys.end(),
                                       [thr](K v) { return v > thr; });
      c.reserve(static_cast<size_t>(k));
      for (int64_t i = 0; i < len; ++i) {
        const K kv = Key<T>::get(x[i]);
        if (kv > thr || (kv == thr && ties-- > 0)) c.push_back(x[i]);
      }
    };
    if (parts == 1) select(0);
    else ThreadPool::instance().run(parts, select);
    std::vector<T> all;
    for (auto& c : cand) all.insert(all.end(), c.begin(), c.end());
    auto less = [](const T& a, const T& b) { return Key<T>::get(a) < Key<T>::get(b); };
    const int64_t m = static_cast<int64_t>(all.size());
    std::nth_element(all.begin(), all.begin() + (m - k), all.end(), less);
    std::sort(all.begin() + (m - k), all.end(), less);
    std::copy(all.begin() + (m - k), all.end(), out);
  }
};

}  // namespace sort_impl

/// Runs a row kernel along the middle axis of row-major [outer, n, inner] data `in`,
/// writing row-major [outer, m, inner] `out` (m: the kernel's output row length; in and
/// out may be the same buffer when m == n). `make()` builds one kernel per task (it owns
/// its scratch); kernel(row, out_row, n) sees contiguous rows: inner == 1 rows are used in
/// place, otherwise blocks of columns are gathered into rows and scattered back.
template <class In, class Out, class Make>
void along_axis(const In* in, Out* out, int64_t outer, int64_t n, int64_t m, int64_t inner,
                Make&& make) {
  if (outer == 0 || inner == 0 || n == 0) return;
  const int nt = ThreadPool::instance().num_threads();
  if (inner == 1) {
    if (outer < nt && n >= sort_impl::parallel_min) {
      // Few long rows: one at a time, each with every thread.
      auto kernel = make();
      if constexpr (requires { kernel.nt; }) kernel.nt = nt;
      for (int64_t r = 0; r < outer; ++r) kernel(in + r * n, out + r * m, n);
      return;
    }
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / n);
    parallel_for(outer, grain, [&](int64_t r0, int64_t r1) {
      auto kernel = make();
      for (int64_t r = r0; r < r1; ++r) kernel(in + r * n, out + r * m, n);
    });
    return;
  }
  // Columns are gathered B at a time: every input row is read B contiguous elements at a time.
  constexpr int64_t B = 16;
  const int64_t blocks = (inner + B - 1) / B;
  const int64_t tasks = outer * blocks;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / (n * B));
  parallel_for(tasks, grain, [&](int64_t t0, int64_t t1) {
    auto kernel = make();
    sort_impl::Scratch<In> rows_buf;
    sort_impl::Scratch<Out> outs_buf;
    In* rows = rows_buf.get(B * n);
    Out* outs = outs_buf.get(B * m);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / blocks, c0 = (t % blocks) * B, w = std::min(B, inner - c0);
      const In* src = in + o * n * inner + c0;
      for (int64_t j = 0; j < n; ++j)
        for (int64_t c = 0; c < w; ++c) rows[c * n + j] = src[j * inner + c];
      for (int64_t c = 0; c < w; ++c) kernel(rows + c * n, outs + c * m, n);
      Out* dst = out + o * m * inner + c0;
      for (int64_t j = 0; j < m; ++j)
        for (int64_t c = 0; c < w; ++c) dst[j * inner + c] = outs[c * m + j];
    }
  });
}

}  // namespace mlx::core::cpu
