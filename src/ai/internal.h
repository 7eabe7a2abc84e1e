// Private to the ai module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yiwang::ai {

std::u32string decode(std::string_view s);  // invalid bytes are skipped
void append_utf8(std::string& out, char32_t cp);
bool is_han(char32_t c);
std::vector<std::string> token_list(std::string_view utf8);

}  // namespace yiwang::ai
