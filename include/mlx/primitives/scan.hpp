// SPDX-License-Identifier: MIT
// The Scan primitive (cumsum, cumprod, cummax, cummin, logcumsumexp) along one axis or over
// the flattened array, forward or reversed, inclusive or exclusive.
#pragma once

#include <array>
#include <cstdint>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/scan.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

/// A cumulative reduction along `axis` (non-negative) or over the row-major flattened
/// array (`flat`). The output dtype is the input's, except int32 for a sum of bools.
template <class = void>
class Scan : public UnaryPrimitive {
 public:
  using ReduceType = cpu::ScanType;

  Scan(Stream s, ReduceType type, int axis, bool flat, bool reverse, bool inclusive)
      : UnaryPrimitive(s), type_(type), axis_(axis), flat_(flat), reverse_(reverse),
        inclusive_(inclusive) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    array in = cpu::ensure_row_contiguous(inputs[0]);
    int64_t outer = 1, n = static_cast<int64_t>(in.size()), inner = 1;
    if (!flat_) {
      const auto& sh = in.shape();
      outer = inner = 1;
      for (int d = 0; d < axis_; ++d) outer *= sh[d];
      for (int d = axis_ + 1; d < static_cast<int>(sh.size()); ++d) inner *= sh[d];
      n = sh[axis_];
    }
    detail::dispatch_dtype(in.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* x = in.template data<T>();
      auto run = [&](auto st) {
        constexpr cpu::ScanType S = decltype(st)::value;
        using U = std::conditional_t<std::is_same_v<T, bool> && S == cpu::ScanType::Sum, int32_t, T>;
        if constexpr (std::is_same_v<T, complex64_t> && S != cpu::ScanType::Sum &&
                      S != cpu::ScanType::Prod) {
          detail::fail(op_name(), "Not supported for dtype complex64.");
        } else {
          cpu::scan<S, T, U>(x, out.template data<U>(), outer, n, inner, reverse_, inclusive_);
        }
      };
      using C = cpu::ScanType;
      switch (type_) {
        case C::Sum: run(std::integral_constant<C, C::Sum>{}); break;
        case C::Prod: run(std::integral_constant<C, C::Prod>{}); break;
        case C::Max: run(std::integral_constant<C, C::Max>{}); break;
        case C::Min: run(std::integral_constant<C, C::Min>{}); break;
        case C::LogAddExp: run(std::integral_constant<C, C::LogAddExp>{}); break;
      }
    });
  }

  const char* name() const override { return "Scan"; }
  void print(std::ostream& os) override {
    os << "Scan(" << op_name() << ", axis " << (flat_ ? -1 : axis_) << (reverse_ ? ", reverse" : "")
       << (inclusive_ ? "" : ", exclusive") << ")";
  }
  bool is_equivalent(const Primitive& o) const override {
    auto* p = dynamic_cast<const Scan*>(&o);
    return p && p->type_ == type_ && p->axis_ == axis_ && p->flat_ == flat_ &&
           p->reverse_ == reverse_ && p->inclusive_ == inclusive_;
  }
  ReduceType reduce_type() const { return type_; }
  int axis() const { return axis_; }
  bool flat() const { return flat_; }
  bool reverse() const { return reverse_; }
  bool inclusive() const { return inclusive_; }

 private:
  const char* op_name() const {
    switch (type_) {
      case ReduceType::Sum: return "cumsum";
      case ReduceType::Prod: return "cumprod";
      case ReduceType::Max: return "cummax";
      case ReduceType::Min: return "cummin";
      case ReduceType::LogAddExp: return "logcumsumexp";
    }
    return "scan";
  }

  ReduceType type_;
  int axis_;
  bool flat_, reverse_, inclusive_;
};

}  // namespace mlx::core
