#include "core/result.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace yiwang {
namespace {

// Problem `type` URIs are built from these names: they must be distinct and stable.
TEST(ErrorCodeNames, AreDistinctAndStable) {
  const ErrorCode all[] = {ErrorCode::invalid_input, ErrorCode::unauthenticated, ErrorCode::forbidden,
                           ErrorCode::not_found,     ErrorCode::conflict,        ErrorCode::too_large,
                           ErrorCode::unsupported_media, ErrorCode::locked,      ErrorCode::rate_limited,
                           ErrorCode::overloaded,    ErrorCode::internal};
  std::set<std::string> names;
  for (auto c : all) names.insert(std::string(to_string(c)));
  EXPECT_EQ(std::size(all), names.size());
  EXPECT_EQ("invalid-input", to_string(ErrorCode::invalid_input));
  EXPECT_EQ("unsupported-media-type", to_string(ErrorCode::unsupported_media));
}

TEST(Result, FailCarriesFieldAndBothMessages) {
  Result<int> r = fail(ErrorCode::invalid_input, "/form/age", "年龄无效", "invalid age");
  ASSERT_FALSE(r);
  EXPECT_EQ(ErrorCode::invalid_input, r.error().code);
  EXPECT_EQ("/form/age", r.error().field);
  EXPECT_EQ("年龄无效", r.error().message_zh);
  EXPECT_EQ("invalid age", r.error().message_en);
}

}  // namespace
}  // namespace yiwang
