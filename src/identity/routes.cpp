// HTTP routes of identity: parse, call one service function, map the result (http/route.h).
#include "identity/routes.h"
#include "core/clock.h"

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

tl::unexpected<Error> admins_only() {
  return fail(ErrorCode::forbidden, "", "只有管理员可以执行此操作",
              "only administrators may do this");
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
  http::ObjectReader r(req);
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

Result<Json> login(const Request& req, Service& service) {
  http::ObjectReader r(req);
  std::string username = r.required_string("username", 64);
  std::string password = r.required_string("password", 1024);
  if (auto st = r.finish(); !st) return fail(st.error());
  return service.login(username, password, req.remote_address).map([](const LoginResult& l) {
    return Json{{"token", l.token},
                {"expires_at", core::format_instant(l.expires_at_ms)},
                {"user", user_json(l.user, &l.user)}};
  });
}

Result<std::set<Role>> parse_roles_body(const Request& req) {
  http::ObjectReader r(req);
  auto roles = r.optional_array("roles");
  if (!r.failed() && !roles) {
    return fail(ErrorCode::invalid_input, "/roles", "缺少 roles", "roles is required");
  }
  if (auto st = r.finish(); !st) return fail(st.error());
  return roles_of(*roles, "/roles");
}

Result<Department> parse_department(const Request& req) {
  http::ObjectReader r(req);
  Department d;
  d.id = r.required_string("id", 64);
  d.name = r.required_string("name", 800);
  d.uscc = r.optional_string("uscc", 64).value_or("");
  d.division_code = r.optional_string("division_code", 12).value_or("");
  d.parent_id = r.optional_string("parent_id", 64).value_or("");
  if (auto st = r.finish(); !st) return fail(st.error());
  return d;
}

// Sign-in, sign-out, self-registration and the caller's own account.
void add_session_routes(Routes& api, Service& service) {
  api.open("POST", "/api/v1/auth/login",
           [&](const Request& req, const PathParams&) { return login(req, service); });

  // Open: the token to end is the credential itself (an unknown one is 401 from the service).
  api.open("POST", "/api/v1/auth/logout", [&](const Request& req, const PathParams&) {
    return service.logout(req.bearer_token());
  });

  api.open("POST", "/api/v1/auth/register", [&](const Request& req, const PathParams&) {
    return new_user_of(req, /*allow_official=*/false)
        .and_then([&](const NewUser& u) { return service.register_self(u); })
        .map([](const Principal& p) { return http::created(user_json(p, &p)); });
  });

  api.add("GET", "/api/v1/me", [](const Request&, const PathParams&, const Principal& who) {
    return Result<Json>(user_json(who, &who));
  });
}

// Accounts, departments and divisions (administration; departments and divisions read openly).
void add_directory_routes(Routes& api, Service& service) {
  api.add("GET", "/api/v1/users",
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Json> {
            if (!is_admin(who)) return admins_only();
            auto page = http::page_of(req);
            if (!page) return fail(page.error());
            auto users = service.list_users(page->limit, page->offset);
            if (!users) return fail(users.error());
            return Json{{"users", http::array_of(*users, [&](const Principal& u) {
                           return user_json(u, &who);
                         })}};
          });

  api.add("POST", "/api/v1/users",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return new_user_of(req, /*allow_official=*/true)
                .and_then([&](const NewUser& u) { return service.create_user(u, &who); })
                .map([&](const Principal& p) { return http::created(user_json(p, &who)); });
          });

  api.add("PUT", "/api/v1/users/{id}/roles",
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
            auto roles = parse_roles_body(req);
            if (!roles) return fail(roles.error());
            const std::string& id = p.at("id");
            if (auto st = service.set_roles(id, *roles, who); !st) return fail(st.error());
            // A read-back after the change, so the reply shows what is now stored.
            return service.get_user(id).map([&](const Principal& u) { return user_json(u, &who); });
          });

  api.add("POST", "/api/v1/users/{id}/unlock",
          [&](const Request&, const PathParams& p, const Principal& who) -> Result<Json> {
            if (auto st = service.unlock(p.at("id"), who); !st) return fail(st.error());
            return Json{{"id", p.at("id")}, {"unlocked", true}};
          });

  // Public: which departments exist and what they are called is open government information,
  // and the portal and the public verification pages show their names to visitors.
  api.open("GET", "/api/v1/departments", [&](const Request&, const PathParams&) {
    return service.list_departments().map([](const std::vector<Department>& list) {
      return Json{{"departments", http::array_of(list, department_json)}};
    });
  });

  api.add("POST", "/api/v1/departments",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_department(req)
                .and_then([&](const Department& d) { return service.create_department(d, &who); })
                .map([](const Department& d) { return http::created(department_json(d)); });
          });

  api.open("GET", "/api/v1/divisions", [&](const Request& req, const PathParams&) {
    return service.list_divisions(req.query_param("parent").value_or(""))
        .map([](const std::vector<Division>& list) {
          return Json{
              {"divisions", http::array_of(list, [](const Division& d) {
                 return Json{{"code", d.code}, {"name", d.name}, {"parent_code", d.parent_code}};
               })}};
        });
  });
}

}  // namespace

void register_routes(http::Router& router, Service& service) {
  Routes api(router, service);
  add_session_routes(api, service);
  add_directory_routes(api, service);
}

}  // namespace yiwang::identity
