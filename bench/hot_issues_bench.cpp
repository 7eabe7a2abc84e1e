// Hot-issue grouping in process: reads the shared messages with likes and groups them, then the
// same messages copied K times (each copy shifted by a year, with its own users and ids, so that
// copies do not merge) to see how the time grows towards 100,000 messages; --shift-days 1 packs
// the copies into the same weeks instead, the worst case for the candidate search. Prints
// messages, issues found and milliseconds per run.
//
// usage: bench_hot_issues [--data FILE] [--copies K] [--shift-days D] [--runs R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "appeals/hot_issues.h"

namespace {

using yiwang::appeals::HotMessage;

yiwang::core::Millis parse_time(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se) < 3) return 0;
  yiwang::core::Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                          std::chrono::day(static_cast<unsigned>(d))};
  return yiwang::core::china_midnight(date) + ((h * 60 + mi) * 60 + se) * 1000LL;
}

double run(const std::vector<HotMessage>& messages, int runs, std::size_t& issues) {
  std::vector<double> ms;
  yiwang::appeals::HotOptions o;
  o.recency_half_life_days = 0;
  for (int r = 0; r < runs; ++r) {
    // CPU time: the figure should not depend on what else the machine is doing.
    std::clock_t c0 = std::clock();
    auto result = yiwang::appeals::find_hot_issues(messages, o);
    ms.push_back(1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC);
    issues = result.issues.size();
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "../shared/data/appeals/with-likes.jsonl";
  int copies = 23, runs = 3, shift_days = 1098;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--data") {
      data = argv[i + 1];
    } else if (a == "--copies") {
      copies = std::max(1, std::atoi(argv[i + 1]));
    } else if (a == "--shift-days") {
      shift_days = std::atoi(argv[i + 1]);
    } else if (a == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else {
      std::fprintf(
          stderr,
          "usage: bench_hot_issues [--data FILE] [--copies K] [--shift-days D] [--runs R]\n");
      return 2;
    }
  }
  std::vector<HotMessage> base;
  std::ifstream in(data);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    HotMessage m;
    m.id = std::to_string(j.value("id", 0));
    m.user = j.value("user", "");
    m.title = j.value("title", "");
    m.text = j.value("text", "");
    m.created_at_ms = parse_time(j.value("time", ""));
    m.likes = j.value("likes", 0);
    base.push_back(std::move(m));
  }
  if (base.empty()) {
    std::fprintf(stderr, "bench_hot_issues: no messages in %s\n", data.c_str());
    return 1;
  }
  std::size_t issues = 0;
  double ms = run(base, runs, issues);
  std::printf("messages %zu  issues %zu  %.1f ms CPU (median of %d)\n", base.size(), issues, ms,
              runs);

  std::vector<HotMessage> many;
  many.reserve(base.size() * static_cast<std::size_t>(copies));
  for (int k = 0; k < copies; ++k) {
    for (const auto& m : base) {
      HotMessage c = m;
      c.id = std::to_string(k) + "-" + m.id;
      c.user = std::to_string(k) + "-" + m.user;
      c.created_at_ms += k * static_cast<long long>(shift_days) * yiwang::core::kDayMs;
      many.push_back(std::move(c));
    }
  }
  ms = run(many, runs, issues);
  std::printf("messages %zu  issues %zu  %.1f ms CPU (median of %d)\n", many.size(), issues, ms,
              runs);
  return 0;
}
