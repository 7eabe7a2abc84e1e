// The grid loop as a pure function, table-driven: every action in every state with the entitled
// principal (legal → the new state, the step rows and the event type; otherwise conflict), wrong
// roles and departments, the order of the checks, and the inputs each action needs. No store.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grid/workflow.h"

namespace yiwang::grid::workflow {
namespace {

using identity::Role;
using Json = nlohmann::json;

constexpr core::Millis kNow = 1'780'000'000'000;

identity::Principal official(std::string name, std::string dept, std::set<Role> roles) {
  identity::Principal p;
  p.user_id = "u-" + name;
  p.username = std::move(name);
  p.kind = identity::Kind::official;
  p.dept_id = std::move(dept);
  p.roles = std::move(roles);
  return p;
}

enum class Who { clerk, dispatcher, chief, admin, cgj, cgj_reviewer, zjj, sup, other_sup, citizen };

identity::Principal principal(Who w) {
  switch (w) {
    case Who::clerk:
      return official("grid.clerk", "grid", {Role::clerk});
    case Who::dispatcher:
      return official("grid.dispatcher", "grid", {Role::reviewer});
    case Who::chief:
      return official("grid.chief", "grid", {Role::approver});
    case Who::admin:
      return official("admin", "grid", {Role::admin});
    case Who::cgj:
      return official("cgj.clerk", "cgj", {Role::clerk});
    case Who::cgj_reviewer:
      return official("cgj.reviewer", "cgj", {Role::reviewer});
    case Who::zjj:
      return official("zjj.clerk", "zjj", {Role::clerk});
    case Who::sup:
      return official("jdy01", "jdy", {Role::clerk});
    case Who::other_sup:
      return official("jdy02", "jdy", {Role::clerk});
    case Who::citizen:
      break;
  }
  identity::Principal p;
  p.user_id = "u-citizen";
  p.username = "zhangsan";
  p.kind = identity::Kind::citizen;
  return p;
}

// An event of class 0101 (suggestion cgj) in cell 329900001001001 (supervisor jdy01), in `s`:
// dispatched to cgj from dispatched on, registered from registered on, evaluated never.
Record in_state(State s) {
  Record r;
  r.center_dept_id = "grid";
  GridEvent& e = r.event;
  e.id = "GE2026030212345678";
  e.class_code = "0101";
  e.class_name = "市容环境/暴露垃圾";
  e.where.cell_code = "329900001001001";
  e.suggested_dept = "cgj";
  e.suggestion_basis = "class";
  e.state = s;
  e.revision = 3;
  if (s != State::reported && s != State::accepted && s != State::rejected) {
    e.registered_at_ms = kNow - 3'600'000;
    r.total_limit_min = r.limits.total_after_register();
  }
  if (s == State::dispatched || s == State::checking || s == State::checked || s == State::closed) {
    e.dept_id = "cgj";
  }
  r.supervisors = {"jdy01"};
  r.step_used_min = 20;
  r.since_registered_min = 300;
  return r;
}

// Variations of the proper request and record.
enum class Input {
  proper,
  no_reason,
  long_reason,
  no_feedback,
  no_passed,
  failed_check,
  failed_no_reason,
  level_0,
  level_6,
  evaluated,
  to_zjj,
  to_centre,
  no_suggestion,
  bad_photo,
  refused_photo,
  new_class,
  unknown_class,
};

// The entitled request for `a`, varied by `in`.
ActionRequest request(Action a, Input in) {
  ActionRequest r;
  r.action = a;
  if (a == Action::reject || a == Action::send_back) r.reason = "原因";
  if (a == Action::feedback) r.feedback = "已清理";
  if (a == Action::check) r.passed = true;
  if (a == Action::evaluate) r.level = 4;
  switch (in) {
    case Input::no_reason:
      r.reason = "";
      break;
    case Input::long_reason:
      r.reason = std::string(1001, 'x');
      break;
    case Input::no_feedback:
      r.feedback = "";
      break;
    case Input::no_passed:
      r.passed.reset();
      break;
    case Input::failed_check:
      r.passed = false;
      r.reason = "垃圾仍在";
      break;
    case Input::failed_no_reason:
      r.passed = false;
      break;
    case Input::level_0:
      r.level = 0;
      break;
    case Input::level_6:
      r.level = 6;
      break;
    case Input::to_zjj:
      r.dept_id = "zjj";
      break;
    case Input::to_centre:
      r.dept_id = "grid";
      break;
    case Input::bad_photo:
      r.photos = {"abc"};
      break;
    case Input::refused_photo:
      r.photos = {std::string(64, 'a')};
      break;
    case Input::new_class:
      r.class_code = "0102";
      break;
    case Input::unknown_class:
      r.class_code = "9999";
      break;
    default:
      break;
  }
  return r;
}

Record record(State s, Input in) {
  Record r = in_state(s);
  if (in == Input::evaluated) r.event.evaluation = 3;
  if (in == Input::no_suggestion) r.event.suggested_dept = "";
  if (in == Input::refused_photo) {
    r.photo_refusal =
        Error{ErrorCode::forbidden, "/photos/0", "不是本人上传的图片", "not your upload"};
  }
  if (in == Input::new_class) {
    Class c;
    c.code = "0102";
    c.major_name = "市容环境";
    c.minor_name = "积存垃圾渣土";
    c.dept_id = "yllh";
    r.requested_class = c;
  }
  return r;
}

// ---- Success -----------------------------------------------------------------------------------

struct Success {
  State from;
  Action action;
  Who who;
  Input input;
  State to;
  std::string type;
  std::optional<std::string> end_step;  // outcome of the step ended
  std::optional<Step> start_step;
  std::string start_dept;
};

const std::vector<Success> kSuccess = {
    {State::reported, Action::accept, Who::clerk, Input::proper, State::accepted, "grid.accepted",
     std::nullopt, std::nullopt, ""},
    {State::reported, Action::accept, Who::clerk, Input::new_class, State::accepted,
     "grid.accepted", std::nullopt, std::nullopt, ""},
    {State::reported, Action::reject, Who::clerk, Input::proper, State::rejected, "grid.rejected",
     "rejected", std::nullopt, ""},
    {State::reported, Action::reject, Who::chief, Input::proper, State::rejected, "grid.rejected",
     "rejected", std::nullopt, ""},
    {State::accepted, Action::reject, Who::chief, Input::proper, State::rejected, "grid.rejected",
     "rejected", std::nullopt, ""},
    {State::accepted, Action::register_, Who::chief, Input::proper, State::registered,
     "grid.registered", "done", Step::dispatch, "grid"},
    {State::registered, Action::dispatch, Who::dispatcher, Input::proper, State::dispatched,
     "grid.dispatched", "done", Step::dispose, "cgj"},
    {State::registered, Action::dispatch, Who::dispatcher, Input::to_zjj, State::dispatched,
     "grid.dispatched", "done", Step::dispose, "zjj"},
    {State::dispatched, Action::send_back, Who::cgj, Input::proper, State::registered,
     "grid.sent_back", "sent_back", Step::dispatch, "grid"},
    {State::dispatched, Action::send_back, Who::cgj_reviewer, Input::proper, State::registered,
     "grid.sent_back", "sent_back", Step::dispatch, "grid"},
    {State::dispatched, Action::feedback, Who::cgj, Input::proper, State::checking, "grid.fed_back",
     "done", Step::check, "grid"},
    {State::checking, Action::check, Who::sup, Input::proper, State::checked, "grid.checked",
     "done", Step::close, "grid"},
    {State::checking, Action::check, Who::sup, Input::failed_check, State::dispatched,
     "grid.reworked", "rework", Step::dispose, "cgj"},
    {State::checked, Action::close, Who::chief, Input::proper, State::closed, "grid.case_closed",
     "done", std::nullopt, ""},
    {State::closed, Action::evaluate, Who::chief, Input::proper, State::closed, "grid.evaluated",
     std::nullopt, std::nullopt, ""},
};

class Succeeds : public ::testing::TestWithParam<Success> {};

TEST_P(Succeeds, WithTheNewStateStepsAndEvent) {
  const Success& row = GetParam();
  const Record r = record(row.from, row.input);
  auto out = apply(r, request(row.action, row.input), principal(row.who), kNow);
  ASSERT_TRUE(out) << out.error().field << " " << out.error().message_en;
  EXPECT_EQ(out->after.state, row.to);
  EXPECT_EQ(out->event_type, row.type);
  EXPECT_EQ(out->end_step, row.end_step);
  ASSERT_EQ(out->start_step.has_value(), row.start_step.has_value());
  if (row.start_step) {
    EXPECT_EQ(out->start_step->step, *row.start_step);
    EXPECT_EQ(out->start_step->dept_id, row.start_dept);
    EXPECT_EQ(out->start_step->limit_min, r.limits.of(*row.start_step));
  }
  EXPECT_EQ(out->after.revision, r.event.revision + 1);
  EXPECT_EQ(out->after.updated_at_ms, kNow);
  EXPECT_FALSE(out->after.clock);
  EXPECT_TRUE(Json::parse(out->data_json).is_object());
}

INSTANTIATE_TEST_SUITE_P(Table, Succeeds, ::testing::ValuesIn(kSuccess));

// ---- Every action in every state ---------------------------------------------------------------

// Who is entitled to take `a` (in a state where the event has its handling department).
Who entitled(Action a) {
  switch (a) {
    case Action::accept:
    case Action::reject:
      return Who::clerk;
    case Action::register_:
    case Action::close:
    case Action::evaluate:
      return Who::chief;
    case Action::dispatch:
      return Who::dispatcher;
    case Action::send_back:
    case Action::feedback:
      return Who::cgj;
    case Action::check:
      return Who::sup;
  }
  return Who::citizen;
}

bool legal(State s, Action a) {
  for (const auto& row : kSuccess) {
    if (row.from == s && row.action == a) return true;
  }
  return false;
}

struct Cell {
  State state;
  Action action;
};

std::vector<Cell> every_state_and_action() {
  std::vector<Cell> out;
  for (int s = 0; s <= static_cast<int>(State::closed); ++s) {
    for (int a = 0; a <= static_cast<int>(Action::evaluate); ++a) {
      out.push_back({static_cast<State>(s), static_cast<Action>(a)});
    }
  }
  return out;
}

class EveryStateAndAction : public ::testing::TestWithParam<Cell> {};

// The entitled principal succeeds where the table says the action is legal and meets a conflict
// elsewhere, except that the handling department's actions are forbidden while there is none.
TEST_P(EveryStateAndAction, IsLegalOrAConflict) {
  const auto [s, a] = GetParam();
  Who who = entitled(a);
  if (a == Action::reject && s == State::accepted) who = Who::chief;
  auto out = apply(in_state(s), request(a, Input::proper), principal(who), kNow);
  if (legal(s, a)) {
    EXPECT_TRUE(out) << out.error().message_en;
    return;
  }
  ASSERT_FALSE(out);
  const bool no_department = in_state(s).event.dept_id.empty();
  if ((a == Action::send_back || a == Action::feedback) && no_department) {
    EXPECT_EQ(out.error().code, ErrorCode::forbidden);
  } else {
    EXPECT_EQ(out.error().code, ErrorCode::conflict) << out.error().message_en;
    EXPECT_EQ(out.error().field, "");
  }
}

INSTANTIATE_TEST_SUITE_P(Matrix, EveryStateAndAction,
                         ::testing::ValuesIn(every_state_and_action()));

// ---- Refusals ----------------------------------------------------------------------------------

struct Refusal {
  State state;
  Action action;
  Who who;
  Input input;
  ErrorCode code;
  std::string field;
};

const std::vector<Refusal> kRefusals = {
    // 1. Who may take the action at all (before the state is looked at).
    {State::reported, Action::accept, Who::cgj, Input::proper, ErrorCode::forbidden, ""},
    {State::reported, Action::accept, Who::chief, Input::proper, ErrorCode::forbidden, ""},
    {State::reported, Action::accept, Who::admin, Input::proper, ErrorCode::forbidden, ""},
    {State::reported, Action::accept, Who::citizen, Input::proper, ErrorCode::forbidden, ""},
    {State::closed, Action::accept, Who::cgj, Input::proper, ErrorCode::forbidden, ""},
    {State::reported, Action::reject, Who::dispatcher, Input::proper, ErrorCode::forbidden, ""},
    {State::accepted, Action::register_, Who::clerk, Input::proper, ErrorCode::forbidden, ""},
    {State::accepted, Action::register_, Who::admin, Input::proper, ErrorCode::forbidden, ""},
    {State::registered, Action::dispatch, Who::clerk, Input::proper, ErrorCode::forbidden, ""},
    {State::registered, Action::dispatch, Who::chief, Input::proper, ErrorCode::forbidden, ""},
    {State::dispatched, Action::send_back, Who::zjj, Input::proper, ErrorCode::forbidden, ""},
    {State::dispatched, Action::send_back, Who::dispatcher, Input::proper, ErrorCode::forbidden,
     ""},
    {State::dispatched, Action::feedback, Who::zjj, Input::proper, ErrorCode::forbidden, ""},
    {State::dispatched, Action::feedback, Who::citizen, Input::proper, ErrorCode::forbidden, ""},
    {State::checking, Action::check, Who::other_sup, Input::proper, ErrorCode::forbidden, ""},
    {State::checking, Action::check, Who::chief, Input::proper, ErrorCode::forbidden, ""},
    {State::checking, Action::check, Who::citizen, Input::proper, ErrorCode::forbidden, ""},
    {State::checked, Action::close, Who::clerk, Input::proper, ErrorCode::forbidden, ""},
    {State::closed, Action::evaluate, Who::dispatcher, Input::proper, ErrorCode::forbidden, ""},
    // 2. The state, once the role fits.
    {State::reported, Action::register_, Who::chief, Input::proper, ErrorCode::conflict, ""},
    {State::reported, Action::close, Who::chief, Input::proper, ErrorCode::conflict, ""},
    {State::rejected, Action::reject, Who::chief, Input::proper, ErrorCode::conflict, ""},
    {State::checking, Action::feedback, Who::cgj, Input::proper, ErrorCode::conflict, ""},
    // 3. The finer rules of the state.
    {State::accepted, Action::reject, Who::clerk, Input::proper, ErrorCode::forbidden, ""},
    {State::closed, Action::evaluate, Who::chief, Input::evaluated, ErrorCode::conflict, ""},
    {State::closed, Action::evaluate, Who::chief, Input::level_6, ErrorCode::invalid_input,
     "/level"},
    // 4. Inputs.
    {State::reported, Action::accept, Who::clerk, Input::unknown_class, ErrorCode::invalid_input,
     "/class_code"},
    {State::reported, Action::reject, Who::clerk, Input::no_reason, ErrorCode::invalid_input,
     "/reason"},
    {State::reported, Action::reject, Who::clerk, Input::long_reason, ErrorCode::invalid_input,
     "/reason"},
    {State::registered, Action::dispatch, Who::dispatcher, Input::to_centre,
     ErrorCode::invalid_input, "/dept_id"},
    {State::registered, Action::dispatch, Who::dispatcher, Input::no_suggestion,
     ErrorCode::invalid_input, "/dept_id"},
    {State::dispatched, Action::send_back, Who::cgj, Input::no_reason, ErrorCode::invalid_input,
     "/reason"},
    {State::dispatched, Action::feedback, Who::cgj, Input::no_feedback, ErrorCode::invalid_input,
     "/feedback"},
    {State::dispatched, Action::feedback, Who::cgj, Input::bad_photo, ErrorCode::invalid_input,
     "/photos/0"},
    {State::dispatched, Action::feedback, Who::cgj, Input::refused_photo, ErrorCode::forbidden,
     "/photos/0"},
    {State::checking, Action::check, Who::sup, Input::no_passed, ErrorCode::invalid_input,
     "/passed"},
    {State::checking, Action::check, Who::sup, Input::failed_no_reason, ErrorCode::invalid_input,
     "/reason"},
    {State::checking, Action::check, Who::sup, Input::bad_photo, ErrorCode::invalid_input,
     "/photos/0"},
    {State::closed, Action::evaluate, Who::chief, Input::level_0, ErrorCode::invalid_input,
     "/level"},
    {State::closed, Action::evaluate, Who::chief, Input::long_reason, ErrorCode::invalid_input,
     "/reason"},
};

class Refuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(Refuses, WithTheDocumentedError) {
  const Refusal& row = GetParam();
  auto out =
      apply(record(row.state, row.input), request(row.action, row.input), principal(row.who), kNow);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, row.code) << out.error().message_en;
  EXPECT_EQ(out.error().field, row.field) << out.error().message_en;
}

INSTANTIATE_TEST_SUITE_P(Table, Refuses, ::testing::ValuesIn(kRefusals));

// ---- What the outcome carries ------------------------------------------------------------------

TEST(GridWorkflow, RegistrationStartsTheOnTimeLimitAndRecordsMinutes) {
  Record r = in_state(State::accepted);
  r.step_used_min = 42;
  auto out = apply(r, request(Action::register_, Input::proper), principal(Who::chief), kNow);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->total_limit_min, r.limits.total_after_register());
  EXPECT_EQ(out->after.registered_at_ms, kNow);
  EXPECT_EQ(Json::parse(out->data_json), Json({{"register_used_min", 42}}));
}

TEST(GridWorkflow, CloseIsOnTimeWithinTheLimitFromRegistration) {
  Record r = in_state(State::checked);
  r.total_limit_min = 450;
  r.since_registered_min = 450;
  auto on_time = apply(r, request(Action::close, Input::proper), principal(Who::chief), kNow);
  ASSERT_TRUE(on_time);
  EXPECT_EQ(on_time->after.closed_on_time, true);
  EXPECT_EQ(Json::parse(on_time->data_json),
            Json({{"outcome", "closed_on_time"}, {"used_min", 450}, {"limit_min", 450}}));
  r.since_registered_min = 451;
  auto late = apply(r, request(Action::close, Input::proper), principal(Who::chief), kNow);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->after.closed_on_time, false);
}

TEST(GridWorkflow, AcceptCorrectsTheClassAndFollowsItsDepartment) {
  auto out = apply(record(State::reported, Input::new_class),
                   request(Action::accept, Input::new_class), principal(Who::clerk), kNow);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->after.class_code, "0102");
  EXPECT_EQ(out->after.class_name, "市容环境/积存垃圾渣土");
  EXPECT_EQ(out->after.suggested_dept, "yllh");
  EXPECT_EQ(Json::parse(out->data_json), Json({{"class_from", "0101"}}));
  // The owner of a component keeps the suggestion.
  Record owned = record(State::reported, Input::new_class);
  owned.event.suggestion_basis = "component";
  owned.event.suggested_dept = "zjj";
  auto kept = apply(owned, request(Action::accept, Input::new_class), principal(Who::clerk), kNow);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->after.suggested_dept, "zjj");
}

TEST(GridWorkflow, SendBackAndReworkAreCounted) {
  auto back = apply(in_state(State::dispatched), request(Action::send_back, Input::proper),
                    principal(Who::cgj), kNow);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->after.dept_id, "");
  EXPECT_EQ(back->after.send_back_count, 1);
  EXPECT_EQ(back->after.reason, "原因");
  EXPECT_EQ(Json::parse(back->data_json), Json({{"dept_id", "cgj"}}));
  auto rework = apply(in_state(State::checking), request(Action::check, Input::failed_check),
                      principal(Who::sup), kNow);
  ASSERT_TRUE(rework);
  EXPECT_EQ(rework->after.rework_count, 1);
  EXPECT_EQ(rework->after.dept_id, "cgj");
  EXPECT_EQ(rework->reason, "垃圾仍在");
}

TEST(GridWorkflow, EvidencePhotosAreIndexed) {
  ActionRequest a = request(Action::feedback, Input::proper);
  a.photos = {std::string(64, 'b')};
  auto out = apply(in_state(State::dispatched), a, principal(Who::cgj), kNow);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->index_photos, a.photos);
  EXPECT_EQ(out->after.fed_back_at_ms, kNow);
  EXPECT_EQ(Json::parse(out->data_json), Json({{"dispose_used_min", 20}, {"photos", a.photos}}));
}

// The guard asked before an action's body is read: the centre's staff, the handling department and
// the cell's listed supervisors take some step on a dispatched event; nobody else does.
TEST(GridWorkflow, OnlyThoseWhoTakeSomeStepPassTheGuard) {
  const Record r = in_state(State::dispatched);
  const std::pair<Who, bool> rows[] = {
      {Who::clerk, true}, {Who::dispatcher, true}, {Who::chief, true},      {Who::admin, false},
      {Who::cgj, true},   {Who::cgj_reviewer, true}, {Who::zjj, false},     {Who::sup, true},
      {Who::other_sup, false}, {Who::citizen, false}};
  for (const auto& [who, may] : rows) {
    auto st = may_act_on(r, principal(who));
    EXPECT_EQ(may, st.has_value()) << principal(who).username;
    if (!st) {
      EXPECT_EQ(ErrorCode::forbidden, st.error().code);
    }
  }
}

TEST(GridWorkflow, OfficialsSeeEveryEventTheirReportersTheirOwn) {
  GridEvent e = in_state(State::reported).event;
  e.reporter_user_id = "u-citizen";
  EXPECT_TRUE(may_see(e, principal(Who::cgj)));
  EXPECT_TRUE(may_see(e, principal(Who::citizen)));
  e.reporter_user_id = "u-other";
  EXPECT_FALSE(may_see(e, principal(Who::citizen)));
}

}  // namespace
}  // namespace yiwang::grid::workflow
