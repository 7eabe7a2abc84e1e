// Masks of personal names for readers who need to know that a person is there, not who: the first
// character kept and the rest as "*" (at most three), 张三 → 张*, 欧阳娜娜 → 欧***, "" → "*".
// Pure; thread-safe; UTF-8 safe.
#pragma once

#include <string>
#include <string_view>

namespace yiwang::privacy {

std::string mask_name(std::string_view name);

}  // namespace yiwang::privacy
