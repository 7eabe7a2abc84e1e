#include "app/app.h"

#include <atomic>
#include <filesystem>
#include <stdexcept>

#include "audit/audit.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "events/events.h"
#include "http/http.h"
#include "http/json_api.h"
#include "http/server.h"
#include "identity/identity.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace yiwang::generated {
extern const char* const openapi_json;
}

namespace yiwang::app {
namespace {

std::unique_ptr<store::Store> open_store(const Config& config) {
  if (!config.postgres.empty()) {
    store::PostgresOptions options;
    options.conninfo = config.postgres;
    options.connections = std::max(8, config.worker_threads / 2);
    return store::open_postgres(options);
  }
  auto parent = std::filesystem::path(config.db).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  store::SqliteOptions options;
  options.path = config.db;
  return store::open_sqlite(options);
}

std::vector<store::Migration> all_migrations() {
  std::vector<store::Migration> all;
  for (auto list :
       {events::migrations(), identity::migrations(), catalog::migrations(), cases::migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  return all;
}

identity::Options identity_options(const Config& config) {
  identity::Options options;
  if (config.fast_password_hashing) {
    options.pwhash_opslimit = 1;
    options.pwhash_memlimit = 8192;
  }
  return options;
}

void add_platform_routes(http::Router& router, store::Store& store) {
  router.add("GET", "/api/v1/health", [&store](const http::Request& req, const http::PathParams&) {
    auto seq =
        store.read([](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
    if (!seq) return http::problem(seq.error(), req);
    return http::ok({{"status", "ok"},
                     {"version", "0.1.0"},
                     {"store", store.dialect() == store::Dialect::sqlite ? "sqlite" : "postgres"},
                     {"last_event_seq", *seq}});
  });
  router.add("GET", "/api/v1/openapi.json", [](const http::Request&, const http::PathParams&) {
    http::Response r;
    r.content_type = "application/json";
    r.body = generated::openapi_json;
    r.headers.emplace_back("Cache-Control", "public, max-age=300");
    return r;
  });
}

}  // namespace

struct App::Parts {
  Config config;
  core::SystemClock system_clock;
  const core::Clock* clock;
  core::SystemRandom random;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<identity::Service> identity;
  std::unique_ptr<catalog::Service> catalog;
  std::unique_ptr<cases::Service> cases;
  http::Router router;
};

App::App(Config config, const core::Clock* clock) : parts_(std::make_unique<Parts>()) {
  auto& p = *parts_;
  p.config = std::move(config);
  p.clock = clock ? clock : &p.system_clock;
  p.store = open_store(p.config);
  if (auto migrated = store::migrate(*p.store, all_migrations()); !migrated) {
    throw std::runtime_error("migration failed: " + migrated.error().message_en);
  }
  p.identity =
      std::make_unique<identity::Service>(*p.store, *p.clock, p.random, identity_options(p.config));
  p.catalog = std::make_unique<catalog::Service>(*p.store, *p.clock);
  cases::Options case_options;
  case_options.files_dir = p.config.data_dir;
  p.cases = std::make_unique<cases::Service>(*p.store, *p.clock, p.random, *p.catalog, *p.identity,
                                             case_options);

  add_platform_routes(p.router, *p.store);
  identity::register_routes(p.router, *p.identity);
  catalog::register_routes(p.router, *p.catalog, *p.identity);
  cases::register_routes(p.router, *p.cases, *p.identity);
  audit::register_routes(p.router, *p.store, *p.identity);
}

App::~App() = default;

Status App::serve() {
  auto& p = *parts_;
  http::ServerOptions options;
  options.address = p.config.address;
  options.port = p.config.port;
  options.io_threads = p.config.io_threads;
  options.worker_threads = p.config.worker_threads;
  options.access_log_path = p.config.access_log;
  options.inline_reads = p.store->dialect() == store::Dialect::sqlite;
  options.handle_signals = true;
  http::Server server(p.router, options);
  std::unique_ptr<cases::SupervisionLoop> supervision;
  if (p.config.supervision_interval_s > 0) {
    supervision = std::make_unique<cases::SupervisionLoop>(
        *p.cases, std::chrono::seconds(p.config.supervision_interval_s));
  }
  server.start();
  server.run_until_signal();
  return {};
}

const Config& App::config() const {
  return parts_->config;
}
http::Router& App::router() {
  return parts_->router;
}
store::Store& App::store() {
  return *parts_->store;
}
const core::Clock& App::clock() {
  return *parts_->clock;
}
core::Random& App::random() {
  return parts_->random;
}
identity::Service& App::identity() {
  return *parts_->identity;
}
catalog::Service& App::catalog() {
  return *parts_->catalog;
}
cases::Service& App::cases() {
  return *parts_->cases;
}

}  // namespace yiwang::app
