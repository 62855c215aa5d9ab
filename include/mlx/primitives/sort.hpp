// SPDX-License-Identifier: MIT
// Sorting and selection primitives: Sort, ArgSort, Partition, ArgPartition and TopK, along
// one axis or over the flattened array (row-major order).
#pragma once

#include <array>
#include <cstdint>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/sort.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

namespace detail {

/// The input viewed as [outer, n, inner] around `axis` (flat: one row of every element).
inline std::array<int64_t, 3> axis_view(const Shape& shape, int axis, bool flat) {
  if (flat) return {1, shape_size(shape), 1};
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (int d = axis + 1; d < static_cast<int>(shape.size()); ++d) inner *= shape[d];
  return {outer, shape[axis], inner};
}

/// The base of the sort-family primitives: an axis (already non-negative) or the
/// flattened array.
class AxisPrimitive : public UnaryPrimitive {
 public:
  AxisPrimitive(Stream s, int axis, bool flat) : UnaryPrimitive(s), axis_(axis), flat_(flat) {}
  int axis() const { return axis_; }
  bool flat() const { return flat_; }

 protected:
  std::array<int64_t, 3> view(const array& in) const { return axis_view(in.shape(), axis_, flat_); }
  bool same_axis(const AxisPrimitive& o) const { return axis_ == o.axis_ && flat_ == o.flat_; }
  int axis_;
  bool flat_;
};

}  // namespace detail

/// Sorted copy along the axis (NaNs last; stable for equal keys such as -0 and +0).
template <class = void>
class Sort : public detail::AxisPrimitive {
 public:
  using AxisPrimitive::AxisPrimitive;
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    cpu::copy_to_row_major(inputs[0], out.raw_data());
    // Plain variables, not a structured binding: clang before 16 cannot capture bindings in lambdas.
    const std::array<int64_t, 3> dims = view(inputs[0]);
    const int64_t outer = dims[0], n = dims[1], inner = dims[2];
    detail::dispatch_dtype(out.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = out.template data<T>();
      cpu::along_axis(p, p, outer, n, n, inner, [] { return cpu::sort_impl::SortRow<T>{}; });
    });
  }
  const char* name() const override { return "Sort"; }
  bool is_equivalent(const Primitive& o) const override {
    auto* p = dynamic_cast<const Sort*>(&o);
    return p && same_axis(*p);
  }
};

/// The stable sorting permutation along the axis, as uint32 indices.
template <class = void>
class ArgSort : public detail::AxisPrimitive {
 public:
  using AxisPrimitive::AxisPrimitive;
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    array in = cpu::ensure_row_contiguous(inputs[0]);
    const std::array<int64_t, 3> dims = view(in);
    const int64_t outer = dims[0], n = dims[1], inner = dims[2];
    detail::dispatch_dtype(in.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      cpu::along_axis(in.template data<T>(), out.template data<uint32_t>(), outer, n, n, inner,
                      [] { return cpu::sort_impl::ArgSortRow<T>{}; });
    });
  }
  const char* name() const override { return "ArgSort"; }
  bool is_equivalent(const Primitive& o) const override {
    auto* p = dynamic_cast<const ArgSort*>(&o);
    return p && same_axis(*p);
  }
};

/// Partitioned copy: position kth holds the element a sort would put there, the elements
/// before it are not greater and those after it not smaller (in no particular order).
template <class = void>
class Partition : public detail::AxisPrimitive {
 public:
  Partition(Stream s, int kth, int axis, bool flat) : AxisPrimitive(s, axis, flat), kth_(kth) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    cpu::copy_to_row_major(inputs[0], out.raw_data());
    const std::array<int64_t, 3> dims = view(inputs[0]);
    const int64_t outer = dims[0], n = dims[1], inner = dims[2];
    const int64_t kth = kth_;
    detail::dispatch_dtype(out.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = out.template data<T>();
      cpu::along_axis(p, p, outer, n, n, inner,
                      [kth] { return cpu::sort_impl::PartitionRow<T>{kth}; });
    });
  }
  const char* name() const override { return "Partition"; }
  int kth() const { return kth_; }
  bool is_equivalent(const Primitive& o) const override {
    auto* p = dynamic_cast<const Partition*>(&o);
    return p && same_axis(*p) && p->kth_ == kth_;
  }

 private:
  int kth_;
};

/// The indices (uint32) that partition the axis around position kth.
template <class = void>
class ArgPartition : public detail::AxisPrimitive {
 public:
  ArgPartition(Stream s, int kth, int axis, bool flat) : AxisPrimitive(s, axis, flat), kth_(kth) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    array in = cpu::ensure_row_contiguous(inputs[0]);
    const std::array<int64_t, 3> dims = view(in);
    const int64_t outer = dims[0], n = dims[1], inner = dims[2];
    const int64_t kth = kth_;
    detail::dispatch_dtype(in.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      cpu::along_axis(in.template data<T>(), out.template data<uint32_t>(), outer, n, n, inner,
                      [kth] {
                        cpu::sort_impl::ArgPartitionRow<T> row;
                        row.kth = kth;
                        return row;
                      });
    });
  }
  const char* name() const override { return "ArgPartition"; }
  int kth() const { return kth_; }
  bool is_equivalent(const Primitive& o) const override {
    auto* p = dynamic_cast<const ArgPartition*>(&o);
    return p && same_axis(*p) && p->kth_ == kth_;
  }

 private:
  int kth_;
};

/// The k largest elements along the axis, in ascending order (k equal to the axis length:
/// the input unchanged, as MLX returns it).
template <class = void>
class TopK : public detail::AxisPrimitive {
 public:
  TopK(Stream s, int k, int axis, bool flat) : AxisPrimitive(s, axis, flat), k_(k) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    out.set_data(allocator::malloc(out.nbytes()));
    if (out.size() == 0) return;
    array in = cpu::ensure_row_contiguous(inputs[0]);
    const std::array<int64_t, 3> dims = view(in);
    const int64_t outer = dims[0], n = dims[1], inner = dims[2];
    const int64_t k = k_;
    detail::dispatch_dtype(in.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      cpu::along_axis(in.template data<T>(), out.template data<T>(), outer, n, k, inner,
                      [k] {
                        cpu::sort_impl::TopKRow<T> row;
                        row.k = k;
                        return row;
                      });
    });
  }
  const char* name() const override { return "TopK"; }
  int k() const { return k_; }
  bool is_equivalent(const Primitive& o) const override {
    auto* p = dynamic_cast<const TopK*>(&o);
    return p && same_axis(*p) && p->k_ == k_;
  }

 private:
  int k_;
};

}  // namespace mlx::core
