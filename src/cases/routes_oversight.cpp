// HTTP routes of supervision (电子监察), the inbox, the working-day calendar, ratings (好差评) and
// rectifications: parse, call one service function, map the result.
#include <charconv>

#include "cases/internal.h"
#include "identity/routes.h"

namespace yiwang::cases::detail {
namespace {

using http::Json;
using http::PathParams;
using http::Request;

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
                      {"clock", a.clock},
                      {"level", core::to_string(a.level)},
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
                           {"completed_on_time_30d", d.completed_on_time_30d},
                           {"on_time_rate", http::or_null(d.on_time_rate)}});
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
          {"title_en", m.title_en},
          {"body_en", m.body_en},
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

Result<Json> get_calendar(const Request& req, Service& service) {
  auto year = year_param(req);
  if (!year) return fail(year.error());
  auto calendar = service.calendar();
  if (!calendar) return fail(calendar.error());
  Json days = Json::array();
  for (const auto& [key, kind] : calendar->exceptions()) {
    core::Date d = core::date_from_days(key);
    if (*year && static_cast<int>(d.year()) != **year) continue;
    days.push_back({{"date", core::format_date(d)},
                    {"kind", kind == core::DayKind::holiday ? "holiday" : "workday"}});
  }
  return Json{{"year", http::or_null(*year)}, {"days", std::move(days)}};
}

struct CalendarDay {
  core::DayKind kind;
  std::string kind_text;
  std::string note;
};

Result<CalendarDay> parse_calendar_day(const Request& req) {
  http::ObjectReader r(req);
  CalendarDay d;
  d.kind_text = r.required_string("kind", 20);
  d.note = r.optional_string("note", 2000).value_or("");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (d.kind_text != "holiday" && d.kind_text != "workday") {
    return fail(bad("/kind", "类型须为 holiday 或 workday", "kind must be holiday or workday"));
  }
  d.kind = d.kind_text == "holiday" ? core::DayKind::holiday : core::DayKind::workday;
  return d;
}

Result<Json> put_calendar_day(const Request& req, const PathParams& p, Service& service,
                              const identity::Principal& who) {
  auto day = date_param(p);
  if (!day) return fail(day.error());
  auto d = parse_calendar_day(req);
  if (!d) return fail(d.error());
  if (auto st = service.set_calendar_day(*day, d->kind, d->note, who); !st) return fail(st.error());
  return Json{{"date", core::format_date(*day)}, {"kind", d->kind_text}, {"note", d->note}};
}

Result<NewRating> parse_rating(const Request& req) {
  http::ObjectReader r(req);
  NewRating rating;
  rating.level = static_cast<int>(r.required_int("level", 1, 5));
  auto indicators = r.optional_array("indicators");
  rating.comment = r.optional_string("comment", 100000).value_or("");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (indicators) {
    for (std::size_t i = 0; i < indicators->size(); ++i) {
      const Json& v = (*indicators)[i];
      if (!v.is_string()) {
        return fail(bad("/indicators/" + std::to_string(i), "评价指标须为字符串",
                        "an indicator must be a string"));
      }
      rating.indicators.push_back(v.get<std::string>());
    }
  }
  return rating;
}

Result<Json> list_inbox(const Request& req, Service& service, const identity::Principal& who) {
  auto page = http::page_of(req);
  if (!page) return fail(page.error());
  auto unread = req.query_param("unread").value_or("false");
  if (unread != "true" && unread != "false") {
    return fail(bad("/unread", "unread 须为 true 或 false", "unread must be true or false"));
  }
  return service.inbox(who, unread == "true", page->limit, page->offset)
      .map([](const std::vector<InboxMessage>& messages) {
        return Json{{"messages", http::array_of(messages, message_json)}};
      });
}

Json reuse_json(const CertificateReuse& r) {
  return {{"item_code", r.item_code},
          {"item_name", r.item_name},
          {"cases", r.cases},
          {"materials", r.materials},
          {"by_certificate", r.by_certificate},
          {"share", r.materials
                        ? static_cast<double>(r.by_certificate) / static_cast<double>(r.materials)
                        : 0.0}};
}

Json rating_group_json(const RatingGroup& g) {
  return {{"key", g.key},         {"name", g.name}, {"count", g.count},
          {"average", g.average}, {"bad", g.bad},   {"satisfaction", g.satisfaction}};
}

Result<std::string> parse_close_note(const Request& req) {
  http::ObjectReader r(req);
  std::string note = r.required_string("note", 10000);
  if (auto st = r.finish(); !st) return fail(st.error());
  return note;
}

using identity::Principal;

// 电子监察: alerts, certificate reuse, an early sweep.
void add_supervision_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/supervision/alerts",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return service.alerts(who, req.query_param("dept").value_or("")).map(alert_report_json);
          });

  api.add("GET", "/api/v1/supervision/certificate-reuse",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return service.certificate_reuse(who, req.query_param("dept").value_or(""))
                .map([](const std::vector<CertificateReuse>& rows) {
                  return Json{{"items", http::array_of(rows, reuse_json)}};
                });
          });

  api.add("POST", "/api/v1/supervision/sweep",
          [&](const Request&, const PathParams&, const Principal& who) {
            return service.sweep(who).map([](const SweepReport& r) {
              return Json{{"scanned", r.scanned},
                          {"raised_yellow", r.raised_yellow},
                          {"raised_red", r.raised_red},
                          {"cleared", r.cleared}};
            });
          });
}

// The inbox, the working-day calendar, ratings (好差评) and rectifications.
void add_service_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/inbox", [&](const Request& req, const PathParams&, const Principal& who) {
    return list_inbox(req, service, who);
  });

  api.add("POST", "/api/v1/inbox/{id}/read",
          [&](const Request&, const PathParams& p, const Principal& who) -> Result<Json> {
            if (auto st = service.mark_read(p.at("id"), who); !st) return fail(st.error());
            return Json{{"id", p.at("id")}, {"read", true}};
          });

  api.open("GET", "/api/v1/calendar",
           [&](const Request& req, const PathParams&) { return get_calendar(req, service); });

  api.add_if("PUT", "/api/v1/calendar/{date}", identity::system_admin_only,
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return put_calendar_day(req, p, service, who);
          });

  api.add("DELETE", "/api/v1/calendar/{date}",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return date_param(p).and_then(
                [&](core::Date day) { return service.clear_calendar_day(day, who); });
          });

  api.add_if("POST", "/api/v1/cases/{id}/rating",
          [&](const Principal& who, const PathParams& p) -> Status {
            if (auto st = identity::public_members_only(who); !st) return st;
            return service.may_rate(p.at("id"), who);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_rating(req)
                .and_then([&](const NewRating& r) { return service.rate(p.at("id"), r, who); })
                .map([](const Rating& r) { return http::created(rating_json(r)); });
          });

  api.add("GET", "/api/v1/ratings/summary",
          [&](const Request& req, const PathParams&, const Principal& who) {
            std::string by = req.query_param("by").value_or("item");
            return service.rating_summary(by, who).map([&](const std::vector<RatingGroup>& g) {
              return Json{{"by", by}, {"groups", http::array_of(g, rating_group_json)}};
            });
          });

  api.add("GET", "/api/v1/rectifications",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return service.rectifications(req.query_param("status").value_or(""), who)
                .map([](const std::vector<Rectification>& list) {
                  return Json{{"rectifications", http::array_of(list, rectification_json)}};
                });
          });

  api.add_if("POST", "/api/v1/rectifications/{id}/close",
          [&](const Principal& who, const PathParams& p) {
            return service.may_close_rectification(p.at("id"), who);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_close_note(req)
                .and_then([&](const std::string& note) {
                  return service.close_rectification(p.at("id"), note, who);
                })
                .map(rectification_json);
          });
}

}  // namespace

void register_oversight_routes(http::Router& router, Service& service,
                               identity::Service& identity) {
  identity::Routes api(router, identity);
  add_supervision_routes(api, service);
  add_service_routes(api, service);
}

}  // namespace yiwang::cases::detail
