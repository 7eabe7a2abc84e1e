// Private to the IoT module: Service::Impl and the helpers its source files share (rows, access
// checks), used by the service, its intake and its MQTT subscriber.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/thread_annotations.h"
#include "iot/iot.h"

namespace yiwang::iot {

struct Service::Impl {
  Impl(store::Store& s, const core::Clock& c, core::Random& r, identity::Service& i,
       grid::Service& g, Options o)
      : store(s), clock(c), random(r), identity(i), grid(g), options(std::move(o)) {}

  // Constant after construction: read without a lock.
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  grid::Service& grid;
  const Options options;

  struct {
    std::atomic<std::int64_t> received{0}, malformed{0}, unknown_sensor{0}, replayed{0},
        heartbeats{0}, below_threshold{0}, created{0}, deduplicated{0}, suppressed{0}, failed{0};
  } counters;

  // Subscriber (mqtt.cpp): start and stop hold run_mu; the network thread sets `connected`.
  std::atomic<bool> connected{false};
  core::Mutex run_mu;
  bool running GUARDED_BY(run_mu) = false;
  std::jthread network GUARDED_BY(run_mu);
  std::jthread sweeper GUARDED_BY(run_mu);
  Status start_subscriber() EXCLUDES(run_mu);
  void stop_subscriber() EXCLUDES(run_mu);
  bool subscriber_running() EXCLUDES(run_mu);

  void log(std::string_view line) const;
  // intake.cpp
  Result<IngestResult> ingest(std::string_view topic, std::string_view payload);
  Result<SweepResult> sweep(core::Millis pending_min_age_ms);
};

namespace detail {

constexpr core::Millis kMinute = 60000;

// ---- Errors and access (service.cpp) ------------------------------------------------------------

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en);
tl::unexpected<Error> forbidden(std::string zh, std::string en);
tl::unexpected<Error> sensor_not_found();
tl::unexpected<Error> rule_missing();

bool is_admin(const identity::Principal& p);
// Admins and officials of the grid centre.
Status can_read(const identity::Principal& by, const grid::Service& grid);
// Admins and the grid centre's approvers.
Status can_edit_sensors(const identity::Principal& by, const grid::Service& grid);

// ---- Rows (sensors.cpp) -------------------------------------------------------------------------

extern const char* const kSensorColumns;
extern const char* const kAlarmColumns;
Sensor sensor_of(const store::Row& r);
std::optional<Sensor> load_sensor(store::Tx& tx, std::string_view id);
std::optional<Rule> load_rule(store::Tx& tx, Kind k);
Alarm alarm_of(const store::Row& r);
std::optional<Alarm> load_alarm(store::Tx& tx, std::string_view id);

}  // namespace detail
}  // namespace yiwang::iot
