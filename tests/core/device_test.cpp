// SPDX-License-Identifier: MIT
// Tests for device.hpp: Device and Stream, the default device and streams, new streams, and
// the errors an unavailable GPU gives (this build has no GPU backend).
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

using mlxtest::runtime_error_message;

TEST(Device, ConstructionAndComparison) {
  mx::Device c(mx::Device::cpu);
  EXPECT_EQ(c.type, mx::Device::DeviceType::cpu);
  EXPECT_EQ(c.index, 0);
  mx::Device g(mx::Device::gpu, 1);
  EXPECT_EQ(g.type, mx::Device::DeviceType::gpu);
  EXPECT_EQ(g.index, 1);
  EXPECT_NE(c, g);
  EXPECT_NE(g, mx::Device(mx::Device::gpu, 0));
  EXPECT_EQ(g, mx::Device(mx::Device::gpu, 1));
  EXPECT_EQ(c, mx::Device::cpu);  // DeviceType converts implicitly, as in MLX
  std::ostringstream os;
  os << c << " " << g;
  EXPECT_EQ(os.str(), "Device(cpu, 0) Device(gpu, 1)");
}

TEST(Device, DefaultDeviceIsCpu) {
  EXPECT_EQ(mx::default_device(), mx::Device(mx::Device::cpu));
  EXPECT_TRUE(mx::is_available(mx::Device::cpu));
  EXPECT_FALSE(mx::is_available(mx::Device::gpu));
}

TEST(Device, SetDefaultDeviceGpuThrows) {
  auto msg = runtime_error_message([] { mx::set_default_device(mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  EXPECT_EQ(mx::default_device(), mx::Device(mx::Device::cpu)) << "a failed set changes nothing";
  EXPECT_NO_THROW(mx::set_default_device(mx::Device::cpu));
  EXPECT_EQ(mx::default_device(), mx::Device(mx::Device::cpu));
}

TEST(Device, OpsOnTheGpuThrow) {
  mx::array a({1.0f, 2.0f});
  auto msg = runtime_error_message([&] { mx::array r = mx::exp(a, mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  msg = runtime_error_message([&] { mx::array r = mx::add(a, a, mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  msg = runtime_error_message([&] { mx::array r = mx::sum(a, mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  msg = runtime_error_message([&] { mx::array r = mx::zeros({2}, mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  msg = runtime_error_message([&] { mx::array r = mx::arange(5, mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  msg = runtime_error_message([&] { mx::array r = mx::astype(a, mx::int32, mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  // The same ops on the CPU work.
  EXPECT_FLOAT_EQ(mx::array(mx::exp(a, mx::Device::cpu)).data<float>()[1], std::exp(2.0f));
}

TEST(Stream, DefaultStreams) {
  mx::Stream s = mx::default_stream(mx::Device::cpu);
  EXPECT_EQ(s.device, mx::Device(mx::Device::cpu));
  EXPECT_EQ(s, mx::to_stream({}));
  EXPECT_EQ(s, mx::to_stream(mx::Device::cpu));
  EXPECT_EQ(s, mx::to_stream(s));
  auto msg = runtime_error_message([] { (void)mx::default_stream(mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  msg = runtime_error_message([] { (void)mx::to_stream(mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
}

TEST(Stream, NewStreamsAreDistinct) {
  mx::Stream def = mx::default_stream(mx::Device::cpu);
  mx::Stream s1 = mx::new_stream(mx::Device::cpu);
  mx::Stream s2 = mx::new_stream(mx::Device::cpu);
  EXPECT_NE(s1, s2);
  EXPECT_NE(s1, def);
  EXPECT_NE(s2, def);
  EXPECT_EQ(s1.device, mx::Device(mx::Device::cpu));
  std::set<int> seen{def.index, s1.index, s2.index};
  for (int i = 0; i < 50; ++i) seen.insert(mx::new_stream(mx::Device::cpu).index);
  EXPECT_EQ(seen.size(), 53u);
  auto msg = runtime_error_message([] { (void)mx::new_stream(mx::Device::gpu); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
}

TEST(Stream, Printing) {
  mx::Stream s(7, mx::Device::cpu);
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "Stream(Device(cpu, 0), 7)");
}

TEST(Stream, OpsRunOnTheGivenStream) {
  mx::Stream s = mx::new_stream(mx::Device::cpu);
  mx::array a({1.0f, 2.0f, 3.0f});
  mx::array b = mx::multiply(a, a, s);
  EXPECT_EQ(b.stream(), s);
  EXPECT_EQ(b.primitive().stream(), s);
  mx::array c = mx::sum(b, s);
  EXPECT_EQ(c.stream(), s);
  EXPECT_EQ(c.item<float>(), 14.0f);
  mx::array d = a + 1.0f;  // no stream given: the default one
  EXPECT_EQ(d.stream(), mx::default_stream(mx::Device::cpu));
  // A stream naming a device that is not available is refused.
  mx::Stream gpu_stream(99, mx::Device::gpu);
  auto msg = runtime_error_message([&] { mx::array r = mx::exp(a, gpu_stream); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
}

TEST(Stream, SetDefaultStream) {
  mx::Stream old = mx::default_stream(mx::Device::cpu);
  mx::Stream s = mx::new_stream(mx::Device::cpu);
  mx::set_default_stream(s);
  EXPECT_EQ(mx::default_stream(mx::Device::cpu), s);
  mx::array a({1.0f});
  mx::array b = a * 2.0f;
  EXPECT_EQ(b.stream(), s);
  mx::set_default_stream(old);
  EXPECT_EQ(mx::default_stream(mx::Device::cpu), old);
  auto msg = runtime_error_message(
      [] { mx::set_default_stream(mx::Stream(5, mx::Device::gpu)); });
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  EXPECT_EQ(b.item<float>(), 2.0f);
}

}  // namespace
