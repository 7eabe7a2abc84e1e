// Anchoring the chain in the transparency ledger (audit.h, docs/audit.md): the head of the sealed
// chain, recorded as an `audit.anchored` event that the ledger publishes. Someone who rewrites the
// events and reseals the whole chain in the database cannot rewrite the public, witnessed ledger:
// an outside auditor compares an export's chain hash at an anchored seq with the ledger's entry.
#include <string>

#include <nlohmann/json.hpp>

#include "audit/audit.h"

namespace yiwang::audit {
namespace {

// The last anchor's seq and time; nullopt before the first.
std::optional<std::pair<std::int64_t, core::Millis>> last_anchor(store::Tx& tx) {
  auto row = tx.query_one(
      "SELECT seq, at_ms FROM events WHERE type = 'audit.anchored' ORDER BY seq DESC LIMIT 1");
  if (!row) return std::nullopt;
  return std::make_pair(row->int64(0), row->int64(1));
}

// Due when `every_ms` has passed since the last anchor and something other than that anchor has
// been sealed since: an idle platform does not anchor its own anchors forever.
bool due(store::Tx& tx, core::Millis now, core::Millis every_ms, std::int64_t* head_seq,
         std::string* head) {
  auto last = last_anchor(tx);
  if (last && now - last->second < every_ms) return false;
  auto row = tx.query_one("SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1");
  if (!row || (last && row->int64(0) <= last->first)) return false;
  *head_seq = row->int64(0);
  *head = row->text(1);
  return true;
}

}  // namespace

Result<std::optional<std::int64_t>> anchor(store::Store& store, const core::Clock& clock,
                                           core::Millis every_ms) {
  using Anchored = std::optional<std::int64_t>;
  std::int64_t head_seq = 0;
  std::string head;
  // A read first: the followers' loop asks often, and it is rarely due.
  auto ready = store.read([&](store::Tx& tx) -> Result<bool> {
    return due(tx, clock.now_ms(), every_ms, &head_seq, &head);
  });
  if (!ready) return fail(ready.error());
  if (!*ready) return Anchored{};
  return store.write([&](store::Tx& tx) -> Result<Anchored> {
    if (!due(tx, clock.now_ms(), every_ms, &head_seq, &head)) return Anchored{};
    return Anchored{events::append(
        tx, clock,
        {.type = "audit.anchored",
         .subject_type = "audit_chain",
         .subject_id = std::to_string(head_seq),
         .actor = events::system_actor(),
         .data_json =
             nlohmann::json{{"sealed_through", head_seq}, {"chain_head", head}}.dump()})};
  });
}

}  // namespace yiwang::audit
