// SPDX-License-Identifier: MIT
// LayerNorm, RMSNorm, GroupNorm, InstanceNorm and BatchNorm (MLX's layers: same parameters, defaults,
// formulas and printing). All normalise over the last axis (channels last).
#pragma once

#include <string>

#include "mlx/nn/module.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"

namespace mlx::nn {

namespace detail {
/// (x - mean) / sqrt(var + eps) over `axes` (biased variance, as MLX's fast.layer_norm).
template <class = void>
array standardize(const array& x, const std::vector<int>& axes, float eps) {
  array m = core::mean(x, axes, true);
  array v = core::var(x, axes, true);
  return array((x - m) * core::rsqrt(v + array(eps, x.dtype())));
}
}  // namespace detail

/// LayerNorm(dims, eps=1e-5, affine=true, bias=true): standardise the last axis, then
/// weight * x + bias (weight ones, bias zeros).
template <class = void>
class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(int dims, float eps = 1e-5f, bool affine = true, bool bias = true) : dims_(dims), eps_(eps) {
    if (affine) {
      register_parameter("weight", core::ones({dims}));
      if (bias) register_parameter("bias", core::zeros({dims}));
    }
  }
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override {
    return std::to_string(dims_) + ", eps=" + detail::py_float(eps_) + ", affine=" + detail::py_bool(has_parameter("weight"));
  }
  array operator()(const array& x) override {
    array y = detail::standardize(x, {-1}, eps_);
    if (has_parameter("weight")) y = array(y * local("weight"));
    if (has_parameter("bias")) y = array(y + local("bias"));
    return y;
  }

 private:
  int dims_;
  float eps_;
};
using LayerNorm = LayerNormImpl<>;

/// RMSNorm(dims, eps=1e-5): x * rsqrt(mean(x^2, -1) + eps) * weight (weight ones).
template <class = void>
class RMSNormImpl : public Module {
 public:
  explicit RMSNormImpl(int dims, float eps = 1e-5f) : eps_(eps) { register_parameter("weight", core::ones({dims})); }
  std::string name() const override { return "RMSNorm"; }
  std::string extra_repr() const override {
    return std::to_string(local("weight").shape(0)) + ", eps=" + detail::py_float(eps_);
  }
  array operator()(const array& x) override {
    array ms = core::mean(core::square(x), -1, true);
    return array(x * core::rsqrt(ms + array(eps_, x.dtype())) * local("weight"));
  }

 private:
  float eps_;
};
using RMSNorm = RMSNormImpl<>;

/// GroupNorm(num_groups, dims, eps=1e-5, affine=true, pytorch_compatible=false) on
/// (batch, ..., dims). MLX's default groups channels c with c % num_groups equal (a
/// reshape to (batch, -1, num_groups)); pytorch_compatible groups consecutive channels.
template <class = void>
class GroupNormImpl : public Module {
 public:
  GroupNormImpl(int num_groups, int dims, float eps = 1e-5f, bool affine = true, bool pytorch_compatible = false)
      : groups_(num_groups), dims_(dims), eps_(eps), torch_(pytorch_compatible) {
    if (num_groups <= 0 || dims % num_groups != 0)
      core::detail::fail("nn.GroupNorm", "dims (", dims, ") must be a multiple of num_groups (", num_groups, ").");
    if (affine) {
      register_parameter("weight", core::ones({dims}));
      register_parameter("bias", core::zeros({dims}));
    }
  }
  std::string name() const override { return "GroupNorm"; }
  std::string extra_repr() const override {
    return std::to_string(groups_) + ", " + std::to_string(dims_) + ", eps=" + detail::py_float(eps_) +
           ", affine=" + detail::py_bool(has_parameter("weight")) + ", pytorch_compatible=" + detail::py_bool(torch_);
  }
  array operator()(const array& x) override {
    if (x.ndim() < 2 || x.shape(-1) != dims_)
      core::detail::fail("nn.GroupNorm", "Expected an input (batch, ..., ", dims_, "), got shape ", x.shape(), ".");
    const int batch = x.shape(0), gs = dims_ / groups_;
    array y;
    if (torch_) {
      // (batch, rest, groups, gs) -> (batch, groups, rest * gs): normalise each group's row.
      array g = core::reshape(core::transpose(core::reshape(x, {batch, -1, groups_, gs}), {0, 2, 1, 3}),
                              {batch, groups_, -1});
      g = detail::standardize(g, {-1}, eps_);
      y = core::reshape(core::transpose(core::reshape(g, {batch, groups_, -1, gs}), {0, 2, 1, 3}), x.shape());
    } else {
      array g = core::reshape(x, {batch, -1, groups_});
      y = core::reshape(detail::standardize(g, {1}, eps_), x.shape());
    }
    if (has_parameter("weight")) y = array(local("weight") * y + local("bias"));
    return y;
  }

 private:
  int groups_, dims_;
  float eps_;
  bool torch_;
};
using GroupNorm = GroupNormImpl<>;

/// InstanceNorm(dims, eps=1e-5, affine=false) on (batch, spatial..., dims): each sample's
/// channel is standardised over the spatial axes (biased variance), then weight * x + bias
/// when affine (weight ones, bias zeros).
template <class = void>
class InstanceNormImpl : public Module {
 public:
  explicit InstanceNormImpl(int dims, float eps = 1e-5f, bool affine = false) : dims_(dims), eps_(eps) {
    if (affine) {
      register_parameter("weight", core::ones({dims}));
      register_parameter("bias", core::zeros({dims}));
    }
  }
  std::string name() const override { return "InstanceNorm"; }
  std::string extra_repr() const override {
    return std::to_string(dims_) + ", eps=" + detail::py_float(eps_) + ", affine=" + detail::py_bool(has_parameter("weight"));
  }
  array operator()(const array& x) override {
    if (x.ndim() < 3 || x.shape(-1) != dims_)
      core::detail::fail("nn.InstanceNorm", "Expected an input (batch, spatial..., ", dims_, "), got shape ", x.shape(),
                         ".");
    std::vector<int> axes;
    for (int d = 1; d + 1 < static_cast<int>(x.ndim()); ++d) axes.push_back(d);
    array y = detail::standardize(x, axes, eps_);
    if (has_parameter("weight")) y = array(local("weight") * y + local("bias"));
    return y;
  }

 private:
  int dims_;
  float eps_;
};
using InstanceNorm = InstanceNormImpl<>;

/// BatchNorm(num_features, eps=1e-5, momentum=0.1, affine=true, track_running_stats=true)
/// on (N, C), (N, L, C) or (N, H, W, C): statistics over every axis but the last. In
/// training mode the batch statistics are used and, when tracked, the running ones become
/// (1 - momentum) * running + momentum * batch (MLX uses the biased batch variance, unlike
/// PyTorch). running_mean / running_var are parameters (saved, loaded) but frozen.
template <class = void>
class BatchNormImpl : public Module {
 public:
  explicit BatchNormImpl(int num_features, float eps = 1e-5f, float momentum = 0.1f, bool affine = true,
                         bool track_running_stats = true)
      : features_(num_features), eps_(eps), momentum_(momentum), track_(track_running_stats) {
    if (affine) {
      register_parameter("weight", core::ones({num_features}));
      register_parameter("bias", core::zeros({num_features}));
    }
    if (track_running_stats) {
      register_parameter("running_mean", core::zeros({num_features}));
      register_parameter("running_var", core::ones({num_features}));
      freeze_local("running_mean");
      freeze_local("running_var");
    }
  }
  std::string name() const override { return "BatchNorm"; }
  std::string extra_repr() const override {
    return std::to_string(features_) + ", eps=" + detail::py_float(eps_) + ", momentum=" + detail::py_float(momentum_) +
           ", affine=" + detail::py_bool(has_parameter("weight")) + ", track_running_stats=" + detail::py_bool(track_);
  }
  array operator()(const array& x) override {
    if (x.ndim() < 2 || x.ndim() > 4)
      core::detail::fail("nn.BatchNorm", "Expected input tensor to have 2, 3 or 4 dimensions, but got ", x.ndim(), ".");
    std::vector<int> axes(x.ndim() - 1);
    for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int>(i);
    array mean, var;
    if (training() || !track_) {
      mean = core::mean(x, axes);
      var = core::var(x, axes);
      if (training() && track_) {
        array mu(momentum_), keep(1.0f - momentum_);
        local_mut("running_mean") = array(keep * local("running_mean") + mu * mean);
        local_mut("running_var") = array(keep * local("running_var") + mu * var);
      }
    } else {
      mean = local("running_mean");
      var = local("running_var");
    }
    array y = (x - mean) * core::rsqrt(var + array(eps_, var.dtype()));
    if (has_parameter("weight")) y = array(local("weight") * y + local("bias"));
    return y;
  }

 private:
  int features_;
  float eps_, momentum_;
  bool track_;
};
using BatchNorm = BatchNormImpl<>;

}  // namespace mlx::nn
