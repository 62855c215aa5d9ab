// SPDX-License-Identifier: MIT
// Known differences of the Vulkan backend from the CPU (docs/gpu.md, "Known differences"; the
// eleven found when the gpu.* copies of the op suites first really ran on lavapipe are fixed,
// none is marked now). A test that starts with MLXPP_KNOWN_GPU_DIFFERENCE(why) is reported as
// SKIPPED, with the reason, in its gpu.* run only; the CPU run checks everything. Each use is
// open work for the Vulkan issue; remove it when the backend is fixed.
// MLXPP_IGNORE_KNOWN=1 in the environment runs them anyway (to work on one).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>

#include "mlx/mlx.hpp"

#define MLXPP_KNOWN_GPU_DIFFERENCE(why)                                   \
  if (::mlx::core::default_device() == ::mlx::core::Device::gpu &&      \
      !std::getenv("MLXPP_IGNORE_KNOWN"))                               \
  GTEST_SKIP() << "known GPU difference (docs/gpu.md): " << why
