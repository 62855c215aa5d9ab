// SPDX-License-Identifier: MIT
// NumPy's .npy format (MLX's save/load in mlx/io.h): "\x93NUMPY", a version byte pair
// (1.0, 2.0 or 3.0), the header length (2 bytes little-endian for 1.0, 4 bytes after), the
// header, a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline so the data starts 64-byte aligned, then the elements in
// C (row-major) or Fortran (column-major) order.
//
// Reading accepts every dtype we have, either byte order ('>' data is swapped), both orders
// (a Fortran file loads as the transpose of its reversed shape, a view); bool bytes other
// than 0 and 1 read as true. Trailing bytes after the data are ignored, as NumPy and MLX do
// (np.save can append several arrays to one file). Writing is version 1.0 (2.0 for a header
// over 65535 bytes), C order, in this machine's byte order (little-endian here); bfloat16 is written as '<V2' as MLX does.
//
// Errors: a malformed or truncated input throws std::runtime_error
// "[load] '<path>': <problem>" (or "[npy_from_bytes] <memory>: <problem>"); nothing is
// allocated before the claimed size is checked against the bytes really there.
#pragma once

#include <algorithm>
#include <bit>
#include <cctype>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/core/allocator.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/device.hpp"
#include "mlx/io/bytes.hpp"
#include "mlx/ops/shape.hpp"
#include "mlx/transforms/eval.hpp"

namespace mlx::core {

namespace io::detail {

inline constexpr char npy_magic[] = "\x93NUMPY";
inline constexpr int npy_max_ndim = 64;  // NumPy 2's NPY_MAXDIMS

/// What an .npy header says, checked against the source's size.
struct NpyHeader {
  Dtype dtype = float32;
  bool swap = false;     // big-endian data on this little-endian machine (or the reverse)
  bool fortran = false;  // column-major data
  Shape shape;
  uint64_t data_offset = 0;
  uint64_t nbytes = 0;
};

/// The NumPy type string of t: "<f4", "|b1", "<c8", "<V2" (bfloat16).
inline std::string npy_descr(Dtype t) { return dtype_to_array_protocol(t); }

/// Parses a type string: an order character ('<', '>', '|', '=' or none), a kind and a
/// size. Returns false for anything we have no dtype for (structured types, complex128, ...).
inline bool npy_parse_descr(std::string_view s, Dtype& out, bool& swap) {
  constexpr bool little = std::endian::native == std::endian::little;
  char order = '=';
  if (!s.empty() && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=')) {
    order = s[0];
    s.remove_prefix(1);
  }
  if (s.size() != 2) return false;
  for (const Dtype& t : all_dtypes) {
    if (dtype_to_array_protocol(t).substr(1) != s) continue;
    out = t;
    // complex64 is two float32 halves, each swapped on its own
    swap = t.size > 1 && ((order == '>' && little) || (order == '<' && !little));
    return true;
  }
  return false;
}

/// A cursor over the header's Python literal. Only what NumPy writes is accepted: a dict of
/// 'quoted' keys whose values are strings, True/False or tuples of integers.
class NpyLiteral {
 public:
  NpyLiteral(std::string_view text, std::string_view op, const std::string& where)
      : s_(text), op_(op), where_(where) {}

  [[noreturn]] void fail(const std::string& problem) const {
    Source::fail(op_, where_ + ": " + problem);
  }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c, const char* what) {
    if (!eat(c)) fail(std::string("the header is not a Python dict literal (expected '") + c + "' " + what + " at " +
                      std::to_string(i_) + ", got " + near() + ").");
  }
  bool at_end() {
    skip_ws();
    return i_ == s_.size();
  }
  std::string near() const {
    if (i_ >= s_.size()) return "the end of the header";
    return "\"" + clip(s_.substr(i_), 20) + "\"";
  }
  char peek() {
    skip_ws();
    return i_ < s_.size() ? s_[i_] : '\0';
  }

  std::string string() {
    skip_ws();
    const char q = i_ < s_.size() ? s_[i_] : '\0';
    if (q != '\'' && q != '"') fail("the header has " + near() + " where a quoted string belongs.");
    const size_t end = s_.find(q, i_ + 1);
    if (end == std::string_view::npos) fail("the header has an unterminated string.");
    std::string_view v = s_.substr(i_ + 1, end - i_ - 1);
    if (v.find('\\') != std::string_view::npos) fail("the header has an escaped string " + clip(v, 30) + ".");
    i_ = end + 1;
    return std::string(v);
  }
  bool boolean() {
    skip_ws();
    for (auto [word, value] : {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}})
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return value;
      }
    fail("the header's fortran_order is " + near() + ", not True or False.");
  }
  /// A tuple of dimensions: "()", "(3,)", "(2, 3)"; Python 2's "3L" suffix is allowed.
  Shape shape() {
    Shape out;
    expect('(', "to open the shape");
    while (!eat(')')) {
      if (!out.empty()) expect(',', "between dimensions");
      if (eat(')')) break;  // "(3,)"
      skip_ws();
      const bool negative = i_ < s_.size() && s_[i_] == '-';
      if (negative) ++i_;
      if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_])))
        fail("the header's shape has " + near() + " where a dimension belongs.");
      uint64_t v = 0;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
        v = v * 10 + static_cast<uint64_t>(s_[i_++] - '0');
        if (v > uint64_t(std::numeric_limits<ShapeElem>::max()))
          fail("the header's shape has a dimension over " + std::to_string(std::numeric_limits<ShapeElem>::max()) +
               ".");
      }
      if (i_ < s_.size() && s_[i_] == 'L') ++i_;
      if (negative && v != 0) fail("the header's shape has a negative dimension -" + std::to_string(v) + ".");
      if (out.size() == npy_max_ndim) fail("the header's shape has more than " + std::to_string(npy_max_ndim) + " dimensions.");
      out.push_back(static_cast<ShapeElem>(v));
    }
    return out;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  std::string_view op_;
  const std::string& where_;
};

/// Reads and checks the magic, version and header of an .npy source.
inline NpyHeader npy_read_header(std::string_view op, const Source& src) {
  auto bad = [&](const std::string& problem) { Source::fail(op, src.name() + ": " + problem); };
  unsigned char pre[12];
  if (!src.has(0, 10))
    bad("the input has " + std::to_string(src.size()) + " bytes, fewer than the 10 of an NPY preamble.");
  src.read(op, 0, pre, 10);
  if (std::memcmp(pre, npy_magic, 6) != 0) bad("not an NPY file (it does not start with \"\\x93NUMPY\").");
  const int major = pre[6], minor = pre[7];
  if ((major < 1 || major > 3) || minor != 0)
    bad("unsupported NPY format version " + std::to_string(major) + "." + std::to_string(minor) +
        " (1.0, 2.0 and 3.0 are known).");
  uint64_t hlen = 0, hstart = 10;
  if (major == 1) {
    hlen = load_le(pre + 8, 2);
  } else {
    if (!src.has(0, 12)) bad("the input ends inside the 4-byte header length.");
    src.read(op, 10, pre + 10, 2);
    hlen = load_le(pre + 8, 4);
    hstart = 12;
  }
  if (!src.has(hstart, hlen))
    bad("the header length " + std::to_string(hlen) + " runs past the end of the " + std::to_string(src.size()) +
        "-byte input.");
  const std::string text = src.read_string(op, hstart, hlen);
  const std::string where = src.name();
  NpyLiteral lit(text, op, where);
  NpyHeader h;
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<Shape> shape;
  lit.expect('{', "to open the header dict");
  while (!lit.eat('}')) {
    if (descr || fortran || shape) {
      lit.expect(',', "between header entries");
      if (lit.eat('}')) break;
    }
    const std::string key = lit.string();
    lit.expect(':', "after a key");
    auto twice = [&] { lit.fail("the header has the key '" + key + "' twice."); };
    if (key == "descr") {
      if (descr) twice();
      if (lit.peek() != '\'' && lit.peek() != '"')
        lit.fail("the header's descr is not a type string (structured dtypes are not supported).");
      descr = lit.string();
    } else if (key == "fortran_order") {
      if (fortran) twice();
      fortran = lit.boolean();
    } else if (key == "shape") {
      if (shape) twice();
      shape = lit.shape();
    } else {
      lit.fail("the header has an unknown key '" + clip(key, 30) + "'.");
    }
  }
  if (!lit.at_end()) lit.fail("the header has " + lit.near() + " after its dict.");
  if (!descr || !fortran || !shape) lit.fail("the header lacks one of 'descr', 'fortran_order' and 'shape'.");
  if (!npy_parse_descr(*descr, h.dtype, h.swap)) lit.fail("unsupported dtype '" + clip(*descr, 30) + "'.");
  h.fortran = *fortran;
  h.shape = std::move(*shape);
  uint64_t count = 0;
  if (!checked_count(h.shape, h.dtype.size, count))
    lit.fail("shape " + core::detail::message(h.shape) + " overflows (its byte count is over 2^63).");
  h.nbytes = count * h.dtype.size;
  h.data_offset = hstart + hlen;
  if (!src.has(h.data_offset, h.nbytes))
    bad("shape " + core::detail::message(h.shape) + " of " + dtype_to_string(h.dtype) + " needs " + std::to_string(h.nbytes) +
        " data bytes but " + std::to_string(src.size() - h.data_offset) + " follow the header.");
  return h;
}

/// The array an .npy source holds (its bytes copied out, swapped to this machine's order).
template <class = void>
array npy_read(std::string_view op, const Source& src) {
  const NpyHeader h = npy_read_header(op, src);
  Shape stored = h.shape;
  if (h.fortran) std::reverse(stored.begin(), stored.end());
  array a(allocator::malloc(h.nbytes), std::move(stored), h.dtype);  // frees the buffer if a read throws
  src.read(op, h.data_offset, a.raw_data(), h.nbytes);
  const uint64_t n = h.nbytes / h.dtype.size;
  if (h.swap) byteswap(a.raw_data(), h.dtype == complex64 ? 2 * n : n, h.dtype == complex64 ? 4 : h.dtype.size);
  if (h.dtype == bool_) {  // any byte but 0 or 1 would be undefined behaviour as a bool
    auto* p = static_cast<unsigned char*>(a.raw_data());
    for (uint64_t i = 0; i < n; ++i) p[i] = p[i] != 0;
  }
  return h.fortran ? transpose(a) : a;
}

/// The header bytes (magic to padding) of a C-order little-endian .npy for shape/dtype.
inline std::string npy_header(const Shape& shape, Dtype dtype) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ',';  // "(3,)": a one-element tuple
  std::string dict = "{'descr': '" + npy_descr(dtype) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Spaces and a newline pad magic + version + length + dict to a multiple of 64 bytes;
  // version 1.0 stores the length in 2 bytes, 2.0 in 4.
  auto padded = [&](size_t pre) { return (pre + dict.size() + 1 + 63) / 64 * 64 - pre; };
  const bool v1 = padded(10) <= 0xFFFF;
  const size_t pre = v1 ? 10 : 12, hlen = padded(pre);
  dict.append(hlen - dict.size() - 1, ' ');
  dict += '\n';
  std::string out(npy_magic, 6);
  out += static_cast<char>(v1 ? 1 : 2);
  out += '\0';
  unsigned char len[4];
  store_le(len, hlen, v1 ? 2 : 4);
  out.append(reinterpret_cast<const char*>(len), v1 ? 2 : 4);
  return out + dict;
}

/// Writes `a` (evaluated here) as an .npy stream.
template <class = void>
void npy_write(std::ostream& out, array a) {
  a.eval();
  a = cpu::ensure_row_contiguous(a);
  const std::string header = npy_header(a.shape(), a.dtype());
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  // Native byte order, which the descr names ("<" here): no swapping on either kind of host.
  const char* data = static_cast<const char*>(a.raw_data());
  out.write(data, static_cast<std::streamsize>(a.nbytes()));
}

}  // namespace io::detail

/// Loads the array of an .npy file (NumPy format 1.0, 2.0 or 3.0, any byte order, C or
/// Fortran order; a Fortran file loads as a transposed view).
/// \throws std::runtime_error "[load] '<file>': <problem>" when the file cannot be opened
/// or is malformed (truncated, a header that lies about its size or the data's, a bad dtype
/// string, a negative or overflowing shape).
template <class = void>
array load(std::string file, StreamOrDevice s = {}) {
  (void)s;  // host memory; a GPU op uploads it once, on first use
  return io::detail::npy_read("load", io::Source("load", file));
}

/// Loads an .npy image held in memory (what load reads from a file); the bytes are copied.
/// \throws std::runtime_error "[npy_from_bytes] <memory>: <problem>", as load does.
template <class = void>
array npy_from_bytes(std::string_view bytes, StreamOrDevice s = {}) {
  (void)s;
  return io::detail::npy_read("npy_from_bytes", io::Source(bytes));
}

/// Saves `a` (evaluated here) to an .npy file; ".npy" is appended when `file` lacks it (as
/// MLX does). The file is written to a temporary beside it and renamed, so an error leaves
/// no half-written file. \throws std::runtime_error when the file cannot be written.
template <class = void>
void save(std::string file, array a) {
  io::detail::write_file_atomically("save", io::detail::with_extension(std::move(file), ".npy"),
                                    [&](std::ostream& out) { io::detail::npy_write(out, a); });
}

/// The .npy image of `a` (evaluated here) as bytes: what save writes.
template <class = void>
std::string npy_to_bytes(array a) {
  std::ostringstream out;
  io::detail::npy_write(out, std::move(a));
  return std::move(out).str();
}

}  // namespace mlx::core
