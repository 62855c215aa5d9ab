// SPDX-License-Identifier: MIT
// The library version: macros for the preprocessor and mlx::core::version() at run time.
// This file is the single source of the version: the top-level CMakeLists.txt reads the
// three MLXPP_VERSION_* numbers below with a regular expression, so keep their layout.
#pragma once

#include <string>

#define MLXPP_VERSION_MAJOR 0
#define MLXPP_VERSION_MINOR 1
#define MLXPP_VERSION_PATCH 0

// "0.1.0", derived from the three numbers so the two can never disagree.
#define MLXPP_VERSION_DETAIL_STR_(x) #x
#define MLXPP_VERSION_DETAIL_STR(x) MLXPP_VERSION_DETAIL_STR_(x)
#define MLXPP_VERSION_STRING                       \
  MLXPP_VERSION_DETAIL_STR(MLXPP_VERSION_MAJOR) "." \
  MLXPP_VERSION_DETAIL_STR(MLXPP_VERSION_MINOR) "." \
  MLXPP_VERSION_DETAIL_STR(MLXPP_VERSION_PATCH)

/// One comparable integer, laid out as in MLX's MLX_VERSION_NUMERIC:
/// 100000 * major + 1000 * minor + patch (0.1.0 -> 1000).
#define MLXPP_VERSION_NUMERIC \
  (100000 * MLXPP_VERSION_MAJOR + 1000 * MLXPP_VERSION_MINOR + MLXPP_VERSION_PATCH)

namespace mlx::core {

/// The library version as "major.minor.patch".
inline std::string version() { return MLXPP_VERSION_STRING; }

}  // namespace mlx::core
