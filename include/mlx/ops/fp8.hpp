// SPDX-License-Identifier: MIT
// float8 E4M3 conversions (MLX's to_fp8 / from_fp8 of ops.h): MLX has no fp8 dtype, so
// the codes travel as uint8. Lazy nodes; the CPU kernels are in backend/cpu/fp8.hpp.
#pragma once

#include <memory>

#include "mlx/core/device.hpp"
#include "mlx/primitives/fp8.hpp"

namespace mlx::core {

/// The E4M3 codes (uint8, x's shape) of floating x: round to nearest even, the sign kept
/// (also of zero), magnitudes >= 448 saturated to +-448 (codes 0x7E / 0xFE). As in MLX's CPU
/// and Metal kernels, NaN and infinity saturate too: no NaN code is produced.
/// \throws std::invalid_argument for a non-floating x.
template <class = void>
inline array to_fp8(array x, StreamOrDevice s = {}) {
  if (!issubdtype(x.dtype(), floating))
    detail::fail("to_fp8", "Only floating point inputs are supported but got ", x.dtype(), ".");
  Shape shape = x.shape();
  return array(std::move(shape), uint8, std::make_shared<ConvertFP8<>>(to_stream(s), true),
               {std::move(x)});
}

/// The values of the E4M3 codes in x (uint8) as `dtype` (a floating dtype; every value is
/// exact in each). As in MLX's CPU and Metal kernels, the NaN codes 0x7F / 0xFF read as
/// +-480.
/// \throws std::invalid_argument when x is not uint8 or dtype is not floating.
template <class = void>
inline array from_fp8(array x, Dtype dtype, StreamOrDevice s = {}) {
  if (x.dtype() != uint8)
    detail::fail("from_fp8", "Input must be uint8 (E4M3 codes) but got ", x.dtype(), ".");
  if (!issubdtype(dtype, floating))
    detail::fail("from_fp8", "Only floating point output types are supported but got ", dtype,
                 ".");
  Shape shape = x.shape();
  return array(std::move(shape), dtype, std::make_shared<ConvertFP8<>>(to_stream(s), false),
               {std::move(x)});
}

}  // namespace mlx::core
