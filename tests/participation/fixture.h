// What the participation tests stand on: the test platform (tests/support/platform.h) with the
// participation module, on 2026-03-02 09:00, and the departments of a small city.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "disclosure/disclosure.h"
#include "events/events.h"
#include "participation/participation.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::participation::testing {

// 09:00 (or `hour`) China time on a 2026 date.
inline core::Millis at(unsigned m, unsigned d, int hour = 9) {
  return yiwang::testing::at(2026, m, d, hour);
}

class ParticipationFixture : public yiwang::testing::PlatformTest {
 protected:
  // A fresh store with the participation tables; the clock on 2026-03-02 09:00.
  void open() {
    PlatformTest::open({disclosure::migrations(), participation::migrations()}, at(3, 2));
  }

  // A citizen without a phone number.
  identity::Principal person(const std::string& name, const std::string& display,
                             std::string_view id17) {
    return citizen(name, display, id17, "");
  }

  std::int64_t last_seq() {
    auto r =
        store_->read([](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
    return r ? *r : -1;
  }
};

}  // namespace yiwang::participation::testing
