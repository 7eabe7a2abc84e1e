// Demo sensors over the grid demo's lattice of cells.
#include <cstdio>

#include "iot/iot.h"

namespace yiwang::iot {

namespace {

const Kind kKinds[] = {Kind::manhole_tilt, Kind::water_level, Kind::smoke, Kind::parking_camera};

// "demo-<kind>-NN" of the i-th demo sensor: kinds in turn, numbered per kind.
std::string demo_id(int i) {
  char id[48];
  std::snprintf(id, sizeof id, "demo-%s-%02d", std::string(to_string(kKinds[i % 4])).c_str(),
                i / 4 + 1);
  return id;
}

}  // namespace

Status load_demo_sensors(Service& service, const identity::Principal& by,
                         const DemoSensorOptions& o) {
  if (o.columns < 1 || o.cells < 1 || o.sensors < 0) {
    return fail(ErrorCode::invalid_input, "", "演示参数无效", "invalid demo options");
  }
  const char* names[] = {"雨水井盖倾斜传感器", "下穿通道积水传感器", "沿街商铺烟感",
                         "违停抓拍摄像头"};
  const char* depts[] = {"szgy", "szgy", "gaj", "gaj"};
  for (int i = 0; i < o.sensors; ++i) {
    const int k = i % 4;
    // Spread over the cells, off the centre so that kinds in one cell do not share a point.
    const int cell = (i * 7) % o.cells;
    const int col = cell % o.columns, row = cell / o.columns;
    Sensor s;
    s.id = demo_id(i);
    s.kind = kKinds[k];
    s.name = std::string(names[k]) + " " + std::to_string(i / 4 + 1) + " 号";
    s.location = {o.origin.lon + (col + 0.3 + 0.1 * k) * o.cell_deg,
                  o.origin.lat + (row + 0.4 + 0.05 * k) * o.cell_deg};
    s.dept_id = depts[k];
    if (auto existing = service.get_sensor(s.id, by); existing) continue;
    auto created = service.create_sensor(s, by);
    if (!created) return fail(created.error());
  }
  if (o.mark_seen) {
    // Through the real intake, so that they come online the way a device would bring them.
    for (int i = 0; i < o.sensors; ++i) {
      std::string topic = service.options().topic_prefix + "/" + demo_id(i) + "/heartbeat";
      const core::Millis now = o.now_ms ? o.now_ms : core::SystemClock().now_ms();
      auto r = service.ingest(topic, "{\"msg_id\":\"demo-boot-" + std::to_string(now) +
                                         "\",\"at\":" + std::to_string(now) + "}");
      if (!r && r.error().code != ErrorCode::invalid_input) return fail(r.error());
    }
  }
  return {};
}

}  // namespace yiwang::iot
