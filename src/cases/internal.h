// Private to the cases module: the service's parts and helpers shared by its source files.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "core/rate_limit.h"
#include "core/refresh_cache.h"
#include "events/events.h"

namespace yiwang::cases {

namespace detail {
// The cockpit of the last `days` days at `now`, computed in one read (cockpit.cpp).
Result<CockpitSummary> cockpit_summary(store::Store& store, const Options& options, int days,
                                       core::Millis now);
// The cockpit of each window, recomputed off the request path when anything changed (the event
// stream's last seq) or a minute passed.
using CockpitCache = core::RefreshCache<int, std::int64_t, CockpitSummary>;
std::unique_ptr<CockpitCache> cockpit_cache(store::Store& store, const core::Clock& clock,
                                            const Options& options);
}  // namespace detail

struct Service::Impl {
  Impl(store::Store& s, const core::Clock& c, core::Random& r, catalog::Service& cat,
       identity::Service& ids, Options o)
      : store(s), clock(c), random(r), catalog(cat), identity(ids), options(std::move(o)),
        cockpit(detail::cockpit_cache(store, clock, options)) {}

  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  catalog::Service& catalog;
  identity::Service& identity;
  Options options;
  // Uploads per account in the last minute (the per-day quotas are counted in the store).
  core::RateLimiter upload_burst{options.max_uploads_per_minute, 60'000};
  // Declared last: its refresher thread stops first.
  std::unique_ptr<detail::CockpitCache> cockpit;
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

// One case completed within a window, read on its statutory clock at the decision.
struct CompletedClock {
  std::string dept_id;
  int limit_days = 0;
  bool on_time = true;  // decided at filing or acceptance (秒批, 即办件): on time, no days used
  int used_days = 0;
};
// Every case completed at or after `since` (of `dept_id`, or all when ""), with the calendar and
// each case's pauses read once. Defined in supervision.cpp; the cockpit and supervision both
// count through it, so their on-time figures are one computation.
void for_each_completed(store::Tx& tx, core::Millis since, const std::string& dept_id,
                        int yellow_days, const std::function<void(const CompletedClock&)>& fn);
// The first instant of the window of the last `days` civil days (UTC+8) ending today.
core::Millis window_start(core::Millis now, int days);

// Who is told about a department's alerts and rectifications: every supervisor and the
// department's approvers (分管领导), each once. Defined in supervision.cpp.
std::vector<std::string> oversight_recipients(store::Tx& tx, std::string_view dept_id);
// Puts `m` (id and created time are assigned here) in each user's inbox.
void post_inbox(store::Tx& tx, core::Random& random, core::Millis now,
                const std::vector<std::string>& user_ids, const InboxMessage& m);

// ---- Minimum-necessary personal data (masking.cpp; the policy is Disclosure in cases.h) ------

// One case read by itself, or as a row of a list.
enum class Reading { one, list };

// The disclosure `viewer` gets of `c` in `reading`, from who they are to the case (applicant,
// handling official, anyone else); visibility (may_see) is checked before and apart from it.
Disclosure disclosure_for(const Case& c, const identity::Principal& viewer, Reading reading);

// The copy of `c` that `viewer` may have in `reading`: personal values masked, withheld values
// empty, `disclosure` set. `form` is the definition of the case's item version (the declared
// field types say which fields are identity numbers and phones); empty when unknown, then field
// names and value shapes decide. Pure.
Case mask_for(const identity::Principal& viewer, const Case& c, Reading reading,
              const std::vector<catalog::FormField>& form);

// What the policy treats a form value as: an identity number (公民身份号码, 统一社会信用代码), a
// phone number, an address, a bare value (enumerated, numeric, boolean: kept for supervision) or
// free text (string, text, date: withheld from supervision). By the declared type (citizen_id,
// uscc, phone; enum, integer, number, boolean), else by well-known names (…id_number, uscc,
// …phone, mobile, …address), else by the value's shape (a valid id number or USCC, a mobile or
// long-distance phone number).
enum class FieldKind { id_number, phone, address, value, text };
FieldKind field_kind(std::string_view name, std::string_view declared_type,
                     const nlohmann::json& value);

// The address up to its district or county (…区, …县, …旗; else up to the city, …市); "" when it
// names none, so that nothing below the district is ever shown.
std::string district_of(std::string_view address);

// Routes, registered by register_routes(): cases and files (routes_cases.cpp); supervision,
// inbox, calendar, ratings and rectifications (routes_oversight.cpp).
void register_case_routes(http::Router& router, Service& service, identity::Service& identity);
void register_oversight_routes(http::Router& router, Service& service, identity::Service& identity);
void register_cockpit_routes(http::Router& router, Service& service,
                             identity::Service& identity);  // routes_cockpit.cpp

}  // namespace detail
}  // namespace yiwang::cases
