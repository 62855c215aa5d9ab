// SPDX-License-Identifier: MIT
// Tests for nn/save.hpp: safetensors round trips (every dtype safetensors names, views,
// 0-d and empty arrays, metadata), a file written byte by byte here from the format's
// specification (as the Python safetensors package lays it out), Module::save_weights /
// load_weights, and the errors for malformed files and mismatched shapes.
#include "../array_values.hpp"
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace nn = mlx::nn;
using mlxtest::to_doubles;
using V = std::vector<double>;

namespace {
std::string tmp(const std::string& name) { return ::testing::TempDir() + "mlxpp_" + name; }
void write_file(const std::string& path, const std::string& header, const std::string& data, int64_t len = -1) {
  std::ofstream f(path, std::ios::binary);
  uint64_t n = len < 0 ? header.size() : static_cast<uint64_t>(len);
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>(n >> (8 * i)));
  f << header << data;
}
template <class T>
std::string bytes_of(std::vector<T> v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
}  // namespace

TEST(Safetensors, RoundTripEveryDtype) {
  nn::ParameterMap m;
  const std::vector<mx::Dtype> dts{mx::bool_,  mx::uint8,  mx::uint16,  mx::uint32,  mx::uint64,
                                   mx::int8,   mx::int16,  mx::int32,   mx::int64,   mx::float16,
                                   mx::bfloat16, mx::float32, mx::float64};
  for (size_t i = 0; i < dts.size(); ++i)
    m.emplace(std::string("t").append(std::to_string(i)), mx::astype(mx::array({0.f, 1.f, 2.f, 3.f, 4.f, 5.f}, {2, 3}), dts[i]));
  m.emplace("view", mx::transpose(mx::array({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3})));  // not row-contiguous
  m.emplace("scalar", mx::array(2.5f));
  m.emplace("empty", mx::zeros({0, 4}));
  const std::string path = tmp("roundtrip.safetensors");
  nn::save_safetensors(path, m, {{"format", "mlx"}});
  std::map<std::string, std::string> meta;
  auto back = nn::load_safetensors(path, &meta);
  EXPECT_EQ(meta.at("format"), "mlx");
  ASSERT_EQ(back.size(), m.size());
  for (auto& [k, v] : m) {
    EXPECT_EQ(back.at(k).dtype(), v.dtype()) << k;
    EXPECT_EQ(back.at(k).shape(), v.shape()) << k;
    EXPECT_EQ(to_doubles(back.at(k)), to_doubles(v)) << k;
  }
  EXPECT_EQ(to_doubles(back.at("view")), (V{1, 4, 2, 5, 3, 6}));
  // The file starts with the header length and 8-byte-aligned JSON.
  std::ifstream f(path, std::ios::binary);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(f.get())) << (8 * i);
  EXPECT_EQ(n % 8, 0u);
  std::remove(path.c_str());
}

TEST(Safetensors, ReadsAHandWrittenFile) {
  const std::string path = tmp("hand.safetensors");
  std::string data = bytes_of<float>({1.5f, -2.f, 3.f, 4.f}) + bytes_of<int64_t>({7, -9});
  write_file(path,
             R"({"__metadata__":{"who":"test"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
             R"("idx":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}})",
             data);
  auto m = nn::load_safetensors(path);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("w").shape(), (mx::Shape{2, 2}));
  EXPECT_EQ(to_doubles(m.at("w")), (V{1.5, -2, 3, 4}));
  EXPECT_EQ(m.at("idx").dtype(), mx::int64);
  EXPECT_EQ(to_doubles(m.at("idx")), (V{7, -9}));
  std::remove(path.c_str());
}

TEST(Safetensors, MalformedFiles) {
  const std::string path = tmp("bad.safetensors");
  auto load_msg = [&] { return mlxtest::runtime_error_message([&] { nn::load_safetensors(path); }); };
  auto check = [&](const std::string& part) {
    std::string msg = load_msg();
    EXPECT_TRUE(mlxtest::has(msg, path)) << msg;
    EXPECT_TRUE(mlxtest::has(msg, part)) << msg;
  };
  { std::ofstream(path, std::ios::binary) << "abc"; }
  check("fewer than the 8-byte header length");
  write_file(path, "{}", "", 1000);
  check("header length 1000 exceeds the input size");
  write_file(path, "{not json", "");
  check("not valid JSON");
  write_file(path, "[1,2]", "");
  check("not a JSON object");
  write_file(path, R"({"w":{"dtype":"F32","shape":[2]}})", "");
  check("dtype, shape and data_offsets");
  write_file(path, R"({"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", std::string(1, '\0'));
  check("unsupported dtype \"F8_E4M3\"");
  write_file(path, R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", std::string(8, '\0'));
  check("has 16 bytes but its dtype and shape need 8");
  write_file(path, R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'));
  check("has 8 bytes but its dtype and shape need 12");
  write_file(path, R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", std::string(8, '\0'));
  check("invalid shape");
  std::remove(path.c_str());
  std::string msg = mlxtest::runtime_error_message([&] { nn::load_safetensors(tmp("does_not_exist")); });
  EXPECT_TRUE(mlxtest::has(msg, "Cannot open")) << msg;
  // The format's checks live in core (tests/io/safetensors_test.cpp); a reserved name is refused.
  EXPECT_INVALID(nn::save_safetensors(path, {{"__metadata__", mx::ones({2})}}), "is reserved for the metadata");
}

TEST(Safetensors, ModuleWeights) {
  auto make = [] {
    return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 3), std::make_shared<nn::ReLU>(),
                                            std::make_shared<nn::Linear>(3, 2));
  };
  auto a = make(), b = make();
  const std::string path = tmp("model.safetensors");
  a->save_weights(path);
  b->load_weights(path);
  for (auto& [k, v] : a->parameters()) EXPECT_EQ(to_doubles(b->parameter(k)), to_doubles(v)) << k;
  mx::array x = mx::ones({1, 4});
  EXPECT_EQ(to_doubles((*a)(x)), to_doubles((*b)(x)));

  // A model of another shape: the mismatched parameter is named.
  nn::Sequential other(std::make_shared<nn::Linear>(4, 5), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(5, 2));
  std::string msg = mlxtest::invalid_argument_message([&] { other.load_weights(path); });
  EXPECT_TRUE(mlxtest::has(msg, "\"layers.0.bias\"") || mlxtest::has(msg, "\"layers.0.weight\"")) << msg;
  EXPECT_TRUE(mlxtest::has(msg, "Expected shape")) << msg;
  // strict: missing and unexpected parameters.
  nn::save_safetensors(path, {{"layers.0.weight", a->parameter("layers.0.weight")}});
  EXPECT_INVALID(b->load_weights(path), "Missing parameter \"layers.0.bias\"");
  b->load_weights(path, false);  // not strict: loads what is there
  nn::ParameterMap extra = a->parameters();
  extra.emplace("layers.9.weight", mx::ones({1}));
  nn::save_safetensors(path, extra);
  EXPECT_INVALID(b->load_weights(path), "Received parameter \"layers.9.weight\" not in model");
  std::remove(path.c_str());
}
