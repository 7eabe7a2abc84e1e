// The API scenario fixture: a demo-seeded App (SQLite or PostgreSQL) driven through its router
// with no sockets, and helpers to call it and check RFC 9457 problems. Shared by tests/api/*.
#pragma once

#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
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
#include "store/store.h"
#include "support/test_store.h"

namespace yiwang::api_testing {

using nlohmann::json;
namespace fs = std::filesystem;

// A fresh PostgreSQL database in the throwaway test cluster; returns its conninfo.
inline std::string fresh_postgres_database() {
  // Throws, saying what is missing, when the pg_cluster fixture did not run.
  std::string admin = yiwang::testing::postgres_admin_conninfo();
  PGconn* c = PQconnectdb(admin.c_str());
  if (PQstatus(c) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c));
  std::string name = "yw_api_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand());
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string error = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error(error);
  auto pos = admin.find("dbname=");
  return admin.substr(0, pos) + "dbname=" + name;
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
    if (GetParam() == "postgres") config_.postgres = fresh_postgres_database();
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

  std::string login(const std::string& user,
                    const std::string& password = yiwang::demo::kPassword) {
    auto body = call_json("POST", "/api/v1/auth/login",
                          {{"username", user}, {"password", password}}, "", 200);
    return body.value("token", "");
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
  yiwang::app::Config config_;
  std::unique_ptr<yiwang::app::App> app_;
};

}  // namespace yiwang::api_testing
