// SPDX-License-Identifier: MIT
// Helpers shared by the elementwise op tests: reading results back, comparing against
// double-precision references in units of the result dtype's epsilon, and checking errors.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mlx::core::test {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// Evaluates x and returns its elements converted to T (complex to real: the real part).
template <class T = double>
std::vector<T> values(const array& x) {
  array a = x;
  a.eval();
  std::vector<T> out(a.size());
  detail::dispatch_dtype(a.dtype(), [&](auto tag) {
    using S = typename decltype(tag)::type;
    const S* p = a.data<S>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = detail::convert_element<T>(p[i]);
  });
  return out;
}

/// A 1-d array of dtype d holding `v` (converted as the library converts).
inline array make(const std::vector<double>& v, Dtype d = float32) {
  return array(v.begin(), Shape{static_cast<int>(v.size())}, d);
}

/// The spacing of dtype d's values near 1 (bfloat16: 2^-7, float16: 2^-10, ...).
inline double eps_of(Dtype d) { return finfo(d).eps; }

/// True when got equals ref within `ulps` epsilons of the dtype relative to |ref| (NaNs,
/// infinities and the sign of zero must match exactly).
inline bool close_in_dtype(double got, double ref, Dtype d, double ulps) {
  if (std::isnan(ref)) return std::isnan(got);
  if (std::isinf(ref) || ref == 0) return got == ref && std::signbit(got) == std::signbit(ref);
  const double tiny = finfo(d).tiny;
  return std::abs(got - ref) <= ulps * eps_of(d) * std::max(std::abs(ref), tiny);
}

/// Whether the default device flushes float32 subnormals to zero (NVIDIA's Vulkan driver does
/// by default; the CPU and lavapipe do not): 2^-120 * 2^-20 is 0 there.
inline bool device_flushes_subnormals() {
  array tiny = make({std::ldexp(1.0, -120)}, float32);
  return values(multiply(tiny, array(std::ldexp(1.0f, -20))))[0] == 0.0;
}

/// Whether x is a nonzero float32 subnormal.
inline bool subnormal32(double x) {
  return x != 0 && std::abs(x) < static_cast<double>(std::numeric_limits<float>::min());
}

/// Checks a unary op on inputs `xs` of dtype `in` against `ref` in double: the result has
/// dtype `out`, and each element is within `ulps` epsilons of ref(x) rounded to `out`. On a
/// device that flushes subnormals, float32 elements whose input or result is subnormal are
/// not checked.
inline void check_unary(const std::string& name, const std::function<array(const array&)>& op,
                        const std::function<double(double)>& ref, const std::vector<double>& xs,
                        Dtype in, Dtype out, double ulps) {
  array x = make(xs, in);
  array y = op(x);
  ASSERT_EQ(y.dtype(), out) << name << " on " << in;
  ASSERT_EQ(y.shape(), x.shape()) << name;
  auto got = values(y);
  auto xin = values(x);  // the inputs as the dtype holds them
  std::vector<double> r(xin.size());
  for (size_t i = 0; i < xin.size(); ++i) r[i] = ref(xin[i]);
  auto expect = values(make(r, out));  // the reference rounded to the result dtype
  const bool ftz = device_flushes_subnormals();
  for (size_t i = 0; i < got.size(); ++i)
    if (!(ftz && (subnormal32(xin[i]) || subnormal32(r[i]))))
      EXPECT_TRUE(close_in_dtype(got[i], expect[i], out, ulps))
        << name << "(" << xin[i] << ") on " << in << ": got " << got[i] << ", expected "
        << expect[i] << " (double reference " << r[i] << ")";
}

/// Checks that `fn` throws E whose message contains every one of `parts`.
template <class E = std::invalid_argument>
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one mentioning " << parts.front();
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

}  // namespace mlx::core::test
