// SPDX-License-Identifier: MIT
// Device memory: large blocks (one VkDeviceMemory + one VkBuffer each, with its device
// address) carved up by a first-fit offset allocator, so arrays cost no Vulkan allocation.
// Blocks are never bound to descriptors (kernels take device addresses), so the ~4 GiB and
// lavapipe's 128 MiB binding limits do not apply; one allocation is at most
// maxMemoryAllocationSize.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/backend/vulkan/loader.hpp"

namespace mlx::core::vulkan {

struct Block {
  vk::DeviceMemory memory;
  vk::Buffer buffer;
  uint64_t address = 0;    // device address of offset 0
  size_t size = 0;
  char* mapped = nullptr;  // host pointer of offset 0 when the memory is host-visible
  std::map<size_t, size_t> free;  // offset → size of each free range
  size_t used = 0;
};

/// A piece of a block.
struct Allocation {
  Block* block = nullptr;
  size_t offset = 0;
  size_t size = 0;
  uint64_t address() const { return block->address + offset; }
  char* mapped() const { return block->mapped ? block->mapped + offset : nullptr; }
  explicit operator bool() const { return block != nullptr; }
};

/// Blocks of one memory type. Not thread-safe: the backend holds its lock.
class BlockAllocator {
 public:
  static constexpr size_t alignment = 256;  // ≥ every device's minStorageBufferOffsetAlignment

  BlockAllocator(vk::Device device, uint32_t memory_type, bool host_visible, size_t block_size,
                 size_t max_allocation, vk::BufferUsageFlags usage, const char* what)
      : device_(device), type_(memory_type), host_visible_(host_visible),
        block_size_(block_size), max_allocation_(max_allocation), usage_(usage), what_(what) {}
  BlockAllocator(const BlockAllocator&) = delete;
  BlockAllocator& operator=(const BlockAllocator&) = delete;
  ~BlockAllocator() {
    for (auto& b : blocks_) destroy(*b);
  }

  /// \throws std::runtime_error when the device has no memory left (the process lives on).
  Allocation allocate(size_t bytes) {
    size_t n = round_up(bytes == 0 ? 1 : bytes);
    if (n > max_allocation_)
      throw std::runtime_error("[gpu::malloc] " + std::to_string(bytes) + " bytes exceed the " +
                               "device's largest allocation (" + std::to_string(max_allocation_) +
                               " bytes).");
    for (auto& b : blocks_)
      if (auto a = take(*b, n)) return a;
    // Big arrays get a block of their own size; empty blocks stay cached (see below), so a
    // loop that makes a fresh 256 MiB result every step allocates from the driver once.
    blocks_.push_back(std::make_unique<Block>());
    try {
      create(*blocks_.back(), std::max(n, block_size_));
    } catch (const std::runtime_error&) {
      blocks_.pop_back();
      if (!release_empty_blocks(0)) throw;
      return allocate(bytes);  // retry once the cached blocks are gone
    }
    return take(*blocks_.back(), n);
  }

  void release(const Allocation& a) {
    Block& b = *a.block;
    b.used -= a.size;
    auto next = b.free.lower_bound(a.offset);
    size_t off = a.offset, size = a.size;
    if (next != b.free.end() && off + size == next->first) {  // merge with the range after
      size += next->second;
      next = b.free.erase(next);
    }
    if (next != b.free.begin()) {  // and with the range before
      auto prev = std::prev(next);
      if (prev->first + prev->second == off) {
        prev->second += size;
        trim();
        return;
      }
    }
    b.free.emplace(off, size);
    trim();
  }

  /// Bytes of empty blocks kept for reuse (MLX's buffer cache, at block granularity).
  void set_cache_limit(size_t bytes) { cache_limit_ = bytes; }

 private:
  static size_t round_up(size_t n) { return (n + alignment - 1) / alignment * alignment; }

  Allocation take(Block& b, size_t n) {
    for (auto it = b.free.begin(); it != b.free.end(); ++it) {
      if (it->second < n) continue;
      Allocation a{&b, it->first, n};
      size_t rest = it->second - n, off = it->first + n;
      b.free.erase(it);
      if (rest) b.free.emplace(off, rest);
      b.used += n;
      return a;
    }
    return {};
  }

  // Gives empty blocks back to the driver beyond `keep` bytes of them; returns whether any
  // went.
  bool release_empty_blocks(size_t keep) {
    bool released = false;
    size_t kept = 0;
    for (size_t i = blocks_.size(); i-- > 0;) {
      if (blocks_[i]->used != 0) continue;
      if (kept + blocks_[i]->size <= keep) {
        kept += blocks_[i]->size;
        continue;
      }
      destroy(*blocks_[i]);
      blocks_.erase(blocks_.begin() + static_cast<long>(i));
      released = true;
    }
    return released;
  }

  void trim() {
    size_t empty = 0;
    for (auto& b : blocks_)
      if (b->used == 0) empty += b->size;
    if (empty > cache_limit_) release_empty_blocks(cache_limit_);
  }

  void create(Block& b, size_t size) {
    b.size = size;
    b.buffer = device_.createBuffer(vk::BufferCreateInfo({}, size, usage_));
    auto req = device_.getBufferMemoryRequirements(b.buffer);
    vk::MemoryAllocateFlagsInfo flags(vk::MemoryAllocateFlagBits::eDeviceAddress);
    vk::MemoryAllocateInfo info(req.size, type_, &flags);
    try {
      b.memory = device_.allocateMemory(info);
    } catch (const vk::SystemError& e) {
      device_.destroyBuffer(b.buffer);
      throw std::runtime_error(std::string("[gpu::malloc] Out of ") + what_ + " memory: could not " +
                               "allocate a block of " + std::to_string(size) + " bytes (" +
                               e.what() + ").");
    }
    device_.bindBufferMemory(b.buffer, b.memory, 0);
    b.address = device_.getBufferAddress(vk::BufferDeviceAddressInfo(b.buffer));
    if (host_visible_) b.mapped = static_cast<char*>(device_.mapMemory(b.memory, 0, VK_WHOLE_SIZE));
    b.free.emplace(0, size);
  }

  void destroy(Block& b) {
    if (b.mapped) device_.unmapMemory(b.memory);
    device_.destroyBuffer(b.buffer);
    device_.freeMemory(b.memory);
  }

  vk::Device device_;
  uint32_t type_;
  bool host_visible_;
  size_t block_size_, max_allocation_;
  vk::BufferUsageFlags usage_;
  const char* what_;
  std::vector<std::unique_ptr<Block>> blocks_;
  size_t cache_limit_ = size_t(4) << 30;
};

}  // namespace mlx::core::vulkan
