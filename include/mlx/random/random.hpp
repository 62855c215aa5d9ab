// SPDX-License-Identifier: MIT
// mlx::core::random (MLX's random.h): threefry keys, a global key sequence, raw bits and the
// distributions built on them, with MLX's overloads, defaults and conversions.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlx/ops/creation.hpp"
#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/indexing.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/primitives/random.hpp"

namespace mlx::core::random {

/// The global key: seed() resets it, next() splits it and returns one half (MLX's
/// KeySequence). The key lives as two words, so a long run of draws builds no graph.
class KeySequence {
 public:
  explicit KeySequence(uint64_t seed) { this->seed(seed); }

  void seed(uint64_t seed) {
    std::lock_guard<std::mutex> lock(mutex_);
    k0_ = static_cast<uint32_t>(seed >> 32);
    k1_ = static_cast<uint32_t>(seed);
  }

  /// As MLX: (key, subkey) = split(key); the sequence keeps key and hands out subkey.
  array next() {
    uint32_t w[4];
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cpu::threefry::fill_bits(k0_, k1_, w, 16);
      k0_ = w[0];
      k1_ = w[1];
    }
    return array({w[2], w[3]});
  }

  /// The default sequence, seeded from the clock in milliseconds (as MLX).
  static KeySequence& default_() {
    static KeySequence ks(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count()));
    return ks;
  }

 private:
  std::mutex mutex_;
  uint32_t k0_ = 0, k1_ = 0;
};

/// A PRNG key from a seed: uint32 [seed >> 32, seed & 0xFFFFFFFF], shape (2,).
template <class = void>
inline array key(uint64_t seed) {
  return array({static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(seed)});
}

/// Seeds the default key sequence.
inline void seed(uint64_t seed) { KeySequence::default_().seed(seed); }

namespace detail {

using core::detail::fail;

inline void check_shape(std::string_view op, const Shape& shape) {
  for (auto d : shape)
    if (d < 0) fail(op, "Shape dimensions must be non-negative. Got shape ", shape, ".");
}

/// The key an op uses: the caller's (checked) or the next one of the default sequence.
template <class = void>
inline array resolve_key(std::string_view op, const std::optional<array>& key) {
  if (!key) return KeySequence::default_().next();
  if (key->dtype() != uint32)
    fail(op, "Expected key type uint32 but received ", key->dtype(), ".");
  if (key->shape() != Shape{2})
    fail(op, "Expected key shape (2,) but received ", key->shape(), ".");
  return *key;
}

/// The broadcast of `shapes`, which must be `shape` itself.
inline void check_broadcast_to(std::string_view op, const Shape& shape,
                               const std::vector<Shape>& shapes) {
  Shape out = shape;
  bool ok = true;
  try {
    for (auto& s : shapes) out = broadcast_shapes(out, s);
  } catch (const std::invalid_argument&) {
    ok = false;
  }
  if (!ok || out != shape) {
    std::string got;
    for (auto& s : shapes) got += core::detail::message(s, " ");
    if (!got.empty()) got.pop_back();
    fail(op, "Cannot generate random values of shape ", shape, " from parameters of shape ",
         got, ".");
  }
}

/// The dtypes uniform can produce (MLX: float16, bfloat16, float32).
inline void check_float_dtype(std::string_view op, Dtype dtype) {
  if (!issubdtype(dtype, floating))
    fail(op, "Can only generate random numbers with a real floating point type. Got ", dtype,
         ".");
  if (dtype == float64)
    fail(op, "Unsupported type float64 (float16, bfloat16 and float32 are supported).");
}

/// One MLX op as its own node, so that every op rounds to its dtype as MLX's kernels do
/// (a fused tree would keep float intermediates for half types, or contract a * b + c).
template <class E>
array step(E&& e) {
  return array(std::forward<E>(e));
}

template <class = void>
inline array random_float(const Shape& shape, Dtype dtype, RandomFloat<>::Kind kind,
                          const array& key, const StreamOrDevice& s, float lo = 0.0f,
                          float range = 1.0f, bool affine = false) {
  return array(shape, dtype,
               std::make_shared<RandomFloat<>>(to_stream(s), kind, lo, range, affine), {key});
}

/// a's single value converted to dtype and back to float, when a is a constant.
inline std::optional<float> constant_in(const array& a, Dtype dtype) {
  if (a.size() != 1 || !a.is_available() || is_complex(a.dtype())) return std::nullopt;
  float v = a.item<float>();
  core::detail::round_to_dtype(&v, 1, dtype);
  return v;
}

}  // namespace detail

/// Random bits: uint32 (width 4), uint16 (2) or uint8 (1) elements of `shape`.
/// \throws std::invalid_argument for another width, a negative dimension or a key that is
/// not uint32 of shape (2,).
template <class = void>
inline array bits(const Shape& shape, int width, const std::optional<array>& key = std::nullopt,
                  StreamOrDevice s = {}) {
  if (width != 1 && width != 2 && width != 4)
    detail::fail("bits", "Bit width must be in {1, 2, 4} but got ", width, ".");
  detail::check_shape("bits", shape);
  array k = detail::resolve_key("bits", key);
  Dtype dt = width == 4 ? uint32 : width == 2 ? uint16 : uint8;
  return array(shape, dt, std::make_shared<RandomBits<>>(to_stream(s)), {std::move(k)});
}
template <class = void>
inline array bits(const Shape& shape, const std::optional<array>& key = std::nullopt,
                  StreamOrDevice s = {}) {
  return bits(shape, 4, key, std::move(s));
}

/// Splits a key into two keys of shape (2,) (the rows of split(key, 2)).
template <class = void>
inline std::pair<array, array> split(const array& key, StreamOrDevice s = {}) {
  array k = detail::resolve_key("split", key);
  auto outs = array::make_arrays({Shape{2}, Shape{2}}, {uint32, uint32},
                                 std::make_shared<RandomSplit<>>(to_stream(s)), {std::move(k)});
  return {outs[0], outs[1]};
}

/// Splits a key into `num` keys: shape (num, 2), the words of bits((num, 2), key).
template <class = void>
inline array split(const array& key, int num, StreamOrDevice s = {}) {
  if (num < 0) detail::fail("split", "The number of keys must be non-negative. Got ", num, ".");
  array k = detail::resolve_key("split", key);
  return array(Shape{num, 2}, uint32, std::make_shared<RandomBits<>>(to_stream(s)), {std::move(k)});
}

/// Uniform samples in [low, high) (low and high broadcast to `shape`), in a real floating
/// dtype. As MLX: u = min(bits / 2^32, largest value below 1) in the dtype, then
/// low + (high - low) * u with each op rounded to the dtype.
template <class = void>
inline array uniform(const array& low, const array& high, const Shape& shape,
                     Dtype dtype = float32, const std::optional<array>& key = std::nullopt,
                     StreamOrDevice s = {}) {
  detail::check_float_dtype("uniform", dtype);
  detail::check_shape("uniform", shape);
  detail::check_broadcast_to("uniform", shape, {low.shape(), high.shape()});
  array k = detail::resolve_key("uniform", key);
  using Kind = RandomFloat<>::Kind;
  auto lo_c = detail::constant_in(low, dtype), hi_c = detail::constant_in(high, dtype);
  if (lo_c && hi_c) {
    float range = *hi_c - *lo_c;
    core::detail::round_to_dtype(&range, 1, dtype);
    if (*lo_c == 0.0f && range == 1.0f) return detail::random_float(shape, dtype, Kind::uniform, k, s);
    if (dtype == float32)
      return detail::random_float(shape, dtype, Kind::uniform, k, s, *lo_c, range, true);
  }
  // Bounds known only at evaluation (or half types): MLX's ops, one node each.
  array lo = detail::step(astype(low, dtype, s));
  array hi = detail::step(astype(high, dtype, s));
  array range = detail::step(subtract(hi, lo, s));
  array u = detail::random_float(shape, dtype, Kind::uniform, k, s);
  array scaled = detail::step(multiply(range, u, s));
  return detail::step(add(scaled, lo, s));
}
template <typename T, typename U>
array uniform(T low, U high, const Shape& shape, Dtype dtype = float32,
              const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  return uniform(array(low), array(high), shape, dtype, key, std::move(s));
}
/// Uniform samples in [0, 1).
template <class = void>
inline array uniform(const Shape& shape, Dtype dtype, const std::optional<array>& key = std::nullopt,
                     StreamOrDevice s = {}) {
  return uniform(array(0.0, dtype), array(1.0, dtype), shape, dtype, key, std::move(s));
}
template <class = void>
inline array uniform(const Shape& shape, const std::optional<array>& key = std::nullopt,
                     StreamOrDevice s = {}) {
  return uniform(shape, float32, key, std::move(s));
}

/// Normal samples: loc + scale * sqrt(2) * erfinv(u) for u uniform in (-1, 1) (MLX's
/// construction; float32 uniform, erfinv rounded to the dtype). complex64 gives
/// erfinv(u) + i erfinv(u') (unit variance overall), then scale and loc as complex ops.
template <class = void>
inline array normal(const Shape& shape, Dtype dtype, const std::optional<array>& loc,
                    const std::optional<array>& scale, const std::optional<array>& key,
                    StreamOrDevice s = {}) {
  if (dtype != complex64) detail::check_float_dtype("normal", dtype);
  detail::check_shape("normal", shape);
  std::vector<Shape> params;
  if (loc) params.push_back(loc->shape());
  if (scale) params.push_back(scale->shape());
  detail::check_broadcast_to("normal", shape, params);
  array k = detail::resolve_key("normal", key);
  using Kind = RandomFloat<>::Kind;
  if (dtype == complex64) {
    array z = detail::random_float(shape, complex64, Kind::erfinv, k, s);
    if (scale) z = detail::step(multiply(*scale, z, s));
    if (loc) z = detail::step(add(*loc, z, s));
    return z;
  }
  array out = detail::random_float(shape, dtype, scale ? Kind::erfinv : Kind::normal, k, s);
  if (scale) {
    array scale_t = detail::step(astype(*scale, dtype, s));
    array applied = detail::step(multiply(array(std::sqrt(2.0), dtype), scale_t, s));
    out = detail::step(multiply(applied, out, s));
  }
  if (loc) out = detail::step(add(detail::step(astype(*loc, dtype, s)), out, s));
  return out;
}
template <class = void>
inline array normal(const Shape& shape, Dtype dtype, const float loc, const float scale,
                    const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  auto loc_ = loc == 0 ? std::nullopt : std::make_optional(array(loc, dtype == complex64 ? float32 : dtype));
  auto scale_ = scale == 1 ? std::nullopt : std::make_optional(array(scale, dtype == complex64 ? float32 : dtype));
  return normal(shape, dtype, loc_, scale_, key, std::move(s));
}
template <class = void>
inline array normal(const Shape& shape, const float loc, const float scale,
                    const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  return normal(shape, float32, loc, scale, key, std::move(s));
}
template <class = void>
inline array normal(const Shape& shape, const Dtype dtype, const std::optional<array>& key = std::nullopt,
                    StreamOrDevice s = {}) {
  return normal(shape, dtype, std::nullopt, std::nullopt, key, std::move(s));
}
template <class = void>
inline array normal(const Shape& shape, const std::optional<array>& key = std::nullopt,
                    StreamOrDevice s = {}) {
  return normal(shape, float32, std::nullopt, std::nullopt, key, std::move(s));
}

/// Integers uniform in [low, high) (low where high <= low), in an integer dtype or bool.
/// As MLX's current randint: 32 random bits (64, from two split keys, for int64/uint64)
/// reduced modulo the range in uint64, exact for any bounds.
template <class = void>
inline array randint(const array& low, const array& high, const Shape& shape,
                     Dtype dtype = int32, const std::optional<array>& key = std::nullopt,
                     StreamOrDevice s = {}) {
  if (issubdtype(dtype, inexact))
    detail::fail("randint", "randint only accepts integer dtypes and bool. Got ", dtype, ".");
  detail::check_shape("randint", shape);
  detail::check_broadcast_to("randint", shape, {low.shape(), high.shape()});
  if (key) detail::resolve_key("randint", key);
  array lo = detail::step(astype(low, int64, s));
  array lo_u = detail::step(astype(lo, uint64, s));
  // The width as uint64: int64's wrapped difference is the right unsigned width.
  array range = detail::step(subtract(astype(astype(high, int64, s), uint64, s), lo_u, s));
  const Dtype cmp = issubdtype(dtype, unsignedinteger) ? uint64 : int64;
  array empty = detail::step(less_equal(astype(high, cmp, s), astype(low, cmp, s), s));
  array safe = detail::step(where(empty, array(uint64_t{1}, uint64), range, s));
  array raw;
  if (dtype == int64 || dtype == uint64) {
    array lo_bits, hi_bits;
    if (key) {
      auto [k1, k2] = split(*key, s);
      lo_bits = bits(shape, 4, k1, s);
      hi_bits = bits(shape, 4, k2, s);
    } else {
      lo_bits = bits(shape, 4, std::nullopt, s);
      hi_bits = bits(shape, 4, std::nullopt, s);
    }
    raw = detail::step(bitwise_or(left_shift(astype(hi_bits, uint64, s), array(uint64_t{32}, uint64), s),
                                  astype(lo_bits, uint64, s), s));
  } else {
    raw = detail::step(astype(bits(shape, 4, key, s), uint64, s));
  }
  array offset = detail::step(remainder(raw, safe, s));
  return detail::step(astype(add(lo_u, offset, s), dtype, s));
}
template <typename T, typename U>
array randint(T low, U high, const Shape& shape, Dtype dtype = int32,
              const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  return randint(array(low), array(high), shape, dtype, key, std::move(s));
}

/// Bools that are true with probability p (p broadcast to `shape`; p <= 0 never, p >= 1
/// always): bits < p * nextafter(2^32, inf), compared in float32 as MLX does.
template <class = void>
inline array bernoulli(const array& p, const Shape& shape,
                       const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  if (!issubdtype(p.dtype(), floating))
    detail::fail("bernoulli", "bernoulli probability `p` must be a float type. Got ", p.dtype(), ".");
  detail::check_shape("bernoulli", shape);
  bool ok = true;
  try {
    ok = broadcast_shapes(p.shape(), shape) == shape;
  } catch (const std::invalid_argument&) {
    ok = false;
  }
  if (!ok)
    detail::fail("bernoulli", "Shape of `p` ", p.shape(), " is incompatible with argument `shape` ",
                 shape, ".");
  array k = detail::resolve_key("bernoulli", key);
  const array upper(std::nextafter(static_cast<float>(std::numeric_limits<uint32_t>::max()),
                                   std::numeric_limits<float>::max()),
                    float32);
  array threshold = detail::step(multiply(p, upper, s));
  return detail::step(less(bits(shape, 4, k, s), threshold, s));
}
template <class = void>
inline array bernoulli(const array& p, const std::optional<array>& key = std::nullopt,
                       StreamOrDevice s = {}) {
  return bernoulli(p, p.shape(), key, std::move(s));
}
template <typename T>
array bernoulli(T p, const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  return bernoulli(array(p), key, std::move(s));
}
template <typename T>
array bernoulli(T p, const Shape& shape, const std::optional<array>& key = std::nullopt,
                StreamOrDevice s = {}) {
  return bernoulli(array(p), shape, key, std::move(s));
}
/// A fair coin (p = 0.5), shape ().
template <class = void>
inline array bernoulli(const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  return bernoulli(array(0.5f), key, std::move(s));
}

/// Normal samples truncated to [lower, upper] (JAX's method, as MLX: uniform between
/// erf(lower / sqrt 2) and erf(upper / sqrt 2), mapped back through sqrt 2 * erfinv, then
/// clipped). Where upper < lower the result is lower.
template <class = void>
inline array truncated_normal(const array& lower, const array& upper, const Shape& shape,
                              Dtype dtype = float32, const std::optional<array>& key = std::nullopt,
                              StreamOrDevice s = {}) {
  detail::check_float_dtype("truncated_normal", dtype);
  detail::check_shape("truncated_normal", shape);
  detail::check_broadcast_to("truncated_normal", shape, {lower.shape(), upper.shape()});
  array k = detail::resolve_key("truncated_normal", key);
  const array sqrt2(std::sqrt(2.0), dtype);
  array lower_t = detail::step(astype(lower, dtype, s));
  array upper_t = detail::step(astype(upper, dtype, s));
  array a = detail::step(erf(detail::step(divide(lower_t, sqrt2, s)), s));
  array b = detail::step(erf(detail::step(divide(upper_t, sqrt2, s)), s));
  array u = uniform(a, b, shape, dtype, k, s);
  array out = detail::step(multiply(sqrt2, detail::step(erfinv(u, s)), s));
  return detail::step(maximum(detail::step(minimum(upper_t, out, s)), lower_t, s));
}
/// The shape is that of lower and upper broadcast together.
template <class = void>
inline array truncated_normal(const array& lower, const array& upper, Dtype dtype = float32,
                              const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  Shape shape;
  try {
    shape = broadcast_shapes(lower.shape(), upper.shape());
  } catch (const std::invalid_argument&) {
    detail::fail("truncated_normal", "Shapes of lower ", lower.shape(), " and upper ", upper.shape(),
                 " cannot be broadcast.");
  }
  return truncated_normal(lower, upper, shape, dtype, key, std::move(s));
}

/// Standard Gumbel samples: -log(-log(u)) for u uniform in [0, 1).
template <class = void>
inline array gumbel(const Shape& shape, Dtype dtype = float32,
                    const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  detail::check_float_dtype("gumbel", dtype);
  detail::check_shape("gumbel", shape);
  array k = detail::resolve_key("gumbel", key);
  array u = uniform(shape, dtype, k, s);
  array l1 = detail::step(negative(detail::step(log(u, s)), s));
  return detail::step(negative(detail::step(log(l1, s)), s));
}

namespace detail {
inline int categorical_axis(int axis, int ndim) {
  int ax = axis < 0 ? axis + ndim : axis;
  if (ax < 0 || ax >= ndim)
    fail("categorical", "Invalid axis ", axis, " for logits with ", ndim, " dimensions.");
  return ax;
}
/// argmax(gumbel + logits) along the axis that holds logits' classes in the samples.
template <class = void>
inline array categorical_impl(const array& logits, int axis, const Shape& shape,
                              const std::optional<array>& key, const StreamOrDevice& s) {
  Shape gshape = shape;
  const int offset = axis + static_cast<int>(shape.size()) - static_cast<int>(logits.ndim()) + 1;
  gshape.insert(gshape.begin() + offset, logits.shape(axis));
  array g = gumbel(gshape, float32, key, s);
  return argmax(add(g, logits, s), offset, false, s);
}
}  // namespace detail

/// Samples class indices (uint32) from the unnormalised log-probabilities `logits` along
/// `axis`; `shape` must broadcast with logits' shape without that axis.
template <class = void>
inline array categorical(const array& logits, int axis, const Shape& shape,
                         const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  axis = detail::categorical_axis(axis, static_cast<int>(logits.ndim()));
  detail::check_shape("categorical", shape);
  Shape reduced = logits.shape();
  reduced.erase(reduced.begin() + axis);
  bool ok = true;
  try {
    ok = broadcast_shapes(shape, reduced) == shape;
  } catch (const std::invalid_argument&) {
    ok = false;
  }
  if (!ok)
    detail::fail("categorical", "Requested shape ", shape,
                 " is not broadcast compatible with reduced logits shape ", reduced, ".");
  if (logits.shape(axis) == 0)
    detail::fail("categorical", "Cannot sample from zero classes (axis ", axis, " of logits ",
                 logits.shape(), ").");
  array k = detail::resolve_key("categorical", key);
  // No draws: an empty result (argmax would refuse the empty sample array).
  if (shape_size(shape) == 0) return zeros(shape, uint32, s);
  return detail::categorical_impl(logits, axis, shape, k, s);
}
/// num_samples draws per distribution: shape (logits' shape without axis..., num_samples).
template <class = void>
inline array categorical(const array& logits_, int axis, int num_samples,
                         const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  axis = detail::categorical_axis(axis, static_cast<int>(logits_.ndim()));
  if (num_samples < 0)
    detail::fail("categorical", "num_samples must be non-negative. Got ", num_samples, ".");
  if (logits_.shape(axis) == 0)
    detail::fail("categorical", "Cannot sample from zero classes (axis ", axis, " of logits ",
                 logits_.shape(), ").");
  array k = detail::resolve_key("categorical", key);
  array logits = expand_dims(logits_, -1, s);
  Shape shape = logits.shape();
  shape.erase(shape.begin() + axis);
  shape.back() = num_samples;
  if (shape_size(shape) == 0) return zeros(shape, uint32, s);
  return detail::categorical_impl(logits, axis, shape, k, s);
}
/// One draw per distribution: shape (logits' shape without axis).
template <class = void>
inline array categorical(const array& logits, int axis = -1,
                         const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  axis = detail::categorical_axis(axis, static_cast<int>(logits.ndim()));
  Shape shape = logits.shape();
  shape.erase(shape.begin() + axis);
  return categorical(logits, axis, shape, key, std::move(s));
}

/// Laplace samples: loc + scale * sign(u) * log1p(-|u|) for u uniform in (-1, 1), computed
/// in float32 and converted to the dtype (as MLX).
template <class = void>
inline array laplace(const Shape& shape, Dtype dtype, const float loc, const float scale,
                     const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  detail::check_float_dtype("laplace", dtype);
  detail::check_shape("laplace", shape);
  array k = detail::resolve_key("laplace", key);
  array u = uniform(array(std::nextafter(-1.0f, 0.0f)), array(1.0f), shape, float32, k, s);
  array mag = detail::step(log1p(detail::step(multiply(array(-1.0f, dtype), abs(u, s), s)), s));
  array out = detail::step(astype(detail::step(multiply(sign(u, s), mag, s)), dtype, s));
  if (scale != 1.0f) out = detail::step(multiply(array(scale, dtype), out, s));
  if (loc != 0.0f) out = detail::step(add(array(loc, dtype), out, s));
  return out;
}
template <class = void>
inline array laplace(const Shape& shape, const float loc, const float scale,
                     const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  return laplace(shape, float32, loc, scale, key, std::move(s));
}
template <class = void>
inline array laplace(const Shape& shape, const Dtype dtype, const std::optional<array>& key = std::nullopt,
                     StreamOrDevice s = {}) {
  return laplace(shape, dtype, 0.0f, 1.0f, key, std::move(s));
}
template <class = void>
inline array laplace(const Shape& shape, const std::optional<array>& key = std::nullopt,
                     StreamOrDevice s = {}) {
  return laplace(shape, float32, 0.0f, 1.0f, key, std::move(s));
}

/// A random permutation of arange(x) (uint32): the stable argsort of bits((x,), key).
template <class = void>
inline array permutation(int x, const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  if (x < 0) detail::fail("permutation", "The length must be non-negative. Got ", x, ".");
  array k = detail::resolve_key("permutation", key);
  return array(Shape{x}, uint32, std::make_shared<RandomPermutation<>>(to_stream(s)),
               {std::move(k)});
}

/// x with its slices along `axis` randomly permuted (MLX: take(x, permutation(n), axis)).
template <class = void>
inline array permutation(const array& x, int axis = 0, const std::optional<array>& key = std::nullopt,
                         StreamOrDevice s = {}) {
  const int nd = static_cast<int>(x.ndim());
  if (nd == 0) detail::fail("permutation", "Cannot permute a 0-d array.");
  const int ax = core::detail::normalize_axis("permutation", axis, nd);
  array k = detail::resolve_key("permutation", key);
  return take(x, permutation(x.shape(ax), k, s), ax, s);
}

#if MLXPP_WITH_OPENBLAS
/// Samples of the multivariate normal with mean `mean` (..., n) and covariance `cov`
/// (..., n, n): mean + z @ sqrt(cov) for standard normal rows z, sqrt(cov) from the SVD as
/// in MLX. The output shape is broadcast(cov batch, mean batch, shape) + (n,); float32 only.
/// Needs LAPACK (built with MLXPP_WITH_OPENBLAS).
template <class = void>
inline array multivariate_normal(const array& mean, const array& cov, const Shape& shape, Dtype dtype,
                                 const std::optional<array>& key = std::nullopt, StreamOrDevice s = {}) {
  constexpr std::string_view op = "multivariate_normal";
  if (dtype != float32) detail::fail(op, "dtype must be float32. Got ", dtype, ".");
  if (mean.ndim() < 1) detail::fail(op, "mean must have at least one dimension. Got shape ", mean.shape(), ".");
  if (cov.ndim() < 2) detail::fail(op, "cov must have at least two dimensions. Got shape ", cov.shape(), ".");
  if (cov.shape(-1) != cov.shape(-2))
    detail::fail(op, "last two dimensions of cov must be equal. Got shape ", cov.shape(), ".");
  const int n = mean.shape(-1);
  if (n != cov.shape(-1))
    detail::fail(op, "mean and cov must have compatible shapes. Got ", mean.shape(), " and ", cov.shape(), ".");
  if (is_complex(mean.dtype()) || is_complex(cov.dtype()))
    detail::fail(op, "Complex mean or cov is not supported.");
  detail::check_shape(op, shape);
  const Shape mb(mean.shape().begin(), mean.shape().end() - 1), cb(cov.shape().begin(), cov.shape().end() - 2);
  Shape out_shape;
  try {
    out_shape = broadcast_shapes(broadcast_shapes(cb, mb), shape);
  } catch (const std::invalid_argument&) {
    detail::fail(op, "The batch shapes of cov ", cb, " and mean ", mb, " do not broadcast with shape ", shape, ".");
  }
  out_shape.push_back(n);
  array k = detail::resolve_key(op, key);
  array z = normal(out_shape, dtype, 0.0f, 1.0f, k, s);
  array cov32 = detail::step(astype(cov, float32, s));
  array mean32 = detail::step(astype(mean, float32, s));
  return array(out_shape, float32, std::make_shared<MultivariateNormalTransform<>>(to_stream(s)),
               {std::move(z), std::move(cov32), std::move(mean32)});
}
#endif

}  // namespace mlx::core::random
