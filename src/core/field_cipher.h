// Personal data sealed at rest (等保 2.0 三级, 数据保密性): the columns that hold identity numbers,
// phone numbers and second-factor secrets are stored encrypted, under a data key that lives in a
// file outside the database. A copy of the database, a backup or a replica read by someone without
// the key shows none of them.
//
// - `seal` encrypts with XChaCha20-Poly1305 (libsodium) under a fresh random nonce; the stored text
//   is "enc1:" + base64url(nonce ‖ ciphertext ‖ tag). The caller names a context — the column and
//   the row, e.g. "users.phone:<user id>" — which is authenticated with it, so a sealed value moved
//   to another column or row no longer opens.
// - `index` is a keyed BLAKE2b digest of a value (hex) for equality search: the same value in the
//   same context always gives the same index, and without the key it cannot be computed.
// - `fingerprint` identifies the key without revealing it; the database records it once
//   (store::bind_key) so a node started with the wrong key refuses to start instead of failing on
//   every row.
//
// Key file: "yiwang-data-key v1" and 64 hex digits, mode 0600, created on first start. Every node
// of a PostgreSQL deployment needs the same file; losing it loses the sealed columns (back it up
// apart from the database: docs/data-at-rest.md).
//
// Thread-safety: immutable after construction; share one instance.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace yiwang::core {

// The index context of id numbers (公民身份号码, 统一社会信用代码), shared by every table that
// finds people by id number, so that their indexes compare.
inline constexpr std::string_view kIdNumberIndex = "id_number";

class FieldCipher {
 public:
  static constexpr std::string_view kPrefix = "enc1:";

  // Reads the key file; creates it (0600) with a random key when it does not exist and
  // `may_create`. Errors: the file unreadable or malformed, or missing when it may not be created.
  static Result<std::shared_ptr<const FieldCipher>> load(const std::string& key_file,
                                                         bool may_create);
  // A cipher under a random key held only in memory (tests and benchmarks).
  static std::shared_ptr<const FieldCipher> ephemeral();

  // "" stays "" (nothing to protect, and it keeps "no value" testable in SQL).
  std::string seal(std::string_view plaintext, std::string_view context) const;
  // The plaintext of a value `seal` wrote with the same context. A value that is not sealed, or
  // does not open (another key, another context, altered), is an error: never silently passed on.
  Result<std::string> open(std::string_view stored, std::string_view context) const;
  std::string index(std::string_view plaintext, std::string_view context) const;
  const std::string& fingerprint() const { return fingerprint_; }

  // A table cell: the context is "<column>:<row key>", e.g. ("users.phone", user id).
  std::string seal_cell(std::string_view plaintext, std::string_view column,
                        std::string_view row_key) const;
  // A cell that does not open is corruption or a wrong key: it throws std::runtime_error, and the
  // request fails as an internal error rather than show or act on a wrong value.
  std::string open_cell(std::string_view stored, std::string_view column,
                        std::string_view row_key) const;

  static bool is_sealed(std::string_view stored) { return stored.starts_with(kPrefix); }

  explicit FieldCipher(const std::array<unsigned char, 32>& key);
  ~FieldCipher();
  FieldCipher(const FieldCipher&) = delete;
  FieldCipher& operator=(const FieldCipher&) = delete;

 private:
  std::array<unsigned char, 32> seal_key_{};
  std::array<unsigned char, 32> index_key_{};
  std::string fingerprint_;
};

}  // namespace yiwang::core
