// SPDX-License-Identifier: MIT
// A small persistent thread pool for the CPU kernels: the calling thread works too, workers
// spin briefly before sleeping (back-to-back kernels wake them cheaply), and workers are
// pinned to separate CPUs (on the 2-core guests we measured, unpinned threads sometimes
// shared one vCPU). MLXPP_NUM_THREADS sets the thread count (default: hardware threads).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <type_traits>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace mlx::core::cpu {

class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool pool;
    return pool;
  }

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Runs fn(task) for task in [0, ntasks) on all threads; returns when all are done.
  /// Nested calls from inside a task run serially on the calling thread, and so does a call
  /// while another user thread owns the pool: the pool runs one job at a time, and a second
  /// thread evaluating its own graph has a core of its own to run it on.
  template <class F>
  void run(int64_t ntasks, F&& fn) {
    if (ntasks <= 0) return;
    if (workers_.empty() || ntasks == 1 || in_pool_ ||
        busy_.exchange(true, std::memory_order_acquire)) {
      for (int64_t t = 0; t < ntasks; ++t) fn(t);
      return;
    }
    struct Release {
      std::atomic<bool>& busy;
      ~Release() { busy.store(false, std::memory_order_release); }
    } release{busy_};
    // A pointer and a trampoline instead of std::function: every kernel's lambda passes
    // through here, and std::function's machinery per lambda type was a large share of
    // the library's compile time (docs/compile-time.md).
    using Fn = std::remove_reference_t<F>;
    void* ctx = const_cast<void*>(static_cast<const void*>(&fn));
    run_job(ntasks, Job{ctx, [](void* c, int64_t t) { (*static_cast<Fn*>(c))(t); }});
  }

  /// Sends spinning workers to sleep now. Called before a library that runs its own threads
  /// (OpenBLAS): a worker spinning for the next job would take a core from them. The next
  /// run() wakes the workers as usual.
  void park_workers() { park_.store(true, std::memory_order_relaxed); }

  ~ThreadPool() {
    stop_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  ThreadPool() {
    int n = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("MLXPP_NUM_THREADS")) n = std::atoi(env);
    n = std::clamp(n, 1, 256);
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
    pin(0);
  }

  static void pin([[maybe_unused]] int cpu) {
#if defined(__linux__)
    if (std::getenv("MLXPP_NO_PIN")) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % CPU_SETSIZE, &set);
    // Pin only the workers: the calling thread belongs to the user.
    if (cpu != 0) pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
#endif
  }

  /// The type-erased task: call(ctx, task).
  struct Job {
    void* ctx;
    void (*call)(void*, int64_t);
  };

  void run_job(int64_t ntasks, Job job) {
    ntasks_.store(ntasks, std::memory_order_relaxed);
    next_.store(0, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    job_.store(&job, std::memory_order_release);
    park_.store(false, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    in_pool_ = true;
    work();
    in_pool_ = false;
    // Wait for every task, then for every worker to leave work(): after that no thread
    // can touch this job, and the next run may reuse the counters. The store of job_ and
    // the loads of active_ here, and a worker's increment of active_ before it loads job_,
    // are sequentially consistent: with weaker orders the store may wait in this core's
    // store buffer while the load sees 0, and a late worker would still find this job.
    while (done_.load(std::memory_order_acquire) != ntasks) std::this_thread::yield();
    job_.store(nullptr, std::memory_order_seq_cst);
    while (active_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  }

  void work() {
    auto* job = job_.load(std::memory_order_seq_cst);
    if (!job) return;
    int64_t n = ntasks_.load(std::memory_order_relaxed);
    for (;;) {
      int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n) break;
      job->call(job->ctx, t);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void worker_loop(int index) {
    pin(index);
    in_pool_ = true;
    uint64_t seen = 0;
    for (;;) {
      // Spin ~50 µs for the next job before sleeping on the futex.
      uint64_t g = generation_.load(std::memory_order_acquire);
      for (int spin = 0; g == seen && spin < 20000 && !park_.load(std::memory_order_relaxed);
           ++spin) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
        g = generation_.load(std::memory_order_acquire);
      }
      if (g == seen) {
        generation_.wait(seen, std::memory_order_acquire);
        continue;
      }
      seen = g;
      if (stop_.load()) return;
      active_.fetch_add(1, std::memory_order_seq_cst);
      work();
      active_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> workers_;
  std::atomic<Job*> job_{nullptr};
  std::atomic<int64_t> ntasks_{0};
  std::atomic<int> active_{0};
  std::atomic<bool> park_{false};
  std::atomic<int64_t> next_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> busy_{false};  // a user thread owns the pool (one job at a time)
  static inline thread_local bool in_pool_ = false;
};

/// Splits [0, n) into pieces of at least `grain` elements over the pool's threads.
/// Small ranges run inline on the calling thread.
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& fn) {
  auto& pool = ThreadPool::instance();
  int nt = pool.num_threads();
  if (n <= grain || nt == 1) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  int64_t tasks = std::min<int64_t>(nt, (n + grain - 1) / grain);
  int64_t per = (n + tasks - 1) / tasks;
  pool.run(tasks, [&](int64_t t) {
    int64_t b = t * per, e = std::min(n, b + per);
    if (b < e) fn(b, e);
  });
}

}  // namespace mlx::core::cpu
