// What the public board may show of a citizen's words: the matter, not the person. Patterns are
// conservative on purpose: a number that looks like a phone or an ID is removed even when it
// is not one, because a published leak cannot be taken back.
#include <regex>
#include <string>

#include "appeals/appeals.h"

namespace yiwang::appeals {
namespace {

struct Pattern {
  std::regex re;
  const char* replacement;
};

const std::vector<Pattern>& patterns() {
  // Built once per process; std::regex is immutable after construction, so sharing is safe.
  static const std::vector<Pattern> list = [] {
    std::vector<Pattern> p;
    auto add = [&p](const char* re, const char* replacement) {
      p.push_back(
          Pattern{std::regex(re, std::regex::ECMAScript | std::regex::optimize), replacement});
    };
    add(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})", "[邮箱]");
    // Resident ID numbers (GB 11643: 17 digits and a check character), before shorter numbers.
    add(R"([1-9][0-9]{16}[0-9Xx])", "[身份证号]");
    add(R"(1[3-9][0-9]{9})", "[电话]");
    add(R"((0[0-9]{2,3}-?)?[2-9][0-9]{6,7})", "[电话]");
    // Plate numbers: a province's abbreviation, a letter, five or six letters and digits.
    add("(京|津|沪|渝|冀|豫|云|辽|黑|湘|皖|鲁|新|苏|浙|赣|鄂|桂|甘|晋|蒙|陕|吉|闽|贵|粤|青|藏|川|"
        "宁|琼)"
        "[A-Za-z][A-Za-z0-9]{5,6}",
        "[车牌]");
    // Below street level: building, unit, floor, room and house numbers.
    add("[0-9A-Za-z]+ ?(栋|幢|单元|楼|层|室|号房|号楼|号)", "*$1");
    return p;
  }();
  return list;
}

void replace_all(std::string& text, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (std::size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

std::string redact_personal(std::string_view text, const std::vector<std::string>& names) {
  std::string out(text);
  for (const auto& name : names) {
    // A one-character "name" would blank ordinary words.
    if (core::decode_utf8(name).size() >= 2) replace_all(out, name, "[姓名]");
  }
  for (const auto& p : patterns()) out = std::regex_replace(out, p.re, p.replacement);
  return out;
}

}  // namespace yiwang::appeals
