// The HTTP/1.1 server: Boost.Beast transport in front of a Router.
//
// `io_threads` threads each run their own event loop and own the connections accepted onto it;
// they parse requests (keep-alive, pipelined requests answered in order) and write responses.
// Handlers may block on the store, so each parsed request is handed to a bounded pool of
// `worker_threads` (unless its route is declared to run on the I/O thread: see inline_reads); when its queue is full the request is answered at once with a 503 problem
// (Retry-After: 1) instead of queueing without bound. Bodies over `body_limit` get 413, and
// read, write and idle timeouts close slow connections.
//
// Every response carries X-Request-Id (the client's if it is ≤ 64 characters of [A-Za-z0-9_-],
// else a generated one) and X-Content-Type-Options: nosniff. One JSON line per request goes to
// the access log, written by a background thread:
//   {"ts":"2026-11-22T01:30:00.123Z","request_id":…,"remote":…,"method":…,"target":…,
//    "status":200,"bytes":123,"duration_ms":0.42}
//
// Graceful drain (stop(), SIGTERM/SIGINT in run_until_signal()): stop accepting, close idle
// keep-alive connections, let in-flight requests finish and their responses be written (with
// Connection: close), for at most `drain_timeout`; then every connection is closed.
//
// The Router must outlive the Server and is not modified while it runs. Thread-safety: stop() may
// be called from any thread (including a handler); the other methods from the owning thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace yiwang::http {

class Router;

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0 picks a free port: see Server::port()
  int io_threads = 2;
  int worker_threads = 64;
  std::string access_log_path;  // "" stdout, "-" off, else a file (appended)
  std::size_t body_limit = 12 * 1024 * 1024;
  std::chrono::seconds read_timeout{30}, write_timeout{30}, idle_timeout{60};
  std::chrono::seconds drain_timeout{20};
  int max_connections = 10000;  // further connections get a 503 and are closed
  std::size_t queue_limit = 0;  // requests waiting for a worker; 0 means 32 × worker_threads
  // Run the handlers of routes declared Runs::io_thread (http.h) on the I/O thread instead of a
  // worker: answers from memory and short SQLite WAL reads, which do not wait for the writer.
  // PostgreSQL reads cross the network, so the App leaves this off there.
  bool inline_reads = false;
  // Take SIGTERM/SIGINT over in start(), before listening, for run_until_signal() to act on.
  // Off for servers embedded in tests, where a signal should keep its default meaning.
  bool handle_signals = false;
};

class Server {
 public:
  Server(const Router& router, ServerOptions options);
  // Stops and drains if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Throws std::runtime_error on failure (address in use,
  // bad address, unwritable access log). Call once.
  void start();
  // The bound port (the ephemeral one when options.port was 0). Valid after start().
  unsigned short port() const;
  // Blocks until SIGTERM or SIGINT (or stop()), then drains and returns. A second signal skips
  // the rest of the drain.
  void run_until_signal();
  // Begins the drain. Returns at once; safe from any thread, idempotent.
  void stop();
  // Blocks until stop() was called and the drain finished; then all threads are joined.
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yiwang::http
