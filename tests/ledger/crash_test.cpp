// A crash in the middle of group-committed appends loses nothing that was acknowledged: a child
// process appends from 8 threads and reports every acknowledged (index, entry) down a pipe; the
// parent SIGKILLs it mid-stream, reopens the log over the same SQLite file, and finds each
// acknowledged entry at its index, the tree integrates over everything that survived, and the
// self check passes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/ledger.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_store.h"

namespace yiwang::ledger {
namespace {

std::unique_ptr<store::Store> open_store(const std::string& dir) {
  store::SqliteOptions o;
  o.path = dir + "/ledger.db";
  return store::open_sqlite(o);
}

Options log_options(const std::string& dir) {
  Options o;
  o.origin = "ledger.crash.example";
  o.key_file = dir + "/ledger.key";
  return o;
}

// The child: appends until killed; one line per acknowledged append: "<index> <entry>\n".
[[noreturn]] void append_until_killed(const std::string& dir, int out_fd) {
  auto store = open_store(dir);
  core::SystemClock clock;
  Log log(*store, clock, log_options(dir));
  std::mutex write_mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (long n = 0;; ++n) {
        const std::string entry = "{\"t\":" + std::to_string(t) + ",\"n\":" + std::to_string(n) + "}";
        auto a = log.append(entry);
        if (!a) continue;
        const std::string line = std::to_string(a->index) + " " + entry + "\n";
        std::lock_guard lock(write_mu);
        if (::write(out_fd, line.data(), line.size()) < 0) std::_Exit(3);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::_Exit(0);
}

TEST(LedgerCrash, KilledMidBatchLosesNoAcknowledgedAppend) {
  const std::string dir = yiwang::testing::temp_dir();
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store::migrate(*store, migrations()));
  }
  int fds[2];
  ASSERT_EQ(0, ::pipe(fds));
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    append_until_killed(dir, fds[1]);
  }
  ::close(fds[1]);

  // Read acknowledgements until enough have arrived, then kill the writer in mid-stream.
  std::map<std::int64_t, std::string> acknowledged;
  std::string buffer;
  char chunk[65536];
  while (acknowledged.size() < 20000) {
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
      const std::string line = buffer.substr(start, nl - start);
      const auto space = line.find(' ');
      acknowledged[std::stoll(line.substr(0, space))] = line.substr(space + 1);
    }
    buffer.erase(0, start);
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(fds[0]);
  ASSERT_GE(acknowledged.size(), 20000u) << "the child stopped early";

  auto store = open_store(dir);
  core::SystemClock clock;
  Log log(*store, clock, log_options(dir));
  auto size = log.integrate();
  ASSERT_TRUE(size) << size.error().message_en;
  EXPECT_GT(*size, acknowledged.rbegin()->first) << "an acknowledged index is past the tree";
  int missing = 0;
  for (const auto& [index, entry] : acknowledged) {
    auto e = log.entry(index);
    if (!e || e->data != entry) ++missing;
  }
  EXPECT_EQ(0, missing) << "of " << acknowledged.size() << " acknowledged appends";
  EXPECT_TRUE(log.self_check());
  // The log goes on from where it was.
  auto next = log.append("{\"after\":\"restart\"}");
  ASSERT_TRUE(next);
  EXPECT_EQ(*size, next->index);
}

}  // namespace
}  // namespace yiwang::ledger
