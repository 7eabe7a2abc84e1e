// SQLite backend. One writer connection owned by one thread that group-commits queued closures
// (each in its own SAVEPOINT, one COMMIT per batch, so one fsync serves many callers); a pool of
// reader connections, each read a DEFERRED transaction, which in WAL mode is a stable snapshot.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <deque>
#include <exception>
#include <future>
#include <thread>
#include <unordered_map>

#include "core/thread_annotations.h"

namespace yiwang::store {

namespace {

// Statements reached through dynamically built SQL could grow the cache without bound.
constexpr std::size_t kMaxCachedStatements = 512;

bool is_constraint_violation(int extended) {
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_ROWID:
      return true;
    default:
      return false;
  }
}

Error conflict_error(const std::string& detail) {
  return Error{ErrorCode::conflict, "", "与已有数据冲突",
               "conflicts with existing data (" + detail + ")"};
}

class Connection {
 public:
  Connection(const std::string& path, bool reader) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw StoreError("cannot open SQLite database " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 10000);
    if (!reader) {
      script("PRAGMA journal_mode=WAL");
      // Surface a failure to switch to WAL (e.g. on a filesystem without shared memory).
      auto mode = query("PRAGMA journal_mode", {});
      if (mode.empty() || mode[0].text(0) != "wal") {
        throw StoreError("cannot switch " + path + " to WAL mode");
      }
    }
    // temp_store=MEMORY keeps the savepoint sub-journal in memory. Every write closure runs in
    // its own savepoint, which copies each page it touches to that journal; on disk (the default
    // once it passes 64 KiB) that cost a temporary file per batch and two pwrite calls per page.
    script("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY");
    if (reader) script("PRAGMA query_only=ON");
  }

  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  [[noreturn]] void raise(int rc, std::string_view sql) {
    int extended = sqlite3_extended_errcode(db_);
    std::string msg = sqlite3_errmsg(db_);
    if ((rc & 0xff) == SQLITE_CONSTRAINT && is_constraint_violation(extended)) {
      throw ConstraintViolation(msg);
    }
    throw StoreError("SQLite: " + msg + " [" + std::string(sql.substr(0, 200)) + "]");
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) raise(rc, sql);
    if (!stmt) throw StoreError("SQLite: empty statement");
    if (cache_.size() >= kMaxCachedStatements) {
      for (auto& [s, st] : cache_) sqlite3_finalize(st);
      cache_.clear();
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  // Runs one statement; collects rows when `rows` is given. Returns sqlite3_changes().
  std::int64_t run(std::string_view sql, const Params& params, Rows* rows) {
    sqlite3_stmt* stmt = prepare(sql);
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      throw StoreError("SQLite: statement wants " + std::to_string(expected) + " parameters, got " +
                       std::to_string(params.size()) + " [" + std::string(sql.substr(0, 200)) +
                       "]");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      const Value& v = params[i];
      if (auto p = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *p);
      } else if (auto p = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *p);
      } else if (auto p = std::get_if<std::string>(&v)) {
        // The parameters outlive the step loop; bindings are cleared before returning.
        rc = sqlite3_bind_text64(stmt, idx, p->data(), p->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, idx);
      }
      if (rc != SQLITE_OK) raise(rc, sql);
    }
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) raise(rc, sql);
      if (!rows) continue;
      int n = sqlite3_column_count(stmt);
      std::vector<Value> cells;
      cells.reserve(n);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            cells.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            cells.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_NULL:
            cells.emplace_back(nullptr);
            break;
          default: {
            auto* text = reinterpret_cast<const char*>(sqlite3_column_blob(stmt, c));
            int len = sqlite3_column_bytes(stmt, c);
            cells.emplace_back(std::string(text ? text : "", static_cast<std::size_t>(len)));
          }
        }
      }
      rows->emplace_back(std::move(cells));
    }
    return sqlite3_changes64(db_);
  }

  Rows query(std::string_view sql, const Params& params) {
    Rows rows;
    run(sql, params, &rows);
    return rows;
  }

  void script(std::string_view sql) {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      int extended = sqlite3_extended_errcode(db_);
      if ((rc & 0xff) == SQLITE_CONSTRAINT && is_constraint_violation(extended)) {
        throw ConstraintViolation(msg);
      }
      throw StoreError("SQLite: " + msg);
    }
  }

  // Transaction control through cached statements: cheaper than sqlite3_exec on the hot path.
  void control(const char* sql) { run(sql, {}, nullptr); }

 private:
  sqlite3* db_ = nullptr;
  // Transparent hashing: a lookup by string_view needs no std::string (and no allocation).
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(Connection& conn) : conn_(conn) {}
  Dialect dialect() const override { return Dialect::sqlite; }
  Rows query(std::string_view sql, const Params& params) override {
    return conn_.query(sql, params);
  }
  std::int64_t exec(std::string_view sql, const Params& params) override {
    return conn_.run(sql, params, nullptr);
  }
  void exec_script(std::string_view sql) override { conn_.script(sql); }

 private:
  Connection& conn_;
};

using Fn = std::function<Status(Tx&)>;

struct Job {
  const Fn* fn;
  std::promise<Status> done;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options) : max_batch_(std::max(1, options.max_batch)) {
    if (options.path.empty() || options.path == ":memory:") {
      throw StoreError("SQLite store needs a database file path");
    }
    writer_conn_ = std::make_unique<Connection>(options.path, false);
    checkpoint_conn_ = std::make_unique<Connection>(options.path, false);
    // Checkpoints (which fsync the database file) run on their own thread, so that a COMMIT
    // costs the writer one WAL fsync and nothing more. This replaces SQLite's auto-checkpoint.
    sqlite3_wal_hook(writer_conn_->db(), &SqliteStore::on_wal_commit, this);
    int readers = std::max(1, options.reader_connections);
    for (int i = 0; i < readers; ++i) {
      readers_.push_back(std::make_unique<Connection>(options.path, true));
      free_readers_.push_back(readers_.back().get());
    }
    writer_ = std::thread([this] { writer_loop(); });
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
  }

  ~SqliteStore() override {
    {
      core::MutexLock lock(queue_mutex_);
      stopping_ = true;
    }
    queue_cv_.signal_all();
    writer_.join();
    {
      core::MutexLock lock(checkpoint_mutex_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.signal_all();
    checkpointer_.join();
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  Status read_tx(const Fn& fn) override {
    Connection* conn = acquire_reader();
    struct Release {
      SqliteStore* self;
      Connection* conn;
      ~Release() { self->release_reader(conn); }
    } release{this, conn};
    conn->control("BEGIN DEFERRED");
    SqliteTx tx(*conn);
    lend_cipher(tx);
    Status result;
    try {
      result = fn(tx);
    } catch (const ConstraintViolation& e) {
      end_read(*conn);
      return tl::unexpected<Error>(conflict_error(e.what()));
    } catch (...) {
      end_read(*conn);
      throw;
    }
    end_read(*conn);
    return result;
  }

  Status write_tx(const Fn& fn) override {
    if (std::this_thread::get_id() == writer_.get_id()) {
      // The writer would wait for itself.
      throw StoreError("write_tx called from inside a write transaction");
    }
    Job job{&fn, {}};
    std::future<Status> result = job.done.get_future();
    {
      core::MutexLock lock(queue_mutex_);
      if (stopping_) throw StoreError("SQLite store is shutting down");
      queue_.push_back(&job);
    }
    queue_cv_.signal();
    return result.get();
  }

 private:
  Connection* acquire_reader() EXCLUDES(reader_mutex_) {
    core::MutexLock lock(reader_mutex_);
    while (free_readers_.empty()) reader_cv_.wait(reader_mutex_);
    Connection* c = free_readers_.back();
    free_readers_.pop_back();
    return c;
  }

  void release_reader(Connection* c) EXCLUDES(reader_mutex_) {
    {
      core::MutexLock lock(reader_mutex_);
      free_readers_.push_back(c);
    }
    reader_cv_.signal();
  }

  static void end_read(Connection& conn) {
    if (!sqlite3_get_autocommit(conn.db())) {
      try {
        conn.control("COMMIT");
      } catch (const StoreError&) {
        conn.control("ROLLBACK");
      }
    }
  }

  static int on_wal_commit(void* self, sqlite3*, const char*, int frames) {
    if (frames >= kCheckpointFrames) {
      auto* store = static_cast<SqliteStore*>(self);
      {
        core::MutexLock lock(store->checkpoint_mutex_);
        store->checkpoint_wanted_ = true;
      }
      store->checkpoint_cv_.signal();
    }
    return SQLITE_OK;
  }

  void checkpoint_loop() EXCLUDES(checkpoint_mutex_) {
    for (;;) {
      {
        core::MutexLock lock(checkpoint_mutex_);
        while (!checkpoint_wanted_ && !checkpoint_stop_) checkpoint_cv_.wait(checkpoint_mutex_);
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      // PASSIVE never blocks the writer or readers; what it cannot copy now waits for the next.
      sqlite3_wal_checkpoint_v2(checkpoint_conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                nullptr);
    }
  }

  void writer_loop() EXCLUDES(queue_mutex_) {
    std::vector<Job*> batch;
    for (;;) {
      {
        core::MutexLock lock(queue_mutex_);
        while (!stopping_ && queue_.empty()) queue_cv_.wait(queue_mutex_);
        if (queue_.empty()) return;  // stopping, and every queued closure has run
        while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      run_batch(batch);
      batch.clear();
    }
  }

  struct Outcome {
    Status status;
    std::exception_ptr exception;
  };

  static Error internal_error(const std::string& what) {
    return Error{ErrorCode::internal, "", "数据库写入失败", "database write failed: " + what};
  }

  void run_batch(const std::vector<Job*>& batch) {
    Connection& c = *writer_conn_;
    std::vector<Outcome> outcomes(batch.size());
    // Index of the first job whose work is inside the currently open transaction.
    std::size_t tx_start = 0;
    bool open = begin(c, batch, outcomes, 0);
    SqliteTx tx(c);
    lend_cipher(tx);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!open) {
        // BEGIN failed; try again for the rest (the failed ones already have their error).
        if (!outcomes[i].status) continue;
        tx_start = i;
        open = begin(c, batch, outcomes, i);
        if (!open) continue;
      }
      Outcome& out = outcomes[i];
      bool ok = false;
      try {
        c.control("SAVEPOINT yw_job");
        try {
          out.status = (*batch[i]->fn)(tx);
          ok = static_cast<bool>(out.status);
        } catch (const ConstraintViolation& e) {
          out.status = tl::unexpected<Error>(conflict_error(e.what()));
        } catch (...) {
          out.exception = std::current_exception();
        }
        if (sqlite3_get_autocommit(c.db())) {
          // SQLite rolled the whole transaction back (I/O error, disk full, or a closure that
          // ran COMMIT/ROLLBACK itself): the work of earlier jobs in this batch is gone too.
          for (std::size_t j = tx_start; j < i; ++j) {
            if (outcomes[j].status && !outcomes[j].exception) {
              outcomes[j].status = tl::unexpected<Error>(internal_error("transaction aborted"));
            }
          }
          if (ok) out.status = tl::unexpected<Error>(internal_error("transaction aborted"));
          open = false;
          continue;
        }
        if (ok) {
          c.control("RELEASE yw_job");
        } else {
          c.control("ROLLBACK TO yw_job");
          c.control("RELEASE yw_job");
        }
      } catch (const std::exception& e) {
        // Savepoint control failed: the transaction is unusable; fail everything in it.
        for (std::size_t j = tx_start; j <= i; ++j) {
          if (outcomes[j].status && !outcomes[j].exception) {
            outcomes[j].status = tl::unexpected<Error>(internal_error(e.what()));
          }
        }
        rollback(c);
        open = false;
      }
    }
    if (open) {
      try {
        c.control("COMMIT");
      } catch (const std::exception& e) {
        rollback(c);
        for (std::size_t j = tx_start; j < batch.size(); ++j) {
          if (outcomes[j].status && !outcomes[j].exception) {
            outcomes[j].status = tl::unexpected<Error>(internal_error(e.what()));
          }
        }
      }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcomes[i].exception) {
        batch[i]->done.set_exception(outcomes[i].exception);
      } else {
        batch[i]->done.set_value(std::move(outcomes[i].status));
      }
    }
  }

  // Opens the batch transaction; on failure gives every job from `from` on an error.
  bool begin(Connection& c, const std::vector<Job*>& batch, std::vector<Outcome>& outcomes,
             std::size_t from) {
    try {
      c.control("BEGIN IMMEDIATE");
      return true;
    } catch (const std::exception& e) {
      for (std::size_t j = from; j < batch.size(); ++j) {
        outcomes[j].status = tl::unexpected<Error>(internal_error(e.what()));
      }
      return false;
    }
  }

  static void rollback(Connection& c) {
    if (sqlite3_get_autocommit(c.db())) return;
    try {
      c.control("ROLLBACK");
    } catch (const std::exception&) {
      // Nothing more can be done; the next BEGIN will report the state.
    }
  }

  const int max_batch_;
  std::unique_ptr<Connection> writer_conn_;
  std::vector<std::unique_ptr<Connection>> readers_;

  core::Mutex reader_mutex_;
  core::CondVar reader_cv_;
  std::vector<Connection*> free_readers_ GUARDED_BY(reader_mutex_);

  // The group-commit queue: closures waiting for the single writer thread.
  core::Mutex queue_mutex_;
  core::CondVar queue_cv_;
  std::deque<Job*> queue_ GUARDED_BY(queue_mutex_);
  bool stopping_ GUARDED_BY(queue_mutex_) = false;
  std::thread writer_;

  // SQLite's own auto-checkpoint threshold (pages in the WAL).
  static constexpr int kCheckpointFrames = 1000;
  std::unique_ptr<Connection> checkpoint_conn_;
  core::Mutex checkpoint_mutex_;
  core::CondVar checkpoint_cv_;
  bool checkpoint_wanted_ GUARDED_BY(checkpoint_mutex_) = false;
  bool checkpoint_stop_ GUARDED_BY(checkpoint_mutex_) = false;
  std::thread checkpointer_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite(const SqliteOptions& options) {
  return std::make_unique<SqliteStore>(options);
}

}  // namespace yiwang::store
