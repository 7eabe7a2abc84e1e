// Follower: turns government acts from the audit event stream into public log entries.
//
// Everything for one event (the salt of the party's commitment, the entry, the act row) is written
// in the events follower's transaction together with its cursor, so each act is logged exactly once
// even across crashes and re-polls.
#include <sodium.h>

#include "core/field_cipher.h"
#include "events/events.h"
#include "ledger/ledger.h"

namespace yiwang::ledger {
namespace {

std::string random_salt_hex() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

// The index context of parties, and the row key their sealed value is bound to.
constexpr std::string_view kPartyIndex = "ledger_party";
std::string subject_key(std::string_view subject_type, std::string_view subject_id) {
  return std::string(subject_type) + "/" + std::string(subject_id);
}

// The commitment of `party` for this subject, creating its salt on first use so that every entry
// about the subject commits to the party with the same value (one salt opens them all). The
// table keeps the party's keyed index and the party sealed, never the party in the clear.
std::string commitment_for(store::Tx& tx, const events::Event& e, const std::string& party) {
  const std::string party_index = tx.cipher().index(party, kPartyIndex);
  const store::Params key{e.subject_type, e.subject_id, party_index};
  if (auto row = tx.query_one(
          "SELECT commitment FROM ledger_commitments WHERE subject_type = ? AND subject_id = ? "
          "AND party = ?",
          key)) {
    return row->text(0);
  }
  const std::string salt = random_salt_hex();
  const std::string commitment = commitment_of(salt, party);
  tx.exec(
      "INSERT INTO ledger_commitments (subject_type, subject_id, party, party_sealed, salt, "
      "commitment, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {e.subject_type, e.subject_id, party_index,
       tx.cipher().seal_cell(party, "ledger_commitments.party",
                             subject_key(e.subject_type, e.subject_id)),
       salt, commitment, e.at_ms});
  return commitment;
}

std::vector<Act> load_acts(store::Tx& tx, std::string_view subject_type,
                           std::string_view subject_id) {
  std::vector<Act> out;
  for (const auto& row :
       tx.query("SELECT a.idx, a.act, a.event_seq, a.at_ms, e.data FROM ledger_acts a "
                "JOIN ledger_entries e ON e.idx = a.idx "
                "WHERE a.subject_type = ? AND a.subject_id = ? ORDER BY a.idx",
                {std::string(subject_type), std::string(subject_id)})) {
    Act a;
    a.index = row.int64(0);
    a.act = row.text(1);
    a.event_seq = row.int64(2);
    a.at_ms = row.int64(3);
    a.leaf_hash = leaf_hash(row.text(4));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

struct Follower::Impl {
  Log& log;
  store::Store& store;
  PartyResolver resolve_party;
  events::Follower follower;

  Impl(Log& l, store::Store& s, PartyResolver r)
      : log(l),
        store(s),
        resolve_party(std::move(r)),
        follower(s, "ledger",
                 [this](store::Tx& tx, const events::Event& e) { return handle(tx, e); }) {}

  Status handle(store::Tx& tx, const events::Event& e) {
    if (!is_government_act(e.type)) return {};
    std::string commitment;
    if (resolve_party) {
      if (auto party = resolve_party(tx, e); party && !party->empty()) {
        commitment = commitment_for(tx, e, *party);
      }
    }
    auto entry = public_entry(e, commitment);
    if (!entry) return {};
    auto appended = log.append_in(tx, std::move(*entry));
    if (!appended) return fail(appended.error());
    tx.exec(
        "INSERT INTO ledger_acts (idx, event_seq, act, subject_type, subject_id, at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {appended->index, e.seq, e.type, e.subject_type, e.subject_id, e.at_ms});
    return {};
  }
};

Follower::Follower(Log& log, store::Store& store, PartyResolver resolve_party)
    : impl_(std::make_unique<Impl>(log, store, std::move(resolve_party))) {}

Follower::~Follower() = default;

Result<int> Follower::poll_once(int max_events) {
  return impl_->follower.poll_once(max_events);
}

std::int64_t Follower::lag() {
  return impl_->follower.lag();
}

std::vector<Act> Follower::acts_of(std::string_view subject_type, std::string_view subject_id) {
  auto acts = impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Act>> {
    return load_acts(tx, subject_type, subject_id);
  });
  return acts ? std::move(*acts) : std::vector<Act>{};
}

Result<Receipt> Follower::receipt(std::string_view subject_type, std::string_view subject_id) {
  return impl_->store.read([&](store::Tx& tx) -> Result<Receipt> {
    Receipt r;
    r.subject_type = subject_type;
    r.subject_id = subject_id;
    r.acts = load_acts(tx, subject_type, subject_id);
    if (r.acts.empty()) {
      return fail(ErrorCode::not_found, "", "账本中没有该事项的记录",
                  "the ledger holds no act about this subject");
    }
    if (auto row =
            tx.query_one("SELECT party_sealed, salt, commitment FROM ledger_commitments "
                         "WHERE subject_type = ? AND subject_id = ? ORDER BY at_ms, party LIMIT 1",
                         {std::string(subject_type), std::string(subject_id)})) {
      r.party = tx.cipher().open_cell(row->text(0), "ledger_commitments.party",
                                      subject_key(subject_type, subject_id));
      r.salt_hex = row->text(1);
      r.commitment = row->text(2);
    }
    return r;
  });
}

Result<std::int64_t> seal_at_rest(store::Store& store) {
  std::int64_t total = 0;
  for (;;) {
    auto sealed = store.write([&](store::Tx& tx) -> Result<std::int64_t> {
      std::int64_t n = 0;
      for (const auto& row :
           tx.query("SELECT subject_type, subject_id, party FROM ledger_commitments "
                    "WHERE party_sealed = '' ORDER BY subject_type, subject_id, party LIMIT 500")) {
        const std::string type = row.text(0), id = row.text(1), party = row.text(2);
        tx.exec(
            "UPDATE ledger_commitments SET party = ?, party_sealed = ? "
            "WHERE subject_type = ? AND subject_id = ? AND party = ?",
            {tx.cipher().index(party, kPartyIndex),
             tx.cipher().seal_cell(party, "ledger_commitments.party", subject_key(type, id)), type,
             id, party});
        ++n;
      }
      return n;
    });
    if (!sealed) return fail(sealed.error());
    total += *sealed;
    if (*sealed == 0) return total;
  }
}

}  // namespace yiwang::ledger
