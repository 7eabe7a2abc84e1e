// Prerequisites a test machine may lack: the real data in ../shared beside the checkout, the
// throwaway PostgreSQL cluster, the Go ledger verifier, Chromium and playwright-core.
//
// A test that skips counts as a pass, so under `make test` a missing prerequisite FAILS the test
// that needs it, with a message naming what is missing and how to install it. For a local run
// without some of them, YIWANG_TESTS_MAY_SKIP=1 turns those failures into skips (reported as
// skipped, never as passed); CI never sets it. The node tests follow the same rule
// (tests/node/prerequisites.mjs).
#pragma once

#include <string>

#include <gtest/gtest.h>

namespace yiwang::testing {

// True when YIWANG_TESTS_MAY_SKIP=1: a missing prerequisite skips instead of failing.
bool may_skip_missing_prerequisites();

// The failure (or skip) message: what is missing, how to install it, and the opt-out.
std::string missing_prerequisite(const std::string& what, const std::string& how);

// source_dir()/../shared/<relative>: the real data sets CI places beside the clone.
std::string shared_path(const std::string& relative);

// Empty when ../shared/<relative> exists; otherwise the message for its absence.
std::string missing_shared(const std::string& relative);

}  // namespace yiwang::testing

// Fails the current test with `message` or, with YIWANG_TESTS_MAY_SKIP=1, skips it. Like
// GTEST_SKIP and FAIL it returns from the enclosing void function (a test body or SetUp).
#define YIWANG_MISSING_PREREQUISITE(message)                   \
  do {                                                         \
    if (::yiwang::testing::may_skip_missing_prerequisites()) { \
      GTEST_SKIP() << (message);                               \
    } else {                                                   \
      FAIL() << (message);                                     \
    }                                                          \
  } while (0)

// Requires ../shared/<relative> (a file or a directory), as YIWANG_MISSING_PREREQUISITE.
#define YIWANG_REQUIRE_SHARED(relative)                                              \
  do {                                                                               \
    const std::string yiwang_missing_ = ::yiwang::testing::missing_shared(relative); \
    if (!yiwang_missing_.empty()) YIWANG_MISSING_PREREQUISITE(yiwang_missing_);      \
  } while (0)
