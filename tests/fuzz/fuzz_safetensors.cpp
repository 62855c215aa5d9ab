// SPDX-License-Identifier: MIT
// libFuzzer target for the safetensors reader (io/safetensors.hpp): any input either loads
// or throws std::runtime_error; what loads survives save/load with the same names, shapes,
// dtypes, elements and metadata. Any other exception is reported by libFuzzer as a crash.
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "fuzz_common.hpp"
#include "mlx/io/safetensors.hpp"

namespace mx = mlx::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mx::SafetensorsLoad loaded;
  try {
    loaded = mx::safetensors_from_bytes(bytes);
  } catch (const std::runtime_error&) {
    return 0;  // the reader's documented answer to malformed input
  }
  auto& [arrays, metadata] = loaded;
  mx::SafetensorsLoad again;
  try {
    again = mx::safetensors_from_bytes(mx::safetensors_to_bytes(arrays, metadata));
  } catch (const std::invalid_argument&) {
    // Only a tensor named like the metadata key could be refused, and the reader never
    // returns one.
    mlxfuzz::check(false, "safetensors_to_bytes refused what the reader returned");
  }
  mlxfuzz::check(again.second == metadata, "safetensors round trip changed the metadata");
  mlxfuzz::check(again.first.size() == arrays.size(), "safetensors round trip changed the tensor count");
  for (const auto& [name, a] : arrays) {
    const mx::array& b = again.first.at(name);
    mlxfuzz::check(b.shape() == a.shape() && b.dtype() == a.dtype(), "safetensors round trip changed a shape or dtype");
    mlxfuzz::check(mlxfuzz::raw(b) == mlxfuzz::raw(a), "safetensors round trip changed elements");
  }
  return 0;
}
