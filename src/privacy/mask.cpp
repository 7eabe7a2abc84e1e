#include "privacy/mask.h"

#include "core/utf8.h"

namespace yiwang::privacy {

std::string mask_name(std::string_view name) {
  std::u32string cps = core::decode_utf8(name);
  std::size_t start = 0;
  while (start < cps.size() && (cps[start] == U' ' || cps[start] == U'\t')) ++start;
  if (start >= cps.size()) return "";
  if (start + 1 == cps.size()) return "*";
  std::string out;
  core::append_utf8(out, cps[start]);
  return out + "*";
}

}  // namespace yiwang::privacy
