// SPDX-License-Identifier: MIT
// One helper for error messages so that shapes, dtypes and values print the same everywhere.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mlx::core::detail {

/// Writes one message piece; vectors (shapes, axes) print as NumPy tuples: (2,3), (4,), ().
template <class T>
void put(std::ostream& os, const std::vector<T>& v);
template <class T>
void put(std::ostream& os, const T& v) {
  os << v;
}
template <class T>
void put(std::ostream& os, const std::vector<T>& v) {
  os << '(';
  for (size_t i = 0; i < v.size(); ++i) {
    os << (i ? "," : "");
    put(os, v[i]);  // nested vectors (a list of shapes) print as tuples too
  }
  if (v.size() == 1) os << ',';
  os << ')';
}

/// Concatenates its arguments into one message.
template <class... Args>
std::string message(const Args&... args) {
  std::ostringstream os;
  (put(os, args), ...);
  return os.str();
}

/// Throws E with "[op] ..." built from the arguments.
template <class E = std::invalid_argument, class... Args>
[[noreturn]] void fail(std::string_view op, const Args&... args) {
  throw E(message("[", op, "] ", args...));
}

} // namespace mlx::core::detail
