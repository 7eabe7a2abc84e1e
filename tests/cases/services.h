// What every cases test stands on: the test platform (tests/support/platform.h) with the
// catalog and cases modules, and the catalog service a case is filed against.
#pragma once

#include <memory>
#include <string>
#include <utility>

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

  // The departments of the demo city that cases tests route to.
  void city_departments() {
    for (auto [id, name] : {std::pair{"scjg", "江宁市市场监督管理局"},
                            {"gaj", "江宁市公安局"},
                            {"wjw", "江宁市卫生健康委员会"},
                            {"zwfw", "江宁市政务服务管理办公室"}}) {
      department(id, name);
    }
  }

  // An item of 市场监管 with the fields every test item shares (a licence, 5 promised and 20
  // legal working days, for natural persons, online).
  static catalog::Item licence_item(const std::string& code, const std::string& basic_code,
                                    const std::string& name) {
    catalog::Item i;
    i.code = code;
    i.basic_code = basic_code;
    i.name = name;
    i.item_type = "01";
    i.exercise_level = "3";
    i.dept_id = "scjg";
    i.promised_limit = 5;
    i.legal_limit = 20;
    i.service_objects = {"1"};
    i.handling_forms = {"2"};
    return i;
  }

  std::unique_ptr<catalog::Service> catalog_;
  std::unique_ptr<Service> service_;
};

}  // namespace yiwang::cases::testing
