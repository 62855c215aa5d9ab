// SPDX-License-Identifier: MIT
// The Vulkan backend's elementwise kernels against the CPU: every functor of the registry on
// every dtype it accepts (generated GLSL), strided / broadcast / scalar inputs, fusion into
// one dispatch, and the host <-> device moves (each array moves once).
#include <mlx/backend/vulkan/backend.hpp>
#include <mlx/mlx.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "../../array_values.hpp"
#include "mlx/expr/functors/registry.hpp"

namespace mlx::core {
namespace {

namespace f = functors;

gpu::Backend& gpu_backend() {
  auto* b = gpu::backend();
  if (!b) throw std::runtime_error("no Vulkan device (these tests need lavapipe at least)");
  return *b;
}

template <class Tuple, class Fn>
void for_each_type(Fn&& fn) {
  std::apply([&](auto... tags) { (fn(tags), ...); }, Tuple{});
}

// Inputs with the values that matter per dtype kind: signs, zero, fractions, and for floats
// NaN and infinities; integer divisors and shift counts stay in their defined ranges.
std::vector<double> sample(Dtype d, int which, int n) {
  std::vector<double> v(static_cast<size_t>(n));
  uint32_t x = 12345u + 977u * static_cast<uint32_t>(which);
  for (int i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    double u = (x >> 8) / double(1 << 24);  // [0, 1)
    double val;
    if (d == bool_) val = u < 0.5 ? 0 : 1;
    else if (is_unsigned(d)) val = std::floor(u * (which == 1 ? 7 : 40)) + (which == 1 ? 1 : 0);
    else if (issubdtype(d, integer)) val = std::floor(u * (which == 1 ? 7 : 41)) - (which == 1 ? -1 : 20);
    else val = (u - 0.5) * 6;
    v[static_cast<size_t>(i)] = val;
  }
  if (issubdtype(d, floating) && which == 0 && n > 8) {
    const double inf = std::numeric_limits<double>::infinity();
    v[0] = std::nan("");
    v[1] = inf;
    v[2] = -inf;
    v[3] = 0.0;
    v[4] = 1.0;
    v[5] = -1.0;
    v[6] = 0.5;
  }
  return v;
}

array make(Dtype d, int which, int n) {
  auto v = sample(d, which, n);
  array a(v.begin(), Shape{n}, float64);
  return astype(a, d, Device::cpu);
}

// Tolerance per result dtype: float math differs between the CPU's and the device's libm
// by a few ulp; narrow floats by one rounding.
double tolerance(Dtype d, const std::string& tag = "") {
  // tan near its poles: a last-bit difference in the argument reduction moves the result by
  // far more than an ulp (NVIDIA's tan differs from glibc's by ~1e-4 relative there).
  if (tag.rfind("tan on", 0) == 0 && d == float32) return 2e-4;
  if (d == float16) return 2e-3;
  if (d == bfloat16) return 1.6e-2;
  if (d == float32) return 2e-5;
  return 0;
}

void expect_same(const array& gpu, const array& cpu, const std::string& tag) {
  ASSERT_EQ(gpu.dtype(), cpu.dtype()) << tag;
  ASSERT_EQ(gpu.shape(), cpu.shape()) << tag;
  auto g = mlxtest::to_doubles(gpu), c = mlxtest::to_doubles(cpu);
  const double tol = tolerance(cpu.dtype(), tag);
  int bad = 0;
  for (size_t i = 0; i < c.size() && bad < 5; ++i) {
    bool ok;
    if (std::isnan(c[i])) ok = std::isnan(g[i]);
    else if (std::isinf(c[i])) ok = g[i] == c[i];
    else ok = std::abs(g[i] - c[i]) <= tol * (1 + std::abs(c[i])) + (tol ? 1e-30 : 0);
    if (!ok) {
      ++bad;
      ADD_FAILURE() << tag << " element " << i << ": gpu " << g[i] << " cpu " << c[i];
    }
  }
}

template <class F, class... Arrays>
void check_functor(Dtype d, std::set<std::string>& on_cpu, const Arrays&... xs) {
  const std::string tag = std::string(F::name) + " on " + dtype_to_string(d);
  array want;
  try {
    want = detail::make_expr<F>(Device::cpu, xs...);
    want.eval();
  } catch (const std::invalid_argument&) {
    return;  // the op rejects this dtype on every device
  }
  const auto fallbacks = Primitive::gpu_fallbacks().load();
  array got = detail::make_expr<F>(Device::gpu, xs...);
  got.eval();
  if (Primitive::gpu_fallbacks().load() != fallbacks) on_cpu.insert(tag);
  expect_same(got, want, tag);
}

const std::vector<Dtype> device_dtypes = {bool_,  uint8,   uint16,   uint32,  uint64, int8,
                                          int16,  int32,   int64,    float16, bfloat16,
                                          float32, float64};

// A program that links the backend but computes on the CPU never loads a driver: eval and
// synchronize only flush a backend that exists. (CTest runs each test in its own process;
// run by hand after other tests, the backend exists already and the test is skipped.)
TEST(VulkanElementwise, CpuWorkDoesNotStartTheBackend) {
  if (gpu::started_backend()) GTEST_SKIP() << "another test in this process started the GPU";
  array a = ones({1000}, float32, Device::cpu);
  array b = exp(a) + a;
  eval(b);
  synchronize();
  EXPECT_FLOAT_EQ(b.data<float>()[999], std::exp(1.0f) + 1.0f);
  EXPECT_EQ(gpu::started_backend(), nullptr);
}

TEST(VulkanElementwise, EveryFunctorOnEveryDtypeMatchesTheCpu) {
  gpu_backend();
  std::set<std::string> on_cpu;
  const int n = 777;  // not a multiple of the workgroup: the tail is checked too
  for (Dtype d : device_dtypes) {
    array a = make(d, 0, n), b = make(d, 1, n), c = make(d, 2, n);
    for_each_type<f::unary_functors>([&](auto fn) { check_functor<decltype(fn)>(d, on_cpu, a); });
    for_each_type<f::binary_functors>([&](auto fn) { check_functor<decltype(fn)>(d, on_cpu, a, b); });
    array cond = make(bool_, 0, n);
    check_functor<f::Select>(d, on_cpu, cond, a, b);
    check_functor<f::NanToNum>(d, on_cpu, a, array(0.0f), array(9.0f), array(-9.0f));
    check_functor<f::IsClose>(d, on_cpu, a, b, array(1e-5f), array(1e-8f), array(false));
    (void)c;
  }
  // What runs on the CPU instead: only float64 transcendentals (GLSL has no double exp, log,
  // sin, ...). Everything else is a GPU kernel.
  for (auto& t : on_cpu)
    EXPECT_NE(t.find("float64"), std::string::npos) << t << " fell back to the CPU";
}

TEST(VulkanElementwise, StridedBroadcastAndScalarInputs) {
  gpu_backend();
  array a = astype(reshape(arange(24.0f, Device::cpu), {2, 3, 4}), float32, Device::cpu);
  array t = transpose(a, {2, 0, 1}, Device::cpu);               // strided view
  array row = array({1.0f, -2.0f, 3.0f}, Shape{1, 1, 3});        // broadcast
  array s = array(0.5f);                                         // scalar
  array sl = slice(a, {0, 1, 0}, {2, 3, 4}, {1, 1, 2}, Device::cpu);  // sliced, stepped
  auto run = [&](Device dev) {
    return std::vector<array>{add(multiply(t, s, dev), row, dev), exp(sl, dev),
                              maximum(t, broadcast_to(row, {4, 2, 3}, dev), dev),
                              // constants of each compute kind travel as push constants
                              add(multiply(t, 0.25f, dev), 3, dev),
                              add(multiply(t, -1.75f, dev), 5, dev),
                              add(astype(t, int64, dev), int64_t(1) << 40, dev),
                              multiply(astype(t, float64, dev), 1e-300, dev),
                              subtract(astype(t, uint8, dev), 7, dev),
                              // negative strides (a reversed view) next to a plain input
                              add(flip(a, {0, 2}, Device::cpu), a, dev),
                              multiply(flip(t, Device::cpu), 2.0f, dev)};
  };
  auto g = run(Device::gpu), c = run(Device::cpu);
  for (size_t i = 0; i < g.size(); ++i) expect_same(g[i], c[i], "case " + std::to_string(i));
}

TEST(VulkanElementwise, AnExpressionIsOneDispatch) {
  auto& b = gpu_backend();
  array x = make(float32, 0, 4096), y = make(float32, 1, 4096), z = make(float32, 2, 4096);
  eval(x, y, z);
  const auto before = b.dispatches();
  array r = add(multiply(sin(x, Device::gpu), y, Device::gpu), exp(z, Device::gpu), Device::gpu);
  r.eval();
  EXPECT_EQ(b.dispatches() - before, 1u);
  expect_same(r, add(multiply(sin(x), y), exp(z)), "sin(x)*y+exp(z)");
}

TEST(VulkanElementwise, ArraysMoveOnceEachWay) {
  auto& b = gpu_backend();
  array x = make(float32, 1, 1000);
  x.eval();
  const auto up = b.uploads(), down = b.downloads();
  array y = multiply(x, x, Device::gpu);
  array z = add(y, x, Device::gpu);  // x is on the device already; y stays there
  eval(z);
  EXPECT_EQ(b.uploads() - up, 1u) << "x uploads once";
  EXPECT_EQ(b.downloads() - down, 0u) << "nothing comes back until the host reads";
  (void)z.data<float>();
  (void)z.data<float>();
  EXPECT_EQ(b.downloads() - down, 1u) << "z comes back once";
  EXPECT_FLOAT_EQ(z.data<float>()[7], x.data<float>()[7] * x.data<float>()[7] + x.data<float>()[7]);
}

TEST(VulkanElementwise, CpuOpsReadGpuResults) {
  gpu_backend();
  array x = arange(10.0f, Device::gpu);
  array y = exp(x, Device::gpu);
  array z = cumsum(y, 0, false, true, Device::cpu);  // a CPU kernel reads y from the device
  array want = cumsum(exp(arange(10.0f)), 0);
  expect_same(z, want, "cumsum of a GPU result");
  // A GPU-stream op without a GPU kernel runs on the CPU and its result moves on its own.
  array w = add(sort(y, 0, Device::gpu), x, Device::gpu);
  expect_same(w, add(sort(exp(arange(10.0f)), 0), arange(10.0f)), "sort on a GPU stream");
}

TEST(VulkanElementwise, ArangeAndContiguousOnTheGpu) {
  gpu_backend();
  for (Dtype d : {float32, int32, int64, uint8, float16, bfloat16, float64}) {
    expect_same(arange(-3.0, 17.0, 1.5, d, Device::gpu), arange(-3.0, 17.0, 1.5, d, Device::cpu),
                "arange " + dtype_to_string(d));
    expect_same(linspace(-1.0, 1.0, 33, d, Device::gpu), linspace(-1.0, 1.0, 33, d, Device::cpu),
                "linspace " + dtype_to_string(d));
  }
  array a = transpose(reshape(arange(60.0f), {3, 4, 5}), {1, 2, 0});
  expect_same(contiguous(a, false, Device::gpu), contiguous(a, false, Device::cpu), "contiguous");
  expect_same(astype(a, int16, Device::gpu), astype(a, int16, Device::cpu), "astype int16");
  expect_same(astype(a, bfloat16, Device::gpu), astype(a, bfloat16, Device::cpu), "astype bf16");
}

TEST(VulkanElementwise, LargeArraysUseManyWorkgroups) {
  gpu_backend();
  const int n = (1 << 22) + 3;  // beyond one dispatch's 65535 groups of 256: grid-stride
  array x = arange(static_cast<double>(n), Device::cpu);
  array y = multiply(astype(x, float32, Device::gpu), array(2.0f), Device::gpu);
  const float* p = y.data<float>();
  EXPECT_EQ(p[0], 0.0f);
  EXPECT_EQ(p[n - 1], 2.0f * static_cast<float>(n - 1));
  EXPECT_EQ(p[n / 2], 2.0f * static_cast<float>(n / 2));
}

TEST(VulkanElementwise, NoValidationMessages) {
  gpu_backend();
  synchronize();
  EXPECT_EQ(vulkan::validation_messages().load(), 0u);
}

}  // namespace
}  // namespace mlx::core
