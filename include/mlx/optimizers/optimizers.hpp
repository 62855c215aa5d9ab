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

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mlx/linalg/linalg.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/nn/save.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/optimizers/schedulers.hpp"

namespace mlx::optimizers {

using mlx::core::array;
using nn::ParameterMap;

/// A float or a schedule (any callable int -> array).
struct LearningRate {
  LearningRate(double lr)
      : fn([v = static_cast<float>(lr)](int) { return array(v); }), constant(static_cast<float>(lr)) {}
  template <class F>
    requires(std::is_invocable_r_v<array, F, int> && !std::is_arithmetic_v<F>)
  LearningRate(F f) : fn(std::move(f)) {}
  Schedule fn;
  /// The rate when it is a float (load_state restores it); empty for a schedule.
  std::optional<float> constant;
};

/// The state of one parameter: named arrays ("m", "v", ...).
using State = std::map<std::string, array>;

class Optimizer {
 public:
  explicit Optimizer(LearningRate lr)
      : schedule_(std::move(lr.fn)), constant_lr_(lr.constant), lr_(schedule_(0)) {}
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
    constant_lr_ = lr.constant;
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

  // ---- saving and loading the state (docs/nn.md, "Optimizer state") ----------------------

  /// The whole state under the names MLX's tree_flatten(optimizer.state) gives it:
  /// "step" (0-d uint64, the updates so far), "learning_rate" (0-d, the rate the last
  /// update used, a schedule's value included) and "<parameter>.<state>" for every
  /// per-parameter array ("layers.0.weight.m"). Lazy arrays are returned as they are.
  /// \throws std::invalid_argument for a state name with a dot (it could not be read back).
  template <class = void>
  ParameterMap flattened_state() const {
    ParameterMap out;
    out.emplace("step", array(static_cast<uint64_t>(step_)));
    out.emplace("learning_rate", lr_);
    for (const auto& [k, st] : state_)
      for (const auto& [n, a] : st) {
        if (n.empty() || n.find('.') != std::string::npos)
          core::detail::fail("optimizers." + name(), "State name \"", n, "\" of parameter \"", k,
                             "\" must be non-empty and contain no dot.");
        out.emplace(k + "." + n, a);
      }
    return out;
  }

  /// Writes flattened_state() (evaluated) to a safetensors file at exactly `path`, through a
  /// temporary file. MLX reads it back with
  /// optimizer.state = tree_unflatten(list(mx.load(path).items())).
  /// \throws std::runtime_error when the file cannot be written.
  template <class = void>
  void save_state(const std::string& path) const {
    nn::save_safetensors(path, flattened_state());
  }

  /// Replaces the whole state by `flat` (flattened_state's layout), after checking all of it:
  /// "step" must be a non-negative 0-d integer, "learning_rate" a 0-d floating array, every
  /// other key "<parameter>.<state>". With `params` (the trainable parameters the optimizer
  /// steps), each named parameter must exist and its state must have exactly the names and
  /// shapes a fresh state of that parameter has; strict: every parameter whose fresh state
  /// is not empty must be present. Without params, an optimizer that already holds state
  /// checks the same against its current state (names and shapes; strict as above).
  /// A constant learning rate becomes the loaded one; a schedule stays in charge (only
  /// learning_rate() reads the loaded value until the next update).
  /// \throws std::invalid_argument naming the first missing, unexpected or mismatched key;
  /// nothing is changed then.
  template <class = void>
  void load_flattened_state(const ParameterMap& flat, const ParameterMap* params = nullptr, bool strict = true) {
    const std::string op = "optimizers." + name() + ".load_state";
    auto get = [&](const std::string& k) -> const array& {
      auto it = flat.find(k);
      if (it == flat.end()) core::detail::fail(op, "Missing key \"", k, "\".");
      return it->second;
    };
    array step = get("step");
    if (step.ndim() != 0 || !core::issubdtype(step.dtype(), core::integer))
      core::detail::fail(op, "Key \"step\" must be a 0-d integer array, got shape ", step.shape(), " and dtype ",
                         step.dtype(), ".");
    const int64_t step_value = step.item<int64_t>();
    if (step_value < 0 || step_value > std::numeric_limits<int>::max())
      core::detail::fail(op, "Key \"step\" is out of range: ", step_value, ".");
    array lr = get("learning_rate");
    if (lr.ndim() != 0 || !core::issubdtype(lr.dtype(), core::floating))
      core::detail::fail(op, "Key \"learning_rate\" must be a 0-d floating array, got shape ", lr.shape(),
                         " and dtype ", lr.dtype(), ".");

    std::map<std::string, State> loaded;
    for (const auto& [k, v] : flat) {
      if (k == "step" || k == "learning_rate") continue;
      const auto dot = k.rfind('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == k.size())
        core::detail::fail(op, "Unexpected key \"", k, "\": expected \"<parameter>.<state>\".");
      loaded[k.substr(0, dot)].emplace(k.substr(dot + 1), v);
    }

    // What each parameter's state must look like: a fresh state of the parameter, or the
    // state held now.
    std::map<std::string, State> expected;
    const bool check = params != nullptr || !state_.empty();
    if (params) {
      for (const auto& [k, p] : *params) {
        State fresh;
        init_single(p, fresh);
        if (!fresh.empty()) expected.emplace(k, std::move(fresh));
      }
    } else {
      for (const auto& [k, st] : state_)
        if (!st.empty()) expected.emplace(k, st);
    }
    if (check) {
      for (const auto& [k, st] : loaded) {
        auto e = expected.find(k);
        if (e == expected.end()) {
          const bool known = params ? params->count(k) != 0 : state_.count(k) != 0;
          core::detail::fail(op, "Unexpected key \"", k, ".", st.begin()->first, "\": ",
                             known ? "that parameter has no such state." : "no parameter is named \"" + k + "\".");
        }
        for (const auto& [n, a] : st) {
          auto en = e->second.find(n);
          if (en == e->second.end()) core::detail::fail(op, "Unexpected key \"", k, ".", n, "\".");
          if (en->second.shape() != a.shape())
            core::detail::fail(op, "Key \"", k, ".", n, "\" has shape ", a.shape(), " but ",
                               params ? "the parameter needs " : "the current state has ", en->second.shape(), ".");
        }
        for (const auto& [n, a] : e->second)
          if (!st.count(n)) core::detail::fail(op, "Missing key \"", k, ".", n, "\".");
      }
      if (strict)
        for (const auto& [k, st] : expected)
          if (!loaded.count(k)) core::detail::fail(op, "Missing key \"", k, ".", st.begin()->first, "\".");
    }

    // Everything checked: apply.
    state_ = std::move(loaded);
    step_ = static_cast<int>(step_value);
    if (constant_lr_) {
      const float v = lr.item<float>();
      schedule_ = [v](int) { return array(v); };
      constant_lr_ = v;
    }
    lr_ = lr;
  }

  /// Reads a file written by save_state (or by MLX from tree_flatten(optimizer.state)) and
  /// applies it as load_flattened_state does (checked against the current state, if any).
  /// \throws std::runtime_error for an unreadable or malformed file; std::invalid_argument
  /// as load_flattened_state.
  template <class = void>
  void load_state(const std::string& path) {
    load_flattened_state(nn::load_safetensors(path));
  }
  /// The same, checked against `params` (the parameters the optimizer will step).
  template <class = void>
  void load_state(const std::string& path, const ParameterMap& params, bool strict = true) {
    load_flattened_state(nn::load_safetensors(path), &params, strict);
  }
  /// The same, checked against model.trainable_parameters().
  template <class = void>
  void load_state(const std::string& path, const nn::Module& model, bool strict = true) {
    const ParameterMap params = model.trainable_parameters();
    load_flattened_state(nn::load_safetensors(path), &params, strict);
  }

 protected:
  /// Creates the state of a parameter seen for the first time.
  virtual void init_single(const array& parameter, State& state) = 0;
  /// The updated parameter (state updated in place), all lazily.
  virtual array apply_single(const array& gradient, const array& parameter, State& state) = 0;

 private:
  Schedule schedule_;
  std::optional<float> constant_lr_;  // the rate when it is a float, not a schedule
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

/// Adafactor (MLX): second moments of g^2 + eps.first, factored into row and column means
/// for parameters of two or more dimensions ("exp_avg_sq_row", "exp_avg_sq_col"), kept whole
/// for vectors ("exp_avg_sq"); with t = step() and beta_2 = 1 - t^decay_rate,
///   v_row = beta_2 v_row + (1 - beta_2) mean(g^2 + eps1, -1), v_col likewise over axis -2,
///   u = rsqrt(v_row / mean(v_row, -1)) (outer) rsqrt(v_col) * g   (vectors: rsqrt(v) g),
///   u /= max(1, rms(u) / clip_threshold),  u *= alpha,
/// alpha = [max(eps2, rms(p)) when scale_parameter] * [min(1e-2, or 1e-6 t with warmup_init,
/// t^-1/2) when relative_step, else the learning rate]. With beta_1, u becomes the average
/// "exp_avg" = beta_1 exp_avg + (1 - beta_1) u; p -= u after p -= weight_decay alpha p.
/// As in MLX, learning_rate is ignored while relative_step is true. The factored estimate is
/// the broadcast product r[..., :, None] * c[..., None, :]; MLX writes it as
/// matmul(expand_dims(r, -1), expand_dims(c, 0)), which is the same when the leading
/// dimensions are 1 but throws or yields a wrongly shaped update for other parameters of more
/// than two dimensions (the one place where we differ from MLX).
/// Without a learning rate, learning_rate() reads NaN (MLX keeps none).
/// \throws std::invalid_argument when relative_step is false and no learning rate is given
/// (MLX fails at the first update instead).
template <class = void>
class AdafactorImpl : public Optimizer {
 public:
  AdafactorImpl(std::optional<LearningRate> lr = std::nullopt, std::pair<float, float> eps = {1e-30f, 1e-3f},
                float clip_threshold = 1.0f, float decay_rate = -0.8f, std::optional<float> beta_1 = std::nullopt,
                float weight_decay = 0.0f, bool scale_parameter = true, bool relative_step = true,
                bool warmup_init = false)
      : Optimizer(lr ? std::move(*lr) : LearningRate(std::nan(""))),
        eps1_(eps.first), eps2_(eps.second), clip_(clip_threshold), decay_(decay_rate), beta_1_(beta_1),
        wd_(weight_decay), scale_parameter_(scale_parameter), relative_step_(relative_step),
        warmup_init_(warmup_init) {
    if (!lr && !relative_step)
      core::detail::fail("optimizers.Adafactor", "relative_step=false needs a learning rate, but none was given.");
  }
  std::string name() const override { return "Adafactor"; }

 protected:
  void init_single(const array& p, State& s) override {
    if (p.ndim() >= 2) {
      const core::Shape& sh = p.shape();
      core::Shape col(sh.begin(), sh.end() - 2);
      col.push_back(sh.back());
      s["exp_avg_sq_row"] = core::zeros(core::Shape(sh.begin(), sh.end() - 1), p.dtype());
      s["exp_avg_sq_col"] = core::zeros(col, p.dtype());
    } else {
      s["exp_avg_sq"] = core::zeros_like(p);
    }
    if (beta_1_) s["exp_avg"] = core::zeros_like(p);
  }
  array apply_single(const array& g, const array& p, State& s) override {
    using detail::cst;
    const int t = step();
    array p_rms = rms(p);
    // The step size and beta_2 in the parameter's dtype (MLX: astype(parameter_rms.dtype)).
    array rel = relative_step_ ? cst(std::min(warmup_init_ ? 1e-6 * t : 1e-2, 1.0 / std::sqrt(double(t))), p_rms)
                               : detail::lr_as(learning_rate(), p_rms);
    array alpha = scale_parameter_ ? array(core::maximum(cst(eps2_, p_rms), p_rms) * rel) : rel;
    array beta_2 = cst(1.0 - std::pow(double(t), double(decay_)), p_rms);
    array one_minus = cst(1, beta_2) - beta_2;
    array u = core::square(g) + cst(eps1_, g);
    if (g.ndim() >= 2) {
      array row = beta_2 * s["exp_avg_sq_row"] + one_minus * core::mean(u, -1);
      array col = beta_2 * s["exp_avg_sq_col"] + one_minus * core::mean(u, -2);
      s["exp_avg_sq_row"] = row;
      s["exp_avg_sq_col"] = col;
      array r = core::rsqrt(row / core::mean(row, -1, true));
      array c = core::rsqrt(col);
      u = array(core::expand_dims(r, -1) * core::expand_dims(c, -2) * g);
    } else {
      array v = beta_2 * s["exp_avg_sq"] + one_minus * u;
      s["exp_avg_sq"] = v;
      u = array(core::rsqrt(v) * g);
    }
    u = array(u / core::maximum(cst(1, u), rms(u) / cst(clip_, u)));
    u = array(alpha * u);
    if (beta_1_) {
      array m = cst(*beta_1_, u) * s["exp_avg"] + cst(1.0 - *beta_1_, u) * u;
      s["exp_avg"] = m;
      u = m;
    }
    array q = p;
    if (wd_ != 0) q = array(p + p * (cst(-wd_, alpha) * alpha));
    return array(q - u);
  }

 private:
  static array rms(const array& x) { return core::sqrt(core::mean(core::square(x))); }

  float eps1_, eps2_, clip_, decay_;
  std::optional<float> beta_1_;
  float wd_;
  bool scale_parameter_, relative_step_, warmup_init_;
};
using Adafactor = AdafactorImpl<>;

/// Muon (MLX): g += weight_decay * p, v = momentum v + (1 - momentum) g, the step is
/// g (1 - momentum) + v momentum when nesterov (else v). A parameter of two or more
/// dimensions has its step reshaped to (shape[0], -1), orthogonalised by ns_steps
/// Newton-Schulz iterations (X / (|X|_F + 1e-7), transposed while it has more rows than
/// columns; then A = X X^T, X = 3.4445 X + (-4.7750 A + 2.0315 A A) X) and reshaped back, and
/// the learning rate scaled by sqrt(max(1, shape[-2] / shape[-1])) of the parameter's own
/// last two axes (MLX's choice; for a matrix, rows / cols). Vectors take p -= lr * step.
/// The iterations run in the gradient's dtype, as MLX's Muon does (it casts to no bfloat16).
/// \throws std::invalid_argument for a negative ns_steps (MLX runs zero iterations then).
template <class = void>
class MuonImpl : public Optimizer {
 public:
  MuonImpl(LearningRate lr, float momentum = 0.95f, float weight_decay = 0.01f, bool nesterov = true,
           int ns_steps = 5)
      : Optimizer(std::move(lr)), momentum_(momentum), wd_(weight_decay), nesterov_(nesterov), ns_steps_(ns_steps) {
    if (ns_steps < 0) core::detail::fail("optimizers.Muon", "ns_steps must be non-negative, got ", ns_steps, ".");
  }
  std::string name() const override { return "Muon"; }

 protected:
  void init_single(const array& p, State& s) override { s["v"] = core::zeros_like(p); }
  array apply_single(const array& g0, const array& p, State& s) override {
    using detail::cst;
    array g = g0;
    if (wd_ != 0) g = array(g + cst(wd_, g) * p);
    array v = cst(momentum_, g) * s["v"] + cst(1.0 - momentum_, g) * g;
    s["v"] = v;
    array u = nesterov_ ? array(g * cst(1.0 - momentum_, g) + v * cst(momentum_, g)) : v;
    array lr = detail::lr_as(learning_rate(), g);
    if (u.ndim() >= 2) {
      const core::Shape shape = u.shape();
      if (shape.size() > 2) {
        core::ShapeElem rest = 1;
        for (size_t i = 1; i < shape.size(); ++i) rest *= shape[i];
        u = core::reshape(u, {shape[0], rest});
      }
      u = newton_schulz(u);
      if (shape.size() > 2) u = core::reshape(u, shape);
      double ratio = double(shape[shape.size() - 2]) / double(shape.back());
      lr = array(lr * cst(std::sqrt(std::max(1.0, ratio)), lr));
    }
    return array(p - lr * u);
  }

 private:
  array newton_schulz(array x) const {
    using detail::cst;
    const bool transposed = x.shape(0) > x.shape(1);
    if (transposed) x = core::transpose(x);
    x = array(x / (core::linalg::norm(x, std::nullopt, true) + cst(1e-7, x)));
    for (int i = 0; i < ns_steps_; ++i) {
      array a = core::matmul(x, core::transpose(x));
      array b = core::addmm(cst(-4.7750, a) * a, a, a, 2.0315f, 1.0f);
      x = core::addmm(cst(3.4445, x) * x, b, x, 1.0f, 1.0f);
    }
    return transposed ? core::transpose(x) : x;
  }

  float momentum_, wd_;
  bool nesterov_;
  int ns_steps_;
};
using Muon = MuonImpl<>;

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
