// Consultations and surveys: validation, visibility, the state rules and the live results. Every
// change is one write transaction holding the rows and the event.
#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "events/events.h"
#include "participation/internal.h"

namespace yiwang::generated {
std::vector<store::Migration> participation_migrations();
}

namespace yiwang::participation {

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  Options options;
};

namespace {

using Json = nlohmann::json;
using identity::Principal;
using identity::Role;

constexpr std::size_t kMaxClauses = 200;
constexpr std::size_t kMaxQuestions = 50;
constexpr std::size_t kMaxSamples = 20;

tl::unexpected<Error> not_found(bool survey) {
  if (survey) return fail(ErrorCode::not_found, "", "调查不存在", "survey not found");
  return fail(ErrorCode::not_found, "", "意见征集不存在", "consultation not found");
}

// ---- Who is who -------------------------------------------------------------------------------

bool is_staff(const Principal& by) {
  return by.is_official() && (by.has_role(Role::clerk) || by.has_role(Role::reviewer) ||
                              by.has_role(Role::approver) || by.has_role(Role::admin));
}

// Creates, publishes, decides and concludes for `dept_id`.
bool manages(const Principal& by, const std::string& dept_id) {
  if (!by.is_official()) return false;
  if (by.has_role(Role::admin)) return true;
  return by.dept_id == dept_id && is_staff(by);
}

// Reads the department's drafts and all comments before conclusion.
bool of_dept(const Principal* by, const std::string& dept_id) {
  return by && by->is_official() && (by->has_role(Role::admin) || by->dept_id == dept_id);
}

bool is_public_member(const Principal& by) {
  return by.kind == identity::Kind::citizen || by.kind == identity::Kind::business;
}

tl::unexpected<Error> forbidden_manage() {
  return fail(ErrorCode::forbidden, "", "只有本部门工作人员可以管理",
              "only officials of the owning department may do this");
}

tl::unexpected<Error> forbidden_public() {
  return fail(ErrorCode::forbidden, "", "请以个人或法人身份登录后参与",
              "citizens and businesses take part; officials do not");
}


std::string new_id(const core::Clock& clock, core::Random& random, std::string_view prefix) {
  return std::string(prefix) + core::compact_date(core::china_date(clock.now_ms())) +
         random.digits(8);
}

// The department a new consultation or survey belongs to, after the role checks.
Result<std::string> owning_dept(identity::Service& ids, const std::string& requested,
                                const Principal& by) {
  if (!is_staff(by)) return forbidden_manage();
  std::string dept = requested.empty() ? by.dept_id : requested;
  if (!by.has_role(Role::admin) && dept != by.dept_id) {
    return fail(ErrorCode::forbidden, "/dept_id", "只能为本部门发起",
                "officials act for their own department only");
  }
  auto d = ids.get_department(dept);
  if (!d) {
    if (d.error().code != ErrorCode::not_found) return fail(d.error());
    return bad("/dept_id", "部门不存在：" + dept, "no such department: " + dept);
  }
  return dept;
}

store::Value opt(const std::optional<core::Millis>& v) {
  if (v) return *v;
  return nullptr;
}

void append_event(store::Tx& tx, const core::Clock& clock, std::string type,
                  std::string subject_type, const std::string& subject_id,
                  const events::Actor& actor, std::string reason, std::string before,
                  std::string after, Json data = nullptr) {
  events::NewEvent e;
  e.type = std::move(type);
  e.subject_type = std::move(subject_type);
  e.subject_id = subject_id;
  e.actor = actor;
  e.reason = std::move(reason);
  e.before_json = std::move(before);
  e.after_json = std::move(after);
  if (!data.is_null()) e.data_json = data.dump();
  events::append(tx, clock, e);
}

// ---- Consultations: rows ------------------------------------------------------------------------

constexpr const char* kConsultationColumns =
    "c.id, c.title, c.summary, c.dept_id, c.state, c.opens_at_ms, c.closes_at_ms, "
    "c.feedback_summary, c.feedback_at_ms, c.created_at_ms, c.published_at_ms, "
    "(SELECT COUNT(*) FROM consultation_clauses k WHERE k.consultation_id = c.id), "
    "(SELECT COUNT(*) FROM consultation_comments m WHERE m.consultation_id = c.id)";

ConsultationState stored_state(const std::string& s) {
  auto v = parse_consultation_state(s);
  if (!v) throw store::StoreError("participation: unknown consultation state " + s);
  return *v;
}

Consultation consultation_from_row(const store::Row& row, core::Millis now) {
  Consultation c;
  c.id = row.text(0);
  c.title = row.text(1);
  c.summary = row.text(2);
  c.dept_id = row.text(3);
  c.state = stored_state(row.text(4));
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

Comment comment_from_row(const store::Row& row, const Principal* by) {
  Comment m;
  m.id = row.text(0);
  m.clause = row.text(1);
  m.text = row.text(2);
  m.mine = by && !by->is_official() && row.text(3) == by->user_id;
  m.author = row.text(4);
  m.created_at_ms = row.int64(5);
  if (!row.is_null(6)) m.decision = Decision{row.int64(6) != 0, row.text(7), row.int64(8)};
  return m;
}

// ---- Surveys: rows ------------------------------------------------------------------------------

Json questions_json(const std::vector<Question>& qs) {
  Json out = Json::array();
  for (const auto& q : qs) {
    out.push_back({{"id", q.id},
                   {"kind", to_string(q.kind)},
                   {"text", q.text},
                   {"options", q.options},
                   {"min", q.min},
                   {"max", q.max},
                   {"required", q.required}});
  }
  return out;
}

std::vector<Question> questions_from(const std::string& text) {
  std::vector<Question> out;
  for (const auto& j : Json::parse(text)) {
    Question q;
    q.id = j.at("id").get<std::string>();
    auto kind = parse_question_kind(j.at("kind").get<std::string>());
    if (!kind) throw store::StoreError("participation: unknown question kind");
    q.kind = *kind;
    q.text = j.at("text").get<std::string>();
    q.options = j.at("options").get<std::vector<std::string>>();
    q.min = j.at("min").get<int>();
    q.max = j.at("max").get<int>();
    q.required = j.at("required").get<bool>();
    out.push_back(std::move(q));
  }
  return out;
}

constexpr const char* kSurveyColumns =
    "s.id, s.title, s.description, s.dept_id, s.state, s.closes_at_ms, s.questions_json, "
    "s.created_at_ms, s.published_at_ms, "
    "(SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id)";

Survey survey_from_row(const store::Row& row, core::Millis now, bool with_questions) {
  Survey s;
  s.id = row.text(0);
  s.title = row.text(1);
  s.description = row.text(2);
  s.dept_id = row.text(3);
  auto st = parse_survey_state(row.text(4));
  if (!st) throw store::StoreError("participation: unknown survey state");
  s.state = *st;
  s.closes_at_ms = row.int64(5);
  if (with_questions) s.questions = questions_from(row.text(6));
  s.created_at_ms = row.int64(7);
  s.published_at_ms = row.opt_int64(8);
  s.response_count = row.int64(9);
  if (s.state == SurveyState::open && now >= s.closes_at_ms) s.state = SurveyState::closed;
  return s;
}

std::optional<Survey> load_survey(store::Tx& tx, std::string_view id, core::Millis now,
                                  bool with_questions = true) {
  auto row =
      tx.query_one(std::string("SELECT ") + kSurveyColumns + " FROM surveys s WHERE s.id = ?",
                   {std::string(id)});
  if (!row) return std::nullopt;
  return survey_from_row(*row, now, with_questions);
}

std::string survey_summary(const Survey& s) {
  return Json{{"id", s.id},
              {"state", to_string(s.state)},
              {"dept_id", s.dept_id},
              {"question_count", s.questions.size()},
              {"response_count", s.response_count}}
      .dump();
}

// The WHERE clause of a list: what the reader may see, then the state asked for. `table` is the
// alias; open/closed are told apart by the deadline.
template <class State>
std::string list_where(const Principal* by, std::optional<State> state, core::Millis now,
                       store::Params& params) {
  std::string where;
  if (by && by->is_official() && by->has_role(Role::admin)) {
    where = "1 = 1";
  } else if (by && by->is_official()) {
    where = "(t.state <> 'draft' OR t.dept_id = ?)";
    params.push_back(by->dept_id);
  } else {
    where = "t.state <> 'draft'";
  }
  if (state) {
    const std::string name(to_string(*state));
    if (name == "open") {
      where += " AND t.state = 'open' AND t.closes_at_ms > ?";
      params.push_back(now);
    } else if (name == "closed") {
      where += " AND t.state = 'open' AND t.closes_at_ms <= ?";
      params.push_back(now);
    } else {
      where += " AND t.state = ?";
      params.push_back(name);
    }
  }
  return where;
}

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::participation_migrations();
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, Options options)
    : impl_(std::make_unique<Impl>(Impl{store, clock, random, identity, std::move(options)})) {}

Service::~Service() = default;

// ---- Consultations ------------------------------------------------------------------------------

Result<Consultation> Service::create_consultation(const NewConsultation& n, const Principal& by) {
  Impl& m = *impl_;
  auto dept = owning_dept(m.identity, n.dept_id, by);
  if (!dept) return fail(dept.error());
  if (auto st = check_text(n.title, "/title", 1, 200, false, "标题", "title"); !st)
    return fail(st.error());
  if (auto st = check_text(n.summary, "/summary", 0, 5000, true, "说明", "summary"); !st)
    return fail(st.error());
  const core::Millis now = m.clock.now_ms();
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
      return fail(st.error());
    if (auto st =
            check_text(n.clauses[i].text, at + "/text", 1, 10000, true, "条款内容", "clause text");
        !st)
      return fail(st.error());
    if (!numbers.insert(n.clauses[i].number).second) {
      return bad(at + "/number", "条款编号重复：" + n.clauses[i].number,
                 "duplicate clause number: " + n.clauses[i].number);
    }
  }
  return m.store.write([&](store::Tx& tx) -> Result<Consultation> {
    Consultation c;
    c.id = new_id(m.clock, m.random, "CS");
    tx.exec(
        "INSERT INTO consultations (id, title, summary, dept_id, state, opens_at_ms, "
        "closes_at_ms, feedback_summary, feedback_at_ms, created_by, created_at_ms, "
        "published_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, 'draft', ?, ?, NULL, NULL, ?, ?, "
        "NULL, ?)",
        {c.id, n.title, n.summary, *dept, opt(n.opens_at_ms), n.closes_at_ms, by.user_id, now,
         now});
    for (std::size_t i = 0; i < n.clauses.size(); ++i) {
      tx.exec(
          "INSERT INTO consultation_clauses (consultation_id, position, number, text) "
          "VALUES (?, ?, ?, ?)",
          {c.id, static_cast<std::int64_t>(i), n.clauses[i].number, n.clauses[i].text});
    }
    c = *load_consultation(tx, c.id, now, true);
    append_event(tx, m.clock, "consultation.created", "consultation", c.id, identity::actor_of(by), "", "",
                 consultation_summary(c));
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
    append_event(tx, m.clock, "consultation.published", "consultation", c->id, identity::actor_of(by), "",
                 before, consultation_summary(*c));
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
    if (c->state != ConsultationState::open) return conflict("closed");
    if (c->opens_at_ms && now < *c->opens_at_ms) return conflict("not_open");
    if (!clause.empty() &&
        !tx.query_one("SELECT 1 FROM consultation_clauses WHERE consultation_id = ? AND number = ?",
                      {c->id, std::string(clause)})) {
      return bad("/clause", "没有这一条款：" + std::string(clause),
                 "no such clause: " + std::string(clause));
    }
    auto mine = tx.query_one(
        "SELECT COUNT(*) FROM consultation_comments WHERE consultation_id = ? AND "
        "author_user_id = ?",
        {c->id, by.user_id});
    if (mine && mine->int64(0) >= m.options.max_comments_per_person) {
      return fail(ErrorCode::rate_limited, "", "您对本征集提交的意见已达上限",
                  "you have reached the number of comments allowed on this consultation");
    }
    if (tx.query_one(
            "SELECT 1 FROM consultation_comments WHERE consultation_id = ? AND author_user_id = ? "
            "AND clause = ? AND text = ?",
            {c->id, by.user_id, std::string(clause), std::string(text)})) {
      return conflict("duplicate", "/text");
    }
    Comment out;
    out.id = "CM" + m.random.hex(8);
    out.clause = std::string(clause);
    out.text = std::string(text);
    out.author = mask_name(by.display_name);
    out.mine = true;
    out.created_at_ms = now;
    const std::string before = consultation_summary(*c);
    tx.exec(
        "INSERT INTO consultation_comments (id, consultation_id, clause, text, author_user_id, "
        "author_name, created_at_ms, adopted, reason, decided_at_ms, decided_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)",
        {out.id, c->id, out.clause, out.text, by.user_id, out.author, now});
    c->comment_count += 1;
    append_event(tx, m.clock, "consultation.comment_added", "consultation", c->id, identity::actor_of(by), "",
                 before, consultation_summary(*c), Json{{"comment_id", out.id}});
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
    for (const auto& row : tx.query(sql, params)) out.push_back(comment_from_row(row, by));
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
    Comment out = comment_from_row(*row, &by);
    Json before = {{"comment_id", out.id},
                   {"adopted", out.decision ? Json(out.decision->adopted) : Json(nullptr)}};
    tx.exec(
        "UPDATE consultation_comments SET adopted = ?, reason = ?, decided_at_ms = ?, "
        "decided_by = ? WHERE id = ?",
        {std::int64_t{adopted ? 1 : 0}, std::string(reason), now, by.user_id, out.id});
    out.decision = Decision{adopted, std::string(reason), now};
    append_event(tx, m.clock, "consultation.comment_decided", "consultation", c->id, identity::actor_of(by),
                 std::string(reason), before.dump(),
                 Json{{"comment_id", out.id}, {"adopted", adopted}}.dump(),
                 Json{{"comment_id", out.id}});
    return out;
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
    append_event(tx, m.clock, "consultation.concluded", "consultation", c->id, identity::actor_of(by),
                 std::string(summary), before, after.dump());
    return *c;
  });
}

// ---- Surveys ------------------------------------------------------------------------------------

namespace {

bool valid_question_id(std::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
  });
}

Status check_questions(const std::vector<Question>& qs) {
  if (qs.empty() || qs.size() > kMaxQuestions) {
    return bad("/questions", "题目数应为 1 至 50 道", "a survey has 1 to 50 questions");
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < qs.size(); ++i) {
    const Question& q = qs[i];
    const std::string at = "/questions/" + std::to_string(i);
    if (!valid_question_id(q.id)) {
      return bad(at + "/id", "题目编号应为 1 至 32 位字母、数字、下划线或连字符",
                 "a question id is 1–32 letters, digits, '_' or '-'");
    }
    if (!ids.insert(q.id).second) {
      return bad(at + "/id", "题目编号重复：" + q.id, "duplicate question id: " + q.id);
    }
    if (auto st = check_text(q.text, at + "/text", 1, 500, true, "题目", "question text"); !st)
      return st;
    const bool choice = q.kind == QuestionKind::single || q.kind == QuestionKind::multiple;
    if (choice) {
      if (q.options.size() < 2 || q.options.size() > 20) {
        return bad(at + "/options", "选择题须有 2 至 20 个选项",
                   "a choice question has 2 to 20 options");
      }
      std::set<std::string> seen;
      for (std::size_t k = 0; k < q.options.size(); ++k) {
        const std::string ok = at + "/options/" + std::to_string(k);
        if (auto st = check_text(q.options[k], ok, 1, 200, false, "选项", "option"); !st) return st;
        if (!seen.insert(q.options[k]).second) {
          return bad(ok, "选项重复：" + q.options[k], "duplicate option: " + q.options[k]);
        }
      }
    } else if (!q.options.empty()) {
      return bad(at + "/options", "只有选择题有选项", "only choice questions have options");
    }
    if (q.kind == QuestionKind::scale) {
      if (q.min < 0 || q.max > 100 || q.min >= q.max || q.max - q.min > 20) {
        return bad(at + "/max", "量表范围应在 0 至 100 之间、最小值小于最大值且不超过 21 档",
                   "a scale runs within 0–100, min < max, at most 21 points");
      }
    }
  }
  return {};
}

// One checked answer, ready to store: rows of (value, num).
struct Stored {
  std::string question_id;
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> rows;
};

Result<std::vector<Stored>> check_answers(const std::vector<Question>& qs,
                                          const std::vector<Answer>& answers) {
  std::map<std::string, const Answer*> by_id;
  for (const auto& a : answers) {
    const std::string at = "/answers/" + pointer_token(a.question_id);
    auto q = std::find_if(qs.begin(), qs.end(),
                          [&](const Question& x) { return x.id == a.question_id; });
    if (q == qs.end()) {
      if (!core::valid_utf8(a.question_id)) {
        return bad("/answers", "题目编号不是有效的 UTF-8 文本", "a question id is not valid UTF-8");
      }
      return bad(at, "没有这道题：" + a.question_id, "no such question: " + a.question_id);
    }
    if (!by_id.emplace(a.question_id, &a).second) {
      return bad(at, "同一道题只能回答一次", "one answer per question");
    }
  }
  std::vector<Stored> out;
  for (const Question& q : qs) {
    const std::string at = "/answers/" + pointer_token(q.id);
    Stored s{q.id, {}};
    auto it = by_id.find(q.id);
    const AnswerValue* v = it == by_id.end() ? nullptr : &it->second->value;
    if (v && !std::holds_alternative<std::monostate>(*v)) {
      switch (q.kind) {
        case QuestionKind::single: {
          auto* str = std::get_if<std::string>(v);
          if (!str) return bad(at, "单选题请选择一个选项", "a single-choice answer is one option");
          if (std::find(q.options.begin(), q.options.end(), *str) == q.options.end()) {
            return bad(at, "不是该题的选项", "not one of the question's options");
          }
          s.rows.emplace_back(*str, std::nullopt);
          break;
        }
        case QuestionKind::multiple: {
          auto* list = std::get_if<std::vector<std::string>>(v);
          if (!list) {
            return bad(at, "多选题的答案应为选项列表",
                       "a multiple-choice answer is a list of options");
          }
          std::set<std::string> seen;
          for (std::size_t k = 0; k < list->size(); ++k) {
            const std::string& o = (*list)[k];
            if (std::find(q.options.begin(), q.options.end(), o) == q.options.end()) {
              return bad(at + "/" + std::to_string(k), "不是该题的选项",
                         "not one of the question's options");
            }
            if (!seen.insert(o).second) {
              return bad(at + "/" + std::to_string(k), "选项重复", "option chosen twice");
            }
            s.rows.emplace_back(o, std::nullopt);
          }
          break;
        }
        case QuestionKind::scale: {
          auto* n = std::get_if<std::int64_t>(v);
          if (!n) return bad(at, "量表题的答案应为整数", "a scale answer is a whole number");
          if (*n < q.min || *n > q.max) {
            return bad(at,
                       "应在 " + std::to_string(q.min) + " 至 " + std::to_string(q.max) + " 之间",
                       "must be within " + std::to_string(q.min) + "–" + std::to_string(q.max));
          }
          s.rows.emplace_back(std::to_string(*n), *n);
          break;
        }
        case QuestionKind::text: {
          auto* str = std::get_if<std::string>(v);
          if (!str) return bad(at, "问答题的答案应为文字", "a text answer is a string");
          if (auto st = check_text(*str, at, 0, 2000, true, "回答", "answer"); !st)
            return fail(st.error());
          bool blank = std::all_of(str->begin(), str->end(),
                                   [](unsigned char c) { return std::isspace(c) != 0; });
          if (!blank) s.rows.emplace_back(*str, std::nullopt);
          break;
        }
      }
    }
    if (s.rows.empty()) {
      if (q.required) return bad(at, "此题必答", "this question is required");
      continue;
    }
    out.push_back(std::move(s));
  }
  if (out.empty()) return bad("/answers", "请至少回答一道题", "answer at least one question");
  return out;
}

bool may_read(const Survey& s, const Principal* by) {
  return s.state != SurveyState::draft || of_dept(by, s.dept_id);
}

}  // namespace

Result<Survey> Service::create_survey(const NewSurvey& n, const Principal& by) {
  Impl& m = *impl_;
  auto dept = owning_dept(m.identity, n.dept_id, by);
  if (!dept) return fail(dept.error());
  if (auto st = check_text(n.title, "/title", 1, 200, false, "标题", "title"); !st)
    return fail(st.error());
  if (auto st = check_text(n.description, "/description", 0, 5000, true, "说明", "description");
      !st)
    return fail(st.error());
  const core::Millis now = m.clock.now_ms();
  if (n.closes_at_ms <= now) {
    return bad("/closes_at", "截止时间须晚于当前时间", "closes_at must be in the future");
  }
  if (auto st = check_questions(n.questions); !st) return fail(st.error());
  std::vector<Question> qs = n.questions;
  for (auto& q : qs) {
    if (q.kind != QuestionKind::scale) q.min = q.max = 0;
  }
  return m.store.write([&](store::Tx& tx) -> Result<Survey> {
    const std::string id = new_id(m.clock, m.random, "SV");
    tx.exec(
        "INSERT INTO surveys (id, title, description, dept_id, state, closes_at_ms, "
        "questions_json, created_by, created_at_ms, published_at_ms, updated_at_ms) "
        "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, NULL, ?)",
        {id, n.title, n.description, *dept, n.closes_at_ms, questions_json(qs).dump(), by.user_id,
         now, now});
    Survey s = *load_survey(tx, id, now);
    append_event(tx, m.clock, "survey.created", "survey", s.id, identity::actor_of(by), "", "",
                 survey_summary(s));
    return s;
  });
}

Result<Survey> Service::publish_survey(std::string_view id, const Principal& by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Survey> {
    auto s = load_survey(tx, id, now);
    if (!s || !may_read(*s, &by)) return not_found(true);
    if (!manages(by, s->dept_id)) return forbidden_manage();
    if (s->state != SurveyState::draft) return conflict("not_draft");
    if (s->closes_at_ms <= now) {
      return bad("/closes_at", "截止时间已过，请重新发起", "closes_at has passed");
    }
    const std::string before = survey_summary(*s);
    tx.exec(
        "UPDATE surveys SET state = 'open', published_at_ms = ?, updated_at_ms = ? WHERE id = ?",
        {now, now, s->id});
    s = load_survey(tx, id, now);
    append_event(tx, m.clock, "survey.published", "survey", s->id, identity::actor_of(by), "", before,
                 survey_summary(*s));
    return *s;
  });
}

Result<SurveyList> Service::list_surveys(std::optional<SurveyState> state, int limit, int offset,
                                         const Principal* by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  if (state == SurveyState::draft && !(by && by->is_official())) return SurveyList{};
  limit = std::clamp(limit, 1, m.options.page_max);
  offset = std::max(offset, 0);
  return m.store.read([&](store::Tx& tx) -> Result<SurveyList> {
    store::Params params;
    const std::string where = list_where(by, state, now, params);
    SurveyList out;
    auto total = tx.query_one("SELECT COUNT(*) FROM surveys t WHERE " + where, params);
    out.total = total ? total->int64(0) : 0;
    params.push_back(std::int64_t{limit});
    params.push_back(std::int64_t{offset});
    for (const auto& row :
         tx.query(std::string("SELECT ") + kSurveyColumns +
                      " FROM surveys s WHERE s.id IN (SELECT t.id FROM surveys t WHERE " + where +
                      ") ORDER BY COALESCE(s.published_at_ms, s.created_at_ms) DESC, s.id DESC "
                      "LIMIT ? OFFSET ?",
                  params)) {
      out.surveys.push_back(survey_from_row(row, now, false));
    }
    return out;
  });
}

Result<Survey> Service::get_survey(std::string_view id, const Principal* by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  return m.store.read([&](store::Tx& tx) -> Result<Survey> {
    auto s = load_survey(tx, id, now);
    if (!s || !may_read(*s, by)) return not_found(true);
    if (by && is_public_member(*by)) {
      s->responded = tx.query_one(
                           "SELECT 1 FROM survey_responses WHERE survey_id = ? AND "
                           "respondent_user_id = ?",
                           {s->id, by->user_id})
                         .has_value();
    }
    return *s;
  });
}

Result<SurveyResponse> Service::respond(std::string_view id, const std::vector<Answer>& answers,
                                        const Principal& by) {
  Impl& m = *impl_;
  if (!is_public_member(by)) return forbidden_public();
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<SurveyResponse> {
    auto s = load_survey(tx, id, now);
    if (!s || s->state == SurveyState::draft) return not_found(true);
    if (s->state == SurveyState::closed) return conflict("closed");
    if (tx.query_one(
            "SELECT 1 FROM survey_responses WHERE survey_id = ? AND respondent_user_id = ?",
            {s->id, by.user_id})) {
      return conflict("already_responded");
    }
    auto checked = check_answers(s->questions, answers);
    if (!checked) return fail(checked.error());
    SurveyResponse r{"SR" + m.random.hex(8), s->id, now};
    const std::string before = survey_summary(*s);
    try {
      tx.exec(
          "INSERT INTO survey_responses (id, survey_id, respondent_user_id, created_at_ms) "
          "VALUES (?, ?, ?, ?)",
          {r.id, s->id, by.user_id, now});
    } catch (const store::ConstraintViolation&) {
      // Two submissions racing: the unique key lets one through.
      return conflict("already_responded");
    }
    for (const auto& a : *checked) {
      for (const auto& [value, num] : a.rows) {
        store::Value n = nullptr;
        if (num) n = *num;
        tx.exec(
            "INSERT INTO survey_answers (response_id, survey_id, question_id, value, num, "
            "created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
            {r.id, s->id, a.question_id, value, n, now});
      }
    }
    s->response_count += 1;
    append_event(tx, m.clock, "survey.responded", "survey", s->id, identity::actor_of(by), "", before,
                 survey_summary(*s));
    return r;
  });
}

Result<SurveyResults> Service::results(std::string_view id, const Principal* by) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  return m.store.read([&](store::Tx& tx) -> Result<SurveyResults> {
    auto s = load_survey(tx, id, now);
    if (!s || !may_read(*s, by)) return not_found(true);
    SurveyResults out;
    out.survey_id = s->id;
    out.state = s->state;
    out.response_count = s->response_count;
    std::map<std::string, std::int64_t> answered;
    for (const auto& row :
         tx.query("SELECT question_id, COUNT(DISTINCT response_id) FROM survey_answers "
                  "WHERE survey_id = ? GROUP BY question_id",
                  {s->id})) {
      answered[row.text(0)] = row.int64(1);
    }
    // (question, value) → count for choice and scale answers; text answers are sampled instead,
    // so that many long texts are not grouped for nothing.
    std::map<std::pair<std::string, std::string>, std::int64_t> counts;
    store::Params params{s->id};
    std::string in;
    for (const Question& q : s->questions) {
      if (q.kind == QuestionKind::text) continue;
      in += in.empty() ? "?" : ", ?";
      params.push_back(q.id);
    }
    if (!in.empty()) {
      for (const auto& row :
           tx.query("SELECT question_id, value, COUNT(*) FROM survey_answers WHERE survey_id = ? "
                    "AND question_id IN (" +
                        in + ") GROUP BY question_id, value",
                    params)) {
        counts[{row.text(0), row.text(1)}] = row.int64(2);
      }
    }
    auto count_of = [&](const std::string& q, const std::string& v) -> std::int64_t {
      auto it = counts.find({q, v});
      return it == counts.end() ? 0 : it->second;
    };
    for (const Question& q : s->questions) {
      QuestionResult r;
      r.id = q.id;
      r.kind = q.kind;
      r.text = q.text;
      if (auto it = answered.find(q.id); it != answered.end()) r.answered = it->second;
      switch (q.kind) {
        case QuestionKind::single:
        case QuestionKind::multiple:
          for (const auto& o : q.options) r.counts.emplace_back(o, count_of(q.id, o));
          break;
        case QuestionKind::scale: {
          std::int64_t sum = 0, n = 0;
          for (int p = q.min; p <= q.max; ++p) {
            const std::int64_t c = count_of(q.id, std::to_string(p));
            r.histogram.emplace_back(p, c);
            sum += c * p;
            n += c;
          }
          if (n > 0) r.mean = static_cast<double>(sum) / static_cast<double>(n);
          break;
        }
        case QuestionKind::text:
          for (const auto& row :
               tx.query("SELECT value FROM survey_answers WHERE survey_id = ? AND question_id = ? "
                        "ORDER BY created_at_ms DESC, response_id DESC LIMIT ?",
                        {s->id, q.id, static_cast<std::int64_t>(kMaxSamples)})) {
            r.samples.push_back(scrub(row.text(0)));
          }
          break;
      }
      out.questions.push_back(std::move(r));
    }
    return out;
  });
}

}  // namespace yiwang::participation
