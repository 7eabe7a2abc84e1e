// Time, dates and randomness, injected so that logic depending on them is a pure function in tests.
//
// Instants are UTC milliseconds since the Unix epoch. Government business dates are in China
// Standard Time (UTC+8, no daylight saving), so a civil date is derived with a fixed offset.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace yiwang::core {

using Millis = std::int64_t;
using Date = std::chrono::year_month_day;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis now_ms() const override;
};

// A clock tests set and move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis now_ms() const override { return now_; }
  void set(Millis t) { now_ = t; }
  void advance(Millis d) { now_ += d; }

 private:
  Millis now_;
};

constexpr Millis kChinaOffsetMs = 8LL * 3600 * 1000;
constexpr Millis kDayMs = 24LL * 3600 * 1000;

Date china_date(Millis t);                       // civil date in UTC+8 of an instant
Millis china_midnight(Date d);                   // instant of 00:00 UTC+8 on that date
std::string format_date(Date d);                 // "2026-11-22"
std::string compact_date(Date d);                // "20261122" (the date part of record ids)
bool parse_date(std::string_view s, Date& out);  // strict YYYY-MM-DD
std::string format_instant(Millis t);  // RFC 3339 in UTC+8: "2026-11-22T09:30:00.000+08:00"
std::int32_t days_from_epoch(Date d);
Date date_from_days(std::int32_t days);

// Cryptographically strong randomness (libsodium) behind an interface; tests may use a fixed seed.
class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(unsigned char* out, std::size_t n) = 0;
  std::string hex(std::size_t bytes);     // lowercase hex of `bytes` random bytes
  std::string digits(std::size_t count);  // decimal digits, uniform
};

class SystemRandom final : public Random {
 public:
  void fill(unsigned char* out, std::size_t n) override;
};

}  // namespace yiwang::core
