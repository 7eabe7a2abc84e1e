// Full case lifecycles over HTTP against a running server:
// submit (citizen) → accept (clerk) → approve (reviewer) → grant (approver) → complete (clerk).
// Every reply is a durable commit. Prints lifecycles/s and p50/p99 latency per request kind.
//
// usage: bench_lifecycle --port N [--threads T] [--seconds S]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
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

const char* kItemCode = "11320100BENCH000001";

void ensure_item(yiwang::http::Client& c, const std::string& admin) {
  json item = {{"code", kItemCode},
               {"basic_code", "BENCH01"},
               {"name", "基准测试事项"},
               {"item_type", "01"},
               {"exercise_level", "3"},
               {"dept_id", "scjg"},
               {"promised_limit", 5},
               {"legal_limit", 20},
               {"service_objects", {"1"}},
               {"handling_forms", {"2"}},
               {"case_type", "2"},
               {"form",
                {{{"name", "shop_name"},
                  {"label_zh", "店名"},
                  {"label_en", "Shop name"},
                  {"type", "string"},
                  {"required", true}}}}};
  auto r = c.request("POST", "/api/v1/items", item.dump(), {{"Authorization", "Bearer " + admin}});
  if (!r || (r->status != 201 && r->status != 409)) {
    std::fprintf(stderr, "cannot create bench item: %s\n", r ? r->body.c_str() : "no reply");
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = yiwang::bench::parse_load_options(argc, argv, {8080, 64, 20});
  yiwang::http::Client setup("127.0.0.1", o.port);
  ensure_item(setup, login(setup, "admin"));
  std::map<std::string, std::string> tokens;
  for (const char* u : {"zhangsan", "chuangkou", "shencha", "juece"}) tokens[u] = login(setup, u);

  const std::vector<std::pair<std::string, std::string>> steps = {{"accept", "chuangkou"},
                                                                  {"approve", "shencha"},
                                                                  {"grant", "juece"},
                                                                  {"complete", "chuangkou"}};
  std::mutex mu;
  std::map<std::string, std::vector<double>> latencies;
  std::atomic<long> lifecycles{0}, failures{0};
  std::atomic<bool> stop{false};
  auto deadline = Clock::now() + std::chrono::seconds(o.seconds);

  std::vector<std::thread> workers;
  for (int t = 0; t < o.threads; ++t) {
    workers.emplace_back([&] {
      yiwang::http::Client c("127.0.0.1", o.port);
      std::map<std::string, std::vector<double>> mine;
      auto timed = [&](const std::string& kind, const std::string& method,
                       const std::string& target, const std::string& body,
                       const std::string& user) {
        auto start = Clock::now();
        auto r = c.request(method, target, body, {{"Authorization", "Bearer " + tokens.at(user)}});
        mine[kind].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        return r;
      };
      std::string submit =
          json{{"item_code", kItemCode}, {"form", {{"shop_name", "老王面馆"}}}}.dump();
      while (!stop && Clock::now() < deadline) {
        auto r = timed("submit", "POST", "/api/v1/cases", submit, "zhangsan");
        if (!r || r->status != 201) {
          ++failures;
          continue;
        }
        std::string id = json::parse(r->body).at("id");
        bool ok = true;
        for (const auto& [action, user] : steps) {
          json body = {{"action", action}, {"opinion", "符合条件"}};
          auto a = timed(action, "POST", "/api/v1/cases/" + id + "/actions", body.dump(), user);
          if (!a || a->status != 200) {
            if (failures++ < 3)
              std::fprintf(stderr, "%s: %s\n", action.c_str(), a ? a->body.c_str() : "no reply");
            ok = false;
            break;
          }
        }
        if (ok) ++lifecycles;
      }
      std::lock_guard lock(mu);
      for (auto& [k, v] : mine) latencies[k].insert(latencies[k].end(), v.begin(), v.end());
    });
  }
  auto started = Clock::now();
  for (auto& w : workers) w.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  long requests = 0;
  std::printf("threads=%d seconds=%.1f lifecycles=%ld failures=%ld\n", o.threads, elapsed,
              lifecycles.load(), failures.load());
  std::printf("lifecycles/s=%.0f\n", static_cast<double>(lifecycles) / elapsed);
  std::vector<double> all;
  for (auto& [kind, v] : latencies) {
    requests += static_cast<long>(v.size());
    all.insert(all.end(), v.begin(), v.end());
    std::printf("%-9s n=%-7zu p50=%.2fms p99=%.2fms\n", kind.c_str(), v.size(), percentile(v, 0.5),
                percentile(v, 0.99));
  }
  std::printf("all       requests/s=%.0f p50=%.2fms p99=%.2fms\n",
              static_cast<double>(requests) / elapsed, percentile(all, 0.5), percentile(all, 0.99));
  return failures > lifecycles / 100 ? 1 : 0;
}
