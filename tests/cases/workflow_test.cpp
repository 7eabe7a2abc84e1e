// The case state machine as a pure function: every action in every state, who may take it, the
// joint step, disapproval, 即办件, pauses, and the order in which errors are reported.
#include <gtest/gtest.h>

#include "cases/workflow.h"

namespace yiwang::cases::workflow {
namespace {

using identity::Role;

ActionRequest req(Action a, std::string opinion = "") {
  ActionRequest r;
  r.action = a;
  r.opinion = std::move(opinion);
  return r;
}

constexpr core::Millis kNow = 1'780'000'000'000;

identity::Principal official(std::string id, std::string dept, std::set<Role> roles) {
  identity::Principal p;
  p.user_id = std::move(id);
  p.username = p.user_id;
  p.kind = identity::Kind::official;
  p.dept_id = std::move(dept);
  p.roles = std::move(roles);
  return p;
}

identity::Principal citizen(std::string id) {
  identity::Principal p;
  p.user_id = std::move(id);
  p.kind = identity::Kind::citizen;
  return p;
}

const identity::Principal kApplicant = citizen("u-applicant");
const identity::Principal kStranger = citizen("u-stranger");
const identity::Principal kClerk = official("u-clerk", "scjg", {Role::clerk});
const identity::Principal kGajClerk = official("u-gaj-clerk", "gaj", {Role::clerk});
const identity::Principal kReviewer = official("u-reviewer", "scjg", {Role::reviewer});
const identity::Principal kGajReviewer = official("u-gaj-reviewer", "gaj", {Role::reviewer});
const identity::Principal kApprover = official("u-approver", "scjg", {Role::approver});
const identity::Principal kGajApprover = official("u-gaj-approver", "gaj", {Role::approver});
const identity::Principal kSupervisor = official("u-sup", "zwfw", {Role::supervisor});

// 审查 (scjg) → 联合审查 (scjg + gaj) → 决定 (scjg).
Record fresh() {
  Record r;
  Case& c = r.c;
  c.id = "YW2026030212345678";
  c.item_code = "ITEM";
  c.item_version = 1;
  c.dept_id = "scjg";
  c.case_type = "2";
  c.applicant.user_id = kApplicant.user_id;
  c.applicant.kind = "citizen";
  c.channel = "online";
  c.filed_by = kApplicant.user_id;
  c.form_json = "{}";
  c.steps = {Step{0, "审查", "review", {"scjg"}, "reviewer", "pending", {}},
             Step{1, "联合审查", "review", {"scjg", "gaj"}, "reviewer", "pending", {}},
             Step{2, "决定", "decide", {"scjg"}, "approver", "pending", {}}};
  c.revision = 1;
  r.limit_days = 5;
  return r;
}

// A record in `s`; in_review and suspended at the first review step, granted / denied decided.
Record in_state(State s) {
  Record r = fresh();
  Case& c = r.c;
  c.state = s;
  if (s != State::submitted && s != State::not_accepted) c.accepted_at_ms = kNow - 1000;
  if (s == State::in_review || s == State::suspended) {
    c.steps[0].status = "active";
    c.current_step = 0;
    r.resume_state = State::in_review;
  }
  if (s == State::suspended) c.procedure = Procedure::hearing;
  if (s == State::correction) {
    c.steps[0].status = "active";
    r.resume_state = State::in_review;
  }
  if (s == State::granted || s == State::denied || s == State::completed) {
    for (auto& st : c.steps) st.status = "done";
    c.decision = s == State::denied ? "denied" : "granted";
    c.decided_at_ms = kNow - 500;
  }
  return r;
}

Record at_decide_step() {
  Record r = in_state(State::in_review);
  r.c.steps[0].status = "done";
  r.c.steps[1].status = "done";
  r.c.steps[2].status = "active";
  r.c.current_step = 2;
  return r;
}

// Someone entitled to take `a` when it is legal, with the inputs it needs.
std::pair<identity::Principal, ActionRequest> proper(Action a, const Record& r) {
  ActionRequest request = req(a, "意见");
  switch (a) {
    case Action::accept:
    case Action::reject:
    case Action::complete:
      return {kClerk, request};
    case Action::request_correction:
      return {r.c.state == State::in_review ? kReviewer : kClerk, request};
    case Action::resubmit:
    case Action::withdraw:
      return {kApplicant, request};
    case Action::approve:
    case Action::disapprove:
    case Action::resume:
      return {kReviewer, request};
    case Action::grant:
    case Action::deny:
      return {kApprover, request};
    case Action::suspend:
      request.procedure = Procedure::expert_review;
      return {kReviewer, request};
  }
  return {kClerk, request};
}

constexpr State kAllStates[] = {State::submitted, State::correction,   State::in_review,
                                State::suspended, State::not_accepted, State::granted,
                                State::denied,    State::completed,    State::withdrawn};
constexpr Action kAllActions[] = {Action::accept,   Action::reject,  Action::request_correction,
                                  Action::resubmit, Action::approve, Action::disapprove,
                                  Action::grant,    Action::deny,    Action::complete,
                                  Action::withdraw, Action::suspend, Action::resume};

bool legal(State s, Action a) {
  switch (a) {
    case Action::accept:
    case Action::reject:
      return s == State::submitted;
    case Action::request_correction:
      return s == State::submitted || s == State::in_review;
    case Action::resubmit:
      return s == State::correction;
    case Action::approve:
    case Action::disapprove:
    case Action::suspend:
      return s == State::in_review;
    case Action::grant:
    case Action::deny:
      return false;  // in_state() puts review cases at a review step
    case Action::complete:
      return s == State::granted || s == State::denied;
    case Action::withdraw:
      return s == State::submitted || s == State::correction || s == State::in_review ||
             s == State::suspended;
    case Action::resume:
      return s == State::suspended;
  }
  return false;
}

TEST(WorkflowTest, EveryActionInEveryState) {
  for (State s : kAllStates) {
    for (Action a : kAllActions) {
      Record r = in_state(s);
      auto [who, request] = proper(a, r);
      auto out = apply(r, request, who, kNow);
      SCOPED_TRACE(std::string(to_string(a)) + " in " + std::string(to_string(s)));
      if (legal(s, a)) {
        ASSERT_TRUE(out) << out.error().message_en;
        EXPECT_EQ(r.c.revision + 1, out->after.c.revision);
        EXPECT_EQ(kNow, out->after.c.updated_at_ms);
        ASSERT_FALSE(out->hops.empty());
        EXPECT_EQ(s, out->hops.front().from);
        EXPECT_EQ(out->after.c.state, out->hops.back().to);
      } else {
        ASSERT_FALSE(out);
        EXPECT_EQ(ErrorCode::conflict, out.error().code) << out.error().message_en;
      }
    }
  }
}

TEST(WorkflowTest, GrantAndDenyOnlyAtTheDecideStep) {
  for (Action a : {Action::grant, Action::deny}) {
    auto out = apply(at_decide_step(), req(a, "决定意见"), kApprover, kNow);
    ASSERT_TRUE(out) << out.error().message_en;
    EXPECT_EQ(a == Action::grant ? State::granted : State::denied, out->after.c.state);
    EXPECT_EQ(a == Action::grant ? "granted" : "denied", out->after.c.decision);
    EXPECT_EQ(kNow, out->after.c.decided_at_ms);
    EXPECT_EQ(-1, out->after.c.current_step);
    EXPECT_EQ("done", out->after.c.steps[2].status);
    EXPECT_EQ("approver", out->actor_role);
    EXPECT_EQ("scjg", out->actor_dept);
    // Review actions at a decide step are out of place.
    ActionRequest approve = req(Action::approve);
    auto wrong = apply(at_decide_step(), approve, kReviewer, kNow);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(ErrorCode::conflict, wrong.error().code);
  }
}

TEST(WorkflowTest, AcceptActivatesTheFirstStep) {
  auto out = apply(in_state(State::submitted), req(Action::accept), kClerk, kNow);
  ASSERT_TRUE(out);
  EXPECT_EQ(State::in_review, out->after.c.state);
  EXPECT_EQ(kNow, out->after.c.accepted_at_ms);
  EXPECT_EQ(0, out->after.c.current_step);
  EXPECT_EQ("active", out->after.c.steps[0].status);
  EXPECT_EQ("pending", out->after.c.steps[1].status);
  EXPECT_EQ("clerk", out->actor_role);
  EXPECT_EQ(PauseChange::none, out->pause);
  auto w = waiting_of(out->after.c);
  EXPECT_EQ("reviewer", w.role);
  EXPECT_EQ(",scjg,", w.depts);
}

TEST(WorkflowTest, JointStepNeedsEveryDepartment) {
  Record r = apply(in_state(State::in_review), req(Action::approve, "ok"), kReviewer, kNow)->after;
  EXPECT_EQ(1, r.c.current_step);
  EXPECT_EQ("done", r.c.steps[0].status);
  EXPECT_EQ(",scjg,gaj,", waiting_of(r.c).depts);

  // gaj cannot act on step 0 but can on the joint step; order does not matter.
  auto first = apply(r, req(Action::approve, "gaj ok"), kGajReviewer, kNow + 1);
  ASSERT_TRUE(first) << first.error().message_en;
  r = first->after;
  EXPECT_EQ(1, r.c.current_step);
  EXPECT_EQ("active", r.c.steps[1].status);
  EXPECT_EQ(",scjg,", waiting_of(r.c).depts);
  EXPECT_EQ("gaj", first->actor_dept);

  // A second answer by the same department is a conflict and changes nothing.
  auto again = apply(r, req(Action::approve), kGajReviewer, kNow + 2);
  ASSERT_FALSE(again);
  EXPECT_EQ(ErrorCode::conflict, again.error().code);

  auto second = apply(r, req(Action::approve), kReviewer, kNow + 3);
  ASSERT_TRUE(second);
  r = second->after;
  EXPECT_EQ(2, r.c.current_step);
  EXPECT_EQ("done", r.c.steps[1].status);
  ASSERT_EQ(2u, r.c.steps[1].approvals.size());
  EXPECT_EQ("gaj", r.c.steps[1].approvals[0].dept_id);
  EXPECT_EQ("approved", r.c.steps[1].approvals[1].verdict);
  EXPECT_EQ("approver", waiting_of(r.c).role);
}

TEST(WorkflowTest, DisapproveSkipsRemainingReviewsToTheDecision) {
  auto out = apply(in_state(State::in_review), req(Action::disapprove, "不符合"), kReviewer, kNow);
  ASSERT_TRUE(out);
  const Case& c = out->after.c;
  EXPECT_EQ(State::in_review, c.state);
  EXPECT_EQ(2, c.current_step);
  EXPECT_EQ("done", c.steps[0].status);
  EXPECT_EQ("disapproved", c.steps[0].approvals.at(0).verdict);
  EXPECT_EQ("skipped", c.steps[1].status);
  EXPECT_EQ("active", c.steps[2].status);
  auto denied = apply(out->after, req(Action::deny, "不予许可"), kApprover, kNow + 1);
  ASSERT_TRUE(denied);
  EXPECT_EQ(State::denied, denied->after.c.state);
}

TEST(WorkflowTest, ImmediateCaseIsGrantedAndCompletedOnAcceptance) {
  Record r = in_state(State::submitted);
  r.c.case_type = "1";
  auto out = apply(r, req(Action::accept, "当场办结"), kClerk, kNow);
  ASSERT_TRUE(out);
  ASSERT_EQ(3u, out->hops.size());
  EXPECT_EQ(Action::accept, out->hops[0].action);
  EXPECT_EQ(State::in_review, out->hops[0].to);
  EXPECT_EQ(Action::grant, out->hops[1].action);
  EXPECT_EQ(State::granted, out->hops[1].to);
  EXPECT_EQ(Action::complete, out->hops[2].action);
  EXPECT_EQ(State::completed, out->after.c.state);
  EXPECT_EQ("granted", out->after.c.decision);
  EXPECT_EQ(kNow, out->after.c.completed_at_ms);
  EXPECT_EQ(kNow, out->after.c.decided_at_ms);
  EXPECT_EQ(r.c.revision + 1, out->after.c.revision);
  EXPECT_TRUE(waiting_of(out->after.c).role.empty());
}

TEST(WorkflowTest, CorrectionAfterAcceptancePausesAndReturnsToTheStep) {
  Record r = apply(in_state(State::in_review), req(Action::approve), kReviewer, kNow)->after;
  auto corr = apply(r, req(Action::request_correction, "补充材料"), kGajReviewer, kNow + 1);
  ASSERT_TRUE(corr) << corr.error().message_en;
  EXPECT_EQ(State::correction, corr->after.c.state);
  EXPECT_EQ(PauseChange::open, corr->pause);
  EXPECT_EQ("correction", corr->pause_kind);
  EXPECT_EQ(-1, corr->after.c.current_step);
  EXPECT_TRUE(waiting_of(corr->after.c).role.empty());

  ActionRequest resubmit = req(Action::resubmit);
  resubmit.form_json = R"({"a":1})";
  auto back = apply(corr->after, resubmit, kApplicant, kNow + 2);
  ASSERT_TRUE(back);
  EXPECT_EQ(State::in_review, back->after.c.state);
  EXPECT_EQ(1, back->after.c.current_step);
  EXPECT_EQ(PauseChange::close, back->pause);
  EXPECT_EQ(R"({"a":1})", back->after.c.form_json);
  EXPECT_EQ("citizen", back->actor_role);
}

TEST(WorkflowTest, CorrectionBeforeAcceptanceHasNoPause) {
  auto corr =
      apply(in_state(State::submitted), req(Action::request_correction, "缺材料"), kClerk, kNow);
  ASSERT_TRUE(corr);
  EXPECT_EQ(PauseChange::none, corr->pause);
  auto back = apply(corr->after, req(Action::resubmit), kApplicant, kNow + 1);
  ASSERT_TRUE(back);
  EXPECT_EQ(State::submitted, back->after.c.state);
  EXPECT_EQ(PauseChange::none, back->pause);
  EXPECT_EQ(-1, back->after.c.current_step);
}

TEST(WorkflowTest, SuspendNeedsAProcedureAndResumeClosesThePause) {
  ActionRequest bare = req(Action::suspend);
  auto missing = apply(in_state(State::in_review), bare, kReviewer, kNow);
  ASSERT_FALSE(missing);
  EXPECT_EQ(ErrorCode::invalid_input, missing.error().code);
  EXPECT_EQ("/procedure", missing.error().field);

  ActionRequest request = req(Action::suspend);
  request.procedure = Procedure::hearing;
  auto out = apply(in_state(State::in_review), request, kReviewer, kNow);
  ASSERT_TRUE(out);
  EXPECT_EQ(State::suspended, out->after.c.state);
  EXPECT_EQ(Procedure::hearing, out->after.c.procedure);
  EXPECT_EQ(PauseChange::open, out->pause);
  EXPECT_EQ("hearing", out->pause_kind);
  EXPECT_EQ(0, out->after.c.current_step);

  auto other = apply(out->after, req(Action::resume), kGajReviewer, kNow + 1);
  ASSERT_FALSE(other);
  EXPECT_EQ(ErrorCode::forbidden, other.error().code);
  auto resumed = apply(out->after, req(Action::resume), kReviewer, kNow + 1);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(State::in_review, resumed->after.c.state);
  EXPECT_FALSE(resumed->after.c.procedure);
  EXPECT_EQ(PauseChange::close, resumed->pause);
}

TEST(WorkflowTest, OpinionIsRequiredWhereTheLawAsksForReasons) {
  struct Case_ {
    Action action;
    Record record;
    identity::Principal who;
  };
  for (auto& [action, record, who] :
       {Case_{Action::reject, in_state(State::submitted), kClerk},
        Case_{Action::request_correction, in_state(State::submitted), kClerk},
        Case_{Action::deny, at_decide_step(), kApprover}}) {
    auto out = apply(record, req(action, "  "), who, kNow);
    ASSERT_FALSE(out) << to_string(action);
    EXPECT_EQ(ErrorCode::invalid_input, out.error().code);
    EXPECT_EQ("/opinion", out.error().field);
  }
}

TEST(WorkflowTest, WrongRoleOrDepartmentIsForbidden) {
  auto expect_forbidden = [](const Record& r, Action a, const identity::Principal& who) {
    auto out = apply(r, req(a, "x"), who, kNow);
    ASSERT_FALSE(out) << to_string(a) << " by " << who.user_id;
    EXPECT_EQ(ErrorCode::forbidden, out.error().code) << to_string(a) << " by " << who.user_id;
  };
  expect_forbidden(in_state(State::submitted), Action::accept, kReviewer);  // role
  expect_forbidden(in_state(State::submitted), Action::accept, kGajClerk);  // department
  expect_forbidden(in_state(State::submitted), Action::accept, kApplicant);
  expect_forbidden(in_state(State::in_review), Action::approve, kApplicant);
  expect_forbidden(in_state(State::in_review), Action::approve, kApprover);     // step role
  expect_forbidden(in_state(State::in_review), Action::approve, kGajReviewer);  // step dept
  expect_forbidden(at_decide_step(), Action::grant, kReviewer);
  expect_forbidden(at_decide_step(), Action::grant, kGajApprover);
  expect_forbidden(in_state(State::granted), Action::complete, kApprover);
  expect_forbidden(in_state(State::granted), Action::complete, kGajClerk);
  expect_forbidden(in_state(State::in_review), Action::withdraw, kStranger);
  expect_forbidden(in_state(State::in_review), Action::withdraw, kClerk);  // filed online
  expect_forbidden(in_state(State::correction), Action::resubmit, kSupervisor);
  expect_forbidden(in_state(State::in_review), Action::suspend, kGajReviewer);
}

TEST(WorkflowTest, RoleIsCheckedBeforeStateAndStateBeforeStep) {
  // A reviewer may never accept: forbidden even where acceptance is illegal anyway.
  auto role = apply(in_state(State::withdrawn), req(Action::accept), kReviewer, kNow);
  ASSERT_FALSE(role);
  EXPECT_EQ(ErrorCode::forbidden, role.error().code);
  // An approver granting before acceptance: the transition is the problem.
  auto state = apply(in_state(State::submitted), req(Action::grant), kApprover, kNow);
  ASSERT_FALSE(state);
  EXPECT_EQ(ErrorCode::conflict, state.error().code);
}

TEST(WorkflowTest, WindowFilingLetsTheFilingClerkWithdraw) {
  Record r = in_state(State::submitted);
  r.c.channel = "window";
  r.c.applicant.user_id = "";
  r.c.filed_by = kClerk.user_id;
  auto out = apply(r, req(Action::withdraw, "申请人撤回"), kClerk, kNow);
  ASSERT_TRUE(out);
  EXPECT_EQ(State::withdrawn, out->after.c.state);
  EXPECT_EQ("clerk", out->actor_role);
  auto other = apply(r, req(Action::withdraw), official("u-clerk2", "scjg", {Role::clerk}), kNow);
  ASSERT_FALSE(other);
  EXPECT_EQ(ErrorCode::forbidden, other.error().code);
}

TEST(WorkflowTest, WithdrawingAPausedCaseClosesThePause) {
  EXPECT_EQ(PauseChange::close,
            apply(in_state(State::suspended), req(Action::withdraw), kApplicant, kNow)->pause);
  EXPECT_EQ(PauseChange::close,
            apply(in_state(State::correction), req(Action::withdraw), kApplicant, kNow)->pause);
  EXPECT_EQ(PauseChange::none,
            apply(in_state(State::in_review), req(Action::withdraw), kApplicant, kNow)->pause);
}

TEST(WorkflowTest, FormAndMaterialsChangeOnlyOnResubmit) {
  ActionRequest request = req(Action::accept);
  request.form_json = "{}";
  auto out = apply(in_state(State::submitted), request, kClerk, kNow);
  ASSERT_FALSE(out);
  EXPECT_EQ("/form", out.error().field);
}

TEST(WorkflowTest, VisibilityFollowsRouting) {
  Case c = fresh().c;
  EXPECT_TRUE(may_see(c, kApplicant));
  EXPECT_FALSE(may_see(c, kStranger));
  EXPECT_TRUE(may_see(c, kClerk));
  EXPECT_TRUE(may_see(c, kGajReviewer));  // the joint step routes it to gaj
  EXPECT_TRUE(may_see(c, kSupervisor));
  EXPECT_FALSE(may_see(c, official("u-wjw", "wjw", {Role::clerk, Role::approver})));
  EXPECT_EQ((std::vector<std::string>{"scjg", "gaj"}), departments_of(c));
}

// The guard asked before an action's body is read: who takes part in a case at all.
TEST(WorkflowTest, OnlyThoseWhoTakePartMayAct) {
  const Case c = fresh().c;
  const identity::Principal admin = official("u-admin", "zwfw", {Role::admin});
  const struct {
    const identity::Principal& who;
    bool may;
  } rows[] = {{kApplicant, true},   {kClerk, true},       {kReviewer, true},
              {kApprover, true},    {kGajReviewer, true}, {kStranger, false},
              {kSupervisor, false}, {admin, false}};
  for (const auto& row : rows) {
    EXPECT_EQ(row.may, may_act_on(c, row.who).has_value()) << row.who.user_id;
    if (!row.may) {
      EXPECT_EQ(ErrorCode::forbidden, may_act_on(c, row.who).error().code);
    }
  }
}

TEST(WorkflowTest, SnapshotDefaultsToReviewThenDecide) {
  catalog::Item item;
  item.dept_id = "scjg";
  auto steps = snapshot_steps(item);
  ASSERT_EQ(2u, steps.size());
  EXPECT_EQ("review", steps[0].kind);
  EXPECT_EQ("reviewer", steps[0].role);
  EXPECT_EQ("decide", steps[1].kind);
  EXPECT_EQ("approver", steps[1].role);
  EXPECT_EQ(std::vector<std::string>{"scjg"}, steps[1].dept_ids);

  item.workflow = {{"现场核查", "review", {}, "reviewer"}, {"决定", "decide", {"gaj"}, "approver"}};
  steps = snapshot_steps(item);
  ASSERT_EQ(2u, steps.size());
  EXPECT_EQ(std::vector<std::string>{"scjg"}, steps[0].dept_ids);
  EXPECT_EQ(std::vector<std::string>{"gaj"}, steps[1].dept_ids);
  EXPECT_EQ("pending", steps[1].status);
}

TEST(WorkflowTest, StepsAndMaterialsRoundTripThroughJson) {
  Record r = apply(in_state(State::in_review), req(Action::approve, "好"), kReviewer, kNow)->after;
  auto steps = steps_from_json(steps_to_json(r.c.steps));
  ASSERT_EQ(r.c.steps.size(), steps.size());
  EXPECT_EQ("done", steps[0].status);
  ASSERT_EQ(1u, steps[0].approvals.size());
  EXPECT_EQ("好", steps[0].approvals[0].opinion);
  EXPECT_EQ(kNow, steps[0].approvals[0].at_ms);
  std::vector<MaterialRef> m = {{"申请书", std::string(64, 'a'), "", ""}};
  auto back = materials_from_json(materials_to_json(m));
  ASSERT_EQ(1u, back.size());
  EXPECT_EQ("申请书", back[0].name);
  EXPECT_EQ(m[0].sha256, back[0].sha256);
}

TEST(WorkflowTest, NamesRoundTrip) {
  for (State s : kAllStates) EXPECT_EQ(s, parse_state(to_string(s)));
  for (Action a : kAllActions) {
    EXPECT_EQ(a, parse_action(to_string(a)));
    EXPECT_EQ(0u, event_type(a).rfind("case.", 0));
  }
  EXPECT_EQ("case.step_approved", event_type(Action::approve));
  EXPECT_EQ("case.not_accepted", event_type(Action::reject));
  EXPECT_FALSE(parse_action("fly"));
  EXPECT_EQ(Procedure::expert_review, parse_procedure("expert_review"));
  EXPECT_TRUE(is_open(State::granted));
  EXPECT_FALSE(is_open(State::completed));
}

}  // namespace
}  // namespace yiwang::cases::workflow
