// The transparency ledger (透明账本): every government act in a public, verifiable Merkle log.
//
// A C2SP tlog: entries are appended durably (an index is final once `append` returns), a sequencer
// integrates them into the RFC 6962 tree and publishes a signed checkpoint when the tree grew, and
// readers get static tiles, entries and proofs. The log is fed by the audit event stream: a
// follower turns each government act (case decisions, item publication, certificate issuance and
// revocation, …) into canonical public JSON without personal data — the party appears only as a
// salted commitment whose salt the party gets on its receipt (回执).
//
// Thread-safety: Log, Follower and Sequencer are shared by all request threads. The Log's locks
// are annotated (core/thread_annotations.h, checked by clang -Wthread-safety): the append queue
// with its committer thread, the tree edge of the latest checkpoint (integrate runs one at a
// time) and the cache of full tiles; the Sequencer's stop flag. The Follower holds no lock: its
// state is in the store and its cursor moves in the events follower's transaction. Witness
// cosignatures are stored, not cached. Ownership: the Log holds references to the store and
// clock, which must outlive it; the Follower and Sequencer to the Log.
//
// Files by concern:
//   ledger.h          this contract
//   log.cpp           appends (group commit), integration, checkpoints, reads, cosignatures,
//                     the key file and its rotation, the self check
//   follower.cpp      the audit-event follower, commitments and receipts
//   public_entry.cpp  what of an event goes into the public log
//   sequencer.cpp     the background thread (follow, integrate, sign)
//   routes.cpp        the HTTP surface, through identity::Routes
//   merkle.*, note.*, tiles.*   the pure formats (RFC 6962 trees, C2SP notes and tiles)
//   verifier.*, witness.*       the client side: `yiwang ledger verify`, the public page, witnesses
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/tiles.h"
#include "store/store.h"

namespace yiwang::events {
struct Event;
}
namespace yiwang::identity {
class Service;
struct Principal;
}  // namespace yiwang::identity
namespace yiwang::http {
class Router;
}

namespace yiwang::ledger {

std::vector<store::Migration> migrations();

// A commitment's party (e.g. "111:<id number>") is kept as its keyed index and sealed at rest
// (core/field_cipher.h, the store's data key); this converts rows an older version kept in the
// clear. At start, before serving; returns how many it sealed.
Result<std::int64_t> seal_at_rest(store::Store& store);

struct Options {
  std::string origin = "ledger.yiwang.example.gov.cn";
  std::string key_file = "var/ledger.key";  // signer key line, mode 0600; generated when missing
  std::vector<std::string> witness_keys;    // verifier keys (cosignature/v1) whose cosignatures we accept
  std::chrono::milliseconds checkpoint_interval{1000};
  int max_batch = 4096;                     // entries per group commit of `append`
};

struct Appended {
  std::int64_t index = 0;
  Hash leaf_hash{};
};

struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;  // signed note text, with every accepted witness cosignature attached
  core::Millis at_ms = 0;
};

struct Entry {
  std::int64_t index = 0;
  std::string data;  // the exact logged bytes
  Hash leaf_hash{};
};

// A logged act about one subject, as the public lookup and the receipt show it.
struct Act {
  std::int64_t index = 0;
  Hash leaf_hash{};
  std::string act;  // event type, e.g. "case.granted"
  std::int64_t event_seq = 0;
  core::Millis at_ms = 0;
};

// What only the party gets: the salt that opens the commitment in its entries.
struct Receipt {
  std::string subject_type;
  std::string subject_id;
  std::vector<Act> acts;
  std::string party;       // the committed value, e.g. "111:110105194912310029"; "" when none
  std::string salt_hex;    // "" when the acts carry no party commitment
  std::string commitment;  // hex SHA-256("yiwang/commitment/v1\n" ‖ salt_hex ‖ "\n" ‖ party)
};

// Maps an audit event to the party whose identity its public entry commits to (e.g. the case
// applicant's id type and number); nullopt when the act has no private party. Runs inside the
// follower's transaction. Supplied by the app, which knows the modules (the ledger does not).
using PartyResolver =
    std::function<std::optional<std::string>(store::Tx&, const events::Event&)>;

// Event types that are government acts and go to the log.
bool is_government_act(std::string_view event_type);
// The canonical public entry for an act (sorted keys, no whitespace, UTF-8), or nullopt when the
// event is not an act. `commitment` is "" when there is no party.
std::optional<std::string> public_entry(const events::Event& event, std::string_view commitment);
std::string commitment_of(std::string_view salt_hex, std::string_view party);

class Log {
 public:
  // Loads or creates the signer key (Options::key_file) and the tree state. Throws on start-up
  // failure (unreadable key file, corrupt stored tree).
  Log(store::Store& store, const core::Clock& clock, Options options);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends one entry; returns once it is durable. Concurrent calls are group-committed (up to
  // max_batch entries per transaction). invalid_input when the entry is empty or over 65535 bytes.
  Result<Appended> append(std::string entry);
  // Appends inside the caller's write transaction (the event follower uses this so the entry and
  // its cursor commit together).
  Result<Appended> append_in(store::Tx& tx, std::string entry);

  // Integrates entries appended since the last checkpoint into the tree and, when the tree grew,
  // signs and stores a new checkpoint. Returns the new tree size (unchanged when nothing grew).
  Result<std::int64_t> integrate();

  Result<SignedCheckpoint> checkpoint();             // latest; not_found before the first one
  Result<std::string> tile(const TileRef& ref);      // not_found beyond the latest checkpoint
  Result<Entry> entry(std::int64_t index);           // integrated entries only
  Result<std::vector<Hash>> inclusion(std::int64_t index, std::int64_t size);
  Result<std::vector<Hash>> consistency(std::int64_t old_size, std::int64_t new_size);
  std::string verifier_key() const;
  const std::string& origin() const;

  // Accepts a witness's cosigned checkpoint note (its text must equal a checkpoint we signed and
  // carry a valid cosignature of a configured witness); the line is attached to later reads.
  Status add_cosignature(std::string_view cosigned_note);

  // Recomputes every leaf hash from the stored entries and every stored node and the latest root;
  // fails loudly (ErrorCode::internal, message naming the first bad index) on any difference.
  Status self_check();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Key rotation on the key file of a stopped log. `add`: a new primary signer key is put first and
// the old signers keep signing, so verifiers that pin the old key go on verifying while they
// move to the new one (published at /api/v1/ledger/key). `retire`: every signer but the primary
// becomes a verifier-only line, kept so that the checkpoints it signed still pass self_check.
// The file is rewritten atomically with mode 0600. Returns the new primary's verifier key.
enum class Rotation { add, retire };
Result<std::string> rotate_key(const std::string& key_file, const std::string& origin,
                               Rotation step);

// Follows the audit event stream and logs each government act; records the salt of each party
// commitment privately so receipts can reveal it.
class Follower {
 public:
  Follower(Log& log, store::Store& store, PartyResolver resolve_party);
  ~Follower();
  Result<int> poll_once(int max_events = 500);  // events handled
  std::int64_t lag();

  std::vector<Act> acts_of(std::string_view subject_type, std::string_view subject_id);
  Result<Receipt> receipt(std::string_view subject_type, std::string_view subject_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs follower polls and `integrate` every checkpoint interval on its own thread until destroyed.
class Sequencer {
 public:
  Sequencer(Log& log, Follower* follower, std::chrono::milliseconds interval);
  ~Sequencer();  // stops and joins

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Who may read a subject's receipt (with its salt): the app checks it against the owning module
// (e.g. the case's applicant or an official who may see the case).
using ReceiptAccess = std::function<Status(const identity::Principal&, std::string_view subject_type,
                                           std::string_view subject_id)>;

// Public, unauthenticated reads (/ledger/…, /api/v1/ledger/…), the witness cosignature intake,
// and GET /api/v1/ledger/receipts/{subject_type}/{subject_id} for the party.
void register_routes(http::Router& router, Log& log, Follower& follower,
                     identity::Service& identity, ReceiptAccess may_read_receipt);

}  // namespace yiwang::ledger
