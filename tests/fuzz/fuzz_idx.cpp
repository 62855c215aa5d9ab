// SPDX-License-Identifier: MIT
// libFuzzer target for the training example's IDX/gzip reader (examples/idx_reader.hpp):
// any input, gzip or raw, either reads or throws std::runtime_error, and never inflates more
// than the header justifies (the cap here is 16 MiB, so a gzip bomb shows up as a
// slow/oversized run). A read file's payload matches its dims.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "fuzz_common.hpp"
#include "idx_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  idx_reader::Idx f;
  try {
    f = idx_reader::read_idx_bytes(bytes, -1, uint64_t{16} << 20);
  } catch (const std::runtime_error&) {
    return 0;  // the reader's documented answer to malformed input
  }
  // A dim of 0 makes the payload empty; otherwise the reader capped the product at 16 MiB.
  const bool empty = std::find(f.dims.begin(), f.dims.end(), 0u) != f.dims.end();
  uint64_t n = empty ? 0 : static_cast<uint64_t>(idx_reader::detail::element_size(f.type));
  for (uint32_t d : f.dims) n = empty ? 0 : n * d;
  mlxfuzz::check(n == f.data.size(), "IDX payload size differs from its dims");
  return 0;
}
