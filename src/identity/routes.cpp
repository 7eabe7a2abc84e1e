// HTTP routes of identity: parse, call one service function, map the result (http/route.h).
#include "identity/routes.h"
#include "core/clock.h"
#include "identity/internal.h"

namespace yiwang::identity {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;
using detail::admin_only;
using detail::is_admin;
using detail::is_security_admin;
using detail::security_admin_only;

// Full personal numbers only for the owner and the security administrators who manage accounts;
// others see the masked form.
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
         {"id_number_masked", mask_id_number(p.id_number)},
         {"assurance", to_string(p.assurance)},
         {"active", p.active}};
  if (viewer && (viewer->user_id == p.user_id || is_security_admin(*viewer))) {
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

Json enrolment_json(const Enrolment& e) {
  Json j{{"method", "totp"},
         {"secret", e.secret},
         {"otpauth_uri", e.otpauth_uri},
         {"algorithm", "SHA1"},
         {"digits", 6},
         {"period", 30}};
  if (!e.recovery_codes.empty()) j["recovery_codes"] = e.recovery_codes;
  return j;
}

// Answers that carry a token, a secret or recovery codes are never stored by caches.
Response private_json(int status, const Json& body) {
  Response r = http::json_response(status, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Result<Response> login(const Request& req, Service& service) {
  http::ObjectReader r(req);
  std::string username = r.required_string("username", 64);
  std::string password = r.required_string("password", 1024);
  SecondFactor factor;
  factor.totp = r.optional_string("totp", 16).value_or("");
  factor.recovery_code = r.optional_string("recovery_code", 32).value_or("");
  if (auto st = r.finish(); !st) return fail(st.error());
  return service.login(username, password, req.remote_address, factor)
      .map([](const LoginResult& l) {
        return private_json(200, Json{{"token", l.token},
                                      {"expires_at", core::format_instant(l.expires_at_ms)},
                                      {"user", user_json(l.user, &l.user)}});
      });
}

// {password} or {password, totp}: the fields of the second-factor routes.
struct FactorBody {
  std::string password;
  std::string totp;
};

Result<FactorBody> parse_factor_body(const Request& req, bool password, bool totp) {
  http::ObjectReader r(req);
  FactorBody b;
  if (password) b.password = r.required_string("password", 1024);
  if (totp) b.totp = r.required_string("totp", 16);
  if (auto st = r.finish(); !st) return fail(st.error());
  return b;
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

  // Open: the credentials are the authority (also for an expired password, which cannot sign in).
  api.open("POST", "/api/v1/auth/password", [&](const Request& req, const PathParams&) -> Status {
    http::ObjectReader r(req);
    std::string username = r.required_string("username", 64);
    std::string password = r.required_string("password", 1024);
    std::string new_password = r.required_string("new_password", 1024);
    SecondFactor factor;
    factor.totp = r.optional_string("totp", 16).value_or("");
    factor.recovery_code = r.optional_string("recovery_code", 32).value_or("");
    if (auto st = r.finish(); !st) return fail(st.error());
    return service.change_password(username, password, factor, new_password, req.remote_address);
  });

  // Open: the token to end is the credential itself (an unknown one is 401 from the service).
  api.open("POST", "/api/v1/auth/logout", [&](const Request& req, const PathParams&) {
    return service.logout(req.bearer_token());
  });

  api.open("POST", "/api/v1/auth/register", [&](const Request& req, const PathParams&) {
    return new_user_of(req, /*allow_official=*/false)
        .and_then([&](const NewUser& u) { return service.register_self(u, req.remote_address); })
        .map([](const Principal& p) { return private_json(201, user_json(p, &p)); });
  });

  api.add("GET", "/api/v1/me",
          [&](const Request&, const PathParams&, const Principal& who) -> Result<Json> {
            auto has = service.has_second_factor(who.user_id);
            if (!has) return fail(has.error());
            Json j = user_json(who, &who);
            j["second_factor"] = *has;
            return j;
          });

  // Identity verification: remotely (a code to the population registry's phone for the caller's
  // id number and name), or in person by a window clerk for the account {id}.
  api.add("POST", "/api/v1/me/verification",
          [&](const Request&, const PathParams&, const Principal& who) -> Result<Response> {
            return service.start_verification(who).map([](const std::string& to) {
              return http::json_response(202, Json{{"channel", "sms"}, {"sent_to", to}});
            });
          });
  api.add("POST", "/api/v1/me/verification/confirm",
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Json> {
            http::ObjectReader r(req);
            std::string code = r.required_string("code", 16);
            if (auto st = r.finish(); !st) return fail(st.error());
            return service.confirm_verification(who, code).map([](const Principal& p) {
              return user_json(p, &p);
            });
          });

  // The caller's second factor: start (a new secret, pending), confirm (with a code from it:
  // recovery codes returned once), remove (citizens and businesses only).
  api.add("POST", "/api/v1/me/second-factor",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_factor_body(req, true, false)
                .and_then([&](const FactorBody& b) {
                  return service.begin_second_factor(who, b.password);
                })
                .map([](const Enrolment& e) { return private_json(201, enrolment_json(e)); });
          });
  api.add("POST", "/api/v1/me/second-factor/confirm",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_factor_body(req, false, true)
                .and_then([&](const FactorBody& b) {
                  return service.confirm_second_factor(who, b.totp);
                })
                .map([](const Enrolment& e) { return private_json(200, enrolment_json(e)); });
          });
  api.add_if("DELETE", "/api/v1/me/second-factor", public_members_only,
          [&](const Request& req, const PathParams&, const Principal& who) -> Status {
            auto b = parse_factor_body(req, true, true);
            if (!b) return fail(b.error());
            return service.remove_second_factor(who, b->password, b->totp);
          });
}

// Accounts, departments and divisions (administration; departments and divisions read openly).
void add_directory_routes(Routes& api, Service& service) {
  api.add("GET", "/api/v1/users",
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Json> {
            if (!is_security_admin(who)) return security_admin_only();
            auto page = http::page_of(req);
            if (!page) return fail(page.error());
            auto users = service.list_users(page->limit, page->offset);
            if (!users) return fail(users.error());
            return Json{{"users", http::array_of(*users, [&](const Principal& u) {
                           return user_json(u, &who);
                         })}};
          });

  api.add("POST", "/api/v1/users",
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Response> {
            // Who may call is checked before the body is read: a caller who may not act learns
            // nothing of the rules (the service checks again, authoritatively).
            if (!is_security_admin(who)) return security_admin_only();
            Enrolment issued;
            return new_user_of(req, /*allow_official=*/true)
                .and_then([&](const NewUser& u) { return service.create_user(u, &who, &issued); })
                .map([&](const Principal& p) {
                  // An official's second factor, once, for the administrator to hand over.
                  Json j = user_json(p, &who);
                  if (!issued.secret.empty()) j["second_factor"] = enrolment_json(issued);
                  return private_json(201, j);
                });
          });

  api.add("PUT", "/api/v1/users/{id}/active",
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
            if (!is_security_admin(who)) return security_admin_only();
            http::ObjectReader r(req);
            auto active = r.optional_bool("active");
            if (!r.failed() && !active) {
              return fail(ErrorCode::invalid_input, "/active", "缺少 active（true/false）",
                          "active (true/false) is required");
            }
            if (auto st = r.finish(); !st) return fail(st.error());
            if (auto st = service.set_active(p.at("id"), *active, who); !st) return fail(st.error());
            return Json{{"id", p.at("id")}, {"active", *active}};
          });

  api.add_if("POST", "/api/v1/users/{id}/verification", detail::window_clerks_only,
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
            http::ObjectReader r(req);
            std::string method = r.required_string("method", 20);
            if (auto st = r.finish(); !st) return fail(st.error());
            if (method != "in_person") {
              return fail(ErrorCode::invalid_input, "/method", "核验方式须为 in_person（当面核验）",
                          "method must be in_person");
            }
            return service.verify_in_person(p.at("id"), who).map([&](const Principal& u) {
              return user_json(u, &who);
            });
          });

  api.add("POST", "/api/v1/users/{id}/second-factor",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.reset_second_factor(p.at("id"), &who).map([](const Enrolment& e) {
              return private_json(201, enrolment_json(e));
            });
          });

  api.add("PUT", "/api/v1/users/{id}/roles",
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
            if (!is_security_admin(who)) return security_admin_only();
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
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Response> {
            if (!is_admin(who)) return admin_only();
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

Status system_admin_only(const Principal& who) {
  if (is_admin(who)) return {};
  return admin_only();
}

Status public_members_only(const Principal& who) {
  if (!who.is_official()) return {};
  return fail(ErrorCode::forbidden, "", "此操作只面向市民和企业",
              "only citizens and businesses may do this");
}

}  // namespace yiwang::identity
