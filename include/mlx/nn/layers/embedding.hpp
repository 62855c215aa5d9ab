// SPDX-License-Identifier: MIT
// Embedding (MLX's mlx.nn.Embedding): a [num_embeddings, dims] table drawn from
// N(0, 1 / dims); the forward pass gathers rows by integer index.
#pragma once

#include <cmath>
#include <string>

#include "mlx/nn/module.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn {

template <class = void>
class EmbeddingImpl : public Module {
 public:
  EmbeddingImpl(int num_embeddings, int dims) {
    const float scale = std::sqrt(1.0f / static_cast<float>(dims));
    register_parameter("weight", core::random::normal({num_embeddings, dims}, core::float32, 0.0f, scale));
  }
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override {
    const auto& w = local("weight");
    return std::to_string(w.shape(0)) + ", " + std::to_string(w.shape(1));
  }
  /// weight[x]: x's shape followed by dims. \throws std::invalid_argument for a non-integer x.
  array operator()(const array& x) override {
    if (!core::issubdtype(x.dtype(), core::integer))
      core::detail::fail("nn.Embedding", "Indices must have an integer dtype, got ", x.dtype(), ".");
    return core::take(local("weight"), x, 0);
  }
  /// x @ weight^T: the table used as an output projection (tied embeddings).
  array as_linear(const array& x) { return core::matmul(x, core::transpose(local("weight"))); }
};
using Embedding = EmbeddingImpl<>;

}  // namespace mlx::nn
