// SPDX-License-Identifier: MIT
// The error table: rows that call a public op with an invalid argument and name the
// exception type and text it must throw. Rows are spread over tests/ops/error_table*_test.cpp
// (to bound each file's compile time) and register here; error_table_test.cpp runs every
// row and fails for each public name (docs/mlx_api/*.txt) with neither a row nor an exemption.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "mlx/mlx.hpp"

namespace errtable {

namespace mx = mlx::core;

/// The exception a row expects: MLX's std::invalid_argument for bad arguments, shapes and
/// dtypes, std::out_of_range for indices and axes where MLX uses it, std::runtime_error
/// for failures found while evaluating (a singular matrix).
enum class Throws { invalid_argument, out_of_range, runtime_error };

struct Row {
  std::string ns;     // core, random, linalg or fft: the namespace of docs/mlx_api's lists
  std::string name;   // the public name, as in those lists
  std::string input;  // what is invalid: axis, shape, dtype, size, empty, value, index
  Throws type;
  std::string text;   // must appear in the message besides the op's tag (an offending value)
  std::function<void()> call;
  std::string tag{};  // the message's "[tag]" where it is not the op's own (see ROW_TAG)
};

/// How gtest prints a row (instead of its bytes).
inline void PrintTo(const Row& r, std::ostream* os) {
  *os << r.ns << "::" << r.name << " (" << r.input << ")";
}

/// Every registered row, in registration order.
inline std::vector<Row>& registry() {
  static std::vector<Row> rows;
  return rows;
}

/// Registers a file's rows during static initialisation (gtest reads them later, in
/// InitGoogleTest).
struct Register {
  explicit Register(std::vector<Row> rows) {
    for (auto& r : rows) registry().push_back(std::move(r));
  }
};

// Small inputs; rows build them inside their callables, so nothing runs at static init.
inline mx::array f32(const mx::Shape& s) { return mx::ones(s, mx::float32); }
inline mx::array f16(const mx::Shape& s) { return mx::ones(s, mx::float16); }
inline mx::array f64(const mx::Shape& s) { return mx::ones(s, mx::float64); }
inline mx::array i32(const mx::Shape& s) { return mx::zeros(s, mx::int32); }
inline mx::array u32(const mx::Shape& s) { return mx::zeros(s, mx::uint32); }
inline mx::array u8(const mx::Shape& s) { return mx::zeros(s, mx::uint8); }
inline mx::array c64(const mx::Shape& s) { return mx::ones(s, mx::complex64); }
inline mx::array bl(const mx::Shape& s) { return mx::ones(s, mx::bool_); }
/// An int32 index array holding `v`.
inline mx::array idx(std::vector<int> v) {
  const auto n = static_cast<mx::ShapeElem>(v.size());
  return mx::array(v.begin(), mx::Shape{n}, mx::int32);
}

}  // namespace errtable

/// A row: namespace, public name, what is invalid, the exception (Throws::...), a text the
/// message must contain besides "[name]" ("[linalg::name]" in linalg), and the call.
#define ROW(ns, name, input, type, text, ...) \
  ::errtable::Row { #ns, #name, input, ::errtable::Throws::type, text, [] { __VA_ARGS__; }, {} }
/// A row whose message carries another tag: MLX's family tag ("[conv]" from every
/// convolution's shared checks) where the op's own name is in its other rows.
#define ROW_TAG(ns, name, tag, input, type, text, ...) \
  ::errtable::Row { #ns, #name, input, ::errtable::Throws::type, text, [] { __VA_ARGS__; }, tag }
