// Working-day calendar and the statutory clock (法定时限).
//
// A working day is a Monday–Friday that is not a public holiday, or a weekend day declared an
// adjusted working day (调休上班). The table of exceptions is data (2026 for mainland China ships
// built in; the store keeps the editable copy). Everything here is a pure function of its inputs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace yiwang::core {

enum class DayKind { holiday, workday };  // an exception to the Mon–Fri rule

class WorkingCalendar {
 public:
  WorkingCalendar() = default;
  explicit WorkingCalendar(std::map<std::int32_t, DayKind> exceptions)  // key: days_from_epoch
      : exceptions_(std::move(exceptions)) {}

  // China's 2026 public holidays and adjusted working days (国务院办公厅 notice for 2026,
  // 国办发明电〔2025〕7号). Every day off is listed, weekend ones included, so the table reads like
  // the notice; other years have no exceptions and follow the Mon–Fri rule.
  static WorkingCalendar china_2026();

  bool is_working_day(Date d) const;
  // The date `n` (≥ 0) working days after `from`, not counting `from` itself (次日起算).
  // n <= 0 returns `from`.
  Date add_working_days(Date from, int n) const;
  // Working days in (from, to]: 0 when to ≤ from.
  int working_days_between(Date from, Date to) const;
  void set(Date d, DayKind kind) { exceptions_[days_from_epoch(d)] = kind; }
  void clear(Date d) { exceptions_.erase(days_from_epoch(d)); }
  const std::map<std::int32_t, DayKind>& exceptions() const { return exceptions_; }

 private:
  std::map<std::int32_t, DayKind> exceptions_;
};

// A span during which the statutory clock stops (补正, hearing, expert review, extension).
struct Pause {
  Millis start_ms = 0;
  std::optional<Millis> end_ms;  // nullopt: still paused
};

enum class Alert { none, yellow, red };  // yellow: ≤ yellow_days left; red: overdue
std::string_view to_string(Alert a);     // "none" / "yellow" / "red"

struct ClockReading {
  int limit_days = 0;
  int used_days = 0;             // working days counted so far
  int remaining_days = 0;        // limit - used (negative when overdue)
  std::optional<Date> deadline;  // projected due date; nullopt while paused
  bool paused = false;
  Alert alert = Alert::none;
};

// Counting starts the day after `start_ms` (acceptance). A working day counts unless it lies, in
// whole or part, inside a pause. `natural_days` counts every day instead of working days.
//
// Precisely, with A = china_date(start_ms) and T = china_date(now_ms):
// - a pause covers every civil date from china_date(start_ms) to china_date(end_ms) inclusive (an
//   open pause: to infinity); a covered date never counts, even if the pause lasted one minute;
// - a counting day is a date after A that is a working day (any date when `natural_days`) and is
//   not covered by a pause;
// - used_days = counting days in (A, T]: today counts as soon as it begins, so on the deadline
//   itself used == limit and remaining == 0;
// - deadline = the date of the limit-th counting day, i.e. add_working_days(A, limit + P) with P
//   the working days in between that pauses cover; nullopt while paused (the pause's end is
//   unknown) and, likewise, when a pause without end starts in the future;
// - remaining_days = limit - used: the counting days in (T, deadline], or minus the counting
//   days in (deadline, T] once past it;
// - paused: now_ms lies in a pause (start_ms <= now_ms and no end or end_ms > now_ms);
// - alert red: overdue, i.e. the limit-th counting day exists and is before T. This holds while
//   paused too (a pause does not hide a deadline already missed) and on a weekend right after a
//   Friday deadline, where remaining is still 0. Yellow: not overdue, not paused and
//   remaining <= yellow_days. Otherwise none.
// Not modelled: for natural-day periods the law moves a deadline falling on a holiday to the next
// working day (民法典 第二百零三条); callers needing that apply it to `deadline`.
// If now_ms is before start_ms, nothing is used yet.
ClockReading read_clock(const WorkingCalendar& calendar, Millis start_ms, int limit_days,
                        const std::vector<Pause>& pauses, Millis now_ms, bool natural_days = false,
                        int yellow_days = 2);

}  // namespace yiwang::core
