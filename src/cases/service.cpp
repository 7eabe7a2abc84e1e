#include "cases/internal.h"

namespace yiwang::generated {
std::vector<store::Migration> cases_migrations();
}

namespace yiwang::cases {

std::vector<store::Migration> migrations() {
  return generated::cases_migrations();
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 catalog::Service& catalog, identity::Service& identity, Options options)
    : impl_(std::make_unique<Impl>(store, clock, random, catalog, identity, std::move(options))) {}

Service::~Service() = default;

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  detail::register_case_routes(router, service, identity);
  detail::register_oversight_routes(router, service, identity);
  detail::register_cockpit_routes(router, service, identity);
}

namespace detail {

core::WorkingCalendar load_calendar(store::Tx& tx) {
  auto calendar = core::WorkingCalendar::china_2026();
  for (const auto& row : tx.query("SELECT day, kind FROM calendar_days ORDER BY day")) {
    auto day = core::date_from_days(static_cast<std::int32_t>(row.int64(0)));
    auto kind = row.text(1);
    if (kind == "holiday") {
      calendar.set(day, core::DayKind::holiday);
    } else if (kind == "workday") {
      calendar.set(day, core::DayKind::workday);
    } else {
      calendar.clear(day);
    }
  }
  return calendar;
}

std::vector<core::Pause> load_pauses(store::Tx& tx, std::string_view case_id) {
  std::vector<core::Pause> pauses;
  for (const auto& row :
       tx.query("SELECT start_ms, end_ms FROM case_pauses WHERE case_id = ? ORDER BY seq",
                {std::string(case_id)})) {
    pauses.push_back(core::Pause{row.int64(0), row.opt_int64(1)});
  }
  return pauses;
}

ClockView clock_view(const core::WorkingCalendar& calendar, core::Millis accepted_at_ms,
                     int limit_days, bool natural_days, const std::vector<core::Pause>& pauses,
                     core::Millis now_ms, int yellow_days) {
  auto r = core::read_clock(calendar, accepted_at_ms, limit_days, pauses, now_ms, natural_days,
                            yellow_days);
  ClockView v;
  v.limit_days = r.limit_days;
  v.natural_days = natural_days;
  v.used_days = r.used_days;
  v.remaining_days = r.remaining_days;
  v.deadline = r.deadline;
  v.paused = r.paused;
  v.alert = r.alert;
  return v;
}

}  // namespace detail
}  // namespace yiwang::cases
