// SPDX-License-Identifier: MIT
// Tests for ops/sort.hpp: sort, argsort, partition, argpartition and topk against NumPy
// values (np.sort / np.argsort(kind="stable"), written here as literals) and, for long rows
// (radix and threaded paths) and every dtype, against std::stable_sort; NaN and signed-zero
// order, non-contiguous inputs, empty and 0-d arrays, and the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"
#include "mlx/ops/sort.hpp"

namespace mx = mlx::core;

namespace {

using mlxtest::invalid_argument_message;
using mlxtest::to_doubles;

std::vector<double> D(std::initializer_list<double> v) { return v; }

std::string str(const mx::Shape& s) { return mx::detail::message(s); }

template <class T>
std::vector<T> values_of(mx::array a) {
  a.eval();
  const T* p = a.data<T>();
  return std::vector<T>(p, p + a.size());
}

struct Lcg {
  uint64_t s;
  explicit Lcg(uint64_t seed) : s(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
  uint32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
};

/// The ordering the library promises: NaN last, -0 == +0, otherwise numeric.
bool ordered_less(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

/// Values exactly representable in every dtype (small integers; 0/1 for bool).
mx::array random_array(const mx::Shape& shape, mx::Dtype dt, uint64_t seed, int range = 50) {
  Lcg g(seed);
  std::vector<double> v(static_cast<size_t>(mx::shape_size(shape)));
  for (auto& x : v) x = dt == mx::bool_ ? g.next() % 2 : static_cast<double>(g.next() % range);
  if (!mx::is_unsigned(dt))
    for (auto& x : v) x -= dt == mx::bool_ ? 0 : range / 2;
  return mx::astype(mx::array(v.begin(), shape, mx::float64), dt);
}

/// Stable sort of each row (rows of length n, row-major) of v: the reference permutation.
std::vector<uint32_t> ref_argsort_rows(const std::vector<double>& v, size_t n) {
  std::vector<uint32_t> idx(v.size());
  for (size_t r = 0; r * n < v.size(); ++r) {
    auto b = idx.begin() + r * n;
    std::iota(b, b + n, 0u);
    std::stable_sort(b, b + n, [&](uint32_t i, uint32_t j) {
      return ordered_less(v[r * n + i], v[r * n + j]);
    });
  }
  return idx;
}

// ---- known values (NumPy) -----------------------------------------------------------

TEST(Sort, Int32MatrixAlongEachAxisAndFlattened) {
  mx::array a({3, -1, 2, -1, 0, 5, 2, 7, -4, 1, 2, 0}, {3, 4});
  EXPECT_EQ(to_doubles(mx::sort(a, 0)), D({-4, -1, 2, -1, 0, 1, 2, 0, 3, 5, 2, 7}));
  EXPECT_EQ(to_doubles(mx::sort(a, 1)), D({-1, -1, 2, 3, 0, 2, 5, 7, -4, 0, 1, 2}));
  EXPECT_EQ(to_doubles(mx::sort(a, -1)), to_doubles(mx::sort(a, 1)));
  EXPECT_EQ(to_doubles(mx::sort(a)), D({-4, -1, -1, 0, 0, 1, 2, 2, 2, 3, 5, 7}));
  EXPECT_EQ(mx::sort(a).shape(), mx::Shape({12}));
  EXPECT_EQ(mx::sort(a, 0).dtype(), mx::int32);

  mx::array i0 = mx::argsort(a, 0), i1 = mx::argsort(a, 1), iflat = mx::argsort(a);
  EXPECT_EQ(i0.dtype(), mx::uint32);
  EXPECT_EQ(to_doubles(i0), D({2, 0, 0, 0, 1, 2, 1, 2, 0, 1, 2, 1}));
  EXPECT_EQ(to_doubles(i1), D({1, 3, 2, 0, 0, 2, 1, 3, 0, 3, 1, 2}));
  EXPECT_EQ(to_doubles(iflat), D({8, 1, 3, 4, 11, 9, 2, 6, 10, 0, 5, 7}));
  EXPECT_EQ(iflat.shape(), mx::Shape({12}));
}

TEST(Sort, NaNsLastInfinitiesAndSignedZerosStable) {
  mx::array f({2.5f, NAN, -INFINITY, 0.0f, -0.0f, INFINITY, -3.0f, NAN, 1.0f});
  // np.argsort(f, kind="stable")
  EXPECT_EQ(to_doubles(mx::argsort(f)), D({2, 6, 3, 4, 8, 0, 5, 1, 7}));
  auto s = values_of<float>(mx::sort(f));
  std::vector<float> want = {-INFINITY, -3.0f, 0.0f, -0.0f, 1.0f, 2.5f, INFINITY, NAN, NAN};
  ASSERT_EQ(s.size(), want.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(s[i])) << i;
    } else {
      EXPECT_EQ(s[i], want[i]) << i;
      EXPECT_EQ(std::signbit(s[i]), std::signbit(want[i])) << i;  // +0 (first) before -0
    }
  }
}

TEST(Sort, ComplexLexicographicNaNLast) {
  using c = mx::complex64_t;
  mx::array z({c(1, 2), c(1, -1), c(NAN, 0), c(-2, 5), c(1, 0)});
  EXPECT_EQ(to_doubles(mx::argsort(z)), D({3, 1, 4, 0, 2}));  // np.argsort(kind="stable")
  auto s = values_of<c>(mx::sort(z));
  EXPECT_EQ(s[0], c(-2, 5));
  EXPECT_EQ(s[1], c(1, -1));
  EXPECT_EQ(s[2], c(1, 0));
  EXPECT_EQ(s[3], c(1, 2));
  EXPECT_TRUE(std::isnan(s[4].real()));
}

TEST(Sort, ArgsortIsStableOnTies) {
  mx::array a({1, 0, 1, 0, 1, 0}, {6}, mx::int8);
  EXPECT_EQ(to_doubles(mx::argsort(a)), D({1, 3, 5, 0, 2, 4}));
  mx::array b({true, false, true, false});
  EXPECT_EQ(to_doubles(mx::argsort(b)), D({1, 3, 0, 2}));
  EXPECT_EQ(to_doubles(mx::sort(b)), D({0, 0, 1, 1}));
}

// ---- every dtype, short and long rows, every axis ----------------------------------

class SortDtype : public ::testing::TestWithParam<mx::Dtype> {};

TEST_P(SortDtype, MatchesStableSortAlongEachAxis) {
  const mx::Dtype dt = GetParam();
  // Rows of 7 (comparison sort), 300 (radix, 8-bit digits) and a 3-d array.
  for (const mx::Shape& shape : {mx::Shape{5, 7}, mx::Shape{3, 300}, mx::Shape{4, 3, 5}}) {
    mx::array a = random_array(shape, dt, 11 + shape.size());
    std::vector<double> v = to_doubles(a);
    for (int ax = 0; ax < static_cast<int>(shape.size()); ++ax) {
      // Reference: move the axis last, sort rows, compare element by element.
      std::vector<int> perm;
      for (int d = 0; d < static_cast<int>(shape.size()); ++d)
        if (d != ax) perm.push_back(d);
      perm.push_back(ax);
      mx::array moved = mx::transpose(a, perm);
      std::vector<double> mv = to_doubles(mx::astype(mx::contiguous(moved), mx::float64));
      const size_t n = static_cast<size_t>(shape[ax]);
      std::vector<uint32_t> ref = ref_argsort_rows(mv, n);
      std::vector<double> got_idx = to_doubles(mx::contiguous(mx::transpose(mx::argsort(a, ax), perm)));
      std::vector<double> got_val = to_doubles(mx::contiguous(mx::transpose(mx::sort(a, ax), perm)));
      ASSERT_EQ(got_idx.size(), ref.size());
      for (size_t i = 0; i < ref.size(); ++i) {
        const size_t r = i / n;
        ASSERT_EQ(got_idx[i], ref[i]) << dt << " shape " << str(shape) << " axis " << ax << " at " << i;
        ASSERT_EQ(got_val[i], mv[r * n + ref[i]]) << dt << " axis " << ax << " at " << i;
      }
    }
  }
}

TEST_P(SortDtype, PartitionAndTopK) {
  const mx::Dtype dt = GetParam();
  mx::array a = random_array({4, 37}, dt, 5);
  std::vector<double> v = to_doubles(a);
  for (int kth : {0, 5, 36, -1, -10}) {
    const int k = kth < 0 ? kth + 37 : kth;
    std::vector<double> p = to_doubles(mx::partition(a, kth, 1));
    std::vector<double> pi = to_doubles(mx::argpartition(a, kth, -1));
    for (int r = 0; r < 4; ++r) {
      std::vector<double> row(v.begin() + r * 37, v.begin() + (r + 1) * 37);
      std::vector<double> sorted = row;
      std::stable_sort(sorted.begin(), sorted.end(), ordered_less);
      const double* pr = p.data() + r * 37;
      ASSERT_EQ(pr[k], sorted[k]) << dt << " kth " << kth;
      for (int i = 0; i < 37; ++i) {
        if (i < k) {
          ASSERT_FALSE(ordered_less(pr[k], pr[i])) << dt << " kth " << kth << " i " << i;
        }
        if (i > k) {
          ASSERT_FALSE(ordered_less(pr[i], pr[k])) << dt << " kth " << kth << " i " << i;
        }
      }
      std::vector<double> ps(pr, pr + 37);
      std::stable_sort(ps.begin(), ps.end(), ordered_less);
      ASSERT_EQ(ps, sorted);  // the same elements
      // argpartition: a permutation whose gathered values partition the row.
      std::vector<int> seen(37, 0);
      for (int i = 0; i < 37; ++i) ++seen[static_cast<int>(pi[r * 37 + i])];
      ASSERT_EQ(std::count(seen.begin(), seen.end(), 1), 37);
      const double at_k = row[static_cast<int>(pi[r * 37 + k])];
      ASSERT_EQ(at_k, sorted[k]);
      for (int i = 0; i < 37; ++i) {
        const double x = row[static_cast<int>(pi[r * 37 + i])];
        if (i < k) {
          ASSERT_FALSE(ordered_less(at_k, x));
        }
        if (i > k) {
          ASSERT_FALSE(ordered_less(x, at_k));
        }
      }
    }
  }
  // topk along the rows: the 6 largest, ascending; and along the columns.
  std::vector<double> t = to_doubles(mx::topk(a, 6, 1));
  EXPECT_EQ(mx::topk(a, 6, 1).shape(), mx::Shape({4, 6}));
  for (int r = 0; r < 4; ++r) {
    std::vector<double> sorted(v.begin() + r * 37, v.begin() + (r + 1) * 37);
    std::stable_sort(sorted.begin(), sorted.end(), ordered_less);
    for (int i = 0; i < 6; ++i) ASSERT_EQ(t[r * 6 + i], sorted[31 + i]) << dt;
  }
  std::vector<double> tc = to_doubles(mx::topk(a, 2, 0));
  for (int c = 0; c < 37; ++c) {
    std::vector<double> col;
    for (int r = 0; r < 4; ++r) col.push_back(v[r * 37 + c]);
    std::stable_sort(col.begin(), col.end(), ordered_less);
    ASSERT_EQ(tc[c], col[2]);
    ASSERT_EQ(tc[37 + c], col[3]);
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, SortDtype,
                         ::testing::Values(mx::bool_, mx::uint8, mx::uint16, mx::uint32,
                                           mx::uint64, mx::int8, mx::int16, mx::int32,
                                           mx::int64, mx::float16, mx::bfloat16, mx::float32,
                                           mx::float64, mx::complex64),
                         [](const auto& info) { return mx::dtype_to_string(info.param); });

// ---- long rows: radix sort, the threaded single-row path ---------------------------

TEST(SortLarge, FloatRowOfAMillionWithNaNs) {
  const int n = 1000003;
  Lcg g(3);
  std::vector<float> v(n);
  for (auto& x : v) x = (static_cast<float>(g.next()) / 4294967296.0f - 0.5f) * 1e6f;
  for (int i = 0; i < n; i += 9973) v[i] = NAN;
  for (int i = 5; i < n; i += 10007) v[i] = -0.0f;
  mx::array a(v.begin(), {n});
  std::vector<float> s = values_of<float>(mx::sort(a));
  std::vector<uint32_t> idx = values_of<uint32_t>(mx::argsort(a));
  std::vector<uint32_t> ref(n);
  std::iota(ref.begin(), ref.end(), 0u);
  std::stable_sort(ref.begin(), ref.end(), [&](uint32_t i, uint32_t j) { return ordered_less(v[i], v[j]); });
  ASSERT_EQ(idx, ref);
  for (int i = 0; i < n; ++i) {
    const float w = v[ref[i]];
    if (std::isnan(w)) ASSERT_TRUE(std::isnan(s[i])) << i;
    else ASSERT_EQ(std::bit_cast<uint32_t>(s[i]), std::bit_cast<uint32_t>(w)) << i;
  }
}

TEST(SortLarge, IntegerTiesAndManyRows) {
  // 64-bit keys with 11-bit digits; few distinct values (passes get skipped).
  mx::array a = random_array({300000}, mx::int64, 9, 100);
  std::vector<double> v = to_doubles(a);
  std::vector<uint32_t> ref = ref_argsort_rows(v, v.size());
  EXPECT_EQ(values_of<uint32_t>(mx::argsort(a, 0)), ref);
  std::vector<double> s = to_doubles(mx::sort(a, 0));
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(s[i], v[ref[i]]);
  // Many rows over the pool, and a non-last axis with more than one column block.
  mx::array m = random_array({200, 2000}, mx::float32, 4, 1000);
  std::vector<double> mv = to_doubles(m);
  std::vector<uint32_t> mref = ref_argsort_rows(mv, 2000);
  EXPECT_EQ(values_of<uint32_t>(mx::argsort(m, 1)), mref);
  std::vector<double> col = to_doubles(mx::contiguous(mx::transpose(mx::sort(m, 0))));
  std::vector<double> tv = to_doubles(mx::contiguous(mx::transpose(m)));
  std::vector<uint32_t> cref = ref_argsort_rows(tv, 200);
  for (size_t i = 0; i < tv.size(); ++i) ASSERT_EQ(col[i], tv[(i / 200) * 200 + cref[i]]);
}

TEST(SortLarge, TopKOfLongRows) {
  // One long row (each thread selects from its part) with many ties, and rows over the pool.
  mx::array a = random_array({600000}, mx::int32, 21, 1000);
  std::vector<double> v = to_doubles(a);
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int k : {1, 50, 5000}) {
    std::vector<double> t = to_doubles(mx::topk(a, k));
    ASSERT_EQ(t, std::vector<double>(sorted.end() - k, sorted.end())) << "k " << k;
  }
  std::vector<float> f(300000);
  Lcg g(8);
  for (auto& x : f) x = static_cast<float>(g.next() % 100000);
  f[7] = NAN;
  f[200000] = NAN;
  std::vector<float> t = values_of<float>(mx::topk(mx::array(f.begin(), {300000}), 4));
  std::vector<float> fs = f;
  std::sort(fs.begin(), fs.end(), [](float x, float y) { return ordered_less(x, y); });
  EXPECT_EQ(t[0], fs[299996]);
  EXPECT_EQ(t[1], fs[299997]);
  EXPECT_TRUE(std::isnan(t[2]) && std::isnan(t[3]));
  mx::array m = random_array({50, 4000}, mx::float32, 22, 100000);
  std::vector<double> mv = to_doubles(m), mt = to_doubles(mx::topk(m, 3, 1));
  for (int r = 0; r < 50; ++r) {
    std::vector<double> row(mv.begin() + r * 4000, mv.begin() + (r + 1) * 4000);
    std::sort(row.begin(), row.end());
    ASSERT_EQ(std::vector<double>(mt.begin() + r * 3, mt.begin() + (r + 1) * 3),
              std::vector<double>(row.end() - 3, row.end()));
  }
}

// ---- layouts, empty and 0-d arrays, overloads --------------------------------------

TEST(Sort, NonContiguousInputs) {
  mx::array a({3, -1, 2, -1, 0, 5, 2, 7, -4, 1, 2, 0}, {3, 4});
  mx::array t = mx::transpose(a);  // (4, 3) view
  EXPECT_EQ(to_doubles(mx::sort(t, 1)), D({-4, 0, 3, -1, 1, 5, 2, 2, 2, -1, 0, 7}));
  EXPECT_EQ(to_doubles(mx::argsort(t, 0)), D({1, 0, 0, 3, 2, 3, 2, 1, 1, 0, 3, 2}));  // argsort(a, 1).T
  EXPECT_EQ(to_doubles(mx::sort(t)), D({-4, -1, -1, 0, 0, 1, 2, 2, 2, 3, 5, 7}));
  mx::array rev = mx::slice(mx::array({1, 2, 3, 4, 5, 6}), {5}, {-7}, {-2});  // [6, 4, 2]
  EXPECT_EQ(to_doubles(mx::sort(rev)), D({2, 4, 6}));
  EXPECT_EQ(to_doubles(mx::argsort(rev)), D({2, 1, 0}));
  EXPECT_EQ(to_doubles(mx::topk(rev, 2)), D({4, 6}));
  mx::array b = mx::broadcast_to(mx::array({3, 1, 2}), {2, 3});
  EXPECT_EQ(to_doubles(mx::sort(b, 1)), D({1, 2, 3, 1, 2, 3}));
  EXPECT_EQ(to_doubles(mx::partition(b, 0, 1))[0], 1.0);
}

TEST(Sort, EmptyAndZeroDimensional) {
  mx::array e = mx::zeros({0});
  EXPECT_EQ(mx::sort(e).shape(), mx::Shape({0}));
  EXPECT_EQ(to_doubles(mx::sort(e)).size(), 0u);
  EXPECT_EQ(to_doubles(mx::argsort(e, 0)).size(), 0u);
  mx::array e2 = mx::zeros({2, 0, 3});
  EXPECT_EQ(mx::sort(e2, 1).shape(), mx::Shape({2, 0, 3}));
  EXPECT_EQ(to_doubles(mx::sort(e2, 2)).size(), 0u);
  EXPECT_EQ(to_doubles(mx::argsort(e2, 0)).size(), 0u);
  EXPECT_EQ(mx::topk(e2, 0, 1).shape(), mx::Shape({2, 0, 3}));
  EXPECT_EQ(mx::topk(mx::ones({3, 4}), 0, 1).shape(), mx::Shape({3, 0}));
  EXPECT_EQ(to_doubles(mx::topk(mx::ones({3, 4}), 0)).size(), 0u);

  mx::array s(7.0f);
  EXPECT_EQ(mx::sort(s).shape(), mx::Shape({1}));
  EXPECT_EQ(to_doubles(mx::sort(s)), D({7}));
  EXPECT_EQ(to_doubles(mx::argsort(s)), D({0}));
  EXPECT_EQ(to_doubles(mx::partition(s, 0)), D({7}));
  EXPECT_EQ(to_doubles(mx::topk(s, 1)), D({7}));
}

TEST(Sort, TopKOrderAndWholeAxis) {
  mx::array a({5, 1, 9, 3, 7, 9, 2});
  EXPECT_EQ(to_doubles(mx::topk(a, 3)), D({7, 9, 9}));
  EXPECT_EQ(to_doubles(mx::topk(a, 1, 0)), D({9}));
  // k equal to the axis length: MLX returns the input as it is.
  EXPECT_EQ(to_doubles(mx::topk(a, 7, 0)), D({5, 1, 9, 3, 7, 9, 2}));
  mx::array m({4, 8, 1, 6, 2, 7}, {2, 3});
  EXPECT_EQ(to_doubles(mx::topk(m, 2, -1)), D({4, 8, 6, 7}));
  EXPECT_EQ(to_doubles(mx::topk(m, 2)), D({7, 8}));
  mx::array f({1.0f, NAN, 3.0f});
  auto t = values_of<float>(mx::topk(f, 2));  // NaN counts as the largest (sorts last)
  EXPECT_EQ(t[0], 3.0f);
  EXPECT_TRUE(std::isnan(t[1]));
}

TEST(Sort, PartitionKnownValues) {
  mx::array a({7, 2, 9, 4, 1, 8}, {6});
  std::vector<double> p = to_doubles(mx::partition(a, 2));
  EXPECT_EQ(p[2], 4);
  std::vector<double> lo(p.begin(), p.begin() + 2), hi(p.begin() + 3, p.end());
  std::sort(lo.begin(), lo.end());
  std::sort(hi.begin(), hi.end());
  EXPECT_EQ(lo, D({1, 2}));
  EXPECT_EQ(hi, D({7, 8, 9}));
  std::vector<double> pi = to_doubles(mx::argpartition(a, -1));  // the max at the end
  EXPECT_EQ(pi[5], 2);
  mx::array m({3, 1, 2, 9, 7, 8}, {2, 3});
  EXPECT_EQ(to_doubles(mx::partition(m, 0, 0)), D({3, 1, 2, 9, 7, 8}));
  EXPECT_EQ(to_doubles(mx::partition(m, 1, 0)), D({3, 1, 2, 9, 7, 8}));
  EXPECT_EQ(to_doubles(mx::partition(m, 1, 1))[1], 2);
  EXPECT_EQ(to_doubles(mx::partition(m, 1, 1))[4], 8);
  EXPECT_EQ(to_doubles(mx::argpartition(m, 0, 0)), D({0, 0, 0, 1, 1, 1}));
}

TEST(Sort, ExpressionInput) {
  mx::array a({3.0f, 1.0f, 2.0f});
  EXPECT_EQ(to_doubles(mx::sort(a * 2.0f)), D({2, 4, 6}));
  EXPECT_EQ(to_doubles(mx::argsort(-a)), D({0, 2, 1}));
}

// ---- errors --------------------------------------------------------------------------

TEST(SortErrors, InvalidAxisKthAndK) {
  mx::array a = mx::ones({2, 3});
  EXPECT_INVALID(mx::sort(a, 2), "[sort] Received invalid axis 2 for array with 2 dimensions");
  EXPECT_INVALID(mx::sort(a, -3), "[sort] Received invalid axis -3");
  EXPECT_INVALID(mx::argsort(a, 2), "[argsort] Received invalid axis 2");
  EXPECT_INVALID(mx::partition(a, 0, 2), "[partition] Received invalid axis 2");
  EXPECT_INVALID(mx::argpartition(a, 0, -3), "[argpartition] Received invalid axis -3");
  EXPECT_INVALID(mx::topk(a, 1, 2), "[topk] Received invalid axis 2");
  EXPECT_INVALID(mx::sort(mx::array(1.0f), 0), "[sort] Received invalid axis 0");

  EXPECT_INVALID(mx::partition(a, 3, 1), "[partition] Received invalid kth 3 along axis 1");
  EXPECT_INVALID(mx::partition(a, -4, -1), "[partition] Received invalid kth -4 along axis -1");
  EXPECT_INVALID(mx::partition(a, 6), "[partition] Received invalid kth 6");
  EXPECT_INVALID(mx::argpartition(a, 2, 0), "[argpartition] Received invalid kth 2 along axis 0");
  EXPECT_INVALID(mx::argpartition(a, -7), "[argpartition] Received invalid kth -7");
  EXPECT_INVALID(mx::partition(mx::zeros({0}), 0), "[partition] Received invalid kth 0");

  EXPECT_INVALID(mx::topk(a, 4, 1), "[topk] Received invalid k=4 along axis 1");
  EXPECT_INVALID(mx::topk(a, -1, 0), "[topk] Received invalid k=-1");
  EXPECT_INVALID(mx::topk(a, 7), "[topk] Received invalid k=7");
}

}  // namespace
