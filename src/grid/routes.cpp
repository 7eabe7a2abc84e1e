// HTTP routes of the grid: parse strictly, one service call, map — through the route helper, which
// authenticates first (every grid route is for signed-in callers) and maps errors once.
#include <cmath>
#include <cstdlib>

#include "grid/grid.h"
#include "identity/routes.h"

namespace yiwang::grid {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using identity::Principal;

constexpr std::size_t kLongText = 200000;

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

// ---- JSON --------------------------------------------------------------------------------------

Json location_json(const Location& l) {
  return {{"cell_code", l.cell_code},           {"cell_name", l.cell_name},
          {"community_code", l.community_code}, {"community_name", l.community_name},
          {"street_code", l.street_code},       {"street_name", l.street_name},
          {"division_code", l.division_code}};
}

Json cell_feature(const Cell& c) {
  return {{"type", "Feature"},
          {"geometry", Json::parse(c.geometry_json)},
          {"properties",
           {{"code", c.code},
            {"name", c.name},
            {"street_code", c.street_code},
            {"street_name", c.street_name},
            {"community_code", c.community_code},
            {"community_name", c.community_name},
            {"supervisors", c.supervisors}}}};
}

Json component_json(const Component& c) {
  return {{"code", c.code},
          {"class_code", c.class_code},
          {"type", c.type},
          {"dept_id", c.dept_id},
          {"lon", c.location.lon},
          {"lat", c.location.lat},
          {"state", c.state},
          {"cell_code", c.cell_code},
          {"updated_at", core::format_instant(c.updated_at_ms)}};
}

Json limits_json(const Limits& l) {
  return {{"register", l.register_},
          {"dispatch", l.dispatch},
          {"dispose", l.dispose},
          {"check", l.check},
          {"close", l.close}};
}

Json class_json(const Class& c) {
  return {{"kind", to_string(c.kind)},
          {"code", c.code},
          {"major_code", c.code.substr(0, 2)},
          {"major_name", c.major_name},
          {"minor_code", c.code.substr(2)},
          {"minor_name", c.minor_name},
          {"dept_id", c.dept_id},
          {"limits", limits_json(c.limits)}};
}

Json clock_json(const StepClock& c) {
  return {{"step", to_string(c.step)},        {"started_at", core::format_instant(c.started_at_ms)},
          {"limit_min", c.limit_min},         {"used_min", c.used_min},
          {"remaining_min", c.remaining_min}, {"deadline", core::format_instant(c.deadline_ms)},
          {"alert", core::to_string(c.alert)}};
}

// The event document: a flat list of its fields.
Json event_json(const GridEvent& e) {
  return {{"id", e.id},
          {"source", to_string(e.source)},
          {"reporter_user_id", e.reporter_user_id},
          {"external_ref", e.external_ref},
          {"kind", to_string(e.kind)},
          {"class_code", e.class_code},
          {"class_name", e.class_name},
          {"description", e.description},
          {"photos", e.photos},
          {"location", {{"lon", e.location.lon}, {"lat", e.location.lat}}},
          {"where", location_json(e.where)},
          {"component_code", e.component_code},
          {"state", to_string(e.state)},
          {"dept_id", e.dept_id},
          {"suggested_dept", e.suggested_dept},
          {"suggestion_basis", e.suggestion_basis},
          {"feedback", e.feedback},
          {"reason", e.reason},
          {"rework_count", e.rework_count},
          {"send_back_count", e.send_back_count},
          {"evaluation", http::or_null(e.evaluation)},
          {"reported_at", core::format_instant(e.reported_at_ms)},
          {"registered_at", http::instant_or_null(e.registered_at_ms)},
          {"dispatched_at", http::instant_or_null(e.dispatched_at_ms)},
          {"fed_back_at", http::instant_or_null(e.fed_back_at_ms)},
          {"closed_at", http::instant_or_null(e.closed_at_ms)},
          {"closed_on_time", http::or_null(e.closed_on_time)},
          {"clock", e.clock ? clock_json(*e.clock) : Json(nullptr)},
          {"updated_at", core::format_instant(e.updated_at_ms)},
          {"revision", e.revision}};
}

// `names`: the officials' names the reader may see (identity::Service::official_names).
Json step_json(const StepRecord& s, const std::map<std::string, std::string>& names) {
  return {{"step", to_string(s.step)},
          {"dept_id", s.dept_id},
          {"started_at", core::format_instant(s.started_at_ms)},
          {"ended_at", http::instant_or_null(s.ended_at_ms)},
          {"limit_min", s.limit_min},
          {"used_min", s.used_min},
          {"outcome", s.outcome},
          {"actor_user_id", s.actor_user_id},
          {"actor_name", http::string_or_null(names, s.actor_user_id)}};
}

// The indicator row: a flat list of its figures.
Json indicators_json(const Indicators& g) {
  return {{"key", g.key},
          {"name", g.name},
          {"rank", g.rank},
          {"reported", g.reported},
          {"registered", g.registered},
          {"steps", g.steps},
          {"register_steps", g.register_steps},
          {"registered_on_time", g.registered_on_time},
          {"dispatches", g.dispatches},
          {"sent_back", g.sent_back},
          {"disposed", g.disposed},
          {"disposed_on_time", g.disposed_on_time},
          {"closed", g.closed},
          {"closed_on_time", g.closed_on_time},
          {"rework", g.rework},
          {"overdue", g.overdue},
          {"on_time_register_rate", http::or_null(g.on_time_register_rate)},
          {"accurate_dispatch_rate", http::or_null(g.accurate_dispatch_rate)},
          {"on_time_dispose_rate", http::or_null(g.on_time_dispose_rate)},
          {"close_rate", http::or_null(g.close_rate)},
          {"on_time_close_rate", http::or_null(g.on_time_close_rate)},
          {"avg_dispose_minutes", http::or_null(g.avg_dispose_minutes)},
          {"meets_goal", g.meets_goal}};
}

// ---- Parsing -----------------------------------------------------------------------------------

// A query parameter that must be a finite number.
Result<double> number_param(const Request& req, const char* name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) {
    return bad(name, std::string("缺少参数 ") + name, std::string("missing parameter ") + name);
  }
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (end != v->c_str() + v->size() || !std::isfinite(d)) {
    return bad(name, std::string("参数须为数字：") + name,
               std::string("parameter must be a number: ") + name);
  }
  return d;
}

// ?lon=&lat=
Result<Point> point_param(const Request& req) {
  auto lon = number_param(req, "lon");
  if (!lon) return fail(lon.error());
  auto lat = number_param(req, "lat");
  if (!lat) return fail(lat.error());
  return Point{*lon, *lat};
}

Result<double> body_number(http::ObjectReader& r, std::string_view key) {
  auto v = r.optional_any(key);
  if (r.failed()) return fail(*r.error());
  if (!v) return bad(r.path_of(key), "缺少字段", "field is required");
  if (!v->is_number()) return bad(r.path_of(key), "须为数字", "must be a number");
  return v->get<double>();
}

// The body's "location": {lon, lat}, required.
Result<Point> location_of(const std::optional<Json>& v) {
  const std::string path = "/location";
  if (!v) return bad(path, "缺少位置", "location is required");
  if (!v->is_object()) return bad(path, "须为 {lon, lat} 对象", "must be a {lon, lat} object");
  http::ObjectReader r(*v, path);
  auto lon = body_number(r, "lon");
  if (!lon) return fail(lon.error());
  auto lat = body_number(r, "lat");
  if (!lat) return fail(lat.error());
  if (auto st = r.finish(); !st) return fail(st.error());
  return Point{*lon, *lat};
}

// The body's "photos": at most 9 strings.
Result<std::vector<std::string>> photos_of(const std::optional<Json>& a) {
  const std::string path = "/photos";
  std::vector<std::string> out;
  if (!a) return out;
  if (a->size() > 9) return bad(path, "照片最多 9 张", "at most 9 photos");
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_string()) {
      return bad(path + "/" + std::to_string(i), "须为字符串", "must be a string");
    }
    out.push_back((*a)[i].get<std::string>());
  }
  return out;
}

Result<NewReport> parse_report(const Request& req) {
  http::ObjectReader r(req);
  NewReport n;
  auto source = r.optional_string("source", 40);
  auto kind = r.optional_string("kind", 20);
  n.class_code = r.required_string("class_code", 40);
  n.description = r.required_string("description", kLongText);
  auto photos = r.optional_array("photos");
  n.external_ref = r.optional_string("external_ref", kLongText).value_or("");
  auto location = r.optional_object("location");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (source) {
    auto s = parse_source(*source);
    if (!s) {
      return bad("/source", "来源应为 supervisor、public、sensor、hotline_12345 或 higher_level",
                 "source must be supervisor, public, sensor, hotline_12345 or higher_level");
    }
    n.source = *s;
  }
  if (kind) {
    auto k = parse_class_kind(*kind);
    if (!k) return bad("/kind", "类别应为 event 或 component", "kind must be event or component");
    n.kind = *k;
  }
  auto p = location_of(location);
  if (!p) return fail(p.error());
  n.location = *p;
  auto ph = photos_of(photos);
  if (!ph) return fail(ph.error());
  n.photos = std::move(*ph);
  return n;
}

Result<ActionRequest> parse_action_request(const Request& req) {
  http::ObjectReader r(req);
  auto action = r.required_string("action", 40);
  ActionRequest a;
  a.reason = r.optional_string("reason", kLongText).value_or("");
  a.dept_id = r.optional_string("dept_id", 64).value_or("");
  a.feedback = r.optional_string("feedback", kLongText).value_or("");
  auto photos = r.optional_array("photos");
  a.passed = r.optional_bool("passed");
  if (auto level = r.optional_int("level", INT32_MIN, INT32_MAX)) {
    a.level = static_cast<int>(*level);
  }
  a.class_code = r.optional_string("class_code", 40).value_or("");
  a.expected_revision = r.optional_int("expected_revision", 0, INT64_MAX);
  if (auto st = r.finish(); !st) return fail(st.error());
  auto parsed = parse_action(action);
  if (!parsed) return bad("/action", "未知的操作：" + action, "unknown action: " + action);
  a.action = *parsed;
  auto ph = photos_of(photos);
  if (!ph) return fail(ph.error());
  a.photos = std::move(*ph);
  return a;
}

Result<Component> parse_component(const Request& req) {
  http::ObjectReader r(req);
  Component c;
  c.code = r.required_string("code", 40);
  c.type = r.required_string("type", kLongText);
  c.dept_id = r.required_string("dept_id", 64);
  c.state = r.optional_string("state", 40).value_or("normal");
  auto location = r.optional_object("location");
  if (auto st = r.finish(); !st) return fail(st.error());
  auto p = location_of(location);
  if (!p) return fail(p.error());
  c.location = *p;
  return c;
}

Result<Class> parse_class(const Request& req, const PathParams& pp) {
  http::ObjectReader r(req);
  Class c;
  c.major_name = r.required_string("major_name", kLongText);
  c.minor_name = r.required_string("minor_name", kLongText);
  c.dept_id = r.required_string("dept_id", 64);
  auto limits = r.optional_object("limits");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (!limits) return bad("/limits", "缺少时限", "limits are required");
  http::ObjectReader lr(*limits, "/limits");
  c.limits.register_ = static_cast<int>(lr.required_int("register", INT32_MIN, INT32_MAX));
  c.limits.dispatch = static_cast<int>(lr.required_int("dispatch", INT32_MIN, INT32_MAX));
  c.limits.dispose = static_cast<int>(lr.required_int("dispose", INT32_MIN, INT32_MAX));
  c.limits.check = static_cast<int>(lr.required_int("check", INT32_MIN, INT32_MAX));
  c.limits.close = static_cast<int>(lr.required_int("close", INT32_MIN, INT32_MAX));
  if (auto st = lr.finish(); !st) return fail(st.error());
  auto kind = parse_class_kind(pp.at("kind"));
  if (!kind) return fail(ErrorCode::not_found, "", "没有这种分类类别", "no such class kind");
  c.kind = *kind;
  c.code = pp.at("code");
  return c;
}

Result<core::Millis> date_param(const Request& req, const char* name, bool end) {
  auto v = req.query_param(name);
  if (!v || v->empty()) {
    return bad(name, std::string("缺少日期 ") + name, std::string("missing ") + name);
  }
  core::Date d;
  if (!core::parse_date(*v, d)) {
    return bad(name, "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD");
  }
  // `to` is inclusive: the period ends at the next midnight.
  return core::china_midnight(d) + (end ? core::kDayMs : 0);
}

// A filter's date, or 0 (unbounded) when the parameter is absent or empty.
Result<core::Millis> optional_date_param(const Request& req, const char* name, bool end) {
  if (req.query_param(name).value_or("").empty()) return core::Millis{0};
  return date_param(req, name, end);
}

Result<std::optional<core::Alert>> alert_param(const Request& req) {
  auto s = req.query_param("alert");
  if (!s || s->empty()) return std::optional<core::Alert>();
  for (auto a : {core::Alert::none, core::Alert::yellow, core::Alert::red}) {
    if (*s == core::to_string(a)) return std::optional<core::Alert>(a);
  }
  return bad("alert", "预警应为 none、yellow 或 red", "alert must be none, yellow or red");
}

// GET events: ?limit&offset&state&alert&cell&street&dept&class&source&from&to, in this order.
Result<EventQuery> parse_event_query(const Request& req) {
  auto page = http::page_of(req);
  if (!page) return fail(page.error());
  EventQuery q;
  q.limit = page->limit;
  q.offset = page->offset;
  if (auto s = req.query_param("state"); s && !s->empty()) {
    q.state = parse_state(*s);
    if (!q.state) return bad("state", "未知的状态：" + *s, "unknown state: " + *s);
  }
  auto alert = alert_param(req);
  if (!alert) return fail(alert.error());
  q.alert = *alert;
  q.cell_code = req.query_param("cell").value_or("");
  q.street_code = req.query_param("street").value_or("");
  q.dept_id = req.query_param("dept").value_or("");
  q.class_code = req.query_param("class").value_or("");
  if (auto s = req.query_param("source"); s && !s->empty()) {
    q.source = parse_source(*s);
    if (!q.source) return bad("source", "未知的来源：" + *s, "unknown source: " + *s);
  }
  auto from = optional_date_param(req, "from", false);
  if (!from) return fail(from.error());
  auto to = optional_date_param(req, "to", true);
  if (!to) return fail(to.error());
  q.from_ms = *from;
  q.to_ms = *to;
  return q;
}

// GET indicators: ?by (default dept), from and to (required).
Result<IndicatorQuery> parse_indicator_query(const Request& req) {
  IndicatorQuery q;
  auto g = parse_group_by(req.query_param("by").value_or("dept"));
  if (!g) return bad("by", "by 应为 dept、street 或 cell", "by must be dept, street or cell");
  q.by = *g;
  auto from = date_param(req, "from", false);
  if (!from) return fail(from.error());
  auto to = date_param(req, "to", true);
  if (!to) return fail(to.error());
  q.from_ms = *from;
  q.to_ms = *to;
  return q;
}

// ---- Routes ------------------------------------------------------------------------------------

void cell_routes(identity::Routes& api, Service& service) {
  api.add("POST", "/api/v1/grid/cells/import",
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Json> {
            if (auto body = http::parse_object(req); !body) return fail(body.error());
            auto replace = req.query_param("replace").value_or("false");
            if (replace != "true" && replace != "false") {
              return bad("replace", "replace 须为 true 或 false", "replace must be true or false");
            }
            return service.import_cells(req.body, replace == "true", who).map([](std::int64_t n) {
              return Json{{"imported", n}};
            });
          });

  api.add("GET", "/api/v1/grid/cells",
          [&](const Request& req, const PathParams&, const Principal&) {
            return service.list_cells(req.query_param("street").value_or(""))
                .map([](const std::vector<Cell>& cells) {
                  return Json{{"type", "FeatureCollection"},
                              {"features", http::array_of(cells, cell_feature)}};
                });
          });

  api.add("GET", "/api/v1/grid/cells/{code}",
          [&](const Request&, const PathParams& p, const Principal&) {
            return service.get_cell(p.at("code")).map(cell_feature);
          });

  api.add("GET", "/api/v1/grid/lookup",
          [&](const Request& req, const PathParams&, const Principal&) {
            return point_param(req)
                .and_then([&](Point p) { return service.locate(p); })
                .map(location_json);
          });
}

void component_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/grid/components",
          [&](const Request& req, const PathParams&, const Principal&) {
            return http::page_of(req, 100, 1000)
                .and_then([&](const http::Page& page) {
                  return service.list_components(req.query_param("cell").value_or(""), page.limit,
                                                 page.offset);
                })
                .map([](const std::vector<Component>& list) {
                  return Json{{"items", http::array_of(list, component_json)}};
                });
          });

  api.add_if("POST", "/api/v1/grid/components",
          [&](const Principal& who) { return service.may_edit_components(who); },
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_component(req)
                .and_then([&](const Component& c) { return service.save_component(c, who); })
                .map(component_json);
          });

  api.add("GET", "/api/v1/grid/components/nearest",
          [&](const Request& req, const PathParams&, const Principal&) -> Result<Json> {
            auto p = point_param(req);
            if (!p) return fail(p.error());
            double max_m = 100;
            if (req.query_param("max_m")) {
              auto m = number_param(req, "max_m");
              if (!m) return fail(m.error());
              max_m = *m;
            }
            return service.nearest_component(*p, max_m, req.query_param("class").value_or(""))
                .map([](const std::optional<NearestComponent>& n) {
                  if (!n) return Json{{"component", nullptr}};
                  return Json{{"component", component_json(n->component)},
                              {"distance_m", std::round(n->distance_m * 10) / 10}};
                });
          });

  api.add("GET", "/api/v1/grid/components/{code}",
          [&](const Request&, const PathParams& p, const Principal&) {
            return service.get_component(p.at("code")).map(component_json);
          });
}

void class_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/grid/classes", [&](const Request&, const PathParams&, const Principal&) {
    return service.list_classes().map([](const std::vector<Class>& list) {
      return Json{{"items", http::array_of(list, class_json)}};
    });
  });

  api.add_if("PUT", "/api/v1/grid/classes/{kind}/{code}", identity::system_admin_only,
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_class(req, p)
                .and_then([&](const Class& c) { return service.save_class(c, who); })
                .map(class_json);
          });
}

void event_routes(identity::Routes& api, Service& service, identity::Service& identity) {
  api.add("POST", "/api/v1/grid/events",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_report(req)
                .and_then([&](const NewReport& n) { return service.report(n, &who); })
                .map([](const GridEvent& e) {
                  return http::created(event_json(e), "/api/v1/grid/events/" + e.id);
                });
          });

  api.add("GET", "/api/v1/grid/events",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_event_query(req)
                .and_then([&](const EventQuery& q) { return service.list(q, who); })
                .map([](const EventList& list) {
                  return Json{{"items", http::array_of(list.events, event_json)},
                              {"total", list.total}};
                });
          });

  api.add("GET", "/api/v1/grid/events/{id}",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.get(p.at("id"), who).map([&](const GridEventDetail& d) {
              std::vector<std::string> actors;
              for (const auto& s : d.steps) actors.push_back(s.actor_user_id);
              auto names = identity.official_names(actors, who);
              Json body = event_json(d.event);
              body["steps"] =
                  http::array_of(d.steps, [&](const StepRecord& s) { return step_json(s, names); });
              return body;
            });
          });

  api.add_if("POST", "/api/v1/grid/events/{id}/actions",
          [&](const Principal& who, const PathParams& p) {
            return service.may_act(p.at("id"), who);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_action_request(req)
                .and_then([&](const ActionRequest& a) { return service.act(p.at("id"), a, who); })
                .map(event_json);
          });
}

void indicator_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/grid/indicators",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_indicator_query(req)
                .and_then([&](const IndicatorQuery& q) { return service.indicators(q, who); })
                .map([&](const IndicatorReport& r) {
                  return Json{{"goal", r.goal},
                              {"by", req.query_param("by").value_or("dept")},
                              {"rows", http::array_of(r.rows, indicators_json)},
                              {"total", indicators_json(r.total)},
                              {"computed_at", core::format_instant(r.computed_at_ms)}};
                });
          });
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  cell_routes(api, service);
  component_routes(api, service);
  class_routes(api, service);
  event_routes(api, service, identity);
  indicator_routes(api, service);
}

}  // namespace yiwang::grid
