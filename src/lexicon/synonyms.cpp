#include <stdexcept>

#include "core/text.h"
#include "core/utf8.h"
#include "lexicon/lexicon.h"

namespace yiwang::generated {
extern const char* const lexicon_synonyms;
}

namespace yiwang::lexicon {
namespace {

bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000 || c == 0xA0;
}

std::vector<Synonym> parse(std::string_view file) {
  std::vector<Synonym> out;
  for (const std::string& text : data_lines(file)) {
    std::string_view line = text;
    if (normalize(line).empty()) continue;
    auto arrow = line.find("=>");
    if (arrow == std::string_view::npos) {
      throw std::runtime_error("synonyms.txt: no => in: " + std::string(line));
    }
    Synonym s;
    auto left = line.substr(0, arrow);
    std::size_t p = 0;
    while (p <= left.size()) {
      auto bar = left.find('|', p);
      if (bar == std::string_view::npos) bar = left.size();
      if (auto phrase = normalize(left.substr(p, bar - p)); !phrase.empty()) {
        s.phrases.push_back(std::move(phrase));
      }
      p = bar + 1;
    }
    s.expansion = normalize(line.substr(arrow + 2));
    if (s.phrases.empty() || s.expansion.empty()) {
      throw std::runtime_error("synonyms.txt: empty side in: " + std::string(line));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::vector<std::string> data_lines(std::string_view file) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < file.size()) {
    auto end = file.find('\n', start);
    if (end == std::string_view::npos) end = file.size();
    auto line = file.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    out.emplace_back(line);
  }
  return out;
}

std::string normalize(std::string_view s) {
  std::u32string out;
  bool space = false;
  for (char32_t c : core::decode_utf8(s)) {
    // Full-width ASCII, but not the full-width punctuation Chinese text uses as its own.
    if (c >= 0xFF01 && c <= 0xFF5E &&
        !(c == U'（' || c == U'）' || c == U'，' || c == U'？' || c == U'！' || c == U'；' ||
          c == U'：')) {
      c -= 0xFEE0;
    }
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return core::encode_utf8(out);
}

const std::vector<Synonym>& synonyms() {
  static const std::vector<Synonym> parsed = parse(generated::lexicon_synonyms);
  return parsed;
}

}  // namespace yiwang::lexicon
