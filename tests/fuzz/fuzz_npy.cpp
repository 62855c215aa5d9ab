// SPDX-License-Identifier: MIT
// libFuzzer target for the .npy reader (io/npy.hpp): any input either loads or throws
// std::runtime_error; a loaded array is readable and survives save/load byte for byte.
// Any other exception escapes and is reported by libFuzzer as a crash.
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "fuzz_common.hpp"
#include "mlx/io/npy.hpp"

namespace mx = mlx::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mx::array a;
  try {
    a = mx::npy_from_bytes(bytes);
  } catch (const std::runtime_error&) {
    return 0;  // the reader's documented answer to malformed input
  }
  const std::string elements = mlxfuzz::raw(a);
  mx::array b = mx::npy_from_bytes(mx::npy_to_bytes(a));
  mlxfuzz::check(b.shape() == a.shape() && b.dtype() == a.dtype(), "npy round trip changed shape or dtype");
  mlxfuzz::check(mlxfuzz::raw(b) == elements, "npy round trip changed the elements");
  return 0;
}
