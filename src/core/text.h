// Small text helpers every module needs: trimming input and recognising hex digests.
// (Character lengths and UTF-8 validation are in core/utf8.h.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace yiwang::core {

// `s` without ASCII white space (space, tab, CR, LF) at either end.
std::string trim(std::string_view s);
// Exactly `length` characters, each of [0-9a-f].
bool is_lower_hex(std::string_view s, std::size_t length);
// A SHA-256 digest as stored and sent everywhere: 64 lower-case hex digits.
inline bool is_sha256_hex(std::string_view s) {
  return is_lower_hex(s, 64);
}
// Exactly `length` characters, each of [0-9].
bool is_digits(std::string_view s, std::size_t length);
// The bytes of standard padded base64 (RFC 4648 §4) in its one canonical form: the length a
// multiple of 4, only the 64 letters and trailing '=', zero padding bits; nullopt otherwise.
// (libsodium alone lets some bytes ≥ 0x80 through, so one text could stand for the same bytes as
// another: every reader of base64 from outside uses this.)
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace yiwang::core
