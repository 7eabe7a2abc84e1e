// The leadership cockpit (领导驾驶舱): city-wide KPIs in one read. Counts, channels, ratings and
// the daily trend are SQL aggregates; red/yellow come from the last sweep's case_alerts, as on the
// supervision page, so both screens agree. Only the on-time and working-day figures need the
// statutory clock per case, and only for the cases completed within the window, which bounds the
// work by recent throughput rather than by the size of the history.
#include <array>
#include <map>
#include <unordered_map>

#include "cases/internal.h"

namespace yiwang::cases {
namespace {

constexpr std::array kStates{State::submitted, State::correction,   State::in_review,
                             State::suspended, State::not_accepted, State::granted,
                             State::denied,    State::completed,    State::withdrawn};

// The states in which the statutory clock runs or is paused after acceptance (see supervision).
constexpr const char* kUnderClock = "c.state IN ('in_review', 'suspended', 'correction')";

// Civil day (UTC+8) of a millisecond column, as days since 1970-01-01: integer division on both
// backends for the non-negative instants the store holds.
std::string china_day_of(std::string_view column) {
  return "(" + std::string(column) + " + " + std::to_string(core::kChinaOffsetMs) + ") / " +
         std::to_string(core::kDayMs);
}

std::optional<double> ratio(double num, std::int64_t den) {
  if (den <= 0) return std::nullopt;
  return num / static_cast<double>(den);
}

struct DeptAcc {
  CockpitDept d;
  std::int64_t used_sum = 0;
  std::int64_t limit_sum = 0;
  std::int64_t ratings = 0;
  std::int64_t good = 0;
};

}  // namespace

Result<CockpitSummary> Service::cockpit(const identity::Principal& by, int days) {
  if (!by.is_official() ||
      !(by.has_role(identity::Role::supervisor) || by.has_role(identity::Role::admin))) {
    return fail(ErrorCode::forbidden, "", "只有监察人员或管理员可以查看领导驾驶舱",
                "only supervisors and administrators may see the cockpit");
  }
  if (days < 7 || days > 90) {
    return fail(ErrorCode::invalid_input, "/days", "天数须在7至90之间",
                "days must be between 7 and 90");
  }
  auto& impl = *impl_;
  const core::Millis now = impl.clock.now_ms();
  const core::Date today = core::china_date(now);
  const std::int32_t first_day = core::days_from_epoch(today) - (days - 1);
  const core::Millis since = core::china_midnight(core::date_from_days(first_day));
  const int yellow_days = impl.options.yellow_days;

  return impl.store.read([&](store::Tx& tx) -> Result<CockpitSummary> {
    CockpitSummary s;
    s.generated_at_ms = now;
    s.days = days;
    s.period_from = core::date_from_days(first_day);
    s.period_to = today;

    std::map<std::string, DeptAcc> depts;
    auto dept = [&](const std::string& id) -> DeptAcc& {
      auto& a = depts[id];
      a.d.dept_id = id;
      return a;
    };

    // Everything countable in one pass over the cases.
    std::map<State, std::int64_t> by_state;
    for (const auto& row : tx.query("SELECT dept_id, state, channel, COUNT(*) FROM cases GROUP BY "
                                    "dept_id, state, channel")) {
      const std::int64_t n = row.int64(3);
      auto state = parse_state(row.text(1));
      auto& a = dept(row.text(0));
      a.d.total += n;
      s.cases += n;
      if (row.text(2) == "online") {
        s.online += n;
      } else {
        s.window += n;
      }
      if (!state) continue;
      by_state[*state] += n;
      if (is_open(*state)) {
        a.d.open += n;
        s.open += n;
      }
      if (*state == State::completed) {
        a.d.completed += n;
        s.completed += n;
      }
    }
    for (State st : kStates) {
      auto it = by_state.find(st);
      s.by_state.emplace_back(st, it == by_state.end() ? 0 : it->second);
    }
    s.online_rate = ratio(static_cast<double>(s.online), s.cases);

    // Alert rows of cases that left the clock linger until the next sweep; the join drops them.
    for (const auto& row : tx.query(
             std::string("SELECT c.dept_id, a.level, COUNT(*) FROM case_alerts a JOIN cases c ON "
                         "c.id = a.case_id WHERE a.level IN ('yellow', 'red') AND ") +
             kUnderClock + " GROUP BY c.dept_id, a.level")) {
      const std::int64_t n = row.int64(2);
      if (row.text(1) == "red") {
        dept(row.text(0)).d.overdue += n;
        s.red += n;
      } else {
        s.yellow += n;
      }
    }
    for (const auto& row :
         tx.query(std::string("SELECT a.case_id, c.item_name, c.dept_id, a.remaining_days, "
                              "a.deadline, c.natural_days "
                              "FROM case_alerts a JOIN cases c ON c.id = a.case_id WHERE a.level = "
                              "'red' AND ") +
                  kUnderClock + " ORDER BY a.remaining_days, a.case_id LIMIT 20")) {
      CockpitOverdue o;
      o.case_id = row.text(0);
      o.item_name = row.text(1);
      o.dept_id = row.text(2);
      o.days_over = std::max(0, -static_cast<int>(row.int64(3)));
      o.natural_days = row.int64(5) != 0;
      core::Date d;
      if (core::parse_date(row.text(4), d)) o.deadline = d;
      s.overdue.push_back(std::move(o));
    }

    for (const auto& row :
         tx.query("SELECT dept_id, COUNT(*), SUM(level), SUM(CASE WHEN level >= 4 THEN 1 ELSE 0 "
                  "END) FROM ratings GROUP BY dept_id")) {
      auto& a = dept(row.text(0));
      a.ratings = row.int64(1);
      a.good = row.int64(3);
      s.rating_count += a.ratings;
      s.rating_average = s.rating_average.value_or(0) + static_cast<double>(row.int64(2));
      s.good_rate = s.good_rate.value_or(0) + static_cast<double>(a.good);
    }
    if (s.rating_count > 0) {
      *s.rating_average /= static_cast<double>(s.rating_count);
      *s.good_rate /= static_cast<double>(s.rating_count);
    }

    // On time and working days used: the clock read at the decision, as in DeptRollup.
    std::unordered_map<std::string, std::vector<core::Pause>> pauses;
    for (const auto& row : tx.query(
             "SELECT p.case_id, p.start_ms, p.end_ms FROM case_pauses p JOIN cases c ON c.id = "
             "p.case_id WHERE c.state = 'completed' AND c.completed_at_ms >= ? "
             "ORDER BY p.case_id, p.seq",
             {since})) {
      pauses[row.text(0)].push_back(core::Pause{row.int64(1), row.opt_int64(2)});
    }
    const auto calendar = detail::load_calendar(tx);
    static const std::vector<core::Pause> kNone;
    std::int64_t used_sum = 0;
    std::int64_t limit_sum = 0;
    for (const auto& row : tx.query(
             "SELECT id, dept_id, accepted_at_ms, decided_at_ms, limit_days, natural_days FROM "
             "cases WHERE state = 'completed' AND completed_at_ms >= ?",
             {since})) {
      auto& a = dept(row.text(1));
      const int limit = static_cast<int>(row.int64(4));
      ++a.d.period_completed;
      a.limit_sum += limit;
      auto accepted = row.opt_int64(2);
      auto decided = row.opt_int64(3);
      bool on_time = true;  // decided at filing or acceptance (秒批, 即办件): no days used
      if (accepted && decided) {
        auto p = pauses.find(row.text(0));
        ClockView v =
            detail::clock_view(calendar, *accepted, limit, row.int64(5) != 0,
                               p == pauses.end() ? kNone : p->second, *decided, yellow_days);
        on_time = v.alert != core::Alert::red;
        a.used_sum += v.used_days;
      }
      if (on_time) ++a.d.period_on_time;
    }

    for (const auto& row : tx.query("SELECT id, name FROM departments")) {
      auto it = depts.find(row.text(0));
      if (it != depts.end()) it->second.d.dept_name = row.text(1);
    }
    for (auto& [id, a] : depts) {
      if (a.d.total == 0) continue;  // ratings of a department whose cases are gone
      if (a.d.dept_name.empty()) a.d.dept_name = id;
      a.d.on_time_rate = ratio(static_cast<double>(a.d.period_on_time), a.d.period_completed);
      a.d.avg_working_days = ratio(static_cast<double>(a.used_sum), a.d.period_completed);
      a.d.promised_days = ratio(static_cast<double>(a.limit_sum), a.d.period_completed);
      a.d.satisfaction = ratio(static_cast<double>(a.good), a.ratings);
      s.period_completed += a.d.period_completed;
      s.period_on_time += a.d.period_on_time;
      used_sum += a.used_sum;
      limit_sum += a.limit_sum;
      s.departments.push_back(a.d);
    }
    std::stable_sort(s.departments.begin(), s.departments.end(),
                     [](const CockpitDept& x, const CockpitDept& y) { return x.total > y.total; });
    s.on_time_rate = ratio(static_cast<double>(s.period_on_time), s.period_completed);
    s.avg_working_days = ratio(static_cast<double>(used_sum), s.period_completed);
    s.avg_promised_days = ratio(static_cast<double>(limit_sum), s.period_completed);
    for (auto& o : s.overdue) {
      auto it = depts.find(o.dept_id);
      o.dept_name = it == depts.end() ? o.dept_id : it->second.d.dept_name;
    }

    // The daily trend: one bucket per civil day, filled from two grouped counts.
    s.trend.reserve(static_cast<std::size_t>(days));
    for (int i = 0; i < days; ++i)
      s.trend.push_back(CockpitDay{core::date_from_days(first_day + i)});
    auto bucket = [&](std::int64_t day) -> CockpitDay* {
      const std::int64_t i = day - first_day;
      return i >= 0 && i < days ? &s.trend[static_cast<std::size_t>(i)] : nullptr;
    };
    for (const auto& row :
         tx.query("SELECT " + china_day_of("submitted_at_ms") +
                      ", COUNT(*) FROM cases WHERE submitted_at_ms >= ? GROUP BY 1",
                  {since})) {
      if (auto* b = bucket(row.int64(0))) b->filed = row.int64(1);
    }
    for (const auto& row : tx.query("SELECT " + china_day_of("completed_at_ms") +
                                        ", COUNT(*) FROM cases WHERE state = 'completed' AND "
                                        "completed_at_ms >= ? GROUP BY 1",
                                    {since})) {
      if (auto* b = bucket(row.int64(0))) b->completed = row.int64(1);
    }

    if (auto row =
            tx.query_one("SELECT value FROM supervision_meta WHERE name = 'last_sweep_ms'")) {
      s.swept_at_ms = row->int64(0);
    }
    return s;
  });
}

}  // namespace yiwang::cases
