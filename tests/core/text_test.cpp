// The shared text and digest helpers (core/text.h, core/text_check.h, core/digest.h) every module
// uses on input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/digest.h"
#include "core/text.h"
#include "core/text_check.h"

namespace yiwang::core {
namespace {

TEST(Text, TrimRemovesAsciiWhiteSpaceAtBothEndsOnly) {
  EXPECT_EQ(trim("  江宁市 \t\r\n"), "江宁市");
  EXPECT_EQ(trim("a b"), "a b");
  EXPECT_EQ(trim(" \t\r\n "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\xE3\x80\x80x\xE3\x80\x80"), "\xE3\x80\x80x\xE3\x80\x80");  // U+3000 is kept
}

TEST(Text, HexAndDigitsNeedTheExactLengthAndAlphabet) {
  EXPECT_TRUE(is_lower_hex("0123456789abcdef", 16));
  EXPECT_FALSE(is_lower_hex("0123456789ABCDEF", 16));
  EXPECT_FALSE(is_lower_hex("0123456789abcdeg", 16));
  EXPECT_FALSE(is_lower_hex("abc", 4));
  EXPECT_TRUE(is_lower_hex("", 0));
  EXPECT_TRUE(is_sha256_hex(std::string(64, 'f')));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'f')));
  EXPECT_FALSE(is_sha256_hex(std::string(65, 'f')));
  EXPECT_TRUE(is_digits("110105", 6));
  EXPECT_FALSE(is_digits("11010X", 6));
  EXPECT_FALSE(is_digits("1101055", 6));
}

// FIPS 180-2 test vectors, and the digest recognised by is_sha256_hex.
TEST(Digest, Sha256HexMatchesTheStandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string("a\0b", 3)).size(), 64u);  // bytes, not a C string
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));
  EXPECT_TRUE(is_sha256_hex(sha256_hex("井盖")));
}

}  // namespace
}  // namespace yiwang::core

// The one check of typed text (core/text_check.h), as a table: what is refused, in which order,
// and the field and names it answers with.
TEST(TextCheck, RefusesInOrderAndNamesTheInput) {
  using yiwang::core::check_text;
  using yiwang::core::TextRule;
  const TextRule title{.min = 1, .max = 5, .multiline = false, .zh = "标题", .en = "title"};
  const TextRule note{.min = 0, .max = 5};
  struct Case {
    std::string value;
    const TextRule* rule;
    std::string zh;  // "" = accepted
  };
  const std::vector<Case> cases = {
      {"井盖破损", &title, ""},
      {"五个字正好", &title, ""},
      {"六个字就太长", &title, "标题不得超过 5 个字"},
      {"", &title, "请填写标题"},
      {" \t ", &title, "标题含有控制字符"},  // a tab on one line is a control character
      {"   ", &title, "请填写标题"},
      {"a\nb", &title, "标题含有控制字符"},
      {"a\nb", &note, ""},
      {"a\x7f", &note, "内容含有控制字符"},
      {"\xff\xfe", &note, "内容不是有效的 UTF-8 文本"},
      {"", &note, ""},
      {"  ", &note, ""},
  };
  for (const auto& c : cases) {
    auto st = check_text(c.value, "/x", *c.rule);
    if (c.zh.empty()) {
      EXPECT_TRUE(st) << c.value << ": " << st.error().message_zh;
      continue;
    }
    ASSERT_FALSE(st) << c.value;
    EXPECT_EQ(yiwang::ErrorCode::invalid_input, st.error().code);
    EXPECT_EQ("/x", st.error().field);
    EXPECT_EQ(c.zh, st.error().message_zh) << c.value;
  }
  const TextRule twice{.min = 2, .max = 9, .zh = "理由", .en = "reason"};
  EXPECT_EQ("reason must be at least 2 characters",
            check_text("好", "/r", twice).error().message_en);
}

TEST(Text, Base64IsReadOnlyInItsCanonicalForm) {
  EXPECT_EQ("hello", yiwang::core::decode_base64("aGVsbG8=").value_or("?"));
  EXPECT_EQ(std::string("\0\1\2", 3), yiwang::core::decode_base64("AAEC").value_or("?"));
  for (std::string_view bad : {"", "aGVsbG8", "aGVsbG9=", "aGVs bG8=", "aGVsbG8==", "a===",
                               "aGVs\xc3\xbe" "G8="}) {
    EXPECT_FALSE(yiwang::core::decode_base64(bad).has_value()) << bad;
  }
  // Found by the ledger_note fuzzer: libsodium by itself decoded this 44-character root hash,
  // whose 17th and 18th bytes are not base64, to 32 bytes.
  EXPECT_FALSE(yiwang::core::decode_base64("AAECAwQFBgcICQoL\xc3\xbe" "0ODxAREhMUFRYXGBkaGxwdHh8=").has_value());
}
