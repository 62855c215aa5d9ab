// SPDX-License-Identifier: MIT
// Convolutions (MLX's names, overloads and channels-last layout): conv1d, conv2d, conv3d,
// conv_general, conv_transpose1d/2d/3d. Input (N, spatial..., C_in), weight
// (C_out, kernel..., C_in / groups), output (N, spatial'..., C_out).
#pragma once

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "mlx/ops/elementwise.hpp"
#include "mlx/primitives/conv.hpp"

namespace mlx::core {

namespace detail {

inline std::vector<int> conv_param(std::string_view what, std::vector<int> v, int D, int fill) {
  if (v.empty()) v.assign(D, fill);
  if (v.size() == 1 && D > 1) v.assign(D, v[0]);
  if (static_cast<int>(v.size()) != D)
    fail("conv", "Got ", v.size(), " values for ", what, " of a ", D, "-D convolution.");
  return v;
}

}  // namespace detail

/// The general channels-last convolution: strides, low/high padding, kernel dilation, input
/// dilation (zeros between input elements, as a transposed convolution needs), groups, and
/// flip (a true convolution rather than a cross-correlation).
template <class = void>
inline array conv_general(array input, array weight, std::vector<int> stride = {},
                          std::vector<int> padding_lo = {}, std::vector<int> padding_hi = {},
                          std::vector<int> kernel_dilation = {}, std::vector<int> input_dilation = {},
                          int groups = 1, bool flip = false, StreamOrDevice s = {}) {
  const int D = static_cast<int>(input.ndim()) - 2;
  if (D < 1 || D > 3)
    detail::fail("conv", "Only 1-D to 3-D convolutions are supported; got an input of shape ",
                 input.shape(), ".");
  if (weight.ndim() != input.ndim())
    detail::fail("conv", "Input of shape ", input.shape(), " and weight of shape ", weight.shape(),
                 " must have the same number of dimensions.");
  if (!issubdtype(input.dtype(), floating) || !issubdtype(weight.dtype(), floating))
    detail::fail("conv", "Only floating point inputs are supported; got ", input.dtype(), " and ",
                 weight.dtype(), ".");
  if (groups < 1) detail::fail("conv", "groups must be positive. Got ", groups, ".");
  const int Cin = input.shape().back(), Cout = weight.shape()[0];
  if (Cin != weight.shape().back() * groups)
    detail::fail("conv", "Expect the input channels in the input and weight array to match but got shapes - input: ",
                 input.shape(), " and weight: ", weight.shape(), " (groups ", groups, ").");
  if (Cout % groups != 0)
    detail::fail("conv", "The number of output channels (", Cout, ") must be divisible by groups (",
                 groups, ").");
  cpu::ConvParams p;
  p.stride = detail::conv_param("strides", std::move(stride), D, 1);
  p.pad_lo = detail::conv_param("padding", std::move(padding_lo), D, 0);
  auto pad_hi = padding_hi.empty() ? p.pad_lo : detail::conv_param("padding", std::move(padding_hi), D, 0);
  p.kernel_dilation = detail::conv_param("kernel dilation", std::move(kernel_dilation), D, 1);
  p.input_dilation = detail::conv_param("input dilation", std::move(input_dilation), D, 1);
  p.groups = groups;
  p.flip = flip;
  Shape out{input.shape()[0]};
  for (int d = 0; d < D; ++d) {
    if (p.stride[d] < 1 || p.kernel_dilation[d] < 1 || p.input_dilation[d] < 1)
      detail::fail("conv", "Strides and dilations must be positive. Got strides ", p.stride,
                   ", kernel dilation ", p.kernel_dilation, " and input dilation ", p.input_dilation, ".");
    if (p.pad_lo[d] < 0 || pad_hi[d] < 0)
      detail::fail("conv", "Padding must be non-negative. Got ", p.pad_lo, " and ", pad_hi, ".");
    const int64_t in = (static_cast<int64_t>(input.shape()[1 + d]) - 1) * p.input_dilation[d] + 1 +
                       p.pad_lo[d] + pad_hi[d];
    const int64_t k = (static_cast<int64_t>(weight.shape()[1 + d]) - 1) * p.kernel_dilation[d] + 1;
    if (input.shape()[1 + d] == 0 || in < k)
      detail::fail("conv", "Spatial dimensions of input after padding cannot be smaller than weight ",
                   "spatial dimensions. Got input shape ", input.shape(), ", padding ", p.pad_lo, "/",
                   pad_hi, " and weight shape ", weight.shape(), ".");
    out.push_back(static_cast<ShapeElem>((in - k) / p.stride[d] + 1));
  }
  out.push_back(Cout);
  const Dtype dt = promote_types(input.dtype(), weight.dtype());
  if (input.dtype() != dt) input = astype(input, dt, s);
  if (weight.dtype() != dt) weight = astype(weight, dt, s);
  return array(std::move(out), dt, std::make_shared<Convolution<>>(to_stream(s), std::move(p)),
               {std::move(input), std::move(weight)});
}
/// conv_general with the same padding on both sides.
template <class = void>
inline array conv_general(const array& input, const array& weight, std::vector<int> stride,
                          std::vector<int> padding, std::vector<int> kernel_dilation,
                          std::vector<int> input_dilation, int groups = 1, bool flip = false,
                          StreamOrDevice s = {}) {
  auto hi = padding;
  return conv_general(input, weight, std::move(stride), std::move(padding), std::move(hi),
                      std::move(kernel_dilation), std::move(input_dilation), groups, flip, std::move(s));
}

/// 1-D convolution of input (N, L, C_in) with weight (C_out, K, C_in / groups).
template <class = void>
inline array conv1d(const array& input, const array& weight, int stride = 1, int padding = 0,
                    int dilation = 1, int groups = 1, StreamOrDevice s = {}) {
  if (input.ndim() != 3) detail::fail("conv1d", "Expected a 3-D input (N, L, C), got shape ", input.shape(), ".");
  return conv_general(input, weight, {stride}, {padding}, {padding}, {dilation}, {1}, groups, false, std::move(s));
}
/// 2-D convolution of input (N, H, W, C_in) with weight (C_out, KH, KW, C_in / groups).
template <class = void>
inline array conv2d(const array& input, const array& weight, const std::pair<int, int>& stride = {1, 1},
                    const std::pair<int, int>& padding = {0, 0}, const std::pair<int, int>& dilation = {1, 1},
                    int groups = 1, StreamOrDevice s = {}) {
  if (input.ndim() != 4) detail::fail("conv2d", "Expected a 4-D input (N, H, W, C), got shape ", input.shape(), ".");
  return conv_general(input, weight, {stride.first, stride.second}, {padding.first, padding.second},
                      {padding.first, padding.second}, {dilation.first, dilation.second}, {1, 1}, groups,
                      false, std::move(s));
}
/// 3-D convolution of input (N, D, H, W, C_in) with weight (C_out, KD, KH, KW, C_in / groups).
template <class = void>
inline array conv3d(const array& input, const array& weight,
                    const std::tuple<int, int, int>& stride = {1, 1, 1},
                    const std::tuple<int, int, int>& padding = {0, 0, 0},
                    const std::tuple<int, int, int>& dilation = {1, 1, 1}, int groups = 1,
                    StreamOrDevice s = {}) {
  if (input.ndim() != 5)
    detail::fail("conv3d", "Expected a 5-D input (N, D, H, W, C), got shape ", input.shape(), ".");
  auto v = [](const std::tuple<int, int, int>& t) {
    return std::vector<int>{std::get<0>(t), std::get<1>(t), std::get<2>(t)};
  };
  return conv_general(input, weight, v(stride), v(padding), v(padding), v(dilation), {1, 1, 1}, groups,
                      false, std::move(s));
}

namespace detail {
/// A transposed convolution is a flipped convolution over the input dilated by the stride.
template <class = void>
inline array conv_transpose_general(const array& input, const array& weight, std::vector<int> stride,
                                    std::vector<int> padding, std::vector<int> dilation,
                                    std::vector<int> output_padding, int groups, StreamOrDevice s) {
  const int D = static_cast<int>(input.ndim()) - 2;
  if (D < 1 || D > 3 || weight.ndim() != input.ndim())
    fail("conv_transpose", "Input of shape ", input.shape(), " and weight of shape ", weight.shape(),
         " do not describe a 1-D to 3-D convolution.");
  std::vector<int> lo(D), hi(D);
  for (int d = 0; d < D; ++d) {
    if (output_padding[d] < 0 || output_padding[d] >= std::max(stride[d], dilation[d]))
      fail("conv_transpose", "Output padding ", output_padding,
           " must be non-negative and smaller than the stride or the dilation.");
    lo[d] = dilation[d] * (weight.shape()[1 + d] - 1) - padding[d];
    hi[d] = lo[d] + output_padding[d];
    if (lo[d] < 0)
      fail("conv_transpose", "Padding ", padding, " is larger than the dilated kernel allows.");
  }
  return conv_general(input, weight, std::vector<int>(D, 1), lo, hi, std::move(dilation), std::move(stride),
                      groups, true, std::move(s));
}
}  // namespace detail

/// The transpose (gradient) of conv1d with the same arguments.
template <class = void>
inline array conv_transpose1d(const array& input, const array& weight, int stride = 1, int padding = 0,
                              int dilation = 1, int output_padding = 0, int groups = 1, StreamOrDevice s = {}) {
  if (input.ndim() != 3)
    detail::fail("conv_transpose1d", "Expected a 3-D input (N, L, C), got shape ", input.shape(), ".");
  return detail::conv_transpose_general(input, weight, {stride}, {padding}, {dilation}, {output_padding},
                                        groups, std::move(s));
}
template <class = void>
inline array conv_transpose2d(const array& input, const array& weight,
                              const std::pair<int, int>& stride = {1, 1},
                              const std::pair<int, int>& padding = {0, 0},
                              const std::pair<int, int>& dilation = {1, 1},
                              const std::pair<int, int>& output_padding = {0, 0}, int groups = 1,
                              StreamOrDevice s = {}) {
  if (input.ndim() != 4)
    detail::fail("conv_transpose2d", "Expected a 4-D input (N, H, W, C), got shape ", input.shape(), ".");
  auto v = [](const std::pair<int, int>& p) { return std::vector<int>{p.first, p.second}; };
  return detail::conv_transpose_general(input, weight, v(stride), v(padding), v(dilation), v(output_padding),
                                        groups, std::move(s));
}
template <class = void>
inline array conv_transpose3d(const array& input, const array& weight,
                              const std::tuple<int, int, int>& stride = {1, 1, 1},
                              const std::tuple<int, int, int>& padding = {0, 0, 0},
                              const std::tuple<int, int, int>& dilation = {1, 1, 1},
                              const std::tuple<int, int, int>& output_padding = {0, 0, 0}, int groups = 1,
                              StreamOrDevice s = {}) {
  if (input.ndim() != 5)
    detail::fail("conv_transpose3d", "Expected a 5-D input (N, D, H, W, C), got shape ", input.shape(), ".");
  auto v = [](const std::tuple<int, int, int>& t) {
    return std::vector<int>{std::get<0>(t), std::get<1>(t), std::get<2>(t)};
  };
  return detail::conv_transpose_general(input, weight, v(stride), v(padding), v(dilation), v(output_padding),
                                        groups, std::move(s));
}

}  // namespace mlx::core
