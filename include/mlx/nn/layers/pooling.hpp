// SPDX-License-Identifier: MIT
// MaxPool1d/2d/3d and AvgPool1d/2d/3d (MLX's pooling layers, channels last: (N, L, C),
// (N, H, W, C) and (N, D, H, W, C)). The input is padded (-inf for max, 0 for average, as MLX pads), made
// row-contiguous, and viewed with as_strided as (N, out..., kernel..., C) windows, which a
// max or mean over the kernel axes reduces. stride defaults to the kernel size.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "mlx/nn/layers/conv.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"

namespace mlx::nn {

namespace detail {
/// Pools x (N, spatial..., C) over windows `kernel` with `stride` and symmetric `padding`.
template <class = void>
array pool(const char* who, const array& x, const std::vector<int>& kernel, const std::vector<int>& stride,
           const std::vector<int>& padding, bool is_max) {
  const int d = static_cast<int>(kernel.size());
  if (static_cast<int>(x.ndim()) != d + 2)
    core::detail::fail(who, "Expected a ", d + 2, "-D input (N, ", spatial_names(d), ", C), got shape ", x.shape(),
                       ".");
  for (int i = 0; i < d; ++i)
    if (kernel[i] <= 0 || stride[i] <= 0 || padding[i] < 0)
      core::detail::fail(who, "kernel_size and stride must be positive and padding non-negative.");
  array xp = x;
  bool padded = false;
  for (int p : padding) padded = padded || p > 0;
  if (padded) {
    std::vector<int> axes;
    core::Shape lo;
    for (int i = 0; i < d; ++i) axes.push_back(i + 1), lo.push_back(padding[i]);
    array value = is_max ? array(-std::numeric_limits<float>::infinity(), x.dtype()) : array(0, x.dtype());
    xp = core::pad(x, axes, lo, lo, value);
  }
  // Windows that tile the input exactly (kernel == stride, the common 2x2 pool): a reshape
  // to (N, out0, k0, out1, k1, ..., C) and a reduction, whose gradient is a reshape too
  // (the as_strided path below needs a scatter_add in the backward pass).
  bool tiles = true;
  for (int i = 0; i < d; ++i) tiles = tiles && kernel[i] == stride[i] && xp.shape()[i + 1] % kernel[i] == 0;
  if (tiles) {
    core::Shape split{xp.shape()[0]};
    std::vector<int> red;
    for (int i = 0; i < d; ++i) {
      split.push_back(xp.shape()[i + 1] / kernel[i]);
      split.push_back(kernel[i]);
      red.push_back(2 + 2 * i);
    }
    split.push_back(xp.shape().back());
    array tiled = core::reshape(xp, split);
    return is_max ? core::max(tiled, red) : core::mean(tiled, red);
  }
  xp = core::contiguous(xp);
  const core::Shape& s = xp.shape();
  // Row-major element strides of the padded input.
  core::Strides st(s.size());
  int64_t acc = 1;
  for (int i = static_cast<int>(s.size()) - 1; i >= 0; --i) st[i] = acc, acc *= s[i];
  core::Shape shape{s[0]};
  core::Strides strides{st[0]};
  for (int i = 0; i < d; ++i) {
    const int out = (s[i + 1] - kernel[i]) / stride[i] + 1;
    if (s[i + 1] < kernel[i])
      core::detail::fail(who, "The kernel (", kernel[i], ") is larger than the padded input (", s[i + 1], ").");
    shape.push_back(out);
    strides.push_back(st[i + 1] * stride[i]);
  }
  std::vector<int> red;
  for (int i = 0; i < d; ++i) {
    shape.push_back(kernel[i]);
    strides.push_back(st[i + 1]);
    red.push_back(d + 1 + i);
  }
  shape.push_back(s.back());
  strides.push_back(1);
  array windows = core::as_strided(xp, shape, strides, 0);
  return is_max ? core::max(windows, red) : core::mean(windows, red);
}

inline std::string pool_repr(const std::vector<int>& k, const std::vector<int>& s, const std::vector<int>& p) {
  auto tup = [](const std::vector<int>& v) {
    std::string r = "(";
    for (size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + std::to_string(v[i]);
    return r + (v.size() == 1 ? ",)" : ")");
  };
  return "kernel_size=" + tup(k) + ", stride=" + tup(s) + ", padding=" + tup(p);
}
}  // namespace detail

#define MLXPP_NN_POOL(Cls, is_max, D)                                                                   \
  template <class = void>                                                                               \
  class Cls##Impl : public Module {                                                                     \
   public:                                                                                              \
    explicit Cls##Impl(std::vector<int> kernel_size, std::vector<int> stride = {},                      \
                       std::vector<int> padding = {})                                                   \
        : k_(fill(kernel_size, 0)), s_(stride.empty() ? k_ : fill(stride, 1)),                          \
          p_(padding.empty() ? std::vector<int>(D, 0) : fill(padding, 0)) {}                            \
    explicit Cls##Impl(int kernel_size, int stride = 0, int padding = 0)                                \
        : Cls##Impl(std::vector<int>(D, kernel_size),                                                   \
                    stride > 0 ? std::vector<int>(D, stride) : std::vector<int>{},                      \
                    std::vector<int>(D, padding)) {}                                                    \
    std::string name() const override { return #Cls; }                                                  \
    std::string extra_repr() const override { return detail::pool_repr(k_, s_, p_); }                  \
    array operator()(const array& x) override { return detail::pool("nn." #Cls, x, k_, s_, p_, is_max); } \
                                                                                                        \
   private:                                                                                             \
    static std::vector<int> fill(const std::vector<int>& v, int) {                                      \
      if (v.size() == 1) return std::vector<int>(D, v[0]);                                              \
      if (v.size() != D) core::detail::fail("nn." #Cls, "Expected ", D, " sizes, got ", v.size(), "."); \
      return v;                                                                                         \
    }                                                                                                   \
    std::vector<int> k_, s_, p_;                                                                        \
  };                                                                                                    \
  using Cls = Cls##Impl<>;

MLXPP_NN_POOL(MaxPool1d, true, 1)
MLXPP_NN_POOL(AvgPool1d, false, 1)
MLXPP_NN_POOL(MaxPool2d, true, 2)
MLXPP_NN_POOL(AvgPool2d, false, 2)
MLXPP_NN_POOL(MaxPool3d, true, 3)
MLXPP_NN_POOL(AvgPool3d, false, 3)
#undef MLXPP_NN_POOL

}  // namespace mlx::nn
