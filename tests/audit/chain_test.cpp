// The audit trail's integrity: the append-only guards, the hash chain, its check and the export.
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "core/digest.h"
#include "support/test_store.h"

namespace yiwang::audit {
namespace {

using nlohmann::json;

constexpr core::Millis kT0 = 1795311000000;  // 2026-11-22T09:30:00+08:00

identity::Principal official(identity::Role role) {
  identity::Principal p;
  p.user_id = "u-" + std::string(identity::to_string(role));
  p.username = p.user_id;
  p.kind = identity::Kind::official;
  p.dept_id = "zwfw";
  p.roles = {role};
  return p;
}

class ChainTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = yiwang::testing::make_store(GetParam());
    auto all = events::migrations();
    auto mine = migrations();
    all.insert(all.end(), mine.begin(), mine.end());
    Status migrated = store::migrate(*store_, all);
    ASSERT_TRUE(migrated) << migrated.error().message_en;
    sealer_ = std::make_unique<Sealer>(*store_);
  }

  std::int64_t append(std::string type, std::string subject, std::string after = "") {
    auto seq = store_->write([&](store::Tx& tx) -> Result<std::int64_t> {
      return events::append(tx, clock_,
                            {.type = std::move(type),
                             .subject_type = "case",
                             .subject_id = std::move(subject),
                             .actor = {"u-1", "clerk", "scjg"},
                             .reason = "依法受理",
                             .after_json = std::move(after)});
    });
    EXPECT_TRUE(seq) << seq.error().message_en;
    clock_.advance(60'000);
    return seq ? *seq : -1;
  }

  void seal_all() {
    for (;;) {
      auto n = sealer_->poll_once();
      ASSERT_TRUE(n) << n.error().message_en;
      if (*n == 0) return;
    }
  }

  Integrity checked() {
    auto r = check(*store_, clock_);
    EXPECT_TRUE(r) << r.error().message_en;
    return r ? *r : Integrity{};
  }

  // Runs `sql` as someone with write access to the database would, guards dropped first.
  void tamper(const std::string& sql) {
    const bool pg = store_->dialect() == store::Dialect::postgres;
    auto done = store_->write([&](store::Tx& tx) -> Status {
      if (pg) {
        tx.exec_script("ALTER TABLE events DISABLE TRIGGER USER");
        tx.exec_script("ALTER TABLE audit_chain DISABLE TRIGGER USER");
      } else {
        for (const char* t : {"events_no_update", "events_no_delete", "audit_chain_no_update",
                              "audit_chain_no_delete"}) {
          tx.exec_script(std::string("DROP TRIGGER IF EXISTS ") + t);
        }
      }
      tx.exec_script(sql);
      return {};
    });
    ASSERT_TRUE(done) << done.error().message_en;
  }

  std::unique_ptr<store::Store> store_;
  core::ManualClock clock_{kT0};
  std::unique_ptr<Sealer> sealer_;
};

TEST(ChainHash, IsTheDocumentedNetstringDigest) {
  events::Event e;
  e.seq = 7;
  e.at_ms = 1000;
  e.type = "case.accepted";
  e.subject_type = "case";
  e.subject_id = "c1";
  e.actor = {"u-1", "clerk", "scjg"};
  e.reason = "受理";
  const std::string expected = core::sha256_hex(
      std::string(kGenesis) +
      "1:7,4:1000,13:case.accepted,4:case,2:c1,3:u-1,5:clerk,4:scjg,6:受理,0:,0:,0:,");
  EXPECT_EQ(expected, chain_hash(kGenesis, e));
  // Every field is bound: a moved byte between neighbours changes the hash.
  events::Event moved = e;
  moved.subject_type = "cas";
  moved.subject_id = "ec1";
  EXPECT_NE(chain_hash(kGenesis, e), chain_hash(kGenesis, moved));
  EXPECT_NE(chain_hash(kGenesis, e), chain_hash(chain_hash(kGenesis, e), e));
}

TEST_P(ChainTest, TheTrailRefusesChangesAndDeletions) {
  const auto seq = append("case.accepted", "c1");
  // The database refuses them (a store error, as for any statement the schema forbids).
  auto run = [&](const std::string& sql) {
    return store_->write([&](store::Tx& tx) -> Status {
      tx.exec(sql, {seq});
      return {};
    });
  };
  EXPECT_ANY_THROW(run("UPDATE events SET reason = 'x' WHERE seq = ?"));
  EXPECT_ANY_THROW(run("DELETE FROM events WHERE seq = ?"));
  seal_all();
  EXPECT_ANY_THROW(run("UPDATE audit_chain SET hash = 'x' WHERE seq = ?"));
  EXPECT_ANY_THROW(run("DELETE FROM audit_chain WHERE seq = ?"));
  auto after = checked();
  EXPECT_TRUE(after.verified);
  EXPECT_EQ(1, after.events);
}

TEST_P(ChainTest, ASealedTrailVerifiesAndReportsItsHead) {
  auto empty = checked();
  EXPECT_TRUE(empty.verified);
  EXPECT_EQ(0, empty.events);
  EXPECT_EQ(std::string(kGenesis), empty.head);
  EXPECT_FALSE(empty.oldest_at);

  for (int i = 0; i < 1205; ++i) append("case.accepted", "c" + std::to_string(i), "{\"n\":1}");
  auto before_sealing = checked();
  EXPECT_TRUE(before_sealing.verified);
  EXPECT_EQ(0, before_sealing.events);
  EXPECT_EQ(1205, before_sealing.unsealed);

  seal_all();
  auto sealed = checked();
  EXPECT_TRUE(sealed.verified) << sealed.problem;
  EXPECT_EQ(1205, sealed.events);  // more than one page of the walk
  EXPECT_EQ(0, sealed.unsealed);
  EXPECT_EQ(kT0, sealed.oldest_at.value_or(0));
  auto last = store_->read([&](store::Tx& tx) -> Result<std::string> {
    return tx.query_one("SELECT hash FROM audit_chain ORDER BY seq DESC LIMIT 1")->text(0);
  });
  EXPECT_EQ(*last, sealed.head);
}

// The head goes to the ledger as an audit.anchored event: when the interval has passed and
// something besides the last anchor was sealed, never before, and an idle trail stops anchoring.
TEST_P(ChainTest, TheHeadIsAnchoredWhenDueAndOnlyThen) {
  constexpr core::Millis kEvery = 10 * 60'000;
  EXPECT_EQ(std::nullopt, anchor(*store_, clock_, kEvery).value());  // nothing sealed yet
  append("case.accepted", "c1");
  append("case.granted", "c1");
  seal_all();
  auto first = anchor(*store_, clock_, kEvery);
  ASSERT_TRUE(first && *first) << (first ? "" : first.error().message_en);
  auto e = store_->read([&](store::Tx& tx) -> Result<events::Event> {
    events::Filter f;
    f.type_prefix = "audit.anchored";
    return events::list(tx, f).at(0);
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(**first, e->seq);
  EXPECT_EQ("system", e->actor.role);
  auto data = nlohmann::json::parse(e->data_json);
  EXPECT_EQ(2, data.value("sealed_through", 0));
  EXPECT_EQ(checked().head, data.value("chain_head", ""));
  EXPECT_EQ("2", e->subject_id);

  // Not again before the interval, however much is sealed meanwhile.
  append("case.completed", "c1");
  seal_all();
  clock_.advance(kEvery - 4 * 60'000);
  EXPECT_EQ(std::nullopt, anchor(*store_, clock_, kEvery).value());
  clock_.advance(4 * 60'000);
  auto second = anchor(*store_, clock_, kEvery);
  ASSERT_TRUE(second && *second);
  // Idle: the anchor itself sealed, nothing else, and no third anchor however long one waits.
  seal_all();
  clock_.advance(10 * kEvery);
  EXPECT_EQ(std::nullopt, anchor(*store_, clock_, kEvery).value());
  EXPECT_TRUE(checked().verified);
}

TEST_P(ChainTest, AChangedEventIsFoundWhereItWasChanged) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 5; ++i) seqs.push_back(append("case.accepted", "c" + std::to_string(i)));
  seal_all();
  tamper("UPDATE events SET reason = '不予受理' WHERE seq = " + std::to_string(seqs[2]));
  auto r = checked();
  EXPECT_FALSE(r.verified);
  EXPECT_EQ(seqs[2], r.broken_at.value_or(-1));
  EXPECT_EQ(seqs[1], r.sealed_through);

  ASSERT_TRUE(report_broken(*store_, clock_, r));
  auto alarms = store_->read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
    events::Filter f;
    f.type_prefix = "audit.chain_broken";
    return events::list(tx, f);
  });
  ASSERT_EQ(1u, alarms->size());
  EXPECT_EQ(seqs[2], json::parse(alarms->front().data_json).at("broken_at"));
}

TEST_P(ChainTest, ADeletedEventOrSealIsFound) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 4; ++i) seqs.push_back(append("case.accepted", "c" + std::to_string(i)));
  seal_all();
  tamper("DELETE FROM events WHERE seq = " + std::to_string(seqs[1]));
  EXPECT_EQ(seqs[1], checked().broken_at.value_or(-1));
}

TEST_P(ChainTest, AResealedChainDoesNotMatchTheEventsItSkipped) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 4; ++i) seqs.push_back(append("case.accepted", "c" + std::to_string(i)));
  seal_all();
  // Removing an event and its seal leaves the next seal chained to the removed one.
  tamper("DELETE FROM events WHERE seq = " + std::to_string(seqs[1]) +
         "; DELETE FROM audit_chain WHERE seq = " + std::to_string(seqs[1]));
  EXPECT_EQ(seqs[2], checked().broken_at.value_or(-1));
  // An event slipped in among sealed ones has no seal.
  tamper(
      "INSERT INTO events (seq, at_ms, type, subject_type, subject_id, actor_user_id, "
      "actor_role, actor_dept_id, reason, before_json, after_json, data_json) VALUES (" +
      std::to_string(seqs[1]) + ", 1, 'x', 'case', 'c', '', 'system', '', '', '', '', '')");
  EXPECT_EQ(seqs[1], checked().broken_at.value_or(-1));
}

// The export carries each event's raw fields and the chain around it, so an outside auditor
// recomputes every hash with nothing but SHA-256 (here: a reimplementation from the document).
TEST_P(ChainTest, AnExportVerifiesOnItsOwnAndATamperedLineDoesNot) {
  for (int i = 0; i < 6; ++i) append("case.accepted", "c" + std::to_string(i), "{\"法\":\"依法\"}");
  clock_.advance(3 * core::kDayMs);
  for (int i = 0; i < 3; ++i) append("case.completed", "d" + std::to_string(i));
  seal_all();

  EXPECT_FALSE(
      export_range(*store_, clock_, kT0, kT0 + core::kDayMs, official(identity::Role::admin)));
  EXPECT_FALSE(export_range(*store_, clock_, kT0, kT0 + core::kDayMs,
                            official(identity::Role::security_admin)));
  EXPECT_FALSE(export_range(*store_, clock_, kT0, kT0 - 1, official(identity::Role::auditor)));

  // Only the second batch: the first line's prev is the seal of the last event before it.
  auto out = export_range(*store_, clock_, kT0 + 2 * core::kDayMs, kT0 + 5 * core::kDayMs,
                          official(identity::Role::auditor));
  ASSERT_TRUE(out) << out.error().message_en;
  EXPECT_EQ(3, out->count);

  auto verify = [](const std::string& ndjson) {
    std::istringstream in(ndjson);
    std::string line, prev;
    int lines = 0;
    while (std::getline(in, line)) {
      json j = json::parse(line);
      if (!prev.empty() && j.at("prev") != prev) return false;
      std::string input = j.at("prev").get<std::string>();
      auto add = [&](const std::string& f) { input += std::to_string(f.size()) + ":" + f + ","; };
      add(std::to_string(j.at("seq").get<std::int64_t>()));
      add(std::to_string(j.at("at_ms").get<std::int64_t>()));
      for (const char* f : {"type", "subject_type", "subject_id"}) add(j.at(f));
      for (const char* f : {"user_id", "role", "dept_id"}) add(j.at("actor").at(f));
      for (const char* f : {"reason", "before_json", "after_json", "data_json"}) add(j.at(f));
      if (core::sha256_hex(input) != j.at("chain")) return false;
      prev = j.at("chain");
      ++lines;
    }
    return lines > 0;
  };
  EXPECT_TRUE(verify(out->ndjson));
  std::string tampered = out->ndjson;
  tampered.replace(tampered.find("d1"), 2, "d9");
  EXPECT_FALSE(verify(tampered));

  seal_all();  // the record of that export too
  auto all = export_range(*store_, clock_, kT0 - core::kDayMs, kT0 + 5 * core::kDayMs,
                          official(identity::Role::auditor));
  ASSERT_TRUE(all);
  EXPECT_EQ(10, all->count);  // nine events, and the record of the first export
  EXPECT_TRUE(verify(all->ndjson));
  EXPECT_NE(std::string::npos, all->ndjson.find("\"audit.exported\""));
}

// An event recorded with an earlier time than its neighbours (the demo back-dates its history)
// stays in the export between them: the chain in a file has no holes.
TEST_P(ChainTest, AnExportIsOneUnbrokenStretchOfTheChain) {
  append("case.accepted", "a");
  clock_.advance(-10 * core::kDayMs);
  append("case.accepted", "back-dated");
  clock_.advance(10 * core::kDayMs);
  append("case.accepted", "b");
  seal_all();
  auto out =
      export_range(*store_, clock_, kT0, kT0 + core::kDayMs, official(identity::Role::auditor));
  ASSERT_TRUE(out) << out.error().message_en;
  EXPECT_EQ(3, out->count);
  EXPECT_NE(std::string::npos, out->ndjson.find("back-dated"));
  // A stretch too long for one answer is refused, naming the end of the range to move.
  auto too_long = export_range(*store_, clock_, kT0, kT0 + core::kDayMs,
                               official(identity::Role::auditor), /*max_events=*/2);
  ASSERT_FALSE(too_long);
  EXPECT_EQ("/to", too_long.error().field);
  auto none = export_range(*store_, clock_, kT0 + 30 * core::kDayMs, kT0 + 31 * core::kDayMs,
                           official(identity::Role::auditor));
  ASSERT_TRUE(none);
  EXPECT_EQ(0, none->count);
  EXPECT_EQ("", none->ndjson);
}

INSTANTIATE_TEST_SUITE_P(Backends, ChainTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::audit
