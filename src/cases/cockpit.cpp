// The leadership cockpit (领导驾驶舱): city-wide KPIs in one read. Counts, channels, ratings and
// the daily trend are SQL aggregates; red/yellow come from the last sweep's case_alerts, as on the
// supervision page, so both screens agree. Only the on-time and working-day figures need the
// statutory clock per case, and only for the cases completed within the window, which bounds the
// work by recent throughput rather than by the size of the history; they are read through the
// same function as supervision's (detail::for_each_completed) and the rate is cases::on_time_rate.
#include <array>
#include <map>

#include "cases/internal.h"

namespace yiwang::cases {
namespace {

// How long a cockpit stays current when nothing changes (the date and the clocks move on).
constexpr core::Millis kCockpitMaxAgeMs = 60'000;

constexpr std::array kStates{State::submitted, State::correction,   State::in_review,
                             State::suspended, State::not_accepted, State::granted,
                             State::denied,    State::completed,    State::withdrawn};

// The states supervision watches: awaiting acceptance, or under the decision clock (running or
// paused). Alerts of cases in other states are stale until the next sweep.
constexpr const char* kWatched =
    "c.state IN ('submitted', 'in_review', 'suspended', 'correction')";

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

// One cockpit read: each pass is one query (or two) over the snapshot, accumulating per
// department; finish() turns the sums into rates.
class CockpitRead {
 public:
  CockpitRead(store::Tx& tx, CockpitSummary& s, core::Millis since, std::int32_t first_day,
              int yellow_days)
      : tx_(tx), s_(s), since_(since), first_day_(first_day), yellow_days_(yellow_days) {}

  // Everything countable in one pass over the cases.
  void counts() {
    std::map<State, std::int64_t> by_state;
    for (const auto& row : tx_.query("SELECT dept_id, state, channel, COUNT(*) FROM cases GROUP "
                                     "BY dept_id, state, channel")) {
      const std::int64_t n = row.int64(3);
      auto state = parse_state(row.text(1));
      auto& a = dept(row.text(0));
      a.d.total += n;
      s_.cases += n;
      (row.text(2) == "online" ? s_.online : s_.window) += n;
      if (!state) continue;
      by_state[*state] += n;
      if (is_open(*state)) {
        a.d.open += n;
        s_.open += n;
      }
      if (*state == State::completed) {
        a.d.completed += n;
        s_.completed += n;
      }
    }
    for (State st : kStates) {
      auto it = by_state.find(st);
      s_.by_state.emplace_back(st, it == by_state.end() ? 0 : it->second);
    }
    s_.online_rate = ratio(static_cast<double>(s_.online), s_.cases);
  }

  // Red and yellow from the last sweep. Alert rows of cases that left the clock linger until the
  // next sweep; the join drops them.
  void alerts() {
    for (const auto& row : tx_.query(
             std::string("SELECT c.dept_id, a.level, COUNT(*) FROM case_alerts a JOIN cases c ON "
                         "c.id = a.case_id WHERE a.level IN ('yellow', 'red') AND ") +
             kWatched + " GROUP BY c.dept_id, a.level")) {
      const std::int64_t n = row.int64(2);
      if (row.text(1) == "red") {
        dept(row.text(0)).d.overdue += n;
        s_.red += n;
      } else {
        s_.yellow += n;
      }
    }
    for (const auto& row :
         tx_.query(std::string("SELECT a.case_id, c.item_name, c.dept_id, a.remaining_days, "
                               "a.deadline, c.natural_days, a.clock "
                               "FROM case_alerts a JOIN cases c ON c.id = a.case_id WHERE "
                               "a.level = 'red' AND ") +
                   kWatched + " ORDER BY a.remaining_days, a.case_id LIMIT 20")) {
      CockpitOverdue o;
      o.case_id = row.text(0);
      o.clock = row.text(6);
      o.item_name = row.text(1);
      o.dept_id = row.text(2);
      o.days_over = std::max(0, -static_cast<int>(row.int64(3)));
      o.natural_days = row.int64(5) != 0;
      core::Date d;
      if (core::parse_date(row.text(4), d)) o.deadline = d;
      s_.overdue.push_back(std::move(o));
    }
  }

  void ratings() {
    for (const auto& row :
         tx_.query("SELECT dept_id, COUNT(*), SUM(level), SUM(CASE WHEN level >= 4 THEN 1 ELSE 0 "
                   "END) FROM ratings GROUP BY dept_id")) {
      auto& a = dept(row.text(0));
      a.ratings = row.int64(1);
      a.good = row.int64(3);
      s_.rating_count += a.ratings;
      s_.rating_average = s_.rating_average.value_or(0) + static_cast<double>(row.int64(2));
      s_.good_rate = s_.good_rate.value_or(0) + static_cast<double>(a.good);
    }
    if (s_.rating_count > 0) {
      *s_.rating_average /= static_cast<double>(s_.rating_count);
      *s_.good_rate /= static_cast<double>(s_.rating_count);
    }
  }

  // On time and working days used: the clock read at the decision, as in DeptRollup (one
  // computation, detail::for_each_completed), for the cases completed in the window.
  void on_time() {
    detail::for_each_completed(tx_, since_, "", yellow_days_, [&](const detail::CompletedClock& c) {
      auto& a = dept(c.dept_id);
      ++a.d.period_completed;
      a.limit_sum += c.limit_days;
      a.used_sum += c.used_days;
      a.d.period_on_time += c.on_time;
    });
  }

  // Department names and rates, and the city's totals over the departments.
  void finish() {
    for (const auto& row : tx_.query("SELECT id, name FROM departments")) {
      auto it = depts_.find(row.text(0));
      if (it != depts_.end()) it->second.d.dept_name = row.text(1);
    }
    std::int64_t used_sum = 0;
    std::int64_t limit_sum = 0;
    for (auto& [id, a] : depts_) {
      if (a.d.total == 0) continue;  // ratings of a department whose cases are gone
      if (a.d.dept_name.empty()) a.d.dept_name = id;
      a.d.on_time_rate = on_time_rate(a.d.period_on_time, a.d.period_completed, a.d.overdue);
      a.d.avg_working_days = ratio(static_cast<double>(a.used_sum), a.d.period_completed);
      a.d.promised_days = ratio(static_cast<double>(a.limit_sum), a.d.period_completed);
      a.d.satisfaction = ratio(static_cast<double>(a.good), a.ratings);
      s_.period_completed += a.d.period_completed;
      s_.period_on_time += a.d.period_on_time;
      used_sum += a.used_sum;
      limit_sum += a.limit_sum;
      s_.departments.push_back(a.d);
    }
    std::stable_sort(s_.departments.begin(), s_.departments.end(),
                     [](const CockpitDept& x, const CockpitDept& y) { return x.total > y.total; });
    s_.on_time_rate = on_time_rate(s_.period_on_time, s_.period_completed, s_.red);
    s_.avg_working_days = ratio(static_cast<double>(used_sum), s_.period_completed);
    s_.avg_promised_days = ratio(static_cast<double>(limit_sum), s_.period_completed);
    for (auto& o : s_.overdue) {
      auto it = depts_.find(o.dept_id);
      o.dept_name = it == depts_.end() ? o.dept_id : it->second.d.dept_name;
    }
  }

  // The daily trend: one bucket per civil day, filled from two grouped counts.
  void trend() {
    s_.trend.reserve(static_cast<std::size_t>(s_.days));
    for (int i = 0; i < s_.days; ++i)
      s_.trend.push_back(CockpitDay{core::date_from_days(first_day_ + i)});
    auto bucket = [&](std::int64_t day) -> CockpitDay* {
      const std::int64_t i = day - first_day_;
      return i >= 0 && i < s_.days ? &s_.trend[static_cast<std::size_t>(i)] : nullptr;
    };
    for (const auto& row :
         tx_.query("SELECT " + china_day_of("submitted_at_ms") +
                       ", COUNT(*) FROM cases WHERE submitted_at_ms >= ? GROUP BY 1",
                   {since_})) {
      if (auto* b = bucket(row.int64(0))) b->filed = row.int64(1);
    }
    for (const auto& row : tx_.query("SELECT " + china_day_of("completed_at_ms") +
                                         ", COUNT(*) FROM cases WHERE state = 'completed' AND "
                                         "completed_at_ms >= ? GROUP BY 1",
                                     {since_})) {
      if (auto* b = bucket(row.int64(0))) b->completed = row.int64(1);
    }
    if (auto row =
            tx_.query_one("SELECT value FROM supervision_meta WHERE name = 'last_sweep_ms'")) {
      s_.swept_at_ms = row->int64(0);
    }
  }

 private:
  DeptAcc& dept(const std::string& id) {
    auto& a = depts_[id];
    a.d.dept_id = id;
    return a;
  }

  store::Tx& tx_;
  CockpitSummary& s_;
  const core::Millis since_;
  const std::int32_t first_day_;
  const int yellow_days_;
  std::map<std::string, DeptAcc> depts_;
};

}  // namespace

Result<CockpitSummary> detail::cockpit_summary(store::Store& store, const Options& options,
                                               int days, core::Millis now) {
  const core::Date today = core::china_date(now);
  const std::int32_t first_day = core::days_from_epoch(today) - (days - 1);
  const core::Millis since = detail::window_start(now, days);
  return store.read([&](store::Tx& tx) -> Result<CockpitSummary> {
    CockpitSummary s;
    s.generated_at_ms = now;
    s.days = days;
    s.period_from = core::date_from_days(first_day);
    s.period_to = today;
    CockpitRead read(tx, s, since, first_day, options.yellow_days);
    read.counts();
    read.alerts();
    read.ratings();
    read.on_time();
    read.finish();
    read.trend();
    return s;
  });
}

std::unique_ptr<detail::CockpitCache> detail::cockpit_cache(store::Store& store,
                                                            const core::Clock& clock,
                                                            const Options& options) {
  CockpitCache::Source source{
      "cockpit",
      [&store](const int&, core::Millis) {
        return store.read(
            [](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
      },
      [&store, &options](const int& days, core::Millis now) {
        return cockpit_summary(store, options, days, now);
      }};
  return std::make_unique<CockpitCache>(std::move(source), clock, kCockpitMaxAgeMs);
}

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
  return impl_->cockpit->get(days).map(
      [](const detail::CockpitCache::Shared& c) { return c->value; });
}

Result<std::map<std::string, std::int64_t>> Service::applications_per_item() {
  return impl_->store.read([](store::Tx& tx) -> Result<std::map<std::string, std::int64_t>> {
    std::map<std::string, std::int64_t> out;
    for (const auto& row : tx.query("SELECT item_code, COUNT(*) FROM cases GROUP BY item_code")) {
      out[row.text(0)] = row.int64(1);
    }
    return out;
  });
}

}  // namespace yiwang::cases
