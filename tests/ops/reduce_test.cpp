// SPDX-License-Identifier: MIT
// Tests for ops/reduce.hpp against reference loops in double (int64 for integer sums and
// products, which then wrap to the dtype): every subset of axes of shapes (7,), (3,4) and
// (2,3,4), negative and unsorted axes, keepdims, seven dtypes; NaN and infinity handling;
// sizes large enough for the threaded paths; reductions of expressions; the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

using mlx::core::operator<<;  // Shape prints as (2,3) (it is a std::vector: no ADL)

// ---- helpers -------------------------------------------------------------------------

using mlxtest::to_doubles;

/// v rounded to dtype d and back (the value an exact result has when stored as d).
double round_to(double v, mx::Dtype d) {
  double r = 0;
  mx::detail::dispatch_dtype(d, [&](auto tag) {
    using T = typename decltype(tag)::type;
    r = mx::detail::convert_element<double>(mx::detail::convert_element<T>(v));
  });
  return r;
}

/// v wrapped to integer dtype d, as integer arithmetic in d would give.
double wrap_to(uint64_t bits, mx::Dtype d) {
  double r = 0;
  mx::detail::dispatch_dtype(d, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T>)
      r = static_cast<double>(static_cast<T>(bits));
    else
      r = static_cast<double>(static_cast<int64_t>(bits));
  });
  return r;
}

std::string to_string(const std::vector<int>& v) {
  std::ostringstream os;
  os << '{';
  for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
  os << '}';
  return os.str();
}

struct Lcg {
  uint64_t s;
  explicit Lcg(uint64_t seed) : s(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
  uint32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
  double uniform() { return next() / 2147483648.0; }  // [0, 1)
};

/// Test values exactly representable in dtype d.
std::vector<double> test_values(size_t n, mx::Dtype d, uint64_t seed) {
  Lcg g(seed);
  std::vector<double> v(n);
  for (auto& x : v) {
    if (d == mx::bool_)
      x = g.next() % 2;
    else if (d == mx::int8)
      x = static_cast<double>(static_cast<int>(g.next() % 241) - 120);  // sums wrap
    else if (mx::is_floating_point(d))
      x = (static_cast<int>(g.next() % 13) - 6) * 0.5;  // -3 .. 3 in halves: many ties
    else if (mx::is_unsigned(d))
      x = g.next() % 7;
    else
      x = static_cast<int>(g.next() % 7) - 3;
  }
  return v;
}

using mlxtest::invalid_argument_message;

bool close(double got, double want, double rtol, double atol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::abs(got - want) <= atol + rtol * std::abs(want);
}

// ---- the reference -------------------------------------------------------------------

enum class Op { Sum, Prod, Max, Min, All, Any, Mean, Var, Std, LogSumExp };
const Op kAllOps[] = {Op::Sum, Op::Prod, Op::Max, Op::Min, Op::All,
                      Op::Any, Op::Mean, Op::Var, Op::Std, Op::LogSumExp};

const char* op_name(Op op) {
  switch (op) {
    case Op::Sum: return "sum";
    case Op::Prod: return "prod";
    case Op::Max: return "max";
    case Op::Min: return "min";
    case Op::All: return "all";
    case Op::Any: return "any";
    case Op::Mean: return "mean";
    case Op::Var: return "var";
    case Op::Std: return "std";
    case Op::LogSumExp: return "logsumexp";
  }
  return "?";
}

mx::Dtype expected_dtype(Op op, mx::Dtype in) {
  switch (op) {
    case Op::Sum:
    case Op::Prod: return in == mx::bool_ ? mx::int32 : in;
    case Op::Max:
    case Op::Min: return in;
    case Op::All:
    case Op::Any: return mx::bool_;
    default: return mx::is_floating_point(in) ? in : mx::float32;
  }
}

mx::array run(Op op, const mx::array& a, const std::vector<int>& axes, bool keepdims,
              int ddof = 0) {
  switch (op) {
    case Op::Sum: return mx::sum(a, axes, keepdims);
    case Op::Prod: return mx::prod(a, axes, keepdims);
    case Op::Max: return mx::max(a, axes, keepdims);
    case Op::Min: return mx::min(a, axes, keepdims);
    case Op::All: return mx::all(a, axes, keepdims);
    case Op::Any: return mx::any(a, axes, keepdims);
    case Op::Mean: return mx::mean(a, axes, keepdims);
    case Op::Var: return mx::var(a, axes, keepdims, ddof);
    case Op::Std: return mx::std(a, axes, keepdims, ddof);
    case Op::LogSumExp: return mx::logsumexp(a, axes, keepdims);
  }
  return mx::array();
}

struct Reference {
  mx::Shape shape;
  std::vector<std::vector<double>> groups;  // the reduced elements of each output
};

/// Groups the elements of x (shape `shape`) by output position for sorted axes `axes`.
Reference group(const std::vector<double>& x, const mx::Shape& shape, const std::vector<int>& axes,
                bool keepdims) {
  Reference r;
  const int nd = static_cast<int>(shape.size());
  auto reduced = [&](int d) { return std::find(axes.begin(), axes.end(), d) != axes.end(); };
  mx::Shape kept;
  for (int d = 0; d < nd; ++d) {
    if (!reduced(d)) {
      r.shape.push_back(shape[d]);
      kept.push_back(shape[d]);
    } else if (keepdims) {
      r.shape.push_back(1);
    }
  }
  r.groups.resize(static_cast<size_t>(mx::shape_size(kept)));
  std::vector<int> idx(nd, 0);
  for (size_t flat = 0; flat < x.size(); ++flat) {
    size_t out = 0;
    for (int d = 0; d < nd; ++d)
      if (!reduced(d)) out = out * shape[d] + idx[d];
    r.groups[out].push_back(x[flat]);
    for (int d = nd - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return r;
}

/// The expected value of `op` over one group, in dtype `out` (floats: before rounding).
double reduce_ref(Op op, const std::vector<double>& g, mx::Dtype in, mx::Dtype out, int ddof) {
  const bool int_arith = !mx::is_floating_point(in);
  switch (op) {
    case Op::Sum:
      if (int_arith) {
        uint64_t s = 0;
        for (double v : g) s += static_cast<uint64_t>(static_cast<int64_t>(v));
        return wrap_to(s, out);
      } else {
        double s = 0;
        for (double v : g) s += v;
        return s;
      }
    case Op::Prod:
      if (int_arith) {
        uint64_t p = 1;  // modular: the low bits of the exact product
        for (double v : g) p *= static_cast<uint64_t>(static_cast<int64_t>(v));
        return wrap_to(p, out);
      } else {
        double p = 1;
        for (double v : g) p *= v;
        return p;
      }
    case Op::Max: {
      double m = -INFINITY;
      for (double v : g) {
        if (std::isnan(v)) return NAN;
        m = std::max(m, v);
      }
      return m;
    }
    case Op::Min: {
      double m = INFINITY;
      for (double v : g) {
        if (std::isnan(v)) return NAN;
        m = std::min(m, v);
      }
      return m;
    }
    case Op::All: {
      for (double v : g)
        if (v == 0) return 0;
      return 1;
    }
    case Op::Any: {
      for (double v : g)
        if (v != 0) return 1;
      return 0;
    }
    case Op::Mean: {
      double s = 0;
      for (double v : g) s += v;
      return s / static_cast<double>(g.size());
    }
    case Op::Var:
    case Op::Std: {
      double s = 0;
      for (double v : g) s += v;
      const double mu = s / static_cast<double>(g.size());
      double ss = 0;
      for (double v : g) ss += (v - mu) * (v - mu);
      const double n = static_cast<double>(g.size()) - ddof;
      if (n <= 0) return NAN;  // not finite (checked loosely)
      return op == Op::Var ? ss / n : std::sqrt(ss / n);
    }
    case Op::LogSumExp: {
      double m = -INFINITY;
      for (double v : g) {
        if (std::isnan(v)) return NAN;
        m = std::max(m, v);
      }
      if (std::isinf(m)) return m;
      double s = 0;
      for (double v : g) s += std::exp(v - m);
      return m + std::log(s);
    }
  }
  return NAN;
}

struct Tolerance {
  double rtol, atol;
};

Tolerance tolerance(Op op, mx::Dtype out) {
  const bool exact = op == Op::Sum || op == Op::Max || op == Op::Min || op == Op::All ||
                     op == Op::Any || !mx::is_floating_point(out);
  if (exact) return {0, 0};  // inputs are small halves: these are exact in every dtype
  if (out == mx::float64) return {1e-12, 1e-12};
  if (out == mx::float32) return {1e-5, 1e-5};
  if (out == mx::float16) return {4e-3, 2e-2};
  return {3e-2, 8e-2};  // bfloat16
}

void check_reduction(Op op, const mx::array& a, const std::vector<double>& x,
                     const std::vector<int>& axes_sorted, const std::vector<int>& axes_given,
                     bool keepdims, int ddof, const std::string& ctx) {
  const mx::Dtype in = a.dtype();
  const mx::Dtype out_dtype = expected_dtype(op, in);
  mx::array r = run(op, a, axes_given, keepdims, ddof);
  const std::string where = ctx + " " + op_name(op) + " axes " + to_string(axes_given) +
                            " keepdims " + (keepdims ? "1" : "0") + " ddof " +
                            std::to_string(ddof);
  ASSERT_EQ(r.dtype(), out_dtype) << where;
  Reference ref = group(x, a.shape(), axes_sorted, keepdims);
  ASSERT_EQ(r.shape(), ref.shape) << where;
  std::vector<double> got = to_doubles(r);
  ASSERT_EQ(got.size(), ref.groups.size()) << where;
  const Tolerance tol = tolerance(op, out_dtype);
  for (size_t i = 0; i < got.size(); ++i) {
    double want = reduce_ref(op, ref.groups[i], in, out_dtype, ddof);
    if ((op == Op::Var || op == Op::Std) && std::isnan(want)) {
      EXPECT_FALSE(std::isfinite(got[i])) << where << " at " << i;
      continue;
    }
    // The exact result stored in the output dtype (float16 products may overflow to inf).
    if (mx::is_floating_point(out_dtype) && std::isfinite(want)) want = round_to(want, out_dtype);
    EXPECT_TRUE(close(got[i], want, tol.rtol, tol.atol))
        << where << " at " << i << ": got " << got[i] << ", want " << want;
  }
}

/// Every subset of {0, ..., nd-1} (sorted).
std::vector<std::vector<int>> all_subsets(int nd) {
  std::vector<std::vector<int>> out;
  for (int mask = 0; mask < (1 << nd); ++mask) {
    std::vector<int> s;
    for (int d = 0; d < nd; ++d)
      if (mask & (1 << d)) s.push_back(d);
    out.push_back(s);
  }
  return out;
}

const std::vector<mx::Shape> kShapes = {{7}, {3, 4}, {2, 3, 4}};

class ReduceDtype : public ::testing::TestWithParam<mx::Dtype> {};

TEST_P(ReduceDtype, EveryOpEveryAxisSubset) {
  const mx::Dtype dt = GetParam();
  uint64_t seed = 1;
  for (const auto& shape : kShapes) {
    const int nd = static_cast<int>(shape.size());
    auto x = test_values(static_cast<size_t>(mx::shape_size(shape)), dt, seed++);
    mx::array a(x.begin(), shape, dt);
    std::ostringstream ctx;
    ctx << dt << " shape " << to_string(shape);
    for (const auto& axes : all_subsets(nd)) {
      // The same axes as given, as negative numbers in reverse order, and both mixed.
      std::vector<int> neg;
      for (auto it = axes.rbegin(); it != axes.rend(); ++it) neg.push_back(*it - nd);
      std::vector<int> mixed = axes;
      if (!mixed.empty()) mixed.back() -= nd;
      for (const auto& given : {axes, neg, mixed}) {
        for (bool keepdims : {false, true}) {
          for (Op op : kAllOps) {
            check_reduction(op, a, x, axes, given, keepdims, 0, ctx.str());
          }
          check_reduction(Op::Var, a, x, axes, given, keepdims, 1, ctx.str());
          check_reduction(Op::Std, a, x, axes, given, keepdims, 1, ctx.str());
        }
      }
    }
  }
}

TEST_P(ReduceDtype, ArgmaxArgminFirstIndexOnTies) {
  const mx::Dtype dt = GetParam();
  uint64_t seed = 100;
  for (const auto& shape : kShapes) {
    const int nd = static_cast<int>(shape.size());
    auto x = test_values(static_cast<size_t>(mx::shape_size(shape)), dt, seed++);
    mx::array a(x.begin(), shape, dt);
    for (int axis = -nd; axis < nd; ++axis) {
      const int ax = axis < 0 ? axis + nd : axis;
      for (bool keepdims : {false, true}) {
        for (bool is_max : {true, false}) {
          mx::array r = is_max ? mx::argmax(a, axis, keepdims) : mx::argmin(a, axis, keepdims);
          Reference ref = group(x, shape, {ax}, keepdims);
          ASSERT_EQ(r.dtype(), mx::uint32);
          ASSERT_EQ(r.shape(), ref.shape);
          auto got = to_doubles(r);
          for (size_t i = 0; i < got.size(); ++i) {
            const auto& g = ref.groups[i];
            size_t best = 0;
            for (size_t j = 1; j < g.size(); ++j)
              if (is_max ? g[j] > g[best] : g[j] < g[best]) best = j;
            EXPECT_EQ(got[i], static_cast<double>(best))
                << dt << " shape " << to_string(shape) << (is_max ? " argmax" : " argmin") << " axis "
                << axis << " at " << i;
          }
        }
      }
    }
    // Over the flattened array.
    for (bool keepdims : {false, true}) {
      mx::array r = mx::argmax(a, keepdims);
      mx::array s = mx::argmin(a, keepdims);
      EXPECT_EQ(r.shape(), keepdims ? mx::Shape(shape.size(), 1) : mx::Shape{});
      EXPECT_EQ(r.item<double>(),
                static_cast<double>(std::max_element(x.begin(), x.end()) - x.begin()));
      EXPECT_EQ(s.item<double>(),
                static_cast<double>(std::min_element(x.begin(), x.end()) - x.begin()));
    }
  }
}

std::string dtype_param_name(const ::testing::TestParamInfo<mx::Dtype>& info) {
  return mx::dtype_to_string(info.param);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, ReduceDtype,
                         ::testing::Values(mx::float32, mx::float16, mx::bfloat16, mx::int32,
                                           mx::int8, mx::bool_, mx::float64, mx::uint8,
                                           mx::int64),
                         dtype_param_name);

// ---- overloads, dtypes and small cases -----------------------------------------------

TEST(Reduce, Overloads) {
  mx::array a({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(mx::sum(a).item<int>(), 21);
  EXPECT_EQ(mx::sum(a).shape(), mx::Shape{});
  EXPECT_EQ(mx::sum(a, true).shape(), mx::Shape({1, 1}));
  EXPECT_EQ(mx::sum(a, 1).shape(), mx::Shape({2}));
  EXPECT_EQ(to_doubles(mx::sum(a, 1)), (std::vector<double>{6, 15}));
  EXPECT_EQ(mx::sum(a, -2, true).shape(), mx::Shape({1, 3}));
  EXPECT_EQ(to_doubles(mx::prod(a, 0)), (std::vector<double>{4, 10, 18}));
  EXPECT_EQ(mx::max(a).item<int>(), 6);
  EXPECT_EQ(mx::min(a, 1).shape(), mx::Shape({2}));
  EXPECT_FLOAT_EQ(mx::mean(a).item<float>(), 3.5f);
  EXPECT_EQ(mx::mean(a, 0, true).shape(), mx::Shape({1, 3}));
  EXPECT_FLOAT_EQ(mx::var(a).item<float>(), 35.0f / 12.0f);
  EXPECT_FLOAT_EQ(mx::var(a, true, 1).item<float>(), 3.5f);
  EXPECT_FLOAT_EQ(mx::std(a).item<float>(), std::sqrt(35.0f / 12.0f));
  EXPECT_EQ(to_doubles(mx::var(a, 1, false, 1)), (std::vector<double>{1, 1}));
  EXPECT_NEAR(mx::logsumexp(a).item<float>(), std::log(std::exp(1.0) + std::exp(2.0) +
                                                       std::exp(3.0) + std::exp(4.0) +
                                                       std::exp(5.0) + std::exp(6.0)),
              1e-5);
  EXPECT_EQ(mx::logsumexp(a, 1, true).shape(), mx::Shape({2, 1}));
  EXPECT_TRUE(mx::all(a).item<bool>());
  EXPECT_TRUE(mx::any(a, 0).shape() == mx::Shape({3}));
  EXPECT_EQ(mx::argmax(a).item<int>(), 5);
  EXPECT_EQ(mx::argmin(a).item<int>(), 0);
}

TEST(Reduce, ZeroDimensional) {
  mx::array s(5);
  EXPECT_EQ(mx::sum(s).item<int>(), 5);
  EXPECT_EQ(mx::sum(s).ndim(), 0u);
  EXPECT_EQ(mx::sum(s, std::vector<int>{}).item<int>(), 5);
  EXPECT_EQ(mx::max(mx::array(2.5f)).item<float>(), 2.5f);
  EXPECT_EQ(mx::argmax(mx::array(3)).item<int>(), 0);
  EXPECT_FLOAT_EQ(mx::mean(s).item<float>(), 5.0f);
  EXPECT_FLOAT_EQ(mx::var(s).item<float>(), 0.0f);
}

TEST(Reduce, EmptyArrays) {
  mx::array e = mx::zeros({0});
  EXPECT_EQ(mx::sum(e).item<float>(), 0.0f);
  EXPECT_EQ(mx::prod(e).item<float>(), 1.0f);
  EXPECT_TRUE(mx::all(e).item<bool>());
  EXPECT_FALSE(mx::any(e).item<bool>());
  EXPECT_TRUE(std::isnan(mx::mean(e).item<float>()));
  mx::array e2 = mx::zeros({2, 0}, mx::int32);
  mx::array s = mx::sum(e2, 1);
  EXPECT_EQ(s.shape(), mx::Shape({2}));
  EXPECT_EQ(to_doubles(s), (std::vector<double>{0, 0}));
  mx::array p = mx::prod(e2, 1, true);
  EXPECT_EQ(p.shape(), mx::Shape({2, 1}));
  EXPECT_EQ(to_doubles(p), (std::vector<double>{1, 1}));
  mx::array s0 = mx::sum(e2, 0);
  EXPECT_EQ(s0.shape(), mx::Shape({0}));
  EXPECT_NO_THROW(s0.eval());
}

TEST(Reduce, Int8SumAndProdWrap) {
  std::vector<int8_t> v(100, 100);
  mx::array a(v.begin(), {100});
  mx::array s = mx::sum(a);
  EXPECT_EQ(s.dtype(), mx::int8);
  EXPECT_EQ(s.item<int>(), static_cast<int8_t>(10000));  // 10000 mod 256 = 16
  mx::array b({int8_t{16}, int8_t{16}, int8_t{3}});
  EXPECT_EQ(mx::prod(b).item<int>(), static_cast<int8_t>(16 * 16 * 3));  // 768 -> 0
  mx::array u({uint8_t{200}, uint8_t{100}});
  EXPECT_EQ(mx::sum(u).item<int>(), 44);  // 300 mod 256
}

// Regression (fixed): integer products accumulate in int64 (backend/cpu/reduce.hpp:45, Op<Prod>::apply via
// dispatch_compute), so the product of a few int8/int16/int32 elements overflows int64:
// signed overflow, undefined behaviour (UBSan: "signed integer overflow ... cannot be
// represented in type 'long int'"). The wrapped value happens to be right on x86; this test
// fails only under -fsanitize=undefined with -fno-sanitize-recover / halt_on_error.
TEST(Reduce, Int8ProductOverflowWraps) {
  std::vector<int8_t> v(10, 100);
  mx::array a(v.begin(), {10});
  uint64_t p = 1;
  for (int i = 0; i < 10; ++i) p *= 100;  // 10^20 mod 2^64
  EXPECT_EQ(mx::prod(a).item<int>(), static_cast<int8_t>(p));
}

TEST(Reduce, BoolSumIsInt32Count) {
  std::vector<uint8_t> bits;
  for (int i = 0; i < 1000; ++i) bits.push_back(i % 3 == 0);
  mx::array b(bits.begin(), {1000}, mx::bool_);
  mx::array s = mx::sum(b);
  EXPECT_EQ(s.dtype(), mx::int32);
  EXPECT_EQ(s.item<int>(), 334);
  EXPECT_EQ(mx::prod(b).dtype(), mx::int32);
  EXPECT_EQ(mx::prod(b).item<int>(), 0);
  EXPECT_EQ(mx::max(b).dtype(), mx::bool_);
  EXPECT_TRUE(mx::max(b).item<bool>());
  EXPECT_FALSE(mx::min(b).item<bool>());
}

TEST(Reduce, NonFiniteVarianceWhenDdofTooLarge) {
  mx::array a({1.0f, 2.0f, 4.0f});
  EXPECT_FALSE(std::isfinite(mx::var(a, false, 3).item<float>()));
  EXPECT_FALSE(std::isfinite(mx::std(a, false, 5).item<float>()));
}

// ---- NaN and infinities --------------------------------------------------------------

TEST(ReduceNaN, MaxMinPropagateNaNSmall) {
  mx::array a({1.0f, NAN, 3.0f});
  EXPECT_TRUE(std::isnan(mx::max(a).item<float>()));
  EXPECT_TRUE(std::isnan(mx::min(a).item<float>()));
  mx::array b({NAN, 1.0f});
  EXPECT_TRUE(std::isnan(mx::max(b).item<float>()));
  EXPECT_TRUE(std::isnan(mx::min(b).item<float>()));
  mx::array h({1.0f, NAN}, mx::float16);
  EXPECT_TRUE(std::isnan(mx::max(h).item<float>()));
  mx::array d({static_cast<double>(NAN), 1.0}, mx::float64);
  EXPECT_TRUE(std::isnan(mx::min(d).item<double>()));
}

// The vectorised loops (runs of at least 4 SIMD vectors, column reductions) must propagate
// NaN as well as the scalar ones.
// Regression: Op<Max/Min>::apply (backend/cpu/reduce.hpp) used to test NaN with `x != x`,
// which xsimd 8.1 compiles to an ordered compare on AVX2/AVX-512 (false for NaN lanes), so
// every SIMD max/min dropped the NaN and returned the largest number.
TEST(ReduceNaN, MaxMinPropagateNaNVectorised) {
  for (int n : {64, 100, 1000, 4097, 1 << 20}) {
    for (int pos : {0, n / 2, n - 1}) {
      std::vector<float> v(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) v[i] = static_cast<float>(i % 17);
      v[pos] = NAN;
      mx::array a(v.begin(), {n});
      EXPECT_TRUE(std::isnan(mx::max(a).item<float>())) << "max, n " << n << " NaN at " << pos;
      EXPECT_TRUE(std::isnan(mx::min(a).item<float>())) << "min, n " << n << " NaN at " << pos;
    }
  }
  for (mx::Dtype dt : {mx::float64, mx::float16, mx::bfloat16}) {
    std::vector<double> v(1000, 2.0);
    v[500] = NAN;
    mx::array a(v.begin(), {1000}, dt);
    EXPECT_TRUE(std::isnan(mx::max(a).item<double>())) << dt;
    EXPECT_TRUE(std::isnan(mx::min(a).item<double>())) << dt;
  }
}

// Regression (same cause): the row pass (reduce_run) and the column pass (accumulate_run)
// both lost the NaN.
TEST(ReduceNaN, MaxMinPropagateNaNAlongAxes) {
  const int rows = 300, cols = 70;
  std::vector<float> v(static_cast<size_t>(rows) * cols);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 11);
  v[5 * cols + 7] = NAN;  // row 5, column 7
  mx::array a(v.begin(), {rows, cols});
  auto m0 = to_doubles(mx::max(a, 0));  // column reduction
  auto m1 = to_doubles(mx::max(a, 1));  // row reduction
  auto n0 = to_doubles(mx::min(a, 0));
  auto n1 = to_doubles(mx::min(a, 1));
  for (int c = 0; c < cols; ++c) {
    EXPECT_EQ(std::isnan(m0[c]), c == 7) << "max axis 0, column " << c;
    EXPECT_EQ(std::isnan(n0[c]), c == 7) << "min axis 0, column " << c;
  }
  for (int r = 0; r < rows; ++r) {
    EXPECT_EQ(std::isnan(m1[r]), r == 5) << "max axis 1, row " << r;
    EXPECT_EQ(std::isnan(n1[r]), r == 5) << "min axis 1, row " << r;
  }
}

TEST(ReduceNaN, ArgmaxArgminPickFirstNaN) {
  mx::array a({1.0f, NAN, 3.0f, NAN});
  EXPECT_EQ(mx::argmax(a).item<int>(), 1);
  EXPECT_EQ(mx::argmin(a).item<int>(), 1);
  mx::array b({NAN, 5.0f});
  EXPECT_EQ(mx::argmax(b).item<int>(), 0);
  EXPECT_EQ(mx::argmin(b).item<int>(), 0);
  std::vector<float> v(1 << 16, 1.0f);
  v[5000] = NAN;
  v[7000] = 2.0f;
  mx::array c(v.begin(), {1 << 16});
  EXPECT_EQ(mx::argmax(c).item<int>(), 5000);
  EXPECT_EQ(mx::argmin(c).item<int>(), 5000);
  mx::array d({1.0f, 2.0f, NAN, 4.0f, 5.0f, 6.0f}, {2, 3});
  EXPECT_EQ(to_doubles(mx::argmax(d, 1)), (std::vector<double>{2, 2}));
  EXPECT_EQ(to_doubles(mx::argmax(d, 0)), (std::vector<double>{1, 1, 0}));
}

TEST(ReduceNaN, ArgmaxTies) {
  mx::array a({1, 3, 3, 2, 3});
  EXPECT_EQ(mx::argmax(a).item<int>(), 1);
  mx::array b({2.0f, 1.0f, 1.0f});
  EXPECT_EQ(mx::argmin(b).item<int>(), 1);
  mx::array c({5, 5, 5, 5}, {2, 2});
  EXPECT_EQ(to_doubles(mx::argmax(c, 0)), (std::vector<double>{0, 0}));
  EXPECT_EQ(to_doubles(mx::argmin(c, 1)), (std::vector<double>{0, 0}));
}

TEST(ReduceNaN, LogSumExpWithInfinities) {
  const double inf = INFINITY;
  struct Case {
    std::vector<float> x;
    double want;
  };
  const std::vector<Case> cases = {
      {{-INFINITY, -INFINITY}, -inf},
      {{INFINITY, 1.0f}, inf},
      {{INFINITY, INFINITY}, inf},
      {{INFINITY, -INFINITY}, inf},
      {{-INFINITY, 0.0f}, 0.0},
      {{-INFINITY, 1.0f, 2.0f}, std::log(std::exp(1.0) + std::exp(2.0))},
      {{1000.0f, 1000.0f}, 1000.0 + std::log(2.0)},  // no overflow
      {{-1000.0f, -1000.0f}, -1000.0 + std::log(2.0)},  // no underflow
      {{NAN, 1.0f}, NAN},
  };
  for (const auto& c : cases) {
    mx::array a(c.x.begin(), {static_cast<int>(c.x.size())});
    double got = mx::logsumexp(a).item<double>();
    EXPECT_TRUE(close(got, c.want, 1e-6, 1e-6))
        << "logsumexp(" << a << ") = " << got << ", want " << c.want;
  }
  mx::array m({-INFINITY, -INFINITY, 0.0f, 0.0f, INFINITY, 3.0f}, {3, 2});
  auto r = to_doubles(mx::logsumexp(m, 1));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], -inf);
  EXPECT_NEAR(r[1], std::log(2.0), 1e-6);
  EXPECT_EQ(r[2], inf);
  auto k = mx::logsumexp(m, 1, true);
  EXPECT_EQ(k.shape(), mx::Shape({3, 1}));
  EXPECT_EQ(to_doubles(k)[0], -inf);
}

// ---- large sizes (the threaded paths) ------------------------------------------------

std::vector<float> uniform_floats(size_t n, uint64_t seed) {
  Lcg g(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(g.uniform());
  return v;
}

TEST(ReduceLarge, AllReduce) {
  const int n = 1 << 22;
  auto v = uniform_floats(n, 7);
  mx::array a(v.begin(), {n});
  double ref = 0, mx_ = -1, mn = 2;
  size_t imax = 0, imin = 0;
  for (int i = 0; i < n; ++i) {
    ref += v[i];
    if (v[i] > mx_) mx_ = v[i], imax = i;
    if (v[i] < mn) mn = v[i], imin = i;
  }
  EXPECT_NEAR(mx::sum(a).item<double>(), ref, 1e-5 * ref);
  EXPECT_NEAR(mx::mean(a).item<double>(), ref / n, 1e-5 * ref / n);
  EXPECT_EQ(mx::max(a).item<double>(), mx_);
  EXPECT_EQ(mx::min(a).item<double>(), mn);
  EXPECT_EQ(mx::argmax(a).item<double>(), static_cast<double>(imax));
  EXPECT_EQ(mx::argmin(a).item<double>(), static_cast<double>(imin));
  double mu = ref / n, ss = 0;
  for (int i = 0; i < n; ++i) ss += (v[i] - mu) * (v[i] - mu);
  EXPECT_NEAR(mx::var(a).item<double>(), ss / n, 1e-4 * ss / n);

  std::vector<int32_t> iv(n);
  int64_t isum = 0;
  for (int i = 0; i < n; ++i) isum += iv[i] = (i * 7) % 10;
  mx::array b(iv.begin(), {n});
  EXPECT_EQ(mx::sum(b).item<int64_t>(), isum);
  EXPECT_EQ(mx::max(b).item<int>(), 9);
  EXPECT_TRUE(mx::any(b).item<bool>());
  EXPECT_FALSE(mx::all(b).item<bool>());
}

TEST(ReduceLarge, Matrix2048AlongEachAxis) {
  const int n = 2048;
  auto v = uniform_floats(static_cast<size_t>(n) * n, 11);
  mx::array a(v.begin(), {n, n});
  std::vector<double> rows(n, 0), cols(n, 0), rmax(n, -1), cmax(n, -1);
  std::vector<int> rarg(n, 0), carg(n, 0);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      double x = v[static_cast<size_t>(r) * n + c];
      rows[r] += x;
      cols[c] += x;
      if (x > rmax[r]) rmax[r] = x, rarg[r] = c;
      if (x > cmax[c]) cmax[c] = x, carg[c] = r;
    }
  auto s0 = to_doubles(mx::sum(a, 0));
  auto s1 = to_doubles(mx::sum(a, 1));
  auto s1k = mx::sum(a, 1, true);
  EXPECT_EQ(s1k.shape(), mx::Shape({n, 1}));
  auto m0 = to_doubles(mx::max(a, 0));
  auto m1 = to_doubles(mx::max(a, -1));
  auto a0 = to_doubles(mx::argmax(a, 0));
  auto a1 = to_doubles(mx::argmax(a, 1));
  auto mean0 = to_doubles(mx::mean(a, 0));
  for (int i = 0; i < n; ++i) {
    ASSERT_NEAR(s0[i], cols[i], 1e-5 * cols[i]) << "sum axis 0, column " << i;
    ASSERT_NEAR(s1[i], rows[i], 1e-5 * rows[i]) << "sum axis 1, row " << i;
    ASSERT_EQ(m0[i], cmax[i]) << i;
    ASSERT_EQ(m1[i], rmax[i]) << i;
    ASSERT_EQ(a0[i], carg[i]) << i;
    ASSERT_EQ(a1[i], rarg[i]) << i;
    ASSERT_NEAR(mean0[i], cols[i] / n, 1e-5 * cols[i] / n) << i;
  }
  double total = 0;
  for (double r : rows) total += r;
  EXPECT_NEAR(mx::sum(a).item<double>(), total, 1e-5 * total);
  EXPECT_NEAR(mx::sum(a, {1, 0}).item<double>(), total, 1e-5 * total);
}

TEST(ReduceLarge, NonAdjacentAxesOfA3dArray) {
  const int d0 = 64, d1 = 48, d2 = 300;
  auto v = uniform_floats(static_cast<size_t>(d0) * d1 * d2, 13);
  mx::array a(v.begin(), {d0, d1, d2});
  std::vector<double> ref(d1, 0), refmax(d1, -1);
  for (int i = 0; i < d0; ++i)
    for (int j = 0; j < d1; ++j)
      for (int k = 0; k < d2; ++k) {
        double x = v[(static_cast<size_t>(i) * d1 + j) * d2 + k];
        ref[j] += x;
        refmax[j] = std::max(refmax[j], x);
      }
  auto s = to_doubles(mx::sum(a, {0, 2}));
  auto sk = mx::sum(a, {2, -3}, true);
  EXPECT_EQ(sk.shape(), mx::Shape({1, d1, 1}));
  auto skv = to_doubles(sk);
  auto m = to_doubles(mx::max(a, {0, 2}));
  for (int j = 0; j < d1; ++j) {
    EXPECT_NEAR(s[j], ref[j], 1e-5 * ref[j]) << j;
    EXPECT_NEAR(skv[j], ref[j], 1e-5 * ref[j]) << j;
    EXPECT_EQ(m[j], refmax[j]) << j;
  }
}

// ---- reductions of expressions -------------------------------------------------------

TEST(ReduceExpr, SumOfProduct) {
  mx::array a({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f},
              {3, 4});
  mx::array b({0.5f, -1.0f, 2.0f, 0.0f, 1.0f, 1.0f, -2.0f, 3.0f, 0.25f, 4.0f, 1.0f, -1.0f},
              {3, 4});
  auto av = to_doubles(a), bv = to_doubles(b);
  std::vector<double> r1(3, 0), r0(4, 0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      r1[i] += av[i * 4 + j] * bv[i * 4 + j];
      r0[j] += av[i * 4 + j] * bv[i * 4 + j];
    }
  EXPECT_EQ(to_doubles(mx::sum(a * b, 1)), r1);
  EXPECT_EQ(to_doubles(mx::sum(a * b, 0)), r0);
  EXPECT_EQ(mx::sum(a * b, 1, true).shape(), mx::Shape({3, 1}));
  EXPECT_EQ(mx::sum(a * b).item<double>(), r1[0] + r1[1] + r1[2]);
  // Other reductions of an expression.
  EXPECT_EQ(mx::max(a - b).item<float>(), 12.0f - -1.0f);
  EXPECT_EQ(to_doubles(mx::argmax(a * b, 1)), (std::vector<double>{2, 3, 1}));
  EXPECT_NEAR(to_doubles(mx::mean(a * b, 0))[0], r0[0] / 3, 1e-6);
  EXPECT_NEAR(mx::logsumexp(a * 0.0f).item<float>(), std::log(12.0f), 1e-6);
  EXPECT_TRUE(mx::all(a > 0.0f).item<bool>());
  EXPECT_FALSE(mx::any(a > 100.0f).item<bool>());
  EXPECT_EQ(mx::sum(a > 6.0f).item<int>(), 6);
}

TEST(ReduceExpr, BroadcastExpression) {
  mx::array col({1.0f, 2.0f, 3.0f}, {3, 1});
  mx::array row({10.0f, 20.0f, 30.0f, 40.0f}, {1, 4});
  // sum over i, j of col[i] * row[j] = 6 * 100
  EXPECT_EQ(mx::sum(col * row).item<float>(), 600.0f);
  EXPECT_EQ(to_doubles(mx::sum(col * row, 0)), (std::vector<double>{60, 120, 180, 240}));
  EXPECT_EQ(to_doubles(mx::sum(col * row, 1)), (std::vector<double>{100, 200, 300}));
  EXPECT_EQ(to_doubles(mx::max(col + row, 1)), (std::vector<double>{41, 42, 43}));
}

TEST(ReduceExpr, LargeSumOfProductAlongEachAxis) {
  const int n = 2048;
  auto av = uniform_floats(static_cast<size_t>(n) * n, 21);
  auto bv = uniform_floats(static_cast<size_t>(n) * n, 22);
  mx::array a(av.begin(), {n, n}), b(bv.begin(), {n, n});
  std::vector<double> r0(n, 0), r1(n, 0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double p = static_cast<double>(av[static_cast<size_t>(i) * n + j]) *
                 bv[static_cast<size_t>(i) * n + j];
      r1[i] += p;
      r0[j] += p;
    }
  auto s1 = to_doubles(mx::sum(a * b, 1));
  auto s0 = to_doubles(mx::sum(a * b, 0));
  for (int i = 0; i < n; ++i) {
    ASSERT_NEAR(s1[i], r1[i], 1e-5 * r1[i]) << i;
    ASSERT_NEAR(s0[i], r0[i], 1e-5 * r0[i]) << i;
  }
}

TEST(ReduceExpr, IntegerAndMixedExpressions) {
  mx::array a({1, 2, 3, 4}, {2, 2});
  mx::array b({5, 6, 7, 8}, {2, 2});
  mx::array s = mx::sum(a * b, 1);
  EXPECT_EQ(s.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(s), (std::vector<double>{17, 53}));
  mx::array m = mx::mean(a * b, 0);
  EXPECT_EQ(m.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(m), (std::vector<double>{13, 22}));
  mx::array f = mx::sum(mx::exp(a - a) * 2.0f);  // int subtree under a float op
  EXPECT_EQ(f.dtype(), mx::float32);
  EXPECT_EQ(f.item<float>(), 8.0f);
}

// ---- errors --------------------------------------------------------------------------

TEST(ReduceErrors, InvalidAndDuplicateAxes) {
  mx::array a = mx::ones({2, 3});
  EXPECT_INVALID(mx::sum(a, 2), "[sum] Invalid axis");
  EXPECT_INVALID(mx::sum(a, -3), "[sum] Invalid axis");
  EXPECT_INVALID(mx::sum(a, {0, 5}), "[sum] Invalid axis");
  EXPECT_INVALID(mx::prod(a, 2), "[prod] Invalid axis");
  EXPECT_INVALID(mx::max(a, 2), "[max] Invalid axis");
  EXPECT_INVALID(mx::min(a, -3), "[min] Invalid axis");
  EXPECT_INVALID(mx::all(a, 2), "[all] Invalid axis");
  EXPECT_INVALID(mx::any(a, 2), "[any] Invalid axis");
  EXPECT_INVALID(mx::mean(a, 2), "[mean] Invalid axis");
  EXPECT_INVALID(mx::var(a, 2), "[var] Invalid axis");
  EXPECT_INVALID(mx::logsumexp(a, 2), "[logsumexp] Invalid axis");
  EXPECT_INVALID(mx::argmax(a, 2), "[argmax] Invalid axis");
  EXPECT_INVALID(mx::argmin(a, -3), "[argmin] Invalid axis");
  EXPECT_INVALID(mx::sum(mx::array(1.0f), 0), "[sum] Invalid axis");

  EXPECT_INVALID(mx::sum(a, {0, 0}), "[sum] Received duplicate axis");
  EXPECT_INVALID(mx::sum(a, {1, -1}), "[sum] Received duplicate axis");
  EXPECT_INVALID(mx::max(a, {0, -2}), "[max] Received duplicate axis");
  EXPECT_INVALID(mx::mean(a, {1, 1}), "duplicate");
}

// Regression: std() forwarded to var() unchecked, so std(a, 2) threw "[var] Invalid axis"
// instead of naming the op the user called (STYLE rules 23, 25).
TEST(ReduceErrors, StdNamesItself) {
  mx::array a = mx::ones({2, 3});
  EXPECT_INVALID(mx::std(a, 2), "[std] Invalid axis");
  EXPECT_INVALID(mx::std(a, {0, 0}), "[std] Received duplicate axis");
}

TEST(ReduceErrors, EmptyArrays) {
  mx::array e = mx::zeros({0});
  EXPECT_INVALID(mx::max(e), "[max]");
  EXPECT_INVALID(mx::min(e), "[min]");
  EXPECT_INVALID(mx::argmax(e), "[argmax]");
  EXPECT_INVALID(mx::argmin(e), "[argmin]");
  EXPECT_INVALID(mx::max(mx::zeros({0, 3}), 0), "[max]");
}

TEST(ReduceErrors, ComplexOrdering) {
  mx::array c({mx::complex64_t(1, 2), mx::complex64_t(3, 4)});
  EXPECT_INVALID(mx::argmax(c), "[argmax]");
  EXPECT_INVALID(mx::argmin(c, 0), "[argmin]");
  EXPECT_INVALID(mx::max(c), "[max]");
  EXPECT_INVALID(mx::min(c), "[min]");
  // Sums and products of complex arrays are fine.
  mx::array s = mx::sum(c);
  EXPECT_EQ(s.dtype(), mx::complex64);
  s.eval();
  EXPECT_EQ(s.data<mx::complex64_t>()[0], mx::complex64_t(4, 6));
  mx::array p = mx::prod(c);
  p.eval();
  EXPECT_EQ(p.data<mx::complex64_t>()[0], mx::complex64_t(1, 2) * mx::complex64_t(3, 4));
}

}  // namespace

TEST(Counting, CountNonzeroNumberOfElementsVecdot) {
  auto a = mx::array({0, 3, 0, 1, 2, 0}, {2, 3});
  EXPECT_EQ(mx::count_nonzero(a).item<int>(), 3);
  EXPECT_EQ(to_doubles(mx::count_nonzero(a, 0)), (std::vector<double>{1, 2, 0}));
  EXPECT_EQ(mx::count_nonzero(a, 1, true).shape(), (mx::Shape{2, 1}));
  EXPECT_EQ(mx::count_nonzero(mx::array({NAN, 0.f, -0.f})).item<int>(), 1);
  EXPECT_EQ(mx::number_of_elements(mx::zeros({2, 3, 4}), {0, 2}, false).item<int>(), 8);
  EXPECT_EQ(mx::number_of_elements(mx::zeros({2, 3, 4}), {0, 2}, true).item<int>(), 3);
  EXPECT_EQ(mx::number_of_elements(mx::zeros({2, 3}), {}, true, mx::float32).dtype(), mx::float32);
  auto x = mx::array({1.f, 2.f, 3.f, 4.f}, {2, 2});
  EXPECT_EQ(to_doubles(mx::vecdot(x, x)), (std::vector<double>{5, 25}));
  EXPECT_EQ(to_doubles(mx::vecdot(x, mx::array({1.f, 1.f}), 0)), (std::vector<double>{4, 6}));
  EXPECT_NE(mlxtest::invalid_argument_message([&] { mx::vecdot(x, x, 2); }).find("[vecdot] Invalid axis 2"),
            std::string::npos);
}
