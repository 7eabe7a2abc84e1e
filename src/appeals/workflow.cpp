#include "appeals/workflow.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/text_check.h"
#include "privacy/mask.h"

namespace yiwang::appeals::workflow {
namespace {

using Json = nlohmann::json;

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

tl::unexpected<Error> forbidden(std::string zh, std::string en) {
  return fail(ErrorCode::forbidden, "", std::move(zh), std::move(en));
}

// Where each action may start and where it leads (supervise leaves the state as it is).
struct Rule {
  std::vector<State> from;
  State to;
};

Rule rule_of(Action a) {
  switch (a) {
    case Action::dispatch:
      return {{State::accepted}, State::dispatched};
    case Action::send_back:
      return {{State::dispatched, State::handling}, State::returned};
    case Action::arbitrate:
      return {{State::returned}, State::dispatched};
    case Action::receive:
      return {{State::dispatched}, State::handling};
    case Action::reply:
      return {{State::handling}, State::replied};
    case Action::supervise:
      return {{State::dispatched, State::returned, State::handling}, State::dispatched};
    case Action::close:
      return {{State::replied}, State::closed};
    case Action::callback:
      return {{State::closed}, State::called_back};
    case Action::rate:
      return {{State::closed, State::called_back}, State::rated};
  }
  return {{}, State::accepted};
}

// Check 2: the principal for the action.
Status check_actor(Action action, const Appeal& a, const identity::Principal& by,
                   const Options& o) {
  switch (action) {
    case Action::dispatch:
    case Action::arbitrate:
    case Action::close:
    case Action::callback:
      if (is_hotline(by, o)) return {};
      return forbidden("只有 12345 热线中心可以执行此操作",
                       "only the hotline centre may " + std::string(to_string(action)));
    case Action::send_back:
    case Action::receive:
    case Action::reply:
      if (is_handler(by, a)) return {};
      return forbidden("只有承办部门可以执行此操作",
                       "only the handling department may " + std::string(to_string(action)));
    case Action::supervise:
      if (is_official_with(by, identity::Role::supervisor)) return {};
      return forbidden("只有监察人员可以督办", "only supervisors may supervise");
    case Action::rate:
      if (is_appellant(by, a)) return {};
      // A caller without an account rates on the callback call; the hotline records it.
      if (a.appellant.user_id.empty() && is_hotline(by, o)) return {};
      return forbidden("只有诉求人可以评价", "only the appellant may rate");
  }
  return forbidden("无权操作", "not allowed");
}

}  // namespace

Status may_act_on(const Appeal& a, const identity::Principal& by, const Options& o) {
  for (Action action : {Action::dispatch, Action::send_back, Action::arbitrate, Action::receive,
                        Action::reply, Action::supervise, Action::close, Action::callback,
                        Action::rate}) {
    if (check_actor(action, a, by, o)) return {};
  }
  return forbidden("您无权办理此诉求", "you take no part in handling this appeal");
}

Status may_check_reply(const Appeal& a, const identity::Principal& by, const Options& o) {
  if (is_handler(by, a) || is_hotline(by, o) || is_official_with(by, identity::Role::admin)) {
    return {};
  }
  return forbidden("只有承办部门和热线中心可以检查答复",
                   "only the handling department and the hotline check replies");
}

namespace {

// Check 3: the state.
Status check_state(Action action, const Appeal& a) {
  const Rule rule = rule_of(action);
  if (std::find(rule.from.begin(), rule.from.end(), a.state) != rule.from.end()) return {};
  return fail(ErrorCode::conflict, "/action",
              "诉求当前状态（" + std::string(to_string(a.state)) + "）不允许此操作",
              "action " + std::string(to_string(action)) + " is not allowed in state " +
                  std::string(to_string(a.state)));
}

// Fields that belong to another action are refused rather than silently dropped.
Status check_unused_fields(const ActionRequest& r) {
  const Action a = r.action;
  auto unused = [](const char* field) {
    return bad(field, "此操作不使用该字段", "this action does not take this field");
  };
  if (!r.dept_id.empty() && a != Action::dispatch && a != Action::arbitrate)
    return unused("/dept_id");
  if (!r.reply.empty() && a != Action::reply) return unused("/reply");
  if (!r.result.empty() && a != Action::callback) return unused("/result");
  if (r.level && a != Action::rate) return unused("/level");
  if ((!r.suggested_dept.empty() || r.confidence) && a != Action::dispatch) {
    return unused(r.suggested_dept.empty() ? "/confidence" : "/suggested_dept");
  }
  return {};
}

// The texts and numbers each action takes.
Status check_values(const ActionRequest& r) {
  const Action a = r.action;
  if (auto st = check_text(r.reason, "/reason", 0, 2000, true, "理由", "reason"); !st) return st;
  if ((a == Action::send_back || a == Action::arbitrate) && r.reason.empty()) {
    return bad("/reason", a == Action::send_back ? "退回须说明理由" : "仲裁须说明理由",
               "a reason is required");
  }
  if (a == Action::reply) {
    if (auto st = check_text(r.reply, "/reply", 1, 5000, true, "答复内容", "reply"); !st) return st;
  }
  if (a == Action::callback) {
    if (auto st = check_text(r.result, "/result", 1, 2000, true, "回访结果", "callback result");
        !st)
      return st;
  }
  if (a == Action::rate && (!r.level || *r.level < 1 || *r.level > 5)) {
    return bad("/level", "评价等级应为 1–5", "level must be 1–5");
  }
  if (r.confidence && !check_confidence(*r.confidence)) {
    return bad("/confidence", "置信度应在 0 到 1 之间", "confidence must be within 0..1");
  }
  if (r.confidence.has_value() != !r.suggested_dept.empty()) {
    return bad(r.confidence ? "/suggested_dept" : "/confidence", "建议部门和置信度须同时提供",
               "suggested_dept and confidence go together");
  }
  return {};
}

std::string issue_list(const ReplyQuality& q, bool zh) {
  std::string out;
  for (const auto& i : q.issues) {
    if (!out.empty()) out += zh ? "；" : "; ";
    out += zh ? i.message_zh : i.message_en;
  }
  return out;
}

// The reply, checked when a checker is configured: a weak one goes out only when confirmed.
Status take_reply(Appeal& a, const ActionRequest& r, const Options& o, Json& data) {
  if (o.reply_checker) {
    auto q = reply_quality(a, r.reply, o);
    if (!q) return fail(q.error());
    if (q->weak && !r.confirm_weak) {
      const std::string score = std::to_string(static_cast<int>(q->score));
      return fail(ErrorCode::unprocessable, "/reply",
                  "答复质量较弱（" + score + " 分）：" + issue_list(*q, true) +
                      "。请修改，或确认仍然提交。",
                  "weak reply (score " + score + "): " + issue_list(*q, false) +
                      ". Revise it, or confirm to send it.");
    }
    data["reply_score"] = std::round(q->score * 10) / 10;
    data["reply_weak"] = q->weak;
    a.reply_check = std::move(*q);
  }
  a.reply = r.reply;
  return {};
}

// Check 4 and the action's changes to `a` (its clock read at `now`), recorded in `data`.
Status take(Appeal& a, const ActionRequest& r, core::Millis now, const Options& o, Json& data) {
  switch (r.action) {
    case Action::dispatch:
    case Action::arbitrate: {
      const std::string target = target_dept(r, o);
      a.dept_id = target;
      a.dispatched_at_ms = now;
      data["dept_id"] = target;
      if (r.action == Action::dispatch && !r.suggested_dept.empty()) {
        a.suggested_dept = r.suggested_dept;
        a.suggested_confidence = r.confidence;
        data["suggested_dept"] = r.suggested_dept;
        data["confidence"] = *r.confidence;
        // A dispatcher overriding the classifier: a labelled example for retraining.
        data["corrected"] = target != r.suggested_dept;
      }
      return {};
    }
    case Action::send_back:
      if (a.returned_once) {
        return fail(ErrorCode::conflict, "/action", "该诉求已退回过一次，须按热线中心仲裁结果办理",
                    "this appeal was returned once already; the hotline's arbitration stands");
      }
      a.returned_once = true;
      a.return_reason = r.reason;
      data["dept_id"] = a.dept_id;
      return {};
    case Action::reply:
      if (auto st = take_reply(a, r, o, data); !st) return st;
      a.replied_at_ms = now;
      data["on_time"] = a.clock.alert != core::Alert::red;
      return {};
    case Action::supervise:
      if (a.clock.alert != core::Alert::red) {
        return fail(ErrorCode::conflict, "/action", "诉求尚未超期，不能督办",
                    "only an overdue appeal is supervised");
      }
      a.supervision_count += 1;
      data["remaining_days"] = a.clock.remaining_days;
      return {};
    case Action::close:
      a.closed_at_ms = now;
      return {};
    case Action::callback:
      a.callback_result = r.result;
      return {};
    case Action::rate:
      a.rating = *r.level;
      data["level"] = *r.level;
      return {};
    case Action::receive:
      return {};
  }
  return {};
}

// The record after one step: state, updated_at and revision advanced.
Outcome step(const Record& before, Appeal after, State to, core::Millis now, std::string type,
             std::string reason, Json data) {
  after.state = to;
  after.updated_at_ms = now;
  after.revision += 1;
  return Outcome{Record{std::move(after), before.identity_key}, std::move(type), std::move(reason),
                 data.dump()};
}

}  // namespace

// ---- Who is who ---------------------------------------------------------------------------------

bool is_official_with(const identity::Principal& by, identity::Role r) {
  return by.is_official() && by.has_role(r);
}

bool is_hotline(const identity::Principal& by, const Options& o) {
  return by.is_official() && by.dept_id == o.hotline_dept_id &&
         (by.has_role(identity::Role::clerk) || by.has_role(identity::Role::reviewer));
}

bool sees_all(const identity::Principal& by, const Options& o) {
  return by.is_official() &&
         (by.dept_id == o.hotline_dept_id || by.has_role(identity::Role::supervisor) ||
          by.has_role(identity::Role::admin));
}

bool is_handler(const identity::Principal& by, const Appeal& a) {
  return by.is_official() && !a.dept_id.empty() && by.dept_id == a.dept_id &&
         (by.has_role(identity::Role::clerk) || by.has_role(identity::Role::reviewer) ||
          by.has_role(identity::Role::approver));
}

bool is_appellant(const identity::Principal& by, const Appeal& a) {
  return !by.is_official() && !a.appellant.user_id.empty() && a.appellant.user_id == by.user_id;
}

bool may_see(const identity::Principal& by, const Appeal& a, const Options& o) {
  if (!by.is_official()) return is_appellant(by, a);
  if (sees_all(by, o)) return true;
  return !a.dept_id.empty() && by.dept_id == a.dept_id;
}

void mask_for(Appeal& a, const identity::Principal& by, const Options& o) {
  if (is_appellant(by, a)) return;
  const bool hide = a.anonymous || (a.confidential && !is_hotline(by, o));
  if (hide) {
    const std::string user = a.appellant.user_id;
    a.appellant = Appellant{"", "", "", true};
    if (!user.empty() && a.entered_by == user) a.entered_by.clear();
    return;
  }
  const bool handles = by.is_official() && (by.dept_id == o.hotline_dept_id ||
                                            (!a.dept_id.empty() && by.dept_id == a.dept_id));
  if (!handles) {
    if (!a.appellant.name.empty()) a.appellant.name = privacy::mask_name(a.appellant.name);
    a.appellant.phone = identity::mask_phone(a.appellant.phone);
  }
}

// ---- Steps --------------------------------------------------------------------------------------

std::string target_dept(const ActionRequest& r, const Options& o) {
  if (r.action == Action::dispatch && r.dept_id.empty() && r.confidence &&
      *r.confidence >= o.auto_dispatch_confidence) {
    return r.suggested_dept;
  }
  return r.dept_id;
}

Status check_request(const ActionRequest& r, const Options& o) {
  if (auto st = check_unused_fields(r); !st) return st;
  if (auto st = check_values(r); !st) return st;
  if ((r.action == Action::dispatch || r.action == Action::arbitrate) &&
      target_dept(r, o).empty()) {
    return bad("/dept_id", "请选择承办部门", "a department is required");
  }
  return {};
}

Result<Outcome> apply(const Record& record, const ActionRequest& r, const identity::Principal& by,
                      core::Millis now_ms, const Options& o) {
  if (auto st = check_request(r, o); !st) return fail(st.error());
  if (auto st = check_actor(r.action, record.a, by, o); !st) return fail(st.error());
  if (auto st = check_state(r.action, record.a); !st) return fail(st.error());
  const State from = record.a.state;
  Appeal a = record.a;
  Json data{{"action", to_string(r.action)}, {"from", to_string(from)}};
  if (auto st = take(a, r, now_ms, o, data); !st) return fail(st.error());
  const State to = r.action == Action::supervise ? from : rule_of(r.action).to;
  data["to"] = to_string(to);
  // The reply and the callback's result are the act's document.
  std::string reason = r.reason;
  if (r.action == Action::reply) reason = r.reply;
  if (r.action == Action::callback) reason = r.result;
  return step(record, std::move(a), to, now_ms, std::string(event_type(r.action)),
              std::move(reason), std::move(data));
}

Result<ReplyQuality> reply_quality(const Appeal& a, std::string_view reply, const Options& o) {
  auto q = o.reply_checker(a.title + "\n" + a.text, reply);
  if (!q) {
    Error e = q.error();
    if (e.code == ErrorCode::invalid_input) e.field = "/reply";
    return fail(std::move(e));
  }
  q->late = a.clock.alert == core::Alert::red;
  if (q->late) {
    const std::string days = std::to_string(a.clock.limit_days);
    q->score = std::max(0.0, q->score - kLatePenalty);
    q->issues.push_back({"late", "答复已超过办理时限（" + days + " 个工作日）",
                         "the reply is past the limit of " + days + " working days"});
  }
  q->weak = q->score < kWeakReplyBelow;
  return q;
}

Status check_confidence(double confidence) {
  if (std::isfinite(confidence) && confidence >= 0 && confidence <= 1) return {};
  return bad("/confidence", "置信度应在 0 到 1 之间", "confidence must be within 0..1");
}

Result<Outcome> auto_dispatch(const Record& record, const std::string& dept_id, double confidence,
                              std::string_view label, core::Millis now_ms, const Options& o) {
  if (record.a.state != State::accepted) {
    return fail(ErrorCode::conflict, "/action", "诉求已派单",
                "the appeal is no longer waiting for dispatch");
  }
  const bool confident = confidence >= o.auto_dispatch_confidence;
  Appeal a = record.a;
  a.suggested_dept = dept_id;
  a.suggested_confidence = confidence;
  a.suggested_label = std::string(label);
  Json data{{"action", confident ? "dispatch" : "classify"},
            {"from", "accepted"},
            {"suggested_dept", dept_id},
            {"label", label},
            {"confidence", confidence}};
  State to = State::accepted;
  if (confident) {
    to = State::dispatched;
    a.dept_id = dept_id;
    a.dispatched_at_ms = now_ms;
    data["dept_id"] = dept_id;
  }
  data["to"] = to_string(to);
  return step(record, std::move(a), to, now_ms,
              confident ? "appeal.dispatched" : "appeal.classified", "", std::move(data));
}

Result<Outcome> link(const Record& record, std::string_view ref, core::Millis now_ms) {
  const Appeal& a = record.a;
  if (!a.linked_ref.empty()) {
    return fail(ErrorCode::conflict, "", "诉求已关联案件 " + a.linked_ref,
                "the appeal is linked to " + a.linked_ref + " already");
  }
  Appeal after = a;
  after.linked_ref = std::string(ref);
  return step(record, std::move(after), a.state, now_ms, "appeal.linked", "", Json{{"ref", ref}});
}

Result<std::vector<Outcome>> answer_linked(const Record& record, std::string_view reply,
                                           core::Millis now_ms) {
  if (record.a.state != State::dispatched && record.a.state != State::handling) {
    return fail(ErrorCode::conflict, "/action", "诉求当前状态不能答复",
                "the appeal is not waiting for an answer");
  }
  std::vector<Outcome> out;
  const Record* at = &record;
  if (record.a.state == State::dispatched) {
    out.push_back(step(record, record.a, State::handling, now_ms, "appeal.received", "",
                       Json{{"action", "receive"}, {"from", "dispatched"}, {"to", "handling"}}));
    at = &out.back().after;
  }
  Appeal replied = at->a;
  replied.reply = std::string(reply);
  replied.replied_at_ms = now_ms;
  Json data{
      {"action", "reply"}, {"from", "handling"}, {"to", "replied"}, {"ref", replied.linked_ref}};
  Outcome answer = step(*at, std::move(replied), State::replied, now_ms, "appeal.replied",
                        std::string(reply), std::move(data));
  out.push_back(std::move(answer));
  return out;
}

// ---- Texts --------------------------------------------------------------------------------------

Status check_text(std::string_view value, const std::string& field, std::size_t min,
                  std::size_t max, bool multiline, const char* zh_name, const char* en_name) {
  return core::check_text(value, field, {min, max, multiline, zh_name, en_name});
}

std::string summary_json(const Appeal& a) {
  return Json{{"id", a.id},
              {"type", to_string(a.type)},
              {"channel", to_string(a.channel)},
              {"state", to_string(a.state)},
              {"dept_id", a.dept_id},
              {"returned_once", a.returned_once},
              {"supervision_count", a.supervision_count},
              {"merged_count", a.merged_count},
              {"revision", a.revision}}
      .dump();
}

}  // namespace yiwang::appeals::workflow
