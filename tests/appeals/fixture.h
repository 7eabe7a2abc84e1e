// What the appeals tests stand on: the test platform (tests/support/platform.h) with the appeals
// module, the hotline centre's department in the options (the app sets it from its
// configuration), and a RouterClient that signs people in by user name.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "appeals/appeals.h"
#include "disclosure/disclosure.h"
#include "events/events.h"
#include "http/http.h"
#include "support/platform.h"
#include "support/router_client.h"
#include "support/test_store.h"

namespace yiwang::appeals::testing {

using yiwang::testing::kPassword;

// The hotline centre's department in every appeals test.
inline constexpr const char* kHotline = "12345";

// `o` with the hotline centre set.
inline Options with_hotline(Options o = {}) {
  o.hotline_dept_id = kHotline;
  return o;
}

class AppealsFixture : public yiwang::testing::PlatformTest {
 protected:
  // A fresh store with the appeals tables, the clock at `start`.
  void open(core::Millis start) {
    PlatformTest::open({disclosure::migrations(), appeals::migrations()}, start);
  }

  std::int64_t last_seq() {
    return *store_->read(
        [](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
  }
};

// Calls a Router as the people signed in by `login` (by user name; "" and unknown names send
// no token).
class SignedIn {
 public:
  explicit SignedIn(const http::Router& router) : client_(router) {}

  void login(const std::string& username) {
    tokens_[username] = client_.login(username, std::string(kPassword));
  }
  // Signs everyone in again (sessions expire after 8 hours).
  void login_again() {
    for (auto& [name, token] : tokens_) token = client_.login(name, std::string(kPassword));
  }
  const std::string& token(const std::string& who) { return tokens_[who]; }

  http::Response call(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& who) {
    return client_.call(method, target, body, token(who));
  }
  nlohmann::json call_json(const std::string& method, const std::string& target,
                           const nlohmann::json& body, const std::string& who, int status) {
    return client_.call_json(method, target, body, token(who), status);
  }

 private:
  yiwang::testing::RouterClient client_;
  std::map<std::string, std::string> tokens_;
};

}  // namespace yiwang::appeals::testing
