// SPDX-License-Identifier: MIT
// compile (MLX's compile.h): traces a function once per input shapes and dtypes, fuses its
// chains of elementwise nodes into single runtime-fused kernels, and replays the traced
// graph on later calls. Work that does not depend on the inputs (constants) is computed on
// the first call and reused. No compiler runs at run time: the fused kernels are
// FusedPrograms (transforms/program.hpp), the interpreter the derivatives use too.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mlx/transforms/autodiff.hpp"

namespace mlx::core {

namespace detail {

inline std::atomic<bool>& compile_enabled() {
  static std::atomic<bool> on{true};
  return on;
}


/// One traced graph: its placeholders, outputs and nodes (inputs before users).
struct CompiledGraph {
  std::vector<array> placeholders;
  std::vector<array> outputs;
  std::vector<array> tape;
};

/// Whether `node` is an elementwise node that fusion may merge (not a reduction).
inline bool fusable(const array& node) {
  if (!node.has_primitive() || !node.siblings().empty()) return false;
  auto* e = dynamic_cast<ExpressionPrimitive*>(&node.primitive());
  if (!e || dynamic_cast<ReducePrimitive*>(e)) return false;
  // The merged program computes in one type: float32 nodes (float compute) or float64.
  return node.dtype() == float32 || node.dtype() == float64;
}

/// Replaces input `k` of program `c` by program `p` (over `p_inputs` of the producer),
/// giving a program over `c`'s inputs followed by the producer's (input k is no longer read).
inline ProgramDesc splice(const ProgramDesc& c, int k, const ProgramDesc& p, int c_num_inputs) {
  ProgramDesc out;
  out.compute = c.compute;
  out.shape = c.shape;
  out.num_inputs = c_num_inputs + p.num_inputs;
  // The producer's code first (its inputs shifted after the consumer's).
  for (const auto& ins : p.code) {
    ProgramInstr i = ins;
    if (i.op == ProgramInstr::input) i.args[0] += c_num_inputs;
    out.code.push_back(i);
  }
  const int p_result = static_cast<int>(p.code.size()) - 1;
  std::vector<int> renum(c.code.size());
  for (size_t j = 0; j < c.code.size(); ++j) {
    ProgramInstr i = c.code[j];
    if (i.op == ProgramInstr::input && i.args[0] == k) {
      renum[j] = p_result;  // reading the producer: its result instruction
      continue;
    }
    if (i.op >= 0)
      for (int& a : i.args)
        if (a >= 0) a = renum[a];
    renum[j] = static_cast<int>(out.code.size());
    out.code.push_back(i);
  }
  // The result must be the last instruction.
  if (renum.back() != static_cast<int>(out.code.size()) - 1) {
    ProgramInstr id;
    id.op = functors::functor_id_v<functors::Cast>;
    id.args[0] = renum.back();
    out.code.push_back(id);
  }
  return out;
}

/// Merges every fusable node into its single fusable user, front to back.
template <class = void>
void fuse_elementwise(CompiledGraph& g) {
  IdSet outputs;
  for (const auto& o : g.outputs) outputs.insert(o.id());
  // Uses of each node (by the current node: a rebuilt node inherits its original's count).
  std::unordered_map<std::uintptr_t, int> uses;
  for (const auto& n : g.tape)
    for (const auto& in : n.inputs()) ++uses[in.id()];
  std::unordered_map<std::uintptr_t, array> replaced;  // old node -> its rebuilt or fused node
  std::vector<array> tape;
  auto current = [&](const array& a) {
    auto it = replaced.find(a.id());
    return it == replaced.end() ? a : it->second;
  };
  auto replace = [&](const array& old, const array& now) {
    replaced.emplace(old.id(), now);
    uses[now.id()] = uses[old.id()];
    tape.push_back(now);
  };
  // node itself, or rebuilt on `ins` where an input was replaced (all its outputs at once).
  auto keep = [&](const array& node, std::vector<array> ins) {
    bool changed = false;
    for (size_t k = 0; k < ins.size(); ++k) changed = changed || ins[k].id() != node.inputs()[k].id();
    if (!changed) {
      tape.push_back(node);
      return;
    }
    auto outs = node.outputs();
    auto fresh = rebuild_node(node, std::move(ins));
    for (size_t k = 0; k < outs.size(); ++k) replace(outs[k], fresh[k]);
  };
  for (const auto& node : g.tape) {
    if (replaced.count(node.id())) continue;  // a sibling rebuilt with its position-0 output
    std::vector<array> ins;
    for (const auto& in : node.inputs()) ins.push_back(current(in));
    ProgramDesc p;
    if (!fusable(node) || !static_cast<ExpressionPrimitive&>(node.primitive()).describe(p)) {
      keep(node, std::move(ins));
      continue;
    }
    bool merged = false;
    // (ins grows as producers merge: their inputs are candidates too.)
    for (int k = 0; k < static_cast<int>(ins.size()); ++k) {
      const array& in = ins[k];
      // A producer used once, not an output, fusable, computing in the same type.
      if (in.is_empty_handle() || !in.has_primitive() || in.is_available() ||
          outputs.count(in.id()) || uses[in.id()] != 1 || !fusable(in))
        continue;
      ProgramDesc q;
      if (!static_cast<ExpressionPrimitive&>(in.primitive()).describe(q) || q.compute != p.compute)
        continue;
      p = splice(p, k, q, static_cast<int>(ins.size()));
      std::vector<array> more = in.inputs();
      ins[k] = array();  // no longer read
      ins.insert(ins.end(), more.begin(), more.end());
      merged = true;
    }
    if (!merged) {
      keep(node, std::move(ins));
      continue;
    }
    // Drop the inputs no instruction reads any more, renumbering the rest.
    std::vector<int> used;
    ProgramDesc pruned = sym::prune(p, p.result(), used);
    std::vector<array> kept;
    for (int u : used) kept.push_back(ins[u]);
    auto prim = std::make_shared<FusedProgram<>>(node.primitive().stream(),
                                                 std::make_shared<const ProgramDesc>(pruned));
    replace(node, array(node.shape(), node.dtype(), std::move(prim), std::move(kept)));
  }
  for (auto& o : g.outputs) o = current(o);
  // The merged producers are no longer reached from the outputs: keep what still is.
  IdSet live;
  for (const auto& n : trace_order(g.outputs, {})) live.insert(n.id());
  std::vector<array> kept;
  for (auto& n : tape)
    if (live.count(n.id())) kept.push_back(std::move(n));
  g.tape = std::move(kept);
}

/// The traced graph's outputs recomputed from new inputs (same shapes and dtypes).
template <class = void>
std::vector<array> replay(const CompiledGraph& g, const std::vector<array>& inputs) {
  std::unordered_map<std::uintptr_t, array> map;
  for (size_t i = 0; i < g.placeholders.size(); ++i) map.emplace(g.placeholders[i].id(), inputs[i]);
  auto get = [&](const array& a) {
    auto it = map.find(a.id());
    return it == map.end() ? a : it->second;  // not input-dependent: a constant
  };
  for (const auto& node : g.tape) {
    if (map.count(node.id())) continue;
    bool depends = false;
    std::vector<array> ins;
    for (const auto& in : node.inputs()) {
      ins.push_back(get(in));
      depends = depends || ins.back().id() != in.id();
    }
    if (!depends) continue;  // a constant: computed once, on the first call
    auto outs = node.outputs();
    auto fresh = rebuild_node(node, std::move(ins));
    for (size_t k = 0; k < outs.size(); ++k) map.emplace(outs[k].id(), fresh[k]);
  }
  std::vector<array> res;
  for (const auto& o : g.outputs) res.push_back(get(o));
  return res;
}

}  // namespace detail

/// Turns compilation on or off for every compiled function (off: they call the function).
inline void enable_compile() { detail::compile_enabled() = true; }
inline void disable_compile() { detail::compile_enabled() = false; }

/// fun, traced once per input shapes and dtypes, with its elementwise chains fused and its
/// input-independent work computed once. `shapeless` (one trace for all shapes) is not
/// supported yet.
/// \throws std::invalid_argument for shapeless = true.
template <class = void>
std::function<std::vector<array>(const std::vector<array>&)> compile(
    std::function<std::vector<array>(const std::vector<array>&)> fun, bool shapeless = false) {
  if (shapeless)
    detail::fail("compile", "Shapeless compilation is not supported yet; compile per shape.");
  struct Cache {
    std::mutex m;
    std::map<std::vector<std::pair<Shape, Dtype::Val>>, detail::CompiledGraph> graphs;
  };
  auto cache = std::make_shared<Cache>();
  return [fun = std::move(fun), cache](const std::vector<array>& inputs) {
    if (!detail::compile_enabled()) return fun(inputs);
    std::vector<std::pair<Shape, Dtype::Val>> key;
    for (const auto& x : inputs) key.emplace_back(x.shape(), x.dtype().val);
    std::lock_guard<std::mutex> lock(cache->m);
    auto it = cache->graphs.find(key);
    if (it == cache->graphs.end()) {
      detail::CompiledGraph g;
      {
        detail::TraceScope scope;
        for (const auto& x : inputs) g.placeholders.push_back(detail::trace_input(x));
        g.outputs = fun(g.placeholders);
      }
      detail::IdSet stop;
      for (const auto& p : g.placeholders) stop.insert(p.id());
      g.tape = detail::trace_order(g.outputs, stop);
      detail::fuse_elementwise(g);
      it = cache->graphs.emplace(std::move(key), std::move(g)).first;
      detail::eval_counters().compile_traces.fetch_add(1, std::memory_order_relaxed);
    }
    return detail::replay(it->second, inputs);
  };
}

}  // namespace mlx::core
