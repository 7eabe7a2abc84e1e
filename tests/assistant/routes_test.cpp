// The assistant's routes through the router (no sockets) on the test platform, both backends:
// who may call what (feedback with or without a session, the administrators' documents API), the
// shapes of the replies and the actors recorded in the audit trail.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "assistant/assistant.h"
#include "catalog/catalog.h"
#include "events/events.h"
#include "http/http.h"
#include "support/platform.h"
#include "support/router_client.h"
#include "support/test_store.h"

namespace yiwang::assistant {
namespace {

using nlohmann::json;
using yiwang::testing::expect_problem;

class AssistantRoutesTest : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        open({catalog::migrations(), assistant::migrations()}, yiwang::testing::at(2026, 3, 2)));
    catalog_ = std::make_unique<catalog::Service>(*store_, clock_);
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_);
    register_routes(router_, *service_, *ids_);
    department("sjj", "数据局");
    admin_ = official("kbadmin", "sjj", {identity::Role::admin});
    clerk_ = official("kbclerk", "sjj", {identity::Role::clerk});
    citizen_ = citizen("zhangsan", "张三", "11010519491231002");
  }

  std::string token(const identity::Principal& who) {
    auto login = ids_->login(who.username, std::string(yiwang::testing::kPassword), "127.0.0.1");
    EXPECT_TRUE(login);
    return login ? login->token : "";
  }

  std::vector<events::Event> events_of(const std::string& type) {
    auto r = store_->read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
      events::Filter f;
      f.type_prefix = type;
      return events::list(tx, f);
    });
    EXPECT_TRUE(r);
    return r ? *r : std::vector<events::Event>{};
  }

  std::unique_ptr<catalog::Service> catalog_;
  std::unique_ptr<Service> service_;
  http::Router router_;
  yiwang::testing::RouterClient client_{router_};
  identity::Principal admin_, clerk_, citizen_;
};

TEST_P(AssistantRoutesTest, FeedbackIsAnonymousWithoutASessionAndRefusedWithABadOne) {
  const json feedback = {
      {"question", "身份证丢了怎么办"}, {"answer_ref", "item:X"}, {"useful", true}};
  auto anonymous = client_.call_json("POST", "/api/v1/assistant/feedback", feedback, "", 201);
  EXPECT_EQ(0u, anonymous.value("id", "").rfind("fb_", 0));
  EXPECT_EQ(19u, anonymous.value("id", "").size());  // "fb_" + 16 hex digits

  expect_problem(client_.call("POST", "/api/v1/assistant/feedback", feedback.dump(), "no-such"),
                 401);
  // A bad token is refused before the body is read.
  expect_problem(client_.call("POST", "/api/v1/assistant/feedback", "not json", "no-such"), 401);
  expect_problem(client_.call("POST", "/api/v1/assistant/feedback",
                              json{{"question", "q"}, {"answer_ref", "x"}}.dump()),
                 400, "/useful");

  client_.call_json("POST", "/api/v1/assistant/feedback", feedback, token(citizen_), 201);
  auto recorded = events_of("assistant.feedback.recorded");
  ASSERT_EQ(2u, recorded.size());
  EXPECT_EQ("", recorded[0].actor.user_id);
  EXPECT_EQ("anonymous", recorded[0].actor.role);
  EXPECT_EQ(citizen_.user_id, recorded[1].actor.user_id);
  EXPECT_EQ("citizen", recorded[1].actor.role);
}

TEST_P(AssistantRoutesTest, DocumentsAreForAdministratorsOnly) {
  expect_problem(client_.call("GET", "/api/v1/assistant/documents"), 401);
  expect_problem(client_.call("GET", "/api/v1/assistant/documents", "", token(clerk_)), 403);
  const std::string admin = token(admin_);
  const json doc = {
      {"title", "古树名木保护办法"},
      {"text", "# 古树名木保护\n古树名木由园林部门统一挂牌保护，禁止擅自移植砍伐。\n"}};
  expect_problem(client_.call("POST", "/api/v1/assistant/documents", doc.dump(), token(clerk_)),
                 403);
  auto added = client_.call("POST", "/api/v1/assistant/documents", doc.dump(), admin);
  ASSERT_EQ(201, added.status) << added.body;
  const json body = json::parse(added.body);
  const std::string id = body["id"];
  EXPECT_EQ(0u, id.rfind("doc_", 0));
  EXPECT_EQ(20u, id.size());  // "doc_" + 16 hex digits
  EXPECT_EQ("古树名木保护办法", body["title"]);
  EXPECT_EQ(1, body["version"]);

  auto list = client_.call_json("GET", "/api/v1/assistant/documents", nullptr, admin, 200);
  EXPECT_EQ(1, list["total"]);
  auto one = client_.call_json("GET", "/api/v1/assistant/documents/" + id, nullptr, admin, 200);
  ASSERT_FALSE(one["passage_list"].empty());
  EXPECT_EQ(0, one["passage_list"][0]["position"]);

  expect_problem(client_.call("PUT", "/api/v1/assistant/documents/" + id,
                              json{{"text", "x"}, {"file", "eA=="}}.dump(), admin),
                 400, "/text");
  auto removed = client_.call("DELETE", "/api/v1/assistant/documents/" + id, "", admin);
  EXPECT_EQ(204, removed.status) << removed.body;
  expect_problem(client_.call("GET", "/api/v1/assistant/documents/" + id, "", admin), 404, "/id");

  auto added_events = events_of("assistant.document.added");
  ASSERT_EQ(1u, added_events.size());
  EXPECT_EQ(admin_.user_id, added_events[0].actor.user_id);
  EXPECT_EQ("admin", added_events[0].actor.role);
}

TEST_P(AssistantRoutesTest, TheAssistantsOwnActsAreRecordedAsSystem) {
  NewDocument d;
  d.content = "# 古树名木保护\n古树名木由园林部门统一挂牌保护，禁止擅自移植砍伐。\n";
  ASSERT_TRUE(service_->add_document(d, system_principal()));
  auto added = events_of("assistant.document.added");
  ASSERT_EQ(1u, added.size());
  EXPECT_EQ("system", added[0].actor.user_id);
  EXPECT_EQ("system", added[0].actor.role);
}

TEST_P(AssistantRoutesTest, QuestionsAndLifeEventsAreOpen) {
  auto events = client_.call_json("GET", "/api/v1/assistant/life-events", nullptr, "", 200);
  ASSERT_FALSE(events["life_events"].empty());
  EXPECT_TRUE(events["life_events"][0].contains("id"));
  auto answer =
      client_.call_json("POST", "/api/v1/assistant/ask", {{"question", "今天天气怎么样"}}, "", 200);
  EXPECT_EQ(true, answer["handoff"]);
  EXPECT_EQ("12345", answer["handoff_contact"]["phone"]);
  EXPECT_TRUE(answer["context"].is_null());
  expect_problem(client_.call("POST", "/api/v1/assistant/ask",
                              json{{"question", "材料"}, {"context", {{"kind", "x"}}}}.dump()),
                 400, "/context/ref");
  auto rec = client_.call_json("POST", "/api/v1/assistant/recommend",
                               {{"life_event", events["life_events"][0]["id"]}}, "", 200);
  EXPECT_FALSE(rec["life_event"].is_null());
  expect_problem(client_.call("POST", "/api/v1/assistant/recommend",
                              json{{"life_event", "no-such-event"}}.dump()),
                 404, "/life_event");
}

INSTANTIATE_TEST_SUITE_P(Backends, AssistantRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::assistant
