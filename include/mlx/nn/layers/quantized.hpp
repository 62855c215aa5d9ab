// SPDX-License-Identifier: MIT
// QuantizedLinear, QuantizedEmbedding and nn::quantize (MLX's mlx.nn layers and function of
// the same names) on the affine group-wise format of ops/quantized.hpp.
//
// The packed "weight" (uint32), "scales" and "biases" are parameters (saved and loaded with
// the model) that are frozen, so trainable_parameters() and nn::value_and_grad leave them
// out; QuantizedLinear's "bias" stays trainable, and gradients reach the layer's input
// through QuantizedMatmul's vjp. nn::quantize swaps layers in place through
// Module::update_modules, so it needs parents that accept swapped children (Sequential
// does; see update_modules).
#pragma once

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mlx/nn/layers/embedding.hpp"
#include "mlx/nn/layers/linear.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/quantized.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn {

namespace detail {
/// The group sizes and bit widths the affine kernels take, checked in the layer's name.
inline void check_quantized_layer(const std::string& layer, int group_size, int bits) {
  if (group_size != 32 && group_size != 64 && group_size != 128)
    core::detail::fail(layer, "group_size must be 32, 64 or 128, got ", group_size, ".");
  if (bits < 2 || bits > 8 || bits == 7)
    core::detail::fail(layer, "bits must be 2, 3, 4, 5, 6 or 8, got ", bits, ".");
}
/// A dimension that is quantized in groups must be a positive multiple of group_size.
inline void check_grouped_dim(const std::string& layer, const char* what, int dims, int group_size) {
  if (dims <= 0 || dims % group_size != 0)
    core::detail::fail(layer, what, " (", dims, ") must be a positive multiple of group_size (", group_size, ").");
}
/// A weight that quantize() accepts: a float32, float16 or bfloat16 matrix.
inline void check_quantizable_weight(const std::string& layer, const array& w) {
  if (w.ndim() != 2) core::detail::fail(layer, "Expected a 2-d weight, got shape ", w.shape(), ".");
  if (w.dtype() != core::float32 && w.dtype() != core::float16 && w.dtype() != core::bfloat16)
    core::detail::fail(layer, "Only float32, float16 and bfloat16 weights can be quantized, got ", w.dtype(), ".");
}
/// MLX's repr of the quantization settings ("group_size=64, bits=4, mode=affine").
inline std::string quant_repr(int group_size, int bits) {
  return "group_size=" + std::to_string(group_size) + ", bits=" + std::to_string(bits) + ", mode=affine";
}
}  // namespace detail

/// y = quantized_matmul(x, weight, scales, biases, transpose = true) + bias: Linear with its
/// [output_dims, input_dims] weight quantized along input_dims in groups of group_size.
/// Built from U(-1/sqrt(input_dims), 1/sqrt(input_dims)) weights and a zero bias as MLX, or
/// from a Linear (from_linear). input_dims must be a multiple of group_size.
/// \throws std::invalid_argument "[nn.QuantizedLinear] ..." for non-positive dims, a
/// group_size other than 32/64/128, bits other than 2/3/4/5/6/8, input_dims not divisible
/// by group_size, and (forward) an input whose last dimension is not input_dims.
template <class = void>
class QuantizedLinearImpl : public Module {
 public:
  QuantizedLinearImpl(int input_dims, int output_dims, bool bias = true, int group_size = 64, int bits = 4)
      : group_size_(group_size), bits_(bits) {
    if (input_dims <= 0 || output_dims <= 0)
      core::detail::fail("nn.QuantizedLinear", "input_dims and output_dims must be positive, got ", input_dims,
                         " and ", output_dims, ".");
    detail::check_quantized_layer("nn.QuantizedLinear", group_size, bits);
    detail::check_grouped_dim("nn.QuantizedLinear", "input_dims", input_dims, group_size);
    const float scale = 1.0f / std::sqrt(static_cast<float>(input_dims));
    set_weight(core::random::uniform(-scale, scale, {output_dims, input_dims}));
    if (bias) register_parameter("bias", core::zeros({output_dims}));
  }

  /// The quantized form of `linear`: its weight quantized, its bias (if any) shared.
  /// \throws std::invalid_argument as the constructor, and for a weight that is not
  /// float32/float16/bfloat16.
  static std::shared_ptr<QuantizedLinearImpl> from_linear(const LinearImpl<>& linear, int group_size = 64,
                                                          int bits = 4) {
    const array& w = linear.parameter("weight");
    std::optional<array> b;
    if (linear.has_parameter("bias")) b = linear.parameter("bias");
    return std::shared_ptr<QuantizedLinearImpl>(new QuantizedLinearImpl(w, std::move(b), group_size, bits));
  }

  std::string name() const override { return "QuantizedLinear"; }
  std::string extra_repr() const override {
    return "input_dims=" + std::to_string(input_dims()) + ", output_dims=" + std::to_string(output_dims()) +
           ", bias=" + detail::py_bool(has_parameter("bias")) + ", " + detail::quant_repr(group_size_, bits_);
  }
  array operator()(const array& x) override {
    if (x.ndim() == 0 || x.shape(-1) != input_dims())
      core::detail::fail("nn.QuantizedLinear", "Expected an input whose last dimension is input_dims = ",
                         input_dims(), ", got shape ", x.shape(), ".");
    array y = core::quantized_matmul(x, local("weight"), local("scales"), local("biases"), true, group_size_, bits_);
    if (has_parameter("bias")) return array(y + local("bias"));
    return y;
  }

  int input_dims() const { return static_cast<int>(static_cast<int64_t>(local("weight").shape(1)) * 32 / bits_); }
  int output_dims() const { return local("weight").shape(0); }
  int group_size() const { return group_size_; }
  int bits() const { return bits_; }

 private:
  QuantizedLinearImpl(const array& weight, std::optional<array> bias, int group_size, int bits)
      : group_size_(group_size), bits_(bits) {
    detail::check_quantized_layer("nn.QuantizedLinear", group_size, bits);
    detail::check_quantizable_weight("nn.QuantizedLinear", weight);
    detail::check_grouped_dim("nn.QuantizedLinear", "input_dims", weight.shape(1), group_size);
    set_weight(weight);
    if (bias) register_parameter("bias", std::move(*bias));
  }
  // weight, scales and biases from a float weight; all three frozen (MLX).
  void set_weight(const array& w) {
    auto q = core::quantize(w, group_size_, bits_);
    register_parameter("weight", q[0]);
    register_parameter("scales", q[1]);
    register_parameter("biases", q[2]);
    for (const char* k : {"weight", "scales", "biases"}) freeze_local(k);
  }

  int group_size_, bits_;
};
using QuantizedLinear = QuantizedLinearImpl<>;

/// Embedding with its [num_embeddings, dims] table quantized along dims: the forward pass
/// gathers the packed rows (with their scales and biases) and dequantizes only those;
/// as_linear multiplies by the quantized table (tied output heads). The table is drawn from
/// N(0, 1/dims) as MLX, or taken from an Embedding (from_embedding). dims must be a
/// multiple of group_size.
/// \throws std::invalid_argument "[nn.QuantizedEmbedding] ..." for non-positive sizes,
/// unsupported group_size or bits, dims not divisible by group_size, non-integer indices
/// and (as_linear) an input whose last dimension is not dims.
template <class = void>
class QuantizedEmbeddingImpl : public Module {
 public:
  QuantizedEmbeddingImpl(int num_embeddings, int dims, int group_size = 64, int bits = 4)
      : group_size_(group_size), bits_(bits) {
    if (num_embeddings <= 0 || dims <= 0)
      core::detail::fail("nn.QuantizedEmbedding", "num_embeddings and dims must be positive, got ", num_embeddings,
                         " and ", dims, ".");
    detail::check_quantized_layer("nn.QuantizedEmbedding", group_size, bits);
    detail::check_grouped_dim("nn.QuantizedEmbedding", "dims", dims, group_size);
    const float scale = std::sqrt(1.0f / static_cast<float>(dims));
    set_weight(core::random::normal({num_embeddings, dims}, core::float32, 0.0f, scale));
  }

  /// The quantized form of `embedding`'s table.
  /// \throws std::invalid_argument as the constructor, and for a table that is not
  /// float32/float16/bfloat16.
  static std::shared_ptr<QuantizedEmbeddingImpl> from_embedding(const EmbeddingImpl<>& embedding,
                                                                int group_size = 64, int bits = 4) {
    return std::shared_ptr<QuantizedEmbeddingImpl>(
        new QuantizedEmbeddingImpl(embedding.parameter("weight"), group_size, bits));
  }

  std::string name() const override { return "QuantizedEmbedding"; }
  std::string extra_repr() const override {
    return std::to_string(num_embeddings()) + ", " + std::to_string(dims()) + ", " +
           detail::quant_repr(group_size_, bits_);
  }
  /// The dequantized rows weight[x]: x's shape followed by dims, in the scales' dtype.
  array operator()(const array& x) override {
    if (!core::issubdtype(x.dtype(), core::integer))
      core::detail::fail("nn.QuantizedEmbedding", "Indices must have an integer dtype, got ", x.dtype(), ".");
    // dequantize takes matrices: a 0-d index is read as one row and the axis dropped again.
    array idx = x.ndim() == 0 ? core::reshape(x, {1}) : x;
    array rows = core::dequantize(core::take(local("weight"), idx, 0), core::take(local("scales"), idx, 0),
                                  core::take(local("biases"), idx, 0), group_size_, bits_);
    return x.ndim() == 0 ? core::reshape(rows, {dims()}) : rows;
  }
  /// x @ dequantize(weight)^T through quantized_matmul (the table as an output projection).
  array as_linear(const array& x) {
    if (x.ndim() == 0 || x.shape(-1) != dims())
      core::detail::fail("nn.QuantizedEmbedding", "as_linear expects an input whose last dimension is dims = ",
                         dims(), ", got shape ", x.shape(), ".");
    return core::quantized_matmul(x, local("weight"), local("scales"), local("biases"), true, group_size_, bits_);
  }

  int num_embeddings() const { return local("weight").shape(0); }
  int dims() const { return static_cast<int>(static_cast<int64_t>(local("weight").shape(1)) * 32 / bits_); }
  int group_size() const { return group_size_; }
  int bits() const { return bits_; }

 private:
  QuantizedEmbeddingImpl(const array& weight, int group_size, int bits) : group_size_(group_size), bits_(bits) {
    detail::check_quantized_layer("nn.QuantizedEmbedding", group_size, bits);
    detail::check_quantizable_weight("nn.QuantizedEmbedding", weight);
    detail::check_grouped_dim("nn.QuantizedEmbedding", "dims", weight.shape(1), group_size);
    set_weight(weight);
  }
  void set_weight(const array& w) {
    auto q = core::quantize(w, group_size_, bits_);
    register_parameter("weight", q[0]);
    register_parameter("scales", q[1]);
    register_parameter("biases", q[2]);
    for (const char* k : {"weight", "scales", "biases"}) freeze_local(k);
  }

  int group_size_, bits_;
};
using QuantizedEmbedding = QuantizedEmbeddingImpl<>;

/// Chooses the layers nn::quantize replaces: (full dotted path, the Linear or Embedding).
using QuantizePredicate = std::function<bool(const std::string& path, const Module& module)>;

/// Replaces, in place, every Linear and Embedding below `model` whose quantized axis
/// (Linear's input_dims, Embedding's dims) is a multiple of group_size, and for which
/// `predicate` (when given) returns true, by its QuantizedLinear / QuantizedEmbedding
/// (MLX's nn.quantize; MLX raises for a layer that does not divide instead of skipping it).
/// The replacements keep the layers' training mode; a layer shared by several parents is
/// quantized once and stays shared. `model` itself is not replaced (use from_linear /
/// from_embedding for a lone layer). Everything is checked before the tree changes.
/// \throws std::invalid_argument "[nn.quantize] ..." for an unsupported group_size or bits,
/// or naming the path of a layer whose weight cannot be quantized (dtype); and
/// update_modules's error naming the path when a parent does not accept swapped children
/// (e.g. MultiHeadAttention's typed projections: exclude them with the predicate).
template <class = void>
Module& quantize(Module& model, int group_size = 64, int bits = 4, const QuantizePredicate& predicate = nullptr) {
  detail::check_quantized_layer("nn.quantize", group_size, bits);
  std::vector<std::pair<std::string, ModulePtr>> swaps;
  std::map<const Module*, ModulePtr> done;  // one quantized module per (shared) layer
  for (const auto& [path, m] : model.modules()) {
    const auto* lin = dynamic_cast<const LinearImpl<>*>(m.get());
    const auto* emb = lin ? nullptr : dynamic_cast<const EmbeddingImpl<>*>(m.get());
    if (!lin && !emb) continue;
    const array& w = m->parameter("weight");
    if (w.ndim() != 2 || w.shape(1) % group_size != 0) continue;
    if (predicate && !predicate(path, *m)) continue;
    ModulePtr& q = done[m.get()];
    if (!q) {
      try {
        if (lin)
          q = QuantizedLinearImpl<>::from_linear(*lin, group_size, bits);
        else
          q = QuantizedEmbeddingImpl<>::from_embedding(*emb, group_size, bits);
      } catch (const std::invalid_argument& e) {
        core::detail::fail("nn.quantize", "Cannot quantize \"", path, "\": ", e.what());
      }
      q->train(m->training());
    }
    swaps.emplace_back(path, q);
  }
  return model.update_modules(swaps);
}

}  // namespace mlx::nn
