#include "cases/workflow.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace yiwang::cases::workflow {
namespace {

using Json = nlohmann::json;

tl::unexpected<Error> forbidden(std::string zh, std::string en) {
  return fail(ErrorCode::forbidden, "", std::move(zh), std::move(en));
}

tl::unexpected<Error> illegal(const Record& r, Action a) {
  std::string state(to_string(r.c.state));
  std::string action(to_string(a));
  return fail(ErrorCode::conflict, "/action",
              "办件当前状态（" + state + "）不能执行“" + action + "”",
              "action " + action + " is not allowed in state " + state);
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool has_role_named(const identity::Principal& by, std::string_view role) {
  auto r = identity::parse_role(role);
  return r && by.has_role(*r);
}

bool is_clerk_of_item_dept(const Case& c, const identity::Principal& by) {
  return by.is_official() && by.has_role(identity::Role::clerk) && by.dept_id == c.dept_id;
}

// The step a review / decide action works on, or null when the case is not at one.
const Step* current(const Case& c) {
  if (c.current_step < 0 || c.current_step >= static_cast<int>(c.steps.size())) return nullptr;
  return &c.steps[static_cast<std::size_t>(c.current_step)];
}

bool answered_by(const Step& s, std::string_view dept) {
  return std::any_of(s.approvals.begin(), s.approvals.end(),
                     [&](const StepApproval& a) { return a.dept_id == dept; });
}

// Fine check for actions at the current step: the principal's department is one of the step's
// and they hold its role.
Status check_step_actor(const Step& s, const identity::Principal& by) {
  if (!contains(s.dept_ids, by.dept_id)) {
    return forbidden("当前环节“" + s.name + "”不由本部门办理",
                     "the current step (" + s.name + ") is not your department's");
  }
  if (!has_role_named(by, s.role)) {
    return forbidden("当前环节“" + s.name + "”需要“" + s.role + "”角色",
                     "the current step (" + s.name + ") needs the " + s.role + " role");
  }
  return {};
}

Status require_opinion(const ActionRequest& a) {
  bool blank = std::all_of(a.opinion.begin(), a.opinion.end(),
                           [](unsigned char ch) { return ch == ' ' || ch == '\t' || ch == '\n'; });
  if (blank) {
    return fail(ErrorCode::invalid_input, "/opinion", "请填写意见", "an opinion is required");
  }
  return {};
}

// Activates the step at `index`, or leaves review when there is none (a snapshot always ends
// with a decide step, so that only happens to hand-made records).
void activate(Case& c, int index) {
  if (index >= static_cast<int>(c.steps.size())) {
    c.current_step = -1;
    return;
  }
  c.steps[static_cast<std::size_t>(index)].status = "active";
  c.current_step = index;
}

int active_index(const Case& c) {
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    if (c.steps[i].status == "active") return static_cast<int>(i);
  }
  return -1;
}

// Whether `by` may take `a` at all, whatever the state: step 1 of the documented order.
Status coarse_check(const Case& c, Action a, const identity::Principal& by) {
  switch (a) {
    case Action::accept:
    case Action::reject:
    case Action::complete:
      if (!by.is_official() || !by.has_role(identity::Role::clerk)) {
        return forbidden("只有窗口受理人员可以执行此操作", "only a clerk may do this");
      }
      return {};
    case Action::request_correction:
    case Action::approve:
    case Action::disapprove:
    case Action::grant:
    case Action::deny:
    case Action::suspend:
    case Action::resume:
      if (!by.is_official())
        return forbidden("只有工作人员可以执行此操作", "only officials may do this");
      return {};
    case Action::resubmit:
    case Action::withdraw:
      if (!is_applicant(c, by)) {
        return forbidden("只有申请人可以执行此操作", "only the applicant may do this");
      }
      return {};
  }
  return forbidden("不允许的操作", "action not allowed");
}

bool legal_in(const Case& c, Action a) {
  const Step* s = current(c);
  switch (a) {
    case Action::accept:
    case Action::reject:
      return c.state == State::submitted;
    case Action::request_correction:
      return c.state == State::submitted || (c.state == State::in_review && s != nullptr);
    case Action::resubmit:
      return c.state == State::correction;
    case Action::approve:
    case Action::disapprove:
      return c.state == State::in_review && s != nullptr && s->kind == "review";
    case Action::grant:
    case Action::deny:
      return c.state == State::in_review && s != nullptr && s->kind == "decide";
    case Action::complete:
      return c.state == State::granted || c.state == State::denied;
    case Action::withdraw:
      return c.state == State::submitted || c.state == State::correction ||
             c.state == State::in_review || c.state == State::suspended;
    case Action::suspend:
      return c.state == State::in_review && s != nullptr;
    case Action::resume:
      return c.state == State::suspended && s != nullptr;
  }
  return false;
}

std::string applicant_role(const identity::Principal& by) {
  return by.is_official() ? "clerk" : std::string(identity::to_string(by.kind));
}

}  // namespace

bool is_applicant(const Case& c, const identity::Principal& by) {
  if (by.user_id.empty()) return false;
  if (!by.is_official()) return c.applicant.user_id == by.user_id;
  // Window filing: the clerk who filed acts for an applicant who may have no account.
  return c.channel == "window" && c.filed_by == by.user_id && by.has_role(identity::Role::clerk);
}

bool handles_cases(const identity::Principal& by) {
  return by.is_official() &&
         (by.has_role(identity::Role::clerk) || by.has_role(identity::Role::reviewer) ||
          by.has_role(identity::Role::approver));
}

bool may_see(const Case& c, const identity::Principal& by) {
  if (!by.is_official()) return !by.user_id.empty() && c.applicant.user_id == by.user_id;
  if (by.has_role(identity::Role::supervisor) || by.has_role(identity::Role::admin)) return true;
  if (!handles_cases(by)) return false;
  if (c.filed_by == by.user_id) return true;
  if (by.dept_id.empty()) return false;
  if (c.dept_id == by.dept_id) return true;
  return std::any_of(c.steps.begin(), c.steps.end(),
                     [&](const Step& s) { return contains(s.dept_ids, by.dept_id); });
}

Status may_act_on(const Case& c, const identity::Principal& by) {
  if (is_applicant(c, by)) return {};
  if (by.is_official() && handles_cases(by) && may_see(c, by)) return {};
  return forbidden("您无权办理此办件", "you take no part in this case");
}

namespace {

// Step 3: is it this principal's turn? The role the action is taken in, or why not.
Result<std::string> actor_role(const Record& r, Action action, const identity::Principal& by) {
  const Step* step = current(r.c);
  switch (action) {
    case Action::accept:
    case Action::reject:
    case Action::complete:
      if (!is_clerk_of_item_dept(r.c, by)) {
        return forbidden("只有事项实施部门的窗口人员可以执行此操作",
                         "only a clerk of the item's department may do this");
      }
      return std::string("clerk");
    case Action::request_correction:
      if (r.c.state == State::submitted) {
        if (!is_clerk_of_item_dept(r.c, by)) {
          return forbidden("只有事项实施部门的窗口人员可以要求补正",
                           "only a clerk of the item's department may ask for corrections");
        }
        return std::string("clerk");
      }
      if (auto st = check_step_actor(*step, by); !st) return fail(st.error());
      return step->role;
    case Action::approve:
    case Action::disapprove:
      if (auto st = check_step_actor(*step, by); !st) return fail(st.error());
      if (answered_by(*step, by.dept_id)) {
        return fail(ErrorCode::conflict, "/action", "本部门已在此环节提出意见",
                    "your department has already answered at this step");
      }
      return step->role;
    case Action::grant:
    case Action::deny:
    case Action::suspend:
    case Action::resume:
      if (auto st = check_step_actor(*step, by); !st) return fail(st.error());
      return step->role;
    case Action::resubmit:
    case Action::withdraw:
      return applicant_role(by);
  }
  return forbidden("不允许的操作", "action not allowed");
}

// Step 4: the inputs each action needs, and none it does not take.
Status check_inputs(const ActionRequest& a) {
  if (a.action == Action::reject || a.action == Action::deny ||
      a.action == Action::request_correction) {
    if (auto st = require_opinion(a); !st) return fail(st.error());
  }
  if (a.action == Action::suspend && !a.procedure) {
    return fail(ErrorCode::invalid_input, "/procedure", "请说明特别程序",
                "a procedure is required");
  }
  if (a.action != Action::suspend && a.procedure) {
    return fail(ErrorCode::invalid_input, "/procedure", "只有中止时可以指定特别程序",
                "procedure is only for suspend");
  }
  if (a.action != Action::resubmit && (a.form_json || a.materials)) {
    return fail(ErrorCode::invalid_input, a.form_json ? "/form" : "/materials",
                "只有补正后重新提交时可以修改申请内容",
                "form and materials change only on resubmit");
  }
  return {};
}

// The state changes of one action, recorded as hops in `out`.
class Transition {
 public:
  Transition(Outcome& out, const Record& r, const ActionRequest& a, const identity::Principal& by,
             core::Millis now)
      : out_(out), c_(out.after.c), r_(r), a_(a), by_(by), now_(now) {}

  void run() {
    switch (a_.action) {
      case Action::accept:
        return accept();
      case Action::reject:
        c_.decision_opinion = a_.opinion;
        return hop(Action::reject, State::not_accepted);
      case Action::request_correction:
        return request_correction();
      case Action::resubmit:
        return resubmit();
      case Action::approve:
      case Action::disapprove:
        return review();
      case Action::grant:
      case Action::deny:
        return decide();
      case Action::complete:
        c_.completed_at_ms = now_;
        return hop(Action::complete, State::completed);
      case Action::withdraw:
        return withdraw();
      case Action::suspend:
        c_.procedure = a_.procedure;
        out_.after.resume_state = State::in_review;
        out_.pause = PauseChange::open;
        out_.pause_kind = std::string(to_string(*a_.procedure));
        return hop(Action::suspend, State::suspended);
      case Action::resume:
        c_.procedure.reset();
        out_.pause = PauseChange::close;
        return hop(Action::resume, State::in_review);
    }
  }

 private:
  void hop(Action action, State to) {
    out_.hops.push_back(Hop{action, c_.state, to});
    c_.state = to;
  }

  void accept() {
    c_.accepted_at_ms = now_;
    hop(Action::accept, State::in_review);
    if (c_.case_type != "1") return activate(c_, 0);
    // 即办件: decided and delivered at the window, in the same act as acceptance.
    for (auto& s : c_.steps) s.status = "skipped";
    c_.current_step = -1;
    c_.decision = "granted";
    c_.decision_opinion = a_.opinion;
    c_.decided_at_ms = now_;
    hop(Action::grant, State::granted);
    c_.completed_at_ms = now_;
    hop(Action::complete, State::completed);
  }

  void request_correction() {
    out_.after.resume_state = r_.c.state;
    if (r_.c.state == State::in_review) {
      // The clock runs from acceptance: only a correction after it stops the clock. Before
      // acceptance there is nothing to stop, so no pause row is written.
      out_.pause = PauseChange::open;
      out_.pause_kind = "correction";
    }
    c_.current_step = -1;
    hop(Action::request_correction, State::correction);
  }

  void resubmit() {
    if (a_.form_json) c_.form_json = *a_.form_json;
    if (a_.materials) c_.materials = *a_.materials;
    if (r_.resume_state == State::in_review) {
      out_.pause = PauseChange::close;
      c_.current_step = active_index(c_);
    }
    hop(Action::resubmit, r_.resume_state);
    out_.after.resume_state = State::submitted;
  }

  Step& step() { return c_.steps[static_cast<std::size_t>(c_.current_step)]; }

  void answer(Step& s, bool yes) {
    s.approvals.push_back(
        StepApproval{by_.dept_id, by_.user_id, yes ? "approved" : "disapproved", a_.opinion, now_});
  }

  void review() {
    Step& s = step();
    const bool approved = a_.action == Action::approve;
    answer(s, approved);
    if (approved) {
      bool all = std::all_of(s.dept_ids.begin(), s.dept_ids.end(),
                             [&](const std::string& d) { return answered_by(s, d); });
      if (all) {
        s.status = "done";
        activate(c_, c_.current_step + 1);
      }
    } else {
      // A recommendation to deny ends the review: the decision maker sees it at once.
      s.status = "done";
      int decide = -1;
      for (std::size_t i = static_cast<std::size_t>(c_.current_step) + 1; i < c_.steps.size();
           ++i) {
        if (c_.steps[i].kind == "decide") {
          decide = static_cast<int>(i);
          break;
        }
        c_.steps[i].status = "skipped";
      }
      activate(c_, decide < 0 ? static_cast<int>(c_.steps.size()) : decide);
    }
    hop(a_.action, State::in_review);
  }

  void decide() {
    Step& s = step();
    const bool granted = a_.action == Action::grant;
    answer(s, granted);
    s.status = "done";
    c_.current_step = -1;
    c_.decision = granted ? "granted" : "denied";
    c_.decision_opinion = a_.opinion;
    c_.decided_at_ms = now_;
    hop(a_.action, granted ? State::granted : State::denied);
  }

  void withdraw() {
    // A pause still open ends with the case; its clock is read frozen from here on.
    const State from = r_.c.state;
    if (from == State::suspended ||
        (from == State::correction && r_.resume_state == State::in_review)) {
      out_.pause = PauseChange::close;
    }
    c_.current_step = -1;
    c_.procedure.reset();
    hop(Action::withdraw, State::withdrawn);
  }

  Outcome& out_;
  Case& c_;
  const Record& r_;
  const ActionRequest& a_;
  const identity::Principal& by_;
  const core::Millis now_;
};

}  // namespace

Result<Outcome> apply(const Record& r, const ActionRequest& a, const identity::Principal& by,
                      core::Millis now_ms) {
  if (auto st = coarse_check(r.c, a.action, by); !st) return fail(st.error());
  if (!legal_in(r.c, a.action)) return illegal(r, a.action);
  auto role = actor_role(r, a.action, by);
  if (!role) return fail(role.error());
  if (auto st = check_inputs(a); !st) return fail(st.error());

  Outcome out;
  out.after = r;
  out.actor_role = std::move(*role);
  out.actor_dept = by.is_official() ? by.dept_id : "";
  Transition(out, r, a, by, now_ms).run();
  out.after.c.updated_at_ms = now_ms;
  out.after.c.revision = r.c.revision + 1;
  return out;
}

std::vector<Step> snapshot_steps(const catalog::Item& item) {
  std::vector<Step> steps;
  if (item.workflow.empty()) {
    steps.push_back(Step{0, "审查", "review", {item.dept_id}, "reviewer", "pending", {}});
    steps.push_back(Step{1, "决定", "decide", {item.dept_id}, "approver", "pending", {}});
    return steps;
  }
  for (std::size_t i = 0; i < item.workflow.size(); ++i) {
    const auto& w = item.workflow[i];
    Step s;
    s.index = static_cast<int>(i);
    s.name = w.name;
    s.kind = w.kind;
    s.dept_ids = w.dept_ids.empty() ? std::vector<std::string>{item.dept_id} : w.dept_ids;
    s.role = w.role;
    s.status = "pending";
    steps.push_back(std::move(s));
  }
  if (steps.back().kind != "decide") {
    // The catalog requires a final decide step; keep the invariant for older versions too.
    steps.push_back(Step{static_cast<int>(steps.size()),
                         "决定",
                         "decide",
                         {item.dept_id},
                         "approver",
                         "pending",
                         {}});
  }
  return steps;
}

std::vector<std::string> departments_of(const Case& c) {
  std::vector<std::string> depts{c.dept_id};
  for (const auto& s : c.steps) {
    for (const auto& d : s.dept_ids) {
      if (!contains(depts, d)) depts.push_back(d);
    }
  }
  return depts;
}

Waiting waiting_of(const Case& c) {
  switch (c.state) {
    case State::submitted:
    case State::granted:
    case State::denied:
      return Waiting{"clerk", "," + c.dept_id + ","};
    case State::in_review:
    case State::suspended: {
      const Step* s = current(c);
      if (!s) return {};
      std::string depts = ",";
      for (const auto& d : s->dept_ids) {
        if (s->kind == "review" && answered_by(*s, d)) continue;
        depts += d + ",";
      }
      return Waiting{s->role, depts};
    }
    default:
      return {};
  }
}

std::string steps_to_json(const std::vector<Step>& steps) {
  Json out = Json::array();
  for (const auto& s : steps) {
    Json approvals = Json::array();
    for (const auto& a : s.approvals) {
      approvals.push_back({{"dept_id", a.dept_id},
                           {"user_id", a.user_id},
                           {"verdict", a.verdict},
                           {"opinion", a.opinion},
                           {"at_ms", a.at_ms}});
    }
    out.push_back({{"index", s.index},
                   {"name", s.name},
                   {"kind", s.kind},
                   {"dept_ids", s.dept_ids},
                   {"role", s.role},
                   {"status", s.status},
                   {"approvals", std::move(approvals)}});
  }
  return out.dump();
}

std::vector<Step> steps_from_json(std::string_view text) {
  // Written only by steps_to_json: a parse failure is a corrupt row, i.e. a bug.
  Json j = Json::parse(text);
  std::vector<Step> steps;
  for (const auto& s : j) {
    Step step;
    step.index = s.at("index").get<int>();
    step.name = s.at("name").get<std::string>();
    step.kind = s.at("kind").get<std::string>();
    step.dept_ids = s.at("dept_ids").get<std::vector<std::string>>();
    step.role = s.at("role").get<std::string>();
    step.status = s.at("status").get<std::string>();
    for (const auto& a : s.at("approvals")) {
      step.approvals.push_back(
          StepApproval{a.at("dept_id").get<std::string>(), a.at("user_id").get<std::string>(),
                       a.at("verdict").get<std::string>(), a.at("opinion").get<std::string>(),
                       a.at("at_ms").get<core::Millis>()});
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

std::string materials_to_json(const std::vector<MaterialRef>& materials) {
  Json out = Json::array();
  for (const auto& m : materials) {
    Json o = {{"name", m.name}, {"sha256", m.sha256}};
    if (!m.certificate_id.empty()) o["certificate_id"] = m.certificate_id;
    if (!m.verification_json.empty()) o["verification"] = Json::parse(m.verification_json);
    out.push_back(std::move(o));
  }
  return out.dump();
}

std::vector<MaterialRef> materials_from_json(std::string_view text) {
  Json j = Json::parse(text);
  std::vector<MaterialRef> out;
  for (const auto& m : j) {
    out.push_back(MaterialRef{m.at("name").get<std::string>(), m.value("sha256", ""),
                              m.value("certificate_id", ""),
                              m.contains("verification") ? m.at("verification").dump() : ""});
  }
  return out;
}

}  // namespace yiwang::cases::workflow
