// SPDX-License-Identifier: MIT
// Printing arrays like NumPy and MLX: array([[1, 2],\n       [3, 4]], dtype=int32), with
// large arrays summarised by "..." around their edge items.
#pragma once

#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>

#include "mlx/core/array.hpp"

namespace mlx::core {

struct PrintOptions {
  int precision = 6;      // significant digits of floating-point elements
  int threshold = 1000;   // arrays with more elements are summarised
  int edge_items = 3;     // elements shown at each end of a summarised dimension
};

namespace detail {
inline PrintOptions& print_options() {
  static PrintOptions o;
  return o;
}

template <class T>
void print_element(std::ostream& os, const T& v, int precision) {
  if constexpr (std::is_same_v<T, bool>) {
    os << (v ? "true" : "false");
  } else if constexpr (std::is_same_v<T, complex64_t>) {
    os << std::setprecision(precision) << v.real() << (v.imag() < 0 ? "-" : "+")
       << std::setprecision(precision) << std::abs(v.imag()) << "j";
  } else if constexpr (std::is_integral_v<T>) {
    os << +v;
  } else {
    os << std::setprecision(precision) << static_cast<double>(v);
  }
}

template <class T>
void print_dim(std::ostream& os, const T* data, const array& a, int dim, int64_t offset,
               bool summarise, int indent) {
  const auto& opts = print_options();
  int n = a.shape(dim);
  bool last = dim == static_cast<int>(a.ndim()) - 1;
  os << '[';
  for (int i = 0; i < n; ++i) {
    if (summarise && n > 2 * opts.edge_items && i == opts.edge_items) {
      os << "...";
      if (last)
        os << ", ";
      else
        os << ',' << std::string(a.ndim() - dim - 1, '\n') << std::string(indent + 1, ' ');
      i = n - opts.edge_items - 1;
      continue;
    }
    int64_t off = offset + i * a.strides(dim);
    if (last)
      print_element(os, data[off], opts.precision);
    else
      print_dim(os, data, a, dim + 1, off, summarise, indent + 1);
    if (i + 1 < n) {
      if (last)
        os << ", ";
      else
        os << ',' << std::string(a.ndim() - dim - 1, '\n') << std::string(indent + 1, ' ');
    }
  }
  os << ']';
}
}  // namespace detail

inline void set_printoptions(const PrintOptions& o) { detail::print_options() = o; }
inline PrintOptions get_printoptions() { return detail::print_options(); }

/// Evaluates `a` and prints it.
inline std::ostream& operator<<(std::ostream& os, array a) {
  a.eval();
  std::ostringstream ss;
  ss << "array(";
  detail::dispatch_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* data = static_cast<const T*>(a.raw_data());
    if (a.ndim() == 0) {
      detail::print_element(ss, data[0], detail::print_options().precision);
    } else {
      bool summarise = static_cast<int64_t>(a.size()) > detail::print_options().threshold;
      detail::print_dim(ss, data, a, 0, 0, summarise, 6);
    }
  });
  ss << ", dtype=" << a.dtype() << ')';
  return os << ss.str();
}

}  // namespace mlx::core
