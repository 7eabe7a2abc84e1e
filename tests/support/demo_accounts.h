// Signing in as a demo account from a test: `yiwang demo` writes demo-accounts.json beside its
// database with the TOTP secret of every account that has a second factor (the officials).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace yiwang::testing {

// The secret of `username` in the demo-accounts.json beside `db_file`; "" when it has none.
std::string demo_totp_secret(const std::string& db_file, const std::string& username);

// The body of POST /api/v1/auth/login for a demo account: username, password and, for an account
// with a second factor, the code of the current 30-second step.
nlohmann::json demo_login_body(const std::string& db_file, const std::string& username,
                               const std::string& password = "yiwang-demo");

}  // namespace yiwang::testing
