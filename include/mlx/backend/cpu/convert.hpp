// SPDX-License-Identifier: MIT
// Converting gathers and stores between an array's dtype and a loop's compute type.
#pragma once

#include <cstdint>
#include <cstring>

#include "mlx/core/array.hpp"
#include "mlx/core/half.hpp"

namespace mlx::core::cpu {

/// Reads m elements of dtype `dt` from `src` (stride in elements) into dst as T. With
/// `truth`, each element is read as bool first (0.5 is true), for bool compute in int64.
template <class T>
void gather_convert(const void* src, Dtype dt, int64_t stride, T* dst, int64_t m,
                    bool truth = false) {
  core::detail::dispatch_dtype(dt, [&](auto tag) {
    using S = typename decltype(tag)::type;
    const S* s = static_cast<const S*>(src);
    if (truth) {
      for (int64_t i = 0; i < m; ++i)
        dst[i] = core::detail::convert_element<T>(core::detail::convert_element<bool>(s[i * stride]));
      return;
    }
    if constexpr (std::is_same_v<S, T>) {
      if (stride == 1) {
        std::memcpy(dst, s, m * sizeof(T));
        return;
      }
    }
    if constexpr (std::is_same_v<T, float> && std::is_same_v<S, float16_t>) {
      if (stride == 1) return core::detail::f16_to_f32(s, dst, m);
    }
    if constexpr (std::is_same_v<T, float> && std::is_same_v<S, bfloat16_t>) {
      if (stride == 1) return core::detail::bf16_to_f32(s, dst, m);
    }
    if (stride == 0) {
      T v = core::detail::convert_element<T>(s[0]);
      for (int64_t i = 0; i < m; ++i) dst[i] = v;
    } else {
      for (int64_t i = 0; i < m; ++i) dst[i] = core::detail::convert_element<T>(s[i * stride]);
    }
  });
}

/// Writes m elements of T into a contiguous buffer of dtype `dt`.
template <class T>
void store_convert(const T* src, void* dst, Dtype dt, int64_t m) {
  core::detail::dispatch_dtype(dt, [&](auto tag) {
    using D = typename decltype(tag)::type;
    D* d = static_cast<D*>(dst);
    if constexpr (std::is_same_v<D, T>) {
      std::memcpy(d, src, m * sizeof(T));
    } else if constexpr (std::is_same_v<T, float> && std::is_same_v<D, float16_t>) {
      core::detail::f32_to_f16(src, d, m);
    } else if constexpr (std::is_same_v<T, float> && std::is_same_v<D, bfloat16_t>) {
      core::detail::f32_to_bf16(src, d, m);
    } else {
      for (int64_t i = 0; i < m; ++i) d[i] = core::detail::convert_element<D>(src[i]);
    }
  });
}

/// The C++ element type a dtype is stored as equals T.
template <class T>
bool stored_as(Dtype dt) {
  return core::detail::dispatch_dtype(dt, [](auto tag) { return std::is_same_v<typename decltype(tag)::type, T>; });
}

}  // namespace mlx::core::cpu
