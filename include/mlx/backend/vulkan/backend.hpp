// SPDX-License-Identifier: MIT
// The Vulkan backend. Include this header in one translation unit of a program (more is
// fine) to give Device::gpu a Vulkan device; every other unit sees only
// backend/gpu/interface.hpp and never parses vulkan.hpp. Link Vulkan's loader is not needed
// (it is opened at run time) but libshaderc is (CMake: target mlx::vulkan).
//
// Recording: kernels are appended to one open command buffer; a barrier goes in only before
// a dispatch that reads or writes memory written since the last barrier; the buffer is
// submitted every `chunk` dispatches (so the GPU starts while the CPU records) and at the end
// of every eval(). A timeline semaphore orders batches; memory freed while the GPU may still
// use it is released when the batch that last could has completed.
#pragma once

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <shaderc/shaderc.hpp>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "mlx/backend/gpu/interface.hpp"
#include "mlx/backend/vulkan/device.hpp"
#include "mlx/backend/vulkan/memory.hpp"
#include "mlx/core/array.hpp"

namespace mlx::core::gpu {
struct Pipeline {
  vk::Pipeline pipeline;
};
}  // namespace mlx::core::gpu

namespace mlx::core::vulkan {

// False once the backend is gone (static destruction): late frees then do nothing.
inline bool backend_alive = false;

class VulkanBackend;

/// The device copy of one array buffer (owned by core::detail::Data).
class DeviceBuffer final : public gpu::DeviceCopy {
 public:
  DeviceBuffer(VulkanBackend* b, Allocation a, const char* host_base, size_t bytes)
      : backend_(b), alloc_(a), host_base_(host_base), bytes_(bytes) {}
  ~DeviceBuffer() override;
  void sync_to_host() override;

  VulkanBackend* backend_;
  Allocation alloc_;
  const char* host_base_;  // host address of byte 0 of the buffer
  size_t bytes_;
  uint64_t write_value = 0;  // timeline value of the batch that writes it (0: none)
};

class VulkanBackend final : public gpu::Backend {
 public:
  VulkanBackend() : ctx_(std::make_unique<Context>()) {
    auto& d = ctx_->device;
    const bool host_visible_device = choose_memory_types();
    unified_ = host_visible_device && !env_flag("MLXPP_VULKAN_FORCE_STAGING");
    ctx_->info.unified_memory = unified_;
    const auto usage = vk::BufferUsageFlagBits::eStorageBuffer |
                       vk::BufferUsageFlagBits::eShaderDeviceAddress |
                       vk::BufferUsageFlagBits::eTransferSrc | vk::BufferUsageFlagBits::eTransferDst;
    const size_t block = std::min<size_t>(size_t(256) << 20, ctx_->max_allocation);
    device_mem_ = std::make_unique<BlockAllocator>(d, device_type_, host_visible_device, block,
                                                   ctx_->max_allocation, usage, "GPU");
    staging_mem_ = std::make_unique<BlockAllocator>(d, staging_type_, true, size_t(64) << 20,
                                                    ctx_->max_allocation, usage, "staging");
    // Empty blocks are cached up to 1/8 of the device heap (more would crowd other users of
    // the GPU; less re-allocates big arrays in loops).
    const auto& mp = ctx_->memory;
    device_mem_->set_cache_limit(
        static_cast<size_t>(mp.memoryHeaps[mp.memoryTypes[device_type_].heapIndex].size / 8));
    staging_mem_->set_cache_limit(size_t(256) << 20);
    pool_ = d.createCommandPool(vk::CommandPoolCreateInfo(
        vk::CommandPoolCreateFlagBits::eResetCommandBuffer, ctx_->queue_family));
    vk::SemaphoreTypeCreateInfo timeline(vk::SemaphoreType::eTimeline, 0);
    vk::SemaphoreCreateInfo sci;
    sci.pNext = &timeline;
    timeline_ = d.createSemaphore(sci);
    vk::PushConstantRange range(vk::ShaderStageFlagBits::eCompute, 0, gpu::push_constant_bytes);
    layout_ = d.createPipelineLayout(vk::PipelineLayoutCreateInfo({}, {}, range));
    load_pipeline_cache();
    if (const char* c = std::getenv("MLXPP_VULKAN_CHUNK")) chunk_ = std::max(1, std::atoi(c));
    backend_alive = true;
  }

  ~VulkanBackend() override {
    std::lock_guard lk(mtx_);
    try {
      submit_open();
      ctx_->device.waitIdle();
    } catch (...) {
    }
    backend_alive = false;
    for (auto& b : in_flight_) release_all(b.frees);
    in_flight_.clear();
    save_pipeline_cache();
    auto& d = ctx_->device;
    for (auto& [k, p] : pipelines_) d.destroyPipeline(p->pipeline);
    d.destroyPipelineCache(cache_);
    d.destroyPipelineLayout(layout_);
    d.destroySemaphore(timeline_);
    d.destroyCommandPool(pool_);
    device_mem_.reset();
    staging_mem_.reset();
  }

  const gpu::DeviceInfo& info() const override { return ctx_->info; }
  bool unified_memory() const { return unified_; }

  // ---- pipelines -------------------------------------------------------------------------
  gpu::Pipeline* pipeline(std::string_view key, const uint32_t* spirv, size_t words,
                          const std::vector<uint32_t>& spec) override {
    std::lock_guard lk(mtx_);
    std::string k(key);
    if (auto it = pipelines_.find(k); it != pipelines_.end()) return it->second.get();
    return create_pipeline(std::move(k), spirv, words, spec);
  }

  gpu::Pipeline* pipeline_glsl(std::string_view key, const std::string& glsl) override {
    std::lock_guard lk(mtx_);
    std::string k(key);
    if (auto it = pipelines_.find(k); it != pipelines_.end()) return it->second.get();
    auto spirv = compile_glsl(k, glsl);
    return create_pipeline(std::move(k), spirv.data(), spirv.size(), {});
  }

  // ---- memory ----------------------------------------------------------------------------
  uint64_t read(const array& a) override {
    std::lock_guard lk(mtx_);
    auto* copy = static_cast<DeviceBuffer*>(a.device_copy());
    const char* base = static_cast<const char*>(a.buffer().ptr());
    const size_t offset = static_cast<size_t>(static_cast<const char*>(a.host_address()) - base);
    const size_t needed = offset + view_extent_bytes(a);
    if (!copy || copy->bytes_ < needed) copy = upload(a, base, needed);
    if (dirty_.count(copy->alloc_.address())) need_barrier_ = true;
    return copy->alloc_.address() + offset;
  }

  uint64_t write(array& out) override {
    std::lock_guard lk(mtx_);
    const size_t bytes = out.nbytes();
    Allocation a = device_mem_->allocate(bytes);
    allocator::detail::CpuAllocator::instance().note_external_alloc(a.size);
    if (unified_) {
      out.set_data(allocator::Buffer{a.mapped()}, [](allocator::Buffer) {});
    } else {
      out.set_data(allocator::malloc(bytes));
    }
    auto copy = std::make_unique<DeviceBuffer>(this, a, static_cast<const char*>(out.buffer().ptr()),
                                               bytes);
    copy->host_stale = true;
    copy->written_by_gpu = true;
    copy->write_value = open_value();
    if (dirty_.count(a.address())) need_barrier_ = true;
    pending_writes_.push_back(a.address());
    out.set_device_copy(std::move(copy));
    return a.address();
  }

  uint64_t donate(array& out, const array& in) override {
    std::lock_guard lk(mtx_);
    if (!in.is_donatable_on_gpu() || in.dtype() != out.dtype() || in.size() != out.size()) return 0;
    out.move_shared_buffer(in);
    return mark_rewritten(*static_cast<DeviceBuffer*>(out.device_copy()));
  }

  uint64_t rewrite(array& out) override {
    std::lock_guard lk(mtx_);
    auto* copy = static_cast<DeviceBuffer*>(out.device_copy());
    if (!copy) throw std::logic_error("[gpu] rewrite: the array has no device memory");
    return mark_rewritten(*copy);
  }

  uint64_t scratch(size_t bytes) override {
    std::lock_guard lk(mtx_);
    Allocation a = device_mem_->allocate(bytes);
    begin();
    open_.frees.push_back({a, false});
    return a.address();
  }

  uint64_t constants(const void* data, size_t bytes) override {
    std::lock_guard lk(mtx_);
    begin();
    const size_t padded = (bytes + 15) / 16 * 16;
    if (!open_.arena || open_.arena_used + padded > open_.arena.size) {
      open_.arena = staging_mem_->allocate(std::max<size_t>(padded, size_t(64) << 10));
      open_.frees.push_back({open_.arena, true});
      open_.arena_used = 0;
    }
    char* dst = open_.arena.mapped() + open_.arena_used;
    std::memcpy(dst, data, bytes);
    uint64_t addr = open_.arena.address() + open_.arena_used;
    open_.arena_used += padded;
    if (!staging_coherent_)
      ctx_->device.flushMappedMemoryRanges(vk::MappedMemoryRange(open_.arena.block->memory, 0, VK_WHOLE_SIZE));
    return addr;
  }

  void barrier() override {
    std::lock_guard lk(mtx_);
    begin();
    record_barrier();
  }

  void dispatch(gpu::Pipeline* p, const void* push, uint32_t bytes, uint32_t x, uint32_t y,
                uint32_t z) override {
    std::lock_guard lk(mtx_);
    begin();
    if (need_barrier_) record_barrier();
    if (bound_ != p->pipeline) {
      open_.cb.bindPipeline(vk::PipelineBindPoint::eCompute, p->pipeline);
      bound_ = p->pipeline;
    }
    if (bytes) open_.cb.pushConstants(layout_, vk::ShaderStageFlagBits::eCompute, 0, bytes, push);
    open_.cb.dispatch(x, y, z);
    for (uint64_t w : pending_writes_) dirty_.insert(w);
    pending_writes_.clear();
    ++dispatches_;
    if (++open_.dispatches >= chunk_) submit_open();
  }

  void flush() override {
    std::lock_guard lk(mtx_);
    submit_open();
    retire();
  }

  void synchronize() override {
    std::lock_guard lk(mtx_);
    submit_open();
    wait(submitted_);
  }

  uint64_t dispatches() const override { return dispatches_; }
  uint64_t uploads() const override { return uploads_; }
  uint64_t downloads() const override { return downloads_; }

  // ---- used by DeviceBuffer --------------------------------------------------------------
  void download(DeviceBuffer& c) {
    std::lock_guard lk(mtx_);
    if (!c.host_stale) return;
    if (c.write_value > submitted_) submit_open();
    if (unified_ || c.bytes_ == 0) {  // nothing to copy (a zero-size copy is invalid)
      wait(c.write_value);
    } else {
      Allocation s = staging_mem_->allocate(c.bytes_);
      begin();
      record_barrier();
      open_.cb.copyBuffer(c.alloc_.block->buffer, s.block->buffer,
                          vk::BufferCopy(c.alloc_.offset, s.offset, c.bytes_));
      submit_open();
      wait(submitted_);
      invalidate(s);
      std::memcpy(const_cast<char*>(c.host_base_), s.mapped(), c.bytes_);
      staging_mem_->release(s);
    }
    ++downloads_;
    c.host_stale = false;
  }

  /// An array buffer's device memory is no longer referenced (it is reused once the GPU is
  /// done with it).
  void release(const Allocation& a) {
    std::lock_guard lk(mtx_);
    allocator::detail::CpuAllocator::instance().note_external_free(a.size);
    dirty_.erase(a.address());
    if (open_.cb) {
      open_.frees.push_back({a, false});
    } else if (!in_flight_.empty()) {
      in_flight_.back().frees.push_back({a, false});
    } else {
      device_mem_->release(a);
    }
  }

 private:
  // Existing device memory that the next dispatch writes again: the host copy goes stale,
  // the dispatch waits for earlier writes, later readers wait for it. (mtx_ held.)
  uint64_t mark_rewritten(DeviceBuffer& copy) {
    copy.host_stale = true;
    copy.write_value = open_value();
    const uint64_t addr = copy.alloc_.address();
    if (dirty_.count(addr)) need_barrier_ = true;
    pending_writes_.push_back(addr);
    return addr;
  }

  struct Free {
    Allocation alloc;
    bool staging;
  };
  struct Batch {
    vk::CommandBuffer cb;
    uint64_t value = 0;
    uint32_t dispatches = 0;
    std::vector<Free> frees;
    Allocation arena;  // constants() memory of this batch
    size_t arena_used = 0;
  };

  // Picks the memory types; returns whether device memory is host-visible and cached.
  bool choose_memory_types() {
    auto& mp = ctx_->memory;
    using F = vk::MemoryPropertyFlagBits;
    auto find = [&](vk::MemoryPropertyFlags want, vk::MemoryPropertyFlags avoid) -> int {
      for (uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
        auto f = mp.memoryTypes[i].propertyFlags;
        if ((f & want) == want && !(f & avoid)) return static_cast<int>(i);
      }
      return -1;
    };
    int unified = find(F::eDeviceLocal | F::eHostVisible | F::eHostCached | F::eHostCoherent, {});
    int device = unified >= 0 ? unified : find(F::eDeviceLocal, F::eHostVisible);
    if (device < 0) device = find(F::eDeviceLocal, {});
    int staging = find(F::eHostVisible | F::eHostCached | F::eHostCoherent, {});
    if (staging < 0) staging = find(F::eHostVisible | F::eHostCached, {});
    if (staging < 0) staging = find(F::eHostVisible | F::eHostCoherent, {});
    if (device < 0 || staging < 0)
      throw std::runtime_error(ctx_->info.name + " has no usable memory types");
    device_type_ = static_cast<uint32_t>(device);
    staging_type_ = static_cast<uint32_t>(staging);
    staging_coherent_ = static_cast<bool>(mp.memoryTypes[staging].propertyFlags & F::eHostCoherent);
    return unified >= 0;
  }

  // Bytes from the view's first element to one past its last (non-negative strides) or the
  // span it covers (any strides; negative strides reach below the first element).
  static size_t view_extent_bytes(const array& a) {
    if (a.size() == 0) return 0;
    int64_t hi = 0;
    for (size_t i = 0; i < a.ndim(); ++i)
      if (a.strides()[i] > 0) hi += (a.shape(static_cast<int>(i)) - 1) * a.strides()[i];
    return static_cast<size_t>(hi + 1) * a.itemsize();
  }

  DeviceBuffer* upload(const array& a, const char* base, size_t bytes) {
    Allocation dst = device_mem_->allocate(bytes);
    allocator::detail::CpuAllocator::instance().note_external_alloc(dst.size);
    if (unified_) {
      std::memcpy(dst.mapped(), base, bytes);
    } else if (bytes > 0) {
      Allocation s = staging_mem_->allocate(bytes);
      std::memcpy(s.mapped(), base, bytes);
      flush_mapped(s);
      begin();
      open_.cb.copyBuffer(s.block->buffer, dst.block->buffer, vk::BufferCopy(s.offset, dst.offset, bytes));
      open_.frees.push_back({s, true});
      dirty_.insert(dst.address());
      need_barrier_ = true;
    }
    ++uploads_;
    auto copy = std::make_unique<DeviceBuffer>(this, dst, base, bytes);
    auto* raw = copy.get();
    const_cast<array&>(a).set_device_copy(std::move(copy));  // replaces a smaller one
    return raw;
  }

  void flush_mapped(const Allocation& s) {
    if (!staging_coherent_)
      ctx_->device.flushMappedMemoryRanges(vk::MappedMemoryRange(s.block->memory, 0, VK_WHOLE_SIZE));
  }
  void invalidate(const Allocation& s) {
    if (!staging_coherent_)
      ctx_->device.invalidateMappedMemoryRanges(
          vk::MappedMemoryRange(s.block->memory, 0, VK_WHOLE_SIZE));
  }

  uint64_t open_value() {
    begin();
    return open_.value;
  }

  void begin() {
    if (open_.cb) return;
    retire();
    if (!spare_.empty()) {
      open_.cb = spare_.back();
      spare_.pop_back();
    } else {
      open_.cb = ctx_->device.allocateCommandBuffers(
          vk::CommandBufferAllocateInfo(pool_, vk::CommandBufferLevel::ePrimary, 1))[0];
    }
    open_.cb.begin(vk::CommandBufferBeginInfo(vk::CommandBufferUsageFlagBits::eOneTimeSubmit));
    open_.value = submitted_ + 1;
    open_.dispatches = 0;
    bound_ = nullptr;
    // Batches on one queue may overlap: the first barrier orders this one after the last.
    if (!in_flight_.empty()) record_barrier();
  }

  void record_barrier() {
    using S = vk::PipelineStageFlagBits;
    using A = vk::AccessFlagBits;
    vk::MemoryBarrier mb(A::eShaderWrite | A::eTransferWrite,
                         A::eShaderRead | A::eShaderWrite | A::eTransferRead | A::eTransferWrite);
    open_.cb.pipelineBarrier(S::eComputeShader | S::eTransfer, S::eComputeShader | S::eTransfer,
                             {}, mb, {}, {});
    dirty_.clear();
    need_barrier_ = false;
  }

  void submit_open() {
    if (!open_.cb) return;
    open_.cb.end();
    vk::TimelineSemaphoreSubmitInfo ts(0, nullptr, 1, &open_.value);
    vk::SubmitInfo si({}, {}, open_.cb, timeline_);
    si.pNext = &ts;
    check(ctx_->queue.submit(1, &si, nullptr), "vkQueueSubmit");
    submitted_ = open_.value;
    in_flight_.push_back(std::move(open_));
    open_ = Batch{};
    dirty_.clear();
    need_barrier_ = false;
  }

  // Releases what completed batches held.
  void retire() {
    if (in_flight_.empty()) return;
    uint64_t done = ctx_->device.getSemaphoreCounterValue(timeline_);
    while (!in_flight_.empty() && in_flight_.front().value <= done) {
      auto& b = in_flight_.front();
      release_all(b.frees);
      b.cb.reset();
      spare_.push_back(b.cb);
      in_flight_.pop_front();
    }
  }

  void release_all(std::vector<Free>& frees) {
    for (auto& f : frees) (f.staging ? staging_mem_ : device_mem_)->release(f.alloc);
    frees.clear();
  }

  // Waits for timeline value v: spins briefly (a small op finishes in microseconds), then
  // sleeps in the driver.
  void wait(uint64_t v) {
    auto& d = ctx_->device;
    auto start = std::chrono::steady_clock::now();
    while (d.getSemaphoreCounterValue(timeline_) < v) {
      if (std::chrono::steady_clock::now() - start > std::chrono::microseconds(200)) {
        vk::SemaphoreWaitInfo wi({}, timeline_, v);
        vk::Result r = d.waitSemaphores(wi, UINT64_MAX);
        check(r, "vkWaitSemaphores");
        break;
      }
    }
    retire();
  }

  static void check(vk::Result r, const char* what) {
    if (r == vk::Result::eSuccess) return;
    if (r == vk::Result::eErrorDeviceLost)
      throw std::runtime_error(std::string("[gpu] The Vulkan device was lost (") + what + ").");
    throw std::runtime_error(std::string("[gpu] ") + what + " failed: " + vk::to_string(r));
  }

  gpu::Pipeline* create_pipeline(std::string key, const uint32_t* spirv, size_t words,
                                 const std::vector<uint32_t>& spec) {
    auto& d = ctx_->device;
    auto module = d.createShaderModule(vk::ShaderModuleCreateInfo({}, words * 4, spirv));
    std::vector<vk::SpecializationMapEntry> entries;
    for (uint32_t i = 0; i < spec.size(); ++i) entries.emplace_back(i, i * 4, 4);
    vk::SpecializationInfo si(static_cast<uint32_t>(entries.size()), entries.data(),
                              spec.size() * 4, spec.data());
    vk::PipelineShaderStageCreateInfo stage({}, vk::ShaderStageFlagBits::eCompute, module, "main",
                                            spec.empty() ? nullptr : &si);
    auto r = d.createComputePipeline(cache_, vk::ComputePipelineCreateInfo({}, stage, layout_));
    d.destroyShaderModule(module);
    check(r.result, "vkCreateComputePipelines");
    auto p = std::make_unique<gpu::Pipeline>();
    p->pipeline = r.value;
    auto* raw = p.get();
    pipelines_.emplace(std::move(key), std::move(p));
    return raw;
  }

  static std::filesystem::path cache_dir() {
    if (const char* c = std::getenv("MLXPP_CACHE_DIR"); c && *c) return c;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
      return std::filesystem::path(x) / "mlxpp";
    if (const char* h = std::getenv("HOME"); h && *h)
      return std::filesystem::path(h) / ".cache" / "mlxpp";
    return {};
  }

  // GLSL → SPIR-V through libshaderc; results are kept on disk keyed by the source's hash
  // (the file holds the source too, so a collision is detected, not trusted).
  std::vector<uint32_t> compile_glsl(const std::string& key, const std::string& glsl) {
    auto dir = cache_dir();
    std::filesystem::path file;
    if (!dir.empty()) {
      char name[32];
      std::snprintf(name, sizeof name, "%016zx.spv", std::hash<std::string>{}(glsl));
      file = dir / "spirv" / name;
      std::ifstream in(file, std::ios::binary);
      if (in) {
        uint64_t n = 0;
        in.read(reinterpret_cast<char*>(&n), 8);
        std::string src(n < (1u << 24) ? n : 0, '\0');
        in.read(src.data(), static_cast<std::streamsize>(src.size()));
        if (in && src == glsl) {
          std::vector<char> rest((std::istreambuf_iterator<char>(in)), {});
          if (!rest.empty() && rest.size() % 4 == 0) {
            std::vector<uint32_t> words(rest.size() / 4);
            std::memcpy(words.data(), rest.data(), rest.size());
            return words;
          }
        }
      }
    }
    static shaderc::Compiler compiler;  // creating one per shader costs more than compiling
    shaderc::CompileOptions opt;
    opt.SetTargetEnvironment(shaderc_target_env_vulkan, shaderc_env_version_vulkan_1_2);
    opt.SetOptimizationLevel(shaderc_optimization_level_zero);  // drivers optimise; spirv-opt only costs start-up time
    // Keys of generated programs are binary after their kind ("ew", "red", ...): name the
    // shader by that readable prefix.
    std::string name;
    for (char ch : key) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') break;
      name += ch;
    }
    auto res = compiler.CompileGlslToSpv(glsl, shaderc_compute_shader, name.c_str(), opt);
    if (res.GetCompilationStatus() != shaderc_compilation_status_success)
      throw std::logic_error("[gpu] Generated shader '" + name + "' does not compile:\n" +
                             res.GetErrorMessage() + "\n" + glsl);
    std::vector<uint32_t> words(res.cbegin(), res.cend());
    if (!file.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(file.parent_path(), ec);
      // A private temporary, renamed into place: processes sharing the cache (parallel
      // tests) never see a half-written file.
      auto tmp = file;
      tmp += ".tmp" + std::to_string(::getpid());
      std::ofstream out(tmp, std::ios::binary);
      uint64_t n = glsl.size();
      out.write(reinterpret_cast<const char*>(&n), 8);
      out.write(glsl.data(), static_cast<std::streamsize>(glsl.size()));
      out.write(reinterpret_cast<const char*>(words.data()),
                static_cast<std::streamsize>(words.size() * 4));
      out.close();
      if (out) std::filesystem::rename(tmp, file, ec);
    }
    return words;
  }

  void load_pipeline_cache() {
    std::vector<char> data;
    auto dir = cache_dir();
    if (!dir.empty()) {
      std::ifstream in(dir / "vulkan_pipelines.bin", std::ios::binary);
      if (in) data.assign(std::istreambuf_iterator<char>(in), {});
    }
    try {
      cache_ = ctx_->device.createPipelineCache(vk::PipelineCacheCreateInfo({}, data.size(), data.data()));
    } catch (const vk::SystemError&) {  // a cache from another driver: start empty
      cache_ = ctx_->device.createPipelineCache(vk::PipelineCacheCreateInfo());
    }
  }

  void save_pipeline_cache() {
    auto dir = cache_dir();
    if (dir.empty()) return;
    try {
      auto data = ctx_->device.getPipelineCacheData(cache_);
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      auto tmp = dir / ("vulkan_pipelines.bin.tmp" + std::to_string(::getpid()));
      std::ofstream out(tmp, std::ios::binary);
      out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
      out.close();
      if (out) std::filesystem::rename(tmp, dir / "vulkan_pipelines.bin", ec);
      else std::filesystem::remove(tmp, ec);
    } catch (...) {
    }
  }

  std::unique_ptr<Context> ctx_;
  std::recursive_mutex mtx_;  // download() may run inside a kernel's read()
  bool unified_ = false, staging_coherent_ = true;
  uint32_t device_type_ = 0, staging_type_ = 0;
  std::unique_ptr<BlockAllocator> device_mem_, staging_mem_;
  vk::CommandPool pool_;
  vk::Semaphore timeline_;
  vk::PipelineLayout layout_;
  vk::PipelineCache cache_;
  std::unordered_map<std::string, std::unique_ptr<gpu::Pipeline>> pipelines_;
  Batch open_;
  std::deque<Batch> in_flight_;
  std::vector<vk::CommandBuffer> spare_;
  uint64_t submitted_ = 0;  // the timeline value of the last submitted batch
  vk::Pipeline bound_;
  std::unordered_set<uint64_t> dirty_;  // allocations written since the last barrier
  std::vector<uint64_t> pending_writes_;
  bool need_barrier_ = false;
  uint32_t chunk_ = 64;
  std::atomic<uint64_t> dispatches_{0}, uploads_{0}, downloads_{0};
};

inline DeviceBuffer::~DeviceBuffer() {
  if (backend_alive) backend_->release(alloc_);
}
inline void DeviceBuffer::sync_to_host() { backend_->download(*this); }

/// The registered factory: creates the backend on first use of Device::gpu, or says once why
/// there is none (no loader, no device, too old) and lets the CPU serve.
inline std::unique_ptr<gpu::Backend> create_backend() {
  try {
    auto b = std::make_unique<VulkanBackend>();
    if (env_flag("MLXPP_VULKAN_VERBOSE"))
      std::fprintf(stderr, "[mlx] Vulkan: %s (Vulkan %s)%s\n", b->info().name.c_str(),
                   b->info().driver.c_str(), b->unified_memory() ? ", unified memory" : "");
    return b;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[mlx] Vulkan unavailable (%s); the CPU serves Device::gpu.\n", e.what());
    return nullptr;
  }
}

inline const bool registered = [] {
  gpu::detail::factory() = &create_backend;
  return true;
}();

/// The Vulkan backend in use, or nullptr (tests reach device facts through it).
inline VulkanBackend* vulkan_backend() { return dynamic_cast<VulkanBackend*>(gpu::backend()); }

}  // namespace mlx::core::vulkan
