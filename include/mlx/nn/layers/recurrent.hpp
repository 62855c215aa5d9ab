// SPDX-License-Identifier: MIT
// Recurrent layers (MLX's mlx.nn.RNN, GRU and LSTM: parameter names, shapes, gate order and
// initialisation U(-1/sqrt(hidden), 1/sqrt(hidden))). Input (N, L, D) or (L, D); the
// result holds every step's hidden state, (N, L, H) or (L, H). The input projection of all
// steps is one matmul; each step then adds the hidden projection.
//
// A missing initial hidden state means zeros. For GRU that differs from MLX, which drops
// the hidden-side bias bhn from the first step's candidate when no state is given; with
// zeros the first step equals PyTorch's GRU with h0 = 0 (docs/differences.md).
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mlx/nn/activations.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/random/random.hpp"

namespace mlx::nn {

namespace detail {
/// Checks x is (N, L, input) or (L, input) for `layer`.
inline void check_recurrent_input(const char* layer, const array& x, int input_size) {
  if ((x.ndim() != 2 && x.ndim() != 3) || x.shape(-1) != input_size)
    core::detail::fail(layer, "Expected input of shape (N, L, ", input_size, ") or (L, ", input_size, "), got ",
                       x.shape(), ".");
}
inline void check_state(const char* layer, const char* what, const std::optional<array>& h, const array& x,
                        int hidden) {
  if (!h) return;
  core::Shape want(x.shape().begin(), x.shape().end() - 2);
  want.push_back(hidden);
  if (h->shape() != want)
    core::detail::fail(layer, "Expected the ", what, " of shape ", want, ", got ", h->shape(), ".");
}
/// Step t of the projected input (..., L, F) -> (..., F).
template <class = void>
array step(const array& xp, int t) {
  const int ax = static_cast<int>(xp.ndim()) - 2;
  core::Shape start(xp.ndim(), 0), stop = xp.shape();
  start[ax] = t;
  stop[ax] = t + 1;
  return core::squeeze(core::slice(xp, std::move(start), std::move(stop)), ax);
}
/// x[..., a:b] on the last axis.
template <class = void>
array cols(const array& x, int a, int b) {
  core::Shape start(x.ndim(), 0), stop = x.shape();
  start.back() = a;
  stop.back() = b;
  return core::slice(x, std::move(start), std::move(stop));
}
template <class = void>
array uniform_init(float scale, const core::Shape& shape) {
  return core::random::uniform(-scale, scale, shape);
}
}  // namespace detail

/// RNN(input_size, hidden_size, bias=true, nonlinearity=tanh): h_t = f(x_t Wxh^T + bias +
/// h_{t-1} Whh^T).
template <class = void>
class RNNImpl : public Module {
 public:
  RNNImpl(int input_size, int hidden_size, bool bias = true,
          std::function<array(const array&)> nonlinearity = nullptr)
      : input_(input_size), hidden_(hidden_size), f_(std::move(nonlinearity)) {
    if (input_size <= 0 || hidden_size <= 0)
      core::detail::fail("nn.RNN", "input_size and hidden_size must be positive, got ", input_size, " and ",
                         hidden_size, ".");
    if (!f_) f_ = [](const array& x) { return array(core::tanh(x)); };
    const float sc = 1.0f / std::sqrt(static_cast<float>(hidden_size));
    register_parameter("Wxh", detail::uniform_init(sc, {hidden_size, input_size}));
    register_parameter("Whh", detail::uniform_init(sc, {hidden_size, hidden_size}));
    if (bias) register_parameter("bias", detail::uniform_init(sc, {hidden_size}));
  }
  std::string name() const override { return "RNN"; }
  std::string extra_repr() const override {
    return "input_dims=" + std::to_string(input_) + ", hidden_size=" + std::to_string(hidden_) +
           ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  array operator()(const array& x) override { return (*this)(x, std::nullopt); }
  array operator()(const array& x, const std::optional<array>& hidden) {
    detail::check_recurrent_input("nn.RNN", x, input_);
    detail::check_state("nn.RNN", "hidden state", hidden, x, hidden_);
    array wxt = core::transpose(local("Wxh")), wht = core::transpose(local("Whh"));
    array xp = has_parameter("bias") ? core::addmm(local("bias"), x, wxt) : core::matmul(x, wxt);
    std::optional<array> h = hidden;
    std::vector<array> all;
    for (int t = 0; t < x.shape(-2); ++t) {
      array pre = detail::step(xp, t);
      if (h) pre = core::addmm(pre, *h, wht);
      h = f_(pre);
      all.push_back(*h);
    }
    return core::stack(all, -2);
  }

 private:
  int input_, hidden_;
  std::function<array(const array&)> f_;
};
using RNN = RNNImpl<>;

/// GRU(input_size, hidden_size, bias=true), gates r, z, n in that order:
/// r, z = sigmoid(x Wx_{r,z}^T + b_{r,z} + h Wh_{r,z}^T), n = tanh(x Wx_n^T + b_n +
/// r * (h Wh_n^T + bhn)), h' = (1 - z) n + z h.
template <class = void>
class GRUImpl : public Module {
 public:
  GRUImpl(int input_size, int hidden_size, bool bias = true) : input_(input_size), hidden_(hidden_size) {
    if (input_size <= 0 || hidden_size <= 0)
      core::detail::fail("nn.GRU", "input_size and hidden_size must be positive, got ", input_size, " and ",
                         hidden_size, ".");
    const float sc = 1.0f / std::sqrt(static_cast<float>(hidden_size));
    register_parameter("Wx", detail::uniform_init(sc, {3 * hidden_size, input_size}));
    register_parameter("Wh", detail::uniform_init(sc, {3 * hidden_size, hidden_size}));
    if (bias) {
      register_parameter("b", detail::uniform_init(sc, {3 * hidden_size}));
      register_parameter("bhn", detail::uniform_init(sc, {hidden_size}));
    }
  }
  std::string name() const override { return "GRU"; }
  std::string extra_repr() const override {
    return "input_dims=" + std::to_string(input_) + ", hidden_size=" + std::to_string(hidden_) +
           ", bias=" + detail::py_bool(has_parameter("b"));
  }
  array operator()(const array& x) override { return (*this)(x, std::nullopt); }
  array operator()(const array& x, const std::optional<array>& hidden) {
    detail::check_recurrent_input("nn.GRU", x, input_);
    detail::check_state("nn.GRU", "hidden state", hidden, x, hidden_);
    const int H = hidden_;
    const bool b = has_parameter("b");
    array wxt = core::transpose(local("Wx")), wht = core::transpose(local("Wh"));
    array xp = b ? core::addmm(local("b"), x, wxt) : core::matmul(x, wxt);
    array h = hidden ? *hidden : core::zeros_like(detail::cols(detail::step(xp, 0), 0, H));
    std::vector<array> all;
    for (int t = 0; t < x.shape(-2); ++t) {
      array xt = detail::step(xp, t);
      array hp = core::matmul(h, wht);
      array rz = core::sigmoid(array(detail::cols(xt, 0, 2 * H) + detail::cols(hp, 0, 2 * H)));
      array r = detail::cols(rz, 0, H), z = detail::cols(rz, H, 2 * H);
      array hn = detail::cols(hp, 2 * H, 3 * H);
      if (b) hn = array(hn + local("bhn"));
      array n = core::tanh(array(detail::cols(xt, 2 * H, 3 * H) + r * hn));
      h = array((array(1.0f, n.dtype()) - z) * n + z * h);
      all.push_back(h);
    }
    return core::stack(all, -2);
  }

 private:
  int input_, hidden_;
};
using GRU = GRUImpl<>;

/// LSTM(input_size, hidden_size, bias=true), gates i, f, g, o in that order:
/// c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c'). Returns every step's
/// hidden state and cell state.
template <class = void>
class LSTMImpl : public Module {
 public:
  LSTMImpl(int input_size, int hidden_size, bool bias = true) : input_(input_size), hidden_(hidden_size) {
    if (input_size <= 0 || hidden_size <= 0)
      core::detail::fail("nn.LSTM", "input_size and hidden_size must be positive, got ", input_size, " and ",
                         hidden_size, ".");
    const float sc = 1.0f / std::sqrt(static_cast<float>(hidden_size));
    register_parameter("Wx", detail::uniform_init(sc, {4 * hidden_size, input_size}));
    register_parameter("Wh", detail::uniform_init(sc, {4 * hidden_size, hidden_size}));
    if (bias) register_parameter("bias", detail::uniform_init(sc, {4 * hidden_size}));
  }
  std::string name() const override { return "LSTM"; }
  std::string extra_repr() const override {
    return "input_dims=" + std::to_string(input_) + ", hidden_size=" + std::to_string(hidden_) +
           ", bias=" + detail::py_bool(has_parameter("bias"));
  }
  /// The hidden states only (Sequential use); call the three-argument form for the cells.
  array operator()(const array& x) override { return (*this)(x, std::nullopt, std::nullopt).first; }
  /// (all hidden states, all cell states), each (N, L, H) or (L, H).
  std::pair<array, array> operator()(const array& x, const std::optional<array>& hidden,
                                     const std::optional<array>& cell = std::nullopt) {
    detail::check_recurrent_input("nn.LSTM", x, input_);
    detail::check_state("nn.LSTM", "hidden state", hidden, x, hidden_);
    detail::check_state("nn.LSTM", "cell state", cell, x, hidden_);
    const int H = hidden_;
    array wxt = core::transpose(local("Wx")), wht = core::transpose(local("Wh"));
    array xp = has_parameter("bias") ? core::addmm(local("bias"), x, wxt) : core::matmul(x, wxt);
    std::optional<array> h = hidden, c = cell;
    std::vector<array> hs, cs;
    for (int t = 0; t < x.shape(-2); ++t) {
      array g4 = detail::step(xp, t);
      if (h) g4 = core::addmm(g4, *h, wht);
      array i = core::sigmoid(detail::cols(g4, 0, H));
      array f = core::sigmoid(detail::cols(g4, H, 2 * H));
      array g = core::tanh(detail::cols(g4, 2 * H, 3 * H));
      array o = core::sigmoid(detail::cols(g4, 3 * H, 4 * H));
      c = c ? array(f * *c + i * g) : array(i * g);
      h = array(o * core::tanh(*c));
      hs.push_back(*h);
      cs.push_back(*c);
    }
    return {core::stack(hs, -2), core::stack(cs, -2)};
  }

 private:
  int input_, hidden_;
};
using LSTM = LSTMImpl<>;

}  // namespace mlx::nn
