// Notices to the people a matter is about (src/notify): the templates as a table, and the
// follower on both backends — each notice once, to the recipients the resolver names, never to
// whoever acted, and nothing for events that are not a person's news.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "events/events.h"
#include "notify/notify.h"
#include "store/store.h"
#include "support/test_store.h"

namespace yiwang::notify {
namespace {

events::Event event(std::string type, std::string subject_type, std::string id,
                    std::string actor = "") {
  events::Event e;
  e.type = std::move(type);
  e.subject_type = std::move(subject_type);
  e.subject_id = std::move(id);
  e.actor.user_id = std::move(actor);
  return e;
}

TEST(NoticeFor, EveryNewsEventHasBothLanguagesAndTheMattersId) {
  const std::map<std::string, std::string> subject_of = {{"case", "case"},
                                                         {"appeal", "appeal"},
                                                         {"certificate", "certificate"},
                                                         {"grid", "grid_event"}};
  for (const auto& type : notified_types()) {
    const std::string module = type.substr(0, type.find('.'));
    auto n = notice_for(event(type, subject_of.at(module), "X-42"));
    ASSERT_TRUE(n) << type;
    EXPECT_EQ(type, n->kind);
    EXPECT_EQ("X-42", n->subject_id);
    for (const auto* text : {&n->title_zh, &n->body_zh, &n->title_en, &n->body_en}) {
      EXPECT_FALSE(text->empty()) << type;
      EXPECT_EQ(std::string::npos, text->find("{id}")) << type << ": " << *text;
    }
    // Certificates are named by kind, not by their identifier (it says whose they are).
    if (module != "certificate") {
      EXPECT_NE(std::string::npos, n->body_zh.find("X-42")) << type;
      EXPECT_NE(std::string::npos, n->body_en.find("X-42")) << type;
    }
  }
  EXPECT_EQ(27u, notified_types().size());
}

TEST(NoticeFor, StaffStepsReadsAndConfigurationAreNotNews) {
  for (const auto& [type, subject] : std::vector<std::pair<std::string, std::string>>{
           {"case.alert_raised", "case"},
           {"case.step_approved", "case"},
           {"certificate.used", "certificate"},  // told by its own notice, with the cause
           {"certificate.presented", "certificate"},
           {"appeal.classified", "appeal"},
           {"appeal.merged", "appeal"},
           {"grid.component_saved", "grid_component"},
           {"grid.registered", "grid_event"},
           {"user.created", "user"},
           {"case.accepted", "appeal"}}) {  // the type with another subject: not a template
    EXPECT_FALSE(notice_for(event(type, subject, "X"))) << type << " on " << subject;
  }
}

class NotifierTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = yiwang::testing::make_store(GetParam());
    auto st = store::migrate(*store_, events::migrations());
    ASSERT_TRUE(st) << st.error().message_en;
  }

  void append(const events::Event& e) {
    ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
      events::append(tx, clock_,
                     {.type = e.type,
                      .subject_type = e.subject_type,
                      .subject_id = e.subject_id,
                      .actor = e.actor});
      return {};
    }));
  }

  std::unique_ptr<store::Store> store_;
  core::ManualClock clock_{1'772'400'000'000};
};

TEST_P(NotifierTest, EachNoticeOnceToTheConcernedButNotTheActor) {
  std::map<std::string, std::vector<std::string>> concerned = {
      {"YW1", {"u-applicant"}}, {"AP1", {"u-appellant", "u-appellant"}}, {"YW2", {}}};
  std::vector<std::pair<std::string, Notice>> posted;
  Notifier notifier(
      *store_,
      [&](store::Tx&, const events::Event& e) {
        auto it = concerned.find(e.subject_id);
        return it == concerned.end() ? std::vector<std::string>{} : it->second;
      },
      [&](store::Tx&, const std::vector<std::string>& to, const Notice& n) -> Status {
        for (const auto& u : to) posted.emplace_back(u, n);
        return {};
      });
  append(event("case.accepted", "case", "YW1", "u-clerk"));
  append(event("case.step_approved", "case", "YW1", "u-reviewer"));  // not news
  append(event("case.accepted", "case", "YW2", "u-clerk"));          // nobody to tell
  append(event("appeal.replied", "appeal", "AP1", "u-dept"));        // told once
  append(event("appeal.closed", "appeal", "AP1", "u-appellant"));    // their own act
  ASSERT_EQ(5, notifier.poll_once().value());
  EXPECT_EQ(0, notifier.poll_once().value());
  ASSERT_EQ(2u, posted.size());
  EXPECT_EQ("u-applicant", posted[0].first);
  EXPECT_EQ("case.accepted", posted[0].second.kind);
  EXPECT_EQ("申请已受理", posted[0].second.title_zh);
  EXPECT_EQ("u-appellant", posted[1].first);
  EXPECT_EQ("appeal.replied", posted[1].second.kind);

  // A failed delivery leaves the cursor: the next poll delivers the notice, once.
  append(event("case.completed", "case", "YW1", "u-clerk"));
  bool down = true;
  Notifier flaky(
      *store_, [&](store::Tx&, const events::Event&) { return std::vector<std::string>{"u-a"}; },
      [&](store::Tx&, const std::vector<std::string>& to, const Notice& n) -> Status {
        if (down) return fail(ErrorCode::internal, "", "投递失败", "delivery failed");
        for (const auto& u : to) posted.emplace_back(u, n);
        return {};
      });
  EXPECT_FALSE(flaky.poll_once());
  down = false;
  ASSERT_TRUE(flaky.poll_once());
  EXPECT_EQ(0, flaky.poll_once().value());
  std::multiset<std::string> kinds;
  for (std::size_t i = 2; i < posted.size(); ++i) kinds.insert(posted[i].second.kind);
  // The second notifier shares the first's cursor ("notify"): only the new event is read.
  EXPECT_EQ((std::multiset<std::string>{"case.completed"}), kinds);
}

// Started on a database with a past, the notifier tells nobody of that past.
TEST_P(NotifierTest, NewsNotHistory) {
  append(event("case.accepted", "case", "YW-old", "u-clerk"));
  int posts = 0;
  auto make = [&] {
    return std::make_unique<Notifier>(
        *store_, [](store::Tx&, const events::Event&) { return std::vector<std::string>{"u-a"}; },
        [&](store::Tx&, const std::vector<std::string>&, const Notice&) -> Status {
          ++posts;
          return {};
        });
  };
  auto notifier = make();
  EXPECT_EQ(0, notifier->poll_once().value());
  append(event("case.completed", "case", "YW-old", "u-clerk"));
  EXPECT_EQ(1, notifier->poll_once().value());
  EXPECT_EQ(1, posts);
  // A restart keeps its place (nothing skipped, nothing told twice).
  append(event("case.granted", "case", "YW-old", "u-clerk"));
  notifier = make();
  EXPECT_EQ(1, notifier->poll_once().value());
  EXPECT_EQ(2, posts);
}

INSTANTIATE_TEST_SUITE_P(Backends, NotifierTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::notify
