// HTTP routes of the audit trail: parse, one service call, map (http/route.h).
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

Json integrity_json(const Integrity& i) {
  return Json{{"verified", i.verified},
              {"events", i.events},
              {"sealed_through", i.sealed_through},
              {"unsealed", i.unsealed},
              {"head", i.head},
              {"broken_at", i.broken_at ? Json(*i.broken_at) : Json(nullptr)},
              {"problem", i.problem},
              {"checked_at", core::format_instant(i.checked_at)},
              {"retention_days", kRetentionDays},
              {"oldest_at", i.oldest_at ? Json(core::format_instant(*i.oldest_at)) : Json(nullptr)}};
}

tl::unexpected<Error> auditors_only() {
  return fail(ErrorCode::forbidden, "", "只有审计管理员可以查看审计日志的完整性",
              "only audit administrators check the audit trail");
}

// ?from=YYYY-MM-DD&to=YYYY-MM-DD, Beijing dates, both inclusive: [from 00:00, the day after to).
Result<std::pair<core::Millis, core::Millis>> range_of(const http::Request& req) {
  core::Date from{}, to{};
  auto from_text = req.query_param("from");
  if (!from_text || !core::parse_date(*from_text, from)) {
    return fail(ErrorCode::invalid_input, "/from", "from 须为日期 YYYY-MM-DD（北京时间）",
                "from must be a date YYYY-MM-DD (Beijing time)");
  }
  auto to_text = req.query_param("to");
  if (!to_text || !core::parse_date(*to_text, to)) {
    return fail(ErrorCode::invalid_input, "/to", "to 须为日期 YYYY-MM-DD（北京时间）",
                "to must be a date YYYY-MM-DD (Beijing time)");
  }
  const core::Millis end = core::china_midnight(to) + core::kDayMs;
  return std::pair{core::china_midnight(from), end};
}

}  // namespace

void register_routes(http::Router& router, store::Store& store, const core::Clock& clock,
                     identity::Service& identity) {
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

  // Recomputes the whole chain: a heavy read, on the pool.
  api.add("GET", "/api/v1/audit/integrity",
          [&](const http::Request&, const http::PathParams&,
              const identity::Principal& who) -> Result<Json> {
            if (!who.is_official() || !who.has_role(identity::Role::auditor)) {
              return auditors_only();
            }
            return check(store, clock).map(integrity_json);
          });

  api.add("GET", "/api/v1/audit/export",
          [&](const http::Request& req, const http::PathParams&,
              const identity::Principal& who) -> Result<http::Response> {
            auto range = range_of(req);
            if (!range) return fail(range.error());
            auto out = export_range(store, clock, range->first, range->second, who);
            if (!out) return fail(out.error());
            http::Response r;
            r.content_type = "application/x-ndjson; charset=utf-8";
            r.body = std::move(out->ndjson);
            r.headers = {{"Content-Disposition", "attachment; filename=\"audit-" +
                                                     *req.query_param("from") + "-" +
                                                     *req.query_param("to") + ".ndjson\""},
                         {"Cache-Control", "no-store"},
                         {"X-Audit-Events", std::to_string(out->count)}};
            return r;
          });
}

}  // namespace yiwang::audit
