// SPDX-License-Identifier: MIT
// Tests for backend/gpu/matmul.hpp: GPU products against the CPU's for square and odd
// sizes (partial tiles on every edge), batched and broadcast batches (strided and offset-
// table walks), transposed and strided views of either operand (read in place: one
// dispatch, no fallback), vectors, float16/bfloat16, addmm, and the CPU fallback of dtypes
// the kernels do not take. Inputs are multiples of 1/8 so that float32 sums are exact in
// any order and the two devices must agree bit for bit (halves: after one rounding).
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mx = mlx::core;

namespace {

mx::array values(const mx::Shape& shape, mx::Dtype d, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-16, 16);
  std::vector<float> v(static_cast<size_t>(mx::shape_size(shape)));
  for (auto& x : v) x = static_cast<float>(dist(gen)) / 8.f;
  mx::array f(v.begin(), shape, mx::float32);
  mx::array r = d == mx::float32 ? f : mx::astype(f, d, mx::Device::cpu);
  r.eval();
  return r;
}

std::vector<float> floats(const mx::array& x) {
  mx::array f = mx::astype(x, mx::float32, mx::Device::cpu);
  f.eval();
  const float* p = f.data<float>();
  return std::vector<float>(p, p + f.size());
}

class GpuMatmul : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!mx::vulkan::vulkan_backend()) GTEST_SKIP() << "no Vulkan device";
    fallbacks_ = mx::Primitive::gpu_fallbacks().load();
    messages_ = mx::vulkan::validation_messages().load();
  }
  void TearDown() override {
    if (!mx::vulkan::vulkan_backend()) return;
    mx::synchronize();
    EXPECT_EQ(mx::vulkan::validation_messages().load() - messages_, 0u)
        << "the Vulkan validation layer reported problems (printed above)";
  }
  uint64_t fallbacks() const { return mx::Primitive::gpu_fallbacks().load() - fallbacks_; }

  // gpu(a, b) == cpu(a, b) (relative tolerance `tol` of the largest |value|; 0: exact), run
  // as one kernel launch with no CPU fallback.
  template <class F>
  void expect_same(F&& op, float tol = 0.f, bool on_gpu = true) {
    auto* be = mx::gpu::backend();
    const uint64_t d0 = be->dispatches(), f0 = fallbacks();
    mx::array g = op(mx::Device(mx::Device::gpu));
    g.eval();
    const uint64_t dispatched = be->dispatches() - d0, fell_back = fallbacks() - f0;
    mx::array c = op(mx::Device(mx::Device::cpu));
    c.eval();
    ASSERT_EQ(g.shape(), c.shape());
    ASSERT_EQ(g.dtype(), c.dtype());
    if (on_gpu) {
      EXPECT_GE(dispatched, 1u);
      EXPECT_EQ(fell_back, 0u) << "the GPU product ran on the CPU";
    }
    auto gv = floats(g), cv = floats(c);
    float scale = 0.f;
    for (float x : cv) scale = std::max(scale, std::abs(x));
    size_t bad = 0;
    for (size_t i = 0; i < gv.size(); ++i)
      if (!(std::abs(gv[i] - cv[i]) <= tol * scale)) {
        if (++bad <= 5)
          ADD_FAILURE() << "element " << i << ": gpu " << gv[i] << ", cpu " << cv[i];
      }
    EXPECT_EQ(bad, 0u) << "of " << gv.size() << " elements";
  }

  // a (batch..., M, K) @ b (batch..., K, N) as fresh row-major arrays.
  void product(const mx::Shape& sa, const mx::Shape& sb, mx::Dtype d = mx::float32,
               float tol = 0.f) {
    mx::array a = values(sa, d, 1), b = values(sb, d, 2);
    expect_same([&](mx::Device dev) { return mx::matmul(a, b, dev); }, tol);
  }

 private:
  uint64_t fallbacks_ = 0, messages_ = 0;
};

// One rounding of a float32 result to the half type (both devices round the same exact
// sum, but the CPU and GPU may round ties differently).
constexpr float half_tol = 1.f / 1024, bf16_tol = 1.f / 128;

TEST_F(GpuMatmul, Square) {
  for (int n : {16, 64, 128, 256}) product({n, n}, {n, n});
}

TEST_F(GpuMatmul, OddSizes) {
  product({1, 1}, {1, 1});
  product({3, 5}, {5, 7});
  product({65, 33}, {33, 129});
  product({257, 129}, {129, 300});
  product({7, 300}, {300, 1});
  product({1, 513}, {513, 33});
}

TEST_F(GpuMatmul, EmptyInnerDimensionGivesZeros) {
  product({4, 0}, {0, 5});
}

TEST_F(GpuMatmul, Vectors) {
  mx::array m = values({33, 17}, mx::float32, 3);
  mx::array v = values({33}, mx::float32, 4), w = values({17}, mx::float32, 5);
  mx::array bm = values({2, 33, 17}, mx::float32, 6);
  expect_same([&](mx::Device d) { return mx::matmul(v, m, d); });
  expect_same([&](mx::Device d) { return mx::matmul(m, w, d); });
  expect_same([&](mx::Device d) { return mx::matmul(v, bm, d); });
  expect_same([&](mx::Device d) { return mx::matmul(v, v, d); });
}

TEST_F(GpuMatmul, Batched) {
  product({4, 37, 20}, {4, 20, 45});
  product({2, 3, 17, 9}, {2, 3, 9, 11});  // batch dims merge into one stride
}

TEST_F(GpuMatmul, BroadcastBatch) {
  product({3, 37, 20}, {20, 45});        // b shared by the batch (stride 0)
  product({37, 20}, {5, 20, 45});        // a shared
  product({2, 1, 17, 9}, {3, 9, 11});    // batch (2, 3): per-batch offset table
  product({1, 4, 17, 9}, {2, 1, 9, 11});
}

TEST_F(GpuMatmul, TransposedViews) {
  mx::array x = values({45, 70}, mx::float32, 7);   // (K, M)
  mx::array y = values({66, 45}, mx::float32, 8);   // (N, K)
  mx::array a = mx::transpose(x, mx::Device::cpu);  // (M, K), column-major
  mx::array b = mx::transpose(y, mx::Device::cpu);  // (K, N), column-major
  a.eval();
  b.eval();
  mx::array ar = values({70, 45}, mx::float32, 9), br = values({45, 66}, mx::float32, 10);
  expect_same([&](mx::Device d) { return mx::matmul(a, br, d); });
  expect_same([&](mx::Device d) { return mx::matmul(ar, b, d); });
  expect_same([&](mx::Device d) { return mx::matmul(a, b, d); });
  // Batched: swap the last two axes of a (batch, K, M) array.
  mx::array xb = values({3, 45, 70}, mx::float32, 11);
  mx::array ab = mx::swapaxes(xb, 1, 2, mx::Device::cpu);
  ab.eval();
  expect_same([&](mx::Device d) { return mx::matmul(ab, b, d); });
}

TEST_F(GpuMatmul, StridedViews) {
  // Every other column / row: neither stride is 1.
  mx::array x = values({40, 62}, mx::float32, 12), y = values({62, 50}, mx::float32, 13);
  mx::array a = mx::slice(x, {0, 0}, {40, 62}, {2, 2}, mx::Device::cpu);  // (20, 31)
  mx::array b = mx::slice(y, {0, 1}, {62, 50}, {2, 3}, mx::Device::cpu);  // (31, 17)
  a.eval();
  b.eval();
  expect_same([&](mx::Device d) { return mx::matmul(a, b, d); });
}

TEST_F(GpuMatmul, Float16) {
  product({64, 64}, {64, 64}, mx::float16, half_tol);
  product({65, 33}, {33, 129}, mx::float16, half_tol);
  product({3, 17, 9}, {9, 11}, mx::float16, half_tol);
  // Enough tiles for the big cooperative-matrix configuration where there is one.
  product({128, 100, 40}, {40, 200}, mx::float16, half_tol);
  mx::array x = values({45, 70}, mx::float16, 14), y = values({45, 66}, mx::float16, 15);
  mx::array a = mx::transpose(x, mx::Device::cpu);
  a.eval();
  expect_same([&](mx::Device d) { return mx::matmul(a, y, d); }, half_tol);
}

TEST_F(GpuMatmul, BFloat16) {
  product({64, 64}, {64, 64}, mx::bfloat16, bf16_tol);
  product({65, 33}, {33, 129}, mx::bfloat16, bf16_tol);
  mx::array x = values({66, 45}, mx::bfloat16, 16), y = values({70, 45}, mx::bfloat16, 17);
  mx::array b = mx::transpose(x, mx::Device::cpu);
  b.eval();
  expect_same([&](mx::Device d) { return mx::matmul(y, b, d); }, bf16_tol);
}

TEST_F(GpuMatmul, AddMM) {
  mx::array a = values({65, 33}, mx::float32, 18), b = values({33, 47}, mx::float32, 19);
  mx::array c = values({65, 47}, mx::float32, 20);
  mx::array row = values({47}, mx::float32, 21), one = values({1}, mx::float32, 22);
  mx::array col = values({65, 1}, mx::float32, 23);
  for (const mx::array* addend : {&c, &row, &one, &col})
    expect_same([&](mx::Device d) { return mx::addmm(*addend, a, b, 0.5f, 2.f, d); });
  mx::array ct = mx::transpose(values({47, 65}, mx::float32, 24), mx::Device::cpu);
  ct.eval();
  expect_same([&](mx::Device d) { return mx::addmm(ct, a, b, 1.f, -1.f, d); });
  // beta = 0 ignores c, even NaNs.
  mx::array nan = mx::full({65, 47}, mx::array(std::nanf("")), mx::float32, mx::Device::cpu);
  nan.eval();
  expect_same([&](mx::Device d) { return mx::addmm(nan, a, b, 1.f, 0.f, d); });
  // Batched, c broadcast over the batch.
  mx::array ab = values({3, 65, 33}, mx::float32, 25);
  expect_same([&](mx::Device d) { return mx::addmm(c, ab, b, 1.f, 1.f, d); });
  mx::array h = values({17, 9}, mx::float16, 26), hb = values({9, 11}, mx::float16, 27);
  mx::array hc = values({17, 11}, mx::float16, 28);
  expect_same([&](mx::Device d) { return mx::addmm(hc, h, hb, 0.5f, 2.f, d); }, half_tol);
}

TEST_F(GpuMatmul, ResultFeedsTheNextProduct) {
  // The second product reads the first one's output on the device (a barrier between).
  mx::array a = values({50, 40}, mx::float32, 29), b = values({40, 30}, mx::float32, 30);
  mx::array c = values({30, 20}, mx::float32, 31);
  expect_same([&](mx::Device d) { return mx::matmul(mx::matmul(a, b, d), c, d); });
}

TEST_F(GpuMatmul, UnsupportedDtypesRunOnTheCpu) {
  mx::array a = values({9, 7}, mx::float64, 32), b = values({7, 5}, mx::float64, 33);
  const uint64_t f0 = fallbacks();
  expect_same([&](mx::Device d) { return mx::matmul(a, b, d); }, 0.f, /*on_gpu=*/false);
  EXPECT_EQ(fallbacks() - f0, 1u);
}

}  // namespace
