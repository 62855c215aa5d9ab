// SPDX-License-Identifier: MIT
// MultiHeadAttention and the Transformer family (MLX's mlx.nn layers of the same names:
// parameters, names, defaults and formulas). Attention runs through
// fast::scaled_dot_product_attention, inputs are (batch, sequence, features).
//
// One deliberate difference: MLX's post-norm (norm_first = false) TransformerDecoderLayer
// feeds the self-attention's output, not the normalised residual stream, to the cross
// attention. We follow the paper and PyTorch (the residual stream), so post-norm decoders
// match torch.nn.TransformerDecoderLayer; docs/differences.md lists it.
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mlx/fast/fast.hpp"
#include "mlx/nn/activations.hpp"
#include "mlx/nn/layers/dropout.hpp"
#include "mlx/nn/layers/linear.hpp"
#include "mlx/nn/layers/normalization.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/nn/utils.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/shape.hpp"

namespace mlx::nn {

/// An activation as the Transformer layers take it (relu by default, as MLX).
using ActivationFn = std::function<array(const array&)>;

/// MultiHeadAttention(dims, num_heads, query_input_dims, key_input_dims, value_input_dims,
/// value_dims, value_output_dims, bias=false): project queries, keys and values (Linear
/// layers query_proj, key_proj, value_proj), attend per head with scale 1/sqrt(head dims),
/// project the concatenated heads (out_proj). Unset input dims default as MLX's: queries and
/// keys to dims, values to key_input_dims, value_dims and value_output_dims to dims.
template <class = void>
class MultiHeadAttentionImpl : public Module {
 public:
  MultiHeadAttentionImpl(int dims, int num_heads, std::optional<int> query_input_dims = std::nullopt,
                         std::optional<int> key_input_dims = std::nullopt,
                         std::optional<int> value_input_dims = std::nullopt,
                         std::optional<int> value_dims = std::nullopt,
                         std::optional<int> value_output_dims = std::nullopt, bool bias = false)
      : num_heads_(num_heads) {
    if (num_heads <= 0 || dims % num_heads != 0)
      core::detail::fail("nn.MultiHeadAttention",
                         "The input feature dimensions should be divisible by the number of heads (", dims, " % ",
                         num_heads, ") != 0.");
    const int qin = query_input_dims.value_or(dims), kin = key_input_dims.value_or(dims);
    const int vin = value_input_dims.value_or(kin), vd = value_dims.value_or(dims);
    const int vout = value_output_dims.value_or(dims);
    if (vd % num_heads != 0)
      core::detail::fail("nn.MultiHeadAttention", "value_dims (", vd, ") must be divisible by num_heads (",
                         num_heads, ").");
    query_proj_ = register_module("query_proj", std::make_shared<Linear>(qin, dims, bias));
    key_proj_ = register_module("key_proj", std::make_shared<Linear>(kin, dims, bias));
    value_proj_ = register_module("value_proj", std::make_shared<Linear>(vin, vd, bias));
    out_proj_ = register_module("out_proj", std::make_shared<Linear>(vd, vout, bias));
  }
  std::string name() const override { return "MultiHeadAttention"; }
  using Module::operator();

  /// Attention of queries (B, L, Dq) over keys (B, S, Dk) and values (B, S, Dv); an
  /// optional mask broadcasting to (B, num_heads, L, S), additive or boolean (true = keep).
  array operator()(const array& queries, const array& keys, const array& values,
                   const std::optional<array>& mask = std::nullopt) {
    return attend(queries, keys, values, "", mask);
  }
  /// The same with mask "causal" (query i sees keys j <= i + S - L).
  array operator()(const array& queries, const array& keys, const array& values, const std::string& mask_mode) {
    if (mask_mode != "causal")
      core::detail::fail("nn.MultiHeadAttention", "A string mask must be \"causal\", got \"", mask_mode, "\".");
    return attend(queries, keys, values, mask_mode, std::nullopt);
  }

  /// (N, N) mask with finfo(dtype).min above the diagonal, 0 elsewhere (MLX's staticmethod).
  static array create_additive_causal_mask(int N, core::Dtype dtype = core::float32) {
    array idx = core::arange(N);
    array above = core::less(core::expand_dims(idx, 1), core::expand_dims(idx, 0));
    return array(core::astype(above, dtype) * array(core::finfo(dtype).min, dtype));
  }

 private:
  array attend(const array& queries, const array& keys, const array& values, const std::string& mode,
               const std::optional<array>& mask) {
    for (const array* t : {&queries, &keys, &values})
      if (t->ndim() != 3)
        core::detail::fail("nn.MultiHeadAttention", "Expected inputs of shape (batch, sequence, features), got ",
                           t->shape(), ".");
    const char* names[3] = {"queries", "keys", "values"};
    const Linear* projs[3] = {query_proj_.get(), key_proj_.get(), value_proj_.get()};
    const array* ins[3] = {&queries, &keys, &values};
    for (int i = 0; i < 3; ++i) {
      const int want = projs[i]->parameter("weight").shape(1);
      if (ins[i]->shape(-1) != want)
        core::detail::fail("nn.MultiHeadAttention", "Expected ", names[i], " with ", want, " features, got shape ",
                           ins[i]->shape(), ".");
    }
    if (keys.shape(1) != values.shape(1) || keys.shape(0) != values.shape(0) || queries.shape(0) != keys.shape(0))
      core::detail::fail("nn.MultiHeadAttention", "Expected queries, keys and values with one batch size and keys and",
                         " values of one length, got shapes ", queries.shape(), ", ", keys.shape(), " and ",
                         values.shape(), ".");
    array q = (*query_proj_)(queries), k = (*key_proj_)(keys), v = (*value_proj_)(values);
    auto heads = [&](const array& t) {
      return core::transpose(core::unflatten(t, -1, {num_heads_, -1}), {0, 2, 1, 3});
    };
    q = heads(q);
    k = heads(k);
    v = heads(v);
    const float scale = 1.0f / std::sqrt(static_cast<float>(q.shape(-1)));
    array o = core::fast::scaled_dot_product_attention(q, k, v, scale, mode, mask);
    o = core::flatten(core::transpose(o, {0, 2, 1, 3}), -2, -1);
    return (*out_proj_)(o);
  }
  int num_heads_;
  std::shared_ptr<Linear> query_proj_, key_proj_, value_proj_, out_proj_;
};
using MultiHeadAttention = MultiHeadAttentionImpl<>;

namespace detail {
template <class = void>
ActivationFn default_activation() {
  return [](const array& x) { return relu(x); };
}
}  // namespace detail

/// TransformerEncoderLayer(dims, num_heads, mlp_dims = 4 dims, dropout = 0, activation =
/// relu, norm_first = true): self-attention and a two-layer MLP, each with a residual;
/// LayerNorm before each (norm_first) or after each residual sum.
template <class = void>
class TransformerEncoderLayerImpl : public Module {
 public:
  TransformerEncoderLayerImpl(int dims, int num_heads, std::optional<int> mlp_dims = std::nullopt,
                              float dropout = 0.0f, ActivationFn activation = detail::default_activation(),
                              bool norm_first = true)
      : activation_(std::move(activation)), norm_first_(norm_first) {
    const int mlp = mlp_dims.value_or(4 * dims);
    attention_ = register_module("attention", std::make_shared<MultiHeadAttention>(dims, num_heads));
    ln1_ = register_module("ln1", std::make_shared<LayerNorm>(dims));
    ln2_ = register_module("ln2", std::make_shared<LayerNorm>(dims));
    linear1_ = register_module("linear1", std::make_shared<Linear>(dims, mlp));
    linear2_ = register_module("linear2", std::make_shared<Linear>(mlp, dims));
    dropout1_ = register_module("dropout1", std::make_shared<Dropout>(dropout));
    dropout2_ = register_module("dropout2", std::make_shared<Dropout>(dropout));
  }
  std::string name() const override { return "TransformerEncoderLayer"; }
  using Module::operator();
  array operator()(const array& x, const std::optional<array>& mask) {
    if (norm_first_) {
      array y = (*ln1_)(x);
      y = (*dropout1_)((*attention_)(y, y, y, mask));
      array h = x + y;
      return array(h + mlp((*ln2_)(h)));
    }
    array h = (*ln1_)(array(x + (*dropout1_)((*attention_)(x, x, x, mask))));
    return (*ln2_)(array(h + mlp(h)));
  }

 private:
  array mlp(const array& x) { return (*linear2_)((*dropout2_)(activation_((*linear1_)(x)))); }
  ActivationFn activation_;
  bool norm_first_;
  std::shared_ptr<MultiHeadAttention> attention_;
  std::shared_ptr<LayerNorm> ln1_, ln2_;
  std::shared_ptr<Linear> linear1_, linear2_;
  std::shared_ptr<Dropout> dropout1_, dropout2_;
};
using TransformerEncoderLayer = TransformerEncoderLayerImpl<>;

/// TransformerDecoderLayer(dims, num_heads, mlp_dims = 4 dims, dropout = 0, activation =
/// relu, norm_first = true): self-attention, cross-attention over `memory`, an MLP.
template <class = void>
class TransformerDecoderLayerImpl : public Module {
 public:
  TransformerDecoderLayerImpl(int dims, int num_heads, std::optional<int> mlp_dims = std::nullopt,
                              float dropout = 0.0f, ActivationFn activation = detail::default_activation(),
                              bool norm_first = true)
      : activation_(std::move(activation)), norm_first_(norm_first) {
    const int mlp = mlp_dims.value_or(4 * dims);
    self_attention_ = register_module("self_attention", std::make_shared<MultiHeadAttention>(dims, num_heads));
    cross_attention_ = register_module("cross_attention", std::make_shared<MultiHeadAttention>(dims, num_heads));
    ln1_ = register_module("ln1", std::make_shared<LayerNorm>(dims));
    ln2_ = register_module("ln2", std::make_shared<LayerNorm>(dims));
    ln3_ = register_module("ln3", std::make_shared<LayerNorm>(dims));
    linear1_ = register_module("linear1", std::make_shared<Linear>(dims, mlp));
    linear2_ = register_module("linear2", std::make_shared<Linear>(mlp, dims));
    dropout1_ = register_module("dropout1", std::make_shared<Dropout>(dropout));
    dropout2_ = register_module("dropout2", std::make_shared<Dropout>(dropout));
    dropout3_ = register_module("dropout3", std::make_shared<Dropout>(dropout));
  }
  std::string name() const override { return "TransformerDecoderLayer"; }
  using Module::operator();
  array operator()(const array& x, const array& memory, const std::optional<array>& x_mask,
                   const std::optional<array>& memory_mask) {
    if (norm_first_) {
      array y = (*ln1_)(x);
      array h = x + (*dropout1_)((*self_attention_)(y, y, y, x_mask));
      y = (*ln2_)(h);
      h = array(h + (*dropout2_)((*cross_attention_)(y, memory, memory, memory_mask)));
      return array(h + mlp((*ln3_)(h)));
    }
    array h = (*ln1_)(array(x + (*dropout1_)((*self_attention_)(x, x, x, x_mask))));
    h = (*ln2_)(array(h + (*dropout2_)((*cross_attention_)(h, memory, memory, memory_mask))));
    return (*ln3_)(array(h + mlp(h)));
  }

 private:
  array mlp(const array& x) { return (*linear2_)((*dropout3_)(activation_((*linear1_)(x)))); }
  ActivationFn activation_;
  bool norm_first_;
  std::shared_ptr<MultiHeadAttention> self_attention_, cross_attention_;
  std::shared_ptr<LayerNorm> ln1_, ln2_, ln3_;
  std::shared_ptr<Linear> linear1_, linear2_;
  std::shared_ptr<Dropout> dropout1_, dropout2_, dropout3_;
};
using TransformerDecoderLayer = TransformerDecoderLayerImpl<>;

/// TransformerEncoder(num_layers, dims, num_heads, mlp_dims, dropout, activation,
/// norm_first = true, checkpoint = false): the layers ("layers.0", ...) then a final
/// LayerNorm ("ln"). checkpoint: each layer is recomputed in the backward pass instead of
/// keeping its intermediates (nn::checkpoint). Subclass it to give Transformer a custom encoder.
template <class = void>
class TransformerEncoderImpl : public Module {
 public:
  TransformerEncoderImpl(int num_layers, int dims, int num_heads, std::optional<int> mlp_dims = std::nullopt,
                         float dropout = 0.0f, ActivationFn activation = detail::default_activation(),
                         bool norm_first = true, bool checkpoint = false)
      : checkpoint_(checkpoint) {
    for (int i = 0; i < num_layers; ++i)
      layers_.push_back(register_module("layers." + std::to_string(i),
                                        std::make_shared<TransformerEncoderLayer>(dims, num_heads, mlp_dims, dropout,
                                                                                  activation, norm_first)));
    ln_ = register_module("ln", std::make_shared<LayerNorm>(dims));
  }
  std::string name() const override { return "TransformerEncoder"; }
  using Module::operator();
  virtual array operator()(const array& x, const std::optional<array>& mask) {
    array y = x;
    for (auto& l : layers_) {
      if (!checkpoint_) {
        y = (*l)(y, mask);
        continue;
      }
      std::vector<array> in{y};
      if (mask) in.push_back(*mask);
      auto call = [layer = l](const std::vector<array>& a) {
        return std::vector<array>{(*layer)(a[0], a.size() > 1 ? std::optional<array>(a[1]) : std::nullopt)};
      };
      y = nn::checkpoint<>(*l, call)(in)[0];
    }
    return (*ln_)(y);
  }

 private:
  bool checkpoint_;
  std::vector<std::shared_ptr<TransformerEncoderLayer>> layers_;
  std::shared_ptr<LayerNorm> ln_;
};
using TransformerEncoder = TransformerEncoderImpl<>;

/// TransformerDecoder(num_layers, dims, num_heads, mlp_dims, dropout, activation,
/// norm_first = true, checkpoint = false): the layers then a final LayerNorm ("ln");
/// checkpoint as in TransformerEncoder.
template <class = void>
class TransformerDecoderImpl : public Module {
 public:
  TransformerDecoderImpl(int num_layers, int dims, int num_heads, std::optional<int> mlp_dims = std::nullopt,
                         float dropout = 0.0f, ActivationFn activation = detail::default_activation(),
                         bool norm_first = true, bool checkpoint = false)
      : checkpoint_(checkpoint) {
    for (int i = 0; i < num_layers; ++i)
      layers_.push_back(register_module("layers." + std::to_string(i),
                                        std::make_shared<TransformerDecoderLayer>(dims, num_heads, mlp_dims, dropout,
                                                                                  activation, norm_first)));
    ln_ = register_module("ln", std::make_shared<LayerNorm>(dims));
  }
  std::string name() const override { return "TransformerDecoder"; }
  using Module::operator();
  virtual array operator()(const array& x, const array& memory, const std::optional<array>& x_mask,
                           const std::optional<array>& memory_mask) {
    array y = x;
    for (auto& l : layers_) {
      if (!checkpoint_) {
        y = (*l)(y, memory, x_mask, memory_mask);
        continue;
      }
      // The inputs y, memory, then whichever masks are given (their positions fixed here).
      std::vector<array> in{y, memory};
      const int xm = x_mask ? static_cast<int>(in.size()) : -1;
      if (x_mask) in.push_back(*x_mask);
      const int mm = memory_mask ? static_cast<int>(in.size()) : -1;
      if (memory_mask) in.push_back(*memory_mask);
      auto call = [layer = l, xm, mm](const std::vector<array>& a) {
        auto opt = [&a](int i) { return i < 0 ? std::optional<array>() : std::optional<array>(a[i]); };
        return std::vector<array>{(*layer)(a[0], a[1], opt(xm), opt(mm))};
      };
      y = nn::checkpoint<>(*l, call)(in)[0];
    }
    return (*ln_)(y);
  }

 private:
  bool checkpoint_;
  std::vector<std::shared_ptr<TransformerDecoderLayer>> layers_;
  std::shared_ptr<LayerNorm> ln_;
};
using TransformerDecoder = TransformerDecoderImpl<>;

/// Transformer(dims = 512, num_heads = 8, num_encoder_layers = 6, num_decoder_layers = 6,
/// mlp_dims, dropout, activation, custom_encoder, custom_decoder, norm_first = true,
/// checkpoint = false):
/// memory = encoder(src, src_mask); decoder(tgt, memory, tgt_mask, memory_mask).
template <class = void>
class TransformerImpl : public Module {
 public:
  explicit TransformerImpl(int dims = 512, int num_heads = 8, int num_encoder_layers = 6, int num_decoder_layers = 6,
                           std::optional<int> mlp_dims = std::nullopt, float dropout = 0.0f,
                           ActivationFn activation = detail::default_activation(),
                           std::shared_ptr<TransformerEncoder> custom_encoder = nullptr,
                           std::shared_ptr<TransformerDecoder> custom_decoder = nullptr, bool norm_first = true,
                           bool checkpoint = false) {
    encoder_ = register_module("encoder", custom_encoder ? custom_encoder
                                                         : std::make_shared<TransformerEncoder>(
                                                               num_encoder_layers, dims, num_heads, mlp_dims, dropout,
                                                               activation, norm_first, checkpoint));
    decoder_ = register_module("decoder", custom_decoder ? custom_decoder
                                                         : std::make_shared<TransformerDecoder>(
                                                               num_decoder_layers, dims, num_heads, mlp_dims, dropout,
                                                               activation, norm_first, checkpoint));
  }
  std::string name() const override { return "Transformer"; }
  using Module::operator();
  array operator()(const array& src, const array& tgt, const std::optional<array>& src_mask,
                   const std::optional<array>& tgt_mask, const std::optional<array>& memory_mask) {
    array memory = (*encoder_)(src, src_mask);
    return (*decoder_)(tgt, memory, tgt_mask, memory_mask);
  }

 private:
  std::shared_ptr<TransformerEncoder> encoder_;
  std::shared_ptr<TransformerDecoder> decoder_;
};
using Transformer = TransformerImpl<>;

}  // namespace mlx::nn
