// SPDX-License-Identifier: MIT
// Primitives that create arrays from parameters: Arange (also linspace) and TriPattern
// (eye, tri).
#pragma once

#include <cmath>
#include <optional>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/backend/gpu/copy.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

/// out[i] = start + i * step, computed in double and converted; with `last` set the final
/// element is exactly `last` (linspace).
template <class = void>
class Arange : public UnaryPrimitive {
 public:
  Arange(Stream s, double start, double step, std::optional<double> last = std::nullopt)
      : UnaryPrimitive(s), start_(start), step_(step), last_(last) {}

  void eval_cpu(const std::vector<array>&, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    const int64_t n = static_cast<int64_t>(out.size());
    detail::dispatch_dtype(out.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = out.template data<T>();
      if (std::is_integral_v<T> && !last_) {
        // As MLX and NumPy: the step is the difference of start and start + step after
        // conversion to the dtype (arange(0, 5, 1.5, int32) is [0, 1, 2, 3]).
        T first = detail::convert_element<T>(start_);
        T step = static_cast<T>(detail::convert_element<T>(start_ + step_) - first);
        for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(first + static_cast<T>(i) * step);
      } else {
        for (int64_t i = 0; i < n; ++i) p[i] = detail::convert_element<T>(start_ + i * step_);
      }
      if (last_ && n > 1) p[n - 1] = detail::convert_element<T>(*last_);
    });
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    if (!gpu::arange(start_, step_, last_, outputs[0])) Primitive::eval_gpu(inputs, outputs);
  }
  const char* name() const override { return "Arange"; }

 private:
  double start_, step_;
  std::optional<double> last_;
};

/// Ones where (col - row) == k (eye) or (col - row) <= k (tri), zeros elsewhere.
template <class = void>
class TriPattern : public UnaryPrimitive {
 public:
  enum class Kind { eye, tri };
  TriPattern(Stream s, Kind kind, int k) : UnaryPrimitive(s), kind_(kind), k_(k) {}

  void eval_cpu(const std::vector<array>&, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    const int64_t rows = out.shape(0), cols = out.shape(1);
    detail::dispatch_dtype(out.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = out.template data<T>();
      const T one = detail::convert_element<T>(1), zero = detail::convert_element<T>(0);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          bool on = kind_ == Kind::eye ? c - r == k_ : c - r <= k_;
          p[r * cols + c] = on ? one : zero;
        }
    });
  }
  const char* name() const override { return kind_ == Kind::eye ? "Eye" : "Tri"; }

 private:
  Kind kind_;
  int k_;
};

}  // namespace mlx::core
