// The editable working-day calendar on both backends: admins only, edits and their undo, built-in
// exceptions overridden, events, and the calendar routes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "cases/internal.h"
#include "cases/services.h"
#include "events/events.h"
#include "http/http.h"
#include "support/test_store.h"

namespace yiwang::cases {
namespace {

using namespace std::chrono;
using identity::Role;
using nlohmann::json;

core::Date ymd(int y, unsigned m, unsigned d) {
  return core::Date{year{y}, month{m}, day{d}};
}

class CalendarTest : public testing::CasesFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(core::china_midnight(ymd(2026, 9, 1))));
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_);
    ASSERT_TRUE(ids_->create_department({"zwfw", "江宁市政务服务管理办公室", "", "", ""}, nullptr));
    admin_ = official("admin", {Role::admin});
    approver_ = official("juece", {Role::approver, Role::supervisor});
  }

  identity::Principal official(const std::string& username, std::set<Role> roles) {
    return Platform::official(username, "zwfw", std::move(roles));
  }

  std::int64_t scalar(const std::string& sql, const store::Params& params = {}) {
    auto r = store_->read(
        [&](store::Tx& tx) -> Result<std::int64_t> { return tx.query_one(sql, params)->int64(0); });
    return r ? *r : -1;
  }

  bool working(core::Date d) {
    auto c = service_->calendar();
    EXPECT_TRUE(c);
    return c && c->is_working_day(d);
  }

  identity::Principal admin_, approver_;
};

TEST_P(CalendarTest, OnlyAdministratorsEdit) {
  auto set = service_->set_calendar_day(ymd(2026, 11, 2), core::DayKind::holiday, "", approver_);
  ASSERT_FALSE(set);
  EXPECT_EQ(ErrorCode::forbidden, set.error().code);
  EXPECT_EQ(ErrorCode::forbidden,
            service_->clear_calendar_day(ymd(2026, 10, 10), approver_).error().code);
  EXPECT_EQ(0, scalar("SELECT COUNT(*) FROM calendar_days"));
  EXPECT_EQ(0, scalar("SELECT COUNT(*) FROM events WHERE type = 'calendar.changed'"));
}

TEST_P(CalendarTest, AnEditAndItsUndo) {
  const auto monday = ymd(2026, 11, 2);
  ASSERT_TRUE(working(monday));
  ASSERT_TRUE(service_->set_calendar_day(monday, core::DayKind::holiday, "防汛调休", admin_));
  EXPECT_FALSE(working(monday));

  auto before_after = store_->read([&](store::Tx& tx) -> Result<std::pair<json, json>> {
    auto row = tx.query_one(
        "SELECT before_json, after_json FROM events WHERE type = 'calendar.changed' AND "
        "subject_id = '2026-11-02' AND actor_user_id = ?",
        {admin_.user_id});
    if (!row) return fail(ErrorCode::not_found, "", "", "no event");
    return std::pair{json::parse(row->text(0)), json::parse(row->text(1))};
  });
  ASSERT_TRUE(before_after);
  EXPECT_EQ("default", before_after->first.value("kind", ""));
  EXPECT_TRUE(before_after->first.value("working_day", false));
  EXPECT_EQ("holiday", before_after->second.value("kind", ""));
  EXPECT_EQ("防汛调休", before_after->second.value("note", ""));

  ASSERT_TRUE(service_->clear_calendar_day(monday, admin_));
  EXPECT_TRUE(working(monday));
  EXPECT_EQ(0, scalar("SELECT COUNT(*) FROM calendar_days"));
  EXPECT_EQ(2, scalar("SELECT COUNT(*) FROM events WHERE type = 'calendar.changed'"));
  ASSERT_TRUE(service_->clear_calendar_day(monday, admin_));  // nothing to undo: no event
  EXPECT_EQ(2, scalar("SELECT COUNT(*) FROM events WHERE type = 'calendar.changed'"));
}

TEST_P(CalendarTest, BuiltInExceptionsAreOverriddenNotDeleted) {
  const auto saturday = ymd(2026, 10, 10);  // built-in adjusted working day
  const auto holiday = ymd(2026, 10, 2);    // built-in 国庆 holiday (a Friday)
  ASSERT_TRUE(working(saturday));
  ASSERT_FALSE(working(holiday));

  ASSERT_TRUE(service_->clear_calendar_day(saturday, admin_));
  ASSERT_TRUE(service_->clear_calendar_day(holiday, admin_));
  EXPECT_FALSE(working(saturday));  // a plain Saturday again
  EXPECT_TRUE(working(holiday));    // a plain Friday again
  EXPECT_EQ(2, scalar("SELECT COUNT(*) FROM calendar_days WHERE kind = 'default'"));

  // Setting the built-in kind again restores it.
  ASSERT_TRUE(service_->set_calendar_day(saturday, core::DayKind::workday, "", admin_));
  EXPECT_TRUE(working(saturday));
  // The next year follows the Mon–Fri rule unless edited.
  EXPECT_FALSE(working(ymd(2027, 1, 2)));
  ASSERT_TRUE(service_->set_calendar_day(ymd(2027, 1, 2), core::DayKind::workday, "", admin_));
  EXPECT_TRUE(working(ymd(2027, 1, 2)));
}

TEST_P(CalendarTest, Routes) {
  http::Router router;
  detail::register_oversight_routes(router, *service_, *ids_);
  auto admin = ids_->login("admin", std::string(yiwang::testing::kPassword), "127.0.0.1");
  auto approver = ids_->login("juece", std::string(yiwang::testing::kPassword), "127.0.0.1");
  ASSERT_TRUE(admin && approver);
  auto call = [&](const std::string& method, const std::string& target, const std::string& token,
                  const std::string& body = "") {
    http::Request req;
    req.method = method;
    EXPECT_TRUE(http::set_target(req, target));
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    if (!body.empty()) req.headers["content-type"] = "application/json";
    req.body = body;
    return router.dispatch(req);
  };
  auto days_of = [&](int y) {
    auto r = call("GET", "/api/v1/calendar?year=" + std::to_string(y), "");
    EXPECT_EQ(200, r.status) << r.body;
    auto doc = json::parse(r.body);
    EXPECT_EQ(y, doc.value("year", 0));
    std::map<std::string, std::string> days;
    for (const auto& d : doc["days"]) days[d.value("date", "")] = d.value("kind", "");
    return days;
  };

  auto days = days_of(2026);
  EXPECT_EQ(core::WorkingCalendar::china_2026().exceptions().size(), days.size());
  EXPECT_EQ("workday", days["2026-10-10"]);
  EXPECT_EQ("holiday", days["2026-10-01"]);
  EXPECT_TRUE(days_of(2027).empty());

  auto put = call("PUT", "/api/v1/calendar/2027-01-04", admin->token,
                  R"({"kind": "holiday", "note": "示例"})");
  ASSERT_EQ(200, put.status) << put.body;
  EXPECT_EQ("holiday", json::parse(put.body).value("kind", ""));
  EXPECT_EQ("holiday", days_of(2027)["2027-01-04"]);

  auto bad_date =
      call("PUT", "/api/v1/calendar/2026-02-30", admin->token, R"({"kind": "holiday"})");
  EXPECT_EQ(400, bad_date.status);
  EXPECT_EQ("/date", json::parse(bad_date.body).value("field", ""));
  auto bad_kind =
      call("PUT", "/api/v1/calendar/2027-01-05", admin->token, R"({"kind": "weekend"})");
  EXPECT_EQ(400, bad_kind.status);
  EXPECT_EQ("/kind", json::parse(bad_kind.body).value("field", ""));
  EXPECT_EQ(400, call("GET", "/api/v1/calendar?year=20x6", "").status);
  EXPECT_EQ(
      403,
      call("PUT", "/api/v1/calendar/2027-01-05", approver->token, R"({"kind": "holiday"})").status);
  EXPECT_EQ(401, call("DELETE", "/api/v1/calendar/2027-01-04", "").status);
  EXPECT_EQ(400, call("DELETE", "/api/v1/calendar/tomorrow", admin->token).status);

  EXPECT_EQ(204, call("DELETE", "/api/v1/calendar/2027-01-04", admin->token).status);
  EXPECT_TRUE(days_of(2027).empty());
  EXPECT_EQ(204, call("DELETE", "/api/v1/calendar/2026-10-10", admin->token).status);
  EXPECT_EQ(0u, days_of(2026).count("2026-10-10"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CalendarTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::cases
