// SPDX-License-Identifier: MIT
// Window functions (NumPy's definitions, float32): hanning, hamming, bartlett, blackman.
#pragma once

#include <cmath>
#include <numbers>
#include <vector>

#include "mlx/core/array.hpp"

namespace mlx::core {

namespace detail {
template <class F>
array make_window(std::string_view op, int M, F f) {
  if (M < 0) fail(op, "The window length must be non-negative. Got ", M, ".");
  std::vector<float> w(static_cast<size_t>(M));
  for (int n = 0; n < M; ++n) w[n] = M == 1 ? 1.0f : static_cast<float>(f(static_cast<double>(n), M - 1.0));
  return array(w.begin(), Shape{M}, float32);
}
}  // namespace detail

/// 0.5 - 0.5 cos(2πn / (M-1)).
template <class = void>
inline array hanning(int M, StreamOrDevice = {}) {
  return detail::make_window("hanning", M, [](double n, double d) {
    return 0.5 - 0.5 * std::cos(2 * std::numbers::pi * n / d);
  });
}
/// 0.54 - 0.46 cos(2πn / (M-1)).
template <class = void>
inline array hamming(int M, StreamOrDevice = {}) {
  return detail::make_window("hamming", M, [](double n, double d) {
    return 0.54 - 0.46 * std::cos(2 * std::numbers::pi * n / d);
  });
}
/// The triangle 1 - |2n / (M-1) - 1|.
template <class = void>
inline array bartlett(int M, StreamOrDevice = {}) {
  return detail::make_window("bartlett", M, [](double n, double d) {
    return n <= d / 2 ? 2 * n / d : 2 - 2 * n / d;
  });
}
/// 0.42 - 0.5 cos(2πn / (M-1)) + 0.08 cos(4πn / (M-1)).
template <class = void>
inline array blackman(int M, StreamOrDevice = {}) {
  return detail::make_window("blackman", M, [](double n, double d) {
    const double x = 2 * std::numbers::pi * n / d;
    return 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x);
  });
}

}  // namespace mlx::core
