// The Q&A assistant in process: a demo-seeded App (SQLite) whose catalog also holds I real
// Guangdong service items, with the four seed documents and the guides of D further real items
// imported as policy documents (≥ 1,000 passages); T threads then ask the question set of
// tests/assistant/questions.jsonl round-robin for S seconds. Prints the index size, answers/s,
// p50/p99 latency and the question set's hit@1 / hit@3 at this index size; then the catalog's
// search over the colloquial query sets of tests/catalog (latency and hit rates at this size).
//
// usage: bench_assistant [--items I] [--doc-items D] [--threads T] [--seconds S] [--source DIR]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "assistant/assistant.h"
#include "catalog/catalog.h"
#include "demo/demo.h"
#include "identity/identity.h"

namespace {

namespace fs = std::filesystem;
using namespace yiwang;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int leading_int(const std::string& s) {
  return std::atoi(s.c_str());
}

// The scraped rows mix types (strings, arrays, null): take text where there is text.
std::string str(const json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    std::string out;
    for (const auto& v : *it)
      out += (out.empty() ? "" : "；") + (v.is_string() ? v.get<std::string>() : v.dump());
    return out;
  }
  return it->dump();
}

std::vector<std::string> materials_of(const json& row) {
  std::vector<std::string> out;
  auto it = row.find("material_intro");
  if (it != row.end() && it->is_array()) {
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
  }
  std::string m = str(row, "material_intro");
  // "['a', 'b']" as the scraper wrote it.
  std::size_t pos = 0;
  while ((pos = m.find('\'', pos)) != std::string::npos) {
    auto end = m.find('\'', pos + 1);
    if (end == std::string::npos) break;
    out.push_back(m.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

// The catalog's search at this size: the colloquial queries of tests/catalog (tuning and held
// out) round-robin on one thread for `seconds`; latency, and hit@1 / hit@3 among all the items.
void search_catalog(catalog::Service& catalog, const std::string& source, int seconds) {
  struct Query {
    std::string text, expected;
  };
  std::vector<Query> queries;
  for (const char* f : {"tests/catalog/search_queries_tuning.tsv",
                        "tests/catalog/search_queries_holdout.tsv"}) {
    std::istringstream in(slurp(fs::path(source) / f));
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      auto tab = line.find('\t');
      auto tab2 = line.find('\t', tab + 1);
      queries.push_back({line.substr(0, tab), line.substr(tab + 1, tab2 - tab - 1)});
    }
  }
  int hit1 = 0, hit3 = 0;
  for (const auto& q : queries) {
    catalog::SearchQuery sq;
    sq.q = q.text;
    sq.limit = 3;
    auto r = *catalog.search(sq);
    if (q.expected == "-") {
      hit1 += r.weak;
      hit3 += r.weak;
      continue;
    }
    for (std::size_t i = 0; i < r.items.size(); ++i) {
      if (q.expected.find(r.items[i].code) == std::string::npos) continue;
      hit1 += i == 0;
      ++hit3;
      break;
    }
  }
  std::vector<double> lat;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(seconds);
  for (std::size_t n = 0; SteadyClock::now() < deadline; ++n) {
    catalog::SearchQuery sq;
    sq.q = queries[n % queries.size()].text;
    auto t0 = SteadyClock::now();
    (void)catalog.search(sq);
    lat.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat[std::min(lat.size() - 1, std::size_t(p * lat.size()))]; };
  std::printf(
      "catalog search: %zu queries, hit@1 %.3f, hit@3 %.3f at this size; %zu searches in %d s, "
      "p50 %.2f ms, p99 %.2f ms\n",
      queries.size(), double(hit1) / queries.size(), double(hit3) / queries.size(), lat.size(),
      seconds, pct(0.5), pct(0.99));
}

}  // namespace

int main(int argc, char** argv) {
  int n_items = 200, doc_items = 1200, threads = 2, seconds = 10;
  std::string source = std::getenv("YIWANG_SOURCE_DIR") ? std::getenv("YIWANG_SOURCE_DIR") : ".";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--items")
      n_items = std::atoi(argv[i + 1]);
    else if (a == "--doc-items")
      doc_items = std::atoi(argv[i + 1]);
    else if (a == "--threads")
      threads = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--seconds")
      seconds = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--source")
      source = argv[i + 1];
  }
  const fs::path shared = fs::path(source) / ".." / "shared";
  const fs::path items_file = shared / "data/service-items/guangdong-items.jsonl";
  if (!fs::exists(items_file)) {
    std::fprintf(stderr, "bench_assistant: %s not found (run from the repository root)\n",
                 items_file.c_str());
    return 1;
  }
  auto dir = fs::temp_directory_path() / ("yiwang-bench-assistant-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  app::Config config;
  config.db = (dir / "bench.db").string();
  config.data_dir = (dir / "files").string();
  config.fast_password_hashing = true;
  config.run_followers = false;
  demo::Options demo;
  demo.data_dir = (fs::path(source) / "data/demo").string();
  demo.cases = 0;
  demo.appeals = false;
  demo.grid = false;
  std::ostringstream log;
  if (auto s = demo::seed(config, demo, log); !s) {
    std::fprintf(stderr, "seed: %s\n", s.error().message_en.c_str());
    return 1;
  }
  app::App app(config);
  auto admin = *app.identity().find_by_username("admin");
  auto template_item = *app.catalog().get("11329900MB0120001000");  // 政府信息公开申请: simple form

  std::vector<json> rows;
  {
    std::ifstream in(items_file);
    for (std::string line; std::getline(in, line);) rows.push_back(json::parse(line));
  }
  // (1) Real items published into the catalog (the assistant follows them through events).
  int published = 0;
  for (int i = 0; i < static_cast<int>(rows.size()) && published < n_items; ++i) {
    const auto& r = rows[i];
    catalog::Item item = template_item;
    char code[32];
    std::snprintf(code, sizeof code, "GD%018d", i);
    item.code = code;
    item.basic_code = "GD" + std::to_string(100000 + i);
    item.name = str(r, "TASK_NAME");
    std::string type = str(r, "TASK_TYPE");
    item.item_type = catalog::valid_item_type(type) ? type : "20";
    item.acceptance_conditions = str(r, "accept_standard");
    item.legal_limit = std::max(1, leading_int(str(r, "handle_time")));
    item.promised_limit = std::clamp(leading_int(str(r, "handle_time_limit")), 1, item.legal_limit);
    item.place = str(r, "handle_location");
    item.consult_phone = str(r, "consult_phone");
    item.materials.clear();
    for (const auto& m : materials_of(r)) {
      catalog::Material mat;
      mat.name = m.substr(0, 200);
      mat.originals = 1;
      item.materials.push_back(mat);
    }
    item.faqs.clear();
    item.instant_rules_json.clear();
    auto done = app.catalog().publish(item, admin);
    if (done)
      ++published;
    else if (published == 0 && i < 3)
      std::fprintf(stderr, "publish %s: %s (%s)\n", code, done.error().message_en.c_str(),
                   done.error().field.c_str());
  }
  // (2) The seed documents and the guides of further real items as policy documents.
  for (const auto& e : fs::directory_iterator(shared / "seeds")) {
    (void)app.assistant().import_file(e.path().string(), assistant::system_principal());
  }
  constexpr int kPerDocument = 20;
  for (int start = n_items; start < n_items + doc_items && start < static_cast<int>(rows.size());
       start += kPerDocument) {
    std::string md =
        "# 广东政务服务事项办事指南（第" + std::to_string(start / kPerDocument) + "册）\n";
    for (int i = start; i < start + kPerDocument && i < static_cast<int>(rows.size()); ++i) {
      const auto& r = rows[i];
      md += "\n# " + str(r, "TASK_NAME") + "\n" + str(r, "accept_standard") + "\n" +
            str(r, "handle_location") + "。法定时限" + str(r, "handle_time") + "，承诺时限" +
            str(r, "handle_time_limit") + "。\n";
      auto mats = materials_of(r);
      if (!mats.empty()) {
        md += "申请材料：";
        for (const auto& m : mats) md += m + "；";
        md += "\n";
      }
    }
    assistant::NewDocument d;
    d.content = md;
    d.format = assistant::Format::markdown;
    if (auto added = app.assistant().add_document(d, admin); !added) {
      std::fprintf(stderr, "document: %s\n", added.error().message_en.c_str());
      return 1;
    }
  }
  if (auto s = app.catch_up(); !s) {
    std::fprintf(stderr, "catch up: %s\n", s.error().message_en.c_str());
    return 1;
  }
  auto docs = *app.assistant().documents(admin);
  int doc_passages = 0;
  for (const auto& d : docs) doc_passages += d.passages;
  auto stats = app.assistant().stats();
  std::printf(
      "index: %d items (%d real Guangdong items published), %d documents, %d document passages, "
      "%d passages incl. item guide sections\n",
      stats.items, published, stats.documents, doc_passages, stats.passages);

  auto cases =
      *assistant::parse_eval_cases(slurp(fs::path(source) / "tests/assistant/questions.jsonl"));
  auto quality = app.assistant().evaluate(cases);
  std::printf("question set at this size: %d questions, hit@1 %.3f, hit@3 %.3f, handoffs %d\n",
              quality.questions, double(quality.hit1) / quality.questions,
              double(quality.hit3) / quality.questions, quality.handoffs);

  std::vector<std::vector<double>> lat(threads);
  std::atomic<long> failed{0};
  const auto start = SteadyClock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (std::size_t n = t; SteadyClock::now() < deadline; ++n) {
        assistant::Question q;
        q.question = cases[n % cases.size()].q;
        auto t0 = SteadyClock::now();
        auto a = app.assistant().ask(q);
        lat[t].push_back(
            std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        if (!a) failed.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, std::size_t(p * all.size()))];
  };
  std::printf(
      "ask: %d threads, %d s: %zu answers, %.0f answers/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, "
      "errors %ld\n",
      threads, seconds, all.size(), all.size() / elapsed, pct(0.5), pct(0.99),
      all.empty() ? 0.0 : all.back(), failed.load());
  search_catalog(app.catalog(), source, seconds);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
