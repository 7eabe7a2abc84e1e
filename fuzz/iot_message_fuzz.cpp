// Sensor messages from the MQTT broker (iot/iot.h, parse_message): anything on the broker that a
// device, or whoever holds its credentials, publishes under yiwang/sensors/#.
//
// Input: "<topic>\n<payload>". Checks: an accepted message has a valid sensor id, a 1–64
// printable msg_id, a positive time, a finite value, a level in 0..100 and a value on every
// alarm; written back as the JSON a device sends, it parses to the same message.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "iot/iot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view topic = input.substr(0, nl), payload = input.substr(nl + 1);

  auto m = iot::parse_message(topic, payload);
  if (!m) {
    fuzz::check(m.error().code == ErrorCode::invalid_input, "a refusal is invalid input");
    return 0;
  }
  fuzz::check(iot::valid_sensor_id(m->sensor_id), "a valid sensor id");
  fuzz::check(!m->msg_id.empty() && m->msg_id.size() <= 64 && m->at_ms > 0, "msg_id and time");
  fuzz::check(!m->value || std::isfinite(*m->value), "a finite value");
  fuzz::check(!m->level || (*m->level >= 0 && *m->level <= 100), "a level in 0..100");
  fuzz::check(m->channel == iot::Channel::heartbeat || m->value || !m->value_text.empty(),
              "an alarm carries a value");

  nlohmann::json again = {{"msg_id", m->msg_id}, {"at", m->at_ms}};
  if (m->value) again["value"] = *m->value;
  if (!m->value_text.empty()) again["value"] = m->value_text;
  if (!m->unit.empty()) again["unit"] = m->unit;
  if (m->level) again["level"] = *m->level;
  auto reparsed = iot::parse_message(topic, again.dump());
  fuzz::check(reparsed.has_value(), "a message written back parses");
  fuzz::check(reparsed->msg_id == m->msg_id && reparsed->at_ms == m->at_ms &&
                  reparsed->value == m->value && reparsed->value_text == m->value_text &&
                  reparsed->unit == m->unit && reparsed->level == m->level,
              "a message written back reads the same");
  return 0;
}
