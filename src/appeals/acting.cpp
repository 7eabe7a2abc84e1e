// Acting on appeals: the service reads the row, calls the pure rules (workflow.cpp) and writes the
// row and the event in one transaction. Also the platform's own steps (AI dispatch, the link to
// city management) and the limits per type.
#include <map>

#include <nlohmann/json.hpp>

#include "appeals/internal.h"

namespace yiwang::appeals {
namespace {

using namespace detail;
using Json = nlohmann::json;

// The department a dispatch or arbitration names exists.
Status check_dept(identity::Service& ids, const std::string& dept_id) {
  auto d = ids.get_department(dept_id);
  if (d) return {};
  if (d.error().code != ErrorCode::not_found) return fail(d.error());
  return bad("/dept_id", "部门不存在：" + dept_id, "no such department: " + dept_id);
}

Status check_revision(const Appeal& a, const ActionRequest& req) {
  if (!req.expected_revision || *req.expected_revision == a.revision) return {};
  return fail(ErrorCode::conflict, "/expected_revision", "诉求已被他人修改，请刷新后重试",
              "the appeal changed since you read it (revision " + std::to_string(a.revision) + ")");
}

}  // namespace

Result<Appeal> Service::act(std::string_view id, const ActionRequest& req,
                            const identity::Principal& by) {
  Impl& m = *impl_;
  const Options& o = m.options;
  if (auto st = workflow::check_request(req, o); !st) return fail(st.error());
  if (req.action == Action::dispatch || req.action == Action::arbitrate) {
    if (auto st = check_dept(m.identity, workflow::target_dept(req, o)); !st) {
      return fail(st.error());
    }
  }
  auto calendar = calendar_of(o);
  if (!calendar) return fail(calendar.error());
  auto out = m.store.write([&](store::Tx& tx) -> Result<Appeal> {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(by, r->a, o)) return not_found();
    if (auto st = check_revision(r->a, req); !st) return fail(st.error());
    const core::Millis now = m.clock.now_ms();
    Record read = *r;
    fill_clock(read.a, *calendar, now, o.yellow_days);
    auto step = workflow::apply(read, req, by, now, o);
    if (!step) return fail(step.error());
    if (auto st = write_step(tx, m.clock, r->a, *step, identity::actor_of(by), true); !st) {
      return fail(st.error());
    }
    Appeal a = std::move(step->after.a);
    fill_clock(a, *calendar, now, o.yellow_days);
    return a;
  });
  if (out) workflow::mask_for(*out, by, o);
  return out;
}

Result<Appeal> Service::auto_dispatch(std::string_view id, std::string_view dept_id,
                                      double confidence, std::string_view label) {
  auto calendar = calendar_of(impl_->options);
  if (!calendar) return fail(calendar.error());
  auto a = impl_->store.write(
      [&](store::Tx& tx) { return auto_dispatch(tx, id, dept_id, confidence, label); });
  if (a) fill_clock(*a, *calendar, impl_->clock.now_ms(), impl_->options.yellow_days);
  return a;
}

Result<Appeal> Service::auto_dispatch(store::Tx& tx, std::string_view id, std::string_view dept_id,
                                      double confidence, std::string_view label) {
  Impl& m = *impl_;
  if (auto st = workflow::check_confidence(confidence); !st) return fail(st.error());
  const std::string dept(dept_id);
  // Read in the caller's transaction: a follower may not open another one.
  if (dept.empty() || !tx.query_one("SELECT id FROM departments WHERE id = ?", {dept})) {
    return bad("/dept_id", "没有这个部门：" + dept, "no such department: " + dept);
  }
  auto r = load(tx, id);
  if (!r) return not_found();
  auto step = workflow::auto_dispatch(*r, dept, confidence, label, m.clock.now_ms(), m.options);
  if (!step) return fail(step.error());
  if (auto st = write_step(tx, m.clock, r->a, *step, events::system_actor(), false); !st) {
    return fail(st.error());
  }
  return std::move(step->after.a);
}

Status Service::link(store::Tx& tx, std::string_view id, std::string_view ref) {
  Impl& m = *impl_;
  auto r = load(tx, id);
  if (!r) return not_found();
  auto step = workflow::link(*r, ref, m.clock.now_ms());
  if (!step) return fail(step.error());
  return write_step(tx, m.clock, r->a, *step, events::system_actor(), false);
}

Status Service::answer_linked(store::Tx& tx, std::string_view id, std::string_view reply) {
  Impl& m = *impl_;
  auto r = load(tx, id);
  if (!r) return not_found();
  auto steps = workflow::answer_linked(*r, reply, m.clock.now_ms());
  if (!steps) return fail(steps.error());
  const events::Actor system = events::system_actor(r->a.dept_id);
  const Appeal* before = &r->a;
  for (const auto& step : *steps) {
    if (auto st = write_step(tx, m.clock, *before, step, system, false); !st) return st;
    before = &step.after.a;
  }
  return {};
}

Result<ReplyQuality> Service::check_reply(std::string_view id, std::string_view reply,
                                          const identity::Principal& by) {
  Impl& m = *impl_;
  const Options& o = m.options;
  if (!o.reply_checker) {
    return fail(ErrorCode::conflict, "", "未配置答复质量检查", "reply checks are not configured");
  }
  auto calendar = calendar_of(o);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<ReplyQuality> {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(by, r->a, o)) return not_found();
    if (auto st = workflow::may_check_reply(r->a, by, o); !st) return fail(st.error());
    fill_clock(r->a, *calendar, m.clock.now_ms(), o.yellow_days);
    return workflow::reply_quality(r->a, reply, o);
  });
}

Status Service::may_act(std::string_view id, const identity::Principal& by, bool reply_check) {
  Impl& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Status {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(by, r->a, m.options)) return not_found();
    return reply_check ? workflow::may_check_reply(r->a, by, m.options)
                       : workflow::may_act_on(r->a, by, m.options);
  });
}

Status Service::may_submit(const identity::Principal& by) const {
  if (!by.is_official() || workflow::is_hotline(by, impl_->options)) return {};
  return fail(ErrorCode::forbidden, "/channel", "工作人员只能通过来电渠道代为登记诉求",
              "officials enter appeals for callers through the phone channel only");
}

// ---- Limits -------------------------------------------------------------------------------------

Result<std::vector<Limit>> Service::limits() {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Limit>> {
    std::map<Type, int> days;
    for (std::size_t i = 0; i < kTypes.names.size(); ++i) {
      days[static_cast<Type>(i)] = default_limit_days(static_cast<Type>(i));
    }
    for (const auto& row : tx.query("SELECT type, days FROM appeal_limits")) {
      if (auto t = parse_type(row.text(0))) days[*t] = static_cast<int>(row.int64(1));
    }
    std::vector<Limit> out;
    for (auto [t, d] : days) out.push_back(Limit{t, d});
    return out;
  });
}

Result<Limit> Service::set_limit(Type type, int days, const identity::Principal& by) {
  Impl& m = *impl_;
  if (!workflow::is_official_with(by, identity::Role::admin)) {
    return fail(ErrorCode::forbidden, "", "只有管理员可以修改办理时限",
                "only administrators may change limits");
  }
  if (days < 1 || days > 60) {
    return bad("/days", "时限应为 1–60 个工作日", "days must be 1–60 working days");
  }
  return m.store.write([&](store::Tx& tx) -> Result<Limit> {
    const core::Millis now = m.clock.now_ms();
    const std::string t(to_string(type));
    const int before = limit_days(tx, type);
    tx.exec(
        "INSERT INTO appeal_limits (type, days, updated_by, updated_at_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (type) DO UPDATE SET days = excluded.days, updated_by = excluded.updated_by, "
        "updated_at_ms = excluded.updated_at_ms",
        {t, std::int64_t{days}, by.user_id, now});
    events::append(tx, m.clock,
                   {.type = "appeal.limit_changed",
                    .subject_type = "appeal_limit",
                    .subject_id = t,
                    .actor = identity::actor_of(by),
                    .before_json = Json{{"type", t}, {"days", before}}.dump(),
                    .after_json = Json{{"type", t}, {"days", days}}.dump()});
    return Limit{type, days};
  });
}

}  // namespace yiwang::appeals
