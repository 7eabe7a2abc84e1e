// Shared set-up of the IoT tests: the grid's test platform (tests/grid/fixture.h) with the IoT
// migrations, the grid centre's staff, two grid cells, the grid service and the IoT service.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "grid/fixture.h"
#include "iot/iot.h"

namespace yiwang::iot::test {

using grid::testing::at;
using identity::Role;

// The subscriber's thread reads the clock while the test moves it.
class SharedClock final : public core::Clock {
 public:
  explicit SharedClock(core::Millis t) : now_(t) {}
  core::Millis now_ms() const override { return now_.load(); }
  void set(core::Millis t) { now_ = t; }
  void advance(core::Millis d) { now_ += d; }

 private:
  std::atomic<core::Millis> now_;
};

inline const std::string kCells = grid::testing::two_cells({"jdy01"}, {});

inline AlarmQuery of_sensor(std::string id) {
  AlarmQuery q;
  q.sensor_id = std::move(id);
  return q;
}

inline AlarmQuery of_outcome(Outcome o) {
  AlarmQuery q;
  q.outcome = o;
  return q;
}

class Fixture : public grid::testing::GridPlatform {
 protected:
  void set_up(Options options = {}) {
    ASSERT_NO_FATAL_FAILURE(open_grid(clock_.now_ms(),
                                      {{"grid", "城市运行管理中心"},
                                       {"szgy", "市政公用"},
                                       {"gaj", "公安局"},
                                       {"cgj", "城管局"},
                                       {"jdy", "监督员队伍"}},
                                      {iot::migrations()}));
    centre_staff();
    szgy_ = official("szgy.clerk", "szgy", {Role::clerk});
    cgj_ = official("cgj.clerk", "cgj", {Role::clerk});
    jdy01_ = official("jdy01", "jdy", {Role::clerk});
    citizen_ = citizen("zhangsan", "张三", "11010519491231002");
    grid_ =
        std::make_unique<grid::Service>(*store_, clock_, random_, *ids_, GridPlatform::options());
    ASSERT_EQ(import(*grid_, kCells), 2);
    options.sweep_interval_ms = 0;
    options.log = [](std::string_view) {};
    iot_ = std::make_unique<Service>(*store_, clock_, random_, *ids_, *grid_, options);
  }

  Sensor sensor(std::string id, Kind kind, double lon = 118.005, double lat = 31.005) {
    Sensor s;
    s.id = std::move(id);
    s.kind = kind;
    s.name = "测试传感器 " + s.id;
    s.location = {lon, lat};
    s.dept_id = "szgy";
    return s;
  }

  Sensor add(std::string id, Kind kind, double lon = 118.005, double lat = 31.005) {
    auto s = iot_->create_sensor(sensor(std::move(id), kind, lon, lat), admin_);
    EXPECT_TRUE(s) << s.error().field << " " << s.error().message_en;
    return s ? *s : Sensor{};
  }

  static std::string topic(const std::string& id, const std::string& channel = "alarm") {
    return "yiwang/sensors/" + id + "/" + channel;
  }

  std::string payload(const std::string& msg_id, const std::string& value_json,
                      const std::string& extra = "") const {
    std::string p = R"({"msg_id":")" + msg_id + R"(","at":)" + std::to_string(clock_.now_ms());
    if (!value_json.empty()) p += R"(,"value":)" + value_json;
    return p + extra + "}";
  }

  std::int64_t grid_events() {
    auto l = grid_->list({}, admin_);
    EXPECT_TRUE(l);
    return l ? l->total : -1;
  }

  std::int64_t events_of(const std::string& type) {
    auto n = store_->read([&](store::Tx& tx) -> Result<std::int64_t> {
      return tx.query_one("SELECT COUNT(*) FROM events WHERE type = ?", {type})->int64(0);
    });
    EXPECT_TRUE(n);
    return n ? *n : -1;
  }

  grid::GridEvent step(const std::string& id, grid::Action a, const identity::Principal& by) {
    grid::ActionRequest r;
    r.action = a;
    if (a == grid::Action::feedback) r.feedback = "已处置";
    if (a == grid::Action::check) r.passed = true;
    clock_.advance(60000LL);
    auto e = grid_->act(id, r, by);
    EXPECT_TRUE(e) << grid::to_string(a) << ": " << e.error().field << " " << e.error().message_en;
    return e ? *e : grid::GridEvent{};
  }

  // 立案 → 派遣 → 处置 → 核查 → 结案 of a sensor event of class 0405 (szgy).
  grid::GridEvent close_loop(const std::string& id) {
    step(id, grid::Action::accept, clerk_);
    step(id, grid::Action::register_, chief_);
    auto d = step(id, grid::Action::dispatch, dispatcher_);
    EXPECT_EQ(d.dept_id, "szgy");
    step(id, grid::Action::feedback, szgy_);
    step(id, grid::Action::check, jdy01_);
    return step(id, grid::Action::close, chief_);
  }

  // The grid and IoT services run on this clock (it hides the platform's, which only identity
  // keeps, fixed at the start): the subscriber's thread reads it while the test moves it.
  SharedClock clock_{at(3, 2, 9, 0)};  // a Monday
  std::unique_ptr<grid::Service> grid_;
  std::unique_ptr<Service> iot_;
  identity::Principal szgy_, cgj_, jdy01_, citizen_;
};

}  // namespace yiwang::iot::test
