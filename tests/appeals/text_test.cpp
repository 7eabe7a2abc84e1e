// The pure text rules of intake: normalisation, bigram similarity, UTF-8 validity and the
// redirect table.
#include <gtest/gtest.h>

#include "appeals/appeals.h"

namespace yiwang::appeals {
namespace {

TEST(AppealText, NormaliseFoldsWidthCaseAndDropsPunctuation) {
  EXPECT_EQ("abc123", normalise("ＡＢＣ，１２３"));
  EXPECT_EQ("小区噪音扰民abc", normalise("小区 噪音，扰民！ A-b-C"));
  EXPECT_EQ("", normalise("。。！！  \n"));
}

TEST(AppealText, SimilarityIsBigramJaccard) {
  // {ab, bc, cd} vs {ab, bc, ce}: 2 shared of 4 distinct.
  EXPECT_DOUBLE_EQ(0.5, similarity("abcd", "abce"));
  EXPECT_DOUBLE_EQ(1.0, similarity("小区噪音扰民", "小区噪音，扰民！"));
  EXPECT_DOUBLE_EQ(0.0, similarity("小区噪音", "道路积水"));
  EXPECT_DOUBLE_EQ(0.0, similarity("", ""));
  EXPECT_DOUBLE_EQ(1.0, similarity("水", "水"));  // one character: its unigram
  // Two 12-character texts sharing their first 10 characters: 11 bigrams each, 9 shared → 9/13.
  EXPECT_NEAR(9.0 / 13.0, similarity("幸福小区夜间施工噪音扰民", "幸福小区夜间施工噪音很大"),
              1e-12);
  EXPECT_DOUBLE_EQ(similarity("abc", "abd"), similarity("abd", "abc"));
}

TEST(AppealText, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("中文 text 😀"));
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xE4\xB8"));          // truncated 中
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("abc\x80"));           // stray continuation
}

TEST(AppealText, RedirectsNameTheChannel) {
  auto fire = find_redirect("楼下着火了，浓烟很大");
  ASSERT_TRUE(fire);
  EXPECT_EQ("emergency_119", fire->rule);
  EXPECT_NE(std::string::npos, fire->message_zh.find("119"));
  EXPECT_NE(std::string::npos, fire->message_en.find("119"));

  auto court = find_redirect("我想起诉开发商，要求退房");
  ASSERT_TRUE(court);
  EXPECT_EQ("litigation", court->rule);
  EXPECT_EQ("人民法院", court->channel_zh);

  auto labour = find_redirect("劳动仲裁的裁决不执行怎么办");
  ASSERT_TRUE(labour);
  EXPECT_EQ("arbitration", labour->rule);

  auto review = find_redirect("对处罚决定不服，申请行政复议");
  ASSERT_TRUE(review);
  EXPECT_EQ("reconsideration", review->rule);

  auto petition = find_redirect("此事我已信访过，至今未处理");
  ASSERT_TRUE(petition);
  EXPECT_EQ("petition", petition->rule);

  auto ambulance = find_redirect("老人在路边晕倒了");
  ASSERT_TRUE(ambulance);
  EXPECT_EQ("emergency_120", ambulance->rule);

  // Emergencies come first, and punctuation between characters does not hide a keyword.
  auto both = find_redirect("我要起诉，但现在家里着，火了");
  ASSERT_TRUE(both);
  EXPECT_EQ("emergency_119", both->rule);

  // 投诉 contains 诉 but is what the hotline is for.
  EXPECT_FALSE(find_redirect("投诉小区物业不作为，要求处理"));
  EXPECT_FALSE(find_redirect("建议增加公交线路"));
}

}  // namespace
}  // namespace yiwang::appeals
