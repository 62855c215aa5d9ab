// SPDX-License-Identifier: MIT
// Loss functions (MLX's mlx.nn.losses: same names, formulas, argument order and default
// reductions — "none" for most, "mean" for binary_cross_entropy, mse_loss, l1_loss,
// smooth_l1_loss and gaussian_nll_loss, as in MLX). Every function is a template
// (docs/compile-time.md). Errors are std::invalid_argument "[losses.<name>] ...".
#pragma once

#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "mlx/nn/activations.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"

namespace mlx::nn::losses {

using mlx::core::array;
using nn::detail::cst;

namespace detail {

/// Applies a reduction by name.
/// \throws std::invalid_argument naming the loss and the value for anything but
/// "none", "mean" or "sum".
template <class = void>
array reduce(const array& loss, const std::string& reduction, const char* loss_name) {
  if (reduction == "mean") return core::mean(loss);
  if (reduction == "sum") return core::sum(loss);
  if (reduction == "none") return loss;
  core::detail::fail(std::string("losses.") + loss_name, "Invalid reduction '", reduction,
                     "'. Must be 'none', 'mean', or 'sum'.");
}

inline void check_same_shape(const char* loss_name, const char* a, const array& x, const char* b,
                             const array& y) {
  if (x.shape() != y.shape())
    core::detail::fail(std::string("losses.") + loss_name, a, " shape ", x.shape(), " does not match ", b,
                       " shape ", y.shape(), ".");
}

inline int normalize_axis(const char* loss_name, int axis, int ndim) {
  int ax = axis < 0 ? axis + ndim : axis;
  if (ax < 0 || ax >= ndim)
    core::detail::fail(std::string("losses.") + loss_name, "Axis ", axis, " is out of range for ", ndim,
                       " dimensions.");
  return ax;
}

}  // namespace detail

/// Cross entropy between logits and targets along `axis`. Targets are class indices
/// (an integer array with logits' shape minus `axis`) or probabilities (logits' shape).
/// loss = logsumexp(logits) - score, score = the target logit (or sum(logits * targets));
/// with label_smoothing s: logsumexp - (1 - s) * score - s * mean(logits).
/// weights (optional) multiply the loss elementwise and must have the loss's shape.
template <class = void>
array cross_entropy(const array& logits, const array& targets, const std::optional<array>& weights = std::nullopt,
                    int axis = -1, float label_smoothing = 0.0f, const std::string& reduction = "none") {
  if (label_smoothing < 0 || label_smoothing >= 1)
    core::detail::fail("losses.cross_entropy", "Label smoothing must in [0, 1), got ", label_smoothing, ".");
  const int nd = static_cast<int>(logits.ndim());
  const int ax = detail::normalize_axis("cross_entropy", axis, nd);
  array score;
  if (targets.ndim() == logits.ndim()) {
    detail::check_same_shape("cross_entropy", "Targets", targets, "logits", logits);
    score = core::sum(logits * targets, ax);
  } else {
    core::Shape want = logits.shape();
    want.erase(want.begin() + ax);
    if (targets.shape() != want)
      core::detail::fail("losses.cross_entropy", "Targets shape ", targets.shape(),
                         " must be the logits shape ", logits.shape(), " without axis ", axis, " (",
                         want, ") for class indices, or the logits shape for probabilities.");
    if (!core::issubdtype(targets.dtype(), core::integer))
      core::detail::fail("losses.cross_entropy", "Class-index targets must have an integer dtype, got ",
                         targets.dtype(), ".");
    score = core::squeeze(core::take_along_axis(logits, core::expand_dims(targets, ax), ax), ax);
  }
  array lse = core::logsumexp(logits, ax);
  array loss;
  if (label_smoothing > 0) {
    array s = cst(label_smoothing, logits);
    loss = array(lse - (cst(1, logits) - s) * score - s * core::mean(logits, ax));
  } else {
    loss = array(lse - score);
  }
  if (weights) {
    if (weights->shape() != loss.shape())
      core::detail::fail("losses.cross_entropy", "Weights with shape ", weights->shape(),
                         " is not the same as output loss with shape ", loss.shape(), ".");
    loss = array(loss * *weights);
  }
  return detail::reduce(loss, reduction, "cross_entropy");
}

/// Binary cross entropy. with_logits: inputs are logits, loss = log(1 + exp(x)) - x * t;
/// otherwise inputs are probabilities and each log is clipped below at -100 (as MLX and
/// PyTorch do). MLX's default reduction here is "mean".
template <class = void>
array binary_cross_entropy(const array& inputs, const array& targets, const std::optional<array>& weights = std::nullopt,
                           bool with_logits = true, const std::string& reduction = "mean") {
  detail::check_same_shape("binary_cross_entropy", "Inputs", inputs, "targets", targets);
  array loss;
  if (with_logits) {
    loss = array(core::logaddexp(cst(0, inputs), inputs) - inputs * targets);
  } else {
    array lo = cst(-100, inputs);
    array log_p = core::maximum(core::log(inputs), lo);
    array log_q = core::maximum(core::log(cst(1, inputs) - inputs), lo);
    loss = array(-(targets * log_p + (cst(1, inputs) - targets) * log_q));
  }
  if (weights) {
    if (weights->shape() != loss.shape())
      core::detail::fail("losses.binary_cross_entropy", "Weights with shape ", weights->shape(),
                         " is not the same as output loss with shape ", loss.shape(), ".");
    loss = array(loss * *weights);
  }
  return detail::reduce(loss, reduction, "binary_cross_entropy");
}

/// Negative log likelihood: -inputs[target] along axis (inputs are log probabilities).
template <class = void>
array nll_loss(const array& inputs, const array& targets, int axis = -1, const std::string& reduction = "none") {
  const int ax = detail::normalize_axis("nll_loss", axis, static_cast<int>(inputs.ndim()));
  if (!core::issubdtype(targets.dtype(), core::integer))
    core::detail::fail("losses.nll_loss", "Targets must have an integer dtype, got ", targets.dtype(), ".");
  array loss = -core::squeeze(core::take_along_axis(inputs, core::expand_dims(targets, ax), ax), ax);
  return detail::reduce(loss, reduction, "nll_loss");
}

/// (predictions - targets)^2; default reduction "mean".
template <class = void>
array mse_loss(const array& predictions, const array& targets, const std::string& reduction = "mean") {
  detail::check_same_shape("mse_loss", "Predictions", predictions, "targets", targets);
  return detail::reduce(array(core::square(predictions - targets)), reduction, "mse_loss");
}

/// |predictions - targets|; default reduction "mean".
template <class = void>
array l1_loss(const array& predictions, const array& targets, const std::string& reduction = "mean") {
  detail::check_same_shape("l1_loss", "Predictions", predictions, "targets", targets);
  return detail::reduce(array(core::abs(predictions - targets)), reduction, "l1_loss");
}

/// 0.5 d^2 / beta where d = |p - t| < beta, else d - 0.5 beta; default reduction "mean".
template <class = void>
array smooth_l1_loss(const array& predictions, const array& targets, float beta = 1.0f,
                     const std::string& reduction = "mean") {
  detail::check_same_shape("smooth_l1_loss", "Predictions", predictions, "targets", targets);
  array d = core::abs(predictions - targets);
  array b = cst(beta, d);
  array loss = core::where(d < b, cst(0.5, d) * d * d / b, d - cst(0.5, d) * b);
  return detail::reduce(loss, reduction, "smooth_l1_loss");
}

/// 0.5 min(|e|, delta)^2 + delta (|e| - min(|e|, delta)), e = inputs - targets.
template <class = void>
array huber_loss(const array& inputs, const array& targets, float delta = 1.0f, const std::string& reduction = "none") {
  array a = core::abs(inputs - targets);
  array dl = cst(delta, a);
  array q = core::minimum(a, dl);
  array loss = cst(0.5, a) * q * q + dl * (a - q);
  return detail::reduce(loss, reduction, "huber_loss");
}

/// log(cosh(e)) = logaddexp(e, -e) - log 2, e = inputs - targets (stable for large |e|).
template <class = void>
array log_cosh_loss(const array& inputs, const array& targets, const std::string& reduction = "none") {
  array e = inputs - targets;
  array loss = core::logaddexp(e, -e) - cst(std::numbers::ln2, e);
  return detail::reduce(loss, reduction, "log_cosh_loss");
}

/// Kullback-Leibler divergence sum(exp(t) (t - x)) along axis, inputs and targets both
/// log probabilities (MLX's convention, not PyTorch's log-target=False default).
template <class = void>
array kl_div_loss(const array& inputs, const array& targets, int axis = -1, const std::string& reduction = "none") {
  array loss = core::sum(core::exp(targets) * (targets - inputs), axis);
  return detail::reduce(loss, reduction, "kl_div_loss");
}

/// Cosine similarity sum(x1 x2) / max(|x1| |x2|, eps) along axis (MLX's default axis is 1).
/// Note MLX returns the similarity itself, not 1 - similarity.
template <class = void>
array cosine_similarity_loss(const array& x1, const array& x2, int axis = 1, float eps = 1e-8f,
                             const std::string& reduction = "none") {
  array n1 = core::sqrt(core::sum(core::square(x1), axis));
  array n2 = core::sqrt(core::sum(core::square(x2), axis));
  array loss = core::sum(x1 * x2, axis) / core::maximum(n1 * n2, cst(eps, n1));
  return detail::reduce(loss, reduction, "cosine_similarity_loss");
}

/// max(1 - inputs * targets, 0), targets in {-1, 1}.
template <class = void>
array hinge_loss(const array& inputs, const array& targets, const std::string& reduction = "none") {
  array loss = core::maximum(cst(1, inputs) - inputs * targets, cst(0, inputs));
  return detail::reduce(loss, reduction, "hinge_loss");
}

/// max(0, -targets (inputs1 - inputs2) + margin).
template <class = void>
array margin_ranking_loss(const array& inputs1, const array& inputs2, const array& targets, float margin = 0.0f,
                          const std::string& reduction = "none") {
  detail::check_same_shape("margin_ranking_loss", "inputs1", inputs1, "inputs2", inputs2);
  detail::check_same_shape("margin_ranking_loss", "inputs1", inputs1, "targets", targets);
  array loss = core::maximum(cst(0, inputs1), -targets * (inputs1 - inputs2) + cst(margin, inputs1));
  return detail::reduce(loss, reduction, "margin_ranking_loss");
}

/// max(||a - p||_p - ||a - n||_p + margin, 0) with ||v||_p = sqrt(sum(v^p) + eps) along
/// axis, as MLX computes it (a square root whatever p, which is the p-norm only for p = 2).
template <class = void>
array triplet_loss(const array& anchors, const array& positives, const array& negatives, int axis = -1,
                   int p = 2, float margin = 1.0f, float eps = 1e-6f, const std::string& reduction = "none") {
  array pw = cst(p, anchors), e = cst(eps, anchors);
  array dp = core::sqrt(core::sum(core::power(anchors - positives, pw), axis) + e);
  array dn = core::sqrt(core::sum(core::power(anchors - negatives, pw), axis) + e);
  array loss = core::maximum(dp - dn + cst(margin, anchors), cst(0, anchors));
  return detail::reduce(loss, reduction, "triplet_loss");
}

/// 0.5 (log(max(vars, eps)) + (targets - inputs)^2 / max(vars, eps)), plus 0.5 log(2 pi)
/// when full; default reduction "mean".
template <class = void>
array gaussian_nll_loss(const array& inputs, const array& targets, const array& vars, bool full = false,
                        float eps = 1e-6f, const std::string& reduction = "mean") {
  detail::check_same_shape("gaussian_nll_loss", "Inputs", inputs, "targets", targets);
  detail::check_same_shape("gaussian_nll_loss", "Inputs", inputs, "vars", vars);
  array v = core::maximum(vars, cst(eps, vars));
  array loss = cst(0.5, inputs) * (core::log(v) + core::square(targets - inputs) / v);
  if (full) loss = array(loss + cst(0.5 * std::log(2 * std::numbers::pi), inputs));
  return detail::reduce(loss, reduction, "gaussian_nll_loss");
}

}  // namespace mlx::nn::losses
