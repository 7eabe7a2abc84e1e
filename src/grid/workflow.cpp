#include "grid/workflow.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "grid/internal.h"

namespace yiwang::grid::workflow {
namespace {

using Json = nlohmann::json;
using detail::bad;
using detail::check_text;
using identity::Principal;
using identity::Role;

bool is_center(const Record& r, const Principal& by, Role role) {
  return detail::center_role(by, r.center_dept_id, role);
}

bool listed_supervisor(const Record& r, const Principal& by) {
  return by.is_official() &&
         std::find(r.supervisors.begin(), r.supervisors.end(), by.username) != r.supervisors.end();
}

Status need_role(bool ok, const std::string& who_zh, const std::string& who_en) {
  if (ok) return {};
  return detail::forbidden("此操作须由" + who_zh + "办理", "this action is for the " + who_en);
}

// Step 1: may `by` take `a` on this event at all?
Status may_take(const Record& r, Action a, const Principal& by) {
  const std::string& dept = r.event.dept_id;
  switch (a) {
    case Action::accept:
      return need_role(is_center(r, by, Role::clerk), "监督中心受理员",
                       "supervision centre's clerk (受理员)");
    case Action::reject:
      return need_role(is_center(r, by, Role::clerk) || is_center(r, by, Role::approver),
                       "监督中心受理员或值班长", "supervision centre's clerk or approver");
    case Action::register_:
    case Action::close:
    case Action::evaluate:
      return need_role(is_center(r, by, Role::approver), "值班长", "approver (值班长)");
    case Action::dispatch:
      return need_role(is_center(r, by, Role::reviewer), "指挥中心派遣员",
                       "command centre's dispatcher (reviewer)");
    case Action::send_back:
    case Action::feedback:
      return need_role(detail::dept_official(by, dept), "承办部门", "handling department");
    case Action::check:
      return need_role(listed_supervisor(r, by), "本网格监督员", "cell's supervisor (监督员)");
  }
  return detail::forbidden("不允许的操作", "action not allowed");
}

// Step 2: the states each action is taken in.
bool legal_in(State s, Action a) {
  switch (a) {
    case Action::accept:
      return s == State::reported;
    case Action::reject:
      return s == State::reported || s == State::accepted;
    case Action::register_:
      return s == State::accepted;
    case Action::dispatch:
      return s == State::registered;
    case Action::send_back:
    case Action::feedback:
      return s == State::dispatched;
    case Action::check:
      return s == State::checking;
    case Action::close:
      return s == State::checked;
    case Action::evaluate:
      return s == State::closed;
  }
  return false;
}

// Step 3: the finer rules of the state.
Status state_rule(const Record& r, Action a, const Principal& by) {
  if (a == Action::reject && r.event.state == State::accepted &&
      !is_center(r, by, Role::approver)) {
    return detail::forbidden("已受理的案卷须由值班长决定不予立案",
                             "an accepted event is rejected by the approver (值班长)");
  }
  if (a == Action::evaluate && r.event.evaluation) {
    return detail::conflict("已评价", "already evaluated");
  }
  return {};
}

Status check_reason(const ActionRequest& a, std::size_t min) {
  return check_text(a.reason, "/reason", min, 1000, true);
}

// The evidence photos: their form, then the platform's upload check the service made.
Status check_evidence(const Record& r, const ActionRequest& a) {
  if (auto st = detail::check_photo_refs(a.photos, "/photos"); !st) return st;
  if (r.photo_refusal) return fail(*r.photo_refusal);
  return {};
}

// The department a dispatch goes to: the one named, or the suggestion.
std::string dispatch_target(const Record& r, const ActionRequest& a) {
  return a.dept_id.empty() ? r.event.suggested_dept : a.dept_id;
}

// Step 4: the inputs each action needs, in the order of the form.
Status check_inputs(const Record& r, const ActionRequest& a) {
  switch (a.action) {
    case Action::accept:
      if (!a.class_code.empty() && a.class_code != r.event.class_code && !r.requested_class) {
        return bad("/class_code", "未知的分类：" + a.class_code, "unknown class");
      }
      return {};
    case Action::reject:
    case Action::send_back:
      return check_reason(a, 1);
    case Action::dispatch: {
      const std::string dept = dispatch_target(r, a);
      if (dept.empty()) return bad("/dept_id", "请指定处置部门", "dept_id is required");
      if (dept == r.center_dept_id) {
        return bad("/dept_id", "不能派遣给监督指挥中心本身",
                   "cannot dispatch to the centre itself");
      }
      return {};
    }
    case Action::feedback:
      if (auto st = check_text(a.feedback, "/feedback", 1, 2000, true); !st) return st;
      return check_evidence(r, a);
    case Action::check:
      if (!a.passed) return bad("/passed", "请填写核查结果", "passed is required");
      if (auto st = check_evidence(r, a); !st) return st;
      return *a.passed ? Status{} : check_reason(a, 1);
    case Action::evaluate:
      if (!a.level || *a.level < 1 || *a.level > 5) {
        return bad("/level", "评价等级须为 1–5", "level must be 1-5");
      }
      return check_reason(a, 0);
    case Action::register_:
    case Action::close:
      return {};
  }
  return {};
}

// The changes of one action, recorded in `out`.
class Transition {
 public:
  Transition(Outcome& out, const Record& r, const ActionRequest& a, core::Millis now)
      : out_(out), e_(out.after), r_(r), a_(a), now_(now) {}

  void run() {
    switch (a_.action) {
      case Action::accept:
        return accept();
      case Action::reject:
        end("rejected");
        e_.state = State::rejected;
        e_.reason = a_.reason;
        return;
      case Action::register_:
        return register_();
      case Action::dispatch:
        return dispatch();
      case Action::send_back:
        return send_back();
      case Action::feedback:
        return feedback();
      case Action::check:
        return check();
      case Action::close:
        return close();
      case Action::evaluate:
        e_.evaluation = *a_.level;
        data_["level"] = *a_.level;
        return;
    }
  }

  Json& data() { return data_; }

 private:
  void end(const char* outcome) { out_.end_step = outcome; }
  void start(Step step, const std::string& dept, int limit) {
    out_.start_step = StepStart{step, dept, limit};
  }
  const std::string& center() const { return r_.center_dept_id; }

  void accept() {
    if (!a_.class_code.empty() && a_.class_code != e_.class_code) {
      const Class& c = *r_.requested_class;
      data_["class_from"] = e_.class_code;
      e_.class_code = a_.class_code;
      e_.class_name = c.major_name + "/" + c.minor_name;
      // The owner of a component keeps the suggestion; otherwise follow the new class.
      if (e_.suggestion_basis == "class") e_.suggested_dept = c.dept_id;
    }
    e_.state = State::accepted;
  }

  void register_() {
    end("done");
    data_["register_used_min"] = r_.step_used_min;
    e_.state = State::registered;
    e_.registered_at_ms = now_;
    out_.total_limit_min = r_.limits.total_after_register();
    start(Step::dispatch, center(), r_.limits.dispatch);
  }

  void dispatch() {
    const std::string dept = dispatch_target(r_, a_);
    end("done");
    e_.state = State::dispatched;
    e_.dept_id = dept;
    e_.dispatched_at_ms = now_;
    data_["dept_id"] = dept;
    data_["suggested"] = dept == e_.suggested_dept;
    start(Step::dispose, dept, r_.limits.dispose);
  }

  void send_back() {
    end("sent_back");
    data_["dept_id"] = e_.dept_id;
    e_.state = State::registered;
    e_.dept_id = "";
    e_.reason = a_.reason;
    e_.send_back_count += 1;
    start(Step::dispatch, center(), r_.limits.dispatch);
  }

  void feedback() {
    out_.index_photos = a_.photos;
    end("done");
    data_["dispose_used_min"] = r_.step_used_min;
    data_["photos"] = a_.photos;
    e_.state = State::checking;
    e_.feedback = a_.feedback;
    e_.fed_back_at_ms = now_;
    start(Step::check, center(), r_.limits.check);
  }

  void check() {
    out_.index_photos = a_.photos;
    data_["passed"] = *a_.passed;
    data_["photos"] = a_.photos;
    if (*a_.passed) {
      end("done");
      e_.state = State::checked;
      start(Step::close, center(), r_.limits.close);
      return;
    }
    // 返工: back to the same department, counted.
    end("rework");
    out_.event_type = "grid.reworked";
    e_.state = State::dispatched;
    e_.reason = a_.reason;
    e_.rework_count += 1;
    start(Step::dispose, e_.dept_id, r_.limits.dispose);
  }

  void close() {
    end("done");
    e_.state = State::closed;
    e_.closed_at_ms = now_;
    const std::int64_t used = r_.since_registered_min;
    e_.closed_on_time = used <= out_.total_limit_min;
    data_["outcome"] = *e_.closed_on_time ? "closed_on_time" : "closed_late";
    data_["used_min"] = used;
    data_["limit_min"] = out_.total_limit_min;
  }

  Outcome& out_;
  GridEvent& e_;
  const Record& r_;
  const ActionRequest& a_;
  const core::Millis now_;
  Json data_ = Json::object();
};

}  // namespace

Result<Outcome> apply(const Record& r, const ActionRequest& a, const Principal& by,
                      core::Millis now_ms) {
  if (auto st = may_take(r, a.action, by); !st) return fail(st.error());
  if (!legal_in(r.event.state, a.action)) {
    const std::string state(to_string(r.event.state));
    return detail::conflict(
        "案卷当前状态（" + state + "）不允许此操作",
        "action " + std::string(to_string(a.action)) + " is not allowed in state " + state);
  }
  if (auto st = state_rule(r, a.action, by); !st) return fail(st.error());
  if (auto st = check_inputs(r, a); !st) return fail(st.error());

  Outcome out;
  out.after = r.event;
  out.after.clock.reset();
  out.total_limit_min = r.total_limit_min;
  out.event_type = std::string(event_type(a.action));
  out.reason = a.reason;
  Transition t(out, r, a, now_ms);
  t.run();
  out.data_json = t.data().dump();
  out.after.updated_at_ms = now_ms;
  out.after.revision = r.event.revision + 1;
  return out;
}

Status may_act_on(const Record& r, const Principal& by) {
  for (Action a : {Action::accept, Action::reject, Action::register_, Action::dispatch,
                   Action::send_back, Action::feedback, Action::check, Action::close,
                   Action::evaluate}) {
    if (may_take(r, a, by)) return {};
  }
  return detail::forbidden("您无权办理此案卷", "you take no part in handling this event");
}

bool may_see(const GridEvent& e, const Principal& by) {
  if (by.is_official()) return true;
  return !by.user_id.empty() && e.reporter_user_id == by.user_id;
}

std::string snapshot(const GridEvent& e) {
  Json j = {{"state", std::string(to_string(e.state))},
            {"class_code", e.class_code},
            {"cell_code", e.where.cell_code},
            {"dept_id", e.dept_id},
            {"rework_count", e.rework_count}};
  return j.dump();
}

}  // namespace yiwang::grid::workflow
