// The Beast server over real sockets on an ephemeral port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "http/http.h"
#include "http/json_api.h"
#include "http/server.h"

namespace yiwang::http {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A one-shot gate a handler can wait on.
class Gate {
 public:
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Raw socket for what the Client cannot do: pipelining, HEAD, partial requests.
class RawConnection {
 public:
  explicit RawConnection(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& data) {
    ASSERT_EQ(static_cast<ssize_t>(data.size()), ::send(fd_, data.data(), data.size(), 0));
  }
  // Everything until the peer closes.
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  // Reads until `needle` has been seen `times` times or the peer closes.
  std::string read_until(const std::string& needle, int times) {
    std::string out;
    char buf[4096];
    auto count = [&] {
      int c = 0;
      for (auto p = out.find(needle); p != std::string::npos; p = out.find(needle, p + 1)) ++c;
      return c;
    };
    while (count() < times) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_path_ =
        fs::temp_directory_path() / ("yiwang-http-access-" + std::to_string(::getpid()) + ".log");
    fs::remove(log_path_);
    router_.add("GET", "/hello/{name}",
                [](const Request& req, const PathParams& p) {
                  return ok({{"hello", p.at("name")}, {"request_id", req.request_id}});
                },
                {.runs = Runs::io_thread});
    router_.add("POST", "/echo", [](const Request& req, const PathParams&) {
      auto body = parse_object(req);
      if (!body) return problem(body.error(), req);
      return ok(*body);
    });
    router_.add("GET", "/slow", [this](const Request&, const PathParams&) {
      {
        std::lock_guard lock(mu_);
        ++slow_entered_;
      }
      entered_cv_.notify_all();
      release_.wait();
      return ok({{"slow", true}});
    });
    options_.port = 0;
    options_.io_threads = 2;
    options_.worker_threads = 4;
    options_.body_limit = 1024;
    options_.access_log_path = log_path_.string();
    options_.read_timeout = std::chrono::seconds(1);
  }

  void TearDown() override {
    release_.open();
    server_.reset();
    fs::remove(log_path_);
  }

  void start() {
    server_ = std::make_unique<Server>(router_, options_);
    server_->start();
    ASSERT_NE(0, server_->port());
  }

  void wait_slow_entered(int n) {
    std::unique_lock lock(mu_);
    entered_cv_.wait(lock, [&] { return slow_entered_ >= n; });
  }

  Router router_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  fs::path log_path_;
  Gate release_;
  std::mutex mu_;
  std::condition_variable entered_cv_;
  int slow_entered_ = 0;
};

TEST_F(ServerTest, ServesKeepAliveRequestsOnOneConnection) {
  start();
  Client c("127.0.0.1", server_->port());
  for (const char* name : {"a", "b%20c"}) {
    auto r = c.request("GET", std::string("/hello/") + name);
    ASSERT_TRUE(r) << r.error().message_en;
    EXPECT_EQ(200, r->status);
    EXPECT_EQ("application/json", r->headers["content-type"]);
    EXPECT_EQ("nosniff", r->headers["x-content-type-options"]);
    EXPECT_EQ("", r->headers["connection"]);  // HTTP/1.1 default: kept alive
    EXPECT_FALSE(r->headers["date"].empty());
  }
  auto r = c.request("GET", "/hello/b%20c");
  EXPECT_EQ("b c", json::parse(r->body)["hello"]);
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  start();
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  raw.send(
      "GET /hello/first HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /hello/second HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /hello/third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string all = raw.read_all();
  auto first = all.find("\"first\"");
  auto second = all.find("\"second\"");
  auto third = all.find("\"third\"");
  ASSERT_NE(std::string::npos, first) << all;
  ASSERT_NE(std::string::npos, second) << all;
  ASSERT_NE(std::string::npos, third) << all;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
  start();
  RawConnection raw(server_->port());
  raw.send("HEAD /hello/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string all = raw.read_all();
  EXPECT_EQ(0u, all.rfind("HTTP/1.1 200", 0)) << all;
  auto end = all.find("\r\n\r\n");
  ASSERT_NE(std::string::npos, end);
  EXPECT_EQ(all.size(), end + 4) << all;  // nothing after the header
  EXPECT_NE(std::string::npos, all.find("Content-Length: ")) << all;
}

TEST_F(ServerTest, EchoesSaneRequestIdsAndGeneratesOthers) {
  start();
  Client c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/hello/x", "", {{"X-Request-Id", "trace-42_A"}});
  ASSERT_TRUE(r);
  EXPECT_EQ("trace-42_A", r->headers["x-request-id"]);
  EXPECT_EQ("trace-42_A", json::parse(r->body)["request_id"]);

  for (std::string bad : {std::string("has space"), std::string(65, 'a'), std::string("a\"b")}) {
    auto g = c.request("GET", "/hello/x", "", {{"X-Request-Id", bad}});
    ASSERT_TRUE(g);
    std::string id = g->headers["x-request-id"];
    EXPECT_NE(bad, id);
    EXPECT_EQ(16u, id.size()) << id;
  }
  auto a = c.request("GET", "/hello/x");
  auto b = c.request("GET", "/hello/x");
  EXPECT_NE(a->headers["x-request-id"], b->headers["x-request-id"]);
}

TEST_F(ServerTest, UnknownPathIsProblem) {
  start();
  Client c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/nothing/here", "", {{"X-Request-Id", "rid-404"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(404, r->status);
  EXPECT_EQ("application/problem+json", r->headers["content-type"]);
  auto p = json::parse(r->body);
  EXPECT_EQ("urn:yiwang:problem:not-found", p["type"]);
  EXPECT_EQ("rid-404", p["request_id"]);
  EXPECT_EQ("/nothing/here", p["instance"]);
  // The connection stays usable after an error reply.
  auto again = c.request("GET", "/hello/x");
  ASSERT_TRUE(again);
  EXPECT_EQ(200, again->status);
}

TEST_F(ServerTest, PassesBodiesAndReportsJsonErrors) {
  start();
  Client c("127.0.0.1", server_->port());
  auto r = c.request("POST", "/echo", R"({"x":[1,2]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(json({{"x", {1, 2}}}), json::parse(r->body));
  auto bad = c.request("POST", "/echo", "x=1", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(415, bad->status);
}

TEST_F(ServerTest, OversizeBodyIs413Problem) {
  start();
  Client c("127.0.0.1", server_->port());
  auto r = c.request("POST", "/echo", "{\"x\":\"" + std::string(4000, 'y') + "\"}",
                     {{"X-Request-Id", "big-1"}});
  ASSERT_TRUE(r) << r.error().message_en;
  EXPECT_EQ(413, r->status);
  EXPECT_EQ("application/problem+json", r->headers["content-type"]);
  EXPECT_EQ("close", r->headers["connection"]);
  auto p = json::parse(r->body);
  EXPECT_EQ("urn:yiwang:problem:too-large", p["type"]);
  EXPECT_EQ("big-1", p["request_id"]);
  // A fresh connection is served normally.
  auto ok = c.request("GET", "/hello/x");
  ASSERT_TRUE(ok);
  EXPECT_EQ(200, ok->status);
}

TEST_F(ServerTest, MalformedRequestIs400AndClosed) {
  start();
  RawConnection raw(server_->port());
  raw.send("GET /hello/x HTTP/1.1\r\nHost x\r\n\r\n");
  std::string all = raw.read_all();  // returns: the server closes
  EXPECT_EQ(0u, all.rfind("HTTP/1.1 400", 0)) << all;
  EXPECT_NE(std::string::npos, all.find("application/problem+json"));
}

TEST_F(ServerTest, IncompleteRequestTimesOut) {
  start();
  RawConnection raw(server_->port());
  raw.send("GET /hello/x HTTP/1.1\r\nHost: x\r\n");
  // read_timeout is 1 s: the server closes without a reply.
  EXPECT_EQ("", raw.read_all());
}

TEST_F(ServerTest, FullQueueAnswers503) {
  options_.worker_threads = 1;
  options_.queue_limit = 1;
  start();
  std::promise<Result<ClientResponse>> first;
  std::thread busy([&] {
    Client c("127.0.0.1", server_->port());
    first.set_value(c.request("GET", "/slow"));
  });
  wait_slow_entered(1);  // the only worker is busy; the queue holds one more
  std::mutex done_mu;
  std::condition_variable done_cv;
  std::vector<Result<ClientResponse>> done;
  std::vector<std::thread> contenders;
  for (int i = 0; i < 2; ++i) {
    contenders.emplace_back([&] {
      Client c("127.0.0.1", server_->port());
      auto r = c.request("GET", "/hello/q");
      std::lock_guard lock(done_mu);
      done.push_back(std::move(r));
      done_cv.notify_all();
    });
  }
  {
    // One of the two fits in the queue and waits; the other is refused at once.
    std::unique_lock lock(done_mu);
    done_cv.wait(lock, [&] { return !done.empty(); });
    ASSERT_TRUE(done[0]);
    EXPECT_EQ(503, done[0]->status);
    EXPECT_EQ("1", done[0]->headers["retry-after"]);
    EXPECT_EQ("urn:yiwang:problem:overloaded", json::parse(done[0]->body)["type"]);
  }
  release_.open();
  for (auto& t : contenders) t.join();
  busy.join();
  ASSERT_EQ(2u, done.size());
  ASSERT_TRUE(done[1]);
  EXPECT_EQ(200, done[1]->status);
  auto f = first.get_future().get();
  ASSERT_TRUE(f);
  EXPECT_EQ(200, f->status);
}

TEST_F(ServerTest, InlineReadsAreServedWhileEveryWorkerIsBusy) {
  router_.add("POST", "/block", [this](const Request&, const PathParams&) {
    {
      std::lock_guard lock(mu_);
      ++slow_entered_;
    }
    entered_cv_.notify_all();
    release_.wait();
    return ok({{"blocked", true}});
  });
  options_.inline_reads = true;
  options_.worker_threads = 1;
  options_.queue_limit = 1;
  start();
  unsigned short port = server_->port();
  std::mutex done_mu;
  std::condition_variable done_cv;
  std::vector<int> statuses;
  auto write = [&] {
    Client c("127.0.0.1", port);
    auto r = c.request("POST", "/block", "{}", {{"Content-Type", "application/json"}});
    std::lock_guard lock(done_mu);
    statuses.push_back(r ? r->status : 0);
    done_cv.notify_all();
  };
  std::vector<std::thread> writers;
  writers.emplace_back(write);
  wait_slow_entered(1);  // the only worker is taken
  writers.emplace_back(write);
  writers.emplace_back(write);
  {
    // One of the two later writes waits in the queue; the other is refused at once...
    std::unique_lock lock(done_mu);
    done_cv.wait(lock, [&] { return !statuses.empty(); });
    ASSERT_EQ(503, statuses[0]);
  }
  Client c("127.0.0.1", port);
  // ...but a read is answered on the I/O thread.
  auto read = c.request("GET", "/hello/inline");
  ASSERT_TRUE(read);
  EXPECT_EQ(200, read->status);
  EXPECT_EQ("inline", json::parse(read->body)["hello"]);
  release_.open();
  for (auto& t : writers) t.join();
  EXPECT_EQ(3u, statuses.size());
}

// Slow reads not declared fast run on the pool: with inline reads on, two reads blocked in their
// handlers (as many as the server has I/O threads, and every worker) must not hold up the fast
// routes (health, catalog, ledger tiles): the fast request is answered while both still block.
TEST_F(ServerTest, TwoSlowReadsDoNotHoldUpTheFastRoutes) {
  options_.inline_reads = true;
  options_.io_threads = 2;
  options_.worker_threads = 2;
  start();
  unsigned short port = server_->port();
  std::promise<Result<ClientResponse>> slow[2];
  std::vector<std::thread> readers;
  for (auto& reply : slow) {
    readers.emplace_back([&reply, port] {
      Client c("127.0.0.1", port);
      reply.set_value(c.request("GET", "/slow"));
    });
  }
  wait_slow_entered(2);  // both slow reads are inside their handlers, every worker taken
  for (int i = 0; i < 4; ++i) {  // new connections land on either I/O thread
    Client c("127.0.0.1", port);
    auto fast = c.request("GET", "/hello/fast");
    ASSERT_TRUE(fast);
    EXPECT_EQ(200, fast->status);
  }
  // The gate is still closed: had a fast request waited for a slow one, it would never return.
  release_.open();
  for (auto& t : readers) t.join();
  for (auto& reply : slow) {
    auto r = reply.get_future().get();
    ASSERT_TRUE(r);
    EXPECT_EQ(200, r->status);
  }
}

TEST_F(ServerTest, StopDrainsInFlightRequest) {
  start();
  unsigned short port = server_->port();
  // An idle keep-alive connection, to be closed by the drain.
  Client idle("127.0.0.1", port);
  ASSERT_TRUE(idle.request("GET", "/hello/x"));

  std::promise<Result<ClientResponse>> reply;
  std::thread client([&] {
    Client c("127.0.0.1", port);
    reply.set_value(c.request("GET", "/slow"));
  });
  wait_slow_entered(1);
  server_->stop();
  std::thread waiter([&] { server_->wait(); });
  release_.open();
  auto r = reply.get_future().get();
  client.join();
  waiter.join();
  ASSERT_TRUE(r) << r.error().message_en;
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(json({{"slow", true}}), json::parse(r->body));
  EXPECT_EQ("close", r->headers["connection"]);

  // Stopped: no new connections are served.
  Client late("127.0.0.1", port);
  EXPECT_FALSE(late.request("GET", "/hello/x"));
}

TEST_F(ServerTest, WritesOneJsonAccessLogLinePerRequest) {
  start();
  {
    Client c("127.0.0.1", server_->port());
    ASSERT_TRUE(c.request("GET", "/hello/x?q=%22quoted%22", "", {{"X-Request-Id", "log-1"}}));
    ASSERT_TRUE(c.request("GET", "/missing", "", {{"X-Request-Id", "log-2"}}));
  }
  server_->stop();
  server_->wait();  // flushes the log
  std::ifstream in(log_path_);
  std::string line;
  std::vector<json> lines;
  while (std::getline(in, line)) {
    auto j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    lines.push_back(j);
  }
  ASSERT_EQ(2u, lines.size());
  const auto& a = lines[0];
  EXPECT_EQ("log-1", a["request_id"]);
  EXPECT_EQ("GET", a["method"]);
  EXPECT_EQ("/hello/x?q=%22quoted%22", a["target"]);
  EXPECT_EQ(200, a["status"]);
  EXPECT_EQ("127.0.0.1", a["remote"]);
  EXPECT_GT(a["bytes"].get<int>(), 0);
  EXPECT_TRUE(a["duration_ms"].is_number());
  std::string ts = a["ts"];
  ASSERT_EQ(24u, ts.size()) << ts;  // 2026-11-22T01:30:00.123Z
  EXPECT_EQ('T', ts[10]);
  EXPECT_EQ('Z', ts[23]);
  EXPECT_EQ(404, lines[1]["status"]);
}

TEST_F(ServerTest, StartFailsOnBusyPort) {
  start();
  ServerOptions o = options_;
  o.port = server_->port();
  o.access_log_path = "-";
  Server second(router_, o);
  EXPECT_THROW(second.start(), std::runtime_error);
}

}  // namespace
}  // namespace yiwang::http
