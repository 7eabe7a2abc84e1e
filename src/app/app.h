// The assembled platform: configuration, store, migrations, module services and routes.
//
// main.cpp, the demo seeder, the API tests and the benchmarks all build an App the same way, so
// what is tested is what is served. Owns everything it creates; not copyable.
#pragma once

#include <memory>
#include <stop_token>
#include <string>
#include <vector>

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
namespace yiwang::ledger {
class Log;
class Follower;
}  // namespace yiwang::ledger
namespace yiwang::certificates {
class Service;
class CaseIssuer;
}  // namespace yiwang::certificates

namespace yiwang::assistant {
class Service;
}
namespace yiwang::appeals {
class Service;
}
namespace yiwang::ai {
class Service;
}
namespace yiwang::grid {
class Service;
}
namespace yiwang::participation {
class Service;
}
namespace yiwang::iot {
class Service;
}

namespace yiwang::app {

struct Config {
  std::string db = "var/yiwang.db";    // SQLite file (the default backend)
  std::string postgres;                // libpq conninfo; non-empty selects PostgreSQL
  std::string data_dir = "var/files";  // uploaded files, content-addressed
  // The data key sealing personal data at rest (core/field_cipher.h): created 0600 on a new
  // database; "" = data.key beside the database. Every node of a deployment shares one file.
  std::string data_key_file;
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;
  int worker_threads = 64;
  std::string access_log;              // "" stdout, "-" off, else a file path
  int supervision_interval_s = 60;     // 电子监察 sweep period; 0 disables the loop
  bool fast_password_hashing = false;  // tests and benchmarks only: minimal Argon2id cost
  // Public address of this deployment: certificate issuer ids, status-list URIs and QR codes.
  std::string public_base_url = "http://127.0.0.1:8080";
  // Transparency ledger: origin line of its checkpoints, signer key file (0600; created on first
  // start; "" = beside the database), trusted witness verifier keys, checkpoint period.
  std::string ledger_origin = "ledger.yiwang.example.gov.cn";
  std::string ledger_key_file;
  std::vector<std::string> ledger_witness_keys;
  int checkpoint_interval_ms = 1000;
  // Appeal classifier model versions ("" = models/ai beside the database, where `yiwang ai
  // train` puts them by default for a database in var/).
  std::string ai_models_dir;
  // The built web app (Vite output) served for every path no route claims; "" serves none.
  std::string web_root;
  // Background followers (ledger sequencer, certificate issuance, expiry); tests drive them.
  bool run_followers = true;
  // MQTT broker of the city's sensors ("host:port"); "" = no subscriber (sensors are still
  // managed and their alarms can be ingested by tests).
  std::string mqtt;
  // The department of the 12345 hotline centre: appeals belong to it, it may report grid events
  // as hotline_12345, and its dispatchers' corrections train the classifier. One value for every
  // module, so the permission checks cannot disagree.
  std::string hotline_dept = "12345";
  // Where the one-time codes of remote identity verification go: a file each message is appended
  // to as a JSON line (and echoed to stderr) — the demo's stand-in for an SMS gateway. "" = no
  // sender: identities are then verified at a service window only.
  std::string sms_outbox;
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
  ledger::Log& ledger();
  ledger::Follower& ledger_follower();
  certificates::Service& certificates();
  certificates::CaseIssuer& certificate_issuer();
  assistant::Service& assistant();
  appeals::Service& appeals();
  ai::Service& ai();
  grid::Service& grid();
  participation::Service& participation();
  iot::Service& iot();
  // Where the served appeal classifier looks for model versions (Config::ai_models_dir resolved).
  std::string ai_models_dir() const;

  // One pass of every follower of the event stream, until caught up: certificate issuance on
  // completed cases, then the ledger (which logs those issuances too), then a checkpoint.
  // serve() runs the same followers on background threads; tests and the demo call this.
  Status catch_up();

 private:
  void issue_certificates(std::stop_token stop);
  // Recomputes the audit trail's hash chain; logs the outcome and records a broken chain.
  void check_audit_trail();

  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace yiwang::app
