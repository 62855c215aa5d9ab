// SPDX-License-Identifier: MIT
// Tests for ops/matmul.hpp: hand-computed products; a reference loop in double for every
// kernel path (xsimd small-matrix kernel, BLAS, batched, broadcast batch dims, 1-d
// operands) in float32/float64/float16/bfloat16/complex64; operands that are transposed,
// negatively strided, column-strided and batch-broadcast views; empty shapes; addmm, outer
// and the linear-algebra ops built on them; the error table.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

using mlx::core::operator<<;
using mlxtest::to_doubles;

std::string str(const mx::Shape& s) {
  std::ostringstream os;
  mx::operator<<(os, s);
  return os.str();
}

// ---- inputs and views ------------------------------------------------------------------


enum class Layout { row, transposed, reversed, col_strided };

/// An evaluated array of `shape` holding `vals` (row-major logical order) in dtype d, stored
/// with the given layout of its last two dims (a view into a differently ordered buffer).
mx::array make(const std::vector<double>& vals, const mx::Shape& shape, mx::Dtype d,
               Layout layout = Layout::row) {
  const int nd = static_cast<int>(shape.size());
  if (layout == Layout::row || nd < 2) {
    mx::array x(vals.begin(), shape, d);
    x.eval();
    return x;
  }
  const int64_t r = shape[nd - 2], c = shape[nd - 1], mat = r * c;
  const int64_t nb = mx::shape_size(shape) / std::max<int64_t>(mat, 1);
  std::vector<double> store;
  mx::Strides st(nd);
  int64_t offset = 0;
  int64_t per_batch = mat;
  if (layout == Layout::transposed) {
    store.resize(vals.size());
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j) store[b * mat + j * r + i] = vals[b * mat + i * c + j];
    st[nd - 2] = 1;
    st[nd - 1] = r;
  } else if (layout == Layout::reversed) {  // last axis stored backwards, stride -1
    store.resize(vals.size());
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j)
          store[b * mat + i * c + (c - 1 - j)] = vals[b * mat + i * c + j];
    st[nd - 2] = c;
    st[nd - 1] = -1;
    offset = c - 1;
  } else {  // every other column of a (r, 2c) buffer
    per_batch = 2 * mat;
    store.assign(static_cast<size_t>(nb * per_batch), 99.0);
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j) store[b * per_batch + i * 2 * c + 2 * j] = vals[b * mat + i * c + j];
    st[nd - 2] = 2 * c;
    st[nd - 1] = 2;
  }
  int64_t s = per_batch;
  for (int k = nd - 3; k >= 0; --k) {
    st[k] = s;
    s *= shape[k];
  }
  mx::array base(store.begin(), mx::Shape{static_cast<int>(store.size())}, d);
  base.eval();
  mx::array view(mx::allocator::Buffer{}, shape, d, nullptr);
  view.copy_shared_buffer(base, st, mx::array::Flags{false, false, false}, base.size(), offset);
  return view;
}

/// A view of evaluated row-major `x` with batch dim `axis` (of size 1 in x) broadcast to n.
mx::array broadcast_batch(const mx::array& x, int axis, int n) {
  mx::Shape shape = x.shape();
  mx::Strides st = x.strides();
  shape[axis] = n;
  st[axis] = 0;
  mx::array view(mx::allocator::Buffer{}, shape, x.dtype(), nullptr);
  view.copy_shared_buffer(x, st, mx::array::Flags{false, false, false}, x.size());
  return view;
}

// ---- reference -------------------------------------------------------------------------

/// NumPy's matmul in double on row-major values (1-d rules, broadcast batch dims).
std::vector<double> ref_matmul(const std::vector<double>& A, mx::Shape sa,
                               const std::vector<double>& B, mx::Shape sb, mx::Shape* out_shape) {
  const bool av = sa.size() == 1, bv = sb.size() == 1;
  if (av) sa = {1, sa[0]};
  if (bv) sb = {sb[0], 1};
  const int64_t M = sa[sa.size() - 2], K = sa.back(), N = sb.back();
  mx::Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
  mx::Shape batch = mx::broadcast_shapes(ba, bb);
  const int64_t nb = mx::shape_size(batch);
  auto offset = [&](const mx::Shape& bs, int64_t idx, int64_t mat) {
    // Row-major index into the broadcast batch -> index into the operand's own batch.
    int64_t off = 0, stride = 1;
    for (int d = static_cast<int>(batch.size()) - 1, e = static_cast<int>(bs.size()) - 1; d >= 0;
         --d, --e) {
      int64_t i = idx % batch[d];
      idx /= batch[d];
      if (e >= 0) {
        if (bs[e] != 1) off += i * stride;
        stride *= bs[e];
      }
    }
    return off * mat;
  };
  std::vector<double> out(static_cast<size_t>(nb * M * N), 0.0);
  for (int64_t b = 0; b < nb; ++b) {
    int64_t oa = offset(ba, b, M * K), ob = offset(bb, b, K * N);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k) acc += A[oa + i * K + k] * B[ob + k * N + j];
        out[b * M * N + i * N + j] = acc;
      }
  }
  *out_shape = batch;
  if (!av) out_shape->push_back(static_cast<int>(M));
  if (!bv) out_shape->push_back(static_cast<int>(N));
  return out;
}

double tolerance(mx::Dtype d) {
  if (d == mx::float16) return 1e-3;
  if (d == mx::bfloat16) return 8e-3;
  if (d == mx::float64) return 1e-12;
  return 1e-5;
}

/// Checks matmul(make(A, sa, la), make(B, sb, lb)) against the reference, in dtype d.
void check_matmul(mx::Shape sa, mx::Shape sb, mx::Dtype d, Layout la = Layout::row,
                  Layout lb = Layout::row, int seed = 0) {
  auto A = mlxtest::eighths(mx::shape_size(sa), seed), B = mlxtest::eighths(mx::shape_size(sb), seed + 7);
  mx::Shape want_shape;
  auto want = ref_matmul(A, sa, B, sb, &want_shape);
  mx::array out = mx::matmul(make(A, sa, d, la), make(B, sb, d, lb));
  SCOPED_TRACE(::testing::Message() << "a " << str(sa) << " layout " << int(la) << ", b " << str(sb)
                                    << " layout " << int(lb) << ", dtype " << d);
  ASSERT_EQ(out.shape(), want_shape);
  ASSERT_EQ(out.dtype(), d);
  auto got = to_doubles(out);
  ASSERT_EQ(got.size(), want.size());
  const int64_t K = sa.back();
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tolerance(d) * std::max<double>(1.0, K)) << "at " << i;
}

// ---- hand-computed values --------------------------------------------------------------

TEST(Matmul, KnownValues) {
  mx::array a({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  mx::array b({7.f, 8.f, 9.f, 10.f, 11.f, 12.f}, {3, 2});
  // [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]]
  EXPECT_EQ(to_doubles(mx::matmul(a, b)), (std::vector<double>{58, 64, 139, 154}));
  EXPECT_EQ(mx::matmul(a, b).shape(), (mx::Shape{2, 2}));
  mx::array v({1.f, -1.f, 2.f});
  mx::array w = mx::matmul(a, v);  // (2,3) @ (3,) -> (2,)
  EXPECT_EQ(w.shape(), (mx::Shape{2}));
  EXPECT_EQ(to_doubles(w), (std::vector<double>{5, 11}));
  mx::array u({1.f, 1.f});
  mx::array x = mx::matmul(u, a);  // (2,) @ (2,3) -> (3,)
  EXPECT_EQ(x.shape(), (mx::Shape{3}));
  EXPECT_EQ(to_doubles(x), (std::vector<double>{5, 7, 9}));
  mx::array y = mx::matmul(v, v);  // (3,) @ (3,) -> ()
  EXPECT_EQ(y.ndim(), 0u);
  EXPECT_EQ(y.item<float>(), 6.f);
}

TEST(Matmul, ComplexKnownValues) {
  using c64 = mx::complex64_t;
  mx::array a({c64(1, 1), c64(0, 2), c64(3, 0), c64(1, -1)}, {2, 2});
  mx::array b({c64(2, 0), c64(0, 1), c64(1, 1), c64(1, 0)}, {2, 2});
  mx::array c = mx::matmul(a, b);
  c.eval();
  const c64* p = c.data<c64>();
  // (1+i)*2 + 2i*(1+i) = 2+2i + 2i-2 = 4i;  (1+i)*i + 2i*1 = -1+i+2i = -1+3i
  // 3*2 + (1-i)(1+i) = 6+2 = 8;            3*i + (1-i) = 1+2i
  EXPECT_EQ(p[0], c64(0, 4));
  EXPECT_EQ(p[1], c64(-1, 3));
  EXPECT_EQ(p[2], c64(8, 0));
  EXPECT_EQ(p[3], c64(1, 2));
}

// ---- reference comparisons over kernel paths ---------------------------------------------

TEST(Matmul, SizesAcrossKernelPaths) {
  // Small-kernel shapes (column tails, row tails, one row/column), then BLAS-sized ones.
  const std::vector<std::array<int, 3>> sizes = {
      {1, 1, 1}, {2, 3, 4}, {5, 7, 3}, {4, 16, 16}, {16, 16, 16}, {17, 33, 9},
      {3, 40, 1}, {1, 50, 20}, {33, 1, 64}, {48, 48, 48}, {64, 72, 80}, {130, 65, 97}};
  for (auto [m, n, k] : sizes)
    for (mx::Dtype d : {mx::float32, mx::float64}) check_matmul({m, k}, {k, n}, d);
  for (auto [m, n, k] : sizes)
    for (mx::Dtype d : {mx::float16, mx::bfloat16, mx::complex64})
      if (k <= 64) check_matmul({m, k}, {k, n}, d);
}

TEST(Matmul, StridedViews) {
  const std::vector<Layout> layouts = {Layout::row, Layout::transposed, Layout::reversed,
                                       Layout::col_strided};
  for (auto [m, n, k] : std::vector<std::array<int, 3>>{{5, 6, 7}, {70, 90, 80}})
    for (Layout la : layouts)
      for (Layout lb : layouts) {
        check_matmul({m, k}, {k, n}, mx::float32, la, lb);
        check_matmul({3, m, k}, {3, k, n}, mx::float64, la, lb, 3);
      }
  for (Layout la : layouts) {
    check_matmul({4, 9}, {9, 5}, mx::float16, la, Layout::transposed);
    check_matmul({4, 9}, {9, 5}, mx::complex64, la, Layout::transposed);
    check_matmul({80, 70}, {70, 60}, mx::complex64, la, Layout::transposed);
  }
}

TEST(Matmul, LargeVectorProducts) {
  // Products with one vector side, large enough for the gemv path, in every layout.
  const std::vector<Layout> layouts = {Layout::row, Layout::transposed, Layout::col_strided};
  for (Layout l : layouts)
    for (Layout lv : {Layout::row, Layout::transposed}) {
      check_matmul({1100, 1000}, {1000, 1}, mx::float32, l, lv);
      check_matmul({1, 1000}, {1000, 1100}, mx::float32, lv, l);
      check_matmul({2, 1, 1000}, {1000, 1100}, mx::float64, lv, l);
    }
  check_matmul({1100, 1000}, {1000}, mx::float32, Layout::transposed);
  check_matmul({1000}, {1000, 1100}, mx::float64, Layout::row, Layout::transposed);
  check_matmul({1000}, {1000, 1100}, mx::complex64, Layout::row, Layout::transposed);
  check_matmul({1100, 1000}, {1000, 1}, mx::complex64, Layout::transposed, Layout::transposed);
}

TEST(Matmul, BatchedAndBroadcast) {
  for (mx::Dtype d : {mx::float32, mx::float64, mx::bfloat16}) {
    check_matmul({7, 4, 5}, {7, 5, 3}, d);
    check_matmul({7, 4, 5}, {5, 3}, d);           // batch only on a
    check_matmul({4, 5}, {6, 5, 3}, d);           // batch only on b
    check_matmul({2, 1, 4, 5}, {3, 5, 6}, d);     // (2,1) with (3,) -> (2,3)
    check_matmul({1, 3, 4, 5}, {2, 1, 5, 6}, d);  // both broadcast
    check_matmul({5}, {2, 3, 5, 4}, d);           // 1-d a with batched b
    check_matmul({2, 3, 4, 5}, {5}, d);           // batched a with 1-d b
    check_matmul({9}, {9}, d);
  }
  check_matmul({3, 70, 80}, {80, 60}, mx::float32);
  check_matmul({2, 70, 80}, {3, 1, 80, 60}, mx::float32, Layout::transposed);
  check_matmul({1000, 16, 16}, {1000, 16, 16}, mx::float32);  // threaded small kernel
  check_matmul({300, 8, 12}, {12, 8}, mx::float64, Layout::row, Layout::transposed);
}

TEST(Matmul, BroadcastBatchViewsAreNotCopied) {
  // A zero batch stride (a broadcast view) must read the same matrix for every batch item.
  auto A = mlxtest::eighths(4 * 5, 1), B = mlxtest::eighths(3 * 5 * 6, 2);
  mx::array a1 = make(A, {1, 4, 5}, mx::float32);
  mx::array a = broadcast_batch(a1, 0, 3);
  mx::array b = make(B, {3, 5, 6}, mx::float32);
  mx::Shape shape;
  auto want = ref_matmul(A, {1, 4, 5}, B, {3, 5, 6}, &shape);
  auto got = to_doubles(mx::matmul(a, b));
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5);
}

/// Bytes the allocator handed out while evaluating matmul(a, b), beyond what it held before.
/// The operands are made resident on the default device first (on the GPU, their upload is
/// not a copy of them).
size_t matmul_extra_bytes(const mx::array& a, const mx::array& b) {
  mx::eval({mx::sum(a), mx::sum(b)});
  mx::array c = mx::matmul(a, b);
  size_t before = mx::get_active_memory();
  mx::reset_peak_memory();
  c.eval();
  return mx::get_peak_memory() - before;
}

TEST(Matmul, TransposedViewsAreNotCopied) {
  // Transposed operands go to the kernels as Trans: they cost no more than contiguous ones
  // (only the output: on a discrete GPU its device memory and its host copy). A negatively
  // strided operand has to be copied (that shows the measurement works, on the CPU).
  for (int n : {24, 256}) {
    auto A = mlxtest::eighths(n * n, 1), B = mlxtest::eighths(n * n, 2);
    const size_t out_bytes = static_cast<size_t>(n) * n * sizeof(float);
    mx::array a = make(A, {n, n}, mx::float32, Layout::row);
    mx::array b = make(B, {n, n}, mx::float32, Layout::row);
    mx::array at = make(A, {n, n}, mx::float32, Layout::transposed);
    mx::array bt = make(B, {n, n}, mx::float32, Layout::transposed);
    mx::array br = make(B, {n, n}, mx::float32, Layout::reversed);
    const size_t plain = matmul_extra_bytes(a, b);
    EXPECT_GE(plain, out_bytes) << n;
    EXPECT_LE(matmul_extra_bytes(at, bt), plain) << n;
    // (On the GPU a reversed operand runs the CPU kernel, whose output has no device copy:
    // the totals are not comparable there.)
    if (mx::default_device() == mx::Device::cpu)
      EXPECT_GE(matmul_extra_bytes(at, br), plain + out_bytes) << n;
  }
}

TEST(Matmul, MixedDtypesPromote) {
  mx::array a({1.f, 2.f, 3.f, 4.f}, {2, 2});
  mx::array h = mx::astype(a, mx::float16);
  mx::array i({1, 0, 0, 1}, {2, 2});
  EXPECT_EQ(mx::matmul(h, a).dtype(), mx::float32);
  EXPECT_EQ(mx::matmul(i, a).dtype(), mx::float32);
  EXPECT_EQ(to_doubles(mx::matmul(i, a)), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(mx::matmul(h, h).dtype(), mx::float16);
  EXPECT_EQ(to_doubles(mx::matmul(h, h)), (std::vector<double>{7, 10, 15, 22}));
  EXPECT_EQ(mx::matmul(a, mx::astype(a, mx::float64)).dtype(), mx::float64);
  EXPECT_EQ(mx::matmul(mx::astype(a, mx::bfloat16), h).dtype(), mx::float32);
}

TEST(Matmul, EmptyShapes) {
  EXPECT_EQ(mx::matmul(mx::zeros({0, 3}), mx::zeros({3, 4})).shape(), (mx::Shape{0, 4}));
  to_doubles(mx::matmul(mx::zeros({0, 3}), mx::zeros({3, 4})));
  // K = 0: an empty sum is zero.
  mx::array z = mx::matmul(mx::ones({2, 0}), mx::ones({0, 3}));
  EXPECT_EQ(z.shape(), (mx::Shape{2, 3}));
  EXPECT_EQ(to_doubles(z), std::vector<double>(6, 0.0));
  EXPECT_EQ(to_doubles(mx::matmul(mx::ones({0}), mx::ones({0}))), std::vector<double>{0.0});
  EXPECT_EQ(mx::matmul(mx::ones({0, 2, 3}), mx::ones({3, 4})).shape(), (mx::Shape{0, 2, 4}));
  EXPECT_EQ(to_doubles(mx::matmul(mx::ones({0, 2, 3}), mx::ones({3, 4}))).size(), 0u);
  mx::array zb = mx::matmul(mx::ones({2, 2, 0}, mx::float64), mx::ones({0, 5}, mx::float64));
  EXPECT_EQ(to_doubles(zb), std::vector<double>(20, 0.0));
}

TEST(Matmul, NanAndInfPropagate) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  mx::array a({1.f, nan, 0.f, 1.f}, {2, 2});
  mx::array b({1.f, 0.f, 0.f, 1.f}, {2, 2});
  auto r = to_doubles(mx::matmul(a, b));
  EXPECT_TRUE(std::isnan(r[0]) && std::isnan(r[1]));
  EXPECT_EQ(r[2], 0.0);
  EXPECT_EQ(r[3], 1.0);
}

TEST(Matmul, IsLazy) {
  mx::array a = mx::ones({3, 3});
  mx::array c = mx::matmul(a, a);
  EXPECT_FALSE(c.is_available());
  EXPECT_EQ(to_doubles(c), std::vector<double>(9, 3.0));
}

// ---- addmm -------------------------------------------------------------------------------

TEST(Addmm, KnownValues) {
  mx::array a({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  mx::array b({1.f, 0.f, 0.f, 1.f, 1.f, 1.f}, {3, 2});
  // a @ b = [[4, 5], [10, 11]]
  EXPECT_EQ(to_doubles(mx::addmm(mx::array({10.f, 20.f}), a, b, 2.f, 0.5f)),
            (std::vector<double>{13, 20, 25, 32}));
  EXPECT_EQ(to_doubles(mx::addmm(mx::array(1.f), a, b)), (std::vector<double>{5, 6, 11, 12}));
  mx::array c({1.f, 2.f, 3.f, 4.f}, {2, 2});
  EXPECT_EQ(to_doubles(mx::addmm(c, a, b, 1.f, -1.f)), (std::vector<double>{3, 3, 7, 7}));
  mx::array col({100.f, 200.f}, {2, 1});
  EXPECT_EQ(to_doubles(mx::addmm(col, a, b, 1.f, 1.f)), (std::vector<double>{104, 105, 210, 211}));
  // 1-d operands: (3,) @ (3,2) -> (2,), c broadcast to (2,)
  mx::array v({1.f, 1.f, 1.f});
  mx::array r = mx::addmm(mx::array({1.f, 2.f}), v, b, 1.f, 1.f);
  EXPECT_EQ(r.shape(), (mx::Shape{2}));
  EXPECT_EQ(to_doubles(r), (std::vector<double>{3, 4}));
  mx::array s = mx::addmm(mx::array(0.5f), v, v, 2.f, 2.f);
  EXPECT_EQ(s.ndim(), 0u);
  EXPECT_EQ(s.item<float>(), 7.f);
}

TEST(Addmm, AgainstReference) {
  for (mx::Dtype d : {mx::float32, mx::float64, mx::float16, mx::bfloat16, mx::complex64})
    for (auto [m, n, k] : std::vector<std::array<int, 3>>{{3, 4, 5}, {20, 30, 40}, {70, 60, 50}}) {
      if ((d == mx::float16 || d == mx::bfloat16) && k > 16) continue;
      auto A = mlxtest::eighths(2 * m * k, 1), B = mlxtest::eighths(k * n, 2), C = mlxtest::eighths(n, 3);
      mx::Shape shape;
      auto prod = ref_matmul(A, {2, m, k}, B, {k, n}, &shape);
      mx::array out = mx::addmm(make(C, {n}, d), make(A, {2, m, k}, d, Layout::transposed),
                                make(B, {k, n}, d, Layout::reversed), 0.5f, -2.f);
      ASSERT_EQ(out.shape(), shape);
      ASSERT_EQ(out.dtype(), d);
      auto got = to_doubles(out);
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_NEAR(got[i], 0.5 * prod[i] - 2.0 * C[i % n], tolerance(d) * k) << d << " " << m;
    }
}

TEST(Addmm, BetaZeroIgnoresC) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  mx::array a({1.f, 2.f, 3.f, 4.f}, {2, 2});
  mx::array c({nan, nan, nan, nan}, {2, 2});
  EXPECT_EQ(to_doubles(mx::addmm(c, a, a, 1.f, 0.f)), (std::vector<double>{7, 10, 15, 22}));
}

TEST(Addmm, Dtypes) {
  mx::array a({1.f, 2.f, 3.f, 4.f}, {2, 2});
  EXPECT_EQ(mx::addmm(mx::array(1.0, mx::float64), a, a).dtype(), mx::float64);
  EXPECT_EQ(mx::addmm(mx::array(1), a, a).dtype(), mx::float32);
  EXPECT_EQ(mx::addmm(mx::array(1), mx::astype(a, mx::float16), mx::astype(a, mx::float16)).dtype(),
            mx::float16);
}

// ---- outer -------------------------------------------------------------------------------

TEST(Outer, KnownValues) {
  mx::array r = mx::outer(mx::array({1, 2, 3}), mx::array({4, 5}));
  EXPECT_EQ(r.shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(r.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(r), (std::vector<double>{4, 5, 8, 10, 12, 15}));
  // n-d inputs are flattened.
  mx::array m({1.f, 2.f, 3.f, 4.f}, {2, 2});
  mx::array o = mx::outer(m, mx::array({1.f, -1.f}));
  EXPECT_EQ(o.shape(), (mx::Shape{4, 2}));
  EXPECT_EQ(to_doubles(o), (std::vector<double>{1, -1, 2, -2, 3, -3, 4, -4}));
  // Promotion and bool.
  EXPECT_EQ(mx::outer(mx::array({1, 2}), mx::array({0.5f})).dtype(), mx::float32);
  mx::array bo = mx::outer(mx::array({true, false}), mx::array({true, true}));
  EXPECT_EQ(bo.dtype(), mx::bool_);
  EXPECT_EQ(to_doubles(bo), (std::vector<double>{1, 1, 0, 0}));
  mx::array h = mx::outer(mx::astype(mx::array({0.5f, 3.f}), mx::bfloat16),
                          mx::astype(mx::array({2.f}), mx::bfloat16));
  EXPECT_EQ(h.dtype(), mx::bfloat16);
  EXPECT_EQ(to_doubles(h), (std::vector<double>{1, 6}));
  // Integer products wrap in the dtype.
  mx::array i8 = mx::outer(mx::array({100}, mx::int8), mx::array({3}, mx::int8));
  EXPECT_EQ(to_doubles(i8), (std::vector<double>{static_cast<int8_t>(300)}));
  mx::array s = mx::outer(mx::array(2.f), mx::array({1.f, 2.f}));
  EXPECT_EQ(s.shape(), (mx::Shape{1, 2}));
  EXPECT_EQ(mx::outer(mx::zeros({0}), mx::ones({3})).shape(), (mx::Shape{0, 3}));
  EXPECT_EQ(to_doubles(mx::outer(mx::zeros({0}), mx::ones({3}))).size(), 0u);
}

TEST(Outer, StridedInput) {
  auto A = mlxtest::eighths(6, 4);
  mx::array a = make(A, {2, 3}, mx::float32, Layout::transposed);
  auto got = to_doubles(mx::outer(a, mx::array({2.f})));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(got[i], 2 * A[i]);
}

// ---- tensordot, inner, kron (values from NumPy 1.24) ------------------------------------

mx::array arange_f(int n, mx::Shape shape, mx::Dtype d = mx::float32) {
  return mx::reshape(mx::arange(0.0, double(n), 1.0, d), shape);
}

TEST(Tensordot, KnownValues) {
  mx::array a = arange_f(24, {2, 3, 4});
  mx::array t1 = mx::tensordot(a, arange_f(12, {4, 3}), {2}, {0});
  EXPECT_EQ(t1.shape(), (mx::Shape{2, 3, 3}));
  EXPECT_EQ(to_doubles(t1), (std::vector<double>{42, 48, 54, 114, 136, 158, 186, 224, 262, 258,
                                                 312, 366, 330, 400, 470, 402, 488, 574}));
  mx::array t2 = mx::tensordot(a, arange_f(12, {3, 4}));  // axis = 2
  EXPECT_EQ(t2.shape(), (mx::Shape{2}));
  EXPECT_EQ(to_doubles(t2), (std::vector<double>{506, 1298}));
  mx::array t3 = mx::tensordot(a, arange_f(6, {3, 2}), {1}, {0});  // a middle axis
  EXPECT_EQ(t3.shape(), (mx::Shape{2, 4, 2}));
  EXPECT_EQ(to_doubles(t3), (std::vector<double>{40, 52, 46, 61, 52, 70, 58, 79, 112, 160, 118,
                                                 169, 124, 178, 130, 187}));
  mx::array t4 = mx::tensordot(a, arange_f(12, {4, 3}), {1, 2}, {1, 0});  // paired out of order
  EXPECT_EQ(to_doubles(t4), (std::vector<double>{440, 1232}));
  mx::array t5 = mx::tensordot(a, arange_f(12, {4, 3}), {-2, -1}, {-1, -2});  // negative axes
  EXPECT_EQ(to_doubles(t5), (std::vector<double>{440, 1232}));
  mx::array t0 = mx::tensordot(mx::array({1.f, 2.f}), mx::array({3.f, 4.f, 5.f}), 0);
  EXPECT_EQ(t0.shape(), (mx::Shape{2, 3}));
  EXPECT_EQ(to_doubles(t0), (std::vector<double>{3, 4, 5, 6, 8, 10}));
  EXPECT_EQ(mx::tensordot(arange_f(6, {2, 3}, mx::float64), arange_f(3, {3}), 1).dtype(),
            mx::float64);
}

TEST(Inner, KnownValues) {
  mx::array r = mx::inner(arange_f(6, {2, 3}), arange_f(9, {3, 3}));
  EXPECT_EQ(r.shape(), (mx::Shape{2, 3}));
  EXPECT_EQ(to_doubles(r), (std::vector<double>{5, 14, 23, 14, 50, 86}));
  mx::array v = mx::inner(mx::array({1.f, 2.f, 3.f}), mx::array({4.f, 5.f, 6.f}));
  EXPECT_EQ(v.ndim(), 0u);
  EXPECT_EQ(v.item<float>(), 32.f);
  // A 0-d operand multiplies (any dtype).
  mx::array m = mx::inner(mx::array(2), mx::array({1, 2, 3}));
  EXPECT_EQ(m.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(m), (std::vector<double>{2, 4, 6}));
}

TEST(Kron, KnownValues) {
  mx::array k = mx::kron(mx::array({1, 2, 3, 4}, {2, 2}), mx::array({0, 1, 1, 0}, {2, 2}));
  EXPECT_EQ(k.shape(), (mx::Shape{4, 4}));
  EXPECT_EQ(k.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(k),
            (std::vector<double>{0, 1, 0, 2, 1, 0, 2, 0, 0, 3, 0, 4, 3, 0, 4, 0}));
  mx::array k2 = mx::kron(mx::array({1, 2}), mx::array({1, 10, 100, 1000}, {2, 2}));
  EXPECT_EQ(k2.shape(), (mx::Shape{2, 4}));
  EXPECT_EQ(to_doubles(k2), (std::vector<double>{1, 10, 2, 20, 100, 1000, 200, 2000}));
  mx::array k3 = mx::kron(mx::array({true, false}), mx::array({true, true}));
  EXPECT_EQ(k3.dtype(), mx::bool_);
  EXPECT_EQ(to_doubles(k3), (std::vector<double>{1, 1, 0, 0}));
  mx::array k4 = mx::kron(mx::astype(mx::array({0.5f, 2.f}), mx::float16), mx::array(3.f));
  EXPECT_EQ(k4.dtype(), mx::float32);
  EXPECT_EQ(to_doubles(k4), (std::vector<double>{1.5, 6}));
}

// ---- diagonal, diag, trace ----------------------------------------------------------------

TEST(Diagonal, KnownValues) {
  mx::array x = mx::reshape(mx::arange(12), {3, 4});
  const std::vector<std::pair<int, std::vector<double>>> want = {
      {-3, {}}, {-1, {4, 9}}, {0, {0, 5, 10}}, {1, {1, 6, 11}}, {3, {3}}, {4, {}}};
  for (auto& [k, v] : want) {
    mx::array d = mx::diagonal(x, k);
    EXPECT_EQ(d.shape(), (mx::Shape{static_cast<int>(v.size())})) << k;
    EXPECT_EQ(to_doubles(d), v) << k;
    EXPECT_EQ(to_doubles(mx::diag(x, k)), v) << k;
  }
  mx::array y = mx::reshape(mx::arange(24), {2, 3, 4});
  mx::array d1 = mx::diagonal(y, 1, 0, 2);
  EXPECT_EQ(d1.shape(), (mx::Shape{3, 2}));
  EXPECT_EQ(to_doubles(d1), (std::vector<double>{1, 14, 5, 18, 9, 22}));
  EXPECT_EQ(to_doubles(mx::diagonal(y, 0, 2, 1)), (std::vector<double>{0, 5, 10, 12, 17, 22}));
  EXPECT_EQ(to_doubles(mx::diagonal(y, 0, -1, 0)), (std::vector<double>{0, 13, 4, 17, 8, 21}));
}

TEST(Diagonal, IsAViewOfStridedInput) {
  // The diagonal of a transposed (strided) view, read without a copy of the input.
  mx::array x = mx::reshape(mx::arange(0.0, 12.0, 1.0, mx::float64), {3, 4});
  mx::array t = mx::transpose(x);  // (4,3)
  mx::array d = mx::diagonal(t, -1);
  EXPECT_EQ(to_doubles(d), (std::vector<double>{1, 6, 11}));
  d.eval();
  t.eval();
  EXPECT_EQ(d.data<double>(), t.data<double>() + 1);  // shares t's buffer
  EXPECT_EQ(mx::diagonal(mx::zeros({0, 3})).shape(), (mx::Shape{0}));
  EXPECT_EQ(to_doubles(mx::diagonal(mx::zeros({0, 3}))).size(), 0u);
}

TEST(Diag, BuildsMatrices) {
  mx::array m = mx::diag(mx::array({1, 2, 3}), 1);
  EXPECT_EQ(m.shape(), (mx::Shape{4, 4}));
  EXPECT_EQ(m.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(m), (std::vector<double>{0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0}));
  mx::array n = mx::diag(mx::astype(mx::array({1.5f, 2.f}), mx::bfloat16), -2);
  EXPECT_EQ(n.dtype(), mx::bfloat16);
  EXPECT_EQ(to_doubles(n), (std::vector<double>{0, 0, 0, 0, 0, 0, 0, 0, 1.5, 0, 0, 0, 0, 2, 0, 0}));
  mx::array b = mx::diag(mx::array({true, true}));
  EXPECT_EQ(to_doubles(b), (std::vector<double>{1, 0, 0, 1}));
  mx::array c = mx::diag(mx::array({mx::complex64_t(1, 2)}));
  c.eval();
  EXPECT_EQ(c.data<mx::complex64_t>()[0], mx::complex64_t(1, 2));
  EXPECT_EQ(mx::diag(mx::zeros({0})).shape(), (mx::Shape{0, 0}));
  EXPECT_EQ(mx::diag(mx::zeros({0}), 2).shape(), (mx::Shape{2, 2}));
  EXPECT_EQ(to_doubles(mx::diag(mx::zeros({0}), 2)), std::vector<double>(4, 0.0));
  // A strided vector input.
  mx::array v = mx::slice(mx::arange(6), {0}, {6}, {2});  // [0, 2, 4]
  EXPECT_EQ(to_doubles(mx::diag(v)), (std::vector<double>{0, 0, 0, 0, 2, 0, 0, 0, 4}));
}

TEST(Trace, KnownValues) {
  mx::array x = mx::reshape(mx::arange(12), {3, 4});
  EXPECT_EQ(mx::trace(x).item<int>(), 15);
  EXPECT_EQ(mx::trace(x).dtype(), mx::int32);
  EXPECT_EQ(mx::trace(x, 1, 0, 1).item<int>(), 18);
  mx::array y = mx::reshape(mx::arange(24), {2, 3, 4});
  EXPECT_EQ(to_doubles(mx::trace(y, 0, 1, 2)), (std::vector<double>{15, 51}));
  EXPECT_EQ(to_doubles(mx::trace(y, -1, 2, 0)), (std::vector<double>{15, 23, 31}));
  mx::array f = mx::trace(x, 0, 0, 1, mx::float32);
  EXPECT_EQ(f.dtype(), mx::float32);
  EXPECT_EQ(f.item<float>(), 15.f);
  // Accumulating in the input's dtype wraps, as MLX's sum of an int8 diagonal does.
  mx::array i8 = mx::astype(mx::full({2, 2}, 100), mx::int8);
  EXPECT_EQ(mx::trace(i8).item<int>(), static_cast<int8_t>(200));
  EXPECT_EQ(mx::trace(mx::zeros({0, 0})).item<float>(), 0.f);
}

// ---- gather_mm, block_masked_mm ----------------------------------------------------------

TEST(GatherMM, AgainstReference) {
  auto A = mlxtest::eighths(3 * 2 * 4, 1), B = mlxtest::eighths(2 * 4 * 5, 2);
  for (mx::Dtype d : {mx::float32, mx::float64, mx::float16}) {
    mx::array a = make(A, {3, 2, 4}, d), b = make(B, {2, 4, 5}, d, Layout::transposed);
    mx::array lhs({2, 0, 1, 1}, {2, 2});
    mx::array rhs({1, 0}, mx::uint32);  // broadcast against lhs
    mx::array out = mx::gather_mm(a, b, lhs, rhs);
    ASSERT_EQ(out.shape(), (mx::Shape{2, 2, 2, 5}));
    ASSERT_EQ(out.dtype(), d);
    auto got = to_doubles(out);
    const int li[4] = {2, 0, 1, 1}, ri[4] = {1, 0, 1, 0};
    for (int p = 0; p < 4; ++p) {
      std::vector<double> am(A.begin() + li[p] * 8, A.begin() + li[p] * 8 + 8);
      std::vector<double> bm(B.begin() + ri[p] * 20, B.begin() + ri[p] * 20 + 20);
      mx::Shape sh;
      auto want = ref_matmul(am, {2, 4}, bm, {4, 5}, &sh);
      for (int e = 0; e < 10; ++e) ASSERT_NEAR(got[p * 10 + e], want[e], 1e-3) << d << " " << p;
    }
  }
  // Only rhs_indices: lhs is the identity over a's batch; batch dims of a are flattened.
  mx::array a = make(A, {3, 2, 4}, mx::float32), b = make(B, {2, 4, 5}, mx::float32);
  mx::array r = mx::gather_mm(a, b, std::nullopt, mx::array({1, 1, 0}));
  auto want = to_doubles(mx::matmul(a, mx::take(b, mx::array({1, 1, 0}), 0)));
  EXPECT_EQ(r.shape(), (mx::Shape{3, 2, 5}));
  EXPECT_EQ(to_doubles(r), want);
  // A 1-d rhs (one column): its dim is dropped.
  mx::array v = mx::gather_mm(a, mx::array({1.f, 0.f, 0.f, 0.f}), mx::array({2, 0}));
  EXPECT_EQ(v.shape(), (mx::Shape{2, 2}));
  EXPECT_EQ(to_doubles(v), (std::vector<double>{A[16], A[20], A[0], A[4]}));
  // No indices at all is matmul.
  EXPECT_EQ(to_doubles(mx::gather_mm(a, mx::take(b, 0, 0))),
            to_doubles(mx::matmul(a, mx::take(b, 0, 0))));
}

TEST(GatherMM, Errors) {
  mx::array a = mx::ones({3, 2, 4}), b = mx::ones({2, 4, 5});
  EXPECT_EQ(mlxtest::exception_message<std::out_of_range>(
                [&] { mx::gather_mm(a, b, mx::array({3})).eval(); })
                .rfind("[gather_mm] Index 3 in lhs_indices is out of range", 0),
            0u);
  EXPECT_EQ(mlxtest::invalid_argument_message([&] { mx::gather_mm(a, b, mx::array({0.5f})); }),
            "[gather_mm] Got lhs_indices with invalid dtype. Indices must be integral. Got "
            "float32.");
  EXPECT_EQ(mlxtest::invalid_argument_message([&] {
              mx::gather_mm(mx::ones({2, 2}, mx::int32), mx::ones({2, 2}, mx::int32), mx::array({0}));
            }).rfind("[gather_mm] Only real floating point types", 0),
            0u);
  EXPECT_EQ(mlxtest::invalid_argument_message([&] { mx::gather_mm(a, a, mx::array({0})); })
                .rfind("[gather_mm] Last dimension of first input with shape (3,2,4)", 0),
            0u);
}

/// Reference block-masked product: masks (bool as 0/1) scale blocks of bs x bs.
std::vector<double> ref_block_masked(const std::vector<double>& A, const std::vector<double>& B,
                                     int M, int K, int N, int bs, const std::vector<double>& ml,
                                     const std::vector<double>& mr, const std::vector<double>& mo) {
  const int tk = (K + bs - 1) / bs, tn = (N + bs - 1) / bs;
  std::vector<double> a = A, b = B;
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k) a[i * K + k] *= ml[(i / bs) * tk + k / bs];
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j) b[k * N + j] *= mr[(k / bs) * tn + j / bs];
  mx::Shape sh;
  auto out = ref_matmul(a, {M, K}, b, {K, N}, &sh);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) out[i * N + j] *= mo[(i / bs) * tn + j / bs];
  return out;
}

TEST(BlockMaskedMM, AgainstReference) {
  const int M = 70, K = 40, N = 50, bs = 32;  // blocks: 3 x 2 (lhs), 2 x 2 (rhs), 3 x 2 (out)
  auto A = mlxtest::eighths(M * K, 1), B = mlxtest::eighths(K * N, 2);
  const std::vector<double> ml = {1, 0, 1, 1, 0, 1}, mr = {1, 1, 0, 1}, mo = {1, 0.5, 0, 1, 2, 1};
  mx::array a = make(A, {M, K}, mx::float32), b = make(B, {K, N}, mx::float32);
  mx::array mlb = mx::astype(mx::array(ml.begin(), {3, 2}), mx::bool_);
  mx::array mrb = mx::astype(mx::array(mr.begin(), {2, 2}), mx::bool_);
  mx::array mof = mx::array(mo.begin(), {3, 2}, mx::float32);
  auto want = ref_block_masked(A, B, M, K, N, bs, ml, mr, mo);
  auto got = to_doubles(mx::block_masked_mm(a, b, bs, mof, mlb, mrb));
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4) << i;
  // Only an output mask (bool), batched with broadcast masks.
  const std::vector<double> ones6(6, 1.0), ones4(4, 1.0);
  const std::vector<double> mo2 = {0, 1, 1, 0, 1, 1};
  auto want2 = ref_block_masked(A, B, M, K, N, bs, ones6, ones4, mo2);
  mx::array a3 = make(mlxtest::eighths(2 * M * K, 1), {2, M, K}, mx::float32);  // batch 0 is A
  mx::array r2 = mx::block_masked_mm(a3, b, bs, mx::astype(mx::array(mo2.begin(), {3, 2}), mx::bool_));
  ASSERT_EQ(r2.shape(), (mx::Shape{2, M, N}));
  auto got2 = to_doubles(r2);
  for (size_t i = 0; i < want2.size(); ++i) ASSERT_NEAR(got2[i], want2[i], 1e-4) << i;
  // Operand masks only, in float (they scale).
  const std::vector<double> mlf = {2, 1, 1, 1, 1, 0.5};
  auto want3 = ref_block_masked(A, B, M, K, N, bs, mlf, ones4, ones6);
  auto got3 = to_doubles(mx::block_masked_mm(a, b, bs, std::nullopt, mx::array(mlf.begin(), {3, 2})));
  for (size_t i = 0; i < want3.size(); ++i) ASSERT_NEAR(got3[i], want3[i], 1e-4) << i;
  // No masks: matmul.
  EXPECT_EQ(to_doubles(mx::block_masked_mm(a, b, 64)), to_doubles(mx::matmul(a, b)));
}

TEST(BlockMaskedMM, Errors) {
  mx::array a = mx::ones({64, 64}), m = mx::array({true});
  EXPECT_EQ(mlxtest::invalid_argument_message([&] { mx::block_masked_mm(a, a, 16, m); }),
            "[block_masked_mm] Only block_sizes 32, 64 are supported. Got block size 16.");
  EXPECT_EQ(mlxtest::invalid_argument_message([&] {
              mx::block_masked_mm(a, a, 32, mx::ones({3, 2}, mx::bool_));
            }),
            "[block_masked_mm] mask_out with shape (3,2) does not broadcast to the block shape "
            "(2,2).");
  EXPECT_EQ(mlxtest::invalid_argument_message([&] {
              mx::block_masked_mm(mx::ones({2, 2}, mx::int32), mx::ones({2, 2}, mx::int32), 32, m);
            }).rfind("[block_masked_mm] Only real floating point types", 0),
            0u);
}

// ---- errors ------------------------------------------------------------------------------

TEST(MatmulErrors, Table) {
  using mlxtest::invalid_argument_message;
  mx::array m23 = mx::ones({2, 3}), m34 = mx::ones({3, 4}), s = mx::array(1.f);
  EXPECT_EQ(invalid_argument_message([&] { mx::matmul(s, m23); }),
            "[matmul] Got 0 dimension input. Inputs must have at least one dimension.");
  EXPECT_EQ(invalid_argument_message([&] { mx::matmul(m23, m23); }),
            "[matmul] Last dimension of first input with shape (2,3) must match second to last "
            "dimension of second input with shape (2,3).");
  EXPECT_EQ(invalid_argument_message([&] { mx::matmul(mx::ones({4}), m34); }),
            "[matmul] Last dimension of first input with shape (1,4) must match second to last "
            "dimension of second input with shape (3,4).");
  EXPECT_EQ(invalid_argument_message([&] { mx::matmul(mx::array({1, 2}), mx::array({1, 2})); }),
            "[matmul] Only inexact types are supported but int32 and int32 were provided which "
            "results in int32, which is not a floating point type.");
  EXPECT_EQ(invalid_argument_message([&] {
              mx::matmul(mx::array({true}), mx::array({false}));
            }).rfind("[matmul] Only inexact types", 0),
            0u);
  EXPECT_EQ(invalid_argument_message([&] { mx::matmul(mx::ones({2, 2, 3}), mx::ones({3, 3, 4})); }),
            "[matmul] Batch dimensions of inputs with shapes (2,2,3) and (3,3,4) cannot be "
            "broadcast.");
  EXPECT_EQ(invalid_argument_message([&] { mx::addmm(m23, s, m23); }),
            "[addmm] Got 0 dimension input. Inputs must have at least one dimension.");
  EXPECT_EQ(invalid_argument_message([&] { mx::addmm(s, m23, m23); }).rfind("[addmm] Last dim", 0),
            0u);
  EXPECT_EQ(invalid_argument_message([&] { mx::addmm(mx::ones({3}), m23, m34); }),
            "[addmm] Input c with shape (3,) must broadcast to the output shape (2,4).");
  EXPECT_EQ(invalid_argument_message([&] {
              mx::addmm(mx::array(1), mx::array({1, 2}), mx::array({1, 2}));
            }),
            "[addmm] Only real floating point types are supported but int32, int32 and int32 "
            "were provided which results in int32, which is not a real floating point type.");
  mx::array a3 = mx::ones({2, 3, 4});
  EXPECT_EQ(invalid_argument_message([&] { mx::tensordot(a3, m34, {0}, {0, 1}); }),
            "[tensordot] axes must have the same size. Got 1 and 2 axes.");
  EXPECT_EQ(invalid_argument_message([&] { mx::tensordot(a3, m34, {0}, {0}); }),
            "[tensordot] a and b must have the same shape on the contracted axes. Got 2 (axis 0 "
            "of (2,3,4)) and 3 (axis 0 of (3,4)).");
  EXPECT_EQ(invalid_argument_message([&] { mx::tensordot(a3, m34, {3}, {0}); }),
            "[tensordot] Invalid axis 3 for array with 3 dimensions.");
  EXPECT_EQ(invalid_argument_message([&] { mx::tensordot(a3, mx::ones({4, 4}), {2, 2}, {0, 1}); }),
            "[tensordot] Received duplicate axis 2.");
  EXPECT_EQ(invalid_argument_message([&] { mx::tensordot(a3, m34, -1); }),
            "[tensordot] axis must be greater or equal to 0. Got -1.");
  EXPECT_EQ(invalid_argument_message([&] { mx::tensordot(a3, m34, 3); }),
            "[tensordot] axis must be less than the number of dimensions of a and b. Got 3 for "
            "shapes (2,3,4) and (3,4).");
  EXPECT_EQ(invalid_argument_message([&] { mx::tensordot(mx::ones({3}, mx::int32), mx::ones({3}, mx::int32), 1); }),
            "[tensordot] Only inexact types are supported but int32 and int32 were provided.");
  EXPECT_EQ(invalid_argument_message([&] { mx::inner(m23, m34); }),
            "[inner] a and b must have the same last dimension. Got shapes (2,3) and (3,4).");
  EXPECT_EQ(invalid_argument_message([&] { mx::kron(mx::zeros({0}), m23); }),
            "[kron] Input arrays cannot be empty. Got shapes (0,) and (2,3).");
  EXPECT_EQ(invalid_argument_message([&] { mx::diagonal(mx::ones({3})); }),
            "[diagonal] Array must have at least two dimensions, but got 1 dimensions.");
  EXPECT_EQ(mlxtest::exception_message<std::out_of_range>([&] { mx::diagonal(m23, 0, 0, 2); }),
            "[diagonal] Invalid axis2 2 for array with 2 dimensions.");
  EXPECT_EQ(mlxtest::exception_message<std::out_of_range>([&] { mx::diagonal(m23, 0, -3, 1); }),
            "[diagonal] Invalid axis1 -3 for array with 2 dimensions.");
  EXPECT_EQ(invalid_argument_message([&] { mx::diagonal(m23, 0, 1, -1); }),
            "[diagonal] axis1 and axis2 cannot be the same axis. Got 1 and -1.");
  EXPECT_EQ(invalid_argument_message([&] { mx::diag(a3); }),
            "[diag] array must be 1-D or 2-D, got array with 3 dimensions.");
  EXPECT_EQ(invalid_argument_message([&] { mx::trace(mx::ones({3})); }),
            "[trace] Array must have at least two dimensions, but got 1 dimensions.");
  EXPECT_EQ(mlxtest::exception_message<std::out_of_range>([&] { mx::trace(m23, 0, 0, 5); }),
            "[trace] Invalid axis2 5 for array with 2 dimensions.");
  EXPECT_EQ(invalid_argument_message([&] { mx::trace(m23, 0, 0, 0); }),
            "[trace] axis1 and axis2 cannot be the same axis. Got 0 and 0.");
}

}  // namespace
