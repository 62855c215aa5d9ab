// SPDX-License-Identifier: MIT
// How an elementwise functor's result dtype follows from its inputs' dtypes, and the
// compile-time set of dtypes an expression can take (to instantiate only the loops needed).
#pragma once

#include <cstdint>
#include <initializer_list>

#include "mlx/core/dtype.hpp"
#include "mlx/core/errors.hpp"

namespace mlx::core {

/// The families of dtype behaviour of elementwise operations.
enum class TypeRule {
  same,            // compute in the promoted dtype; result has that dtype
  at_least_float,  // as `same`, but bool and integers compute in float32
  comparison,      // compute in the promoted dtype; result is bool
  logical,         // inputs read as bool; result is bool
  predicate,       // compute in the input dtype; result is bool (isnan, ...)
  integer,         // as `same`; floating dtypes are rejected (bitwise and shift ops)
  to_real,         // compute in the input dtype; complex results become float32 (real, imag)
  select,          // first input is a condition; the rest promote (where)
  cast,            // compute in and produce a dtype given at run time (astype)
};

struct ExprTypes {
  Dtype compute;  // the dtype every element is computed in
  Dtype out;      // the dtype of the result
};

namespace detail {

inline constexpr Dtype promote_list(const Dtype* ds, int n) {
  Dtype r = ds[0];
  for (int i = 1; i < n; ++i) r = promote_types(r, ds[i]);
  return r;
}

inline constexpr Dtype at_least_float(Dtype d) { return is_floating_point(d) ? d : float32; }

/// The compute and result dtypes of an operation `op` following `rule`.
/// \throws std::invalid_argument for dtypes the rule does not accept.
inline ExprTypes expr_types(TypeRule rule, std::string_view op, const Dtype* ds, int n) {
  switch (rule) {
    case TypeRule::same: {
      auto d = promote_list(ds, n);
      return {d, d};
    }
    case TypeRule::at_least_float: {
      auto d = at_least_float(promote_list(ds, n));
      return {d, d};
    }
    case TypeRule::comparison:
      return {promote_list(ds, n), bool_};
    case TypeRule::logical:
      return {bool_, bool_};
    case TypeRule::predicate:
      return {ds[0], bool_};
    case TypeRule::integer: {
      auto d = promote_list(ds, n);
      if (is_floating_point(d))
        fail(op, "Bitwise and shift operations need integer or bool inputs. Got ", d, ".");
      return {d, d};
    }
    case TypeRule::to_real:
      return {ds[0], ds[0] == complex64 ? float32 : ds[0]};
    case TypeRule::select: {
      auto d = promote_list(ds + 1, n - 1);
      return {d, d};
    }
    case TypeRule::cast:  // the target is set by the op after construction
      return {ds[0], ds[0]};
  }
  return {ds[0], ds[0]};
}

// ---- compile-time dtype sets (bit i = Dtype::Val i) ------------------------------------

using DtypeSet = uint32_t;
inline constexpr DtypeSet all_dtypes_set = (1u << num_dtypes) - 1;
inline constexpr DtypeSet bit(Dtype d) { return 1u << static_cast<int>(d.val); }

inline constexpr DtypeSet promote_sets(DtypeSet a, DtypeSet b) {
  DtypeSet r = 0;
  for (int i = 0; i < num_dtypes; ++i)
    if (a & (1u << i))
      for (int j = 0; j < num_dtypes; ++j)
        if (b & (1u << j)) r |= bit(promote_types(all_dtypes[i], all_dtypes[j]));
  return r;
}

inline constexpr DtypeSet map_set(DtypeSet s, Dtype (*f)(Dtype)) {
  DtypeSet r = 0;
  for (int i = 0; i < num_dtypes; ++i)
    if (s & (1u << i)) r |= bit(f(all_dtypes[i]));
  return r;
}

inline constexpr Dtype to_real_dtype(Dtype d) { return d == complex64 ? float32 : d; }

/// Compute-dtype set and result-dtype set of an operation from its inputs' result sets.
struct SetTypes {
  DtypeSet compute;
  DtypeSet out;
};

template <int N>
inline constexpr SetTypes set_types(TypeRule rule, const DtypeSet (&in)[N]) {
  DtypeSet p = in[0];
  for (int i = 1; i < N; ++i) p = promote_sets(p, in[i]);
  switch (rule) {
    case TypeRule::same:
      return {p, p};
    case TypeRule::at_least_float: {
      DtypeSet f = map_set(p, at_least_float);
      return {f, f};
    }
    case TypeRule::comparison:
      return {p, bit(bool_)};
    case TypeRule::logical:
      return {bit(bool_), bit(bool_)};
    case TypeRule::predicate:
      return {in[0], bit(bool_)};
    case TypeRule::integer: {
      DtypeSet ints = 0;
      for (int i = 0; i < num_dtypes; ++i)
        if (!is_floating_point(all_dtypes[i])) ints |= 1u << i;
      return {p & ints, p & ints};
    }
    case TypeRule::to_real:
      return {in[0], map_set(in[0], to_real_dtype)};
    case TypeRule::select: {
      if constexpr (N > 1) {
        DtypeSet q = in[1];
        for (int i = 2; i < N; ++i) q = promote_sets(q, in[i]);
        return {q, q};
      } else {
        return {p, p};
      }
    }
    case TypeRule::cast:
      return {all_dtypes_set, all_dtypes_set};
  }
  return {p, p};
}

}  // namespace detail
}  // namespace mlx::core
