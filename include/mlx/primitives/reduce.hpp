// SPDX-License-Identifier: MIT
// Reduction primitives. Their input is an expression (a plain array is read through an
// identity expression), so reducing `a * b` reads a and b once and needs no temporary.
#pragma once

#include <algorithm>
#include <array>
#include <vector>

#include "mlx/backend/cpu/reduce.hpp"
#include "mlx/backend/gpu/reduce.hpp"
#include "mlx/expr/fused.hpp"

namespace mlx::core {

namespace detail {
inline const char* reduce_name(cpu::ReduceType r) {
  switch (r) {
    case cpu::ReduceType::Sum: return "sum";
    case cpu::ReduceType::Prod: return "prod";
    case cpu::ReduceType::Max: return "max";
    case cpu::ReduceType::Min: return "min";
    case cpu::ReduceType::And: return "all";
    case cpu::ReduceType::Or: return "any";
  }
  return "reduce";
}

template <cpu::ReduceType R, class T>
inline constexpr bool reduce_supports_v =
    !(std::is_same_v<T, complex64_t> && (R == cpu::ReduceType::Max || R == cpu::ReduceType::Min));
}  // namespace detail

/// Reduces expression E over `axes` (sorted, in E's shape) with operation R. R is a
/// template parameter so that a translation unit instantiates only the reductions it uses.
namespace detail {
/// What the transforms need to know of a reduction: its operation, axes and expression.
class ReducePrimitive : public ExpressionPrimitive {
 public:
  using ExpressionPrimitive::ExpressionPrimitive;
  virtual cpu::ReduceType reduce_type() const = 0;
  /// The reduced axes (sorted) of the expression's shape.
  virtual const std::vector<int>& axes() const = 0;
};
}  // namespace detail

template <class E, cpu::ReduceType R>
class Reduce : public detail::ReducePrimitive {
 public:
  Reduce(Stream s, E expr, std::vector<int> axes)
      : ReducePrimitive(s), expr_(std::move(expr)), axes_(std::move(axes)) {}

  cpu::ReduceType reduce_type() const override { return R; }
  const std::vector<int>& axes() const override { return axes_; }
  bool describe(detail::ProgramDesc& p) const override {
    int n = 0;
    for (int s : slot_input_) n = std::max(n, s + 1);
    return detail::describe_into(expr_, slot_input_.data(), n, p);
  }

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    detail::dispatch_compute(expr_.compute_dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (detail::computes_in_v<E, T>) {
        auto k = detail::chunk_kernel<E, T>(expr_);
        cpu::ElementwiseSource<T> src(k, slot_input_.data(), inputs, expr_.shape());
        run<T>(src, out);
      } else {
        throw std::logic_error("[Reduce] compute dtype outside the expression's static set.");
      }
    });
  }

  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    detail::ProgramDesc p;
    if (!describe(p) || !gpu::run_reduce(p, axes_, R, inputs, outputs[0]))
      Primitive::eval_gpu(inputs, outputs);
  }

  const char* name() const override { return "Reduce"; }
  void print(std::ostream& os) override {
    os << "Reduce(" << detail::reduce_name(R) << ", ";
    expr_.print(os);
    os << ")";
  }
  std::array<int, E::slots>& slot_input() { return slot_input_; }

 private:
  template <class T>
  void run(const cpu::ElementwiseSource<T>& src, array& out) {
    if constexpr (detail::reduce_supports_v<R, T>) {
      if (cpu::stored_as<T>(out.dtype())) {
        cpu::reduce_into<R, T>(src, expr_.shape(), axes_, out.template data<T>());
      } else {
        std::vector<T> tmp(out.size());
        cpu::reduce_into<R, T>(src, expr_.shape(), axes_, tmp.data());
        cpu::store_convert(tmp.data(), out.raw_data(), out.dtype(), static_cast<int64_t>(tmp.size()));
      }
    } else {
      detail::fail(detail::reduce_name(R), "Not supported for dtype ", out.dtype(), ".");
    }
  }

  E expr_;
  std::vector<int> axes_;
  std::array<int, E::slots> slot_input_{};
};

/// argmax / argmin of expression E along one axis (uint32 indices).
template <class E>
class ArgReduce : public UnaryPrimitive {
 public:
  ArgReduce(Stream s, E expr, bool is_max, int axis)
      : UnaryPrimitive(s), expr_(std::move(expr)), is_max_(is_max), axis_(axis) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    const auto& shape = expr_.shape();
    // View the input as [K0, R, K1] around the axis (axis -1: the flattened array).
    int64_t K0 = 1, K1 = 1, Rn = shape_size(shape);
    if (axis_ >= 0) {
      for (int d = 0; d < axis_; ++d) K0 *= shape[d];
      for (int d = axis_ + 1; d < static_cast<int>(shape.size()); ++d) K1 *= shape[d];
      Rn = shape[axis_];
    }
    detail::dispatch_compute(expr_.compute_dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (detail::computes_in_v<E, T> && !std::is_same_v<T, complex64_t>) {
        auto k = detail::chunk_kernel<E, T>(expr_);
        cpu::ElementwiseSource<T> src(k, slot_input_.data(), inputs, shape);
        cpu::arg_reduce_into<T>(src, K0, Rn, K1, is_max_, out.template data<uint32_t>());
      } else {
        detail::fail(is_max_ ? "argmax" : "argmin", "Not supported for dtype ",
                     expr_.compute_dtype(), ".");
      }
    });
  }

  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    // The expression becomes the kernel's load, as for Reduce (the program's slots map to
    // this node's inputs through slot_input_).
    detail::ProgramDesc p;
    int n = 0;
    for (int s : slot_input_) n = std::max(n, s + 1);
    if (!detail::describe_into(expr_, slot_input_.data(), n, p) ||
        !gpu::run_arg_reduce(p, axis_, is_max_, inputs, outputs[0]))
      Primitive::eval_gpu(inputs, outputs);
  }

  const char* name() const override { return is_max_ ? "ArgMax" : "ArgMin"; }
  std::array<int, E::slots>& slot_input() { return slot_input_; }

 private:
  E expr_;
  bool is_max_;
  int axis_;
  std::array<int, E::slots> slot_input_{};
};

}  // namespace mlx::core
