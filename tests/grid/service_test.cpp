// The grid service on both backends: import, lookup, the whole loop on a manual clock with
// rework, send back, wrong roles and illegal steps (nothing changed), indicators on a known set
// (exact figures) and the demo generator's sizes.
#include <memory>

#include <gtest/gtest.h>

#include "events/events.h"
#include "grid/fixture.h"

namespace yiwang::grid {
namespace {

using identity::Role;
using testing::at;
using testing::square;

const std::string kCells = testing::two_cells({"jdy01"}, {"jdy02"});

class GridTest : public testing::GridPlatform {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_grid(at(3, 2, 8, 30),  // Monday
                                      {{"grid", "城市运行管理中心"},
                                       {"cgj", "城管局"},
                                       {"zjj", "住建局"},
                                       {"jdy", "监督员队伍"},
                                       {"12345", "热线"}}));
    centre_staff();
    cgj_ = official("cgj.clerk", "cgj", {Role::clerk});
    zjj_ = official("zjj.clerk", "zjj", {Role::clerk});
    jdy01_ = official("jdy01", "jdy", {Role::clerk});
    jdy02_ = official("jdy02", "jdy", {Role::clerk});
    citizen_ = citizen("zhangsan", "zhangsan", "11010519491231002");
    other_ = citizen("lisi", "lisi", "11010519800101001");
    service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_, options());
  }

  void import() { EXPECT_EQ(GridPlatform::import(*service_, kCells), 2); }

  NewReport report_at(double lon, double lat, std::string cls = "0101") {
    NewReport r;
    r.source = Source::supervisor;
    r.kind = ClassKind::event;
    r.class_code = std::move(cls);
    r.description = "路边暴露垃圾";
    r.location = {lon, lat};
    return r;
  }

  GridEvent report(const identity::Principal* by, Source source = Source::supervisor) {
    NewReport r = report_at(118.005, 31.005);
    r.source = source;
    auto e = service_->report(r, by);
    EXPECT_TRUE(e) << e.error().field << " " << e.error().message_en;
    return e ? *e : GridEvent{};
  }

  Result<GridEvent> act(const std::string& id, Action a, const identity::Principal& by,
                        int advance_min = 0) {
    clock_.advance(advance_min * 60000LL);
    ActionRequest r;
    r.action = a;
    if (a == Action::reject || a == Action::send_back) r.reason = "原因";
    if (a == Action::feedback) r.feedback = "已清理";
    return service_->act(id, r, by);
  }

  GridEvent ok(Result<GridEvent> r) {
    EXPECT_TRUE(r) << r.error().field << " " << r.error().message_en;
    return r ? *r : GridEvent{};
  }

  std::unique_ptr<Service> service_;
  identity::Principal cgj_, zjj_, jdy01_, jdy02_, citizen_, other_;
};

TEST_P(GridTest, ImportRulesAndLookup) {
  auto denied = service_->import_cells(kCells, true, clerk_);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::forbidden);
  std::string unknown = testing::collection(
      {square("329900001001001", 118.0, 31.0, 0.01, testing::supervisors({"jdy01", "nobody"}))});
  auto bad = service_->import_cells(unknown, true, admin_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "/features/0/properties/supervisors/1");
  EXPECT_TRUE(service_->list_cells()->empty());  // all or nothing

  import();
  auto in = service_->locate({118.015, 31.005});
  ASSERT_TRUE(in);
  EXPECT_EQ(in->cell_code, "329900001001002");
  EXPECT_EQ(in->community_code, "329900001001");
  EXPECT_EQ(in->street_code, "329900001");
  EXPECT_EQ(in->street_name, "东山街道");
  auto edge = service_->locate({118.01, 31.005});
  ASSERT_TRUE(edge);
  EXPECT_EQ(edge->cell_code, "329900001001001");
  auto out = service_->locate({118.03, 31.005});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(out.error().field, "/location");

  // A re-import replacing the set is seen by the index at once.
  std::string one = testing::collection(
      {square("329900001001009", 118.02, 31.0, 0.01, testing::supervisors({}))});
  ASSERT_TRUE(service_->import_cells(one, true, admin_));
  EXPECT_EQ(service_->locate({118.025, 31.005})->cell_code, "329900001001009");
  EXPECT_FALSE(service_->locate({118.005, 31.005}));
}

// Finding (#16, item 4): the citizen's description of an event (addresses, numbers, names) was
// stored in the clear. It is sealed at rest; what an older version left in the clear is sealed
// at start, and the event reads the same.
TEST_P(GridTest, DescriptionsAreSealedAtRest) {
  import();
  NewReport r = report_at(118.005, 31.005);
  r.description = "幸福小区 12 栋门口垃圾，联系 13812345678";
  auto e = service_->report(r, &jdy01_);
  ASSERT_TRUE(e) << e.error().message_en;
  auto raw = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          return tx.query_one("SELECT description FROM grid_events WHERE id = ?", {e->id})
              ->text(0);
        })
        .value();
  };
  EXPECT_EQ(std::string::npos, raw().find("13812345678"));
  EXPECT_EQ(r.description, service_->get(e->id, admin_)->event.description);
  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE grid_events SET description = ? WHERE id = ?", {r.description, e->id});
    return {};
  }));
  EXPECT_EQ(1, seal_at_rest(*store_).value());
  EXPECT_EQ(0, seal_at_rest(*store_).value());
  EXPECT_EQ(std::string::npos, raw().find("13812345678"));
  EXPECT_EQ(r.description, service_->get(e->id, admin_)->event.description);
}

// Officials' texts on an event (the feedback of the department, a checker's reason) can name
// the people on the spot: sealed like the description.
TEST_P(GridTest, FeedbackAndReasonsAreSealedAtRest) {
  import();
  GridEvent e = report(&jdy01_);
  ok(act(e.id, Action::accept, clerk_));
  ok(act(e.id, Action::register_, chief_));
  ok(act(e.id, Action::dispatch, dispatcher_));
  ActionRequest fb;
  fb.action = Action::feedback;
  fb.feedback = "已联系住户王小明 13900001111 清理";
  ok(service_->act(e.id, fb, cgj_));
  ActionRequest fail_check;
  fail_check.action = Action::check;
  fail_check.passed = false;
  fail_check.reason = "住户 13900002222 称仍未清理";
  ok(service_->act(e.id, fail_check, jdy01_));
  auto raw = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          auto row = tx.query_one("SELECT feedback, reason FROM grid_events WHERE id = ?", {e.id});
          return row->text(0) + "|" + row->text(1);
        })
        .value();
  };
  const std::string sealed = raw();
  EXPECT_EQ(std::string::npos, sealed.find("1390000"));
  EXPECT_EQ(std::string::npos, sealed.find("王小明"));
  auto read = service_->get(e.id, admin_)->event;
  EXPECT_EQ(fb.feedback, read.feedback);
  EXPECT_EQ(fail_check.reason, read.reason);
  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE grid_events SET feedback = ?, reason = ? WHERE id = ?",
            {fb.feedback, fail_check.reason, e.id});
    return {};
  }));
  EXPECT_EQ(2, seal_at_rest(*store_).value());
  EXPECT_EQ(std::string::npos, raw().find("1390000"));
  EXPECT_EQ(fail_check.reason, service_->get(e.id, admin_)->event.reason);
}

TEST_P(GridTest, ReportRules) {
  import();
  auto outside = service_->report(report_at(119.0, 31.0), &jdy01_);
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().field, "/location");
  auto cls = service_->report(report_at(118.005, 31.005, "9999"), &jdy01_);
  ASSERT_FALSE(cls);
  EXPECT_EQ(cls.error().field, "/class_code");
  auto as_supervisor = service_->report(report_at(118.005, 31.005), &citizen_);
  ASSERT_FALSE(as_supervisor);
  EXPECT_EQ(as_supervisor.error().code, ErrorCode::forbidden);
  auto not_listed = service_->report(report_at(118.005, 31.005), &cgj_);
  EXPECT_EQ(not_listed.error().code, ErrorCode::forbidden);
  NewReport photo = report_at(118.005, 31.005);
  photo.photos = {"abc"};
  EXPECT_EQ(service_->report(photo, &jdy01_).error().field, "/photos/0");
  EXPECT_EQ(service_->list({}, admin_)->total, 0);

  GridEvent mine = report(&citizen_, Source::public_);
  EXPECT_EQ(mine.where.cell_code, "329900001001001");
  EXPECT_EQ(mine.suggested_dept, "cgj");
  EXPECT_TRUE(service_->get(mine.id, citizen_));
  EXPECT_EQ(service_->get(mine.id, other_).error().code, ErrorCode::not_found);
  EXPECT_EQ(service_->list({}, other_)->total, 0);
  EXPECT_EQ(service_->list({}, citizen_)->total, 1);
  GridEvent sensor = report(nullptr, Source::sensor);
  EXPECT_EQ(sensor.source, Source::sensor);

  // The map's filters: by source, and by the period the event was reported in.
  EventQuery by_source;
  by_source.source = Source::sensor;
  auto sensors = service_->list(by_source, admin_);
  ASSERT_EQ(sensors->total, 1);
  EXPECT_EQ(sensors->events.front().id, sensor.id);
  clock_.advance(2 * core::kDayMs);
  GridEvent later = report(&jdy01_);
  EventQuery period;
  period.from_ms = later.reported_at_ms;
  EXPECT_EQ(service_->list(period, admin_)->total, 1);
  period.from_ms = 0;
  period.to_ms = later.reported_at_ms;
  EXPECT_EQ(service_->list(period, admin_)->total, 2);
}

// The hotline department is configuration (Options::hotline_dept_id): its officials report as
// hotline_12345, nobody else does, and without the setting nobody at all.
TEST_P(GridTest, HotlineSourceFollowsTheConfiguredDepartment) {
  import();
  const auto hotline = official("hotline.clerk", "12345", {Role::clerk});
  NewReport r = report_at(118.005, 31.005);
  r.source = Source::hotline_12345;
  EXPECT_TRUE(service_->report(r, &hotline));
  EXPECT_EQ(service_->report(r, &cgj_).error().code, ErrorCode::forbidden);
  Service unset(*store_, clock_, random_, *ids_, Options{});
  auto refused = unset.report(r, &hotline);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::forbidden);
  EXPECT_EQ(refused.error().field, "/source");
}

TEST_P(GridTest, WholeLoopWithReworkRolesAndClock) {
  import();
  GridEvent e = report(&jdy01_);
  ASSERT_TRUE(e.clock);
  EXPECT_EQ(e.clock->step, Step::register_);
  EXPECT_EQ(e.clock->limit_min, 60);

  // Wrong roles and illegal steps change nothing.
  EXPECT_EQ(act(e.id, Action::accept, cgj_).error().code, ErrorCode::forbidden);
  EXPECT_EQ(act(e.id, Action::register_, chief_).error().code, ErrorCode::conflict);
  EXPECT_EQ(act(e.id, Action::close, chief_).error().code, ErrorCode::conflict);
  EXPECT_EQ(act(e.id, Action::accept, other_).error().code, ErrorCode::not_found);
  EXPECT_EQ(service_->get(e.id, admin_)->event.revision, 1);

  ok(act(e.id, Action::accept, clerk_, 10));
  auto registered = ok(act(e.id, Action::register_, chief_, 10));
  EXPECT_EQ(registered.state, State::registered);
  EXPECT_EQ(registered.clock->step, Step::dispatch);
  // The clock reads yellow at 80 % of the dispatch limit (30 min) and red past it.
  clock_.advance(24 * 60000LL);
  EXPECT_EQ(service_->get(e.id, admin_)->event.clock->alert, core::Alert::yellow);
  clock_.advance(7 * 60000LL);
  auto red = service_->get(e.id, admin_)->event.clock;
  EXPECT_EQ(red->alert, core::Alert::red);
  EXPECT_EQ(red->used_min, 31);
  EventQuery overdue;
  overdue.alert = core::Alert::red;
  EXPECT_EQ(service_->list(overdue, admin_)->total, 1);
  clock_.advance(-21 * 60000LL);  // back to 09:00 for round figures

  EXPECT_EQ(act(e.id, Action::dispatch, clerk_).error().code, ErrorCode::forbidden);
  auto dispatched = ok(act(e.id, Action::dispatch, dispatcher_));  // the suggestion: cgj
  EXPECT_EQ(dispatched.dept_id, "cgj");
  EXPECT_EQ(dispatched.clock->limit_min, 240);
  EXPECT_EQ(act(e.id, Action::feedback, zjj_).error().code, ErrorCode::forbidden);
  ActionRequest empty;
  empty.action = Action::feedback;
  EXPECT_EQ(service_->act(e.id, empty, cgj_).error().field, "/feedback");
  auto fed = ok(act(e.id, Action::feedback, cgj_, 60));
  EXPECT_EQ(fed.state, State::checking);

  ActionRequest fail_check;
  fail_check.action = Action::check;
  fail_check.passed = false;
  EXPECT_EQ(service_->act(e.id, fail_check, jdy02_).error().code, ErrorCode::forbidden);
  EXPECT_EQ(service_->act(e.id, fail_check, jdy01_).error().field, "/reason");
  clock_.advance(10 * 60000LL);
  fail_check.reason = "垃圾仍在";
  auto rework = ok(service_->act(e.id, fail_check, jdy01_));
  EXPECT_EQ(rework.state, State::dispatched);
  EXPECT_EQ(rework.rework_count, 1);
  EXPECT_EQ(rework.dept_id, "cgj");

  ok(act(e.id, Action::feedback, cgj_, 30));
  ActionRequest pass;
  pass.action = Action::check;
  pass.passed = true;
  clock_.advance(10 * 60000LL);
  ok(service_->act(e.id, pass, jdy01_));
  EXPECT_EQ(act(e.id, Action::close, clerk_).error().code, ErrorCode::forbidden);
  auto closed = ok(act(e.id, Action::close, chief_, 10));
  EXPECT_EQ(closed.state, State::closed);
  ASSERT_TRUE(closed.closed_on_time);
  EXPECT_TRUE(*closed.closed_on_time);
  EXPECT_FALSE(closed.clock);
  ActionRequest eval;
  eval.action = Action::evaluate;
  eval.level = 6;
  EXPECT_EQ(service_->act(e.id, eval, chief_).error().field, "/level");
  eval.level = 5;
  ok(service_->act(e.id, eval, chief_));
  EXPECT_EQ(service_->act(e.id, eval, chief_).error().code, ErrorCode::conflict);

  auto d = service_->get(e.id, admin_);
  ASSERT_TRUE(d);
  std::vector<std::string> steps;
  for (const auto& s : d->steps) {
    steps.push_back(std::string(to_string(s.step)) + ":" + std::to_string(s.used_min) + ":" +
                    s.outcome);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"register:20:done", "dispatch:10:done",
                                             "dispose:60:done", "check:10:rework",
                                             "dispose:30:done", "check:10:done", "close:10:done"}));
  std::vector<std::string> types;
  store_->read([&](store::Tx& tx) -> Status {
    types.clear();
    events::Filter f;
    f.subject_type = "grid_event";
    for (const auto& ev : events::list(tx, f)) types.push_back(ev.type);
    return {};
  });
  EXPECT_EQ(types, (std::vector<std::string>{"grid.reported", "grid.accepted", "grid.registered",
                                             "grid.dispatched", "grid.fed_back", "grid.reworked",
                                             "grid.fed_back", "grid.checked", "grid.case_closed",
                                             "grid.evaluated"}));
}

TEST_P(GridTest, IndicatorsOnAKnownSet) {
  import();
  // E1, Monday: on time throughout, one rework (as in the loop test).
  GridEvent e1 = report(&jdy01_);
  ok(act(e1.id, Action::accept, clerk_, 10));
  ok(act(e1.id, Action::register_, chief_, 10));
  ok(act(e1.id, Action::dispatch, dispatcher_, 10));
  ok(act(e1.id, Action::feedback, cgj_, 60));
  ActionRequest check;
  check.action = Action::check;
  check.passed = false;
  check.reason = "未整改";
  clock_.advance(10 * 60000LL);
  ok(service_->act(e1.id, check, jdy01_));
  ok(act(e1.id, Action::feedback, cgj_, 30));
  check.passed = true;
  clock_.advance(10 * 60000LL);
  ok(service_->act(e1.id, check, jdy01_));
  ok(act(e1.id, Action::close, chief_, 10));

  // E2, Tuesday: late registration, a wrong dispatch sent back, late disposal.
  clock_.set(at(3, 3, 8, 30));
  GridEvent e2 = report(&jdy01_);
  ok(act(e2.id, Action::accept, clerk_, 30));
  ok(act(e2.id, Action::register_, chief_, 60));  // 90 working minutes > 60
  ActionRequest to_zjj;
  to_zjj.action = Action::dispatch;
  to_zjj.dept_id = "zjj";
  clock_.advance(10 * 60000LL);
  ok(service_->act(e2.id, to_zjj, dispatcher_));
  ok(act(e2.id, Action::send_back, zjj_, 10));
  ok(act(e2.id, Action::dispatch, dispatcher_, 10));  // 10:30 → cgj
  clock_.set(at(3, 3, 16, 30));                       // 90 + 180 = 270 > 240
  ok(act(e2.id, Action::feedback, cgj_));
  clock_.advance(10 * 60000LL);
  ok(service_->act(e2.id, check, jdy01_));
  auto c2 = ok(act(e2.id, Action::close, chief_, 10));
  EXPECT_TRUE(c2.closed_on_time.value_or(false));  // 320 ≤ 450 from registration

  // E3, Wednesday: rejected by the clerk.
  clock_.set(at(3, 4, 8, 30));
  GridEvent e3 = report(&jdy01_);
  ok(act(e3.id, Action::reject, clerk_, 10));
  clock_.set(at(3, 4, 9));

  IndicatorQuery q;
  q.by = GroupBy::dept;
  q.from_ms = at(3, 2, 0);
  q.to_ms = at(3, 5, 0);
  EXPECT_EQ(service_->indicators(q, citizen_).error().code, ErrorCode::forbidden);
  auto r = service_->indicators(q, admin_);
  ASSERT_TRUE(r) << r.error().message_en;
  ASSERT_EQ(r->rows.size(), 3u);
  const Indicators& cgj = r->rows[0];
  EXPECT_EQ(cgj.key, "cgj");
  EXPECT_EQ(cgj.rank, 1);
  EXPECT_EQ(cgj.reported, 2);
  EXPECT_EQ(cgj.registered, 2);
  EXPECT_EQ(cgj.closed, 2);
  EXPECT_EQ(cgj.closed_on_time, 2);
  EXPECT_EQ(cgj.rework, 1);
  EXPECT_EQ(cgj.dispatches, 3);
  EXPECT_EQ(cgj.sent_back, 0);
  EXPECT_EQ(cgj.disposed, 3);
  EXPECT_EQ(cgj.disposed_on_time, 2);
  EXPECT_EQ(cgj.overdue, 1);
  EXPECT_DOUBLE_EQ(*cgj.avg_dispose_minutes, 120.0);
  EXPECT_DOUBLE_EQ(*cgj.on_time_dispose_rate, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*cgj.on_time_close_rate, 1.0);
  EXPECT_TRUE(cgj.meets_goal);
  EXPECT_EQ(r->rows[1].key, "zjj");
  EXPECT_EQ(r->rows[1].dispatches, 1);
  EXPECT_DOUBLE_EQ(*r->rows[1].accurate_dispatch_rate, 0.0);
  EXPECT_EQ(r->rows[2].key, "grid");
  EXPECT_EQ(r->rows[2].reported, 1);
  EXPECT_EQ(r->rows[2].registered_on_time, 1);
  EXPECT_EQ(r->rows[2].overdue, 1);
  const Indicators& t = r->total;
  EXPECT_EQ(t.reported, 3);
  EXPECT_EQ(t.registered, 2);
  EXPECT_DOUBLE_EQ(*t.on_time_register_rate, 0.5);
  EXPECT_DOUBLE_EQ(*t.accurate_dispatch_rate, 0.75);
  EXPECT_DOUBLE_EQ(*t.close_rate, 1.0);
  EXPECT_DOUBLE_EQ(*t.on_time_close_rate, 1.0);
  EXPECT_EQ(t.rework, 1);
  EXPECT_EQ(t.overdue, 2);
  EXPECT_EQ(t.dispose_minutes, 360);
  // One definition (#17): the centre registers, so 按时立案率 is the centre's figure; a department
  // that registers nothing has none (it was 0 % for every department while the total was 50 %).
  EXPECT_FALSE(cgj.on_time_register_rate.has_value());
  EXPECT_EQ(r->rows[2].register_steps, 2);
  EXPECT_DOUBLE_EQ(*r->rows[2].on_time_register_rate, 0.5);
  // Every count of the total is the sum of the rows', and every rate is its row's own ratio.
  Indicators sum;
  for (const auto& row : r->rows) {
    for (auto [part, whole] : {std::pair{row.registered_on_time, row.register_steps},
                               std::pair{row.disposed_on_time, row.disposed},
                               std::pair{row.closed_on_time, row.closed}}) {
      EXPECT_LE(part, whole) << row.key;
    }
    if (row.on_time_register_rate) {
      EXPECT_DOUBLE_EQ(*row.on_time_register_rate,
                       double(row.registered_on_time) / double(row.register_steps));
    }
    EXPECT_LE(row.overdue, row.steps) << row.key;
    sum.reported += row.reported;
    sum.registered += row.registered;
    sum.steps += row.steps;
    sum.register_steps += row.register_steps;
    sum.registered_on_time += row.registered_on_time;
    sum.dispatches += row.dispatches;
    sum.disposed += row.disposed;
    sum.closed += row.closed;
    sum.overdue += row.overdue;
  }
  EXPECT_EQ(sum.reported, t.reported);
  EXPECT_EQ(sum.registered, t.registered);
  EXPECT_EQ(sum.steps, t.steps);
  EXPECT_EQ(sum.register_steps, t.register_steps);
  EXPECT_EQ(sum.registered_on_time, t.registered_on_time);
  EXPECT_EQ(sum.dispatches, t.dispatches);
  EXPECT_EQ(sum.disposed, t.disposed);
  EXPECT_EQ(sum.closed, t.closed);
  EXPECT_EQ(sum.overdue, t.overdue);

  q.by = GroupBy::cell;
  auto cells = service_->indicators(q, admin_);
  ASSERT_TRUE(cells);
  ASSERT_EQ(cells->rows.size(), 1u);
  EXPECT_EQ(cells->rows[0].key, "329900001001001");
  EXPECT_EQ(cells->rows[0].reported, 3);
  EXPECT_EQ(cells->rows[0].dispatches, 4);
  EXPECT_EQ(cells->rows[0].overdue, 2);

  // Computed off the request path (#16, item 6): the same period, nothing changed, is the same
  // report of the same moment; a new event makes it fresh at once.
  q.by = GroupBy::dept;
  const core::Millis first = r->computed_at_ms;
  EXPECT_EQ(first, clock_.now_ms());
  clock_.advance(30'000);
  auto again = service_->indicators(q, admin_);
  ASSERT_TRUE(again);
  EXPECT_EQ(first, again->computed_at_ms);
  report(&jdy01_);
  auto after = service_->indicators(q, admin_);
  ASSERT_TRUE(after);
  EXPECT_EQ(clock_.now_ms(), after->computed_at_ms);
  EXPECT_EQ(4, after->total.reported);  // the new event counts at once
}

TEST_P(GridTest, ComponentsAndSuggestionByOwner) {
  import();
  Component c;
  c.code = "3299000101000001";  // 公用设施 / 上水井盖
  c.type = "上水井盖";
  c.dept_id = "zjj";
  c.location = {118.005, 31.005};
  EXPECT_EQ(service_->save_component(c, cgj_).error().code, ErrorCode::forbidden);
  auto saved = service_->save_component(c, admin_);
  ASSERT_TRUE(saved) << saved.error().field << saved.error().message_en;
  EXPECT_EQ(saved->cell_code, "329900001001001");
  Component bad = c;
  bad.code = "3299009901000001";
  EXPECT_EQ(service_->save_component(bad, admin_).error().field, "/code");
  auto near = service_->nearest_component({118.0051, 31.0051}, 100);
  ASSERT_TRUE(near && *near);
  EXPECT_EQ((*near)->component.code, c.code);
  EXPECT_LT((*near)->distance_m, 20);
  EXPECT_FALSE(*service_->nearest_component({118.009, 31.009}, 100));

  NewReport r = report_at(118.00501, 31.00501, "0101");
  r.kind = ClassKind::component;
  auto e = service_->report(r, &jdy01_);
  ASSERT_TRUE(e) << e.error().message_en;
  EXPECT_EQ(e->component_code, c.code);
  EXPECT_EQ(e->suggested_dept, "zjj");  // the owner, not the class default (szgy)
  EXPECT_EQ(e->suggestion_basis, "component");

  Class cls;
  cls.kind = ClassKind::event;
  cls.code = "0101";
  cls.major_name = "市容环境";
  cls.minor_name = "暴露垃圾";
  cls.dept_id = "zjj";
  cls.limits.dispose = 100;
  EXPECT_EQ(service_->save_class(cls, chief_).error().code, ErrorCode::forbidden);
  ASSERT_TRUE(service_->save_class(cls, admin_));
  cls.limits.check = 0;
  EXPECT_EQ(service_->save_class(cls, admin_).error().field, "/limits/check");
  cls.limits.check = 10;
  cls.dept_id = "nowhere";
  EXPECT_EQ(service_->save_class(cls, admin_).error().field, "/dept_id");
  EXPECT_EQ(report(&jdy01_).suggested_dept, "zjj");
}

TEST_P(GridTest, DemoGeneratorSizes) {
  clock_.set(at(6, 30, 18));
  DemoOptions o;
  o.cells = 60;
  o.events = 500;
  auto s = load_demo(*service_, *ids_, o, "river-lantern-42", clock_.now_ms());
  ASSERT_TRUE(s) << s.error().message_en;
  EXPECT_EQ(s->cells, 60);
  EXPECT_EQ(s->components, 300);
  EXPECT_EQ(s->events, 500);
  EXPECT_GT(s->closed, 350);
  EXPECT_EQ(service_->list_cells()->size(), 60u);
  IndicatorQuery q;
  q.by = GroupBy::street;
  q.from_ms = clock_.now_ms() - 90 * core::kDayMs;
  q.to_ms = clock_.now_ms();
  auto r = service_->indicators(q, admin_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total.reported, 500);
  EXPECT_EQ(r->rows.size(), 3u);
  EXPECT_GT(*r->total.on_time_close_rate, 0.8);
  EXPECT_GT(r->total.rework, 0);
  EXPECT_GT(r->total.overdue, 0);
  EXPECT_LT(*r->total.accurate_dispatch_rate, 1.0);
  EXPECT_EQ(load_demo(*service_, *ids_, o, "river-lantern-42", clock_.now_ms()).error().code,
            ErrorCode::conflict);
}

INSTANTIATE_TEST_SUITE_P(Backends, GridTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::grid
