// Private to the ai module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yiwang::ai {

std::vector<std::string> token_list(std::string_view utf8);

}  // namespace yiwang::ai
