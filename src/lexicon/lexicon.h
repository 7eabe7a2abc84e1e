// The words people use for government services: one source for the catalog's search and the
// assistant. Colloquial phrases map to official terms (data/lexicon/synonyms.txt, embedded at
// build time), Chinese text has a pinyin spelling (ICU's Han-Latin transliterator), and a
// Matcher finds known phrases in what a person typed even when it is pinyin (kaifandian), pinyin
// initials (kfd), a homophone or near-homophone typo (营业执造, 身份正) or one character off.
//
// Pure functions and immutable objects: thread-safe (the transliterator behind pinyin() is
// created once and used under its own lock).
//
// Files: lexicon.h this contract · synonyms.cpp the data file · pinyin.cpp spelling, fuzzy
// syllables, edit distance · matcher.cpp the Matcher.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace yiwang::lexicon {

// Full-width ASCII to half-width, A–Z to a–z, runs of white space to one space, trimmed.
std::string normalize(std::string_view s);

// The lines of an embedded data file, without comment (#) and empty lines and line ends.
std::vector<std::string> data_lines(std::string_view file);

struct Synonym {
  std::vector<std::string> phrases;  // normalised; matched as substrings of a normalised question
  std::string expansion;             // official terms, space-separated, normalised
};
// The embedded synonyms.txt, parsed once. Throws std::runtime_error at first use if malformed.
const std::vector<Synonym>& synonyms();

// The runs of consecutive Han characters of `s`, each as its characters ("办营业执照 kfd 社保" →
// {{办,营,业,执,照}, {社,保}}).
std::vector<std::vector<std::string>> han_runs(std::string_view s);
// The toneless pinyin syllables of the Han characters of `s`, lower case, one per character;
// other characters are dropped ("营业执照" → {"ying","ye","zhi","zhao"}).
std::vector<std::string> pinyin(std::string_view s);
// The syllable with the distinctions people confuse when typing merged: zh/z, ch/c, sh/s, n/l,
// and final ang/an, eng/en, ing/in ("zhao" → "zao", "ning" → "lin").
std::string fuzzy_syllable(std::string_view syllable);
// Levenshtein distance over whole elements.
std::size_t edit_distance(const std::vector<std::string>& a, const std::vector<std::string>& b);
std::size_t edit_distance(std::string_view a, std::string_view b);

// Finds the phrases it was built with in a person's query.
class Matcher {
 public:
  enum class Kind {
    literal,   // the phrase occurs in the query as written
    pinyin,    // the query's Latin letters spell the phrase's pinyin (or nearly, or a prefix)
    initials,  // the query's Latin letters are the phrase's pinyin initials (or a part of them,
               // or begin with them)
    sound,     // the query's Han characters sound like the phrase (typo, homophone, one off)
  };
  struct Match {
    std::size_t phrase = 0;  // index into the phrases given to the constructor
    Kind kind = Kind::literal;
    int distance = 0;  // 0 exact; larger is looser
  };

  explicit Matcher(std::vector<std::string> phrases);  // phrases are normalised here
  // Matches in the query (normalised here), best first: literal before pinyin before initials
  // before sound, then by distance, then longer phrases first. A phrase appears at most once.
  // Sound matches are only sought for phrases with no literal match inside the same span.
  std::vector<Match> match(std::string_view query) const;
  const std::string& phrase(std::size_t i) const { return entries_[i].text; }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string text;
    std::string spelled;                 // pinyin without spaces
    std::string initials;                // first letter of each syllable
    std::vector<std::string> syllables;  // fuzzy syllables
    std::size_t chars = 0;               // code points
  };
  std::vector<Entry> entries_;
};

}  // namespace yiwang::lexicon
