// SPDX-License-Identifier: MIT
// eval / async_eval: evaluates the runtime graph in topological order without recursion.
#pragma once

#include <atomic>
#include <utility>
#include <vector>

#include "mlx/core/primitive.hpp"

namespace mlx::core {

namespace detail {

inline std::atomic<uint64_t>& eval_epoch() {
  static std::atomic<uint64_t> e{0};
  return e;
}

// Counters that tests use to prove fusion (one node, no temporaries).
struct EvalCounters {
  std::atomic<uint64_t> nodes_evaluated{0};
  std::atomic<uint64_t> compile_traces{0};  // traces by compiled functions (compile.hpp)
};
inline EvalCounters& eval_counters() {
  static EvalCounters c;
  return c;
}

/// The unevaluated nodes that `outputs` depend on, inputs before users (iterative DFS).
inline std::vector<array> topological_order(const std::vector<array>& outputs) {
  uint64_t mark = ++eval_epoch();
  std::vector<array> order;
  // Each frame: a node and the index of the next input to visit.
  std::vector<std::pair<array, size_t>> stack;
  auto visit = [&](const array& a) {
    if (a.is_available() || !a.has_primitive()) return;
    auto& m = const_cast<array&>(a).visit_mark_ref();
    if (m == mark) return;
    m = mark;
    stack.emplace_back(a, 0);
  };
  for (auto& o : outputs) {
    visit(o);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      auto& ins = node.inputs();
      if (next < ins.size()) {
        const array& in = ins[next++];
        visit(in);  // may reallocate `stack`: do not use node/next after this
        continue;
      }
      order.push_back(std::move(node));
      stack.pop_back();
    }
  }
  return order;
}

/// Non-zero while a transform (vjp, jvp, grad) traces a function: eval() then keeps every
/// node's inputs, because the transform walks the graph afterwards.
inline int& tracing_depth() {
  static thread_local int depth = 0;
  return depth;
}

inline void eval_node(array& node) {
  // Reuse one vector per thread for the outputs (the common node has one output).
  static thread_local std::vector<array> spare;
  std::vector<array> outs = std::move(spare);
  if (node.siblings().empty())
    outs.assign(1, node);
  else
    outs = node.outputs();
  auto& prim = node.primitive();
  if (prim.device().type == Device::gpu && gpu::backend())
    prim.eval_gpu(node.inputs(), outs);
  else
    prim.eval_cpu(node.inputs(), outs);
  eval_counters().nodes_evaluated.fetch_add(1, std::memory_order_relaxed);
  outs.clear();
  spare = std::move(outs);
}

}  // namespace detail

/// Evaluates the arrays and everything they depend on.
inline void eval(std::vector<array> outputs) {
  auto order = detail::topological_order(outputs);
  for (auto& node : order) {
    if (!node.is_available()) {
      detail::eval_node(node);
      // Release the inputs so that dead intermediates free their buffers.
      if (detail::tracing_depth() == 0) node.detach();
    }
    node = array();  // drop the handle now: the buffer lives only as long as a user needs it
  }
  // The GPU starts on what was recorded; results are waited for when the host reads them.
  if (auto* b = gpu::started_backend()) b->flush();
}

template <class... Arrays>
  requires(sizeof...(Arrays) > 0 && (std::is_convertible_v<Arrays, array> && ...))
void eval(Arrays&&... outputs) {
  eval(std::vector<array>{array(std::forward<Arrays>(outputs))...});
}

/// Starts evaluation and returns. CPU work runs on the calling thread, so it is done when
/// this returns; GPU work is submitted and runs on while the caller goes on.
inline void async_eval(std::vector<array> outputs) { eval(std::move(outputs)); }

template <class... Arrays>
  requires(sizeof...(Arrays) > 0 && (std::is_convertible_v<Arrays, array> && ...))
void async_eval(Arrays&&... outputs) {
  eval(std::vector<array>{array(std::forward<Arrays>(outputs))...});
}

/// Waits for all submitted work (CPU work is synchronous; GPU work is waited for).
inline void synchronize() {
  if (auto* b = gpu::started_backend()) b->synchronize();
}
inline void synchronize(Stream s) {
  if (s.device.type == Device::gpu) synchronize();
}

inline void array::eval() {
  if (!is_available()) mlx::core::eval(std::vector<array>{*this});
}

}  // namespace mlx::core
