// SPDX-License-Identifier: MIT
// Upsample (MLX's mlx.nn.Upsample): channels-last input (N, spatial..., C) with any number
// of spatial axes, each scaled by its factor (output size floor(size * factor)). Modes
// "nearest", "linear" (bilinear, trilinear, ...) and "cubic" (Keys, a = -0.75), with
// PyTorch's source-coordinate rules (F.interpolate with scale_factor, align_corners):
//   align_corners = false: src = (dst + 0.5) / factor - 0.5 (linear clamps it at 0)
//   align_corners = true:  src = dst * (in - 1) / (out - 1)
//   nearest:               src = floor(dst / factor), at most in - 1
// Interpolation is separable: per spatial axis, a gather of neighbour rows (`take`) and a
// weighted sum, so it differentiates with respect to the input like any op chain. Indices
// and weights are computed in float32 on the host, as PyTorch does, so both pick the same
// neighbours.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "mlx/nn/module.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/shape.hpp"

namespace mlx::nn {

namespace detail {
/// The neighbours of each output position along one axis and their weights.
struct UpsampleTaps {
  std::vector<std::vector<int>> index;    // [tap][out]
  std::vector<std::vector<float>> weight;  // [tap][out]; empty for nearest
};

inline float cubic_near(float x, float a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }       // |x| <= 1
inline float cubic_far(float x, float a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }  // 1 < |x| < 2

inline UpsampleTaps upsample_taps(int in, int out, float factor, const std::string& mode, bool align_corners) {
  UpsampleTaps t;
  const float inv = align_corners ? (out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f)
                                  : static_cast<float>(1.0 / factor);
  auto src = [&](int d) { return align_corners ? inv * d : inv * (d + 0.5f) - 0.5f; };
  auto clampi = [in](int i) { return std::clamp(i, 0, in - 1); };
  if (mode == "nearest") {
    t.index.assign(1, std::vector<int>(out));
    for (int d = 0; d < out; ++d)
      t.index[0][d] = std::min(static_cast<int>(std::floor(static_cast<float>(d) * static_cast<float>(1.0 / factor))),
                               in - 1);
  } else if (mode == "linear") {
    t.index.assign(2, std::vector<int>(out));
    t.weight.assign(2, std::vector<float>(out));
    for (int d = 0; d < out; ++d) {
      float s = std::max(src(d), 0.0f);
      int l = std::min(static_cast<int>(std::floor(s)), in - 1);
      float w = s - static_cast<float>(l);
      t.index[0][d] = l;
      t.index[1][d] = l < in - 1 ? l + 1 : l;
      t.weight[0][d] = 1 - w;
      t.weight[1][d] = w;
    }
  } else {  // cubic
    const float a = -0.75f;
    t.index.assign(4, std::vector<int>(out));
    t.weight.assign(4, std::vector<float>(out));
    for (int d = 0; d < out; ++d) {
      float s = src(d);
      int f = static_cast<int>(std::floor(s));
      float x = s - static_cast<float>(f);
      const float w[4] = {cubic_far(x + 1, a), cubic_near(x, a), cubic_near(1 - x, a), cubic_far(2 - x, a)};
      for (int k = 0; k < 4; ++k) {
        t.index[k][d] = clampi(f - 1 + k);
        t.weight[k][d] = w[k];
      }
    }
  }
  return t;
}
}  // namespace detail

/// Upsample(scale_factor, mode = "nearest", align_corners = false); scale_factor holds one
/// factor for every spatial axis or one per axis.
template <class = void>
class UpsampleImpl : public Module {
 public:
  explicit UpsampleImpl(std::vector<float> scale_factor, std::string mode = "nearest", bool align_corners = false)
      : scale_(std::move(scale_factor)), mode_(std::move(mode)), align_(align_corners) {
    if (mode_ != "nearest" && mode_ != "linear" && mode_ != "cubic")
      core::detail::fail("nn.Upsample", "Got unsupported upsampling algorithm: ", mode_,
                         " (expected nearest, linear or cubic).");
    if (scale_.empty()) core::detail::fail("nn.Upsample", "scale_factor must not be empty.");
    for (float f : scale_)
      if (!(f > 0)) core::detail::fail("nn.Upsample", "scale_factor must be positive, got ", f, ".");
  }
  explicit UpsampleImpl(float scale_factor, std::string mode = "nearest", bool align_corners = false)
      : UpsampleImpl(std::vector<float>{scale_factor}, std::move(mode), align_corners) {}

  std::string name() const override { return "Upsample"; }
  std::string extra_repr() const override {
    std::string s = "scale_factor=";
    if (scale_.size() == 1) {
      s += detail::py_float(scale_[0]);
    } else {
      s += "(";
      for (size_t i = 0; i < scale_.size(); ++i) s += (i ? ", " : "") + detail::py_float(scale_[i]);
      s += ")";
    }
    return s + ", mode='" + mode_ + "', align_corners=" + detail::py_bool(align_);
  }
  array operator()(const array& x) override {
    const int spatial = static_cast<int>(x.ndim()) - 2;
    if (spatial < 1)
      core::detail::fail("nn.Upsample", "Expected an input (N, spatial..., C) with at least one spatial axis, got shape ",
                         x.shape(), ".");
    if (scale_.size() != 1 && static_cast<int>(scale_.size()) != spatial)
      core::detail::fail("nn.Upsample", "Got ", scale_.size(), " scale factors for an input with ", spatial,
                         " spatial axes (shape ", x.shape(), ").");
    array y = x;
    for (int d = 0; d < spatial; ++d) {
      const float f = scale_.size() == 1 ? scale_[0] : scale_[d];
      const int in = x.shape(d + 1);
      const int out = static_cast<int>(std::floor(static_cast<double>(in) * f));
      if (out < 1)
        core::detail::fail("nn.Upsample", "Scaling axis ", d + 1, " of size ", in, " by ", f, " leaves no elements.");
      y = resample_axis(y, d + 1, detail::upsample_taps(in, out, f, mode_, align_));
    }
    return y;
  }

 private:
  array resample_axis(const array& x, int axis, const detail::UpsampleTaps& taps) {
    const int out = static_cast<int>(taps.index[0].size());
    core::Shape wshape(x.ndim() - axis, 1);  // broadcast the weights along `axis`
    wshape[0] = out;
    array acc;
    for (size_t k = 0; k < taps.index.size(); ++k) {
      array g = core::take(x, array(taps.index[k].begin(), {out}, core::int32), axis);
      if (taps.weight.empty()) return g;
      array w = core::astype(array(taps.weight[k].begin(), wshape), x.dtype());
      acc = k == 0 ? array(g * w) : array(acc + g * w);
    }
    return acc;
  }
  std::vector<float> scale_;
  std::string mode_;
  bool align_;
};
using Upsample = UpsampleImpl<>;

}  // namespace mlx::nn
