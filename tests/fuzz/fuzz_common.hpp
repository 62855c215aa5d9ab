// SPDX-License-Identifier: MIT
// What the fuzz targets share: an array's row-major bytes, and a check that aborts (so that
// libFuzzer reports it) when an invariant of a successful call does not hold.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/core/array.hpp"
#include "mlx/transforms/eval.hpp"

namespace mlxfuzz {

/// a's elements as bytes in row-major order (evaluates a; reads every element, so ASan sees
/// any view whose strides leave its buffer).
inline std::string raw(mlx::core::array a) {
  a.eval();
  a = mlx::core::cpu::ensure_row_contiguous(a);
  return std::string(static_cast<const char*>(a.raw_data()), a.nbytes());
}

/// Aborts with `what` unless ok: a broken invariant is a finding like a crash.
inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace mlxfuzz
