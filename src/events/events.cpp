#include "events/events.h"

#include <algorithm>

namespace yiwang::generated {
std::vector<store::Migration> events_migrations();
}

namespace yiwang::events {
namespace {

constexpr int kMaxListLimit = 1000;

// PostgreSQL advisory lock key reserved for event appends (an arbitrary constant; see append).
constexpr std::string_view kAppendLockKey = "7955443517024215857";

constexpr std::string_view kColumns =
    "seq, at_ms, type, subject_type, subject_id, actor_user_id, actor_role, actor_dept_id, reason, "
    "before_json, after_json, data_json";

Event event_of(const store::Row& row) {
  Event e;
  e.seq = row.int64(0);
  e.at_ms = row.int64(1);
  e.type = row.text(2);
  e.subject_type = row.text(3);
  e.subject_id = row.text(4);
  e.actor.user_id = row.text(5);
  e.actor.role = row.text(6);
  e.actor.dept_id = row.text(7);
  e.reason = row.text(8);
  e.before_json = row.text(9);
  e.after_json = row.text(10);
  e.data_json = row.text(11);
  return e;
}

// Appends to `sql` a condition that `type` starts with `prefix`.
void add_prefix_condition(std::string& sql, store::Params& params, const std::string& prefix) {
  // A range [prefix, prefix with its last byte incremented) uses the (type, seq) index; it is a
  // prefix test only for bytewise comparison, which SQLite's BINARY collation and the COLLATE "C"
  // column on PostgreSQL give (UTF-8 byte order is code point order). Bumping the last byte keeps
  // the text valid UTF-8 only when it is ASCII below DEL; otherwise fall back to substr, which is
  // correct under any collation but scans.
  const unsigned char last = static_cast<unsigned char>(prefix.back());
  if (last > 0 && last < 0x7f) {
    std::string upper = prefix;
    ++upper.back();
    sql += " AND type >= ? AND type < ?";
    params.emplace_back(prefix);
    params.emplace_back(std::move(upper));
    return;
  }
  // substr counts characters on both backends, so count UTF-8 code points (non-continuation bytes).
  auto chars = std::count_if(prefix.begin(), prefix.end(),
                             [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; });
  sql += " AND substr(type, 1, " + std::to_string(chars) + ") = ?";
  params.emplace_back(prefix);
}

std::vector<Event> select_events(store::Tx& tx, const Filter& filter, int limit) {
  std::string sql = "SELECT ";
  sql += kColumns;
  sql += " FROM events WHERE seq > ?";
  store::Params params{filter.after_seq};
  if (!filter.subject_type.empty()) {
    sql += " AND subject_type = ?";
    params.emplace_back(filter.subject_type);
  }
  if (!filter.subject_id.empty()) {
    sql += " AND subject_id = ?";
    params.emplace_back(filter.subject_id);
  }
  if (!filter.type_prefix.empty()) add_prefix_condition(sql, params, filter.type_prefix);
  if (!filter.actor_user_id.empty()) {
    sql += " AND actor_user_id = ?";
    params.emplace_back(filter.actor_user_id);
  }
  // The limit is a clamped integer, inlined so that neither backend has to infer a parameter type.
  sql += " ORDER BY seq LIMIT " + std::to_string(limit);

  std::vector<Event> out;
  store::Rows rows = tx.query(sql, params);
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(event_of(row));
  return out;
}

std::int64_t read_position(store::Tx& tx, const std::string& name) {
  auto row = tx.query_one("SELECT position FROM event_cursors WHERE name = ?", {name});
  return row ? row->int64(0) : 0;
}

[[noreturn]] void throw_store_error(const Error& e) {
  throw store::StoreError("events: " + e.message_en);
}

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::events_migrations();
}

// Appends must be serialised up to commit to keep the header's promise (a reader that sees seq N
// sees every smaller seq): seq order must be commit order.
// - SQLite has one writer at a time and the writer always reads the latest data, so MAX(seq) + 1
//   is correct; a rolled-back closure gives its seq back, so there are no gaps.
// - PostgreSQL runs concurrent SERIALIZABLE transactions whose snapshots may predate another
//   appender's commit, so MAX(seq) + 1 can be stale (duplicate seq, a unique violation that the
//   store reports as `conflict`), and a counter row makes every concurrent appender fail with a
//   serialization error (measured: 4 writers exhaust the store's 10 retries). Instead a
//   transaction-scoped advisory lock makes appenders wait for one another until commit, and the
//   seq comes from a sequence, which is read outside the snapshot and therefore never stale. Lock
//   release follows commit visibility, so seq order is commit order. The price: a rolled-back or
//   retried append leaves a gap (lag() may overstate), and appends commit one at a time.
// PostgreSQL does it in one round trip: the lock is taken in a FROM subquery, which the executor
// runs before evaluating nextval in the outer select list (a volatile subquery is not flattened).
// Either way, callers should append late in their transaction: the lock is held until commit.
std::int64_t append(store::Tx& tx, const core::Clock& clock, const NewEvent& event) {
  static constexpr std::string_view kInsertColumns =
      "INSERT INTO events (seq, at_ms, type, subject_type, subject_id, actor_user_id, actor_role, "
      "actor_dept_id, reason, before_json, after_json, data_json) ";
  const bool postgres = tx.dialect() == store::Dialect::postgres;
  store::Params params;
  params.reserve(12);
  std::int64_t seq = 0;
  if (!postgres) {
    seq = tx.query_one("SELECT COALESCE(MAX(seq), 0) + 1 FROM events")->int64(0);
    params.emplace_back(seq);
  }
  params.emplace_back(clock.now_ms());
  for (const std::string* field :
       {&event.type, &event.subject_type, &event.subject_id, &event.actor.user_id,
        &event.actor.role, &event.actor.dept_id, &event.reason, &event.before_json,
        &event.after_json, &event.data_json}) {
    params.emplace_back(*field);
  }
  if (postgres) {
    static const std::string sql = std::string(kInsertColumns) +
                                   "SELECT nextval('events_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                                   "FROM (SELECT pg_advisory_xact_lock(" +
                                   std::string(kAppendLockKey) + ")) AS appending RETURNING seq";
    return tx.query_one(sql, params)->int64(0);
  }
  static const std::string sql =
      std::string(kInsertColumns) + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  tx.exec(sql, params);
  return seq;
}

std::vector<Event> list(store::Tx& tx, const Filter& filter) {
  return select_events(tx, filter, std::clamp(filter.limit, 1, kMaxListLimit));
}

std::vector<Event> of_subject(store::Tx& tx, std::string_view subject_type,
                              std::string_view subject_id) {
  std::vector<Event> out;
  Filter f;
  f.subject_type = std::string(subject_type);
  f.subject_id = std::string(subject_id);
  f.limit = 1000;
  for (;;) {
    auto batch = list(tx, f);
    out.insert(out.end(), batch.begin(), batch.end());
    if (batch.size() < static_cast<std::size_t>(f.limit)) return out;
    f.after_seq = batch.back().seq;
  }
}

std::int64_t last_seq(store::Tx& tx) {
  auto row = tx.query_one("SELECT MAX(seq) FROM events");
  return row ? row->int64(0) : 0;  // MAX over no rows is NULL, read as 0
}

Follower::Follower(store::Store& store, std::string name, Handler handle)
    : store_(store), name_(std::move(name)), handle_(std::move(handle)) {}

Status Follower::start_at_end() {
  static const core::SystemClock wall;  // only for updated_at_ms, which is informational
  return store_.write([&](store::Tx& tx) -> Status {
    tx.exec(
        "INSERT INTO event_cursors (position, updated_at_ms, name) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO NOTHING",
        {last_seq(tx), wall.now_ms(), name_});
    return {};
  });
}

Result<int> Follower::poll_once(int max_events) {
  if (max_events <= 0) return 0;
  // The batch is read in a read transaction: events never change once written, and reading the
  // open end of the stream inside the write transaction would make every event a request appends
  // meanwhile a serialization conflict with the follower (PostgreSQL predicate locks), so busy
  // followers used to exhaust their retries. Idle followers stop here without queueing an empty
  // write transaction behind real work (SQLite has one writer).
  struct Batch {
    std::int64_t from = 0;
    std::vector<Event> events;
  };
  auto batch = store_.read([&](store::Tx& tx) -> Result<Batch> {
    Batch b;
    b.from = read_position(tx, name_);
    if (last_seq(tx) <= b.from) return b;
    Filter after;
    after.after_seq = b.from;
    b.events = select_events(tx, after, max_events);
    return b;
  });
  if (!batch) return fail(batch.error());
  if (batch->events.empty()) return 0;

  static const core::SystemClock wall;  // only for updated_at_ms, which is informational
  return store_.write([&](store::Tx& tx) -> Result<int> {
    // Claim the cursor row before handling anything. Two instances of one follower then serialise
    // on its row lock (PostgreSQL: the later one fails with a serialization error and is retried
    // with a fresh snapshot) instead of both handling the same events and colliding in the
    // handler's own tables with a unique violation, which would not be retried.
    const store::Params claim{wall.now_ms(), name_};
    if (tx.exec("UPDATE event_cursors SET updated_at_ms = ? WHERE name = ?", claim) == 0) {
      tx.exec("INSERT INTO event_cursors (position, updated_at_ms, name) VALUES (0, ?, ?)", claim);
    }
    std::int64_t position = read_position(tx, name_);
    // Another instance moved the cursor since the batch was read: the next poll reads afresh.
    if (position != batch->from) return 0;
    int handled = 0;
    for (const Event& e : batch->events) {
      // A failure rolls back the handler's writes for the whole batch and leaves the cursor where
      // it was; the next poll retries from the same event.
      if (Status s = handle_(tx, e); !s) return fail(std::move(s.error()));
      position = e.seq;
      ++handled;
    }
    tx.exec("UPDATE event_cursors SET position = ? WHERE name = ?", {position, name_});
    return handled;
  });
}

std::int64_t Follower::position() {
  auto r =
      store_.read([&](store::Tx& tx) -> Result<std::int64_t> { return read_position(tx, name_); });
  if (!r) throw_store_error(r.error());
  return *r;
}

std::int64_t Follower::lag() {
  // The difference is the number of unhandled events, less any gaps PostgreSQL left (see append);
  // counting rows instead would cost O(lag) on every call.
  auto r = store_.read([&](store::Tx& tx) -> Result<std::int64_t> {
    return std::max<std::int64_t>(0, last_seq(tx) - read_position(tx, name_));
  });
  if (!r) throw_store_error(r.error());
  return *r;
}

}  // namespace yiwang::events
