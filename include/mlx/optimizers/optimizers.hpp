// SPDX-License-Identifier: MIT
// Optimizers (MLX's mlx.optimizers: same names, defaults and update formulas).
//
// An Optimizer keeps a state per parameter name (a small map of arrays: "m", "v", ...)
// and a step count. update(model, grads) applies one step to a Module's trainable
// parameters; apply_gradients(grads, params) does the same on plain maps. Updates only
// build the graph: nothing is evaluated, so a training step evaluates once, e.g.
//   opt.update(model, grads);  mx::eval(model.parameters() as a vector, opt state ...).
//
// The learning rate is a float or a Schedule (optimizers/schedulers.hpp); as in MLX the
// schedule is called with the step count before the increment (0 on the first update).
//
// Optimizer itself calls no op; each concrete optimizer is a class template behind an
// alias (`using Adam = AdamImpl<>`) so that including this header instantiates no kernel.
#pragma once

#include <cmath>
#include <concepts>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mlx/nn/module.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/optimizers/schedulers.hpp"

namespace mlx::optimizers {

using mlx::core::array;
using nn::ParameterMap;

/// A float or a schedule (any callable int -> array).
struct LearningRate {
  LearningRate(double lr) : fn([v = static_cast<float>(lr)](int) { return array(v); }) {}
  template <class F>
    requires(std::is_invocable_r_v<array, F, int> && !std::is_arithmetic_v<F>)
  LearningRate(F f) : fn(std::move(f)) {}
  Schedule fn;
};

/// The state of one parameter: named arrays ("m", "v", ...).
using State = std::map<std::string, array>;

class Optimizer {
 public:
  explicit Optimizer(LearningRate lr) : schedule_(std::move(lr.fn)), lr_(schedule_(0)) {}
  virtual ~Optimizer() = default;

  /// One step on the model's trainable parameters named in grads.
  /// \throws std::invalid_argument when a gradient names no trainable parameter.
  void update(nn::Module& model, const ParameterMap& grads) {
    model.update(apply_gradients(grads, model.trainable_parameters()));
  }

  /// One step: the updated parameters for every name in grads (params may hold more).
  /// \throws std::invalid_argument when a gradient has no parameter of the same name and shape.
  ParameterMap apply_gradients(const ParameterMap& grads, const ParameterMap& params) {
    for (const auto& [k, g] : grads) {
      auto it = params.find(k);
      if (it == params.end())
        core::detail::fail("optimizers." + name(), "Gradient \"", k, "\" has no matching parameter.");
      if (it->second.shape() != g.shape())
        core::detail::fail("optimizers." + name(), "Gradient \"", k, "\" has shape ", g.shape(),
                           " but the parameter has shape ", it->second.shape(), ".");
    }
    lr_ = schedule_(step_);
    ++step_;
    ParameterMap out;
    for (const auto& [k, g] : grads) {
      const array& p = params.at(k);
      auto st = state_.find(k);
      if (st == state_.end()) {
        st = state_.emplace(k, State{}).first;
        init_single(p, st->second);
      }
      out.emplace(k, apply_single(g, p, st->second));
    }
    return out;
  }

  /// Updates so far (MLX's optimizer.step after them).
  int step() const { return step_; }
  /// The learning rate the last update used (the schedule at step 0 before any update).
  const array& learning_rate() const { return lr_; }
  /// Replaces the learning rate (a float or a schedule).
  void set_learning_rate(LearningRate lr) {
    schedule_ = std::move(lr.fn);
    lr_ = schedule_(step_);
  }
  /// Per-parameter state, by parameter name.
  const std::map<std::string, State>& state() const { return state_; }
  std::map<std::string, State>& state() { return state_; }
  /// Every state array (for one mx::eval of the whole step with the parameters).
  std::vector<array> state_arrays() const {
    std::vector<array> out;
    for (const auto& [k, s] : state_)
      for (const auto& [n, a] : s) out.push_back(a);
    return out;
  }
  virtual std::string name() const = 0;

 protected:
  /// Creates the state of a parameter seen for the first time.
  virtual void init_single(const array& parameter, State& state) = 0;
  /// The updated parameter (state updated in place), all lazily.
  virtual array apply_single(const array& gradient, const array& parameter, State& state) = 0;

 private:
  Schedule schedule_;
  array lr_;
  int step_ = 0;
  std::map<std::string, State> state_;
};

namespace detail {
/// A 0-d constant in g's dtype (float16 stays float16; a C++ double would promote).
inline array cst(double v, const array& g) { return array(v, g.dtype()); }
/// The learning rate in g's dtype (MLX: learning_rate.astype(gradient.dtype)).
template <class = void>
array lr_as(const array& lr, const array& g) {
  return lr.dtype() == g.dtype() ? lr : array(core::astype(lr, g.dtype()));
}
}  // namespace detail

/// Stochastic gradient descent (MLX SGD): g += weight_decay * p; with momentum,
/// v = momentum * v + (1 - dampening) * g and the step is v (or g + momentum * v when
/// nesterov); p -= lr * step.
/// \throws std::invalid_argument for nesterov without momentum or with dampening.
template <class = void>
class SGDImpl : public Optimizer {
 public:
  SGDImpl(LearningRate lr, float momentum = 0.0f, float weight_decay = 0.0f, float dampening = 0.0f,
          bool nesterov = false)
      : Optimizer(std::move(lr)), momentum_(momentum), wd_(weight_decay), damp_(dampening), nesterov_(nesterov) {
    if (nesterov && (momentum <= 0 || dampening != 0))
      core::detail::fail("optimizers.SGD", "Nesterov momentum requires a momentum and zero dampening.");
  }
  std::string name() const override { return "SGD"; }

 protected:
  void init_single(const array& p, State& s) override {
    if (momentum_ > 0) s["v"] = core::zeros_like(p);
  }
  array apply_single(const array& g0, const array& p, State& s) override {
    using detail::cst;
    array g = g0;
    if (wd_ != 0) g = array(g + cst(wd_, g) * p);
    array lr = detail::lr_as(learning_rate(), g);
    if (momentum_ <= 0) return array(p - lr * g);
    array v = damp_ > 0 ? array(cst(momentum_, g) * s["v"] + cst(1.0 - damp_, g) * g)
                        : array(cst(momentum_, g) * s["v"] + g);
    s["v"] = v;
    if (nesterov_) return array(p - lr * (g + cst(momentum_, g) * v));
    return array(p - lr * v);
  }

 private:
  float momentum_, wd_, damp_;
  bool nesterov_;
};
using SGD = SGDImpl<>;

/// Adam (MLX): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
/// p -= lr m / (sqrt(v) + eps); with bias_correction, p -= lr / (1 - b1^t) m /
/// (sqrt(v) / sqrt(1 - b2^t) + eps), t the step count after the increment.
template <class = void>
class AdamImpl : public Optimizer {
 public:
  AdamImpl(LearningRate lr, std::pair<float, float> betas = {0.9f, 0.999f}, float eps = 1e-8f,
           bool bias_correction = false)
      : Optimizer(std::move(lr)), b1_(betas.first), b2_(betas.second), eps_(eps), bias_correction_(bias_correction) {}
  std::string name() const override { return "Adam"; }

 protected:
  void init_single(const array& p, State& s) override {
    s["m"] = core::zeros_like(p);
    s["v"] = core::zeros_like(p);
  }
  array apply_single(const array& g, const array& p, State& s) override { return adam_step(g, p, s); }
  /// The Adam step on p (AdamW calls it on the decayed parameter).
  array adam_step(const array& g, const array& p, State& s) {
    using detail::cst;
    array m = cst(b1_, g) * s["m"] + cst(1.0 - b1_, g) * g;
    array v = cst(b2_, g) * s["v"] + cst(1.0 - b2_, g) * core::square(g);
    s["m"] = m;
    s["v"] = v;
    array lr = detail::lr_as(learning_rate(), g);
    if (!bias_correction_) return array(p - lr * m / (core::sqrt(v) + cst(eps_, g)));
    const int t = step();
    array c1 = lr / cst(1.0 - std::pow(double(b1_), t), g);
    array c2 = cst(1.0 / std::sqrt(1.0 - std::pow(double(b2_), t)), g);
    return array(p - c1 * m / (core::sqrt(v) * c2 + cst(eps_, g)));
  }

  float b1_, b2_, eps_;
  bool bias_correction_;
};
using Adam = AdamImpl<>;

/// AdamW (MLX): p = p (1 - lr weight_decay), then the Adam step.
template <class = void>
class AdamWImpl : public AdamImpl<> {
 public:
  AdamWImpl(LearningRate lr, std::pair<float, float> betas = {0.9f, 0.999f}, float eps = 1e-8f,
            float weight_decay = 0.01f, bool bias_correction = false)
      : AdamImpl<>(std::move(lr), betas, eps, bias_correction), wd_(weight_decay) {}
  std::string name() const override { return "AdamW"; }

 protected:
  array apply_single(const array& g, const array& p, State& s) override {
    array lr = detail::lr_as(learning_rate(), g);
    array decayed = p * (detail::cst(1, g) - lr * detail::cst(wd_, g));
    return this->adam_step(g, decayed, s);
  }

 private:
  float wd_;
};
using AdamW = AdamWImpl<>;

/// RMSprop (MLX): v = alpha v + (1 - alpha) g^2, p -= lr g / (sqrt(v) + eps).
template <class = void>
class RMSpropImpl : public Optimizer {
 public:
  RMSpropImpl(LearningRate lr, float alpha = 0.99f, float eps = 1e-8f)
      : Optimizer(std::move(lr)), alpha_(alpha), eps_(eps) {
    if (alpha < 0) core::detail::fail("optimizers.RMSprop", "alpha must be non-negative, got ", alpha, ".");
    if (eps < 0) core::detail::fail("optimizers.RMSprop", "eps must be non-negative, got ", eps, ".");
  }
  std::string name() const override { return "RMSprop"; }

 protected:
  void init_single(const array& p, State& s) override { s["v"] = core::zeros_like(p); }
  array apply_single(const array& g, const array& p, State& s) override {
    using detail::cst;
    array v = cst(alpha_, g) * s["v"] + cst(1.0 - alpha_, g) * core::square(g);
    s["v"] = v;
    return array(p - detail::lr_as(learning_rate(), g) * g / (core::sqrt(v) + cst(eps_, g)));
  }

 private:
  float alpha_, eps_;
};
using RMSprop = RMSpropImpl<>;

/// Adagrad (MLX): v += g^2, p -= lr g / (sqrt(v) + eps).
template <class = void>
class AdagradImpl : public Optimizer {
 public:
  AdagradImpl(LearningRate lr, float eps = 1e-8f) : Optimizer(std::move(lr)), eps_(eps) {
    if (eps < 0) core::detail::fail("optimizers.Adagrad", "eps must be non-negative, got ", eps, ".");
  }
  std::string name() const override { return "Adagrad"; }

 protected:
  void init_single(const array& p, State& s) override { s["v"] = core::zeros_like(p); }
  array apply_single(const array& g, const array& p, State& s) override {
    array v = s["v"] + core::square(g);
    s["v"] = v;
    return array(p - detail::lr_as(learning_rate(), g) * g / (core::sqrt(v) + detail::cst(eps_, g)));
  }

 private:
  float eps_;
};
using Adagrad = AdagradImpl<>;

/// AdaDelta (MLX): v = rho v + (1 - rho) g^2, d = sqrt(u + eps) / sqrt(v + eps) g,
/// u = rho u + (1 - rho) d^2, p -= lr d.
template <class = void>
class AdaDeltaImpl : public Optimizer {
 public:
  AdaDeltaImpl(LearningRate lr, float rho = 0.9f, float eps = 1e-6f) : Optimizer(std::move(lr)), rho_(rho), eps_(eps) {
    if (rho < 0) core::detail::fail("optimizers.AdaDelta", "rho must be non-negative, got ", rho, ".");
    if (eps < 0) core::detail::fail("optimizers.AdaDelta", "eps must be non-negative, got ", eps, ".");
  }
  std::string name() const override { return "AdaDelta"; }

 protected:
  void init_single(const array& p, State& s) override {
    s["v"] = core::zeros_like(p);
    s["u"] = core::zeros_like(p);
  }
  array apply_single(const array& g, const array& p, State& s) override {
    using detail::cst;
    array r = cst(rho_, g), one_r = cst(1.0 - rho_, g), e = cst(eps_, g);
    array v = r * s["v"] + one_r * core::square(g);
    array d = core::sqrt(s["u"] + e) / core::sqrt(v + e) * g;
    array u = r * s["u"] + one_r * core::square(d);
    s["v"] = v;
    s["u"] = u;
    return array(p - detail::lr_as(learning_rate(), g) * d);
  }

 private:
  float rho_, eps_;
};
using AdaDelta = AdaDeltaImpl<>;

/// Adamax (MLX): m = b1 m + (1 - b1) g, v = max(b2 v, |g|), p -= lr m / (v + eps).
template <class = void>
class AdamaxImpl : public Optimizer {
 public:
  AdamaxImpl(LearningRate lr, std::pair<float, float> betas = {0.9f, 0.999f}, float eps = 1e-8f)
      : Optimizer(std::move(lr)), b1_(betas.first), b2_(betas.second), eps_(eps) {
    if (eps < 0) core::detail::fail("optimizers.Adamax", "eps must be non-negative, got ", eps, ".");
  }
  std::string name() const override { return "Adamax"; }

 protected:
  void init_single(const array& p, State& s) override {
    s["m"] = core::zeros_like(p);
    s["v"] = core::zeros_like(p);
  }
  array apply_single(const array& g, const array& p, State& s) override {
    using detail::cst;
    array m = cst(b1_, g) * s["m"] + cst(1.0 - b1_, g) * g;
    array v = core::maximum(cst(b2_, g) * s["v"], core::abs(g));
    s["m"] = m;
    s["v"] = v;
    return array(p - detail::lr_as(learning_rate(), g) * m / (v + cst(eps_, g)));
  }

 private:
  float b1_, b2_, eps_;
};
using Adamax = AdamaxImpl<>;

/// Lion (MLX): c = b1 m + (1 - b1) g, m = b2 m + (1 - b2) g, p = p (1 - lr wd) when
/// weight_decay > 0, p -= lr sign(c).
template <class = void>
class LionImpl : public Optimizer {
 public:
  LionImpl(LearningRate lr, std::pair<float, float> betas = {0.9f, 0.99f}, float weight_decay = 0.0f)
      : Optimizer(std::move(lr)), b1_(betas.first), b2_(betas.second), wd_(weight_decay) {}
  std::string name() const override { return "Lion"; }

 protected:
  void init_single(const array& p, State& s) override { s["m"] = core::zeros_like(p); }
  array apply_single(const array& g, const array& p, State& s) override {
    using detail::cst;
    array c = cst(b1_, g) * s["m"] + cst(1.0 - b1_, g) * g;
    s["m"] = cst(b2_, g) * s["m"] + cst(1.0 - b2_, g) * g;
    array lr = detail::lr_as(learning_rate(), g);
    array q = p;
    if (wd_ > 0) q = array(p * (cst(1, g) - lr * cst(wd_, g)));
    return array(q - lr * core::sign(c));
  }

 private:
  float b1_, b2_, wd_;
};
using Lion = LionImpl<>;

/// Scales every gradient by min(max_norm / (total_norm + 1e-6), 1), total_norm being the
/// L2 norm of all gradients together (MLX's clip_grad_norm). Returns the clipped gradients
/// and total_norm (a 0-d float32 array), both lazy.
template <class = void>
std::pair<ParameterMap, array> clip_grad_norm(const ParameterMap& grads, float max_norm) {
  array sq(0.0f);
  for (const auto& [k, g] : grads) sq = array(sq + core::sum(core::square(g)));
  array total = core::sqrt(sq);
  array scale = core::minimum(array(max_norm) / (total + array(1e-6f)), array(1.0f));
  ParameterMap out;
  for (const auto& [k, g] : grads) out.emplace(k, array(g * core::astype(scale, g.dtype())));
  return {out, total};
}

}  // namespace mlx::optimizers
