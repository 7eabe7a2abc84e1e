// Client-side verification of a yiwang transparency ledger (公开核验), the `yiwang ledger verify`
// tool, and the public verification web page.
//
// A verifier trusts nothing the server says beyond what it can check: the checkpoint must carry a
// valid signature of the log key (given, or trusted on first use and pinned in a local state
// file), must be consistent with the last checkpoint this verifier saw (a smaller tree is a
// rollback, a different root for the same size or a failing consistency proof is a fork), and each
// entry asked about must hash to a leaf that an inclusion proof ties to the checkpoint root. The
// state file is only advanced when every check passed, so a failure is reported again next run.
//
// Thread-safety: the functions are reentrant; a state file must not be shared by two verifiers
// running at once. Failures are Errors whose `field` names the kind of failure ("rollback",
// "fork", "signature", "key", "inclusion", "entry", "full", "network", "state", "url") and whose
// messages say why in one line, e.g. "rollback: size 120 < last seen 130".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace yiwang::http {
class Client;
class Router;
}  // namespace yiwang::http

namespace yiwang::ledger {

// "http://host[:port][/]" (port default 80). https is not spoken by http::Client: invalid_input.
struct Endpoint {
  std::string host;
  unsigned short port = 80;
};
Result<Endpoint> parse_url(std::string_view url);

// What a verifier or witness remembers between runs: the log key it trusts and the last
// checkpoint it accepted (or cosigned). Stored as text:
//   "yiwang-ledger-state v1\n" "key <verifier key>\n" <checkpoint body>
struct TrustState {
  std::string verifier_key;
  Checkpoint checkpoint;
};
Result<std::optional<TrustState>> load_state(const std::string& path);  // nullopt when missing
// Writes atomically (temporary file + rename), creating the parent directory (mode 0700).
Status save_state(const std::string& path, const TrustState& state);
// "~/.yiwang/<prefix>-<origin>.state" with the origin reduced to [A-Za-z0-9._-].
std::string default_state_path(std::string_view prefix, std::string_view origin);

// Thin typed reads of the ledger's public API. Errors: field "network" for transport failures
// and unexpected statuses, "entry"/"inclusion"/… for malformed bodies.
class LedgerClient {
 public:
  explicit LedgerClient(const Endpoint& endpoint);
  ~LedgerClient();
  LedgerClient(const LedgerClient&) = delete;
  LedgerClient& operator=(const LedgerClient&) = delete;

  Result<std::string> checkpoint_note();  // GET /ledger/checkpoint
  Result<std::string> published_key();    // verifier_key of GET /api/v1/ledger/key
  Result<std::string> entry(std::int64_t index, Hash* server_leaf_hash = nullptr);  // raw bytes
  Result<std::vector<Hash>> inclusion(std::int64_t index, std::int64_t size);
  Result<std::vector<Hash>> consistency(std::int64_t old_size, std::int64_t new_size);
  Result<std::string> tile(const std::string& path);  // GET /ledger/<path>, raw bytes
  // POST /api/v1/ledger/cosignatures with a cosigned note (text/plain); success on 200/204.
  Status post_cosignature(const std::string& note);

 private:
  Result<std::string> get(const std::string& target, const char* what);
  std::unique_ptr<http::Client> client_;
};

// Checks that `next` may follow `prev` (both already signature-checked): same origin, not smaller
// (rollback), same root at the same size (fork), and a valid consistency proof fetched from the
// log when it grew (fork otherwise).
Status check_consistency(LedgerClient& log, const Checkpoint& prev, const Checkpoint& next);

// Fetches entry `index`, recomputes its leaf hash (must equal the server's), and verifies its
// inclusion proof against `checkpoint`.
Status check_inclusion(LedgerClient& log, const Checkpoint& checkpoint, std::int64_t index);

// Re-derives the whole tree of `checkpoint` from the entry bundles and compares the root.
Status check_full_tree(LedgerClient& log, const Checkpoint& checkpoint);

struct VerifyOptions {
  std::string url;
  std::string verifier_key;  // "" = trust on first use (pin the key the log publishes)
  std::string state_file;    // "" = default_state_path("ledger", origin)
  std::vector<std::int64_t> entries;
  bool full = false;
};

struct VerifyReport {
  Checkpoint checkpoint;
  std::optional<Checkpoint> previous;  // the last one seen before this run, if any
  std::string verifier_key;
  std::string state_file;
  bool key_pinned_now = false;     // trust on first use happened in this run
  std::vector<std::string> notes;  // human-readable lines of what was checked (English)
};

// One full verification run. Saves the new checkpoint to the state file only on success.
Result<VerifyReport> verify(const VerifyOptions& options);

// GET /verify (the 公开核验 page) and GET /verify/app.js, embedded in the binary. Public.
void register_web_routes(http::Router& router);

}  // namespace yiwang::ledger
