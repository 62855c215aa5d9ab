// SPDX-License-Identifier: MIT
// Test support: the message of the exception a callable throws, checked for its type.
#pragma once

#include <gtest/gtest.h>

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace mlxtest {

/// The dynamic type of e, demangled ("std::out_of_range").
inline std::string exception_type_name(const std::exception& e) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(typeid(e).name());
}

/// The what() of the E that f throws; otherwise "wrong exception type (<type>): ..." or
/// "no exception", so an EXPECT on the text fails with a useful message.
template <class E, class F>
std::string exception_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return "wrong exception type (" + exception_type_name(e) + "): " + e.what();
  }
  return "no exception";
}

template <class F>
std::string invalid_argument_message(F&& f) {
  return exception_message<std::invalid_argument>(f);
}
template <class F>
std::string runtime_error_message(F&& f) {
  return exception_message<std::runtime_error>(f);
}

}  // namespace mlxtest

/// Expects `stmt` to throw std::invalid_argument whose message contains `text`.
#define EXPECT_INVALID(stmt, text)                                                       \
  do {                                                                                   \
    auto msg_ = ::mlxtest::invalid_argument_message([&] { stmt; });                      \
    EXPECT_NE(msg_.find(text), std::string::npos) << "message: " << msg_;                \
  } while (0)
