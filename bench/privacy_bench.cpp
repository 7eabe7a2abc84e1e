// privacy::redact on real citizens' messages and the government's replies: every title, text and
// reply of the shared appeal files, redacted R times. Prints texts, microseconds per call (CPU
// time, median run), how many were held and how often each kind was found.
//
// usage: bench_privacy [--data DIR] [--runs R]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "privacy/redact.h"

int main(int argc, char** argv) {
  std::string dir = "../shared/data/appeals";
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--data") {
      dir = argv[i + 1];
    } else if (a == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    }
  }
  std::vector<std::string> texts;
  for (const char* file : {"with-replies.jsonl", "with-likes.jsonl", "labelled.jsonl"}) {
    std::ifstream in(dir + "/" + file);
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      for (const char* key : {"title", "text", "reply"}) {
        if (j.contains(key) && j[key].is_string()) texts.push_back(j[key].get<std::string>());
      }
    }
  }
  if (texts.empty()) {
    std::fprintf(stderr, "no texts under %s\n", dir.c_str());
    return 1;
  }
  std::size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();

  std::vector<double> us;
  std::size_t held = 0;
  std::map<std::string, std::size_t> kinds;
  for (int r = 0; r < runs; ++r) {
    held = 0;
    kinds.clear();
    std::clock_t c0 = std::clock();
    for (const auto& t : texts) {
      auto out = yiwang::privacy::redact(t);
      held += out.held;
      for (const auto& k : out.kinds) ++kinds[k];
    }
    us.push_back(1e6 * double(std::clock() - c0) / CLOCKS_PER_SEC / double(texts.size()));
  }
  std::sort(us.begin(), us.end());
  std::printf("texts %zu  mean length %zu bytes  %.1f us per redact  held %zu (%.2f %%)\n",
              texts.size(), bytes / texts.size(), us[us.size() / 2], held,
              100.0 * double(held) / double(texts.size()));
  for (const auto& [k, n] : kinds) std::printf("  %-20s %zu\n", k.c_str(), n);
  return 0;
}
