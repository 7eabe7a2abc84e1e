// AI dispatch: tokens, data loading, scoring, model versions and hot swap, the service on both
// backends (threshold, mapping, corrections, permissions, events) and the HTTP routes.
#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ai/ai.h"
#include "events/events.h"
#include "http/http.h"
#include "identity/identity.h"
#include "support/platform.h"
#include "support/prerequisites.h"
#include "support/router_client.h"
#include "support/test_store.h"

namespace yiwang::ai {
namespace {

std::string data_file(const std::string& name) {
  return yiwang::testing::shared_path("data/appeals/" + name);
}

// A small, fast model: a stratified slice of the shared data (empty when it is missing: tests
// that train begin with REQUIRE_TRAINING_DATA()).
const std::vector<Example>& small_set() {
  static const std::vector<Example> set = [] {
    auto all = load_labelled(data_file("labelled.jsonl"));
    if (!all) return std::vector<Example>{};
    auto d = deduplicate(*all);
    std::vector<Example> out;
    for (std::size_t i = 0; i < d.size(); i += 4) out.push_back(d[i]);
    return out;
  }();
  return set;
}

// Fails the test (skips it with YIWANG_TESTS_MAY_SKIP=1) when ../shared holds no labelled
// messages, and checks that they load.
#define REQUIRE_TRAINING_DATA()                                                          \
  do {                                                                                   \
    YIWANG_REQUIRE_SHARED("data/appeals/labelled.jsonl");                                \
    ASSERT_FALSE(small_set().empty()) << data_file("labelled.jsonl") << " did not load"; \
  } while (0)

TrainOptions fast_options() {
  TrainOptions o;
  o.epoch = 15;
  o.bucket = 50000;
  o.dim = 16;
  return o;
}

TEST(AiText, TokensAreHanCharactersAndAsciiRuns) {
  EXPECT_EQ(tokens_of("A3区大道，路灯杆！ABC１２3"), "a3 区 大 道 路 灯 杆 abc123");
  EXPECT_EQ(tokens_of("电话13812345678。"), "电 话 #num");
  EXPECT_EQ(tokens_of("  ，。!?  "), "");
  EXPECT_EQ(tokens_of("ab\xff\xfe"
                      "cd"),
            "abcd");  // stray bytes are dropped
}

TEST(AiText, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("城乡建设 abc"));
  EXPECT_FALSE(valid_utf8("\xe5\x9f"));      // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_EQ(char_count("城乡a"), 3u);
}

TEST(AiText, DeduplicateDropsNearCopies) {
  std::string body(60, 'x');
  body = "市民反映小区门口道路破损严重多次反映未见处理希望有关部门尽快维修道路确保出行安全谢谢";
  std::vector<Example> in{{body, "城乡建设"},
                          {body + "！！", "城乡建设"},    // same head
                          {"补充：" + body, "城乡建设"},  // same tail
                          {"学校食堂卫生问题请教育局关注处理", "教育文体"}};
  auto out = deduplicate(in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].label, "教育文体");
}

TEST(AiScore, AccuracyAndMacroF1) {
  auto m = score({"a", "a", "b", "b"}, {"a", "b", "b", "b"});
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
  // a: P 1, R 0.5, F1 2/3; b: P 2/3, R 1, F1 0.8
  EXPECT_NEAR(m.macro_f1, (2.0 / 3 + 0.8) / 2, 1e-12);
  ASSERT_EQ(m.per_class.size(), 2u);
  EXPECT_EQ(m.per_class[1].support, 2);
}

TEST(AiData, LoadsTheSharedFiles) {
  YIWANG_REQUIRE_SHARED("data/appeals/labelled.jsonl");
  YIWANG_REQUIRE_SHARED("data/appeals/labelled-segmented.jsonl");
  auto all = load_labelled(data_file("labelled.jsonl"));
  ASSERT_TRUE(all) << all.error().message_en;
  EXPECT_EQ(all->size(), 2921u);
  auto d = deduplicate(*all);
  EXPECT_LT(d.size(), all->size());
  EXPECT_GT(d.size(), 2850u);
  auto extra =
      load_segmented_extra(data_file("labelled-segmented.jsonl"), data_file("labelled.jsonl"));
  ASSERT_TRUE(extra) << extra.error().message_en;
  // 8,394 segmented rows, 2,921 of them the labelled ones; near-copies of those are dropped too.
  EXPECT_GT(extra->size(), 4000u);
  EXPECT_LT(extra->size(), 8394u - 2921u);
  EXPECT_FALSE(load_labelled("/nonexistent.jsonl"));
}

TEST(AiClassifier, VersionsActivationAndConcurrentPredictsDuringSwap) {
  REQUIRE_TRAINING_DATA();
  Classifier c(yiwang::testing::temp_dir() + "/models");
  EXPECT_EQ(c.active_version(), 0);
  auto none = c.predict("小区道路破损");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::conflict);
  EXPECT_FALSE(c.activate_latest());

  auto v1 = c.train(small_set(), fast_options(), std::nullopt, 0, 1000);
  ASSERT_TRUE(v1) << v1.error().message_en;
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->labels.size(), 7u);
  EXPECT_EQ(c.active_version(), 0);  // training does not activate
  auto o2 = fast_options();
  o2.seed = 7;
  auto v2 = c.train(small_set(), o2, std::nullopt, 0, 2000);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->version, 2);
  ASSERT_TRUE(c.activate(1));
  auto list = c.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].version, 2);
  EXPECT_TRUE(list[1].active);
  EXPECT_EQ(c.activate(9).error().code, ErrorCode::not_found);
  EXPECT_EQ(c.active_version(), 1);  // a failed activation leaves the serving model alone

  auto p = c.predict("学校食堂卫生差，老师体罚学生，要求教育局调查处理");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->label, "教育文体");
  EXPECT_GT(p->confidence, 0.3);
  EXPECT_LE(p->confidence, 1.0);
  EXPECT_EQ(p->model_version, 1);
  EXPECT_EQ(p->alternatives.size(), 2u);

  // Predicting threads never see a half-swapped model: every answer carries a version that was
  // serving at some point and a label from the model's classes.
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      while (!stop) {
        auto r = c.predict("公司拖欠工资三个月，社保也没有缴纳");
        if (!r || (r->model_version != 1 && r->model_version != 2)) ++bad;
        ++done;
      }
    });
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.activate(i % 2 ? 1 : 2));
  while (done < 200) std::this_thread::yield();
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(c.predict("公司拖欠工资三个月，社保也没有缴纳")->label, "劳动和社会保障");
}

TEST(AiReply, ScoresARealReplyAboveAnEmptyOne) {
  std::string appeal = "A2区景蓉华苑物业管理有问题，业委会收费方案投票不公开";
  auto good = check_reply(appeal,
                          "网友您好！关于您反映的景蓉华苑物业管理问题，经调查核实，业委会收费方案"
                          "投票确有不规范之处，街道已责令业委会依据《物业管理条例》重新组织投票。"
                          "如有疑问请致电0731-12345678联系。");
  ASSERT_TRUE(good);
  EXPECT_FALSE(good->weak) << good->score;
  EXPECT_TRUE(good->issues.empty());
  auto weak = check_reply(appeal, "收到。");
  ASSERT_TRUE(weak);
  EXPECT_TRUE(weak->weak);
  EXPECT_LE(weak->score, 40);
  std::vector<std::string> codes;
  for (const auto& i : weak->issues) codes.push_back(i.code);
  EXPECT_NE(std::find(codes.begin(), codes.end(), "off_topic"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "too_short"), codes.end());
  EXPECT_EQ(check_reply("", "x").error().field, "/appeal");
  EXPECT_EQ(check_reply("x", std::string(5001, 'a')).error().field, "/reply");
  EXPECT_EQ(check_reply("x", "\xff").error().field, "/reply");
}

// Calibration on the real replies: the distribution is printed for the closing note, and real
// replies must score clearly above the same replies paired with another appeal.
TEST(AiReply, RealRepliesScoreAboveMismatchedOnes) {
  YIWANG_REQUIRE_SHARED("data/appeals/with-replies.jsonl");
  std::ifstream in(data_file("with-replies.jsonl"));
  ASSERT_TRUE(in) << data_file("with-replies.jsonl");
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    auto a = j.value("title", "") + "\n" + j.value("text", "");
    auto r = j.value("reply", "");
    if (char_count(a) > kMaxTextChars || char_count(r) > kMaxTextChars || r.empty()) continue;
    pairs.emplace_back(a, r);
  }
  ASSERT_GT(pairs.size(), 2000u);
  std::vector<double> real, mismatched;
  int weak = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    auto c = check_reply(pairs[i].first, pairs[i].second);
    ASSERT_TRUE(c);
    real.push_back(c->score);
    weak += c->weak;
    auto m = check_reply(pairs[(i + 997) % pairs.size()].first, pairs[i].second);
    mismatched.push_back(m->score);
  }
  std::sort(real.begin(), real.end());
  std::sort(mismatched.begin(), mismatched.end());
  auto q = [](const std::vector<double>& v, double p) {
    return v[std::size_t(p * (v.size() - 1))];
  };
  std::cout << "  real replies: n " << real.size() << " p10 " << q(real, 0.1) << " p25 "
            << q(real, 0.25) << " median " << q(real, 0.5) << " p75 " << q(real, 0.75) << " weak "
            << weak << "; mismatched median " << q(mismatched, 0.5) << "\n";
  EXPECT_GE(q(real, 0.5) - q(mismatched, 0.5), 15);
  EXPECT_LT(double(weak) / real.size(), 0.35);
}

// ---- Service and routes on both backends -------------------------------------------------------

class AiServiceTest : public yiwang::testing::PlatformTest {
 protected:
  // Tests that train a model call REQUIRE_TRAINING_DATA(); the rest need no shared data.
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open({migrations()}, 1'700'000'000'000));
    department("zwfw", "政务服务管理办公室");
    department("zjj", "住房和城乡建设局");
    admin_ = user("admin1", "zwfw", identity::Role::admin);
    dispatcher_ = user("disp1", "zwfw", identity::Role::clerk);
    other_ = user("clerk2", "zjj", identity::Role::clerk);
    options_.models_dir = yiwang::testing::temp_dir() + "/models";
    options_.threshold = 0.6;
    options_.hotline_dept = "zwfw";  // the app passes its configured hotline centre
    service_ = std::make_unique<Service>(*store_, clock_, random_, options_);
  }

  // A signed-in official of `dept`.
  std::string user(const std::string& name, const std::string& dept, identity::Role role) {
    official(name, dept, {role});
    auto l = ids_->login(name, std::string(yiwang::testing::kPassword), "127.0.0.1");
    EXPECT_TRUE(l);
    tokens_[name] = l->token;
    return name;
  }
  identity::Principal principal(const std::string& name) {
    return *ids_->authenticate(tokens_[name]);
  }
  std::int64_t count(const std::string& sql) {
    return *store_->read(
        [&](store::Tx& tx) -> Result<std::int64_t> { return tx.query_one(sql)->int64(0); });
  }
  http::Response call(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& who) {
    return yiwang::testing::RouterClient(router_).call(method, path, body,
                                                       who.empty() ? "" : tokens_[who]);
  }
  // Corrections are the hotline's (403 for another official) and take exactly text and label.
  void expect_corrections_refuse_others_and_unknown_members() {
    EXPECT_EQ(call("POST", "/api/v1/ai/corrections",
                   R"({"text":"公交车司机态度差","label":"交通运输"})", other_)
                  .status,
              403);
    EXPECT_EQ(call("POST", "/api/v1/ai/corrections", R"({"text":"公交","label":"交通运输","x":1})",
                   dispatcher_)
                  .status,
              400);
  }
  // Classify refuses a caller without a token (401) and any body that is not exactly
  // {"text": 1–5000 characters of UTF-8} (400 problem), with a model or without one.
  void expect_classify_refuses_strangers_and_bad_bodies() {
    EXPECT_EQ(call("POST", "/api/v1/ai/classify", R"({"text":"x"})", "").status, 401);
    for (const auto& bad :
         {std::string(R"({"text":""})"), std::string(R"({"text":"a","lang":"zh"})"),
          std::string(R"({"txt":"a"})"), std::string(R"({"text":5})"),
          R"({"text":")" + std::string(5001, 'a') + "\"}", std::string("[1]"),
          std::string("{\"text\":\"\xff\"}")}) {
      auto r = call("POST", "/api/v1/ai/classify", bad, dispatcher_);
      EXPECT_EQ(r.status, 400) << bad.substr(0, 40) << " " << r.body;
      EXPECT_EQ(r.content_type, "application/problem+json");
    }
  }

  Options options_;
  std::unique_ptr<Service> service_;
  std::map<std::string, std::string> tokens_;
  std::string admin_, dispatcher_, other_;
  http::Router router_;
};

TEST_P(AiServiceTest, ClassifyMapsDepartmentsAndQueuesLowConfidence) {
  REQUIRE_TRAINING_DATA();
  EXPECT_EQ(service_->classify("道路破损").error().code, ErrorCode::conflict);
  auto r = service_->train(small_set(), fast_options(), std::nullopt, true);
  ASSERT_TRUE(r) << r.error().message_en;
  EXPECT_TRUE(r->model.active);
  auto p = service_->classify("公司拖欠工资三个月，社保也没有缴纳，劳动监察不管");
  ASSERT_TRUE(p) << p.error().message_en;
  EXPECT_EQ(p->label, "劳动和社会保障");
  EXPECT_EQ(p->department, "rsj");
  EXPECT_EQ(p->needs_human, p->confidence < 0.6);
  // A text with almost nothing in it is not confident: the dispatcher decides.
  auto vague = service_->classify("你好");
  ASSERT_TRUE(vague);
  EXPECT_TRUE(vague->needs_human) << vague->label << " " << vague->confidence;

  EXPECT_EQ(service_->classify("").error().field, "/text");
  EXPECT_EQ(service_->classify("，。！").error().field, "/text");
  EXPECT_EQ(service_->classify(std::string(5001, 'a')).error().field, "/text");
  EXPECT_EQ(service_->classify("\xe5\x9f").error().field, "/text");

  // A new Service (a restart) serves the model recorded as active.
  Service again(*store_, clock_, random_, options_);
  EXPECT_EQ(again.classifier().active_version(), r->model.version);
  EXPECT_EQ(default_departments().at("环境保护"), "sthj");
}

TEST_P(AiServiceTest, CorrectionsArePermittedToTheHotlineAndFeedRetraining) {
  REQUIRE_TRAINING_DATA();
  ASSERT_TRUE(service_->train(small_set(), fast_options(), std::nullopt, true));
  auto before = count("SELECT COUNT(*) FROM events");
  auto denied = service_->add_correction("小区噪音扰民", "环境保护", principal(other_));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::forbidden);
  EXPECT_EQ(service_->add_correction("小区噪音扰民", "天气", principal(dispatcher_)).error().field,
            "/label");
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_corrections"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), before);

  // The same odd message, corrected many times, must win in the next model.
  const std::string odd = "广场舞音响每晚十点后还在放，吵得孩子无法写作业";
  for (int i = 0; i < 12; ++i) {
    auto c = service_->add_correction(odd, "交通运输", principal(i % 2 ? dispatcher_ : admin_));
    ASSERT_TRUE(c) << c.error().message_en;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_corrections"), 12);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type = 'ai.correction.recorded'"), 12);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE after_json LIKE '%广场舞%'"), 0);

  auto r = service_->train(small_set(), fast_options(), std::nullopt, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->corrections, 12);
  EXPECT_EQ(r->model.version, 2);
  EXPECT_EQ(r->model.training_size, int(small_set().size()) + 12);
  EXPECT_EQ(service_->classify(odd)->label, "交通运输");
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type = 'ai.model.trained'"), 2);
}

// A correction is a copy of the citizen's text: sealed at rest like the appeal it came from, and
// read back whole for retraining. Rows an older version left in the clear are sealed at start.
TEST_P(AiServiceTest, CorrectionsAreSealedAtRest) {
  const std::string text = "幸福小区 3 栋噪音，联系人张三 13812345678";
  auto c = service_->add_correction(text, "环境保护", principal(dispatcher_));
  ASSERT_TRUE(c) << c.error().message_en;
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_corrections WHERE text LIKE '%13812345678%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_corrections WHERE text LIKE 'enc1:%'"), 1);
  auto stored = service_->corrections();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().text, text);

  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE ai_corrections SET text = ? WHERE id = ?", {text, c->id});
    return {};
  }));
  EXPECT_EQ(seal_at_rest(*store_).value(), 1);
  EXPECT_EQ(seal_at_rest(*store_).value(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_corrections WHERE text LIKE '%13812345678%'"), 0);
  EXPECT_EQ(service_->corrections()->front().text, text);
}

// Who may call, and what bodies are refused, before any model exists: needs no shared data.
TEST_P(AiServiceTest, RoutesRefuseCallersAndBodiesWithoutAModel) {
  register_routes(router_, *service_, *ids_);
  expect_classify_refuses_strangers_and_bad_bodies();
  auto none = call("POST", "/api/v1/ai/classify", R"({"text":"道路破损"})", dispatcher_);
  EXPECT_EQ(none.status, 409) << none.body;
  EXPECT_EQ(none.content_type, "application/problem+json");

  auto models = call("GET", "/api/v1/ai/models", "", dispatcher_);
  ASSERT_EQ(models.status, 200) << models.body;
  EXPECT_TRUE(nlohmann::json::parse(models.body)["items"].empty());
  EXPECT_EQ(call("GET", "/api/v1/ai/models", "", "").status, 401);

  auto events_before = count("SELECT COUNT(*) FROM events");
  EXPECT_EQ(call("POST", "/api/v1/ai/models/1/activate", "", "").status, 401);
  EXPECT_EQ(call("POST", "/api/v1/ai/models/1/activate", "", dispatcher_).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/ai/models/1/activate", "", admin_).status, 404);
  EXPECT_EQ(call("POST", "/api/v1/ai/models/x/activate", "", admin_).status, 404);
  EXPECT_EQ(call("POST", "/api/v1/ai/corrections",
                 R"({"text":"公交车司机态度差","label":"交通运输"})", "")
                .status,
            401);
  expect_corrections_refuse_others_and_unknown_members();
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), events_before);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_corrections"), 0);

  EXPECT_EQ(call("POST", "/api/v1/ai/reply-check", R"({"appeal":"a","reply":"b"})", "").status,
            401);
  EXPECT_EQ(call("POST", "/api/v1/ai/reply-check", R"({"appeal":"","reply":"x"})", other_).status,
            400);
}

TEST_P(AiServiceTest, Routes) {
  REQUIRE_TRAINING_DATA();
  register_routes(router_, *service_, *ids_);
  auto conflict = call("POST", "/api/v1/ai/classify", R"({"text":"道路破损"})", dispatcher_);
  EXPECT_EQ(conflict.status, 409);
  ASSERT_TRUE(service_->train(small_set(), fast_options(), std::nullopt, false));
  ASSERT_TRUE(service_->train(small_set(), fast_options(), std::nullopt, true));

  auto ok = call("POST", "/api/v1/ai/classify",
                 R"({"text":"学校乱收费，补课费每学期两千元，请教育局查处"})", dispatcher_);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto j = nlohmann::json::parse(ok.body);
  EXPECT_EQ(j["label"], "教育文体");
  EXPECT_EQ(j["department"], "jyj");
  EXPECT_EQ(j["model_version"], 2);
  EXPECT_TRUE(j["needs_human"].is_boolean());

  expect_classify_refuses_strangers_and_bad_bodies();

  auto models = call("GET", "/api/v1/ai/models", "", dispatcher_);
  ASSERT_EQ(models.status, 200);
  auto mj = nlohmann::json::parse(models.body);
  ASSERT_EQ(mj["items"].size(), 2u);
  EXPECT_EQ(mj["items"][0]["active"], true);

  auto events_before = count("SELECT COUNT(*) FROM events");
  EXPECT_EQ(call("POST", "/api/v1/ai/models/1/activate", "", dispatcher_).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/ai/models/9/activate", "", admin_).status, 404);
  EXPECT_EQ(call("POST", "/api/v1/ai/models/x/activate", "", admin_).status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), events_before);
  auto act = call("POST", "/api/v1/ai/models/1/activate", "", admin_);
  ASSERT_EQ(act.status, 200) << act.body;
  EXPECT_EQ(service_->classifier().active_version(), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type = 'ai.model.activated'"), 1);
  auto after = call("POST", "/api/v1/ai/classify", R"({"text":"学校乱收费"})", dispatcher_);
  EXPECT_EQ(nlohmann::json::parse(after.body)["model_version"], 1);

  auto corr = call("POST", "/api/v1/ai/corrections",
                   R"({"text":"公交车司机态度差","label":"交通运输"})", dispatcher_);
  EXPECT_EQ(corr.status, 201) << corr.body;
  expect_corrections_refuse_others_and_unknown_members();

  auto rc = call(
      "POST", "/api/v1/ai/reply-check",
      R"({"appeal":"小区路灯坏了","reply":"您好，经核实路灯确已损坏，已安排维修。电话12345。"})",
      other_);
  ASSERT_EQ(rc.status, 200) << rc.body;
  EXPECT_TRUE(nlohmann::json::parse(rc.body)["score"].is_number());
  EXPECT_EQ(call("POST", "/api/v1/ai/reply-check", R"({"appeal":"","reply":"x"})", other_).status,
            400);
}

INSTANTIATE_TEST_SUITE_P(Backends, AiServiceTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::ai
