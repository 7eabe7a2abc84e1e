#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include "core/utf8.h"
#include "lexicon/lexicon.h"

namespace yiwang::lexicon {
namespace {

// ICU's Han-Latin (Mandarin readings, in context for common words), tone marks removed.
class Transliterator {
 public:
  Transliterator() {
    UErrorCode status = U_ZERO_ERROR;
    impl_.reset(icu::Transliterator::createInstance("Han-Latin; Latin-ASCII; Lower", UTRANS_FORWARD,
                                                    status));
    if (U_FAILURE(status) || !impl_) {
      throw std::runtime_error(std::string("ICU Han-Latin transliterator: ") + u_errorName(status));
    }
  }
  std::string spell(const std::string& han) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(han);
    {
      std::lock_guard lock(mu_);
      impl_->transliterate(u);
    }
    std::string out;
    u.toUTF8String(out);
    return out;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<icu::Transliterator> impl_;
};

Transliterator& transliterator() {
  static Transliterator t;
  return t;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Levenshtein distance over the elements of two sequences, one row of the table at a time.
template <class Sequence>
std::size_t levenshtein(const Sequence& a, const Sequence& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::vector<std::string>> han_runs(std::string_view s) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> run;
  auto flush = [&] {
    if (!run.empty()) out.push_back(std::move(run));
    run.clear();
  };
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t start = i;
    auto cp = core::next_code_point(s, i);
    if (!cp) {
      ++i;
      flush();
    } else if (core::is_han(*cp)) {
      run.emplace_back(s.substr(start, i - start));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::vector<std::string> pinyin(std::string_view s) {
  // Runs of Han characters are spelled together (ICU reads some words in context); each Han
  // character gives one syllable.
  std::vector<std::string> out;
  for (const auto& run : han_runs(s)) {
    std::string text;
    for (const auto& c : run) text += c;
    const std::string spelled = transliterator().spell(text);
    std::size_t p = 0;
    while (p < spelled.size()) {
      auto q = spelled.find(' ', p);
      if (q == std::string::npos) q = spelled.size();
      std::string syllable;
      for (char c : spelled.substr(p, q - p)) {
        if (c >= 'a' && c <= 'z') syllable += c;
      }
      if (!syllable.empty()) out.push_back(std::move(syllable));
      p = q + 1;
    }
  }
  return out;
}

std::string fuzzy_syllable(std::string_view syllable) {
  std::string s(syllable);
  if (starts_with(s, "zh") || starts_with(s, "ch") || starts_with(s, "sh")) s.erase(1, 1);
  if (starts_with(s, "l")) s[0] = 'n';
  for (std::string_view nasal : {"ang", "eng", "ing"}) {
    if (ends_with(s, nasal)) {
      s.pop_back();
      break;
    }
  }
  return s;
}

std::size_t edit_distance(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return levenshtein(a, b);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  return levenshtein(a, b);
}

}  // namespace yiwang::lexicon
