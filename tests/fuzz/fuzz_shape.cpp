// SPDX-License-Identifier: MIT
// libFuzzer target for the shape ops' argument handling: the input is decoded into a small
// array and a sequence of ops with fuzzed shapes, axes, slice starts/stops/strides, reshape
// targets, pads, repeats and split points (small values mostly, extremes such as INT32_MIN,
// INT32_MAX and 2^16 sometimes). An op may reject its arguments with the exceptions the ops
// document (std::invalid_argument, std::out_of_range); any other exception, a crash,
// undefined behaviour or a leak is a finding. Results are evaluated and read in full when
// small, and checked where an invariant is cheap (reshape keeps the elements, a transpose
// undone is the identity, a slice has the size its bounds say).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "fuzz_common.hpp"
#include "mlx/ops/creation.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/ops/slicing.hpp"

namespace mx = mlx::core;

namespace {

constexpr int64_t max_eval_elements = 1 << 12;  // results larger than this stay lazy

/// Mostly small values around 0; sometimes a value that overflows careless arithmetic.
int value(FuzzedDataProvider& in) {
  const uint8_t kind = in.ConsumeIntegral<uint8_t>();
  if (kind < 224) return static_cast<int>(kind % 11) - 3;  // -3..7
  constexpr int extremes[] = {std::numeric_limits<int>::min(), std::numeric_limits<int>::max(),
                              std::numeric_limits<int>::min() + 1, std::numeric_limits<int>::max() - 1,
                              1 << 16, -(1 << 16), 1 << 30, -(1 << 30), 46341, 65535, -8, 100};
  return extremes[kind % std::size(extremes)];
}
std::vector<int> values(FuzzedDataProvider& in, size_t max_len = 6) {
  std::vector<int> v(in.ConsumeIntegralInRange<size_t>(0, max_len));
  for (auto& x : v) x = value(in);
  return v;
}
mx::Shape shape_of(FuzzedDataProvider& in) {
  auto v = values(in);
  return mx::Shape(v.begin(), v.end());
}

/// The starting array: up to 4 dims of 0..4, a dtype of each kind, real data.
mx::array start(FuzzedDataProvider& in) {
  mx::Shape shape(in.ConsumeIntegralInRange<size_t>(0, 4));
  for (auto& d : shape) d = in.ConsumeIntegralInRange<int>(0, 4);
  static const mx::Dtype dtypes[] = {mx::float32, mx::int32, mx::bool_, mx::int8, mx::float16, mx::complex64, mx::uint64};
  const mx::Dtype dt = dtypes[in.ConsumeIntegralInRange<size_t>(0, std::size(dtypes) - 1)];
  mx::array a = mx::astype(mx::reshape(mx::arange(static_cast<double>(mx::shape_size(shape))), shape), dt);
  a.eval();
  return a;
}

/// One fuzzed op on a (and sometimes b). Returns the result; throws what the op throws.
mx::array step(FuzzedDataProvider& in, const mx::array& a, const mx::array& b) {
  switch (in.ConsumeIntegralInRange<int>(0, 21)) {
    case 0: {
      mx::Shape target = shape_of(in);
      mx::array r = mx::reshape(a, target);
      mlxfuzz::check(r.size() == a.size(), "reshape changed the size");
      if (r.size() <= max_eval_elements) mlxfuzz::check(mlxfuzz::raw(r) == mlxfuzz::raw(a), "reshape changed the elements");
      return r;
    }
    case 1: return mx::broadcast_to(a, shape_of(in));
    case 2: {
      const mx::Shape s = mx::broadcast_shapes(shape_of(in), shape_of(in));
      for (auto d : s) mlxfuzz::check(d >= 0, "broadcast_shapes returned a negative dim");
      return a;
    }
    case 3: {
      mx::Shape lo = shape_of(in), hi = shape_of(in), st = shape_of(in);
      return in.ConsumeBool() ? mx::slice(a, lo, hi, st) : mx::slice(a, lo, hi);
    }
    case 4: {
      std::vector<int> axes = values(in);
      mx::array t = mx::transpose(a, axes);
      std::vector<int> inverse(axes.size());
      const int n = static_cast<int>(axes.size());
      for (int i = 0; i < n; ++i) inverse[static_cast<size_t>(axes[i] < 0 ? axes[i] + n : axes[i])] = i;
      if (a.size() <= max_eval_elements)
        mlxfuzz::check(mlxfuzz::raw(mx::transpose(t, inverse)) == mlxfuzz::raw(a), "transpose undone changed the array");
      return t;
    }
    case 5: return in.ConsumeBool() ? mx::squeeze(a, values(in, 3)) : mx::squeeze(a);
    case 6: return mx::expand_dims(a, values(in, 3));
    case 7: return mx::concatenate({a, b}, value(in));
    case 8: return mx::concatenate({a, b});
    case 9: return mx::stack({a, b}, value(in));
    case 10: {
      const int lo = value(in), hi = value(in);
      return mx::flatten(a, lo, hi);
    }
    case 11: {
      const int x = value(in), y = value(in);
      return in.ConsumeBool() ? mx::swapaxes(a, x, y) : mx::moveaxis(a, x, y);
    }
    case 12: {
      const int axis = value(in);
      return mx::unflatten(a, axis, shape_of(in));
    }
    case 13: {
      const int axis = value(in);
      // At most 64 parts: an empty axis splits into any number of parts, and asking for 2^31
      // of them is a legitimate (if huge) request, not a bug worth a timeout.
      auto parts = in.ConsumeBool() ? mx::split(a, shape_of(in), axis)
                                    : mx::split(a, in.ConsumeIntegralInRange<int>(-2, 64), axis);
      return parts.empty() ? a : parts[in.ConsumeIntegralInRange<size_t>(0, parts.size() - 1)];
    }
    case 14: {
      mx::Shape lo = shape_of(in), hi = shape_of(in);
      return mx::slice_update(a, b, lo, hi);
    }
    case 15: {
      std::vector<int> axes = values(in, 3);
      mx::Shape low = shape_of(in), high = shape_of(in);
      return mx::pad(a, axes, low, high, mx::array(0, a.dtype()), in.ConsumeBool() ? "edge" : "constant");
    }
    case 16: {
      const int reps = value(in), axis = value(in);
      return mx::repeat(a, reps, axis);
    }
    case 17: return mx::tile(a, values(in, 4));
    case 18: {
      mx::Shape shift = shape_of(in);
      return mx::roll(a, shift, values(in, 3));
    }
    case 19: return mx::flip(a, values(in, 3));
    case 20: {
      auto arrays = mx::broadcast_arrays({a, b});
      return arrays[0];
    }
    default: {
      const int axis = value(in);
      // Like split: unstacking a (2^31,) view asks for 2^31 arrays, legitimately.
      if (a.ndim() > 0 && *std::max_element(a.shape().begin(), a.shape().end()) > 64) return a;
      auto parts = mx::unstack(a, axis);
      return parts.empty() ? a : parts[0];
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  mx::array a = start(in), b = start(in);
  for (int i = 0; i < 8 && in.remaining_bytes() > 0; ++i) {
    try {
      mx::array r = step(in, a, b);
      // A slice or broadcast can describe an enormous array without allocating it;
      // only small results are evaluated and carried on.
      if (r.size() <= static_cast<size_t>(max_eval_elements)) {
        mlxfuzz::raw(r);
        (in.ConsumeBool() ? a : b) = r;
      }
    } catch (const std::invalid_argument&) {
      // documented rejection of bad arguments
    } catch (const std::out_of_range&) {
      // documented rejection of out-of-range axes/indices
    }
  }
  return 0;
}
