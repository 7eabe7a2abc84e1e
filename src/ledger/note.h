// C2SP signed notes, tlog checkpoints and tlog cosignatures (Ed25519).
//
// Formats, exactly as c2sp.org/signed-note, c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature
// define them, so that golang.org/x/mod/sumdb/note verifies our notes unchanged:
//   key hash      = first 4 bytes of SHA-256(name ‖ "\n" ‖ alg ‖ public key), alg 0x01 (Ed25519)
//                   or 0x04 (cosignature/v1)
//   verifier key  = "<name>+<8 hex key hash>+<base64(alg ‖ public key)>"
//   signer key    = "PRIVATE+KEY+<name>+<8 hex key hash>+<base64(alg ‖ 32-byte seed)>"
//   note          = text (ends in "\n") ‖ "\n" ‖ one line per signature:
//                   "— <name> <base64(key hash ‖ signature)>\n"  (U+2014 em dash)
//   checkpoint    = "<origin>\n<size>\n<base64 root>\n" [extension lines]
//   cosignature   = signature over "cosignature/v1\ntime <unix seconds>\n" ‖ checkpoint text;
//                   its line carries base64(key hash ‖ uint64 BE timestamp ‖ Ed25519 signature)
// Pure functions over libsodium; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/merkle.h"

namespace yiwang::ledger {

enum class KeyKind { ed25519, cosignature_v1 };

struct SignerKey {
  std::string name;
  KeyKind kind = KeyKind::ed25519;
  std::string seed;        // 32 raw bytes
  std::string public_key;  // 32 raw bytes
  std::uint32_t key_hash = 0;
};

// Standard base64 with padding, as notes and the ledger API write bytes.
std::string base64(std::string_view bytes);

// Generates a fresh key pair from libsodium's CSPRNG.
SignerKey generate_key(std::string name, KeyKind kind);
// Parses / formats the signer key string above (the private key file holds exactly that line).
Result<SignerKey> parse_signer_key(std::string_view text);
std::string format_signer_key(const SignerKey& key);
std::string verifier_key(const SignerKey& key);

struct Verifier {
  std::string name;
  KeyKind kind = KeyKind::ed25519;
  std::string public_key;  // 32 raw bytes
  std::uint32_t key_hash = 0;
};
Result<Verifier> parse_verifier_key(std::string_view text);  // invalid_input on a malformed key

struct Checkpoint {
  std::string origin;
  std::int64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // extra body lines, without "\n"
};
std::string checkpoint_body(const Checkpoint& c);
Result<Checkpoint> parse_checkpoint_body(std::string_view body);

// A signed note split into its text and its signature lines.
struct Note {
  std::string text;                // body, ends in "\n"
  std::vector<std::string> lines;  // signature lines, without the trailing "\n"
};
Result<Note> parse_note(std::string_view note);
std::string format_note(const Note& note);

// Signs `text` (must end in "\n") as a note with one Ed25519 signature.
std::string sign_note(std::string_view text, const SignerKey& key);
// Adds a cosignature/v1 line for a checkpoint note (appended to the existing signatures).
std::string cosignature_line(std::string_view checkpoint_text, const SignerKey& cosigner,
                             std::int64_t unix_seconds);
std::string add_signature_line(std::string_view note, std::string_view line);

// Verifies that `note` carries a valid signature of `verifier` over its text. Fails with
// invalid_input (field "signature") naming the reason: malformed note, no signature by that key,
// or a bad signature. For cosignature_v1 verifiers, returns the cosigned timestamp in `*time`.
Status verify_note(std::string_view note, const Verifier& verifier,
                   std::int64_t* cosigned_time = nullptr);

}  // namespace yiwang::ledger
