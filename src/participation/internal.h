// Private helpers shared by the participation sources (not part of the module's contract).
#pragma once

#include <string>
#include <string_view>

#include "participation/participation.h"

namespace yiwang::participation {

// A conflict with one of the reason codes listed in participation.h.
tl::unexpected<Error> conflict(std::string_view code, std::string field = "");
tl::unexpected<Error> bad(std::string field, std::string zh, std::string en);
// Code points.
std::size_t length(std::string_view s);
// Valid UTF-8, no control characters (newlines where `multiline`), not blank when min > 0,
// min..max code points.
Status check_text(std::string_view value, const std::string& field, std::size_t min,
                  std::size_t max, bool multiline, std::string_view zh_name,
                  std::string_view en_name);
// A key escaped for a JSON pointer ("~" → "~0", "/" → "~1").
std::string pointer_token(std::string_view key);

}  // namespace yiwang::participation
