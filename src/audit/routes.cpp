// HTTP route of the audit trail: parse the filter, one query, map (http/route.h).
#include "audit/audit.h"

#include "core/clock.h"
#include "events/events.h"
#include "identity/routes.h"

namespace yiwang::audit {
namespace {

using http::Json;

Json parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

Json event_json(const events::Event& e) {
  return Json{
      {"seq", e.seq},
      {"at", core::format_instant(e.at_ms)},
      {"type", e.type},
      {"subject_type", e.subject_type},
      {"subject_id", e.subject_id},
      {"actor",
       {{"user_id", e.actor.user_id}, {"role", e.actor.role}, {"dept_id", e.actor.dept_id}}},
      {"reason", e.reason},
      {"before", parse_or_null(e.before_json)},
      {"after", parse_or_null(e.after_json)},
      {"data", parse_or_null(e.data_json)}};
}

Result<events::Filter> filter_of(const http::Request& req) {
  events::Filter f;
  auto page = http::page_of(req, 100, 1000);
  if (!page) return fail(page.error());
  f.limit = page->limit;
  if (auto after = req.query_param("after")) {
    try {
      std::size_t used = 0;
      f.after_seq = std::stoll(*after, &used);
      if (used != after->size() || f.after_seq < 0) throw std::invalid_argument("after");
    } catch (const std::exception&) {
      return fail(ErrorCode::invalid_input, "/after", "after 须为非负整数",
                  "after must be a non-negative integer");
    }
  }
  f.subject_type = req.query_param("subject_type").value_or("");
  f.subject_id = req.query_param("subject_id").value_or("");
  f.type_prefix = req.query_param("type").value_or("");
  f.actor_user_id = req.query_param("actor").value_or("");
  return f;
}

}  // namespace

void register_routes(http::Router& router, store::Store& store, identity::Service& identity) {
  identity::Routes api(router, identity);
  api.add("GET", "/api/v1/audit",
          [&](const http::Request& req, const http::PathParams&, const identity::Principal& who) {
            return filter_of(req)
                .and_then([&](const events::Filter& f) { return query(store, f, who); })
                .map([](const std::vector<events::Event>& found) {
                  Json body{{"events", http::array_of(found, event_json)}};
                  if (!found.empty()) body["next_after"] = found.back().seq;
                  return body;
                });
          });
}

}  // namespace yiwang::audit
