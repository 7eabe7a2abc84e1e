// The shared text and digest helpers (core/text.h, core/digest.h) every module uses on input.
#include <gtest/gtest.h>

#include <string>

#include "core/digest.h"
#include "core/text.h"

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
