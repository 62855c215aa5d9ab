// SPDX-License-Identifier: MIT
// Conv1d, Conv2d, Conv3d and ConvTranspose1d/2d/3d (MLX's layers, channels last): weight
// [out, kernel..., in / groups] (the transposed layers: [out, kernel..., in], MLX's layout,
// not PyTorch's [in, out, kernel...]) drawn from U(-s, s) with s = sqrt(1 / (in *
// prod(kernel))) as MLX draws it, and bias [out] starting at zero as in MLX.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "mlx/nn/module.hpp"
#include "mlx/ops/conv.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
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
inline std::string py_tuple(const std::vector<int>& v) {
  std::string r = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) r += ", ";
    r += std::to_string(v[i]);
  }
  r += v.size() == 1 ? ",)" : ")";
  return r;
}
inline std::vector<int> as_vector(const std::pair<int, int>& p) { return {p.first, p.second}; }
inline std::vector<int> as_vector(const std::tuple<int, int, int>& t) {
  return {std::get<0>(t), std::get<1>(t), std::get<2>(t)};
}
inline std::string py_triple(const std::tuple<int, int, int>& t) { return py_tuple(as_vector(t)); }
/// The spatial axes of a channels-last input with d of them, as the messages name them.
inline const char* spatial_names(int d) { return d == 1 ? "L" : d == 2 ? "H, W" : "D, H, W"; }
inline void check_conv_channels(const char* who, int in, int out, int groups) {
  if (groups <= 0 || in % groups != 0 || out % groups != 0)
    core::detail::fail(who, "in_channels (", in, ") and out_channels (", out, ") must be divisible by groups (", groups,
                       ").");
}
/// The checks a layer makes on its own arguments, so that a bad one is reported by the layer.
inline void check_conv_sizes(const char* who, int in, int out, const std::vector<int>& kernel,
                             const std::vector<int>& stride, const std::vector<int>& padding,
                             const std::vector<int>& dilation) {
  if (in <= 0 || out <= 0)
    core::detail::fail(who, "in_channels (", in, ") and out_channels (", out, ") must be positive.");
  for (size_t i = 0; i < kernel.size(); ++i)
    if (kernel[i] <= 0 || stride[i] <= 0 || dilation[i] <= 0 || padding[i] < 0)
      core::detail::fail(who, "kernel_size ", kernel, ", stride ", stride, " and dilation ", dilation,
                         " must be positive and padding ", padding, " non-negative.");
}
/// A transposed convolution's output padding must be smaller than the stride or the
/// dilation (as in PyTorch), and its padding may not exceed dilation * (kernel - 1) (the
/// padding of the underlying convolution, dilation * (kernel - 1) - padding, must be >= 0).
inline void check_conv_transpose_sizes(const char* who, const std::vector<int>& kernel, const std::vector<int>& stride,
                                       const std::vector<int>& padding, const std::vector<int>& dilation,
                                       const std::vector<int>& output_padding) {
  for (size_t i = 0; i < kernel.size(); ++i) {
    if (output_padding[i] < 0 || output_padding[i] >= std::max(stride[i], dilation[i]))
      core::detail::fail(who, "output_padding ", output_padding,
                         " must be non-negative and smaller than the stride ", stride, " or the dilation ", dilation,
                         ".");
    if (padding[i] > dilation[i] * (kernel[i] - 1))
      core::detail::fail(who, "padding ", padding, " may not exceed dilation * (kernel_size - 1) on any axis (kernel_size ",
                         kernel, ", dilation ", dilation, ").");
  }
}
/// The layer's own check of its input: (N, spatial..., C) with in_channels channels.
inline void check_conv_input(const char* who, const array& x, int d, int in_channels) {
  if (static_cast<int>(x.ndim()) != d + 2)
    core::detail::fail(who, "Expected a ", d + 2, "-D input (N, ", spatial_names(d), ", C), got shape ", x.shape(),
                       ".");
  if (x.shape().back() != in_channels)
    core::detail::fail(who, "Expected an input with ", in_channels, " channels (the last axis), got shape ",
                       x.shape(), ".");
}
/// The transposed convolution of the layers (groups 1): core's, a flipped convolution over
/// the input dilated by the stride (conv_vjp differentiates input dilation).
template <class = void>
array conv_transpose(const array& x, const array& w, const std::vector<int>& stride, const std::vector<int>& padding,
                     const std::vector<int>& dilation, const std::vector<int>& output_padding) {
  return core::detail::conv_transpose_general(x, w, stride, padding, dilation, output_padding, 1, {});
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
    detail::check_conv_input("nn.Conv1d", x, 1, local("weight").shape(2) * groups_);
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
    detail::check_conv_input("nn.Conv2d", x, 2, local("weight").shape(3) * groups_);
    array y = core::conv2d(x, local("weight"), stride_, padding_, dilation_, groups_);
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  std::pair<int, int> stride_, padding_, dilation_;
  int groups_;
};
using Conv2d = Conv2dImpl<>;

/// Conv3d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
/// bias=true) on (N, D, H, W, C_in); sizes are (depth, height, width). MLX's Conv3d has no
/// groups argument, so neither has this one (core::conv3d takes groups).
template <class = void>
class Conv3dImpl : public Module {
 public:
  using Triple = std::tuple<int, int, int>;
  Conv3dImpl(int in_channels, int out_channels, Triple kernel_size, Triple stride = {1, 1, 1},
             Triple padding = {0, 0, 0}, Triple dilation = {1, 1, 1}, bool bias = true)
      : stride_(stride), padding_(padding), dilation_(dilation) {
    const auto k = detail::as_vector(kernel_size);
    detail::check_conv_sizes("nn.Conv3d", in_channels, out_channels, k, detail::as_vector(stride),
                             detail::as_vector(padding), detail::as_vector(dilation));
    const float s = std::sqrt(1.0f / static_cast<float>(in_channels * k[0] * k[1] * k[2]));
    register_parameter("weight", core::random::uniform(-s, s, {out_channels, k[0], k[1], k[2], in_channels}));
    if (bias) register_parameter("bias", core::zeros({out_channels}));
  }
  /// A cubic kernel, stride, padding and dilation.
  Conv3dImpl(int in_channels, int out_channels, int kernel_size, int stride = 1, int padding = 0, int dilation = 1,
             bool bias = true)
      : Conv3dImpl(in_channels, out_channels, {kernel_size, kernel_size, kernel_size}, {stride, stride, stride},
                   {padding, padding, padding}, {dilation, dilation, dilation}, bias) {}
  std::string name() const override { return "Conv3d"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return std::to_string(w.shape(4)) + ", " + std::to_string(w.shape(0)) +
           ", kernel_size=" + detail::py_tuple({w.shape(1), w.shape(2), w.shape(3)}) +
           ", stride=" + detail::py_triple(stride_) + ", padding=" + detail::py_triple(padding_) +
           ", dilation=" + detail::py_triple(dilation_) + ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override {
    detail::check_conv_input("nn.Conv3d", x, 3, local("weight").shape(4));
    array y = core::conv3d(x, local("weight"), stride_, padding_, dilation_);
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  Triple stride_, padding_, dilation_;
};
using Conv3d = Conv3dImpl<>;

// ---- transposed convolutions --------------------------------------------------------------
// MLX's ConvTranspose layers take no groups argument (core::conv_transpose*d do), so these
// do not either. The output has (in - 1) * stride - 2 * padding + dilation * (kernel - 1) +
// output_padding + 1 elements along each spatial axis, as in PyTorch.

/// ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
/// output_padding=0, bias=true) on (N, L, C_in).
template <class = void>
class ConvTranspose1dImpl : public Module {
 public:
  ConvTranspose1dImpl(int in_channels, int out_channels, int kernel_size, int stride = 1, int padding = 0,
                      int dilation = 1, int output_padding = 0, bool bias = true)
      : stride_(stride), padding_(padding), dilation_(dilation), output_padding_(output_padding) {
    detail::check_conv_sizes("nn.ConvTranspose1d", in_channels, out_channels, {kernel_size}, {stride}, {padding},
                             {dilation});
    detail::check_conv_transpose_sizes("nn.ConvTranspose1d", {kernel_size}, {stride}, {padding}, {dilation},
                                       {output_padding});
    const float s = std::sqrt(1.0f / static_cast<float>(in_channels * kernel_size));
    register_parameter("weight", core::random::uniform(-s, s, {out_channels, kernel_size, in_channels}));
    if (bias) register_parameter("bias", core::zeros({out_channels}));
  }
  std::string name() const override { return "ConvTranspose1d"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return std::to_string(w.shape(2)) + ", " + std::to_string(w.shape(0)) + ", kernel_size=" +
           std::to_string(w.shape(1)) + ", stride=" + std::to_string(stride_) + ", padding=" +
           std::to_string(padding_) + ", dilation=" + std::to_string(dilation_) + ", output_padding=" +
           std::to_string(output_padding_) + ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override {
    detail::check_conv_input("nn.ConvTranspose1d", x, 1, local("weight").shape(2));
    array y = detail::conv_transpose(x, local("weight"), {stride_}, {padding_}, {dilation_}, {output_padding_});
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  int stride_, padding_, dilation_, output_padding_;
};
using ConvTranspose1d = ConvTranspose1dImpl<>;

/// ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, dilation,
/// output_padding, bias) on (N, H, W, C_in); sizes are (height, width) pairs.
template <class = void>
class ConvTranspose2dImpl : public Module {
 public:
  using Pair = std::pair<int, int>;
  ConvTranspose2dImpl(int in_channels, int out_channels, Pair kernel_size, Pair stride = {1, 1},
                      Pair padding = {0, 0}, Pair dilation = {1, 1}, Pair output_padding = {0, 0}, bool bias = true)
      : stride_(stride), padding_(padding), dilation_(dilation), output_padding_(output_padding) {
    using detail::as_vector;
    const auto k = as_vector(kernel_size);
    detail::check_conv_sizes("nn.ConvTranspose2d", in_channels, out_channels, k, as_vector(stride),
                             as_vector(padding), as_vector(dilation));
    detail::check_conv_transpose_sizes("nn.ConvTranspose2d", k, as_vector(stride), as_vector(padding),
                                       as_vector(dilation), as_vector(output_padding));
    const float s = std::sqrt(1.0f / static_cast<float>(in_channels * k[0] * k[1]));
    register_parameter("weight", core::random::uniform(-s, s, {out_channels, k[0], k[1], in_channels}));
    if (bias) register_parameter("bias", core::zeros({out_channels}));
  }
  /// A square kernel, stride, padding, dilation and output padding.
  ConvTranspose2dImpl(int in_channels, int out_channels, int kernel_size, int stride = 1, int padding = 0,
                      int dilation = 1, int output_padding = 0, bool bias = true)
      : ConvTranspose2dImpl(in_channels, out_channels, {kernel_size, kernel_size}, {stride, stride},
                            {padding, padding}, {dilation, dilation}, {output_padding, output_padding}, bias) {}
  std::string name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return std::to_string(w.shape(3)) + ", " + std::to_string(w.shape(0)) +
           ", kernel_size=" + detail::py_pair({w.shape(1), w.shape(2)}) + ", stride=" + detail::py_pair(stride_) +
           ", padding=" + detail::py_pair(padding_) + ", dilation=" + detail::py_pair(dilation_) +
           ", output_padding=" + detail::py_pair(output_padding_) +
           ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override {
    detail::check_conv_input("nn.ConvTranspose2d", x, 2, local("weight").shape(3));
    array y = detail::conv_transpose(x, local("weight"), detail::as_vector(stride_), detail::as_vector(padding_),
                                      detail::as_vector(dilation_), detail::as_vector(output_padding_));
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  Pair stride_, padding_, dilation_, output_padding_;
};
using ConvTranspose2d = ConvTranspose2dImpl<>;

/// ConvTranspose3d(in_channels, out_channels, kernel_size, stride, padding, dilation,
/// output_padding, bias) on (N, D, H, W, C_in); sizes are (depth, height, width).
template <class = void>
class ConvTranspose3dImpl : public Module {
 public:
  using Triple = std::tuple<int, int, int>;
  ConvTranspose3dImpl(int in_channels, int out_channels, Triple kernel_size, Triple stride = {1, 1, 1},
                      Triple padding = {0, 0, 0}, Triple dilation = {1, 1, 1}, Triple output_padding = {0, 0, 0},
                      bool bias = true)
      : stride_(stride), padding_(padding), dilation_(dilation), output_padding_(output_padding) {
    using detail::as_vector;
    const auto k = as_vector(kernel_size);
    detail::check_conv_sizes("nn.ConvTranspose3d", in_channels, out_channels, k, as_vector(stride),
                             as_vector(padding), as_vector(dilation));
    detail::check_conv_transpose_sizes("nn.ConvTranspose3d", k, as_vector(stride), as_vector(padding),
                                       as_vector(dilation), as_vector(output_padding));
    const float s = std::sqrt(1.0f / static_cast<float>(in_channels * k[0] * k[1] * k[2]));
    register_parameter("weight", core::random::uniform(-s, s, {out_channels, k[0], k[1], k[2], in_channels}));
    if (bias) register_parameter("bias", core::zeros({out_channels}));
  }
  /// A cubic kernel, stride, padding, dilation and output padding.
  ConvTranspose3dImpl(int in_channels, int out_channels, int kernel_size, int stride = 1, int padding = 0,
                      int dilation = 1, int output_padding = 0, bool bias = true)
      : ConvTranspose3dImpl(in_channels, out_channels, {kernel_size, kernel_size, kernel_size},
                            {stride, stride, stride}, {padding, padding, padding}, {dilation, dilation, dilation},
                            {output_padding, output_padding, output_padding}, bias) {}
  std::string name() const override { return "ConvTranspose3d"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return std::to_string(w.shape(4)) + ", " + std::to_string(w.shape(0)) +
           ", kernel_size=" + detail::py_tuple({w.shape(1), w.shape(2), w.shape(3)}) +
           ", stride=" + detail::py_triple(stride_) + ", padding=" + detail::py_triple(padding_) +
           ", dilation=" + detail::py_triple(dilation_) + ", output_padding=" + detail::py_triple(output_padding_) +
           ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override {
    detail::check_conv_input("nn.ConvTranspose3d", x, 3, local("weight").shape(4));
    array y = detail::conv_transpose(x, local("weight"), detail::as_vector(stride_), detail::as_vector(padding_),
                                      detail::as_vector(dilation_), detail::as_vector(output_padding_));
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  Triple stride_, padding_, dilation_, output_padding_;
};
using ConvTranspose3d = ConvTranspose3dImpl<>;

}  // namespace mlx::nn
