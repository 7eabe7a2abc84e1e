#include "core/calendar.h"

#include <algorithm>
#include <limits>

namespace yiwang::core {

std::string_view to_string(Alert a) {
  switch (a) {
    case Alert::yellow:
      return "yellow";
    case Alert::red:
      return "red";
    case Alert::none:
      break;
  }
  return "none";
}

namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date ymd(int y, unsigned m, unsigned d) {
  return Date{year(y), month(m), day(d)};
}

void mark(std::map<std::int32_t, DayKind>& out, Date first, Date last, DayKind kind) {
  for (std::int32_t d = days_from_epoch(first); d <= days_from_epoch(last); ++d) out[d] = kind;
}

// The dates a pause covers, as days_from_epoch; `last` is max() for a pause without end.
struct Span {
  std::int32_t first;
  std::int32_t last;
};

}  // namespace

WorkingCalendar WorkingCalendar::china_2026() {
  std::map<std::int32_t, DayKind> x;
  const auto off = DayKind::holiday;
  const auto on = DayKind::workday;
  mark(x, ymd(2026, 1, 1), ymd(2026, 1, 3), off);     // 元旦
  mark(x, ymd(2026, 1, 4), ymd(2026, 1, 4), on);      // Sunday
  mark(x, ymd(2026, 2, 14), ymd(2026, 2, 14), on);    // Saturday
  mark(x, ymd(2026, 2, 15), ymd(2026, 2, 23), off);   // 春节
  mark(x, ymd(2026, 2, 28), ymd(2026, 2, 28), on);    // Saturday
  mark(x, ymd(2026, 4, 4), ymd(2026, 4, 6), off);     // 清明节
  mark(x, ymd(2026, 5, 1), ymd(2026, 5, 5), off);     // 劳动节
  mark(x, ymd(2026, 5, 9), ymd(2026, 5, 9), on);      // Saturday
  mark(x, ymd(2026, 6, 19), ymd(2026, 6, 21), off);   // 端午节
  mark(x, ymd(2026, 9, 20), ymd(2026, 9, 20), on);    // Sunday
  mark(x, ymd(2026, 9, 25), ymd(2026, 9, 27), off);   // 中秋节
  mark(x, ymd(2026, 10, 1), ymd(2026, 10, 7), off);   // 国庆节
  mark(x, ymd(2026, 10, 10), ymd(2026, 10, 10), on);  // Saturday
  return WorkingCalendar(std::move(x));
}

bool WorkingCalendar::is_working_day(Date d) const {
  auto it = exceptions_.find(days_from_epoch(d));
  if (it != exceptions_.end()) return it->second == DayKind::workday;
  std::chrono::weekday wd{std::chrono::sys_days(d)};
  return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

Date WorkingCalendar::add_working_days(Date from, int n) const {
  std::int32_t d = days_from_epoch(from);
  // Terminates: the exception table is finite and every week beyond it has five working days.
  while (n > 0) {
    ++d;
    if (is_working_day(date_from_days(d))) --n;
  }
  return date_from_days(d);
}

int WorkingCalendar::working_days_between(Date from, Date to) const {
  int count = 0;
  for (std::int32_t d = days_from_epoch(from) + 1, end = days_from_epoch(to); d <= end; ++d) {
    if (is_working_day(date_from_days(d))) ++count;
  }
  return count;
}

ClockReading read_clock(const WorkingCalendar& calendar, Millis start_ms, int limit_days,
                        const std::vector<Pause>& pauses, Millis now_ms, bool natural_days,
                        int yellow_days) {
  ClockReading r;
  r.limit_days = limit_days;

  std::vector<Span> spans;
  std::int32_t open_from = std::numeric_limits<std::int32_t>::max();  // first date of an open pause
  for (const Pause& p : pauses) {
    std::int32_t first = days_from_epoch(china_date(p.start_ms));
    if (p.end_ms) {
      spans.push_back({first, days_from_epoch(china_date(*p.end_ms))});
    } else {
      spans.push_back({first, std::numeric_limits<std::int32_t>::max()});
      open_from = std::min(open_from, first);
    }
    if (p.start_ms <= now_ms && (!p.end_ms || *p.end_ms > now_ms)) r.paused = true;
  }

  const std::int32_t accepted = days_from_epoch(china_date(start_ms));
  const std::int32_t today = days_from_epoch(china_date(now_ms));
  auto counts = [&](std::int32_t d) {
    if (d <= accepted) return false;
    if (!natural_days && !calendar.is_working_day(date_from_days(d))) return false;
    for (const Span& s : spans) {
      if (d >= s.first && d <= s.last) return false;
    }
    return true;
  };

  // The date the limit-th counting day falls on, once it is known; a zero limit is reached on the
  // acceptance date itself (当场办结).
  std::optional<std::int32_t> reached;
  if (limit_days <= 0) reached = accepted;
  int used = 0;
  for (std::int32_t d = accepted + 1; d <= today; ++d) {
    if (!counts(d)) continue;
    ++used;
    if (used == limit_days) reached = d;
  }
  r.used_days = used;
  r.remaining_days = limit_days - used;

  if (!r.paused) {
    if (reached) {
      r.deadline = date_from_days(*reached);
    } else {
      int n = used;
      for (std::int32_t d = std::max(today, accepted) + 1; d < open_from; ++d) {
        if (counts(d) && ++n == limit_days) {
          r.deadline = date_from_days(d);
          break;
        }
      }
    }
  }

  const bool overdue = reached && today > *reached;
  if (overdue) {
    r.alert = Alert::red;
  } else if (!r.paused && r.remaining_days <= yellow_days) {
    r.alert = Alert::yellow;
  }
  return r;
}

}  // namespace yiwang::core
