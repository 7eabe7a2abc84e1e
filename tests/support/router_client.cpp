#include "support/router_client.h"

#include <gtest/gtest.h>

namespace yiwang::testing {

http::Response RouterClient::call(const std::string& method, const std::string& target,
                                  const std::string& body, const std::string& token,
                                  const std::string& content_type) const {
  http::Request req;
  req.method = method;
  EXPECT_TRUE(http::set_target(req, target)) << target;
  req.body = body;
  req.request_id = "test";
  req.remote_address = remote_address;
  if (!body.empty()) req.headers["content-type"] = content_type;
  if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
  return router_.dispatch(req);
}

nlohmann::json RouterClient::call_json(const std::string& method, const std::string& target,
                                       const nlohmann::json& body, const std::string& token,
                                       int expect_status) const {
  auto r = call(method, target, body.is_null() ? "" : body.dump(), token);
  EXPECT_EQ(expect_status, r.status) << method << " " << target << " → " << r.body;
  return r.body.empty() ? nlohmann::json() : nlohmann::json::parse(r.body, nullptr, false);
}

std::string RouterClient::login(const std::string& username, const std::string& password,
                                const std::string& totp) const {
  nlohmann::json request{{"username", username}, {"password", password}};
  if (!totp.empty()) request["totp"] = totp;
  auto body = call_json("POST", "/api/v1/auth/login", request, "", 200);
  return body.value("token", "");
}

std::string header_of(const http::Response& r, const std::string& name) {
  std::string out;
  for (const auto& [n, v] : r.headers) {
    if (n == name) out += (out.empty() ? "" : ",") + v;
  }
  return out;
}

void expect_problem(const http::Response& r, int status, const std::string& field) {
  EXPECT_EQ(status, r.status) << r.body;
  EXPECT_EQ("application/problem+json", r.content_type);
  auto p = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(p.is_object()) << r.body;
  EXPECT_EQ(status, p.value("status", 0)) << r.body;
  EXPECT_EQ(0u, p.value("type", "").rfind("urn:yiwang:problem:", 0)) << r.body;
  EXPECT_FALSE(p.value("message_zh", "").empty()) << r.body;
  EXPECT_FALSE(p.value("message_en", "").empty()) << r.body;
  if (!field.empty()) {
    EXPECT_EQ(field, p.value("field", "")) << r.body;
  }
}

}  // namespace yiwang::testing
