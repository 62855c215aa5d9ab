// SPDX-License-Identifier: MIT
// Linear, Bilinear and Identity (MLX's mlx.nn layers of the same names, same initialisation).
#pragma once

#include <cmath>
#include <string>

#include "mlx/nn/module.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn {

/// Returns its input.
class Identity : public Module {
 public:
  std::string name() const override { return "Identity"; }
  array operator()(const array& x) override { return x; }
};

/// y = x W^T + b with W of shape [output_dims, input_dims] and b of shape [output_dims],
/// both drawn from U(-1/sqrt(input_dims), 1/sqrt(input_dims)) as MLX does.
template <class = void>
class LinearImpl : public Module {
 public:
  LinearImpl(int input_dims, int output_dims, bool bias = true) {
    if (input_dims <= 0 || output_dims <= 0)
      core::detail::fail("nn.Linear", "input_dims and output_dims must be positive, got ", input_dims, " and ",
                         output_dims, ".");
    const float scale = 1.0f / std::sqrt(static_cast<float>(input_dims));
    register_parameter("weight", core::random::uniform(-scale, scale, {output_dims, input_dims}));
    if (bias) register_parameter("bias", core::random::uniform(-scale, scale, {output_dims}));
  }
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return "input_dims=" + std::to_string(w.shape(1)) + ", output_dims=" + std::to_string(w.shape(0)) +
           ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override {
    array wt = core::transpose(local("weight"));
    if (has_parameter("bias")) return core::addmm(local("bias"), x, wt);
    return core::matmul(x, wt);
  }
};
using Linear = LinearImpl<>;

/// y_i = x1^T W_i x2 + b_i with W of shape [output_dims, input2_dims, input1_dims] and b of
/// shape [output_dims], both from U(-1/sqrt(input1_dims), 1/sqrt(input1_dims)) (MLX).
template <class = void>
class BilinearImpl : public Module {
 public:
  BilinearImpl(int input1_dims, int input2_dims, int output_dims, bool bias = true) {
    const float scale = 1.0f / std::sqrt(static_cast<float>(input1_dims));
    register_parameter("weight", core::random::uniform(-scale, scale, {output_dims, input2_dims, input1_dims}));
    if (bias) register_parameter("bias", core::random::uniform(-scale, scale, {output_dims}));
  }
  std::string name() const override { return "Bilinear"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return "input1_dims=" + std::to_string(w.shape(2)) + ", input2_dims=" + std::to_string(w.shape(1)) +
           ", output_dims=" + std::to_string(w.shape(0)) + ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  using Module::operator();
  array operator()(const array& x1, const array& x2) {
    const auto& w = local("weight");
    const int out = w.shape(0), in2 = w.shape(1), in1 = w.shape(2);
    core::Shape lead(x1.shape().begin(), x1.shape().end() - 1);
    if (x1.ndim() == 0 || x1.shape(-1) != in1 || x2.ndim() == 0 || x2.shape(-1) != in2)
      core::detail::fail("nn.Bilinear", "Expected inputs with last dimensions ", in1, " and ", in2, ", got shapes ",
                         x1.shape(), " and ", x2.shape(), ".");
    // (n, in1) @ (in1, out*in2) -> (n, out, in2) -> (n, in2, out); then (n, 1, in2) @ it.
    array a = core::reshape(x1, {-1, in1});
    array b = core::reshape(x2, {-1, 1, in2});
    array y = core::matmul(a, core::transpose(core::reshape(w, {out * in2, in1})));
    y = core::swapaxes(core::reshape(y, {-1, out, in2}), -2, -1);
    y = core::squeeze(core::matmul(b, y), 1);
    if (has_parameter("bias")) y = array(y + local("bias"));
    lead.push_back(out);
    return core::reshape(y, lead);
  }
};
using Bilinear = BilinearImpl<>;

}  // namespace mlx::nn
