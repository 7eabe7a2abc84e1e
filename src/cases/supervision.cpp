// 电子监察: sweeping open cases for yellow and red alerts, the alert report with department
// roll-ups, the in-app inbox, and the loop that runs sweeps in the background.
#include <algorithm>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "cases/internal.h"
#include "cases/workflow.h"
#include "store/record_id.h"

namespace yiwang::cases {

namespace detail {

// Active officials holding `role`, optionally of one department. Roles are a comma list in
// identity's users table; reading it here keeps a sweep to one query per recipient group.
std::vector<std::string> officials_with_role(store::Tx& tx, identity::Role role,
                                             std::string_view dept_id) {
  std::string sql =
      "SELECT id FROM users WHERE kind = 'official' AND active = 1 "
      "AND (',' || roles || ',') LIKE ?";
  store::Params params{"%," + std::string(identity::to_string(role)) + ",%"};
  if (!dept_id.empty()) {
    sql += " AND dept_id = ?";
    params.emplace_back(std::string(dept_id));
  }
  sql += " ORDER BY id";
  std::vector<std::string> ids;
  for (const auto& row : tx.query(sql, params)) ids.push_back(row.text(0));
  return ids;
}

// Who is told about a department's alerts and rectifications: every supervisor and the
// department's approvers (分管领导), each once.
std::vector<std::string> oversight_recipients(store::Tx& tx, std::string_view dept_id) {
  std::set<std::string> ids;
  for (auto& id : officials_with_role(tx, identity::Role::supervisor, "")) ids.insert(id);
  for (auto& id : officials_with_role(tx, identity::Role::approver, dept_id)) ids.insert(id);
  return {ids.begin(), ids.end()};
}

void post_inbox(store::Tx& tx, core::Random& random, core::Millis now,
                const std::vector<std::string>& user_ids, const InboxMessage& m) {
  for (const auto& user : user_ids) {
    tx.exec(
        "INSERT INTO inbox (id, user_id, kind, title, body, subject_type, subject_id, "
        "created_at_ms, read_at_ms, title_en, body_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        {store::opaque_id(random), user, m.kind, m.title, m.body, m.subject_type, m.subject_id,
         now, m.title_en, m.body_en});
  }
}

}  // namespace detail

void post_to_inbox(store::Tx& tx, core::Random& random, core::Millis now,
                   const std::vector<std::string>& user_ids, const InboxMessage& m) {
  detail::post_inbox(tx, random, now, user_ids, m);
}

std::vector<std::string> without_unread(store::Tx& tx, const std::vector<std::string>& user_ids,
                                        std::string_view kind) {
  std::vector<std::string> out;
  for (const auto& user : user_ids) {
    if (!tx.query_one("SELECT 1 FROM inbox WHERE user_id = ? AND kind = ? AND read_at_ms IS NULL",
                      {user, std::string(kind)})) {
      out.push_back(user);
    }
  }
  return out;
}

namespace {

using nlohmann::json;

// The states in which the statutory clock runs or is paused after acceptance.
constexpr const char* kUnderClock =
    "state IN ('in_review', 'suspended', 'correction') AND accepted_at_ms IS NOT NULL";
// The cases supervision watches: those under the decision clock and those awaiting acceptance.
constexpr const char* kWatched =
    "(state = 'submitted' OR (state IN ('in_review', 'suspended', 'correction') AND "
    "accepted_at_ms IS NOT NULL))";

int rank(core::Alert a) {
  switch (a) {
    case core::Alert::yellow:
      return 1;
    case core::Alert::red:
      return 2;
    case core::Alert::none:
      break;
  }
  return 0;
}

core::Alert parse_alert(std::string_view s) {
  if (s == "red") return core::Alert::red;
  if (s == "yellow") return core::Alert::yellow;
  return core::Alert::none;
}

std::string deadline_text(const ClockView& v) {
  return v.deadline ? core::format_date(*v.deadline) : "";
}

std::optional<core::Date> parse_deadline(const std::string& s) {
  core::Date d;
  if (s.empty() || !core::parse_date(s, d)) return std::nullopt;
  return d;
}

struct StoredAlert {
  core::Alert level = core::Alert::none;
  core::Alert raised = core::Alert::none;
  int remaining_days = 0;
  std::string deadline;
  std::string clock;
};

// A case whose alert row must be created or brought up to date, computed in a read snapshot.
struct Planned {
  std::string case_id;
  std::string item_name;
  std::string dept_id;
  std::int64_t revision = 0;
  ClockView view;
  std::string clock;  // "acceptance" or "decision"
};

struct Scan {
  int scanned = 0;
  std::vector<Planned> changes;
};

// The pauses of every case matching `where` (over `cases c`), in one query.
std::unordered_map<std::string, std::vector<core::Pause>> pauses_by_case(
    store::Tx& tx, std::string_view where, const store::Params& params = {}) {
  std::unordered_map<std::string, std::vector<core::Pause>> out;
  std::string sql =
      "SELECT p.case_id, p.start_ms, p.end_ms FROM case_pauses p JOIN cases c ON c.id = p.case_id "
      "WHERE ";
  sql += where;
  sql += " ORDER BY p.case_id, p.seq";
  for (const auto& row : tx.query(sql, params)) {
    out[row.text(0)].push_back(core::Pause{row.int64(1), row.opt_int64(2)});
  }
  return out;
}

Scan scan(store::Tx& tx, core::Millis now, int yellow_days) {
  Scan s;
  auto calendar = detail::load_calendar(tx);
  auto pauses = pauses_by_case(
      tx, "c.state IN ('in_review', 'suspended', 'correction') AND c.accepted_at_ms IS NOT NULL");
  std::unordered_map<std::string, StoredAlert> stored;
  for (const auto& row : tx.query(
           "SELECT case_id, level, raised_level, remaining_days, deadline, clock FROM case_alerts")) {
    stored[row.text(0)] = StoredAlert{parse_alert(row.text(1)), parse_alert(row.text(2)),
                                      static_cast<int>(row.int64(3)), row.text(4), row.text(5)};
  }
  auto plan = [&](const std::string& id, const store::Row& row, const ClockView& v,
                  const char* clock) {
    auto st = stored.find(id);
    bool changed;
    if (st == stored.end()) {
      changed = v.alert != core::Alert::none;
    } else {
      changed = v.alert != st->second.level || v.remaining_days != st->second.remaining_days ||
                deadline_text(v) != st->second.deadline || clock != st->second.clock;
    }
    if (changed) s.changes.push_back(Planned{id, row.text(1), row.text(2), row.int64(3), v, clock});
  };
  // Awaiting acceptance: kAcceptanceDays working days from filing, no pauses.
  for (const auto& row : tx.query("SELECT id, item_name, dept_id, revision, submitted_at_ms FROM "
                                  "cases WHERE state = 'submitted'")) {
    ++s.scanned;
    plan(row.text(0), row,
         detail::clock_view(calendar, row.int64(4), kAcceptanceDays, false, {}, now, yellow_days),
         "acceptance");
  }
  static const std::vector<core::Pause> kNone;
  for (const auto& row : tx.query(std::string("SELECT id, item_name, dept_id, revision, "
                                              "accepted_at_ms, limit_days, natural_days FROM "
                                              "cases WHERE ") +
                                  kUnderClock)) {
    ++s.scanned;
    std::string id = row.text(0);
    auto p = pauses.find(id);
    ClockView v = detail::clock_view(calendar, row.int64(4), static_cast<int>(row.int64(5)),
                                     row.int64(6) != 0, p == pauses.end() ? kNone : p->second, now,
                                     yellow_days);
    plan(id, row, v, "decision");
  }
  return s;
}

std::string unit(const ClockView& v) {
  return v.natural_days ? "天" : "个工作日";
}

InboxMessage alert_message(const Planned& p) {
  const ClockView& v = p.view;
  InboxMessage m;
  m.subject_type = "case";
  m.subject_id = p.case_id;
  std::string subject = p.item_name + "（" + p.case_id + "）";
  if (p.clock == "acceptance") {
    const bool red = v.alert == core::Alert::red;
    m.kind = red ? "alert.red" : "alert.yellow";
    m.title = red ? "红灯预警：" + subject + "超过" + std::to_string(kAcceptanceDays) +
                        "个工作日仍未受理"
                  : "黄灯预警：" + subject + "待受理，受理期限剩余" +
                        std::to_string(v.remaining_days) + "个工作日";
    m.body = "承办部门：" + p.dept_id + "；依法应自收到申请之日起" +
             std::to_string(kAcceptanceDays) + "个工作日内作出是否受理的决定（受理期限：" +
             deadline_text(v) + "），逾期不告知的自收到申请之日起即为受理。请督促办理。";
    m.title_en = red ? "Red alert: " + p.case_id + " not accepted within " +
                           std::to_string(kAcceptanceDays) + " working days"
                     : "Yellow alert: " + p.case_id + " awaits acceptance, " +
                           std::to_string(v.remaining_days) + " working days left";
    m.body_en = "Acceptance must be decided within " + std::to_string(kAcceptanceDays) +
                " working days of filing (deadline " + deadline_text(v) +
                "); after that the application counts as accepted from the day it was filed.";
    return m;
  }
  if (v.alert == core::Alert::red) {
    m.kind = "alert.red";
    m.title = v.remaining_days < 0
                  ? "红灯预警：" + subject + "已超期" + std::to_string(-v.remaining_days) + unit(v)
                  : "红灯预警：" + subject + "已超过法定办理时限";
  } else {
    m.kind = "alert.yellow";
    m.title = "黄灯预警：" + subject + "剩余" + std::to_string(v.remaining_days) + unit(v);
  }
  m.body = "承办部门：" + p.dept_id + "；法定时限" + std::to_string(v.limit_days) + unit(v) +
           "；截止日期：" + (v.deadline ? core::format_date(*v.deadline) : "计时暂停中") +
           "。请督促办理。";
  return m;
}

}  // namespace

Result<SweepReport> Service::sweep(const identity::Principal& by) {
  if (!by.is_official() ||
      !(by.has_role(identity::Role::supervisor) || by.has_role(identity::Role::admin))) {
    return fail(ErrorCode::forbidden, "", "只有监察人员或管理员可以发起巡检",
                "only supervisors and administrators may run a sweep");
  }
  return sweep();
}

Result<SweepReport> Service::sweep() {
  auto& impl = *impl_;
  const core::Millis now = impl.clock.now_ms();
  // The clock readings are computed in a read snapshot so that the single SQLite writer is held
  // only for the few rows that change; the write re-checks each case's revision and skips any
  // case changed in between (the next sweep sees it).
  auto planned = impl.store.read(
      [&](store::Tx& tx) -> Result<Scan> { return scan(tx, now, impl.options.yellow_days); });
  if (!planned) return fail(planned.error());

  return impl.store.write([&](store::Tx& tx) -> Result<SweepReport> {
    SweepReport report;
    report.scanned = planned->scanned;
    std::optional<std::vector<std::string>> supervisors;
    std::map<std::string, std::vector<std::string>> recipients;  // by department
    for (const auto& p : planned->changes) {
      auto current = tx.query_one(
          std::string("SELECT revision FROM cases WHERE id = ? AND ") + kWatched, {p.case_id});
      if (!current || current->int64(0) != p.revision) continue;
      auto row = tx.query_one("SELECT raised_level, clock FROM case_alerts WHERE case_id = ?",
                              {p.case_id});
      if (row && row->text(1) != p.clock) {
        // Accepted since: the decision clock's alerts are raised afresh.
        tx.exec("DELETE FROM case_alerts WHERE case_id = ?", {p.case_id});
        row.reset();
      }
      core::Alert raised = row ? parse_alert(row->text(0)) : core::Alert::none;
      const ClockView& v = p.view;
      if (rank(v.alert) > rank(raised)) {
        tx.exec(
            "INSERT INTO case_alerts (case_id, dept_id, level, raised_level, remaining_days, "
            "deadline, raised_at_ms, updated_at_ms, clock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (case_id) DO UPDATE SET dept_id = excluded.dept_id, level = "
            "excluded.level, raised_level = excluded.raised_level, remaining_days = "
            "excluded.remaining_days, deadline = excluded.deadline, raised_at_ms = "
            "excluded.raised_at_ms, updated_at_ms = excluded.updated_at_ms, clock = "
            "excluded.clock",
            {p.case_id, p.dept_id, std::string(core::to_string(v.alert)),
             std::string(core::to_string(v.alert)), std::int64_t{v.remaining_days},
             deadline_text(v), now, now, p.clock});
        (v.alert == core::Alert::red ? report.raised_red : report.raised_yellow)++;

        json data{{"level", core::to_string(v.alert)},
                  {"clock", p.clock},
                  {"remaining_days", v.remaining_days},
                  {"deadline", v.deadline ? json(core::format_date(*v.deadline)) : json(nullptr)},
                  {"dept_id", p.dept_id}};
        events::append(tx, impl.clock,
                       {.type = "case.alert_raised",
                        .subject_type = "case",
                        .subject_id = p.case_id,
                        .actor = events::system_actor(),
                        .before_json = json{{"level", core::to_string(raised)}}.dump(),
                        .after_json = json{{"level", core::to_string(v.alert)}}.dump(),
                        .data_json = data.dump()});

        auto& to = recipients[p.dept_id];
        if (to.empty()) to = detail::oversight_recipients(tx, p.dept_id);
        detail::post_inbox(tx, impl.random, now, to, alert_message(p));
      } else if (row) {
        tx.exec(
            "UPDATE case_alerts SET level = ?, remaining_days = ?, deadline = ?, updated_at_ms = ? "
            "WHERE case_id = ?",
            {std::string(core::to_string(v.alert)), std::int64_t{v.remaining_days},
             deadline_text(v), now, p.case_id});
      }
    }
    report.cleared = static_cast<int>(tx.exec(
        std::string("DELETE FROM case_alerts WHERE case_id NOT IN (SELECT id FROM cases WHERE ") +
        kWatched + ")"));
    tx.exec(
        "INSERT INTO supervision_meta (name, value) VALUES ('last_sweep_ms', ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        {now});
    return report;
  });
}

namespace {

// Supervisors and admins see every department; approvers their own. Narrows `dept_id` in place.
Status oversight_scope(const identity::Principal& by, std::string_view& dept_id) {
  const bool all = by.is_official() &&
                   (by.has_role(identity::Role::supervisor) || by.has_role(identity::Role::admin));
  if (all) return {};
  if (!by.is_official() || !by.has_role(identity::Role::approver)) {
    return fail(ErrorCode::forbidden, "", "无权查看电子监察数据",
                "only supervisors, administrators and approvers may see oversight data");
  }
  if (!dept_id.empty() && dept_id != by.dept_id) {
    return fail(ErrorCode::forbidden, "/dept", "只能查看本部门的数据",
                "approvers see their own department only");
  }
  dept_id = by.dept_id;
  return {};
}

}  // namespace

Result<std::vector<CertificateReuse>> Service::certificate_reuse(const identity::Principal& by,
                                                                 std::string_view dept_id) {
  if (auto st = oversight_scope(by, dept_id); !st) return fail(st.error());
  const std::string dept(dept_id);
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<CertificateReuse>> {
    std::string sql = "SELECT item_code, item_name, materials_json FROM cases";
    store::Params params;
    if (!dept.empty()) {
      sql += " WHERE dept_id = ?";
      params.push_back(dept);
    }
    std::map<std::string, CertificateReuse> by_item;
    for (const auto& row : tx.query(sql + " ORDER BY item_code", params)) {
      auto& r = by_item[row.text(0)];
      r.item_code = row.text(0);
      r.item_name = row.text(1);
      r.cases += 1;
      for (const auto& m : workflow::materials_from_json(row.text(2))) {
        r.materials += 1;
        if (!m.certificate_id.empty()) r.by_certificate += 1;
      }
    }
    std::vector<CertificateReuse> out;
    for (auto& [code, r] : by_item) out.push_back(std::move(r));
    return out;
  });
}

namespace {

DeptRollup& rollup_of(std::map<std::string, DeptRollup>& by_dept, const std::string& id) {
  auto& r = by_dept[id];
  r.dept_id = id;
  return r;
}

// The cases of the window completed, and of those the ones on time (see DeptRollup).
void count_on_time_30d(store::Tx& tx, std::map<std::string, DeptRollup>& by_dept,
                       const std::string& dept, core::Millis now, int yellow_days) {
  detail::for_each_completed(tx, detail::window_start(now, 30), dept, yellow_days,
                             [&](const detail::CompletedClock& c) {
                               auto& r = rollup_of(by_dept, c.dept_id);
                               ++r.completed_30d;
                               r.completed_on_time_30d += c.on_time;
                             });
}

}  // namespace

std::optional<double> on_time_rate(std::int64_t on_time, std::int64_t completed,
                                   std::int64_t red) {
  const std::int64_t counted = completed + red;
  if (counted <= 0) return std::nullopt;
  return static_cast<double>(on_time) / static_cast<double>(counted);
}

core::Millis detail::window_start(core::Millis now, int days) {
  const std::int32_t first_day = core::days_from_epoch(core::china_date(now)) - (days - 1);
  return core::china_midnight(core::date_from_days(first_day));
}

void detail::for_each_completed(store::Tx& tx, core::Millis since, const std::string& dept_id,
                                int yellow_days,
                                const std::function<void(const CompletedClock&)>& fn) {
  const std::string where = "c.state = 'completed' AND c.completed_at_ms >= ?" +
                            std::string(dept_id.empty() ? "" : " AND c.dept_id = ?");
  store::Params params{since};
  if (!dept_id.empty()) params.emplace_back(dept_id);
  auto pauses = pauses_by_case(tx, where, params);
  const auto calendar = load_calendar(tx);
  static const std::vector<core::Pause> kNone;
  for (const auto& row : tx.query("SELECT c.id, c.dept_id, c.accepted_at_ms, c.decided_at_ms, "
                                  "c.limit_days, c.natural_days FROM cases c WHERE " +
                                      where,
                                  params)) {
    CompletedClock c;
    c.dept_id = row.text(1);
    c.limit_days = static_cast<int>(row.int64(4));
    auto accepted = row.opt_int64(2);
    auto decided = row.opt_int64(3);
    if (accepted && decided) {
      auto p = pauses.find(row.text(0));
      ClockView v = clock_view(calendar, *accepted, c.limit_days, row.int64(5) != 0,
                               p == pauses.end() ? kNone : p->second, *decided, yellow_days);
      c.on_time = v.alert != core::Alert::red;
      c.used_days = v.used_days;
    }
    fn(c);
  }
}

Result<AlertReport> Service::alerts(const identity::Principal& by, std::string_view dept_id) {
  if (auto st = oversight_scope(by, dept_id); !st) return fail(st.error());
  auto& impl = *impl_;
  const core::Millis now = impl.clock.now_ms();
  const std::string dept(dept_id);
  return impl.store.read([&](store::Tx& tx) -> Result<AlertReport> {
    AlertReport report;
    std::string filter = dept.empty() ? "" : " AND a.dept_id = ?";
    store::Params params;
    if (!dept.empty()) params.emplace_back(dept);
    // Bounded: the roll-ups carry the totals; a list longer than this is not read by anyone.
    for (const auto& row : tx.query(
             "SELECT a.case_id, c.item_name, a.dept_id, a.level, a.remaining_days, a.deadline, "
             "a.raised_at_ms, a.clock FROM case_alerts a JOIN cases c ON c.id = a.case_id "
             "WHERE a.level IN ('yellow', 'red')" +
                 filter +
                 " ORDER BY CASE a.level WHEN 'red' THEN 0 ELSE 1 END, a.remaining_days, a.case_id "
                 "LIMIT 2000",
             params)) {
      report.alerts.push_back(AlertRow{row.text(0), row.text(1), row.text(2), row.text(7),
                                       parse_alert(row.text(3)), static_cast<int>(row.int64(4)),
                                       parse_deadline(row.text(5)), row.int64(6)});
    }

    std::map<std::string, DeptRollup> by_dept;
    auto rollup = [&](const std::string& id) -> DeptRollup& { return rollup_of(by_dept, id); };
    std::string dept_where = dept.empty() ? "" : " AND dept_id = ?";
    for (const auto& row : tx.query("SELECT id, name FROM departments WHERE 1 = 1" +
                                        std::string(dept.empty() ? "" : " AND id = ?"),
                                    params)) {
      rollup(row.text(0)).dept_name = row.text(1);
    }
    for (const auto& row : tx.query(std::string("SELECT dept_id, COUNT(*) FROM cases WHERE ") +
                                        kUnderClock + dept_where + " GROUP BY dept_id",
                                    params)) {
      rollup(row.text(0)).open = row.int64(1);
    }
    // Alerts of cases that left the clock linger until the next sweep; the join drops them, as
    // on the cockpit.
    for (const auto& row : tx.query(std::string("SELECT c.dept_id, a.level, COUNT(*) FROM "
                                                "case_alerts a JOIN cases c ON c.id = a.case_id "
                                                "WHERE a.level IN ('yellow', 'red') AND ") +
                                        kWatched + (dept.empty() ? "" : " AND c.dept_id = ?") +
                                        " GROUP BY c.dept_id, a.level",
                                    params)) {
      auto& r = rollup(row.text(0));
      (row.text(1) == "red" ? r.red : r.yellow) = row.int64(2);
    }
    count_on_time_30d(tx, by_dept, dept, now, impl.options.yellow_days);
    for (auto& [id, r] : by_dept) {
      r.on_time_rate = on_time_rate(r.completed_on_time_30d, r.completed_30d, r.red);
      report.departments.push_back(std::move(r));
    }

    if (auto row =
            tx.query_one("SELECT value FROM supervision_meta WHERE name = 'last_sweep_ms'")) {
      report.swept_at_ms = row->int64(0);
    }
    return report;
  });
}

Result<std::vector<InboxMessage>> Service::inbox(const identity::Principal& by, bool unread_only,
                                                 int limit, int offset) {
  limit = std::clamp(limit, 1, 200);
  offset = std::max(offset, 0);
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<InboxMessage>> {
    std::vector<InboxMessage> out;
    for (const auto& row : tx.query(
             std::string("SELECT id, kind, title, body, subject_type, subject_id, created_at_ms, "
                         "read_at_ms, title_en, body_en FROM inbox WHERE user_id = ?") +
                 (unread_only ? " AND read_at_ms IS NULL" : "") +
                 " ORDER BY created_at_ms DESC, id LIMIT ? OFFSET ?",
             {by.user_id, std::int64_t{limit}, std::int64_t{offset}})) {
      out.push_back(InboxMessage{row.text(0), row.text(1), row.text(2), row.text(3), row.text(4),
                                 row.text(5), row.int64(6), !row.is_null(7), row.text(8),
                                 row.text(9)});
    }
    return out;
  });
}

// Reading one's own notification changes nothing anyone else sees, so no event is recorded: the
// outbox is for acts on shared state (the alert that sent the message is recorded already).
Status Service::mark_read(std::string_view message_id, const identity::Principal& by) {
  auto& impl = *impl_;
  const core::Millis now = impl.clock.now_ms();
  return impl.store.write([&](store::Tx& tx) -> Status {
    auto row = tx.query_one("SELECT read_at_ms FROM inbox WHERE id = ? AND user_id = ?",
                            {std::string(message_id), by.user_id});
    if (!row) return fail(ErrorCode::not_found, "", "消息不存在", "no such message");
    if (row->is_null(0)) {
      tx.exec("UPDATE inbox SET read_at_ms = ? WHERE id = ?", {now, std::string(message_id)});
    }
    return {};
  });
}

// ---- SupervisionLoop ----------------------------------------------------------------------------

struct SupervisionLoop::Impl {
  Service& service;
  std::chrono::seconds period;
  // Guards no state: it is only the lock the timed, stoppable wait needs.
  std::mutex mutex;
  std::condition_variable_any wake;
  std::jthread thread;  // last: joined (after a stop request) before the members above go away

  Impl(Service& s, std::chrono::seconds p) : service(s), period(p) {
    thread = std::jthread([this](std::stop_token stop) { run(stop); });
  }

  // Sweeps at once, then every period: after a restart the readings (days over, 今日到期) are
  // today's, not those of the last sweep before the server stopped.
  void run(std::stop_token stop) {
    for (bool first = true;; first = false) {
      if (!first) {
        std::unique_lock lock(mutex);
        // Returns early, with `stop` set, when the loop is destroyed.
        wake.wait_for(lock, stop, period, [] { return false; });
      }
      if (stop.stop_requested()) return;
      try {
        auto r = service.sweep();
        if (!r) {
          std::cerr << "supervision: sweep failed: " << r.error().message_en << "\n";
        }
      } catch (const std::exception& e) {
        std::cerr << "supervision: sweep failed: " << e.what() << "\n";
      }
    }
  }
};

SupervisionLoop::SupervisionLoop(Service& service, std::chrono::seconds period)
    : impl_(std::make_unique<Impl>(service, period)) {}

SupervisionLoop::~SupervisionLoop() {
  impl_->thread.request_stop();
  impl_->thread.join();
}

}  // namespace yiwang::cases
