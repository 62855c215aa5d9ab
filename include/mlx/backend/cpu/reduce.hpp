// SPDX-License-Identifier: MIT
// CPU reductions over any set of axes of a row-major source (an array or a fused
// expression read through ElementwiseSource, so `sum(a * b)` needs no temporary).
//
// The input's dims collapse into alternating kept (K) and reduced (R) groups. One pass
// handles [R], [K, R] ("row": SIMD over each contiguous run) and [K0, R, K1] ("column":
// SIMD across the kept run, looping over the reduced index). Other patterns reduce their
// innermost R group first into a temporary and repeat.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "mlx/backend/cpu/elementwise.hpp"
#include "mlx/backend/cpu/simd.hpp"

namespace mlx::core::cpu {

enum class ReduceType { Sum, Prod, Max, Min, And, Or };

namespace reduce_impl {

/// One reduction operation on scalars and batches of the compute type.
template <ReduceType R>
struct Op {
  template <class V>
  static V init() {
    using T = typename simd::vec_traits<V>::value_type;
    if constexpr (R == ReduceType::Sum || R == ReduceType::Or) return V(T(0));
    else if constexpr (R == ReduceType::Prod || R == ReduceType::And) return V(T(1));
    else if constexpr (R == ReduceType::Max) {
      if constexpr (std::numeric_limits<T>::has_infinity) return V(-std::numeric_limits<T>::infinity());
      else return V(std::numeric_limits<T>::lowest());
    } else {
      if constexpr (std::numeric_limits<T>::has_infinity) return V(std::numeric_limits<T>::infinity());
      else return V(std::numeric_limits<T>::max());
    }
  }
  template <class V>
  static V apply(const V& acc, const V& x) {
    using T = typename simd::vec_traits<V>::value_type;
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && !simd::is_batch_v<V>) {
      // Integer sums and products wrap (in unsigned arithmetic: signed overflow is UB).
      using U = std::make_unsigned_t<T>;
      if constexpr (R == ReduceType::Sum) return static_cast<T>(static_cast<U>(acc) + static_cast<U>(x));
      if constexpr (R == ReduceType::Prod) return static_cast<T>(static_cast<U>(acc) * static_cast<U>(x));
    }
    if constexpr (R == ReduceType::Sum) return acc + x;
    else if constexpr (R == ReduceType::Prod) return acc * x;
    else if constexpr (R == ReduceType::And) return simd::select(x != V(0), acc, V(0));
    else if constexpr (R == ReduceType::Or) return simd::select(x != V(0), V(1), acc);
    else {
      // NaN wins, as in NumPy and MLX.
      auto r = R == ReduceType::Max ? simd::select(x > acc, x, acc) : simd::select(x < acc, x, acc);
      if constexpr (std::is_floating_point_v<typename simd::vec_traits<V>::value_type>)
        r = simd::select(simd::isnan(x), x, r);
      return r;
    }
  }
  /// Folds a batch's lanes.
  template <class V>
  static auto horizontal(const V& v) {
    using T = typename simd::vec_traits<V>::value_type;
    if constexpr (simd::is_batch_v<V>) {
      alignas(64) T lanes[simd::width_v<V>];
      v.store_aligned(lanes);
      T acc = lanes[0];
      for (int i = 1; i < simd::width_v<V>; ++i) acc = apply(acc, lanes[i]);
      return acc;
    } else {
      return v;
    }
  }
};

/// Folds m contiguous elements into acc (four independent SIMD accumulators).
template <ReduceType R, class T>
T reduce_run(const T* p, int64_t m, T acc) {
  using O = Op<R>;
  using V = std::conditional_t<std::is_same_v<T, float> || std::is_same_v<T, double>,
                               xsimd::batch<T>, T>;
  constexpr int W = simd::width_v<V>;
  int64_t i = 0;
  if constexpr (W > 1) {
    if (m >= 4 * W) {
      V a0 = O::template init<V>(), a1 = a0, a2 = a0, a3 = a0;
      for (; i + 4 * W <= m; i += 4 * W) {
        a0 = O::apply(a0, V::load_unaligned(p + i));
        a1 = O::apply(a1, V::load_unaligned(p + i + W));
        a2 = O::apply(a2, V::load_unaligned(p + i + 2 * W));
        a3 = O::apply(a3, V::load_unaligned(p + i + 3 * W));
      }
      acc = O::apply(acc, O::horizontal(O::apply(O::apply(a0, a1), O::apply(a2, a3))));
    }
  }
  for (; i < m; ++i) acc = O::apply(acc, p[i]);
  return acc;
}

/// acc[i] = op(acc[i], p[i]) for i < m.
template <ReduceType R, class T>
void accumulate_run(T* acc, const T* p, int64_t m) {
  using O = Op<R>;
  int64_t i = 0;
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    using V = xsimd::batch<T>;
    constexpr int W = V::size;
    for (; i + W <= m; i += W)
      O::apply(V::load_unaligned(acc + i), V::load_unaligned(p + i)).store_unaligned(acc + i);
  }
  for (; i < m; ++i) acc[i] = O::apply(acc[i], p[i]);
}

/// A readable row-major input: either an ElementwiseSource or a temporary buffer.
template <class T>
struct Reader {
  const ElementwiseSource<T>* src = nullptr;
  const T* buf = nullptr;
  /// Elements [start, start + m) (m <= chunk_elems): in place or copied into tmp.
  const T* read(int64_t start, int64_t m, T* tmp, SourceScratch<T>* sc) const {
    if (buf) return buf + start;
    if (const T* d = src->direct(start, m)) return d;
    src->fill(start, m, tmp, *sc);
    return tmp;
  }
  int num_slots() const { return src ? src->kernel().num_slots : 0; }
  int kernel_blocks() const { return src ? src->kernel().scratch_blocks : 0; }
};

/// out[k] = reduce over r of in[k * R + r], for k < K.
template <ReduceType R, class T>
void row_pass(const Reader<T>& in, int64_t K, int64_t Rn, T* out) {
  using O = Op<R>;
  auto reduce_range = [&](int64_t start, int64_t len, T acc, SourceScratch<T>& sc, T* tmp) {
    for (int64_t c = 0; c < len; c += chunk_elems) {
      int64_t m = std::min(chunk_elems, len - c);
      acc = reduce_run<R>(in.read(start + c, m, tmp, &sc), m, acc);
    }
    return acc;
  };
  const int nt = ThreadPool::instance().num_threads();
  const int64_t n = K * Rn;
  if (K >= 4 * nt || n < parallel_threshold) {
    // Many outputs (or little work): split the outputs.
    int64_t grain = std::max<int64_t>(1, parallel_threshold / std::max<int64_t>(Rn, 1));
    parallel_for(K, grain, [&](int64_t k0, int64_t k1) {
      SourceScratch<T> sc(in.num_slots(), in.kernel_blocks(), 1);
      T* tmp = sc.extra(in.num_slots(), in.kernel_blocks());
      for (int64_t k = k0; k < k1; ++k)
        out[k] = reduce_range(k * Rn, Rn, O::template init<T>(), sc, tmp);
    });
  } else {
    // Few long rows: split each row over the threads and fold the partial results.
    int64_t parts = nt * 4;
    int64_t per = ((Rn + parts - 1) / parts + chunk_elems - 1) / chunk_elems * chunk_elems;
    parts = (Rn + per - 1) / per;
    std::vector<T> partial(static_cast<size_t>(parts));
    for (int64_t k = 0; k < K; ++k) {
      parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
        SourceScratch<T> sc(in.num_slots(), in.kernel_blocks(), 1);
        T* tmp = sc.extra(in.num_slots(), in.kernel_blocks());
        for (int64_t p = p0; p < p1; ++p) {
          int64_t b = p * per, len = std::min(per, Rn - b);
          partial[p] = reduce_range(k * Rn + b, len, O::template init<T>(), sc, tmp);
        }
      });
      T acc = O::template init<T>();
      for (auto v : partial) acc = O::apply(acc, v);
      out[k] = acc;
    }
  }
}

/// acc = op(acc, rows[0..4)) elementwise: four rows per pass over the accumulator.
template <ReduceType R, class T>
void accumulate_rows4(T* acc, const T* r0, const T* r1, const T* r2, const T* r3, int64_t m) {
  using O = Op<R>;
  int64_t i = 0;
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    using V = xsimd::batch<T>;
    constexpr int W = V::size;
    for (; i + W <= m; i += W) {
      V x = O::apply(O::apply(V::load_unaligned(r0 + i), V::load_unaligned(r1 + i)),
                     O::apply(V::load_unaligned(r2 + i), V::load_unaligned(r3 + i)));
      O::apply(V::load_unaligned(acc + i), x).store_unaligned(acc + i);
    }
  }
  for (; i < m; ++i) acc[i] = O::apply(O::apply(acc[i], O::apply(r0[i], r1[i])), O::apply(r2[i], r3[i]));
}

/// Folds rows [r0, r1) of the [K0, R, K1] view into acc (K0 * K1 elements), for the kept
/// block [kb, kb + m) of every k0.
template <ReduceType R, class T>
void fold_rows(const Reader<T>& in, int64_t k0, int64_t Rn, int64_t K1, int64_t kb, int64_t m,
               int64_t r0, int64_t r1, T* acc, T* tmp, SourceScratch<T>& sc) {
  auto row = [&](int64_t r, int j) {
    return in.read((k0 * Rn + r) * K1 + kb, m, tmp + j * chunk_elems, &sc);
  };
  int64_t r = r0;
  for (; r + 4 <= r1; r += 4)
    accumulate_rows4<R>(acc, row(r, 0), row(r + 1, 1), row(r + 2, 2), row(r + 3, 3), m);
  for (; r < r1; ++r) accumulate_run<R>(acc, row(r, 0), m);
}

/// out[k0 * K1 + k1] = reduce over r of in[(k0 * R + r) * K1 + k1].
/// Many kept blocks: each thread owns blocks and streams their rows. Few kept blocks (an
/// axis-0 sum of a matrix): each thread folds a range of rows into its own partial result,
/// reading memory in order, and the partials are combined.
template <ReduceType R, class T>
void column_pass(const Reader<T>& in, int64_t K0, int64_t Rn, int64_t K1, T* out) {
  using O = Op<R>;
  const int nt = ThreadPool::instance().num_threads();
  const int64_t blocks = (K1 + chunk_elems - 1) / chunk_elems;
  const int64_t units = K0 * blocks;
  const int64_t work = K0 * Rn * K1;
  const int ns = in.num_slots(), kbk = in.kernel_blocks();
  if (units >= 2 * nt || work < parallel_threshold || Rn < 8 * nt) {
    int64_t grain = std::max<int64_t>(1, parallel_threshold / std::max<int64_t>(Rn * std::min(K1, chunk_elems), 1));
    parallel_for(units, grain, [&](int64_t u0, int64_t u1) {
      SourceScratch<T> sc(ns, kbk, 4);
      T* tmp = sc.extra(ns, kbk);
      for (int64_t u = u0; u < u1; ++u) {
        int64_t k0 = u / blocks, kb = (u % blocks) * chunk_elems;
        int64_t m = std::min(chunk_elems, K1 - kb);
        T* acc = out + k0 * K1 + kb;
        std::fill(acc, acc + m, O::template init<T>());
        fold_rows<R>(in, k0, Rn, K1, kb, m, 0, Rn, acc, tmp, sc);
      }
    });
    return;
  }
  const int64_t parts = nt;
  const int64_t per = (Rn + parts - 1) / parts;
  const int64_t kept = K0 * K1;
  std::vector<T> partial(static_cast<size_t>(parts * kept), O::template init<T>());
  parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    SourceScratch<T> sc(ns, kbk, 4);
    T* tmp = sc.extra(ns, kbk);
    for (int64_t p = p0; p < p1; ++p) {
      int64_t r0 = p * per, r1 = std::min(Rn, r0 + per);
      T* acc = partial.data() + p * kept;
      for (int64_t k0 = 0; k0 < K0; ++k0)
        for (int64_t kb = 0; kb < K1; kb += chunk_elems)
          fold_rows<R>(in, k0, Rn, K1, kb, std::min(chunk_elems, K1 - kb), r0, r1,
                       acc + k0 * K1 + kb, tmp, sc);
    }
  });
  std::copy(partial.begin(), partial.begin() + kept, out);
  for (int64_t p = 1; p < parts; ++p) accumulate_run<R>(out, partial.data() + p * kept, kept);
}

}  // namespace reduce_impl

/// Reduces `src` (logical shape `shape`) over the sorted `axes` into `out` (size = product
/// of the kept dims). `out` is written as T; the caller converts to the output dtype.
template <ReduceType R, class T>
void reduce_into(const ElementwiseSource<T>& src, const Shape& shape, const std::vector<int>& axes,
                 T* out) {
  using namespace reduce_impl;
  // Collapse into alternating groups of kept/reduced dims (size-1 dims dropped).
  std::vector<std::pair<int64_t, bool>> groups;  // (size, reduced)
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    bool red = std::binary_search(axes.begin(), axes.end(), d);
    if (shape[d] == 1) continue;
    if (!groups.empty() && groups.back().second == red)
      groups.back().first *= shape[d];
    else
      groups.emplace_back(shape[d], red);
  }
  Reader<T> reader{&src, nullptr};
  std::vector<T> tmp_in, tmp_out;
  for (;;) {
    int64_t total_kept = 1;
    int nred = 0;
    for (auto& g : groups) {
      if (g.second) ++nred;
      else total_kept *= g.first;
    }
    if (nred == 0) {
      // Nothing (left) to reduce: copy.
      for (int64_t c = 0; c < total_kept; c += chunk_elems) {
        int64_t m = std::min(chunk_elems, total_kept - c);
        SourceScratch<T> sc(reader.num_slots(), reader.kernel_blocks(), 1);
        T* t = sc.extra(reader.num_slots(), reader.kernel_blocks());
        const T* p = reader.read(c, m, t, &sc);
        std::copy(p, p + m, out + c);
      }
      return;
    }
    // The innermost reduced group and what lies before/after it.
    int last = static_cast<int>(groups.size()) - 1;
    while (!groups[last].second) --last;
    int64_t before = 1, after = 1;
    for (int i = 0; i < last; ++i) before *= groups[i].first;
    for (int i = last + 1; i < static_cast<int>(groups.size()); ++i) after *= groups[i].first;
    const bool final_pass = nred == 1;
    T* dst = out;
    if (!final_pass) {
      tmp_out.assign(static_cast<size_t>(before * after), T{});
      dst = tmp_out.data();
    }
    if (after == 1)
      row_pass<R>(reader, before, groups[last].first, dst);
    else
      column_pass<R>(reader, before, groups[last].first, after, dst);
    if (final_pass) return;
    // Continue from the partial result with that group removed.
    groups.erase(groups.begin() + last);
    std::vector<std::pair<int64_t, bool>> merged;
    for (auto& g : groups) {
      if (!merged.empty() && merged.back().second == g.second) merged.back().first *= g.first;
      else merged.push_back(g);
    }
    groups = std::move(merged);
    tmp_in.swap(tmp_out);
    reader = Reader<T>{nullptr, tmp_in.data()};
  }
}

/// Index of the max (or min) along one axis: shape viewed as [K0, R, K1]. NaN wins; ties
/// give the first index.
template <class T>
void arg_reduce_into(const ElementwiseSource<T>& src, int64_t K0, int64_t Rn, int64_t K1,
                     bool is_max, uint32_t* out) {
  using namespace reduce_impl;
  Reader<T> reader{&src, nullptr};
  auto better = [is_max](const T& x, const T& best) {
    if constexpr (std::is_floating_point_v<T>) {
      if (best != best) return false;
      if (x != x) return true;
    }
    return is_max ? x > best : x < best;
  };
  const int64_t blocks = (K1 + chunk_elems - 1) / chunk_elems;
  parallel_for(K0 * blocks, std::max<int64_t>(1, parallel_threshold / std::max<int64_t>(Rn * std::min(K1, chunk_elems), 1)),
               [&](int64_t u0, int64_t u1) {
    SourceScratch<T> sc(reader.num_slots(), reader.kernel_blocks(), 1);
    T* tmp = sc.extra(reader.num_slots(), reader.kernel_blocks());
    std::vector<T> best(static_cast<size_t>(std::min(K1, chunk_elems)));
    for (int64_t u = u0; u < u1; ++u) {
      int64_t k0 = u / blocks, kb = (u % blocks) * chunk_elems;
      int64_t m = std::min(chunk_elems, K1 - kb);
      uint32_t* idx = out + k0 * K1 + kb;
      if (K1 == 1) {
        // Contiguous runs along the axis.
        T b{};
        uint32_t bi = 0;
        for (int64_t c = 0; c < Rn; c += chunk_elems) {
          int64_t len = std::min(chunk_elems, Rn - c);
          const T* p = reader.read(k0 * Rn + c, len, tmp, &sc);
          for (int64_t i = 0; i < len; ++i)
            if ((c == 0 && i == 0) || better(p[i], b)) {
              b = p[i];
              bi = static_cast<uint32_t>(c + i);
            }
        }
        idx[0] = bi;
        continue;
      }
      for (int64_t r = 0; r < Rn; ++r) {
        const T* p = reader.read((k0 * Rn + r) * K1 + kb, m, tmp, &sc);
        for (int64_t i = 0; i < m; ++i)
          if (r == 0 || better(p[i], best[i])) {
            best[i] = p[i];
            idx[i] = static_cast<uint32_t>(r);
          }
      }
    }
  });
}

}  // namespace mlx::core::cpu
