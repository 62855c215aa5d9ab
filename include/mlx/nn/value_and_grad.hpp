// SPDX-License-Identifier: MIT
// nn::value_and_grad (MLX's mlx.nn.value_and_grad): the loss of a module and its gradients
// with respect to the module's trainable parameters.
//
//   auto loss_and_grad = nn::value_and_grad(model, [&](const std::vector<mx::array>& in) {
//     return nn::losses::cross_entropy(model(in[0]), in[1], std::nullopt, -1, 0.0f, "mean");
//   });
//   auto [loss, grads] = loss_and_grad({x, y});   // grads: ParameterMap by dotted name
//   optimizer.update(model, grads);
//
// Built on mlx::core::value_and_grad (transforms/autodiff.hpp).
#pragma once

#include <functional>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "mlx/nn/module.hpp"
#include "mlx/transforms/autodiff.hpp"

namespace mlx::nn {

/// A function of the loss inputs returning (loss, gradients of the loss with respect to
/// every trainable parameter of `model`, by full dotted name). loss_fn takes the inputs
/// and returns the (scalar) loss, calling `model` inside. During the call the model's
/// trainable parameters are replaced by the arrays the transform traces; the original
/// arrays are put back afterwards (also when loss_fn throws). `model` must outlive the
/// returned function.
template <class F>
  requires std::is_invocable_r_v<array, F, const std::vector<array>&>
std::function<std::pair<array, ParameterMap>(const std::vector<array>&)> value_and_grad(Module& model, F loss_fn) {
  return [&model, loss_fn = std::move(loss_fn)](const std::vector<array>& inputs) -> std::pair<array, ParameterMap> {
    const ParameterMap original = model.trainable_parameters();
    std::vector<std::string> names;
    std::vector<array> args;
    names.reserve(original.size());
    args.reserve(original.size() + inputs.size());
    for (const auto& [k, v] : original) {
      names.push_back(k);
      args.push_back(v);
    }
    const size_t n = names.size();
    args.insert(args.end(), inputs.begin(), inputs.end());

    // Puts the original parameters back however the call ends.
    struct Restore {
      Module& m;
      const ParameterMap& p;
      ~Restore() { m.update(p); }
    } restore{model, original};

    std::function<std::vector<array>(const std::vector<array>&)> inner =
        [&](const std::vector<array>& traced) -> std::vector<array> {
      ParameterMap params;
      for (size_t i = 0; i < n; ++i) params.emplace(names[i], traced[i]);
      model.update(params);
      std::vector<array> rest(traced.begin() + static_cast<std::ptrdiff_t>(n), traced.end());
      return {loss_fn(rest)};
    };
    std::vector<int> argnums(n);
    std::iota(argnums.begin(), argnums.end(), 0);
    auto [values, grads] = core::value_and_grad(inner, argnums)(args);
    ParameterMap out;
    for (size_t i = 0; i < n; ++i) out.emplace(names[i], grads[i]);
    return {values.at(0), std::move(out)};
  };
}

}  // namespace mlx::nn
