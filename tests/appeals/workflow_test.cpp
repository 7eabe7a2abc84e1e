// The appeal state machine as a pure function (appeals/workflow.h): tables of state × action,
// action × principal and bad requests, and the rules that go with them (return once, supervise
// when overdue, the reply check, masking, the platform's own steps). No store, no clock.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "appeals/workflow.h"

namespace yiwang::appeals::workflow {
namespace {

using identity::Kind;
using identity::Principal;
using identity::Role;
using nlohmann::json;

constexpr core::Millis kNow = 1'772'413'200'000;  // 2026-03-02 09:00 +08:00

Options options() {
  Options o;
  o.hotline_dept_id = "12345";
  return o;
}

Principal official(std::string user, std::string dept, Role role) {
  Principal p;
  p.user_id = user;
  p.username = std::move(user);
  p.kind = Kind::official;
  p.dept_id = std::move(dept);
  p.roles = {role};
  return p;
}

Principal person(std::string user, Kind kind = Kind::citizen) {
  Principal p;
  p.user_id = user;
  p.username = std::move(user);
  p.kind = kind;
  return p;
}

// Everyone the tables act as.
const std::map<std::string, Principal>& people() {
  static const std::map<std::string, Principal> all = {
      {"hotline.clerk", official("hotline.clerk", "12345", Role::clerk)},
      {"hotline.reviewer", official("hotline.reviewer", "12345", Role::reviewer)},
      {"hotline.approver", official("hotline.approver", "12345", Role::approver)},
      {"zjj.clerk", official("zjj.clerk", "zjj", Role::clerk)},
      {"zjj.reviewer", official("zjj.reviewer", "zjj", Role::reviewer)},
      {"zjj.approver", official("zjj.approver", "zjj", Role::approver)},
      {"zjj.supervisor", official("zjj.supervisor", "zjj", Role::supervisor)},
      {"scjg.clerk", official("scjg.clerk", "scjg", Role::clerk)},
      {"supervisor", official("supervisor", "jcj", Role::supervisor)},
      {"admin", official("admin", "12345", Role::admin)},
      {"appellant", person("appellant")},
      {"other", person("other")},
      {"company", person("company", Kind::business)},
  };
  return all;
}

const Principal& as(const std::string& name) {
  return people().at(name);
}

// An overdue complaint from `appellant`, dispatched to 住建局, in `state`.
Record appeal_in(State state) {
  Record r;
  Appeal& a = r.a;
  a.id = "AP2026030200000001";
  a.channel = Channel::web;
  a.type = Type::complaint;
  a.title = "夜间施工噪音";
  a.text = "幸福小区旁工地每天夜里十二点后仍在施工，噪音扰民。";
  a.appellant = Appellant{"appellant", "张三", "13800000000", false};
  a.entered_by = "appellant";
  a.state = state;
  a.dept_id = "zjj";
  a.created_at_ms = kNow - 20 * core::kDayMs;
  a.updated_at_ms = kNow - core::kDayMs;
  a.revision = 3;
  a.clock.limit_days = 13;
  a.clock.remaining_days = -2;
  a.clock.alert = core::Alert::red;
  r.identity_key = "user:appellant";
  return r;
}

// A complete request for `action`: what each action needs and nothing else.
ActionRequest request(Action action) {
  ActionRequest r;
  r.action = action;
  if (action == Action::dispatch || action == Action::arbitrate) r.dept_id = "scjg";
  if (action == Action::send_back || action == Action::arbitrate) r.reason = "不属于本部门职责";
  if (action == Action::reply) r.reply = "您好，经查，已责令工地夜间停工。";
  if (action == Action::callback) r.result = "诉求人表示满意";
  if (action == Action::rate) r.level = 4;
  return r;
}

// Who may take each action.
const std::map<Action, std::string>& actor_of_action() {
  static const std::map<Action, std::string> actors = {
      {Action::dispatch, "hotline.clerk"},  {Action::send_back, "zjj.clerk"},
      {Action::arbitrate, "hotline.clerk"}, {Action::receive, "zjj.clerk"},
      {Action::reply, "zjj.clerk"},         {Action::supervise, "supervisor"},
      {Action::close, "hotline.clerk"},     {Action::callback, "hotline.clerk"},
      {Action::rate, "appellant"},
  };
  return actors;
}

const std::vector<State> kAllStates = {State::accepted,    State::dispatched, State::returned,
                                       State::handling,    State::replied,    State::closed,
                                       State::called_back, State::rated};
const std::vector<Action> kAllActions = {Action::dispatch, Action::send_back, Action::arbitrate,
                                         Action::receive,  Action::reply,     Action::supervise,
                                         Action::close,    Action::callback,  Action::rate};

// ---- State × action ---------------------------------------------------------------------------

// Where each action leads from each state when its rightful actor takes it; nullopt: conflict.
// Columns in kAllActions order: dispatch, return, arbitrate, receive, reply, supervise, close,
// callback, rate.
using Row = std::vector<std::optional<State>>;
constexpr std::nullopt_t no = std::nullopt;
const std::map<State, Row>& transitions() {
  using S = State;
  static const std::map<State, Row> table = {
      {S::accepted, {S::dispatched, no, no, no, no, no, no, no, no}},
      {S::dispatched, {no, S::returned, no, S::handling, no, S::dispatched, no, no, no}},
      {S::returned, {no, no, S::dispatched, no, no, S::returned, no, no, no}},
      {S::handling, {no, S::returned, no, no, S::replied, S::handling, no, no, no}},
      {S::replied, {no, no, no, no, no, no, S::closed, no, no}},
      {S::closed, {no, no, no, no, no, no, no, S::called_back, S::rated}},
      {S::called_back, {no, no, no, no, no, no, no, no, S::rated}},
      {S::rated, {no, no, no, no, no, no, no, no, no}},
  };
  return table;
}

TEST(AppealWorkflow, EveryActionInEveryState) {
  for (State state : kAllStates) {
    const Row& row = transitions().at(state);
    for (std::size_t i = 0; i < kAllActions.size(); ++i) {
      const Action action = kAllActions[i];
      SCOPED_TRACE(std::string(to_string(action)) + " in " + std::string(to_string(state)));
      const Record before = appeal_in(state);
      auto r = apply(before, request(action), as(actor_of_action().at(action)), kNow, options());
      if (!row[i]) {
        ASSERT_FALSE(r);
        EXPECT_EQ(ErrorCode::conflict, r.error().code);
        EXPECT_EQ("/action", r.error().field);
        continue;
      }
      ASSERT_TRUE(r) << r.error().message_en;
      EXPECT_EQ(*row[i], r->after.a.state);
      EXPECT_EQ(before.a.revision + 1, r->after.a.revision);
      EXPECT_EQ(kNow, r->after.a.updated_at_ms);
      EXPECT_EQ(event_type(action), r->event_type);
      EXPECT_EQ(before.identity_key, r->after.identity_key);
      auto data = json::parse(r->data_json);
      EXPECT_EQ(to_string(action), data.value("action", ""));
      EXPECT_EQ(to_string(state), data.value("from", ""));
      EXPECT_EQ(to_string(*row[i]), data.value("to", ""));
    }
  }
}

// ---- Action × principal -----------------------------------------------------------------------

// Who may take each action (in a state that allows it); everyone else is forbidden.
struct RoleRow {
  Action action;
  State state;
  std::vector<std::string> allowed;
};

const std::vector<RoleRow>& role_table() {
  static const std::vector<RoleRow> rows = {
      {Action::dispatch, State::accepted, {"hotline.clerk", "hotline.reviewer"}},
      {Action::arbitrate, State::returned, {"hotline.clerk", "hotline.reviewer"}},
      {Action::close, State::replied, {"hotline.clerk", "hotline.reviewer"}},
      {Action::callback, State::closed, {"hotline.clerk", "hotline.reviewer"}},
      {Action::send_back, State::dispatched, {"zjj.clerk", "zjj.reviewer", "zjj.approver"}},
      {Action::receive, State::dispatched, {"zjj.clerk", "zjj.reviewer", "zjj.approver"}},
      {Action::reply, State::handling, {"zjj.clerk", "zjj.reviewer", "zjj.approver"}},
      {Action::supervise, State::handling, {"supervisor", "zjj.supervisor"}},
      {Action::rate, State::closed, {"appellant"}},
  };
  return rows;
}

TEST(AppealWorkflow, OnlyTheRightPrincipalActs) {
  for (const auto& row : role_table()) {
    for (const auto& [name, who] : people()) {
      SCOPED_TRACE(std::string(to_string(row.action)) + " by " + name);
      auto r = apply(appeal_in(row.state), request(row.action), who, kNow, options());
      const bool allowed =
          std::find(row.allowed.begin(), row.allowed.end(), name) != row.allowed.end();
      if (allowed) {
        EXPECT_TRUE(r) << r.error().message_en;
        continue;
      }
      ASSERT_FALSE(r);
      EXPECT_EQ(ErrorCode::forbidden, r.error().code);
      EXPECT_FALSE(r.error().message_zh.empty());
    }
  }
}

// The guard asked before an action's body is read: whoever the role table lets take some step, and
// nobody else; the reply preview for the handling department, the hotline and admins.
TEST(AppealWorkflow, TheGuardAdmitsExactlyThoseWhoTakeSomeStep) {
  const Appeal a = appeal_in(State::handling).a;
  for (const auto& [name, who] : people()) {
    SCOPED_TRACE(name);
    const bool takes_part = std::any_of(role_table().begin(), role_table().end(), [&](auto& row) {
      return std::find(row.allowed.begin(), row.allowed.end(), name) != row.allowed.end();
    });
    auto may = may_act_on(a, who, options());
    EXPECT_EQ(takes_part, may.has_value());
    if (!may) {
      EXPECT_EQ(ErrorCode::forbidden, may.error().code);
    }
    const bool previews = name == "hotline.clerk" || name == "hotline.reviewer" ||
                          name == "admin" || (name.starts_with("zjj.") && name != "zjj.supervisor");
    EXPECT_EQ(previews, may_check_reply(a, who, options()).has_value());
  }
}

TEST(AppealWorkflow, ThePrincipalIsCheckedBeforeTheState) {
  // A department clerk dispatching a closed appeal: not theirs to do, whatever the state.
  auto r =
      apply(appeal_in(State::closed), request(Action::dispatch), as("zjj.clerk"), kNow, options());
  ASSERT_FALSE(r);
  EXPECT_EQ(ErrorCode::forbidden, r.error().code);
  // Another department's clerk receiving: forbidden, not a conflict, in any state.
  for (State state : kAllStates) {
    auto other =
        apply(appeal_in(state), request(Action::receive), as("scjg.clerk"), kNow, options());
    ASSERT_FALSE(other);
    EXPECT_EQ(ErrorCode::forbidden, other.error().code) << to_string(state);
  }
}

TEST(AppealWorkflow, TheHotlineRatesForACallerWithoutAnAccount) {
  Record call = appeal_in(State::called_back);
  call.a.channel = Channel::phone;
  call.a.appellant = Appellant{"", "王五", "13700000000", false};
  call.a.entered_by = "hotline.clerk";
  for (auto [name, ok] : std::vector<std::pair<std::string, bool>>{{"hotline.clerk", true},
                                                                   {"hotline.reviewer", true},
                                                                   {"hotline.approver", false},
                                                                   {"zjj.clerk", false},
                                                                   {"appellant", false}}) {
    auto r = apply(call, request(Action::rate), as(name), kNow, options());
    EXPECT_EQ(ok, r.has_value()) << name;
    if (ok) {
      EXPECT_EQ(4, r->after.a.rating.value_or(0));
    }
  }
  // An appellant with an account rates for themselves: the hotline may not.
  auto r =
      apply(appeal_in(State::closed), request(Action::rate), as("hotline.clerk"), kNow, options());
  ASSERT_FALSE(r);
  EXPECT_EQ(ErrorCode::forbidden, r.error().code);
}

TEST(AppealWorkflow, OtherHotlineDepartmentsAreConfiguration) {
  Options o = options();
  o.hotline_dept_id = "zwfw";
  auto r =
      apply(appeal_in(State::accepted), request(Action::dispatch), as("hotline.clerk"), kNow, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(ErrorCode::forbidden, r.error().code);
  Principal zwfw = official("zwfw.clerk", "zwfw", Role::clerk);
  EXPECT_TRUE(apply(appeal_in(State::accepted), request(Action::dispatch), zwfw, kNow, o));
}

// ---- Inputs -----------------------------------------------------------------------------------

struct InputRow {
  const char* name;
  ActionRequest request;
  const char* field;
};

ActionRequest with(Action action, void (*change)(ActionRequest&)) {
  ActionRequest r = request(action);
  change(r);
  return r;
}

const std::vector<InputRow>& input_table() {
  static const std::vector<InputRow> rows = {
      {"a department on receive",
       with(Action::receive, [](ActionRequest& r) { r.dept_id = "zjj"; }), "/dept_id"},
      {"a reply on close", with(Action::close, [](ActionRequest& r) { r.reply = "x"; }), "/reply"},
      {"a result on reply", with(Action::reply, [](ActionRequest& r) { r.result = "x"; }),
       "/result"},
      {"a level on callback", with(Action::callback, [](ActionRequest& r) { r.level = 3; }),
       "/level"},
      {"a suggestion on arbitrate",
       with(Action::arbitrate, [](ActionRequest& r) { r.suggested_dept = "zjj"; }),
       "/suggested_dept"},
      {"a confidence on receive",
       with(Action::receive, [](ActionRequest& r) { r.confidence = 0.5; }), "/confidence"},
      {"a reason with control characters",
       with(Action::receive, [](ActionRequest& r) { r.reason = "a\x01"; }), "/reason"},
      {"a reason of 2,001 characters",
       with(Action::receive, [](ActionRequest& r) { r.reason = std::string(2001, 'x'); }),
       "/reason"},
      {"a return without a reason",
       with(Action::send_back, [](ActionRequest& r) { r.reason.clear(); }), "/reason"},
      {"an arbitration without a reason",
       with(Action::arbitrate, [](ActionRequest& r) { r.reason.clear(); }), "/reason"},
      {"an empty reply", with(Action::reply, [](ActionRequest& r) { r.reply.clear(); }), "/reply"},
      {"a reply that is not UTF-8", with(Action::reply, [](ActionRequest& r) { r.reply = "\xff"; }),
       "/reply"},
      {"a reply of 5,001 characters",
       with(Action::reply, [](ActionRequest& r) { r.reply = std::string(5001, 'x'); }), "/reply"},
      {"an empty callback result",
       with(Action::callback, [](ActionRequest& r) { r.result.clear(); }), "/result"},
      {"no level", with(Action::rate, [](ActionRequest& r) { r.level.reset(); }), "/level"},
      {"level 0", with(Action::rate, [](ActionRequest& r) { r.level = 0; }), "/level"},
      {"level 6", with(Action::rate, [](ActionRequest& r) { r.level = 6; }), "/level"},
      {"a confidence above 1",
       with(Action::dispatch,
            [](ActionRequest& r) {
              r.suggested_dept = "zjj";
              r.confidence = 1.5;
            }),
       "/confidence"},
      {"a suggestion without its confidence",
       with(Action::dispatch, [](ActionRequest& r) { r.suggested_dept = "zjj"; }), "/confidence"},
      {"a confidence without its suggestion",
       with(Action::dispatch, [](ActionRequest& r) { r.confidence = 0.9; }), "/suggested_dept"},
      {"a dispatch to nobody", with(Action::dispatch, [](ActionRequest& r) { r.dept_id.clear(); }),
       "/dept_id"},
      {"an arbitration to nobody",
       with(Action::arbitrate, [](ActionRequest& r) { r.dept_id.clear(); }), "/dept_id"},
      {"a dispatch on a weak suggestion",
       with(Action::dispatch,
            [](ActionRequest& r) {
              r.dept_id.clear();
              r.suggested_dept = "zjj";
              r.confidence = 0.5;
            }),
       "/dept_id"},
  };
  return rows;
}

TEST(AppealWorkflow, BadRequestsNameTheFieldBeforeAnythingElse) {
  for (const auto& row : input_table()) {
    SCOPED_TRACE(row.name);
    EXPECT_FALSE(check_request(row.request, options()));
    // The inputs come first: even a citizen on a rated appeal hears about the field.
    for (const Principal* who : {&as(actor_of_action().at(row.request.action)), &as("other")}) {
      auto r = apply(appeal_in(State::rated), row.request, *who, kNow, options());
      ASSERT_FALSE(r);
      EXPECT_EQ(ErrorCode::invalid_input, r.error().code);
      EXPECT_EQ(row.field, r.error().field);
    }
  }
  for (Action action : kAllActions) {
    EXPECT_TRUE(check_request(request(action), options())) << to_string(action);
  }
}

// ---- The actions' own rules ---------------------------------------------------------------------

TEST(AppealWorkflow, ADepartmentReturnsOnceAndTheHotlineArbitrates) {
  auto returned = apply(appeal_in(State::handling), request(Action::send_back), as("zjj.clerk"),
                        kNow, options());
  ASSERT_TRUE(returned);
  EXPECT_TRUE(returned->after.a.returned_once);
  EXPECT_EQ("不属于本部门职责", returned->after.a.return_reason);
  EXPECT_EQ("不属于本部门职责", returned->reason);
  EXPECT_EQ("zjj", json::parse(returned->data_json).value("dept_id", ""));

  ActionRequest back_to_zjj = request(Action::arbitrate);
  back_to_zjj.dept_id = "zjj";
  auto arbitrated = apply(returned->after, back_to_zjj, as("hotline.reviewer"), kNow, options());
  ASSERT_TRUE(arbitrated);
  EXPECT_EQ(State::dispatched, arbitrated->after.a.state);
  EXPECT_EQ("zjj", arbitrated->after.a.dept_id);
  EXPECT_EQ(kNow, arbitrated->after.a.dispatched_at_ms.value_or(0));
  EXPECT_EQ("appeal.arbitrated", arbitrated->event_type);

  for (State state : {State::dispatched, State::handling}) {
    Record again = arbitrated->after;
    again.a.state = state;
    auto r = apply(again, request(Action::send_back), as("zjj.clerk"), kNow, options());
    ASSERT_FALSE(r) << to_string(state);
    EXPECT_EQ(ErrorCode::conflict, r.error().code);
    EXPECT_EQ("/action", r.error().field);
    EXPECT_NE(std::string::npos, r.error().message_en.find("returned once"));
  }
}

TEST(AppealWorkflow, OnlyAnOverdueAppealIsSupervised) {
  for (auto [alert, ok] : std::vector<std::pair<core::Alert, bool>>{
           {core::Alert::none, false}, {core::Alert::yellow, false}, {core::Alert::red, true}}) {
    Record r = appeal_in(State::handling);
    r.a.clock.alert = alert;
    auto out = apply(r, request(Action::supervise), as("supervisor"), kNow, options());
    EXPECT_EQ(ok, out.has_value()) << core::to_string(alert);
    if (!out) {
      EXPECT_EQ(ErrorCode::conflict, out.error().code);
      continue;
    }
    EXPECT_EQ(State::handling, out->after.a.state);
    EXPECT_EQ(1, out->after.a.supervision_count);
    EXPECT_EQ(-2, json::parse(out->data_json).value("remaining_days", 0));
  }
}

TEST(AppealWorkflow, EachActionRecordsWhatItDecided) {
  ActionRequest suggested = request(Action::dispatch);
  suggested.suggested_dept = "zjj";
  suggested.confidence = 0.7;
  auto d = apply(appeal_in(State::accepted), suggested, as("hotline.clerk"), kNow, options());
  ASSERT_TRUE(d);
  EXPECT_EQ("scjg", d->after.a.dept_id);
  EXPECT_EQ("zjj", d->after.a.suggested_dept);
  EXPECT_EQ(0.7, d->after.a.suggested_confidence.value_or(0));
  auto data = json::parse(d->data_json);
  EXPECT_TRUE(data.value("corrected", false)) << "the dispatcher overrode the classifier";
  EXPECT_EQ("scjg", data.value("dept_id", ""));

  // A confident suggestion is followed when no department is named.
  ActionRequest follow = suggested;
  follow.dept_id.clear();
  follow.confidence = 0.9;
  EXPECT_EQ("zjj", target_dept(follow, options()));
  auto f = apply(appeal_in(State::accepted), follow, as("hotline.clerk"), kNow, options());
  ASSERT_TRUE(f);
  EXPECT_EQ("zjj", f->after.a.dept_id);
  EXPECT_FALSE(json::parse(f->data_json).value("corrected", true));

  auto replied =
      apply(appeal_in(State::handling), request(Action::reply), as("zjj.clerk"), kNow, options());
  ASSERT_TRUE(replied);
  EXPECT_EQ(request(Action::reply).reply, replied->reason) << "the reply is the act's document";
  EXPECT_EQ(kNow, replied->after.a.replied_at_ms.value_or(0));
  EXPECT_FALSE(json::parse(replied->data_json).value("on_time", true)) << "the clock is red";
  EXPECT_FALSE(replied->after.a.reply_check.has_value()) << "no checker configured";

  auto closed = apply(appeal_in(State::replied), request(Action::close), as("hotline.clerk"), kNow,
                      options());
  ASSERT_TRUE(closed);
  EXPECT_EQ(kNow, closed->after.a.closed_at_ms.value_or(0));
  auto called = apply(appeal_in(State::closed), request(Action::callback), as("hotline.clerk"),
                      kNow, options());
  ASSERT_TRUE(called);
  EXPECT_EQ("诉求人表示满意", called->reason);
  EXPECT_EQ("诉求人表示满意", called->after.a.callback_result);
  auto rated =
      apply(appeal_in(State::closed), request(Action::rate), as("appellant"), kNow, options());
  ASSERT_TRUE(rated);
  EXPECT_EQ(4, json::parse(rated->data_json).value("level", 0));
}

// A stand-in for the AI module's check: strong when the reply says what was found.
Result<ReplyQuality> findings(std::string_view, std::string_view reply) {
  if (reply.find("bad") != std::string_view::npos) {
    return fail(ErrorCode::invalid_input, "/text", "无效", "invalid");
  }
  ReplyQuality q;
  q.score = reply.find("经查") != std::string_view::npos ? 75 : 40;
  if (q.score < 60) q.issues.push_back({"no_findings", "未说明调查结果", "no findings"});
  return q;
}

TEST(AppealWorkflow, RepliesPassTheCheckOrAreConfirmed) {
  Options o = options();
  o.reply_checker = findings;
  Record on_time = appeal_in(State::handling);
  on_time.a.clock.alert = core::Alert::none;

  auto strong = apply(on_time, request(Action::reply), as("zjj.clerk"), kNow, o);
  ASSERT_TRUE(strong);
  ASSERT_TRUE(strong->after.a.reply_check);
  EXPECT_FALSE(strong->after.a.reply_check->weak);
  EXPECT_EQ(75, json::parse(strong->data_json).value("reply_score", 0.0));

  ActionRequest weak = request(Action::reply);
  weak.reply = "已处理。";
  auto refused = apply(on_time, weak, as("zjj.clerk"), kNow, o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(ErrorCode::unprocessable, refused.error().code);
  EXPECT_EQ("/reply", refused.error().field);
  EXPECT_NE(std::string::npos, refused.error().message_en.find("no findings"));
  weak.confirm_weak = true;
  auto confirmed = apply(on_time, weak, as("zjj.clerk"), kNow, o);
  ASSERT_TRUE(confirmed);
  EXPECT_TRUE(json::parse(confirmed->data_json).value("reply_weak", false));

  // Late: the penalty makes a good reply weak, and says why.
  auto late = apply(appeal_in(State::handling), request(Action::reply), as("zjj.clerk"), kNow, o);
  ASSERT_FALSE(late);
  EXPECT_EQ(ErrorCode::unprocessable, late.error().code);
  auto quality = reply_quality(appeal_in(State::handling).a, request(Action::reply).reply, o);
  ASSERT_TRUE(quality);
  EXPECT_TRUE(quality->late);
  EXPECT_EQ(75 - kLatePenalty, quality->score);
  EXPECT_EQ("late", quality->issues.back().code);

  // The checker's own refusal names the reply.
  ActionRequest bad = request(Action::reply);
  bad.reply = "bad";
  auto invalid = apply(on_time, bad, as("zjj.clerk"), kNow, o);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(ErrorCode::invalid_input, invalid.error().code);
  EXPECT_EQ("/reply", invalid.error().field);
}

// ---- Who sees what ------------------------------------------------------------------------------

TEST(AppealWorkflow, WhoSeesAnAppeal) {
  const Appeal a = appeal_in(State::handling).a;
  const std::map<std::string, bool> sees = {
      {"hotline.clerk", true},  {"hotline.reviewer", true}, {"hotline.approver", true},
      {"zjj.clerk", true},      {"zjj.reviewer", true},     {"zjj.approver", true},
      {"zjj.supervisor", true}, {"scjg.clerk", false},      {"supervisor", true},
      {"admin", true},          {"appellant", true},        {"other", false},
      {"company", false}};
  for (const auto& [name, expected] : sees) {
    EXPECT_EQ(expected, may_see(as(name), a, options())) << name;
  }
  Appeal waiting = appeal_in(State::accepted).a;
  waiting.dept_id.clear();
  EXPECT_FALSE(may_see(as("zjj.clerk"), waiting, options()));
  EXPECT_TRUE(may_see(as("hotline.approver"), waiting, options()));
}

TEST(AppealWorkflow, ConfidentialAndAnonymousAppellantsAreMasked) {
  struct Case {
    bool anonymous, confidential;
    std::string reader;
    bool hidden;
  };
  for (const auto& c : std::vector<Case>{{false, false, "zjj.clerk", false},
                                         {false, true, "zjj.clerk", true},
                                         {false, true, "admin", true},
                                         {false, true, "hotline.clerk", false},
                                         {false, true, "appellant", false},
                                         {true, false, "hotline.clerk", true},
                                         {true, false, "appellant", false}}) {
    Appeal a = appeal_in(State::handling).a;
    a.anonymous = c.anonymous;
    a.confidential = c.confidential;
    mask_for(a, as(c.reader), options());
    SCOPED_TRACE(c.reader);
    EXPECT_EQ(c.hidden, a.appellant.hidden);
    if (c.hidden) {
      EXPECT_EQ("", a.appellant.user_id);
      EXPECT_EQ("", a.appellant.name);
      EXPECT_EQ("", a.appellant.phone);
      EXPECT_EQ("", a.entered_by) << "the account that entered it is the appellant's";
    } else {
      EXPECT_EQ("张三", a.appellant.name);
      EXPECT_EQ("appellant", a.entered_by);
    }
  }
}

// Oversight readers (supervisors, admins outside the hotline and the handling department) see who
// appealed only masked; those who handle the appeal see the name and phone to call back (#16).
TEST(AppealWorkflow, OverseersSeeTheAppellantMasked) {
  const std::map<std::string, std::pair<std::string, std::string>> seen = {
      {"hotline.clerk", {"张三", "13800000000"}},
      {"zjj.clerk", {"张三", "13800000000"}},
      {"zjj.supervisor", {"张三", "13800000000"}},  // of the handling department
      {"supervisor", {"张*", "138****0000"}},
      {"admin", {"张三", "13800000000"}},  // this fixture's admin belongs to the hotline centre
      {"appellant", {"张三", "13800000000"}}};
  for (const auto& [reader, expected] : seen) {
    Appeal a = appeal_in(State::handling).a;
    mask_for(a, as(reader), options());
    EXPECT_EQ(expected.first, a.appellant.name) << reader;
    EXPECT_EQ(expected.second, a.appellant.phone) << reader;
    EXPECT_FALSE(a.appellant.hidden) << reader;
  }
}

// ---- The platform's own steps -------------------------------------------------------------------

TEST(AppealWorkflow, TheClassifierDispatchesOnlyWhenConfident) {
  Record fresh = appeal_in(State::accepted);
  fresh.a.dept_id.clear();
  auto sure = auto_dispatch(fresh, "zjj", 0.92, "城乡建设", kNow, options());
  ASSERT_TRUE(sure);
  EXPECT_EQ("appeal.dispatched", sure->event_type);
  EXPECT_EQ(State::dispatched, sure->after.a.state);
  EXPECT_EQ("zjj", sure->after.a.dept_id);
  EXPECT_EQ("城乡建设", sure->after.a.suggested_label);
  EXPECT_EQ("dispatch", json::parse(sure->data_json).value("action", ""));

  auto unsure = auto_dispatch(fresh, "zjj", 0.42, "城乡建设", kNow, options());
  ASSERT_TRUE(unsure);
  EXPECT_EQ("appeal.classified", unsure->event_type);
  EXPECT_EQ(State::accepted, unsure->after.a.state);
  EXPECT_EQ("", unsure->after.a.dept_id);
  EXPECT_EQ("zjj", unsure->after.a.suggested_dept);
  EXPECT_EQ(fresh.a.revision + 1, unsure->after.a.revision);

  auto late = auto_dispatch(appeal_in(State::dispatched), "zjj", 0.92, "城乡建设", kNow, options());
  ASSERT_FALSE(late);
  EXPECT_EQ(ErrorCode::conflict, late.error().code);
  for (double c : {-0.1, 1.01, std::nan("")}) EXPECT_FALSE(check_confidence(c)) << c;
  EXPECT_TRUE(check_confidence(0));
  EXPECT_TRUE(check_confidence(1));
}

TEST(AppealWorkflow, ALinkedCaseAnswersTheAppeal) {
  auto linked = link(appeal_in(State::dispatched), "GE2026030200000001", kNow);
  ASSERT_TRUE(linked);
  EXPECT_EQ("appeal.linked", linked->event_type);
  EXPECT_EQ(State::dispatched, linked->after.a.state);
  EXPECT_EQ("GE2026030200000001", linked->after.a.linked_ref);
  auto twice = link(linked->after, "GE2026030200000002", kNow);
  ASSERT_FALSE(twice);
  EXPECT_EQ(ErrorCode::conflict, twice.error().code);

  auto steps = answer_linked(linked->after, "经查，已修复。", kNow);
  ASSERT_TRUE(steps);
  ASSERT_EQ(2u, steps->size()) << "received first, then replied";
  EXPECT_EQ("appeal.received", (*steps)[0].event_type);
  EXPECT_EQ(State::handling, (*steps)[0].after.a.state);
  EXPECT_EQ("appeal.replied", (*steps)[1].event_type);
  EXPECT_EQ(State::replied, (*steps)[1].after.a.state);
  EXPECT_EQ(linked->after.a.revision + 2, (*steps)[1].after.a.revision);
  EXPECT_EQ("经查，已修复。", (*steps)[1].reason);
  EXPECT_EQ("GE2026030200000001", json::parse((*steps)[1].data_json).value("ref", ""));

  auto handling = answer_linked(appeal_in(State::handling), "经查，已修复。", kNow);
  ASSERT_TRUE(handling);
  EXPECT_EQ(1u, handling->size());
  for (State state : {State::accepted, State::returned, State::replied, State::closed}) {
    EXPECT_FALSE(answer_linked(appeal_in(state), "经查", kNow)) << to_string(state);
  }
}

}  // namespace
}  // namespace yiwang::appeals::workflow
