// What every cases test sets up: the migrations of the modules a case touches, and identity
// options with the cheapest Argon2id cost (tests check behaviour, not password strength).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "cases/cases.h"
#include "events/events.h"
#include "support/test_store.h"

namespace yiwang::cases::testing {

inline std::vector<store::Migration> case_migrations() {
  std::vector<store::Migration> all;
  for (auto list :
       {events::migrations(), identity::migrations(), catalog::migrations(), cases::migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  return all;
}

// 09:00 (or `hour`) China time on a civil date.
inline core::Millis at(int y, unsigned m, unsigned d, int hour = 9) {
  using namespace std::chrono;
  return core::china_midnight(core::Date{year{y}, month{m}, day{d}}) + hour * 3'600'000LL;
}

// A valid 公民身份号码 from its first 17 digits.
inline std::string citizen_id(std::string_view first17) {
  return std::string(first17) + identity::citizen_id_check(first17);
}

inline identity::Options fast_hashing() {
  identity::Options o;
  o.pwhash_opslimit = 1;
  o.pwhash_memlimit = 8192;
  return o;
}

// An official of `dept` with `roles` (password "password123").
inline identity::Principal add_official(identity::Service& ids, const std::string& username,
                                        const std::string& dept, std::set<identity::Role> roles) {
  identity::NewUser u;
  u.username = username;
  u.password = "password123";
  u.kind = identity::Kind::official;
  u.display_name = username;
  u.dept_id = dept;
  u.roles = std::move(roles);
  auto p = ids.create_user(u, nullptr);
  EXPECT_TRUE(p) << p.error().message_en;
  return p ? *p : identity::Principal{};
}

// The store and services every cases test stands on, on the backend of the test's parameter.
// SetUp calls `ASSERT_NO_FATAL_FAILURE(open(start))`, then builds `service_` with its options.
class CasesFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void open(core::Millis start) {
    clock_.set(start);
    store_ = yiwang::testing::make_store(GetParam());
    ASSERT_TRUE(store::migrate(*store_, case_migrations()));
    ids_ = std::make_unique<identity::Service>(*store_, clock_, random_, fast_hashing());
    catalog_ = std::make_unique<catalog::Service>(*store_, clock_);
  }

  core::ManualClock clock_{0};
  core::SystemRandom random_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Service> ids_;
  std::unique_ptr<catalog::Service> catalog_;
  std::unique_ptr<Service> service_;
};

}  // namespace yiwang::cases::testing
