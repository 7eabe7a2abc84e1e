// Kills the real server with SIGKILL while clients are filing cases, restarts it, and checks that
// every case whose 201 reply a client received is still there: a reply means "durably stored".
// Stops it with SIGTERM while requests are in flight: they are answered, new connections are
// refused, and the process exits 0.
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "support/demo_accounts.h"
#include "system/process.h"

namespace {

using namespace yiwang::system_testing;
using nlohmann::json;
namespace fs = std::filesystem;

// Signs in as a demo account of the database `db` (officials with their second factor).
std::string login(yiwang::http::Client& c, const std::string& user, const std::string& db) {
  auto r = c.request("POST", "/api/v1/auth/login",
                     yiwang::testing::demo_login_body(db, user).dump());
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
  void send_sigterm() { ::kill(pid_, SIGTERM); }
  // The exit code once the process has ended; nullopt (the process still runs) after `limit`.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      if (std::chrono::steady_clock::now() > until) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
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
    json item = {{"code", "11320100SYSTEST0001"},
                 {"basic_code", "SYS001"},
                 {"name", "系统测试事项"},
                 {"item_type", "20"},
                 {"exercise_level", "3"},
                 {"dept_id", "zwfw"},
                 {"promised_limit", 5},
                 {"legal_limit", 20},
                 {"service_objects", {"1"}},
                 {"handling_forms", {"2"}},
                 {"case_type", "2"},
                 {"form",
                  {{{"name", "note"},
                    {"label_zh", "备注"},
                    {"label_en", "Note"},
                    {"type", "string"},
                    {"required", false}}}}};
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
    std::string code = create_item(admin, login(admin, "admin", db_));
    yiwang::http::Client citizen("127.0.0.1", port);
    std::string token = login(citizen, "zhangsan", db_);
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
  std::string token = login(c, "zhangsan", db_);
  std::size_t missing = 0;
  for (const auto& id : acknowledged) {
    auto r = c.request("GET", "/api/v1/cases/" + id, "", {{"Authorization", "Bearer " + token}});
    if (!r || r->status != 200) ++missing;
  }
  EXPECT_EQ(0u, missing) << "of " << acknowledged.size() << " acknowledged cases";
}

// One HTTP/1.1 connection driven byte by byte, which the Client cannot do: a request sent in
// parts, a reply read when the test chooses.
class RawConnection {
 public:
  explicit RawConnection(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      error_ = errno;
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  int connect_error() const { return error_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Whether a byte has arrived (or the peer closed) within `wait`; consumes nothing.
  bool readable(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
  }

  // Reads until `marker` has arrived; returns everything up to and including it and keeps the
  // rest. Empty when the peer closes first or nothing more arrives within `limit`.
  std::string read_until(std::string_view marker, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto at = buffer_.find(marker); at != std::string::npos) {
        std::string out = buffer_.substr(0, at + marker.size());
        buffer_.erase(0, at + marker.size());
        return out;
      }
      if (!fill(until)) return "";
    }
  }

  // Everything until the peer closes the connection (a reply sent with Connection: close). With
  // `closed` false when `limit` passed first.
  std::string read_to_eof(std::chrono::milliseconds limit, bool* closed = nullptr) {
    const auto until = std::chrono::steady_clock::now() + limit;
    bool eof = false;
    while (!eof && std::chrono::steady_clock::now() < until) {
      if (!fill(until, &eof) && !eof) break;
    }
    if (closed) *closed = eof;
    return std::exchange(buffer_, "");
  }

  // One Content-Length delimited reply on a kept-alive connection: head and body.
  std::string read_response(std::chrono::milliseconds limit) {
    std::string head = read_until("\r\n\r\n", limit);
    if (head.empty()) return "";
    std::size_t length = 0;
    for (std::string_view name : {"Content-Length: ", "content-length: "}) {
      if (auto at = head.find(name); at != std::string::npos)
        length = std::stoul(head.substr(at + name.size()));
    }
    const auto until = std::chrono::steady_clock::now() + limit;
    while (buffer_.size() < length && fill(until)) {
    }
    std::string body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return head + body;
  }

 private:
  // One read into the buffer before `until`; false on timeout, error or end of stream.
  bool fill(std::chrono::steady_clock::time_point until, bool* eof = nullptr) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !readable(left)) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0 && eof) *eof = true;
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  int error_ = 0;
  std::string buffer_;
};

int status_of(const std::string& response) {
  // "HTTP/1.1 201 Created…"
  return response.size() > 12 && response.rfind("HTTP/1.1 ", 0) == 0
             ? std::atoi(response.c_str() + 9)
             : 0;
}

std::string body_of(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

// A filing request's head, announcing `length` body bytes and asking for 100 Continue: the
// interim reply says the server has read the head, so the request is in flight there.
std::string filing_head(const std::string& token, std::size_t length) {
  return "POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length) +
         "\r\nExpect: 100-continue\r\n\r\n";
}

// The test's own write transaction on the server's SQLite file: while it is open, the server's
// writer waits for the lock (busy timeout 10 s), so every write request is held in its handler.
class WriteLock {
 public:
  explicit WriteLock(const std::string& db_file) {
    if (sqlite3_open(db_file.c_str(), &db_) != SQLITE_OK) return;
    sqlite3_busy_timeout(db_, 10000);
    held_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~WriteLock() { release(); }
  bool held() const { return held_; }
  void release() {
    if (held_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    held_ = false;
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
};

TEST_F(SystemTest, SigtermDrainsAndExitsCleanly) {
  using std::chrono::milliseconds;
  const milliseconds kLimit(15000);  // bounds every wait; none is needed for correctness
  unsigned short port = free_port();
  ServerProcess server(db_, port);
  ASSERT_TRUE(wait_healthy(port));
  yiwang::http::Client admin("127.0.0.1", port);
  const std::string code = create_item(admin, login(admin, "admin", db_));
  yiwang::http::Client citizen("127.0.0.1", port);
  const std::string token = login(citizen, "zhangsan", db_);
  ASSERT_FALSE(token.empty());
  const std::string body = json{{"item_code", code}, {"form", json::object()}}.dump();

  // A kept-alive connection between requests: the drain closes it.
  RawConnection idle(port);
  ASSERT_TRUE(idle.connected());
  ASSERT_TRUE(idle.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_EQ(200, status_of(idle.read_response(kLimit)));

  // Requests held in their handlers: filings whose write waits for the test's lock.
  WriteLock lock(db_);
  ASSERT_TRUE(lock.held());
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) {
    auto c = std::make_unique<RawConnection>(port);
    ASSERT_TRUE(c->connected());
    ASSERT_TRUE(c->send(filing_head(token, body.size())));
    ASSERT_EQ(100, status_of(c->read_until("\r\n\r\n", kLimit)));
    ASSERT_TRUE(c->send(body));
    held.push_back(std::move(c));
  }
  // A filing whose body is still being uploaded: the head and half the body are in.
  RawConnection upload(port);
  ASSERT_TRUE(upload.connected());
  ASSERT_TRUE(upload.send(filing_head(token, body.size())));
  ASSERT_EQ(100, status_of(upload.read_until("\r\n\r\n", kLimit)));
  const std::size_t half = body.size() / 2;
  ASSERT_TRUE(upload.send(std::string_view(body).substr(0, half)));

  server.send_sigterm();

  // The drain has begun once the listener is closed: new connections are refused.
  bool refused = false;
  for (auto until = std::chrono::steady_clock::now() + kLimit;
       !refused && std::chrono::steady_clock::now() < until;) {
    RawConnection probe(port);
    refused = !probe.connected() && probe.connect_error() == ECONNREFUSED;
    if (!refused) std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(refused) << "the server still accepts connections after SIGTERM";
  // The idle connection is closed without a reply.
  bool idle_closed = false;
  EXPECT_EQ("", idle.read_to_eof(kLimit, &idle_closed));
  EXPECT_TRUE(idle_closed);
  // The held requests are still unanswered: they were in flight when the drain began.
  for (auto& c : held) EXPECT_FALSE(c->readable(milliseconds(0)));
  EXPECT_FALSE(upload.readable(milliseconds(0)));

  // The upload finishes during the drain; then the writes may go ahead.
  ASSERT_TRUE(upload.send(std::string_view(body).substr(half)));
  lock.release();

  // Every in-flight request gets its whole reply, with Connection: close.
  std::vector<std::string> filed;
  for (RawConnection* c : {held[0].get(), held[1].get(), held[2].get(), &upload}) {
    bool closed = false;
    const std::string response = c->read_to_eof(kLimit, &closed);
    EXPECT_TRUE(closed) << response;
    EXPECT_EQ(201, status_of(response)) << response;
    EXPECT_NE(std::string::npos, response.find("Connection: close\r\n")) << response;
    auto j = json::parse(body_of(response), nullptr, false);
    if (j.is_object() && j.contains("id")) filed.push_back(j["id"].get<std::string>());
  }
  ASSERT_EQ(4u, filed.size());

  // Then the process ends by itself, cleanly.
  auto exit_code = server.wait_exit(milliseconds(60000));
  ASSERT_TRUE(exit_code.has_value()) << "still running a minute after SIGTERM";
  EXPECT_EQ(0, *exit_code);

  // What was acknowledged during the drain is stored.
  ServerProcess again(db_, port);
  ASSERT_TRUE(wait_healthy(port));
  yiwang::http::Client c("127.0.0.1", port);
  const std::string again_token = login(c, "zhangsan", db_);
  for (const auto& id : filed) {
    auto r =
        c.request("GET", "/api/v1/cases/" + id, "", {{"Authorization", "Bearer " + again_token}});
    EXPECT_TRUE(r && r->status == 200) << id;
  }
}

}  // namespace
