// SPDX-License-Identifier: MIT
// Test support: the PyTorch references in tests/data/torch_fixtures.json, written by
// tests/data/make_torch_fixtures.py (which says how each reference is computed). A case
// holds "inputs", "outputs" and optionally "params", "grads" and "extra", each tensor as
// {"shape": [...], "data": [...]} in row-major order.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "array_values.hpp"
#include "mlx/mlx.hpp"

namespace mlxtest {

/// The whole fixture file, read once (MLXPP_TEST_ROOT names <repo>/tests; CTest sets it).
inline const nlohmann::json& torch_fixtures() {
  static const nlohmann::json j = [] {
    const char* root = std::getenv("MLXPP_TEST_ROOT");
    const std::string path = std::string(root ? root : "tests") + "/data/torch_fixtures.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path + " (set MLXPP_TEST_ROOT to <repo>/tests)");
    return nlohmann::json::parse(in);
  }();
  return j;
}

/// One case by name.
inline const nlohmann::json& torch_case(const std::string& name) {
  const auto& all = torch_fixtures();
  if (!all.contains(name)) throw std::runtime_error("no fixture case " + name);
  return all.at(name);
}

/// A stored tensor as an array of `dtype` (float32 unless asked).
inline mlx::core::array fixture_array(const nlohmann::json& t, mlx::core::Dtype dtype = mlx::core::float32) {
  mlx::core::Shape shape = t.at("shape").get<mlx::core::Shape>();
  std::vector<double> v = t.at("data").get<std::vector<double>>();
  return mlx::core::astype(mlx::core::array(v.begin(), shape, mlx::core::float64), dtype);
}

/// Every entry of a case's "params" as a ParameterMap (for Module::update).
inline std::map<std::string, mlx::core::array> fixture_params(const nlohmann::json& c) {
  std::map<std::string, mlx::core::array> p;
  for (const auto& [k, v] : c.at("params").items()) p.emplace(k, fixture_array(v));
  return p;
}

/// Expects `got` to have the stored tensor's shape and each element within
/// atol + rtol * |want|.
inline void expect_fixture(const mlx::core::array& got, const nlohmann::json& want, double atol,
                           const std::string& what, double rtol = 1e-4) {
  mlx::core::Shape shape = want.at("shape").get<mlx::core::Shape>();
  ASSERT_EQ(got.shape(), shape) << what;
  std::vector<double> g = to_doubles(got), w = want.at("data").get<std::vector<double>>();
  ASSERT_EQ(g.size(), w.size()) << what;
  int bad = 0;
  for (size_t i = 0; i < g.size() && bad < 5; ++i)
    if (!(std::abs(g[i] - w[i]) <= atol + rtol * std::abs(w[i]))) {
      ADD_FAILURE() << what << "[" << i << "]: got " << g[i] << ", want " << w[i];
      ++bad;
    }
}

}  // namespace mlxtest
