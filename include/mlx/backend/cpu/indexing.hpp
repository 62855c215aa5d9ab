// SPDX-License-Identifier: MIT
// CPU kernels for gather and scatter: index arrays (any integer dtype, already broadcast to
// one shape and row-contiguous) select slices of a source array. Negative indices count from
// the end (MLX's rule); an index outside the axis throws std::out_of_range naming the op,
// after the parallel loop, so no thread throws.
#pragma once

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"

namespace mlx::core::cpu {

/// What a scatter does with the value already at an updated position.
enum class ScatterReduce { None, Sum, Prod, Max, Min };

namespace indexing_impl {

/// An unsigned word of W bytes, to move elements of that width as values.
template <size_t W>
struct word;
template <>
struct word<1> { using type = uint8_t; };
template <>
struct word<2> { using type = uint16_t; };
template <>
struct word<4> { using type = uint32_t; };
template <>
struct word<8> { using type = uint64_t; };
template <>
struct word<16> { struct alignas(8) type { uint64_t lo, hi; }; };

/// The first out-of-range index seen by any thread (reported once the loop is over).
struct BadIndex {
  std::atomic<bool> seen{false};
  int64_t value = 0, size = 0;
  int axis = 0;
  void record(int64_t v, int64_t n, int ax) {
    bool expected = false;
    if (seen.compare_exchange_strong(expected, true)) {
      value = v;
      size = n;
      axis = ax;
    }
  }
  void raise(std::string_view op) const {
    if (seen.load())
      detail::fail<std::out_of_range>(op, "Index ", value, " is out of bounds for axis ", axis,
                                      " with size ", size, ".");
  }
};

/// Reads index i of an index array of integer dtype `dt` as int64.
inline int64_t load_index(const void* p, Dtype dt, int64_t i) {
  switch (dt.val) {
    case Dtype::Val::uint8: return static_cast<const uint8_t*>(p)[i];
    case Dtype::Val::uint16: return static_cast<const uint16_t*>(p)[i];
    case Dtype::Val::uint32: return static_cast<const uint32_t*>(p)[i];
    case Dtype::Val::uint64: return static_cast<int64_t>(static_cast<const uint64_t*>(p)[i]);
    case Dtype::Val::int8: return static_cast<const int8_t*>(p)[i];
    case Dtype::Val::int16: return static_cast<const int16_t*>(p)[i];
    case Dtype::Val::int32: return static_cast<const int32_t*>(p)[i];
    case Dtype::Val::int64: return static_cast<const int64_t*>(p)[i];
    default: return 0;
  }
}

/// The element offset (in `strides`) of index tuple p into `off`; false after recording a
/// bad index. (Not a -1 sentinel: a view with negative strides, flip(a), has legitimately
/// negative offsets.)
inline bool start_offset(const std::vector<array>& idx, const std::vector<int>& axes, const Shape& shape,
                         const Strides& strides, const Shape& slice_sizes, int64_t p, BadIndex& bad,
                         int64_t& off) {
  off = 0;
  for (size_t k = 0; k < idx.size(); ++k) {
    const int ax = axes[k];
    const int64_t n = shape[ax];
    int64_t v = load_index(idx[k].raw_data(), idx[k].dtype(), p);
    int64_t w = v < 0 ? v + n : v;
    if (w < 0 || w + slice_sizes[ax] > n) {
      bad.record(v, n, ax);
      return false;
    }
    off += w * strides[ax];
  }
  return true;
}

}  // namespace indexing_impl

/// out (row-major, shape I + slice_sizes) = the slices of `src` starting at the index tuples.
/// `idx` are row-contiguous integer arrays of shape I, one per entry of `axes`.
inline void gather(std::string_view op, const array& src, const std::vector<array>& idx,
                   const std::vector<int>& axes, const Shape& slice_sizes, array& out) {
  using namespace indexing_impl;
  const int64_t n_idx = idx.empty() ? 1 : static_cast<int64_t>(idx[0].size());
  const int64_t slice_elems = shape_size(slice_sizes);
  if (out.size() == 0) return;
  const size_t w = src.itemsize();
  const char* base = static_cast<const char*>(src.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  BadIndex bad;
  const Strides slice_out_st = row_major_strides(slice_sizes);
  auto one_element = [&](auto width) {
    constexpr size_t W = decltype(width)::value;
    parallel_for(n_idx, 4096, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        int64_t off;
        if (!start_offset(idx, axes, src.shape(), src.strides(), slice_sizes, p, bad, off)) continue;
        std::memcpy(dst + p * static_cast<int64_t>(W), base + off * static_cast<int64_t>(W), W);
      }
    });
  };
  if (slice_elems == 1 && idx.size() == 1) {
    // take's case: one index array, one element per index, with the index dtype and the
    // element width fixed outside the loop. The loop body is branch-free (a bad index is
    // clamped and flagged, then reported after the loop), so the compiler turns it into
    // SIMD gathers: random reads overlap instead of waiting for each other.
    const int ax = axes[0];
    const int64_t n = src.shape()[ax], st = src.strides()[ax];
    detail::dispatch_dtype(idx[0].dtype(), [&](auto itag) {
      using I = typename decltype(itag)::type;
      if constexpr (std::is_integral_v<I> && !std::is_same_v<I, bool>) {
        const I* ip = static_cast<const I*>(idx[0].raw_data());
        copy_impl::with_width(w, [&](auto width) {
          using U = typename indexing_impl::word<decltype(width)::value>::type;
          const U* sp = reinterpret_cast<const U*>(base);
          U* op = reinterpret_cast<U*>(dst);
          parallel_for(n_idx, 1 << 14, [&bad, ip, sp, op, n, st, ax](int64_t b, int64_t e) {
            bool any_bad = false;
            for (int64_t p = b; p < e; ++p) {
              const int64_t v = static_cast<int64_t>(ip[p]);
              int64_t k = (std::is_signed_v<I> && v < 0) ? v + n : v;
              const bool out_of_range = static_cast<uint64_t>(k) >= static_cast<uint64_t>(n);
              any_bad |= out_of_range;
              k = out_of_range ? 0 : k;
              op[p] = sp[k * st];
            }
            if (any_bad)
              for (int64_t p = b; p < e; ++p) {
                const int64_t v = static_cast<int64_t>(ip[p]);
                const int64_t k = (std::is_signed_v<I> && v < 0) ? v + n : v;
                if (static_cast<uint64_t>(k) >= static_cast<uint64_t>(n)) {
                  bad.record(v, n, ax);
                  break;
                }
              }
          });
        });
      }
    });
  } else if (slice_elems == 1) {
    copy_impl::with_width(w, one_element);
  } else {
    // Larger slices: one strided copy per index tuple (each is a sub-array of src).
    parallel_for(n_idx, std::max<int64_t>(1, 4096 / slice_elems), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        int64_t off;
        if (!start_offset(idx, axes, src.shape(), src.strides(), slice_sizes, p, bad, off)) continue;
        copy_strided_serial(base + off * static_cast<int64_t>(w), src.strides(),
                            dst + p * slice_elems * static_cast<int64_t>(w), slice_out_st,
                            slice_sizes, w);
      }
    });
  }
  bad.raise(op);
}

namespace indexing_impl {

template <class T, ScatterReduce R>
inline void combine(T& dst, const T& v) {
  if constexpr (R == ScatterReduce::None) {
    dst = v;
  } else if constexpr (std::is_same_v<T, bool>) {
    if constexpr (R == ScatterReduce::Sum || R == ScatterReduce::Max) dst = dst || v;
    else dst = dst && v;
  } else if constexpr (detail::is_half_v<T>) {
    float d = static_cast<float>(dst), x = static_cast<float>(v);
    T r = dst;
    combine<float, R>(d, x);
    r = T(d);
    dst = r;
  } else if constexpr (R == ScatterReduce::Sum) {
    dst = static_cast<T>(dst + v);
  } else if constexpr (R == ScatterReduce::Prod) {
    dst = static_cast<T>(dst * v);
  } else if constexpr (detail::is_complex_v<T>) {
    // Max/min of complex values are rejected by the op.
  } else if constexpr (R == ScatterReduce::Max) {
    dst = (v > dst || v != v) ? v : dst;
  } else {
    dst = (v < dst || v != v) ? v : dst;
  }
}

}  // namespace indexing_impl

/// out (already holding a row-major copy of the source) updated at the index tuples with
/// the row-contiguous `updates` of shape I + slice shape. Runs in index order on one thread,
/// so that repeated indices combine deterministically (the last write wins for None).
template <class T, ScatterReduce R>
void scatter(std::string_view op, const std::vector<array>& idx, const std::vector<int>& axes,
             const array& updates, array& out) {
  using namespace indexing_impl;
  const int64_t n_idx = idx.empty() ? 1 : static_cast<int64_t>(idx[0].size());
  const int idx_nd = static_cast<int>(updates.ndim()) - static_cast<int>(out.ndim());
  Shape slice(updates.shape().begin() + idx_nd, updates.shape().end());
  const int64_t slice_elems = shape_size(slice);
  if (slice_elems == 0 || n_idx == 0) return;
  const Strides out_st = row_major_strides(out.shape());
  // Offsets of the slice's elements in out, in the slice's row-major order.
  std::vector<int64_t> rel(slice_elems);
  {
    std::vector<int64_t> ix(slice.size(), 0);
    for (int64_t e = 0; e < slice_elems; ++e) {
      int64_t off = 0;
      for (size_t d = 0; d < slice.size(); ++d) off += ix[d] * out_st[d];
      rel[e] = off;
      for (int d = static_cast<int>(slice.size()) - 1; d >= 0; --d) {
        if (++ix[d] < slice[d]) break;
        ix[d] = 0;
      }
    }
  }
  T* o = static_cast<T*>(out.raw_data());
  const T* u = static_cast<const T*>(updates.raw_data());
  BadIndex bad;
  for (int64_t p = 0; p < n_idx; ++p) {
    int64_t off;
    if (!start_offset(idx, axes, out.shape(), out_st, slice, p, bad, off)) break;
    const T* up = u + p * slice_elems;
    for (int64_t e = 0; e < slice_elems; ++e) combine<T, R>(o[off + rel[e]], up[e]);
  }
  bad.raise(op);
}

}  // namespace mlx::core::cpu
