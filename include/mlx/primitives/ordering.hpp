// SPDX-License-Identifier: MIT
// SearchSorted: binary search of each value in a sorted 1-d array (NumPy's searchsorted).
#pragma once

#include <algorithm>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

/// out[i] = the insertion point of values[i] in the sorted first input (left or right of
/// equal elements); both inputs share one dtype. NaNs sort last, as in sort().
template <class = void>
class SearchSorted : public UnaryPrimitive {
 public:
  SearchSorted(Stream s, bool right) : UnaryPrimitive(s), right_(right) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array a = cpu::ensure_row_contiguous(inputs[0]);
    array v = cpu::ensure_row_contiguous(inputs[1]);
    out.set_data(allocator::malloc(out.nbytes()));
    uint32_t* o = out.data<uint32_t>();
    detail::dispatch_dtype(a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (detail::is_complex_v<T>) {
        detail::fail("searchsorted", "Not supported for dtype complex64.");
      } else {
        const T* ap = static_cast<const T*>(a.raw_data());
        const T* vp = static_cast<const T*>(v.raw_data());
        const int64_t n = static_cast<int64_t>(a.size());
        auto less = [](const T& x, const T& y) {  // NaN is greater than everything
          if constexpr (std::is_floating_point_v<T>) {
            if (y != y) return x == x;
            return x < y;
          } else if constexpr (detail::is_half_v<T>) {  // exact in float
            const float fx = static_cast<float>(x), fy = static_cast<float>(y);
            if (fy != fy) return fx == fx;
            return fx < fy;
          } else {
            return x < y;
          }
        };
        cpu::parallel_for(static_cast<int64_t>(v.size()), 4096, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            const T* p = right_ ? std::upper_bound(ap, ap + n, vp[i], less)
                                : std::lower_bound(ap, ap + n, vp[i], less);
            o[i] = static_cast<uint32_t>(p - ap);
          }
        });
      }
    });
  }
  const char* name() const override { return "SearchSorted"; }

 private:
  bool right_;
};

}  // namespace mlx::core
