// UTF-8 for user text: strict validation at the edges, and code points for the modules that
// process Chinese text (the assistant's index, the appeal classifier, appeal merging, hot issues).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace yiwang::core {

// Well-formed UTF-8: no overlong forms, surrogates or code points above U+10FFFF.
bool valid_utf8(std::string_view s);
// Valid UTF-8 that also holds no NUL byte: what PostgreSQL TEXT and the ledger's entries accept.
bool valid_utf8_text(std::string_view s);
// The length in characters (code points) of valid UTF-8: what "at most N characters" limits mean.
// On malformed input it counts the bytes that do not continue a sequence.
std::size_t utf8_length(std::string_view s);
// The code point at s[i], advancing i past it; nullopt (i unchanged) for a malformed sequence.
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i);
// The code points of `s`; malformed bytes are skipped (callers validate input first).
std::u32string decode_utf8(std::string_view s);
// A Han character (汉字): CJK Unified Ideographs and Extension A, the Compatibility Ideographs,
// and the supplementary planes' ideographs (Extensions B–H and the compatibility supplement,
// U+20000–U+323AF). What the text modules treat as one Chinese character when they tokenise.
bool is_han(char32_t cp);
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(std::u32string_view s);

}  // namespace yiwang::core
