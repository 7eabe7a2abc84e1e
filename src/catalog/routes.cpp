// HTTP routes of the service catalog: parse, call one service function, map the result.
#include <charconv>
#include <memory>
#include <optional>
#include <unordered_map>

#include "catalog/catalog.h"
#include "catalog/items_json.h"
#include "core/thread_annotations.h"
#include "identity/routes.h"

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
  std::optional<std::string> find(const std::string& key) EXCLUDES(mu_) {
    core::ReaderLock lock(mu_);
    auto it = bodies_.find(key);
    if (it == bodies_.end()) return std::nullopt;
    return it->second;
  }
  void add(const std::string& key, const std::string& body) EXCLUDES(mu_) {
    core::WriterLock lock(mu_);
    if (bodies_.size() >= kMaxEntries) bodies_.clear();
    bodies_.emplace(key, body);
  }

 private:
  static constexpr std::size_t kMaxEntries = 1024;
  core::SharedMutex mu_;
  std::unordered_map<std::string, std::string> bodies_ GUARDED_BY(mu_);
};

Response json_body(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

std::string param(const Request& req, std::string_view name) {
  return req.query_param(name).value_or("");
}

// Withdrawn items are listed for administrators only, so ?include_inactive=true needs a session
// (the route itself is open: a stale token on an ordinary search is ignored).
Status check_may_list_inactive(const Request& req, identity::Service& identity) {
  auto who = identity.authenticate(req.bearer_token());
  if (!who) return fail(who.error());
  if (!who->is_official() || !who->has_role(identity::Role::admin)) {
    return fail(ErrorCode::forbidden, "include_inactive", "只有管理员可以查看已停用事项",
                "only administrators may list withdrawn items");
  }
  return {};
}

Result<Json> list_items(const Request& req, Service& service, identity::Service& identity) {
  auto page = http::page_of(req);
  if (!page) return fail(page.error());
  SearchQuery q;
  q.q = param(req, "q");
  q.dept_id = param(req, "dept");
  q.item_type = param(req, "type");
  q.service_object = param(req, "object");
  q.limit = page->limit;
  q.offset = page->offset;
  if (param(req, "include_inactive") == "true") {
    if (auto st = check_may_list_inactive(req, identity); !st) return fail(st.error());
    q.include_inactive = true;
  }
  return service.search(q).map([](const SearchResult& r) {
    Json out{{"items", http::array_of(r.items, detail::summary_json)},
             {"total", r.total},
             {"weak", r.weak}};
    if (!r.suggestion.empty()) out["suggestion"] = r.suggestion;
    return out;
  });
}

Result<Response> publish(const Request& req, const PathParams& params, Service& service,
                         const identity::Principal& who, PublishMode mode) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  if (mode == PublishMode::update_only) {
    const std::string& code = params.at("code");
    if (!body->contains("code")) (*body)["code"] = code;
    if (!(*body)["code"].is_string() || (*body)["code"].get<std::string>() != code) {
      return fail(ErrorCode::invalid_input, "/code", "实施编码与地址不一致",
                  "code differs from the one in the path");
    }
  }
  auto item = detail::from_json(*body);
  if (!item) return fail(item.error());
  auto published = service.publish(*item, who, mode);
  if (!published) return fail(published.error());
  Json doc = detail::to_json(*published);
  if (mode == PublishMode::create_only) {
    return http::created(doc, "/api/v1/items/" + published->code);
  }
  return http::ok(doc);
}

// The item document is the most read page of the platform and a pure function of
// (code, version, active): each is serialised once.
Result<Response> get_item(const std::string& code, Service& service, DocumentCache& documents) {
  auto head = service.head(code);
  if (!head) return fail(head.error());
  std::string key = code + "@" + std::to_string(head->version) + (head->active ? "" : "-");
  if (auto body = documents.find(key)) return json_body(std::move(*body));
  auto item = service.get(code);
  if (!item) return fail(item.error());
  std::string body = detail::to_json(*item).dump(-1, ' ', false, Json::error_handler_t::replace);
  // A concurrent publish may have moved the item on since `head`: cache only what matches.
  if (item->version == head->version && item->active == head->active) documents.add(key, body);
  return json_body(std::move(body));
}

Result<int> version_param(const PathParams& p) {
  const std::string& text = p.at("version");
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return fail(ErrorCode::invalid_input, "version", "版本号无效",
                "version must be a positive integer");
  }
  return version;
}

Result<bool> parse_active(const Request& req) {
  http::ObjectReader r(req);
  auto active = r.optional_bool("active");
  if (!r.failed() && !active) {
    return fail(ErrorCode::invalid_input, "/active", "缺少 active", "active is required");
  }
  if (auto st = r.finish(); !st) return fail(st.error());
  return *active;
}

struct DryRun {
  std::string form_json;
  ApplicantFacts applicant;
};

Result<DryRun> parse_dry_run(const Request& req) {
  http::ObjectReader r(req);
  auto form = r.optional_object("form");
  auto applicant_json = r.optional_object("applicant");
  if (auto st = r.finish(); !st) return fail(st.error());
  DryRun d;
  d.form_json = form ? form->dump() : "";
  if (applicant_json) {
    http::ObjectReader a(*applicant_json, "/applicant");
    d.applicant.kind = a.optional_string("kind", 20).value_or("");
    if (auto age = a.optional_int("age", 0, 200)) d.applicant.age = static_cast<int>(*age);
    d.applicant.division_code = a.optional_string("division_code", 12).value_or("");
    d.applicant.open_cases_same_item = a.optional_int("open_cases_same_item", 0, 1000000);
    if (auto st = a.finish(); !st) return fail(st.error());
  }
  return d;
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  using http::Runs;
  using identity::Principal;

  // Catalog reads answer from memory and short reads: declared fast (io_thread).
  api.open(
      "GET", "/api/v1/items",
      [&](const Request& req, const PathParams&) { return list_items(req, service, identity); },
      Runs::io_thread);

  auto documents = std::make_shared<DocumentCache>();
  api.open(
      "GET", "/api/v1/items/{code}",
      [&, documents](const Request&, const PathParams& p) {
        return get_item(p.at("code"), service, *documents);
      },
      Runs::io_thread);

  api.open(
      "GET", "/api/v1/items/{code}/versions/{version}",
      [&](const Request&, const PathParams& p) {
        return version_param(p)
            .and_then([&](int v) { return service.get_version(p.at("code"), v); })
            .map(detail::to_json);
      },
      Runs::io_thread);

  api.add("POST", "/api/v1/items",
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return publish(req, p, service, who, PublishMode::create_only);
          });

  api.add("PUT", "/api/v1/items/{code}",
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return publish(req, p, service, who, PublishMode::update_only);
          });

  api.add_if("PUT", "/api/v1/items/{code}/active", identity::system_admin_only,
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
            auto active = parse_active(req);
            if (!active) return fail(active.error());
            if (auto st = service.set_active(p.at("code"), *active, who); !st)
              return fail(st.error());
            return Json{{"code", p.at("code")}, {"active", *active}};
          });

  api.add("POST", "/api/v1/items/{code}/instant-rules/dry-run",
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_dry_run(req)
                .and_then([&](const DryRun& d) {
                  return service.dry_run(p.at("code"), d.form_json, d.applicant, who);
                })
                .map(outcome_json);
          });
}

}  // namespace yiwang::catalog
