// What consultations and surveys share: who is who, the owning department, the visibility of
// lists and the events; the service's construction.
#include "participation/internal.h"

namespace yiwang::generated {
std::vector<store::Migration> participation_migrations();
}

namespace yiwang::participation {

using identity::Principal;
using identity::Role;

std::vector<store::Migration> migrations() {
  return generated::participation_migrations();
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, Options options)
    : impl_(std::make_unique<Impl>(Impl{store, clock, random, identity, std::move(options)})) {}

Service::~Service() = default;

namespace detail {

tl::unexpected<Error> not_found(bool survey) {
  if (survey) return fail(ErrorCode::not_found, "", "调查不存在", "survey not found");
  return fail(ErrorCode::not_found, "", "意见征集不存在", "consultation not found");
}

bool is_staff(const Principal& by) {
  return by.is_official() && (by.has_role(Role::clerk) || by.has_role(Role::reviewer) ||
                              by.has_role(Role::approver) || by.has_role(Role::admin));
}

bool manages(const Principal& by, const std::string& dept_id) {
  if (!by.is_official()) return false;
  if (by.has_role(Role::admin)) return true;
  return by.dept_id == dept_id && is_staff(by);
}

bool of_dept(const Principal* by, const std::string& dept_id) {
  return by && by->is_official() && (by->has_role(Role::admin) || by->dept_id == dept_id);
}

bool is_public_member(const Principal& by) {
  return by.kind == identity::Kind::citizen || by.kind == identity::Kind::business;
}

tl::unexpected<Error> forbidden_manage() {
  return fail(ErrorCode::forbidden, "", "只有本部门工作人员可以管理",
              "only officials of the owning department may do this");
}

tl::unexpected<Error> forbidden_public() {
  return fail(ErrorCode::forbidden, "", "请以个人或法人身份登录后参与",
              "citizens and businesses take part; officials do not");
}

Result<std::string> owning_dept(identity::Service& ids, const std::string& requested,
                                const Principal& by) {
  if (auto st = Service::may_create(by); !st) return fail(st.error());
  std::string dept = requested.empty() ? by.dept_id : requested;
  if (!by.has_role(Role::admin) && dept != by.dept_id) {
    return fail(ErrorCode::forbidden, "/dept_id", "只能为本部门发起",
                "officials act for their own department only");
  }
  auto d = ids.get_department(dept);
  if (!d) {
    if (d.error().code != ErrorCode::not_found) return fail(d.error());
    return bad("/dept_id", "部门不存在：" + dept, "no such department: " + dept);
  }
  return dept;
}

events::NewEvent event(std::string type, std::string subject_type, std::string subject_id,
                       const Principal& by, std::string reason, std::string before,
                       std::string after, std::string data_json) {
  return {.type = std::move(type),
          .subject_type = std::move(subject_type),
          .subject_id = std::move(subject_id),
          .actor = identity::actor_of(by),
          .reason = std::move(reason),
          .before_json = std::move(before),
          .after_json = std::move(after),
          .data_json = std::move(data_json)};
}

}  // namespace detail
}  // namespace yiwang::participation
