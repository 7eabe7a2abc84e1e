// HTTP routes of AI dispatch and reply checking: parse, one service call, map — through the route
// helper.
#include <cmath>

#include "ai/ai.h"
#include "core/clock.h"
#include "identity/routes.h"

namespace yiwang::ai {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

double round4(double x) {
  return std::round(x * 10000) / 10000;
}

Json metrics_json(const Metrics& m) {
  Json per = Json::array();
  for (const auto& c : m.per_class)
    per.push_back({{"label", c.label},
                   {"support", c.support},
                   {"precision", round4(c.precision)},
                   {"recall", round4(c.recall)},
                   {"f1", round4(c.f1)}});
  return {{"examples", m.examples},
          {"accuracy", round4(m.accuracy)},
          {"macro_f1", round4(m.macro_f1)},
          {"per_class", per}};
}

Json model_json(const ModelInfo& m) {
  Json j{{"version", m.version},
         {"created_at", core::format_instant(m.created_at_ms)},
         {"training_size", m.training_size},
         {"corrections", m.corrections},
         {"labels", m.labels},
         {"active", m.active}};
  j["metrics"] = m.metrics ? metrics_json(*m.metrics) : Json(nullptr);
  return j;
}

Json prediction_json(const Prediction& p) {
  Json alternatives = Json::array();
  for (const auto& [label, conf] : p.alternatives)
    alternatives.push_back({{"label", label}, {"confidence", round4(conf)}});
  return {{"label", p.label},
          {"confidence", round4(p.confidence)},
          {"department", p.department.empty() ? Json(nullptr) : Json(p.department)},
          {"model_version", p.model_version},
          {"needs_human", p.needs_human},
          {"alternatives", alternatives}};
}

Json check_json(const ReplyCheck& c) {
  return {
      {"score", c.score},
      {"weak", c.weak},
      {"relevance", round4(c.relevance)},
      {"checks",
       {{"salutation", c.salutation},
        {"findings", c.findings},
        {"action", c.action},
        {"contact", c.contact}}},
      {"issues", http::array_of(c.issues, [](const ReplyIssue& i) {
         return Json{{"code", i.code}, {"message_zh", i.message_zh}, {"message_en", i.message_en}};
       })}};
}

Json correction_json(const Correction& c) {
  return {{"id", c.id},
          {"label", c.label},
          {"created_by", c.created_by},
          {"created_at", core::format_instant(c.created_at_ms)}};
}

Result<std::string> parse_text(const Request& req) {
  http::ObjectReader r(req);
  auto text = r.required_string("text", kMaxTextChars);
  if (auto s = r.finish(); !s) return fail(s.error());
  return text;
}

struct Labelled {
  std::string text, label;
};
Result<Labelled> parse_correction(const Request& req) {
  http::ObjectReader r(req);
  Labelled out;
  out.text = r.required_string("text", kMaxTextChars);
  out.label = r.required_string("label", 50);
  if (auto s = r.finish(); !s) return fail(s.error());
  return out;
}

struct Draft {
  std::string appeal, reply;
};
Result<Draft> parse_draft(const Request& req) {
  http::ObjectReader r(req);
  Draft out;
  out.appeal = r.required_string("appeal", kMaxTextChars);
  out.reply = r.required_string("reply", kMaxTextChars);
  if (auto s = r.finish(); !s) return fail(s.error());
  return out;
}

// The version in the path: a positive number of at most nine digits (not_found otherwise).
Result<int> parse_version(const std::string& v) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(v) <= 0) {
    return fail(ErrorCode::not_found, "/version", "模型版本不存在", "no such model version");
  }
  return std::stoi(v);
}

// An activation takes no body; an empty object is accepted, anything else is refused.
Status parse_no_body(const Request& req) {
  if (req.body.empty()) return {};
  http::ObjectReader r(req);
  return r.finish();
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  using identity::Principal;

  // Any signed-in user: the appeal form suggests a class while a citizen types.
  api.add("POST", "/api/v1/ai/classify",
          [&](const Request& req, const PathParams&, const Principal&) {
            return parse_text(req)
                .and_then([&](const std::string& text) { return service.classify(text); })
                .map(prediction_json);
          });

  api.add("GET", "/api/v1/ai/models",
          [&](const Request&, const PathParams&, const Principal& who) -> Result<Json> {
            if (auto st = staff_only(who); !st) return fail(st.error());
            return Json{{"items", http::array_of(service.models(), model_json)},
                        {"threshold", service.options().threshold}};
          });

  api.add("POST", "/api/v1/ai/models/{version}/activate",
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
            auto version = parse_version(p.at("version"));
            if (!version) return fail(version.error());
            if (auto st = parse_no_body(req); !st) return fail(st.error());
            return service.activate(*version, who).map(model_json);
          });

  api.add_if("POST", "/api/v1/ai/corrections",
          [&](const Principal& who) { return service.may_correct(who); },
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_correction(req)
                .and_then(
                    [&](const Labelled& c) { return service.add_correction(c.text, c.label, who); })
                .map([](const Correction& c) { return http::created(correction_json(c)); });
          });

  // Staff check a draft reply before publishing it.
  api.add("POST", "/api/v1/ai/reply-check",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return staff_only(who)
                .and_then([&] { return parse_draft(req); })
                .and_then([](const Draft& d) { return check_reply(d.appeal, d.reply); })
                .map(check_json);
          });
}

}  // namespace yiwang::ai
