// SPDX-License-Identifier: MIT
// Reverse mode: var<T> records each operation on a tape<T> as one node (up to two parent
// indices and the local partial derivatives, taken from the functors' jvp rules with unit
// tangents at record time); tape::backward sweeps the nodes once from the last to the first,
// accumulating adjoints. The sweep is a loop, not a recursion, so a function of 10^7
// operations needs no stack; memory is one node per recorded operation plus one adjoint per
// node during a sweep.
//
// Threads: a tape is not synchronised. Each thread has its own default tape, and
// tape::scope makes an explicit tape current for new variables on this thread. Operations
// record on their operands' tape, not on the current one; operands of two tapes throw.
#pragma once

#include <cstdint>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "mlx/autodiff/dual.hpp"

namespace mlx::ad {

template <class T>
class tape;

/// A value that remembers where it came from: an index into a tape (an independent variable
/// or a recorded operation), or a constant (no tape, no node).
template <class T>
class var {
 public:
  using value_type = T;
  using index_type = std::uint32_t;

  var() = default;
  /// A constant; implicit so that generic code can write `T sum = 0;`. Constants record
  /// nothing: an operation with one constant operand records a node with one parent.
  template <class U>
    requires std::is_convertible_v<const U&, T> && (!std::is_same_v<std::remove_cvref_t<U>, var>)
  var(const U& value) : value_(value) {}

  const T& value() const { return value_; }
  bool is_constant() const { return tape_ == nullptr; }
  /// The tape it is recorded on (nullptr for a constant) and its node there.
  tape<T>* tape_ptr() const { return tape_; }
  index_type index() const { return index_; }

  var& operator+=(const var& o) { return *this = *this + o; }
  var& operator-=(const var& o) { return *this = *this - o; }
  var& operator*=(const var& o) { return *this = *this * o; }
  var& operator/=(const var& o) { return *this = *this / o; }
  template <class S>
    requires constant_for<S, var, T>
  var& operator+=(const S& o) { return *this = *this + o; }
  template <class S>
    requires constant_for<S, var, T>
  var& operator-=(const S& o) { return *this = *this - o; }
  template <class S>
    requires constant_for<S, var, T>
  var& operator*=(const S& o) { return *this = *this * o; }
  template <class S>
    requires constant_for<S, var, T>
  var& operator/=(const S& o) { return *this = *this / o; }

 private:
  friend class tape<T>;
  var(const T& value, tape<T>* t, index_type i) : value_(value), index_(i), tape_(t) {}

  T value_{};
  index_type index_ = 0;  // 0 is every tape's sink node (see tape), where constants point
  tape<T>* tape_ = nullptr;
};

template <class T>
const T& value(const var<T>& x) { return x.value(); }

/// The record of a computation on vars, and its backward sweep.
template <class T>
class tape {
 public:
  using index_type = std::uint32_t;

  /// `name` appears in error messages (operands from two tapes); unnamed tapes are named by
  /// their address.
  explicit tape(std::string name = {}) : name_(std::move(name)) { clear(); }
  // Vars point to their tape: it must not move.
  tape(const tape&) = delete;
  tape& operator=(const tape&) = delete;

  /// A new independent variable with the given value.
  var<T> variable(const T& value) { return record(value, T(0), 0, T(0), 0); }
  /// Independent variables for each value of a range.
  template <class Range>
  std::vector<var<T>> variables(const Range& values) {
    std::vector<var<T>> out;
    for (const auto& v : values) out.push_back(variable(T(v)));
    return out;
  }

  /// The number of nodes recorded (variables and operations with a var operand).
  std::size_t size() const { return nodes_.size() - 1; }
  /// Forgets every node (vars recorded before must not be used after) and keeps the
  /// capacity, so a tape reused in a loop allocates once.
  void clear() {
    nodes_.resize(1);
    nodes_[0] = node{};
    adjoints_.clear();
  }
  void reserve(std::size_t nodes) { nodes_.reserve(nodes + 1); }

  /// The adjoints of y = seed · (dy/d every node): zeroes them, seeds y, sweeps. May be
  /// called again for another output or seed (the recorded tape is reused).
  void backward(const var<T>& y, const T& seed = T(1)) {
    zero_adjoints();
    if (y.is_constant()) return;
    check_own(y);
    adjoints_[y.index()] = seed;
    sweep(y.index());
  }
  /// dy/dx (one backward sweep from y).
  T grad(const var<T>& y, const var<T>& x) {
    backward(y);
    return adjoint(x);
  }

  // For several seeds at once (a vector-Jacobian product): zero_adjoints(), set
  // adjoint(y_i) = w_i, sweep(); then adjoint(x) = Σ w_i dy_i/dx.
  void zero_adjoints() { adjoints_.assign(nodes_.size(), T(0)); }
  /// The adjoint of x after a sweep; 0 for a constant. Writable, to seed a sweep.
  T& adjoint(const var<T>& x) {
    if (adjoints_.size() != nodes_.size()) zero_adjoints();
    if (x.is_constant()) {
      constant_adjoint_ = T(0);
      return constant_adjoint_;
    }
    check_own(x);
    return adjoints_[x.index()];
  }
  /// Propagates the adjoints from node `from` (default: the last) down to the first, once.
  void sweep(std::size_t from = std::numeric_limits<std::size_t>::max()) {
    if (adjoints_.size() != nodes_.size()) zero_adjoints();
    if (from >= nodes_.size()) from = nodes_.size() - 1;
    const node* nodes = nodes_.data();
    T* adj = adjoints_.data();
    // A node with fewer than two parents points the others at the sink (node 0), whose
    // adjoint is never read. The branches skip them anyway: adding into the sink from every
    // node chains all of them through one memory location (3.4 ns a node instead of 1.2 in
    // bench_autodiff), and they are predictable (the pattern repeats with the code's).
    for (std::size_t i = from; i > 0; --i) {
      const node& n = nodes[i];
      if (n.parent[0] == 0) continue;  // an independent variable
      const T a = adj[i];
      adj[n.parent[0]] += n.partial[0] * a;
      if (n.parent[1] != 0) adj[n.parent[1]] += n.partial[1] * a;
    }
  }

  /// The name used in error messages.
  std::string name() const {
    if (!name_.empty()) return name_;
    std::ostringstream os;
    os << "tape at " << static_cast<const void*>(this);
    return os.str();
  }

  /// This thread's tape for new variables: the innermost live scope's, else the default.
  static tape& current() {
    tape* t = current_slot();
    return t ? *t : default_tape();
  }
  /// This thread's default tape (it lives as long as the thread; clear() it to reuse).
  static tape& default_tape() {
    thread_local tape t("default tape");
    return t;
  }
  /// Makes a tape current on this thread for its lifetime (scopes nest).
  class scope {
   public:
    explicit scope(tape& t) : previous_(current_slot()) { current_slot() = &t; }
    ~scope() { current_slot() = previous_; }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

   private:
    tape* previous_;
  };

  /// Records a node (used by var's operations; p1 = 0 with w1 = 0 for one parent).
  var<T> record(const T& value, const T& w0, index_type p0, const T& w1, index_type p1) {
    if (nodes_.size() > max_nodes) [[unlikely]]
      throw std::length_error("mlx::ad::tape: more than 2^32 - 1 nodes on '" + name() + "'");
    const auto i = static_cast<index_type>(nodes_.size());
    nodes_.push_back(node{{w0, w1}, {p0, p1}});
    return var<T>(value, this, i);
  }

  /// Throws std::invalid_argument when a and b are recorded on different tapes.
  static void check_same(const var<T>& a, const var<T>& b) {
    if (a.tape_ptr() != b.tape_ptr()) [[unlikely]]
      throw std::invalid_argument("mlx::ad::var: operands recorded on different tapes, '" +
                                  a.tape_ptr()->name() + "' and '" + b.tape_ptr()->name() +
                                  "'; use one tape for one computation");
  }

 private:
  struct node {
    T partial[2] = {T(0), T(0)};
    index_type parent[2] = {0, 0};
  };
  static constexpr std::size_t max_nodes = std::numeric_limits<index_type>::max();

  static tape*& current_slot() {
    thread_local tape* t = nullptr;
    return t;
  }
  void check_own(const var<T>& x) const {
    if (x.tape_ptr() != this || x.index() >= nodes_.size())
      throw std::invalid_argument("mlx::ad::tape: the var is not recorded on '" + name() +
                                  "' (it is on '" +
                                  (x.tape_ptr() ? x.tape_ptr()->name() : std::string("no tape")) +
                                  "', or the tape was cleared since)");
  }

  std::vector<node> nodes_;  // [0] is the sink
  std::vector<T> adjoints_;  // empty until a sweep
  T constant_adjoint_{};
  std::string name_;
};

/// This thread's current tape for T (see tape::scope).
template <class T = double>
tape<T>& current_tape() { return tape<T>::current(); }
/// A new independent variable on this thread's current tape.
template <class T>
var<T> variable(const T& value) { return tape<T>::current().variable(value); }

namespace detail {

// The rules: value from the functor (value<F> also handles dual values, for var<dual<T>>),
// local partials from its jvp with a unit tangent for the operand and the known-zero one
// for the other.
template <class F, class T>
var<T> unary(const var<T>& x) {
  const T v = T(value<F>(x.value()));
  if (x.is_constant()) return var<T>(v);
  return x.tape_ptr()->record(v, T(F::jvp(x.value(), T(1))), x.index(), T(0), 0);
}
template <class F, class T>
var<T> binary_left(const var<T>& a, const T& b) {
  const T v = T(value<F>(a.value(), b));
  if (a.is_constant()) return var<T>(v);
  return a.tape_ptr()->record(v, T(F::jvp(a.value(), b, T(1), zero)), a.index(), T(0), 0);
}
template <class F, class T>
var<T> binary_right(const T& a, const var<T>& b) {
  const T v = T(value<F>(a, b.value()));
  if (b.is_constant()) return var<T>(v);
  return b.tape_ptr()->record(v, T(F::jvp(a, b.value(), zero, T(1))), b.index(), T(0), 0);
}

template <class F, class T>
var<T> binary(const var<T>& a, const var<T>& b) {
  if (a.is_constant()) return binary_right<F>(a.value(), b);
  if (b.is_constant()) return binary_left<F>(a, b.value());
  tape<T>::check_same(a, b);
  const T& x = a.value();
  const T& y = b.value();
  return a.tape_ptr()->record(T(value<F>(x, y)), T(F::jvp(x, y, T(1), zero)), a.index(),
                              T(F::jvp(x, y, zero, T(1))), b.index());
}
}  // namespace detail

// ---- the functions and operators, one line of rules.hpp's tables each -------------------

#define MLXPP_AD_VAR_UNARY(fn, F)              \
  template <class T>                           \
  var<T> fn(const var<T>& x) {                 \
    return detail::unary<functors::F>(x);      \
  }
#define MLXPP_AD_VAR_BINARY(fn, F)                                      \
  template <class T>                                                    \
  var<T> fn(const var<T>& a, const var<T>& b) {                         \
    return detail::binary<functors::F>(a, b);                           \
  }                                                                     \
  template <class T, class S>                                           \
    requires constant_for<S, var<T>, T>                                 \
  var<T> fn(const var<T>& a, const S& b) {                              \
    return detail::binary_left<functors::F>(a, T(b));                   \
  }                                                                     \
  template <class T, class S>                                           \
    requires constant_for<S, var<T>, T>                                 \
  var<T> fn(const S& a, const var<T>& b) {                              \
    return detail::binary_right<functors::F>(T(a), b);                  \
  }

MLXPP_AD_UNARY_FUNCTIONS(MLXPP_AD_VAR_UNARY)
MLXPP_AD_VAR_UNARY(operator-, Negative)
MLXPP_AD_BINARY_FUNCTIONS(MLXPP_AD_VAR_BINARY)

#undef MLXPP_AD_VAR_UNARY
#undef MLXPP_AD_VAR_BINARY

template <class T>
var<T> operator+(const var<T>& x) { return x; }

#define MLXPP_AD_VAR_VALUE(x) (x).value()
MLXPP_AD_COMPARISONS(var, MLXPP_AD_VAR_VALUE)
#undef MLXPP_AD_VAR_VALUE

template <class T>
std::ostream& operator<<(std::ostream& os, const var<T>& x) {
  return os << x.value();
}

}  // namespace mlx::ad
