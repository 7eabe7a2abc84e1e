// What every certificates test stands on: the test platform (tests/support/platform.h) with the
// catalog and certificates modules, two departments with their USCCs in a division, the standard
// certificate types, and the services.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "certificates/certificates.h"
#include "events/events.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::certificates::testing {

using yiwang::testing::citizen_id;

constexpr const char* kBase = "https://yiwang.example";
constexpr const char* kScjgUscc = "11329900MB0100025F";
constexpr core::Millis kStart = 1'790'000'000'000;  // 2026-09-21

class Fixture : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open({catalog::migrations(), certificates::migrations()}, kStart));
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
    // Matters the tests act in (the app checks real cases): matters_ maps "case:<id>" to its
    // department and the id number of the person it concerns; notices to holders go to notices_.
    service_->set_need_checks(
        [this](store::Tx&, std::string_view matter,
               const identity::Principal& by) -> Result<std::string> {
          auto it = matters_.find(std::string(matter));
          if (it == matters_.end()) {
            return fail(ErrorCode::not_found, "/matter", "事项不存在", "no such matter");
          }
          if (it->second.first != by.dept_id) {
            return fail(ErrorCode::forbidden, "/matter", "非本部门事项", "not your matter");
          }
          return it->second.second;
        },
        [this](store::Tx&, const UseNotice& n) -> Status {
          notices_.push_back(n);
          return {};
        });
  }

  // A citizen whose display name is the user name.
  identity::Principal holder(const std::string& username, std::string_view id17) {
    return citizen(username, username, id17);
  }

  // The events whose type starts with `type`, oldest first.
  std::vector<events::Event> events_of(const std::string& type) {
    auto r = store_->read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
      events::Filter f;
      f.type_prefix = type;
      f.limit = 1000;
      return events::list(tx, f);
    });
    EXPECT_TRUE(r);
    return r ? *r : std::vector<events::Event>{};
  }

  std::unique_ptr<catalog::Service> catalog_;
  std::unique_ptr<Service> service_;
  std::vector<UseNotice> notices_;
  std::map<std::string, std::pair<std::string, std::string>> matters_;  // matter → dept, person
  int seeded_types_ = 0;
};

}  // namespace yiwang::certificates::testing
