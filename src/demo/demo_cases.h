// The demo's case history: a few hundred cases filed over the past kHistoryDays days, online by
// citizens and businesses and at the window by clerks, each driven through the real services
// (file, accept, review, decide, complete, correction, suspension, withdrawal, 秒批, ratings) with
// a manual clock set to the moment of every action, so ages, statutory clocks, alerts and
// roll-ups are those of a real service centre. Private to the demo module.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>

#include "app/app.h"
#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"

namespace yiwang::demo {

inline constexpr int kHistoryDays = 60;

// Valid identity numbers for made-up people and firms; identity computes the check character.
// 公民身份号码 from division, birth date and sequence; 统一社会信用代码 from its two-character
// registration category ("91" enterprise, "92" individual business), division and serial.
std::string make_citizen_id(std::string_view division, int year, int month, int day, int seq);
std::string make_uscc(std::string_view category, std::string_view division, long serial);

// The demo's people are verified in person, by the demo's window clerk (chuangkou), as if they
// had shown their identity cards: their certificates, 免提交 and 秒批 work as for real people.
Status verify_at_window(identity::Service& ids, const identity::Principal& person);

class CaseSeeder {
 public:
  // `clock` is the clock `app` was built with; the seeder moves it forward only.
  CaseSeeder(app::App& app, core::ManualClock& clock, std::uint64_t seed);
  // Creates per-department staff and applicant accounts, then `cases` cases between
  // now - kHistoryDays and `now_ms`, then one supervision sweep at `now_ms`.
  Status run(int cases, core::Millis now_ms, std::ostream& log);

 private:
  app::App& app_;
  core::ManualClock& clock_;
  std::mt19937_64 rng_;
};

}  // namespace yiwang::demo
