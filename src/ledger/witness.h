// An independent witness (见证方, e.g. the audit office) for a yiwang transparency ledger.
//
// Per C2SP tlog-witness/tlog-cosignature: each round pulls the log's checkpoint, checks the log's
// signature, checks that it is consistent with the last checkpoint this witness cosigned, adds a
// cosignature/v1 line and posts the note back to the log. A witness never cosigns two checkpoints
// that are not consistent with each other: the state file records the last cosigned checkpoint
// and is written BEFORE the cosignature leaves the process, so a crash cannot make it forget.
// Rollbacks and forks are refused and reported; the state is not advanced past them.
//
// Thread-safety: a Witness is used from one thread. Its key file (mode 0600) and state file must
// not be shared with another running witness.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "ledger/note.h"
#include "ledger/verifier.h"

namespace yiwang::ledger {

// Loads the cosignature/v1 signer key in `path`, or generates one named `name` and writes it with
// mode 0600 (failing if the file appears meanwhile). `*created` tells which happened. Errors: an
// unreadable or malformed file, a key of another kind, or one with another name (field "key").
Result<SignerKey> load_or_create_witness_key(const std::string& path, const std::string& name,
                                             bool* created = nullptr);

struct WitnessOptions {
  std::string url;
  std::string log_key;   // the log's verifier key (required: a witness does not trust on first use)
  std::string key_file;  // this witness's signer key
  std::string name;      // this witness's key name, e.g. "witness.audit.example.gov.cn"
  std::string state_file;  // "" = key_file + ".state"
  std::chrono::seconds interval{10};
};

struct RoundResult {
  enum class Outcome {
    cosigned,         // a new checkpoint was cosigned and accepted by the log
    already_cosigned  // the served checkpoint already carries our valid cosignature
  };
  Outcome outcome = Outcome::cosigned;
  Checkpoint checkpoint;
  std::int64_t previous_size = -1;  // last cosigned size before this round, -1 when none
};

class Witness {
 public:
  // Loads (or creates) the key; throws std::runtime_error on failure (start-up).
  Witness(WitnessOptions options, const core::Clock& clock);
  const std::string& verifier_key() const { return verifier_key_; }
  bool key_created() const { return key_created_; }

  // One round. Failures name their kind in Error::field: "rollback", "fork", "signature",
  // "origin", "network", "state".
  Result<RoundResult> round();

  // Rounds every interval until `stop` is set (checked each second); reports each outcome on
  // `out` and failures loudly on `err`. With `once`, one round; returns 0 when it succeeded, 1
  // otherwise (for a loop, 0 after stop unless the last round refused a rollback or fork).
  int run(std::ostream& out, std::ostream& err, const std::atomic<bool>& stop, bool once);

 private:
  WitnessOptions options_;
  const core::Clock& clock_;
  SignerKey key_;
  Verifier log_verifier_;
  Verifier own_verifier_;
  std::string verifier_key_;
  bool key_created_ = false;
};

}  // namespace yiwang::ledger
