// Surveys (在线调查): questions of four kinds, one response per identity while open, and the live
// results. Every change is one write transaction holding the rows and the event.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/field_cipher.h"
#include "core/utf8.h"
#include "participation/internal.h"
#include "privacy/redact.h"
#include "store/record_id.h"
#include "store/sealing.h"

namespace yiwang::participation {
namespace {

using namespace detail;
using Json = nlohmann::json;
using identity::Principal;

constexpr std::size_t kMaxQuestions = 50;
constexpr std::size_t kMaxSamples = 20;

// ---- Rows ---------------------------------------------------------------------------------------

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

// ---- Definitions --------------------------------------------------------------------------------

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

// One checked answer, ready to store: rows of (value, num). A free-text answer is the
// respondent's own words, sealed at rest (`answer_context`); options and scale points stay clear
// for the GROUP BYs of the results.
struct Stored {
  std::string question_id;
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> rows;
  bool sealed = false;
};

std::string answer_key(std::string_view response_id, std::string_view question_id) {
  return std::string(response_id) + "/" + std::string(question_id);
}

// Every answer names a question of the survey, once.
Result<std::map<std::string, const Answer*>> answers_by_question(
    const std::vector<Question>& qs, const std::vector<Answer>& answers) {
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
  return by_id;
}

bool is_option(const Question& q, const std::string& o) {
  return std::find(q.options.begin(), q.options.end(), o) != q.options.end();
}

Status check_single(const Question& q, const AnswerValue& v, const std::string& at, Stored& s) {
  auto* str = std::get_if<std::string>(&v);
  if (!str) return bad(at, "单选题请选择一个选项", "a single-choice answer is one option");
  if (!is_option(q, *str)) return bad(at, "不是该题的选项", "not one of the question's options");
  s.rows.emplace_back(*str, std::nullopt);
  return {};
}

Status check_multiple(const Question& q, const AnswerValue& v, const std::string& at, Stored& s) {
  auto* list = std::get_if<std::vector<std::string>>(&v);
  if (!list) {
    return bad(at, "多选题的答案应为选项列表", "a multiple-choice answer is a list of options");
  }
  std::set<std::string> seen;
  for (std::size_t k = 0; k < list->size(); ++k) {
    const std::string& o = (*list)[k];
    if (!is_option(q, o)) {
      return bad(at + "/" + std::to_string(k), "不是该题的选项",
                 "not one of the question's options");
    }
    if (!seen.insert(o).second) {
      return bad(at + "/" + std::to_string(k), "选项重复", "option chosen twice");
    }
    s.rows.emplace_back(o, std::nullopt);
  }
  return {};
}

Status check_scale(const Question& q, const AnswerValue& v, const std::string& at, Stored& s) {
  auto* n = std::get_if<std::int64_t>(&v);
  if (!n) return bad(at, "量表题的答案应为整数", "a scale answer is a whole number");
  if (*n < q.min || *n > q.max) {
    return bad(at, "应在 " + std::to_string(q.min) + " 至 " + std::to_string(q.max) + " 之间",
               "must be within " + std::to_string(q.min) + "–" + std::to_string(q.max));
  }
  s.rows.emplace_back(std::to_string(*n), *n);
  return {};
}

// A blank text counts as no answer.
Status check_free_text(const AnswerValue& v, const std::string& at, Stored& s) {
  auto* str = std::get_if<std::string>(&v);
  if (!str) return bad(at, "问答题的答案应为文字", "a text answer is a string");
  if (auto st = check_text(*str, at, 0, 2000, true, "回答", "answer"); !st) return st;
  const bool blank =
      std::all_of(str->begin(), str->end(), [](unsigned char c) { return std::isspace(c) != 0; });
  if (!blank) s.rows.emplace_back(*str, std::nullopt);
  s.sealed = true;
  return {};
}

// The rows of one question's answer (none for null).
Status check_answer(const Question& q, const AnswerValue& v, const std::string& at, Stored& s) {
  if (std::holds_alternative<std::monostate>(v)) return {};
  switch (q.kind) {
    case QuestionKind::single:
      return check_single(q, v, at, s);
    case QuestionKind::multiple:
      return check_multiple(q, v, at, s);
    case QuestionKind::scale:
      return check_scale(q, v, at, s);
    case QuestionKind::text:
      return check_free_text(v, at, s);
  }
  return {};
}

// The answers against the questions: each of the right kind and range, every required question
// answered, at least one answer. invalid_input names "/answers/<qid>".
Result<std::vector<Stored>> check_answers(const std::vector<Question>& qs,
                                          const std::vector<Answer>& answers) {
  auto by_id = answers_by_question(qs, answers);
  if (!by_id) return fail(by_id.error());
  std::vector<Stored> out;
  for (const Question& q : qs) {
    const std::string at = "/answers/" + pointer_token(q.id);
    Stored s{q.id, {}};
    if (auto it = by_id->find(q.id); it != by_id->end()) {
      if (auto st = check_answer(q, it->second->value, at, s); !st) return fail(st.error());
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

// ---- Results ------------------------------------------------------------------------------------

// The answers of a survey counted: responses per question, and (question, value) → count for
// choice and scale answers; text answers are sampled instead, so that many long texts are not
// grouped for nothing.
struct Tally {
  std::map<std::string, std::int64_t> answered;
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;

  std::int64_t count_of(const std::string& q, const std::string& v) const {
    auto it = counts.find({q, v});
    return it == counts.end() ? 0 : it->second;
  }
};

Tally tally_of(store::Tx& tx, const Survey& s) {
  Tally t;
  for (const auto& row :
       tx.query("SELECT question_id, COUNT(DISTINCT response_id) FROM survey_answers "
                "WHERE survey_id = ? GROUP BY question_id",
                {s.id})) {
    t.answered[row.text(0)] = row.int64(1);
  }
  store::Params params{s.id};
  std::string in;
  for (const Question& q : s.questions) {
    if (q.kind == QuestionKind::text) continue;
    in += in.empty() ? "?" : ", ?";
    params.push_back(q.id);
  }
  if (in.empty()) return t;
  for (const auto& row :
       tx.query("SELECT question_id, value, COUNT(*) FROM survey_answers WHERE survey_id = ? "
                "AND question_id IN (" +
                    in + ") GROUP BY question_id, value",
                params)) {
    t.counts[{row.text(0), row.text(1)}] = row.int64(2);
  }
  return t;
}

QuestionResult result_of(store::Tx& tx, const Survey& s, const Question& q, const Tally& t) {
  QuestionResult r;
  r.id = q.id;
  r.kind = q.kind;
  r.text = q.text;
  if (auto it = t.answered.find(q.id); it != t.answered.end()) r.answered = it->second;
  switch (q.kind) {
    case QuestionKind::single:
    case QuestionKind::multiple:
      for (const auto& o : q.options) r.counts.emplace_back(o, t.count_of(q.id, o));
      break;
    case QuestionKind::scale: {
      std::int64_t sum = 0, n = 0;
      for (int p = q.min; p <= q.max; ++p) {
        const std::int64_t c = t.count_of(q.id, std::to_string(p));
        r.histogram.emplace_back(p, c);
        sum += c * p;
        n += c;
      }
      if (n > 0) r.mean = static_cast<double>(sum) / static_cast<double>(n);
      break;
    }
    case QuestionKind::text:
      for (const auto& row :
           tx.query("SELECT value, response_id FROM survey_answers WHERE survey_id = ? AND "
                    "question_id = ? ORDER BY created_at_ms DESC, response_id DESC LIMIT ?",
                    {s.id, q.id, static_cast<std::int64_t>(kMaxSamples)})) {
        // A sample only illustrates: one the redaction holds is left out, not queued.
        privacy::Redacted sample = privacy::redact(tx.cipher().open_cell(
            row.text(0), "survey_answers.value", answer_key(row.text(1), q.id)));
        if (!sample.held) r.samples.push_back(std::move(sample.text));
      }
      break;
  }
  return r;
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
    auto made = store::new_record_id(tx, m.random, now, {.table = "surveys", .prefix = "SV"});
    if (!made) return fail(made.error());
    const std::string& id = *made;
    tx.exec(
        "INSERT INTO surveys (id, title, description, dept_id, state, closes_at_ms, "
        "questions_json, created_by, created_at_ms, published_at_ms, updated_at_ms) "
        "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, NULL, ?)",
        {id, n.title, n.description, *dept, n.closes_at_ms, questions_json(qs).dump(), by.user_id,
         now, now});
    Survey s = *load_survey(tx, id, now);
    events::append(tx, m.clock,
                   event("survey.created", "survey", s.id, by, "", "", survey_summary(s)));
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
    events::append(tx, m.clock,
                   event("survey.published", "survey", s->id, by, "", before, survey_summary(*s)));
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
    SurveyResponse r{store::opaque_id(m.random, "SR", 8), s->id, now};
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
        tx.exec(
            "INSERT INTO survey_answers (response_id, survey_id, question_id, value, num, "
            "created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
            {r.id, s->id, a.question_id,
             a.sealed ? tx.cipher().seal_cell(value, "survey_answers.value",
                                              answer_key(r.id, a.question_id))
                      : value,
             store::nullable(num), now});
      }
    }
    s->response_count += 1;
    events::append(tx, m.clock,
                   event("survey.responded", "survey", s->id, by, "", before, survey_summary(*s)));
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
    const Tally tally = tally_of(tx, *s);
    for (const Question& q : s->questions) out.questions.push_back(result_of(tx, *s, q, tally));
    return out;
  });
}

// Rows an older version stored in the clear: comments and their reasons (with the text's index),
// then each survey's free-text answers, one survey per transaction.
Result<std::int64_t> seal_at_rest(store::Store& store) {
  auto comments = store::seal_clear_cells(
      store, "consultation_comments", "id",
      {{"text", "text_index", "consultation_comments.text"}, {"reason"}});
  if (!comments) return fail(comments.error());
  using Surveys = std::vector<std::pair<std::string, std::string>>;  // id, questions
  auto surveys = store.read([](store::Tx& tx) -> Result<Surveys> {
    Surveys out;
    for (const auto& row : tx.query("SELECT id, questions_json FROM surveys ORDER BY id"))
      out.emplace_back(row.text(0), row.text(1));
    return out;
  });
  if (!surveys) return fail(surveys.error());
  std::int64_t total = *comments;
  for (const auto& entry : *surveys) {
    const std::string& survey = entry.first;  // a plain name: lambdas below capture it
    for (const Question& q : questions_from(entry.second)) {
      if (q.kind != QuestionKind::text) continue;
      auto sealed = store.write([&](store::Tx& tx) -> Result<std::int64_t> {
        std::int64_t n = 0;
        for (const auto& row : tx.query(
                 "SELECT response_id, value FROM survey_answers WHERE survey_id = ? AND "
                 "question_id = ? AND value <> '' AND value NOT LIKE 'enc1:%'",
                 {survey, q.id})) {
          const std::string key = answer_key(row.text(0), q.id);
          tx.exec(
              "UPDATE survey_answers SET value = ? WHERE survey_id = ? AND question_id = ? AND "
              "response_id = ?",
              {tx.cipher().seal_cell(row.text(1), "survey_answers.value", key), survey, q.id,
               row.text(0)});
          ++n;
        }
        return n;
      });
      if (!sealed) return fail(sealed.error());
      total += *sealed;
    }
  }
  return total;
}

}  // namespace yiwang::participation
