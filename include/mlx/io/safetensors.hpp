// SPDX-License-Identifier: MIT
// The safetensors format (MLX's save_safetensors/load_safetensors in mlx/io.h): an 8-byte
// little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value"}}
// then the raw row-major little-endian bytes, offsets counted from the end of the header.
//
// Reading checks what the reference implementation (huggingface/safetensors) checks: a
// header of at most 100 MB that fits in the input, JSON nested no deeper than the format
// needs, no name twice, a known dtype, non-negative shapes whose byte count matches the
// offsets, and offsets that tile the data exactly (sorted by begin, no overlap, no hole, no
// trailing bytes). Metadata values must be strings.
//
// Errors: std::runtime_error "[load_safetensors] '<path>': <problem>" (or
// "[safetensors_from_bytes] <memory>: <problem>"); saving a dtype the format cannot name
// throws std::invalid_argument.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/core/allocator.hpp"
#include "mlx/core/array.hpp"
#include "mlx/core/device.hpp"
#include "mlx/io/bytes.hpp"
#include "mlx/transforms/eval.hpp"

namespace mlx::core {

/// Arrays by name and string metadata, as MLX's load_safetensors returns them.
using SafetensorsLoad =
    std::pair<std::unordered_map<std::string, array>, std::unordered_map<std::string, std::string>>;

namespace io::detail {

inline constexpr uint64_t safetensors_max_header = 100'000'000;  // the reference's limit

/// The format's name of t ("F32", "BF16", "C64" as MLX writes complex64), or nullptr.
inline const char* safetensors_dtype(Dtype t) {
  switch (t.val) {
    case Dtype::Val::bool_: return "BOOL";
    case Dtype::Val::uint8: return "U8";
    case Dtype::Val::uint16: return "U16";
    case Dtype::Val::uint32: return "U32";
    case Dtype::Val::uint64: return "U64";
    case Dtype::Val::int8: return "I8";
    case Dtype::Val::int16: return "I16";
    case Dtype::Val::int32: return "I32";
    case Dtype::Val::int64: return "I64";
    case Dtype::Val::float16: return "F16";
    case Dtype::Val::bfloat16: return "BF16";
    case Dtype::Val::float32: return "F32";
    case Dtype::Val::float64: return "F64";
    case Dtype::Val::complex64: return "C64";
  }
  return nullptr;
}

inline bool safetensors_parse_dtype(std::string_view s, Dtype& out) {
  for (const Dtype& t : all_dtypes)
    if (const char* name = safetensors_dtype(t); name && s == name) {
      out = t;
      return true;
    }
  return false;
}

/// The header as JSON, parsed with limits: nesting at most 3 deep (object of objects of
/// lists), and no key twice in one object (nlohmann keeps the last silently; a second
/// "w" or "dtype" would let a file say two things).
inline nlohmann::json safetensors_parse_json(std::string_view op, const std::string& where, const std::string& text) {
  using json = nlohmann::json;
  std::vector<std::set<std::string>> keys;  // one set per open object
  auto fail = [&](const std::string& problem) { Source::fail(op, where + ": " + problem); };
  auto limits = [&](int depth, json::parse_event_t ev, json& parsed) {
    if (depth > 3) fail("the header nests JSON deeper than the format's 3 levels.");
    if (ev == json::parse_event_t::object_start) keys.emplace_back();
    if (ev == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (ev == json::parse_event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
      fail("the header has the name \"" + clip(parsed.get<std::string>()) + "\" twice.");
    return true;
  };
  try {
    return json::parse(text, limits);
  } catch (const json::exception& e) {
    Source::fail(op, where + ": the header is not valid JSON (" + clip(e.what(), 120) + ").");
  }
}

/// One tensor's entry, checked: where its bytes lie within the data section.
struct SafetensorsEntry {
  std::string name;
  Dtype dtype = float32;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

inline SafetensorsEntry safetensors_entry(std::string_view op, const std::string& where, const std::string& name,
                                          const nlohmann::json& e) {
  const std::string tensor = where + ": tensor \"" + clip(name) + "\" ";
  auto fail = [&](const std::string& problem) { Source::fail(op, tensor + problem); };
  if (!e.is_object() || e.size() != 3 || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets"))
    fail("needs exactly dtype, shape and data_offsets.");
  SafetensorsEntry out{name, float32, {}, 0, 0};
  const auto& dt = e["dtype"];
  if (!dt.is_string() || !safetensors_parse_dtype(dt.get<std::string>(), out.dtype))
    fail("has unsupported dtype " + clip(dt.dump(), 30) + ".");
  const auto& shape = e["shape"];
  if (!shape.is_array()) fail("has a shape that is not a list.");
  for (const auto& d : shape) {
    if (!d.is_number_integer() || (d.is_number_unsigned() ? d.get<uint64_t>() > uint64_t(INT32_MAX) : d.get<int64_t>() < 0))
      fail("has an invalid shape " + clip(shape.dump(), 60) + " (dimensions are integers in [0, 2^31)).");
    out.shape.push_back(static_cast<ShapeElem>(d.get<int64_t>()));
  }
  uint64_t count = 0;
  if (!checked_count(out.shape, out.dtype.size, count))
    fail("has a shape " + clip(shape.dump(), 60) + " that overflows (its byte count is over 2^63).");
  const uint64_t want = count * out.dtype.size;
  const auto& off = e["data_offsets"];
  if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
    fail("has invalid data_offsets " + clip(off.dump(), 60) + " (two non-negative integers).");
  out.begin = off[0].get<uint64_t>();
  out.end = off[1].get<uint64_t>();
  if (out.begin > out.end)
    fail("has data_offsets [" + std::to_string(out.begin) + ", " + std::to_string(out.end) + "] that end before they begin.");
  if (out.end - out.begin != want)
    fail("has " + std::to_string(out.end - out.begin) + " bytes but its dtype and shape need " + std::to_string(want) + ".");
  return out;
}

/// Every tensor and the metadata of a safetensors source; each tensor's bytes are read
/// straight into its own buffer once the whole header has been checked.
template <class = void>
SafetensorsLoad safetensors_read(std::string_view op, const Source& src) {
  const std::string& where = src.name();
  auto bad = [&](const std::string& problem) { Source::fail(op, where + ": " + problem); };
  if (!src.has(0, 8))
    bad("the input has " + std::to_string(src.size()) + " bytes, fewer than the 8-byte header length.");
  unsigned char len[8];
  src.read(op, 0, len, 8);
  const uint64_t n = load_le(len, 8);
  if (n > safetensors_max_header) bad("the header length " + std::to_string(n) + " exceeds the format's 100 MB limit.");
  if (!src.has(8, n))
    bad("the header length " + std::to_string(n) + " exceeds the input size " + std::to_string(src.size()) + ".");
  const nlohmann::json header = safetensors_parse_json(op, where, src.read_string(op, 8, n));
  if (!header.is_object()) bad("the header is not a JSON object.");
  const uint64_t data_start = 8 + n, data_size = src.size() - data_start;

  SafetensorsLoad out;
  std::vector<SafetensorsEntry> entries;
  for (const auto& item : header.items()) {
    if (item.key() == "__metadata__") {
      if (!item.value().is_object()) bad("__metadata__ is not an object.");
      for (const auto& kv : item.value().items()) {
        if (!kv.value().is_string()) bad("__metadata__ \"" + clip(kv.key()) + "\" is not a string.");
        out.second.emplace(kv.key(), kv.value().get<std::string>());
      }
      continue;
    }
    entries.push_back(safetensors_entry(op, where, item.key(), item.value()));
  }
  // The data must be tiled exactly: sorted by begin, each tensor starting where the last
  // ended, the last ending at the end of the input (the reference's rule).
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return std::pair(a.begin, a.end) < std::pair(b.begin, b.end); });
  uint64_t at = 0;
  for (const auto& e : entries) {
    if (e.begin != at)
      bad("tensor \"" + clip(e.name) + "\" has data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
          "]; " + (e.begin < at ? "they overlap another tensor's" : "they leave a hole after the previous tensor's") +
          " (which end at " + std::to_string(at) + ").");
    at = e.end;
  }
  if (at != data_size)
    bad("the tensors cover " + std::to_string(at) + " data bytes but the input has " + std::to_string(data_size) +
        (at > data_size ? " (it is truncated)." : " (trailing bytes)."));
  for (auto& e : entries) {
    array a(allocator::malloc(e.end - e.begin), e.shape, e.dtype);  // size checked against the input
    src.read(op, data_start + e.begin, a.raw_data(), e.end - e.begin);
    if (e.dtype == bool_) {  // only 0 and 1 are bools; anything else would be undefined behaviour
      auto* p = static_cast<unsigned char*>(a.raw_data());
      for (uint64_t i = 0; i < e.end - e.begin; ++i) p[i] = p[i] != 0;
    }
    out.first.emplace(std::move(e.name), std::move(a));
  }
  return out;
}

/// Writes named arrays (evaluated here, in name order) and metadata as a safetensors stream.
/// \throws std::invalid_argument "[op] Array "<name>" has dtype ..." for a dtype the format
/// cannot name (checked before anything is written).
template <class = void>
void safetensors_write(std::string_view op, std::ostream& out, std::vector<std::pair<std::string, array>> arrays,
                       const std::map<std::string, std::string>& metadata) {
  std::sort(arrays.begin(), arrays.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<array> rows;
  for (auto& [name, a] : arrays) {
    if (!safetensors_dtype(a.dtype()))
      core::detail::fail(op, "Array \"", name, "\" has dtype ", a.dtype(), ", which safetensors cannot store.");
    if (name == "__metadata__") core::detail::fail(op, "\"__metadata__\" is reserved for the metadata, not an array name.");
    rows.push_back(a);
  }
  eval(rows);
  uint64_t offset = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i] = cpu::ensure_row_contiguous(rows[i]);
    std::vector<int64_t> shape(rows[i].shape().begin(), rows[i].shape().end());
    header[arrays[i].first] = {{"dtype", safetensors_dtype(rows[i].dtype())},
                               {"shape", shape},
                               {"data_offsets", {offset, offset + rows[i].nbytes()}}};
    offset += rows[i].nbytes();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
  unsigned char len[8];
  store_le(len, text.size(), 8);
  out.write(reinterpret_cast<const char*>(len), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& a : rows) out.write(static_cast<const char*>(a.raw_data()), static_cast<std::streamsize>(a.nbytes()));
}

template <class Map>
std::vector<std::pair<std::string, array>> named_arrays(const Map& m) {
  return {m.begin(), m.end()};
}

}  // namespace io::detail

/// Every array of a safetensors file and its metadata.
/// \throws std::runtime_error "[load_safetensors] '<file>': <problem>" when the file cannot
/// be opened or is malformed (see the top of this header for what is checked).
template <class = void>
SafetensorsLoad load_safetensors(const std::string& file, StreamOrDevice s = {}) {
  (void)s;  // host memory; a GPU op uploads each once, on first use
  return io::detail::safetensors_read("load_safetensors", io::Source("load_safetensors", file));
}

/// What load_safetensors reads, from a safetensors image in memory (the bytes are copied).
/// \throws std::runtime_error "[safetensors_from_bytes] <memory>: <problem>".
template <class = void>
SafetensorsLoad safetensors_from_bytes(std::string_view bytes, StreamOrDevice s = {}) {
  (void)s;
  return io::detail::safetensors_read("safetensors_from_bytes", io::Source(bytes));
}

/// Saves arrays (evaluated here) and string metadata; ".safetensors" is appended when `file`
/// lacks it (as MLX does). Written through a temporary file and renamed, so an error leaves
/// no half-written file. \throws std::invalid_argument for an array name "__metadata__";
/// std::runtime_error when the file cannot be written.
template <class = void>
void save_safetensors(std::string file, std::unordered_map<std::string, array> arrays,
                      std::unordered_map<std::string, std::string> metadata = {}) {
  const std::map<std::string, std::string> meta(metadata.begin(), metadata.end());
  auto named = io::detail::named_arrays(arrays);
  file = io::detail::with_extension(std::move(file), ".safetensors");
  io::detail::write_file_atomically("save_safetensors", file, [&](std::ostream& out) {
    io::detail::safetensors_write("save_safetensors", out, std::move(named), meta);
  });
}

/// The safetensors image of arrays and metadata as bytes: what save_safetensors writes.
template <class = void>
std::string safetensors_to_bytes(const std::unordered_map<std::string, array>& arrays,
                                 const std::unordered_map<std::string, std::string>& metadata = {}) {
  std::ostringstream out;
  io::detail::safetensors_write("safetensors_to_bytes", out, io::detail::named_arrays(arrays),
                                std::map<std::string, std::string>(metadata.begin(), metadata.end()));
  return std::move(out).str();
}

}  // namespace mlx::core
