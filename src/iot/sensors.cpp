// The inventory: sensors, the rule of each kind and the alarms recorded; their rows.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "events/events.h"
#include "iot/internal.h"

namespace yiwang::iot {

namespace {

using detail::bad;
using identity::Principal;
using Json = nlohmann::json;

// The sensor as its events record it.
std::string sensor_snapshot(const Sensor& s) {
  return Json{
      {"id", s.id},           {"kind", to_string(s.kind)},          {"cell_code", s.cell_code},
      {"dept_id", s.dept_id}, {"component_code", s.component_code}, {"state", to_string(s.state)}}
      .dump();
}

constexpr const char* kRuleColumns =
    "kind, op, threshold, match_value, unit, class_kind, class_code, dedup_window_min, "
    "flap_changes, flap_window_min, enabled, updated_at_ms";

Rule rule_of(const store::Row& r) {
  Rule x;
  x.kind = parse_kind(r.text(0)).value_or(Kind::manhole_tilt);
  x.op = parse_op(r.text(1)).value_or(Op::gt);
  x.threshold = r.real(2);
  x.match = r.text(3);
  x.unit = r.text(4);
  x.class_kind = grid::parse_class_kind(r.text(5)).value_or(grid::ClassKind::event);
  x.class_code = r.text(6);
  x.dedup_window_min = static_cast<int>(r.int64(7));
  x.flap_changes = static_cast<int>(r.int64(8));
  x.flap_window_min = static_cast<int>(r.int64(9));
  x.enabled = r.int64(10) != 0;
  x.updated_at_ms = r.int64(11);
  return x;
}

// The rule as its events record it.
std::string rule_snapshot(const Rule& r) {
  return Json{{"kind", to_string(r.kind)},
              {"op", to_string(r.op)},
              {"threshold", r.threshold},
              {"match", r.match},
              {"unit", r.unit},
              {"class_kind", to_string(r.class_kind)},
              {"class_code", r.class_code},
              {"dedup_window_min", r.dedup_window_min},
              {"flap_changes", r.flap_changes},
              {"flap_window_min", r.flap_window_min},
              {"enabled", r.enabled}}
      .dump();
}

// Checks who edits (admins and the centre's approvers), the input, and derives the cell. Runs
// outside the write (it asks other services).
Result<Sensor> checked_sensor(Service::Impl& m, const Sensor& in, const Principal& by) {
  if (auto st = detail::can_edit_sensors(by, m.grid); !st) return fail(st.error());
  Sensor s = in;
  if (!valid_sensor_id(s.id)) {
    return bad("/id", "编号须为 1–64 个字母、数字或 _ . -", "id must be 1–64 of [A-Za-z0-9_.-]");
  }
  if (!core::valid_utf8(s.name) || core::utf8_length(s.name) < 1 ||
      core::utf8_length(s.name) > 100) {
    return bad("/name", "名称须为 1–100 个字符", "name must be 1–100 characters");
  }
  auto where = m.grid.locate(s.location);
  if (!where) return fail(where.error());
  s.cell_code = where->cell_code;
  if (!m.identity.get_department(s.dept_id)) {
    return bad("/dept_id", "未知的部门：" + s.dept_id, "unknown department: " + s.dept_id);
  }
  if (!s.component_code.empty()) {
    if (!grid::valid_component_code(s.component_code) || !m.grid.get_component(s.component_code)) {
      return bad("/component_code", "未知的部件：" + s.component_code,
                 "unknown component: " + s.component_code);
    }
  }
  return s;
}

// The rule's own fields (admins only), then its grid class (asked of the grid).
Result<Rule> checked_rule(Service::Impl& m, const Rule& in, const Principal& by) {
  if (!detail::is_admin(by))
    return detail::forbidden("仅管理员可修改规则", "only admins edit rules");
  Rule r = in;
  if (r.op == Op::equals) {
    if (r.match.empty() || r.match.size() > 64) {
      return bad("/match", "须给出 1–64 个字符的匹配值", "match must be 1–64 characters");
    }
    r.threshold = 0;
  } else {
    if (!std::isfinite(r.threshold)) {
      return bad("/threshold", "阈值无效", "threshold must be finite");
    }
    if (!r.match.empty()) {
      return bad("/match", "数值比较的规则不用匹配值", "match applies only to op equals");
    }
  }
  if (r.unit.size() > 16) return bad("/unit", "单位过长", "unit must be ≤ 16 characters");
  if (r.dedup_window_min < 0 || r.dedup_window_min > 10080) {
    return bad("/dedup_window_min", "去重窗口须为 0–10080 分钟",
               "dedup_window_min must be 0–10080");
  }
  if (r.flap_changes < 1 || r.flap_changes > 1000) {
    return bad("/flap_changes", "抖动次数须为 1–1000", "flap_changes must be 1–1000");
  }
  if (r.flap_window_min < 1 || r.flap_window_min > 1440) {
    return bad("/flap_window_min", "抖动窗口须为 1–1440 分钟", "flap_window_min must be 1–1440");
  }
  auto classes = m.grid.list_classes();
  if (!classes) return fail(classes.error());
  bool known = std::any_of(classes->begin(), classes->end(), [&](const grid::Class& c) {
    return c.kind == r.class_kind && c.code == r.class_code;
  });
  if (!known) {
    return bad("/class_code", "未知的分类：" + r.class_code, "unknown class: " + r.class_code);
  }
  return r;
}

// Upserts the rule of `r.kind` and records the change.
void write_rule(store::Tx& tx, const core::Clock& clock, const Rule& r, const Principal& by) {
  auto old = detail::load_rule(tx, r.kind);
  store::Params p = {std::string(to_string(r.op)),
                     r.threshold,
                     r.match,
                     r.unit,
                     std::string(to_string(r.class_kind)),
                     r.class_code,
                     std::int64_t{r.dedup_window_min},
                     std::int64_t{r.flap_changes},
                     std::int64_t{r.flap_window_min},
                     std::int64_t{r.enabled ? 1 : 0},
                     r.updated_at_ms,
                     std::string(to_string(r.kind))};
  if (old) {
    tx.exec(
        "UPDATE iot_rules SET op = ?, threshold = ?, match_value = ?, unit = ?, class_kind = ?, "
        "class_code = ?, dedup_window_min = ?, flap_changes = ?, flap_window_min = ?, enabled = "
        "?, updated_at_ms = ? WHERE kind = ?",
        p);
  } else {
    tx.exec(
        "INSERT INTO iot_rules (op, threshold, match_value, unit, class_kind, class_code, "
        "dedup_window_min, flap_changes, flap_window_min, enabled, updated_at_ms, kind) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p);
  }
  events::append(tx, clock,
                 {.type = "iot.rule_saved",
                  .subject_type = "iot_rule",
                  .subject_id = std::string(to_string(r.kind)),
                  .actor = identity::actor_of(by),
                  .before_json = old ? rule_snapshot(*old) : "",
                  .after_json = rule_snapshot(r)});
}

// " WHERE 1 = 1 AND …" with its parameters, then the page.
struct Where {
  std::string sql = " WHERE 1 = 1";
  store::Params params;

  void add(const char* condition, store::Value v) {
    sql += condition;
    params.push_back(std::move(v));
  }
  store::Params page(int limit, int offset) const {
    store::Params p = params;
    p.emplace_back(std::int64_t{std::clamp(limit, 1, 1000)});
    p.emplace_back(std::int64_t{std::max(offset, 0)});
    return p;
  }

  // One page of `table`'s rows (as `of` maps them) in `order`, and how many match in all.
  template <class T, class Of>
  std::int64_t list(store::Tx& tx, const std::string& table, const char* columns, const char* order,
                    int limit, int offset, std::vector<T>& out, Of of) const {
    for (const auto& row : tx.query(std::string("SELECT ") + columns + " FROM " + table + sql +
                                        " ORDER BY " + order + " LIMIT ? OFFSET ?",
                                    page(limit, offset))) {
      out.push_back(of(row));
    }
    return tx.query_one("SELECT COUNT(*) FROM " + table + sql, params)->int64(0);
  }
};

}  // namespace

namespace detail {

const char* const kSensorColumns =
    "id, kind, name, lon, lat, cell_code, dept_id, component_code, state, last_seen_at_ms, "
    "in_alarm, flapping, last_change_at_ms, created_at_ms, updated_at_ms";

const char* const kAlarmColumns =
    "id, sensor_id, kind, msg_id, value, value_text, unit, level, at_ms, received_at_ms, outcome, "
    "event_id, attached_to, duplicates, error";

Sensor sensor_of(const store::Row& r) {
  Sensor s;
  s.id = r.text(0);
  s.kind = parse_kind(r.text(1)).value_or(Kind::manhole_tilt);
  s.name = r.text(2);
  s.location = {r.real(3), r.real(4)};
  s.cell_code = r.text(5);
  s.dept_id = r.text(6);
  s.component_code = r.text(7);
  s.state = parse_link_state(r.text(8)).value_or(LinkState::offline);
  s.last_seen_at_ms = r.opt_int64(9);
  s.in_alarm = r.int64(10) != 0;
  s.flapping = r.int64(11) != 0;
  s.created_at_ms = r.int64(13);
  s.updated_at_ms = r.int64(14);
  return s;
}

std::optional<Sensor> load_sensor(store::Tx& tx, std::string_view id) {
  auto row =
      tx.query_one(std::string("SELECT ") + kSensorColumns + " FROM iot_sensors WHERE id = ?",
                   {std::string(id)});
  if (!row) return std::nullopt;
  return sensor_of(*row);
}

std::optional<Rule> load_rule(store::Tx& tx, Kind k) {
  auto row = tx.query_one(std::string("SELECT ") + kRuleColumns + " FROM iot_rules WHERE kind = ?",
                          {std::string(to_string(k))});
  if (!row) return std::nullopt;
  return rule_of(*row);
}

Alarm alarm_of(const store::Row& r) {
  Alarm a;
  a.id = r.text(0);
  a.sensor_id = r.text(1);
  a.kind = parse_kind(r.text(2)).value_or(Kind::manhole_tilt);
  a.msg_id = r.text(3);
  if (!r.is_null(4)) a.value = r.real(4);
  a.value_text = r.text(5);
  a.unit = r.text(6);
  if (!r.is_null(7)) a.level = static_cast<int>(r.int64(7));
  a.at_ms = r.int64(8);
  a.received_at_ms = r.int64(9);
  a.outcome = parse_outcome(r.text(10)).value_or(Outcome::pending);
  a.event_id = r.text(11);
  a.attached_to = r.text(12);
  a.duplicates = r.int64(13);
  a.error = r.text(14);
  return a;
}

std::optional<Alarm> load_alarm(store::Tx& tx, std::string_view id) {
  auto row = tx.query_one(std::string("SELECT ") + kAlarmColumns + " FROM iot_alarms WHERE id = ?",
                          {std::string(id)});
  if (!row) return std::nullopt;
  return alarm_of(*row);
}

}  // namespace detail

// ---- Sensors -----------------------------------------------------------------------------------

Status Service::may_edit_sensors(const Principal& by) const {
  return detail::can_edit_sensors(by, impl_->grid);
}

Result<Sensor> Service::create_sensor(const Sensor& in, const Principal& by) {
  auto& m = *impl_;
  auto s = checked_sensor(m, in, by);
  if (!s) return s;
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Sensor> {
    if (detail::load_sensor(tx, s->id)) {
      return fail(ErrorCode::conflict, "/id", "传感器编号已存在", "sensor id already taken");
    }
    Sensor out = *s;
    out.state = LinkState::offline;
    out.last_seen_at_ms.reset();
    out.in_alarm = out.flapping = false;
    out.created_at_ms = out.updated_at_ms = now;
    tx.exec(std::string("INSERT INTO iot_sensors (") + detail::kSensorColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'offline', NULL, 0, 0, 0, ?, ?)",
            {out.id, std::string(to_string(out.kind)), out.name, out.location.lon, out.location.lat,
             out.cell_code, out.dept_id, out.component_code, now, now});
    events::append(tx, m.clock,
                   {.type = "iot.sensor_created",
                    .subject_type = "iot_sensor",
                    .subject_id = out.id,
                    .actor = identity::actor_of(by),
                    .after_json = sensor_snapshot(out)});
    return out;
  });
}

Result<Sensor> Service::update_sensor(const Sensor& in, const Principal& by) {
  auto& m = *impl_;
  auto s = checked_sensor(m, in, by);
  if (!s) return s;
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Sensor> {
    auto old = detail::load_sensor(tx, s->id);
    if (!old) return detail::sensor_not_found();
    tx.exec(
        "UPDATE iot_sensors SET kind = ?, name = ?, lon = ?, lat = ?, cell_code = ?, dept_id = ?, "
        "component_code = ?, updated_at_ms = ? WHERE id = ?",
        {std::string(to_string(s->kind)), s->name, s->location.lon, s->location.lat, s->cell_code,
         s->dept_id, s->component_code, now, s->id});
    auto out = detail::load_sensor(tx, s->id);
    events::append(tx, m.clock,
                   {.type = "iot.sensor_updated",
                    .subject_type = "iot_sensor",
                    .subject_id = s->id,
                    .actor = identity::actor_of(by),
                    .before_json = sensor_snapshot(*old),
                    .after_json = sensor_snapshot(*out)});
    return *out;
  });
}

Result<Sensor> Service::get_sensor(std::string_view id, const Principal& by) {
  auto& m = *impl_;
  if (auto st = detail::can_read(by, m.grid); !st) return fail(st.error());
  return m.store.read([&](store::Tx& tx) -> Result<Sensor> {
    auto s = detail::load_sensor(tx, id);
    if (!s) return detail::sensor_not_found();
    return *s;
  });
}

Result<SensorList> Service::list_sensors(const SensorQuery& q, const Principal& by) {
  auto& m = *impl_;
  if (auto st = detail::can_read(by, m.grid); !st) return fail(st.error());
  Where w;
  if (q.kind) w.add(" AND kind = ?", std::string(to_string(*q.kind)));
  if (q.state) w.add(" AND state = ?", std::string(to_string(*q.state)));
  return m.store.read([&](store::Tx& tx) -> Result<SensorList> {
    SensorList out;
    out.total = w.list(tx, "iot_sensors", detail::kSensorColumns, "id", q.limit, q.offset,
                       out.sensors, detail::sensor_of);
    return out;
  });
}

// ---- Rules and alarms --------------------------------------------------------------------------

Result<std::vector<Rule>> Service::list_rules(const Principal& by) {
  auto& m = *impl_;
  if (auto st = detail::can_read(by, m.grid); !st) return fail(st.error());
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<Rule>> {
    std::vector<Rule> out;
    for (const auto& row : tx.query(std::string("SELECT ") + kRuleColumns + " FROM iot_rules")) {
      out.push_back(rule_of(row));
    }
    std::sort(out.begin(), out.end(), [](const Rule& a, const Rule& b) { return a.kind < b.kind; });
    return out;
  });
}

Result<Rule> Service::save_rule(const Rule& in, const Principal& by) {
  auto& m = *impl_;
  auto r = checked_rule(m, in, by);
  if (!r) return r;
  r->updated_at_ms = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Rule> {
    write_rule(tx, m.clock, *r, by);
    return *r;
  });
}

Result<AlarmList> Service::list_alarms(const AlarmQuery& q, const Principal& by) {
  auto& m = *impl_;
  if (auto st = detail::can_read(by, m.grid); !st) return fail(st.error());
  Where w;
  if (!q.sensor_id.empty()) w.add(" AND sensor_id = ?", q.sensor_id);
  if (q.outcome) w.add(" AND outcome = ?", std::string(to_string(*q.outcome)));
  return m.store.read([&](store::Tx& tx) -> Result<AlarmList> {
    AlarmList out;
    out.total = w.list(tx, "iot_alarms", detail::kAlarmColumns, "received_at_ms DESC, id DESC",
                       q.limit, q.offset, out.alarms, detail::alarm_of);
    return out;
  });
}

}  // namespace yiwang::iot
