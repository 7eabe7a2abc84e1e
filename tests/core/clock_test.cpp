#include "core/clock.h"

#include <deque>
#include <set>

#include <gtest/gtest.h>

namespace yiwang::core {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date ymd(int y, unsigned m, unsigned d) {
  return Date{year(y), month(m), day(d)};
}

// 2026-11-22T09:30:00+08:00, computed independently (Python datetime).
constexpr Millis kNov22At0930 = 1795311000000;
constexpr Millis kNov22Midnight = 1795276800000;

TEST(ChinaDate, UsesTheFixedUtcPlus8Offset) {
  EXPECT_EQ(ymd(2026, 11, 22), china_date(kNov22At0930));
  EXPECT_EQ(ymd(2026, 11, 22), china_date(kNov22Midnight));
  EXPECT_EQ(ymd(2026, 11, 21), china_date(kNov22Midnight - 1));
  // 16:00 UTC is already the next day in Beijing.
  EXPECT_EQ(ymd(1970, 1, 2), china_date(16LL * 3600 * 1000));
  EXPECT_EQ(ymd(1970, 1, 1), china_date(16LL * 3600 * 1000 - 1));
  // Before the epoch the division must floor, not truncate.
  EXPECT_EQ(ymd(1970, 1, 1), china_date(-kChinaOffsetMs));
  EXPECT_EQ(ymd(1969, 12, 31), china_date(-kChinaOffsetMs - 1));
}

TEST(ChinaDate, MidnightIsTheInverse) {
  EXPECT_EQ(kNov22Midnight, china_midnight(ymd(2026, 11, 22)));
  EXPECT_EQ(-kChinaOffsetMs, china_midnight(ymd(1970, 1, 1)));
  for (Millis t : {kNov22At0930, kNov22Midnight, kNov22Midnight - 1, Millis{0}}) {
    Millis m = china_midnight(china_date(t));
    EXPECT_LE(m, t);
    EXPECT_GT(m + kDayMs, t);
  }
}

TEST(FormatInstant, IsRfc3339WithOffsetAndMilliseconds) {
  EXPECT_EQ("2026-11-22T09:30:00.000+08:00", format_instant(kNov22At0930));
  EXPECT_EQ("2026-11-22T00:00:00.000+08:00", format_instant(kNov22Midnight));
  EXPECT_EQ("2026-11-21T23:59:59.999+08:00", format_instant(kNov22Midnight - 1));
  EXPECT_EQ("2026-11-22T09:30:01.042+08:00", format_instant(kNov22At0930 + 1042));
  EXPECT_EQ("1970-01-01T08:00:00.000+08:00", format_instant(0));
  EXPECT_EQ("1970-01-01T07:59:59.999+08:00", format_instant(-1));
}

TEST(Dates, FormatAndDayNumbers) {
  EXPECT_EQ("2026-11-22", format_date(ymd(2026, 11, 22)));
  EXPECT_EQ("0999-01-05", format_date(ymd(999, 1, 5)));
  EXPECT_EQ("20261122", compact_date(ymd(2026, 11, 22)));
  EXPECT_EQ("20260105", compact_date(ymd(2026, 1, 5)));
  EXPECT_EQ(0, days_from_epoch(ymd(1970, 1, 1)));
  EXPECT_EQ(20779, days_from_epoch(ymd(2026, 11, 22)));
  EXPECT_EQ(-1, days_from_epoch(ymd(1969, 12, 31)));
  for (std::int32_t d : {-1000, -1, 0, 1, 20779, 50000}) {
    EXPECT_EQ(d, days_from_epoch(date_from_days(d)));
  }
  EXPECT_EQ(ymd(2024, 2, 29), date_from_days(days_from_epoch(ymd(2024, 2, 28)) + 1));
}

TEST(ParseDate, AcceptsOnlyRealDatesInStrictForm) {
  Date d{};
  ASSERT_TRUE(parse_date("2026-11-22", d));
  EXPECT_EQ(ymd(2026, 11, 22), d);
  ASSERT_TRUE(parse_date("2024-02-29", d));
  EXPECT_EQ(ymd(2024, 2, 29), d);

  const Date before = d;
  for (const char* bad :
       {"2026-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31", "2026-1-05",
        "2026-01-5", "26-01-05", "2026/01/05", "2026-01-05 ", " 2026-01-05", "2026-01-05T00:00", "",
        "20260105", "2026-+1-05", "２０２６-01-05", "abcd-ef-gh"}) {
    EXPECT_FALSE(parse_date(bad, d)) << bad;
    EXPECT_EQ(before, d) << "output must be untouched on failure: " << bad;
  }
}

// Replays a fixed byte sequence, cycling.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<unsigned char> bytes) : bytes_(std::move(bytes)) {}
  void fill(unsigned char* out, std::size_t n) override {
    for (std::size_t i = 0; i < n; ++i) out[i] = bytes_[next_++ % bytes_.size()];
  }

 private:
  std::vector<unsigned char> bytes_;
  std::size_t next_ = 0;
};

TEST(RandomHex, IsLowercaseTwoCharsPerByte) {
  ScriptedRandom r({0x00, 0x0f, 0xa5, 0xff});
  EXPECT_EQ("000fa5ff", r.hex(4));
  EXPECT_EQ("", r.hex(0));
}

TEST(RandomDigits, RejectsBytesThatWouldBiasTheResult) {
  // 250..255 are skipped; 249 -> 9, 0 -> 0, 13 -> 3, 100 -> 0.
  ScriptedRandom r({250, 255, 249, 0, 13, 252, 100});
  EXPECT_EQ("9030", r.digits(4));
  EXPECT_EQ("", r.digits(0));
  ScriptedRandom only_high({251, 7});
  EXPECT_EQ(std::string(70, '7'), only_high.digits(70));  // needs more than one refill
}

TEST(SystemRandom, ProducesDistinctValuesOfTheRightShape) {
  SystemRandom r;
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    std::string h = r.hex(16);
    ASSERT_EQ(32u, h.size());
    EXPECT_EQ(std::string::npos, h.find_first_not_of("0123456789abcdef"));
    seen.insert(h);
    std::string d = r.digits(12);
    ASSERT_EQ(12u, d.size());
    EXPECT_EQ(std::string::npos, d.find_first_not_of("0123456789"));
  }
  EXPECT_EQ(20u, seen.size());
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock c(kNov22At0930);
  EXPECT_EQ(kNov22At0930, c.now_ms());
  c.advance(kDayMs);
  EXPECT_EQ(ymd(2026, 11, 23), china_date(c.now_ms()));
  c.set(0);
  EXPECT_EQ(0, c.now_ms());
}

}  // namespace
}  // namespace yiwang::core
