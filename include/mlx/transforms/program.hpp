// SPDX-License-Identifier: MIT
// Runtime-fused elementwise programs: what the transforms build where the compile-time graph
// cannot help. A fused expression node (Fused<E>, Reduce<E, R>) describes its tree as a
// ProgramDesc (expr/describe.hpp); differentiating that program symbolically gives another
// program, evaluated in ONE pass by FusedProgram (an interpreter that runs each instruction
// over an L1-sized block with the functor's SIMD loop). So the backward pass of `a*b + c`
// is one fused kernel per gradient, and no C++ compiler is needed at run time.
//
// The derivative of every instruction comes from its functor's `jvp` (expr/functors/),
// called with `Sym` arguments: values that record instructions instead of computing. That is
// the same rule dual<T> and var<T> use (autodiff/rules.hpp), so the three cannot disagree.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "mlx/autodiff/rules.hpp"
#include "mlx/backend/cpu/elementwise.hpp"
#include "mlx/backend/gpu/elementwise.hpp"
#include "mlx/expr/describe.hpp"
#include "mlx/expr/functors/registry.hpp"

namespace mlx::core {

namespace detail {

// ---- the functor table: a functor id's name, arity and block loops -----------------------

template <class T>
using ProgramOpFn = void (*)(const T* const* args, T* out, int64_t m);

/// out[i] = F(args[0][i], ...): the SIMD loop, then the scalar tail.
template <class F, class T, size_t... I>
void program_op(const T* const* a, T* out, int64_t m) {
  using V = simd::vec_t<T>;
  constexpr int64_t W = simd::width_v<V>;
  F f;
  int64_t j = 0;
  if constexpr (W > 1)
    for (; j + W <= m; j += W) simd::store(out + j, simd::as_vec<V>(f(simd::load<V>(a[I] + j)...)));
  for (; j < m; ++j) out[j] = simd::as_vec<T>(f(a[I][j]...));
}

template <class F, int N>
inline constexpr bool invocable_with_n = [] {
  if constexpr (N == 1) return std::is_invocable_v<F, float>;
  else if constexpr (N == 2) return std::is_invocable_v<F, float, float>;
  else if constexpr (N == 3) return std::is_invocable_v<F, float, float, float>;
  else if constexpr (N == 4) return std::is_invocable_v<F, float, float, float, float>;
  else return std::is_invocable_v<F, float, float, float, float, float>;
}();

template <class F>
inline constexpr int functor_arity_v = invocable_with_n<F, 1>   ? 1
                                       : invocable_with_n<F, 2> ? 2
                                       : invocable_with_n<F, 3> ? 3
                                       : invocable_with_n<F, 4> ? 4
                                                                : 5;

struct ProgramFunctor {
  std::string_view name;
  int arity;
  ProgramOpFn<float> f32;   // nullptr: the functor does not compute in float
  ProgramOpFn<double> f64;
};

template <class F, class T>
constexpr ProgramOpFn<T> program_op_for() {
  if constexpr (F::template supports<T>) {
    return []<size_t... I>(std::index_sequence<I...>) {
      return &program_op<F, T, I...>;
    }(std::make_index_sequence<functor_arity_v<F>>{});
  } else {
    return nullptr;
  }
}

/// The table, indexed by functors::functor_id_v. A template, so that only programs that
/// differentiate instantiate the ~80 block loops.
template <class = void>
const std::vector<ProgramFunctor>& program_functors() {
  static const std::vector<ProgramFunctor> table = []<class... Fs>(std::tuple<Fs...>*) {
    return std::vector<ProgramFunctor>{ProgramFunctor{Fs::name, functor_arity_v<Fs>,
                                                      program_op_for<Fs, float>(),
                                                      program_op_for<Fs, double>()}...};
  }(static_cast<functors::all_functors*>(nullptr));
  return table;
}

// ---- evaluation -------------------------------------------------------------------------

/// A program bound to one compute type: per instruction its loop and its scratch block.
template <class T>
struct BoundProgram {
  const ProgramDesc* desc;
  std::vector<ProgramOpFn<T>> fns;
  int blocks = 0;
};

template <class T>
void program_chunk_kernel(const void* bp, const T* const* slots, int64_t m, T* out, T* scratch) {
  const auto& b = *static_cast<const BoundProgram<T>*>(bp);
  const auto& code = b.desc->code;
  const int n = static_cast<int>(code.size());
  static thread_local std::vector<const T*> vals;
  vals.resize(code.size());
  int block = 0;
  for (int i = 0; i < n; ++i) {
    const ProgramInstr& ins = code[i];
    if (ins.op == ProgramInstr::input) {
      vals[i] = slots[ins.args[0]];
      continue;
    }
    T* o = i == n - 1 ? out : scratch + (block++) * cpu::chunk_elems;
    if (ins.op == ProgramInstr::constant) {
      std::fill(o, o + m, static_cast<T>(ins.value));
    } else {
      const T* args[5];
      for (int k = 0; k < 5 && ins.args[k] >= 0; ++k) args[k] = vals[ins.args[k]];
      b.fns[i](args, o, m);
    }
    vals[i] = o;
  }
  if (vals[n - 1] != out) std::copy(vals[n - 1], vals[n - 1] + m, out);
}

template <class T>
BoundProgram<T> bind_program(const ProgramDesc& p) {
  BoundProgram<T> b{&p, {}, 0};
  const auto& table = program_functors();
  b.fns.resize(p.code.size(), nullptr);
  for (size_t i = 0; i < p.code.size(); ++i) {
    const int op = p.code[i].op;
    if (op == ProgramInstr::input) continue;
    ++b.blocks;
    if (op < 0) continue;
    if constexpr (std::is_same_v<T, float>)
      b.fns[i] = table[op].f32;
    else
      b.fns[i] = table[op].f64;
    if (!b.fns[i])
      fail("FusedProgram", "The operation ", table[op].name, " does not compute in ",
           std::is_same_v<T, float> ? "float32" : "float64", ".");
  }
  return b;
}

}  // namespace detail

/// A runtime-fused elementwise node: evaluates a ProgramDesc over its inputs in one pass.
template <class = void>
class FusedProgram : public detail::ExpressionPrimitive {
 public:
  FusedProgram(Stream s, std::shared_ptr<const detail::ProgramDesc> p)
      : ExpressionPrimitive(s), desc_(std::move(p)) {
    slots_.resize(desc_->num_inputs);
    for (int i = 0; i < desc_->num_inputs; ++i) slots_[i] = i;
    if (desc_->compute == float64)
      f64_ = detail::bind_program<double>(*desc_);
    else
      f32_ = detail::bind_program<float>(*desc_);
  }

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    if (desc_->compute == float64)
      run(*f64_, inputs, out);
    else
      run(*f32_, inputs, out);
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    if (!gpu::run_elementwise(*desc_, inputs, outputs[0])) Primitive::eval_gpu(inputs, outputs);
  }
  bool describe(detail::ProgramDesc& p) const override {
    p = *desc_;
    return true;
  }
  const char* name() const override { return "FusedProgram"; }
  void print(std::ostream& os) override {
    const auto& t = detail::program_functors();
    os << "FusedProgram(";
    for (size_t i = 0; i < desc_->code.size(); ++i) {
      const auto& ins = desc_->code[i];
      os << (i ? "; " : "") << '%' << i << '=';
      if (ins.op == detail::ProgramInstr::input)
        os << "in" << ins.args[0];
      else if (ins.op == detail::ProgramInstr::constant)
        os << ins.value;
      else {
        os << t[ins.op].name << '(';
        for (int k = 0; k < t[ins.op].arity; ++k) os << (k ? "," : "") << '%' << ins.args[k];
        os << ')';
      }
    }
    os << ')';
  }
  const detail::ProgramDesc& program() const { return *desc_; }

 private:
  template <class T>
  void run(const detail::BoundProgram<T>& b, const std::vector<array>& inputs, array& out) {
    cpu::ChunkKernel<T> k{&detail::program_chunk_kernel<T>, &b, desc_->num_inputs, b.blocks};
    cpu::run_elementwise<T>(k, slots_.data(), inputs, out);
  }

  std::shared_ptr<const detail::ProgramDesc> desc_;
  std::vector<int> slots_;
  std::optional<detail::BoundProgram<float>> f32_;
  std::optional<detail::BoundProgram<double>> f64_;
};

namespace detail {

// ---- symbolic values: jvp rules that write instructions ---------------------------------

namespace sym {

/// Records instructions, sharing identical ones (the rules recompute e.g. tanh(x) twice).
struct Builder {
  ProgramDesc p;
  std::map<std::tuple<int, std::array<int, 5>, double>, int> seen;

  int add(const ProgramInstr& ins) {
    auto key = std::make_tuple(ins.op, ins.args, ins.op == ProgramInstr::constant ? ins.value : 0.0);
    auto [it, fresh] = seen.try_emplace(key, static_cast<int>(p.code.size()));
    if (fresh) p.code.push_back(ins);
    return it->second;
  }
};

inline Builder*& current() {
  static thread_local Builder* b = nullptr;
  return b;
}

/// An instruction of the current builder. Arithmetic on Syms appends instructions.
struct Sym {
  int id = -1;
  Sym() = default;
  explicit Sym(int instr, std::nullptr_t) : id(instr) {}
  template <class S>
    requires(std::is_arithmetic_v<S>)
  Sym(S c) {  // NOLINT: implicit, as T x = 1.0 is in the rules
    ProgramInstr ins;
    ins.value = static_cast<double>(c);
    id = current()->add(ins);
  }
};

inline Sym emit(int op, std::initializer_list<Sym> args) {
  ProgramInstr ins;
  ins.op = op;
  int k = 0;
  for (const Sym& a : args) ins.args[k++] = a.id;
  return Sym(current()->add(ins), nullptr);
}
template <class F, class... A>
Sym emit_f(const A&... a) {
  return emit(functors::functor_id_v<F>, {Sym(a)...});
}

template <class S>
concept number = std::is_arithmetic_v<S>;

#define MLXPP_SYM_BINARY(fn, F)                                                          \
  inline Sym fn(const Sym& a, const Sym& b) { return emit_f<functors::F>(a, b); }       \
  template <number S>                                                                    \
  Sym fn(const Sym& a, S b) { return emit_f<functors::F>(a, Sym(b)); }                  \
  template <number S>                                                                    \
  Sym fn(S a, const Sym& b) { return emit_f<functors::F>(Sym(a), b); }
#define MLXPP_SYM_UNARY(fn, F) \
  inline Sym fn(const Sym& x) { return emit_f<functors::F>(x); }

MLXPP_AD_UNARY_FUNCTIONS(MLXPP_SYM_UNARY)
MLXPP_AD_BINARY_FUNCTIONS(MLXPP_SYM_BINARY)
MLXPP_SYM_UNARY(operator-, Negative)
MLXPP_SYM_BINARY(operator==, Equal)
MLXPP_SYM_BINARY(operator!=, NotEqual)
MLXPP_SYM_BINARY(operator<, Less)
MLXPP_SYM_BINARY(operator<=, LessEqual)
MLXPP_SYM_BINARY(operator>, Greater)
MLXPP_SYM_BINARY(operator>=, GreaterEqual)
#undef MLXPP_SYM_UNARY
#undef MLXPP_SYM_BINARY

inline Sym operator+(const Sym& x) { return x; }
// Masks are 1/0 values inside a program, so the lane-wise logic of the rules
// (functors::mask_and/or/not) is min, max and 1 - m.
inline Sym operator&(const Sym& a, const Sym& b) { return emit_f<functors::Minimum>(a, b); }
inline Sym operator|(const Sym& a, const Sym& b) { return emit_f<functors::Maximum>(a, b); }
inline Sym operator~(const Sym& a) { return emit_f<functors::Subtract>(Sym(1), a); }
inline Sym where(const Sym& c, const Sym& a, const Sym& b) { return emit_f<functors::Select>(c, a, b); }

}  // namespace sym

}  // namespace detail

namespace simd {
// Where a rule calls simd::select (functors::where, Sigmoid's value), a Sym selects too.
template <>
inline detail::sym::Sym select<detail::sym::Sym, detail::sym::Sym>(const detail::sym::Sym& c,
                                                                  const detail::sym::Sym& a,
                                                                  const detail::sym::Sym& b) {
  return detail::sym::where(c, a, b);
}
}  // namespace simd

namespace detail {

namespace sym {

/// An optional Sym: a known-zero value is `none`.
using Maybe = std::optional<Sym>;

/// A rule's result; a known zero (ad::zero_t, or the constant 0 that stop_gradient and the
/// piecewise-constant functions return) is `none`, so nothing is built from it.
template <class R>
Maybe to_maybe(const R& r) {
  if constexpr (std::is_same_v<R, ad::zero_t>) {
    return std::nullopt;
  } else {
    Sym v(r);
    const ProgramInstr& ins = current()->p.code[v.id];
    if (ins.op == ProgramInstr::constant && ins.value == 0) return std::nullopt;
    return v;
  }
}

inline Maybe add(const Maybe& a, const Maybe& b) {
  if (!a) return b;
  if (!b) return a;
  return *a + *b;
}

/// The tangent of instruction `ins` (args' values `x`, tangents `t`) through F's jvp rule.
template <class F>
Maybe functor_jvp(const Sym* x, const Maybe* t) {
  constexpr int n = functor_arity_v<F>;
  if constexpr (std::is_same_v<F, functors::Select>) {
    if (!t[1] && !t[2]) return std::nullopt;
    return where(x[0], t[1] ? *t[1] : Sym(0), t[2] ? *t[2] : Sym(0));
  } else if constexpr (n == 1 && requires { F::jvp(x[0], x[0]); }) {
    if (!t[0]) return std::nullopt;
    return to_maybe(F::jvp(x[0], *t[0]));
  } else if constexpr (n == 2 && requires { F::jvp(x[0], x[1], x[0], x[1]); }) {
    if (t[0] && t[1]) return to_maybe(F::jvp(x[0], x[1], *t[0], *t[1]));
    if (t[0]) return to_maybe(F::jvp(x[0], x[1], *t[0], ad::zero));
    if (t[1]) return to_maybe(F::jvp(x[0], x[1], ad::zero, *t[1]));
    return std::nullopt;
  } else {
    (void)x;
    (void)t;
    return std::nullopt;  // piecewise constant (comparisons, rounding, logic): no derivative
  }
}

template <class = void>
Maybe jvp_by_id(int op, const Sym* x, const Maybe* t) {
  using Fn = Maybe (*)(const Sym*, const Maybe*);
  static const std::vector<Fn> table = []<class... Fs>(std::tuple<Fs...>*) {
    return std::vector<Fn>{&functor_jvp<Fs>...};
  }(static_cast<functors::all_functors*>(nullptr));
  return table[op](x, t);
}

/// The instructions `result` depends on, renumbered, with only the inputs they read (their
/// old indices in `used_inputs`).
inline ProgramDesc prune(const ProgramDesc& p, int result, std::vector<int>& used_inputs) {
  std::vector<char> live(p.code.size(), 0);
  live[result] = 1;
  for (int i = result; i >= 0; --i) {
    if (!live[i] || p.code[i].op < 0) continue;
    for (int a : p.code[i].args)
      if (a >= 0) live[a] = 1;
  }
  std::vector<int> input_map(p.num_inputs, -1);
  used_inputs.clear();
  for (int i = 0; i <= result; ++i)
    if (live[i] && p.code[i].op == ProgramInstr::input && input_map[p.code[i].args[0]] < 0) {
      input_map[p.code[i].args[0]] = 0;
    }
  for (int k = 0; k < p.num_inputs; ++k)
    if (input_map[k] == 0) {
      input_map[k] = static_cast<int>(used_inputs.size());
      used_inputs.push_back(k);
    }
  ProgramDesc q;
  q.compute = p.compute;
  q.shape = p.shape;
  q.num_inputs = static_cast<int>(used_inputs.size());
  std::vector<int> renum(p.code.size(), -1);
  for (int i = 0; i <= result; ++i) {
    if (!live[i]) continue;
    ProgramInstr ins = p.code[i];
    if (ins.op == ProgramInstr::input)
      ins.args[0] = input_map[ins.args[0]];
    else if (ins.op >= 0)
      for (int& a : ins.args)
        if (a >= 0) a = renum[a];
    renum[i] = static_cast<int>(q.code.size());
    q.code.push_back(ins);
  }
  return q;
}

/// Installs a builder as current for its lifetime, starting from a copy of `p`.
struct Scope {
  Builder b;
  Builder* saved;
  explicit Scope(const ProgramDesc& p) : saved(current()) {
    b.p.compute = p.compute;
    b.p.shape = p.shape;
    b.p.num_inputs = p.num_inputs;
    current() = &b;
    // Copied verbatim (instruction i stays i); the first of identical ones is shared.
    for (const auto& ins : p.code) {
      auto key = std::make_tuple(ins.op, ins.args,
                                 ins.op == ProgramInstr::constant ? ins.value : 0.0);
      b.seen.try_emplace(key, static_cast<int>(b.p.code.size()));
      b.p.code.push_back(ins);
    }
  }
  ~Scope() { current() = saved; }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  Sym input(int k) {
    ProgramInstr ins;
    ins.op = ProgramInstr::input;
    ins.args[0] = k;
    b.p.num_inputs = std::max(b.p.num_inputs, k + 1);
    return Sym(b.add(ins), nullptr);
  }
};

}  // namespace sym

/// A program and the indices (into the original node's inputs, or -1 for an added input) of
/// the inputs it reads.
struct DerivedProgram {
  ProgramDesc program;
  std::vector<int> inputs;  // original input index, or -1 - j for added input j
  bool zero = false;        // the result is identically zero
};

/// The vjp of `p` with respect to each of its inputs in `wrt`: programs over p's inputs and
/// one more input, the cotangent of p's result (added input 0). The returned programs have
/// p's shape (the caller reduces broadcast dims).
template <class = void>
std::vector<DerivedProgram> program_vjp(const ProgramDesc& p, const std::vector<int>& wrt) {
  // Instructions are shared between the forward copy and the adjoints; CSE in the builder
  // means the forward values each gradient needs appear once.
  std::vector<DerivedProgram> out(wrt.size());
  sym::Scope scope(p);
  const int n = static_cast<int>(p.code.size());
  const sym::Sym g = scope.input(p.num_inputs);
  std::vector<sym::Maybe> adj(n);
  adj[n - 1] = g;
  std::vector<sym::Maybe> input_adj(p.num_inputs);
  const auto& table = program_functors();
  for (int i = n - 1; i >= 0; --i) {
    if (!adj[i]) continue;
    const ProgramInstr ins = scope.b.p.code[i];
    if (ins.op == ProgramInstr::input) {
      input_adj[ins.args[0]] = sym::add(input_adj[ins.args[0]], adj[i]);
      continue;
    }
    if (ins.op < 0) continue;
    const int arity = table[ins.op].arity;
    sym::Sym x[5];
    for (int k = 0; k < arity; ++k) x[k] = sym::Sym(ins.args[k], nullptr);
    // The vjp of an elementwise function is its jvp with the cotangent as the tangent of one
    // argument and zero for the others (the Jacobian is diagonal).
    for (int k = 0; k < arity; ++k) {
      sym::Maybe t[5];
      t[k] = *adj[i];
      sym::Maybe c = sym::jvp_by_id(ins.op, x, t);
      if (c) adj[ins.args[k]] = sym::add(adj[ins.args[k]], c);
    }
  }
  for (size_t w = 0; w < wrt.size(); ++w) {
    const auto& a = input_adj[wrt[w]];
    if (!a) {
      out[w].zero = true;
      continue;
    }
    std::vector<int> used;
    out[w].program = sym::prune(scope.b.p, a->id, used);
    for (int u : used) out[w].inputs.push_back(u < p.num_inputs ? u : -1 - (u - p.num_inputs));
  }
  return out;
}

/// The jvp of `p`: a program over p's inputs and the tangents of the inputs in `with`
/// (added inputs 0, 1, ... in that order).
template <class = void>
DerivedProgram program_jvp(const ProgramDesc& p, const std::vector<int>& with) {
  DerivedProgram out;
  sym::Scope scope(p);
  const int n = static_cast<int>(p.code.size());
  std::vector<sym::Maybe> input_tan(p.num_inputs);
  for (size_t j = 0; j < with.size(); ++j)
    input_tan[with[j]] = scope.input(p.num_inputs + static_cast<int>(j));
  std::vector<sym::Maybe> tan(n);
  const auto& table = program_functors();
  for (int i = 0; i < n; ++i) {
    const ProgramInstr ins = scope.b.p.code[i];
    if (ins.op == ProgramInstr::input) {
      tan[i] = input_tan[ins.args[0]];
      continue;
    }
    if (ins.op < 0) continue;
    const int arity = table[ins.op].arity;
    sym::Sym x[5];
    sym::Maybe t[5];
    bool any = false;
    for (int k = 0; k < arity; ++k) {
      x[k] = sym::Sym(ins.args[k], nullptr);
      t[k] = tan[ins.args[k]];
      any = any || t[k].has_value();
    }
    if (any) tan[i] = sym::jvp_by_id(ins.op, x, t);
  }
  if (!tan[n - 1]) {
    out.zero = true;
    return out;
  }
  std::vector<int> used;
  out.program = sym::prune(scope.b.p, tan[n - 1]->id, used);
  for (int u : used) out.inputs.push_back(u < p.num_inputs ? u : -1 - (u - p.num_inputs));
  return out;
}

}  // namespace detail

}  // namespace mlx::core
