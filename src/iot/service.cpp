// The IoT service: inventory, rules, intake of messages, alarms → grid events, sweeps.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "events/events.h"
#include "iot/internal.h"

namespace yiwang::generated {
std::vector<store::Migration> iot_migrations();
}

namespace yiwang::iot {
namespace {

using identity::Principal;
using identity::Role;
using Json = nlohmann::json;

constexpr core::Millis kMinute = 60000;
constexpr core::Millis kTransitionRetentionMs = 24 * 3600 * 1000LL;

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}
tl::unexpected<Error> forbidden(std::string zh, std::string en) {
  return fail(ErrorCode::forbidden, "", std::move(zh), std::move(en));
}
tl::unexpected<Error> sensor_not_found() {
  return fail(ErrorCode::not_found, "", "传感器不存在", "sensor not found");
}

bool is_admin(const Principal& p) {
  return p.is_official() && p.has_role(Role::admin);
}

std::size_t chars(std::string_view s) {
  return core::decode_utf8(s).size();
}


// The platform itself reading grid events (to know whether an alarm's event is still open).
Principal system_reader(const std::string& center) {
  Principal p;
  p.kind = identity::Kind::official;
  p.roles = {Role::admin};
  p.dept_id = center;
  p.username = "iot";
  return p;
}

std::string format_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

constexpr const char* kSensorColumns =
    "id, kind, name, lon, lat, cell_code, dept_id, component_code, state, last_seen_at_ms, "
    "in_alarm, flapping, last_change_at_ms, created_at_ms, updated_at_ms";

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

std::string sensor_json(const Sensor& s) {
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

std::optional<Rule> load_rule(store::Tx& tx, Kind k) {
  auto row = tx.query_one(std::string("SELECT ") + kRuleColumns + " FROM iot_rules WHERE kind = ?",
                          {std::string(to_string(k))});
  if (!row) return std::nullopt;
  return rule_of(*row);
}

std::string rule_json(const Rule& r) {
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

constexpr const char* kAlarmColumns =
    "id, sensor_id, kind, msg_id, value, value_text, unit, level, at_ms, received_at_ms, outcome, "
    "event_id, attached_to, duplicates, error";

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

// Whether a reading is over the rule's threshold; invalid_input when the value does not fit the
// rule (a string for a numeric rule, another unit).
Result<bool> over_threshold(const Rule& r, const Message& m) {
  if (!r.unit.empty() && !m.unit.empty() && m.unit != r.unit) {
    return bad("/unit", "单位与规则不符：应为 " + r.unit,
               "unit differs from the rule's: " + r.unit);
  }
  if (r.op == Op::equals) {
    if (m.value) return bad("/value", "该类传感器的读数应为事件类型文本", "value must be a string");
    return r.enabled && m.value_text == r.match;
  }
  if (!m.value) return bad("/value", "该类传感器的读数应为数字", "value must be a number");
  double v = *m.value;
  bool over = false;
  switch (r.op) {
    case Op::gt:
      over = v > r.threshold;
      break;
    case Op::ge:
      over = v >= r.threshold;
      break;
    case Op::lt:
      over = v < r.threshold;
      break;
    case Op::le:
      over = v <= r.threshold;
      break;
    case Op::equals:
      break;
  }
  return r.enabled && over;
}

std::string_view op_zh(Op op) {
  switch (op) {
    case Op::gt:
      return "高于";
    case Op::ge:
      return "达到";
    case Op::lt:
      return "低于";
    case Op::le:
      return "不高于";
    case Op::equals:
      return "为";
  }
  return "";
}

std::string describe(const Sensor& s, const Rule& r, const Alarm& a) {
  std::string unit = a.unit.empty() ? r.unit : a.unit;
  if (unit == "deg") unit = "°";
  std::string d = "物联感知告警：" + std::string(kind_name_zh(s.kind)) + "传感器「" + s.name +
                  "」（编号 " + s.id + "）";
  if (r.op == Op::equals) {
    d += "上报事件「" + a.value_text + "」。";
  } else {
    d += "读数 " + format_value(a.value.value_or(0)) + unit + "，" + std::string(op_zh(r.op)) +
         "告警阈值 " + format_value(r.threshold) + unit + "。";
  }
  if (a.level) d += "告警等级 " + std::to_string(*a.level) + "。";
  if (!s.component_code.empty()) d += "关联部件 " + s.component_code + "。";
  return d;
}

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::iot_migrations();
}

void Service::Impl::log(std::string_view line) const {
  if (options.log) {
    options.log(line);
  } else {
    std::fprintf(stderr, "iot: %.*s\n", static_cast<int>(line.size()), line.data());
  }
}

// ---- Intake ------------------------------------------------------------------------------------

namespace {

struct Reported {
  Outcome outcome = Outcome::pending;
  std::string event_id;
};

// Reports a pending alarm as a grid event and links it, in one transaction. Refusals by the grid
// (bad class, location outside the grid) fail the alarm for good; store trouble leaves it
// pending for the next sweep. An event already carrying the alarm id (reported before a crash)
// is linked instead of reporting again.
Result<Reported> report_alarm(Service::Impl& m, const Alarm& a) {
  auto calendar = m.grid.calendar();
  if (!calendar) return fail(calendar.error());
  return m.store.write([&](store::Tx& tx) -> Result<Reported> {
    auto cur = load_alarm(tx, a.id);
    if (!cur) return fail(ErrorCode::not_found, "", "告警不存在", "alarm not found");
    if (cur->outcome != Outcome::pending) return Reported{cur->outcome, cur->event_id};
    auto s = load_sensor(tx, a.sensor_id);
    if (!s) return sensor_not_found();
    auto r = load_rule(tx, s->kind);
    if (!r) return fail(ErrorCode::internal, "", "缺少规则", "rule missing");

    std::string event_id, error;
    if (auto existing = m.grid.find_by_external_ref(tx, grid::Source::sensor, a.id)) {
      event_id = existing->id;
    } else {
      grid::NewReport n;
      n.source = grid::Source::sensor;
      n.kind = r->class_kind;
      n.class_code = r->class_code;
      if (r->class_kind == grid::ClassKind::component && s->component_code.size() == 16) {
        n.class_code = s->component_code.substr(6, 4);
      }
      n.description = describe(*s, *r, a);
      n.location = s->location;
      n.external_ref = a.id;
      auto e = m.grid.report(tx, *calendar, n, nullptr);
      if (e) {
        event_id = e->id;
      } else if (e.error().code == ErrorCode::internal || e.error().code == ErrorCode::overloaded) {
        return fail(e.error());
      } else {
        error = e.error().field + ": " + e.error().message_en;
      }
    }
    const Outcome o = event_id.empty() ? Outcome::failed : Outcome::created;
    tx.exec("UPDATE iot_alarms SET outcome = ?, event_id = ?, error = ? WHERE id = ?",
            {std::string(to_string(o)), event_id, error, a.id});
    Json after = {{"alarm_id", a.id}, {"outcome", to_string(o)}, {"event_id", event_id}};
    events::append(
        tx, m.clock,
        events::NewEvent{o == Outcome::created ? "iot.alarm_reported" : "iot.alarm_failed",
                         "iot_alarm", a.id, identity::actor_of(nullptr), error,
                         Json{{"outcome", "pending"}}.dump(), after.dump(), ""});
    return Reported{o, event_id};
  });
}

}  // namespace

Result<IngestResult> Service::Impl::ingest(std::string_view topic, std::string_view payload) {
  counters.received++;
  auto malformed = [&](const Error& e) -> tl::unexpected<Error> {
    auto n = ++counters.malformed;
    if (n <= 20 || n % 1000 == 0) {
      log("malformed message #" + std::to_string(n) + " on " + std::string(topic.substr(0, 200)) +
          ": " + e.field + " " + e.message_en);
    }
    return fail(e);
  };
  if (payload.size() > options.max_payload_bytes) {
    return malformed(Error{ErrorCode::invalid_input, "", "消息过大", "payload too large"});
  }
  auto msg = parse_message(topic, payload, options.topic_prefix);
  if (!msg) return malformed(msg.error());
  const core::Millis now = clock.now_ms();
  if (msg->at_ms > now + options.max_clock_skew_ms) {
    return malformed(Error{ErrorCode::invalid_input, "/at", "设备时间超前过多",
                           "device time is too far in the future"});
  }
  if (msg->at_ms < now - options.message_retention_ms) {
    return malformed(Error{ErrorCode::invalid_input, "/at", "消息已过期", "message is stale"});
  }

  // Read what the decision needs but the transaction cannot see: whether the grid event of the
  // sensor's last reported alarm is still open.
  struct Pre {
    Rule rule;
    std::string last_alarm_id, last_event_id;
  };
  auto pre = store.read([&](store::Tx& tx) -> Result<Pre> {
    auto s = load_sensor(tx, msg->sensor_id);
    if (!s) return sensor_not_found();
    auto r = load_rule(tx, s->kind);
    if (!r) return fail(ErrorCode::internal, "", "缺少规则", "rule missing");
    Pre p{*r, "", ""};
    if (r->dedup_window_min > 0) {
      auto row = tx.query_one(
          "SELECT id, event_id FROM iot_alarms WHERE sensor_id = ? AND outcome = 'created' AND "
          "received_at_ms >= ? ORDER BY received_at_ms DESC, id DESC LIMIT 1",
          {msg->sensor_id, now - r->dedup_window_min * kMinute});
      if (row) {
        p.last_alarm_id = row->text(0);
        p.last_event_id = row->text(1);
      }
    }
    return p;
  });
  if (!pre) {
    if (pre.error().code == ErrorCode::not_found) {
      auto n = ++counters.unknown_sensor;
      if (n <= 20 || n % 1000 == 0) log("message of unknown sensor " + msg->sensor_id);
    }
    return fail(pre.error());
  }
  bool last_open = false;
  if (!pre->last_event_id.empty()) {
    auto e = grid.get(pre->last_event_id, system_reader(grid.options().center_dept_id));
    last_open = e && grid::is_open(e->event.state);
  }
  bool over = false;
  if (msg->channel == Channel::alarm) {
    auto o = over_threshold(pre->rule, *msg);
    if (!o) return malformed(o.error());
    over = *o;
  }

  const std::string alarm_id = "IA" + core::compact_date(core::china_date(now)) + random.digits(10);

  auto result = store.write([&](store::Tx& tx) -> Result<IngestResult> {
    if (tx.query_one("SELECT 1 FROM iot_messages WHERE sensor_id = ? AND msg_id = ?",
                     {msg->sensor_id, msg->msg_id})) {
      return IngestResult{Outcome::replayed, "", ""};
    }
    auto s = load_sensor(tx, msg->sensor_id);
    if (!s) return sensor_not_found();
    auto rule = load_rule(tx, s->kind);
    if (!rule) return fail(ErrorCode::internal, "", "缺少规则", "rule missing");
    tx.exec(
        "INSERT INTO iot_messages (sensor_id, msg_id, channel, at_ms, received_at_ms) VALUES (?, "
        "?, ?, ?, ?)",
        {s->id, msg->msg_id, std::string(msg->channel == Channel::alarm ? "alarm" : "heartbeat"),
         msg->at_ms, now});
    std::vector<events::NewEvent> out;  // appended last, as the outbox asks
    const events::Actor sys = identity::actor_of(nullptr);
    if (s->state == LinkState::offline) {
      out.push_back({"iot.sensor_online", "iot_sensor", s->id, sys, "",
                     Json{{"state", "offline"}}.dump(), Json{{"state", "online"}}.dump(), ""});
    }
    Sensor next = *s;
    next.state = LinkState::online;
    next.last_seen_at_ms = std::max(now, s->last_seen_at_ms.value_or(0));
    core::Millis last_change = 0;
    if (auto r = tx.query_one("SELECT last_change_at_ms FROM iot_sensors WHERE id = ?", {s->id})) {
      last_change = r->int64(0);
    }
    IngestResult res{Outcome::heartbeat, "", ""};

    if (msg->channel == Channel::alarm) {
      if (over != s->in_alarm) {
        tx.exec("INSERT INTO iot_transitions (sensor_id, at_ms, in_alarm) VALUES (?, ?, ?)",
                {s->id, now, std::int64_t{over ? 1 : 0}});
        next.in_alarm = over;
        last_change = now;
        if (!over) {
          out.push_back({"iot.sensor_normal", "iot_sensor", s->id, sys, "",
                         Json{{"in_alarm", true}}.dump(), Json{{"in_alarm", false}}.dump(), ""});
        }
      }
      const core::Millis window = rule->flap_window_min * kMinute;
      auto changes =
          tx.query_one("SELECT COUNT(*) FROM iot_transitions WHERE sensor_id = ? AND at_ms > ?",
                       {s->id, now - window})
              ->int64(0);
      if (!s->flapping && changes > rule->flap_changes) {
        next.flapping = true;
        out.push_back({"iot.flapping", "iot_sensor", s->id, sys,
                       std::to_string(changes) + " changes within " +
                           std::to_string(rule->flap_window_min) + " min",
                       Json{{"flapping", false}}.dump(), Json{{"flapping", true}}.dump(), ""});
      } else if (s->flapping && last_change <= now - window) {
        next.flapping = false;
        out.push_back({"iot.flapping_cleared", "iot_sensor", s->id, sys, "",
                       Json{{"flapping", true}}.dump(), Json{{"flapping", false}}.dump(), ""});
      }
      res.outcome = Outcome::below_threshold;
      if (over) {
        Alarm a;
        a.id = alarm_id;
        a.outcome = Outcome::pending;
        if (next.flapping) {
          a.outcome = Outcome::suppressed;
        } else if (rule->dedup_window_min > 0) {
          auto last = tx.query_one(
              "SELECT id, outcome, event_id FROM iot_alarms WHERE sensor_id = ? AND outcome IN "
              "('created', 'pending') AND received_at_ms >= ? ORDER BY received_at_ms DESC, id "
              "DESC LIMIT 1",
              {s->id, now - rule->dedup_window_min * kMinute});
          // A pending alarm's event is on its way; an alarm the pre-read did not see appeared
          // meanwhile and is taken as open.
          bool attach = last && (last->text(1) == "pending" ||
                                 last->text(0) != pre->last_alarm_id || last_open);
          if (attach) {
            a.outcome = Outcome::deduplicated;
            a.attached_to = last->text(0);
            a.event_id = last->text(2);
            tx.exec("UPDATE iot_alarms SET duplicates = duplicates + 1 WHERE id = ?",
                    {a.attached_to});
          }
        }
        tx.exec(std::string("INSERT INTO iot_alarms (") + kAlarmColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
                {a.id, s->id, std::string(to_string(s->kind)), msg->msg_id,
                 msg->value ? store::Value(*msg->value) : store::Value(nullptr), msg->value_text,
                 msg->unit,
                 msg->level ? store::Value(std::int64_t{*msg->level}) : store::Value(nullptr),
                 msg->at_ms, now, std::string(to_string(a.outcome)), a.event_id, a.attached_to});
        Json after = {{"sensor_id", s->id},
                      {"kind", to_string(s->kind)},
                      {"outcome", to_string(a.outcome)},
                      {"event_id", a.event_id},
                      {"attached_to", a.attached_to}};
        if (msg->value) {
          after["value"] = *msg->value;
        } else {
          after["value"] = msg->value_text;
        }
        out.push_back({"iot.alarm_received", "iot_alarm", a.id, sys, "", "", after.dump(), ""});
        res = {a.outcome, a.id, a.event_id};
      }
    }
    tx.exec(
        "UPDATE iot_sensors SET state = 'online', last_seen_at_ms = ?, in_alarm = ?, flapping = ?, "
        "last_change_at_ms = ? WHERE id = ?",
        {*next.last_seen_at_ms, std::int64_t{next.in_alarm ? 1 : 0},
         std::int64_t{next.flapping ? 1 : 0}, last_change, s->id});
    for (const auto& e : out) events::append(tx, clock, e);
    return res;
  });
  if (!result) return fail(result.error());

  switch (result->outcome) {
    case Outcome::replayed:
      counters.replayed++;
      return result;
    case Outcome::heartbeat:
      counters.heartbeats++;
      return result;
    case Outcome::below_threshold:
      counters.below_threshold++;
      return result;
    case Outcome::deduplicated:
      counters.deduplicated++;
      return result;
    case Outcome::suppressed:
      counters.suppressed++;
      return result;
    default:
      break;
  }
  Alarm a;
  a.id = result->alarm_id;
  a.sensor_id = msg->sensor_id;
  a.value = msg->value;
  a.value_text = msg->value_text;
  a.unit = msg->unit;
  a.level = msg->level;
  auto rep = report_alarm(*this, a);
  if (!rep) {
    log("alarm " + a.id + " stays pending: " + rep.error().message_en);
    return result;  // recorded; the sweep reports it
  }
  if (rep->outcome == Outcome::created) {
    counters.created++;
  } else if (rep->outcome == Outcome::failed) {
    counters.failed++;
    log("alarm " + a.id + " refused by the grid");
  }
  result->outcome = rep->outcome;
  result->event_id = rep->event_id;
  return result;
}

// ---- Sweep -------------------------------------------------------------------------------------

Result<SweepResult> Service::Impl::sweep(core::Millis pending_min_age_ms) {
  const core::Millis now = clock.now_ms();
  auto r = store.write([&](store::Tx& tx) -> Result<SweepResult> {
    SweepResult out;
    std::vector<events::NewEvent> evs;
    const events::Actor sys = identity::actor_of(nullptr);
    for (const auto& row :
         tx.query("SELECT id, last_seen_at_ms FROM iot_sensors WHERE state = 'online' AND "
                  "last_seen_at_ms < ? ORDER BY id",
                  {now - options.offline_after_ms})) {
      tx.exec("UPDATE iot_sensors SET state = 'offline' WHERE id = ? AND state = 'online'",
              {row.text(0)});
      out.went_offline++;
      evs.push_back({"iot.sensor_offline", "iot_sensor", row.text(0), sys,
                     "not seen for " + std::to_string(options.offline_after_ms / kMinute) + " min",
                     Json{{"state", "online"}}.dump(), Json{{"state", "offline"}}.dump(),
                     Json{{"last_seen_at", core::format_instant(row.int64(1))}}.dump()});
    }
    for (const auto& row :
         tx.query("SELECT s.id FROM iot_sensors s JOIN iot_rules r ON r.kind = s.kind WHERE "
                  "s.flapping = 1 AND s.last_change_at_ms <= ? - r.flap_window_min * 60000 "
                  "ORDER BY s.id",
                  {now})) {
      tx.exec("UPDATE iot_sensors SET flapping = 0 WHERE id = ?", {row.text(0)});
      out.flapping_cleared++;
      evs.push_back({"iot.flapping_cleared", "iot_sensor", row.text(0), sys, "",
                     Json{{"flapping", true}}.dump(), Json{{"flapping", false}}.dump(), ""});
    }
    out.pruned_messages =
        tx.exec("DELETE FROM iot_messages WHERE at_ms < ?", {now - options.message_retention_ms});
    tx.exec("DELETE FROM iot_transitions WHERE at_ms < ?", {now - kTransitionRetentionMs});
    for (const auto& e : evs) events::append(tx, clock, e);
    return out;
  });
  if (!r) return r;
  auto pending = store.read([&](store::Tx& tx) -> Result<std::vector<Alarm>> {
    std::vector<Alarm> list;
    for (const auto& row : tx.query(std::string("SELECT ") + kAlarmColumns +
                                        " FROM iot_alarms WHERE outcome = 'pending' AND "
                                        "received_at_ms <= ? ORDER BY received_at_ms, id LIMIT 100",
                                    {now - pending_min_age_ms})) {
      list.push_back(alarm_of(row));
    }
    return list;
  });
  if (!pending) return fail(pending.error());
  for (const auto& a : *pending) {
    auto rep = report_alarm(*this, a);
    if (!rep) {
      log("alarm " + a.id + " still pending: " + rep.error().message_en);
      continue;
    }
    r->resumed++;
    if (rep->outcome == Outcome::created) counters.created++;
    if (rep->outcome == Outcome::failed) counters.failed++;
  }
  return r;
}

// ---- Service -----------------------------------------------------------------------------------

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, grid::Service& grid, Options options)
    : impl_(std::make_unique<Impl>(store, clock, random, identity, grid, std::move(options))) {}

Service::~Service() {
  stop();
}

const Options& Service::options() const {
  return impl_->options;
}

bool Service::connected() const {
  return impl_->connected.load();
}

Status Service::start() {
  auto resumed = impl_->sweep(0);
  if (!resumed) impl_->log("start: " + resumed.error().message_en);
  return impl_->start_subscriber();
}

void Service::stop() {
  impl_->stop_subscriber();
}

Result<IngestResult> Service::ingest(std::string_view topic, std::string_view payload) {
  return impl_->ingest(topic, payload);
}

Result<SweepResult> Service::sweep() {
  return impl_->sweep(kMinute);
}

Counters Service::counters() const {
  const auto& c = impl_->counters;
  Counters out;
  out.received = c.received;
  out.malformed = c.malformed;
  out.unknown_sensor = c.unknown_sensor;
  out.replayed = c.replayed;
  out.heartbeats = c.heartbeats;
  out.below_threshold = c.below_threshold;
  out.created = c.created;
  out.deduplicated = c.deduplicated;
  out.suppressed = c.suppressed;
  out.failed = c.failed;
  return out;
}

namespace {

Status can_read(const Principal& by, const grid::Service& grid) {
  if (is_admin(by) || (by.is_official() && by.dept_id == grid.options().center_dept_id)) return {};
  return forbidden("仅管理员或监督指挥中心可查看物联感知",
                   "only admins and the grid centre see IoT data");
}

Status can_edit_sensors(const Principal& by, const grid::Service& grid) {
  if (is_admin(by) || (by.is_official() && by.dept_id == grid.options().center_dept_id &&
                       by.has_role(Role::approver))) {
    return {};
  }
  return forbidden("仅管理员或监督指挥中心值班长可维护传感器",
                   "only admins and grid-centre approvers edit sensors");
}

// Checks the input and derives the cell. Runs outside the write (it asks other services).
Result<Sensor> checked_sensor(Service::Impl& m, const Sensor& in) {
  Sensor s = in;
  if (!valid_sensor_id(s.id)) {
    return bad("/id", "编号须为 1–64 个字母、数字或 _ . -", "id must be 1–64 of [A-Za-z0-9_.-]");
  }
  if (!core::valid_utf8(s.name) || chars(s.name) < 1 || chars(s.name) > 100) {
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

}  // namespace

Result<Sensor> Service::create_sensor(const Sensor& in, const Principal& by) {
  auto& m = *impl_;
  if (auto st = can_edit_sensors(by, m.grid); !st) return fail(st.error());
  auto s = checked_sensor(m, in);
  if (!s) return s;
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Sensor> {
    if (load_sensor(tx, s->id)) {
      return fail(ErrorCode::conflict, "/id", "传感器编号已存在", "sensor id already taken");
    }
    Sensor out = *s;
    out.state = LinkState::offline;
    out.last_seen_at_ms.reset();
    out.in_alarm = out.flapping = false;
    out.created_at_ms = out.updated_at_ms = now;
    tx.exec(std::string("INSERT INTO iot_sensors (") + kSensorColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'offline', NULL, 0, 0, 0, ?, ?)",
            {out.id, std::string(to_string(out.kind)), out.name, out.location.lon, out.location.lat,
             out.cell_code, out.dept_id, out.component_code, now, now});
    events::append(
        tx, m.clock,
        {"iot.sensor_created", "iot_sensor", out.id, identity::actor_of(&by), "", "", sensor_json(out), ""});
    return out;
  });
}

Result<Sensor> Service::update_sensor(const Sensor& in, const Principal& by) {
  auto& m = *impl_;
  if (auto st = can_edit_sensors(by, m.grid); !st) return fail(st.error());
  auto s = checked_sensor(m, in);
  if (!s) return s;
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Sensor> {
    auto old = load_sensor(tx, s->id);
    if (!old) return sensor_not_found();
    tx.exec(
        "UPDATE iot_sensors SET kind = ?, name = ?, lon = ?, lat = ?, cell_code = ?, dept_id = ?, "
        "component_code = ?, updated_at_ms = ? WHERE id = ?",
        {std::string(to_string(s->kind)), s->name, s->location.lon, s->location.lat, s->cell_code,
         s->dept_id, s->component_code, now, s->id});
    auto out = load_sensor(tx, s->id);
    events::append(tx, m.clock,
                   {"iot.sensor_updated", "iot_sensor", s->id, identity::actor_of(&by), "", sensor_json(*old),
                    sensor_json(*out), ""});
    return *out;
  });
}

Result<Sensor> Service::get_sensor(std::string_view id, const Principal& by) {
  auto& m = *impl_;
  if (auto st = can_read(by, m.grid); !st) return fail(st.error());
  return m.store.read([&](store::Tx& tx) -> Result<Sensor> {
    auto s = load_sensor(tx, id);
    if (!s) return sensor_not_found();
    return *s;
  });
}

Result<SensorList> Service::list_sensors(const SensorQuery& q, const Principal& by) {
  auto& m = *impl_;
  if (auto st = can_read(by, m.grid); !st) return fail(st.error());
  return m.store.read([&](store::Tx& tx) -> Result<SensorList> {
    std::string where = " WHERE 1 = 1";
    store::Params params;
    if (q.kind) {
      where += " AND kind = ?";
      params.emplace_back(std::string(to_string(*q.kind)));
    }
    if (q.state) {
      where += " AND state = ?";
      params.emplace_back(std::string(to_string(*q.state)));
    }
    SensorList out;
    out.total = tx.query_one("SELECT COUNT(*) FROM iot_sensors" + where, params)->int64(0);
    params.emplace_back(std::int64_t{std::clamp(q.limit, 1, 1000)});
    params.emplace_back(std::int64_t{std::max(q.offset, 0)});
    for (const auto& row : tx.query(std::string("SELECT ") + kSensorColumns + " FROM iot_sensors" +
                                        where + " ORDER BY id LIMIT ? OFFSET ?",
                                    params)) {
      out.sensors.push_back(sensor_of(row));
    }
    return out;
  });
}

Result<std::vector<Rule>> Service::list_rules(const Principal& by) {
  auto& m = *impl_;
  if (auto st = can_read(by, m.grid); !st) return fail(st.error());
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
  if (!is_admin(by)) return forbidden("仅管理员可修改规则", "only admins edit rules");
  Rule r = in;
  if (r.op == Op::equals) {
    if (r.match.empty() || r.match.size() > 64) {
      return bad("/match", "须给出 1–64 个字符的匹配值", "match must be 1–64 characters");
    }
    r.threshold = 0;
  } else {
    if (!std::isfinite(r.threshold))
      return bad("/threshold", "阈值无效", "threshold must be finite");
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
  const core::Millis now = m.clock.now_ms();
  r.updated_at_ms = now;
  return m.store.write([&](store::Tx& tx) -> Result<Rule> {
    auto old = load_rule(tx, r.kind);
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
                       now,
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
    events::append(tx, m.clock,
                   {"iot.rule_saved", "iot_rule", std::string(to_string(r.kind)), identity::actor_of(&by), "",
                    old ? rule_json(*old) : "", rule_json(r), ""});
    return r;
  });
}

Result<AlarmList> Service::list_alarms(const AlarmQuery& q, const Principal& by) {
  auto& m = *impl_;
  if (auto st = can_read(by, m.grid); !st) return fail(st.error());
  return m.store.read([&](store::Tx& tx) -> Result<AlarmList> {
    std::string where = " WHERE 1 = 1";
    store::Params params;
    if (!q.sensor_id.empty()) {
      where += " AND sensor_id = ?";
      params.emplace_back(q.sensor_id);
    }
    if (q.outcome) {
      where += " AND outcome = ?";
      params.emplace_back(std::string(to_string(*q.outcome)));
    }
    AlarmList out;
    out.total = tx.query_one("SELECT COUNT(*) FROM iot_alarms" + where, params)->int64(0);
    params.emplace_back(std::int64_t{std::clamp(q.limit, 1, 1000)});
    params.emplace_back(std::int64_t{std::max(q.offset, 0)});
    for (const auto& row :
         tx.query(std::string("SELECT ") + kAlarmColumns + " FROM iot_alarms" + where +
                      " ORDER BY received_at_ms DESC, id DESC LIMIT ? OFFSET ?",
                  params)) {
      out.alarms.push_back(alarm_of(row));
    }
    return out;
  });
}

Result<StatusSummary> Service::status(const Principal& by) {
  auto& m = *impl_;
  if (auto st = can_read(by, m.grid); !st) return fail(st.error());
  auto s = m.store.read([&](store::Tx& tx) -> Result<StatusSummary> {
    StatusSummary out;
    auto row = tx.query_one(
        "SELECT COUNT(*), "
        "COALESCE(SUM(CASE WHEN state = 'online' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN last_seen_at_ms IS NULL THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(in_alarm), 0), COALESCE(SUM(flapping), 0) FROM iot_sensors");
    out.sensors = row->int64(0);
    out.online = row->int64(1);
    out.offline = out.sensors - out.online;
    out.never_seen = row->int64(2);
    out.in_alarm = row->int64(3);
    out.flapping = row->int64(4);
    out.pending_alarms =
        tx.query_one("SELECT COUNT(*) FROM iot_alarms WHERE outcome = 'pending'")->int64(0);
    return out;
  });
  if (!s) return s;
  {
    std::lock_guard lock(m.run_mu);
    s->subscriber_running = m.running;
  }
  s->broker_connected = m.connected.load();
  s->counters = counters();
  return s;
}

}  // namespace yiwang::iot
