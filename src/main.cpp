// yiwang: one binary, several subcommands. Wiring only: parse the command line, build the App,
// run. Everything else lives in the modules.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <malloc.h>

#include "ai/ai.h"
#include "app/app.h"
#include "assistant/assistant.h"
#include "demo/demo.h"
#include "identity/identity.h"
#include "identity/totp.h"
#include "ledger/ledger.h"
#include "ledger/verifier.h"
#include "ledger/witness.h"

namespace {

using yiwang::app::App;
using yiwang::app::Config;

// Options of the running platform that `serve` and `demo` share.
const std::string kPlatformOptionsHelp =
    "  --public-url URL   public address of this deployment, for certificate issuer ids and QR\n"
    "                     codes (default http://ADDR:PORT; env YIWANG_PUBLIC_URL)\n"
    "  --ledger-origin O  origin line of ledger checkpoints (default "
    "ledger.yiwang.example.gov.cn)\n"
    "  --ledger-key FILE  ledger signer key, created 0600 if missing (default beside the db)\n"
    "  --witness-keys K   comma-separated verifier keys of witnesses whose cosignatures the\n"
    "                     ledger accepts (env YIWANG_WITNESS_KEYS)\n"
    "  --checkpoint-ms N  ledger checkpoint interval in milliseconds (default 1000)\n"
    "  --web-root DIR     the built web app (default: web/ beside the binary; env "
    "YIWANG_WEB_ROOT)\n"
    "  --mqtt HOST:PORT   MQTT broker of the city's sensors, subscribed while serving (env "
    "YIWANG_MQTT)\n";

struct Command {
  std::string name;
  std::string summary;
  std::string usage;
};

const std::vector<Command> kCommands = {
    {"serve", "serve the platform over HTTP",
     "yiwang serve [--db FILE | --postgres CONNINFO] [--address ADDR] [--port N]\n"
     "             [--data-dir DIR] [--access-log FILE|-] [--workers N]\n"
     "  --db FILE          SQLite database file (default var/yiwang.db; env YIWANG_DB)\n"
     "  --postgres INFO    use PostgreSQL instead (libpq conninfo; env YIWANG_POSTGRES)\n"
     "  --data-key FILE    key sealing personal data at rest, created 0600 on a new database\n"
     "                     (default data.key beside the db; env YIWANG_DATA_KEY). Every node\n"
     "                     of a deployment needs the same file: back it up apart from the data\n"
     "  --address ADDR     listen address (default 127.0.0.1)\n"
     "  --port N           listen port (default 8080)\n"
     "  --data-dir DIR     where uploaded files are kept (default var/files)\n"
     "  --access-log F     JSON-lines access log: file, '-' for none (default stdout)\n"
     "  --workers N        request worker threads (default 64)\n" +
         kPlatformOptionsHelp},
    {"demo", "seed demo data (if the database is empty) and serve",
     "yiwang demo [--db FILE] [--port N] [--demo-data DIR] [--cases N] [--no-serve]\n"
     "  --db FILE          SQLite database file (default var/demo.db)\n"
     "  --port N           listen port (default 8080)\n"
     "  --demo-data DIR    folder with departments.json and items.json (default: data/demo)\n"
     "  --cases N          number of demo cases (default 300)\n"
     "  --no-serve         seed and exit\n" +
         kPlatformOptionsHelp + "All demo accounts use the password yiwang-demo.\n"},
    {"migrate", "apply pending database migrations and exit",
     "yiwang migrate [--db FILE | --postgres CONNINFO]\n"},
    {"user", "manage users: `yiwang user add …`, `yiwang user second-factor …`",
     "yiwang user add --username U --password P --kind citizen|business|official\n"
     "                --name NAME [--id-number ID] [--dept DEPT] [--roles r1,r2] [--phone P]\n"
     "                [--db FILE | --postgres CONNINFO]\n"
     "  roles: clerk (窗口受理), reviewer (审查), approver (决定), supervisor (电子监察),\n"
     "         admin (系统管理员), security_admin (安全管理员), auditor (审计管理员); the three\n"
     "         administrators are separate accounts (三员分立). A new deployment starts with a\n"
     "         security_admin made here, who then makes the other accounts.\n"
     "  An official's second factor (TOTP) is printed once: hand it to the person.\n"
     "yiwang user second-factor --username U [--db FILE | --postgres CONNINFO]\n"
     "  issues a new second factor (the old one stops working) and prints it once\n"},
    {"totp", "print the current code of a TOTP secret (demo and testing)",
     "yiwang totp --secret BASE32\n"
     "  the 6-digit RFC 6238 code (SHA-1, 30 s) for now, e.g. from demo-accounts.json\n"},
    {"ledger", "verify a transparency ledger, rotate its key: `yiwang ledger verify …`",
     "yiwang ledger verify --url URL [--key VKEY] [--state FILE] [--entry I]... [--full]\n"
     "  --url URL          the ledger server, http://host:port\n"
     "  --key VKEY         the log's note verifier key (default: trust on first use and pin it)\n"
     "  --state FILE       last seen checkpoint (default ~/.yiwang/ledger-<origin>.state)\n"
     "  --entry I          also prove that entry I is in the log (repeatable)\n"
     "  --full             rebuild the whole tree from the entry bundles and compare the root\n"
     "Exits 0 when every check passed, 1 with the reason otherwise (rollback, fork, …).\n"
     "yiwang ledger rotate-key --key-file FILE [--origin O] [--retire]\n"
     "  (server stopped) adds a new primary signing key; the old one keeps co-signing until\n"
     "  --retire turns it into a verify-only line. Publish the new key to verifiers between.\n"},
    {"kb", "Q&A knowledge base: import policy documents, evaluate a question set",
     "yiwang kb import PATH... [--db FILE | --postgres CONNINFO]\n"
     "  PATH               .txt .md .html .pdf files or folders of them (same content twice: kept "
     "once)\n"
     "yiwang kb eval FILE [--db FILE | --postgres CONNINFO]\n"
     "  FILE               JSON lines {\"q\": question, \"expect\": item code or passage text | "
     "[...]}\n"
     "                     prints hit@1, hit@3 and answer latency p50/p99\n"},
    {"ai", "appeal classifier: train a model version, cross-validate, list models",
     "yiwang ai train [--data FILE] [--segmented FILE] [--models DIR] [--no-cv] [--no-activate]\n"
     "yiwang ai eval [--data FILE] [--segmented FILE] [--limit N] [--k N]\n"
     "yiwang ai models [--models DIR]          (each also takes --db FILE | --postgres CONNINFO)\n"
     "  --data FILE        labelled messages (default ../shared/data/appeals/labelled.jsonl)\n"
     "  --models DIR       model versions (default var/models/ai, where the server looks)\n"},
    {"witness", "cosign a ledger's checkpoints as an independent witness",
     "yiwang witness --url URL --log-key VKEY --key-file FILE --name NAME\n"
     "               [--interval S] [--state FILE] [--once]\n"
     "  --url URL          the ledger server, http://host:port\n"
     "  --log-key VKEY     the log's note verifier key\n"
     "  --key-file FILE    this witness's cosignature/v1 key (created with mode 0600 if missing)\n"
     "  --name NAME        this witness's key name, e.g. witness.audit.example.gov.cn\n"
     "  --interval S       seconds between rounds (default 10)\n"
     "  --state FILE       last cosigned checkpoint (default FILE.state beside the key)\n"
     "  --once             one round, then exit (0 when cosigned)\n"},
};

void print_help() {
  std::cout << "yiwang — one-network digital government platform (一网通办 · 一网统管)\n\n"
               "usage: yiwang <command> [options]     yiwang <command> --help\n\ncommands:\n";
  for (const auto& c : kCommands) std::printf("  %-9s %s\n", c.name.c_str(), c.summary.c_str());
}

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << "yiwang " << command << ": " << message << "\n";
  for (const auto& c : kCommands)
    if (c.name == command) std::cerr << "usage: " << c.usage;
  return 2;
}

// Parses "--key value" pairs and bare "--flag"s. Unknown options are errors.
bool parse_options(const std::string& command, int argc, char** argv, int first,
                   const std::set<std::string>& valued, const std::set<std::string>& flags,
                   std::map<std::string, std::string>& out, std::string& error) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (flags.count(arg)) {
      out[arg] = "1";
    } else if (valued.count(arg)) {
      if (i + 1 >= argc) {
        error = arg + " needs a value";
        return false;
      }
      out[arg] = argv[++i];
    } else {
      error = "unknown option " + arg;
      return false;
    }
  }
  return true;
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool parse_port(const std::string& text, unsigned short& port) {
  try {
    std::size_t used = 0;
    long v = std::stol(text, &used);
    if (used != text.size() || v < 0 || v > 65535) return false;
    port = static_cast<unsigned short>(v);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

Config store_config(const std::map<std::string, std::string>& o, const std::string& default_db) {
  Config config;
  config.db = o.count("--db") ? o.at("--db") : env_or("YIWANG_DB", default_db);
  config.postgres = o.count("--postgres") ? o.at("--postgres") : env_or("YIWANG_POSTGRES", "");
  config.data_key_file = o.count("--data-key") ? o.at("--data-key") : env_or("YIWANG_DATA_KEY", "");
  auto base = std::filesystem::path(config.db).parent_path();
  config.data_dir = (base.empty() ? std::filesystem::path("var") : base).append("files").string();
  return config;
}

const std::set<std::string> kStoreOptions = {"--db", "--postgres", "--data-key"};
const std::set<std::string> kPlatformOptions = {"--public-url",   "--ledger-origin", "--ledger-key",
                                                "--witness-keys", "--checkpoint-ms", "--web-root",
                                                "--mqtt"};

std::set<std::string> with_platform_options(std::set<std::string> valued) {
  valued.insert(kPlatformOptions.begin(), kPlatformOptions.end());
  return valued;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char ch : text + ",") {
    if (ch != ',') {
      item += ch;
    } else if (!item.empty()) {
      out.push_back(item);
      item.clear();
    }
  }
  return out;
}

// The build puts the web app in web/ beside the binary.
std::string default_web_root() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("web") : (exe.parent_path() / "web").string();
}

// After address and port are known: the public URL defaults to where we listen.
bool apply_platform_options(const std::map<std::string, std::string>& o, Config& config,
                            std::string& error) {
  config.public_base_url = o.count("--public-url")
                               ? o.at("--public-url")
                               : env_or("YIWANG_PUBLIC_URL", "http://" + config.address + ":" +
                                                                 std::to_string(config.port));
  while (!config.public_base_url.empty() && config.public_base_url.back() == '/')
    config.public_base_url.pop_back();
  config.mqtt = o.count("--mqtt") ? o.at("--mqtt") : env_or("YIWANG_MQTT", "");
  if (o.count("--ledger-origin")) config.ledger_origin = o.at("--ledger-origin");
  if (o.count("--ledger-key")) config.ledger_key_file = o.at("--ledger-key");
  config.ledger_witness_keys = split_commas(
      o.count("--witness-keys") ? o.at("--witness-keys") : env_or("YIWANG_WITNESS_KEYS", ""));
  config.web_root =
      o.count("--web-root") ? o.at("--web-root") : env_or("YIWANG_WEB_ROOT", default_web_root());
  if (o.count("--checkpoint-ms")) {
    config.checkpoint_interval_ms = std::atoi(o.at("--checkpoint-ms").c_str());
    if (config.checkpoint_interval_ms < 10 || config.checkpoint_interval_ms > 3'600'000) {
      error = "--checkpoint-ms must be 10..3600000";
      return false;
    }
  }
  return true;
}

int run_serve(int argc, char** argv) {
  std::map<std::string, std::string> o;
  std::string error;
  std::set<std::string> valued = with_platform_options(
      {"--db", "--postgres", "--data-key", "--address", "--port", "--data-dir", "--access-log",
       "--workers"});
  if (!parse_options("serve", argc, argv, 2, valued, {}, o, error))
    return usage_error("serve", error);
  Config config = store_config(o, "var/yiwang.db");
  if (o.count("--address")) config.address = o["--address"];
  if (o.count("--port") && !parse_port(o["--port"], config.port))
    return usage_error("serve", "--port must be 0..65535");
  if (o.count("--data-dir")) config.data_dir = o["--data-dir"];
  if (o.count("--access-log")) config.access_log = o["--access-log"];
  if (o.count("--workers")) config.worker_threads = std::max(1, std::atoi(o["--workers"].c_str()));
  if (!apply_platform_options(o, config, error)) return usage_error("serve", error);
  App app(config);
  std::cerr << "yiwang: serving on http://" << config.address << ":" << config.port << "\n";
  auto served = app.serve();
  if (!served) {
    std::cerr << "yiwang: " << served.error().message_en << "\n";
    return 1;
  }
  return 0;
}

int run_demo(int argc, char** argv) {
  std::map<std::string, std::string> o;
  std::string error;
  std::set<std::string> valued =
      with_platform_options({"--db", "--data-key", "--port", "--demo-data", "--cases"});
  if (!parse_options("demo", argc, argv, 2, valued, {"--no-serve"}, o, error))
    return usage_error("demo", error);
  Config config = store_config(o, "var/demo.db");
  if (o.count("--port") && !parse_port(o["--port"], config.port))
    return usage_error("demo", "--port must be 0..65535");
  if (!apply_platform_options(o, config, error)) return usage_error("demo", error);
  // Demo only: verification codes go to a file beside the database instead of phones.
  config.sms_outbox =
      (std::filesystem::absolute(config.db).parent_path() / "sms-outbox.log").string();
  yiwang::demo::Options demo_options;
  demo_options.data_dir =
      o.count("--demo-data") ? o["--demo-data"] : yiwang::demo::default_data_dir(argv[0]);
  if (o.count("--cases")) demo_options.cases = std::max(0, std::atoi(o["--cases"].c_str()));
  auto seeded = yiwang::demo::seed(config, demo_options, std::cout);
  if (!seeded) {
    std::cerr << "yiwang demo: " << seeded.error().message_en << " (" << seeded.error().field
              << ")\n";
    return 1;
  }
  yiwang::demo::print_accounts(std::cout, config);
  if (o.count("--no-serve")) return 0;
  App app(config);
  std::cout << "Serving on http://" << config.address << ":" << config.port
            << "  (Ctrl-C to stop)\n"
            << std::flush;
  auto served = app.serve();
  return served ? 0 : 1;
}

int run_migrate(int argc, char** argv) {
  std::map<std::string, std::string> o;
  std::string error;
  if (!parse_options("migrate", argc, argv, 2, kStoreOptions, {}, o, error))
    return usage_error("migrate", error);
  App app(store_config(o, "var/yiwang.db"));
  std::cout << "migrations applied\n";
  return 0;
}

void print_factor(const yiwang::identity::Enrolment& e) {
  std::cout << "second factor (TOTP, shown once; hand it to the person):\n"
            << "  secret       " << e.secret << "\n"
            << "  otpauth URI  " << e.otpauth_uri << "\n"
            << "  recovery codes (one-time):";
  for (const auto& code : e.recovery_codes) std::cout << " " << code;
  std::cout << "\n";
}

int run_second_factor(int argc, char** argv) {
  std::map<std::string, std::string> o;
  std::string error;
  if (!parse_options("user", argc, argv, 3, {"--db", "--postgres", "--username"}, {}, o, error))
    return usage_error("user", error);
  if (!o.count("--username")) return usage_error("user", "--username is required");
  App app(store_config(o, "var/yiwang.db"));
  auto user = app.identity().find_by_username(o["--username"]);
  auto factor = user ? app.identity().reset_second_factor(user->user_id, nullptr)
                     : yiwang::Result<yiwang::identity::Enrolment>(tl::unexpected(user.error()));
  if (!factor) {
    std::cerr << "yiwang user second-factor: " << factor.error().message_en << "\n";
    return 1;
  }
  print_factor(*factor);
  return 0;
}

int run_totp(int argc, char** argv) {
  std::map<std::string, std::string> o;
  std::string error;
  if (!parse_options("totp", argc, argv, 2, {"--secret"}, {}, o, error))
    return usage_error("totp", error);
  const std::string code =
      yiwang::identity::totp::code_at(o["--secret"], yiwang::core::SystemClock().now_ms());
  if (code.empty()) return usage_error("totp", "--secret must be a base32 secret");
  std::cout << code << "\n";
  return 0;
}

int run_user(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[2]) == "second-factor") return run_second_factor(argc, argv);
  if (argc < 3 || std::string(argv[2]) != "add") {
    return usage_error("user", "expected `user add` or `user second-factor`");
  }
  std::map<std::string, std::string> o;
  std::string error;
  std::set<std::string> valued = {"--db",   "--postgres",  "--username", "--password", "--kind",
                                  "--name", "--id-number", "--dept",     "--roles",    "--phone"};
  if (!parse_options("user", argc, argv, 3, valued, {}, o, error))
    return usage_error("user", error);
  for (const char* required : {"--username", "--password", "--kind", "--name"})
    if (!o.count(required)) return usage_error("user", std::string(required) + " is required");
  yiwang::identity::NewUser user;
  user.username = o["--username"];
  user.password = o["--password"];
  auto kind = yiwang::identity::parse_kind(o["--kind"]);
  if (!kind) return usage_error("user", "--kind must be citizen, business or official");
  user.kind = *kind;
  user.display_name = o["--name"];
  user.id_number = o["--id-number"];
  user.dept_id = o["--dept"];
  user.phone = o["--phone"];
  std::string roles = o["--roles"];
  for (std::size_t start = 0; start < roles.size();) {
    auto end = roles.find(',', start);
    if (end == std::string::npos) end = roles.size();
    auto role = yiwang::identity::parse_role(roles.substr(start, end - start));
    if (!role)
      return usage_error("user", "unknown role in --roles: " + roles.substr(start, end - start));
    user.roles.insert(*role);
    start = end + 1;
  }
  App app(store_config(o, "var/yiwang.db"));
  yiwang::identity::Enrolment issued;
  auto created = app.identity().create_user(user, nullptr, &issued);
  if (!created) {
    std::cerr << "yiwang user add: " << created.error().message_en << " (" << created.error().field
              << ")\n";
    return 1;
  }
  std::cout << "created user " << created->username << " (" << created->user_id << ")\n";
  if (!issued.secret.empty()) print_factor(issued);
  return 0;
}

// `yiwang ledger rotate-key`: on the key file of a stopped server (see ledger::rotate_key).
int run_rotate_key(int argc, char** argv) {
  std::map<std::string, std::string> o;
  std::string error;
  if (!parse_options("ledger", argc, argv, 3, {"--key-file", "--origin"}, {"--retire"}, o, error))
    return usage_error("ledger", error);
  if (!o.count("--key-file")) return usage_error("ledger", "--key-file is required");
  Config defaults;
  const std::string origin = o.count("--origin") ? o["--origin"] : defaults.ledger_origin;
  auto rotated = yiwang::ledger::rotate_key(
      o["--key-file"], origin,
      o.count("--retire") ? yiwang::ledger::Rotation::retire : yiwang::ledger::Rotation::add);
  if (!rotated) {
    std::cerr << "yiwang ledger rotate-key: " << rotated.error().message_en << "\n";
    return 1;
  }
  std::cout << (o.count("--retire") ? "old keys retired; signing with " : "new primary key ")
            << *rotated << "\n";
  return 0;
}

int run_ledger(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[2]) == "rotate-key") return run_rotate_key(argc, argv);
  if (argc < 3 || std::string(argv[2]) != "verify")
    return usage_error("ledger", "expected `ledger verify` or `ledger rotate-key`");
  yiwang::ledger::VerifyOptions options;
  // --entry repeats, which parse_options' map cannot hold: take those out first.
  std::vector<char*> rest = {argv[0], argv[1], argv[2]};
  for (int i = 3; i < argc; ++i) {
    if (std::string(argv[i]) != "--entry") {
      rest.push_back(argv[i]);
      continue;
    }
    if (i + 1 >= argc) return usage_error("ledger", "--entry needs a value");
    std::string v = argv[++i];
    char* end = nullptr;
    long long index = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || index < 0)
      return usage_error("ledger", "--entry must be an entry index (0, 1, …)");
    options.entries.push_back(index);
  }
  std::map<std::string, std::string> o;
  std::string error;
  if (!parse_options("ledger", static_cast<int>(rest.size()), rest.data(), 3,
                     {"--url", "--key", "--state"}, {"--full"}, o, error))
    return usage_error("ledger", error);
  if (!o.count("--url")) return usage_error("ledger", "--url is required");
  options.url = o["--url"];
  options.verifier_key = o["--key"];
  options.state_file = o["--state"];
  options.full = o.count("--full") > 0;
  auto report = yiwang::ledger::verify(options);
  if (!report) {
    std::cerr << "yiwang ledger verify: FAILED: " << report.error().message_en << "\n"
              << "核验失败：" << report.error().message_zh << "\n";
    return 1;
  }
  for (const auto& line : report->notes) std::cout << line << "\n";
  std::cout << "OK: " << report->checkpoint.origin << " size " << report->checkpoint.size
            << " verified (state " << report->state_file << ")\n";
  return 0;
}

// `yiwang kb …` and `yiwang ai …`: the store options are taken out and open the App; the rest
// goes to the module's command.
int run_with_app(const std::string& command, int argc, char** argv,
                 const std::function<int(App&, std::vector<std::string>)>& run) {
  std::map<std::string, std::string> o;
  std::vector<std::string> args;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (kStoreOptions.count(a)) {
      if (i + 1 >= argc) return usage_error(command, a + " needs a value");
      o[a] = argv[++i];
    } else {
      args.push_back(a);
    }
  }
  App app(store_config(o, "var/yiwang.db"));
  return run(app, args);
}

std::atomic<bool> g_stop{false};

int run_witness(int argc, char** argv) {
  std::map<std::string, std::string> o;
  std::string error;
  std::set<std::string> valued = {"--url",  "--log-key",  "--key-file",
                                  "--name", "--interval", "--state"};
  if (!parse_options("witness", argc, argv, 2, valued, {"--once"}, o, error))
    return usage_error("witness", error);
  for (const char* required : {"--url", "--log-key", "--key-file", "--name"})
    if (!o.count(required)) return usage_error("witness", std::string(required) + " is required");
  yiwang::ledger::WitnessOptions options;
  options.url = o["--url"];
  options.log_key = o["--log-key"];
  options.key_file = o["--key-file"];
  options.name = o["--name"];
  options.state_file = o["--state"];
  if (o.count("--interval")) {
    int s = std::atoi(o["--interval"].c_str());
    if (s < 1) return usage_error("witness", "--interval must be at least 1 second");
    options.interval = std::chrono::seconds(s);
  }
  static yiwang::core::SystemClock clock;
  yiwang::ledger::Witness witness(options, clock);
  std::cout << (witness.key_created() ? "created witness key " : "witness key ") << options.key_file
            << "\nverifier key (give this to the log operator): " << witness.verifier_key()
            << std::endl;
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  return witness.run(std::cout, std::cerr, g_stop, o.count("--once") > 0);
}

// One malloc arena per core, not glibc's eight: the server's 64 workers otherwise spread freed
// memory over many arenas that keep it, and RSS climbs with the data the load reads (a 5-minute
// soak on 2 cores: 314 MB/h under load and +11 % across restarts by default, 79 MB/h and +4 %
// with one arena per core, the same requests answered). MALLOC_ARENA_MAX, when set, decides.
void limit_malloc_arenas() {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
}

}  // namespace

int main(int argc, char** argv) {
  limit_malloc_arenas();
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      for (const auto& c : kCommands)
        if (c.name == command) {
          std::cout << c.summary << "\n\nusage: " << c.usage;
          return 0;
        }
    }
  }
  try {
    if (command == "serve") return run_serve(argc, argv);
    if (command == "demo") return run_demo(argc, argv);
    if (command == "migrate") return run_migrate(argc, argv);
    if (command == "user") return run_user(argc, argv);
    if (command == "totp") return run_totp(argc, argv);
    if (command == "ledger") return run_ledger(argc, argv);
    if (command == "witness") return run_witness(argc, argv);
    if (command == "kb") {
      return run_with_app("kb", argc, argv, [](App& app, std::vector<std::string> args) {
        return yiwang::assistant::run_kb_command(app.assistant(), args, std::cout, std::cerr);
      });
    }
    if (command == "ai") {
      return run_with_app("ai", argc, argv, [](App& app, std::vector<std::string> args) {
        // By default, train where the server of this database will look.
        if (std::find(args.begin(), args.end(), "--models") == args.end()) {
          args.insert(args.end(), {"--models", app.ai_models_dir()});
        }
        return yiwang::ai::run_ai_command(app.store(), app.clock(), app.random(), args, std::cout,
                                          std::cerr);
      });
    }
  } catch (const std::exception& e) {
    std::cerr << "yiwang " << command << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "yiwang: unknown command '" << command << "'\n";
  print_help();
  return 2;
}
