// Public text never carries personal data: the one redaction every public surface runs a
// citizen's words through before anyone may read them without signing in (the appeals board,
// the Open311 requests feed, concluded consultations' comments, survey text samples). Officials'
// authenticated views keep the original text; only what is published passes through here.
//
// Contract of redact(text, known_names):
//   - The text is decoded to code points and normalised for matching only: full-width digits
//     and letters become ASCII, and the separators people type into numbers (spaces, U+3000,
//     the dashes, dots, slashes and brackets, full- and half-width) are recognised between digit
//     groups. So "1101 0519 9001 0100 1X", "110105 19900101 001X", "138-1234-5678",
//     "１３８１２３４５６７８" and "(010) 8765 4321" are found like their plain forms. The
//     output keeps every character that is not replaced exactly as typed.
//   - Replaced, each by a placeholder: resident ID numbers (18 digits, or 17 and X) →
//     "[身份证号]"; mobile (with or without +86), landline and 400/800 numbers, and any number
//     of six or more digits right after a contact word (电话, 手机, 微信, QQ, tel …) → "[电话]";
//     card-like runs of 12–19 digits → "[卡号]"; e-mail addresses → "[邮箱]"; plate numbers →
//     "[车牌]"; the known names (two characters or more) and names after contact words
//     (联系人, 联系电话, 姓名, 我叫, 我是, 本人, 户主, 投诉人 …: a common surname and one or two
//     characters, or 先生/女士) wherever they recur → "[姓名]"; building, unit, floor, room and
//     house numbers (the part of an address below street level: 12栋, 3单元, 501室, 8号) → "*".
//   - Kept readable: short numbers (counts, years, "3 天"), dates and month-day pairs
//     (2025-03-01, 2025.3.1, 09.06), decimals (118.7965), ranges (5000-30000), public service
//     numbers (110, 12345, 0731-12315), numbers followed by a unit or preceded by a currency sign
//     (3000 元, 1200000元, ¥1500), year-based case numbers ("2025-0012", "(2019)006278"),
//     document numbers (第1606011号, 〔2014〕12号), standard numbers ("GB/T 30428-2013"), codes
//     glued to ASCII letters ("AP20250012", "15767.51m2") and masks of one repeated digit.
//   - held: true when something risky remains that redact cannot make safe: a run of seven or
//     more digits it cannot classify, digit groups interleaved with separators that together hold
//     seven or more unclassified digits, or seven or more Chinese numerals in a row. A caller
//     must then not publish the text: show kWithheld instead (public_text does).
//   - kinds: what was found, each once, in the order found: "name", "email", "plate",
//     "address", "id_number", "phone", "bank_card"; and for held text "unclassified_number" or
//     "spelled_number".
//   - Conservative on purpose: a number that looks like a phone or an ID is removed even when it
//     is not one, because a published leak cannot be taken back.
//
// Pure and deterministic: no store, no clock, no shared mutable state; thread-safe. UTF-8 safe:
// never cuts a multibyte character; malformed bytes (callers validate input first) come out as
// U+FFFD.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yiwang::privacy {

struct Redacted {
  std::string text;                // personal data replaced by placeholders
  bool held = false;               // something risky remains: do not publish `text`
  std::vector<std::string> kinds;  // what was found, each once, in the order found
};

Redacted redact(std::string_view text, const std::vector<std::string>& known_names = {});

// What a public surface shows in place of a text that redact held.
inline constexpr std::string_view kWithheld = "内容待审核后公开 / withheld pending review";

// The text a public surface may show: redact(text, known_names).text, or kWithheld when held.
std::string public_text(std::string_view text, const std::vector<std::string>& known_names = {});

}  // namespace yiwang::privacy
