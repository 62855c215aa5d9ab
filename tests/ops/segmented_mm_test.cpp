// SPDX-License-Identifier: MIT
// Tests for segmented_mm (ops/matmul.hpp, primitive SegmentedMM): every segment against
// slice + matmul in float32/float64/float16/bfloat16 through both kernels (xsimd and BLAS)
// and with transposed, strided and reversed operand views; batched segment shapes, integer
// segment dtypes, empty and reversed ranges, empty shapes; the error table, including the
// out-of-range check at evaluation.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

using mlxtest::exception_message;
using mlxtest::has;
using mlxtest::to_doubles;
using V = std::vector<double>;


enum class Layout { row, transposed, strided, reversed };

/// An evaluated (r, c) array of `vals` (row-major) in dtype d, stored in `layout`: the
/// transpose of a (c, r) array, every other column of an (r, 2c) array, or its columns
/// reversed (a stride of -1).
mx::array make(const V& vals, int r, int c, mx::Dtype d, Layout layout = Layout::row) {
  mx::array x(vals.begin(), mx::Shape{r, c}, d);
  switch (layout) {
    case Layout::row:
      break;
    case Layout::transposed: {
      V t(vals.size());
      for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) t[j * r + i] = vals[i * c + j];
      x = mx::transpose(mx::array(t.begin(), mx::Shape{c, r}, d));
      break;
    }
    case Layout::strided: {
      V w(static_cast<size_t>(2 * r * c), 99.0);
      for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) w[i * 2 * c + 2 * j] = vals[i * c + j];
      x = mx::slice(mx::array(w.begin(), mx::Shape{r, 2 * c}, d), {0, 0}, {r, 2 * c}, {1, 2});
      break;
    }
    case Layout::reversed: {
      V w(vals.size());
      for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) w[i * c + (c - 1 - j)] = vals[i * c + j];
      x = mx::slice(mx::array(w.begin(), mx::Shape{r, c}, d), {0, c - 1}, {r, -c - 1}, {1, -1});
      break;
    }
  }
  x.eval();
  return x;
}

/// The reference: a[:, s0:s1] @ b[s0:s1, :] with slice and matmul (zeros when empty).
mx::array slice_matmul(const mx::array& a, const mx::array& b, int s0, int s1) {
  const int M = a.shape(0), N = b.shape(1);
  if (s1 <= s0) return mx::zeros({M, N}, mx::promote_types(a.dtype(), b.dtype()));
  return mx::matmul(mx::slice(a, {0, s0}, {M, s1}), mx::slice(b, {s0, 0}, {s1, N}));
}

/// Checks segmented_mm(a, b, segs) segment by segment against slice_matmul.
void expect_segments(const mx::array& a, const mx::array& b, const std::vector<int>& segs,
                     const std::string& what) {
  const int n = static_cast<int>(segs.size()) / 2, M = a.shape(0), N = b.shape(1);
  mx::array out = mx::segmented_mm(a, b, mx::array(segs.begin(), mx::Shape{n, 2}, mx::int32));
  ASSERT_EQ(out.shape(), (mx::Shape{n, M, N})) << what;
  ASSERT_EQ(out.dtype(), mx::promote_types(a.dtype(), b.dtype())) << what;
  const V got = to_doubles(out);
  for (int i = 0; i < n; ++i) {
    const V want = to_doubles(slice_matmul(a, b, segs[2 * i], segs[2 * i + 1]));
    const V part(got.begin() + int64_t{i} * M * N, got.begin() + int64_t{i + 1} * M * N);
    EXPECT_EQ(part, want) << what << " segment " << i;
  }
}

TEST(SegmentedMM, AgainstSliceAndMatmul) {
  // Small products take the xsimd kernel; 32 x 32 with segments of 40+ takes BLAS.
  struct Case { int M, K, N; std::vector<int> segs; };
  const std::vector<Case> cases = {
      {5, 40, 7, {0, 10, 10, 10, 10, 40, 5, 3, 0, 40, 39, 40}},
      {32, 96, 32, {0, 48, 48, 96, 0, 96, 20, 21, 96, 96}},
      {1, 30, 1, {0, 30, 3, 17}},
  };
  for (const auto& c : cases) {
    const V A = mlxtest::eighths(int64_t{c.M} * c.K, 1), B = mlxtest::eighths(int64_t{c.K} * c.N, 2);
    for (mx::Dtype d : {mx::float32, mx::float64, mx::float16, mx::bfloat16}) {
      for (Layout la : {Layout::row, Layout::transposed, Layout::strided, Layout::reversed})
        for (Layout lb : {Layout::row, Layout::transposed, Layout::strided}) {
          const std::string what = "M=" + std::to_string(c.M) + " K=" + std::to_string(c.K) +
                                   " dtype=" + std::to_string(static_cast<int>(d.val)) +
                                   " layouts " + std::to_string(static_cast<int>(la)) + "/" +
                                   std::to_string(static_cast<int>(lb));
          expect_segments(make(A, c.M, c.K, d, la), make(B, c.K, c.N, d, lb), c.segs, what);
        }
    }
  }
}

TEST(SegmentedMM, KnownValues) {
  // a = [[1, 2, 3]], b = [[1], [10], [100]]: each segment sums a[k] * b[k] over its range.
  mx::array a({1.f, 2.f, 3.f}, {1, 3}), b({1.f, 10.f, 100.f}, {3, 1});
  mx::array out = mx::segmented_mm(a, b, mx::array({0, 1, 1, 3, 0, 3, 2, 2, 3, 0}, {5, 2}));
  EXPECT_EQ(out.shape(), (mx::Shape{5, 1, 1}));
  EXPECT_EQ(to_doubles(out), (V{1, 320, 321, 0, 0}));
}

TEST(SegmentedMM, BatchedSegmentShapes) {
  const int M = 3, K = 12, N = 4;
  mx::array a = make(mlxtest::eighths(M * K, 3), M, K, mx::float32);
  mx::array b = make(mlxtest::eighths(K * N, 4), K, N, mx::float32);
  const std::vector<int> segs = {0, 2, 2, 5, 5, 12, 0, 12, 7, 7, 1, 11};
  mx::array s(segs.begin(), mx::Shape{2, 3, 2}, mx::int32);
  mx::array out = mx::segmented_mm(a, b, s);
  ASSERT_EQ(out.shape(), (mx::Shape{2, 3, M, N}));
  const V got = to_doubles(out);
  for (int i = 0; i < 6; ++i) {
    const V want = to_doubles(slice_matmul(a, b, segs[2 * i], segs[2 * i + 1]));
    EXPECT_EQ(V(got.begin() + i * M * N, got.begin() + (i + 1) * M * N), want) << i;
  }
  // One pair of shape (2,) gives one product of shape (M, N).
  mx::array one = mx::segmented_mm(a, b, mx::array({2, 9}));
  EXPECT_EQ(one.shape(), (mx::Shape{M, N}));
  EXPECT_EQ(to_doubles(one), to_doubles(slice_matmul(a, b, 2, 9)));
  // A transposed (non-contiguous) segments array is read through its strides.
  mx::array st = mx::transpose(mx::array({0, 4, 4, 12}, {2, 2}));  // pairs [0, 4], [4, 12]
  mx::array tr = mx::segmented_mm(a, b, st);
  const V g2 = to_doubles(tr);
  EXPECT_EQ(V(g2.begin(), g2.begin() + M * N), to_doubles(slice_matmul(a, b, 0, 4)));
  EXPECT_EQ(V(g2.begin() + M * N, g2.end()), to_doubles(slice_matmul(a, b, 4, 12)));
}

TEST(SegmentedMM, MlxPythonTestShape) {
  // MLX's test_segmented_mm: 16 consecutive ranges covering [0, 1000) from a cumsum,
  // reshaped (2, 2, 4, 2), for ones((10, 1000)) @ ones.T: each product is its length.
  const int K = 1000;
  std::vector<int> bounds = {0};
  for (int i = 1; i <= 16; ++i) bounds.push_back(i == 16 ? K : (i * 61) % K);
  std::vector<int> pairs;
  for (int i = 0; i < 16; ++i) {
    pairs.push_back(std::min(bounds[i], bounds[i + 1]));
    pairs.push_back(bounds[i + 1]);
  }
  mx::array a = mx::ones({10, K});
  mx::array c = mx::segmented_mm(a, mx::transpose(a), mx::array(pairs.begin(), mx::Shape{2, 2, 4, 2}, mx::int32));
  ASSERT_EQ(c.shape(), (mx::Shape{2, 2, 4, 10, 10}));
  const V got = to_doubles(c);
  for (int i = 0; i < 16; ++i)
    for (int e = 0; e < 100; ++e)
      ASSERT_EQ(got[i * 100 + e], std::max(0, pairs[2 * i + 1] - pairs[2 * i])) << i;
}

TEST(SegmentedMM, SegmentDtypesAndLazySegments) {
  mx::array a = make(mlxtest::eighths(4 * 9, 5), 4, 9, mx::float64);
  mx::array b = make(mlxtest::eighths(9 * 2, 6), 9, 2, mx::float64);
  const V want = to_doubles(slice_matmul(a, b, 3, 8));
  for (mx::Dtype d : {mx::int8, mx::uint8, mx::int16, mx::uint16, mx::int32, mx::uint32,
                      mx::int64, mx::uint64})
    EXPECT_EQ(to_doubles(mx::segmented_mm(a, b, mx::astype(mx::array({3, 8}), d))), want) << d;
  // Segments computed by the graph are read when the product is evaluated.
  mx::array lazy = mx::add(mx::array({1, 6}), mx::array(2));
  EXPECT_EQ(to_doubles(mx::segmented_mm(a, b, lazy)), want);
  // A negative start wraps to a huge uint32 (MLX's cast), so [-1, 3) is reversed: zeros.
  EXPECT_EQ(to_doubles(mx::segmented_mm(a, b, mx::array({-1, 3}))), V(8, 0.0));
}

TEST(SegmentedMM, PromotionAndEmptyShapes) {
  mx::array a16 = make(mlxtest::eighths(2 * 6, 7), 2, 6, mx::float16);
  mx::array b32 = make(mlxtest::eighths(6 * 3, 8), 6, 3, mx::float32);
  mx::array p = mx::segmented_mm(a16, b32, mx::array({1, 5}));
  EXPECT_EQ(p.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(p), to_doubles(slice_matmul(mx::astype(a16, mx::float32), b32, 1, 5)));
  mx::array ai = mx::astype(a16, mx::int32);  // int32 with float32 promotes to float32
  EXPECT_EQ(mx::segmented_mm(ai, b32, mx::array({0, 6})).dtype(), mx::float32);
  // No segments: shape (0, M, N).
  mx::array none = mx::segmented_mm(b32, mx::ones({3, 4}), mx::zeros({0, 2}, mx::int32));
  EXPECT_EQ(none.shape(), (mx::Shape{0, 6, 4}));
  EXPECT_TRUE(to_doubles(none).empty());
  // M = 0, and K = 0 (only the empty range fits): zeros of shape (.., M, N).
  EXPECT_EQ(mx::segmented_mm(mx::ones({0, 5}), mx::ones({5, 3}), mx::array({0, 5})).shape(),
            (mx::Shape{0, 3}));
  mx::array k0 = mx::segmented_mm(mx::ones({2, 0}), mx::ones({0, 3}), mx::array({0, 0, 0, 0}, {2, 2}));
  EXPECT_EQ(k0.shape(), (mx::Shape{2, 2, 3}));
  EXPECT_EQ(to_doubles(k0), V(12, 0.0));
}

TEST(SegmentedMM, Errors) {
  mx::array a = mx::ones({4, 6}), b = mx::ones({6, 3}), s = mx::array({0, 6});
  EXPECT_INVALID(mx::segmented_mm(mx::ones({2, 4, 6}), b, s),
                 "[segmented_mm] Batched matmul not supported: the inputs must be 2-d but have "
                 "shapes (2,4,6) and (6,3).");
  EXPECT_INVALID(mx::segmented_mm(a, mx::ones({6}), s), "[segmented_mm] Batched matmul not supported");
  EXPECT_INVALID(mx::segmented_mm(a, b, mx::array({0, 1, 2})),
                 "[segmented_mm] The segments should have shape (..., 2) but (3,) was provided.");
  EXPECT_INVALID(mx::segmented_mm(a, b, mx::array(3)),
                 "[segmented_mm] The segments should have shape (..., 2) but () was provided.");
  EXPECT_INVALID(mx::segmented_mm(mx::ones({4, 6}, mx::int32), mx::ones({6, 3}, mx::int32), s),
                 "[segmented_mm] Only real floating point types are supported but int32 and int32 "
                 "were provided which results in int32, which is not a real floating point type.");
  EXPECT_INVALID(mx::segmented_mm(mx::astype(a, mx::complex64), b, s),
                 "[segmented_mm] Only real floating point types are supported but complex64");
  EXPECT_INVALID(mx::segmented_mm(a, b, mx::array({0.f, 6.f})),
                 "[segmented_mm] Got segments with invalid dtype. Segments must be integral. Got "
                 "float32.");
  EXPECT_INVALID(mx::segmented_mm(a, b, mx::array({true, false})),
                 "[segmented_mm] Got segments with invalid dtype. Segments must be integral. Got "
                 "bool.");
  EXPECT_INVALID(mx::segmented_mm(a, mx::ones({5, 3}), s),
                 "[segmented_mm] Last dimension of first input with shape (4,6) must match second "
                 "to last dimension of second input with shape (5,3).");
  // A non-empty range past K: std::out_of_range at evaluation, the output unevaluated.
  mx::array past = mx::segmented_mm(a, b, mx::array({0, 3, 2, 7}, {2, 2}));
  EXPECT_EQ(exception_message<std::out_of_range>([&] { past.eval(); }),
            "[segmented_mm] Segment 1 [2, 7) is out of range for the inner dimension of size 6.");
  EXPECT_FALSE(past.is_available());
  // A negative end wraps (uint32), which is past K too; an empty range past K is fine.
  mx::array neg = mx::segmented_mm(a, b, mx::array({2, -1}));
  EXPECT_TRUE(has(exception_message<std::out_of_range>([&] { neg.eval(); }),
                  "Segment 0 [2, 4294967295) is out of range"));
  EXPECT_EQ(to_doubles(mx::segmented_mm(a, b, mx::array({9, 8}))), V(12, 0.0));
}

}  // namespace
