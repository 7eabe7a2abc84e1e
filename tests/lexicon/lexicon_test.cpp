// The lexicon: normalisation, the synonyms file, pinyin, fuzzy syllables, and the Matcher's
// kinds of match (as written, spelled, initials, sounded) as table tests.
#include <gtest/gtest.h>

#include "lexicon/lexicon.h"

namespace yiwang::lexicon {
namespace {

using Kind = Matcher::Kind;

TEST(Normalize, FoldsWidthCaseAndSpace) {
  EXPECT_EQ("abc 12", normalize("  ＡＢｃ\u3000 １２ "));
  EXPECT_EQ("开饭店（新办）", normalize("开饭店（新办）"));  // Chinese punctuation stays
  EXPECT_EQ("", normalize(" \t "));
}

TEST(Synonyms, TheEmbeddedFileParses) {
  const auto& all = synonyms();
  ASSERT_GE(all.size(), 40u);
  bool found = false;
  for (const auto& s : all) {
    for (const auto& p : s.phrases) found = found || p == "开饭店";
    EXPECT_FALSE(s.expansion.empty());
  }
  EXPECT_TRUE(found);
}

TEST(Pinyin, OneToneLessSyllablePerHanCharacter) {
  EXPECT_EQ((std::vector<std::string>{"ying", "ye", "zhi", "zhao"}), pinyin("营业执照"));
  EXPECT_EQ((std::vector<std::string>{"shen", "fen", "zheng"}), pinyin("身份证 ID"));
  EXPECT_EQ((std::vector<std::string>{"ying", "ye", "zhi", "zhao"}), pinyin("營業執照"));
  EXPECT_TRUE(pinyin("abc 123").empty());
}

TEST(Pinyin, HanRunsAreSplitByEverythingElse) {
  EXPECT_EQ((std::vector<std::vector<std::string>>{{"办", "营", "业"}, {"社", "保"}}),
            han_runs("办营业 kfd，社保!"));
  EXPECT_TRUE(han_runs("abc 123").empty());
}

TEST(Pinyin, FuzzySyllablesMergeWhatPeopleConfuse) {
  struct Row {
    const char* in;
    const char* out;
  } rows[] = {{"zhao", "zao"}, {"chi", "ci"},    {"shen", "sen"}, {"ling", "nin"},
              {"fang", "fan"}, {"zheng", "zen"}, {"an", "an"},    {"ye", "ye"}};
  for (const auto& r : rows) EXPECT_EQ(r.out, fuzzy_syllable(r.in)) << r.in;
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(0u, edit_distance("kaifandian", "kaifandian"));
  EXPECT_EQ(1u, edit_distance("kaifandain", "kaifandian") - 1);  // a swap is two edits
  EXPECT_EQ(1u, edit_distance("yingyezhizao", "yingyezhizhao"));
  EXPECT_EQ(2u, edit_distance(std::vector<std::string>{"a", "b"}, std::vector<std::string>{}));
}

TEST(Matcher, FindsPhrasesWrittenSpelledAbbreviatedOrMisheard) {
  Matcher m({"营业执照", "开饭店", "身份证", "结婚登记", "低保", "ai"});
  struct Row {
    const char* query;
    const char* phrase;  // the best match, "" for none
    Kind kind;
    int distance;
  } rows[] = {
      {"办营业执照要多久", "营业执照", Kind::literal, 0},
      {"kaifandian", "开饭店", Kind::pinyin, 0},  // "ai" is not a word in it
      {"kai fan dian", "开饭店", Kind::pinyin, 0},
      {"kaifandain", "开饭店", Kind::pinyin, 2},   // transposed letters
      {"yingyezhi", "营业执照", Kind::pinyin, 1},  // a prefix
      {"kfd", "开饭店", Kind::initials, 0},
      {"营业执造", "营业执照", Kind::sound, 0},  // zao ~ zhao
      {"营业照", "营业执照", Kind::sound, 1},    // a character left out
      {"身份正", "身份证", Kind::sound, 0},      // a homophone
      {"ai客服", "ai", Kind::literal, 0},
      {"jhdjx", "结婚登记", Kind::initials, 2},
      {"jhdjxyz", "", Kind::literal, 0},  // too much more than the phrase
      {"身份", "", Kind::literal, 0},     // too little to go on
      {"离婚", "", Kind::literal, 0},
      {"护照", "", Kind::literal, 0},
  };
  for (const auto& r : rows) {
    auto found = m.match(r.query);
    if (std::string(r.phrase).empty()) {
      EXPECT_TRUE(found.empty()) << r.query << " → " << m.phrase(found[0].phrase);
      continue;
    }
    ASSERT_FALSE(found.empty()) << r.query;
    EXPECT_EQ(r.phrase, m.phrase(found[0].phrase)) << r.query;
    EXPECT_EQ(r.kind, found[0].kind) << r.query;
    EXPECT_EQ(r.distance, found[0].distance) << r.query;
  }
}

TEST(Matcher, LiteralMatchesComeFirstAndLongerPhrasesBeforeShorter) {
  Matcher m({"身份证", "身份证丢了", "开饭店"});
  auto found = m.match("我的身份证丢了");
  ASSERT_EQ(2u, found.size());
  EXPECT_EQ("身份证丢了", m.phrase(found[0].phrase));
  EXPECT_EQ("身份证", m.phrase(found[1].phrase));
}

}  // namespace
}  // namespace yiwang::lexicon
