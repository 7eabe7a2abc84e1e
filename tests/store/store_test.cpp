// The store contract, on every backend: round trips and types, rollback on Error and exception,
// constraint violations, group commit isolation, migrations, snapshots, retries and durability.
#include <atomic>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "support/prerequisites.h"
#include "support/test_store.h"

namespace {

using namespace yiwang;
using store::Params;
using store::Rows;
using store::Tx;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = yiwang::testing::make_store(GetParam());
    ASSERT_TRUE(store_->write_tx([](Tx& tx) -> Status {
      tx.exec_script(
          "CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT, score REAL, n BIGINT);"
          "CREATE TABLE tags (note_id BIGINT NOT NULL REFERENCES notes(id), tag TEXT NOT NULL,"
          " CHECK (tag <> ''));");
      return {};
    }));
  }

  std::int64_t count(const std::string& table = "notes") {
    auto n = store_->read([&](Tx& tx) -> Result<std::int64_t> {
      return tx.query_one("SELECT COUNT(*) FROM " + table)->int64(0);
    });
    EXPECT_TRUE(n);
    return n ? *n : -1;
  }

  Status insert(std::int64_t id, const std::string& body) {
    return store_->write_tx([&](Tx& tx) -> Status {
      tx.exec("INSERT INTO notes (id, body) VALUES (?, ?)", {id, body});
      return {};
    });
  }

  std::unique_ptr<store::Store> store_;
};

TEST_P(StoreTest, DialectMatchesBackend) {
  EXPECT_EQ(GetParam() == "sqlite" ? store::Dialect::sqlite : store::Dialect::postgres,
            store_->dialect());
  ASSERT_TRUE(store_->read_tx([&](Tx& tx) -> Status {
    EXPECT_EQ(store_->dialect(), tx.dialect());
    return {};
  }));
}

TEST_P(StoreTest, CrudRoundTrip) {
  ASSERT_TRUE(insert(1, "first"));
  ASSERT_TRUE(insert(2, "second"));
  auto changed = store_->write([](Tx& tx) -> Result<std::int64_t> {
    return tx.exec("UPDATE notes SET body = ? WHERE id >= ?",
                   {std::string("edited"), std::int64_t{1}});
  });
  ASSERT_TRUE(changed);
  EXPECT_EQ(2, *changed);
  auto rows = store_->read(
      [](Tx& tx) -> Result<Rows> { return tx.query("SELECT id, body FROM notes ORDER BY id"); });
  ASSERT_TRUE(rows);
  ASSERT_EQ(2u, rows->size());
  EXPECT_EQ(1, (*rows)[0].int64(0));
  EXPECT_EQ("edited", (*rows)[1].text(1));
  auto deleted = store_->write([](Tx& tx) -> Result<std::int64_t> {
    return tx.exec("DELETE FROM notes WHERE id = ?", {std::int64_t{1}});
  });
  ASSERT_TRUE(deleted);
  EXPECT_EQ(1, *deleted);
  EXPECT_EQ(1, count());
  auto none = store_->read([](Tx& tx) -> Result<bool> {
    return tx.query_one("SELECT id FROM notes WHERE id = ?", {std::int64_t{1}}).has_value();
  });
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_P(StoreTest, NullsAndTypesRoundTrip) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  const std::string text = "政务 'quoted' \"double\" ? $1 \\ end";
  ASSERT_TRUE(store_->write_tx([&](Tx& tx) -> Status {
    tx.exec("INSERT INTO notes (id, body, score, n) VALUES (?, ?, ?, ?)", {big, text, 0.1, small});
    tx.exec("INSERT INTO notes (id, body, score, n) VALUES (?, ?, ?, ?)",
            {std::int64_t{2}, nullptr, nullptr, nullptr});
    return {};
  }));
  ASSERT_TRUE(store_->read_tx([&](Tx& tx) -> Status {
    auto r = tx.query_one("SELECT id, body, score, n FROM notes WHERE id = ?", {big});
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(4u, r->size());
    EXPECT_EQ(big, r->int64(0));
    EXPECT_EQ(text, r->text(1));
    EXPECT_DOUBLE_EQ(0.1, r->real(2));
    EXPECT_EQ(small, r->int64(3));
    EXPECT_EQ(std::to_string(big), r->text(0));
    EXPECT_EQ(std::optional<std::string>(text), r->opt_text(1));
    EXPECT_FALSE(r->is_null(1));

    auto n = tx.query_one("SELECT id, body, score, n FROM notes WHERE id = ?", {std::int64_t{2}});
    EXPECT_TRUE(n);
    if (!n) return {};
    EXPECT_TRUE(n->is_null(1));
    EXPECT_TRUE(n->is_null(2));
    EXPECT_TRUE(n->is_null(3));
    EXPECT_EQ("", n->text(1));
    EXPECT_EQ(0.0, n->real(2));
    EXPECT_EQ(0, n->int64(3));
    EXPECT_EQ(std::nullopt, n->opt_text(1));
    EXPECT_EQ(std::nullopt, n->opt_int64(3));

    // A NULL parameter has no type in PostgreSQL; where the context gives none, CAST it.
    auto nulls = tx.query_one(
        "SELECT COUNT(*) FROM notes WHERE body IS NULL AND CAST(? AS TEXT) IS NULL", {nullptr});
    EXPECT_EQ(1, nulls->int64(0));
    auto sum = tx.query_one("SELECT SUM(id - ?) FROM notes WHERE id = ?",
                            {std::int64_t{1}, std::int64_t{2}});
    EXPECT_EQ(1, sum->int64(0));
    return {};
  }));
}

TEST_P(StoreTest, QuestionMarksInsideQuotesAndCommentsAreNotPlaceholders) {
  auto r = store_->read([](Tx& tx) -> Result<store::Row> {
    return *tx.query_one(
        "SELECT '?' AS a, ? AS b, 'it''s ?' AS c /* ? */, \"x?\".v FROM (SELECT 1 AS v) AS \"x?\" "
        "-- ?\n WHERE 1 = ?",
        {std::string("p"), std::int64_t{1}});
  });
  ASSERT_TRUE(r);
  EXPECT_EQ("?", r->text(0));
  EXPECT_EQ("p", r->text(1));
  EXPECT_EQ("it's ?", r->text(2));
  EXPECT_EQ(1, r->int64(3));
}

TEST_P(StoreTest, ErrorFromClosureRollsBackItsWork) {
  auto s = store_->write_tx([](Tx& tx) -> Status {
    tx.exec("INSERT INTO notes (id, body) VALUES (?, ?)", {std::int64_t{1}, std::string("x")});
    return fail(ErrorCode::invalid_input, "/body", "无效", "invalid");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(ErrorCode::invalid_input, s.error().code);
  EXPECT_EQ("/body", s.error().field);
  EXPECT_EQ(0, count());
  // The store remains usable.
  ASSERT_TRUE(insert(1, "x"));
  EXPECT_EQ(1, count());
}

TEST_P(StoreTest, ExceptionRollsBackAndIsRethrown) {
  EXPECT_THROW(store_->write_tx([](Tx& tx) -> Status {
    tx.exec("INSERT INTO notes (id, body) VALUES (?, ?)", {std::int64_t{1}, std::string("x")});
    throw std::logic_error("bug");
  }),
               std::logic_error);
  EXPECT_EQ(0, count());
  EXPECT_THROW(store_->write_tx([](Tx& tx) -> Status {
    tx.exec("INSERT INTO no_such_table VALUES (1)");
    return {};
  }),
               store::StoreError);
  EXPECT_THROW(store_->read_tx([](Tx& tx) -> Status { throw std::runtime_error("read bug"); }),
               std::runtime_error);
  ASSERT_TRUE(insert(1, "x"));
  EXPECT_EQ(1, count());
}

TEST_P(StoreTest, ConstraintViolationBecomesConflict) {
  ASSERT_TRUE(insert(1, "x"));
  auto dup = insert(1, "again");
  ASSERT_FALSE(dup);
  EXPECT_EQ(ErrorCode::conflict, dup.error().code);
  EXPECT_FALSE(dup.error().message_zh.empty());

  auto fk = store_->write_tx([](Tx& tx) -> Status {
    tx.exec("INSERT INTO tags (note_id, tag) VALUES (?, ?)", {std::int64_t{99}, std::string("t")});
    return {};
  });
  ASSERT_FALSE(fk);
  EXPECT_EQ(ErrorCode::conflict, fk.error().code);

  auto check = store_->write_tx([](Tx& tx) -> Status {
    tx.exec("INSERT INTO tags (note_id, tag) VALUES (?, ?)", {std::int64_t{1}, std::string()});
    return {};
  });
  ASSERT_FALSE(check);
  EXPECT_EQ(ErrorCode::conflict, check.error().code);
  EXPECT_EQ(0, count("tags"));
  EXPECT_EQ(1, count());
}

TEST_P(StoreTest, CaughtConstraintViolationLeavesTransactionUsable) {
  ASSERT_TRUE(insert(1, "x"));
  bool caught = false;
  ASSERT_TRUE(store_->write_tx([&](Tx& tx) -> Status {
    caught = false;
    tx.exec("INSERT INTO notes (id, body) VALUES (?, ?)", {std::int64_t{2}, std::string("before")});
    try {
      tx.exec("INSERT INTO notes (id, body) VALUES (?, ?)", {std::int64_t{1}, std::string("dup")});
    } catch (const store::ConstraintViolation&) {
      caught = true;
      tx.exec("UPDATE notes SET body = ? WHERE id = ?", {std::string("upserted"), std::int64_t{1}});
    }
    return {};
  }));
  EXPECT_TRUE(caught);
  auto rows = store_->read(
      [](Tx& tx) -> Result<Rows> { return tx.query("SELECT id, body FROM notes ORDER BY id"); });
  ASSERT_TRUE(rows);
  ASSERT_EQ(2u, rows->size());
  EXPECT_EQ("upserted", (*rows)[0].text(1));
  EXPECT_EQ("before", (*rows)[1].text(1));
}

TEST_P(StoreTest, ReadTransactionsCannotWrite) {
  EXPECT_THROW(store_->read_tx([](Tx& tx) -> Status {
    tx.exec("INSERT INTO notes (id, body) VALUES (1, 'x')");
    return {};
  }),
               store::StoreError);
  EXPECT_EQ(0, count());
}

// Many threads write at once; in SQLite they share batches. Failing closures (Error or
// exception) must not take their batch neighbours down with them.
TEST_P(StoreTest, ConcurrentWritersFailIndependently) {
  constexpr int kThreads = 8, kPerThread = 60;
  std::atomic<int> ok{0}, errors{0}, thrown{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::int64_t id = t * 1000 + i;
        try {
          auto s = store_->write_tx([&](Tx& tx) -> Status {
            tx.exec("INSERT INTO notes (id, body) VALUES (?, ?)", {id, std::string("v")});
            tx.exec("INSERT INTO tags (note_id, tag) VALUES (?, ?)", {id, std::string("t")});
            if (id % 7 == 3) return fail(ErrorCode::conflict, "", "失败", "refused");
            if (id % 11 == 5) throw std::runtime_error("closure failed");
            return {};
          });
          (s ? ok : errors)++;
        } catch (const std::runtime_error&) {
          thrown++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  int expect_errors = 0, expect_thrown = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::int64_t id = t * 1000 + i;
      if (id % 7 == 3) {
        expect_errors++;
      } else if (id % 11 == 5) {
        expect_thrown++;
      }
    }
  }
  EXPECT_EQ(expect_errors, errors.load());
  EXPECT_EQ(expect_thrown, thrown.load());
  EXPECT_EQ(kThreads * kPerThread - expect_errors - expect_thrown, ok.load());
  EXPECT_EQ(ok.load(), count());
  EXPECT_EQ(ok.load(), count("tags"));
  auto wrong = store_->read([](Tx& tx) -> Result<std::int64_t> {
    return tx.query_one("SELECT COUNT(*) FROM notes WHERE id % 7 = 3 OR (id % 11 = 5)")->int64(0);
  });
  ASSERT_TRUE(wrong);
  EXPECT_EQ(0, *wrong);
}

// Read-modify-write from many threads: PostgreSQL retries serialization failures, SQLite
// serializes writers; either way no increment is lost.
TEST_P(StoreTest, ConcurrentIncrementsAreNotLost) {
  ASSERT_TRUE(store_->write_tx([](Tx& tx) -> Status {
    tx.exec("INSERT INTO notes (id, n) VALUES (1, 0)");
    return {};
  }));
  constexpr int kThreads = 4, kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto s = store_->write_tx([](Tx& tx) -> Status {
          auto n = tx.query_one("SELECT n FROM notes WHERE id = 1")->int64(0);
          tx.exec("UPDATE notes SET n = ? WHERE id = 1", {n + 1});
          return {};
        });
        if (!s) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(0, failures.load());
  auto n = store_->read([](Tx& tx) -> Result<std::int64_t> {
    return tx.query_one("SELECT n FROM notes WHERE id = 1")->int64(0);
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(kThreads * kPerThread, *n);
}

TEST_P(StoreTest, ReadSeesOneSnapshot) {
  ASSERT_TRUE(insert(1, "x"));
  std::int64_t before = -1, after = -1;
  ASSERT_TRUE(store_->read_tx([&](Tx& tx) -> Status {
    before = tx.query_one("SELECT COUNT(*) FROM notes")->int64(0);
    // Committed by another connection while this snapshot is open.
    EXPECT_TRUE(insert(2, "y"));
    after = tx.query_one("SELECT COUNT(*) FROM notes")->int64(0);
    return {};
  }));
  EXPECT_EQ(1, before);
  EXPECT_EQ(1, after);
  EXPECT_EQ(2, count());
}

TEST_P(StoreTest, TypedConveniencesCarryValuesAndErrors) {
  auto id = store_->write([](Tx& tx) -> Result<std::string> {
    tx.exec("INSERT INTO notes (id, body) VALUES (7, 'seven')");
    return std::string("seven");
  });
  ASSERT_TRUE(id);
  EXPECT_EQ("seven", *id);
  auto missing = store_->read([](Tx& tx) -> Result<std::string> {
    auto r = tx.query_one("SELECT body FROM notes WHERE id = 8");
    if (!r) return fail(ErrorCode::not_found, "", "未找到", "not found");
    return r->text(0);
  });
  ASSERT_FALSE(missing);
  EXPECT_EQ(ErrorCode::not_found, missing.error().code);
  auto done = store_->write([](Tx& tx) -> Status {
    tx.exec("DELETE FROM notes");
    return {};
  });
  EXPECT_TRUE(done);
  EXPECT_EQ(0, count());
}

std::vector<store::Migration> sample_migrations() {
  // Deliberately out of order: the runner sorts by version within a module, modules as given.
  return {
      {"beta", 1, "init", "CREATE TABLE beta_things (id BIGINT PRIMARY KEY, alpha_id BIGINT)", "",
       ""},
      {"alpha", 2, "seed", "INSERT INTO alpha_things (id, label) VALUES (1, 'common')",
       "INSERT INTO alpha_things (id, label) VALUES (1, 'sqlite')",
       "INSERT INTO alpha_things (id, label) VALUES (1, 'postgres')"},
      {"alpha", 1, "init", "CREATE TABLE alpha_things (id BIGINT PRIMARY KEY, label TEXT)", "", ""},
  };
}

TEST_P(StoreTest, MigrationsApplyOnceInOrder) {
  auto migrations = sample_migrations();
  ASSERT_TRUE(store::migrate(*store_, migrations));
  // Running again must not re-run the non-idempotent statements above.
  ASSERT_TRUE(store::migrate(*store_, migrations));
  auto rows = store_->read([](Tx& tx) -> Result<Rows> {
    return tx.query(
        "SELECT module, version, name, applied_at FROM schema_migrations ORDER BY module, version");
  });
  ASSERT_TRUE(rows);
  ASSERT_EQ(3u, rows->size());
  EXPECT_EQ("alpha", (*rows)[0].text(0));
  EXPECT_EQ(1, (*rows)[0].int64(1));
  EXPECT_EQ("init", (*rows)[0].text(2));
  EXPECT_GT((*rows)[0].int64(3), 1600000000000);
  EXPECT_EQ("seed", (*rows)[1].text(2));
  EXPECT_EQ("beta", (*rows)[2].text(0));
  auto label = store_->read([](Tx& tx) -> Result<std::string> {
    return tx.query_one("SELECT label FROM alpha_things WHERE id = 1")->text(0);
  });
  ASSERT_TRUE(label);
  EXPECT_EQ(GetParam(), *label);

  // A later migration is picked up by a later run.
  migrations.push_back({"beta", 2, "more", "ALTER TABLE beta_things ADD COLUMN note TEXT", "", ""});
  ASSERT_TRUE(store::migrate(*store_, migrations));
  EXPECT_EQ(4, count("schema_migrations"));
  EXPECT_EQ(0, count("beta_things"));
}

TEST_P(StoreTest, FailingMigrationIsNotRecorded) {
  std::vector<store::Migration> bad = {
      {"gamma", 1, "init", "CREATE TABLE gamma (id BIGINT PRIMARY KEY)", "", ""},
      {"gamma", 2, "broken", "CREATE TABLE gamma (id BIGINT PRIMARY KEY)", "", ""},
  };
  EXPECT_THROW((void)store::migrate(*store_, bad), store::StoreError);
  EXPECT_EQ(1, count("schema_migrations"));
}

// The data key's fingerprint is recorded once; another key is refused. Every transaction is lent
// the store's key, and one without is a bug that says so.
TEST_P(StoreTest, TheDataKeyIsBoundOnceAndLentToEveryTransaction) {
  EXPECT_EQ(std::nullopt, store::bound_key(*store_, "data").value());
  ASSERT_TRUE(store::bind_key(*store_, "data", "aaaa"));
  EXPECT_EQ("aaaa", store::bound_key(*store_, "data").value());
  EXPECT_TRUE(store::bind_key(*store_, "data", "aaaa"));
  auto other = store::bind_key(*store_, "data", "bbbb");
  ASSERT_FALSE(other);
  EXPECT_EQ(ErrorCode::conflict, other.error().code);
  EXPECT_NE(std::string::npos, other.error().message_en.find("aaaa"));
  EXPECT_EQ("aaaa", store::bound_key(*store_, "data").value());

  ASSERT_NE(nullptr, store_->cipher());  // testing::make_store gives each store a key
  auto st = store_->read_tx([&](Tx& tx) -> Status {
    EXPECT_EQ(store_->cipher(), &tx.cipher());
    return {};
  });
  EXPECT_TRUE(st);
}

TEST(SqliteStore, ATransactionOfAStoreWithoutADataKeySaysSo) {
  store::SqliteOptions options;
  options.path = yiwang::testing::temp_dir() + "/keyless.db";
  auto s = store::open_sqlite(options);
  EXPECT_THROW((void)s->write_tx([](Tx& tx) -> Status {
    (void)tx.cipher();
    return {};
  }),
               std::logic_error);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

// Acknowledged writes survive closing and reopening the SQLite file.
TEST(SqliteStore, ReopenedFileHoldsEveryAcknowledgedRow) {
  const std::string path = yiwang::testing::temp_dir() + "/durable.db";
  std::atomic<int> acknowledged{0};
  {
    store::SqliteOptions options;
    options.path = path;
    options.max_batch = 16;
    auto s = store::open_sqlite(options);
    ASSERT_TRUE(s->write_tx([](Tx& tx) -> Status {
      tx.exec_script("CREATE TABLE acks (id BIGINT PRIMARY KEY)");
      return {};
    }));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          auto st = s->write_tx([&](Tx& tx) -> Status {
            tx.exec("INSERT INTO acks (id) VALUES (?)", {std::int64_t{t * 1000 + i}});
            return {};
          });
          if (st) acknowledged++;
        }
      });
    }
    for (auto& th : threads) th.join();
    auto settings = s->write([](Tx& tx) -> Result<std::string> {
      return tx.query_one("PRAGMA journal_mode")->text(0) + "/" +
             tx.query_one("PRAGMA synchronous")->text(0) + "/" +
             tx.query_one("PRAGMA foreign_keys")->text(0);
    });
    ASSERT_TRUE(settings);
    EXPECT_EQ("wal/2/1", *settings);  // synchronous=FULL is 2
  }
  EXPECT_EQ(400, acknowledged.load());
  store::SqliteOptions options;
  options.path = path;
  auto reopened = store::open_sqlite(options);
  auto rows = reopened->read([](Tx& tx) -> Result<std::int64_t> {
    return tx.query_one("SELECT COUNT(*) FROM acks")->int64(0);
  });
  ASSERT_TRUE(rows);
  EXPECT_EQ(acknowledged.load(), *rows);
}

TEST(SqliteStore, NestedWriteIsReportedNotDeadlocked) {
  auto s = yiwang::testing::make_store("sqlite");
  EXPECT_THROW(
      s->write_tx([&](Tx&) -> Status { return s->write_tx([](Tx&) -> Status { return {}; }); }),
      store::StoreError);
}

TEST(TestSupport, TempDirsAreFreshAndSourceDirIsFound) {
  auto a = yiwang::testing::temp_dir(), b = yiwang::testing::temp_dir();
  EXPECT_NE(a, b);
  EXPECT_EQ(0u, a.rfind("/tmp/", 0));
  EXPECT_NO_THROW(yiwang::testing::source_dir());
  EXPECT_FALSE(yiwang::testing::backends().empty());
  EXPECT_EQ("sqlite", yiwang::testing::backends().front());
}

// PostgreSQL is never left out quietly: without the test cluster its instances fail, unless a
// local run allows skipping (YIWANG_TESTS_MAY_SKIP=1).
TEST(TestSupport, BothBackendsAreTestedUnlessSkippingIsAllowed) {
  if (yiwang::testing::may_skip_missing_prerequisites()) {
    GTEST_SKIP() << "YIWANG_TESTS_MAY_SKIP=1: PostgreSQL may be left out";
  }
  EXPECT_EQ((std::vector<std::string>{"sqlite", "postgres"}), yiwang::testing::backends());
}

}  // namespace
