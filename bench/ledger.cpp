// Transparency-log throughput in process, on the real durable store: T threads append entries of
// realistic size (a government act's canonical JSON, ~400 bytes) for S seconds while the sequencer
// integrates and signs a checkpoint every interval. Prints appends/s and, for every entry, the
// time from its durable append to the first signed checkpoint covering it (p50/p99).
//
// usage: bench_ledger [--threads T] [--seconds S] [--interval-ms M] [--postgres CONNINFO]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.h"
#include "core/clock.h"
#include "events/events.h"
#include "ledger/ledger.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using yiwang::bench::percentile;

using SteadyClock = std::chrono::steady_clock;

struct Options {
  int threads = 64;
  int seconds = 10;
  int interval_ms = 1000;
  std::string postgres;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--threads")
      o.threads = std::atoi(argv[i + 1]);
    else if (k == "--seconds")
      o.seconds = std::atoi(argv[i + 1]);
    else if (k == "--interval-ms")
      o.interval_ms = std::atoi(argv[i + 1]);
    else if (k == "--postgres")
      o.postgres = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

std::string act_entry(int thread, long n) {
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      R"({"act":"case.granted","at":"2026-11-23T10:00:00.000+08:00","dept":"scjg",)"
      R"("details":{"item_code":"11329900MB0201001000","item_version":3},)"
      R"("document_sha256":"9f2c4e1b7a2d8c3e5f60718293a4b5c6d7e8f90112233445566778899aabbccd",)"
      R"("event_seq":%ld,"party":"0c8e2d4f6a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d",)"
      R"("role":"approver","subject":{"id":"YW20261123%02d%06ld","type":"case"},"v":1})",
      n, thread % 100, n % 1000000);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace yiwang;
  const Options o = parse(argc, argv);
  auto dir = std::filesystem::temp_directory_path() /
             ("yiwang-bench-ledger-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::unique_ptr<store::Store> store;
  if (o.postgres.empty()) {
    store::SqliteOptions so;
    so.path = (dir / "ledger.db").string();
    store = store::open_sqlite(so);
  } else {
    store::PostgresOptions po;
    po.conninfo = o.postgres;
    store = store::open_postgres(po);
  }
  auto migrations = events::migrations();
  auto lm = ledger::migrations();
  migrations.insert(migrations.end(), lm.begin(), lm.end());
  if (!store::migrate(*store, migrations)) {
    std::fprintf(stderr, "migration failed\n");
    return 1;
  }
  core::SystemClock clock;
  ledger::Options lo;
  lo.key_file = (dir / "ledger.key").string();
  lo.checkpoint_interval = std::chrono::milliseconds(o.interval_ms);
  ledger::Log log(*store, clock, lo);

  // Append times by index, filled by the appenders; read by the checkpoint watcher.
  std::mutex mu;
  std::vector<std::pair<std::int64_t, SteadyClock::time_point>> appended;
  std::vector<double> to_checkpoint_ms;
  std::atomic<bool> stop{false};
  std::atomic<long> count{0}, failures{0};

  std::vector<double> integrate_ms;
  std::thread sequencer([&] {
    std::int64_t covered = 0;
    // Fixed rate, as the server's follower loop runs: the next round starts one interval after
    // the previous one started, not after it finished.
    auto next = SteadyClock::now();
    while (!stop.load()) {
      next += std::chrono::milliseconds(o.interval_ms);
      std::this_thread::sleep_until(next);
      const auto began = SteadyClock::now();
      auto size = log.integrate();
      if (!size) continue;
      auto now = SteadyClock::now();
      integrate_ms.push_back(std::chrono::duration<double, std::milli>(now - began).count());
      std::lock_guard lock(mu);
      auto keep = std::partition(appended.begin(), appended.end(),
                                 [&](const auto& a) { return a.first >= *size; });
      for (auto it = keep; it != appended.end(); ++it) {
        to_checkpoint_ms.push_back(
            std::chrono::duration<double, std::milli>(now - it->second).count());
      }
      appended.erase(keep, appended.end());
      covered = *size;
    }
    (void)covered;
  });

  const auto start = SteadyClock::now();
  const auto deadline = start + std::chrono::seconds(o.seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < o.threads; ++t) {
    workers.emplace_back([&, t] {
      long n = 0;
      while (SteadyClock::now() < deadline) {
        auto r = log.append(act_entry(t, n++));
        if (!r) {
          failures.fetch_add(1);
          continue;
        }
        count.fetch_add(1);
        std::lock_guard lock(mu);
        appended.emplace_back(r->index, SteadyClock::now());
      }
    });
  }
  for (auto& w : workers) w.join();
  const double secs = std::chrono::duration<double>(SteadyClock::now() - start).count();
  // Let the sequencer cover the tail, then stop it.
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * o.interval_ms + 200));
  stop = true;
  sequencer.join();

  auto self = log.self_check();
  std::printf("backend %s, %d threads, %d s, checkpoint every %d ms\n",
              o.postgres.empty() ? "sqlite" : "postgres", o.threads, o.seconds, o.interval_ms);
  std::printf("appends: %ld (%.0f/s durable), failures %ld\n", count.load(),
              static_cast<double>(count.load()) / secs, failures.load());
  std::printf("append → signed checkpoint: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%zu entries)\n",
              percentile(to_checkpoint_ms, 0.50), percentile(to_checkpoint_ms, 0.99),
              percentile(to_checkpoint_ms, 1.0), to_checkpoint_ms.size());
  std::printf("integrate + sign per checkpoint: p50 %.0f ms, max %.0f ms (%zu checkpoints)\n",
              percentile(integrate_ms, 0.50), percentile(integrate_ms, 1.0), integrate_ms.size());
  std::printf("self check: %s\n", self ? "ok" : self.error().message_en.c_str());
  std::filesystem::remove_all(dir);
  return self ? 0 : 1;
}
