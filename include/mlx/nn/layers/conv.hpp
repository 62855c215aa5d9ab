// SPDX-License-Identifier: MIT
// Conv1d and Conv2d (MLX's layers, channels last): weight [out, kernel..., in / groups]
// and bias [out], both drawn from U(-s, s) with s = sqrt(1 / (in * prod(kernel))) as MLX
// draws the weight (MLX starts the bias at zero; we follow MLX: zeros).
#pragma once

#include <cmath>
#include <string>
#include <utility>

#include "mlx/nn/module.hpp"
#include "mlx/ops/conv.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn {

namespace detail {
inline std::string py_pair(const std::pair<int, int>& p) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "(" + string.
  std::string r = "(";
  r += std::to_string(p.first);
  r += ", ";
  r += std::to_string(p.second);
  r += ")";
  return r;
}
inline void check_conv_channels(const char* who, int in, int out, int groups) {
  if (groups <= 0 || in % groups != 0 || out % groups != 0)
    core::detail::fail(who, "in_channels (", in, ") and out_channels (", out, ") must be divisible by groups (", groups,
                       ").");
}
}  // namespace detail

/// Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
/// groups=1, bias=true) on (N, L, C_in).
template <class = void>
class Conv1dImpl : public Module {
 public:
  Conv1dImpl(int in_channels, int out_channels, int kernel_size, int stride = 1, int padding = 0, int dilation = 1,
             int groups = 1, bool bias = true)
      : stride_(stride), padding_(padding), dilation_(dilation), groups_(groups) {
    detail::check_conv_channels("nn.Conv1d", in_channels, out_channels, groups);
    const float s = std::sqrt(1.0f / static_cast<float>(in_channels * kernel_size));
    register_parameter("weight", core::random::uniform(-s, s, {out_channels, kernel_size, in_channels / groups}));
    if (bias) register_parameter("bias", core::zeros({out_channels}));
  }
  std::string name() const override { return "Conv1d"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return std::to_string(w.shape(2) * groups_) + ", " + std::to_string(w.shape(0)) +
           ", kernel_size=" + std::to_string(w.shape(1)) + ", stride=" + std::to_string(stride_) +
           ", padding=" + std::to_string(padding_) + ", dilation=" + std::to_string(dilation_) +
           ", groups=" + std::to_string(groups_) + ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override {
    array y = core::conv1d(x, local("weight"), stride_, padding_, dilation_, groups_);
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  int stride_, padding_, dilation_, groups_;
};
using Conv1d = Conv1dImpl<>;

/// Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)
/// on (N, H, W, C_in); sizes are (height, width) pairs.
template <class = void>
class Conv2dImpl : public Module {
 public:
  Conv2dImpl(int in_channels, int out_channels, std::pair<int, int> kernel_size, std::pair<int, int> stride = {1, 1},
             std::pair<int, int> padding = {0, 0}, std::pair<int, int> dilation = {1, 1}, int groups = 1,
             bool bias = true)
      : stride_(stride), padding_(padding), dilation_(dilation), groups_(groups) {
    detail::check_conv_channels("nn.Conv2d", in_channels, out_channels, groups);
    const float s = std::sqrt(1.0f / static_cast<float>(in_channels * kernel_size.first * kernel_size.second));
    register_parameter("weight", core::random::uniform(-s, s, {out_channels, kernel_size.first, kernel_size.second,
                                                               in_channels / groups}));
    if (bias) register_parameter("bias", core::zeros({out_channels}));
  }
  /// A square kernel, stride, padding and dilation.
  Conv2dImpl(int in_channels, int out_channels, int kernel_size, int stride = 1, int padding = 0, int dilation = 1,
             int groups = 1, bool bias = true)
      : Conv2dImpl(in_channels, out_channels, {kernel_size, kernel_size}, {stride, stride}, {padding, padding},
                   {dilation, dilation}, groups, bias) {}
  std::string name() const override { return "Conv2d"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return std::to_string(w.shape(3) * groups_) + ", " + std::to_string(w.shape(0)) +
           ", kernel_size=" + detail::py_pair({w.shape(1), w.shape(2)}) + ", stride=" + detail::py_pair(stride_) +
           ", padding=" + detail::py_pair(padding_) + ", dilation=" + detail::py_pair(dilation_) +
           ", groups=" + std::to_string(groups_) + ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override {
    array y = core::conv2d(x, local("weight"), stride_, padding_, dilation_, groups_);
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  std::pair<int, int> stride_, padding_, dilation_;
  int groups_;
};
using Conv2d = Conv2dImpl<>;

}  // namespace mlx::nn
