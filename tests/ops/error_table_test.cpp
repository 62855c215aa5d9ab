// SPDX-License-Identifier: MIT
// The error table: every public op called with invalid arguments (bad axes, mismatched
// shapes, wrong dtypes, negative sizes, empty inputs) must throw the typed exception MLX
// throws, with "[op]" and the offending value in the message. The rows are here (random,
// linalg, fft) and in error_table_core_test.cpp / error_table_shape_test.cpp (tests/ops/
// error_table.hpp); the coverage test reads docs/mlx_api/*.txt and fails for every public
// name with neither a row nor an exemption below, so a new op without validation shows up.
//
// Standalone: g++ -std=c++20 -Iinclude -Itests tests/ops/error_table*_test.cpp -lgtest
// -lgtest_main -pthread -lopenblas -llapacke -DMLXPP_WITH_OPENBLAS=1, run with
// MLXPP_TEST_ROOT=<repo>/tests.
#include "error_table.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../error_message.hpp"

namespace {

using namespace errtable;
namespace rnd = mx::random;
namespace la = mx::linalg;
namespace fft = mx::fft;

const mx::Device cpu = mx::Device::cpu;

const Register rows({
    // ---- random ------------------------------------------------------------------------
    ROW(random, bits, "value", invalid_argument, "got 3", (void)rnd::bits({2}, 3)),
    ROW(random, bits, "size", invalid_argument, "(-1,)", (void)rnd::bits({-1})),
    ROW(random, bits, "dtype", invalid_argument, "key type uint32 but received int32", (void)rnd::bits({2}, 4, i32({2}))),
    ROW(random, bits, "shape", invalid_argument, "key shape (2,) but received (3,)", (void)rnd::bits({2}, 4, u32({3}))),
    ROW(random, split, "dtype", invalid_argument, "received float32", (void)rnd::split(f32({2}))),
    ROW(random, split, "size", invalid_argument, "Got -1", (void)rnd::split(rnd::key(0), -1)),
    ROW(random, split, "shape", invalid_argument, "received (2,2)", (void)rnd::split(u32({2, 2}), 3)),
    ROW(random, uniform, "dtype", invalid_argument, "int32", (void)rnd::uniform({2}, mx::int32)),
    ROW(random, uniform, "dtype", invalid_argument, "float64", (void)rnd::uniform({2}, mx::float64)),
    ROW(random, uniform, "size", invalid_argument, "(-2,)", (void)rnd::uniform({-2})),
    ROW(random, uniform, "shape", invalid_argument, "shape (2,) from parameters of shape (3,)", (void)rnd::uniform(f32({3}), f32({}), {2})),
    ROW(random, normal, "dtype", invalid_argument, "int32", (void)rnd::normal({2}, mx::int32)),
    ROW(random, normal, "size", invalid_argument, "(-1,)", (void)rnd::normal({-1})),
    ROW(random, normal, "shape", invalid_argument, "from parameters of shape (3,)", (void)rnd::normal({2}, mx::float32, f32({3}), std::nullopt, std::nullopt)),
    ROW(random, randint, "dtype", invalid_argument, "float32", (void)rnd::randint(0, 10, {2}, mx::float32)),
    ROW(random, randint, "size", invalid_argument, "(-1,)", (void)rnd::randint(0, 10, {-1})),
    ROW(random, randint, "shape", invalid_argument, "from parameters of shape (3,)", (void)rnd::randint(i32({3}), i32({}), {2})),
    ROW(random, randint, "dtype", invalid_argument, "received int32", (void)rnd::randint(0, 10, {2}, mx::int32, i32({2}))),
    ROW(random, bernoulli, "dtype", invalid_argument, "int32", (void)rnd::bernoulli(i32({2}))),
    ROW(random, bernoulli, "shape", invalid_argument, "Shape of `p` (3,)", (void)rnd::bernoulli(f32({3}), mx::Shape{2})),
    ROW(random, bernoulli, "size", invalid_argument, "(-1,)", (void)rnd::bernoulli(f32({}), mx::Shape{-1})),
    ROW(random, truncated_normal, "dtype", invalid_argument, "int32", (void)rnd::truncated_normal(f32({}), f32({}), {2}, mx::int32)),
    ROW(random, truncated_normal, "shape", invalid_argument, "(3,)", (void)rnd::truncated_normal(f32({3}), f32({}), {2})),
    ROW(random, truncated_normal, "shape", invalid_argument, "Shapes of lower (2,) and upper (3,)", (void)rnd::truncated_normal(f32({2}), f32({3}))),
    ROW(random, gumbel, "dtype", invalid_argument, "int32", (void)rnd::gumbel({2}, mx::int32)),
    ROW(random, gumbel, "size", invalid_argument, "(-1,)", (void)rnd::gumbel({-1})),
    ROW(random, categorical, "axis", invalid_argument, "Invalid axis 1", (void)rnd::categorical(f32({3}), 1)),
    ROW(random, categorical, "size", invalid_argument, "Got -1", (void)rnd::categorical(f32({3}), 0, -1)),
    ROW(random, categorical, "empty", invalid_argument, "zero classes", (void)rnd::categorical(f32({2, 0}), -1)),
    ROW(random, categorical, "shape", invalid_argument, "Requested shape (3,)", (void)rnd::categorical(f32({2, 4}), -1, mx::Shape{3})),
    ROW(random, laplace, "dtype", invalid_argument, "int32", (void)rnd::laplace({2}, mx::int32)),
    ROW(random, laplace, "size", invalid_argument, "(-1,)", (void)rnd::laplace({-1})),
    ROW(random, permutation, "size", invalid_argument, "Got -1", (void)rnd::permutation(-1)),
    ROW(random, permutation, "shape", invalid_argument, "0-d", (void)rnd::permutation(f32({}))),
    ROW(random, permutation, "axis", invalid_argument, "Invalid axis 1", (void)rnd::permutation(f32({3}), 1)),
    ROW(random, multivariate_normal, "dtype", invalid_argument, "float16", (void)rnd::multivariate_normal(f32({2}), f32({2, 2}), {}, mx::float16)),
    ROW(random, multivariate_normal, "shape", invalid_argument, "(2,3)", (void)rnd::multivariate_normal(f32({2}), f32({2, 3}), {}, mx::float32)),
    ROW(random, multivariate_normal, "shape", invalid_argument, "(3,) and (2,2)", (void)rnd::multivariate_normal(f32({3}), f32({2, 2}), {}, mx::float32)),
    ROW(random, multivariate_normal, "shape", invalid_argument, "mean must have at least one dimension", (void)rnd::multivariate_normal(f32({}), f32({2, 2}), {}, mx::float32)),
    ROW(random, multivariate_normal, "size", invalid_argument, "(-1,)", (void)rnd::multivariate_normal(f32({2}), f32({2, 2}), {-1}, mx::float32)),

    // ---- linalg ------------------------------------------------------------------------
    ROW(linalg, norm, "axis", invalid_argument, "too many axes", (void)la::norm(f32({2, 2, 2}), std::vector<int>{0, 1, 2})),
    ROW(linalg, norm, "axis", invalid_argument, "Invalid axis 2", (void)la::norm(f32({2, 2}), 2)),
    ROW(linalg, norm, "axis", invalid_argument, "duplicate axis 1", (void)la::norm(f32({2, 2}), 2.0, std::vector<int>{1, 1})),
    ROW(linalg, norm, "value", invalid_argument, "Invalid ord 3", (void)la::norm(f32({2, 2}), 3.0, std::vector<int>{0, 1})),
    ROW(linalg, norm, "value", invalid_argument, "Invalid ord value 'abc'", (void)la::norm(f32({2, 2}), std::string("abc"))),
    ROW(linalg, norm, "shape", invalid_argument, "received 1 axis", (void)la::norm(f32({2}), std::string("fro"))),
    ROW(linalg, qr, "dtype", invalid_argument, "int32", (void)la::qr(i32({2, 2}), cpu)),
    ROW(linalg, qr, "shape", invalid_argument, "with 1 dimensions", (void)la::qr(f32({2}), cpu)),
    ROW(linalg, svd, "dtype", invalid_argument, "int32", (void)la::svd(i32({2, 2}), cpu)),
    ROW(linalg, svd, "shape", invalid_argument, "with 1 dimensions", (void)la::svd(f32({2}), cpu)),
    ROW(linalg, inv, "dtype", invalid_argument, "int32", (void)la::inv(i32({2, 2}), cpu)),
    ROW(linalg, inv, "shape", invalid_argument, "(2,3)", (void)la::inv(f32({2, 3}), cpu)),
    ROW(linalg, inv, "shape", invalid_argument, "with 0 dimensions", (void)la::inv(f32({}), cpu)),
    ROW(linalg, inv, "value", runtime_error, "singular", mx::eval(la::inv(mx::zeros({2, 2}), cpu))),
    ROW(linalg, tri_inv, "dtype", invalid_argument, "int32", (void)la::tri_inv(i32({2, 2}), false, cpu)),
    ROW(linalg, tri_inv, "shape", invalid_argument, "(2,3)", (void)la::tri_inv(f32({2, 3}), false, cpu)),
    ROW(linalg, cholesky, "dtype", invalid_argument, "int32", (void)la::cholesky(i32({2, 2}), false, cpu)),
    ROW(linalg, cholesky, "shape", invalid_argument, "(3,2)", (void)la::cholesky(f32({3, 2}), false, cpu)),
    ROW(linalg, cholesky, "value", runtime_error, "positive definite", mx::eval(la::cholesky(mx::negative(mx::eye(2)), false, cpu))),
    ROW(linalg, cholesky_inv, "dtype", invalid_argument, "int32", (void)la::cholesky_inv(i32({2, 2}), false, cpu)),
    ROW(linalg, cholesky_inv, "shape", invalid_argument, "with 1 dimensions", (void)la::cholesky_inv(f32({2}), false, cpu)),
    ROW(linalg, pinv, "dtype", invalid_argument, "complex64", (void)la::pinv(c64({2, 2}), cpu)),
    ROW(linalg, pinv, "shape", invalid_argument, "with 1 dimensions", (void)la::pinv(f32({2}), cpu)),
    ROW(linalg, lu, "dtype", invalid_argument, "int32", (void)la::lu(i32({2, 2}), cpu)),
    ROW(linalg, lu, "shape", invalid_argument, "with 1 dimensions", (void)la::lu(f32({2}), cpu)),
    ROW(linalg, lu_factor, "dtype", invalid_argument, "float16", (void)la::lu_factor(f16({2, 2}), cpu)),
    ROW(linalg, lu_factor, "shape", invalid_argument, "with 0 dimensions", (void)la::lu_factor(f32({}), cpu)),
    ROW(linalg, solve, "shape", invalid_argument, "(2,3)", (void)la::solve(f32({2, 3}), f32({2}), cpu)),
    ROW(linalg, solve, "shape", invalid_argument, "second input with shape (3,)", (void)la::solve(f32({2, 2}), f32({3}), cpu)),
    ROW(linalg, solve, "shape", invalid_argument, "Second input must have >= 1 dimensions", (void)la::solve(f32({2, 2}), f32({}), cpu)),
    ROW(linalg, solve, "dtype", invalid_argument, "int32", (void)la::solve(i32({2, 2}), i32({2}), cpu)),
    ROW(linalg, solve, "shape", invalid_argument, "cannot be broadcast", (void)la::solve(f32({2, 2, 2}), f32({3, 2, 1}), cpu)),
    ROW(linalg, solve, "value", runtime_error, "singular", mx::eval(la::solve(mx::zeros({2, 2}), f32({2}), cpu))),
    ROW(linalg, solve_triangular, "shape", invalid_argument, "with 1 dimensions", (void)la::solve_triangular(f32({2}), f32({2}), false, cpu)),
    ROW(linalg, solve_triangular, "dtype", invalid_argument, "complex64", (void)la::solve_triangular(c64({2, 2}), c64({2}), false, cpu)),
    ROW(linalg, cross, "axis", invalid_argument, "axis 1 invalid", (void)la::cross(f32({3}), f32({3}), 1)),
    ROW(linalg, cross, "size", invalid_argument, "size 2 or 3", (void)la::cross(f32({4}), f32({4}))),
    ROW(linalg, cross, "shape", invalid_argument, "Shapes (2,3) and (4,3)", (void)la::cross(f32({2, 3}), f32({4, 3}))),
    ROW(linalg, eig, "dtype", invalid_argument, "int32", (void)la::eig(i32({2, 2}), cpu)),
    ROW(linalg, eig, "shape", invalid_argument, "(2,3)", (void)la::eig(f32({2, 3}), cpu)),
    ROW(linalg, eigvals, "shape", invalid_argument, "with 1 dimensions", (void)la::eigvals(f32({2}), cpu)),
    ROW(linalg, eigvals, "dtype", invalid_argument, "bool", (void)la::eigvals(bl({2, 2}), cpu)),
    ROW(linalg, eigh, "value", invalid_argument, "UPLO must be 'L' or 'U'. Got 'X'", (void)la::eigh(f32({2, 2}), "X", cpu)),
    ROW(linalg, eigh, "shape", invalid_argument, "(3,2)", (void)la::eigh(f32({3, 2}), "L", cpu)),
    ROW(linalg, eigvalsh, "value", invalid_argument, "Got 'lower'", (void)la::eigvalsh(f32({2, 2}), "lower", cpu)),
    ROW(linalg, eigvalsh, "dtype", invalid_argument, "int32", (void)la::eigvalsh(i32({2, 2}), "L", cpu)),

    // ---- fft ---------------------------------------------------------------------------
    ROW(fft, fft, "axis", invalid_argument, "Invalid axis 1", (void)fft::fft(f32({4}), 1)),
    ROW(fft, fft, "size", invalid_argument, "requested (0,)", (void)fft::fft(f32({4}), 0, -1)),
    ROW(fft, fft, "shape", invalid_argument, "at least one dimension", (void)fft::fft(f32({}))),
    ROW(fft, ifft, "axis", invalid_argument, "Invalid axis -2", (void)fft::ifft(f32({4}), -2)),
    ROW(fft, ifft, "size", invalid_argument, "requested (-1,)", (void)fft::ifft(f32({4}), -1, 0)),
    ROW(fft, fft2, "axis", invalid_argument, "Duplicated axis", (void)fft::fft2(f32({4, 4}), {0, 0})),
    ROW(fft, fft2, "shape", invalid_argument, "Got n (4,) and axes (-2,-1)", (void)fft::fft2(f32({4, 4}), mx::Shape{4}, {-2, -1})),
    ROW(fft, fft2, "axis", invalid_argument, "for array with 1 dimensions", (void)fft::fft2(f32({4}))),
    ROW(fft, ifft2, "axis", invalid_argument, "Invalid axis 2", (void)fft::ifft2(f32({4, 4}), {0, 2})),
    ROW(fft, fftn, "axis", invalid_argument, "Invalid axis 3", (void)fft::fftn(f32({4, 4}), {3})),
    ROW(fft, fftn, "size", invalid_argument, "requested (4,0)", (void)fft::fftn(f32({4, 4}), {4, 0}, {0, 1})),
    ROW(fft, ifftn, "axis", invalid_argument, "Duplicated axis", (void)fft::ifftn(f32({4, 4}), {1, -1})),
    ROW(fft, ifftn, "shape", invalid_argument, "at least one dimension", (void)fft::ifftn(f32({}))),
    ROW(fft, rfft, "axis", invalid_argument, "Invalid axis 1", (void)fft::rfft(f32({4}), 1)),
    ROW(fft, rfft, "size", invalid_argument, "requested (0,)", (void)fft::rfft(f32({4}), 0, 0)),
    ROW(fft, irfft, "axis", invalid_argument, "Invalid axis 1", (void)fft::irfft(c64({4}), 1)),
    ROW(fft, irfft, "size", invalid_argument, "requested (0,)", (void)fft::irfft(c64({1}))),
    ROW(fft, rfft2, "axis", invalid_argument, "Duplicated axis", (void)fft::rfft2(f32({4, 4}), {1, 1})),
    ROW(fft, irfft2, "axis", invalid_argument, "Invalid axis -3", (void)fft::irfft2(c64({4, 4}), {-3, -1})),
    ROW(fft, rfftn, "shape", invalid_argument, "Got n (4,4) and axes (0,)", (void)fft::rfftn(f32({4, 4}), {4, 4}, {0})),
    ROW(fft, irfftn, "size", invalid_argument, "requested (4,-2)", (void)fft::irfftn(c64({4, 4}), {4, -2}, {0, 1})),
    ROW(fft, fftshift, "axis", invalid_argument, "Invalid axis 1", (void)fft::fftshift(f32({4}), {1})),
    ROW(fft, ifftshift, "axis", invalid_argument, "Invalid axis -2", (void)fft::ifftshift(f32({4}), {-2})),
});

// ---- names without rows ------------------------------------------------------------------

struct Exemption {
  std::string ns;
  std::vector<std::string> names;
  std::string reason;
};

/// Public names with no argument that can be invalid, and names we do not have. Keep this
/// short: an op that can reject anything needs a row instead.
const std::vector<Exemption>& exemptions() {
  static const std::vector<Exemption> e = {
      {"core",
       {"abs", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "conjugate", "cos",
        "cosh", "degrees", "exp", "expm1", "imag", "isfinite", "isinf", "isnan", "log", "log10",
        "log1p", "log2", "logical_not", "nan_to_num", "radians", "real", "reciprocal", "round",
        "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "square", "stop_gradient", "tan",
        "tanh"},
       "unary elementwise ops defined for every dtype and shape, 0-d and empty included "
       "(ElementwiseEdgeInputs below checks that); the unary ops that refuse a dtype "
       "(floor, erf, negative, ...) have rows"},
      {"core", {"copy", "contiguous", "atleast_1d", "atleast_2d", "atleast_3d", "depends"},
       "take any array (or list of arrays), 0-d and empty included"},
      {"core", {"astype"}, "every dtype converts to every other dtype"},
      {"core", {"zeros_like", "ones_like", "full_like"},
       "the shape comes from an existing array; every value and dtype is valid"},
      {"core", {"array_equal"}, "arrays of different shapes or dtypes compare as false (MLX)"},
      {"core", {"outer"}, "any two arrays: both are flattened and every dtype multiplies"},
      {"core", {"qqmm"},
       "not implemented here: needs the nvfp4/mxfp8 modes (docs/api-coverage.md)"},
      {"core", {"sparse_matmul_csr"}, "not implemented here (docs/api-coverage.md)"},
      {"random", {"key", "seed"}, "every uint64 seed is valid"},
  };
  return e;
}

/// Our public ops beyond MLX's lists that have rows (so that a misspelt row name fails).
const std::set<std::string>& extra_names() {
  static const std::set<std::string> s = {};
  return s;
}

std::string tag_of(const Row& r) {
  if (!r.tag.empty()) return "[" + r.tag + "]";
  return r.ns == "linalg" ? "[linalg::" + r.name + "]" : "[" + r.name + "]";
}

const char* type_name(Throws t) {
  switch (t) {
    case Throws::invalid_argument: return "std::invalid_argument";
    case Throws::out_of_range: return "std::out_of_range";
    case Throws::runtime_error: return "std::runtime_error";
  }
  return "?";
}

class ErrorTable : public ::testing::TestWithParam<Row> {};

TEST_P(ErrorTable, ThrowsTypedErrorNamingTheOp) {
  const Row& r = GetParam();
  std::string type, msg;
  try {
    r.call();
  } catch (const std::exception& e) {
    type = mlxtest::exception_type_name(e);
    msg = e.what();
  }
  ASSERT_FALSE(type.empty()) << r.ns << "::" << r.name << " (" << r.input << "): no exception";
  EXPECT_EQ(type, type_name(r.type)) << "message: " << msg;
  EXPECT_NE(msg.find(tag_of(r)), std::string::npos) << "message: " << msg << "\nwants " << tag_of(r);
  EXPECT_NE(msg.find(r.text), std::string::npos) << "message: " << msg << "\nwants " << r.text;
}

std::string row_name(const ::testing::TestParamInfo<Row>& info) {
  return info.param.ns + "_" + info.param.name + "_" + info.param.input + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Ops, ErrorTable, ::testing::ValuesIn(registry()), row_name);

/// The names of one docs/mlx_api list (one per line, '#' comments).
std::vector<std::string> read_names(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string w;
    if (words >> w) names.push_back(w);
  }
  return names;
}

TEST(ErrorTableCoverage, EveryPublicNameHasARowOrAnExemption) {
  const char* root = std::getenv("MLXPP_TEST_ROOT");
  ASSERT_NE(root, nullptr) << "MLXPP_TEST_ROOT must name <repo>/tests";
  const std::string docs = std::string(root) + "/../docs/mlx_api/";
  const std::vector<std::pair<std::string, std::string>> lists = {
      {"ops.txt", "core"}, {"einsum.txt", "core"}, {"random.txt", "random"},
      {"linalg.txt", "linalg"}, {"fft.txt", "fft"}};
  std::set<std::string> with_rows, exempt, listed;
  for (const auto& r : registry()) with_rows.insert(r.ns + "::" + r.name);
  for (const auto& e : exemptions())
    for (const auto& n : e.names) exempt.insert(e.ns + "::" + n);
  std::vector<std::string> missing, both;
  for (const auto& [file, ns] : lists) {
    auto names = read_names(docs + file);
    EXPECT_FALSE(names.empty()) << "no names read from " << docs + file;
    for (const auto& n : names) {
      const std::string key = ns + "::" + n;
      listed.insert(key);
      const bool row = with_rows.count(key) > 0, ex = exempt.count(key) > 0;
      if (!row && !ex) missing.push_back(key);
      if (row && ex) both.push_back(key);
    }
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += "  " + x + "\n";
    return s;
  };
  EXPECT_TRUE(missing.empty()) << missing.size()
                               << " public names have neither an error-table row nor an exemption:\n"
                               << join(missing);
  EXPECT_TRUE(both.empty()) << "names with rows that are also exempt (drop the exemption):\n" << join(both);
  std::vector<std::string> unknown;
  for (const auto& k : with_rows)
    if (!listed.count(k) && !extra_names().count(k)) unknown.push_back(k);
  for (const auto& k : exempt)
    if (!listed.count(k)) unknown.push_back(k);
  EXPECT_TRUE(unknown.empty()) << "rows or exemptions for names in no docs/mlx_api list:\n" << join(unknown);
}

// ---- the exemptions' claim: these accept every dtype, 0-d and empty inputs -------------

#define UNARY_EDGE(fn) {#fn, [](const mx::array& a) { return mx::array(mx::fn(a)); }}

TEST(ErrorTableCoverage, ElementwiseEdgeInputs) {
  const std::vector<std::pair<const char*, mx::array (*)(const mx::array&)>> ops = {
      UNARY_EDGE(abs), UNARY_EDGE(arccos), UNARY_EDGE(arccosh), UNARY_EDGE(arcsin),
      UNARY_EDGE(arcsinh), UNARY_EDGE(arctan), UNARY_EDGE(arctanh), UNARY_EDGE(conjugate),
      UNARY_EDGE(cos), UNARY_EDGE(cosh), UNARY_EDGE(degrees), UNARY_EDGE(exp),
      UNARY_EDGE(expm1), UNARY_EDGE(imag), UNARY_EDGE(isfinite), UNARY_EDGE(isinf),
      UNARY_EDGE(isnan), UNARY_EDGE(log), UNARY_EDGE(log10), UNARY_EDGE(log1p),
      UNARY_EDGE(log2), UNARY_EDGE(logical_not), UNARY_EDGE(nan_to_num), UNARY_EDGE(radians),
      UNARY_EDGE(real), UNARY_EDGE(reciprocal), UNARY_EDGE(round), UNARY_EDGE(rsqrt),
      UNARY_EDGE(sigmoid), UNARY_EDGE(sign), UNARY_EDGE(sin), UNARY_EDGE(sinh),
      UNARY_EDGE(sqrt), UNARY_EDGE(square), UNARY_EDGE(stop_gradient), UNARY_EDGE(tan),
      UNARY_EDGE(tanh), UNARY_EDGE(copy), UNARY_EDGE(contiguous), UNARY_EDGE(atleast_1d),
      UNARY_EDGE(atleast_2d), UNARY_EDGE(atleast_3d), UNARY_EDGE(zeros_like),
      UNARY_EDGE(ones_like)};
  for (const auto& [name, op] : ops)
    for (auto dt : {mx::bool_, mx::uint8, mx::int32, mx::int64, mx::float16, mx::bfloat16,
                    mx::float32, mx::float64, mx::complex64})
      for (const mx::Shape& shape : {mx::Shape{}, mx::Shape{0}, mx::Shape{2, 0}, mx::Shape{3}}) {
        try {
          mx::eval(op(mx::zeros(shape, dt)));
        } catch (const std::exception& e) {
          ADD_FAILURE() << name << " of " << dt << " shape " << mx::detail::message(shape) << ": " << e.what();
        }
      }
}

}  // namespace
