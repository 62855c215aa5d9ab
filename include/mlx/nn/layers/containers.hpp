// SPDX-License-Identifier: MIT
// Sequential (MLX's mlx.nn.Sequential) and Lambda, a module around a function.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mlx/nn/module.hpp"

namespace mlx::nn {

/// A module that applies a function (lets Sequential hold nn::relu<> or a lambda).
class Lambda : public Module {
 public:
  explicit Lambda(std::function<array(const array&)> fn) : fn_(std::move(fn)) {}
  std::string name() const override { return "Lambda"; }
  array operator()(const array& x) override { return fn_(x); }

 private:
  std::function<array(const array&)> fn_;
};

/// Calls its layers in order. The layers are children named "layers.0", "layers.1", ...
/// (MLX keeps them in a list attribute called `layers`), so parameters are
/// "layers.0.weight" and so on. Functions are wrapped in a Lambda module.
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<ModulePtr>& layers) {
    for (auto& l : layers) append(l);
  }
  template <class... L>
    requires(sizeof...(L) > 0)
  explicit Sequential(L&&... layers) {
    (add_one(std::forward<L>(layers)), ...);
  }

  std::string name() const override { return "Sequential"; }
  array operator()(const array& x) override {
    array y = x;
    for (auto& l : layers_) y = (*l)(y);
    return y;
  }

  /// Adds a layer at the end.
  Sequential& append(ModulePtr layer) {
    register_module("layers." + std::to_string(layers_.size()), layer);
    layers_.push_back(std::move(layer));
    return *this;
  }
  Sequential& append(std::function<array(const array&)> fn) {
    return append(std::make_shared<Lambda>(std::move(fn)));
  }
  size_t size() const { return layers_.size(); }
  /// The i-th layer.
  const ModulePtr& operator[](size_t i) const { return layers_.at(i); }
  const std::vector<ModulePtr>& layers() const { return layers_; }

 protected:
  // Any layer may be swapped (update_modules, nn::quantize): layers_ follows children().
  bool accepts_child(const std::string&, const Module&) const override { return true; }
  void child_replaced(const std::string& local_name, const ModulePtr& replacement) override {
    for (size_t i = 0; i < children().size(); ++i)
      if (children()[i].first == local_name) layers_[i] = replacement;
  }

 private:
  template <class L>
  void add_one(L&& l) {
    using D = std::remove_cvref_t<L>;
    if constexpr (std::is_convertible_v<D, ModulePtr>)
      append(ModulePtr(std::forward<L>(l)));
    else
      append(std::function<array(const array&)>(std::forward<L>(l)));
  }
  std::vector<ModulePtr> layers_;
};

}  // namespace mlx::nn
