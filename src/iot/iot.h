// IoT sensing (物联感知) for grid city management: a sensor inventory, an MQTT subscriber that
// takes sensor alarms and heartbeats from a Mosquitto broker, editable rules that turn alarms into
// grid events (grid::Service::report with source sensor), de-duplication, flapping suppression,
// and offline detection.
//
// Topics. `<topic_prefix>/<sensor_id>/alarm` and `<topic_prefix>/<sensor_id>/heartbeat` (prefix
// "yiwang/sensors"), QoS 1, persistent session, so that alarms published while the platform is
// reconnecting are delivered afterwards. Payload: one JSON object
//   {"msg_id": "…" (1–64 printable ASCII), "at": unix ms (device time), "value": number or string,
//    "unit": "…"?, "level": integer?}
// `value` is required on alarms (a number, or the event type string of a parking camera), optional
// on heartbeats; unknown members are an error. A message is processed at most once: (sensor,
// msg_id) is recorded durably in the same transaction as its effects, so a redelivered or replayed
// message changes nothing. Messages older than Options::message_retention_ms (device time) are
// refused as stale, so the replay table can be pruned without reopening the door. Malformed
// messages and messages of unknown sensors are counted and logged, never stored.
//
// Alarms. The rule of the sensor's kind decides whether a reading is over the threshold. A reading
// changes the sensor's alarm state (normal/alarm); more than Rule::flap_changes changes within
// Rule::flap_window_min minutes mark the sensor flapping ("iot.flapping"): its alarms are recorded
// as suppressed until no change has happened for flap_window_min ("iot.flapping_cleared"). An
// over-threshold alarm of a sensor whose last reported alarm is younger than dedup_window_min and
// whose grid event is still open is attached to that alarm (deduplicated, counted). Otherwise the
// alarm is recorded (pending, durable as soon as it arrives) and then, in one transaction,
// reported as a grid event whose external_ref is the alarm id and linked to it. A pending alarm
// left by a crash in between is resumed by start() and sweep(), which link a grid event already
// carrying the alarm id rather than report it twice.
//
// Liveness. Every accepted message sets last_seen (platform time). sweep() marks sensors not seen
// for offline_after_ms offline ("iot.sensor_offline"); the next message brings them back
// ("iot.sensor_online"). A newly registered sensor is offline until its first message.
//
// Access: admins and officials of the grid centre (grid::Options::center_dept_id) read; admins and
// grid-centre approvers edit sensors; admins edit rules.
//
// Events: "iot.sensor_created", "iot.sensor_updated", "iot.rule_saved", "iot.alarm_received"
// (every over-threshold alarm, with its outcome), "iot.alarm_reported" (event id attached),
// "iot.alarm_failed", "iot.sensor_normal", "iot.flapping", "iot.flapping_cleared",
// "iot.sensor_online", "iot.sensor_offline". Heartbeats only move last_seen and append no event:
// they are telemetry, and one event per heartbeat would swamp the outbox and the ledger.
//
// Thread-safety: all methods may be called from any thread. start() runs one network thread
// (messages are processed in arrival order on it) and one sweep thread; stop() (and the
// destructor) joins them. State is in the store; counters are atomics; the subscriber's threads
// are guarded by a mutex. The store, clock, randomness, identity and grid services the Service is
// given must outlive it.
//
// Files, by concern:
//   iot.h        this contract
//   internal.h   Service::Impl and the helpers the service's files share
//   message.cpp  enum names, sensor ids, the strict message parser, the default rules
//   service.cpp  construction, start / stop, counters, status, access checks
//   sensors.cpp  the inventory: sensors, rules, alarms and their rows
//   intake.cpp   a message's effects, alarms reported as grid events, the sweep
//   mqtt.cpp     the MQTT subscriber and the sweep thread
//   routes.cpp   the HTTP routes (through identity::Routes)
//   demo.cpp     demo sensors over the grid demo's district
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "grid/grid.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::iot {

enum class Kind { manhole_tilt, water_level, smoke, parking_camera };
std::string_view to_string(Kind k);
std::optional<Kind> parse_kind(std::string_view s);
std::string_view kind_name_zh(Kind k);  // "井盖倾斜监测", …

// 1–64 of [A-Za-z0-9_.-]: usable as one MQTT topic level (no '/', '+', '#').
bool valid_sensor_id(std::string_view id);

enum class LinkState { online, offline };
std::string_view to_string(LinkState s);
std::optional<LinkState> parse_link_state(std::string_view s);

struct Sensor {
  std::string id;
  Kind kind = Kind::manhole_tilt;
  std::string name;  // 1–100 characters
  grid::Point location;
  std::string dept_id;         // owner department (must exist)
  std::string component_code;  // optional grid component (must exist when given)
  // Derived, ignored on input:
  std::string cell_code;  // the grid cell of the location
  LinkState state = LinkState::offline;
  std::optional<core::Millis> last_seen_at_ms;
  bool in_alarm = false;  // the last reading was over the threshold
  bool flapping = false;
  core::Millis created_at_ms = 0;
  core::Millis updated_at_ms = 0;
};

struct SensorQuery {
  std::optional<Kind> kind;
  std::optional<LinkState> state;
  int limit = 50;
  int offset = 0;
};

struct SensorList {
  std::vector<Sensor> sensors;  // by id
  std::int64_t total = 0;
};

// Threshold conditions: numeric comparisons, or `equals` for a string value (camera event type).
enum class Op { gt, ge, lt, le, equals };
std::string_view to_string(Op op);
std::optional<Op> parse_op(std::string_view s);

struct Rule {
  Kind kind = Kind::manhole_tilt;
  Op op = Op::gt;
  double threshold = 0;  // numeric ops
  std::string match;     // equals: the value that is an alarm ("illegal_parking")
  std::string unit;      // expected unit ("deg", "m", …); "" = any; a different unit is malformed
  grid::ClassKind class_kind = grid::ClassKind::event;
  std::string class_code;  // must exist in the grid classes; a component class is replaced by the
                           // class of the sensor's component when it names one
  int dedup_window_min = 60;  // 0–10,080; 0 = every alarm reports
  int flap_changes = 4;       // 1–1,000: more changes than this …
  int flap_window_min = 10;   // 1–1,440: … within this many minutes is flapping
  bool enabled = true;        // disabled: readings never alarm
  core::Millis updated_at_ms = 0;
};

// Built-in rules (also seeded by the migration): tilt > 15 deg → component 0103, water level >
// 0.3 m → event 0405, smoke level ≥ 2 → event 0406, parking camera "illegal_parking" → 0504.
std::vector<Rule> default_rules();

enum class Channel { alarm, heartbeat };

struct Message {
  std::string sensor_id;
  Channel channel = Channel::alarm;
  std::string msg_id;
  core::Millis at_ms = 0;
  std::optional<double> value;  // numeric value
  std::string value_text;       // string value (camera event type)
  std::string unit;
  std::optional<int> level;
};

// Parses a topic and payload strictly. Pure. invalid_input with the field ("topic", "/msg_id",
// "/at", "/value", "/unit", "/level", "" for broken JSON, or the unknown member's path).
Result<Message> parse_message(std::string_view topic, std::string_view payload,
                              std::string_view topic_prefix = "yiwang/sensors");

enum class Outcome {
  pending,          // recorded, grid event not yet attached (only seen after a crash)
  created,          // reported as a new grid event
  deduplicated,     // attached to an earlier alarm's open event
  suppressed,       // the sensor is flapping
  failed,           // the grid refused the report (error kept on the alarm)
  below_threshold,  // a reading, no alarm (not stored as an alarm)
  heartbeat,
  replayed,  // seen before: nothing changed
};
std::string_view to_string(Outcome o);
std::optional<Outcome> parse_outcome(std::string_view s);

struct Alarm {
  std::string id;  // "IA" + yyyymmdd + 10 digits
  std::string sensor_id;
  Kind kind = Kind::manhole_tilt;
  std::string msg_id;
  std::optional<double> value;
  std::string value_text;
  std::string unit;
  std::optional<int> level;
  core::Millis at_ms = 0;  // device time
  core::Millis received_at_ms = 0;
  Outcome outcome = Outcome::pending;
  std::string event_id;     // the grid event (created: its own; deduplicated: the one attached to)
  std::string attached_to;  // deduplicated: the alarm that created the event
  std::int64_t duplicates = 0;  // created: how many later alarms were attached
  std::string error;            // failed: why
};

struct AlarmQuery {
  std::string sensor_id;
  std::optional<Outcome> outcome;
  int limit = 50;
  int offset = 0;
};

struct AlarmList {
  std::vector<Alarm> alarms;  // newest first
  std::int64_t total = 0;
};

struct IngestResult {
  Outcome outcome = Outcome::heartbeat;
  std::string alarm_id;
  std::string event_id;
};

// Since start of the process.
struct Counters {
  std::int64_t received = 0, malformed = 0, unknown_sensor = 0, replayed = 0, heartbeats = 0,
               below_threshold = 0, created = 0, deduplicated = 0, suppressed = 0, failed = 0;
};

struct StatusSummary {
  std::int64_t sensors = 0, online = 0, offline = 0, never_seen = 0, in_alarm = 0, flapping = 0;
  std::int64_t pending_alarms = 0;
  bool subscriber_running = false;
  bool broker_connected = false;
  Counters counters;
};

struct SweepResult {
  int went_offline = 0;
  int flapping_cleared = 0;
  int resumed = 0;  // pending alarms completed
  std::int64_t pruned_messages = 0;
};

struct Options {
  std::string broker_host = "127.0.0.1";
  int broker_port = 1883;
  std::string client_id = "yiwang-iot";
  std::string username, password;  // empty: anonymous
  std::string topic_prefix = "yiwang/sensors";
  int keepalive_s = 30;
  core::Millis reconnect_min_ms = 500;  // backoff doubles up to the max
  core::Millis reconnect_max_ms = 30000;
  core::Millis offline_after_ms = 10LL * 60 * 1000;
  core::Millis sweep_interval_ms = 30000;  // 0: no sweep thread (tests call sweep())
  core::Millis message_retention_ms = 7LL * 24 * 3600 * 1000;
  core::Millis max_clock_skew_ms = 5LL * 60 * 1000;  // device time further ahead is malformed
  std::size_t max_payload_bytes = 4096;
  std::function<void(std::string_view)> log;  // unset: stderr
};

std::vector<store::Migration> migrations();

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          identity::Service& identity, grid::Service& grid, Options options = {});
  ~Service();  // stops the subscriber
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const Options& options() const;

  // Resumes pending alarms, then starts the MQTT network thread (connects, subscribes, reconnects
  // with backoff; an unreachable broker is retried, not an error) and the sweep thread.
  // invalid_input for unusable options; conflict when already running.
  Status start();
  void stop();  // idempotent; returns when both threads have ended
  bool connected() const;

  // -- Inventory. invalid_input on "/id", "/kind", "/name", "/location" (outside the grid),
  // "/dept_id", "/component_code"; create: conflict for a taken id; update: not_found.
  Result<Sensor> create_sensor(const Sensor& s, const identity::Principal& by);
  Result<Sensor> update_sensor(const Sensor& s, const identity::Principal& by);
  // Whether `by` may register or edit sensors at all (forbidden), asked before the body is read.
  Status may_edit_sensors(const identity::Principal& by) const;
  Result<Sensor> get_sensor(std::string_view id, const identity::Principal& by);
  Result<SensorList> list_sensors(const SensorQuery& q, const identity::Principal& by);

  // -- Rules: one per kind. Admins edit (upsert); invalid_input on "/op", "/threshold", "/match",
  // "/class_code", "/dedup_window_min", ….
  Result<std::vector<Rule>> list_rules(const identity::Principal& by);
  Result<Rule> save_rule(const Rule& r, const identity::Principal& by);

  Result<AlarmList> list_alarms(const AlarmQuery& q, const identity::Principal& by);
  Result<StatusSummary> status(const identity::Principal& by);

  // -- Intake (the subscriber calls this for every message; tests and the demo may too).
  // invalid_input for malformed messages, not_found for unknown sensors (both counted, nothing
  // stored); internal / overloaded when the store failed (the message may be redelivered).
  Result<IngestResult> ingest(std::string_view topic, std::string_view payload);

  // Offline detection, flapping recovery, resuming pending alarms older than a minute, pruning
  // the replay table. The sweep thread runs it every sweep_interval_ms.
  Result<SweepResult> sweep();

  Counters counters() const;

  struct Impl;  // internal.h; public only so that the module's own free functions can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// Routes under /api/v1/iot: GET/POST sensors, GET/PUT sensors/{id}, GET rules, PUT rules/{kind},
// GET alarms (?sensor=&outcome=&limit=&offset=), GET status.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

// ---- Demo --------------------------------------------------------------------------------------

struct DemoSensorOptions {
  int sensors = 36;  // spread over the kinds, one per cell centre of the grid demo's lattice
  int columns = 10;  // as grid::DemoOptions
  int cells = 60;
  grid::Point origin{118.78, 31.95};
  double cell_deg = 0.004;
  bool mark_seen = true;    // feed one heartbeat each so that they start online
  core::Millis now_ms = 0;  // device time of those heartbeats; 0 = the system clock
};

// Registers demo sensors over the grid demo's district (run after grid::load_demo): ids
// "demo-<kind>-NN", owners szgy (manhole, water), gaj (smoke, parking). Existing ids are skipped,
// so it may run at every demo start. `by` must be an admin.
Status load_demo_sensors(Service& service, const identity::Principal& by,
                         const DemoSensorOptions& options = {});

}  // namespace yiwang::iot
