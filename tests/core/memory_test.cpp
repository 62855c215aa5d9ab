// SPDX-License-Identifier: MIT
// Tests for the allocator's memory API: active/peak/cache memory, the cache limit, clearing
// the cache, buffer reuse, and intermediates freed during evaluation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

constexpr int kN = 1 << 18;                             // elements
constexpr size_t kBytes = static_cast<size_t>(kN) * 4;  // one float32 buffer (4096-aligned)

// Restores the cache limit a test changes (the allocator is process-wide).
class MemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_limit_ = mx::set_cache_limit(~size_t(0));
    mx::clear_cache();
  }
  void TearDown() override {
    mx::set_cache_limit(old_limit_);
    mx::clear_cache();
  }
  size_t old_limit_ = 0;
};

// Exactly one allocator buffer (mx::ones would also allocate its 0-d fill value).
mx::array evaluated_ones(int n = kN) {
  std::vector<float> v(static_cast<size_t>(n), 1.0f);
  return mx::array(v.begin(), {n});
}

TEST_F(MemoryTest, ActiveMemoryCountsLiveBuffers) {
  const size_t before = mx::get_active_memory();
  {
    mx::array a = evaluated_ones();
    EXPECT_EQ(mx::get_active_memory(), before + kBytes);
    mx::array b = evaluated_ones();
    EXPECT_EQ(mx::get_active_memory(), before + 2 * kBytes);
    mx::array alias = a;  // a second handle holds no new memory
    EXPECT_EQ(mx::get_active_memory(), before + 2 * kBytes);
  }
  EXPECT_EQ(mx::get_active_memory(), before);
}

TEST_F(MemoryTest, PeakMemoryAndReset) {
  const size_t before = mx::get_active_memory();
  mx::reset_peak_memory();
  EXPECT_EQ(mx::get_peak_memory(), before);
  {
    mx::array a = evaluated_ones();
    mx::array b = evaluated_ones();
    mx::array c = evaluated_ones();
  }
  EXPECT_EQ(mx::get_active_memory(), before);
  EXPECT_GE(mx::get_peak_memory(), before + 3 * kBytes);
  EXPECT_LT(mx::get_peak_memory(), before + 4 * kBytes);
  mx::reset_peak_memory();
  EXPECT_EQ(mx::get_peak_memory(), mx::get_active_memory());
}

TEST_F(MemoryTest, FreedBuffersGoToTheCacheAndAreReused) {
  const size_t cache0 = mx::get_cache_memory();
  EXPECT_EQ(cache0, 0u);
  const void* first = nullptr;
  {
    mx::array a = evaluated_ones();
    first = a.data<float>();
    EXPECT_EQ(mx::get_cache_memory(), 0u);
  }
  EXPECT_EQ(mx::get_cache_memory(), kBytes);
  mx::array b = evaluated_ones();
  EXPECT_EQ(static_cast<const void*>(b.data<float>()), first) << "the cached buffer is reused";
  EXPECT_EQ(mx::get_cache_memory(), 0u);
}

TEST_F(MemoryTest, CacheReusesSlightlyLargerBuffers) {
  {
    mx::array a = evaluated_ones(kN);
  }
  // 1/16 smaller than a cached buffer: taken from the cache (at most 1/8 larger).
  mx::array b = evaluated_ones(kN - kN / 16);
  EXPECT_EQ(mx::get_cache_memory(), 0u);
  // Much smaller: not taken from the cache.
  b = mx::array();
  EXPECT_EQ(mx::get_cache_memory(), kBytes);
  mx::array c = evaluated_ones(kN / 4);
  EXPECT_EQ(mx::get_cache_memory(), kBytes);
}

TEST_F(MemoryTest, CacheLimitZeroDisablesTheCache) {
  const size_t prev = mx::set_cache_limit(0);
  EXPECT_EQ(prev, ~size_t(0)) << "set_cache_limit returns the previous limit";
  const size_t before = mx::get_active_memory();
  {
    mx::array a = evaluated_ones();
    mx::array b = mx::array(a * 2.0f);
    b.eval();
  }
  EXPECT_EQ(mx::get_cache_memory(), 0u);
  EXPECT_EQ(mx::get_active_memory(), before);
  EXPECT_EQ(mx::set_cache_limit(12345), 0u);
}

TEST_F(MemoryTest, LoweringTheLimitEvicts) {
  {
    mx::array a = evaluated_ones();
    mx::array b = evaluated_ones();
  }
  EXPECT_EQ(mx::get_cache_memory(), 2 * kBytes);
  mx::set_cache_limit(kBytes);
  EXPECT_LE(mx::get_cache_memory(), kBytes);
  mx::set_cache_limit(0);
  EXPECT_EQ(mx::get_cache_memory(), 0u);
}

TEST_F(MemoryTest, ClearCacheEmptiesIt) {
  {
    mx::array a = evaluated_ones();
  }
  EXPECT_GT(mx::get_cache_memory(), 0u);
  mx::clear_cache();
  EXPECT_EQ(mx::get_cache_memory(), 0u);
  // Allocation still works after clearing.
  mx::array b = evaluated_ones();
  EXPECT_EQ(b.data<float>()[kN - 1], 1.0f);
}

TEST_F(MemoryTest, MemoryLimitRoundTrips) {
  const size_t old = mx::set_memory_limit(size_t{1} << 40);
  EXPECT_EQ(mx::get_memory_limit(), size_t{1} << 40);
  EXPECT_EQ(mx::set_memory_limit(old), size_t{1} << 40);
  EXPECT_EQ(mx::get_memory_limit(), old);
}

// Past the memory limit an allocation throws; the process and the graph survive it: the
// array stays unevaluated, nothing leaks, and it evaluates once the limit allows.
TEST_F(MemoryTest, MemoryLimitExceededThrowsAndEvaluationCanResume) {
  mx::array x = evaluated_ones();
  mx::array y = mx::exp(x) * 2.0f;  // needs one new kBytes buffer (x is still held)
  const size_t active = mx::get_active_memory();
  const size_t old = mx::set_memory_limit(active + kBytes / 2);
  try {
    y.eval();
    ADD_FAILURE() << "no exception past the memory limit";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("[malloc] Unable to allocate"), std::string::npos) << msg;
    EXPECT_NE(msg.find("memory limit"), std::string::npos) << msg;
  }
  EXPECT_FALSE(y.is_available());
  EXPECT_EQ(mx::get_active_memory(), active) << "the failed evaluation kept memory";
  EXPECT_EQ(mx::get_cache_memory(), 0u) << "the cache is released before refusing";
  mx::set_memory_limit(old);
  y.eval();
  EXPECT_FLOAT_EQ(y.data<float>()[kN - 1], 2.0f * std::exp(1.0f));
}

TEST_F(MemoryTest, ActiveMemoryFallsWhenArraysDie) {
  const size_t before = mx::get_active_memory();
  std::vector<mx::array> arrays;
  for (int i = 0; i < 5; ++i) arrays.push_back(evaluated_ones());
  EXPECT_EQ(mx::get_active_memory(), before + 5 * kBytes);
  for (int i = 4; i >= 0; --i) {
    arrays.pop_back();
    EXPECT_EQ(mx::get_active_memory(), before + static_cast<size_t>(i) * kBytes);
  }
  EXPECT_EQ(mx::get_cache_memory(), 5 * kBytes);
}

TEST_F(MemoryTest, IntermediatesAreFreedDuringEvaluation) {
  // A chain of 10 runtime nodes whose intermediates nobody holds: evaluation must release
  // each intermediate once its user is done, so peak memory stays at a few buffers.
  mx::array x = evaluated_ones();
  const size_t before = mx::get_active_memory();
  mx::array y = x;
  for (int i = 0; i < 10; ++i) y = mx::array(y * 1.5f + 1.0f);
  EXPECT_EQ(mx::get_active_memory(), before) << "building the graph allocates nothing";
  mx::reset_peak_memory();
  y.eval();
  EXPECT_EQ(mx::get_active_memory(), before + kBytes) << "only the result stays alive";
  EXPECT_LE(mx::get_peak_memory(), before + 2 * kBytes)
      << "intermediates were kept alive: peak " << mx::get_peak_memory() - before << " bytes";
  float expect = 1.0f;
  for (int i = 0; i < 10; ++i) expect = expect * 1.5f + 1.0f;
  EXPECT_FLOAT_EQ(y.data<float>()[123], expect);
}

TEST_F(MemoryTest, UnevaluatedGraphReleasesInputsWhenDropped) {
  const size_t before = mx::get_active_memory();
  {
    mx::array a = evaluated_ones();
    mx::array lazy = mx::exp(a) + a;
    a = mx::array();
    EXPECT_EQ(mx::get_active_memory(), before + kBytes);  // kept by the lazy node
  }
  EXPECT_EQ(mx::get_active_memory(), before);
}

}  // namespace

// A primitive with two outputs (both copies of its input), to test that the outputs of an
// unevaluated multi-output node, which reference each other, are freed with their inputs.
class TwoCopies : public mx::Primitive {
 public:
  using Primitive::Primitive;
  void eval_cpu(const std::vector<mx::array>& in, std::vector<mx::array>& out) override {
    for (auto& o : out) {
      o.set_data(mx::allocator::malloc(o.nbytes()));
      std::copy_n(in[0].data<float>(), in[0].size(), o.data<float>());
    }
  }
  const char* name() const override { return "TwoCopies"; }
};

std::vector<mx::array> two_copies(const mx::array& x) {
  return mx::array::make_arrays({x.shape(), x.shape()}, {x.dtype(), x.dtype()},
                                std::make_shared<TwoCopies>(mx::default_stream(mx::Device::cpu)),
                                {x});
}

TEST_F(MemoryTest, UnevaluatedMultiOutputNodesAreFreed) {
  const size_t before = mx::get_active_memory();
  {
    auto outs = two_copies(evaluated_ones());  // the node holds the only handle of its input
    EXPECT_EQ(mx::get_active_memory(), before + kBytes);
  }
  EXPECT_EQ(mx::get_active_memory(), before) << "dropping both outputs";
  {
    auto outs = two_copies(evaluated_ones());
    mx::array second = outs[1];
    outs.clear();
    EXPECT_EQ(mx::get_active_memory(), before + kBytes) << "one output is still held";
    second = mx::array();  // the last handle goes by assignment
    EXPECT_EQ(mx::get_active_memory(), before);
  }
  {
    // An output read by another unevaluated node: freed when that node goes.
    mx::array y = mx::array(two_copies(evaluated_ones())[1] * 2.0f);
    EXPECT_EQ(mx::get_active_memory(), before + kBytes);
  }
  EXPECT_EQ(mx::get_active_memory(), before) << "through release_inputs";
}

TEST_F(MemoryTest, MultiOutputNodesEvaluateAndFree) {
  const size_t before = mx::get_active_memory();
  {
    auto outs = two_copies(evaluated_ones());
    mx::eval(outs[0]);
    EXPECT_FLOAT_EQ(outs[1].data<float>()[7], 1.0f);  // the sibling was computed too
    EXPECT_EQ(mx::get_active_memory(), before + 2 * kBytes) << "the input was released";
  }
  EXPECT_EQ(mx::get_active_memory(), before);
}
