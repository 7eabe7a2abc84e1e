// HTTP routes of supervision (电子监察), the inbox, the working-day calendar, ratings (好差评) and
// rectifications: parse, call one service function, map the result.
#include <charconv>

#include "cases/internal.h"
#include "http/json_api.h"

namespace yiwang::cases::detail {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

Json instant_or_null(std::optional<core::Millis> t) {
  return t && *t > 0 ? Json(core::format_instant(*t)) : Json(nullptr);
}

Json date_or_null(const std::optional<core::Date>& d) {
  return d ? Json(core::format_date(*d)) : Json(nullptr);
}

Json alert_report_json(const AlertReport& r) {
  Json alerts = Json::array();
  for (const auto& a : r.alerts) {
    alerts.push_back({{"case_id", a.case_id},
                      {"item_name", a.item_name},
                      {"dept_id", a.dept_id},
                      {"level", alert_name(a.level)},
                      {"remaining_days", a.remaining_days},
                      {"deadline", date_or_null(a.deadline)},
                      {"raised_at", instant_or_null(a.raised_at_ms)}});
  }
  Json departments = Json::array();
  for (const auto& d : r.departments) {
    departments.push_back({{"dept_id", d.dept_id},
                           {"dept_name", d.dept_name},
                           {"open", d.open},
                           {"yellow", d.yellow},
                           {"red", d.red},
                           {"completed_30d", d.completed_30d},
                           {"completed_on_time_30d", d.completed_on_time_30d}});
  }
  Json body{{"alerts", std::move(alerts)}, {"departments", std::move(departments)}};
  // Absent until the first sweep (the document types it as a string).
  if (r.swept_at_ms > 0) body["swept_at"] = core::format_instant(r.swept_at_ms);
  return body;
}

Json message_json(const InboxMessage& m) {
  return {{"id", m.id},
          {"kind", m.kind},
          {"title", m.title},
          {"body", m.body},
          {"subject_type", m.subject_type},
          {"subject_id", m.subject_id},
          {"created_at", core::format_instant(m.created_at_ms)},
          {"read", m.read}};
}

Json rating_json(const Rating& r) {
  return {
      {"case_id", r.case_id},
      {"level", r.level},
      {"label", r.label},
      {"indicators", r.indicators},
      {"comment", r.comment},
      {"rated_at", core::format_instant(r.rated_at_ms)},
      {"rectification_id", r.rectification_id.empty() ? Json(nullptr) : Json(r.rectification_id)}};
}

Json rectification_json(const Rectification& r) {
  return {{"id", r.id},
          {"case_id", r.case_id},
          {"dept_id", r.dept_id},
          {"status", r.status},
          {"opened_at", core::format_instant(r.opened_at_ms)},
          {"due", core::format_date(r.due)},
          {"note", r.note},
          {"closed_at", instant_or_null(r.closed_at_ms)},
          {"closed_by", r.closed_by.empty() ? Json(nullptr) : Json(r.closed_by)}};
}

Error bad(std::string field, std::string zh, std::string en) {
  return Error{ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en)};
}

Result<core::Date> date_param(const PathParams& p) {
  core::Date d;
  if (!core::parse_date(p.at("date"), d)) {
    return fail(
        bad("/date", "日期须为 YYYY-MM-DD 格式的有效日期", "date must be a valid YYYY-MM-DD"));
  }
  return d;
}

Result<std::optional<int>> year_param(const Request& req) {
  auto text = req.query_param("year");
  if (!text) return std::optional<int>{};
  int year = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), year);
  if (ec != std::errc() || end != text->data() + text->size() || year < 1900 || year > 9999) {
    return fail(bad("/year", "年份无效", "year must be between 1900 and 9999"));
  }
  return std::optional<int>{year};
}

Response get_calendar(const Request& req, Service& service) {
  auto year = year_param(req);
  if (!year) return http::problem(year.error(), req);
  auto calendar = service.calendar();
  if (!calendar) return http::problem(calendar.error(), req);
  Json days = Json::array();
  for (const auto& [key, kind] : calendar->exceptions()) {
    core::Date d = core::date_from_days(key);
    if (*year && static_cast<int>(d.year()) != **year) continue;
    days.push_back({{"date", core::format_date(d)},
                    {"kind", kind == core::DayKind::holiday ? "holiday" : "workday"}});
  }
  return http::ok({{"year", *year ? Json(**year) : Json(nullptr)}, {"days", std::move(days)}});
}

Response put_calendar_day(const Request& req, const PathParams& p, Service& service,
                          identity::Service& identity) {
  auto who = identity.authenticate(req.bearer_token());
  if (!who) return http::problem(who.error(), req);
  auto day = date_param(p);
  if (!day) return http::problem(day.error(), req);
  auto body = http::parse_object(req);
  if (!body) return http::problem(body.error(), req);
  http::ObjectReader r(*body);
  std::string kind_text = r.required_string("kind", 20);
  std::string note = r.optional_string("note", 2000).value_or("");
  if (auto st = r.finish(); !st) return http::problem(st.error(), req);
  if (kind_text != "holiday" && kind_text != "workday") {
    return http::problem(
        bad("/kind", "类型须为 holiday 或 workday", "kind must be holiday or workday"), req);
  }
  auto kind = kind_text == "holiday" ? core::DayKind::holiday : core::DayKind::workday;
  auto st = service.set_calendar_day(*day, kind, note, *who);
  if (!st) return http::problem(st.error(), req);
  return http::ok({{"date", core::format_date(*day)}, {"kind", kind_text}, {"note", note}});
}

Response rate_case(const Request& req, const PathParams& p, Service& service,
                   identity::Service& identity) {
  auto who = identity.authenticate(req.bearer_token());
  if (!who) return http::problem(who.error(), req);
  auto body = http::parse_object(req);
  if (!body) return http::problem(body.error(), req);
  http::ObjectReader r(*body);
  NewRating rating;
  rating.level = static_cast<int>(r.required_int("level", 1, 5));
  auto indicators = r.optional_array("indicators");
  rating.comment = r.optional_string("comment", 100000).value_or("");
  if (auto st = r.finish(); !st) return http::problem(st.error(), req);
  if (indicators) {
    for (std::size_t i = 0; i < indicators->size(); ++i) {
      const Json& v = (*indicators)[i];
      if (!v.is_string()) {
        return http::problem(bad("/indicators/" + std::to_string(i), "评价指标须为字符串",
                                 "an indicator must be a string"),
                             req);
      }
      rating.indicators.push_back(v.get<std::string>());
    }
  }
  auto rated = service.rate(p.at("id"), rating, *who);
  if (!rated) return http::problem(rated.error(), req);
  return http::created(rating_json(*rated));
}

Response list_inbox(const Request& req, Service& service, identity::Service& identity) {
  auto who = identity.authenticate(req.bearer_token());
  if (!who) return http::problem(who.error(), req);
  auto page = http::page_of(req);
  if (!page) return http::problem(page.error(), req);
  auto unread = req.query_param("unread").value_or("false");
  if (unread != "true" && unread != "false") {
    return http::problem(
        bad("/unread", "unread 须为 true 或 false", "unread must be true or false"), req);
  }
  auto messages = service.inbox(*who, unread == "true", page->limit, page->offset);
  if (!messages) return http::problem(messages.error(), req);
  Json items = Json::array();
  for (const auto& m : *messages) items.push_back(message_json(m));
  return http::ok({{"messages", std::move(items)}});
}

}  // namespace

void register_oversight_routes(http::Router& router, Service& service,
                               identity::Service& identity) {
  router.add("GET", "/api/v1/supervision/alerts", [&](const Request& req, const PathParams&) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto report = service.alerts(*who, req.query_param("dept").value_or(""));
    if (!report) return http::problem(report.error(), req);
    return http::ok(alert_report_json(*report));
  });

  router.add("GET", "/api/v1/supervision/certificate-reuse",
             [&](const Request& req, const PathParams&) {
               auto who = identity.authenticate(req.bearer_token());
               if (!who) return http::problem(who.error(), req);
               auto rows = service.certificate_reuse(*who, req.query_param("dept").value_or(""));
               if (!rows) return http::problem(rows.error(), req);
               Json items = Json::array();
               for (const auto& r : *rows) {
                 items.push_back({{"item_code", r.item_code},
                                  {"item_name", r.item_name},
                                  {"cases", r.cases},
                                  {"materials", r.materials},
                                  {"by_certificate", r.by_certificate},
                                  {"share", r.materials ? static_cast<double>(r.by_certificate) /
                                                              static_cast<double>(r.materials)
                                                        : 0.0}});
               }
               return http::ok({{"items", std::move(items)}});
             });

  router.add("POST", "/api/v1/supervision/sweep", [&](const Request& req, const PathParams&) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    // A sweep is a system act (its events name the system); the route only decides who may
    // trigger one early.
    if (!who->is_official() ||
        !(who->has_role(identity::Role::supervisor) || who->has_role(identity::Role::admin))) {
      return http::problem(Error{ErrorCode::forbidden, "", "只有监察人员或管理员可以发起巡检",
                                 "only supervisors and administrators may run a sweep"},
                           req);
    }
    auto report = service.sweep();
    if (!report) return http::problem(report.error(), req);
    return http::ok({{"scanned", report->scanned},
                     {"raised_yellow", report->raised_yellow},
                     {"raised_red", report->raised_red},
                     {"cleared", report->cleared}});
  });

  router.add("GET", "/api/v1/inbox", [&](const Request& req, const PathParams&) {
    return list_inbox(req, service, identity);
  });

  router.add("POST", "/api/v1/inbox/{id}/read", [&](const Request& req, const PathParams& p) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto st = service.mark_read(p.at("id"), *who);
    if (!st) return http::problem(st.error(), req);
    return http::ok({{"id", p.at("id")}, {"read", true}});
  });

  router.add("GET", "/api/v1/calendar",
             [&](const Request& req, const PathParams&) { return get_calendar(req, service); });

  router.add("PUT", "/api/v1/calendar/{date}", [&](const Request& req, const PathParams& p) {
    return put_calendar_day(req, p, service, identity);
  });

  router.add("DELETE", "/api/v1/calendar/{date}", [&](const Request& req, const PathParams& p) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto day = date_param(p);
    if (!day) return http::problem(day.error(), req);
    auto st = service.clear_calendar_day(*day, *who);
    if (!st) return http::problem(st.error(), req);
    return http::no_content();
  });

  router.add("POST", "/api/v1/cases/{id}/rating", [&](const Request& req, const PathParams& p) {
    return rate_case(req, p, service, identity);
  });

  router.add("GET", "/api/v1/ratings/summary", [&](const Request& req, const PathParams&) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    std::string by = req.query_param("by").value_or("item");
    auto groups = service.rating_summary(by, *who);
    if (!groups) return http::problem(groups.error(), req);
    Json items = Json::array();
    for (const auto& g : *groups) {
      items.push_back({{"key", g.key},
                       {"name", g.name},
                       {"count", g.count},
                       {"average", g.average},
                       {"bad", g.bad},
                       {"satisfaction", g.satisfaction}});
    }
    return http::ok({{"by", by}, {"groups", std::move(items)}});
  });

  router.add("GET", "/api/v1/rectifications", [&](const Request& req, const PathParams&) {
    auto who = identity.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto list = service.rectifications(req.query_param("status").value_or(""), *who);
    if (!list) return http::problem(list.error(), req);
    Json items = Json::array();
    for (const auto& r : *list) items.push_back(rectification_json(r));
    return http::ok({{"rectifications", std::move(items)}});
  });

  router.add("POST", "/api/v1/rectifications/{id}/close",
             [&](const Request& req, const PathParams& p) {
               auto who = identity.authenticate(req.bearer_token());
               if (!who) return http::problem(who.error(), req);
               auto body = http::parse_object(req);
               if (!body) return http::problem(body.error(), req);
               http::ObjectReader r(*body);
               std::string note = r.required_string("note", 10000);
               if (auto st = r.finish(); !st) return http::problem(st.error(), req);
               auto closed = service.close_rectification(p.at("id"), note, *who);
               if (!closed) return http::problem(closed.error(), req);
               return http::ok(rectification_json(*closed));
             });
}

}  // namespace yiwang::cases::detail
