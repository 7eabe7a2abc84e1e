// Reading appeals: one appeal with its history, scoped lists, the public board and the
// departments' roll-up. Clocks are read when read; the appellant is masked per reader.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "appeals/internal.h"
#include "disclosure/disclosure.h"

namespace yiwang::appeals {
namespace {

using namespace detail;
using Json = nlohmann::json;

Json parsed_or_empty(const std::string& text) {
  return Json::parse(text.empty() ? "{}" : text, nullptr, false);
}

// The appeal's events as steps; the appellant's own account is left out when they are hidden
// from this reader.
std::vector<Transition> history_of(store::Tx& tx, std::string_view id,
                                   const std::string& hidden_user) {
  std::vector<Transition> out;
  for (const auto& e : events::of_subject(tx, "appeal", id)) {
    Transition t;
    t.seq = e.seq;
    t.event = e.type;
    auto after = parsed_or_empty(e.after_json);
    auto before = parsed_or_empty(e.before_json);
    if (before.is_object()) t.from_state = before.value("state", "");
    if (after.is_object()) t.to_state = after.value("state", "");
    const bool hide = !hidden_user.empty() && e.actor.user_id == hidden_user;
    t.actor_user_id = hide ? "" : e.actor.user_id;
    t.actor_role = e.actor.role;
    t.actor_dept_id = e.actor.dept_id;
    t.reason = e.reason;
    t.at_ms = e.at_ms;
    out.push_back(std::move(t));
  }
  return out;
}

// The WHERE clause of a list: the reader's scope, then the filters asked for.
std::string list_where(const Query& q, const identity::Principal& by, const Options& o,
                       store::Params& params) {
  std::string where = " WHERE 1 = 1";
  if (!by.is_official()) {
    where += " AND appellant_user_id = ?";
    params.push_back(by.user_id);
  } else if (!workflow::sees_all(by, o)) {
    where += " AND dept_id = ?";
    params.push_back(by.dept_id);
  }
  if (!q.dept_id.empty()) {
    where += " AND dept_id = ?";
    params.push_back(q.dept_id);
  }
  if (q.state) {
    where += " AND state = ?";
    params.push_back(std::string(to_string(*q.state)));
  }
  if (q.type) {
    where += " AND type = ?";
    params.push_back(std::string(to_string(*q.type)));
  }
  return where;
}

double rate(std::int64_t part, std::int64_t whole) {
  return static_cast<double>(part) / static_cast<double>(whole);
}

// Every department that replied, best on-time rate first.
std::vector<BoardDept> board_departments(store::Tx& tx, const core::WorkingCalendar& calendar,
                                         int yellow_days) {
  std::map<std::string, BoardDept> depts;
  for (const auto& row :
       tx.query("SELECT dept_id, created_at_ms, limit_days, replied_at_ms FROM appeals "
                "WHERE replied_at_ms IS NOT NULL AND dept_id <> '' ORDER BY dept_id")) {
    auto& d = depts[row.text(0)];
    d.dept_id = row.text(0);
    ++d.replied;
    if (replied_on_time(calendar, row.int64(1), static_cast<int>(row.int64(2)), row.int64(3),
                        yellow_days)) {
      ++d.replied_on_time;
    }
  }
  std::vector<BoardDept> out;
  for (auto& [id, d] : depts) {
    d.on_time_rate = rate(d.replied_on_time, d.replied);
    out.push_back(d);
  }
  std::stable_sort(out.begin(), out.end(), [](const BoardDept& a, const BoardDept& b) {
    return a.on_time_rate.value_or(0) > b.on_time_rate.value_or(0);
  });
  return out;
}

// The consented, answered appeals, personal data removed.
void board_entries(store::Tx& tx, const core::WorkingCalendar& calendar, int yellow_days, int limit,
                   int offset, const std::string& dept, Board& out) {
  std::string where = " WHERE public_consent = 1 AND replied_at_ms IS NOT NULL";
  store::Params params;
  if (!dept.empty()) {
    where += " AND dept_id = ?";
    params.push_back(dept);
  }
  auto count = tx.query_one("SELECT COUNT(*) FROM appeals" + where, params);
  out.total = count ? count->int64(0) : 0;
  params.push_back(std::int64_t{std::clamp(limit, 1, 100)});
  params.push_back(std::int64_t{std::max(offset, 0)});
  const store::Rows rows =
      tx.query("SELECT id, type, title, text, dept_id, reply, created_at_ms, limit_days, "
               "replied_at_ms, appellant_name FROM appeals" +
                   where + " ORDER BY replied_at_ms DESC, id DESC LIMIT ? OFFSET ?",
               params);
  // What the publication review published for this page, where the redaction held a text.
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.text(0));
  using disclosure::Surface;
  auto shown = disclosure::shown(
      tx, {Surface::appeal_title, Surface::appeal_text, Surface::appeal_reply}, ids);
  const auto& titles = shown[Surface::appeal_title];
  const auto& texts = shown[Surface::appeal_text];
  const auto& replies = shown[Surface::appeal_reply];
  for (const auto& row : rows) {
    BoardEntry e;
    e.id = row.text(0);
    auto opened = [&](int i, const char* column) {
      return tx.cipher().open_cell(row.text(i), column, e.id);
    };
    const std::vector<std::string> names{opened(9, "appeals.appellant_name")};
    e.type = kTypes.stored(row.text(1));
    e.title = disclosure::public_text(opened(2, "appeals.title"), names, titles, e.id);
    e.text = disclosure::public_text(opened(3, "appeals.text"), names, texts, e.id);
    e.dept_id = row.text(4);
    e.reply = disclosure::public_text(opened(5, "appeals.reply"), names, replies, e.id);
    e.created_at_ms = row.int64(6);
    e.replied_at_ms = row.int64(8);
    e.on_time = replied_on_time(calendar, e.created_at_ms, static_cast<int>(row.int64(7)),
                                e.replied_at_ms, yellow_days);
    out.appeals.push_back(std::move(e));
  }
}

// The department a roll-up reader may ask for: their own unless they see every appeal.
Result<std::string> rollup_scope(const identity::Principal& by, std::string dept,
                                 const Options& o) {
  if (!by.is_official()) {
    return fail(ErrorCode::forbidden, "", "无权查看部门统计", "officials only");
  }
  if (workflow::sees_all(by, o)) return dept;
  if (!dept.empty() && dept != by.dept_id) {
    return fail(ErrorCode::forbidden, "/dept", "只能查看本部门的数据",
                "you see your own department only");
  }
  return by.dept_id;
}

// One appeal's row (dept_id, state, created_at_ms, limit_days, replied_at_ms) counted into `r`.
void count_into(DeptRollup& r, const store::Row& row, const core::WorkingCalendar& calendar,
                core::Millis now, int yellow_days) {
  const int limit_days = static_cast<int>(row.int64(3));
  if (auto replied = row.opt_int64(4)) {
    ++r.replied;
    if (replied_on_time(calendar, row.int64(2), limit_days, *replied, yellow_days)) {
      ++r.replied_on_time;
    }
    return;
  }
  auto state = parse_state(row.text(1)).value_or(State::accepted);
  if (state != State::dispatched && state != State::returned && state != State::handling) return;
  Appeal a;
  a.created_at_ms = row.int64(2);
  a.clock.limit_days = limit_days;
  fill_clock(a, calendar, now, yellow_days);
  ++r.open;
  if (a.clock.alert == core::Alert::red) ++r.overdue;
  if (a.clock.alert == core::Alert::yellow) ++r.yellow;
}

}  // namespace

bool Service::may_see_photo(store::Tx& tx, std::string_view sha256, const identity::Principal& by) {
  for (const auto& row :
       tx.query("SELECT appeal_id FROM appeal_photos WHERE sha256 = ?", {std::string(sha256)})) {
    auto r = load(tx, row.text(0));
    if (r && workflow::may_see(by, r->a, impl_->options)) return true;
  }
  return false;
}

Result<AppealDetail> Service::get(std::string_view id, const identity::Principal& by) {
  Impl& m = *impl_;
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<AppealDetail> {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(by, r->a, m.options)) return not_found();
    AppealDetail d;
    d.appeal = std::move(r->a);
    fill_clock(d.appeal, *calendar, m.clock.now_ms(), m.options.yellow_days);
    const std::string appellant = d.appeal.appellant.user_id;
    workflow::mask_for(d.appeal, by, m.options);
    d.history = history_of(tx, id, d.appeal.appellant.hidden ? appellant : "");
    return d;
  });
}

Result<AppealList> Service::list(const Query& q, const identity::Principal& by) {
  Impl& m = *impl_;
  store::Params params;
  const std::string where = list_where(q, by, m.options, params);
  store::Params page = params;
  page.push_back(std::int64_t{std::clamp(q.limit, 1, 200)});
  page.push_back(std::int64_t{std::max(q.offset, 0)});
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<AppealList> {
    AppealList out;
    auto count = tx.query_one("SELECT COUNT(*) FROM appeals" + where, params);
    out.total = count ? count->int64(0) : 0;
    const core::Millis now = m.clock.now_ms();
    for (const auto& row : tx.query(std::string("SELECT ") + kColumns + " FROM appeals" + where +
                                        " ORDER BY created_at_ms DESC, id DESC LIMIT ? OFFSET ?",
                                    page)) {
      Record r = record_from_row(row, tx.cipher());
      fill_clock(r.a, *calendar, now, m.options.yellow_days);
      workflow::mask_for(r.a, by, m.options);
      out.appeals.push_back(std::move(r.a));
    }
    return out;
  });
}

Result<Board> Service::board(int limit, int offset, std::string_view dept_id) {
  Impl& m = *impl_;
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  const std::string dept(dept_id);
  return m.store.read([&](store::Tx& tx) -> Result<Board> {
    Board out;
    out.departments = board_departments(tx, *calendar, m.options.yellow_days);
    board_entries(tx, *calendar, m.options.yellow_days, limit, offset, dept, out);
    return out;
  });
}

Result<std::vector<DeptRollup>> Service::rollup(const identity::Principal& by,
                                                std::string_view dept_id) {
  Impl& m = *impl_;
  auto scope = rollup_scope(by, std::string(dept_id), m.options);
  if (!scope) return fail(scope.error());
  const std::string dept = std::move(*scope);
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<DeptRollup>> {
    const core::Millis now = m.clock.now_ms();
    std::string sql =
        "SELECT dept_id, state, created_at_ms, limit_days, replied_at_ms FROM appeals "
        "WHERE dept_id <> ''";
    store::Params params;
    if (!dept.empty()) {
      sql += " AND dept_id = ?";
      params.push_back(dept);
    }
    std::map<std::string, DeptRollup> by_dept;
    if (!dept.empty()) by_dept[dept].dept_id = dept;
    for (const auto& row : tx.query(sql + " ORDER BY dept_id", params)) {
      auto& r = by_dept[row.text(0)];
      r.dept_id = row.text(0);
      count_into(r, row, *calendar, now, m.options.yellow_days);
    }
    std::vector<DeptRollup> out;
    for (auto& [id, r] : by_dept) {
      if (r.replied > 0) r.on_time_rate = rate(r.replied_on_time, r.replied);
      out.push_back(std::move(r));
    }
    return out;
  });
}

}  // namespace yiwang::appeals
