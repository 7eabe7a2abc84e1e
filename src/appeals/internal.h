// Private to the appeals module: the service's parts and the row helpers its source files share
// (defined in service.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "appeals/appeals.h"
#include "appeals/workflow.h"
#include "core/field_cipher.h"
#include "core/names.h"
#include "events/events.h"

namespace yiwang::appeals {

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  Options options;
};

namespace detail {

using workflow::Record;

// The API names (appeals.h) in one table per enum.
inline constexpr auto kChannels = core::enum_names<Channel>("web", "mobile", "phone", "api");
inline constexpr auto kTypes =
    core::enum_names<Type>("consult", "help", "complaint", "report", "suggestion");
inline constexpr auto kStates = core::enum_names<State>(
    "accepted", "dispatched", "returned", "handling", "replied", "closed", "called_back", "rated");
inline constexpr auto kActions =
    core::enum_names<Action>("dispatch", "return", "arbitrate", "receive", "reply", "supervise",
                             "close", "callback", "rate");
// The event each action writes, in kActions order.
inline constexpr auto kEventTypes = core::enum_names<Action>(
    "appeal.dispatched", "appeal.returned", "appeal.arbitrated", "appeal.received",
    "appeal.replied", "appeal.supervised", "appeal.closed", "appeal.called_back", "appeal.rated");

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en);
tl::unexpected<Error> not_found();
// A row changed between reading and writing it (another writer won).
tl::unexpected<Error> changed_concurrently(bool ask_to_refresh);

// The columns record_from_row reads, in its order.
extern const char* const kColumns;
Record record_from_row(const store::Row& row, const core::FieldCipher& cipher);
std::optional<Record> load(store::Tx& tx, std::string_view id);
// A new appeal's row (state, counters and timestamps as in `r`; last submitted at `now`).
void insert(store::Tx& tx, const Record& r, core::Millis now);
// Writes the mutable part; false when the row changed since it was read at `read_revision`.
bool update(store::Tx& tx, const Appeal& a, std::int64_t read_revision);
// Writes the outcome of a workflow step read at `before` and appends its event.
Status write_step(store::Tx& tx, const core::Clock& clock, const Appeal& before,
                  const workflow::Outcome& o, const events::Actor& actor, bool ask_to_refresh);
// The appeal's event: after = its summary (workflow::summary_json).
events::NewEvent appeal_event(std::string type, const Appeal& a, events::Actor actor,
                              std::string reason, std::string before, std::string data_json);
// Whose submissions merge, count against the rate limit and share idempotency keys: the
// caller's phone for a call (its keyed index: the key is also the ledger party's preimage, and an
// unkeyed hash of a phone number is undone by trying every number), else the account.
std::string identity_key_of(const NewAppeal& n, const identity::Principal& by,
                            const core::FieldCipher& cipher);
// The limit (working days) appeals of `type` get now: the edited one, else the default.
int limit_days(store::Tx& tx, Type type);

// The working-day calendar of the options (the built-in one when unset).
Result<core::WorkingCalendar> calendar_of(const Options& o);
// The clock from intake, stopped at the reply.
void fill_clock(Appeal& a, const core::WorkingCalendar& calendar, core::Millis now,
                int yellow_days);
bool replied_on_time(const core::WorkingCalendar& calendar, core::Millis created_at_ms,
                     int limit_days, core::Millis replied_at_ms, int yellow_days);

// Seals the title and text of submissions an older version stored in the clear (context
// "appeal_submissions.<column>:<appeal id>"); how many cells it sealed. intake.cpp.
Result<std::int64_t> seal_submissions(store::Store& store);
// Phone callers' appeals from before their key was keyed: identity_key "phone:<SHA-256 of the
// digits>" (70 characters) becomes the keyed "phone:<index>" here, in their submissions and in
// their idempotency keys; the old value, which the ledger committed to, is kept sealed as the
// appeal's ledger_party. Returns how many appeals it re-keyed. intake.cpp.
Result<std::int64_t> rekey_phone_callers(store::Store& store);
// The merge key of a phone caller: the keyed index of the phone's digits.
std::string phone_key(std::string_view phone, const core::FieldCipher& cipher);

}  // namespace detail
}  // namespace yiwang::appeals
