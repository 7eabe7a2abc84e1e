#include "events/events.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace yiwang::events {
namespace {

constexpr core::Millis kT0 = 1795311000000;  // 2026-11-22T09:30:00+08:00

NewEvent make_event(std::string type, std::string subject_type, std::string subject_id,
                    std::string actor = "u-clerk") {
  NewEvent e;
  e.type = std::move(type);
  e.subject_type = std::move(subject_type);
  e.subject_id = std::move(subject_id);
  e.actor = {std::move(actor), "clerk", "d-001"};
  return e;
}

class EventsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = yiwang::testing::make_store(GetParam());
    Status migrated = store::migrate(*store_, migrations());
    ASSERT_TRUE(migrated) << migrated.error().message_en;
  }

  std::int64_t append_one(const NewEvent& e) {
    auto seq =
        store_->write([&](store::Tx& tx) -> Result<std::int64_t> { return append(tx, clock_, e); });
    EXPECT_TRUE(seq) << seq.error().message_en;
    return seq ? *seq : -1;
  }

  std::vector<Event> list_all(const Filter& f) {
    auto r = store_->read([&](store::Tx& tx) -> Result<std::vector<Event>> { return list(tx, f); });
    EXPECT_TRUE(r) << r.error().message_en;
    return r ? *r : std::vector<Event>{};
  }

  std::int64_t last() {
    auto r = store_->read([&](store::Tx& tx) -> Result<std::int64_t> { return last_seq(tx); });
    EXPECT_TRUE(r);
    return r ? *r : -1;
  }

  std::vector<std::int64_t> seqs_of(const Filter& f) {
    std::vector<std::int64_t> out;
    for (const auto& e : list_all(f)) out.push_back(e.seq);
    return out;
  }

  // A table a follower's handler writes to: the primary key turns a second delivery into an error.
  void create_log_table() {
    auto s = store_->write_tx([](store::Tx& tx) -> Status {
      tx.exec_script(
          "CREATE TABLE follower_log (follower TEXT NOT NULL, seq BIGINT NOT NULL, "
          "PRIMARY KEY (follower, seq))");
      return {};
    });
    ASSERT_TRUE(s) << s.error().message_en;
  }

  std::vector<std::int64_t> logged(const std::string& follower) {
    auto r = store_->read([&](store::Tx& tx) -> Result<std::vector<std::int64_t>> {
      std::vector<std::int64_t> out;
      for (const auto& row :
           tx.query("SELECT seq FROM follower_log WHERE follower = ? ORDER BY seq", {follower})) {
        out.push_back(row.int64(0));
      }
      return out;
    });
    EXPECT_TRUE(r);
    return r ? *r : std::vector<std::int64_t>{};
  }

  static Follower::Handler logging_handler(std::string follower) {
    return [follower](store::Tx& tx, const Event& e) -> Status {
      tx.exec("INSERT INTO follower_log (follower, seq) VALUES (?, ?)", {follower, e.seq});
      return {};
    };
  }

  core::ManualClock clock_{kT0};
  std::unique_ptr<store::Store> store_;
};

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> out;
  for (auto i = from; i <= to; ++i) out.push_back(i);
  return out;
}

TEST_P(EventsTest, AppendRoundTripsEveryField) {
  EXPECT_EQ(0, last());
  NewEvent e = make_event("case.accepted", "case", "c-1", "u-7");
  e.actor.role = "reviewer";
  e.actor.dept_id = "d-市场监管";
  e.reason = "材料齐全，予以受理";
  e.before_json = R"({"state":"submitted"})";
  e.after_json = R"({"state":"accepted","note":"引号\"与反斜杠\\"})";
  e.data_json = "{}";
  EXPECT_EQ(1, append_one(e));
  clock_.advance(1500);
  EXPECT_EQ(2, append_one(make_event("user.locked", "user", "u-9", "")));

  auto all = list_all({});
  ASSERT_EQ(2u, all.size());
  const Event& a = all[0];
  EXPECT_EQ(1, a.seq);
  EXPECT_EQ(kT0, a.at_ms);
  EXPECT_EQ("case.accepted", a.type);
  EXPECT_EQ("case", a.subject_type);
  EXPECT_EQ("c-1", a.subject_id);
  EXPECT_EQ("u-7", a.actor.user_id);
  EXPECT_EQ("reviewer", a.actor.role);
  EXPECT_EQ("d-市场监管", a.actor.dept_id);
  EXPECT_EQ(e.reason, a.reason);
  EXPECT_EQ(e.before_json, a.before_json);
  EXPECT_EQ(e.after_json, a.after_json);
  EXPECT_EQ("{}", a.data_json);
  const Event& b = all[1];
  EXPECT_EQ(2, b.seq);
  EXPECT_EQ(kT0 + 1500, b.at_ms);
  EXPECT_EQ("", b.actor.user_id);
  EXPECT_EQ("", b.reason);
  EXPECT_EQ("", b.before_json);
  EXPECT_EQ(2, last());
}

TEST_P(EventsTest, SeveralAppendsInOneTransactionAreConsecutive) {
  auto seqs = store_->write([&](store::Tx& tx) -> Result<std::vector<std::int64_t>> {
    std::vector<std::int64_t> out;
    for (int i = 0; i < 3; ++i)
      out.push_back(append(tx, clock_, make_event("item.published", "item", "i")));
    EXPECT_EQ(3, last_seq(tx));  // the transaction sees its own appends
    return out;
  });
  ASSERT_TRUE(seqs);
  EXPECT_EQ(range(1, 3), *seqs);
}

TEST_P(EventsTest, FiltersCombineAndOrderBySeq) {
  append_one(make_event("case.accepted", "case", "c-1", "u-1"));    // 1
  append_one(make_event("case.decided", "case", "c-2", "u-2"));     // 2
  append_one(make_event("cases.reindexed", "case", "c-1", "u-1"));  // 3: not under "case."
  append_one(make_event("casex", "case", "c-1", "u-2"));            // 4
  append_one(make_event("item.published", "item", "c-1", "u-1"));   // 5: same id, other type
  append_one(make_event("案件.受理", "case", "c-3", "u-3"));        // 6
  append_one(make_event("案件受理", "case", "c-3", "u-3"));         // 7
  append_one(make_event("case.completed", "case", "c-1", "u-2"));   // 8

  Filter f;
  EXPECT_EQ(range(1, 8), seqs_of(f));
  f.subject_type = "case";
  EXPECT_EQ((std::vector<std::int64_t>{1, 2, 3, 4, 6, 7, 8}), seqs_of(f));
  f.subject_id = "c-1";
  EXPECT_EQ((std::vector<std::int64_t>{1, 3, 4, 8}), seqs_of(f));
  f.type_prefix = "case.";
  EXPECT_EQ((std::vector<std::int64_t>{1, 8}), seqs_of(f));
  f.actor_user_id = "u-2";
  EXPECT_EQ((std::vector<std::int64_t>{8}), seqs_of(f));

  Filter by_type;
  by_type.type_prefix = "case.";
  EXPECT_EQ((std::vector<std::int64_t>{1, 2, 8}), seqs_of(by_type));
  by_type.type_prefix = "case";
  EXPECT_EQ((std::vector<std::int64_t>{1, 2, 3, 4, 8}), seqs_of(by_type));
  by_type.type_prefix = "case.decided";
  EXPECT_EQ((std::vector<std::int64_t>{2}), seqs_of(by_type));
  by_type.type_prefix = "CASE.";  // prefixes are case-sensitive on both backends
  EXPECT_EQ((std::vector<std::int64_t>{}), seqs_of(by_type));
  by_type.type_prefix = "案件.";  // non-ASCII prefix
  EXPECT_EQ((std::vector<std::int64_t>{6}), seqs_of(by_type));
  by_type.type_prefix = "案件";
  EXPECT_EQ((std::vector<std::int64_t>{6, 7}), seqs_of(by_type));

  Filter by_actor;
  by_actor.actor_user_id = "u-1";
  EXPECT_EQ((std::vector<std::int64_t>{1, 3, 5}), seqs_of(by_actor));

  Filter page;
  page.after_seq = 2;
  page.limit = 3;
  EXPECT_EQ((std::vector<std::int64_t>{3, 4, 5}), seqs_of(page));
  page.after_seq = 5;
  EXPECT_EQ((std::vector<std::int64_t>{6, 7, 8}), seqs_of(page));
  page.after_seq = 8;
  EXPECT_EQ((std::vector<std::int64_t>{}), seqs_of(page));
  page.after_seq = 0;
  page.limit = 0;  // clamped up to one
  EXPECT_EQ((std::vector<std::int64_t>{1}), seqs_of(page));
}

TEST_P(EventsTest, LimitIsCappedAtOneThousand) {
  auto s = store_->write_tx([&](store::Tx& tx) -> Status {
    for (int i = 0; i < 1005; ++i) append(tx, clock_, make_event("item.viewed", "item", "i-1"));
    return {};
  });
  ASSERT_TRUE(s);
  Filter f;
  f.limit = 5000;
  auto all = list_all(f);
  ASSERT_EQ(1000u, all.size());
  EXPECT_EQ(1, all.front().seq);
  EXPECT_EQ(1000, all.back().seq);
  EXPECT_EQ(1005, last());
}

TEST_P(EventsTest, RolledBackTransactionLeavesNoEvent) {
  append_one(make_event("case.accepted", "case", "c-1"));
  auto failed = store_->write_tx([&](store::Tx& tx) -> Status {
    EXPECT_EQ(2, append(tx, clock_, make_event("case.decided", "case", "c-1")));
    return fail(ErrorCode::conflict, "", "状态已变化", "state changed");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(ErrorCode::conflict, failed.error().code);
  EXPECT_THROW(store_->write_tx([&](store::Tx& tx) -> Status {
    append(tx, clock_, make_event("case.decided", "case", "c-1"));
    throw std::logic_error("bug");
  }),
               std::logic_error);
  EXPECT_EQ(1, last());
  EXPECT_EQ(range(1, 1), seqs_of({}));
  // SQLite hands the seq out again; PostgreSQL's sequence leaves a gap (see events.cpp).
  const std::int64_t next = append_one(make_event("case.decided", "case", "c-1"));
  if (GetParam() == "sqlite") {
    EXPECT_EQ(2, next);
  } else {
    EXPECT_GT(next, 1);
  }
  EXPECT_EQ(next, last());
}

// Concurrent appenders get distinct, gap-free seqs, and a reader never sees seq N without every
// smaller seq (the header's visibility promise).
TEST_P(EventsTest, ConcurrentAppendersKeepSeqStrictlyIncreasingAndVisibleInOrder) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 60;
  std::vector<std::vector<std::int64_t>> got(kThreads);
  std::atomic<int> done{0};
  // (max seq, row count) as seen by concurrent read snapshots, checked once the seqs are known.
  std::vector<std::pair<std::int64_t, std::int64_t>> snapshots;
  std::mutex failure_mutex;
  std::string failure;

  std::thread reader([&] {
    while (done.load() < kThreads) {
      auto r = store_->read([&](store::Tx& tx) -> Result<std::pair<std::int64_t, std::int64_t>> {
        return std::pair{last_seq(tx), tx.query_one("SELECT COUNT(*) FROM events")->int64(0)};
      });
      if (r) snapshots.push_back(*r);
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto seq = store_->write([&](store::Tx& tx) -> Result<std::int64_t> {
          return append(tx, clock_, make_event("case.touched", "case", "c-" + std::to_string(t)));
        });
        if (seq) {
          got[t].push_back(*seq);
        } else {
          std::lock_guard lock(failure_mutex);
          failure = seq.error().message_en;
        }
      }
      ++done;
    });
  }
  for (auto& w : writers) w.join();
  reader.join();

  std::set<std::int64_t> all;
  for (const auto& mine : got) {
    ASSERT_EQ(static_cast<std::size_t>(kPerThread), mine.size()) << failure;
    for (std::size_t i = 1; i < mine.size(); ++i) EXPECT_LT(mine[i - 1], mine[i]);
    all.insert(mine.begin(), mine.end());
  }
  ASSERT_EQ(static_cast<std::size_t>(kThreads * kPerThread), all.size());
  if (GetParam() == "sqlite") {  // PostgreSQL may leave gaps where a transaction was retried
    EXPECT_EQ(1, *all.begin());
    EXPECT_EQ(kThreads * kPerThread, *all.rbegin());
  }
  // A snapshot that sees seq N sees every committed event below N.
  EXPECT_FALSE(snapshots.empty());
  for (const auto& [max_seq, count] : snapshots) {
    auto below = std::distance(all.begin(), all.upper_bound(max_seq));
    ASSERT_EQ(below, count) << "snapshot saw seq " << max_seq << " but only " << count << " rows";
  }

  Filter f;
  f.limit = 1000;
  auto listed = list_all(f);
  ASSERT_EQ(all.size(), listed.size());
  auto expected = all.begin();
  for (const auto& e : listed) EXPECT_EQ(*expected++, e.seq);
}

TEST_P(EventsTest, FollowerResumesFromItsStoredPositionExactlyOnce) {
  create_log_table();
  for (int i = 0; i < 5; ++i) append_one(make_event("case.accepted", "case", "c"));
  {
    Follower f(*store_, "ledger", logging_handler("ledger"));
    EXPECT_EQ(0, f.position());
    EXPECT_EQ(5, f.lag());
    auto n = f.poll_once(2);
    ASSERT_TRUE(n) << n.error().message_en;
    EXPECT_EQ(2, *n);
    EXPECT_EQ(2, f.position());
    EXPECT_EQ(3, f.lag());
  }
  // A new instance (a restart) continues where the old one stopped.
  Follower again(*store_, "ledger", logging_handler("ledger"));
  EXPECT_EQ(2, again.position());
  auto n = again.poll_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(3, *n);
  EXPECT_EQ(5, again.position());
  EXPECT_EQ(0, again.lag());
  n = again.poll_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(0, *n);

  append_one(make_event("case.decided", "case", "c"));
  append_one(make_event("case.completed", "case", "c"));
  EXPECT_EQ(2, again.lag());
  n = again.poll_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(2, *n);
  EXPECT_EQ(range(1, 7), logged("ledger"));

  // Followers are independent: another name starts from the beginning.
  Follower cockpit(*store_, "cockpit", logging_handler("cockpit"));
  EXPECT_EQ(7, cockpit.lag());
  n = cockpit.poll_once(0);
  ASSERT_TRUE(n);
  EXPECT_EQ(0, *n);
  EXPECT_EQ(7, cockpit.lag());
  EXPECT_EQ(7, again.position());
}

TEST_P(EventsTest, FailingHandlerLeavesCursorAndItsWritesUnchanged) {
  create_log_table();
  for (int i = 0; i < 5; ++i) append_one(make_event("case.accepted", "case", "c"));
  auto broken = std::make_shared<std::atomic<bool>>(true);
  auto handler = [broken](store::Tx& tx, const Event& e) -> Status {
    tx.exec("INSERT INTO follower_log (follower, seq) VALUES (?, ?)", {std::string("n"), e.seq});
    if (*broken && e.seq == 4) return fail(ErrorCode::internal, "", "通知发送失败", "send failed");
    return {};
  };
  Follower f(*store_, "notifications", handler);
  auto n = f.poll_once(2);
  ASSERT_TRUE(n);
  EXPECT_EQ(2, *n);

  n = f.poll_once();
  ASSERT_FALSE(n);
  EXPECT_EQ("send failed", n.error().message_en);
  EXPECT_EQ(2, f.position());
  EXPECT_EQ(3, f.lag());
  EXPECT_EQ(range(1, 2), logged("n"));  // the write for seq 3 was rolled back with the batch

  n = f.poll_once();
  ASSERT_FALSE(n);
  EXPECT_EQ(2, f.position());

  *broken = false;
  n = f.poll_once();
  ASSERT_TRUE(n) << n.error().message_en;
  EXPECT_EQ(3, *n);
  EXPECT_EQ(5, f.position());
  EXPECT_EQ(range(1, 5), logged("n"));
}

// Two instances of the same follower (say, two processes) polling at once still handle each event
// exactly once: the cursor row serialises them.
TEST_P(EventsTest, TwoInstancesOfOneFollowerShareTheWork) {
  create_log_table();
  constexpr int kEvents = 120;
  auto s = store_->write_tx([&](store::Tx& tx) -> Status {
    for (int i = 0; i < kEvents; ++i) append(tx, clock_, make_event("case.accepted", "case", "c"));
    return {};
  });
  ASSERT_TRUE(s);
  std::atomic<int> errors{0};
  auto run = [&] {
    Follower f(*store_, "audit", logging_handler("audit"));
    for (int round = 0; round < 1000 && f.lag() > 0; ++round) {
      if (!f.poll_once(7)) ++errors;
    }
  };
  std::thread a(run), b(run);
  a.join();
  b.join();
  EXPECT_EQ(0, errors.load());
  EXPECT_EQ(range(1, kEvents), logged("audit"));
  EXPECT_EQ(kEvents, Follower(*store_, "audit", logging_handler("audit")).position());
}

INSTANTIATE_TEST_SUITE_P(Backends, EventsTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::events
