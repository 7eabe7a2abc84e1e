// What every cases test stands on: the test platform (tests/support/platform.h) with the
// catalog and cases modules, and the catalog service a case is filed against.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "cases/cases.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::cases::testing {

using yiwang::testing::at;
using yiwang::testing::citizen_id;

// SetUp calls `ASSERT_NO_FATAL_FAILURE(open(start))`, then builds `service_` with its options.
class CasesFixture : public yiwang::testing::PlatformTest {
 protected:
  void open(core::Millis start) {
    PlatformTest::open({catalog::migrations(), cases::migrations()}, start);
    if (HasFatalFailure()) return;
    catalog_ = std::make_unique<catalog::Service>(*store_, clock_);
  }

  std::unique_ptr<catalog::Service> catalog_;
  std::unique_ptr<Service> service_;
};

}  // namespace yiwang::cases::testing
