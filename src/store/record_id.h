// Record ids: one allocator for every table keyed by a random id, with one collision policy.
//
// Two kinds of id:
// - Readable ids (case numbers, appeal numbers, grid events: people read them out on the phone):
//   `prefix`, then (when `dated`) the China date of `now` as YYYYMMDD, then `digits` random
//   decimal digits — "YW20261122" + 8 digits. The space per day is small, so they are drawn inside
//   the caller's write transaction, checked against the table, and drawn again when taken (a busy
//   day meets an earlier draw now and then). The check and the caller's INSERT share the
//   transaction, so the pair is atomic on SQLite (one writer) and on PostgreSQL (SERIALIZABLE: a
//   concurrent writer of the same id makes one of the two transactions fail with a serialization
//   error, which the store retries). After 16 taken draws in a row: conflict.
// - Opaque ids (sessions, messages, documents): `prefix` + 2 × `bytes` lower-case hex digits of
//   fresh randomness; with at least 8 bytes (64 bits) a collision is not a case to handle, and a
//   unique constraint still refuses one (conflict) rather than overwrite.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace yiwang::store {

struct IdScheme {
  std::string_view table;   // where the id must be unique
  std::string_view prefix;  // "YW", "AP", "GE", …
  bool dated = true;        // prefix + YYYYMMDD
  int digits = 8;           // random decimal digits
  std::string_view column = "id";
};

// A new readable id under `scheme`, not yet present in its table. Errors: conflict after 16
// taken draws.
Result<std::string> new_record_id(Tx& tx, core::Random& random, core::Millis now,
                                  const IdScheme& scheme);

// A new opaque id: `prefix` + `bytes` random bytes in hex (at least 8 bytes).
std::string opaque_id(core::Random& random, std::string_view prefix = "", int bytes = 16);

}  // namespace yiwang::store
