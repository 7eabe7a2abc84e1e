// HTTP routes of consultations and surveys: parse strictly, one service call, map — through the
// route helper. Public reads take an optional principal (no token: anonymous; a bad token: 401).
#include <cmath>

#include "identity/routes.h"
#include "participation/internal.h"

namespace yiwang::participation {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;
using identity::Principal;

// Longer than any valid value, so that the service's own limit gives the precise message.
constexpr std::size_t kLongText = 200000;

// Conflicts carry their reason as the problem member `code`; "undecided" also names the comment.
// Such an error becomes its problem here, with the members; every other error is returned to the
// route helper as it is.
Result<Response> with_reason(const Error& e, const Request& req) {
  std::string_view code = reason_code(e);
  if (code.empty()) return fail(e);
  Response r = http::problem(e, req);
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

Result<Response> answered(Result<Response>&& r, const Request& req) {
  if (r) return std::move(r);
  return with_reason(r.error(), req);
}
Result<Response> answered(Result<Json>&& r, const Request& req) {
  if (r) return http::ok(*r);
  return with_reason(r.error(), req);
}

// The route helper, each handler's errors passed through with_reason.
struct Api {
  identity::Routes& api;

  template <class F>
  static auto coded(F fn) {
    return [fn = std::move(fn)](const Request& req, const PathParams& p, const auto& who) {
      return answered(fn(req, p, who), req);
    };
  }
  template <class F>
  void add(std::string method, std::string path, F fn) {
    api.add(std::move(method), std::move(path), coded(std::move(fn)));
  }
  template <class G, class F>
  void add_if(std::string method, std::string path, G may, F fn) {
    api.add_if(std::move(method), std::move(path), std::move(may), coded(std::move(fn)));
  }
  template <class F>
  void optional(std::string method, std::string path, F fn) {
    api.optional(std::move(method), std::move(path), coded(std::move(fn)));
  }
};

Json consultation_json(const Consultation& c, bool full) {
  Json j = {{"id", c.id},
            {"title", c.title},
            {"summary", c.summary},
            {"dept_id", c.dept_id},
            {"state", to_string(c.state)},
            {"opens_at", http::instant_or_null(c.opens_at_ms)},
            {"closes_at", core::format_instant(c.closes_at_ms)},
            {"clause_count", c.clause_count},
            {"comment_count", c.comment_count},
            {"created_at", core::format_instant(c.created_at_ms)},
            {"published_at", http::instant_or_null(c.published_at_ms)}};
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
            {"published_at", http::instant_or_null(s.published_at_ms)}};
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
  http::ObjectReader r(req);
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
  http::ObjectReader r(req);
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
  http::ObjectReader r(req);
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

struct NewComment {
  std::string clause, text;
};
Result<NewComment> parse_comment(const Request& req) {
  http::ObjectReader r(req);
  NewComment c;
  c.clause = r.optional_string("clause", kLongText).value_or("");
  c.text = r.required_string("text", kLongText);
  if (auto st = r.finish(); !st) return fail(st.error());
  return c;
}

struct NewDecision {
  bool adopted = false;
  std::string reason;
};
Result<NewDecision> parse_decision(const Request& req) {
  http::ObjectReader r(req);
  auto adopted = r.optional_bool("adopted");
  auto reason = r.required_string("reason", kLongText);
  if (auto st = r.finish(); !st) return fail(st.error());
  if (!adopted) {
    return bad("/adopted", "请选择采纳或不采纳", "adopted (true or false) is required");
  }
  return NewDecision{*adopted, std::move(reason)};
}

Result<std::string> parse_summary(const Request& req) {
  http::ObjectReader r(req);
  auto summary = r.required_string("summary", kLongText);
  if (auto st = r.finish(); !st) return fail(st.error());
  return summary;
}

Result<ConsultationQuery> parse_consultation_query(const Request& req) {
  ConsultationQuery q;
  auto page = http::page_of(req, 20, 100);
  if (!page) return fail(page.error());
  q.limit = page->limit;
  q.offset = page->offset;
  if (auto s = req.query_param("state"); s && !s->empty()) {
    q.state = parse_consultation_state(*s);
    if (!q.state) {
      return bad("state", "状态应为 draft、open、closed 或 concluded",
                 "state must be draft, open, closed or concluded");
    }
  }
  return q;
}

struct SurveyQuery {
  http::Page page;
  std::optional<SurveyState> state;
};
Result<SurveyQuery> parse_survey_query(const Request& req) {
  auto page = http::page_of(req, 20, 100);
  if (!page) return fail(page.error());
  SurveyQuery q{*page, std::nullopt};
  if (auto s = req.query_param("state"); s && !s->empty()) {
    q.state = parse_survey_state(*s);
    if (!q.state) {
      return bad("state", "状态应为 draft、open 或 closed", "state must be draft, open or closed");
    }
  }
  return q;
}

Json full_consultation(const Consultation& c) {
  return consultation_json(c, true);
}
Json full_survey(const Survey& s) {
  return survey_json(s, true);
}

void add_consultation_routes(Api& api, Service& service) {
  api.add_if(
      "POST", "/api/v1/consultations", &Service::may_create,
      [&](const Request& req, const PathParams&, const Principal& who) {
        return parse_new_consultation(req)
            .and_then([&](const NewConsultation& n) { return service.create_consultation(n, who); })
            .map([](const Consultation& c) {
              return http::created(full_consultation(c), "/api/v1/consultations/" + c.id);
            });
      });

  api.optional(
      "GET", "/api/v1/consultations",
      [&](const Request& req, const PathParams&, const Principal* who) {
        return parse_consultation_query(req)
            .and_then(
                [&](const ConsultationQuery& q) { return service.list_consultations(q, who); })
            .map([](const ConsultationList& list) {
              return Json{{"consultations", http::array_of(list.consultations,
                                                           [](const Consultation& c) {
                                                             return consultation_json(c, false);
                                                           })},
                          {"total", list.total}};
            });
      });

  api.optional("GET", "/api/v1/consultations/{id}",
               [&](const Request&, const PathParams& p, const Principal* who) {
                 return service.get_consultation(p.at("id"), who).map(full_consultation);
               });

  api.add("POST", "/api/v1/consultations/{id}/publish",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.publish_consultation(p.at("id"), who).map(full_consultation);
          });

  api.add_if("POST", "/api/v1/consultations/{id}/conclude",
          [&](const Principal& who, const PathParams& p) {
            return service.may_manage(p.at("id"), who);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_summary(req)
                .and_then([&](const std::string& summary) {
                  return service.conclude(p.at("id"), summary, who);
                })
                .map(full_consultation);
          });
}

void add_comment_routes(Api& api, Service& service) {
  api.add_if("POST", "/api/v1/consultations/{id}/comments", identity::public_members_only,
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_comment(req)
                .and_then([&](const NewComment& c) {
                  return service.add_comment(p.at("id"), c.clause, c.text, who);
                })
                .map([](const Comment& m) { return http::created(comment_json(m)); });
          });

  api.optional("GET", "/api/v1/consultations/{id}/comments",
               [&](const Request& req, const PathParams& p, const Principal* who) {
                 return service.comments(p.at("id"), req.query_param("clause"), who)
                     .map([](const std::vector<Comment>& list) {
                       return Json{{"comments", http::array_of(list, comment_json)}};
                     });
               });

  api.add_if("POST", "/api/v1/consultations/{id}/comments/{comment_id}/decision",
          [&](const Principal& who, const PathParams& p) {
            return service.may_manage(p.at("id"), who);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_decision(req)
                .and_then([&](const NewDecision& d) {
                  return service.decide(p.at("id"), p.at("comment_id"), d.adopted, d.reason, who);
                })
                .map(comment_json);
          });
}

void add_survey_routes(Api& api, Service& service) {
  api.add_if("POST", "/api/v1/surveys", &Service::may_create,
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_new_survey(req)
                .and_then([&](const NewSurvey& n) { return service.create_survey(n, who); })
                .map([](const Survey& s) {
                  return http::created(full_survey(s), "/api/v1/surveys/" + s.id);
                });
          });

  api.optional(
      "GET", "/api/v1/surveys", [&](const Request& req, const PathParams&, const Principal* who) {
        return parse_survey_query(req)
            .and_then([&](const SurveyQuery& q) {
              return service.list_surveys(q.state, q.page.limit, q.page.offset, who);
            })
            .map([](const SurveyList& list) {
              return Json{{"surveys",
                           http::array_of(list.surveys,
                                          [](const Survey& s) { return survey_json(s, false); })},
                          {"total", list.total}};
            });
      });

  api.optional("GET", "/api/v1/surveys/{id}",
               [&](const Request&, const PathParams& p, const Principal* who) {
                 return service.get_survey(p.at("id"), who).map(full_survey);
               });

  api.add("POST", "/api/v1/surveys/{id}/publish",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.publish_survey(p.at("id"), who).map(full_survey);
          });

  api.add_if("POST", "/api/v1/surveys/{id}/responses", identity::public_members_only,
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_answers(req)
                .and_then([&](const std::vector<Answer>& answers) {
                  return service.respond(p.at("id"), answers, who);
                })
                .map([](const SurveyResponse& r) {
                  return http::created({{"id", r.id},
                                        {"survey_id", r.survey_id},
                                        {"created_at", core::format_instant(r.created_at_ms)}});
                });
          });

  api.optional("GET", "/api/v1/surveys/{id}/results",
               [&](const Request&, const PathParams& p, const Principal* who) {
                 return service.results(p.at("id"), who).map(results_json);
               });
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes routes(router, identity);
  Api api{routes};
  add_consultation_routes(api, service);
  add_comment_routes(api, service);
  add_survey_routes(api, service);
}

}  // namespace yiwang::participation
