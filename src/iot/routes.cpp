// HTTP routes of IoT sensing: parse strictly, one service call, map — through the route helper
// (every route is for signed-in callers; who may read or edit is the service's check).
#include <cmath>

#include "identity/routes.h"
#include "iot/iot.h"

namespace yiwang::iot {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using identity::Principal;

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

Json sensor_json(const Sensor& s) {
  return {{"id", s.id},
          {"kind", to_string(s.kind)},
          {"kind_name", kind_name_zh(s.kind)},
          {"name", s.name},
          {"location", {{"lon", s.location.lon}, {"lat", s.location.lat}}},
          {"cell_code", s.cell_code},
          {"dept_id", s.dept_id},
          {"component_code", s.component_code.empty() ? Json(nullptr) : Json(s.component_code)},
          {"state", to_string(s.state)},
          {"last_seen_at", http::instant_or_null(s.last_seen_at_ms)},
          {"in_alarm", s.in_alarm},
          {"flapping", s.flapping},
          {"created_at", core::format_instant(s.created_at_ms)},
          {"updated_at", core::format_instant(s.updated_at_ms)}};
}

Json rule_json(const Rule& r) {
  return {{"kind", to_string(r.kind)},
          {"op", to_string(r.op)},
          {"threshold", r.op == Op::equals ? Json(nullptr) : Json(r.threshold)},
          {"match", r.op == Op::equals ? Json(r.match) : Json(nullptr)},
          {"unit", r.unit},
          {"class_kind", grid::to_string(r.class_kind)},
          {"class_code", r.class_code},
          {"dedup_window_min", r.dedup_window_min},
          {"flap_changes", r.flap_changes},
          {"flap_window_min", r.flap_window_min},
          {"enabled", r.enabled},
          {"updated_at", r.updated_at_ms ? Json(core::format_instant(r.updated_at_ms)) : Json()}};
}

Json alarm_json(const Alarm& a) {
  Json value = a.value ? Json(*a.value) : Json(a.value_text);
  return {{"id", a.id},
          {"sensor_id", a.sensor_id},
          {"kind", to_string(a.kind)},
          {"msg_id", a.msg_id},
          {"value", value},
          {"unit", a.unit},
          {"level", http::or_null(a.level)},
          {"at", core::format_instant(a.at_ms)},
          {"received_at", core::format_instant(a.received_at_ms)},
          {"outcome", to_string(a.outcome)},
          {"event_id", a.event_id.empty() ? Json(nullptr) : Json(a.event_id)},
          {"attached_to", a.attached_to.empty() ? Json(nullptr) : Json(a.attached_to)},
          {"duplicates", a.duplicates},
          {"error", a.error}};
}

Result<double> number_of(http::ObjectReader& r, std::string_view key, bool required) {
  auto v = r.optional_any(key);
  if (r.failed()) return fail(*r.error());
  if (!v) {
    if (required) return bad(r.path_of(key), "缺少字段", "field is required");
    return NAN;
  }
  if (!v->is_number() || !std::isfinite(v->get<double>())) {
    return bad(r.path_of(key), "须为数字", "must be a number");
  }
  return v->get<double>();
}

// Body of POST sensors (with id) and PUT sensors/{id} (id from the path).
Result<Sensor> parse_sensor(const Request& req, const std::string* path_id) {
  http::ObjectReader r(req);
  Sensor s;
  s.id = path_id ? *path_id : r.required_string("id", 64);
  auto kind = r.required_string("kind", 40);
  s.name = r.required_string("name", 400);
  s.dept_id = r.required_string("dept_id", 64);
  s.component_code = r.optional_string("component_code", 32).value_or("");
  auto location = r.optional_object("location");
  if (r.failed()) return fail(*r.error());
  if (!location) return bad("/location", "缺少位置", "location is required");
  {
    http::ObjectReader lr(*location, "/location");
    auto lon = number_of(lr, "lon", true);
    if (!lon) return fail(lon.error());
    auto lat = number_of(lr, "lat", true);
    if (!lat) return fail(lat.error());
    if (auto st = lr.finish(); !st) return fail(st.error());
    s.location = {*lon, *lat};
  }
  if (auto st = r.finish(); !st) return fail(st.error());
  auto k = parse_kind(kind);
  if (!k) {
    return bad("/kind", "未知的传感器类型：" + kind,
               "kind must be manhole_tilt, water_level, smoke or parking_camera");
  }
  s.kind = *k;
  return s;
}

Result<Rule> parse_rule(const Request& req, const std::string& kind) {
  Rule rule;
  auto k = parse_kind(kind);
  if (!k) return fail(ErrorCode::not_found, "", "没有该类型的规则", "no rule for this kind");
  rule.kind = *k;
  http::ObjectReader r(req);
  auto op = r.required_string("op", 10);
  auto threshold = number_of(r, "threshold", false);
  if (!threshold) return fail(threshold.error());
  rule.match = r.optional_string("match", 64).value_or("");
  rule.unit = r.optional_string("unit", 16).value_or("");
  auto class_kind = r.required_string("class_kind", 20);
  rule.class_code = r.required_string("class_code", 8);
  rule.dedup_window_min = static_cast<int>(r.required_int("dedup_window_min", 0, 10080));
  rule.flap_changes = static_cast<int>(r.required_int("flap_changes", 1, 1000));
  rule.flap_window_min = static_cast<int>(r.required_int("flap_window_min", 1, 1440));
  rule.enabled = r.optional_bool("enabled").value_or(true);
  if (auto st = r.finish(); !st) return fail(st.error());
  auto o = parse_op(op);
  if (!o)
    return bad("/op", "比较方式须为 gt、ge、lt、le 或 equals",
               "op must be gt, ge, lt, le or equals");
  rule.op = *o;
  if (rule.op != Op::equals) {
    if (std::isnan(*threshold)) return bad("/threshold", "缺少阈值", "threshold is required");
    rule.threshold = *threshold;
  } else if (!std::isnan(*threshold)) {
    return bad("/threshold", "equals 规则不用阈值", "threshold does not apply to op equals");
  }
  auto ck = grid::parse_class_kind(class_kind);
  if (!ck)
    return bad("/class_kind", "分类种类须为 event 或 component",
               "class_kind must be event or component");
  rule.class_kind = *ck;
  return rule;
}

Json status_json(const StatusSummary& s) {
  const Counters& c = s.counters;
  return {{"sensors", s.sensors},
          {"online", s.online},
          {"offline", s.offline},
          {"never_seen", s.never_seen},
          {"in_alarm", s.in_alarm},
          {"flapping", s.flapping},
          {"pending_alarms", s.pending_alarms},
          {"subscriber_running", s.subscriber_running},
          {"broker_connected", s.broker_connected},
          {"counters",
           {{"received", c.received},
            {"malformed", c.malformed},
            {"unknown_sensor", c.unknown_sensor},
            {"replayed", c.replayed},
            {"heartbeats", c.heartbeats},
            {"below_threshold", c.below_threshold},
            {"created", c.created},
            {"deduplicated", c.deduplicated},
            {"suppressed", c.suppressed},
            {"failed", c.failed}}}};
}

// GET sensors: ?limit&offset (50, at most 1000), kind, state.
Result<SensorQuery> parse_sensor_query(const Request& req) {
  auto page = http::page_of(req, 50, 1000);
  if (!page) return fail(page.error());
  SensorQuery q;
  q.limit = page->limit;
  q.offset = page->offset;
  if (auto k = req.query_param("kind"); k && !k->empty()) {
    q.kind = parse_kind(*k);
    if (!q.kind) return bad("kind", "未知的传感器类型", "unknown sensor kind");
  }
  if (auto s = req.query_param("state"); s && !s->empty()) {
    q.state = parse_link_state(*s);
    if (!q.state)
      return bad("state", "状态须为 online 或 offline", "state must be online or offline");
  }
  return q;
}

// GET alarms: ?limit&offset (50, at most 1000), sensor, outcome.
Result<AlarmQuery> parse_alarm_query(const Request& req) {
  auto page = http::page_of(req, 50, 1000);
  if (!page) return fail(page.error());
  AlarmQuery q;
  q.limit = page->limit;
  q.offset = page->offset;
  q.sensor_id = req.query_param("sensor").value_or("");
  if (auto o = req.query_param("outcome"); o && !o->empty()) {
    q.outcome = parse_outcome(*o);
    if (!q.outcome) return bad("outcome", "未知的结果", "unknown outcome");
  }
  return q;
}

void sensor_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/iot/sensors",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_sensor_query(req)
                .and_then([&](const SensorQuery& q) { return service.list_sensors(q, who); })
                .map([](const SensorList& list) {
                  return Json{{"items", http::array_of(list.sensors, sensor_json)},
                              {"total", list.total}};
                });
          });

  api.add_if("POST", "/api/v1/iot/sensors",
          [&](const Principal& who) { return service.may_edit_sensors(who); },
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_sensor(req, nullptr)
                .and_then([&](const Sensor& s) { return service.create_sensor(s, who); })
                .map([](const Sensor& s) {
                  return http::created(sensor_json(s), "/api/v1/iot/sensors/" + s.id);
                });
          });

  api.add("GET", "/api/v1/iot/sensors/{id}",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.get_sensor(p.at("id"), who).map(sensor_json);
          });

  api.add_if("PUT", "/api/v1/iot/sensors/{id}",
          [&](const Principal& who) { return service.may_edit_sensors(who); },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_sensor(req, &p.at("id"))
                .and_then([&](const Sensor& s) { return service.update_sensor(s, who); })
                .map(sensor_json);
          });
}

void rule_and_alarm_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/iot/rules", [&](const Request&, const PathParams&, const Principal& who) {
    return service.list_rules(who).map([](const std::vector<Rule>& list) {
      return Json{{"items", http::array_of(list, rule_json)}};
    });
  });

  api.add_if("PUT", "/api/v1/iot/rules/{kind}", identity::system_admin_only,
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_rule(req, p.at("kind"))
                .and_then([&](const Rule& r) { return service.save_rule(r, who); })
                .map(rule_json);
          });

  api.add("GET", "/api/v1/iot/alarms",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_alarm_query(req)
                .and_then([&](const AlarmQuery& q) { return service.list_alarms(q, who); })
                .map([](const AlarmList& list) {
                  return Json{{"items", http::array_of(list.alarms, alarm_json)},
                              {"total", list.total}};
                });
          });

  api.add("GET", "/api/v1/iot/status",
          [&](const Request&, const PathParams&, const Principal& who) {
            return service.status(who).map(status_json);
          });
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  sensor_routes(api, service);
  rule_and_alarm_routes(api, service);
}

}  // namespace yiwang::iot
