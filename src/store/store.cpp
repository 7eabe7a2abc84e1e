// Row accessors, Tx::query_one and the migrations runner, shared by both backends.
#include "store/store.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <system_error>

namespace yiwang::store {

namespace {

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  // Shortest form that reads back to the same double.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc()) return std::to_string(d);
  return std::string(buf, end);
}

std::int64_t parse_int64(const std::string& s) {
  std::int64_t v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  while (begin < end && *begin == ' ') ++begin;
  if (begin < end && *begin == '+') ++begin;
  auto [p, ec] = std::from_chars(begin, end, v);
  if (ec == std::errc() && p == end) return v;
  // "12.0" or "1e3": PostgreSQL numerics and SQLite text affinity may produce these.
  char* stop = nullptr;
  double d = std::strtod(s.c_str(), &stop);
  if (stop != s.c_str() && *stop == '\0') return static_cast<std::int64_t>(d);
  throw StoreError("not an integer: '" + s + "'");
}

double parse_double(const std::string& s) {
  char* stop = nullptr;
  double d = std::strtod(s.c_str(), &stop);
  if (stop == s.c_str() || *stop != '\0') throw StoreError("not a number: '" + s + "'");
  return d;
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<std::nullptr_t>(cells_.at(i));
}

std::int64_t Row::int64(std::size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) return parse_int64(*p);
  return 0;
}

double Row::real(std::size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return parse_double(*p);
  return 0.0;
}

std::string Row::text(std::size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return format_double(*p);
  return {};
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<std::int64_t> Row::opt_int64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return int64(i);
}

std::optional<Row> Tx::query_one(std::string_view sql, const Params& params) {
  Rows rows = query(sql, params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Status migrate(Store& store, const std::vector<Migration>& migrations) {
  Status created = store.write_tx([](Tx& tx) -> Status {
    tx.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " module TEXT NOT NULL,"
        " version INTEGER NOT NULL,"
        " name TEXT NOT NULL,"
        " applied_at BIGINT NOT NULL,"
        " PRIMARY KEY (module, version))");
    return {};
  });
  if (!created) return created;

  // Module order is the order of first appearance; within a module, by version.
  std::map<std::string, std::size_t> module_rank;
  for (const auto& m : migrations) module_rank.emplace(m.module, module_rank.size());
  std::vector<const Migration*> ordered;
  for (const auto& m : migrations) ordered.push_back(&m);
  std::stable_sort(ordered.begin(), ordered.end(), [&](const Migration* a, const Migration* b) {
    auto ra = module_rank[a->module], rb = module_rank[b->module];
    return ra != rb ? ra < rb : a->version < b->version;
  });

  const Dialect dialect = store.dialect();
  for (const Migration* m : ordered) {
    const std::string* sql = &m->sql;
    if (dialect == Dialect::sqlite && !m->sqlite_sql.empty()) sql = &m->sqlite_sql;
    if (dialect == Dialect::postgres && !m->postgres_sql.empty()) sql = &m->postgres_sql;
    Status applied = store.write_tx([&](Tx& tx) -> Status {
      if (tx.query_one("SELECT 1 FROM schema_migrations WHERE module = ? AND version = ?",
                       {m->module, std::int64_t{m->version}})) {
        return {};
      }
      if (!sql->empty()) tx.exec_script(*sql);
      tx.exec(
          "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)",
          {m->module, std::int64_t{m->version}, m->name, now_ms()});
      return {};
    });
    if (!applied) {
      Error e = applied.error();
      e.message_en = "migration " + m->module + "/" + std::to_string(m->version) + "_" + m->name +
                     " failed: " + e.message_en;
      e.message_zh =
          "数据库迁移 " + m->module + "/" + std::to_string(m->version) + " 失败：" + e.message_zh;
      return fail(std::move(e));
    }
  }
  return {};
}

namespace {

void create_bound_keys(Tx& tx) {
  tx.exec_script(
      "CREATE TABLE IF NOT EXISTS bound_keys ("
      " name TEXT PRIMARY KEY,"
      " fingerprint TEXT NOT NULL,"
      " bound_at BIGINT NOT NULL)");
}

}  // namespace

const core::FieldCipher& Tx::cipher() const {
  if (!cipher_) throw std::logic_error("the store was given no data key (Store::use_cipher)");
  return *cipher_;
}

Result<std::optional<std::string>> bound_key(Store& store, const std::string& name) {
  return store.write([&](Tx& tx) -> Result<std::optional<std::string>> {
    create_bound_keys(tx);
    auto row = tx.query_one("SELECT fingerprint FROM bound_keys WHERE name = ?", {name});
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(row->text(0));
  });
}

Status bind_key(Store& store, const std::string& name, const std::string& fingerprint) {
  return store.write_tx([&](Tx& tx) -> Status {
    create_bound_keys(tx);
    tx.exec(
        "INSERT INTO bound_keys (name, fingerprint, bound_at) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO NOTHING",
        {name, fingerprint, now_ms()});
    auto row = tx.query_one("SELECT fingerprint FROM bound_keys WHERE name = ?", {name});
    if (row && row->text(0) == fingerprint) return {};
    return fail(ErrorCode::conflict, "/" + name + "_key",
                "密钥与数据库不符：数据库中的数据以指纹为 " + (row ? row->text(0) : "") +
                    " 的密钥加密",
                "the key does not match the database: its data is sealed under the key with "
                "fingerprint " +
                    (row ? row->text(0) : ""));
  });
}

}  // namespace yiwang::store
