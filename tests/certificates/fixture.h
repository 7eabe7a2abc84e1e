// What every certificates test sets up, on each backend: the migrations of the modules a
// certificate touches, the services (cheapest Argon2id: tests check behaviour, not password
// strength), two departments with their USCCs and the standard certificate types.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "certificates/certificates.h"
#include "events/events.h"
#include "support/test_store.h"

namespace yiwang::certificates::testing {

constexpr const char* kBase = "https://yiwang.example";
constexpr const char* kScjgUscc = "11329900MB0100025F";

inline std::string citizen_id(std::string_view first17) {
  return std::string(first17) + identity::citizen_id_check(first17);
}

class Fixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = yiwang::testing::make_store(GetParam());
    std::vector<store::Migration> all;
    for (auto list : {events::migrations(), identity::migrations(), catalog::migrations(),
                      certificates::migrations()}) {
      all.insert(all.end(), list.begin(), list.end());
    }
    ASSERT_TRUE(store::migrate(*store_, all));
    identity::Options options;
    options.pwhash_opslimit = 1;
    options.pwhash_memlimit = 8192;
    ids_ = std::make_unique<identity::Service>(*store_, clock_, random_, options);
    catalog_ = std::make_unique<catalog::Service>(*store_, clock_);
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_, kBase);
    ASSERT_TRUE(ids_->upsert_division({"320000", "江苏省", ""}));
    ASSERT_TRUE(ids_->upsert_division({"329900", "江宁市（虚构）", "320000"}));
    ASSERT_TRUE(ids_->create_department({"scjg", "江宁市市场监督管理局", kScjgUscc, "329900", ""},
                                        nullptr));
    ASSERT_TRUE(ids_->create_department({"gaj", "江宁市公安局", "11329900MB0100033A", "329900", ""},
                                        nullptr));
    auto seeded = service_->seed_standard_types();
    ASSERT_TRUE(seeded) << seeded.error().message_en;
    seeded_types_ = *seeded;
  }

  identity::Principal user(const std::string& name, identity::Kind kind, const std::string& dept,
                           std::set<identity::Role> roles, const std::string& id_number = "") {
    identity::NewUser u;
    u.username = name;
    u.password = kPassword;
    u.kind = kind;
    u.display_name = name;
    u.dept_id = dept;
    u.roles = std::move(roles);
    u.id_number = id_number;
    auto p = ids_->create_user(u, nullptr);
    EXPECT_TRUE(p) << p.error().field << " " << p.error().message_en;
    return p ? *p : identity::Principal{};
  }

  static constexpr const char* kPassword = "password123";
  core::ManualClock clock_{1'790'000'000'000};  // 2026-09-21
  core::SystemRandom random_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Service> ids_;
  std::unique_ptr<catalog::Service> catalog_;
  std::unique_ptr<Service> service_;
  int seeded_types_ = 0;
};

}  // namespace yiwang::certificates::testing
