// Appeals (12345) through the assembled App on both backends: a citizen's complaint travels
// intake → dispatch → handling → reply → close → callback → rating across three roles; the reply
// is a government act in the public ledger with a receipt only the appellant opens; photos must
// be images the appellant uploaded; matters for another channel are refused naming it.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ai/ai.h"
#include "api/api_fixture.h"
#include "grid/grid.h"

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
  // Officials read who acted by name; the citizen reads roles and departments only, and nobody
  // is given the appellant's name through the timeline.
  for (const auto& h : detail["history"]) EXPECT_TRUE(h["actor_name"].is_null()) << h.dump();
  auto& ids = app_->identity();
  const std::string dispatcher = ids.find_by_username("12345.clerk")->user_id;
  bool named = false;
  const auto seen = call_json("GET", "/api/v1/appeals/" + id, nullptr, hotline, 200);
  for (const auto& h : seen["history"]) {
    const std::string actor = h.value("actor_user_id", "");
    auto user = ids.get_user(actor);
    if (user && user->is_official()) {
      EXPECT_EQ(user->display_name, h.value("actor_name", "")) << h.dump();
      named = named || actor == dispatcher;
    } else {
      EXPECT_TRUE(h["actor_name"].is_null()) << h.dump();
    }
  }
  EXPECT_TRUE(named) << "the dispatcher's name in the hotline's timeline: " << seen.dump();

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
  // The handling department sees the appeal's photo once it is dispatched there; others do not.
  const std::string department = login("zjj.clerk");
  EXPECT_EQ(404, call("GET", "/api/v1/files/" + png, "", department).status);
  act(filed.value("id", ""), login("12345.clerk"), {{"action", "dispatch"}, {"dept_id", "zjj"}});
  EXPECT_EQ(200, call("GET", "/api/v1/files/" + png, "", department).status);
  EXPECT_EQ(404, call("GET", "/api/v1/files/" + png, "", login("gaj.clerk")).status);
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

// 用证 by need (#16): a department handling an appeal may use the appellant's certificates with
// the appeal as the matter; another department, or an appeal of someone else, may not.
TEST_P(AppealsApiTest, AnAppealIsAMatterToUseTheAppellantsCertificatesIn) {
  const std::string citizen = login("zhangsan");
  auto wallet = call_json("GET", "/api/v1/wallet/certificates", nullptr, citizen, 200);
  ASSERT_FALSE(wallet["items"].empty()) << "the demo issues zhangsan certificates";
  const std::string identifier = wallet["items"][0].value("identifier", "");

  const std::string id = call_json("POST", "/api/v1/appeals", complaint(), citizen, 201).value("id", "");
  act(id, login("12345.clerk"), {{"action", "dispatch"}, {"dept_id", "zjj"}});
  const std::string use = "/api/v1/certificates/" + identifier + "?use_cause=" +
                          yiwang::http::percent_encode("核实诉求人身份") + "&matter=";

  call_json("GET", use + "appeal:" + id, nullptr, login("zjj.clerk"), 200);
  expect_problem(call("GET", use + "appeal:" + id, "", login("gaj.clerk")), 403, "/matter");
  expect_problem(call("GET", use + "appeal:AP2026010100000000", "", login("zjj.clerk")), 404,
                 "/matter");
  expect_problem(call("GET", use + "parcel:" + id, "", login("zjj.clerk")), 400, "/matter");
  // Someone else's appeal does not make zhangsan's certificates usable.
  const std::string other = call_json("POST", "/api/v1/appeals", complaint(), login("qiye"), 201).value("id", "");
  act(other, login("12345.clerk"), {{"action", "dispatch"}, {"dept_id", "zjj"}});
  expect_problem(call("GET", use + "appeal:" + other, "", login("zjj.clerk")), 403, "/matter");

  // The holder's data-use record shows the read with its matter.
  auto uses = call_json("GET", "/api/v1/wallet/uses", nullptr, citizen, 200);
  bool seen = false;
  for (const auto& u : uses["uses"]) seen = seen || u.value("matter", "") == "appeal:" + id;
  EXPECT_TRUE(seen) << uses.dump();
}

// The App wires the classifier to intake (AI dispatch follows the event stream) and the AI
// module's reply check to the reply step.
TEST_P(AppealsApiTest, TheClassifierDispatchesNewAppealsAndWeakRepliesAreFlagged) {
  std::vector<yiwang::ai::Example> examples;
  const char* streets[] = {"路灯", "井盖", "人行道", "道路", "下水道", "围墙"};
  const char* food[] = {"超市", "餐馆", "奶茶店", "菜市场", "面包店", "饭店"};
  for (int i = 0; i < 36; ++i) {
    examples.push_back(
        {std::string(streets[i % 6]) + "破损需要维修，影响居民出行安全，请住建部门修复",
         "城乡建设"});
    examples.push_back(
        {std::string(food[i % 6]) + "出售过期食品，卫生条件差，请市场监管部门查处", "商贸旅游"});
  }
  yiwang::ai::TrainOptions options;
  options.epoch = 100;
  auto trained = app_->ai().train(examples, options, std::nullopt, true);
  ASSERT_TRUE(trained) << trained.error().message_en;

  const std::string citizen = login("zhangsan");
  auto filed = call_json("POST", "/api/v1/appeals", complaint(), citizen, 201);
  const std::string id = filed.value("id", "");
  EXPECT_EQ("accepted", filed.value("state", ""));
  ASSERT_TRUE(app_->catch_up());
  auto seen = call_json("GET", "/api/v1/appeals/" + id, nullptr, citizen, 200);
  EXPECT_EQ("dispatched", seen.value("state", "")) << seen.dump();
  EXPECT_EQ("zjj", seen.value("dept_id", ""));
  EXPECT_EQ("城乡建设", seen.value("suggested_label", ""));
  EXPECT_GE(seen.value("suggested_confidence", 0.0), 0.8);
  EXPECT_EQ("system", seen["history"].back().value("actor_role", ""));

  const std::string department = login("zjj.clerk");
  act(id, department, {{"action", "receive"}});
  auto r = call("POST", "/api/v1/appeals/" + id + "/actions",
                json{{"action", "reply"}, {"reply", "已收到。"}}.dump(), department);
  expect_problem(r, 422, "/reply");
  auto problem = json::parse(r.body, nullptr, false);
  EXPECT_EQ("weak_reply", problem.value("code", ""));
  std::set<std::string> codes;
  for (const auto& i : problem["reply_check"]["issues"]) codes.insert(i.value("code", ""));
  EXPECT_TRUE(codes.count("no_findings")) << problem.dump();
  EXPECT_EQ("handling",
            call_json("GET", "/api/v1/appeals/" + id, nullptr, citizen, 200).value("state", ""));
  auto good = act(id, department,
                  {{"action", "reply"},
                   {"reply",
                    "张三您好：经现场核查，秦淮大道88号人行道井盖确已破损下陷，已于当日更换新井盖。"
                    "如有疑问请致电025-12345。"}});
  EXPECT_FALSE(good["reply_check"]["weak"].get<bool>()) << good.dump();
}

// One event stream for 12345 and city management: an appeal the hotline sends to the grid centre
// becomes a grid event linked both ways, and the event's closure answers the appeal.
TEST_P(AppealsApiTest, AnAppealSentToTheGridCentreIsAnsweredByTheClosedGridCase) {
  auto& ids = app_->identity();
  yiwang::grid::DemoOptions district;
  district.cells = 4;
  district.columns = 2;
  district.events = 0;
  ASSERT_TRUE(yiwang::grid::load_demo(app_->grid(), ids, district, yiwang::demo::kPassword,
                                      app_->clock().now_ms()));
  const std::string citizen = login("zhangsan");
  const std::string hotline = login("12345.clerk");
  json body = complaint();
  body["title"] = "小区门口垃圾堆积";
  body["text"] = "江宁市幸福小区门口的垃圾堆了三天没人清运，气味很大。";
  body["lon"] = district.origin.lon + 0.002;
  body["lat"] = district.origin.lat + 0.002;
  auto filed = call_json("POST", "/api/v1/appeals", body, citizen, 201);
  const std::string id = filed.value("id", "");
  act(id, hotline, {{"action", "dispatch"}, {"dept_id", "grid"}});
  ASSERT_TRUE(app_->catch_up());

  auto linked = call_json("GET", "/api/v1/appeals/" + id, nullptr, citizen, 200);
  const std::string ref = linked.value("linked_ref", "");
  ASSERT_EQ(0u, ref.rfind("GE", 0)) << linked.dump();
  auto principal = [&](const std::string& name) {
    auto p = ids.find_by_username(name);
    EXPECT_TRUE(p) << name;
    return *p;
  };
  auto event = app_->grid().get(ref, principal("grid.clerk"));
  ASSERT_TRUE(event) << event.error().message_en;
  EXPECT_EQ(yiwang::grid::Source::hotline_12345, event->event.source);
  EXPECT_EQ(id, event->event.external_ref);
  EXPECT_EQ("0101", event->event.class_code);  // 垃圾 → 暴露垃圾

  auto step = [&](yiwang::grid::Action a, const std::string& who) {
    yiwang::grid::ActionRequest r;
    r.action = a;
    if (a == yiwang::grid::Action::feedback) r.feedback = "已清运垃圾并冲洗地面";
    if (a == yiwang::grid::Action::check) r.passed = true;
    auto done = app_->grid().act(ref, r, principal(who));
    ASSERT_TRUE(done) << who << ": " << done.error().message_en;
  };
  step(yiwang::grid::Action::accept, "grid.clerk");
  step(yiwang::grid::Action::register_, "grid.chief");
  step(yiwang::grid::Action::dispatch, "grid.dispatcher");
  auto dispatched = app_->grid().get(ref, principal("grid.clerk"));
  ASSERT_TRUE(dispatched);
  step(yiwang::grid::Action::feedback, "grid." + dispatched->event.dept_id);
  auto cell = app_->grid().get_cell(dispatched->event.where.cell_code);
  ASSERT_TRUE(cell && !cell->supervisors.empty());
  step(yiwang::grid::Action::check, cell->supervisors.front());
  step(yiwang::grid::Action::close, "grid.chief");
  ASSERT_TRUE(app_->catch_up());

  // The centre's timeline names the officials who took each step.
  auto closed = call_json("GET", "/api/v1/grid/events/" + ref, nullptr, login("grid.chief"), 200);
  int named = 0;
  for (const auto& s : closed["steps"]) {
    auto user = ids.get_user(s.value("actor_user_id", ""));
    if (user && user->is_official()) {
      EXPECT_EQ(user->display_name, s.value("actor_name", "")) << s.dump();
      ++named;
    } else {
      EXPECT_TRUE(s["actor_name"].is_null()) << s.dump();
    }
  }
  EXPECT_GE(named, 5) << closed["steps"].dump();

  auto answered = call_json("GET", "/api/v1/appeals/" + id, nullptr, citizen, 200);
  EXPECT_EQ("replied", answered.value("state", ""));
  EXPECT_NE(std::string::npos, answered.value("reply", "").find(ref));
  EXPECT_NE(std::string::npos, answered.value("reply", "").find("已清运垃圾"));
  auto acts = call_json("GET", "/api/v1/ledger/acts?subject_type=appeal&subject_id=" + id, nullptr,
                        "", 200);
  std::set<std::string> kinds;
  for (const auto& a : acts["items"]) kinds.insert(a.value("act", ""));
  EXPECT_TRUE(kinds.count("appeal.replied")) << acts.dump();

  // Without coordinates the grid centre handles the appeal as an ordinary one.
  auto plain = call_json("POST", "/api/v1/appeals", complaint(), login("qiye"), 201);
  act(plain.value("id", ""), hotline, {{"action", "dispatch"}, {"dept_id", "grid"}});
  ASSERT_TRUE(app_->catch_up());
  auto unlinked =
      call_json("GET", "/api/v1/appeals/" + plain.value("id", ""), nullptr, hotline, 200);
  EXPECT_EQ("", unlinked.value("linked_ref", "x"));
  EXPECT_EQ("dispatched", unlinked.value("state", ""));
}

// An answer the redaction holds waits for the answering department's publication review, and its
// reviewers are told in their inbox — once for the whole queue until they read it. The decision
// names the official who took it.
TEST_P(AppealsApiTest, AHeldAnswerTellsTheDepartmentsReviewersOnce) {
  const std::string citizen = login("zhangsan");
  const std::string hotline = login("12345.clerk");
  const std::string department = login("zjj.clerk");
  // Matters far apart, so that none is merged into another of the same appellant.
  int filed = 0;
  auto answer = [&](const std::string& reply) {
    static const char* const kMatters[][2] = {
        {"小区东门路灯损坏", "幸福小区东门的三盏路灯坏了一个多月，晚上出入很不安全，请尽快修复。"},
        {"公园健身器材松动", "滨江公园健身区的单杠底座松动摇晃，老人孩子使用有危险，请派人检修。"},
        {"地下通道积水严重", "火车站南广场地下通道下雨后积水没过脚踝，行人无法通行，请尽快排水。"}};
    json body = complaint();
    body["title"] = kMatters[filed][0];
    body["text"] = kMatters[filed][1];
    body["public_consent"] = true;
    ++filed;
    const std::string id = call_json("POST", "/api/v1/appeals", body, citizen, 201).value("id", "");
    act(id, hotline, {{"action", "dispatch"}, {"dept_id", "zjj"}});
    act(id, department, {{"action", "receive"}});
    act(id, department, {{"action", "reply"}, {"reply", reply}, {"confirm_weak", true}});
    EXPECT_TRUE(app_->catch_up());
    return id;
  };
  auto notices = [&](const std::string& token) {
    int n = 0;
    const json inbox = call_json("GET", "/api/v1/inbox?unread=true", nullptr, token, 200);
    for (const auto& m : inbox["messages"])
      n += m.value("kind", "") == "disclosure.pending" ? 1 : 0;
    return n;
  };
  const std::string reviewer = login("zjj.reviewer");
  const std::string approver = login("zjj.approver");
  // Unbroken runs of 24 digits: longer than any card or id number, the redaction cannot
  // classify them and holds the text.
  answer("您好：经现场核查，问题属实，已修复，工单号 482139075612345098761234。");
  EXPECT_EQ(1, notices(department));
  EXPECT_EQ(1, notices(reviewer));
  EXPECT_EQ(1, notices(approver));
  EXPECT_EQ(0, notices(login("gaj.clerk")));
  EXPECT_EQ(0, notices(citizen));
  answer("您好：经现场核查，已处理完毕，工单号 582139075612345098761234。");
  EXPECT_EQ(1, notices(reviewer)) << "one unread notice stands for the queue";
  const json unread = call_json("GET", "/api/v1/inbox?unread=true", nullptr, reviewer, 200);
  for (const auto& m : unread["messages"]) {
    EXPECT_EQ("disclosure_review", m.value("subject_type", ""));
    call_json("POST", "/api/v1/inbox/" + m.value("id", "") + "/read", nullptr, reviewer, 200);
  }
  EXPECT_EQ(0, notices(reviewer));
  answer("您好：经现场核查，已修复，工单号 682139075612345098761234。");
  EXPECT_EQ(1, notices(reviewer)) << "read, then another text held: told again";
  EXPECT_EQ(1, notices(approver));

  auto queue = call_json("GET", "/api/v1/disclosure/reviews", nullptr, approver, 200);
  ASSERT_FALSE(queue["reviews"].empty()) << queue.dump();
  const json first = queue["reviews"][0];
  EXPECT_EQ("", first.value("decided_by_name", "?"));
  auto decided = call_json(
      "POST", "/api/v1/disclosure/reviews/" + first.value("id", "") + "/decision",
      {{"decision", "withhold"}, {"reason", "含个人电话"}, {"revision", first["revision"]}},
      approver, 200);
  EXPECT_EQ(app_->identity().find_by_username("zjj.approver")->display_name,
            decided.value("decided_by_name", ""));
  auto withheld =
      call_json("GET", "/api/v1/disclosure/reviews?state=withheld", nullptr, reviewer, 200);
  ASSERT_EQ(1u, withheld["reviews"].size());
  EXPECT_EQ(decided.value("decided_by_name", ""),
            withheld["reviews"][0].value("decided_by_name", ""));
}

INSTANTIATE_TEST_SUITE_P(Backends, AppealsApiTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
