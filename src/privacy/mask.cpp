#include "privacy/mask.h"

#include <algorithm>

#include "core/utf8.h"

namespace yiwang::privacy {

std::string mask_name(std::string_view name) {
  std::u32string cps = core::decode_utf8(name);
  std::size_t start = 0;
  while (start < cps.size() && (cps[start] == U' ' || cps[start] == U'\t')) ++start;
  if (start >= cps.size()) return "*";
  std::string out;
  core::append_utf8(out, cps[start]);
  std::size_t rest = cps.size() - start - 1;
  out.append(std::clamp<std::size_t>(rest, 1, 3), '*');
  return out;
}

}  // namespace yiwang::privacy
