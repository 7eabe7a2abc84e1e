// Appeal routes through a Router (no sockets) on both backends: status codes, bodies, problem
// fields and extension members, strict parsing, scoping — refused requests change nothing.
#include <memory>
#include <string>

#include "appeals/fixture.h"

namespace yiwang::appeals {
namespace {

using identity::Role;
using nlohmann::json;

class AppealRoutesTest : public testing::AppealsFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(1'772'413'200'000));  // 2026-03-02 09:00 +08:00, a Monday
    for (auto id : {"12345", "zjj", "jcj"}) department(id, id);
    official("hotline.op", "12345", {Role::clerk});
    official("zjj.clerk", "zjj", {Role::clerk});
    official("jiancha", "jcj", {Role::supervisor});
    official("admin", "12345", {Role::admin});
    citizen("zhangsan", "张三", "11010519491231002", "13900000000");
    citizen("lisi", "李四", "11010519800101001", "13900000000");
    Options o = testing::with_hotline();
    o.rate_limit = 4;
    // A stand-in for the AI module's check: a reply must say what was found.
    o.reply_checker = [](std::string_view, std::string_view reply) -> Result<ReplyQuality> {
      ReplyQuality q;
      q.score = reply.find("经查") != std::string_view::npos ? 85 : 35;
      if (q.score < 60) q.issues.push_back({"no_findings", "未说明调查结果", "no findings"});
      return q;
    };
    service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_, o);
    identity::register_routes(router_, *ids_);
    register_routes(router_, *service_, *ids_);
    for (auto name : {"hotline.op", "zjj.clerk", "jiancha", "admin", "zhangsan", "lisi"}) {
      api_.login(name);
    }
  }

  http::Response call(const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& token = "") {
    return yiwang::testing::RouterClient(router_).call(method, path, body, token);
  }

  json call_json(const std::string& method, const std::string& path, const json& body,
                 const std::string& who, int status) {
    return api_.call_json(method, path, body, who, status);
  }

  // A problem response with `status` and `field`, after which nothing has changed.
  json expect_problem(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& who, int status, const std::string& field = "") {
    auto seq = last_seq();
    auto r = api_.call(method, path, body, who);
    yiwang::testing::expect_problem(r, status, field);
    EXPECT_EQ(seq, last_seq()) << "a refused request changed something: " << body;
    return json::parse(r.body, nullptr, false);
  }

  static json noise() {
    return {
        {"channel", "web"},        {"type", "complaint"},
        {"title", "夜间施工噪音"}, {"text", "幸福小区旁工地每天夜里十二点后仍在施工，噪音扰民。"},
        {"location", "幸福小区"},  {"lon", 118.796877},
        {"lat", 32.060255}};
  }

  std::unique_ptr<Service> service_;
  http::Router router_;
  testing::SignedIn api_{router_};
};

TEST_P(AppealRoutesTest, FlowThroughTheApi) {
  auto a = call_json("POST", "/api/v1/appeals", noise(), "zhangsan", 201);
  const std::string id = a.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ("accepted", a["state"]);
  EXPECT_FALSE(a["merged"].get<bool>());
  EXPECT_DOUBLE_EQ(118.796877, a["location"]["lon"].get<double>());
  EXPECT_EQ(13, a["clock"]["limit_days"]);
  EXPECT_EQ("2026-03-19", a["clock"]["deadline"]);

  const std::string act = "/api/v1/appeals/" + id + "/actions";
  call_json("POST", act, {{"action", "dispatch"}, {"dept_id", "zjj"}}, "hotline.op", 200);
  call_json("POST", act, {{"action", "receive"}}, "zjj.clerk", 200);
  auto replied = call_json("POST", act, {{"action", "reply"}, {"reply", "经查，已责令停工。"}},
                           "zjj.clerk", 200);
  EXPECT_EQ("replied", replied["state"]);
  EXPECT_TRUE(replied["clock"]["stopped"].get<bool>());
  call_json("POST", act, {{"action", "close"}}, "hotline.op", 200);
  call_json("POST", act, {{"action", "callback"}, {"result", "满意"}}, "hotline.op", 200);
  auto rated = call_json("POST", act, {{"action", "rate"}, {"level", 4}}, "zhangsan", 200);
  EXPECT_EQ("rated", rated["state"]);
  EXPECT_EQ(4, rated["rating"]);

  auto d = call_json("GET", "/api/v1/appeals/" + id, nullptr, "zhangsan", 200);
  ASSERT_EQ(7u, d["history"].size());
  EXPECT_EQ("appeal.replied", d["history"][3]["event"]);
  EXPECT_EQ("handling", d["history"][3]["from"]);
  EXPECT_EQ("replied", d["history"][3]["to"]);
  EXPECT_EQ("zjj", d["history"][3]["actor_dept_id"]);

  auto roll = call_json("GET", "/api/v1/appeals/rollup", nullptr, "jiancha", 200);
  ASSERT_EQ(1u, roll["departments"].size());
  EXPECT_EQ(1, roll["departments"][0]["replied_on_time"]);
  EXPECT_DOUBLE_EQ(1.0, roll["departments"][0]["on_time_rate"].get<double>());
  expect_problem("GET", "/api/v1/appeals/rollup", "", "zhangsan", 403);
}

TEST_P(AppealRoutesTest, StrictBodiesAndBadInput) {
  auto with = [](const char* key, json v) {
    json b = noise();
    b[key] = std::move(v);
    return b.dump();
  };
  expect_problem("POST", "/api/v1/appeals", with("colour", "red"), "zhangsan", 400, "/colour");
  expect_problem("POST", "/api/v1/appeals", with("type", "praise"), "zhangsan", 400, "/type");
  expect_problem("POST", "/api/v1/appeals", with("channel", "fax"), "zhangsan", 400, "/channel");
  expect_problem("POST", "/api/v1/appeals", with("text", ""), "zhangsan", 400, "/text");
  expect_problem("POST", "/api/v1/appeals", with("text", std::string(5001, 'x')), "zhangsan", 400,
                 "/text");
  expect_problem("POST", "/api/v1/appeals", with("text", 42), "zhangsan", 400, "/text");
  expect_problem("POST", "/api/v1/appeals", with("lon", "east"), "zhangsan", 400, "/lon");
  expect_problem("POST", "/api/v1/appeals", with("photos", json::array({"abc"})), "zhangsan", 400,
                 "/photos/0");
  expect_problem("POST", "/api/v1/appeals", "{\"channel\":", "zhangsan", 400);
  expect_problem("POST", "/api/v1/appeals", "[1]", "zhangsan", 400);
  expect_problem("POST", "/api/v1/appeals", noise().dump(), "nobody", 401);
  json phone = noise();
  phone["channel"] = "phone";
  phone["caller"] = {{"name", "王五"}, {"phone", "13700000000"}, {"age", 70}};
  expect_problem("POST", "/api/v1/appeals", phone.dump(), "hotline.op", 400, "/caller/age");
  phone["caller"].erase("age");
  expect_problem("POST", "/api/v1/appeals", phone.dump(), "zhangsan", 403);
  call_json("POST", "/api/v1/appeals", phone, "hotline.op", 201);

  auto a = call_json("POST", "/api/v1/appeals", noise(), "zhangsan", 201);
  const std::string act = "/api/v1/appeals/" + a.value("id", "") + "/actions";
  expect_problem("POST", act, json{{"action", "dispatch"}, {"dept", "zjj"}}.dump(), "hotline.op",
                 400, "/dept");
  expect_problem("POST", act, json{{"action", "teleport"}}.dump(), "hotline.op", 400, "/action");
  expect_problem("POST", act, json{{"action", "dispatch"}}.dump(), "hotline.op", 400, "/dept_id");
  expect_problem("POST", act, json{{"action", "dispatch"}, {"dept_id", "zjj"}}.dump(), "zhangsan",
                 403);
  expect_problem("POST", act, json{{"action", "close"}}.dump(), "hotline.op", 409, "/action");
  expect_problem("POST", act, json{{"action", "rate"}, {"level", "five"}}.dump(), "zhangsan", 400,
                 "/level");
  expect_problem("POST", act, json{{"action", "receive"}}.dump(), "lisi", 404);
  expect_problem("GET", "/api/v1/appeals/" + a.value("id", ""), "", "lisi", 404);
  expect_problem("PUT", "/api/v1/appeals/limits/consult", json{{"days", 5}}.dump(), "hotline.op",
                 403);
  expect_problem("PUT", "/api/v1/appeals/limits/consult", json{{"days", 5}, {"x", 1}}.dump(),
                 "admin", 400, "/x");
  expect_problem("PUT", "/api/v1/appeals/limits/praise", json{{"days", 5}}.dump(), "admin", 404);
  auto limit = call_json("PUT", "/api/v1/appeals/limits/consult", {{"days", 5}}, "admin", 200);
  EXPECT_EQ(5, limit["days"]);
  auto limits = call_json("GET", "/api/v1/appeals/limits", nullptr, "zhangsan", 200);
  EXPECT_EQ("consult", limits["limits"][0]["type"]);
  EXPECT_EQ(5, limits["limits"][0]["days"]);
}

TEST_P(AppealRoutesTest, RedirectMergeRateLimitAndMasking) {
  json court = noise();
  court["text"] = "开发商逾期交房，我准备起诉他们";
  auto p = expect_problem("POST", "/api/v1/appeals", court.dump(), "zhangsan", 400, "/text");
  ASSERT_TRUE(p.contains("redirect")) << p.dump();
  EXPECT_EQ("litigation", p["redirect"]["rule"]);
  EXPECT_EQ("人民法院", p["redirect"]["channel_zh"]);
  EXPECT_NE(std::string::npos, p.value("message_zh", "").find("人民法院"));

  json secret = noise();
  secret["confidential"] = true;
  auto first = call_json("POST", "/api/v1/appeals", secret, "zhangsan", 201);
  json again = secret;
  again["text"] = "幸福小区旁边工地每天夜里十二点后还在施工，噪音扰民！";
  auto merged = call_json("POST", "/api/v1/appeals", again, "zhangsan", 200);
  EXPECT_TRUE(merged["merged"].get<bool>());
  EXPECT_EQ(first["id"], merged["id"]);
  EXPECT_EQ(1, merged["merged_count"]);
  EXPECT_GE(merged["similarity"].get<double>(), 0.6);

  const std::string id = first.value("id", "");
  call_json("POST", "/api/v1/appeals/" + id + "/actions",
            {{"action", "dispatch"}, {"dept_id", "zjj"}}, "hotline.op", 200);
  auto seen = call_json("GET", "/api/v1/appeals/" + id, nullptr, "zjj.clerk", 200);
  EXPECT_TRUE(seen["appellant"]["hidden"].get<bool>());
  EXPECT_FALSE(seen["appellant"].contains("name"));
  EXPECT_EQ(std::string::npos, seen.dump().find("张三"));
  EXPECT_EQ(std::string::npos, seen.dump().find("13900000000"));
  auto listed = call_json("GET", "/api/v1/appeals?state=dispatched", nullptr, "zjj.clerk", 200);
  ASSERT_EQ(1, listed["total"]);
  EXPECT_EQ(std::string::npos, listed.dump().find("张三"));
  auto hotline = call_json("GET", "/api/v1/appeals/" + id, nullptr, "hotline.op", 200);
  EXPECT_EQ("张三", hotline["appellant"]["name"]);
  expect_problem("GET", "/api/v1/appeals?state=lost", "", "hotline.op", 400, "state");

  // Rate limit 4 per hour (this test's option): two used above, two more, then 429.
  json b = noise();
  b["title"] = "路灯不亮";
  b["text"] = "人民路路灯坏了一周";
  call_json("POST", "/api/v1/appeals", b, "zhangsan", 201);
  b["title"] = "井盖缺失";
  b["text"] = "中山路井盖丢失";
  call_json("POST", "/api/v1/appeals", b, "zhangsan", 201);
  b["title"] = "垃圾未清运";
  b["text"] = "小区垃圾三天没人清运";
  expect_problem("POST", "/api/v1/appeals", b.dump(), "zhangsan", 429);
  call_json("POST", "/api/v1/appeals", b, "lisi", 201);
}

TEST_P(AppealRoutesTest, WeakRepliesReplaysRetryAfterAndThePublicBoard) {
  json consented = noise();
  consented["public_consent"] = true;
  consented["text"] = "我是张三，电话 13912345678，幸福小区旁工地夜里施工，噪音扰民。";
  auto r = call("POST", "/api/v1/appeals", consented.dump(), api_.token("zhangsan"));
  ASSERT_EQ(201, r.status) << r.body;
  const std::string id = json::parse(r.body).value("id", "");
  EXPECT_TRUE(json::parse(r.body)["public_consent"].get<bool>());

  // The same Idempotency-Key again: refused as a replay, naming the appeal, nothing stored.
  http::Request replay;
  replay.method = "POST";
  replay.target = replay.path = "/api/v1/appeals";
  replay.body = noise().dump();
  replay.headers["content-type"] = "application/json";
  replay.headers["authorization"] = "Bearer " + api_.token("lisi");
  replay.headers["idempotency-key"] = "tap-1";
  ASSERT_EQ(201, router_.dispatch(replay).status);
  auto seq = last_seq();
  auto again = router_.dispatch(replay);
  EXPECT_EQ(409, again.status) << again.body;
  auto p = json::parse(again.body);
  EXPECT_EQ("replayed", p.value("code", ""));
  EXPECT_EQ(0u, p.value("appeal_id", "").rfind("AP", 0)) << again.body;
  EXPECT_EQ("/idempotency_key", p.value("field", ""));
  EXPECT_EQ(seq, last_seq());

  const std::string act = "/api/v1/appeals/" + id + "/actions";
  call_json("POST", act, {{"action", "dispatch"}, {"dept_id", "zjj"}}, "hotline.op", 200);
  call_json("POST", act, {{"action", "receive"}}, "zjj.clerk", 200);
  auto preview = call_json("POST", "/api/v1/appeals/" + id + "/reply-check",
                           {{"reply", "已处理。"}}, "zjj.clerk", 200);
  EXPECT_TRUE(preview["weak"].get<bool>());
  EXPECT_EQ("no_findings", preview["issues"][0]["code"]);
  expect_problem("POST", "/api/v1/appeals/" + id + "/reply-check", R"({"reply":"x"})", "zhangsan",
                 403);  // the appellant sees the appeal but does not check replies
  expect_problem("POST", "/api/v1/appeals/" + id + "/reply-check", R"({"text":"x"})", "zjj.clerk",
                 400, "/reply");
  auto weak = expect_problem("POST", act, R"({"action":"reply","reply":"已处理。"})", "zjj.clerk",
                             422, "/reply");
  EXPECT_EQ("weak_reply", weak.value("code", ""));
  ASSERT_TRUE(weak.contains("reply_check")) << weak.dump();
  EXPECT_TRUE(weak["reply_check"]["weak"].get<bool>());
  auto sent =
      call_json("POST", act, {{"action", "reply"}, {"reply", "已处理。"}, {"confirm_weak", true}},
                "zjj.clerk", 200);
  EXPECT_EQ("replied", sent["state"]);
  EXPECT_TRUE(sent["reply_check"]["weak"].get<bool>());

  // The board needs no sign-in and shows the matter without the person.
  auto board = call_json("GET", "/api/v1/appeals/board", nullptr, "", 200);
  ASSERT_EQ(1, board["total"]);
  EXPECT_EQ(id, board["appeals"][0]["id"]);
  EXPECT_EQ(std::string::npos, board.dump().find("张三"));
  EXPECT_EQ(std::string::npos, board.dump().find("13912345678"));
  EXPECT_EQ("zjj", board["departments"][0]["dept_id"]);
  expect_problem("GET", "/api/v1/appeals/board?limit=0", "", "", 400);

  // Over the rate limit (4 per hour here): 429 with Retry-After in seconds.
  json b = noise();
  for (const char* title : {"路灯不亮", "井盖缺失", "垃圾未清运"}) {
    b["title"] = title;
    b["text"] = std::string(title) + "，请尽快处理";
    call_json("POST", "/api/v1/appeals", b, "zhangsan", 201);
  }
  b["title"] = "公交站牌损坏";
  b["text"] = "解放路公交站牌被撞坏";
  auto limited = call("POST", "/api/v1/appeals", b.dump(), api_.token("zhangsan"));
  EXPECT_EQ(429, limited.status);
  std::string retry_after;
  for (const auto& [k, v] : limited.headers) {
    if (k == "Retry-After") retry_after = v;
  }
  EXPECT_EQ("3600", retry_after);  // the manual clock stands still: the first leaves in an hour
  EXPECT_EQ(3600, json::parse(limited.body).value("retry_after", 0));
}

INSTANTIATE_TEST_SUITE_P(Backends, AppealRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::appeals
