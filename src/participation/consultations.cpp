// Consultations (意见征集): drafts with clauses, comments while open, decisions after the deadline
// and the published feedback. Every change is one write transaction holding the rows and the
// event.
#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/field_cipher.h"
#include "disclosure/disclosure.h"
#include "participation/internal.h"
#include "privacy/mask.h"
#include "privacy/redact.h"
#include "store/record_id.h"

namespace yiwang::participation {
namespace {

using namespace detail;
using Json = nlohmann::json;
using identity::Principal;

constexpr std::size_t kMaxClauses = 200;

// A consultation state the module wrote itself.
ConsultationState stored_consultation_state(const std::string& s) {
  auto v = parse_consultation_state(s);
  if (!v) throw store::StoreError("participation: unknown consultation state " + s);
  return *v;
}

constexpr const char* kConsultationColumns =
    "c.id, c.title, c.summary, c.dept_id, c.state, c.opens_at_ms, c.closes_at_ms, "
    "c.feedback_summary, c.feedback_at_ms, c.created_at_ms, c.published_at_ms, "
    "(SELECT COUNT(*) FROM consultation_clauses k WHERE k.consultation_id = c.id), "
    "(SELECT COUNT(*) FROM consultation_comments m WHERE m.consultation_id = c.id)";

Consultation consultation_from_row(const store::Row& row, core::Millis now) {
  Consultation c;
  c.id = row.text(0);
  c.title = row.text(1);
  c.summary = row.text(2);
  c.dept_id = row.text(3);
  c.state = stored_consultation_state(row.text(4));
  c.opens_at_ms = row.opt_int64(5);
  c.closes_at_ms = row.int64(6);
  if (!row.is_null(7)) c.feedback = Feedback{row.text(7), row.int64(8)};
  c.created_at_ms = row.int64(9);
  c.published_at_ms = row.opt_int64(10);
  c.clause_count = row.int64(11);
  c.comment_count = row.int64(12);
  if (c.state == ConsultationState::open && now >= c.closes_at_ms) {
    c.state = ConsultationState::closed;
  }
  return c;
}

std::optional<Consultation> load_consultation(store::Tx& tx, std::string_view id, core::Millis now,
                                              bool with_clauses) {
  auto row = tx.query_one(
      std::string("SELECT ") + kConsultationColumns + " FROM consultations c WHERE c.id = ?",
      {std::string(id)});
  if (!row) return std::nullopt;
  Consultation c = consultation_from_row(*row, now);
  if (with_clauses) {
    std::map<std::string, std::int64_t> counts;
    for (const auto& r :
         tx.query("SELECT clause, COUNT(*) FROM consultation_comments WHERE consultation_id = ? "
                  "GROUP BY clause",
                  {c.id})) {
      counts[r.text(0)] = r.int64(1);
    }
    for (const auto& r :
         tx.query("SELECT number, text FROM consultation_clauses WHERE consultation_id = ? "
                  "ORDER BY position",
                  {c.id})) {
      Clause k{r.text(0), r.text(1), 0};
      if (auto it = counts.find(k.number); it != counts.end()) k.comment_count = it->second;
      c.clauses.push_back(std::move(k));
    }
  }
  return c;
}

std::string consultation_summary(const Consultation& c) {
  return Json{{"id", c.id},
              {"state", to_string(c.state)},
              {"dept_id", c.dept_id},
              {"clause_count", c.clause_count},
              {"comment_count", c.comment_count}}
      .dump();
}

bool may_read(const Consultation& c, const Principal* by) {
  return c.state != ConsultationState::draft || of_dept(by, c.dept_id);
}

constexpr const char* kCommentColumns =
    "id, clause, text, author_user_id, author_name, created_at_ms, adopted, reason, "
    "decided_at_ms";

// The text and the reason are sealed at rest ("consultation_comments.<column>:<id>").
Comment comment_from_row(store::Tx& tx, const store::Row& row, const Principal* by) {
  Comment m;
  m.id = row.text(0);
  m.clause = row.text(1);
  m.text = tx.cipher().open_cell(row.text(2), "consultation_comments.text", m.id);
  m.mine = by && !by->is_official() && row.text(3) == by->user_id;
  m.author = row.text(4);
  m.created_at_ms = row.int64(5);
  if (!row.is_null(6)) {
    m.decision = Decision{row.int64(6) != 0,
                          tx.cipher().open_cell(row.text(7), "consultation_comments.reason", m.id),
                          row.int64(8)};
  }
  return m;
}

// The keyed index the duplicate check compares (the text itself is sealed).
std::string text_index(store::Tx& tx, std::string_view text) {
  return tx.cipher().index(text, "consultation_comments.text");
}

// Everything about a new draft that needs no store, in the order the API reports it.
Status check_new_consultation(const NewConsultation& n, core::Millis now) {
  if (auto st = check_text(n.title, "/title", 1, 200, false, "标题", "title"); !st) return st;
  if (auto st = check_text(n.summary, "/summary", 0, 5000, true, "说明", "summary"); !st) return st;
  if (n.closes_at_ms <= now) {
    return bad("/closes_at", "截止时间须晚于当前时间", "closes_at must be in the future");
  }
  if (n.opens_at_ms && *n.opens_at_ms >= n.closes_at_ms) {
    return bad("/opens_at", "开始时间须早于截止时间", "opens_at must be before closes_at");
  }
  if (n.clauses.empty() || n.clauses.size() > kMaxClauses) {
    return bad("/clauses", "条款数应为 1 至 200 条", "a draft has 1 to 200 clauses");
  }
  std::set<std::string> numbers;
  for (std::size_t i = 0; i < n.clauses.size(); ++i) {
    const std::string at = "/clauses/" + std::to_string(i);
    if (auto st = check_text(n.clauses[i].number, at + "/number", 1, 30, false, "条款编号",
                             "clause number");
        !st)
      return st;
    if (auto st =
            check_text(n.clauses[i].text, at + "/text", 1, 10000, true, "条款内容", "clause text");
        !st)
      return st;
    if (!numbers.insert(n.clauses[i].number).second) {
      return bad(at + "/number", "条款编号重复：" + n.clauses[i].number,
                 "duplicate clause number: " + n.clauses[i].number);
    }
  }
  return {};
}

// Whether `by` may comment now: open, within opens_at..closes_at, on a clause the draft has,
// within the per-person limit, and not the same text on the same clause again.
Status check_comment(store::Tx& tx, const Consultation& c, std::string_view clause,
                     std::string_view text, const Principal& by, core::Millis now,
                     const Options& o) {
  if (c.state != ConsultationState::open) return conflict("closed");
  if (c.opens_at_ms && now < *c.opens_at_ms) return conflict("not_open");
  if (!clause.empty() &&
      !tx.query_one("SELECT 1 FROM consultation_clauses WHERE consultation_id = ? AND number = ?",
                    {c.id, std::string(clause)})) {
    return bad("/clause", "没有这一条款：" + std::string(clause),
               "no such clause: " + std::string(clause));
  }
  auto mine = tx.query_one(
      "SELECT COUNT(*) FROM consultation_comments WHERE consultation_id = ? AND "
      "author_user_id = ?",
      {c.id, by.user_id});
  if (mine && mine->int64(0) >= o.max_comments_per_person) {
    return fail(ErrorCode::rate_limited, "", "您对本征集提交的意见已达上限",
                "you have reached the number of comments allowed on this consultation");
  }
  if (tx.query_one(
          "SELECT 1 FROM consultation_comments WHERE consultation_id = ? AND text_index = ? "
          "AND author_user_id = ? AND clause = ?",
          {c.id, text_index(tx, text), by.user_id, std::string(clause)})) {
    return conflict("duplicate", "/text");
  }
  return {};
}

}  // namespace

Status Service::may_create(const Principal& by) {
  if (is_staff(by)) return {};
  return forbidden_manage();
}

Status Service::may_manage(std::string_view id, const Principal& by) {
  Impl& m = *impl_;
  if (!by.is_official()) return forbidden_manage();
  const core::Millis now = m.clock.now_ms();
  return m.store.read([&](store::Tx& tx) -> Status {
    auto c = load_consultation(tx, id, now, false);
    if (!c || !may_read(*c, &by)) return not_found(false);
    if (!manages(by, c->dept_id)) return forbidden_manage();
    return {};
  });
}

Result<Consultation> Service::create_consultation(const NewConsultation& n, const Principal& by) {
  Impl& m = *impl_;
  auto dept = owning_dept(m.identity, n.dept_id, by);
  if (!dept) return fail(dept.error());
  const core::Millis now = m.clock.now_ms();
  if (auto st = check_new_consultation(n, now); !st) return fail(st.error());
  return m.store.write([&](store::Tx& tx) -> Result<Consultation> {
    auto id = store::new_record_id(tx, m.random, now, {.table = "consultations", .prefix = "CS"});
    if (!id) return fail(id.error());
    tx.exec(
        "INSERT INTO consultations (id, title, summary, dept_id, state, opens_at_ms, "
        "closes_at_ms, feedback_summary, feedback_at_ms, created_by, created_at_ms, "
        "published_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, 'draft', ?, ?, NULL, NULL, ?, ?, "
        "NULL, ?)",
        {*id, n.title, n.summary, *dept, store::nullable(n.opens_at_ms), n.closes_at_ms, by.user_id,
         now, now});
    for (std::size_t i = 0; i < n.clauses.size(); ++i) {
      tx.exec(
          "INSERT INTO consultation_clauses (consultation_id, position, number, text) "
          "VALUES (?, ?, ?, ?)",
          {*id, static_cast<std::int64_t>(i), n.clauses[i].number, n.clauses[i].text});
    }
    Consultation c = *load_consultation(tx, *id, now, true);
    events::append(
        tx, m.clock,
        event("consultation.created", "consultation", c.id, by, "", "", consultation_summary(c)));
    return c;
  });
}

Result<Consultation> Service::publish_consultation(std::string_view id, const Principal& by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Consultation> {
    auto c = load_consultation(tx, id, now, false);
    if (!c || !may_read(*c, &by)) return not_found(false);
    if (!manages(by, c->dept_id)) return forbidden_manage();
    if (c->state != ConsultationState::draft) return conflict("not_draft");
    if (c->closes_at_ms <= now) {
      return bad("/closes_at", "截止时间已过，请重新发起", "closes_at has passed");
    }
    const std::string before = consultation_summary(*c);
    tx.exec(
        "UPDATE consultations SET state = 'open', published_at_ms = ?, updated_at_ms = ? "
        "WHERE id = ? AND state = 'draft'",
        {now, now, c->id});
    c = load_consultation(tx, id, now, true);
    events::append(tx, m.clock,
                   event("consultation.published", "consultation", c->id, by, "", before,
                         consultation_summary(*c)));
    return *c;
  });
}

Result<ConsultationList> Service::list_consultations(const ConsultationQuery& q,
                                                     const Principal* by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  if (q.state == ConsultationState::draft && !(by && by->is_official())) {
    return ConsultationList{};
  }
  const int limit = std::clamp(q.limit, 1, m.options.page_max);
  const int offset = std::max(q.offset, 0);
  return m.store.read([&](store::Tx& tx) -> Result<ConsultationList> {
    store::Params params;
    const std::string where = list_where(by, q.state, now, params);
    ConsultationList out;
    auto total = tx.query_one("SELECT COUNT(*) FROM consultations t WHERE " + where, params);
    out.total = total ? total->int64(0) : 0;
    params.push_back(std::int64_t{limit});
    params.push_back(std::int64_t{offset});
    std::string sql = std::string("SELECT ") + kConsultationColumns +
                      " FROM consultations c WHERE c.id IN (SELECT t.id FROM consultations t "
                      "WHERE " +
                      where +
                      ") ORDER BY COALESCE(c.published_at_ms, c.created_at_ms) DESC, c.id DESC "
                      "LIMIT ? OFFSET ?";
    for (const auto& row : tx.query(sql, params)) {
      out.consultations.push_back(consultation_from_row(row, now));
    }
    return out;
  });
}

Result<Consultation> Service::get_consultation(std::string_view id, const Principal* by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  return m.store.read([&](store::Tx& tx) -> Result<Consultation> {
    auto c = load_consultation(tx, id, now, true);
    if (!c || !may_read(*c, by)) return not_found(false);
    return *c;
  });
}

Result<Comment> Service::add_comment(std::string_view id, std::string_view clause,
                                     std::string_view text, const Principal& by) {
  Impl& m = *impl_;
  if (!is_public_member(by)) return forbidden_public();
  if (auto st = check_text(clause, "/clause", 0, 30, false, "条款", "clause"); !st)
    return fail(st.error());
  if (auto st = check_text(text, "/text", 1, 2000, true, "意见内容", "comment text"); !st)
    return fail(st.error());
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Comment> {
    auto c = load_consultation(tx, id, now, false);
    if (!c || c->state == ConsultationState::draft) return not_found(false);
    if (auto st = check_comment(tx, *c, clause, text, by, now, m.options); !st) {
      return fail(st.error());
    }
    Comment out;
    out.id = store::opaque_id(m.random, "CM", 8);
    out.clause = std::string(clause);
    out.text = std::string(text);
    out.author = privacy::mask_name(by.display_name);
    out.mine = true;
    out.created_at_ms = now;
    const std::string before = consultation_summary(*c);
    tx.exec(
        "INSERT INTO consultation_comments (id, consultation_id, clause, text, text_index, "
        "author_user_id, author_name, created_at_ms, adopted, reason, decided_at_ms, decided_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)",
        {out.id, c->id, out.clause,
         tx.cipher().seal_cell(out.text, "consultation_comments.text", out.id),
         text_index(tx, out.text), by.user_id, out.author, now});
    // Public once concluded: what the redaction cannot make safe waits for the department's
    // publication review.
    disclosure::hold(tx, m.clock,
                     {disclosure::Surface::consultation_comment_text, out.id, c->dept_id},
                     out.text, {by.display_name});
    c->comment_count += 1;
    events::append(tx, m.clock,
                   event("consultation.comment_added", "consultation", c->id, by, "", before,
                         consultation_summary(*c), Json{{"comment_id", out.id}}.dump()));
    return out;
  });
}

Result<std::vector<Comment>> Service::comments(std::string_view id,
                                               std::optional<std::string> clause,
                                               const Principal* by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<Comment>> {
    auto c = load_consultation(tx, id, now, false);
    if (!c || !may_read(*c, by)) return not_found(false);
    std::string sql = std::string("SELECT ") + kCommentColumns +
                      " FROM consultation_comments WHERE consultation_id = ?";
    store::Params params{c->id};
    if (c->state != ConsultationState::concluded && !of_dept(by, c->dept_id)) {
      if (!by || by->is_official()) return std::vector<Comment>{};
      sql += " AND author_user_id = ?";
      params.push_back(by->user_id);
    }
    if (clause) {
      sql += " AND clause = ?";
      params.push_back(*clause);
    }
    sql += " ORDER BY created_at_ms, id";
    std::vector<Comment> out;
    const bool staff = of_dept(by, c->dept_id);
    const store::Rows rows = tx.query(sql, params);
    // Public once concluded: others read the matter, not the person — through the redaction, or
    // as the publication review published it where the redaction held the text.
    std::vector<std::string> ids;
    for (const auto& row : rows) ids.push_back(row.text(0));
    disclosure::ShownMap texts, reasons;
    if (!staff) {
      using disclosure::Surface;
      auto shown = disclosure::shown(
          tx, {Surface::consultation_comment_text, Surface::consultation_comment_reason}, ids);
      texts = std::move(shown[Surface::consultation_comment_text]);
      reasons = std::move(shown[Surface::consultation_comment_reason]);
    }
    for (const auto& row : rows) {
      Comment m = comment_from_row(tx, row, by);
      if (!staff && !m.mine) {
        m.text = disclosure::public_text(m.text, {}, texts, m.id);
        if (m.decision) {
          m.decision->reason = disclosure::public_text(m.decision->reason, {}, reasons, m.id);
        }
      }
      out.push_back(std::move(m));
    }
    return out;
  });
}

Result<Comment> Service::decide(std::string_view id, std::string_view comment_id, bool adopted,
                                std::string_view reason, const Principal& by) {
  Impl& m = *impl_;
  if (!by.is_official()) return forbidden_manage();
  if (auto st = check_text(reason, "/reason", 1, 2000, true, "理由", "reason"); !st)
    return fail(st.error());
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Comment> {
    auto c = load_consultation(tx, id, now, false);
    if (!c || !may_read(*c, &by)) return not_found(false);
    if (!manages(by, c->dept_id)) return forbidden_manage();
    auto row = tx.query_one(std::string("SELECT ") + kCommentColumns +
                                " FROM consultation_comments WHERE consultation_id = ? AND id = ?",
                            {c->id, std::string(comment_id)});
    if (!row) return fail(ErrorCode::not_found, "", "意见不存在", "comment not found");
    if (c->state == ConsultationState::concluded) return conflict("concluded");
    if (c->state != ConsultationState::closed) return conflict("not_closed");
    Comment out = comment_from_row(tx, *row, &by);
    Json before = {{"comment_id", out.id},
                   {"adopted", out.decision ? Json(out.decision->adopted) : Json(nullptr)}};
    tx.exec(
        "UPDATE consultation_comments SET adopted = ?, reason = ?, decided_at_ms = ?, "
        "decided_by = ? WHERE id = ?",
        {std::int64_t{adopted ? 1 : 0},
         tx.cipher().seal_cell(reason, "consultation_comments.reason", out.id), now, by.user_id,
         out.id});
    disclosure::hold(tx, m.clock,
                     {disclosure::Surface::consultation_comment_reason, out.id, c->dept_id},
                     reason);
    out.decision = Decision{adopted, std::string(reason), now};
    events::append(
        tx, m.clock,
        event("consultation.comment_decided", "consultation", c->id, by, std::string(reason),
              before.dump(), Json{{"comment_id", out.id}, {"adopted", adopted}}.dump(),
              Json{{"comment_id", out.id}}.dump()));
    return out;
  });
}

Result<std::int64_t> Service::hold_public_texts() {
  Impl& m = *impl_;
  return disclosure::backfill(m.store, m.clock, "consultations", [&m](store::Tx& tx) {
    std::int64_t held = 0;
    for (const auto& row : tx.query(
             "SELECT cc.id, cc.text, COALESCE(cc.reason, ''), c.dept_id FROM consultation_comments "
             "cc JOIN consultations c ON c.id = cc.consultation_id")) {
      using disclosure::Surface;
      const std::string id = row.text(0), dept = row.text(3);
      const core::FieldCipher& cipher = tx.cipher();
      held += disclosure::hold(tx, m.clock, {Surface::consultation_comment_text, id, dept},
                               cipher.open_cell(row.text(1), "consultation_comments.text", id));
      held += disclosure::hold(tx, m.clock, {Surface::consultation_comment_reason, id, dept},
                               cipher.open_cell(row.text(2), "consultation_comments.reason", id));
    }
    return held;
  });
}

Result<Consultation> Service::conclude(std::string_view id, std::string_view summary,
                                       const Principal& by) {
  Impl& m = *impl_;
  if (!by.is_official()) return forbidden_manage();
  if (auto st = check_text(summary, "/summary", 1, 5000, true, "反馈说明", "feedback summary"); !st)
    return fail(st.error());
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Consultation> {
    auto c = load_consultation(tx, id, now, false);
    if (!c || !may_read(*c, &by)) return not_found(false);
    if (!manages(by, c->dept_id)) return forbidden_manage();
    if (c->state == ConsultationState::concluded) return conflict("concluded");
    if (c->state != ConsultationState::closed) return conflict("not_closed");
    if (auto u = tx.query_one(
            "SELECT id FROM consultation_comments WHERE consultation_id = ? AND adopted IS NULL "
            "ORDER BY created_at_ms, id LIMIT 1",
            {c->id})) {
      return conflict("undecided", "/comments/" + u->text(0));
    }
    auto adopted = tx.query_one(
        "SELECT COUNT(*) FROM consultation_comments WHERE consultation_id = ? AND adopted = 1",
        {c->id});
    const std::string before = consultation_summary(*c);
    tx.exec(
        "UPDATE consultations SET state = 'concluded', feedback_summary = ?, feedback_at_ms = ?, "
        "updated_at_ms = ? WHERE id = ?",
        {std::string(summary), now, now, c->id});
    c = load_consultation(tx, id, now, true);
    Json after = Json::parse(consultation_summary(*c));
    after["adopted_count"] = adopted ? adopted->int64(0) : 0;
    events::append(tx, m.clock,
                   event("consultation.concluded", "consultation", c->id, by, std::string(summary),
                         before, after.dump()));
    return *c;
  });
}
}  // namespace yiwang::participation
