// GB 11643 (公民身份号码) and GB 32100 (统一社会信用代码) check algorithms; pure functions.
#include <array>
#include <string>
#include <string_view>

#include "identity/identity.h"

namespace yiwang::identity {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// ISO 7064 MOD 11-2 as GB 11643 states it: weights 2^(17-i) mod 11.
constexpr std::array<int, 17> kCitizenWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                 3, 7, 9,  10, 5, 8, 4, 2};
constexpr std::string_view kCitizenCheck = "10X98765432";

// The 31 symbols of GB 32100: digits and capitals without I, O, S, V, Z.
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kUsccWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                              29, 25, 13, 8,  24, 10, 30, 28};

}  // namespace

std::optional<core::Date> birth_date_of_citizen_id(std::string_view id) {
  if (id.size() != 18 || !all_digits(id.substr(6, 8))) return std::nullopt;
  int y = number(id.substr(6, 4));
  unsigned m = static_cast<unsigned>(number(id.substr(10, 2)));
  unsigned d = static_cast<unsigned>(number(id.substr(12, 2)));
  // Plausible birth years only: a typo in the year must not pass as a valid date.
  if (y < 1900 || y > 2099) return std::nullopt;
  core::Date date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!date.ok()) return std::nullopt;
  return date;
}

char citizen_id_check(std::string_view first17) {
  if (first17.size() < 17 || !all_digits(first17.substr(0, 17))) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kCitizenWeights[i];
  return kCitizenCheck[sum % 11];
}

char uscc_check(std::string_view first17) {
  if (first17.size() < 17) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    auto v = kUsccAlphabet.find(first17[i]);
    if (v == std::string_view::npos) return '\0';
    sum += static_cast<int>(v) * kUsccWeights[i];
  }
  return kUsccAlphabet[(31 - sum % 31) % 31];
}

bool valid_citizen_id(std::string_view id) {
  if (id.size() != 18) return false;
  if (id.substr(0, 2) == "00") return false;  // no province has code 00
  if (!birth_date_of_citizen_id(id)) return false;
  // Only the uppercase X is the standard's character; 'x' is a typing error to be fixed upstream.
  char check = citizen_id_check(id);
  return check != '\0' && id[17] == check;
}

bool valid_uscc(std::string_view code) {
  if (code.size() != 18) return false;
  // Positions 3–8 are the GB/T 2260 division code of the registering authority.
  if (!all_digits(code.substr(2, 6))) return false;
  char check = uscc_check(code);
  return check != '\0' && code[17] == check;
}

int age_from_citizen_id(std::string_view id, core::Date on) {
  auto birth = birth_date_of_citizen_id(id);
  if (!birth) return -1;
  int age = static_cast<int>(on.year()) - static_cast<int>(birth->year());
  if (std::pair(static_cast<unsigned>(on.month()), static_cast<unsigned>(on.day())) <
      std::pair(static_cast<unsigned>(birth->month()), static_cast<unsigned>(birth->day()))) {
    --age;
  }
  return age < 0 ? -1 : age;
}

std::string mask_id_number(std::string_view id) {
  if (id.empty()) return "";
  if (id.size() <= 10) return std::string(id.size(), '*');
  return std::string(id.substr(0, 6)) + "********" + std::string(id.substr(id.size() - 4));
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() < 7) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(phone.size() - 4));
}

}  // namespace yiwang::identity
