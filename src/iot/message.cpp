// Names, codes and the strict parser of sensor messages.
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/names.h"
#include "iot/iot.h"

namespace yiwang::iot {
namespace {

using Json = nlohmann::json;

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

constexpr auto kKinds =
    core::enum_names<Kind>("manhole_tilt", "water_level", "smoke", "parking_camera");
constexpr auto kLinkStates = core::enum_names<LinkState>("online", "offline");
constexpr auto kOps = core::enum_names<Op>("gt", "ge", "lt", "le", "equals");
constexpr auto kOutcomes =
    core::enum_names<Outcome>("pending", "created", "deduplicated", "suppressed", "failed",
                              "below_threshold", "heartbeat", "replayed");

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(Kind k) {
  return kKinds.name(k);
}
std::optional<Kind> parse_kind(std::string_view s) {
  return kKinds.parse(s);
}

std::string_view kind_name_zh(Kind k) {
  switch (k) {
    case Kind::manhole_tilt:
      return "井盖倾斜监测";
    case Kind::water_level:
      return "积水水位监测";
    case Kind::smoke:
      return "烟感监测";
    case Kind::parking_camera:
      return "违停抓拍";
  }
  return "";
}

bool valid_sensor_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view to_string(LinkState s) {
  return kLinkStates.name(s);
}
std::optional<LinkState> parse_link_state(std::string_view s) {
  return kLinkStates.parse(s);
}

std::string_view to_string(Op op) {
  return kOps.name(op);
}
std::optional<Op> parse_op(std::string_view s) {
  return kOps.parse(s);
}

std::string_view to_string(Outcome o) {
  return kOutcomes.name(o);
}
std::optional<Outcome> parse_outcome(std::string_view s) {
  return kOutcomes.parse(s);
}

std::vector<Rule> default_rules() {
  auto rule = [](Kind k, Op op, double t, std::string match, std::string unit, grid::ClassKind ck,
                 std::string cls, int dedup) {
    Rule r;
    r.kind = k;
    r.op = op;
    r.threshold = t;
    r.match = std::move(match);
    r.unit = std::move(unit);
    r.class_kind = ck;
    r.class_code = std::move(cls);
    r.dedup_window_min = dedup;
    return r;
  };
  using grid::ClassKind;
  return {rule(Kind::manhole_tilt, Op::gt, 15, "", "deg", ClassKind::component, "0103", 60),
          rule(Kind::water_level, Op::gt, 0.3, "", "m", ClassKind::event, "0405", 60),
          rule(Kind::smoke, Op::ge, 2, "", "", ClassKind::event, "0406", 30),
          rule(Kind::parking_camera, Op::equals, 0, "illegal_parking", "", ClassKind::event, "0504",
               30)};
}

namespace {

// <prefix>/<sensor_id>/<channel>: the sensor and the channel of `m`.
Status parse_topic(Message& m, std::string_view topic, std::string_view topic_prefix) {
  if (topic.size() <= topic_prefix.size() + 1 ||
      topic.substr(0, topic_prefix.size()) != topic_prefix || topic[topic_prefix.size()] != '/') {
    return bad("topic", "主题不符合约定", "topic does not follow <prefix>/<sensor_id>/<channel>");
  }
  std::string_view rest = topic.substr(topic_prefix.size() + 1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return bad("topic", "主题缺少通道", "topic has no channel");
  }
  std::string_view id = rest.substr(0, slash), channel = rest.substr(slash + 1);
  if (!valid_sensor_id(id)) return bad("topic", "传感器编号无效", "invalid sensor id in topic");
  if (channel == "alarm") {
    m.channel = Channel::alarm;
  } else if (channel == "heartbeat") {
    m.channel = Channel::heartbeat;
  } else {
    return bad("topic", "未知的通道", "unknown channel (alarm or heartbeat)");
  }
  m.sensor_id = std::string(id);
  return {};
}

// "msg_id" and "at", both required.
Status parse_identity(Message& m, const Json& j) {
  auto msg_id = j.find("msg_id");
  if (msg_id == j.end() || !msg_id->is_string()) {
    return bad("/msg_id", "缺少消息编号", "msg_id is required and must be a string");
  }
  m.msg_id = msg_id->get<std::string>();
  if (m.msg_id.empty() || m.msg_id.size() > 64 || !printable_ascii(m.msg_id)) {
    return bad("/msg_id", "消息编号须为 1–64 个可打印字符", "msg_id must be 1–64 printable ASCII");
  }
  auto at = j.find("at");
  if (at == j.end() || !at->is_number_integer()) {
    return bad("/at", "缺少时间（毫秒时间戳）", "at is required: unix milliseconds");
  }
  m.at_ms = at->get<std::int64_t>();
  if (m.at_ms <= 0) return bad("/at", "时间无效", "at must be positive");
  return {};
}

// "value" (required on alarms), "unit" and "level".
Status parse_reading(Message& m, const Json& j) {
  if (auto v = j.find("value"); v != j.end()) {
    if (v->is_number()) {
      double d = v->get<double>();
      if (!std::isfinite(d)) return bad("/value", "读数无效", "value must be finite");
      m.value = d;
    } else if (v->is_string()) {
      m.value_text = v->get<std::string>();
      if (m.value_text.empty() || m.value_text.size() > 64 || !printable_ascii(m.value_text)) {
        return bad("/value", "读数文本须为 1–64 个可打印字符",
                   "value text must be 1–64 printable ASCII");
      }
    } else {
      return bad("/value", "读数须为数字或字符串", "value must be a number or a string");
    }
  } else if (m.channel == Channel::alarm) {
    return bad("/value", "告警缺少读数", "an alarm needs a value");
  }
  if (auto u = j.find("unit"); u != j.end()) {
    if (!u->is_string()) return bad("/unit", "单位须为字符串", "unit must be a string");
    m.unit = u->get<std::string>();
    if (m.unit.size() > 16 || !printable_ascii(m.unit)) {
      return bad("/unit", "单位无效", "unit must be ≤ 16 printable ASCII");
    }
  }
  if (auto l = j.find("level"); l != j.end()) {
    if (!l->is_number_integer() || l->get<std::int64_t>() < 0 || l->get<std::int64_t>() > 100) {
      return bad("/level", "等级须为 0–100 的整数", "level must be an integer 0–100");
    }
    m.level = static_cast<int>(l->get<std::int64_t>());
  }
  return {};
}

}  // namespace

Result<Message> parse_message(std::string_view topic, std::string_view payload,
                              std::string_view topic_prefix) {
  Message m;
  if (auto st = parse_topic(m, topic, topic_prefix); !st) return fail(st.error());
  Json j = Json::parse(payload.begin(), payload.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return bad("", "消息须为 JSON 对象", "payload must be one JSON object");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k != "msg_id" && k != "at" && k != "value" && k != "unit" && k != "level") {
      return bad("/" + k, "未知字段", "unknown member");
    }
  }
  if (auto st = parse_identity(m, j); !st) return fail(st.error());
  if (auto st = parse_reading(m, j); !st) return fail(st.error());
  return m;
}

}  // namespace yiwang::iot
