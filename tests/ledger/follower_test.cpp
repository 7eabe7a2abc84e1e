#include <chrono>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "events/events.h"
#include "ledger/ledger.h"
#include "support/test_store.h"

namespace yiwang::ledger {
namespace {

using Json = nlohmann::json;

constexpr core::Millis kT0 = 1795311000000;  // 2026-11-22T09:30:00+08:00
constexpr const char* kIdNumber = "110105194912310029";
constexpr const char* kName = "张三丰";
constexpr const char* kPhone = "13905250000";
constexpr const char* kOfficial = "u-approver-42";

class FollowerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = yiwang::testing::make_store(GetParam());
    auto all = events::migrations();
    auto mine = migrations();
    all.insert(all.end(), mine.begin(), mine.end());
    auto migrated = store::migrate(*store_, all);
    ASSERT_TRUE(migrated) << migrated.error().message_en;
    options_.key_file = yiwang::testing::temp_dir() + "/ledger.key";
    log_ = std::make_unique<Log>(*store_, clock_, options_);
    // The app resolves parties from the owning module; here a table of case applicants.
    follower_ = std::make_unique<Follower>(
        *log_, *store_, [this](store::Tx&, const events::Event& e) -> std::optional<std::string> {
          auto it = parties_.find(e.subject_id);
          if (e.subject_type != "case" || it == parties_.end()) return std::nullopt;
          return it->second;
        });
    parties_["C-1"] = std::string("111:") + kIdNumber;
  }

  // A case event carrying personal data where a careless module might put it.
  events::NewEvent case_event(std::string type, std::string id, Json data = Json::object()) {
    events::NewEvent e;
    e.type = std::move(type);
    e.subject_type = "case";
    e.subject_id = std::move(id);
    e.actor = {kOfficial, "approver", "d-scjg"};
    e.reason = std::string("申请人 ") + kName + " 材料齐全";
    e.before_json = Json{{"state", "in_review"}}.dump();
    e.after_json = Json{{"id", e.subject_id},    {"item_code", "11350100MB0001-001"},
                        {"item_version", 3},     {"state", "granted"},
                        {"decision", "granted"}, {"applicant_name", kName}}
                       .dump();
    data["applicant"] = {{"name", kName}, {"id_number", kIdNumber}, {"phone", kPhone}};
    data["id_number"] = kIdNumber;
    e.data_json = data.dump();
    return e;
  }

  std::int64_t emit(const events::NewEvent& e) {
    clock_.advance(1000);
    auto seq = store_->write(
        [&](store::Tx& tx) -> Result<std::int64_t> { return events::append(tx, clock_, e); });
    EXPECT_TRUE(seq) << seq.error().message_en;
    return seq ? *seq : -1;
  }

  std::vector<std::string> all_entries() {
    auto rows = store_->read([&](store::Tx& tx) -> Result<std::vector<std::string>> {
      std::vector<std::string> out;
      for (const auto& r : tx.query("SELECT data FROM ledger_entries ORDER BY idx")) {
        out.push_back(r.text(0));
      }
      return out;
    });
    EXPECT_TRUE(rows);
    return rows ? *rows : std::vector<std::string>{};
  }

  std::unique_ptr<store::Store> store_;
  core::ManualClock clock_{kT0};
  Options options_;
  std::map<std::string, std::string> parties_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<Follower> follower_;
};

TEST(GovernmentActs, ListedTypesOnly) {
  for (const char* t :
       {"case.accepted", "case.not_accepted", "case.granted", "case.denied", "case.completed",
        "case.instantly_approved", "item.published", "item.activated", "item.deactivated",
        "certificate.issued", "certificate.revoked", "certificate.suspended",
        "certificate.reinstated", "certificate.used", "grant.created", "grant.revoked",
        "appeal.replied", "grid.case_closed", "consultation.concluded", "audit.anchored"}) {
    EXPECT_TRUE(is_government_act(t)) << t;
  }
  for (const char* t :
       {"case.submitted", "case.rated", "user.locked", "case.withdrawn", "", "case"}) {
    EXPECT_FALSE(is_government_act(t)) << t;
  }
}

TEST(PublicEntry, CanonicalAndWithoutPersonalData) {
  events::Event e;
  e.seq = 42;
  e.at_ms = kT0;
  e.type = "case.instantly_approved";
  e.subject_type = "case";
  e.subject_id = "C-9";
  e.actor = {"u-system", "system", ""};
  e.reason = "秒批：符合全部规则";
  e.after_json = R"({"item_code":"X-1","item_version":2,"state":"completed"})";
  e.data_json = Json{{"rule", "X-1@v2"},
                     {"name", kName},
                     {"outcomes",
                      {{{"id", "age"}, {"passed", true}, {"detail", kIdNumber}},
                       {{"id", "residence"}, {"passed", false}, {"description_zh", kName}}}}}
                    .dump();
  auto text = public_entry(e, "");
  ASSERT_TRUE(text);
  const Json j = Json::parse(*text);
  EXPECT_EQ(j.dump(), *text);  // sorted keys, compact
  EXPECT_EQ(1, j["v"]);
  EXPECT_EQ("case.instantly_approved", j["act"]);
  EXPECT_EQ("2026-11-22T09:30:00.000+08:00", j["at"]);
  EXPECT_EQ(42, j["event_seq"]);
  EXPECT_EQ((Json{{"type", "case"}, {"id", "C-9"}}), j["subject"]);
  EXPECT_EQ("system", j["role"]);
  EXPECT_FALSE(j.contains("party"));
  EXPECT_EQ("X-1@v2", j["details"]["rule"]);
  EXPECT_EQ("X-1", j["details"]["item_code"]);
  EXPECT_EQ(
      (Json::array({{{"id", "age"}, {"passed", true}}, {{"id", "residence"}, {"passed", false}}})),
      j["details"]["outcomes"]);
  EXPECT_EQ(std::string::npos, text->find(kIdNumber));
  EXPECT_EQ(std::string::npos, text->find(kName));
  EXPECT_EQ(std::string::npos, text->find("u-system"));
  // The decision document hash commits to the opinion: another opinion, another hash.
  auto other = e;
  other.reason = "秒批";
  EXPECT_NE(j["document_sha256"], Json::parse(*public_entry(other, ""))["document_sha256"]);
  EXPECT_EQ(64u, j["document_sha256"].get<std::string>().size());

  e.type = "case.submitted";
  EXPECT_FALSE(public_entry(e, ""));
}

TEST(Commitment, DefinedHash) {
  // SHA-256("yiwang/commitment/v1\n" ‖ "00" ‖ "\n" ‖ "p"), so anyone with the salt can recompute
  // it.
  EXPECT_EQ(64u, commitment_of("00", "p").size());
  EXPECT_NE(commitment_of("00", "p"), commitment_of("01", "p"));
  EXPECT_NE(commitment_of("00", "p"), commitment_of("00", "q"));
  EXPECT_EQ(commitment_of("ab", "111:x"), commitment_of("ab", "111:x"));
}

TEST_P(FollowerTest, LogsActsWithCommitmentsAndNoPersonalData) {
  emit(case_event("case.submitted", "C-1"));  // not an act
  const std::int64_t accepted = emit(case_event("case.accepted", "C-1"));
  const std::int64_t granted = emit(case_event("case.granted", "C-1"));
  events::NewEvent item;
  item.type = "item.published";
  item.subject_type = "item";
  item.subject_id = "11350100MB0001-001";
  item.actor = {"u-admin", "admin", "zwfw"};
  item.data_json = Json{{"code", item.subject_id}, {"version", 3}, {"name", "营业执照"}}.dump();
  emit(item);
  emit(case_event("case.granted", "C-2"));  // no resolvable party

  auto handled = follower_->poll_once();
  ASSERT_TRUE(handled) << handled.error().message_en;
  EXPECT_EQ(5, *handled);
  EXPECT_EQ(0, follower_->lag());

  const auto entries = all_entries();
  ASSERT_EQ(4u, entries.size());
  for (const auto& e : entries) {
    EXPECT_EQ(std::string::npos, e.find(kIdNumber)) << e;
    EXPECT_EQ(std::string::npos, e.find(kName)) << e;
    EXPECT_EQ(std::string::npos, e.find(kPhone)) << e;
    EXPECT_EQ(std::string::npos, e.find(kOfficial)) << e;
    EXPECT_EQ(std::string::npos, e.find("u-admin")) << e;
  }

  auto acts = follower_->acts_of("case", "C-1");
  ASSERT_EQ(2u, acts.size());
  EXPECT_EQ("case.accepted", acts[0].act);
  EXPECT_EQ(accepted, acts[0].event_seq);
  EXPECT_EQ("case.granted", acts[1].act);
  EXPECT_EQ(granted, acts[1].event_seq);

  auto receipt = follower_->receipt("case", "C-1");
  ASSERT_TRUE(receipt) << receipt.error().message_en;
  EXPECT_EQ(std::string("111:") + kIdNumber, receipt->party);
  EXPECT_EQ(32u, receipt->salt_hex.size());
  EXPECT_EQ(commitment_of(receipt->salt_hex, receipt->party), receipt->commitment);
  for (const auto& a : acts) {
    const Json entry = Json::parse(entries[static_cast<std::size_t>(a.index)]);
    EXPECT_EQ(receipt->commitment, entry["party"]);  // one salt opens every entry of the case
    EXPECT_EQ(a.act, entry["act"]);
    EXPECT_EQ("d-scjg", entry["dept"]);
    EXPECT_EQ("approver", entry["role"]);
    EXPECT_EQ("11350100MB0001-001", entry["details"]["item_code"]);
    EXPECT_EQ(leaf_hash(entries[static_cast<std::size_t>(a.index)]), a.leaf_hash);
  }
  auto other = follower_->receipt("case", "C-2");
  ASSERT_TRUE(other);
  EXPECT_EQ("", other->salt_hex);
  EXPECT_FALSE(
      Json::parse(entries[static_cast<std::size_t>(other->acts.at(0).index)]).contains("party"));
  EXPECT_EQ(ErrorCode::not_found, follower_->receipt("case", "C-404").error().code);

  // The private commitments table holds the party's keyed index and the party sealed, never the
  // id number; a row an older version kept in the clear is converted once and reads back.
  auto stored = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          std::string all;
          for (const auto& row : tx.query("SELECT party || party_sealed FROM ledger_commitments")) {
            all += row.text(0);
          }
          return all;
        })
        .value();
  };
  EXPECT_EQ(std::string::npos, stored().find(kIdNumber)) << stored();
  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE ledger_commitments SET party = ?, party_sealed = '' WHERE subject_id = 'C-1'",
            {std::string("111:") + kIdNumber});
    return {};
  }));
  EXPECT_EQ(1, seal_at_rest(*store_).value());
  EXPECT_EQ(0, seal_at_rest(*store_).value());
  EXPECT_EQ(std::string::npos, stored().find(kIdNumber));
  EXPECT_EQ(receipt->party, follower_->receipt("case", "C-1")->party);

  auto items = follower_->acts_of("item", "11350100MB0001-001");
  ASSERT_EQ(1u, items.size());
  const Json published = Json::parse(entries[static_cast<std::size_t>(items[0].index)]);
  EXPECT_EQ(3, published["details"]["version"]);
  EXPECT_FALSE(published.contains("party"));

  // Integrated acts verify against the checkpoint like any entry.
  ASSERT_TRUE(log_->integrate());
  auto cp = log_->checkpoint();
  ASSERT_TRUE(cp);
  auto proof = log_->inclusion(acts[1].index, cp->checkpoint.size);
  ASSERT_TRUE(proof);
  EXPECT_TRUE(verify_inclusion(acts[1].leaf_hash, acts[1].index, cp->checkpoint.size, *proof,
                               cp->checkpoint.root));
}

TEST_P(FollowerTest, RepollingIsExactlyOnce) {
  for (int i = 0; i < 5; ++i) emit(case_event("case.accepted", "C-1"));
  int total = 0;
  for (int round = 0; round < 10; ++round) {
    auto handled = follower_->poll_once(2);
    ASSERT_TRUE(handled);
    total += *handled;
  }
  EXPECT_EQ(5, total);
  // A second follower instance (a restarted process) resumes from the stored cursor.
  follower_ = std::make_unique<Follower>(*log_, *store_, nullptr);
  auto again = follower_->poll_once();
  ASSERT_TRUE(again);
  EXPECT_EQ(0, *again);
  EXPECT_EQ(5u, all_entries().size());
  EXPECT_EQ(5u, follower_->acts_of("case", "C-1").size());
  // One salt per subject and party, however many acts.
  auto salts = store_->read([&](store::Tx& tx) -> Result<std::int64_t> {
    return tx.query_one("SELECT COUNT(*) FROM ledger_commitments")->int64(0);
  });
  EXPECT_EQ(1, *salts);
}

TEST_P(FollowerTest, SequencerFollowsAndCheckpoints) {
  emit(case_event("case.accepted", "C-1"));
  emit(case_event("case.granted", "C-1"));
  {
    Sequencer sequencer(*log_, follower_.get(), std::chrono::milliseconds(10));
    // Bounded wait for the background thread; the assertion is on the outcome, not the time.
    for (int i = 0; i < 1000 && !(log_->checkpoint() && log_->checkpoint()->checkpoint.size == 2);
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  auto cp = log_->checkpoint();
  ASSERT_TRUE(cp);
  EXPECT_EQ(2, cp->checkpoint.size);
  EXPECT_EQ(0, follower_->lag());
  EXPECT_TRUE(log_->self_check());
}

TEST_P(FollowerTest, SequencerStopsPromptlyWithALongInterval) {
  emit(case_event("case.accepted", "C-1"));
  // Destruction wakes the sequencer instead of waiting out the interval (an hour): had it waited,
  // this scope would not end (ctest's timeout reports it). No clock is read here: how fast it
  // stops is not this test's business.
  { Sequencer sequencer(*log_, follower_.get(), std::chrono::hours(1)); }
  // It stopped without running a round, which comes only after the first interval: the event is
  // still unfollowed and nothing was signed.
  EXPECT_EQ(1, follower_->lag());
  EXPECT_TRUE(all_entries().empty());
  EXPECT_FALSE(log_->checkpoint());
}

INSTANTIATE_TEST_SUITE_P(Backends, FollowerTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::ledger
