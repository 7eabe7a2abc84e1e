// UTF-8 validation and code points, shared by the modules that process Chinese text.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/utf8.h"

namespace yiwang::core {
namespace {

TEST(Utf8, AcceptsWellFormedTextOnly) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("井盖破损 A1 区 😀"));
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE4\xBA"));          // truncated 亚
  EXPECT_FALSE(valid_utf8("\xFF"));
}

TEST(Utf8, DecodesSkippingMalformedBytesAndEncodesBack) {
  EXPECT_EQ(U"井盖a😀", decode_utf8("井盖a😀"));
  EXPECT_EQ(U"井a", decode_utf8("井\xFF"
                                "a"));
  EXPECT_EQ("井盖a😀", encode_utf8(U"井盖a😀"));
  std::size_t i = 0;
  EXPECT_EQ(U'井', next_code_point("井盖", i));
  EXPECT_EQ(3u, i);
  std::size_t j = 0;
  EXPECT_FALSE(next_code_point("\x80", j));
  EXPECT_EQ(0u, j);
}

// One definition of a Han character for every module that tokenises Chinese text.
TEST(Utf8, HanCoversTheIdeographBlocksAndNothingElse) {
  for (char32_t cp : {U'中', U'㐀', U'鿿', U'\uF900', U'𠀀', U'𰻞', U'\U000323AF'}) {
    EXPECT_TRUE(is_han(cp)) << std::hex << static_cast<std::uint32_t>(cp);
  }
  for (char32_t cp :
       {U'A', U'1', U'。', U'，', U'ア', U'한', U'\U00004DC0', U'\U000323B0', U'\U0001F600'}) {
    EXPECT_FALSE(is_han(cp)) << std::hex << static_cast<std::uint32_t>(cp);
  }
}

}  // namespace
}  // namespace yiwang::core
