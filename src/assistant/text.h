// Private to the assistant: UTF-8 handling, document text extraction, passage splitting and the
// CJK n-gram terms the index and the queries share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "assistant/assistant.h"
#include "core/utf8.h"

namespace yiwang::assistant::text {

using core::valid_utf8;
inline std::u32string decode(std::string_view s) {
  return core::decode_utf8(s);
}
inline std::string encode(std::u32string_view s) {
  return core::encode_utf8(s);
}
// Control characters other than tab / newline / carriage return (binary input).
bool has_controls(std::string_view s);

// Full-width ASCII to half-width, ASCII lower case, whitespace runs to one space, trimmed.
std::string normalize(std::string_view s);
// At most `max` code points, with "…" when cut.
std::string clip(std::string_view s, std::size_t max);
// core::trim, and ideographic spaces (U+3000) at either end too.
std::string trim(std::string_view s);

// A search term as Xapian's TermGenerator (FLAG_CJK_NGRAM) indexes it: CJK unigrams and bigrams,
// lower-case runs of letters and digits.
struct Term {
  std::string text;
  bool unigram = false;  // a single CJK character (weak evidence)
};
std::vector<Term> terms(std::string_view normalized);

// Sentences (split after 。！？；!? and at line ends), trimmed, non-empty.
std::vector<std::string> sentences(std::string_view s);

struct Extracted {
  std::string title;  // first heading or line, "" if none
  std::string text;   // Markdown-like: "# heading" lines and paragraphs
};
// invalid_input "/content" when the bytes do not parse as `format`.
Result<Extracted> extract(Format format, std::string_view content);
Format detect_format(std::string_view content);

// Splits extracted text into passages of about 120–300 characters at paragraph and sentence
// boundaries; headings start sections.
std::vector<Passage> split(std::string_view extracted_text);

}  // namespace yiwang::assistant::text
