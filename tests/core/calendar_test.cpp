#include "core/calendar.h"

#include <gtest/gtest.h>

namespace yiwang::core {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date ymd(int y, unsigned m, unsigned d) {
  return Date{year(y), month(m), day(d)};
}

// An instant on a date in Beijing time.
Millis at(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return china_midnight(ymd(y, m, d)) + hour * 3'600'000LL + minute * 60'000LL;
}

const WorkingCalendar& cal() {
  static const WorkingCalendar c = WorkingCalendar::china_2026();
  return c;
}

// 国办发明电〔2025〕7号, day by day.
TEST(China2026, MatchesTheStateCouncilNotice) {
  struct Case {
    Date date;
    bool working;
  };
  const Case cases[] = {
      {ymd(2025, 12, 31), true},  {ymd(2026, 1, 1), false},  {ymd(2026, 1, 2), false},
      {ymd(2026, 1, 3), false},   {ymd(2026, 1, 4), true},   // Sunday 调休上班
      {ymd(2026, 2, 13), true},   {ymd(2026, 2, 14), true},  // Saturday 调休上班
      {ymd(2026, 2, 15), false},  {ymd(2026, 2, 16), false}, {ymd(2026, 2, 20), false},
      {ymd(2026, 2, 23), false},  {ymd(2026, 2, 24), true},  {ymd(2026, 2, 28), true},
      {ymd(2026, 3, 1), false},   {ymd(2026, 4, 3), true},   {ymd(2026, 4, 6), false},
      {ymd(2026, 4, 7), true},    {ymd(2026, 4, 30), true},  {ymd(2026, 5, 1), false},
      {ymd(2026, 5, 5), false},   {ymd(2026, 5, 6), true},   {ymd(2026, 5, 9), true},
      {ymd(2026, 5, 10), false},  {ymd(2026, 6, 18), true},  {ymd(2026, 6, 19), false},
      {ymd(2026, 6, 22), true},   {ymd(2026, 9, 19), false}, {ymd(2026, 9, 20), true},
      {ymd(2026, 9, 24), true},   {ymd(2026, 9, 25), false}, {ymd(2026, 9, 28), true},
      {ymd(2026, 9, 30), true},   {ymd(2026, 10, 1), false}, {ymd(2026, 10, 5), false},
      {ymd(2026, 10, 7), false},  {ymd(2026, 10, 8), true},  {ymd(2026, 10, 10), true},
      {ymd(2026, 10, 11), false}, {ymd(2026, 12, 31), true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(c.working, cal().is_working_day(c.date)) << format_date(c.date);
}

TEST(China2026, WorkingDayTotals) {
  // 261 weekdays − 19 weekday holidays + 6 adjusted weekend working days.
  EXPECT_EQ(248, cal().working_days_between(ymd(2025, 12, 31), ymd(2026, 12, 31)));
  // February: 20 weekdays − 6 (16–20, 23) + 2 Saturdays (14, 28).
  EXPECT_EQ(16, cal().working_days_between(ymd(2026, 1, 31), ymd(2026, 2, 28)));
}

TEST(WorkingCalendar, PlainCalendarFollowsMondayToFriday) {
  WorkingCalendar plain;
  EXPECT_TRUE(plain.is_working_day(ymd(2026, 10, 1)));    // Thursday, no table
  EXPECT_FALSE(plain.is_working_day(ymd(2026, 10, 10)));  // Saturday
  plain.set(ymd(2026, 10, 1), DayKind::holiday);
  plain.set(ymd(2026, 10, 10), DayKind::workday);
  EXPECT_FALSE(plain.is_working_day(ymd(2026, 10, 1)));
  EXPECT_TRUE(plain.is_working_day(ymd(2026, 10, 10)));
  plain.clear(ymd(2026, 10, 1));
  EXPECT_TRUE(plain.is_working_day(ymd(2026, 10, 1)));
  EXPECT_EQ(1u, plain.exceptions().size());
}

TEST(AddWorkingDays, StartsTheDayAfterAcrossNationalDay) {
  // Mon 9-28: Tue 29 (1), Wed 30 (2), Oct 1–7 off, Thu 8 (3), Fri 9 (4), Sat 10 调休 (5).
  EXPECT_EQ(ymd(2026, 10, 10), cal().add_working_days(ymd(2026, 9, 28), 5));
  EXPECT_EQ(ymd(2026, 10, 12), cal().add_working_days(ymd(2026, 9, 28), 6));
  EXPECT_EQ(ymd(2026, 9, 28), cal().add_working_days(ymd(2026, 9, 28), 0));
  // Accepted on a holiday: the first working day after it is day 1.
  EXPECT_EQ(ymd(2026, 10, 8), cal().add_working_days(ymd(2026, 10, 3), 1));
  // Fri 9-18 → Sun 9-20 is a working day.
  EXPECT_EQ(ymd(2026, 9, 21), cal().add_working_days(ymd(2026, 9, 18), 2));
  // 20 working days from Thu 9-10: Sep 11, 14–18, 20–24 (Sun 20 调休), 28–30 (14 so far; 25 is
  // 中秋), then Oct 8, 9, 10, 12, 13, 14.
  EXPECT_EQ(ymd(2026, 10, 14), cal().add_working_days(ymd(2026, 9, 10), 20));
}

TEST(AddWorkingDays, AcrossSpringFestival) {
  // Thu 2-12: Fri 13 (1), Sat 14 调休 (2), 15–23 off, Tue 24 (3).
  EXPECT_EQ(ymd(2026, 2, 24), cal().add_working_days(ymd(2026, 2, 12), 3));
  EXPECT_EQ(ymd(2026, 2, 28), cal().add_working_days(ymd(2026, 2, 12), 7));  // Sat 调休
  EXPECT_EQ(ymd(2026, 3, 2), cal().add_working_days(ymd(2026, 2, 12), 8));
}

TEST(WorkingDaysBetween, IsHalfOpenAndInverseOfAdd) {
  EXPECT_EQ(0, cal().working_days_between(ymd(2026, 9, 30), ymd(2026, 9, 30)));
  EXPECT_EQ(0, cal().working_days_between(ymd(2026, 10, 8), ymd(2026, 9, 30)));
  EXPECT_EQ(1, cal().working_days_between(ymd(2026, 9, 30), ymd(2026, 10, 8)));
  EXPECT_EQ(0, cal().working_days_between(ymd(2026, 9, 30), ymd(2026, 10, 7)));
  EXPECT_EQ(1, cal().working_days_between(ymd(2025, 12, 31), ymd(2026, 1, 4)));
  for (int n = 0; n < 40; ++n) {
    Date from = ymd(2026, 9, 15);
    EXPECT_EQ(n, cal().working_days_between(from, cal().add_working_days(from, n))) << n;
  }
}

// Accepted Mon 2026-09-28 10:00, 5 working days: deadline Sat 10-10 (see AddWorkingDays).
TEST(ReadClock, CountsThroughNationalDay) {
  const Millis accepted = at(2026, 9, 28, 10);

  auto r = read_clock(cal(), accepted, 5, {}, at(2026, 9, 28, 17));
  EXPECT_EQ(0, r.used_days);  // the acceptance day itself never counts
  EXPECT_EQ(5, r.remaining_days);
  EXPECT_EQ(ymd(2026, 10, 10), r.deadline);
  EXPECT_EQ(Alert::none, r.alert);
  EXPECT_FALSE(r.paused);
  EXPECT_EQ(5, r.limit_days);

  r = read_clock(cal(), accepted, 5, {}, at(2026, 10, 5, 9));  // in the holiday
  EXPECT_EQ(2, r.used_days);
  EXPECT_EQ(3, r.remaining_days);
  EXPECT_EQ(Alert::none, r.alert);

  r = read_clock(cal(), accepted, 5, {}, at(2026, 10, 8, 9));
  EXPECT_EQ(3, r.used_days);
  EXPECT_EQ(2, r.remaining_days);
  EXPECT_EQ(Alert::yellow, r.alert);
  EXPECT_EQ(ymd(2026, 10, 10), r.deadline);

  r = read_clock(cal(), accepted, 5, {}, at(2026, 10, 10, 23, 59));  // the deadline itself
  EXPECT_EQ(5, r.used_days);
  EXPECT_EQ(0, r.remaining_days);
  EXPECT_EQ(Alert::yellow, r.alert);

  r = read_clock(cal(), accepted, 5, {}, at(2026, 10, 11, 0, 1));  // Sunday after: overdue
  EXPECT_EQ(0, r.remaining_days);
  EXPECT_EQ(Alert::red, r.alert);
  EXPECT_EQ(ymd(2026, 10, 10), r.deadline);

  r = read_clock(cal(), accepted, 5, {}, at(2026, 10, 13, 9));
  EXPECT_EQ(7, r.used_days);
  EXPECT_EQ(-2, r.remaining_days);
  EXPECT_EQ(Alert::red, r.alert);
}

TEST(ReadClock, YellowThresholdIsConfigurable) {
  const Millis accepted = at(2026, 9, 28, 10);
  auto r = read_clock(cal(), accepted, 5, {}, at(2026, 9, 29, 9), false, 4);
  EXPECT_EQ(4, r.remaining_days);
  EXPECT_EQ(Alert::yellow, r.alert);
  r = read_clock(cal(), accepted, 5, {}, at(2026, 9, 29, 9), false, 3);
  EXPECT_EQ(Alert::none, r.alert);
}

TEST(ReadClock, AcceptanceDateIsTheBeijingDate) {
  // 2026-09-28T16:30Z is 00:30 on 9-29 in Beijing: day 1 is 9-30, not 9-29.
  const Millis accepted = china_midnight(ymd(2026, 9, 29)) + 30 * 60'000;
  auto r = read_clock(cal(), accepted, 2, {}, at(2026, 9, 29, 12));
  EXPECT_EQ(0, r.used_days);
  EXPECT_EQ(ymd(2026, 10, 8), r.deadline);
}

TEST(ReadClock, PausedDaysDoNotCountEvenInPart) {
  // Accepted Thu 2-12, 3 days. Paused Fri 13 15:00 → Sat 14 09:00: both touched dates are lost,
  // so the deadline is add_working_days(2-12, 3 + 2) = Thu 2-26.
  const Millis accepted = at(2026, 2, 12, 11);
  const std::vector<Pause> pauses{{at(2026, 2, 13, 15), at(2026, 2, 14, 9)}};
  auto r = read_clock(cal(), accepted, 3, pauses, at(2026, 2, 25, 10));
  EXPECT_FALSE(r.paused);
  EXPECT_EQ(2, r.used_days);  // 24, 25
  EXPECT_EQ(1, r.remaining_days);
  EXPECT_EQ(ymd(2026, 2, 26), r.deadline);
  EXPECT_EQ(cal().add_working_days(ymd(2026, 2, 12), 5), r.deadline);
  EXPECT_EQ(Alert::yellow, r.alert);

  // Without the pause the same case was overdue since 2-25.
  r = read_clock(cal(), accepted, 3, {}, at(2026, 2, 25, 10));
  EXPECT_EQ(-1, r.remaining_days);
  EXPECT_EQ(Alert::red, r.alert);
  EXPECT_EQ(ymd(2026, 2, 24), r.deadline);
}

TEST(ReadClock, ClosedPauseBeforeNowMovesTheDeadline) {
  // Accepted 9-28, 5 days, paused 9-29 09:00 → 9-30 18:00: days are 10-8, 9, 10, 12, 13.
  const Millis accepted = at(2026, 9, 28, 10);
  const std::vector<Pause> pauses{{at(2026, 9, 29, 9), at(2026, 9, 30, 18)}};
  auto r = read_clock(cal(), accepted, 5, pauses, at(2026, 10, 8, 9));
  EXPECT_FALSE(r.paused);
  EXPECT_EQ(1, r.used_days);
  EXPECT_EQ(4, r.remaining_days);
  EXPECT_EQ(ymd(2026, 10, 13), r.deadline);
  EXPECT_EQ(Alert::none, r.alert);
}

TEST(ReadClock, OpenPauseStopsTheClockAndHidesTheDeadline) {
  const Millis accepted = at(2026, 9, 28, 10);
  const std::vector<Pause> pauses{{at(2026, 9, 30, 14), std::nullopt}};  // 补正 requested
  auto r = read_clock(cal(), accepted, 5, pauses, at(2026, 10, 9, 9));
  EXPECT_TRUE(r.paused);
  EXPECT_EQ(1, r.used_days);  // only 9-29; 9-30 is touched by the pause
  EXPECT_EQ(4, r.remaining_days);
  EXPECT_FALSE(r.deadline.has_value());
  EXPECT_EQ(Alert::none, r.alert);

  // Not yet paused before the pause starts.
  r = read_clock(cal(), accepted, 5, pauses, at(2026, 9, 30, 13));
  EXPECT_FALSE(r.paused);
  EXPECT_EQ(1, r.used_days);  // 9-30 is already lost: the pause touches it
  // The clock can never reach its limit behind an open pause, so there is no projection.
  EXPECT_FALSE(r.deadline.has_value());
}

TEST(ReadClock, PausedAfterTheDeadlineStaysRed) {
  // Accepted 9-28, 2 days: due Wed 9-30. Paused only on 10-8, already late.
  const Millis accepted = at(2026, 9, 28, 10);
  const std::vector<Pause> pauses{{at(2026, 10, 8, 10), std::nullopt}};
  auto r = read_clock(cal(), accepted, 2, pauses, at(2026, 10, 9, 9));
  EXPECT_TRUE(r.paused);
  EXPECT_EQ(2, r.used_days);
  EXPECT_EQ(0, r.remaining_days);
  EXPECT_FALSE(r.deadline.has_value());
  EXPECT_EQ(Alert::red, r.alert);
}

TEST(ReadClock, PauseEndingInTheFutureIsStillPaused) {
  const Millis accepted = at(2026, 9, 28, 10);
  const std::vector<Pause> pauses{{at(2026, 9, 29, 9), at(2026, 10, 20, 9)}};
  auto r = read_clock(cal(), accepted, 5, pauses, at(2026, 10, 9, 9));
  EXPECT_TRUE(r.paused);
  EXPECT_EQ(0, r.used_days);
  EXPECT_FALSE(r.deadline.has_value());
  EXPECT_EQ(Alert::none, r.alert);
  // Once it has ended, counting resumes the day after its last day.
  r = read_clock(cal(), accepted, 5, pauses, at(2026, 10, 20, 10));
  EXPECT_FALSE(r.paused);
  EXPECT_EQ(0, r.used_days);
  EXPECT_EQ(ymd(2026, 10, 27), r.deadline);  // 21, 22, 23, 26, 27
}

TEST(ReadClock, NaturalDaysCountHolidaysButNotPauses) {
  const Millis accepted = at(2026, 9, 28, 10);
  auto r = read_clock(cal(), accepted, 5, {}, at(2026, 10, 2, 9), /*natural_days=*/true);
  EXPECT_EQ(4, r.used_days);  // 29, 30, 1, 2
  EXPECT_EQ(1, r.remaining_days);
  EXPECT_EQ(ymd(2026, 10, 3), r.deadline);
  EXPECT_EQ(Alert::yellow, r.alert);

  const std::vector<Pause> pauses{{at(2026, 9, 30, 9), at(2026, 9, 30, 10)}};
  r = read_clock(cal(), accepted, 5, pauses, at(2026, 10, 2, 9), true);
  EXPECT_EQ(3, r.used_days);
  EXPECT_EQ(ymd(2026, 10, 4), r.deadline);
}

TEST(ReadClock, ZeroLimitIsDueOnTheAcceptanceDay) {
  const Millis accepted = at(2026, 9, 28, 10);
  auto r = read_clock(cal(), accepted, 0, {}, at(2026, 9, 28, 16));
  EXPECT_EQ(ymd(2026, 9, 28), r.deadline);
  EXPECT_EQ(0, r.remaining_days);
  EXPECT_EQ(Alert::yellow, r.alert);
  r = read_clock(cal(), accepted, 0, {}, at(2026, 9, 29, 9));
  EXPECT_EQ(-1, r.remaining_days);
  EXPECT_EQ(Alert::red, r.alert);
}

TEST(ReadClock, NowBeforeAcceptanceUsesNothing) {
  const Millis accepted = at(2026, 9, 28, 10);
  auto r = read_clock(cal(), accepted, 5, {}, accepted - 3 * kDayMs);
  EXPECT_EQ(0, r.used_days);
  EXPECT_EQ(5, r.remaining_days);
  EXPECT_EQ(ymd(2026, 10, 10), r.deadline);
}

}  // namespace
}  // namespace yiwang::core
