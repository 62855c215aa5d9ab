// SPDX-License-Identifier: MIT
// Positional encodings (MLX's mlx.nn layers): RoPE (through fast::rope),
// SinusoidalPositionalEncoding and ALiBi. None has parameters.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "mlx/fast/fast.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"

namespace mlx::nn {

/// RoPE(dims, traditional=false, base=10000, scale=1): rotary embedding of the first
/// `dims` features of (..., sequence, features); call with the position of the first row.
template <class = void>
class RoPEImpl : public Module {
 public:
  explicit RoPEImpl(int dims, bool traditional = false, float base = 10000.0f, float scale = 1.0f)
      : dims_(dims), traditional_(traditional), base_(base), scale_(scale) {}
  std::string name() const override { return "RoPE"; }
  std::string extra_repr() const override {
    return std::to_string(dims_) + ", traditional=" + detail::py_bool(traditional_);
  }
  array operator()(const array& x) override { return (*this)(x, 0); }
  array operator()(const array& x, int offset) {
    return core::fast::rope(x, dims_, traditional_, base_, scale_, offset);
  }

 private:
  int dims_;
  bool traditional_;
  float base_, scale_;
};
using RoPE = RoPEImpl<>;

/// SinusoidalPositionalEncoding(dims, min_freq=1e-4, max_freq=1, scale=sqrt(2/dims),
/// cos_first=false, full_turns=false): x (any shape) -> (..., dims) as
/// [sin(x f_i), cos(x f_i)] * scale, with dims/2 frequencies f_i from max_freq down to
/// min_freq, evenly spaced in log (times 2 pi with full_turns).
template <class = void>
class SinusoidalPositionalEncodingImpl : public Module {
 public:
  explicit SinusoidalPositionalEncodingImpl(int dims, float min_freq = 0.0001f, float max_freq = 1.0f,
                                            std::optional<float> scale = std::nullopt, bool cos_first = false,
                                            bool full_turns = false)
      : cos_first_(cos_first) {
    if (dims < 4 || dims % 2 != 0)
      core::detail::fail("nn.SinusoidalPositionalEncoding", "dims must be even and at least 4, got ", dims, ".");
    const int half = dims / 2;
    const double lo = std::log(static_cast<double>(min_freq)), hi = std::log(static_cast<double>(max_freq));
    std::vector<float> sig(half);
    for (int i = 0; i < half; ++i) {
      const double one_zero = 1.0 - static_cast<double>(i) / (half - 1);
      double f = std::exp(one_zero * (hi - lo) + lo);
      if (full_turns) f *= 2 * M_PI;
      sig[i] = static_cast<float>(f);
    }
    sigmas_ = array(sig.begin(), {half});
    scale_ = scale.value_or(static_cast<float>(std::sqrt(2.0 / dims)));
  }
  std::string name() const override { return "SinusoidalPositionalEncoding"; }
  array operator()(const array& x) override {
    array y = core::expand_dims(x, -1) * sigmas_;
    array c = core::cos(y), s = core::sin(y);
    array out = cos_first_ ? core::concatenate({c, s}, -1) : core::concatenate({s, c}, -1);
    if (scale_ != 1.0f) out = array(out * array(scale_, out.dtype()));
    return out;
  }

 private:
  array sigmas_;  // not a parameter (MLX keeps it in an underscore attribute)
  float scale_;
  bool cos_first_;
};
using SinusoidalPositionalEncoding = SinusoidalPositionalEncodingImpl<>;

/// ALiBi: adds -slope_h * |i - j| to attention scores (batch, heads, queries, keys), with
/// the slopes of the ALiBi paper (a geometric sequence per power of two of heads).
template <class = void>
class ALiBiImpl : public Module {
 public:
  std::string name() const override { return "ALiBi"; }
  array operator()(const array& scores) override { return (*this)(scores, 0); }
  array operator()(const array& scores, int offset, const std::optional<array>& mask = std::nullopt) {
    if (scores.ndim() != 4)
      core::detail::fail("nn.ALiBi", "Expected attention scores (batch, heads, queries, keys), got shape ",
                         scores.shape(), ".");
    array m = create_alibi_matrix(scores.shape(-2) + offset, scores.shape(-1), scores.shape(1), offset,
                                  scores.dtype());
    if (mask) m = array(m + *mask);
    return array(scores + m);
  }

  /// The slopes for `num_heads` heads (the paper's recipe; non-powers of two interleave).
  static std::vector<double> alibi_get_slopes(int num_heads) {
    auto pow2 = [](int n) {
      const double start = std::pow(2.0, -std::pow(2.0, -(std::log2(static_cast<double>(n)) - 3)));
      std::vector<double> v(n);
      for (int i = 0; i < n; ++i) v[i] = start * std::pow(start, i);
      return v;
    };
    const double l = std::log2(static_cast<double>(num_heads));
    if (l == std::floor(l)) return pow2(num_heads);
    const int closest = 1 << static_cast<int>(std::floor(l));
    std::vector<double> v = pow2(closest), extra = alibi_get_slopes(2 * closest);
    for (size_t i = 0; i < extra.size() && static_cast<int>(v.size()) < num_heads; i += 2) v.push_back(extra[i]);
    return v;
  }
  /// The (1, heads, q_len - offset, k_len) bias: -|i - j| * slope for rows i in [offset, q_len).
  static array create_alibi_matrix(int q_sequence_length, int k_sequence_length, int num_heads, int offset,
                                   core::Dtype dtype = core::float32) {
    if (num_heads <= 0) core::detail::fail("nn.ALiBi", "num_heads must be positive, got ", num_heads, ".");
    array qi = core::expand_dims(core::arange(offset, q_sequence_length), 1);
    array kj = core::expand_dims(core::arange(0, k_sequence_length), 0);
    array dist = core::expand_dims(array(-core::abs(qi - kj)), {0, 1});
    std::vector<double> sl = alibi_get_slopes(num_heads);
    std::vector<float> slf(sl.begin(), sl.end());
    array slopes(slf.begin(), {1, num_heads, 1, 1});
    return core::astype(array(dist * slopes), dtype);
  }
};
using ALiBi = ALiBiImpl<>;

}  // namespace mlx::nn
