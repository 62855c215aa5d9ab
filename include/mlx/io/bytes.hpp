// SPDX-License-Identifier: MIT
// What the file readers (npy.hpp, safetensors.hpp) share: a bounds-checked source of bytes
// (memory, or a file read on demand), checked size arithmetic, and writing a file through a
// temporary so that a failed save leaves nothing half written.
//
// Readers of untrusted bytes follow one rule: every size the bytes claim is checked against
// the number of bytes really there before anything is allocated (STYLE.md rule 26: explicit
// checks, never assert).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

namespace mlx::core::io {

/// The bytes a reader parses: a view of memory the caller keeps alive, or a file whose
/// size is known up front and whose ranges are read when asked for (a load never holds a
/// whole file and its arrays at once).
class Source {
 public:
  /// A view of `bytes`; named "<memory>" in messages.
  explicit Source(std::string_view bytes) : mem_(bytes), size_(bytes.size()), name_("<memory>") {}

  /// Opens `path`. \throws std::runtime_error "[op] Cannot open '<path>'." when it cannot be
  /// opened or measured.
  Source(std::string_view op, const std::string& path)
      : file_(std::make_shared<std::ifstream>(path, std::ios::binary)), name_("'" + path + "'") {
    std::error_code ec;
    const bool dir = std::filesystem::is_directory(path, ec);
    if (!*file_ || dir) fail(op, "Cannot open " + name_ + (dir ? " (a directory)." : "."));
    file_->seekg(0, std::ios::end);
    const std::streamoff end = file_->tellg();
    if (end < 0) fail(op, "Cannot open " + name_ + " (its size cannot be measured).");
    size_ = static_cast<uint64_t>(end);
  }

  uint64_t size() const { return size_; }
  /// How messages name the source: "'<path>'" or "<memory>".
  const std::string& name() const { return name_; }

  /// True when [offset, offset + n) lies inside the source (no overflow).
  bool has(uint64_t offset, uint64_t n) const { return offset <= size_ && n <= size_ - offset; }

  /// Copies bytes [offset, offset + n) to dst. The caller checked has(offset, n); a short
  /// read (a file that shrank meanwhile) still throws instead of leaving dst half filled.
  void read(std::string_view op, uint64_t offset, void* dst, uint64_t n) const {
    if (!has(offset, n))
      fail(op, name_ + ": reading bytes [" + std::to_string(offset) + ", " + std::to_string(offset) + "+" +
                   std::to_string(n) + ") of a " + std::to_string(size_) + "-byte source.");
    if (n == 0) return;
    if (!file_) {
      std::memcpy(dst, mem_.data() + offset, n);
      return;
    }
    file_->clear();
    file_->seekg(static_cast<std::streamoff>(offset));
    file_->read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (!*file_ || static_cast<uint64_t>(file_->gcount()) != n)
      fail(op, name_ + ": the read of " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                   " failed (the file changed while it was read?).");
  }

  /// bytes [offset, offset + n) as a string (has(offset, n) checked first).
  std::string read_string(std::string_view op, uint64_t offset, uint64_t n) const {
    if (!has(offset, n)) read(op, offset, nullptr, n);  // throws the out-of-range message
    std::string s(n, '\0');
    read(op, offset, s.data(), n);
    return s;
  }

  [[noreturn]] static void fail(std::string_view op, const std::string& what) {
    throw std::runtime_error("[" + std::string(op) + "] " + what);
  }

 private:
  std::string_view mem_;
  std::shared_ptr<std::ifstream> file_;  // shared: Source is copyable, reads are sequential
  uint64_t size_ = 0;
  std::string name_;
};

namespace detail {

/// Unsigned little-endian integer of n bytes (n <= 8) at p.
inline uint64_t load_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
inline void store_le(unsigned char* p, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

/// a * b, or false when it does not fit in 64 bits.
inline bool mul_fits(uint64_t a, uint64_t b, uint64_t& out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
  out = a * b;
  return true;
}

/// The element count of `dims` (0 if any is 0) into count, or false when the product of
/// the non-zero dims times itemsize does not fit in int64. Zero-size arrays are held to it
/// too, as NumPy does: their row-major strides are products of the other dims.
template <class Dims>
bool checked_count(const Dims& dims, uint64_t itemsize, uint64_t& count) {
  uint64_t nonzero = 1;
  bool empty = false;
  for (auto d : dims) {
    if (d == 0) empty = true;
    else if (d < 0 || !mul_fits(nonzero, static_cast<uint64_t>(d), nonzero)) return false;
  }
  uint64_t bytes = 0;
  if (!mul_fits(nonzero, itemsize, bytes) || bytes > uint64_t(std::numeric_limits<int64_t>::max())) return false;
  count = empty ? 0 : nonzero;
  return true;
}

/// At most `max` characters of s for a message (names and JSON in files can be huge).
inline std::string clip(std::string_view s, size_t max = 80) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...(" + std::to_string(s.size()) + " chars)";
}

/// Reverses the byte order of each `size`-byte element of n elements in place.
inline void byteswap(void* data, uint64_t n, int size) {
  auto* p = static_cast<unsigned char*>(data);
  for (uint64_t i = 0; i < n; ++i, p += size)
    for (int j = 0; j < size / 2; ++j) std::swap(p[j], p[size - 1 - j]);
}

/// file with `ext` appended unless it already ends with it (MLX's save functions do so).
inline std::string with_extension(std::string file, std::string_view ext) {
  if (file.size() < ext.size() || file.compare(file.size() - ext.size(), ext.size(), ext) != 0) file += ext;
  return file;
}

/// Writes `path` by calling write(stream) on a temporary file beside it and renaming that
/// over `path` once everything was written; on any failure (a throwing write, a full disk)
/// the temporary is removed and `path` keeps its old contents or stays absent.
/// \throws std::runtime_error "[op] Cannot write '<path>': ..." or what write throws.
inline void write_file_atomically(std::string_view op, const std::string& path,
                                  const std::function<void(std::ostream&)>& write) {
  static std::atomic<uint64_t> counter{0};
  // Unique per process, thread and call without platform calls: two savers of one path in
  // different processes each rename a complete file (the last one wins).
  const uint64_t tag = std::hash<std::thread::id>{}(std::this_thread::get_id()) ^
                       static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                       (counter.fetch_add(1) << 48);
  const std::string tmp = path + ".tmp-" + std::to_string(tag);
  auto fail = [&](const std::string& why) {
    std::remove(tmp.c_str());
    Source::fail(op, "Cannot write '" + path + "': " + why);
  };
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) Source::fail(op, "Cannot open '" + path + "' for writing (temporary '" + tmp + "').");
    try {
      write(f);
    } catch (...) {
      f.close();
      std::remove(tmp.c_str());
      throw;
    }
    f.flush();
    if (!f) fail("the write failed (disk full?).");
    f.close();
    if (!f) fail("closing the file failed.");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) fail(ec.message() + ".");
}

}  // namespace detail

}  // namespace mlx::core::io
