#include "http/server.h"

#include <signal.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/thread_annotations.h"
#include "http/http.h"

namespace yiwang::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kReadChunk = 8 * 1024;
// After an error reply with unread input, keep reading (and discarding) this long before
// closing, so the peer receives the reply instead of a reset.
constexpr std::chrono::seconds kLingerTime{2};

// ---------------------------------------------------------------------------------------------
// Formatting helpers

// Appends `s` as the inside of a JSON string. Bytes ≥ 0x80 are escaped individually: the log
// stays valid JSON even for targets that are not UTF-8.
void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

// RFC 3339 UTC with milliseconds; the seconds part is formatted once per second per thread.
void append_rfc3339(std::string& out, std::chrono::system_clock::time_point t) {
  thread_local std::time_t cached_second = -1;
  thread_local char cached[24];
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t second = static_cast<std::time_t>(ms / 1000);
  if (second != cached_second) {
    std::tm tm{};
    gmtime_r(&second, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = second;
  }
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  out += cached;
  out += frac;
}

// IMF-fixdate for the Date header, formatted once per second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_second = -1;
  thread_local char cached[40];
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(cached, sizeof cached, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return cached;
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Unique enough to correlate log lines; not a secret, so a fast per-thread generator will do.
std::string generate_request_id() {
  thread_local std::uint64_t state = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
           std::hash<std::thread::id>()(std::this_thread::get_id());
  }();
  state += 0x9e3779b97f4a7c15ULL;  // splitmix64
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4) id[static_cast<std::size_t>(i)] = kHex[z & 15];
  return id;
}

// ---------------------------------------------------------------------------------------------
// Access log: request threads append to a buffer under a short lock; one thread writes it out.

class AccessLog {
 public:
  explicit AccessLog(const std::string& path) {
    if (path.empty()) {
      file_ = stdout;
    } else {
      file_ = std::fopen(path.c_str(), "a");
      if (!file_) throw std::runtime_error("cannot open access log " + path);
      owned_ = true;
    }
    buffer_.reserve(kWakeBytes * 2);
    thread_ = std::thread([this] { run(); });
  }

  ~AccessLog() {
    {
      core::MutexLock lock(mu_);
      stop_ = true;
    }
    cv_.signal();
    thread_.join();
    if (owned_) std::fclose(file_);
  }

  void write(const std::string& line) EXCLUDES(mu_) {
    bool wake = false;
    {
      core::MutexLock lock(mu_);
      if (buffer_.size() > kMaxBuffered) {
        ++dropped_;  // the sink is stuck: shed log lines rather than block requests
        return;
      }
      buffer_ += line;
      wake = buffer_.size() >= kWakeBytes;
    }
    if (wake) cv_.signal();
  }

 private:
  static constexpr std::size_t kWakeBytes = 64 * 1024;
  static constexpr std::size_t kMaxBuffered = 16 * 1024 * 1024;

  // The writer thread: swaps the buffer out under the lock, writes it without.
  void run() EXCLUDES(mu_) {
    std::string out;
    mu_.lock();
    while (true) {
      if (!stop_ && buffer_.size() < kWakeBytes) cv_.wait_for(mu_, std::chrono::milliseconds(200));
      bool stopping = stop_;
      std::size_t dropped = std::exchange(dropped_, 0);
      out.swap(buffer_);
      mu_.unlock();
      if (!out.empty()) {
        std::fwrite(out.data(), 1, out.size(), file_);
        std::fflush(file_);
        out.clear();
      }
      if (dropped)
        std::fprintf(stderr, "yiwang: access log fell behind, dropped %zu lines\n", dropped);
      mu_.lock();
      if (stopping && buffer_.empty()) break;
    }
    mu_.unlock();
  }

  // Constant after construction: the sink, owned by the writer thread.
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  core::Mutex mu_;
  core::CondVar cv_;
  std::string buffer_ GUARDED_BY(mu_);
  std::size_t dropped_ GUARDED_BY(mu_) = 0;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------------
// Worker pool: a fixed ring of pending jobs; submit never blocks.

struct Job {
  virtual ~Job() = default;
  virtual void run() = 0;
};

class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t capacity) : ring_(capacity) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~WorkerPool() { shutdown(); }

  // False when the queue is full (the caller answers 503).
  bool try_submit(std::shared_ptr<Job> job) EXCLUDES(mu_) {
    {
      core::MutexLock lock(mu_);
      if (count_ == ring_.size() || stop_) return false;
      ring_[(head_ + count_) % ring_.size()] = std::move(job);
      ++count_;
    }
    cv_.signal();
    return true;
  }

  // Runs what is queued, then joins the threads. Called by the owner only (and the destructor).
  void shutdown() EXCLUDES(mu_) {
    {
      core::MutexLock lock(mu_);
      if (stop_ && threads_.empty()) return;
      stop_ = true;
    }
    cv_.signal_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void loop() EXCLUDES(mu_) {
    mu_.lock();
    while (true) {
      while (count_ == 0 && !stop_) cv_.wait(mu_);
      if (count_ == 0) break;
      std::shared_ptr<Job> job = std::move(ring_[head_]);
      head_ = (head_ + 1) % ring_.size();
      --count_;
      mu_.unlock();
      job->run();
      job.reset();
      mu_.lock();
    }
    mu_.unlock();
  }

  core::Mutex mu_;
  core::CondVar cv_;
  std::vector<std::shared_ptr<Job>> ring_ GUARDED_BY(mu_);  // its size is constant
  std::size_t head_ GUARDED_BY(mu_) = 0;
  std::size_t count_ GUARDED_BY(mu_) = 0;
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // the owner's: started in the constructor, joined once
};

class Session;

// ---------------------------------------------------------------------------------------------
// Shared server state. Member order matters: sessions still pending in an io_context are
// destroyed with it and unregister themselves, so the registry outlives the contexts.

struct Engine {
  Engine(const Router& r, ServerOptions o) : router(r), options(std::move(o)) {}

  const Router& router;
  ServerOptions options;

  core::Mutex registry_mu;
  std::list<std::weak_ptr<Session>> sessions GUARDED_BY(registry_mu);
  std::atomic<int> active{0};

  core::Mutex state_mu;
  core::CondVar state_cv;
  std::atomic<bool> stopping{false};
  bool force GUARDED_BY(state_mu) = false;

  std::unique_ptr<AccessLog> access_log;

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::optional<asio::signal_set> signals;  // SIGTERM/SIGINT, once taken over from the default
  std::size_t next_context = 0;
  std::unique_ptr<WorkerPool> pool;
  std::vector<std::thread> io_threads;
  unsigned short bound_port = 0;
  bool started = false;
  std::once_flag finished;

  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void adopt(tcp::socket socket);
  void begin_drain();
  void session_ended();
  template <class F>
  void for_each_session(F f);
  void finish();
};

// ---------------------------------------------------------------------------------------------
// One connection. Lives on one io_context thread, except run() which a worker calls while the
// connection waits (no other operation is pending then, so the members it touches are free).

class Session final : public Job, public std::enable_shared_from_this<Session> {
 public:
  Session(Engine& engine, tcp::socket&& socket, bool over_limit)
      : engine_(engine), stream_(std::move(socket)), over_limit_(over_limit) {
    error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    ++engine_.active;
  }

  ~Session() override {
    {
      core::MutexLock lock(engine_.registry_mu);
      engine_.sessions.erase(registry_entry_);
    }
    engine_.session_ended();
  }

  void registered(std::list<std::weak_ptr<Session>>::iterator it) { registry_entry_ = it; }
  // The connection's io_context executor; constant, so any thread may ask.
  asio::any_io_executor executor() { return stream_.get_executor(); }

  void start() {
    if (over_limit_) {
      request_.request_id = generate_request_id();
      request_.method = "-";
      response_ = problem(Error{ErrorCode::overloaded, "", "服务器连接数已满，请稍后再试",
                                "too many connections, try again shortly"},
                          request_);
      started_ = SteadyClock::now();
      wall_started_ = std::chrono::system_clock::now();
      write_response(/*close=*/true, /*linger=*/false);
      return;
    }
    read_header();
  }

  // Drain: close the connection if it is between requests.
  void close_if_idle() {
    if (idle_) close();
  }
  void close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  // Worker thread: run the handler, then hop back to the connection's thread to write.
  void run() override {
    dispatch();
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->write_response(false, false); });
  }

 private:
  // Between requests the idle timeout applies; once the first byte of a request is in, the
  // read timeout covers the rest of it (so a trickled header cannot hold a connection for long).
  void read_header() {
    if (buffer_.size() > 0) return read_started();
    if (engine_.stopping) return close();
    idle_ = true;
    stream_.expires_after(engine_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec) return self->on_read_error(ec);
                              self->buffer_.commit(n);
                              self->read_started();
                            });
  }

  void read_started() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(engine_.options.body_limit);
    stream_.expires_after(engine_.options.read_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    started_ = SteadyClock::now();
    wall_started_ = std::chrono::system_clock::now();
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return handle();
    auto& msg = parser_->get();
    stream_.expires_after(engine_.options.read_timeout);
    if (beast::iequals(msg[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](error_code ec, std::size_t) {
                          if (ec) return self->on_read_error(ec);
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->handle();
                      });
  }

  void on_read_error(error_code ec) {
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
      fill_request_from_parser();
      response_ = problem(
          Error{ErrorCode::too_large, "",
                "请求内容过大（上限 " + std::to_string(engine_.options.body_limit) + " 字节）",
                "request too large (the limit is " + std::to_string(engine_.options.body_limit) +
                    " bytes)"},
          request_);
      return write_response(true, true);
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      fill_request_from_parser();
      response_ = problem(Error{ErrorCode::invalid_input, "", "HTTP 请求格式错误",
                                "malformed HTTP request: " + ec.message()},
                          request_);
      return write_response(true, true);
    }
    // End of stream, timeout, reset, or our own close during drain: nothing to answer.
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Best effort for error replies: whatever part of the request was parsed.
  void fill_request_from_parser() {
    request_ = Request{};
    request_.remote_address = remote_;
    if (!parser_) {
      request_.request_id = generate_request_id();
      return;
    }
    auto& msg = parser_->get();
    request_.method = std::string(msg.method_string());
    request_.target = std::string(msg.target());
    request_.path = request_.target.substr(0, request_.target.find('?'));
    auto id = msg["X-Request-Id"];
    request_.request_id = sane_request_id(id) ? std::string(id) : generate_request_id();
    version_ = msg.version() ? msg.version() : 11;
    head_ = false;
  }

  void handle() {
    auto& msg = parser_->get();
    request_.method = std::string(msg.method_string());
    request_.headers.clear();
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, inserted] = request_.headers.try_emplace(std::move(name), f.value());
      if (!inserted) {
        it->second += ", ";
        it->second += f.value();
      }
    }
    request_.body = std::move(msg.body());
    auto id = msg["X-Request-Id"];
    request_.request_id = sane_request_id(id) ? std::string(id) : generate_request_id();
    request_.remote_address = remote_;
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == bhttp::verb::head;
    Status target = set_target(request_, std::string(msg.target()));
    parser_.reset();
    if (!target) {
      request_.path = request_.target;
      response_ = problem(target.error(), request_);
      return write_response(false, false);
    }
    // No timer runs while the handler works: the write sets its own.
    stream_.expires_never();
    resolved_ = engine_.router.resolve(request_);
    if (engine_.options.inline_reads && resolved_.runs() == Runs::io_thread) {
      // Routes declared fast (answers from memory, short reads that wait on nothing) skip the
      // hand-off to a worker and back, which costs more than the handler itself (see
      // docs/benchmarks.md). Everything else runs on the pool, so a slow handler never stalls
      // the connections of an I/O thread.
      dispatch();
      return write_response(false, false);
    }
    if (!engine_.pool->try_submit(shared_from_this())) {
      response_ = problem(Error{ErrorCode::overloaded, "", "服务繁忙，请稍后再试",
                                "server overloaded, try again shortly"},
                          request_);
      return write_response(false, false);
    }
  }

  void dispatch() {
    try {
      response_ = engine_.router.run(resolved_, request_);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "yiwang: request %s: %s\n", request_.request_id.c_str(), e.what());
      response_ = problem(Error{ErrorCode::internal, "", "", e.what()}, request_);
    }
  }

  void write_response(bool close, bool linger) {
    bool keep = keep_alive_ && !close && !engine_.stopping;
    close_ = !keep;
    linger_ = linger;
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(response_.status));
    res_.set(bhttp::field::date, http_date());
    if (!response_.content_type.empty())
      res_.set(bhttp::field::content_type, response_.content_type);
    res_.set("X-Request-Id", request_.request_id);
    res_.set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response_.headers) res_.insert(name, value);
    res_.keep_alive(keep);
    bytes_ = response_.body.size();
    if (head_) {
      res_.content_length(bytes_);
    } else {
      res_.body() = std::move(response_.body);
      res_.prepare_payload();
    }
    response_ = Response{};
    stream_.expires_after(engine_.options.write_timeout);
    bhttp::async_write(stream_, res_, [self = shared_from_this()](error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(error_code ec) {
    if (engine_.access_log) log_access();
    request_.body.clear();
    res_.body().clear();
    if (ec) return;
    if (close_) {
      error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (linger_) discard_until_eof();
      return;
    }
    read_header();
  }

  // One deadline covers the whole linger, not each read.
  void discard_until_eof(bool first = true) {
    if (first) stream_.expires_after(kLingerTime);
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              if (!ec) self->discard_until_eof(false);
                            });
  }

  void log_access() {
    std::string line;
    line.reserve(256 + request_.target.size());
    line += "{\"ts\":\"";
    append_rfc3339(line, wall_started_);
    line += "\",\"request_id\":\"";
    append_json_escaped(line, request_.request_id);
    line += "\",\"remote\":\"";
    append_json_escaped(line, remote_);
    line += "\",\"method\":\"";
    append_json_escaped(line, request_.method);
    line += "\",\"target\":\"";
    append_json_escaped(line, request_.target);
    line += "\",\"status\":";
    line += std::to_string(res_.result_int());
    line += ",\"bytes\":";
    line += std::to_string(bytes_);
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started_)
            .count();
    char duration[32];
    std::snprintf(duration, sizeof duration, ",\"duration_ms\":%.3f}\n",
                  static_cast<double>(micros) / 1000.0);
    line += duration;
    engine_.access_log->write(line);
  }

  Engine& engine_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  Request request_;
  Router::Resolved resolved_;  // where request_ goes; resolved on the I/O thread
  Response response_;
  std::string remote_;
  std::list<std::weak_ptr<Session>>::iterator registry_entry_;
  SteadyClock::time_point started_;
  std::chrono::system_clock::time_point wall_started_;
  std::size_t bytes_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool idle_ = false;
  bool close_ = false;
  bool linger_ = false;
  bool over_limit_ = false;
  std::array<char, 4096> discard_{};
};

// ---------------------------------------------------------------------------------------------

void Engine::do_accept() {
  auto& context = *contexts[next_context++ % contexts.size()];
  acceptor->async_accept(
      context, [this](error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Engine::on_accept(error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
  if (ec) {
    // Typically EMFILE: back off instead of spinning on the error.
    std::fprintf(stderr, "yiwang: accept: %s\n", ec.message().c_str());
    accept_retry->expires_after(std::chrono::milliseconds(100));
    accept_retry->async_wait([this](error_code e) {
      if (!e && acceptor->is_open()) do_accept();
    });
    return;
  }
  adopt(std::move(socket));
  // One asynchronous accept per event-loop round is too slow for a burst of connections (the
  // round also runs every ready session): take what the backlog holds now, without blocking.
  for (int i = 0; i < 256 && !stopping; ++i) {
    auto& context = *contexts[next_context++ % contexts.size()];
    tcp::socket more(context);
    acceptor->accept(more, ec);
    if (ec) break;
    adopt(std::move(more));
  }
  do_accept();
}

void Engine::adopt(tcp::socket socket) {
  error_code ignored;
  if (stopping) {
    socket.close(ignored);
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  bool over_limit = active.load() >= options.max_connections;
  auto session = std::make_shared<Session>(*this, std::move(socket), over_limit);
  {
    core::MutexLock lock(registry_mu);
    sessions.push_front(session);
    session->registered(sessions.begin());
  }
  // Sessions check `stopping` whenever they wait for a request, so one registered after a drain
  // began closes itself.
  auto executor = session->executor();
  asio::post(executor, [session] { session->start(); });
}

template <class F>
void Engine::for_each_session(F f) {
  std::vector<std::shared_ptr<Session>> live;
  {
    core::MutexLock lock(registry_mu);
    for (auto& weak : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) f(s);
}

void Engine::begin_drain() {
  {
    core::MutexLock lock(state_mu);
    if (stopping) return;
    stopping = true;
  }
  state_cv.signal_all();
  if (!started) return;
  asio::post(*contexts[0], [this] {
    error_code ignored;
    acceptor->close(ignored);
    accept_retry->cancel();
  });
  for_each_session([](const std::shared_ptr<Session>& s) {
    asio::post(s->executor(), [s] { s->close_if_idle(); });
  });
}

void Engine::session_ended() {
  if (--active == 0 && stopping) {
    core::MutexLock lock(state_mu);
    state_cv.signal_all();
  }
}

void Engine::finish() {
  std::call_once(finished, [this] {
    if (!started) return;
    // Past the drain deadline: close whatever is left.
    for_each_session(
        [](const std::shared_ptr<Session>& s) { asio::post(s->executor(), [s] { s->close(); }); });
    guards.clear();
    // Posted after the closes, so they run first; pending waits (the signal set) would otherwise
    // keep the loops alive.
    for (auto& c : contexts) {
      asio::post(*c, [&c = *c] { c.stop(); });
    }
    for (auto& t : io_threads) t.join();
    io_threads.clear();
    pool->shutdown();
    // Handlers that were still running posted their writes to the stopped contexts; the
    // contexts are destroyed with the Engine, which releases those sessions.
    access_log.reset();
  });
}

}  // namespace

struct Server::Impl : Engine {
  using Engine::Engine;
};

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Server::~Server() {
  if (impl_->started) {
    stop();
    wait();
  }
}

void Server::start() {
  auto& e = *impl_;
  if (e.started) throw std::runtime_error("server already started");
  const auto& o = e.options;
  // Writes to a closed stdout pipe must fail with EPIPE, not kill the server.
  ::signal(SIGPIPE, SIG_IGN);
  if (o.access_log_path != "-") e.access_log = std::make_unique<AccessLog>(o.access_log_path);
  int io_threads = std::max(1, o.io_threads);
  for (int i = 0; i < io_threads; ++i) {
    e.contexts.push_back(std::make_unique<asio::io_context>(1));
    e.guards.push_back(asio::make_work_guard(*e.contexts.back()));
  }
  error_code ec;
  auto address = asio::ip::make_address(o.address, ec);
  if (ec) throw std::runtime_error("bad listen address " + o.address + ": " + ec.message());
  tcp::endpoint endpoint(address, o.port);
  e.acceptor.emplace(*e.contexts[0]);
  e.accept_retry.emplace(*e.contexts[0]);
  auto check = [&](const char* what) {
    if (ec) {
      throw std::runtime_error(std::string("cannot ") + what + " " + o.address + ":" +
                               std::to_string(o.port) + ": " + ec.message());
    }
  };
  e.acceptor->open(endpoint.protocol(), ec);
  check("open");
  e.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  check("configure");
  e.acceptor->bind(endpoint, ec);
  check("bind");
  // Take SIGTERM over before the first client can see us, or a quick SIGTERM would still meet
  // the default action and kill the process without a drain.
  if (o.handle_signals) e.signals.emplace(*e.contexts[0], SIGTERM, SIGINT);
  e.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  check("listen");
  e.acceptor->non_blocking(true, ec);
  check("configure");
  e.bound_port = e.acceptor->local_endpoint().port();

  std::size_t queue =
      o.queue_limit ? o.queue_limit : static_cast<std::size_t>(std::max(1, o.worker_threads)) * 32;
  e.pool = std::make_unique<WorkerPool>(std::max(1, o.worker_threads), queue);
  e.started = true;
  e.do_accept();
  for (auto& context : e.contexts) {
    e.io_threads.emplace_back([&c = *context] {
      while (true) {
        try {
          c.run();
          return;
        } catch (const std::exception& ex) {
          // A bug in a completion handler: log it and keep serving the other connections.
          std::fprintf(stderr, "yiwang: io thread: unhandled exception: %s\n", ex.what());
        }
      }
    });
  }
}

unsigned short Server::port() const {
  return impl_->bound_port;
}

void Server::run_until_signal() {
  auto& e = *impl_;
  if (!e.started) throw std::runtime_error("server not started");
  if (!e.signals) e.signals.emplace(*e.contexts[0], SIGTERM, SIGINT);
  asio::signal_set& signals = *e.signals;
  std::function<void(error_code, int)> on_signal = [&](error_code ec, int) {
    if (ec) return;
    if (!e.stopping) {
      std::fprintf(stderr, "yiwang: signal received, draining\n");
      stop();
    } else {
      core::MutexLock lock(e.state_mu);
      e.force = true;
      e.state_cv.signal_all();
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  wait();
  error_code ignored;
  signals.cancel(ignored);
  e.signals.reset();  // SIGTERM and SIGINT mean their default again
}

void Server::stop() {
  impl_->begin_drain();
}

void Server::wait() {
  auto& e = *impl_;
  {
    core::MutexLock lock(e.state_mu);
    while (!e.stopping.load()) e.state_cv.wait(e.state_mu);
    auto deadline = SteadyClock::now() + e.options.drain_timeout;
    while (e.active != 0 && !e.force) {
      if (!e.state_cv.wait_until(e.state_mu, deadline)) break;
    }
  }
  e.finish();
}

}  // namespace yiwang::http
