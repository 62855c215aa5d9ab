// SPDX-License-Identifier: MIT
// nn::checkpoint (MLX's mlx.nn.utils.checkpoint): gradient checkpointing of a call into a
// module. core::checkpoint (transforms/custom.hpp) differentiates only through the arrays
// it is given: a lambda that captures a module would hand its parameters no gradient, since
// the recomputation treats captured arrays as constants. nn::checkpoint passes the module's
// trainable parameters in as explicit inputs, so they get their gradients.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mlx/nn/module.hpp"
#include "mlx/transforms/custom.hpp"

namespace mlx::nn {

using ArraysFn = std::function<std::vector<array>(const std::vector<array>&)>;

/// fn (which calls into `module`) with a vjp that recomputes it in the backward pass,
/// keeping only its inputs and the module's trainable parameters, not its intermediates
/// (docs/transforms.md#checkpoint). Gradients reach the inputs and the trainable parameters
/// (through nn::value_and_grad) as without the checkpoint. Frozen parameters stay constants.
/// `module` must outlive the returned function; fn should be pure (no fresh random draws:
/// dropout would drop differently in the recomputation, as in MLX).
template <class = void>
ArraysFn checkpoint(Module& module, ArraysFn fn) {
  return [&module, fn = std::move(fn)](const std::vector<array>& inputs) {
    const ParameterMap current = module.trainable_parameters();
    auto names = std::make_shared<std::vector<std::string>>();
    std::vector<array> args;
    args.reserve(current.size() + inputs.size());
    for (const auto& [k, v] : current) {
      names->push_back(k);
      args.push_back(v);
    }
    args.insert(args.end(), inputs.begin(), inputs.end());
    // Runs once for the outputs and once per backward pass, each time on the arrays the
    // transform traces; the module's parameters are put back afterwards.
    ArraysFn with_params = [&module, fn, names](const std::vector<array>& traced) {
      const size_t n = names->size();
      ParameterMap params, before = module.trainable_parameters();
      for (size_t i = 0; i < n; ++i) params.emplace((*names)[i], traced[i]);
      struct Restore {
        Module& m;
        const ParameterMap& p;
        ~Restore() { m.update(p); }
      } restore{module, before};
      module.update(params);
      return fn(std::vector<array>(traced.begin() + static_cast<std::ptrdiff_t>(n), traced.end()));
    };
    return core::checkpoint<>(std::move(with_params))(args);
  };
}

/// checkpoint(module, fn) for a module called on one array: checkpoint(layer)(x).
template <class = void>
std::function<array(const array&)> checkpoint(Module& module) {
  ArraysFn f = checkpoint<>(module, [&module](const std::vector<array>& in) {
    return std::vector<array>{module(in[0])};
  });
  return [f](const array& x) { return f({x})[0]; };
}

}  // namespace mlx::nn
