// SPDX-License-Identifier: MIT
// Weights in the safetensors format (the format of MLX's save_weights/load_weights with a
// .safetensors path): an 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value"}}
// then the raw row-major little-endian bytes, offsets counted from the end of the header.
//
// save_safetensors / load_safetensors work on ParameterMaps; Module::save_weights and
// Module::load_weights (declared in module.hpp) use them. Errors: a file that cannot be
// opened or is malformed -> std::runtime_error "[nn.load_safetensors] '<path>': <problem>";
// a tensor whose shape differs from the parameter's -> std::invalid_argument naming it.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlx/backend/cpu/copy.hpp"
#include "mlx/core/allocator.hpp"
#include "mlx/nn/module.hpp"
#include "mlx/transforms/eval.hpp"

namespace mlx::nn {

namespace detail {

inline const char* safetensors_dtype(core::Dtype t) {
  using namespace mlx::core;
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
    default: return nullptr;  // complex64 has no safetensors name (MLX refuses it too)
  }
}

inline bool dtype_from_safetensors(const std::string& s, core::Dtype& out) {
  using namespace mlx::core;
  static const std::map<std::string, Dtype> table{
      {"BOOL", bool_}, {"U8", uint8},     {"U16", uint16},   {"U32", uint32}, {"U64", uint64},
      {"I8", int8},    {"I16", int16},    {"I32", int32},    {"I64", int64},  {"F16", float16},
      {"BF16", bfloat16}, {"F32", float32}, {"F64", float64}};
  auto it = table.find(s);
  if (it == table.end()) return false;
  out = it->second;
  return true;
}

[[noreturn]] inline void malformed(const std::string& path, const std::string& problem) {
  throw std::runtime_error("[nn.load_safetensors] '" + path + "': " + problem);
}

}  // namespace detail

/// Writes arrays (evaluated here) and optional string metadata to a safetensors file.
/// \throws std::invalid_argument for a complex64 array; std::runtime_error when the file
/// cannot be written.
template <class = void>
void save_safetensors(const std::string& path, const ParameterMap& arrays,
                      const std::map<std::string, std::string>& metadata = {}) {
  std::vector<array> rows;
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, a0] : arrays) {
    const char* dt = detail::safetensors_dtype(a0.dtype());
    if (!dt) core::detail::fail("nn.save_safetensors", "Array \"", name, "\" has dtype ", a0.dtype(),
                                ", which safetensors cannot store.");
    array a = a0;
    a.eval();
    a = core::cpu::ensure_row_contiguous(a);
    std::vector<int64_t> shape(a.shape().begin(), a.shape().end());
    header[name] = {{"dtype", dt}, {"shape", shape}, {"data_offsets", {offset, offset + a.nbytes()}}};
    offset += a.nbytes();
    rows.push_back(a);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("[nn.save_safetensors] Cannot open '" + path + "' for writing.");
  uint64_t n = text.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));  // little-endian
  f.write(reinterpret_cast<const char*>(len), 8);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& a : rows) f.write(static_cast<const char*>(a.raw_data()), static_cast<std::streamsize>(a.nbytes()));
  if (!f) throw std::runtime_error("[nn.save_safetensors] Writing '" + path + "' failed.");
}

/// Reads every tensor of a safetensors file (metadata into *metadata when given).
/// \throws std::runtime_error naming the file and the problem when it cannot be opened or
/// is malformed (short file, bad header length, bad JSON, unknown dtype, offsets that do not
/// match the shape or leave the file).
template <class = void>
ParameterMap load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("[nn.load_safetensors] Cannot open '" + path + "'.");
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8) detail::malformed(path, "the file is shorter than the 8-byte header length.");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (n > bytes.size() - 8)
    detail::malformed(path, "the header length " + std::to_string(n) + " exceeds the file size " +
                                std::to_string(bytes.size()) + ".");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  } catch (const nlohmann::json::exception& e) {
    detail::malformed(path, std::string("the header is not valid JSON (") + e.what() + ").");
  }
  if (!header.is_object()) detail::malformed(path, "the header is not a JSON object.");
  const uint64_t data_size = bytes.size() - 8 - n;
  const char* data = bytes.data() + 8 + n;
  ParameterMap out;
  for (auto& item : header.items()) {
    const std::string name = item.key();
    const nlohmann::json& entry = item.value();
    if (name == "__metadata__") {
      if (metadata && entry.is_object())
        for (auto& kv : entry.items())
          if (kv.value().is_string()) (*metadata)[kv.key()] = kv.value().get<std::string>();
      continue;
    }
    const std::string where = "tensor \"" + name + "\" ";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      detail::malformed(path, where + "needs dtype, shape and data_offsets.");
    core::Dtype dt = core::float32;
    const nlohmann::json& jdt = entry["dtype"];
    if (!jdt.is_string() || !detail::dtype_from_safetensors(jdt.get<std::string>(), dt))
      detail::malformed(path, where + "has unsupported dtype " + jdt.dump() + ".");
    core::Shape shape;
    const nlohmann::json& js = entry["shape"];
    if (!js.is_array()) detail::malformed(path, where + "has a shape that is not a list.");
    for (const nlohmann::json& d : js) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() > uint64_t(INT32_MAX))
        detail::malformed(path, where + "has an invalid shape " + js.dump() + ".");
      shape.push_back(static_cast<core::ShapeElem>(d.get<uint64_t>()));
    }
    const nlohmann::json& off = entry["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      detail::malformed(path, where + "has invalid data_offsets " + off.dump() + ".");
    const uint64_t b = off[0].get<uint64_t>(), e = off[1].get<uint64_t>();
    const uint64_t want = static_cast<uint64_t>(core::shape_size(shape)) * dt.size;
    if (b > e || e > data_size)
      detail::malformed(path, where + "has data_offsets [" + std::to_string(b) + ", " + std::to_string(e) +
                                  "] outside the " + std::to_string(data_size) + " data bytes.");
    if (e - b != want)
      detail::malformed(path, where + "has " + std::to_string(e - b) + " bytes but its dtype and shape need " +
                                  std::to_string(want) + ".");
    auto buf = core::allocator::malloc(want);
    if (want) std::memcpy(buf.ptr(), data + b, want);
    out.emplace(name, array(buf, shape, dt));
  }
  return out;
}

/// Saves a module's parameters() (frozen ones included, as MLX does).
template <class = void>
void save_weights(const Module& model, const std::string& path) {
  save_safetensors(path, model.parameters());
}

/// Loads a safetensors file into a module. strict: the file must hold exactly the
/// module's parameters. Loaded arrays keep the file's dtype (as MLX's load_weights).
/// \throws std::invalid_argument naming a parameter that is missing, unexpected or has
/// another shape; std::runtime_error for an unreadable or malformed file.
template <class = void>
Module& load_weights(Module& model, const std::string& path, bool strict = true) {
  ParameterMap loaded = load_safetensors(path);
  ParameterMap current = model.parameters();
  ParameterMap apply;
  for (const auto& [k, v] : loaded) {
    auto it = current.find(k);
    if (it == current.end()) {
      if (strict) core::detail::fail("nn.load_weights", "Received parameter \"", k, "\" not in model ", model.name(), ".");
      continue;
    }
    if (it->second.shape() != v.shape())
      core::detail::fail("nn.load_weights", "Expected shape ", it->second.shape(), " but received shape ", v.shape(),
                         " for parameter \"", k, "\".");
    apply.emplace(k, v);
  }
  if (strict)
    for (const auto& [k, v] : current)
      if (!loaded.count(k)) core::detail::fail("nn.load_weights", "Missing parameter \"", k, "\" in '", path, "'.");
  model.update(apply);
  return model;
}

template <class>
void Module::save_weights(const std::string& path) const {
  nn::save_weights(*this, path);
}
template <class>
Module& Module::load_weights(const std::string& path, bool strict) {
  return nn::load_weights(*this, path, strict);
}

}  // namespace mlx::nn
