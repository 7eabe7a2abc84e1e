// Private to the cases module: the service's parts and helpers shared by its source files.
#pragma once

#include <string>
#include <vector>

#include "cases/cases.h"
#include "core/rate_limit.h"
#include "events/events.h"

namespace yiwang::cases {

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  catalog::Service& catalog;
  identity::Service& identity;
  Options options;
  // Uploads per account in the last minute (the per-day quotas are counted in the store).
  core::RateLimiter upload_burst{options.max_uploads_per_minute, 60'000};
};

namespace detail {

// The built-in 2026 table overlaid with the edits in calendar_days.
core::WorkingCalendar load_calendar(store::Tx& tx);
// The case's clock pauses, oldest first.
std::vector<core::Pause> load_pauses(store::Tx& tx, std::string_view case_id);
// The statutory clock of a case accepted at `accepted_at_ms`, read at `now_ms`.
ClockView clock_view(const core::WorkingCalendar& calendar, core::Millis accepted_at_ms,
                     int limit_days, bool natural_days, const std::vector<core::Pause>& pauses,
                     core::Millis now_ms, int yellow_days);

// Who is told about a department's alerts and rectifications: every supervisor and the
// department's approvers (分管领导), each once. Defined in supervision.cpp.
std::vector<std::string> oversight_recipients(store::Tx& tx, std::string_view dept_id);
// Puts `m` (id and created time are assigned here) in each user's inbox.
void post_inbox(store::Tx& tx, core::Random& random, core::Millis now,
                const std::vector<std::string>& user_ids, const InboxMessage& m);

// Routes, registered by register_routes(): cases and files (routes_cases.cpp); supervision,
// inbox, calendar, ratings and rectifications (routes_oversight.cpp).
void register_case_routes(http::Router& router, Service& service, identity::Service& identity);
void register_oversight_routes(http::Router& router, Service& service, identity::Service& identity);
void register_cockpit_routes(http::Router& router, Service& service,
                             identity::Service& identity);  // routes_cockpit.cpp

}  // namespace detail
}  // namespace yiwang::cases
