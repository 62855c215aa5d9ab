// SPDX-License-Identifier: MIT
// Strided copies on the CPU: any view (transposed, sliced with negative steps, broadcast with
// zero strides, offset into a shared buffer) into row-major order. Primitives whose kernels
// need contiguous input call ensure_row_contiguous() instead of handling every layout.
#pragma once

#include <array>
#include <cstring>
#include <vector>

#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"

namespace mlx::core::cpu {

namespace copy_impl {

/// Drops size-1 dims and merges dims that are contiguous with their inner neighbour in
/// both the source and the destination.
inline void collapse(Shape& shape, Strides& src, Strides& dst) {
  Shape s2;
  Strides a2, b2;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!s2.empty() && a2.back() == src[d] * shape[d] && b2.back() == dst[d] * shape[d]) {
      s2.back() *= shape[d];
      a2.back() = src[d];
      b2.back() = dst[d];
    } else {
      s2.push_back(shape[d]);
      a2.push_back(src[d]);
      b2.push_back(dst[d]);
    }
  }
  if (s2.empty()) {
    s2.push_back(1);
    a2.push_back(0);
    b2.push_back(0);
  }
  shape = std::move(s2);
  src = std::move(a2);
  dst = std::move(b2);
}

/// Copies the row-major element range [begin, end) of `shape` from src to dst, each walked
/// by its own strides (in elements of W bytes).
template <size_t W>
void copy_range(const char* src, const Strides& src_st, char* dst, const Strides& dst_st,
                const Shape& shape, int64_t begin, int64_t end) {
  constexpr int64_t w = static_cast<int64_t>(W);
  const int nd = static_cast<int>(shape.size());
  const int64_t inner = shape[nd - 1], si = src_st[nd - 1], di = dst_st[nd - 1];
  // The multi-index of element `begin`, then a row at a time.
  std::vector<int64_t> idx(nd, 0);
  int64_t rest = begin;
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = rest % shape[d];
    rest /= shape[d];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t so = 0, dof = 0;
    for (int d = 0; d < nd; ++d) {
      so += idx[d] * src_st[d];
      dof += idx[d] * dst_st[d];
    }
    const int64_t n = std::min(inner - idx[nd - 1], end - pos);
    const char* s = src + so * w;
    char* o = dst + dof * w;
    if (si == 1 && di == 1) {
      std::memcpy(o, s, static_cast<size_t>(n * w));
    } else {
      for (int64_t k = 0; k < n; ++k) std::memcpy(o + k * di * w, s + k * si * w, W);
    }
    pos += n;
    idx[nd - 1] += n;
    for (int d = nd - 1; d > 0 && idx[d] >= shape[d]; --d) {
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

}  // namespace copy_impl

namespace copy_impl {

/// Calls f(integral_constant<W>) for an element width W of `itemsize` bytes.
template <class F>
void with_width(size_t itemsize, F&& f) {
  switch (itemsize) {
    case 1: f(std::integral_constant<size_t, 1>{}); break;
    case 2: f(std::integral_constant<size_t, 2>{}); break;
    case 4: f(std::integral_constant<size_t, 4>{}); break;
    case 8: f(std::integral_constant<size_t, 8>{}); break;
    default: f(std::integral_constant<size_t, 16>{}); break;
  }
}

}  // namespace copy_impl

namespace copy_impl {

/// The last two dims are swapped between source and destination (a transposed copy):
/// element by element, one of the two sides would miss the cache on every access.
inline bool is_transpose_2d(const Shape& shape, const Strides& src, const Strides& dst) {
  const size_t nd = shape.size();
  return nd >= 2 && src[nd - 2] == 1 && src[nd - 1] != 1 && dst[nd - 1] == 1 && shape[nd - 1] >= 8 &&
         shape[nd - 2] >= 8;
}

/// A transposed copy in 32x32 tiles (both tiles stay in L1), over both cores.
template <size_t W>
void copy_transposed(const char* src, const Strides& src_st, char* dst, const Strides& dst_st,
                     const Shape& shape) {
  using U = std::array<char, W>;
  constexpr int64_t T = 32;
  const int nd = static_cast<int>(shape.size());
  const int64_t R = shape[nd - 2], C = shape[nd - 1];
  const int64_t sc = src_st[nd - 1], dr = dst_st[nd - 2];  // (src row stride is 1, dst col stride 1)
  int64_t outer = 1;
  for (int d = 0; d < nd - 2; ++d) outer *= shape[d];
  const int64_t row_tiles = (R + T - 1) / T;
  parallel_for(outer * row_tiles, 4, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      int64_t o = t / row_tiles, r0 = (t % row_tiles) * T, so = 0, dof = 0;
      for (int d = nd - 3; d >= 0; --d) {
        so += (o % shape[d]) * src_st[d];
        dof += (o % shape[d]) * dst_st[d];
        o /= shape[d];
      }
      const U* s = reinterpret_cast<const U*>(src) + so;
      U* out = reinterpret_cast<U*>(dst) + dof;
      const int64_t r1 = std::min(R, r0 + T);
      for (int64_t c0 = 0; c0 < C; c0 += T) {
        const int64_t c1 = std::min(C, c0 + T);
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t c = c0; c < c1; ++c) out[r * dr + c] = s[r + c * sc];
      }
    }
  });
}

}  // namespace copy_impl

/// Copies `shape`'s elements of `itemsize` bytes from src to dst, each addressed by its
/// own strides in elements (zero and negative strides allowed on the source). Large copies
/// are split over the thread pool.
inline void copy_strided(const void* src, Strides src_strides, void* dst, Strides dst_strides,
                         Shape shape, size_t itemsize) {
  const int64_t n = shape_size(shape);
  if (n == 0) return;
  copy_impl::collapse(shape, src_strides, dst_strides);
  if (copy_impl::is_transpose_2d(shape, src_strides, dst_strides)) {
    copy_impl::with_width(itemsize, [&](auto width) {
      copy_impl::copy_transposed<decltype(width)::value>(static_cast<const char*>(src), src_strides,
                                                         static_cast<char*>(dst), dst_strides, shape);
    });
    return;
  }
  copy_impl::with_width(itemsize, [&](auto width) {
    constexpr size_t W = decltype(width)::value;
    parallel_for(n, int64_t{1} << 16, [&](int64_t b, int64_t e) {
      copy_impl::copy_range<W>(static_cast<const char*>(src), src_strides, static_cast<char*>(dst),
                               dst_strides, shape, b, e);
    });
  });
}

/// copy_strided on the calling thread only (for callers already inside a parallel loop).
inline void copy_strided_serial(const void* src, Strides src_strides, void* dst, Strides dst_strides,
                                Shape shape, size_t itemsize) {
  const int64_t n = shape_size(shape);
  if (n == 0) return;
  copy_impl::collapse(shape, src_strides, dst_strides);
  copy_impl::with_width(itemsize, [&](auto width) {
    constexpr size_t W = decltype(width)::value;
    copy_impl::copy_range<W>(static_cast<const char*>(src), src_strides, static_cast<char*>(dst),
                             dst_strides, shape, 0, n);
  });
}

/// Writes the elements of evaluated `in` (any strides) to `dst` in row-major order.
inline void copy_to_row_major(const array& in, void* dst) {
  if (in.size() == 0) return;
  if (in.flags().row_contiguous && in.data_size() == in.size()) {
    std::memcpy(dst, in.raw_data(), in.nbytes());
    return;
  }
  copy_strided(in.raw_data(), in.strides(), dst, row_major_strides(in.shape()), in.shape(),
               in.itemsize());
}

/// `in` itself when it is row-contiguous with no gaps, else an evaluated row-major copy.
/// `in` must be evaluated.
inline array ensure_row_contiguous(const array& in) {
  if (in.flags().row_contiguous && in.data_size() == in.size()) return in;
  array out(allocator::Buffer{}, in.shape(), in.dtype(), nullptr);  // storage set below
  auto buf = allocator::malloc(in.nbytes());
  copy_to_row_major(in, buf.ptr());
  out.set_data(buf);
  return out;
}

}  // namespace mlx::core::cpu
