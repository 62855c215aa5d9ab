// SPDX-License-Identifier: MIT
// Parameter initialisers (MLX's mlx.nn.init). As in MLX, each function returns an
// initializer: a callable taking an array and returning a new array of the same shape (the
// argument is only read for its shape). MLX's initializers take extra call arguments
// (gain, mode); in C++ they are arguments of the factory instead, so every initializer
// has the one type `Initializer`:
//
//   auto init = nn::init::he_uniform(mx::float32, "fan_in", /*gain=*/1.0f);
//   layer.update({{"weight", init(layer.parameter("weight"))}});
//
// Random initialisers draw from mlx::core::random's global key (or `key` when given).
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <string>

#include "mlx/linalg/linalg.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/ops/sort.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn::init {

using mlx::core::array;
using mlx::core::Dtype;

/// array -> array of the same shape.
using Initializer = std::function<array(const array&)>;

namespace detail {
/// (fan_in, fan_out) as MLX computes them: the last and first dimension, each times the
/// product of the dimensions in between (the receptive field of a convolution weight).
/// \throws std::invalid_argument for fewer than 2 dimensions.
inline std::pair<double, double> fans(const array& a, const char* who) {
  if (a.ndim() < 2)
    core::detail::fail(std::string("init.") + who,
                       "Glorot / He initialization requires at least 2 dimensional input but input with ",
                       a.ndim(), " dimensions.");
  double fan_in = a.shape(-1), fan_out = a.shape(0), field = 1;
  for (size_t i = 1; i + 1 < a.ndim(); ++i) field *= a.shape(static_cast<int>(i));
  return {fan_in * field, fan_out * field};
}
inline void check_2d(const array& a, const char* who) {
  if (a.ndim() != 2)
    core::detail::fail(std::string("init.") + who, "Only 2-D arrays are supported, got shape ", a.shape(), ".");
}
}  // namespace detail

/// Every element `value`.
template <class = void>
Initializer constant(float value, Dtype dtype = core::float32) {
  return [=](const array& a) { return core::full(a.shape(), value, dtype); };
}

/// Samples of N(mean, std^2).
template <class = void>
Initializer normal(float mean = 0.0f, float std = 1.0f, Dtype dtype = core::float32,
                   std::optional<array> key = std::nullopt) {
  return [=](const array& a) { return core::random::normal(a.shape(), dtype, mean, std, key); };
}

/// Samples of U(low, high).
template <class = void>
Initializer uniform(float low = 0.0f, float high = 1.0f, Dtype dtype = core::float32,
                    std::optional<array> key = std::nullopt) {
  return [=](const array& a) { return core::random::uniform(low, high, a.shape(), dtype, key); };
}

/// The identity matrix. \throws std::invalid_argument for a non-square or non-2-D array.
template <class = void>
Initializer identity(Dtype dtype = core::float32) {
  return [=](const array& a) {
    if (a.ndim() != 2 || a.shape(0) != a.shape(1))
      core::detail::fail("init.identity", "The input array must be a square matrix but got shape ", a.shape(), ".");
    return core::eye(a.shape(0), dtype);
  };
}

/// N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
template <class = void>
Initializer glorot_normal(Dtype dtype = core::float32, float gain = 1.0f, std::optional<array> key = std::nullopt) {
  return [=](const array& a) {
    auto [fi, fo] = detail::fans(a, "glorot_normal");
    const float sd = gain * static_cast<float>(std::sqrt(2.0 / (fi + fo)));
    return core::random::normal(a.shape(), dtype, 0.0f, sd, key);
  };
}

/// U(-limit, limit) with limit = gain * sqrt(6 / (fan_in + fan_out)).
template <class = void>
Initializer glorot_uniform(Dtype dtype = core::float32, float gain = 1.0f, std::optional<array> key = std::nullopt) {
  return [=](const array& a) {
    auto [fi, fo] = detail::fans(a, "glorot_uniform");
    const float lim = gain * static_cast<float>(std::sqrt(6.0 / (fi + fo)));
    return core::random::uniform(-lim, lim, a.shape(), dtype, key);
  };
}

namespace detail {
inline double he_fan(const array& a, const std::string& mode, const char* who) {
  auto [fi, fo] = fans(a, who);
  if (mode == "fan_in") return fi;
  if (mode == "fan_out") return fo;
  core::detail::fail(std::string("init.") + who, "Invalid mode: ", mode, ". Valid modes are: fan_in, fan_out.");
}
}  // namespace detail

/// N(0, std^2) with std = gain / sqrt(fan), fan = fan_in or fan_out (mode).
template <class = void>
Initializer he_normal(Dtype dtype = core::float32, const std::string& mode = "fan_in", float gain = 1.0f,
                      std::optional<array> key = std::nullopt) {
  if (mode != "fan_in" && mode != "fan_out")
    core::detail::fail("init.he_normal", "Invalid mode: ", mode, ". Valid modes are: fan_in, fan_out.");
  return [=](const array& a) {
    const float sd = gain / static_cast<float>(std::sqrt(detail::he_fan(a, mode, "he_normal")));
    return core::random::normal(a.shape(), dtype, 0.0f, sd, key);
  };
}

/// U(-limit, limit) with limit = gain * sqrt(3 / fan).
template <class = void>
Initializer he_uniform(Dtype dtype = core::float32, const std::string& mode = "fan_in", float gain = 1.0f,
                       std::optional<array> key = std::nullopt) {
  if (mode != "fan_in" && mode != "fan_out")
    core::detail::fail("init.he_uniform", "Invalid mode: ", mode, ". Valid modes are: fan_in, fan_out.");
  return [=](const array& a) {
    const float lim = gain * static_cast<float>(std::sqrt(3.0 / detail::he_fan(a, mode, "he_uniform")));
    return core::random::uniform(-lim, lim, a.shape(), dtype, key);
  };
}

/// A (semi-)orthogonal matrix times gain: Q of the QR of an n x n normal matrix
/// (n = max(rows, cols)), with column signs fixed by diag(R), cut to rows x cols.
/// Rows (or columns, whichever are fewer) are orthonormal.
template <class = void>
Initializer orthogonal(float gain = 1.0f, Dtype dtype = core::float32, std::optional<array> key = std::nullopt) {
  return [=](const array& a) {
    detail::check_2d(a, "orthogonal");
    const int rows = a.shape(0), cols = a.shape(1), n = std::max(rows, cols);
    array m = core::random::normal({n, n}, core::float32, key);
    auto [q, r] = core::linalg::qr(m);
    array signed_q = q * core::sign(core::diagonal(r));
    array cut = core::slice(signed_q, {0, 0}, {rows, cols});
    return array(core::astype(cut * core::array(gain), dtype));
  };
}

/// N(mean, std^2) with ceil(sparsity * cols) elements of each row set to zero (chosen at
/// random per row, as MLX's sparse initializer does).
/// \throws std::invalid_argument for a non-2-D array or sparsity outside [0, 1].
template <class = void>
Initializer sparse(float sparsity, float mean = 0.0f, float std = 1.0f, Dtype dtype = core::float32,
                   std::optional<array> key = std::nullopt) {
  if (!(sparsity >= 0 && sparsity <= 1))
    core::detail::fail("init.sparse", "sparsity must be in [0, 1], got ", sparsity, ".");
  return [=](const array& a) {
    detail::check_2d(a, "sparse");
    const int rows = a.shape(0), cols = a.shape(1);
    const int num_zeros = static_cast<int>(std::ceil(sparsity * cols));
    std::optional<array> k1 = key, k2 = key;
    if (key) {
      auto ks = core::random::split(*key);
      k1 = ks.first;
      k2 = ks.second;
    }
    array order = core::argsort(core::random::uniform({rows, cols}, core::float32, k1), 1);
    array w = core::random::normal({rows, cols}, core::float32, mean, std, k2);
    if (num_zeros > 0) {
      array idx = core::slice(order, {0, 0}, {rows, num_zeros});
      w = core::put_along_axis(w, idx, core::zeros({rows, num_zeros}), 1);
    }
    return array(core::astype(w, dtype));
  };
}

}  // namespace mlx::nn::init
