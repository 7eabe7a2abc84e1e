// The assistant's common ground: construction, document formats, the command line's principal,
// and the evaluation of question sets.
#include <algorithm>
#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "assistant/internal.h"
#include "assistant/text.h"
#include "core/names.h"

namespace yiwang::generated {
std::vector<store::Migration> assistant_migrations();
}

namespace yiwang::assistant {

namespace {

using Json = nlohmann::json;

constexpr auto kFormats = core::enum_names<Format>("text", "markdown", "html", "pdf");

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::assistant_migrations();
}

std::string_view to_string(Format f) {
  return kFormats.name(f);
}

std::optional<Format> parse_format(std::string_view name) {
  return kFormats.parse(name);
}

std::optional<Format> format_of_path(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "txt") return Format::text;
  if (ext == "md" || ext == "markdown") return Format::markdown;
  if (ext == "html" || ext == "htm") return Format::html;
  if (ext == "pdf") return Format::pdf;
  return std::nullopt;
}

identity::Principal system_principal() {
  identity::Principal p;
  p.user_id = "system";
  p.username = "system";
  p.kind = identity::Kind::official;
  p.roles.insert(identity::Role::admin);
  return p;
}

Result<std::vector<EvalCase>> parse_eval_cases(std::string_view jsonl) {
  std::vector<EvalCase> out;
  std::size_t start = 0;
  int line_no = 0;
  while (start < jsonl.size()) {
    auto end = jsonl.find('\n', start);
    if (end == std::string_view::npos) end = jsonl.size();
    auto line = text::trim(jsonl.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    auto j = Json::parse(line, nullptr, false);
    auto bad = [&](const std::string& why) {
      return fail(ErrorCode::invalid_input, "/lines/" + std::to_string(line_no),
                  "第" + std::to_string(line_no) + "行：" + why,
                  "line " + std::to_string(line_no) + ": " + why);
    };
    if (!j.is_object() || !j.contains("q") || !j["q"].is_string())
      return bad("expected {q, expect}");
    EvalCase c;
    c.q = j["q"].get<std::string>();
    if (j.contains("expect") && j["expect"].is_string()) {
      c.expect.push_back(j["expect"].get<std::string>());
    } else if (j.contains("expect") && j["expect"].is_array()) {
      for (const auto& e : j["expect"]) {
        if (!e.is_string()) return bad("expect must be strings");
        c.expect.push_back(e.get<std::string>());
      }
    }
    if (c.expect.empty()) return bad("expect missing");
    out.push_back(std::move(c));
  }
  return out;
}

Service::Impl::Impl(store::Store& s, const core::Clock& c, core::Random& r, catalog::Service& cat,
                    Options o)
    : store(s),
      clock(c),
      random(r),
      catalog(cat),
      options(std::move(o)),
      lexicon(Lexicon::load()) {}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 catalog::Service& catalog, Options options)
    : impl_(std::make_unique<Impl>(store, clock, random, catalog, std::move(options))) {
  impl_->rebuild();
}

Service::~Service() = default;

EvalReport Service::evaluate(const std::vector<EvalCase>& cases) {
  EvalReport r;
  std::vector<double> ms;
  for (const auto& c : cases) {
    ++r.questions;
    Question q;
    q.question = c.q;
    auto t0 = std::chrono::steady_clock::now();
    auto a = ask(q);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    int rank = -1;
    if (a) {
      r.handoffs += a->handoff;
      core::MutexLock lock(impl_->mu);
      for (std::size_t i = 0; i < a->sources.size() && i < 3 && rank < 0; ++i) {
        const auto& s = a->sources[i];
        for (const auto& e : c.expect) {
          bool hit = s.ref == e;
          if (!hit && s.kind == "document") {
            auto it = impl_->passages.find(s.ref);
            hit = s.title.find(e) != std::string::npos ||
                  (it != impl_->passages.end() &&
                   it->second.passage.text.find(e) != std::string::npos);
          }
          if (hit) {
            rank = static_cast<int>(i);
            break;
          }
        }
      }
    }
    if (rank == 0) ++r.hit1;
    if (rank >= 0)
      ++r.hit3;
    else {
      std::string top = !a                   ? "error: " + a.error().message_en
                        : a->sources.empty() ? "(no source)"
                                             : a->sources[0].ref + " " + a->sources[0].title;
      r.misses.push_back(c.q + " → " + top);
    }
  }
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    r.p50_ms = ms[ms.size() / 2];
    r.p99_ms =
        ms[std::min(ms.size() - 1, static_cast<std::size_t>(std::ceil(ms.size() * 0.99)) - 1)];
  }
  return r;
}

Stats Service::stats() const {
  core::MutexLock lock(impl_->mu);
  Stats s;
  s.items = static_cast<int>(impl_->items.size());
  s.documents = static_cast<int>(impl_->docs.size());
  s.passages = static_cast<int>(impl_->passages.size()) + impl_->section_count;
  return s;
}

}  // namespace yiwang::assistant
