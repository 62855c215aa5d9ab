// SPDX-License-Identifier: MIT
// The CPU driver of fused elementwise work: one pass over the output, split over the thread
// pool for large arrays, calling an expression's chunk kernel on contiguous runs.
//
// The output is walked in row-major order after collapsing dimensions that are contiguous
// for every input. Each input slot is presented to the kernel as a contiguous run of the
// compute type T for the current chunk: directly when it is stored as T with unit stride,
// otherwise gathered/converted into a per-thread scratch block (once per task for inputs
// that hold a single element). The driver is a template on T only, so its code is shared by
// every expression of a translation unit; only the small chunk kernel is per expression.
#pragma once

#include <algorithm>
#include <array>
#include <vector>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/array.hpp"

namespace mlx::core::cpu {

/// Elements per chunk: the inputs' scratch blocks stay in L1/L2.
inline constexpr int64_t chunk_elems = 2048;
/// Below this many elements a fused loop runs on the calling thread only.
inline constexpr int64_t parallel_threshold = int64_t{1} << 15;
/// Most input slots one expression may bind (checked at compile time in expr.hpp).
inline constexpr int max_slots = 64;

/// A per-expression kernel: computes m elements from the slots' runs into `out`.
/// `scratch` holds `scratch_blocks` * chunk_elems elements of T for temporaries.
template <class T>
struct ChunkKernel {
  void (*fn)(const void* expr, const T* const* slots, int64_t m, T* out, T* scratch);
  const void* expr;
  int num_slots;
  int scratch_blocks;
  bool identity = false;  // the expression is one array read as is (astype to its own type)
  bool truth = false;     // the compute dtype is bool: inputs are read as bool
  uint64_t truth_slots = 0;  // slots read as bool anyway (where's conditions)
};

namespace elementwise_impl {

struct SlotWalk {
  const char* base;
  Dtype::Val dtype;  // (a Val, not a Dtype: keeps SlotWalk trivially constructible)
  int64_t itemsize;
  const int64_t* strides;  // per collapsed dim, in elements (into ElementwiseSource's store)
  int64_t inner;           // stride of the innermost collapsed dim
  bool direct;             // stored as T with unit inner stride
  bool constant;           // one element for the whole array
};

/// Collapses the output shape and each input's broadcast strides into as few dims as
/// possible (size-1 dims dropped, dims merged where every input is contiguous across them).
inline void collapse(Shape& shape, std::vector<std::vector<int64_t>*>& strides) {
  Shape s2;
  std::vector<std::vector<int64_t>> st2(strides.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool merge = !s2.empty();
    for (size_t k = 0; merge && k < strides.size(); ++k)
      merge = st2[k].back() == (*strides[k])[d] * shape[d];
    if (merge) {
      s2.back() *= shape[d];
      for (size_t k = 0; k < strides.size(); ++k) st2[k].back() = (*strides[k])[d];
    } else {
      s2.push_back(shape[d]);
      for (size_t k = 0; k < strides.size(); ++k) st2[k].push_back((*strides[k])[d]);
    }
  }
  if (s2.empty()) {
    s2.push_back(1);
    for (auto& st : st2) st.push_back(0);
  }
  shape = std::move(s2);
  for (size_t k = 0; k < strides.size(); ++k) *strides[k] = std::move(st2[k]);
}

inline std::vector<std::byte>& thread_scratch() {
  static thread_local std::vector<std::byte> buf;
  return buf;
}

}  // namespace elementwise_impl

/// Allocates `out` (or takes the buffer of an input that dies here and matches it).
inline void allocate_or_donate(const std::vector<array>& inputs, array& out) {
  for (const auto& in : inputs) {
    if (in.dtype() == out.dtype() && in.size() == out.size() && in.is_donatable()) {
      out.copy_shared_buffer(in);
      return;
    }
  }
  out.set_data(allocator::malloc(out.nbytes()));
}

/// Per-thread working memory of an ElementwiseSource: a block per slot, the kernel's
/// temporaries, and which constant slots are already filled.
template <class T>
struct SourceScratch {
  T* slots = nullptr;
  T* kernel = nullptr;
  bool filled[max_slots] = {};
  explicit SourceScratch(int num_slots, int kernel_blocks, int extra_blocks = 0) {
    auto& buf = elementwise_impl::thread_scratch();
    size_t need =
        static_cast<size_t>((num_slots + kernel_blocks + extra_blocks) * chunk_elems) * sizeof(T) + 64;
    if (buf.size() < need) buf.resize(need);
    slots = reinterpret_cast<T*>(buf.data());
    kernel = slots + num_slots * chunk_elems;
  }
  /// The `extra_blocks` blocks after the kernel's, for the caller.
  T* extra(int num_slots, int kernel_blocks) const { return slots + (num_slots + kernel_blocks) * chunk_elems; }
};

/// The row-major elements of an expression over `shape`, produced on demand in any range.
/// Built once per evaluation; fill() is thread-safe given a scratch per thread.
template <class T>
class ElementwiseSource {
 public:
  ElementwiseSource(const ChunkKernel<T>& k, const int* slot_input,
                    const std::vector<array>& inputs, const Shape& shape)
      : k_(k) {
    using namespace elementwise_impl;
    n_ = shape_size(shape);
    // Fast path: every input is the output's size and row-contiguous, or one element.
    bool flat = true;
    for (int s = 0; s < k.num_slots && flat; ++s) {
      if (slot_input[s] < 0) continue;
      const array& in = inputs[slot_input[s]];
      flat = in.size() == 1 ||
             (static_cast<int64_t>(in.size()) == n_ && in.flags().row_contiguous &&
              in.data_size() == in.size());
    }
    std::vector<std::vector<int64_t>> per_slot;
    if (flat) {
      shape_ = Shape{static_cast<ShapeElem>(std::min<int64_t>(n_, INT32_MAX))};
      L_ = n_;
      nd_ = 1;
    } else {
      shape_ = shape;
      std::vector<std::vector<int64_t>*> refs;
      per_slot.resize(k.num_slots);
      for (int s = 0; s < k.num_slots; ++s) {
        if (slot_input[s] < 0) continue;
        const array& in = inputs[slot_input[s]];
        Strides st = core::detail::broadcast_strides(in.shape(), in.strides(), shape);
        per_slot[s].assign(st.begin(), st.end());
        refs.push_back(&per_slot[s]);
      }
      collapse(shape_, refs);
      nd_ = static_cast<int>(shape_.size());
      L_ = shape_.back();
      store_.resize(static_cast<size_t>(k.num_slots * nd_));
    }
    for (int s = 0; s < k.num_slots; ++s) {
      auto& w = walks_[s];
      w = SlotWalk{nullptr, Dtype::Val::float32, 0, nullptr, 0, false, false};
      if (slot_input[s] < 0) continue;
      const array& in = inputs[slot_input[s]];
      w.base = static_cast<const char*>(in.raw_data());
      w.dtype = in.dtype().val;
      w.itemsize = static_cast<int64_t>(in.itemsize());
      w.constant = in.size() == 1;
      if (flat) {
        w.inner = w.constant ? 0 : 1;
      } else {
        std::copy(per_slot[s].begin(), per_slot[s].end(), store_.begin() + s * nd_);
        w.strides = store_.data() + s * nd_;
        w.inner = w.strides[nd_ - 1];
      }
      w.direct = w.inner == 1 && stored_as<T>(in.dtype());
    }
  }

  int64_t size() const { return n_; }
  const ChunkKernel<T>& kernel() const { return k_; }

  /// The elements [start, start + m) in place when the source is one plain array stored
  /// as T and contiguous over that range; nullptr otherwise.
  const T* direct(int64_t start, int64_t m) const {
    if (!k_.identity || k_.num_slots != 1 || !walks_[0].direct || walks_[0].constant) return nullptr;
    if (start / L_ != (start + m - 1) / L_) return nullptr;
    return reinterpret_cast<const T*>(walks_[0].base) + offset_of(start / L_, 0) + start % L_;
  }

  /// Writes the elements [start, start + m) to dst.
  void fill(int64_t start, int64_t m, T* dst, SourceScratch<T>& sc) const {
    while (m > 0) {
      int64_t row = start / L_, c0 = start % L_;
      int64_t seg = std::min({m, L_ - c0, chunk_elems});
      const T* ptrs[max_slots];
      for (int s = 0; s < k_.num_slots; ++s) {
        const auto& w = walks_[s];
        if (!w.base) {
          ptrs[s] = nullptr;
          continue;
        }
        T* sb = sc.slots + s * chunk_elems;
        if (w.constant) {
          if (!sc.filled[s]) gather_convert(w.base, all_dtypes[static_cast<int>(w.dtype)], 0, sb, chunk_elems,
                                         k_.truth || ((k_.truth_slots >> s) & 1));
          sc.filled[s] = true;
          ptrs[s] = sb;
          continue;
        }
        int64_t off = offset_of(row, s) + c0 * w.inner;
        if (w.direct) {
          ptrs[s] = reinterpret_cast<const T*>(w.base) + off;
        } else {
          gather_convert(w.base + off * w.itemsize, all_dtypes[static_cast<int>(w.dtype)], w.inner, sb,
                         seg, k_.truth || ((k_.truth_slots >> s) & 1));
          ptrs[s] = sb;
        }
      }
      k_.fn(k_.expr, ptrs, seg, dst, sc.kernel);
      dst += seg;
      start += seg;
      m -= seg;
    }
  }

 private:
  int64_t offset_of(int64_t row, int s) const {
    if (nd_ == 1) return 0;
    const int64_t* st = walks_[s].strides;
    int64_t off = 0;
    for (int d = nd_ - 2; d >= 0; --d) {
      off += (row % shape_[d]) * st[d];
      row /= shape_[d];
    }
    return off;
  }

  ChunkKernel<T> k_;
  Shape shape_;
  elementwise_impl::SlotWalk walks_[max_slots];  // only the first k_.num_slots are set
  std::vector<int64_t> store_;                    // collapsed strides, nd_ per slot
  int64_t n_ = 0, L_ = 1;
  int nd_ = 1;
};

/// Evaluates a kernel over the whole output. slot_input[s] is the index in `inputs` of slot
/// s's array, or -1 for slots unused at run time.
template <class T>
void run_elementwise(const ChunkKernel<T>& k, const int* slot_input,
                     const std::vector<array>& inputs, array& out) {
  allocate_or_donate(inputs, out);
  const int64_t n = static_cast<int64_t>(out.size());
  if (n == 0) return;
  ElementwiseSource<T> src(k, slot_input, inputs, out.shape());
  const bool out_direct = stored_as<T>(out.dtype());
  char* out_base = static_cast<char*>(out.raw_data());
  const int64_t out_item = static_cast<int64_t>(out.itemsize());
  const int64_t chunks = (n + chunk_elems - 1) / chunk_elems;

  auto task = [&](int64_t c0, int64_t c1) {
    SourceScratch<T> sc(k.num_slots, k.scratch_blocks, 1);
    T* tmp = sc.extra(k.num_slots, k.scratch_blocks);
    for (int64_t c = c0; c < c1; ++c) {
      int64_t start = c * chunk_elems, m = std::min(chunk_elems, n - start);
      if (out_direct) {
        src.fill(start, m, reinterpret_cast<T*>(out_base) + start, sc);
      } else {
        src.fill(start, m, tmp, sc);
        store_convert(tmp, out_base + start * out_item, out.dtype(), m);
      }
    }
  };
  if (n >= parallel_threshold)
    parallel_for(chunks, std::max<int64_t>(1, parallel_threshold / 2 / chunk_elems), task);
  else
    task(0, chunks);
}

}  // namespace mlx::core::cpu
