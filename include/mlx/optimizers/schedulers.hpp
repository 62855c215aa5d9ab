// SPDX-License-Identifier: MIT
// Learning-rate schedules (MLX's mlx.optimizers schedules). A schedule maps the optimizer's
// step count (0 on the first update, as in MLX) to a learning rate. MLX evaluates its
// schedules as array expressions because its step is an array; here the step is a host
// integer, so the value is computed in double on the host and returned as a 0-d float32
// array — nothing is added to the graph and no kernel is instantiated.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "mlx/core/array.hpp"
#include "mlx/core/errors.hpp"

namespace mlx::optimizers {

using mlx::core::array;

/// step -> learning rate (a 0-d array).
using Schedule = std::function<array(int)>;

/// init * decay_rate^step.
inline Schedule exponential_decay(float init, float decay_rate) {
  return [=](int step) { return array(static_cast<float>(init * std::pow(double(decay_rate), step))); };
}

/// init * decay_rate^(step / step_size) with integer division.
/// \throws std::invalid_argument for step_size <= 0.
inline Schedule step_decay(float init, float decay_rate, int step_size) {
  if (step_size <= 0) core::detail::fail("optimizers.step_decay", "step_size must be positive, got ", step_size, ".");
  return [=](int step) {
    return array(static_cast<float>(init * std::pow(double(decay_rate), step / step_size)));
  };
}

/// end + (init - end) * 0.5 (1 + cos(pi * min(step, decay_steps) / decay_steps)).
inline Schedule cosine_decay(float init, int decay_steps, float end = 0.0f) {
  if (decay_steps <= 0)
    core::detail::fail("optimizers.cosine_decay", "decay_steps must be positive, got ", decay_steps, ".");
  return [=](int step) {
    const double s = std::min(step, decay_steps);
    const double decay = 0.5 * (1.0 + std::cos(std::numbers::pi / decay_steps * s));
    return array(static_cast<float>(end + decay * (double(init) - end)));
  };
}

/// init + (end - init) * min(step, steps) / steps.
/// \throws std::invalid_argument for steps < 1.
inline Schedule linear_schedule(float init, float end, int steps) {
  if (steps < 1) core::detail::fail("optimizers.linear_schedule", "steps must be greater than 0, but got ", steps, ".");
  return [=](int step) {
    const double s = std::min(step, steps);
    return array(static_cast<float>(s * ((double(end) - init) / steps) + init));
  };
}

/// schedules[0] before boundaries[0], then schedules[i + 1](step - boundaries[i]) from
/// boundaries[i] on (each later schedule restarts its own count at its boundary).
/// \throws std::invalid_argument unless there is one more schedule than boundaries.
inline Schedule join_schedules(std::vector<Schedule> schedules, std::vector<int> boundaries) {
  if (schedules.size() != boundaries.size() + 1)
    core::detail::fail("optimizers.join_schedules", "Received ", boundaries.size(),
                       " boundaries but expected ", schedules.size() - 1, ".");
  return [schedules = std::move(schedules), boundaries = std::move(boundaries)](int step) {
    size_t i = 0;
    int offset = 0;
    while (i < boundaries.size() && step >= boundaries[i]) {
      offset = boundaries[i];
      ++i;
    }
    return schedules[i](step - offset);
  };
}

}  // namespace mlx::optimizers
