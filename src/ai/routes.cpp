// HTTP routes of AI dispatch and reply checking: parse, call one service function, map.
#include <cmath>

#include "ai/ai.h"
#include "core/clock.h"
#include "http/json_api.h"
#include "identity/identity.h"

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

Result<identity::Principal> official(identity::Service& identity, const Request& req) {
  auto who = identity.authenticate(req.bearer_token());
  if (!who) return fail(who.error());
  if (!who->is_official())
    return fail(ErrorCode::forbidden, "", "仅限工作人员", "for government staff only");
  return who;
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  // Any signed-in user: the appeal form suggests a class while a citizen types.
  router.add("POST", "/api/v1/ai/classify", [&](const Request& req, const PathParams&) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    auto text = r.required_string("text", kMaxTextChars);
    if (auto s = r.finish(); !s) return http::problem(s.error(), req);
    auto p = service.classify(text);
    if (!p) return http::problem(p.error(), req);
    return http::ok(prediction_json(*p));
  });

  router.add("GET", "/api/v1/ai/models", [&](const Request& req, const PathParams&) {
    auto who = official(identity, req);
    if (!who) return http::problem(who.error(), req);
    Json items = Json::array();
    for (const auto& m : service.models()) items.push_back(model_json(m));
    return http::ok({{"items", items}, {"threshold", service.options().threshold}});
  });

  router.add(
      "POST", "/api/v1/ai/models/{version}/activate",
      [&](const Request& req, const PathParams& params) {
        auto who = identity.authenticate(req.bearer_token());
        if (!who) return http::problem(who.error(), req);
        const auto& v = params.at("version");
        int version = 0;
        if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos ||
            (version = std::stoi(v)) <= 0)
          return http::problem(
              Error{ErrorCode::not_found, "/version", "模型版本不存在", "no such model version"},
              req);
        if (!req.body.empty()) {
          auto body = http::parse_object(req);
          if (!body) return http::problem(body.error(), req);
          http::ObjectReader r(*body);
          if (auto s = r.finish(); !s) return http::problem(s.error(), req);
        }
        auto m = service.activate(version, *who);
        if (!m) return http::problem(m.error(), req);
        return http::ok(model_json(*m));
      });

  router.add("POST", "/api/v1/ai/corrections", [&](const Request& req, const PathParams&) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    auto text = r.required_string("text", kMaxTextChars);
    auto label = r.required_string("label", 50);
    if (auto s = r.finish(); !s) return http::problem(s.error(), req);
    auto c = service.add_correction(text, label, *who);
    if (!c) return http::problem(c.error(), req);
    return http::created({{"id", c->id},
                          {"label", c->label},
                          {"created_by", c->created_by},
                          {"created_at", core::format_instant(c->created_at_ms)}});
  });

  // Staff check a draft reply before publishing it.
  router.add("POST", "/api/v1/ai/reply-check", [&](const Request& req, const PathParams&) {
    auto who = official(identity, req);
    if (!who) return http::problem(who.error(), req);
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    auto appeal = r.required_string("appeal", kMaxTextChars);
    auto reply = r.required_string("reply", kMaxTextChars);
    if (auto s = r.finish(); !s) return http::problem(s.error(), req);
    auto c = check_reply(appeal, reply);
    if (!c) return http::problem(c.error(), req);
    Json issues = Json::array();
    for (const auto& i : c->issues)
      issues.push_back(
          {{"code", i.code}, {"message_zh", i.message_zh}, {"message_en", i.message_en}});
    return http::ok({{"score", c->score},
                     {"weak", c->weak},
                     {"relevance", round4(c->relevance)},
                     {"checks",
                      {{"salutation", c->salutation},
                       {"findings", c->findings},
                       {"action", c->action},
                       {"contact", c->contact}}},
                     {"issues", issues}});
  });
}

}  // namespace yiwang::ai
