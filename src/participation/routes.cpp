// HTTP routes of consultations and surveys: parse strictly, authenticate, one service call, map.
#include <cmath>

#include "http/json_api.h"
#include "participation/internal.h"

namespace yiwang::participation {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

// Longer than any valid value, so that the service's own limit gives the precise message.
constexpr std::size_t kLongText = 200000;

Json instant(const std::optional<core::Millis>& t) {
  return t ? Json(core::format_instant(*t)) : Json(nullptr);
}

// Conflicts carry their reason as the problem member `code`; "undecided" also names the comment.
Response failure(const Error& e, const Request& req) {
  Response r = http::problem(e, req);
  std::string_view code = reason_code(e);
  if (code.empty()) return r;
  Json body = Json::parse(r.body, nullptr, false);
  if (!body.is_object()) return r;
  body["code"] = code;
  constexpr std::string_view kComments = "/comments/";
  if (code == "undecided" && e.field.starts_with(kComments)) {
    body["comment_id"] = e.field.substr(kComments.size());
  }
  r.body = body.dump();
  return r;
}

Json consultation_json(const Consultation& c, bool full) {
  Json j = {{"id", c.id},
            {"title", c.title},
            {"summary", c.summary},
            {"dept_id", c.dept_id},
            {"state", to_string(c.state)},
            {"opens_at", instant(c.opens_at_ms)},
            {"closes_at", core::format_instant(c.closes_at_ms)},
            {"clause_count", c.clause_count},
            {"comment_count", c.comment_count},
            {"created_at", core::format_instant(c.created_at_ms)},
            {"published_at", instant(c.published_at_ms)}};
  if (full) {
    Json clauses = Json::array();
    for (const auto& k : c.clauses) {
      clauses.push_back(
          {{"number", k.number}, {"text", k.text}, {"comment_count", k.comment_count}});
    }
    j["clauses"] = std::move(clauses);
    j["feedback"] = c.feedback
                        ? Json{{"summary", c.feedback->summary},
                               {"published_at", core::format_instant(c.feedback->published_at_ms)}}
                        : Json(nullptr);
  }
  return j;
}

Json comment_json(const Comment& m) {
  return {{"id", m.id},
          {"clause", m.clause},
          {"text", m.text},
          {"author", m.author},
          {"mine", m.mine},
          {"created_at", core::format_instant(m.created_at_ms)},
          {"decision", m.decision
                           ? Json{{"adopted", m.decision->adopted},
                                  {"reason", m.decision->reason},
                                  {"decided_at", core::format_instant(m.decision->decided_at_ms)}}
                           : Json(nullptr)}};
}

Json question_json(const Question& q) {
  Json j = {{"id", q.id}, {"kind", to_string(q.kind)}, {"text", q.text}, {"required", q.required}};
  j["options"] = q.options;
  if (q.kind == QuestionKind::scale) {
    j["min"] = q.min;
    j["max"] = q.max;
  }
  return j;
}

Json survey_json(const Survey& s, bool full) {
  Json j = {{"id", s.id},
            {"title", s.title},
            {"description", s.description},
            {"dept_id", s.dept_id},
            {"state", to_string(s.state)},
            {"closes_at", core::format_instant(s.closes_at_ms)},
            {"response_count", s.response_count},
            {"created_at", core::format_instant(s.created_at_ms)},
            {"published_at", instant(s.published_at_ms)}};
  if (full) {
    Json qs = Json::array();
    for (const auto& q : s.questions) qs.push_back(question_json(q));
    j["questions"] = std::move(qs);
    j["responded"] = s.responded.value_or(false);
  }
  return j;
}

Json results_json(const SurveyResults& r) {
  Json qs = Json::array();
  for (const auto& q : r.questions) {
    Json j = {
        {"id", q.id}, {"kind", to_string(q.kind)}, {"text", q.text}, {"answered", q.answered}};
    if (q.kind == QuestionKind::single || q.kind == QuestionKind::multiple) {
      Json counts = Json::object();
      Json options = Json::array();
      for (const auto& [o, n] : q.counts) {
        counts[o] = n;
        options.push_back(o);
      }
      j["counts"] = std::move(counts);
      j["options"] = std::move(options);  // JSON objects carry no order; the options do
    } else if (q.kind == QuestionKind::scale) {
      Json histogram = Json::object();
      for (const auto& [p, n] : q.histogram) histogram[std::to_string(p)] = n;
      j["histogram"] = std::move(histogram);
      j["mean"] = q.mean ? Json(std::round(*q.mean * 100) / 100) : Json(nullptr);
      if (!q.histogram.empty()) {
        j["min"] = q.histogram.front().first;
        j["max"] = q.histogram.back().first;
      }
    } else {
      j["samples"] = q.samples;
    }
    qs.push_back(std::move(j));
  }
  return {{"survey_id", r.survey_id},
          {"state", to_string(r.state)},
          {"response_count", r.response_count},
          {"questions", std::move(qs)}};
}

Result<core::Millis> instant_of(const std::string& text, const std::string& field) {
  auto t = parse_instant(text);
  if (!t) {
    return bad(field, "时间格式应为 RFC 3339，例如 2026-12-01T18:00:00+08:00",
               "expected an RFC 3339 date-time such as 2026-12-01T18:00:00+08:00");
  }
  return *t;
}

Result<NewConsultation> parse_new_consultation(const Request& req) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
  NewConsultation n;
  n.title = r.required_string("title", kLongText);
  n.summary = r.optional_string("summary", kLongText).value_or("");
  n.dept_id = r.optional_string("dept_id", 64).value_or("");
  auto opens = r.optional_any("opens_at");
  auto closes_text = r.required_string("closes_at", 64);
  auto clauses = r.optional_array("clauses");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (opens && !opens->is_null()) {
    if (!opens->is_string()) return bad("/opens_at", "须为时间文字", "must be a date-time string");
    auto t = instant_of(opens->get<std::string>(), "/opens_at");
    if (!t) return fail(t.error());
    n.opens_at_ms = *t;
  }
  auto closes = instant_of(closes_text, "/closes_at");
  if (!closes) return fail(closes.error());
  n.closes_at_ms = *closes;
  if (!clauses) return bad("/clauses", "请填写条款", "clauses are required");
  if (clauses->size() > 200) return bad("/clauses", "条款数应为 1 至 200 条", "1 to 200 clauses");
  for (std::size_t i = 0; i < clauses->size(); ++i) {
    const std::string at = "/clauses/" + std::to_string(i);
    if (!(*clauses)[i].is_object()) return bad(at, "须为对象", "must be an object");
    http::ObjectReader cr((*clauses)[i], at);
    Clause k;
    k.number = cr.required_string("number", kLongText);
    k.text = cr.required_string("text", kLongText);
    if (auto st = cr.finish(); !st) return fail(st.error());
    n.clauses.push_back(std::move(k));
  }
  return n;
}

Result<NewSurvey> parse_new_survey(const Request& req) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
  NewSurvey n;
  n.title = r.required_string("title", kLongText);
  n.description = r.optional_string("description", kLongText).value_or("");
  n.dept_id = r.optional_string("dept_id", 64).value_or("");
  auto closes_text = r.required_string("closes_at", 64);
  auto questions = r.optional_array("questions");
  if (auto st = r.finish(); !st) return fail(st.error());
  auto closes = instant_of(closes_text, "/closes_at");
  if (!closes) return fail(closes.error());
  n.closes_at_ms = *closes;
  if (!questions) return bad("/questions", "请填写题目", "questions are required");
  if (questions->size() > 50)
    return bad("/questions", "题目数应为 1 至 50 道", "1 to 50 questions");
  for (std::size_t i = 0; i < questions->size(); ++i) {
    const std::string at = "/questions/" + std::to_string(i);
    if (!(*questions)[i].is_object()) return bad(at, "须为对象", "must be an object");
    http::ObjectReader qr((*questions)[i], at);
    Question q;
    q.id = qr.required_string("id", 64);
    auto kind = qr.required_string("kind", 20);
    q.text = qr.required_string("text", kLongText);
    auto options = qr.optional_array("options");
    auto min = qr.optional_int("min", INT32_MIN, INT32_MAX);
    auto max = qr.optional_int("max", INT32_MIN, INT32_MAX);
    q.required = qr.optional_bool("required").value_or(false);
    if (auto st = qr.finish(); !st) return fail(st.error());
    auto k = parse_question_kind(kind);
    if (!k) {
      return bad(at + "/kind", "题型应为 single、multiple、scale 或 text",
                 "kind must be single, multiple, scale or text");
    }
    q.kind = *k;
    if (options) {
      if (options->size() > 20) return bad(at + "/options", "选项最多 20 个", "at most 20 options");
      for (std::size_t o = 0; o < options->size(); ++o) {
        if (!(*options)[o].is_string()) {
          return bad(at + "/options/" + std::to_string(o), "须为字符串", "must be a string");
        }
        q.options.push_back((*options)[o].get<std::string>());
      }
    }
    if (q.kind == QuestionKind::scale) {
      q.min = static_cast<int>(min.value_or(1));
      q.max = static_cast<int>(max.value_or(5));
    } else if (min || max) {
      return bad(at + (min ? "/min" : "/max"), "只有量表题有范围",
                 "only scale questions have min/max");
    }
    n.questions.push_back(std::move(q));
  }
  return n;
}

Result<std::vector<Answer>> parse_answers(const Request& req) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
  auto answers = r.optional_object("answers");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (!answers) return bad("/answers", "请填写答卷", "answers are required");
  std::vector<Answer> out;
  for (auto it = answers->begin(); it != answers->end(); ++it) {
    const std::string at = "/answers/" + pointer_token(it.key());
    Answer a{it.key(), std::monostate{}};
    const Json& v = it.value();
    if (v.is_string()) {
      a.value = v.get<std::string>();
    } else if (v.is_number_integer()) {
      a.value = v.get<std::int64_t>();
    } else if (v.is_array()) {
      std::vector<std::string> list;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
          return bad(at + "/" + std::to_string(i), "须为选项文字", "must be an option (string)");
        }
        list.push_back(v[i].get<std::string>());
      }
      a.value = std::move(list);
    } else if (!v.is_null()) {
      return bad(at, "答案应为文字、整数或选项列表",
                 "an answer is a string, a whole number or a list of options");
    }
    out.push_back(std::move(a));
  }
  return out;
}

// Public reads: anonymous without a token, the caller with one (a bad token is still 401, so a
// client with an expired session finds out).
Result<std::optional<identity::Principal>> reader(identity::Service& ids, const Request& req) {
  if (req.bearer_token().empty()) return std::optional<identity::Principal>{};
  auto p = ids.authenticate(req.bearer_token());
  if (!p) return fail(p.error());
  return std::optional<identity::Principal>(std::move(*p));
}

const identity::Principal* ptr(const std::optional<identity::Principal>& p) {
  return p ? &*p : nullptr;
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  auto who = [&identity](const Request& req) { return identity.authenticate(req.bearer_token()); };
  auto anyone = [&identity](const Request& req) { return reader(identity, req); };

  // ---- Consultations ----

  router.add("POST", "/api/v1/consultations",
             [&service, who](const Request& req, const PathParams&) {
               auto me = who(req);
               if (!me) return failure(me.error(), req);
               auto n = parse_new_consultation(req);
               if (!n) return failure(n.error(), req);
               auto c = service.create_consultation(*n, *me);
               if (!c) return failure(c.error(), req);
               return http::created(consultation_json(*c, true), "/api/v1/consultations/" + c->id);
             });

  router.add("GET", "/api/v1/consultations",
             [&service, anyone](const Request& req, const PathParams&) {
               auto me = anyone(req);
               if (!me) return failure(me.error(), req);
               ConsultationQuery q;
               auto page = http::page_of(req, 20, 100);
               if (!page) return failure(page.error(), req);
               q.limit = page->limit;
               q.offset = page->offset;
               if (auto s = req.query_param("state"); s && !s->empty()) {
                 q.state = parse_consultation_state(*s);
                 if (!q.state) {
                   return failure(Error{ErrorCode::invalid_input, "state",
                                        "状态应为 draft、open、closed 或 concluded",
                                        "state must be draft, open, closed or concluded"},
                                  req);
                 }
               }
               auto r = service.list_consultations(q, ptr(*me));
               if (!r) return failure(r.error(), req);
               Json items = Json::array();
               for (const auto& c : r->consultations) items.push_back(consultation_json(c, false));
               return http::ok({{"consultations", std::move(items)}, {"total", r->total}});
             });

  router.add("GET", "/api/v1/consultations/{id}",
             [&service, anyone](const Request& req, const PathParams& p) {
               auto me = anyone(req);
               if (!me) return failure(me.error(), req);
               auto c = service.get_consultation(p.at("id"), ptr(*me));
               if (!c) return failure(c.error(), req);
               return http::ok(consultation_json(*c, true));
             });

  router.add("POST", "/api/v1/consultations/{id}/publish",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return failure(me.error(), req);
               auto c = service.publish_consultation(p.at("id"), *me);
               if (!c) return failure(c.error(), req);
               return http::ok(consultation_json(*c, true));
             });

  router.add("POST", "/api/v1/consultations/{id}/comments",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return failure(me.error(), req);
               auto body = http::parse_object(req);
               if (!body) return failure(body.error(), req);
               http::ObjectReader r(*body);
               auto clause = r.optional_string("clause", kLongText).value_or("");
               auto text = r.required_string("text", kLongText);
               if (auto st = r.finish(); !st) return failure(st.error(), req);
               auto m = service.add_comment(p.at("id"), clause, text, *me);
               if (!m) return failure(m.error(), req);
               return http::created(comment_json(*m));
             });

  router.add("GET", "/api/v1/consultations/{id}/comments",
             [&service, anyone](const Request& req, const PathParams& p) {
               auto me = anyone(req);
               if (!me) return failure(me.error(), req);
               auto r = service.comments(p.at("id"), req.query_param("clause"), ptr(*me));
               if (!r) return failure(r.error(), req);
               Json items = Json::array();
               for (const auto& m : *r) items.push_back(comment_json(m));
               return http::ok({{"comments", std::move(items)}});
             });

  router.add("POST", "/api/v1/consultations/{id}/comments/{comment_id}/decision",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return failure(me.error(), req);
               auto body = http::parse_object(req);
               if (!body) return failure(body.error(), req);
               http::ObjectReader r(*body);
               auto adopted = r.optional_bool("adopted");
               auto reason = r.required_string("reason", kLongText);
               if (auto st = r.finish(); !st) return failure(st.error(), req);
               if (!adopted) {
                 return failure(Error{ErrorCode::invalid_input, "/adopted", "请选择采纳或不采纳",
                                      "adopted (true or false) is required"},
                                req);
               }
               auto m = service.decide(p.at("id"), p.at("comment_id"), *adopted, reason, *me);
               if (!m) return failure(m.error(), req);
               return http::ok(comment_json(*m));
             });

  router.add("POST", "/api/v1/consultations/{id}/conclude",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return failure(me.error(), req);
               auto body = http::parse_object(req);
               if (!body) return failure(body.error(), req);
               http::ObjectReader r(*body);
               auto summary = r.required_string("summary", kLongText);
               if (auto st = r.finish(); !st) return failure(st.error(), req);
               auto c = service.conclude(p.at("id"), summary, *me);
               if (!c) return failure(c.error(), req);
               return http::ok(consultation_json(*c, true));
             });

  // ---- Surveys ----

  router.add("POST", "/api/v1/surveys", [&service, who](const Request& req, const PathParams&) {
    auto me = who(req);
    if (!me) return failure(me.error(), req);
    auto n = parse_new_survey(req);
    if (!n) return failure(n.error(), req);
    auto s = service.create_survey(*n, *me);
    if (!s) return failure(s.error(), req);
    return http::created(survey_json(*s, true), "/api/v1/surveys/" + s->id);
  });

  router.add("GET", "/api/v1/surveys", [&service, anyone](const Request& req, const PathParams&) {
    auto me = anyone(req);
    if (!me) return failure(me.error(), req);
    auto page = http::page_of(req, 20, 100);
    if (!page) return failure(page.error(), req);
    std::optional<SurveyState> state;
    if (auto s = req.query_param("state"); s && !s->empty()) {
      state = parse_survey_state(*s);
      if (!state) {
        return failure(Error{ErrorCode::invalid_input, "state", "状态应为 draft、open 或 closed",
                             "state must be draft, open or closed"},
                       req);
      }
    }
    auto r = service.list_surveys(state, page->limit, page->offset, ptr(*me));
    if (!r) return failure(r.error(), req);
    Json items = Json::array();
    for (const auto& s : r->surveys) items.push_back(survey_json(s, false));
    return http::ok({{"surveys", std::move(items)}, {"total", r->total}});
  });

  router.add("GET", "/api/v1/surveys/{id}",
             [&service, anyone](const Request& req, const PathParams& p) {
               auto me = anyone(req);
               if (!me) return failure(me.error(), req);
               auto s = service.get_survey(p.at("id"), ptr(*me));
               if (!s) return failure(s.error(), req);
               return http::ok(survey_json(*s, true));
             });

  router.add("POST", "/api/v1/surveys/{id}/publish",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return failure(me.error(), req);
               auto s = service.publish_survey(p.at("id"), *me);
               if (!s) return failure(s.error(), req);
               return http::ok(survey_json(*s, true));
             });

  router.add("POST", "/api/v1/surveys/{id}/responses",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return failure(me.error(), req);
               auto answers = parse_answers(req);
               if (!answers) return failure(answers.error(), req);
               auto r = service.respond(p.at("id"), *answers, *me);
               if (!r) return failure(r.error(), req);
               return http::created({{"id", r->id},
                                     {"survey_id", r->survey_id},
                                     {"created_at", core::format_instant(r->created_at_ms)}});
             });

  router.add("GET", "/api/v1/surveys/{id}/results",
             [&service, anyone](const Request& req, const PathParams& p) {
               auto me = anyone(req);
               if (!me) return failure(me.error(), req);
               auto r = service.results(p.at("id"), ptr(*me));
               if (!r) return failure(r.error(), req);
               return http::ok(results_json(*r));
             });
}

}  // namespace yiwang::participation
