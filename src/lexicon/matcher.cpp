#include <algorithm>
#include <limits>
#include <optional>

#include "core/utf8.h"
#include "lexicon/lexicon.h"

namespace yiwang::lexicon {
namespace {

// The Latin letters of a query, joined ("kai fan dian" → "kaifandian").
std::string letters_of(std::string_view q) {
  std::string out;
  for (char c : q) {
    if (c >= 'a' && c <= 'z') out += c;
  }
  return out;
}

bool is_letter(char c) {
  return c >= 'a' && c <= 'z';
}

// `phrase` occurs in `text`; a phrase that starts or ends with a Latin letter must not continue a
// word there ("ai" is not in "kaifandian").
bool occurs(std::string_view text, std::string_view phrase) {
  for (auto pos = text.find(phrase); pos != std::string_view::npos;
       pos = text.find(phrase, pos + 1)) {
    auto end = pos + phrase.size();
    bool open_start = !is_letter(phrase.front()) || pos == 0 || !is_letter(text[pos - 1]);
    bool open_end = !is_letter(phrase.back()) || end == text.size() || !is_letter(text[end]);
    if (open_start && open_end) return true;
  }
  return false;
}

std::vector<std::string> fuzzy(std::vector<std::string> syllables) {
  for (auto& s : syllables) s = fuzzy_syllable(s);
  return syllables;
}

// The smallest edit distance between `needle` and any run of `hay` (Sellers' variant of
// Levenshtein: a match may start and end anywhere in the haystack).
std::size_t distance_within(const std::vector<std::string>& needle,
                            const std::vector<std::string>& hay) {
  std::vector<std::size_t> row(hay.size() + 1, 0);  // row 0: free start anywhere
  for (std::size_t i = 1; i <= needle.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= hay.size(); ++j) {
      std::size_t above = row[j];
      row[j] =
          std::min({row[j] + 1, row[j - 1] + 1, diagonal + (needle[i - 1] == hay[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return *std::min_element(row.begin(), row.end());
}

// How far off a spelling may be and still match: none for short words, where a letter changes
// the word; one from 6 letters, two from 10.
std::size_t letters_allowed(std::size_t length) {
  return length >= 10 ? 2 : length >= 6 ? 1 : 0;
}

// How many syllables a sound match may get wrong: none up to two syllables (a two-character
// word with one character changed is another word, and so is most often a three-character one),
// one up to seven, two from eight.
std::size_t syllables_allowed(std::size_t length) {
  return length >= 8 ? 2 : length >= 4 ? 1 : 0;
}

}  // namespace

Matcher::Matcher(std::vector<std::string> phrases) {
  entries_.reserve(phrases.size());
  for (auto& p : phrases) {
    Entry e;
    e.text = normalize(p);
    auto spelled = pinyin(e.text);
    for (const auto& s : spelled) {
      e.spelled += s;
      e.initials += s[0];
    }
    e.syllables = fuzzy(std::move(spelled));
    e.chars = core::utf8_length(e.text);
    entries_.push_back(std::move(e));
  }
}

std::vector<Matcher::Match> Matcher::match(std::string_view query) const {
  std::string q = normalize(query);
  std::string squeezed = q;
  squeezed.erase(std::remove(squeezed.begin(), squeezed.end(), ' '), squeezed.end());
  std::string letters = letters_of(q);
  std::vector<std::string> sounds = fuzzy(pinyin(q));

  std::vector<Match> out;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (e.text.empty()) continue;
    if (occurs(q, e.text) || occurs(squeezed, e.text)) {
      out.push_back({i, Kind::literal, 0});
      continue;
    }
    std::optional<Match> best;
    auto consider = [&](Kind kind, std::size_t distance) {
      Match m{i, kind, static_cast<int>(distance)};
      if (!best || kind < best->kind || (kind == best->kind && m.distance < best->distance)) {
        best = m;
      }
    };
    if (letters.size() >= 2 && !e.spelled.empty()) {
      if (letters == e.spelled) {
        consider(Kind::pinyin, 0);
      } else if (e.spelled.size() >= 6 && letters.find(e.spelled) != std::string::npos) {
        consider(Kind::pinyin, 1);  // "banyingyezhizhao" holds 营业执照
      } else if (letters.size() >= 5 && e.spelled.rfind(letters, 0) == 0) {
        consider(Kind::pinyin, 1);  // a prefix: "yingyezhi"
      } else if (auto d = edit_distance(letters, e.spelled);
                 d <= letters_allowed(e.spelled.size())) {
        consider(Kind::pinyin, d);
      }
      if (letters == e.initials) {
        consider(Kind::initials, 0);
      } else if (letters.size() >= 4 && e.initials.find(letters) != std::string::npos) {
        consider(Kind::initials, 1);  // part of a longer name: "gjjtq" in 住房公积金提取
      } else if (e.initials.size() >= 3 && letters.size() <= e.initials.size() + 2 &&
                 letters.rfind(e.initials, 0) == 0) {
        consider(Kind::initials, 2);  // the phrase and a word: "sfzbb" begins with 身份证
      }
    }
    if (e.syllables.size() >= 2 && !sounds.empty()) {
      auto d = distance_within(e.syllables, sounds);
      if (d <= syllables_allowed(e.syllables.size())) consider(Kind::sound, d);
    }
    if (best) out.push_back(*best);
  }
  std::stable_sort(out.begin(), out.end(), [&](const Match& a, const Match& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.distance != b.distance) return a.distance < b.distance;
    return entries_[a.phrase].chars > entries_[b.phrase].chars;
  });
  return out;
}

}  // namespace yiwang::lexicon
