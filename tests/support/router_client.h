// Calls a Router the way the server does, without sockets: for route tests of every module.
//
//   testing::RouterClient client(router_);
//   auto token = client.login("zhangsan", std::string(kPassword));
//   auto body = client.call_json("POST", "/api/v1/appeals", {{"title", "…"}}, token, 201);
//   testing::expect_problem(client.call("GET", "/api/v1/appeals/x", "", token), 404);
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "http/http.h"

namespace yiwang::testing {

class RouterClient {
 public:
  explicit RouterClient(const http::Router& router) : router_(router) {}

  // The target is parsed as the server parses it (percent-decoding of path and query). A body is
  // sent with `content_type`; a token as "Authorization: Bearer …".
  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& token = "",
                      const std::string& content_type = "application/json") const;
  // The reply's JSON (null for an empty body), after checking its status.
  nlohmann::json call_json(const std::string& method, const std::string& target,
                           const nlohmann::json& body, const std::string& token,
                           int expect_status) const;
  // A session token for the account (POST /api/v1/auth/login must answer 200).
  // `totp`: the second factor's current code, for accounts that need one.
  std::string login(const std::string& username, const std::string& password,
                    const std::string& totp = "") const;

  // The client address requests come from.
  std::string remote_address = "192.0.2.1";

 private:
  const http::Router& router_;
};

// Checks the RFC 9457 shape of an error reply: status, content type, a problem `type` URN,
// messages in Chinese and English, and (when given) the offending field.
void expect_problem(const http::Response& r, int status, const std::string& field = "");
// The values of a response header joined by commas; "" when absent.
std::string header_of(const http::Response& r, const std::string& name);

}  // namespace yiwang::testing
