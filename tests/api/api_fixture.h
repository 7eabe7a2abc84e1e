// The API scenario fixture: a demo-seeded App (SQLite or PostgreSQL) driven through its router
// with no sockets, and helpers to call it and check RFC 9457 problems. Shared by tests/api/*.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "demo/demo.h"
#include "events/events.h"
#include "http/http.h"
#include "identity/identity.h"
#include "identity/totp.h"
#include "store/store.h"
#include "support/demo_accounts.h"
#include "support/test_store.h"

namespace yiwang::api_testing {

using nlohmann::json;
namespace fs = std::filesystem;

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  virtual int demo_cases() const { return 0; }
  void SetUp() override {
    dir_ = fs::path(yiwang::testing::temp_dir()) / "api";
    fs::create_directories(dir_);
    config_.db = (dir_ / "api.db").string();
    config_.data_dir = (dir_ / "files").string();
    config_.fast_password_hashing = true;  // Argon2id at minimal cost: tests, not security
    if (GetParam() == "postgres") config_.postgres = yiwang::testing::make_postgres_database();
    yiwang::demo::Options demo;
    demo.data_dir = yiwang::testing::source_dir() + "/data/demo";
    demo.cases = demo_cases();
    demo.appeals = false;
    demo.grid = false;
    std::ostringstream log;
    auto seeded = yiwang::demo::seed(config_, demo, log);
    ASSERT_TRUE(seeded) << seeded.error().message_en << " " << seeded.error().field;
    app_ = std::make_unique<yiwang::app::App>(config_);
  }

  yiwang::http::Response call(const std::string& method, const std::string& target,
                              const std::string& body = "", const std::string& token = "",
                              const std::string& content_type = "application/json") {
    yiwang::http::Request req;
    req.method = method;
    // The server's own target parsing (percent-decoding of path and query).
    EXPECT_TRUE(yiwang::http::set_target(req, target)) << target;
    req.body = body;
    req.request_id = "test";
    if (!body.empty()) req.headers["content-type"] = content_type;
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    return app_->router().dispatch(req);
  }

  json call_json(const std::string& method, const std::string& target, const json& body,
                 const std::string& token, int expect_status) {
    auto r = call(method, target, body.is_null() ? "" : body.dump(), token);
    EXPECT_EQ(expect_status, r.status) << method << " " << target << " → " << r.body;
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }

  // Officials sign in with their second factor: the demo's from demo-accounts.json, others'
  // from remember_secret. A code works once, so their sessions are kept for the test.
  std::string login(const std::string& user,
                    const std::string& password = yiwang::demo::kPassword) {
    std::string secret = secrets_.count(user) ? secrets_[user]
                                              : yiwang::testing::demo_totp_secret(config_.db, user);
    if (secret.empty()) {
      // An official made after the demo wrote its file (grid staff loaded by a test): the
      // platform issues a factor, as `yiwang user second-factor` would.
      auto u = app_->identity().find_by_username(user);
      if (u && u->is_official()) {
        auto issued = app_->identity().reset_second_factor(u->user_id, nullptr);
        if (issued) secret = secrets_[user] = issued->secret;
      }
    }
    if (secret.empty()) {
      return call_json("POST", "/api/v1/auth/login", {{"username", user}, {"password", password}},
                       "", 200)
          .value("token", "");
    }
    auto& kept = sessions_[user + "\n" + password];
    if (kept.empty()) {
      kept = call_json("POST", "/api/v1/auth/login",
                       {{"username", user},
                        {"password", password},
                        {"totp", yiwang::identity::totp::code_at(
                                     secret, yiwang::core::SystemClock().now_ms())}},
                       "", 200)
                 .value("token", "");
    }
    return kept;
  }

  // The second factor an official created by the test was given (the create answer's).
  void remember_secret(const std::string& user, const json& created) {
    secrets_[user] = created["second_factor"].value("secret", "");
  }

  std::int64_t last_event() {
    return *app_->store().read([](yiwang::store::Tx& tx) -> yiwang::Result<std::int64_t> {
      return yiwang::events::last_seq(tx);
    });
  }

  // Checks the RFC 9457 shape of an error reply.
  void expect_problem(const yiwang::http::Response& r, int status, const std::string& field = "") {
    EXPECT_EQ(status, r.status) << r.body;
    EXPECT_EQ("application/problem+json", r.content_type);
    auto p = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(p.is_object()) << r.body;
    EXPECT_EQ(status, p.value("status", 0));
    EXPECT_TRUE(p.value("type", "").rfind("urn:yiwang:problem:", 0) == 0) << r.body;
    EXPECT_FALSE(p.value("message_zh", "").empty()) << r.body;
    EXPECT_FALSE(p.value("message_en", "").empty()) << r.body;
    if (!field.empty()) {
      EXPECT_EQ(field, p.value("field", "")) << r.body;
    }
  }

  fs::path dir_;
  std::map<std::string, std::string> secrets_, sessions_;
  yiwang::app::Config config_;
  std::unique_ptr<yiwang::app::App> app_;
};


}  // namespace yiwang::api_testing
