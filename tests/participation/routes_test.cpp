// Participation routes through a Router (no sockets) on both backends: status codes, bodies,
// problem fields and `code` members, strict parsing, public reads — refused requests change
// nothing.
#include <memory>
#include <string>

#include "participation/fixture.h"
#include "support/router_client.h"

namespace yiwang::participation {
namespace {

using identity::Role;
using nlohmann::json;
using testing::at;

class ParticipationRoutesTest : public testing::ParticipationFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open());
    for (auto id : {"fgw", "zjj"}) department(id, id);
    official("fgw.clerk", "fgw", {Role::clerk});
    official("zjj.clerk", "zjj", {Role::clerk});
    person("zhangsan", "张三", "11010519491231002");
    person("lisi", "李四", "11010519800101001");
    service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_);
    identity::register_routes(router_, *ids_);
    register_routes(router_, *service_, *ids_);
    for (auto name : {"fgw.clerk", "zjj.clerk", "zhangsan", "lisi"}) tokens_[name] = login(name);
  }

  std::string login(const std::string& name) {
    auto r = ids_->login(name, std::string(yiwang::testing::kPassword), "192.0.2.1");
    EXPECT_TRUE(r);
    return r ? r->token : "";
  }

  http::Response call(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& who) {
    return yiwang::testing::RouterClient(router_).call(method, path, body,
                                                       who.empty() ? "" : tokens_[who]);
  }

  json ok(const std::string& method, const std::string& path, const json& body,
          const std::string& who, int status = 200) {
    auto r = call(method, path, body.is_null() ? "" : body.dump(), who);
    EXPECT_EQ(status, r.status) << method << " " << path << " → " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // Sessions last hours; the tests jump days ahead.
  void travel_to(core::Millis t) {
    clock_.set(t);
    for (auto& [name, token] : tokens_) token = login(name);
  }

  // A problem with `status`, `field` (and `code`), after which nothing has changed.
  json problem(const std::string& method, const std::string& path, const std::string& body,
               const std::string& who, int status, const std::string& field = "",
               const std::string& code = "") {
    auto seq = last_seq();
    auto r = call(method, path, body, who);
    EXPECT_EQ(status, r.status) << method << " " << path << " " << body << " → " << r.body;
    EXPECT_EQ("application/problem+json", r.content_type);
    auto p = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(p.is_object()) << r.body;
    if (!p.is_object()) return p;
    EXPECT_FALSE(p.value("message_zh", "").empty()) << r.body;
    EXPECT_FALSE(p.value("message_en", "").empty()) << r.body;
    EXPECT_EQ(field, p.value("field", "")) << r.body;
    EXPECT_EQ(code, p.value("code", "")) << r.body;
    EXPECT_EQ(seq, last_seq()) << "refused request changed the store: " << r.body;
    return p;
  }

  static json consultation_body() {
    return {{"title", "城市停车管理办法（征求意见稿）"},
            {"summary", "公开征求意见"},
            {"closes_at", "2026-03-16T18:00:00+08:00"},
            {"clauses",
             {{{"number", "第一条"}, {"text", "为规范停车管理，制定本办法。"}},
              {{"number", "第二条"}, {"text", "居住区夜间停车免费。"}}}}};
  }

  static json survey_body() {
    return {{"title", "社区养老服务调查"},
            {"description", ""},
            {"closes_at", "2026-03-09T18:00:00+08:00"},
            {"questions",
             {{{"id", "q1"},
               {"kind", "single"},
               {"text", "年龄段"},
               {"options", {"60岁以下", "60岁及以上"}},
               {"required", true}},
              {{"id", "q2"},
               {"kind", "multiple"},
               {"text", "用过的服务"},
               {"options", {"助餐", "助浴"}}},
              {{"id", "q3"},
               {"kind", "scale"},
               {"text", "满意度"},
               {"min", 1},
               {"max", 5},
               {"required", true}},
              {{"id", "q4"}, {"kind", "text"}, {"text", "建议"}}}}};
  }

  std::unique_ptr<Service> service_;
  http::Router router_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(ParticipationRoutesTest, ConsultationOverHttp) {
  problem("POST", "/api/v1/consultations", consultation_body().dump(), "", 401);
  problem("POST", "/api/v1/consultations", consultation_body().dump(), "zhangsan", 403);
  auto body = consultation_body();
  body["colour"] = "red";
  problem("POST", "/api/v1/consultations", body.dump(), "fgw.clerk", 400, "/colour");
  body = consultation_body();
  body["closes_at"] = "2026-03-16";
  problem("POST", "/api/v1/consultations", body.dump(), "fgw.clerk", 400, "/closes_at");
  body = consultation_body();
  body["clauses"][1]["text"] = "";
  problem("POST", "/api/v1/consultations", body.dump(), "fgw.clerk", 400, "/clauses/1/text");
  problem("POST", "/api/v1/consultations", "{\"title\": \"\xFF\"}", "fgw.clerk", 400);

  auto c = ok("POST", "/api/v1/consultations", consultation_body(), "fgw.clerk", 201);
  const std::string id = c.at("id");
  EXPECT_EQ("draft", c.at("state"));
  EXPECT_EQ("fgw", c.at("dept_id"));
  EXPECT_TRUE(c.at("opens_at").is_null());
  EXPECT_TRUE(c.at("feedback").is_null());
  EXPECT_EQ(2u, c.at("clauses").size());
  problem("GET", "/api/v1/consultations/" + id, "", "", 404);
  EXPECT_EQ(0, ok("GET", "/api/v1/consultations", nullptr, "").at("total"));
  EXPECT_EQ(1, ok("GET", "/api/v1/consultations?state=draft", nullptr, "fgw.clerk").at("total"));

  problem("POST", "/api/v1/consultations/" + id + "/publish", "", "zjj.clerk", 404);
  EXPECT_EQ(
      "open",
      ok("POST", "/api/v1/consultations/" + id + "/publish", nullptr, "fgw.clerk").at("state"));
  problem("POST", "/api/v1/consultations/" + id + "/publish", "", "fgw.clerk", 409, "",
          "not_draft");

  auto list = ok("GET", "/api/v1/consultations?state=open", nullptr, "");
  ASSERT_EQ(1, list.at("total"));
  const auto& item = list.at("consultations")[0];
  for (auto key : {"id", "title", "summary", "dept_id", "state", "opens_at", "closes_at",
                   "clause_count", "comment_count"}) {
    EXPECT_TRUE(item.contains(key)) << key;
  }
  problem("GET", "/api/v1/consultations?state=bogus", "", "", 400, "state");

  problem("POST", "/api/v1/consultations/" + id + "/comments", R"({"clause":"第一条","text":"好"})",
          "", 401);
  problem("POST", "/api/v1/consultations/" + id + "/comments", R"({"clause":"第一条","text":"好"})",
          "fgw.clerk", 403);
  problem("POST", "/api/v1/consultations/" + id + "/comments", R"({"clause":"第一条","text":""})",
          "zhangsan", 400, "/text");
  problem("POST", "/api/v1/consultations/" + id + "/comments",
          json{{"clause", "第一条"}, {"text", std::string(2001, 'x')}}.dump(), "zhangsan", 400,
          "/text");
  auto m = ok("POST", "/api/v1/consultations/" + id + "/comments",
              {{"clause", "第二条"}, {"text", "建议延长免费时段"}}, "zhangsan", 201);
  EXPECT_EQ("张*", m.at("author"));
  EXPECT_TRUE(m.at("decision").is_null());
  clock_.advance(60'000);  // the comment list is oldest first
  auto whole =
      ok("POST", "/api/v1/consultations/" + id + "/comments", {{"text", "整体赞成"}}, "lisi", 201);
  EXPECT_EQ("", whole.at("clause"));

  EXPECT_EQ(
      0u,
      ok("GET", "/api/v1/consultations/" + id + "/comments", nullptr, "").at("comments").size());
  EXPECT_EQ(1u, ok("GET", "/api/v1/consultations/" + id + "/comments", nullptr, "lisi")
                    .at("comments")
                    .size());
  EXPECT_EQ(
      1u, ok("GET", "/api/v1/consultations/" + id + "/comments?clause=%E7%AC%AC%E4%BA%8C%E6%9D%A1",
             nullptr, "fgw.clerk")
              .at("comments")
              .size());
  auto detail = ok("GET", "/api/v1/consultations/" + id, nullptr, "");
  EXPECT_EQ(1, detail.at("clauses")[1].at("comment_count"));
  EXPECT_EQ(2, detail.at("comment_count"));

  const std::string decide =
      "/api/v1/consultations/" + id + "/comments/" + m.at("id").get<std::string>() + "/decision";
  problem("POST", decide, R"({"adopted":true,"reason":"采纳"})", "fgw.clerk", 409, "",
          "not_closed");

  travel_to(at(3, 16, 18));
  EXPECT_EQ("closed", ok("GET", "/api/v1/consultations/" + id, nullptr, "").at("state"));
  problem("POST", "/api/v1/consultations/" + id + "/comments",
          R"({"clause":"第一条","text":"迟到"})", "zhangsan", 409, "", "closed");
  problem("POST", decide, R"({"reason":"采纳"})", "fgw.clerk", 400, "/adopted");
  problem("POST", decide, R"({"adopted":true,"reason":""})", "fgw.clerk", 400, "/reason");
  problem("POST", decide, R"({"adopted":true,"reason":"采纳"})", "zhangsan", 403);
  auto d = ok("POST", decide, {{"adopted", true}, {"reason", "部分采纳"}}, "fgw.clerk");
  EXPECT_TRUE(d.at("decision").at("adopted"));

  auto p = problem("POST", "/api/v1/consultations/" + id + "/conclude", R"({"summary":"感谢"})",
                   "fgw.clerk", 409, "/comments/" + whole.at("id").get<std::string>(), "undecided");
  EXPECT_EQ(whole.at("id"), p.at("comment_id"));
  ok("POST",
     "/api/v1/consultations/" + id + "/comments/" + whole.at("id").get<std::string>() + "/decision",
     {{"adopted", false}, {"reason", "已有规定"}}, "fgw.clerk");
  auto done = ok("POST", "/api/v1/consultations/" + id + "/conclude",
                 {{"summary", "收到 2 条，采纳 1 条"}}, "fgw.clerk");
  EXPECT_EQ("concluded", done.at("state"));
  EXPECT_EQ("收到 2 条，采纳 1 条", done.at("feedback").at("summary"));

  auto pub = ok("GET", "/api/v1/consultations/" + id + "/comments", nullptr, "");
  ASSERT_EQ(2u, pub.at("comments").size());
  EXPECT_EQ("张*", pub.at("comments")[0].at("author"));
  EXPECT_EQ("部分采纳", pub.at("comments")[0].at("decision").at("reason"));
  EXPECT_FALSE(pub.at("comments")[1].at("decision").at("adopted"));
  EXPECT_EQ(std::string::npos, pub.dump().find("张三"));
  EXPECT_FALSE(ok("GET", "/api/v1/consultations/" + id, nullptr, "").at("feedback").is_null());
}

TEST_P(ParticipationRoutesTest, SurveyOverHttp) {
  auto body = survey_body();
  body["questions"][0]["kind"] = "ranking";
  problem("POST", "/api/v1/surveys", body.dump(), "fgw.clerk", 400, "/questions/0/kind");
  body = survey_body();
  body["questions"][0]["min"] = 1;
  problem("POST", "/api/v1/surveys", body.dump(), "fgw.clerk", 400, "/questions/0/min");
  problem("POST", "/api/v1/surveys", survey_body().dump(), "lisi", 403);

  auto s = ok("POST", "/api/v1/surveys", survey_body(), "fgw.clerk", 201);
  const std::string id = s.at("id");
  EXPECT_EQ("draft", s.at("state"));
  EXPECT_EQ(1, s.at("questions")[2].at("min"));
  EXPECT_FALSE(s.at("questions")[0].contains("min"));
  problem("GET", "/api/v1/surveys/" + id + "/results", "", "", 404);
  ok("POST", "/api/v1/surveys/" + id + "/publish", nullptr, "fgw.clerk");
  auto list = ok("GET", "/api/v1/surveys", nullptr, "");
  ASSERT_EQ(1u, list.at("surveys").size());
  EXPECT_EQ(0, list.at("surveys")[0].at("response_count"));

  const std::string respond = "/api/v1/surveys/" + id + "/responses";
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":3}})", "", 401);
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":3}})", "fgw.clerk", 403);
  problem("POST", respond, R"({"answers":{"q1":"80岁","q3":3}})", "zhangsan", 400, "/answers/q1");
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q2":["助餐",3],"q3":3}})", "zhangsan",
          400, "/answers/q2/1");
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":9}})", "zhangsan", 400,
          "/answers/q3");
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":3.5}})", "zhangsan", 400,
          "/answers/q3");
  problem("POST", respond, R"({"answers":{"q3":3}})", "zhangsan", 400, "/answers/q1");
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":3,"q7":"?"}})", "zhangsan", 400,
          "/answers/q7");
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":3,"q2":{"a":1}}})", "zhangsan", 400,
          "/answers/q2");
  problem("POST", respond, R"({"answer":{}})", "zhangsan", 400, "/answer");

  EXPECT_FALSE(ok("GET", "/api/v1/surveys/" + id, nullptr, "zhangsan").at("responded"));
  auto r = ok("POST", respond,
              {{"answers",
                {{"q1", "60岁及以上"}, {"q2", {"助餐", "助浴"}}, {"q3", 4}, {"q4", "多开几天"}}}},
              "zhangsan", 201);
  EXPECT_EQ(id, r.at("survey_id"));
  EXPECT_TRUE(ok("GET", "/api/v1/surveys/" + id, nullptr, "zhangsan").at("responded"));
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":3}})", "zhangsan", 409, "",
          "already_responded");
  ok("POST", respond, {{"answers", {{"q1", "60岁以下"}, {"q3", 2}, {"q4", nullptr}}}}, "lisi", 201);

  auto res = ok("GET", "/api/v1/surveys/" + id + "/results", nullptr, "");
  EXPECT_EQ(2, res.at("response_count"));
  const auto& q = res.at("questions");
  EXPECT_EQ(1, q[0].at("counts").at("60岁以下"));
  EXPECT_EQ((json{"60岁以下", "60岁及以上"}), q[0].at("options"));
  EXPECT_EQ(1, q[1].at("counts").at("助浴"));
  EXPECT_EQ(1, q[1].at("answered"));
  EXPECT_EQ(1, q[2].at("histogram").at("2"));
  EXPECT_EQ(0, q[2].at("histogram").at("5"));
  EXPECT_DOUBLE_EQ(3.0, q[2].at("mean").get<double>());
  EXPECT_EQ((json{"多开几天"}), q[3].at("samples"));

  citizen("wangwu", "王五", "11010519850101004");
  tokens_["wangwu"] = "";
  travel_to(at(3, 9, 18));
  EXPECT_EQ("closed", ok("GET", "/api/v1/surveys/" + id, nullptr, "").at("state"));
  problem("POST", respond, R"({"answers":{"q1":"60岁以下","q3":3}})", "wangwu", 409, "", "closed");
}

INSTANTIATE_TEST_SUITE_P(Backends, ParticipationRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::participation
