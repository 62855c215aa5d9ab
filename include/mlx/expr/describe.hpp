// SPDX-License-Identifier: MIT
// An expression tree written out as data: the runtime program that the transforms
// (transforms/program.hpp) differentiate and evaluate. Nodes that hold an expression
// (Fused<E>, Reduce<E, R>) describe it through ExpressionPrimitive::describe, which costs a
// walk over the tree and instantiates no kernel, so a program that never differentiates
// pays nothing for it (docs/compile-time.md).
#pragma once

#include <array>
#include <vector>

#include "mlx/core/primitive.hpp"
#include "mlx/expr/expr.hpp"
#include "mlx/expr/functors/registry.hpp"

namespace mlx::core {

namespace detail {

/// One instruction. `op` is a functor id (functors::functor_id_v) applied to the results of
/// instructions args[0..arity), or one of the two leaf codes below.
struct ProgramInstr {
  static constexpr int input = -1;     // the node's input args[0]
  static constexpr int constant = -2;  // `value`
  int op = constant;
  std::array<int, 5> args{-1, -1, -1, -1, -1};
  double value = 0;
};

/// A straight-line program over a node's inputs; its result is the last instruction.
/// Every instruction computes in `compute` (float for float16/bfloat16/float32, or float64).
struct ProgramDesc {
  std::vector<ProgramInstr> code;
  int num_inputs = 0;
  Dtype compute = float32;
  Shape shape;  // the shape the program computes (its inputs broadcast to it)
  int result() const { return static_cast<int>(code.size()) - 1; }
};

template <class Op>
int describe_operand(const Op& op, ProgramDesc& p, const int* slot_input, int slot);

/// Appends expression e (input slots from `base`) to p; returns its instruction or -1 when it
/// cannot be written as a program (a complex constant, a dropped slot).
template <class F, class... Ops>
int describe_expr(const Expr<F, Ops...>& e, ProgramDesc& p, const int* slot_input, int base) {
  if (e.is_materialized()) return describe_operand(e.materialized(), p, slot_input, base);
  ProgramInstr ins;
  ins.op = functors::functor_id_v<F>;
  static_assert(sizeof...(Ops) <= 5, "describe_expr: at most 5 operands");
  bool ok = true;
  int i = 0;
  std::apply(
      [&](const auto&... op) {
        ((ins.args[i] = describe_operand(op, p, slot_input, base + Expr<F, Ops...>::offsets[i]),
          ok = ok && ins.args[i] >= 0, ++i),
         ...);
      },
      e.operands());
  if (!ok) return -1;
  p.code.push_back(ins);
  return p.result();
}

template <class Op>
int describe_operand(const Op& op, ProgramDesc& p, const int* slot_input, int slot) {
  ProgramInstr ins;
  if constexpr (std::is_same_v<Op, array>) {
    if (slot_input[slot] < 0) return -1;
    ins.op = ProgramInstr::input;
    ins.args[0] = slot_input[slot];
  } else if constexpr (expression<Op>) {
    return describe_expr(op, p, slot_input, slot);
  } else if constexpr (std::is_same_v<decltype(op.value), complex64_t>) {
    return -1;
  } else {
    ins.value = static_cast<double>(op.value);
  }
  p.code.push_back(ins);
  return p.result();
}

/// A node computing from one elementwise expression over its inputs (Fused<E>, Reduce<E, R>
/// and the runtime-fused FusedProgram). The transforms read the expression through this.
class ExpressionPrimitive : public UnaryPrimitive {
 public:
  using UnaryPrimitive::UnaryPrimitive;
  /// Fills p (empty on entry) with the expression; false when it cannot be described.
  virtual bool describe(ProgramDesc& p) const = 0;
};

/// Writes expression e, whose slots map to node inputs through slot_input, into p.
template <class E>
bool describe_into(const E& e, const int* slot_input, int num_inputs, ProgramDesc& p) {
  p.num_inputs = num_inputs;
  p.compute = e.compute_dtype();
  p.shape = e.shape();
  return describe_expr(e, p, slot_input, 0) >= 0;
}

}  // namespace detail

}  // namespace mlx::core
