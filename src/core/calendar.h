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
#include <vector>

#include "core/clock.h"

namespace yiwang::core {

enum class DayKind { holiday, workday };   // an exception to the Mon–Fri rule

class WorkingCalendar {
 public:
  WorkingCalendar() = default;
  explicit WorkingCalendar(std::map<std::int32_t, DayKind> exceptions)  // key: days_from_epoch
      : exceptions_(std::move(exceptions)) {}

  // China's 2026 public holidays and adjusted working days (国务院办公厅 notice for 2026).
  static WorkingCalendar china_2026();

  bool is_working_day(Date d) const;
  // The date `n` (≥ 0) working days after `from`, not counting `from` itself (次日起算).
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
  std::optional<Millis> end_ms;      // nullopt: still paused
};

enum class Alert { none, yellow, red };   // yellow: ≤ yellow_days left; red: overdue

struct ClockReading {
  int limit_days = 0;
  int used_days = 0;                 // working days counted so far
  int remaining_days = 0;            // limit - used (negative when overdue)
  std::optional<Date> deadline;      // projected due date; nullopt while paused
  bool paused = false;
  Alert alert = Alert::none;
};

// Counting starts the day after `start_ms` (acceptance). A working day counts unless it lies, in
// whole or part, inside a pause. `natural_days` counts every day instead of working days.
ClockReading read_clock(const WorkingCalendar& calendar, Millis start_ms, int limit_days,
                        const std::vector<Pause>& pauses, Millis now_ms, bool natural_days = false,
                        int yellow_days = 2);

}  // namespace yiwang::core
