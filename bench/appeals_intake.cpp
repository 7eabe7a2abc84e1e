// 12345 intake over HTTP against a running server: hotline operators enter phone calls (POST
// /api/v1/appeals, channel phone, a different caller each time, so neither merging nor the
// per-caller rate limit applies), each reply a durable commit. Then it waits until AI dispatch
// (the event-stream follower that classifies every new appeal) has handled them all.
// Prints intake/s, p50/p99 latency and the dispatcher's catch-up time.
//
// usage: bench_appeals_intake --port N [--threads T] [--seconds S]
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

// Calls as they come in: a few kinds of matter, each in the caller's words.
const char* kMatters[][2] = {
    {"小区路灯不亮", "幸福小区 3 号楼前的路灯坏了一个多星期，晚上出行很不方便，请尽快维修。"},
    {"夜间施工噪音扰民", "人民路工地每天夜里十二点以后还在施工，噪音很大，影响休息。"},
    {"超市出售过期食品", "解放路一家超市货架上有过期的酸奶和面包，希望市场监管部门查处。"},
    {"咨询社保转移", "我从外地调到本市工作，想咨询养老保险关系怎么转移，需要什么材料。"},
    {"学校周边交通拥堵", "实验小学放学时门口道路拥堵严重，建议增加交警疏导或设置临时停车区。"},
    {"河道垃圾漂浮", "城东河段水面上漂着很多垃圾，气味难闻，请环保部门清理。"},
};

long count_accepted(yiwang::http::Client& c, const std::string& token) {
  auto r = c.request("GET", "/api/v1/appeals?state=accepted&limit=1", "",
                     {{"Authorization", "Bearer " + token}});
  if (!r || r->status != 200) return -1;
  return json::parse(r->body).at("total").get<long>();
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = yiwang::bench::parse_load_options(argc, argv, {8080, 16, 20});
  yiwang::http::Client setup("127.0.0.1", o.port);
  const std::string token = login(setup, "12345.clerk");
  const long queued_before = count_accepted(setup, token);

  std::mutex mu;
  std::vector<double> latencies;
  std::atomic<long> filed{0}, failures{0}, dispatched_at_intake{0};
  std::atomic<long> caller{0};
  auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < o.threads; ++t) {
    workers.emplace_back([&] {
      yiwang::http::Client c("127.0.0.1", o.port);
      std::vector<double> mine;
      while (Clock::now() < deadline) {
        const long n = caller++;
        const auto& m = kMatters[n % 6];
        json body = {{"channel", "phone"},
                     {"type", n % 6 == 3 ? "consult" : "complaint"},
                     {"title", m[0]},
                     {"text", std::string(m[1]) + "（来电 " + std::to_string(n) + "）"},
                     {"location", "江宁市"},
                     {"caller", {{"name", "来电人"}, {"phone", std::to_string(13000000000L + n)}}}};
        auto start = Clock::now();
        auto r = c.request("POST", "/api/v1/appeals", body.dump(),
                           {{"Authorization", "Bearer " + token},
                            {"Idempotency-Key", "bench-" + std::to_string(n)}});
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (!r || r->status != 201) {
          if (failures++ < 3)
            std::fprintf(stderr, "intake: %s\n", r ? r->body.c_str() : "no reply");
          continue;
        }
        ++filed;
        if (json::parse(r->body).value("state", "") != "accepted") ++dispatched_at_intake;
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  auto started = Clock::now();
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  // AI dispatch runs beside intake; measure how long it needs to empty what intake left.
  auto drain_start = Clock::now();
  long left = count_accepted(setup, token);
  long floor = left;
  for (int i = 0; i < 600 && left > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = count_accepted(setup, token);
    // Low-confidence appeals stay for the dispatcher: stop once the queue no longer shrinks.
    if (left == floor && i > 20) break;
    floor = std::min(floor, left);
  }
  const double drain = std::chrono::duration<double>(Clock::now() - drain_start).count();

  std::printf("threads=%d seconds=%.1f filed=%ld failures=%ld\n", o.threads, elapsed, filed.load(),
              failures.load());
  std::printf("intake/s=%.0f p50=%.2fms p99=%.2fms\n", static_cast<double>(filed) / elapsed,
              percentile(latencies, 0.5), percentile(latencies, 0.99));
  std::printf(
      "dispatch queue: %ld before, %ld after intake drained in %.1fs (low-confidence "
      "appeals stay for the dispatcher)\n",
      queued_before, left, drain);
  return failures > filed / 100 ? 1 : 0;
}
