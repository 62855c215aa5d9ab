// SPDX-License-Identifier: MIT
// vmap (MLX's transforms.h): a function of single examples applied to a batch. The function
// is traced once on one example's shapes; the traced graph is then rebuilt for the batch,
// node by node, with the batch on axis 0 of every batched array. Elementwise nodes,
// reductions, the shape ops, softmax, matmul of matrices, scans, the sort family, gather
// and convolutions with a shared kernel have batched rules; any other primitive runs once per
// example and the results are stacked (correct for every primitive, at B nodes' cost).
#pragma once

#include <functional>
#include <numeric>
#include <unordered_map>
#include <vector>

#include "mlx/transforms/autodiff.hpp"

namespace mlx::core {

namespace detail {

/// x with a leading batch axis of size b broadcast in (for unbatched values that meet
/// batched ones where a rule needs both batched).
template <class = void>
array with_batch(const array& x, int b) {
  Shape s = x.shape();
  s.insert(s.begin(), b);
  return broadcast_to(expand_dims(x, 0), s);
}

/// A batched value: the array and whether axis 0 is the batch.
struct Batched {
  array value;
  bool batched = false;
};

/// The inputs of an elementwise computation of rank `rank` per example: batched ones
/// ([B, s...]) get ones between the batch and s, so that every input broadcasts to
/// [B, out...]; unbatched ones broadcast as they are.
template <class = void>
std::vector<array> aligned_inputs(const std::vector<Batched>& in, int rank) {
  std::vector<array> ins;
  for (const auto& x : in) {
    if (!x.batched) {
      ins.push_back(x.value);
      continue;
    }
    Shape sh = x.value.shape();
    sh.insert(sh.begin() + 1, rank - (static_cast<int>(sh.size()) - 1), 1);
    ins.push_back(reshape(x.value, sh));
  }
  return ins;
}

/// The batched version of `node` from its inputs' batched versions (batch size b).
template <class = void>
std::vector<Batched> vmap_node(const array& node, const std::vector<Batched>& in, int b) {
  Primitive& prim = node.primitive();
  const Stream s = prim.stream();
  std::vector<array> outs = node.outputs();
  // Elementwise: a FusedProgram over inputs whose batch axis lines up with the output's.
  if (dynamic_cast<ExpressionPrimitive*>(&prim) && !dynamic_cast<ReducePrimitive*>(&prim) &&
      outs.size() == 1) {
    ProgramDesc p;
    // (FusedProgram computes in float or double: other work takes the per-example path.)
    if (static_cast<ExpressionPrimitive&>(prim).describe(p) && issubdtype(p.compute, floating)) {
      std::vector<array> ins = aligned_inputs(in, static_cast<int>(node.ndim()));
      Shape out = node.shape();
      out.insert(out.begin(), b);
      p.shape = out;
      auto fp = std::make_shared<FusedProgram<>>(s, std::make_shared<const ProgramDesc>(p));
      return {{array(out, node.dtype(), std::move(fp), std::move(ins)), true}};
    }
  }
  // Reductions: the expression's value batched, reduced over the shifted axes.
  if (auto* r = dynamic_cast<ReducePrimitive*>(&prim)) {
    ProgramDesc p;
    if (r->describe(p) && (issubdtype(p.compute, floating) || p.code.size() == 1)) {
      DerivedProgram d;
      d.program = p;
      for (int k = 0; k < p.num_inputs; ++k) d.inputs.push_back(k);
      std::vector<array> ins = aligned_inputs(in, static_cast<int>(p.shape.size()));
      Shape full = p.shape;
      full.insert(full.begin(), b);
      d.program.shape = full;
      const Dtype vt = p.code.size() == 1 && p.code[0].op == ProgramInstr::input
                           ? in[p.code[0].args[0]].value.dtype()
                           : program_dtype(p);
      array v = program_array(d, ins, {}, vt, s);
      if (v.shape() != full) v = broadcast_to(v, full);
      std::vector<int> axes;
      for (int a : r->axes()) axes.push_back(a + 1);
      array red;
      switch (r->reduce_type()) {
        case cpu::ReduceType::Sum: red = sum(v, axes, true, s); break;
        case cpu::ReduceType::Prod: red = prod(v, axes, true, s); break;
        case cpu::ReduceType::Max: red = max(v, axes, true, s); break;
        case cpu::ReduceType::Min: red = min(v, axes, true, s); break;
        case cpu::ReduceType::And: red = all(v, axes, true, s); break;
        case cpu::ReduceType::Or: red = any(v, axes, true, s); break;
      }
      Shape out = node.shape();
      out.insert(out.begin(), b);
      red = reshape(red, out, s);
      if (red.dtype() != node.dtype()) red = astype(red, node.dtype(), s);
      return {{red, true}};
    }
  }
  // Shape ops with a direct batched form.
  if (outs.size() == 1 && in.size() == 1 && in[0].batched) {
    Shape out = node.shape();
    out.insert(out.begin(), b);
    if (dynamic_cast<Reshape<>*>(&prim) || dynamic_cast<ExpandSqueeze<>*>(&prim) ||
        dynamic_cast<Contiguous<>*>(&prim) || dynamic_cast<TraceInput<>*>(&prim))
      return {{reshape(in[0].value, out, s), true}};
    if (dynamic_cast<Broadcast<>*>(&prim)) {
      Shape sh = in[0].value.shape();
      sh.insert(sh.begin() + 1, static_cast<int>(node.ndim()) - (static_cast<int>(sh.size()) - 1), 1);
      return {{broadcast_to(reshape(in[0].value, sh, s), out, s), true}};
    }
    if (dynamic_cast<Softmax<>*>(&prim))  // over the last axis, row by row: batch-blind
      return {{array(out, node.dtype(), node.primitive_ptr(), {in[0].value}), true}};
    if (auto* t = dynamic_cast<Transpose<>*>(&prim)) {
      std::vector<int> perm{0};
      for (int a : t->axes()) perm.push_back(a + 1);
      return {{transpose(in[0].value, perm, s), true}};
    }
  }
  // Scans and the sort family along an axis of the example: the same op one axis further
  // out. (Over the flattened example they take the per-example path.)
  if (outs.size() == 1 && in.size() == 1 && in[0].batched) {
    const array& x = in[0].value;
    if (auto* sc = dynamic_cast<Scan<>*>(&prim); sc && !sc->flat())
      return {{scan_op(sc->reduce_type(), x, sc->axis() + 1, sc->reverse(), sc->inclusive(), s), true}};
    if (auto* ap = dynamic_cast<AxisPrimitive*>(&prim); ap && !ap->flat()) {
      const int ax = ap->axis() + 1;
      if (dynamic_cast<Sort<>*>(&prim)) return {{sort(x, ax, s), true}};
      if (dynamic_cast<ArgSort<>*>(&prim)) return {{argsort(x, ax, s), true}};
      if (auto* p = dynamic_cast<Partition<>*>(&prim)) return {{partition(x, p->kth(), ax, s), true}};
      if (auto* p = dynamic_cast<ArgPartition<>*>(&prim)) return {{argpartition(x, p->kth(), ax, s), true}};
      if (auto* p = dynamic_cast<TopK<>*>(&prim)) return {{topk(x, p->k(), ax, s), true}};
    }
  }
  // Gather (take, take_along_axis, gather). Shared indices into per-example sources: the
  // batch is one more sliced axis, taken whole. Per-example indices: the batch becomes one
  // more indexed axis, with arange(b) as its index.
  if (auto* g = dynamic_cast<Gather<>*>(&prim)) {
    const Shape& slice = g->slice_sizes();
    bool any_index_batched = false;
    for (size_t k = 1; k < in.size(); ++k) any_index_batched = any_index_batched || in[k].batched;
    const Shape idx_shape = node.inputs().size() > 1 ? node.inputs()[1].shape() : Shape{};
    const int ni = static_cast<int>(idx_shape.size());
    if (!any_index_batched) {
      std::vector<int> axes;
      for (int a : g->axes()) axes.push_back(a + 1);
      Shape sl = slice;
      sl.insert(sl.begin(), b);
      Shape shape = idx_shape;
      shape.insert(shape.end(), sl.begin(), sl.end());
      std::vector<array> ins{in[0].value};
      for (size_t k = 1; k < in.size(); ++k) ins.push_back(in[k].value);
      array y(std::move(shape), node.dtype(), std::make_shared<Gather<>>(s, g->op(), axes, sl), std::move(ins));
      std::vector<int> perm{ni};  // (I..., B, slice...) -> (B, I..., slice...)
      for (int d = 0; d < static_cast<int>(y.ndim()); ++d)
        if (d != ni) perm.push_back(d);
      return {{transpose(y, perm, s), true}};
    }
    Shape bidx = idx_shape;
    bidx.insert(bidx.begin(), b);
    Shape col(bidx.size(), 1);
    col[0] = b;
    std::vector<array> ins{in[0].batched ? in[0].value : with_batch(in[0].value, b),
                           broadcast_to(reshape(arange(0, b, int32), col, s), bidx, s)};
    for (size_t k = 1; k < in.size(); ++k)
      ins.push_back(in[k].batched ? in[k].value : broadcast_to(expand_dims(in[k].value, 0, s), bidx, s));
    std::vector<int> axes{0};
    for (int a : g->axes()) axes.push_back(a + 1);
    Shape sl = slice;
    sl.insert(sl.begin(), 1);
    Shape shape = bidx;
    shape.insert(shape.end(), sl.begin(), sl.end());
    array y(std::move(shape), node.dtype(), std::make_shared<Gather<>>(s, g->op(), axes, sl), std::move(ins));
    return {{squeeze(y, 1 + ni, s), true}};  // (B, I..., 1, slice...) -> (B, I..., slice...)
  }
  // A convolution of per-example inputs with a shared kernel: the batch joins the inputs'
  // own batch axis N, one convolution for all.
  if (dynamic_cast<Convolution<>*>(&prim) && in.size() == 2 && in[0].batched && !in[1].batched) {
    const array& x = in[0].value;  // [B, N, spatial..., C]
    Shape merged(x.shape().begin() + 1, x.shape().end());
    merged[0] *= b;
    Shape joined = node.shape();
    joined[0] *= b;
    array y(std::move(joined), node.dtype(), node.primitive_ptr(), {reshape(x, merged, s), in[1].value});
    Shape out = node.shape();
    out.insert(out.begin(), b);
    return {{reshape(y, out, s), true}};
  }
  // Matmul of (per example) matrices: the batch is one more broadcast batch dimension.
  if (dynamic_cast<Matmul<>*>(&prim) && in.size() == 2) {
    const auto& a = in[0];
    const auto& c = in[1];
    const int ra = static_cast<int>(a.value.ndim()) - (a.batched ? 1 : 0);
    const int rc = static_cast<int>(c.value.ndim()) - (c.batched ? 1 : 0);
    if (ra >= 2 && rc >= 2) {
      const int rank = std::max(ra, rc);
      auto lift = [&](const Batched& x, int r) {
        if (!x.batched) return x.value;
        Shape sh = x.value.shape();  // [B, s...] -> [B, 1.., s...] of rank `rank` + 1
        sh.insert(sh.begin() + 1, rank - r, 1);
        return reshape(x.value, sh, s);
      };
      return {{matmul(lift(a, ra), lift(c, rc), s), true}};
    }
  }
  // Everything else: once per example, stacked.
  std::vector<std::vector<array>> per_output(outs.size());
  for (int i = 0; i < b; ++i) {
    std::vector<array> ins;
    for (const auto& x : in) ins.push_back(x.batched ? array(take(x.value, array(i), 0, s)) : x.value);
    auto r = rebuild_node(node, std::move(ins));
    for (size_t k = 0; k < outs.size(); ++k) per_output[k].push_back(r[k]);
  }
  std::vector<Batched> res;
  for (auto& v : per_output) res.push_back({stack(v, 0, s), true});
  return res;
}

}  // namespace detail

/// fun mapped over axis in_axes[i] of each input (-1: the input is not mapped; empty: axis 0
/// of every input); the outputs get the batch on out_axes[j] (empty: axis 0).
/// \throws std::invalid_argument for axes out of range, mapped sizes that differ, or no
/// mapped input.
template <class = void>
std::function<std::vector<array>(const std::vector<array>&)> vmap(
    const std::function<std::vector<array>(const std::vector<array>&)>& fun,
    const std::vector<int>& in_axes = {}, const std::vector<int>& out_axes = {}) {
  return [fun, in_axes, out_axes](const std::vector<array>& inputs) {
    std::vector<int> ia = in_axes.empty() ? std::vector<int>(inputs.size(), 0) : in_axes;
    if (ia.size() != inputs.size())
      detail::fail("vmap", "Got ", ia.size(), " in_axes for ", inputs.size(), " inputs.");
    int b = -1;
    std::vector<array> examples, moved;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const array& x = inputs[i];
      if (ia[i] == -1) {
        examples.push_back(x);
        moved.push_back(x);
        continue;
      }
      const int nd = static_cast<int>(x.ndim());
      if (ia[i] < 0 || ia[i] >= nd)
        detail::fail("vmap", "in_axes[", i, "] = ", ia[i], " is out of range for an input of shape ",
                     x.shape(), ".");
      if (b >= 0 && x.shape()[ia[i]] != b)
        detail::fail("vmap", "Inputs have different sizes on their mapped axes: ", b, " and ",
                     x.shape()[ia[i]], ".");
      b = x.shape()[ia[i]];
      array m = moveaxis(x, ia[i], 0);
      moved.push_back(m);
      examples.push_back(take(m, array(0), 0));
    }
    if (b < 0) detail::fail("vmap", "At least one input must be mapped (an in_axes entry other than -1).");
    // Trace one example.
    std::vector<array> placeholders, outs;
    {
      detail::TraceScope scope;
      for (const auto& e : examples) placeholders.push_back(detail::trace_input(e));
      outs = fun(placeholders);
    }
    std::unordered_map<std::uintptr_t, detail::Batched> val;
    detail::IdSet stop;
    for (size_t i = 0; i < placeholders.size(); ++i) {
      stop.insert(placeholders[i].id());
      val[placeholders[i].id()] = {ia[i] == -1 ? inputs[i] : moved[i], ia[i] != -1};
    }
    auto order = detail::trace_order(outs, stop);
    for (const auto& node : order) {
      if (val.count(node.id()) || node.sibling_position() != 0) continue;
      std::vector<detail::Batched> in;
      bool any = false;
      for (const auto& x : node.inputs()) {
        auto it = val.find(x.id());
        in.push_back(it == val.end() ? detail::Batched{x, false} : it->second);
        any = any || in.back().batched;
      }
      auto os = node.outputs();
      if (!any) {  // not batched: the node itself, on its (possibly re-routed) inputs
        std::vector<array> ins;
        bool same = true;
        for (size_t k = 0; k < in.size(); ++k) {
          ins.push_back(in[k].value);
          same = same && in[k].value.id() == node.inputs()[k].id();
        }
        if (same) continue;
        auto r = detail::rebuild_node(node, std::move(ins));
        for (size_t k = 0; k < os.size(); ++k) val[os[k].id()] = {r[k], false};
        continue;
      }
      auto r = detail::vmap_node(node, in, b);
      for (size_t k = 0; k < os.size(); ++k) val[os[k].id()] = r[k];
    }
    std::vector<int> oa = out_axes.empty() ? std::vector<int>(outs.size(), 0) : out_axes;
    if (oa.size() != outs.size())
      detail::fail("vmap", "Got ", oa.size(), " out_axes for ", outs.size(), " outputs.");
    std::vector<array> res;
    for (size_t j = 0; j < outs.size(); ++j) {
      auto it = val.find(outs[j].id());
      detail::Batched v = it == val.end() ? detail::Batched{outs[j], false} : it->second;
      array r = v.batched ? v.value : detail::with_batch(v.value, b);
      const int nd = static_cast<int>(r.ndim());
      if (oa[j] < 0 || oa[j] >= nd)
        detail::fail("vmap", "out_axes[", j, "] = ", oa[j], " is out of range for an output of ",
                     nd, " dimensions.");
      res.push_back(oa[j] == 0 ? r : moveaxis(r, 0, oa[j]));
    }
    return res;
  };
}

template <class = void>
std::function<array(const array&)> vmap(const std::function<array(const array&)>& fun,
                                        int in_axis = 0, int out_axis = 0) {
  auto f = vmap<>([fun](const std::vector<array>& x) { return std::vector<array>{fun(x[0])}; },
                  {in_axis}, {out_axis});
  return [f](const array& x) { return f({x})[0]; };
}

template <class = void>
std::function<array(const array&, const array&)> vmap(
    const std::function<array(const array&, const array&)>& fun, int in_axis_a = 0,
    int in_axis_b = 0, int out_axis = 0) {
  auto f = vmap<>(
      [fun](const std::vector<array>& x) { return std::vector<array>{fun(x[0], x[1])}; },
      {in_axis_a, in_axis_b}, {out_axis});
  return [f](const array& a, const array& b) { return f({a, b})[0]; };
}

}  // namespace mlx::core
