// SPDX-License-Identifier: MIT
// Primitives of mlx::core::random: raw threefry bits, bits mapped straight to floats
// (uniform and erfinv-of-uniform, MLX's conversions in one pass), key splitting and random
// permutations.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/simd.hpp"
#include "mlx/backend/cpu/threefry.hpp"
#include "mlx/core/primitive.hpp"
#include "mlx/expr/functors/math.hpp"

#include "mlx/backend/cpu/lapacke.hpp"

namespace mlx::core {

namespace detail {

/// The two words of an evaluated key of shape (2,), whatever its strides.
inline std::pair<uint32_t, uint32_t> read_key(const array& key) {
  const auto* p = static_cast<const uint32_t*>(key.raw_data());
  return {p[0], p[key.strides()[0]]};
}

/// Keeps the compiler from contracting a product and a following sum into one fused
/// multiply-add: MLX rounds the product first (its ops are separate kernels).
template <class V>
inline V no_contract(V v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  if constexpr (simd::is_batch_v<V>) {
    auto r = static_cast<typename V::register_type>(v);
    asm("" : "+v"(r));
    return V(r);
  } else {
    asm("" : "+x"(v));
    return v;
  }
#elif defined(__GNUC__) && defined(__aarch64__)
  if constexpr (simd::is_batch_v<V>) {
    auto r = static_cast<typename V::register_type>(v);
    asm("" : "+w"(r));
    return V(r);
  } else {
    asm("" : "+w"(v));
    return v;
  }
#else
  volatile V t = v;
  return t;
#endif
}

/// The largest value below 1 of a floating dtype (MLX's upper bound for uniform samples).
inline float below_one(Dtype dt) {
  if (dt == float16) {
    float16_t one(1.0f);
    one.bits -= 1;
    return static_cast<float>(one);
  }
  if (dt == bfloat16) {
    bfloat16_t one(1.0f);
    one.bits -= 1;
    return static_cast<float>(one);
  }
  return std::nextafter(1.0f, 0.0f);
}

/// Rounds n floats to dtype dt's precision in place (a no-op for float32).
inline void round_to_dtype(float* v, int64_t n, Dtype dt) {
  if (dt == float16) {
    alignas(64) float16_t tmp[cpu::threefry::block_pairs];
    for (int64_t i = 0; i < n; i += cpu::threefry::block_pairs) {
      const int64_t m = std::min<int64_t>(cpu::threefry::block_pairs, n - i);
      f32_to_f16(v + i, tmp, static_cast<size_t>(m));
      f16_to_f32(tmp, v + i, static_cast<size_t>(m));
    }
  } else if (dt == bfloat16) {
    alignas(64) bfloat16_t tmp[cpu::threefry::block_pairs];
    for (int64_t i = 0; i < n; i += cpu::threefry::block_pairs) {
      const int64_t m = std::min<int64_t>(cpu::threefry::block_pairs, n - i);
      f32_to_bf16(v + i, tmp, static_cast<size_t>(m));
      bf16_to_f32(tmp, v + i, static_cast<size_t>(m));
    }
  }
}

}  // namespace detail

/// MLX's RandomBits: threefry words from the key (input 0, shape (2,)), the first nbytes of
/// the word stream reinterpreted as the output's uint8/uint16/uint32 elements.
template <class = void>
class RandomBits : public UnaryPrimitive {
 public:
  explicit RandomBits(Stream s) : UnaryPrimitive(s) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const int64_t nbytes = static_cast<int64_t>(out.nbytes());
    // Whole words are written, so the buffer is rounded up to a multiple of 4 bytes.
    out.set_data(allocator::malloc(static_cast<size_t>((nbytes + 3) / 4 * 4)));
    auto [k0, k1] = detail::read_key(inputs[0]);
    cpu::threefry::fill_bits(k0, k1, out.raw_data(), nbytes);
  }
  const char* name() const override { return "RandomBits"; }
};

/// One 32-bit draw per output value, mapped to floats as MLX's random.cpp composes it:
///  - uniform: u = min(float(bits) / 2^32, below_one(dtype)), rounded to the dtype, then
///    (float32 only, when given) lo + range * u with the product rounded first;
///  - erfinv: e = erfinv(2 * u32 - nextafter(1, 0)) in float32 (u32 the float32 uniform
///    above), rounded to the dtype; `normal` scales by the dtype's sqrt(2).
/// complex64 outputs take two erfinv draws per element (real, imaginary), as MLX's complex
/// normal does.
template <class = void>
class RandomFloat : public UnaryPrimitive {
 public:
  enum class Kind { uniform, erfinv, normal };
  RandomFloat(Stream s, Kind kind, float lo = 0.0f, float range = 1.0f, bool affine = false)
      : UnaryPrimitive(s), kind_(kind), lo_(lo), range_(range), affine_(affine) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    const Dtype dt = out.dtype();
    // The values are produced as float32 and stored in the output's dtype; complex64 is
    // stored as its float32 parts.
    const Dtype store = dt == complex64 ? float32 : dt;
    const int64_t n = static_cast<int64_t>(out.size()) * (dt == complex64 ? 2 : 1);
    const float upper = detail::below_one(kind_ == Kind::uniform ? dt : float32);
    const float sym_lo = std::nextafter(-1.0f, 0.0f);
    const float sym_range = 1.0f - sym_lo;  // as MLX: subtract(high, low) in float32
    // MLX's array(sqrt(2), dtype): sqrt(2) rounded to the output's precision.
    float sqrt2 = static_cast<float>(std::sqrt(2.0));
    detail::round_to_dtype(&sqrt2, 1, store);
    char* base = static_cast<char*>(out.raw_data());
    const size_t item = size_of(store);
    auto [k0, k1] = detail::read_key(inputs[0]);
    using F = xsimd::batch<float>;
    using U = cpu::threefry::UBatch;
    static_assert(F::size == U::size, "float and uint32 batches must have the same width");
    cpu::threefry::generate(k0, k1, n, [&](int64_t pos, const uint32_t* w, int64_t m) {
      alignas(64) float v[cpu::threefry::block_pairs];
      for (int64_t i = 0; i < m; i += cpu::threefry::batch_width) {
        const U b = U::load_aligned(w + i);
        // float(bits) rounded once (the high half scaled by 2^16 is exact), times 2^-32.
        const F hi = xsimd::batch_cast<float>(xsimd::bitwise_cast<xsimd::batch<int32_t>>(b >> 16));
        const F lo = xsimd::batch_cast<float>(xsimd::bitwise_cast<xsimd::batch<int32_t>>(b & U(0xFFFFu)));
        F u = (hi * F(65536.0f) + lo) * F(0x1p-32f);
        u = xsimd::min(u, F(upper));
        if (kind_ != Kind::uniform) {
          u = u * F(sym_range) + F(sym_lo);  // the product is exact (times 2): one rounding
          u = functors::ErfInv{}(u);
        } else if (affine_) {
          u = detail::no_contract(u * F(range_)) + F(lo_);
        }
        u.store_aligned(v + i);
      }
      if (kind_ == Kind::normal) {
        detail::round_to_dtype(v, m, store);
        for (int64_t i = 0; i < m; i += cpu::threefry::batch_width)
          (F(sqrt2) * F::load_aligned(v + i)).store_aligned(v + i);
      }
      cpu::store_convert(static_cast<const float*>(v), base + pos * item, store, m);
    });
  }
  const char* name() const override { return "RandomFloat"; }

 private:
  Kind kind_;
  float lo_, range_;
  bool affine_;
};

/// split(key): the words of bits((2, 2), key) as two keys of shape (2,).
template <class = void>
class RandomSplit : public Primitive {
 public:
  explicit RandomSplit(Stream s) : Primitive(s) {}

  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    uint32_t w[4];
    auto [k0, k1] = detail::read_key(inputs[0]);
    cpu::threefry::fill_bits(k0, k1, w, 16);
    for (int i = 0; i < 2; ++i) {
      outputs[i].set_data(allocator::malloc(8));
      std::memcpy(outputs[i].raw_data(), w + 2 * i, 8);
    }
  }
  const char* name() const override { return "RandomSplit"; }
};

/// permutation(n): the stable argsort of bits((n,), key), as uint32 (MLX composes
/// argsort(bits(...)); equal draws keep index order).
template <class = void>
class RandomPermutation : public UnaryPrimitive {
 public:
  explicit RandomPermutation(Stream s) : UnaryPrimitive(s) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const int64_t n = static_cast<int64_t>(out.size());
    out.set_data(allocator::malloc(out.nbytes()));
    std::vector<uint64_t> keyed(static_cast<size_t>(n));
    auto [k0, k1] = detail::read_key(inputs[0]);
    // Sorting (draw << 32 | index) is a stable argsort of the draws.
    cpu::threefry::generate(k0, k1, n, [&](int64_t pos, const uint32_t* w, int64_t m) {
      for (int64_t i = 0; i < m; ++i)
        keyed[pos + i] = (static_cast<uint64_t>(w[i]) << 32) | static_cast<uint64_t>(pos + i);
    });
    std::sort(keyed.begin(), keyed.end());
    auto* o = static_cast<uint32_t*>(out.raw_data());
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<uint32_t>(keyed[i] & 0xFFFFFFFFu);
  }
  const char* name() const override { return "RandomPermutation"; }
};

#if MLXPP_WITH_OPENBLAS
/// multivariate_normal's transform: out[b] = mean[b] + z[b] @ sqrt(cov[b]) for standard
/// normal rows z (input 0, shape (..., n)), float32 covariances (input 1, (..., n, n)) and
/// float32 means (input 2, (..., n)), both broadcast over the batch. As MLX, the square root
/// is U diag(sqrt(S)) V^T from the SVD cov = U diag(S) V^T (LAPACK sgesvd).
template <class = void>
class MultivariateNormalTransform : public UnaryPrimitive {
 public:
  explicit MultivariateNormalTransform(Stream s) : UnaryPrimitive(s) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    const int64_t n = out.shape(-1);
    if (out.size() == 0) return;
    const array z = cpu::ensure_row_contiguous(inputs[0]);
    const array cov = cpu::ensure_row_contiguous(inputs[1]);
    const array mean = cpu::ensure_row_contiguous(inputs[2]);
    const int64_t nn = n * n, ncov = static_cast<int64_t>(cov.size()) / nn;
    std::vector<float> root(static_cast<size_t>(ncov * nn));
    std::vector<float> a(nn), sv(n), u(nn), vt(nn), superb(std::max<int64_t>(n - 1, 1));
    for (int64_t c = 0; c < ncov; ++c) {
      std::memcpy(a.data(), cov.data<float>() + c * nn, static_cast<size_t>(nn) * sizeof(float));
      const lapack_int info =
          LAPACKE_sgesvd(LAPACK_ROW_MAJOR, 'A', 'A', static_cast<lapack_int>(n), static_cast<lapack_int>(n),
                         a.data(), static_cast<lapack_int>(n), sv.data(), u.data(),
                         static_cast<lapack_int>(n), vt.data(), static_cast<lapack_int>(n), superb.data());
      if (info != 0)
        throw std::runtime_error(core::detail::message(
            "[multivariate_normal] The SVD of the covariance did not converge (LAPACK info ", info, ")."));
      float* r = root.data() + c * nn;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
          float acc = 0;
          for (int64_t k = 0; k < n; ++k) acc += u[i * n + k] * std::sqrt(sv[k]) * vt[k * n + j];
          r[i * n + j] = acc;
        }
    }
    // Batch strides (in matrices / vectors) of cov and mean broadcast to the output's batch.
    const Shape batch(out.shape().begin(), out.shape().end() - 1);
    const Shape cb(cov.shape().begin(), cov.shape().end() - 2), mb(mean.shape().begin(), mean.shape().end() - 1);
    const Strides cs = core::detail::broadcast_strides(cb, row_major_strides(cb), batch);
    const Strides ms = core::detail::broadcast_strides(mb, row_major_strides(mb), batch);
    const int64_t nbatch = shape_size(batch);
    const float* zp = z.data<float>();
    const float* mp = mean.data<float>();
    float* op = out.data<float>();
    cpu::parallel_for(nbatch, std::max<int64_t>(1, 4096 / std::max<int64_t>(nn, 1)), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        int64_t rest = b, ci = 0, mi = 0;
        for (int d = static_cast<int>(batch.size()) - 1; d >= 0; --d) {
          const int64_t idx = rest % batch[d];
          rest /= batch[d];
          ci += idx * cs[d];
          mi += idx * ms[d];
        }
        const float* r = root.data() + ci * nn;
        const float* zr = zp + b * n;
        for (int64_t j = 0; j < n; ++j) {
          float acc = 0;
          for (int64_t i = 0; i < n; ++i) acc += zr[i] * r[i * n + j];
          op[b * n + j] = mp[mi * n + j] + acc;
        }
      }
    });
  }
  const char* name() const override { return "MultivariateNormalTransform"; }
};
#endif

}  // namespace mlx::core
