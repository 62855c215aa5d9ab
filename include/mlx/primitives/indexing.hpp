// SPDX-License-Identifier: MIT
// Indexing primitives: Gather (slices at index tuples), Scatter (writes or combines updates
// at index tuples) and MaskedScatter. Kernels: backend/cpu/indexing.hpp.
#pragma once

#include <string>
#include <vector>

#include "mlx/backend/cpu/indexing.hpp"
#include "mlx/primitives/slicing.hpp"

namespace mlx::core {

/// out[i..., s...] = src[idx_0[i...] + s_0 on axes[0], ...]: inputs are the source then one
/// integer index array per axis, all of one shape I; the output is I + slice_sizes.
template <class = void>
class Gather : public UnaryPrimitive {
 public:
  Gather(Stream s, std::string op, std::vector<int> axes, Shape slice_sizes)
      : UnaryPrimitive(s), op_(std::move(op)), axes_(std::move(axes)), slice_sizes_(std::move(slice_sizes)) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    std::vector<array> idx;
    for (size_t k = 1; k < inputs.size(); ++k) idx.push_back(cpu::ensure_row_contiguous(inputs[k]));
    out.set_data(allocator::malloc(out.nbytes()));
    try {
      cpu::gather(op_, inputs[0], idx, axes_, slice_sizes_, out);
    } catch (...) {
      out.clear_data();  // an out-of-range index leaves the output unevaluated
      throw;
    }
  }
  const char* name() const override { return "Gather"; }
  const std::string& op() const { return op_; }
  const std::vector<int>& axes() const { return axes_; }
  const Shape& slice_sizes() const { return slice_sizes_; }

 private:
  std::string op_;
  std::vector<int> axes_;
  Shape slice_sizes_;
};

/// The source with `updates` (shape I + slice shape) written or combined at the index
/// tuples: inputs are the source, the updates, then one index array per axis.
template <class = void>
class Scatter : public UnaryPrimitive {
 public:
  Scatter(Stream s, std::string op, std::vector<int> axes, cpu::ScatterReduce reduce)
      : UnaryPrimitive(s), op_(std::move(op)), axes_(std::move(axes)), reduce_(reduce) {}

  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    std::vector<array> idx;
    for (size_t k = 2; k < inputs.size(); ++k) idx.push_back(cpu::ensure_row_contiguous(inputs[k]));
    array upd = cpu::ensure_row_contiguous(inputs[1]);
    detail::copy_or_donate(inputs[0], out);
    try {
      detail::dispatch_dtype(out.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        using R = cpu::ScatterReduce;
        switch (reduce_) {
          case R::None: cpu::scatter<T, R::None>(op_, idx, axes_, upd, out); break;
          case R::Sum: cpu::scatter<T, R::Sum>(op_, idx, axes_, upd, out); break;
          case R::Prod: cpu::scatter<T, R::Prod>(op_, idx, axes_, upd, out); break;
          case R::Max: cpu::scatter<T, R::Max>(op_, idx, axes_, upd, out); break;
          case R::Min: cpu::scatter<T, R::Min>(op_, idx, axes_, upd, out); break;
        }
      });
    } catch (...) {
      out.clear_data();
      throw;
    }
  }
  const char* name() const override { return "Scatter"; }

 private:
  std::string op_;
  std::vector<int> axes_;
  cpu::ScatterReduce reduce_;
};

/// The first input with the positions where the mask (second input, bool, the first's
/// shape) is true replaced, in row-major order, by consecutive elements of the third.
template <class = void>
class MaskedScatter : public UnaryPrimitive {
 public:
  using UnaryPrimitive::UnaryPrimitive;
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array mask = cpu::ensure_row_contiguous(inputs[1]);
    array src = cpu::ensure_row_contiguous(inputs[2]);
    const bool* m = static_cast<const bool*>(mask.raw_data());
    size_t needed = 0;
    for (size_t i = 0; i < mask.size(); ++i) needed += m[i] ? 1 : 0;
    if (needed > src.size())
      detail::fail("masked_scatter", "The mask selects ", needed, " positions but the source has only ",
                   src.size(), " elements.");
    detail::copy_or_donate(inputs[0], out);
    const size_t w = out.itemsize();
    char* o = static_cast<char*>(out.raw_data());
    const char* sp = static_cast<const char*>(src.raw_data());
    for (size_t i = 0, k = 0; i < mask.size(); ++i)
      if (m[i]) std::memcpy(o + i * w, sp + (k++) * w, w);
  }
  const char* name() const override { return "MaskedScatter"; }
};

}  // namespace mlx::core
