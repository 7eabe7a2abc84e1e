// PostgreSQL backend over libpq: a bounded connection pool; writes are SERIALIZABLE transactions
// retried on serialization failure (40001) or deadlock (40P01); reads are REPEATABLE READ READ ONLY
// snapshots. Parameters travel in text format with their types (int8, float8, text; NULL untyped).
//
// SQLite keeps a transaction usable after a failed statement, and the store contract lets a closure
// catch ConstraintViolation and go on; PostgreSQL would abort the whole transaction. So in write
// transactions every statement other than a plain SELECT runs inside its own savepoint, sent in one
// pipelined round trip (SAVEPOINT; statement; RELEASE), and a failure rolls back to that savepoint.
#include "store/postgres/postgres_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "core/thread_annotations.h"
#include "store/contention.h"

namespace yiwang::store {

namespace {

// Type OIDs from pg_type.h (stable across versions).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700;

// A serialization failure or deadlock: the whole transaction must be run again.
class RetryTransaction : public StoreError {
 public:
  using StoreError::StoreError;
};

Error conflict_error(const std::string& detail) {
  return Error{ErrorCode::conflict, "", "与已有数据冲突",
               "conflicts with existing data (" + detail + ")"};
}

// Rewrites `?` placeholders to $1, $2, … outside string literals, quoted identifiers, comments and
// dollar-quoted strings.
std::string rewrite_placeholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  const std::size_t size = sql.size();
  std::size_t i = 0;
  auto copy_until = [&](std::size_t end) {
    out.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < size) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      // Doubled quotes inside are escapes; scanning pairs handles them.
      std::size_t j = i + 1;
      while (j < size && sql[j] != c) ++j;
      copy_until(std::min(size, j + 1));
    } else if (c == '-' && i + 1 < size && sql[i + 1] == '-') {
      std::size_t j = sql.find('\n', i);
      copy_until(j == std::string_view::npos ? size : j);
    } else if (c == '/' && i + 1 < size && sql[i + 1] == '*') {
      std::size_t j = sql.find("*/", i + 2);
      copy_until(j == std::string_view::npos ? size : j + 2);
    } else if (c == '$' && (i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) ||
                                        sql[i - 1] == '_'))) {
      std::size_t j = i + 1;
      while (j < size && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
      if (j < size && sql[j] == '$' && !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
        std::string_view tag = sql.substr(i, j - i + 1);
        std::size_t end = sql.find(tag, j + 1);
        copy_until(end == std::string_view::npos ? size : end + tag.size());
      } else {
        copy_until(j);
      }
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  *count = n;
  return out;
}

// Statements that cannot violate constraints and so need no savepoint.
bool is_plain_read(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(')) ++i;
  auto starts = [&](std::string_view word) {
    if (sql.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (std::toupper(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
    }
    return sql.size() - i == word.size() ||
           !std::isalnum(static_cast<unsigned char>(sql[i + word.size()]));
  };
  return starts("SELECT") || starts("VALUES") || starts("SHOW");
}

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(d);
}

std::int64_t to_int64(const char* s, int len) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s, s + len, v);
  if (ec != std::errc() || p != s + len) throw StoreError(std::string("not an integer: ") + s);
  return v;
}

Value cell(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return nullptr;
  const char* s = PQgetvalue(r, row, col);
  int len = PQgetlength(r, row, col);
  switch (PQftype(r, col)) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid:
      return to_int64(s, len);
    case kFloat4:
    case kFloat8:
      return std::strtod(s, nullptr);
    case kNumeric:
      // SUM() over BIGINT is NUMERIC; keep whole numbers exact.
      if (std::strpbrk(s, ".eEN") == nullptr && len < 19) return to_int64(s, len);
      return std::strtod(s, nullptr);
    case kBool:
      return std::int64_t{s[0] == 't' ? 1 : 0};
    default:
      return std::string(s, static_cast<std::size_t>(len));
  }
}

Rows to_rows(const PGresult* r) {
  Rows rows;
  int nrows = PQntuples(r), ncols = PQnfields(r);
  rows.reserve(nrows);
  for (int i = 0; i < nrows; ++i) {
    std::vector<Value> cells;
    cells.reserve(ncols);
    for (int c = 0; c < ncols; ++c) cells.push_back(cell(r, i, c));
    rows.emplace_back(std::move(cells));
  }
  return rows;
}

struct ResultPtr {
  PGresult* r = nullptr;
  ResultPtr() = default;
  explicit ResultPtr(PGresult* p) : r(p) {}
  ResultPtr(ResultPtr&& o) noexcept : r(std::exchange(o.r, nullptr)) {}
  ResultPtr& operator=(ResultPtr&& o) noexcept {
    if (this != &o) {
      PQclear(r);
      r = std::exchange(o.r, nullptr);
    }
    return *this;
  }
  ~ResultPtr() { PQclear(r); }
  PGresult* get() const { return r; }
};

bool failed(const PGresult* r) {
  if (!r) return true;
  auto s = PQresultStatus(r);
  return s == PGRES_BAD_RESPONSE || s == PGRES_FATAL_ERROR || s == PGRES_NONFATAL_ERROR ||
         s == PGRES_PIPELINE_ABORTED;
}

std::string sqlstate(const PGresult* r) {
  const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return s ? s : "";
}

// Throws the exception matching a failed result.
[[noreturn]] void raise(PGconn* c, const PGresult* r, std::string_view sql) {
  std::string state = sqlstate(r);
  std::string msg = r ? PQresultErrorMessage(r) : "";
  if (msg.empty()) msg = PQerrorMessage(c);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (state == "40001" || state == "40P01") throw RetryTransaction(msg);
  if (state == "23505" || state == "23503" || state == "23514" || state == "23P01") {
    throw ConstraintViolation(msg);
  }
  throw StoreError("PostgreSQL: " + msg + (state.empty() ? "" : " [" + state + "]") + " [" +
                   std::string(sql.substr(0, 200)) + "]");
}

void exec_simple(PGconn* c, const char* sql) {
  ResultPtr r(PQexec(c, sql));
  if (failed(r.get())) raise(c, r.get(), sql);
}

struct Bound {
  std::vector<std::string> storage;
  std::vector<const char*> values;
  std::vector<Oid> types;
};

Bound bind(const Params& params) {
  Bound b;
  b.storage.reserve(params.size());
  b.values.resize(params.size());
  b.types.resize(params.size());
  // Two passes so that pointers into `storage` stay valid.
  for (const Value& v : params) {
    if (auto p = std::get_if<std::int64_t>(&v)) {
      b.storage.push_back(std::to_string(*p));
    } else if (auto p = std::get_if<double>(&v)) {
      b.storage.push_back(format_double(*p));
    } else {
      b.storage.emplace_back();
    }
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (std::holds_alternative<std::int64_t>(v)) {
      b.types[i] = kInt8;
      b.values[i] = b.storage[i].c_str();
    } else if (std::holds_alternative<double>(v)) {
      b.types[i] = kFloat8;
      b.values[i] = b.storage[i].c_str();
    } else if (auto p = std::get_if<std::string>(&v)) {
      b.types[i] = kText;
      b.values[i] = p->c_str();
    } else {
      b.types[i] = 0;  // NULL: let the server infer the type from the context
      b.values[i] = nullptr;
    }
  }
  return b;
}

class PgTx final : public Tx {
 public:
  PgTx(PGconn* c, bool writing) : c_(c), writing_(writing) {}

  Dialect dialect() const override { return Dialect::postgres; }

  Rows query(std::string_view sql, const Params& params) override {
    ResultPtr r = run(sql, params);
    return to_rows(r.get());
  }

  std::int64_t exec(std::string_view sql, const Params& params) override {
    ResultPtr r = run(sql, params);
    const char* n = PQcmdTuples(r.get());
    return n && *n ? std::atoll(n) : 0;
  }

  void exec_script(std::string_view sql) override {
    std::string text(sql);
    ResultPtr r(PQexec(c_, text.c_str()));
    if (failed(r.get())) note_and_raise(r.get(), sql);
  }

  // A retryable failure happened, even if the closure caught the exception.
  bool must_retry() const { return must_retry_; }

 private:
  [[noreturn]] void note_and_raise(const PGresult* r, std::string_view sql) {
    std::string state = sqlstate(r);
    if (state == "40001" || state == "40P01") must_retry_ = true;
    raise(c_, r, sql);
  }

  ResultPtr run(std::string_view sql, const Params& params) {
    int count = 0;
    std::string text = rewrite_placeholders(sql, &count);
    if (count != static_cast<int>(params.size())) {
      throw StoreError("PostgreSQL: statement wants " + std::to_string(count) +
                       " parameters, got " + std::to_string(params.size()) + " [" +
                       std::string(sql.substr(0, 200)) + "]");
    }
    Bound b = bind(params);
    if (!writing_ || is_plain_read(text)) {
      ResultPtr r(PQexecParams(c_, text.c_str(), count, b.types.data(), b.values.data(), nullptr,
                               nullptr, 0));
      if (failed(r.get())) note_and_raise(r.get(), sql);
      return r;
    }
    return run_in_savepoint(text, b, count, sql);
  }

  ResultPtr run_in_savepoint(const std::string& text, const Bound& b, int count,
                             std::string_view sql) {
    if (!PQenterPipelineMode(c_)) raise(c_, nullptr, sql);
    bool sent =
        PQsendQueryParams(c_, "SAVEPOINT yw_stmt", 0, nullptr, nullptr, nullptr, nullptr, 0) &&
        PQsendQueryParams(c_, text.c_str(), count, b.types.data(), b.values.data(), nullptr,
                          nullptr, 0) &&
        PQsendQueryParams(c_, "RELEASE SAVEPOINT yw_stmt", 0, nullptr, nullptr, nullptr, nullptr,
                          0) &&
        PQpipelineSync(c_);
    std::vector<ResultPtr> results;
    if (sent) {
      int idle = 0;
      for (;;) {
        PGresult* r = PQgetResult(c_);
        if (!r) {
          // NULL separates the results of consecutive queries; many in a row means a dead link.
          if (++idle > 8 || PQstatus(c_) == CONNECTION_BAD) break;
          continue;
        }
        idle = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
          PQclear(r);
          break;
        }
        results.emplace_back(r);
      }
    }
    PQexitPipelineMode(c_);
    if (!sent || results.size() != 3) raise(c_, nullptr, sql);
    if (failed(results[0].get())) note_and_raise(results[0].get(), sql);
    if (failed(results[1].get())) {
      std::string state = sqlstate(results[1].get());
      if (state != "40001" && state != "40P01") {
        // Undo just this statement; the transaction goes on.
        exec_simple(c_, "ROLLBACK TO SAVEPOINT yw_stmt; RELEASE SAVEPOINT yw_stmt");
      }
      note_and_raise(results[1].get(), sql);
    }
    if (failed(results[2].get())) note_and_raise(results[2].get(), sql);
    return std::move(results[1]);
  }

  PGconn* c_;
  bool writing_;
  bool must_retry_ = false;
};

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(const PostgresOptions& options)
      : conninfo_(options.conninfo),
        max_connections_(std::max(1, options.connections)),
        max_retries_(std::max(0, options.max_retries)) {
    // Fail at start-up, not at the first request, when the database is unreachable.
    idle_.push_back(connect());
    open_ = 1;
  }

  ~PostgresStore() override {
    for (PGconn* c : idle_) PQfinish(c);
  }

  Dialect dialect() const override { return Dialect::postgres; }

  Status read_tx(const std::function<Status(Tx&)>& fn) override {
    Lease lease(*this);
    exec_simple(lease.c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    PgTx tx(lease.c, false);
    lend_cipher(tx);
    Status result;
    try {
      result = fn(tx);
    } catch (const ConstraintViolation& e) {
      rollback(lease.c);
      return tl::unexpected<Error>(conflict_error(e.what()));
    } catch (...) {
      rollback(lease.c);
      throw;
    }
    // A closure that caught a failed read and still succeeded has chosen to go on: no check.
    rollback(lease.c);
    return result;
  }

  Status write_tx(const std::function<Status(Tx&)>& fn) override {
    for (int attempt = 0;; ++attempt) {
      if (attempt > max_retries_) {
        return fail(ErrorCode::conflict, "", "并发修改冲突，请稍后重试",
                    std::string(kContendedEn));
      }
      if (attempt > 0) backoff(attempt);
      Lease lease(*this);
      PgTx tx(lease.c, true);
      lend_cipher(tx);
      Status result;
      try {
        exec_simple(lease.c, "BEGIN ISOLATION LEVEL SERIALIZABLE");
        result = fn(tx);
      } catch (const RetryTransaction&) {
        rollback(lease.c);
        continue;
      } catch (const ConstraintViolation& e) {
        rollback(lease.c);
        if (tx.must_retry()) continue;
        return tl::unexpected<Error>(conflict_error(e.what()));
      } catch (...) {
        rollback(lease.c);
        if (tx.must_retry()) continue;
        throw;
      }
      if (tx.must_retry()) {
        rollback(lease.c);
        continue;
      }
      if (!result) {
        rollback(lease.c);
        return result;
      }
      try {
        finish(lease.c, "COMMIT");
      } catch (const RetryTransaction&) {
        continue;
      } catch (const ConstraintViolation& e) {
        // Deferred constraints are checked at COMMIT.
        return tl::unexpected<Error>(conflict_error(e.what()));
      }
      return result;
    }
  }

 private:
  // A pooled connection held for one transaction.
  struct Lease {
    PostgresStore& store;
    PGconn* c;
    explicit Lease(PostgresStore& s) : store(s), c(s.acquire()) {}
    ~Lease() { store.release(c); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
  };

  PGconn* connect() {
    PGconn* c = PQconnectdb(conninfo_.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string err = PQerrorMessage(c);
      PQfinish(c);
      throw StoreError("cannot connect to PostgreSQL: " + err);
    }
    // Notices ("relation already exists, skipping") would go to stderr.
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    return c;
  }

  // An idle connection, or a new one while fewer than max_connections_ are open; waits otherwise.
  PGconn* acquire() EXCLUDES(mutex_) {
    {
      core::MutexLock lock(mutex_);
      while (idle_.empty() && open_ >= max_connections_) cv_.wait(mutex_);
      if (!idle_.empty()) {
        PGconn* c = idle_.back();
        idle_.pop_back();
        return c;
      }
      ++open_;
    }
    try {
      return connect();
    } catch (...) {
      {
        core::MutexLock lock(mutex_);
        --open_;
      }
      cv_.signal();
      throw;
    }
  }

  void release(PGconn* c) EXCLUDES(mutex_) {
    bool healthy = PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE;
    if (!healthy) PQfinish(c);
    {
      core::MutexLock lock(mutex_);
      if (healthy) {
        idle_.push_back(c);
      } else {
        --open_;
      }
    }
    cv_.signal();
  }

  static void rollback(PGconn* c) {
    if (PQtransactionStatus(c) == PQTRANS_IDLE) return;
    ResultPtr r(PQexec(c, "ROLLBACK"));
  }

  // COMMIT of a transaction that an earlier (caught) error aborted reports ROLLBACK, not an error.
  static void finish(PGconn* c, const char* sql) {
    ResultPtr r(PQexec(c, sql));
    if (failed(r.get())) {
      rollback(c);
      raise(c, r.get(), sql);
    }
    if (std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) {
      throw StoreError(
          "PostgreSQL: transaction was aborted by an earlier failed statement that the closure "
          "caught");
    }
  }

  static void backoff(int attempt) {
    thread_local std::mt19937 rng(std::random_device{}());
    int cap_us = 500 << std::min(attempt, 6);
    std::uniform_int_distribution<int> d(cap_us / 4, cap_us);
    std::this_thread::sleep_for(std::chrono::microseconds(d(rng)));
  }

  const std::string conninfo_;
  const int max_connections_;
  const int max_retries_;
  core::Mutex mutex_;
  core::CondVar cv_;
  std::vector<PGconn*> idle_ GUARDED_BY(mutex_);
  int open_ GUARDED_BY(mutex_) = 0;  // connections made, idle or in use
};

}  // namespace

std::unique_ptr<Store> open_postgres(const PostgresOptions& options) {
  return std::make_unique<PostgresStore>(options);
}

}  // namespace yiwang::store
