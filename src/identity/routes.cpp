// HTTP routes of identity: parse, authenticate, call one service function, map the result.
#include "core/clock.h"
#include "http/json_api.h"
#include "identity/identity.h"

namespace yiwang::identity {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

bool is_admin(const Principal& p) {
  return p.is_official() && p.has_role(Role::admin);
}

// Full personal numbers only for the owner and administrators; others see the masked form.
Json user_json(const Principal& p, const Principal* viewer) {
  Json roles = Json::array();
  for (Role r : p.roles) roles.push_back(to_string(r));
  Json j{{"id", p.user_id},
         {"username", p.username},
         {"kind", to_string(p.kind)},
         {"display_name", p.display_name},
         {"roles", std::move(roles)},
         {"dept_id", p.dept_id},
         {"division_code", p.division_code},
         {"id_number_masked", mask_id_number(p.id_number)}};
  if (viewer && (viewer->user_id == p.user_id || is_admin(*viewer))) {
    j["id_number"] = p.id_number;
    j["phone"] = p.phone;
  }
  return j;
}

Json department_json(const Department& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"uscc", d.uscc},
          {"division_code", d.division_code},
          {"parent_id", d.parent_id}};
}

Response forbidden(const Request& req) {
  return http::problem(Error{ErrorCode::forbidden, "", "只有管理员可以执行此操作",
                             "only administrators may do this"},
                       req);
}

// Reads a "roles" array of role names; errors name the element ("/roles/0").
Result<std::set<Role>> roles_of(const Json& array, const std::string& path) {
  std::set<Role> roles;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const Json& v = array[i];
    std::optional<Role> role;
    if (v.is_string()) role = parse_role(v.get<std::string>());
    if (!role) {
      return fail(ErrorCode::invalid_input, path + "/" + std::to_string(i), "未知角色",
                  "unknown role (clerk, reviewer, approver, supervisor, admin)");
    }
    roles.insert(*role);
  }
  return roles;
}

// The fields shared by register and create-user; `allow_official` adds dept_id and roles.
Result<NewUser> new_user_of(const Request& req, bool allow_official) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
  NewUser u;
  u.username = r.required_string("username", 64);
  u.password = r.required_string("password", 1024);
  std::string kind = r.required_string("kind", 20);
  u.display_name = r.required_string("display_name", 400);
  u.id_number = r.optional_string("id_number", 64).value_or("");
  u.division_code = r.optional_string("division_code", 12).value_or("");
  u.phone = r.optional_string("phone", 32).value_or("");
  std::optional<Json> roles;
  if (allow_official) {
    u.dept_id = r.optional_string("dept_id", 64).value_or("");
    roles = r.optional_array("roles");
  }
  if (auto st = r.finish(); !st) return fail(st.error());
  auto k = parse_kind(kind);
  if (!k || (!allow_official && *k == Kind::official)) {
    return fail(ErrorCode::invalid_input, "/kind",
                allow_official ? "类型须为 citizen、business 或 official"
                               : "只能注册个人（citizen）或企业（business）账号",
                allow_official ? "kind must be citizen, business or official"
                               : "kind must be citizen or business");
  }
  u.kind = *k;
  if (roles) {
    auto parsed = roles_of(*roles, "/roles");
    if (!parsed) return fail(parsed.error());
    u.roles = std::move(*parsed);
  }
  return u;
}

}  // namespace

void register_routes(http::Router& router, Service& service) {
  router.add("POST", "/api/v1/auth/login", [&](const Request& req, const PathParams&) {
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    std::string username = r.required_string("username", 64);
    std::string password = r.required_string("password", 1024);
    if (auto st = r.finish(); !st) return http::problem(st.error(), req);
    auto login = service.login(username, password, req.remote_address);
    if (!login) return http::problem(login.error(), req);
    return http::ok({{"token", login->token},
                     {"expires_at", core::format_instant(login->expires_at_ms)},
                     {"user", user_json(login->user, &login->user)}});
  });

  router.add("POST", "/api/v1/auth/logout", [&](const Request& req, const PathParams&) {
    auto st = service.logout(req.bearer_token());
    if (!st) return http::problem(st.error(), req);
    return http::no_content();
  });

  router.add("POST", "/api/v1/auth/register", [&](const Request& req, const PathParams&) {
    auto u = new_user_of(req, /*allow_official=*/false);
    if (!u) return http::problem(u.error(), req);
    auto created = service.register_self(*u);
    if (!created) return http::problem(created.error(), req);
    return http::created(user_json(*created, &*created));
  });

  router.add("GET", "/api/v1/me", [&](const Request& req, const PathParams&) {
    auto who = service.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    return http::ok(user_json(*who, &*who));
  });

  router.add("GET", "/api/v1/users", [&](const Request& req, const PathParams&) {
    auto who = service.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    if (!is_admin(*who)) return forbidden(req);
    auto page = http::page_of(req);
    if (!page) return http::problem(page.error(), req);
    auto users = service.list_users(page->limit, page->offset);
    if (!users) return http::problem(users.error(), req);
    Json list = Json::array();
    for (const auto& u : *users) list.push_back(user_json(u, &*who));
    return http::ok({{"users", std::move(list)}});
  });

  router.add("POST", "/api/v1/users", [&](const Request& req, const PathParams&) {
    auto who = service.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto u = new_user_of(req, /*allow_official=*/true);
    if (!u) return http::problem(u.error(), req);
    auto created = service.create_user(*u, &*who);
    if (!created) return http::problem(created.error(), req);
    return http::created(user_json(*created, &*who));
  });

  router.add("PUT", "/api/v1/users/{id}/roles", [&](const Request& req, const PathParams& p) {
    auto who = service.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    auto roles_json = r.optional_array("roles");
    if (!r.failed() && !roles_json) {
      return http::problem(
          Error{ErrorCode::invalid_input, "/roles", "缺少 roles", "roles is required"}, req);
    }
    if (auto st = r.finish(); !st) return http::problem(st.error(), req);
    auto roles = roles_of(*roles_json, "/roles");
    if (!roles) return http::problem(roles.error(), req);
    const std::string& id = p.at("id");
    if (auto st = service.set_roles(id, *roles, *who); !st) return http::problem(st.error(), req);
    // A read-back after the change, so the reply shows what is now stored.
    auto user = service.get_user(id);
    if (!user) return http::problem(user.error(), req);
    return http::ok(user_json(*user, &*who));
  });

  router.add("POST", "/api/v1/users/{id}/unlock", [&](const Request& req, const PathParams& p) {
    auto who = service.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    if (auto st = service.unlock(p.at("id"), *who); !st) return http::problem(st.error(), req);
    return http::ok({{"id", p.at("id")}, {"unlocked", true}});
  });

  // Public: which departments exist and what they are called is open government information,
  // and the portal and the public verification pages show their names to visitors.
  router.add("GET", "/api/v1/departments", [&](const Request& req, const PathParams&) {
    auto list = service.list_departments();
    if (!list) return http::problem(list.error(), req);
    Json out = Json::array();
    for (const auto& d : *list) out.push_back(department_json(d));
    return http::ok({{"departments", std::move(out)}});
  });

  router.add("POST", "/api/v1/departments", [&](const Request& req, const PathParams&) {
    auto who = service.authenticate(req.bearer_token());
    if (!who) return http::problem(who.error(), req);
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    Department d;
    d.id = r.required_string("id", 64);
    d.name = r.required_string("name", 800);
    d.uscc = r.optional_string("uscc", 64).value_or("");
    d.division_code = r.optional_string("division_code", 12).value_or("");
    d.parent_id = r.optional_string("parent_id", 64).value_or("");
    if (auto st = r.finish(); !st) return http::problem(st.error(), req);
    auto created = service.create_department(d, &*who);
    if (!created) return http::problem(created.error(), req);
    return http::created(department_json(*created));
  });

  router.add("GET", "/api/v1/divisions", [&](const Request& req, const PathParams&) {
    auto list = service.list_divisions(req.query_param("parent").value_or(""));
    if (!list) return http::problem(list.error(), req);
    Json out = Json::array();
    for (const auto& d : *list) {
      out.push_back({{"code", d.code}, {"name", d.name}, {"parent_code", d.parent_code}});
    }
    return http::ok({{"divisions", std::move(out)}});
  });
}

}  // namespace yiwang::identity
