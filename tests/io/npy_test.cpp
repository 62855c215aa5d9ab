// SPDX-License-Identifier: MIT
// Tests for io/npy.hpp: round trips of every dtype through bytes and files, the header
// layout NumPy expects, files written byte by byte here from NumPy's format description
// (versions 1.0/2.0/3.0, Fortran order, big-endian, Python 2 "L" dims), and a runtime_error
// naming the problem for each kind of malformed input.
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

std::string tmp(const std::string& name) { return ::testing::TempDir() + "mlxpp_npy_" + name; }

/// An .npy image: magic, version major.0, the header length (2 bytes for 1.0, else 4).
std::string npy(int major, const std::string& dict, const std::string& data) {
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const int n = major == 1 ? 2 : 4;
  for (int i = 0; i < n; ++i) out += static_cast<char>((dict.size() >> (8 * i)) & 0xFF);
  return out + dict + data;
}
std::string dict(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
}
template <class T>
std::string bytes_of(std::vector<T> v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
/// 0..5 in shape (2, 3) as dtype t (bool: false, true, true, ...).
mx::array sample(mx::Dtype t) { return mx::astype(mlxtest::iota({2, 3}, mx::float32), t); }
/// An array's row-major bytes (exact comparison for every dtype, complex included).
std::string raw(mx::array a) {
  a.eval();
  a = mx::cpu::ensure_row_contiguous(a);
  return std::string(static_cast<const char*>(a.raw_data()), a.nbytes());
}
std::string load_msg(const std::string& bytes) {
  return mlxtest::runtime_error_message([&] { mx::npy_from_bytes(bytes); });
}

}  // namespace

TEST(Npy, RoundTripEveryDtype) {
  std::vector<mx::array> cases;
  for (const mx::Dtype& t : mx::all_dtypes) cases.push_back(sample(t));
  cases.push_back(mx::transpose(mlxtest::iota({2, 3}, mx::float32)));  // not row-contiguous
  cases.push_back(mx::array(2.5f));                                     // 0-d
  cases.push_back(mx::zeros({0, 4}));                                   // empty
  cases.push_back(mlxtest::iota({7}, mx::int16));                       // 1-d: "(7,)"
  const std::string path = tmp("roundtrip");
  for (const auto& a : cases) {
    mx::array b = mx::npy_from_bytes(mx::npy_to_bytes(a));
    EXPECT_EQ(b.dtype(), a.dtype());
    EXPECT_EQ(b.shape(), a.shape());
    EXPECT_EQ(raw(b), raw(a)) << a.dtype();
    mx::save(path, a);  // ".npy" appended, as MLX does
    mx::array c = mx::load(path + ".npy");
    EXPECT_EQ(c.dtype(), a.dtype());
    EXPECT_EQ(c.shape(), a.shape());
    EXPECT_EQ(raw(c), raw(a)) << a.dtype();
  }
  std::remove((path + ".npy").c_str());
  mx::save(path + ".npy", mx::array(1));  // not appended twice
  EXPECT_TRUE(std::filesystem::exists(path + ".npy"));
  std::remove((path + ".npy").c_str());
}

TEST(Npy, HeaderLayout) {
  std::string b = mx::npy_to_bytes(mlxtest::iota({2, 3}, mx::float32));
  ASSERT_GE(b.size(), 10u);
  EXPECT_EQ(b.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t hlen = static_cast<unsigned char>(b[8]) | static_cast<unsigned char>(b[9]) << 8;
  EXPECT_EQ((10 + hlen) % 64, 0u);  // data 64-byte aligned
  EXPECT_EQ(b.size(), 10 + hlen + 24);
  EXPECT_EQ(b.substr(10, hlen).find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), 0u);
  EXPECT_EQ(b[10 + hlen - 1], '\n');
  EXPECT_NE(mx::npy_to_bytes(mx::array({1, 2, 3})).find("'shape': (3,)"), std::string::npos);
  EXPECT_NE(mx::npy_to_bytes(mx::array(true)).find("'descr': '|b1'"), std::string::npos);
  EXPECT_NE(mx::npy_to_bytes(mx::zeros({1}, mx::bfloat16)).find("'descr': '<V2'"), std::string::npos);
}

TEST(Npy, HandWrittenFiles) {
  // Version 1.0, C order.
  mx::array a = mx::npy_from_bytes(npy(1, dict("<i4", "(2, 2)"), bytes_of<int32_t>({1, -2, 3, 4})));
  EXPECT_EQ(a.dtype(), mx::int32);
  EXPECT_EQ(to_doubles(a), (V{1, -2, 3, 4}));
  // Versions 2.0 and 3.0 have a 4-byte length; 3.0 is UTF-8 (still our ASCII keys).
  for (int v : {2, 3}) {
    mx::array b = mx::npy_from_bytes(npy(v, dict("<f8", "(3,)"), bytes_of<double>({0.5, 1.5, -2})));
    EXPECT_EQ(b.dtype(), mx::float64);
    EXPECT_EQ(to_doubles(b), (V{0.5, 1.5, -2}));
  }
  // Fortran order: column-major data for shape (2, 3) loads as the same logical array.
  mx::array f = mx::npy_from_bytes(npy(1, dict("<f4", "(2, 3)", "True"), bytes_of<float>({1, 4, 2, 5, 3, 6})));
  EXPECT_EQ(f.shape(), (mx::Shape{2, 3}));
  EXPECT_EQ(to_doubles(f), (V{1, 2, 3, 4, 5, 6}));
  // Big-endian data is swapped; '|' and '=' mean native; keys in any order; "L" dims.
  mx::array be = mx::npy_from_bytes(npy(1, "{'shape': (2L,), 'fortran_order': False, 'descr': '>i2'}",
                                        std::string("\x01\x02\xff\xfe", 4)));
  EXPECT_EQ(to_doubles(be), (V{0x0102, -2}));
  mx::array c = mx::npy_from_bytes(npy(1, dict(">c8", "(1,)"), std::string("\x3f\x80\x00\x00\xc0\x00\x00\x00", 8)));
  EXPECT_EQ(raw(c), bytes_of<float>({1.f, -2.f}));
  EXPECT_EQ(mx::npy_from_bytes(npy(1, dict("|u1", "()"), "\x07")).item<uint8_t>(), 7);
  EXPECT_EQ(mx::npy_from_bytes(npy(1, dict("=u2", "(1,)"), bytes_of<uint16_t>({513}))).item<uint16_t>(), 513);
  // Bool bytes other than 0/1 read as true (never an invalid bool).
  EXPECT_EQ(to_doubles(mx::npy_from_bytes(npy(1, dict("|b1", "(3,)"), std::string("\x00\x02\x01", 3)))), (V{0, 1, 1}));
  // Trailing bytes after the data are ignored (np.save can append arrays to one file).
  EXPECT_EQ(mx::npy_from_bytes(npy(1, dict("<i1", "(1,)"), "\x05junk")).item<int8_t>(), 5);
  // Double-quoted strings, no trailing comma.
  EXPECT_EQ(mx::npy_from_bytes(npy(1, "{\"descr\": \"<i8\", \"fortran_order\": False, \"shape\": ()}", bytes_of<int64_t>({-9})))
                .item<int64_t>(),
            -9);
  // A file on disk.
  const std::string path = tmp("hand.npy");
  { std::ofstream(path, std::ios::binary) << npy(1, dict("<u4", "(2,)"), bytes_of<uint32_t>({7, 8})); }
  EXPECT_EQ(to_doubles(mx::load(path)), (V{7, 8}));
  std::remove(path.c_str());
}

TEST(Npy, MalformedInputs) {
  const std::string four(4, '\0');
  auto check = [&](const std::string& bytes, const std::string& part) {
    const std::string msg = load_msg(bytes);
    EXPECT_TRUE(mlxtest::has(msg, "[npy_from_bytes] <memory>: ")) << msg;
    EXPECT_TRUE(mlxtest::has(msg, part)) << msg;
  };
  check("", "fewer than the 10 of an NPY preamble");
  check("\x93NUMP", "fewer than the 10");
  check("PK\x03\x04zipfile!", "not an NPY file");
  check(npy(4, dict("<f4", "()"), four), "unsupported NPY format version 4.0");
  check(npy(2, dict("<f4", "()"), four).substr(0, 11), "ends inside the 4-byte header length");
  check(npy(1, dict("<f4", "()"), four).substr(0, 20), "runs past the end of the 20-byte input");
  std::string lying = npy(2, dict("<f4", "()"), four);
  lying[8] = lying[9] = lying[10] = lying[11] = '\xff';  // claims a 4 GiB header
  check(lying, "the header length 4294967295 runs past the end");
  check(npy(1, "['descr', '<f4']", four), "not a Python dict literal");
  check(npy(1, "{'descr': '<f4', 'shape': ()}", four), "lacks one of 'descr', 'fortran_order' and 'shape'");
  check(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", four), "unknown key 'x'");
  check(npy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", four),
        "the key 'descr' twice");
  check(npy(1, dict("<f4", "()") + "}", four), "after its dict");
  check(npy(1, "{'descr': '<f4, 'fortran_order': False, 'shape': ()}", four), "expected ',' between header entries");
  check(npy(1, "{'descr': '<f4", four), "unterminated string");
  check(npy(1, dict("<f3", "()"), four), "unsupported dtype '<f3'");
  check(npy(1, dict("<c16", "()"), std::string(16, '\0')), "unsupported dtype '<c16'");
  check(npy(1, dict("<U5", "()"), std::string(20, '\0')), "unsupported dtype '<U5'");
  check(npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", four), "structured dtypes");
  check(npy(1, dict("<f4", "()", "maybe"), four), "fortran_order is \"maybe");
  check(npy(1, dict("<f4", "(2, -3)"), four), "negative dimension -3");
  check(npy(1, dict("<f4", "(2147483648,)"), four), "a dimension over 2147483647");
  check(npy(1, dict("<f4", "(2, x)"), four), "where a dimension belongs");
  check(npy(1, dict("<f4", "(2 3)"), four), "expected ','");
  check(npy(1, dict("<f8", "(2147483647, 2147483647, 2147483647)"), four), "(2147483647,2147483647,2147483647) overflows");
  // Zero-size, yet its strides would overflow: refused as NumPy refuses it.
  check(npy(1, dict("<f4", "(0, 2147483647, 2147483647, 2147483647)"), ""), "overflows (its byte count is over 2^63)");
  EXPECT_EQ(mx::npy_from_bytes(npy(1, dict("<f4", "(0, 2147483647)"), "")).shape(), (mx::Shape{0, 2147483647}));
  check(npy(1, dict("<f4", "(1000000, 1000000)"), four),
        "shape (1000000,1000000) of float32 needs 4000000000000 data bytes but 4 follow the header");
  check(npy(1, dict("<f4", "(3,)"), std::string(11, '\0')), "needs 12 data bytes but 11 follow");
  std::string dims = "(";
  for (int i = 0; i < 65; ++i) dims += "1,";
  check(npy(1, dict("<f4", dims + ")"), four), "more than 64 dimensions");
  // Files: the path is named; a missing file and a directory cannot be opened.
  const std::string path = tmp("bad.npy");
  { std::ofstream(path, std::ios::binary) << npy(1, dict("<f4", "(2,)"), four); }
  std::string msg = mlxtest::runtime_error_message([&] { mx::load(path); });
  EXPECT_TRUE(mlxtest::has(msg, "[load] '" + path + "': shape (2,) of float32 needs 8 data bytes")) << msg;
  std::remove(path.c_str());
  EXPECT_RUNTIME(mx::load(tmp("missing.npy")), "[load] Cannot open '");
  EXPECT_RUNTIME(mx::load(::testing::TempDir()), "(a directory)");
}

TEST(Npy, SaveErrorsLeaveNoFile) {
  const std::string dir = tmp("dir_that_does_not_exist") + "/x.npy";
  EXPECT_RUNTIME(mx::save(dir, mx::array(1.f)), "[save] Cannot open '" + dir + "' for writing");
  // No temporary left behind next to a file written successfully.
  const std::string path = tmp("clean.npy");
  mx::save(path, mx::array({1.f, 2.f}));
  const std::string stem = std::filesystem::path(path).filename().string();
  for (const auto& e : std::filesystem::directory_iterator(::testing::TempDir()))
    EXPECT_FALSE(mlxtest::has(e.path().filename().string(), stem + ".tmp-")) << e.path();
  std::remove(path.c_str());
}
