// 电子监察 on both backends: yellow then red alerts on the working-day clock across 中秋 and 国庆
// 2026, raised once per level, inbox messages to supervisors and the department's approvers,
// paused and decided cases, calendar edits moving a deadline, roll-ups, the inbox and the loop.
// Cases are inserted as rows (the lifecycle code is tested elsewhere).
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "core/field_cipher.h"
#include "cases/internal.h"
#include "cases/services.h"
#include "events/events.h"
#include "http/http.h"
#include "support/test_store.h"

namespace yiwang::cases {
namespace {

using namespace std::chrono;
using identity::Role;

using testing::at;

struct CaseRow {
  std::string id;
  std::string state = "in_review";
  std::string dept_id = "scjg";
  std::string item_name = "食品经营许可";
  std::string applicant_user_id{};
  std::optional<core::Millis> accepted_at_ms{};
  std::optional<core::Millis> decided_at_ms{};
  std::optional<core::Millis> completed_at_ms{};
  int limit_days = 5;
  std::optional<core::Millis> submitted_at_ms{};  // default: accepted_at_ms, else 1 Sep
};

class SupervisionTest : public testing::CasesFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(at(2026, 9, 24, 10)));
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_);
    city_departments();
    supervisor_ = official("jiancha", "zwfw", {Role::supervisor});
    approver_ = official("juece", "scjg", {Role::approver, Role::reviewer});
    clerk_ = official("chuangkou", "scjg", {Role::clerk});
    other_approver_ = official("gaj_juece", "gaj", {Role::approver});
    admin_ = official("admin", "zwfw", {Role::admin});
  }

  void insert_case(const CaseRow& c) {
    auto st = store_->write([&](store::Tx& tx) -> Status {
      tx.exec(
          "INSERT INTO cases (id, item_code, item_version, item_name, dept_id, case_type, state, "
          "applicant_user_id, applicant_kind, applicant_name, applicant_id_number, "
          "applicant_phone, "
          "applicant_division, channel, filed_by, form_json, materials_json, steps_json, "
          "current_step, resume_state, decision, decision_opinion, instant_rule, procedure_kind, "
          "limit_days, natural_days, submitted_at_ms, accepted_at_ms, decided_at_ms, "
          "completed_at_ms, updated_at_ms, revision) VALUES (?, 'ITEM-' || ?, 1, ?, ?, '2', ?, ?, "
          "'citizen', ?, '', '', '', 'online', ?, ?, '[]', '[]', -1, '', '', '', '', '', "
          "?, "
          "0, ?, ?, ?, ?, ?, 1)",
          {c.id, c.dept_id, c.item_name, c.dept_id, c.state, c.applicant_user_id,
           tx.cipher().seal_cell("张三", "cases.applicant_name", c.id), c.applicant_user_id,
           tx.cipher().seal_cell("{}", "cases.form_json", c.id), std::int64_t{c.limit_days},
           c.submitted_at_ms.value_or(c.accepted_at_ms.value_or(at(2026, 9, 1))),
           store::nullable(c.accepted_at_ms),
           store::nullable(c.decided_at_ms), store::nullable(c.completed_at_ms), clock_.now_ms()});
      tx.exec("INSERT INTO case_depts (case_id, dept_id) VALUES (?, ?)", {c.id, c.dept_id});
      return {};
    });
    ASSERT_TRUE(st) << st.error().message_en;
  }

  void exec(const std::string& sql, const store::Params& params) {
    ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
      tx.exec(sql, params);
      return {};
    }));
  }

  std::int64_t scalar(const std::string& sql, const store::Params& params = {}) {
    auto r = store_->read(
        [&](store::Tx& tx) -> Result<std::int64_t> { return tx.query_one(sql, params)->int64(0); });
    return r ? *r : -1;
  }

  SweepReport sweep_at(core::Millis t) {
    clock_.set(t);
    auto r = service_->sweep();
    EXPECT_TRUE(r) << r.error().message_en;
    return r ? *r : SweepReport{};
  }

  std::vector<AlertRow> alert_rows() {
    auto r = service_->alerts(supervisor_, "");
    EXPECT_TRUE(r) << r.error().message_en;
    return r ? r->alerts : std::vector<AlertRow>{};
  }

  std::vector<InboxMessage> inbox_of(const identity::Principal& p, bool unread = false) {
    auto r = service_->inbox(p, unread, 50, 0);
    EXPECT_TRUE(r) << r.error().message_en;
    return r ? *r : std::vector<InboxMessage>{};
  }

  identity::Principal supervisor_, approver_, clerk_, other_approver_, admin_;
};

// Accepted Thursday 24 Sep 2026 with 5 working days: 25–27 Sep are 中秋, 1–7 Oct 国庆, so the days
// are 28, 29, 30 Sep, 8 and 9 Oct; Saturday 10 Oct is an adjusted working day and the first late.
TEST_P(SupervisionTest, RaisesYellowThenRedOncePerLevelAcrossHolidays) {
  insert_case({.id = "YW2026092400000001", .accepted_at_ms = at(2026, 9, 24, 10)});

  auto r = sweep_at(at(2026, 9, 29, 12));
  EXPECT_EQ(1, r.scanned);
  EXPECT_EQ(0, r.raised_yellow + r.raised_red);
  EXPECT_TRUE(alert_rows().empty());

  r = sweep_at(at(2026, 9, 30));
  EXPECT_EQ(1, r.raised_yellow);
  EXPECT_EQ(0, r.raised_red);
  EXPECT_EQ(0, sweep_at(at(2026, 9, 30, 15)).raised_yellow);  // raised once

  auto rows = alert_rows();
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(core::Alert::yellow, rows[0].level);
  EXPECT_EQ(2, rows[0].remaining_days);
  ASSERT_TRUE(rows[0].deadline);
  EXPECT_EQ("2026-10-09", core::format_date(*rows[0].deadline));
  EXPECT_EQ("食品经营许可", rows[0].item_name);

  // Over 国庆 nothing new is raised; the stored reading follows the clock.
  r = sweep_at(at(2026, 10, 8));
  EXPECT_EQ(0, r.raised_yellow + r.raised_red);
  rows = alert_rows();
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(1, rows[0].remaining_days);
  EXPECT_EQ(0, sweep_at(at(2026, 10, 9)).raised_red);  // the deadline itself is not late

  r = sweep_at(at(2026, 10, 10));
  EXPECT_EQ(1, r.raised_red);
  EXPECT_EQ(0, r.raised_yellow);
  rows = alert_rows();
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(core::Alert::red, rows[0].level);
  EXPECT_EQ(-1, rows[0].remaining_days);
  EXPECT_EQ(0, sweep_at(at(2026, 10, 12)).raised_red);

  EXPECT_EQ(2, scalar("SELECT COUNT(*) FROM events WHERE type = 'case.alert_raised' AND "
                      "subject_id = 'YW2026092400000001' AND actor_role = 'system'"));
  EXPECT_EQ(at(2026, 10, 12),
            scalar("SELECT value FROM supervision_meta WHERE name = 'last_sweep_ms'"));
}

// #17: a case awaiting acceptance has a clock too (行政许可法 第三十二条, 5 working days from
// filing); once accepted, its acceptance alert gives way to the decision clock.
TEST_P(SupervisionTest, WatchesTheAcceptanceStep) {
  insert_case({.id = "YW2026092400000009",
               .state = "submitted",
               .submitted_at_ms = at(2026, 9, 24, 10)});
  auto r = sweep_at(at(2026, 9, 30));
  EXPECT_EQ(1, r.scanned);
  EXPECT_EQ(1, r.raised_yellow);
  auto rows = alert_rows();
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ("acceptance", rows[0].clock);
  ASSERT_TRUE(rows[0].deadline);
  EXPECT_EQ("2026-10-09", core::format_date(*rows[0].deadline));

  r = sweep_at(at(2026, 10, 10));
  EXPECT_EQ(1, r.raised_red);
  auto sup = inbox_of(supervisor_);
  ASSERT_EQ(2u, sup.size());
  EXPECT_EQ("红灯预警：食品经营许可（YW2026092400000009）超过5个工作日仍未受理", sup[0].title);
  EXPECT_FALSE(sup[0].title_en.empty());
  auto report = service_->alerts(supervisor_, "scjg");
  ASSERT_TRUE(report);
  ASSERT_EQ(1u, report->departments.size());
  EXPECT_EQ(1, report->departments[0].red);
  // The case view tells the same deadline.
  auto c = service_->get("YW2026092400000009", supervisor_);
  ASSERT_TRUE(c) << c.error().message_en;
  ASSERT_TRUE(c->acceptance_clock);
  EXPECT_FALSE(c->clock);
  EXPECT_EQ(core::Alert::red, c->acceptance_clock->alert);
  EXPECT_EQ("2026-10-09", core::format_date(*c->acceptance_clock->deadline));

  // Accepted on 12 Oct: the acceptance alert is gone, the decision clock starts afresh.
  exec("UPDATE cases SET state = 'in_review', accepted_at_ms = ?, revision = revision + 1 "
       "WHERE id = 'YW2026092400000009'",
       {at(2026, 10, 12, 9)});
  r = sweep_at(at(2026, 10, 12, 10));
  EXPECT_EQ(0, r.raised_red + r.raised_yellow);
  EXPECT_TRUE(alert_rows().empty());
}

TEST_P(SupervisionTest, InboxReachesSupervisorsAndTheDepartmentsApproversOnly) {
  insert_case({.id = "YW2026092400000002", .accepted_at_ms = at(2026, 9, 24, 10)});
  sweep_at(at(2026, 10, 8));

  auto sup = inbox_of(supervisor_);
  ASSERT_EQ(1u, sup.size());
  EXPECT_EQ("alert.yellow", sup[0].kind);
  EXPECT_EQ("黄灯预警：食品经营许可（YW2026092400000002）剩余1个工作日", sup[0].title);
  EXPECT_EQ("YW2026092400000002", sup[0].subject_id);
  EXPECT_FALSE(sup[0].read);
  EXPECT_EQ(1u, inbox_of(approver_).size());
  EXPECT_TRUE(inbox_of(clerk_).empty());
  EXPECT_TRUE(inbox_of(other_approver_).empty());
  EXPECT_TRUE(inbox_of(admin_).empty());

  sweep_at(at(2026, 10, 12));
  sup = inbox_of(supervisor_);
  ASSERT_EQ(2u, sup.size());
  EXPECT_EQ("alert.red", sup[0].kind);  // newest first
  EXPECT_EQ("红灯预警：食品经营许可（YW2026092400000002）已超期2个工作日", sup[0].title);
  EXPECT_EQ(2u, inbox_of(approver_).size());
}

TEST_P(SupervisionTest, MarkReadOnlyOwnMessages) {
  insert_case({.id = "YW2026092400000003", .accepted_at_ms = at(2026, 9, 24, 10)});
  sweep_at(at(2026, 10, 8));
  auto sup = inbox_of(supervisor_);
  ASSERT_EQ(1u, sup.size());

  auto theirs = service_->mark_read(sup[0].id, approver_);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(ErrorCode::not_found, theirs.error().code);
  EXPECT_EQ(1u, inbox_of(supervisor_, true).size());

  ASSERT_TRUE(service_->mark_read(sup[0].id, supervisor_));
  ASSERT_TRUE(service_->mark_read(sup[0].id, supervisor_));  // idempotent
  EXPECT_TRUE(inbox_of(supervisor_, true).empty());
  auto all = inbox_of(supervisor_);
  ASSERT_EQ(1u, all.size());
  EXPECT_TRUE(all[0].read);
  EXPECT_EQ(1u, inbox_of(approver_, true).size());  // the approver's copy is untouched
  EXPECT_EQ(ErrorCode::not_found, service_->mark_read("nope", supervisor_).error().code);
}

TEST_P(SupervisionTest, PausedCasesDoNotAdvance) {
  const std::string id = "YW2026092400000004";
  insert_case({.id = id, .state = "suspended", .accepted_at_ms = at(2026, 9, 24, 10)});
  exec(
      "INSERT INTO case_pauses (case_id, seq, kind, start_ms, end_ms) VALUES (?, 1, 'hearing', ?, "
      "NULL)",
      {id, at(2026, 9, 28, 10)});

  auto r = sweep_at(at(2026, 10, 20));
  EXPECT_EQ(1, r.scanned);
  EXPECT_EQ(0, r.raised_yellow + r.raised_red);
  EXPECT_TRUE(alert_rows().empty());

  // Resumed on 12 Oct: 28 Sep–12 Oct are covered, so the days are 13–16 and 19 Oct.
  exec("UPDATE case_pauses SET end_ms = ? WHERE case_id = ?", {at(2026, 10, 12, 16), id});
  exec("UPDATE cases SET state = 'in_review', revision = revision + 1 WHERE id = ?", {id});
  EXPECT_EQ(0, sweep_at(at(2026, 10, 14)).raised_yellow);
  EXPECT_EQ(1, sweep_at(at(2026, 10, 15)).raised_yellow);
  auto rows = alert_rows();
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ("2026-10-19", core::format_date(*rows[0].deadline));
}

TEST_P(SupervisionTest, DecidedAndWithdrawnCasesAreCleared) {
  insert_case({.id = "YW2026092400000005", .accepted_at_ms = at(2026, 9, 24, 10)});
  insert_case({.id = "YW2026092400000006", .accepted_at_ms = at(2026, 9, 24, 10)});
  // Filed 1 Sep, never accepted: red on the acceptance clock, and it stays watched.
  insert_case({.id = "YW2026092400000007", .state = "submitted"});
  auto r = sweep_at(at(2026, 10, 12));
  EXPECT_EQ(3, r.scanned);
  EXPECT_EQ(3, r.raised_red);
  ASSERT_EQ(3u, alert_rows().size());

  exec(
      "UPDATE cases SET state = 'granted', decided_at_ms = ?, revision = revision + 1 WHERE id = ?",
      {at(2026, 10, 12, 11), "YW2026092400000005"});
  exec("UPDATE cases SET state = 'withdrawn', revision = revision + 1 WHERE id = ?",
       {"YW2026092400000006"});
  r = sweep_at(at(2026, 10, 12, 12));
  EXPECT_EQ(1, r.scanned);
  EXPECT_EQ(2, r.cleared);
  ASSERT_EQ(1u, alert_rows().size());
  EXPECT_EQ("acceptance", alert_rows()[0].clock);
  EXPECT_EQ(0, sweep_at(at(2026, 10, 12, 13)).cleared);
}

TEST_P(SupervisionTest, CalendarEditsMoveTheDeadline) {
  insert_case({.id = "YW2026092400000008", .accepted_at_ms = at(2026, 9, 24, 10)});
  sweep_at(at(2026, 10, 8));
  ASSERT_EQ("2026-10-09", core::format_date(*alert_rows().at(0).deadline));

  // 9 Oct made a holiday: the fifth day is the adjusted working Saturday 10 Oct.
  ASSERT_TRUE(service_->set_calendar_day(core::Date{year{2026}, month{10}, day{9}},
                                         core::DayKind::holiday, "临时休息日", admin_));
  sweep_at(at(2026, 10, 8, 10));
  EXPECT_EQ("2026-10-10", core::format_date(*alert_rows().at(0).deadline));

  // Undoing the built-in adjusted working day: Saturday 10 Oct is a rest day again.
  ASSERT_TRUE(service_->clear_calendar_day(core::Date{year{2026}, month{10}, day{10}}, admin_));
  sweep_at(at(2026, 10, 8, 11));
  auto rows = alert_rows();
  EXPECT_EQ("2026-10-12", core::format_date(*rows.at(0).deadline));
  EXPECT_EQ(1, rows.at(0).remaining_days);
  EXPECT_EQ(0, sweep_at(at(2026, 10, 10)).raised_red);  // no longer late on that Saturday
}

TEST_P(SupervisionTest, AlertScopeAndDepartmentRollups) {
  insert_case({.id = "YW2026092400000009", .accepted_at_ms = at(2026, 9, 24, 10)});
  insert_case({.id = "YW2026092400000010", .accepted_at_ms = at(2026, 9, 29, 10)});
  insert_case(
      {.id = "YW2026092400000011", .dept_id = "gaj", .accepted_at_ms = at(2026, 9, 29, 10)});
  // Accepted Tue 1 Sep, 5 days: due Tue 8 Sep. One decided on time, one a week late.
  insert_case({.id = "YW2026090100000001",
               .state = "completed",
               .accepted_at_ms = at(2026, 9, 1),
               .decided_at_ms = at(2026, 9, 8, 17),
               .completed_at_ms = at(2026, 9, 9)});
  insert_case({.id = "YW2026090100000002",
               .state = "completed",
               .accepted_at_ms = at(2026, 9, 1),
               .decided_at_ms = at(2026, 9, 15),
               .completed_at_ms = at(2026, 9, 16)});
  // Completed before the 30-day window.
  insert_case({.id = "YW2026080300000001",
               .state = "completed",
               .accepted_at_ms = at(2026, 8, 3),
               .decided_at_ms = at(2026, 8, 4),
               .completed_at_ms = at(2026, 8, 5)});
  sweep_at(at(2026, 9, 30));

  auto all = service_->alerts(supervisor_, "");
  ASSERT_TRUE(all);
  ASSERT_EQ(1u, all->alerts.size());
  EXPECT_EQ(at(2026, 9, 30), all->swept_at_ms);
  const DeptRollup* scjg = nullptr;
  for (const auto& d : all->departments) {
    if (d.dept_id == "scjg") scjg = &d;
  }
  ASSERT_NE(nullptr, scjg);
  EXPECT_EQ("江宁市市场监督管理局", scjg->dept_name);
  EXPECT_EQ(2, scjg->open);
  EXPECT_EQ(1, scjg->yellow);
  EXPECT_EQ(0, scjg->red);
  EXPECT_EQ(2, scjg->completed_30d);
  EXPECT_EQ(1, scjg->completed_on_time_30d);

  auto own = service_->alerts(approver_, "");
  ASSERT_TRUE(own);
  EXPECT_EQ(1u, own->alerts.size());
  ASSERT_EQ(1u, own->departments.size());
  EXPECT_EQ("scjg", own->departments[0].dept_id);

  auto gaj = service_->alerts(other_approver_, "");
  ASSERT_TRUE(gaj);
  EXPECT_TRUE(gaj->alerts.empty());
  ASSERT_EQ(1u, gaj->departments.size());
  EXPECT_EQ(1, gaj->departments[0].open);

  EXPECT_EQ(ErrorCode::forbidden, service_->alerts(other_approver_, "scjg").error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->alerts(clerk_, "").error().code);
  identity::Principal citizen;
  citizen.user_id = "c1";
  EXPECT_EQ(ErrorCode::forbidden, service_->alerts(citizen, "").error().code);
  auto filtered = service_->alerts(admin_, "gaj");
  ASSERT_TRUE(filtered);
  EXPECT_TRUE(filtered->alerts.empty());
}

TEST_P(SupervisionTest, LoopSweepsInTheBackgroundAndStopsOnDestruction) {
  insert_case({.id = "YW2026092400000012", .accepted_at_ms = at(2026, 9, 24, 10)});
  clock_.set(at(2026, 10, 8));
  {
    // The loop sweeps when it starts, then every period (#17: after a restart the readings are
    // today's, not the last sweep's before the server stopped, which showed 红牌 今天到期 on a
    // deadline two days past): with an hour's period the first pass comes at once.
    SupervisionLoop loop(*service_, hours(1));
    for (int i = 0; i < 200 && scalar("SELECT COUNT(*) FROM case_alerts") == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  EXPECT_EQ(1, scalar("SELECT COUNT(*) FROM case_alerts"));
  { SupervisionLoop idle(*service_, hours(1)); }  // destruction interrupts the wait
}

TEST_P(SupervisionTest, Routes) {
  insert_case({.id = "YW2026092400000013", .accepted_at_ms = at(2026, 9, 24, 10)});
  clock_.set(at(2026, 10, 8));
  http::Router router;
  detail::register_oversight_routes(router, *service_, *ids_);
  auto token = [&](const std::string& username) {
    auto l = ids_->login(username, std::string(yiwang::testing::kPassword), "127.0.0.1");
    EXPECT_TRUE(l);
    return l ? l->token : std::string();
  };
  auto call = [&](const std::string& method, const std::string& target, const std::string& tok) {
    http::Request req;
    req.method = method;
    EXPECT_TRUE(http::set_target(req, target));
    req.headers["authorization"] = "Bearer " + tok;
    return router.dispatch(req);
  };
  const std::string sup = token("jiancha"), clerk = token("chuangkou");

  auto before = nlohmann::json::parse(call("GET", "/api/v1/supervision/alerts", sup).body);
  EXPECT_FALSE(before.contains("swept_at"));
  EXPECT_EQ(403, call("POST", "/api/v1/supervision/sweep", clerk).status);
  auto swept = call("POST", "/api/v1/supervision/sweep", sup);
  ASSERT_EQ(200, swept.status) << swept.body;
  EXPECT_EQ(1, nlohmann::json::parse(swept.body).value("raised_yellow", 0));

  auto alerts = call("GET", "/api/v1/supervision/alerts?dept=scjg", sup);
  ASSERT_EQ(200, alerts.status) << alerts.body;
  auto doc = nlohmann::json::parse(alerts.body);
  ASSERT_EQ(1u, doc["alerts"].size());
  EXPECT_EQ("yellow", doc["alerts"][0].value("level", ""));
  EXPECT_EQ("2026-10-09", doc["alerts"][0].value("deadline", ""));
  EXPECT_EQ("2026-10-08T09:00:00.000+08:00", doc.value("swept_at", ""));
  EXPECT_EQ(403, call("GET", "/api/v1/supervision/alerts", clerk).status);

  auto inbox = nlohmann::json::parse(call("GET", "/api/v1/inbox?unread=true", sup).body);
  ASSERT_EQ(1u, inbox["messages"].size());
  const std::string id = inbox["messages"][0].value("id", "");
  EXPECT_EQ(404, call("POST", "/api/v1/inbox/" + id + "/read", clerk).status);
  EXPECT_EQ(200, call("POST", "/api/v1/inbox/" + id + "/read", sup).status);
  EXPECT_TRUE(nlohmann::json::parse(call("GET", "/api/v1/inbox?unread=true", sup).body)["messages"]
                  .empty());
  EXPECT_EQ(400, call("GET", "/api/v1/inbox?unread=yes", sup).status);
}

INSTANTIATE_TEST_SUITE_P(Backends, SupervisionTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::cases
