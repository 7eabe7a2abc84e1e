// 好差评 on both backends: labels, one rating per completed case by its applicant, input limits,
// bad ratings opening a rectification due in 15 working days (across 国庆 2026), closing it,
// summaries and their scope, and the rating route. Cases are inserted as rows.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "core/field_cipher.h"
#include "cases/internal.h"
#include "cases/services.h"
#include "events/events.h"
#include "http/http.h"
#include "support/test_store.h"

namespace yiwang::cases {
namespace {

using namespace std::chrono;
using identity::Role;
using nlohmann::json;

using testing::at;

using testing::citizen_id;

TEST(RatingLabel, FiveLevelsFromVerySatisfiedDown) {
  EXPECT_EQ("非常满意", rating_label(5));
  EXPECT_EQ("满意", rating_label(4));
  EXPECT_EQ("基本满意", rating_label(3));
  EXPECT_EQ("不满意", rating_label(2));
  EXPECT_EQ("非常不满意", rating_label(1));
  EXPECT_EQ("", rating_label(0));
  EXPECT_EQ("", rating_label(6));
}

class RatingsTest : public testing::CasesFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(at(2026, 9, 28, 10)));
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_);
    city_departments();
    supervisor_ = official("jiancha", "zwfw", {Role::supervisor});
    approver_ = official("juece", "scjg", {Role::approver});
    clerk_ = official("chuangkou", "scjg", {Role::clerk});
    other_approver_ = official("gaj_juece", "gaj", {Role::approver});
    admin_ = official("admin", "zwfw", {Role::admin});
    citizen_ = citizen("zhangsan", "zhangsan", "11010519900307123", "");
    other_citizen_ = citizen("lisi", "lisi", "11010519850101456", "");
  }

  // A case of `item` handled by `dept`, completed yesterday, filed by `applicant`.
  std::string completed_case(const std::string& id, const identity::Principal& applicant,
                             const std::string& dept = "scjg",
                             const std::string& item = "食品经营许可",
                             const std::string& state = "completed") {
    auto st = store_->write([&](store::Tx& tx) -> Status {
      core::Millis now = clock_.now_ms();
      tx.exec(
          "INSERT INTO cases (id, item_code, item_version, item_name, dept_id, case_type, state, "
          "applicant_user_id, applicant_kind, applicant_name, applicant_id_number, "
          "applicant_phone, "
          "applicant_division, channel, filed_by, form_json, materials_json, steps_json, "
          "current_step, resume_state, decision, decision_opinion, instant_rule, procedure_kind, "
          "limit_days, natural_days, submitted_at_ms, accepted_at_ms, decided_at_ms, "
          "completed_at_ms, updated_at_ms, revision) VALUES (?, ?, 1, ?, ?, '2', ?, ?, 'citizen', "
          "?, '', '', '', 'online', ?, ?, '[]', '[]', -1, '', 'granted', '', '', '', 5, 0, "
          "?, ?, ?, ?, ?, 1)",
          {id, "ITEM-" + item, item, dept, state, applicant.user_id,
           tx.cipher().seal_cell("张三", "cases.applicant_name", id), applicant.user_id,
           tx.cipher().seal_cell("{}", "cases.form_json", id),
           now - 5 * core::kDayMs, now - 4 * core::kDayMs, now - 2 * core::kDayMs,
           now - core::kDayMs, now});
      tx.exec("INSERT INTO case_depts (case_id, dept_id) VALUES (?, ?)", {id, dept});
      return {};
    });
    EXPECT_TRUE(st) << st.error().message_en;
    return id;
  }

  std::int64_t scalar(const std::string& sql, const store::Params& params = {}) {
    auto r = store_->read(
        [&](store::Tx& tx) -> Result<std::int64_t> { return tx.query_one(sql, params)->int64(0); });
    return r ? *r : -1;
  }

  Error rate_error(const std::string& id, NewRating r, const identity::Principal& by) {
    auto got = service_->rate(id, r, by);
    EXPECT_FALSE(got);
    return got ? Error{} : got.error();
  }

  std::size_t inbox_size(const identity::Principal& p) {
    auto r = service_->inbox(p, false, 50, 0);
    return r ? r->size() : 999;
  }

  identity::Principal supervisor_, approver_, clerk_, other_approver_, admin_, citizen_,
      other_citizen_;
};

TEST_P(RatingsTest, TheApplicantRatesACompletedCaseOnce) {
  auto id = completed_case("YW2026092800000001", citizen_);
  auto rated = service_->rate(id, {5, {"办事效率", "服务态度"}, "很快"}, citizen_);
  ASSERT_TRUE(rated) << rated.error().message_en;
  EXPECT_EQ("非常满意", rated->label);
  EXPECT_EQ(5, rated->level);
  EXPECT_EQ((std::vector<std::string>{"办事效率", "服务态度"}), rated->indicators);
  EXPECT_EQ(citizen_.user_id, rated->rated_by);
  EXPECT_EQ(clock_.now_ms(), rated->rated_at_ms);
  EXPECT_TRUE(rated->rectification_id.empty());
  EXPECT_EQ(1, scalar("SELECT COUNT(*) FROM events WHERE type = 'case.rated' AND subject_id = ? "
                      "AND actor_user_id = ?",
                      {id, citizen_.user_id}));
  EXPECT_EQ(0, scalar("SELECT COUNT(*) FROM rectifications"));

  EXPECT_EQ(ErrorCode::conflict, rate_error(id, {1, {}, "改主意了"}, citizen_).code);
  EXPECT_EQ(1, scalar("SELECT COUNT(*) FROM ratings"));
}

TEST_P(RatingsTest, OnlyTheApplicantRatesAndOnlyOnceCompleted) {
  auto id = completed_case("YW2026092800000002", citizen_);
  EXPECT_EQ(ErrorCode::not_found, rate_error(id, {5, {}, ""}, other_citizen_).code);
  EXPECT_EQ(ErrorCode::not_found, rate_error(id, {5, {}, ""}, other_approver_).code);
  EXPECT_EQ(ErrorCode::forbidden, rate_error(id, {5, {}, ""}, clerk_).code);
  EXPECT_EQ(ErrorCode::forbidden, rate_error(id, {5, {}, ""}, supervisor_).code);
  EXPECT_EQ(ErrorCode::not_found, rate_error("YW0000", {5, {}, ""}, citizen_).code);

  auto open = completed_case("YW2026092800000003", citizen_, "scjg", "食品经营许可", "granted");
  EXPECT_EQ(ErrorCode::conflict, rate_error(open, {5, {}, ""}, citizen_).code);
  EXPECT_EQ(0, scalar("SELECT COUNT(*) FROM ratings"));
  EXPECT_EQ(0, scalar("SELECT COUNT(*) FROM events WHERE type = 'case.rated'"));
}

TEST_P(RatingsTest, InputLimitsNameTheField) {
  auto id = completed_case("YW2026092800000004", citizen_);
  EXPECT_EQ("/level", rate_error(id, {0, {}, ""}, citizen_).field);
  EXPECT_EQ("/level", rate_error(id, {6, {}, ""}, citizen_).field);
  EXPECT_EQ("/indicators",
            rate_error(id, {4, std::vector<std::string>(11, "办事效率"), ""}, citizen_).field);
  EXPECT_EQ("/indicators/1",
            rate_error(id, {4, {"办事效率", std::string(31, 'x')}, ""}, citizen_).field);
  // Thirty Chinese characters are thirty characters, not ninety bytes.
  std::string thirty;
  for (int i = 0; i < 30; ++i) thirty += "快";
  std::string long_comment;
  for (int i = 0; i < 501; ++i) long_comment += "好";
  EXPECT_EQ("/comment", rate_error(id, {4, {}, long_comment}, citizen_).field);
  auto ok = service_->rate(id, {4, {thirty}, long_comment.substr(3)}, citizen_);
  ASSERT_TRUE(ok) << ok.error().message_en;
  EXPECT_EQ("满意", ok->label);
}

// Rated on Monday 28 Sep 2026: 29, 30 Sep, then 国庆 (1–7 Oct) is skipped, Saturday 10 Oct is an
// adjusted working day, so the 15th working day is Friday 23 Oct (19 Oct without the holidays).
TEST_P(RatingsTest, BadRatingOpensARectificationDueIn15WorkingDays) {
  auto id = completed_case("YW2026092800000005", citizen_);
  auto rated = service_->rate(id, {2, {"办事效率"}, "跑了三次"}, citizen_);
  ASSERT_TRUE(rated) << rated.error().message_en;
  EXPECT_EQ("不满意", rated->label);
  ASSERT_EQ(18u, rated->rectification_id.size());
  EXPECT_EQ("ZG", rated->rectification_id.substr(0, 2));

  auto open = service_->rectifications("open", approver_);
  ASSERT_TRUE(open);
  ASSERT_EQ(1u, open->size());
  const Rectification& r = open->front();
  EXPECT_EQ(rated->rectification_id, r.id);
  EXPECT_EQ(id, r.case_id);
  EXPECT_EQ("scjg", r.dept_id);
  EXPECT_EQ("open", r.status);
  EXPECT_EQ("2026-10-23", core::format_date(r.due));
  EXPECT_EQ(1, scalar("SELECT COUNT(*) FROM events WHERE type = 'rectification.opened' AND "
                      "subject_id = ?",
                      {r.id}));

  EXPECT_EQ(1u, inbox_size(approver_));
  EXPECT_EQ(1u, inbox_size(supervisor_));
  EXPECT_EQ(0u, inbox_size(clerk_));
  EXPECT_EQ(0u, inbox_size(other_approver_));
  auto msg = service_->inbox(approver_, true, 10, 0);
  ASSERT_TRUE(msg);
  EXPECT_EQ("rectification", msg->at(0).kind);
  EXPECT_EQ(r.id, msg->at(0).subject_id);

  EXPECT_TRUE(service_->rectifications("", other_approver_)->empty());
  EXPECT_EQ(1u, service_->rectifications("", supervisor_)->size());
  EXPECT_EQ(ErrorCode::forbidden, service_->rectifications("", citizen_).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, service_->rectifications("done", admin_).error().code);
}

TEST_P(RatingsTest, RectificationIsClosedOnceByTheDepartmentWithANote) {
  auto id = completed_case("YW2026092800000006", citizen_);
  auto rated = service_->rate(id, {1, {}, "态度差"}, citizen_);
  ASSERT_TRUE(rated);
  const std::string rid = rated->rectification_id;
  ASSERT_FALSE(rid.empty());

  EXPECT_EQ("/note", service_->close_rectification(rid, "  ", approver_).error().field);
  EXPECT_EQ(ErrorCode::not_found,
            service_->close_rectification(rid, "已回访", other_approver_).error().code);
  EXPECT_EQ(ErrorCode::forbidden,
            service_->close_rectification(rid, "已回访", clerk_).error().code);
  EXPECT_EQ(ErrorCode::forbidden,
            service_->close_rectification(rid, "已回访", citizen_).error().code);
  EXPECT_EQ(ErrorCode::not_found,
            service_->close_rectification("ZG000", "已回访", approver_).error().code);

  clock_.advance(core::kDayMs);
  auto closed = service_->close_rectification(rid, "已电话回访，申请人表示认可", approver_);
  ASSERT_TRUE(closed) << closed.error().message_en;
  EXPECT_EQ("closed", closed->status);
  EXPECT_EQ("已电话回访，申请人表示认可", closed->note);
  EXPECT_EQ(approver_.user_id, closed->closed_by);
  EXPECT_EQ(clock_.now_ms(), closed->closed_at_ms.value_or(0));
  EXPECT_EQ(1, scalar("SELECT COUNT(*) FROM events WHERE type = 'rectification.closed' AND "
                      "subject_id = ? AND actor_user_id = ?",
                      {rid, approver_.user_id}));

  EXPECT_EQ(ErrorCode::conflict, service_->close_rectification(rid, "再次", admin_).error().code);
  EXPECT_TRUE(service_->rectifications("open", supervisor_)->empty());
  auto done = service_->rectifications("closed", supervisor_);
  ASSERT_EQ(1u, done->size());
  EXPECT_EQ("已电话回访，申请人表示认可", done->front().note);
}

TEST_P(RatingsTest, SummariesByItemAndDepartmentWithinScope) {
  ASSERT_TRUE(
      service_->rate(completed_case("YW2026092800000007", citizen_), {5, {}, ""}, citizen_));
  ASSERT_TRUE(
      service_->rate(completed_case("YW2026092800000008", citizen_), {1, {}, ""}, citizen_));
  ASSERT_TRUE(service_->rate(completed_case("YW2026092800000009", citizen_, "gaj", "居住证签注"),
                             {4, {}, ""}, citizen_));

  auto items = service_->rating_summary("item", supervisor_);
  ASSERT_TRUE(items) << items.error().message_en;
  ASSERT_EQ(2u, items->size());
  const auto& food = (*items)[1].name == "食品经营许可" ? (*items)[1] : (*items)[0];
  const auto& residence = (*items)[1].name == "食品经营许可" ? (*items)[0] : (*items)[1];
  EXPECT_EQ("ITEM-食品经营许可", food.key);
  EXPECT_EQ(2, food.count);
  EXPECT_DOUBLE_EQ(3.0, food.average);
  EXPECT_EQ(1, food.bad);
  EXPECT_DOUBLE_EQ(0.5, food.satisfaction);
  EXPECT_EQ("居住证签注", residence.name);
  EXPECT_EQ(1, residence.count);
  EXPECT_DOUBLE_EQ(4.0, residence.average);
  EXPECT_EQ(0, residence.bad);
  EXPECT_DOUBLE_EQ(1.0, residence.satisfaction);

  auto depts = service_->rating_summary("dept", admin_);
  ASSERT_TRUE(depts);
  ASSERT_EQ(2u, depts->size());
  EXPECT_EQ("gaj", (*depts)[0].key);
  EXPECT_EQ("江宁市公安局", (*depts)[0].name);
  EXPECT_EQ("scjg", (*depts)[1].key);
  EXPECT_EQ(2, (*depts)[1].count);

  auto own = service_->rating_summary("dept", clerk_);
  ASSERT_TRUE(own);
  ASSERT_EQ(1u, own->size());
  EXPECT_EQ("scjg", own->front().key);
  EXPECT_EQ(ErrorCode::forbidden, service_->rating_summary("item", citizen_).error().code);
  EXPECT_EQ("/by", service_->rating_summary("month", admin_).error().field);
}

TEST_P(RatingsTest, RatingRoute) {
  http::Router router;
  detail::register_oversight_routes(router, *service_, *ids_);
  auto login = ids_->login("zhangsan", std::string(yiwang::testing::kPassword), "127.0.0.1");
  ASSERT_TRUE(login) << login.error().message_en;
  auto id = completed_case("YW2026092800000010", citizen_);
  auto post = [&](const std::string& body) {
    http::Request req;
    req.method = "POST";
    EXPECT_TRUE(http::set_target(req, "/api/v1/cases/" + id + "/rating"));
    req.headers["authorization"] = "Bearer " + login->token;
    req.headers["content-type"] = "application/json";
    req.body = body;
    return router.dispatch(req);
  };

  auto bad = post(R"({"level": 9})");
  EXPECT_EQ(400, bad.status);
  EXPECT_EQ("/level", json::parse(bad.body).value("field", ""));
  EXPECT_EQ(400, post(R"({"level": 5, "stars": 5})").status);
  EXPECT_EQ(400, post(R"({"level": 5, "indicators": [1]})").status);

  auto created = post(R"({"level": 5, "indicators": ["办事效率"], "comment": "很快"})");
  ASSERT_EQ(201, created.status) << created.body;
  auto body = json::parse(created.body);
  EXPECT_EQ("非常满意", body.value("label", ""));
  EXPECT_EQ(id, body.value("case_id", ""));
  EXPECT_TRUE(body["rectification_id"].is_null());
  EXPECT_EQ(json::array({"办事效率"}), body["indicators"]);
  EXPECT_EQ(409, post(R"({"level": 4})").status);
}

INSTANTIATE_TEST_SUITE_P(Backends, RatingsTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::cases
