// SPDX-License-Identifier: MIT
// Dropout, Dropout2d and Dropout3d (MLX's mlx.nn.Dropout*): in training mode each element
// (Dropout) or each whole channel of each sample (Dropout2d/3d: every spatial position of a
// channel shares one draw) is kept with probability 1 - p and the kept ones are scaled by
// 1 / (1 - p) (inverted dropout, so eval needs no rescaling); in eval mode, or with p = 0,
// the input is returned unchanged.
#pragma once

#include <string>

#include "mlx/nn/module.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn {

namespace detail {
inline void check_dropout_p(const char* who, float p) {
  if (!(p >= 0 && p < 1)) core::detail::fail(who, "The dropout probability ", p, " is not in [0, 1).");
}
/// Keeps x where a draw of `mask_shape` (which broadcasts against x) is true, scaled by 1 / keep.
template <class = void>
array dropout_mask(const array& x, float p, const core::Shape& mask_shape) {
  const float keep = 1.0f - p;
  array mask = core::random::bernoulli(array(keep), mask_shape);
  return array(core::where(mask, x * array(1.0f / keep, x.dtype()), array(0, x.dtype())));
}
/// Channel dropout over `spatial` axes of (N, spatial..., C) or (spatial..., C).
template <class = void>
array channel_dropout(const char* who, const array& x, float p, bool training, int spatial) {
  const int nd = static_cast<int>(x.ndim());
  // MLX checks the rank before looking at the mode, so a wrong input fails in eval too.
  if (nd != spatial + 1 && nd != spatial + 2)
    core::detail::fail(who, "Received input with ", nd, " dimensions. Expected ", spatial + 1, " or ", spatial + 2,
                       " dimensions.");
  if (p == 0 || !training) return x;
  core::Shape mask_shape = x.shape();
  for (int i = 0; i < spatial; ++i) mask_shape[nd - 2 - i] = 1;  // one draw per (sample, channel)
  return dropout_mask(x, p, mask_shape);
}
}  // namespace detail

template <class = void>
class DropoutImpl : public Module {
 public:
  /// \throws std::invalid_argument unless 0 <= p < 1.
  explicit DropoutImpl(float p = 0.5f) : p_(p) { detail::check_dropout_p("nn.Dropout", p); }
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override { return "p=" + detail::py_float(p_); }
  array operator()(const array& x) override {
    if (p_ == 0 || !training()) return x;
    return detail::dropout_mask(x, p_, x.shape());
  }

 private:
  float p_;
};
using Dropout = DropoutImpl<>;

/// Dropout2d(p = 0.5): zeroes whole channels of (N, H, W, C) or (H, W, C) inputs.
template <class = void>
class Dropout2dImpl : public Module {
 public:
  /// \throws std::invalid_argument unless 0 <= p < 1.
  explicit Dropout2dImpl(float p = 0.5f) : p_(p) { detail::check_dropout_p("nn.Dropout2d", p); }
  std::string name() const override { return "Dropout2d"; }
  std::string extra_repr() const override { return "p=" + detail::py_float(p_); }
  /// \throws std::invalid_argument unless x has 3 or 4 dimensions (also in eval mode).
  array operator()(const array& x) override { return detail::channel_dropout("nn.Dropout2d", x, p_, training(), 2); }

 private:
  float p_;
};
using Dropout2d = Dropout2dImpl<>;

/// Dropout3d(p = 0.5): zeroes whole channels of (N, D, H, W, C) or (D, H, W, C) inputs.
template <class = void>
class Dropout3dImpl : public Module {
 public:
  /// \throws std::invalid_argument unless 0 <= p < 1.
  explicit Dropout3dImpl(float p = 0.5f) : p_(p) { detail::check_dropout_p("nn.Dropout3d", p); }
  std::string name() const override { return "Dropout3d"; }
  std::string extra_repr() const override { return "p=" + detail::py_float(p_); }
  /// \throws std::invalid_argument unless x has 4 or 5 dimensions (also in eval mode).
  array operator()(const array& x) override { return detail::channel_dropout("nn.Dropout3d", x, p_, training(), 3); }

 private:
  float p_;
};
using Dropout3d = Dropout3dImpl<>;

}  // namespace mlx::nn
