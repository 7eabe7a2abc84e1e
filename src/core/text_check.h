// The one check of free text typed into a form or a request (a title, a comment, a reply, a
// reason): valid UTF-8, no control characters (line breaks and tabs allowed where `multiline`),
// not blank when required, and a length in characters (code points) within bounds. Every module
// checks its texts with it, so that the same mistake gets the same answer everywhere.
//
// Errors: invalid_input naming `field`, with messages in Chinese and English that name the input
// (TextRule::zh / en, e.g. "标题" / "title"), in this order: not UTF-8, control characters,
// required but blank, shorter than `min`, longer than `max`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace yiwang::core {

struct TextRule {
  std::size_t min = 0;  // 0: may be empty; ≥ 1: required, and white space alone counts as empty
  std::size_t max = 2000;
  bool multiline = true;
  std::string_view zh = "内容";
  std::string_view en = "the text";
};

Status check_text(std::string_view value, const std::string& field, const TextRule& rule);

}  // namespace yiwang::core
