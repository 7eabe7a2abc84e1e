// IoT sensing without a broker, on both backends: message parsing, the inventory's rules, rules,
// intake decisions (threshold, replay, de-duplication, flapping, offline), resuming a pending
// alarm after a crash, and the routes' access and strict parsing.
#include "http/http.h"
#include "iot/fixture.h"
#include "support/router_client.h"

namespace yiwang::iot {
namespace {

TEST(IotMessage, ParsesStrictly) {
  auto m = parse_message("yiwang/sensors/wl-1/alarm",
                         R"({"msg_id":"m1","at":1772413200000,"value":0.42,"unit":"m","level":2})");
  ASSERT_TRUE(m) << m.error().field;
  EXPECT_EQ(m->sensor_id, "wl-1");
  EXPECT_EQ(m->channel, Channel::alarm);
  EXPECT_DOUBLE_EQ(*m->value, 0.42);
  EXPECT_EQ(m->unit, "m");
  EXPECT_EQ(*m->level, 2);
  auto cam = parse_message("yiwang/sensors/cam-1/alarm",
                           R"({"msg_id":"c1","at":1,"value":"illegal_parking"})");
  ASSERT_TRUE(cam);
  EXPECT_EQ(cam->value_text, "illegal_parking");
  EXPECT_TRUE(parse_message("yiwang/sensors/wl-1/heartbeat", R"({"msg_id":"h","at":5})"));

  auto field = [](std::string_view topic, std::string_view payload) {
    auto r = parse_message(topic, payload);
    return r ? std::string("ok") : r.error().field;
  };
  EXPECT_EQ(field("other/wl-1/alarm", R"({"msg_id":"m","at":1,"value":1})"), "topic");
  EXPECT_EQ(field("yiwang/sensors/wl+1/alarm", R"({"msg_id":"m","at":1,"value":1})"), "topic");
  EXPECT_EQ(field("yiwang/sensors/wl-1/status", R"({"msg_id":"m","at":1,"value":1})"), "topic");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", "not json"), "");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", "[1]"), "");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", R"({"at":1,"value":1})"), "/msg_id");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", R"({"msg_id":"","at":1,"value":1})"), "/msg_id");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", R"({"msg_id":"m","at":"now","value":1})"), "/at");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", R"({"msg_id":"m","at":1})"), "/value");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", R"({"msg_id":"m","at":1,"value":[1]})"), "/value");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", R"({"msg_id":"m","at":1,"value":1,"level":-1})"),
            "/level");
  EXPECT_EQ(field("yiwang/sensors/wl-1/alarm", R"({"msg_id":"m","at":1,"value":1,"x":1})"), "/x");
}

class IotService : public test::Fixture {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(set_up()); }

  Result<IngestResult> alarm(const std::string& id, const std::string& msg, const std::string& v,
                             const std::string& extra = "") {
    return iot_->ingest(topic(id), payload(msg, v, extra));
  }
  Outcome outcome(const std::string& id, const std::string& msg, const std::string& v) {
    auto r = alarm(id, msg, v);
    EXPECT_TRUE(r) << r.error().field << " " << r.error().message_en;
    return r ? r->outcome : Outcome::failed;
  }
};

TEST_P(IotService, DefaultRulesAreSeeded) {
  auto rules = iot_->list_rules(clerk_);
  ASSERT_TRUE(rules);
  auto want = default_rules();
  ASSERT_EQ(rules->size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*rules)[i].kind, want[i].kind);
    EXPECT_EQ((*rules)[i].op, want[i].op);
    EXPECT_DOUBLE_EQ((*rules)[i].threshold, want[i].threshold);
    EXPECT_EQ((*rules)[i].match, want[i].match);
    EXPECT_EQ((*rules)[i].unit, want[i].unit);
    EXPECT_EQ((*rules)[i].class_kind, want[i].class_kind);
    EXPECT_EQ((*rules)[i].class_code, want[i].class_code);
    EXPECT_EQ((*rules)[i].dedup_window_min, want[i].dedup_window_min);
  }
}

TEST_P(IotService, InventoryRules) {
  auto field = [&](Sensor s) {
    auto r = iot_->create_sensor(s, admin_);
    return r ? std::string("ok") : r.error().field;
  };
  Sensor s = sensor("wl-1", Kind::water_level);
  EXPECT_EQ(field([&] {
              auto x = s;
              x.id = "a/b";
              return x;
            }()),
            "/id");
  EXPECT_EQ(field([&] {
              auto x = s;
              x.name = "";
              return x;
            }()),
            "/name");
  EXPECT_EQ(field([&] {
              auto x = s;
              x.location = {119.0, 31.0};
              return x;
            }()),
            "/location");
  EXPECT_EQ(field([&] {
              auto x = s;
              x.dept_id = "nope";
              return x;
            }()),
            "/dept_id");
  EXPECT_EQ(field([&] {
              auto x = s;
              x.component_code = "3299000103000001";
              return x;
            }()),
            "/component_code");
  EXPECT_EQ(iot_->create_sensor(s, clerk_).error().code, ErrorCode::forbidden);
  EXPECT_EQ(iot_->list_sensors({}, citizen_).error().code, ErrorCode::forbidden);
  EXPECT_EQ(iot_->list_sensors({}, szgy_).error().code, ErrorCode::forbidden);

  auto created = iot_->create_sensor(s, chief_);
  ASSERT_TRUE(created) << created.error().field;
  EXPECT_EQ(created->cell_code, "329900001001001");
  EXPECT_EQ(created->state, LinkState::offline);
  EXPECT_FALSE(created->last_seen_at_ms);
  EXPECT_EQ(iot_->create_sensor(s, admin_).error().code, ErrorCode::conflict);

  s.name = "改名";
  s.location = {118.015, 31.005};
  auto updated = iot_->update_sensor(s, admin_);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->cell_code, "329900001001002");
  EXPECT_EQ(iot_->get_sensor("wl-1", clerk_)->name, "改名");
  Sensor missing = sensor("nope", Kind::smoke);
  EXPECT_EQ(iot_->update_sensor(missing, admin_).error().code, ErrorCode::not_found);
  EXPECT_EQ(iot_->list_sensors({}, clerk_)->total, 1);
  EXPECT_EQ(events_of("iot.sensor_created"), 1);
  EXPECT_EQ(events_of("iot.sensor_updated"), 1);
}

TEST_P(IotService, RulesAreValidatedAndApply) {
  Rule r = default_rules()[1];  // water level > 0.3 m
  EXPECT_EQ(iot_->save_rule(r, chief_).error().code, ErrorCode::forbidden);
  auto field = [&](Rule x) {
    auto s = iot_->save_rule(x, admin_);
    return s ? std::string("ok") : s.error().field;
  };
  EXPECT_EQ(field([&] {
              auto x = r;
              x.class_code = "9999";
              return x;
            }()),
            "/class_code");
  EXPECT_EQ(field([&] {
              auto x = r;
              x.class_kind = grid::ClassKind::component;
              return x;
            }()),
            "/class_code");
  EXPECT_EQ(field([&] {
              auto x = r;
              x.op = Op::equals;
              return x;
            }()),
            "/match");
  EXPECT_EQ(field([&] {
              auto x = r;
              x.flap_changes = 0;
              return x;
            }()),
            "/flap_changes");
  EXPECT_EQ(field([&] {
              auto x = r;
              x.dedup_window_min = -1;
              return x;
            }()),
            "/dedup_window_min");

  add("wl-1", Kind::water_level);
  EXPECT_EQ(outcome("wl-1", "m1", "0.4"), Outcome::created);
  r.threshold = 0.5;
  ASSERT_TRUE(iot_->save_rule(r, admin_));
  EXPECT_EQ(events_of("iot.rule_saved"), 1);
  EXPECT_EQ(outcome("wl-1", "m2", "0.45"), Outcome::below_threshold);
  auto unit = alarm("wl-1", "m3", "45", R"(,"unit":"cm")");
  ASSERT_FALSE(unit);
  EXPECT_EQ(unit.error().field, "/unit");
  EXPECT_EQ(alarm("wl-1", "m4", R"("high")").error().field, "/value");
}

TEST_P(IotService, AlarmsBecomeGridEventsOnce) {
  add("wl-1", Kind::water_level);
  add("wl-2", Kind::water_level);
  add("cam-1", Kind::parking_camera);
  add("smoke-1", Kind::smoke);

  auto first = alarm("wl-1", "m1", "0.42", R"(,"unit":"m","level":2)");
  ASSERT_TRUE(first) << first.error().message_en;
  EXPECT_EQ(first->outcome, Outcome::created);
  ASSERT_FALSE(first->event_id.empty());
  auto e = grid_->get(first->event_id, admin_);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->event.source, grid::Source::sensor);
  EXPECT_EQ(e->event.class_code, "0405");
  EXPECT_EQ(e->event.external_ref, first->alarm_id);
  EXPECT_EQ(e->event.where.cell_code, "329900001001001");
  EXPECT_NE(e->event.description.find("测试传感器 wl-1"), std::string::npos);
  EXPECT_NE(e->event.description.find("0.42m"), std::string::npos);
  EXPECT_EQ(grid_events(), 1);

  // The same message again changes nothing.
  auto replay = alarm("wl-1", "m1", "0.42", R"(,"unit":"m","level":2)");
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->outcome, Outcome::replayed);
  EXPECT_EQ(grid_events(), 1);

  // Within the window, while the event is open: attached and counted.
  clock_.advance(5 * 60000);
  auto second = alarm("wl-1", "m2", "0.5");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->outcome, Outcome::deduplicated);
  EXPECT_EQ(second->event_id, first->event_id);
  EXPECT_EQ(grid_events(), 1);
  auto list = iot_->list_alarms(test::of_sensor("wl-1"), clerk_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->total, 2);
  EXPECT_EQ(list->alarms[1].id, first->alarm_id);
  EXPECT_EQ(list->alarms[1].duplicates, 1);
  EXPECT_EQ(list->alarms[1].event_id, first->event_id);
  EXPECT_EQ(list->alarms[0].attached_to, first->alarm_id);

  // Another sensor, a string condition, a below-threshold reading.
  EXPECT_EQ(outcome("wl-2", "m1", "0.1"), Outcome::below_threshold);
  EXPECT_EQ(outcome("cam-1", "c1", R"("red_light")"), Outcome::below_threshold);
  EXPECT_EQ(outcome("cam-1", "c2", R"("illegal_parking")"), Outcome::created);
  EXPECT_EQ(outcome("smoke-1", "s1", "2"), Outcome::created);  // ≥ 2
  EXPECT_EQ(grid_events(), 3);
  EXPECT_EQ(iot_->list_alarms({}, clerk_)->total, 4);

  // Once the event is closed, the next alarm is a new event even within the window.
  auto closed = close_loop(first->event_id);
  EXPECT_EQ(closed.state, grid::State::closed);
  auto third = alarm("wl-1", "m3", "0.6");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->outcome, Outcome::created);
  EXPECT_NE(third->event_id, first->event_id);

  auto c = iot_->counters();
  EXPECT_EQ(c.replayed, 1);
  EXPECT_EQ(c.deduplicated, 1);
  EXPECT_EQ(c.created, 4);
  EXPECT_EQ(events_of("iot.alarm_reported"), 4);
}

TEST_P(IotService, MalformedAndUnknownAreCountedNotStored) {
  add("wl-1", Kind::water_level);
  EXPECT_EQ(iot_->ingest(topic("wl-1"), "{").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(iot_->ingest(topic("ghost"), payload("m", "1")).error().code, ErrorCode::not_found);
  std::string stale = R"({"msg_id":"old","at":)" +
                      std::to_string(clock_.now_ms() - 8 * core::kDayMs) + R"(,"value":1})";
  EXPECT_EQ(iot_->ingest(topic("wl-1"), stale).error().field, "/at");
  std::string future =
      R"({"msg_id":"new","at":)" + std::to_string(clock_.now_ms() + 3600000) + R"(,"value":1})";
  EXPECT_EQ(iot_->ingest(topic("wl-1"), future).error().field, "/at");
  EXPECT_EQ(iot_->ingest(topic("wl-1"), std::string(5000, ' ')).error().code,
            ErrorCode::invalid_input);
  auto c = iot_->counters();
  EXPECT_EQ(c.malformed, 4);
  EXPECT_EQ(c.unknown_sensor, 1);
  EXPECT_EQ(iot_->get_sensor("wl-1", admin_)->state, LinkState::offline);
  EXPECT_EQ(grid_events(), 0);
}

TEST_P(IotService, FlappingIsSuppressedUntilStable) {
  add("wl-1", Kind::water_level);
  EXPECT_EQ(outcome("wl-1", "f1", "0.5"), Outcome::created);  // change 1
  EXPECT_EQ(outcome("wl-1", "f2", "0.1"), Outcome::below_threshold);
  EXPECT_EQ(outcome("wl-1", "f3", "0.5"), Outcome::deduplicated);
  EXPECT_EQ(outcome("wl-1", "f4", "0.1"), Outcome::below_threshold);  // change 4
  EXPECT_EQ(outcome("wl-1", "f5", "0.5"), Outcome::suppressed);       // 5 > 4: flapping
  EXPECT_TRUE(iot_->get_sensor("wl-1", admin_)->flapping);
  EXPECT_EQ(events_of("iot.flapping"), 1);
  EXPECT_EQ(outcome("wl-1", "f6", "0.5"), Outcome::suppressed);
  EXPECT_EQ(grid_events(), 1);

  clock_.advance(9 * 60000);
  ASSERT_TRUE(iot_->sweep());
  EXPECT_TRUE(iot_->get_sensor("wl-1", admin_)->flapping);  // last change 9 min ago
  clock_.advance(2 * 60000);
  auto sw = iot_->sweep();
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->flapping_cleared, 1);
  EXPECT_FALSE(iot_->get_sensor("wl-1", admin_)->flapping);
  EXPECT_EQ(events_of("iot.flapping_cleared"), 1);
  EXPECT_EQ(iot_->counters().suppressed, 2);
}

TEST_P(IotService, HeartbeatsAndOffline) {
  add("wl-1", Kind::water_level);
  add("wl-2", Kind::water_level);
  auto hb = iot_->ingest(topic("wl-1", "heartbeat"), payload("h1", ""));
  ASSERT_TRUE(hb) << hb.error().field;
  EXPECT_EQ(hb->outcome, Outcome::heartbeat);
  auto s = iot_->get_sensor("wl-1", admin_);
  EXPECT_EQ(s->state, LinkState::online);
  EXPECT_EQ(*s->last_seen_at_ms, clock_.now_ms());
  EXPECT_EQ(events_of("iot.sensor_online"), 1);

  clock_.advance(9 * 60000);
  ASSERT_TRUE(iot_->ingest(topic("wl-2", "heartbeat"), payload("h1", "")));
  clock_.advance(2 * 60000);  // wl-1 silent for 11 min, wl-2 for 2
  auto sw = iot_->sweep();
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->went_offline, 1);
  EXPECT_EQ(iot_->get_sensor("wl-1", admin_)->state, LinkState::offline);
  EXPECT_EQ(iot_->get_sensor("wl-2", admin_)->state, LinkState::online);
  EXPECT_EQ(events_of("iot.sensor_offline"), 1);
  EXPECT_EQ(iot_->sweep()->went_offline, 0);  // reported once
  auto st = iot_->status(clerk_);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->sensors, 2);
  EXPECT_EQ(st->online, 1);
  EXPECT_EQ(st->offline, 1);
  EXPECT_EQ(st->never_seen, 0);

  ASSERT_TRUE(iot_->ingest(topic("wl-1", "heartbeat"), payload("h2", "")));
  EXPECT_EQ(iot_->get_sensor("wl-1", admin_)->state, LinkState::online);
  EXPECT_EQ(events_of("iot.sensor_online"), 3);
}

// A crash after the alarm was recorded: the sweep reports it; a crash after the report but
// before the link: the sweep finds the event by its external_ref and reports nothing new.
TEST_P(IotService, PendingAlarmsResumeIdempotently) {
  add("wl-1", Kind::water_level);
  auto insert = [&](const std::string& id) {
    ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
      tx.exec(
          "INSERT INTO iot_alarms (id, sensor_id, kind, msg_id, value, value_text, unit, level, "
          "at_ms, received_at_ms, outcome, event_id, attached_to, duplicates, error) VALUES (?, "
          "'wl-1', 'water_level', ?, 0.5, '', 'm', NULL, ?, ?, 'pending', '', '', 0, '')",
          {id, id, clock_.now_ms(), clock_.now_ms()});
      return {};
    }));
  };
  insert("IA202603020000000001");
  insert("IA202603020000000002");
  grid::NewReport n;
  n.source = grid::Source::sensor;
  n.class_code = "0405";
  n.description = "已上报";
  n.location = {118.005, 31.005};
  n.external_ref = "IA202603020000000002";
  auto already = grid_->report(n, nullptr);
  ASSERT_TRUE(already);
  EXPECT_EQ(iot_->status(admin_)->pending_alarms, 2);

  EXPECT_EQ(iot_->sweep()->resumed, 0);  // younger than a minute: maybe still in flight
  clock_.advance(2 * 60000);
  auto sw = iot_->sweep();
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->resumed, 2);
  EXPECT_EQ(grid_events(), 2);
  auto alarms = iot_->list_alarms({}, admin_);
  for (const auto& a : alarms->alarms) {
    EXPECT_EQ(a.outcome, Outcome::created);
    if (a.id == "IA202603020000000002") {
      EXPECT_EQ(a.event_id, already->id);
    }
  }
  EXPECT_EQ(iot_->sweep()->resumed, 0);
  EXPECT_EQ(grid_events(), 2);
}

TEST_P(IotService, GridRefusalFailsTheAlarm) {
  add("wl-1", Kind::water_level);
  // The district's cells change under the sensor: the grid refuses a location outside them.
  std::string other = grid::testing::collection({grid::testing::square(
      "329900001001009", 118.1, 31.1, 0.01, grid::testing::supervisors({}))});
  ASSERT_TRUE(grid_->import_cells(other, true, admin_));
  auto r = alarm("wl-1", "m1", "0.9");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, Outcome::failed);
  auto a = iot_->list_alarms(test::of_outcome(Outcome::failed), admin_);
  ASSERT_EQ(a->total, 1);
  EXPECT_NE(a->alarms[0].error.find("/location"), std::string::npos);
  EXPECT_EQ(events_of("iot.alarm_failed"), 1);
}

TEST_P(IotService, DemoSensors) {
  // The demo's lattice, shrunk onto the test cells: 2 columns of 0.01°.
  DemoSensorOptions o;
  o.sensors = 8;
  o.columns = 2;
  o.cells = 2;
  o.origin = {118.0, 31.0};
  o.cell_deg = 0.01;
  o.now_ms = clock_.now_ms();
  ASSERT_TRUE(load_demo_sensors(*iot_, admin_, o));
  ASSERT_TRUE(load_demo_sensors(*iot_, admin_, o));  // again: nothing new
  auto st = iot_->status(admin_);
  EXPECT_EQ(st->sensors, 8);
  EXPECT_EQ(st->online, 8);
}

std::string token(identity::Service& ids, const std::string& user) {
  auto l = ids.login(user, std::string(yiwang::testing::kPassword), "127.0.0.1");
  EXPECT_TRUE(l);
  return l ? l->token : "";
}

TEST_P(IotService, Routes) {
  http::Router router;
  register_routes(router, *iot_, *ids_);
  yiwang::testing::RouterClient client(router);
  std::string admin = token(*ids_, "admin"), citizen = token(*ids_, "zhangsan"),
              clerk = token(*ids_, "grid.clerk");
  std::string body = R"({"id":"wl-9","kind":"water_level","name":"积水 9","dept_id":"szgy",)"
                     R"("location":{"lon":118.005,"lat":31.005}})";
  EXPECT_EQ(client.call("POST", "/api/v1/iot/sensors", body, "").status, 401);
  EXPECT_EQ(client.call("POST", "/api/v1/iot/sensors", body, citizen).status, 403);
  auto typo = client.call("POST", "/api/v1/iot/sensors",
                          R"({"id":"wl-9","kind":"water_level","name":"x","dept_id":"szgy",)"
                          R"("location":{"lon":118.005,"lat":31.005,"alt":3}})",
                          admin);
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("/location/alt"), std::string::npos) << typo.body;
  auto kind = client.call("POST", "/api/v1/iot/sensors",
                          R"({"id":"wl-9","kind":"lava","name":"x","dept_id":"szgy",)"
                          R"("location":{"lon":118.005,"lat":31.005}})",
                          admin);
  EXPECT_EQ(kind.status, 400);
  EXPECT_NE(kind.body.find("\"/kind\""), std::string::npos) << kind.body;
  auto created = client.call("POST", "/api/v1/iot/sensors", body, admin);
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(client.call("GET", "/api/v1/iot/sensors/wl-9", "", clerk).status, 200);
  EXPECT_EQ(client.call("GET", "/api/v1/iot/sensors", "", citizen).status, 403);
  auto upd = client.call("PUT", "/api/v1/iot/sensors/wl-9",
                         R"({"kind":"water_level","name":"积水 9 号","dept_id":"szgy",)"
                         R"("location":{"lon":118.006,"lat":31.005}})",
                         admin);
  EXPECT_EQ(upd.status, 200) << upd.body;

  auto rule = client.call("PUT", "/api/v1/iot/rules/water_level",
                          R"({"op":"gt","threshold":0.25,"unit":"m","class_kind":"event",)"
                          R"("class_code":"0405","dedup_window_min":30,"flap_changes":4,)"
                          R"("flap_window_min":10})",
                          admin);
  EXPECT_EQ(rule.status, 200) << rule.body;
  EXPECT_EQ(client
                .call("PUT", "/api/v1/iot/rules/water_level",
                      R"({"op":"gt","threshold":0.25,"class_kind":"event","class_code":"0405",)"
                      R"("dedup_window_min":30,"flap_changes":4,"flap_window_min":10})",
                      clerk)
                .status,
            403);
  auto no_threshold = client.call("PUT", "/api/v1/iot/rules/water_level",
                                  R"({"op":"gt","class_kind":"event","class_code":"0405",)"
                                  R"("dedup_window_min":30,"flap_changes":4,"flap_window_min":10})",
                                  admin);
  EXPECT_EQ(no_threshold.status, 400);
  EXPECT_NE(no_threshold.body.find("/threshold"), std::string::npos);
  EXPECT_EQ(client.call("PUT", "/api/v1/iot/rules/lava", "{}", admin).status, 404);

  ASSERT_TRUE(iot_->ingest(topic("wl-9"), payload("m1", "0.3")));
  auto alarms = client.call("GET", "/api/v1/iot/alarms?sensor=wl-9", "", clerk);
  EXPECT_EQ(alarms.status, 200);
  EXPECT_NE(alarms.body.find("\"event_id\":\"GE"), std::string::npos) << alarms.body;
  EXPECT_EQ(client.call("GET", "/api/v1/iot/alarms?outcome=bogus", "", clerk).status, 400);
  auto status = client.call("GET", "/api/v1/iot/status", "", clerk);
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("\"online\":1"), std::string::npos) << status.body;
  EXPECT_EQ(client.call("GET", "/api/v1/iot/rules", "", clerk).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, IotService, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::iot
