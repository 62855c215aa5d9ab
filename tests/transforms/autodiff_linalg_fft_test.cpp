// SPDX-License-Identifier: MIT
// The derivative rules of the fft and linalg primitives (transforms/rules_linalg_fft.hpp)
// against central finite differences: vjp and jvp of every fft variant (float32 / complex64,
// so through a checker for linear maps with complex cotangents), and of inv, tri_inv,
// cholesky, cholesky_inv, solve, solve_triangular, eigh, eigvalsh, svd, norm's singular
// values, qr, pinv and cross in float64 (grad_check.hpp); second order; the primitives
// still without a rule throw.
#include <gtest/gtest.h>

#include <complex>
#include <string>
#include <vector>

#include "../error_message.hpp"
#include "grad_check.hpp"

namespace mx = mlx::core;
using mlxtest::check_gradients;
using mlxtest::f64;
using mlxtest::spread;
using mlxtest::to_doubles;
using V = std::vector<mx::array>;

namespace {

mx::array sample(const mx::Shape& shape, int seed, double lo = -1, double hi = 1) {
  return f64(spread(static_cast<size_t>(mx::shape_size(shape)), lo, hi, seed), shape);
}

// ---- linear maps of float32 / complex64 arrays ----------------------------------------------

bool is_cplx(const mx::array& a) { return a.dtype() == mx::complex64; }

/// a as real numbers: the real parts, then (complex) the imaginary parts.
std::vector<double> parts(const mx::array& a) {
  auto re = to_doubles(mx::real(a));
  if (!is_cplx(a)) return re;
  auto im = to_doubles(mx::imag(a));
  re.insert(re.end(), im.begin(), im.end());
  return re;
}

/// The array of `like`'s shape and dtype whose parts() are p.
mx::array from_parts(const std::vector<double>& p, const mx::array& like) {
  const size_t n = like.size();
  if (!is_cplx(like)) {
    std::vector<float> v(p.begin(), p.begin() + n);
    return mx::array(v.begin(), like.shape(), mx::float32);
  }
  std::vector<mx::complex64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = mx::complex64_t(float(p[i]), float(p[n + i]));
  return mx::array(v.begin(), like.shape(), mx::complex64);
}

mx::array random_like(const mx::array& like, int seed) {
  const size_t n = like.size() * (is_cplx(like) ? 2 : 1);
  return from_parts(spread(n, -1, 1, seed), like);
}

double rdot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

using Fn1 = std::function<mx::array(const mx::array&)>;

/// vjp and jvp of a linear map f of a float32 / complex64 array against the map itself:
/// for linear f, (f(x + e) - f(x - e)) / 2 is exactly J e, so the checks only meet float32
/// rounding. The cotangent's convention: the real inner product of C as R^2.
void check_linear(const std::string& name, const Fn1& f, const mx::array& x, double tol = 2e-5) {
  SCOPED_TRACE(name);
  mx::array y = f(x);
  mx::array u = random_like(y, 3);
  auto [out, g] = mx::vjp(f, x, u);
  ASSERT_EQ(g.shape(), x.shape());
  EXPECT_EQ(g.dtype(), x.dtype());
  mx::array v = random_like(x, 11);
  auto [out2, t] = mx::jvp(f, x, v);
  ASSERT_EQ(t.shape(), y.shape());
  EXPECT_EQ(t.dtype(), y.dtype());
  const auto up = parts(u), gp = parts(g), xp = parts(x), vp = parts(v), tp = parts(t);
  double scale = 0;
  for (double e : gp) scale = std::max(scale, std::abs(e));
  for (size_t j = 0; j < xp.size(); ++j) {
    auto at = [&](double d) {
      auto q = xp;
      q[j] += d;
      return rdot(parts(f(from_parts(q, x))), up);
    };
    const double fd = (at(1) - at(-1)) / 2;
    EXPECT_NEAR(gp[j], fd, tol * (1 + scale)) << "d/dx part " << j;
  }
  auto yp = parts(f(mx::array(x + v))), ym = parts(f(mx::array(x - v)));
  double tscale = 0;
  for (double e : tp) tscale = std::max(tscale, std::abs(e));
  for (size_t i = 0; i < tp.size(); ++i)
    EXPECT_NEAR(tp[i], (yp[i] - ym[i]) / 2, tol * (1 + tscale)) << "jvp part " << i;
  const double a = rdot(tp, up), b = rdot(vp, gp);
  EXPECT_NEAR(a, b, tol * (1 + std::abs(a))) << "<jvp(v), u> vs <v, vjp(u)>";
}

mx::array real32(const mx::Shape& shape, int seed) {
  return mx::array(mx::astype(sample(shape, seed), mx::float32));
}
mx::array cplx(const mx::Shape& shape, int seed) {
  const size_t n = static_cast<size_t>(mx::shape_size(shape));
  auto re = spread(n, -1, 1, seed), im = spread(n, -1, 1, seed + 100);
  std::vector<mx::complex64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = mx::complex64_t(float(re[i]), float(im[i]));
  return mx::array(v.begin(), shape, mx::complex64);
}

// ---- float64 matrices ---------------------------------------------------------------------

/// Well-conditioned (..., n, n): noise in [-0.3, 0.3) plus 2 on the diagonal.
mx::array well_conditioned(const mx::Shape& shape, int seed) {
  const int n = shape.back();
  return mx::array(sample(shape, seed, -0.3, 0.3) + mx::eye(n, mx::float64) * 2.0);
}
mx::array sym(const mx::array& x) { return mx::array((x + mx::swapaxes(x, -1, -2)) * 0.5); }
mx::array sq(const mx::array& x) { return mx::array(x * x); }

}  // namespace

// ---- FFT ---------------------------------------------------------------------------------------

TEST(AutodiffFFT, ComplexTransforms) {
  mx::array xr = real32({3, 6}, 1), xc = cplx({3, 6}, 2), x3 = cplx({2, 3, 4}, 3);
  check_linear("fft real input", [](const mx::array& a) { return mx::fft::fft(a); }, xr);
  check_linear("fft", [](const mx::array& a) { return mx::fft::fft(a); }, xc);
  check_linear("fft axis 0", [](const mx::array& a) { return mx::fft::fft(a, 0); }, xc);
  check_linear("fft crop", [](const mx::array& a) { return mx::fft::fft(a, 4, -1); }, xc);
  check_linear("fft pad", [](const mx::array& a) { return mx::fft::fft(a, 9, -1); }, xc);
  check_linear("ifft", [](const mx::array& a) { return mx::fft::ifft(a); }, xc);
  check_linear("ifft real input", [](const mx::array& a) { return mx::fft::ifft(a, 0); }, xr);
  check_linear("fft2", [](const mx::array& a) { return mx::fft::fft2(a); }, x3);
  check_linear("ifftn", [](const mx::array& a) { return mx::fft::ifftn(a, {2, 0}); }, x3);
  check_linear("fftn sizes", [](const mx::array& a) { return mx::fft::fftn(a, {3, 5}, {0, 2}); }, x3);
}

TEST(AutodiffFFT, RealTransforms) {
  // Even and odd lengths: the Nyquist bin exists only for even n.
  for (int n : {6, 7}) {
    mx::array x = real32({2, n}, n);
    check_linear("rfft n=" + std::to_string(n), [](const mx::array& a) { return mx::fft::rfft(a); }, x);
    check_linear("rfft crop", [](const mx::array& a) { return mx::fft::rfft(a, 5, -1); }, x);
    check_linear("rfft axis 0", [](const mx::array& a) { return mx::fft::rfft(a, 0); }, x);
  }
  mx::array x3 = real32({3, 4, 5}, 9);
  check_linear("rfft2", [](const mx::array& a) { return mx::fft::rfft2(a); }, x3);
  check_linear("rfftn", [](const mx::array& a) { return mx::fft::rfftn(a, {2, 0}); }, x3);
  check_linear("rfftn all", [](const mx::array& a) { return mx::fft::rfftn(a); }, x3);
}

TEST(AutodiffFFT, InverseRealTransforms) {
  mx::array xc = cplx({2, 4}, 4);  // 4 bins: n = 6 by default, 7 given
  check_linear("irfft", [](const mx::array& a) { return mx::fft::irfft(a); }, xc);
  check_linear("irfft n=7", [](const mx::array& a) { return mx::fft::irfft(a, 7, -1); }, xc);
  check_linear("irfft n=4 crops", [](const mx::array& a) { return mx::fft::irfft(a, 4, -1); }, xc);
  check_linear("irfft axis 0", [](const mx::array& a) { return mx::fft::irfft(a, 0); }, cplx({3, 2}, 5));
  check_linear("irfft real input", [](const mx::array& a) { return mx::fft::irfft(a); }, real32({2, 4}, 6));
  mx::array x3 = cplx({3, 4, 3}, 7);
  check_linear("irfft2", [](const mx::array& a) { return mx::fft::irfft2(a); }, x3);
  check_linear("irfftn odd", [](const mx::array& a) { return mx::fft::irfftn(a, {3, 5}, {0, 2}); }, x3);
  check_linear("irfftn all", [](const mx::array& a) { return mx::fft::irfftn(a); }, x3);
}

TEST(AutodiffFFT, RoundTripsAndRealLosses) {
  mx::array x = real32({2, 7}, 12);
  check_linear("irfft(rfft)", [](const mx::array& a) { return mx::fft::irfft(mx::fft::rfft(a), 7, -1); }, x);
  check_linear("ifft(fft)", [](const mx::array& a) { return mx::fft::ifft(mx::fft::fft(a)); }, cplx({5}, 13));
  // The vjps of the transforms scale complex arrays (elementwise complex work, whose
  // derivatives are not supported yet), so differentiating a vjp again throws.
  mx::array x0 = real32({2, 6}, 14);
  auto again = mlxtest::invalid_argument_message([&] {
    mx::vjp([&](const mx::array& u) {
      return mx::vjp([](const mx::array& a) { return mx::fft::rfft2(a); }, x0, u).second;
    }, cplx({2, 4}, 15), x0);
  });
  EXPECT_NE(again.find("Complex gradients are not supported yet."), std::string::npos) << again;
  // grad of a real loss after irfft (no complex elementwise work on the way).
  mx::array w = real32({2, 6}, 18);
  auto loss = [&](const mx::array& a) { return mx::sum(mx::array(mx::fft::irfft(mx::fft::rfft(a)) * w)); };
  auto g = mx::grad(loss)(x0);
  auto gv = to_doubles(g), wv = to_doubles(w);
  for (size_t i = 0; i < gv.size(); ++i) EXPECT_NEAR(gv[i], wv[i], 1e-5);  // irfft(rfft) = identity
}

// ---- inverses and solves -------------------------------------------------------------------------

TEST(AutodiffLinalg, Inverse) {
  check_gradients("inv", [](const V& a) { return mx::linalg::inv(a[0]); }, {well_conditioned({2, 3, 3}, 1)});
  // tri_inv reads one triangle: the other (here not zero) gets no gradient.
  for (bool upper : {false, true})
    check_gradients(upper ? "tri_inv upper" : "tri_inv lower",
                    [upper](const V& a) { return mx::linalg::tri_inv(a[0], upper); },
                    {well_conditioned({3, 3}, 2)});
}

TEST(AutodiffLinalg, Solve) {
  auto solve = [](const V& a) { return mx::linalg::solve(a[0], a[1]); };
  check_gradients("solve", solve, {well_conditioned({3, 3}, 3), sample({3, 2}, 4)});
  check_gradients("solve vector b", solve, {well_conditioned({2, 3, 3}, 5), sample({3}, 6)});
  check_gradients("solve a broadcast", solve, {well_conditioned({3, 3}, 7), sample({2, 3, 2}, 8)});
  check_gradients("solve b broadcast", solve, {well_conditioned({2, 3, 3}, 9), sample({1, 3, 2}, 10)});
  for (bool upper : {false, true})
    check_gradients(upper ? "solve_triangular upper" : "solve_triangular lower",
                    [upper](const V& a) { return mx::linalg::solve_triangular(a[0], a[1], upper); },
                    {well_conditioned({2, 3, 3}, 11), sample({2, 3, 2}, 12)});
  check_gradients("solve_triangular vector b",
                  [](const V& a) { return mx::linalg::solve_triangular(a[0], a[1]); },
                  {well_conditioned({3, 3}, 13), sample({3}, 14)});
}

TEST(AutodiffLinalg, Cholesky) {
  // The derivative is that of cholesky((A + Aᵀ) / 2): checked on symmetric inputs built
  // inside the function, and on A A^T + I.
  for (bool upper : {false, true}) {
    check_gradients(upper ? "cholesky upper sym" : "cholesky sym",
                    [upper](const V& a) { return mx::linalg::cholesky(sym(a[0]), upper); },
                    {well_conditioned({2, 3, 3}, 15)});
    check_gradients("cholesky gram",
                    [upper](const V& a) {
                      mx::array g = mx::array(mx::matmul(a[0], mx::swapaxes(a[0], -1, -2)) +
                                              mx::eye(4, mx::float64));
                      return mx::linalg::cholesky(g, upper);
                    },
                    {sample({4, 4}, 16)});
  }
  // cholesky_inv reads the factor's triangle only (the other holds noise here).
  for (bool upper : {false, true})
    check_gradients(upper ? "cholesky_inv upper" : "cholesky_inv lower",
                    [upper](const V& a) { return mx::linalg::cholesky_inv(a[0], upper); },
                    {well_conditioned({2, 3, 3}, 17)});
}

TEST(AutodiffLinalg, PseudoInverse) {
  mx::array tall = mx::array(sample({4, 3}, 18) + mx::eye(4, 3, 0, mx::float64) * 2.0);
  mx::array wide = mx::array(sample({2, 3, 5}, 19) + mx::eye(3, 5, 0, mx::float64) * 2.0);
  auto f = [](const V& a) { return mx::linalg::pinv(a[0]); };
  check_gradients("pinv tall", f, {tall});
  check_gradients("pinv wide", f, {wide});
  check_gradients("pinv square", f, {well_conditioned({3, 3}, 20)});
}

TEST(AutodiffLinalg, Cross) {
  auto f = [](int axis) { return [axis](const V& a) { return mx::linalg::cross(a[0], a[1], axis); }; };
  check_gradients("cross", f(-1), {sample({2, 3}, 21), sample({2, 3}, 22)});
  check_gradients("cross 2-component, broadcast", f(-1), {sample({4, 2}, 23), sample({3}, 24)});
  check_gradients("cross axis 0", f(0), {sample({3, 2}, 25), sample({2, 2}, 26)});
}

// ---- eigen-decompositions and SVD ---------------------------------------------------------------

namespace {
/// Symmetric (..., 4, 4) with eigenvalues near 1, 2, 3, 4 (well separated).
mx::array separated(const mx::Shape& shape, int seed) {
  mx::array d = mx::array(mx::reshape(mx::arange(1.0, 5.0, 1.0, mx::float64), {1, 4}) * mx::eye(4, mx::float64));
  return mx::array(sample(shape, seed, -0.2, 0.2) + d);
}
/// (m, n) with singular values near 3, 2, 1(.5) (well separated, none zero).
mx::array separated_sv(int m, int n, int seed) {
  const int k = std::min(m, n);
  std::vector<double> d(static_cast<size_t>(m) * n, 0.0);
  for (int i = 0; i < k; ++i) d[static_cast<size_t>(i) * n + i] = 3.5 - i;
  return mx::array(f64(d, {m, n}) + sample({m, n}, seed, -0.15, 0.15));
}
}  // namespace

TEST(AutodiffLinalg, Eigh) {
  for (std::string uplo : {"L", "U"}) {
    check_gradients("eigvalsh " + uplo,
                    [uplo](const V& a) { return mx::linalg::eigvalsh(sym(a[0]), uplo); },
                    {separated({2, 4, 4}, 27)});
    check_gradients("eigh values " + uplo,
                    [uplo](const V& a) { return mx::linalg::eigh(sym(a[0]), uplo).first; },
                    {separated({4, 4}, 28)});
    // v_i ∘ v_i does not depend on each eigenvector's sign.
    check_gradients("eigh vectors " + uplo,
                    [uplo](const V& a) { return sq(mx::linalg::eigh(sym(a[0]), uplo).second); },
                    {separated({2, 4, 4}, 29)});
  }
  // Both outputs in one loss.
  check_gradients("eigh both",
                  [](const V& a) {
                    auto [w, v] = mx::linalg::eigh(sym(a[0]));
                    return mx::array(mx::sum(sq(v) * mx::expand_dims(w, -2), -1));
                  },
                  {separated({4, 4}, 30)});
}

TEST(AutodiffLinalg, SingularValues) {
  for (auto [m, n] : {std::pair{3, 3}, std::pair{4, 3}, std::pair{3, 4}}) {
    const std::string shape = std::to_string(m) + "x" + std::to_string(n);
    check_gradients("svd values only " + shape,
                    [](const V& a) { return mx::linalg::svd(a[0], false)[0]; }, {separated_sv(m, n, 31)});
    check_gradients("svd S " + shape, [](const V& a) { return mx::linalg::svd(a[0])[1]; },
                    {separated_sv(m, n, 32)});
  }
  // norm reduces the singular values of any two axes.
  mx::array x = mx::array(mx::expand_dims(separated_sv(4, 3, 33), 1) + sample({4, 2, 3}, 34, -0.1, 0.1));
  check_gradients("nuclear norm axes (0, 2)",
                  [](const V& a) { return mx::linalg::norm(a[0], "nuc", std::vector<int>{0, 2}); }, {x});
  check_gradients("nuclear norm axes (2, 0) keepdims",
                  [](const V& a) { return mx::linalg::norm(a[0], "nuc", std::vector<int>{2, 0}, true); }, {x});
  check_gradients("2-norm", [](const V& a) { return mx::linalg::norm(a[0], 2.0, std::vector<int>{-2, -1}); },
                  {mx::array(mx::expand_dims(separated_sv(3, 4, 35), 0))});
}

TEST(AutodiffLinalg, SingularVectors) {
  for (auto [m, n] : {std::pair{3, 3}, std::pair{4, 3}, std::pair{3, 5}}) {
    const std::string shape = std::to_string(m) + "x" + std::to_string(n);
    const int k = std::min(m, n);
    // Squares of U's first k columns and of Vt's first k rows: invariant to the signs; the
    // completion columns are not functions of A.
    check_gradients("svd U " + shape,
                    [k](const V& a) {
                      mx::array u = mx::linalg::svd(a[0])[0];
                      return sq(mx::slice(u, {0, 0}, {u.shape(0), k}));
                    },
                    {separated_sv(m, n, 36)});
    check_gradients("svd Vt " + shape,
                    [k](const V& a) {
                      mx::array vt = mx::linalg::svd(a[0])[2];
                      return sq(mx::slice(vt, {0, 0}, {k, vt.shape(1)}));
                    },
                    {separated_sv(m, n, 37)});
    check_gradients("svd reconstruction " + shape,
                    [k](const V& a) {
                      auto usv = mx::linalg::svd(a[0]);
                      mx::array u = mx::slice(usv[0], {0, 0}, {usv[0].shape(0), k});
                      mx::array vt = mx::slice(usv[2], {0, 0}, {k, usv[2].shape(1)});
                      return mx::matmul(mx::array(u * mx::expand_dims(usv[1], 0)), vt);
                    },
                    {separated_sv(m, n, 38)});
  }
}

TEST(AutodiffLinalg, QR) {
  for (auto [m, n] : {std::pair{3, 3}, std::pair{5, 3}}) {
    const std::string shape = std::to_string(m) + "x" + std::to_string(n);
    mx::array a = separated_sv(m, n, 39);
    check_gradients("qr Q " + shape, [](const V& x) { return mx::linalg::qr(x[0]).first; }, {a});
    check_gradients("qr R " + shape, [](const V& x) { return mx::linalg::qr(x[0]).second; }, {a});
    check_gradients("qr Q R " + shape,
                    [](const V& x) {
                      auto [q, r] = mx::linalg::qr(x[0]);
                      return mx::array(mx::sum(q, 0) * mx::sum(r, 0));
                    },
                    {a});
  }
  mx::array wide = separated_sv(2, 3, 40);
  auto msg = mlxtest::runtime_error_message(
      [&] { mx::grad([](const mx::array& a) { return mx::sum(mx::linalg::qr(a).first); })(wide); });
  EXPECT_NE(msg.find("[linalg::qr] The derivative is only implemented for m >= n"), std::string::npos) << msg;
}

// ---- second order and what still has no rule --------------------------------------------------------

TEST(AutodiffLinalg, SecondOrder) {
  // The rules are built from differentiable ops: the gradient of a gradient.
  mx::array w = sample({3, 3}, 41);
  check_gradients("grad of sum(inv(a) * w)",
                  [w](const V& a) {
                    return mx::grad([w](const mx::array& x) { return mx::sum(mx::array(mx::linalg::inv(x) * w)); })(a[0]);
                  },
                  {well_conditioned({3, 3}, 42)});
  check_gradients("grad of sum(cholesky(sym a) * w)",
                  [w](const V& a) {
                    return mx::grad([w](const mx::array& x) {
                      return mx::sum(mx::array(mx::linalg::cholesky(sym(x)) * w));
                    })(a[0]);
                  },
                  {well_conditioned({3, 3}, 43)}, 1e-5);
  check_gradients("grad of sum(eigvalsh(sym a)^2)",
                  [](const V& a) {
                    return mx::grad([](const mx::array& x) { return mx::sum(sq(mx::linalg::eigvalsh(sym(x)))); })(a[0]);
                  },
                  {separated({4, 4}, 44)}, 1e-5);
}

TEST(AutodiffLinalg, PrimitivesWithoutARuleThrow) {
  mx::array a = well_conditioned({3, 3}, 45);
  auto vjp_msg = [](auto f, const mx::array& x) {
    return mlxtest::runtime_error_message([&] { mx::grad(f)(x); });
  };
  EXPECT_NE(vjp_msg([](const mx::array& x) { return mx::sum(mx::linalg::lu(x)[2]); }, a).find("[LUF] has no VJP rule."),
            std::string::npos);
  EXPECT_NE(vjp_msg([](const mx::array& x) { return mx::sum(mx::linalg::lu_factor(x).first); }, a)
                .find("[LUF] has no VJP rule."),
            std::string::npos);
  auto jvp_msg = mlxtest::runtime_error_message(
      [&] { mx::jvp([](const mx::array& x) { return mx::linalg::lu(x)[1]; }, a, a); });
  EXPECT_NE(jvp_msg.find("[LUF] has no JVP rule."), std::string::npos) << jvp_msg;
  auto eig_msg = mlxtest::runtime_error_message(
      [&] { mx::vjp([](const mx::array& x) { return mx::linalg::eigvals(x); }, a, mx::zeros({3}, mx::complex64)); });
  EXPECT_NE(eig_msg.find("[Eig] has no VJP rule."), std::string::npos) << eig_msg;
  // Complex inputs of the linalg rules: not yet.
  mx::array c = mx::array(mx::astype(a, mx::complex64));
  auto cplx_msg = mlxtest::invalid_argument_message(
      [&] { mx::vjp([](const mx::array& x) { return mx::linalg::eigvalsh(x); }, c, mx::ones({3})); });
  EXPECT_NE(cplx_msg.find("[linalg::eigh] Complex gradients are not supported yet."), std::string::npos)
      << cplx_msg;
}
