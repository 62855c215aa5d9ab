// SPDX-License-Identifier: MIT
// The IDX format of (Fashion-)MNIST, optionally gzip-compressed, as the training example
// reads it; kept out of the library (it needs zlib) but in a header so that
// tests/fuzz/fuzz_idx.cpp feeds it untrusted bytes.
//
// IDX: two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
// 0x0E f64), the number of dimensions, each dimension as a big-endian uint32, then the
// elements big-endian in row-major order.
//
// Hardening: the dims' product is computed with overflow checks and must equal the
// payload exactly; gzip output is capped by what the header justifies (header + payload)
// and by `max_bytes`, so a small compressed input cannot make us inflate gigabytes
// (a "gzip bomb") or allocate what a header merely claims. Errors throw std::runtime_error
// "[read_idx] '<path>': <problem>" (or "[read_idx_bytes] <memory>: <problem>").
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace idx_reader {

/// An IDX file's contents: the type byte, the dims, the elements in this machine's order.
struct Idx {
  uint8_t type = 0x08;
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

/// Default cap on the decompressed size (Fashion-MNIST's largest file is 47 MB).
inline constexpr uint64_t default_max_bytes = uint64_t{1} << 30;

namespace detail {

[[noreturn]] inline void fail(std::string_view op, const std::string& where, const std::string& problem) {
  throw std::runtime_error("[" + std::string(op) + "] " + where + ": " + problem);
}

/// Bytes per element of an IDX type byte, or 0 for an unknown type.
inline int element_size(uint8_t type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

inline uint32_t big_endian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

/// Header size and total size (header + payload) that the first bytes of `d` promise, once
/// the whole header is there; 0 while it is not. ndim < 0 accepts any rank.
inline uint64_t promised_size(std::string_view op, const std::string& where, const std::vector<uint8_t>& d, int ndim,
                              uint64_t max_bytes) {
  if (d.size() < 4) return 0;
  if (d[0] != 0 || d[1] != 0) fail(op, where, "not an IDX file (it does not start with two zero bytes).");
  const int size = element_size(d[2]);
  if (size == 0) {
    const char hex[] = "0123456789abcdef";
    fail(op, where, std::string("unknown IDX element type 0x") + hex[d[2] >> 4] + hex[d[2] & 15] + ".");
  }
  if (ndim >= 0 && d[3] != ndim)
    fail(op, where, "the file has " + std::to_string(d[3]) + " dimensions; " + std::to_string(ndim) + " are expected.");
  const uint64_t header = 4 + 4 * uint64_t{d[3]};
  if (d.size() < header) return 0;
  uint64_t total = static_cast<uint64_t>(size);
  bool empty = false;
  for (int i = 0; i < d[3]; ++i) empty = empty || big_endian32(d.data() + 4 + 4 * i) == 0;
  for (int i = 0; i < d[3] && !empty; ++i) {
    const uint64_t dim = big_endian32(d.data() + 4 + 4 * i);
    if (total > max_bytes / dim)  // checked before multiplying: no overflow, whatever the cap
      fail(op, where, "the header's dims promise more than the " + std::to_string(max_bytes) + "-byte limit.");
    total *= dim;
  }
  if (empty) total = 0;
  return header + total;
}

}  // namespace detail

/// Parses decompressed IDX bytes. \throws std::runtime_error naming the problem.
inline Idx parse_idx(std::string_view op, const std::string& where, std::vector<uint8_t> d, int ndim,
                     uint64_t max_bytes = default_max_bytes) {
  const uint64_t want = detail::promised_size(op, where, d, ndim, max_bytes);
  if (want == 0)
    detail::fail(op, where, "the input has " + std::to_string(d.size()) + " bytes, too few for an IDX header.");
  const uint64_t header = 4 + 4 * uint64_t{d[3]};
  if (d.size() != want)
    detail::fail(op, where, "the header promises " + std::to_string(want - header) + " data bytes but " +
                                std::to_string(d.size() - header) + " follow it.");
  Idx out;
  out.type = d[2];
  for (uint64_t i = 0; i < d[3]; ++i) out.dims.push_back(detail::big_endian32(d.data() + 4 + 4 * i));
  d.erase(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(header));
  const int size = detail::element_size(out.type);
  for (size_t i = 0; size > 1 && i < d.size(); i += static_cast<size_t>(size))  // big-endian -> little
    for (int j = 0; j < size / 2; ++j) std::swap(d[i + j], d[i + size - 1 - j]);
  out.data = std::move(d);
  return out;
}

/// Reads IDX bytes from memory, gzip-compressed (one or more members, as gzip writes them)
/// or not. The decompressed size never exceeds what the header promises, nor max_bytes.
/// \throws std::runtime_error naming the problem: corrupt or truncated gzip data, data after
/// the last member, a header that lies about the payload, an unknown type, a wrong rank.
inline Idx read_idx_bytes(std::string_view bytes, int ndim = -1, uint64_t max_bytes = default_max_bytes,
                          std::string_view op = "read_idx_bytes", const std::string& where = "<memory>") {
  const bool gz = bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1f && static_cast<uint8_t>(bytes[1]) == 0x8b;
  if (!gz) {
    if (bytes.size() > max_bytes) detail::fail(op, where, "the input is over the " + std::to_string(max_bytes) + "-byte limit.");
    return parse_idx(op, where, std::vector<uint8_t>(bytes.begin(), bytes.end()), ndim, max_bytes);
  }
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) detail::fail(op, where, "zlib could not start inflating.");
  struct End {  // inflateEnd on every path out, exceptions included
    z_stream& z;
    ~End() { inflateEnd(&z); }
  } end{z};
  std::vector<uint8_t> out;
  uint64_t want = 0;  // total size the header promises, once known
  uint8_t chunk[1 << 16];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  uInt left_in = 0;
  size_t consumed = 0;
  for (;;) {
    // zlib counts in uInt: feed at most 1 GiB at a time.
    if (z.avail_in == 0 && consumed < bytes.size()) {
      left_in = static_cast<uInt>(std::min<size_t>(bytes.size() - consumed, size_t{1} << 30));
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + consumed));
      z.avail_in = left_in;
      consumed += left_in;
    }
    z.next_out = chunk;
    z.avail_out = sizeof chunk;
    const int r = inflate(&z, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
      detail::fail(op, where, std::string("corrupt gzip data (") + (z.msg ? z.msg : "zlib error " + std::to_string(r)) + ").");
    out.insert(out.end(), chunk, chunk + (sizeof chunk - z.avail_out));
    if (want == 0) want = detail::promised_size(op, where, out, ndim, max_bytes);
    if (want != 0 && out.size() > want)
      detail::fail(op, where, "the gzip data holds more than the " + std::to_string(want) + " bytes its IDX header promises.");
    if (want == 0 && out.size() > max_bytes)
      detail::fail(op, where, "the decompressed data is over the " + std::to_string(max_bytes) + "-byte limit.");
    const size_t rest = z.avail_in + (bytes.size() - consumed);
    if (r == Z_STREAM_END) {
      if (rest == 0) break;
      // Another gzip member follows (gzip -c a b), or trailing garbage.
      const char* next = bytes.data() + (bytes.size() - rest);
      if (rest < 2 || static_cast<uint8_t>(next[0]) != 0x1f || static_cast<uint8_t>(next[1]) != 0x8b)
        detail::fail(op, where, std::to_string(rest) + " bytes that are not gzip data follow the compressed stream.");
      if (inflateReset(&z) != Z_OK) detail::fail(op, where, "zlib could not restart inflating.");
      continue;
    }
    if (r == Z_BUF_ERROR && rest == 0 && z.avail_out != 0)
      detail::fail(op, where, "the gzip data is truncated (it ends inside the compressed stream).");
  }
  return parse_idx(op, where, std::move(out), ndim, max_bytes);
}

/// Reads an IDX file (gzip-compressed or not). \throws std::runtime_error
/// "[read_idx] '<path>': <problem>", or "[read_idx] Cannot open '<path>'.".
inline Idx read_idx(const std::string& path, int ndim = -1, uint64_t max_bytes = default_max_bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("[read_idx] Cannot open '" + path + "'.");
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw std::runtime_error("[read_idx] Reading '" + path + "' failed.");
  return read_idx_bytes(bytes, ndim, max_bytes, "read_idx", "'" + path + "'");
}

}  // namespace idx_reader
