// SPDX-License-Identifier: MIT
// Error-table rows (tests/ops/error_table.hpp) for the elementwise ops, creation,
// comparisons, reductions, scans, sorting, fp8, hadamard_transform and softmax.
#include "error_table.hpp"

#include <cmath>
#include <limits>
#include <optional>

namespace {

using namespace errtable;

// Two operands that do not broadcast: every binary elementwise op rejects them naming itself.
#define BINARY_SHAPE(fn) ROW(core, fn, "shape", invalid_argument, "Shapes (2,) and (3,) cannot be broadcast", (void)mx::fn(f32({2}), f32({3})))
#define INT_BINARY_SHAPE(fn) ROW(core, fn, "shape", invalid_argument, "Shapes (2,) and (3,) cannot be broadcast", (void)mx::fn(i32({2}), i32({3})))
#define COMPLEX_UNARY(fn) ROW(core, fn, "dtype", invalid_argument, "complex64", (void)mx::fn(c64({2})))
#define COMPLEX_BINARY(fn) ROW(core, fn, "dtype", invalid_argument, "complex64", (void)mx::fn(c64({2}), c64({2})))
#define FLOAT_BITWISE(fn) ROW(core, fn, "dtype", invalid_argument, "float32", (void)mx::fn(f32({2}), i32({2})))

const Register rows({
    // ---- elementwise -------------------------------------------------------------------
    BINARY_SHAPE(add),
    BINARY_SHAPE(subtract),
    BINARY_SHAPE(multiply),
    BINARY_SHAPE(divide),
    BINARY_SHAPE(maximum),
    BINARY_SHAPE(minimum),
    BINARY_SHAPE(floor_divide),
    BINARY_SHAPE(remainder),
    BINARY_SHAPE(power),
    BINARY_SHAPE(arctan2),
    BINARY_SHAPE(logaddexp),
    BINARY_SHAPE(equal),
    BINARY_SHAPE(not_equal),
    BINARY_SHAPE(less),
    BINARY_SHAPE(less_equal),
    BINARY_SHAPE(greater),
    BINARY_SHAPE(greater_equal),
    BINARY_SHAPE(logical_and),
    BINARY_SHAPE(logical_or),
    BINARY_SHAPE(isclose),
    BINARY_SHAPE(divmod),
    INT_BINARY_SHAPE(bitwise_and),
    INT_BINARY_SHAPE(bitwise_or),
    INT_BINARY_SHAPE(bitwise_xor),
    INT_BINARY_SHAPE(left_shift),
    INT_BINARY_SHAPE(right_shift),
    COMPLEX_BINARY(maximum),
    COMPLEX_BINARY(minimum),
    COMPLEX_BINARY(floor_divide),
    COMPLEX_BINARY(remainder),
    COMPLEX_BINARY(arctan2),
    COMPLEX_BINARY(logaddexp),
    COMPLEX_BINARY(less),
    COMPLEX_BINARY(less_equal),
    COMPLEX_BINARY(greater),
    COMPLEX_BINARY(greater_equal),
    ROW(core, divmod, "dtype", invalid_argument, "Complex type not supported", (void)mx::divmod(c64({2}), f32({2}))),
    FLOAT_BITWISE(bitwise_and),
    FLOAT_BITWISE(bitwise_or),
    FLOAT_BITWISE(bitwise_xor),
    FLOAT_BITWISE(left_shift),
    FLOAT_BITWISE(right_shift),
    ROW(core, bitwise_invert, "dtype", invalid_argument, "float32", (void)mx::bitwise_invert(f32({2}))),
    ROW(core, negative, "dtype", invalid_argument, "bool", (void)mx::negative(bl({2}))),
    COMPLEX_UNARY(floor),
    COMPLEX_UNARY(ceil),
    COMPLEX_UNARY(erf),
    COMPLEX_UNARY(erfinv),
    COMPLEX_UNARY(isposinf),
    COMPLEX_UNARY(isneginf),
    ROW(core, where, "shape", invalid_argument, "Shapes (2,) and (3,) cannot be broadcast", (void)mx::where(bl({2}), f32({3}), f32({2}))),
    ROW(core, where, "shape", invalid_argument, "Shapes (4,) and (3,) cannot be broadcast", (void)mx::where(bl({4}), f32({3}), f32({3}))),
    ROW(core, clip, "value", invalid_argument, "a_min and a_max", (void)mx::clip(f32({2}))),
    ROW(core, clip, "dtype", invalid_argument, "complex64", (void)mx::clip(c64({2}), f32({}), std::nullopt)),
    ROW(core, clip, "shape", invalid_argument, "(3,)", (void)mx::clip(f32({2}), f32({3}), std::nullopt)),
    ROW(core, clip, "shape", invalid_argument, "(4,)", (void)mx::clip(f32({2}), std::nullopt, f32({4}))),

    // ---- creation ----------------------------------------------------------------------
    ROW(core, full, "size", invalid_argument, "(2,-1)", (void)mx::full({2, -1}, 1.0f)),
    ROW(core, full, "shape", invalid_argument, "values of shape (3,) to shape (2,)", (void)mx::full({2}, f32({3}))),
    ROW(core, zeros, "size", invalid_argument, "(-1,)", (void)mx::zeros({-1})),
    ROW(core, ones, "size", invalid_argument, "(3,-2)", (void)mx::ones({3, -2}, mx::int32)),
    ROW(core, arange, "value", invalid_argument, "step 0", (void)mx::arange(0.0, 1.0, 0.0)),
    ROW(core, arange, "value", invalid_argument, "stop inf", (void)mx::arange(0.0, INFINITY, 1.0)),
    ROW(core, arange, "dtype", invalid_argument, "bool", (void)mx::arange(0.0, 3.0, 1.0, mx::bool_)),
    ROW(core, arange, "size", invalid_argument, "Maximum size exceeded", (void)mx::arange(0.0, 1e10, 1.0)),
    ROW(core, linspace, "size", invalid_argument, "-1", (void)mx::linspace(0.0, 1.0, -1)),
    ROW(core, eye, "size", invalid_argument, "-1", (void)mx::eye(-1)),
    ROW(core, eye, "size", invalid_argument, "-3", (void)mx::eye(2, -3)),
    ROW(core, identity, "size", invalid_argument, "-2", (void)mx::identity(-2)),
    ROW(core, tri, "size", invalid_argument, "-1", (void)mx::tri(-1, 2, 0, mx::float32)),
    ROW(core, tril, "shape", invalid_argument, "(3,)", (void)mx::tril(f32({3}))),
    ROW(core, triu, "shape", invalid_argument, "()", (void)mx::triu(f32({}))),

    // ---- whole-array comparisons ---------------------------------------------------------
    ROW(core, allclose, "shape", invalid_argument, "(2,) and (3,)", (void)mx::allclose(f32({2}), f32({3}))),

    // ---- reductions --------------------------------------------------------------------
    ROW(core, sum, "axis", invalid_argument, "Invalid axis 2", (void)mx::sum(f32({2, 3}), 2)),
    ROW(core, sum, "axis", invalid_argument, "duplicate axis 0", (void)mx::sum(f32({2, 3}), {0, -2})),
    ROW(core, prod, "axis", invalid_argument, "Invalid axis -3", (void)mx::prod(f32({2, 3}), -3)),
    ROW(core, max, "axis", invalid_argument, "Invalid axis 1", (void)mx::max(f32({2}), 1)),
    ROW(core, max, "empty", invalid_argument, "zero size", (void)mx::max(f32({0}))),
    ROW(core, max, "dtype", invalid_argument, "complex64", (void)mx::max(c64({2}))),
    ROW(core, min, "axis", invalid_argument, "Invalid axis 1", (void)mx::min(f32({2}), 1)),
    ROW(core, min, "empty", invalid_argument, "zero size", (void)mx::min(f32({2, 0}), 0)),
    ROW(core, min, "dtype", invalid_argument, "complex64", (void)mx::min(c64({2}))),
    ROW(core, all, "axis", invalid_argument, "Invalid axis 5", (void)mx::all(bl({2}), 5)),
    ROW(core, any, "axis", invalid_argument, "Invalid axis 0", (void)mx::any(bl({}), 0)),
    ROW(core, mean, "axis", invalid_argument, "Invalid axis 2", (void)mx::mean(f32({2, 3}), 2)),
    ROW(core, mean, "axis", invalid_argument, "duplicate axis 1", (void)mx::mean(f32({2, 3}), {1, 1})),
    ROW(core, var, "axis", invalid_argument, "Invalid axis 2", (void)mx::var(f32({2, 3}), 2)),
    ROW(core, std, "axis", invalid_argument, "Invalid axis -3", (void)mx::std(f32({2, 3}), -3)),
    ROW(core, logsumexp, "axis", invalid_argument, "Invalid axis 1", (void)mx::logsumexp(f32({2}), 1)),
    ROW(core, argmax, "axis", invalid_argument, "Invalid axis 2", (void)mx::argmax(f32({2, 3}), 2)),
    ROW(core, argmax, "empty", invalid_argument, "zero size", (void)mx::argmax(f32({0}))),
    ROW(core, argmax, "dtype", invalid_argument, "complex64", (void)mx::argmax(c64({2}))),
    ROW(core, argmin, "axis", invalid_argument, "Invalid axis -2", (void)mx::argmin(f32({2}), -2)),
    ROW(core, argmin, "empty", invalid_argument, "zero size", (void)mx::argmin(f32({3, 0}), 0)),
    ROW(core, argmin, "dtype", invalid_argument, "complex64", (void)mx::argmin(c64({2}))),
    ROW(core, number_of_elements, "axis", invalid_argument, "Invalid axis 1", (void)mx::number_of_elements(f32({2}), {1}, false)),
    ROW(core, median, "axis", invalid_argument, "Invalid axis 2", (void)mx::median(f32({2, 3}), 2)),
    ROW(core, median, "empty", invalid_argument, "empty axis", (void)mx::median(f32({0}))),
    ROW(core, median, "dtype", invalid_argument, "complex64", (void)mx::median(c64({2}))),

    // ---- scans -------------------------------------------------------------------------
    ROW(core, cumsum, "axis", invalid_argument, "Axis 1 is out of bounds", (void)mx::cumsum(f32({2}), 1)),
    ROW(core, cumsum, "axis", invalid_argument, "Axis 0 is out of bounds", (void)mx::cumsum(f32({}), 0)),
    ROW(core, cumprod, "axis", invalid_argument, "Axis -2 is out of bounds", (void)mx::cumprod(f32({2}), -2)),
    ROW(core, cummax, "axis", invalid_argument, "Axis 3 is out of bounds", (void)mx::cummax(f32({2, 2}), 3)),
    ROW(core, cummax, "dtype", invalid_argument, "complex64", (void)mx::cummax(c64({2}), 0)),
    ROW(core, cummin, "axis", invalid_argument, "Axis 1 is out of bounds", (void)mx::cummin(f32({2}), 1)),
    ROW(core, cummin, "dtype", invalid_argument, "complex64", (void)mx::cummin(c64({2}))),
    ROW(core, logcumsumexp, "axis", invalid_argument, "Axis 1 is out of bounds", (void)mx::logcumsumexp(f32({2}), 1)),
    ROW(core, logcumsumexp, "dtype", invalid_argument, "complex64", (void)mx::logcumsumexp(c64({2}), 0)),

    // ---- sorting and selection ---------------------------------------------------------
    ROW(core, sort, "axis", invalid_argument, "invalid axis 1", (void)mx::sort(f32({2}), 1)),
    ROW(core, sort, "axis", invalid_argument, "invalid axis 0", (void)mx::sort(f32({}), 0)),
    ROW(core, argsort, "axis", invalid_argument, "invalid axis -2", (void)mx::argsort(f32({2}), -2)),
    ROW(core, partition, "axis", invalid_argument, "invalid axis 1", (void)mx::partition(f32({4}), 1, 1)),
    ROW(core, partition, "value", invalid_argument, "invalid kth 4", (void)mx::partition(f32({4}), 4, 0)),
    ROW(core, partition, "empty", invalid_argument, "invalid kth 0", (void)mx::partition(f32({0}), 0)),
    ROW(core, argpartition, "axis", invalid_argument, "invalid axis 2", (void)mx::argpartition(f32({4, 4}), 1, 2)),
    ROW(core, argpartition, "value", invalid_argument, "invalid kth -5", (void)mx::argpartition(f32({4}), -5)),
    ROW(core, topk, "axis", invalid_argument, "invalid axis 1", (void)mx::topk(f32({4}), 1, 1)),
    ROW(core, topk, "value", invalid_argument, "invalid k=5", (void)mx::topk(f32({4}), 5, 0)),
    ROW(core, topk, "value", invalid_argument, "invalid k=-1", (void)mx::topk(f32({4}), -1)),

    // ---- softmax, fp8, hadamard --------------------------------------------------------
    ROW(core, softmax, "dtype", invalid_argument, "int32", (void)mx::softmax(i32({2}), -1)),
    ROW(core, softmax, "axis", invalid_argument, "Invalid axis 1", (void)mx::softmax(f32({2}), 1)),
    ROW(core, to_fp8, "dtype", invalid_argument, "int32", (void)mx::to_fp8(i32({2}))),
    ROW(core, from_fp8, "dtype", invalid_argument, "float32", (void)mx::from_fp8(f32({2}), mx::float32)),
    ROW(core, from_fp8, "dtype", invalid_argument, "int32", (void)mx::from_fp8(u8({2}), mx::int32)),
    ROW(core, hadamard_transform, "size", invalid_argument, "Got 3", (void)mx::hadamard_transform(f32({2, 3}))),
    ROW(core, hadamard_transform, "empty", invalid_argument, "Got 0", (void)mx::hadamard_transform(f32({0}))),
    ROW(core, hadamard_transform, "shape", invalid_argument, "at least one dimension", (void)mx::hadamard_transform(f32({}))),
    ROW(core, hadamard_transform, "dtype", invalid_argument, "complex64", (void)mx::hadamard_transform(c64({4}))),
});

}  // namespace
