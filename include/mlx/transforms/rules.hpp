// SPDX-License-Identifier: MIT
// The derivative rules of the runtime primitives, for vjp and jvp (transforms/autodiff.hpp).
//
// Where they live: elementwise work (Fused<E>, the expression inside Reduce<E, R>, and the
// runtime-fused FusedProgram) is differentiated from its functors' `jvp` rules by
// transforms/program.hpp; the other primitives have one function per primitive here, in the
// order of primitives/*.hpp. The rules are plain functions looked up by the primitive's type
// (not virtual members), so a program that never differentiates instantiates none of them
// (docs/compile-time.md). A primitive without an entry falls back to its virtual
// Primitive::vjp / jvp, which is how a user-defined primitive brings its own rule.
#pragma once

#include <numeric>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "mlx/ops/conv.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/primitives/conv.hpp"
#include "mlx/primitives/indexing.hpp"
#include "mlx/primitives/matmul.hpp"
#include "mlx/primitives/reduce.hpp"
#include "mlx/primitives/shape.hpp"
#include "mlx/primitives/slicing.hpp"
#include "mlx/primitives/softmax.hpp"
#include "mlx/transforms/program.hpp"
#include "mlx/transforms/rules_linalg_fft.hpp"
#include "mlx/transforms/rules_scan_sort.hpp"

namespace mlx::core {

namespace detail {

/// The input of a traced function: an identity node that marks where a transform stops
/// walking the graph (and what it differentiates with respect to). Nested transforms see it
/// as the identity, so grad of grad reaches the outer inputs.
template <class = void>
class TraceInput : public UnaryPrimitive {
 public:
  using UnaryPrimitive::UnaryPrimitive;
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.copy_shared_buffer(inputs[0]);
  }
  const char* name() const override { return "TraceInput"; }
};

/// Cotangents of the inputs `argnums` (an empty handle: zero), from the cotangents of the
/// node's outputs.
using VjpRule = std::vector<array> (*)(const array& node, const std::vector<array>& cotangents,
                                       const std::vector<int>& argnums);
/// Tangents of the node's outputs from its inputs' tangents (an empty handle: zero; at least
/// one is present).
using JvpRule = std::vector<array> (*)(const array& node, const std::vector<array>& tangents);

inline bool is_differentiable_dtype(Dtype t) { return issubdtype(t, floating); }

/// x summed over the axes that broadcasting to x's shape added or stretched from `shape`.
template <class = void>
array sum_to_shape(const array& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int lead = static_cast<int>(x.ndim()) - static_cast<int>(shape.size());
  std::vector<int> axes;
  for (int d = 0; d < static_cast<int>(x.ndim()); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) axes.push_back(d);
  array r = axes.empty() ? x : sum(x, axes, true);
  return reshape(r, shape);
}

/// The array a derived program computes: its inputs are the node's inputs (index >= 0) or
/// `extra` (index -1 - j).
template <class = void>
array program_array(const DerivedProgram& d, const std::vector<array>& node_inputs,
                    const std::vector<array>& extra, Dtype dtype, Stream s) {
  const ProgramDesc& p = d.program;
  if (d.zero) return zeros(p.shape, dtype, s);
  std::vector<array> in;
  for (int k : d.inputs) in.push_back(k >= 0 ? node_inputs[k] : extra[-1 - k]);
  if (p.code.size() == 1) {
    const ProgramInstr& i = p.code[0];
    if (i.op == ProgramInstr::constant) return full(p.shape, i.value, dtype, s);
    return broadcast_to(in[i.args[0]].dtype() == dtype ? in[i.args[0]]
                                                       : array(astype(in[i.args[0]], dtype, s)),
                        p.shape, s);
  }
  auto prim = std::make_shared<FusedProgram<>>(s, std::make_shared<const ProgramDesc>(p));
  return array(p.shape, dtype, std::move(prim), std::move(in));
}

/// The program's own value (the expression inside a reduction).
template <class = void>
array program_value(const ProgramDesc& p, const std::vector<array>& in, Dtype dtype, Stream s) {
  DerivedProgram d;
  d.program = p;
  for (int k = 0; k < p.num_inputs; ++k) d.inputs.push_back(k);
  return program_array(d, in, {}, dtype, s);
}

inline Dtype program_dtype(const ProgramDesc& p) { return p.compute == float64 ? float64 : float32; }

inline Shape keepdims_shape(const Shape& s, const std::vector<int>& axes) {
  Shape k = s;
  for (int a : axes) k[a] = 1;
  return k;
}

template <class = void>
ProgramDesc describe_node(const array& node, const char* transform) {
  ProgramDesc p;
  auto& prim = static_cast<ExpressionPrimitive&>(node.primitive());
  if (!prim.describe(p))
    fail(transform, "Cannot differentiate this ", prim.name(),
         " node: its expression holds a complex constant.");
  if (p.compute == complex64) fail(transform, "Complex gradients are not supported yet.");
  return p;
}

// ---- elementwise expressions and reductions ---------------------------------------------

template <class = void>
std::vector<array> expression_vjp(const array& node, const std::vector<array>& cots,
                                  const std::vector<int>& argnums) {
  std::vector<array> res(argnums.size());
  ProgramDesc p = describe_node(node, "vjp");
  if (!issubdtype(p.compute, floating)) return res;  // integer and bool work: no gradient
  const auto& in = node.inputs();
  const Stream s = node.primitive().stream();
  array h = cots[0];
  if (auto* r = dynamic_cast<const ReducePrimitive*>(&node.primitive())) {
    const Shape ks = keepdims_shape(p.shape, r->axes());
    array g = reshape(cots[0], ks, s);
    array out = reshape(node, ks, s);
    switch (r->reduce_type()) {
      case cpu::ReduceType::Sum: h = g; break;
      case cpu::ReduceType::Prod: h = g * out / program_value(p, in, program_dtype(p), s); break;
      case cpu::ReduceType::Max:
      case cpu::ReduceType::Min: {
        // Ties share the cotangent equally (as MLX does).
        array x = program_value(p, in, program_dtype(p), s);
        array mask = astype(equal(x, out, s), program_dtype(p), s);
        h = g * mask / sum(mask, r->axes(), true, s);
        break;
      }
      default: return res;  // all / any
    }
  }
  auto progs = program_vjp(p, argnums);
  for (size_t w = 0; w < argnums.size(); ++w) {
    const array& x = in[argnums[w]];
    if (progs[w].zero || !is_differentiable_dtype(x.dtype())) continue;
    res[w] = sum_to_shape(program_array(progs[w], in, {h}, x.dtype(), s), x.shape());
  }
  return res;
}

template <class = void>
std::vector<array> expression_jvp(const array& node, const std::vector<array>& tangents) {
  ProgramDesc p = describe_node(node, "jvp");
  const Stream s = node.primitive().stream();
  if (!issubdtype(p.compute, floating) || !is_differentiable_dtype(node.dtype()))
    return {zeros(node.shape(), node.dtype(), s)};
  std::vector<int> with;
  std::vector<array> ts;
  for (size_t k = 0; k < tangents.size(); ++k)
    if (!tangents[k].is_empty_handle()) {
      with.push_back(static_cast<int>(k));
      ts.push_back(tangents[k]);
    }
  const auto& in = node.inputs();
  const Dtype cd = program_dtype(p);
  array t = program_array(program_jvp(p, with), in, ts, cd, s);
  auto* r = dynamic_cast<const ReducePrimitive*>(&node.primitive());
  if (!r) return {t.dtype() == node.dtype() ? t : array(astype(t, node.dtype(), s))};
  const Shape ks = keepdims_shape(p.shape, r->axes());
  array out = reshape(node, ks, s);
  array dt;
  switch (r->reduce_type()) {
    case cpu::ReduceType::Sum: dt = sum(t, r->axes(), true, s); break;
    case cpu::ReduceType::Prod:
      dt = out * sum(t / program_value(p, in, cd, s), r->axes(), true, s);
      break;
    case cpu::ReduceType::Max:
    case cpu::ReduceType::Min: {
      array mask = astype(equal(program_value(p, in, cd, s), out, s), cd, s);
      dt = sum(t * mask, r->axes(), true, s) / sum(mask, r->axes(), true, s);
      break;
    }
    default: return {zeros(node.shape(), node.dtype(), s)};
  }
  return {reshape(astype(dt, node.dtype(), s), node.shape(), s)};
}

// ---- shape primitives (primitives/shape.hpp) ----------------------------------------------

/// Reshape, ExpandSqueeze, Contiguous, TraceInput: the cotangent takes the input's shape.
template <class = void>
std::vector<array> reshape_like_vjp(const array& node, const std::vector<array>& cots,
                                    const std::vector<int>&) {
  return {reshape(cots[0], node.inputs()[0].shape())};
}

/// Broadcast: summed over the broadcast axes.
template <class = void>
std::vector<array> broadcast_vjp(const array& node, const std::vector<array>& cots,
                                 const std::vector<int>&) {
  return {sum_to_shape(cots[0], node.inputs()[0].shape())};
}

/// A linear primitive applied to the tangents (the same primitive object, new inputs).
template <class = void>
std::vector<array> linear_jvp(const array& node, const std::vector<array>& tangents) {
  std::vector<array> in;
  for (size_t k = 0; k < tangents.size(); ++k) {
    const array& x = node.inputs()[k];
    if (tangents[k].is_empty_handle())
      in.push_back(zeros(x.shape(), node.dtype(), node.primitive().stream()));
    else
      in.push_back(tangents[k].dtype() == node.dtype() ? tangents[k]
                                                       : array(astype(tangents[k], node.dtype())));
  }
  return {array(node.shape(), node.dtype(), node.primitive_ptr(), std::move(in))};
}

template <class = void>
std::vector<array> transpose_vjp(const array& node, const std::vector<array>& cots,
                                 const std::vector<int>&) {
  const auto& axes = static_cast<const Transpose<>&>(node.primitive()).axes();
  std::vector<int> inverse(axes.size());
  for (size_t i = 0; i < axes.size(); ++i) inverse[axes[i]] = static_cast<int>(i);
  return {transpose(cots[0], inverse)};
}

/// AsStrided reads its input in row-major order: the cotangent of output element i goes to
/// flat input element offset + sum_d i_d * stride_d (windows may overlap: scatter_add).
template <class = void>
std::vector<array> as_strided_vjp(const array& node, const std::vector<array>& cots,
                                  const std::vector<int>&) {
  const auto& prim = static_cast<const AsStrided<>&>(node.primitive());
  const array& x = node.inputs()[0];
  const Dtype it = x.size() < (size_t{1} << 31) ? int32 : int64;
  array idx = full(Shape{}, static_cast<int64_t>(prim.offset()), it);
  const int nd = static_cast<int>(node.ndim());
  for (int d = 0; d < nd; ++d) {
    Shape sh(nd, 1);
    sh[d] = node.shape()[d];
    array r = arange(0.0, static_cast<double>(node.shape()[d]), 1.0, it);
    idx = array(idx + reshape(array(r * array(prim.strides()[d], it)), sh));
  }
  const int m = static_cast<int>(node.size());
  array flat = scatter_add(zeros({static_cast<int>(x.size())}, x.dtype()),
                           {reshape(broadcast_to(idx, node.shape()), {m})},
                           reshape(cots[0], {m, 1}), {0});
  return {reshape(flat, x.shape())};
}

/// Depends: outputs 0..n-1 are inputs 0..n-1 passed through; the dependencies after them get
/// no cotangent (they only order the evaluation).
template <class = void>
std::vector<array> depends_vjp(const array&, const std::vector<array>& cots,
                               const std::vector<int>& argnums) {
  std::vector<array> res(argnums.size());
  for (size_t k = 0; k < argnums.size(); ++k)
    if (static_cast<size_t>(argnums[k]) < cots.size()) res[k] = cots[argnums[k]];
  return res;
}

template <class = void>
std::vector<array> depends_jvp(const array& node, const std::vector<array>& tangents) {
  const size_t n = node.siblings().size() + 1;
  return std::vector<array>(tangents.begin(), tangents.begin() + n);
}

// ---- convolution (primitives/conv.hpp) ------------------------------------------------------

/// Cotangents of a channels-last convolution, for any stride, padding, kernel and input
/// dilation, groups and flip. Write xd for the input after input dilation and padding, so
/// that out[o] = sum_k xd[o s + k kd] w[k]:
/// - the input's: xd's cotangent is the full convolution of the stride-dilated cotangent
///   with the kernel flipped and its channels swapped (per group); the rows of it that fall
///   on real input elements (past the low padding, every input-dilation-th) are x's. Where
///   the padding exceeds the kernel's reach the convolution is cropped by slicing, since
///   conv_general takes no negative padding.
/// - the kernel's: a ConvWeightGrad node (primitives/conv.hpp): per group, the cotangent's
///   transpose times the unrolled input, the same unrolling as the forward pass.
/// Convolutions with input dilation are transposed convolutions: they differentiate too.
template <class = void>
std::vector<array> conv_vjp(const array& node, const std::vector<array>& cots,
                            const std::vector<int>& argnums) {
  const auto& p = static_cast<const Convolution<>&>(node.primitive()).params();
  const array& x = node.inputs()[0];
  const array& w = node.inputs()[1];
  const array& g = cots[0];
  const int D = static_cast<int>(x.ndim()) - 2;
  const int G = p.groups;
  const int cin_g = w.shape()[D + 1], cout_g = w.shape()[0] / G;
  std::vector<int> ones(D, 1), kext(D), reach(D), dil_len(D);
  for (int d = 0; d < D; ++d) {
    kext[d] = (w.shape()[1 + d] - 1) * p.kernel_dilation[d] + 1;
    reach[d] = (g.shape()[1 + d] - 1) * p.stride[d] + kext[d];  // xd's positions the outputs read
    dil_len[d] = (x.shape()[1 + d] - 1) * p.input_dilation[d] + 1;
  }
  auto axes = [](std::initializer_list<std::vector<int>> parts) {
    std::vector<int> r;
    for (const auto& q : parts) r.insert(r.end(), q.begin(), q.end());
    return r;
  };
  std::vector<int> spatial(D), spatial2(D);
  for (int d = 0; d < D; ++d) {
    spatial[d] = 1 + d;
    spatial2[d] = 2 + d;
  }
  std::vector<int> swap = axes({{D + 1}, spatial, {0}});  // (A, spatial..., B) -> (B, spatial..., A)
  std::vector<array> res;
  for (int a : argnums) {
    if (a == 0) {
      // Kernel (G, cout_g, k..., cin_g) -> (G, cin_g, k..., cout_g) -> (cin, k..., cout_g).
      Shape wg = w.shape();
      wg.erase(wg.begin());
      wg.insert(wg.begin(), {G, cout_g});
      // (With one group, a plain transposed view: the convolution copies it to row-major
      // with the tiled transpose, where a reshape of the view would copy element by element.)
      array wt = transpose(w, swap);
      if (G > 1) {
        wt = transpose(reshape(w, wg), axes({{0, D + 2}, spatial2, {1}}));
        Shape wts = w.shape();
        wts[0] = G * cin_g;
        wts[D + 1] = cout_g;
        wt = reshape(wt, wts);
      }
      // The output row j of this convolution is xd's position j + kext - 1 - lo.
      std::vector<int> lo(D), hi(D);
      Shape start(D + 2, 0), stop, step(D + 2, 1);
      bool crop = false;
      for (int d = 0; d < D; ++d) {
        const int want_lo = p.pad_lo[d], want_hi = p.pad_lo[d] + dil_len[d];  // xd rows of x
        lo[d] = std::max(0, kext[d] - 1 - want_lo);
        hi[d] = std::max(0, kext[d] - 1 + want_hi - reach[d]);
        start[1 + d] = want_lo - (kext[d] - 1 - lo[d]);
        step[1 + d] = p.input_dilation[d];
        crop = crop || start[1 + d] != 0 || step[1 + d] != 1;
      }
      array gx = conv_general(g, wt, ones, lo, hi, p.kernel_dilation, p.stride, G, !p.flip);
      stop = gx.shape();
      for (int d = 0; d < D; ++d) {
        stop[1 + d] = start[1 + d] + dil_len[d];
        crop = crop || stop[1 + d] != gx.shape()[1 + d];
      }
      if (crop) gx = slice(gx, start, stop, step);
      res.push_back(gx);
    } else {
      // The kernel's: one ConvWeightGrad node (cotangentᵀ times the unrolled input).
      array gc = g.dtype() == x.dtype() ? g : array(astype(g, x.dtype()));
      res.push_back(array(w.shape(), x.dtype(), std::make_shared<ConvWeightGrad<>>(node.primitive().stream(), p),
                          {x, gc}));
    }
  }
  return res;
}

/// ConvWeightGrad's inputs are (x, g) and its value F(x, g) = d<g, conv(x, w)>/dw, bilinear.
/// Its cotangent c (kernel-shaped) goes to g as conv(x, c) (F is the adjoint of w -> conv(x, w))
/// and to x as the input gradient of conv(x, c) for the cotangent g; its tangent is
/// F(tx, g) + F(x, tg). So grad of grad works through a convolution's kernel gradient.
template <class = void>
std::vector<array> conv_weight_grad_vjp(const array& node, const std::vector<array>& cots,
                                        const std::vector<int>& argnums) {
  const auto& prim = static_cast<const ConvWeightGrad<>&>(node.primitive());
  const array& x = node.inputs()[0];
  const array& g = node.inputs()[1];
  array c = cots[0].dtype() == node.dtype() ? cots[0] : array(astype(cots[0], node.dtype()));
  array y(g.shape(), node.dtype(), std::make_shared<Convolution<>>(prim.stream(), prim.params()), {x, c});
  std::vector<array> res;
  for (int a : argnums) res.push_back(a == 1 ? y : conv_vjp(y, {g}, {0})[0]);
  return res;
}

/// conv(tx, w) + conv(x, tw), through the node's own primitive (any primitive bilinear in its
/// two inputs: Convolution, and ConvWeightGrad's F(tx, g) + F(x, tg)).
template <class = void>
std::vector<array> conv_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& in = node.inputs();
  array t;
  for (int k = 0; k < 2; ++k) {
    if (tangents[k].is_empty_handle()) continue;
    std::vector<array> args = in;
    args[k] = tangents[k].dtype() == node.dtype() ? tangents[k] : array(astype(tangents[k], node.dtype()));
    array c(node.shape(), node.dtype(), node.primitive_ptr(), std::move(args));
    t = t.is_empty_handle() ? c : array(t + c);
  }
  return {t};
}

// ---- slicing (primitives/slicing.hpp) ------------------------------------------------------

template <class = void>
std::vector<array> slice_vjp(const array& node, const std::vector<array>& cots,
                             const std::vector<int>&) {
  const auto& prim = static_cast<const Slice<>&>(node.primitive());
  const array& x = node.inputs()[0];
  const Stream s = prim.stream();
  array g = cots[0].dtype() == x.dtype() ? cots[0] : array(astype(cots[0], x.dtype(), s));
  return {array(x.shape(), x.dtype(), std::make_shared<SliceUpdate<>>(s, prim.start(), prim.steps()),
                {zeros(x.shape(), x.dtype(), s), g})};
}

template <class = void>
std::vector<array> slice_update_vjp(const array& node, const std::vector<array>& cots,
                                    const std::vector<int>& argnums) {
  const auto& prim = static_cast<const SliceUpdate<>&>(node.primitive());
  const array& upd = node.inputs()[1];
  const Stream s = prim.stream();
  std::vector<array> res;
  for (int a : argnums) {
    if (a == 0)  // the source: the cotangent outside the region
      res.push_back(array(node.shape(), node.dtype(), node.primitive_ptr(),
                          {cots[0], zeros(upd.shape(), node.dtype(), s)}));
    else
      res.push_back(array(upd.shape(), node.dtype(),
                          std::make_shared<Slice<>>(s, prim.start(), prim.steps()), {cots[0]}));
  }
  return res;
}

template <class = void>
std::vector<array> concatenate_vjp(const array& node, const std::vector<array>& cots,
                                   const std::vector<int>& argnums) {
  const int axis = static_cast<const Concatenate<>&>(node.primitive()).axis();
  std::vector<int> offsets{0};
  for (const auto& x : node.inputs()) offsets.push_back(offsets.back() + x.shape()[axis]);
  std::vector<array> res;
  for (int a : argnums) {
    Shape start(node.ndim(), 0), stop = node.shape();
    start[axis] = offsets[a];
    stop[axis] = offsets[a + 1];
    res.push_back(slice(cots[0], start, stop));
  }
  return res;
}

// ---- indexing, matmul, softmax ---------------------------------------------------------------

template <class = void>
std::vector<array> gather_vjp(const array& node, const std::vector<array>& cots,
                              const std::vector<int>& argnums) {
  const auto& prim = static_cast<const Gather<>&>(node.primitive());
  const auto& in = node.inputs();
  std::vector<array> res(argnums.size());
  for (size_t w = 0; w < argnums.size(); ++w) {
    if (argnums[w] != 0) continue;  // indices have no gradient
    std::vector<array> idx(in.begin() + 1, in.end());
    res[w] = scatter_add(zeros(in[0].shape(), in[0].dtype()), idx, cots[0], prim.axes());
  }
  return res;
}

template <class = void>
std::vector<array> gather_jvp(const array& node, const std::vector<array>& tangents) {
  std::vector<array> in = node.inputs();
  if (tangents[0].is_empty_handle()) return {zeros(node.shape(), node.dtype())};
  in[0] = tangents[0];
  return {array(node.shape(), node.dtype(), node.primitive_ptr(), std::move(in))};
}

/// Cotangents of a @ b (NumPy's 1-d conventions: a 1-d a is a row, a 1-d b a column).
template <class = void>
std::vector<array> matmul_cotangents(const array& a, const array& b, const array& g,
                                     const std::vector<int>& argnums, float scale) {
  array A = a.ndim() == 1 ? reshape(a, {1, a.shape(0)}) : a;
  array B = b.ndim() == 1 ? reshape(b, {b.shape(0), 1}) : b;
  Shape gs = g.shape();
  if (a.ndim() == 1) gs.insert(gs.end() - (b.ndim() == 1 ? 0 : 1), 1);
  if (b.ndim() == 1) gs.push_back(1);
  array G = reshape(g, gs);
  std::vector<array> res;
  for (int k : argnums) {
    array r = k == 0 ? matmul(G, swapaxes(B, -1, -2)) : matmul(swapaxes(A, -1, -2), G);
    const array& x = k == 0 ? a : b;
    r = sum_to_shape(r, k == 0 ? A.shape() : B.shape());
    if (scale != 1.0f) r = array(r * array(scale, r.dtype()));
    res.push_back(reshape(r, x.shape()));
  }
  return res;
}

template <class = void>
std::vector<array> matmul_vjp(const array& node, const std::vector<array>& cots,
                              const std::vector<int>& argnums) {
  return matmul_cotangents(node.inputs()[0], node.inputs()[1], cots[0], argnums, 1.0f);
}

template <class = void>
std::vector<array> addmm_vjp(const array& node, const std::vector<array>& cots,
                             const std::vector<int>& argnums) {
  const auto& prim = static_cast<const AddMM<>&>(node.primitive());
  std::vector<array> res;
  for (int k : argnums) {
    if (k == 2) {
      array g = sum_to_shape(cots[0], node.inputs()[2].shape());
      res.push_back(prim.beta() == 1.0f ? g : array(g * array(prim.beta(), g.dtype())));
    } else {
      res.push_back(matmul_cotangents(node.inputs()[0], node.inputs()[1], cots[0], {k},
                                      prim.alpha())[0]);
    }
  }
  return res;
}

template <class = void>
std::vector<array> matmul_jvp(const array& node, const std::vector<array>& tangents) {
  const auto& in = node.inputs();
  array t;
  auto acc = [&](const array& x) { t = t.is_empty_handle() ? x : array(t + x); };
  if (!tangents[0].is_empty_handle()) acc(matmul(tangents[0], in[1]));
  if (!tangents[1].is_empty_handle()) acc(matmul(in[0], tangents[1]));
  if (auto* p = dynamic_cast<const AddMM<>*>(&node.primitive())) {
    if (!t.is_empty_handle() && p->alpha() != 1.0f) t = array(t * array(p->alpha(), t.dtype()));
    if (!tangents[2].is_empty_handle()) {
      array c = broadcast_to(tangents[2], node.shape());
      acc(p->beta() == 1.0f ? c : array(c * array(p->beta(), c.dtype())));
    }
  }
  return {t};
}

/// Softmax over the last axis: s * (g - sum(g * s)).
template <class = void>
std::vector<array> softmax_vjp(const array& node, const std::vector<array>& cots,
                               const std::vector<int>&) {
  const array& s = node;
  const array& g = cots[0];
  return {array(s * (g - sum(g * s, -1, true)))};
}

template <class = void>
std::vector<array> softmax_jvp(const array& node, const std::vector<array>& tangents) {
  return softmax_vjp(node, tangents, {0});  // the Jacobian is symmetric
}

// ---- the tables ---------------------------------------------------------------------------

struct PrimitiveRules {
  VjpRule vjp = nullptr;
  JvpRule jvp = nullptr;
};

template <class = void>
const std::unordered_map<std::type_index, PrimitiveRules>& primitive_rules() {
  static const std::unordered_map<std::type_index, PrimitiveRules> table{
      {typeid(TraceInput<>), {&reshape_like_vjp<>, &linear_jvp<>}},
      {typeid(Reshape<>), {&reshape_like_vjp<>, &linear_jvp<>}},
      {typeid(ExpandSqueeze<>), {&reshape_like_vjp<>, &linear_jvp<>}},
      {typeid(Contiguous<>), {&reshape_like_vjp<>, &linear_jvp<>}},
      {typeid(Broadcast<>), {&broadcast_vjp<>, &linear_jvp<>}},
      {typeid(Transpose<>), {&transpose_vjp<>, &linear_jvp<>}},
      {typeid(AsStrided<>), {&as_strided_vjp<>, &linear_jvp<>}},
      {typeid(Depends<>), {&depends_vjp<>, &depends_jvp<>}},
      {typeid(Convolution<>), {&conv_vjp<>, &conv_jvp<>}},
      {typeid(ConvWeightGrad<>), {&conv_weight_grad_vjp<>, &conv_jvp<>}},
      {typeid(Slice<>), {&slice_vjp<>, &linear_jvp<>}},
      {typeid(SliceUpdate<>), {&slice_update_vjp<>, &linear_jvp<>}},
      {typeid(Concatenate<>), {&concatenate_vjp<>, &linear_jvp<>}},
      {typeid(Gather<>), {&gather_vjp<>, &gather_jvp<>}},
      {typeid(Scan<>), {&scan_vjp<>, &scan_jvp<>}},
      {typeid(Sort<>), {&sort_family_vjp<>, &sort_family_jvp<>}},
      {typeid(Partition<>), {&sort_family_vjp<>, &sort_family_jvp<>}},
      {typeid(TopK<>), {&sort_family_vjp<>, &sort_family_jvp<>}},
      {typeid(ArgSort<>), {&sort_family_vjp<>, &sort_family_jvp<>}},
      {typeid(ArgPartition<>), {&sort_family_vjp<>, &sort_family_jvp<>}},
      {typeid(Matmul<>), {&matmul_vjp<>, &matmul_jvp<>}},
      {typeid(AddMM<>), {&addmm_vjp<>, &matmul_jvp<>}},
      {typeid(Softmax<>), {&softmax_vjp<>, &softmax_jvp<>}},
      {typeid(FFT<>), {&fft_vjp<>, &fft_jvp<>}},
      {typeid(Inverse<>), {&inverse_vjp<>, &inverse_jvp<>}},
      {typeid(Cholesky<>), {&cholesky_vjp<>, &cholesky_jvp<>}},
      {typeid(Solve<>), {&solve_vjp<>, &solve_jvp<>}},
      {typeid(Eigh<>), {&eigh_vjp<>, &eigh_jvp<>}},
      {typeid(SVD<>), {&svd_vjp<>, &svd_jvp<>}},
      {typeid(QRF<>), {&qr_vjp<>, &qr_jvp<>}},
      {typeid(PseudoInverse<>), {&pinv_vjp<>, &pinv_jvp<>}},
      {typeid(Cross<>), {&cross_vjp<>, &cross_jvp<>}},
  };
  return table;
}

/// The vjp of one node (dispatching to the rule for its primitive).
template <class = void>
std::vector<array> node_vjp(const array& node, const std::vector<array>& cots,
                            const std::vector<int>& argnums) {
  Primitive& prim = node.primitive();
  if (dynamic_cast<ExpressionPrimitive*>(&prim)) return expression_vjp(node, cots, argnums);
  const auto& table = primitive_rules();
  if (auto it = table.find(typeid(prim)); it != table.end() && it->second.vjp)
    return it->second.vjp(node, cots, argnums);
  return prim.vjp(node.inputs(), cots, argnums, node.outputs());
}

template <class = void>
std::vector<array> node_jvp(const array& node, const std::vector<array>& tangents) {
  Primitive& prim = node.primitive();
  if (dynamic_cast<ExpressionPrimitive*>(&prim)) return expression_jvp(node, tangents);
  const auto& table = primitive_rules();
  if (auto it = table.find(typeid(prim)); it != table.end() && it->second.jvp)
    return it->second.jvp(node, tangents);
  std::vector<int> argnums;
  std::vector<array> ts;
  for (size_t k = 0; k < tangents.size(); ++k)
    if (!tangents[k].is_empty_handle()) {
      argnums.push_back(static_cast<int>(k));
      ts.push_back(tangents[k]);
    }
  return prim.jvp(node.inputs(), ts, argnums);
}

}  // namespace detail

}  // namespace mlx::core
