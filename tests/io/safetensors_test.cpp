// SPDX-License-Identifier: MIT
// Tests for io/safetensors.hpp: round trips of every dtype (complex64 as MLX's "C64")
// through bytes and files, a file written byte by byte from the format's description, and a
// runtime_error naming the problem for each kind of malformed input: truncation, lying
// lengths and offsets, overlaps and holes, bad JSON, bad dtypes and shapes, duplicate names.
#include "../array_values.hpp"
#include "io_test_helpers.hpp"
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
using mlxtest::to_doubles;
using V = std::vector<double>;

namespace {

std::string tmp(const std::string& name) { return ::testing::TempDir() + "mlxpp_st_" + name; }

/// A safetensors image: the header's length (or `len`), the header, the data.
std::string st(const std::string& header, const std::string& data, int64_t len = -1) {
  std::string out;
  const uint64_t n = len < 0 ? header.size() : static_cast<uint64_t>(len);
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + header + data;
}
/// 0..5 in shape (2, 3) as dtype t (bool: false, true, true, ...).
mx::array sample(mx::Dtype t) { return mx::astype(mlxtest::iota({2, 3}, mx::float32), t); }
/// An array's row-major bytes (exact comparison for every dtype, complex included).
std::string raw(mx::array a) {
  a.eval();
  a = mx::cpu::ensure_row_contiguous(a);
  return std::string(static_cast<const char*>(a.raw_data()), a.nbytes());
}
template <class T>
std::string bytes_of(std::vector<T> v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

}  // namespace

TEST(Safetensors, RoundTripEveryDtype) {
  std::unordered_map<std::string, mx::array> m;
  for (const mx::Dtype& t : mx::all_dtypes) m.emplace(mx::dtype_to_string(t), sample(t));
  m.emplace("view", mx::transpose(mlxtest::iota({2, 3}, mx::float32)));
  m.emplace("scalar", mx::array(2.5f));
  m.emplace("empty", mx::zeros({0, 4}));
  m.emplace("", mx::array({1, 2}));  // an empty name is a name
  const std::string bytes = mx::safetensors_to_bytes(m, {{"format", "mlx"}});
  auto [back, meta] = mx::safetensors_from_bytes(bytes);
  EXPECT_EQ(meta.at("format"), "mlx");
  ASSERT_EQ(back.size(), m.size());
  for (auto& [k, v] : m) {
    EXPECT_EQ(back.at(k).dtype(), v.dtype()) << k;
    EXPECT_EQ(back.at(k).shape(), v.shape()) << k;
    EXPECT_EQ(raw(back.at(k)), raw(v)) << k;
  }
  EXPECT_NE(bytes.find("\"dtype\":\"C64\""), std::string::npos);
  EXPECT_NE(bytes.find("\"dtype\":\"BF16\""), std::string::npos);
  EXPECT_EQ(mx::io::detail::load_le(reinterpret_cast<const unsigned char*>(bytes.data()), 8) % 8, 0u);
  // Files: ".safetensors" appended as MLX does; the same bytes as in memory.
  const std::string path = tmp("roundtrip");
  mx::save_safetensors(path, m, {{"format", "mlx"}});
  auto [fback, fmeta] = mx::load_safetensors(path + ".safetensors");
  EXPECT_EQ(fmeta, meta);
  for (auto& [k, v] : m) EXPECT_EQ(raw(fback.at(k)), raw(v)) << k;
  std::ifstream f(path + ".safetensors", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(f), {}), bytes);
  std::remove((path + ".safetensors").c_str());
}

TEST(Safetensors, HandWritten) {
  // As the Python package lays it out: tensors in any JSON order, tiling the data.
  std::string data = bytes_of<float>({1.5f, -2.f, 3.f, 4.f}) + bytes_of<int64_t>({7, -9}) + std::string("\x00\x05", 2);
  auto [m, meta] = mx::safetensors_from_bytes(
      st(R"({"idx":{"dtype":"I64","shape":[2],"data_offsets":[16,32]},"__metadata__":{"who":"test"},)"
         R"("w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BOOL","shape":[2],"data_offsets":[32,34]},)"
         R"("e":{"dtype":"F16","shape":[0],"data_offsets":[34,34]}}  )",
         data));
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(meta.at("who"), "test");
  EXPECT_EQ(m.at("w").shape(), (mx::Shape{2, 2}));
  EXPECT_EQ(to_doubles(m.at("w")), (V{1.5, -2, 3, 4}));
  EXPECT_EQ(to_doubles(m.at("idx")), (V{7, -9}));
  EXPECT_EQ(to_doubles(m.at("b")), (V{0, 1}));  // a byte of 5 reads as true
  EXPECT_EQ(m.at("e").size(), 0u);
}

TEST(Safetensors, MalformedInputs) {
  const std::string f8(8, '\0');
  auto check = [&](const std::string& bytes, const std::string& part) {
    const std::string msg = mlxtest::runtime_error_message([&] { mx::safetensors_from_bytes(bytes); });
    EXPECT_TRUE(mlxtest::has(msg, "[safetensors_from_bytes] <memory>: ")) << msg;
    EXPECT_TRUE(mlxtest::has(msg, part)) << msg;
  };
  auto one = [](const std::string& entry) { return R"({"w":)" + entry + "}"; };
  check("abc", "fewer than the 8-byte header length");
  check(st("{}", "", 1000), "the header length 1000 exceeds the input size 10");
  check(st("{}", "", int64_t{1} << 62), "exceeds the format's 100 MB limit");
  check(st("{}", "", 0), "not valid JSON");
  check(st("{not json", ""), "not valid JSON");
  check(st("{\"a\":\"\xff\xfe\"}", ""), "not valid JSON");  // invalid UTF-8
  check(st("[1,2]", ""), "not a JSON object");
  check(st(std::string(100, '[') + std::string(100, ']'), ""), "deeper than the format's 3 levels");
  check(st(one(R"({"dtype":"F32","shape":[[[[1]]]],"data_offsets":[0,4]})"), "0000"), "deeper than");
  check(st(one(R"({"dtype":"F32","shape":[2]})"), f8), "needs exactly dtype, shape and data_offsets");
  check(st(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1})"), f8), "needs exactly dtype");
  check(st(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f8),
        "the name \"w\" twice");
  check(st(one(R"({"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]})"), f8), "the name \"dtype\" twice");
  check(st(one(R"({"dtype":"F8_E5M2","shape":[1],"data_offsets":[0,1]})"), "x"), "tensor \"w\" has unsupported dtype \"F8_E5M2\"");
  check(st(one(R"({"dtype":7,"shape":[1],"data_offsets":[0,1]})"), "x"), "has unsupported dtype 7");
  check(st(one(R"({"dtype":"F32","shape":2,"data_offsets":[0,8]})"), f8), "a shape that is not a list");
  check(st(one(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"), f8), "invalid shape [-2]");
  check(st(one(R"({"dtype":"F32","shape":[1.5],"data_offsets":[0,8]})"), f8), "invalid shape [1.5]");
  check(st(one(R"({"dtype":"F32","shape":[2147483648],"data_offsets":[0,8]})"), f8), "invalid shape");
  check(st(one(R"({"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]})"), f8),
        "that overflows (its byte count is over 2^63)");
  check(st(one(R"({"dtype":"U8","shape":[0,2147483647,2147483647,2147483647],"data_offsets":[0,0]})"), ""), "that overflows");
  check(st(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})"), f8), "invalid data_offsets [0]");
  check(st(one(R"({"dtype":"F32","shape":[2],"data_offsets":[-8,0]})"), f8), "invalid data_offsets");
  check(st(one(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})"), f8), "[8, 0] that end before they begin");
  check(st(one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), f8), "has 8 bytes but its dtype and shape need 12");
  check(st(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"), f8),
        "the tensors cover 16 data bytes but the input has 8 (it is truncated)");
  check(st(one(R"({"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]})"), f8),
        "cover 4000000000000 data bytes but the input has 8");
  check(st(one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})"), f8), "(trailing bytes)");
  check(st(one(R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})"), f8), "leave a hole");
  check(st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f8),
        "tensor \"b\" has data_offsets [4, 8]; they overlap");
  check(st(R"({"__metadata__":[1]})", ""), "__metadata__ is not an object");
  check(st(R"({"__metadata__":{"k":1}})", ""), "__metadata__ \"k\" is not a string");
  // Files name their path; missing files cannot be opened.
  const std::string path = tmp("bad.safetensors");
  { std::ofstream(path, std::ios::binary) << st("{}", "", 99); }
  EXPECT_RUNTIME(mx::load_safetensors(path), "[load_safetensors] '" + path + "': the header length 99 exceeds");
  std::remove(path.c_str());
  EXPECT_RUNTIME(mx::load_safetensors(tmp("missing")), "[load_safetensors] Cannot open '");
}

TEST(Safetensors, SaveErrorsLeaveTheOldFile) {
  const std::string path = tmp("keep.safetensors");
  mx::save_safetensors(path, {{"a", mx::array({1.f, 2.f})}});
  // A reserved name is refused while writing: the old file stays, no temporary is left.
  EXPECT_INVALID(mx::save_safetensors(path, {{"__metadata__", mx::array(1.f)}}), "is reserved for the metadata");
  EXPECT_EQ(to_doubles(mx::load_safetensors(path).first.at("a")), (V{1, 2}));
  for (const auto& e : std::filesystem::directory_iterator(::testing::TempDir()))
    EXPECT_FALSE(mlxtest::has(e.path().filename().string(), "keep.safetensors.tmp-")) << e.path();
  std::remove(path.c_str());
  const std::string nodir = tmp("no_such_dir") + "/w.safetensors";
  EXPECT_RUNTIME(mx::save_safetensors(nodir, {{"a", mx::array(1.f)}}), "[save_safetensors] Cannot open '" + nodir);
}
