// GB 11643 and GB 32100 validators: the standards' own examples, and each way a number can be
// wrong.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "identity/identity.h"

namespace yiwang::identity {
namespace {

using namespace std::chrono;

constexpr std::string_view kCitizenChecks = "0123456789X";
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// How many completions of a 17-character prefix the validator accepts: exactly one for a
// well-formed prefix, none when the prefix itself is wrong (so the test does not depend on
// re-deriving the check character).
int accepted_completions(const std::string& prefix, std::string_view checks,
                         bool (*valid)(std::string_view)) {
  int n = 0;
  for (char c : checks) n += valid(prefix + c);
  return n;
}

TEST(CitizenId, StandardExampleIsValid) {
  EXPECT_TRUE(valid_citizen_id("11010519491231002X"));  // GB 11643-1999 example
}

TEST(CitizenId, WrongCheckDigitIsRejected) {
  EXPECT_FALSE(valid_citizen_id("110105194912310021"));
  EXPECT_FALSE(valid_citizen_id("110105194912310020"));
  EXPECT_EQ(1, accepted_completions("11010519491231002", kCitizenChecks, valid_citizen_id));
}

TEST(CitizenId, LowerCaseXIsRejected) {
  EXPECT_FALSE(valid_citizen_id("11010519491231002x"));
}

TEST(CitizenId, WrongLengthIsRejected) {
  EXPECT_FALSE(valid_citizen_id(""));
  EXPECT_FALSE(valid_citizen_id("11010519491231002"));
  EXPECT_FALSE(valid_citizen_id("11010519491231002X0"));
  EXPECT_FALSE(valid_citizen_id("110105491231002"));  // first-generation 15-digit number
}

TEST(CitizenId, NonDigitsAreRejected) {
  EXPECT_EQ(0, accepted_completions("1101051949123100A", kCitizenChecks, valid_citizen_id));
  EXPECT_EQ(0, accepted_completions("11010519491231 02", kCitizenChecks, valid_citizen_id));
  EXPECT_EQ(0, accepted_completions("X1010519491231002", kCitizenChecks, valid_citizen_id));
}

TEST(CitizenId, ImpossibleDatesAreRejected) {
  EXPECT_EQ(0, accepted_completions("11010519491331002", kCitizenChecks, valid_citizen_id));
  EXPECT_EQ(0, accepted_completions("11010519490230002", kCitizenChecks, valid_citizen_id));
  EXPECT_EQ(0, accepted_completions("11010519491200002", kCitizenChecks, valid_citizen_id));
  EXPECT_EQ(0, accepted_completions("11010518991231002", kCitizenChecks, valid_citizen_id));
  // 1900 was not a leap year; 2000 was.
  EXPECT_EQ(0, accepted_completions("11010519000229001", kCitizenChecks, valid_citizen_id));
  EXPECT_EQ(0, accepted_completions("11010520010229001", kCitizenChecks, valid_citizen_id));
  EXPECT_EQ(1, accepted_completions("11010520000229001", kCitizenChecks, valid_citizen_id));
}

TEST(CitizenId, ProvinceCodeZeroIsRejected) {
  EXPECT_EQ(0, accepted_completions("00010519491231002", kCitizenChecks, valid_citizen_id));
}

TEST(CitizenId, AgeCountsWholeYears) {
  EXPECT_EQ(76, age_from_citizen_id("11010519491231002X", 2026y / 12 / 30));
  EXPECT_EQ(77, age_from_citizen_id("11010519491231002X", 2026y / 12 / 31));
  EXPECT_EQ(0, age_from_citizen_id("11010519491231002X", 1949y / 12 / 31));
  EXPECT_EQ(-1, age_from_citizen_id("not an id", 2026y / 1 / 1));
}

TEST(CitizenId, BirthDateIsExtracted) {
  auto d = birth_date_of_citizen_id("11010519491231002X");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(1949y / 12 / 31, *d);
}

TEST(CitizenId, MaskKeepsDivisionAndLastFour) {
  EXPECT_EQ("110105********002X", mask_id_number("11010519491231002X"));
  EXPECT_EQ("913501********0Y43", mask_id_number("91350100M000100Y43"));
  EXPECT_EQ("", mask_id_number(""));
  EXPECT_EQ("*****", mask_id_number("12345"));
}

TEST(Uscc, StandardExampleIsValid) {
  EXPECT_TRUE(valid_uscc("91350100M000100Y43"));  // GB 32100-2015 example
}

TEST(Uscc, WrongCheckCharacterIsRejected) {
  EXPECT_FALSE(valid_uscc("91350100M000100Y44"));
  EXPECT_FALSE(valid_uscc("91350100M000100Y4Y"));
  EXPECT_EQ(1, accepted_completions("91350100M000100Y4", kUsccAlphabet, valid_uscc));
}

TEST(Uscc, ForbiddenLettersAreRejected) {
  for (char c : std::string_view("IOZSV")) {
    std::string prefix = "91350100M000100Y4";
    prefix[9] = c;
    std::string all = std::string(kUsccAlphabet) + "IOZSV";
    EXPECT_EQ(0, accepted_completions(prefix, all, valid_uscc)) << c;
  }
  // A forbidden letter as the check character itself.
  for (char c : std::string_view("IOZSV"))
    EXPECT_FALSE(valid_uscc(std::string("91350100M000100Y4") + c)) << c;
}

TEST(Uscc, LowerCaseIsRejected) {
  EXPECT_FALSE(valid_uscc("91350100m000100Y43"));
  EXPECT_EQ(0, accepted_completions("91350100m000100y4", kUsccAlphabet, valid_uscc));
}

TEST(Uscc, WrongLengthIsRejected) {
  EXPECT_FALSE(valid_uscc(""));
  EXPECT_FALSE(valid_uscc("91350100M000100Y4"));
  EXPECT_FALSE(valid_uscc("91350100M000100Y430"));
}

TEST(Uscc, DivisionPositionsMustBeDigits) {
  EXPECT_EQ(0, accepted_completions("913A0100M000100Y4", kUsccAlphabet, valid_uscc));
}

TEST(Names, KindsAndRolesRoundTrip) {
  for (Kind k : {Kind::citizen, Kind::business, Kind::official})
    EXPECT_EQ(k, parse_kind(to_string(k)));
  for (Role r : {Role::clerk, Role::reviewer, Role::approver, Role::supervisor, Role::admin})
    EXPECT_EQ(r, parse_role(to_string(r)));
  EXPECT_FALSE(parse_kind("Citizen").has_value());
  EXPECT_FALSE(parse_role("root").has_value());
}

TEST(Names, MainRoleIsTheHighestHeld) {
  Principal p;
  p.kind = Kind::official;
  p.roles = {Role::clerk, Role::approver};
  EXPECT_EQ("approver", main_role(p));
  p.roles.insert(Role::supervisor);
  EXPECT_EQ("supervisor", main_role(p));
  p.roles.insert(Role::admin);
  EXPECT_EQ("admin", main_role(p));
  p.kind = Kind::business;
  EXPECT_EQ("business", main_role(p));
  p.kind = Kind::citizen;
  EXPECT_EQ("citizen", main_role(p));
}

}  // namespace
}  // namespace yiwang::identity
