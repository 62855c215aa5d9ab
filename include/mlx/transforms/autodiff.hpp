// SPDX-License-Identifier: MIT
// Function transforms on arrays (MLX's transforms.h): vjp, jvp, grad, value_and_grad.
//
// A transform traces the function: it calls it on TraceInput nodes (identity nodes that
// mark the inputs), keeps the graph that the call built (eval() inside the function then
// keeps every node's inputs), and walks that graph once: backwards from the outputs for
// vjp, forwards from the inputs for jvp, each node through its rule (transforms/rules.hpp).
// The result is itself a lazy graph, so transforms nest (grad of grad, jvp of vjp) and a
// training step evaluates once. The walk is a loop over a topological order: a function
// of ten million operations does not recurse.
#pragma once

#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "mlx/transforms/rules.hpp"

namespace mlx::core {

namespace detail {

/// Keeps graphs alive for the transforms while it exists (see tracing_depth).
struct TraceScope {
  TraceScope() { ++tracing_depth(); }
  ~TraceScope() { --tracing_depth(); }
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;
};

template <class = void>
array trace_input(const array& x) {
  return array(x.shape(), x.dtype(), std::make_shared<TraceInput<>>(to_stream({})), {x});
}

using IdSet = std::unordered_set<std::uintptr_t>;

/// node's outputs computed again by the same primitive from new inputs (same shapes and
/// dtypes): what compile's replay and vmap's per-example path build.
template <class = void>
std::vector<array> rebuild_node(const array& node, std::vector<array> inputs) {
  if (node.siblings().empty())
    return {array(node.shape(), node.dtype(), node.primitive_ptr(), std::move(inputs))};
  std::vector<Shape> shapes;
  std::vector<Dtype> dtypes;
  for (const auto& o : node.outputs()) {
    shapes.push_back(o.shape());
    dtypes.push_back(o.dtype());
  }
  return array::make_arrays(std::move(shapes), dtypes, node.primitive_ptr(), inputs);
}

/// The nodes `outputs` depend on, inputs before users, without walking past `stop` (the
/// traced inputs) or leaves. The outputs of one primitive are placed next to each other.
inline std::vector<array> trace_order(const std::vector<array>& outputs, const IdSet& stop) {
  IdSet seen;
  std::vector<array> order;
  std::vector<std::pair<array, size_t>> stack;
  auto visit = [&](const array& a) {
    if (a.is_empty_handle() || !seen.insert(a.id()).second) return;
    if (stop.count(a.id()) || !a.has_primitive()) return;
    stack.emplace_back(a, 0);
  };
  for (const auto& o : outputs) {
    visit(o);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node.inputs().size()) {
        array in = node.inputs()[next++];
        visit(in);  // may reallocate `stack`
        continue;
      }
      array done = std::move(node);
      stack.pop_back();
      for (const auto& s : done.siblings()) seen.insert(s.id());
      for (auto& s : done.outputs()) order.push_back(std::move(s));
    }
  }
  return order;
}

/// The nodes of `order` that depend on an id in `sources`.
inline IdSet dependents(const std::vector<array>& order, const IdSet& sources) {
  IdSet dep = sources;
  for (const auto& n : order)
    for (const auto& in : n.inputs())
      if (dep.count(in.id())) {
        dep.insert(n.id());
        break;
      }
  return dep;
}

/// Reverse mode over a traced graph: the cotangents of `inputs` given those of `outputs`
/// (an empty cotangent handle: that output does not contribute).
template <class = void>
std::vector<array> backward(const std::vector<array>& outputs, const std::vector<array>& cotangents,
                            const std::vector<array>& inputs) {
  IdSet stop;
  for (const auto& x : inputs) stop.insert(x.id());
  auto order = trace_order(outputs, stop);
  IdSet dep = dependents(order, stop);
  std::unordered_map<std::uintptr_t, array> cot;
  auto accumulate = [&](const array& x, const array& c) {
    auto [it, fresh] = cot.try_emplace(x.id(), c);
    if (!fresh) it->second = array(it->second + c);
  };
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!cotangents[i].is_empty_handle() && dep.count(outputs[i].id()))
      accumulate(outputs[i], cotangents[i]);
  for (size_t i = order.size(); i-- > 0;) {
    const array& node = order[i];
    if (!dep.count(node.id()) || node.sibling_position() != 0) continue;
    // (Siblings sit together in `order`; the one at position 0 handles all of them, and the
    // others were reached first in this reverse walk without doing anything.)
    std::vector<array> outs = node.outputs();
    std::vector<array> cs(outs.size());
    bool any = false;
    for (size_t k = 0; k < outs.size(); ++k) {
      if (auto it = cot.find(outs[k].id()); it != cot.end()) {
        cs[k] = std::move(it->second);
        cot.erase(it);
        any = true;
      }
    }
    if (!any) continue;
    for (size_t k = 0; k < outs.size(); ++k)
      if (cs[k].is_empty_handle()) cs[k] = zeros(outs[k].shape(), outs[k].dtype());
    std::vector<int> argnums;
    const auto& ins = node.inputs();
    for (size_t k = 0; k < ins.size(); ++k)
      if (dep.count(ins[k].id())) argnums.push_back(static_cast<int>(k));
    auto vs = node_vjp(node, cs, argnums);
    for (size_t k = 0; k < argnums.size(); ++k)
      if (k < vs.size() && !vs[k].is_empty_handle()) accumulate(ins[argnums[k]], vs[k]);
  }
  std::vector<array> res;
  for (const auto& x : inputs) {
    auto it = cot.find(x.id());
    res.push_back(it != cot.end() ? it->second : zeros(x.shape(), x.dtype()));
  }
  return res;
}

/// Forward mode over a traced graph: the tangents of `outputs` given those of `inputs`.
template <class = void>
std::vector<array> forward(const std::vector<array>& outputs, const std::vector<array>& inputs,
                           const std::vector<array>& tangents) {
  IdSet stop;
  std::unordered_map<std::uintptr_t, array> tan;
  for (size_t i = 0; i < inputs.size(); ++i) {
    stop.insert(inputs[i].id());
    tan.emplace(inputs[i].id(), tangents[i]);
  }
  auto order = trace_order(outputs, stop);
  for (const auto& node : order) {
    if (node.sibling_position() != 0) continue;
    std::vector<array> ts(node.inputs().size());
    bool any = false;
    for (size_t k = 0; k < ts.size(); ++k)
      if (auto it = tan.find(node.inputs()[k].id()); it != tan.end()) {
        ts[k] = it->second;
        any = true;
      }
    if (!any) continue;
    auto outs = node.outputs();
    auto r = node_jvp(node, ts);
    for (size_t k = 0; k < outs.size() && k < r.size(); ++k)
      if (!r[k].is_empty_handle()) tan.emplace(outs[k].id(), r[k]);
  }
  std::vector<array> res;
  for (const auto& o : outputs) {
    auto it = tan.find(o.id());
    res.push_back(it != tan.end() ? it->second : zeros(o.shape(), o.dtype()));
  }
  return res;
}

inline void check_same_shapes(const char* op, const char* what, const char* of,
                              const std::vector<array>& xs, const std::vector<array>& ys) {
  for (size_t i = 0; i < xs.size(); ++i)
    if (xs[i].shape() != ys[i].shape())
      fail(op, "The ", what, " at position ", i, " has shape ", ys[i].shape(), " but the ", of,
           " has shape ", xs[i].shape(), ".");
}

using VectorFn = std::function<std::vector<array>(const std::vector<array>&)>;

/// Traces `fun` at `primals`; `make_cotangents` picks the outputs' cotangents.
template <class = void>
std::pair<std::vector<array>, std::vector<array>> vjp_with(
    const VectorFn& fun, const std::vector<array>& primals,
    const std::function<std::vector<array>(const std::vector<array>&)>& make_cotangents) {
  TraceScope scope;
  std::vector<array> traced;
  for (const auto& p : primals) traced.push_back(trace_input(p));
  std::vector<array> outs = fun(traced);
  std::vector<array> cots = make_cotangents(outs);
  return {outs, backward(outs, cots, traced)};
}

}  // namespace detail

/// The outputs of `fun` at `primals` and the vector-Jacobian products of `cotangents` (one per
/// output) with respect to each primal.
/// \throws std::invalid_argument when the cotangents do not match the outputs in number or shape.
template <class = void>
std::pair<std::vector<array>, std::vector<array>> vjp(
    const std::function<std::vector<array>(const std::vector<array>&)>& fun,
    const std::vector<array>& primals, const std::vector<array>& cotangents) {
  return detail::vjp_with(fun, primals, [&](const std::vector<array>& outs) {
    if (outs.size() != cotangents.size())
      detail::fail("vjp", "The function has ", outs.size(), " outputs but ", cotangents.size(),
                   " cotangents were given.");
    detail::check_same_shapes("vjp", "cotangent", "output", outs, cotangents);
    return cotangents;
  });
}

template <class = void>
std::pair<array, array> vjp(const std::function<array(const array&)>& fun, const array& primal,
                            const array& cotangent) {
  auto [outs, vjps] = vjp<>(
      [&](const std::vector<array>& x) { return std::vector<array>{fun(x[0])}; }, {primal},
      {cotangent});
  return {outs[0], vjps[0]};
}

/// The outputs of `fun` at `primals` and the Jacobian-vector products with `tangents`.
/// \throws std::invalid_argument when the tangents do not match the primals.
template <class = void>
std::pair<std::vector<array>, std::vector<array>> jvp(
    const std::function<std::vector<array>(const std::vector<array>&)>& fun,
    const std::vector<array>& primals, const std::vector<array>& tangents) {
  if (primals.size() != tangents.size())
    detail::fail("jvp", "Got ", primals.size(), " primals but ", tangents.size(), " tangents.");
  detail::check_same_shapes("jvp", "tangent", "primal", primals, tangents);
  detail::TraceScope scope;
  std::vector<array> traced;
  for (const auto& p : primals) traced.push_back(detail::trace_input(p));
  std::vector<array> outs = fun(traced);
  return {outs, detail::forward(outs, traced, tangents)};
}

template <class = void>
std::pair<array, array> jvp(const std::function<array(const array&)>& fun, const array& primal,
                            const array& tangent) {
  auto [outs, jvps] = jvp<>(
      [&](const std::vector<array>& x) { return std::vector<array>{fun(x[0])}; }, {primal},
      {tangent});
  return {outs[0], jvps[0]};
}

using ValueAndGradFn =
    std::function<std::pair<std::vector<array>, std::vector<array>>(const std::vector<array>&)>;
using SimpleValueAndGradFn =
    std::function<std::pair<array, std::vector<array>>(const std::vector<array>&)>;

/// fun's outputs and the gradient of its first output (a scalar) with respect to the
/// arguments `argnums`.
/// \throws std::invalid_argument for no argnums, an argnum out of range, or a first output
/// with more than one element.
template <class = void>
ValueAndGradFn value_and_grad(const std::function<std::vector<array>(const std::vector<array>&)>& fun,
                              const std::vector<int>& argnums) {
  if (argnums.empty()) detail::fail("grad", "Must specify at least one argument.");
  return [fun, argnums](const std::vector<array>& inputs) {
    std::vector<array> primals;
    for (int a : argnums) {
      if (a < 0 || a >= static_cast<int>(inputs.size()))
        detail::fail("grad", "Invalid argument number ", a, " for a function of ", inputs.size(),
                     " inputs.");
      primals.push_back(inputs[a]);
    }
    auto call = [&](const std::vector<array>& ps) {
      std::vector<array> args = inputs;
      for (size_t k = 0; k < argnums.size(); ++k) args[argnums[k]] = ps[k];
      return fun(args);
    };
    return detail::vjp_with(call, primals, [](const std::vector<array>& outs) {
      if (outs.empty() || outs[0].size() != 1)
        detail::fail("grad", "The function must return a scalar (one element) as its first "
                     "output; got shape ", outs.empty() ? Shape{} : outs[0].shape(), ".");
      std::vector<array> cots(outs.size());
      cots[0] = ones(outs[0].shape(), outs[0].dtype());
      return cots;
    });
  };
}

template <class = void>
ValueAndGradFn value_and_grad(const std::function<std::vector<array>(const std::vector<array>&)>& fun,
                              int argnum = 0) {
  return value_and_grad<>(fun, std::vector<int>{argnum});
}

template <class = void>
SimpleValueAndGradFn value_and_grad(const std::function<array(const std::vector<array>&)>& fun,
                                    const std::vector<int>& argnums) {
  auto vg = value_and_grad<>(
      [fun](const std::vector<array>& x) { return std::vector<array>{fun(x)}; }, argnums);
  return [vg](const std::vector<array>& x) {
    auto [v, g] = vg(x);
    return std::make_pair(v[0], g);
  };
}

template <class = void>
SimpleValueAndGradFn value_and_grad(const std::function<array(const std::vector<array>&)>& fun,
                                    int argnum = 0) {
  return value_and_grad<>(fun, std::vector<int>{argnum});
}

template <class = void>
std::function<std::pair<array, array>(const array&)> value_and_grad(
    const std::function<array(const array&)>& fun) {
  auto vg = value_and_grad<>(
      [fun](const std::vector<array>& x) { return std::vector<array>{fun(x[0])}; }, 0);
  return [vg](const array& x) {
    auto [v, g] = vg({x});
    return std::make_pair(v[0], g[0]);
  };
}

/// The gradient of fun (a scalar) with respect to the arguments `argnums`.
template <class = void>
std::function<std::vector<array>(const std::vector<array>&)> grad(
    const std::function<array(const std::vector<array>&)>& fun, const std::vector<int>& argnums) {
  auto vg = value_and_grad<>(fun, argnums);
  return [vg](const std::vector<array>& x) { return vg(x).second; };
}

template <class = void>
std::function<std::vector<array>(const std::vector<array>&)> grad(
    const std::function<array(const std::vector<array>&)>& fun, int argnum = 0) {
  return grad<>(fun, std::vector<int>{argnum});
}

template <class = void>
std::function<array(const array&)> grad(const std::function<array(const array&)>& fun) {
  auto vg = value_and_grad<>(fun);
  return [vg](const array& x) { return vg(x).second; };
}

}  // namespace mlx::core
