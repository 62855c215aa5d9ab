// SPDX-License-Identifier: MIT
// Dropout (MLX's mlx.nn.Dropout): in training mode each element is kept with probability
// 1 - p and the kept ones are scaled by 1 / (1 - p) (inverted dropout, so eval needs no
// rescaling); in eval mode, or with p = 0, the input is returned unchanged.
#pragma once

#include <string>

#include "mlx/nn/module.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn {

template <class = void>
class DropoutImpl : public Module {
 public:
  /// \throws std::invalid_argument unless 0 <= p < 1.
  explicit DropoutImpl(float p = 0.5f) : p_(p) {
    if (!(p >= 0 && p < 1)) core::detail::fail("nn.Dropout", "The dropout probability ", p, " is not in [0, 1).");
  }
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override { return "p=" + detail::py_float(p_); }
  array operator()(const array& x) override {
    if (p_ == 0 || !training()) return x;
    const float keep = 1.0f - p_;
    array mask = core::random::bernoulli(array(keep), x.shape());
    return array(core::where(mask, x * array(1.0f / keep, x.dtype()), array(0, x.dtype())));
  }

 private:
  float p_;
};
using Dropout = DropoutImpl<>;

}  // namespace mlx::nn
