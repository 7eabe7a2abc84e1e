// GB/T 36904 certificate identifiers with the ISO/IEC 7064 MOD 37,36 check character.
#include <stdexcept>
#include <string>
#include <vector>

#include "certificates/credential.h"
#include "identity/identity.h"

namespace yiwang::certificates {

namespace {

constexpr std::string_view kPrefix = "1.2.156.3005.2.";
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::size_t kMaxPartLength = 32;

int char_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

bool alphanumeric(std::string_view s, std::size_t max_length) {
  if (s.empty() || s.size() > max_length) return false;
  for (char c : s) {
    if (char_value(c) < 0) return false;
  }
  return true;
}

bool valid_version3(std::string_view v) {
  if (v.size() != 3) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return v != "000";
}

std::string version3(int version) {
  if (version < 1 || version > 999) return {};
  std::string s = std::to_string(version);
  return std::string(3 - s.size(), '0') + s;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

}  // namespace

// ISO/IEC 7064 hybrid system with M = 36: the running product stays in 1..M (0 becomes M before
// doubling), which is what lets a single check character from the same alphabet catch all single
// substitutions and adjacent transpositions.
char identifier_check(std::string_view type_code, std::string_view issuer_uscc,
                      std::string_view serial, std::string_view version3) {
  constexpr int m = 36;
  int p = m;
  for (std::string_view part : {type_code, issuer_uscc, serial, version3}) {
    for (char c : part) {
      int a = char_value(c);
      if (a < 0) return '\0';
      int s = (p % (m + 1) + a) % m;
      if (s == 0) s = m;
      p = (s * 2) % (m + 1);
    }
  }
  return kAlphabet[(m + 1 - p) % m];
}

std::string format_identifier(const IdentifierParts& parts) {
  std::string v = version3(parts.version);
  if (v.empty() || !alphanumeric(parts.type_code, kMaxPartLength) ||
      !identity::valid_uscc(parts.issuer_uscc) || !alphanumeric(parts.serial, kMaxPartLength)) {
    // Callers validate user input before formatting; reaching this is a bug.
    throw std::invalid_argument("format_identifier: invalid identifier parts");
  }
  char check = identifier_check(parts.type_code, parts.issuer_uscc, parts.serial, v);
  std::string out(kPrefix);
  out += parts.type_code;
  out += '.';
  out += parts.issuer_uscc;
  out += '.';
  out += parts.serial;
  out += '.';
  out += v;
  out += '.';
  out += check;
  return out;
}

Result<IdentifierParts> parse_identifier(std::string_view identifier, std::string_view field) {
  std::string f(field);
  if (identifier.substr(0, kPrefix.size()) != kPrefix) {
    return fail(ErrorCode::invalid_input, f, "证照标识须以 1.2.156.3005.2. 开头",
                "certificate identifier must start with the OID prefix 1.2.156.3005.2.");
  }
  auto parts = split_dots(identifier.substr(kPrefix.size()));
  if (parts.size() != 5) {
    return fail(
        ErrorCode::invalid_input, f,
        "证照标识须由 类型代码.颁证单位统一社会信用代码.顺序号.版本号.校验位 组成",
        "certificate identifier must be <type code>.<issuer USCC>.<serial>.<version>.<check>");
  }
  if (!alphanumeric(parts[0], kMaxPartLength)) {
    return fail(ErrorCode::invalid_input, f, "证照标识中的证照类型代码须为 1–32 位数字或大写字母",
                "certificate identifier: type code must be 1-32 digits or capital letters");
  }
  if (!identity::valid_uscc(parts[1])) {
    return fail(ErrorCode::invalid_input, f,
                "证照标识中的颁证单位统一社会信用代码无效（GB 32100 校验失败）",
                "certificate identifier: issuer USCC is invalid (GB 32100 check failed)");
  }
  if (!alphanumeric(parts[2], kMaxPartLength)) {
    return fail(ErrorCode::invalid_input, f, "证照标识中的顺序号须为 1–32 位数字或大写字母",
                "certificate identifier: serial must be 1-32 digits or capital letters");
  }
  if (!valid_version3(parts[3])) {
    return fail(ErrorCode::invalid_input, f, "证照标识中的版本号须为 001–999 的三位数字",
                "certificate identifier: version must be three digits 001-999");
  }
  char expected = identifier_check(parts[0], parts[1], parts[2], parts[3]);
  if (parts[4].size() != 1 || parts[4][0] != expected) {
    return fail(ErrorCode::invalid_input, f, "证照标识校验位错误（ISO/IEC 7064 MOD 37,36）",
                "certificate identifier: wrong check character (ISO/IEC 7064 MOD 37,36)");
  }
  IdentifierParts out;
  out.type_code = std::string(parts[0]);
  out.issuer_uscc = std::string(parts[1]);
  out.serial = std::string(parts[2]);
  out.version = std::stoi(std::string(parts[3]));
  return out;
}

}  // namespace yiwang::certificates
