// SPDX-License-Identifier: MIT
// Fused<E>: the runtime node an expression becomes when it is converted to `array`.
#pragma once

#include <array>
#include <memory>
#include <stdexcept>

#include "mlx/backend/cpu/elementwise.hpp"
#include "mlx/backend/gpu/elementwise.hpp"
#include "mlx/core/primitive.hpp"
#include "mlx/expr/describe.hpp"
#include "mlx/expr/expr.hpp"
#include "mlx/expr/functors/arithmetic.hpp"

namespace mlx::core {

namespace detail {

/// The fused SIMD loop of E for float compute (float16, bfloat16, float32): the whole tree
/// inlined into one xsimd loop. The last partial group runs on a padded copy, so every
/// element goes through the same vector code (no scalar tail whose rounding could differ).
template <class E>
void simd_chunk_kernel(const void* ep, const float* const* p, int64_t m, float* out, float*) {
  using V = simd::vec_t<float>;
  constexpr int W = simd::width_v<V>;
  constexpr int N = E::slots;
  const E& e = *static_cast<const E*>(ep);
  int64_t j = 0;
  for (; j + W <= m; j += W) simd::store(out + j, e.template eval<float, V, 0>(p, j));
  if (j < m) {
    alignas(64) float pad[N][W];  // padded with 1: no 0/0 in the unused lanes
    const float* pp[N];
    const int64_t rem = m - j;
    for (int s = 0; s < N; ++s) {
      if (!p[s]) {
        pp[s] = nullptr;
        continue;
      }
      for (int k = 0; k < W; ++k) pad[s][k] = k < rem ? p[s][j + k] : 1.0f;
      pp[s] = pad[s];
    }
    alignas(64) float res[W];
    simd::store(res, e.template eval<float, V, 0>(pp, 0));
    for (int64_t k = 0; k < rem; ++k) out[j + k] = res[k];
  }
}

/// The block evaluator of E for the other compute types (one operation at a time over
/// L1-sized blocks; code per functor and type is shared by all expressions).
template <class E, class T>
void block_chunk_kernel(const void* ep, const T* const* p, int64_t m, T* out, T* scratch) {
  const E& e = *static_cast<const E*>(ep);
  const T* r = e.template eval_block<T, 0>(p, m, out, scratch);
  if (r != out) std::copy(r, r + m, out);
}

/// E's chunk kernel for compute type T (the fused SIMD loop for float, blocks otherwise).
template <class E, class T>
cpu::ChunkKernel<T> chunk_kernel(const E& e) {
  cpu::ChunkKernel<T> k{nullptr, &e, E::slots, E::temps};
  k.truth = e.compute_dtype() == bool_;
  e.collect_truth_slots(k.truth_slots, 0);
  // A plain array read as its own type lets reductions read it in place.
  if constexpr (std::is_same_v<typename E::functor, functors::Cast> && E::depth == 1 && E::slots == 1)
    k.identity = cpu::stored_as<T>(e.dtype());
  if constexpr (std::is_same_v<T, float>)
    k.fn = &simd_chunk_kernel<E>;
  else
    k.fn = &block_chunk_kernel<E, T>;
  return k;
}

/// Whether E may compute in T (so that its loops are instantiated for T at all).
template <class E, class T>
inline constexpr bool computes_in_v = E::functor::template supports<T> &&
                                      (E::dtype_sets.compute & dtypes_computed_as<T>()) != 0;

/// A node computing `Prim` from expression `e`: the tree's arrays become the node's
/// inputs (slot order) and the node's copy of the tree keeps no handles of its own.
template <class Prim, class E, class... Args>
array expression_node(const E& e, Shape shape, Dtype dtype, Args&&... args) {
  E tree = e;
  std::array<array, E::slots> slots;
  tree.take_inputs(slots.data(), 0);
  auto prim = std::make_shared<Prim>(e.stream(), std::move(tree), std::forward<Args>(args)...);
  std::vector<array> inputs;
  inputs.reserve(E::slots);
  for (int s = 0; s < E::slots; ++s) {
    if (slots[s].is_empty_handle()) {
      prim->slot_input()[s] = -1;
    } else {
      prim->slot_input()[s] = static_cast<int>(inputs.size());
      inputs.push_back(std::move(slots[s]));
    }
  }
  return array(std::move(shape), dtype, std::move(prim), std::move(inputs));
}

}  // namespace detail

template <class E>
class Fused : public detail::ExpressionPrimitive {
 public:
  Fused(Stream stream, E expr) : ExpressionPrimitive(stream), expr_(std::move(expr)) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    detail::dispatch_compute(expr_.compute_dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      // Instantiate the loop only for compute types this expression can have.
      if constexpr (detail::computes_in_v<E, T>) {
        cpu::run_elementwise<T>(detail::chunk_kernel<E, T>(expr_), slot_input_.data(), inputs, out);
      } else {
        throw std::logic_error("[Fused] compute dtype outside the expression's static set.");
      }
    });
  }

  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    if (!gpu::eval_expression_gpu(*this, inputs, outputs[0])) Primitive::eval_gpu(inputs, outputs);
  }

  const char* name() const override { return "Fused"; }
  bool describe(detail::ProgramDesc& p) const override {
    int n = 0;
    for (int s : slot_input_) n = std::max(n, s + 1);
    return detail::describe_into(expr_, slot_input_.data(), n, p);
  }
  void print(std::ostream& os) override {
    os << "Fused ";
    expr_.print(os);
  }

  const E& expression() const { return expr_; }
  /// slot_input()[s]: index in the node's inputs of input slot s, or -1.
  std::array<int, E::slots>& slot_input() { return slot_input_; }

 private:
  E expr_;
  std::array<int, E::slots> slot_input_{};
};

template <expression E>
array::array(const E& e) {
  if (e.is_materialized())
    desc_ = e.materialized().desc_;
  else
    desc_ = detail::expression_node<Fused<E>>(e, e.shape(), e.dtype()).desc_;
}

template <class F, class... Ops>
void Expr<F, Ops...>::materialize() {
  if (is_materialized_) return;
  materialized_ = array(*this);
  is_materialized_ = true;
  drop_leaves();
}

}  // namespace mlx::core
