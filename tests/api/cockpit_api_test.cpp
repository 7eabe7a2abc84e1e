// GET /api/v1/cockpit/summary through the assembled App on both backends: who may read it, the
// `days` window, the document's shape, and figures that agree with the case list and the
// supervision report over the demo's case history.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/api_fixture.h"

namespace {

using namespace yiwang::api_testing;

class CockpitApiTest : public ApiTest {
 protected:
  int demo_cases() const override { return 60; }
};

TEST_P(CockpitApiTest, OnlySupervisorsAndAdminsMayRead) {
  expect_problem(call("GET", "/api/v1/cockpit/summary"), 401);
  for (const char* user : {"zhangsan", "qiye", "chuangkou", "juece"}) {
    expect_problem(call("GET", "/api/v1/cockpit/summary", "", login(user)), 403);
  }
  call_json("GET", "/api/v1/cockpit/summary", nullptr, login("admin"), 200);
  std::string supervisor = login("jiancha");
  for (const char* days : {"6", "91", "abc", "30x", ""}) {
    expect_problem(call("GET", std::string("/api/v1/cockpit/summary?days=") + days, "", supervisor),
                   400, "/days");
  }
}

TEST_P(CockpitApiTest, ShapeAndFiguresAgreeWithTheOtherViews) {
  std::string supervisor = login("jiancha");
  auto s = call_json("GET", "/api/v1/cockpit/summary", nullptr, supervisor, 200);
  ASSERT_TRUE(s.is_object()) << s.dump();
  for (const char* key :
       {"generated_at", "swept_at", "days", "period", "totals", "by_state", "by_department",
        "channels", "online_rate", "on_time_rate", "on_time_goal", "avg_working_days",
        "avg_promised_days", "satisfaction", "overdue", "trend"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  EXPECT_EQ(30, s.value("days", 0));
  EXPECT_DOUBLE_EQ(0.95, s.value("on_time_goal", 0.0));
  const auto& totals = s["totals"];
  const std::int64_t cases = totals.value("cases", std::int64_t{-1});

  auto list = call_json("GET", "/api/v1/cases?limit=1", nullptr, supervisor, 200);
  EXPECT_EQ(list.value("total", std::int64_t{-2}), cases);
  EXPECT_GE(cases, 60);

  std::int64_t by_state = 0;
  for (const auto& [state, n] : s["by_state"].items()) by_state += n.get<std::int64_t>();
  EXPECT_EQ(cases, by_state);
  EXPECT_EQ(9u, s["by_state"].size());
  EXPECT_EQ(totals.value("completed", -1), s["by_state"].value("completed", -2));

  std::int64_t dept_total = 0, dept_overdue = 0;
  for (const auto& d : s["by_department"]) {
    for (const char* key : {"dept_id", "dept_name", "total", "open", "completed", "on_time_rate",
                            "overdue", "avg_working_days", "promised_days", "satisfaction"}) {
      EXPECT_TRUE(d.contains(key)) << key << " " << d.dump();
    }
    dept_total += d.value("total", std::int64_t{0});
    dept_overdue += d.value("overdue", std::int64_t{0});
  }
  EXPECT_EQ(cases, dept_total);
  EXPECT_EQ(totals.value("red", std::int64_t{-1}), dept_overdue);
  EXPECT_EQ(cases, s["channels"].value("online", std::int64_t{0}) +
                       s["channels"].value("window", std::int64_t{0}));

  // The demo's history is swept at seeding: red and yellow match the supervision report.
  EXPECT_TRUE(s["swept_at"].is_string());
  auto alerts = call_json("GET", "/api/v1/supervision/alerts", nullptr, supervisor, 200);
  std::int64_t red = 0, yellow = 0;
  for (const auto& a : alerts["alerts"]) (a.value("level", "") == "red" ? red : yellow) += 1;
  EXPECT_EQ(red, totals.value("red", std::int64_t{-1}));
  EXPECT_EQ(yellow, totals.value("yellow", std::int64_t{-1}));
  EXPECT_EQ(std::min<std::int64_t>(red, 20), static_cast<std::int64_t>(s["overdue"].size()));
  int last = 1 << 30;
  for (const auto& o : s["overdue"]) {
    EXPECT_FALSE(o.value("case_id", "").empty());
    EXPECT_FALSE(o.value("item_name", "").empty());
    EXPECT_FALSE(o.value("dept_name", "").empty());
    EXPECT_LE(o.value("days_over", 0), last);  // most overdue first
    last = o.value("days_over", 0);
  }

  ASSERT_EQ(30u, s["trend"].size());
  EXPECT_EQ(s["period"].value("to", ""), s["trend"].back().value("date", ""));
  EXPECT_TRUE(s["satisfaction"].contains("count"));
  EXPECT_TRUE(s["satisfaction"].contains("good_rate"));

  auto week = call_json("GET", "/api/v1/cockpit/summary?days=7", nullptr, supervisor, 200);
  EXPECT_EQ(7u, week["trend"].size());
  EXPECT_EQ(7, week.value("days", 0));
}

INSTANTIATE_TEST_SUITE_P(Backends, CockpitApiTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
