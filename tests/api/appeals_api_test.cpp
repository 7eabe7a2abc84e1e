// Appeals (12345) through the assembled App on both backends: a citizen's complaint travels
// intake → dispatch → handling → reply → close → callback → rating across three roles; the reply
// is a government act in the public ledger with a receipt only the appellant opens; photos must
// be images the appellant uploaded; matters for another channel are refused naming it.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/api_fixture.h"

namespace {

using namespace yiwang::api_testing;

class AppealsApiTest : public ApiTest {
 protected:
  json complaint(std::vector<std::string> photos = {}) {
    return {{"channel", "web"},
            {"type", "complaint"},
            {"title", "秦淮大道人行道井盖破损"},
            {"text", "秦淮大道88号门口人行道井盖破损下陷，晚上路过很危险，请尽快维修。"},
            {"location", "江宁市秦淮大道88号"},
            {"photos", photos}};
  }

  std::string upload(const std::string& token, const std::string& bytes,
                     const std::string& content_type) {
    auto r = call("POST", "/api/v1/files", bytes, token, content_type);
    EXPECT_EQ(201, r.status) << r.body;
    return json::parse(r.body, nullptr, false).value("sha256", "");
  }

  json act(const std::string& id, const std::string& token, json body) {
    return call_json("POST", "/api/v1/appeals/" + id + "/actions", body, token, 200);
  }
};

TEST_P(AppealsApiTest, AComplaintTravelsTheWholeLoopAndItsReplyIsInTheLedger) {
  const std::string citizen = login("zhangsan");
  const std::string hotline = login("12345.clerk");
  const std::string department = login("zjj.clerk");

  auto filed = call_json("POST", "/api/v1/appeals", complaint(), citizen, 201);
  const std::string id = filed.value("id", "");
  ASSERT_FALSE(id.empty()) << filed.dump();
  EXPECT_EQ("accepted", filed.value("state", ""));

  act(id, hotline, {{"action", "dispatch"}, {"dept_id", "zjj"}});
  // The department may not close it, and the citizen may not reply: nothing changes.
  expect_problem(call("POST", "/api/v1/appeals/" + id + "/actions",
                      json{{"action", "close"}}.dump(), department),
                 403);
  expect_problem(call("POST", "/api/v1/appeals/" + id + "/actions",
                      json{{"action", "reply"}, {"reply", "x"}}.dump(), citizen),
                 403);
  act(id, department, {{"action", "receive"}});
  act(id, department,
      {{"action", "reply"},
       {"reply",
        "张三您好：经现场核查，秦淮大道88号井盖确已破损，已于当日更换。如有疑问请致电"
        "025-12345。"}});
  act(id, hotline, {{"action", "close"}});
  act(id, hotline, {{"action", "callback"}, {"result", "市民确认已修复，表示满意"}});
  auto rated = act(id, citizen, {{"action", "rate"}, {"level", 5}});
  EXPECT_EQ("rated", rated.value("state", ""));

  auto detail = call_json("GET", "/api/v1/appeals/" + id, nullptr, citizen, 200);
  EXPECT_EQ("rated", detail.value("state", ""));

  ASSERT_TRUE(app_->catch_up());
  auto acts = call_json("GET", "/api/v1/ledger/acts?subject_type=appeal&subject_id=" + id, nullptr,
                        "", 200);
  std::set<std::string> kinds;
  for (const auto& a : acts["items"]) kinds.insert(a.value("act", ""));
  EXPECT_TRUE(kinds.count("appeal.replied")) << acts.dump();
  // The receipt opens the party commitment: the appellant only.
  call_json("GET", "/api/v1/ledger/receipts/appeal/" + id, nullptr, citizen, 200);
  EXPECT_NE(200, call("GET", "/api/v1/ledger/receipts/appeal/" + id, "", login("qiye")).status);
}

TEST_P(AppealsApiTest, PhotosMustBeImagesTheAppellantUploaded) {
  const std::string citizen = login("zhangsan");
  const std::string png =
      upload(citizen, std::string("\x89PNG\r\n\x1a\n", 8) + "pixels", "image/png");
  const std::string pdf = upload(citizen, "%PDF-1.4\n%%EOF\n", "application/pdf");
  const std::string theirs =
      upload(login("qiye"), std::string("\xFF\xD8\xFF\xE0", 4) + "jpeg", "image/jpeg");

  const auto before = last_event();
  expect_problem(call("POST", "/api/v1/appeals", complaint({png, pdf}).dump(), citizen), 400,
                 "/photos/1");
  expect_problem(call("POST", "/api/v1/appeals", complaint({theirs}).dump(), citizen), 400,
                 "/photos/0");
  EXPECT_EQ(before, last_event());
  auto filed = call_json("POST", "/api/v1/appeals", complaint({png}), citizen, 201);
  EXPECT_EQ(1u, filed["photos"].size()) << filed.dump();
}

TEST_P(AppealsApiTest, MattersForAnotherChannelAreRefusedNamingIt) {
  json body = complaint();
  body["text"] = "我和邻居的纠纷已经向法院起诉了，想问问什么时候开庭。";
  auto r = call("POST", "/api/v1/appeals", body.dump(), login("zhangsan"));
  expect_problem(r, 400, "/text");
  auto p = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(p.contains("redirect")) << r.body;
  EXPECT_FALSE(p["redirect"].value("channel_zh", "").empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, AppealsApiTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
