// The assembled platform: configuration, store, migrations, module services and routes.
//
// main.cpp, the demo seeder, the API tests and the benchmarks all build an App the same way, so
// what is tested is what is served. Owns everything it creates; not copyable.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace yiwang::core {
class Clock;
class Random;
}  // namespace yiwang::core
namespace yiwang::store {
class Store;
}
namespace yiwang::http {
class Router;
}
namespace yiwang::identity {
class Service;
}
namespace yiwang::catalog {
class Service;
}
namespace yiwang::cases {
class Service;
}

namespace yiwang::app {

struct Config {
  std::string db = "var/yiwang.db";       // SQLite file (the default backend)
  std::string postgres;                   // libpq conninfo; non-empty selects PostgreSQL
  std::string data_dir = "var/files";     // uploaded files, content-addressed
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;
  int worker_threads = 64;
  std::string access_log;                 // "" stdout, "-" off, else a file path
  int supervision_interval_s = 60;        // 电子监察 sweep period; 0 disables the loop
  bool fast_password_hashing = false;     // tests and benchmarks only: minimal Argon2id cost
};

class App {
 public:
  // Opens the store, applies pending migrations of every module and builds the services.
  // Throws std::runtime_error on start-up failure. `clock` may be null (system clock); when given
  // it must outlive the App.
  explicit App(Config config, const core::Clock* clock = nullptr);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Serves HTTP until SIGTERM/SIGINT, running the supervision loop meanwhile; drains gracefully.
  Status serve();

  const Config& config() const;
  http::Router& router();
  store::Store& store();
  const core::Clock& clock();
  core::Random& random();
  identity::Service& identity();
  catalog::Service& catalog();
  cases::Service& cases();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace yiwang::app
