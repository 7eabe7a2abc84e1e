// The catalog's HTTP routes through the router (no sockets), on both backends.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "events/events.h"
#include "http/http.h"
#include "identity/identity.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::catalog {
namespace {

using nlohmann::json;

class CatalogRoutesTest
    : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open({catalog::migrations()}, 1'790'000'000'000));
    service_ = std::make_unique<Service>(*store_, clock_);
    register_routes(router_, *service_, *ids_);
    ASSERT_TRUE(ids_->upsert_division({"320000", "江苏省", ""}));
    ASSERT_TRUE(ids_->upsert_division({"329900", "江宁市（虚构）", "320000"}));
    ASSERT_TRUE(ids_->create_department({"mzj", "江宁市民政局", "11329900MB0100058U", "329900", ""},
                                        nullptr));
    admin_ = token("catadmin", {identity::Role::admin});
    approver_ = token("catapprover", {identity::Role::approver});
    clerk_ = token("catclerk", {identity::Role::clerk});
  }

  std::string token(const std::string& username, std::set<identity::Role> roles) {
    identity::NewUser u;
    u.username = username;
    u.password = "correct-horse-9";
    u.kind = identity::Kind::official;
    u.display_name = username;
    u.dept_id = "mzj";
    u.roles = std::move(roles);
    auto created = ids_->create_user(u, nullptr);
    EXPECT_TRUE(created) << created.error().field << " " << created.error().message_en;
    auto login = ids_->login(username, u.password, "127.0.0.1");
    EXPECT_TRUE(login) << login.error().message_en;
    return login ? login->token : "";
  }

  http::Response call(const std::string& method, const std::string& path,
                      const std::string& token = "", const std::string& body = "",
                      std::multimap<std::string, std::string> query = {}) {
    http::Request req;
    req.method = method;
    req.target = path;
    req.path = path;
    req.query = std::move(query);
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    if (!body.empty()) req.headers["content-type"] = "application/json";
    req.body = body;
    return router_.dispatch(req);
  }
  static json body(const http::Response& r) { return json::parse(r.body, nullptr, false); }

  static json elderly_item() {
    return {{"code", "11329900MB0505001000"},
            {"basic_code", "0505000100"},
            {"name", "高龄津贴申领"},
            {"item_type", "05"},
            {"exercise_level", "3"},
            {"dept_id", "mzj"},
            {"legal_limit", 20},
            {"promised_limit", 5},
            {"service_objects", {"1"}},
            {"handling_forms", {"2", "3"}},
            {"form",
             {{{"name", "bank_account"},
               {"label_zh", "银行账号"},
               {"type", "string"},
               {"required", true}}}},
            {"instant_rules",
             {{"rules",
               {{{"id", "age"},
                 {"description_zh", "申请人年满80周岁"},
                 {"when", {{"fact", "applicant.age"}, {"op", "ge"}, {"value", 80}}}}}}}}};
  }

  std::unique_ptr<Service> service_;
  http::Router router_;
  std::string admin_, approver_, clerk_;
};

TEST_P(CatalogRoutesTest, PublishListGetAndVersion) {
  EXPECT_EQ(401, call("POST", "/api/v1/items", "", elderly_item().dump()).status);
  EXPECT_EQ(403, call("POST", "/api/v1/items", clerk_, elderly_item().dump()).status);
  auto created = call("POST", "/api/v1/items", admin_, elderly_item().dump());
  ASSERT_EQ(201, created.status) << created.body;
  EXPECT_EQ(1, body(created)["version"]);
  EXPECT_EQ("行政给付", body(created)["item_type_name"]);
  EXPECT_EQ(409, call("POST", "/api/v1/items", admin_, elderly_item().dump()).status);

  json bad = elderly_item();
  bad["colour"] = "red";
  auto rejected = call("POST", "/api/v1/items", admin_, bad.dump());
  EXPECT_EQ(400, rejected.status);
  EXPECT_EQ("/colour", body(rejected)["field"]);

  json v2 = elderly_item();
  v2.erase("code");
  v2["promised_limit"] = 3;
  auto updated = call("PUT", "/api/v1/items/11329900MB0505001000", admin_, v2.dump());
  ASSERT_EQ(200, updated.status) << updated.body;
  EXPECT_EQ(2, body(updated)["version"]);
  EXPECT_EQ(404, call("PUT", "/api/v1/items/NOPE", admin_, v2.dump()).status);

  auto list = call("GET", "/api/v1/items", "", "", {{"q", "津贴"}});
  ASSERT_EQ(200, list.status) << list.body;
  EXPECT_EQ(1, body(list)["total"]);
  EXPECT_EQ("高龄津贴申领", body(list)["items"][0]["name"]);
  EXPECT_EQ(0, body(call("GET", "/api/v1/items", "", "", {{"dept", "gaj"}}))["total"]);

  auto current = call("GET", "/api/v1/items/11329900MB0505001000");
  ASSERT_EQ(200, current.status);
  EXPECT_EQ(3, body(current)["promised_limit"]);
  auto first = call("GET", "/api/v1/items/11329900MB0505001000/versions/1");
  ASSERT_EQ(200, first.status);
  EXPECT_EQ(5, body(first)["promised_limit"]);
  EXPECT_EQ(400, call("GET", "/api/v1/items/11329900MB0505001000/versions/x").status);
  EXPECT_EQ(404, call("GET", "/api/v1/items/NOPE").status);

  auto withdrawn =
      call("PUT", "/api/v1/items/11329900MB0505001000/active", admin_, R"({"active": false})");
  ASSERT_EQ(200, withdrawn.status) << withdrawn.body;
  EXPECT_EQ(0, body(call("GET", "/api/v1/items"))["total"]);
  EXPECT_EQ(403, call("GET", "/api/v1/items", clerk_, "", {{"include_inactive", "true"}}).status);
  EXPECT_EQ(
      1, body(call("GET", "/api/v1/items", admin_, "", {{"include_inactive", "true"}}))["total"]);
}

TEST_P(CatalogRoutesTest, DryRunInstantRules) {
  ASSERT_EQ(201, call("POST", "/api/v1/items", admin_, elderly_item().dump()).status);
  const std::string path = "/api/v1/items/11329900MB0505001000/instant-rules/dry-run";
  json request = {{"form", {{"bank_account", "6228480000000000"}}},
                  {"applicant", {{"kind", "citizen"}, {"age", 81}}}};
  auto yes = call("POST", path, approver_, request.dump());
  ASSERT_EQ(200, yes.status) << yes.body;
  EXPECT_TRUE(body(yes)["eligible"].get<bool>());
  request["applicant"]["age"] = 79;
  auto no = call("POST", path, approver_, request.dump());
  ASSERT_EQ(200, no.status);
  EXPECT_FALSE(body(no)["eligible"].get<bool>());
  EXPECT_EQ("applicant.age = 79, needs ≥ 80", body(no)["outcomes"][0]["detail"]);
  EXPECT_EQ(403, call("POST", path, clerk_, request.dump()).status);
  auto bad_form = call("POST", path, approver_, json{{"form", json::object()}}.dump());
  EXPECT_EQ(400, bad_form.status);
  EXPECT_EQ("/form/bank_account", body(bad_form)["field"]);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::catalog
