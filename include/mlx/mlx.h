// SPDX-License-Identifier: MIT
// Apple MLX's umbrella header name: a program written against MLX's C++ API
// (`#include <mlx/mlx.h>`, namespace mlx::core) compiles here after changing only its include
// path and link line. Where behaviour differs from MLX: docs/differences.md.
#pragma once

#include "mlx/mlx.hpp"
