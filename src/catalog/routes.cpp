// HTTP routes of the service catalog: parse, call one service function, map the result.
#include <charconv>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include "catalog/catalog.h"
#include "catalog/items_json.h"
#include "http/json_api.h"

namespace yiwang::catalog {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

Json outcome_json(const RuleEvaluation& e) {
  Json outcomes = Json::array();
  for (const auto& o : e.outcomes) {
    outcomes.push_back({{"id", o.id},
                        {"description_zh", o.description_zh},
                        {"passed", o.passed},
                        {"detail", o.detail}});
  }
  return {{"eligible", e.eligible}, {"outcomes", std::move(outcomes)}};
}

// Serialised documents by key, bounded; cleared when full and refilled by the next reads.
class DocumentCache {
 public:
  std::optional<std::string> find(const std::string& key) {
    std::shared_lock lock(mu_);
    auto it = bodies_.find(key);
    if (it == bodies_.end()) return std::nullopt;
    return it->second;
  }
  void add(const std::string& key, const std::string& body) {
    std::unique_lock lock(mu_);
    if (bodies_.size() >= kMaxEntries) bodies_.clear();
    bodies_.emplace(key, body);
  }

 private:
  static constexpr std::size_t kMaxEntries = 1024;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::string> bodies_;
};

Response json_body(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

std::string param(const Request& req, std::string_view name) {
  return req.query_param(name).value_or("");
}

Response list_items(const Request& req, Service& service, identity::Service& identity) {
  auto page = http::page_of(req);
  if (!page) return http::problem(page.error(), req);
  SearchQuery q;
  q.q = param(req, "q");
  q.dept_id = param(req, "dept");
  q.item_type = param(req, "type");
  q.service_object = param(req, "object");
  q.limit = page->limit;
  q.offset = page->offset;
  if (param(req, "include_inactive") == "true") {
    // Withdrawn items are listed for administrators only.
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    if (!who->is_official() || !who->has_role(identity::Role::admin)) {
      return http::problem(
          Error{ErrorCode::forbidden, "include_inactive", "只有管理员可以查看已停用事项",
                "only administrators may list withdrawn items"},
          req);
    }
    q.include_inactive = true;
  }
  auto result = service.search(q);
  if (!result) return http::problem(result.error(), req);
  Json items = Json::array();
  for (const auto& item : result->items) items.push_back(detail::summary_json(item));
  return http::ok({{"items", std::move(items)}, {"total", result->total}});
}

Response publish(const Request& req, const PathParams& params, Service& service,
                 identity::Service& identity, PublishMode mode) {
  auto who = identity.authenticate(req.bearer_token());
  if (!who) return http::problem(who.error(), req);
  auto body = http::parse_object(req);
  if (!body) return http::problem(body.error(), req);
  if (mode == PublishMode::update_only) {
    const std::string& code = params.at("code");
    if (!body->contains("code")) (*body)["code"] = code;
    if (!(*body)["code"].is_string() || (*body)["code"].get<std::string>() != code) {
      return http::problem(Error{ErrorCode::invalid_input, "/code", "实施编码与地址不一致",
                                 "code differs from the one in the path"},
                           req);
    }
  }
  auto item = detail::from_json(*body);
  if (!item) return http::problem(item.error(), req);
  auto published = service.publish(*item, *who, mode);
  if (!published) return http::problem(published.error(), req);
  Json doc = detail::to_json(*published);
  if (mode == PublishMode::create_only) {
    return http::created(doc, "/api/v1/items/" + published->code);
  }
  return http::ok(doc);
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  router.add("GET", "/api/v1/items", [&](const Request& req, const PathParams&) {
    return list_items(req, service, identity);
  });

  // The item document is the most read page of the platform and a pure function of
  // (code, version, active): serialise each once.
  auto documents = std::make_shared<DocumentCache>();
  router.add(
      "GET", "/api/v1/items/{code}", [&, documents](const Request& req, const PathParams& p) {
        const std::string& code = p.at("code");
        auto head = service.head(code);
        if (!head) return http::problem(head.error(), req);
        std::string key = code + "@" + std::to_string(head->version) + (head->active ? "" : "-");
        if (auto body = documents->find(key)) return json_body(std::move(*body));
        auto item = service.get(code);
        if (!item) return http::problem(item.error(), req);
        std::string body =
            detail::to_json(*item).dump(-1, ' ', false, Json::error_handler_t::replace);
        // A concurrent publish may have moved the item on since `head`: cache only what matches.
        if (item->version == head->version && item->active == head->active)
          documents->add(key, body);
        return json_body(std::move(body));
      });

  router.add("GET", "/api/v1/items/{code}/versions/{version}",
             [&](const Request& req, const PathParams& p) {
               const std::string& text = p.at("version");
               int version = 0;
               auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
               if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
                 return http::problem(Error{ErrorCode::invalid_input, "version", "版本号无效",
                                            "version must be a positive integer"},
                                      req);
               }
               auto item = service.get_version(p.at("code"), version);
               if (!item) return http::problem(item.error(), req);
               return http::ok(detail::to_json(*item));
             });

  router.add("POST", "/api/v1/items", [&](const Request& req, const PathParams& p) {
    return publish(req, p, service, identity, PublishMode::create_only);
  });

  router.add("PUT", "/api/v1/items/{code}", [&](const Request& req, const PathParams& p) {
    return publish(req, p, service, identity, PublishMode::update_only);
  });

  router.add("PUT", "/api/v1/items/{code}/active", [&](const Request& req, const PathParams& p) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    auto active = r.optional_bool("active");
    if (!r.failed() && !active) {
      return http::problem(
          Error{ErrorCode::invalid_input, "/active", "缺少 active", "active is required"}, req);
    }
    if (auto st = r.finish(); !st) return http::problem(st.error(), req);
    auto st = service.set_active(p.at("code"), *active, *who);
    if (!st) return http::problem(st.error(), req);
    return http::ok({{"code", p.at("code")}, {"active", *active}});
  });

  router.add(
      "POST", "/api/v1/items/{code}/instant-rules/dry-run",
      [&](const Request& req, const PathParams& p) {
        auto who = identity.authenticate(req.bearer_token());
        if (!who) return http::problem(who.error(), req);
        auto body = http::parse_object(req);
        if (!body) return http::problem(body.error(), req);
        http::ObjectReader r(*body);
        auto form = r.optional_object("form");
        auto applicant_json = r.optional_object("applicant");
        if (auto st = r.finish(); !st) return http::problem(st.error(), req);
        ApplicantFacts applicant;
        if (applicant_json) {
          http::ObjectReader a(*applicant_json, "/applicant");
          applicant.kind = a.optional_string("kind", 20).value_or("");
          if (auto age = a.optional_int("age", 0, 200)) applicant.age = static_cast<int>(*age);
          applicant.division_code = a.optional_string("division_code", 12).value_or("");
          applicant.open_cases_same_item = a.optional_int("open_cases_same_item", 0, 1000000);
          if (auto st = a.finish(); !st) return http::problem(st.error(), req);
        }
        auto result = service.dry_run(p.at("code"), form ? form->dump() : "", applicant, *who);
        if (!result) return http::problem(result.error(), req);
        return http::ok(outcome_json(*result));
      });
}

}  // namespace yiwang::catalog
