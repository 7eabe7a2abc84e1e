// Shared set-up of the IoT tests: a store on one backend, identity with the grid centre's staff,
// two grid cells (after tests/grid/service_test.cpp), the grid service and the IoT service.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "events/events.h"
#include "grid/grid.h"
#include "iot/iot.h"
#include "support/test_store.h"

namespace yiwang::iot::test {

using identity::Role;

inline core::Millis at(unsigned m, unsigned d, int hour, int minute = 0) {
  using namespace std::chrono;
  return core::china_midnight(core::Date{year{2026}, month{m}, day{d}}) +
         (hour * 60 + minute) * 60000LL;
}

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

inline std::string square(const std::string& code, double x0, double y0, double side,
                          const std::string& sup) {
  auto f = [](double v) { return std::to_string(v); };
  double x1 = x0 + side, y1 = y0 + side;
  return R"({"type":"Feature","properties":{"code":")" + code +
         R"(","name":"网格","street_name":"东山街道","community_name":"幸福社区","supervisors":[)" +
         sup + R"(]},"geometry":{"type":"Polygon","coordinates":[[[)" + f(x0) + "," + f(y0) +
         "],[" + f(x1) + "," + f(y0) + "],[" + f(x1) + "," + f(y1) + "],[" + f(x0) + "," + f(y1) +
         "],[" + f(x0) + "," + f(y0) + "]]]}}";
}

inline const std::string kCells = R"({"type":"FeatureCollection","features":[)" +
                                  square("329900001001001", 118.0, 31.0, 0.01, R"("jdy01")") + "," +
                                  square("329900001001002", 118.01, 31.0, 0.01, "") + "]}";

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

class Fixture {
 protected:
  void set_up(const std::string& backend, Options options = {}) {
    store_ = yiwang::testing::make_store(backend);
    std::vector<store::Migration> all;
    for (auto list :
         {events::migrations(), identity::migrations(), grid::migrations(), iot::migrations()}) {
      all.insert(all.end(), list.begin(), list.end());
    }
    ASSERT_TRUE(store::migrate(*store_, all));
    identity::Options io;
    io.pwhash_opslimit = 1;
    io.pwhash_memlimit = 8192;
    ids_ = std::make_unique<identity::Service>(*store_, clock_, random_, io);
    for (auto [id, name] :
         {std::pair{"grid", "城市运行管理中心"}, std::pair{"szgy", "市政公用"},
          std::pair{"gaj", "公安局"}, std::pair{"cgj", "城管局"}, std::pair{"jdy", "监督员队伍"}}) {
      ASSERT_TRUE(ids_->create_department({id, name, "", "", ""}, nullptr));
    }
    admin_ = official("admin", "grid", {Role::admin});
    clerk_ = official("grid.clerk", "grid", {Role::clerk});
    dispatcher_ = official("grid.dispatcher", "grid", {Role::reviewer});
    chief_ = official("grid.chief", "grid", {Role::approver});
    szgy_ = official("szgy.clerk", "szgy", {Role::clerk});
    cgj_ = official("cgj.clerk", "cgj", {Role::clerk});
    jdy01_ = official("jdy01", "jdy", {Role::clerk});
    identity::NewUser u;
    u.username = "zhangsan";
    u.password = "password123";
    u.kind = identity::Kind::citizen;
    u.display_name = "张三";
    u.id_number =
        std::string("11010519491231002") + identity::citizen_id_check("11010519491231002");
    auto c = ids_->create_user(u, nullptr);
    ASSERT_TRUE(c) << c.error().message_en;
    citizen_ = *c;
    grid_ = std::make_unique<grid::Service>(*store_, clock_, random_, *ids_);
    auto n = grid_->import_cells(kCells, true, admin_);
    ASSERT_TRUE(n) << n.error().field << " " << n.error().message_en;
    options.sweep_interval_ms = 0;
    options.log = [](std::string_view) {};
    iot_ = std::make_unique<Service>(*store_, clock_, random_, *ids_, *grid_, options);
  }

  identity::Principal official(const std::string& name, const std::string& dept,
                               std::set<Role> roles) {
    identity::NewUser u;
    u.username = name;
    u.password = "password123";
    u.kind = identity::Kind::official;
    u.display_name = name;
    u.dept_id = dept;
    u.roles = std::move(roles);
    auto p = ids_->create_user(u, nullptr);
    EXPECT_TRUE(p) << p.error().message_en;
    return p ? *p : identity::Principal{};
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

  SharedClock clock_{at(3, 2, 9, 0)};  // a Monday
  core::SystemRandom random_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Service> ids_;
  std::unique_ptr<grid::Service> grid_;
  std::unique_ptr<Service> iot_;
  identity::Principal admin_, clerk_, dispatcher_, chief_, szgy_, cgj_, jdy01_, citizen_;
};

}  // namespace yiwang::iot::test
