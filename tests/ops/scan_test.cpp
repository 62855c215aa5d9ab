// SPDX-License-Identifier: MIT
// Tests for ops/scan.hpp: cumsum, cumprod, cummax, cummin and logcumsumexp against NumPy
// values (np.cumsum, np.cumprod, np.maximum/np.logaddexp.accumulate, written as literals)
// and against a sequential reference loop for every axis, direction and inclusiveness;
// output dtypes (bool sums to int32, int8 wraps, float16 accumulates in float), NaN,
// long rows (the vectorised sum), non-contiguous inputs, empty and 0-d arrays, errors.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"
#include "mlx/ops/scan.hpp"

namespace mx = mlx::core;

namespace {

using mlxtest::invalid_argument_message;
using mlxtest::to_doubles;

std::vector<double> D(std::initializer_list<double> v) { return v; }

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double rtol,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      ASSERT_TRUE(std::isnan(got[i])) << what << " at " << i;
    } else if (std::isinf(want[i])) {
      ASSERT_EQ(got[i], want[i]) << what << " at " << i;
    } else {
      ASSERT_NEAR(got[i], want[i], rtol * (1 + std::abs(want[i]))) << what << " at " << i;
    }
  }
}

using ScanFn = mx::array (*)(const mx::array&, int, bool, bool, mx::StreamOrDevice);

struct Case {
  const char* name;
  ScanFn fn;
  double (*op)(double, double);
  double init;
};

double op_sum(double a, double b) { return a + b; }
double op_prod(double a, double b) { return a * b; }
double op_max(double a, double b) { return std::isnan(a) || a >= b ? a : b; }
double op_min(double a, double b) { return std::isnan(a) || a <= b ? a : b; }
double op_lae(double a, double b) {
  double hi = std::max(a, b), lo = std::min(a, b);
  if (lo == -INFINITY) return hi;
  return hi + std::log1p(std::exp(lo - hi));
}

const Case cases[] = {
    {"cumsum", mx::cumsum, op_sum, 0},
    {"cumprod", mx::cumprod, op_prod, 1},
    {"cummax", mx::cummax, op_max, -INFINITY},
    {"cummin", mx::cummin, op_min, INFINITY},
    {"logcumsumexp", mx::logcumsumexp, op_lae, -INFINITY},
};

/// The sequential reference of a scan along `axis` of row-major v with `shape`.
std::vector<double> ref_scan(const std::vector<double>& v, const mx::Shape& shape, int axis,
                             bool reverse, bool inclusive, const Case& c,
                             mx::Dtype dt = mx::float64) {
  // Integer max/min start from the dtype's range instead of infinities.
  double init = c.init;
  if (mx::issubdtype(dt, mx::integer) && std::isinf(init))
    init = init < 0 ? static_cast<double>(mx::iinfo(dt).min) : static_cast<double>(mx::iinfo(dt).max);
  int64_t outer = 1, inner = 1, n = shape[axis];
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (int d = axis + 1; d < static_cast<int>(shape.size()); ++d) inner *= shape[d];
  std::vector<double> out(v.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double acc = init;
      for (int64_t jj = 0; jj < n; ++jj) {
        int64_t j = reverse ? n - 1 - jj : jj;
        size_t at = static_cast<size_t>((o * n + j) * inner + i);
        if (inclusive) acc = c.op(acc, v[at]), out[at] = acc;
        else out[at] = acc, acc = c.op(acc, v[at]);
      }
    }
  return out;
}

// ---- known values (NumPy) -----------------------------------------------------------

TEST(Scan, KnownValuesFloat32) {
  mx::array x({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  EXPECT_EQ(to_doubles(mx::cumsum(x, 0)), D({1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(to_doubles(mx::cumsum(x, 1)), D({1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(to_doubles(mx::cumsum(x, -1)), D({1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(to_doubles(mx::cumsum(x)), D({1, 3, 6, 10, 15, 21}));
  EXPECT_EQ(mx::cumsum(x).shape(), mx::Shape({6}));
  EXPECT_EQ(to_doubles(mx::cumprod(x, 1)), D({1, 2, 6, 4, 20, 120}));
  EXPECT_EQ(to_doubles(mx::cumsum(x, 1, /*reverse=*/true)), D({6, 5, 3, 15, 11, 6}));
  EXPECT_EQ(to_doubles(mx::cumsum(x, 1, false, /*inclusive=*/false)), D({0, 1, 3, 0, 4, 9}));
  EXPECT_EQ(to_doubles(mx::cumsum(x, 1, true, false)), D({5, 3, 0, 11, 6, 0}));
  EXPECT_EQ(to_doubles(mx::cumprod(x, 0, false, false)), D({1, 1, 1, 1, 2, 3}));
  EXPECT_EQ(to_doubles(mx::cummax(x, 0, true)), D({4, 5, 6, 4, 5, 6}));
  EXPECT_EQ(to_doubles(mx::cummin(x, 1, true)), D({1, 2, 3, 4, 5, 6}));
  // np.logaddexp.accumulate(x, axis=1)
  expect_near(to_doubles(mx::logcumsumexp(x, 1)),
              D({1.0, 2.3132617473602295, 3.4076061248779297, 4.0, 5.31326150894165,
                 6.40760612487793}),
              1e-6, "logcumsumexp");
  expect_near(to_doubles(mx::logcumsumexp(mx::zeros({4}))),
              D({0.0, 0.6931471824645996, 1.0986123085021973, 1.3862943649291992}), 1e-6,
              "logcumsumexp zeros");
  // Exclusive scans start from the identity.
  EXPECT_EQ(to_doubles(mx::cummax(x, 1, false, false))[0], -INFINITY);
  EXPECT_EQ(to_doubles(mx::cummin(x, 1, false, false))[0], INFINITY);
  EXPECT_EQ(to_doubles(mx::logcumsumexp(x, 1, false, false))[0], -INFINITY);
}

TEST(Scan, DtypesOfResults) {
  mx::array b({true, true, false, true});
  mx::array s = mx::cumsum(b);
  EXPECT_EQ(s.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(s), D({1, 2, 2, 3}));
  EXPECT_EQ(mx::cumprod(b).dtype(), mx::bool_);
  EXPECT_EQ(to_doubles(mx::cumprod(b)), D({1, 1, 0, 0}));
  EXPECT_EQ(to_doubles(mx::cummax(mx::array({false, true, false}))), D({0, 1, 1}));
  EXPECT_EQ(to_doubles(mx::cummin(mx::array({true, false, true}))), D({1, 0, 0}));

  // int8 keeps its dtype and wraps, as in MLX: 100 + 100 = -56.
  mx::array i8({100, 100, 100}, {3}, mx::int8);
  EXPECT_EQ(mx::cumsum(i8).dtype(), mx::int8);
  EXPECT_EQ(to_doubles(mx::cumsum(i8)), D({100, -56, 44}));
  EXPECT_EQ(to_doubles(mx::cumprod(mx::array({16, 16, 2}, {3}, mx::int8))), D({16, 0, 0}));
  mx::array u8({200, 100}, {2}, mx::uint8);
  EXPECT_EQ(to_doubles(mx::cumsum(u8)), D({200, 44}));
  EXPECT_EQ(to_doubles(mx::cummax(mx::array({-5, 3, -9, 7}, {4}, mx::int64))), D({-5, 3, 3, 7}));
  EXPECT_EQ(to_doubles(mx::cummin(mx::array({5u, 3u, 9u, 1u}), 0)), D({5, 3, 3, 1}));
  EXPECT_EQ(to_doubles(mx::cummax(mx::array({1, 2}, {2}, mx::uint32), 0, false, false)),
            D({0, 1}));  // identity of an unsigned max is 0

  // float16 accumulates in float: a cumsum of 4096 ones reaches 4096 (in float16 it
  // would stop at 2048, where the spacing becomes 2).
  mx::array h = mx::ones({4096}, mx::float16);
  mx::array hs = mx::cumsum(h);
  EXPECT_EQ(hs.dtype(), mx::float16);
  EXPECT_EQ(to_doubles(hs).back(), 4096.0);
  EXPECT_EQ(to_doubles(mx::cumsum(mx::ones({4096}, mx::bfloat16))).back(), 4096.0);
  mx::array d({1e308, 1e308, -1e308}, {3}, mx::float64);
  EXPECT_EQ(to_doubles(mx::cumprod(mx::array({1e200, 1e-200, 3.0}, {3}, mx::float64))).back(), 3.0);
  EXPECT_EQ(to_doubles(mx::cumsum(d))[1], INFINITY);

  using c = mx::complex64_t;
  mx::array z({c(1, 1), c(2, -1), c(0, 3)});
  mx::array zs = mx::cumsum(z);
  EXPECT_EQ(zs.dtype(), mx::complex64);
  zs.eval();
  EXPECT_EQ(zs.data<c>()[2], c(3, 3));
  mx::array zp = mx::cumprod(z);
  zp.eval();
  EXPECT_EQ(zp.data<c>()[1], c(1, 1) * c(2, -1));

  // logcumsumexp keeps the dtype, as MLX (integers: each step truncated to the dtype).
  EXPECT_EQ(mx::logcumsumexp(mx::ones({3}, mx::float16)).dtype(), mx::float16);
  EXPECT_EQ(to_doubles(mx::logcumsumexp(mx::array({1, 2, 3}))), D({1, 2, 3}));
}

TEST(Scan, NaNPropagatesThroughMaxAndMin) {
  mx::array f({1.0f, NAN, 3.0f, 0.5f});
  std::vector<double> m = to_doubles(mx::cummax(f));  // np.maximum.accumulate
  EXPECT_EQ(m[0], 1.0);
  for (int i = 1; i < 4; ++i) EXPECT_TRUE(std::isnan(m[i])) << i;
  std::vector<double> n = to_doubles(mx::cummin(f, 0, true));
  EXPECT_TRUE(std::isnan(n[0]) && std::isnan(n[1]));
  EXPECT_EQ(n[2], 0.5);
  EXPECT_EQ(n[3], 0.5);
  EXPECT_TRUE(std::isnan(to_doubles(mx::cumsum(f))[3]));
  std::vector<double> l = to_doubles(mx::logcumsumexp(mx::array({0.0f, INFINITY, 1.0f})));
  EXPECT_EQ(l[1], INFINITY);
  EXPECT_EQ(l[2], INFINITY);
  EXPECT_TRUE(std::isnan(to_doubles(mx::logcumsumexp(f))[2]));
}

// ---- every op, axis, direction and inclusiveness against the reference ---------------

TEST(Scan, EveryOpAxisAndDirection) {
  const mx::Shape shape = {3, 4, 5};
  std::vector<double> v(60);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.5 + static_cast<double>((i * 37) % 11) / 8.0;
  for (mx::Dtype dt : {mx::float32, mx::float64, mx::float16, mx::int32}) {
    std::vector<double> vin = v;
    if (dt == mx::int32)
      for (auto& x : vin) x = std::floor(x * 2);
    mx::array a = mx::astype(mx::array(vin.begin(), shape, mx::float64), dt);
    for (const Case& c : cases) {
      if (dt == mx::int32 && c.op == op_lae) continue;  // truncating steps: tested above
      for (int ax = 0; ax < 3; ++ax)
        for (bool rev : {false, true})
          for (bool inc : {false, true}) {
            std::vector<double> want = ref_scan(vin, shape, ax, rev, inc, c, dt);
            double tol = dt == mx::float16 ? 2e-3 : dt == mx::float32 ? 1e-5 : 1e-12;
            std::string what = std::string(c.name) + " " + mx::dtype_to_string(dt) + " axis " +
                               std::to_string(ax) + (rev ? " rev" : "") + (inc ? "" : " excl");
            mx::array r = c.fn(a, ax, rev, inc, {});
            EXPECT_EQ(r.dtype(), dt) << what;
            expect_near(to_doubles(r), want, tol, what);
          }
    }
  }
}

// ---- long rows, many columns, layouts ------------------------------------------------

TEST(ScanLarge, VectorisedSumOfLongRows) {
  // Lengths around the 16-lane body (and its tail), forward and reverse, both kinds.
  for (int n : {15, 16, 17, 37, 1000003}) {
    std::vector<double> v(n);
    for (int i = 0; i < n; ++i) v[i] = static_cast<double>((int64_t{i} * 7919) % 13) - 6.0;  // exact
    for (mx::Dtype dt : {mx::float32, mx::float64, mx::int32}) {
      mx::array a = mx::astype(mx::array(v.begin(), {n}, mx::float64), dt);
      for (bool rev : {false, true})
        for (bool inc : {false, true}) {
          std::vector<double> want = ref_scan(v, {n}, 0, rev, inc, cases[0]);
          // Partial sums stay small integers: every order of additions is exact.
          ASSERT_EQ(to_doubles(mx::cumsum(a, 0, rev, inc)), want)
              << mx::dtype_to_string(dt) << " n " << n << (rev ? " rev" : "") << (inc ? "" : " excl");
        }
    }
  }
  // Values with rounding: within float accuracy of the double reference.
  const int n = 1 << 20;
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = 1.0 / (1 + i % 97);
  std::vector<double> want = ref_scan(v, {n}, 0, false, true, cases[0]);
  expect_near(to_doubles(mx::cumsum(mx::astype(mx::array(v.begin(), {n}, mx::float64), mx::float32))),
              want, 1e-3, "float32 cumsum 2^20");
  // 1e-3: a sequential float32 running sum (np.cumsum in float32, and our scalar path on
  // CPUs without AVX-512) is off by up to 4.1e-4 relative here; the AVX-512 path, which
  // carries one add per 16 elements, is closer. A dropped or doubled element is >= 1e-2.
}

TEST(ScanLarge, ManyRowsAndWideColumns) {
  // Rows over the pool; columns wider than one 2048-column block.
  const mx::Shape shape = {3, 4100};
  std::vector<double> v(static_cast<size_t>(mx::shape_size(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i % 9) - 4.0;
  mx::array a = mx::astype(mx::array(v.begin(), shape, mx::float64), mx::int64);
  for (int ax : {0, 1})
    for (const Case& c : {cases[0], cases[2], cases[3]})
      for (bool rev : {false, true})
        ASSERT_EQ(to_doubles(c.fn(a, ax, rev, true, {})), ref_scan(v, shape, ax, rev, true, c))
            << c.name << " axis " << ax;
  mx::array m = mx::astype(mx::array(v.begin(), {4100, 3}, mx::float64), mx::int32);
  ASSERT_EQ(to_doubles(mx::cumsum(m, 0)), ref_scan(v, {4100, 3}, 0, false, true, cases[0]));
}

TEST(Scan, NonContiguousInputs) {
  mx::array x({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  mx::array t = mx::transpose(x);  // [[1, 4], [2, 5], [3, 6]]
  EXPECT_EQ(to_doubles(mx::cumsum(t, 0)), D({1, 4, 3, 9, 6, 15}));
  EXPECT_EQ(to_doubles(mx::cumsum(t, 1)), D({1, 5, 2, 7, 3, 9}));
  EXPECT_EQ(to_doubles(mx::cumsum(t)), D({1, 5, 7, 12, 15, 21}));
  mx::array rev = mx::slice(mx::array({1, 2, 3, 4, 5, 6}), {5}, {-7}, {-2});  // [6, 4, 2]
  EXPECT_EQ(to_doubles(mx::cumsum(rev)), D({6, 10, 12}));
  mx::array b = mx::broadcast_to(mx::array({1, 2, 3}), {2, 3});
  EXPECT_EQ(to_doubles(mx::cumsum(b, 0)), D({1, 2, 3, 2, 4, 6}));
  EXPECT_EQ(to_doubles(mx::cumsum(x * 2.0f, 1)), D({2, 6, 12, 8, 18, 30}));
}

TEST(Scan, EmptyAndZeroDimensional) {
  EXPECT_EQ(mx::cumsum(mx::zeros({0})).shape(), mx::Shape({0}));
  EXPECT_EQ(to_doubles(mx::cumsum(mx::zeros({0}))).size(), 0u);
  mx::array e = mx::zeros({2, 0, 3});
  EXPECT_EQ(mx::cumprod(e, 1).shape(), mx::Shape({2, 0, 3}));
  EXPECT_EQ(to_doubles(mx::cummax(e, 2)).size(), 0u);
  EXPECT_EQ(to_doubles(mx::cumsum(e, 0, true, false)).size(), 0u);
  mx::array s(3.0f);
  EXPECT_EQ(mx::cumsum(s).shape(), mx::Shape({1}));
  EXPECT_EQ(to_doubles(mx::cumsum(s)), D({3}));
  EXPECT_EQ(to_doubles(mx::cumsum(s, false, false)), D({0}));
  EXPECT_EQ(to_doubles(mx::logcumsumexp(s)), D({3}));
}

// ---- errors --------------------------------------------------------------------------

TEST(ScanErrors, AxisOutOfBoundsAndComplexOrdering) {
  mx::array a = mx::ones({2, 3});
  EXPECT_INVALID(mx::cumsum(a, 2), "[cumsum] Axis 2 is out of bounds for array with 2 dimensions");
  EXPECT_INVALID(mx::cumsum(a, -3), "[cumsum] Axis -3 is out of bounds");
  EXPECT_INVALID(mx::cumprod(a, 2), "[cumprod] Axis 2");
  EXPECT_INVALID(mx::cummax(a, -3), "[cummax] Axis -3");
  EXPECT_INVALID(mx::cummin(a, 5), "[cummin] Axis 5");
  EXPECT_INVALID(mx::logcumsumexp(a, 2), "[logcumsumexp] Axis 2");
  EXPECT_INVALID(mx::cumsum(mx::array(1.0f), 0), "[cumsum] Axis 0 is out of bounds for array with 0 dimensions");
  mx::array z({mx::complex64_t(1, 2)});
  EXPECT_INVALID(mx::cummax(z), "[cummax] Not supported for dtype complex64");
  EXPECT_INVALID(mx::cummin(z, 0), "[cummin] Not supported");
  EXPECT_INVALID(mx::logcumsumexp(z), "[logcumsumexp] Not supported");
}

}  // namespace
