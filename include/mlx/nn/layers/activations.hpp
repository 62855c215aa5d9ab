// SPDX-License-Identifier: MIT
// Activation layers (MLX's mlx.nn.ReLU, GELU, PReLU, ...): modules that call the free
// functions of nn/activations.hpp. Each is a class template behind an alias
// (`using ReLU = ReLUImpl<>`) so that including this header instantiates no kernel.
#pragma once

#include <string>

#include "mlx/nn/activations.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/ops/creation.hpp"

namespace mlx::nn {

// A parameterless activation layer whose forward pass is one free function.
#define MLXPP_NN_ACTIVATION(Cls, call)                                  \
  template <class = void>                                               \
  class Cls##Impl : public Module {                                     \
   public:                                                              \
    std::string name() const override { return #Cls; }                  \
    array operator()(const array& x) override { return call; }          \
  };                                                                    \
  using Cls = Cls##Impl<>;

MLXPP_NN_ACTIVATION(ReLU, nn::relu(x))
MLXPP_NN_ACTIVATION(ReLU6, nn::relu6(x))
MLXPP_NN_ACTIVATION(SELU, nn::selu(x))
MLXPP_NN_ACTIVATION(SiLU, nn::silu(x))
MLXPP_NN_ACTIVATION(Mish, nn::mish(x))
MLXPP_NN_ACTIVATION(Sigmoid, nn::sigmoid(x))
MLXPP_NN_ACTIVATION(HardSigmoid, nn::hard_sigmoid(x))
MLXPP_NN_ACTIVATION(Tanh, nn::tanh(x))
MLXPP_NN_ACTIVATION(Softplus, nn::softplus(x))
MLXPP_NN_ACTIVATION(Softsign, nn::softsign(x))
MLXPP_NN_ACTIVATION(LogSigmoid, nn::log_sigmoid(x))
MLXPP_NN_ACTIVATION(Hardswish, nn::hardswish(x))
#undef MLXPP_NN_ACTIVATION

// Activation layers with one constructor argument, printed as MLX does.
#define MLXPP_NN_ACTIVATION_ARG(Cls, Arg, arg, dflt, call, repr)        \
  template <class = void>                                               \
  class Cls##Impl : public Module {                                     \
   public:                                                              \
    explicit Cls##Impl(Arg arg = dflt) : arg##_(arg) {}                 \
    std::string name() const override { return #Cls; }                  \
    std::string extra_repr() const override { return repr; }            \
    array operator()(const array& x) override {                         \
      Arg arg = arg##_;                                                 \
      return call;                                                      \
    }                                                                   \
                                                                        \
   private:                                                             \
    Arg arg##_;                                                         \
  };                                                                    \
  using Cls = Cls##Impl<>;

MLXPP_NN_ACTIVATION_ARG(LeakyReLU, float, negative_slope, 0.01f, nn::leaky_relu(x, negative_slope), "")
MLXPP_NN_ACTIVATION_ARG(ELU, float, alpha, 1.0f, nn::elu(x, alpha), "")
MLXPP_NN_ACTIVATION_ARG(CELU, float, alpha, 1.0f, nn::celu(x, alpha), "")
MLXPP_NN_ACTIVATION_ARG(Step, float, threshold, 0.0f, nn::step(x, threshold), "")
MLXPP_NN_ACTIVATION_ARG(Softshrink, float, lambd, 0.5f, nn::softshrink(x, lambd), "")
MLXPP_NN_ACTIVATION_ARG(HardShrink, float, lambd, 0.5f, nn::hard_shrink(x, lambd), "")
MLXPP_NN_ACTIVATION_ARG(LogSoftmax, int, axis, -1, nn::log_softmax(x, axis), "")
MLXPP_NN_ACTIVATION_ARG(Softmax, int, axis, -1, nn::softmax(x, axis), "")
MLXPP_NN_ACTIVATION_ARG(Softmin, int, axis, -1, nn::softmin(x, axis), "")
MLXPP_NN_ACTIVATION_ARG(GLU, int, axis, -1, nn::glu(x, axis), "")
#undef MLXPP_NN_ACTIVATION_ARG

/// HardTanh(min_val=-1, max_val=1).
template <class = void>
class HardTanhImpl : public Module {
 public:
  explicit HardTanhImpl(float min_val = -1.0f, float max_val = 1.0f) : lo_(min_val), hi_(max_val) {}
  std::string name() const override { return "HardTanh"; }
  array operator()(const array& x) override { return nn::hard_tanh(x, lo_, hi_); }

 private:
  float lo_, hi_;
};
using HardTanh = HardTanhImpl<>;

/// GELU(approx): "none" (exact, erf), "precise" or "tanh" (gelu_approx), "fast"
/// (gelu_fast_approx), as MLX.
/// \throws std::invalid_argument for another approx.
template <class = void>
class GELUImpl : public Module {
 public:
  explicit GELUImpl(const std::string& approx = "none") : approx_(approx) {
    if (approx != "none" && approx != "precise" && approx != "tanh" && approx != "fast")
      core::detail::fail("nn.GELU", "The approximation should be in ['none', 'precise', 'tanh', 'fast'] but '",
                         approx, "' was given.");
  }
  std::string name() const override { return "GELU"; }
  array operator()(const array& x) override {
    if (approx_ == "none") return nn::gelu(x);
    if (approx_ == "fast") return nn::gelu_fast_approx(x);
    return nn::gelu_approx(x);
  }

 private:
  std::string approx_;
};
using GELU = GELUImpl<>;

/// PReLU(num_parameters=1, init=0.25): prelu with a learnt slope `weight` of shape
/// [num_parameters], broadcast against the last axis.
template <class = void>
class PReLUImpl : public Module {
 public:
  explicit PReLUImpl(int num_parameters = 1, float init = 0.25f) {
    register_parameter("weight", core::full({num_parameters}, init));
  }
  std::string name() const override { return "PReLU"; }
  array operator()(const array& x) override { return nn::prelu(x, local("weight")); }
};
using PReLU = PReLUImpl<>;

}  // namespace mlx::nn
