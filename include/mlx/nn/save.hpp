// SPDX-License-Identifier: MIT
// Weights in the safetensors format (the format of MLX's save_weights/load_weights with a
// .safetensors path). The format itself (reader, writer, checks) lives in
// mlx/io/safetensors.hpp; this header adapts it to ParameterMaps and modules.
//
// save_safetensors / load_safetensors work on ParameterMaps; Module::save_weights and
// Module::load_weights (declared in module.hpp) use them. Errors: a file that cannot be
// opened or is malformed -> std::runtime_error "[load_safetensors] '<path>': <problem>";
// a tensor whose shape differs from the parameter's -> std::invalid_argument naming it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mlx/io/safetensors.hpp"
#include "mlx/nn/module.hpp"

namespace mlx::nn {

/// Writes arrays (evaluated here) and optional string metadata to a safetensors file at
/// exactly `path` (no extension added, unlike core::save_safetensors), through a temporary
/// file so that an error leaves nothing half written.
/// \throws std::runtime_error when the file cannot be written.
template <class = void>
void save_safetensors(const std::string& path, const ParameterMap& arrays,
                      const std::map<std::string, std::string>& metadata = {}) {
  core::io::detail::write_file_atomically("nn.save_safetensors", path, [&](std::ostream& out) {
    core::io::detail::safetensors_write("nn.save_safetensors", out, core::io::detail::named_arrays(arrays), metadata);
  });
}

/// Reads every tensor of a safetensors file (metadata into *metadata when given).
/// \throws std::runtime_error naming the file and the problem when it cannot be opened or
/// is malformed (core::load_safetensors's checks).
template <class = void>
ParameterMap load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr) {
  auto [arrays, meta] = core::load_safetensors(path);
  if (metadata) metadata->insert(meta.begin(), meta.end());
  return ParameterMap(arrays.begin(), arrays.end());
}

/// Saves a module's parameters() (frozen ones included, as MLX does).
template <class = void>
void save_weights(const Module& model, const std::string& path) {
  save_safetensors(path, model.parameters());
}

/// Loads a safetensors file into a module. strict: the file must hold exactly the
/// module's parameters. Loaded arrays keep the file's dtype (as MLX's load_weights).
/// \throws std::invalid_argument naming a parameter that is missing, unexpected or has
/// another shape; std::runtime_error for an unreadable or malformed file.
template <class = void>
Module& load_weights(Module& model, const std::string& path, bool strict = true) {
  ParameterMap loaded = load_safetensors(path);
  ParameterMap current = model.parameters();
  ParameterMap apply;
  for (const auto& [k, v] : loaded) {
    auto it = current.find(k);
    if (it == current.end()) {
      if (strict) core::detail::fail("nn.load_weights", "Received parameter \"", k, "\" not in model ", model.name(), ".");
      continue;
    }
    if (it->second.shape() != v.shape())
      core::detail::fail("nn.load_weights", "Expected shape ", it->second.shape(), " but received shape ", v.shape(),
                         " for parameter \"", k, "\".");
    apply.emplace(k, v);
  }
  if (strict)
    for (const auto& [k, v] : current)
      if (!loaded.count(k)) core::detail::fail("nn.load_weights", "Missing parameter \"", k, "\" in '", path, "'.");
  model.update(apply);
  return model;
}

template <class>
void Module::save_weights(const std::string& path) const {
  nn::save_weights(*this, path);
}
template <class>
Module& Module::load_weights(const std::string& path, bool strict) {
  return nn::load_weights(*this, path, strict);
}

}  // namespace mlx::nn
