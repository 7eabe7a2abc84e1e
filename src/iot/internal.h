// Shared between the IoT service and its MQTT subscriber, and nothing else.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "iot/iot.h"

namespace yiwang::iot {

struct Service::Impl {
  Impl(store::Store& s, const core::Clock& c, core::Random& r, identity::Service& i,
       grid::Service& g, Options o)
      : store(s), clock(c), random(r), identity(i), grid(g), options(std::move(o)) {}

  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  grid::Service& grid;
  Options options;

  struct {
    std::atomic<std::int64_t> received{0}, malformed{0}, unknown_sensor{0}, replayed{0},
        heartbeats{0}, below_threshold{0}, created{0}, deduplicated{0}, suppressed{0}, failed{0};
  } counters;

  // Subscriber (mqtt.cpp).
  std::mutex run_mu;  // start/stop
  bool running = false;
  std::atomic<bool> connected{false};
  std::jthread network;
  std::jthread sweeper;
  Status start_subscriber();
  void stop_subscriber();

  void log(std::string_view line) const;
  Result<IngestResult> ingest(std::string_view topic, std::string_view payload);
  Result<SweepResult> sweep(core::Millis pending_min_age_ms);
};

}  // namespace yiwang::iot
