#include "support/test_store.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/field_cipher.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/prerequisites.h"

namespace yiwang::testing {

namespace {

namespace fs = std::filesystem;

bool keep_temp() {
  const char* v = std::getenv("YIWANG_KEEP_TEMP");
  return v && *v && std::string(v) != "0";
}

std::string pg_file() {
  const char* v = std::getenv("YIWANG_TEST_PG_FILE");
  if (!v || !*v) return {};
  std::ifstream in(v);
  return in.good() ? std::string(v) : std::string();
}

std::string missing_postgres() {
  const char* v = std::getenv("YIWANG_TEST_PG_FILE");
  const std::string what =
      !v || !*v ? std::string("the PostgreSQL test cluster (YIWANG_TEST_PG_FILE is not set)")
                : "the PostgreSQL test cluster (YIWANG_TEST_PG_FILE=" + std::string(v) +
                      " is not a readable file)";
  return missing_prerequisite(
      what,
      "ctest's pg_cluster_start starts it (scripts/pg-test-cluster.sh) and sets the variable; "
      "scripts/install-deps.sh installs PostgreSQL. Outside ctest: scripts/pg-test-cluster.sh "
      "start /tmp/pg && YIWANG_TEST_PG_FILE=/tmp/pg/conninfo.");
}

std::string admin_conninfo() {
  std::string file = pg_file();
  if (file.empty()) throw std::runtime_error(missing_postgres());
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  std::string info = s.str();
  while (!info.empty() && (info.back() == '\n' || info.back() == '\r' || info.back() == ' ')) {
    info.pop_back();
  }
  return info;
}

// Runs one statement on the cluster's admin database.
void admin_exec(const std::string& sql) {
  std::string info = admin_conninfo();
  PGconn* c = PQconnectdb(info.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string err = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to the PostgreSQL test cluster (" + info +
                             "): " + err);
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string err = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error(sql + ": " + err);
}

// The admin conninfo with its dbname replaced (works for key=value strings and URIs).
std::string with_database(const std::string& admin, const std::string& name) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(admin.c_str(), &err);
  if (!opts) {
    std::string msg = err ? err : "invalid conninfo";
    PQfreemem(err);
    throw std::runtime_error(msg);
  }
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    std::string key = o->keyword;
    if (key == "dbname" || !o->val) continue;
    std::string val;
    for (const char* p = o->val; *p; ++p) {
      if (*p == '\'' || *p == '\\') val += '\\';
      val += *p;
    }
    out += key + "='" + val + "' ";
  }
  PQconninfoFree(opts);
  return out + "dbname=" + name;
}

// What to remove at process exit.
struct Cleanup {
  std::mutex mutex;
  std::vector<std::string> dirs;
  std::vector<std::string> databases;
  ~Cleanup() {
    if (keep_temp()) return;
    for (const auto& d : dirs) {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
    for (const auto& db : databases) {
      try {
        admin_exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      } catch (const std::exception&) {
        // The cluster may already be gone; it is throwaway.
      }
    }
  }
};

Cleanup& cleanup() {
  static Cleanup c;
  return c;
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  static const unsigned seed = std::random_device{}();
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(seed % 100000);
}

// A store that removes its backing file or database when destroyed.
class OwnedStore final : public store::Store {
 public:
  OwnedStore(std::unique_ptr<store::Store> inner, std::string dir, std::string database)
      : inner_(std::move(inner)), dir_(std::move(dir)), database_(std::move(database)) {
    // Personal data is sealed at rest in every test as in production, under a key of its own.
    auto cipher = core::FieldCipher::ephemeral();
    inner_->use_cipher(cipher);
    use_cipher(cipher);
  }
  ~OwnedStore() override {
    inner_.reset();
    if (keep_temp()) return;
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
    if (!database_.empty()) {
      try {
        admin_exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
        std::lock_guard lock(cleanup().mutex);
        auto& dbs = cleanup().databases;
        dbs.erase(std::remove(dbs.begin(), dbs.end(), database_), dbs.end());
      } catch (const std::exception&) {
        // Left for the process-exit sweep.
      }
    }
  }
  store::Dialect dialect() const override { return inner_->dialect(); }
  Status read_tx(const std::function<Status(store::Tx&)>& fn) override {
    return inner_->read_tx(fn);
  }
  Status write_tx(const std::function<Status(store::Tx&)>& fn) override {
    return inner_->write_tx(fn);
  }

 private:
  std::unique_ptr<store::Store> inner_;
  std::string dir_;
  std::string database_;
};

std::string create_database() {
  std::string name = "yw_test_" + unique_suffix();
  cleanup();  // constructed before use so that it outlives every caller's static state
  admin_exec("CREATE DATABASE " + name);
  {
    std::lock_guard lock(cleanup().mutex);
    cleanup().databases.push_back(name);
  }
  return name;
}

}  // namespace

std::vector<std::string> backends() {
  if (!pg_file().empty() || !may_skip_missing_prerequisites()) {
    // Without the cluster the PostgreSQL instances fail in make_store, saying what is missing.
    return {"sqlite", "postgres"};
  }
  // Only with YIWANG_TESTS_MAY_SKIP=1, and said once per process.
  static std::once_flag said;
  std::call_once(said, [] {
    std::fprintf(stderr, "NOTE: the PostgreSQL instances of these tests are not run: %s\n",
                 missing_postgres().c_str());
  });
  return {"sqlite"};
}

std::string postgres_admin_conninfo() {
  return admin_conninfo();
}

std::string temp_dir() {
  cleanup();
  std::string pattern = "/tmp/yiwang-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  std::lock_guard lock(cleanup().mutex);
  cleanup().dirs.push_back(pattern);
  return pattern;
}

std::string make_postgres_database() {
  return with_database(admin_conninfo(), create_database());
}

std::unique_ptr<store::Store> make_store(const std::string& backend) {
  if (backend == "sqlite") {
    std::string dir = temp_dir();
    store::SqliteOptions options;
    options.path = dir + "/store.db";
    return std::make_unique<OwnedStore>(store::open_sqlite(options), dir, "");
  }
  if (backend == "postgres") {
    std::string name = create_database();
    store::PostgresOptions options;
    options.conninfo = with_database(admin_conninfo(), name);
    options.connections = 4;
    return std::make_unique<OwnedStore>(store::open_postgres(options), "", name);
  }
  throw std::runtime_error("unknown store backend: " + backend);
}

std::string source_dir() {
  if (const char* v = std::getenv("YIWANG_SOURCE_DIR"); v && *v) return v;
  std::error_code ec;
  for (fs::path p = fs::current_path(ec); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "CMakeLists.txt", ec) && fs::is_directory(p / "src", ec)) return p.string();
    if (p == p.parent_path()) break;
  }
  throw std::runtime_error("source directory not found: set YIWANG_SOURCE_DIR");
}

}  // namespace yiwang::testing
