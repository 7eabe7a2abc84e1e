// Grid event intake over HTTP against a running demo server: supervisors (监督员) report events
// at points spread over the demo district (POST /api/v1/grid/events: class check, point-in-polygon
// assignment to cell, community and street, the first step of the 7-step loop on the
// working-hours clock, an event), each reply a durable commit. Prints reports/s and p50/p99.
//
// usage: bench_grid_intake --port N [--threads T] [--seconds S]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_common.h"
#include "http/client.h"

namespace {

using yiwang::bench::login;
using yiwang::bench::percentile;

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The demo district (grid::DemoOptions): 10 × 6 cells of 0.004° from (118.78, 31.95).
const char* kClasses[] = {"0101", "0103", "0201", "0301", "0405", "0502", "0504"};

}  // namespace

int main(int argc, char** argv) {
  const auto o = yiwang::bench::parse_load_options(argc, argv, {8080, 16, 10});
  yiwang::http::Client setup("127.0.0.1", o.port);
  const std::string token = login(setup, "grid.jdy01");

  std::mutex mu;
  std::vector<double> latencies;
  std::atomic<long> filed{0}, failures{0}, next{0};
  const auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < o.threads; ++t) {
    workers.emplace_back([&] {
      yiwang::http::Client c("127.0.0.1", o.port);
      std::vector<double> mine;
      while (Clock::now() < deadline) {
        const long n = next++;
        // A point inside cell (n % 60), away from its edges.
        const double lon =
            118.78 + 0.004 * static_cast<double>(n % 10) + 0.001 + 0.00002 * (n % 97);
        const double lat =
            31.95 + 0.004 * static_cast<double>((n / 10) % 6) + 0.001 + 0.00002 * (n % 89);
        json body = {{"source", "supervisor"},
                     {"class_code", kClasses[n % 7]},
                     {"description", "巡查发现问题，编号 " + std::to_string(n)},
                     {"location", {{"lon", lon}, {"lat", lat}}}};
        auto start = Clock::now();
        auto r = c.request("POST", "/api/v1/grid/events", body.dump(),
                           {{"Authorization", "Bearer " + token}});
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (!r || r->status != 201) {
          if (failures++ < 3)
            std::fprintf(stderr, "report: %s\n", r ? r->body.c_str() : "no reply");
          continue;
        }
        ++filed;
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  const auto started = Clock::now();
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("threads=%d seconds=%.1f filed=%ld failures=%ld\n", o.threads, elapsed, filed.load(),
              failures.load());
  std::printf("reports/s=%.0f p50=%.2fms p99=%.2fms\n", static_cast<double>(filed) / elapsed,
              percentile(latencies, 0.5), percentile(latencies, 0.99));
  return failures > filed / 100 ? 1 : 0;
}
