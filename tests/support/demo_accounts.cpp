#include "support/demo_accounts.h"

#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "identity/totp.h"

namespace yiwang::testing {

std::string demo_totp_secret(const std::string& db_file, const std::string& username) {
  const auto file = std::filesystem::absolute(db_file).parent_path() / "demo-accounts.json";
  std::ifstream in(file);
  if (!in) return "";
  auto accounts = nlohmann::json::parse(in, nullptr, false);
  if (!accounts.is_array()) return "";
  for (const auto& a : accounts) {
    if (a.value("username", "") == username) return a.value("totp_secret", "");
  }
  return "";
}

nlohmann::json demo_login_body(const std::string& db_file, const std::string& username,
                               const std::string& password) {
  nlohmann::json body{{"username", username}, {"password", password}};
  const std::string secret = demo_totp_secret(db_file, username);
  if (!secret.empty()) {
    body["totp"] = identity::totp::code_at(secret, core::SystemClock().now_ms());
  }
  return body;
}

}  // namespace yiwang::testing
