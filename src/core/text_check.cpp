#include "core/text_check.h"

#include "core/utf8.h"

namespace yiwang::core {
namespace {

bool is_control(unsigned char c, bool multiline) {
  if (c == 0x7F) return true;
  if (c >= 0x20) return false;
  return !(multiline && (c == '\n' || c == '\r' || c == '\t'));
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Status check_text(std::string_view value, const std::string& field, const TextRule& rule) {
  const std::string zh(rule.zh), en(rule.en);
  auto bad = [&](std::string z, std::string e) -> Status {
    return fail(ErrorCode::invalid_input, field, std::move(z), std::move(e));
  };
  if (!valid_utf8(value)) return bad(zh + "不是有效的 UTF-8 文本", en + " is not valid UTF-8");
  for (unsigned char c : value) {
    if (is_control(c, rule.multiline)) {
      return bad(zh + "含有控制字符", en + " contains control characters");
    }
  }
  if (rule.min > 0 && is_blank(value)) return bad("请填写" + zh, en + " is required");
  const std::size_t n = utf8_length(value);
  if (n < rule.min) {
    return bad(zh + "至少 " + std::to_string(rule.min) + " 个字",
               en + " must be at least " + std::to_string(rule.min) + " characters");
  }
  if (n > rule.max) {
    return bad(zh + "不得超过 " + std::to_string(rule.max) + " 个字",
               en + " must be at most " + std::to_string(rule.max) + " characters");
  }
  return {};
}

}  // namespace yiwang::core
