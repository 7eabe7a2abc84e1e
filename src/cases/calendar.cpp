// The editable working-day calendar: the built-in 2026 table overlaid with rows of calendar_days.
#include <nlohmann/json.hpp>

#include "cases/internal.h"
#include "core/utf8.h"

namespace yiwang::cases {
namespace {

using nlohmann::json;

bool is_admin(const identity::Principal& by) {
  return by.is_official() && by.has_role(identity::Role::admin);
}

std::string_view kind_name(core::DayKind k) {
  return k == core::DayKind::holiday ? "holiday" : "workday";
}

// How a day reads in `calendar`: its exception ("holiday" / "workday") or "default" when it
// follows the Mon–Fri rule, and whether it is a working day.
json day_json(const core::WorkingCalendar& calendar, core::Date day) {
  const auto& ex = calendar.exceptions();
  auto it = ex.find(core::days_from_epoch(day));
  return json{{"date", core::format_date(day)},
              {"kind", it == ex.end() ? "default" : std::string(kind_name(it->second))},
              {"working_day", calendar.is_working_day(day)}};
}

// Stores `kind` ("holiday" / "workday" / "default") for the day.
void store_day(store::Tx& tx, core::Millis now, core::Date day, std::string_view kind,
               const std::string& note, const identity::Principal& by) {
  tx.exec(
      "INSERT INTO calendar_days (day, kind, note, updated_by, updated_at_ms) VALUES (?, ?, ?, ?, "
      "?) "
      "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note, "
      "updated_by = excluded.updated_by, updated_at_ms = excluded.updated_at_ms",
      {std::int64_t{core::days_from_epoch(day)}, std::string(kind), note, by.user_id, now});
}

void record_change(store::Tx& tx, const core::Clock& clock, core::Date day,
                   const identity::Principal& by, const std::string& note, const json& before,
                   const json& after) {
  events::append(
      tx, clock,
      {.type = "calendar.changed",
       .subject_type = "calendar",
       .subject_id = core::format_date(day),
       .actor = identity::actor_of(by),
       .reason = note,
       .before_json = before.dump(),
       .after_json = after.dump()});
}

}  // namespace

Result<core::WorkingCalendar> Service::calendar() {
  return impl_->store.read(
      [](store::Tx& tx) -> Result<core::WorkingCalendar> { return detail::load_calendar(tx); });
}

Status Service::set_calendar_day(core::Date day, core::DayKind kind, std::string note,
                                 const identity::Principal& by) {
  if (!is_admin(by)) {
    return fail(ErrorCode::forbidden, "", "只有管理员可以修改工作日历",
                "only administrators may edit the working-day calendar");
  }
  if (!day.ok()) return fail(ErrorCode::invalid_input, "/date", "日期无效", "invalid date");
  if (core::utf8_length(note) > 200) {
    return fail(ErrorCode::invalid_input, "/note", "备注不能超过200字",
                "note must be at most 200 characters");
  }
  auto& impl = *impl_;
  return impl.store.write([&](store::Tx& tx) -> Status {
    auto calendar = detail::load_calendar(tx);
    json before = day_json(calendar, day);
    calendar.set(day, kind);
    json after = day_json(calendar, day);
    after["note"] = note;
    store_day(tx, impl.clock.now_ms(), day, kind_name(kind), note, by);
    record_change(tx, impl.clock, day, by, note, before, after);
    return {};
  });
}

Status Service::clear_calendar_day(core::Date day, const identity::Principal& by) {
  if (!is_admin(by)) {
    return fail(ErrorCode::forbidden, "", "只有管理员可以修改工作日历",
                "only administrators may edit the working-day calendar");
  }
  if (!day.ok()) return fail(ErrorCode::invalid_input, "/date", "日期无效", "invalid date");
  auto& impl = *impl_;
  return impl.store.write([&](store::Tx& tx) -> Status {
    auto calendar = detail::load_calendar(tx);
    const auto key = core::days_from_epoch(day);
    if (!calendar.exceptions().count(key)) return {};  // already follows the Mon–Fri rule
    json before = day_json(calendar, day);
    calendar.clear(day);
    json after = day_json(calendar, day);
    if (core::WorkingCalendar::china_2026().exceptions().count(key)) {
      // A built-in exception cannot be deleted, only overridden.
      store_day(tx, impl.clock.now_ms(), day, "default", "", by);
    } else {
      tx.exec("DELETE FROM calendar_days WHERE day = ?", {std::int64_t{key}});
    }
    record_change(tx, impl.clock, day, by, "", before, after);
    return {};
  });
}

}  // namespace yiwang::cases
