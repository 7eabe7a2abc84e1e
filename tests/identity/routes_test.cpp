// Identity routes through a Router (no sockets) on both backends: status codes, bodies, problem
// fields, and that rejected requests change nothing.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "events/events.h"
#include "http/http.h"
#include "identity/identity.h"
#include "identity/totp.h"
#include "support/platform.h"
#include "support/router_client.h"
#include "support/test_store.h"

namespace yiwang::identity {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "long-enough-1";

class IdentityRoutesTest : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    auto options = yiwang::testing::fast_hashing();
    options.officials_need_second_factor = true;
    ASSERT_NO_FATAL_FAILURE(open({}, 1'780'000'000'000, options));
    service_ = ids_.get();
    register_routes(router_, *service_);

    ASSERT_TRUE(service_->create_department({"zwfw", "政务办", "", "329900", ""}, nullptr));
    ASSERT_TRUE(service_->create_department({"scjg", "市场监管局", "", "329900", ""}, nullptr));
    ASSERT_TRUE(service_->upsert_division({"320000", "江苏省", ""}));
    ASSERT_TRUE(service_->upsert_division({"329900", "江宁市", "320000"}));
    NewUser admin;
    admin.username = "admin";
    admin.password = kPassword;
    admin.kind = Kind::official;
    admin.display_name = "管理员";
    admin.dept_id = "zwfw";
    admin.roles = {Role::security_admin};  // 安全管理员: accounts and roles
    ASSERT_TRUE(service_->create_user(admin, nullptr, &admin_factor_));
  }

  http::Response call(const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& token = "") {
    return client_.call(method, path, body, token);
  }

  json call_json(const std::string& method, const std::string& path, const json& body,
                 const std::string& token, int status) {
    return client_.call_json(method, path, body, token, status);
  }

  void expect_problem(const http::Response& r, int status, const std::string& field = "") {
    yiwang::testing::expect_problem(r, status, field);
  }

  // The admin signs in with a second factor: a fresh time step each time, as a code works once.
  std::string login(const std::string& username, const std::string& password = kPassword) {
    if (username != "admin") return client_.login(username, password);
    clock_.advance(30'000);
    return client_.login(username, password, totp::code_at(admin_factor_.secret, clock_.now_ms()));
  }

  // A new official with `roles`, signed in with their second factor.
  std::string sign_in_new_official(const std::string& username, std::set<Role> roles) {
    NewUser u;
    u.username = username;
    u.password = kPassword;
    u.kind = Kind::official;
    u.display_name = "工作人员";
    u.dept_id = "zwfw";
    u.roles = std::move(roles);
    Enrolment factor;
    EXPECT_TRUE(service_->create_user(u, nullptr, &factor));
    clock_.advance(30'000);
    return client_.login(username, kPassword, totp::code_at(factor.secret, clock_.now_ms()));
  }

  std::int64_t last_seq() {
    return *store_->read(
        [](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
  }

  Service* service_ = nullptr;
  Enrolment admin_factor_;
  http::Router router_;
  yiwang::testing::RouterClient client_{router_};
};

const json kCitizen = {{"username", "lisi"},
                       {"password", kPassword},
                       {"kind", "citizen"},
                       {"display_name", "李四"},
                       {"id_number", "11010519491231002X"},
                       {"phone", "13800000000"}};

TEST_P(IdentityRoutesTest, RegisterLoginMeLogout) {
  auto user = call_json("POST", "/api/v1/auth/register", kCitizen, "", 201);
  EXPECT_EQ("lisi", user.value("username", ""));
  EXPECT_EQ("citizen", user.value("kind", ""));
  EXPECT_EQ("110105********002X", user.value("id_number_masked", ""));
  EXPECT_FALSE(user.contains("password"));

  auto r = call_json("POST", "/api/v1/auth/login", {{"username", "lisi"}, {"password", kPassword}},
                     "", 200);
  std::string token = r.value("token", "");
  ASSERT_EQ(64u, token.size());
  EXPECT_TRUE(r.value("expires_at", "").find("+08:00") != std::string::npos) << r.dump();
  EXPECT_EQ("lisi", r["user"].value("username", ""));

  auto me = call_json("GET", "/api/v1/me", nullptr, token, 200);
  EXPECT_EQ("11010519491231002X", me.value("id_number", ""));  // the owner sees the full number
  EXPECT_EQ("13800000000", me.value("phone", ""));
  EXPECT_EQ(json::array(), me["roles"]);

  EXPECT_EQ(204, call("POST", "/api/v1/auth/logout", "", token).status);
  expect_problem(call("GET", "/api/v1/me", "", token), 401);
  expect_problem(call("POST", "/api/v1/auth/logout", "", token), 401);
}

TEST_P(IdentityRoutesTest, LoginProblems) {
  call_json("POST", "/api/v1/auth/register", kCitizen, "", 201);
  auto before = last_seq();
  expect_problem(call("POST", "/api/v1/auth/login",
                      json{{"username", "lisi"}, {"password", "x"}, {"otp", 1}}.dump()),
                 400, "/otp");
  expect_problem(call("POST", "/api/v1/auth/login", json{{"username", "lisi"}}.dump()), 400,
                 "/password");
  expect_problem(
      call("POST", "/api/v1/auth/login", json{{"username", 7}, {"password", "x"}}.dump()), 400,
      "/username");
  expect_problem(call("POST", "/api/v1/auth/login", "{\"username\":"), 400);
  EXPECT_EQ(before, last_seq());
  auto wrong = call("POST", "/api/v1/auth/login",
                    json{{"username", "lisi"}, {"password", "wrong-password"}}.dump());
  auto unknown = call("POST", "/api/v1/auth/login",
                      json{{"username", "nobody"}, {"password", "wrong-password"}}.dump());
  expect_problem(wrong, 401);
  expect_problem(unknown, 401);
  EXPECT_EQ(json::parse(wrong.body).value("message_en", ""),
            json::parse(unknown.body).value("message_en", ""));
}

// Finding (#16): repeated failures locked the account (423) for everyone. Now: 429 with
// Retry-After, and the right password after that wait gets in; an admin can clear the delays.
TEST_P(IdentityRoutesTest, RepeatedFailuresAre429WithRetryAfterNotALock) {
  call_json("POST", "/api/v1/auth/register", kCitizen, "", 201);
  const json wrong{{"username", "lisi"}, {"password", "wrong-password"}};
  const json right{{"username", "lisi"}, {"password", kPassword}};
  for (int i = 0; i < 4; ++i) expect_problem(call("POST", "/api/v1/auth/login", wrong.dump()), 401);
  auto early = call("POST", "/api/v1/auth/login", right.dump());
  expect_problem(early, 429);
  ASSERT_EQ("1", yiwang::testing::header_of(early, "Retry-After"));
  EXPECT_EQ(1, json::parse(early.body).value("retry_after", 0));
  clock_.advance(1000);
  auto in = call("POST", "/api/v1/auth/login", right.dump());
  ASSERT_EQ(200, in.status) << in.body;
  EXPECT_EQ("no-store", yiwang::testing::header_of(in, "Cache-Control"));

  for (int i = 0; i < 4; ++i) call("POST", "/api/v1/auth/login", wrong.dump());
  expect_problem(call("POST", "/api/v1/auth/login", right.dump()), 429);
  std::string admin = login("admin");
  auto user = service_->find_by_username("lisi");
  ASSERT_TRUE(user);
  call_json("POST", "/api/v1/users/" + user->user_id + "/unlock", nullptr, admin, 200);
  login("lisi");
}

// The contract outside checks rely on: POST /api/v1/auth/login {username, password, totp};
// without totp an account that needs one gets 401 with a problem type ending in mfa-required.
TEST_P(IdentityRoutesTest, SecondFactorThroughTheApi) {
  std::string admin = login("admin");
  auto created = call_json("POST", "/api/v1/users",
                           {{"username", "clerk1"},
                            {"password", kPassword},
                            {"kind", "official"},
                            {"display_name", "窗口人员"},
                            {"dept_id", "scjg"},
                            {"roles", {"clerk"}}},
                           admin, 201);
  const std::string secret = created["second_factor"].value("secret", "");
  ASSERT_EQ(32u, secret.size()) << created.dump();
  EXPECT_EQ(10u, created["second_factor"]["recovery_codes"].size());

  auto bare = call("POST", "/api/v1/auth/login",
                   json{{"username", "clerk1"}, {"password", kPassword}}.dump());
  expect_problem(bare, 401);
  auto problem = json::parse(bare.body);
  const std::string type = problem.value("type", "");
  ASSERT_GE(type.size(), 12u);
  EXPECT_EQ("mfa-required", type.substr(type.size() - 12)) << bare.body;
  EXPECT_FALSE(problem.contains("token"));
  auto in = call_json("POST", "/api/v1/auth/login",
                      {{"username", "clerk1"},
                       {"password", kPassword},
                       {"totp", totp::code_at(secret, clock_.now_ms())}},
                      "", 200);
  EXPECT_EQ(64u, in.value("token", "").size());
  expect_problem(call("POST", "/api/v1/auth/login",
                      json{{"username", "clerk1"}, {"password", kPassword}, {"totp", 123456}}.dump()),
                 400, "/totp");

  // A citizen adds one: start with the password, confirm with a code, then it is needed.
  call_json("POST", "/api/v1/auth/register", kCitizen, "", 201);
  std::string citizen = login("lisi");
  expect_problem(call("POST", "/api/v1/me/second-factor", json{{"password", "nope-nope-1"}}.dump(),
                      citizen),
                 401, "/password");
  auto started = call("POST", "/api/v1/me/second-factor", json{{"password", kPassword}}.dump(),
                      citizen);
  ASSERT_EQ(201, started.status) << started.body;
  EXPECT_EQ("no-store", yiwang::testing::header_of(started, "Cache-Control"));
  const std::string mine = json::parse(started.body).value("secret", "");
  auto confirmed = call_json("POST", "/api/v1/me/second-factor/confirm",
                             {{"totp", totp::code_at(mine, clock_.now_ms())}}, citizen, 200);
  EXPECT_EQ(10u, confirmed["recovery_codes"].size());
  EXPECT_TRUE(call_json("GET", "/api/v1/me", nullptr, citizen, 200).value("second_factor", false));
  auto needs = call("POST", "/api/v1/auth/login",
                    json{{"username", "lisi"}, {"password", kPassword}}.dump());
  expect_problem(needs, 401, "/totp");
  // Officials keep theirs; an admin issues a new one to someone who lost it.
  std::string clerk = in.value("token", "");
  expect_problem(call("DELETE", "/api/v1/me/second-factor",
                      json{{"password", kPassword}, {"totp", "123456"}}.dump(), clerk),
                 403);
  auto clerk_user = service_->find_by_username("clerk1");
  ASSERT_TRUE(clerk_user);
  expect_problem(call("POST", "/api/v1/users/" + clerk_user->user_id + "/second-factor", "", citizen),
                 403);
  auto reissued = call_json("POST", "/api/v1/users/" + clerk_user->user_id + "/second-factor",
                            nullptr, login("admin"), 201);
  EXPECT_NE(secret, reissued.value("secret", ""));
}

TEST_P(IdentityRoutesTest, RegistrationProblemsNameTheField) {
  auto before = last_seq();
  // One member changed from a valid registration, and the field the problem must name.
  const struct {
    const char* member;
    json value;
    const char* field;
  } bad[] = {
      {"id_number", "110105194912310021", "/id_number"},  // check digit
      {"kind", "official", "/kind"},
      {"roles", {"admin"}, "/roles"},
      {"password", "short", "/password"},
      {"password", "password", "/password"},      // common
      {"password", "lisi1234lisi", "/password"},  // the user name inside
  };
  for (const auto& b : bad) {
    json body = kCitizen;
    body[b.member] = b.value;
    expect_problem(call("POST", "/api/v1/auth/register", body.dump()), 400, b.field);
  }
  EXPECT_EQ(before, last_seq());

  call_json("POST", "/api/v1/auth/register", kCitizen, "", 201);
  expect_problem(call("POST", "/api/v1/auth/register", kCitizen.dump()), 409, "/username");
}

TEST_P(IdentityRoutesTest, TheSecurityAdministratorManagesUsers) {
  call_json("POST", "/api/v1/auth/register", kCitizen, "", 201);
  std::string citizen = login("lisi");
  std::string admin = login("admin");
  json clerk = {{"username", "clerk"},    {"password", kPassword}, {"kind", "official"},
                {"display_name", "窗口"}, {"dept_id", "scjg"},     {"roles", {"clerk"}}};

  auto before = last_seq();
  expect_problem(call("POST", "/api/v1/users", clerk.dump(), citizen), 403);
  expect_problem(call("POST", "/api/v1/users", clerk.dump()), 401);
  json bad_role = clerk;
  bad_role["roles"] = {"clerk", "flyer"};
  expect_problem(call("POST", "/api/v1/users", bad_role.dump(), admin), 400, "/roles/1");
  json no_dept = clerk;
  no_dept["dept_id"] = "nosuch";
  expect_problem(call("POST", "/api/v1/users", no_dept.dump(), admin), 400, "/dept_id");
  EXPECT_EQ(before, last_seq());

  auto created = call_json("POST", "/api/v1/users", clerk, admin, 201);
  std::string id = created.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(json({"clerk"}), created["roles"]);
  EXPECT_EQ("scjg", created.value("dept_id", ""));

  auto changed = call_json("PUT", "/api/v1/users/" + id + "/roles",
                           {{"roles", {"reviewer", "clerk"}}}, admin, 200);
  EXPECT_EQ(json({"clerk", "reviewer"}), changed["roles"]);
  expect_problem(
      call("PUT", "/api/v1/users/" + id + "/roles", json{{"roles", {"x"}}}.dump(), admin), 400,
      "/roles/0");
  expect_problem(call("PUT", "/api/v1/users/" + id + "/roles", json::object().dump(), admin), 400,
                 "/roles");
  expect_problem(
      call("PUT", "/api/v1/users/" + id + "/roles", json{{"roles", {"admin"}}}.dump(), citizen),
      403);
  expect_problem(
      call("PUT", "/api/v1/users/u-none/roles", json{{"roles", {"clerk"}}}.dump(), admin), 404);

  auto list = call_json("GET", "/api/v1/users?limit=2", nullptr, admin, 200);
  ASSERT_EQ(2u, list["users"].size());
  EXPECT_EQ("admin", list["users"][0].value("username", ""));
  // Admins see personal numbers in full.
  auto all = call_json("GET", "/api/v1/users", nullptr, admin, 200);
  bool saw_citizen = false;
  for (const auto& u : all["users"]) {
    if (u.value("username", "") == "lisi") {
      saw_citizen = true;
      EXPECT_EQ("11010519491231002X", u.value("id_number", ""));
    }
  }
  EXPECT_TRUE(saw_citizen);
  expect_problem(call("GET", "/api/v1/users", "", citizen), 403);

  // The system and audit administrators do not manage accounts; no one changes their own roles.
  for (const std::string& other : {sign_in_new_official("sys", {Role::admin}),
                                   sign_in_new_official("audit", {Role::auditor})}) {
    expect_problem(call("GET", "/api/v1/users", "", other), 403);
    expect_problem(call("PUT", "/api/v1/users/" + id + "/roles",
                        json{{"roles", {"clerk"}}}.dump(), other),
                   403);
  }
  const std::string self = service_->find_by_username("admin")->user_id;
  expect_problem(call("PUT", "/api/v1/users/" + self + "/roles",
                      json{{"roles", {"security_admin", "approver"}}}.dump(), admin),
                 403, "/roles");
  expect_problem(call("POST", "/api/v1/users",
                      json{{"username", "both"}, {"password", kPassword},
                           {"kind", "official"}, {"display_name", "x"}, {"dept_id", "zwfw"},
                           {"roles", {"admin", "auditor"}}}.dump(),
                      admin),
                 400, "/roles");
}

TEST_P(IdentityRoutesTest, DepartmentsAndDivisions) {
  // The security administrator manages accounts, not the organisation (三员分立).
  expect_problem(call("POST", "/api/v1/departments",
                      json{{"id", "gaj"}, {"name", "公安局"}}.dump(), login("admin")),
                 403);
  std::string admin = sign_in_new_official("sys", {Role::admin});
  // Public: visitors see which department handles an item.
  auto list = call_json("GET", "/api/v1/departments", nullptr, "", 200);
  ASSERT_EQ(2u, list["departments"].size());
  EXPECT_EQ("scjg", list["departments"][0].value("id", ""));

  auto created =
      call_json("POST", "/api/v1/departments",
                {{"id", "gaj"}, {"name", "公安局"}, {"division_code", "329900"}}, admin, 201);
  EXPECT_EQ("gaj", created.value("id", ""));
  expect_problem(
      call("POST", "/api/v1/departments", json{{"id", "gaj"}, {"name", "x"}}.dump(), admin), 409);
  expect_problem(
      call("POST", "/api/v1/departments",
           json{{"id", "x1"}, {"name", "x"}, {"uscc", "91350100M000100Y44"}}.dump(), admin),
      400, "/uscc");
  expect_problem(call("POST", "/api/v1/departments",
                      json{{"id", "x2"}, {"name", "x"}, {"colour", "red"}}.dump(), admin),
                 400, "/colour");

  auto provinces = call_json("GET", "/api/v1/divisions", nullptr, "", 200);
  ASSERT_EQ(1u, provinces["divisions"].size());
  EXPECT_EQ("320000", provinces["divisions"][0].value("code", ""));
  auto cities = call_json("GET", "/api/v1/divisions?parent=320000", nullptr, "", 200);
  ASSERT_EQ(1u, cities["divisions"].size());
  EXPECT_EQ("江宁市", cities["divisions"][0].value("name", ""));
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::identity
