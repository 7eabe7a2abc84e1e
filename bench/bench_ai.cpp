// Appeal classification in process: trains a model on the shared labelled messages (or serves
// the newest one in --models DIR), then T threads classify those messages round-robin for S
// seconds. Prints classifications/s and p50/p99 latency (tokenising + fastText inference).
//
// usage: bench_ai [--data FILE] [--models DIR] [--threads T] [--seconds S]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ai/ai.h"

namespace {
using SteadyClock = std::chrono::steady_clock;
}

int main(int argc, char** argv) {
  using namespace yiwang;
  std::string data = "../shared/data/appeals/labelled.jsonl", models;
  int threads = 2;
  double seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--data")
      data = argv[i + 1];
    else if (a == "--models")
      models = argv[i + 1];
    else if (a == "--threads")
      threads = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr,
                   "usage: bench_ai [--data FILE] [--models DIR] [--threads T] [--seconds S]\n");
      return 2;
    }
  }
  auto examples = ai::load_labelled(data);
  if (!examples) {
    std::fprintf(stderr, "bench_ai: %s\n", examples.error().message_en.c_str());
    return 1;
  }
  bool temp = models.empty();
  if (temp)
    models = (std::filesystem::temp_directory_path() / ("bench-ai-" + std::to_string(::getpid())))
                 .string();
  ai::Classifier classifier(models);
  if (!classifier.activate_latest()) {
    auto t0 = SteadyClock::now();
    auto m = classifier.train(ai::deduplicate(*examples), ai::TrainOptions{});
    if (!m || !classifier.activate(m->version)) {
      std::fprintf(stderr, "bench_ai: training failed\n");
      return 1;
    }
    std::printf("trained v%d on %d messages in %.1f s\n", m->version, m->training_size,
                std::chrono::duration<double>(SteadyClock::now() - t0).count());
  }
  const auto departments = ai::default_departments();
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::size_t i = t * 997;
      while (!stop.load(std::memory_order_relaxed)) {
        const auto& text = (*examples)[i++ % examples->size()].text;
        auto s = SteadyClock::now();
        auto p = classifier.predict(text);
        if (p) (void)departments.count(p->label);
        lat[t].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - s).count());
      }
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto q = [&](double p) { return all.empty() ? 0 : all[std::size_t(p * (all.size() - 1))]; };
  std::printf(
      "threads %d  classifications %zu  %.0f/s  p50 %.3f ms  p99 %.3f ms  (mean text %zu bytes)\n",
      threads, all.size(), all.size() / seconds, q(0.5), q(0.99), [&] {
        std::size_t n = 0;
        for (const auto& e : *examples) n += e.text.size();
        return n / examples->size();
      }());
  if (temp) std::filesystem::remove_all(models);
  return 0;
}
