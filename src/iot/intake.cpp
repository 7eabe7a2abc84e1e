// The intake: a message in → its effects recorded once (liveness, alarm state, flapping, the
// alarm with its de-duplication) → an over-threshold alarm reported as a grid event; and the
// sweep that marks silent sensors offline, clears flapping and resumes pending alarms.
#include <algorithm>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/events.h"
#include "iot/internal.h"
#include "store/record_id.h"

namespace yiwang::iot {

namespace {

using detail::bad;
using detail::kMinute;
using identity::Principal;
using Json = nlohmann::json;

constexpr core::Millis kTransitionRetentionMs = 24 * 3600 * 1000LL;

// The platform itself reading grid events (to know whether an alarm's event is still open).
Principal system_reader(const std::string& center) {
  Principal p;
  p.kind = identity::Kind::official;
  p.roles = {identity::Role::admin};
  p.dept_id = center;
  p.username = "iot";
  return p;
}

std::string format_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
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

// The grid event's description of an alarm.
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

// A change of one of a sensor's flags, as its events record it.
events::NewEvent sensor_event(std::string type, const std::string& sensor_id, const char* flag,
                              Json before, Json after, std::string reason = "") {
  return {.type = std::move(type),
          .subject_type = "iot_sensor",
          .subject_id = sensor_id,
          .actor = identity::actor_of(nullptr),
          .reason = std::move(reason),
          .before_json = Json{{flag, std::move(before)}}.dump(),
          .after_json = Json{{flag, std::move(after)}}.dump()};
}

// ---- Reporting alarms --------------------------------------------------------------------------

struct Reported {
  Outcome outcome = Outcome::pending;
  std::string event_id;
};

// The grid report of an alarm: the rule's class (or the class of the sensor's component).
grid::NewReport report_of(const Sensor& s, const Rule& r, const Alarm& a) {
  grid::NewReport n;
  n.source = grid::Source::sensor;
  n.kind = r.class_kind;
  n.class_code = r.class_code;
  if (r.class_kind == grid::ClassKind::component && s.component_code.size() == 16) {
    n.class_code = s.component_code.substr(6, 4);
  }
  n.description = describe(s, r, a);
  n.location = s.location;
  n.external_ref = a.id;
  return n;
}

// Reports a pending alarm as a grid event and links it, in one transaction. Refusals by the grid
// (bad class, location outside the grid) fail the alarm for good; store trouble leaves it
// pending for the next sweep. An event already carrying the alarm id (reported before a crash)
// is linked instead of reporting again.
Result<Reported> report_alarm(Service::Impl& m, const Alarm& a) {
  auto calendar = m.grid.calendar();
  if (!calendar) return fail(calendar.error());
  return m.store.write([&](store::Tx& tx) -> Result<Reported> {
    auto cur = detail::load_alarm(tx, a.id);
    if (!cur) return fail(ErrorCode::not_found, "", "告警不存在", "alarm not found");
    if (cur->outcome != Outcome::pending) return Reported{cur->outcome, cur->event_id};
    auto s = detail::load_sensor(tx, a.sensor_id);
    if (!s) return detail::sensor_not_found();
    auto r = detail::load_rule(tx, s->kind);
    if (!r) return detail::rule_missing();

    std::string event_id, error;
    if (auto existing = m.grid.find_by_external_ref(tx, grid::Source::sensor, a.id)) {
      event_id = existing->id;
    } else if (auto e = m.grid.report(tx, *calendar, report_of(*s, *r, a), nullptr)) {
      event_id = e->id;
    } else if (e.error().code == ErrorCode::internal || e.error().code == ErrorCode::overloaded) {
      return fail(e.error());
    } else {
      error = e.error().field + ": " + e.error().message_en;
    }
    const Outcome o = event_id.empty() ? Outcome::failed : Outcome::created;
    tx.exec("UPDATE iot_alarms SET outcome = ?, event_id = ?, error = ? WHERE id = ?",
            {std::string(to_string(o)), event_id, error, a.id});
    Json after = {{"alarm_id", a.id}, {"outcome", to_string(o)}, {"event_id", event_id}};
    events::append(tx, m.clock,
                   {.type = o == Outcome::created ? "iot.alarm_reported" : "iot.alarm_failed",
                    .subject_type = "iot_alarm",
                    .subject_id = a.id,
                    .actor = identity::actor_of(nullptr),
                    .reason = error,
                    .before_json = Json{{"outcome", "pending"}}.dump(),
                    .after_json = after.dump()});
    return Reported{o, event_id};
  });
}

// ---- Recording a message -----------------------------------------------------------------------

// What the decision needs but the write cannot see: the rule, and whether the grid event of the
// sensor's last reported alarm is still open.
struct Pre {
  Rule rule;
  std::string last_alarm_id, last_event_id;
  bool last_open = false;
};

// One message's effects inside the write transaction: liveness, the alarm state and flapping,
// the alarm (suppressed, attached to an open one, or pending), the sensor row and the events,
// appended last as the outbox asks.
class Recording {
 public:
  Recording(Service::Impl& m, store::Tx& tx, const Message& msg, const Pre& pre, bool over,
            core::Millis now)
      : m_(m), tx_(tx), msg_(msg), pre_(pre), over_(over), now_(now) {}

  Result<IngestResult> run() {
    if (tx_.query_one("SELECT 1 FROM iot_messages WHERE sensor_id = ? AND msg_id = ?",
                      {msg_.sensor_id, msg_.msg_id})) {
      return IngestResult{Outcome::replayed, "", ""};
    }
    auto s = detail::load_sensor(tx_, msg_.sensor_id);
    if (!s) return detail::sensor_not_found();
    auto rule = detail::load_rule(tx_, s->kind);
    if (!rule) return detail::rule_missing();
    tx_.exec(
        "INSERT INTO iot_messages (sensor_id, msg_id, channel, at_ms, received_at_ms) VALUES (?, "
        "?, ?, ?, ?)",
        {s->id, msg_.msg_id, std::string(msg_.channel == Channel::alarm ? "alarm" : "heartbeat"),
         msg_.at_ms, now_});
    seen(*s);
    IngestResult res{Outcome::heartbeat, "", ""};
    if (msg_.channel == Channel::alarm) {
      alarm_state(*s, *rule);
      res.outcome = Outcome::below_threshold;
      if (over_) {
        auto alarm = record_alarm(*s, *rule);
        if (!alarm) return fail(alarm.error());
        res = *alarm;
      }
    }
    tx_.exec(
        "UPDATE iot_sensors SET state = 'online', last_seen_at_ms = ?, in_alarm = ?, flapping = ?, "
        "last_change_at_ms = ? WHERE id = ?",
        {*next_.last_seen_at_ms, std::int64_t{next_.in_alarm ? 1 : 0},
         std::int64_t{next_.flapping ? 1 : 0}, last_change_, s->id});
    for (const auto& e : out_) events::append(tx_, m_.clock, e);
    return res;
  }

 private:
  // Every accepted message brings the sensor online and moves last_seen.
  void seen(const Sensor& s) {
    if (s.state == LinkState::offline) {
      out_.push_back(sensor_event("iot.sensor_online", s.id, "state", "offline", "online"));
    }
    next_ = s;
    next_.state = LinkState::online;
    next_.last_seen_at_ms = std::max(now_, s.last_seen_at_ms.value_or(0));
    if (auto r = tx_.query_one("SELECT last_change_at_ms FROM iot_sensors WHERE id = ?", {s.id})) {
      last_change_ = r->int64(0);
    }
  }

  // A reading changes the alarm state; too many changes within the window is flapping, and a
  // window without change clears it.
  void alarm_state(const Sensor& s, const Rule& rule) {
    if (over_ != s.in_alarm) {
      tx_.exec("INSERT INTO iot_transitions (sensor_id, at_ms, in_alarm) VALUES (?, ?, ?)",
               {s.id, now_, std::int64_t{over_ ? 1 : 0}});
      next_.in_alarm = over_;
      last_change_ = now_;
      if (!over_) out_.push_back(sensor_event("iot.sensor_normal", s.id, "in_alarm", true, false));
    }
    const core::Millis window = rule.flap_window_min * kMinute;
    auto changes =
        tx_.query_one("SELECT COUNT(*) FROM iot_transitions WHERE sensor_id = ? AND at_ms > ?",
                      {s.id, now_ - window})
            ->int64(0);
    if (!s.flapping && changes > rule.flap_changes) {
      next_.flapping = true;
      out_.push_back(sensor_event("iot.flapping", s.id, "flapping", false, true,
                                  std::to_string(changes) + " changes within " +
                                      std::to_string(rule.flap_window_min) + " min"));
    } else if (s.flapping && last_change_ <= now_ - window) {
      next_.flapping = false;
      out_.push_back(sensor_event("iot.flapping_cleared", s.id, "flapping", true, false));
    }
  }

  // Attaches the alarm to the sensor's latest created or pending alarm within the dedup window
  // when that one's event is (or may be) still open.
  void deduplicate(Alarm& a, const Sensor& s, const Rule& rule) {
    auto last = tx_.query_one(
        "SELECT id, outcome, event_id FROM iot_alarms WHERE sensor_id = ? AND outcome IN "
        "('created', 'pending') AND received_at_ms >= ? ORDER BY received_at_ms DESC, id "
        "DESC LIMIT 1",
        {s.id, now_ - rule.dedup_window_min * kMinute});
    // A pending alarm's event is on its way; an alarm the pre-read did not see appeared
    // meanwhile and is taken as open.
    bool attach = last && (last->text(1) == "pending" || last->text(0) != pre_.last_alarm_id ||
                           pre_.last_open);
    if (!attach) return;
    a.outcome = Outcome::deduplicated;
    a.attached_to = last->text(0);
    a.event_id = last->text(2);
    tx_.exec("UPDATE iot_alarms SET duplicates = duplicates + 1 WHERE id = ?", {a.attached_to});
  }

  Result<IngestResult> record_alarm(const Sensor& s, const Rule& rule) {
    Alarm a;
    auto id = store::new_record_id(tx_, m_.random, now_,
                                   {.table = "iot_alarms", .prefix = "IA", .digits = 10});
    if (!id) return fail(id.error());
    a.id = *id;
    a.outcome = Outcome::pending;
    if (next_.flapping) {
      a.outcome = Outcome::suppressed;
    } else if (rule.dedup_window_min > 0) {
      deduplicate(a, s, rule);
    }
    tx_.exec(std::string("INSERT INTO iot_alarms (") + detail::kAlarmColumns +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
             {a.id, s.id, std::string(to_string(s.kind)), msg_.msg_id, store::nullable(msg_.value),
              msg_.value_text, msg_.unit, store::nullable(msg_.level), msg_.at_ms, now_,
              std::string(to_string(a.outcome)), a.event_id, a.attached_to});
    Json after = {{"sensor_id", s.id},
                  {"kind", to_string(s.kind)},
                  {"outcome", to_string(a.outcome)},
                  {"event_id", a.event_id},
                  {"attached_to", a.attached_to}};
    after["value"] = msg_.value ? Json(*msg_.value) : Json(msg_.value_text);
    out_.push_back({.type = "iot.alarm_received",
                    .subject_type = "iot_alarm",
                    .subject_id = a.id,
                    .actor = identity::actor_of(nullptr),
                    .after_json = after.dump()});
    return IngestResult{a.outcome, a.id, a.event_id};
  }

  Service::Impl& m_;
  store::Tx& tx_;
  const Message& msg_;
  const Pre& pre_;
  const bool over_;
  const core::Millis now_;
  Sensor next_;
  core::Millis last_change_ = 0;
  std::vector<events::NewEvent> out_;
};

}  // namespace

// ---- Intake ------------------------------------------------------------------------------------

namespace {

// Counts and logs (the first 20, then every 1000th) a malformed message; returns its error.
tl::unexpected<Error> malformed(Service::Impl& m, std::string_view topic, const Error& e) {
  auto n = ++m.counters.malformed;
  if (n <= 20 || n % 1000 == 0) {
    m.log("malformed message #" + std::to_string(n) + " on " + std::string(topic.substr(0, 200)) +
          ": " + e.field + " " + e.message_en);
  }
  return fail(e);
}

// The message, parsed strictly, of a plausible size and device time.
Result<Message> accept_message(Service::Impl& m, std::string_view topic, std::string_view payload,
                               core::Millis now) {
  const Options& o = m.options;
  if (payload.size() > o.max_payload_bytes) {
    return malformed(m, topic,
                     Error{ErrorCode::invalid_input, "", "消息过大", "payload too large"});
  }
  auto msg = parse_message(topic, payload, o.topic_prefix);
  if (!msg) return malformed(m, topic, msg.error());
  if (msg->at_ms > now + o.max_clock_skew_ms) {
    return malformed(m, topic,
                     Error{ErrorCode::invalid_input, "/at", "设备时间超前过多",
                           "device time is too far in the future"});
  }
  if (msg->at_ms < now - o.message_retention_ms) {
    return malformed(m, topic,
                     Error{ErrorCode::invalid_input, "/at", "消息已过期", "message is stale"});
  }
  return msg;
}

// The pre-read: the sensor's rule and its last reported alarm within the dedup window (counted
// and logged when the sensor is unknown), then whether that alarm's grid event is open.
Result<Pre> pre_read(Service::Impl& m, const Message& msg, core::Millis now) {
  auto pre = m.store.read([&](store::Tx& tx) -> Result<Pre> {
    auto s = detail::load_sensor(tx, msg.sensor_id);
    if (!s) return detail::sensor_not_found();
    auto r = detail::load_rule(tx, s->kind);
    if (!r) return detail::rule_missing();
    Pre p{*r, "", "", false};
    if (r->dedup_window_min > 0) {
      auto row = tx.query_one(
          "SELECT id, event_id FROM iot_alarms WHERE sensor_id = ? AND outcome = 'created' AND "
          "received_at_ms >= ? ORDER BY received_at_ms DESC, id DESC LIMIT 1",
          {msg.sensor_id, now - r->dedup_window_min * kMinute});
      if (row) {
        p.last_alarm_id = row->text(0);
        p.last_event_id = row->text(1);
      }
    }
    return p;
  });
  if (!pre) {
    if (pre.error().code == ErrorCode::not_found) {
      auto n = ++m.counters.unknown_sensor;
      if (n <= 20 || n % 1000 == 0) m.log("message of unknown sensor " + msg.sensor_id);
    }
    return pre;
  }
  if (!pre->last_event_id.empty()) {
    auto e = m.grid.get(pre->last_event_id, system_reader(m.grid.options().center_dept_id));
    pre->last_open = e && grid::is_open(e->event.state);
  }
  return pre;
}

// Counts a recorded message; a new pending alarm is reported to the grid at once (the sweep
// reports it when that fails).
Result<IngestResult> settle(Service::Impl& m, IngestResult result, const Message& msg) {
  switch (result.outcome) {
    case Outcome::replayed:
      m.counters.replayed++;
      return result;
    case Outcome::heartbeat:
      m.counters.heartbeats++;
      return result;
    case Outcome::below_threshold:
      m.counters.below_threshold++;
      return result;
    case Outcome::deduplicated:
      m.counters.deduplicated++;
      return result;
    case Outcome::suppressed:
      m.counters.suppressed++;
      return result;
    default:
      break;
  }
  Alarm a;
  a.id = result.alarm_id;
  a.sensor_id = msg.sensor_id;
  a.value = msg.value;
  a.value_text = msg.value_text;
  a.unit = msg.unit;
  a.level = msg.level;
  auto rep = report_alarm(m, a);
  if (!rep) {
    m.log("alarm " + a.id + " stays pending: " + rep.error().message_en);
    return result;  // recorded; the sweep reports it
  }
  if (rep->outcome == Outcome::created) {
    m.counters.created++;
  } else if (rep->outcome == Outcome::failed) {
    m.counters.failed++;
    m.log("alarm " + a.id + " refused by the grid");
  }
  result.outcome = rep->outcome;
  result.event_id = rep->event_id;
  return result;
}

}  // namespace

Result<IngestResult> Service::Impl::ingest(std::string_view topic, std::string_view payload) {
  counters.received++;
  const core::Millis now = clock.now_ms();
  auto msg = accept_message(*this, topic, payload, now);
  if (!msg) return fail(msg.error());
  auto pre = pre_read(*this, *msg, now);
  if (!pre) return fail(pre.error());
  bool over = false;
  if (msg->channel == Channel::alarm) {
    auto o = over_threshold(pre->rule, *msg);
    if (!o) return malformed(*this, topic, o.error());
    over = *o;
  }
  auto result = store.write([&](store::Tx& tx) -> Result<IngestResult> {
    return Recording(*this, tx, *msg, *pre, over, now).run();
  });
  if (!result) return fail(result.error());
  return settle(*this, *result, *msg);
}

// ---- Sweep -------------------------------------------------------------------------------------

namespace {

// Marks silent sensors offline, clears flapping after a quiet window, prunes the replay and
// transition tables.
SweepResult sweep_rows(store::Tx& tx, const Service::Impl& m, core::Millis now) {
  SweepResult out;
  std::vector<events::NewEvent> evs;
  const Options& o = m.options;
  for (const auto& row :
       tx.query("SELECT id, last_seen_at_ms FROM iot_sensors WHERE state = 'online' AND "
                "last_seen_at_ms < ? ORDER BY id",
                {now - o.offline_after_ms})) {
    tx.exec("UPDATE iot_sensors SET state = 'offline' WHERE id = ? AND state = 'online'",
            {row.text(0)});
    out.went_offline++;
    events::NewEvent e =
        sensor_event("iot.sensor_offline", row.text(0), "state", "online", "offline",
                     "not seen for " + std::to_string(o.offline_after_ms / kMinute) + " min");
    e.data_json = Json{{"last_seen_at", core::format_instant(row.int64(1))}}.dump();
    evs.push_back(std::move(e));
  }
  for (const auto& row :
       tx.query("SELECT s.id FROM iot_sensors s JOIN iot_rules r ON r.kind = s.kind WHERE "
                "s.flapping = 1 AND s.last_change_at_ms <= ? - r.flap_window_min * 60000 "
                "ORDER BY s.id",
                {now})) {
    tx.exec("UPDATE iot_sensors SET flapping = 0 WHERE id = ?", {row.text(0)});
    out.flapping_cleared++;
    evs.push_back(sensor_event("iot.flapping_cleared", row.text(0), "flapping", true, false));
  }
  out.pruned_messages =
      tx.exec("DELETE FROM iot_messages WHERE at_ms < ?", {now - o.message_retention_ms});
  tx.exec("DELETE FROM iot_transitions WHERE at_ms < ?", {now - kTransitionRetentionMs});
  for (const auto& e : evs) events::append(tx, m.clock, e);
  return out;
}

}  // namespace

Result<SweepResult> Service::Impl::sweep(core::Millis pending_min_age_ms) {
  const core::Millis now = clock.now_ms();
  auto r =
      store.write([&](store::Tx& tx) -> Result<SweepResult> { return sweep_rows(tx, *this, now); });
  if (!r) return r;
  auto pending = store.read([&](store::Tx& tx) -> Result<std::vector<Alarm>> {
    std::vector<Alarm> list;
    for (const auto& row : tx.query(std::string("SELECT ") + detail::kAlarmColumns +
                                        " FROM iot_alarms WHERE outcome = 'pending' AND "
                                        "received_at_ms <= ? ORDER BY received_at_ms, id LIMIT 100",
                                    {now - pending_min_age_ms})) {
      list.push_back(detail::alarm_of(row));
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

}  // namespace yiwang::iot
