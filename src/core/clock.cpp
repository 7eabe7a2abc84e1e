#include "core/clock.h"

#include <sodium.h>

#include <cstdio>
#include <stdexcept>

namespace yiwang::core {
namespace {

// Floor division: instants before 1970 must still land on the earlier civil day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

Millis SystemClock::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Date china_date(Millis t) {
  return date_from_days(static_cast<std::int32_t>(floor_div(t + kChinaOffsetMs, kDayMs)));
}

Millis china_midnight(Date d) {
  return static_cast<Millis>(days_from_epoch(d)) * kDayMs - kChinaOffsetMs;
}

std::string format_date(Date d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string compact_date(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

bool parse_date(std::string_view s, Date& out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  std::string_view y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return false;
  Date parsed{std::chrono::year(to_int(y)), std::chrono::month(static_cast<unsigned>(to_int(m))),
              std::chrono::day(static_cast<unsigned>(to_int(d)))};
  if (!parsed.ok()) return false;  // rejects 2026-02-29, month 13, day 00
  out = parsed;
  return true;
}

std::string format_instant(Millis t) {
  Millis local = t + kChinaOffsetMs;
  std::int64_t days = floor_div(local, kDayMs);
  Millis in_day = local - days * kDayMs;
  Date d = date_from_days(static_cast<std::int32_t>(days));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03d+08:00", format_date(d).c_str(),
                static_cast<int>(in_day / 3'600'000), static_cast<int>(in_day / 60'000 % 60),
                static_cast<int>(in_day / 1000 % 60), static_cast<int>(in_day % 1000));
  return buf;
}

std::int32_t days_from_epoch(Date d) {
  return static_cast<std::int32_t>(std::chrono::sys_days(d).time_since_epoch().count());
}

Date date_from_days(std::int32_t days) {
  return Date(std::chrono::sys_days(std::chrono::days(days)));
}

std::string Random::hex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::vector<unsigned char> raw(bytes);
  if (bytes > 0) fill(raw.data(), bytes);
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : raw) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::string Random::digits(std::size_t count) {
  // Rejection sampling: bytes 250..255 would make 0..5 more likely than 6..9 under `% 10`.
  std::string out;
  out.reserve(count);
  unsigned char buf[64];
  while (out.size() < count) {
    fill(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b >= 250) continue;
      out.push_back(static_cast<char>('0' + b % 10));
      if (out.size() == count) break;
    }
  }
  return out;
}

void SystemRandom::fill(unsigned char* out, std::size_t n) {
  // sodium_init is itself idempotent and thread-safe; the static only avoids calling it per fill.
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) throw std::runtime_error("libsodium initialisation failed");
  randombytes_buf(out, n);
}

}  // namespace yiwang::core
