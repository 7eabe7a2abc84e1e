// Kills the real server with SIGKILL while clients are filing cases, restarts it, and checks that
// every case whose 201 reply a client received is still there: a reply means "durably stored".
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "system/process.h"

namespace {

using namespace yiwang::system_testing;
using nlohmann::json;
namespace fs = std::filesystem;

std::string login(yiwang::http::Client& c, const std::string& user) {
  auto r = c.request("POST", "/api/v1/auth/login",
                     json{{"username", user}, {"password", "yiwang-demo"}}.dump());
  if (!r || r->status != 200) return "";
  return json::parse(r->body).at("token").get<std::string>();
}

class ServerProcess {
 public:
  ServerProcess(const std::string& db, unsigned short port)
      : pid_(spawn({env("YIWANG_BINARY"), "serve", "--db", db, "--port", std::to_string(port),
                    "--access-log", "-"})) {}
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void kill_hard() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_;
};

class SystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(env("YIWANG_BINARY").empty());
    dir_ = fs::temp_directory_path() / ("yiwang-system-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "system.db").string();
    ASSERT_EQ(0, run({env("YIWANG_BINARY"), "demo", "--db", db_, "--no-serve", "--cases", "0",
                      "--demo-data", env("YIWANG_SOURCE_DIR") + "/data/demo"}));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An item every citizen may apply for with an empty form, created through the API.
  std::string create_item(yiwang::http::Client& c, const std::string& admin_token) {
    json item = {{"code", "11320100SYSTEST0001"},   {"basic_code", "SYS001"},
                 {"name", "系统测试事项"},           {"item_type", "20"},
                 {"exercise_level", "3"},            {"dept_id", "zwfw"},
                 {"promised_limit", 5},              {"legal_limit", 20},
                 {"service_objects", {"1"}},         {"handling_forms", {"2"}},
                 {"case_type", "2"},
                 {"form", {{{"name", "note"}, {"label_zh", "备注"}, {"label_en", "Note"},
                            {"type", "string"}, {"required", false}}}}};
    auto r = c.request("POST", "/api/v1/items", item.dump(),
                       {{"Authorization", "Bearer " + admin_token}});
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(201, r->status) << r->body;
    }
    return item["code"];
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(SystemTest, NoAcknowledgedCaseIsLostWhenKilledUnderLoad) {
  unsigned short port = free_port();
  std::vector<std::string> acknowledged;
  std::mutex mu;
  {
    ServerProcess server(db_, port);
    ASSERT_TRUE(wait_healthy(port));
    yiwang::http::Client admin("127.0.0.1", port);
    std::string code = create_item(admin, login(admin, "admin"));
    yiwang::http::Client citizen("127.0.0.1", port);
    std::string token = login(citizen, "zhangsan");
    ASSERT_FALSE(token.empty());

    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&] {
        yiwang::http::Client c("127.0.0.1", port);
        std::string body = json{{"item_code", code}, {"form", json::object()}}.dump();
        while (!stop) {
          auto r = c.request("POST", "/api/v1/cases", body, {{"Authorization", "Bearer " + token}});
          if (!r) return;  // the server is gone
          if (r->status == 201) {
            std::lock_guard lock(mu);
            acknowledged.push_back(json::parse(r->body).at("id").get<std::string>());
          }
        }
      });
    }
    // Let the writers run, then kill the server without warning while requests are in flight.
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard lock(mu);
      if (acknowledged.size() >= 300) break;
    }
    server.kill_hard();
    stop = true;
    for (auto& w : writers) w.join();
  }
  ASSERT_GT(acknowledged.size(), 20u);

  ServerProcess again(db_, port);
  ASSERT_TRUE(wait_healthy(port));
  yiwang::http::Client c("127.0.0.1", port);
  std::string token = login(c, "zhangsan");
  std::size_t missing = 0;
  for (const auto& id : acknowledged) {
    auto r = c.request("GET", "/api/v1/cases/" + id, "", {{"Authorization", "Bearer " + token}});
    if (!r || r->status != 200) ++missing;
  }
  EXPECT_EQ(0u, missing) << "of " << acknowledged.size() << " acknowledged cases";
}

TEST_F(SystemTest, SigtermDrainsAndExitsCleanly) {
  unsigned short port = free_port();
  ServerProcess server(db_, port);
  ASSERT_TRUE(wait_healthy(port));
  EXPECT_EQ(0, server.terminate());
}

}  // namespace
