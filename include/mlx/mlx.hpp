// SPDX-License-Identifier: MIT
// The umbrella header: everything public in mlx (ours), MLX's C++ API in namespace mlx::core.
#pragma once

#include "mlx/version.hpp"
#include "mlx/core/allocator.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/device.hpp"
#include "mlx/core/dtype.hpp"
#include "mlx/core/shape.hpp"
#include "mlx/transforms/eval.hpp"
#include "mlx/io/print.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/softmax.hpp"
#include "mlx/ops/compare.hpp"
#include "mlx/ops/windows.hpp"
#include "mlx/ops/hadamard.hpp"
#include "mlx/ops/ordering.hpp"
#include "mlx/random/random.hpp"
