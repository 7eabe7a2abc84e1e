// HTTP routes of IoT sensing: parse strictly, authenticate, one service call, map.
#include <cmath>

#include "http/json_api.h"
#include "iot/iot.h"

namespace yiwang::iot {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

Json instant(const std::optional<core::Millis>& t) {
  return t ? Json(core::format_instant(*t)) : Json(nullptr);
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
          {"last_seen_at", instant(s.last_seen_at_ms)},
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
          {"level", a.level ? Json(*a.level) : Json(nullptr)},
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
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
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
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
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

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  auto who = [&identity](const Request& req) { return identity.authenticate(req.bearer_token()); };
  auto P = [](const Error& e, const Request& req) { return http::problem(e, req); };

  router.add(
      "GET", "/api/v1/iot/sensors", [&service, who, P](const Request& req, const PathParams&) {
        auto me = who(req);
        if (!me) return P(me.error(), req);
        auto page = http::page_of(req, 50, 1000);
        if (!page) return P(page.error(), req);
        SensorQuery q;
        q.limit = page->limit;
        q.offset = page->offset;
        if (auto k = req.query_param("kind"); k && !k->empty()) {
          q.kind = parse_kind(*k);
          if (!q.kind)
            return P(bad("kind", "未知的传感器类型", "unknown sensor kind").value(), req);
        }
        if (auto s = req.query_param("state"); s && !s->empty()) {
          q.state = parse_link_state(*s);
          if (!q.state) {
            return P(bad("state", "状态须为 online 或 offline", "state must be online or offline")
                         .value(),
                     req);
          }
        }
        auto list = service.list_sensors(q, *me);
        if (!list) return P(list.error(), req);
        Json items = Json::array();
        for (const auto& s : list->sensors) items.push_back(sensor_json(s));
        return http::ok({{"items", std::move(items)}, {"total", list->total}});
      });

  router.add("POST", "/api/v1/iot/sensors",
             [&service, who, P](const Request& req, const PathParams&) {
               auto me = who(req);
               if (!me) return P(me.error(), req);
               auto s = parse_sensor(req, nullptr);
               if (!s) return P(s.error(), req);
               auto saved = service.create_sensor(*s, *me);
               if (!saved) return P(saved.error(), req);
               return http::created(sensor_json(*saved), "/api/v1/iot/sensors/" + saved->id);
             });

  router.add("GET", "/api/v1/iot/sensors/{id}",
             [&service, who, P](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return P(me.error(), req);
               auto s = service.get_sensor(p.at("id"), *me);
               if (!s) return P(s.error(), req);
               return http::ok(sensor_json(*s));
             });

  router.add("PUT", "/api/v1/iot/sensors/{id}",
             [&service, who, P](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return P(me.error(), req);
               const std::string& id = p.at("id");
               auto s = parse_sensor(req, &id);
               if (!s) return P(s.error(), req);
               auto saved = service.update_sensor(*s, *me);
               if (!saved) return P(saved.error(), req);
               return http::ok(sensor_json(*saved));
             });

  router.add("GET", "/api/v1/iot/rules", [&service, who, P](const Request& req, const PathParams&) {
    auto me = who(req);
    if (!me) return P(me.error(), req);
    auto list = service.list_rules(*me);
    if (!list) return P(list.error(), req);
    Json items = Json::array();
    for (const auto& r : *list) items.push_back(rule_json(r));
    return http::ok({{"items", std::move(items)}});
  });

  router.add("PUT", "/api/v1/iot/rules/{kind}",
             [&service, who, P](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return P(me.error(), req);
               auto r = parse_rule(req, p.at("kind"));
               if (!r) return P(r.error(), req);
               auto saved = service.save_rule(*r, *me);
               if (!saved) return P(saved.error(), req);
               return http::ok(rule_json(*saved));
             });

  router.add("GET", "/api/v1/iot/alarms",
             [&service, who, P](const Request& req, const PathParams&) {
               auto me = who(req);
               if (!me) return P(me.error(), req);
               auto page = http::page_of(req, 50, 1000);
               if (!page) return P(page.error(), req);
               AlarmQuery q;
               q.limit = page->limit;
               q.offset = page->offset;
               q.sensor_id = req.query_param("sensor").value_or("");
               if (auto o = req.query_param("outcome"); o && !o->empty()) {
                 q.outcome = parse_outcome(*o);
                 if (!q.outcome)
                   return P(bad("outcome", "未知的结果", "unknown outcome").value(), req);
               }
               auto list = service.list_alarms(q, *me);
               if (!list) return P(list.error(), req);
               Json items = Json::array();
               for (const auto& a : list->alarms) items.push_back(alarm_json(a));
               return http::ok({{"items", std::move(items)}, {"total", list->total}});
             });

  router.add("GET", "/api/v1/iot/status",
             [&service, who, P](const Request& req, const PathParams&) {
               auto me = who(req);
               if (!me) return P(me.error(), req);
               auto s = service.status(*me);
               if (!s) return P(s.error(), req);
               const Counters& c = s->counters;
               return http::ok({{"sensors", s->sensors},
                                {"online", s->online},
                                {"offline", s->offline},
                                {"never_seen", s->never_seen},
                                {"in_alarm", s->in_alarm},
                                {"flapping", s->flapping},
                                {"pending_alarms", s->pending_alarms},
                                {"subscriber_running", s->subscriber_running},
                                {"broker_connected", s->broker_connected},
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
                                  {"failed", c.failed}}}});
             });
}

}  // namespace yiwang::iot
