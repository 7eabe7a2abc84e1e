// The test platform: what a service test stands on, built the same way in every module's tests.
//
//   class AppealsTest : public testing::PlatformTest {   // parameterised over the backends
//     void SetUp() override {
//       ASSERT_NO_FATAL_FAILURE(open({appeals::migrations()}, testing::at(2026, 3, 2)));
//       department("zjj", "住建局");
//       zjj_ = official("zjj.clerk", "zjj", {Role::clerk});
//       service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_);
//     }
//   };
//
// A Platform is a fresh store on one backend (testing::make_store) migrated with the events and
// identity modules and then the modules under test, a manual clock, system randomness, and an
// identity service with the cheapest Argon2id cost (tests check behaviour, not password
// strength). Factories create departments and accounts through the identity service as the
// bootstrap actor; a failure is a test failure, and an empty Principal comes back.
// Not thread-safe while being set up; the services it owns are as thread-safe as ever.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::testing {

// 09:00 (or `hour`) China time on a civil date.
core::Millis at(int y, unsigned m, unsigned d, int hour = 9);
// A valid 公民身份号码 from its first 17 digits (the check digit is computed).
std::string citizen_id(std::string_view first17);
// A valid 统一社会信用代码 from its first 17 characters.
std::string uscc(std::string_view first17);
// Identity options with the cheapest password hashing.
identity::Options fast_hashing();
// The password of every account a Platform makes.
inline constexpr std::string_view kPassword = "river-lantern-42";

// The migrations of the modules under test, in dependency order (events and identity come first
// by themselves).
using Modules = std::vector<std::vector<store::Migration>>;

struct Platform {
  // A fresh store with the migrations applied, the clock at `start`, the identity service. Fails
  // the test (ASSERT: wrap the call in ASSERT_NO_FATAL_FAILURE) when the store cannot be made.
  void open(const std::string& backend, const Modules& modules, core::Millis start,
            identity::Options options = fast_hashing());

  void department(const std::string& id, const std::string& name,
                  const std::string& parent_id = "");
  identity::Principal official(const std::string& username, const std::string& dept,
                               std::set<identity::Role> roles);
  // A citizen whose id number is completed from `id17`, verified in person (as if a window
  // clerk had checked the card: personal data binds to it). user() makes claimed ones.
  identity::Principal citizen(const std::string& username, const std::string& display_name,
                              std::string_view id17, const std::string& phone = "13800000000");
  // A business whose 统一社会信用代码 is completed from `uscc17`, verified in person.
  identity::Principal business(const std::string& username, const std::string& display_name,
                               std::string_view uscc17);
  // Any account, as given (password kPassword and display name = username when left empty);
  // a citizen's or business's id number is only claimed.
  identity::Principal user(identity::NewUser u);
  // Marks the account's id number verified in person.
  identity::Principal verified(identity::Principal p);

  core::ManualClock clock_{0};
  core::SystemRandom random_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Service> ids_;
};

// A Platform per test, on the backend of the test's parameter (INSTANTIATE_TEST_SUITE_P with
// testing::backends()).
class PlatformTest : public ::testing::TestWithParam<std::string>, protected Platform {
 protected:
  void open(const Modules& modules, core::Millis start,
            identity::Options options = fast_hashing()) {
    Platform::open(GetParam(), modules, start, options);
  }
};

}  // namespace yiwang::testing
