// SPDX-License-Identifier: MIT
// The CPU allocator: 64-byte aligned buffers, a size-bucketed cache of freed buffers, and
// MLX's memory API (get_active_memory, get_peak_memory, set_cache_limit, ...).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>

#include "mlx/core/errors.hpp"

namespace mlx::core {
namespace allocator {

/// A raw allocation. `ptr()` is null for an empty buffer.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(void* p) : ptr_(p) {}
  void* ptr() const { return ptr_; }
  void* raw_ptr() const { return ptr_; }

 private:
  void* ptr_ = nullptr;
};

namespace detail {

inline constexpr size_t alignment = 64;  // one AVX-512 vector, one cache line

// Buckets: sizes round up to 64 B below 16 KiB and to 4 KiB above, so that buffers of
// nearly equal size are interchangeable in the cache.
inline size_t bucket_size(size_t n) {
  if (n == 0) return alignment;
  size_t step = n < (16u << 10) ? alignment : 4096;
  return (n + step - 1) / step * step;
}

// Each block carries a 64-byte header holding its bucket size, so free() needs no lookup;
// cached blocks form intrusive singly-linked lists per bucket size (the link lives in the
// freed block), so reusing a block allocates nothing.
class CpuAllocator {
 public:
  static CpuAllocator& instance() {
    static CpuAllocator a;
    return a;
  }

  void* malloc(size_t n) {
    size_t b = bucket_size(n);
    {
      std::lock_guard lk(mtx_);
      if (active_ + b > memory_limit_) {
        // The limit caps the memory live arrays hold (MLX treats it as a guideline): the
        // cache is freed and the allocation refused, whether or not a cached block would
        // fit. Nothing was written; the array being evaluated stays unevaluated.
        clear_cache_locked();
        throw std::runtime_error(mlx::core::detail::message(
            "[malloc] Unable to allocate ", n, " bytes: ", active_,
            " bytes are in use and the memory limit (set_memory_limit) is ", memory_limit_,
            " bytes."));
      }
      if (void* p = take_cached(b)) return p;
    }
    void* raw = std::aligned_alloc(alignment, b + alignment);
    if (!raw) {
      clear_cache();
      raw = std::aligned_alloc(alignment, b + alignment);
      if (!raw)
        throw std::runtime_error(
            mlx::core::detail::message("[malloc] Unable to allocate ", n, " bytes."));
    }
    *static_cast<size_t*>(raw) = b;
    std::lock_guard lk(mtx_);
    account(b);
    return static_cast<char*>(raw) + alignment;
  }

  void free(void* p) {
    if (!p) return;
    void* raw = static_cast<char*>(p) - alignment;
    size_t sz = *static_cast<size_t*>(raw);
    std::lock_guard lk(mtx_);
    active_ -= sz;
    if (cache_bytes_ + sz <= cache_limit_) {
      auto& head = list_for(sz);
      *static_cast<void**>(p) = head;
      head = p;
      cache_bytes_ += sz;
    } else {
      std::free(raw);
    }
  }

  /// Memory another allocator (the GPU backend's) gives to arrays: counted in the same
  /// active and peak figures, so that get_peak_memory() means the same on every device.
  void note_external_alloc(size_t n) { std::lock_guard lk(mtx_); account(n); }
  void note_external_free(size_t n) { std::lock_guard lk(mtx_); active_ -= n; }

  size_t active() { std::lock_guard lk(mtx_); return active_; }
  size_t peak() { std::lock_guard lk(mtx_); return peak_; }
  void reset_peak() { std::lock_guard lk(mtx_); peak_ = active_; }
  size_t cache() { std::lock_guard lk(mtx_); return cache_bytes_; }
  void clear_cache() { std::lock_guard lk(mtx_); clear_cache_locked(); }

  size_t set_cache_limit(size_t limit) {
    std::lock_guard lk(mtx_);
    size_t old = cache_limit_;
    cache_limit_ = limit;
    if (cache_bytes_ > cache_limit_) clear_cache_locked();
    return old;
  }

  size_t set_memory_limit(size_t limit) {
    std::lock_guard lk(mtx_);
    size_t old = memory_limit_;
    memory_limit_ = limit;
    return old;
  }
  size_t memory_limit() { std::lock_guard lk(mtx_); return memory_limit_; }

  ~CpuAllocator() { clear_cache_locked(); }

 private:
  static constexpr size_t small_limit = 16u << 10;  // exact buckets of 64 B up to this

  void*& list_for(size_t sz) {
    if (sz <= small_limit) return small_[sz / alignment];
    return large_[sz];
  }

  // A cached block of the bucket, or (large sizes) one at most 1/8 larger.
  void* take_cached(size_t b) {
    void** head = nullptr;
    size_t sz = b;
    if (b <= small_limit) {
      head = &small_[b / alignment];
    } else {
      auto it = large_.lower_bound(b);
      while (it != large_.end() && it->first <= b + b / 8 && !it->second) ++it;
      if (it != large_.end() && it->first <= b + b / 8) {
        head = &it->second;
        sz = it->first;
      }
    }
    if (!head || !*head) return nullptr;
    void* p = *head;
    *head = *static_cast<void**>(p);
    cache_bytes_ -= sz;
    account(sz);
    return p;
  }

  void account(size_t sz) {
    active_ += sz;
    peak_ = std::max(peak_, active_);
  }

  static void release_list(void*& head) {
    while (head) {
      void* next = *static_cast<void**>(head);
      std::free(static_cast<char*>(head) - alignment);
      head = next;
    }
  }

  void clear_cache_locked() {
    for (auto& h : small_) release_list(h);
    for (auto& [sz, h] : large_) release_list(h);
    large_.clear();
    cache_bytes_ = 0;
  }

  std::mutex mtx_;
  void* small_[small_limit / alignment + 1] = {};
  std::map<size_t, void*> large_;
  size_t active_ = 0, peak_ = 0, cache_bytes_ = 0;
  size_t cache_limit_ = ~size_t(0), memory_limit_ = ~size_t(0);
};

}  // namespace detail

/// Allocates `size` bytes (64-byte aligned) from the cache or the system.
/// \throws std::runtime_error when the system has no memory left.
inline Buffer malloc(size_t size) { return Buffer{detail::CpuAllocator::instance().malloc(size)}; }

/// Returns a buffer to the cache (or to the system beyond the cache limit).
inline void free(Buffer buffer) { detail::CpuAllocator::instance().free(buffer.ptr()); }

} // namespace allocator

/// Bytes held by live arrays.
inline size_t get_active_memory() { return allocator::detail::CpuAllocator::instance().active(); }
/// The most bytes held by live arrays since start or the last reset_peak_memory().
inline size_t get_peak_memory() { return allocator::detail::CpuAllocator::instance().peak(); }
inline void reset_peak_memory() { allocator::detail::CpuAllocator::instance().reset_peak(); }
/// Bytes kept in the buffer cache for reuse.
inline size_t get_cache_memory() { return allocator::detail::CpuAllocator::instance().cache(); }
/// Sets the cache limit in bytes and returns the previous one; 0 disables caching.
inline size_t set_cache_limit(size_t limit) {
  return allocator::detail::CpuAllocator::instance().set_cache_limit(limit);
}
/// Sets the memory limit and returns the previous one. An allocation that would pass it
/// first releases the cache; if the live arrays alone would pass it, the allocation throws
/// std::runtime_error and the evaluation that asked stops, leaving its array unevaluated.
inline size_t set_memory_limit(size_t limit) {
  return allocator::detail::CpuAllocator::instance().set_memory_limit(limit);
}
inline size_t get_memory_limit() { return allocator::detail::CpuAllocator::instance().memory_limit(); }
/// Frees every cached buffer.
inline void clear_cache() { allocator::detail::CpuAllocator::instance().clear_cache(); }

} // namespace mlx::core
