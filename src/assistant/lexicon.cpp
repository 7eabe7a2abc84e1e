#include "assistant/lexicon.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "assistant/text.h"
#include "lexicon/lexicon.h"

namespace yiwang::generated {
extern const char* const assistant_question_words;
extern const char* const assistant_intents;
extern const char* const assistant_blocked;
extern const char* const assistant_life_events;
}  // namespace yiwang::generated

namespace yiwang::assistant {
namespace {

std::vector<std::string> split_on(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    auto piece = text::trim(s.substr(start, end - start));
    if (!piece.empty()) out.push_back(piece);
    start = end + 1;
  }
  return out;
}

bool longer(const std::string& a, const std::string& b) {
  auto la = core::utf8_length(a), lb = core::utf8_length(b);
  return la != lb ? la > lb : a < b;
}

void blank_out(std::string& s, const std::string& phrase) {
  if (phrase.empty()) return;
  for (auto pos = s.find(phrase); pos != std::string::npos; pos = s.find(phrase, pos + 1)) {
    s.replace(pos, phrase.size(), " ");
  }
}

}  // namespace

Lexicon Lexicon::load() {
  Lexicon lx;
  // One source with the catalog's search (data/lexicon/synonyms.txt).
  for (const auto& s : lexicon::synonyms()) lx.synonyms.push_back({s.phrases, s.expansion});
  for (const auto& line : lexicon::data_lines(generated::assistant_question_words)) {
    lx.drop.push_back(text::normalize(line));
  }
  for (const auto& line : lexicon::data_lines(generated::assistant_intents)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) throw std::runtime_error("intents.txt: no tab in: " + line);
    std::string intent = text::trim(line.substr(0, tab));
    for (auto& p : split_on(line.substr(tab + 1), ',')) {
      lx.intents.emplace_back(text::normalize(p), intent);
      lx.drop.push_back(text::normalize(p));
    }
  }
  for (const auto& line : lexicon::data_lines(generated::assistant_blocked)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) throw std::runtime_error("blocked.txt: no tab in: " + line);
    std::string phrase = text::normalize(line.substr(tab + 1));
    phrase.erase(std::remove(phrase.begin(), phrase.end(), ' '), phrase.end());
    lx.blocked.emplace_back(text::trim(line.substr(0, tab)), phrase);
  }
  std::sort(lx.drop.begin(), lx.drop.end(), longer);
  std::stable_sort(lx.intents.begin(), lx.intents.end(),
                   [](const auto& a, const auto& b) { return longer(a.first, b.first); });

  auto events = nlohmann::json::parse(generated::assistant_life_events);
  for (const auto& e : events) {
    Bundle b;
    b.event.id = e.at("id").get<std::string>();
    b.event.name = e.at("name").get<std::string>();
    b.event.description = e.value("description", "");
    for (const auto& a : e.at("aliases"))
      b.event.aliases.push_back(text::normalize(a.get<std::string>()));
    int order = 0;
    for (const auto& s : e.at("steps")) {
      Step step;
      step.order = ++order;
      step.item_code = s.at("item_code").get<std::string>();
      step.title = s.at("title").get<std::string>();
      step.note = s.value("note", "");
      b.steps.push_back(std::move(step));
    }
    lx.bundles.push_back(std::move(b));
  }
  return lx;
}

Rewritten rewrite(const Lexicon& lx, const std::string& normalized) {
  Rewritten r;
  r.normalized = normalized;
  std::size_t best = std::string::npos;
  for (const auto& [phrase, intent] : lx.intents) {
    auto pos = normalized.find(phrase);
    // The intent named first in the question wins ("材料和时限" asks for materials).
    if (pos != std::string::npos && pos < best) {
      best = pos;
      r.intent = intent;
    }
  }
  // Phrases match with or without the particle 的 ("查政府的文件" ~ "查政府文件").
  std::string plain = normalized;
  for (auto pos = plain.find("的"); pos != std::string::npos; pos = plain.find("的"))
    plain.erase(pos, 3);
  for (const auto& s : lx.synonyms) {
    for (const auto& p : s.phrases) {
      if (normalized.find(p) != std::string::npos || plain.find(p) != std::string::npos) {
        r.expansions.push_back(s.expansion);
        break;
      }
    }
  }
  r.topic = normalized;
  for (const auto& d : lx.drop) blank_out(r.topic, d);
  // Punctuation carries no topic.
  std::string cleaned;
  for (char32_t c : text::decode(r.topic)) {
    bool keep = core::is_han(c) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '+';
    cleaned += keep ? text::encode(std::u32string(1, c)) : " ";
  }
  r.topic = text::normalize(cleaned);
  return r;
}

std::string blocked_kind(const Lexicon& lx, const std::string& normalized) {
  std::string squeezed = normalized;
  squeezed.erase(std::remove(squeezed.begin(), squeezed.end(), ' '), squeezed.end());
  for (const auto& [kind, phrase] : lx.blocked) {
    if (squeezed.find(phrase) != std::string::npos) return kind;
  }
  return "";
}

}  // namespace yiwang::assistant
