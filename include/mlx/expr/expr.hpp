// SPDX-License-Identifier: MIT
// The compile-time graph: `Expr<F, Ops...>` applies the elementwise functor F to its operands
// (arrays, C++ scalars or other expressions), all held by value, so an expression returned
// from a function never dangles. Converting an expression to `array` makes ONE runtime node
// (`Fused<E>`, expr/fused.hpp) that evaluates the whole tree in one loop.
//
// dtypes are runtime values, so an expression tree is evaluated in one compute dtype. A child
// expression whose compute dtype differs from its parent's (an int32 sum under a float32 exp,
// a float comparison under a logical_and) is materialised as its own fused node when the
// parent is built; the parent then reads it like an array. The depth of one expression type
// is capped at `max_expr_depth`: deeper operands become arrays.
#pragma once

#include <algorithm>
#include <array>
#include <tuple>
#include <type_traits>
#include <utility>

#include "mlx/backend/cpu/simd.hpp"
#include "mlx/core/array.hpp"
#include "mlx/expr/type_rules.hpp"

namespace mlx::core {

inline constexpr int max_expr_depth = 16;

template <class F, class... Ops>
class Expr;

/// A C++ scalar inside an expression (`a * 2.0f`). Its dtype follows MLX's TypeToDtype:
/// float and double give float32, int gives int32, bool gives bool.
template <class S>
struct Scalar {
  S value;
  static constexpr Dtype dtype = std::is_same_v<S, double> ? float32 : dtype_of_v<S>;
};

namespace detail {

template <class F, class... Ops>
struct is_expression<Expr<F, Ops...>> : std::true_type {};

template <class T>
inline constexpr bool is_scalar_operand_v =
    std::is_arithmetic_v<T> || std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t> ||
    std::is_same_v<T, complex64_t>;

template <class T>
struct operand_traits;  // depth, slots (array inputs), result-dtype set

// temps: scratch blocks the block evaluator needs for an operand (its result block and,
// for an expression, its subtree's temporaries).
template <>
struct operand_traits<array> {
  static constexpr int depth = 0;
  static constexpr int slots = 1;
  static constexpr int temps = 0;
  static constexpr DtypeSet out_set = all_dtypes_set;
};
template <class S>
struct operand_traits<Scalar<S>> {
  static constexpr int depth = 0;
  static constexpr int slots = 0;
  static constexpr int temps = 1;
  static constexpr DtypeSet out_set = bit(Scalar<S>::dtype);
};
template <class F, class... Ops>
struct operand_traits<Expr<F, Ops...>> {
  static constexpr int depth = Expr<F, Ops...>::depth;
  static constexpr int slots = Expr<F, Ops...>::slots;
  static constexpr int temps = 1 + Expr<F, Ops...>::temps;
  static constexpr DtypeSet out_set = Expr<F, Ops...>::dtype_sets.out;
};

/// Integer results computed in int64 wrap to their dtype after every operation, so that
/// an int8 expression overflows exactly as int8 arithmetic does.
inline void wrap_ints(int64_t* v, int64_t m, Dtype d) {
  auto wrap = [&](auto tag) {
    using I = typename decltype(tag)::type;
    for (int64_t i = 0; i < m; ++i) v[i] = static_cast<I>(v[i]);
  };
  switch (d.val) {
    case Dtype::Val::bool_:
      for (int64_t i = 0; i < m; ++i) v[i] = v[i] != 0;
      break;
    case Dtype::Val::int8: wrap(type_tag<int8_t>{}); break;
    case Dtype::Val::int16: wrap(type_tag<int16_t>{}); break;
    case Dtype::Val::int32: wrap(type_tag<int32_t>{}); break;
    case Dtype::Val::uint8: wrap(type_tag<uint8_t>{}); break;
    case Dtype::Val::uint16: wrap(type_tag<uint16_t>{}); break;
    case Dtype::Val::uint32: wrap(type_tag<uint32_t>{}); break;
    default: break;
  }
}

/// out[i] = F(args[0][i], args[1][i], ...) over a block (the non-SIMD evaluator).
template <class F, class T, size_t... I>
void apply_block(const T* const* args, T* out, int64_t m, std::index_sequence<I...>) {
  F f;
  for (int64_t i = 0; i < m; ++i) out[i] = simd::as_vec<T>(f(args[I][i]...));
}

/// The type an operand is stored as inside an expression.
/// Not an operand: no `type`, so an op's return type expr_of<...> is a substitution failure.
/// (Clang before 16 substitutes return types before checking constraints, CWG2369; a hard
/// error inside leaf_type would reject `std::string + "x"` wherever our operators are seen.)
template <class D, bool scalar = is_scalar_operand_v<D>, class = void>
struct leaf_type {};
template <class D>
struct leaf_type<D, true> {
  using type = Scalar<D>;
};
template <class D>
struct leaf_type<D, false, std::void_t<decltype(operand_traits<D>::depth)>> {
  using type = std::conditional_t<(operand_traits<D>::depth >= max_expr_depth), array, D>;
};
template <class X>
using leaf_t = typename leaf_type<std::remove_cvref_t<X>>::type;

template <class X>
leaf_t<X> to_leaf(X&& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (is_scalar_operand_v<D>)
    return Scalar<D>{x};
  else
    return leaf_t<X>(std::forward<X>(x));
}

inline Dtype operand_dtype(const array& a) { return a.dtype(); }
template <class S>
constexpr Dtype operand_dtype(const Scalar<S>&) { return Scalar<S>::dtype; }
template <class F, class... Ops>
Dtype operand_dtype(const Expr<F, Ops...>& e) { return e.dtype(); }

inline const Shape& operand_shape(const array& a) { return a.shape(); }
template <class S>
const Shape& operand_shape(const Scalar<S>&) {
  static const Shape empty;
  return empty;
}
template <class F, class... Ops>
const Shape& operand_shape(const Expr<F, Ops...>& e) { return e.shape(); }

template <class F>
bool functor_supports(Dtype compute);

}  // namespace detail

/// Anything an elementwise op accepts: an array, an expression or a C++ scalar.
template <class X>
concept operand = std::is_same_v<std::remove_cvref_t<X>, array> || expression<X> ||
                  detail::is_scalar_operand_v<std::remove_cvref_t<X>>;

/// An array or an expression (an op needs at least one).
template <class X>
concept array_like = std::is_same_v<std::remove_cvref_t<X>, array> || expression<X>;

template <class F, class... Ops>
class Expr {
 public:
  using functor = F;
  static constexpr int arity = sizeof...(Ops);
  static constexpr int depth = 1 + std::max({detail::operand_traits<Ops>::depth...});
  static constexpr int slots = (detail::operand_traits<Ops>::slots + ...);
  static constexpr int temps = (detail::operand_traits<Ops>::temps + ...);
  static_assert(slots <= 64,
                "An expression may read at most 64 arrays; convert part of it to array first.");
  static constexpr detail::SetTypes dtype_sets =
      detail::set_types<arity>(F::rule, {detail::operand_traits<Ops>::out_set...});
  /// Index of each operand's first input slot.
  static constexpr std::array<int, arity> offsets = [] {
    std::array<int, arity> o{};
    int s[] = {detail::operand_traits<Ops>::slots...};
    for (int i = 1; i < arity; ++i) o[i] = o[i - 1] + s[i - 1];
    return o;
  }();

  /// Validates dtypes and shapes (throwing std::invalid_argument naming F's op).
  explicit Expr(Stream stream, Ops... ops) : ops_(std::move(ops)...), stream_(stream) {
    std::array<Dtype, arity> ds = std::apply(
        [](const auto&... op) { return std::array<Dtype, arity>{detail::operand_dtype(op)...}; },
        ops_);
    init(ds.data());
  }

  const Shape& shape() const { return shape_; }
  int shape(int dim) const { return shape_.at(dim < 0 ? dim + ndim() : dim); }
  int ndim() const { return static_cast<int>(shape_.size()); }
  size_t size() const { return static_cast<size_t>(shape_size(shape_)); }
  Dtype dtype() const { return types_.out; }
  Dtype compute_dtype() const { return types_.compute; }
  const Stream& stream() const { return stream_; }
  const std::tuple<Ops...>& operands() const { return ops_; }
  bool is_materialized() const { return is_materialized_; }
  const array& materialized() const { return materialized_; }

  /// Evaluates SIMD lane group j: p[s] points at input slot s's elements (as T).
  template <class T, class V, int Base>
  V eval(const T* const* p, int64_t j) const {
    if constexpr (!F::template supports<T>) {
      return simd::load<V>(p[Base] + j);  // reached only when materialised
    } else {
      if (is_materialized_) return simd::load<V>(p[Base] + j);
      return eval_children<T, V, Base>(p, j, std::index_sequence_for<Ops...>{});
    }
  }

  /// Evaluates m elements into `out` one operation at a time over blocks of
  /// cpu::chunk_elems (the path for compute types without a fused SIMD loop). Returns the
  /// result's address: `out`, or the input slot itself for a materialised subtree.
  template <class T, int Base>
  const T* eval_block(const T* const* p, int64_t m, T* out, T* scratch) const {
    if constexpr (!F::template supports<T>) {
      return p[Base];
    } else {
      if (is_materialized_) return p[Base];
      const T* args[arity];
      T* free = scratch;
      block_children<T, Base>(p, m, args, free, std::index_sequence_for<Ops...>{});
      detail::apply_block<F, T>(args, out, m, std::index_sequence_for<Ops...>{});
      if constexpr (std::is_same_v<T, int64_t>) detail::wrap_ints(out, m, types_.compute);
      return out;
    }
  }

  /// Collects the array behind every input slot (nullptr for unused slots) and drops this
  /// tree's own handles, so that the fused node's input list is the only owner.
  void take_inputs(array* slots_out, int base) {
    if (is_materialized_) {
      slots_out[base] = std::move(materialized_);
      drop_leaves();
      return;
    }
    take_children(slots_out, base, std::index_sequence_for<Ops...>{});
  }

  /// For astype: compute in and produce `target`. Applied right after construction.
  void set_cast_target(Dtype target) {
    types_ = {target, target};
    materialize_other_dtype_children();
  }

  /// Marks the input slots that a `where` reads as its condition (bit s of `mask`): they
  /// are read as bool (0.5 is true), not converted to an integer compute type.
  void collect_truth_slots(uint64_t& mask, int base) const {
    if (is_materialized_) return;
    if constexpr (F::rule == TypeRule::select) {
      using C = std::tuple_element_t<0, std::tuple<Ops...>>;
      if constexpr (std::is_same_v<C, array>)
        mask |= uint64_t{1} << base;
      else if constexpr (expression<C>)
        if (std::get<0>(ops_).is_materialized()) mask |= uint64_t{1} << base;
    }
    std::apply(
        [&](const auto&... op) {
          int i = 0;
          (
              [&](const auto& o) {
                if constexpr (expression<decltype(o)>) o.collect_truth_slots(mask, base + offsets[i]);
                ++i;
              }(op),
              ...);
        },
        ops_);
  }

  /// Makes this subtree its own fused node (see the file comment).
  void materialize();

  /// Prints the tree, e.g. add(multiply(a0, a1), 2).
  void print(std::ostream& os) const {
    os << F::name << '(';
    print_children(os, std::index_sequence_for<Ops...>{});
    os << ')';
  }

 private:
  void init(const Dtype* ds) {
    types_ = detail::expr_types(F::rule, F::name, ds, arity);
    if constexpr (requires { F::check(types_); }) F::check(types_);
    if (!detail::functor_supports<F>(types_.compute))
      detail::fail(F::name, "Not supported for dtype ", types_.compute, ".");
    shape_ = {};
    bool first = true;
    std::apply(
        [&](const auto&... op) {
          (
              [&] {
                const Shape& s = detail::operand_shape(op);
                if (first) {
                  shape_ = s;
                  first = false;
                  return;
                }
                try {
                  shape_ = broadcast_shapes(shape_, s);
                } catch (const std::invalid_argument&) {
                  detail::fail(F::name, "Shapes ", shape_, " and ", s, " cannot be broadcast.");
                }
              }(),
              ...);
        },
        ops_);
    materialize_other_dtype_children();
  }

  // Children computed in another dtype become their own nodes (see the file comment).
  void materialize_other_dtype_children() {
    std::apply(
        [&](auto&... op) {
          (
              [&](auto& o) {
                if constexpr (expression<decltype(o)>)
                  if (o.compute_dtype() != types_.compute) o.materialize();
              }(op),
              ...);
        },
        ops_);
  }

  template <class T, class V, int Base, size_t... I>
  V eval_children(const T* const* p, int64_t j, std::index_sequence<I...>) const {
    return simd::as_vec<V>(F{}(eval_operand<T, V, Base + offsets[I]>(std::get<I>(ops_), p, j)...));
  }

  template <class T, class V, int Base, class Op>
  static V eval_operand(const Op& op, const T* const* p, int64_t j) {
    if constexpr (std::is_same_v<Op, array>)
      return simd::load<V>(p[Base] + j);
    else if constexpr (expression<Op>)
      return op.template eval<T, V, Base>(p, j);
    else
      return V(detail::convert_element<T>(op.value));
  }

  template <class T, int Base, size_t... I>
  void block_children(const T* const* p, int64_t m, const T** args, T*& free,
                      std::index_sequence<I...>) const {
    (block_operand<T, Base + offsets[I]>(std::get<I>(ops_), p, m, args[I], free), ...);
  }
  template <class T, int Slot, class Op>
  static void block_operand(const Op& op, const T* const* p, int64_t m, const T*& arg, T*& free) {
    constexpr int64_t stride = 2048;  // cpu::chunk_elems
    if constexpr (std::is_same_v<Op, array>) {
      arg = p[Slot];
    } else if constexpr (expression<Op>) {
      T* o = free;
      free += stride;
      arg = op.template eval_block<T, Slot>(p, m, o, free);
      free += stride * Op::temps;
    } else {
      T v = detail::convert_element<T>(op.value);
      std::fill(free, free + m, v);
      arg = free;
      free += stride;
    }
  }

  template <size_t... I>
  void take_children(array* slots_out, int base, std::index_sequence<I...>) {
    (take_operand(std::get<I>(ops_), slots_out, base + offsets[I]), ...);
  }
  template <class Op>
  static void take_operand(Op& op, array* slots_out, int slot) {
    if constexpr (std::is_same_v<Op, array>)
      slots_out[slot] = std::move(op);
    else if constexpr (expression<Op>)
      op.take_inputs(slots_out, slot);
  }

  void drop_leaves() {
    std::apply(
        [](auto&... op) {
          (
              [](auto& o) {
                if constexpr (std::is_same_v<std::remove_cvref_t<decltype(o)>, array>)
                  o = array();
                else if constexpr (expression<decltype(o)>)
                  o.drop_leaves_public();
              }(op),
              ...);
        },
        ops_);
  }

 public:
  void drop_leaves_public() {
    materialized_ = array();
    drop_leaves();
  }

 private:
  template <size_t... I>
  void print_children(std::ostream& os, std::index_sequence<I...>) const {
    ((os << (I ? ", " : ""), print_operand(os, std::get<I>(ops_))), ...);
  }
  template <class Op>
  static void print_operand(std::ostream& os, const Op& op) {
    if constexpr (std::is_same_v<Op, array>)
      os << "array" << op.shape();
    else if constexpr (expression<Op>)
      op.print(os);
    else if constexpr (std::is_same_v<decltype(op.value), complex64_t>)
      os << op.value;
    else
      os << static_cast<double>(op.value);
  }

  std::tuple<Ops...> ops_;
  Shape shape_;
  ExprTypes types_{float32, float32};
  Stream stream_;
  array materialized_;
  bool is_materialized_ = false;
};

namespace detail {

/// Calls f(type_tag<C>) with the C++ type that dtype d computes in: float for float16,
/// bfloat16 and float32 (the fused SIMD path), double, complex64_t, uint64_t, and int64_t for
/// bool and every other integer type (results wrap to the dtype after each operation).
/// Five compute types instead of fourteen keep the code each expression instantiates small.
template <class Fn>
decltype(auto) dispatch_compute(Dtype d, Fn&& f) {
  switch (d.val) {
    case Dtype::Val::float16:
    case Dtype::Val::bfloat16:
    case Dtype::Val::float32: return f(type_tag<float>{});
    case Dtype::Val::float64: return f(type_tag<double>{});
    case Dtype::Val::complex64: return f(type_tag<complex64_t>{});
    case Dtype::Val::uint64: return f(type_tag<uint64_t>{});
    default: return f(type_tag<int64_t>{});
  }
}

/// The dtypes whose compute type is T.
template <class T>
inline constexpr DtypeSet dtypes_computed_as() {
  if constexpr (std::is_same_v<T, float>)
    return bit(float16) | bit(bfloat16) | bit(float32);
  else if constexpr (std::is_same_v<T, double>)
    return bit(float64);
  else if constexpr (std::is_same_v<T, complex64_t>)
    return bit(complex64);
  else if constexpr (std::is_same_v<T, uint64_t>)
    return bit(uint64);
  else
    return all_dtypes_set & ~(bit(float16) | bit(bfloat16) | bit(float32) | bit(float64) |
                              bit(complex64) | bit(uint64));
}

template <class F>
bool functor_supports(Dtype compute) {
  return dispatch_compute(compute, [](auto tag) {
    return F::template supports<typename decltype(tag)::type>;
  });
}

/// The expression type an op builds from functor F and operands Ops.
template <class F, class... Ops>
using expr_of = Expr<F, leaf_t<Ops>...>;

/// Builds Expr<F, leaf_t<Ops>...> on the stream `s` resolves to. The ops spell their return
/// types (expr_of) instead of deducing them: a deduced type would make every call written in
/// a template op's body instantiate the tree (and its Fused nodes) where it is defined, not
/// where it is used (docs/compile-time.md).
template <class F, class... Ops>
expr_of<F, Ops...> make_expr(StreamOrDevice s, Ops&&... ops) {
  return Expr<F, leaf_t<Ops>...>(to_stream(s), to_leaf(std::forward<Ops>(ops))...);
}

}  // namespace detail

template <class F, class... Ops>
std::ostream& operator<<(std::ostream& os, const Expr<F, Ops...>& e);  // prints the values

}  // namespace mlx::core
