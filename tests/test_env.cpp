// SPDX-License-Identifier: MIT
// Linked into the test binaries that run on the GPU (ON_GPU, GPU_ONLY in tests/CMakeLists.txt):
// sets the variables listed in MLXPP_TEST_ENV ("NAME=value|NAME=value|..."), before main,
// without overriding ones already set.
// Why: CMake 3.25's gtest_discover_tests splits a list-valued ENVIRONMENT property into
// separate arguments, so a test registered with several variables got only the first (the
// gpu.* copies of the op suites ran on the CPU). tests/CMakeLists.txt passes one variable.
#include <cstdlib>
#include <string>

namespace {

const bool mlxpp_test_env_applied = [] {
  const char* spec = std::getenv("MLXPP_TEST_ENV");
  if (!spec) return false;
  std::string s(spec);
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('|', start);
    if (end == std::string::npos) end = s.size();
    const std::string item = s.substr(start, end - start);
    const size_t eq = item.find('=');
    if (eq != std::string::npos && eq > 0)
      setenv(item.substr(0, eq).c_str(), item.substr(eq + 1).c_str(), /*overwrite=*/0);
    start = end + 1;
  }
  return true;
}();

}  // namespace
