// What the benchmarks share: latency percentiles, and signing in to a demo server over HTTP.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "http/client.h"
#include "identity/totp.h"

namespace yiwang::bench {

// The p-quantile (0..1) of `v`, which it sorts.
inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// The options of a load run against a server: --port N --threads T --seconds S.
struct LoadOptions {
  unsigned short port = 8080;
  int threads = 16;
  int seconds = 20;
};

inline LoadOptions parse_load_options(int argc, char** argv, LoadOptions o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (k == "--port") {
      o.port = static_cast<unsigned short>(v);
    } else if (k == "--threads") {
      o.threads = v;
    } else if (k == "--seconds") {
      o.seconds = v;
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

// The TOTP secret of a demo official from the demo-accounts.json named by YIWANG_DEMO_ACCOUNTS
// (bench/run.sh sets it); "" for accounts without a second factor.
inline std::string demo_secret(const std::string& user) {
  const char* file = std::getenv("YIWANG_DEMO_ACCOUNTS");
  if (!file) return "";
  std::ifstream in(file);
  auto accounts = nlohmann::json::parse(in, nullptr, false);
  if (!accounts.is_array()) return "";
  for (const auto& a : accounts)
    if (a.value("username", "") == user) return a.value("totp_secret", "");
  return "";
}

// A demo account's bearer token; exits when the server is not a `yiwang demo` database.
inline std::string login(http::Client& c, const std::string& user) {
  nlohmann::json body{{"username", user}, {"password", "yiwang-demo"}};
  if (auto secret = demo_secret(user); !secret.empty()) {
    body["totp"] = identity::totp::code_at(secret, core::SystemClock().now_ms());
  }
  auto r = c.request("POST", "/api/v1/auth/login", body.dump());
  if (!r || r->status != 200) {
    std::fprintf(stderr, "login %s failed (is this a `yiwang demo` database?)\n", user.c_str());
    std::exit(1);
  }
  return nlohmann::json::parse(r->body).at("token");
}

}  // namespace yiwang::bench
