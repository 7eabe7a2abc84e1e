// The store: transactional access to SQLite (embedded default) or PostgreSQL (scale-out).
//
// Modules hold a `Store&` and run their SQL inside `read` or `write`. Within a transaction they use
// `Tx::query` / `Tx::exec` with `?` placeholders (the PostgreSQL backend rewrites them to $n).
// Write the SQL in the common subset of both dialects; where they must differ, branch on
// `tx.dialect()` or ship a dialect-specific migration file.
//
// Durability: `write` returns only after the transaction is durably committed (fsync; SQLite runs
// WAL with synchronous=FULL). The SQLite backend group-commits: closures from concurrent callers
// are run one after another by a single writer thread, each inside its own SAVEPOINT, and share
// one COMMIT. The PostgreSQL backend runs each closure in its own SERIALIZABLE transaction.
//
// Closures may be run more than once (PostgreSQL retries serialization failures), so they must not
// have effects outside the transaction, and must (re)assign rather than append to captured output.
// A closure returning an Error rolls back its own work only. An exception thrown by a closure rolls
// back its work and is rethrown to the caller. `ConstraintViolation` (unique, foreign key, check) is
// thrown by Tx methods so a closure may catch it; uncaught, `write` turns it into ErrorCode::conflict.
//
// Personal data at rest: the store holds the data key (core::FieldCipher, given once at start with
// `use_cipher`) and lends it to every transaction, so a module seals and opens its sensitive
// columns with `tx.cipher()` wherever it has a transaction.
//
// Thread-safety: a Store is shared by all threads; a Tx belongs to the closure it was passed to.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/result.h"

namespace yiwang::core {
class FieldCipher;
}

namespace yiwang::store {

enum class Dialect { sqlite, postgres };

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// One result row. Column access is by position in the SELECT list.
class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const;
  std::int64_t int64(std::size_t i) const;        // NULL -> 0; text is parsed
  double real(std::size_t i) const;               // NULL -> 0.0
  std::string text(std::size_t i) const;          // NULL -> ""; numbers formatted
  std::optional<std::string> opt_text(std::size_t i) const;
  std::optional<std::int64_t> opt_int64(std::size_t i) const;
  const Value& value(std::size_t i) const { return cells_.at(i); }

 private:
  std::vector<Value> cells_;
};

using Rows = std::vector<Row>;
using Params = std::vector<Value>;

// An optional as a statement parameter: NULL when empty.
template <class T>
Value nullable(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_integral_v<T>) {
    return static_cast<std::int64_t>(*v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(*v);
  } else {
    return std::string(*v);
  }
}

// SQL failed in a way that is a bug (syntax, missing table, type error) or an I/O failure.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A unique / foreign-key / check constraint rejected the statement.
class ConstraintViolation : public StoreError {
 public:
  using StoreError::StoreError;
};

class Tx {
 public:
  virtual ~Tx() = default;
  virtual Dialect dialect() const = 0;
  virtual Rows query(std::string_view sql, const Params& params = {}) = 0;
  // Runs a statement; returns the number of rows changed.
  virtual std::int64_t exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs several statements without parameters (migrations).
  virtual void exec_script(std::string_view sql) = 0;

  std::optional<Row> query_one(std::string_view sql, const Params& params = {});

  // The store's data key. A store given none (Store::use_cipher) throws std::logic_error: a
  // start-up bug, never a reason to store personal data in the clear.
  const core::FieldCipher& cipher() const;

 private:
  friend class Store;
  const core::FieldCipher* cipher_ = nullptr;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Dialect dialect() const = 0;

  // Runs `fn` in a read-only snapshot transaction.
  virtual Status read_tx(const std::function<Status(Tx&)>& fn) = 0;
  // Runs `fn` in a write transaction; on success the change is durable when this returns.
  virtual Status write_tx(const std::function<Status(Tx&)>& fn) = 0;

  // Gives the store its data key, before the first transaction that needs it.
  void use_cipher(std::shared_ptr<const core::FieldCipher> cipher) { cipher_ = std::move(cipher); }
  const core::FieldCipher* cipher() const { return cipher_.get(); }

  // Typed conveniences over the two calls above: `fn` returns Result<T>.
  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    return run<decltype(fn(std::declval<Tx&>()))>(false, fn);
  }
  template <class F>
  auto write(F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    return run<decltype(fn(std::declval<Tx&>()))>(true, fn);
  }

 protected:
  // Backends call this on each Tx they make, before running the caller's closure.
  void lend_cipher(Tx& tx) const { tx.cipher_ = cipher_.get(); }

 private:
  std::shared_ptr<const core::FieldCipher> cipher_;

  template <class R, class F>
  R run(bool writing, F& fn) {
    using T = typename R::value_type;
    if constexpr (std::is_void_v<T>) {
      auto body = [&](Tx& tx) -> Status { return fn(tx); };
      return writing ? write_tx(body) : read_tx(body);
    } else {
      std::optional<T> out;
      auto body = [&](Tx& tx) -> Status {
        out.reset();
        R r = fn(tx);
        if (!r) return tl::unexpected<Error>(std::move(r.error()));
        out.emplace(std::move(*r));
        return {};
      };
      Status s = writing ? write_tx(body) : read_tx(body);
      if (!s) return tl::unexpected<Error>(std::move(s.error()));
      return std::move(*out);
    }
  }
};

// ---- Migrations -----------------------------------------------------------------------------
// Each module ships migrations/NNNN_name.sql (optionally NNNN_name.sqlite.sql / NNNN_name.pg.sql
// where the dialects must differ); CMake embeds them and the module exposes them as a list.
struct Migration {
  std::string module;    // "cases"
  int version = 0;       // NNNN
  std::string name;      // "init"
  std::string sql;       // common SQL, used when the dialect-specific text is empty
  std::string sqlite_sql;
  std::string postgres_sql;
};

// Applies, in (module order given, version) order, every migration not yet recorded in
// schema_migrations; each in its own transaction. Safe to run at every start.
Status migrate(Store& store, const std::vector<Migration>& migrations);

// ---- Keys the data depends on ---------------------------------------------------------------
// The fingerprint of a key recorded under `name` (e.g. "data", the key that seals personal data:
// core::FieldCipher), or nullopt when none is on record yet.
Result<std::optional<std::string>> bound_key(Store& store, const std::string& name);
// Records `fingerprint` under `name` when none is; refuses (conflict) one that differs from the
// record, so a node started with the wrong key stops at start-up instead of failing on every row.
Status bind_key(Store& store, const std::string& name, const std::string& fingerprint);

}  // namespace yiwang::store
