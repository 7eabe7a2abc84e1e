// Demo data for a fictional city (江宁市): departments, demo accounts, the service catalog from
// data/demo/*.json, and a few hundred cases in varied states and ages, so that queues, clocks,
// alerts, ratings and roll-ups are not empty. Cases are aged by running the real services under
// a manual clock that walks through the past 60 days.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "app/app.h"
#include "core/result.h"

namespace yiwang::demo {

struct Options {
  std::string data_dir;  // folder with departments.json and items.json
  int cases = 300;
  // The 12345 history and a trained appeal classifier, from ../shared/data/appeals when present
  // (training takes a few seconds: tests that do not need them turn them off).
  bool appeals = true;
  // A fictional district's city-management grid: cells, components and 90 days of events
  // (under a second on SQLite, about half a minute on PostgreSQL).
  bool grid = true;
  std::uint64_t seed = 20261122;  // same seed, same demo
};

// The password of every demo account.
inline constexpr const char* kPassword = "yiwang-demo";

// data/demo next to the working directory, else relative to the binary (build/yiwang →
// ../data/demo).
std::string default_data_dir(const char* argv0);

// Seeds the store named by `config` unless it already holds the demo accounts. Idempotent.
Status seed(const app::Config& config, const Options& options, std::ostream& log);

void print_accounts(std::ostream& out, const app::Config& config);

}  // namespace yiwang::demo
