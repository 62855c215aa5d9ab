// SPDX-License-Identifier: MIT
// Tests for mlx/fft/fft.hpp against NumPy's np.fft (fixtures generated once from the same
// input formulas with python3-numpy) and a double-precision naive DFT: lengths 1..1024
// including primes (Bluestein), long single transforms (four-step), crop/zero-pad, 2-d and
// n-d with axes, real transforms with odd and even n, shifts, strided views, dtypes, errors.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include "mlx/fft/fft.hpp"
#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace fft = mlx::core::fft;

namespace {

using cd = std::complex<double>;
using CVec = std::vector<cd>;

// The inputs NumPy saw: xr(j) = sin(0.37 j + 0.1) + 0.5 cos(1.3 j), xi(j) = cos(0.71 j) - 0.2.
double xr(int j) { return std::sin(0.37 * j + 0.1) + 0.5 * std::cos(1.3 * j); }
double xi(int j) { return std::cos(0.71 * j) - 0.2; }

/// c(n) as complex64 in `shape` (default (n,)).
mx::array cplx(int n, mx::Shape shape = {}) {
  std::vector<mx::complex64_t> v(n);
  for (int j = 0; j < n; ++j) v[j] = {static_cast<float>(xr(j)), static_cast<float>(xi(j))};
  if (shape.empty()) shape = {n};
  return mx::array(v.begin(), shape, mx::complex64);
}
/// xr(n) as float32 in `shape`.
mx::array real(int n, mx::Shape shape = {}) {
  std::vector<float> v(n);
  for (int j = 0; j < n; ++j) v[j] = static_cast<float>(xr(j));
  if (shape.empty()) shape = {n};
  return mx::array(v.begin(), shape, mx::float32);
}

/// The elements of a complex64 array in row-major order (any layout).
CVec values(mx::array a) {
  a.eval();
  EXPECT_EQ(a.dtype(), mx::complex64);
  a = mx::cpu::ensure_row_contiguous(a);
  const auto* p = a.data<mx::complex64_t>();
  return CVec(p, p + a.size());
}

/// Elementwise |got - want| <= tol * (1 + max |want|).
void expect_near(const CVec& got, const CVec& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 1;
  for (auto& w : want) scale = std::max(scale, std::abs(w));
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::abs(got[i] - want[i]), tol * scale) << what << " at " << i << ": got " << got[i]
                                                        << ", want " << want[i];
}
void expect_near_real(const std::vector<double>& got, const std::vector<double>& want, double tol,
                      const std::string& what) {
  CVec g(got.begin(), got.end()), w(want.begin(), want.end());
  expect_near(g, w, tol, what);
}

/// The DFT of x in double (sign -1 forward, +1 inverse without scaling).
CVec naive_dft(const CVec& x, int sign = -1) {
  const size_t n = x.size();
  CVec out(n), w(n);
  const double pi = 3.14159265358979323846;
  for (size_t t = 0; t < n; ++t) {
    const double a = sign * 2.0 * pi * static_cast<double>(t) / static_cast<double>(n);
    w[t] = cd(std::cos(a), std::sin(a));
  }
  for (size_t k = 0; k < n; ++k) {
    cd acc = 0;
    for (size_t j = 0, t = 0; j < n; ++j, t = (t + k) % n) acc += x[j] * w[t];
    out[k] = acc;
  }
  return out;
}
CVec c_values(int n) {
  CVec v(n);
  for (int j = 0; j < n; ++j) v[j] = cd(static_cast<float>(xr(j)), static_cast<float>(xi(j)));
  return v;
}

struct Spectrum {
  int n;
  CVec want;
};

// ---- 1-d complex transforms ------------------------------------------------------------

TEST(Fft, SmallLengthsMatchNumpy) {
  const std::vector<Spectrum> cases = {
  {1, {{0.599833417, 0.8}}},
  {2, {{1.18646912, 1.35836188}, {0.013197717, 0.241638124}}},
  {3, {{1.50266786, 1.30858735}, {0.675077772, 0.311501053}, {-0.378245381, 0.779911601}}},
  {5, {{3.30953369, -0.576788608}, {2.47291619, 2.01355867}, {-0.239007128, 1.1781979}, {-0.958187307, 0.904720616}, {-1.58608836, 0.480311418}}},
  {7, {{5.48599637, -2.33165856}, {1.58527996, 4.20477784}, {0.235482959, -0.132797369}, {0.1634251, 0.421564491}, {-0.0314382139, 0.703530872}, {-0.505221655, 1.52063527}, {-2.7346906, 1.21394746}}},
  {8, {{5.44853465, -2.27688742}, {-0.435876481, 4.29426832}, {0.874989075, -1.13667574}, {0.426940748, -0.0726961434}, {0.370379938, 0.193378246}, {0.341793173, 0.501481735}, {0.642293927, 1.80072645}, {-2.8703877, 3.09640455}}},
  {12, {{4.19324744, -0.530539696}, {-5.85353006, -0.485532462}, {3.37634368, 0.587305725}, {1.78446688, -1.97459719}, {1.41669263, -0.285277706}, {1.14986147, 0.280426302}, {0.911418197, 0.663189595}, {0.651870562, 1.02191241}, {0.30325456, 1.49583926}, {-0.348894826, 2.91662031}, {-2.04670108, -0.953209829}, {1.65997156, 6.86386328}}},
  {17, {{0.461284561, -3.98199817}, {1.20843005, -9.01051571}, {2.53952287, 8.80459803}, {0.520829799, 3.06675785}, {0.734526549, -2.53542539}, {0.599620742, -0.672595643}, {0.560504725, -0.281055449}, {0.538220909, -0.0769639837}, {0.522359853, 0.0765470339}, {0.509625095, 0.222406036}, {0.498725479, 0.390629659}, {0.489742403, 0.62982708}, {0.487146516, 1.09407349}, {0.554118865, 3.1221506}, {0.175266638, -1.95309896}, {-1.66157879, 7.35640027}, {1.45882182, 7.34826326}}},
  };
  for (auto& c : cases) {
    auto y = fft::fft(cplx(c.n));
    EXPECT_EQ(y.shape(), mx::Shape{c.n});
    expect_near(values(y), c.want, 2e-6, "fft n=" + std::to_string(c.n));
  }
}

TEST(Fft, LargerLengthsMatchNumpyAndNaiveDft) {
  // NumPy's values at bins 0, 1, n/3 and n-1; every bin against the double DFT.
  const std::vector<Spectrum> cases = {
  {64, {{3.18389973, -11.0162617}, {3.16186115, 2.68195874}, {0.667273804, -0.440638294}, {3.5290371, 0.940016408}}},
  {97, {{3.7343558, -19.7122696}, {3.82751984, 0.225052579}, {0.29824629, -0.286779591}, {3.83559198, -0.855321055}}},
  {1000, {{0.656390634, -199.999919}, {0.656521267, 0.0316388796}, {0.542559029, -0.255958738}, {0.656521268, -0.0314762319}}},
  {1024, {{3.17462781, -205.492319}, {3.15996352, -0.728646102}, {0.158002413, 1.02377846}, {3.19136269, -0.656195116}}},
  };
  for (auto& c : cases) {
    auto got = values(fft::fft(cplx(c.n)));
    const std::vector<int> ks = {0, 1, c.n / 3, c.n - 1};
    CVec at;
    for (int k : ks) at.push_back(got[k]);
    expect_near(at, c.want, 5e-6, "numpy bins n=" + std::to_string(c.n));
    expect_near(got, naive_dft(c_values(c.n)), 5e-6, "naive n=" + std::to_string(c.n));
  }
}

TEST(Fft, MoreLengthsAgainstNaiveDft) {
  // Every radix path and prime factors on both sides of the Bluestein threshold (23).
  for (int n : {4, 6, 9, 10, 11, 13, 15, 16, 23, 25, 29, 31, 32, 45, 49, 60, 81, 121, 127, 210, 256,
                 343, 500, 529, 2048, 3000, 4099}) {
    expect_near(values(fft::fft(cplx(n))), naive_dft(c_values(n)), 1e-5,
                "n=" + std::to_string(n));
  }
}

TEST(Fft, LongSingleTransforms) {
  // Four-step (smooth lengths from 4096) and Bluestein over a four-step inner transform:
  // selected bins against the double DFT, and the round trip.
  for (int n : {4096, 6000, 1 << 16, 65537}) {
    auto x = cplx(n);
    auto got = values(fft::fft(x));
    const CVec xs = c_values(n);
    const double pi = 3.14159265358979323846;
    double scale = 1;
    for (auto& v : got) scale = std::max(scale, std::abs(v));
    for (int k : {0, 1, 7, n / 3, n / 2, n - 1}) {
      cd acc = 0;
      for (int j = 0; j < n; ++j) {
        const double a = -2.0 * pi * static_cast<double>((static_cast<int64_t>(j) * k) % n) / n;
        acc += xs[j] * cd(std::cos(a), std::sin(a));
      }
      EXPECT_LE(std::abs(got[k] - acc), 2e-5 * scale) << "n=" << n << " k=" << k;
    }
    expect_near(values(fft::ifft(fft::fft(x))), xs, 2e-5, "round trip n=" + std::to_string(n));
  }
}

TEST(Fft, BatchesOfRowsAlongEitherAxis) {
  // Row counts that leave partial SIMD groups; the axis last (contiguous rows) and first.
  for (auto [rows, n] : std::vector<std::pair<int, int>>{{37, 12}, {5, 1000}, {17, 97}, {3, 1}}) {
    auto a = cplx(rows * n, {rows, n});
    const CVec flat = c_values(rows * n);
    auto got = values(fft::fft(a));
    CVec want;
    for (int r = 0; r < rows; ++r) {
      auto row = naive_dft(CVec(flat.begin() + r * n, flat.begin() + (r + 1) * n));
      want.insert(want.end(), row.begin(), row.end());
    }
    expect_near(got, want, 1e-5, "rows along -1");
    auto got0 = values(fft::fft(a, 0));
    CVec want0(flat.size());
    for (int c = 0; c < n; ++c) {
      CVec col(rows);
      for (int r = 0; r < rows; ++r) col[r] = flat[r * n + c];
      auto t = naive_dft(col);
      for (int r = 0; r < rows; ++r) want0[r * n + c] = t[r];
    }
    expect_near(got0, want0, 1e-5, "rows along 0");
  }
}

TEST(Fft, InverseCropAndPad) {
  const CVec ifft6 = {{0.78779787, -0.282423852}, {-0.359112439, 0.0564620343}, {-0.183198665, 0.17119911}, {-0.0710484892, 0.147544137}, {-0.018357572, 0.145969073}, {0.443752712, 0.561249498}};
  const CVec crop4 = {{2.07531771, 0.578076008}, {1.57250789, 0.83578868}, {-0.243253389, 0.922374932}, {-1.00523854, 0.86376038}};
  const CVec pad9 = {{4.72678722, -1.69454311}, {-2.00920552, 2.59810192}, {3.33874108, -0.739534974}, {-0.110145432, 0.875814441}, {0.091766801, -0.46577724}, {0.838025984, 0.881380166}, {-1.09919199, 1.02719466}, {0.960040063, -0.124345626}, {-1.33831746, 4.84170977}};
  expect_near(values(fft::ifft(cplx(6))), ifft6, 2e-6, "ifft");
  auto c4 = fft::fft(cplx(6), 4, -1);
  EXPECT_EQ(c4.shape(), mx::Shape{4});
  expect_near(values(c4), crop4, 2e-6, "fft n=4 crops");
  auto p9 = fft::fft(cplx(6), 9, 0);
  EXPECT_EQ(p9.shape(), mx::Shape{9});
  expect_near(values(p9), pad9, 2e-6, "fft n=9 zero-pads");
  // ifft with n: the inverse divides by the requested n.
  auto i9 = values(fft::ifft(cplx(6), 9, -1));
  CVec x9 = c_values(6);
  x9.resize(9);
  auto w9 = naive_dft(x9, +1);
  for (auto& v : w9) v /= 9.0;
  expect_near(i9, w9, 2e-6, "ifft n=9");
}

TEST(Fft, RoundTrips) {
  for (int n : {1, 2, 3, 5, 7, 8, 12, 17, 64, 97, 1000, 1024}) {
    auto x = cplx(n);
    expect_near(values(fft::ifft(fft::fft(x))), c_values(n), 2e-6, "ifft(fft) n=" + std::to_string(n));
    auto r = real(n);
    auto back = mlxtest::to_doubles(fft::irfft(fft::rfft(r), n, -1));
    std::vector<double> want(n);
    for (int j = 0; j < n; ++j) want[j] = static_cast<float>(xr(j));
    expect_near_real(back, want, 2e-6, "irfft(rfft) n=" + std::to_string(n));
  }
  auto a = cplx(60, {3, 4, 5});
  expect_near(values(fft::ifftn(fft::fftn(a))), c_values(60), 2e-6, "ifftn(fftn)");
  auto r = real(60, {3, 4, 5});
  auto back = mlxtest::to_doubles(fft::irfftn(fft::rfftn(r), {3, 4, 5}, {0, 1, 2}));
  std::vector<double> want(60);
  for (int j = 0; j < 60; ++j) want[j] = static_cast<float>(xr(j));
  expect_near_real(back, want, 2e-6, "irfftn(rfftn)");
}

// ---- real transforms -------------------------------------------------------------------

TEST(Fft, RfftMatchesNumpy) {
  const std::vector<Spectrum> cases = {
  {1, {{0.599833417, 0}}},
  {2, {{1.18646912, 0}, {0.013197717, 0}}},
  {5, {{3.30953369, 0}, {0.443413914, 0.766623626}, {-0.598597218, 0.136738644}}},
  {8, {{5.44853465, 0}, {-1.65313209, 0.598931883}, {0.758641501, -1.4687011}, {0.384366961, -0.287088939}, {0.370379938, 0}}},
  {12, {{4.19324744, 0}, {-2.09677925, -3.67469787}, {0.664821299, 0.770257777}, {0.717786024, -2.44560875}, {0.859973595, -0.890558484}, {0.900866015, -0.370743054}, {0.911418197, 0}}},
  {17, {{0.461284561, 0}, {1.33362593, -8.17938949}, {0.43897204, 0.724098882}, {0.348048218, 2.5099284}, {0.644322707, -2.828788}, {0.543383629, -0.883334568}, {0.525123564, -0.455441264}, {0.518473194, -0.233796821}, {0.515992474, -0.072929501}}},
  };
  for (auto& c : cases) {
    auto y = fft::rfft(real(c.n));
    EXPECT_EQ(y.dtype(), mx::complex64);
    EXPECT_EQ(y.shape(), mx::Shape{c.n / 2 + 1});
    expect_near(values(y), c.want, 2e-6, "rfft n=" + std::to_string(c.n));
  }
}

TEST(Fft, IrfftOddAndEvenN) {
  struct Case {
    int m, n;
    std::vector<double> want;
  };
  // irfft(c(m), n): n below, at and above 2 (m - 1), odd and even.
  const std::vector<Case> cases = {
  {5, 8, {0.598127248, -0.0339498029, -0.172011814, -0.0637818127, 0.0184844734, -0.0997585735, 0.472424792, -0.119701094}},
  {5, 9, {0.668803774, 0.0168540159, -0.254229907, 0.0616715254, -0.179726116, 0.14367109, -0.148764261, 0.593694206, -0.302140911}},
  {3, 4, {0.52232589, -0.20827227, -0.0643098099, 0.350089606}},
  {4, 7, {0.507257429, 0.00237606695, -0.255874742, 0.0777465082, -0.168548612, 0.393894229, 0.0429825378}},
  {9, 16, {0.63114037, 0.431629917, -0.408724925, -0.0263888323, 0.0303602788, -0.113884766, -0.0072023155, -0.041856125, -0.00362896981, 5.13835703e-05, 0.00344113146, 0.0372656581, 0.0594471723, 0.459341621, -0.104411022, -0.346747161}},
  };
  for (auto& c : cases) {
    auto y = fft::irfft(cplx(c.m), c.n, -1);
    EXPECT_EQ(y.dtype(), mx::float32);
    EXPECT_EQ(y.shape(), mx::Shape{c.n});
    expect_near_real(mlxtest::to_doubles(y), c.want, 2e-6,
                     "irfft m=" + std::to_string(c.m) + " n=" + std::to_string(c.n));
  }
  // The default n is 2 (m - 1).
  EXPECT_EQ(fft::irfft(cplx(5)).shape(), mx::Shape{8});
  expect_near_real(mlxtest::to_doubles(fft::irfft(cplx(5))), cases[0].want, 2e-6, "irfft default n");
}

// ---- 2-d and n-d -----------------------------------------------------------------------

TEST(Fft, TwoDAndNdWithAxes) {
  auto a = cplx(12, {3, 4});
  const CVec f2 = {{4.19324744, -0.530539696}, {1.78446688, -1.97459719}, {0.911418197, 0.663189595}, {-0.348894826, 2.91662031}, {-2.96849951, -2.87601832}, {0.483985353, 3.6326815}, {-1.85878739, 0.989098426}, {-1.4883664, -2.44786919}, {5.00120519, 5.14078604}, {2.44907143, 0.849281723}, {0.21760903, 1.11483677}, {-1.17845439, 2.12253003}};
  const CVec f0 = {{1.63505942, 0.268668255}, {2.04326168, 0.234908103}, {0.917273397, -0.202343305}, {-0.402347062, -0.831772748}, {-1.45791699, -0.175526897}, {-1.7975657, -0.473191248}, {-0.955726464, -0.767933051}, {1.24270965, -1.45936713}, {1.62235782, 2.30685864}, {1.51421112, 1.91336877}, {0.987049296, 0.820952766}, {0.877586965, 0.0996058609}};
  const CVec f2s = {{5.44853465, -2.27688742}, {0.611717992, -1.6486806}, {0.392371824, -0.987459359}, {1.02876918, 0.340694652}, {1.68885334, 2.79800964}, {-1.29789924, 3.43303944}, {1.37464392, 4.04192522}, {-0.231007451, 0.0243370616}, {0.409484393, 1.05104428}, {-3.42713445, 1.22397708}};
  expect_near(values(fft::fft2(a)), f2, 2e-6, "fft2");
  expect_near(values(fft::fftn(a)), f2, 2e-6, "fftn");
  expect_near(values(fft::fftn(a, {-1, 0})), f2, 2e-6, "fftn unsorted axes");
  expect_near(values(fft::fftn(a, {0})), f0, 2e-6, "fftn axes (0,)");
  expect_near(values(fft::fft(a, 0)), f0, 2e-6, "fft axis 0");
  auto s = fft::fft2(a, {2, 5}, {0, 1});
  EXPECT_EQ(s.shape(), (mx::Shape{2, 5}));
  expect_near(values(s), f2s, 2e-6, "fft2 s=(2,5)");
  // ifft2 undoes fft2.
  expect_near(values(fft::ifft2(fft::fft2(a))), c_values(12), 2e-6, "ifft2(fft2)");

  auto b = real(24, {2, 3, 4});
  const CVec rn = {{4.84043486, 0}, {-0.33449267, 0.155501258}, {-0.296256273, 0}, {-4.23700395, -1.89302316}, {-0.0281165054, 2.32577191}, {-1.06882316, 0.907015588}, {-4.23700395, 1.89302316}, {-1.89825207, 0.391612585}, {-1.06882316, -0.907015588}, {3.54606003, 0}, {1.77006472, -5.04671875}, {2.11909267, 0}, {6.26970964, -6.1237812}, {-0.666352534, -0.815620434}, {-0.572355204, -1.03275394}, {6.26970964, 6.1237812}, {2.8589571, 2.90553833}, {-0.572355204, 1.03275394}};
  const CVec r02 = {{-1.21119102, 0}, {-0.753620414, 0.957628584}, {-0.811300865, 0}, {4.11875037, 0}, {-0.348779831, 0.138797972}, {-0.266143398, 0}, {1.9328755, 0}, {0.767907575, -0.940925298}, {0.781187989, 0}, {5.36182644, 0}, {1.32088976, -0.985600284}, {0.324794086, 0}, {2.62768352, 0}, {1.29879349, -3.04822847}, {1.49341005, 0}, {-4.44344993, 0}, {-0.849618529, -1.01289}, {0.300888527, 0}};
  const std::vector<double> back = {0.599833417, 0.5866357, 0.316198743, 0.572649849, 1.23421598, 1.41725353, 0.759209154, -0.0374617189, -0.198989977, 0.0393724568, -0.1581345, -0.937535192, -1.48226659, -1.16542253, -0.445011507, -0.193808096, -0.445454154, -0.390429072, 0.378332504, 1.20308415, 1.26145964, 0.719012071, 0.452696586, 0.754994422};
  auto y = fft::rfftn(b);
  EXPECT_EQ(y.shape(), (mx::Shape{2, 3, 3}));
  expect_near(values(y), rn, 2e-6, "rfftn");
  auto y02 = fft::rfft2(b, {0, 2});
  EXPECT_EQ(y02.shape(), (mx::Shape{2, 3, 3}));
  expect_near(values(y02), r02, 2e-6, "rfft2 axes (0,2)");
  expect_near_real(mlxtest::to_doubles(fft::irfftn(y)), back, 2e-6, "irfftn");

  auto c = cplx(24, {2, 3, 4});
  const CVec in = {{0.201684786, -0.228844583}, {-0.0479056301, 0.0366800145}, {-0.0123440114, 0.0332643039}, {0.020031241, 0.0496384527}, {-0.204846431, 0.00393605335}, {0.0551853753, 0.021155738}, {0.0203926012, -0.00728952128}, {0.0241095765, -0.00714273247}, {-0.148237232, -0.153815877}, {-0.182297249, -0.0397771146}, {-0.109461198, 0.068295111}, {-0.0575284174, 0.214970064}, {0.147752501, 0.184632941}, {0.0188310612, 0.206371678}, {0.0882955278, 0.0220014957}, {0.128674332, -0.214188218}, {0.621613531, 0.424462784}, {-0.153389908, 0.155721764}, {-0.00225851535, 0.100192586}, {0.17997971, 0.0779162094}, {-0.0991377273, -0.0858523165}, {0.0582667152, -0.164211985}, {-0.0454377517, 0.0141297578}, {0.0978605302, 0.0877533949}};
  const std::vector<double> i2 = {0.397432362, 0.172610605, -0.138064688, -0.0119205606, -0.0539156149, 0.178877703, 0.416803645, -0.192447287, -0.10519087, -0.0171973773, 0.105044689, 0.333773139, -0.317877315, -0.0773764182, 0.112643169, -0.0564971198, 0.169366256, -0.316230901, 0.0109091927, 0.0750270927, 0.0774716688, 0.000843480232, 0.094620699, -0.48095917, -0.843495334, 0.285663305, 0.140622518, 0.0221181056, -0.0724810286, -0.283531261, 0.0164290143, -0.0456151574, -0.197018108, 0.00243233875, -0.0650959678, -0.220207983};
  const std::vector<double> i35 = {0.188001987, 0.199442076, 0.182359648, 0.156333671, -0.0425981324, -0.0143471302, 0.0445033421, 0.126527748, 0.0238591138, -0.0969110631, -0.220374837, -0.292073231, -0.224130349, -0.139291108, -0.0179377561, 0.0760743835, -0.239277012, -0.141821718, -0.0314879849, 0.0594180125, 0.232530311, 0.343728597, 0.170808505, -0.114387668, 0.316516624, 0.220413932, -0.00385895251, -0.10993316, 0.330393832, 0.431879578, 0.377369513, 0.22143905, -0.39187309, -0.322820009, -0.106049259, 0.107086715, 0.195517125, 0.0575317311, 0.0502336783, 0.274499691, 0.113524787, 0.156806861, -0.0494985431, -0.317414798, 0.355735423, 0.312169093, 0.296061534, 0.412546894, -0.149552502, -0.106437747, -0.0248593399, 0.00916552104, -0.19675803, -0.439297715, -0.412132308, -0.100158211, 0.0879433273, 0.125590322, 0.0610615039, 0.0635252308};
  expect_near(values(fft::ifftn(c)), in, 2e-6, "ifftn");
  auto r2 = fft::irfft2(c);
  EXPECT_EQ(r2.shape(), (mx::Shape{2, 3, 6}));
  expect_near_real(mlxtest::to_doubles(r2), i2, 2e-6, "irfft2");
  auto r35 = fft::irfftn(c, {3, 5}, {0, 1});
  EXPECT_EQ(r35.shape(), (mx::Shape{3, 5, 4}));
  expect_near_real(mlxtest::to_doubles(r35), i35, 2e-6, "irfftn s=(3,5) axes (0,1)");
}

// ---- shifts ----------------------------------------------------------------------------

TEST(Fft, Shifts) {
  const std::vector<std::vector<double>> want = {
    {3, 4, 0, 1, 2},
    {2, 3, 4, 0, 1},
    {3, 4, 5, 0, 1, 2},
    {3, 4, 5, 0, 1, 2},
    {10, 11, 8, 9, 2, 3, 0, 1, 6, 7, 4, 5},
    {2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9},
  };
  auto a5 = mx::arange(5), a6 = mx::arange(6), a12 = mx::reshape(mx::arange(12), {3, 4});
  EXPECT_EQ(mlxtest::to_doubles(fft::fftshift(a5)), want[0]);
  EXPECT_EQ(mlxtest::to_doubles(fft::ifftshift(a5)), want[1]);
  EXPECT_EQ(mlxtest::to_doubles(fft::fftshift(a6)), want[2]);
  EXPECT_EQ(mlxtest::to_doubles(fft::ifftshift(a6)), want[3]);
  EXPECT_EQ(mlxtest::to_doubles(fft::fftshift(a12)), want[4]);
  EXPECT_EQ(mlxtest::to_doubles(fft::ifftshift(a12, {1})), want[5]);
  EXPECT_EQ(mlxtest::to_doubles(fft::ifftshift(fft::fftshift(a5))), mlxtest::to_doubles(a5));
  EXPECT_EQ(fft::fftshift(a5).dtype(), mx::int32);
  // No axes: unchanged, as in MLX.
  EXPECT_EQ(mlxtest::to_doubles(fft::fftshift(a12, std::vector<int>{})), mlxtest::to_doubles(a12));
}

// ---- layouts and dtypes ----------------------------------------------------------------

TEST(Fft, StridedInputs) {
  const CVec tr = {{1.63505942, 0.268668255}, {-1.45791699, -0.175526897}, {1.62235782, 2.30685864}, {2.04326168, 0.234908103}, {-1.7975657, -0.473191248}, {1.51421112, 1.91336877}, {0.917273397, -0.202343305}, {-0.955726464, -0.767933051}, {0.987049296, 0.820952766}, {-0.402347062, -0.831772748}, {1.24270965, -1.45936713}, {0.877586965, 0.0996058609}};
  const CVec rtr = {{1.63505942, 0}, {0.082220414, -1.24119277}, {2.04326168, 0}, {-0.141677293, -1.19328001}, {0.917273397, 0}, {0.0156614162, -0.794442909}, {-0.402347062, 0}, {1.06014831, -0.779486493}};
  auto t = mx::transpose(cplx(12, {3, 4}));  // a (4,3) view with strides (1,4)
  expect_near(values(fft::fft(t)), tr, 2e-6, "fft of a transposed view");
  auto rt = mx::transpose(real(12, {3, 4}));
  expect_near(values(fft::rfft(rt)), rtr, 2e-6, "rfft of a transposed view");
  // A reversed slice (negative stride): fft(x[::-1]).
  auto x = cplx(8);
  auto rev = mx::slice(x, {7}, {-9}, {-1});
  CVec xs = c_values(8), xr8(xs.rbegin(), xs.rend());
  expect_near(values(fft::fft(rev)), naive_dft(xr8), 2e-6, "fft of a reversed view");
  // A broadcast input (zero strides): each row is the same.
  auto b = mx::broadcast_to(cplx(5), {3, 5});
  auto got = values(fft::fft(b));
  auto row = naive_dft(c_values(5));
  CVec want;
  for (int r = 0; r < 3; ++r) want.insert(want.end(), row.begin(), row.end());
  expect_near(got, want, 2e-6, "fft of a broadcast");
  // Transposed input of a 2-d transform.
  expect_near(values(fft::fft2(t)), values(fft::fft2(mx::contiguous(t))), 1e-6, "fft2 of a view");
}

TEST(Fft, Dtypes) {
  auto i = mx::array({1, 2, 3, 4}, mx::int32);
  auto fi = fft::fft(i);
  EXPECT_EQ(fi.dtype(), mx::complex64);
  expect_near(values(fi), naive_dft({1, 2, 3, 4}), 1e-6, "int32 input");
  auto h = mx::array({1.0f, 2.0f, 3.0f, 4.0f}, mx::float16);
  expect_near(values(fft::fft(h)), naive_dft({1, 2, 3, 4}), 1e-6, "float16 input");
  auto bh = mx::array({1.0f, 2.0f, 3.0f, 4.0f}, mx::bfloat16);
  expect_near(values(fft::rfft(bh)), CVec{10, {-2, 2}, -2}, 1e-6, "bfloat16 rfft");
  auto d = mx::array({1.0f, 2.0f, 3.0f, 4.0f}, mx::float64);
  EXPECT_EQ(fft::fft(d).dtype(), mx::complex64);
  auto bo = mx::array({1, 0, 1, 1}, mx::bool_);
  expect_near(values(fft::fft(bo)), naive_dft({1, 0, 1, 1}), 1e-6, "bool input");
  EXPECT_EQ(fft::irfft(i).dtype(), mx::float32);
  EXPECT_EQ(fft::irfft(i).shape(), mx::Shape{6});
  // rfft of a complex input uses its real part (MLX casts to float32).
  expect_near(values(fft::rfft(cplx(8))), values(fft::rfft(real(8))), 1e-6, "rfft of complex");
}

TEST(Fft, EmptyArrays) {
  auto e = mx::zeros({0, 4}, mx::complex64);
  auto y = fft::fft(e);
  EXPECT_EQ(y.shape(), (mx::Shape{0, 4}));
  EXPECT_EQ(values(y).size(), 0u);
  auto r = fft::rfft(mx::zeros({3, 0, 8}));
  EXPECT_EQ(r.shape(), (mx::Shape{3, 0, 5}));
  r.eval();
  // No axes: the input itself, as in MLX.
  auto a = cplx(4);
  EXPECT_EQ(fft::fftn(a, std::vector<int>{}).id(), a.id());
}

TEST(Fft, Errors) {
  using mlxtest::invalid_argument_message;
  auto x = cplx(8), m = cplx(12, {3, 4});
  struct Case {
    std::string want;
    std::function<void()> f;
  };
  const std::vector<Case> cases = {
      {"[fft] Requires array with at least one dimension.", [] { fft::fft(mx::array(1.0f)); }},
      {"[fft] Invalid axis 1 for array with 1 dimensions.", [&] { fft::fft(x, 1); }},
      {"[ifft] Invalid axis -2 for array with 1 dimensions.", [&] { fft::ifft(x, -2); }},
      {"[fft] Invalid FFT output size requested (0,).", [&] { fft::fft(x, 0, -1); }},
      {"[rfft] Invalid FFT output size requested (-3,).", [&] { fft::rfft(x, -3, 0); }},
      {"[fftn] Duplicated axis received (0,-2).", [&] { fft::fftn(m, {0, -2}); }},
      {"[rfft2] Duplicated axis received (1,1).", [&] { fft::rfft2(m, {1, 1}); }},
      {"[fft2] Invalid axis -2 for array with 1 dimensions.", [&] { fft::fft2(mx::array({1.0f})); }},
      {"[ifftn] Shape and axes have different sizes. Got n (4,) and axes (0,1).",
       [&] { fft::ifftn(m, {4}, {0, 1}); }},
      {"[irfft] Invalid FFT output size requested (0,).", [] { fft::irfft(mx::array({1.0f})); }},
      {"[irfftn] Invalid FFT output size requested (3,0).", [&] { fft::irfftn(m, {3, 0}, {0, 1}); }},
      {"[fftshift] Invalid axis 2 for array with 2 dimensions.", [&] { fft::fftshift(m, {2}); }},
      {"[ifftshift] Invalid axis -3 for array with 2 dimensions.", [&] { fft::ifftshift(m, {-3}); }},
  };
  for (auto& c : cases) EXPECT_EQ(invalid_argument_message(c.f), c.want);
}

}  // namespace
