// The one mask of personal names, for readers who need to know that a person is there, not who:
// the first character kept and one "*" for the rest, so that the length is not told either
// (张三 → 张*, 欧阳娜娜 → 欧*); a name of one character is all "*"; "" (no name) stays "".
// Leading white space is skipped. Pure; thread-safe; UTF-8 safe.
#pragma once

#include <string>
#include <string_view>

namespace yiwang::privacy {

std::string mask_name(std::string_view name);

}  // namespace yiwang::privacy
