// SPDX-License-Identifier: MIT
// Shape and view primitives: Reshape, Transpose, Broadcast, ExpandSqueeze, AsStrided (views
// of their input's buffer: no copy where the strides allow) and Contiguous.
#pragma once

#include <cstdlib>
#include <optional>
#include <vector>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/gpu/copy.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

namespace detail {

/// The flags of a view with these strides: row/column contiguity ignores size-1 dims.
inline array::Flags strided_flags(const Shape& shape, const Strides& strides) {
  bool row = true, col = true;
  int64_t expect = 1;
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] == 1) continue;
    row = row && strides[d] == expect;
    expect *= shape[d];
  }
  expect = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    col = col && strides[d] == expect;
    expect *= shape[d];
  }
  return array::Flags{row || col, row, col};
}

/// Elements between the first and the last element a view can touch (0 when empty).
inline size_t strided_span(const Shape& shape, const Strides& strides) {
  int64_t span = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return 0;
    span += (shape[d] - 1) * std::llabs(strides[d]);
  }
  return static_cast<size_t>(span);
}

/// Makes `out` a view of `in`'s buffer with `strides`, starting `offset` elements in.
inline void make_view(const array& in, array& out, const Strides& strides, int64_t offset = 0) {
  out.copy_shared_buffer(in, strides, strided_flags(out.shape(), strides),
                         strided_span(out.shape(), strides), offset);
}

/// Strides that read `in` as `shape` without a copy, or an empty result when none exist
/// (NumPy's no-copy reshape: each group of old dims that multiplies to a group of new dims
/// must be contiguous within itself).
inline std::optional<Strides> reshape_strides(const Shape& old_shape, const Strides& old_st,
                                              const Shape& shape) {
  // No elements: any strides do (the walk below assumes non-zero dims on both sides).
  if (shape_size(old_shape) == 0) return row_major_strides(shape);
  Shape os;
  Strides ost;
  for (size_t d = 0; d < old_shape.size(); ++d)
    if (old_shape[d] != 1) {
      os.push_back(old_shape[d]);
      ost.push_back(old_st[d]);
    }
  Strides st(shape.size(), 0);
  size_t oi = 0, ni = 0;
  const size_t on = os.size(), nn = shape.size();
  while (ni < nn && oi < on) {
    int64_t np = shape[ni], op = os[oi];
    size_t nj = ni + 1, oj = oi + 1;
    while (np != op) {
      if (np < op)
        np *= shape[nj++];
      else
        op *= os[oj++];
    }
    for (size_t k = oi; k + 1 < oj; ++k)
      if (ost[k] != ost[k + 1] * os[k + 1]) return std::nullopt;
    st[nj - 1] = ost[oj - 1];
    for (size_t k = nj - 1; k > ni; --k) st[k - 1] = st[k] * shape[k];
    ni = nj;
    oi = oj;
  }
  // Trailing size-1 dims: any stride works; use the row-major one.
  for (; ni < nn; ++ni) st[ni] = ni > 0 ? st[ni - 1] : 1;
  return st;
}

}  // namespace detail

/// A view of the input with new shape: shares the buffer when the strides allow, copies
/// into row-major order otherwise.
template <class = void>
class Reshape : public UnaryPrimitive {
 public:
  Reshape(Stream s, Shape shape) : UnaryPrimitive(s), shape_(std::move(shape)) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& in = inputs[0];
    if (in.flags().row_contiguous && in.data_size() == in.size()) {
      detail::make_view(in, out, row_major_strides(out.shape()));
      return;
    }
    if (auto st = detail::reshape_strides(in.shape(), in.strides(), out.shape())) {
      detail::make_view(in, out, *st);
      return;
    }
    out.set_data(allocator::malloc(out.nbytes()));
    cpu::copy_to_row_major(in, out.raw_data());
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const array& in = inputs[0];
    const bool view = (in.flags().row_contiguous && in.data_size() == in.size()) ||
                      detail::reshape_strides(in.shape(), in.strides(), outputs[0].shape());
    if (view)
      eval_cpu(inputs, outputs[0]);  // metadata only: the view shares the device memory
    else if (!gpu::copy_row_major(in, outputs[0]))
      Primitive::eval_gpu(inputs, outputs);
  }
  std::vector<Shape> output_shapes(const std::vector<array>&) override { return {shape_}; }
  const char* name() const override { return "Reshape"; }

 private:
  Shape shape_;
};

/// Permutes the axes (a view).
template <class = void>
class Transpose : public UnaryPrimitive {
 public:
  Transpose(Stream s, std::vector<int> axes) : UnaryPrimitive(s), axes_(std::move(axes)) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& in = inputs[0];
    Strides st(axes_.size());
    for (size_t i = 0; i < axes_.size(); ++i) st[i] = in.strides()[axes_[i]];
    detail::make_view(in, out, st);
  }
  // Views are metadata: the same on a GPU stream (the output shares the device memory).
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    eval_cpu(inputs, outputs[0]);
  }
  const char* name() const override { return "Transpose"; }
  const std::vector<int>& axes() const { return axes_; }

 private:
  std::vector<int> axes_;
};

/// Broadcasts to the output's shape (a view with zero strides).
template <class = void>
class Broadcast : public UnaryPrimitive {
 public:
  using UnaryPrimitive::UnaryPrimitive;
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& in = inputs[0];
    detail::make_view(in, out, detail::broadcast_strides(in.shape(), in.strides(), out.shape()));
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    eval_cpu(inputs, outputs[0]);
  }
  const char* name() const override { return "Broadcast"; }
};

/// Drops or inserts size-1 axes (a view). `keep[i]` is the input axis of output axis i, or
/// -1 for an inserted one.
template <class = void>
class ExpandSqueeze : public UnaryPrimitive {
 public:
  ExpandSqueeze(Stream s, std::vector<int> keep, bool expand)
      : UnaryPrimitive(s), keep_(std::move(keep)), expand_(expand) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& in = inputs[0];
    Strides st(keep_.size());
    for (size_t i = 0; i < keep_.size(); ++i) st[i] = keep_[i] < 0 ? 0 : in.strides()[keep_[i]];
    detail::make_view(in, out, st);
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    eval_cpu(inputs, outputs[0]);
  }
  const char* name() const override { return expand_ ? "ExpandDims" : "Squeeze"; }

 private:
  std::vector<int> keep_;
  bool expand_;
};

/// A view with caller-given strides and offset over the input's row-major elements
/// (the input is made row-contiguous first, as MLX does).
template <class = void>
class AsStrided : public UnaryPrimitive {
 public:
  AsStrided(Stream s, Strides strides, size_t offset)
      : UnaryPrimitive(s), strides_(std::move(strides)), offset_(offset) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array in = cpu::ensure_row_contiguous(inputs[0]);
    detail::make_view(in, out, strides_, static_cast<int64_t>(offset_));
  }
  const char* name() const override { return "AsStrided"; }
  const Strides& strides() const { return strides_; }
  size_t offset() const { return offset_; }

 private:
  Strides strides_;
  size_t offset_;
};

/// A row-contiguous copy unless the input already is one (or column-contiguous, when allowed).
template <class = void>
class Contiguous : public UnaryPrimitive {
 public:
  Contiguous(Stream s, bool allow_col_major) : UnaryPrimitive(s), allow_col_(allow_col_major) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& in = inputs[0];
    const bool packed = in.data_size() == in.size();
    if (packed && (in.flags().row_contiguous || (allow_col_ && in.flags().col_contiguous))) {
      out.copy_shared_buffer(in);
      return;
    }
    out.set_data(allocator::malloc(out.nbytes()));
    cpu::copy_to_row_major(in, out.raw_data());
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const array& in = inputs[0];
    const bool packed = in.data_size() == in.size();
    if (packed && (in.flags().row_contiguous || (allow_col_ && in.flags().col_contiguous)))
      outputs[0].copy_shared_buffer(in);
    else if (!gpu::copy(in, outputs[0]))
      Primitive::eval_gpu(inputs, outputs);
  }
  const char* name() const override { return "Contiguous"; }

 private:
  bool allow_col_;
};

/// The input's bytes read as another dtype (row-major; the last axis rescaled when the
/// item sizes differ).
template <class = void>
class View : public UnaryPrimitive {
 public:
  using UnaryPrimitive::UnaryPrimitive;
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array in = cpu::ensure_row_contiguous(inputs[0]);
    out.copy_shared_buffer(in, row_major_strides(out.shape()), array::Flags{true, true, out.ndim() <= 1},
                           out.size());
  }
  const char* name() const override { return "View"; }
};

/// Outputs that share the buffers of the first `n` inputs; the remaining inputs are only
/// dependencies (evaluated first).
template <class = void>
class Depends : public Primitive {
 public:
  using Primitive::Primitive;
  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    for (size_t i = 0; i < outputs.size(); ++i) outputs[i].copy_shared_buffer(inputs[i]);
  }
  const char* name() const override { return "Depends"; }
};

}  // namespace mlx::core
