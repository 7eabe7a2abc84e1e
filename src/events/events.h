// Domain events: the outbox every state change writes to, in the same transaction as the change.
//
// The events table is the audit trail (append-only, queryable by admins) and the internal event
// stream: followers (ledger, cockpit, notifications, …) read it in order, each storing its position
// in the same store so that it resumes after a restart, and report their lag.
// Event sequence numbers are strictly increasing and, once a follower can see seq N, every event
// with a smaller seq is visible too (appends are serialised per store).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace yiwang::events {

struct Actor {
  std::string user_id;  // "" for the system itself
  std::string role;  // "citizen", "clerk", "reviewer", "approver", "supervisor", "admin", "system"
  std::string dept_id;  // acting department, "" for citizens and businesses
};

// The platform itself acting (a follower, a sweep, 秒批), for a department or for none.
inline Actor system_actor(std::string dept_id = "") {
  return Actor{"", "system", std::move(dept_id)};
}

// One event, written with designated initialisers so each module builds events the same way:
//   events::append(tx, clock, {.type = "appeal.replied", .subject_type = "appeal",
//                              .subject_id = a.id, .actor = identity::actor_of(by),
//                              .after_json = summary, .data_json = data.dump()});
struct NewEvent {
  // Every member has an initialiser, so designated initialisers may leave out what is empty.
  std::string type{};          // dotted, past tense: "case.accepted", "item.published", …
  std::string subject_type{};  // "case", "item", "user", "certificate", "appeal", …
  std::string subject_id{};
  Actor actor{};
  std::string reason{};       // opinion / why, free text, may be ""
  std::string before_json{};  // state before, JSON object text or "" when there was none
  std::string after_json{};   // state after, JSON object text or ""
  std::string data_json{};    // extra structured detail, JSON object text or ""
};

struct Event : NewEvent {
  std::int64_t seq = 0;
  core::Millis at_ms = 0;
};

std::vector<store::Migration> migrations();

// Appends inside the caller's write transaction; returns the event's seq. Append late in the
// transaction: on PostgreSQL an append holds a lock until commit (that is what keeps seq order
// equal to visibility order), so work done after it extends the time other writers wait.
std::int64_t append(store::Tx& tx, const core::Clock& clock, const NewEvent& event);

struct Filter {
  std::int64_t after_seq = 0;
  int limit = 100;           // capped at 1000
  std::string subject_type;  // "" = any
  std::string subject_id;
  std::string type_prefix;  // "case." matches all case events
  std::string actor_user_id;
};
std::vector<Event> list(store::Tx& tx, const Filter& filter);
// Every event about one subject, oldest first (read in pages of 1,000): a record's timeline.
std::vector<Event> of_subject(store::Tx& tx, std::string_view subject_type,
                              std::string_view subject_id);
std::int64_t last_seq(store::Tx& tx);

// A named reader of the stream. `handle` runs inside a write transaction together with the cursor
// update, so a follower's own writes and its position commit atomically (exactly once).
class Follower {
 public:
  using Handler = std::function<Status(store::Tx&, const Event&)>;
  Follower(store::Store& store, std::string name, Handler handle);

  // Processes up to `max_events` events after the stored position; returns how many it handled.
  Result<int> poll_once(int max_events = 500);
  // For a follower of news rather than history (notices to people): with no position stored
  // yet, it starts at the end of the stream, so that its first run on a database with a past does
  // not act on that past. Idempotent; safe when several nodes start at once.
  Status start_at_end();
  std::int64_t position();  // last handled seq
  std::int64_t lag();       // events not yet handled

 private:
  store::Store& store_;
  std::string name_;
  Handler handle_;
};

}  // namespace yiwang::events
