// SPDX-License-Identifier: MIT
// Threads: independent graphs evaluated at once on separate streams, shared evaluated inputs,
// async_eval followed by concurrent reads, and the process-wide state every evaluation
// touches (allocator counters, the thread pool, kernel caches, random keys, compile's cache).
// Part of transforms_tests, and built a second time under ThreadSanitizer as tsan_tests
// (tests/CMakeLists.txt), where a data race fails the test.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

#if defined(__SANITIZE_THREAD__)
// The tsan_tests build (tests/CMakeLists.txt): stop at the first race report.
extern "C" const char* __tsan_default_options() { return "halt_on_error=1"; }
#endif

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 20;

// Runs body(thread index) on kThreads threads released together, so that they overlap.
template <class Body>
void on_threads(Body body) {
  std::atomic<int> ready{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      body(t);
    });
  for (auto& th : ts) th.join();
}

float sum_of(const mx::array& a) {
  return mx::sum(a).item<float>();
}

} // namespace

// Each thread builds and evaluates its own graphs (fused elementwise, reductions, matmul,
// sort, a compiled function) on its own stream; every result is checked.
TEST(Concurrency, IndependentGraphsOnSeparateStreams) {
  const int n = 1 << 15;  // above the threading threshold of small loops: the pool is shared
  auto square_plus_one = mx::compile([](const std::vector<mx::array>& xs) {
    return std::vector<mx::array>{xs[0] * xs[0] + 1.0f};
  });
  std::vector<int> failures(kThreads, 0);
  on_threads([&](int t) {
    mx::Stream s = mx::new_stream(mx::Device::cpu);
    for (int r = 0; r < kRounds; ++r) {
      const float k = static_cast<float>(t + 1);
      mx::array x = mx::full({n}, k, mx::float32, s);
      mx::array y = mx::exp(x * 0.0f) * k + x;  // = 2k everywhere
      mx::array total = mx::sum(y, false, s);
      mx::array m = mx::matmul(mx::full({8, 8}, k, mx::float32, s),
                               mx::ones({8, 8}, mx::float32, s), s);  // = 8k
      mx::array sorted = mx::sort(mx::arange(static_cast<double>(64), 0.0, -1.0, mx::int32, s), 0, s);
      mx::array c = square_plus_one({mx::full({16}, k, mx::float32, s)})[0];
      mx::eval(total, m, sorted, c);
      if (total.item<float>() != 2.0f * k * n) ++failures[t];
      if (mx::max(m, false, s).item<float>() != 8.0f * k) ++failures[t];
      if (sorted.data<int32_t>()[0] != 1 || sorted.data<int32_t>()[63] != 64) ++failures[t];
      if (c.data<float>()[5] != k * k + 1.0f) ++failures[t];
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

// One evaluated array is an input of every thread's graphs; its buffer is shared, never
// donated or written while others read it.
TEST(Concurrency, SharedEvaluatedInput) {
  mx::array shared = mx::arange(0.0, 1024.0, 1.0, mx::float32);
  shared.eval();
  const float expected = 1023.0f * 1024.0f / 2.0f;
  std::vector<int> failures(kThreads, 0);
  on_threads([&](int t) {
    for (int r = 0; r < kRounds; ++r) {
      mx::array a = shared + static_cast<float>(t);   // a new array each time
      mx::array b = shared * 2.0f;
      mx::eval(a, b);
      if (sum_of(a) != expected + 1024.0f * t) ++failures[t];
      if (sum_of(b) != 2.0f * expected) ++failures[t];
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_EQ(sum_of(shared), expected) << "the shared input was written";
}

// async_eval on one thread, then reads of the results from several threads at once.
TEST(Concurrency, AsyncEvalThenConcurrentReads) {
  mx::array x = mx::arange(0.0, 4096.0, 1.0, mx::float32);
  mx::array y = mx::sqrt(x) * mx::sqrt(x);
  mx::array z = mx::cumsum(x, 0);
  mx::async_eval(y, z);
  mx::synchronize();
  std::vector<int> failures(kThreads, 0);
  on_threads([&](int t) {
    for (int r = 0; r < kRounds; ++r) {
      const float* py = y.data<float>();
      const float* pz = z.data<float>();
      const int i = (t * 997 + r * 131) % 4096;
      if (std::abs(py[i] - static_cast<float>(i)) > 1e-3f * (i + 1)) ++failures[t];
      if (pz[i] != static_cast<float>(i) * (i + 1) / 2.0f) ++failures[t];
      if (y.shape(0) != 4096 || z.dtype() != mx::float32) ++failures[t];
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

// Random numbers from explicit keys are the same on every thread; the global key is shared
// state and may be drawn from concurrently (each draw a distinct key).
TEST(Concurrency, RandomFromExplicitKeysAndTheGlobalKey) {
  mx::array reference = mx::random::normal({256}, mx::float32, mx::random::key(7));
  reference.eval();
  std::vector<int> failures(kThreads, 0);
  on_threads([&](int t) {
    for (int r = 0; r < kRounds; ++r) {
      mx::array a = mx::random::normal({256}, mx::float32, mx::random::key(7));
      if (!mx::array_equal(a, reference).item<bool>()) ++failures[t];
      mx::array g = mx::random::uniform({64});  // the global key
      if (mx::min(g).item<float>() < 0.0f || mx::max(g).item<float>() >= 1.0f) ++failures[t];
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

// Memory counters stay consistent while threads allocate and free.
TEST(Concurrency, MemoryCountersBalance) {
  mx::synchronize();
  const size_t before = mx::get_active_memory();
  on_threads([&](int t) {
    for (int r = 0; r < kRounds; ++r) {
      mx::array a = mx::full({1000 + t}, 1.0f);
      mx::array b = a * 3.0f + 1.0f;
      b.eval();
    }
  });
  EXPECT_EQ(mx::get_active_memory(), before);
}
