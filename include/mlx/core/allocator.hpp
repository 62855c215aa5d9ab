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

class CpuAllocator {
 public:
  static CpuAllocator& instance() {
    static CpuAllocator a;
    return a;
  }

  void* malloc(size_t n) {
    size_t b = bucket_size(n);
    std::unique_lock lk(mtx_);
    // A cached buffer is reused when it is at most 1/8 larger than needed.
    if (auto it = cache_.lower_bound(b); it != cache_.end() && it->first <= b + b / 8) {
      void* p = it->second.ptr;
      size_t sz = it->first;
      cache_.erase(it);
      cache_bytes_ -= sz;
      account(sz, p);
      return p;
    }
    if (active_ + b > memory_limit_) clear_cache_locked();
    lk.unlock();
    void* p = std::aligned_alloc(alignment, b);
    if (!p) {
      lk.lock();
      clear_cache_locked();
      lk.unlock();
      p = std::aligned_alloc(alignment, b);
      if (!p)
        throw std::runtime_error(mlx::core::detail::message(
            "[malloc] Unable to allocate ", n, " bytes."));
    }
    lk.lock();
    account(b, p);
    return p;
  }

  void free(void* p) {
    if (!p) return;
    std::lock_guard lk(mtx_);
    auto it = sizes_.find(p);
    size_t sz = it->second;
    sizes_.erase(it);
    active_ -= sz;
    if (cache_bytes_ + sz <= cache_limit_) {
      cache_.emplace(sz, Entry{p});
      cache_bytes_ += sz;
    } else {
      std::free(p);
    }
  }

  size_t size_of(void* p) {
    std::lock_guard lk(mtx_);
    auto it = sizes_.find(p);
    return it == sizes_.end() ? 0 : it->second;
  }

  size_t active() { std::lock_guard lk(mtx_); return active_; }
  size_t peak() { std::lock_guard lk(mtx_); return peak_; }
  void reset_peak() { std::lock_guard lk(mtx_); peak_ = active_; }
  size_t cache() { std::lock_guard lk(mtx_); return cache_bytes_; }
  void clear_cache() { std::lock_guard lk(mtx_); clear_cache_locked(); }

  size_t set_cache_limit(size_t limit) {
    std::lock_guard lk(mtx_);
    size_t old = cache_limit_;
    cache_limit_ = limit;
    while (cache_bytes_ > cache_limit_ && !cache_.empty()) {  // evict the largest first
      auto it = std::prev(cache_.end());
      cache_bytes_ -= it->first;
      std::free(it->second.ptr);
      cache_.erase(it);
    }
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
  struct Entry {
    void* ptr;
  };
  void account(size_t sz, void* p) {
    sizes_.emplace(p, sz);
    active_ += sz;
    peak_ = std::max(peak_, active_);
  }
  void clear_cache_locked() {
    for (auto& [sz, e] : cache_) std::free(e.ptr);
    cache_.clear();
    cache_bytes_ = 0;
  }

  std::mutex mtx_;
  std::multimap<size_t, Entry> cache_;
  std::map<void*, size_t> sizes_;
  size_t active_ = 0, peak_ = 0, cache_bytes_ = 0;
  size_t cache_limit_ = ~size_t(0), memory_limit_ = ~size_t(0);
};

} // namespace detail

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
/// Sets the (soft) memory limit and returns the previous one. Past the limit the cache is
/// released before new memory is requested from the system.
inline size_t set_memory_limit(size_t limit) {
  return allocator::detail::CpuAllocator::instance().set_memory_limit(limit);
}
inline size_t get_memory_limit() { return allocator::detail::CpuAllocator::instance().memory_limit(); }
/// Frees every cached buffer.
inline void clear_cache() { allocator::detail::CpuAllocator::instance().clear_cache(); }

} // namespace mlx::core
