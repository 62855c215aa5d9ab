// SPDX-License-Identifier: MIT
// Test support for the readers' tests (tests/io/): a check on runtime_error messages.
#pragma once

#include "../error_message.hpp"

/// Expects `stmt` to throw std::runtime_error whose message contains `text`.
#define EXPECT_RUNTIME(stmt, text)                                                \
  do {                                                                            \
    auto msg_ = ::mlxtest::runtime_error_message([&] { stmt; });                  \
    EXPECT_NE(msg_.find(text), std::string::npos) << "message: " << msg_;         \
  } while (0)
