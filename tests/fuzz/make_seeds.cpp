// SPDX-License-Identifier: MIT
// Writes the fuzzers' seed corpora with our own writers (npy_to_bytes, safetensors_to_bytes,
// an IDX writer + zlib), plus hand-made variants of what other writers produce (Fortran
// order, big-endian, format 2.0/3.0 headers, several gzip members). Run by scripts/fuzz.sh:
//   fuzz_make_seeds <dir>   ->  <dir>/{npy,safetensors,idx,shape}/seed_*
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mlx/io/npy.hpp"
#include "mlx/io/safetensors.hpp"
#include "mlx/ops/creation.hpp"

namespace mx = mlx::core;
namespace fs = std::filesystem;

namespace {

void put(const fs::path& dir, int& n, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / ("seed_" + std::to_string(n++)), std::ios::binary) << bytes;
}

mx::array sample(const mx::Shape& shape, mx::Dtype t) {
  return mx::astype(mx::reshape(mx::arange(static_cast<double>(mx::shape_size(shape))), shape), t);
}

std::string gz(const std::string& raw) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, raw.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string idx(uint8_t type, const std::vector<uint32_t>& dims, size_t elem) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  size_t n = elem;
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((d >> s) & 0xFF);
    n *= d;
  }
  for (size_t i = 0; i < n; ++i) out += static_cast<char>(i * 37 % 251);
  return out;
}

/// An .npy image as other writers lay it out: version major.0, the dict padded to 64.
std::string npy(int major, std::string dict, const std::string& data) {
  const size_t pre = major == 1 ? 10 : 12;
  dict.append((64 - (pre + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < pre - 8; ++i) out += static_cast<char>((dict.size() >> (8 * i)) & 0xFF);
  return out + dict + data;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds <dir>\n";
    return 2;
  }
  const fs::path root = argv[1];
  int n = 0;
  // .npy: every dtype in a few shapes, then other writers' variants.
  for (const mx::Dtype& t : mx::all_dtypes)
    for (const mx::Shape& s : {mx::Shape{}, mx::Shape{3}, mx::Shape{2, 3}, mx::Shape{0, 4}})
      put(root / "npy", n, mx::npy_to_bytes(sample(s, t)));
  const std::string f6 = mx::npy_to_bytes(sample({6}, mx::float32));
  const std::string six = f6.substr(f6.size() - 24);  // the 6 float32 elements
  std::string swapped = six;
  for (size_t i = 0; i < swapped.size(); i += 4) std::swap(swapped[i], swapped[i + 3]), std::swap(swapped[i + 1], swapped[i + 2]);
  put(root / "npy", n, npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", six));
  put(root / "npy", n, npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", swapped));
  put(root / "npy", n, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", six));
  put(root / "npy", n, npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", six));
  put(root / "npy", n, npy(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (4, 6), }", six));
  // safetensors: several dtypes and metadata, one tensor, an empty file.
  std::unordered_map<std::string, mx::array> m;
  for (const mx::Dtype& t : mx::all_dtypes) m.emplace(mx::dtype_to_string(t), sample({2, 2}, t));
  m.emplace("empty", mx::zeros({0, 3}));
  m.emplace("scalar", mx::array(1.5f));
  n = 0;
  put(root / "safetensors", n, mx::safetensors_to_bytes(m, {{"format", "mlx"}, {"step", "7"}}));
  put(root / "safetensors", n, mx::safetensors_to_bytes({{"w", sample({3, 2}, mx::float32)}}));
  put(root / "safetensors", n, mx::safetensors_to_bytes({{"b", sample({4}, mx::bool_)}, {"i", sample({1}, mx::int64)}}));
  put(root / "safetensors", n, mx::safetensors_to_bytes({}));
  // IDX: Fashion-MNIST's two layouts (small), each type, raw and gzip, two gzip members.
  n = 0;
  const std::string images = idx(0x08, {2, 3, 3}, 1), labels = idx(0x08, {2}, 1);
  for (const std::string& raw : {images, labels, idx(0x09, {4}, 1), idx(0x0B, {2, 2}, 2), idx(0x0C, {3}, 4),
                                 idx(0x0D, {1, 2}, 4), idx(0x0E, {2}, 8), idx(0x08, {0, 5}, 1)}) {
    put(root / "idx", n, raw);
    put(root / "idx", n, gz(raw));
  }
  put(root / "idx", n, gz(images.substr(0, 9)) + gz(images.substr(9)));
  // shape: byte strings the target decodes into arrays and op sequences.
  n = 0;
  uint32_t x = 12345;
  for (int s = 0; s < 32; ++s) {
    std::string b(96, '\0');
    for (auto& c : b) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    put(root / "shape", n, b);
  }
  std::cout << "seeds written under " << root << "\n";
  return 0;
}
