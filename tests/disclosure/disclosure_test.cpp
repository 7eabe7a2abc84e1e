// Publication review on both backends: what the redaction holds waits for an official of the
// owning department, who publishes an edited text or keeps it withheld; public surfaces show
// exactly what was decided on exactly the text it was decided on. Also the pure rules.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/digest.h"
#include "disclosure/disclosure.h"
#include "events/events.h"
#include "http/http.h"
#include "privacy/redact.h"
#include "support/platform.h"
#include "support/router_client.h"
#include "support/test_store.h"

namespace yiwang::disclosure {
namespace {

using identity::Role;

// A text the redaction holds (a seven-digit number it cannot classify) and one it makes safe.
constexpr const char* kHeld = "请回电 1234567 找我，幸福小区路灯不亮";
constexpr const char* kSafe = "幸福小区路灯不亮，电话 13812345678";

TEST(DisclosureRules, WhatAPublicSurfaceShows) {
  const ShownMap none;
  EXPECT_EQ("幸福小区路灯不亮，电话 [电话]", public_text(kSafe, {}, none, "GE1"));
  EXPECT_EQ(privacy::kWithheld, public_text(kHeld, {}, none, "GE1"));
  const ShownMap shown{{"GE1", Shown{core::sha256_hex(kHeld), "幸福小区路灯不亮"}}};
  EXPECT_EQ("幸福小区路灯不亮", public_text(kHeld, {}, shown, "GE1"));
  // Published for another subject, or for another text of this one: still withheld.
  EXPECT_EQ(privacy::kWithheld, public_text(kHeld, {}, shown, "GE2"));
  EXPECT_EQ(privacy::kWithheld, public_text("请回电 1234567 或来访", {}, shown, "GE1"));
  // A text the redaction makes safe never needs the review.
  EXPECT_EQ("幸福小区路灯不亮，电话 [电话]", public_text(kSafe, {}, shown, "GE1"));
}

TEST(DisclosureRules, OnlyTheDepartmentsWorkingOfficialsReview) {
  auto official = [](std::set<Role> roles, std::string dept) {
    identity::Principal p;
    p.kind = identity::Kind::official;
    p.roles = std::move(roles);
    p.dept_id = std::move(dept);
    return p;
  };
  for (Role r : {Role::clerk, Role::reviewer, Role::approver}) {
    EXPECT_TRUE(may_review(official({r}, "zjj"), "zjj")) << to_string(r);
    auto other = may_review(official({r}, "gaj"), "zjj");
    ASSERT_FALSE(other);
    EXPECT_EQ(ErrorCode::not_found, other.error().code);  // it may not learn the review exists
  }
  for (Role r : {Role::supervisor, Role::admin, Role::security_admin, Role::auditor}) {
    auto st = may_review(official({r}, "zjj"), "zjj");
    ASSERT_FALSE(st) << to_string(r);
    EXPECT_EQ(ErrorCode::forbidden, st.error().code);
  }
  identity::Principal citizen;
  citizen.kind = identity::Kind::citizen;
  EXPECT_EQ(ErrorCode::forbidden, may_review(citizen, "").error().code);
}

TEST(DisclosureRules, NamesAreStable) {
  for (auto s : {Surface::appeal_title, Surface::appeal_text, Surface::appeal_reply,
                 Surface::grid_event_description, Surface::open311_address,
                 Surface::consultation_comment_text, Surface::consultation_comment_reason}) {
    EXPECT_EQ(s, parse_surface(to_string(s)));
  }
  EXPECT_EQ("grid_event.description", to_string(Surface::grid_event_description));
  EXPECT_FALSE(parse_surface("appeal"));
  EXPECT_EQ(State::withheld, parse_state("withheld"));
  EXPECT_FALSE(parse_state("Pending"));
}

class DisclosureTest : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open({migrations()}, yiwang::testing::at(2026, 3, 2)));
    department("zjj", "住建局");
    department("gaj", "公安局");
    zjj_ = official("zjj.clerk", "zjj", {Role::clerk});
    gaj_ = official("gaj.clerk", "gaj", {Role::clerk});
    supervisor_ = official("jiancha", "zjj", {Role::supervisor});
    service_ = std::make_unique<Service>(*store_, clock_);
  }

  bool hold_text(const std::string& subject, const std::string& text,
                 Surface surface = Surface::appeal_text) {
    return store_
        ->write([&](store::Tx& tx) -> Result<bool> {
          return hold(tx, clock_, {surface, subject, "zjj"}, text, {"王小明"});
        })
        .value();
  }

  ShownMap shown_of(const std::string& subject, Surface surface = Surface::appeal_text) {
    return store_
        ->read([&](store::Tx& tx) -> Result<ShownMap> { return shown(tx, surface, {subject}); })
        .value();
  }

  std::vector<Review> pending(const identity::Principal& who) {
    auto l = service_->list(State::pending, 50, 0, who);
    EXPECT_TRUE(l) << l.error().message_en;
    return l ? l->reviews : std::vector<Review>{};
  }

  std::int64_t last_seq() {
    return store_->read([](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); })
        .value();
  }

  static Decision publish(std::string text, std::optional<std::int64_t> revision = {}) {
    return {Decision::Kind::publish, std::move(text), "", revision};
  }

  identity::Principal zjj_, gaj_, supervisor_;
  std::unique_ptr<Service> service_;
};

TEST_P(DisclosureTest, AHeldTextWaitsForTheDepartmentAndIsPublishedAsEdited) {
  EXPECT_FALSE(hold_text("AP1", kSafe));  // nothing to review
  EXPECT_TRUE(hold_text("AP2", std::string("王小明说：") + kHeld));
  auto queue = pending(zjj_);
  ASSERT_EQ(1u, queue.size());
  const Review r = queue[0];
  EXPECT_EQ(Surface::appeal_text, r.surface);
  EXPECT_EQ("AP2", r.subject_id);
  EXPECT_EQ("zjj", r.dept_id);
  // The draft is what the redaction could do: the known name replaced, the number left for the
  // official to judge.
  EXPECT_EQ(std::string("[姓名]说：") + kHeld, r.draft);
  EXPECT_EQ((std::vector<std::string>{"name", "unclassified_number"}), r.kinds);
  EXPECT_TRUE(pending(gaj_).empty());  // another department sees none of it
  // The same text again changes nothing (no second review, no event).
  const auto seq = last_seq();
  EXPECT_TRUE(hold_text("AP2", std::string("王小明说：") + kHeld));
  EXPECT_EQ(seq, last_seq());

  // The draft is sealed at rest.
  auto raw = store_->read([](store::Tx& tx) -> Result<std::string> {
    return tx.query_one("SELECT draft FROM disclosure_reviews")->text(0);
  });
  EXPECT_EQ(std::string::npos, raw->find("1234567"));

  // Published as edited: numbers and names the redaction knows are replaced in the edit too.
  auto d = service_->decide(
      r.id, publish("请回电 [电话] 找我，幸福小区路灯不亮。联系 13912345678", r.revision), zjj_);
  ASSERT_TRUE(d) << d.error().message_en;
  EXPECT_EQ(State::published, d->state);
  EXPECT_EQ("请回电 [电话] 找我，幸福小区路灯不亮。联系 [电话]", d->published_text);
  EXPECT_EQ(zjj_.user_id, d->decided_by);
  EXPECT_EQ(r.revision + 1, d->revision);
  EXPECT_EQ(d->published_text,
            public_text(std::string("王小明说：") + kHeld, {"王小明"}, shown_of("AP2"), "AP2"));
  EXPECT_TRUE(pending(zjj_).empty());
  auto decided = store_->read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
    return events::of_subject(tx, "disclosure_review", r.id);
  });
  ASSERT_EQ(2u, decided->size());
  EXPECT_EQ("disclosure.held", (*decided)[0].type);
  EXPECT_EQ("disclosure.published", (*decided)[1].type);
  EXPECT_EQ(zjj_.user_id, (*decided)[1].actor.user_id);

  // The text changes (a new reply): the decision is void, the review pending again.
  EXPECT_TRUE(hold_text("AP2", "请回电 1234567 或来访"));
  queue = pending(zjj_);
  ASSERT_EQ(1u, queue.size());
  EXPECT_EQ(r.id, queue[0].id);
  EXPECT_EQ(r.revision + 2, queue[0].revision);
  EXPECT_TRUE(queue[0].published_text.empty());
  EXPECT_EQ(privacy::kWithheld, public_text("请回电 1234567 或来访", {}, shown_of("AP2"), "AP2"));
  // A text the redaction makes safe drops the review.
  EXPECT_FALSE(hold_text("AP2", kSafe));
  EXPECT_TRUE(pending(zjj_).empty());
}

TEST_P(DisclosureTest, WithholdNeedsAReasonAndAStaleDecisionIsRefused) {
  ASSERT_TRUE(hold_text("GE1", kHeld, Surface::grid_event_description));
  const Review r = pending(zjj_).at(0);
  const auto seq = last_seq();
  auto no_reason = service_->decide(r.id, {Decision::Kind::withhold, "", "", {}}, zjj_);
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(ErrorCode::invalid_input, no_reason.error().code);
  EXPECT_EQ("/reason", no_reason.error().field);
  auto blank = service_->decide(r.id, publish(" \n "), zjj_);
  ASSERT_FALSE(blank);
  EXPECT_EQ("/text", blank.error().field);
  auto too_long = service_->decide(r.id, publish(std::string(5001, 'a')), zjj_);
  ASSERT_FALSE(too_long);
  EXPECT_EQ("/text", too_long.error().field);
  EXPECT_EQ(seq, last_seq());

  auto kept =
      service_->decide(r.id, {Decision::Kind::withhold, "", "含他人联系方式", r.revision}, zjj_);
  ASSERT_TRUE(kept) << kept.error().message_en;
  EXPECT_EQ(State::withheld, kept->state);
  EXPECT_EQ(privacy::kWithheld,
            public_text(kHeld, {}, shown_of("GE1", Surface::grid_event_description), "GE1"));
  auto withheld = service_->list(State::withheld, 50, 0, zjj_);
  ASSERT_EQ(1, withheld->total);
  EXPECT_EQ("含他人联系方式", withheld->reviews[0].reason);

  // Decided on the revision before: refused, nothing changes.
  auto stale = service_->decide(r.id, publish("路灯不亮", r.revision), zjj_);
  ASSERT_FALSE(stale);
  EXPECT_EQ(ErrorCode::conflict, stale.error().code);
  EXPECT_EQ(State::withheld, service_->list(State::withheld, 50, 0, zjj_)->reviews.at(0).state);
  // A later decision may reverse it.
  ASSERT_TRUE(service_->decide(r.id, publish("路灯不亮", kept->revision), zjj_));
  EXPECT_EQ("路灯不亮",
            public_text(kHeld, {}, shown_of("GE1", Surface::grid_event_description), "GE1"));
}

TEST_P(DisclosureTest, OthersCannotReadOrDecide) {
  ASSERT_TRUE(hold_text("AP9", kHeld));
  const Review r = pending(zjj_).at(0);
  EXPECT_EQ(ErrorCode::not_found, service_->may_decide(r.id, gaj_).error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->may_decide(r.id, supervisor_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->may_decide("dr-none", zjj_).error().code);
  EXPECT_TRUE(service_->may_decide(r.id, zjj_));
  EXPECT_EQ(ErrorCode::forbidden, service_->list(State::pending, 50, 0, supervisor_).error().code);
  const auto seq = last_seq();
  auto other = service_->decide(r.id, publish("路灯不亮"), gaj_);
  ASSERT_FALSE(other);
  EXPECT_EQ(ErrorCode::not_found, other.error().code);
  EXPECT_EQ(seq, last_seq());
  EXPECT_EQ(State::pending, pending(zjj_).at(0).state);
}

TEST_P(DisclosureTest, RoutesListAndDecide) {
  http::Router router;
  identity::register_routes(router, *ids_);
  register_routes(router, *service_, *ids_);
  yiwang::testing::RouterClient client(router);
  const std::string zjj = client.login("zjj.clerk", std::string(yiwang::testing::kPassword));
  const std::string gaj = client.login("gaj.clerk", std::string(yiwang::testing::kPassword));
  ASSERT_TRUE(hold_text("AP3", kHeld));

  yiwang::testing::expect_problem(client.call("GET", "/api/v1/disclosure/reviews"), 401);
  yiwang::testing::expect_problem(
      client.call("GET", "/api/v1/disclosure/reviews?state=all", "", zjj), 400, "/state");
  auto list = client.call_json("GET", "/api/v1/disclosure/reviews", nullptr, zjj, 200);
  ASSERT_EQ(1, list["total"]);
  const auto review = list["reviews"][0];
  EXPECT_EQ("appeal.text", review["surface"]);
  EXPECT_EQ("pending", review["state"]);
  EXPECT_TRUE(review["decided_at"].is_null());
  EXPECT_EQ(0, client.call_json("GET", "/api/v1/disclosure/reviews", nullptr, gaj, 200)["total"]);
  const std::string path =
      "/api/v1/disclosure/reviews/" + review["id"].get<std::string>() + "/decision";
  // Another department's official learns nothing, before the body is read.
  yiwang::testing::expect_problem(client.call("POST", path, "not json", gaj), 404);
  yiwang::testing::expect_problem(
      client.call("POST", path, R"({"decision":"publish","text":"x","extra":1})", zjj), 400,
      "/extra");
  yiwang::testing::expect_problem(client.call("POST", path, R"({"decision":"maybe"})", zjj), 400,
                                  "/decision");
  yiwang::testing::expect_problem(
      client.call("POST", path, R"({"decision":"withhold","text":"x","reason":"y"})", zjj), 400,
      "/text");
  auto done = client.call_json(
      "POST", path, {{"decision", "publish"}, {"text", "幸福小区路灯不亮"}, {"revision", 0}}, zjj,
      200);
  EXPECT_EQ("published", done["state"]);
  EXPECT_EQ("幸福小区路灯不亮", done["published_text"]);
  EXPECT_FALSE(done["decided_at"].is_null());
  yiwang::testing::expect_problem(
      client.call("POST", path, R"({"decision":"publish","text":"x","revision":0})", zjj), 409,
      "/revision");
  EXPECT_EQ(1, client.call_json("GET", "/api/v1/disclosure/reviews?state=published", nullptr, zjj,
                                200)["total"]);
}

INSTANTIATE_TEST_SUITE_P(Backends, DisclosureTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::disclosure
