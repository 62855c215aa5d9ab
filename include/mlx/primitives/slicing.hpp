// SPDX-License-Identifier: MIT
// Slicing primitives: Slice and DynamicSlice (views), SliceUpdate and DynamicSliceUpdate,
// Concatenate (which write one new buffer).
#pragma once

#include <algorithm>
#include <vector>

#include "mlx/backend/gpu/copy.hpp"
#include "mlx/primitives/shape.hpp"

namespace mlx::core {

namespace detail {

/// The start indices held by an evaluated integer array, one per axis.
inline std::vector<int64_t> read_indices(const array& idx) {
  array c = cpu::ensure_row_contiguous(idx);
  std::vector<int64_t> out(c.size());
  dispatch_dtype(c.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = static_cast<const T*>(c.raw_data());
    for (size_t i = 0; i < out.size(); ++i) out[i] = convert_element<int64_t>(p[i]);
  });
  return out;
}

/// Writes `upd` into out's row-major buffer at start + i * steps (in elements).
inline void write_region(array& out, const array& upd, const Shape& start, const Shape& steps) {
  if (upd.size() == 0) return;
  Strides st;
  const int64_t offset = region_strides(out.shape(), start, steps, st);
  cpu::copy_strided(upd.raw_data(), upd.strides(),
                    static_cast<char*>(out.raw_data()) + offset * static_cast<int64_t>(out.itemsize()),
                    st, upd.shape(), out.itemsize());
}

/// out takes src's buffer when src dies here, else a row-major copy of it.
inline void copy_or_donate(const array& src, array& out) {
  if (src.is_donatable() && src.dtype() == out.dtype()) {
    out.copy_shared_buffer(src);
  } else {
    out.set_data(allocator::malloc(out.nbytes()));
    cpu::copy_to_row_major(src, out.raw_data());
  }
}

/// Dynamic starts clamped so that a region of `size` fits in `shape` (MLX's rule).
inline Shape clamp_starts(const std::vector<int64_t>& starts, const std::vector<int>& axes,
                          const Shape& shape, const Shape& size) {
  Shape first(shape.size(), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int ax = axes[i];
    int64_t b = starts[i] < 0 ? starts[i] + shape[ax] : starts[i];
    first[ax] = static_cast<ShapeElem>(std::clamp<int64_t>(b, 0, shape[ax] - size[ax]));
  }
  return first;
}

}  // namespace detail

/// Elements start + i * step per axis (a view; steps may be negative). `start` holds the
/// first element taken on each axis, already normalised.
template <class = void>
class Slice : public UnaryPrimitive {
 public:
  Slice(Stream s, Shape start, Shape steps)
      : UnaryPrimitive(s), start_(std::move(start)), steps_(std::move(steps)) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& in = inputs[0];
    Strides st(start_.size());
    int64_t offset = 0;
    for (size_t d = 0; d < start_.size(); ++d) {
      // An axis of 0 or 1 elements never steps, and stride * step may overflow there (a step
      // of 2^31 on a huge view); with 2 or more elements |step| < n, so the product fits.
      st[d] = out.shape()[d] > 1 ? in.strides()[d] * steps_[d] : in.strides()[d];
      if (out.shape()[d] > 0) offset += static_cast<int64_t>(start_[d]) * in.strides()[d];
    }
    if (out.size() == 0) offset = 0;
    detail::make_view(in, out, st, offset);
  }
  // A view is metadata: the same on a GPU stream (it shares the device memory).
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    eval_cpu(inputs, outputs[0]);
  }
  const char* name() const override { return "Slice"; }
  const Shape& start() const { return start_; }
  const Shape& steps() const { return steps_; }

 private:
  Shape start_, steps_;
};

/// A slice of the output's shape whose start along `axes` comes from the second input
/// (an integer array read at evaluation; a view).
template <class = void>
class DynamicSlice : public UnaryPrimitive {
 public:
  DynamicSlice(Stream s, std::vector<int> axes) : UnaryPrimitive(s), axes_(std::move(axes)) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& in = inputs[0];
    Shape first = detail::clamp_starts(detail::read_indices(inputs[1]), axes_, in.shape(), out.shape());
    int64_t offset = 0;
    for (size_t d = 0; d < first.size(); ++d) offset += static_cast<int64_t>(first[d]) * in.strides()[d];
    detail::make_view(in, out, in.strides(), out.size() == 0 ? 0 : offset);
  }
  // A view (the start indices come to the host to be read).
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    eval_cpu(inputs, outputs[0]);
  }
  const char* name() const override { return "DynamicSlice"; }

 private:
  std::vector<int> axes_;
};

/// The first input with a region of the second's shape replaced by it; the region's start
/// along `axes` comes from the third input (read at evaluation).
template <class = void>
class DynamicSliceUpdate : public UnaryPrimitive {
 public:
  DynamicSliceUpdate(Stream s, std::vector<int> axes) : UnaryPrimitive(s), axes_(std::move(axes)) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    const array& upd = inputs[1];
    Shape first = detail::clamp_starts(detail::read_indices(inputs[2]), axes_, out.shape(), upd.shape());
    detail::copy_or_donate(inputs[0], out);
    detail::write_region(out, upd, first, Shape(out.ndim(), 1));
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    const Shape first = detail::clamp_starts(detail::read_indices(inputs[2]), axes_,
                                             outputs[0].shape(), inputs[1].shape());
    if (!gpu::slice_update(inputs[0], inputs[1], first, Shape(outputs[0].ndim(), 1), outputs[0]))
      Primitive::eval_gpu(inputs, outputs);
  }
  const char* name() const override { return "DynamicSliceUpdate"; }

 private:
  std::vector<int> axes_;
};

/// The first input with the strided region start + i * step replaced by the second input
/// (already broadcast to the region's shape and cast to the output's dtype).
template <class = void>
class SliceUpdate : public UnaryPrimitive {
 public:
  SliceUpdate(Stream s, Shape start, Shape steps)
      : UnaryPrimitive(s), start_(std::move(start)), steps_(std::move(steps)) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    detail::copy_or_donate(inputs[0], out);
    detail::write_region(out, inputs[1], start_, steps_);
  }
  void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) override {
    if (!gpu::slice_update(inputs[0], inputs[1], start_, steps_, outputs[0]))
      Primitive::eval_gpu(inputs, outputs);
  }
  const char* name() const override { return "SliceUpdate"; }
  const Shape& start() const { return start_; }
  const Shape& steps() const { return steps_; }

 private:
  Shape start_, steps_;
};

/// Joins the inputs (already of the output's dtype) along `axis`.
template <class = void>
class Concatenate : public UnaryPrimitive {
 public:
  Concatenate(Stream s, int axis) : UnaryPrimitive(s), axis_(axis) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    const Strides out_st = row_major_strides(out.shape());
    int64_t offset = 0;
    for (const auto& in : inputs) {
      cpu::copy_strided(in.raw_data(), in.strides(),
                        static_cast<char*>(out.raw_data()) + offset * static_cast<int64_t>(out.itemsize()),
                        out_st, in.shape(), out.itemsize());
      offset += static_cast<int64_t>(in.shape()[axis_]) * out_st[axis_];
    }
  }
  const char* name() const override { return "Concatenate"; }
  int axis() const { return axis_; }

 private:
  int axis_;
};

}  // namespace mlx::core
