// The audit trail's hash chain: sealing, checking and exporting (audit.h, docs/audit.md).
#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "core/digest.h"

namespace yiwang::generated {
std::vector<store::Migration> audit_migrations();
}

namespace yiwang::audit {
namespace {

using json = nlohmann::json;

constexpr int kPage = 1000;
constexpr int kMaxExportDays = 366;

void netstring(std::string& out, std::string_view bytes) {
  out += std::to_string(bytes.size());
  out += ':';
  out += bytes;
  out += ',';
}

std::optional<std::string> stored_head(store::Tx& tx) {
  auto row = tx.query_one("SELECT hash FROM audit_chain ORDER BY seq DESC LIMIT 1");
  if (!row) return std::nullopt;
  return row->text(0);
}

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::audit_migrations();
}

std::string chain_hash(std::string_view prev_hex, const events::Event& e) {
  std::string input(prev_hex);
  input.reserve(input.size() + 128 + e.before_json.size() + e.after_json.size() +
                e.data_json.size());
  netstring(input, std::to_string(e.seq));
  netstring(input, std::to_string(e.at_ms));
  for (const std::string* field :
       {&e.type, &e.subject_type, &e.subject_id, &e.actor.user_id, &e.actor.role, &e.actor.dept_id,
        &e.reason, &e.before_json, &e.after_json, &e.data_json}) {
    netstring(input, *field);
  }
  return core::sha256_hex(input);
}

Sealer::Sealer(store::Store& store)
    : follower_(store, "audit-chain", [](store::Tx& tx, const events::Event& e) -> Status {
        const std::string prev = stored_head(tx).value_or(std::string(kGenesis));
        tx.exec("INSERT INTO audit_chain (seq, hash) VALUES (?, ?)", {e.seq, chain_hash(prev, e)});
        return {};
      }) {}

Result<int> Sealer::poll_once(int max_events) {
  return follower_.poll_once(max_events);
}

Result<Integrity> check(store::Store& store, const core::Clock& clock) {
  return store.read([&](store::Tx& tx) -> Result<Integrity> {
    Integrity out;
    out.checked_at = clock.now_ms();
    out.head = std::string(kGenesis);
    if (auto oldest = tx.query_one("SELECT at_ms FROM events ORDER BY seq LIMIT 1")) {
      out.oldest_at = oldest->int64(0);
    }
    auto breaks = [&](std::int64_t seq, std::string problem) {
      out.broken_at = seq;
      out.problem = std::move(problem);
    };
    // Walk the seals and the events together in seq order, a page at a time: every seal needs its
    // event unchanged, and every event up to the last seal needs its seal.
    std::int64_t after = 0;
    std::vector<events::Event> page;
    std::size_t at = 0;
    auto next_event = [&]() -> const events::Event* {
      if (at == page.size()) {
        events::Filter f;
        f.after_seq = after;
        f.limit = kPage;
        page = events::list(tx, f);
        at = 0;
        if (page.empty()) return nullptr;
      }
      return &page[at];
    };
    std::int64_t sealed_after = 0;
    for (bool more = true; more && !out.broken_at;) {
      store::Rows seals =
          tx.query("SELECT seq, hash FROM audit_chain WHERE seq > ? ORDER BY seq LIMIT " +
                       std::to_string(kPage),
                   {sealed_after});
      more = seals.size() == static_cast<std::size_t>(kPage);
      for (const auto& seal : seals) {
        const std::int64_t seq = seal.int64(0);
        const events::Event* e = next_event();
        if (!e || e->seq > seq) {
          breaks(seq, "a sealed event is missing");
          break;
        }
        if (e->seq < seq) {
          breaks(e->seq, "an event between sealed events has no seal");
          break;
        }
        if (chain_hash(out.head, *e) != seal.text(1)) {
          breaks(seq, "the event or its seal was changed");
          break;
        }
        out.head = seal.text(1);
        out.sealed_through = seq;
        ++out.events;
        after = seq;
        ++at;
        sealed_after = seq;
      }
    }
    out.verified = !out.broken_at;
    const std::int64_t last = events::last_seq(tx);
    if (last > out.sealed_through) {
      auto row = tx.query_one("SELECT COUNT(*) FROM events WHERE seq > ?", {out.sealed_through});
      out.unsealed = row ? row->int64(0) : 0;
    }
    return out;
  });
}

Status report_broken(store::Store& store, const core::Clock& clock, const Integrity& result) {
  if (result.verified) return {};
  json data{{"broken_at", *result.broken_at},
            {"problem", result.problem},
            {"sealed_through", result.sealed_through}};
  return store.write([&](store::Tx& tx) -> Status {
    events::append(tx, clock,
                   {.type = "audit.chain_broken",
                    .subject_type = "audit",
                    .subject_id = "chain",
                    .actor = events::system_actor(),
                    .data_json = data.dump()});
    return {};
  });
}

Result<Export> export_range(store::Store& store, const core::Clock& clock, core::Millis from_ms,
                            core::Millis to_ms, const identity::Principal& who,
                            std::int64_t max_events) {
  if (!who.is_official() || !who.has_role(identity::Role::auditor)) {
    return fail(ErrorCode::forbidden, "", "只有审计管理员可以导出审计日志",
                "only audit administrators export the audit trail");
  }
  if (to_ms <= from_ms || to_ms - from_ms > kMaxExportDays * core::kDayMs) {
    return fail(ErrorCode::invalid_input, "/to", "导出区间须为 1–366 天",
                "the export range must be 1-366 days");
  }
  // Read in a read transaction (a long export does not hold up writers), then recorded.
  auto read = store.read([&](store::Tx& tx) -> Result<Export> {
    Export out;
    // One unbroken stretch of the chain: from the first sealed event recorded in the range to
    // the last, with every event between them (one recorded back-dated, as the demo's history
    // is, included), so that each line follows the one before.
    auto span = tx.query_one(
        "SELECT MIN(c.seq), MAX(c.seq) FROM audit_chain c JOIN events e ON e.seq = c.seq "
        "WHERE e.at_ms >= ? AND e.at_ms < ?",
        {from_ms, to_ms});
    const bool any = span && !span->is_null(0);
    std::string prev(kGenesis);
    std::int64_t after = 0;
    const std::int64_t last = any ? span->int64(1) : 0;
    if (any && last - span->int64(0) + 1 > max_events) {
      return fail(ErrorCode::invalid_input, "/to",
                  "该区间的审计记录超过 " + std::to_string(max_events) + " 条，请分段导出",
                  "the range holds more than " + std::to_string(max_events) +
                      " events; export shorter ranges");
    }
    if (any) {
      auto before =
          tx.query_one("SELECT seq, hash FROM audit_chain WHERE seq < ? ORDER BY seq DESC LIMIT 1",
                       {span->int64(0)});
      if (before) {
        after = before->int64(0);
        prev = before->text(1);
      }
    }
    for (bool more = any; more;) {
      store::Rows rows = tx.query(
          "SELECT e.seq, e.at_ms, e.type, e.subject_type, e.subject_id, e.actor_user_id, "
          "e.actor_role, e.actor_dept_id, e.reason, e.before_json, e.after_json, e.data_json, "
          "c.hash FROM events e JOIN audit_chain c ON c.seq = e.seq WHERE e.seq > ? AND e.seq <= ? "
          "ORDER BY e.seq LIMIT " +
              std::to_string(kPage),
          {after, last});
      more = rows.size() == static_cast<std::size_t>(kPage);
      for (const auto& r : rows) {
        after = r.int64(0);
        json line{{"seq", r.int64(0)},
                  {"at", core::format_instant(r.int64(1))},
                  {"at_ms", r.int64(1)},
                  {"type", r.text(2)},
                  {"subject_type", r.text(3)},
                  {"subject_id", r.text(4)},
                  {"actor", {{"user_id", r.text(5)}, {"role", r.text(6)}, {"dept_id", r.text(7)}}},
                  {"reason", r.text(8)},
                  {"before_json", r.text(9)},
                  {"after_json", r.text(10)},
                  {"data_json", r.text(11)},
                  {"prev", prev},
                  {"chain", r.text(12)}};
        out.ndjson += line.dump(-1, ' ', false, json::error_handler_t::replace);
        out.ndjson += '\n';
        prev = r.text(12);
        ++out.count;
      }
    }
    return out;
  });
  if (!read) return read;
  json data{{"from", core::format_instant(from_ms)},
            {"to", core::format_instant(to_ms)},
            {"events", read->count}};
  auto recorded = store.write([&](store::Tx& tx) -> Status {
    events::append(tx, clock,
                   {.type = "audit.exported",
                    .subject_type = "audit",
                    .subject_id = "trail",
                    .actor = identity::actor_of(who),
                    .data_json = data.dump()});
    return {};
  });
  if (!recorded) return fail(recorded.error());  // no export goes out unrecorded
  return read;
}

}  // namespace yiwang::audit
