// The audit trail (等保 2.0 audit records: time, user, event type, outcome) over the outbox.
//
// The events table written by every module is the trail. The audit administrator (审计管理员) may
// query and export all of it; supervisors may read case and rectification events (电子监察); no
// one else, the system and security administrators included (三员分立).
//
// Integrity (docs/audit.md): the events and audit_chain tables refuse UPDATE and DELETE (database
// triggers), and the Sealer follows the stream, writing for every event a SHA-256 hash chained to
// the one before (`chain_hash`). `check` recomputes the chain and names the first event that no
// longer matches it; the server runs it at start and raises `audit.chain_broken` when it fails.
// The trail is never pruned: retention is at least `kRetentionDays`. The chain's head is anchored
// in the transparency ledger (`anchor`: an `audit.anchored` event the ledger publishes), so a
// rewrite of the whole trail and its chain inside the database still disagrees with the public,
// witnessed ledger. Functions are thread-safe (they share nothing but the store).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "events/events.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::audit {

inline constexpr int kRetentionDays = 180;  // 等保 level 3: audit records kept ≥ 6 months

std::vector<store::Migration> migrations();

// The events matching `filter`, oldest first. Errors: forbidden unless `who` is an auditor, or a
// supervisor asking for case or rectification events.
Result<std::vector<events::Event>> query(store::Store& store, const events::Filter& filter,
                                         const identity::Principal& who);

// The chain hash of `e` after `prev_hex` (64 hex digits; the first event follows 64 zeros):
// lower-case hex SHA-256 of prev (its 64 ASCII hex digits) followed by the netstrings
// ("<length>:<bytes>,") of seq, at_ms (decimal), type, subject_type, subject_id, actor user_id,
// role and dept_id, reason, before_json, after_json and data_json. Pure; an outside auditor
// recomputes it from an export.
std::string chain_hash(std::string_view prev_hex, const events::Event& e);
inline constexpr std::string_view kGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Follows the event stream and seals each event into the chain (follower "audit-chain").
// Records the head of the sealed chain as an `audit.anchored` event (subject audit_chain/<seq>,
// data {sealed_through, chain_head}; a government act the ledger publishes) when `every_ms` has
// passed since the last anchor and events other than that anchor were sealed since. Returns the
// anchor's seq, or nullopt when none was due. The server anchors every kAnchorEveryMs.
inline constexpr core::Millis kAnchorEveryMs = 10LL * 60 * 1000;
Result<std::optional<std::int64_t>> anchor(store::Store& store, const core::Clock& clock,
                                           core::Millis every_ms);

class Sealer {
 public:
  explicit Sealer(store::Store& store);
  Result<int> poll_once(int max_events = 1000);  // events sealed

 private:
  events::Follower follower_;
};

struct Integrity {
  bool verified = false;
  std::int64_t events = 0;          // sealed events checked
  std::int64_t sealed_through = 0;  // seq of the last sealed event
  std::int64_t unsealed = 0;        // events after it, not yet sealed
  std::string head;                 // chain hash of the last sealed event (kGenesis when none)
  std::optional<std::int64_t> broken_at;  // seq of the first event that does not match
  std::string problem;                    // what was wrong there, English, "" when verified
  core::Millis checked_at = 0;
  std::optional<core::Millis> oldest_at;  // time of the oldest event kept
};

// Recomputes the whole chain. Errors: only store failures.
Result<Integrity> check(store::Store& store, const core::Clock& clock);

// Records a failed check as `audit.chain_broken` (no personal data: seq and problem only).
Status report_broken(store::Store& store, const core::Clock& clock, const Integrity& result);

// One export, as JSON Lines (docs/audit.md): the unbroken stretch of sealed events from the first
// recorded in [from_ms, to_ms) to the last, with every event between them (a back-dated one too),
// and the `audit.exported` event recording who took it. Errors: forbidden unless an auditor;
// invalid when the range is empty, longer than 366 days, or its stretch holds more than
// `max_events` events (the answer is built in memory: export shorter ranges).
struct Export {
  std::string ndjson;
  std::int64_t count = 0;
};
inline constexpr std::int64_t kMaxExportEvents = 200000;
Result<Export> export_range(store::Store& store, const core::Clock& clock, core::Millis from_ms,
                            core::Millis to_ms, const identity::Principal& who,
                            std::int64_t max_events = kMaxExportEvents);

// GET /api/v1/audit?after=&limit=&subject_type=&subject_id=&type=&actor=
// GET /api/v1/audit/integrity, GET /api/v1/audit/export?from=&to= (auditors)
void register_routes(http::Router& router, store::Store& store, const core::Clock& clock,
                     identity::Service& identity);

}  // namespace yiwang::audit
