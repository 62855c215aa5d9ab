// SPDX-License-Identifier: MIT
// custom_vjp and custom_function (MLX's transforms.h): a function whose derivatives the user
// writes. The outputs are computed by the function as usual; a CustomTransforms node takes
// the primals and those outputs as inputs and hands the outputs on unchanged. Its vjp and
// jvp call the user's rules; without a rule, derivatives flow through the outputs' own graph.
// checkpoint is a custom_vjp whose rule runs the function again (gradient checkpointing).
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "mlx/ops/shape.hpp"
#include "mlx/transforms/autodiff.hpp"

namespace mlx::core {

using CustomVjpFn = std::function<std::vector<array>(
    const std::vector<array>& primals, const std::vector<array>& cotangents,
    const std::vector<array>& outputs)>;
using CustomJvpFn = std::function<std::vector<array>(
    const std::vector<array>& primals, const std::vector<array>& tangents,
    const std::vector<int>& argnums)>;
using CustomVmapFn = std::function<std::pair<std::vector<array>, std::vector<int>>(
    const std::vector<array>& inputs, const std::vector<int>& axes)>;

namespace detail {

/// Inputs: the primals, then the function's outputs; outputs: those outputs, shared.
template <class = void>
class CustomTransforms : public Primitive {
 public:
  CustomTransforms(Stream s, int num_primals, std::optional<CustomVjpFn> vjp,
                   std::optional<CustomJvpFn> jvp)
      : Primitive(s), n_(num_primals), vjp_(std::move(vjp)), jvp_(std::move(jvp)) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    for (size_t i = 0; i < outputs.size(); ++i) outputs[i].copy_shared_buffer(inputs[n_ + i]);
  }

  std::vector<array> vjp(const std::vector<array>& inputs, const std::vector<array>& cots,
                         const std::vector<int>& argnums, const std::vector<array>& outputs) override {
    std::vector<array> res(argnums.size());
    if (!vjp_) {  // through the outputs' own graph
      for (size_t k = 0; k < argnums.size(); ++k)
        if (argnums[k] >= n_) res[k] = cots[argnums[k] - n_];
      return res;
    }
    std::vector<array> primals(inputs.begin(), inputs.begin() + n_);
    std::vector<array> g = (*vjp_)(primals, cots, outputs);
    if (static_cast<int>(g.size()) != n_)
      fail("custom_vjp", "The vjp function returned ", g.size(), " cotangents for ", n_,
           " primals.");
    for (size_t k = 0; k < argnums.size(); ++k)
      if (argnums[k] < n_) {
        const array& p = inputs[argnums[k]];
        if (g[argnums[k]].shape() != p.shape())
          fail("custom_vjp", "The cotangent of primal ", argnums[k], " has shape ",
               g[argnums[k]].shape(), " but the primal has shape ", p.shape(), ".");
        res[k] = g[argnums[k]];
      }
    return res;
  }

  std::vector<array> jvp(const std::vector<array>& inputs, const std::vector<array>& tangents,
                         const std::vector<int>& argnums) override {
    if (!jvp_) {  // the outputs' tangents, which the forward walk computed through their graph
      std::vector<array> res(inputs.size() - n_);
      for (size_t k = 0; k < argnums.size(); ++k)
        if (argnums[k] >= n_) res[argnums[k] - n_] = tangents[k];
      return res;
    }
    std::vector<array> primals(inputs.begin(), inputs.begin() + n_);
    std::vector<array> ts;
    std::vector<int> which;
    for (size_t k = 0; k < argnums.size(); ++k)
      if (argnums[k] < n_) {
        ts.push_back(tangents[k]);
        which.push_back(argnums[k]);
      }
    if (which.empty()) return std::vector<array>(inputs.size() - n_);
    return (*jvp_)(primals, ts, which);
  }

  const char* name() const override { return "CustomTransforms"; }

 private:
  int n_;
  std::optional<CustomVjpFn> vjp_;
  std::optional<CustomJvpFn> jvp_;
};

}  // namespace detail

/// fun, with derivatives from the given rules: fun_vjp(primals, cotangents, outputs) returns
/// one cotangent per primal; fun_jvp(primals, tangents, argnums) one tangent per output.
/// A rule left out makes that mode differentiate fun itself. (fun_vmap is kept for MLX's
/// signature; there is no vmap yet.)
template <class = void>
std::function<std::vector<array>(const std::vector<array>&)> custom_function(
    std::function<std::vector<array>(const std::vector<array>&)> fun,
    std::optional<CustomVjpFn> fun_vjp = std::nullopt,
    std::optional<CustomJvpFn> fun_jvp = std::nullopt,
    std::optional<CustomVmapFn> fun_vmap = std::nullopt) {
  (void)fun_vmap;
  return [fun = std::move(fun), fun_vjp = std::move(fun_vjp),
          fun_jvp = std::move(fun_jvp)](const std::vector<array>& primals) {
    std::vector<array> outs = fun(primals);
    std::vector<Shape> shapes;
    std::vector<Dtype> dtypes;
    for (const auto& o : outs) {
      shapes.push_back(o.shape());
      dtypes.push_back(o.dtype());
    }
    std::vector<array> inputs = primals;
    inputs.insert(inputs.end(), outs.begin(), outs.end());
    auto prim = std::make_shared<detail::CustomTransforms<>>(
        to_stream({}), static_cast<int>(primals.size()), fun_vjp, fun_jvp);
    return array::make_arrays(std::move(shapes), dtypes, prim, inputs);
  };
}

/// fun with the vector-Jacobian product fun_vjp(primals, cotangents, outputs).
template <class = void>
std::function<std::vector<array>(const std::vector<array>&)> custom_vjp(
    std::function<std::vector<array>(const std::vector<array>&)> fun, CustomVjpFn fun_vjp) {
  return custom_function<>(std::move(fun), std::move(fun_vjp));
}

/// fun, differentiated by running it again (gradient checkpointing, MLX's checkpoint): the
/// outputs are fun's, but a vjp through them keeps only fun's inputs, not its intermediates,
/// and recomputes those when the backward pass reaches fun. Checkpointing the segments of a
/// long chain bounds the memory of a training step by the segment boundaries plus one
/// segment's intermediates, at the cost of a second forward pass (docs/transforms.md).
/// jvp goes through fun's own graph; grad of grad works (the recomputation is an ordinary
/// graph). fun should be pure: a draw from the global random key inside it is drawn afresh
/// in the recomputation (pass fun an explicit key instead).
template <class = void>
std::function<std::vector<array>(const std::vector<array>&)> checkpoint(
    std::function<std::vector<array>(const std::vector<array>&)> fun) {
  CustomVjpFn recompute = [fun](const std::vector<array>& primals,
                                const std::vector<array>& cotangents,
                                const std::vector<array>&) {
    // The recomputation reads the primals through depends(primals, cotangents): eval walks
    // the graph depth first, so it reaches this segment's recomputation only after the
    // cotangents (the rest of the backward pass) are done, and then frees it before going
    // on to the previous segment. Read directly, every segment's recomputation would be
    // evaluated first and alive at once, which is what checkpointing avoids.
    return vjp<>(fun, depends<>(primals, cotangents), cotangents).second;
  };
  return custom_vjp<>(std::move(fun), std::move(recompute));
}

}  // namespace mlx::core
