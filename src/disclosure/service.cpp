// Publication review: holding texts in the writers' transactions, the published texts public
// surfaces show, and the queue officials decide.
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/field_cipher.h"
#include "core/text_check.h"
#include "core/utf8.h"
#include "disclosure/disclosure.h"
#include "events/events.h"
#include "privacy/redact.h"

namespace yiwang::generated {
std::vector<store::Migration> disclosure_migrations();
}

namespace yiwang::disclosure {
namespace {

using json = nlohmann::json;

// The longest text a public surface takes (an appeal's).
constexpr std::size_t kMaxPublished = 5000;
constexpr std::size_t kMaxReason = 1000;
constexpr std::string_view kDraftColumn = "disclosure_reviews.draft";
constexpr const char* kColumns =
    "id, surface, subject_id, dept_id, draft, kinds, state, published_text, reason, decided_by, "
    "held_at_ms, decided_at_ms, revision";

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < s.size()) {
    std::size_t comma = s.find(',', from);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(s.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

Review review_of(store::Tx& tx, const store::Row& row) {
  Review r;
  r.id = row.text(0);
  r.surface = parse_surface(row.text(1)).value_or(Surface::appeal_title);
  r.subject_id = row.text(2);
  r.dept_id = row.text(3);
  r.draft = tx.cipher().open_cell(row.text(4), kDraftColumn, r.id);
  r.kinds = split(row.text(5));
  r.state = parse_state(row.text(6)).value_or(State::pending);
  r.published_text = row.text(7);
  r.reason = row.text(8);
  r.decided_by = row.text(9);
  r.held_at_ms = row.int64(10);
  r.decided_at_ms = row.opt_int64(11);
  r.revision = row.int64(12);
  return r;
}

std::optional<Review> find(store::Tx& tx, std::string_view id) {
  auto row =
      tx.query_one(std::string("SELECT ") + kColumns + " FROM disclosure_reviews WHERE id = ?",
                   {std::string(id)});
  if (!row) return std::nullopt;
  return review_of(tx, *row);
}

// A review's id, derived from what it is about: "dr-" and 24 hex digits.
std::string review_id(Surface surface, std::string_view subject_id) {
  return "dr-" + core::sha256_hex(std::string(to_string(surface)) + ":" + std::string(subject_id))
                     .substr(0, 24);
}

tl::unexpected<Error> not_found() {
  return fail(ErrorCode::not_found, "", "未找到该审核", "review not found");
}

// Valid text of 1..max characters, newlines allowed, no other control characters.
Status check_text(const std::string& s, const char* field, std::size_t max, const char* zh,
                  const char* en) {
  return core::check_text(s, field, {.min = 1, .max = max, .zh = zh, .en = en});
}

Status check_decision(const Decision& d) {
  if (d.kind == Decision::Kind::publish) {
    if (auto st = check_text(d.text, "/text", kMaxPublished, "公开文本", "text"); !st) return st;
  }
  if (d.kind == Decision::Kind::withhold || !d.reason.empty()) {
    if (auto st = check_text(d.reason, "/reason", kMaxReason, "理由", "reason"); !st) return st;
  }
  return {};
}

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::disclosure_migrations();
}

bool hold(store::Tx& tx, const core::Clock& clock, const Subject& subject, std::string_view text,
          const std::vector<std::string>& known_names) {
  const std::string surface(to_string(subject.surface));
  privacy::Redacted r = privacy::redact(text, known_names);
  if (!r.held) {
    tx.exec("DELETE FROM disclosure_reviews WHERE surface = ? AND subject_id = ?",
            {surface, subject.id});
    return false;
  }
  const std::string digest = core::sha256_hex(text);
  auto existing = tx.query_one(
      "SELECT id, source_sha256 FROM disclosure_reviews WHERE surface = ? AND subject_id = ?",
      {surface, subject.id});
  if (existing && existing->text(1) == digest) return true;  // a decision on it stands
  const std::string id = review_id(subject.surface, subject.id);
  const std::string draft = tx.cipher().seal_cell(r.text, kDraftColumn, id);
  const core::Millis now = clock.now_ms();
  if (existing) {
    tx.exec(
        "UPDATE disclosure_reviews SET dept_id = ?, source_sha256 = ?, draft = ?, kinds = ?, "
        "state = 'pending', published_text = '', reason = '', decided_by = '', held_at_ms = ?, "
        "decided_at_ms = NULL, revision = revision + 1 WHERE id = ?",
        {subject.dept_id, digest, draft, joined(r.kinds), now, id});
  } else {
    tx.exec(
        "INSERT INTO disclosure_reviews (id, surface, subject_id, dept_id, source_sha256, draft, "
        "kinds, held_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {id, surface, subject.id, subject.dept_id, digest, draft, joined(r.kinds), now});
  }
  events::append(
      tx, clock,
      {.type = "disclosure.held",
       .subject_type = "disclosure_review",
       .subject_id = id,
       .actor = events::system_actor(subject.dept_id),
       .after_json = json{{"state", "pending"}}.dump(),
       .data_json =
           json{{"surface", surface}, {"subject_id", subject.id}, {"kinds", r.kinds}}.dump()});
  return true;
}

Result<std::int64_t> backfill(store::Store& store, const core::Clock& clock,
                              std::string_view source,
                              const std::function<std::int64_t(store::Tx&)>& hold_all) {
  return store.write([&](store::Tx& tx) -> Result<std::int64_t> {
    if (tx.query_one("SELECT 1 FROM disclosure_backfills WHERE source = ?",
                     {std::string(source)})) {
      return std::int64_t{0};
    }
    const std::int64_t held = hold_all(tx);
    tx.exec("INSERT INTO disclosure_backfills (source, done_at_ms, held) VALUES (?, ?, ?)",
            {std::string(source), clock.now_ms(), held});
    return held;
  });
}

std::map<Surface, ShownMap> shown(store::Tx& tx, const std::vector<Surface>& surfaces,
                                  const std::vector<std::string>& subject_ids) {
  std::map<Surface, ShownMap> out;
  for (Surface s : surfaces) out[s];
  // By review id (the primary key, derived from surface and subject), in chunks, so that a page
  // of any size is one indexed query within every backend's parameter limit.
  std::vector<std::string> ids;
  for (Surface s : surfaces) {
    for (const auto& subject : subject_ids) ids.push_back(review_id(s, subject));
  }
  constexpr std::size_t kChunk = 500;
  for (std::size_t from = 0; from < ids.size(); from += kChunk) {
    const std::size_t to = std::min(ids.size(), from + kChunk);
    std::string sql =
        "SELECT surface, subject_id, source_sha256, published_text FROM disclosure_reviews "
        "WHERE state = 'published' AND id IN (";
    store::Params params;
    for (std::size_t i = from; i < to; ++i) {
      sql += i == from ? "?" : ", ?";
      params.push_back(ids[i]);
    }
    for (const auto& row : tx.query(sql + ")", params)) {
      if (auto s = parse_surface(row.text(0)); s && out.count(*s)) {
        out[*s][row.text(1)] = Shown{row.text(2), row.text(3)};
      }
    }
  }
  return out;
}

ShownMap shown(store::Tx& tx, Surface surface, const std::vector<std::string>& subject_ids) {
  return std::move(shown(tx, std::vector<Surface>{surface}, subject_ids)[surface]);
}

Service::Service(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

Result<Service::Listing> Service::list(State state, int limit, int offset,
                                       const identity::Principal& who) {
  if (auto st = may_review(who, who.dept_id); !st) return fail(st.error());
  return store_.read([&](store::Tx& tx) -> Result<Listing> {
    Listing out;
    const store::Params filter{who.dept_id, std::string(to_string(state))};
    auto count = tx.query_one(
        "SELECT COUNT(*) FROM disclosure_reviews WHERE dept_id = ? AND state = ?", filter);
    out.total = count ? count->int64(0) : 0;
    store::Params params = filter;
    params.push_back(std::int64_t{limit});
    params.push_back(std::int64_t{offset});
    for (const auto& row : tx.query(std::string("SELECT ") + kColumns +
                                        " FROM disclosure_reviews WHERE dept_id = ? AND state = ? "
                                        "ORDER BY held_at_ms, id LIMIT ? OFFSET ?",
                                    params)) {
      out.reviews.push_back(review_of(tx, row));
    }
    return out;
  });
}

Status Service::may_decide(std::string_view id, const identity::Principal& who) {
  if (auto st = may_review(who, who.dept_id); !st) return st;
  auto dept = store_.read([&](store::Tx& tx) -> Result<std::string> {
    auto row =
        tx.query_one("SELECT dept_id FROM disclosure_reviews WHERE id = ?", {std::string(id)});
    if (!row) return not_found();
    return row->text(0);
  });
  if (!dept) return fail(dept.error());
  return may_review(who, *dept);
}

Result<Review> Service::decide(std::string_view id, const Decision& d,
                               const identity::Principal& who) {
  if (auto st = check_decision(d); !st) return fail(st.error());
  return store_.write([&](store::Tx& tx) -> Result<Review> {
    auto r = find(tx, id);
    if (!r) return not_found();
    if (auto st = may_review(who, r->dept_id); !st) return fail(st.error());
    if (d.revision && *d.revision != r->revision) {
      return fail(ErrorCode::conflict, "/revision", "该审核已被他人处理，请刷新后再试",
                  "the review changed since it was read; reload and try again");
    }
    const json before{{"state", to_string(r->state)}, {"revision", r->revision}};
    const bool publish = d.kind == Decision::Kind::publish;
    r->state = publish ? State::published : State::withheld;
    // Names and numbers redact classifies are replaced once more; the official vouches for
    // what it would hold.
    r->published_text = publish ? privacy::redact(d.text).text : std::string();
    r->reason = d.reason;
    r->decided_by = who.user_id;
    r->decided_at_ms = clock_.now_ms();
    r->revision += 1;
    tx.exec(
        "UPDATE disclosure_reviews SET state = ?, published_text = ?, reason = ?, decided_by = ?, "
        "decided_at_ms = ?, revision = ? WHERE id = ?",
        {std::string(to_string(r->state)), r->published_text, r->reason, r->decided_by,
         *r->decided_at_ms, r->revision, r->id});
    events::append(
        tx, clock_,
        {.type = publish ? "disclosure.published" : "disclosure.withheld",
         .subject_type = "disclosure_review",
         .subject_id = r->id,
         .actor = identity::actor_of(who),
         .reason = r->reason,
         .before_json = before.dump(),
         .after_json = json{{"state", to_string(r->state)}, {"revision", r->revision}}.dump(),
         .data_json = json{{"surface", to_string(r->surface)},
                           {"subject_id", r->subject_id},
                           {"published_text", r->published_text}}
                          .dump()});
    return std::move(*r);
  });
}

}  // namespace yiwang::disclosure
