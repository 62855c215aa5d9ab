// SPDX-License-Identifier: MIT
// Tests for examples/idx_reader.hpp (the training example's IDX/gzip reader): every element
// type, raw and gzip input (several members too), the real Fashion-MNIST files when
// installed, and a runtime_error naming the problem for each malformed input: truncated or
// corrupt gzip, trailing bytes, lying dims, overflowing dims, gzip bombs.
#include "io_test_helpers.hpp"
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "idx_reader.hpp"

namespace {

/// An IDX image: type, dims, payload (already big-endian).
std::string idx(uint8_t type, std::vector<uint32_t> dims, const std::string& payload) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((d >> s) & 0xFF);
  return out + payload;
}

/// gzip-compressed bytes (one member), as `gzip` writes them.
std::string gz(const std::string& raw) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, raw.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string msg_of(const std::string& bytes, int ndim = -1, uint64_t max = idx_reader::default_max_bytes) {
  return mlxtest::runtime_error_message([&] { idx_reader::read_idx_bytes(bytes, ndim, max); });
}

}  // namespace

TEST(Idx, RawAndGzip) {
  const std::string img = idx(0x08, {2, 2, 3}, "abcdefghijkl");
  for (const std::string& bytes : {img, gz(img), gz(img.substr(0, 7)) + gz(img.substr(7))}) {
    idx_reader::Idx f = idx_reader::read_idx_bytes(bytes, 3);
    EXPECT_EQ(f.type, 0x08);
    EXPECT_EQ(f.dims, (std::vector<uint32_t>{2, 2, 3}));
    EXPECT_EQ(std::string(f.data.begin(), f.data.end()), "abcdefghijkl");
  }
  // Multi-byte types are big-endian in the file, host order after reading.
  idx_reader::Idx s = idx_reader::read_idx_bytes(idx(0x0B, {2}, std::string("\x01\x02\xff\xfe", 4)));
  int16_t v[2];
  std::memcpy(v, s.data.data(), 4);
  EXPECT_EQ(v[0], 0x0102);
  EXPECT_EQ(v[1], -2);
  idx_reader::Idx f = idx_reader::read_idx_bytes(gz(idx(0x0D, {1}, std::string("\x3f\xc0\x00\x00", 4))));
  float x;
  std::memcpy(&x, f.data.data(), 4);
  EXPECT_EQ(x, 1.5f);
  EXPECT_EQ(idx_reader::read_idx_bytes(idx(0x0E, {0, 5}, "")).data.size(), 0u);  // empty: dims with a 0
  EXPECT_EQ(idx_reader::read_idx_bytes(idx(0x0C, {}, std::string("\0\0\0\x07", 4))).data.size(), 4u);  // 0-d
}

TEST(Idx, RealFashionMnistWhenInstalled) {
  const std::string path = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not installed";
  idx_reader::Idx f = idx_reader::read_idx(path, 1);
  EXPECT_EQ(f.dims, (std::vector<uint32_t>{10000}));
  for (uint8_t label : f.data) EXPECT_LT(label, 10);
}

TEST(Idx, MalformedInputs) {
  const std::string img = idx(0x08, {2, 3}, "abcdef");
  auto has = [](const std::string& msg, const std::string& part) {
    EXPECT_NE(msg.find("[read_idx_bytes] <memory>: "), std::string::npos) << msg;
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
  };
  has(msg_of(""), "0 bytes, too few for an IDX header");
  has(msg_of(img.substr(0, 9)), "9 bytes, too few");
  has(msg_of("\x01\x00\x08\x01" + std::string(8, '\0')), "not an IDX file");
  has(msg_of(idx(0x07, {1}, "a")), "unknown IDX element type 0x07");
  has(msg_of(img, 3), "the file has 2 dimensions; 3 are expected");
  has(msg_of(img.substr(0, img.size() - 1)), "promises 6 data bytes but 5 follow");
  has(msg_of(img + "x"), "promises 6 data bytes but 7 follow");
  has(msg_of(idx(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, "")), "promise more than the 1073741824-byte limit");
  has(msg_of(idx(0x08, {4096}, ""), -1, 1000), "more than the 1000-byte limit");
  // gzip: truncated, corrupt, trailing garbage.
  const std::string z = gz(img);
  has(msg_of(z.substr(0, z.size() - 9)), "truncated");
  std::string corrupt = z;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0x55);
  corrupt[13] = static_cast<char>(corrupt[13] ^ 0xAA);
  const std::string cm = msg_of(corrupt);
  EXPECT_TRUE(cm.find("corrupt gzip data") != std::string::npos || cm.find("promises") != std::string::npos ||
              cm.find("truncated") != std::string::npos || cm.find("holds more") != std::string::npos)
      << cm;
  has(msg_of(z + "junk"), "4 bytes that are not gzip data follow");
  // A gzip bomb: 16 MB of zeros (about 16 KB compressed) behind a header promising 6 bytes
  // stops after at most one 64 KB chunk instead of inflating everything.
  const std::string bomb = gz(idx(0x08, {2, 3}, std::string(16 << 20, '\0')));
  EXPECT_LT(bomb.size(), 40000u);
  has(msg_of(bomb), "holds more than the 18 bytes its IDX header promises");
  // A header promising too much for the cap is refused before inflating it.
  has(msg_of(gz(idx(0x08, {1 << 20, 1 << 12}, "")), -1, 1 << 20), "more than the 1048576-byte limit");
  // Files.
  EXPECT_RUNTIME(idx_reader::read_idx("/nonexistent/x.gz"), "[read_idx] Cannot open '/nonexistent/x.gz'.");
  const std::string path = ::testing::TempDir() + "mlxpp_bad_idx.gz";
  { std::FILE* f = std::fopen(path.c_str(), "wb"); std::fputs("\x1f\x8b", f); std::fclose(f); }
  EXPECT_RUNTIME(idx_reader::read_idx(path), "[read_idx] '" + path + "': ");
  std::remove(path.c_str());
}
